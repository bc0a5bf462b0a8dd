"""Import ticket exports into a workspace: tickets (raw), pairs (drafted) and sources.

    import_files(ws, paths, mapping=None, progress=None, cancel=None, *, mappings=None) -> summary dict

All files of one call go in, or nothing does (the command line and the desktop's import page
both make one call for all their files), but not in one DuckDB transaction: DuckDB holds an
uncommitted transaction in memory, so one transaction for a 100,000-ticket export grew the
process by about 9 MB per 1,000 tickets. Instead the import records a pending mark in the
workspace (engine.workspace.store.begin_import), writes and commits its new rows in steps (the
flat files' rows in one, a helpdesk export HELPDESK_CHUNK pairs at a time), then makes one final
transaction with the updates of tickets from an earlier import whose conversation grew, the
sources' counts and the mark's removal. On any failure or Cancel the rows above the mark are
deleted again (store.discard_pending_import), and opening a workspace whose import was killed
midway does the same. Rows are read and drafted in Python, then written column-wise through
Arrow tables (`INSERT ... SELECT` from a table made readable with `Workspace.registered`), never
row by row. A helpdesk export is streamed: its tickets are read one at a time, so its memory
does not grow with the export (but for the grown tickets' updates, kept for the final step). The
flat files (CSV, XLSX, JSON, conversation exports) are read fully into Python first. A ticket
that is already in the workspace (same normalised external id, question and answer) is counted
as a duplicate and skipped, so re-importing a file adds nothing. Bad rows are skipped and reported with their line and a reason; an unreadable file
raises `BadInput`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Sequence

from engine.ingest import drafting
from engine.ingest import limits
from engine.ingest import detect, tables
from engine.ingest import mapping as mappings
from engine.ingest.mapping import ALL_FIELDS, as_text, check_mapping, resolve_mapping, resolve_thread_mapping
from engine.ingest import threads
from engine.ingest import helpdesk, tickets_import, vendors
from engine.ingest.detect import excel_serial_date as _excel_serial_date, file_sha256  # noqa: F401  (kept importable here)
from engine.workspace.errors import BadInput
from engine.workspace.progress import ProgressFn, raise_if_cancelled
from engine.workspace.store import Workspace, begin_import, discard_pending_import, end_import

MAX_FIELD_CHARS = limits.MAX_FIELD_CHARS
MAX_STORED_ERRORS = 1000  # per source row in the workspace; the returned summary has them all
_WS = re.compile(r"\s+")


def _norm(value: str | None) -> str:
    if not value:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", value)).strip()


def content_hash(external_id: str | None, question: str, answer: str) -> str:
    key = "\x1f".join((_norm(external_id), _norm(question), _norm(answer)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()



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
        self.shape = "pairs"
        self.skipped: dict[str, int] = {}  # conversation exports: messages not used, per reason
        self.messages = 0
        self.conversations = 0
        self.vendor: str | None = None  # a helpdesk export (engine.ingest.vendors)
        self.stats: dict[str, int] = {}
        self.summary = ""
        self.imported = 0  # tickets written
        self.updated = 0   # tickets of an earlier import whose conversation grew

    def error(self, line: int, reason: str) -> None:
        self.errors.append({"file": self.name, "line": line, "reason": reason})


def _read_file(path: Path, override: dict[str, str], progress: ProgressFn | None,
               cancel: Callable[[], bool] | None) -> _FileResult:
    info = detect.detect(path)
    res = _FileResult(path, info)
    res.sha256 = file_sha256(path)
    columns, records = tables.open_records(path, info, on_error=res.error, progress=progress, cancel=cancel)
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
        records = buffered
        limits.check_columns(path.name, columns)
    pair_error: BadInput | None = None
    if set(override) & (set(mappings.THREAD_FIELDS) - set(ALL_FIELDS)):
        mapping = None  # the user named conversation-export fields
    else:
        try:
            mapping = resolve_mapping(path.name, columns, override)
        except BadInput:
            if "question" in override or "answer" in override:
                raise
            mapping = None
            pair_error = sys.exc_info()[1]  # type: ignore[assignment]
    if mapping is None:
        # no question/answer columns: maybe a conversation export (one row per message)
        buffered = records if isinstance(records, list) else list(records)
        thread = resolve_thread_mapping(path.name, columns, [r for _, r in buffered[:mappings.DETECT_ROWS]], override)
        if thread is None:
            exc = pair_error or BadInput(f"{path.name}: no question and answer columns found")
            raise BadInput(f"{exc} (it is not a Zendesk, Freshdesk, Jira Service Management, ServiceNow or "
                           f"mailbox export either, which are recognised by themselves)") from None
        res.mapping = thread
        _read_thread(res, thread, buffered, progress, cancel)
        return res
    res.mapping = mapping
    q_col, a_col = mapping["question"], mapping["answer"]
    id_col, s_col, c_col = mapping.get("id"), mapping.get("subject"), mapping.get("created")
    ctx_col = mapping.get("context")
    mapped = set(mapping.values())
    extra_cols = [c for c in columns if c not in mapped]
    rows = res.rows
    is_json = info["format"] in ("json", "jsonl")
    for line, rec in records:
        if is_json and (q_col not in rec or a_col not in rec):
            # a JSON file mixing shapes (chat, instruction/response, ...): map this record alone
            # (a column the user chose is kept where the record has it)
            own = mappings.guess_mapping(list(rec))
            rq = q_col if q_col in rec else own.get("question", q_col)
            ra = a_col if a_col in rec else own.get("answer", a_col)
            rctx = ctx_col if ctx_col and ctx_col in rec else own.get("context")
        else:
            rq, ra, rctx = q_col, a_col, ctx_col
        q = as_text(rec.get(rq))
        a = as_text(rec.get(ra))
        if rctx:
            ctx = as_text(rec.get(rctx)).strip()
            if ctx:
                q = f"{q}\n\n{ctx}" if q.strip() else ctx
        if not q.strip():
            subj = as_text(rec.get(s_col)) if s_col else ""
            if not subj.strip():
                res.error(line, f"no question (column {rq!r} is empty)")
                continue
        if not a.strip():
            res.error(line, f"no answer (column {ra!r} is empty)")
            continue
        ext = as_text(rec.get(id_col)).strip() if id_col else ""
        subj = as_text(rec.get(s_col)) if s_col else ""
        created = as_text(rec.get(c_col)).strip() if c_col else ""
        if created and info["format"] == "xlsx":
            created = _excel_serial_date(created)
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



def _id_text(value: Any) -> str:
    """An id cell as text; "119236.0" (a spreadsheet's float) reads as "119236"."""
    s = as_text(value).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        return s[:-2]
    return s


def _read_thread(res: _FileResult, mapping: dict[str, str], records: list[tuple[int, dict]],
                 progress: ProgressFn | None, cancel: Callable[[], bool] | None) -> None:
    """Messages -> pairs (engine.ingest.threads) -> res.rows; broken rows -> res.errors, messages that
    make no pair -> res.skipped (counted per reason)."""
    res.shape = "thread"
    g = mapping.get
    mid_col, rto_col, conv_col, role_col = g("message_id"), g("reply_to"), g("conversation"), g("role")
    author_col, body_col, created_col, seq_col, pub_col = (g("author"), g("body"), g("created"),
                                                          g("sequence"), g("public"))
    priv_col = g("private")
    customer = {v.strip().lower() for v in (g("customer") or "").split(",") if v.strip()}
    by_reply = rto_col is not None
    xlsx = res.info["format"] == "xlsx"
    messages: list[threads.Message] = []
    first_line: dict[str, int] = {}
    for line, rec in records:
        mid = _id_text(rec.get(mid_col)) if mid_col else ""
        if by_reply:
            if not mid:
                res.error(line, f"no message id (column {mid_col!r} is empty)")
                continue
            if mid in first_line:
                res.error(line, f"message id {mid!r} appears twice (first on line {first_line[mid]})")
                continue
            first_line[mid] = line
        conv = _id_text(rec.get(conv_col)) if conv_col else ""
        if not by_reply and not conv:
            res.error(line, f"no conversation id (column {conv_col!r} is empty)")
            continue
        text = as_text(rec.get(body_col))
        if len(text) > MAX_FIELD_CHARS:
            res.error(line, f"the message is too long ({len(text):,} characters; the limit is {MAX_FIELD_CHARS:,})")
            continue
        who = as_text(rec.get(role_col)).strip().lower() if role_col else ""
        is_customer = (who in customer) if who else None
        internal = pub_col is not None and as_text(rec.get(pub_col)).strip().lower() in ("false", "0", "no", "n", "f")
        if not internal and priv_col is not None:
            internal = as_text(rec.get(priv_col)).strip().lower() in ("true", "1", "yes", "y", "t")
        messages.append(threads.Message(
            line=line, id=mid or f"line {line}", text=text, customer=is_customer,
            reply_to=_id_text(rec.get(rto_col)) if rto_col else "", conversation=conv,
            author=as_text(rec.get(author_col)).strip() if author_col else "",
            created=(_excel_serial_date(as_text(rec.get(created_col)).strip()) if xlsx
                     else as_text(rec.get(created_col)).strip()) if created_col else "",
            sequence=as_text(rec.get(seq_col)).strip() if seq_col else "", internal=internal))
    if role_col and author_col is None:
        for m in messages:
            if m.customer is None:
                m.author = ""  # no author to fall back on: counted as "sender unknown"
    if progress is not None:
        progress(0, len(messages), "Pairing messages")
    result = threads.make_pairs(messages, by_reply, cancel)
    if progress is not None:
        progress(len(messages), len(messages), "Pairing messages")
    res.skipped = result.skipped
    res.messages, res.conversations = len(records), result.conversations
    for p in result.pairs:
        if len(p.question) > MAX_FIELD_CHARS or len(p.answer) > MAX_FIELD_CHARS:
            field = "question" if len(p.question) > MAX_FIELD_CHARS else "answer"
            n = max(len(p.question), len(p.answer))
            res.error(p.line, f"the joined {field} is too long ({n:,} characters; the limit is {MAX_FIELD_CHARS:,})")
            continue
        extra = {"question_messages": list(p.question_ids), "answer_messages": list(p.answer_ids)}
        if p.conversation:
            extra["conversation"] = p.conversation
        res.rows.append((p.line, p.external_id or None, None, p.question, p.answer, p.created or None,
                         json.dumps(extra, ensure_ascii=False), content_hash(p.external_id, p.question, p.answer)))


def _existing_hashes(ws: Workspace, hashes: list[str]) -> set[str]:
    if not hashes:
        return set()
    import pyarrow as pa

    table = pa.table({"h": pa.array(hashes, type=pa.string())})
    with ws.registered("_pairsmith_import_hashes", table) as name:
        found = ws.con.execute(
            f"SELECT DISTINCT t.content_hash FROM tickets t JOIN {name} i ON t.content_hash = i.h"
        ).fetchall()
    return {r[0] for r in found}


def _ids(ws: Workspace, seq: str, n: int) -> list[int]:
    if n == 0:
        return []
    rows = ws.con.execute(f"SELECT nextval('{seq}') AS id FROM range({int(n)})").fetchall()
    return [r[0] for r in rows]


def _file_progress(progress: ProgressFn | None, name: str, i: int, n: int) -> ProgressFn | None:
    """Reading one file of several: its messages start with "name (i/n)"."""
    if progress is None or n == 1:
        return progress

    def report(done: int, total: int, message: str = "") -> None:
        prefix = f"{name} ({i + 1}/{n})"
        progress(done, total, f"{prefix}: {message}" if message else prefix)

    return report


def import_files(ws: Workspace, paths: Sequence[str | os.PathLike] | str | os.PathLike,
                 mapping: dict | None = None, progress: ProgressFn | None = None,
                 cancel: Callable[[], bool] | None = None, *,
                 mappings: Sequence[dict | None] | None = None, pairs: str = "resolution") -> dict[str, Any]:
    """Import ticket files. Returns {"imported", "duplicates_skipped", "errors", "skipped",
    "shape", "files"}. A conversation export (one row per message, see engine.ingest.threads) becomes
    pairs too: "shape" is then "thread" and "skipped" counts the messages that made no pair,
    per reason ({"no reply": 12, ...}; empty for question/answer files).

    `mapping` names columns for every file; `mappings` (one per path, in order; None or {} for
    the engine's guess) gives each file its own, as the import page does.

    A helpdesk export (Zendesk, Freshdesk, Jira Service Management, ServiceNow, a mailbox; found
    by its content, see engine.ingest.vendors) is read ticket by ticket: `pairs` "resolution"
    (one pair per ticket: the reply that resolved it) or "per-exchange" (one per exchange).
    "shape" is then "helpdesk", each file has its "vendor" and "summary", "updated" counts the
    tickets of an earlier import whose conversation grew (engine.ingest.tickets_import).

    All files of one call go in or none does (committed in steps under a pending mark, see the
    module's docstring). Raises BadInput for an unreadable file or one
    without usable question/answer columns (nothing is imported then), and
    `Cancelled` when `cancel()` turns true (nothing is imported either).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    if not paths:
        raise BadInput("no files to import")
    if mappings is None:
        overrides = [check_mapping(mapping)] * len(paths)
    else:
        if mapping is not None:
            raise TypeError("pass mapping (one for every file) or mappings (one per file), not both")
        if len(mappings) != len(paths):
            raise TypeError(f"{len(mappings)} mappings for {len(paths)} files")
        overrides = [check_mapping(m or None) for m in mappings]

    def check_cancel() -> None:
        raise_if_cancelled(cancel)

    if pairs not in helpdesk.MODES:
        raise BadInput(f"--pairs {pairs!r}: use {' or '.join(helpdesk.MODES)}")

    # 1. read every flat file (nothing touches the workspace yet); helpdesk exports are
    #    streamed later, inside the transaction (step 4)
    results: list[_FileResult] = []
    found: list[str | None] = []
    for p, override in zip(paths, overrides):
        path = Path(p)
        if not path.is_file():
            raise BadInput(f"{path}: file not found" if not path.exists() else f"{path}: is not a file")
        found.append(None if override else vendors.sniff(path))
    if "freshdesk-conv" in found and "freshdesk" not in found:
        # Freshdesk's ticket CSV exported with fewer columns: known by its conversations file
        found = [k or ("freshdesk" if not o and vendors.loose_freshdesk_csv(p) else None)
                 for p, o, k in zip(paths, overrides, found)]
    kinds: list[tuple[Path, str]] = []
    for i, (p, override, kind) in enumerate(zip(paths, overrides, found)):
        path = Path(p)
        if kind:
            kinds.append((path, kind))
            continue
        results.append(_read_file(path, override, _file_progress(progress, path.name, i, len(paths)), cancel))
        check_cancel()
    groups = [(kind, main, side, tickets_import.helpdesk_results(kind, main, side, _FileResult))
              for kind, main, side in vendors.group_paths(kinds)]

    # 2. duplicates: within this import and against the workspace
    existing = _existing_hashes(ws, [r[7] for res in results for r in res.rows])
    seen: set[str] = set(existing)
    keep: list[tuple[_FileResult, tuple]] = []
    for res in results:
        for r in res.rows:
            if r[7] in seen:
                res.duplicates += 1
                continue
            seen.add(r[7])
            keep.append((res, r))
    for res in results:
        res.rows = []  # what is kept is in `keep`

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
    if progress is not None and total:
        progress(total, total, "Drafting pairs")
    check_cancel()

    # 4. write in steps: a pending mark (committed), the flat files' rows (one step), each
    #    helpdesk chunk (one step each), then one final transaction with the updates of tickets
    #    from an earlier import, the sources' counts and the mark's removal. Any failure or
    #    Cancel removes what the steps committed (store.discard_pending_import).
    now = _dt.datetime.now().replace(microsecond=0)
    for res in results:
        res.imported = sum(1 for rr, _ in keep if rr is res)
    if progress is not None and total:
        progress(0, total, "Saving")
    begin_import(ws)
    try:
        sources = _Sources(ws, now)
        if total:
            with ws.transaction():
                src = [sources.id_of(res) for res, _ in keep]
                _insert_rows(ws, src, [r for _, r in keep], instructions, responses, now)
            del src
        del keep, instructions, responses
        if progress is not None and total:
            progress(total, total, "Saving")
        deferred: dict[str, tuple[_FileResult, tuple, int]] = {}
        for kind, main, side, group in groups:
            _write_helpdesk(ws, sources, kind, main, side, group, pairs, now, progress, cancel, deferred)
            results.extend(group)
        check_cancel()
        with ws.transaction():
            updated, redrafted, flagged = _apply_deferred(ws, sources, deferred, now)
            sources.finish(results)
            _before_import_end()
            end_import(ws)
    except BaseException:
        # a cleanup that fails too leaves the mark: the next import or opening cleans up then
        with contextlib.suppress(Exception):
            discard_pending_import(ws)
        raise
    errors = [e for res in results for e in res.errors]
    skipped: dict[str, int] = {}
    for res in results:
        for reason, n in res.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    shapes = {res.shape for res in results}
    return {
        "updated": updated, "updated_redrafted": redrafted, "updated_flagged": flagged,
        "imported": sum(res.imported for res in results),
        "duplicates_skipped": sum(res.duplicates for res in results),
        "errors": errors,
        "skipped": skipped,
        "shape": shapes.pop() if len(shapes) == 1 else "mixed",
        "files": [_file_summary(res, sources.ids.get(id(res))) for res in results],
    }


def _file_summary(res: _FileResult, source_id: int | None) -> dict[str, Any]:
    fs = {"file": res.name, "path": str(res.path.resolve()), "format": res.info["format"],
          "encoding": res.info.get("encoding"), "delimiter": res.info.get("delimiter"),
          "mapping": res.mapping, "imported": res.imported, "duplicates_skipped": res.duplicates,
          "errors": len(res.errors), "source_id": source_id, "shape": res.shape}
    if res.vendor:
        fs.update(vendor=res.vendor, summary=res.summary, skipped=res.skipped, updated=res.updated, **res.stats)
    if res.shape == "thread":
        fs.update(skipped=res.skipped, messages=res.messages, conversations=res.conversations)
    return fs


class _Sources:
    """The `sources` row of each file, written when its first ticket is (a file that adds and
    updates nothing gets none); its counts and errors are filled in by `finish`."""

    def __init__(self, ws: Workspace, now: _dt.datetime):
        self.ws, self.now = ws, now
        self.ids: dict[int, int] = {}

    def id_of(self, res: _FileResult) -> int:
        sid = self.ids.get(id(res))
        if sid is None:
            sid = self.ws.con.execute(
                """INSERT INTO sources (name, path, sha256, format, mapping, imported_at, rows_imported,
                                        rows_skipped, errors)
                   VALUES (?, ?, ?, ?, ?, ?, 0, 0, '[]') RETURNING id""",
                [res.name, str(res.path.resolve()), res.sha256, res.info["format"], json.dumps(res.mapping),
                 self.now]).fetchall()[0][0]
            self.ids[id(res)] = sid
        return sid

    def finish(self, results: list[_FileResult]) -> None:
        for res in results:
            sid = self.ids.get(id(res))
            if sid is None:
                continue
            self.ws.con.execute(
                "UPDATE sources SET rows_imported = ?, rows_skipped = ?, errors = ? WHERE id = ?",
                [res.imported, res.duplicates + len(res.errors) + sum(res.skipped.values()),
                 json.dumps(res.errors[:MAX_STORED_ERRORS], ensure_ascii=False), sid])


def _insert_rows(ws: Workspace, source_ids: list[int], rows: list[tuple], instructions: list[str],
                 responses: list[str], now: _dt.datetime) -> None:
    """New tickets and their drafted pairs, column-wise through Arrow (the one insert path of
    every import: the flat files' rows at once, a helpdesk export's chunk by chunk)."""
    import pyarrow as pa

    n = len(rows)
    if not n:
        return
    ticket_ids = _ids(ws, "ticket_seq", n)
    pair_ids = _ids(ws, "pair_seq", n)
    tickets = pa.table({
        "id": pa.array(ticket_ids, type=pa.int32()),
        "source_id": pa.array(source_ids, type=pa.int32()),
        "line": pa.array([r[0] for r in rows], type=pa.int32()),
        "external_id": pa.array([r[1] for r in rows], type=pa.string()),
        "subject": pa.array([r[2] for r in rows], type=pa.string()),
        "question": pa.array([r[3] for r in rows], type=pa.string()),
        "answer": pa.array([r[4] for r in rows], type=pa.string()),
        "created_at": pa.array([r[5] for r in rows], type=pa.string()),
        "extra": pa.array([r[6] for r in rows], type=pa.string()),
        "content_hash": pa.array([r[7] for r in rows], type=pa.string()),
    })
    with ws.registered("_pairsmith_import_tickets", tickets) as name:
        ws.con.execute(
            f"""INSERT INTO tickets (id, source_id, line, external_id, subject, question, answer,
                                     created_at, extra, content_hash)
                SELECT id, source_id, line, external_id, subject, question, answer, created_at,
                       CAST(extra AS JSON), content_hash FROM {name}"""
        )
    del tickets
    pairs = pa.table({
        "id": pa.array(pair_ids, type=pa.int32()),
        "ticket_id": pa.array(ticket_ids, type=pa.int32()),
        "instruction": pa.array(instructions, type=pa.string()),
        "response": pa.array(responses, type=pa.string()),
    })
    _before_pairs_insert()
    with ws.registered("_pairsmith_import_pairs", pairs) as name:
        ws.con.execute(
            f"""INSERT INTO pairs (id, ticket_id, instruction, response, status, origin, created_at)
                SELECT id, ticket_id, instruction, response, 'new', 'import', ? FROM {name}""",
            [now],
        )


HELPDESK_CHUNK = 2000  # tickets' pairs drafted, written and committed at a time: memory stays bounded by this


def _write_helpdesk(ws: Workspace, sources: _Sources, kind: str, main: list[Path], side: list[Path],
                    results: list[_FileResult], mode: str, now: _dt.datetime, progress: ProgressFn | None,
                    cancel: Callable[[], bool] | None,
                    deferred: dict[str, tuple[_FileResult, tuple, int]]) -> None:
    """The group's tickets read lazily; the new ones written HELPDESK_CHUNK pairs at a time,
    each chunk its own committed step (the import's pending mark covers them). A key already in
    the workspace with the same content is a duplicate; with other content an update, kept in
    `deferred` ({key: (result, row, ticket id)}, a later row of the same key replacing an earlier one) for
    the import's final transaction (_apply_deferred), so that a failed import changes no ticket
    of an earlier one. Only the keys seen and the known keys' (ticket id, hash) are kept across
    chunks, besides the deferred updates."""
    known = tickets_import.known_tickets(ws, kind)
    seen_keys: set[str] = set()
    done = 0

    def flush(chunk: list[tuple[_FileResult, tuple]]) -> None:
        nonlocal done
        new: list[tuple[_FileResult, tuple]] = []
        for res, r in chunk:
            key = r[8]
            old = known.get(key)
            later = deferred.get(key)  # an update from an earlier group of this call
            if key in seen_keys or (later is not None and later[1][7] == r[7]) or (
                    later is None and old is not None and old[1] == r[7]):
                res.duplicates += 1
                continue
            seen_keys.add(key)
            if old is not None:
                deferred[key] = (res, r, later[2] if later is not None else old[0])
            else:
                new.append((res, r))
        if new:
            with ws.transaction():
                _insert_rows(ws, [sources.id_of(res) for res, _ in new], [r for _, r in new],
                             [r[9] for _, r in new], [r[10] for _, r in new], now)
            for res, _ in new:
                res.imported += 1
        done += len(chunk)
        if progress is not None:
            progress(done, 0, f"Saving {results[0].name}: {done:,} pairs")
        raise_if_cancelled(cancel)

    chunk: list[tuple[_FileResult, tuple]] = []
    for item in tickets_import.iter_helpdesk(kind, main, side, mode, results, progress, cancel):
        chunk.append(item)
        if len(chunk) >= HELPDESK_CHUNK:
            flush(chunk)
            chunk = []
    if chunk:
        flush(chunk)
    tickets_import.finish_helpdesk(kind, main, side, results)


def _apply_deferred(ws: Workspace, sources: _Sources, deferred: dict[str, tuple[_FileResult, tuple, int]],
                    now: _dt.datetime) -> tuple[int, int, int]:
    """Inside the import's final transaction: the updates of tickets from an earlier import
    whose conversation grew (engine.ingest.tickets_import.apply_updates), HELPDESK_CHUNK at a
    time. Returns (updated, redrafted, flagged)."""
    items = list(deferred.values())
    redrafted = flagged = 0
    for i in range(0, len(items), HELPDESK_CHUNK):
        part = items[i:i + HELPDESK_CHUNK]
        details = tickets_import.existing_keys(ws, {r[8]: tid for _, r, tid in part})
        rd, fl = tickets_import.apply_updates(
            ws, [(details[r[8]], r, r[9], r[10], sources.id_of(res)) for res, r, _ in part], now)
        for res, _, _ in part:
            res.updated += 1
        redrafted, flagged = redrafted + rd, flagged + fl
    return len(items), redrafted, flagged


def _before_pairs_insert() -> None:
    """A seam for tests: a failure here must leave the workspace as it was."""


def _before_import_end() -> None:
    """A seam for tests: a failure in the final step must leave the workspace as it was."""
