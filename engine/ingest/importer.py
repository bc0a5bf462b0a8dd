"""Import ticket exports into a workspace: tickets (raw), pairs (drafted) and sources.

    import_files(ws, paths, mapping=None, progress=None, cancel=None, *, mappings=None) -> summary dict

One call is one transaction: all files go in, or nothing does (the command line and the
desktop's import page both make one call for all their files). Rows are read and drafted in
Python, then written column-wise through Arrow tables (`INSERT ... SELECT` from a table made
readable with `Workspace.registered`), never row by row. A ticket that is already in the workspace (same normalised external
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
from engine.workspace.store import Workspace

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

    All files of one call are one transaction. Raises BadInput for an unreadable file or one
    without usable question/answer columns (nothing is imported then), and
    `Cancelled` when `cancel()` turns true (nothing is imported either).
    """
    import pyarrow as pa

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

    # 1. read every file (nothing touches the workspace yet)
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
    for kind, main, side in vendors.group_paths(kinds):
        results.extend(tickets_import.read_helpdesk(kind, main, side, pairs, _FileResult, progress, cancel))
        check_cancel()

    # 2. duplicates: within this import and against the workspace
    all_hashes = [r[7] for res in results for r in res.rows if len(r) == 8]
    existing = _existing_hashes(ws, all_hashes)
    seen: set[str] = set(existing)
    known = tickets_import.existing_keys(ws, [r[8] for res in results for r in res.rows if len(r) > 8])
    seen_keys: set[str] = set()
    keep: list[tuple[_FileResult, tuple]] = []
    grown: list[tuple[_FileResult, tuple, tickets_import.Known]] = []
    for res in results:
        for r in res.rows:
            if len(r) > 8:  # a helpdesk ticket: matched by the tool's own id
                old = known.get(r[8])
                if r[8] in seen_keys or (old is not None and old.content_hash == r[7]):
                    res.duplicates += 1
                    continue
                seen_keys.add(r[8])
                if old is not None:
                    grown.append((res, r, old))
                    continue
            elif r[7] in seen:
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
        if len(r) > 10:  # a helpdesk ticket: drafted message by message (tickets_import.draft)
            instructions.append(r[9])
            responses.append(r[10])
            continue
        q, a, subj = r[3], r[4], r[2]
        instructions.append(drafting.draft_question(q, subj) or _norm(q) or _norm(subj))
        responses.append(drafting.draft_answer(a) or _norm(a))
    if progress is not None:
        progress(total, total, "Drafting pairs")
    check_cancel()
    grown_drafts = [(r[9], r[10]) for _, r, _ in grown]

    # 4. write: one transaction for everything
    now = _dt.datetime.now().replace(microsecond=0)
    summary_files = []
    for res in results:
        n_new = sum(1 for rr, _ in keep if rr is res)
        summary_files.append({
            "file": res.name, "path": str(res.path.resolve()), "format": res.info["format"],
            "encoding": res.info.get("encoding"), "delimiter": res.info.get("delimiter"),
            "mapping": res.mapping, "imported": n_new, "duplicates_skipped": res.duplicates,
            "errors": len(res.errors), "source_id": None, "shape": res.shape,
        })
        if res.vendor:
            summary_files[-1].update(vendor=res.vendor, summary=res.summary, skipped=res.skipped,
                                     updated=sum(1 for rr, _, _ in grown if rr is res), **res.stats)
        if res.shape == "thread":
            summary_files[-1].update(skipped=res.skipped, messages=res.messages,
                                     conversations=res.conversations)
    if progress is not None:
        progress(0, total, "Saving")
    with ws.transaction():
        source_ids: dict[int, int] = {}
        for idx, (res, fs) in enumerate(zip(results, summary_files)):
            if fs["imported"] == 0 and not fs.get("updated"):
                continue  # re-import of known tickets (or only bad rows): nothing to record
            sid = ws.con.execute(
                """INSERT INTO sources (name, path, sha256, format, mapping, imported_at, rows_imported,
                                        rows_skipped, errors)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                [res.name, fs["path"], res.sha256, res.info["format"], json.dumps(res.mapping), now,
                 fs["imported"], fs["duplicates_skipped"] + fs["errors"] + sum(res.skipped.values()),
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
            tickets = pa.table({
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
            pairs = pa.table({
                "id": pa.array(pair_ids, type=pa.int32()),
                "ticket_id": pa.array(ticket_ids, type=pa.int32()),
                "instruction": pa.array(instructions, type=pa.string()),
                "response": pa.array(responses, type=pa.string()),
            })
            with ws.registered("_pairsmith_import_tickets", tickets) as name:
                ws.con.execute(
                    f"""INSERT INTO tickets (id, source_id, line, external_id, subject, question, answer,
                                             created_at, extra, content_hash)
                        SELECT id, source_id, line, external_id, subject, question, answer, created_at,
                               CAST(extra AS JSON), content_hash FROM {name}"""
                )
            del tickets
            if progress is not None:
                progress(total // 2, total, "Saving")
            _before_pairs_insert()
            with ws.registered("_pairsmith_import_pairs", pairs) as name:
                ws.con.execute(
                    f"""INSERT INTO pairs (id, ticket_id, instruction, response, status, origin, created_at)
                        SELECT id, ticket_id, instruction, response, 'new', 'import', ? FROM {name}""",
                    [now],
                )
        index_of_res = {id(res): i for i, res in enumerate(results)}
        redrafted, flagged = tickets_import.apply_updates(
            ws, [(old, r, q, a, source_ids[index_of_res[id(res)]])
                 for (res, r, old), (q, a) in zip(grown, grown_drafts)], now)
    if progress is not None:
        progress(total, total, "Saving")
    errors = [e for res in results for e in res.errors]
    skipped: dict[str, int] = {}
    for res in results:
        for reason, n in res.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    shapes = {res.shape for res in results}
    return {
        "updated": len(grown), "updated_redrafted": redrafted, "updated_flagged": flagged,
        "imported": total,
        "duplicates_skipped": sum(res.duplicates for res in results),
        "errors": errors,
        "skipped": skipped,
        "shape": shapes.pop() if len(shapes) == 1 else "mixed",
        "files": summary_files,
    }


def _before_pairs_insert() -> None:
    """A seam for tests: a failure here must leave the workspace as it was."""
