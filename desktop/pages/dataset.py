"""Dataset health: is there enough, clean enough, varied enough data to train? Then freeze a version.

Shows the approved pairs against the 500 floor and the 2,000-10,000 target, the open flags by
kind, the answer lengths, the topic coverage (question clusters with their top terms), the frozen
versions, and a "Freeze dataset version" button with the held-out share (15-20%).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QSlider, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.widgets.charts import GREY, PALETTE, BarChart, Histogram, TargetBar
from desktop.pages.base import Page, note_label as _note, scrolling_body

from engine.dataset import split as _split
from engine.flags.base import KIND_LABELS, KINDS as KIND_ORDER


FREEZE_HINT = "Freeze the approved pairs when the flags are resolved; training uses a frozen version."


def _health(ws) -> dict:
    return _split.health(ws)


def _versions(ws) -> list[dict]:
    return _split.list_versions(ws)


def _freeze(ws, holdout: float, progress=None, cancel=None) -> dict:
    return _split.freeze(ws, holdout=holdout, progress=progress, cancel=cancel)


def advice(approved: int, floor: int, target: tuple[int, int]) -> str:
    """One sentence about the approved count."""
    if approved < floor:
        return (f"{approved:,} approved pairs: approve at least {floor - approved:,} more to reach the "
                f"{floor:,}-pair minimum for a useful fine-tune.")
    if approved < target[0]:
        return (f"{approved:,} approved pairs: enough to try; {target[0]:,}-{target[1]:,} "
                f"is where fine-tunes get reliably good.")
    if approved <= target[1]:
        return f"{approved:,} approved pairs: inside the {target[0]:,}-{target[1]:,} target."
    return f"{approved:,} approved pairs: more than the target; quality matters more than quantity now."


def topic_label(terms: list[str], most: int = 3) -> str:
    """A short name for a topic from its top terms, skipping terms that repeat a word already used
    ("payslip", "payslip case" -> "payslip")."""
    used: set[str] = set()
    picked: list[str] = []
    for term in terms:
        words = set(str(term).lower().split())
        if words & used:
            continue
        picked.append(str(term))
        used |= words
        if len(picked) == most:
            break
    return ", ".join(picked)


def _card(title: str, body: QWidget, note: QLabel | None = None) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.addWidget(body, 1)
    if note is not None:
        layout.addWidget(note)
    return box


class DatasetPage(Page):
    name = "dataset"
    title = "Dataset health"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.health: dict[str, Any] | None = None
        self.versions: list[dict] = []
        self.last_freeze: dict | None = None
        self._loading = False

        root = scrolling_body(self, spacing=12)

        head = QHBoxLayout()
        heading = QLabel("<h2 style='margin:0'>Dataset health</h2>")
        head.addWidget(heading)
        head.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        head.addWidget(self.refresh_button)
        root.addLayout(head)

        # approved pairs against the floor and target, and the freeze action beside it
        self.approved_label = QLabel()
        self.approved_label.setStyleSheet("font-size: 15px;")
        self.approved_label.setWordWrap(True)  # fits a 1024 px window (no sideways scrolling)
        self.target_bar = TargetBar()
        self.approved_note = _note()
        amount = QWidget()
        al = QVBoxLayout(amount)
        al.setContentsMargins(0, 0, 0, 0)
        al.addWidget(self.approved_label)
        al.addWidget(self.target_bar)
        al.addWidget(self.approved_note)
        al.addStretch(1)

        freeze = QWidget()
        fl = QVBoxLayout(freeze)
        fl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.holdout_slider = QSlider(Qt.Horizontal)
        self.holdout_slider.setRange(15, 20)
        self.holdout_slider.setValue(20)
        self.holdout_slider.setTickPosition(QSlider.TicksBelow)
        self.holdout_slider.setTickInterval(1)
        self.holdout_slider.setMinimumWidth(90)
        self.holdout_slider.setToolTip("The share of pairs kept out of training to test the model (15-20%).")
        self.holdout_label = QLabel()
        self.holdout_label.setMinimumWidth(self.holdout_label.fontMetrics().horizontalAdvance("20% held out") + 4)
        self.holdout_slider.valueChanged.connect(self._holdout_changed)
        row.addWidget(self.holdout_slider, 1)
        row.addWidget(self.holdout_label)
        self.freeze_button = QPushButton("Freeze dataset version")
        self.freeze_button.setDefault(True)
        self.freeze_button.setToolTip(
            "Copies the approved pairs into a version that never changes; the held-out pairs are kept "
            "out of training to test the model honestly, near-duplicates always on the same side.")
        self.freeze_button.clicked.connect(self.freeze)
        row.addWidget(self.freeze_button)
        fl.addLayout(row)
        self.freeze_result = QLabel(FREEZE_HINT)
        self.freeze_result.setWordWrap(True)
        self.freeze_result.setTextFormat(Qt.RichText)
        self.freeze_result.setStyleSheet("color: #444;")
        fl.addWidget(self.freeze_result)
        fl.addStretch(1)

        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(_card("Approved pairs", amount), 3)
        top.addWidget(_card("Freeze a dataset version", freeze), 2)
        root.addLayout(top)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.flags_chart = BarChart(horizontal=True, value_label="open flags")
        self.flags_note = _note()
        self.flags_note.setTextFormat(Qt.RichText)
        self.flags_note.linkActivated.connect(lambda _link: self.ctx.go_to("flags"))
        grid.addWidget(_card("Open flags by kind", self.flags_chart, self.flags_note), 0, 0)
        self.length_chart = Histogram(value_label="answer length (words)")
        self.length_note = _note()
        grid.addWidget(_card("Answer lengths", self.length_chart, self.length_note), 0, 1)
        for chart in (self.flags_chart, self.length_chart):
            chart.setFixedHeight(210)
        root.addLayout(grid)

        self.topic_chart = BarChart(horizontal=True, value_label="pairs")
        self.topic_table = QTableWidget(0, 3)
        self.topic_table.setHorizontalHeaderLabels(["Topic (top words in the questions)", "Pairs", "Approved"])
        self._table_style(self.topic_table)
        topics = QWidget()
        tl = QHBoxLayout(topics)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.topic_chart, 3)
        tl.addWidget(self.topic_table, 2)
        self.topic_note = _note()
        root.addWidget(_card("Topic coverage", topics, self.topic_note))

        self.versions_table = QTableWidget(0, 6)
        self.versions_table.setHorizontalHeaderLabels(
            ["Version", "Frozen", "Training pairs", "Held-out pairs", "Held-out share", "Warnings"])
        self._table_style(self.versions_table)
        self.versions_table.setMinimumHeight(130)
        root.addWidget(_card("Dataset versions", self.versions_table))
        self._holdout_changed(self.holdout_slider.value())

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for i in range(1, table.columnCount()):
            header.setSectionResizeMode(i, QHeaderView.ResizeToContents)

    def _holdout_changed(self, value: int) -> None:
        self.holdout_label.setText(f"{value}% held out")

    # --- loading ------------------------------------------------------------------------------
    def forget_workspace(self) -> None:
        self.last_freeze = None
        self.freeze_result.setText(FREEZE_HINT)

    def refresh(self) -> None:
        if not self.has_workspace:
            self.approved_label.setText("Open a workspace to see its dataset health.")
            return
        if self._loading:
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        self.approved_label.setText("Loading…")
        self.submit(_health, on_done=self.show_health, on_error=self._failed)
        self.submit(_versions, on_done=self.show_versions, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        from desktop.worker import user_message

        self._loading = False
        self.refresh_button.setEnabled(True)
        self.ctx.show_error(user_message(exc), "Dataset health")

    def show_health(self, h: dict) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        self.health = h
        floor, target = int(h.get("floor", 500)), tuple(h.get("target", (2000, 10000)))
        approved = int(h.get("approved", 0))
        self.target_bar.floor, self.target_bar.target = floor, target
        self.target_bar.set_value(approved)
        self.approved_label.setText(
            f"<b style='font-size:22px'>{approved:,}</b> approved of {int(h.get('pairs', 0)):,} pairs "
            f"<span style='color:#777'>({int(h.get('new', 0)):,} waiting for review, "
            f"{int(h.get('rejected', 0)):,} rejected)</span>")
        self.approved_note.setText(advice(approved, floor, target))

        flags = h.get("open_flags") or {}
        kinds = [k for k in KIND_ORDER] + sorted(set(flags) - set(KIND_ORDER))
        self.flags_chart.set_data([KIND_LABELS.get(k, k) for k in kinds], [int(flags.get(k, 0)) for k in kinds],
                                  [PALETTE.get(k, GREY) for k in kinds], value_format="{:.0f}", integer=True)
        total = sum(int(v) for v in flags.values())
        self.flags_note.setText(
            f"{total:,} open flags. <a href='flags'>Resolve them on the Flags page</a>." if total
            else "No open flags. Run “Find problems” on the Flags page after importing new tickets.")

        lengths = [int(x) for x in h.get("answer_lengths") or []]
        self.length_chart.set_values(lengths, bins=30)
        if lengths:
            ordered = sorted(lengths)
            median = ordered[len(ordered) // 2]
            short = sum(1 for x in lengths if x < 5)
            self.length_note.setText(
                f"Median answer: {median} words, longest {ordered[-1]}."
                + (f" {short} answers have fewer than 5 words; the model learns to be that brief." if short else ""))
        else:
            self.length_note.setText("No pairs yet.")

        topics = h.get("topics") or []
        shown = topics[:15]
        labels = [topic_label(t.get("terms", [])) or f"topic {t.get('topic')}" for t in shown]
        self.topic_chart.set_data(labels, [int(t.get("pairs", 0)) for t in shown],
                                  ["#4C78A8" if t.get("approved") else "#9D9D9D" for t in shown],
                                  value_format="{:.0f}", integer=True)
        self.topic_chart.setFixedHeight(max(200, 20 * len(shown) + 50))
        self.topic_table.setRowCount(len(topics))
        for r, t in enumerate(topics):
            self.topic_table.setItem(r, 0, QTableWidgetItem(", ".join(t.get("terms", [])) or "(no words)"))
            for c, key in ((1, "pairs"), (2, "approved")):
                item = QTableWidgetItem()
                item.setData(Qt.DisplayRole, int(t.get(key, 0)))
                self.topic_table.setItem(r, c, item)
        thin = [t for t in topics if int(t.get("approved", 0)) < 5]
        self.topic_note.setText(
            f"{len(topics)} topics found in the questions."
            + (f" {len(thin)} have fewer than 5 approved pairs: the model will be weak there." if thin else "")
            if topics else "Topics appear once there are pairs.")

    def show_versions(self, versions: list[dict]) -> None:
        self.versions = versions
        self.versions_table.setRowCount(len(versions))
        for r, v in enumerate(reversed(versions)):
            stats = v.get("stats") or {}
            created = v.get("created_at")
            cells = [
                f"{v.get('name') or ''}  (#{v['id']})",
                created.strftime("%d %b %Y %H:%M") if hasattr(created, "strftime") else str(created or ""),
                f"{int(stats.get('train', 0)):,}", f"{int(stats.get('heldout', 0)):,}",
                f"{float(v.get('holdout') or 0):.0%}", str(len(v.get("warnings") or [])),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 5 and v.get("warnings"):
                    item.setToolTip("\n".join(w.get("message", "") for w in v["warnings"]))
                self.versions_table.setItem(r, c, item)

    # --- freezing -----------------------------------------------------------------------------
    def freeze(self) -> None:
        if not self.has_workspace:
            return
        holdout = self.holdout_slider.value() / 100.0
        self.freeze_button.setEnabled(False)
        self.freeze_result.setText("Freezing…")
        self.ctx.run_with_progress("Freezing the dataset", _freeze, holdout,
                                   on_done=self._frozen, on_error=self._freeze_failed)

    def _freeze_failed(self, exc: BaseException) -> None:
        from html import escape

        from desktop.worker import is_cancelled_error, user_message

        self.freeze_button.setEnabled(True)
        if is_cancelled_error(exc):
            self.freeze_result.setText("Freezing cancelled: no version was made.")
            return
        self.freeze_result.setText(f"<span style='color:#B00020'>{escape(user_message(exc))}</span>")

    def _frozen(self, result: dict) -> None:
        from html import escape

        self.freeze_button.setEnabled(True)
        self.last_freeze = result
        warnings = result.get("warnings") or []
        text = (f"<b>Frozen {result.get('name') or ''}</b> (version #{result['version_id']}): "
                f"{int(result.get('train', 0)):,} pairs to train on, {int(result.get('heldout', 0)):,} held out.")
        if warnings:
            text += "<ul style='margin-top:4px'>" + "".join(
                f"<li style='color:#8A4B00'>{escape(str(w.get('message', w) if isinstance(w, dict) else w))}</li>"
                for w in warnings) + "</ul>"
        else:
            text += " <span style='color:#2E7D32'>No warnings.</span>"
        self.freeze_result.setText(text)
        self.ctx.status(f"Dataset version #{result['version_id']} frozen")
        self.ctx.sig_dataset_changed.emit()
        self.submit(_versions, on_done=self.show_versions)
