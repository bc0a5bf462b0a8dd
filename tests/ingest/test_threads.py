"""Conversation exports (one row per message) imported as question/answer pairs.

Two hand-made shapes: a Twitter-support-like file with reply links (tweet_id,
in_response_to_tweet_id, inbound True/False) and a Zendesk-like comment export grouped by
ticket id with author roles. The question/answer shape must be unaffected.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from engine.ingest import threads
from engine.ingest.drafting import clean, draft_answer, draft_question
from engine.workspace.errors import BadInput, PairsmithError
from engine.ingest.importer import import_files
from engine.ingest.mapping import customer_values, guess_mapping, mapping_shape
from engine.ingest.tables import preview
from engine.workspace.store import Workspace

TW_HEADER = ("tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id")
# (id, author, inbound, created, text, responses, in_response_to)
TW_ROWS = [
    # A: question, answer, short follow-up ("done") and its answer
    ("1", "501", "True", "Wed Oct 11 06:55:44 +0000 2017", "@AcmeHelp @77001 my parcel 123 never arrived, can you check?", "2", ""),
    ("2", "AcmeHelp", "False", "Wed Oct 11 07:10:00 +0000 2017", "@501 Sorry to hear that! Please DM us your order number. ^AB", "3", "1"),
    ("3", "501", "True", "Wed Oct 11 07:20:00 +0000 2017", "@AcmeHelp done", "4", "2"),
    ("4", "AcmeHelp", "False", "Wed Oct 11 07:30:00 +0000 2017", "@501 Thanks, a refund is on its way. /JD", "", "3"),
    # B: two messages of the same customer before the reply: joined into one question
    ("10", "502", "True", "Wed Oct 11 08:00:00 +0000 2017", "@AcmeHelp the app crashes when I log in", "11", ""),
    ("11", "502", "True", "Wed Oct 11 08:01:00 +0000 2017", "@AcmeHelp and the web site shows a blank page too", "12", "10"),
    ("12", "AcmeHelp", "False", "Wed Oct 11 08:30:00 +0000 2017", "@502 Please clear the cache and sign in again -CK", "", "11"),
    # C: an answer split in two by its author (joined), and a second company reply (counted)
    ("20", "503", "True", "Wed Oct 11 09:00:00 +0000 2017", "@AcmeHelp How do I change the delivery address of an order?", "21,23", ""),
    ("21", "AcmeHelp", "False", "Wed Oct 11 09:10:00 +0000 2017", "@503 Open the order, choose Edit address and save. 1/2", "22", "20"),
    ("22", "AcmeHelp", "False", "Wed Oct 11 09:10:30 +0000 2017", "@503 It can be changed until the parcel ships. 2/2", "", "21"),
    ("23", "AcmeHelp", "False", "Wed Oct 11 09:40:00 +0000 2017", "@503 Did that help?", "", "20"),
    # orphan reply, unanswered customer message, a company message replying to nobody
    ("30", "AcmeHelp", "False", "Wed Oct 11 10:00:00 +0000 2017", "@504 We are on it.", "", "999"),
    ("40", "505", "True", "Wed Oct 11 10:05:00 +0000 2017", "@AcmeHelp anyone there?\nhello??", "", ""),
    ("50", "AcmeHelp", "False", "Wed Oct 11 10:10:00 +0000 2017", "Our stores are closed on Monday.", "", ""),
]


def _write(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def _pairs(ws) -> dict[str, dict]:
    rows = ws.query("""SELECT t.external_id, t.line, t.question, t.answer, t.extra, t.created_at,
                              p.instruction, p.response
                       FROM pairs p JOIN tickets t ON t.id = p.ticket_id ORDER BY t.line""")
    return {r["external_id"]: r for r in rows}


# --- reply links (Twitter-like) ---------------------------------------------------------------
def test_reply_links_become_pairs(ws, tmp_path):
    bad = [("12", "AcmeHelp", "False", "", "a second row with id 12", "", "11"),  # repeated id: a bad row
           ("", "506", "True", "", "no id on this one", "", "")]
    p = _write(tmp_path / "tw.csv", TW_HEADER, TW_ROWS + bad)
    res = import_files(ws, [p])
    assert res["shape"] == "thread" and res["imported"] == 4 and res["duplicates_skipped"] == 0
    assert res["skipped"] == {"reply to a message not in the file": 1, "no reply": 1,
                              "company message not answering a customer": 1,
                              "further company reply (first one kept)": 1}
    # line numbers: the message on line 14 has a two-line text, so the bad rows are on 17 and 18
    assert [(e["line"], e["reason"]) for e in res["errors"]] == [
        (17, "message id '12' appears twice (first on line 8)"), (18, "no message id (column 'tweet_id' is empty)")]
    f = res["files"][0]
    assert f["mapping"] == {"reply_to": "in_response_to_tweet_id", "message_id": "tweet_id", "role": "inbound",
                            "customer": "true", "author": "author_id", "body": "text", "created": "created_at"}
    assert f["messages"] == 16 and f["conversations"] == 6

    pairs = _pairs(ws)
    assert list(pairs) == ["1", "3", "10", "20"]
    a, b, c = pairs["1"], pairs["10"], pairs["20"]
    # raw text kept in tickets, drafted text cleaned of handles and agent initials
    assert a["question"] == TW_ROWS[0][4] and a["answer"] == TW_ROWS[1][4]
    assert a["instruction"] == "my parcel 123 never arrived, can you check?"
    assert a["response"] == "Sorry to hear that! Please DM us your order number."
    assert a["created_at"] == "Wed Oct 11 06:55:44 +0000 2017" and a["line"] == 2
    assert json.loads(a["extra"]) == {"question_messages": ["1"], "answer_messages": ["2"]}
    # the short follow-up gets the message it answers in front
    follow = pairs["3"]
    assert follow["instruction"] == "(Earlier, support wrote: Sorry to hear that! Please DM us your order number.)\ndone"
    assert follow["response"] == "Thanks, a refund is on its way."
    # joined question, joined split answer
    assert json.loads(b["extra"])["question_messages"] == ["10", "11"]
    assert b["instruction"] == "the app crashes when I log in\n\nand the web site shows a blank page too"
    assert b["response"] == "Please clear the cache and sign in again"
    assert json.loads(c["extra"])["answer_messages"] == ["21", "22"]
    assert c["response"] == "Open the order, choose Edit address and save.\n\nIt can be changed until the parcel ships."

    # every readable message is in a pair or counted
    used = sum(len(json.loads(r["extra"])["question_messages"]) + len(json.loads(r["extra"])["answer_messages"])
               for r in pairs.values())
    assert used + sum(res["skipped"].values()) == f["messages"] - len(res["errors"])

    # the source row; re-import adds nothing
    src = ws.query("SELECT rows_imported, rows_skipped, mapping FROM sources")
    assert src[0]["rows_imported"] == 4 and src[0]["rows_skipped"] == 2 + 4
    again = import_files(ws, [p])
    assert again["imported"] == 0 and again["duplicates_skipped"] == 4
    assert ws.scalar("SELECT count(*) FROM tickets") == 4 and ws.scalar("SELECT count(*) FROM sources") == 1


def test_preview_says_conversation_export(tmp_path):
    p = _write(tmp_path / "tw.csv", TW_HEADER, TW_ROWS)
    info = preview(p, n=3)
    assert info["shape"] == "thread" and len(info["rows"]) == 3
    assert info["messages"] == 14 and info["conversations"] == 6
    assert info["summary"] == "conversation export: one row per message; 14 message(s) in 6 conversation(s)"
    assert info["mapping"]["message_id"] == "tweet_id" and info["mapping"]["customer"] == "true"


def test_cli_summary_and_json(ws, tmp_path, capsys):
    import engine.cli.main as cli

    p = _write(tmp_path / "tw.csv", TW_HEADER, TW_ROWS)
    root = str(ws.root)
    ws.close()
    assert cli.main(["import", root, str(p)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["Imported 4 question/answer pair(s) from tw.csv, a conversation export (14 message(s) in "
                   "6 conversation(s)); 0 duplicate(s) skipped, 0 bad row(s) skipped.",
                   "4 message(s) made no pair: 1 company message not answering a customer, 1 further company "
                   "reply (first one kept), 1 no reply, 1 reply to a message not in the file."]
    assert cli.main(["import", root, str(p), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert list(obj)[:3] == ["imported", "duplicates_skipped", "errors"]
    assert obj["imported"] == 0 and obj["duplicates_skipped"] == 4 and obj["shape"] == "thread"
    assert obj["skipped"]["no reply"] == 1
    assert cli.main(["preview", str(p)]) == 0
    assert "Conversation export: one row per message; 14 message(s) in 6 conversation(s)" in capsys.readouterr().out


def test_cancel_and_progress_leave_nothing(ws, tmp_path):
    p = _write(tmp_path / "tw.csv", TW_HEADER, TW_ROWS)
    seen = []
    with pytest.raises(PairsmithError, match="cancelled"):
        import_files(ws, [p], progress=lambda d, t, m: seen.append(m), cancel=lambda: "Pairing messages" in seen)
    assert ws.scalar("SELECT count(*) FROM tickets") == 0 and ws.scalar("SELECT count(*) FROM sources") == 0
    seen.clear()
    assert import_files(ws, [p], progress=lambda d, t, m: seen.append(m))["imported"] == 4
    assert "Pairing messages" in seen and "Saving" in seen


# --- grouped comments (Zendesk-like) ----------------------------------------------------------
ZD_HEADER = ("ticket_id", "comment_id", "author_role", "public", "body", "created_at")
ZD_ROWS = [  # deliberately out of time order and interleaved
    ("100", "c3", "agent", "true", "Hi Sam,\n\nHold the power button for 10 seconds, then start it again.\n\nKind regards,\nPriya",
     "2025-03-03T09:30:00Z"),
    ("101", "d1", "agent", "true", "Your password expires in 3 days.", "2025-03-04T08:00:00Z"),
    ("100", "c1", "end-user", "true", "My laptop will not boot.", "2025-03-03T09:00:00Z"),
    ("100", "c2", "end-user", "true", "It only shows a black screen with a blinking cursor.", "2025-03-03T09:05:00Z"),
    ("100", "c4", "end-user", "true", "ok works", "2025-03-03T10:00:00Z"),
    ("100", "c5", "agent", "false", "internal: check warranty", "2025-03-03T10:05:00Z"),
    ("100", "c6", "agent", "true", "Great, glad it works. If the black screen comes back, book a hardware check.",
     "2025-03-03T10:10:00Z"),
    ("101", "d2", "end-user", "true", "How do I change my password before it expires?", "2025-03-04T09:00:00Z"),
    ("100", "c7", "agent", "true", "Closing this ticket now.", "2025-03-03T10:11:00Z"),
    ("101", "d3", "agent", "true", "Press Ctrl+Alt+Del and choose Change a password.", "2025-03-04T09:20:00Z"),
    ("101", "d4", "end-user", "true", "thanks!", "2025-03-04T09:30:00Z"),
    ("102", "e1", "end-user", "true", "Can I expense a taxi after 22:00?", "2025-03-05T22:30:00Z"),
    ("", "x1", "end-user", "true", "a comment without its ticket", "2025-03-05T22:31:00Z"),
]


def test_grouped_comments_become_pairs(ws, tmp_path):
    p = _write(tmp_path / "zd.csv", ZD_HEADER, ZD_ROWS)
    info = preview(p)
    assert info["shape"] == "thread" and info["conversations"] == 4  # the empty id is one too, in a preview
    m = info["mapping"]
    assert (m["conversation"], m["role"], m["customer"], m["body"], m["created"], m["public"]) == (
        "ticket_id", "author_role", "end-user", "body", "created_at", "public")
    res = import_files(ws, [p])
    assert res["imported"] == 3
    assert [(e["line"], e["reason"]) for e in res["errors"]] == [(19, "no conversation id (column 'ticket_id' is empty)")]
    assert res["skipped"] == {"internal note": 1, "further company reply (first one kept)": 1,
                              "company message not answering a customer": 1, "no reply": 2}
    rows = ws.query("""SELECT t.external_id, t.extra, p.instruction, p.response FROM pairs p
                       JOIN tickets t ON t.id = p.ticket_id ORDER BY t.line""")
    first, third, second = rows  # in file order of the first question message
    # the first exchange of ticket 100: both customer messages, the agent's reply (time order, not file order)
    assert first["external_id"] == "100"
    assert json.loads(first["extra"]) == {"question_messages": ["c1", "c2"], "answer_messages": ["c3"],
                                          "conversation": "100"}
    assert first["instruction"] == "My laptop will not boot.\n\nIt only shows a black screen with a blinking cursor."
    assert first["response"] == "Hold the power button for 10 seconds, then start it again."
    # ticket 101's question is answered by d3; the later exchange of ticket 100 has context (short question)
    assert second["external_id"] == "101" and second["response"] == "Press Ctrl+Alt+Del and choose Change a password."
    assert third["external_id"] == "100" and json.loads(third["extra"])["answer_messages"] == ["c6"]
    assert third["instruction"] == ("(Earlier, support wrote: Hold the power button for 10 seconds, then start it "
                                    "again.)\nok works")
    assert import_files(ws, [p])["imported"] == 0


def test_map_overrides_for_unusual_headers(ws, tmp_path):
    rows = [("K1", "R", "Where do I find my payslip?", "1"), ("K1", "S", "In the HR portal under Pay.", "2"),
            ("K2", "R", "Is Friday a holiday?", "1"), ("K2", "S", "Yes, the office is closed.", "2")]
    p = _write(tmp_path / "odd.csv", ("case_ref", "who", "msg", "n"), rows)
    with pytest.raises(BadInput):
        import_files(ws, [p])  # nothing says it is a conversation export
    with pytest.raises(BadInput, match=r"which messages are the customer's\? Column 'who' has R, S; "
                                       r"say which with --map customer=VALUE"):
        import_files(ws, [p], mapping={"conversation": "case_ref", "role": "who", "body": "msg"})
    res = import_files(ws, [p], mapping={"conversation": "case_ref", "role": "who", "body": "msg",
                                         "customer": "r", "sequence": "n"})
    assert res["shape"] == "thread" and res["imported"] == 2 and res["skipped"] == {}
    assert [r["response"] for r in ws.query("SELECT response FROM pairs ORDER BY id")] == [
        "In the HR portal under Pay.", "Yes, the office is closed."]
    # the role values are read when the customer is not given: "customer"/"agent" need no help
    p2 = _write(tmp_path / "odd2.csv", ("case_ref", "kind", "msg"),
                [("Z1", "Customer", "Can I work from abroad for a month?"), ("Z1", "Agent", "Yes, with your manager's OK.")])
    res = import_files(ws, [p2], mapping={"conversation": "case_ref", "role": "kind", "body": "msg"})
    assert res["imported"] == 1 and res["files"][0]["mapping"]["customer"] == "customer"


def test_role_from_author_when_there_is_no_role_column(ws, tmp_path):
    rows = [("T1", "ana@corp", "VPN drops every hour", "2025-01-01 10:00"),
            ("T1", "helpdesk@corp", "Update the VPN client to 5.2.", "2025-01-01 10:30"),
            ("T1", "ana@corp", "Updated, all fine now, many thanks for the quick help!", "2025-01-01 11:00")]
    p = _write(tmp_path / "mail.csv", ("ticket_id", "from", "message", "sent"), rows)
    res = import_files(ws, [p])
    assert res["shape"] == "thread" and res["imported"] == 1 and res["skipped"] == {"no reply": 1}
    assert ws.scalar("SELECT response FROM pairs") == "Update the VPN client to 5.2."


def test_jsonl_message_log(ws, tmp_path):
    lines = [{"conversation_id": "c1", "role": "user", "content": "How many vacation days do I get?", "seq": 1},
             {"conversation_id": "c1", "role": "assistant", "content": "25 days a year, plus public holidays.", "seq": 2},
             {"conversation_id": "c2", "role": "user", "content": "Who approves overtime?", "seq": 1},
             {"conversation_id": "c2", "role": "assistant", "content": "Your line manager, in the HR portal.", "seq": 2}]
    p = tmp_path / "log.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    res = import_files(ws, [p])
    assert res["shape"] == "thread" and res["imported"] == 2
    assert res["files"][0]["mapping"]["customer"] == "user"
    assert ws.scalar("SELECT instruction FROM pairs ORDER BY id LIMIT 1") == "How many vacation days do I get?"


# --- the question/answer shape is unaffected; questions without answers -----------------------
def test_question_answer_files_are_unaffected(ws, tmp_path):
    rows = [("T-1", "customer", "How do I book leave?", "Use the HR portal."),
            ("T-1", "agent", "How do I book leave?", "Use the HR portal."),
            ("T-2", "customer", "Where is the printer?", "Next to the kitchen.")]
    p = _write(tmp_path / "qa.csv", ("Ticket ID", "Requester type", "Question", "Answer"), rows)
    assert preview(p)["shape"] == "pairs"
    res = import_files(ws, [p])
    assert res["shape"] == "pairs" and res["skipped"] == {} and res["imported"] == 2 and res["duplicates_skipped"] == 1
    assert mapping_shape(guess_mapping(["Ticket ID", "Question", "Answer"], [])) == "pairs"


def test_questions_without_answers_is_one_clear_line(ws, tmp_path, capsys):
    import engine.cli.main as cli

    p = _write(tmp_path / "intents.csv", ("flags", "utterance", "category", "intent"),
               [("B", "I want to cancel my order", "ORDER", "cancel_order"),
                ("BL", "how do I get a refund", "REFUND", "get_refund")])
    with pytest.raises(BadInput) as exc:
        import_files(ws, [p])
    msg = str(exc.value)
    assert "\n" not in msg and "questions (column 'utterance') but no answers" in msg and "--map answer=" in msg
    root = str(ws.root)
    ws.close()
    assert cli.main(["import", root, str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "but no answers" in err


# --- pure functions ---------------------------------------------------------------------------
def test_customer_values_and_time_key():
    assert customer_values("inbound", ["True", "False", "True"]) == ["true"]
    assert customer_values("is_agent", ["0", "1"]) == ["0"]
    assert customer_values("direction", ["Incoming", "Outgoing"]) == ["incoming"]
    assert customer_values("sender_type", ["end_user", "agent", "system"]) == ["end_user"]
    assert customer_values("public", ["true", "false"]) is None
    assert customer_values("from", [f"user{i}@x" for i in range(50)]) is None
    tw = threads.time_key("Wed Oct 11 06:55:44 +0000 2017")
    assert tw == threads.time_key("2017-10-11T06:55:44Z") == threads.time_key("2017-10-11 06:55:44")
    assert threads.time_key("11/10/2017 06:55:44") == tw  # day first
    assert threads.time_key("Wed Oct 11 08:55:44 +0200 2017") == tw
    assert threads.time_key("soon") is None and threads.time_key("") is None


def test_orphans_and_joins_with_message_objects():
    M = threads.Message
    msgs = [M(1, "a", "first part", True, "", author="u"), M(2, "b", "second part", True, "a", author="u"),
            M(3, "c", "someone else chimes in", True, "b", author="v"),
            M(4, "d", "answer to both parts", False, "b", author="co"),
            M(5, "e", "reply to nothing here", False, "zz", author="co"), M(6, "f", "   ", True, "", author="w")]
    out = threads.pairs_from_replies(msgs)
    assert [(p.question_ids, p.answer_ids) for p in out.pairs] == [(("a", "b"), ("d",))]
    assert out.pairs[0].question == "first part\n\nsecond part"
    assert out.skipped == {"no reply": 1, "reply to a message not in the file": 1, "empty message": 1}
    assert out.messages == 6


def test_drafting_strips_handles_initials_and_link_lines():
    assert draft_question("@AppleSupport @115712 my phone is slow since the update") == "my phone is slow since the update"
    assert draft_answer("@105836 Have you tried another device, Miriam? ^MM") == "Have you tried another device, Miriam?"
    assert draft_answer("@1 DM us your order number. -AB") == "DM us your order number."
    assert draft_answer("@1 Try the web player. /JD https://t.co/abc") == "Try the web player. https://t.co/abc"
    assert draft_answer("Please DM us. Thanks - Lee 2/2") == "Please DM us. Thanks"
    assert draft_answer("Steps are here:\nhttps://t.co/xyz\nThey fix it.") == "Steps are here:\nThey fix it."
    assert draft_answer("Fish &amp; chips &gt; salad") == "Fish & chips > salad"
    assert draft_answer("https://t.co/only") == "https://t.co/only"  # the whole text: kept
    assert draft_answer("@12345") == "@12345"
    assert "@handles" in clean("@x hello there friend").removed
    # helpdesk text is left as it was
    for text in ("Use the HR/IT portal to request access.", "Office hours are Mon - Fri.",
                 "Email it@northwind.example for help.", "The ratio is 3/4 of salary"):
        assert draft_answer(text) == text
