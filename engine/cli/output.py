"""What every command shares: the progress bar on stderr, printing results, opening the workspace."""

from __future__ import annotations

import json
import sys
import time
from typing import Any


class ProgressBar:
    """Progress on stderr as a `progress(done, total, message)` callback: a redrawn bar on a
    terminal (at most ~10 redraws a second), and plain lines elsewhere (a log, CI): one when the
    message changes or every 10 s, so logs stay readable."""

    def __init__(self, label: str = "", stream=None, enabled: bool | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else True
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._last_message = None
        self._drawn = False
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty:
            if message != self._last_message or now - self._last >= 10:
                self._last, self._last_message = now, message
                self.stream.write(f"{self.label + ' ' if self.label else ''}{message} ({done}/{total})\n")
                self.stream.flush()
            return
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        width = 30
        frac = (done / total) if total else 0.0
        bar = "#" * int(frac * width)
        eta = ""
        if 0 < done < total:
            elapsed = now - self.started
            eta = f" eta {elapsed / done * (total - done):.0f}s"
        text = f"{self.label} [{bar:<{width}}] {done}/{total}{eta} {message}"[:100]
        self.stream.write("\r" + text.ljust(100))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def emit(obj: Any, as_json: bool, text: str | None = None) -> None:
    """Print a result: JSON when asked, else the given text (or JSON if none)."""
    if as_json or text is None:
        print(json.dumps(obj, ensure_ascii=False, indent=None if as_json else 2, default=str))
    else:
        print(text)


def open_ws(path: str):
    from engine.workspace.store import Workspace  # DuckDB: only for commands that open a workspace

    return Workspace.open(path)
