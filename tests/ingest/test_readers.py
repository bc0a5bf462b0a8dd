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

DATA = Path(__file__).resolve().parents[1] / "data" / "import"

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


# --- Bug hunt: reading awkward exports (one-line JSON objects, wrapped lists, XLSX layouts). ---
TICKETS = [{"id": 1, "description": "Where is my payslip?", "resolution": "Workday > Pay."},
           {"id": 2, "description": "How much leave do I get?", "resolution": "25 days a year."}]


def test_one_line_json_object_with_a_ticket_list_is_json_not_jsonl(tmp_path):
    # an API dump written with json.dump (no indent): the whole object on one line
    p = tmp_path / "tickets.json"
    p.write_text(json.dumps({"tickets": TICKETS, "count": 2, "next_page": None}))
    assert detect(p)["format"] == "json"
    recs = [r for _, r in read_records(p)]
    assert [r["description"] for r in recs] == ["Where is my payslip?", "How much leave do I get?"]


def test_wrapper_with_an_empty_second_list_unwraps_the_tickets(tmp_path):
    p = tmp_path / "tickets.json"
    p.write_text(json.dumps({"tickets": TICKETS, "errors": [], "meta": {"page": 1}}, indent=2))
    recs = [r for _, r in read_records(p)]
    assert [r["id"] for r in recs] == [1, 2]


def test_pretty_printed_json_with_a_jsonl_suffix_is_read(tmp_path):
    p = tmp_path / "one.jsonl"
    p.write_text(json.dumps({"question": "When is payday?", "answer": "The 25th."}, indent=2))
    recs = [r for _, r in read_records(p)]
    assert recs == [{"question": "When is payday?", "answer": "The 25th."}]


def test_jsonl_stays_jsonl(tmp_path):
    p = tmp_path / "t.json"
    p.write_text("\n".join(json.dumps(t) for t in TICKETS) + "\n")
    assert detect(p)["format"] == "jsonl"
    assert len(list(read_records(p))) == 2


@pytest.mark.parametrize("obj", [
    {"question": "When is payday?", "answer": "The 25th.", "tags": [{"name": "pay"}]},
    {"messages": [{"role": "user", "content": "When is payday?"}, {"role": "assistant", "content": "The 25th."}]},
])
@pytest.mark.parametrize("indent", [None, 2])
def test_a_single_ticket_object_is_one_record_not_unwrapped(tmp_path, obj, indent):
    p = tmp_path / "one.json"
    p.write_text(json.dumps(obj, indent=indent))
    recs = [r for _, r in read_records(p)]
    assert len(recs) == 1
    assert recs[0]["question"] == "When is payday?" and recs[0]["answer"] == "The 25th."


def test_an_empty_ticket_list_has_no_records(tmp_path):
    p = tmp_path / "none.json"
    p.write_text(json.dumps({"tickets": [], "count": 0}))
    assert list(read_records(p)) == []


def _workbook(path, sheets):
    """sheets: [(title, rows, merges)]"""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, merges in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        for m in merges:
            ws.merge_cells(m)
    wb.save(path)
    return path


HEADER = ["Ticket ID", "Subject", "Description", "Resolution"]


def test_xlsx_summary_sheet_before_the_tickets_sheet(tmp_path):
    p = _workbook(tmp_path / "report.xlsx", [
        ("Summary", [["Report generated 2024-03-01"], ["Total tickets: 2"]], []),
        ("Tickets", [[], [], HEADER, ["T-1", "Leave", "How do I request leave?", "Use the HR portal."],
                     ["T-2", "Laptop", "Screen broken", "Bring it to IT desk B."]], []),
    ])
    info = preview(p)
    assert info["columns"] == HEADER
    assert info["mapping"]["question"] == "Description" and info["mapping"]["answer"] == "Resolution"
    assert [(line, r["Ticket ID"]) for line, r in read_records(p)] == [(4, "T-1"), (5, "T-2")]


def test_xlsx_merged_group_header_row_above_the_real_header(tmp_path):
    p = _workbook(tmp_path / "merged.xlsx", [
        ("Sheet1", [["Ticket info", None, "Conversation", None], ["ID", "Subject", "Question", "Answer"],
                    ["A1", "Pay", "When is payday?", "The 25th of each month."]], ["A1:B1", "C1:D1"]),
    ])
    errors: list = []
    recs = list(read_records(p, errors=errors))
    assert errors == []
    assert recs == [(3, {"ID": "A1", "Subject": "Pay", "Question": "When is payday?", "Answer": "The 25th of each month."})]


def test_xlsx_one_sheet_per_month_reads_every_sheet_with_the_same_columns(tmp_path):
    p = _workbook(tmp_path / "months.xlsx", [
        ("Jan", [HEADER, ["J1", "s", "q jan?", "a jan."]], []),
        ("Feb", [HEADER, ["F1", "s", "q feb 1?", "a feb 1."], ["F2", "s", "q feb 2?", "a feb 2."]], []),
        ("Notes", [["Owner", "Comment"], ["me", "ignore this sheet"]], []),
    ])
    ids = [r["Ticket ID"] for _, r in read_records(p)]
    assert ids == ["J1", "F1", "F2"]


def test_xlsx_bad_row_on_a_later_sheet_names_the_sheet(tmp_path):
    p = _workbook(tmp_path / "months.xlsx", [
        ("Jan", [HEADER, ["J1", "s", "q jan?", "a jan."]], []),
        ("Feb", [HEADER, ["F1", "s", "q feb?", "a feb.", "stray"]], []),
    ])
    errors: list = []
    assert [r["Ticket ID"] for _, r in read_records(p, errors=errors)] == ["J1"]
    assert len(errors) == 1 and errors[0]["line"] == 2 and "Feb" in errors[0]["reason"]


@pytest.mark.parametrize("columns, expected", [
    # ServiceNow incident export
    (["number", "short_description", "description", "close_notes", "sys_created_on", "caller_id"],
     {"id": "number", "subject": "short_description", "question": "description", "answer": "close_notes",
      "created": "sys_created_on"}),
    # Freshdesk (API field names / CSV "Created time")
    (["Ticket ID", "Subject", "Description text", "Resolution", "Created time"],
     {"id": "Ticket ID", "subject": "Subject", "question": "Description text", "answer": "Resolution",
      "created": "Created time"}),
    # HubSpot
    (["Ticket ID", "Ticket name", "Ticket description", "Resolution", "Create date"],
     {"id": "Ticket ID", "subject": "Ticket name", "question": "Ticket description", "answer": "Resolution",
      "created": "Create date"}),
])
def test_helpdesk_tool_column_names_are_recognised(columns, expected):
    assert guess_mapping(columns) == expected


@pytest.mark.parametrize("delim", [",", ";"])
def test_csv_title_line_above_the_header(tmp_path, delim):
    p = tmp_path / "report.csv"
    p.write_text(f"Tickets export - generated 2024-03-01\n\nTicket ID{delim}Subject{delim}Description{delim}Resolution\n"
                 f"T1{delim}Pay{delim}When is payday?{delim}The 25th.\nT2{delim}Leave{delim}How much leave?{delim}25 days.\n")
    assert detect(p)["delimiter"] == delim
    assert [(line, r["Ticket ID"], r["Resolution"]) for line, r in read_records(p)] == [
        (4, "T1", "The 25th."), (5, "T2", "25 days.")]


def test_csv_excel_sep_hint_line(tmp_path):
    p = tmp_path / "excel.csv"
    p.write_text("sep=;\r\nquestion;answer\r\nWhen is payday?;The 25th, every month.\r\n")
    assert detect(p)["delimiter"] == ";"
    assert list(read_records(p)) == [(3, {"question": "When is payday?", "answer": "The 25th, every month."})]


@pytest.mark.parametrize("content, words", [
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "PDF"),
    (b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} question, answer\\par }", "RTF"),
    (b"\x1f\x8b\x08\x00" + bytes(range(200)), "gzip"),
])
def test_documents_renamed_to_csv_say_what_they_are(tmp_path, content, words):
    p = tmp_path / "tickets.csv"
    p.write_bytes(content)
    with pytest.raises(BadInput) as exc:
        detect(p)
    assert words in str(exc.value)


def test_word_document_renamed_to_csv_says_so(tmp_path):
    import zipfile

    p = tmp_path / "tickets.csv"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(BadInput) as exc:
        detect(p)
    assert "Word" in str(exc.value)


def test_a_few_stray_nul_bytes_do_not_make_a_csv_binary(tmp_path):
    # database exports sometimes leave a NUL in a text field
    p = tmp_path / "db.csv"
    p.write_bytes(b"question,answer\n" + b"".join(b"q%d?,a%d.\n" % (i, i) for i in range(50)) + b"q50?,a\x00b.\n")
    info = detect(p)
    assert info["format"] == "csv" and info["encoding"] == "utf-8"
    recs = [r for _, r in read_records(p)]
    assert len(recs) == 51 and recs[-1] == {"question": "q50?", "answer": "ab."}


def test_ctrl_z_at_the_end_of_a_jsonl_file_is_not_a_bad_row(tmp_path):
    p = tmp_path / "old.jsonl"
    p.write_bytes(b'{"question":"q1?","answer":"a1."}\r\n\x1a')
    errors: list = []
    assert len(list(read_records(p, errors=errors))) == 1 and errors == []


def test_delimiter_is_not_taken_from_the_text_when_the_header_splits(tmp_path):
    comma = tmp_path / "comma.csv"
    comma.write_text("Ticket ID,Description,Resolution\n" +
                     "".join(f"T{i},Steps: open; click; save; close {i},Do this; then that; then {i}\n" for i in range(30)))
    assert detect(comma)["delimiter"] == ","
    semi = tmp_path / "semi.csv"
    semi.write_text("Ticket ID;Description;Resolution\n" +
                    "".join(f"T{i};Hello, I need help, please, {i};Sure, do X, then Y, {i}\n" for i in range(30)))
    assert detect(semi)["delimiter"] == ";"


def test_password_protected_workbook_says_so(tmp_path):
    # an encrypted .xlsx is an OLE compound file holding an "EncryptedPackage" stream
    p = tmp_path / "tickets.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(400))
    with pytest.raises(BadInput) as exc:
        detect(p)
    assert "password" in str(exc.value)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le") + bytes(400))
    with pytest.raises(BadInput, match="old Excel"):
        detect(old)


TABLE = {"Ticket ID": ["T1", "T2"], "Description": ["When is payday?", "How much leave?"],
         "Resolution": ["The 25th.", "25 days."]}


@pytest.mark.parametrize("orient", ["columns", "index", "split", "records"])
def test_pandas_to_json_layouts(tmp_path, orient):
    # df.to_json() writes orient="columns" by default: {"col": {"0": value, ...}}
    rows = [dict(zip(TABLE, vals)) for vals in zip(*TABLE.values())]
    if orient == "columns":
        data = {c: {str(i): v for i, v in enumerate(vals)} for c, vals in TABLE.items()}
    elif orient == "index":
        data = {str(i): r for i, r in enumerate(rows)}
    elif orient == "split":
        data = {"columns": list(TABLE), "index": [0, 1], "data": [list(r.values()) for r in rows]}
    else:
        data = rows
    p = tmp_path / "df.json"
    p.write_text(json.dumps(data))
    recs = [r for _, r in read_records(p)]
    assert [(r["Ticket ID"], r["Description"], r["Resolution"]) for r in recs] == [
        ("T1", "When is payday?", "The 25th."), ("T2", "How much leave?", "25 days.")]


def test_damaged_sheet_xml_is_one_clear_line(tmp_path):
    import zipfile

    good = _workbook(tmp_path / "good.xlsx", [
        ("Tickets", [HEADER] + [[f"T{i}", "s", f"question {i}?", f"answer {i}."] for i in range(300)], [])])
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(bad, "w") as out:
        for n in z.namelist():
            data = z.read(n)
            if n.startswith("xl/worksheets/sheet"):
                data = data[: len(data) * 2 // 3]  # cut after the header rows
            out.writestr(n, data)
    with pytest.raises(BadInput) as exc:
        list(read_records(bad))
    assert "bad.xlsx" in str(exc.value) and "damaged" in str(exc.value)


@pytest.mark.parametrize("columns, q, a", [
    (["Ticketnummer", "Betreff", "Beschreibung", "Lösung"], "Beschreibung", "Lösung"),
    (["Frage", "Antwort"], "Frage", "Antwort"),
    (["Numéro", "Objet", "Question", "Réponse"], "Question", "Réponse"),
    (["Asunto", "Pregunta", "Respuesta"], "Pregunta", "Respuesta"),
    (["Oggetto", "Domanda", "Risposta"], "Domanda", "Risposta"),
    (["Onderwerp", "Vraag", "Antwoord"], "Vraag", "Antwoord"),
    (["Pergunta", "Resposta"], "Pergunta", "Resposta"),
    (["質問", "回答"], "質問", "回答"),
    (["问题", "答案"], "问题", "答案"),
])
def test_header_names_in_other_languages(columns, q, a):
    m = guess_mapping(columns)
    assert m["question"] == q and m["answer"] == a


@pytest.mark.parametrize("q, a", [
    ("Ticket Text", "Agent Answer"), ("Issue Description", "Support Response"), ("Problem Description", "Fix"),
    ("Customer Query", "Response Text"), ("Inquiry", "HR Response"), ("Request Details", "Resolution Text"),
    ("Problem", "Solution"), ("Enquiry", "Staff Response"),
])
def test_more_everyday_column_names(q, a):
    m = guess_mapping(["Ref", "Category", q, a])
    assert m["question"] == q and m["answer"] == a


def test_a_long_csv_is_read_as_a_stream_and_broken_quoting_far_down_starts_again_after_it(tmp_path):
    # 6,000 two-line records: the reader forgets the lines it is done with as it goes
    lines = ["id,question,answer"] + [f'{i},"Question {i}\nsecond line","Answer {i}"' for i in range(1, 6001)]
    lines[5000] = "5000,\"Question 5000 with a quote that never closes,Answer 5000"  # physical line 10000
    f = tmp_path / "long.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n\x1a").encode("utf-8"))
    errors: list = []
    records = list(read_records(f, errors=errors))
    assert [e["line"] for e in errors] == [10000] and "broken quoting" in errors[0]["reason"]
    ids = [int(r["id"]) for _, r in records]
    assert ids == [i for i in range(1, 6001) if i != 5000]
    assert records[-1] == (11999, {"id": "6000", "question": "Question 6000\nsecond line", "answer": "Answer 6000"})
