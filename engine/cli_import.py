"""`pairsmith import WS FILE...` and `pairsmith preview FILE`."""

from __future__ import annotations

import sys

from .errors import BadInput

SHOW_ERRORS = 20


def parse_map(items: list[str] | None) -> dict[str, str]:
    from .importer import ALL_FIELDS

    mapping: dict[str, str] = {}
    for item in items or []:
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        if not sep or not field or not column.strip():
            raise BadInput(f"--map {item!r}: write it as FIELD=COLUMN, e.g. --map question=Description")
        if field not in ALL_FIELDS:
            raise BadInput(f"--map {item!r}: unknown field {field!r}; use question, answer, id, subject or created")
        mapping[field] = column.strip()
    return mapping


def cmd_import(args) -> int:
    from .cli import ProgressBar, emit, open_ws
    from .importer import import_files

    mapping = parse_map(args.map)
    ws = open_ws(args.workspace)
    bar = ProgressBar("import", enabled=sys.stderr.isatty())
    try:
        result = import_files(ws, args.files, mapping=mapping or None, progress=bar)
    finally:
        bar.close()
        ws.close()
    if args.json:
        emit({"imported": result["imported"], "duplicates_skipped": result["duplicates_skipped"],
              "errors": [{"line": e["line"], "reason": e["reason"], "file": e["file"]} for e in result["errors"]]},
             True)
        return 0
    nfiles = len(result["files"])
    lines = [f"Imported {result['imported']} ticket(s) from {nfiles} file(s); "
             f"{result['duplicates_skipped']} duplicate(s) skipped, {len(result['errors'])} bad row(s) skipped."]
    for f in result["files"]:
        m = ", ".join(f"{k}={v!r}" for k, v in f["mapping"].items())
        lines.append(f"  {f['file']}: {f['imported']} new, {f['duplicates_skipped']} duplicate(s), "
                     f"{f['errors']} bad row(s) [{f['format']}; {m}]")
    if result["errors"]:
        lines.append("Bad rows:")
        for e in result["errors"][:SHOW_ERRORS]:
            lines.append(f"  {e['file']} line {e['line']}: {e['reason']}")
        if len(result["errors"]) > SHOW_ERRORS:
            lines.append(f"  ... and {len(result['errors']) - SHOW_ERRORS} more (use --json for all)")
    emit(result, False, "\n".join(lines))
    return 0


def cmd_preview(args) -> int:
    from .cli import emit
    from .readers import preview

    info = preview(args.file, n=args.rows)
    if args.json:
        emit(info, True)
        return 0
    delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(info.get("delimiter"), info.get("delimiter"))
    lines = [f"{args.file}: {info['format']}" + (f", {info['encoding']}" if info.get("encoding") else "")
             + (f", {delim}-separated" if delim else ""),
             "Columns: " + ", ".join(info["columns"]),
             "Guessed mapping: " + (", ".join(f"{k} <- {v}" for k, v in info["mapping"].items()) or "none")]
    q, a = info["mapping"].get("question"), info["mapping"].get("answer")
    for row in info["rows"][:3]:
        qt = str(row.get(q, "")).replace("\n", " ")[:80] if q else ""
        at = str(row.get(a, "")).replace("\n", " ")[:80] if a else ""
        lines.append(f"  Q: {qt}\n  A: {at}")
    emit(info, False, "\n".join(lines))
    return 0


def register(sub) -> None:
    p = sub.add_parser("import", help="import ticket files (CSV, TSV, XLSX, JSON, JSONL) into a workspace")
    p.add_argument("workspace", metavar="WS")
    p.add_argument("files", metavar="FILE", nargs="+")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="which column holds a field (question, answer, id, subject, created); repeatable")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("preview", help="show how a ticket file would be read (format, columns, mapping)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--rows", type=int, default=20, help="rows to show (default 20)")
    p.add_argument("--json", action="store_true", help="print the preview as JSON")
    p.set_defaults(func=cmd_preview)
