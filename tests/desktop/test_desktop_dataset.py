"""Dataset health page: the charts get the workspace's figures; freezing makes a version."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from desktop_helpers import ctx, settings  # noqa: F401,E402  (the shared AppContext fixture)

pytest.importorskip("pytestqt")

TOPICS = [
    ("How do I reset my VPN password?", "Open the self-service portal and choose Reset VPN password."),
    ("How many vacation days do I get?", "Full-time staff get 25 vacation days a year, prorated."),
    ("My laptop will not turn on", "Hold the power button for 15 seconds, then plug in the charger."),
    ("How do I claim travel expenses?", "Submit receipts in the expenses tool within 30 days."),
    ("Where do I find my payslip?", "Payslips are in the HR portal under Pay > Documents."),
]




def _fill(ws, n_per_topic=8, approve=True):
    from engine.review.pairs import add_pair

    ids = []
    for i in range(n_per_topic):
        for q, a in TOPICS:
            ids.append(add_pair(ws, f"{q} (case {i})", a + " " + "More detail. " * (i % 4),
                                status="approved" if approve and i % 4 else "new"))
    ws.execute("""INSERT INTO flags (kind, severity, score, pair_ids, explanation, status)
                  VALUES ('tone', 'medium', 0.7, [1], 'Sounds curt', 'open'),
                         ('tone', 'low', 0.6, [2], 'Sounds curt', 'open'),
                         ('pii', 'high', 1.0, [3], 'An email address', 'open'),
                         ('conflict', 'high', 0.9, [4, 5], 'Answers disagree', 'dismissed')""")
    return ids


def test_dataset_page_draws_health(ctx, qtbot):
    from desktop.pages.dataset import DatasetPage

    ctx.worker.run_sync(_fill)
    page = DatasetPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    h = page.health
    assert h is not None and h["approved"] == 30 and h["pairs"] == 40
    assert page.target_bar.value == 30
    assert page.target_bar.color() == "#E45756"  # under the 500 floor: red
    assert "470 more" in page.approved_note.text()
    # open flags only, by kind, in the fixed order with their UI names
    assert page.flags_chart.labels[:5] == ["Duplicates", "Conflicting answers", "Tone", "Needs context",
                                           "Personal data"]
    assert page.flags_chart.values[:5] == [0, 0, 2, 0, 1]
    assert sum(page.length_chart.counts) == 40
    assert page.topic_table.rowCount() >= 2
    assert sum(page.topic_chart.values) <= 40 and page.topic_chart.values
    assert page.versions_table.rowCount() == 0
    assert not page.grab().isNull()


def test_freeze_from_the_page_shows_warnings_and_the_version(ctx, qtbot):
    from desktop.pages.dataset import DatasetPage

    ctx.worker.run_sync(_fill)
    page = DatasetPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    assert page.holdout_slider.value() == 20
    page.holdout_slider.setValue(15)
    assert page.holdout_label.text() == "15% held out"
    with qtbot.waitSignal(ctx.sig_dataset_changed, timeout=30000):
        page.freeze_button.click()
    assert ctx.worker.wait_idle(30)
    result = page.last_freeze
    assert result["train"] + result["heldout"] == 30 and result["heldout"] > 0
    assert "floor" in page.freeze_result.text() or "500" in page.freeze_result.text()  # few_pairs warning
    assert page.versions_table.rowCount() == 1
    assert page.versions_table.item(0, 4).text() == "15%"
    stored = ctx.worker.run_sync(lambda ws: ws.scalar("SELECT holdout FROM dataset_versions"))
    assert stored == pytest.approx(0.15)


def test_freeze_with_nothing_approved_says_why(ctx, qtbot):
    from desktop.pages.dataset import DatasetPage

    ctx.worker.run_sync(lambda ws: _fill(ws, 2, approve=False))
    page = DatasetPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    page.freeze_button.click()
    assert ctx.worker.wait_idle(30)
    assert "no approved pairs" in page.freeze_result.text()
    assert page.freeze_button.isEnabled()


# --- Bug hunt: chart axes. pyqtgraph scales an axis by an SI factor on its own, so an empty ---
def _labels(chart) -> str:
    item = chart.getPlotItem()
    return " ".join(item.getAxis(n).labelString() for n in ("left", "bottom"))


def test_empty_histogram_axis_has_no_scale_factor(qtbot):
    from desktop.widgets.charts import Histogram

    chart = Histogram(value_label="answer length (words)")
    qtbot.addWidget(chart)
    chart.resize(480, 220)
    chart.show()
    chart.set_values([])
    qtbot.wait(50)
    assert "x0.001" not in _labels(chart) and "(x" not in _labels(chart)


def test_big_counts_are_not_shown_in_thousands(qtbot):
    from desktop.widgets.charts import BarChart, Histogram

    bars = BarChart(horizontal=True, value_label="pairs")
    qtbot.addWidget(bars)
    bars.resize(600, 300)
    bars.show()
    bars.set_data(["vpn, password", "leave, sick"], [48000, 22000], ["#4C78A8", "#4C78A8"],
                  value_format="{:.0f}", integer=True)
    hist = Histogram(value_label="answer length (words)")
    qtbot.addWidget(hist)
    hist.resize(480, 220)
    hist.show()
    hist.set_values([40] * 30000 + [12] * 5000)
    qtbot.wait(50)
    for chart in (bars, hist):
        assert "(x" not in _labels(chart), _labels(chart)
