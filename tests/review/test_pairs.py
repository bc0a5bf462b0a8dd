import pytest

from engine.review import pairs
from engine.workspace.errors import BadInput, NotFound


@pytest.fixture
def two(ws):
    return ws, pairs.add_pair(ws, "How many days of leave?", "12 days a year."), pairs.add_pair(ws, "VPN?", "Use the app.")


def test_edit_is_recorded_and_undone_as_one_change(two):
    ws, a, _ = two
    change = pairs.update_pair(ws, a, instruction="How many days of earned leave?", response="12 days per year.")
    assert change > 0
    hist = pairs.history(ws, a)
    assert [h["field"] for h in hist] == ["instruction", "response"]
    assert hist[0]["old_value"] == "How many days of leave?"
    assert pairs.undo(ws, a)["fields"] == ["instruction", "response"]
    p = pairs.get_pair(ws, a)
    assert (p["instruction"], p["response"]) == ("How many days of leave?", "12 days a year.")
    assert pairs.redo(ws, a)["change_id"] == change
    assert pairs.get_pair(ws, a)["response"] == "12 days per year."


def test_undo_walks_back_in_order_and_stops(two):
    ws, a, _ = two
    pairs.update_pair(ws, a, status="approved")
    pairs.update_pair(ws, a, response="Twelve days.")
    pairs.undo(ws, a)
    assert pairs.get_pair(ws, a)["status"] == "approved"
    pairs.undo(ws, a)
    assert pairs.get_pair(ws, a)["status"] == "new"
    assert pairs.undo(ws, a) is None


def test_new_edit_clears_redo(two):
    ws, a, _ = two
    pairs.update_pair(ws, a, response="One.")
    pairs.undo(ws, a)
    pairs.update_pair(ws, a, response="Two.")
    assert pairs.redo(ws, a) is None
    assert pairs.get_pair(ws, a)["response"] == "Two."


def test_bulk_status_is_one_change_per_pair(two):
    ws, a, b = two
    change = pairs.update_pairs(ws, [a, b], status="approved")
    assert pairs.count_pairs(ws, status="approved") == 2
    assert {h["change_id"] for h in pairs.history(ws, b)} == {change}
    pairs.undo(ws, b)
    assert pairs.get_pair(ws, b)["status"] == "new"
    assert pairs.get_pair(ws, a)["status"] == "approved"


def test_no_op_edit_writes_no_history(two):
    ws, a, _ = two
    assert pairs.update_pair(ws, a, response="12 days a year.") == 0
    assert pairs.history(ws, a) == []


def test_bad_edits_are_refused(two):
    ws, a, _ = two
    with pytest.raises(BadInput):
        pairs.update_pair(ws, a, status="maybe")
    with pytest.raises(BadInput):
        pairs.update_pair(ws, a, response="   ")
    with pytest.raises(NotFound):
        pairs.update_pair(ws, 999, response="x")
    with pytest.raises(NotFound):
        pairs.undo(ws, 999)


def test_list_filters_and_pages(ws):
    for i in range(25):
        pairs.add_pair(ws, f"question {i}", f"answer {i}", status="approved" if i % 5 == 0 else "new")
    assert pairs.count_pairs(ws) == 25
    assert pairs.count_pairs(ws, status="approved") == 5
    page = pairs.list_pairs(ws, limit=10, offset=20)
    assert [p["instruction"] for p in page] == [f"question {i}" for i in range(20, 25)]
    assert [p["instruction"] for p in pairs.list_pairs(ws, search="question 1")] == \
        ["question 1"] + [f"question {i}" for i in range(10, 20)]


def test_the_review_filter(ws):
    ids = [pairs.add_pair(ws, f"Question {i} about the VPN", f"Answer {i}.") for i in range(1, 7)]
    pairs.update_pairs(ws, ids[:2], status="approved")
    ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation) VALUES ('tone', 'low', ?, 'Curt.')",
               [[ids[1], ids[4]]])
    ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation, status) "
               "VALUES ('pii', 'high', ?, 'A name.', 'dismissed')", [[ids[5]]])
    f = pairs.PairFilter
    assert pairs.filter_pair_ids(ws, f()).tolist() == ids
    assert f().is_empty() and not f(search="x").is_empty()
    assert pairs.filter_pair_ids(ws, f(status="approved")).tolist() == ids[:2]
    assert pairs.filter_pair_ids(ws, f(search="  question 3 ")).tolist() == [ids[2]]
    assert pairs.filter_pair_ids(ws, f(flags="any")).tolist() == [ids[1], ids[4]]
    assert pairs.filter_pair_ids(ws, f(status="approved", flags="tone")).tolist() == [ids[1]]
    assert pairs.filter_pair_ids(ws, f(flags="pii")).tolist() == []  # only open flags count
    for flt in (f(), f(status="new"), f(flags="any"), f(search="VPN", flags="tone")):
        assert pairs.count_matching(ws, flt) == len(pairs.filter_pair_ids(ws, flt))
    rows = pairs.pair_rows(ws, [ids[4], ids[0], 99999])
    assert set(rows) == {ids[0], ids[4]}
    assert rows[ids[4]]["flags"] == 1 and rows[ids[4]]["kinds"] == ["tone"] and rows[ids[0]]["flags"] == 0
    assert pairs.pair_rows(ws, []) == {}
    assert pairs.next_flagged(ws, ids[1]) == ids[4]
    assert pairs.next_flagged(ws, ids[4]) == ids[1]  # wraps around
    assert pairs.next_flagged(ws, 0, candidates=[ids[4], ids[5]]) == ids[4]
    assert pairs.next_flagged(ws, 0, candidates=[ids[0]]) is None
    assert pairs.open_flag_kinds(ws) == ["tone"]
    with pytest.raises(BadInput):
        pairs.filter_pair_ids(ws, f(status="done"))


def test_pairs_of_change(two):
    ws, a, b = two
    change = pairs.update_pairs(ws, [b, a], status="approved")
    assert pairs.pairs_of_change(ws, change) == [a, b]
    assert pairs.pairs_of_change(ws, change + 1) == []
