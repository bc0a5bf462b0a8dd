"""Bug hunt: keyboard-first review from the moment the page is picked. Clicking "Review" in the
side bar (or Ctrl+2) must hand the keyboard to the review list, so A/R/S/J/K act on the pair at
once instead of going to the side bar (where Down would switch to the Flags page)."""

from __future__ import annotations

from desktop_helpers import ctx, fill_pairs, settings, window  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine.review import pairs as engine_pairs


def _status(ctx, pair_id: int) -> str:
    return ctx.worker.run_sync(engine_pairs.get_pair, pair_id)["status"]


def test_clicking_review_in_the_side_bar_gives_the_keys_to_the_review_list(qtbot, window, ctx):
    ctx.worker.run_sync(fill_pairs, 5)
    window.go_to("import")
    window.activateWindow()
    window.steps.setFocus()
    rect = window.steps.visualItemRect(window.steps.item(1))
    qtbot.mouseClick(window.steps.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    focus = QApplication.focusWidget()
    assert focus is page.table
    qtbot.keyClick(focus, Qt.Key.Key_R)  # pair 1 is approved by fill_pairs
    qtbot.waitUntil(lambda: _status(ctx, 1) == "rejected", timeout=5000)
    qtbot.waitUntil(lambda: page.current_id == 2, timeout=5000)
    assert window.current_page_name() == "review"


def test_ctrl_number_gives_the_keys_to_the_page(qtbot, window, ctx):
    ctx.worker.run_sync(fill_pairs, 5)
    window.go_to("flags")
    window.activateWindow()
    window.steps.setFocus()
    qtbot.keyClick(window.steps, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    assert QApplication.focusWidget() is page.table
    qtbot.keyClick(page.table, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: page.current_id == 2, timeout=5000)


def test_arrow_keys_in_the_side_bar_still_walk_the_steps(qtbot, window, ctx):
    window.go_to("review")
    window.activateWindow()
    window.steps.setFocus()
    qtbot.keyClick(window.steps, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.current_page_name() == "flags", timeout=5000)
    assert QApplication.focusWidget() is window.steps  # browsing the steps, not yet working on one


def test_playground_enter_asks_and_shift_enter_starts_a_new_line(qtbot, ctx, tmp_path):
    from desktop.pages.playground import PlaygroundPage

    class Echo:
        def stream_reply(self, messages, max_new_tokens=256):
            yield "ok"

    page = PlaygroundPage(ctx, loader=lambda run_dir: {"tuned": Echo(), "base": Echo()})
    qtbot.addWidget(page)
    page.show()
    try:
        page._runs_loaded({"runs": [{"id": "run-1", "base_model": "builtin:tiny", "run_dir": str(tmp_path)}],
                           "tallies": {}})
        with qtbot.waitSignal(page.chat.sig_loaded, timeout=10000):
            page.load_button.click()
        qtbot.waitUntil(lambda: page.loaded_run == "run-1", timeout=5000)
        page.input.setFocus()
        qtbot.keyClicks(page.input, "How long is")
        qtbot.keyClick(page.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(page.input, "parental leave?")
        assert page.input.toPlainText() == "How long is\nparental leave?"
        assert not page.generating
        qtbot.keyClick(page.input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.question == "How long is\nparental leave?", timeout=5000)
        qtbot.waitUntil(lambda: not page.generating and page.replies["tuned"] == "ok", timeout=5000)
        assert page.input.toPlainText() == ""
        assert "Enter" in page.input.placeholderText()
    finally:
        page.shutdown()


def test_tab_leaves_the_review_list_for_the_editor_without_changing_the_pair(qtbot, window, ctx):
    """Tab in the list used to walk cell to cell and row to row (opening the next pairs) and never
    reached the editor: editing needed the mouse."""
    ctx.worker.run_sync(fill_pairs, 5)
    window.activateWindow()
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    assert window.focusWidget() is page.table
    for _ in range(6):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        if window.focusWidget() is page.editor.instruction:
            break
    assert window.focusWidget() is page.editor.instruction
    qtbot.wait(100)
    assert page.current_id == 1
    qtbot.keyClick(page.editor.instruction, Qt.Key.Key_Tab)  # Tab moves on, it types no tab character
    assert window.focusWidget() is page.editor.response
    assert "\t" not in page.editor.instruction.toPlainText()


def test_enter_in_the_search_box_goes_to_the_results(qtbot, window, ctx):
    """Ctrl+F, type, Enter: the keys then work on the matching pairs (A approved nothing before:
    it typed an "a" into the search box)."""
    ctx.worker.run_sync(fill_pairs, 30)
    window.activateWindow()
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is page.search
    qtbot.keyClicks(page.search, "Question 17 ")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.current_id == 18, timeout=10000)
    assert window.focusWidget() is page.table
    qtbot.keyClick(page.table, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: _status(ctx, 18) == "rejected", timeout=5000)
    assert page.search.text() == "Question 17 "


def test_fast_approvals_approve_every_pair_they_pass(qtbot, window, ctx):
    """A A A A typed faster than the next pair loads approved the first pair again and again
    while the selection moved on: three pairs were passed over without being approved."""
    ctx.worker.run_sync(fill_pairs, 12)  # new pairs: 2, 3, 4, 5, 7, 8, 9, 10
    window.activateWindow()
    window.go_to("review")
    page = window.page("review")
    page.status_combo.setCurrentIndex(page.status_combo.findData("new"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 8 and page.current_id == 2 and not page.loading_pair,
                    timeout=10000)
    page.table.setFocus()
    for _ in range(4):
        qtbot.keyClick(page.table, Qt.Key.Key_A)
    qtbot.keyClick(page.table, Qt.Key.Key_R)
    ctx.worker.wait_idle(10, settle_ms=300)
    statuses = {pid: _status(ctx, pid) for pid in (2, 3, 4, 5, 7, 8)}
    assert statuses == {2: "approved", 3: "approved", 4: "approved", 5: "approved", 7: "rejected", 8: "new"}
    qtbot.waitUntil(lambda: page.current_id == 8, timeout=5000)
