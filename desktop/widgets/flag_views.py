"""The detail views of the Flags page: one per kind of problem.

They only show a flag and say what the user chose (signals named `sig_*`); the Flags page does the
engine calls on the worker. A flag here is the dict `engine.flags.runner.list_flags` gives
({id, kind, severity, score, pair_ids, external_ids, explanation, details, status}); `pairs` is what
`engine.flags.ops.flag_pairs` gives: pair id -> {id, external_id, instruction, response, status}.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
    QPushButton, QRadioButton, QScrollArea, QSizePolicy, QTextEdit, QVBoxLayout, QWidget,
)

HIGHLIGHT = {
    "conflict": "#F7B9B9",
    "tone": "#FFD29E",
    "needs_context": "#DDBDEE",
    "pii": "#B5E0AC",
    "duplicate": "#BFD6EE",
}
# field names detectors may use for the question and the answer
QUESTION_FIELDS = ("instruction", "question")
ANSWER_FIELDS = ("response", "answer")


def spans_for(details: dict | None, field: str, pair_id: int | None = None) -> list[dict]:
    """Spans of one field ("instruction" or "response") of one pair from a flag's details.

    Detectors write `details["spans"]` as a list of {field, start, end, label|kind|rule} (for one
    pair), or as {pair_id: [...]}; a conflict writes its facts as {"what", "values": {pid: text},
    "spans": {pid: [start, end]}} on the answers."""
    if not details:
        return []
    spans = details.get("spans") or []
    if isinstance(spans, dict):
        spans = spans.get(str(pair_id)) or spans.get(pair_id) or []
    names = QUESTION_FIELDS if field in QUESTION_FIELDS else ANSWER_FIELDS
    out = []
    for s in spans:
        if not isinstance(s, dict) or s.get("field", "response") not in names:
            continue
        if "pair_id" in s and pair_id is not None and int(s["pair_id"]) != int(pair_id):
            continue
        label = s.get("label") or s.get("kind") or s.get("rule") or ""
        out.append({**s, "label": str(label).replace("_", " ")})
    if field in ANSWER_FIELDS and pair_id is not None:
        for f in details.get("facts") or []:
            if isinstance(f, dict) and isinstance(f.get("spans"), dict):
                at = f["spans"].get(str(pair_id))
                if at and len(at) == 2:
                    out.append({"field": "response", "start": int(at[0]), "end": int(at[1]),
                                "label": str(f.get("what") or f.get("dimension") or "fact")})
    return out


def facts_for(details: dict | None, pair_id: int | None = None) -> list[str]:
    """The differing facts of a conflict as written ("12 days", "30 days"): the ones one pair
    states when `pair_id` is given, else all of them."""
    if not details:
        return []
    facts = details.get("facts") or []
    if isinstance(facts, dict):  # {pair_id: [texts]}
        if pair_id is not None:
            got = facts.get(str(pair_id), facts.get(pair_id, []))
            return [str(x) for x in (got if isinstance(got, list) else [got])]
        return [str(x) for v in facts.values() for x in (v if isinstance(v, list) else [v])]
    out = []
    for f in facts:
        if isinstance(f, dict):
            values = f.get("values")
            if isinstance(values, dict):
                if pair_id is None:
                    out += [str(v) for v in values.values()]
                elif str(pair_id) in values:
                    out.append(str(values[str(pair_id)]))
                continue
            if pair_id is not None and "pair_id" in f and int(f["pair_id"]) != int(pair_id):
                continue
            out.append(str(f.get("text") or f.get("value") or ""))
        else:
            out.append(str(f))
    return [f for f in out if f]


def _esc(text: Any) -> str:
    """User text (quoted answers, facts) inside the rich-text explanations: "<IT desk>" is text."""
    return escape(str(text), quote=False)


def fact_lines(details: dict | None, pairs: dict[int, dict] | None = None) -> list[str]:
    """One line per differing fact: "how long the leave lasts: 12 days (INC-1) vs 30 days (INC-2)"."""
    lines = []
    for f in (details or {}).get("facts") or []:
        if not isinstance(f, dict) or not isinstance(f.get("values"), dict):
            continue
        parts = []
        for pid, text in f["values"].items():
            who = ((pairs or {}).get(int(pid)) or {}).get("external_id") or f"pair {pid}"
            parts.append(f"<b>{_esc(text)}</b> ({_esc(who)})")
        what = f.get("what") or f.get("dimension") or "value"
        lines.append(f"{_esc(what)}: " + " vs ".join(parts))
    return lines


def reason_lines(details: dict | None) -> list[str]:
    """The reasons of a Tone / Needs context / Personal data flag, in words."""
    details = details or {}
    lines = []
    for ph in details.get("phrases") or []:
        if isinstance(ph, dict):
            phrase, why = ph.get("phrase"), ph.get("why") or ph.get("rule")
            lines.append(f"“{_esc(phrase)}”: {_esc(why)}" if phrase else _esc(why))
    if not lines:
        for r in details.get("reasons") or []:
            if isinstance(r, dict):
                r = r.get("reason") or r.get("why") or r.get("label") or ""
            if r:
                lines.append(_esc(str(r).replace("_", " ")))
    if not lines and isinstance(details.get("counts"), dict):
        lines = [f"{n} × {_esc(k.replace('_', ' '))}" for k, n in details["counts"].items()]
    return lines


def highlight(edit: QTextEdit, spans: Iterable[dict] = (), terms: Iterable[str] = (),
              color: str = "#FDE2C2") -> int:
    """Paint spans (character offsets) and every occurrence of `terms` (whole words, any case)
    as extra selections, with the span's label as the tooltip. Returns how many were painted."""
    selections = []
    doc = edit.document()
    length = doc.characterCount() - 1
    text = edit.toPlainText()

    def qt(i: int) -> int:
        """A Python (code point) offset as Qt's (UTF-16 units): an emoji counts twice there."""
        return len(text[:i].encode("utf-16-le")) // 2
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(color))
    fmt.setUnderlineStyle(QTextCharFormat.SingleUnderline)
    fmt.setUnderlineColor(QColor(color).darker(160))
    for s in spans:
        start, end = int(s.get("start", 0)), int(s.get("end", 0))
        if not (0 <= start < end <= len(text)):
            continue
        start, end = qt(start), qt(end)
        if end > length:
            continue
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(doc)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.KeepAnchor)
        sel.cursor = cursor
        f = QTextCharFormat(fmt)
        if s.get("label"):
            f.setToolTip(str(s["label"]))
        sel.format = f
        selections.append(sel)
    for term in terms:
        term = str(term).strip()
        if not term:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(doc)
            cursor.setPosition(qt(m.start()))
            cursor.setPosition(qt(m.end()), QTextCursor.KeepAnchor)
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
    edit.setExtraSelections(selections)
    return len(selections)


def _text_box(text: str, *, read_only: bool = True, height: int = 110) -> QTextEdit:
    box = QTextEdit()
    box.setAcceptRichText(False)
    box.setPlainText(text or "")
    box.setReadOnly(read_only)
    box.setMinimumHeight(height)
    box.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
    return box


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #555; font-weight: 600;")
    return label


def _explanation(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.RichText)  # callers escape the user text in it
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    label.setStyleSheet("background: #F4F6F8; border-radius: 4px; padding: 8px;")
    return label


class PairCard(QFrame):
    """One pair in a column: its ticket id, question and answer (read-only), highlighted."""

    def __init__(self, pair: dict, *, color: str, terms: Iterable[str] = (), details: dict | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.pair = pair
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("pairCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        ticket = pair.get("external_id") or f"pair {pair['id']}"
        self.title = QLabel(f"<b>{_esc(ticket)}</b> <span style='color:#777'>· {pair.get('status', '')}</span>")
        layout.addWidget(self.title)
        layout.addWidget(_caption("Question"))
        self.question = _text_box(pair.get("instruction", ""), height=60)
        self.question.setMaximumHeight(72)
        layout.addWidget(self.question)
        layout.addWidget(_caption("Answer"))
        self.answer = _text_box(pair.get("response", ""), height=120)
        layout.addWidget(self.answer, 1)
        terms = list(terms)
        self.painted = highlight(self.question, spans_for(details, "instruction", pair["id"]), (), color)
        self.painted += highlight(self.answer, spans_for(details, "response", pair["id"]), terms, color)


class _Columns(QWidget):
    """Pairs side by side in a horizontal scroll area, each with a choice button above it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.cards: list[PairCard] = []

    def fill(self, cards: list[tuple[QWidget, PairCard]]) -> None:
        inner = QWidget()
        row = QHBoxLayout(inner)
        row.setContentsMargins(0, 0, 0, 0)
        self.cards = []
        for header, card in cards:
            col = QVBoxLayout()
            col.addWidget(header)
            col.addWidget(card, 1)
            card.setMinimumWidth(260)
            row.addLayout(col, 1)
            self.cards.append(card)
        self.scroll.setWidget(inner)


class EmptyView(QLabel):
    def __init__(self, text: str = "Pick a flag on the left to see it here."):
        super().__init__(text)
        self.setAlignment(Qt.AlignCenter)
        self.setStyleSheet("color: #777; font-size: 13px;")
        self.setWordWrap(True)


class DuplicateView(QWidget):
    """A cluster of near-identical pairs side by side: keep one, merge into one, or say they differ."""

    sig_keep = Signal(int, int)  # flag id, pair id to keep (the others are rejected)
    sig_merge = Signal(int, int)  # flag id, pair id to merge into (the page asks for the merged text)
    sig_dismiss = Signal(int)  # flag id: these pairs are different questions

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.flag: dict | None = None
        layout = QVBoxLayout(self)
        self.explanation = _explanation("")
        layout.addWidget(self.explanation)
        self.columns = _Columns()
        layout.addWidget(self.columns, 1)
        self.group = QButtonGroup(self)
        buttons = QHBoxLayout()
        self.keep_button = QPushButton("Keep the chosen one, reject the others")
        self.keep_button.setToolTip("The chosen pair stays; the other copies are rejected (undoable per pair).")
        self.merge_button = QPushButton("Merge into the chosen one…")
        self.merge_button.setToolTip("Edit the chosen answer with the other answers' extra sentences, then keep it.")
        self.different_button = QPushButton("These are different questions")
        self.different_button.setToolTip("Dismiss this flag; it stays dismissed unless the texts change.")
        for b in (self.keep_button, self.merge_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # on its own row: three buttons in one row made the Flags page wider than a 1024 px window
        other = QHBoxLayout()
        other.addStretch(1)
        other.addWidget(self.different_button)
        layout.addLayout(other)
        self.keep_button.clicked.connect(lambda: self._emit(self.sig_keep))
        self.merge_button.clicked.connect(lambda: self._emit(self.sig_merge))
        self.different_button.clicked.connect(lambda: self.flag and self.sig_dismiss.emit(int(self.flag["id"])))

    def chosen(self) -> int | None:
        button = self.group.checkedButton()
        return int(button.property("pair_id")) if button is not None else None

    def choose(self, pair_id: int) -> None:
        for b in self.group.buttons():
            if int(b.property("pair_id")) == int(pair_id):
                b.setChecked(True)

    def _emit(self, signal) -> None:
        if self.flag is None or self.chosen() is None:
            return
        signal.emit(int(self.flag["id"]), self.chosen())

    def set_flag(self, flag: dict, pairs: dict[int, dict]) -> None:
        self.flag = flag
        self.explanation.setText(_esc(flag.get("explanation", "")))
        for b in self.group.buttons():
            self.group.removeButton(b)
        details = flag.get("details") or {}
        suggested = details.get("keep") or details.get("suggested_keep")
        cards = []
        for pid in flag.get("pair_ids", []):
            pair = pairs.get(int(pid))
            if pair is None:
                continue
            radio = QRadioButton("Keep this one" + ("  (suggested)" if suggested and int(suggested) == int(pid) else ""))
            radio.setProperty("pair_id", int(pid))
            self.group.addButton(radio)
            cards.append((radio, PairCard(pair, color=HIGHLIGHT["duplicate"], details=details)))
        self.columns.fill(cards)
        if suggested:
            self.choose(int(suggested))
        elif self.group.buttons():
            self.group.buttons()[0].setChecked(True)
        actionable = flag.get("status", "open") == "open"
        for b in (self.keep_button, self.merge_button, self.different_button):
            b.setEnabled(actionable)


def _newest_first(pair_ids: Iterable) -> list[int]:
    """Pairs newest first: a pair made later has a higher id (imports add tickets oldest first)."""
    return sorted({int(p) for p in pair_ids}, reverse=True)


def _answers(n: int) -> str:
    return f"{n} answer{'s' if n != 1 else ''} say{'s' if n == 1 else ''}"


class ValueGroup(QFrame):
    """One value of a claims conflict: how many answers state it, its tickets newest first, and
    "This value is right"."""

    def __init__(self, side: dict, pairs: dict[int, dict], *, policy: str | None, actionable: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("conflictValue")
        self.value = str(side.get("value", "")).strip()
        self.pair_ids = _newest_first(side.get("pair_ids", []))
        self.count = len(self.pair_ids)
        self.policy = policy is not None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        text = f"{_answers(self.count)} <b>{_esc(self.value)}</b>"
        if self.policy:
            text += f" <span style='color:#2E7D32'>✔ matches the policy ({_esc(policy)})</span>"
            self.setStyleSheet("#conflictValue { border: 2px solid #7CB342; border-radius: 4px; }")
        self.header = QLabel(text)
        self.header.setTextFormat(Qt.RichText)
        self.header.setWordWrap(True)
        top.addWidget(self.header, 1)
        self.right_button = QPushButton("This value is right")
        self.right_button.setToolTip("Keep the answers that say this; then choose which of the others to fix.")
        self.right_button.setEnabled(actionable and bool(self.pair_ids))
        self.right_button.setProperty("pair_id", self.pair_ids[0] if self.pair_ids else -1)
        top.addWidget(self.right_button)
        layout.addLayout(top)
        self.tickets = QListWidget()
        self.tickets.setObjectName("conflictTickets")
        for pid in self.pair_ids:
            pair = pairs.get(pid) or {}
            ticket = pair.get("external_id") or f"pair {pid}"
            question = " ".join(str(pair.get("instruction", "")).split())
            item = QListWidgetItem(f"{ticket} · {question[:90]}" + ("…" if len(question) > 90 else ""))
            item.setData(Qt.UserRole, pid)
            item.setToolTip(str(pair.get("response", "")))
            self.tickets.addItem(item)
        # a few rows show; a value a thousand answers state scrolls inside its list
        self.tickets.setMaximumHeight(22 * min(max(self.count, 1), 5) + 8)
        layout.addWidget(self.tickets)

    def ticket_texts(self) -> list[str]:
        return [self.tickets.item(i).text() for i in range(self.tickets.count())]


class ConflictView(QWidget):
    """Answers that disagree. A conflict between claims (details["sides"]): one group per value,
    with how many answers say it and their tickets newest first, the policy's side marked, and
    one of the answers shown below with the value highlighted. A conflict between two answers
    compared as a pair: the answers side by side, the differing facts highlighted."""

    sig_right = Signal(int, int)  # flag id, a pair whose answer (value) is right
    sig_dismiss = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.flag: dict | None = None
        self.pairs: dict[int, dict] = {}
        layout = QVBoxLayout(self)
        self.explanation = _explanation("")
        layout.addWidget(self.explanation)
        self.columns = _Columns()
        layout.addWidget(self.columns, 1)
        # claims conflicts: the values, then the chosen ticket
        self.values_scroll = QScrollArea()
        self.values_scroll.setWidgetResizable(True)
        self.values_scroll.setFrameShape(QFrame.NoFrame)
        layout.addWidget(self.values_scroll, 1)
        self.preview_box = QWidget()
        self.preview_layout = QVBoxLayout(self.preview_box)
        self.preview_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview_box, 1)
        self.preview: PairCard | None = None
        self.value_groups: list[ValueGroup] = []
        row = QHBoxLayout()
        row.addStretch(1)
        self.dismiss_button = QPushButton("Not a conflict")
        self.dismiss_button.setToolTip("Both answers can be right (e.g. different cases); dismiss this flag.")
        row.addWidget(self.dismiss_button)
        layout.addLayout(row)
        self.right_buttons: list[QPushButton] = []
        self.dismiss_button.clicked.connect(lambda: self.flag and self.sig_dismiss.emit(int(self.flag["id"])))

    def set_flag(self, flag: dict, pairs: dict[int, dict]) -> None:
        self.flag = flag
        self.pairs = pairs
        details = flag.get("details") or {}
        self.right_buttons = []
        self.value_groups = []
        actionable = flag.get("status", "open") == "open"
        grouped = bool(details.get("sides"))
        self.columns.setVisible(not grouped)
        self.values_scroll.setVisible(grouped)
        self.preview_box.setVisible(grouped)
        if grouped:
            self._set_values(flag, details, pairs, actionable)
        else:
            self._set_columns(flag, details, pairs, actionable)
        self.dismiss_button.setEnabled(actionable)

    # --- a conflict between claims: grouped by value ----------------------------------------------
    def _set_values(self, flag: dict, details: dict, pairs: dict[int, dict], actionable: bool) -> None:
        self.explanation.setText(_esc(flag.get("explanation", "")))
        self.columns.fill([])
        values = details.get("values") or {}
        policy_ids = [str(x) for x in details.get("policy_side") or []]
        inner = QWidget()
        col = QVBoxLayout(inner)
        col.setContentsMargins(0, 0, 0, 0)
        for side in details.get("sides") or []:
            tickets = [str(x) for x in values.get(side.get("value"), [])]
            on_policy = bool(policy_ids) and tickets == policy_ids
            group = ValueGroup(side, pairs, policy=details.get("policy") if on_policy else None,
                               actionable=actionable)
            group.right_button.clicked.connect(
                lambda _=False, p=group.right_button.property("pair_id"): self._right(int(p)))
            group.tickets.currentItemChanged.connect(
                lambda item, _prev, g=group: item is not None and self._preview(g, int(item.data(Qt.UserRole))))
            col.addWidget(group)
            self.value_groups.append(group)
            self.right_buttons.append(group.right_button)
        col.addStretch(1)
        self.values_scroll.setWidget(inner)
        self._clear_preview()
        first = next((g for g in self.value_groups if g.count), None)
        if first is not None:
            first.tickets.setCurrentRow(0)

    def _right(self, pair_id: int) -> None:
        if self.flag is not None and pair_id >= 0:
            self.sig_right.emit(int(self.flag["id"]), pair_id)

    def _clear_preview(self) -> None:
        if self.preview is not None:
            self.preview_layout.removeWidget(self.preview)
            self.preview.deleteLater()
            self.preview = None

    def _preview(self, group: ValueGroup, pair_id: int) -> None:
        """Show one ticket of a value, the claim highlighted."""
        pair = self.pairs.get(pair_id)
        if pair is None:
            return
        for g in self.value_groups:  # one ticket chosen at a time, across the values
            if g is not group:
                g.tickets.blockSignals(True)
                g.tickets.setCurrentRow(-1)
                g.tickets.blockSignals(False)
        side = next((sd for sd in (self.flag or {}).get("details", {}).get("sides") or []
                     if pair_id in [int(x) for x in sd.get("pair_ids", [])]), {})
        at = (side.get("spans") or {}).get(str(pair_id))
        spans = [{"field": "response", "start": at[0], "end": at[1], "label": side.get("value", "")}] if at else []
        self._clear_preview()
        self.preview = PairCard(pair, color=HIGHLIGHT["conflict"], details={"spans": spans})
        self.preview_layout.addWidget(self.preview)

    # --- a conflict between two answers compared as a pair: side by side -------------------------
    def _set_columns(self, flag: dict, details: dict, pairs: dict[int, dict], actionable: bool) -> None:
        text = _esc(flag.get("explanation", ""))
        lines = fact_lines(details, pairs)
        if lines:
            text += "<br><span style='color:#555'>" + "<br>".join(lines) + "</span>"
        elif facts_for(details):
            text += "<br><span style='color:#555'>Differing facts: " + ", ".join(
                f"<b>{_esc(f)}</b>" for f in dict.fromkeys(facts_for(details))) + "</span>"
        self.explanation.setText(text)
        self._clear_preview()
        cards = []
        for pid in flag.get("pair_ids", []):
            pair = pairs.get(int(pid))
            if pair is None:
                continue
            button = QPushButton("This one is right")
            button.setEnabled(actionable)
            button.setProperty("pair_id", int(pid))
            button.clicked.connect(lambda _=False, p=int(pid): self._right(p))
            self.right_buttons.append(button)
            # exact fact spans when the detector gave them, else every mention of the fact's words
            exact = bool(spans_for(details, "response", int(pid)))
            cards.append((button, PairCard(pair, color=HIGHLIGHT["conflict"],
                                           terms=() if exact else facts_for(details, int(pid)), details=details)))
        self.columns.fill(cards)


class ResolveConflictDialog(QDialog):
    """After "This value is right": the answers that state another value, each checked to be
    fixed (the right value put in its place) or, when that is no plain substitution, sent back to
    review for a person to rewrite; unchecked ones stay rejected. Double-click (or Open) shows one
    on the Review page. `plan` is what `engine.flags.ops.right_value_plan` gives."""

    sig_open = Signal(int)  # pair id

    def __init__(self, plan: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        self.setObjectName("resolve-conflict-dialog")
        value = plan.get("value") or plan.get("right_text") or "this answer"
        self.setWindowTitle(f"{value} is right")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        right, others = plan.get("right") or [], plan.get("others") or []
        note = QLabel(f"{_answers(len(right))} {_esc(value)} and stay as they are. "
                      f"{len(others)} state{'s' if len(others) == 1 else ''} another value: checked ones get "
                      f"<b>{_esc(plan.get('right_text') or value)}</b> in its place (or go back to review to be "
                      "rewritten), unchecked ones are rejected. You can undo this.")
        note.setTextFormat(Qt.RichText)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.list = QListWidget()
        for o in others:
            ticket = o.get("external_id") or f"pair {o['pair_id']}"
            stated = o.get("stated") or o.get("value") or "another value"
            if o.get("fixed") is not None:
                text = f"{ticket} · says {stated}: fix it to {plan.get('right_text') or value}"
            else:
                text = f"{ticket} · says {stated}: send it back to review to rewrite"
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            item.setData(Qt.UserRole, int(o["pair_id"]))
            item.setToolTip(o.get("fixed") or "")
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        self.list.itemDoubleClicked.connect(lambda item: self.sig_open.emit(int(item.data(Qt.UserRole))))
        row = QHBoxLayout()
        self.open_button = QPushButton("Open on the Review page")
        self.open_button.clicked.connect(self._open_current)
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText("Resolve")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _open_current(self) -> None:
        item = self.list.currentItem() or self.list.item(0)
        if item is not None:
            self.sig_open.emit(int(item.data(Qt.UserRole)))

    def choices(self) -> tuple[list[int], list[int]]:
        """(pair ids to fix, pair ids to send back to review) as checked."""
        fixable = {int(o["pair_id"]) for o in self.plan.get("others") or [] if o.get("fixed") is not None}
        fix, review = [], []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.Checked:
                pid = int(item.data(Qt.UserRole))
                (fix if pid in fixable else review).append(pid)
        return fix, review


class SpanView(QWidget):
    """One pair with the offending spans highlighted and the reasons (Tone, Needs context, Personal
    data). The question and answer are editable in place; Personal data adds "Redact"."""

    sig_save = Signal(int, int, str, str)  # flag id, pair id, instruction, response
    sig_dismiss = Signal(int)
    sig_redact = Signal(int, int)  # flag id, pair id

    def __init__(self, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.flag: dict | None = None
        self.pair: dict | None = None
        layout = QVBoxLayout(self)
        self.explanation = _explanation("")
        layout.addWidget(self.explanation)
        self.title = QLabel("")
        layout.addWidget(self.title)
        layout.addWidget(_caption("Question"))
        self.question = _text_box("", read_only=False, height=60)
        self.question.setMaximumHeight(120)
        layout.addWidget(self.question, 1)
        layout.addWidget(_caption("Answer"))
        self.answer = _text_box("", read_only=False, height=140)
        layout.addWidget(self.answer, 2)
        row = QHBoxLayout()
        self.save_button = QPushButton("Save my edit")
        self.save_button.setToolTip("Saves the pair (undoable) and checks it again.")
        self.save_button.setEnabled(False)
        row.addWidget(self.save_button)
        self.redact_button = QPushButton("Redact this pair")
        self.redact_button.setToolTip("Replace the personal data with placeholders like [EMAIL_1].")
        self.redact_button.setVisible(kind == "pii")
        row.addWidget(self.redact_button)
        row.addStretch(1)
        self.dismiss_button = QPushButton("It is fine as it is")
        row.addWidget(self.dismiss_button)
        layout.addLayout(row)
        self.painted = 0
        self.question.textChanged.connect(self._edited)
        self.answer.textChanged.connect(self._edited)
        self.save_button.clicked.connect(self._save)
        self.dismiss_button.clicked.connect(lambda: self.flag and self.sig_dismiss.emit(int(self.flag["id"])))
        self.redact_button.clicked.connect(
            lambda: self.flag and self.pair and self.sig_redact.emit(int(self.flag["id"]), int(self.pair["id"])))
        self._loading = False

    def _edited(self) -> None:
        if self._loading or self.pair is None:
            return
        changed = (self.question.toPlainText() != self.pair.get("instruction", "")
                   or self.answer.toPlainText() != self.pair.get("response", ""))
        self.save_button.setEnabled(changed and bool(self.flag))

    def _save(self) -> None:
        if self.flag is None or self.pair is None:
            return
        pending = self.take_pending()
        if pending is not None:
            self.sig_save.emit(*pending)

    def has_unsaved_edit(self) -> bool:
        return self.pair is not None and self.flag is not None and (
            self.question.toPlainText() != self.pair.get("instruction", "")
            or self.answer.toPlainText() != self.pair.get("response", ""))

    def take_pending(self) -> tuple[int, int, str, str] | None:
        """The unsaved edit as (flag id, pair id, question, answer), marked as saved; None when
        there is none."""
        if not self.has_unsaved_edit():
            return None
        question, answer = self.question.toPlainText(), self.answer.toPlainText()
        self.pair = {**self.pair, "instruction": question, "response": answer}
        self.save_button.setEnabled(False)
        return int(self.flag["id"]), int(self.pair["id"]), question, answer

    def set_flag(self, flag: dict, pairs: dict[int, dict]) -> None:
        self.flag = flag
        pid = int(flag["pair_ids"][0]) if flag.get("pair_ids") else None
        self.pair = pairs.get(pid) if pid is not None else None
        details = flag.get("details") or {}
        text = _esc(flag.get("explanation", ""))
        reasons = reason_lines(details)
        if reasons:
            text += "<ul style='margin:4px 0 0 -20px'>" + "".join(f"<li>{r}</li>" for r in reasons) + "</ul>"
        self.explanation.setText(text)
        self._loading = True
        try:
            pair = self.pair or {}
            self.title.setText(f"<b>{_esc(pair.get('external_id') or ('pair %s' % pid))}</b>"
                               f" <span style='color:#777'>· {pair.get('status', '')}</span>")
            self.question.setPlainText(pair.get("instruction", ""))
            self.answer.setPlainText(pair.get("response", ""))
            color = HIGHLIGHT.get(self.kind, "#FDE2C2")
            self.painted = highlight(self.question, spans_for(details, "instruction", pid), (), color)
            self.painted += highlight(self.answer, spans_for(details, "response", pid), (), color)
        finally:
            self._loading = False
        actionable = flag.get("status", "open") == "open"
        self.save_button.setEnabled(False)
        self.redact_button.setEnabled(actionable and self.pair is not None)
        self.dismiss_button.setEnabled(actionable)

    def highlighted_texts(self) -> list[str]:
        """The texts painted right now (for tests and tooltips)."""
        out = []
        for edit in (self.question, self.answer):
            for sel in edit.extraSelections():
                out.append(sel.cursor.selectedText())
        return out


def merge_text(keep: str, others: Iterable[str]) -> str:
    """The kept answer plus the sentences of the other answers it does not already say
    (compared case- and space-insensitively), for the user to edit before saving."""
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().lower()

    have = {norm(s) for s in re.split(r"(?<=[.!?])\s+", keep) if norm(s)}
    extra: list[str] = []
    for text in others:
        for sentence in re.split(r"(?<=[.!?])\s+", text or ""):
            n = norm(sentence)
            if n and n not in have and n not in norm(keep):
                have.add(n)
                extra.append(sentence.strip())
    return keep.rstrip() + ("\n\n" + " ".join(extra) if extra else "")


__all__ = [
    "ConflictView", "DuplicateView", "EmptyView", "PairCard", "ResolveConflictDialog", "SpanView", "ValueGroup", "facts_for", "highlight",
    "merge_text", "spans_for", "fact_lines", "reason_lines",
]
