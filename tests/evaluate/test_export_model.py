"""Model export: adapter (loads back onto the base), merged (loads and generates, same logits),
Ollama GGUF (reads back with the expected tensors and metadata; a numpy forward pass over the GGUF
tensors reproduces the merged model's logits, which checks names, layout and the RoPE permutation)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers_eval import make_adapter, make_run, make_tiny_base, offline_env
from pathlib import Path

offline_env()

PROMPT_IDS = [1, 5, 40, 77, 120, 33, 250, 9]


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    base = make_tiny_base(root / "tiny")
    adapter = make_adapter(base, root / "adapter")
    run_dir = make_run(root / "ws", base, adapter_src=adapter)
    report = {"heldout_accuracy": 0.94, "baseline_accuracy": 0.61, "train_accuracy": 0.97,
              "hallucinations": {"count": 2, "answers_affected": 1}, "counts": {"heldout": 50},
              "created_at": "2026-11-29 12:00:00", "examples": []}
    (run_dir / "eval").mkdir()
    (run_dir / "eval" / "report.json").write_text(json.dumps(report))
    return run_dir, base


@pytest.fixture(scope="session")
def tuned_logits(run):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    run_dir, base = run
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), str(run_dir / "adapter")).eval()
    plain = AutoModelForCausalLM.from_pretrained(base).eval()
    with torch.no_grad():
        ids = torch.tensor([PROMPT_IDS])
        return model(ids).logits[0].numpy(), plain(ids).logits[0].numpy()


def test_adapter_export_loads_back_and_has_a_model_card(run, tuned_logits, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from engine.evaluate.export_model import export_model

    run_dir, base = run
    result = export_model(run_dir, tmp_path / "a", fmt="adapter")
    assert {"adapter_config.json", "adapter_model.safetensors", "README.md"} <= set(result["files"])
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), str(tmp_path / "a")).eval()
    with torch.no_grad():
        logits = model(torch.tensor([PROMPT_IDS])).logits[0].numpy()
    np.testing.assert_allclose(logits, tuned_logits[0], atol=1e-5)
    card = (tmp_path / "a" / "README.md").read_text()
    for text in ("builtin:tiny", "Dataset version: 1", "Training pairs: 8", "Held-out pairs: 4", "lora_r: 16",
                 "num_train_epochs: 3.0", "Held-out accuracy: 94%", "base model on the same questions: 61%",
                 "Invented facts: 2"):
        assert text in card, text


def test_merged_export_loads_generates_and_matches(run, tuned_logits, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.evaluate.export_model import export_model

    run_dir, _ = run
    export_model(run_dir, tmp_path / "m32", fmt="merged", dtype="float32")
    m32 = AutoModelForCausalLM.from_pretrained(str(tmp_path / "m32")).eval()
    assert not any("lora" in n for n, _ in m32.named_parameters())
    with torch.no_grad():
        logits = m32(torch.tensor([PROMPT_IDS])).logits[0].numpy()
    np.testing.assert_allclose(logits, tuned_logits[0], atol=1e-4)
    assert np.abs(logits - tuned_logits[1]).max() > 1e-2  # the adapter's change is in the weights

    result = export_model(run_dir, tmp_path / "m16", fmt="merged")  # default float16
    assert "model.safetensors" in result["files"] and "chat_template.jinja" in result["files"]
    m16 = AutoModelForCausalLM.from_pretrained(str(tmp_path / "m16"))
    assert next(m16.parameters()).dtype == torch.float16
    tok = AutoTokenizer.from_pretrained(str(tmp_path / "m16"))
    prompt = tok.apply_chat_template([{"role": "user", "content": "How do I book leave?"}], tokenize=False,
                                     add_generation_prompt=True)
    assert prompt.endswith("<|assistant|>\n")
    enc = tok(prompt, add_special_tokens=False, return_tensors="pt")
    out = m16.to(torch.float32).generate(**enc, max_new_tokens=5, do_sample=False, pad_token_id=tok.pad_token_id)
    assert out.shape[1] > enc["input_ids"].shape[1]


def _rms(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def _gguf_forward(reader, ids):
    """A llama.cpp-style forward pass (RoPE on adjacent pairs, GQA) over the GGUF tensors."""
    f = {k: v.contents() for k, v in reader.fields.items() if not k.startswith("tokenizer.ggml.")}
    import gguf

    t = {x.name: gguf.quants.dequantize(x.data, x.tensor_type).astype(np.float32).reshape(
        [int(n) for n in reversed(x.shape)]) for x in reader.tensors}
    n_head, n_kv = f["llama.attention.head_count"], f["llama.attention.head_count_kv"]
    eps, base = f["llama.attention.layer_norm_rms_epsilon"], f["llama.rope.freq_base"]
    hd = f["llama.rope.dimension_count"]
    T = len(ids)
    x = t["token_embd.weight"][ids]
    inv = base ** (-np.arange(0, hd, 2) / hd)
    ang = np.arange(T)[:, None] * inv[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]

    def rope(v):  # v: (T, heads, hd); rotate pairs (2i, 2i+1)
        a, b = v[..., 0::2], v[..., 1::2]
        out = np.empty_like(v)
        out[..., 0::2], out[..., 1::2] = a * cos - b * sin, a * sin + b * cos
        return out

    mask = np.triu(np.full((T, T), -np.inf), 1)
    for i in range(f["llama.block_count"]):
        p = lambda n: t[f"blk.{i}.{n}.weight"]  # noqa: E731
        h = _rms(x, p("attn_norm"), eps)
        q = rope((h @ p("attn_q").T).reshape(T, n_head, hd))
        k = rope((h @ p("attn_k").T).reshape(T, n_kv, hd))
        v = (h @ p("attn_v").T).reshape(T, n_kv, hd)
        rep = n_head // n_kv
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
        s = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        att = np.einsum("hts,shd->thd", s, v).reshape(T, n_head * hd)
        x = x + att @ p("attn_output").T
        h = _rms(x, p("ffn_norm"), eps)
        g = h @ p("ffn_gate").T
        x = x + ((g / (1 + np.exp(-g))) * (h @ p("ffn_up").T)) @ p("ffn_down").T
    x = _rms(x, t["output_norm.weight"], eps)
    return x @ t["output.weight"].T


@pytest.mark.parametrize("dtype", ["float32", "float16", "q8_0"])
def test_ollama_export_is_a_readable_gguf_that_computes_the_same_model(run, tuned_logits, tmp_path, dtype):
    import gguf
    from transformers import AutoTokenizer

    from engine.evaluate.export_model import export_model

    run_dir, base = run
    quantize = "q8_0" if dtype == "q8_0" else None
    result = export_model(run_dir, tmp_path / "o", fmt="ollama", dtype="float16" if quantize else dtype,
                          quantize=quantize)
    assert set(result["files"]) == {"model.gguf", "Modelfile", "README.md"}
    assert any("q8_0" in n for n in result["notes"])
    reader = gguf.GGUFReader(str(tmp_path / "o" / "model.gguf"))
    meta = {k: v.contents() for k, v in reader.fields.items()}
    assert meta["general.architecture"] == "llama"
    assert meta["llama.block_count"] == 2 and meta["llama.embedding_length"] == 64
    assert meta["llama.attention.head_count"] == 4 and meta["llama.attention.head_count_kv"] == 2
    assert meta["llama.feed_forward_length"] == 128 and meta["llama.context_length"] == 1024
    tok = AutoTokenizer.from_pretrained(base)
    assert meta["tokenizer.ggml.model"] == "gpt2" and len(meta["tokenizer.ggml.tokens"]) == len(tok)
    assert meta["tokenizer.ggml.tokens"][tok.eos_token_id] == tok.eos_token
    assert meta["tokenizer.ggml.eos_token_id"] == tok.eos_token_id
    assert meta["tokenizer.ggml.bos_token_id"] == tok.bos_token_id and meta["tokenizer.ggml.add_bos_token"] is True
    assert meta["tokenizer.ggml.token_type"][tok.eos_token_id] == gguf.TokenType.CONTROL
    assert len(meta["tokenizer.ggml.merges"]) > 100 and "<|assistant|>" in meta["tokenizer.chat_template"]
    names = {t.name for t in reader.tensors}
    expected = {"token_embd.weight", "output_norm.weight", "output.weight"} | {
        f"blk.{i}.{n}.weight" for i in range(2) for n in
        ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down")}
    assert names == expected
    types = {t.name: t.tensor_type for t in reader.tensors}
    want = {"float16": gguf.GGMLQuantizationType.F16, "float32": gguf.GGMLQuantizationType.F32,
            "q8_0": gguf.GGMLQuantizationType.Q8_0}[dtype]
    assert types["blk.0.attn_q.weight"] == want and types["output_norm.weight"] == gguf.GGMLQuantizationType.F32
    assert meta["general.file_type"] == {"float16": 1, "float32": 0, "q8_0": 7}[dtype]
    if quantize:  # Q8_0: 34 bytes per 32 weights, against 64 in f16
        q8 = next(x for x in reader.tensors if x.name == "blk.0.ffn_up.weight")
        assert q8.n_bytes == q8.n_elements // 32 * 34

    logits = _gguf_forward(reader, PROMPT_IDS)
    tol = {"float16": 2e-2, "float32": 1e-3, "q8_0": 5e-2}[dtype]
    np.testing.assert_allclose(logits, tuned_logits[0], atol=tol * max(1.0, np.abs(tuned_logits[0]).max()))

    modelfile = (tmp_path / "o" / "Modelfile").read_text()
    assert modelfile.startswith("FROM ./model.gguf")
    assert "{{ range .Messages }}" in modelfile and "{{ .System }}" in modelfile and "<|assistant|>" in modelfile
    assert "<s>" not in modelfile  # llama.cpp adds the BOS token itself
    assert 'PARAMETER stop "</s>"' in modelfile
    assert "Not supported" not in modelfile and "q8_0" in (tmp_path / "o" / "README.md").read_text()
    _check_modelfile_template(modelfile, tok, bos_added=True)


CONVERSATION = [
    {"role": "user", "content": "How do I book annual leave?"},
    {"role": "assistant", "content": "In the HR portal, under Time Off."},
    {"role": "user", "content": "And who approves it?"},
    {"role": "assistant", "content": "Your line manager."},
    {"role": "user", "content": "Thanks. Can I carry days over?"},
]


def _check_modelfile_template(modelfile: str, tok, *, bos_added: bool) -> None:
    """The Modelfile's TEMPLATE, rendered as Ollama would, gives the prompt string of the model's
    own chat template for a multi-turn conversation, with and without a system prompt."""
    from engine.evaluate.export_model import render_ollama_template

    template = modelfile.split('TEMPLATE """', 1)[1].split('"""', 1)[0]
    for system in ("", "You answer questions for the Fabrikam people team."):
        messages = ([{"role": "system", "content": system}] if system else []) + CONVERSATION
        want = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        got = render_ollama_template(template, messages=messages, system=system)
        assert (tok.bos_token + got if bos_added else got) == want
        assert got.count("Can I carry days over?") == 1 and got.count("Your line manager.") == 1


def test_export_errors_and_cli(run, tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.errors import BadInput
    from engine.evaluate.export_model import export_model
    from engine.workspace.store import Workspace

    run_dir, base = run
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("keep me")
    with pytest.raises(BadInput):
        export_model(run_dir, busy, fmt="adapter")
    assert (busy / "x").read_text() == "keep me"
    with pytest.raises(BadInput):
        export_model(run_dir, tmp_path / "n", fmt="onnx")

    ws_root = run_dir.parents[1]
    if not (ws_root / "pairsmith.duckdb").exists():
        Workspace.create(ws_root).close()
    code = main(["export-model", str(ws_root), run_dir.name, str(tmp_path / "cli"), "--format", "adapter", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["format"] == "adapter" and (tmp_path / "cli" / "README.md").is_file()
    assert main(["export-model", str(ws_root), "nope", str(tmp_path / "cli2")]) == 2
    assert "No run 'nope'" in capsys.readouterr().err


def test_the_gguf_check_would_catch_a_missing_rope_permutation(run, tuned_logits, tmp_path, monkeypatch):
    import gguf

    import engine.evaluate.export_model as em

    monkeypatch.setattr(em, "_permute_rope", lambda w, n_head: w)
    em.export_model(run[0], tmp_path / "bad", fmt="ollama", dtype="float32")
    logits = _gguf_forward(gguf.GGUFReader(str(tmp_path / "bad" / "model.gguf")), PROMPT_IDS)
    assert np.abs(logits - tuned_logits[0]).max() > 1e-2


# --- Bug hunt: dataset and model exports to awkward places (one clear line, exit 2, no traceback). ---
@pytest.fixture()
def ws_with_pairs(tmp_path):
    from engine.review.pairs import add_pair
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    for i in range(3):
        add_pair(ws, f"Question {i} <script>alert(1)</script>?", f"Answer {i}.", status="approved")
    yield ws
    ws.close()


def test_dataset_export_under_a_file_is_a_clear_error(ws_with_pairs, tmp_path):
    from engine.workspace.errors import PairsmithError
    from engine.dataset.export import export_pairs

    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(PairsmithError, match="could not write"):
        export_pairs(ws_with_pairs, blocker / "sub" / "out.jsonl")


def test_dataset_export_cli_to_an_unwritable_place_exits_2(ws_with_pairs, tmp_path, capsys):
    from engine.cli.main import main

    (tmp_path / "afile").write_text("x")
    ws_with_pairs.close()
    assert main(["export", str(tmp_path / "ws"), str(tmp_path / "afile" / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error" not in err and len(err.strip().splitlines()) == 1, err


def test_model_export_under_a_file_is_a_clear_error(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    (tmp_path / "afile").write_text("x")
    assert main(["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "afile" / "model")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error" not in err and "afile" in err, err


def test_split_export_refuses_personal_data_redacted_after_freezing(tmp_path, capsys):
    """freeze -> redact -> export --split: the frozen copy still held the e-mail address, and with
    the personal-data flags gone it was written out without a word."""
    from engine.cli.main import main
    from engine.dataset.export import export_pairs
    from engine.workspace.errors import BadInput
    from engine.review.pairs import add_pair
    from engine.privacy.redact import redact_all
    from engine.dataset.split import freeze
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    try:
        for i in range(10):
            contact = " Reach me at priya.sharma@example.com." if i == 0 else ""
            add_pair(ws, f"How do I request laptop model {i}?{contact}", f"Use the IT Portal, form IT-{i}.",
                     status="approved")
        version = freeze(ws, holdout=0.2)["version_id"]
        redact_all(ws)
        assert "priya" not in ws.query("SELECT instruction FROM pairs WHERE id = 1")[0]["instruction"]
        with pytest.raises(BadInput, match="redacted after"):
            export_pairs(ws, tmp_path / "all.jsonl", version=version)
        res = export_pairs(ws, tmp_path / "all.jsonl", version=version, allow_pii=True)  # the user's call
        assert res["pairs"] == 10
        # a version frozen after the redaction exports without complaint
        clean = freeze(ws, holdout=0.2)["version_id"]
        export_pairs(ws, tmp_path / "clean.jsonl", version=clean)
        assert "priya" not in (tmp_path / "clean.jsonl").read_text()
    finally:
        ws.close()
    out = tmp_path / "train.jsonl"
    main(["export", str(tmp_path / "ws"), str(out), "--version", str(version)])
    assert "redacted after" in capsys.readouterr().err


def test_ollama_export_refuses_an_unsupported_architecture_before_merging(tmp_path, monkeypatch):
    """A Qwen/Gemma base used to be merged in full (minutes, ~4 bytes per parameter of memory)
    before the GGUF writer said it does not support the architecture."""
    import engine.evaluate.export_model as em
    from engine.workspace.errors import BadInput
    from engine.workspace.store import Workspace

    base = tmp_path / "qwen-base"
    base.mkdir()
    (base / "config.json").write_text(json.dumps({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]}))
    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", str(base))
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")

    def no_merge(*a, **k):
        raise AssertionError("merged before checking the architecture")

    monkeypatch.setattr(em, "export_merged", no_merge)
    with pytest.raises(BadInput, match="Llama and Mistral"):
        em.export_model(run, tmp_path / "out", fmt="ollama")
    assert not (tmp_path / "out").exists()


def test_export_refuses_to_overwrite_the_workspace_database(ws_with_pairs, tmp_path):
    """`pairsmith export WS WS/pairsmith.duckdb` (a slip of the tab key) replaced the database."""
    from engine.workspace.errors import BadInput
    from engine.dataset.export import export_pairs

    ws = ws_with_pairs
    before = ws.db_path.read_bytes()
    for target in (ws.db_path, Path(str(ws.db_path) + ".wal"), ws.root / "backups" / "x.duckdb"):
        with pytest.raises(BadInput, match="workspace"):
            export_pairs(ws, target)
    assert ws.db_path.read_bytes() == before
    assert ws.counts()["approved"] == 3


def test_empty_split_message_names_the_version(tmp_path):
    from engine.workspace.errors import BadInput
    from engine.dataset.export import export_pairs
    from engine.review.pairs import add_pair
    from engine.dataset.split import freeze
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    try:
        add_pair(ws, "Only question?", "Only answer.", status="approved")
        version = freeze(ws)["version_id"]  # one pair: nothing can be held out
        with pytest.raises(BadInput, match=f"held-out part of dataset version {version} is empty"):
            export_pairs(ws, tmp_path / "h.jsonl", split="heldout")
    finally:
        ws.close()


def test_a_failed_export_into_a_folder_the_user_made_leaves_the_folder(tmp_path, monkeypatch):
    import engine.evaluate.export_model as em
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    chosen = tmp_path / "my exports"
    chosen.mkdir()  # made in the folder dialog

    def broken(run_dir, out):
        (Path(out) / "half-written.bin").write_text("x")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(em, "export_adapter", broken)
    with pytest.raises(OSError):
        em.export_model(run, chosen, fmt="adapter")
    assert chosen.is_dir() and not any(chosen.iterdir())
    with pytest.raises(OSError):
        em.export_model(run, tmp_path / "new", fmt="adapter")
    assert not (tmp_path / "new").exists()  # a folder the export made is removed
