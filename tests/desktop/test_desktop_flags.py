"""Flags page: resolve a duplicate and a conflict, edit a needs-context answer in place, redact."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")
from desktop_helpers import app_context  # noqa: E402
from engine.flags import runner  # noqa: E402
from flag_helpers import FLAG_PAIRS, fake_embedder  # noqa: E402

PAIRS = FLAG_PAIRS + [
    # 7: personal data
    ("Why was my payslip wrong?", "Hi, I emailed maria.lopez@northwind.example about your payslip; it is fixed."),
]


@pytest.fixture
def ctx(qtbot, tmp_path, monkeypatch):
    from desktop.settings import Settings

    monkeypatch.setattr(runner, "_embedder", fake_embedder)
    with app_context(Settings(tmp_path / "settings.ini"), tmp_path / "ws", _fill) as c:
        yield c


def _fill(ws):
    from engine.review.pairs import add_pair

    for q, a in PAIRS:
        add_pair(ws, q, a, status="approved")
    a4 = PAIRS[3][1]
    a5 = PAIRS[4][1]
    conflict = {"similarity": 0.9, "facts": [{
        "dimension": "duration", "what": "how long",
        "values": {"4": "12 days", "5": "30 days"},
        "spans": {"4": [a4.index("12 days"), a4.index("12 days") + 7],
                  "5": [a5.index("30 days"), a5.index("30 days") + 7]}}]}
    ws.execute(
        """INSERT INTO flags (kind, severity, score, pair_ids, explanation, details, status, fingerprint)
           VALUES ('duplicate', 'medium', 0.95, [1, 2, 3], '3 pairs ask the same question.', ?, 'open', 'd1'),
                  ('conflict', 'high', 0.9, [4, 5], 'These answers disagree on how long the leave is.', ?, 'open', 'c1')""",
        [json.dumps({"exact": False, "keep": 2}), json.dumps(conflict)],
    )


def _page(ctx, qtbot, kind):
    from desktop.pages.flags import FlagsPage

    page = FlagsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.show_kind(kind)
    page.activate()
    assert ctx.worker.wait_idle(30)
    return page


def _pair(ctx, pid):
    return ctx.worker.run_sync(lambda ws: ws.query("SELECT response, status FROM pairs WHERE id = ?", [pid])[0])


def test_tabs_show_counts_and_the_duplicate_cluster(ctx, qtbot):
    page = _page(ctx, qtbot, "duplicate")
    assert page.tabs.tabText(0) == "Duplicates (1)"
    assert page.tabs.tabText(1) == "Conflicting answers (1)"
    view = page.dup_view
    assert page.kind_tabs["duplicate"].stack.currentWidget() is view
    assert [c.pair["id"] for c in view.columns.cards] == [1, 2, 3]
    assert view.chosen() == 2  # the engine's suggestion is preselected
    assert "Use the self-service portal" in view.columns.cards[1].answer.toPlainText()


def test_keep_one_duplicate_rejects_the_others(ctx, qtbot):
    page = _page(ctx, qtbot, "duplicate")
    page.dup_view.choose(1)
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        page.dup_view.keep_button.click()
    assert ctx.worker.wait_idle(30)
    assert _pair(ctx, 1)["status"] == "approved"
    assert _pair(ctx, 2)["status"] == "rejected" and _pair(ctx, 3)["status"] == "rejected"
    status = ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM flags WHERE fingerprint = 'd1'"))
    assert status == "resolved"
    assert page.tabs.tabText(0) == "Duplicates (0)"
    assert page.kind_tabs["duplicate"].list.count() == 0


def test_merge_duplicates_keeps_the_extra_sentence(ctx, qtbot):
    page = _page(ctx, qtbot, "duplicate")
    page.dup_view.choose(1)
    page.dup_view.merge_button.click()
    dialog = page.merge_dialog
    assert dialog is not None and dialog.isVisible()
    assert "You need your MFA phone for it." in dialog.text()
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        dialog.accept()
    assert ctx.worker.wait_idle(30)
    kept = _pair(ctx, 1)
    assert kept["response"].startswith("Open the self-service portal") and "MFA phone" in kept["response"]
    assert _pair(ctx, 2)["status"] == "rejected"


def test_mark_duplicates_as_different_dismisses(ctx, qtbot):
    page = _page(ctx, qtbot, "duplicate")
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        page.dup_view.different_button.click()
    assert ctx.worker.wait_idle(30)
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM flags WHERE fingerprint = 'd1'")) == "dismissed"
    assert [_pair(ctx, i)["status"] for i in (1, 2, 3)] == ["approved"] * 3


def test_conflict_right_answer_copy_and_undo(ctx, qtbot):
    page = _page(ctx, qtbot, "conflict")
    view = page.conflict_view
    assert page.kind_tabs["conflict"].stack.currentWidget() is view
    # the differing facts are highlighted in each answer
    painted = [[s.cursor.selectedText() for s in c.answer.extraSelections()] for c in view.columns.cards]
    assert painted == [["12 days"], ["30 days"]]
    assert "12 days" in view.explanation.text() and "30 days" in view.explanation.text()

    right = [b for b in view.right_buttons if b.property("pair_id") == 5][0]
    right.click()
    assert ctx.worker.wait_idle(30)
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM flags WHERE fingerprint = 'c1'")) == "resolved"
    assert _pair(ctx, 4)["status"] == "rejected"
    dialog = page.copy_dialog
    assert dialog is not None and dialog.isVisible()
    copy = [b for b in dialog.buttons() if b.text() == "Copy the right answer"][0]
    copy.click()
    assert ctx.worker.wait_idle(30)
    fixed = _pair(ctx, 4)
    assert fixed["response"] == PAIRS[4][1] and fixed["status"] == "new"
    assert not page.banner.isHidden() and "back in the review queue" in page.banner_label.text()

    page.undo_button.click()
    assert ctx.worker.wait_idle(30)
    undone = _pair(ctx, 4)
    assert undone["response"] == PAIRS[3][1] and undone["status"] == "rejected"
    assert page.banner.isHidden()


def test_needs_context_edit_in_place_clears_the_flag(ctx, qtbot):
    ctx.worker.run_sync(lambda ws: runner.run_flags(ws, kinds=["needs_context"]))
    page = _page(ctx, qtbot, "needs_context")
    view = page.span_views["needs_context"]
    assert page.kind_tabs["needs_context"].list.count() == 1
    assert view.pair["id"] == 6
    assert any("as discussed" in t.lower() for t in view.highlighted_texts())
    assert not view.save_button.isEnabled()
    view.answer.setPlainText("Yes: ask your manager to approve it in the IT portal; monitors ship in 3 days.")
    assert view.save_button.isEnabled()
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        view.save_button.click()
    assert ctx.worker.wait_idle(30)
    assert _pair(ctx, 6)["response"].startswith("Yes: ask your manager")
    assert ctx.worker.run_sync(lambda ws: runner.list_flags(ws, kind="needs_context", status="open")) == []
    assert page.kind_tabs["needs_context"].list.count() == 0
    assert page.tabs.tabText(3) == "Needs context (0)"


def test_pii_spans_highlighted_and_redacted(ctx, qtbot):
    pytest.importorskip("engine.privacy.redact")
    ctx.worker.run_sync(lambda ws: runner.run_flags(ws, kinds=["pii"]))
    page = _page(ctx, qtbot, "pii")
    view = page.span_views["pii"]
    assert view.pair is not None and view.pair["id"] == 7
    assert "maria.lopez@northwind.example" in view.highlighted_texts()
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        view.redact_button.click()
    assert ctx.worker.wait_idle(30)
    after = _pair(ctx, 7)["response"]
    assert "maria.lopez@northwind.example" not in after and "[" in after
    assert ctx.worker.run_sync(lambda ws: runner.list_flags(ws, kind="pii", status="open", pair_id=7)) == []


def test_redact_all_with_progress(ctx, qtbot):
    pytest.importorskip("engine.privacy.redact")
    from engine.review.pairs import add_pair

    ctx.worker.run_sync(lambda ws: add_pair(ws, "Call me back", "Sure, I called 415-555-0134 and emailed ann@example.com."))
    ctx.worker.run_sync(lambda ws: runner.run_flags(ws, kinds=["pii"]))
    page = _page(ctx, qtbot, "pii")
    assert page.kind_tabs["pii"].list.count() == 2
    page.redact_all_button.click()  # asks first: it changes every pair
    box = page.redact_all_dialog
    assert box.isVisible() and box.windowTitle() == "Redact all personal data?"
    before = ctx.worker.run_sync(lambda ws: [r[0] for r in ws.execute("SELECT response FROM pairs").fetchall()])
    assert any("ann@example.com" in t for t in before)  # nothing changed yet
    box.button(box.StandardButton.Yes).click()
    assert not page.redact_all_button.isEnabled()
    assert ctx.worker.wait_idle(30)
    qtbot.waitUntil(page.redact_all_button.isEnabled, timeout=5000)
    texts = ctx.worker.run_sync(lambda ws: [r[0] for r in ws.execute("SELECT response FROM pairs").fetchall()])
    assert not any("ann@example.com" in t or "maria.lopez@" in t for t in texts)
    qtbot.waitUntil(lambda: page.kind_tabs["pii"].list.count() == 0, timeout=5000)


def test_redact_all_can_be_called_off(ctx, qtbot):
    pytest.importorskip("engine.privacy.redact")
    from engine.review.pairs import add_pair

    ctx.worker.run_sync(lambda ws: add_pair(ws, "Call me back", "Sure, I emailed ann@example.com."))
    page = _page(ctx, qtbot, "pii")
    page.redact_all_button.click()
    box = page.redact_all_dialog
    assert box.isVisible()
    box.button(box.StandardButton.Cancel).click()
    assert ctx.worker.wait_idle(30)
    assert page.redact_all_button.isEnabled()
    texts = ctx.worker.run_sync(lambda ws: [r[0] for r in ws.execute("SELECT response FROM pairs").fetchall()])
    assert any("ann@example.com" in t for t in texts)


def test_highlights_after_an_emoji_cover_the_right_text(qtbot):
    """Spans are Python (code point) offsets; Qt counts UTF-16 units, where an emoji is two."""
    from PySide6.QtWidgets import QTextEdit

    from desktop.widgets.flag_views import highlight

    edit = QTextEdit()
    qtbot.addWidget(edit)
    text = "😡😡 mail a@b.com or call 555 0100 😀 now"
    edit.setPlainText(text)
    start = text.index("a@b.com")
    assert highlight(edit, [{"start": start, "end": start + len("a@b.com"), "label": "email"}], ["now"]) == 2
    assert [sel.cursor.selectedText() for sel in edit.extraSelections()] == ["a@b.com", "now"]


def test_policy_sheet_beside_the_conflicts_and_policy_flags(ctx, qtbot, tmp_path):
    sheet = tmp_path / "policy.md"
    sheet.write_text("- Parental leave is 30 days of parental leave.\n")
    page = _page(ctx, qtbot, "conflict")
    assert page.policy_panel.isVisibleTo(page) and "No policy sheet loaded" in page.policy_label.text()
    page.load_policy(str(sheet))
    assert ctx.worker.wait_idle(60)
    qtbot.waitUntil(lambda: page.policy_list.count() == 1, timeout=10000)
    assert "policy.md" in page.policy_label.text()
    assert page.policy_list.item(0).text() == "parental leave: 30 days"
    assert page.policy_button.text() == "Replace policy sheet…"
    # "12 days of parental leave" (pair 4) contradicts the sheet: one policy flag, shown on its tab
    page.show_kind("policy")
    assert ctx.worker.wait_idle(30)
    qtbot.waitUntil(lambda: page.kind_tabs["policy"].list.count() == 1, timeout=10000)
    assert "The policy says 30 days" in page.kind_tabs["policy"].flags[0]["explanation"]
    assert page.tabs.tabText(page.tabs.indexOf(page.kind_tabs["policy"])) == "Against the policy (1)"
    assert not page.tabs.isTabVisible(page.tabs.indexOf(page.kind_tabs["ticket_changed"]))  # none to show


def test_a_grown_ticket_flag_from_the_import_has_its_tab_and_can_be_dismissed(ctx, qtbot):
    # the import raises `ticket_changed` when a reviewed ticket grew in a newer export; a full pass
    # of the detectors leaves it alone, and the Flags page shows it where it can be dismissed
    ctx.worker.run_sync(lambda ws: ws.execute(
        """INSERT INTO flags (kind, severity, score, pair_ids, explanation, details, status, fingerprint)
           VALUES ('ticket_changed', 'medium', 1.0, [6], 'Ticket 5109 has 2 new messages since this pair was reviewed.',
                   '{}', 'open', 'ticket_changed:5109')"""))
    ctx.worker.run_sync(lambda ws: runner.run_flags(ws, kinds=["tone"]))
    page = _page(ctx, qtbot, "ticket_changed")
    i = page.tabs.currentIndex()
    assert page.tabs.tabText(i) == "Ticket changed (1)"
    view = page.span_views["ticket_changed"]
    assert view.pair is not None and view.pair["id"] == 6
    assert not view.redact_button.isVisible()
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        view.dismiss_button.click()
    assert ctx.worker.wait_idle(30)
    status = ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM flags WHERE fingerprint = 'ticket_changed:5109'"))
    assert status == "dismissed"
