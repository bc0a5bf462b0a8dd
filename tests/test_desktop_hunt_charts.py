"""Bug hunt: chart axes. pyqtgraph scales an axis by an SI factor on its own, so an empty
answer-length chart read "pairs (x0.001)" with ticks 200..800, and a big workspace's charts read
"pairs (x1000)": numbers an HR user cannot read. Axes show plain numbers."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")


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
