"""Reading messy ticket exports: formats, encodings, delimiters, shapes, line numbers, bad input."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from engine.workspace.errors import BadInput
from engine.ingest.detect import detect
from engine.ingest.mapping import guess_mapping
from engine.ingest.tables import preview, read_records

DATA = Path(__file__).parent / "data" / "import"

ROWS = [
    ("T-1", "Café access", "Can I get a badge for the café on floor 2? It’s for the new starter.", "Yes – ask reception; badges cost 5 €."),
    ("T-2", "Leave", "How many days of leave carry over?", "Up to 5 days, used by 31 March."),
]


def _csv_text(delim: str = ",", newline: str = "\r\n") -> str:
    lines = [delim.join(["Ticket ID", "Subject", "Description", "Resolution"])]
    for r in ROWS:
        lines.append(delim.join(f'"{v}"' if (delim in v or '"' in v) else v for v in r))
    return newline.join(lines) + newline


def _records(path, **kw):
    errors: list = []
    recs = list(read_records(path, errors=errors, **kw))
    return recs, errors


@pytest.mark.parametrize("name,encoding,expected", [
    ("utf8.csv", "utf-8", "utf-8"),
    ("utf8bom.csv", "utf-8-sig", "utf-8-sig"),
    ("cp1252.csv", "cp1252", "cp1252"),
])
def test_encodings_plain(tmp_path, name, encoding, expected):
    p = tmp_path / name
    p.write_bytes(_csv_text().encode(encoding))
    info = detect(p)
    assert info == {"format": "csv", "encoding": expected, "delimiter": ","}
    recs, errors = _records(p)
    assert errors == []
    assert [line for line, _ in recs] == [2, 3]
    first = recs[0][1]
    assert list(first) == ["Ticket ID", "Subject", "Description", "Resolution"]  # no BOM in the header
    assert first["Description"] == ROWS[0][2] and first["Resolution"] == ROWS[0][3]


@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_bom(tmp_path, bom, codec):
    p = tmp_path / "u16.csv"
    p.write_bytes(bom + _csv_text(delim="\t").encode(codec))
    info = detect(p)
    assert info["format"] == "csv" and info["encoding"] == "utf-16" and info["delimiter"] == "\t"
    recs, errors = _records(p)
    assert errors == [] and len(recs) == 2
    assert recs[0][1]["Ticket ID"] == "T-1"
    assert recs[0][1]["Resolution"] == ROWS[0][3]


def test_charset_normalizer_fallback_for_other_encodings(tmp_path):
    text = ("id;вопрос;ответ\n"
            "1;Как получить доступ к корпоративной почте с телефона?;Установите приложение Outlook и войдите с рабочей учётной записью.\n"
            "2;Сколько дней отпуска можно перенести на следующий год?;Можно перенести не более пяти дней отпуска.\n")
    p = tmp_path / "cyrillic.csv"
    p.write_bytes(text.encode("cp1251"))
    info = detect(p)
    assert info["encoding"] not in ("utf-8", "cp1252")
    recs, _ = _records(p, info=info)
    assert recs[1][1]["ответ"] == "Можно перенести не более пяти дней отпуска."


def test_semicolon_and_tsv_delimiters(tmp_path):
    semi = tmp_path / "semi.csv"
    semi.write_bytes(_csv_text(delim=";").encode("cp1252"))
    assert detect(semi)["delimiter"] == ";"
    recs, errors = _records(semi)
    assert errors == [] and recs[0][1]["Subject"] == "Café access"
    tsv = tmp_path / "export.tsv"
    tsv.write_text(_csv_text(delim="\t", newline="\n"), encoding="utf-8")
    assert detect(tsv)["delimiter"] == "\t"
    recs, _ = _records(tsv)
    assert recs[1][1]["Description"] == ROWS[1][2]


def test_multiline_fields_line_numbers_and_bad_rows():
    recs, errors = _records(DATA / "messy_multiline.csv")
    assert [(line, r["Ticket ID"]) for line, r in recs] == [(2, "T-1"), (16, "T-2"), (18, "T-4"), (20, "T-6")]
    assert recs[0][1]["Resolution"].endswith("> My VPN drops every 10 minutes.")
    assert recs[3][1]["Description"] == "My laptop\nis slow"
    assert [e["line"] for e in errors] == [17, 19]
    assert "wrong number of fields" in errors[0]["reason"] and "expected 5, found 6" in errors[0]["reason"]
    assert "broken quoting" in errors[1]["reason"]


def test_unclosed_quote_at_end_of_file_is_reported_and_earlier_rows_kept(tmp_path):
    p = tmp_path / "tail.csv"
    p.write_text('id,question,answer\n1,How do I print?,Use NW-F3-01\n2,"Where is the\nguide?,It is on the intranet\n',
                 encoding="utf-8")
    recs, errors = _records(p)
    assert [r["id"] for _, r in recs] == ["1"]
    assert errors and errors[0]["line"] == 3 and "broken quoting" in errors[0]["reason"]


def test_blank_lines_and_trailing_delimiters_are_tolerated(tmp_path):
    p = tmp_path / "blank.csv"
    p.write_text("\n\nid,question,answer\n1,Q one,A one,\n\n2,Q two,A two\n", encoding="utf-8")
    recs, errors = _records(p)
    assert errors == []
    assert [(line, r["id"]) for line, r in recs] == [(4, "1"), (6, "2")]


def test_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["Ticket ID", "Title", "Customer Message", "Agent Reply", "Opened"])
    sh.append([1001, "VPN", "My VPN drops.\nEvery hour.", "Update the client.", dt.datetime(2025, 3, 4, 9, 30)])
    sh.append([None, None, None, None, None])  # an empty row is skipped
    sh.append([1002.0, "Leave", "Carry over?", "5 days.", "2025-03-05"])
    p = tmp_path / "export.xlsx"
    wb.save(p)
    assert detect(p)["format"] == "xlsx"
    recs, errors = _records(p)
    assert errors == []
    assert [line for line, _ in recs] == [2, 4]
    first = recs[0][1]
    assert first["Ticket ID"] == "1001" and first["Customer Message"] == "My VPN drops.\nEvery hour."
    assert first["Opened"] == "2025-03-04 09:30:00"
    assert recs[1][1]["Ticket ID"] == "1002"
    info = preview(p)
    assert info["mapping"] == {"question": "Customer Message", "answer": "Agent Reply", "id": "Ticket ID",
                               "subject": "Title", "created": "Opened"}


def test_json_array_and_wrapped_array(tmp_path):
    p = tmp_path / "tickets.json"
    p.write_text(json.dumps([
        {"id": 1, "question": "Q1", "answer": "A1", "tags": ["vpn"]},
        "not an object",
        {"id": 3, "question": "Q3", "answer": "A3"},
    ], indent=2), encoding="utf-8")
    assert detect(p)["format"] == "json"
    recs, errors = _records(p)
    assert [line for line, _ in recs] == [1, 3]
    assert recs[0][1]["tags"] == ["vpn"]
    assert errors == [{"line": 2, "reason": "element 2 is not an object (str)"}]
    w = tmp_path / "wrapped.json"
    w.write_text(json.dumps({"tickets": [{"question": "Q", "answer": "A"}]}, indent=1), encoding="utf-8")
    assert detect(w)["format"] == "json"
    assert _records(w)[0] == [(1, {"question": "Q", "answer": "A"})]


def test_jsonl_chat_shape_and_bad_lines():
    recs, errors = _records(DATA / "chat.jsonl")
    assert [line for line, _ in recs] == [1, 2, 6]
    assert recs[0][1] == {"question": "How do I book a day of volunteering leave?",
                          "answer": "Book it in Workday under Time Off > Volunteering; you get 2 days a year."}
    assert recs[1][1]["id"] == "chat-2"
    assert [e["line"] for e in errors] == [3, 4]
    assert "invalid JSON" in errors[0]["reason"] and "not a JSON object" in errors[1]["reason"]


@pytest.mark.parametrize("record,expected", [
    ({"instruction": "Where is the guide?", "response": "On the intranet."}, {"question": "instruction", "answer": "response"}),
    ({"instruction": "Translate", "input": "Hallo", "output": "Hello"},
     {"question": "instruction", "context": "input", "answer": "output"}),
    ({"prompt": "Reset my password", "completion": "Use the portal."}, {"question": "prompt", "answer": "completion"}),
])
def test_jsonl_fine_tuning_shapes_are_mapped(tmp_path, record, expected):
    p = tmp_path / "ft.jsonl"
    p.write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    info = preview(p)
    assert info["format"] == "jsonl"
    assert info["mapping"] == expected
    assert len(info["rows"]) == 2


def test_chat_messages_system_only_or_no_reply(tmp_path):
    p = tmp_path / "chat.jsonl"
    p.write_text(json.dumps({"messages": [{"role": "system", "content": "be nice"}, {"role": "user", "content": "Q?"}]}) + "\n",
                 encoding="utf-8")
    recs, _ = _records(p)
    assert recs[0][1] == {"question": "Q?", "answer": ""}


def test_guess_mapping_is_case_space_underscore_insensitive():
    assert guess_mapping(["TICKET_ID", "Summary", "customer message", "Agent-Reply", "Created At", "Team"]) == {
        "question": "customer message", "answer": "Agent-Reply", "id": "TICKET_ID", "subject": "Summary",
        "created": "Created At"}
    assert guess_mapping(["Key", "Issue", "Solution", "Date"]) == {
        "question": "Issue", "answer": "Solution", "id": "Key", "created": "Date"}
    assert guess_mapping(["foo", "bar"]) == {}


def test_preview(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text(_csv_text(), encoding="utf-8")
    info = preview(p, n=1)
    assert info["format"] == "csv" and info["delimiter"] == ","
    assert info["columns"] == ["Ticket ID", "Subject", "Description", "Resolution"]
    assert len(info["rows"]) == 1 and info["rows"][0]["Ticket ID"] == "T-1"
    assert info["mapping"] == {"question": "Description", "answer": "Resolution", "id": "Ticket ID", "subject": "Subject"}


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"   \r\n\r\n", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".xls"),
])
def test_unreadable_files_raise_badinput(tmp_path, content, words):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(BadInput) as exc:
        detect(p)
    msg = str(exc.value)
    assert words in msg and "\n" not in msg and "bad.csv" in msg


def test_zip_that_is_not_xlsx_and_missing_file(tmp_path):
    z = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("notes.txt", "hello")
    with pytest.raises(BadInput, match="ZIP"):
        detect(z)
    with pytest.raises(BadInput, match="not found"):
        detect(tmp_path / "nope.csv")


def test_single_column_text_is_refused(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("just some notes\nwithout any columns\n", encoding="utf-8")
    with pytest.raises(BadInput, match="one column"):
        list(read_records(p))
