"""Review: read each pair next to its ticket, fix it, approve or reject it, from the keyboard.

The table (`PairsTableModel`) reads the workspace a page at a time through the worker; the
editor saves as you type (debounced, one undoable change per pause) through the worker too.

Keys (when not typing): A approve, R reject, S skip, J/Down next, K/Up previous, F next flagged.
While typing: Ctrl+Enter approve, Alt+Down / Alt+Up next / previous. Anywhere: Ctrl+Z / Ctrl+Shift+Z
undo / redo the last saved change, Ctrl+Shift+R redact personal data, Ctrl+F search.

Undo follows what you did in this session across pairs (approve a pair, move on, Ctrl+Z: the
approval is undone and that pair is shown again); with nothing done yet it undoes the current
pair's last change from its history.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from engine.ingest import ops as import_ops
from engine.review import ops as pair_ops
from desktop.models.pairs_model import KIND_LABELS, PairsTableModel
from desktop.widgets.pair_editor import PairEditor
from desktop.worker import user_message
from desktop.pages.base import Page
from engine.review import pairs as engine_pairs
from engine.review.pairs import PairFilter

STATUS_CHOICES = [("All statuses", None), ("New", "new"), ("Approved", "approved"), ("Rejected", "rejected")]

STYLE = """
QLabel#page-title { font-size: 18px; font-weight: 600; }
QLabel#pair-title { font-size: 15px; font-weight: 600; }
QLabel#column-heading { font-weight: 600; color: #323f4b; }
QLabel#section-label { color: #616e7c; font-size: 11px; margin-top: 4px; }
QLabel#count { color: #616e7c; }
QFrame#raw-ticket { background: #f5f7fa; border: 1px solid #e4e7eb; border-radius: 6px; }
QFrame#training-pair { background: white; border: 1px solid #cbd2d9; border-radius: 6px; }
QFrame#raw-ticket QPlainTextEdit { background: #f5f7fa; border: none; }
QToolButton { background: white; border: 1px solid #cbd2d9; border-radius: 4px; padding: 4px 8px; }
QToolButton:hover { background: #f0f4f8; }
QToolButton:disabled { color: #9aa5b1; }
QToolButton#approve { background: #147d64; color: white; border-color: #147d64; font-weight: 600; }
QToolButton#reject { background: #cf1124; color: white; border-color: #cf1124; font-weight: 600; }
QToolButton#approve:disabled, QToolButton#reject:disabled { background: #cbd2d9; border-color: #cbd2d9; }
QTableView { selection-background-color: #d9e8f6; selection-color: black; gridline-color: #e4e7eb; }
"""


def _load_pair_with_thread(ws, pair_id: int) -> dict:
    """The pair as the editor shows it, with its helpdesk ticket's messages (internal notes
    marked) for the raw pane, or None for a pair from a flat export."""
    data = pair_ops.load_pair(ws, pair_id)
    data["pair"]["raw_messages"] = import_ops.ticket_thread(ws, pair_id)
    return data


class ReviewPage(Page):
    name = "review"
    title = "Review"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setStyleSheet(STYLE)
        self.model = PairsTableModel(ctx.worker, self, page_size=ctx.settings.get("review/page_size"))
        self.current_id: int | None = None
        self.current_pair: dict | None = None
        self._saved: dict[str, str] = {}  # the editable texts as last saved
        self._dirty: set[str] = set()
        self._saving = 0
        self._load_token = 0
        self._undo_stack: list[int] = []  # pair ids changed in this session, newest last
        self._redo_stack: list[int] = []
        self._own_change = False
        self._pending_select: int | None = None
        self._flags_stale: set[int] = set()  # edited pairs whose flags are not re-checked yet
        self._flag_task = None
        self._build()
        self._connect()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)

        bar = QHBoxLayout()
        title = QLabel("Review")
        title.setObjectName("page-title")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search questions, answers, ticket ids  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status-filter")
        for label, value in STATUS_CHOICES:
            self.status_combo.addItem(label, value)
        self.flagged_only = QCheckBox("Flagged only")
        self.flagged_only.setObjectName("flagged-only")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("flag-kind")
        self.kind_combo.addItem("Any flag", "any")
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setEnabled(False)
        self.count_label = QLabel("")
        self.count_label.setObjectName("count")
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(self.search, 3)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.flagged_only)
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.count_label)
        outer.addLayout(bar)

        self.table = QTableView()
        self.table.setObjectName("pairs-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the editor, not cell to cell
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 78), (2, 150), (3, 78), (4, 44)):
            self.table.setColumnWidth(col, width)
        self.table.setColumnHidden(2, True)  # the answer: shown in the editor; the header menu shows it
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)

        self.table.setMinimumWidth(260)
        self.editor = PairEditor()
        self.editor.setMinimumWidth(480)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("review-splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([380, 700])
        self.splitter.setChildrenCollapsible(False)
        state = self.ctx.settings.get("window/review_splitter")
        if state:
            self.splitter.restoreState(state)
        outer.addWidget(self.splitter, 1)
        outer.addLayout(self._build_actions())

        self.empty_hint = QLabel("")
        self.empty_hint.setObjectName("hint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.hide()
        outer.addWidget(self.empty_hint)

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)

        def button(text: str, tip: str, slot, name: str = "", header: bool = False) -> QToolButton:
            b = QToolButton()
            b.setText(text)
            b.setObjectName(name or "action")
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the table/editor
            b.clicked.connect(slot)
            if header:
                self.editor.add_header_widget(b)
            else:
                row.addWidget(b)
            return b

        self.approve_button = button("Approve  A", "Approve and go to the next pair (A, or Ctrl+Enter while typing)", self.approve, "approve")
        self.reject_button = button("Reject  R", "Reject and go to the next pair (R)", self.reject, "reject")
        self.skip_button = button("Skip  S", "Leave as it is and go to the next pair (S)", self.skip)
        row.addSpacing(10)
        self.prev_button = button("◀  K", "Previous pair (K or Up; Alt+Up while typing)", self.previous)
        self.next_button = button("J  ▶", "Next pair (J or Down; Alt+Down while typing)", self.next)
        self.next_flagged_button = button("Next flagged  F", "The next pair with an open flag (F)", self.next_flagged)
        row.addStretch(1)
        self.redact_button = button("Redact personal data", "Replace names, e-mails, phone numbers... with placeholders (Ctrl+Shift+R)", self.redact)
        self.undo_button = button("↶ Undo", "Undo the last change (Ctrl+Z)", self.undo, header=True)
        self.redo_button = button("↷ Redo", "Redo (Ctrl+Shift+Z)", self.redo, header=True)
        self.history_button = button("History", "Changes to this pair", self.show_history, header=True)
        return row

    def _connect(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.ctx.settings.get("review/search_debounce_ms"))
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._search_entered)
        self.status_combo.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.flagged_only.toggled.connect(self._flagged_toggled)
        self.kind_combo.currentIndexChanged.connect(lambda _: self.apply_filter())

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(self.ctx.settings.get("review/autosave_ms"))
        self._save_timer.timeout.connect(self.save_now)
        self.editor.sig_edited.connect(self._edited)

        self._flag_timer = QTimer(self)  # re-check flags when the user pauses
        self._flag_timer.setSingleShot(True)
        self._flag_timer.setInterval(self.ctx.settings.get("review/flag_refresh_idle_ms"))
        self._flag_timer.timeout.connect(self.refresh_stale_flags)

        self._open_timer = QTimer(self)  # coalesce fast J/J/J presses into one load
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(40)
        self._open_timer.timeout.connect(self._open_current_row)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, prev: self._open_timer.start())
        self.model.sig_loaded.connect(self._filter_loaded)
        self.model.sig_error.connect(self.ctx.show_error)
        self.model.modelReset.connect(self._after_reset)

        s = self.ctx.settings
        self.shortcuts: dict[str, QShortcut] = {}

        def key(name: str, slot) -> None:
            seq = QKeySequence(s.get(f"shortcuts/{name}"))
            sc = QShortcut(seq, self, slot)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.shortcuts[name] = sc

        key("approve", self.approve)
        key("approve_in_editor", self.approve)
        key("reject", self.reject)
        key("reject_in_editor", self.reject)
        key("skip", self.skip)
        key("next", self.next)
        key("previous", self.previous)
        key("next_in_editor", self.next)
        key("previous_in_editor", self.previous)
        key("next_flagged", self.next_flagged)
        key("undo", self.undo)
        key("redo", self.redo)
        key("redact", self.redact)
        key("search", self._focus_search)
        # Ctrl+Enter on the keypad too
        extra = QShortcut(QKeySequence("Ctrl+Enter"), self, self.approve)
        extra.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.shortcuts["approve_in_editor_keypad"] = extra
        passthrough = [QKeySequence(s.get(f"shortcuts/{n}")) for n in (
            "approve_in_editor", "reject_in_editor", "next_in_editor", "previous_in_editor",
            "undo", "redo", "redact")] + [QKeySequence("Ctrl+Enter")]
        for editor in self.editor.editors().values():
            editor.passthrough = passthrough

    # --- page life --------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.has_workspace:
            return
        self.apply_filter()
        self._load_kinds()

    def mark_stale(self, *args) -> None:
        if self._own_change:
            return
        sender_ids = args[0] if args and isinstance(args[0], list) else None
        if not self.isVisible():
            self._stale = True
            return
        if sender_ids:  # some pairs changed elsewhere (e.g. a flag was resolved)
            self.model.refresh_pairs(sender_ids)
            if self.current_id in sender_ids and not self._dirty:
                self._load_pair(self.current_id)
        else:
            self.model.refresh_pairs([])
            if self.current_id is not None and not self._dirty:
                self._load_pair(self.current_id, keep_texts=False)
            self._load_kinds()

    def deactivate(self) -> None:
        self.save_now()
        self.refresh_stale_flags()
        self.ctx.settings.set("window/review_splitter", bytes(self.splitter.saveState().data()))

    def focus_default(self) -> None:
        """The list: A/R/S/J/K work at once."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def flush(self) -> None:
        """The workspace is about to close (or another one to open): queue the pending edit and
        the flag re-check now, so they run on this workspace before the worker switches."""
        self.deactivate()
        self.refresh_stale_flags(force=True)

    def forget_workspace(self) -> None:
        """Another workspace was opened (or this one closed): drop what belonged to the old one
        (the open pair, the session's undo/redo, edits whose flags wait for a re-check)."""
        for timer in (self._save_timer, self._flag_timer, self._open_timer, self._search_timer):
            timer.stop()
        self._undo_stack.clear()
        self._redo_stack.clear()
        self._flags_stale.clear()
        self._pending_select = None
        self._load_token += 1  # a pair still loading from the old workspace is not shown
        self._show(None)
        self.table.selectionModel().clearCurrentIndex()
        self.model.clear()

    def _load_kinds(self) -> None:
        def done(kinds: list[str]) -> None:
            # keep the fixed list; add kinds the flag runner knows that we do not
            known = {self.kind_combo.itemData(i) for i in range(self.kind_combo.count())}
            for kind in kinds:
                if kind not in known:
                    self.kind_combo.addItem(KIND_LABELS.get(kind, kind.replace("_", " ").title()), kind)

        self.submit(engine_pairs.open_flag_kinds, on_done=done, on_error=lambda e: None)

    # --- filtering --------------------------------------------------------------------------
    def current_filter(self) -> PairFilter:
        flags = self.kind_combo.currentData() if self.flagged_only.isChecked() else None
        return PairFilter(status=self.status_combo.currentData(), search=self.search.text().strip() or None,
                          flags=flags)

    def _flagged_toggled(self, on: bool) -> None:
        self.kind_combo.setEnabled(on)
        self.apply_filter()

    def apply_filter(self) -> None:
        self._search_timer.stop()
        if not self.has_workspace:
            return
        self.save_now()
        self.count_label.setText("Searching...")
        self.model.set_filter(self.current_filter())

    def _filter_loaded(self, n: int) -> None:
        total_hint = "" if self.current_filter().is_empty() else " match"
        self.count_label.setText(f"{n:,} pair{'s' if n != 1 else ''}{total_hint}")
        if n == 0:
            self.empty_hint.setText(
                "No pairs yet: import tickets on the Import page." if self.current_filter().is_empty()
                else "No pair matches these filters.")
            self.empty_hint.show()
        else:
            self.empty_hint.hide()

    def _after_reset(self) -> None:
        """The table was refilled: keep the open pair selected when it is still there."""
        want = self._pending_select if self._pending_select is not None else self.current_id
        self._pending_select = None
        row = self.model.row_of(want) if want is not None else -1
        if row < 0 and self.model.rowCount():
            row = 0  # the open pair is not in the new list: open the first one
        if row >= 0:
            self._select_row(row, center=True)
        else:
            self._show(None)

    def select_pair(self, pair_id: int) -> None:
        """Select this pair (clearing the filters when they hide it)."""
        row = self.model.row_of(pair_id)
        if row >= 0 and not self.model.loading:
            self._select_row(row, center=True)
            return
        self._pending_select = pair_id
        if not self.model.loading and not self.current_filter().is_empty():
            for w in (self.search, self.status_combo, self.flagged_only):
                w.blockSignals(True)
            self.search.clear()
            self.status_combo.setCurrentIndex(0)
            self.flagged_only.setChecked(False)
            self.kind_combo.setEnabled(False)
            for w in (self.search, self.status_combo, self.flagged_only):
                w.blockSignals(False)
            self.apply_filter()
        elif not self.model.loading:
            self.apply_filter()

    def _select_row(self, row: int, center: bool = False) -> None:
        index = self.model.index(row, 1)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        hint = QAbstractItemView.ScrollHint
        self.table.scrollTo(index, hint.PositionAtCenter if center else hint.EnsureVisible)

    def _search_entered(self) -> None:
        """Enter in the search box: search now and go to the results (A/R/S/J/K work there)."""
        self.apply_filter()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- opening a pair ---------------------------------------------------------------------
    def current_row(self) -> int:
        return self.table.selectionModel().currentIndex().row()

    def _open_current_row(self) -> None:
        pair_id = self.model.pair_id(self.current_row())
        if pair_id is not None and pair_id != self.current_id:
            self.save_now()
            self._load_pair(pair_id, keep_texts=False)

    def _load_pair(self, pair_id: int, keep_texts: bool = False) -> None:
        """Load a pair into the editor. `current_id` changes only when it is shown; until then
        the editors are read-only, so a keystroke cannot land in the wrong pair."""
        self._load_token += 1
        token = self._load_token
        switching = pair_id != self.current_id
        if switching or not keep_texts:
            self._set_editable(False)

        def done(data: dict) -> None:
            if token != self._load_token:
                return
            self._show(data, texts=not (keep_texts and not switching))
            self._set_editable(True)

        def failed(exc: BaseException) -> None:
            if token == self._load_token:
                self.ctx.status(user_message(exc))
                self._show(None)
                self._set_editable(True)

        self.submit(_load_pair_with_thread, pair_id, on_done=done, on_error=failed)

    def _set_editable(self, on: bool) -> None:
        for editor in self.editor.editors().values():
            editor.setReadOnly(not on)

    @property
    def loading_pair(self) -> bool:
        return self.editor.instruction.isReadOnly()

    def _show(self, data: dict | None, texts: bool = True) -> None:
        if data is None:
            self.current_id = None
            self.current_pair = None
            self._saved = {}
            self._dirty.clear()
            self.editor.set_pair(None)
            self.editor.set_save_state("")
            self._update_buttons()
            return
        pair = data["pair"]
        self.current_pair = pair
        self.current_id = int(pair["id"])
        if texts:
            self.editor.set_pair(pair, data.get("flags"))
            self._saved = {"instruction": pair["instruction"], "response": pair["response"]}
            self._dirty.clear()
            self.editor.set_save_state(self._saved_text(pair))
        else:
            self.editor.badges.set_flags(data.get("flags"))
            self.editor.set_status(pair["status"])
        self._history_len = data.get("history", 0)
        self._update_buttons()

    def _saved_text(self, pair: dict) -> str:
        when = pair.get("updated_at")
        if not when:
            return "Not edited yet"
        if isinstance(when, _dt.datetime):
            when = when.strftime("%d %b %H:%M")
        by = pair.get("updated_by")
        return f"Last saved {when}" + (f" by {by}" if by else "")

    def _update_buttons(self) -> None:
        has = self.current_id is not None
        for b in (self.approve_button, self.reject_button, self.skip_button, self.redact_button,
                  self.history_button):
            b.setEnabled(has)
        self.undo_button.setEnabled(has or bool(self._undo_stack))
        self.redo_button.setEnabled(bool(self._redo_stack) or has)

    # --- saving as you type -----------------------------------------------------------------
    def _edited(self, field: str) -> None:
        if self.current_id is None or self.loading_pair:
            return
        self._postpone_flags()
        if self.editor.text(field) == self._saved.get(field):
            self._dirty.discard(field)
        else:
            self._dirty.add(field)
        if self._dirty:
            self.editor.set_save_state("Editing...")
            self._save_timer.start()
        else:
            self._save_timer.stop()
            self.editor.set_save_state("All changes saved")

    @property
    def has_unsaved_changes(self) -> bool:
        return bool(self._dirty)

    def save_now(self) -> None:
        """Write pending edits now (before moving, undoing, filtering or leaving the page)."""
        self._save_timer.stop()
        if not self._dirty or self.current_id is None:
            return
        pair_id = self.current_id
        fields = {f: self.editor.text(f) for f in self._dirty}
        empty = [f for f, v in fields.items() if not v.strip()]
        if empty:
            self.editor.set_save_state(f"Not saved: the {empty[0]} cannot be empty", error=True)
            return
        self._dirty.clear()
        self._saving += 1
        self.editor.set_save_state("Saving...")

        def done(result: dict) -> None:
            self._saving -= 1
            if self.current_id == pair_id:
                self._saved.update(fields)
                if not self._dirty:
                    self.editor.set_save_state("All changes saved")
            if result.get("change_id"):
                self._record_change(pair_id)
                self._announce([pair_id])
                self._mark_flags_stale(pair_id)

        def failed(exc: BaseException) -> None:
            self._saving -= 1
            if self.current_id == pair_id:
                self._dirty.update(fields)
                self.editor.set_save_state(f"Not saved: {user_message(exc)}", error=True)
            else:
                self.ctx.show_error(f"An edit to pair #{pair_id} was not saved: {user_message(exc)}")

        self.submit(pair_ops.save_fields, pair_id, fields, on_done=done, on_error=failed)

    def _record_change(self, pair_id: int) -> None:
        self._undo_stack.append(pair_id)
        del self._undo_stack[:-500]
        self._redo_stack.clear()
        self._update_buttons()

    def _announce(self, pair_ids: list[int], flags: bool = False) -> None:
        """Tell the table and the other pages (without reloading ourselves)."""
        self.model.refresh_pairs(pair_ids)
        self._own_change = True
        try:
            self.ctx.sig_pairs_changed.emit(list(pair_ids))
            if flags:
                self.ctx.sig_flags_changed.emit()
        finally:
            self._own_change = False

    # --- re-checking flags after edits -----------------------------------------------------
    def _mark_flags_stale(self, pair_id: int) -> None:
        self._flags_stale.add(pair_id)
        self._flag_timer.start()

    def _postpone_flags(self) -> None:
        if self._flags_stale:
            self._flag_timer.start()

    def refresh_stale_flags(self, force: bool = False) -> None:
        """Re-check the flags of the pairs edited since the last check (engine.flags.runner),
        in one worker task, when the user has paused (it can take seconds on a big workspace).
        With force, queue it now even while the worker is busy (the workspace is closing)."""
        if not self._flags_stale or self._flag_task is not None or not self.has_workspace:
            return
        if not force and (self.ctx.worker.pending() or self._dirty):
            self._flag_timer.start()  # busy or typing: try again after the next pause
            return
        ids = sorted(self._flags_stale)
        self._flags_stale.clear()

        def done(_result) -> None:
            self._flag_task = None
            self._announce(ids, flags=True)
            if self.current_id in ids and not self._dirty:
                self._load_pair(self.current_id, keep_texts=True)

        def failed(exc: BaseException) -> None:
            self._flag_task = None
            self.ctx.status(f"Flags were not re-checked: {user_message(exc)}", 6000)

        self._flag_task = self.ctx.run_with_progress(
            "Re-checking flags", pair_ops.refresh_flags_many, ids, on_done=done, on_error=failed,
            cancellable=False)

    # --- actions ----------------------------------------------------------------------------
    def approve(self) -> None:
        self._set_status("approved")

    def reject(self) -> None:
        self._set_status("rejected")

    def _selected_id(self) -> int | None:
        """The pair of the selected row: what A/R act on. It runs ahead of `current_id` (the
        pair in the editor) while the next pair loads after a fast A, A, A."""
        row = self.current_row()
        selected = self.model.pair_id(row) if row >= 0 else None
        return selected if selected is not None else self.current_id

    def _set_status(self, status: str) -> None:
        if self.current_id is None:
            return
        self.save_now()
        if self._dirty:  # an empty field: do not approve what cannot be saved
            self.ctx.status("Fix the empty field first; the pair was not changed.")
            return
        pair_id = self._selected_id()

        def done(result: dict) -> None:
            if result.get("change_id"):
                self._record_change(pair_id)
                self._announce([pair_id])
            if self.current_id == pair_id:
                self.editor.set_status(status)
            self.ctx.status(f"Pair #{pair_id} {status}")

        self.submit(pair_ops.set_status, pair_id, status, on_done=done)
        self._move(+1)

    def skip(self) -> None:
        self._move(+1)

    def next(self) -> None:
        self._move(+1)

    def previous(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        self._postpone_flags()
        n = self.model.rowCount()
        if not n:
            return
        row = self.current_row()
        if row < 0 and self.current_id is not None:
            row = self.model.row_of(self.current_id)
        target = (0 if step > 0 else n - 1) if row < 0 else row + step
        if target >= n:
            self.ctx.status("That was the last pair in this list.")
            return
        if target < 0:
            self.ctx.status("This is the first pair in this list.")
            return
        self.save_now()
        self._select_row(target)

    def next_flagged(self) -> None:
        after = self.current_id or 0
        ids = self.model.ids

        def done(pair_id: int | None) -> None:
            if pair_id is None:
                self.ctx.status("No pair in this list has an open flag.")
                return
            self.select_pair(pair_id)

        self.submit(engine_pairs.next_flagged, after, ids, on_done=done)

    def undo(self) -> None:
        self._history_step(undo=True)

    def redo(self) -> None:
        self._history_step(undo=False)

    def _history_step(self, undo: bool) -> None:
        self.save_now()  # queued first: the worker saves, then undoes that save
        stack = self._undo_stack if undo else self._redo_stack
        if stack:
            pair_id = stack.pop()
        elif self.current_id is not None:
            pair_id = self.current_id
        else:
            return
        word = "Undo" if undo else "Redo"

        def done(data: dict) -> None:
            if not data["result"]:
                self.ctx.status(f"Nothing to {word.lower()} on this pair.")
                return
            (self._redo_stack if undo else self._undo_stack).append(pair_id)
            fields = ", ".join(data["result"]["fields"])
            self.ctx.status(f"{word}: {fields} of pair #{pair_id}")
            self._announce([pair_id])
            if set(data["result"]["fields"]) - {"status"}:
                self._mark_flags_stale(pair_id)
            if self.current_id == pair_id:
                self._show(data)
            else:
                self._pending_select = None
                self.select_pair(pair_id)
            self._update_buttons()

        self.submit(pair_ops.undo if undo else pair_ops.redo, pair_id, on_done=done)

    def redact(self) -> None:
        if self.current_id is None:
            return
        self.save_now()
        pair_id = self.current_id

        def done(data: dict) -> None:
            n = pair_ops.redaction_count(data.get("result"))
            if n == 0:
                self.ctx.status("No personal data found in this pair.")
            else:
                self.ctx.status("Personal data replaced with placeholders" + (f" ({n})" if n else "") + ".")
                self._record_change(pair_id)
                self._mark_flags_stale(pair_id)
            self._announce([pair_id])
            if self.current_id == pair_id:
                self._show(data)

        self.submit(pair_ops.redact, pair_id, on_done=done,
                    on_error=lambda exc: self.ctx.status(user_message(exc), 6000))

    def show_history(self) -> None:
        if self.current_id is None:
            return

        def done(rows: list[dict]) -> None:
            menu = QMenu(self)
            if not rows:
                menu.addAction("No changes yet").setEnabled(False)
            for r in reversed(rows[-25:]):
                when = r["changed_at"].strftime("%d %b %H:%M") if hasattr(r["changed_at"], "strftime") else r["changed_at"]
                old = " ".join(str(r["old_value"] or "").split())[:40]
                new = " ".join(str(r["new_value"] or "").split())[:40]
                text = f"{when}  {r['changed_by']}: {r['field']}  “{old}” → “{new}”"
                action = menu.addAction(("(undone) " if r["undone"] else "") + text)
                action.setEnabled(not r["undone"])
            menu.popup(self.history_button.mapToGlobal(self.history_button.rect().bottomLeft()))
            self._history_menu = menu

        self.submit(pair_ops.history, self.current_id, on_done=done)

    # --- header menu: show/hide columns -----------------------------------------------------
    def _header_menu(self, pos) -> None:
        menu = QMenu(self)
        for col in range(self.model.columnCount()):
            name = self.model.headerData(col, Qt.Orientation.Horizontal)
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.toggled.connect(lambda on, c=col: self.table.setColumnHidden(c, not on))
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))
