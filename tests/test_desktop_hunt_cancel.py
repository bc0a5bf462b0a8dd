"""Bug hunt: pressing Cancel on slow work (an import, freezing a dataset version) must give the
page back: the button that started it works again and the page says it was cancelled, instead
of waiting forever on "Cancelling..." / "Freezing…"."""

from __future__ import annotations

import threading

import pytest
from desktop_helpers import ctx, settings  # noqa: F401

from engine.workspace.errors import PairsmithError


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
