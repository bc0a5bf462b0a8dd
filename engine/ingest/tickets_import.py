"""Helpdesk exports (engine.ingest.vendors, engine.ingest.mail) -> rows for the importer, and the
re-import of a newer export of the same tool.

    helpdesk_results(kind, main, side, result_cls) -> [FileResult-like objects], nothing read yet
    iter_helpdesk(kind, main, side, mode, results, progress, cancel) -> lazy (result, row) pairs
    finish_helpdesk(kind, main, side, results)       the summary lines, after the last row
    read_helpdesk(kind, main, side, mode, result_cls, ...) -> the three above, rows kept (a preview)
    known_tickets(ws, vendor) -> {key: (ticket id, content hash)}
    existing_keys(ws, {key: ticket id}) -> {key: Known}
    apply_updates(ws, updates, now) -> (pairs redrafted, pairs flagged)
    preview_helpdesk(paths, n=5, mode="resolution") -> the wizard's / `pairsmith preview`'s summary

Each pair's ticket carries its key (`vendor:external id`, `#n` for the n-th exchange with
`--pairs per-exchange`) in `tickets.extra.helpdesk_key`. Re-importing the same export adds
nothing; a ticket whose conversation grew has its raw text updated, and its pair is redrafted
when nobody touched it yet (status new, never edited), else kept as the reviewer left it with a
`ticket_changed` flag saying the ticket changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from engine.ingest import helpdesk, vendors
from engine.workspace.store import Workspace

CHANGED_KIND = "ticket_changed"
NO_ANSWER = "no public reply from the help desk"
NO_QUESTION = "no question from the requester"


class Known(NamedTuple):
    ticket_id: int
    content_hash: str
    pair_id: int | None
    touched: bool
    messages: int


def ticket_key(vendor: str, external_id: str, exchange: int = 0) -> str:
    return f"{vendor}:{external_id}" + (f"#{exchange}" if exchange else "")


def row_hash(key: str, question: str, answer: str, ticket: helpdesk.Ticket) -> str:
    h = hashlib.sha256()
    for part in (key, question, answer):
        h.update(part.encode("utf-8", "replace"))
        h.update(b"\x1f")
    for p in ticket.posts:
        h.update(f"{int(p.internal)}{int(p.customer)}|{p.author}|{p.created}|{len(p.text)}\x1e".encode("utf-8", "replace"))
    return h.hexdigest()


def _drop_name_line(text: str, author: str) -> str:
    """A last line that is only the writer's name ("Marisol", "Keoni V.") goes: a sign-off."""
    lines = text.rstrip().split("\n")
    names = {w.lower().strip(".,") for w in re.split(r"[\s@._-]+", author or "") if len(w) > 1}
    if len(lines) > 1 and names:
        last = [w.lower().strip(".,!-") for w in lines[-1].split()]
        if 0 < len(last) <= 3 and all(w in names or len(w) <= 2 for w in last) and any(w in names for w in last):
            return "\n".join(lines[:-1]).rstrip()
    return text


_FIRST_SENTENCE = re.compile(r"\A([^\n.!?]{1,60}[.!?])[ \t]+(?=\S)")


def _drop_thanks(text: str) -> str:
    """An answer opening with a courtesy sentence ("Thanks Marisol.", "Thanks for waiting.")
    starts at the content."""
    text = text.strip()
    m = _FIRST_SENTENCE.match(text)
    if (m and re.match(r"(?i)\s*(?:many |thanks?\b|thank you|cheers)", m.group(1)) and helpdesk.is_courtesy(m.group(1))
            and not helpdesk.is_courtesy(text[m.end():])):
        rest = text[m.end():]
        return rest[0].upper() + rest[1:]
    return text


def draft(ticket: helpdesk.Ticket, pr: helpdesk.TicketPair) -> tuple[str, str]:
    """(instruction, response): each message cleaned on its own (its greeting, signature and
    quoted reply go), then joined."""
    from engine.ingest import drafting

    parts = []
    for n, i in enumerate(pr.question_ids):
        post = ticket.posts[i]
        if n == 0:
            d = drafting.draft_question(post.text, ticket.subject if pr.exchange <= 1 else None)
        else:
            d = post.cleaned()
        d = _drop_name_line(d, post.author)
        if d.strip():
            parts.append(d.strip())
    answer = [_drop_thanks(_drop_name_line(ticket.posts[i].cleaned(), ticket.posts[i].author))
              for i in pr.answer_ids]
    q = "\n\n".join(parts) or " ".join(pr.question.split())
    a = "\n\n".join(x for x in answer if x) or " ".join(pr.answer.split())
    return q, a


def ticket_rows(ticket: helpdesk.Ticket, mode: str, counts: tuple[int, int, int] | None = None
                ) -> tuple[list[tuple], str | None]:
    """The importer's rows for one ticket (line, ext, subject, question, answer, created, extra,
    hash, key) and, when it makes no pair, the reason. `counts`: ticket.counts(), when known."""
    pairs = helpdesk.ticket_pairs(ticket, mode)
    if not pairs:
        public = [p for p in ticket.posts if not p.internal and p.text.strip()]
        return [], (NO_QUESTION if any(not p.customer for p in public) and not any(p.customer for p in public)
                    else NO_ANSWER)
    rows = []
    public, internal, _ = counts or ticket.counts()
    for pr in pairs:
        key = ticket_key(ticket.vendor, ticket.external_id, pr.exchange)
        extra: dict[str, Any] = {"helpdesk": ticket.vendor, "helpdesk_key": key}
        if ticket.requester:
            extra["requester"] = ticket.requester
        if ticket.status:
            extra["status"] = ticket.status
        if pr.exchange:
            extra["exchange"] = pr.exchange
        extra["message_count"] = len(ticket.posts)
        extra["internal_notes"] = internal
        files = ticket.attachments
        if files:
            extra["attachments"] = files
        extra["messages"] = helpdesk.raw_messages(ticket, pr.question_ids, pr.answer_ids)
        created = ticket.posts[pr.question_ids[0]].created or ticket.created
        rows.append((ticket.line, ticket.external_id, ticket.subject or None, pr.question, pr.answer,
                     created or None, json.dumps(extra, ensure_ascii=False, default=str),
                     row_hash(key, pr.question, pr.answer, ticket), key, *draft(ticket, pr)))
    return rows, None


def helpdesk_results(kind: str, main: list[Path], side: list[Path], result_cls: Callable) -> list:
    """One result per file of the group (side files too: they hold no rows of their own), in
    the order main files, side files; nothing read yet but each file's hash."""
    from engine.ingest.detect import file_sha256

    results = []
    for p in list(main) + list(side):
        info = {"format": kind if p in main else f"{kind} ({'users' if kind == 'zendesk' else 'conversations'})",
                "encoding": None, "delimiter": None}
        res = result_cls(p, info)
        res.sha256 = file_sha256(p)
        res.shape = "helpdesk"
        res.mapping = {}
        res.vendor = kind
        res.stats = {"tickets": 0, "public_replies": 0, "internal_notes": 0, "attachments": 0}
        results.append(res)
    return results


def iter_helpdesk(kind: str, main: list[Path], side: list[Path], mode: str, results: list, progress=None,
                  cancel=None) -> Iterator[tuple[Any, tuple]]:
    """(result, row) for each pair of the group's tickets, read lazily (a ticket at a time, as
    the vendor reader yields them); each result's stats, skipped and errors fill as it goes."""
    by_name = {r.name: r for r in results}
    first = results[0]

    def on_error(file: str, line: int, reason: str) -> None:
        (by_name.get(file) or first).error(line, reason)

    for ticket in vendors.read_group(kind, main, side, on_error, progress, cancel):
        res = by_name.get(ticket.file) or first
        counts = ticket.counts()
        public, internal, files = counts
        st = res.stats
        st["tickets"] += 1
        st["public_replies"] += public
        st["internal_notes"] += internal
        st["attachments"] += files
        rows, why = ticket_rows(ticket, mode, counts)
        if why:
            res.skipped[why] = res.skipped.get(why, 0) + 1
        for row in rows:
            yield res, row


def finish_helpdesk(kind: str, main: list[Path], side: list[Path], results: list) -> None:
    """Each result's summary line, once its tickets are read."""
    for path, res in zip(list(main) + list(side), results):
        res.summary = (helpdesk.summary_line(kind, **res.stats) if res.stats["tickets"] or (path in main and kind != "mail")
                       else "e-mail in a thread that starts in another file" if kind == "mail"
                       else f"{helpdesk.VENDOR_NAMES.get(kind, kind)}: "
                            f"{'users (who is a requester, who an agent)' if kind == 'zendesk' else 'conversations'}"
                            f", read with the tickets")
        res.messages = res.stats["tickets"]
        res.conversations = res.stats["tickets"]


def read_helpdesk(kind: str, main: list[Path], side: list[Path], mode: str, result_cls: Callable,
                  progress=None, cancel=None, keep_rows: int | None = None) -> list:
    """The whole group read: one result per file with its rows (the first `keep_rows` of each
    file when given; `pairs` counts them all). The importer streams instead (iter_helpdesk)."""
    results = helpdesk_results(kind, main, side, result_cls)
    for res in results:
        res.pairs = 0
    for res, row in iter_helpdesk(kind, main, side, mode, results, progress, cancel):
        res.pairs += 1
        if keep_rows is None or len(res.rows) < keep_rows:
            res.rows.append(row)
    finish_helpdesk(kind, main, side, results)
    return results


def known_tickets(ws: Workspace, vendor: str) -> dict[str, tuple[int, str]]:
    """{key: (ticket id, content hash)} of the workspace's tickets from this helpdesk (one scan,
    before the import writes; small: two values a ticket)."""
    rows = ws.con.execute(
        """SELECT k, id, content_hash FROM (
               SELECT json_extract_string(extra, '$.helpdesk_key') AS k, id, content_hash FROM tickets
               WHERE json_extract_string(extra, '$.helpdesk') = ?)
           WHERE k IS NOT NULL ORDER BY id""", [vendor]).fetchall()
    out: dict[str, tuple[int, str]] = {}
    for k, tid, h in rows:
        out.setdefault(k, (int(tid), h))
    return out


def existing_keys(ws: Workspace, tickets: dict[str, int]) -> dict[str, Known]:
    """{key: Known} for {key: ticket id} (the tickets known_tickets found)."""
    if not tickets:
        return {}
    import pyarrow as pa

    table = pa.table({"k": pa.array(list(tickets), type=pa.string()),
                      "id": pa.array(list(tickets.values()), type=pa.int32())})
    with ws.registered("_pairsmith_import_keys", table) as name:
        rows = ws.con.execute(
            f"""SELECT i.k, t.id, t.content_hash, p.id,
                       (p.status <> 'new' OR p.updated_at IS NOT NULL
                        OR EXISTS (SELECT 1 FROM pair_history h WHERE h.pair_id = p.id)) AS touched,
                       CAST(json_extract(t.extra, '$.message_count') AS INTEGER)
                FROM tickets t JOIN {name} i ON t.id = i.id
                LEFT JOIN pairs p ON p.ticket_id = t.id
                ORDER BY p.id NULLS LAST"""
        ).fetchall()
    out: dict[str, Known] = {}
    for k, tid, h, pid, touched, n in rows:
        out.setdefault(k, Known(int(tid), h, None if pid is None else int(pid), bool(touched), int(n or 0)))
    return out


def apply_updates(ws: Workspace, updates: list[tuple[Known, tuple, str, str, int]], now) -> tuple[int, int]:
    """Inside the import's final transaction: new raw text for each grown ticket; its pair redrafted
    (untouched) or flagged (touched). `updates` holds (known, row, instruction, response, source id)."""
    if not updates:
        return 0, 0
    import pyarrow as pa

    t = pa.table({
        "id": pa.array([u[0].ticket_id for u in updates], type=pa.int32()),
        "source_id": pa.array([u[4] for u in updates], type=pa.int32()),
        "line": pa.array([u[1][0] for u in updates], type=pa.int32()),
        "subject": pa.array([u[1][2] for u in updates], type=pa.string()),
        "question": pa.array([u[1][3] for u in updates], type=pa.string()),
        "answer": pa.array([u[1][4] for u in updates], type=pa.string()),
        "created_at": pa.array([u[1][5] for u in updates], type=pa.string()),
        "extra": pa.array([u[1][6] for u in updates], type=pa.string()),
        "content_hash": pa.array([u[1][7] for u in updates], type=pa.string()),
    })
    with ws.registered("_pairsmith_import_updates", t) as name:
        ws.con.execute(
            f"""UPDATE tickets SET source_id = u.source_id, line = u.line, subject = u.subject,
                       question = u.question, answer = u.answer, created_at = u.created_at,
                       extra = CAST(u.extra AS JSON), content_hash = u.content_hash
                FROM {name} u WHERE tickets.id = u.id""")
    redraft = [u for u in updates if u[0].pair_id is not None and not u[0].touched]
    flagged = [u for u in updates if u[0].pair_id is not None and u[0].touched]
    if redraft:
        p = pa.table({"id": pa.array([u[0].pair_id for u in redraft], type=pa.int32()),
                      "instruction": pa.array([u[2] for u in redraft], type=pa.string()),
                      "response": pa.array([u[3] for u in redraft], type=pa.string())})
        with ws.registered("_pairsmith_import_redraft", p) as name:
            ws.con.execute(f"""UPDATE pairs SET instruction = u.instruction, response = u.response
                               FROM {name} u WHERE pairs.id = u.id""")
    for known, row, instruction, response, _ in flagged:
        extra = json.loads(row[6])
        grown = int(extra.get("message_count", 0)) - known.messages
        what = f"{grown} new message{'s' if grown != 1 else ''}" if grown > 0 else "its messages changed"
        fp = f"{CHANGED_KIND}:{row[7]}"
        if ws.con.execute("SELECT count(*) FROM flags WHERE fingerprint = ?", [fp]).fetchone()[0]:
            continue
        ws.con.execute(
            """INSERT INTO flags (kind, severity, score, pair_ids, explanation, details, status, fingerprint,
                                  created_at)
               VALUES (?, 'medium', NULL, ?, ?, ?, 'open', ?, ?)""",
            [CHANGED_KIND, [known.pair_id],
             f"Ticket {row[1]} changed in a newer export ({what}); your edits were kept: compare the pair with "
             f"the ticket's new question and answer.",
             json.dumps({"external_id": row[1], "key": extra.get("helpdesk_key"), "new_question": row[3][:2000],
                         "new_answer": row[4][:2000], "suggested_instruction": instruction[:2000],
                         "suggested_response": response[:2000]}, ensure_ascii=False), fp, now])
    return len(redraft), len(flagged)


class _PreviewResult:
    """What read_helpdesk fills for a preview (the importer passes its own result class)."""

    def __init__(self, path: Path, info: dict):
        self.path, self.name, self.info = path, path.name, info
        self.rows: list[tuple] = []
        self.errors: list[dict] = []
        self.skipped: dict[str, int] = {}

    def error(self, line: int, reason: str) -> None:
        self.errors.append({"file": self.name, "line": line, "reason": reason})


def preview_helpdesk(paths: list[str | Path], n: int = 5, mode: str = "resolution") -> dict[str, Any] | None:
    """What the import would make of helpdesk files, nothing written: {"vendor", "summary",
    "files", "pairs": first n drafted pairs, "errors", "skipped", "tickets", ...}; None when no
    file is a helpdesk export."""
    kinds = [(Path(p), vendors.sniff(p)) for p in paths]
    found = [(p, k) for p, k in kinds if k]
    if not found:
        return None
    out: dict[str, Any] = {"shape": "helpdesk", "groups": [], "pairs": [], "errors": [], "skipped": {}}
    for kind, main, side in vendors.group_paths(found):
        results = read_helpdesk(kind, main, side, mode, _PreviewResult, keep_rows=n)
        stats = {k: sum(r.stats[k] for r in results) for k in results[0].stats}
        out["groups"].append({"vendor": kind, "files": [r.name for r in results],
                              "summary": helpdesk.summary_line(kind, **stats), **stats,
                              "pairs": sum(r.pairs for r in results)})
        for r in results:
            out["errors"].extend(r.errors)
            for why, c in r.skipped.items():
                out["skipped"][why] = out["skipped"].get(why, 0) + c
            for row in r.rows:
                if len(out["pairs"]) >= n:
                    break
                extra = json.loads(row[6])
                out["pairs"].append({
                    "external_id": row[1], "subject": row[2], "question": row[3], "answer": row[4],
                    "instruction": row[9], "response": row[10],
                    "internal_notes": extra.get("internal_notes", 0),
                    "attachments": extra.get("attachments", [])})
    out["summary"] = "; ".join(g["summary"] for g in out["groups"])
    out["vendor"] = out["groups"][0]["vendor"]
    out["not_helpdesk"] = [str(p) for p, k in kinds if not k]
    return out
