"""File > Workspace settings: offline, trusted models and flag settings, saved through the worker."""

from __future__ import annotations

import pytest
from desktop_helpers import ctx, settings, window  # noqa: F401

from engine.workspace import security


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
    ctx.status_requested.connect(lambda m, t: messages.append(m))
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
