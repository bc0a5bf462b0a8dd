"""What the Flags page does, at the engine level (engine.flags.ops): keep one pair of a duplicate
group, "this one is right" for a conflict, copy the right answer (undoable), dismiss, and save an
edit then re-check the pair."""

from __future__ import annotations

import json

import pytest

from engine.flags import ops, runner
from flag_helpers import FLAG_PAIRS, fake_embedder
from engine.review import pairs as pairs_mod
from engine.workspace.errors import BadInput, NotFound
from engine.workspace.store import Workspace

PAIRS = FLAG_PAIRS


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "_embedder", fake_embedder)
    w = Workspace.create(tmp_path / "ws")
    for q, a in PAIRS:
        pairs_mod.add_pair(w, q, a, status="approved")
    w.execute(
        """INSERT INTO flags (kind, severity, score, pair_ids, explanation, details, status, fingerprint)
           VALUES ('duplicate', 'medium', 0.95, [1, 2, 3], '3 pairs ask the same question.', ?, 'open', 'd1'),
                  ('conflict', 'high', 0.9, [4, 5], 'The answers disagree on how long the leave is.', '{}',
                   'open', 'c1')""",
        [json.dumps({"exact": False, "keep": 2})],
    )
    yield w
    w.close()


def _flag_id(ws, fingerprint: str) -> int:
    return int(ws.scalar("SELECT id FROM flags WHERE fingerprint = ?", [fingerprint]))


def _status(ws, flag_id: int) -> str:
    return next(f["status"] for f in runner.list_flags(ws) if f["id"] == flag_id)


def _pair(ws, pair_id: int) -> dict:
    return pairs_mod.get_pair(ws, pair_id)


def test_load_flags_counts_and_lists_one_kind(ws):
    loaded = ops.load_flags(ws, "duplicate", "open")
    assert loaded["counts"]["duplicate"] == 1 and loaded["counts"]["conflict"] == 1
    assert [f["pair_ids"] for f in loaded["flags"]] == [[1, 2, 3]]
    assert sorted(ops.flag_pairs(ws, [3, 1])) == [1, 3]
    assert ops.flag_pairs(ws, [3, 1])[3]["instruction"] == PAIRS[2][0]


def test_keep_one_rejects_the_others_as_one_undoable_change(ws):
    dup = _flag_id(ws, "d1")
    result = ops.keep_one(ws, dup, 1)
    assert result == {"kept": 1, "rejected": [2, 3]}
    assert [_pair(ws, i)["status"] for i in (1, 2, 3)] == ["approved", "rejected", "rejected"]
    assert _status(ws, dup) == "resolved"
    change = pairs_mod.history(ws, 2)[-1]["change_id"]
    assert pairs_mod.history(ws, 3)[-1]["change_id"] == change  # one change for both
    assert ops.undo_pairs(ws, [2, 3]) == 2
    assert [_pair(ws, i)["status"] for i in (2, 3)] == ["approved", "approved"]


def test_keep_one_with_a_merged_answer(ws):
    dup = _flag_id(ws, "d1")
    merged = "Open the self-service portal and choose Reset VPN password. You need your MFA phone for it."
    ops.keep_one(ws, dup, 1, merged)
    assert _pair(ws, 1)["response"] == merged and _pair(ws, 1)["status"] == "approved"
    assert _pair(ws, 2)["status"] == "rejected"


def test_keep_one_that_cannot_resolve_saves_nothing(ws):
    dup = _flag_id(ws, "d1")
    with pytest.raises(BadInput, match="not part of flag"):
        ops.keep_one(ws, dup, 4, "A merged answer that must not be saved.")
    assert _pair(ws, 4)["response"] == PAIRS[3][1]
    assert [_pair(ws, i)["status"] for i in (1, 2, 3)] == ["approved"] * 3
    assert _status(ws, dup) == "open"
    with pytest.raises(NotFound):
        ops.keep_one(ws, 424242, 1)


def test_this_one_is_right_rejects_the_other_and_offers_its_answer(ws):
    con = _flag_id(ws, "c1")
    result = ops.this_one_is_right(ws, con, 5)
    assert result == {"right": 5, "answer": PAIRS[4][1], "others": [4], "fixes": {}}
    assert _pair(ws, 4)["status"] == "rejected" and _pair(ws, 5)["status"] == "approved"
    assert _status(ws, con) == "resolved"


def test_this_one_is_right_on_a_claims_conflict_fixes_the_values(tmp_path):
    from engine.flags.runner import list_flags, run_flags
    from engine.workspace.store import Workspace

    from flag_helpers import add_tickets

    rows = [("A-1", "How much annual leave per year?", "Annual leave is 20 days per year, credited monthly."),
            ("A-2", "how much annual leave per year", "Annual leave is 20 days per year."),
            ("A-3", "How much annual leave per year??", "Annual leave is 25 days per year, paid in January.")]
    with Workspace.create(tmp_path / "ws") as w:
        ids = add_tickets(w, rows)
        run_flags(w, kinds=["conflict"])
        (flag,) = list_flags(w, kind="conflict")
        assert flag["details"]["counts"] == {"20 days per year": 2, "25 days per year": 1}
        result = ops.this_one_is_right(w, flag["id"], ids[0])
        assert result["others"] == [ids[2]]  # A-2 says the same as A-1: left alone
        assert result["fixes"] == {ids[2]: "Annual leave is 20 days per year, paid in January."}
        rows_now = {p["id"]: p for p in ops.flag_pairs(w, ids).values()}
        assert rows_now[ids[1]]["status"] != "rejected" and rows_now[ids[2]]["status"] == "rejected"
        assert ops.apply_fixes(w, result["fixes"]) == 1
        fixed = ops.flag_pairs(w, [ids[2]])[ids[2]]
        assert fixed["response"] == "Annual leave is 20 days per year, paid in January." and fixed["status"] == "new"
        run_flags(w, kinds=["conflict"])
        assert list_flags(w, kind="conflict", status="open") == []


def test_copy_answer_sends_the_others_back_to_review_and_rechecks_them(ws):
    con = _flag_id(ws, "c1")
    right = ops.this_one_is_right(ws, con, 5)
    answer = right["answer"] + " Questions: write to maria.lopez@northwind.example."
    change = ops.copy_answer(ws, right["others"], answer)
    assert change > 0
    assert _pair(ws, 4)["response"] == answer and _pair(ws, 4)["status"] == "new"
    # the copied text was checked at once: its e-mail address is flagged on pair 4
    pii = runner.list_flags(ws, kind="pii", status="open", pair_id=4)
    assert pii and "maria.lopez@northwind.example" in pii[0]["explanation"] + json.dumps(pii[0]["details"])
    # undo gives the pair its own answer back, rejected as before
    assert ops.undo_pairs(ws, [4]) == 1
    assert _pair(ws, 4)["response"] == PAIRS[3][1] and _pair(ws, 4)["status"] == "rejected"


def test_dismiss_keeps_the_flag_dismissed_on_the_next_pass(ws):
    runner.run_flags(ws, kinds=["needs_context"])
    flag = runner.list_flags(ws, kind="needs_context", status="open", pair_id=6)[0]
    ops.dismiss(ws, flag["id"])
    assert _status(ws, flag["id"]) == "dismissed"
    ops.find_problems(ws, kinds=["needs_context"])
    assert runner.list_flags(ws, kind="needs_context", status="open", pair_id=6) == []
    assert _pair(ws, 6)["response"] == PAIRS[5][1]  # dismissing changes no pair


def test_save_and_recheck_clears_a_fixed_problem(ws):
    runner.run_flags(ws, kinds=["needs_context"])
    assert len(runner.list_flags(ws, kind="needs_context", status="open", pair_id=6)) == 1
    still = ops.save_and_recheck(ws, 6, PAIRS[5][0], "As discussed, I will order it.", "needs_context")
    assert still == {"pair_id": 6, "still_open": 1}  # the reference to a lost conversation is still there
    fixed = "Yes: ask your manager to approve it in the IT portal; monitors ship in 3 days."
    assert ops.save_and_recheck(ws, 6, PAIRS[5][0], fixed, "needs_context") == {"pair_id": 6, "still_open": 0}
    assert _pair(ws, 6)["response"] == fixed
    assert runner.list_flags(ws, kind="needs_context", status="open") == []


def test_save_and_recheck_leaves_duplicates_and_conflicts_for_the_next_pass(ws):
    """The re-check after an edit here runs the quick kinds only: the duplicate group stays as
    it was (same flag, same id) even when the edit takes a pair out of it."""
    dup = _flag_id(ws, "d1")
    ops.save_and_recheck(ws, 3, "Where can I download my payslip?", "In the HR portal, under Payslips.", "tone")
    assert _status(ws, dup) == "open"
    assert next(f for f in runner.list_flags(ws) if f["id"] == dup)["pair_ids"] == [1, 2, 3]


def test_resolve_with_value_fixes_sends_back_and_rejects(tmp_path, monkeypatch):
    """A conflict between claims resolved with one value: of the answers stating another, the one
    in `fix` gets the right value, the one in `review` goes back to the queue as it was, the rest
    are rejected; the answers stating the right value are untouched; each change can be undone."""
    from flag_helpers import add_tickets

    monkeypatch.setattr(runner, "_embedder", fake_embedder)
    rows = [("LV-1", "How much annual leave per year?", "Annual leave is 20 days per year."),
            ("LV-2", "how much annual leave per year", "Annual leave is 25 days per year, paid in January."),
            ("LV-3", "annual leave per year?", "Annual leave is 25 days per year."),
            ("LV-4", "How much annual leave do we get per year?", "Annual leave is 20 days per year, credited monthly."),
            ("LV-5", "Annual leave per year, please?", "It is 25 days per year of annual leave.")]
    with Workspace.create(tmp_path / "ws") as w:
        add_tickets(w, rows, status="approved")
        runner.run_flags(w, kinds=["conflict"])
        ids = {r["external_id"]: int(r["id"]) for r in w.query(
            "SELECT t.external_id, p.id FROM pairs p JOIN tickets t ON t.id = p.ticket_id")}
        (flag_id,) = [int(r["id"]) for r in w.query("SELECT id FROM flags WHERE kind = 'conflict'")]
        plan = ops.right_value_plan(w, flag_id, ids["LV-1"])
        assert sorted(plan["right"]) == sorted([ids["LV-1"], ids["LV-4"]])
        assert {o["pair_id"] for o in plan["others"]} == {ids["LV-2"], ids["LV-3"], ids["LV-5"]}
        before = {r["id"]: r for r in w.query("SELECT id, response, status FROM pairs")}
        res = ops.resolve_with_value(w, flag_id, ids["LV-1"], fix=[ids["LV-3"]], review=[ids["LV-2"]])
        assert res["fixed"] == [ids["LV-3"]] and res["to_review"] == [ids["LV-2"]]
        assert res["rejected"] == [ids["LV-5"]]
        after = {r["id"]: r for r in w.query("SELECT id, response, status FROM pairs")}
        assert after[ids["LV-3"]]["response"] == "Annual leave is 20 days per year." and after[ids["LV-3"]]["status"] == "new"
        assert after[ids["LV-2"]]["response"] == before[ids["LV-2"]]["response"]  # sent back as it was
        assert after[ids["LV-2"]]["status"] == "new"
        assert after[ids["LV-5"]]["status"] == "rejected"
        for k in ("LV-1", "LV-4"):
            assert after[ids[k]] == before[ids[k]]
        assert w.scalar("SELECT status FROM flags WHERE id = ?", [flag_id]) == "resolved"
        ops.undo_pairs(w, [ids["LV-2"]])
        assert w.scalar("SELECT status FROM pairs WHERE id = ?", [ids["LV-2"]]) == "rejected"
