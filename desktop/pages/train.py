"""Train: pick a dataset version, a base model and a preset, press Train, watch it learn.

The training runs in a subprocess (`python -m engine.train RUN_DIR`) started with QProcess, which
prints one JSON event per line (engine/train/events.py); nothing here blocks the GUI thread. Each
action is one engine call on the engine worker (engine/train/ops.py, engine/evaluate/ops.py):
preparing or resuming a run returns the command line, the environment (the workspace's offline
setting) and the folder to start it in; recording it and storing the evaluation go there too.
When training ends with `done`, the evaluation subprocess (`python -m engine.evaluate RUN_DIR`)
starts by itself and its result is shown here, with a link to the Evaluate page.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QListWidget, QListWidgetItem, QProgressBar, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop.widgets.charts import LossChart
from desktop.worker import user_message
from desktop.pages.base import Page, note_label as _note, scrolling_body
from engine.evaluate import ops as eval_ops
from engine.train import ops
from engine.train.events import parse_line
from engine.train.launch import parse_eval_line

BUILTIN_TINY = "builtin:tiny"
BUILTIN_SMOLLM2 = "builtin:smollm2"
STATE_WORDS = {
    "prepared": "prepared", "running": "running", "done": "finished", "error": "failed",
    "cancelled": "cancelled", "stopped": "stopped",
}


# What to do after a training error, in the app's words (the trainer's advice names CLI commands).
WHAT_TO_DO = {
    "disk_full": "Free some disk space, then press Resume: it continues from the last complete checkpoint.",
    "out_of_memory": "Use a smaller base model, or a smaller preset such as qlora-t4.",
    "model_not_found": ("Choose a model folder that is on this computer (Folder… beside Base model), allow this workspace to "
                        "download models (File > Workspace settings: untick Offline), or use builtin:tiny."),
    "internal": "The details are in train.log in the run folder; Resume continues the run once it is fixed.",
}


def what_to_do(error: dict) -> str:
    return WHAT_TO_DO.get(str(error.get("kind") or ""), str(error.get("what_to_do") or ""))


def _esc(text: Any) -> str:
    """Engine and library text inside the page's rich-text labels ("<model>" is text)."""
    return html.escape(str(text), quote=False)


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = max(int(seconds), 0)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def qt_environment(env: Mapping[str, str]) -> QProcessEnvironment:
    out = QProcessEnvironment()
    for key, value in env.items():
        out.insert(key, value)
    return out


# --- the subprocess -----------------------------------------------------------------------------
class JsonLinesProcess(QObject):
    """A QProcess whose stdout is JSON lines: emits `sig_event(dict)` per line, stderr goes to a log
    file, `sig_finished(exit_code, crashed)` at the end. Never blocks."""

    sig_event = Signal(object)
    sig_finished = Signal(int, bool)

    def __init__(self, parse: Callable[[bytes], dict | None], parent: QObject | None = None):
        super().__init__(parent)
        self.parse = parse
        self.proc: QProcess | None = None
        self._buffer = b""
        self.lines: list[str] = []  # every stdout line that was not an event (for diagnosis)

    def start(self, argv: list[str], log_file: str | Path, cwd: str | Path, env: Mapping[str, str]) -> None:
        self.proc = QProcess(self)
        self.proc.setProcessEnvironment(qt_environment(env))
        self.proc.setStandardErrorFile(str(log_file), QProcess.Append)
        self.proc.setWorkingDirectory(str(cwd))
        self.proc.readyReadStandardOutput.connect(self._read)
        self.proc.finished.connect(self._finished)
        self.proc.errorOccurred.connect(self._error)
        self._buffer = b""
        self.proc.start(argv[0], argv[1:])

    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.NotRunning

    def terminate(self) -> None:
        """Ask it to save and stop (SIGTERM)."""
        if self.running():
            self.proc.terminate()

    def kill(self) -> None:
        if self.running():
            self.proc.kill()

    def _read(self) -> None:
        self._buffer += bytes(self.proc.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            self._line(raw)

    def _line(self, raw: bytes) -> None:
        event = self.parse(raw)
        if event is not None:
            self.sig_event.emit(event)
        elif raw.strip():
            self.lines.append(raw.decode("utf-8", "replace"))

    def _finished(self, code: int, status) -> None:
        self._read()
        if self._buffer.strip():
            self._line(self._buffer)
            self._buffer = b""
        self.sig_finished.emit(int(code), status == QProcess.CrashExit)

    def _error(self, error) -> None:
        if error == QProcess.FailedToStart:
            self.sig_finished.emit(-1, True)


# --- the page -----------------------------------------------------------------------------------


class TrainPage(Page):
    name = "train"
    title = "Train"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.run_id: str | None = None
        self.run_dir: str | None = None
        self.state = "idle"  # idle | preparing | running | cancelling | evaluating
        self.total_steps: int | None = None
        self.events: list[dict] = []
        self.warnings: list[dict] = []
        self.last_checkpoint: str | None = None
        self.final_event: dict | None = None
        self.evaluation: dict | None = None
        self.runs: list[dict] = []
        self.shown_run: str | None = None  # the run whose curve is drawn
        self.process = JsonLinesProcess(parse_line, self)
        self.process.sig_event.connect(self.on_event)
        self.process.sig_finished.connect(self.on_finished)
        self.eval_process = JsonLinesProcess(parse_eval_line, self)
        self.eval_process.sig_event.connect(self.on_eval_event)
        self.eval_process.sig_finished.connect(self.on_eval_finished)
        self.eval_argv: Callable[[str], list[str]] | None = None  # tests: a fake evaluation's command line
        self.descriptions: dict[str, str] = {}

        root = scrolling_body(self, spacing=10)
        root.addWidget(QLabel("<h2 style='margin:0'>Train</h2>"))

        # --- setup
        setup = QGroupBox("What to train")
        form = QFormLayout(setup)
        self.version_combo = QComboBox()
        self.version_combo.setMinimumWidth(260)
        form.addRow("Dataset version:", self.version_combo)
        model_row = QHBoxLayout()
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        self.model_combo.addItem(BUILTIN_TINY)
        self.model_combo.addItem(BUILTIN_SMOLLM2)
        self.model_combo.setToolTip("A model folder or a .gguf file on this computer, a local Ollama model "
                                    "(ollama:NAME), a hub id such as mistralai/Mistral-7B-Instruct-v0.3 (already "
                                    "downloaded), builtin:smollm2 (a real 135M instruct model that trains on a CPU) or builtin:tiny (a quick test). A GGUF file is converted once.")
        self.model_combo.setMinimumWidth(200)
        self.model_combo.currentTextChanged.connect(self._model_changed)
        model_row.addWidget(self.model_combo, 1)
        browse = QPushButton("Folder…")
        browse.setToolTip("A model folder (safetensors and a config) on this computer")
        browse.clicked.connect(self.choose_model_folder)
        model_row.addWidget(browse)
        browse_file = QPushButton("GGUF file…")
        browse_file.setToolTip("A GGUF model file (what llama.cpp, LM Studio and Ollama use)")
        browse_file.clicked.connect(self.choose_model_file)
        model_row.addWidget(browse_file)
        form.addRow("Base model:", model_row)
        self.preset_combo = QComboBox()
        self.preset_combo.setMinimumWidth(260)
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        form.addRow("Preset:", self.preset_combo)
        self.preset_note = _note()
        form.addRow("", self.preset_note)
        buttons = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.setMinimumWidth(140)
        self.train_button.setStyleSheet("font-weight: 600; padding: 6px 18px;")
        self.train_button.clicked.connect(self.start_training)
        buttons.addWidget(self.train_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Save a checkpoint and stop; Resume continues from it.")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.cancel_button)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue the stopped run from its last checkpoint.")
        self.resume_button.clicked.connect(self.resume)
        buttons.addWidget(self.resume_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(setup, 1)
        root.addLayout(top)

        # --- live run
        live = QGroupBox("This run")
        ll = QVBoxLayout(live)
        self.headline = QLabel("Press Train to start. Training runs in the background; you can keep working.")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 14px;")
        ll.addWidget(self.headline)
        bar_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        bar_row.addWidget(self.progress, 1)
        self.eta_label = QLabel("")
        self.eta_label.setMinimumWidth(140)
        bar_row.addWidget(self.eta_label)
        ll.addLayout(bar_row)
        figures = QHBoxLayout()
        self.loss_label = QLabel("Loss: –")
        self.speed_label = QLabel("Speed: –")
        self.memory_label = QLabel("GPU memory: –")
        self.device_label = QLabel("")
        for w in (self.loss_label, self.speed_label, self.memory_label, self.device_label):
            w.setStyleSheet("color: #333; margin-right: 18px;")
            figures.addWidget(w)
        figures.addStretch(1)
        ll.addLayout(figures)
        split = QSplitter(Qt.Horizontal)
        self.chart = LossChart()
        self.chart.setMinimumHeight(200)
        split.addWidget(self.chart)
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(QLabel("<b>Warnings</b>"))
        self.warning_list = QListWidget()
        self.warning_list.setWordWrap(True)
        sl.addWidget(self.warning_list, 1)
        split.addWidget(side)
        split.setSizes([700, 300])
        split.setFixedHeight(270)
        ll.addWidget(split)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.RichText)
        self.result_label.linkActivated.connect(self._link)
        self.result_label.hide()
        ll.addWidget(self.result_label)
        self._live = live

        # --- history
        history = QGroupBox("Earlier runs")
        hl = QVBoxLayout(history)
        self.runs_table = QTableWidget(0, 6)
        self.runs_table.setHorizontalHeaderLabels(["Started", "Base model", "Preset", "Dataset", "Result", "Held-out"])
        self.runs_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.runs_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.runs_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.runs_table.verticalHeader().setVisible(False)
        self.runs_table.setAlternatingRowColors(True)
        header = self.runs_table.horizontalHeader()
        for i in range(6):
            header.setSectionResizeMode(i, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.runs_table.setMinimumHeight(110)
        self.runs_table.itemSelectionChanged.connect(self._run_selected)
        hl.addWidget(self.runs_table)
        row = QHBoxLayout()
        self.evaluate_button = QPushButton("Evaluate the selected run")
        self.evaluate_button.clicked.connect(self.evaluate_selected)
        row.addWidget(self.evaluate_button)
        row.addStretch(1)
        hl.addLayout(row)
        top.addWidget(history, 1)
        root.addWidget(self._live)
        root.addStretch(1)
        self._update_buttons()

    # --- setup --------------------------------------------------------------------------------
    def forget_workspace(self) -> None:
        """Another workspace: its runs are not this page's any more (a switch is refused while a
        run is going, see busy_reason)."""
        if self.state != "idle":
            return
        self.run_id = self.run_dir = self.shown_run = None
        self._known_versions = None
        self.total_steps, self.final_event, self.evaluation, self.last_checkpoint = None, None, None, None
        self.events, self.warnings, self.runs = [], [], []
        self.chart.reset()
        self.warning_list.clear()
        self.result_label.hide()
        self.runs_table.setRowCount(0)
        self.version_combo.clear()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.eta_label.setText("")
        self.loss_label.setText("Loss: –")
        self.speed_label.setText("Speed: –")
        self.memory_label.setText("GPU memory: –")
        self.device_label.setText("")
        self.headline.setText("Press Train to start. Training runs in the background; you can keep working.")
        self._update_buttons()

    def refresh(self) -> None:
        if not self.has_workspace:
            self.headline.setText("Open a workspace first.")
            return
        self.submit(ops.load_setup, on_done=self._setup_loaded, on_error=self._failed)

    def _setup_loaded(self, setup: dict) -> None:
        current = self.version_combo.currentData()
        self.version_combo.clear()
        for v in reversed(setup["versions"]):
            stats = v.get("stats") or {}
            self.version_combo.addItem(
                f"{v.get('name') or 'version'} (#{v['id']}): {int(stats.get('train', 0)):,} to train, "
                f"{int(stats.get('heldout', 0)):,} held out", int(v["id"]))
        if not setup["versions"]:
            self.version_combo.addItem("No frozen version yet: one is frozen from the approved pairs", None)
        known = getattr(self, "_known_versions", None)
        ids = {int(v["id"]) for v in setup["versions"]}
        self._known_versions = ids
        fresh = known is not None and bool(ids - known)
        if current is not None and not fresh:  # keep the user's pick; a newly frozen version wins
            idx = self.version_combo.findData(current)
            if idx >= 0:
                self.version_combo.setCurrentIndex(idx)
        if self.preset_combo.count() == 0:
            default_model = setup.get("default_base_model")
            if default_model:
                self.model_combo.setCurrentText(default_model)
            self.descriptions = setup["descriptions"]
            for name in setup["presets"]:
                self.preset_combo.addItem(name, name)
            self._default_presets = (setup["default_preset"],
                                     setup.get("default_preset_real_model", setup["default_preset"]))
            idx = self.preset_combo.findData(self._default_for(self.model_combo.currentText()))
            self.preset_combo.setCurrentIndex(max(idx, 0))
            self._preset_changed()
        for name in setup.get("ollama_models") or []:  # the local Ollama models, as picks
            if self.model_combo.findText(f"ollama:{name}") < 0:
                self.model_combo.addItem(f"ollama:{name}")
        self.show_runs(setup["runs"])
        if setup.get("latest") and self.state == "idle" and self.run_id is None:
            self.show_run(setup["latest"])

    def _preset_changed(self, *_: Any) -> None:
        name = self.preset_combo.currentData()
        self.preset_note.setText(self.descriptions.get(name, ""))

    def _default_for(self, model: str) -> str | None:
        defaults = getattr(self, "_default_presets", None)
        if not defaults:
            return None
        return defaults[0] if model.strip() in ("", BUILTIN_TINY) else defaults[1]

    def _model_changed(self, text: str) -> None:
        """Follow the model with the default preset (cpu-smoke for the tiny model, cpu-lora for a
        real one on a CPU) unless the user picked another preset."""
        previous = getattr(self, "_last_model", BUILTIN_TINY)
        self._last_model = text
        if self.preset_combo.count() and self.preset_combo.currentData() == self._default_for(previous):
            idx = self.preset_combo.findData(self._default_for(text))
            if idx >= 0:
                self.preset_combo.setCurrentIndex(idx)

    def choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model file", "",
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.model_combo.setEditText(path)

    def choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a base model folder")
        if folder:
            self.model_combo.setEditText(folder)

    def show_runs(self, runs: list[dict]) -> None:
        self.runs = runs
        self.runs_table.setRowCount(len(runs))
        for r, run in enumerate(runs):
            created = run.get("created_at")
            metrics = run.get("metrics") or {}
            result = STATE_WORDS.get(run.get("status"), run.get("status") or "")
            if metrics.get("last_loss") is not None:
                result += f", loss {float(metrics['last_loss']):.3f}"
            ev = run.get("evaluation") or {}
            acc = ev.get("heldout_accuracy")
            cells = [created.strftime("%d %b %H:%M") if hasattr(created, "strftime") else str(created or ""),
                     str(run.get("base_model") or ""), str(run.get("preset") or ""),
                     f"#{run['version_id']}" if run.get("version_id") is not None else "",
                     result, f"{float(acc):.0%}" if acc is not None else "–"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"run {run['id']}")
                if c == 4 and metrics.get("error"):
                    item.setToolTip(f"{metrics['error'].get('message')} {what_to_do(metrics['error'])}")
                self.runs_table.setItem(r, c, item)
        self._select_shown()
        self._update_buttons()

    def _select_shown(self) -> None:
        """Highlight the run whose curve is drawn (selecting it does not reload it)."""
        for r, run in enumerate(self.runs):
            if run["id"] == self.shown_run:
                self.runs_table.blockSignals(True)
                self.runs_table.selectRow(r)
                self.runs_table.blockSignals(False)
                return

    def _run_selected(self) -> None:
        self._update_buttons()
        run = self._selected_run()
        if run is not None and self.state == "idle" and run["id"] != self.shown_run:
            self.submit(ops.run_view, run["id"], on_done=self.show_run, on_error=self._failed)

    def show_run(self, view: dict) -> None:
        """Draw an earlier run (not running now): its loss curve, warnings, outcome and evaluation."""
        if self.state != "idle":
            return
        run = view["run"]
        self.shown_run = run["id"]
        self._select_shown()
        self.chart.reset()
        self.warning_list.clear()
        self.warnings, self.events, self.final_event = [], [], None
        self.total_steps = None
        self._replaying = True
        try:
            for e in view.get("events") or []:
                self.on_event(e)
        finally:
            self._replaying = False
        state = STATE_WORDS.get(run.get("status"), run.get("status") or "")
        outcome = self.headline.text()
        self.headline.setText(f"<b>Run {run['id']}</b> ({_esc(run.get('base_model'))}, {_esc(run.get('preset'))}): {state}. {outcome}")
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.eta_label.setText("")
        if view.get("evaluation"):
            self.show_evaluation(view["evaluation"], record=False)
        else:
            self.result_label.hide()
        self._update_buttons()

    def _selected_run(self) -> dict | None:
        rows = self.runs_table.selectionModel().selectedRows() if self.runs_table.selectionModel() else []
        return self.runs[rows[0].row()] if rows and rows[0].row() < len(self.runs) else None

    def _update_buttons(self) -> None:
        busy = self.state != "idle"
        self.train_button.setEnabled(not busy and self.has_workspace)
        self.cancel_button.setEnabled(self.state in ("running", "cancelling", "evaluating"))
        self.cancel_button.setText("Stop now" if self.state == "cancelling" else "Cancel")
        resumable = self._resumable_run()
        self.resume_button.setEnabled(not busy and resumable is not None)
        selected = self._selected_run()
        self.evaluate_button.setEnabled(not busy and selected is not None and selected.get("status") == "done")

    def _resumable_run(self) -> dict | None:
        """The run Resume continues: the selected one, else the last one here, if it stopped."""
        run = self._selected_run()
        if run is None and self.run_id:
            run = next((r for r in self.runs if r["id"] == self.run_id), None)
        return run if run is not None and run.get("resumable") else None

    # --- starting -----------------------------------------------------------------------------
    def start_training(self) -> None:
        base = self.model_combo.currentText().strip()
        if not base:
            self.headline.setText("Choose a base model first (builtin:smollm2 for a real model on the CPU, "
                                  "builtin:tiny for a quick test).")
            return
        preset = self.preset_combo.currentData()
        version = self.version_combo.currentData()
        self._set_state("preparing")
        gguf = base.lower().endswith(".gguf") or base.startswith("ollama:") or base == BUILTIN_SMOLLM2
        self.headline.setText("Preparing the run… (a GGUF model is converted once the first time: about a "
                              "minute for a small model)" if gguf else "Preparing the run…")
        self.submit(ops.prepare, base, preset, version, on_done=self.launch, on_error=self._prepare_failed)

    def _prepare_failed(self, exc: BaseException) -> None:
        self._set_state("idle")
        self.headline.setText(f"<span style='color:#B00020'>{_esc(user_message(exc))}</span>")

    def launch(self, process: dict, *, resumed: bool = False) -> None:
        """Start the training subprocess of a prepared run (ops.prepare / ops.resume)."""
        run_id, run_dir = process["run_id"], process["run_dir"]
        self.run_id, self.run_dir = run_id, str(run_dir)
        self.shown_run = run_id
        if not resumed:
            self.chart.reset()
            self.warning_list.clear()
            self.warnings = []
            self.events = []
        self.final_event = None
        self.evaluation = None
        self.result_label.hide()
        self.progress.setRange(0, 0)
        self.eta_label.setText("")
        self.headline.setText(f"Run {run_id}: starting…")
        self._set_state("running")
        self.process.start(process["argv"], process["log"], process["cwd"], process["env"])
        self.ctx.status(f"Training run {run_id} started")

    def resume(self) -> None:
        run = self._resumable_run()
        if run is None:
            return
        self._set_state("preparing")
        self.submit(ops.resume, run["id"], on_done=self._resumed, on_error=self._prepare_failed)

    def _resumed(self, process: dict) -> None:
        self.chart.reset()
        self.warning_list.clear()
        self.warnings, self.events = [], []
        for event in process["events"]:  # redraw what the run did before it stopped
            if event.get("event") in ("step", "eval"):
                self.on_event(event)
        self.launch(process, resumed=True)
        self.headline.setText(f"Run {process['run_id']}: resuming from the last checkpoint…")

    def cancel(self) -> None:
        if self.state == "evaluating":
            self.eval_process.kill()
            return
        if self.state == "cancelling":
            self.process.kill()
            return
        if self.state == "running":
            self._set_state("cancelling")
            self.headline.setText("Saving a checkpoint and stopping… (press Stop now to stop at once)")
            self.process.terminate()

    def shutdown(self) -> None:
        """The window is closing: ask a running training to save a checkpoint and stop (Resume
        continues it next time), stop an evaluation."""
        for proc, graceful in ((self.process, True), (self.eval_process, False)):
            if not proc.running():
                continue
            if graceful:
                proc.terminate()
                if proc.proc.waitForFinished(30000):
                    continue
            proc.kill()
            proc.proc.waitForFinished(5000)

    def busy_reason(self) -> str | None:
        if self.state in ("preparing", "running", "cancelling"):
            return "Training is running in this workspace."
        if self.state == "evaluating":
            return "The trained model is being evaluated in this workspace."
        return None

    def _set_state(self, state: str) -> None:
        self.state = state
        self._update_buttons()

    # --- events -------------------------------------------------------------------------------
    def on_event(self, e: dict) -> None:
        self.events.append(e)
        kind = e.get("event")
        if kind == "preflight":
            self.headline.setText(str(e.get("message", "")))
            if e.get("device"):
                self.device_label.setText(f"Device: {e['device']}" + (f" ({e['gpu_name']})" if e.get("gpu_name") else ""))
        elif kind == "started":
            self.total_steps = int(e.get("total_steps") or 0) or None
            if self.total_steps:
                self.progress.setRange(0, self.total_steps)
            trainable, total = e.get("trainable_params"), e.get("total_params")
            share = f" ({trainable / total:.2%} of the model's weights)" if trainable and total else ""
            self.headline.setText(f"Training on {e.get('device', '?')}: {self.total_steps or '?'} steps, "
                                  f"{int(trainable or 0):,} weights trainable{share}"
                                  + (" · resumed" if e.get("resumed_from") else ""))
            prec = e.get("precision") or {}
            how = ""
            if prec.get("linear_4bit_layers"):
                how = f" · 4-bit {prec.get('quantization')}, {prec.get('compute_dtype')} compute"
            elif prec.get("compute_dtype"):
                how = f" · {prec['compute_dtype']}"
            self.device_label.setText(f"Device: {e.get('device', '?')}{how}")
        elif kind == "step":
            step, total = int(e.get("step", 0)), int(e.get("total") or self.total_steps or 0)
            if total:
                self.total_steps = total
                self.progress.setRange(0, total)
                self.progress.setValue(min(step, total))
                self.progress.setFormat(f"step {step} of {total} · %p%")
            self.chart.add_step(step, e.get("loss"))
            if e.get("loss") is not None:
                self.loss_label.setText(f"Loss: {float(e['loss']):.3f}")
            self.eta_label.setText(f"about {fmt_duration(e.get('eta_s'))} left" if e.get("eta_s") is not None else "")
            if e.get("tokens_per_s"):
                self.speed_label.setText(f"Speed: {float(e['tokens_per_s']):,.0f} tokens/s")
            mem = e.get("gpu_mem_gb")
            self.memory_label.setText(f"GPU memory: {float(mem):.1f} GB" if mem is not None else "GPU memory: – (CPU)")
        elif kind == "eval":
            if e.get("eval_loss") is not None:
                self.chart.add_eval(int(e.get("step", 0)), e["eval_loss"])
        elif kind == "checkpoint":
            self.last_checkpoint = e.get("path")
            if not getattr(self, "_replaying", False):
                self.ctx.status(f"Checkpoint saved at step {e.get('step')}")
        elif kind == "warning":
            self.warnings.append(e)
            item = QListWidgetItem(f"⚠ {e.get('message', '')}\n{e.get('what_to_do', '')}".strip())
            item.setToolTip(str(e.get("code", "")))
            self.warning_list.addItem(item)
            self.warning_list.scrollToBottom()
        elif kind in ("done", "error", "cancelled"):
            self.final_event = e
            if kind == "done":
                self.progress.setRange(0, max(int(e.get("total") or 1), 1))
                self.progress.setValue(self.progress.maximum())
                self.eta_label.setText("")
                self.headline.setText(f"Training finished after {e.get('step')} steps. The adapter is saved.")
            elif kind == "error":
                self.headline.setText(f"<span style='color:#B00020'><b>{_esc(e.get('message', ''))}</b></span> "
                                      f"{_esc(what_to_do(e))}")
            else:
                where = " A checkpoint was saved: Resume continues from it." if e.get("checkpoint") else ""
                self.headline.setText(f"Stopped at step {e.get('step')} of {e.get('total')}.{where}")

    def on_finished(self, code: int, crashed: bool) -> None:
        final = self.final_event
        if final is None:
            if self.state == "cancelling":
                self.headline.setText("Training stopped.")
            else:
                detail = self.process.lines[-1] if self.process.lines else ""
                self.headline.setText(
                    f"<span style='color:#B00020'>Training stopped unexpectedly (exit code {code}).</span> "
                    f"Details are in train.log in the run folder{': ' + _esc(detail) if detail else '.'}")
        run_dir, run_id = self.run_dir, self.run_id
        done = final is not None and final.get("event") == "done"
        self._set_state("evaluating" if done else "idle")
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.submit(ops.record, run_dir, on_done=self.show_runs, on_error=self._failed)
        if done:
            self.start_evaluation(run_id, run_dir)

    def _recorded(self) -> None:
        self.submit(ops.list_runs, on_done=self.show_runs, on_error=self._failed)

    # --- evaluation ---------------------------------------------------------------------------
    def evaluate_selected(self) -> None:
        run = self._selected_run()
        if run is not None:
            self.run_id, self.run_dir = run["id"], run["run_dir"]
            self.start_evaluation(run["id"], run["run_dir"])

    def start_evaluation(self, run_id: str, run_dir: str) -> None:
        self._set_state("evaluating")
        self.result_label.setText("Evaluating the model on the held-out pairs…")
        self.result_label.show()
        self.progress.setRange(0, 0)
        self._eval_run = (run_id, run_dir)
        self._eval_started = time.time() - 1.0  # a report older than this is an earlier evaluation's
        self.submit(eval_ops.evaluation_process, run_dir, on_done=self._start_eval_process,
                    on_error=self._eval_failed)

    def _start_eval_process(self, process: dict) -> None:
        argv = self.eval_argv(self._eval_run[1]) if self.eval_argv is not None else process["argv"]
        self.eval_process.start(argv, process["log"], process["cwd"], process["env"])

    def on_eval_event(self, e: dict) -> None:
        done, total = e.get("done", e.get("step")), e.get("total")
        if isinstance(done, (int, float)) and isinstance(total, (int, float)) and total:
            self.progress.setRange(0, int(total))
            self.progress.setValue(int(done))
            self.progress.setFormat(f"evaluating {int(done)} of {int(total)} · %p%")
        message = e.get("message")
        if e.get("event") == "error":
            self.result_label.setText(f"<span style='color:#B00020'>Evaluation failed: {_esc(message or '')}</span> "
                                      f"{_esc(e.get('what_to_do', ''))}")
        elif message:
            self.result_label.setText(f"Evaluating: {_esc(message)}")

    def on_eval_finished(self, code: int, crashed: bool) -> None:
        run_id, run_dir = self._eval_run
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat("%p%")
        self.submit(eval_ops.store_evaluation, run_id, run_dir, exit_code=code, started=self._eval_started,
                    on_done=lambda report: self._eval_stored(report, code), on_error=self._eval_failed)

    def _eval_stored(self, report: dict | None, code: int) -> None:
        if report is not None:
            self.show_evaluation(report)
            return
        self._set_state("idle")
        if "failed" not in self.result_label.text():
            self.result_label.setText(
                f"<span style='color:#B00020'>The evaluation stopped (exit code {code}).</span> "
                "Details are in eval/eval.log in the run folder; “Evaluate the selected run” tries again.")

    def _eval_failed(self, exc: BaseException) -> None:
        self._set_state("idle")
        self.result_label.setText(f"<span style='color:#B00020'>{_esc(user_message(exc))}</span>")

    def show_evaluation(self, report: dict, record: bool = True) -> None:
        if record:
            self._set_state("idle")
        self.evaluation = report

        def pct(key: str) -> str:
            v = report.get(key)
            return f"{float(v):.0%}" if isinstance(v, (int, float)) else "–"

        held, base = report.get("heldout_accuracy"), report.get("baseline_accuracy")
        verdict = ""
        if isinstance(held, (int, float)) and isinstance(base, (int, float)):
            diff = held - base
            verdict = (f" The tuned model answers <b>{diff:+.0%}</b> more held-out questions correctly than the base model."
                       if diff > 0 else " The tuned model is not better than the base model yet.")
        self.result_label.setText(
            f"<b>Evaluation:</b> held-out accuracy <b>{pct('heldout_accuracy')}</b> (base model {pct('baseline_accuracy')}, "
            f"training pairs {pct('train_accuracy')}).{verdict} "
            f"<a href='evaluate'>See every answer on the Evaluate page</a>.")
        self.result_label.show()
        if record:
            self.ctx.status("Evaluation finished")
            self._recorded()

    def _link(self, link: str) -> None:
        self.ctx.go_to(link)

    def _failed(self, exc: BaseException) -> None:
        self.ctx.show_error(user_message(exc), "Train")
