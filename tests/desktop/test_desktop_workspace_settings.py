"""File > Workspace settings: offline, trusted models and flag settings, saved through the worker."""

from __future__ import annotations

import pytest
from desktop_helpers import ctx, settings, window  # noqa: F401

from engine.workspace import security
from PySide6.QtCore import Qt


def _open(qtbot, window):
    assert window.action_workspace_settings.isEnabled()
    window.action_workspace_settings.trigger()
    dlg = window.workspace_settings_dialog
    qtbot.waitUntil(lambda: dlg.loaded is not None, timeout=10000)
    return dlg


def _stored(ctx):
    def read(ws):
        return {r["key"]: r["value"] for r in ws.query("SELECT key, value FROM settings")}
    return ctx.worker.run_sync(read)


def _finish(qtbot, dlg, ok=True):
    if ok:
        dlg.ok_button.click()
    else:
        dlg.buttons.rejected.emit()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10000)
    dlg.ctx.worker.wait_idle(10)


def test_defaults_then_ok_saves_offline_threshold_and_trust(qtbot, window, ctx, tmp_path):
    from engine.flags.dedup import DEFAULT_THRESHOLD

    messages = []
    ctx.sig_status_requested.connect(lambda m, t: messages.append(m))
    dlg = _open(qtbot, window)
    assert dlg.offline.isChecked()  # the default
    assert dlg.use_default["duplicate_threshold"].isChecked()
    assert dlg.spins["duplicate_threshold"].value() == pytest.approx(DEFAULT_THRESHOLD)
    assert not dlg.spins["duplicate_threshold"].isEnabled()
    assert dlg.table.rowCount() == 0 and dlg.ok_button.isEnabled()

    dlg.offline.setChecked(False)
    dlg.use_default["duplicate_threshold"].setChecked(False)
    dlg.spins["duplicate_threshold"].setValue(0.81)
    assert dlg.spins["conflict_threshold"].value() == pytest.approx(0.81)  # unset: follows duplicates
    model = tmp_path / "my-model"
    model.mkdir()
    assert not dlg.allow_button.isEnabled()
    dlg.new_model.setText(str(model))
    assert not dlg.allow_button.isEnabled()  # nothing ticked yet
    dlg.new_code.setChecked(True)
    dlg.allow_button.click()
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 1).text() == "yes"
    assert dlg.table.item(0, 2).text() == "no"
    assert ctx.worker.run_sync(security.trusted_models) == {}  # nothing written before OK

    _finish(qtbot, dlg)
    assert ctx.worker.run_sync(security.is_offline) is False
    assert ctx.worker.run_sync(lambda ws: ws.get_setting("duplicate_threshold")) == pytest.approx(0.81)
    assert ctx.worker.run_sync(lambda ws: security.trusted(ws, model)) == {"remote_code": True, "pickle": False}
    stored = _stored(ctx)
    assert "conflict_threshold" not in stored and "duplicate_question_threshold" not in stored
    assert any("Find problems" in m for m in messages)

    # reopened, it shows what was saved; revoking and going back to defaults deletes the rows
    dlg = _open(qtbot, window)
    assert not dlg.offline.isChecked()
    assert dlg.spins["duplicate_threshold"].value() == pytest.approx(0.81)
    assert not dlg.use_default["duplicate_threshold"].isChecked()
    assert dlg.table.rowCount() == 1
    dlg.table.cellWidget(0, 3).click()  # Revoke
    assert dlg.table.rowCount() == 0
    dlg.offline.setChecked(True)
    dlg.use_default["duplicate_threshold"].setChecked(True)
    _finish(qtbot, dlg)
    assert ctx.worker.run_sync(security.trusted_models) == {}
    stored = _stored(ctx)
    assert "offline" not in stored and "duplicate_threshold" not in stored
    assert ctx.worker.run_sync(security.is_offline) is True


def test_invalid_regex_blocks_ok_and_cancel_changes_nothing(qtbot, window, ctx):
    ctx.worker.run_sync(lambda ws: security.trust_model(ws, "org/kept", pickle=True))
    ctx.worker.run_sync(lambda ws: ws.set_setting("conflict_threshold", 0.9))
    before = _stored(ctx)
    dlg = _open(qtbot, window)
    assert dlg.spins["conflict_threshold"].value() == pytest.approx(0.9)
    dlg.pattern.setText(r"EMP-(\d{4}")
    assert not dlg.ok_button.isEnabled() and dlg.pattern_error.isVisible()
    assert "not valid" in dlg.pattern_error.text()
    dlg.save()  # even called directly, nothing is written
    ctx.worker.wait_idle(10)
    assert dlg.isVisible() and _stored(ctx) == before
    dlg.pattern.setText(r"EMP-\d{4}")
    assert dlg.ok_button.isEnabled() and not dlg.pattern_error.isVisible()

    # Cancel after many edits writes nothing
    dlg.offline.setChecked(False)
    dlg.table.cellWidget(0, 3).click()
    dlg.use_default["conflict_threshold"].setChecked(True)
    _finish(qtbot, dlg, ok=False)
    assert _stored(ctx) == before

    # a valid pattern is saved as text
    dlg = _open(qtbot, window)
    dlg.pattern.setText(r"EMP-\d{4}")
    _finish(qtbot, dlg)
    assert ctx.worker.run_sync(lambda ws: ws.get_setting("pii_employee_id_pattern")) == r"EMP-\d{4}"


def test_action_disabled_without_a_workspace(qtbot, window, ctx):
    ctx.worker.close()
    assert ctx.worker.wait_idle(10)
    assert not window.action_workspace_settings.isEnabled()
    assert window.action_workspace_settings.shortcut().toString() == "Ctrl+,"


def test_missing_embedding_folder_blocks_ok(qtbot, window, ctx, tmp_path):
    dlg = _open(qtbot, window)
    dlg.embedding.setText(str(tmp_path / "nowhere"))
    assert not dlg.ok_button.isEnabled() and "does not exist" in dlg.error.text()
    dlg.embedding.setText(str(tmp_path))
    assert dlg.ok_button.isEnabled()
    _finish(qtbot, dlg)
    assert ctx.worker.run_sync(lambda ws: ws.get_setting("embedding_model")) == str(tmp_path)


# --- Bug hunt: dialogs. In Workspace settings, Enter in the "Allow a model…" box must allow that ---
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
    w = MainWindow(ctx)  # (its sig_workspace_opened was missed: the welcome page shows)
    qtbot.addWidget(w)
    texts = [label.text() for label in w.welcome.findChildren(QLabel)]
    assert any("double-click" in t.lower() for t in texts)
    # Enter on a recent workspace opens it too (activation)
    w.welcome.recent.setCurrentRow(0)
    assert w.welcome.recent.currentItem().data(256) == str(tmp_path / "ws")


# --- personal data: the id shapes learned from the workspace --------------------------------------
def _fill_ids(ws):
    from engine.review import pairs

    for text in ("My staff number is LK204877, payslip wrong.", "Emp no LK118204, badge broken.",
                 "Staff number LK330915: till PIN locked.", "Employee ID 004512 here.", "Employee ID 773310 here."):
        pairs.add_pair(ws, text, "We have fixed it in the portal.")


def _rows(dlg):
    return [(dlg.id_table.item(r, 0).text(), dlg.id_table.item(r, 4).text()) for r in range(dlg.id_table.rowCount())]


def test_learned_id_patterns_are_shown_confirmed_removed_and_edited(qtbot, window, ctx):
    from engine.flags.pii import find_spans
    from engine.privacy import id_patterns

    ctx.worker.run_sync(_fill_ids)
    dlg = _open(qtbot, window)
    rows = _rows(dlg)
    assert rows == [(r"LK\d{6}", "learned"), (r"\d{6}", "learned; only after a cue word")]
    assert dlg.id_table.item(0, 1).text() == "LK + 6 digits"
    assert "LK118204" in dlg.id_table.item(0, 2).text() and dlg.id_table.item(0, 3).text() == "3"

    # remove the letters shape, confirm the digits one, add one; nothing written before OK
    buttons = dlg.id_table.cellWidget(0, 5).findChildren(type(dlg.add_id_button))
    next(b for b in buttons if b.text() == "Remove").click()
    buttons = dlg.id_table.cellWidget(1, 5).findChildren(type(dlg.add_id_button))
    next(b for b in buttons if b.text() == "Confirm").click()
    dlg.new_id.setText(r"EMP-(\d{4}")
    assert not dlg.add_id_button.isEnabled() and dlg.id_error.isVisible()
    dlg.new_id.setText(r"EMP-\d{4}")
    assert dlg.add_id_button.isEnabled()
    dlg.add_id_button.click()
    assert _rows(dlg)[-1] == (r"EMP-\d{4}", "added by you")
    assert "pii_id_patterns" not in _stored(ctx)
    _finish(qtbot, dlg)
    decisions = ctx.worker.run_sync(id_patterns.decisions)
    assert decisions == {r"LK\d{6}": "removed", r"\d{6}": "confirmed", r"EMP-\d{4}": "confirmed"}
    rules = ctx.worker.run_sync(id_patterns.rules)
    assert [s.text for s in find_spans("Ids LK204877, EMP-1234 and 773310", id_patterns=rules)] == ["EMP-1234", "773310"]

    # reopened: the decisions are shown; editing a learned pattern removes it and adds the new one
    dlg = _open(qtbot, window)
    assert _rows(dlg) == [(r"LK\d{6}", "removed (not an id)"), (r"\d{6}", "confirmed"), (r"EMP-\d{4}", "added by you")]
    buttons = dlg.id_table.cellWidget(0, 5).findChildren(type(dlg.add_id_button))
    next(b for b in buttons if b.text() == "Undo").click()
    assert _rows(dlg)[0] == (r"LK\d{6}", "learned")
    dlg.id_table.item(1, 0).setText(r"\d{6}(")  # invalid: refused, the old text comes back
    assert dlg.id_error.isVisible() and dlg.id_table.item(1, 0).text() == r"\d{6}"
    dlg.id_table.item(1, 0).setText(r"E\d{6}")
    assert (r"\d{6}", "removed (not an id)") in _rows(dlg) and (r"E\d{6}", "added by you") in _rows(dlg)
    _finish(qtbot, dlg)
    decisions = ctx.worker.run_sync(id_patterns.decisions)
    assert decisions == {r"\d{6}": "removed", r"EMP-\d{4}": "confirmed", r"E\d{6}": "confirmed"}
