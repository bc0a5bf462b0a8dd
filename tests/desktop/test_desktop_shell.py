"""The desktop shell: settings, the engine worker, opening workspaces (locked, damaged), the
main window's pages and navigation, and `pairsmith-desktop --screenshot`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from desktop_helpers import ctx, fill_pairs, lock_holder, ROOT, settings, window  # noqa: F401

from engine.workspace.errors import PairsmithError
from engine.workspace.store import Workspace
from PySide6.QtCore import Qt
from engine.review import pairs as engine_pairs


# --- settings ---------------------------------------------------------------------------------
def test_settings_defaults_types_and_recent(tmp_path):
    from desktop.settings import DEFAULTS, MAX_RECENT, Settings

    s = Settings(tmp_path / "s.ini")
    assert s.get("review/autosave_ms") == DEFAULTS["review/autosave_ms"] == 600
    s.set("review/autosave_ms", 250)
    s.set("workspaces/reopen_last", False)
    s.set("window/geometry", b"\x01\x02\x00")
    for i in range(MAX_RECENT + 3):
        s.add_recent_workspace(f"/ws/{i}")
    s.sync()
    again = Settings(tmp_path / "s.ini")  # read back from the file, types restored
    assert again.get("review/autosave_ms") == 250
    assert again.get("workspaces/reopen_last") is False
    assert again.get("window/geometry") == b"\x01\x02\x00"
    recent = again.recent_workspaces()
    assert recent[0] == f"/ws/{MAX_RECENT + 2}" and len(recent) == MAX_RECENT
    assert again.get("workspaces/last") == f"/ws/{MAX_RECENT + 2}"
    with pytest.raises(KeyError):
        again.get("no/such/setting")


# --- the worker ----------------------------------------------------------------------------
def test_worker_runs_on_one_thread_and_reports_back_on_the_gui_thread(qtbot, ctx):
    gui = threading.get_ident()
    seen = {}

    def work(ws, x, progress=None, cancel=None):
        seen["thread"] = threading.get_ident()
        seen["ws"] = ws
        for i in range(5):
            progress(i + 1, 5, f"step {i + 1}")
        return x * 2

    progress_calls = []
    with qtbot.waitSignal(ctx.worker.sig_busy, check_params_cb=lambda busy: busy is False, timeout=10000):
        ctx.worker.submit(work, 21, on_done=lambda r: seen.setdefault("result", (r, threading.get_ident())),
                          on_progress=lambda d, t, m: progress_calls.append((d, t, m, threading.get_ident())))
    assert seen["result"] == (42, gui)
    assert seen["thread"] != gui
    assert seen["ws"] is not None and seen["ws"].root == Path(ctx.workspace_path)
    assert progress_calls and progress_calls[-1][:3] == (5, 5, "step 5")
    assert {c[3] for c in progress_calls} == {gui}
    # every task runs on the same single thread (DuckDB has one writer)
    threads = set()
    for _ in range(3):
        ctx.worker.submit(lambda ws: threads.add(threading.get_ident()))
    assert ctx.worker.wait_idle(10)
    assert threads == {seen["thread"]}


def test_worker_cancel_and_errors(qtbot, ctx):
    started = threading.Event()
    release = threading.Event()

    def slow(ws, cancel=None):
        started.set()
        release.wait(10)
        if cancel():
            raise PairsmithError("cancelled")
        return "finished"

    out = {}
    task = ctx.worker.submit(slow, on_done=lambda r: out.setdefault("done", r),
                             on_error=lambda e: out.setdefault("error", e))
    assert started.wait(10)
    task.cancel()
    assert task.cancelled()
    release.set()
    qtbot.waitUntil(lambda: task.done, timeout=10000)
    assert "done" not in out and str(out["error"]) == "cancelled"

    # an error without on_error reaches sig_error as one line, not a traceback
    with qtbot.waitSignal(ctx.worker.sig_error, timeout=10000) as blocker:
        ctx.worker.submit(lambda ws: 1 / 0)
    assert blocker.args[0].startswith("Something went wrong (ZeroDivisionError")
    assert "Traceback" not in blocker.args[0]


def test_run_with_progress_shows_a_strip_with_cancel(qtbot, ctx):
    release = threading.Event()

    def job(ws, progress=None, cancel=None):
        progress(1, 4, "reading")
        release.wait(10)
        if cancel():
            raise PairsmithError("cancelled")
        return "ok"

    messages = []
    ctx.sig_status_requested.connect(lambda m, t: messages.append(m))
    task = ctx.run_with_progress("Checking", job)
    strip = ctx.progress_widget
    qtbot.waitUntil(lambda: "reading" in strip.label.text(), timeout=10000)
    assert strip.current_task() is task and strip.cancel_button.isVisibleTo(strip)
    strip.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: task.done, timeout=10000)
    assert strip.current_task() is None and not strip.isVisibleTo(strip.parentWidget() or strip)
    assert "Checking cancelled" in messages


# --- opening workspaces ----------------------------------------------------------------------
def test_locked_workspace_shows_the_other_window_dialog(qtbot, tmp_path, settings, lock_holder):
    from desktop.context import AppContext
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "locked").close()
    lock_holder(tmp_path / "locked")
    c = AppContext(settings, show_dialogs=True)
    try:
        with qtbot.waitSignal(c.worker.sig_open_failed, timeout=15000) as blocker:
            c.open_workspace(str(tmp_path / "locked"))
        assert "another Pairsmith window" in blocker.args[1]
        box = c.worker.last_dialog
        assert box is not None and box.isVisible()
        assert "open in another Pairsmith window" in box.text()
        assert c.workspace_path is None
        box.close()
    finally:
        c.worker.shutdown()


def test_second_instance_exits_cleanly_with_a_message(tmp_path, lock_holder):
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    lock_holder(tmp_path / "ws")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.app", "--workspace", str(tmp_path / "ws"),
         "--settings", str(tmp_path / "s.ini"), "--screenshot", str(tmp_path / "x.png")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    assert "open in another Pairsmith window" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_damaged_workspace_offers_the_newest_backup(qtbot, tmp_path, settings):
    from PySide6.QtWidgets import QMessageBox

    from desktop.context import AppContext
    from engine.workspace.store import DB_NAME, Workspace, backup

    ws = Workspace.create(tmp_path / "ws")
    fill_pairs(ws, 3)
    backup(ws.root, reason="test", con=ws.con)
    ws.close()
    (tmp_path / "ws" / DB_NAME).write_bytes(b"this is not a duckdb file" * 100)

    c = AppContext(settings, show_dialogs=True)
    try:
        c.open_workspace(str(tmp_path / "ws"))
        qtbot.waitUntil(lambda: c.worker.last_dialog is not None and c.worker.last_dialog.isVisible(),
                        timeout=15000)
        box = c.worker.last_dialog
        assert "Restore the newest backup" in box.text()
        with qtbot.waitSignal(c.sig_workspace_opened, timeout=15000):
            box.button(QMessageBox.StandardButton.Yes).click()
        assert c.worker.run_sync(lambda w: w.counts()["pairs"]) == 3
        assert list((tmp_path / "ws").glob(f"{DB_NAME}.damaged-*"))  # the damaged file is kept
    finally:
        c.worker.shutdown()


# --- the main window -------------------------------------------------------------------------
def test_window_opens_workspace_shows_counts_and_lazy_pages(qtbot, window, ctx, monkeypatch):
    from desktop import main_window as mw

    ctx.worker.run_sync(fill_pairs, 12)
    ctx.sig_pairs_changed.emit([])
    qtbot.waitUntil(lambda: "12 pairs" in window.counts_label.text(), timeout=10000)
    assert "12 tickets" in window.counts_label.text()
    assert window.steps.isEnabled()
    assert window.stack.currentWidget() is not window.welcome

    # a page whose module is not written yet shows a placeholder, not a crash
    monkeypatch.setattr(mw, "PAGES", mw.PAGES + [("later", "desktop.pages.not_written_yet:Later")])
    monkeypatch.setitem(mw.TITLES, "later", "Later")
    page = window.page("later")
    assert isinstance(page, mw.PlaceholderPage)
    assert window.page("later") is page  # built once

    # every real step either loads or shows its placeholder
    for name, _ in mw.PAGES:
        if name != "later":
            window.go_to(name)
            assert window.current_page_name() == name
            assert window.stack.currentWidget() is window.pages[name]


def test_open_pair_switches_to_review_with_the_pair_selected(qtbot, window, ctx):
    ctx.worker.run_sync(fill_pairs, 30)
    window.go_to("import")
    ctx.open_pair(17)
    assert window.current_page_name() == "review"
    review = window.pages["review"]
    qtbot.waitUntil(lambda: review.current_id == 17 and review.current_pair is not None, timeout=10000)
    assert review.model.pair_id(review.current_row()) == 17


def test_files_dropped_on_the_window_go_to_the_import_wizard(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    f = tmp_path / "tickets.csv"
    f.write_text("Ticket ID,Question,Answer\n1,How do I reset my password?,Use the portal.\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.current_page_name() == "import"
    page = window.pages["import"]
    assert page.files == [str(f.resolve())]
    qtbot.waitUntil(lambda: str(f.resolve()) in page.previews, timeout=10000)
    assert page.previews[str(f.resolve())]["format"] == "csv"


def test_screenshot_flag_writes_a_png(qtbot, tmp_path):
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    fill_pairs(ws, 40)
    ws.close()
    from desktop.app import main

    out = tmp_path / "shots" / "review.png"
    rc = main(["--workspace", str(tmp_path / "ws"), "--page", "review", "--screenshot", str(out),
               "--settings", str(tmp_path / "s.ini"), "--size", "1100x720"])
    assert rc == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert (img.width(), img.height()) == (1100, 720)
    # the workspace was closed on exit: it can be opened again
    Workspace.open(tmp_path / "ws").close()


# --- Bug hunt: pressing Cancel on slow work (an import, freezing a dataset version) must give the ---
def _slow_cancellable(release: threading.Event, started: threading.Event):
    def job(ws, *args, progress=None, cancel=None):
        started.set()
        if progress:
            progress(1, 10, "working")
        release.wait(10)
        if cancel():
            raise PairsmithError("cancelled")
        raise AssertionError("the test cancels this job")

    return job


def test_run_with_progress_hands_a_cancel_to_on_error(qtbot, ctx):
    release, started = threading.Event(), threading.Event()
    errors = []
    task = ctx.run_with_progress("Checking", _slow_cancellable(release, started), on_error=errors.append)
    started.wait(10)
    task.cancel()
    release.set()
    qtbot.waitUntil(lambda: task.done, timeout=10000)
    assert len(errors) == 1 and "cancel" in str(errors[0])
    assert ctx.last_error is None  # a cancel is not an error message


def test_cancelled_import_gives_the_import_page_back(qtbot, ctx, tmp_path, monkeypatch):
    import desktop.pages.importer as importer

    release, started = threading.Event(), threading.Event()
    monkeypatch.setattr(importer, "import_with_mappings", _slow_cancellable(release, started))
    path = tmp_path / "helpdesk.csv"
    path.write_text("Ticket,Question,Answer\nT-1,How do I reset my VPN?,Use the self-service portal.\n",
                    encoding="utf-8")
    page = importer.ImportPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.activate()
    page.add_files([str(path)])
    qtbot.waitUntil(lambda: page.import_button.isEnabled(), timeout=10000)
    page.import_button.click()
    assert started.wait(10)
    qtbot.waitUntil(lambda: page.cancel_button.isVisible(), timeout=5000)
    page.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: page.task is None, timeout=10000)
    assert page.import_button.isEnabled() and not page.cancel_button.isVisible()
    assert "cancelled" in page.progress_label.text()
    assert ctx.last_error is None


def test_cancelled_freeze_gives_the_freeze_button_back(qtbot, ctx, monkeypatch):
    import desktop.pages.dataset as dataset

    if dataset._split is None:
        pytest.skip("no engine.dataset.split in this build")
    release, started = threading.Event(), threading.Event()
    monkeypatch.setattr(dataset, "_freeze", _slow_cancellable(release, started))
    page = dataset.DatasetPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    page.freeze_button.click()
    assert started.wait(10)
    strip = ctx.progress_widget
    qtbot.waitUntil(lambda: strip.cancel_button.isVisibleTo(strip), timeout=5000)
    strip.cancel_button.click()  # the Cancel in the status bar
    release.set()
    qtbot.waitUntil(lambda: page.freeze_button.isEnabled(), timeout=10000)
    assert "Freezing…" not in page.freeze_result.text()
    assert "cancelled" in page.freeze_result.text().lower()
    assert ctx.last_error is None


def test_quitting_stops_slow_work_instead_of_running_on_hidden(qtbot, tmp_path, settings):
    """Quitting during "Find problems" (or an import) left the process running, invisible, until
    the work was done, and a relaunch found the workspace "open in another window". Shutdown asks
    running and queued work to stop; a save queued before it still completes."""
    import time

    from desktop.context import AppContext
    from engine.review import pairs as engine_pairs
    from engine.workspace.store import Workspace
    from desktop_helpers import fill_pairs

    ws = Workspace.create(tmp_path / "ws")
    fill_pairs(ws, 3)
    ws.close()
    c = AppContext(settings, show_dialogs=False)
    c.open_workspace(str(tmp_path / "ws"))
    assert c.worker.wait_idle(30)
    started = threading.Event()

    def slow(ws, progress=None, cancel=None):
        started.set()
        for _ in range(600):  # up to 60 s unless cancelled
            if cancel():
                raise PairsmithError("cancelled")
            time.sleep(0.1)
        return "done"

    c.run_with_progress("Finding problems", slow)
    assert started.wait(10)
    c.worker.submit(lambda ws: engine_pairs.update_pair(ws, 1, response="Saved before quitting."))
    t0 = time.monotonic()
    c.worker.shutdown()
    assert time.monotonic() - t0 < 10
    ws = Workspace.open(tmp_path / "ws")  # the file is free again
    try:
        assert engine_pairs.get_pair(ws, 1)["response"] == "Saved before quitting."
    finally:
        ws.close()


# --- Bug hunt: layout at a small window (1024x700). Once the Flags page had been shown, the window ---
PAGES = ("import", "review", "flags", "dataset", "train", "evaluate", "playground")


def test_every_page_fits_a_1024_wide_window(qtbot, window, ctx):
    ctx.worker.run_sync(fill_pairs, 20)
    for name in PAGES:
        window.go_to(name)
        ctx.worker.wait_idle(10)
        window.resize(1024, 700)
        qtbot.wait(20)
        assert window.minimumSizeHint().width() <= 1024, name
        assert window.width() == 1024, name


def test_a_long_progress_message_does_not_widen_a_small_window(qtbot, window, ctx):
    release = threading.Event()

    def slow(ws, progress=None, cancel=None):
        progress(1234, 5000, "comparing every question with every other question for duplicates "
                             "(1,234 of 5,000)")
        release.wait(10)
        return {}

    window.resize(1024, 700)
    window.go_to("review")
    ctx.worker.wait_idle(10)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5000)
    try:
        ctx.run_with_progress("Finding problems", slow)
        strip = ctx.progress_widget
        qtbot.waitUntil(lambda: "1,234 of 5,000" in strip.label.toolTip(), timeout=5000)
        qtbot.wait(100)
        assert window.minimumSizeHint().width() <= 1024
        assert window.width() == 1024
    finally:
        release.set()
        ctx.worker.wait_idle(10)


def _fits(label) -> bool:
    """The label draws its whole text: on one line, or wrapped into the height it was given."""
    if label.wordWrap():
        return label.heightForWidth(label.width()) <= label.height()
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()


def test_review_save_state_is_not_clipped_in_a_small_window(qtbot, window, ctx):
    from engine.review import pairs as engine_pairs

    ctx.worker.run_sync(fill_pairs, 5)
    ctx.worker.run_sync(lambda ws: engine_pairs.update_pair(ws, 1, response="Reset the VPN profile in the portal."))
    window.resize(1024, 700)
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    qtbot.wait(50)
    label = page.editor.save_state
    assert label.text().startswith("Last saved")
    assert _fits(label), (label.text(), label.width())


def test_scrolling_pages_need_no_sideways_scrolling_at_1024(qtbot, window, ctx):
    """The Dataset page was wider than a 1024 px window: Refresh and "Freeze dataset version" were
    cut off at the right behind a horizontal scroll bar."""
    from PySide6.QtWidgets import QScrollArea

    from engine.review.pairs import add_pair

    def fill(ws):
        for i in range(30):
            add_pair(ws, f"How many vacation days do I get in year {i}?", "Full-time staff get 25 days.",
                     status="approved" if i % 3 else "new")

    ctx.worker.run_sync(fill)
    window.resize(1024, 700)
    for name in ("dataset", "train"):
        window.go_to(name)
        ctx.worker.wait_idle(30)
        qtbot.wait(100)
        page = window.page(name)
        scroll = page.findChild(QScrollArea)
        assert scroll.horizontalScrollBar().maximum() == 0, name


def test_dataset_held_out_share_is_not_clipped_at_1024(qtbot, window, ctx):
    window.resize(1024, 700)
    window.go_to("dataset")
    ctx.worker.wait_idle(30)
    qtbot.wait(50)
    page = window.page("dataset")
    assert page.holdout_label.text() == "20% held out"
    assert _fits(page.holdout_label)


def test_a_long_workspace_name_is_elided_in_the_side_bar(qtbot, window, ctx, tmp_path):
    from engine.workspace.store import Workspace

    long_name = tmp_path / "Northwind People Operations helpdesk export 2026"
    Workspace.create(long_name).close()
    window.open_workspace(str(long_name))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(long_name), timeout=10000)
    label = window.workspace_label
    assert label.toolTip() == str(long_name)
    assert label.text().endswith("…") and label.text() != long_name.name
    assert _fits(label)
    assert window.windowTitle().startswith("Northwind People Operations")  # the title keeps it whole


# --- Bug hunt: switching or closing the workspace while the Review page holds unsaved or undoable ---
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
