"""Bug hunt: dialogs. In Workspace settings, Enter in the "Allow a model…" box must allow that
model (as the Allow button does), not close the dialog and silently drop what was typed."""

from __future__ import annotations

import pytest
from desktop_helpers import ctx, settings, window  # noqa: F401
from PySide6.QtCore import Qt


def _open(qtbot, window):
    window.action_workspace_settings.trigger()
    dlg = window.workspace_settings_dialog
    qtbot.waitUntil(lambda: dlg.loaded is not None, timeout=10000)
    return dlg


def test_enter_in_the_allow_a_model_box_allows_it_and_keeps_the_dialog_open(qtbot, window, ctx, tmp_path):
    dlg = _open(qtbot, window)
    dlg.new_code.setChecked(True)
    dlg.new_model.setFocus()
    qtbot.keyClicks(dlg.new_model, str(tmp_path / "my-model"))
    qtbot.keyClick(dlg.new_model, Qt.Key.Key_Return)
    assert dlg.isVisible()
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 0).text() == str(tmp_path / "my-model")
    assert dlg.new_model.text() == ""
    # with nothing typed, Enter there does not close the dialog either (the ticks are not set)
    qtbot.keyClick(dlg.new_model, Qt.Key.Key_Return)
    assert dlg.isVisible()
    dlg.reject()


def test_enter_elsewhere_in_workspace_settings_still_means_ok(qtbot, window, ctx):
    dlg = _open(qtbot, window)
    dlg.pattern.setFocus()
    qtbot.keyClick(dlg.pattern, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)


def test_engine_messages_lose_their_command_line_advice_in_the_app(tmp_path):
    from desktop.worker import user_message
    from engine.workspace.errors import BadInput
    from engine.workspace.store import Workspace

    msg = user_message(BadInput("there are no approved pairs to freeze: approve pairs in the review queue "
                                "first (or `pairsmith set WS --all --status approved`)"))
    assert msg == "There are no approved pairs to freeze: approve pairs in the review queue first."
    try:
        Workspace.open(tmp_path)
    except Exception as exc:  # noqa: BLE001
        msg = user_message(exc)
    assert "pairsmith init" not in msg and "`" not in msg
    assert "not a Pairsmith workspace" in msg and "New workspace" in msg
    # a message without command-line advice is left as it is
    assert user_message(BadInput("The file is empty.")) == "The file is empty."


def test_opening_a_plain_folder_says_what_to_do_in_the_app(qtbot, tmp_path, settings):
    from desktop.context import AppContext

    (tmp_path / "plain").mkdir()
    c = AppContext(settings, show_dialogs=True)
    try:
        with qtbot.waitSignal(c.worker.sig_open_failed, timeout=15000) as blocker:
            c.open_workspace(str(tmp_path / "plain"))
        box = c.worker.last_dialog
        assert box is not None and box.isVisible() and box.windowTitle() == "Cannot open workspace"
        assert "pairsmith init" not in box.text() and "New workspace" in box.text()
        assert "pairsmith init" not in blocker.args[1]
        box.close()
    finally:
        c.worker.shutdown()


def test_a_report_that_cannot_be_opened_says_where_it_is(qtbot, ctx, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    import desktop.pages.evaluate as evaluate

    html = tmp_path / "report.html"
    html.write_text("<html></html>")
    page = evaluate.EvaluatePage(ctx)
    qtbot.addWidget(page)
    page.report = {"_html": str(html)}
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))  # no browser
    page.open_html()
    assert ctx.last_error and str(html) in ctx.last_error


def test_a_bad_window_size_is_a_usage_message_not_a_traceback(capsys):
    from desktop.app import _parse

    with pytest.raises(SystemExit) as exc:
        _parse(["--size", "10x", "--screenshot", "out.png"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--size" in err and "WIDTHxHEIGHT" in err and "Traceback" not in err
    assert _parse(["--size", "1024x700"]).size == (1024, 700)


def test_evaluate_says_how_to_evaluate_a_trained_run_that_has_no_evaluation(qtbot, ctx):
    """"No evaluation yet: train a model" was wrong when a run had trained but its evaluation
    failed or was cancelled: the way on is "Evaluate the selected run" on the Train page."""
    from desktop.pages.evaluate import EvaluatePage

    page = EvaluatePage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    ctx.worker.wait_idle(10)
    assert "train a model on the Train page" in page.summary.text()
    ctx.worker.run_sync(lambda ws: ws.execute(
        "INSERT INTO runs (id, base_model, preset, status, created_at) VALUES ('run-1', 'builtin:tiny', "
        "'cpu-smoke', 'done', now())"))
    page.activate()
    ctx.worker.wait_idle(10)
    assert "Evaluate the selected run" in page.summary.text()


def test_welcome_says_how_to_open_a_recent_workspace(qtbot, ctx, settings, tmp_path):
    from PySide6.QtWidgets import QLabel

    from desktop.main_window import MainWindow

    settings.add_recent_workspace(str(tmp_path / "ws"))
    w = MainWindow(ctx)  # (its workspace_opened was missed: the welcome page shows)
    qtbot.addWidget(w)
    texts = [label.text() for label in w.welcome.findChildren(QLabel)]
    assert any("double-click" in t.lower() for t in texts)
    # Enter on a recent workspace opens it too (activation)
    w.welcome.recent.setCurrentRow(0)
    assert w.welcome.recent.currentItem().data(256) == str(tmp_path / "ws")
