"""`pairsmith import WS FILE...` and `pairsmith preview FILE`."""

from __future__ import annotations

import sys

from engine.workspace.errors import BadInput

SHOW_ERRORS = 20


def parse_map(items: list[str] | None) -> dict[str, str]:
    from engine.ingest.importer import ALL_FIELDS
    from engine.ingest.mapping import THREAD_FIELDS

    mapping: dict[str, str] = {}
    for item in items or []:
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        if not sep or not field or not column.strip():
            raise BadInput(f"--map {item!r}: write it as FIELD=COLUMN, e.g. --map question=Description")
        if field not in ALL_FIELDS and field not in THREAD_FIELDS:
            raise BadInput(f"--map {item!r}: unknown field {field!r}; use question, answer, id, subject or created "
                           f"(conversation exports: {', '.join(THREAD_FIELDS)})")
        mapping[field] = column.strip()
    return mapping


def expand_files(items: list[str]) -> list[str]:
    """FILE arguments as paths: a folder gives the ticket exports in it, a pattern (`*.csv`,
    which a Windows shell passes as it is) the files it matches; anything else as given."""
    import glob
    from pathlib import Path

    from engine.ingest.ops import EXPORT_SUFFIXES, exports_in

    out: list[str] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = exports_in(p)
            if not found:
                raise BadInput(f"{item}: the folder has no ticket exports ({', '.join(EXPORT_SUFFIXES)})")
            out.extend(found)
        elif not p.exists() and glob.has_magic(item):
            found = sorted(f for f in glob.glob(item) if Path(f).is_file())
            if not found:
                raise BadInput(f"{item}: no file matches")
            out.extend(found)
        else:
            out.append(item)
    return out


def cmd_import(args) -> int:
    from engine.cli.output import ProgressBar, emit, open_ws
    from engine.ingest.importer import import_files

    mapping = parse_map(args.map)
    files = expand_files(args.files)
    ws = open_ws(args.workspace)
    bar = ProgressBar("import", enabled=sys.stderr.isatty())
    try:
        result = import_files(ws, files, mapping=mapping or None, progress=bar, pairs=args.pairs)
    finally:
        bar.close()
        ws.close()
    if args.json:
        out = {"imported": result["imported"], "duplicates_skipped": result["duplicates_skipped"],
               "errors": [{"line": e["line"], "reason": e["reason"], "file": e["file"]} for e in result["errors"]]}
        if result.get("shape", "pairs") != "pairs":
            out.update(shape=result["shape"], skipped=result.get("skipped", {}))
        helpdesk_files = [f for f in result["files"] if f.get("vendor")]
        if helpdesk_files:
            out.update(updated=result.get("updated", 0), updated_flagged=result.get("updated_flagged", 0),
                       detected=[{"file": f["file"], "vendor": f["vendor"], "summary": f["summary"],
                                  "tickets": f.get("tickets", 0), "public_replies": f.get("public_replies", 0),
                                  "internal_notes": f.get("internal_notes", 0),
                                  "attachments": f.get("attachments", 0)} for f in helpdesk_files])
        emit(out, True)
        return 0
    nfiles = len(result["files"])
    if nfiles == 1 and result["files"][0].get("shape") == "thread":
        lines = [thread_summary(result["files"][0], alone=True)]
    else:
        lines = [f"Imported {result['imported']} ticket(s) from {nfiles} file(s); "
                 f"{result['duplicates_skipped']} duplicate(s) skipped, {len(result['errors'])} bad row(s) skipped."]
    for f in result["files"]:
        if nfiles == 1 and f.get("shape") == "thread":
            break
        if f.get("vendor"):
            lines.append(f"  {f['file']}: {f['summary']} -> {f['imported']:,} new pair(s), "
                         f"{f.get('updated', 0):,} updated, {f['duplicates_skipped']:,} unchanged")
            for why, n in sorted((f.get("skipped") or {}).items()):
                lines.append(f"    {n:,} ticket(s) made no pair: {why}")
            continue
        if f.get("shape") == "thread":
            lines.append(thread_summary(f))
            continue
        m = ", ".join(f"{k}={v!r}" for k, v in f["mapping"].items())
        lines.append(f"  {f['file']}: {f['imported']} new, {f['duplicates_skipped']} duplicate(s), "
                     f"{f['errors']} bad row(s) [{f['format']}; {m}]")
    if result.get("updated_flagged"):
        lines.append(f"{result['updated_flagged']:,} reviewed pair(s) kept as they were and flagged: their ticket "
                     f"changed in this export (see the Flags/Review pages).")
    if result["errors"]:
        lines.append("Bad rows:")
        for e in result["errors"][:SHOW_ERRORS]:
            lines.append(f"  {e['file']} line {e['line']}: {e['reason']}")
        if len(result["errors"]) > SHOW_ERRORS:
            lines.append(f"  ... and {len(result['errors']) - SHOW_ERRORS} more (use --json for all)")
    emit(result, False, "\n".join(lines))
    return 0


def thread_summary(f: dict, alone: bool = False) -> str:
    """One or two lines for a conversation export: what became pairs and what was left out."""
    skipped = f.get("skipped") or {}
    left = sum(skipped.values())
    why = ", ".join(f"{n:,} {reason}" for reason, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])))
    what = (f"conversation export ({f.get('messages', 0):,} message(s) in {f.get('conversations', 0):,} "
            f"conversation(s))")
    if alone:
        text = (f"Imported {f['imported']:,} question/answer pair(s) from {f['file']}, a {what}; "
                f"{f['duplicates_skipped']:,} duplicate(s) skipped, {f['errors']:,} bad row(s) skipped.")
        indent = ""
    else:
        text = (f"  {f['file']}: {what} -> {f['imported']:,} new pair(s), "
                f"{f['duplicates_skipped']:,} duplicate(s), {f['errors']:,} bad row(s)")
        indent = "    "
    if left:
        text += f"\n{indent}{left:,} message(s) made no pair: {why}."
    return text


def cmd_preview(args) -> int:
    from engine.cli.output import emit
    from engine.ingest.tables import preview
    from engine.ingest.tickets_import import preview_helpdesk

    files = expand_files(args.files)
    hd = preview_helpdesk(files, n=min(args.rows, 20) if args.rows else 5, mode=args.pairs)
    if hd is not None:
        if args.json:
            emit(hd, True)
            return 0
        lines = [g["summary"] + f" -> {g['pairs']:,} pair(s)" + f" [{', '.join(g['files'])}]" for g in hd["groups"]]
        for why, n in sorted(hd["skipped"].items()):
            lines.append(f"  {n:,} ticket(s) make no pair: {why}")
        if hd["errors"]:
            lines.append(f"{len(hd['errors']):,} record(s) cannot be read:")
            for e in hd["errors"][:SHOW_ERRORS]:
                lines.append(f"  {e['file']} line {e['line']}: {e['reason']}")
        for p in hd["pairs"]:
            lines.append(f"  [{p['external_id']}] Q: {p['instruction'].replace(chr(10), ' ')[:100]}")
            lines.append(f"  {' ' * (len(str(p['external_id'])) + 2)} A: {p['response'].replace(chr(10), ' ')[:100]}")
        for other in hd["not_helpdesk"]:
            lines.append(f"{other}: not a helpdesk export; `pairsmith preview {other}` alone shows its columns")
        emit(hd, False, "\n".join(lines))
        return 0
    args.file = files[0]
    info = preview(args.file, n=args.rows)
    if args.json:
        emit(info, True)
        return 0
    delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(info.get("delimiter"), info.get("delimiter"))
    lines = [f"{args.file}: {info['format']}" + (f", {info['encoding']}" if info.get("encoding") else "")
             + (f", {delim}-separated" if delim else ""),
             "Columns: " + ", ".join(info["columns"]),
             "Guessed mapping: " + (", ".join(f"{k} <- {v}" for k, v in info["mapping"].items()) or "none")]
    if info.get("shape") == "thread":
        m = info["mapping"]
        lines.insert(1, info["summary"][0].upper() + info["summary"][1:])
        if m.get("customer"):
            lines.append(f"Customer messages: {m['role']} = {m['customer']} (the others are the company's)")
        body = m.get("body")
        for row in info["rows"][:3]:
            lines.append("  " + str(row.get(body, "")).replace("\n", " ")[:100])
        emit(info, False, "\n".join(lines))
        return 0
    q, a = info["mapping"].get("question"), info["mapping"].get("answer")
    for row in info["rows"][:3]:
        qt = str(row.get(q, "")).replace("\n", " ")[:80] if q else ""
        at = str(row.get(a, "")).replace("\n", " ")[:80] if a else ""
        lines.append(f"  Q: {qt}\n  A: {at}")
    emit(info, False, "\n".join(lines))
    return 0


def register(sub) -> None:
    p = sub.add_parser("import", help="import ticket files (CSV, TSV, XLSX, JSON, JSONL; Zendesk, Freshdesk, Jira "
                                      "Service Management, ServiceNow exports; mbox, .eml, .msg) into a workspace")
    p.add_argument("workspace", metavar="WS")
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="ticket exports; a folder imports the exports in it, a pattern like *.csv the files it matches")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="which column holds a field (question, answer, id, subject, created; for a "
                        "conversation export: message_id, reply_to, conversation, role, customer=VALUES, "
                        "author, body, sequence, public, private); repeatable")
    p.add_argument("--pairs", choices=("resolution", "per-exchange"), default="resolution",
                   help="helpdesk exports: one pair per ticket, the reply that resolved it (default), or one pair "
                        "per exchange of the conversation")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("preview", help="show how a ticket file would be read (format, columns, mapping; for a "
                                       "helpdesk export what was detected and the first drafted pairs)")
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="a ticket export; a helpdesk export's side files (Zendesk users, Freshdesk "
                        "conversations) beside it")
    p.add_argument("--pairs", choices=("resolution", "per-exchange"), default="resolution",
                   help="helpdesk exports: preview one pair per ticket or per exchange")
    p.add_argument("--rows", type=int, default=20, help="rows to show (default 20)")
    p.add_argument("--json", action="store_true", help="print the preview as JSON")
    p.set_defaults(func=cmd_preview)
