"""Every per-user desktop preference and its default, in one table (like Spyder's DEFAULTS).
Settings that belong to a workspace (flag thresholds, offline, models) are in the engine's
catalogue, engine/workspace/settings.py, and are changed in File > Workspace settings.

Values live in QSettings (organisation "Pairsmith", per user). Tests and screenshots point
`Settings(path=...)` (or the PAIRSMITH_SETTINGS environment variable) at a temporary INI file
so they never touch the user's real settings.

Lists and dicts are stored as JSON text so every platform's QSettings backend reads them back
the same; scalars are converted back to the type of their default.
"""

from __future__ import annotations

import json
import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "Pairsmith"
APPLICATION = "Pairsmith desktop"
MAX_RECENT = 8

DEFAULTS: dict[str, Any] = {
    # window
    "window/geometry": b"",
    "window/state": b"",
    "window/last_page": "import",
    "window/review_splitter": b"",
    # workspaces
    "workspaces/recent": [],
    "workspaces/last": "",
    "workspaces/reopen_last": True,
    # review
    "review/autosave_ms": 600,
    "review/flag_refresh_idle_ms": 4000,  # re-check edited pairs' flags after this long idle
    "review/page_size": 200,
    "review/search_debounce_ms": 250,
    # import
    "import/last_dir": "",
    # keyboard shortcuts (QKeySequence text); the review page reads these
    "shortcuts/approve": "A",
    "shortcuts/approve_in_editor": "Ctrl+Return",
    "shortcuts/reject": "R",
    "shortcuts/reject_in_editor": "Ctrl+Alt+R",
    "shortcuts/skip": "S",
    "shortcuts/next": "J",
    "shortcuts/previous": "K",
    "shortcuts/next_in_editor": "Alt+Down",
    "shortcuts/previous_in_editor": "Alt+Up",
    "shortcuts/next_flagged": "F",
    "shortcuts/undo": "Ctrl+Z",
    "shortcuts/redo": "Ctrl+Shift+Z",
    "shortcuts/redact": "Ctrl+Shift+R",
    "shortcuts/search": "Ctrl+F",
}


class Settings:
    """get/set over QSettings with the defaults above. Unknown keys raise KeyError (a typo
    should fail in a test, not silently read None)."""

    def __init__(self, path: str | os.PathLike | None = None):
        path = path or os.environ.get("PAIRSMITH_SETTINGS")
        if path:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(ORGANISATION, APPLICATION)

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]
        raw = self.qsettings.value(key, None)
        if raw is None:
            return _copy(default)
        try:
            return _convert(raw, default)
        except (TypeError, ValueError):
            return _copy(default)

    def set(self, key: str, value: Any) -> None:
        default = DEFAULTS[key]
        if isinstance(default, (list, dict)):
            self.qsettings.setValue(key, json.dumps(value))
        elif isinstance(default, bytes):
            self.qsettings.setValue(key, QByteArray(bytes(value)))
        else:
            self.qsettings.setValue(key, value)

    def reset(self, key: str) -> None:
        self.qsettings.remove(key)

    def sync(self) -> None:
        self.qsettings.sync()

    # --- recent workspaces -------------------------------------------------------------------
    def recent_workspaces(self) -> list[str]:
        return [p for p in self.get("workspaces/recent") if isinstance(p, str)]

    def add_recent_workspace(self, path: str) -> None:
        path = str(path)
        recent = [p for p in self.recent_workspaces() if p != path]
        self.set("workspaces/recent", ([path] + recent)[:MAX_RECENT])
        self.set("workspaces/last", path)

    def remove_recent_workspace(self, path: str) -> None:
        self.set("workspaces/recent", [p for p in self.recent_workspaces() if p != str(path)])


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value)) if isinstance(value, (list, dict)) else value


def _convert(raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, (list, dict)):
        value = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(value, type(default)):
            raise TypeError("wrong type")
        return value
    if isinstance(default, bytes):
        if isinstance(raw, QByteArray):
            return bytes(raw.data())
        return bytes(raw) if not isinstance(raw, str) else raw.encode("latin-1")
    return str(raw)
