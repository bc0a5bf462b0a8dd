"""Redaction: consistent placeholders across the workspace, the pii_map, history and undo,
one change per redact_all, cancel, and the CLI never printing originals."""

from __future__ import annotations

import json

import pytest

from engine.review import pairs
from engine.cli.main import main
from engine.workspace.errors import PairsmithError
from engine.flags.base import DetectContext, PairText
from engine.flags.pii import detect
from engine.privacy.redact import find_spans, redact_all, redact_pair
from engine.workspace.store import Workspace


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    w.execute("""INSERT INTO tickets (id, external_id, question, answer, extra, content_hash)
                 VALUES (1, 'HR-1', 'q', 'a', '{"Requester": "Priya Sharma", "Agent": "Ravi"}', 'h1'),
                        (2, 'HR-2', 'q', 'a', '{"Requester": "Tom Lee"}', 'h2')""")
    w.ids = [
        pairs.add_pair(w, "I'm Priya Sharma, mail priya.sharma@nw.com, phone +91 98765 43210",
                       "Priya, your staff number NW-12345 is updated.", ticket_id=1),
        pairs.add_pair(w, "Contact me at priya.sharma@nw.com or tom@nw.com", "Card 4111 1111 1111 1111 is blocked.",
                       ticket_id=2),
        pairs.add_pair(w, "How do I reset my password?", "Use the self-service portal."),
    ]
    yield w
    w.close()


def test_redact_all_consistent_placeholders_and_map(ws):
    a, b, c = ws.ids
    result = redact_all(ws)
    assert result["pairs"] == 3 and result["pairs_changed"] == 2
    assert result["by_kind"] == {"name": 2, "email": 3, "phone": 1, "employee_id": 1, "card": 1}
    assert result["replacements"] == 8
    pa, pb, pc = (pairs.get_pair(ws, i) for i in (a, b, c))
    assert pa["instruction"] == "I'm [NAME_1], mail [EMAIL_1], phone [PHONE_1]"
    assert pa["response"] == "[NAME_1], your staff number [EMPLOYEE_ID_1] is updated."
    # the same email in another pair gets the same placeholder
    assert pb["instruction"] == "Contact me at [EMAIL_1] or [EMAIL_2]"
    assert pb["response"] == "Card [CARD_1] is blocked."
    assert pc["response"] == "Use the self-service portal."
    rows = {r["placeholder"]: (r["kind"], r["original"]) for r in ws.query("SELECT * FROM pii_map")}
    assert rows["[EMAIL_1]"] == ("email", "priya.sharma@nw.com")
    assert rows["[NAME_1]"] == ("name", "Priya Sharma")
    assert rows["[CARD_1]"] == ("card", "4111 1111 1111 1111")
    assert result["new_placeholders"] == len(rows) == 6
    # one change id for the whole run, in history
    changes = {r["change_id"] for r in ws.query("SELECT change_id FROM pair_history")}
    assert changes == {result["change_id"]}
    assert {h["field"] for h in pairs.history(ws, a)} == {"instruction", "response"}
    # nothing left to flag or redact
    items = [PairText(p["id"], p["instruction"], p["response"], requester="Priya Sharma")
             for p in pairs.list_pairs(ws)]
    assert detect(items, DetectContext()) == []
    again = redact_all(ws)
    assert again["replacements"] == 0 and again["change_id"] == 0


def test_undo_restores_the_original(ws):
    a = ws.ids[0]
    before = pairs.get_pair(ws, a)
    redact_all(ws)
    pairs.undo(ws, a)
    after = pairs.get_pair(ws, a)
    assert (after["instruction"], after["response"]) == (before["instruction"], before["response"])
    # the other pair keeps its redaction
    assert "[EMAIL_1]" in pairs.get_pair(ws, ws.ids[1])["instruction"]


def test_redact_pair_and_later_runs_reuse_placeholders(ws):
    a, b, _ = ws.ids
    assert redact_pair(ws, b) == 3
    assert pairs.get_pair(ws, b)["instruction"] == "Contact me at [EMAIL_1] or [EMAIL_2]"
    assert redact_pair(ws, a) == 5
    pa = pairs.get_pair(ws, a)
    assert "[EMAIL_1]" in pa["instruction"] and "[NAME_1]" in pa["instruction"]
    assert redact_pair(ws, a) == 0
    # a new pair written later with a known value gets the old placeholder; new values new numbers
    d = pairs.add_pair(ws, "From tom@nw.com: new mail is tom.lee@nw.com", "Noted.")
    assert redact_pair(ws, d) == 2
    assert pairs.get_pair(ws, d)["instruction"] == "From [EMAIL_2]: new mail is [EMAIL_3]"
    with pytest.raises(PairsmithError):
        redact_pair(ws, 999)


def test_phone_written_differently_is_the_same_value(ws):
    d = pairs.add_pair(ws, "Call +91 98765 43210", "or +91-98765-43210")
    redact_pair(ws, d)
    p = pairs.get_pair(ws, d)
    assert p["instruction"] == "Call [PHONE_1]" and p["response"] == "or [PHONE_1]"


def test_cancel_leaves_everything_untouched(ws):
    before = pairs.list_pairs(ws)
    with pytest.raises(PairsmithError, match="cancelled"):
        redact_all(ws, cancel=lambda: True)
    assert pairs.list_pairs(ws) == before
    assert ws.scalar("SELECT count(*) FROM pii_map") == 0
    assert ws.scalar("SELECT count(*) FROM pair_history") == 0


def test_progress_and_employee_id_setting(ws):
    ws.set_setting("pii_employee_id_pattern", r"\bE-\d{6}\b")
    d = pairs.add_pair(ws, "My id is E-778812", "Thanks, noted for NW-12345.")
    seen = []
    redact_all(ws, progress=lambda done, total, msg: seen.append((done, total)))
    assert seen[-1] == (4, 4)
    p = pairs.get_pair(ws, d)
    # (the fixture's "staff number NW-12345" took [EMPLOYEE_ID_1]; a lone NW-12345 with no cue and a
    # shape seen once is not an id here)
    assert p["instruction"] == "My id is [EMPLOYEE_ID_2]" and "NW-12345" in p["response"]


def test_find_spans_is_the_detector_implementation():
    from engine.flags import pii

    assert [(s.kind, s.text) for s in find_spans("mail a@b.co", None)] == \
        [(s.kind, s.text) for s in pii.find_spans("mail a@b.co")]


def test_cli_prints_counts_never_originals(ws, capsys):
    root = str(ws.root)
    ws.close()
    assert main(["redact", root, "--pair", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["replacements"] == 3 and out["by_kind"] == {"email": 2, "card": 1}
    assert main(["redact", root, "--all"]) == 0
    text = capsys.readouterr().out
    assert "Redacted 1 of 3 pairs" in text and "2 names" in text and "1 phone number" in text
    for original in ("priya", "98765", "4111", "NW-12345", "Sharma"):
        assert original.lower() not in text.lower()
    assert main(["redact", root, "--all"]) == 0
    assert "No personal data found in 3 pairs" in capsys.readouterr().out
    assert main(["redact", root, "--pair", "99"]) == 2
    assert "no pair with id 99" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["redact", root])
    ws.con = Workspace.open(root).con  # for the fixture's close
