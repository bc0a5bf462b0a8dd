"""Export approved pairs (or one split of a dataset version) as training files.

Formats: `jsonl` ({"instruction","response"}), `messages` (chat), `prompt-completion`, `csv`.
The file is written beside its target and renamed into place, so a failed write (disk full)
leaves any previous file intact. The personal-data mapping is never exported, and pairs that
hold personal data are only exported when the caller allows it (`engine.privacy.guard`).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path

from engine.privacy import guard
from engine.workspace.errors import BadInput, PairsmithError
from engine.workspace.store import Workspace

FORMATS = ("jsonl", "messages", "prompt-completion", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Neutralise spreadsheet formula injection: a cell starting with = + - @ (or a tab/CR) gets
    a leading apostrophe so Excel/LibreOffice show it as text."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rows(ws: Workspace, split: str | None, version: int | None) -> list[dict]:
    if split or version is not None:
        from engine.dataset.split import latest_version, version_items

        version = version if version is not None else latest_version(ws)
        if version is None:
            raise BadInput("no dataset version yet: freeze one with `pairsmith split WS` before exporting a split")
        return [{"id": r["pair_id"], "instruction": r["instruction"], "response": r["response"]}
                for r in version_items(ws, version, split)]
    return ws.query("SELECT id, instruction, response FROM pairs WHERE status = 'approved' ORDER BY id")


def _records(rows: list[dict], fmt: str):
    for r in rows:
        if fmt == "jsonl":
            yield {"instruction": r["instruction"], "response": r["response"]}
        elif fmt == "messages":
            yield {"messages": [{"role": "user", "content": r["instruction"]},
                                {"role": "assistant", "content": r["response"]}]}
        elif fmt == "prompt-completion":
            yield {"prompt": r["instruction"], "completion": r["response"]}


def export_pairs(ws: Workspace, out: str | os.PathLike, fmt: str = "jsonl", *, split: str | None = None,
                 version: int | None = None, allow_pii: bool = False) -> dict:
    """Write the pairs; returns {"path", "format", "pairs", "pii_pairs"} (pii_pairs: pairs with open
    personal-data flags written because `allow_pii`)."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = _rows(ws, split, version)
    if not rows and (split or version is not None):
        from engine.dataset.split import latest_version

        v = version if version is not None else latest_version(ws)
        part = {"train": "training part", "heldout": "held-out part"}.get(split or "", "")
        raise BadInput(f"nothing to export: the {part + ' of ' if part else ''}dataset version {v} is empty")
    if not rows:
        raise BadInput("nothing to export: no approved pairs")
    pii = guard.check_export(ws, rows, frozen=bool(split or version is not None), allow_pii=allow_pii)
    out = Path(out)
    if out.is_dir():
        raise BadInput(f"{out} is a folder; give a file name")
    target, db = out.resolve(), ws.db_path.resolve()
    if target in (db, db.with_name(db.name + ".wal")) or (ws.root / "backups").resolve() in target.parents:
        raise BadInput(f"{out} is part of the workspace itself (its database or backups); choose another file name")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    except OSError as exc:  # a file in the way, a read-only or special folder
        raise BadInput(f"could not write {out}: {exc.strerror or exc}; choose another place") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if fmt == "csv":
                writer = csv.writer(fh)
                writer.writerow(["id", "instruction", "response"])
                for r in rows:
                    writer.writerow([r["id"], csv_safe(r["instruction"]), csv_safe(r["response"])])
            else:
                for rec in _records(rows, fmt):
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise PairsmithError(f"could not write {out}: {exc.strerror or exc}; any previous file is unchanged") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return {"path": str(out), "format": fmt, "pairs": len(rows), "pii_pairs": len(pii)}
