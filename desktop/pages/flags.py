"""Flags: the problems found in the pairs, one tab per kind, each resolved with one action.

- Duplicates: the pairs side by side; keep one (the others are rejected), merge into one, or say
  they are different questions.
- Conflicting answers: one flag per disagreement, newest first, each value with how many answers
  state it and their tickets (newest first), the policy sheet's side marked; "This value is right"
  lists the answers stating another value, to fix (the right value put in), send back to review or
  reject (undoable). Two answers compared as a pair show side by side with "This one is right".
- Tone / Needs context: the offending words highlighted with the reasons; edit in place.
- Personal data: the personal data highlighted; redact one pair or all of them.

Every action is one call into `engine.flags.ops` on the worker; anything slow (finding problems,
redacting everything) shows progress in the status bar and can be cancelled.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
    QMessageBox, QPushButton, QSplitter, QStackedWidget, QTabWidget, QTextEdit, QVBoxLayout, QWidget,
)

from desktop.pages.base import Page
from desktop.widgets.flag_views import (
    ConflictView, DuplicateView, EmptyView, ResolveConflictDialog, SpanView, merge_text,
)
from desktop.worker import is_cancelled_error, user_message
from engine.flags import ops
from engine.flags.base import IMPORT_KINDS, KIND_LABELS, SHOWN_KINDS as KINDS  # the import's flags get a tab too

SEVERITY_COLORS = {"high": "#E45756", "medium": "#F58518", "low": "#9D9D9D"}
# the first tab shown: the kind that hurts a model most, among those with open flags
FIRST_TAB_ORDER = ("conflict", "pii", "duplicate", "needs_context", "tone")
STATUS_FILTERS = [("Open", "open"), ("Resolved", "resolved"), ("Dismissed", "dismissed"), ("All", None)]


# --- widgets ------------------------------------------------------------------------------------
def _dot(color: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(color))
    return QIcon(pix)


class MergeDialog(QDialog):
    """Edit the merged answer before keeping it."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Merge duplicates")
        self.resize(620, 380)
        layout = QVBoxLayout(self)
        note = QLabel("The chosen answer, followed by what the other answers say that it does not. "
                      "Edit it into one good answer; the other pairs are rejected.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.editor = QTextEdit()
        self.editor.setAcceptRichText(False)
        self.editor.setPlainText(text)
        layout.addWidget(self.editor, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Keep this answer")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.editor.toPlainText().strip()


class KindTab(QWidget):
    """The flags of one kind: a list on the left, the chosen flag on the right."""

    def __init__(self, kind: str, view: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.view = view
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.toolbar = QHBoxLayout()
        layout.addLayout(self.toolbar)
        split = QSplitter(Qt.Horizontal)
        self.list = QListWidget()
        self.list.setIconSize(QSize(10, 10))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setMinimumWidth(240)
        self.list.setSpacing(2)
        split.addWidget(self.list)
        self.stack = QStackedWidget()
        self.empty = EmptyView()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(view)
        split.addWidget(self.stack)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 900])
        layout.addWidget(split, 1)
        self.flags: list[dict] = []

    def set_flags(self, flags: list[dict], select_row: int = 0) -> None:
        self.flags = flags
        self.list.blockSignals(True)
        self.list.clear()
        for f in flags:
            tickets = [t for t in (f.get("external_ids") or []) if t] or [f"pair {p}" for p in f.get("pair_ids", [])]
            head = " · ".join(str(t) for t in tickets[:3]) + (f" +{len(tickets) - 3}" if len(tickets) > 3 else "")
            expl = " ".join(str(f.get("explanation", "")).split())
            if len(expl) > 110:
                expl = expl[:109] + "…"
            status = "" if f.get("status", "open") == "open" else f"  [{f.get('status')}]"
            item = QListWidgetItem(_dot(SEVERITY_COLORS.get(f.get("severity"), "#9D9D9D")), f"{head}{status}\n{expl}")
            item.setToolTip(str(f.get("explanation", "")))
            item.setData(Qt.UserRole, int(f["id"]))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if flags:
            self.list.setCurrentRow(min(max(select_row, 0), len(flags) - 1))
        else:
            self.empty.setText("Nothing to show here." if self.list.count() == 0 else "")
            self.stack.setCurrentWidget(self.empty)

    def current_flag(self) -> dict | None:
        row = self.list.currentRow()
        return self.flags[row] if 0 <= row < len(self.flags) else None


class FlagsPage(Page):
    name = "flags"
    title = "Flags"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.counts: dict[str, int] = {}
        self.last_copy: dict | None = None  # {"pair_ids": [...]} of the last copied answer (for Undo)
        self.copy_dialog: QMessageBox | None = None
        self.merge_dialog: MergeDialog | None = None
        self.resolve_dialog: ResolveConflictDialog | None = None
        self.redact_all_dialog: QMessageBox | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._load_seq = 0
        self._auto_tab = True  # until the user (or show_kind) picks a tab

        root = QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        head.addWidget(QLabel("<h2 style='margin:0'>Flags</h2>"))
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #555; margin-left: 12px;")
        head.addWidget(self.summary)
        head.addStretch(1)
        head.addWidget(QLabel("Show:"))
        self.status_combo = QComboBox()
        for label, value in STATUS_FILTERS:
            self.status_combo.addItem(label, value)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        head.addWidget(self.status_combo)
        self.find_button = QPushButton("Find problems")
        self.find_button.setToolTip("Check every pair for duplicates, conflicting answers, tone, missing "
                                    "context and personal data. Dismissed flags stay dismissed.")
        self.find_button.clicked.connect(self.find_problems)
        head.addWidget(self.find_button)
        root.addLayout(head)

        # after "This one is right" copied an answer: a bar with Undo
        self.banner = QWidget()
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(8, 4, 8, 4)
        self.banner.setStyleSheet("background: #E8F1FB; border-radius: 4px;")
        self.banner_label = QLabel()
        bl.addWidget(self.banner_label, 1)
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo_copy)
        bl.addWidget(self.undo_button)
        self.banner.hide()
        root.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.dup_view = DuplicateView()
        self.conflict_view = ConflictView()
        self.span_views = {k: SpanView(k) for k in ("tone", "needs_context", "pii", "policy", "ticket_changed")}
        views = {"duplicate": self.dup_view, "conflict": self.conflict_view, **self.span_views}
        self.kind_tabs: dict[str, KindTab] = {}
        for kind in KINDS:
            tab = KindTab(kind, views[kind])
            tab.list.currentRowChanged.connect(lambda _row, t=tab: self._show_current(t))
            self.kind_tabs[kind] = tab
            self.tabs.addTab(tab, KIND_LABELS[kind])
        self.redact_all_button = QPushButton("Redact all personal data…")
        self.redact_all_button.setToolTip("Replace every name, email, phone number, ID... in every pair with a "
                                          "placeholder like [EMAIL_1]. Shows progress; can be cancelled.")
        self.redact_all_button.clicked.connect(self.redact_all)
        pii_bar = self.kind_tabs["pii"].toolbar
        pii_bar.addWidget(QLabel("Personal data should not go into a model: redact it before training."))
        pii_bar.addStretch(1)
        pii_bar.addWidget(self.redact_all_button)
        # the policy sheet beside the conflicts (and above the policy flags): what it says, and a
        # button to load or replace it
        self.policy_label = QLabel("No policy sheet loaded.")
        self.policy_label.setObjectName("policy-sheet-label")
        self.policy_label.setWordWrap(True)
        self.policy_list = QListWidget()
        self.policy_list.setObjectName("policy-sheet")
        self.policy_list.setMaximumWidth(360)
        self.policy_button = QPushButton("Load policy sheet…")
        self.policy_button.setToolTip("A Markdown, text, DOCX or PDF file with the current policy: answers that "
                                      "contradict it are flagged, and each conflict says which side matches it.")
        self.policy_button.clicked.connect(self.choose_policy)
        sheet = QWidget()
        sl = QVBoxLayout(sheet)
        sl.setContentsMargins(8, 0, 0, 0)
        sl.addWidget(QLabel("<b>Policy sheet</b>"))
        sl.addWidget(self.policy_label)
        sl.addWidget(self.policy_list, 1)
        sl.addWidget(self.policy_button)
        self.policy_panel = sheet
        conflict_tab = self.kind_tabs["conflict"]
        conflict_split = conflict_tab.findChild(QSplitter)
        conflict_split.addWidget(sheet)
        conflict_split.setStretchFactor(2, 1)
        self.kind_tabs["policy"].toolbar.addWidget(QLabel("Answers that contradict the policy sheet "
                                                          "(see it on the Conflicting answers tab)."))
        self.kind_tabs["policy"].toolbar.addStretch(1)
        self.tabs.currentChanged.connect(lambda _i: (self.save_pending_edits(), self.refresh()))
        root.addWidget(self.tabs, 1)

        self.dup_view.sig_keep.connect(self.keep)
        self.dup_view.sig_merge.connect(self.merge)
        self.dup_view.sig_dismiss.connect(self.dismiss)
        self.conflict_view.sig_right.connect(self.right_answer)
        self.conflict_view.sig_dismiss.connect(self.dismiss)
        for view in self.span_views.values():
            view.sig_save.connect(self.save_edit)
            view.sig_dismiss.connect(self.dismiss)
            view.sig_redact.connect(self.redact_pair)

    # --- loading ------------------------------------------------------------------------------
    def mark_stale(self, *args: Any) -> None:
        # sig_pairs_changed and sig_flags_changed often come together: reload once
        self._stale = True
        if self.isVisible():
            self._stale = False
            self._refresh_timer.start()

    @property
    def kind(self) -> str:
        return KINDS[self.tabs.currentIndex()]

    def show_kind(self, kind: str) -> None:
        self._auto_tab = False
        self.tabs.setCurrentIndex(KINDS.index(kind))

    def refresh(self) -> None:
        if not self.has_workspace:
            self.summary.setText("Open a workspace first.")
            return
        self._load_seq += 1
        seq, kind = self._load_seq, self.kind
        tab = self.kind_tabs[kind]
        keep_row = tab.list.currentRow()
        self.submit(ops.load_flags, kind, self.status_combo.currentData(),
                    on_done=lambda r: self._loaded(seq, kind, r, keep_row), on_error=self._failed)
        if kind in ("conflict", "policy"):
            self.submit(ops.policy_sheet, on_done=self._show_policy, on_error=self._failed)

    def _show_policy(self, sheet: dict | None) -> None:
        self.policy_list.clear()
        if not sheet:
            self.policy_label.setText("No policy sheet loaded. Load one to see which side of each conflict "
                                      "matches the policy.")
            self.policy_button.setText("Load policy sheet…")
            return
        self.policy_label.setText(f"{sheet.get('file')} · {len(sheet['claims'])} claim(s) · loaded "
                                  f"{sheet.get('loaded_at')}")
        for c in sheet["claims"]:
            scope = ", ".join(f"{v}" for v in (c.get("scope") or {}).values())
            subject = c["subject"] if c["attribute"] != "polarity" else c["line"]
            item = QListWidgetItem(f"{subject}: {c['value']}" + (f" ({scope})" if scope else ""))
            item.setToolTip(c["line"])
            self.policy_list.addItem(item)
        self.policy_button.setText("Replace policy sheet…")

    def choose_policy(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Policy sheet", "",
                                              "Policy (*.md *.markdown *.txt *.docx *.pdf)")
        if path:
            self.load_policy(path)

    def load_policy(self, path: str) -> None:
        def done(info: dict) -> None:
            n = info.get("counts", {}).get("policy", 0)
            self._changed(None, f"Policy {info['file']}: {info['claims']} claims; {n} answer(s) contradict it")
            self.refresh()

        self._while_running(self.submit(ops.replace_policy, path, on_done=done, on_error=self._failed),
                            self.policy_button)

    def _loaded(self, seq: int, kind: str, result: dict, keep_row: int) -> None:
        if seq != self._load_seq:  # a newer load is on its way
            return
        self.counts = result["counts"]
        for i, k in enumerate(KINDS):
            n = int(self.counts.get(k, 0))
            self.tabs.setTabText(i, f"{KIND_LABELS[k]} ({n})")
            if k in IMPORT_KINDS:  # rare: its tab shows only while there is something in it
                self.tabs.setTabVisible(i, bool(n) or k == kind)
        total = sum(self.counts.values())
        self.summary.setText(f"{total:,} open flag{'s' if total != 1 else ''}" if total
                             else "No open flags. Use “Find problems” after importing or editing pairs.")
        if self._auto_tab:
            self._auto_tab = False
            first = next((k for k in FIRST_TAB_ORDER if self.counts.get(k)), kind)
            if first != kind:
                self.tabs.setCurrentIndex(KINDS.index(first))  # loads that tab
                return
        flags = result["flags"]
        if kind == "conflict":  # newest first: the disagreement with the newest answer on top
            flags = sorted(flags, key=lambda f: -max((int(p) for p in f.get("pair_ids") or []), default=0))
        self.kind_tabs[kind].set_flags(flags, keep_row)
        if not flags:
            self._show_current(self.kind_tabs[kind])

    def save_pending_edits(self) -> None:
        """Save what was typed in a Tone / Needs context / Personal data view and not saved yet
        (the user moved to another flag, tab or page): nothing typed is dropped silently."""
        for view in self.span_views.values():
            if not view.has_unsaved_edit():
                continue
            if not (view.question.toPlainText().strip() and view.answer.toPlainText().strip()):
                self.ctx.status("Your edit was not saved: the question and the answer cannot be empty.", 8000)
                view.take_pending()  # dropped: the pair keeps its text
                continue
            flag_id, pair_id, question, answer = view.take_pending()
            self.save_edit(flag_id, pair_id, question, answer, kind=view.kind)

    def deactivate(self) -> None:
        self.save_pending_edits()

    def _show_current(self, tab: KindTab) -> None:
        self.save_pending_edits()
        flag = tab.current_flag()
        if flag is None:
            tab.empty.setText(f"No {self.status_combo.currentText().lower()} "
                              f"{KIND_LABELS[tab.kind].lower()} flags."
                              if self.status_combo.currentData() else "No flags of this kind.")
            tab.stack.setCurrentWidget(tab.empty)
            return
        fid = flag["id"]
        self.submit(ops.flag_pairs, list(flag.get("pair_ids") or []),
                    on_done=lambda pairs: self._show_flag(tab, fid, pairs), on_error=self._failed)

    def _show_flag(self, tab: KindTab, flag_id: int, pairs: dict[int, dict]) -> None:
        flag = tab.current_flag()
        if flag is None or flag["id"] != flag_id:  # the user moved on meanwhile
            return
        tab.view.set_flag(flag, pairs)
        tab.stack.setCurrentWidget(tab.view)

    def _failed(self, exc: BaseException) -> None:
        if is_cancelled_error(exc):  # "Finding problems cancelled" is already in the status bar
            return
        self.ctx.show_error(user_message(exc), "Flags")

    def _changed(self, pair_ids: list[int] | None = None, message: str = "") -> None:
        if message:
            self.ctx.status(message)
        self.ctx.sig_pairs_changed.emit(list(pair_ids or []))
        self.ctx.sig_flags_changed.emit()
        if not self.isVisible():
            self._refresh_timer.start()

    # --- finding ------------------------------------------------------------------------------
    def find_problems(self) -> None:
        def done(result: dict) -> None:
            found = ", ".join(f"{int(n)} {KIND_LABELS.get(k, k).lower()}" for k, n in (result or {}).items() if n)
            self._changed([], f"Found {found}" if found else "No new problems found")

        task = self.ctx.run_with_progress("Finding problems", ops.find_problems, on_done=done, on_error=self._failed)
        self._while_running(task, self.find_button)

    def _while_running(self, task, button: QPushButton) -> None:
        """Disable `button` until `task` has finished (done, failed or cancelled); a cancelled task
        may have changed some rows already, so reload then."""
        button.setEnabled(False)
        timer = QTimer(self)
        timer.setInterval(150)

        def check() -> None:
            if task.done:
                timer.stop()
                timer.deleteLater()
                button.setEnabled(True)
                if task.cancelled():
                    self._changed([])

        timer.timeout.connect(check)
        timer.start()

    # --- duplicates ---------------------------------------------------------------------------
    def keep(self, flag_id: int, pair_id: int) -> None:
        self.submit(ops.keep_one, flag_id, pair_id, on_error=self._failed,
                    on_done=lambda r: self._changed([r["kept"], *r["rejected"]],
                                                    f"Kept 1 pair, rejected {len(r['rejected'])}"))

    def merge(self, flag_id: int, pair_id: int) -> None:
        flag = self.dup_view.flag
        cards = {c.pair["id"]: c.pair for c in self.dup_view.columns.cards}
        if flag is None or pair_id not in cards:
            return
        text = merge_text(cards[pair_id]["response"], [p["response"] for i, p in cards.items() if i != pair_id])
        self.merge_dialog = MergeDialog(text, self)

        def accepted() -> None:
            merged = self.merge_dialog.text()
            if not merged:
                self.ctx.status("The merged answer cannot be empty")
                return
            self.submit(ops.keep_one, flag_id, pair_id, merged, on_error=self._failed,
                        on_done=lambda r: self._changed([r["kept"], *r["rejected"]],
                                                        f"Merged into 1 pair, rejected {len(r['rejected'])}"))

        self.merge_dialog.accepted.connect(accepted)
        self.merge_dialog.open()

    def dismiss(self, flag_id: int) -> None:
        self.submit(ops.dismiss, flag_id, on_error=self._failed,
                    on_done=lambda _r: self._changed([], "Flag dismissed"))

    # --- conflicts ----------------------------------------------------------------------------
    def right_answer(self, flag_id: int, pair_id: int) -> None:
        flag = self.conflict_view.flag
        if flag is not None and int(flag["id"]) == int(flag_id) and (flag.get("details") or {}).get("sides"):
            # a conflict between claims: first say what choosing this value does to the others
            self.submit(ops.right_value_plan, flag_id, pair_id, on_error=self._failed,
                        on_done=lambda plan: self._confirm_value(flag_id, pair_id, plan))
            return
        self.submit(ops.this_one_is_right, flag_id, pair_id, on_error=self._failed, on_done=self._offer_copy)

    def _confirm_value(self, flag_id: int, pair_id: int, plan: dict) -> None:
        """The answers stating another value, each to fix or send back to review; then resolve."""
        dialog = ResolveConflictDialog(plan, self)
        dialog.sig_open.connect(self.ctx.open_pair)
        self.resolve_dialog = dialog

        def accepted() -> None:
            fix, review = dialog.choices()

            def done(r: dict) -> None:
                changed = r["fixed"] + r["to_review"]
                parts = [f"{len(r['fixed'])} fixed"] if r["fixed"] else []
                parts += [f"{len(r['to_review'])} back in the review queue"] if r["to_review"] else []
                parts += [f"{len(r['rejected'])} rejected"] if r["rejected"] else []
                if changed:
                    self.last_copy = {"pair_ids": changed}
                    self.banner_label.setText("Conflict resolved: " + ", ".join(parts) + ".")
                    self.undo_button.setEnabled(True)
                    self.banner.show()
                self._changed([r["right"], *changed, *r["rejected"]],
                              "Conflict resolved" + (": " + ", ".join(parts) if parts else ""))

            self.submit(ops.resolve_with_value, flag_id, pair_id, fix, review, on_done=done, on_error=self._failed)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _offer_copy(self, result: dict) -> None:
        self._changed([result["right"]], "Conflict resolved")
        others = result["others"]
        if not others:
            return
        if result.get("fixes"):
            self._offer_fixes(result)
            return
        box = QMessageBox(QMessageBox.Question, "Fix the other answers?",
                          f"The other {len(others)} pair{'s were' if len(others) > 1 else ' was'} rejected. "
                          f"Copy the right answer into {'them' if len(others) > 1 else 'it'} instead and send "
                          f"{'them' if len(others) > 1 else 'it'} back to review? You can undo this.",
                          QMessageBox.NoButton, self)
        box.setInformativeText(str(result["answer"])[:400])
        copy = box.addButton("Copy the right answer", QMessageBox.AcceptRole)
        box.addButton("Leave them", QMessageBox.RejectRole)
        box.setDefaultButton(copy)
        box.setObjectName("copy-answer-dialog")
        self.copy_dialog = box

        def answered(_code: int) -> None:
            if box.clickedButton() is copy:
                self.copy_answer(others, result["answer"])

        box.finished.connect(answered)
        box.open()

    def _offer_fixes(self, result: dict) -> None:
        fixes = result["fixes"]
        n = len(fixes)
        box = QMessageBox(QMessageBox.Question, "Fix the other answers?",
                          f"{len(result['others'])} answer(s) stating another value were rejected. Put the right "
                          f"value into {'them' if n > 1 else 'it'} instead and send {'them' if n > 1 else 'it'} "
                          "back to review? You can undo this.", QMessageBox.NoButton, self)
        box.setInformativeText(next(iter(fixes.values()))[:400])
        fix = box.addButton(f"Fix {n} answer{'s' if n > 1 else ''}", QMessageBox.AcceptRole)
        box.addButton("Leave them", QMessageBox.RejectRole)
        box.setDefaultButton(fix)
        box.setObjectName("fix-values-dialog")
        self.copy_dialog = box

        def answered(_code: int) -> None:
            if box.clickedButton() is fix:
                ids = [int(p) for p in fixes]

                def done(_n: int) -> None:
                    self.last_copy = {"pair_ids": ids}
                    self.banner_label.setText(f"Fixed the value in {len(ids)} answer(s); back in the review queue.")
                    self.undo_button.setEnabled(True)
                    self.banner.show()
                    self._changed(ids, "Answers fixed")

                self.submit(ops.apply_fixes, {int(k): v for k, v in fixes.items()}, on_done=done,
                            on_error=self._failed)

        box.finished.connect(answered)
        box.open()

    def copy_answer(self, pair_ids: list[int], answer: str) -> None:
        def done(_change: int) -> None:
            self.last_copy = {"pair_ids": list(pair_ids)}
            n = len(pair_ids)
            self.banner_label.setText(f"Copied the right answer into {n} other pair{'s' if n > 1 else ''}; "
                                      f"{'they are' if n > 1 else 'it is'} back in the review queue.")
            self.undo_button.setEnabled(True)
            self.banner.show()
            self._changed(pair_ids, "Answer copied")

        self.submit(ops.copy_answer, pair_ids, answer, on_done=done, on_error=self._failed)

    def undo_copy(self) -> None:
        if not self.last_copy:
            return
        ids = self.last_copy["pair_ids"]
        self.undo_button.setEnabled(False)

        def done(n: int) -> None:
            self.last_copy = None
            self.banner.hide()
            self._changed(ids, f"Undid the copy on {n} pair{'s' if n != 1 else ''}")

        self.submit(ops.undo_pairs, ids, on_done=done, on_error=self._failed)

    # --- tone, needs context, personal data ----------------------------------------------------
    def save_edit(self, flag_id: int, pair_id: int, instruction: str, response: str,
                  kind: str | None = None) -> None:
        kind = kind or self.kind

        def done(r: dict) -> None:
            self._changed([pair_id], "Saved; the pair still has a problem of this kind" if r["still_open"]
                          else "Saved; the problem is gone")

        self.submit(ops.save_and_recheck, pair_id, instruction, response, kind,
                    on_done=done, on_error=self._failed)

    def redact_pair(self, flag_id: int, pair_id: int) -> None:
        def done(r: dict) -> None:
            self._changed([pair_id], "Redacted" + (" (some personal data is still there: edit it by hand)"
                                                   if r["still_open"] else ""))

        self.submit(ops.redact_one, pair_id, on_done=done, on_error=self._failed)

    def redact_all(self) -> None:
        """Ask first (it changes every pair), then redact with a progress bar."""
        box = QMessageBox(QMessageBox.Question, "Redact all personal data?",
                          "Replace every name, email address, phone number and ID in every pair with a "
                          "placeholder such as [EMAIL_1]?",
                          QMessageBox.Yes | QMessageBox.Cancel, self)
        box.setInformativeText("Each changed pair can be undone on the Review page (Ctrl+Z on that pair).")
        box.button(QMessageBox.Yes).setText("Redact all")
        box.setDefaultButton(QMessageBox.Cancel)
        box.setObjectName("redact-all-dialog")
        self.redact_all_dialog = box

        def answered(_code: int) -> None:
            if box.standardButton(box.clickedButton()) == QMessageBox.Yes:
                self._redact_all_now()

        box.finished.connect(answered)
        box.open()

    def _redact_all_now(self) -> None:
        def done(result: Any) -> None:
            n = result.get("pairs", result.get("redacted")) if isinstance(result, dict) else result
            self._changed([], f"Redacted personal data in {n} pairs" if isinstance(n, int) else "Redacted")

        task = self.ctx.run_with_progress("Redacting personal data", ops.redact_everything,
                                          on_done=done, on_error=self._failed)
        self._while_running(task, self.redact_all_button)
