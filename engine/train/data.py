"""Pairs -> training examples in the base model's own chat format, loss on the answer only.

Each pair becomes a conversational prompt/completion example
    {"prompt": [{"role": "user", "content": instruction}],
     "completion": [{"role": "assistant", "content": response}]}
which TRL's SFTTrainer renders with the tokenizer's chat template and trains with
`completion_only_loss=True`: the labels of the prompt tokens are masked, so the model learns the
answers, not the questions.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

# Used only when a base model has no chat template of its own (a plain pretrained model).
FALLBACK_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'user' %}### Question:\n{{ message['content'] }}\n\n"
    "{% elif message['role'] == 'assistant' %}### Answer:\n{% generation %}{{ message['content'] }}{{ eos_token }}{% endgeneration %}\n\n"
    "{% else %}{{ message['content'] }}\n\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}### Answer:\n{% endif %}"
)


def read_jsonl(path: str | os.PathLike) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def write_jsonl(path: str | os.PathLike, rows: Iterable[dict[str, Any]]) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def to_example(pair: dict[str, Any]) -> dict[str, Any]:
    return {
        "prompt": [{"role": "user", "content": str(pair["instruction"])}],
        "completion": [{"role": "assistant", "content": str(pair["response"])}],
    }


def build_dataset(pairs: list[dict[str, Any]]):
    """A `datasets.Dataset` of prompt/completion examples (None for an empty list)."""
    if not pairs:
        return None
    from datasets import Dataset

    return Dataset.from_list([to_example(p) for p in pairs])


def prepare_tokenizer(tokenizer) -> list[tuple[str, str]]:
    """Make a tokenizer trainable: a pad token and a chat template. Returns (code, note) for the user."""
    notes = []
    if tokenizer.pad_token is None:
        if getattr(tokenizer, "unk_token", None) is not None:
            tokenizer.pad_token = tokenizer.unk_token
        else:
            tokenizer.pad_token = tokenizer.eos_token
        notes.append(("tokenizer_no_pad", f"the tokenizer had no padding token; using {tokenizer.pad_token!r}"))
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = FALLBACK_CHAT_TEMPLATE
        notes.append(("tokenizer_no_chat_template", "the base model has no chat template; using a plain Question/Answer format"))
    tokenizer.padding_side = "right"
    return notes


def render(tokenizer, pair: dict[str, Any], with_answer: bool = True) -> str:
    """The text the model sees for a pair (the prompt only when with_answer is False)."""
    messages = [{"role": "user", "content": pair["instruction"]}]
    if with_answer:
        messages.append({"role": "assistant", "content": pair["response"]})
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=not with_answer)
