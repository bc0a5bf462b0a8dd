"""Import ticket exports into a workspace: tickets (raw), pairs (drafted) and sources.

    import_files(ws, paths, mapping=None, progress=None, cancel=None) -> summary dict

One call is one transaction: all files go in, or nothing does. Rows are read and drafted in
Python, then written column-wise through Arrow tables (`INSERT ... SELECT` from a registered
table), never row by row. A ticket that is already in the workspace (same normalised external
id, question and answer) is counted as a duplicate and skipped, so re-importing a file adds
nothing. Bad rows are skipped and reported with their line and a reason; an unreadable file
raises `BadInput`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from . import drafting, limits, readers
from .errors import BadInput, PairsmithError
from .store import ProgressFn, Workspace

MAX_FIELD_CHARS = limits.MAX_FIELD_CHARS
MAX_STORED_ERRORS = 1000  # per source row in the workspace; the returned summary has them all
ALL_FIELDS = readers.FIELDS + readers.OPTIONAL_FIELDS
_WS = re.compile(r"\s+")


class ImportCancelled(PairsmithError):
    def __init__(self) -> None:
        super().__init__("cancelled")


def _norm(value: str | None) -> str:
    if not value:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", value)).strip()


def content_hash(external_id: str | None, question: str, answer: str) -> str:
    key = "\x1f".join((_norm(external_id), _norm(question), _norm(answer)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def check_mapping(mapping: dict | None) -> dict[str, str]:
    """Validate a user mapping {field: column}; unknown fields raise BadInput."""
    if not mapping:
        return {}
    out = {}
    for field, col in mapping.items():
        if field not in ALL_FIELDS:
            raise BadInput(f"unknown field {field!r} in the mapping; use one of {', '.join(readers.FIELDS)}")
        if col is None or str(col) == "":
            continue
        out[field] = str(col)
    return out


def resolve_mapping(name: str, columns: list[str], override: dict[str, str]) -> dict[str, str]:
    """The guessed mapping with the user's choices on top; user columns must exist in the file."""
    by_norm = {readers.norm_header(c): c for c in columns}
    chosen: dict[str, str] = {}
    for field, col in override.items():
        if col in columns:
            chosen[field] = col
        elif readers.norm_header(col) in by_norm:
            chosen[field] = by_norm[readers.norm_header(col)]
        else:
            shown = ", ".join(columns[:15]) + (" ..." if len(columns) > 15 else "")
            raise BadInput(f"{name}: there is no column {col!r} (columns: {shown})")
    guessed = readers.guess_mapping(columns)
    used = set(chosen.values())
    mapping = dict(chosen)
    for field, col in guessed.items():
        if field not in mapping and col not in used:
            mapping[field] = col
            used.add(col)
    if "question" not in mapping or "answer" not in mapping:
        missing = " and ".join(f for f in ("question", "answer") if f not in mapping)
        shown = ", ".join(columns[:15]) + (" ..." if len(columns) > 15 else "") if columns else "none"
        raise BadInput(f"{name}: no {missing} column found (columns: {shown}); "
                       f"choose one with --map {missing.split(' ')[0]}=COLUMN")
    return mapping


class _FileResult:
    def __init__(self, path: Path, info: dict):
        self.path = path
        self.name = path.name
        self.info = info
        self.mapping: dict[str, str] = {}
        self.errors: list[dict] = []
        self.rows: list[tuple] = []  # (line, ext_id, subject, question, answer, created, extra, hash, context)
        self.duplicates = 0
        self.sha256 = ""

    def error(self, line: int, reason: str) -> None:
        self.errors.append({"file": self.name, "line": line, "reason": reason})


def _read_file(path: Path, override: dict[str, str], progress: ProgressFn | None,
               cancel: Callable[[], bool] | None) -> _FileResult:
    info = readers.detect(path)
    res = _FileResult(path, info)
    res.sha256 = file_sha256(path)
    columns, records = readers.open_records(path, info, on_error=res.error, progress=progress, cancel=cancel)
    if columns is None:
        # JSON: columns vary per record; buffer the records to see them all
        buffered = list(records)
        columns = []
        seen = set()
        for _, rec in buffered:
            for k in rec:
                if k not in seen:
                    seen.add(k)
                    columns.append(k)
        if not buffered and not res.errors:
            raise BadInput(f"{path.name}: no ticket records in the file")
        if not buffered:
            raise BadInput(f"{path.name}: no readable ticket records ({res.errors[0]['reason']} on line {res.errors[0]['line']})")
        records = iter(buffered)
        limits.check_columns(path.name, columns)
    mapping = resolve_mapping(path.name, columns, override)
    res.mapping = mapping
    q_col, a_col = mapping["question"], mapping["answer"]
    id_col, s_col, c_col = mapping.get("id"), mapping.get("subject"), mapping.get("created")
    ctx_col = mapping.get("context")
    mapped = set(mapping.values())
    extra_cols = [c for c in columns if c not in mapped]
    rows = res.rows
    is_json = info["format"] in ("json", "jsonl")
    for line, rec in records:
        if is_json and not override and (q_col not in rec or a_col not in rec):
            # a JSON file mixing shapes (chat, instruction/response, ...): map this record alone
            own = readers.guess_mapping(list(rec))
            rq, ra, rctx = own.get("question", q_col), own.get("answer", a_col), own.get("context")
        else:
            rq, ra, rctx = q_col, a_col, ctx_col
        q = _as_text(rec.get(rq))
        a = _as_text(rec.get(ra))
        if rctx:
            ctx = _as_text(rec.get(rctx)).strip()
            if ctx:
                q = f"{q}\n\n{ctx}" if q.strip() else ctx
        if not q.strip():
            subj = _as_text(rec.get(s_col)) if s_col else ""
            if not subj.strip():
                res.error(line, f"no question (column {rq!r} is empty)")
                continue
        if not a.strip():
            res.error(line, f"no answer (column {ra!r} is empty)")
            continue
        ext = _as_text(rec.get(id_col)).strip() if id_col else ""
        subj = _as_text(rec.get(s_col)) if s_col else ""
        created = _as_text(rec.get(c_col)).strip() if c_col else ""
        too_long = None
        for field, value in (("question", q), ("answer", a), ("subject", subj)):
            if len(value) > MAX_FIELD_CHARS:
                too_long = (field, len(value))
                break
        if too_long:
            res.error(line, f"the {too_long[0]} is too long ({too_long[1]:,} characters; the limit is {MAX_FIELD_CHARS:,})")
            continue
        if is_json:
            used = (rq, ra, rctx, id_col, s_col, c_col)
            extra = {c: v for c, v in rec.items() if c not in used and v not in (None, "")}
        else:
            extra = {c: rec[c] for c in extra_cols if rec.get(c) not in (None, "")}
        extra_json = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        if extra_json and len(extra_json) > MAX_FIELD_CHARS:
            res.error(line, f"the other columns are too long ({len(extra_json):,} characters; "
                            f"the limit is {MAX_FIELD_CHARS:,})")
            continue
        rows.append((line, ext or None, subj or None, q, a, created or None, extra_json,
                     content_hash(ext, q, a)))
    return res


def _existing_hashes(ws: Workspace, hashes: list[str]) -> set[str]:
    if not hashes:
        return set()
    import pyarrow as pa

    # Arrow tables are read by name through DuckDB's replacement scan (a local variable).
    # (`con.register` is refused in DuckDB 2 while any earlier result on the connection is
    # not fetched to the end, e.g. after a `fetchone()`.)
    _pairsmith_import_hashes = pa.table({"h": pa.array(hashes, type=pa.string())})  # noqa: F841
    found = ws.con.execute(
        "SELECT DISTINCT t.content_hash FROM tickets t JOIN _pairsmith_import_hashes i ON t.content_hash = i.h"
    ).fetchall()
    return {r[0] for r in found}


def _ids(ws: Workspace, seq: str, n: int) -> list[int]:
    if n == 0:
        return []
    rows = ws.con.execute(f"SELECT nextval('{seq}') AS id FROM range({int(n)})").fetchall()
    return [r[0] for r in rows]


def import_files(ws: Workspace, paths: Sequence[str | os.PathLike] | str | os.PathLike,
                 mapping: dict | None = None, progress: ProgressFn | None = None,
                 cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Import ticket files. Returns {"imported", "duplicates_skipped", "errors", "files"}.

    All files of one call are one transaction. Raises BadInput for an unreadable file or one
    without usable question/answer columns (nothing is imported then), and
    PairsmithError("cancelled") when `cancel()` turns true (nothing is imported either).
    """
    import pyarrow as pa

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not paths:
        raise BadInput("no files to import")
    override = check_mapping(mapping)

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise ImportCancelled()

    # 1. read every file (nothing touches the workspace yet)
    results: list[_FileResult] = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise BadInput(f"{path}: file not found" if not path.exists() else f"{path}: is not a file")
        results.append(_read_file(path, override, progress, cancel))
        check_cancel()

    # 2. duplicates: within this import and against the workspace
    all_hashes = [r[7] for res in results for r in res.rows]
    existing = _existing_hashes(ws, all_hashes)
    seen: set[str] = set(existing)
    keep: list[tuple[_FileResult, tuple]] = []
    for res in results:
        for r in res.rows:
            if r[7] in seen:
                res.duplicates += 1
                continue
            seen.add(r[7])
            keep.append((res, r))

    # 3. draft instruction/response for the new tickets
    total = len(keep)
    instructions: list[str] = []
    responses: list[str] = []
    step = max(1000, total // 100)
    for i, (_, r) in enumerate(keep):
        if i % step == 0:
            if progress is not None:
                progress(i, total, "Drafting pairs")
            check_cancel()
        q, a, subj = r[3], r[4], r[2]
        instructions.append(drafting.draft_question(q, subj) or _norm(q) or _norm(subj))
        responses.append(drafting.draft_answer(a) or _norm(a))
    if progress is not None:
        progress(total, total, "Drafting pairs")
    check_cancel()

    # 4. write: one transaction for everything
    now = _dt.datetime.now().replace(microsecond=0)
    summary_files = []
    for res in results:
        n_new = sum(1 for rr, _ in keep if rr is res)
        summary_files.append({
            "file": res.name, "path": str(res.path.resolve()), "format": res.info["format"],
            "encoding": res.info.get("encoding"), "delimiter": res.info.get("delimiter"),
            "mapping": res.mapping, "imported": n_new, "duplicates_skipped": res.duplicates,
            "errors": len(res.errors), "source_id": None,
        })
    if progress is not None:
        progress(0, total, "Saving")
    with ws.transaction():
        source_ids: dict[int, int] = {}
        for idx, (res, fs) in enumerate(zip(results, summary_files)):
            if fs["imported"] == 0:
                continue  # re-import of known tickets (or only bad rows): nothing to record
            sid = ws.con.execute(
                """INSERT INTO sources (name, path, sha256, format, mapping, imported_at, rows_imported,
                                        rows_skipped, errors)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                [res.name, fs["path"], res.sha256, res.info["format"], json.dumps(res.mapping), now,
                 fs["imported"], fs["duplicates_skipped"] + fs["errors"],
                 json.dumps(res.errors[:MAX_STORED_ERRORS], ensure_ascii=False)],
            ).fetchall()[0][0]
            source_ids[idx] = sid
            fs["source_id"] = sid
        if total:
            ticket_ids = _ids(ws, "ticket_seq", total)
            pair_ids = _ids(ws, "pair_seq", total)
            index_of = {id(res): i for i, res in enumerate(results)}
            src = [source_ids[index_of[id(res)]] for res, _ in keep]
            rows = [r for _, r in keep]
            _pairsmith_import_tickets = pa.table({  # noqa: F841 (read by name in the SQL below)
                "id": pa.array(ticket_ids, type=pa.int32()),
                "source_id": pa.array(src, type=pa.int32()),
                "line": pa.array([r[0] for r in rows], type=pa.int32()),
                "external_id": pa.array([r[1] for r in rows], type=pa.string()),
                "subject": pa.array([r[2] for r in rows], type=pa.string()),
                "question": pa.array([r[3] for r in rows], type=pa.string()),
                "answer": pa.array([r[4] for r in rows], type=pa.string()),
                "created_at": pa.array([r[5] for r in rows], type=pa.string()),
                "extra": pa.array([r[6] for r in rows], type=pa.string()),
                "content_hash": pa.array([r[7] for r in rows], type=pa.string()),
            })
            del rows
            _pairsmith_import_pairs = pa.table({  # noqa: F841
                "id": pa.array(pair_ids, type=pa.int32()),
                "ticket_id": pa.array(ticket_ids, type=pa.int32()),
                "instruction": pa.array(instructions, type=pa.string()),
                "response": pa.array(responses, type=pa.string()),
            })
            ws.con.execute(
                """INSERT INTO tickets (id, source_id, line, external_id, subject, question, answer,
                                        created_at, extra, content_hash)
                   SELECT id, source_id, line, external_id, subject, question, answer, created_at,
                          CAST(extra AS JSON), content_hash FROM _pairsmith_import_tickets"""
            )
            if progress is not None:
                progress(total // 2, total, "Saving")
            _before_pairs_insert()
            ws.con.execute(
                """INSERT INTO pairs (id, ticket_id, instruction, response, status, origin, created_at)
                   SELECT id, ticket_id, instruction, response, 'new', 'import', ? FROM _pairsmith_import_pairs""",
                [now],
            )
    if progress is not None:
        progress(total, total, "Saving")
    errors = [e for res in results for e in res.errors]
    return {
        "imported": total,
        "duplicates_skipped": sum(res.duplicates for res in results),
        "errors": errors,
        "files": summary_files,
    }


def _before_pairs_insert() -> None:
    """A seam for tests: a failure here must leave the workspace as it was."""
