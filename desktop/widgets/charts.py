"""Small pyqtgraph charts used by the content pages (dataset health, train, evaluate).

Each chart is a plain widget with one `set_*` method that replaces what it shows, so a page can
call it again after every refresh. They keep the data they were given (`.values`, `.labels`...)
so tests can check what was drawn without reading pixels.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# one palette for every page: readable on white, distinguishable for most colour-blind readers
PALETTE = {
    "duplicate": "#4C78A8",
    "conflict": "#E45756",
    "tone": "#F58518",
    "needs_context": "#B279A2",
    "pii": "#54A24B",
}
BLUE = "#4C78A8"
ORANGE = "#F58518"
GREEN = "#54A24B"
RED = "#E45756"
GREY = "#9D9D9D"
TEXT = "#333333"


def _style(plot: pg.PlotWidget, *, left: str = "", bottom: str = "") -> None:
    plot.setBackground("w")
    item = plot.getPlotItem()
    item.showGrid(x=False, y=True, alpha=0.15)
    item.setMenuEnabled(False)
    item.hideButtons()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(GREY))
        axis.setTextPen(pg.mkPen(TEXT))
        axis.enableAutoSIPrefix(False)  # plain numbers, never "pairs (x0.001)"
    if left:
        item.setLabel("left", left, color=TEXT)
    if bottom:
        item.setLabel("bottom", bottom, color=TEXT)
    plot.setMouseEnabled(x=False, y=False)
    plot.setMinimumHeight(160)


def _short(text: str, width: int = 22) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


class BarChart(pg.PlotWidget):
    """Bars with text labels. `horizontal=True` puts the labels on the left axis (for long names)."""

    def __init__(self, parent: QWidget | None = None, *, horizontal: bool = False,
                 value_label: str = "", title: str = ""):
        super().__init__(parent)
        self.horizontal = horizontal
        _style(self, left="" if horizontal else value_label, bottom=value_label if horizontal else "")
        if title:
            self.getPlotItem().setTitle(title, color=TEXT, size="10pt")
        self.labels: list[str] = []
        self.values: list[float] = []
        self._items: list = []

    def set_data(self, labels: Sequence[str], values: Sequence[float],
                 colors: Sequence[str] | str | None = None, *, value_format: str = "{:g}",
                 integer: bool = False) -> None:
        self.clear()
        self._items = []
        self.labels = [str(x) for x in labels]
        self.values = [float(v) for v in values]
        n = len(self.values)
        if isinstance(colors, str) or colors is None:
            brushes = [pg.mkBrush(colors or BLUE)] * n
        else:
            brushes = [pg.mkBrush(c) for c in colors]
        positions = np.arange(n, dtype=float)
        top = max(self.values, default=0.0) or 1.0
        if self.horizontal:
            # first label at the top, as a reader scans
            ys = positions[::-1]
            bars = pg.BarGraphItem(x0=0, y=ys, height=0.6, width=self.values, brushes=brushes,
                                   pen=pg.mkPen(None))
            ticks = [(float(y), _short(lbl, 34)) for y, lbl in zip(ys, self.labels)]
            self.getPlotItem().getAxis("left").setTicks([ticks])
            self.getPlotItem().getAxis("bottom").setTicks(None)
            self.setXRange(0, top * 1.18, padding=0)
            self.setYRange(-0.6, max(n - 0.4, 0.6), padding=0)
        else:
            bars = pg.BarGraphItem(x=positions, height=self.values, width=0.6, brushes=brushes,
                                   pen=pg.mkPen(None))
            ticks = [(float(x), _short(lbl)) for x, lbl in zip(positions, self.labels)]
            self.getPlotItem().getAxis("bottom").setTicks([ticks])
            self.getPlotItem().getAxis("left").setTicks(None)
            self.setYRange(0, top * 1.18, padding=0)
            self.setXRange(-0.6, max(n - 0.4, 0.6), padding=0)
        self.addItem(bars)
        self._items.append(bars)
        if integer:
            step = _nice_step(top)
            ticks = [(float(v), f"{v:,}") for v in range(0, int(top * 1.18) + 1, step)]
            self.getPlotItem().getAxis("bottom" if self.horizontal else "left").setTicks([ticks])
        for i, value in enumerate(self.values):
            text = pg.TextItem(value_format.format(value), color=TEXT,
                               anchor=(0, 0.5) if self.horizontal else (0.5, 1))
            if self.horizontal:
                text.setPos(value + top * 0.01, float(ys[i]))
            else:
                text.setPos(float(positions[i]), value + top * 0.01)
            self.addItem(text)
            self._items.append(text)


class Histogram(pg.PlotWidget):
    """A histogram of numbers (e.g. answer lengths in words), with optional marker lines."""

    def __init__(self, parent: QWidget | None = None, *, value_label: str = "", count_label: str = "pairs"):
        super().__init__(parent)
        _style(self, left=count_label, bottom=value_label)
        self.counts: list[int] = []
        self.edges: list[float] = []

    def set_values(self, values: Sequence[float], bins: int = 30,
                   markers: Sequence[tuple[float, str]] = (), clip_quantile: float = 0.99) -> None:
        self.clear()
        data = np.asarray([v for v in values if v is not None], dtype=float)
        if data.size == 0:
            self.counts, self.edges = [], []
            self.addItem(_empty_text("No data yet"))
            return
        hi = float(np.quantile(data, clip_quantile)) if data.size > 20 else float(data.max())
        hi = max(hi, float(data.min()) + 1.0)
        if hi <= bins * 2 and np.allclose(data, np.round(data)):
            # small whole numbers (words): one bar per value (or per two), no gaps between them
            width = 1.0 if hi <= bins else 2.0
            edges_in = np.arange(0.0, hi + width + 1e-9, width) - 0.5
            counts, edges = np.histogram(np.clip(data, None, hi), bins=edges_in)
        else:
            counts, edges = np.histogram(np.clip(data, None, hi), bins=bins, range=(0.0, hi))
        self.counts, self.edges = counts.tolist(), edges.tolist()
        curve = pg.PlotCurveItem(edges, counts, stepMode="center", fillLevel=0,
                                 brush=pg.mkBrush(BLUE + "B0"), pen=pg.mkPen(BLUE))
        self.addItem(curve)
        for x, label in markers:
            line = pg.InfiniteLine(pos=x, angle=90, pen=pg.mkPen(ORANGE, width=1.5, style=Qt.DashLine),
                                   label=label, labelOpts={"position": 0.9, "color": TEXT})
            self.addItem(line)
        self.setXRange(float(edges[0]), float(edges[-1]), padding=0.02)
        self.setYRange(0, max(counts.max(), 1) * 1.1, padding=0)


class LossChart(pg.PlotWidget):
    """Training loss by step, plus held-out loss points when the trainer evaluates."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        _style(self, left="loss", bottom="step")
        self.getPlotItem().showGrid(x=True, y=True, alpha=0.15)
        self.addLegend(offset=(-10, 10), labelTextColor=TEXT)
        self.steps: list[float] = []
        self.losses: list[float] = []
        self.eval_steps: list[float] = []
        self.eval_losses: list[float] = []
        self._train = self.plot([], [], pen=pg.mkPen(BLUE, width=2), name="training loss")
        self._eval = self.plot([], [], pen=pg.mkPen(ORANGE, width=2, style=Qt.DashLine),
                               symbol="o", symbolSize=7, symbolBrush=ORANGE, symbolPen=None,
                               name="held-out loss")

    def reset(self) -> None:
        self.steps, self.losses, self.eval_steps, self.eval_losses = [], [], [], []
        self._train.setData([], [])
        self._eval.setData([], [])

    def add_step(self, step: float, loss: float) -> None:
        if loss is None or not math.isfinite(float(loss)):
            return
        self.steps.append(float(step))
        self.losses.append(float(loss))
        self._train.setData(self.steps, self.losses)

    def add_eval(self, step: float, loss: float) -> None:
        if loss is None or not math.isfinite(float(loss)):
            return
        self.eval_steps.append(float(step))
        self.eval_losses.append(float(loss))
        self._eval.setData(self.eval_steps, self.eval_losses)


def _nice_step(top: float, ticks: int = 5) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, 50...) giving about `ticks` ticks up to `top`."""
    raw = max(top / ticks, 1.0)
    magnitude = 10 ** int(math.floor(math.log10(raw)))
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return int(m * magnitude)
    return int(10 * magnitude)


def _empty_text(message: str) -> pg.TextItem:
    item = pg.TextItem(message, color=GREY, anchor=(0.5, 0.5))
    item.setPos(0.5, 0.5)
    return item


class TargetBar(QWidget):
    """How many approved pairs there are against the floor (500) and the target band (2,000-10,000).

    A square-root scale keeps the 500 floor readable next to 10,000. Red below the floor, orange
    between floor and target, green inside the target band.
    """

    def __init__(self, parent: QWidget | None = None, *, floor: int = 500,
                 target: tuple[int, int] = (2000, 10000)):
        super().__init__(parent)
        self.floor = floor
        self.target = target
        self.value = 0
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def set_value(self, value: int) -> None:
        self.value = int(value)
        self.update()

    def color(self) -> str:
        if self.value < self.floor:
            return RED
        if self.value < self.target[0]:
            return ORANGE
        return GREEN

    def _x(self, value: float, left: float, width: float, top: float) -> float:
        return left + width * math.sqrt(max(value, 0) / top)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        top = max(self.target[1] * 1.1, self.value * 1.05)
        left, width = 8.0, float(self.width() - 16)
        bar_y, bar_h = 10.0, 20.0
        # track, target band, fill
        p.setPen(Qt.NoPen)
        p.setBrush(QColor("#EEEEEE"))
        p.drawRoundedRect(QRectF(left, bar_y, width, bar_h), 4, 4)
        band = QColor(GREEN)
        band.setAlpha(45)
        p.setBrush(band)
        x0, x1 = self._x(self.target[0], left, width, top), self._x(self.target[1], left, width, top)
        p.drawRect(QRectF(x0, bar_y, x1 - x0, bar_h))
        p.setBrush(QColor(self.color()))
        fill = self._x(self.value, left, width, top) - left
        if fill > 0:
            p.drawRoundedRect(QRectF(left, bar_y + 4, fill, bar_h - 8), 3, 3)
        # markers with labels under the bar
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        p.setFont(font)
        for value, label in ((self.floor, f"{self.floor:,} minimum"),
                             (self.target[0], f"{self.target[0]:,}"),
                             (self.target[1], f"{self.target[1]:,} target")):
            x = self._x(value, left, width, top)
            p.setPen(QPen(QColor(TEXT), 1.5, Qt.DashLine))
            p.drawLine(QPointF(x, bar_y - 3), QPointF(x, bar_y + bar_h + 3))
            p.setPen(QColor(TEXT))
            text_w = p.fontMetrics().horizontalAdvance(label) + 4
            x_text = min(max(x - text_w / 2, 0.0), self.width() - text_w)
            p.drawText(QRectF(x_text, bar_y + bar_h + 4, text_w, 18), Qt.AlignHCenter | Qt.AlignTop, label)
        p.end()
