"""GGUF files and Ollama models as base models: converted once into a cached safetensors folder.

Uses a GGUF written from the tiny built-in model (f32, so the round trip is exact); the real
SmolLM2 file is covered by tests/train/test_smollm2.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from engine.train import gguf_base
from engine.train.models import build_tiny_model, resolve_base_model
from engine.workspace.errors import BadInput
from tests.train_helpers import cli, environ, make_workspace


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from engine.evaluate.export_model import write_gguf

    root = tmp_path_factory.mktemp("tinygguf")
    folder = build_tiny_model(root / "builtin-tiny")
    write_gguf(folder, root / "tiny-helpdesk.gguf", dtype="float32", name="tiny-helpdesk")
    return {"folder": folder, "gguf": root / "tiny-helpdesk.gguf"}


def _fake_ollama(root: Path, gguf: Path, name: str = "tinyhelp", tag: str = "latest",
                 namespace: str = "library") -> Path:
    """An Ollama models folder as `ollama pull` leaves it: manifests/<registry>/<ns>/<name>/<tag>
    (JSON naming the layers by sha256) and blobs/sha256-<hex>."""
    data = gguf.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    blobs = root / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    (blobs / f"sha256-{digest}").write_bytes(data)
    template = b"{{ .Prompt }}"
    tdigest = hashlib.sha256(template).hexdigest()
    (blobs / f"sha256-{tdigest}").write_bytes(template)
    manifest = root / "manifests" / "registry.ollama.ai" / namespace / name / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:" + "0" * 64},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": len(data)},
            {"mediaType": "application/vnd.ollama.image.template", "digest": f"sha256:{tdigest}",
             "size": len(template)},
        ]}))
    return root


def _leftovers(cache: Path) -> list[str]:
    """Folders in the GGUF cache (a failed conversion must leave none)."""
    folder = cache / "gguf"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def test_gguf_file_is_converted_once_and_loads_as_the_same_model(tiny, tmp_path, monkeypatch):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cache = tmp_path / "cache"
    out = Path(resolve_base_model(str(tiny["gguf"]), cache))
    digest = hashlib.sha256(tiny["gguf"].read_bytes()).hexdigest()
    assert out == (cache / "gguf" / f"{digest[:20]}-v{gguf_base.CONVERT_VERSION}").resolve()
    marker = json.loads((out / gguf_base.MARKER).read_text())
    assert marker["sha256"] == digest and marker["architecture"] == "llama"
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()

    # the same weights, tokenizer and chat template as the model the GGUF was written from
    a, b = AutoModelForCausalLM.from_pretrained(tiny["folder"]), AutoModelForCausalLM.from_pretrained(out)
    ta, tb = AutoTokenizer.from_pretrained(tiny["folder"]), AutoTokenizer.from_pretrained(out)
    chat = [{"role": "user", "content": "How do I request annual leave?"},
            {"role": "assistant", "content": "In the HR portal."}, {"role": "user", "content": "Who approves it?"}]
    text = ta.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    assert tb.apply_chat_template(chat, tokenize=False, add_generation_prompt=True) == text
    ids = ta(text, add_special_tokens=False, return_tensors="pt").input_ids
    assert tb(text, add_special_tokens=False, return_tensors="pt").input_ids.tolist() == ids.tolist()
    with torch.no_grad():
        assert torch.allclose(a(ids).logits, b(ids).logits, atol=1e-5)

    # a second resolve finds the conversion (and the remembered hash) without converting again
    def boom(*args, **kwargs):
        raise AssertionError("converted twice")

    monkeypatch.setattr(gguf_base, "_convert_into", boom)
    monkeypatch.setattr(gguf_base, "_sha256", boom)
    assert Path(resolve_base_model(str(tiny["gguf"]), cache)) == out


def test_ollama_names_resolve_through_the_manifests_to_the_same_conversion(tiny, tmp_path):
    models = _fake_ollama(tmp_path / "ollama", tiny["gguf"])
    _fake_ollama(models, tiny["gguf"], name="helper", tag="v1", namespace="team")
    cache = tmp_path / "cache"
    with environ(OLLAMA_MODELS=str(models)):
        listed = gguf_base.list_ollama_models()
        a = resolve_base_model("ollama:tinyhelp", cache)
        b = resolve_base_model("ollama:tinyhelp:latest", cache)
        c = resolve_base_model("ollama:team/helper:v1", cache)
        with pytest.raises(BadInput) as missing:
            resolve_base_model("ollama:llama3.2:1b", cache)
        with pytest.raises(BadInput) as wrong_tag:
            resolve_base_model("ollama:tinyhelp:7b", cache)
    assert [m["name"] for m in listed] == ["team/helper:v1", "tinyhelp:latest"]
    assert a == b == c  # one blob, one conversion keyed by its digest
    # the file itself hashes to the same key: no second conversion
    assert resolve_base_model(str(tiny["gguf"]), cache) == a
    assert _leftovers(cache) == [Path(a).name]
    msg = str(missing.value)
    assert "llama3.2:1b is not installed" in msg and "tinyhelp:latest" in msg and "ollama pull" in msg
    assert "\n" not in msg
    assert "tinyhelp:7b is not installed" in str(wrong_tag.value)


def _write_gguf(path: Path, arch: str) -> Path:
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), arch)
    w.add_name("not-a-chat-model")
    w.add_tensor("token_embd.weight", np.zeros((8, 4), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


@pytest.mark.parametrize("case", ["text", "truncated_header", "truncated_tensors", "bert", "missing", "disk_full"])
def test_bad_gguf_input_is_one_line_and_leaves_no_cache_folder(case, tiny, tmp_path, monkeypatch):
    data = tiny["gguf"].read_bytes()
    path = tmp_path / "model.gguf"
    expect = {
        "text": "is not a GGUF file",
        "truncated_header": "not a complete GGUF file",
        "truncated_tensors": "GGUF file",
        "bert": "is a 'bert' model",
        "missing": "does not exist",
        "disk_full": "needs about",
    }[case]
    if case == "text":
        path.write_text("these are not the weights you are looking for\n")
    elif case == "truncated_header":
        path.write_bytes(data[:200])
    elif case == "truncated_tensors":
        path.write_bytes(data[:-4096])
    elif case == "bert":
        _write_gguf(path, "bert")
    elif case == "disk_full":
        path.write_bytes(data)
        monkeypatch.setattr(gguf_base, "_free_bytes", lambda folder: 10 * 1024**2)
    cache = tmp_path / "cache"
    with pytest.raises(BadInput) as err:
        resolve_base_model(str(path), cache)
    msg = str(err.value)
    assert expect in msg and "\n" not in msg, msg
    if case == "bert":
        assert "llama" in msg and "qwen2" in msg  # names what is supported
    assert _leftovers(cache) == []


def test_a_conversion_that_fails_midway_leaves_nothing_half_written(tiny, tmp_path, monkeypatch):
    def fail(source, tmp, info):
        (tmp / "model.safetensors").write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gguf_base, "_convert_into", fail)
    cache = tmp_path / "cache"
    with pytest.raises(BadInput, match="disk filled up"):
        resolve_base_model(str(tiny["gguf"]), cache)
    assert _leftovers(cache) == []


def test_cli_train_on_a_bad_gguf_exits_2_with_one_line(tiny, tmp_path):
    ws = make_workspace(tmp_path / "ws", n=12)
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(tiny["gguf"].read_bytes()[:300])
    with environ(PAIRSMITH_CACHE=str(tmp_path / "cache"), OLLAMA_MODELS=str(tmp_path / "no-ollama")):
        code, out, err = cli("train", ws, "--base-model", bad, "--json")
        assert code == 2 and out == ""
        assert err.strip().count("\n") == 0 and "not a complete GGUF file" in err
        code, out, err = cli("train", ws, "--base-model", "ollama:mistral", "--json")
        assert code == 2 and "mistral:latest is not installed" in err and err.strip().count("\n") == 0
    assert _leftovers(tmp_path / "cache") == []


def test_a_run_whose_cached_conversion_was_cleared_converts_again(tiny, tmp_path):
    import shutil

    from engine.train.run_folder import base_model_path

    cache = tmp_path / "cache"
    with environ(PAIRSMITH_CACHE=str(cache)):
        first = resolve_base_model(str(tiny["gguf"]), cache)
        spec = {"base_model": str(tiny["gguf"]), "base_model_resolved": first}
        shutil.rmtree(cache)
        again = base_model_path(spec)
    assert again == first and (Path(again) / "config.json").is_file()


def test_demo_refuses_a_bad_base_model_before_writing_anything(tmp_path):
    ws = tmp_path / "demo"
    with environ(PAIRSMITH_CACHE=str(tmp_path / "cache")):
        code, out, err = cli("demo", "--workspace", ws, "--base-model", tmp_path / "missing.gguf")
        assert code == 2 and "does not exist" in err and err.strip().count("\n") == 0
        code, out, err = cli("demo", "--workspace", ws, "--base-model", "builtin:tiny", "--preset", "gpu-fast")
        assert code == 2 and "Unknown preset 'gpu-fast'" in err
    assert not ws.exists()


def test_a_killed_conversions_temporary_folder_is_removed_later(tiny, tmp_path):
    import os
    import time

    cache = tmp_path / "cache"
    stale = cache / "gguf" / ".convert-killed"
    stale.mkdir(parents=True)
    (stale / "model.safetensors").write_bytes(b"half")
    old = time.time() - gguf_base.STALE_S - 60
    os.utime(stale, (old, old))
    fresh = cache / "gguf" / ".convert-running"  # another process converting right now: left alone
    fresh.mkdir()
    resolve_base_model(str(tiny["gguf"]), cache)
    assert not stale.exists() and fresh.exists()
