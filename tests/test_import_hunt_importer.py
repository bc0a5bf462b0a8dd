"""Bug hunt: importing awkward exports end to end (what pairs a person gets)."""

from __future__ import annotations

import json

import pytest

from engine.ingest.importer import import_files
from engine.review.pairs import list_pairs
from engine.workspace.store import Workspace


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


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


def _cli(monkeypatch, capsys, argv):
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
    code, out, err = _cli(monkeypatch, capsys, ["import", root, str(folder / "*.csv"), "--json"])
    assert code == 0 and json.loads(out)["imported"] == 2, err
    (folder / "mar.json").write_text(json.dumps([{"question": "Is Friday off?", "answer": "Yes."}]))
    code, out, err = _cli(monkeypatch, capsys, ["import", root, str(folder), "--json"])
    assert code == 0 and json.loads(out) == {"imported": 1, "duplicates_skipped": 2, "errors": []}, err
    code, out, err = _cli(monkeypatch, capsys, ["import", root, str(folder / "*.xlsx")])
    assert code == 2 and "no file matches" in err and err.count("\n") == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _cli(monkeypatch, capsys, ["import", root, str(empty)])
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
