"""Base models: resolve what the user typed into something `from_pretrained` can load.

`builtin:tiny` is a ~0.17M-parameter MistralForCausalLM with its own byte-level BPE tokenizer and a
chat template, built locally in a few seconds (no hub, no network) and cached. Tests, CPU demos and
the smoke preset use it; the real recipe uses a hub id or a local folder.

The tiny model is briefly pre-trained (all parameters, `PRETRAIN`) on the built-in helpdesk
dialogues, so it is a real if weak language model, like any base model. Left at its random
initialisation it predicts an almost uniform distribution (entropy = ln(vocab)): the output head's
weights (std 0.02) are far too small for any logit to stand out, and LoRA cannot change the head
(TRL refuses adapters on lm_head), so fine-tuning barely lowered the loss (6.15 -> 6.09 in 30 steps).

    build_tiny_model(folder) -> folder          # deterministic; a no-op when already built
    resolve_base_model(name_or_path, cache_dir) -> local path or hub id
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from engine.workspace.errors import BadInput

TINY_NAME = "builtin:tiny"
TINY_VERSION = 2  # bump when the recipe below changes: old caches get rebuilt
_MARKER = "pairsmith-tiny.json"

# A chat template with {% generation %} markers so `assistant_only_loss` works too; each turn ends
# with the eos token so a trained model learns to stop.
TINY_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}<|system|>\n{{ message['content'] }}{{ eos_token }}\n"
    "{% elif message['role'] == 'user' %}<|user|>\n{{ message['content'] }}{{ eos_token }}\n"
    "{% elif message['role'] == 'assistant' %}<|assistant|>\n"
    "{% generation %}{{ message['content'] }}{{ eos_token }}{% endgeneration %}\n"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

TINY_CONFIG = dict(
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    intermediate_size=128,
    max_position_embeddings=1024,
    sliding_window=None,
    rms_norm_eps=1e-6,
    rope_theta=10000.0,
    tie_word_embeddings=False,
)
TINY_VOCAB = 512


# Pre-training of the tiny base: full-parameter AdamW over blocks of the dialogue stream, cosine
# decay, label smoothing so the base stays modest about text unlike its corpus. ~100 steps of
# 16 x 64 tokens, 1-3 s on one core; deterministic (fixed seeds, one thread).
PRETRAIN = dict(steps=100, batch_size=16, block=64, learning_rate=3e-3, label_smoothing=0.1, seed=0)


def _corpus_parts() -> tuple[list[str], list[str], list[str]]:
    """(subjects, question templates, answer templates) of the built-in helpdesk corpus."""
    subjects = [
        "annual leave", "parental leave", "sick leave", "the VPN", "my laptop", "the printer",
        "payroll", "my password", "expense claims", "the badge reader", "remote work", "overtime",
        "the benefits portal", "two-factor login", "a new monitor", "the shared drive", "Outlook",
        "my contract", "the holiday calendar", "travel booking",
    ]
    questions = [
        "How do I request {s}?", "Who approves {s}?", "Why is {s} not working?",
        "Where can I find the policy on {s}?", "Can you reset {s} for me?",
        "What is the deadline for {s}?", "Is {s} covered for part-time staff?",
    ]
    answers = [
        "You can request {s} in the HR portal under My Requests; your manager approves it.",
        "Please restart your computer, then sign in again. If {s} still fails, open a ticket.",
        "The policy on {s} is on the intranet; employees get 25 days per year.",
        "I have reset {s}. You will receive an email with a temporary link within 10 minutes.",
        "Claims for {s} must be filed within 30 days with the receipt attached.",
        "Yes, part-time staff are covered pro rata. Contact payroll if the amount looks wrong.",
        "Thanks for reaching out! The IT desk is open 8:00-18:00, Monday to Friday.",
    ]
    return subjects, questions, answers


def _corpus() -> list[str]:
    """A few hundred English helpdesk sentences, generated deterministically (the tokenizer's corpus)."""
    subjects, questions, answers = _corpus_parts()
    lines: list[str] = []
    for s in subjects:
        for q in questions:
            lines.append(q.format(s=s))
        for a in answers:
            lines.append(a.format(s=s))
    lines += [
        "Hello, thank you for your message.", "Kind regards, the People team.",
        "Please include your employee number (e.g. 104233) and the date.",
        "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
    ]
    return lines


def _dialogues() -> list[list[dict[str, str]]]:
    """The pre-training conversations: each question template paired with its answer template, per subject."""
    subjects, questions, answers = _corpus_parts()
    return [
        [{"role": "user", "content": q.format(s=s)}, {"role": "assistant", "content": a.format(s=s)}]
        for s in subjects
        for q, a in zip(questions, answers)
    ]


def _pretrain(model, tokenizer, *, steps: int, batch_size: int, block: int, learning_rate: float,
              label_smoothing: float, seed: int) -> list[float]:
    """Train every parameter of `model` on the built-in dialogues, rendered with the chat template
    and packed into blocks of `block` tokens. Deterministic; returns the loss of each step."""
    import math

    import torch
    import torch.nn.functional as F

    ids: list[int] = []
    for messages in _dialogues():
        text = tokenizer.apply_chat_template(messages, tokenize=False)
        ids += tokenizer(text, add_special_tokens=False)["input_ids"]
    n_blocks = len(ids) // block
    blocks = torch.tensor(ids[: n_blocks * block]).view(n_blocks, block)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same arithmetic, hence the same weights, on every run
    losses = []
    try:
        model.train()
        for _ in range(steps):
            x = blocks[torch.randint(0, n_blocks, (batch_size,), generator=generator)]
            logits = model(input_ids=x).logits[:, :-1]
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), x[:, 1:].reshape(-1),
                                   label_smoothing=label_smoothing)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())
    finally:
        torch.set_num_threads(threads)
        model.eval()
    return losses


def _is_built(folder: Path) -> bool:
    marker = folder / _MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("version") == TINY_VERSION
    except (OSError, ValueError):
        return False


def _build_into(folder: Path) -> None:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import MistralConfig, MistralForCausalLM, PreTrainedTokenizerFast

    specials = ["<unk>", "<s>", "</s>", "<pad>", "<|system|>", "<|user|>", "<|assistant|>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TINY_VOCAB,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        additional_special_tokens=["<|system|>", "<|user|>", "<|assistant|>"],
        model_max_length=TINY_CONFIG["max_position_embeddings"],
        padding_side="right",
    )
    fast.chat_template = TINY_CHAT_TEMPLATE

    config = MistralConfig(
        vocab_size=len(fast),
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        **TINY_CONFIG,
    )
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(0)
        model = MistralForCausalLM(config)
    finally:
        torch.random.set_rng_state(state)
    _pretrain(model, fast, **PRETRAIN)
    model.generation_config.pad_token_id = fast.pad_token_id
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    (folder / _MARKER).write_text(json.dumps({"name": TINY_NAME, "version": TINY_VERSION}))


def build_tiny_model(folder: str | os.PathLike) -> Path:
    """Build the tiny model + tokenizer into `folder` (no-op when already there). Returns the folder.

    Safe when several processes build at once: each builds in a temporary sibling folder and the
    first to finish renames it into place."""
    folder = Path(folder)
    if _is_built(folder):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tiny-", dir=folder.parent))
    try:
        _build_into(tmp)
        if _is_built(folder):
            return folder
        if folder.exists():  # a half-written or outdated folder
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not _is_built(folder):  # lost a race and the winner is not done: fail loudly
                raise
    finally:
        with contextlib.suppress(OSError):
            if tmp.exists():
                shutil.rmtree(tmp)
    return folder


def native_bf16() -> bool:
    """True when the CUDA GPU does bf16 in hardware (compute capability 8.0 and up: A100, L4, H100...).
    `torch.cuda.is_bf16_supported()` also says True on a T4 (7.5), where bf16 is only emulated and
    slow: the reference recipe computes in fp16 there."""
    import torch

    if not torch.cuda.is_available():
        return False
    if torch.version.hip:
        return bool(torch.cuda.is_bf16_supported())
    return bool(torch.cuda.is_bf16_supported(including_emulation=False))


def gpu_compute_dtype():
    """bf16 where the GPU has it natively, else fp16 (the dtype for `compute_dtype=auto` on a GPU)."""
    import torch

    return torch.bfloat16 if native_bf16() else torch.float16


def default_cache_dir() -> Path:
    base = os.environ.get("PAIRSMITH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pairsmith"
    )
    return Path(base)


def resolve_base_model(name_or_path: str, cache_dir: str | os.PathLike | None = None) -> str:
    """What the user typed -> a local folder or a hub id for `from_pretrained`.

    - `builtin:tiny` -> built (once) into `cache_dir/builtin-tiny`
    - `builtin:smollm2`, a `.gguf` file, `ollama:NAME[:TAG]` -> converted (once) into
      `cache_dir/gguf/<sha256>` (engine/train/gguf_base.py)
    - an existing folder -> its absolute path (must hold a config.json)
    - anything shaped like `owner/name` -> returned as a hub id (loaded from the local HF cache
      when offline)
    """
    name = (name_or_path or "").strip()
    if not name:
        raise BadInput("No base model given: pass --base-model PATH, a hub id, or builtin:tiny.")
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    if name == TINY_NAME:
        return str(build_tiny_model(cache / "builtin-tiny").resolve())
    from engine.train.gguf_base import SMOLLM2_NAME, resolve_gguf_base

    if name.startswith("builtin:") and name != SMOLLM2_NAME:
        raise BadInput(f"Unknown built-in model {name!r}; the built-in models are {SMOLLM2_NAME} "
                       f"(a real 135M instruct model) and {TINY_NAME} (a tiny test model).")
    converted = resolve_gguf_base(name, cache)
    if converted is not None:
        return converted
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise BadInput(f"{path} has no config.json: point --base-model at a Hugging Face model folder.")
        return str(path.resolve())
    if name.count("/") == 1 and not name.startswith((".", "/")):
        return name
    raise BadInput(
        f"Base model {name!r} is neither a folder nor a hub id (owner/name), a .gguf file or ollama:NAME; "
        f"try {SMOLLM2_NAME} or builtin:tiny."
    )
