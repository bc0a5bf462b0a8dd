"""A compact progress strip for the status bar: label, bar, Cancel.

`AppContext.run_with_progress` drives it. One task shows at a time (the worker runs one task at
a time); while several are queued the label says how many are waiting.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


LABEL_WIDTH = 300


class TaskProgress(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("task-progress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel()
        self.label.setMaximumWidth(LABEL_WIDTH)  # long messages are elided (full text in the tooltip)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setFlat(True)
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._tasks: list = []  # [(task, title, cancellable)]
        self.hide()

    def start(self, task, title: str, cancellable: bool = True) -> None:
        self._tasks.append((task, title, cancellable))
        self._show_current()

    def progress(self, task, done: int, total: int, message: str) -> None:
        if not self._tasks or self._tasks[0][0] is not task:
            return
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)  # busy indicator
        title = self._tasks[0][1]
        self._set_label(f"{title}: {message}" if message else title)

    def finish(self, task) -> None:
        self._tasks = [t for t in self._tasks if t[0] is not task]
        self._show_current()

    def _show_current(self) -> None:
        if not self._tasks:
            self.hide()
            return
        task, title, cancellable = self._tasks[0]
        waiting = len(self._tasks) - 1
        self._set_label(title + (f" ({waiting} more waiting)" if waiting else ""))
        self.bar.setRange(0, 0)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(not task.cancelled())
        self.show()

    def _cancel(self) -> None:
        if self._tasks:
            self._tasks[0][0].cancel()
            self.cancel_button.setEnabled(False)
            self._set_label(self._tasks[0][1] + ": cancelling...")

    def _set_label(self, text: str) -> None:
        """The text, elided to the label's width so the status bar never widens the window."""
        self.label.setToolTip(text)
        self.label.setText(self.label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, LABEL_WIDTH))

    def current_task(self):
        return self._tasks[0][0] if self._tasks else None
