"""Bad input never gives a traceback: property-based tests on every importer.

For any bytes, CSV/TSV (random quoting, delimiters and encodings), XLSX with odd cells, JSON nested
deeply, JSONL with wrong keys and invalid lines, and huge fields:
- only engine.workspace.errors.PairsmithError subclasses escape;
- an import either adds exactly what it reports or nothing at all (all-or-none, also across files);
- each bad row is reported with the line (or sheet row) where it starts.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re

import pytest
from hypothesis import assume, given, HealthCheck, settings, strategies as st

from engine.ingest import limits
from engine.workspace.errors import BadInput, PairsmithError
from engine.ingest.importer import import_files
from engine.ingest.tables import preview
from engine.workspace.store import Workspace

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
_counter = itertools.count()


@pytest.fixture(scope="module")
def fws(tmp_path_factory):
    ws = Workspace.create(tmp_path_factory.mktemp("fuzz") / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-files")

    def write(data: bytes, suffix: str = ".csv"):
        path = folder / f"f{next(_counter)}{suffix}"
        path.write_bytes(data)
        return path

    return write


def counts(ws) -> tuple[int, int, int]:
    return (ws.scalar("SELECT count(*) FROM tickets"), ws.scalar("SELECT count(*) FROM pairs"),
            ws.scalar("SELECT count(*) FROM sources"))


def attempt(ws, paths, **kw):
    """Import; only PairsmithError may escape; all or nothing. Returns the summary or the error."""
    before = counts(ws)
    try:
        res = import_files(ws, paths, **kw)
    except PairsmithError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        assert counts(ws) == before, "a failed import left rows behind"
        return exc
    after = counts(ws)
    assert after[0] - before[0] == res["imported"] == after[1] - before[1]
    for e in res["errors"]:
        assert isinstance(e["line"], int) and e["line"] >= 1 and e["reason"]
    return res


# --- random bytes -----------------------------------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".tsv", ".json", ".jsonl", ".xlsx", ".txt"]))
def test_random_bytes(fws, files, data, suffix):
    path = files(data, suffix)
    attempt(fws, [path])
    try:
        preview(path)
    except PairsmithError:
        pass


@FUZZ
@given(data=st.binary(min_size=1, max_size=2000))
def test_random_bytes_after_a_good_file_import_nothing(fws, files, data):
    good = files(("Question,Answer\n" + f"How do I book leave {next(_counter)}?,Use the portal.\n").encode())
    bad = files(b"PK\x03\x04" + data, ".xlsx")  # a damaged workbook: unreadable, always
    res = attempt(fws, [good, bad])
    assert isinstance(res, BadInput)


# --- CSV / TSV --------------------------------------------------------------------------------
cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
blank = st.sampled_from(["", " ", "\t", "  \n "])
row_st = st.tuples(cell | blank, cell | blank, st.text(alphabet="abc0123456789", max_size=8))


@FUZZ
@given(rows=st.lists(row_st, min_size=1, max_size=25),
       delim=st.sampled_from([",", ";", "\t", "|"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_csv_with_random_quoting_and_encodings(fws, files, rows, delim, quoting, encoding, newline):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delim, quoting=quoting, lineterminator=newline)
    w.writerow(["Ticket ID", "Question", "Answer", "Category"])
    starts = []  # the physical line each record starts on
    line = 2
    for i, (q, a, tag) in enumerate(rows):
        starts.append(line)
        record = [f"T{next(_counter)}-{tag}", q, a, "HR"]
        w.writerow(record)
        line += sum(len(re.findall(r"\r\n|\r|\n", c)) for c in record) + 1
    text = buf.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    path = files(data, ".tsv" if delim == "\t" else ".csv")
    res = attempt(fws, [path])
    if isinstance(res, PairsmithError):
        return
    f = res["files"][0]
    if f["delimiter"] != delim or f["mapping"].get("answer") != "Answer" or f["mapping"].get("question") != "Question":
        return  # a guess the user corrects in the wizard; nothing more to check
    # a well-formed file read with the right settings: every record is accounted for and every
    # record without a question or an answer is reported on the line where it starts
    simple = all("\r" not in q + a and "\n" not in q + a for q, a, _ in rows)
    assert res["imported"] + res["duplicates_skipped"] + len(res["errors"]) == len(rows) or not simple
    bad = {starts[i] for i, (q, a, _) in enumerate(rows) if not q.strip() or not a.strip()}
    reported = {e["line"] for e in res["errors"]}
    if simple:
        assert bad == reported, (bad, res["errors"])


@FUZZ
@given(lines=st.lists(st.text(alphabet=st.sampled_from(list('ab,;"\t\' \r\n\\=')), max_size=40), min_size=1, max_size=30))
def test_csv_with_broken_quoting(fws, files, lines):
    text = "Question,Answer\n" + "\n".join(lines) + "\n"
    attempt(fws, [files(text.encode("utf-8"))])


# --- XLSX -------------------------------------------------------------------------------------
def _xlsx_bytes(header, rows) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


xcell = st.one_of(
    st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.dates(), st.datetimes(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.sampled_from(["=1+1", "=SUM(A1:A2)", "  ", "'quoted", "#N/A"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(rows=st.lists(st.lists(xcell, min_size=0, max_size=6), min_size=1, max_size=12))
def test_xlsx_with_odd_cells(fws, files, rows):
    rows = [[f"X{next(_counter)}"] + r for r in rows]
    path = files(_xlsx_bytes(["Ticket ID", "Question", "Answer"], rows), ".xlsx")
    res = attempt(fws, [path])
    if isinstance(res, PairsmithError):
        return

    def empty(v):  # a formula never calculated by a spreadsheet has no value to read
        return v is None or (isinstance(v, str) and (not v.strip() or v.startswith("=")))

    expected_bad = set()
    for i, r in enumerate(rows, start=2):
        q, a = (r[1] if len(r) > 1 else None), (r[2] if len(r) > 2 else None)
        beyond = [v for v in r[3:] if not empty(v)]
        if beyond or empty(q) or empty(a):
            expected_bad.add(i)
    assert {e["line"] for e in res["errors"]} == expected_bad


# --- JSON / JSONL -----------------------------------------------------------------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 30_000), where=st.sampled_from(["top", "field", "jsonl"]))
def test_json_deep_nesting(fws, files, depth, where):
    nest = "[" * depth + "]" * depth
    if where == "top":
        data, suffix = nest, ".json"
    elif where == "field":
        data, suffix = json.dumps([{"question": "q", "answer": "a"}])[:-2] + f', "x": {nest}}}]', ".json"
    else:
        data = "\n".join([json.dumps({"question": f"q{next(_counter)}", "answer": "a"}),
                          '{"question": "deep", "answer": "a", "x": ' + nest + "}"])
        suffix = ".jsonl"
    res = attempt(fws, [files(data.encode(), suffix)])
    if where == "jsonl" and not isinstance(res, PairsmithError) and depth > 5000:
        assert any(e["line"] == 2 for e in res["errors"])


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
jsonl_line = st.one_of(
    st.fixed_dictionaries({"question": st.text(max_size=30), "answer": st.text(max_size=30)}),
    st.fixed_dictionaries({"instruction": st.text(max_size=30), "response": st.text(max_size=30)}),
    st.fixed_dictionaries({"wrong": json_value, "keys": json_value}),
    st.fixed_dictionaries({"messages": st.lists(st.fixed_dictionaries(
        {"role": st.sampled_from(["user", "assistant", "system", "tool", 3]), "content": json_value}), max_size=3)}),
    json_value,
    st.sampled_from(["{not json", "[1, 2", "", "   ", '{"question": "a", "answer": ', "\ufeff{}", "null"]),
)


@FUZZ
@given(items=st.lists(jsonl_line, min_size=1, max_size=20))
def test_jsonl_with_wrong_keys_and_invalid_lines(fws, files, items):
    lines, invalid = [], set()
    for n, item in enumerate(items, start=1):
        if isinstance(item, str) and item in ("{not json", "[1, 2", '{"question": "a", "answer": '):
            lines.append(item)
            invalid.add(n)
        elif isinstance(item, str) and not item.strip():
            lines.append(item)
        else:
            text = json.dumps(item, ensure_ascii=False)
            if "\n" in text or "\r" in text or "\u2028" in text:
                assume(False)
            lines.append(text)
    path = files("\n".join(lines).encode("utf-8"), ".jsonl")
    res = attempt(fws, [path])
    if isinstance(res, PairsmithError) or res["files"][0]["format"] != "jsonl":
        return
    reported = {e["line"] for e in res["errors"]}
    assert invalid <= reported, (invalid, res["errors"])


@FUZZ
@given(items=st.lists(json_value, max_size=8), wrap=st.booleans())
def test_json_arrays_of_anything(fws, files, items, wrap):
    data = {"tickets": items} if wrap else items
    attempt(fws, [files(json.dumps(data).encode(), ".json")])


# --- limits -----------------------------------------------------------------------------------
def test_huge_field_is_a_bad_row_with_its_line(fws, files):
    big = "x" * (limits.MAX_FIELD_CHARS + 1)
    text = f"Question,Answer\nfirst {next(_counter)},fine\nsecond,{big}\nthird {next(_counter)},fine\n"
    res = attempt(fws, [files(text.encode())])
    assert res["imported"] == 2
    assert [e["line"] for e in res["errors"]] == [3] and "too long" in res["errors"][0]["reason"]


def test_huge_extra_column_is_a_bad_row(fws, files):
    big = "y" * (limits.MAX_FIELD_CHARS + 1)
    text = f"Question,Answer,Notes\nq {next(_counter)},a,{big}\nq {next(_counter)},a,short\n"
    res = attempt(fws, [files(text.encode())])
    assert res["imported"] == 1 and [e["line"] for e in res["errors"]] == [2]


def test_too_many_columns(fws, files):
    header = ["Question", "Answer"] + [f"c{i}" for i in range(limits.MAX_COLUMNS)]
    text = ",".join(header) + "\n" + ",".join(["q", "a"] + [""] * limits.MAX_COLUMNS) + "\n"
    res = attempt(fws, [files(text.encode())])
    assert isinstance(res, BadInput) and "columns" in str(res) and str(limits.MAX_COLUMNS) in str(res)
    rows = [{"question": "q", "answer": "a", **{f"k{i}": 1 for i in range(limits.MAX_COLUMNS + 1)}}]
    res = attempt(fws, [files(json.dumps(rows).encode(), ".json")])
    assert isinstance(res, BadInput) and "columns" in str(res)
    xlsx = _xlsx_bytes(header, [["q", "a"] + ["v"] * limits.MAX_COLUMNS])
    res = attempt(fws, [files(xlsx, ".xlsx")])
    assert isinstance(res, BadInput) and "columns" in str(res)


def test_file_size_limit(fws, files, monkeypatch):
    path = files(("Question,Answer\n" + "q,a\n" * 400).encode())
    monkeypatch.setenv(limits.ENV_MAX_FILE, "1K")
    res = attempt(fws, [path])
    assert isinstance(res, BadInput)
    assert "limit is 1.0 KB" in str(res) and limits.ENV_MAX_FILE in str(res)
    with pytest.raises(BadInput):
        preview(path)
    monkeypatch.setenv(limits.ENV_MAX_FILE, "lots")
    with pytest.raises(BadInput, match="not a size"):
        limits.max_file_bytes()
    monkeypatch.delenv(limits.ENV_MAX_FILE)
    assert limits.max_file_bytes() == 2 * 1024**3
    assert os.path.getsize(path) < limits.max_file_bytes()
