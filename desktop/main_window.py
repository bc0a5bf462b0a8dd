"""The main window: the steps down the side, one page per step, a File menu, a status bar.

Pages are listed in `PAGES` as (name, "module:Class") and imported the first time they are
shown, so a page that fails to import (or is not written yet) shows a placeholder instead of
taking the app down.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.pages.base import Page
from desktop.widgets.progress import TaskProgress

log = logging.getLogger(__name__)

# (name, "module:Class", title, one-line description for the placeholder)
PAGES: list[tuple[str, str]] = [
    ("import", "desktop.pages.importer:ImportPage"),
    ("review", "desktop.pages.review:ReviewPage"),
    ("flags", "desktop.pages.flags:FlagsPage"),
    ("dataset", "desktop.pages.dataset:DatasetPage"),
    ("train", "desktop.pages.train:TrainPage"),
    ("evaluate", "desktop.pages.evaluate:EvaluatePage"),
    ("playground", "desktop.pages.playground:PlaygroundPage"),
]
TITLES = {
    "import": "Import",
    "review": "Review",
    "flags": "Flags",
    "dataset": "Dataset",
    "train": "Train",
    "evaluate": "Evaluate",
    "playground": "Playground",
}
HINTS = {
    "import": "Bring in exported tickets (CSV, Excel, JSON).",
    "review": "Read, fix, approve or reject each pair.",
    "flags": "Duplicates, conflicting answers, tone, personal data.",
    "dataset": "Freeze a version with a held-out test set.",
    "train": "Fine-tune a model on the frozen dataset.",
    "evaluate": "Compare the model's answers with the held-out set.",
    "playground": "Ask the trained model questions.",
}

STYLE = """
QListWidget#steps { background: #1f2933; color: #e4e7eb; border: none; font-size: 14px;
                    padding-top: 8px; outline: 0; }
QListWidget#steps::item { padding: 10px 16px; border-left: 3px solid transparent; }
QListWidget#steps::item:selected { background: #323f4b; color: white;
                                   border-left: 3px solid #3ebd93; }
QListWidget#steps::item:disabled { color: #7b8794; }
QLabel#brand { background: #1f2933; color: white; font-size: 17px; font-weight: 600;
               padding: 14px 16px 4px 16px; }
QLabel#brand-sub { background: #1f2933; color: #9aa5b1; padding: 0 16px 10px 16px; }
QLabel#page-title { font-size: 18px; font-weight: 600; }
QLabel#hint { color: #616e7c; }
"""


class PlaceholderPage(Page):
    """Shown for a step whose page is not available (not written yet, or failed to load)."""

    def __init__(self, ctx: AppContext, name: str, reason: str = ""):
        self.name = name
        self.title = TITLES.get(name, name.title())
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        title = QLabel(self.title)
        title.setObjectName("page-title")
        text = QLabel(HINTS.get(name, "") + ("\n\n" + reason if reason else "\n\nThis step is not available in this build yet."))
        text.setObjectName("hint")
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addStretch(1)


class WelcomePage(QWidget):
    """Shown until a workspace is open: New, Open, and the recent workspaces."""

    def __init__(self, window: "MainWindow"):
        super().__init__()
        self.setObjectName("welcome")
        self.window_ = window
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 48)
        title = QLabel("Welcome to Pairsmith")
        title.setObjectName("page-title")
        text = QLabel(
            "A workspace is a folder that holds your imported tickets, the pairs you review, the "
            "dataset versions and the trained models. Create one for each project."
        )
        text.setWordWrap(True)
        text.setObjectName("hint")
        buttons = QHBoxLayout()
        new = QPushButton("New workspace...")
        new.clicked.connect(window.new_workspace)
        open_ = QPushButton("Open workspace...")
        open_.clicked.connect(window.open_workspace_dialog)
        buttons.addWidget(new)
        buttons.addWidget(open_)
        buttons.addStretch(1)
        self.recent = QListWidget()
        self.recent.setObjectName("recent")
        self.recent.setMaximumHeight(220)
        self.recent.itemActivated.connect(lambda item: window.open_workspace(item.data(Qt.ItemDataRole.UserRole)))
        outer.addWidget(title)
        outer.addWidget(text)
        outer.addSpacing(12)
        outer.addLayout(buttons)
        outer.addSpacing(18)
        outer.addWidget(QLabel("Recent workspaces (double-click one to open it)"))
        outer.addWidget(self.recent)
        outer.addStretch(1)

    def refresh(self, recent: list[str]) -> None:
        self.recent.clear()
        for path in recent:
            item = QListWidgetItem(f"{Path(path).name}    {path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Pairsmith")
        self.setAcceptDrops(True)
        self.setStyleSheet(STYLE)
        self.pages: dict[str, QWidget] = {}
        self._current: str | None = None
        self._pending_pair: int | None = None

        # side bar
        side = QWidget()
        side.setObjectName("side")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        brand = QLabel("Pairsmith")
        brand.setObjectName("brand")
        self.workspace_label = QLabel("No workspace")
        self.workspace_label.setObjectName("brand-sub")
        self.steps = QListWidget()
        self.steps.setObjectName("steps")
        self.steps.setFixedWidth(190)
        self.steps.setFrameShape(QFrame.Shape.NoFrame)
        for i, (name, _) in enumerate(PAGES):
            item = QListWidgetItem(f"{i + 1}  {TITLES.get(name, name.title())}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(HINTS.get(name, ""))
            item.setSizeHint(QSize(180, 40))
            self.steps.addItem(item)
        self.steps.currentRowChanged.connect(self._step_selected)
        # a step picked with the mouse or Enter hands the keyboard to its page; arrow keys keep
        # walking the steps
        self.steps.clicked.connect(lambda _index: self._focus_page())
        self.steps.activated.connect(lambda _index: self._focus_page())
        side_layout.addWidget(brand)
        side_layout.addWidget(self.workspace_label)
        side_layout.addWidget(self.steps, 1)
        side.setFixedWidth(190)

        self.stack = QStackedWidget()
        self.welcome = WelcomePage(self)
        self.stack.addWidget(self.welcome)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # status bar: messages on the left, progress and counts on the right
        self.progress = TaskProgress()
        ctx.progress_widget = self.progress
        self.counts_label = QLabel("")
        self.counts_label.setObjectName("counts")
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.counts_label)

        self._build_menus()

        ctx.sig_page_requested.connect(self.go_to)
        ctx.sig_pair_requested.connect(self._open_pair)
        ctx.sig_status_requested.connect(lambda m, t: self.statusBar().showMessage(m, t))
        ctx.sig_workspace_opened.connect(self._workspace_opened)
        ctx.sig_workspace_closed.connect(self._workspace_closed)
        ctx.worker.sig_open_failed.connect(self._open_failed)
        for signal in (ctx.sig_pairs_changed, ctx.sig_flags_changed, ctx.sig_dataset_changed):
            signal.connect(self._schedule_counts)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(300)
        self._counts_timer.timeout.connect(self.refresh_counts)

        self._restore_geometry()
        self._set_workspace_enabled(False)
        self.welcome.refresh(ctx.settings.recent_workspaces())

    # --- menus ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.action_new = QAction("&New workspace...", self, shortcut=QKeySequence.StandardKey.New,
                                  triggered=self.new_workspace)
        self.action_open = QAction("&Open workspace...", self, shortcut=QKeySequence.StandardKey.Open,
                                   triggered=self.open_workspace_dialog)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.action_import = QAction("&Import tickets...", self, shortcut=QKeySequence("Ctrl+I"),
                                     triggered=self._import_files_dialog)
        self.action_close = QAction("&Close workspace", self, triggered=self.close_workspace)
        self.action_workspace_settings = QAction("Workspace &settings…", self, shortcut=QKeySequence("Ctrl+,"),
                                                 triggered=self.open_workspace_settings)
        self.action_quit = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        file_menu.insertAction(self.recent_menu.menuAction(), self.action_new)
        file_menu.insertAction(self.recent_menu.menuAction(), self.action_open)
        file_menu.addSeparator()
        file_menu.addAction(self.action_import)
        file_menu.addAction(self.action_workspace_settings)
        file_menu.addAction(self.action_close)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        go_menu = self.menuBar().addMenu("&Go")
        for i, (name, _) in enumerate(PAGES):
            go_menu.addAction(QAction(TITLES.get(name, name), self, shortcut=QKeySequence(f"Ctrl+{i + 1}"),
                                      triggered=lambda _=False, n=name: self.go_to(n)))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.ctx.settings.recent_workspaces()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in recent:
            self.recent_menu.addAction(path, lambda p=path: self.open_workspace(p))

    # --- workspaces -------------------------------------------------------------------------
    def new_workspace(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose or create an empty folder for the new workspace")
        if path:
            self.open_workspace(path, create=True)

    def open_workspace_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a Pairsmith workspace folder")
        if path:
            self.open_workspace(path)

    def open_workspace(self, path: str, create: bool = False) -> None:
        if self._refuse_while_busy():
            return
        self._flush_pages()
        self.statusBar().showMessage(f"Opening {path}...")
        self.ctx.open_workspace(path, create)

    def close_workspace(self) -> None:
        if self._refuse_while_busy():
            return
        self._flush_pages()
        self.ctx.worker.close()

    def _refuse_while_busy(self) -> bool:
        """True (and one clear message) when a page runs work of the open workspace, such as a
        training run, that would otherwise report into the next workspace."""
        reason = self._busy_reason()
        if reason:
            self.ctx.show_error(f"{reason} Cancel it on the Train page (or wait for it to finish), then "
                                "open or close the workspace.", "Workspace in use")
        return reason is not None

    def _busy_reason(self) -> str | None:
        if not self.ctx.workspace_path:
            return None
        for page in self.pages.values():
            reason = page.busy_reason() if isinstance(page, Page) else None
            if reason:
                return reason
        return None

    def _confirm_quit(self, reason: str) -> bool:
        """Asked when the window closes while training (or its evaluation) runs."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Question, "Quit Pairsmith?",
                          f"{reason} Quit anyway?", QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText("A training run saves a checkpoint and stops; Resume on the Train page "
                               "continues it next time.")
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setObjectName("quit-dialog")
        self.quit_dialog = box
        box.exec()
        return box.clickedButton() is quit_button

    def _flush_pages(self) -> None:
        """Queue the pages' pending writes (an edit still in Review's autosave pause) before the
        worker closes the workspace, so they land in the workspace they were made in."""
        for page in self.pages.values():
            if isinstance(page, Page):
                try:
                    page.flush()
                except Exception:
                    log.exception("page %s failed to flush", getattr(page, "name", page))

    def open_workspace_settings(self) -> None:
        """File > Workspace settings (offline, trusted models, flag settings); window-modal."""
        if not self.ctx.workspace_path:
            return
        from desktop.dialogs.workspace_settings import WorkspaceSettingsDialog

        self.workspace_settings_dialog = WorkspaceSettingsDialog(self.ctx, self)
        self.workspace_settings_dialog.open()

    def _workspace_opened(self, path: str) -> None:
        # elided to the side bar's width (the full path is in the tooltip and the window title)
        room = 190 - 2 * 16 - 4  # the side bar's fixed width less the label's padding (shown or not yet)
        self.workspace_label.setText(self.workspace_label.fontMetrics().elidedText(
            Path(path).name, Qt.TextElideMode.ElideRight, room))
        self.workspace_label.setToolTip(path)
        self.setWindowTitle(f"{Path(path).name} - Pairsmith")
        self._set_workspace_enabled(True)
        self.statusBar().showMessage(f"Opened {path}", 4000)
        self.refresh_counts()
        target = self._current or self.ctx.settings.get("window/last_page")
        self.go_to(target if target in TITLES else "import")

    def _open_failed(self, path: str, message: str) -> None:
        """Replace "Opening ..." with the reason; a recent workspace whose folder is gone leaves
        the recent list."""
        self.statusBar().showMessage(f"Not opened: {message}", 10000)
        if not Path(path).exists():
            self.ctx.settings.remove_recent_workspace(path)
            self.welcome.refresh(self.ctx.settings.recent_workspaces())

    def _workspace_closed(self) -> None:
        self.workspace_label.setText("No workspace")
        self.setWindowTitle("Pairsmith")
        self.counts_label.setText("")
        self._set_workspace_enabled(False)
        self.welcome.refresh(self.ctx.settings.recent_workspaces())

    def _set_workspace_enabled(self, enabled: bool) -> None:
        self.steps.setEnabled(enabled)
        self.action_import.setEnabled(enabled)
        self.action_close.setEnabled(enabled)
        self.action_workspace_settings.setEnabled(enabled)
        if not enabled:
            self.stack.setCurrentWidget(self.welcome)
            self.steps.blockSignals(True)
            self.steps.clearSelection()
            self.steps.setCurrentRow(-1)
            self.steps.blockSignals(False)

    # --- pages ------------------------------------------------------------------------------
    def page(self, name: str) -> QWidget:
        """The page called `name`, built on first use."""
        if name not in self.pages:
            spec = dict(PAGES).get(name)
            if spec is None:
                raise KeyError(f"no page called {name!r}")
            widget = self._load_page(name, spec)
            self.pages[name] = widget
            self.stack.addWidget(widget)
        return self.pages[name]

    def _load_page(self, name: str, spec: str) -> QWidget:
        module_name, class_name = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return PlaceholderPage(self.ctx, name)
            log.exception("page %s failed to import", name)
            return PlaceholderPage(self.ctx, name, f"This page could not be loaded ({exc}).")
        except Exception as exc:  # a broken page must not take the app down
            log.exception("page %s failed to import", name)
            return PlaceholderPage(self.ctx, name, f"This page could not be loaded ({type(exc).__name__}: {exc}).")
        try:
            return getattr(module, class_name)(self.ctx)
        except Exception as exc:
            log.exception("page %s failed to build", name)
            return PlaceholderPage(self.ctx, name, f"This page could not be loaded ({type(exc).__name__}: {exc}).")

    def go_to(self, name: str) -> None:
        if name not in TITLES:
            raise KeyError(f"no page called {name!r}")
        if not self.ctx.workspace_path:
            return
        row = [n for n, _ in PAGES].index(name)
        if self.steps.currentRow() != row:
            self.steps.setCurrentRow(row)  # -> _step_selected
        else:
            self._show_page(name)
        self._focus_page()

    def _focus_page(self) -> None:
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.focus_default()

    def _step_selected(self, row: int) -> None:
        if row < 0:
            return
        self._show_page(PAGES[row][0])

    def _show_page(self, name: str) -> None:
        if self._current and self._current != name and self._current in self.pages:
            old = self.pages[self._current]
            if isinstance(old, Page):
                old.deactivate()
        page = self.page(name)
        self._current = name
        self.stack.setCurrentWidget(page)
        self.ctx.settings.set("window/last_page", name)
        if isinstance(page, Page):
            page.activate()
        if name == "review" and self._pending_pair is not None:
            pair, self._pending_pair = self._pending_pair, None
            if hasattr(page, "select_pair"):
                page.select_pair(pair)

    def current_page_name(self) -> str | None:
        return self._current if self.stack.currentWidget() is not self.welcome else None

    def _open_pair(self, pair_id: int) -> None:
        self._pending_pair = pair_id
        self.go_to("review")

    # --- counts -----------------------------------------------------------------------------
    def _schedule_counts(self, *args) -> None:
        self._counts_timer.start()

    def refresh_counts(self) -> None:
        if not self.ctx.workspace_path:
            return
        self.ctx.worker.submit(lambda ws: ws.counts(), on_done=self._show_counts,
                               on_error=lambda exc: None)

    def _show_counts(self, c: dict) -> None:
        self.counts_label.setText(
            f"{c['tickets']:,} tickets  ·  {c['pairs']:,} pairs  ·  {c['approved']:,} approved  ·  "
            f"{c['rejected']:,} rejected  ·  {c['open_flags']:,} open flags"
        )

    # --- files dropped on the window -> import wizard ---------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> None:
        if not self.ctx.workspace_path:
            self.ctx.status("Open or create a workspace first, then drop the files again.")
            return
        self.go_to("import")
        page = self.page("import")
        if hasattr(page, "add_files"):
            page.add_files(paths)

    def _import_files_dialog(self) -> None:
        self.go_to("import")
        page = self.page("import")
        if hasattr(page, "choose_files"):
            page.choose_files()

    # --- geometry ---------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.get("window/geometry")
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1280, 800)

    def closeEvent(self, event) -> None:
        reason = self._busy_reason()
        if reason and self.ctx.show_dialogs and not self._confirm_quit(reason):
            event.ignore()
            return
        if reason:
            self.statusBar().showMessage("Saving a checkpoint and stopping the training…")
            self.statusBar().repaint()
        for page in self.pages.values():
            if isinstance(page, Page):
                page.deactivate()  # flush pending edits
        for page in self.pages.values():
            shutdown = getattr(page, "shutdown", None)
            if callable(shutdown):
                try:
                    shutdown()  # stop the page's own threads before Qt deletes them
                except Exception:
                    log.exception("page %s failed to shut down", getattr(page, "name", page))
        self.ctx.settings.set("window/geometry", bytes(self.saveGeometry().data()))
        self.ctx.settings.sync()
        super().closeEvent(event)
