"""Conflicting answers: fact extraction, the comparison rule, the explanation with ticket ids,
and recall/precision on the sample's planted conflicts."""

from __future__ import annotations

import pytest

from engine import embeddings as emb
from engine.flags import conflicts
from engine.flags.base import DetectContext, PairText
from engine.flags.facts import differing_facts, extract_facts

from flag_helpers import ground_truth, import_sample, sample_available


@pytest.fixture(scope="session")
def model():
    return emb.load_model()


def dims(text):
    return {(f.dimension, f.value) for f in extract_facts(text)}


@pytest.mark.parametrize("text,expected", [
    ("You get 12 days of earned leave.", ("duration", (12.0, 12.0))),
    ("It takes two weeks.", ("duration", (14.0, 14.0))),
    ("Approval takes 3-5 working days.", ("duration", (3.0, 5.0))),
    ("Expect an answer within 48 hours.", ("duration", (2.0, 2.0))),
    ("You'll hear back within a week.", ("duration", (7.0, 7.0))),
    ("The limit is $1,500 per trip.", ("amount:USD", (1500.0, 1500.0))),
    ("Claims up to Rs. 5,000 are fine.", ("amount:INR", (5000.0, 5000.0))),
    ("We reimburse 1500 dollars.", ("amount:USD", (1500.0, 1500.0))),
    ("The match is 6% of salary.", ("percentage", (6.0, 6.0))),
    ("The match is six percent.", ("percentage", (6.0, 6.0))),
    ("Submit before March 31.", ("date", "03-31")),
    ("Submit before 31st March.", ("date", "03-31")),
    ("Salary is paid on the 25th of each month.", ("day_of_month", 25)),
    ("Timesheets are due on Friday.", ("weekday", "Friday")),
    ("The office opens at 9:30 am.", ("time", 570)),
    ("Your mailbox holds 50 GB.", ("size", 51200.0)),
    ("You can connect 3 devices.", ("count:device", (3.0, 3.0))),
])
def test_extracts_quantities(text, expected):
    got = dims(text)
    if expected[0] == "size":
        assert any(d == "size" and v[0] == expected[1] for d, v in got)
    else:
        assert expected in got, got


def test_extracts_yes_no_and_permission():
    assert ("yes_no", True) in dims("Yes, you can work from home two days a week.")
    assert ("yes_no", False) in dims("No. Remote work from abroad is not allowed.")
    assert ("permission", False) in dims("Remote work from abroad is not allowed.")
    assert ("permission", True) in dims("You are allowed to work remotely.")
    assert ("permission", False) in dims("Personal software is prohibited on company laptops.")
    assert ("yes_no", False) not in dims("No problem, here is how: open the portal.")


def test_ignores_bare_numbers_and_bad_input():
    assert extract_facts("See ticket 48213 and KB article 12.") == []
    assert extract_facts("Ticket 48213 version 2.1") == []  # no count of 48,213 "versions"
    assert extract_facts("") == [] and extract_facts(None) == []
    assert isinstance(extract_facts("x" * 500_000), list)
    assert isinstance(extract_facts("Urlaub: 30 Tage. 年假12天。"), list)


def test_fact_offsets_point_at_the_text():
    text = "Employees get 12 days; carry over up to 5 days."
    for f in extract_facts(text):
        assert text[f.start:f.end].strip() == f.text


@pytest.mark.parametrize("a,b", [
    ("You get two weeks of leave.", "Leave is 14 days a year."),
    ("Limit: $1,500.", "The limit is 1500 USD."),
    ("You get 12 days.", "You get 12 days and can carry over 5 days."),
    ("Approval takes 3-5 days.", "Approval takes about 4 days."),
    ("Yes, you can carry over up to 5 days.", "You cannot carry over more than 5 days."),
    ("The office opens at 9 am.", "Reset your password at reset.northwind.com."),
])
def test_agreeing_answers_do_not_conflict(a, b):
    assert conflicts.compare_answers(a, b) == []


@pytest.mark.parametrize("a,b,dim", [
    ("You get 12 days of earned leave.", "You get 30 days of earned leave.", "duration"),
    ("12 days leave; carry over 5 days.", "30 days leave; carry over 5 days.", "duration"),
    ("The match is 6%.", "The match is 4 percent.", "percentage"),
    ("The cap is $1,500.", "The cap is $2,000.", "amount:USD"),
    ("Yes, you can.", "No, that is not possible.", "yes_no"),
    ("Working from abroad is allowed for 2 weeks a year.", "Working from abroad is not allowed.", "permission"),
    ("Payroll runs on the 25th.", "Payroll runs on the 28th.", "day_of_month"),
])
def test_disagreeing_answers_conflict(a, b, dim):
    diffs = conflicts.compare_answers(a, b)
    assert diffs and dim in {x.dimension for x, _ in diffs}


def test_differing_facts_is_symmetric_enough():
    a, b = extract_facts("12 days"), extract_facts("30 days")
    assert len(differing_facts(a, b)) == len(differing_facts(b, a)) == 1


def _items(rows):
    return [PairText(id=i + 1, instruction=q, response=a, external_id=ext) for i, (ext, q, a) in enumerate(rows)]


def test_detect_names_ticket_ids_and_facts(model):
    items = _items([
        ("HR-10234", "How many days of earned leave do I get per year?", "You get 12 days of earned leave per year."),
        ("HR-10871", "How many earned leave days do I get each year?", "Employees get 30 days of earned leave a year."),
        ("HR-10900", "How many earned leave days per year?", "You get twelve days of earned leave per year."),
        ("HR-11000", "How many sick leave days do I get per year?", "You get 8 days of sick leave per year."),
        ("IT-1", "How do I reset my password?", "Use reset.northwind.com."),
    ])
    ctx = DetectContext(embed=lambda t: model.encode(t))
    flags = conflicts.detect(items, ctx)
    pairs = sorted(tuple(f.pair_ids) for f in flags)
    assert pairs == [(1, 2), (2, 3)]  # 12 vs 30 and 30 vs twelve; 12 vs twelve agree; sick leave vetoed
    f = next(f for f in flags if f.pair_ids == [1, 2])
    assert "HR-10234 says 12 days; HR-10871 says 30 days" in f.explanation
    assert f.severity == "high" and f.details["facts"][0]["dimension"] == "duration"
    assert f.details["facts"][0]["values"] == {"1": "12 days", "2": "30 days"}


def test_detect_small_and_empty(model):
    ctx = DetectContext(embed=lambda t: model.encode(t))
    assert conflicts.detect([], ctx) == []
    assert conflicts.detect(_items([("A", "q", "12 days")]), ctx) == []
    two = _items([("A", "", ""), ("B", "", "")])
    assert conflicts.detect(two, ctx) == []
    # exact same question, no embeddings at all
    flags = conflicts.detect(_items([("A", "Leave per year?", "12 days"), ("B", "leave per year", "30 days")]),
                             DetectContext())
    assert len(flags) == 1


@pytest.mark.slow
@pytest.mark.skipif(not sample_available(), reason="resources/sample not written yet")
def test_sample_conflicts_recall_and_precision(tmp_path, model):
    from engine.flags.runner import list_flags, run_flags
    from engine.store import Workspace

    gt = ground_truth()
    with Workspace.create(tmp_path / "ws") as ws:
        import_sample(ws)
        run_flags(ws, kinds=["conflict"])
        flags = list_flags(ws, kind="conflict")
    found = {tuple(sorted(f["external_ids"])) for f in flags}
    truth = {tuple(sorted(c["ids"])) for c in gt["conflicts"]}
    tp = len(found & truth)
    recall = tp / max(len(truth), 1)
    precision = tp / max(len(found), 1)
    assert recall >= 0.9, (recall, sorted(truth - found))
    assert precision >= 0.8, (precision, sorted(found - truth))
    # the explanation names both tickets and a fact of each
    for f in flags:
        if tuple(sorted(f["external_ids"])) in truth:
            a, b = f["external_ids"]
            assert f"{a} says" in f["explanation"] and f"{b} says" in f["explanation"]
