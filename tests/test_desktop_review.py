"""The review queue: the lazily paged table model, filters, saving as you type, keyboard
actions, undo/redo, redaction and flag badges."""

from __future__ import annotations

import sys
import types

import pytest
from desktop_helpers import add_flag, ctx, fill_pairs, settings  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from engine.review import pairs as engine_pairs


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
    from desktop.models.pair_query import PairFilter, count_matching
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
    """The redaction module is another engineer's: a stand-in with its signature checks the
    wiring (shortcut, save first, reload the texts)."""
    calls = []

    def redact_pair(ws, pair_id):
        calls.append(pair_id)
        p = engine_pairs.get_pair(ws, pair_id)
        engine_pairs.update_pair(ws, pair_id, response=p["response"].replace("VPN", "[PRODUCT_1]"))
        return {"replaced": 1}

    monkeypatch.setitem(sys.modules, "engine.privacy.redact", types.SimpleNamespace(redact_pair=redact_pair))
    review.editor.instruction.moveCursor(QTextCursor.MoveOperation.End)
    messages = []
    ctx.status_requested.connect(lambda m, t: messages.append(m))
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


def test_redact_without_the_module_says_so(qtbot, review, ctx, monkeypatch):
    monkeypatch.setitem(sys.modules, "engine.privacy.redact", None)  # import fails
    messages = []
    ctx.status_requested.connect(lambda m, t: messages.append(m))
    review.redact()
    qtbot.waitUntil(lambda: any("not available" in m for m in messages), timeout=5000)


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


def test_flags_missing_module_shows_none(qtbot, review, monkeypatch):
    import engine.flags
    from desktop.models import pair_ops

    monkeypatch.setitem(sys.modules, "engine.flags.runner", None)
    monkeypatch.delattr(engine.flags, "runner", raising=False)
    assert review.ctx.worker.run_sync(pair_ops.list_flags, 1) == []
    assert review.ctx.worker.run_sync(pair_ops.refresh_flags, 1) is False
