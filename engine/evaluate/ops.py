"""The desktop's evaluation calls, one per action: the Train page evaluating a run, the Evaluate
page, the Playground. They run on the desktop's engine worker (the thread that owns the
workspace) and return plain data, except load_chat_models (the Playground's own thread: it
loads models and never touches the workspace).

    evaluation_process(ws, run_dir) -> {"argv", "env", "cwd", "log"}: the evaluation subprocess
        (launch.eval_argv; the environment follows the workspace's offline setting), which the
        Train page starts in a QProcess
    store_evaluation(ws, run_id, run_dir, exit_code=0, started=None) -> report: runs/<id>/eval/
        report.json into `evaluations`; None when the subprocess failed and wrote no report of its own
    load_evaluations(ws) -> {"evaluations", "tallies", "trained_runs"}
    evaluation_view(ws, evaluation_id) -> the report, with "_html" (its page) and "_sent" (the
        examples already waiting in review)
    playground_runs(ws) -> {"runs": finished runs with an adapter, "tallies"}
    rate(ws, pair, choice) -> the tallies after recording a blind rating
    load_chat_models(run_dir) -> {"tuned": ChatModel, "base": ChatModel}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.workspace.errors import PairsmithError
from engine.workspace.security import PROJECT_ROOT, child_env
from engine import evaluate as ev
from engine.evaluate import playground
from engine.train import launch


def evaluation_process(ws, run_dir: str | Path) -> dict[str, Any]:
    folder = Path(run_dir) / ev.REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return {"argv": launch.eval_argv(run_dir), "env": child_env(ws), "cwd": str(PROJECT_ROOT),
            "log": str(folder / ev.LOG_FILE)}


def store_evaluation(ws, run_id: str, run_dir: str | Path, *, exit_code: int = 0,
                     started: float | None = None) -> dict | None:
    """Keep the evaluation report (runs/<id>/eval/report.json) in the `evaluations` table once the
    subprocess ended with `exit_code`. None when it failed without writing a report of its own: a
    report older than `started` (time.time()) is an earlier evaluation's."""
    path = Path(run_dir) / ev.REPORT_DIR / ev.REPORT_JSON
    fresh = path.exists() and path.stat().st_mtime >= (started or 0.0)
    if exit_code != 0 and not fresh:
        return None
    report = ev.load_report(run_dir)
    if report is None:
        raise PairsmithError("The evaluation wrote no readable report; see eval/eval.log in the run folder.")
    report["evaluation_id"] = ev.store_report(ws, run_id, report)
    return report


def load_evaluations(ws) -> dict:
    evaluations = ev.list_evaluations(ws)
    trained = 0 if evaluations else int(ws.scalar("SELECT count(*) FROM runs WHERE status = 'done'") or 0)
    return {"evaluations": evaluations, "tallies": playground.rating_tallies(ws), "trained_runs": trained}


def evaluation_view(ws, evaluation_id: int) -> dict:
    run_id, report = ev.get_evaluation(ws, evaluation_id)
    report["_html"] = str(Path(ws.runs_dir) / run_id / ev.REPORT_DIR / ev.REPORT_HTML)
    report["_sent"] = playground.sent_to_review(ws, report.get("examples") or [])
    return report


def playground_runs(ws) -> dict:
    runs = [r for r in launch.list_runs(ws) if r.get("status") == "done" and r.get("adapter_path")]
    return {"runs": runs, "tallies": playground.rating_tallies(ws)}


def rate(ws, pair: dict, choice: str) -> dict:
    playground.record_rating(ws, pair, choice)
    return playground.rating_tallies(ws)


def load_chat_models(run_dir: str | Path) -> dict:
    return {"tuned": playground.ChatModel.for_run(run_dir), "base": playground.ChatModel.for_run(run_dir, base=True)}
