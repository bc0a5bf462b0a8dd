"""Helpdesk exports found by their content, read into `helpdesk.Ticket`s.

    sniff(path) -> kind or None
        "zendesk"            Zendesk tickets, JSON or NDJSON, each with its `comments`
        "zendesk-users"      Zendesk users (the side file telling requesters from agents)
        "freshdesk"          Freshdesk's ticket CSV (the replies are in the conversations file)
        "freshdesk-conv"     Freshdesk conversations JSON (API `GET /tickets/{id}/conversations`)
        "jira"               Jira Service Management CSV: one `Comment` column per comment
        "servicenow"         ServiceNow incident CSV/XLSX (`number`, `comments_and_work_notes`, ...)
        "mail"               mbox, .eml, Outlook .msg (engine.ingest.mail)
    read_group(kind, paths, side_paths, on_error, progress, cancel) -> iterator of Ticket

A file is recognised from the fields the tool writes (not from its name); anything else is
left to the column mapping of engine.ingest.tables. A record that cannot be read (a truncated
JSON line, a comment cell that is not `date;author;text`) is reported through `on_error(file,
line, reason)` and the rest is read. NDJSON is read line by line, so memory stays bounded by
the tickets kept, not the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path
from typing import Callable, Iterable, Iterator

from engine.ingest import detect as _detect
from engine.ingest.helpdesk import Post, Ticket, html_to_text
from engine.ingest.mapping import norm_header
from engine.workspace.errors import BadInput, Cancelled
from engine.workspace.progress import raise_if_cancelled

FileErrorSink = Callable[[str, int, str], None]
MAIN_KINDS = ("zendesk", "freshdesk", "freshdesk-conv", "jira", "servicenow", "mail")
SIDE_KINDS = {"zendesk-users": "zendesk", "freshdesk-conv": "freshdesk"}
PROGRESS_EVERY = 5000


# --- sniffing -------------------------------------------------------------------------------
def _first_json_object(text: str) -> dict | None:
    """The first ticket-like object of a JSON/NDJSON sample: the first line of NDJSON, the first
    element of an array, or of the first list inside a wrapper ({"tickets": [...]})."""
    text = text.lstrip("\ufeff").lstrip()
    dec = json.JSONDecoder()
    if text.startswith("{"):
        first = text.split("\n", 1)[0].strip()
        try:
            obj = json.loads(first)
            if isinstance(obj, dict):
                return _unwrap_first(obj)
        except ValueError:
            pass
        m = re.search(r'"(?:tickets|users|conversations|results|data|items)"\s*:\s*\[\s*', text)
        if m:
            try:
                obj, _ = dec.raw_decode(text, m.end())
                return obj if isinstance(obj, dict) else None
            except ValueError:
                return None
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        return _unwrap_first(obj) if isinstance(obj, dict) else None
    if text.startswith("["):
        m = re.match(r"\[\s*", text)
        try:
            obj, _ = dec.raw_decode(text, m.end())
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None
    return None


def _unwrap_first(obj: dict) -> dict:
    for k in ("tickets", "users", "conversations", "results", "data", "items"):
        v = obj.get(k)
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return v[0]
    if len(obj) and all(isinstance(v, list) for v in obj.values()):
        # Freshdesk conversations keyed by ticket id: {"1001": [{...}, ...]}
        for v in obj.values():
            if v and isinstance(v[0], dict):
                return v[0]
    return obj


def _json_kind(obj: dict) -> str | None:
    comments = obj.get("comments")
    if isinstance(comments, list) and comments and isinstance(comments[0], dict):
        c = comments[0]
        if "author_id" in c and ("public" in c or "html_body" in c or "plain_body" in c) and (
                "requester_id" in obj or "via" in obj or "zendesk.com" in str(obj.get("url", ""))):
            return "zendesk"
    if obj.get("role") in ("end-user", "agent", "admin") and "id" in obj and ("email" in obj or "name" in obj):
        return "zendesk-users"
    if "incoming" in obj and "private" in obj and ("body_text" in obj or "body" in obj):
        return "freshdesk-conv"
    conv = obj.get("conversations")
    if (isinstance(conv, list) and conv and isinstance(conv[0], dict) and "private" in conv[0]
            and "incoming" in conv[0]):
        return "freshdesk-conv"  # tickets with their conversations embedded (?include=conversations)
    return None


_FRESHDESK_COLUMNS = {"createdtime", "agentinteractions", "customerinteractions", "firstresponsetimeinhrs",
                      "resolutiontimeinhrs", "resolvedtime", "duebytime", "lastupdatedtime", "initialresponsetime",
                      "firstresponsestatus", "resolutionstatus", "contactid", "fullname", "timetracked",
                      "everyresponsestatus", "surveyresults"}
_SN_JOURNAL = {"commentsandworknotes", "additionalcommentsandworknotes", "worknotes", "comments",
               "additionalcomments", "closenotes", "resolutionnotes"}


def csv_kind(columns: list[str]) -> str | None:
    names = [norm_header(c) for c in columns]
    s = set(names)
    if "issuekey" in s and any(n == "comment" or re.fullmatch(r"comment\d+", n) for n in names):
        return "jira"
    if "number" in s and (s & _SN_JOURNAL) and ({"shortdescription", "callerid", "caller", "openedat",
                                                  "syscreatedon", "assignmentgroup", "opened"} & s):
        return "servicenow"
    if "ticketid" in s and len(s & _FRESHDESK_COLUMNS) >= 2:
        from engine.ingest.mapping import guess_pair_mapping

        if "answer" not in guess_pair_mapping(columns):
            return "freshdesk"
    return None


def loose_freshdesk_csv(path: str | Path) -> bool:
    """A CSV/XLSX with a "Ticket ID" column and no answer column: Freshdesk's ticket export with
    fewer columns chosen, when its conversations file comes with it."""
    try:
        info = _detect.detect(path)
    except BadInput:
        return False
    if info["format"] not in ("csv", "xlsx"):
        return False
    from engine.ingest.mapping import guess_pair_mapping

    columns = _header(Path(path), info)
    return "ticketid" in {norm_header(c) for c in columns or []} and "answer" not in guess_pair_mapping(columns or [])


def sniff(path: str | Path) -> str | None:
    """The helpdesk kind of a file (see the module's docstring), None for anything else."""
    from engine.ingest import mail

    path = Path(path)
    kind = mail.sniff(path)
    if kind:
        return kind
    try:
        info = _detect.detect(path)
    except BadInput:
        return None
    if info["format"] in ("json", "jsonl"):
        with open(path, "rb") as f:
            sample = f.read(_detect.SAMPLE_BYTES)
        try:
            obj = _first_json_object(sample.decode(info["encoding"] or "utf-8", errors="replace"))
        except RecursionError:
            return None  # nested too deeply for a ticket export: the JSON reader says so
        return _json_kind(obj) if isinstance(obj, dict) else None
    if info["format"] in ("csv", "xlsx"):
        return csv_kind(_header(path, info))
    return None


def _header(path: Path, info: dict) -> list[str]:
    """The column names, from the first 1 MB only for a CSV (sniffing must not read a big file)."""
    try:
        if info["format"] == "csv":
            with open(path, "rb") as f:
                sample = f.read(_detect.SAMPLE_BYTES).decode(info["encoding"] or "utf-8", errors="replace")
            lines = [ln for ln in sample.lstrip("\ufeff").splitlines() if ln.strip()]
            if lines and _detect.SEP_HINT.match(lines[0]):
                lines = lines[1:]
            if not lines:
                return []
            return next(csv.reader(io.StringIO(lines[0]), delimiter=info["delimiter"] or ","), [])
        from engine.ingest.tables import open_records

        columns, it = open_records(path, info, on_error=lambda *_: None)
        close = getattr(it, "close", None)
        if close:
            close()
        return list(columns or [])
    except (BadInput, csv.Error):
        return []


# --- shared helpers ---------------------------------------------------------------------------
def _text(value) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _id(value) -> str:
    if type(value) is int:
        return str(value)  # most ids (Zendesk's, Freshdesk's) are JSON numbers
    s = _text(value).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return s


def _reading(n: int, path: Path, progress, cancel) -> None:
    """Every PROGRESS_EVERY records of a file: say how far the reading is, stop on Cancel."""
    if progress is not None:
        progress(n, 0, f"Reading {path.name}")
    raise_if_cancelled(cancel)


def _json_items(path: Path, on_error: FileErrorSink, progress, cancel, wrapper_keys=("tickets",)
                ) -> Iterator[tuple[int, dict]]:
    """(line, object) of a JSON array/wrapper or of NDJSON, the latter streamed line by line."""
    info = _detect.detect(path)
    enc = info["encoding"] or "utf-8"
    if info["format"] == "jsonl":
        with open(path, encoding=enc, errors="replace", newline="") as f:
            for n, line in enumerate(f, start=1):
                if n % PROGRESS_EVERY == 0:
                    _reading(n, path, progress, cancel)
                line = line.strip().lstrip("\ufeff")
                if not line:
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    on_error(path.name, n, f"invalid JSON ({getattr(exc, 'msg', exc)}); a truncated line?")
                    continue
                except RecursionError:
                    on_error(path.name, n, "the JSON is nested too deeply")
                    continue
                if isinstance(obj, dict) and any(isinstance(obj.get(k), list) for k in wrapper_keys) \
                        and not _json_kind(obj):
                    for x in next(obj[k] for k in wrapper_keys if isinstance(obj.get(k), list)):
                        if isinstance(x, dict):
                            yield n, x
                    continue
                if not isinstance(obj, dict):
                    on_error(path.name, n, f"not a JSON object ({type(obj).__name__})")
                    continue
                yield n, obj
        return
    yield from _json_array_items(path, enc, on_error, progress, cancel, wrapper_keys)


JSON_READ_CHARS = 1 << 20  # a JSON array is read this much at a time (more while one element is longer)
_JSON_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _JsonStream:
    """A JSON document decoded a value at a time from a file read in pieces: the buffer holds
    only what is not decoded yet (one element of an array, not the array)."""

    def __init__(self, f, name: str):
        self.f, self.name = f, name
        self.buf, self.pos, self.eof, self.lines_before = "", 0, False, 0

    def fill(self) -> bool:
        if self.eof:
            return False
        more = self.f.read(max(JSON_READ_CHARS, len(self.buf) - self.pos))  # doubles for a long element
        if not more:
            self.eof = True
            return False
        self.lines_before += self.buf.count("\n", 0, self.pos)
        self.buf, self.pos = self.buf[self.pos:] + more, 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self.pos = _JSON_WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.fill():
                return self.buf[self.pos:self.pos + 1]

    def line(self, pos: int | None = None) -> int:
        return self.lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def bad(self, what: str, pos: int | None = None) -> BadInput:
        return BadInput(f"{self.name}: not valid JSON (line {self.line(pos)}: {what})")

    def value(self):
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise self.bad("nested too deeply") from None
            except ValueError as exc:
                if self.fill():
                    continue  # the value goes on in the part not read yet
                raise self.bad(getattr(exc, "msg", str(exc)), getattr(exc, "pos", None)) from None
            if end == len(self.buf) and not isinstance(obj, (dict, list, str)) and self.fill():
                continue  # a number or a word cut at the end of what was read
            self.pos = end
            return obj

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise self.bad(f"expecting {' or '.join(repr(x) for x in chars)}" + ("" if c else " (the file ends)"))
        self.pos += 1
        return c

    def elements(self) -> Iterator:
        """The values of the array whose '[' comes next."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.expect(",]") == "]":
                return


def _json_array_items(path: Path, enc: str, on_error: FileErrorSink, progress, cancel, wrapper_keys
                      ) -> Iterator[tuple[int, dict]]:
    """(element number, object) of a JSON array, or of the first list under one of
    `wrapper_keys` in a wrapper object ({"tickets": [...], "count": 8}), decoded one element at
    a time; an object without such a list is one record. Invalid JSON raises BadInput (with its
    line): the objects before it may already be written, so the import's transaction undoes them."""
    with open(path, encoding=enc, errors="replace", newline="") as f:
        s = _JsonStream(f, path.name)
        if s.peek() == "\ufeff":
            s.pos += 1
        c = s.peek()
        if c == "[":
            items = s.elements()
        elif c == "{":
            s.pos += 1
            record: dict = {}
            items = None
            while s.peek() != "}":
                key = s.value()
                if not isinstance(key, str):
                    raise s.bad("expecting a property name")
                s.expect(":")
                if key in wrapper_keys and s.peek() == "[":
                    items = s.elements()
                    break
                record[key] = s.value()
                if s.expect(",}") == "}":
                    s.pos -= 1
            if items is None:
                yield 1, record
                return
        else:
            raise BadInput(f"{path.name}: expected a JSON array of objects")
        for i, x in enumerate(items, start=1):
            if i % PROGRESS_EVERY == 0:
                _reading(i, path, progress, cancel)
            if isinstance(x, dict):
                yield i, x
            else:
                on_error(path.name, i, f"element {i} is not an object ({type(x).__name__})")


# --- Zendesk --------------------------------------------------------------------------------
def _zendesk_users(paths: Iterable[Path], on_error: FileErrorSink) -> dict[str, dict]:
    users: dict[str, dict] = {}
    for p in paths:
        for _, u in _json_items(p, on_error, None, None, wrapper_keys=("users",)):
            if "id" in u:
                users[_id(u["id"])] = {"name": _text(u.get("name")).strip(), "role": _text(u.get("role")).strip()}
    return users


def _zendesk_body(c: dict) -> str:
    for key in ("plain_body", "body"):
        v = c.get(key)
        if isinstance(v, str) and v.strip():
            return v
    return html_to_text(c.get("html_body") or "")


def _attachment_names(items, name_keys=("file_name", "name", "filename")) -> list[str]:
    out = []
    for a in items or ():
        if isinstance(a, dict):
            name = next((a[k] for k in name_keys if a.get(k)), None)
            if name:
                out.append(str(name))
    return out


def read_zendesk(paths: list[Path], side: list[Path], on_error: FileErrorSink, progress, cancel) -> Iterator[Ticket]:
    users = _zendesk_users(side, on_error)
    for path in paths:
        for line, t in _json_items(path, on_error, progress, cancel):
            if "id" not in t:
                on_error(path.name, line, "a ticket without an id")
                continue
            comments = t.get("comments")
            if not isinstance(comments, list):
                on_error(path.name, line, f"ticket {_id(t['id'])} has no comments list")
                continue
            requester = _id(t.get("requester_id"))
            submitter = _id(t.get("submitter_id"))
            posts = []
            for c in comments:
                if not isinstance(c, dict):
                    continue
                author = _id(c.get("author_id"))
                user = users.get(author)
                if author and author == requester:
                    customer = True
                elif not posts and submitter and submitter == author and submitter != requester:
                    customer = True  # an agent logged the requester's call: the first comment is the question
                elif user is not None and user["role"]:
                    customer = user["role"] == "end-user"
                else:
                    customer = not requester and not posts  # no requester known: the opener asks
                public = c.get("public", True)
                internal = public is False or str(public).lower() == "false"
                posts.append(Post(_zendesk_body(c), customer, internal,
                                  (user or {}).get("name") or author, _text(c.get("created_at")), _id(c.get("id")),
                                  _attachment_names(c.get("attachments"))))
            if not posts and isinstance(t.get("description"), str):
                posts.append(Post(t["description"], True, False, requester, _text(t.get("created_at"))))
            yield Ticket("zendesk", _id(t["id"]), line, path.name, _text(t.get("subject") or t.get("raw_subject")),
                         _text(t.get("created_at")), (users.get(requester) or {}).get("name") or "",
                         _text(t.get("status")), posts)


# --- Freshdesk ------------------------------------------------------------------------------
_KEYED_BY_TICKET = re.compile(r'\A\ufeff?\s*\{\s*"([^"\\]*)"\s*:\s*\[')


class _Conversations:
    """Freshdesk conversations by ticket id, put in a temporary SQLite file as they are read:
    the ticket CSV comes in its own order, so each ticket's conversations are looked up when
    its row comes rather than all held in memory."""

    def __init__(self):
        import sqlite3
        import tempfile

        self._dir = tempfile.TemporaryDirectory(prefix="pairsmith-freshdesk-")
        self.db = sqlite3.connect(str(Path(self._dir.name) / "conversations.db"))
        self.db.executescript("""PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE c (tid TEXT, k REAL, line INTEGER, post TEXT);
            CREATE TABLE t (tid TEXT PRIMARY KEY, ticket TEXT);""")
        self._rows: list[tuple] = []

    def add(self, tid: str, line: int, c: dict) -> None:
        from engine.ingest.threads import time_key

        post = _freshdesk_post(c)
        self._rows.append((tid, time_key(_text(c.get("created_at"))) or 0.0, line, json.dumps(
            [post.text, post.customer, post.internal, post.author, post.created, post.id, post.attachments],
            ensure_ascii=False)))
        if len(self._rows) >= 5000:
            self._flush()

    def add_ticket(self, tid: str, t: dict) -> None:
        """A ticket exported with its conversations embedded: what a ticket CSV row would say."""
        desc = t.get("description_text") or html_to_text(t.get("description") or "")
        self.db.execute("INSERT OR REPLACE INTO t VALUES (?, ?)", [tid, json.dumps(
            [_text(t.get("subject")), desc, _id(t.get("requester_id")), _text(t.get("created_at")),
             _text(t.get("status"))], ensure_ascii=False)])

    def _flush(self) -> None:
        if self._rows:
            self.db.executemany("INSERT INTO c VALUES (?, ?, ?, ?)", self._rows)
            self._rows = []

    def ready(self) -> None:
        self._flush()
        self.db.execute("CREATE INDEX c_tid ON c (tid, k, line)")

    def posts(self, tid: str) -> list[Post]:
        return [Post(*json.loads(r[0])) for r in self.db.execute(
            "SELECT post FROM c WHERE tid = ? ORDER BY k, line, rowid", [tid])]

    def tickets(self) -> list[tuple[str, int]]:
        """(ticket id, line of its first conversation), in the order they first came."""
        return self.db.execute("""SELECT tid, line FROM c WHERE rowid IN (SELECT min(rowid) FROM c GROUP BY tid)
                                  ORDER BY rowid""").fetchall()

    def ticket(self, tid: str) -> list | None:
        row = self.db.execute("SELECT ticket FROM t WHERE tid = ?", [tid]).fetchone()
        return json.loads(row[0]) if row else None

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()


def _freshdesk_conversations(paths: Iterable[Path], on_error: FileErrorSink) -> _Conversations:
    """The conversations files read (streamed: NDJSON by line, a JSON array by element) into
    a _Conversations; tickets with their conversations embedded keep their own fields too."""
    store = _Conversations()
    try:
        for p in paths:
            info = _detect.detect(p)
            if info["format"] == "json":
                m = _KEYED_BY_TICKET.match(decode_sample(p))
                data = (json.loads(_detect.read_text(p, info["encoding"] or "utf-8"))
                        if m and m.group(1) not in ("conversations", "tickets") else None)
                if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
                    for tid, lst in data.items():  # {"1001": [conversation, ...]}: read whole (no order to stream)
                        for i, c in enumerate(lst, start=1):
                            if isinstance(c, dict):
                                store.add(_id(c.get("ticket_id") or tid), i, c)
                    continue
                del data
            for line, obj in _json_items(p, on_error, None, None, wrapper_keys=("conversations", "tickets")):
                if isinstance(obj.get("conversations"), list) and "incoming" not in obj:
                    tid = _id(obj.get("id") or obj.get("ticket_id"))
                    store.add_ticket(tid, obj)
                    for c in obj["conversations"]:
                        if isinstance(c, dict):
                            store.add(tid, line, c)
                    continue
                tid = _id(obj.get("ticket_id"))
                if not tid:
                    on_error(p.name, line, "a conversation without a ticket_id")
                    continue
                store.add(tid, line, obj)
        store.ready()
    except BaseException:
        store.close()
        raise
    return store


def _freshdesk_post(c: dict) -> Post:
    body = c.get("body_text")
    if not (isinstance(body, str) and body.strip()):
        body = html_to_text(c.get("body") or "")
    incoming = c.get("incoming") is True or str(c.get("incoming")).lower() == "true"
    private = c.get("private") is True or str(c.get("private")).lower() == "true"
    return Post(body, incoming and not private, private, _id(c.get("from_email") or c.get("user_id")),
                _text(c.get("created_at")), _id(c.get("id")), _attachment_names(c.get("attachments")))


def _col(columns: list[str], *names: str) -> str | None:
    by = {norm_header(c): c for c in columns}
    return next((by[n] for n in names if n in by), None)


def read_freshdesk(paths: list[Path], side: list[Path], on_error: FileErrorSink, progress, cancel) -> Iterator[Ticket]:
    from engine.ingest.helpdesk import Ticket as T
    from engine.ingest.tables import open_records

    if not side and paths:
        raise BadInput(f"{paths[0].name}: a Freshdesk ticket export holds no replies; import it together with "
                       f"its conversations JSON (select both files)")
    convs = _freshdesk_conversations(side, on_error)
    seen: set[str] = set()

    def build(tid, line, file, subject, desc, requester, created, status) -> T:
        posts = []
        if desc and desc.strip():
            posts.append(Post(html_to_text(desc), True, False, requester, created))
        posts.extend(convs.posts(tid))
        return T("freshdesk", tid, line, file, subject, created, requester, status, posts)

    try:
        for path in paths:
            info = _detect.detect(path)
            columns, records = open_records(path, info, on_error=lambda ln, why, _n=path.name: on_error(_n, ln, why),
                                            progress=progress, cancel=cancel)
            c_id = _col(columns, "ticketid")
            c_subj = _col(columns, "subject")
            c_desc = _col(columns, "description", "descriptiontext")
            c_req = _col(columns, "fullname", "requestername", "contactname", "requester", "email", "requesteremail")
            c_created = _col(columns, "createdtime", "createdat", "created")
            c_status = _col(columns, "status")
            for line, rec in records:
                tid = _id(rec.get(c_id)).lstrip("#")
                if not tid:
                    on_error(path.name, line, f"no ticket id (column {c_id!r} is empty)")
                    continue
                seen.add(tid)
                yield build(tid, line, path.name, _text(rec.get(c_subj)), _text(rec.get(c_desc)) if c_desc else "",
                            _text(rec.get(c_req)).strip() if c_req else "", _text(rec.get(c_created)),
                            _text(rec.get(c_status)) if c_status else "")
        # conversations of tickets not in a CSV (a conversations file imported alone, or tickets
        # exported with their conversations embedded)
        for n, (tid, first_line) in enumerate(convs.tickets(), start=1):
            if tid in seen:
                continue
            if cancel is not None and n % PROGRESS_EVERY == 0 and cancel():
                raise Cancelled()
            subject, desc, requester, created, status = convs.ticket(tid) or ("", "", "", "", "")
            yield build(tid, first_line, side[0].name if side else "", subject, desc, requester, created, status)
    finally:
        convs.close()


# --- Jira Service Management CSV ------------------------------------------------------------
_JIRA_CELL = re.compile(r"\A\s*(\d{1,2}/[A-Za-z]{3}/\d{2}(?:\d{2})?\s+\d{1,2}:\d{2}(?:\s?[AP]M)?|\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}"
                        r"(?::\d{2})?|\d{1,2}[./]\d{1,2}[./]\d{2,4}\s+\d{1,2}:\d{2}(?:\s?[AP]M)?);([^;\n]{0,200});(.*)\Z",
                        re.S)
_JIRA_ATTACHMENT = re.compile(r"\A[^;]*;[^;]*;([^;]+);")


def parse_jira_comment(cell: str) -> tuple[str, str, str] | None:
    """"01/Mar/24 11:00 AM;557058:f2a1b;The text" -> (date, author, text); None when the cell
    is not in that form."""
    m = _JIRA_CELL.match(cell)
    if not m:
        return None
    return m.group(1).strip(), m.group(2).strip(), m.group(3)


def read_jira(paths: list[Path], side: list[Path], on_error: FileErrorSink, progress, cancel) -> Iterator[Ticket]:
    from engine.ingest.tables import open_records

    for path in paths:
        info = _detect.detect(path)
        columns, records = open_records(path, info, on_error=lambda ln, why, _n=path.name: on_error(_n, ln, why),
                                        progress=progress, cancel=cancel)
        c_key = _col(columns, "issuekey")
        c_subj = _col(columns, "summary")
        c_desc = _col(columns, "description")
        c_created = _col(columns, "created")
        c_status = _col(columns, "status")
        reporter_cols = [c for c in columns if norm_header(c) in ("reporter", "reporterid", "reporteraccountid")]
        assignee_cols = [c for c in columns if norm_header(c) in ("assignee", "assigneeid", "assigneeaccountid")]
        c_reporter_name = _col(columns, "reporter")
        comment_cols = [c for c in columns if re.fullmatch(r"comment(?:\d+)?", norm_header(c))]
        attach_cols = [c for c in columns if re.fullmatch(r"attachment(?:\d+)?", norm_header(c))]
        for line, rec in records:
            key = _text(rec.get(c_key)).strip()
            if not key:
                on_error(path.name, line, f"no issue key (column {c_key!r} is empty)")
                continue
            reporters = {_text(rec.get(c)).strip().lower() for c in reporter_cols} - {""}
            reporter = _text(rec.get(c_reporter_name)).strip() if c_reporter_name else ""
            created = _text(rec.get(c_created))
            posts = []
            desc = _text(rec.get(c_desc)) if c_desc else ""
            if desc.strip():
                posts.append(Post(desc, True, False, reporter, created))
            bad = []
            for n, col in enumerate(comment_cols, start=1):
                cell = _text(rec.get(col))
                if not cell.strip():
                    continue
                parsed = parse_jira_comment(cell)
                if parsed is None:
                    bad.append(n)
                    continue
                when, author, text = parsed
                posts.append(Post(text, author.lower() in reporters, False, author, when))
            if reporters and not any(p.customer for p in posts[1 if desc.strip() else 0:]):
                # no comment author is the reporter as the export names them (a display name
                # against account ids): the assignee's comments are the agent's, the others the reporter's
                assignees = {_text(rec.get(c)).strip().lower() for c in assignee_cols} - {""}
                if any(p.author.lower() in assignees for p in posts):
                    for p in posts[1 if desc.strip() else 0:]:
                        p.customer = p.author.lower() not in assignees
            if bad:
                on_error(path.name, line, f"issue {key}: comment {', '.join(map(str, bad))} is not "
                                          f"'date;author;text' (left out)")
            files = []
            for col in attach_cols:
                m = _JIRA_ATTACHMENT.match(_text(rec.get(col)))
                if m:
                    files.append(m.group(1).strip())
            if files and posts:
                posts[0].attachments.extend(files)
            yield Ticket("jira", key, line, path.name, _text(rec.get(c_subj)) if c_subj else "", created,
                         reporter, _text(rec.get(c_status)) if c_status else "", posts)


# --- ServiceNow -----------------------------------------------------------------------------
_SN_ENTRY = re.compile(
    r"^[ \t]*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AP]M)?)[ \t]+-[ \t]+(.+?)[ \t]*"
    r"\((Additional comments|Work notes|Comments|Customer comments|Work Notes|Additional Comments)\)[ \t]*$",
    re.M | re.I)


def parse_journal(text: str, default_kind: str | None = None) -> list[tuple[str, str, bool, str]] | None:
    """A ServiceNow journal field ("2024-03-01 10:15:22 - Sam Agent (Additional comments)\\ntext")
    -> [(when, who, internal, text)] oldest first; None when the text has no entry header (for a
    column of one kind, `default_kind` "comments"/"work_notes" reads such text as one entry)."""
    entries = []
    heads = list(_SN_ENTRY.finditer(text))
    if not heads:
        if text.strip() and default_kind:
            return [("", "", default_kind == "work_notes", text.strip())]
        return None if text.strip() else []
    if text[:heads[0].start()].strip():
        return None
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end():end].strip()
        entries.append((m.group(1), m.group(2).strip(), m.group(3).lower().startswith("work"), body))
    from engine.ingest.threads import time_key

    keyed = [(time_key(e[0]), i, e) for i, e in enumerate(entries)]
    if all(k is not None for k, _, _ in keyed):
        keyed.sort(key=lambda x: (x[0], -x[1]))  # equal times: the journal lists newest first
        return [e for _, _, e in keyed]
    return list(reversed(entries))


def read_servicenow(paths: list[Path], side: list[Path], on_error: FileErrorSink, progress, cancel
                    ) -> Iterator[Ticket]:
    from engine.ingest.tables import open_records
    from engine.ingest.threads import time_key

    for path in paths:
        info = _detect.detect(path)
        columns, records = open_records(path, info, on_error=lambda ln, why, _n=path.name: on_error(_n, ln, why),
                                        progress=progress, cancel=cancel)
        c_num = _col(columns, "number")
        c_subj = _col(columns, "shortdescription")
        c_desc = _col(columns, "description")
        c_caller = _col(columns, "callerid", "caller", "requestedfor", "openedby")
        c_created = _col(columns, "openedat", "opened", "syscreatedon", "created")
        c_resolved = _col(columns, "resolvedat", "resolved", "closedat", "closed")
        c_status = _col(columns, "state", "incidentstate", "status")
        c_close = _col(columns, "closenotes", "resolutionnotes")
        journals = [(c, None) for c in columns if norm_header(c) in ("commentsandworknotes",
                                                                      "additionalcommentsandworknotes")]
        journals += [(c, "comments") for c in columns if norm_header(c) in ("comments", "additionalcomments")]
        journals += [(c, "work_notes") for c in columns if norm_header(c) == "worknotes"]
        xlsx = info["format"] == "xlsx"
        for line, rec in records:
            number = _id(rec.get(c_num))
            if not number:
                on_error(path.name, line, f"no incident number (column {c_num!r} is empty)")
                continue
            caller = _text(rec.get(c_caller)).strip() if c_caller else ""
            created = _text(rec.get(c_created)) if c_created else ""
            if xlsx:
                created = _detect.excel_serial_date(created)
            posts = []
            desc = _text(rec.get(c_desc)) if c_desc else ""
            if desc.strip():
                posts.append(Post(desc, True, False, caller, created))
            elif c_subj and _text(rec.get(c_subj)).strip():
                posts.append(Post(_text(rec.get(c_subj)), True, False, caller, created))
            entries = []
            seen = set()
            for col, kind in journals:
                parsed = parse_journal(_text(rec.get(col)), kind)
                if parsed is None:
                    on_error(path.name, line, f"incident {number}: column {col!r} is not a journal "
                                              f"('date - name (Additional comments)' lines); left out")
                    continue
                for e in parsed:
                    if (e[0], e[1], e[3]) not in seen:  # the same entry in two columns
                        seen.add((e[0], e[1], e[3]))
                        entries.append(e)
            if len(journals) > 1:
                entries.sort(key=lambda e: time_key(e[0]) or 0.0)
            for when, who, internal, body in entries:
                customer = bool(caller) and who.lower() == caller.lower() and not internal
                posts.append(Post(body, customer, internal, who, when))
            close = _text(rec.get(c_close)) if c_close else ""
            if close.strip():
                posts.append(Post(close, False, False, "resolution notes",
                                  _text(rec.get(c_resolved)) if c_resolved else "", resolution_note=True))
            yield Ticket("servicenow", number, line, path.name, _text(rec.get(c_subj)) if c_subj else "", created,
                         caller, _text(rec.get(c_status)) if c_status else "", posts)


READERS = {"zendesk": read_zendesk, "freshdesk": read_freshdesk, "jira": read_jira,
           "servicenow": read_servicenow}


def read_group(kind: str, paths: list[Path], side: list[Path], on_error: FileErrorSink, progress=None,
               cancel=None) -> Iterator[Ticket]:
    if kind == "mail":
        from engine.ingest import mail

        return mail.read_mail(paths, on_error, progress, cancel)
    return READERS[kind](paths, side, on_error, progress, cancel)


def group_paths(kinds: list[tuple[Path, str]]) -> list[tuple[str, list[Path], list[Path]]]:
    """[(kind, main files, side files)]: Zendesk tickets with the users files, a Freshdesk ticket
    CSV with the conversations files, all mail files as one mailbox. A side file alone is read
    as what it can give (Freshdesk conversations make tickets; Zendesk users alone raise)."""
    by: dict[str, tuple[list[Path], list[Path]]] = {}
    for path, kind in kinds:
        if kind == "zendesk-users":
            by.setdefault("zendesk", ([], []))[1].append(path)
        elif kind == "freshdesk-conv":
            by.setdefault("freshdesk", ([], []))[1].append(path)
        else:
            by.setdefault(kind, ([], []))[0].append(path)
    out = []
    for kind, (main, side) in by.items():
        if kind == "zendesk" and not main:
            raise BadInput(f"{side[0].name}: a Zendesk users file holds no tickets; import it together with the "
                           f"tickets export (select both files)")
        out.append((kind, main, side))
    return out


def decode_sample(path: Path) -> str:
    with open(path, "rb") as f:
        raw = f.read(_detect.SAMPLE_BYTES)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    return raw.decode("utf-8", errors="replace")
