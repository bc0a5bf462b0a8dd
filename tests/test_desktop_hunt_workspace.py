"""Bug hunt: switching or closing the workspace while the Review page holds unsaved or undoable
work. An edit typed in one workspace must be saved there (never in the next one), and undo must
not reach into the workspace that was open before."""

from __future__ import annotations

import pytest
from desktop_helpers import ctx, fill_pairs, lock_holder, settings, window  # noqa: F401
from PySide6.QtCore import Qt

from engine.review import pairs as engine_pairs
from engine.workspace.store import Workspace


@pytest.fixture
def other_ws(tmp_path):
    """A second workspace with the same pair ids as the first."""
    path = tmp_path / "other"
    ws = Workspace.create(path)
    fill_pairs(ws, 5)
    engine_pairs.update_pair(ws, 1, status="rejected")  # an earlier session's change, in its history
    ws.close()
    return path


def _review_with_edit(qtbot, window, ctx, text: str):
    ctx.worker.run_sync(fill_pairs, 5)
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    editor = page.editor.instruction
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    assert page.has_unsaved_changes  # still inside the autosave pause
    return page


def _instruction_in(ctx, path, pair_id: int = 1) -> str:
    ctx.worker.open(str(path))
    assert ctx.worker.wait_idle(15, settle_ms=300)
    assert ctx.workspace_path == str(path)
    return ctx.worker.run_sync(engine_pairs.get_pair, pair_id)["instruction"]


def test_an_edit_pending_when_another_workspace_opens_is_saved_in_its_own(qtbot, window, ctx, tmp_path, other_ws):
    first = ctx.workspace_path
    _review_with_edit(qtbot, window, ctx, "Edited in the first workspace")
    window.open_workspace(str(other_ws))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(other_ws), timeout=10000)
    ctx.worker.wait_idle(10, settle_ms=800)  # past the autosave pause
    assert ctx.worker.run_sync(engine_pairs.get_pair, 1)["instruction"] == "Question 0 about the VPN error 0"
    assert _instruction_in(ctx, first) == "Edited in the first workspace"


def test_an_edit_pending_when_the_workspace_closes_is_saved(qtbot, window, ctx):
    first = ctx.workspace_path
    _review_with_edit(qtbot, window, ctx, "Edited before closing")
    window.action_close.trigger()
    qtbot.waitUntil(lambda: ctx.workspace_path is None, timeout=10000)
    ctx.worker.wait_idle(10, settle_ms=800)
    assert ctx.last_error is None  # no "Open or create a workspace first" for a lost save
    assert _instruction_in(ctx, first) == "Edited before closing"


def test_undo_after_switching_workspaces_does_not_touch_the_new_one(qtbot, window, ctx, other_ws):
    ctx.worker.run_sync(fill_pairs, 5)
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_R)  # reject pair 1 (pair 1 is approved by fill_pairs)
    qtbot.waitUntil(lambda: page._undo_stack == [1], timeout=5000)
    window.open_workspace(str(other_ws))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(other_ws), timeout=10000)
    qtbot.waitUntil(lambda: page.current_id is not None and not page.loading_pair, timeout=10000)
    ctx.worker.wait_idle(10)
    page.table.setFocus()
    page.table.selectRow(2)  # look at pair 3 of the new workspace
    qtbot.waitUntil(lambda: page.current_id == 3, timeout=5000)
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    ctx.worker.wait_idle(10)
    # the rejection was made in the other workspace: pair 1 here keeps its own last change
    assert ctx.worker.run_sync(engine_pairs.get_pair, 1)["status"] == "rejected"
    assert not any(h["undone"] for h in ctx.worker.run_sync(engine_pairs.history, 1))


def test_review_lists_the_new_workspace_pairs_after_switching(qtbot, window, ctx, tmp_path):
    small = tmp_path / "small"
    ws = Workspace.create(small)
    fill_pairs(ws, 3)
    ws.close()
    ctx.worker.run_sync(fill_pairs, 40)
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.model.rowCount() == 40 and page.current_id == 1, timeout=10000)
    window.open_workspace(str(small))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(small), timeout=10000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    qtbot.waitUntil(lambda: page.count_label.text() == "3 pairs", timeout=10000)
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)


def test_a_failed_open_keeps_the_current_workspace_open(qtbot, window, ctx, tmp_path, lock_holder):
    """File > Open on a workspace another window holds (or on a folder that is no workspace)
    shows the message and leaves the open workspace working, not closed behind the user's back."""
    first = ctx.workspace_path
    ctx.worker.run_sync(fill_pairs, 3)
    Workspace.create(tmp_path / "locked").close()
    lock_holder(tmp_path / "locked")
    (tmp_path / "plain").mkdir()
    for target in (tmp_path / "locked", tmp_path / "plain"):
        with qtbot.waitSignal(ctx.worker.sig_open_failed, timeout=15000):
            window.open_workspace(str(target))
        ctx.worker.wait_idle(10)
        assert ctx.workspace_path == first
        assert ctx.worker.run_sync(engine_pairs.count_pairs) == 3  # still usable
        assert window.steps.isEnabled() and window.windowTitle().startswith("ws")


def test_evaluate_page_clears_the_old_report_when_the_new_workspace_has_none(qtbot, window, ctx, tmp_path):
    ev = pytest.importorskip("engine.evaluate")
    report = {"heldout_accuracy": 0.6, "train_accuracy": 0.9, "baseline_accuracy": 0.2,
              "examples": [{"instruction": "How long is parental leave?", "reference": "30 days.",
                            "answer": "12 days.", "correct": False, "reason": "says 12 days"}]}
    ctx.worker.run_sync(lambda ws: ev.store_report(ws, "run-1", report))
    window.go_to("evaluate")
    page = window.page("evaluate")
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10000)
    Workspace.create(tmp_path / "fresh").close()
    window.open_workspace(str(tmp_path / "fresh"))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(tmp_path / "fresh"), timeout=10000)
    qtbot.waitUntil(lambda: "No evaluation yet" in page.summary.text(), timeout=10000)
    assert page.table.rowCount() == 0
    assert page.detail.toPlainText() == ""
    assert page.chart.values == []
    assert "60%" not in page.held_big.findChild(type(page.summary), "number").text()
    assert not page.send_button.isEnabled()


def test_playground_forgets_the_models_of_the_workspace_that_was_closed(qtbot, window, ctx, tmp_path):
    page = window.page("playground")
    page.loaded_run = "run-from-the-first-workspace"  # as if its models were loaded
    page._update_buttons()
    page.input.setPlainText("How long is parental leave?")
    assert page.send_button.isEnabled()
    Workspace.create(tmp_path / "fresh").close()
    window.open_workspace(str(tmp_path / "fresh"))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(tmp_path / "fresh"), timeout=10000)
    ctx.worker.wait_idle(10)
    assert page.loaded_run is None and not page.send_button.isEnabled()
    page.send()  # nothing is asked of a model trained on the other workspace
    assert not page.generating


def test_switching_workspaces_while_training_runs_is_refused_with_a_message(qtbot, window, ctx, tmp_path):
    train = window.page("train")
    train.state = "running"  # a training subprocess of this workspace is running
    first = ctx.workspace_path
    Workspace.create(tmp_path / "fresh").close()
    window.open_workspace(str(tmp_path / "fresh"))
    ctx.worker.wait_idle(10)
    assert ctx.workspace_path == first
    assert "Training is running" in (ctx.last_error or "")
    window.action_close.trigger()
    ctx.worker.wait_idle(10)
    assert ctx.workspace_path == first
    train.state = "idle"
    window.open_workspace(str(tmp_path / "fresh"))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(tmp_path / "fresh"), timeout=10000)


def test_train_and_dataset_pages_forget_the_old_workspace_run_and_freeze(qtbot, window, ctx, tmp_path):
    train = window.page("train")
    train.run_id, train.run_dir, train.shown_run = "run-a", str(tmp_path / "ws" / "runs" / "run-a"), "run-a"
    train.headline.setText("<b>Run run-a</b> (builtin:tiny, cpu-smoke): finished.")
    train.loss_label.setText("Loss: 4.746")
    dataset = window.page("dataset")
    dataset.freeze_result.setText("<b>Frozen v1</b> (version #3): 222 pairs to train on, 56 held out.")
    Workspace.create(tmp_path / "fresh").close()
    window.open_workspace(str(tmp_path / "fresh"))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(tmp_path / "fresh"), timeout=10000)
    ctx.worker.wait_idle(10)
    assert train.run_id is None and train.shown_run is None
    assert "run-a" not in train.headline.text() and train.loss_label.text() == "Loss: –"
    assert "Frozen v1" not in dataset.freeze_result.text()


def test_a_recent_workspace_that_was_deleted_says_so_and_leaves_the_list(qtbot, tmp_path, settings):
    import shutil

    from desktop.context import AppContext
    from desktop.main_window import MainWindow

    gone = tmp_path / "old-project"
    Workspace.create(gone).close()
    settings.add_recent_workspace(str(gone))
    shutil.rmtree(gone)
    c = AppContext(settings, show_dialogs=True)
    w = MainWindow(c)
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.welcome.recent.count() == 1
        with qtbot.waitSignal(c.worker.sig_open_failed, timeout=15000) as blocker:
            w.welcome.recent.itemActivated.emit(w.welcome.recent.item(0))
        assert "does not exist" in blocker.args[1] and str(gone) in blocker.args[1]
        box = c.worker.last_dialog
        assert box is not None and "does not exist" in box.text()
        box.close()
        assert str(gone) not in settings.recent_workspaces()
        assert w.welcome.recent.count() == 0
    finally:
        c.worker.shutdown()


def test_closing_the_window_while_training_asks_first(qtbot, window, ctx):
    from PySide6.QtCore import QTimer

    train = window.page("train")
    train.state = "running"
    ctx.show_dialogs = True
    answers = []

    def answer(button_text: str) -> None:
        box = window.quit_dialog
        answers.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(200, lambda: answer("Keep working"))
    window.close()
    assert window.isVisible()  # kept working
    assert answers and "Training is running" in answers[0]
    QTimer.singleShot(200, lambda: answer("Quit"))
    window.close()  # (no training process runs in this test: nothing to stop)
    assert not window.isVisible()
    assert len(answers) == 2
    train.state = "idle"


def test_a_failed_open_does_not_leave_opening_in_the_status_bar(qtbot, window, ctx, tmp_path):
    (tmp_path / "plain").mkdir()
    with qtbot.waitSignal(ctx.worker.sig_open_failed, timeout=15000):
        window.open_workspace(str(tmp_path / "plain"))
    ctx.worker.wait_idle(10)
    message = window.statusBar().currentMessage()
    assert not message.startswith("Opening"), message
