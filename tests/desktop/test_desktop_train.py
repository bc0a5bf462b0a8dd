"""Train page: a fake training process (a tiny script printing JSON lines, no real training) drives
the loss chart, the progress bar and the warnings; `done` starts a (fake) evaluation whose report
is stored and shown."""

from __future__ import annotations

import json
import os
import sys
import textwrap

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time

import pytest  # noqa: E402
from desktop_helpers import app_context, settings  # noqa: F401

pytest.importorskip("pytestqt")
launch = pytest.importorskip("engine.train.launch")

FAKE_TRAIN = textwrap.dedent(r'''
    import json, os, sys, time
    run_dir = sys.argv[1]
    run = os.path.basename(run_dir.rstrip("/"))
    fail = os.environ.get("FAKE_TRAIN_FAIL")
    def emit(event, **payload):
        e = {"event": event, "run": run, "time": time.time(), **payload}
        line = json.dumps(e)
        print(line, flush=True)
        with open(os.path.join(run_dir, "events.jsonl"), "a") as fh:
            fh.write(line + "\n")
    def status(**s):
        with open(os.path.join(run_dir, "status.json"), "w") as fh:
            json.dump(s, fh)
    status(state="running", pid=os.getpid(), step=0, total=6)
    slow = os.environ.get("FAKE_TRAIN_SLOW") and "--resume" not in sys.argv
    if slow:
        import signal
        def stop(signum, frame):
            ckpt = os.path.join(run_dir, "checkpoints", "checkpoint-3")
            os.makedirs(ckpt, exist_ok=True)
            emit("cancelled", step=3, total=6, checkpoint=ckpt)
            status(state="cancelled", pid=None, step=3, total=6)
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
    print("some library chatter that is not an event", flush=True)
    emit("started", config={}, trainable_params=1000, total_params=100000, device="cpu", total_steps=6)
    for step in range(1, 7):
        emit("step", step=step, total=6, loss=3.0 - 0.4 * step, lr=2e-4, grad_norm=1.0,
             tokens_per_s=1234.0, eta_s=(6 - step) * 75, gpu_mem_gb=None if step < 3 else 5.25)
        if step == 3:
            emit("warning", code="loss_flat", message="The loss is not falling yet.",
                 what_to_do="Check the Conflicting answers flags.")
            emit("eval", step=3, eval_loss=2.1, metrics={})
            emit("checkpoint", step=3, path=os.path.join(run_dir, "checkpoints", "checkpoint-3"))
        if slow and step == 3:
            time.sleep(60)  # waits for Cancel
        if fail and step == 4:
            emit("error", kind="oom", message="The GPU ran out of memory.", what_to_do="Use a smaller preset.")
            status(state="error", pid=None, step=4, total=6)
            sys.exit(1)
    os.makedirs(os.path.join(run_dir, "adapter"), exist_ok=True)
    open(os.path.join(run_dir, "adapter", "adapter_config.json"), "w").write("{}")
    emit("done", adapter_path=os.path.join(run_dir, "adapter"), metrics={"train_loss": 0.6}, step=6, total=6)
    status(state="done", pid=None, step=6, total=6)
''')

FAKE_EVAL = textwrap.dedent(r'''
    import json, os, sys
    run_dir = sys.argv[1]
    for i in range(1, 4):
        print(json.dumps({"event": "progress", "done": i, "total": 3, "message": "answering"}), flush=True)
    report = {"heldout_accuracy": 0.75, "train_accuracy": 0.9, "baseline_accuracy": 0.25, "hallucinations": 1,
              "examples": [{"instruction": "q", "reference": "r", "answer": "a", "baseline_answer": "b",
                            "correct": True, "reason": "same facts"}]}
    os.makedirs(os.path.join(run_dir, "eval"), exist_ok=True)
    json.dump(report, open(os.path.join(run_dir, "eval", "report.json"), "w"))
''')


@pytest.fixture
def ctx(qtbot, tmp_path, monkeypatch):
    from desktop.settings import Settings

    train_script = tmp_path / "fake_train.py"
    train_script.write_text(FAKE_TRAIN)
    monkeypatch.setattr(launch, "train_argv", lambda run_dir, resume=False:
                        [sys.executable, str(train_script), str(run_dir)] + (["--resume"] if resume else []))
    monkeypatch.setattr(launch, "resolve_base_model", lambda name, cache=None: name)
    with app_context(Settings(tmp_path / "settings.ini"), tmp_path / "ws", _fill) as c:
        yield c


def _fill(ws):
    from engine.dataset import split
    from engine.review.pairs import add_pair

    for i in range(30):
        add_pair(ws, f"Question number {i} about topic {i % 5}?", f"Answer {i}: do the thing {i % 5}.", status="approved")
    split.freeze(ws, holdout=0.2)


def _page(ctx, qtbot, tmp_path):
    from desktop.pages.train import TrainPage

    eval_script = tmp_path / "fake_eval.py"
    eval_script.write_text(FAKE_EVAL)
    page = TrainPage(ctx)
    page.eval_argv = lambda run_dir: [sys.executable, str(eval_script), str(run_dir)]
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    return page


def test_train_streams_events_into_chart_and_progress_then_evaluates(ctx, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr("engine.train.gguf_base.smollm2_installed", lambda: False)  # no run yet: the tiny model
    page = _page(ctx, qtbot, tmp_path)
    assert page.version_combo.count() == 1 and page.version_combo.currentData() == 1
    assert page.model_combo.currentText() == "builtin:tiny"
    assert page.preset_combo.findData("cpu-smoke") >= 0
    page.preset_combo.setCurrentIndex(page.preset_combo.findData("cpu-smoke"))
    page.train_button.click()
    assert not page.train_button.isEnabled()
    qtbot.waitUntil(lambda: page.evaluation is not None, timeout=30000)
    assert ctx.worker.wait_idle(30)

    # the chart holds every step's loss and the held-out point
    assert page.chart.steps == [1, 2, 3, 4, 5, 6]
    assert page.chart.losses == pytest.approx([2.6, 2.2, 1.8, 1.4, 1.0, 0.6])
    assert page.chart.eval_steps == [3] and page.chart.eval_losses == [2.1]
    assert page.progress.maximum() == 1 and page.progress.value() == 1  # reset after evaluation
    assert page.memory_label.text() == "GPU memory: 5.2 GB" or page.memory_label.text() == "GPU memory: 5.3 GB"
    assert page.speed_label.text() == "Speed: 1,234 tokens/s"
    assert page.warning_list.count() == 1 and "not falling" in page.warning_list.item(0).text()
    assert "Conflicting answers" in page.warning_list.item(0).text()
    assert page.last_checkpoint.endswith("checkpoint-3")
    assert page.process.lines == ["some library chatter that is not an event"]
    assert page.final_event["event"] == "done"

    # recorded on the worker, evaluation stored and shown with a link to the Evaluate page
    runs = ctx.worker.run_sync(lambda ws: ws.query("SELECT id, status, preset, adapter_path FROM runs"))
    assert len(runs) == 1 and runs[0]["status"] == "done" and runs[0]["preset"] == "cpu-smoke"
    assert runs[0]["adapter_path"]
    stored = ctx.worker.run_sync(lambda ws: ws.query("SELECT run_id, report FROM evaluations"))
    assert len(stored) == 1 and stored[0]["run_id"] == runs[0]["id"]
    assert json.loads(stored[0]["report"])["heldout_accuracy"] == 0.75
    text = page.result_label.text()
    assert "75%" in text and "25%" in text and "href='evaluate'" in text
    assert page.runs_table.rowCount() == 1 and page.runs_table.item(0, 5).text() == "75%"
    assert page.train_button.isEnabled() and page.state == "idle"
    with qtbot.waitSignal(ctx.sig_page_requested, timeout=2000) as sig:
        page.result_label.linkActivated.emit("evaluate")
    assert sig.args == ["evaluate"]


def test_progress_bar_follows_steps(ctx, qtbot, tmp_path):
    """Events fed straight in (as the process would) move the bar and the ETA."""
    page = _page(ctx, qtbot, tmp_path)
    page.on_event({"event": "started", "run": "r", "time": 0, "config": {}, "trainable_params": 10,
                   "total_params": 1000, "device": "cuda (1 GPU)", "total_steps": 40,
                   "precision": {"compute_dtype": "bfloat16", "quantization": "nf4", "linear_4bit_layers": 28}})
    assert page.progress.maximum() == 40
    assert page.device_label.text() == "Device: cuda (1 GPU) · 4-bit nf4, bfloat16 compute"
    page.on_event({"event": "step", "run": "r", "time": 0, "step": 10, "total": 40, "loss": 1.5, "lr": 1e-4,
                   "grad_norm": 0.5, "tokens_per_s": 900.0, "eta_s": 3725, "gpu_mem_gb": 11.0})
    assert page.progress.value() == 10
    assert page.eta_label.text() == "about 1 h 02 min left"
    assert page.loss_label.text() == "Loss: 1.500"
    assert "(1.00% of the model" in page.headline.text()  # 10 of 1,000 weights trainable


def test_training_error_is_shown_in_words_and_no_evaluation(ctx, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_TRAIN_FAIL", "1")
    page = _page(ctx, qtbot, tmp_path)
    page.train_button.click()
    qtbot.waitUntil(lambda: page.final_event is not None and page.state == "idle", timeout=30000)
    assert ctx.worker.wait_idle(30)
    assert "ran out of memory" in page.headline.text() and "smaller preset" in page.headline.text()
    assert page.evaluation is None and page.result_label.isHidden()
    status = ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM runs"))
    assert status == "error"
    # it saved a checkpoint folder? no: the fake made none, so Resume stays off
    assert not page.resume_button.isEnabled()


def test_cancel_saves_a_checkpoint_and_resume_finishes(ctx, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_TRAIN_SLOW", "1")
    page = _page(ctx, qtbot, tmp_path)
    page.train_button.click()
    qtbot.waitUntil(lambda: len(page.chart.steps) == 3, timeout=30000)
    assert page.cancel_button.isEnabled() and not page.resume_button.isEnabled()
    page.cancel_button.click()
    assert page.cancel_button.text() == "Stop now"
    qtbot.waitUntil(lambda: page.state == "idle", timeout=30000)
    assert ctx.worker.wait_idle(30)
    assert page.final_event["event"] == "cancelled"
    assert "Resume continues" in page.headline.text()
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM runs")) == "cancelled"
    qtbot.waitUntil(page.resume_button.isEnabled, timeout=5000)
    page.resume_button.click()
    qtbot.waitUntil(lambda: page.evaluation is not None, timeout=30000)
    assert ctx.worker.wait_idle(30)
    assert page.process.proc.arguments()[-1] == "--resume"
    assert page.final_event["event"] == "done"
    # the curve kept the steps from before the stop (read back from events.jsonl) and added the rest
    assert page.chart.steps[:3] == [1, 2, 3] and page.chart.steps[-1] == 6
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM runs")) == "done"


def test_the_subprocesses_follow_the_workspace_offline_setting(ctx, qtbot, tmp_path):
    """The Train page built the training and evaluation environment without the workspace, and no
    workspace counts as offline: with the workspace's Offline switched off, training and
    evaluation still ran with HF_HUB_OFFLINE=1 (a hub model could never be fetched)."""
    from engine.workspace import settings

    ctx.worker.run_sync(lambda ws: settings.put(ws, "offline", False))
    page = _page(ctx, qtbot, tmp_path)
    page.train_button.click()
    qtbot.waitUntil(lambda: page.evaluation is not None, timeout=30000)
    assert ctx.worker.wait_idle(30)
    for proc in (page.process.proc, page.eval_process.proc):
        env = proc.processEnvironment()
        assert not env.contains("HF_HUB_OFFLINE") and not env.contains("TRANSFORMERS_OFFLINE")
        assert env.value("HF_HUB_DISABLE_TELEMETRY") == "1"  # online, telemetry stays off

    # switched back on, the next evaluation is offline again
    ctx.worker.run_sync(lambda ws: settings.put(ws, "offline", True))
    page.evaluation = None
    page.runs_table.selectRow(0)
    qtbot.waitUntil(page.evaluate_button.isEnabled, timeout=5000)
    page.evaluate_button.click()
    qtbot.waitUntil(lambda: page.evaluation is not None and page.state == "idle", timeout=30000)
    assert ctx.worker.wait_idle(30)
    assert page.eval_process.proc.processEnvironment().value("HF_HUB_OFFLINE") == "1"


# --- Bug hunt: the Train page's evaluation. Evaluating a run again that fails or is cancelled must ---
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
    ctx.sig_dataset_changed.emit()
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
