"""The Train page's engine calls, one per action. Each runs on the desktop's engine worker (the
thread that owns the workspace) and returns plain data; the page starts the training subprocess
itself (a QProcess: it must not block) with the argv, environment and folder returned here.

    load_setup(ws) -> {"versions", "presets", "descriptions", "default_preset", "default_preset_real_model",
                       "ollama_models" (local Ollama models, as ollama:NAME picks), "runs", "latest"}
    list_runs(ws) -> launch.list_runs(ws), each run with its latest evaluation report ("evaluation")
        and whether Resume can continue it ("resumable": stopped, with a checkpoint)
    run_view(ws, run_id, runs=None) -> {"run", "events", "evaluation"}: an earlier run to draw
    prepare(ws, base_model, preset, version_id) -> a process: {"run_id", "run_dir", "argv", "env",
        "cwd", "log"} (launch.start_run; the environment follows the workspace's offline setting)
    resume(ws, run_id) -> the same for continuing a stopped run, with its "events" so far
    record(ws, run_dir) -> list_runs(ws), after storing the run's outcome (launch.record_run)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import evaluate
from engine.workspace.errors import NotFound
from engine.workspace.security import PROJECT_ROOT, child_env
from engine.train import launch, presets
from engine.train.events import read_events
from engine.train.spec import CHECKPOINTS

RESUMABLE = ("cancelled", "stopped", "error")  # states Resume continues from the last checkpoint


def list_runs(ws) -> list[dict]:
    runs = launch.list_runs(ws)
    reports = evaluate.latest_reports(ws)
    for r in runs:
        r["evaluation"] = reports.get(r["id"])
        checkpoints = Path(r["run_dir"]) / CHECKPOINTS
        r["resumable"] = r["status"] in RESUMABLE and checkpoints.is_dir() and any(checkpoints.iterdir())
    return runs


def run_view(ws, run_id: str, runs: list[dict] | None = None) -> dict:
    """What the page shows for an earlier run: its row, its events (the loss curve) and its report."""
    runs = runs if runs is not None else list_runs(ws)
    run = next((r for r in runs if r["id"] == run_id), None)
    if run is None:
        raise NotFound(f"no training run {run_id}")
    return {"run": run, "events": read_events(run["run_dir"]), "evaluation": run.get("evaluation")}


def load_setup(ws) -> dict:
    from engine.dataset import split

    from engine.train.gguf_base import SMOLLM2_NAME, list_ollama_models, smollm2_installed
    from engine.train.models import TINY_NAME

    runs = list_runs(ws)
    # the model the page starts with: the last run's, else the real small model where it is installed
    default_model = (runs[0].get("base_model") if runs else None) or (
        SMOLLM2_NAME if smollm2_installed() else TINY_NAME)
    return {"default_base_model": default_model, "versions": split.list_versions(ws), "presets": list(presets.PRESETS),
            "descriptions": dict(presets.DESCRIPTIONS), "default_preset": presets.default_preset(),
            "default_preset_real_model": presets.default_preset("builtin:smollm2"),
            "ollama_models": [m["name"] for m in list_ollama_models()],
            "runs": runs, "latest": run_view(ws, runs[0]["id"], runs) if runs else None}


def _process(ws, run_id: str, run_dir: str | Path, argv: list[str]) -> dict[str, Any]:
    run_dir = Path(run_dir)
    return {"run_id": run_id, "run_dir": str(run_dir), "argv": list(argv), "env": child_env(ws),
            "cwd": str(PROJECT_ROOT), "log": str(run_dir / launch.LOG_FILE)}


def prepare(ws, base_model: str, preset: str, version_id: int | None) -> dict[str, Any]:
    run_id, argv, run_dir = launch.start_run(ws, base_model, preset, None, version_id)
    return _process(ws, run_id, run_dir, argv)


def resume(ws, run_id: str) -> dict[str, Any]:
    run_dir = launch.run_dir_of(ws, run_id)
    return dict(_process(ws, run_id, run_dir, launch.resume_argv(run_dir)), events=read_events(run_dir))


def record(ws, run_dir: str | Path) -> list[dict]:
    launch.record_run(ws, run_dir)
    return list_runs(ws)
