"""The base of every page in the side bar.

A page is built lazily the first time it is shown (`desktop.main_window.PAGES`). It gets the
`AppContext`; it calls the engine only through `ctx.worker.submit(...)` and tells other pages
about changes through `ctx.sig_pairs_changed` / `flags_changed` / `dataset_changed`.

`activate()` runs each time the page is shown; the default calls `refresh()` when the data may
have changed since (a workspace was opened, or a change signal arrived while hidden).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.context import AppContext
from desktop.worker import Task


class Page(QWidget):
    name = "page"
    title = "Page"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"page-{self.name}")
        self._stale = True
        ctx.sig_workspace_opened.connect(self._workspace_opened)
        ctx.sig_workspace_closed.connect(self.forget_workspace)
        ctx.sig_pairs_changed.connect(self.mark_stale)
        ctx.sig_flags_changed.connect(self.mark_stale)
        ctx.sig_dataset_changed.connect(self.mark_stale)

    def mark_stale(self, *args: Any) -> None:
        """The workspace data changed: refresh now if shown, else on the next activate().
        Override to be smarter (the Review page reloads only the pairs that changed)."""
        self._stale = True
        if self.isVisible():
            self._stale = False
            self.refresh()

    def _workspace_opened(self, _path: str) -> None:
        """Another workspace is open now: drop what belonged to the old one, then reload."""
        self.forget_workspace()
        self._stale = True
        if self.isVisible():
            self._stale = False
            self.refresh()

    def forget_workspace(self) -> None:
        """The workspace closed (or another one opened): drop state that belongs to it (an open
        pair, an undo stack, loaded models). Called before refresh()."""

    def busy_reason(self) -> str | None:
        """A sentence ("Training is running in this workspace.") when the page runs work of this
        workspace that must end before it is closed or replaced; None when it may close."""
        return None

    def activate(self) -> None:
        """Called when the page is shown."""
        if self._stale:
            self._stale = False
            self.refresh()

    def deactivate(self) -> None:
        """Called when another page is shown (flush pending edits here)."""

    def focus_default(self) -> None:
        """Give the keyboard to the page (it was picked in the side bar or with Ctrl+N): the
        first control that takes Tab focus. Pages with a better first stop override this."""
        widget = self.nextInFocusChain()
        while widget is not None and widget is not self:
            if (self.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            widget = widget.nextInFocusChain()

    def flush(self) -> None:
        """The workspace is about to close or be replaced: queue any pending write now (it runs
        on the worker before the switch). The default is deactivate()."""
        self.deactivate()

    def refresh(self) -> None:
        """Reload what the page shows from the workspace (through the worker)."""

    def shutdown(self) -> None:
        """The window is closing: stop any thread or process the page started (the main
        window calls this for every page it built, after deactivate())."""

    # helpers
    def submit(self, fn: Callable, *args: Any, **kwargs: Any) -> Task:
        return self.ctx.worker.submit(fn, *args, **kwargs)

    @property
    def has_workspace(self) -> bool:
        return self.ctx.workspace_path is not None


def note_label(text: str = "") -> QLabel:
    """A grey, wrapping line of explanation under a chart or a control."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def scrolling_body(page: QWidget, *, spacing: int = 12) -> QVBoxLayout:
    """Give a page a frameless scroll area and return the layout to fill (pages taller than a
    small window still fit)."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    outer.addWidget(scroll)
    content = QWidget()
    scroll.setWidget(content)
    root = QVBoxLayout(content)
    root.setContentsMargins(16, 12, 16, 12)
    root.setSpacing(spacing)
    return root
