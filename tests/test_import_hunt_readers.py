"""Bug hunt: reading awkward exports (one-line JSON objects, wrapped lists, XLSX layouts)."""

from __future__ import annotations

import json

import pytest

from engine.workspace.errors import BadInput
from engine.ingest.detect import detect
from engine.ingest.mapping import guess_mapping
from engine.ingest.tables import preview, read_records

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
