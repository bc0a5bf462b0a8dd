"""A shared mailbox as tickets: mbox files, `.eml` files (a folder of them), Outlook `.msg`.

    sniff(path) -> "mail" or None   (an mbox "From " line, RFC 822 headers, an Outlook OLE file)
    read_mail(paths, on_error, progress, cancel) -> iterator of helpdesk.Ticket

Messages are threaded by `Message-ID` / `In-Reply-To` / `References`, and, for a client that
dropped those headers, by the subject without its "Re:"/"Fwd:" between the same people. The
thread's first sender is the requester; every other sender is the help desk. A help-desk
message that does not go back to the requester (a forward to payroll, a colleague's reply on
an internal copy) is an internal note: kept for the Review pane, never in a pair. HTML bodies
become text with html2text; attachments are listed, never read. The external id is the first
message's `Message-ID`.

A message that cannot be read (no headers, broken MIME) is reported by its number in the
mbox (and the line where it starts) or by its file, and the others are read. Threading needs
every message's headers, so those are kept; a body is read again from the file (the mbox's
byte range, the .eml or .msg) when its thread becomes a ticket, so memory holds one thread's
text, not the mailbox's.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from engine.ingest.helpdesk import Post, Ticket, html_to_text
from engine.workspace.errors import Cancelled

MAIL_SUFFIXES = (".mbox", ".eml", ".msg", ".mbx")
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,60}:[ \t]", re.M)
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|wg|tr|antw|rv)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]{0,40}\]\s*)+", re.I)
FATAL_DEFECTS = ("MissingHeaderBodySeparatorDefect", "StartBoundaryNotFoundDefect", "NoBoundaryInMultipartDefect",
                 "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect", "InvalidBase64PaddingDefect",
                 "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect")


def sniff(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0") and "__substg1.0_".encode("utf-16-le") in _ole_names(path):
        return "mail"
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.startswith(b"From ") and re.search(rb"^(?:From|Subject|Date|Message-ID):", text, re.M | re.I):
        return "mail"
    top = text.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = [ln for ln in top.splitlines() if ln.strip()]
    if len(lines) >= 3:
        headers = sum(1 for ln in lines if _HEADER.match(ln) or ln[:1] in (b" ", b"\t"))
        names = {ln.split(b":", 1)[0].lower() for ln in lines if _HEADER.match(ln)}
        if headers == len(lines) and b"from" in names and names & {b"message-id", b"subject", b"date", b"received"}:
            return "mail"
    return None


def _ole_names(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(1 << 20)


@dataclass
class Mail:
    where: str             # "message 3" / the file name
    file: str
    line: int
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    sender: str            # address, lower case
    sender_name: str
    recipients: set[str]
    date: str
    when: float
    body: str
    attachments: list[str] = field(default_factory=list)
    src: tuple | None = None  # (path, start, end, "mbox"/"eml"/"msg"): the body is read again from there


def _body(m: Mail) -> str:
    """The mail's text: threading keeps only the headers of every mail (a mailbox can be large),
    so the body is read again from the file when its thread becomes a ticket."""
    if m.src is None:
        return m.body
    path, start, end, kind = m.src
    sink = lambda *_: None  # noqa: E731  (it was read once already: errors were reported then)
    if kind == "msg":
        again = _msg_file(path, sink)
    else:
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read(-1 if end is None else end - start)
        if kind == "mbox":
            data = _MBOXRD.sub(rb"\1", data)
        again = _parse(data, m.where, m.file, m.line, sink)
    return again.body if again is not None else ""


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value or "") or ([value.strip()] if value and value.strip() else [])


def _addresses(*values) -> set[str]:
    return {a.lower() for _, a in email.utils.getaddresses([str(v) for v in values if v]) if a}


def _body_of(msg) -> tuple[str, list[str]]:
    text, html, files = None, None, []
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        disp = (part.get_content_disposition() or "").lower()
        if name or disp == "attachment":
            files.append(name or "(unnamed attachment)")
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError, AssertionError):
            payload = part.get_payload(decode=True) or b""
            content = payload.decode("utf-8", errors="replace")
        if ctype == "text/plain" and text is None:
            text = content
        elif ctype == "text/html" and html is None:
            html = content
    if text is not None and text.strip():
        return text, files
    return html_to_text(html or ""), files


_MBOXRD = re.compile(rb"^>(>*From )", re.M)


def _parse(data: bytes, where: str, file: str, line: int, on_error) -> Mail | None:
    from engine.ingest.threads import time_key

    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; anything that still raises is broken
        on_error(file, line, f"{where}: cannot be read as an e-mail ({exc})")
        return None
    fatal = [type(d).__name__ for d in msg.defects if type(d).__name__ in FATAL_DEFECTS]
    for part in msg.walk():
        fatal += [type(d).__name__ for d in getattr(part, "defects", ()) if type(d).__name__ in FATAL_DEFECTS]
    try:
        sender_header = msg.get("From")
    except Exception:
        sender_header = None
    if not sender_header:
        on_error(file, line, f"{where}: no From header (not an e-mail, or its headers are cut off)")
        return None
    if fatal:
        on_error(file, line, f"{where}: broken MIME structure ({', '.join(sorted(set(fatal)))}); left out")
        return None
    try:
        body, files = _body_of(msg)
    except Exception as exc:
        on_error(file, line, f"{where}: the body cannot be decoded ({exc}); left out")
        return None
    name, addr = email.utils.parseaddr(str(sender_header))
    date = str(msg.get("Date") or "")
    when = None
    try:
        dt = email.utils.parsedate_to_datetime(date) if date else None
        when = dt.timestamp() if dt else None
    except (TypeError, ValueError, IndexError):
        when = time_key(date)
    mid = (_ids(str(msg.get("Message-ID") or "")) or [""])[0]
    return Mail(where, file, line, mid, (_ids(str(msg.get("In-Reply-To") or "")) or [""])[0],
                _ids(str(msg.get("References") or "")), str(msg.get("Subject") or ""), addr.lower(), name,
                _addresses(msg.get("To"), msg.get("Cc")), date, when if when is not None else float("inf"), body,
                files)


def _mbox_messages(path: Path, on_error, cancel) -> Iterator[Mail]:
    """An mbox read line by line: a message starts at a "From " line (after a blank line)."""
    buf: list[bytes] = []
    start = 0
    number = 0
    prev_blank = True
    offset = body_at = 0  # bytes: where the current line starts, where the message's text starts

    def flush():
        nonlocal number
        if not buf:
            return None
        number += 1
        data = b"".join(buf[1:])  # without the "From " separator
        data = _MBOXRD.sub(rb"\1", data)  # mboxrd quoting
        m = _parse(data, f"message {number}", path.name, start, on_error)
        if m is not None:
            m.body, m.src = "", (path, body_at, offset, "mbox")
        return m

    with open(path, "rb") as f:
        for n, line in enumerate(f, start=1):
            if line.startswith(b"From ") and prev_blank:
                m = flush()
                if m is not None:
                    yield m
                if cancel is not None and number % 1000 == 0 and cancel():
                    raise Cancelled()
                buf = [line]
                start = n
                body_at = offset + len(line)
            elif buf:
                buf.append(line)
            elif line.strip():
                on_error(path.name, n, "text before the first message (not an mbox 'From ' line); left out")
                buf = [b"From -\n", line]
                start = n
                body_at = offset
            prev_blank = not line.strip()
            offset += len(line)
    m = flush()
    if m is not None:
        yield m


def _msg_file(path: Path, on_error) -> Mail | None:
    from engine.ingest.threads import time_key

    try:
        import extract_msg

        msg = extract_msg.openMsg(str(path))
    except Exception as exc:
        on_error(path.name, 1, f"cannot be read as an Outlook message ({exc})")
        return None
    try:
        header = msg.header
        sender = str(msg.sender or "")
        name, addr = email.utils.parseaddr(sender)
        body = msg.body or ""
        if not body.strip() and msg.htmlBody:
            raw = msg.htmlBody
            body = html_to_text(raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw)
        files = [a.getFilename() if hasattr(a, "getFilename") else (a.longFilename or a.shortFilename or "")
                 for a in msg.attachments]
        date = msg.date
        when = date.timestamp() if hasattr(date, "timestamp") else (time_key(str(date)) or float("inf"))
        mid = (_ids(str(getattr(msg, "messageId", None) or (header.get("Message-ID") if header else "") or ""))
               or [""])[0]
        return Mail(path.name, path.name, 1, mid,
                    (_ids(str(getattr(msg, "inReplyTo", None) or (header.get("In-Reply-To") if header else "") or ""))
                     or [""])[0],
                    _ids(str(header.get("References") or "")) if header else [], str(msg.subject or ""), addr.lower(),
                    name, _addresses(msg.to, msg.cc), str(date or ""), when, body, [f for f in files if f])
    except Exception as exc:
        on_error(path.name, 1, f"the Outlook message cannot be read ({exc})")
        return None
    finally:
        try:
            msg.close()
        except Exception:
            pass


def _messages(paths: Iterable[Path], on_error, cancel) -> Iterator[Mail]:
    for p in paths:
        with open(p, "rb") as f:
            head = f.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            m = _msg_file(p, on_error)
            kind = "msg"
        elif head.startswith(b"From ") or head.startswith(b"\xef\xbb\xbfFrom "):
            yield from _mbox_messages(p, on_error, cancel)
            continue
        else:
            m = _parse(p.read_bytes(), p.name, p.name, 1, on_error)
            kind = "eml"
        if m is not None:
            m.body, m.src = "", (p, 0, None, kind)
            yield m


def _subject_key(subject: str) -> str:
    return " ".join(_SUBJECT_PREFIX.sub("", subject or "").lower().split())


def threads(mails: list[Mail]) -> list[list[Mail]]:
    """Group mails into threads (see the module's docstring), each in time order."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_id: dict[str, int] = {}
    for i, m in enumerate(mails):
        if m.message_id and m.message_id not in by_id:
            by_id[m.message_id] = i
    linked = set()
    for i, m in enumerate(mails):
        for ref in [m.in_reply_to] + m.references:
            j = by_id.get(ref)
            if ref and j is not None and j != i:
                union(i, j)
                linked.add(i)
    # no reply headers: the same subject between the same people
    order = sorted(range(len(mails)), key=lambda i: (mails[i].when, i))
    by_subject: dict[str, list[int]] = {}
    for i in order:
        m = mails[i]
        key = _subject_key(m.subject)
        if i not in linked and key and _SUBJECT_PREFIX.match(m.subject or ""):
            for j in by_subject.get(key, ()):
                o = mails[j]
                people = {o.sender} | o.recipients
                if m.sender in people or (m.recipients & {o.sender}):
                    union(i, j)
                    break
        by_subject.setdefault(key, []).append(i)
    groups: dict[int, list[Mail]] = {}
    for i in order:
        groups.setdefault(find(i), []).append(mails[i])
    return list(groups.values())


def _to_ticket(thread: list[Mail]) -> Ticket:
    root = thread[0]
    requester = root.sender
    posts = []
    for m in thread:
        customer = m.sender == requester
        internal = not customer and requester not in m.recipients
        posts.append(Post(_body(m), customer, internal, m.sender_name or m.sender, m.date, m.message_id,
                          list(m.attachments)))
    ext = root.message_id or f"{root.file}:{root.line}"
    return Ticket("mail", ext, root.line, root.file, _SUBJECT_PREFIX.sub("", root.subject).strip(), root.date,
                  root.sender_name or requester, "", posts)


def read_mail(paths: list[Path], on_error: Callable[[str, int, str], None], progress=None, cancel=None
              ) -> Iterator[Ticket]:
    mails = list(_messages(paths, on_error, cancel))
    if progress is not None:
        progress(len(mails), len(mails), "Threading messages")
    for thread in threads(mails):
        yield _to_ticket(thread)
