"""Flags page: an edit typed on the Tone / Needs context / Personal data views is kept when the
user picks another flag, another tab or another page before pressing "Save my edit"."""

from __future__ import annotations

import pytest
from desktop_helpers import add_flag, ctx, fill_pairs, settings, window  # noqa: F401

pytest.importorskip("pytestqt")


def _response(ctx, pid: int) -> str:
    return ctx.worker.run_sync(lambda ws: ws.scalar("SELECT response FROM pairs WHERE id = ?", [pid]))


def _setup(qtbot, window, ctx):
    ctx.worker.run_sync(fill_pairs, 4)
    ctx.worker.run_sync(lambda ws: add_flag(ws, [2], kind="tone", explanation="Sounds curt."))
    ctx.worker.run_sync(lambda ws: add_flag(ws, [3], kind="tone", explanation="Sounds curt too."))
    window.go_to("flags")
    page = window.page("flags")
    page.show_kind("tone")
    ctx.worker.wait_idle(10)
    view = page.span_views["tone"]
    qtbot.waitUntil(lambda: view.pair is not None and view.pair["id"] == 2, timeout=10000)
    view.answer.setPlainText("Happy to help: reset the VPN profile in the portal.")
    assert view.save_button.isEnabled()  # typed, not saved yet
    return page, view


def test_picking_another_flag_keeps_the_edit(qtbot, window, ctx):
    page, view = _setup(qtbot, window, ctx)
    page.kind_tabs["tone"].list.setCurrentRow(1)
    qtbot.waitUntil(lambda: view.pair is not None and view.pair["id"] == 3, timeout=10000)
    ctx.worker.wait_idle(10)
    assert _response(ctx, 2) == "Happy to help: reset the VPN profile in the portal."
    assert _response(ctx, 3) == "Answer 2: reset the VPN profile."


def test_leaving_the_page_keeps_the_edit(qtbot, window, ctx):
    page, view = _setup(qtbot, window, ctx)
    window.go_to("review")
    ctx.worker.wait_idle(10)
    assert _response(ctx, 2) == "Happy to help: reset the VPN profile in the portal."


def test_an_emptied_field_is_not_saved_and_says_so(qtbot, window, ctx):
    page, view = _setup(qtbot, window, ctx)
    messages = []
    ctx.sig_status_requested.connect(lambda m, t: messages.append(m))
    view.answer.setPlainText("   ")
    window.go_to("review")
    ctx.worker.wait_idle(10)
    assert _response(ctx, 2) == "Answer 1: reset the VPN profile."
    assert any("not saved" in m for m in messages)


def test_switching_tabs_keeps_the_edit(qtbot, window, ctx):
    page, view = _setup(qtbot, window, ctx)
    page.show_kind("pii")
    ctx.worker.wait_idle(10)
    assert _response(ctx, 2) == "Happy to help: reset the VPN profile in the portal."
