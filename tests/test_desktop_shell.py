"""The desktop shell: settings, the engine worker, opening workspaces (locked, damaged), the
main window's pages and navigation, and `pairsmith-desktop --screenshot`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from desktop_helpers import ROOT, ctx, fill_pairs, lock_holder, settings, window  # noqa: F401

from engine.workspace.errors import PairsmithError


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
    ctx.status_requested.connect(lambda m, t: messages.append(m))
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
        with qtbot.waitSignal(c.workspace_opened, timeout=15000):
            box.button(QMessageBox.StandardButton.Yes).click()
        assert c.worker.run_sync(lambda w: w.counts()["pairs"]) == 3
        assert list((tmp_path / "ws").glob(f"{DB_NAME}.damaged-*"))  # the damaged file is kept
    finally:
        c.worker.shutdown()


# --- the main window -------------------------------------------------------------------------
def test_window_opens_workspace_shows_counts_and_lazy_pages(qtbot, window, ctx, monkeypatch):
    from desktop import main_window as mw

    ctx.worker.run_sync(fill_pairs, 12)
    ctx.pairs_changed.emit([])
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
