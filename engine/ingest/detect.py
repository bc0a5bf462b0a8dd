"""What a file is: its format (CSV/TSV, XLSX, JSON, JSON lines), text encoding and delimiter,
found from its content; and reading it as text.

    detect(path) -> {"format", "encoding", "delimiter"}
    read_text(path, encoding) -> str   (BOM, stray NULs and a DOS end-of-file mark removed)

Anything that is not a ticket export (a PDF, an archive, a binary file) raises `BadInput` with one
line a person can act on.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import hashlib
import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

from engine.ingest import limits
from engine.workspace.errors import BadInput

SAMPLE_BYTES = 1 << 20
HEADER_SCAN_ROWS = 20  # top rows searched for the header line (below a title line)
SEP_HINT = re.compile(r"^\ufeff?sep=(.)[ \t]*$", re.I)  # Excel's "sep=;" first line

# a reader reports a bad record as (line number, reason)
ErrorSink = Callable[[int, str], None]


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


def _pick_delimiter(text: str, hint: str | None) -> str:
    lines = text.splitlines()[:50]
    m = SEP_HINT.match(lines[0]) if lines else None
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


def read_text(path: Path, encoding: str) -> str:
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

def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def excel_serial_date(text: str) -> str:
    """"45352.5" (a spreadsheet date cell without a date format) -> "2024-03-01 12:00:00";
    anything else as it is. Only numbers between 1954 and 2119 count as dates."""
    if not _SERIAL.fullmatch(text):
        return text
    days = float(text)
    if not 20000 <= days <= 80000:
        return text
    when = _dt.datetime(1899, 12, 30) + _dt.timedelta(days=days)
    when = when.replace(microsecond=0) + _dt.timedelta(seconds=round(when.microsecond / 1e6))
    return when.isoformat(sep=" ")
