"""Importing ticket files into a workspace: counts, duplicates, bad rows, one transaction, CLI."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.ingest import importer
from engine.workspace.errors import BadInput, PairsmithError
from engine.ingest.importer import import_files
from engine.workspace.store import Workspace
from engine.review.pairs import list_pairs

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample" / "helpdesk_export.csv"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def _write_csv(path: Path, rows: list[list[str]], header=("Ticket ID", "Subject", "Description", "Resolution", "Category"),
               **kw) -> Path:
    with open(path, "w", newline="", encoding=kw.pop("encoding", "utf-8")) as f:
        w = csv.writer(f, **kw)
        w.writerow(header)
        w.writerows(rows)
    return path


def _counts(ws) -> tuple[int, int, int]:
    return (ws.scalar("SELECT count(*) FROM sources"), ws.scalar("SELECT count(*) FROM tickets"),
            ws.scalar("SELECT count(*) FROM pairs"))


def test_messy_csv_import(ws):
    res = import_files(ws, [DATA / "messy_multiline.csv"])
    assert res["imported"] == 3 and res["duplicates_skipped"] == 0
    assert [(e["file"], e["line"]) for e in res["errors"]] == [
        ("messy_multiline.csv", 17), ("messy_multiline.csv", 18), ("messy_multiline.csv", 19)]
    reasons = {e["line"]: e["reason"] for e in res["errors"]}
    assert "no answer" in reasons[18] and "Resolution" in reasons[18]
    assert _counts(ws) == (1, 3, 3)

    rows = ws.query("""SELECT t.external_id, t.line, t.subject, t.question, t.answer, t.extra, t.content_hash,
                              p.instruction, p.response, p.status, p.origin, p.created_at
                       FROM pairs p JOIN tickets t ON t.id = p.ticket_id ORDER BY t.line""")
    assert [(r["external_id"], r["line"]) for r in rows] == [("T-1", 2), ("T-2", 16), ("T-6", 20)]
    t1 = rows[0]
    # raw text untouched, drafted pair cleaned
    assert "wrote:" in t1["answer"] and "> My VPN" in t1["answer"]
    assert t1["instruction"] == "My VPN drops every 10 minutes."
    assert t1["response"] == "Please update the VPN client."
    assert all(r["status"] == "new" and r["origin"] == "import" and r["created_at"] is not None for r in rows)
    assert json.loads(t1["extra"]) == {"Category": "IT"}
    assert len(t1["content_hash"]) == 64
    src = ws.query("SELECT * FROM sources")[0]
    assert src["name"] == "messy_multiline.csv" and src["format"] == "csv" and len(src["sha256"]) == 64
    assert src["rows_imported"] == 3 and src["rows_skipped"] == 3
    assert json.loads(src["mapping"])["question"] == "Description"
    assert [e["line"] for e in json.loads(src["errors"])] == [17, 18, 19]
    ticket_src = ws.scalar("SELECT DISTINCT source_id FROM tickets")
    assert ticket_src == src["id"]


def test_reimport_adds_nothing(ws, tmp_path):
    first = import_files(ws, [DATA / "messy_multiline.csv"])
    before = _counts(ws)
    again = import_files(ws, [DATA / "messy_multiline.csv"])
    assert again["imported"] == 0 and again["duplicates_skipped"] == first["imported"]
    assert _counts(ws) == before
    # the same tickets in another file and format, with different whitespace, are duplicates too
    jl = tmp_path / "same.jsonl"
    jl.write_text(json.dumps({"id": "T-2", "question": "How many  leave days can I carry over? ",
                              "answer": "You can carry over 5 days."}) + "\n"
                  + json.dumps({"id": "T-99", "question": "New one?", "answer": "Yes."}) + "\n", encoding="utf-8")
    res = import_files(ws, [jl])
    assert res["imported"] == 1 and res["duplicates_skipped"] == 1
    assert ws.scalar("SELECT count(*) FROM tickets") == before[1] + 1


def test_duplicates_within_one_file_and_across_files_of_one_call(ws, tmp_path):
    row = ["A-1", "VPN", "VPN down", "Restart the client"]
    a = _write_csv(tmp_path / "a.csv", [row, row, ["A-2", "Mail", "Mail full", "Archive old mail"]],
                   header=("id", "subject", "question", "answer"))
    b = _write_csv(tmp_path / "b.csv", [row], header=("id", "subject", "question", "answer"))
    res = import_files(ws, [a, b])
    assert res["imported"] == 2 and res["duplicates_skipped"] == 2
    assert [f["imported"] for f in res["files"]] == [2, 0]
    assert _counts(ws) == (1, 2, 2)  # no source row for a file that added nothing


def test_pairs_are_linked_to_their_tickets_and_ids_come_from_sequences(ws, tmp_path):
    rows = [[f"K-{i}", f"S{i}", f"Question number {i} about the payroll calendar?", f"Answer number {i}."]
            for i in range(300)]
    p = _write_csv(tmp_path / "many.csv", rows, header=("Key", "Title", "Query", "Solution"))
    assert import_files(ws, [p])["imported"] == 300
    bad = ws.scalar("""SELECT count(*) FROM pairs p JOIN tickets t ON t.id = p.ticket_id
                       WHERE replace(p.instruction, 'Question', '') <> replace(t.question, 'Question', '')
                          OR regexp_extract(p.response, '\\d+') <> regexp_extract(t.external_id, '\\d+')""")
    assert bad == 0
    assert ws.scalar("SELECT count(DISTINCT ticket_id) FROM pairs") == 300
    # the sequences moved on: a pair added by hand gets a fresh id
    from engine.review.pairs import add_pair
    new_id = add_pair(ws, "Manual question?", "Manual answer.")
    assert new_id > ws.scalar("SELECT max(id) FROM pairs WHERE origin = 'import'")
    assert ws.scalar("SELECT nextval('ticket_seq')") > ws.scalar("SELECT max(id) FROM tickets")


def test_mapping_override_and_errors(ws, tmp_path):
    p = _write_csv(tmp_path / "odd.csv", [["1", "Printer jam on floor 2, tray 3", "Open tray 3 and remove the paper", "x"]],
                   header=("num", "what happened", "what we did", "notes"))
    with pytest.raises(BadInput, match="no question and answer column"):
        import_files(ws, [p])
    res = import_files(ws, [p], mapping={"question": "what happened", "answer": "WHAT WE DID"})
    assert res["imported"] == 1
    t = ws.query("SELECT external_id, question, extra FROM tickets")[0]
    assert t["external_id"] is None  # "num" is not a known id header: kept in extra
    assert t["question"].startswith("Printer jam") and json.loads(t["extra"]) == {"num": "1", "notes": "x"}
    with pytest.raises(BadInput, match="unknown field 'bogus'"):
        import_files(ws, [p], mapping={"bogus": "what happened"})
    # "body" is a conversation-export field: on a file that is not one, say what is missing
    with pytest.raises(BadInput, match="conversation export needs a ticket/conversation id"):
        import_files(ws, [p], mapping={"body": "what happened"})
    with pytest.raises(BadInput, match="no column 'Resolution'"):
        import_files(ws, [p], mapping={"question": "what happened", "answer": "Resolution"})


def test_bad_rows_are_skipped_with_reasons(ws, tmp_path):
    huge = "x" * (importer.MAX_FIELD_CHARS + 1)
    rows = [["1", "ok", "Good question?", "Good answer."],
            ["2", "", "", "An answer without a question"],
            ["3", "Empty body", "", "The subject stands in for the body."],
            ["4", "big", huge, "Answer"],
            ["5", "ok", "Another question?", "  "]]
    p = _write_csv(tmp_path / "bad.csv", rows, header=("id", "subject", "question", "answer"))
    res = import_files(ws, [p])
    assert res["imported"] == 2
    reasons = {e["line"]: e["reason"] for e in res["errors"]}
    assert set(reasons) == {3, 5, 6}
    assert "no question" in reasons[3] and "too long" in reasons[5] and "no answer" in reasons[6]
    instr = ws.scalar("SELECT p.instruction FROM pairs p JOIN tickets t ON t.id = p.ticket_id WHERE t.external_id = '3'")
    assert instr == "Empty body"


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe\x00garbage" * 200])
def test_unreadable_file_aborts_the_whole_call(ws, tmp_path, content):
    good = _write_csv(tmp_path / "good.csv", [["1", "s", "q?", "a."]], header=("id", "subject", "question", "answer"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(BadInput) as exc:
        import_files(ws, [good, bad])
    assert "bad.csv" in str(exc.value) and "\n" not in str(exc.value)
    assert _counts(ws) == (0, 0, 0)


def test_a_failure_midway_leaves_nothing(ws, monkeypatch):
    def boom():
        assert ws.scalar("SELECT count(*) FROM tickets") == 3  # tickets were written in the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_before_pairs_insert", boom)
    with pytest.raises(RuntimeError):
        import_files(ws, [DATA / "messy_multiline.csv"])
    assert _counts(ws) == (0, 0, 0)
    monkeypatch.undo()
    assert import_files(ws, [DATA / "messy_multiline.csv"])["imported"] == 3


def test_a_killed_process_leaves_nothing(tmp_path):
    """The process dies (os._exit, like kill -9) in the middle of the import transaction."""
    wsdir = tmp_path / "ws"
    Workspace.create(wsdir).close()
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from engine.ingest import importer
        from engine.workspace.store import Workspace
        ws = Workspace.open({str(wsdir)!r})
        importer._before_pairs_insert = lambda: os._exit(9)
        importer.import_files(ws, [{str(DATA / 'messy_multiline.csv')!r}])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()[-500:]
    with Workspace.open(wsdir) as w:
        assert _counts(w) == (0, 0, 0)


def test_progress_and_cancel(ws, tmp_path):
    rows = [[str(i), "s", f"Question {i}?", f"Answer {i}."] for i in range(50)]
    p = _write_csv(tmp_path / "p.csv", rows, header=("id", "subject", "question", "answer"))
    calls = []
    import_files(ws, [p], progress=lambda d, t, m: calls.append((d, t, m)))
    msgs = {m.split(" ")[0] for _, _, m in calls}
    assert {"Reading", "Drafting", "Saving"} <= msgs
    assert all(0 <= d <= t for d, t, _ in calls if t)
    p2 = _write_csv(tmp_path / "p2.csv", [[str(i), "s", f"Other {i}?", f"Reply {i}."] for i in range(50)],
                    header=("id", "subject", "question", "answer"))
    with pytest.raises(PairsmithError, match="cancelled"):
        import_files(ws, [p2], cancel=lambda: True)
    assert ws.scalar("SELECT count(*) FROM tickets") == 50


def test_xlsx_json_and_fine_tuning_shapes(ws, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["Number", "Summary", "Issue", "Agent Reply", "Date"])
    wb.active.append([501, "Monitor", "Hi,\n\nMy second monitor is black.", "Replace the USB-C cable.\n\nCheers,\nTom", "2025-01-02"])
    x = tmp_path / "t.xlsx"
    wb.save(x)
    arr = tmp_path / "t.json"
    arr.write_text(json.dumps([{"prompt": "How do I reset MFA?", "completion": "Call 4410 with your badge."}, 5]),
                   encoding="utf-8")
    alp = tmp_path / "alpaca.jsonl"
    alp.write_text(json.dumps({"instruction": "Summarise the leave policy for", "input": "part-time staff",
                               "output": "Leave is pro rata to hours worked."}) + "\n", encoding="utf-8")
    res = import_files(ws, [x, arr, alp, DATA / "chat.jsonl"])
    assert res["imported"] == 1 + 1 + 1 + 3
    assert {(e["file"], e["line"]) for e in res["errors"]} == {("t.json", 2), ("chat.jsonl", 3), ("chat.jsonl", 4)}
    got = {r["question"]: r for r in ws.query(
        "SELECT t.question, t.line, t.external_id, t.created_at, p.instruction, p.response FROM tickets t JOIN pairs p ON p.ticket_id = t.id")}
    mon = got["Hi,\n\nMy second monitor is black."]
    assert (mon["line"], mon["external_id"], mon["created_at"]) == (2, "501", "2025-01-02")
    assert mon["instruction"] == "My second monitor is black." and mon["response"] == "Replace the USB-C cable."
    assert got["Summarise the leave policy for\n\npart-time staff"]["response"] == "Leave is pro rata to hours worked."
    assert got["How do I book a day of volunteering leave?"]["line"] == 1
    assert got["Where is the VPN guide?"]["line"] == 6  # a record of another shape in the same JSONL file
    assert got["Where is the VPN guide?"]["response"] == "On the intranet under IT > Remote work."
    extras = [json.loads(e) for (e,) in ws.execute("SELECT extra FROM tickets WHERE extra IS NOT NULL").fetchall()]
    assert not any("instruction" in e or "response" in e or "question" in e for e in extras)


# --- CLI ------------------------------------------------------------------------------------
def _cli(monkeypatch, capsys, argv):
    import engine.cli.main as cli

    import engine.cli.ingest as ingest_cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", [ingest_cli])
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_json_and_summary(ws, tmp_path, monkeypatch, capsys):
    root = str(ws.root)
    ws.close()
    code, out, err = _cli(monkeypatch, capsys, ["import", root, str(DATA / "messy_multiline.csv"), "--json"])
    assert code == 0
    obj = json.loads(out)
    assert list(obj) == ["imported", "duplicates_skipped", "errors"]
    assert obj["imported"] == 3 and obj["duplicates_skipped"] == 0
    assert obj["errors"][0] == {"line": 17, "reason": obj["errors"][0]["reason"], "file": "messy_multiline.csv"}
    code, out, err = _cli(monkeypatch, capsys, ["import", root, str(DATA / "messy_multiline.csv")])
    assert code == 0
    assert "Imported 0 ticket(s)" in out and "3 duplicate(s)" in out
    assert "messy_multiline.csv line 19: broken quoting" in out


def test_cli_map_errors_exit_2(ws, tmp_path, monkeypatch, capsys):
    root = str(ws.root)
    ws.close()
    f = str(DATA / "messy_multiline.csv")
    code, _, err = _cli(monkeypatch, capsys, ["import", root, f, "--map", "bogus=Description"])
    assert code == 2 and "unknown field 'bogus'" in err and err.count("\n") == 1
    code, _, err = _cli(monkeypatch, capsys, ["import", root, f, "--map", "question=Nope"])
    assert code == 2 and "no column 'Nope'" in err
    code, _, err = _cli(monkeypatch, capsys, ["import", root, f, "--map", "question"])
    assert code == 2 and "FIELD=COLUMN" in err
    code, out, _ = _cli(monkeypatch, capsys, ["import", root, f, "--map", "question=subject", "--map",
                                              "answer=Description", "--json"])
    # subject as the question, description as the answer: T-4 (no resolution) is usable now
    assert code == 0 and json.loads(out)["imported"] == 4
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(os.urandom(4000))
    code, _, err = _cli(monkeypatch, capsys, ["import", root, str(garbage)])
    assert code == 2 and "garbage.csv" in err and "Traceback" not in err


def test_cli_preview(monkeypatch, capsys):
    code, out, _ = _cli(monkeypatch, capsys, ["preview", str(DATA / "messy_multiline.csv"), "--json"])
    assert code == 0
    info = json.loads(out)
    assert info["format"] == "csv" and info["mapping"]["answer"] == "Resolution" and len(info["rows"]) == 4
    code, out, _ = _cli(monkeypatch, capsys, ["preview", str(DATA / "messy_multiline.csv")])
    assert code == 0 and "question <- Description" in out


# --- the shipped sample ---------------------------------------------------------------------
@pytest.mark.skipif(not SAMPLE.exists(), reason="resources/sample/helpdesk_export.csv not written yet")
def test_sample_helpdesk_export(ws):
    with open(SAMPLE, newline="", encoding="utf-8-sig") as f:
        n_rows = sum(1 for _ in csv.DictReader(f))
    res = import_files(ws, [SAMPLE])
    assert res["imported"] + res["duplicates_skipped"] + len(res["errors"]) == n_rows
    assert res["imported"] >= 400
    assert res["files"][0]["mapping"]["question"] == "Description"
    assert res["files"][0]["mapping"]["answer"] == "Resolution"
    rows = ws.query("SELECT t.answer, p.response FROM pairs p JOIN tickets t ON t.id = p.ticket_id")
    quoted = [r for r in rows if "wrote:" in r["answer"]]
    assert quoted, "the sample has tickets with quoted threads"
    for r in quoted:
        assert "wrote:" not in r["response"]
        assert not any(line.lstrip().startswith(">") for line in r["response"].splitlines())
    gt = SAMPLE.with_name("ground_truth.json")
    if gt.exists():
        truth = json.loads(gt.read_text(encoding="utf-8"))
        sig_ids = [str(i) for i in truth.get("signature", [])]
        if sig_ids:
            drafted = {r["external_id"]: r for r in ws.query(
                "SELECT t.external_id, t.answer, p.response FROM pairs p JOIN tickets t ON t.id = p.ticket_id")}
            for tid in sig_ids:
                if tid in drafted:
                    last = drafted[tid]["response"].splitlines()[-1].strip().rstrip(",")
                    assert last.lower() not in ("regards", "best regards", "kind regards", "thanks", "cheers")
    ws.close()
    assert not Path("never").exists()  # keep the test honest about side effects in cwd


def test_one_mapping_per_file_in_one_call(ws, tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("Ref,Asked,Told\nA-1,How do I print?,Use the second floor printer.\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("Question,Answer\nWhere is my payslip?,In the HR portal.\n", encoding="utf-8")
    steps = []
    res = import_files(ws, [a, b], mappings=[{"question": "Asked", "answer": "Told", "id": "Ref"}, None],
                       progress=lambda d, t, m: steps.append(m))
    assert res["imported"] == 2
    assert res["files"][0]["mapping"] == {"question": "Asked", "answer": "Told", "id": "Ref"}
    assert any(m.startswith("a.csv (1/2)") for m in steps) and any(m.startswith("b.csv (2/2)") for m in steps)
    with pytest.raises(TypeError):
        import_files(ws, [a, b], mappings=[None])
    # a mapping that does not fit the second file: nothing of the first goes in either
    c = _write_csv(tmp_path / "c.csv", [["T-9", "Wifi", "The wifi drops.", "Forget the network.", "it"]])
    before = _counts(ws)
    with pytest.raises(BadInput, match="b.csv"):
        import_files(ws, [c, b], mappings=[None, {"question": "Asked"}])
    assert _counts(ws) == before


def test_import_page_ops(tmp_path):
    from engine.ingest import ops

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "b.json").write_text("[]", encoding="utf-8")
    (folder / "a.csv").write_text("Question,Answer\nq,a\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not an export", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    single = tmp_path / "c.csv"
    single.write_text("x", encoding="utf-8")
    files, empty = ops.expand_paths([str(folder), str(tmp_path / "empty"), str(single)])
    assert files == [str((folder / "a.csv").resolve()), str((folder / "b.json").resolve()), str(single.resolve())]
    assert empty == [str(tmp_path / "empty")]

    p = ops.preview_file(str(folder / "a.csv"))
    mapping = ops.pair_mapping(p)
    assert mapping == {"question": "Question", "answer": "Answer"}
    assert ops.ready(p, mapping) and ops.job_mapping(p, mapping) == mapping
    assert ops.assign_column(mapping, "subject", "Question") == ["question"]  # one column, one field
    assert mapping == {"answer": "Answer", "subject": "Question"}
    assert ops.missing_fields(mapping) == ["question"] and not ops.ready(p, mapping)
    assert ops.assign_column(mapping, "subject", None) == [] and mapping == {"answer": "Answer"}
    assert not ops.ready({"error": "cannot be read"}, {"question": "q", "answer": "a"})

    thread = {"shape": "thread", "mapping": {"role": "Dir", "body": "Text"}}
    assert ops.is_conversation(thread) and ops.pair_mapping(thread) == {}
    assert ops.needs_customer(thread, None) and not ops.ready(thread, {})
    assert ops.ready(thread, {}, "I") and ops.job_mapping(thread, {}, "I") == {"customer": "I"}
    guessed = {"shape": "thread", "mapping": {"role": "Dir", "customer": "In, Customer"}}
    assert not ops.needs_customer(guessed, None) and ops.guessed_customers(guessed) == {"in", "customer"}


# --- Bug hunt: importing awkward exports end to end (what pairs a person gets). ---
def _pairs(ws):
    return sorted((p["instruction"], p["response"]) for p in list_pairs(ws, limit=1000))


def test_json_tickets_with_nested_comments_become_pairs(ws, tmp_path):
    # Zendesk-style: the first comment is the description, author ids tell who wrote
    data = {"tickets": [
        {"id": 1, "subject": "VPN", "description": "My VPN drops every 5 minutes.", "requester_id": 7,
         "comments": [
             {"id": 11, "author_id": 7, "body": "My VPN drops every 5 minutes.", "created_at": "2024-03-01T10:00:00Z"},
             {"id": 12, "author_id": 99, "body": "Please reinstall the client from the portal.",
              "created_at": "2024-03-01T11:00:00Z"},
             {"id": 13, "author_id": 7, "body": "Still dropping after the reinstall, what next?",
              "created_at": "2024-03-01T12:00:00Z"},
             {"id": 14, "author_id": 99, "body": "Then switch the protocol to IKEv2 in the settings.",
              "created_at": "2024-03-01T13:00:00Z"}]},
        {"id": 2, "subject": "Leave", "description": "How many days of leave do I get?", "requester_id": 8,
         "comments": [
             {"id": 21, "author_id": 8, "body": "How many days of leave do I get?", "created_at": "2024-03-02T10:00:00Z"},
             {"id": 22, "author_id": 98, "body": "You get 25 days a year.", "created_at": "2024-03-02T11:00:00Z"}]},
    ], "count": 2}
    p = tmp_path / "zendesk.json"
    p.write_text(json.dumps(data))
    res = import_files(ws, [p])
    assert res["imported"] == 3
    pairs = _pairs(ws)
    assert ("How many days of leave do I get?", "You get 25 days a year.") in pairs
    assert ("My VPN drops every 5 minutes.", "Please reinstall the client from the portal.") in pairs
    assert any(q.endswith("Still dropping after the reinstall, what next?")
               and a == "Then switch the protocol to IKEv2 in the settings." for q, a in pairs)


def test_json_description_outside_the_replies_is_the_question(ws, tmp_path):
    # Freshdesk-style: the description is on the ticket, the conversation holds the replies only
    data = [{"id": 5, "subject": "Payslip", "description_text": "Where can I find my March payslip?",
             "conversations": [{"body_text": "It is in Workday under Pay > Payslips.", "incoming": False,
                                "user_id": 3, "created_at": "2024-03-05T10:00:00Z"}]}]
    p = tmp_path / "freshdesk.json"
    p.write_text(json.dumps(data, indent=2))
    res = import_files(ws, [p])
    assert res["imported"] == 1
    assert _pairs(ws) == [("Where can I find my March payslip?", "It is in Workday under Pay > Payslips.")]


def test_json_tickets_with_a_resolution_and_comments_use_the_resolution(ws, tmp_path):
    data = [{"id": 1, "question": "When is payday?", "answer": "The 25th.",
             "comments": [{"author_id": 1, "body": "internal: checked with payroll"}]}]
    p = tmp_path / "t.json"
    p.write_text(json.dumps(data))
    import_files(ws, [p])
    assert _pairs(ws) == [("When is payday?", "The 25th.")]


def test_xlsx_dates_stored_as_plain_numbers_become_dates(ws, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["Ticket ID", "Question", "Answer", "Created"])
    sh.append(["T1", "When is payday?", "The 25th.", 45352.5])   # a date cell without a date format
    sh.append(["T2", "How much leave?", "25 days.", "2024-03-02"])
    sh.append(["T3", "Where is my payslip?", "In Workday.", 7])   # not a date: left alone
    p = tmp_path / "t.xlsx"
    wb.save(p)
    import_files(ws, [p])
    got = dict(ws.con.execute("SELECT external_id, created_at FROM tickets").fetchall())
    assert got == {"T1": "2024-03-01 12:00:00", "T2": "2024-03-02", "T3": "7"}


def test_private_notes_in_a_conversation_export_are_not_answers(ws, tmp_path):
    # Freshdesk conversations: "private": true is an internal note, never shown to the customer
    p = tmp_path / "fd.csv"
    p.write_text("ticket_id,incoming,private,body_text,created_at\n"
                 "1,true,false,How many days of leave do I have left?,2024-03-01T10:00:00Z\n"
                 "1,false,true,Internal: ask payroll first - she has a warning on file,2024-03-01T10:01:00Z\n"
                 "1,false,false,You have 12 days left this year.,2024-03-01T10:02:00Z\n"
                 "2,true,false,Where is my payslip?,2024-03-02T10:00:00Z\n"
                 "2,false,false,In Workday under Pay.,2024-03-02T10:01:00Z\n")
    res = import_files(ws, [p])
    assert _pairs(ws) == [("How many days of leave do I have left?", "You have 12 days left this year."),
                          ("Where is my payslip?", "In Workday under Pay.")]
    assert res["skipped"].get("internal note") == 1


def test_intercom_leads_are_customers(ws, tmp_path):
    p = tmp_path / "intercom.csv"
    p.write_text("conversation_id,author_type,author_name,body,created_at\n"
                 "c1,user,Ann,How do I reset my password?,2024-03-01T10:00:00Z\n"
                 "c1,admin,Bob,Go to Settings > Security and click Reset.,2024-03-01T10:05:00Z\n"
                 "c1,bot,Operator,How would you rate your conversation?,2024-03-01T10:06:00Z\n"
                 "c2,lead,Cy,Do you ship to Canada?,2024-03-02T10:00:00Z\n"
                 "c2,admin,Di,Yes we ship to Canada in 5-7 days.,2024-03-02T10:01:00Z\n")
    import_files(ws, [p])
    assert ("Do you ship to Canada?", "Yes we ship to Canada in 5-7 days.") in _pairs(ws)


def test_json_fields_inside_nested_objects(ws, tmp_path):
    data = {"results": [
        {"id": "1", "properties": {"subject": "Pay", "description": "When is payday?", "resolution": "The 25th."},
         "createdAt": "2024-03-01"},
        {"id": "2", "question": {"text": "Where is my payslip?"}, "answer": {"text": "In Workday under Pay."}},
    ]}
    p = tmp_path / "api.json"
    p.write_text(json.dumps(data, indent=1))
    res = import_files(ws, [p])
    assert res["imported"] == 2
    assert _pairs(ws) == [("When is payday?", "The 25th."), ("Where is my payslip?", "In Workday under Pay.")]


def test_mixed_shape_jsonl_with_the_wizard_mapping_keeps_every_record(ws, tmp_path):
    # the desktop wizard always passes the guessed mapping; records of the other shape must not be lost
    p = tmp_path / "mixed.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"instruction": "When is payday?", "output": "The 25th."},
        {"messages": [{"role": "user", "content": "Where is my payslip?"},
                      {"role": "assistant", "content": "In Workday under Pay."}]},
        {"prompt": "How much leave do I get?", "completion": "25 days a year."},
    ]) + "\n")
    res = import_files(ws, [p], mapping={"question": "instruction", "answer": "output"})
    assert res["errors"] == [] and res["imported"] == 3


def _cli_tty_off(monkeypatch, capsys, argv):
    import engine.cli.main as cli

    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_a_pattern_and_a_folder(ws, tmp_path, monkeypatch, capsys):
    # Windows shells pass *.csv as it is; a folder of exports is what people have
    root = str(ws.root)
    ws.close()
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "jan.csv").write_text("question,answer\nWhen is payday?,The 25th.\n")
    (folder / "feb.csv").write_text("question,answer\nWhere is my payslip?,In Workday.\n")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    code, out, err = _cli_tty_off(monkeypatch, capsys, ["import", root, str(folder / "*.csv"), "--json"])
    assert code == 0 and json.loads(out)["imported"] == 2, err
    (folder / "mar.json").write_text(json.dumps([{"question": "Is Friday off?", "answer": "Yes."}]))
    code, out, err = _cli_tty_off(monkeypatch, capsys, ["import", root, str(folder), "--json"])
    assert code == 0 and json.loads(out) == {"imported": 1, "duplicates_skipped": 2, "errors": []}, err
    code, out, err = _cli_tty_off(monkeypatch, capsys, ["import", root, str(folder / "*.xlsx")])
    assert code == 2 and "no file matches" in err and err.count("\n") == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _cli_tty_off(monkeypatch, capsys, ["import", root, str(empty)])
    assert code == 2 and "no ticket exports" in err and err.count("\n") == 1


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S UTC", "%d %b %Y, %H:%M", "%Y/%m/%d %H:%M", "%d/%b/%y %I:%M %p",
                                 "%A, %B %d, %Y %I:%M %p", "%Y-%m-%d %I:%M %p", "%d.%m.%Y %H:%M"])
def test_newest_first_conversation_export_is_ordered_by_its_timestamps(ws, tmp_path, fmt):
    import datetime as dt

    t0 = dt.datetime(2024, 3, 1, 9, 0)
    msgs = [("1", "customer", "My laptop will not start.", 0), ("1", "agent", "Hold the power button for 15 seconds.", 1),
            ("1", "customer", "Did that, still black.", 2), ("1", "agent", "Bring it to the IT desk today.", 3)]
    lines = ["ticket_id,role,text,created"]
    for conv, role, text, h in reversed(msgs):  # newest first
        lines.append(f'{conv},{role},"{text}","{(t0 + dt.timedelta(hours=h)).strftime(fmt)}"')
    p = tmp_path / "conv.csv"
    p.write_text("\n".join(lines) + "\n")
    import_files(ws, [p])
    got = ws.query("SELECT t.question, p.response FROM pairs p JOIN tickets t ON t.id = p.ticket_id "
                   "ORDER BY length(t.question)")
    assert got[0] == {"question": "My laptop will not start.", "response": "Hold the power button for 15 seconds."}
    assert got[1]["question"].endswith("\nDid that, still black.")  # (a short follow-up gets context)
    assert got[1]["response"] == "Bring it to the IT desk today."


def test_jsonl_tickets_with_nested_comments_become_pairs(ws, tmp_path):
    # Zendesk's full JSON export: one ticket per line, its comments inside
    lines = [
        {"id": 1, "subject": "VPN", "description": "My VPN drops every 5 minutes.", "comments": [
            {"author_id": 7, "body": "My VPN drops every 5 minutes.", "public": True, "created_at": "2024-03-01T10:00:00Z"},
            {"author_id": 99, "body": "Checked the logs, user is on v4.", "public": False,
             "created_at": "2024-03-01T10:30:00Z"},
            {"author_id": 99, "body": "Please update the VPN client to version 5.", "public": True,
             "created_at": "2024-03-01T11:00:00Z"}]},
        {"id": 2, "subject": "Leave", "description": "How many days of leave do I get?", "comments": [
            {"author_id": 8, "body": "How many days of leave do I get?", "public": True, "created_at": "2024-03-02T10:00:00Z"},
            {"author_id": 98, "body": "You get 25 days a year.", "public": True, "created_at": "2024-03-02T11:00:00Z"}]},
    ]
    p = tmp_path / "tickets.json"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    res = import_files(ws, [p])
    assert res["imported"] == 2, res
    assert _pairs(ws) == [("How many days of leave do I get?", "You get 25 days a year."),
                          ("My VPN drops every 5 minutes.", "Please update the VPN client to version 5.")]


def test_nested_comments_use_the_requester_when_an_agent_opened_the_ticket(ws, tmp_path):
    # the agent logged the call for the employee: the first comment is the agent's
    data = {"tickets": [
        {"id": 1, "requester_id": 7, "description": "Caller says payslip missing", "comments": [
            {"author_id": 99, "body": "Caller says payslip missing", "created_at": "2024-03-01T10:00:00Z"},
            {"author_id": 7, "body": "Yes, my March payslip is not in Workday.", "created_at": "2024-03-01T10:05:00Z"},
            {"author_id": 99, "body": "It is there now under Pay > Payslips.", "created_at": "2024-03-01T11:00:00Z"}]},
        {"id": 2, "requester_id": 8, "description": "How much leave do I get?", "comments": [
            {"author_id": 8, "body": "How much leave do I get?", "created_at": "2024-03-02T10:00:00Z"},
            {"author_id": 98, "body": "25 days a year.", "created_at": "2024-03-02T11:00:00Z"}]},
    ]}
    p = tmp_path / "z.json"
    p.write_text(json.dumps(data))
    import_files(ws, [p])
    assert _pairs(ws) == [("How much leave do I get?", "25 days a year."),
                          ("Yes, my March payslip is not in Workday.", "It is there now under Pay > Payslips.")]


def test_a_chat_answer_split_over_quick_messages_is_one_answer(ws, tmp_path):
    # live-chat exports: the agent sends one answer as several messages seconds apart
    p = tmp_path / "chat.csv"
    p.write_text("conversation_id,author_type,author_name,body,created_at\n"
                 "c1,user,Ann,How do I reset my password?,2024-03-01T10:00:00Z\n"
                 "c1,admin,Bob,Sure!,2024-03-01T10:01:00Z\n"
                 "c1,admin,Bob,Go to Settings > Security and click Reset password.,2024-03-01T10:01:20Z\n"
                 "c1,admin,Bob,Then sign in again with the new one.,2024-03-01T10:01:45Z\n"
                 "c1,admin,Bob,Did that help?,2024-03-02T09:00:00Z\n")
    res = import_files(ws, [p])
    assert _pairs(ws) == [("How do I reset my password?", "Sure!\n\nGo to Settings > Security and click Reset "
                                                          "password.\n\nThen sign in again with the new one.")]
    assert res["skipped"] == {"further company reply (first one kept)": 1}


def test_a_follow_up_after_a_split_answer_gets_the_whole_answer_as_context(ws, tmp_path):
    p = tmp_path / "chat.csv"
    p.write_text("conversation_id,author_type,author_name,body,created_at\n"
                 "c1,user,Ann,How do I reset my password?,2024-03-01T10:00:00Z\n"
                 "c1,admin,Bob,Go to Settings > Security.,2024-03-01T10:01:00Z\n"
                 "c1,admin,Bob,Then click Reset password.,2024-03-01T10:01:20Z\n"
                 "c1,user,Ann,Done that and still locked out.,2024-03-01T10:05:00Z\n"
                 "c1,admin,Bob,Your account was locked; I unlocked it now.,2024-03-01T10:06:00Z\n")
    import_files(ws, [p])
    follow = [q for q, a in _pairs(ws) if a.startswith("Your account")][0]
    assert "Go to Settings > Security." in follow and "Then click Reset password." in follow
