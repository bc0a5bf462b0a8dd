"""Limits on what an import accepts, each with a message a person can act on.

    check_file_size(path)            # BadInput over max_file_bytes() (default 2 GB)
    check_columns(name, columns)     # BadInput over MAX_COLUMNS (500)
    field_too_long(value) -> bool    # a cell over MAX_FIELD_CHARS is a bad row, reported with its line

The file-size limit can be changed with the environment variable PAIRSMITH_MAX_FILE_BYTES (a
number of bytes, or with a K/M/G suffix): a question/answer file's rows are all held in memory
before they are written (a helpdesk export is streamed, but the database holds the import's one
transaction until it commits), so the limit protects a laptop from a runaway export, not the database.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

from engine.workspace.errors import BadInput

DEFAULT_MAX_FILE_BYTES = 2 * 1024**3
MAX_COLUMNS = 500
MAX_FIELD_CHARS = 100_000
ENV_MAX_FILE = "PAIRSMITH_MAX_FILE_BYTES"
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"  # pragma: no cover


def max_file_bytes() -> int:
    raw = os.environ.get(ENV_MAX_FILE, "").strip()
    if not raw:
        return DEFAULT_MAX_FILE_BYTES
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)I?B?", raw.upper())
    if not m:
        raise BadInput(f"{ENV_MAX_FILE}={raw!r} is not a size; use a number of bytes such as 4G or 500M")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def check_file_size(path: str | os.PathLike) -> int:
    """The file's size; BadInput when it is over the limit."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return 0  # the reader reports a missing or unreadable file
    limit = max_file_bytes()
    if size > limit:
        raise BadInput(
            f"{path.name} is {human_bytes(size)}; the import limit is {human_bytes(limit)}. "
            f"Split the export into smaller files (or raise the limit with {ENV_MAX_FILE})."
        )
    return size


def check_columns(name: str, columns: Sequence[str]) -> None:
    if len(columns) > MAX_COLUMNS:
        raise BadInput(
            f"{name} has {len(columns):,} columns; the limit is {MAX_COLUMNS}. "
            "Is the delimiter right? Otherwise export only the ticket columns."
        )


def field_too_long(value: str) -> bool:
    return len(value) > MAX_FIELD_CHARS
