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

DATA = Path(__file__).parent / "data" / "import"
ROOT = Path(__file__).resolve().parents[1]
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
