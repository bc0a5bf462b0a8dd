"""The CUDA check for training: every GPU-only part of the training path, in one prepared run.

What it runs (each a real `python -m engine.train` subprocess, as the app runs it):
1. environment   library versions, GPU, bf16 support, bitsandbytes' CUDA 4-bit kernels against a
                 16-bit matmul
2. qlora-t4      the reference recipe (4-bit NF4, double quantisation, bf16/fp16 compute by what the
                 GPU supports, LoRA r=16) on builtin:tiny: preflight sees the GPU, the weights are
                 really 4-bit, the loss falls, held-out evaluation during training, adapter saved
3. kill + resume kill -9 after a checkpoint, `--resume` finishes at the same step count
4. real OOM      the CUDA allocator capped just above what batch 2 needed, then batch 64: a real
                 torch.OutOfMemoryError, the automatic retry with batch 1, and a finished run
5. merge         the adapter merged into 16-bit weights on the GPU; the merged model generates
6. small model   a randomly initialised ~0.75B-parameter Mistral (no download) with the qlora-t4
                 recipe: measured peak GPU memory against the preflight estimate, tokens/s
7. bench         bench/bench_train.py on the small model: our batching against padded batches

Figures and PASS/FAIL lines are printed; everything also goes to OUT/cuda_check.json, with the
train.log of any failed run beside it.

On a lent GPU machine (the device tool), after `bash bench/device_wheels.sh` here:
    run(carry=[".whl"], command="python3 -m pip install -q --no-index --no-deps --no-compile \
        --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site || exit; \
        PYTHONUNBUFFERED=1 python3 bench/cuda_check.py --out $OUT")
On any machine with CUDA and the project installed:   python bench/cuda_check.py
Here, to check the script itself (GPU-only checks are skipped, sizes shrink):
    python bench/cuda_check.py --cpu
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS: list[dict] = []
FAILED_LOGS: list[Path] = []


def record(check: str, ok: bool | None, detail: str = "", **figures) -> bool:
    mark = {True: "PASS", False: "FAIL", None: "SKIP"}[ok]
    figs = "  ".join(f"{k}={v}" for k, v in figures.items())
    print(f"[{mark}] {check}: {detail}  {figs}".rstrip(), flush=True)
    RESULTS.append({"check": check, "ok": ok, "detail": detail, **figures})
    return bool(ok)


def guarded(fn):
    """A check that raises is a FAIL with its traceback, and the next check still runs; each
    check's result carries its wall-clock seconds (`check_s`)."""
    def wrapper(*args, **kwargs):
        t0, before = time.monotonic(), len(RESULTS)
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            record(fn.__name__, False, f"raised {type(exc).__name__}: {exc}")
            return None
        finally:
            for r in RESULTS[before:]:
                r.setdefault("check_s", round(time.monotonic() - t0, 1))
    wrapper.__name__ = fn.__name__
    return wrapper


# --- helpers ------------------------------------------------------------------------------------
def pairs(n: int, heldout: float = 0.15) -> list[dict]:
    """The bundled sample's tickets drafted into pairs (as an import would, without the
    workspace database), cycled up to n; the seed pairs first."""
    import csv

    from bench_train import load_pairs

    from engine.ingest.drafting import draft_answer, draft_question

    rows = [dict(r, pair_id=i) for i, r in enumerate(load_pairs(30, seed=1)) if i < 30]
    with open(ROOT / "resources" / "sample" / "helpdesk_export.csv", newline="", encoding="utf-8") as fh:
        for ticket in csv.DictReader(fh):
            q, a = draft_question(ticket["Description"], ticket["Subject"]), draft_answer(ticket["Resolution"])
            if q and a:
                rows.append({"pair_id": len(rows), "instruction": q, "response": a})
    items = [dict(rows[i % len(rows)], pair_id=i) for i in range(n)]
    rng = random.Random(7)
    for item in items:
        item["split"] = "heldout" if rng.random() < heldout else "train"
    return items


def prepare(workdir: Path, name: str, base: str, preset: str, overrides: list[str], items: list[dict]) -> Path:
    from engine.train.launch import prepare_run_dir

    run_dir = workdir / name
    prepare_run_dir(run_dir, run_id=name, base_model=base, preset=preset, overrides=overrides,
                    version_id=None, items=items)
    return run_dir


def child_env(**extra: str) -> dict[str, str]:
    from engine.workspace.security import child_env as base_env

    env = base_env()
    env.update({k: str(v) for k, v in extra.items()})
    return env


# A CPU run (--cpu) is this script checking itself, often on a shared machine: its subprocesses get
# this many times the time a GPU run allows them.
TIMEOUT_SCALE = [1.0]


def train(run_dir: Path, *, resume: bool = False, timeout: float = 300, **env_extra) -> tuple[int, list[dict]]:
    from engine.train.events import read_events
    from engine.train.launch import train_argv

    with open(run_dir / "train.log", "a") as log:
        proc = subprocess.run(train_argv(run_dir, resume=resume), env=child_env(**env_extra), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=log, timeout=timeout * TIMEOUT_SCALE[0])
    events = read_events(run_dir)
    if proc.returncode != 0 or not events or events[-1]["event"] != "done":
        FAILED_LOGS.append(run_dir / "train.log")
    return proc.returncode, events


def of(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["event"] == kind]


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


# --- checks -------------------------------------------------------------------------------------
@guarded
def environment(cuda: bool) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    import torch

    versions = {}
    for name in ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate", "datasets", "flash-attn"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    info = {"python": sys.version.split()[0], **versions, "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(gpu=props.name, gpu_total_gb=round(props.total_memory / 1024**3, 1),
                    capability=f"{props.major}.{props.minor}", bf16_native=torch.cuda.is_bf16_supported(including_emulation=False),
                    cuda_runtime=torch.version.cuda)
    print(json.dumps(info, indent=1), flush=True)
    if cuda and not torch.cuda.is_available():
        record("environment", False, "no CUDA device visible to torch")
        return info
    record("environment", True, info.get("gpu", "cpu"))
    return info


@guarded
def bnb_kernels(cuda: bool) -> None:
    if not cuda:
        record("bnb_kernels", None, "CUDA only")
        return
    import bitsandbytes as bnb
    import torch

    torch.manual_seed(0)
    dense = torch.nn.Linear(1024, 512, bias=False, dtype=torch.bfloat16)
    q = bnb.nn.Linear4bit(1024, 512, bias=False, compute_dtype=torch.bfloat16, quant_type="nf4")
    q.weight = bnb.nn.Params4bit(dense.weight.data.clone(), requires_grad=False, quant_type="nf4")
    dense, q = dense.cuda(), q.cuda()  # quantises on the move to the GPU
    x = torch.randn(8, 1024, dtype=torch.bfloat16, device="cuda")
    with torch.no_grad():
        ref, got = dense(x).float(), q(x).float()
    rel = ((got - ref).norm() / ref.norm()).item()
    ok = q.weight.dtype == torch.uint8 and rel < 0.15  # NF4 round-off is ~10 % on random weights
    record("bnb_kernels", ok, "Linear4bit (NF4) forward on CUDA against bf16", relative_error=round(rel, 4),
           weight_dtype=str(q.weight.dtype))


@guarded
def qlora_t4(work: Path, cuda: bool, base: str) -> Path | None:
    steps = 60
    items = pairs(360 if cuda else 80)
    run_dir = prepare(work, "qlora", base, "qlora-t4",
                      [f"max_steps={steps}", "save_steps=20", "logging_steps=2", "eval_steps=20",
                       "loss_check_step=0"] + ([] if cuda else ["device=cpu", "threads=2"]), items)
    t0 = time.monotonic()
    rc, events = train(run_dir)
    wall = time.monotonic() - t0
    pre, started, done = of(events, "preflight"), of(events, "started"), of(events, "done")
    problems = []
    if rc != 0 or not done:
        record("qlora_t4", False, f"exit {rc}; last event {events[-1] if events else None}")
        return None
    pre, started, done = pre[0], started[0], done[0]
    prec = started.get("precision") or {}
    if cuda:
        import torch

        want = "bfloat16" if torch.cuda.get_device_properties(0).major >= 8 else "float16"
        if not pre.get("gpu_name"):
            problems.append("preflight saw no GPU")
        if not started["device"].startswith("cuda"):
            problems.append(f"device {started['device']}")
        if prec.get("compute_dtype") != want:
            problems.append(f"compute dtype {prec.get('compute_dtype')} (want {want})")
        if not of(events, "eval") or of(events, "eval")[0]["step"] >= steps:
            problems.append("no held-out evaluation during training")
        if not (done["metrics"].get("peak_gpu_mem_gb") or 0) > 0:
            problems.append("no GPU memory measured")
    if not prec.get("linear_4bit_layers"):
        problems.append("weights not 4-bit")
    losses = [e["loss"] for e in of(events, "step")]
    first, last = mean(losses[:5]), mean(losses[-5:])
    if not last < first * 0.95:
        problems.append(f"loss did not fall ({first:.3f} -> {last:.3f})")
    if not (run_dir / "adapter" / "adapter_model.safetensors").is_file():
        problems.append("no adapter saved")
    if not of(events, "checkpoint"):
        problems.append("no checkpoint")
    record("qlora_t4", not problems, "; ".join(problems) or started["device"],
           compute_dtype=prec.get("compute_dtype"), linear_4bit_layers=prec.get("linear_4bit_layers"),
           attn=prec.get("attn_implementation"), batching=prec.get("batching"),
           loss_first5=round(first, 3), loss_last5=round(last, 3),
           eval_loss=done["metrics"].get("eval_loss"), peak_gpu_mem_gb=done["metrics"].get("peak_gpu_mem_gb"),
           preflight_estimate_gb=pre.get("estimate_gb"), steps=done["step"], wall_s=round(wall, 1))
    return run_dir


@guarded
def kill_and_resume(work: Path, cuda: bool, base: str) -> None:
    from engine.train.events import parse_line, read_events
    from engine.train.launch import resume_argv, train_argv

    total = 30 if cuda else 12
    run_dir = prepare(work, "resume", base, "qlora-t4",
                      [f"max_steps={total}", "save_steps=5", "logging_steps=1", "eval_steps=0", "loss_check_step=0"]
                      + ([] if cuda else ["device=cpu", "threads=2"]), pairs(200 if cuda else 80))
    env = child_env(PAIRSMITH_TEST_STEP_DELAY="0.3")
    with open(run_dir / "train.log", "a") as log:
        proc = subprocess.Popen(train_argv(run_dir), env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
        lines: queue.Queue = queue.Queue()

        def read_lines() -> None:
            for text in proc.stdout:
                lines.put(text)
            lines.put(None)  # the run closed its output

        threading.Thread(target=read_lines, daemon=True).start()
        killed_after = None
        deadline = time.monotonic() + 240 * TIMEOUT_SCALE[0]
        while True:  # a run that stops speaking must not hold the check past its deadline
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            event = parse_line(line)
            if event and event["event"] == "checkpoint" and event["step"] >= 10:
                killed_after = event["step"]
                proc.send_signal(signal.SIGKILL)
                break
        proc.kill()
        proc.wait(timeout=60)
        subprocess.run(resume_argv(run_dir), env=child_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                       timeout=300 * TIMEOUT_SCALE[0])
    events = read_events(run_dir)
    started = of(events, "started")
    steps = {e["step"] for e in of(events, "step")}
    done = of(events, "done")
    ok = (killed_after is not None and len(started) == 2 and started[1]["resumed_from"]
          and started[1]["resumed_from"].endswith(f"checkpoint-{killed_after}")
          and bool(done) and done[0]["step"] == total and set(range(1, total + 1)) <= steps)
    if not ok:
        FAILED_LOGS.append(run_dir / "train.log")
    record("kill_and_resume", ok, f"killed after checkpoint {killed_after}, resumed to {done[0]['step'] if done else None}/{total}")


@guarded
def real_oom(work: Path, cuda: bool, base: str, batch2_peak_gb: float | None) -> None:
    if not cuda:
        record("real_oom", None, "CUDA only (the injected one is in the test suite)")
        return
    if not batch2_peak_gb:
        record("real_oom", False, "no batch-2 peak from the qlora_t4 check to size the cap")
        return
    cap = round(batch2_peak_gb * 1.5, 3)
    run_dir = prepare(work, "oom", base, "qlora-t4",
                      ["max_steps=10", "save_steps=5", "logging_steps=1", "eval_steps=0", "loss_check_step=0",
                       "per_device_train_batch_size=64", "gradient_accumulation_steps=1", "max_length=512"],
                      pairs(400))
    rc, events = train(run_dir, PAIRSMITH_TEST_GPU_MEM_GB=cap)
    retries = [e for e in of(events, "warning") if e["code"] == "out_of_memory_retry"]
    done = of(events, "done")
    spec = json.loads((run_dir / "spec.json").read_text())
    ok = rc == 0 and bool(retries) and bool(done) and done[0]["step"] == 10 and not (run_dir / ".oom-injected").exists()
    if not ok:
        FAILED_LOGS.append(run_dir / "train.log")
    record("real_oom", ok, retries[0]["message"] if retries else f"no out-of-memory retry (exit {rc})",
           cap_gb=cap, adjustments=spec.get("adjustments"),
           peak_gpu_mem_gb=done[0]["metrics"].get("peak_gpu_mem_gb") if done else None)


@guarded
def merge(run_dir: Path | None, cuda: bool) -> None:
    if run_dir is None:
        record("merge", False, "no trained run to merge")
        return
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from engine.train.merge import merge_run

    t0 = time.monotonic()
    out = merge_run(run_dir)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.bfloat16 if cuda else torch.float32)
    model.to("cuda" if cuda else "cpu")
    tok = AutoTokenizer.from_pretrained(out)
    ids = tok.apply_chat_template([{"role": "user", "content": "How do I request annual leave?"}],
                                  add_generation_prompt=True, return_tensors="pt", return_dict=True).to(model.device)
    gen = model.generate(**ids, max_new_tokens=24, do_sample=False)
    text = tok.decode(gen[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    dtypes = sorted({str(p.dtype) for p in model.parameters()})
    cfg = json.loads((Path(out) / "config.json").read_text())
    ok = bool(text.strip()) and "quantization_config" not in cfg
    record("merge", ok, repr(text[:80]), dtype=cfg.get("dtype") or cfg.get("torch_dtype"), loaded_as=dtypes,
           wall_s=round(time.monotonic() - t0, 1))


def build_small_model(folder: Path, tiny: str, cuda: bool) -> Path:
    """A randomly initialised Mistral-architecture model (no download): ~0.75B parameters on a
    GPU, a few million on the CPU. The tiny model's tokenizer."""
    import torch
    from transformers import AutoTokenizer, MistralConfig, MistralForCausalLM

    tok = AutoTokenizer.from_pretrained(tiny)
    size = (dict(hidden_size=2048, num_hidden_layers=16, num_attention_heads=16, num_key_value_heads=8,
                 intermediate_size=5632) if cuda else
            dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                 intermediate_size=704))
    config = MistralConfig(vocab_size=len(tok), bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                           pad_token_id=tok.pad_token_id, max_position_embeddings=2048, sliding_window=None,
                           tie_word_embeddings=False, **size)
    torch.manual_seed(0)
    with torch.device("cuda" if cuda else "cpu"):
        model = MistralForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    del model
    if cuda:
        torch.cuda.empty_cache()
    return folder


@guarded
def small_model(work: Path, cuda: bool, small: Path) -> None:
    steps = 16 if cuda else 4
    run_dir = prepare(work, "small", str(small), "qlora-t4",
                      [f"max_steps={steps}", f"save_steps={steps}", "logging_steps=1", "eval_steps=0",
                       "loss_check_step=0"] + ([] if cuda else ["device=cpu", "threads=2", "max_length=128"]),
                      pairs(400 if cuda else 60))
    rc, events = train(run_dir, timeout=420)
    done = of(events, "done")
    if rc != 0 or not done:
        record("small_model", False, f"exit {rc}; last event {events[-1] if events else None}")
        return
    pre, started, done = of(events, "preflight")[0], of(events, "started")[0], done[0]
    steps_ev = of(events, "step")
    tps = [e["tokens_per_s"] for e in steps_ev[1:] if e.get("tokens_per_s")]
    peak = done["metrics"].get("peak_gpu_mem_gb")
    est = pre["estimate"]
    est_no_overhead = round(est["total_gb"] - est["overhead_gb"], 3)
    ratio = round(est_no_overhead / peak, 2) if peak else None
    # the estimate (without the CUDA context, which max_memory_allocated does not see) should be
    # within the documented ~20-30 % of the measured peak, erring high
    ok = (not cuda) or (ratio is not None and 0.8 <= ratio <= 2.0)
    record("small_model", ok, f"{done['metrics']['total_params']:,} parameters, "
           f"{(started.get('precision') or {}).get('linear_4bit_layers')} 4-bit layers",
           peak_gpu_mem_gb=peak, preflight_estimate_gb=est["total_gb"], estimate_without_context_gb=est_no_overhead,
           estimate_over_measured=ratio, estimate_parts=est, tokens_per_s_median=sorted(tps)[len(tps) // 2] if tps else None,
           step_s=round((steps_ev[-1]["time"] - steps_ev[0]["time"]) / max(len(steps_ev) - 1, 1), 3))


@guarded
def bench(cuda: bool, small: Path) -> None:
    argv = [sys.executable, str(ROOT / "bench" / "bench_train.py"), "--json", "--base-model", str(small),
            "--preset", "qlora-t4", "--pairs", "400" if cuda else "60", "--steps", "20" if cuda else "4",
            "--batch", "8" if cuda else "4", "--max-length", "512" if cuda else "128"]
    if not cuda:
        argv += ["--set", "device=cpu", "--threads", "2"]
    proc = subprocess.run(argv, env=child_env(), cwd=ROOT, capture_output=True, text=True,
                          timeout=420 * TIMEOUT_SCALE[0])
    if proc.returncode != 0:
        record("bench", False, proc.stdout[-500:] + proc.stderr[-1500:])
        return
    result = json.loads(proc.stdout)
    record("bench", True, f"ours ({result['ours']['batching']}) against padded batches",
           speedup_tokens_per_s=round(result["speedup_tokens_per_s"], 2),
           peak_memory_ratio=round(result["peak_memory_ratio"], 2),
           reference_tokens_per_s=round(result["reference"]["tokens_per_s"]),
           ours_tokens_per_s=round(result["ours"]["tokens_per_s"]),
           memory_kind=result["ours"]["mem_kind"])


CHECKS = ("environment", "bnb_kernels", "qlora_t4", "kill_and_resume", "real_oom", "merge", "small_model", "bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu", action="store_true", help="check the script itself on a CPU (GPU checks skipped)")
    parser.add_argument("--out", default=None, help="folder for cuda_check.json and failed runs' logs")
    parser.add_argument("--keep", default=None, help="keep the run folders here (default: a temporary folder)")
    parser.add_argument("--only", default=None, help="comma-separated check names")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PAIRSMITH_CACHE", tempfile.mkdtemp(prefix="pairsmith-cache-"))
    cuda = not args.cpu
    TIMEOUT_SCALE[0] = 1.0 if cuda else 4.0
    only = {name.strip() for name in args.only.split(",") if name.strip()} if args.only else None
    if only is not None and (not only or only - set(CHECKS)):
        parser.error(f"--only takes names from: {', '.join(CHECKS)} (got {args.only!r})")
    want = (lambda name: only is None or name in only)  # noqa: E731
    work = Path(args.keep or tempfile.mkdtemp(prefix="cuda-check-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    env = environment(cuda) or {}
    if cuda and not env.get("cuda_available"):
        return finish(args, env, t0)
    from engine.train.models import resolve_base_model

    tiny = resolve_base_model("builtin:tiny")
    if want("bnb_kernels"):
        bnb_kernels(cuda)
    qlora = None
    if want("qlora_t4") or want("merge") or want("real_oom"):
        qlora = qlora_t4(work, cuda, tiny)
    if want("kill_and_resume"):
        kill_and_resume(work, cuda, tiny)
    if want("real_oom"):
        peak = next((r.get("peak_gpu_mem_gb") for r in RESULTS if r["check"] == "qlora_t4"), None)
        real_oom(work, cuda, tiny, peak)
    if want("merge"):
        merge(qlora, cuda)
    if want("small_model") or want("bench"):
        small = build_small_model(work / "small-base", tiny, cuda)
        if want("small_model"):
            small_model(work, cuda, small)
        if want("bench"):
            bench(cuda, small)
    return finish(args, env, t0)


def finish(args, env: dict, t0: float) -> int:
    failed = [r["check"] for r in RESULTS if r["ok"] is False]
    summary = {"environment": env, "results": RESULTS, "failed": failed, "wall_s": round(time.monotonic() - t0, 1)}
    print(f"\n{len([r for r in RESULTS if r['ok']])} passed, {len(failed)} failed"
          f"{' (' + ', '.join(failed) + ')' if failed else ''}, "
          f"{len([r for r in RESULTS if r['ok'] is None])} skipped in {summary['wall_s']} s", flush=True)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "cuda_check.json").write_text(json.dumps(summary, indent=2, default=str))
        for log in FAILED_LOGS[:6]:
            if log.is_file():
                shutil.copy2(log, out / f"{log.parent.name}-train.log")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
