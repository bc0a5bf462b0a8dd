"""Helpers shared by the flag tests: a workspace filled with tickets/pairs written directly."""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Iterable

from engine.workspace.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample"


def add_tickets(ws: Workspace, rows: Iterable[tuple], status: str = "new") -> list[int]:
    """rows: (external_id, question, answer[, status[, requester]]) -> pair ids, in order."""
    now = _dt.datetime.now().replace(microsecond=0)
    ids = []
    with ws.transaction():
        for row in rows:
            ext, q, a = row[0], row[1], row[2]
            st = row[3] if len(row) > 3 and row[3] else status
            extra = json.dumps({"Requester": row[4]}) if len(row) > 4 and row[4] else None
            h = hashlib.sha256(f"{ext}\x00{q}\x00{a}".encode()).hexdigest()
            tid = ws.scalar(
                "INSERT INTO tickets (external_id, subject, question, answer, extra, content_hash) "
                "VALUES (?, ?, ?, ?, CAST(? AS JSON), ?) RETURNING id",
                [ext, None, q, a, extra, h],
            )
            pid = ws.scalar(
                "INSERT INTO pairs (ticket_id, instruction, response, status, origin, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, 'import', ?, ?) RETURNING id",
                [tid, q, a, st, now, now],
            )
            ids.append(int(pid))
    return ids


def sample_available() -> bool:
    return (SAMPLE / "helpdesk_export.csv").exists() and (SAMPLE / "ground_truth.json").exists()


def import_sample(ws: Workspace) -> dict[str, int]:
    """Import the sample export; returns {external_id: pair_id}."""
    try:
        from engine.ingest.importer import import_files

        import_files(ws, [SAMPLE / "helpdesk_export.csv"])
    except ImportError:
        with open(SAMPLE / "helpdesk_export.csv", newline="", encoding="utf-8-sig") as fh:
            rows = [(r["Ticket ID"], r["Description"], r["Resolution"], None, r.get("Requester"))
                    for r in csv.DictReader(fh)]
        add_tickets(ws, rows)
    return {r[0]: int(r[1]) for r in ws.execute(
        "SELECT t.external_id, p.id FROM pairs p JOIN tickets t ON t.id = p.ticket_id").fetchall()}


def ground_truth() -> dict:
    return json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
