"""The review queue: the lazily paged table model, filters, saving as you type, keyboard
actions, undo/redo, redaction and flag badges."""

from __future__ import annotations

import sys
import types

import pytest
from desktop_helpers import add_flag, ctx, fill_pairs, settings, window  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from engine.review import pairs as engine_pairs
from PySide6.QtWidgets import QApplication
import os
import pytest  # noqa: E402


class FakeRunner:
    """Stands in for engine.flags.runner (whose checks embed texts and take seconds): the same
    signatures, flags read straight from the table, refresh calls recorded."""

    def __init__(self):
        self.refreshed: list[list[int]] = []

    def list_flags(self, ws, kind=None, status=None, pair_id=None):
        return ws.query(
            "SELECT id, kind, severity, explanation, details, status FROM flags "
            "WHERE list_contains(pair_ids, ?) ORDER BY id", [pair_id])

    def refresh_pairs(self, ws, pair_ids, progress=None):
        self.refreshed.append(list(pair_ids))
        return {}

    def refresh_pair(self, ws, pair_id, progress=None):
        return self.refresh_pairs(ws, [pair_id])


@pytest.fixture(autouse=True)
def runner(monkeypatch):
    import engine.flags  # the real package first; then its runner is swapped

    fake = FakeRunner()
    monkeypatch.setitem(sys.modules, "engine.flags.runner", fake)
    monkeypatch.setattr(engine.flags, "runner", fake, raising=False)
    return fake


def pair(ctx, pair_id: int) -> dict:
    return ctx.worker.run_sync(engine_pairs.get_pair, pair_id)


@pytest.fixture
def review(qtbot, ctx):
    """A shown ReviewPage over 60 pairs, the first one open."""
    from desktop.pages.review import ReviewPage

    ctx.worker.run_sync(fill_pairs, 60)
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.activate()
    qtbot.waitUntil(lambda: page.current_pair is not None and page.current_id == 1, timeout=10000)
    return page


# --- the model ------------------------------------------------------------------------------
def test_model_pages_lazily(qtbot, ctx):
    from desktop.models.pairs_model import LOADING, PAIR_ID_ROLE, ROW_ROLE, PairsTableModel

    ctx.worker.run_sync(fill_pairs, 20000)
    model = PairsTableModel(ctx.worker, page_size=200)
    with qtbot.waitSignal(model.sig_loaded, timeout=10000) as loaded:
        model.set_filter()
    assert loaded.args == [20000]
    assert model.rowCount() == 20000 and model.columnCount() == 5
    assert model.fetch_count == 0  # the count needs no row

    index = model.index(5000, 1)
    assert model.data(index) == LOADING  # not fetched yet: asks the worker for its page
    assert model.data(index, PAIR_ID_ROLE) == 5001
    with qtbot.waitSignal(model.dataChanged, timeout=10000) as changed:
        pass
    top, bottom = changed.args[0], changed.args[1]
    assert (top.row(), bottom.row()) == (5000, 5199)  # exactly the page that holds row 5,000
    assert model.data(index) == "Question 5000 about the VPN error 305"
    assert model.data(model.index(5000, 0)) == "T-6000"
    assert model.data(model.index(5000, 3)) == "Approved"  # 5000 % 5 == 0
    row = model.data(index, ROW_ROLE)
    assert row["id"] == 5001 and row["flags"] == 0
    assert model.fetch_count == 1
    assert len(model._pages) == 1  # nothing else was read
    assert model.data(model.index(5200, 1)) == LOADING  # the next page is another fetch
    assert model.row_of(5001) == 5000 and model.row_of(999999) == -1


def test_model_filters_status_search_and_flags(qtbot, ctx):
    from engine.review.pairs import PairFilter, count_matching
    from desktop.models.pairs_model import PairsTableModel

    ctx.worker.run_sync(fill_pairs, 2000)
    ctx.worker.run_sync(add_flag, [3, 41], "duplicate")  # pair 3 is new, pair 41 approved
    ctx.worker.run_sync(add_flag, [41], "tone")
    model = PairsTableModel(ctx.worker)

    def run(f: PairFilter) -> int:
        with qtbot.waitSignal(model.sig_loaded, timeout=10000) as blocker:
            model.set_filter(f)
        assert blocker.args[0] == ctx.worker.run_sync(count_matching, f)
        return blocker.args[0]

    assert run(PairFilter(status="approved")) == 400
    assert run(PairFilter(search="error 17")) == sum(1 for i in range(2000) if "error 17" in f"error {i % 313}")
    assert run(PairFilter(search="T-1005")) == 1
    assert run(PairFilter(flags="any")) == 2
    assert [model.pair_id(r) for r in range(2)] == [3, 41]
    assert run(PairFilter(flags="tone")) == 1 and model.pair_id(0) == 41
    assert run(PairFilter(flags="any", status="approved")) == 1 and model.pair_id(0) == 41
    assert run(PairFilter(flags="any", search="Question 2 ")) == 1 and model.pair_id(0) == 3
    assert run(PairFilter()) == 2000


# --- the page ---------------------------------------------------------------------------------
def test_filters_on_the_page(qtbot, review):
    review.status_combo.setCurrentIndex(2)  # Approved
    qtbot.waitUntil(lambda: review.count_label.text().startswith("12 pairs"), timeout=10000)
    review.status_combo.setCurrentIndex(0)
    qtbot.keyClicks(review.search, "T-1042")
    qtbot.waitUntil(lambda: review.model.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(lambda: review.current_id == 43, timeout=10000)  # the only match is opened
    review.search.clear()
    qtbot.waitUntil(lambda: review.model.rowCount() == 60, timeout=10000)
    assert review.current_id == 43 and review.model.pair_id(review.current_row()) == 43


def test_edit_is_saved_after_the_debounce_with_history(qtbot, review, ctx):
    editor = review.editor.instruction
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "How do I reset my VPN profile?")
    assert review.has_unsaved_changes
    assert review.editor.save_state.text() == "Editing..."
    assert pair(ctx, 1)["instruction"] == "Question 0 about the VPN error 0"  # not yet: debounced
    qtbot.waitUntil(lambda: pair(ctx, 1)["instruction"] == "How do I reset my VPN profile?", timeout=5000)
    qtbot.waitUntil(lambda: review.editor.save_state.text() == "All changes saved", timeout=5000)
    history = ctx.worker.run_sync(engine_pairs.history, 1)
    assert len({h["change_id"] for h in history}) == 1  # one pause in typing: one undoable change
    assert history[-1]["old_value"] == "Question 0 about the VPN error 0"
    # the table row shows the new text
    qtbot.waitUntil(lambda: review.model.data(review.model.index(0, 1)) == "How do I reset my VPN profile?",
                    timeout=5000)


def test_empty_field_is_not_saved(qtbot, review, ctx):
    review.editor.response.setFocus()
    review.editor.response.selectAll()
    qtbot.keyClick(review.editor.response, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: review.editor.save_state.text().startswith("Not saved"), timeout=5000)
    assert "cannot be empty" in review.editor.save_state.text()
    assert pair(ctx, 1)["response"] == "Answer 0: reset the VPN profile."


def test_approve_reject_skip_and_move_from_the_keyboard(qtbot, review, ctx):
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: pair(ctx, 1)["status"] == "approved", timeout=5000)
    qtbot.waitUntil(lambda: review.current_id == 2 and review.current_pair["id"] == 2, timeout=5000)
    qtbot.keyClick(review.table, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: pair(ctx, 2)["status"] == "rejected" and review.current_id == 3, timeout=5000)
    qtbot.keyClick(review.table, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: review.current_id == 4, timeout=5000)
    assert pair(ctx, 3)["status"] == "new"
    qtbot.keyClick(review.table, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: review.current_id == 3, timeout=5000)
    qtbot.keyClick(review.table, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: review.current_id == 4, timeout=5000)
    # typing "a" in the editor types, it does not approve
    qtbot.waitUntil(lambda: review.current_pair["id"] == 4 and not review.loading_pair, timeout=5000)
    assert review.editor.instruction.toPlainText() == "Question 3 about the VPN error 3"
    review.editor.instruction.setFocus()
    review.editor.instruction.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(review.editor.instruction, Qt.Key.Key_A)
    assert review.editor.instruction.toPlainText() == "Question 3 about the VPN error 3a"
    assert review.current_id == 4
    # while typing: Ctrl+Enter approves, Alt+Down moves on
    qtbot.keyClick(review.editor.instruction, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pair(ctx, 4)["status"] == "approved" and review.current_id == 5, timeout=5000)
    assert pair(ctx, 4)["instruction"] == "Question 3 about the VPN error 3a"  # saved first
    review.editor.response.setFocus()
    qtbot.keyClick(review.editor.response, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: review.current_id == 6, timeout=5000)


def test_undo_and_redo_follow_the_session(qtbot, review, ctx):
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: review.current_id == 2, timeout=5000)
    assert pair(ctx, 2)["status"] == "new"
    qtbot.keyClick(review.table, Qt.Key.Key_A)  # approve pair 2, move to pair 3
    qtbot.waitUntil(lambda: pair(ctx, 2)["status"] == "approved" and review.current_id == 3, timeout=5000)
    qtbot.waitUntil(lambda: review._undo_stack == [2], timeout=5000)
    qtbot.keyClick(review.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pair(ctx, 2)["status"] == "new", timeout=5000)
    qtbot.waitUntil(lambda: review.current_id == 2, timeout=5000)  # back to the pair that changed
    assert review.editor.status_chip.text() == "New"
    qtbot.keyClick(review.table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: pair(ctx, 2)["status"] == "approved", timeout=5000)
    qtbot.waitUntil(lambda: review.editor.status_chip.text() == "Approved", timeout=5000)

    # in the editor, Ctrl+Z undoes the saved text change through the engine
    review.editor.response.setFocus()
    review.editor.response.selectAll()
    qtbot.keyClicks(review.editor.response, "A better answer.")
    qtbot.keyClick(review.editor.response, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: review.editor.response.toPlainText() == "Answer 1: reset the VPN profile.",
                    timeout=5000)
    assert pair(ctx, 2)["response"] == "Answer 1: reset the VPN profile."
    history = ctx.worker.run_sync(engine_pairs.history, 2)
    assert any(h["new_value"] == "A better answer." and h["undone"] for h in history)


def test_redact_replaces_personal_data(qtbot, review, ctx, monkeypatch):
    """A stand-in for the redaction module checks the wiring (shortcut, save first, reload the
    texts); test_redact_with_the_engine below runs the real one."""
    calls = []

    def redact_pair(ws, pair_id):
        calls.append(pair_id)
        p = engine_pairs.get_pair(ws, pair_id)
        engine_pairs.update_pair(ws, pair_id, response=p["response"].replace("VPN", "[PRODUCT_1]"))
        return {"replaced": 1}

    monkeypatch.setitem(sys.modules, "engine.privacy.redact", types.SimpleNamespace(redact_pair=redact_pair))
    review.editor.instruction.moveCursor(QTextCursor.MoveOperation.End)
    messages = []
    ctx.sig_status_requested.connect(lambda m, t: messages.append(m))
    review.editor.instruction.setFocus()
    qtbot.keyClicks(review.editor.instruction, " (edited)")
    qtbot.keyClick(review.editor.instruction, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "[PRODUCT_1]" in review.editor.response.toPlainText(), timeout=5000)
    assert calls == [1]
    p = pair(ctx, 1)
    assert p["instruction"].endswith(" (edited)")  # saved before redacting
    assert "[PRODUCT_1]" in p["response"]
    assert any("Personal data replaced" in m for m in messages)


def test_redact_with_the_engine(qtbot, review, ctx, runner):
    ctx.worker.run_sync(engine_pairs.update_pair, 1,
                        response="Write to anna.berg@northwind-analytics.com or call +44 20 7946 0958.")
    review._load_pair(1)
    qtbot.waitUntil(lambda: "anna.berg@" in review.editor.response.toPlainText(), timeout=5000)
    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "anna.berg@" not in review.editor.response.toPlainText(), timeout=10000)
    assert "anna.berg@" not in pair(ctx, 1)["response"]
    qtbot.waitUntil(lambda: runner.refreshed == [[1]], timeout=5000)  # flags re-checked after


def test_flag_badges_next_flagged_and_refresh_after_edit(qtbot, ctx, runner):
    """The pair shows its open flags with their explanations; edits are re-checked by the flag
    runner when the user pauses; F jumps to the next flagged pair."""
    from desktop.pages.review import ReviewPage

    ctx.worker.run_sync(fill_pairs, 30)
    ctx.worker.run_sync(add_flag, [1], "pii", "high", "The question contains a person's name (Anna).")
    ctx.worker.run_sync(add_flag, [1, 20], "duplicate", "medium", "Pairs 1 and 20 ask the same thing.")
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    qtbot.waitUntil(lambda: page.current_pair is not None and page.current_id == 1, timeout=10000)
    qtbot.waitUntil(lambda: page.editor.badges.kinds() == ["pii", "duplicate"], timeout=5000)
    texts = [w.text() for w in page.editor.badges.findChildren(type(page.count_label))]
    assert "Personal data" in texts and "Duplicates" in texts
    assert any("person&#x27;s name" in t or "person's name" in t for t in texts)
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, 4)) == "⚑ 2", timeout=5000)

    page.editor.instruction.setFocus()
    qtbot.keyClicks(page.editor.instruction, "!")
    assert runner.refreshed == []  # not on every keystroke
    qtbot.waitUntil(lambda: runner.refreshed == [[1]], timeout=5000)

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: page.current_id == 20, timeout=5000)
    qtbot.keyClick(page.table, Qt.Key.Key_F)  # wraps around
    qtbot.waitUntil(lambda: page.current_id == 1, timeout=5000)

    # flagged only
    page.flagged_only.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)


# --- Bug hunt: keyboard-first review from the moment the page is picked. Clicking "Review" in the ---
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


# --- Bug hunt: the Review page's flag badges showed HTML entities: a conflict explanation with ---
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


pytest.importorskip("pytestqt")


def test_flag_explanations_show_quotes_and_angle_brackets_as_written(qtbot):
    from PySide6.QtWidgets import QLabel

    from desktop.widgets.pair_editor import FlagBadges

    explanation = ('Conflicting answers: HR-10130 says 31 March; pair #480 says 15 January. In their words: '
                   '"Investment proofs can be submitted until 31 March" / "The deadline is 15 January" <b>&</b>.')
    badges = FlagBadges()
    qtbot.addWidget(badges)
    badges.set_flags([{"id": 1, "kind": "conflict", "severity": "high", "explanation": explanation}])
    badges.show()
    labels = [w for w in badges.findChildren(QLabel) if w.objectName() == "flag-explanation"]
    assert len(labels) == 1
    label = labels[0]
    # what is drawn: the text as written (plain text), no entities
    shown = label.text() if label.textFormat() == label.textFormat().PlainText else None
    assert shown == explanation


def _shown(label) -> str:
    """The text a label draws (rich text rendered to plain)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def test_flag_views_show_answer_text_with_angle_brackets(qtbot):
    """Quoted answers are user text: "<IT desk>" or "< 5 days" must not vanish as an HTML tag."""
    from desktop.widgets.flag_views import ConflictView, SpanView

    pairs = {1: {"id": 1, "external_id": "HR-1", "instruction": "How do I get help?", "status": "new",
                 "response": "Call <IT desk> on 555-0100."},
             2: {"id": 2, "external_id": "HR-2", "instruction": "How do I get help?", "status": "new",
                 "response": "Email the IT desk."}}
    conflict = ConflictView()
    qtbot.addWidget(conflict)
    conflict.set_flag({"id": 7, "kind": "conflict", "pair_ids": [1, 2], "status": "open",
                       "explanation": 'In their words: "Call <IT desk> on 555-0100" / "Email the IT desk".',
                       "details": {"facts": [{"what": "contact", "values": {"1": "<IT desk>", "2": "email"}}]}},
                      pairs)
    text = _shown(conflict.explanation)
    assert '"Call <IT desk> on 555-0100"' in text
    assert "contact: <IT desk> (HR-1) vs email (HR-2)" in text

    tone = SpanView("tone")
    qtbot.addWidget(tone)
    tone.set_flag({"id": 8, "kind": "tone", "pair_ids": [1], "status": "open",
                   "explanation": "Sounds curt: <IT desk> & no greeting.",
                   "details": {"phrases": [{"phrase": "<IT desk>", "why": "an order, not help"}]}}, pairs)
    text = _shown(tone.explanation)
    assert "Sounds curt: <IT desk> & no greeting." in text
    assert "“<IT desk>”: an order, not help" in text


def test_freeze_warnings_show_angle_brackets(qtbot, ctx):
    from desktop.pages.dataset import DatasetPage

    page = DatasetPage(ctx)
    qtbot.addWidget(page)
    page._frozen({"version_id": 3, "name": "v1", "train": 10, "heldout": 2,
                  "warnings": [{"message": "Topic <IT desk> has only 2 approved pairs."}]})
    assert "Topic <IT desk> has only 2 approved pairs." in _shown(page.freeze_result)
    ctx.worker.wait_idle(10)
