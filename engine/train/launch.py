"""The parent side of a training run: prepare the run folder from a workspace, spawn the training
subprocess, stream its events, record the result in the workspace's `runs` table.

The subprocess never opens the workspace database (DuckDB allows one writer process); the parent
(the CLI or the desktop app's engine worker) does all database work here.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

from engine.workspace.errors import BadInput, NotFound, PairsmithError
from engine.train.data import write_jsonl
from engine.train.events import parse_line, read_events
from engine.train.models import default_cache_dir, resolve_base_model
from engine.train.presets import default_preset
from engine.train.spec import ADAPTER, STATUS_FILE, load_spec, make_spec, parse_overrides, resolve_config, write_spec, write_status

LOG_FILE = "train.log"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
FINAL_STATES = ("done", "error", "cancelled", "stopped")


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def new_run_id() -> str:
    return f"{_now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def run_dir_of(ws, run_id: str) -> Path:
    path = Path(ws.runs_dir) / run_id
    if not (path / "spec.json").is_file():
        raise NotFound(f"No training run {run_id!r} in this workspace; list them with `pairsmith runs WS`.")
    return path


# --- dataset version -------------------------------------------------------------------------
def _refuse_personal_data(ws, pair_ids: list[int], items: list[dict[str, Any]] | None, version_id) -> None:
    """A model learns what it is trained on, personal data included: refuse pairs with open
    personal-data flags, and frozen copies that still hold data redacted after the freeze."""
    from engine.dataset.export import open_pii_pairs, redacted_since_frozen

    flagged = open_pii_pairs(ws, pair_ids)
    if flagged:
        raise BadInput(
            f"{len(flagged)} pair(s) to train on still have open personal-data flags (e.g. pair {flagged[0]}): "
            "redact them on the Flags page, Personal data (or `pairsmith redact WS --all`), then freeze a new "
            "dataset version (or train on them as they are: `pairsmith train WS ... --allow-pii`).")
    if items:
        stale = redacted_since_frozen(ws, [{"id": i["pair_id"], "instruction": i["instruction"],
                                            "response": i["response"]} for i in items])
        if stale:
            raise BadInput(
                f"{len(stale)} pair(s) in dataset version {version_id} still hold personal data that was redacted "
                "after the version was frozen: freeze a new version on the Dataset page (or `pairsmith split WS`) "
                "and train on that (or keep them: `pairsmith train WS ... --allow-pii`).")


def dataset_for_run(ws, version_id: int | None = None, *, allow_pii: bool = False
                    ) -> tuple[int, list[dict[str, Any]], dict[str, Any] | None]:
    """(version_id, items, freeze_result). With no version given, the newest; with none in the
    workspace, one is frozen now from the approved pairs (freeze_result says so). Refuses personal
    data (open flags, or redacted since the freeze) unless `allow_pii`."""
    from engine.dataset import split

    frozen = None
    if version_id is None:
        version_id = split.latest_version(ws)
        if version_id is None:
            if not allow_pii:  # before freezing: a version frozen now would keep the data
                approved = [r["id"] for r in ws.query("SELECT id FROM pairs WHERE status = 'approved'")]
                _refuse_personal_data(ws, approved, None, None)
            frozen = split.freeze(ws)
            version_id = int(frozen["version_id"])
    items = split.version_items(ws, int(version_id))
    if not any(i["split"] == "train" for i in items):
        raise BadInput(f"Dataset version {version_id} has no training pairs.")
    if not allow_pii:
        _refuse_personal_data(ws, [i["pair_id"] for i in items], items, version_id)
    return int(version_id), items, frozen


def prepare_run_dir(run_dir: str | os.PathLike, *, run_id: str, base_model: str, preset: str,
                    overrides: Mapping[str, Any] | list[str] | None, version_id: int | None,
                    items: list[dict[str, Any]], cache_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """Write spec.json, dataset/{train,heldout}.jsonl and status.json. Returns the spec."""
    parsed = parse_overrides(overrides)
    config = resolve_config(preset, parsed)
    resolved = resolve_base_model(base_model, cache_dir or default_cache_dir())
    run_dir = Path(run_dir)
    (run_dir / "dataset").mkdir(parents=True, exist_ok=True)

    def rows(split: str):
        return ({"pair_id": i["pair_id"], "instruction": i["instruction"], "response": i["response"]}
                for i in items if i["split"] == split)

    n_train = write_jsonl(run_dir / "dataset" / "train.jsonl", rows("train"))
    n_held = write_jsonl(run_dir / "dataset" / "heldout.jsonl", rows("heldout"))
    spec = make_spec(run_id=run_id, base_model=base_model, base_model_resolved=resolved, preset=preset,
                     overrides=parsed, config=config, version_id=version_id, train_count=n_train,
                     heldout_count=n_held)
    write_spec(run_dir, spec)
    write_status(run_dir, state="prepared", run_id=run_id, pid=None, step=0, total=None)
    return spec


def start_run(ws, base_model: str, preset: str | None = None, overrides: Mapping[str, Any] | list[str] | None = None,
              version_id: int | None = None, *, cache_dir: str | os.PathLike | None = None,
              allow_pii: bool = False) -> tuple[str, list[str], Path]:
    """Prepare a run (nothing is started): returns (run_id, argv, run_dir). Spawn `argv` with
    env `child_env()` (the desktop uses QProcess) and call `record_run(ws, run_dir)` when it ends."""
    preset = preset or default_preset()
    parse_overrides(overrides)  # fail on a bad --set before freezing anything
    resolve_config(preset, parse_overrides(overrides))
    from engine.workspace.security import check_model_folder, trusted

    # what the user allowed for this model (custom code, pickle weights): checked here, before a
    # subprocess starts, and written into the spec for the processes that never open the workspace
    trust = trusted(ws, base_model)
    check_model_folder(base_model, allow_remote_code=trust["remote_code"], allow_pickle=trust["pickle"])
    resolve_base_model(base_model, cache_dir or default_cache_dir())  # a bad name fails before a version is frozen
    version_id, items, frozen = dataset_for_run(ws, version_id, allow_pii=allow_pii)
    run_id = new_run_id()
    run_dir = Path(ws.runs_dir) / run_id
    spec = prepare_run_dir(run_dir, run_id=run_id, base_model=base_model, preset=preset, overrides=overrides,
                           version_id=version_id, items=items, cache_dir=cache_dir)
    spec["trust"] = trust
    if frozen is not None:
        spec["froze_version"] = True
    write_spec(run_dir, spec)
    with ws.transaction():
        ws.execute(
            """INSERT INTO runs (id, version_id, base_model, preset, config, status, created_at)
               VALUES (?, ?, ?, ?, ?, 'prepared', ?)""",
            [run_id, version_id, base_model, preset, json.dumps(spec["config"]), _now()],
        )
    return run_id, train_argv(run_dir), run_dir


def train_argv(run_dir: str | os.PathLike, resume: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "engine.train", str(Path(run_dir).resolve())]
    return argv + ["--resume"] if resume else argv


def resume_argv(run_dir: str | os.PathLike) -> list[str]:
    """The argv that continues a stopped or killed run from its last checkpoint."""
    return train_argv(run_dir, resume=True)


def child_env(base: Mapping[str, str] | None = None, ws=None) -> dict[str, str]:
    """The environment for the training subprocess: the project importable, unbuffered output,
    no tokenizer thread pools, no telemetry, and no model-hub calls while the workspace is
    offline (the default; `ws=None` counts as offline)."""
    from engine.workspace.security import child_env as secure_env

    env = secure_env(ws, base)
    paths = [str(PROJECT_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def run_process(argv: list[str], run_dir: str | os.PathLike, on_event: Callable[[dict], None] | None = None,
                *, env: Mapping[str, str] | None = None) -> int:
    """Run the training subprocess to its end, calling `on_event` for each event line; its stderr
    goes to train.log in the run folder. Ctrl-C here asks the run to save and stop (a second
    Ctrl-C stops it at once). Returns the exit code."""
    run_dir = Path(run_dir)
    log = open(run_dir / LOG_FILE, "ab")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, env=dict(env or child_env()),
                            cwd=str(PROJECT_ROOT), start_new_session=True)
    interrupts = 0

    def forward(signum, frame):  # noqa: ARG001
        nonlocal interrupts
        interrupts += 1
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM if interrupts == 1 else signal.SIGKILL)

    old = None
    with contextlib.suppress(ValueError):  # not the main thread: no signal forwarding
        old = signal.signal(signal.SIGINT, forward)
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            event = parse_line(raw)
            if event is not None and on_event is not None:
                on_event(event)
        return proc.wait()
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as dead
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().split(")")[-1].split()[0] == "Z":
                return False
    return True


def read_status(run_dir: str | os.PathLike) -> dict[str, Any]:
    """status.json, with state 'stopped' for a run whose process died without saying so."""
    try:
        status = json.loads((Path(run_dir) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        status = {}
    if status.get("state") == "running" and not _pid_alive(status.get("pid")):
        status["state"] = "stopped"
    return status


def cancel(run_dir: str | os.PathLike) -> bool:
    """Ask a running run to save a checkpoint and stop (SIGTERM to its process). False if it is
    not running."""
    status = read_status(run_dir)
    pid = status.get("pid")
    if status.get("state") != "running" or not pid:
        return False
    try:
        os.kill(int(pid), signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True


def open_conflict_count(ws) -> int:
    try:
        return int(ws.scalar("SELECT count(*) FROM flags WHERE kind = 'conflict' AND status = 'open'") or 0)
    except Exception:  # noqa: BLE001 - an older workspace without flags: nothing to link
        return 0


def record_run(ws, run_dir: str | os.PathLike) -> dict[str, Any]:
    """Store (insert or update) the run's row in `runs` from its folder. Returns the row."""
    run_dir = Path(run_dir)
    spec = load_spec(run_dir)
    status = read_status(run_dir)
    events = read_events(run_dir)
    state = status.get("state") or "prepared"
    last = next((e for e in reversed(events) if e["event"] in ("done", "error", "cancelled")), None)
    metrics: dict[str, Any] = {}
    if last is not None and last["event"] == "done":
        metrics = dict(last.get("metrics") or {})
    steps = [e for e in events if e["event"] == "step"]
    if steps:
        metrics.setdefault("last_step", steps[-1]["step"])
        metrics.setdefault("total_steps", steps[-1]["total"])
        metrics.setdefault("last_loss", steps[-1]["loss"])
    evals = [e for e in events if e["event"] == "eval" and e.get("eval_loss") is not None]
    if evals:
        metrics.setdefault("eval_loss", evals[-1]["eval_loss"])
    warnings = [e for e in events if e["event"] == "warning"]
    if warnings:
        metrics["warnings"] = [{"code": w["code"], "message": w["message"], "what_to_do": w["what_to_do"]}
                               for w in warnings]
        if any(w["code"].startswith("loss_") for w in warnings):
            metrics["open_conflict_flags"] = open_conflict_count(ws)
    if last is not None and last["event"] == "error":
        metrics["error"] = {"kind": last["kind"], "message": last["message"], "what_to_do": last["what_to_do"]}
    adapter = run_dir / ADAPTER
    adapter_path = str(adapter) if (adapter / "adapter_config.json").is_file() else None
    finished = _now() if state in FINAL_STATES else None
    created = spec.get("created_at")
    row = {
        "id": spec["run_id"], "version_id": spec["dataset"].get("version_id"), "base_model": spec["base_model"],
        "preset": spec.get("preset"), "config": spec["config"], "status": state,
        "created_at": _dt.datetime.fromisoformat(created) if created else _now(), "finished_at": finished,
        "adapter_path": adapter_path, "metrics": metrics,
    }
    with ws.transaction():
        ws.execute("DELETE FROM runs WHERE id = ?", [row["id"]])
        ws.execute(
            """INSERT INTO runs (id, version_id, base_model, preset, config, status, created_at, finished_at,
                                 adapter_path, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [row["id"], row["version_id"], row["base_model"], row["preset"], json.dumps(row["config"]),
             row["status"], row["created_at"], row["finished_at"], row["adapter_path"], json.dumps(metrics)],
        )
    return row


def list_runs(ws) -> list[dict[str, Any]]:
    """Runs newest first: the recorded row, with the live state of a run still going."""
    rows = ws.query("SELECT * FROM runs ORDER BY created_at DESC, id DESC")
    out = []
    for row in rows:
        for key in ("config", "metrics"):
            if isinstance(row.get(key), str):
                row[key] = json.loads(row[key])
        run_dir = Path(ws.runs_dir) / row["id"]
        status = read_status(run_dir) if run_dir.is_dir() else {}
        if row["status"] not in FINAL_STATES and status.get("state"):
            row["status"] = status["state"]
        row["step"] = status.get("step")
        row["total"] = status.get("total")
        row["run_dir"] = str(run_dir)
        out.append(row)
    return out


def train(ws, base_model: str, preset: str | None = None, overrides=None, version_id: int | None = None, *,
          resume_run: str | None = None, on_event: Callable[[dict], None] | None = None,
          cache_dir=None, allow_pii: bool = False) -> tuple[str, int, dict[str, Any]]:
    """Prepare (or resume) a run, run it to its end, record it. Returns (run_id, exit code, row)."""
    if resume_run:
        run_dir = run_dir_of(ws, resume_run)
        if read_status(run_dir).get("state") == "running":
            raise PairsmithError(f"Run {resume_run} is still running.")
        run_id, argv = resume_run, resume_argv(run_dir)
    else:
        run_id, argv, run_dir = start_run(ws, base_model, preset, overrides, version_id, cache_dir=cache_dir,
                                          allow_pii=allow_pii)
    code = run_process(argv, run_dir, on_event, env=child_env(ws=ws))
    status = read_status(run_dir)
    if status.get("state") in ("running", "prepared", None) and code != 0:
        write_status(run_dir, state="error", error=f"exit code {code}")
    row = record_run(ws, run_dir)
    return run_id, code, row
