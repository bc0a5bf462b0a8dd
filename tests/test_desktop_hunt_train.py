"""Bug hunt: the Train page's evaluation. Evaluating a run again that fails or is cancelled must
not pass off the report of the earlier evaluation (still in eval/report.json) as a new one."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
from desktop_helpers import ctx, settings  # noqa: F401

pytest.importorskip("engine.train.launch")


def test_a_failed_re_evaluation_does_not_store_the_old_report_again(qtbot, ctx, tmp_path):
    from desktop.pages.train import TrainPage

    run_dir = tmp_path / "ws" / "runs" / "run-1"
    (run_dir / "eval").mkdir(parents=True)
    old = run_dir / "eval" / "report.json"
    old.write_text(json.dumps({"heldout_accuracy": 0.5, "examples": []}))
    past = time.time() - 3600
    os.utime(old, (past, past))
    failing = tmp_path / "failing_eval.py"
    failing.write_text('import json, sys\n'
                       'print(json.dumps({"event": "error", "message": "The model could not be loaded."}), flush=True)\n'
                       'sys.exit(1)\n')
    page = TrainPage(ctx)
    page.eval_argv = lambda rd: [sys.executable, str(failing), str(rd)]
    qtbot.addWidget(page)
    page.show()
    page.start_evaluation("run-1", str(run_dir))
    assert page.state == "evaluating"
    qtbot.waitUntil(lambda: page.state == "idle", timeout=30000)
    ctx.worker.wait_idle(10)
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT count(*) FROM evaluations")) == 0
    assert "failed" in page.result_label.text() and "could not be loaded" in page.result_label.text()
    assert page.evaluation is None


def test_training_errors_with_angle_brackets_are_shown_whole(qtbot, ctx):
    from PySide6.QtGui import QTextDocument

    from desktop.pages.train import TrainPage

    page = TrainPage(ctx)
    qtbot.addWidget(page)
    page.on_event({"event": "error", "message": "Cannot read <models>/mistral/config.json.",
                   "what_to_do": "Pick the folder that holds config.json & the weights."})
    doc = QTextDocument()
    doc.setHtml(page.headline.text())
    assert doc.toPlainText() == ("Cannot read <models>/mistral/config.json. "
                                 "Pick the folder that holds config.json & the weights.")


def test_a_newly_frozen_version_is_picked_for_the_next_training(qtbot, ctx):
    """After freezing a new dataset version, the Train page kept the older version selected, so
    pressing Train trained on the old data without a word."""
    from desktop.pages.train import TrainPage
    from engine.dataset import split
    from engine.review.pairs import add_pair

    def fill(ws):
        for i in range(30):
            add_pair(ws, f"Question number {i} about topic {i % 5}?", f"Answer {i}: do the thing {i % 5}.",
                     status="approved")
        return split.freeze(ws, holdout=0.2)["version_id"]

    first = ctx.worker.run_sync(fill)
    page = TrainPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    ctx.worker.wait_idle(30)
    assert page.version_combo.currentData() == first
    second = ctx.worker.run_sync(lambda ws: split.freeze(ws, holdout=0.15)["version_id"])
    ctx.dataset_changed.emit()
    ctx.worker.wait_idle(30)
    assert page.version_combo.currentData() == second
    # a version the user picked stays picked across a refresh with no new version
    page.version_combo.setCurrentIndex(page.version_combo.findData(first))
    page.refresh()
    ctx.worker.wait_idle(30)
    assert page.version_combo.currentData() == first


def test_evaluate_shows_a_new_evaluation_not_the_one_seen_before(qtbot, ctx):
    """After training, "See every answer on the Evaluate page" opened the evaluation viewed last
    time, not the new one."""
    from desktop.pages.evaluate import EvaluatePage
    from engine import evaluate as ev

    old = {"heldout_accuracy": 0.2, "examples": []}
    ctx.worker.run_sync(lambda ws: ev.store_report(ws, "run-1", old))
    page = EvaluatePage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    ctx.worker.wait_idle(10)
    assert page.report["run_id"] == "run-1"
    time.sleep(0.01)
    new_id = ctx.worker.run_sync(lambda ws: ev.store_report(ws, "run-2", {"heldout_accuracy": 0.7, "examples": []}))
    page.activate()
    ctx.worker.wait_idle(10)
    assert page.run_combo.currentData() == new_id and page.report["run_id"] == "run-2"
    # an older evaluation the user picks stays shown on the next visit
    page.run_combo.setCurrentIndex(page.run_combo.count() - 1)
    ctx.worker.wait_idle(10)
    page.activate()
    ctx.worker.wait_idle(10)
    assert page.report["run_id"] == "run-1"


def test_playground_picks_a_newly_trained_run(qtbot, ctx, tmp_path):
    from desktop.pages.playground import PlaygroundPage

    page = PlaygroundPage(ctx, loader=lambda run_dir: {})
    qtbot.addWidget(page)
    try:
        run = lambda i: {"id": f"run-{i}", "base_model": "builtin:tiny", "run_dir": str(tmp_path / f"run-{i}")}  # noqa: E731
        page._runs_loaded({"runs": [run(1)], "tallies": {}})
        assert page.run_combo.currentData() == "run-1"
        page._runs_loaded({"runs": [run(2), run(1)], "tallies": {}})  # newest first
        assert page.run_combo.currentData() == "run-2"
        page.run_combo.setCurrentIndex(1)  # the user goes back to run-1
        page._runs_loaded({"runs": [run(2), run(1)], "tallies": {}})
        assert page.run_combo.currentData() == "run-1"
    finally:
        page.shutdown()


def test_training_errors_say_what_to_do_in_the_app_not_on_the_command_line(qtbot, ctx):
    """The trainer's advice is written for the CLI ("continue with `pairsmith train WS --resume
    RUN`", "Point --base-model at ..."): the Train page says which button to press instead."""
    from PySide6.QtGui import QTextDocument

    from desktop.pages.train import TrainPage

    page = TrainPage(ctx)
    qtbot.addWidget(page)
    cases = {
        "disk_full": ("Free some disk space, then continue with `pairsmith train WS --resume RUN` "
                      "(it resumes from the last complete checkpoint).", "Resume"),
        "model_not_found": ("Point --base-model at a downloaded model folder, or let this workspace download "
                            "models: `pairsmith settings WS offline false` (or use builtin:tiny).", "Workspace settings"),
        "out_of_memory": ("Use a smaller base model, or the qlora-t4 preset with --set max_length=256.", "smaller"),
    }
    doc = QTextDocument()
    for kind, (cli_advice, expected) in cases.items():
        page.on_event({"event": "error", "kind": kind, "message": "It stopped.", "what_to_do": cli_advice})
        doc.setHtml(page.headline.text())
        shown = doc.toPlainText()
        assert "pairsmith " not in shown and "--" not in shown and "`" not in shown, shown
        assert expected in shown and shown.startswith("It stopped.")
    # a kind the page does not know keeps the engine's advice
    page.on_event({"event": "error", "kind": "bad_input", "message": "Bad.", "what_to_do": "Fix the setting above."})
    doc.setHtml(page.headline.text())
    assert doc.toPlainText() == "Bad. Fix the setting above."
