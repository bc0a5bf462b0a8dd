"""What the import page asks of the engine, one function per action (no Qt here).

    expand_paths(paths)                      dropped or chosen paths -> ticket files (folders opened)
    preview_file(path)                       format, columns, first rows and the guessed mapping
    pair_mapping(preview)                    the guessed question/answer/... columns of a preview
    assign_column(mapping, field, column)    one column feeds one field
    needs_customer(preview, customer)        a conversation export whose customer is not known yet
    guessed_customers(preview)               the sender values the engine took for the customer
    ready(preview, mapping, customer)        can this file be imported as it is mapped?
    import_with_mappings(ws, jobs, ...)      every file with its own mapping, in one `import_files` call

A preview is the dict of `engine.ingest.tables.preview` (or {"error": message} for a file that
cannot be read); a mapping is {field: column} over `engine.ingest.mapping.FIELDS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from engine.ingest.importer import import_files
from engine.ingest.mapping import FIELDS
from engine.ingest.tables import preview
from engine.workspace.progress import CancelFn, ProgressFn
from engine.workspace.store import Workspace

EXPORT_SUFFIXES = (".csv", ".tsv", ".tab", ".xlsx", ".json", ".jsonl", ".ndjson",  # (not .txt: notes)
                   ".mbox", ".mbx", ".eml", ".msg")  # mailboxes (engine.ingest.mail)
REQUIRED_FIELDS = ("question", "answer")
PREVIEW_ROWS = 20


def exports_in(folder: str | Path) -> list[str]:
    """The ticket exports directly in a folder, sorted by name."""
    return sorted(str(f) for f in Path(folder).iterdir() if f.is_file() and f.suffix.lower() in EXPORT_SUFFIXES)


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(files, empty folders): each path resolved, a folder replaced by the ticket exports in
    it; folders without any are returned apart so the page can say so."""
    files: list[str] = []
    empty: list[str] = []
    for p in paths:
        if Path(p).is_dir():
            inside = exports_in(p)
            if not inside:
                empty.append(str(p))
            files.extend(str(Path(f).resolve()) for f in inside)
        else:
            files.append(str(Path(p).resolve()))
    return files, empty


def preview_file(path: str, rows: int = PREVIEW_ROWS) -> dict[str, Any]:
    """`engine.ingest.tables.preview` of the first `rows` rows."""
    return preview(path, n=rows)


def is_conversation(p: dict | None) -> bool:
    """A conversation export (one row per message): the engine pairs each customer message with
    the reply to it, so there are no question/answer columns to choose."""
    return bool(p) and "error" not in p and p.get("shape") == "thread"


def pair_mapping(p: dict) -> dict[str, str]:
    """The guessed columns of the pair fields ({} for a conversation export or an unreadable file)."""
    if "error" in p or is_conversation(p):
        return {}
    return {k: v for k, v in (p.get("mapping") or {}).items() if k in FIELDS}


def assign_column(mapping: dict[str, str], field: str, column: str | None) -> list[str]:
    """Set (or with no column, clear) the column of `field` in `mapping`, in place. One column
    feeds one field: the other fields that had it lose it; they are returned."""
    if not column:
        mapping.pop(field, None)
        return []
    lost = [other for other, col in mapping.items() if other != field and col == column]
    for other in lost:
        del mapping[other]
    mapping[field] = column
    return lost


def missing_fields(mapping: dict[str, str]) -> list[str]:
    """The needed fields (question, answer) that have no column yet."""
    return [f for f in REQUIRED_FIELDS if not mapping.get(f)]


def needs_customer(p: dict | None, customer: str | None) -> bool:
    """A conversation export whose sender column the engine cannot read ("I"/"O", team names)
    and where no one has said yet which value is the customer."""
    if not is_conversation(p):
        return False
    m = p.get("mapping") or {}
    return bool(m.get("role")) and not m.get("customer") and not customer


def guessed_customers(p: dict | None) -> set[str]:
    """The sender values (lower case) the engine took to mean the customer in a conversation export."""
    m = (p or {}).get("mapping") or {}
    return {v.strip().lower() for v in (m.get("customer") or "").split(",") if v.strip()}


def ready(p: dict | None, mapping: dict[str, str], customer: str | None = None) -> bool:
    """Whether a previewed file can be imported: read without error, and either a conversation
    export whose customer is known or a file with its question and answer columns chosen."""
    if not p or "error" in p:
        return False
    if is_conversation(p):
        return not needs_customer(p, customer)
    return not missing_fields(mapping)


def job_mapping(p: dict | None, mapping: dict[str, str], customer: str | None = None) -> dict[str, str]:
    """The mapping `import_files` gets for one file: the chosen columns, or for a conversation
    export the customer value a person chose (the rest is the engine's guess)."""
    if is_conversation(p):
        return {"customer": customer} if customer else {}
    return dict(mapping)


def import_with_mappings(ws: Workspace, jobs: Sequence[tuple[str, dict | None]],
                         progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> dict[str, Any]:
    """Import [(path, mapping), ...] in one `import_files` call: all files or none. A file that
    cannot be imported raises BadInput naming it, and nothing is imported."""
    return import_files(ws, [path for path, _ in jobs], mappings=[m or None for _, m in jobs],
                        progress=progress, cancel=cancel)
