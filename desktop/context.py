"""What every page gets: the worker, the settings, app-wide signals and a few helpers.

Pages talk to each other only through this object (`ctx.open_pair(12)`, `ctx.go_to("flags")`,
`ctx.sig_pairs_changed.emit([12])`), never by importing each other. The main window connects the
navigation signals and gives the context its status bar and progress strip.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from engine.workspace.errors import Cancelled

from desktop.settings import Settings
from desktop.widgets.progress import TaskProgress
from desktop.worker import EngineWorker, Task, is_cancelled_error, user_message


class AppContext(QObject):
    sig_workspace_opened = Signal(str)  # the workspace folder
    sig_workspace_closed = Signal()
    sig_pairs_changed = Signal(list)  # pair ids that changed, or [] for "many / reload everything"
    sig_flags_changed = Signal()
    sig_dataset_changed = Signal()
    # navigation, connected by the main window
    sig_page_requested = Signal(str)
    sig_pair_requested = Signal(int)
    sig_status_requested = Signal(str, int)

    def __init__(self, settings: Settings | None = None, worker: EngineWorker | None = None,
                 parent: QObject | None = None, *, show_dialogs: bool = True):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.worker = worker or EngineWorker(self, show_dialogs=show_dialogs)
        self.show_dialogs = show_dialogs
        self.progress_widget: TaskProgress | None = None  # set by the main window
        self.last_error: str | None = None
        self.last_dialog = None
        self.worker.sig_workspace_opened.connect(self._on_opened)
        self.worker.sig_workspace_closed.connect(self.sig_workspace_closed)
        self.worker.sig_error.connect(self.show_error)

    # --- state ------------------------------------------------------------------------------
    @property
    def workspace_path(self) -> str | None:
        return self.worker.path

    def _on_opened(self, path: str) -> None:
        self.settings.add_recent_workspace(path)
        self.sig_workspace_opened.emit(path)

    def open_workspace(self, path: str, create: bool = False,
                       on_done: Callable[[str], None] | None = None) -> Task:
        return self.worker.open(path, create, on_done=on_done)

    # --- messages ---------------------------------------------------------------------------
    def status(self, message: str, timeout_ms: int = 4000) -> None:
        """A short message in the status bar."""
        self.sig_status_requested.emit(message, timeout_ms)

    def show_error(self, message: str, title: str = "Pairsmith") -> None:
        """One line in the status bar and a non-blocking message box; never a traceback."""
        self.last_error = message
        self.status(message, 8000)
        if not self.show_dialogs:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                          QApplication.activeWindow())
        box.setObjectName("error-dialog")
        self.last_dialog = box
        box.open()

    # --- navigation -------------------------------------------------------------------------
    def go_to(self, page_name: str) -> None:
        self.sig_page_requested.emit(page_name)

    def open_pair(self, pair_id: int) -> None:
        """Switch to Review with this pair selected."""
        self.sig_pair_requested.emit(int(pair_id))

    # --- work with a progress bar -----------------------------------------------------------
    def run_with_progress(self, title: str, fn: Callable, *args: Any,
                          on_done: Callable[[Any], None] | None = None,
                          on_error: Callable[[BaseException], None] | None = None,
                          on_progress: Callable[[int, int, str], None] | None = None,
                          cancellable: bool = True, **kwargs: Any) -> Task:
        """Submit `fn(ws, *args, **kwargs)` with a progress strip (and Cancel) in the status bar.
        A cancelled task ends with "<title> cancelled" in the status bar (and `on_error` gets a
        `Cancelled` error, see `is_cancelled_error`); other errors show one clear line
        (or go to `on_error` when given). `on_progress(done, total, message)` is
        called too, for a page that shows its own bar."""
        strip = self._progress_strip()
        holder: dict[str, Task] = {}

        def progress(done: int, total: int, message: str) -> None:
            strip.progress(holder["task"], done, total, message)
            if on_progress:
                on_progress(done, total, message)

        def finished(result: Any) -> None:
            strip.finish(holder["task"])
            if on_done:
                on_done(result)

        def failed(exc: BaseException) -> None:
            strip.finish(holder["task"])
            if is_cancelled_error(exc) or holder["task"].cancelled():
                self.status(f"{title} cancelled")
                if on_error:  # the page gets its buttons back (it tells it by is_cancelled_error)
                    on_error(exc if is_cancelled_error(exc) else Cancelled())
            elif on_error:
                on_error(exc)
            else:
                self.show_error(user_message(exc), title)

        task = self.worker.submit(fn, *args, on_done=finished, on_error=failed,
                                  on_progress=progress, **kwargs)
        holder["task"] = task
        strip.start(task, title, cancellable)
        return task

    def _progress_strip(self) -> TaskProgress:
        if self.progress_widget is None:  # no main window (tests): a strip that is never on screen
            self.progress_widget = TaskProgress()
            self.progress_widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        return self.progress_widget

    def parent_widget(self) -> QWidget | None:
        return QApplication.activeWindow()
