"""Helpdesk exports as the tools write them (tests/data/import/helpdesk, a fictional veterinary
group): found by content, who said what, internal notes kept out of pairs, the tools' own ids,
re-import of grown conversations, bad records reported by line, the CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from engine.ingest import helpdesk, vendors
from engine.ingest.helpdesk import Post, Ticket, is_courtesy, ticket_pairs
from engine.ingest.importer import import_files
from engine.review.pairs import list_pairs, update_pairs
from engine.workspace.errors import BadInput
from engine.workspace.store import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "import" / "helpdesk"
ZD, ZD_USERS = DATA / "zendesk_tickets.json", DATA / "zendesk_users.json"
FD_CSV, FD_CONV = DATA / "freshdesk_tickets.csv", DATA / "freshdesk_conversations.json"
JIRA, SNOW, MBOX, EML = (DATA / "jira_service_management.csv", DATA / "servicenow_incidents.csv",
                         DATA / "people_desk.mbox", DATA / "eml_folder")

# words that appear only in the fixtures' internal notes (Zendesk private comments, Freshdesk
# private notes, ServiceNow work notes, the mailbox's forward to payroll and its answer)
INTERNAL_SNIPPETS = ["Do not quote the old 12-week policy", "CHG-2291", "Sun Life", "INTERNAL ONLY",
                     "Payroll noted", "sync client; I released", "IKE rekey failures", "CONFIDENTIAL: his manager",
                     "Approved after the cut-off"]


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def _pairs(ws) -> dict[str, dict]:
    return {p["external_id"]: p for p in list_pairs(ws, limit=1000)}


def _no_internal_text(ws) -> None:
    for p in list_pairs(ws, limit=1000):
        for snippet in INTERNAL_SNIPPETS:
            assert snippet not in p["instruction"] and snippet not in p["response"], (snippet, p)
    for q, a in ws.execute("SELECT question, answer FROM tickets").fetchall():
        for snippet in INTERNAL_SNIPPETS:
            assert snippet not in (q or "") and snippet not in (a or "")


# --- found by content ---------------------------------------------------------------------------
def test_each_export_is_recognised_by_its_content_not_its_name(tmp_path):
    expected = {ZD: "zendesk", ZD_USERS: "zendesk-users", FD_CSV: "freshdesk", FD_CONV: "freshdesk-conv",
                JIRA: "jira", SNOW: "servicenow", MBOX: "mail", EML / "0001-sick-day.eml": "mail"}
    for i, (src, kind) in enumerate(expected.items()):
        neutral = tmp_path / f"download_{i}.dat"
        shutil.copy(src, neutral)
        assert vendors.sniff(neutral) == kind, src.name
    assert vendors.sniff(Path(__file__).resolve().parents[1] / "data" / "import" / "messy_multiline.csv") is None


# --- Zendesk ------------------------------------------------------------------------------------
def test_zendesk_ndjson_with_users_file(ws):
    res = import_files(ws, [ZD, ZD_USERS])
    assert res["shape"] == "helpdesk"
    assert res["imported"] == 7
    assert [(e["file"], e["line"]) for e in res["errors"]] == [("zendesk_tickets.json", 8)]  # the truncated line
    assert "truncated" in res["errors"][0]["reason"]
    f = res["files"][0]
    assert f["summary"] == ("Zendesk export: 8 tickets, 10 public replies, 4 internal notes, "
                            "1 attachment (listed, not imported)")
    assert f["skipped"] == {"no public reply from the help desk": 1}  # 5105: only an internal note
    pairs = _pairs(ws)
    assert set(pairs) == {"5101", "5102", "5103", "5104", "5106", "5107", "5109"}
    # the clarification is appended, the thanks and the "closing this ticket" are not
    p = pairs["5101"]
    assert p["instruction"].startswith("I joined the Halifax clinic in August.")
    assert p["instruction"].endswith("Full-time, I work 37.5 hours a week.")
    assert "Marisol" not in p["instruction"] and "thank you so much" not in p["instruction"]
    assert p["response"].startswith("On the full-time contract you get 18 weeks")
    assert "closing" not in p["response"]
    # HTML-only comments become text with the list kept
    assert "1. Open Company Portal" in pairs["5102"]["response"] and "<" not in pairs["5102"]["response"]
    # a new topic after an answer starts the question afresh
    assert pairs["5106"]["instruction"] == "That worked. Also, can I get a second badge for the Braga site?"
    # an agent logged the call: that first comment is the requester's question
    assert pairs["5104"]["instruction"].startswith("Tobias called the desk")
    _no_internal_text(ws)


def test_zendesk_internal_notes_and_attachments_stay_with_the_raw_ticket(ws):
    import_files(ws, [ZD, ZD_USERS])
    extra = json.loads(ws.scalar("SELECT extra FROM tickets WHERE external_id = '5101'"))
    assert extra["helpdesk"] == "zendesk" and extra["requester"] == "Marisol Okafor"
    notes = [m for m in extra["messages"] if m["internal"]]
    assert len(notes) == 1 and "Do not quote the old 12-week policy" in notes[0]["text"]
    assert notes[0]["author"] == "Ruth Abernethy" and notes[0]["role"] == "agent"
    assert [m["used"] for m in extra["messages"] if m.get("used")] == ["question", "question", "answer"]
    extra = json.loads(ws.scalar("SELECT extra FROM tickets WHERE external_id = '5103'"))
    assert extra["attachments"] == ["payslip_feb.png"]
    assert "payslip_feb.png" not in ws.scalar("SELECT question FROM tickets WHERE external_id = '5103'")


def test_zendesk_without_the_users_file_uses_the_requester_id(ws):
    res = import_files(ws, [ZD])
    assert res["imported"] == 7
    assert _pairs(ws)["5101"]["response"].startswith("On the full-time contract")
    _no_internal_text(ws)


def test_zendesk_users_file_alone_is_refused_with_a_note(ws):
    with pytest.raises(BadInput, match="together with the tickets export"):
        import_files(ws, [ZD_USERS])


def test_per_exchange_pairs(ws):
    res = import_files(ws, [ZD, ZD_USERS], pairs="per-exchange")
    rows = ws.query("""SELECT t.external_id, json_extract_string(t.extra, '$.exchange') AS ex, p.instruction, p.response
                       FROM pairs p JOIN tickets t ON t.id = p.ticket_id ORDER BY t.external_id, ex""")
    badge = [r for r in rows if r["external_id"] == "5106"]
    assert [r["ex"] for r in badge] == ["1", "2"]
    assert badge[0]["instruction"] == "My door badge stopped working at the Porto clinic's back entrance."
    assert badge[0]["response"].startswith("The back entrance readers were reprogrammed")
    assert badge[1]["response"].startswith("Yes: ask your clinic manager")
    # 5101: the clarifying question is an exchange of its own; the "thanks"/"you're welcome" makes none
    parental = [r for r in rows if r["external_id"] == "5101"]
    assert len(parental) == 2 and parental[1]["instruction"] == "Full-time, I work 37.5 hours a week."
    assert res["imported"] == len(rows)
    _no_internal_text(ws)


# --- re-import ----------------------------------------------------------------------------------
def _grow_zendesk(src: Path, dst: Path) -> None:
    """A newer export: ticket 5109 got a follow-up and a new answer; a new ticket 5110."""
    lines = src.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            out.append(line)
            continue
        if t["id"] == 5109:
            t["comments"] += [
                {"id": 9905, "type": "Comment", "author_id": 361004, "public": True,
                 "body": "The portal says my allowance is used up. Can I still order one more set?",
                 "created_at": "2025-02-14T09:00:00Z", "attachments": []},
                {"id": 9906, "type": "Comment", "author_id": 377010, "public": False,
                 "body": "Manager approved an extra set by phone.", "created_at": "2025-02-14T09:30:00Z",
                 "attachments": []},
                {"id": 9907, "type": "Comment", "author_id": 377010, "public": True,
                 "body": "Yes: your manager approved one extra set, which I added to your allowance; order it in the "
                         "portal as before.", "created_at": "2025-02-14T10:00:00Z", "attachments": []}]
        out.append(json.dumps(t))
    new = json.loads(lines[0])
    new["id"] = 5110
    new["subject"] = "Night parking"
    new["comments"] = [
        {"id": 9951, "type": "Comment", "author_id": 361001, "public": True, "body": "Can I park at the clinic overnight?",
         "created_at": "2025-02-15T09:00:00Z", "attachments": []},
        {"id": 9952, "type": "Comment", "author_id": 377010, "public": True,
         "body": "Yes, staff on night shifts can park in bays 1-4 overnight.", "created_at": "2025-02-15T10:00:00Z",
         "attachments": []}]
    out.append(json.dumps(new))
    dst.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_reimport_adds_new_tickets_and_updates_grown_ones(ws, tmp_path):
    import_files(ws, [ZD, ZD_USERS])
    again = import_files(ws, [ZD, ZD_USERS])
    assert again["imported"] == 0 and again["updated"] == 0 and again["duplicates_skipped"] == 7

    pairs = _pairs(ws)
    edited_id = pairs["5109"]["id"]
    update_pairs(ws, [edited_id], response="Order scrubs in the facilities portal (Uniforms), three sets a year.")
    newer = tmp_path / "zendesk_newer.json"
    _grow_zendesk(ZD, newer)
    res = import_files(ws, [newer, ZD_USERS])
    assert res["imported"] == 1 and res["updated"] == 1 and res["updated_flagged"] == 1
    pairs = _pairs(ws)
    assert set(pairs) == {"5101", "5102", "5103", "5104", "5106", "5107", "5109", "5110"}
    assert ws.scalar("SELECT count(*) FROM tickets WHERE external_id = '5109'") == 1
    # the reviewer's edit is kept; the raw ticket is the newer one; a flag says it changed
    assert pairs["5109"]["response"] == "Order scrubs in the facilities portal (Uniforms), three sets a year."
    assert "manager approved one extra set" in ws.scalar("SELECT answer FROM tickets WHERE external_id = '5109'")
    flag = ws.query("SELECT kind, pair_ids, explanation, details FROM flags WHERE kind = 'ticket_changed'")
    assert len(flag) == 1 and list(flag[0]["pair_ids"]) == [edited_id]
    assert "3 new messages" in flag[0]["explanation"]
    assert "Manager approved" not in flag[0]["details"]  # the internal note stays out of the flag too
    _no_internal_text(ws)
    # the same newer export again: nothing more
    res = import_files(ws, [newer, ZD_USERS])
    assert res["imported"] == 0 and res["updated"] == 0
    assert ws.scalar("SELECT count(*) FROM flags WHERE kind = 'ticket_changed'") == 1


def test_reimport_redrafts_a_pair_nobody_touched(ws, tmp_path):
    import_files(ws, [ZD, ZD_USERS])
    newer = tmp_path / "zendesk_newer.json"
    _grow_zendesk(ZD, newer)
    res = import_files(ws, [newer, ZD_USERS])
    assert res["updated"] == 1 and res["updated_redrafted"] == 1 and res["updated_flagged"] == 0
    p = _pairs(ws)["5109"]
    assert p["response"].startswith("Yes: your manager approved one extra set")
    assert "allowance is used up" in p["instruction"]
    assert ws.scalar("SELECT count(*) FROM flags WHERE kind = 'ticket_changed'") == 0


# --- Freshdesk ----------------------------------------------------------------------------------
def test_freshdesk_csv_with_its_conversations(ws):
    res = import_files(ws, [FD_CSV, FD_CONV])
    pairs = _pairs(ws)
    assert set(pairs) == {"20411", "20412", "20413"}  # 20414 has no reply yet
    assert res["files"][0]["summary"].startswith("Freshdesk export: 4 tickets, 4 public replies, 2 internal notes")
    assert [(e["file"], e["line"]) for e in res["errors"]] == [("freshdesk_tickets.csv", 6)]
    assert pairs["20411"]["instruction"].startswith("My grandmother passed away on Sunday.")
    assert pairs["20411"]["response"].startswith("I am very sorry for your loss. You can take 3 paid days")
    # the clarification ("Porto, the 2025 log.") is appended; the HTML-only reply became text
    assert pairs["20412"]["instruction"].endswith("Porto, the 2025 log.")
    assert pairs["20412"]["response"].startswith("I released the stale lock")
    extra = json.loads(ws.scalar("SELECT extra FROM tickets WHERE external_id = '20412'"))
    assert extra["attachments"] == ["locked_error.png"]
    assert extra["requester"] == "Oskar Nieminen"
    _no_internal_text(ws)


def test_freshdesk_ticket_csv_alone_says_what_is_missing(ws):
    with pytest.raises(BadInput, match="conversations JSON"):
        import_files(ws, [FD_CSV])
    assert ws.scalar("SELECT count(*) FROM tickets") == 0


# --- Jira Service Management --------------------------------------------------------------------
def test_jira_comment_columns_are_the_replies(ws):
    res = import_files(ws, [JIRA])
    pairs = _pairs(ws)
    assert set(pairs) == {"PEOPLE-311", "PEOPLE-312", "PEOPLE-313"}
    assert pairs["PEOPLE-311"]["instruction"].endswith("Norwegian, I work at the Bergen clinic.")
    assert pairs["PEOPLE-311"]["response"].startswith("Update it yourself in Workday")
    assert pairs["PEOPLE-312"]["response"].startswith("That PC is in shared-device mode")  # not "You're welcome"
    assert pairs["PEOPLE-313"]["response"].startswith("For home visits in your own car")
    assert [(e["line"], "comment 1" in e["reason"]) for e in res["errors"]] == [(4, True)]
    extra = json.loads(ws.scalar("SELECT extra FROM tickets WHERE external_id = 'PEOPLE-312'"))
    assert extra["attachments"] == ["teams_error.png"]


def test_jira_comment_cell_parsing():
    assert vendors.parse_jira_comment("03/Mar/25 10:02 AM;5f8e2a;Text; with a semicolon") == (
        "03/Mar/25 10:02 AM", "5f8e2a", "Text; with a semicolon")
    assert vendors.parse_jira_comment("2025-03-03 10:02;admin;Server export") == ("2025-03-03 10:02", "admin",
                                                                                   "Server export")
    assert vendors.parse_jira_comment("see ticket PEOPLE-200") is None


# --- ServiceNow ---------------------------------------------------------------------------------
def test_servicenow_journal_work_notes_are_internal(ws):
    res = import_files(ws, [SNOW])
    pairs = _pairs(ws)
    assert set(pairs) == {"INC0010231", "INC0010232", "INC0010233"}
    p = pairs["INC0010231"]
    assert p["instruction"].startswith("Since Monday the VPN disconnects") and p["instruction"].endswith("It says 7.4.2.")
    assert p["response"].startswith("Please update the VPN client to 7.6")  # the reply, not the terse close notes
    assert pairs["INC0010232"]["response"].startswith("Yes: send the physiotherapist's note")  # not "Resolved"
    assert pairs["INC0010233"]["response"] == "Reception has spare keys; collect one with your badge."  # close notes
    assert [e["line"] for e in res["errors"]] == [22] and "journal" in res["errors"][0]["reason"]
    _no_internal_text(ws)


def test_servicenow_xlsx(ws, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    sh = wb.active
    with open(SNOW, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            sh.append(row)
    path = tmp_path / "incident.xlsx"
    wb.save(path)
    assert vendors.sniff(path) == "servicenow"
    import_files(ws, [path])
    assert _pairs(ws)["INC0010231"]["response"].startswith("Please update the VPN client to 7.6")
    _no_internal_text(ws)


def test_servicenow_journal_parsing():
    text = ("2025-03-06 15:10:00 - Sam Agent (Additional comments)\nSecond\n\n"
            "2025-03-06 09:00:00 - Sam Agent (Work notes)\nNote\n\n")
    assert vendors.parse_journal(text) == [("2025-03-06 09:00:00", "Sam Agent", True, "Note"),
                                           ("2025-03-06 15:10:00", "Sam Agent", False, "Second")]
    assert vendors.parse_journal("no headers here") is None
    assert vendors.parse_journal("plain comment", "comments") == [("", "", False, "plain comment")]


# --- mailboxes ----------------------------------------------------------------------------------
def test_mbox_threads_internal_forwards_and_broken_messages(ws):
    res = import_files(ws, [MBOX])
    pairs = _pairs(ws)
    ids = {"a1@mail.tidewatervets.example", "b1@mail.tidewatervets.example", "c1@mail.tidewatervets.example"}
    assert set(pairs) == ids  # the first message's Message-ID
    assert pairs["a1@mail.tidewatervets.example"]["response"].startswith("Yes. Partners who have lived with you")
    assert "wrote:" not in pairs["a1@mail.tidewatervets.example"]["response"]  # the quoted mail is cut
    # the forward to payroll and payroll's answer are internal; the HTML reply is the answer
    b = pairs["b1@mail.tidewatervets.example"]
    assert b["response"].startswith("Your overtime was approved after the payroll cut-off")
    assert "<p>" not in b["response"]
    # a reply whose client dropped In-Reply-To is threaded by its subject
    assert pairs["c1@mail.tidewatervets.example"]["response"].startswith("The clinic has six staff spaces")
    assert len(res["errors"]) == 1 and "message 8" in res["errors"][0]["reason"]
    assert "broken MIME" in res["errors"][0]["reason"]
    extra = json.loads(ws.scalar("SELECT extra FROM tickets WHERE external_id = 'b1@mail.tidewatervets.example'"))
    assert extra["attachments"] == ["timesheet_feb.pdf"]
    assert [m["internal"] for m in extra["messages"]] == [False, True, True, False]
    _no_internal_text(ws)


def test_eml_folder_from_the_cli(tmp_path, capsys):
    import engine.cli.main as cli

    root = str(tmp_path / "ws")
    assert cli.main(["init", root]) == 0
    capsys.readouterr()
    assert cli.main(["import", root, str(EML), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 1 and out["detected"][0]["vendor"] == "mail"
    assert cli.main(["pairs", root, "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)
    assert [p["external_id"] for p in pairs] == ["d1@mail.tidewatervets.example"]
    assert pairs[0]["instruction"].startswith("I was ill for two days during my annual leave")


def test_outlook_msg_is_read_through_extract_msg(ws, tmp_path, monkeypatch):
    # no Outlook-written .msg can be made here; the reader's use of extract_msg is checked with
    # an object shaped like extract_msg's Message (a real file goes through the same path)
    import datetime as dt
    import email

    import extract_msg

    class FakeMsg:
        def __init__(self, sender, to, subject, body, mid, reply=None, when=0):
            self.sender, self.to, self.cc, self.subject, self.body = sender, to, None, subject, body
            self.htmlBody, self.attachments = None, []
            self.date = dt.datetime(2025, 3, 20, 9, when, tzinfo=dt.timezone.utc)
            self.messageId, self.inReplyTo = mid, reply
            self.header = email.message_from_string(f"Message-ID: {mid}\n" + (f"In-Reply-To: {reply}\n" if reply else ""))

        def close(self):
            pass

    msgs = {"q.msg": FakeMsg("Lea Brunner <l.brunner@tidewatervets.example>", "people@tidewatervets.example",
                             "Payslip password", "What is the password for my payslip PDF?", "<m1@x>"),
            "a.msg": FakeMsg("People Desk <people@tidewatervets.example>", "l.brunner@tidewatervets.example",
                             "RE: Payslip password", "It is your date of birth as DDMMYYYY.", "<m2@x>", "<m1@x>", 5)}
    for name in msgs:
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "__substg1.0_0037001F".encode("utf-16-le"))
    monkeypatch.setattr(extract_msg, "openMsg", lambda path, **kw: msgs[Path(path).name])
    import_files(ws, [tmp_path / "q.msg", tmp_path / "a.msg"])
    assert [(p["external_id"], p["response"]) for p in list_pairs(ws)] == [
        ("m1@x", "It is your date of birth as DDMMYYYY.")]


# --- who said what, unit ------------------------------------------------------------------------
def test_courtesies():
    for text in ("Thanks!", "Thank you so much, that worked! Priya", "You're welcome, closing this ticket now.",
                 "Great, thank you! That did the trick.", "ok", "Resolved"):
        assert is_courtesy(text), text
    for text in ("Thanks. Also, how do I add a second monitor?", "Please reinstall the client.",
                 "Ok, I will try that tomorrow and report back.", "No, it still fails with error 0x80070005."):
        assert not is_courtesy(text), text


def test_resolution_pair_never_uses_an_internal_note():
    t = Ticket("zendesk", "1", 1, posts=[
        Post("How do I claim my travel?", True),
        Post("Policy changed: 0.30 per km since March, do not tell staff yet.", False, internal=True),
        Post("Submit it in Expenses with the receipts within 30 days.", False),
        Post("Thanks!", True)])
    [p] = ticket_pairs(t)
    assert p.question == "How do I claim my travel?" and p.answer.startswith("Submit it in Expenses")
    assert ticket_pairs(Ticket("zendesk", "2", 1, posts=[Post("Q?", True), Post("note", False, internal=True)])) == []


def test_an_unknown_layout_falls_back_to_the_column_mapping(ws, tmp_path):
    p = tmp_path / "custom.csv"
    p.write_text("Ref,Asked,Replied\nR1,How do I book a room?,Use the Rooms app.\n", encoding="utf-8")
    assert vendors.sniff(p) is None
    res = import_files(ws, [p], mapping={"question": "Asked", "answer": "Replied"})
    assert res["shape"] == "pairs" and res["imported"] == 1


def test_summary_line_wording():
    assert helpdesk.summary_line("zendesk", 1204, 3880, 611) == (
        "Zendesk export: 1,204 tickets, 3,880 public replies, 611 internal notes")


def test_zendesk_json_array_wrapper_is_read_too(ws, tmp_path):
    # the API's {"tickets": [...]} page rather than the NDJSON export
    tickets = []
    for line in ZD.read_text(encoding="utf-8").splitlines():
        try:
            tickets.append(json.loads(line))
        except ValueError:
            pass
    p = tmp_path / "page1.json"
    p.write_text(json.dumps({"tickets": tickets, "next_page": None, "count": len(tickets)}, indent=1))
    assert vendors.sniff(p) == "zendesk"
    res = import_files(ws, [p, ZD_USERS])
    assert res["imported"] == 7 and res["errors"] == []
    _no_internal_text(ws)


def test_a_file_without_answers_says_it_is_no_known_helpdesk_export(ws, tmp_path):
    p = tmp_path / "notes.csv"
    p.write_text("Ref,Notes\nR1,Call back on Monday\n", encoding="utf-8")
    with pytest.raises(BadInput, match="recognised by themselves"):
        import_files(ws, [p])


def test_an_auto_close_or_an_unanswered_question_is_no_answer():
    t = Ticket("zendesk", "3", 1, posts=[
        Post("The heating in meeting room B is stuck on full.", True),
        Post("Which floor is that room on? Some B rooms moved in March.", False),
        Post("As we have not received a reply, this request will now be closed.", False)])
    assert ticket_pairs(t) == []
    t.posts.insert(1, Post("Facilities reset the thermostat schedule; it should cool down within the hour.", False))
    [p] = ticket_pairs(t)
    assert p.answer.startswith("Facilities reset the thermostat")
    # a real answer that ends by asking is still the answer
    t2 = Ticket("zendesk", "4", 1, posts=[Post("Outlook will not open.", True),
                                          Post("Start it in safe mode (outlook.exe /safe) and disable add-ins. "
                                               "Did that fix it?", False)])
    assert ticket_pairs(t2)[0].answer.startswith("Start it in safe mode")


def test_freshdesk_csv_with_few_columns_is_known_by_its_conversations(ws, tmp_path):
    p = tmp_path / "tickets.csv"
    with open(FD_CSV, newline="", encoding="utf-8") as f, open(p, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        for row in csv.reader(f):
            w.writerow(row[:3])  # Ticket ID, Subject, Description only
    assert vendors.sniff(p) is None and vendors.loose_freshdesk_csv(p)
    res = import_files(ws, [p, FD_CONV])
    assert res["shape"] == "helpdesk" and set(_pairs(ws)) == {"20411", "20412", "20413"}
    _no_internal_text(ws)


def test_freshdesk_tickets_with_embedded_conversations(ws, tmp_path):
    convs = json.loads(FD_CONV.read_text(encoding="utf-8"))
    tickets = [{"ticket_id": 20413, "subject": "Night shift allowance", "requester_id": 80001,
                "description_text": "Is the night shift allowance paid for on-call hours at home?",
                "conversations": [c for c in convs if c["ticket_id"] == 20413]}]
    p = tmp_path / "with_conversations.json"
    p.write_text(json.dumps(tickets))
    assert vendors.sniff(p) == "freshdesk-conv"
    import_files(ws, [p])
    assert _pairs(ws)["20413"]["response"].startswith("On-call hours at home are paid at the on-call rate")


def test_jira_reporter_named_differently_from_the_comment_authors(ws, tmp_path):
    p = tmp_path / "jira.csv"
    with open(JIRA, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    drop = header.index("Reporter Id")
    with open(p, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        for row in rows:
            w.writerow(row[:drop] + row[drop + 1:])  # an older export: display names only
    import_files(ws, [p])
    pairs = _pairs(ws)
    assert pairs["PEOPLE-311"]["instruction"].endswith("Norwegian, I work at the Bergen clinic.")
    assert pairs["PEOPLE-311"]["response"].startswith("Update it yourself in Workday")


def test_per_exchange_reimport_adds_nothing(ws):
    first = import_files(ws, [ZD, ZD_USERS], pairs="per-exchange")
    again = import_files(ws, [ZD, ZD_USERS], pairs="per-exchange")
    assert again["imported"] == 0 and again["updated"] == 0 and again["duplicates_skipped"] == first["imported"]


def test_cli_preview_and_import_of_a_zendesk_export(tmp_path, capsys):
    import engine.cli.main as cli

    assert cli.main(["preview", str(ZD), str(ZD_USERS)]) == 0
    out = capsys.readouterr().out
    assert "Zendesk export: 8 tickets, 10 public replies, 4 internal notes" in out
    assert "[5101] Q: I joined the Halifax clinic in August." in out
    assert "zendesk_tickets.json line 8: invalid JSON" in out
    root = str(tmp_path / "ws")
    assert cli.main(["init", root]) == 0
    capsys.readouterr()
    assert cli.main(["import", root, str(ZD), str(ZD_USERS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 7 and out["detected"][0]["internal_notes"] == 4
    assert [(e["file"], e["line"]) for e in out["errors"]] == [("zendesk_tickets.json", 8)]
    assert cli.main(["pairs", root, "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)
    assert sorted(p["external_id"] for p in pairs) == ["5101", "5102", "5103", "5104", "5106", "5107", "5109"]
    assert cli.main(["import", root, str(FD_CSV)]) == 2  # the conversations file is missing
    assert "conversations JSON" in capsys.readouterr().err


# --- streamed -------------------------------------------------------------------------------------
def _leave_ticket(i: int) -> dict:
    """A small Zendesk ticket: the question, an internal note, the public answer."""
    def c(cid: int, author: int, body: str, public: bool = True) -> dict:
        return {"id": i * 10 + cid, "type": "Comment", "author_id": author, "public": public, "body": body,
                "created_at": f"2025-03-{1 + i % 27:02d}T1{cid}:00:00Z", "attachments": []}

    return {"url": f"https://vetgroup.zendesk.com/api/v2/tickets/{i}.json", "id": 7000 + i, "requester_id": 361001,
            "submitter_id": 361001, "status": "solved", "subject": f"Leave in year {i}", "via": {"channel": "web"},
            "comments": [c(1, 361001, f"How many days of annual leave do I get in my year {i} of service?"),
                         c(2, 377010, "INTERNAL ONLY: checked the contract.", public=False),
                         c(3, 377010, f"In year {i} of service you get {20 + i} days of annual leave.")]}


def test_the_zendesk_reader_yields_a_ticket_before_reading_the_rest(tmp_path):
    f = tmp_path / "tickets.ndjson"
    f.write_text(json.dumps(_leave_ticket(1)) + "\n" + '{"id": 7002, "comments": [{"id": 1\n' * 50, encoding="utf-8")
    errors: list = []
    tickets = vendors.read_group("zendesk", [f], [], lambda *e: errors.append(e))
    first = next(tickets)
    assert first.external_id == "7001" and errors == []  # the truncated lines after it are not read yet
    assert list(tickets) == [] and [e[1] for e in errors] == list(range(2, 52))


def test_a_helpdesk_export_is_written_in_bounded_chunks(ws, tmp_path, monkeypatch):
    from engine.ingest import importer

    lines = [json.dumps(_leave_ticket(i)) for i in range(1, 12)]
    lines[8] = lines[8][:70]  # line 9, in the third chunk of four, is truncated
    f = tmp_path / "tickets.ndjson"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(importer, "HELPDESK_CHUNK", 4)
    read, writes = [0], []
    real_read, real_insert = vendors.read_group, importer._insert_rows

    def counting_read(*a, **kw):
        for t in real_read(*a, **kw):
            read[0] += 1
            yield t

    def recording_insert(w, src, rows, *rest):
        writes.append((len(rows), read[0]))
        real_insert(w, src, rows, *rest)

    monkeypatch.setattr(vendors, "read_group", counting_read)
    monkeypatch.setattr(importer, "_insert_rows", recording_insert)
    res = import_files(ws, [f])
    assert res["imported"] == 10 and [(e["file"], e["line"]) for e in res["errors"]] == [("tickets.ndjson", 9)]
    assert [n for n, _ in writes] == [4, 4, 2]
    assert writes[0][1] <= 5  # the first chunk went in before the rest of the file was read
    assert ws.scalar("SELECT count(*) FROM pairs") == 10
    assert ws.scalar("SELECT rows_imported FROM sources") == 10
    assert json.loads(ws.scalar("SELECT errors FROM sources"))[0]["line"] == 9
    assert "INTERNAL ONLY" not in " ".join(ws.scalar("SELECT string_agg(instruction || response, ' ') FROM pairs"))
    again = import_files(ws, [f])  # the known keys, across chunks
    assert again["imported"] == 0 and again["duplicates_skipped"] == 10

    # a failure while writing a later chunk leaves the workspace as it was
    calls = [0]

    def boom() -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise RuntimeError("disk full")

    fresh = Workspace.create(tmp_path / "ws2")
    monkeypatch.setattr(importer, "_before_pairs_insert", boom)
    with pytest.raises(RuntimeError):
        import_files(fresh, [f])
    assert [fresh.scalar(f"SELECT count(*) FROM {t}") for t in ("tickets", "pairs", "sources")] == [0, 0, 0]
    fresh.close()


def test_a_json_array_export_is_decoded_a_ticket_at_a_time(tmp_path, monkeypatch):
    tickets = [_leave_ticket(i) for i in range(1, 6)]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"count": 5, "tickets": tickets, "next_page": None}, indent=1), encoding="utf-8")
    monkeypatch.setattr(vendors, "JSON_READ_CHARS", 7)  # every ticket spans many reads
    got = list(vendors.read_group("zendesk", [page], [], lambda *e: pytest.fail(str(e))))
    assert [t.external_id for t in got] == [str(7000 + i) for i in range(1, 6)]
    assert got[2].posts[2].text == "In year 3 of service you get 23 days of annual leave."
    # a file cut off after the second ticket: the first two come before the error does
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(tickets)[:-400], encoding="utf-8")
    reader = vendors.read_group("zendesk", [cut], [], lambda *e: None)
    assert [next(reader).external_id for _ in range(2)] == ["7001", "7002"]
    with pytest.raises(BadInput, match="not valid JSON"):
        list(reader)


def test_a_mailbox_is_threaded_on_headers_and_its_bodies_read_again_from_the_file():
    from engine.ingest import mail

    mails = list(mail._messages([MBOX], lambda *e: None, None))
    assert len(mails) >= 8 and all(m.body == "" and m.src[0] == MBOX for m in mails)  # no text held
    tickets = {t.external_id: t for t in mail.read_mail([MBOX], lambda *e: None)}
    a1 = tickets["a1@mail.tidewatervets.example"]
    assert any("Yes. Partners who have lived with you" in p.text for p in a1.posts)
    assert all(p.text.strip() for t in tickets.values() for p in t.posts)
