"""The review page's editor: the raw ticket on one side, the editable pair on the other, and
the pair's flags as badges with their explanations.

It only lays out and reports edits (`sig_edited`); saving, undo and the actions live in
`desktop.pages.review`.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.flags.base import KIND_LABELS  # noqa: E402  (one list of names, the engine's)
SEVERITY_COLORS = {  # background, text
    "high": ("#ffe3e3", "#a61b1b"),
    "medium": ("#fff3c4", "#8d2b0b"),
    "low": ("#e3f8ff", "#0b4f71"),
}
STATUS_STYLE = {
    "new": ("New", "#e4e7eb", "#323f4b"),
    "approved": ("Approved", "#c6f7e2", "#014d40"),
    "rejected": ("Rejected", "#ffe3e3", "#8a041a"),
}


class PairTextEdit(QPlainTextEdit):
    """A plain-text editor that lets the review page's shortcuts through (Ctrl+Z undoes the
    saved change through the engine, Ctrl+Enter approves, Alt+Up/Down move) instead of taking
    them for itself."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.passthrough: list[QKeySequence] = []
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)  # undo is the engine's (history kept in the workspace)

    def _is_passthrough(self, event: QKeyEvent) -> bool:
        combo = QKeySequence(event.keyCombination())
        return any(seq.matches(combo) == QKeySequence.SequenceMatch.ExactMatch for seq in self.passthrough)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._is_passthrough(event):
            event.ignore()  # not ours: the window's shortcut gets it
            return False
        return super().event(event)


def thread_html(messages: list[dict]) -> str:
    """The conversation as HTML for the raw pane (texts escaped)."""
    parts = []
    for m in messages:
        who = html.escape(str(m.get("author") or ("requester" if m.get("role") == "requester" else "agent")))
        role = "Requester" if m.get("role") == "requester" else "Agent"
        when = html.escape(str(m.get("created") or ""))
        if m.get("internal"):
            head = f"<b style='color:#8d2b0b'>Internal note</b> · {who}"
            style = "background:#fff3c4; border-left:3px solid #f0b429;"
        else:
            used = {"question": " · in the question", "answer": " · the answer"}.get(m.get("used") or "", "")
            head = f"<b>{role}</b> · {who}{used}"
            style = "background:#ffffff;" if m.get("role") == "requester" else "background:#eef2f7;"
        files = m.get("attachments") or []
        att = (f"<div style='color:#616e7c'>Attachments (not imported): {html.escape(', '.join(files))}</div>"
               if files else "")
        text = html.escape(str(m.get("text") or "")).replace("\n", "<br>")
        parts.append(f"<div style='{style} padding:4px; margin-bottom:6px'><div style='color:#52606d'>{head}"
                     f"<span style='color:#9aa5b1'> {when}</span></div><div>{text}</div>{att}</div>")
    return "".join(parts)


def _section_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("section-label")
    return label


class FlagBadges(QWidget):
    """The pair's open flags: one coloured badge per flag and its explanation beside it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.flags: list[dict] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_flags(self, flags: list[dict] | None) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.flags = [f for f in (flags or []) if f.get("status", "open") == "open"]
        for flag in self.flags:
            row = QHBoxLayout()
            row.setSpacing(8)
            severity = str(flag.get("severity") or "medium")
            bg, fg = SEVERITY_COLORS.get(severity, SEVERITY_COLORS["medium"])
            badge = QLabel(KIND_LABELS.get(flag.get("kind"), str(flag.get("kind", "Flag"))))
            badge.setObjectName("flag-badge")
            badge.setProperty("kind", flag.get("kind"))
            badge.setStyleSheet(
                f"QLabel {{ background: {bg}; color: {fg}; border-radius: 9px; padding: 2px 9px;"
                f" font-weight: 600; }}"
            )
            badge.setToolTip(f"{severity.title()} severity")
            badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            text = QLabel(str(flag.get("explanation") or ""))
            text.setTextFormat(Qt.TextFormat.PlainText)  # shown as written (quotes, <, &)
            text.setObjectName("flag-explanation")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            container = QWidget()
            row.setContentsMargins(0, 0, 0, 0)
            container.setLayout(row)
            row.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(text, 1)
            self.layout_.addWidget(container)
        self.setVisible(bool(self.flags))

    def kinds(self) -> list[str]:
        return [str(f.get("kind")) for f in self.flags]


class PairEditor(QWidget):
    """Raw ticket | editable pair. `sig_edited(field)` fires on every keystroke in the pair."""

    sig_edited = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)

        # header: ticket id, status, save state
        header = QHBoxLayout()
        self.title = QLabel("No pair selected")
        self.title.setObjectName("pair-title")
        self.status_chip = QLabel("")
        self.status_chip.setObjectName("status-chip")
        self.save_state = QLabel("")
        self.save_state.setObjectName("save-state")
        self.save_state.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.save_state.setMinimumWidth(60)
        self.save_state.setWordWrap(True)  # a narrow editor wraps "Last saved ... by ..." instead of cutting it
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.title)
        header.addWidget(self.status_chip)
        header.addStretch(1)
        self.header = header
        outer.addLayout(header)

        self.badges = FlagBadges()
        outer.addWidget(self.badges)

        # raw ticket (read-only)
        raw = QFrame()
        raw.setObjectName("raw-ticket")
        raw_layout = QVBoxLayout(raw)
        raw_layout.setContentsMargins(10, 8, 10, 8)
        raw_layout.setSpacing(4)
        heading = QLabel("Original ticket")
        heading.setObjectName("column-heading")
        self.subject = QLabel("")
        self.subject.setObjectName("subject")
        self.subject.setWordWrap(True)
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.raw_question = QPlainTextEdit()
        self.raw_question.setReadOnly(True)
        self.raw_question.setObjectName("raw-question")
        self.raw_answer = QPlainTextEdit()
        self.raw_answer.setReadOnly(True)
        self.raw_answer.setObjectName("raw-answer")
        raw_layout.addWidget(heading)
        raw_layout.addWidget(self.subject)
        raw_layout.addWidget(_section_label("Question as asked"))
        raw_layout.addWidget(self.raw_question, 1)
        raw_layout.addWidget(_section_label("Agent's reply"))
        raw_layout.addWidget(self.raw_answer, 1)
        # a helpdesk ticket: every message, internal notes marked (never part of the pair)
        self.thread_label = _section_label("Whole conversation (internal notes are marked and never in the pair)")
        self.thread_view = QTextBrowser()
        self.thread_view.setObjectName("raw-thread")
        self.thread_view.setOpenLinks(False)
        raw_layout.addWidget(self.thread_label)
        raw_layout.addWidget(self.thread_view, 2)
        self.thread_label.hide()
        self.thread_view.hide()
        self.thread_pair_id: int | None = None

        # the training pair (editable)
        edit = QFrame()
        edit.setObjectName("training-pair")
        edit_layout = QVBoxLayout(edit)
        edit_layout.setContentsMargins(10, 8, 10, 8)
        edit_layout.setSpacing(4)
        heading2 = QLabel("Training pair")
        heading2.setObjectName("column-heading")
        heading_row = QHBoxLayout()
        heading_row.addWidget(heading2)
        heading_row.addWidget(self.save_state, 1)
        self.instruction = PairTextEdit()
        self.instruction.setObjectName("instruction")
        self.instruction.setPlaceholderText("The question, as a user would ask it")
        self.response = PairTextEdit()
        self.response.setObjectName("response")
        self.response.setPlaceholderText("The answer the model should learn to give")
        edit_layout.addLayout(heading_row)
        edit_layout.addWidget(_section_label("Instruction"))
        edit_layout.addWidget(self.instruction, 2)
        edit_layout.addWidget(_section_label("Response"))
        edit_layout.addWidget(self.response, 3)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(raw)
        self.splitter.addWidget(edit)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter, 1)

        self.instruction.textChanged.connect(lambda: self._edited("instruction"))
        self.response.textChanged.connect(lambda: self._edited("response"))
        self.set_pair(None)

    def add_header_widget(self, widget: QWidget) -> None:
        """Put a small widget (undo, redo, history buttons) at the right of the header."""
        self.header.addWidget(widget)

    def _edited(self, field: str) -> None:
        if not self._loading:
            self.sig_edited.emit(field)

    def editors(self) -> dict[str, PairTextEdit]:
        return {"instruction": self.instruction, "response": self.response}

    def text(self, field: str) -> str:
        return self.editors()[field].toPlainText()

    def set_pair(self, pair: dict | None, flags: list[dict] | None = None) -> None:
        """Show a pair (None: nothing selected). Does not emit sig_edited."""
        self._loading = True
        try:
            enabled = pair is not None
            for w in (self.instruction, self.response):
                w.setEnabled(enabled)
            if pair is None:
                self.title.setText("No pair selected")
                self.status_chip.setText("")
                self.status_chip.setStyleSheet("")
                self.subject.setText("")
                for w in (self.raw_question, self.raw_answer, self.instruction, self.response):
                    w.setPlainText("")
                self.set_thread(None)
                self.badges.set_flags([])
                return
            ext = pair.get("external_id")
            self.title.setText(f"Ticket {ext}" if ext else f"Pair #{pair['id']}")
            self.title.setToolTip(f"Pair #{pair['id']}")
            self.set_status(pair.get("status", "new"))
            subject = pair.get("subject")
            self.subject.setText(f"<b>{html.escape(subject)}</b>" if subject else "<i>No subject</i>")
            self.raw_question.setPlainText(pair.get("raw_question") or "(this pair was not imported from a ticket)")
            self.raw_answer.setPlainText(pair.get("raw_answer") or "")
            if "raw_messages" in pair or self.thread_pair_id != pair["id"]:
                self.set_thread(pair.get("raw_messages"), pair["id"])
            self._set_text(self.instruction, pair.get("instruction") or "")
            self._set_text(self.response, pair.get("response") or "")
            self.badges.set_flags(flags)
        finally:
            self._loading = False

    def set_thread(self, messages: list[dict] | None, pair_id: int | None = None) -> None:
        """Show a helpdesk ticket's messages below the raw question and answer, oldest first;
        an internal note on a yellow ground with "Internal note" in front of its author."""
        self.thread_pair_id = pair_id if messages else None
        visible = bool(messages)
        self.thread_label.setVisible(visible)
        self.thread_view.setVisible(visible)
        if not visible:
            self.thread_view.clear()
            return
        self.thread_view.setHtml(thread_html(messages))

    def set_texts(self, instruction: str, response: str) -> None:
        """Replace the editable texts (after undo/redo/redaction) without emitting edits."""
        self._loading = True
        try:
            self._set_text(self.instruction, instruction)
            self._set_text(self.response, response)
        finally:
            self._loading = False

    @staticmethod
    def _set_text(editor: QPlainTextEdit, text: str) -> None:
        if editor.toPlainText() == text:
            return
        cursor = editor.textCursor()
        position = cursor.position()
        editor.setPlainText(text)
        cursor = editor.textCursor()
        cursor.setPosition(min(position, len(text)))
        editor.setTextCursor(cursor)

    def set_status(self, status: str) -> None:
        label, bg, fg = STATUS_STYLE.get(status, (status.title(), "#e4e7eb", "#323f4b"))
        self.status_chip.setText(label)
        self.status_chip.setStyleSheet(
            f"QLabel {{ background: {bg}; color: {fg}; border-radius: 9px; padding: 2px 10px; font-weight: 600; }}"
        )

    def set_save_state(self, text: str, error: bool = False) -> None:
        self.save_state.setText(text)
        self.save_state.setStyleSheet("color: #a61b1b; font-weight: 600;" if error else "color: #616e7c;")
