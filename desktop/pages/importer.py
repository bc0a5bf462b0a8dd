"""Import: pick (or drop) ticket exports, check what was detected, adjust the columns, import.

1. Files: "Choose files..." or drop them on the window. Each file is previewed on the worker
   (`engine.ingest.ops.preview_file`): its format, encoding, delimiter and first rows.
2. Columns: one combo per field (question, answer, ticket id, subject, created), pre-set to the
   engine's guess; the preview marks the columns in use.
   A helpdesk export (Zendesk, Freshdesk, Jira Service Management, ServiceNow, a mailbox) is
   found by its content: the page shows what was detected ("Zendesk export: 1,204 tickets,
   3,880 public replies, 611 internal notes") and the first drafted pairs instead of columns,
   and lets the user choose one pair per ticket or one per exchange.
3. Import with progress and Cancel (`engine.ingest.ops.import_with_mappings`: one `import_files`
   call, each file with its own mapping, all files or none), then a summary with every row that
   could not be read (file, line, reason).

The page holds the Qt side only; what a file holds and how it is mapped is engine.ingest.ops.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.worker import is_cancelled_error, user_message
from desktop.pages.base import Page
from engine.ingest import ops
from engine.ingest.ops import import_with_mappings

FIELDS = [
    ("question", "Question", True),
    ("answer", "Answer", True),
    ("id", "Ticket id", False),
    ("subject", "Subject", False),
    ("created", "Created", False),
]
NOT_MAPPED = "(not used)"
FILE_FILTER = ("Ticket exports (*.csv *.tsv *.txt *.xlsx *.json *.jsonl *.ndjson *.mbox *.eml *.msg);;"
               "All files (*)")
FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "xlsx": "Excel workbook", "json": "JSON", "jsonl": "JSON lines"}
HELPDESK_NOTE = ("Each ticket becomes a pair: the requester's messages are the question, the agent's public "
                 "reply the answer. Internal notes never enter a pair; the Review page shows them beside it, "
                 "marked internal. Attachments are listed, not imported.")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

STYLE = """
QLabel#page-title { font-size: 18px; font-weight: 600; }
QLabel#hint { color: #616e7c; }
QLabel#detected { color: #323f4b; }
QFrame#drop-zone { border: 2px dashed #9aa5b1; border-radius: 10px; background: #f5f7fa; }
QLabel#summary-headline { font-size: 16px; font-weight: 600; }
QPushButton#import-button { background: #147d64; color: white; border-radius: 4px; padding: 6px 16px; font-weight: 600; }
QPushButton#import-button:disabled { background: #9aa5b1; }
"""


def _preview(_ws, path: str, others: list[str] | None = None, pairs: str = "resolution") -> dict:
    """The worker's call for a preview (no workspace needed); `others`: the files beside it (a
    helpdesk export's side files)."""
    return ops.preview_file(path, others=others or (), pairs=pairs)


class ImportPage(Page):
    name = "import"
    title = "Import"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setStyleSheet(STYLE)
        self.files: list[str] = []
        self.previews: dict[str, dict] = {}  # path -> preview (or {"error": message})
        self.mappings: dict[str, dict[str, str]] = {}  # path -> {field: column}
        self.customers: dict[str, str] = {}  # conversation exports: path -> the sender value chosen as the customer
        self.pairs_mode = "resolution"  # helpdesk exports: ops.PAIR_MODES
        self.current: str | None = None
        self.task = None
        self.last_result: dict | None = None
        self._building_combos = False
        self._build()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)
        head = QHBoxLayout()
        title = QLabel("Import tickets")
        title.setObjectName("page-title")
        hint = QLabel("CSV, TSV, Excel (.xlsx), JSON or JSON lines exported from your helpdesk.")
        hint.setObjectName("hint")
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(hint, 1)
        outer.addLayout(head)

        files_row = QHBoxLayout()
        self.file_list = QListWidget()
        self.file_list.setObjectName("file-list")
        self.file_list.setMaximumHeight(86)
        self.file_list.currentRowChanged.connect(self._file_selected)
        buttons = QVBoxLayout()
        self.choose_button = QPushButton("Choose files...")
        self.choose_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        files_row.addWidget(self.file_list, 1)
        files_row.addLayout(buttons)
        outer.addLayout(files_row)

        self.body = QStackedWidget()
        self.body.addWidget(self._build_drop_zone())
        self.body.addWidget(self._build_preview())
        self.body.addWidget(self._build_summary())
        outer.addWidget(self.body, 1)

        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("import-progress")
        self.progress.hide()
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("hint")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("import-button")
        self.import_button.clicked.connect(self.start_import)
        bottom.addWidget(self.progress_label)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addStretch(0)
        bottom.addWidget(self.import_button)
        outer.addLayout(bottom)
        self._update_buttons()

    def _build_drop_zone(self) -> QWidget:
        zone = QFrame()
        zone.setObjectName("drop-zone")
        layout = QVBoxLayout(zone)
        label = QLabel("Drop ticket exports here\n\nor use “Choose files...”")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("color: #52606d; font-size: 15px;")
        layout.addWidget(label)
        return zone

    def _build_preview(self) -> QWidget:
        w = QWidget()
        layout = QHBoxLayout(w)
        layout.setContentsMargins(0, 0, 0, 0)
        mapping_box = QGroupBox("Columns")
        form = QFormLayout(mapping_box)
        self.detected = QLabel("")
        self.detected.setObjectName("detected")
        self.detected.setWordWrap(True)
        form.addRow(self.detected)
        self.combos: dict[str, QComboBox] = {}
        for field, label, required in FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"map-{field}")
            combo.setMinimumWidth(170)
            combo.currentIndexChanged.connect(lambda _, f=field: self._mapping_changed(f))
            self.combos[field] = combo
            form.addRow(f"{label}{' *' if required else ''}", combo)
        # conversation exports: which value of the sender column marks the customer's messages
        self.customer_combo = QComboBox()
        self.customer_combo.setObjectName("map-customer")
        self.customer_combo.setMinimumWidth(170)
        self.customer_combo.currentIndexChanged.connect(self._customer_changed)
        form.addRow("Customer *", self.customer_combo)
        # helpdesk exports: one pair per ticket or per exchange
        self.pairs_combo = QComboBox()
        self.pairs_combo.setObjectName("pairs-mode")
        for mode, label in ops.PAIR_MODES.items():
            self.pairs_combo.addItem(label, mode)
        self.pairs_combo.currentIndexChanged.connect(self._pairs_mode_changed)
        form.addRow("Pairs", self.pairs_combo)
        self.mapping_form = form
        form.setRowVisible(self.customer_combo, False)
        form.setRowVisible(self.pairs_combo, False)
        self.mapping_note = QLabel("* needed. The question and answer become the first draft of each pair; "
                                   "you can edit every pair on the Review page.")
        self.mapping_note.setObjectName("hint")
        self.mapping_note.setWordWrap(True)
        form.addRow(self.mapping_note)
        mapping_box.setFixedWidth(320)

        preview_box = QGroupBox("First rows")
        pl = QVBoxLayout(preview_box)
        self.preview_table = QTableWidget()
        self.preview_table.setObjectName("preview-table")
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.setWordWrap(False)
        self.preview_table.verticalHeader().setDefaultSectionSize(24)
        self.preview_table.horizontalHeader().setDefaultSectionSize(150)
        self.preview_error = QLabel("")
        self.preview_error.setWordWrap(True)
        self.preview_error.setStyleSheet("color: #a61b1b; font-weight: 600;")
        self.preview_error.hide()
        pl.addWidget(self.preview_error)
        pl.addWidget(self.preview_table)
        layout.addWidget(mapping_box)
        layout.addWidget(preview_box, 1)
        return w

    def _build_summary(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_headline = QLabel("")
        self.summary_headline.setObjectName("summary-headline")
        self.summary_text = QLabel("")
        self.summary_text.setWordWrap(True)
        self.errors_table = QTableWidget(0, 3)
        self.errors_table.setObjectName("errors-table")
        self.errors_table.setHorizontalHeaderLabels(["File", "Line", "Why it was skipped"])
        self.errors_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.errors_table.setColumnWidth(0, 200)
        self.errors_table.setColumnWidth(1, 60)
        self.errors_table.verticalHeader().hide()
        row = QHBoxLayout()
        review = QPushButton("Review the pairs")
        review.setObjectName("go-review")
        review.clicked.connect(lambda: self.ctx.go_to("review"))
        more = QPushButton("Import more files")
        more.clicked.connect(self.reset)
        row.addWidget(review)
        row.addWidget(more)
        row.addStretch(1)
        layout.addWidget(self.summary_headline)
        layout.addWidget(self.summary_text)
        layout.addWidget(self.errors_table, 1)
        layout.addLayout(row)
        return w

    # --- files ------------------------------------------------------------------------------
    def choose_files(self) -> None:
        start = self.ctx.settings.get("import/last_dir") or str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose ticket exports", start, FILE_FILTER)
        if paths:
            self.ctx.settings.set("import/last_dir", str(Path(paths[0]).parent))
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        """Add files (from the dialog or dropped on the window) and preview them."""
        if self.body.currentIndex() == 2:
            self.reset()
        expanded, empty = ops.expand_paths(paths)  # a folder of exports: the ticket files in it
        for folder in empty:
            self.ctx.status(f"{Path(folder).name} is a folder without ticket exports (CSV, XLSX, JSON).")
        added = []
        for p in expanded:
            if p not in self.files:
                self.files.append(p)
                item = QListWidgetItem(Path(p).name + "   (reading...)")
                item.setToolTip(p)
                item.setData(Qt.ItemDataRole.UserRole, p)
                self.file_list.addItem(item)
                added.append(p)
        # a helpdesk file already shown (or refused: a Freshdesk CSV without its conversations) is
        # read again with the new files, which may be its side files
        again = [p for p in self.files if p not in added and added
                 and (ops.is_helpdesk(self.previews.get(p)) or "error" in (self.previews.get(p) or {}))]
        for p in added + again:
            self._submit_preview(p)
        if added:
            self.file_list.setCurrentRow(self.files.index(added[0]))
        self._update_buttons()

    def _submit_preview(self, p: str) -> None:
        self.submit(_preview, p, list(self.files), self.pairs_mode, needs_workspace=False,
                    on_done=lambda result, p=p: self._preview_done(p, result),
                    on_error=lambda exc, p=p: self._preview_done(p, {"error": user_message(exc)}))

    def _pairs_mode_changed(self, _index: int) -> None:
        mode = self.pairs_combo.currentData() or "resolution"
        if mode == self.pairs_mode:
            return
        self.pairs_mode = mode
        for p in self.files:  # the preview shows the pairs of the chosen kind
            if ops.is_helpdesk(self.previews.get(p)) and not (self.previews[p] or {}).get("side"):
                self._submit_preview(p)

    def remove_current(self) -> None:
        row = self.file_list.currentRow()
        if row < 0:
            return
        path = self.files.pop(row)
        self.previews.pop(path, None)
        self.mappings.pop(path, None)
        self.customers.pop(path, None)
        self.file_list.takeItem(row)
        if not self.files:
            self.current = None
            self.body.setCurrentIndex(0)
        self._update_buttons()

    def reset(self) -> None:
        self.files.clear()
        self.previews.clear()
        self.mappings.clear()
        self.customers.clear()
        self.current = None
        self.file_list.clear()
        self.body.setCurrentIndex(0)
        self.progress.hide()
        self.progress_label.setText("")
        self._update_buttons()

    def _preview_done(self, path: str, result: dict) -> None:
        if path not in self.files:
            return
        self.previews[path] = result
        if "error" not in result and not self._is_thread(path) and not ops.is_helpdesk(result):
            self.mappings[path] = ops.pair_mapping(result)
        item = self.file_list.item(self.files.index(path))
        item.setText(Path(path).name + ("   (cannot be read)" if "error" in result else
                                        f"   {self._describe(result)}"))
        item.setForeground(QColor("#a61b1b") if "error" in result else self.file_list.palette().text().color())
        if self.current == path or self.current is None:
            self._show_preview(path)
        self._update_buttons()

    def _is_thread(self, path: str | None) -> bool:
        """A conversation export: no question/answer columns to choose (ops.is_conversation)."""
        return bool(path) and ops.is_conversation(self.previews.get(path))

    def _needs_customer(self, path: str | None) -> bool:
        """A person has to say which sender value is the customer (ops.needs_customer)."""
        return bool(path) and ops.needs_customer(self.previews.get(path), self.customers.get(path))

    def _show_customer_choice(self, path: str) -> None:
        p = self.previews.get(path) or {}
        m = p.get("mapping") or {}
        show = self._is_thread(path) and bool(m.get("role"))
        self.mapping_form.setRowVisible(self.customer_combo, show)
        if not show:
            return
        guessed = ops.guessed_customers(p)
        chosen = self.customers.get(path)
        self._building_combos = True
        try:
            c = self.customer_combo
            c.clear()
            if not guessed and not chosen:
                c.addItem("(choose)", "")
            for v in p.get("role_values") or []:
                c.addItem(f"{m['role']} = {v}", v)
            if chosen:
                c.setCurrentIndex(max(0, c.findData(chosen)))
            else:
                i = next((i for i in range(c.count()) if str(c.itemData(i)).lower() in guessed), 0)
                c.setCurrentIndex(i)
        finally:
            self._building_combos = False

    def _customer_changed(self, _index: int) -> None:
        if self._building_combos or not self.current or not self._is_thread(self.current):
            return
        value = self.customer_combo.currentData()
        if value:
            self.customers[self.current] = str(value)
        else:
            self.customers.pop(self.current, None)
        self._check_mapping()

    @staticmethod
    def _describe(p: dict) -> str:
        if ops.is_helpdesk(p):
            return p.get("summary") or "helpdesk export"
        fmt = FORMAT_NAMES.get(p.get("format"), str(p.get("format", "?")).upper())
        parts = [fmt]
        if p.get("delimiter") and p.get("format") in ("csv", "tsv"):
            parts.append(DELIMITER_NAMES.get(p["delimiter"], repr(p["delimiter"])) + "-separated")
        if p.get("encoding"):
            parts.append(p["encoding"])
        parts.append(f"{len(p.get('columns') or [])} columns")
        return " · ".join(parts)

    def _file_selected(self, row: int) -> None:
        if 0 <= row < len(self.files):
            self._show_preview(self.files[row])

    def _show_preview(self, path: str) -> None:
        self.current = path
        if self.body.currentIndex() != 2:
            self.body.setCurrentIndex(1)
        p = self.previews.get(path)
        if p is None:
            self.detected.setText(f"Reading {Path(path).name}...")
            self.preview_table.clear()
            self.preview_table.setRowCount(0)
            self.preview_table.setColumnCount(0)
            return
        if "error" in p:
            self.detected.setText(Path(path).name)
            self.preview_error.setText(p["error"])
            self.preview_error.show()
            self.preview_table.hide()
            for combo in self.combos.values():
                combo.clear()
                combo.setEnabled(False)
                self.mapping_form.setRowVisible(combo, True)
            self.mapping_form.setRowVisible(self.customer_combo, False)
            self.mapping_form.setRowVisible(self.pairs_combo, False)
            return
        self.preview_error.hide()
        self.preview_table.show()
        self.detected.setText(f"<b>{Path(path).name}</b><br>{self._describe(p)}")
        helpdesk = ops.is_helpdesk(p)
        self.mapping_form.setRowVisible(self.pairs_combo, helpdesk)
        for field, combo in self.combos.items():
            self.mapping_form.setRowVisible(combo, not helpdesk)
        if helpdesk:
            self.mapping_form.setRowVisible(self.customer_combo, False)
            self._fill_preview_table(p)
            self._check_mapping()
            return
        columns = list(p.get("columns") or [])
        mapping = self.mappings.get(path, {})
        thread = self._is_thread(path)
        self._building_combos = True
        try:
            for field, combo in self.combos.items():
                combo.setEnabled(not thread)
                combo.clear()
                combo.addItem(NOT_MAPPED, "")
                for c in columns:
                    combo.addItem(str(c), str(c))
                chosen = mapping.get(field)
                combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
        finally:
            self._building_combos = False
        self._show_customer_choice(path)
        self._fill_preview_table(p)
        self._check_mapping()

    def _fill_preview_table(self, p: dict) -> None:
        columns = list(p.get("columns") or [])
        rows = p.get("rows") or []
        mapping = self.mappings.get(self.current or "", {})
        used = {col: field for field, col in mapping.items()}
        labels = dict((f, label) for f, label, _ in FIELDS)
        t = self.preview_table
        t.clear()
        t.setColumnCount(len(columns))
        t.setRowCount(len(rows))
        headers = []
        for c in columns:
            field = used.get(c)
            headers.append(f"{c}\n→ {labels[field]}" if field else str(c))
        t.setHorizontalHeaderLabels(headers)
        for r, rec in enumerate(rows):
            for ci, c in enumerate(columns):
                value = rec.get(c) if isinstance(rec, dict) else None
                text = "" if value is None else " ".join(str(value).split())
                item = QTableWidgetItem(text[:300])
                item.setToolTip(str(value)[:2000] if value is not None else "")
                if c in used:
                    item.setBackground(QColor("#eef8f3"))
                t.setItem(r, ci, item)
        for ci, c in enumerate(columns):  # the long texts get the room
            wide = used.get(c) in ("question", "answer") or (ops.is_helpdesk(p) and c in ("Question", "Answer"))
            t.setColumnWidth(ci, 280 if wide else 120)

    def _mapping_changed(self, field: str) -> None:
        if self._building_combos or not self.current:
            return
        column = self.combos[field].currentData()
        mapping = self.mappings.setdefault(self.current, {})
        for other in ops.assign_column(mapping, field, column):  # one column feeds one field
            self._building_combos = True
            self.combos[other].setCurrentIndex(0)
            self._building_combos = False
        p = self.previews.get(self.current)
        if p and "error" not in p:
            self._fill_preview_table(p)
        self._check_mapping()

    def _check_mapping(self) -> None:
        p = self.previews.get(self.current or "") or {}
        if ops.is_helpdesk(p):
            if p.get("side"):
                self.mapping_note.setText(p.get("summary", "") + ".")
                self.mapping_note.setStyleSheet("" if p.get("importable") else "color: #a61b1b;")
            else:
                lines = [f"<b>{p.get('summary', '')}</b>: {p.get('pairs', 0):,} pair(s) "
                         f"{'per exchange' if self.pairs_mode == 'per-exchange' else 'to draft'}."]
                for why, n in (p.get("skipped") or {}).items():
                    lines.append(f"{n:,} ticket(s) make no pair: {why}.")
                if p.get("error_count"):
                    e = p["errors"][0]
                    lines.append(f"{p['error_count']:,} record(s) cannot be read (first: line {e['line']}, "
                                 f"{e['reason']}); the rest is imported.")
                lines.append(HELPDESK_NOTE)
                self.mapping_note.setText("<br>".join(lines))
                self.mapping_note.setStyleSheet("")
            self._update_buttons()
            return
        if self._is_thread(self.current):
            p = self.previews.get(self.current) or {}
            summary = p.get("summary") or "A conversation export"
            summary = summary[:1].upper() + summary[1:].rstrip(".") + "."
            if self._needs_customer(self.current):
                role = (p.get("mapping") or {}).get("role")
                self.mapping_note.setText(f"{summary} Which messages are the customer's? Choose the value of "
                                          f"column '{role}' that marks them.")
                self.mapping_note.setStyleSheet("color: #a61b1b;")
            else:
                self.mapping_note.setText(f"{summary} Each customer message and the reply to it become a pair.")
                self.mapping_note.setStyleSheet("")
            self._update_buttons()
            return
        labels = dict((f, label) for f, label, _ in FIELDS)
        missing = [labels[f] for f in ops.missing_fields(self.mappings.get(self.current or "", {}))]
        if missing:
            note = (p.get("note") + " ") if p.get("note") else ""
            self.mapping_note.setText(f"{note}Choose the column that holds the "
                                      f"{' and the '.join(m.lower() for m in missing)}.")
            self.mapping_note.setStyleSheet("color: #a61b1b;")
        else:
            self.mapping_note.setText("* needed. The question and answer become the first draft of each pair; "
                                      "you can edit every pair on the Review page.")
            self.mapping_note.setStyleSheet("")
        self._update_buttons()

    def ready_files(self) -> list[str]:
        """Files that can be imported: previewed without error, with question and answer mapped."""
        return [p for p in self.files
                if ops.ready(self.previews.get(p), self.mappings.get(p, {}), self.customers.get(p))]

    def _update_buttons(self) -> None:
        running = self.task is not None
        ready = self.ready_files()
        self.import_button.setEnabled(bool(ready) and not running and self.has_workspace)
        n = len(ready)
        self.import_button.setText(f"Import {n} file{'s' if n != 1 else ''}" if n else "Import")
        self.choose_button.setEnabled(not running)
        self.remove_button.setEnabled(not running and self.file_list.currentRow() >= 0)
        self.cancel_button.setVisible(running)

    # --- importing --------------------------------------------------------------------------
    def start_import(self) -> None:
        files = self.ready_files()
        if not files or self.task is not None:
            return
        jobs = [(p, ops.job_mapping(self.previews.get(p), self.mappings.get(p, {}), self.customers.get(p)))
                for p in files]
        self.progress.setRange(0, 0)
        self.progress.show()
        self.progress_label.setText("Reading files...")
        self.task = self.ctx.run_with_progress(
            "Importing", import_with_mappings, jobs, self.pairs_mode, on_done=self._import_done,
            on_error=self._import_failed, on_progress=self._progress)
        self._update_buttons()

    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self.progress_label.setText(message)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.progress_label.setText("Cancelling...")

    def _import_done(self, result: dict) -> None:
        self.task = None
        self.progress.hide()
        self.progress_label.setText("")
        self.last_result = result
        self._show_summary(result)
        self._update_buttons()
        if result["imported"] or result.get("updated"):
            self.ctx.sig_pairs_changed.emit([])
        self.ctx.status(f"Imported {result['imported']:,} pairs")

    def _import_failed(self, exc: BaseException) -> None:
        self.task = None
        self.progress.hide()
        if is_cancelled_error(exc):
            self.progress_label.setText("Import cancelled: nothing was imported.")
        else:
            self.progress_label.setText("")
            self.ctx.show_error(user_message(exc), "Import failed")
        self._update_buttons()

    def _show_summary(self, r: dict) -> None:
        errors = r.get("errors") or []
        n = r["imported"]
        self.summary_headline.setText(
            f"Imported {n:,} pair{'s' if n != 1 else ''}" if n else "Nothing new was imported")
        parts = []
        for f in r.get("files") or []:
            if f.get("vendor") and f.get("tickets"):
                parts.append(f"{f['summary']}.")
        if r.get("updated"):
            kept = r.get("updated_flagged", 0)
            parts.append(f"{r['updated']:,} ticket{'s' if r['updated'] != 1 else ''} grew since the last import and "
                         f"{'were' if r['updated'] != 1 else 'was'} updated"
                         + (f"; {kept:,} reviewed pair{'s' if kept != 1 else ''} kept as you left "
                            f"{'them' if kept != 1 else 'it'}, flagged 'ticket changed'." if kept else "."))
        if r["duplicates_skipped"]:
            parts.append(f"{r['duplicates_skipped']:,} ticket{'s were' if r['duplicates_skipped'] != 1 else ' was'} "
                         "already in the workspace (or twice in the file) and skipped.")
        skipped = r.get("skipped") or {}
        if skipped:
            parts.append("Messages that made no pair: " + ", ".join(f"{n:,} {why}" for why, n in skipped.items()) + ".")
        if errors:
            parts.append(f"{len(errors):,} row{'s' if len(errors) != 1 else ''} could not be read; "
                         "they are listed below with the reason. Fix them in the file and import it again: "
                         "rows already imported are skipped.")
        else:
            parts.append("Every row was read.")
        if n:
            parts.append("Next: read and approve the pairs on the Review page.")
        self.summary_text.setText(" ".join(parts))
        self.errors_table.setRowCount(len(errors))
        for i, e in enumerate(errors):
            self.errors_table.setItem(i, 0, QTableWidgetItem(str(e.get("file") or "")))
            self.errors_table.setItem(i, 1, QTableWidgetItem("" if e.get("line") is None else str(e["line"])))
            self.errors_table.setItem(i, 2, QTableWidgetItem(str(e.get("reason") or "")))
        self.errors_table.setVisible(bool(errors))
        self.body.setCurrentIndex(2)
