"""Records from a ticket export: CSV/TSV and XLSX here, JSON and JSON lines in json_records.

    open_records(path, info=None, on_error=None) -> (columns or None, iterator of (line, record))
    read_records(path, ...) yields (line_number, record_dict); bad rows go to `errors`
    preview(path, n=20) -> {"format", "encoding", "delimiter", "columns", "rows", "mapping", "shape"}

Line numbers are where the record starts in the file: the physical line for CSV/TSV and JSONL,
the sheet row for XLSX, the element index + 1 for a JSON array. Fine-tuning shapes
(instruction/response, alpaca instruction+input+output, prompt/completion, chat `messages`)
are recognised. Anything unreadable raises `BadInput` with one line a person can act on.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import sys
from pathlib import Path
from typing import Any, Iterator

from engine.ingest import json_records, limits
from engine.ingest.detect import HEADER_SCAN_ROWS, SEP_HINT, ErrorSink, detect
from engine.ingest.mapping import DETECT_ROWS, guess_mapping, guess_pair_mapping, mapping_shape
from engine.workspace.errors import BadInput, Cancelled, PairsmithError

MAX_RECORD_LINES = 2000  # a quoted CSV field spanning more lines than this is broken quoting

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# --- reading --------------------------------------------------------------------------------
def _split_lines(text: str) -> list[str]:
    """Physical lines with their endings (\\n, \\r\\n or \\r), as a CSV reader sees them."""
    return io.StringIO(text, newline="").readlines()


READ_CHECK_BYTES = 1 << 20


def _text_encoding(path: Path, encoding: str) -> tuple[str, str]:
    """(encoding, errors) that read the whole file as detect.read_text would: UTF-8 that breaks
    further down is Windows-1252; checked a megabyte at a time, nothing kept."""
    import codecs

    def decodes(enc: str) -> int | None:
        dec = codecs.getincrementaldecoder(enc)()
        done = 0
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(READ_CHECK_BYTES), b""):
                try:
                    dec.decode(block)
                except UnicodeDecodeError as exc:
                    return done + exc.start
                done += len(block)
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return done + exc.start
        return None

    bad = decodes(encoding)
    if bad is None:
        return encoding, "strict"
    if encoding in ("utf-8", "utf-8-sig"):
        return ("cp1252", "strict") if decodes("cp1252") is None else (encoding, "replace")
    raise BadInput(f"{path.name}: cannot be decoded as {encoding} (byte {bad})")


class _Lines:
    """The physical lines of a text file (endings kept, as `_split_lines` gives them), read as
    they are asked for. Lines from the oldest one still wanted are kept (`forget_before`), so a
    CSV reader can start again on any of them after broken quoting; memory holds one record's
    lines, not the file. Tidied as detect.read_text does (BOM, stray NULs, a final Ctrl-Z)."""

    def __init__(self, path: Path, encoding: str):
        enc, errors = _text_encoding(path, encoding)
        self._f = open(path, encoding=enc, errors=errors, newline="")
        self._nul = not enc.startswith("utf-16")
        self._buf: list[str] = []
        self._first = 0       # index of self._buf[0]
        self._eof = False
        self._started = False

    def _read(self) -> bool:
        chunk = self._f.readlines(1 << 16)
        if not chunk:
            self._eof = True
            self._f.close()
            if self._buf:  # a DOS end-of-file mark after the last line
                last = self._buf[-1].rstrip("\x1a")
                if last:
                    self._buf[-1] = last
                else:
                    self._buf.pop()
            return False
        if not self._started:
            self._started = True
            chunk[0] = chunk[0].lstrip("\ufeff")
        if self._nul and any("\x00" in line for line in chunk):
            chunk = [line.replace("\x00", "") for line in chunk]
        self._buf.extend(chunk)
        return True

    def get(self, i: int) -> str | None:
        """Line i (0-based), None past the end. The line after it is read too, so the last line
        is known to be the last before it is handed out."""
        while i + 1 >= self._first + len(self._buf) and not self._eof:
            self._read()
        j = i - self._first
        if j < 0:
            raise IndexError(f"line {i + 1} was already forgotten")
        return self._buf[j] if j < len(self._buf) else None

    def forget_before(self, i: int) -> None:
        if i - self._first > 4096:  # in steps: deleting from a list's front moves the rest
            del self._buf[:i - self._first]
            self._first = i

    def from_(self, i: int) -> Iterator[str]:
        buf = self._buf
        while True:
            j = i - self._first
            if j + 1 >= len(buf) and not self._eof:
                self._read()
                buf = self._buf
                continue
            if j >= len(buf):
                return
            yield buf[j]
            i += 1

    def close(self) -> None:
        self._f.close()


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


def _csv_header_line(lines: "_Lines", pos: int, delim: str) -> int:
    """The header's line index: `pos` (the first non-blank line), unless that line names no
    question/answer column and one of the next lines does (a title line above the header)."""
    def mapping(i: int) -> dict:
        try:
            cells = next(csv.reader([lines.get(i)], delimiter=delim), [])
        except csv.Error:
            return {}
        return guess_pair_mapping(_unique_columns(cells)) if len(cells) >= 2 else {}

    first = mapping(pos)
    if "question" in first or "answer" in first:
        return pos
    for i in range(pos + 1, pos + HEADER_SCAN_ROWS):
        if lines.get(i) is None:
            break
        m = mapping(i)
        if "question" in m and "answer" in m:
            return i
    return pos


def _csv_records(path: Path, info: dict, on_error: ErrorSink, progress, cancel) -> tuple[list[str], Iterator]:
    """The file is read as its records are asked for (engine.ingest.tables._Lines); progress
    counts lines against an estimate from the file's size."""
    lines = _Lines(path, info["encoding"])
    try:
        return _csv_open(path, info, lines, on_error, progress, cancel)
    except BaseException:
        lines.close()
        raise


def _estimated_lines(path: Path) -> int:
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(READ_CHECK_BYTES)
    except OSError:
        return 0
    return int(max(1, head.count(b"\n")) * size / max(1, len(head)))


def _csv_open(path: Path, info: dict, lines: _Lines, on_error: ErrorSink, progress, cancel
              ) -> tuple[list[str], Iterator]:
    delim = info["delimiter"] or ","
    total = _estimated_lines(path)

    # header: the first non-blank record
    pos = 0
    while lines.get(pos) is not None and not lines.get(pos).strip():
        pos += 1
    if lines.get(pos) is not None and SEP_HINT.match(lines.get(pos).rstrip("\r\n")):
        pos += 1  # Excel's "sep=;" line
        while lines.get(pos) is not None and not lines.get(pos).strip():
            pos += 1
    if lines.get(pos) is None:
        raise BadInput(f"{path.name}: the file is empty")
    pos = _csv_header_line(lines, pos, delim)
    # The csv module reads from an iterator of physical lines; `reader.line_num` says how many it
    # consumed, so `base + line_num` is the index of the next unread line. After broken quoting
    # a new reader starts again on the line after the bad record's first line.
    base = pos
    reader = csv.reader(lines.from_(pos), delimiter=delim)
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
        reader = csv.reader(lines.from_(at), delimiter=delim)

    def records():
        next_progress = 0
        try:
            while True:
                start = base + reader.line_num  # 0-based index of the record's first line
                lines.forget_before(start)
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
                    progress(end, max(total, end + 1), f"Reading {path.name}")
                    next_progress = end + 5000
                    if cancel is not None and cancel():
                        raise Cancelled()
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if end - start > 1:
                    # the record starts at its first non-blank line
                    while start < end - 1 and not lines.get(start).strip():
                        start += 1
                if len(row) != width:
                    at_end = lines.get(end) is None
                    if end - start > 1 and (len(row) < width or end - start > MAX_RECORD_LINES or at_end):
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
                done = base + reader.line_num
                progress(done, done, f"Reading {path.name}")
        finally:
            lines.close()

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
        m = guess_pair_mapping(names)
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
            m = guess_pair_mapping([_cell(v) for v in h[1] if v is not None and str(v).strip()])
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
                            raise Cancelled()
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
        reader = json_records.json_records if fmt == "json" else json_records.jsonl_records
        return None, reader(path, info, sink, progress, cancel)
    raise BadInput(f"{path.name}: unknown format {fmt!r}")


def read_records(path: str | Path, info: dict | None = None, *, errors: list | None = None,
                 progress=None, cancel=None) -> Iterator[tuple[int, dict]]:
    """Yield (line_number, record) for each readable record. Bad rows are skipped; when
    `errors` is a list, {"line", "reason"} dicts are appended to it."""
    sink = (lambda line, reason: errors.append({"line": line, "reason": reason})) if errors is not None else None
    _, it = open_records(path, info, on_error=sink, progress=progress, cancel=cancel)
    yield from it


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
