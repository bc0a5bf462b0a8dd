"""The one thread that owns the workspace (like Anki's `aqt/taskman.py`).

DuckDB allows one writer, and a `engine.workspace.store.Workspace` belongs to one thread, so every engine
call from the GUI goes through `EngineWorker.submit(fn, *args, ...)`: `fn(ws, *args, **kwargs)`
runs on a single-thread executor, and its result (or error) comes back to the GUI thread through
a queued signal. Nothing in here shows a widget except the two workspace-opening dialogs.

    ctx.worker.submit(engine.review.pairs.get_pair, 12, on_done=self.show_pair)

If `fn` accepts `progress` and/or `cancel` keyword arguments they are supplied: `progress(done,
total, message)` is marshalled to the GUI thread (only when the rounded percentage or the
message changes, at most ~20 times a second), and `cancel()` returns True once `Task.cancel()`
was called.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import re
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Signal, Slot

from engine.workspace.errors import Cancelled, PairsmithError, WorkspaceCorrupt, WorkspaceLocked, WorkspaceNotFound

log = logging.getLogger(__name__)

_ids = itertools.count(1)


class Task:
    """A submitted piece of work. `cancel()` asks it to stop (the engine function checks the
    `cancel()` callable it was given); `done` is True once its callbacks ran on the GUI thread."""

    def __init__(self, fn: Callable, args: tuple, kwargs: dict, on_done, on_error, on_progress,
                 needs_workspace: bool):
        self.id = next(_ids)
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.on_done = on_done
        self.on_error = on_error
        self.on_progress = on_progress
        self.needs_workspace = needs_workspace
        self.name = getattr(fn, "__qualname__", getattr(fn, "__name__", "task"))
        self.future: Future | None = None
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._last_progress: tuple | None = None
        self._last_progress_time = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.name}{' done' if self.done else ''}>"


def _accepts(fn: Callable, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    p = params.get(name)
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


def is_cancelled_error(exc: BaseException) -> bool:
    """The task stopped because the person cancelled it (the engine's `Cancelled`), not a failure."""
    return isinstance(exc, Cancelled)


# "(or `pairsmith set WS ...`)": command-line advice the engine adds for the CLI
_CLI_ASIDE = re.compile(r"\s*\((?:or\s+)?[^()]*`pairsmith [^`]*`[^()]*\)")


class FolderMissing(WorkspaceNotFound):
    """The workspace folder is gone (moved or deleted since it was last opened)."""


def user_message(exc: BaseException) -> str:
    """One line a person can act on; never a traceback (nor a command to type: the engine's
    command-line asides are left out, a folder that is not a workspace says what to click)."""
    if isinstance(exc, FolderMissing):
        return str(exc)
    if isinstance(exc, WorkspaceNotFound):
        return ("This folder is not a Pairsmith workspace. Open the folder that holds your workspace, "
                "or create one here with File > New workspace.")
    if isinstance(exc, PairsmithError):
        text = str(exc) or type(exc).__name__
        cleaned = _CLI_ASIDE.sub("", text).strip()
        if cleaned != text and cleaned:
            text = cleaned[0].upper() + cleaned[1:]
            if text[-1] not in ".!?":
                text += "."
        return text
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"Something went wrong ({type(exc).__name__}{': ' + text if text else ''})."


class EngineWorker(QObject):
    """Owns the open `Workspace` on one dedicated thread."""

    # public signals (GUI thread)
    sig_busy = Signal(bool)  # True when work is queued or running
    sig_error = Signal(str)  # a task failed and had no on_error: one line for the status bar
    sig_workspace_opened = Signal(str)
    sig_workspace_closed = Signal()
    sig_open_failed = Signal(str, str)  # path, message (after the dialog, if any)
    # internal, emitted from the worker thread, delivered queued on the GUI thread
    _sig_finished = Signal(object)
    _sig_progress = Signal(object, int, int, str)

    def __init__(self, parent: QObject | None = None, *, show_dialogs: bool = True):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pairsmith-engine")
        self._ws = None  # touched on the worker thread only
        self._path: str | None = None
        self._pending: set[Task] = set()
        self._thread_id: int | None = None
        self._shut_down = False
        self.show_dialogs = show_dialogs
        self.last_dialog = None  # the last QMessageBox shown (tests look at it)
        self._sig_finished.connect(self._deliver)
        self._sig_progress.connect(self._deliver_progress)
        self._executor.submit(self._remember_thread).result()

    def _remember_thread(self) -> None:
        self._thread_id = threading.get_ident()

    # --- state ------------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        """The open workspace's folder (None when none is open)."""
        return self._path

    @property
    def is_open(self) -> bool:
        return self._path is not None

    def pending(self) -> int:
        """Tasks submitted whose callbacks have not run yet."""
        return len(self._pending)

    def on_worker_thread(self) -> bool:
        return threading.get_ident() == self._thread_id

    # --- submitting work --------------------------------------------------------------------
    def submit(self, fn: Callable, *args: Any, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[int, int, str], None] | None = None,
               needs_workspace: bool = True, **kwargs: Any) -> Task:
        """Run `fn(ws, *args, **kwargs)` on the worker thread; callbacks run on the GUI thread.
        With needs_workspace=False, `ws` may be None (for example to preview a file)."""
        task = Task(fn, args, kwargs, on_done, on_error, on_progress, needs_workspace)
        if self._shut_down:  # the app is closing: nothing runs any more
            task.done = True
            task.error = PairsmithError("Pairsmith is closing.")
            return task
        if _accepts(fn, "progress") and "progress" not in kwargs:
            kwargs["progress"] = lambda done, total, message="": self._report(task, done, total, message)
        if _accepts(fn, "cancel") and "cancel" not in kwargs:
            kwargs["cancel"] = task.cancelled
        was_idle = not self._pending
        self._pending.add(task)
        task.future = self._executor.submit(self._run, task)
        if was_idle:
            self.sig_busy.emit(True)
        return task

    def _run(self, task: Task) -> None:  # worker thread
        try:
            if task.needs_workspace and self._ws is None:
                raise PairsmithError("Open or create a workspace first (File > Open workspace).")
            task.result = task.fn(self._ws, *task.args, **task.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            task.error = exc
            if not isinstance(exc, PairsmithError):
                log.error("task %s failed:\n%s", task.name, traceback.format_exc())
        self._sig_finished.emit(task)

    def _report(self, task: Task, done: int, total: int, message: str) -> None:  # worker thread
        pct = int(100 * done / total) if total else -1
        key = (pct, message)
        now = time.monotonic()
        if key == task._last_progress:
            return
        if task._last_progress and now - task._last_progress_time < 0.05 and done < total:
            return
        task._last_progress = key
        task._last_progress_time = now
        self._sig_progress.emit(task, int(done), int(total), str(message or ""))

    @Slot(object, int, int, str)
    def _deliver_progress(self, task: Task, done: int, total: int, message: str) -> None:
        if task.on_progress is not None and not task.done:
            try:
                task.on_progress(done, total, message)
            except Exception:  # a progress bar must never break the work
                log.exception("progress callback failed")

    @Slot(object)
    def _deliver(self, task: Task) -> None:
        try:
            if task.error is None:
                if task.on_done is not None:
                    task.on_done(task.result)
            elif task.on_error is not None:
                task.on_error(task.error)
            elif not is_cancelled_error(task.error):
                self.sig_error.emit(user_message(task.error))
        except Exception as exc:  # a callback failed: report it, keep the app alive
            log.exception("callback of %s failed", task.name)
            self.sig_error.emit(user_message(exc))
        finally:
            task.done = True
            self._pending.discard(task)
            if not self._pending:
                self.sig_busy.emit(False)

    # --- workspaces -------------------------------------------------------------------------
    def open(self, path: str | Path, create: bool = False, *,
             on_done: Callable[[str], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None) -> Task:
        """Open (or create) a workspace on the worker thread, closing the current one first.
        A locked workspace shows a clear dialog; a corrupt one offers its newest backup."""
        path = str(Path(path).expanduser().resolve())

        def _open(_ws, target: str, create: bool) -> str:
            from engine.workspace.store import Workspace

            if not create and not Path(target).exists():
                raise FolderMissing(f"The folder {target} does not exist (was it moved or deleted?).")
            if self._path == target:  # opening it again: one connection per file
                self._close_current()
            # open the new one before closing the current one: when it cannot be opened (held by
            # another window, not a workspace) the current workspace stays open and usable
            ws = Workspace.create(target) if create else Workspace.open(target)
            self._close_current()
            self._ws = ws
            self._path = target
            return target

        def done(target: str) -> None:
            self.sig_workspace_opened.emit(target)
            if on_done:
                on_done(target)

        def failed(exc: BaseException) -> None:
            self._open_failed(path, create, exc, on_done, on_error)

        return self.submit(_open, path, create, on_done=done, on_error=failed, needs_workspace=False)

    def close(self, on_done: Callable[[Any], None] | None = None) -> Task:
        def _close(_ws) -> None:
            self._close_current()

        def done(_):
            self.sig_workspace_closed.emit()
            if on_done:
                on_done(None)

        return self.submit(_close, on_done=done, needs_workspace=False)

    def _close_current(self) -> None:  # worker thread
        ws, self._ws, self._path = self._ws, None, None
        if ws is not None:
            ws.close()

    def _open_failed(self, path: str, create: bool, exc: BaseException, on_done, on_error) -> None:
        message = user_message(exc)
        if isinstance(exc, WorkspaceLocked):
            self._dialog(
                "Workspace already open",
                "This workspace is open in another Pairsmith window (or a pairsmith command is "
                "using it). Close it there first, then open it here.",
                detail=message,
            )
        elif isinstance(exc, WorkspaceCorrupt) and exc.backups:
            if self._offer_backup(path, exc, on_done, on_error):
                return
        else:
            self._dialog("Cannot open workspace", message)
        self.sig_open_failed.emit(path, message)
        if on_error:
            on_error(exc)

    def _dialog(self, title: str, text: str, detail: str = "") -> None:
        if not self.show_dialogs:
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          QApplication.activeWindow())
        if detail:
            box.setInformativeText(detail)
        box.setObjectName("workspace-error-dialog")
        self.last_dialog = box
        box.open()  # window-modal, does not block the event loop

    def _offer_backup(self, path: str, exc: WorkspaceCorrupt, on_done, on_error) -> bool:
        newest = Path(exc.backups[0])
        if not self.show_dialogs:
            return False
        from PySide6.QtWidgets import QApplication, QMessageBox

        stamp = time.strftime("%d %b %Y %H:%M", time.localtime(newest.stat().st_mtime)) \
            if newest.exists() else newest.name
        box = QMessageBox(
            QMessageBox.Icon.Critical, "Workspace damaged",
            f"The workspace file cannot be read. Restore the newest backup (from {stamp})?\n\n"
            "The damaged file is kept beside it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QApplication.activeWindow(),
        )
        box.setInformativeText(user_message(exc))
        box.setObjectName("workspace-corrupt-dialog")
        self.last_dialog = box

        def answered(button: int) -> None:
            if box.standardButton(box.clickedButton()) != QMessageBox.StandardButton.Yes:
                self.sig_open_failed.emit(path, user_message(exc))
                if on_error:
                    on_error(exc)
                return

            def _restore(_ws, root: str, backup: str) -> str:
                from engine.workspace.store import restore_backup

                restore_backup(root, backup)
                return root

            self.submit(_restore, path, str(newest), needs_workspace=False,
                        on_done=lambda _p: self.open(path, on_done=on_done, on_error=on_error),
                        on_error=lambda e: self._dialog("Restore failed", user_message(e)))

        box.finished.connect(answered)
        box.open()
        return True

    # --- for tests and shutdown ---------------------------------------------------------------
    def run_sync(self, fn: Callable, *args: Any, timeout: float = 60.0, **kwargs: Any) -> Any:
        """Run `fn(ws, *args)` on the worker thread and return its result (tests only; blocks)."""
        def call():
            return fn(self._ws, *args, **kwargs)

        if self.on_worker_thread():
            return call()
        return self._executor.submit(call).result(timeout=timeout)

    def wait_idle(self, timeout: float = 60.0, settle_ms: int = 50) -> bool:
        """Process events until no task is pending (callbacks may submit more). Returns False on
        timeout. For tests, the screenshot mode and shutdown."""
        app = QCoreApplication.instance()
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if self._pending:
                quiet_since = None
                time.sleep(0.005)
                continue
            quiet_since = quiet_since or time.monotonic()
            if (time.monotonic() - quiet_since) * 1000 >= settle_ms:
                return True
        return False

    def shutdown(self, timeout: float = 30.0) -> None:
        """Close the workspace (checkpointing it) and stop the thread. Idempotent."""
        if self._shut_down:
            return
        self._shut_down = True
        for task in list(self._pending):  # slow work stops early (saves do not look at the flag)
            task.cancel()
        try:
            self._executor.submit(self._close_current).result(timeout=timeout)
        except Exception:
            log.exception("closing the workspace failed")
        self._executor.shutdown(wait=True, cancel_futures=True)
