"""Playground: ask the tuned model and the base model the same question, side by side.

The models load and generate on their own QThread (not the engine worker: they never touch the
workspace database), and the reply streams into the page through signals a few words at a time.
The workspace calls (the finished runs, flagging, rating) are one engine call each on the engine
worker (engine/evaluate/ops.py, engine/evaluate/playground.py).
"Flag this answer" files the question with a corrected answer in the review queue. Blind rating
mode hides which model wrote which answer (A / B): the two replies are generated in a random order
and neither is shown before both are complete; the pick is stored with the hidden assignment,
which is revealed after the rating. The base model's column is prompted as the evaluation's
baseline is (house-style prompt, training pairs as examples, the policy sheet when loaded).
"Start a test session" is the seed's third test: a timer, free questions, each tuned answer
marked right or wrong with a short note (a wrong one goes to the review queue as a pair to
write), and a summary at the end.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QSpinBox, QTextBrowser, QTextEdit, QVBoxLayout, QWidget,
)

from desktop.worker import user_message
from desktop.pages.base import Page
from engine.evaluate import ops, playground as chat

SIDES = ("tuned", "base")
SIDE_TITLES = {"tuned": "Tuned model", "base": "Base model"}


# --- the generation thread ---------------------------------------------------------------------
class ChatWorker(QObject):
    """Lives on its own QThread: loads models and streams replies. Signals carry the text back."""

    sig_loaded = Signal(str)  # run id
    sig_load_failed = Signal(str)
    sig_chunk = Signal(str, str)  # side, text
    sig_reply_done = Signal(str, str)  # side, whole reply
    sig_reply_failed = Signal(str, str)  # side, message
    sig_all_done = Signal()

    def __init__(self, loader: Callable[[str], dict] = ops.load_chat_models):
        super().__init__()
        self.loader = loader
        self.models: dict[str, Any] = {}
        self.stop_requested = False

    @Slot(str, str, object)
    def load(self, run_id: str, run_dir: str, policy: object = None) -> None:
        try:
            # the base model is prompted with the policy sheet too when one is loaded
            self.models = self.loader(run_dir, policy) if policy else self.loader(run_dir)
        except Exception as exc:  # noqa: BLE001 - one line for the page
            self.models = {}
            self.sig_load_failed.emit(user_message(exc))
            return
        self.sig_loaded.emit(run_id)

    @Slot(object)
    def generate(self, conversations: dict) -> None:
        """conversations: {side: messages}; the sides answer one after the other (gentler on a CPU)."""
        self.stop_requested = False
        conversations = dict(conversations)
        order = conversations.pop("_order", None) or list(conversations)
        for side in order:
            messages = conversations[side]
            model = self.models.get(side)
            if model is None:
                self.sig_reply_failed.emit(side, "The model is not loaded.")
                continue
            pieces: list[str] = []
            try:
                for chunk in model.stream_reply(messages, max_new_tokens=256):
                    if self.stop_requested:
                        break  # leaving the loop stops the generation at the next token
                    pieces.append(chunk)
                    self.sig_chunk.emit(side, chunk)
            except Exception as exc:  # noqa: BLE001
                self.sig_reply_failed.emit(side, user_message(exc))
                continue
            self.sig_reply_done.emit(side, "".join(pieces).strip())
            if self.stop_requested:
                break
        self.sig_all_done.emit()


class FlagDialog(QDialog):
    """The question and a corrected answer (prefilled with the model's) for the review queue."""

    def __init__(self, question: str, answer: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Flag this answer")
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Question</b>"))
        self.question = QPlainTextEdit(question)
        self.question.setMaximumHeight(90)
        layout.addWidget(self.question)
        note = QLabel("<b>The correct answer</b> (what the model should have said). It goes to the review queue "
                      "as a new pair; the model's answer is kept as a note.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.answer = QPlainTextEdit(answer)
        layout.addWidget(self.answer, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Send to review")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class WrongDialog(QDialog):
    """A wrong answer in a test session: what kind of failure, a short note, and (optional) the
    correct answer for the review queue."""

    def __init__(self, question: str, answer: str, categories, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Mark the answer wrong")
        self.resize(560, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>Question</b><br>{_esc(question)}"))
        layout.addWidget(QLabel(f"<b>The model's answer</b><br>{_esc(answer)}"))
        form = QFormLayout()
        self.category = QComboBox()
        for c in categories:
            self.category.addItem(c, c)
        form.addRow("What went wrong", self.category)
        self.note = QLineEdit()
        self.note.setPlaceholderText("a short note, e.g. 'said 60 days, it is 30'")
        form.addRow("Note", self.note)
        layout.addLayout(form)
        layout.addWidget(QLabel("The correct answer, if you know it (else the reviewer writes it):"))
        self.corrected = QPlainTextEdit()
        layout.addWidget(self.corrected, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Wrong: send to review")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class PlaygroundPage(Page):
    name = "playground"
    title = "Playground"

    _sig_load = Signal(str, str, object)
    _sig_generate = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None, *, loader: Callable[[str], dict] | None = None):
        super().__init__(ctx, parent)
        self.runs: list[dict] = []
        self.loaded_run: str | None = None
        self.histories: dict[str, list[dict]] = {s: [] for s in SIDES}
        self.replies: dict[str, str] = {s: "" for s in SIDES}
        self.question: str = ""
        self.generating = False
        self.blind_pair: dict | None = None
        self.column_of: dict[str, int] = {"tuned": 0, "base": 1}  # which column shows which model
        self.flag_dialog: FlagDialog | None = None
        self.wrong_dialog: WrongDialog | None = None
        self.tallies: dict = {}
        self.policy: str | None = None
        self.session: dict | None = None  # the running test session
        self.session_deadline = 0.0
        self.session_summary: dict | None = None
        self.marked = False  # the current tuned answer was marked in the session
        self._blind_rng = random.Random()

        self.thread = QThread(self)
        self.thread.setObjectName("playground-generation")
        self.chat = ChatWorker(loader or ops.load_chat_models)
        self.chat.moveToThread(self.thread)
        self._sig_load.connect(self.chat.load)
        self._sig_generate.connect(self.chat.generate)
        self.chat.sig_loaded.connect(self._loaded)
        self.chat.sig_load_failed.connect(self._load_failed)
        self.chat.sig_chunk.connect(self._chunk)
        self.chat.sig_reply_done.connect(self._reply_done)
        self.chat.sig_reply_failed.connect(self._reply_failed)
        self.chat.sig_all_done.connect(self._all_done)
        self.thread.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

        root = QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        head.addWidget(QLabel("<h2 style='margin:0'>Playground</h2>"))
        head.addStretch(1)
        head.addWidget(QLabel("Run:"))
        self.run_combo = QComboBox()
        self.run_combo.setMinimumWidth(300)
        head.addWidget(self.run_combo)
        self.load_button = QPushButton("Load models")
        self.load_button.clicked.connect(self.load_models)
        head.addWidget(self.load_button)
        self.blind_check = QCheckBox("Blind rating")
        self.blind_check.setToolTip("Hide which model wrote which answer, then pick the better one.")
        self.blind_check.toggled.connect(self._blind_toggled)
        head.addWidget(self.blind_check)
        root.addLayout(head)
        self.state_label = QLabel("Pick a trained run and load its models.")
        self.state_label.setStyleSheet("color: #555;")
        root.addWidget(self.state_label)

        columns = QHBoxLayout()
        self.boxes: list[QGroupBox] = []
        self.views: list[QTextBrowser] = []
        self.flag_buttons: list[QPushButton] = []
        for col in range(2):
            box = QGroupBox()
            bl = QVBoxLayout(box)
            view = QTextBrowser()
            bl.addWidget(view, 1)
            flag_button = QPushButton("Flag this answer…")
            flag_button.setToolTip("Send the question with the correct answer to the review queue.")
            flag_button.clicked.connect(lambda _=False, c=col: self.flag_answer(c))
            bl.addWidget(flag_button, 0, Qt.AlignRight)
            self.boxes.append(box)
            self.views.append(view)
            self.flag_buttons.append(flag_button)
            columns.addWidget(box, 1)
        root.addLayout(columns, 1)

        self.session_bar = QWidget()
        sl = QHBoxLayout(self.session_bar)
        sl.setContentsMargins(0, 0, 0, 0)
        self.session_button = QPushButton("Start a test session")
        self.session_button.setToolTip("The third test of a fine-tune: someone who has not seen the data asks free "
                                       "questions for 30 minutes and marks each answer right or wrong.")
        self.session_button.clicked.connect(self.toggle_session)
        sl.addWidget(self.session_button)
        self.session_minutes = QSpinBox()
        self.session_minutes.setRange(1, 240)
        self.session_minutes.setValue(chat.SESSION_MINUTES)
        self.session_minutes.setSuffix(" min")
        sl.addWidget(self.session_minutes)
        self.timer_label = QLabel("")
        self.timer_label.setStyleSheet("font-weight: 600;")
        sl.addWidget(self.timer_label)
        self.right_button = QPushButton("✓ Right")
        self.right_button.setToolTip("The tuned model's answer is right.")
        self.right_button.clicked.connect(lambda: self.mark(True))
        sl.addWidget(self.right_button)
        self.wrong_button = QPushButton("✗ Wrong…")
        self.wrong_button.setToolTip("The tuned model's answer is wrong: note why; it goes to the review queue.")
        self.wrong_button.clicked.connect(lambda: self.mark(False))
        sl.addWidget(self.wrong_button)
        self.session_label = QLabel("")
        self.session_label.setWordWrap(True)
        sl.addWidget(self.session_label, 1)
        root.addWidget(self.session_bar)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)

        self.rating_bar = QWidget()
        rl = QHBoxLayout(self.rating_bar)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("Which answer is better?"))
        self.rate_buttons = {}
        for choice, text in (("a", "A is better"), ("b", "B is better"), ("neither", "Neither")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, c=choice: self.rate(c))
            rl.addWidget(b)
            self.rate_buttons[choice] = b
        rl.addStretch(1)
        self.tallies_label = QLabel()
        rl.addWidget(self.tallies_label)
        root.addWidget(self.rating_bar)

        ask = QHBoxLayout()
        self.input = QTextEdit()
        self.input.setAcceptRichText(False)
        self.input.setPlaceholderText("Ask a question as an employee would… (Enter asks, Shift+Enter starts a new line)")
        self.input.installEventFilter(self)  # Enter asks both models
        self.input.setFixedHeight(64)
        ask.addWidget(self.input, 1)
        side = QVBoxLayout()
        self.send_button = QPushButton("Ask both")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        side.addWidget(self.send_button)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        side.addWidget(self.stop_button)
        self.clear_button = QPushButton("New conversation")
        self.clear_button.clicked.connect(self.clear)
        side.addWidget(self.clear_button)
        ask.addLayout(side)
        root.addLayout(ask)
        self._titles()
        self._update_buttons()

    # --- lifecycle ----------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        """In the question box Enter (or Ctrl+Enter) asks; Shift+Enter starts a new line."""
        if (obj is self.input and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.send()
            return True
        return super().eventFilter(obj, event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop generating and end the generation thread (at exit, or by the test)."""
        self.chat.stop_requested = True
        if self.thread.isRunning():
            self.thread.quit()
            self.thread.wait(10000)

    def forget_workspace(self) -> None:
        """The models were trained on the workspace that closed: do not chat with them here."""
        self.chat.stop_requested = True
        self.loaded_run = None
        self._known_runs = None
        self.session = None  # the session stays recorded in the workspace it belongs to
        self.clock.stop()
        self.timer_label.setText("")
        self.clear()
        self.state_label.setText("Pick a trained run and load its models.")

    def refresh(self) -> None:
        if not self.has_workspace:
            return
        self.submit(ops.playground_runs, on_done=self._runs_loaded, on_error=lambda e: self.ctx.show_error(user_message(e)))

    def _runs_loaded(self, result: dict) -> None:
        self.runs = result["runs"]
        self.tallies = result.get("tallies") or {}
        self.policy = result.get("policy")
        current = self.run_combo.currentData()
        self.run_combo.clear()
        for run in self.runs:
            self.run_combo.addItem(f"{run['id']} · {run.get('base_model')}", run["id"])
        if not self.runs:
            self.run_combo.addItem("No finished training run yet", None)
            self.state_label.setText("Train a model first (Train page); then chat with it here.")
        ids = {run["id"] for run in self.runs}
        known, self._known_runs = getattr(self, "_known_runs", None), ids
        # a run finished since: offer it first (unless models are loaded: the combo shows those)
        fresh = known is not None and bool(ids - known) and not self.loaded_run
        if current is not None and not fresh and self.run_combo.findData(current) >= 0:
            self.run_combo.setCurrentIndex(self.run_combo.findData(current))
        self._show_tallies()
        self._update_buttons()

    # --- models -------------------------------------------------------------------------------
    def load_models(self) -> None:
        run_id = self.run_combo.currentData()
        run = next((r for r in self.runs if r["id"] == run_id), None)
        if run is None:
            return
        self.loaded_run = None
        self.load_button.setEnabled(False)
        self.state_label.setText(f"Loading the tuned and base models of run {run_id}… (this can take a minute)")
        self._loading = True
        self._loading_for = self.ctx.workspace_path
        self._update_buttons()
        self._sig_load.emit(run_id, run["run_dir"], self.policy)

    def _loaded(self, run_id: str) -> None:
        self._loading = False
        if getattr(self, "_loading_for", None) != self.ctx.workspace_path:  # the workspace changed meanwhile
            self._update_buttons()
            return
        self.loaded_run = run_id
        self.state_label.setText(f"Models of run {run_id} loaded. Ask a question.")
        self.clear()

    def _load_failed(self, message: str) -> None:
        self._loading = False
        self.state_label.setText(f"<span style='color:#B00020'>{_esc(message)}</span>")
        self._update_buttons()

    # --- chatting -----------------------------------------------------------------------------
    def send(self) -> None:
        question = self.input.toPlainText().strip()
        if not question or self.generating or not self.loaded_run:
            return
        self.question = question
        self.input.clear()
        blind = self.blind_check.isChecked()
        if blind:
            # the hidden assignment is drawn now; the replies are held back until both are complete
            self.blind_pair = self._make_blind_pair(question)
            first = self.blind_pair["hidden"]["model_a"]
            self.column_of = {first: 0, ("base" if first == "tuned" else "tuned"): 1}
            for view in self.views:
                view.clear()
            for side in SIDES:
                self.histories[side] = []
        else:
            self.blind_pair = None
            self.column_of = {"tuned": 0, "base": 1}
        self.marked = False
        self._titles()
        for side in SIDES:
            self.histories[side].append({"role": "user", "content": question})
            self.replies[side] = ""
            if not blind:
                view = self.views[self.column_of[side]]
                view.append(f"<p style='margin:8px 0 2px 0'><b>You:</b> {_esc(question)}</p>")
                view.append("<b>Answer:</b> ")
        self.generating = True
        self.state_label.setText("Both models are answering; the two answers appear together when both are complete…"
                                 if blind else "Answering…")
        self._update_buttons()
        work: dict = {side: list(self.histories[side]) for side in SIDES}
        if blind:  # a random order: which column fills first says nothing either
            work["_order"] = self._blind_rng.sample(list(SIDES), len(SIDES))
        self._sig_generate.emit(work)

    @staticmethod
    def _make_blind_pair(question: str) -> dict:
        return chat.make_blind_pair(question, "", "", random.Random())

    def _chunk(self, side: str, text: str) -> None:
        self.replies[side] += text
        if self.blind_pair is not None:
            return  # blind: nothing is shown before both replies are complete
        view = self.views[self.column_of[side]]
        cursor = view.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        view.setTextCursor(cursor)
        view.ensureCursorVisible()

    def _reply_done(self, side: str, reply: str) -> None:
        self.replies[side] = reply
        self.histories[side].append({"role": "assistant", "content": reply})

    def _reply_failed(self, side: str, message: str) -> None:
        if self.blind_pair is not None:
            self.replies[side] = self.replies.get(side) or ""
            self._blind_errors = dict(getattr(self, "_blind_errors", {}), **{side: message})
            return
        self.views[self.column_of[side]].append(f"<span style='color:#B00020'>{_esc(message)}</span>")

    def _all_done(self) -> None:
        self.generating = False
        if self.blind_pair is not None:
            hidden = self.blind_pair["hidden"]
            self.blind_pair["answer_a"] = self.replies[hidden["model_a"]]
            self.blind_pair["answer_b"] = self.replies[hidden["model_b"]]
            errors = getattr(self, "_blind_errors", {})
            self._blind_errors = {}
            for side in SIDES:  # both complete: shown together
                view = self.views[self.column_of[side]]
                view.clear()
                view.append(f"<p style='margin:8px 0 2px 0'><b>You:</b> {_esc(self.question)}</p>")
                view.append(f"<b>Answer:</b> {_esc(self.replies[side])}")
                if side in errors:
                    view.append(f"<span style='color:#B00020'>{_esc(errors[side])}</span>")
            self.state_label.setText("Which answer is better? The model names are hidden until you pick.")
        else:
            self.state_label.setText("Done. Ask a follow-up, or flag a wrong answer.")
        self._update_buttons()

    def stop(self) -> None:
        self.chat.stop_requested = True  # read by the generation thread between chunks

    def clear(self) -> None:
        for side in SIDES:
            self.histories[side] = []
            self.replies[side] = ""
        for view in self.views:
            view.clear()
        self.blind_pair = None
        self.question = ""
        self._titles()
        self._update_buttons()

    # --- flagging and rating ------------------------------------------------------------------
    def side_in_column(self, col: int) -> str:
        return next(s for s, c in self.column_of.items() if c == col)

    def flag_answer(self, col: int) -> None:
        side = self.side_in_column(col)
        answer = self.replies.get(side, "")
        if not self.question or not answer:
            return
        self.flag_dialog = FlagDialog(self.question, answer, self)

        def accepted() -> None:
            question = self.flag_dialog.question.toPlainText().strip()
            corrected = self.flag_dialog.answer.toPlainText().strip()
            self.submit(chat.flag_answer, question, corrected, answer, on_error=lambda e: self.ctx.show_error(user_message(e)),
                        on_done=lambda pid: self._flagged(pid))

        self.flag_dialog.accepted.connect(accepted)
        self.flag_dialog.open()

    def _flagged(self, pair_id: int) -> None:
        self.ctx.status("Sent to the review queue with your corrected answer")
        self.ctx.sig_pairs_changed.emit([int(pair_id)])

    def rate(self, choice: str) -> None:
        if self.blind_pair is None or self.generating:
            return
        pair = dict(self.blind_pair)

        def done(tallies: dict) -> None:
            self.tallies = tallies
            hidden = pair["hidden"]
            picked = {"a": hidden["model_a"], "b": hidden["model_b"]}.get(choice)
            self.state_label.setText(
                (f"You preferred the {SIDE_TITLES[picked].lower()}." if picked else "Neither, noted.")
                + f" A was the {SIDE_TITLES[hidden['model_a']].lower()}, B the {SIDE_TITLES[hidden['model_b']].lower()}.")
            self.blind_pair = None
            self._titles(reveal=hidden)
            self._show_tallies()
            self._update_buttons()

        self.submit(ops.rate, pair, choice, on_done=done, on_error=lambda e: self.ctx.show_error(user_message(e)))

    # --- the test session ---------------------------------------------------------------------
    def toggle_session(self) -> None:
        if self.session is not None:
            self.end_session()
            return
        if not self.loaded_run:
            return
        self.blind_check.setChecked(False)  # the session marks the tuned model's answers
        minutes = int(self.session_minutes.value())

        def started(session: dict) -> None:
            self.session = session
            self.session_summary = None
            self.session_deadline = time.monotonic() + 60 * minutes
            self.clock.start()
            self._tick()
            self.session_label.setText("Ask anything an employee would; mark each answer of the tuned model.")
            self._update_buttons()

        self.submit(ops.start_session, self.loaded_run, minutes, on_done=started,
                    on_error=lambda e: self.ctx.show_error(user_message(e)))

    def _tick(self) -> None:
        if self.session is None:
            self.clock.stop()
            return
        left = max(0, int(self.session_deadline - time.monotonic()))
        self.timer_label.setText(f"{left // 60:02d}:{left % 60:02d} left")
        if left <= 0:
            self.end_session()

    def mark(self, right: bool) -> None:
        if self.session is None or self.generating or self.marked or not self.replies.get("tuned"):
            return
        question, answer, sid = self.question, self.replies["tuned"], self.session["id"]

        def done(result: dict) -> None:
            self.marked = True
            self.session_summary = result["summary"]
            s = result["summary"]
            self.session_label.setText(f"{s['answers']} answer{'s' if s['answers'] != 1 else ''} tried, "
                                       f"{s['wrong']} wrong" + (f" ({s['sent_to_review']} in the review queue)"
                                                                if s["sent_to_review"] else ""))
            if result["item"].get("pair_id"):
                self.ctx.sig_pairs_changed.emit([int(result["item"]["pair_id"])])
            self._update_buttons()

        if right:
            self.submit(ops.mark_answer, sid, question, answer, True, on_done=done,
                        on_error=lambda e: self.ctx.show_error(user_message(e)))
            return
        self.wrong_dialog = WrongDialog(question, answer, chat.FAILURE_CATEGORIES, self)

        def accepted() -> None:
            d = self.wrong_dialog
            self.submit(ops.mark_answer, sid, question, answer, False, d.note.text().strip(),
                        d.category.currentData(), d.corrected.toPlainText().strip() or None, on_done=done,
                        on_error=lambda e: self.ctx.show_error(user_message(e)))

        self.wrong_dialog.accepted.connect(accepted)
        self.wrong_dialog.open()

    def end_session(self) -> None:
        if self.session is None:
            return
        sid = self.session["id"]
        self.session = None
        self.clock.stop()

        def done(summary: dict) -> None:
            self.session_summary = summary
            self.timer_label.setText("")
            self.session_label.setText(summary_text(summary))
            self.state_label.setText("Test session ended. The Evaluate page shows it beside the held-out figures.")
            self._update_buttons()

        self.submit(ops.end_session, sid, on_done=done, on_error=lambda e: self.ctx.show_error(user_message(e)))
        self._update_buttons()

    def _blind_toggled(self, on: bool) -> None:
        self.clear()
        self.rating_bar.setVisible(on)
        self._update_buttons()

    # --- display ------------------------------------------------------------------------------
    def _titles(self, reveal: dict | None = None) -> None:
        blind = self.blind_check.isChecked()
        for col, box in enumerate(self.boxes):
            if blind:
                letter = "A" if col == 0 else "B"
                name = f" ({SIDE_TITLES[reveal['model_' + letter.lower()]]})" if reveal else ""
                box.setTitle(f"Answer {letter}{name}")
            else:
                box.setTitle(SIDE_TITLES[self.side_in_column(col)])

    def _show_tallies(self) -> None:
        t = self.tallies or {}
        self.tallies_label.setText(f"So far: tuned {int(t.get('tuned', 0))} · base {int(t.get('base', 0))} · "
                                   f"neither {int(t.get('neither', 0))}")

    def _update_buttons(self) -> None:
        loading = getattr(self, "_loading", False)
        ready = bool(self.loaded_run) and not loading
        self.load_button.setEnabled(not loading and not self.generating and self.run_combo.currentData() is not None)
        self.send_button.setEnabled(ready and not self.generating)
        self.stop_button.setEnabled(self.generating)
        self.clear_button.setEnabled(ready and not self.generating)
        for col, b in enumerate(self.flag_buttons):
            side = self.side_in_column(col)
            b.setEnabled(not self.generating and bool(self.replies.get(side)) and bool(self.question))
        rating = self.blind_pair is not None and not self.generating and all(self.replies.values())
        for b in self.rate_buttons.values():
            b.setEnabled(rating)
        in_session = self.session is not None
        self.session_button.setText("End the test session" if in_session else "Start a test session")
        self.session_button.setEnabled(in_session or (ready and not self.generating))
        self.session_minutes.setEnabled(not in_session)
        can_mark = in_session and not self.generating and not self.marked and bool(self.replies.get("tuned"))
        self.right_button.setVisible(in_session)
        self.wrong_button.setVisible(in_session)
        self.right_button.setEnabled(can_mark)
        self.wrong_button.setEnabled(can_mark)
        self.blind_check.setEnabled(not in_session)
        self.rating_bar.setVisible(self.blind_check.isChecked())


def summary_text(s: dict) -> str:
    """A test session's summary in words (answers tried, failure rate, failures grouped)."""
    rate = s.get("failure_rate")
    text = (f"Session over: {s['answers']} answers tried in {s['minutes_used']:.0f} min, "
            f"{'no' if not s['wrong'] else s['wrong']} wrong" + (f" ({rate:.0%})" if rate is not None else "") + ".")
    if s.get("groups"):
        text += " Failures: " + "; ".join(f"{g['category']} ×{g['count']}" for g in s["groups"]) + "."
    if s.get("consistent"):
        text += " Repeated: " + ", ".join(s["consistent"]) + " (a consistent failure mode)."
    if s.get("sent_to_review"):
        text += f" {s['sent_to_review']} sent to the review queue."
    return text


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
