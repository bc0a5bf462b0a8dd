"""The review table's model: a lazy row cache over the workspace (after Anki's browser model).

`set_filter()` asks the worker for the ordered ids of the matching pairs
(`engine.review.pairs.filter_pair_ids`, one query); the row count is their number. `data()`
never touches the database: a row not in the cache shows "..." and asks the worker for its
whole page (`PAGE_SIZE` rows, `engine.review.pairs.pair_rows`, fetched by id range); when the
page arrives, `dataChanged` repaints it. Only the pages the view actually paints are fetched,
and at most `MAX_PAGES` are kept.

Edits do not move rows: a pair approved while the filter shows "New" stays in the table (with
its new status) until the filter is run again, as in Anki. `refresh_pairs(ids)` re-fetches the
pages that hold those pairs.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.worker import EngineWorker, user_message
from engine.review.pairs import PairFilter, filter_pair_ids, pair_rows

PAGE_SIZE = 200
MAX_PAGES = 60

COLUMNS = [
    ("id", "Ticket"),
    ("instruction", "Question"),
    ("response", "Answer"),
    ("status", "Status"),
    ("flags", "Flags"),
]
STATUS_LABELS = {"new": "New", "approved": "Approved", "rejected": "Rejected"}
STATUS_COLORS = {"new": "#52606d", "approved": "#147d64", "rejected": "#ab091e"}
from engine.flags.base import KIND_LABELS  # noqa: E402  (one list of names, the engine's)
PAIR_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
LOADING = "..."


def _one_line(text: str | None, limit: int = 160) -> str:
    if not text:
        return ""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class PairsTableModel(QAbstractTableModel):
    sig_loaded = Signal(int)  # the filter ran: number of matching pairs
    sig_page_loaded = Signal(int)  # a page of rows arrived (its number)
    sig_error = Signal(str)

    def __init__(self, worker: EngineWorker, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.worker = worker
        self.page_size = page_size
        self.filter = PairFilter()
        self.ids = np.zeros(0, dtype=np.int64)
        self._pages: OrderedDict[int, dict[int, dict]] = OrderedDict()  # page -> {pair id: row}
        self._requested: set[int] = set()
        self._generation = 0  # bumps on every reset: late answers for an older filter are dropped
        self.loading = False
        self.fetch_count = 0  # pages fetched (tests and the bench look at it)

    # --- filter -----------------------------------------------------------------------------
    def set_filter(self, f: PairFilter | None = None, on_done=None) -> None:
        """Run the filter on the worker, then reset the table to its result."""
        if f is not None:
            self.filter = f
        self._generation += 1
        generation = self._generation
        self.loading = True

        def done(ids: np.ndarray) -> None:
            if generation != self._generation:
                return
            self.beginResetModel()
            self.ids = ids
            self._pages.clear()
            self._requested.clear()
            self.loading = False
            self.endResetModel()
            self.sig_loaded.emit(len(ids))
            if on_done:
                on_done(len(ids))

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.loading = False
                self.sig_error.emit(user_message(exc))

        self.worker.submit(filter_pair_ids, self.filter, on_done=done, on_error=failed)

    def reload(self, on_done=None) -> None:
        """Run the current filter again (rows may come and go)."""
        self.set_filter(None, on_done)

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.ids = np.zeros(0, dtype=np.int64)
        self._pages.clear()
        self._requested.clear()
        self.endResetModel()

    # --- rows -------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def pair_id(self, row: int) -> int | None:
        return int(self.ids[row]) if 0 <= row < len(self.ids) else None

    def row_of(self, pair_id: int) -> int:
        """The row showing this pair, or -1."""
        i = int(np.searchsorted(self.ids, pair_id))
        return i if i < len(self.ids) and int(self.ids[i]) == pair_id else -1

    def cached_row(self, row: int) -> dict | None:
        page = self._pages.get(row // self.page_size)
        if page is None:
            return None
        return page.get(int(self.ids[row]))

    def is_cached(self, row: int) -> bool:
        return (row // self.page_size) in self._pages

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row_no = index.row()
        if row_no >= len(self.ids):
            return None
        if role == PAIR_ID_ROLE:
            return int(self.ids[row_no])
        row = self.cached_row(row_no)
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._request_page(row_no // self.page_size)
                return LOADING if index.column() else f"#{int(self.ids[row_no])}"
            return None
        if role == ROW_ROLE:
            return row
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "id":
                return row["external_id"] or f"#{row['id']}"
            if key in ("instruction", "response"):
                return _one_line(row[key])
            if key == "status":
                return STATUS_LABELS.get(row["status"], row["status"])
            if key == "flags":
                return f"⚑ {row['flags']}" if row["flags"] else ""
        elif role == Qt.ItemDataRole.ToolTipRole:
            if key in ("instruction", "response"):
                text = str(row[key] or "")
                return text if len(text) < 1500 else text[:1500] + "…"
            if key == "flags" and row["flags"]:
                kinds = row.get("kinds") or []
                return ", ".join(KIND_LABELS.get(k, k) for k in kinds)
            if key == "id":
                return f"Pair #{row['id']}"
        elif role == Qt.ItemDataRole.ForegroundRole:
            if key == "status":
                return QBrush(QColor(STATUS_COLORS.get(row["status"], "#52606d")))
            if key == "flags" and row["flags"]:
                return QBrush(QColor("#b44d12"))
            if row["status"] == "rejected":
                return QBrush(QColor("#9aa5b1"))
        elif role == Qt.ItemDataRole.FontRole:
            if key == "status" and row["status"] != "new":
                font = QFont()
                font.setBold(True)
                return font
        return None

    # --- fetching ---------------------------------------------------------------------------
    def _request_page(self, page: int, force: bool = False) -> None:
        if page in self._requested or (page in self._pages and not force):
            return
        self._requested.add(page)
        start = page * self.page_size
        ids = self.ids[start:start + self.page_size].tolist()
        generation = self._generation

        def done(rows: dict[int, dict]) -> None:
            self._requested.discard(page)
            if generation != self._generation:
                return
            self.fetch_count += 1
            self._pages[page] = rows
            self._pages.move_to_end(page)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
            last = min(start + self.page_size, len(self.ids)) - 1
            if last >= start:
                self.dataChanged.emit(self.index(start, 0), self.index(last, len(COLUMNS) - 1))
            self.sig_page_loaded.emit(page)

        def failed(exc: BaseException) -> None:
            self._requested.discard(page)
            if generation == self._generation:  # not for a list that was since replaced
                self.sig_error.emit(user_message(exc))

        self.worker.submit(pair_rows, ids, on_done=done, on_error=failed)

    def fetch_row(self, row: int) -> None:
        """Ask for the page holding this row (no-op when cached or already asked for)."""
        if 0 <= row < len(self.ids):
            self._request_page(row // self.page_size)

    def refresh_pairs(self, pair_ids: list[int]) -> None:
        """These pairs changed: fetch the pages that show them again (all pages for [])."""
        if not pair_ids:
            pages = list(self._pages)
        else:
            pages = sorted({r // self.page_size for r in (self.row_of(int(i)) for i in pair_ids) if r >= 0})
        for page in pages:  # the old rows stay shown until the new ones arrive
            self._request_page(page, force=True)
