"""The parent side of a training run: prepare the run folder from a workspace, spawn the training
subprocess, stream its events, record the result in the workspace's `runs` table. Also the one
runner of the JSON-lines subprocesses (`python -m engine.train`, `python -m engine.evaluate`):
their command lines (train_argv, resume_argv, eval_argv), their line parsers (events.parse_line,
parse_eval_line) and run_process, which starts one, streams its events and returns its exit code.
Their environment is engine.workspace.security.child_env(ws); the desktop starts the same argv
with that environment in a QProcess (it must not block) and parses with the same parsers.

The subprocesses never open the workspace database (DuckDB allows one writer process); the parent
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

from engine.workspace.errors import BadInput, Cancelled, NotFound, PairsmithError
from engine.workspace.progress import CancelFn
from engine.workspace import security
from engine.train.data import write_jsonl
from engine.train.events import json_object, parse_line, read_events
from engine.train.models import default_cache_dir, resolve_base_model
from engine.train.presets import default_preset
from engine.train.run_folder import find_adapter
from engine.train.spec import STATUS_FILE, load_spec, make_spec, parse_overrides, resolve_config, write_spec, write_status

LOG_FILE = "train.log"
PROJECT_ROOT = security.PROJECT_ROOT  # the subprocesses' working folder
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
def dataset_for_run(ws, version_id: int | None = None, *, allow_pii: bool = False
                    ) -> tuple[int, list[dict[str, Any]], dict[str, Any] | None]:
    """(version_id, items, freeze_result). With no version given, the newest; with none in the
    workspace, one is frozen now from the approved pairs (freeze_result says so). Refuses personal
    data (open flags, or redacted since the freeze) unless `allow_pii`."""
    from engine.dataset import split
    from engine.privacy.guard import check_training

    frozen = None
    if version_id is None:
        version_id = split.latest_version(ws)
        if version_id is None:
            if not allow_pii:  # before freezing: a version frozen now would keep the data
                approved = [r["id"] for r in ws.query("SELECT id FROM pairs WHERE status = 'approved'")]
                check_training(ws, approved)
            frozen = split.freeze(ws)
            version_id = int(frozen["version_id"])
    items = split.version_items(ws, int(version_id))
    if not any(i["split"] == "train" for i in items):
        raise BadInput(f"Dataset version {version_id} has no training pairs.")
    if not allow_pii:
        check_training(ws, [i["pair_id"] for i in items], items, version_id)
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
    env `security.child_env(ws)` (the desktop uses QProcess) and call `record_run(ws, run_dir)`
    when it ends."""
    preset = preset or default_preset(base_model)
    parse_overrides(overrides)  # fail on a bad --set before freezing anything
    resolve_config(preset, parse_overrides(overrides))
    # what the user allowed for this model (custom code, pickle weights): checked here, before a
    # subprocess starts, and written into the spec for the processes that never open the workspace
    trust = security.trusted(ws, base_model)
    security.check_model_folder(base_model, allow_remote_code=trust["remote_code"], allow_pickle=trust["pickle"])
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


def eval_argv(run_dir: str | os.PathLike, *, baseline_prompt_file: str | os.PathLike | None = None,
              limit: int | None = None, batch_size: int | None = None, device: str | None = None) -> list[str]:
    """The evaluation subprocess's command line (a list: never a shell) for a run folder."""
    argv = [sys.executable, "-m", "engine.evaluate", str(Path(run_dir).resolve())]
    if baseline_prompt_file:
        argv += ["--baseline-prompt", str(baseline_prompt_file)]
    if limit:
        argv += ["--limit", str(int(limit))]
    if batch_size:
        argv += ["--batch-size", str(int(batch_size))]
    if device:
        argv += ["--device", device]
    return argv


def parse_eval_line(line: str | bytes) -> dict[str, Any] | None:
    """One stdout line of the evaluation subprocess -> its event (the kinds are in
    engine/evaluate/__main__.py), or None for anything else."""
    return json_object(line)


def run_process(argv: list[str], log_path: str | os.PathLike, on_event: Callable[[dict], None] | None = None,
                *, env: Mapping[str, str] | None = None, parse: Callable[[bytes], dict | None] = parse_line,
                cancel: CancelFn | None = None, forward_interrupt: bool = True) -> int:
    """Run a JSON-lines subprocess to its end in the project folder, calling `on_event` for each
    line `parse` makes an event of; its stderr is appended to `log_path`. `env` defaults to
    security.child_env() (offline). When `cancel()` turns true (checked at each line) the process is
    terminated and Cancelled raised. With `forward_interrupt`, Ctrl-C here asks the process to
    stop (SIGTERM: a training run saves and stops; a second Ctrl-C kills it); without, Ctrl-C
    raises here and the process is killed. Returns the exit code."""
    log = open(log_path, "ab")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, env=dict(env or security.child_env()),
                            cwd=str(PROJECT_ROOT), start_new_session=True)
    interrupts = 0

    def forward(signum, frame):  # noqa: ARG001
        nonlocal interrupts
        interrupts += 1
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM if interrupts == 1 else signal.SIGKILL)

    old = None
    if forward_interrupt:
        with contextlib.suppress(ValueError):  # not the main thread: no signal forwarding
            old = signal.signal(signal.SIGINT, forward)
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if cancel is not None and cancel():
                proc.terminate()
                proc.wait(timeout=30)
                raise Cancelled()
            event = parse(raw)
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
    adapter = find_adapter(run_dir)
    adapter_path = str(adapter) if adapter is not None else None
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
    code = run_process(argv, Path(run_dir) / LOG_FILE, on_event, env=security.child_env(ws))
    status = read_status(run_dir)
    if status.get("state") in ("running", "prepared", None) and code != 0:
        write_status(run_dir, state="error", error=f"exit code {code}")
    row = record_run(ws, run_dir)
    return run_id, code, row
