"""Evaluate: did the fine-tune work? The report of a run's evaluation.

A readiness check first: the seed's three conditions side by side (held-out accuracy against the
best prompted base model, the train/held-out gap, the last 30-minute test session from the
Playground). Then held-out accuracy against the base model with the house prompt and examples
(and with the policy sheet, when one was loaded) and against the training pairs (bars), invented
facts ("hallucinations"), personal data the tuned model wrote from memory (redacted), advice
when the model memorised instead of learning, every held-out question with the verdict and the
reason, "Send to review" for a failed one, and the blind-rating tallies from the Playground. Evaluations are started by the Train page (automatically after training).
Each action is one engine call on the engine worker (engine/evaluate/ops.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget,
)

from desktop.widgets.charts import BLUE, GREEN, GREY, BarChart
from desktop.worker import user_message
from desktop.pages.base import Page
from engine.evaluate import ops
from engine.evaluate.playground import send_to_review


def _pct(v: Any) -> str:
    return f"{float(v):.0%}" if isinstance(v, (int, float)) else "–"


def _html(text: Any) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _big(value: str, caption: str, color: str) -> QWidget:
    w = QWidget()
    layout = QVBoxLayout(w)
    layout.setContentsMargins(8, 4, 8, 4)
    number = QLabel(value)
    number.setStyleSheet(f"font-size: 28px; font-weight: 700; color: {color};")
    number.setObjectName("number")
    text = QLabel(caption)
    text.setStyleSheet("color: #555;")
    text.setWordWrap(True)
    layout.addWidget(number)
    layout.addWidget(text)
    return w


class EvaluatePage(Page):
    name = "evaluate"
    title = "Evaluate"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self._known: set[int] | None = None  # evaluation ids seen on the last load
        self.evaluations: list[dict] = []
        self.report: dict | None = None
        self.examples: list[dict] = []
        self.sent: set[int] = set()
        self.tallies: dict = {}

        root = QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        root.setSpacing(10)
        head = QHBoxLayout()
        head.addWidget(QLabel("<h2 style='margin:0'>Evaluate</h2>"))
        head.addStretch(1)
        head.addWidget(QLabel("Run:"))
        self.run_combo = QComboBox()
        self.run_combo.setMinimumWidth(360)
        self.run_combo.currentIndexChanged.connect(self._run_chosen)
        head.addWidget(self.run_combo)
        self.html_button = QPushButton("Open the full report")
        self.html_button.setToolTip("The same report as a web page you can share.")
        self.html_button.clicked.connect(self.open_html)
        head.addWidget(self.html_button)
        root.addLayout(head)

        self.summary = QLabel("No evaluation yet: train a model on the Train page; it is evaluated when training ends.")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 14px;")
        root.addWidget(self.summary)

        ready = QGroupBox("Ready to use? The three tests of a fine-tune")
        rl = QHBoxLayout(ready)
        self.ready_labels: list[QLabel] = []
        for _ in range(3):
            lab = QLabel("–")
            lab.setWordWrap(True)
            lab.setTextFormat(Qt.RichText)
            lab.setMinimumWidth(200)
            rl.addWidget(lab, 1)
            self.ready_labels.append(lab)
        self.ready_box = ready
        root.addWidget(ready)

        top = QHBoxLayout()
        figures = QGroupBox("Correct answers")
        fl = QGridLayout(figures)
        self.held_big = _big("–", "tuned model, held-out questions", BLUE)
        self.base_big = _big("–", "base model with the house prompt and examples, same questions", GREY)
        self.train_big = _big("–", "tuned model, training questions", GREEN)
        fl.addWidget(self.held_big, 0, 0)
        fl.addWidget(self.base_big, 0, 1)
        fl.addWidget(self.train_big, 0, 2)
        self.chart = BarChart(value_label="% correct")
        self.chart.setFixedHeight(190)
        fl.addWidget(self.chart, 1, 0, 1, 3)
        top.addWidget(figures, 3)
        side = QGroupBox("Things to know")
        sl = QVBoxLayout(side)
        self.hallucination_label = QLabel()
        self.hallucination_label.setWordWrap(True)
        sl.addWidget(self.hallucination_label)
        self.memorised_label = QLabel()
        self.memorised_label.setWordWrap(True)
        sl.addWidget(self.memorised_label)
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        sl.addWidget(self.advice_label)
        self.tallies_label = QLabel()
        self.tallies_label.setWordWrap(True)
        sl.addWidget(self.tallies_label)
        sl.addStretch(1)
        top.addWidget(side, 2)
        root.addLayout(top)

        examples = QGroupBox("Every held-out question")
        el = QVBoxLayout(examples)
        bar = QHBoxLayout()
        self.failed_only = QCheckBox("Only the wrong answers")
        self.failed_only.toggled.connect(lambda _on: self._fill_table())
        bar.addWidget(self.failed_only)
        bar.addStretch(1)
        self.send_button = QPushButton("Send to review")
        self.send_button.setToolTip("Put this question and its reference answer in the review queue: when the model "
                                    "disagrees with the reference, the reference may be the one that is wrong.")
        self.send_button.clicked.connect(self.send_to_review)
        bar.addWidget(self.send_button)
        el.addLayout(bar)
        split = QSplitter(Qt.Vertical)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Question", "Verdict", "Why"])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.itemSelectionChanged.connect(self._show_example)
        split.addWidget(self.table)
        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(False)
        split.addWidget(self.detail)
        split.setSizes([260, 160])
        el.addWidget(split, 1)
        root.addWidget(examples, 1)
        self._update_buttons()

    # --- loading ------------------------------------------------------------------------------
    def activate(self) -> None:
        # evaluations arrive from the Train page without a signal: always reload (cheap)
        self._stale = False
        self.refresh()

    def forget_workspace(self) -> None:
        self._known = None

    def refresh(self) -> None:
        if not self.has_workspace:
            return
        self.submit(ops.load_evaluations, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, result: dict) -> None:
        self.evaluations = result["evaluations"]
        self.tallies = result.get("tallies") or {}
        current = self.run_combo.currentData()
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for ev in self.evaluations:
            created = ev.get("created_at")
            when = created.strftime("%d %b %H:%M") if hasattr(created, "strftime") else str(created or "")
            self.run_combo.addItem(f"{ev['run_id']} · {when} · held-out {_pct(ev.get('heldout_accuracy'))}", ev["id"])
        self.run_combo.blockSignals(False)
        self._show_tallies()
        if not self.evaluations:
            self.show_report({})  # clear the figures, chart and questions of an earlier workspace
            self.report = None
            if result.get("trained_runs"):
                self.summary.setText("No evaluation yet: a trained run has not been evaluated. Select it on "
                                     "the Train page and press “Evaluate the selected run”.")
            else:
                self.summary.setText("No evaluation yet: train a model on the Train page; "
                                     "it is evaluated when training ends.")
            self._update_buttons()
            return
        ids = {ev["id"] for ev in self.evaluations}
        fresh = bool(ids - self._known) if self._known is not None else False
        self._known = ids
        # a new evaluation (training just ended) is shown first; else the one the user picked
        idx = self.run_combo.findData(current) if current is not None and not fresh else 0
        self.run_combo.setCurrentIndex(max(idx, 0))
        self._run_chosen()

    def _run_chosen(self, *_: Any) -> None:
        evaluation_id = self.run_combo.currentData()
        if evaluation_id is not None:
            self.submit(ops.evaluation_view, int(evaluation_id), on_done=self.show_report, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.ctx.show_error(user_message(exc), "Evaluate")

    # --- showing ------------------------------------------------------------------------------
    def show_report(self, report: dict) -> None:
        self.report = report
        self.examples = list(report.get("examples") or [])
        self.sent = set(report.get("_sent") or [])
        held, base, train = (report.get(k) for k in ("heldout_accuracy", "baseline_accuracy", "train_accuracy"))
        for widget, value in ((self.held_big, held), (self.base_big, base), (self.train_big, train)):
            widget.findChild(QLabel, "number").setText(_pct(value))
        policy_acc = report.get("baseline_policy_accuracy")
        labels, values, colors = [], [], []
        for label, value, color in (("Base model", base, GREY), ("Base + policy", policy_acc, GREY),
                                    ("Tuned: held-out", held, BLUE), ("Tuned: training", train, GREEN)):
            if isinstance(value, (int, float)):
                labels.append(label)
                values.append(round(100 * float(value), 1))
                colors.append(color)
        self.chart.set_data(labels, values, colors, value_format="{:.0f}%")
        self.chart.setYRange(0, 115, padding=0)
        summary = report.get("summary")
        if not summary and isinstance(held, (int, float)) and isinstance(base, (int, float)):
            summary = f"The tuned model answered {_pct(held)} of the held-out questions correctly; the base model {_pct(base)}."
        counts = report.get("counts") or {}
        if counts.get("heldout"):
            summary = (summary or "") + f" ({int(counts['heldout'])} held-out questions.)"
        self.summary.setText(summary or "")

        hall = report.get("hallucinations")
        if isinstance(hall, dict):
            count, affected = int(hall.get("count") or 0), int(hall.get("answers_affected") or 0)
            base_count = hall.get("baseline_count")
            text = (f"<b>Invented facts:</b> {count} in {affected} answer{'s' if affected != 1 else ''}"
                    + (f" (base model: {int(base_count)})" if base_count is not None else "") + ". "
                    + ("These are numbers, dates or rules that appear in no approved answer."
                       if count else "No answer stated a fact that the approved answers do not contain."))
        elif isinstance(hall, (int, float)):
            text = f"<b>Invented facts:</b> {int(hall)}."
        else:
            text = ""
        self.hallucination_label.setText(text)
        if isinstance(policy_acc, (int, float)):
            self.base_big.findChild(QLabel, "number").setText(f"{_pct(base)} / {_pct(policy_acc)}")
        mem = report.get("memorised_pii")
        if isinstance(mem, dict):
            n = int(mem.get("count") or 0)
            mtext = (f"<b>Memorised personal data:</b> {n} of {int(mem.get('checked') or 0)} probe answers contain a "
                     "value from the workspace's personal-data mapping." if n else
                     f"<b>Memorised personal data:</b> none in {int(mem.get('checked') or 0)} probe answers.")
            for ex in (mem.get("examples") or [])[:3]:
                mtext += f"<br>· {_html(ex.get('prompt'))[:90]} → {_html(ex.get('answer'))[:140]}"
            self.memorised_label.setText(mtext)
            self.memorised_label.setStyleSheet("color: #B00020;" if n else "")
        else:
            self.memorised_label.setText("")
        self._show_readiness(report.get("_readiness"))
        advice = list(report.get("advice") or [])
        gap = report.get("gap")
        if advice:
            self.advice_label.setText("<b>Advice:</b> " + " ".join(advice))
            self.advice_label.setStyleSheet("color: #8A4B00;")
        elif isinstance(gap, (int, float)):
            self.advice_label.setText(f"<b>Memorising:</b> no sign of it (training vs held-out gap {gap:.0f} points).")
            self.advice_label.setStyleSheet("")
        else:
            self.advice_label.setText("")
        self._fill_table()
        self._update_buttons()

    def _show_readiness(self, ready: dict | None) -> None:
        checks = (ready or {}).get("checks") or []
        for i, lab in enumerate(self.ready_labels):
            if i >= len(checks):
                lab.setText("–")
                continue
            c = checks[i]
            mark, color = ("✓", "#2E7D32") if c.get("ok") else ("✗", "#B00020")
            lab.setText(f"<b style='color:{color}'>{mark} {_html(c.get('name'))}</b><br>{_html(c.get('text'))}")
        if ready:
            self.ready_box.setTitle("Ready to use: all three tests passed" if ready.get("ready") else
                                    "Ready to use? Not yet: see the tests below marked ✗")

    def _show_tallies(self) -> None:
        t = self.tallies or {}
        total = sum(int(v) for v in t.values()) if t else 0
        if total:
            self.tallies_label.setText(
                f"<b>Blind ratings</b> (Playground): tuned model preferred {int(t.get('tuned', 0))}, "
                f"base model {int(t.get('base', 0))}, neither {int(t.get('neither', 0))}.")
        else:
            self.tallies_label.setText("<b>Blind ratings:</b> none yet. Rate answers blind on the Playground page.")

    def _visible_rows(self) -> list[int]:
        only_failed = self.failed_only.isChecked()
        return [i for i, e in enumerate(self.examples) if not (only_failed and e.get("correct"))]

    def _fill_table(self) -> None:
        rows = self._visible_rows()
        self.table.setRowCount(len(rows))
        for r, i in enumerate(rows):
            e = self.examples[i]
            q = QTableWidgetItem(" ".join(str(e.get("instruction", "")).split()))
            q.setData(Qt.UserRole, i)
            q.setToolTip(str(e.get("instruction", "")))
            ok = bool(e.get("correct"))
            verdict = QTableWidgetItem(("✓ right" if ok else "✗ wrong") + ("  · in review" if i in self.sent else ""))
            verdict.setForeground(QBrush(QColor("#2E7D32" if ok else "#B00020")))
            why = QTableWidgetItem(str(e.get("reason") or ""))
            why.setToolTip(str(e.get("reason") or ""))
            for c, item in enumerate((q, verdict, why)):
                self.table.setItem(r, c, item)
        self.table.clearSelection()
        if rows:
            self.table.selectRow(0)
        self._show_example()  # the selection may not have "changed" (row 0 before and after)

    def current_index(self) -> int | None:
        items = self.table.selectedItems()
        if not items:
            return None
        item = self.table.item(items[0].row(), 0)
        return int(item.data(Qt.UserRole)) if item is not None else None

    def _show_example(self) -> None:
        i = self.current_index()
        self._update_buttons()
        if i is None:
            self.detail.clear()
            return
        e = self.examples[i]

        def block(title: str, text: Any, color: str = "#333") -> str:
            safe = (str(text or "–").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\n", "<br>"))
            return f"<p style='margin:4px 0'><b style='color:{color}'>{title}</b><br>{safe}</p>"

        html = block("Question", e.get("instruction"))
        html += block("Approved answer (reference)", e.get("reference"), "#2E7D32")
        html += block("Tuned model", e.get("answer"), BLUE)
        if "baseline_answer" in e:
            html += block("Base model", e.get("baseline_answer"), "#666")
        html += block("Verdict", ("right: " if e.get("correct") else "wrong: ") + str(e.get("reason") or ""),
                      "#2E7D32" if e.get("correct") else "#B00020")
        self.detail.setHtml(html)

    def _update_buttons(self) -> None:
        i = self.current_index()
        can_send = i is not None and not self.examples[i].get("correct") and i not in self.sent
        self.send_button.setEnabled(can_send)
        self.send_button.setText("Sent to review" if i is not None and i in self.sent else "Send to review")
        html = (self.report or {}).get("_html")
        self.html_button.setEnabled(bool(html) and Path(html).is_file())

    # --- actions ------------------------------------------------------------------------------
    def send_to_review(self) -> None:
        i = self.current_index()
        if i is None or self.examples[i].get("correct") or i in self.sent:
            return
        example = {k: v for k, v in self.examples[i].items()}
        self.send_button.setEnabled(False)

        def done(pair_id: int) -> None:
            self.sent.add(i)
            self.ctx.status("Sent to the review queue")
            self.ctx.sig_pairs_changed.emit([int(pair_id)])
            row = self.table.currentRow()
            self._fill_table()
            if 0 <= row < self.table.rowCount():
                self.table.selectRow(row)

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            self._failed(exc)

        self.submit(send_to_review, example, on_done=done, on_error=failed)

    def open_html(self) -> None:
        html = (self.report or {}).get("_html")
        if html and Path(html).is_file():
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(html)):
                self.ctx.show_error(f"No program to show the report could be started. Open it in a web "
                                    f"browser: {html}", "Evaluate")
