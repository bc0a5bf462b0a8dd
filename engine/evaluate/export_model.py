"""Export a trained run's model, with a model card (README.md) in every format.

    export_model(run_dir, out, fmt="adapter"|"merged"|"ollama", dtype="float16", progress=None)
        -> {"format", "path", "files", "notes"}

- adapter: the LoRA adapter folder as training saved it (peft + tokenizer); load it onto the base
  model with `PeftModel.from_pretrained`.
- merged:  base + adapter as one standalone model: the base is loaded in float32 on the CPU (never
  from 4-bit weights), the adapter merged (`merge_and_unload`), the result cast to `dtype` and
  saved as safetensors with the tokenizer and its chat template. Loads with AutoModelForCausalLM.
- ollama:  the merged model as one GGUF file (llama architecture, f16 or f32 tensors, tokenizer
  and chat template in the metadata) plus a Modelfile: `ollama create NAME -f Modelfile`.

GGUF support, stated plainly:
- Llama- and Mistral-family models only (config.model_type "llama" or "mistral"): they share the
  llama.cpp "llama" architecture. Others (Qwen, Gemma, Phi, ...) are refused with a pointer to
  llama.cpp's convert_hf_to_gguf.py, which can convert the merged folder.
- Tokenizers: byte-level BPE ("gpt2" in GGUF), Hugging Face Llama/Mistral BPE with byte fallback
  ("llama"), and SentencePiece tokenizer.model ("llama"). The pre-tokenizer of a base converted
  from a GGUF (builtin:smollm2, a .gguf file, an Ollama model) is the original file's; otherwise
  it is written as "default" for byte-level BPE (llama.cpp warns and uses its default split).
- f16, f32, or q8_0 (quantised here with the gguf package); other types (q4_k...) with
  llama.cpp's llama-quantize on the f16 file.
- Mistral's sliding-window attention is not recorded (llama.cpp's llama architecture has none);
  answers within the context length are unaffected.
- The whole merged model is held in memory while the GGUF is written (about its size in f16).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from engine.workspace.errors import BadInput, PairsmithError
from engine.workspace.security import spec_model_kwargs, spec_tokenizer_kwargs, tokenizer_load_kwargs
from engine.workspace.progress import ProgressFn

FORMATS = ("adapter", "merged", "ollama")
GGUF_NAME = "model.gguf"
GGUF_ARCHS = ("llama", "mistral")


# --- helpers ---------------------------------------------------------------------------------
def _prepare_out(out: str | os.PathLike) -> Path:
    out = Path(out)
    try:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise BadInput(f"{out} already exists and is not an empty folder; choose a new folder.")
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way, a read-only or special folder
        raise BadInput(f"Cannot create the folder {out}: {exc.strerror or exc}; choose another place.") from None
    return out


def _run_parts(run_dir: Path) -> tuple[dict, Path, str]:
    from engine.evaluate import read_run
    from engine.train.run_folder import adapter_dir, base_model_path

    spec, _, _ = read_run(run_dir)
    return spec, adapter_dir(run_dir), base_model_path(spec)


def _dtype(name: str):
    import torch

    if name not in ("float16", "bfloat16", "float32"):
        raise BadInput(f"dtype must be float16, bfloat16 or float32, not {name!r}.")
    return getattr(torch, name)


# --- model card ------------------------------------------------------------------------------
_CARD_KEYS = ("lora_r", "lora_alpha", "lora_dropout", "target_modules", "num_train_epochs", "max_steps",
              "learning_rate", "per_device_train_batch_size", "gradient_accumulation_steps", "max_length",
              "load_in_4bit", "lr_scheduler_type", "warmup_ratio", "seed")


def model_card(run_dir: str | os.PathLike, fmt: str, *, extra_notes: list[str] | None = None) -> str:
    """README.md text: base model, dataset version and size, hyperparameters, newest evaluation."""
    from engine.evaluate import load_report, read_run
    from engine.evaluate.report import pct

    run_dir = Path(run_dir)
    spec, heldout, train = read_run(run_dir)
    data = spec.get("dataset") or {}
    config = spec.get("config") or {}
    report = load_report(run_dir)
    run_id = spec.get("run_id") or run_dir.name
    lines = [
        f"# Pairsmith model: run {run_id}",
        "",
        f"Fine-tuned with Pairsmith on a team's helpdesk answers. Export format: **{fmt}**.",
        "",
        "## Base model",
        "",
        f"- {spec.get('base_model')}" + (f" (resolved: `{spec.get('base_model_resolved')}`)" if spec.get("base_model_resolved") else ""),
        "",
        "## Dataset",
        "",
        f"- Dataset version: {data.get('version_id', 'unknown')}",
        f"- Training pairs: {data.get('train_count', len(train))}",
        f"- Held-out pairs: {data.get('heldout_count', len(heldout))}",
        "",
        "## Training settings",
        "",
        f"- Preset: {spec.get('preset', 'unknown')}",
    ]
    for key in _CARD_KEYS:
        if key in config:
            value = config[key]
            lines.append(f"- {key}: {', '.join(value) if isinstance(value, list) else value}")
    lines += ["", "## Evaluation", ""]
    if report:
        hall = report.get("hallucinations") or {}
        lines += [
            f"- Held-out accuracy: {pct(report.get('heldout_accuracy'))} "
            f"({(report.get('counts') or {}).get('heldout', '?')} questions)",
            f"- Prompted base model on the same questions: {pct(report.get('baseline_accuracy'))}",
            f"- Training-question accuracy: {pct(report.get('train_accuracy'))}",
            f"- Invented facts: {hall.get('count', 0)} in {hall.get('answers_affected', 0)} answers",
            f"- Evaluated: {report.get('created_at', 'unknown')}",
            "",
            "An answer counts as correct when every key fact of the reference answer (numbers with units, "
            "durations, amounts, dates, yes/no, named policies) is present and none is contradicted or "
            "invented, and its meaning is close to the reference.",
        ]
        for advice in report.get("advice") or []:
            lines.append(f"\n> {advice}")
    else:
        lines.append("Not evaluated yet (run `pairsmith eval WORKSPACE --run " + run_id + "`).")
    lines += ["", "## How to use", ""]
    if fmt == "adapter":
        lines += ["```python", "from peft import PeftModel", "from transformers import AutoModelForCausalLM, AutoTokenizer",
                  f"base = AutoModelForCausalLM.from_pretrained({spec.get('base_model_resolved') or spec.get('base_model')!r})",
                  "model = PeftModel.from_pretrained(base, 'THIS_FOLDER')", "tokenizer = AutoTokenizer.from_pretrained('THIS_FOLDER')",
                  "```"]
    elif fmt == "merged":
        lines += ["```python", "from transformers import AutoModelForCausalLM, AutoTokenizer",
                  "model = AutoModelForCausalLM.from_pretrained('THIS_FOLDER')",
                  "tokenizer = AutoTokenizer.from_pretrained('THIS_FOLDER')", "```"]
    else:
        lines += ["```", f"ollama create pairsmith-{run_id} -f Modelfile", f"ollama run pairsmith-{run_id}", "```"]
    if extra_notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in extra_notes]
    lines += ["", f"_Exported {_dt.datetime.now().replace(microsecond=0).isoformat(sep=' ')} by Pairsmith._", ""]
    return "\n".join(lines)


# --- adapter ---------------------------------------------------------------------------------
def export_adapter(run_dir: str | os.PathLike, out: str | os.PathLike) -> Path:
    from engine.train.run_folder import adapter_dir

    run_dir = Path(run_dir)
    adapter = adapter_dir(run_dir)
    out = Path(out)
    shutil.copytree(adapter, out, dirs_exist_ok=True)
    return out


# --- merged ----------------------------------------------------------------------------------
def export_merged(run_dir: str | os.PathLike, out: str | os.PathLike, *, dtype: str = "float16") -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.evaluate.generate import prepare_tokenizer

    run_dir, out = Path(run_dir), Path(out)
    _spec, adapter, base_path = _run_parts(run_dir)
    target = _dtype(dtype)
    try:
        model = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch.float32, device_map={"": "cpu"},
                                                     **spec_model_kwargs(_spec, base_path))
    except OSError as exc:
        raise PairsmithError(f"Cannot load the base model {base_path}: {str(exc).splitlines()[0]}") from None
    model = PeftModel.from_pretrained(model, str(adapter))
    merged = model.merge_and_unload()
    merged = merged.to(target)
    merged.config.dtype = str(target).replace("torch.", "")
    tok_src = adapter if (adapter / "tokenizer_config.json").is_file() else Path(base_path)
    tok = AutoTokenizer.from_pretrained(str(tok_src), **spec_tokenizer_kwargs(_spec, tok_src))
    prepare_tokenizer(tok)  # a pad token and a chat template (the training fallback when the base had none)
    tok.padding_side = "left"
    if merged.generation_config is not None and merged.generation_config.pad_token_id is None:
        merged.generation_config.pad_token_id = tok.pad_token_id
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


# --- GGUF ------------------------------------------------------------------------------------
def _permute_rope(w, n_head: int):
    """HF stores q/k rows for rotate-half RoPE; llama.cpp's llama architecture expects the rows of
    each head interleaved (pairs). The same permutation convert_hf_to_gguf.py applies."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


_LAYER_MAP = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def gguf_tensor_name(hf_name: str) -> str | None:
    """The llama.cpp name of a Llama/Mistral tensor (None for tensors GGUF does not keep)."""
    if hf_name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if hf_name == "model.norm.weight":
        return "output_norm.weight"
    if hf_name == "lm_head.weight":
        return "output.weight"
    if hf_name.startswith("model.layers."):
        rest = hf_name[len("model.layers."):]
        idx, _, tail = rest.partition(".")
        if tail in _LAYER_MAP:
            return f"blk.{int(idx)}.{_LAYER_MAP[tail]}"
    if hf_name.endswith("rotary_emb.inv_freq"):
        return None
    raise BadInput(f"GGUF export does not know the tensor {hf_name!r}; this model layout is not supported yet.")


def _load_vocab(model_dir: Path):
    from gguf.vocab import BpeVocab, LlamaHfVocab, SentencePieceVocab

    errors = []
    classes = [LlamaHfVocab, BpeVocab]
    if (model_dir / "tokenizer.model").is_file():  # SentencePiece (needs the sentencepiece package)
        classes.insert(0, SentencePieceVocab)
    for cls in classes:
        try:
            return cls(model_dir)
        except (FileNotFoundError, TypeError, ValueError, KeyError, ImportError, RuntimeError) as exc:
            errors.append(f"{cls.__name__}: {exc}")
    raise BadInput("GGUF export supports byte-level BPE, Llama-style BPE and SentencePiece tokenizers; this "
                   "tokenizer is none of them (" + "; ".join(errors) + ").")


def _rope_theta(config) -> float:
    theta = getattr(config, "rope_theta", None)
    params = getattr(config, "rope_parameters", None) or getattr(config, "rope_scaling", None) or {}
    if theta is None and isinstance(params, dict):
        theta = params.get("rope_theta")
    return float(theta or 10000.0)


QUANTIZE = ("q8_0",)


def write_gguf(model_dir: str | os.PathLike, out_file: str | os.PathLike, *, dtype: str = "float16",
               name: str = "pairsmith", progress: ProgressFn | None = None,
               quantize: str | None = None, tokenizer_pre: str | None = None) -> dict[str, Any]:
    """Write a merged Llama/Mistral model folder as one GGUF file. Returns {"tensors", "tokenizer", "file_type"}.

    quantize="q8_0": the weight matrices in llama.cpp's Q8_0 (blocks of 32 values, one f16 scale:
    8.5 bits a weight, about half the f16 file), quantised with the gguf package the way
    llama-quantize does; a matrix whose rows are not a multiple of 32 stays f16, norms stay f32."""
    import gguf
    import numpy as np
    import torch
    from safetensors import safe_open
    from transformers import AutoConfig

    model_dir, out_file = Path(model_dir), Path(out_file)
    config = AutoConfig.from_pretrained(str(model_dir), **tokenizer_load_kwargs(model_dir))
    if config.model_type not in GGUF_ARCHS:
        raise BadInput(
            f"GGUF export supports Llama and Mistral models, not {config.model_type!r}. Export --format merged and "
            "convert that folder with llama.cpp's convert_hf_to_gguf.py.")
    n_head, n_kv = config.num_attention_heads, getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // n_head
    if quantize not in (None, *QUANTIZE):
        raise BadInput(f"GGUF quantisation {quantize!r} is not supported; use one of {', '.join(QUANTIZE)} "
                       "(or none for f16/f32).")
    f16 = dtype in ("float16", "bfloat16")
    q8 = quantize == "q8_0"
    w = gguf.GGUFWriter(str(out_file), "llama")
    w.add_name(name)
    w.add_context_length(int(config.max_position_embeddings))
    w.add_embedding_length(int(config.hidden_size))
    w.add_block_count(int(config.num_hidden_layers))
    w.add_feed_forward_length(int(config.intermediate_size))
    w.add_rope_dimension_count(int(head_dim))
    w.add_head_count(int(n_head))
    w.add_head_count_kv(int(n_kv))
    w.add_layer_norm_rms_eps(float(config.rms_norm_eps))
    w.add_rope_freq_base(_rope_theta(config))
    if head_dim * n_head != config.hidden_size:
        w.add_key_length(int(head_dim))
        w.add_value_length(int(head_dim))
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0 if q8 else gguf.LlamaFileType.MOSTLY_F16 if f16
                    else gguf.LlamaFileType.ALL_F32)

    # tokenizer
    vocab = _load_vocab(model_dir)
    tokens, scores, types = [], [], []
    for text, score, ttype in vocab.all_tokens():
        tokens.append(text)
        scores.append(score)
        types.append(ttype)
    tok_json = model_dir / "tokenizer.json"
    if tok_json.is_file():  # special tokens inside the base vocabulary are control tokens too
        specials = {t["id"] for t in json.loads(tok_json.read_text(encoding="utf-8")).get("added_tokens", [])
                    if t.get("special")}
        for i in specials:
            if i < len(types):
                types[i] = gguf.TokenType.CONTROL
    n_vocab = int(config.vocab_size)
    if len(tokens) > n_vocab:
        raise BadInput(f"The tokenizer has {len(tokens)} tokens but the model only {n_vocab} embeddings.")
    for i in range(len(tokens), n_vocab):  # embedding rows beyond the tokenizer: padding tokens
        tokens.append(f"[PAD{i}]".encode())
        scores.append(-1000.0)
        types.append(gguf.TokenType.UNUSED)
    w.add_vocab_size(n_vocab)
    w.add_tokenizer_model(vocab.tokenizer_model)
    if vocab.tokenizer_model == "gpt2":
        w.add_tokenizer_pre(tokenizer_pre or "default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=vocab.tokenizer_model == "gpt2", n_vocab=n_vocab)
    template = special.chat_template if isinstance(special.chat_template, str) else ""
    bos_id = special.special_token_ids.get("bos")
    if bos_id is not None and 0 <= bos_id < len(tokens) and "bos" not in special.add_special_token:
        bos_text = tokens[bos_id].decode("utf-8", "replace") if isinstance(tokens[bos_id], bytes) else str(tokens[bos_id])
        # the chat template starts with the BOS token: llama.cpp must add it (the Modelfile template leaves it out)
        special.add_special_token["bos"] = starts_with_bos(template, bos_text)
    special.add_to_gguf(w, quiet=True)

    # tensors
    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise BadInput(f"{model_dir} has no safetensors weights to convert.")
    names: list[str] = []
    tied = bool(getattr(config, "tie_word_embeddings", False))
    handles = [safe_open(str(f), framework="pt") for f in files]
    all_keys = [(h, k) for h in handles for k in h.keys()]
    for i, (h, key) in enumerate(all_keys):
        gname = gguf_tensor_name(key)
        if gname is None or (tied and gname == "output.weight"):
            continue
        t = h.get_tensor(key).to(torch.float32)
        if gname.endswith("attn_q.weight"):
            t = _permute_rope(t, n_head)
        elif gname.endswith("attn_k.weight"):
            t = _permute_rope(t, n_kv)
        arr = t.numpy()
        if q8 and arr.ndim > 1 and arr.shape[-1] % 32 == 0:
            qtype = gguf.GGMLQuantizationType.Q8_0
            w.add_tensor(gname, gguf.quants.quantize(np.ascontiguousarray(arr, dtype=np.float32), qtype),
                         raw_dtype=qtype)
        else:
            arr = arr.astype(np.float16) if ((f16 or q8) and arr.ndim > 1) else arr.astype(np.float32)  # norms: f32
            w.add_tensor(gname, arr)
        names.append(gname)
        if progress:
            progress(i + 1, len(all_keys), "converting tensors")
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return {"tensors": names, "tokenizer": vocab.tokenizer_model,
            "file_type": "q8_0" if q8 else "f16" if f16 else "f32"}


def starts_with_bos(template: str, bos_text: str | None) -> bool:
    """True when a chat template writes the BOS token first: llama.cpp must then add it itself
    (add_bos_token in the GGUF) and the Modelfile template leaves it out. One rule for both."""
    head = (template or "").lstrip()
    marks = ("{{ bos_token }}", "{{bos_token}}", "{{- bos_token }}", "{{- bos_token -}}", "{{ bos_token -}}")
    return head.startswith(marks) or bool(bos_text and head.startswith(bos_text))


_MARK = "@@PAIRSMITH_{}@@"


def _plain_chat(tokenizer, messages: list[dict], generation: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation)


def _turn_parts(tokenizer) -> dict[str, str] | None:
    """The text the chat template puts around each turn, found by rendering it around markers:
    {"head", "head_system", "system_suffix", "user_prefix", "user_suffix", "assistant_prefix",
    "assistant_suffix"}; None when the template is not a plain concatenation of turns (then the
    Modelfile falls back to one system prompt + one question)."""
    S, U1, A1, U2, A2 = (_MARK.format(k) for k in ("SYSTEM", "USER1", "ASSISTANT1", "USER2", "ASSISTANT2"))
    try:
        one = _plain_chat(tokenizer, [{"role": "user", "content": U1}], False)
        gen = _plain_chat(tokenizer, [{"role": "user", "content": U1}], True)
        conv = _plain_chat(tokenizer, [{"role": "user", "content": U1}, {"role": "assistant", "content": A1},
                                       {"role": "user", "content": U2}, {"role": "assistant", "content": A2}], False)
        with_sys = _plain_chat(tokenizer, [{"role": "system", "content": S}, {"role": "user", "content": U1}], False)
    except Exception:  # noqa: BLE001 - a template that refuses these conversations
        return None
    if not gen.startswith(one) or any(conv.count(m) != 1 for m in (U1, A1, U2, A2)) or with_sys.count(S) != 1:
        return None
    before_u1, user_suffix = one.split(U1)
    s0, rest = conv.split(U1)
    s1, rest = rest.split(A1)
    s2, rest = rest.split(U2)
    s3, assistant_suffix = rest.split(A2)
    generation = gen[len(one):]
    if s0 != before_u1 or s1 != s3 or not s1.startswith(user_suffix) or not s2.startswith(assistant_suffix):
        return None
    assistant_prefix = s1[len(user_suffix):]
    user_prefix = s2[len(assistant_suffix):]
    q0, after_system = with_sys.split(S)
    if U1 not in after_system:
        return None
    between, last = after_system.split(U1)
    if generation != assistant_prefix or not before_u1.endswith(user_prefix) or not between.endswith(user_prefix) \
            or last != user_suffix:
        return None
    parts = {"head": before_u1[: len(before_u1) - len(user_prefix)], "head_system": q0,
             "system_suffix": between[: len(between) - len(user_prefix)], "user_prefix": user_prefix,
             "user_suffix": user_suffix, "assistant_prefix": assistant_prefix, "assistant_suffix": assistant_suffix}
    if any("{{" in v or "}}" in v or "@@PAIRSMITH_" in v for v in parts.values()):
        return None
    return parts


def ollama_template(tokenizer) -> str:
    """The model's chat template as an Ollama (Go) template, derived by rendering it around
    placeholders: a system prompt (or the template's own default), then each user/assistant turn of
    `.Messages`, ending with the assistant's prefix after the last question. A template that is not a
    plain concatenation of turns gets one system prompt + one question instead."""
    from engine.evaluate.generate import render_chat

    bos = getattr(tokenizer, "bos_token", None)
    strip_bos = bool(bos) and starts_with_bos(getattr(tokenizer, "chat_template", None) or "", bos)

    def unbos(text: str) -> str:  # llama.cpp adds the BOS token itself (add_bos_token in the GGUF)
        return text[len(bos):] if strip_bos and text.startswith(bos) else text

    parts = _turn_parts(tokenizer)
    if parts is not None:
        return ("{{ if .System }}" + unbos(parts["head_system"]) + "{{ .System }}" + parts["system_suffix"]
                + "{{ else }}" + unbos(parts["head"]) + "{{ end }}"
                + "{{ range .Messages }}"
                + '{{ if eq .Role "user" }}' + parts["user_prefix"] + "{{ .Content }}" + parts["user_suffix"]
                + parts["assistant_prefix"]
                + '{{ else if eq .Role "assistant" }}{{ .Content }}' + parts["assistant_suffix"]
                + "{{ end }}{{ end }}")
    sys_mark, user_mark = _MARK.format("SYSTEM"), _MARK.format("PROMPT")
    with_sys = unbos(render_chat(tokenizer, [{"role": "system", "content": sys_mark},
                                             {"role": "user", "content": user_mark}]))
    plain = unbos(render_chat(tokenizer, [{"role": "user", "content": user_mark}]))

    def go(text: str) -> str:
        return text.replace(sys_mark, "{{ .System }}").replace(user_mark, "{{ .Prompt }}")

    return "{{ if .System }}" + go(with_sys) + "{{ else }}" + go(plain) + "{{ end }}{{ .Response }}"


_ACTION = __import__("re").compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", __import__("re").S)


def render_ollama_template(template: str, *, messages: list[dict] | None = None, system: str = "",
                           prompt: str = "", response: str = "") -> str:
    """Render the Go-template subset the Modelfile uses (if / else if / else / end on `.Field` or
    `eq .Role "x"`, range over .Messages, `{{ .Field }}`, `{{-`/`-}}` trimming) the way Ollama
    would: a check that the Modelfile yields the model's own prompt string. Anything else raises
    ValueError."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    for m in _ACTION.finditer(template):
        text = template[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        if tokens and tokens[-1][0] == "trim_next":
            tokens.pop()
            text = text.lstrip()
        tokens.append(("text", text))
        tokens.append(("action", m.group(2)))
        if m.group(3):
            tokens.append(("trim_next", ""))
        pos = m.end()
    tail = template[pos:]
    if tokens and tokens[-1][0] == "trim_next":
        tokens.pop()
        tail = tail.lstrip()
    tokens.append(("text", tail))

    def parse(i: int, stops: tuple[str, ...]):
        nodes = []
        while i < len(tokens):
            kind, body = tokens[i]
            if kind == "text":
                nodes.append(("text", body))
                i += 1
                continue
            head = body.split(" ", 1)[0]
            if head in stops or body.startswith("else"):
                return nodes, i
            if head == "if":
                branches, i = [], i
                cond = body[3:].strip()
                while True:
                    block, i = parse(i + 1, ("end", "else"))
                    branches.append((cond, block))
                    stop = tokens[i][1]
                    if stop == "end":
                        break
                    cond = stop[len("else if"):].strip() if stop.startswith("else if") else None
                    if cond is None:
                        block, i = parse(i + 1, ("end",))
                        branches.append((None, block))
                        break
                nodes.append(("if", branches))
                i += 1
            elif head == "range":
                if body.split(" ", 1)[1].strip() != ".Messages":
                    raise ValueError(f"unsupported range: {body}")
                block, i = parse(i + 1, ("end",))
                nodes.append(("range", block))
                i += 1
            elif body.startswith(".") and " " not in body:
                nodes.append(("field", body[1:]))
                i += 1
            else:
                raise ValueError(f"unsupported template action: {{{{ {body} }}}}")
        return nodes, i

    tree, _ = parse(0, ())
    top = {"System": system, "Prompt": prompt, "Response": response,
           "Messages": [{"Role": m["role"], "Content": m["content"]} for m in (messages or [])]}

    def truth(cond: str, ctx: dict) -> bool:
        if cond.startswith("eq "):
            field, _, literal = cond[3:].partition(" ")
            return str(ctx.get(field.lstrip("."), "")) == json.loads(literal)
        if cond.startswith(".") and " " not in cond:
            return bool(ctx.get(cond[1:]))
        raise ValueError(f"unsupported condition: {cond}")

    def run(nodes, ctx: dict) -> str:
        out = []
        for kind, val in nodes:
            if kind == "text":
                out.append(val)
            elif kind == "field":
                out.append(str(ctx.get(val, top.get(val, ""))))
            elif kind == "range":
                for msg in top["Messages"]:
                    out.append(run(val, msg))
            else:
                for cond, block in val:
                    if cond is None or truth(cond, ctx):
                        out.append(run(block, ctx))
                        break
        return "".join(out)

    return run(tree, top)


def write_modelfile(out: Path, tokenizer, gguf_name: str = GGUF_NAME) -> Path:
    template = ollama_template(tokenizer)
    stops = [t for t in (tokenizer.eos_token,) if t]
    lines = [f"FROM ./{gguf_name}", f'TEMPLATE """{template}"""']
    lines += [f'PARAMETER stop "{s}"' for s in stops]
    lines += ["PARAMETER temperature 0.2", ""]
    path = out / "Modelfile"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _base_tokenizer_pre(base_path: str) -> str | None:
    """llama.cpp's pre-tokenizer name when the base model was converted from a GGUF (it is in the
    conversion's marker file), so the exported GGUF splits text exactly like the original."""
    from engine.train.gguf_base import MARKER

    try:
        pre = json.loads((Path(base_path) / MARKER).read_text(encoding="utf-8")).get("tokenizer_pre")
    except (OSError, ValueError, AttributeError):
        return None
    return pre if isinstance(pre, str) and pre else None


def export_ollama(run_dir: str | os.PathLike, out: str | os.PathLike, *, dtype: str = "float16",
                  progress: ProgressFn | None = None, quantize: str | None = None) -> dict[str, Any]:
    from transformers import AutoTokenizer

    run_dir, out = Path(run_dir), Path(out)
    pre = _base_tokenizer_pre(_run_parts(run_dir)[2])
    with tempfile.TemporaryDirectory(prefix="pairsmith-merge-", dir=str(out.parent)) as tmp:
        merged = export_merged(run_dir, tmp, dtype="float32" if dtype == "float32" else "float16")
        info = write_gguf(merged, out / GGUF_NAME, dtype=dtype, name=f"pairsmith-{run_dir.name}", progress=progress,
                          quantize=quantize, tokenizer_pre=pre)
        tok = AutoTokenizer.from_pretrained(str(merged), **tokenizer_load_kwargs(merged))
        write_modelfile(out, tok)
    return info


def _check_gguf_arch(base_path: str) -> None:
    """Refuse a base the GGUF writer does not support, from its config.json (a local folder; a hub
    id is checked after merging, as before)."""
    config = Path(base_path) / "config.json"
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        return
    if model_type and model_type not in GGUF_ARCHS:
        raise BadInput(
            f"GGUF export supports Llama and Mistral models, not {model_type!r}. Export --format merged and "
            "convert that folder with llama.cpp's convert_hf_to_gguf.py.")


# --- entry point -----------------------------------------------------------------------------
GGUF_NOTES = [
    "GGUF: llama architecture (Llama/Mistral bases only); f16, f32 or q8_0 tensors (other quantisations: "
    "llama.cpp's llama-quantize on the f16 file).",
    "GGUF: Mistral's sliding-window attention is not recorded; other architectures need llama.cpp's "
    "convert_hf_to_gguf.py on a --format merged export.",
]


def export_model(run_dir: str | os.PathLike, out: str | os.PathLike, *, fmt: str = "adapter",
                 dtype: str = "float16", progress: ProgressFn | None = None,
                 quantize: str | None = None) -> dict[str, Any]:
    """Export a run's model to the folder `out` (created; must be new or empty). `quantize="q8_0"`
    (ollama format only) writes the GGUF in Q8_0 instead of f16."""
    if fmt not in FORMATS:
        raise BadInput(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if quantize is not None and (fmt != "ollama" or quantize not in QUANTIZE):
        raise BadInput(f"--quantize {quantize} applies to the ollama (GGUF) format only and must be one of "
                       f"{', '.join(QUANTIZE)}.")
    run_dir = Path(run_dir)
    if fmt == "adapter":  # a copy of the adapter folder: the base model need not be at hand
        from engine.evaluate import read_run
        from engine.train.run_folder import adapter_dir

        read_run(run_dir)
        adapter_dir(run_dir)
    else:
        _spec, _adapter, base = _run_parts(run_dir)  # clear messages (no run, no adapter, no base) first
        if fmt == "ollama":
            _check_gguf_arch(base)  # before a merge that can take minutes and all the memory
    _dtype(dtype)
    existed = Path(out).is_dir()
    out = _prepare_out(out)
    notes: list[str] = []
    try:
        if progress:
            progress(0, 1, f"exporting {fmt}")
        if fmt == "adapter":
            export_adapter(run_dir, out)
        elif fmt == "merged":
            export_merged(run_dir, out, dtype=dtype)
        else:
            info = export_ollama(run_dir, out, dtype=dtype, progress=progress, quantize=quantize)
            notes = list(GGUF_NOTES) + [f"GGUF tokenizer: {info['tokenizer']}; tensors: {info['file_type']}."]
            if dtype == "bfloat16":
                notes.append("bfloat16 was written as float16 in the GGUF file.")
        (out / "README.md").write_text(model_card(run_dir, fmt, extra_notes=notes), encoding="utf-8")
    except BaseException:
        if existed:  # the user's own (empty) folder: keep it, empty again
            for child in list(out.iterdir()):
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        else:
            shutil.rmtree(out, ignore_errors=True)
        raise
    if progress:
        progress(1, 1, "done")
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    return {"format": fmt, "path": str(out), "files": files, "notes": notes}
