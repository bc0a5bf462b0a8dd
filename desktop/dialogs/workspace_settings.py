"""File > Workspace settings: the per-workspace settings the CLI changes with
`pairsmith settings WS KEY VALUE` and `pairsmith trust WS MODEL --remote-code/--pickle`.

Offline mode, the models allowed to run their own code or load pickle files, and the flag
settings (duplicate/conflict thresholds, the embedding model) and, for personal data, the id
shapes learned from this workspace's own pairs (ids written after "employee id", "staff number",
"badge no"...): the user confirms a shape, removes it (not an id: never flagged), edits its
pattern or adds one, plus an optional extra pattern. The
dialog reads everything once through the worker, edits a local copy, and OK writes only what
changed in one transaction (an emptied setting is deleted, as `--unset` does). Cancel writes
nothing. (Per-user app preferences live in desktop/settings.py; these belong to the workspace.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.privacy import id_patterns as ws_id_patterns
from engine.workspace import security
from engine.workspace import settings as ws_settings

from desktop.worker import user_message

THRESHOLDS = {  # setting -> label
    "duplicate_threshold": "Duplicates: question and answer similarity",
    "duplicate_question_threshold": "Duplicates: question-only similarity",
    "conflict_threshold": "Conflicting answers: similarity",
}
TEXT_SETTINGS = ("pii_employee_id_pattern", "embedding_model")
FLAG_SETTINGS = tuple(THRESHOLDS) + TEXT_SETTINGS
CODE_WARNING = ("Only for a model you trust: its own code, or a pickle file, runs on this computer with "
                "your permissions when the model is loaded, and can read or change your files.")


def threshold_defaults() -> dict[str, float]:
    """The engine's defaults; an unset conflict threshold follows the duplicate threshold."""
    dup = ws_settings.default("duplicate_threshold")
    return {"duplicate_threshold": dup,
            "duplicate_question_threshold": ws_settings.default("duplicate_question_threshold"),
            "conflict_threshold": ws_settings.default("conflict_threshold") or dup}


def pattern_error(pattern: str) -> str | None:
    from engine.flags.id_shapes import employee_pattern_error

    if not pattern:
        return None
    error = employee_pattern_error(pattern)
    if error is None and re.compile(pattern).search("") is not None:
        error = f"the employee ID pattern {pattern!r} matches empty text"
    return error[0].upper() + error[1:] if error else None


# --- worker-thread functions (the only ones that touch the workspace) -------------------------
ID_PATTERNS_KEY = "pii_id_patterns"  # the user's decisions on the learned id shapes
ID_STATES = {"learned": "learned", "confirmed": "confirmed", "added": "added by you", "removed": "removed (not an id)"}


def read_settings(ws) -> dict[str, Any]:
    patterns = [{"pattern": p.pattern, "display": p.display, "examples": list(p.examples), "count": p.count,
                 "anywhere": p.anywhere, "state": p.state} for p in ws_id_patterns.list_patterns(ws)]
    return {"offline": security.is_offline(ws), "trusted": security.trusted_models(ws),
            "values": {key: ws.get_setting(key) for key in FLAG_SETTINGS + (ID_PATTERNS_KEY,)},
            "id_patterns": patterns}



def save_settings(ws, values: dict[str, Any], trust: dict[str, tuple[bool, bool]]) -> None:
    """values: setting -> new value (None deletes it); trust: model -> (remote_code, pickle)."""
    with ws.transaction():
        for key, value in values.items():
            ws_settings.put(ws, key, value)
        for model, (remote_code, pickle) in trust.items():
            security.trust_model(ws, model, remote_code=remote_code, pickle=pickle)


class WorkspaceSettingsDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("workspace-settings-dialog")
        self.setWindowTitle("Workspace settings")
        self.resize(700, 780)
        self.loaded: dict[str, Any] | None = None
        self.trusted: dict[str, dict[str, bool]] = {}  # the edited copy
        self.defaults = threshold_defaults()

        self.offline = QCheckBox("Offline (never download models)")
        self.offline.setChecked(True)
        offline_help = QLabel("While on, training and evaluation only use models already on this computer.")
        offline_help.setObjectName("hint")

        # trusted models
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Model", "May run its own code", "May load pickle files", ""])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.new_model = QLineEdit(placeholderText="a model folder or hub id, e.g. org/model-name")
        browse_model = QPushButton("Folder…", clicked=lambda: self._choose_folder(self.new_model))
        self.new_code = QCheckBox("may run its own code")
        self.new_pickle = QCheckBox("may load pickle files")
        self.allow_button = QPushButton("Allow", clicked=self.allow_model)
        for signal in (self.new_model.textChanged, self.new_code.toggled, self.new_pickle.toggled):
            signal.connect(self._update_allow)
        warning = QLabel(CODE_WARNING, wordWrap=True, styleSheet="color: #b42318;")
        add_row, ticks = QHBoxLayout(), QHBoxLayout()
        add_row.addWidget(self.new_model)
        add_row.addWidget(browse_model)
        for w in (self.new_code, self.new_pickle):
            ticks.addWidget(w)
        ticks.addStretch(1)
        ticks.addWidget(self.allow_button)
        trust_box = QGroupBox("Models allowed to run code")
        trust_layout = QVBoxLayout(trust_box)
        trust_layout.addWidget(self.table)
        trust_layout.addWidget(QLabel("Allow a model…"))
        trust_layout.addLayout(add_row)
        trust_layout.addLayout(ticks)
        trust_layout.addWidget(warning)

        # flag settings
        flags_box = QGroupBox("Finding problems")
        form = QFormLayout(flags_box)
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.use_default: dict[str, QCheckBox] = {}
        for key, label in THRESHOLDS.items():
            spin = QDoubleSpinBox(minimum=0.5, maximum=0.99, singleStep=0.01, decimals=2)
            spin.setToolTip(ws_settings.CATALOGUE[key].help)
            default = QCheckBox(f"default ({self.defaults[key]:.2f})")
            default.toggled.connect(lambda on, k=key: self._default_toggled(k, on))
            row = QHBoxLayout()
            row.addWidget(spin)
            row.addWidget(default)
            row.addStretch(1)
            form.addRow(label, row)
            self.spins[key], self.use_default[key] = spin, default
        self.use_default["conflict_threshold"].setText("default (same as duplicates)")
        self.spins["duplicate_threshold"].valueChanged.connect(self._follow_duplicate)
        self.pattern = QLineEdit(placeholderText="optional: a regular expression for ids written without a cue word")
        self.pattern.textChanged.connect(self._validate)
        self.pattern_error = QLabel(wordWrap=True, styleSheet="color: #b42318;")
        self.pattern_error.hide()
        form.addRow("Extra ID pattern", self.pattern)
        form.addRow("", self.pattern_error)
        self.embedding = QLineEdit(placeholderText="empty: the bundled all-MiniLM-L6-v2")
        self.embedding.textChanged.connect(self._validate)
        row = QHBoxLayout()
        row.addWidget(self.embedding)
        row.addWidget(QPushButton("Folder…", clicked=lambda: self._choose_folder(self.embedding)))
        form.addRow("Embedding model", row)
        form.addRow(QLabel("Changes here apply the next time you use “Find problems” on the Flags page.",
                           objectName="hint"))

        self.error = QLabel(wordWrap=True, styleSheet="color: #b42318;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)  # until the settings are read

        # personal data: the id shapes learned from the workspace
        ids_box = QGroupBox("Personal data: your organisation's ID formats")
        ids_layout = QVBoxLayout(ids_box)
        ids_help = QLabel("Shapes of the IDs written after words such as “employee ID”, “staff number” or “badge no” "
                          "in this workspace. Distinctive shapes (letters, or long numbers with separators) are also found without those words. "
                          "Confirm the ones that are IDs, remove the ones that are not; double-click a pattern to edit it.",
                          wordWrap=True, objectName="hint")
        self.id_table = QTableWidget(0, 6)
        self.id_table.setObjectName("id-patterns-table")
        self.id_table.setHorizontalHeaderLabels(["Pattern", "Reads as", "Examples", "Seen", "Status", ""])
        id_header = self.id_table.horizontalHeader()
        id_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        id_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.id_table.verticalHeader().hide()
        self.id_table.itemChanged.connect(self._id_pattern_edited)
        self.new_id = QLineEdit(placeholderText=r"add an ID pattern, e.g. EMP-\d{6}")
        self.new_id.textChanged.connect(self._validate_new_id)
        self.add_id_button = QPushButton("Add", clicked=self.add_id_pattern)
        self.add_id_button.setEnabled(False)
        self.id_error = QLabel(wordWrap=True, styleSheet="color: #b42318;")
        self.id_error.hide()
        id_row = QHBoxLayout()
        id_row.addWidget(self.new_id)
        id_row.addWidget(self.add_id_button)
        ids_layout.addWidget(ids_help)
        ids_layout.addWidget(self.id_table)
        ids_layout.addLayout(id_row)
        ids_layout.addWidget(self.id_error)
        self.id_patterns: list[dict[str, Any]] = []  # the edited copy (learned + added)
        self.id_decisions: dict[str, str] = {}

        layout = QVBoxLayout(self)
        layout.addWidget(self.offline)
        layout.addWidget(offline_help)
        layout.addWidget(trust_box, 1)
        layout.addWidget(flags_box)
        layout.addWidget(ids_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._update_allow()
        ctx.worker.submit(read_settings, on_done=self._show, on_error=self._failed)

    # --- reading --------------------------------------------------------------------------
    def _show(self, data: dict[str, Any]) -> None:
        self.loaded = data
        self.offline.setChecked(data["offline"])
        self.trusted = {m: dict(v) for m, v in data["trusted"].items() if isinstance(v, dict)}
        self._fill_table()
        values = data["values"]
        for key in THRESHOLDS:
            value = values.get(key)
            self.use_default[key].setChecked(not isinstance(value, (int, float)))
            self._default_toggled(key, self.use_default[key].isChecked())
            if isinstance(value, (int, float)):
                self.spins[key].setValue(float(value))
        self.pattern.setText(str(values.get("pii_employee_id_pattern") or ""))
        self.embedding.setText(str(values.get("embedding_model") or ""))
        self.id_patterns = [dict(p) for p in data.get("id_patterns", [])]
        stored = values.get(ID_PATTERNS_KEY)
        self.id_decisions = {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}
        self._fill_id_table()
        self._validate()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(user_message(exc))
        self.ok_button.setEnabled(self.loaded is not None)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        """Enter in "Allow a model…" allows that model (as the Allow button does); elsewhere it
        is OK, as in any dialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.new_model.hasFocus():
            if self.new_model.text().strip() and not (self.new_code.isChecked() or self.new_pickle.isChecked()):
                self.error.setText("Tick what the model may do (run its own code, load pickle files), then Allow.")
            self.allow_model()
            return
        super().keyPressEvent(event)

    # --- trusted models -------------------------------------------------------------------
    def _fill_table(self) -> None:
        self.table.setRowCount(0)
        for model, entry in sorted(self.trusted.items()):
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(model))
            self.table.setItem(row, 1, QTableWidgetItem("yes" if entry.get("remote_code") else "no"))
            self.table.setItem(row, 2, QTableWidgetItem("yes" if entry.get("pickle") else "no"))
            self.table.setCellWidget(row, 3, QPushButton("Revoke", clicked=lambda _=False, m=model: self.revoke(m)))

    def revoke(self, model: str) -> None:
        self.trusted.pop(model, None)
        self._fill_table()

    def allow_model(self) -> None:
        model = self.new_model.text().strip()
        if not model or not (self.new_code.isChecked() or self.new_pickle.isChecked()):
            return
        self.trusted[model] = {"remote_code": self.new_code.isChecked(), "pickle": self.new_pickle.isChecked()}
        self._fill_table()
        self.new_model.clear()
        self.new_code.setChecked(False)
        self.new_pickle.setChecked(False)
        self._validate()  # clears a hint shown by Enter before a tick was set

    def _update_allow(self) -> None:
        self.allow_button.setEnabled(bool(self.new_model.text().strip())
                                     and (self.new_code.isChecked() or self.new_pickle.isChecked()))

    # --- learned id shapes -----------------------------------------------------------------
    def _fill_id_table(self) -> None:
        self.id_table.blockSignals(True)
        self.id_table.setRowCount(0)
        for entry in self.id_patterns:
            row = self.id_table.rowCount()
            self.id_table.insertRow(row)
            pattern = QTableWidgetItem(entry["pattern"])
            pattern.setToolTip("Double-click to edit the regular expression")
            self.id_table.setItem(row, 0, pattern)
            for col, text in ((1, entry["display"]), (2, ", ".join(entry["examples"])),
                              (3, str(entry["count"]) if entry["count"] else ""),
                              (4, ID_STATES.get(entry["state"], entry["state"])
                               + ("; only after a cue word" if entry["state"] == "learned" and not entry["anywhere"]
                                  else ""))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.id_table.setItem(row, col, item)
            buttons = QWidget()
            box = QHBoxLayout(buttons)
            box.setContentsMargins(0, 0, 0, 0)
            if entry["state"] != "confirmed" and entry["state"] != "added":
                box.addWidget(QPushButton("Confirm", clicked=lambda _=False, p=entry["pattern"]: self.set_id_state(p, "confirmed")))
            if entry["state"] != "removed":
                box.addWidget(QPushButton("Remove", clicked=lambda _=False, p=entry["pattern"]: self.set_id_state(p, "removed")))
            if entry["state"] in ("confirmed", "removed"):
                box.addWidget(QPushButton("Undo", clicked=lambda _=False, p=entry["pattern"]: self.set_id_state(p, None)))
            self.id_table.setCellWidget(row, 5, buttons)
        self.id_table.blockSignals(False)

    def set_id_state(self, pattern: str, state: str | None) -> None:
        """Confirm, remove (an added pattern is dropped) or undo a decision; written on OK."""
        entry = next((e for e in self.id_patterns if e["pattern"] == pattern), None)
        if entry is None:
            return
        if entry["state"] == "added" or (entry.get("count", 0) == 0 and state == "removed"):
            self.id_patterns.remove(entry)
            self.id_decisions.pop(pattern, None)
        elif state is None:
            self.id_decisions.pop(pattern, None)
            entry["state"] = "learned"
        else:
            self.id_decisions[pattern] = state
            entry["state"] = state
        self._fill_id_table()

    def _id_error(self, pattern: str) -> str | None:
        from engine.flags.id_shapes import pattern_error as id_pattern_error

        error = id_pattern_error(pattern) if pattern else None
        return error[0].upper() + error[1:] if error else None

    def _validate_new_id(self) -> None:
        text = self.new_id.text().strip()
        error = self._id_error(text)
        self.id_error.setText(error or "")
        self.id_error.setVisible(bool(error))
        self.add_id_button.setEnabled(bool(text) and not error)

    def add_id_pattern(self, pattern: str | None = None) -> bool:
        pattern = (pattern if isinstance(pattern, str) else self.new_id.text()).strip()
        if not pattern or self._id_error(pattern):
            return False
        if not any(e["pattern"] == pattern for e in self.id_patterns):
            self.id_patterns.append({"pattern": pattern, "display": pattern, "examples": [], "count": 0,
                                     "anywhere": True, "state": "added"})
        self.id_decisions[pattern] = "confirmed"
        for e in self.id_patterns:
            if e["pattern"] == pattern and e["state"] != "added":
                e["state"] = "confirmed"
        self.new_id.clear()
        self._fill_id_table()
        return True

    def _id_pattern_edited(self, item: QTableWidgetItem) -> None:
        """An edited pattern replaces the old one: a learned shape is removed, the new one added."""
        if item.column() != 0 or item.row() >= len(self.id_patterns):
            return
        entry = self.id_patterns[item.row()]
        new = item.text().strip()
        if new == entry["pattern"]:
            return
        error = self._id_error(new) if new else "An ID pattern cannot be empty"
        if error:
            self.id_error.setText(error)
            self.id_error.show()
            self._fill_id_table()  # back to the old text
            return
        self.id_error.hide()
        old = entry["pattern"]
        if entry["state"] == "added":
            self.id_patterns.remove(entry)
            self.id_decisions.pop(old, None)
        else:
            self.id_decisions[old] = "removed"
            entry["state"] = "removed"
        self.add_id_pattern(new)

    # --- flag settings --------------------------------------------------------------------
    def _default_toggled(self, key: str, on: bool) -> None:
        spin = self.spins[key]
        spin.setEnabled(not on)
        if on:
            spin.setValue(self.spins["duplicate_threshold"].value() if key == "conflict_threshold"
                          else self.defaults[key])

    def _follow_duplicate(self, value: float) -> None:
        if self.use_default["conflict_threshold"].isChecked():
            self.spins["conflict_threshold"].setValue(value)

    def _validate(self) -> bool:
        error = pattern_error(self.pattern.text().strip())
        self.pattern_error.setText(error or "")
        self.pattern_error.setVisible(bool(error))
        folder = self.embedding.text().strip()
        missing = bool(folder) and not Path(folder).expanduser().is_dir()
        self.error.setText(f"The embedding model folder {folder} does not exist." if missing else "")
        ok = not error and not missing
        self.ok_button.setEnabled(self.loaded is not None and ok)
        return ok

    def _choose_folder(self, target: QLineEdit) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a model folder")
        if path:
            target.setText(path)

    # --- saving ---------------------------------------------------------------------------
    def changes(self) -> tuple[dict[str, Any], dict[str, tuple[bool, bool]]]:
        """(settings to write, None = delete; models whose permissions changed)."""
        before = self.loaded["values"]
        values: dict[str, Any] = {}
        if self.offline.isChecked() != self.loaded["offline"]:
            values[security.OFFLINE_SETTING] = None if self.offline.isChecked() else False
        for key in THRESHOLDS:
            new = None if self.use_default[key].isChecked() else round(self.spins[key].value(), 2)
            if new != before.get(key):
                values[key] = new
        for key, edit in (("pii_employee_id_pattern", self.pattern), ("embedding_model", self.embedding)):
            new = edit.text().strip() or None
            if new != (before.get(key) or None):
                values[key] = new
        old_decisions = before.get(ID_PATTERNS_KEY)
        old_decisions = old_decisions if isinstance(old_decisions, dict) else {}
        if self.id_decisions != old_decisions:
            values[ID_PATTERNS_KEY] = dict(self.id_decisions) or None
        old = self.loaded["trusted"]
        trust = {m: (False, False) for m in old if m not in self.trusted}
        for model, entry in self.trusted.items():
            if entry != old.get(model):
                trust[model] = (bool(entry.get("remote_code")), bool(entry.get("pickle")))
        return values, trust

    def save(self) -> None:
        if self.loaded is None or not self._validate():
            return
        values, trust = self.changes()
        if not values and not trust:
            self.accept()
            return
        message = "Workspace settings saved."
        if any(key in FLAG_SETTINGS + (ID_PATTERNS_KEY,) for key in values):
            message += " The flags are recomputed with them on the next “Find problems”."
        self.ok_button.setEnabled(False)

        def done(_):
            self.ctx.status(message, 8000)
            self.accept()

        self.ctx.worker.submit(save_settings, values, trust, on_done=done, on_error=self._failed)
