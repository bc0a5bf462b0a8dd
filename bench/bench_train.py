"""Training speed: our batching against the plain reference recipe, measured in the same run.

    python bench/bench_train.py                          # CPU, tiny model, ~1-2 minutes
    python bench/bench_train.py --steps 200 --pairs 400  # longer
    python bench/bench_train.py --base-model /models/mistral-7b --preset qlora-t4   # on a CUDA GPU

Both arms are the same training subprocess (`python -m engine.train`, TRL SFTTrainer, answer-only
loss) on the same pairs, seed and step count; they differ only in batching:
- reference: `batching=padded`  random batches padded to their longest pair (the plain recipe)
- ours:      `batching=auto`    on CUDA with flash-attention: packed, padding-free sequences
                                (TRL `packing=True, packing_strategy="bfd"`, flash-attention keeps
                                the packed pairs apart); otherwise batches grouped by length
                                (`train_sampling_strategy="group_by_length"`), which is safe with
                                sdpa/eager attention because nothing is concatenated.
Figures: real (non-padding) tokens per second over the training loop, and peak memory (process
RSS on CPU, max allocated GPU memory on CUDA), printed as ratios against the reference.
Pairs: resources/sample/seed_pairs.jsonl when present (real answer lengths), else synthetic ones
of mixed length.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_pairs(n: int, seed: int = 0) -> list[dict]:
    sample = ROOT / "resources" / "sample" / "seed_pairs.jsonl"
    rows: list[dict] = []
    if sample.is_file():
        for line in sample.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                if obj.get("instruction") and obj.get("response"):
                    rows.append({"instruction": obj["instruction"], "response": obj["response"]})
    rng = random.Random(seed)
    words = ("leave payroll laptop password badge portal manager approval contract holiday benefits vpn "
             "printer expense claim receipt policy overtime remote office team request ticket").split()
    while len(rows) < n:  # synthetic pairs with a wide spread of lengths
        q = " ".join(rng.choice(words) for _ in range(rng.randint(4, 20))) + "?"
        a = " ".join(rng.choice(words) for _ in range(int(rng.paretovariate(1.2) * 12)))[:1500] + "."
        rows.append({"instruction": q, "response": a})
    rng.shuffle(rows)
    return [dict(r, pair_id=i, split="train") for i, r in enumerate(rows[:n])]


def run_arm(name: str, batching: str, args, items, workdir: Path) -> dict:
    from engine.train.events import read_events
    from engine.train.launch import prepare_run_dir, train_argv
    from engine.workspace.security import child_env

    run_dir = workdir / name
    overrides = [f"batching={batching}", f"max_steps={args.steps}", f"save_steps={args.steps * 10}",
                 "eval_steps=0", f"per_device_train_batch_size={args.batch}", "gradient_accumulation_steps=1",
                 f"max_length={args.max_length}", "loss_check_step=0", "logging_steps=1"] + args.set
    prepare_run_dir(run_dir, run_id=name, base_model=args.base_model, preset=args.preset, overrides=overrides,
                    version_id=None, items=items)
    env = child_env()
    env.setdefault("OMP_NUM_THREADS", str(args.threads))
    proc = subprocess.run(train_argv(run_dir), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=open(run_dir / "train.log", "w"))
    events = read_events(run_dir)
    done = next((e for e in events if e["event"] == "done"), None)
    if proc.returncode != 0 or done is None:
        raise SystemExit(f"{name} failed; see {run_dir / 'train.log'}")
    steps = [e for e in events if e["event"] == "step"]
    # skip the first step (warm-up, lazy init) when timing
    t0, t1 = steps[0]["time"], steps[-1]["time"]
    tokens = done["metrics"]["tokens_seen"]
    per_step = tokens / len(steps)
    seconds = max(t1 - t0, 1e-9)
    return {
        "arm": name, "batching": batching, "steps": len(steps), "tokens": tokens,
        "tokens_per_s": per_step * (len(steps) - 1) / seconds,
        "peak_mem_gb": done["metrics"].get("peak_gpu_mem_gb") or done["metrics"]["peak_rss_gb"],
        "mem_kind": "GPU allocated" if done["metrics"].get("peak_gpu_mem_gb") else "process RSS",
        "final_loss": steps[-1]["loss"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-model", default="builtin:tiny")
    parser.add_argument("--preset", default=None, help="default: qlora-t4 on CUDA, cpu-smoke otherwise")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.train.presets import default_preset

    args.preset = args.preset or default_preset()
    items = load_pairs(args.pairs)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        ref = run_arm("reference", "padded", args, items, Path(tmp))
        ours = run_arm("ours", "auto", args, items, Path(tmp))
    result = {
        "preset": args.preset, "base_model": args.base_model, "pairs": args.pairs, "batch": args.batch,
        "reference": ref, "ours": ours,
        "speedup_tokens_per_s": ours["tokens_per_s"] / ref["tokens_per_s"],
        "peak_memory_ratio": ours["peak_mem_gb"] / ref["peak_mem_gb"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"preset {args.preset}, base {args.base_model}, {args.pairs} pairs, batch {args.batch}, "
          f"{args.steps} steps, max length {args.max_length}")
    for arm in (ref, ours):
        print(f"  {arm['arm']:<9} ({arm['batching']:<6}) {arm['tokens_per_s']:9.0f} real tokens/s   "
              f"peak {arm['peak_mem_gb']:.3f} GB {arm['mem_kind']}   final loss {arm['final_loss']:.3f}")
    print(f"  ours / reference: {result['speedup_tokens_per_s']:.2f}x tokens/s, "
          f"{result['peak_memory_ratio']:.2f}x peak memory")


if __name__ == "__main__":
    main()
