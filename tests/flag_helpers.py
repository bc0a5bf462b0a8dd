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


# Six pairs that give one flag of each group kind: the Flags page and engine.flags.ops tests
FLAG_PAIRS = [
    # 1-3: the same question three times (a duplicate group)
    ("How do I reset my VPN password?", "Open the self-service portal and choose Reset VPN password."),
    ("how do i reset my vpn password", "Use the self-service portal. You need your MFA phone for it."),
    ("How can I reset the VPN password?", "Open the self-service portal and choose Reset VPN password."),
    # 4-5: a conflict
    ("How many days of parental leave do I get?", "You get 12 days of parental leave, paid in full."),
    ("How long is parental leave?", "You get 30 days of parental leave, paid in full."),
    # 6: needs context
    ("Can I get a second monitor?", "As discussed, I will order it for you today."),
]


def fake_embedder(ws, progress, cancel):
    """Bag-of-words vectors (no model load): enough for the re-checks that flag actions run.
    Install with monkeypatch.setattr(engine.flags.runner, "_embedder", fake_embedder)."""
    import numpy as np

    def embed(texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 64] += 1
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out
    return embed


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
