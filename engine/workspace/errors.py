"""Errors the user can act on. The CLI prints their message on one line and exits with `exit_code`."""

from __future__ import annotations


class PairsmithError(Exception):
    """An error with a message meant for a person, not a traceback."""

    exit_code = 1


class BadInput(PairsmithError):
    """The user's file or argument cannot be used (exit code 2)."""

    exit_code = 2


class WorkspaceError(PairsmithError):
    exit_code = 2


class WorkspaceNotFound(WorkspaceError):
    pass


class WorkspaceLocked(WorkspaceError):
    """Another process has the workspace open (DuckDB allows one writer process)."""

    exit_code = 3


class WorkspaceCorrupt(WorkspaceError):
    """The DuckDB file cannot be read. `backups` lists the newest backups first."""

    def __init__(self, message: str, backups: list | None = None):
        super().__init__(message)
        self.backups = backups or []


class NotFound(PairsmithError):
    exit_code = 2


class Cancelled(PairsmithError):
    """The person pressed Cancel (or the caller's `cancel()` turned true). Nothing half-done is
    kept. Every long engine function stops this one way; the desktop worker tells it from a
    failure by its type and shows "<task> cancelled" instead of an error."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
