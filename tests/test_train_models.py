"""The built-in tiny model: builds offline, reloads with Auto classes, deterministic, cached."""

import filecmp
import os

import pytest

from engine.errors import BadInput
from engine.train.models import build_tiny_model, resolve_base_model


def test_tiny_model_builds_reloads_and_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    a = resolve_base_model("builtin:tiny", tmp_path)
    assert a == str((tmp_path / "builtin-tiny").resolve())
    b = build_tiny_model(tmp_path / "other")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"):
        assert filecmp.cmp(os.path.join(a, name), b / name, shallow=False), name
    mtime = os.path.getmtime(os.path.join(a, "model.safetensors"))
    build_tiny_model(a)  # cached: nothing rewritten
    assert os.path.getmtime(os.path.join(a, "model.safetensors")) == mtime

    model = AutoModelForCausalLM.from_pretrained(a)
    tok = AutoTokenizer.from_pretrained(a)
    assert type(model).__name__ == "MistralForCausalLM"
    assert sum(p.numel() for p in model.parameters()) < 300_000
    assert tok.pad_token and tok.bos_token and tok.eos_token and tok.pad_token != tok.eos_token
    out = tok.apply_chat_template(
        [{"role": "user", "content": "How do I book leave?"}, {"role": "assistant", "content": "In the portal."}],
        return_dict=True, return_assistant_tokens_mask=True,
    )
    mask = out["assistant_masks"]
    answer = tok.decode([t for t, m in zip(out["input_ids"], mask) if m])
    assert answer.startswith("In the portal.") and "user" not in answer


def test_resolve_rejects_nonsense(tmp_path):
    with pytest.raises(BadInput):
        resolve_base_model("builtin:huge", tmp_path)
    with pytest.raises(BadInput):
        resolve_base_model("", tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput):
        resolve_base_model(str(tmp_path / "empty"), tmp_path)
    assert resolve_base_model("mistralai/Mistral-7B-v0.1", tmp_path) == "mistralai/Mistral-7B-v0.1"
