"""Batched greedy generation against one question at a time, same model, same questions.

Prints both timings, the speed-up ratio and whether the answers are identical (they must be:
left padding + attention mask make batching invisible to greedy decoding).

    python bench/bench_generate.py [--questions 32] [--batch-size 16] [--max-new-tokens 48]
                                   [--model builtin:tiny | PATH] [--adapter PATH] [--threads 1]

Default: the built-in tiny model on the CPU (finishes in well under a minute).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUESTIONS = [
    "How many days of sick leave do I get per year?", "Who approves my parental leave?",
    "Why is the VPN not working from home?", "Where can I find the policy on remote work?",
    "Can you reset my password for Outlook?", "What is the deadline for expense claims?",
    "Is overtime paid for part-time staff?", "How do I order a new monitor?",
    "My badge reader does not open the door, what now?", "How do I book travel for a client visit?",
    "When is payroll paid this month?", "Can I carry over annual leave to next year?",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--model", default="builtin:tiny")
    ap.add_argument("--adapter", default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()

    import torch

    from engine.evaluate.generate import build_prompt, generate, load_model
    from engine.train.models import resolve_base_model

    torch.set_num_threads(args.threads)
    base = args.model
    if base == "builtin:tiny":
        base = resolve_base_model(base, Path(tempfile.gettempdir()) / "pairsmith-bench")
    model, tok = load_model(base, args.adapter, device=args.device)
    questions = [f"{QUESTIONS[i % len(QUESTIONS)]} (case {i})" for i in range(args.questions)]
    prompts = [build_prompt(tok, q) for q in questions]
    generate(model, tok, prompts[:2], max_new_tokens=4, batch_size=2)  # warm-up

    t0 = time.perf_counter()
    single = generate(model, tok, prompts, max_new_tokens=args.max_new_tokens, batch_size=1)
    t1 = time.perf_counter()
    batched = generate(model, tok, prompts, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    t2 = time.perf_counter()
    one, many = t1 - t0, t2 - t1
    same = sum(a == b for a, b in zip(single, batched))
    print(f"model: {args.model}  device: {next(model.parameters()).device}  threads: {args.threads}")
    print(f"questions: {len(prompts)}  max_new_tokens: {args.max_new_tokens}  batch size: {args.batch_size}")
    print(f"one at a time: {one:.2f} s ({len(prompts) / one:.1f} questions/s)")
    print(f"batched:       {many:.2f} s ({len(prompts) / many:.1f} questions/s)")
    print(f"speed-up: {one / many:.1f}x   identical answers: {same}/{len(prompts)}")


if __name__ == "__main__":
    main()
