"""The review table's queries: plain functions `fn(ws, ...)` run on the engine worker.

No Qt in here (the worker thread calls these). Like Anki's browser, a filter is turned into the
ordered list of matching pair ids once (a numpy array: 1,000,000 ids take ~15 ms and 8 MB), and
rows are then fetched a page at a time by id range, which stays ~2 ms at any depth, where
`LIMIT 200 OFFSET 500000` took ~170 ms (bench/bench_review_model.py prints both).

The status and search filters are `engine.review.pairs`' own (same SQL as `count_pairs`), plus a flag
filter: "flagged" (any open flag) or one flag kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.review import pairs as engine_pairs

OPEN_FLAG_IDS = "SELECT DISTINCT unnest(pair_ids) AS pid FROM flags WHERE status = 'open'"


@dataclass(frozen=True)
class PairFilter:
    status: str | None = None  # new / approved / rejected, None for all
    search: str | None = None  # words in the question, the answer or the ticket id
    flags: str | None = None  # None: all pairs; "any": with an open flag; else a flag kind

    def is_empty(self) -> bool:
        return not (self.status or self.search or self.flags)


def _where(f: PairFilter) -> tuple[str, list[Any]]:
    where, params = engine_pairs._where(f.status or None, (f.search or "").strip() or None, None)
    clauses = [where[len(" WHERE "):]] if where else []
    if f.flags == "any":
        clauses.append(f"p.id IN ({OPEN_FLAG_IDS})")
    elif f.flags:
        clauses.append(
            "p.id IN (SELECT DISTINCT unnest(pair_ids) FROM flags WHERE status = 'open' AND kind = ?)"
        )
        params.append(f.flags)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def matching_ids(ws, f: PairFilter) -> np.ndarray:
    """The ids of the pairs that match, ascending (the table's row order)."""
    where, params = _where(f)
    join = " LEFT JOIN tickets t ON t.id = p.ticket_id" if f.search else ""
    cur = ws.con.execute(f"SELECT p.id FROM pairs p{join}{where} ORDER BY p.id", params)
    ids = cur.fetchnumpy()["id"]
    return np.asarray(ids, dtype=np.int64)


def count_matching(ws, f: PairFilter) -> int:
    """The number of matching pairs (engine.review.pairs.count_pairs when no flag filter is set)."""
    if not f.flags:
        return engine_pairs.count_pairs(ws, status=f.status or None, search=(f.search or "").strip() or None)
    where, params = _where(f)
    join = " LEFT JOIN tickets t ON t.id = p.ticket_id" if f.search else ""
    return int(ws.scalar(f"SELECT count(*) FROM pairs p{join}{where}", params))


ROW_SQL = """
SELECT p.id, t.external_id, p.instruction, p.response, p.status, p.updated_at,
       coalesce(f.n, 0) AS flags, f.kinds
FROM pairs p
LEFT JOIN tickets t ON t.id = p.ticket_id
LEFT JOIN (
    SELECT pid, count(*) AS n, list(DISTINCT kind) AS kinds
    FROM (SELECT unnest(pair_ids) AS pid, kind FROM flags WHERE status = 'open')
    WHERE pid BETWEEN ? AND ?
    GROUP BY pid
) f ON f.pid = p.id
WHERE p.id BETWEEN ? AND ? AND list_contains(?, p.id)
"""


def fetch_rows(ws, ids: list[int]) -> dict[int, dict]:
    """Rows for these pair ids (a page of the table): {id: {id, external_id, instruction,
    response, status, updated_at, flags, kinds}}. Ids that no longer exist are left out."""
    if not len(ids):
        return {}
    ids = [int(i) for i in ids]
    lo, hi = min(ids), max(ids)
    rows = ws.query(ROW_SQL, [lo, hi, lo, hi, ids])
    return {r["id"]: r for r in rows}


def next_flagged(ws, after_id: int, candidates: np.ndarray | None = None) -> int | None:
    """The first pair with an open flag whose id is greater than `after_id` (among `candidates`,
    the table's ids, when given); wraps around to the start. None when no pair is flagged."""
    flagged = ws.con.execute(f"{OPEN_FLAG_IDS} ORDER BY 1").fetchnumpy()["pid"]
    flagged = np.asarray(flagged, dtype=np.int64)
    if candidates is not None:
        flagged = flagged[np.isin(flagged, candidates, assume_unique=False)]
    if not len(flagged):
        return None
    i = int(np.searchsorted(flagged, after_id, side="right"))
    return int(flagged[i] if i < len(flagged) else flagged[0])


def flag_kinds(ws) -> list[str]:
    """Kinds that have open flags (for the filter combo)."""
    return [r[0] for r in ws.con.execute(
        "SELECT DISTINCT kind FROM flags WHERE status = 'open' ORDER BY 1").fetchall()]
