"""Bug hunt: the held-out share on small workspaces stays near the request or the version says why."""

from __future__ import annotations

from engine.review import pairs
from engine.dataset import split

SUBJECTS = ["laptop battery", "payslip download", "vpn token", "parental leave", "expense deadline",
            "desk booking", "badge access", "printer setup", "travel insurance", "pension plan"]


def _codes(res):
    return {w["code"]: w["message"] for w in res["warnings"]}


def test_tiny_workspace_says_why_the_heldout_share_is_off(ws):
    for s in SUBJECTS[:3]:
        pairs.add_pair(ws, f"How does {s} work?", f"See the {s} page.", status="approved")
    res = split.freeze(ws, holdout=0.15)
    assert res["heldout"] == 1  # 33%: the nearest whole number of pairs that is not zero
    msg = _codes(res).get("heldout_share_actual")
    assert msg and "1 of 3" in msg and "33%" in msg and "15%" in msg, res["warnings"]


def test_large_near_duplicate_groups_are_named_as_the_reason(ws):
    for k in range(2):  # two groups of five identical questions: a whole group is 50%
        for i in range(5):
            pairs.add_pair(ws, f"How does {SUBJECTS[k]} work?", f"Answer {k}.{i}", status="approved")
    res = split.freeze(ws, holdout=0.2)
    held = {r["pair_id"] for r in split.version_items(ws, res["version_id"], "heldout")}
    assert len(held) == 5 and (held == set(range(1, 6)) or held == set(range(6, 11)))  # no straddling
    msg = _codes(res).get("heldout_share_actual")
    assert msg and "near-duplicate" in msg and "5 pairs" in msg, res["warnings"]


def test_no_share_warning_when_the_split_is_on_target(ws):
    for i in range(20):
        pairs.add_pair(ws, f"Question {i} about {SUBJECTS[i % 10]} in office {i}?", f"Answer {i}.", status="approved")
    res = split.freeze(ws, holdout=0.2)
    assert res["heldout"] == 4 and "heldout_share_actual" not in _codes(res)


NOUNS = ["laptop", "payslip", "vpn", "leave", "expense", "desk", "badge", "printer", "insurance", "pension",
         "monitor", "password", "bonus", "visa", "parking", "canteen", "locker", "phone", "training", "relocation",
         "overtime", "mentor", "holiday", "timesheet", "referral"]
VERBS = ["renew", "cancel", "request", "change", "report"]


def _fresh(tmp_path, n):
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / f"ws{n}")
    for i in range(n):
        noun, verb = NOUNS[i % len(NOUNS)], VERBS[i // len(NOUNS) % len(VERBS)]
        pairs.add_pair(ws, f"How do I {verb} my {noun}?", f"Use the {noun} form ({i}).", status="approved")
    return ws


def test_heldout_share_is_in_range_or_explained(tmp_path):
    for n in (3, 7, 13, 50):
        ws = _fresh(tmp_path, n)
        try:
            for holdout in (0.15, 0.2):
                res = split.freeze(ws, holdout=holdout)
                share = res["heldout"] / res["pairs"]
                assert 0.15 <= share <= 0.2 or "heldout_share_actual" in _codes(res), (n, holdout, share)
                if n >= 13:  # enough pairs: a whole number of them lands in 15-20%
                    assert 0.15 <= share <= 0.2, (n, holdout, share)
        finally:
            ws.close()


def test_bad_seed_and_max_length_are_refused_before_anything_is_frozen(ws, capsys):
    import pytest

    from engine.workspace.errors import BadInput

    for i in range(5):
        pairs.add_pair(ws, f"How does {SUBJECTS[i]} work?", f"See page {i}.", status="approved")
    for kwargs, word in (({"seed": -1}, "--seed"), ({"seed": 2 ** 40}, "--seed"), ({"max_length": 0}, "--max-length")):
        with pytest.raises(BadInput, match=word):
            split.freeze(ws, **kwargs)
    assert split.latest_version(ws) is None


def test_conflicting_answers_to_one_question_stay_on_one_side(tmp_path):
    """Two phrasings of one question with different answers (an open 'Conflicting answers' flag):
    one in training and one held out grades the model against the answer it was not taught."""
    import json as _json

    ws = _fresh(tmp_path, 20)
    try:
        a = pairs.add_pair(ws, "How many paid sick days do I get each year?", "You get 12 paid sick days a year.",
                           status="approved")
        b = pairs.add_pair(ws, "What is the yearly allowance of paid sick leave?", "The allowance is 10 days.",
                           status="approved")
        ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation, details, status) "
                   "VALUES ('conflict', 'high', ?, '12 days vs 10 days', ?, 'open')", [[a, b], _json.dumps({})])
        for seed in range(8):
            res = split.freeze(ws, holdout=0.2, seed=seed)
            items = {r["pair_id"]: r["split"] for r in split.version_items(ws, res["version_id"])}
            assert items[a] == items[b], f"seed {seed}: the conflicting pair straddles the split"
    finally:
        ws.close()
