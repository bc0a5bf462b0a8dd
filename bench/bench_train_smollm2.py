"""Training speed on a real model: Pairsmith's CPU preset against the seed's TRL recipe, one run.

    python bench/bench_train_smollm2.py                   # CPU: SmolLM2-135M, 160 sample pairs, 10 steps each (~9 min)
    python bench/bench_train_smollm2.py --pairs 48 --steps 3   # a quick look (3.5 min; 2 timed steps: noisy)
    python bench/bench_train_smollm2.py --set lora_layers=0   # ours with LoRA on every layer, like the reference
    python bench/bench_train_smollm2.py --preset qlora-t4 --four-bit   # a CUDA GPU: both arms in 4-bit NF4

Same model (builtin:smollm2, converted once from its GGUF), same pairs, same optimizer steps of
16 pairs, same LoRA (r=16, alpha 32 on q/k/v/o/gate), learning rate 2e-4 with the reference's
warm-up and cosine schedule, max length 512, in two subprocesses started one after the other:

- reference: the seed's recipe written plainly with TRL: `SFTTrainer` + `SFTConfig(batch 2,
  gradient accumulation 8, lr 2e-4, max_length 512, gradient_checkpointing=True)` (TRL's
  default and the qlora-t4 preset's), LoRA dropout 0.05, pad = eos, random batches.
- ours: `python -m engine.train` with the preset (default cpu-lora) and the reference's learning
  rate, schedule, steps and max length (`--set` them back), so only how the steps are run
  differs: no gradient checkpointing, micro-batches of 2 grouped by length, no LoRA dropout,
  LoRA on the top 10 of 30 layers (cpu-lora's lora_layers; the 20 below run forward only).

Printed: real (non-padding) tokens per second over the steps after the first, peak memory
(process RSS on CPU, max allocated on CUDA), and each arm's answer-only loss on the same
held-out pairs after training (one function scores both adapters), with the ratios.
Pairs: the bundled sample's tickets (resources/sample/helpdesk_export.csv, question -> reply).

Measured on a quiet 2-core machine, defaults, one run (2026-12-06): reference 82.6 tokens/s, peak
2.91 GB, held-out loss 3.166; ours 200.0 tokens/s, 2.71 GB, 3.298 (base 3.342): 2.42x tokens/s,
0.93x peak memory, 1.042x held-out loss. With micro-batches of 8 (the preset before) the quick
run gave 1.41x tokens/s at 2.11x peak memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE = dict(batch=2, accumulation=8, learning_rate=2e-4, warmup_ratio=0.03, max_length=512, lora_r=16,
                 lora_alpha=32, lora_dropout=0.05, targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"])


def load_pairs(path: Path, n_train: int, n_eval: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [{"instruction": r["Description"].strip(), "response": r["Resolution"].strip()}
                for r in csv.DictReader(fh) if r.get("Description", "").strip() and r.get("Resolution", "").strip()]
    random.Random(seed).shuffle(rows)
    if len(rows) < n_train + n_eval:
        raise SystemExit(f"{path} has {len(rows)} pairs; fewer than --pairs + --eval-pairs")
    train = [dict(r, pair_id=i, split="train") for i, r in enumerate(rows[:n_train])]
    held = [dict(r, pair_id=n_train + i, split="heldout") for i, r in enumerate(rows[n_train:n_train + n_eval])]
    return train, held


# --- the reference arm (a subprocess: `bench_train_smollm2.py --arm reference WORKDIR`) ---------
def reference_arm(workdir: Path) -> None:
    import resource

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    job = json.loads((workdir / "job.json").read_text())
    r = REFERENCE
    cuda = torch.cuda.is_available()
    kwargs = {"dtype": torch.float32 if not cuda else torch.bfloat16}
    if job["four_bit"]:
        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                                           bnb_4bit_use_double_quant=True,
                                                           bnb_4bit_compute_dtype=kwargs["dtype"])
    model = AutoModelForCausalLM.from_pretrained(job["base"], **kwargs)
    tok = AutoTokenizer.from_pretrained(job["base"])
    tok.pad_token = tok.eos_token
    rows = [{"prompt": [{"role": "user", "content": p["instruction"]}],
             "completion": [{"role": "assistant", "content": p["response"]}]} for p in job["train"]]
    times: list[tuple[float, int, float | None]] = []

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            times.append((time.monotonic(), int(state.num_input_tokens_seen or 0), None))

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs and times:
                times[-1] = (times[-1][0], times[-1][1], float(logs["loss"]))

    args = SFTConfig(
        output_dir=str(workdir / "reference"), per_device_train_batch_size=r["batch"],
        gradient_accumulation_steps=r["accumulation"], learning_rate=r["learning_rate"],
        warmup_steps=r["warmup_ratio"], lr_scheduler_type="cosine", max_steps=job["steps"],
        max_length=r["max_length"], gradient_checkpointing=True, bf16=cuda, use_cpu=not cuda,
        logging_steps=1, save_strategy="no", report_to="none", disable_tqdm=True, seed=42,
        include_num_input_tokens_seen="non_padding", dataloader_num_workers=0)
    lora = LoraConfig(r=r["lora_r"], lora_alpha=r["lora_alpha"], lora_dropout=r["lora_dropout"],
                      target_modules=r["targets"], task_type="CAUSAL_LM", bias="none")
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=tok,
                         peft_config=lora, callbacks=[Clock()])
    trainer.train()
    trainer.save_model(str(workdir / "reference" / "adapter"))
    peak = torch.cuda.max_memory_allocated() / 1024**3 if cuda else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    (workdir / "reference.json").write_text(json.dumps({
        "times": times, "peak_mem_gb": peak, "adapter": str(workdir / "reference" / "adapter")}))


def run_reference(job: dict, workdir: Path, env: dict) -> dict:
    (workdir / "job.json").write_text(json.dumps(job))
    with open(workdir / "reference.log", "w") as log:
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--arm", "reference", str(workdir)],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f"the reference arm failed; see {workdir / 'reference.log'}")
    data = json.loads((workdir / "reference.json").read_text())
    t = data["times"]
    return {"arm": "reference", "steps": len(t), "tokens": t[-1][1],
            "tokens_per_s": (t[-1][1] - t[0][1]) / max(t[-1][0] - t[0][0], 1e-9),
            "peak_mem_gb": data["peak_mem_gb"], "last_loss": t[-1][2], "adapter": data["adapter"]}


def run_ours(job: dict, preset: str, extra: list[str], workdir: Path, env: dict) -> dict:
    from engine.train.events import read_events
    from engine.train.launch import prepare_run_dir, train_argv

    r = REFERENCE
    overrides = [f"max_steps={job['steps']}", f"learning_rate={r['learning_rate']}",
                 f"warmup_ratio={r['warmup_ratio']}", "lr_scheduler_type=cosine", f"max_length={r['max_length']}",
                 f"lora_r={r['lora_r']}", f"lora_alpha={r['lora_alpha']}", "target_modules=" + ",".join(r["targets"]),
                 "logging_steps=1", f"save_steps={job['steps'] * 10}", "eval_steps=0", "seed=42"] + extra
    run_dir = workdir / "ours"
    prepare_run_dir(run_dir, run_id="ours", base_model=job["base"], preset=preset, overrides=overrides,
                    version_id=None, items=job["train"] + job["heldout"][:1])
    with open(run_dir / "train.log", "w") as log:
        proc = subprocess.run(train_argv(run_dir), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    events = read_events(run_dir)
    done = next((e for e in events if e["event"] == "done"), None)
    if proc.returncode != 0 or done is None:
        raise SystemExit(f"our arm failed; see {run_dir / 'train.log'}")
    steps = [e for e in events if e["event"] == "step"]
    tokens = done["metrics"]["tokens_seen"]
    per_step = tokens / len(steps)  # the step events carry no token count; steps hold 16 pairs each
    return {"arm": "ours", "steps": len(steps), "tokens": tokens,
            "tokens_per_s": per_step * (len(steps) - 1) / max(steps[-1]["time"] - steps[0]["time"], 1e-9),
            "peak_mem_gb": done["metrics"].get("peak_gpu_mem_gb") or done["metrics"]["peak_rss_gb"],
            "last_loss": steps[-1]["loss"], "adapter": done["adapter_path"]}


def heldout_loss(base: str, adapters: list[str], pairs: list[dict]) -> list[float]:
    """Answer-only cross-entropy (mean over answer tokens) of each adapter on the same pairs."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base)
    out = []
    for adapter in adapters:
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), adapter)
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for p in pairs:
                prompt = tok.apply_chat_template([{"role": "user", "content": p["instruction"]}], tokenize=False,
                                                 add_generation_prompt=True)
                full = tok.apply_chat_template([{"role": "user", "content": p["instruction"]},
                                                {"role": "assistant", "content": p["response"]}], tokenize=False)
                ids = tok(full, add_special_tokens=False, return_tensors="pt").input_ids[:, :512]
                n_prompt = len(tok(prompt, add_special_tokens=False).input_ids)
                labels = ids.clone()
                labels[:, :n_prompt] = -100
                n = int((labels[:, 1:] != -100).sum())
                if n == 0:
                    continue
                total += float(model(input_ids=ids, labels=labels).loss) * n
                count += n
        out.append(total / max(count, 1))
        del model
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", nargs=2, metavar=("ARM", "WORKDIR"), help=argparse.SUPPRESS)
    parser.add_argument("--base-model", default="builtin:smollm2")
    parser.add_argument("--preset", default=None, help="our preset (default: cpu-lora on a CPU, qlora-t4 on CUDA)")
    parser.add_argument("--four-bit", action="store_true", help="both arms in 4-bit NF4 (a CUDA GPU)")
    parser.add_argument("--pairs", type=int, default=160, help="training pairs (steps x 16 = one epoch by default)")
    parser.add_argument("--steps", type=int, default=10, help="optimizer steps of 16 pairs in each arm")
    parser.add_argument("--eval-pairs", type=int, default=24)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default=str(ROOT / "resources" / "sample" / "helpdesk_export.csv"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more settings for our arm")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.arm:
        reference_arm(Path(args.arm[1]))
        return
    import torch

    from engine.train.models import default_cache_dir, resolve_base_model
    from engine.workspace.security import child_env

    torch.set_num_threads(args.threads)
    preset = args.preset or ("qlora-t4" if torch.cuda.is_available() else "cpu-lora")
    base = resolve_base_model(args.base_model, default_cache_dir())
    train, held = load_pairs(Path(args.data), args.pairs, args.eval_pairs)
    job = {"base": base, "train": train, "heldout": held, "steps": args.steps, "four_bit": args.four_bit}
    env = child_env()
    env["OMP_NUM_THREADS"] = str(args.threads)
    extra = list(args.set) + (["load_in_4bit=true"] if args.four_bit else [])
    with tempfile.TemporaryDirectory(prefix="bench-smollm2-") as tmp:
        ref = run_reference(job, Path(tmp), env)
        ours = run_ours(job, preset, extra, Path(tmp), env)
        ref["heldout_loss"], ours["heldout_loss"] = heldout_loss(base, [ref["adapter"], ours["adapter"]], held)
        base_loss = heldout_loss_base(base, held)
    result = {
        "base_model": args.base_model, "preset": preset, "pairs": args.pairs, "steps": args.steps,
        "four_bit": args.four_bit, "reference": ref, "ours": ours, "base_heldout_loss": base_loss,
        "speedup_tokens_per_s": ours["tokens_per_s"] / ref["tokens_per_s"],
        "peak_memory_ratio": ours["peak_mem_gb"] / ref["peak_mem_gb"],
        "heldout_loss_ratio": ours["heldout_loss"] / ref["heldout_loss"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.base_model}, preset {preset}{' (4-bit)' if args.four_bit else ''}: {args.pairs} pairs, "
          f"{args.steps} steps of 16 pairs, lr 2e-4, max length 512, {args.threads} threads")
    for arm in (ref, ours):
        print(f"  {arm['arm']:<9} {arm['tokens']:>7} tokens  {arm['tokens_per_s']:8.1f} real tokens/s  "
              f"peak {arm['peak_mem_gb']:.2f} GB  held-out loss {arm['heldout_loss']:.3f} (base {base_loss:.3f})")
    print(f"  ours / reference: {result['speedup_tokens_per_s']:.2f}x tokens/s, "
          f"{result['peak_memory_ratio']:.2f}x peak memory, {result['heldout_loss_ratio']:.3f}x held-out loss")


def heldout_loss_base(base: str, pairs: list[dict]) -> float:
    """The untuned base on the same pairs (what training moved the loss from)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    # a zero-initialised LoRA (B = 0) is the base model exactly; reuse the adapter scorer
    with tempfile.TemporaryDirectory() as tmp:
        model = get_peft_model(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32),
                               LoraConfig(r=1, target_modules=["q_proj"], task_type="CAUSAL_LM"))
        model.save_pretrained(tmp)
        del model
        return heldout_loss(base, [tmp], pairs)[0]


if __name__ == "__main__":
    main()
