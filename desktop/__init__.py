"""Pairsmith's desktop app (PySide6). Qt only: every piece of logic lives in `engine/`.

Layout: `worker.py` (the one thread that owns the workspace), `context.py` (what every page
gets), `settings.py` (every setting and its default), `main_window.py` (steps + pages),
`pages/` (one file per step), `models/` (Qt item models), `widgets/` (small reusable widgets).
"""

from desktop import _qt_compat

_qt_compat.apply()  # before any Qt signal is emitted; see _qt_compat for why
