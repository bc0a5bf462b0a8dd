"""Bug hunt: layout at a small window (1024x700). Once the Flags page had been shown, the window
could not be narrower than 1124 px (the Duplicates view's three buttons in one row set the
minimum), and a long progress message in the status bar widened the window too: on a 1024-wide
screen the window ran off the side."""

from __future__ import annotations

import threading

from desktop_helpers import ctx, fill_pairs, settings, window  # noqa: F401

PAGES = ("import", "review", "flags", "dataset", "train", "evaluate", "playground")


def test_every_page_fits_a_1024_wide_window(qtbot, window, ctx):
    ctx.worker.run_sync(fill_pairs, 20)
    for name in PAGES:
        window.go_to(name)
        ctx.worker.wait_idle(10)
        window.resize(1024, 700)
        qtbot.wait(20)
        assert window.minimumSizeHint().width() <= 1024, name
        assert window.width() == 1024, name


def test_a_long_progress_message_does_not_widen_a_small_window(qtbot, window, ctx):
    release = threading.Event()

    def slow(ws, progress=None, cancel=None):
        progress(1234, 5000, "comparing every question with every other question for duplicates "
                             "(1,234 of 5,000)")
        release.wait(10)
        return {}

    window.resize(1024, 700)
    window.go_to("review")
    ctx.worker.wait_idle(10)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5000)
    try:
        ctx.run_with_progress("Finding problems", slow)
        strip = ctx.progress_widget
        qtbot.waitUntil(lambda: "1,234 of 5,000" in strip.label.toolTip(), timeout=5000)
        qtbot.wait(100)
        assert window.minimumSizeHint().width() <= 1024
        assert window.width() == 1024
    finally:
        release.set()
        ctx.worker.wait_idle(10)


def _fits(label) -> bool:
    """The label draws its whole text: on one line, or wrapped into the height it was given."""
    if label.wordWrap():
        return label.heightForWidth(label.width()) <= label.height()
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()


def test_review_save_state_is_not_clipped_in_a_small_window(qtbot, window, ctx):
    from engine.review import pairs as engine_pairs

    ctx.worker.run_sync(fill_pairs, 5)
    ctx.worker.run_sync(lambda ws: engine_pairs.update_pair(ws, 1, response="Reset the VPN profile in the portal."))
    window.resize(1024, 700)
    window.go_to("review")
    page = window.page("review")
    qtbot.waitUntil(lambda: page.current_id == 1 and not page.loading_pair, timeout=10000)
    qtbot.wait(50)
    label = page.editor.save_state
    assert label.text().startswith("Last saved")
    assert _fits(label), (label.text(), label.width())


def test_scrolling_pages_need_no_sideways_scrolling_at_1024(qtbot, window, ctx):
    """The Dataset page was wider than a 1024 px window: Refresh and "Freeze dataset version" were
    cut off at the right behind a horizontal scroll bar."""
    from PySide6.QtWidgets import QScrollArea

    from engine.review.pairs import add_pair

    def fill(ws):
        for i in range(30):
            add_pair(ws, f"How many vacation days do I get in year {i}?", "Full-time staff get 25 days.",
                     status="approved" if i % 3 else "new")

    ctx.worker.run_sync(fill)
    window.resize(1024, 700)
    for name in ("dataset", "train"):
        window.go_to(name)
        ctx.worker.wait_idle(30)
        qtbot.wait(100)
        page = window.page(name)
        scroll = page.findChild(QScrollArea)
        assert scroll.horizontalScrollBar().maximum() == 0, name


def test_dataset_held_out_share_is_not_clipped_at_1024(qtbot, window, ctx):
    window.resize(1024, 700)
    window.go_to("dataset")
    ctx.worker.wait_idle(30)
    qtbot.wait(50)
    page = window.page("dataset")
    assert page.holdout_label.text() == "20% held out"
    assert _fits(page.holdout_label)


def test_a_long_workspace_name_is_elided_in_the_side_bar(qtbot, window, ctx, tmp_path):
    from engine.workspace.store import Workspace

    long_name = tmp_path / "Northwind People Operations helpdesk export 2026"
    Workspace.create(long_name).close()
    window.open_workspace(str(long_name))
    qtbot.waitUntil(lambda: ctx.workspace_path == str(long_name), timeout=10000)
    label = window.workspace_label
    assert label.toolTip() == str(long_name)
    assert label.text().endswith("…") and label.text() != long_name.name
    assert _fits(label)
    assert window.windowTitle().startswith("Northwind People Operations")  # the title keeps it whole
