"""The two callbacks every long engine function takes: `progress(done, total, label)` and
`cancel() -> bool`. A function checks `cancel` at a safe point and stops by raising
`Cancelled` (`raise_if_cancelled`), never by returning partial results."""

from __future__ import annotations

from typing import Callable, Optional

from engine.workspace.errors import Cancelled

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


def raise_if_cancelled(cancel: Optional[CancelFn]) -> None:
    """Raise `Cancelled` when the caller asked to stop."""
    if cancel is not None and cancel():
        raise Cancelled()
