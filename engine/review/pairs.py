"""Pairs: read, filter, edit with history, undo and redo.

Every change is written to `pair_history` (field, old, new, when, by) under a `change_id`, so one
user action that touches several fields (or several pairs) is undone as one step.

The review table's filter (`PairFilter`: status, search, open flags) works like Anki's browser:
`filter_pair_ids` turns it into the ordered ids of the matching pairs once (a numpy array:
1,000,000 ids take ~15 ms and 8 MB), and `pair_rows` then fetches a page at a time by id range,
which stays ~2 ms at any depth, where `LIMIT 200 OFFSET 500000` took ~170 ms
(bench/bench_review_model.py prints both).
"""

from __future__ import annotations

import datetime as _dt
import getpass
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from engine.workspace.errors import BadInput, NotFound
from engine.workspace.store import Workspace

STATUSES = ("new", "approved", "rejected")
EDITABLE = ("instruction", "response", "status")
PAIR_COLUMNS = "p.id, t.external_id, p.instruction, p.response, p.status"


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "user"


def _where(status: str | None, search: str | None, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if status:
        if status not in STATUSES:
            raise BadInput(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        clauses.append("p.status = ?")
        params.append(status)
    if search:
        clauses.append("(p.instruction ILIKE ? OR p.response ILIKE ? OR t.external_id ILIKE ?)")
        like = f"%{search}%"
        params += [like, like, like]
    if ids is not None:
        clauses.append("list_contains(?, p.id)")
        params.append(list(ids))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_pairs(ws: Workspace, *, status: str | None = None, search: str | None = None,
               ids: Sequence[int] | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Pairs as dicts {id, external_id, instruction, response, status}, ordered by id."""
    where, params = _where(status, search, ids)
    sql = f"SELECT {PAIR_COLUMNS} FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id{where} ORDER BY p.id"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return ws.query(sql, params)


def count_pairs(ws: Workspace, *, status: str | None = None, search: str | None = None) -> int:
    where, params = _where(status, search, None)
    return int(ws.scalar(f"SELECT count(*) FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id{where}", params))


# --- the review table's filter --------------------------------------------------------------
OPEN_FLAG_IDS = "SELECT DISTINCT unnest(pair_ids) AS pid FROM flags WHERE status = 'open'"


@dataclass(frozen=True)
class PairFilter:
    status: str | None = None  # new / approved / rejected, None for all
    search: str | None = None  # words in the question, the answer or the ticket id
    flags: str | None = None  # None: all pairs; "any": with an open flag; else a flag kind

    def is_empty(self) -> bool:
        return not (self.status or self.search or self.flags)


def _filter_sql(f: PairFilter) -> tuple[str, str, list[Any]]:
    """(join, where, params) for `FROM pairs p{join}{where}`: the status and search filters of
    `list_pairs`/`count_pairs`, plus the flag filter."""
    search = (f.search or "").strip() or None
    where, params = _where(f.status or None, search, None)
    clauses = [where[len(" WHERE "):]] if where else []
    if f.flags == "any":
        clauses.append(f"p.id IN ({OPEN_FLAG_IDS})")
    elif f.flags:
        clauses.append("p.id IN (SELECT DISTINCT unnest(pair_ids) FROM flags WHERE status = 'open' AND kind = ?)")
        params.append(f.flags)
    join = " LEFT JOIN tickets t ON t.id = p.ticket_id" if search else ""
    return join, (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def filter_pair_ids(ws: Workspace, f: PairFilter) -> np.ndarray:
    """The ids of the pairs that match, ascending (the review table's row order), as int64."""
    join, where, params = _filter_sql(f)
    cur = ws.con.execute(f"SELECT p.id FROM pairs p{join}{where} ORDER BY p.id", params)
    return np.asarray(cur.fetchnumpy()["id"], dtype=np.int64)


def count_matching(ws: Workspace, f: PairFilter) -> int:
    """The number of pairs that match (`count_pairs` when no flag filter is set)."""
    if not f.flags:
        return count_pairs(ws, status=f.status or None, search=(f.search or "").strip() or None)
    join, where, params = _filter_sql(f)
    return int(ws.scalar(f"SELECT count(*) FROM pairs p{join}{where}", params))


_ROW_SQL = """
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


def pair_rows(ws: Workspace, ids: Sequence[int]) -> dict[int, dict]:
    """Rows for these pair ids (a page of the review table): {id: {id, external_id, instruction,
    response, status, updated_at, flags (open flags), kinds}}. Ids that no longer exist are left out."""
    if not len(ids):
        return {}
    ids = [int(i) for i in ids]
    lo, hi = min(ids), max(ids)
    return {r["id"]: r for r in ws.query(_ROW_SQL, [lo, hi, lo, hi, ids])}


def next_flagged(ws: Workspace, after_id: int, candidates: Sequence[int] | np.ndarray | None = None) -> int | None:
    """The first pair with an open flag whose id is greater than `after_id` (among `candidates`,
    the table's ids, when given); wraps around to the start. None when no pair is flagged."""
    flagged = np.asarray(ws.con.execute(f"{OPEN_FLAG_IDS} ORDER BY 1").fetchnumpy()["pid"], dtype=np.int64)
    if candidates is not None:
        flagged = flagged[np.isin(flagged, np.asarray(candidates), assume_unique=False)]
    if not len(flagged):
        return None
    i = int(np.searchsorted(flagged, after_id, side="right"))
    return int(flagged[i] if i < len(flagged) else flagged[0])


def open_flag_kinds(ws: Workspace) -> list[str]:
    """The kinds that have open flags, sorted (for the review page's filter)."""
    return [r[0] for r in ws.execute("SELECT DISTINCT kind FROM flags WHERE status = 'open' ORDER BY 1").fetchall()]


def get_pair(ws: Workspace, pair_id: int) -> dict:
    """One pair with its raw ticket: {id, external_id, instruction, response, status, subject,
    question, answer (raw), created_at, updated_at, updated_by}."""
    rows = ws.query(
        f"""SELECT {PAIR_COLUMNS}, t.subject, t.question AS raw_question, t.answer AS raw_answer,
                   t.created_at AS ticket_created, p.updated_at, p.updated_by, p.origin
            FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id WHERE p.id = ?""",
        [pair_id],
    )
    if not rows:
        raise NotFound(f"no pair with id {pair_id}")
    return rows[0]


def add_pair(ws: Workspace, instruction: str, response: str, *, status: str = "new",
             origin: str = "manual", ticket_id: int | None = None, by: str | None = None) -> int:
    """Add a pair that did not come from an import (playground, evaluation, typed by hand)."""
    if status not in STATUSES:
        raise BadInput(f"unknown status {status!r}")
    with ws.transaction():
        return int(ws.scalar(
            """INSERT INTO pairs (ticket_id, instruction, response, status, origin, created_at, updated_at, updated_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [ticket_id, instruction, response, status, origin, _now(), _now(), by or current_user()],
        ))


def _next_change_id(ws: Workspace) -> int:
    return int(ws.scalar("SELECT coalesce(max(change_id), 0) + 1 FROM pair_history"))


def update_pairs(ws: Workspace, pair_ids: Iterable[int], *, by: str | None = None, **fields: Any) -> int:
    """Set fields (instruction, response, status) on pairs as one undoable change.
    Returns the change id (0 when nothing changed)."""
    fields = {k: v for k, v in fields.items() if v is not None}
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise BadInput(f"cannot edit {', '.join(sorted(unknown))}")
    if "status" in fields and fields["status"] not in STATUSES:
        raise BadInput(f"unknown status {fields['status']!r}; use one of {', '.join(STATUSES)}")
    for key in ("instruction", "response"):
        if key in fields and not str(fields[key]).strip():
            raise BadInput(f"the {key} cannot be empty")
    ids = list(dict.fromkeys(int(i) for i in pair_ids))
    if not ids or not fields:
        return 0
    by = by or current_user()
    now = _now()
    with ws.transaction():
        rows = ws.query(
            f"SELECT id, {', '.join(fields)} FROM pairs WHERE list_contains(?, id)", [ids]
        )
        missing = set(ids) - {r["id"] for r in rows}
        if missing:
            raise NotFound(f"no pair with id {', '.join(map(str, sorted(missing)))}")
        change_id = _next_change_id(ws)
        history = []
        for row in rows:
            for field, value in fields.items():
                if row[field] != value:
                    history.append((change_id, row["id"], field, row[field], value, now, by))
        if not history:
            return 0
        ws.con.executemany(
            """INSERT INTO pair_history (change_id, pair_id, field, old_value, new_value, changed_at, changed_by)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            history,
        )
        # a new change clears what could have been redone on these pairs
        ws.execute(
            "DELETE FROM pair_history WHERE undone AND list_contains(?, pair_id)", [ids]
        )
        sets = ", ".join(f"{k} = ?" for k in fields)
        ws.execute(
            f"UPDATE pairs SET {sets}, updated_at = ?, updated_by = ? WHERE list_contains(?, id)",
            [*fields.values(), now, by, ids],
        )
    return change_id


def update_pair(ws: Workspace, pair_id: int, *, by: str | None = None, **fields: Any) -> int:
    return update_pairs(ws, [pair_id], by=by, **fields)


def _apply_history(ws: Workspace, pair_id: int, *, undo: bool) -> dict | None:
    """Undo the newest applied change on a pair, or redo the oldest undone one."""
    with ws.transaction():
        if undo:
            change = ws.scalar(
                "SELECT max(change_id) FROM pair_history WHERE pair_id = ? AND NOT undone", [pair_id]
            )
        else:
            change = ws.scalar(
                "SELECT min(change_id) FROM pair_history WHERE pair_id = ? AND undone", [pair_id]
            )
        if change is None:
            return None
        entries = ws.query(
            "SELECT id, field, old_value, new_value FROM pair_history WHERE change_id = ? AND pair_id = ? ORDER BY id",
            [change, pair_id],
        )
        for e in (reversed(entries) if undo else entries):
            value = e["old_value"] if undo else e["new_value"]
            ws.execute(
                f"UPDATE pairs SET {e['field']} = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                [value, _now(), current_user(), pair_id],
            )
        ws.execute(
            "UPDATE pair_history SET undone = ? WHERE change_id = ? AND pair_id = ?", [undo, change, pair_id]
        )
        return {"change_id": int(change), "fields": [e["field"] for e in entries]}


def undo(ws: Workspace, pair_id: int) -> dict | None:
    """Undo the last change to a pair. Returns {change_id, fields} or None when nothing to undo."""
    get_pair(ws, pair_id)
    return _apply_history(ws, pair_id, undo=True)


def redo(ws: Workspace, pair_id: int) -> dict | None:
    get_pair(ws, pair_id)
    return _apply_history(ws, pair_id, undo=False)


def history(ws: Workspace, pair_id: int) -> list[dict]:
    return ws.query(
        """SELECT change_id, field, old_value, new_value, changed_at, changed_by, undone
           FROM pair_history WHERE pair_id = ? ORDER BY id""",
        [pair_id],
    )


def pairs_of_change(ws: Workspace, change_id: int) -> list[int]:
    """The ids of the pairs one change touched, ascending."""
    return [int(r[0]) for r in ws.execute(
        "SELECT DISTINCT pair_id FROM pair_history WHERE change_id = ? ORDER BY pair_id", [change_id]).fetchall()]


def change_count(ws: Workspace, pair_id: int) -> int:
    """How many changes (edits, status changes) of this pair are in its history and not undone."""
    return int(ws.scalar(
        "SELECT count(DISTINCT change_id) FROM pair_history WHERE pair_id = ? AND NOT undone", [pair_id]) or 0)
