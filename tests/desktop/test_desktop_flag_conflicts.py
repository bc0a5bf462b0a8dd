"""Flags page: a conflict between claims shows one group per value (how many answers say it, its
tickets newest first, the policy's side marked); "This value is right" lists the answers stating
another value, fixes the checked ones, rejects the rest, and Undo puts them back."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")
from desktop_helpers import app_context  # noqa: E402
from engine.flags import runner  # noqa: E402
from flag_helpers import add_tickets, fake_embedder  # noqa: E402

ROWS = [
    ("CS-101", "How much annual leave per year?", "Annual leave is 20 days per year, credited monthly."),
    ("CS-102", "how much annual leave per year", "Annual leave is 25 days per year, paid in January."),
    ("CS-103", "How much annual leave do we get per year?", "Annual leave is 20 days per year."),
    ("CS-104", "How much annual leave per year??", "Annual leave is 20 days per year, ask your lead first."),
    ("CS-105", "annual leave per year?", "Annual leave is 25 days per year."),
    ("CS-106", "How much annual leave per year, please?", "Annual leave is 20 days per year, credited monthly!"),
]


@pytest.fixture
def ctx(qtbot, tmp_path, monkeypatch):
    from desktop.settings import Settings

    monkeypatch.setattr(runner, "_embedder", fake_embedder)

    def fill(ws):
        add_tickets(ws, ROWS, status="approved")
        runner.run_flags(ws, kinds=["conflict"])

    with app_context(Settings(tmp_path / "settings.ini"), tmp_path / "ws", fill) as c:
        yield c


def _page(ctx, qtbot):
    from desktop.pages.flags import FlagsPage

    page = FlagsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.show_kind("conflict")
    page.activate()
    assert ctx.worker.wait_idle(30)
    qtbot.waitUntil(lambda: len(page.conflict_view.value_groups) == 2, timeout=10000)
    return page


def _pairs(ctx):
    return ctx.worker.run_sync(lambda ws: {r["external_id"]: r for r in ws.query(
        "SELECT t.external_id, p.id, p.response, p.status FROM pairs p JOIN tickets t ON t.id = p.ticket_id")})


def test_values_grouped_with_counts_newest_first_and_resolve_fixes_the_others(ctx, qtbot):
    page = _page(ctx, qtbot)
    view = page.conflict_view
    assert not view.columns.isVisibleTo(view)  # no card per pair: one group per value
    groups = {g.value: g for g in view.value_groups}
    assert set(groups) == {"20 days per year", "25 days per year"}
    assert [g.count for g in view.value_groups] == [4, 2]  # the value most answers state first
    assert "4 answers say" in view.value_groups[0].header.text()
    assert "2 answers say" in view.value_groups[1].header.text()
    # each value's tickets, newest first
    assert [t.split(" · ")[0] for t in groups["20 days per year"].ticket_texts()] == ["CS-106", "CS-104", "CS-103", "CS-101"]
    assert [t.split(" · ")[0] for t in groups["25 days per year"].ticket_texts()] == ["CS-105", "CS-102"]
    # the newest ticket of the first value is shown, its value highlighted
    assert view.preview is not None and view.preview.pair["external_id"] == "CS-106"
    assert [s.cursor.selectedText() for s in view.preview.answer.extraSelections()] == ["20 days"]
    groups["25 days per year"].tickets.setCurrentRow(1)
    assert view.preview.pair["external_id"] == "CS-102"

    groups["20 days per year"].right_button.click()
    qtbot.waitUntil(lambda: page.resolve_dialog is not None and page.resolve_dialog.isVisible(), timeout=10000)
    dialog = page.resolve_dialog
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert texts == ["CS-105 · says 25 days: fix it to 20 days",
                     "CS-102 · says 25 days: fix it to 20 days"]
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM flags WHERE kind = 'conflict'")) == "open"
    from PySide6.QtCore import Qt

    dialog.list.item(0).setCheckState(Qt.Unchecked)  # CS-105 stays rejected
    with qtbot.waitSignal(ctx.sig_flags_changed, timeout=20000):
        dialog.accept()
    assert ctx.worker.wait_idle(30)
    pairs = _pairs(ctx)
    assert pairs["CS-102"]["response"] == "Annual leave is 20 days per year, paid in January."
    assert pairs["CS-102"]["status"] == "new"  # back in the review queue
    assert pairs["CS-105"]["status"] == "rejected" and pairs["CS-105"]["response"] == ROWS[4][2]
    assert all(pairs[t]["status"] == "approved" for t in ("CS-101", "CS-103", "CS-104", "CS-106"))
    assert ctx.worker.run_sync(lambda ws: ws.scalar("SELECT status FROM flags WHERE kind = 'conflict'")) == "resolved"
    assert "1 fixed" in page.banner_label.text() and "1 rejected" in page.banner_label.text()

    page.undo_button.click()
    assert ctx.worker.wait_idle(30)
    back = _pairs(ctx)["CS-102"]
    assert back["response"] == ROWS[1][2] and back["status"] == "rejected"


def test_the_policy_side_is_marked(ctx, qtbot, tmp_path):
    sheet = tmp_path / "policy.md"
    sheet.write_text("- Annual leave is 25 days per year.\n")
    page = _page(ctx, qtbot)
    page.load_policy(str(sheet))
    assert ctx.worker.wait_idle(60)
    view = page.conflict_view
    qtbot.waitUntil(lambda: any(g.policy for g in view.value_groups), timeout=10000)
    marked = [g.value for g in view.value_groups if g.policy]
    assert marked == ["25 days per year"]
    assert "matches the policy" in [g for g in view.value_groups if g.policy][0].header.text()
