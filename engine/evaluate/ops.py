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
    playground_runs(ws) -> {"runs": finished runs with an adapter, "tallies", "policy": the policy text or None}
    rate(ws, pair, choice) -> the tallies after recording a blind rating
    load_chat_models(run_dir, policy=None) -> {"tuned": ChatModel, "base": ChatModel (prompted as the baseline)}
    start_session(ws, run_id, minutes) / mark_answer(ws, ...) / end_session(ws, id): the test session
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
    argv = launch.eval_argv(run_dir)
    policy = ev.policy_text(ws)
    if policy:  # the base + prompt + policy baseline
        (folder / "policy.txt").write_text(policy, encoding="utf-8")
        argv += ["--policy", str((folder / "policy.txt").resolve())]
    return {"argv": argv, "env": child_env(ws), "cwd": str(PROJECT_ROOT), "log": str(folder / ev.LOG_FILE)}


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
    report = ev.scan_memorised(ws, run_dir, report)
    report["evaluation_id"] = ev.store_report(ws, run_id, report)
    return report


def load_evaluations(ws) -> dict:
    evaluations = ev.list_evaluations(ws)
    trained = 0 if evaluations else int(ws.scalar("SELECT count(*) FROM runs WHERE status = 'done'") or 0)
    return {"evaluations": evaluations, "tallies": playground.rating_tallies(ws), "trained_runs": trained}


def evaluation_view(ws, evaluation_id: int) -> dict:
    """The report, with "_html", "_sent", "_session" (the run's last test session) and
    "_readiness" (report.readiness: the three conditions)."""
    from engine.evaluate.report import readiness

    run_id, report = ev.get_evaluation(ws, evaluation_id)
    report["_html"] = str(Path(ws.runs_dir) / run_id / ev.REPORT_DIR / ev.REPORT_HTML)
    report["_sent"] = playground.sent_to_review(ws, report.get("examples") or [])
    report["_session"] = playground.last_session(ws, run_id)
    report["_readiness"] = readiness(report, report["_session"])
    return report


def start_session(ws, run_id: str, minutes: int = playground.SESSION_MINUTES) -> dict:
    return playground.start_session(ws, run_id, minutes=minutes)


def mark_answer(ws, session_id: int, question: str, answer: str, right: bool, note: str = "",
                category: str | None = None, corrected: str | None = None) -> dict:
    """Record an answer of the test session; returns {"item", "summary"}."""
    item = playground.mark_answer(ws, session_id, question, answer, right, note=note, category=category,
                                  corrected=corrected)
    return {"item": item, "summary": playground.session_summary(playground.get_session(ws, session_id))}


def end_session(ws, session_id: int) -> dict:
    return playground.end_session(ws, session_id)


def playground_runs(ws) -> dict:
    runs = [r for r in launch.list_runs(ws) if r.get("status") == "done" and r.get("adapter_path")]
    return {"runs": runs, "tallies": playground.rating_tallies(ws), "policy": ev.policy_text(ws)}


def rate(ws, pair: dict, choice: str) -> dict:
    playground.record_rating(ws, pair, choice)
    return playground.rating_tallies(ws)


def load_chat_models(run_dir: str | Path, policy: str | None = None) -> dict:
    """The tuned model, and the base model prompted as the evaluation's baseline (house-style
    system prompt, the same training pairs as examples, the policy text when one is loaded)."""
    return {"tuned": playground.ChatModel.for_run(run_dir),
            "base": playground.ChatModel.for_run(run_dir, base=True, policy=policy)}
