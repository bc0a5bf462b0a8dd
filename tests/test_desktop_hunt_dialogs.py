"""Bug hunt: dialogs. In Workspace settings, Enter in the "Allow a model…" box must allow that
model (as the Allow button does), not close the dialog and silently drop what was typed."""

from __future__ import annotations

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
