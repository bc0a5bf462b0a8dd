"""What the import page asks of the engine, one function per action (no Qt here).

    expand_paths(paths)                      dropped or chosen paths -> ticket files (folders opened)
    preview_file(path, others)               format, columns, first rows and the guessed mapping; for a
                                             helpdesk export what was detected and the first drafted pairs
    is_helpdesk(preview)                     a Zendesk/Freshdesk/Jira/ServiceNow export or a mailbox
    ticket_thread(ws, pair_id)               the raw messages of a pair's ticket, internal notes marked
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


HELPDESK_NOTE = ("Not an export Pairsmith recognises by itself (Zendesk, Freshdesk, Jira Service Management, "
                 "ServiceNow, a mailbox): choose the columns.")
PAIR_MODES = {"resolution": "One pair per ticket: the reply that resolved it",
              "per-exchange": "One pair per exchange of the conversation"}


def preview_file(path: str, rows: int = PREVIEW_ROWS, others: Sequence[str] = (),
                 pairs: str = "resolution") -> dict[str, Any]:
    """`engine.ingest.tables.preview` of the first `rows` rows; for a helpdesk export (found by
    its content, engine.ingest.vendors) the detection summary and the first drafted pairs, read
    with its side files among `others` (a Zendesk users file, Freshdesk conversations, the other
    mails of a mailbox): shape "helpdesk", columns Ticket / Question / Answer."""
    from engine.ingest import helpdesk, vendors
    from engine.ingest.tickets_import import preview_helpdesk

    kind = vendors.sniff(path)
    if kind is None:
        p = preview(path, n=rows)
        if p.get("shape") != "thread" and missing_fields(pair_mapping(p)):
            p["note"] = HELPDESK_NOTE
        return p
    family = vendors.SIDE_KINDS.get(kind, kind)
    mates = [o for o in others if o != path and vendors.SIDE_KINDS.get(vendors.sniff(o) or "", vendors.sniff(o)) == family]
    if kind in vendors.SIDE_KINDS and kind != "freshdesk-conv" or (
            kind == "freshdesk-conv" and any(vendors.sniff(o) == "freshdesk" for o in mates)):
        main = [o for o in mates if vendors.sniff(o) not in vendors.SIDE_KINDS]
        name = helpdesk.VENDOR_NAMES.get(family, family)
        what = "users (who is a requester, who an agent)" if kind == "zendesk-users" else "conversations"
        summary = (f"{name}: {what}, read with {', '.join(Path(m).name for m in main)}" if main else
                   f"{name}: {what} only; add the tickets export too")
        return {"format": kind, "shape": "helpdesk", "vendor": family, "side": True, "importable": bool(main),
                "summary": summary, "columns": [], "rows": [], "mapping": {}, "errors": []}
    hd = preview_helpdesk([path] + mates, n=rows, mode=pairs)
    columns = ["Ticket", "Question", "Answer", "Internal notes (kept out)"]
    table = [{"Ticket": p["external_id"], "Question": p["instruction"], "Answer": p["response"],
              "Internal notes (kept out)": p["internal_notes"]} for p in hd["pairs"]]
    g = hd["groups"][0]
    return {"format": family, "shape": "helpdesk", "vendor": family, "side": False, "importable": True,
            "summary": g["summary"], "pairs": g["pairs"], "tickets": g["tickets"], "skipped": hd["skipped"],
            "columns": columns, "rows": table, "mapping": {}, "errors": hd["errors"][:rows],
            "error_count": len(hd["errors"]), "files": g["files"]}


def is_helpdesk(p: dict | None) -> bool:
    """A helpdesk export read ticket by ticket: nothing to map."""
    return bool(p) and "error" not in p and p.get("shape") == "helpdesk"


def ticket_thread(ws: Workspace, pair_id: int) -> list[dict] | None:
    """The messages of the ticket a pair was imported from (a helpdesk export), oldest first:
    {author, role, internal, created, text, attachments, used}; None for other pairs."""
    import json

    row = ws.con.execute("SELECT t.extra FROM pairs p JOIN tickets t ON t.id = p.ticket_id WHERE p.id = ?",
                         [pair_id]).fetchone()
    if not row or not row[0]:
        return None
    extra = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    messages = extra.get("messages") if isinstance(extra, dict) else None
    return messages if isinstance(messages, list) else None


def is_conversation(p: dict | None) -> bool:
    """A conversation export (one row per message): the engine pairs each customer message with
    the reply to it, so there are no question/answer columns to choose."""
    return bool(p) and "error" not in p and p.get("shape") == "thread"


def pair_mapping(p: dict) -> dict[str, str]:
    """The guessed columns of the pair fields ({} for a conversation or helpdesk export or an unreadable file)."""
    if "error" in p or is_conversation(p) or is_helpdesk(p):
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
    if is_helpdesk(p):
        return bool(p.get("importable"))
    if is_conversation(p):
        return not needs_customer(p, customer)
    return not missing_fields(mapping)


def job_mapping(p: dict | None, mapping: dict[str, str], customer: str | None = None) -> dict[str, str]:
    """The mapping `import_files` gets for one file: the chosen columns, or for a conversation
    export the customer value a person chose (the rest is the engine's guess)."""
    if is_helpdesk(p):
        return {}  # found by content again at import
    if is_conversation(p):
        return {"customer": customer} if customer else {}
    return dict(mapping)


def import_with_mappings(ws: Workspace, jobs: Sequence[tuple[str, dict | None]], pairs: str = "resolution",
                         progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> dict[str, Any]:
    """Import [(path, mapping), ...] in one `import_files` call: all files or none. A file that
    cannot be imported raises BadInput naming it, and nothing is imported. `pairs`: how a
    helpdesk export becomes pairs (PAIR_MODES)."""
    return import_files(ws, [path for path, _ in jobs], mappings=[m or None for _, m in jobs],
                        progress=progress, cancel=cancel, pairs=pairs)
