"""Load a base model (+ LoRA adapter) and answer many questions fast: batched greedy decoding.

    model, tokenizer = load_model(base_path, adapter_path=None)
    prompts = [build_prompt(tokenizer, q, system=None) for q in questions]
    base_prompt = render_chat(tokenizer, baseline_messages(q, examples=pick_examples(train), policy=policy_text))
    answers = generate(model, tokenizer, prompts, max_new_tokens=128, batch_size=16)
    with adapter_disabled(model): ...      # the same weights without the adapter (the baseline)

Why batched: on every decoding step the per-step overhead (Python, kernel launches, the KV-cache
bookkeeping) is paid once for the whole batch; with left padding all prompts end at the same
position so one `generate` call decodes them together. Prompts are sorted by length first so a
batch pads to similar lengths. bench/bench_generate.py measures it against one-at-a-time.
"""

from __future__ import annotations

import contextlib
import os
from typing import Callable, Iterator, Sequence

from engine.workspace.errors import BadInput, Cancelled, PairsmithError

DEFAULT_SYSTEM_PROMPT = (
    "You are the HR and IT helpdesk assistant of our company. Answer the employee's question "
    "correctly, briefly and politely. Give exact figures (days, amounts, dates, deadlines) only when "
    "you are sure of them; if you do not know, say so and point the employee to the HR or IT team."
)


HOUSE_PROMPT = DEFAULT_SYSTEM_PROMPT
FEW_SHOT = 3  # training pairs shown to the base model as worked examples
POLICY_CHARS = 6000  # at most this much of the policy sheet goes into the baseline's system prompt


def pick_examples(train_pairs: Sequence[dict], k: int = FEW_SHOT, seed: int = 0) -> list[dict]:
    """k training pairs as worked examples for the prompted base model: reproducible, from the
    shorter half of the answers (they fit any context), spread over the set. Never held-out
    pairs: those are the questions it is tested on."""
    import random

    pool = [p for p in train_pairs if str(p.get("instruction") or "").strip() and str(p.get("response") or "").strip()]
    if len(pool) <= k:
        return [{"instruction": p["instruction"], "response": p["response"]} for p in pool]
    pool.sort(key=lambda p: len(p["response"]))
    short = pool[: max(k, len(pool) // 2)]
    chosen = sorted(random.Random(seed).sample(range(len(short)), k))
    return [{"instruction": short[i]["instruction"], "response": short[i]["response"]} for i in chosen]


def baseline_system(system: str | None = None, policy: str | None = None) -> str:
    """The house-style system prompt, with the policy sheet's text after it when there is one."""
    text = (system or "").strip() or HOUSE_PROMPT
    policy = (policy or "").strip()
    if policy:
        if len(policy) > POLICY_CHARS:
            policy = policy[:POLICY_CHARS].rsplit("\n", 1)[0] + "\n[...]"
        text += ("\n\nThe organisation's current policy (answer from it; it is the reference):\n" + policy)
    return text


def baseline_messages(instruction: str, *, examples: Sequence[dict] = (), policy: str | None = None,
                      system: str | None = None) -> list[dict]:
    """The strongest prompt a user could write without training: the house-style system prompt
    (+ the policy sheet), a few approved pairs as earlier turns, then the question. The
    evaluation's baseline and the Playground's base model both use it."""
    messages = [{"role": "system", "content": baseline_system(system, policy)}]
    for ex in examples:
        messages += [{"role": "user", "content": ex["instruction"]}, {"role": "assistant", "content": ex["response"]}]
    messages.append({"role": "user", "content": instruction})
    return messages


def context_length(model) -> int | None:
    config = getattr(model, "config", None)
    for key in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
        value = getattr(config, key, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def fit_messages(tokenizer, messages: Sequence[dict], limit: int | None, max_new_tokens: int) -> list[dict]:
    """The messages shortened to leave `max_new_tokens` of a `limit`-token context: the oldest
    example turns go first, then the system text is cut from its end."""
    msgs = [dict(m) for m in messages]
    if not limit:
        return msgs

    def size() -> int:
        return len(tokenizer(render_chat(tokenizer, msgs), add_special_tokens=False)["input_ids"])

    while size() + max_new_tokens > limit:
        turns = [i for i, m in enumerate(msgs[:-1]) if m["role"] in ("user", "assistant")]
        if len(turns) >= 2:
            del msgs[turns[0]:turns[0] + 2]
            continue
        sys_i = next((i for i, m in enumerate(msgs) if m["role"] == "system"), None)
        if sys_i is None or len(msgs[sys_i]["content"]) < 80:
            break
        msgs[sys_i]["content"] = msgs[sys_i]["content"][: len(msgs[sys_i]["content"]) * 2 // 3]
    return msgs


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        raise BadInput("No CUDA GPU is available on this machine: use --device cpu (or auto).")
    if requested in ("cpu", "cuda"):
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


def prepare_tokenizer(tokenizer) -> None:
    """Pad token, left padding (the prompts must end where generation starts), a chat template
    (the one training used when the base model has none)."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = getattr(tokenizer, "unk_token", None) or tokenizer.eos_token
    tokenizer.padding_side = "left"
    if not getattr(tokenizer, "chat_template", None):
        from engine.train.data import FALLBACK_CHAT_TEMPLATE

        tokenizer.chat_template = FALLBACK_CHAT_TEMPLATE


def load_model(base_path: str, adapter_path: str | os.PathLike | None = None, *, device: str = "auto",
               load_in_4bit: bool = False, trust: dict | None = None):
    """(model, tokenizer) ready for generation. fp32 on CPU; bf16/fp16 on a GPU (4-bit NF4 there
    when asked, for bases that do not fit in 16 bits)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = pick_device(device)
    kwargs: dict = {}
    if device == "cuda":
        from engine.train.models import gpu_compute_dtype

        dtype = gpu_compute_dtype()  # bf16 only where the GPU has it natively (not a T4's emulation)
        kwargs["dtype"] = dtype
        if load_in_4bit:
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=dtype)
            kwargs["device_map"] = {"": 0}
    else:
        kwargs["dtype"] = torch.float32
    tok_source = str(adapter_path) if adapter_path and os.path.exists(os.path.join(adapter_path, "tokenizer_config.json")) \
        else str(base_path)
    try:
        from engine.workspace.security import spec_model_kwargs, spec_tokenizer_kwargs

        spec = {"trust": trust or {}}  # the user's per-model choices, from the run spec
        tokenizer = AutoTokenizer.from_pretrained(tok_source, **spec_tokenizer_kwargs(spec, tok_source))
        model = AutoModelForCausalLM.from_pretrained(str(base_path), **kwargs,
                                                     **spec_model_kwargs(spec, base_path))
    except OSError as exc:
        raise PairsmithError(f"Cannot load the base model {base_path}: {str(exc).splitlines()[0]}") from None
    if "device_map" not in kwargs:
        model.to(device)
    if adapter_path:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, str(adapter_path))
        except (OSError, ValueError) as exc:
            raise PairsmithError(f"Cannot load the adapter {adapter_path}: {str(exc).splitlines()[0]}") from None
    model.eval()
    prepare_tokenizer(tokenizer)
    if getattr(model, "generation_config", None) is not None and model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


@contextlib.contextmanager
def adapter_disabled(model) -> Iterator[None]:
    """The base model's behaviour from a PeftModel (no second copy of the weights)."""
    if hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            yield
    else:
        yield


def build_messages(instruction: str, system: str | None = None) -> list[dict]:
    messages = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": instruction})
    return messages


def render_chat(tokenizer, messages: Sequence[dict]) -> str:
    """The prompt text for a conversation, ending where the assistant's answer starts. A template
    that rejects (or silently drops) the system role gets the system text prepended to the
    first user turn instead."""
    messages = [dict(m) for m in messages]
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    if system:
        try:
            text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            if system.strip()[:40] in text:
                return text
        except Exception:  # jinja2 TemplateError "System role not supported" and the like
            pass
        rest = [m for m in messages if m["role"] != "system"]
        for m in rest:
            if m["role"] == "user":
                m["content"] = f"{system}\n\n{m['content']}"
                break
        messages = rest
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def build_prompt(tokenizer, instruction: str, system: str | None = None) -> str:
    return render_chat(tokenizer, build_messages(instruction, system))


def suggest_max_new_tokens(tokenizer, references: Sequence[str], cap: int = 256, floor: int = 32) -> int:
    """Room for the longest reference answer and then some: 1.5x its token count + 16, between
    `floor` and `cap`. Greedy answers that run on are cut there instead of costing minutes."""
    if not references:
        return floor
    longest = max(len(tokenizer(r, add_special_tokens=False)["input_ids"]) for r in references)
    return max(floor, min(cap, int(longest * 1.5) + 16))


def generate(model, tokenizer, prompts: Sequence[str], *, max_new_tokens: int = 128, batch_size: int = 16,
             progress: Callable[[int, int, str], None] | None = None, cancel: Callable[[], bool] | None = None,
             label: str = "answering") -> list[str]:
    """Greedy answers for rendered prompts, in the order given. Batched with left padding and the
    KV cache; `batch_size=1` is the one-at-a-time baseline."""
    import torch

    prepare_tokenizer(tokenizer)
    n = len(prompts)
    if n == 0:
        return []
    batch_size = max(1, int(batch_size or 1))
    device = next(model.parameters()).device
    encoded = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
    order = sorted(range(n), key=lambda i: len(encoded[i]), reverse=True)
    answers: list[str] = [""] * n
    eos = tokenizer.eos_token_id
    done = 0
    for start in range(0, n, batch_size):
        if cancel and cancel():
            raise Cancelled()
        idx = order[start:start + batch_size]
        batch = tokenizer.pad({"input_ids": [encoded[i] for i in idx]}, padding=True, return_tensors="pt")
        batch = {k: v.to(device) for k, v in batch.items()}
        with torch.inference_mode():
            out = model.generate(
                **batch, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1, use_cache=True,
                pad_token_id=tokenizer.pad_token_id, eos_token_id=eos,
                temperature=None, top_p=None, top_k=None,
            )
        new = out[:, batch["input_ids"].shape[1]:]
        for row, i in enumerate(idx):
            answers[i] = tokenizer.decode(new[row], skip_special_tokens=True).strip()
        done += len(idx)
        if progress:
            progress(done, n, label)
    return answers
