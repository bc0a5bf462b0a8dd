"""A guard against a reference-counting bug in PySide6 6.12 on Python < 3.12.

Measured here (PySide6 6.12.0, Python 3.11.7): every `Signal.emit()` drops one reference to
`True`, and some void methods (for example `QTimer.setInterval`) drop one to `None`, without
taking them. Python 3.12+ makes these singletons immortal, so the bug is harmless there; on 3.11
the count reaches zero after a few hundred emits and the interpreter aborts with "Fatal Python
error: bool_dealloc" / "none_dealloc".

The guard gives None, True and False a reference count so large that those leaks can never
bring it to zero (what 3.12 does by design). It touches nothing else. The better fix is a
PySide6 without the bug (6.11.x measured fine) or Python 3.12+.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40
_applied = False


def needs_guard() -> bool:
    if sys.version_info >= (3, 12):
        return False
    try:
        from importlib.metadata import version

        major, minor = (int(x) for x in version("shiboken6").split(".")[:2])
    except Exception:
        return True
    return (major, minor) >= (6, 12)


def apply() -> bool:
    """Make None/True/False effectively immortal when this PySide6 needs it. Idempotent."""
    global _applied
    if _applied or not needs_guard():
        return _applied
    if hasattr(sys, "gettotalrefcount"):  # a debug build lays objects out differently
        return False
    for obj in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))
        before = sys.getrefcount(obj)
        refcnt.value += _BOOST
        if sys.getrefcount(obj) - before != _BOOST:  # not the layout we expected: undo
            refcnt.value -= _BOOST
            return False
    _applied = True
    return True
