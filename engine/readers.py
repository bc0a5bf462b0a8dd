"""Read ticket exports: CSV/TSV, XLSX, JSON arrays and JSON lines.

    detect(path) -> {"format", "encoding", "delimiter"}
    read_records(path, ...) yields (line_number, record_dict); bad rows go to `errors`
    preview(path, n=20) -> {"format", "encoding", "delimiter", "columns", "rows", "mapping"}
    guess_mapping(columns) -> {"question": col, "answer": col, ...}

Line numbers are where the record starts in the file: the physical line for CSV/TSV and JSONL,
the sheet row for XLSX, the element index + 1 for a JSON array. Fine-tuning shapes
(instruction/response, alpaca instruction+input+output, prompt/completion, chat `messages`)
are recognised. Anything unreadable raises `BadInput` with one line a person can act on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import itertools
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import limits
from .errors import BadInput

SAMPLE_BYTES = 1 << 20
FIELDS = ("question", "answer", "id", "subject", "created")
OPTIONAL_FIELDS = ("context",)  # alpaca `input`: appended to the question
HEADER_SCAN_ROWS = 20  # top rows searched for the header line (below a title line)
MAX_RECORD_LINES = 2000  # a quoted CSV field spanning more lines than this is broken quoting

# Header names (normalised: lower case, no spaces/underscores/dashes) for each field, best first.
_ALIASES: dict[str, list[str]] = {
    "question": ["question", "body", "description", "message", "issue", "query", "customermessage",
                 "text", "request", "instruction", "prompt", "input", "questiontext", "ticketbody",
                 "ticketdescription", "customerquestion", "utterance", "customerutterance", "descriptiontext",
                 "tickettext", "issuedescription", "problemdescription", "problem", "customerquery", "userquery",
                 "querytext", "requesttext", "requestdetails", "requestdescription", "inquiry", "enquiry",
                 "customerrequest", "userquestion", "employeequestion", "questionbody",
                 # other languages
                 "frage", "anfrage", "beschreibung", "pregunta", "descripción", "descripcion", "domanda",
                 "descrizione", "vraag", "omschrijving", "beschrijving", "pergunta", "descrição", "descricao",
                 "質問", "問題", "问题", "問い合わせ内容", "问题描述"],
    "answer": ["answer", "reply", "response", "resolution", "agentreply", "solution", "output",
               "completion", "answertext", "agentresponse", "resolutionnotes", "closenotes", "closurenotes",
               "resolutionnote", "resolutioncomments", "resolutiondescription", "solutiondescription",
               "agentanswer", "supportresponse", "supportreply", "replytext", "responsetext", "resolutiontext",
               "fix", "staffresponse", "staffreply", "hrresponse", "itresponse", "finalresponse", "answerbody",
               "antwort", "lösung", "loesung", "réponse", "reponse", "résolution", "respuesta", "solución",
               "solucion", "risposta", "soluzione", "antwoord", "oplossing", "resposta", "solução", "solucao",
               "回答", "答案", "回复", "解决方案"],
    "id": ["id", "ticketid", "key", "number", "ticket", "ticketnumber", "ticketno", "issuekey",
           "caseid", "casenumber", "requestid", "issueid", "incidentid", "incidentnumber"],
    "subject": ["subject", "title", "summary", "topic", "shortdescription", "ticketname", "ticketsubject",
                "tickettitle", "ticketsummary", "betreff", "objet", "titre", "asunto", "título", "titulo",
                "oggetto", "titolo", "onderwerp", "assunto", "件名", "主题", "标题"],
    "created": ["created", "createdat", "date", "opened", "timestamp", "createddate", "opendate",
                "openedat", "createdon", "datecreated", "time", "createdtime", "syscreatedon", "createdate",
                "creationdate", "createddatetime", "openedon"],
    "context": ["context", "input"],
}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def norm_header(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name)).lower()


def guess_mapping(columns: list[str], rows: list[dict] | None = None) -> dict[str, str]:
    """Guess which column holds each field from the headers (case/space/underscore-insensitive).
    Fields with no likely column are left out. With sample `rows`, a file without an answer
    column that is a conversation export (one row per message) gets the `thread` mapping
    (see guess_thread_mapping; `mapping_shape` tells the two apart)."""
    mapping = _guess_pair_mapping(columns)
    if rows is not None and "answer" not in mapping:
        thread = guess_thread_mapping(columns, rows)
        if thread is not None:
            return thread
    return mapping


def _guess_pair_mapping(columns: list[str]) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(norm_header(c), c)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in FIELDS:
        for alias in _ALIASES[field]:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping[field] = col
                used.add(col)
                break
    # alpaca: instruction + input + output -> input is context for the instruction
    if mapping.get("question") and norm_header(mapping["question"]) in ("instruction", "prompt"):
        for alias in _ALIASES["context"]:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping["context"] = col
                used.add(col)
                break
    return mapping


# --- conversation exports: one row per message -----------------------------------------------
# Fields of the `thread` shape. `customer` is not a column: it holds the values of the role
# column that mean "the customer wrote this" (comma-separated, compared case-insensitively).
THREAD_FIELDS = ("message_id", "reply_to", "conversation", "role", "customer", "author", "body",
                 "created", "sequence", "public", "private")
_THREAD_ALIASES: dict[str, list[str]] = {
    "message_id": ["messageid", "tweetid", "commentid", "msgid", "postid", "eventid", "articleid",
                   "noteid", "id"],
    "reply_to": ["inresponsetotweetid", "inresponseto", "inresponsetoid", "inreplyto", "inreplytoid",
                 "inreplytostatusid", "inreplytomessageid", "replyto", "replytoid", "replytomessageid",
                 "parentid", "parentmessageid", "parentcommentid", "parent", "responseto"],
    "conversation": ["conversationid", "ticketid", "threadid", "chatid", "caseid", "dialogueid", "dialogid",
                     "sessionid", "conversation", "ticket", "thread", "ticketnumber", "ticketno", "casenumber",
                     "requestid", "issueid", "issuekey", "dialogue", "chat"],
    "role": ["role", "authorrole", "authortype", "sendertype", "senderrole", "usertype", "fromtype",
             "participanttype", "speaker", "direction", "inbound", "isinbound", "incoming", "isincoming", "fromcustomer",
             "iscustomer", "outbound", "isoutbound", "isagent", "fromagent", "byagent", "isstaff",
             "agent", "from", "sender", "party", "actor", "who", "type"],
    "author": ["authorid", "author", "userid", "senderid", "fromid", "authorname", "sendername",
               "username", "screenname", "user", "from", "sender", "requester"],
    "body": ["text", "body", "message", "comment", "content", "plainbody", "bodytext", "messagebody", "commentbody",
             "messagetext", "commenttext", "utterance", "htmlbody", "value", "description", "note"],
    "created": _ALIASES["created"] + ["sentat", "postedat", "createdtime", "sent", "datetime"],
    "sequence": ["sequence", "seq", "position", "turn", "turnindex", "turnnumber", "messageindex",
                 "commentindex", "messagenumber", "index", "order"],
    "public": ["public", "ispublic", "visibletocustomer"],
    # true = an internal note (Freshdesk "private", "is_internal"): the opposite of `public`
    "private": ["private", "isprivate", "internal", "isinternal", "internalnote", "isinternalnote", "privatenote",
                "isnote"],
}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
# a true value in these columns means the customer wrote the message; in _AGENT_FLAGS, the company
_CUSTOMER_FLAGS = {"inbound", "isinbound", "incoming", "isincoming", "fromcustomer", "iscustomer"}
_AGENT_FLAGS = {"outbound", "isoutbound", "isagent", "fromagent", "byagent", "isstaff", "agent"}
_CUSTOMER_WORDS = ("customer", "enduser", "requester", "requestor", "user", "client", "contact", "visitor",
                   "caller", "human", "buyer", "consumer", "guest", "member", "employee", "inbound", "lead", "prospect",
                   "incoming", "received", "in", "external", "patient", "student", "shopper")
_AGENT_WORDS = ("agent", "staff", "support", "admin", "operator", "company", "bot", "assistant",
                "helpdesk", "servicedesk", "system", "chatbot", "rep", "representative", "technician", "engineer",
                "outbound", "outgoing", "out", "sent", "internal", "brand", "business", "advisor", "owner",
                "collaborator", "responder", "expert", "gpt", "model", "ai")
MAX_ROLE_VALUES = 12  # a role column has a handful of values; more means names, not roles


def _role_word(value: str, words: tuple[str, ...]) -> bool:
    v = norm_header(value)
    return any(v == w or (len(w) > 3 and w in v) for w in words)


def customer_values(column: str, values: Iterable[Any]) -> list[str] | None:
    """Which values of a role/direction column mean "the customer wrote this" (lower case), or
    None when the column does not look like one. `values`: the column's cells in some rows."""
    distinct = sorted({str(v).strip().lower() for v in values if v is not None and str(v).strip()})
    if not distinct or len(distinct) > MAX_ROLE_VALUES:
        return None
    col = norm_header(column)
    if all(v in _TRUE or v in _FALSE for v in distinct):
        if col in _CUSTOMER_FLAGS:
            return [v for v in distinct if v in _TRUE]
        if col in _AGENT_FLAGS:
            return [v for v in distinct if v in _FALSE]
        return None  # "public", "deleted", ...: a yes/no column that does not say who wrote
    customer = [v for v in distinct if _role_word(v, _CUSTOMER_WORDS) and not _role_word(v, _AGENT_WORDS)]
    agent = [v for v in distinct if _role_word(v, _AGENT_WORDS)]
    if not customer and len(distinct) == 2 and len(agent) == 1:
        customer = [v for v in distinct if v not in agent]
    if not customer or (not agent and len(distinct) > 1 and len(customer) < len(distinct)):
        return None
    return customer


def guess_thread_mapping(columns: list[str], rows: list[dict]) -> dict[str, str] | None:
    """The `thread` shape: one row per message, with reply links (message id + in-reply-to id)
    or a conversation id that repeats across rows, plus a role column (or an author column)
    that tells the customer's messages from the company's. None when the file is not one.
    The mapping's "customer" entry holds the role values that mean the customer."""
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(norm_header(c), c)
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def take(field: str, ok=lambda col: True) -> None:
        for alias in _THREAD_ALIASES[field]:
            col = by_norm.get(alias)
            if col is not None and col not in used and ok(col):
                mapping[field] = col
                used.add(col)
                return

    def filled(col: str) -> list:
        return [r.get(col) for r in rows if str(r.get(col) if r.get(col) is not None else "").strip()]

    def repeats(col: str) -> bool:
        vals = [str(v).strip() for v in filled(col)]
        return len(vals) >= 2 and len(set(vals)) < len(vals)

    take("reply_to")
    take("message_id")
    if "reply_to" in mapping and "message_id" not in mapping:
        del mapping["reply_to"]
        used.clear()
    take("conversation", repeats)
    if "reply_to" not in mapping and "conversation" not in mapping:
        return None
    for alias in _THREAD_ALIASES["role"]:
        col = by_norm.get(alias)
        if col is None or col in used:
            continue
        values = customer_values(col, filled(col))
        if values is not None:
            mapping["role"], mapping["customer"] = col, ",".join(values)
            used.add(col)
            break
    take("author", lambda col: not _looks_like_text(filled(col)))
    take("body")
    take("created")
    take("sequence")
    take("public", lambda col: all(str(v).strip().lower() in _TRUE | _FALSE for v in filled(col)))
    take("private", lambda col: all(str(v).strip().lower() in _TRUE | _FALSE for v in filled(col)))
    if "body" not in mapping:
        return None
    if "role" not in mapping:
        # a role column whose values cannot be read: name it, the importer asks which is the customer
        for alias in _THREAD_ALIASES["role"][:20]:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping["role"] = col
                break
        else:
            if "author" not in mapping:
                return None
    return mapping


def _looks_like_text(values: list) -> bool:
    """Long free text (a message body), not an id or a name."""
    return bool(values) and sum(len(str(v)) for v in values) / len(values) > 40


def mapping_shape(mapping: dict[str, str]) -> str:
    """"thread" for a one-row-per-message mapping, "pairs" for question/answer columns."""
    if "answer" not in mapping and "body" in mapping and ("reply_to" in mapping or "conversation" in mapping):
        return "thread"
    return "pairs"


# --- detection ------------------------------------------------------------------------------
def _read_sample(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(SAMPLE_BYTES)
    except FileNotFoundError:
        raise BadInput(f"{path}: file not found") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return bad > max(2, len(text[:20000]) // 200)


def _detect_encoding(path: Path, sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"  # the codec reads the BOM and picks the byte order
    if b"\x00" in sample[:4096]:
        # UTF-16 without a BOM: every other byte is zero for Latin text
        even, odd = sample[0:4096:2].count(0), sample[1:4096:2].count(0)
        half = len(sample[:4096]) // 2
        if odd > half * 0.4 and even < half * 0.05:
            return "utf-16-le"
        if even > half * 0.4 and odd < half * 0.05:
            return "utf-16-be"
        if sample.count(0) * 200 < len(sample):
            return _detect_encoding(path, sample.replace(b"\x00", b""))  # a stray NUL in a text export
        raise BadInput(f"{path.name}: this is not a text export (binary data); export the tickets as CSV, XLSX, JSON or JSONL")
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        dec.decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    non_ascii = sum(1 for b in sample if b >= 0x80)
    if non_ascii <= max(4, len(sample) // 20):
        try:
            sample.decode("cp1252")
            return "cp1252"  # mostly ASCII with a few accented letters: a Windows export
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise BadInput(f"{path.name}: cannot tell the text encoding (is it binary?); save it as UTF-8 CSV")
    return best.encoding


_SEP_HINT = re.compile(r"^\ufeff?sep=(.)[ \t]*$", re.I)


def _pick_delimiter(text: str, hint: str | None) -> str:
    lines = text.splitlines()[:50]
    m = _SEP_HINT.match(lines[0]) if lines else None
    if m:
        return m.group(1)  # Excel's "sep=;" first line
    sample = "\n".join(lines)
    for skip_title in (False, True):
        # a title line above the header ("Tickets export - generated ...") is skipped only
        # when no delimiter splits the first line
        best, best_score = ",", -1.0
        for delim in (",", ";", "\t", "|"):
            if delim not in sample:
                continue
            try:
                rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
            except csv.Error:
                continue
            if len(rows) > 1:
                rows = rows[:-1]  # the last may be cut by the sample
            if skip_title:
                lead = 0
                while lead < min(len(rows) - 1, HEADER_SCAN_ROWS) and len(rows[lead]) < 2:
                    lead += 1
                rows = rows[lead:]
            if not rows or len(rows[0]) < 2:
                continue
            width = len(rows[0])
            consistent = sum(1 for r in rows if len(r) == width) / len(rows)
            score = consistent * 10 + min(width, 10) / 10 + (0.5 if delim == hint else 0)
            if score > best_score:
                best, best_score = delim, score
        if best_score >= 0:
            return best
    return ","


def detect(path: str | Path) -> dict[str, Any]:
    """{"format": csv|xlsx|json|jsonl, "encoding": ..., "delimiter": ... or None}."""
    path = Path(path)
    sample = _read_sample(path)
    limits.check_file_size(path)
    if not sample.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise BadInput(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    if sample.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise BadInput(f"{path.name}: a damaged ZIP/XLSX file; open it in Excel and save it again") from None
        if "xl/workbook.xml" in names:
            return {"format": "xlsx", "encoding": None, "delimiter": None}
        if "word/document.xml" in names:
            raise BadInput(f"{path.name}: a Word document, not a ticket export; export the tickets as CSV, XLSX, JSON or JSONL")
        raise BadInput(f"{path.name}: a ZIP archive, not a ticket export; unzip it and import the CSV/XLSX inside")
    for magic, what in ((b"%PDF-", "a PDF document"), (b"{\\rtf", "an RTF document"),
                        (b"\x1f\x8b", "a gzip archive (unpack it first)"), (b"7z\xbc\xaf", "a 7-Zip archive"),
                        (b"Rar!", "a RAR archive")):
        if sample.startswith(magic):
            raise BadInput(f"{path.name}: {what}, not a ticket export; export the tickets as CSV, XLSX, JSON or JSONL")
    if sample.startswith(b"\xd0\xcf\x11\xe0") and "EncryptedPackage".encode("utf-16-le") in sample:
        raise BadInput(f"{path.name}: a password-protected workbook; open it in Excel, remove the password "
                       f"(File > Info > Protect Workbook) and save it again")
    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadInput(f"{path.name}: an old Excel .xls file; save it as .xlsx or CSV and import that")
    encoding = _detect_encoding(path, sample)
    text = sample.decode(encoding, errors="replace")
    if _looks_binary(text):
        raise BadInput(f"{path.name}: this is not a text export (binary data); export the tickets as CSV, XLSX, JSON or JSONL")
    text = text.lstrip("\ufeff")
    head = text.lstrip()
    if not head:
        raise BadInput(f"{path.name}: the file is empty")
    if head[0] == "[" or (head[0] == "{" and suffix != ".csv"):
        if head[0] == "[":
            return {"format": "json", "encoding": encoding, "delimiter": None}
        first, _, rest = head.partition("\n")
        whole = len(sample) < SAMPLE_BYTES
        try:
            json.loads(first.strip())
        except ValueError:
            if suffix in (".jsonl", ".ndjson") and not (whole and _parses(head)):
                return {"format": "jsonl", "encoding": encoding, "delimiter": None}
            return {"format": "json", "encoding": encoding, "delimiter": None}
        if whole and not rest.strip() and suffix not in (".jsonl", ".ndjson"):
            # one object on one line (an API dump written without indent): a JSON document,
            # so a {"tickets": [...]} wrapper is unwrapped
            return {"format": "json", "encoding": encoding, "delimiter": None}
        return {"format": "jsonl", "encoding": encoding, "delimiter": None}
    hint = "\t" if suffix in (".tsv", ".tab") else None
    delim = _pick_delimiter(text, hint)
    return {"format": "csv", "encoding": encoding, "delimiter": delim}


def _parses(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except (ValueError, RecursionError):
        return False


# --- reading --------------------------------------------------------------------------------
ErrorSink = Callable[[int, str], None]


def _text(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding in ("utf-8", "utf-8-sig"):
            # valid UTF-8 at the start, not further down: a mixed export; Windows-1252 reads it
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode(encoding, errors="replace")
        else:
            raise BadInput(f"{path.name}: cannot be decoded as {encoding} (byte {exc.start})") from None
    if "\x00" in text and not encoding.startswith("utf-16"):
        text = text.replace("\x00", "")  # stray NULs from a database export
    return text.lstrip("\ufeff").rstrip("\x1a")  # Ctrl-Z: an old DOS end-of-file mark


def _split_lines(text: str) -> list[str]:
    """Physical lines with their endings (\\n, \\r\\n or \\r), as a CSV reader sees them."""
    return io.StringIO(text, newline="").readlines()


def _unique_columns(header: list[str]) -> list[str]:
    out, seen = [], {}
    for i, name in enumerate(header):
        name = str(name if name is not None else "").strip().lstrip("\ufeff")
        if not name:
            name = f"column_{i + 1}"
        base, k = name, 1
        while name in seen:
            k += 1
            name = f"{base}_{k}"
        seen[name] = i
        out.append(name)
    return out


def _csv_header_line(lines: list[str], pos: int, delim: str) -> int:
    """The header's line index: `pos` (the first non-blank line), unless that line names no
    question/answer column and one of the next lines does (a title line above the header)."""
    def mapping(i: int) -> dict:
        try:
            cells = next(csv.reader([lines[i]], delimiter=delim), [])
        except csv.Error:
            return {}
        return _guess_pair_mapping(_unique_columns(cells)) if len(cells) >= 2 else {}

    first = mapping(pos)
    if "question" in first or "answer" in first:
        return pos
    for i in range(pos + 1, min(len(lines), pos + HEADER_SCAN_ROWS)):
        m = mapping(i)
        if "question" in m and "answer" in m:
            return i
    return pos


def _csv_records(path: Path, info: dict, on_error: ErrorSink, progress, cancel) -> tuple[list[str], Iterator]:
    text = _text(path, info["encoding"])
    lines = _split_lines(text)
    del text
    delim = info["delimiter"] or ","
    total = len(lines)

    # header: the first non-blank record
    pos = 0
    while pos < total and not lines[pos].strip():
        pos += 1
    if pos < total and _SEP_HINT.match(lines[pos].rstrip("\r\n")):
        pos += 1  # Excel's "sep=;" line
        while pos < total and not lines[pos].strip():
            pos += 1
    if pos >= total:
        raise BadInput(f"{path.name}: the file is empty")
    pos = _csv_header_line(lines, pos, delim)
    # The csv module reads from an iterator of physical lines; `reader.line_num` says how many it
    # consumed, so `base + line_num` is the index of the next unread line. After broken quoting
    # a new reader starts again on the line after the bad record's first line.
    base = pos
    reader = csv.reader(iter(lines[pos:]) if pos else iter(lines), delimiter=delim)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BadInput(f"{path.name}: the header line cannot be read ({exc})") from None
    columns = _unique_columns(header)
    limits.check_columns(path.name, columns)
    width = len(columns)
    if width < 2:
        raise BadInput(f"{path.name}: only one column found; is this a CSV export with a header line?")

    def restart(at: int):
        nonlocal reader, base
        base = at
        reader = csv.reader(iter(lines[at:]), delimiter=delim)

    def records():
        next_progress = 0
        while True:
            start = base + reader.line_num  # 0-based index of the record's first line
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                on_error(start + 1, f"cannot be read as CSV ({exc})")
                restart(start + 1)
                continue
            end = base + reader.line_num
            if progress is not None and end >= next_progress:
                progress(end, total, f"Reading {path.name}")
                next_progress = end + 5000
                if cancel is not None and cancel():
                    from .errors import PairsmithError
                    raise PairsmithError("cancelled")
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if end - start > 1:
                # the record starts at its first non-blank line
                while start < end - 1 and not lines[start].strip():
                    start += 1
            if len(row) != width:
                if end - start > 1 and (len(row) < width or end - start > MAX_RECORD_LINES or end >= total):
                    # an unclosed quote swallowed the following lines: report, then read again
                    # from the line after the one where the broken record started
                    on_error(start + 1, f"broken quoting: a quote opened on line {start + 1} is not closed "
                                        f"(expected {width} fields, found {len(row)})")
                    restart(start + 1)
                    continue
                if len(row) > width and not any(x.strip() for x in row[width:]):
                    row = row[:width]  # trailing empty fields (a stray delimiter at line end)
                else:
                    on_error(start + 1, f"wrong number of fields (expected {width}, found {len(row)})")
                    continue
            yield start + 1, dict(zip(columns, row))
        if progress is not None:
            progress(total, total, f"Reading {path.name}")

    return columns, records()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return str(value)


def _filled(values) -> bool:
    return bool(values) and any(v is not None and str(v).strip() for v in values)


def _sheet_header(sheet) -> tuple[int, list] | None:
    """(row number, header cells) of a sheet: the first of its top rows whose names give a
    question and an answer column (a title or a merged group-header row above it is skipped),
    else its first non-empty row; None for an empty sheet."""
    first = None
    for r, values in enumerate(sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
        if not _filled(values):
            continue
        values = list(values)
        while values and (values[-1] is None or not str(values[-1]).strip()):
            values.pop()
        if first is None:
            first = (r, values)
        names = [_cell(v) for v in values if v is not None and str(v).strip()]
        m = _guess_pair_mapping(names)
        if "question" in m and "answer" in m:
            return r, values
    return first


def _xlsx_records(path: Path, on_error: ErrorSink, progress, cancel) -> tuple[list[str], Iterator]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise BadInput(f"{path.name}: cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        sheets = list(wb.worksheets)
        headers = [_sheet_header(sh) for sh in sheets]
    except Exception as exc:
        wb.close()
        raise BadInput(f"{path.name}: cannot be read as an Excel workbook ({type(exc).__name__})") from None
    if not sheets:
        wb.close()
        raise BadInput(f"{path.name}: the workbook has no sheets")
    # the sheet with the tickets: the first whose header names a question and an answer column,
    # else the first with more than one row, else the first that is not empty
    pick = None
    for i, h in enumerate(headers):
        if h is not None:
            m = _guess_pair_mapping([_cell(v) for v in h[1] if v is not None and str(v).strip()])
            if "question" in m and "answer" in m:
                pick = i
                break
    if pick is None:
        for i, (sh, h) in enumerate(zip(sheets, headers)):
            if h is not None and sh.max_row and sh.max_row > h[0]:
                pick = i
                break
    if pick is None:
        pick = next((i for i, h in enumerate(headers) if h is not None), None)
    if pick is None:
        wb.close()
        raise BadInput(f"{path.name}: the sheet is empty")
    header_row, header = headers[pick]
    if len(header) > limits.MAX_COLUMNS:
        wb.close()
    limits.check_columns(path.name, header)
    columns = _unique_columns([_cell(h) for h in header])
    width = len(columns)
    # later sheets with the same columns (one sheet per month, per team ...) are read too
    parts = [(sheets[pick], header_row, "")]
    for i in range(pick + 1, len(sheets)):
        h = headers[i]
        if h is not None and _unique_columns([_cell(v) for v in h[1]]) == columns:
            parts.append((sheets[i], h[0], f"sheet {sheets[i].title!r}: "))
    total = sum(sh.max_row or 0 for sh, _, _ in parts)

    def rows_of(sheet, hrow):
        """The sheet's rows after the header; a damaged sheet is one clear line."""
        from .errors import PairsmithError

        r = hrow
        it = sheet.iter_rows(min_row=hrow + 1, values_only=True)
        while True:
            try:
                values = next(it)
            except StopIteration:
                return
            except PairsmithError:
                raise
            except Exception as exc:
                raise BadInput(f"{path.name}: the sheet {sheet.title!r} is damaged after row {r} "
                               f"({type(exc).__name__}); open it in Excel and save it again") from None
            r += 1
            yield r, values

    def records():
        done = 0
        try:
            for sheet, hrow, where in parts:
                for r, values in rows_of(sheet, hrow):
                    if progress is not None and (done + r) % 5000 == 0:
                        progress(done + r, max(total, done + r), f"Reading {path.name}")
                        if cancel is not None and cancel():
                            from .errors import PairsmithError
                            raise PairsmithError("cancelled")
                    if not _filled(values):
                        continue
                    values = list(values)
                    if len(values) > width and any(v is not None and str(v).strip() for v in values[width:]):
                        on_error(r, f"{where}cells beyond the last header column (expected {width} columns)")
                        continue
                    yield r, {c: _cell(v) for c, v in zip(columns, values + [None] * (width - len(values)))}
                done += sheet.max_row or 0
        finally:
            wb.close()

    return columns, records()


def open_records(path: str | Path, info: dict | None = None, *, on_error: ErrorSink | None = None,
                 progress=None, cancel=None) -> tuple[list[str] | None, Iterator[tuple[int, dict]]]:
    """(columns or None for JSON, iterator of (line, record)). CSV/XLSX columns are known up front."""
    path = Path(path)
    info = info or detect(path)
    sink = on_error or (lambda line, reason: None)
    fmt = info["format"]
    if fmt == "csv":
        return _csv_records(path, info, sink, progress, cancel)
    if fmt == "xlsx":
        return _xlsx_records(path, sink, progress, cancel)
    if fmt in ("json", "jsonl"):
        from .readers_json import _json_records, _jsonl_records

        reader = _json_records if fmt == "json" else _jsonl_records
        return None, reader(path, info, sink, progress, cancel)
    raise BadInput(f"{path.name}: unknown format {fmt!r}")


def read_records(path: str | Path, info: dict | None = None, *, errors: list | None = None,
                 progress=None, cancel=None) -> Iterator[tuple[int, dict]]:
    """Yield (line_number, record) for each readable record. Bad rows are skipped; when
    `errors` is a list, {"line", "reason"} dicts are appended to it."""
    sink = (lambda line, reason: errors.append({"line": line, "reason": reason})) if errors is not None else None
    _, it = open_records(path, info, on_error=sink, progress=progress, cancel=cancel)
    yield from it


DETECT_ROWS = 500  # rows read to recognise a conversation export


def preview(path: str | Path, n: int = 20) -> dict[str, Any]:
    """For the import wizard: format, encoding, delimiter, columns, the first n rows and the
    guessed mapping, plus "shape" ("pairs" or "thread"). A conversation export (one row per
    message) is read to the end to count its messages and conversations ("messages",
    "conversations", and "summary": a line for a person)."""
    path = Path(path)
    info = detect(path)
    errors: list = []
    columns, it = open_records(path, info, on_error=lambda line, reason: errors.append({"line": line, "reason": reason}))
    sample = []
    for _, rec in it:
        sample.append(rec)
        if len(sample) >= max(n, DETECT_ROWS):
            break
    if columns is None:
        columns = []
        for rec in sample:
            for k in rec:
                if k not in columns:
                    columns.append(k)
    mapping = guess_mapping(columns, sample)
    shape = mapping_shape(mapping)
    out = {**info, "columns": columns, "rows": sample[:n], "mapping": mapping, "shape": shape}
    if shape == "thread":
        if mapping.get("role"):
            # the values of the sender column, for a person to say which one is the customer
            seen: dict[str, str] = {}
            for rec in sample:
                v = rec.get(mapping["role"])
                v = "" if v is None else str(v).strip()
                if v and v.lower() not in seen and len(seen) < 50:
                    seen[v.lower()] = v
            out["role_values"] = sorted(seen.values(), key=str.lower)
        messages, conversations = _count_thread(mapping, sample, (rec for _, rec in it))
        out.update(messages=messages, conversations=conversations,
                   summary=f"conversation export: one row per message; {messages:,} message(s) in "
                           f"{conversations:,} conversation(s)")
    close = getattr(it, "close", None)
    if close:
        close()
    out["errors"] = errors[:n]
    return out


def _count_thread(mapping: dict[str, str], sample: list[dict], rest: Iterator[dict]) -> tuple[int, int]:
    """(messages, conversations): distinct conversation ids, or for reply links the messages
    that start a chain (no reply-to, or one to a message not in the file)."""
    conv, mid, rto = mapping.get("conversation"), mapping.get("message_id"), mapping.get("reply_to")
    messages = 0
    convs: set[str] = set()
    ids: set[str] = set()
    parents: list[str] = []

    def cell(rec: dict, col: str | None) -> str:
        v = rec.get(col) if col else None
        return "" if v is None else str(v).strip()

    for rec in itertools.chain(sample, rest):
        messages += 1
        if rto:
            ids.add(cell(rec, mid))
            parents.append(cell(rec, rto))
        else:
            convs.add(cell(rec, conv))
    if rto:
        return messages, sum(1 for p in parents if not p or p not in ids)
    return messages, len(convs)
