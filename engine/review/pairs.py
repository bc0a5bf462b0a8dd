"""Pairs: read, edit with history, undo and redo.

Every change is written to `pair_history` (field, old, new, when, by) under a `change_id`, so one
user action that touches several fields (or several pairs) is undone as one step.
"""

from __future__ import annotations

import datetime as _dt
import getpass
from typing import Any, Iterable, Sequence

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


def change_count(ws: Workspace, pair_id: int) -> int:
    """How many changes (edits, status changes) of this pair are in its history and not undone."""
    return int(ws.scalar(
        "SELECT count(DISTINCT change_id) FROM pair_history WHERE pair_id = ? AND NOT undone", [pair_id]) or 0)
