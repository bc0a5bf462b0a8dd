import json

import pytest

from engine.review import pairs
from engine.dataset import split
from engine.workspace.errors import BadInput

TOPICS = {
    "leave": ["earned leave balance", "carry over of leave", "leave encashment", "half day leave", "leave during notice period"],
    "vpn": ["vpn client install", "vpn disconnects often", "vpn token expired", "vpn on a phone", "slow vpn speed"],
    "payroll": ["salary credit date", "payslip download", "tax deduction on salary", "salary revision letter", "bonus payout month"],
    "laptop": ["broken laptop screen", "laptop battery drains", "laptop replacement cycle", "laptop docking station", "laptop keyboard stuck"],
}
ASKS = ["Question about {t} for the {i} team", "Who handles {t} in office {i}", "Policy on {t}, case {i}",
        "Help needed with {t} ({i})", "Explain {t} for region {i}", "Any update on {t}? ref {i}"]


def _fill(ws, n_per_topic=30):
    ids = {}
    for topic, subjects in TOPICS.items():
        for i in range(n_per_topic):
            q = ASKS[i % len(ASKS)].format(t=subjects[i % len(subjects)], i=i)
            pid = pairs.add_pair(ws, q, f"Answer about {topic} number {i}.", status="approved")
            ids[pid] = topic
    return ids


def test_freeze_needs_approved_pairs(ws):
    pairs.add_pair(ws, "q", "a")
    with pytest.raises(BadInput, match="no approved pairs"):
        split.freeze(ws)


def test_holdout_range_checked(ws):
    with pytest.raises(BadInput, match="between"):
        split.freeze(ws, holdout=0.9)


def test_split_share_topics_and_immutability(ws):
    topic_of = _fill(ws)
    res = split.freeze(ws, holdout=0.2, seed=1)
    assert res["pairs"] == 120
    assert 0.15 <= res["heldout"] / res["pairs"] <= 0.25
    held = split.version_items(ws, res["version_id"], "heldout")
    # every topic is represented on the held-out side
    assert {topic_of[r["pair_id"]] for r in held} == set(TOPICS)
    # frozen: later edits do not change the version
    first = held[0]["pair_id"]
    pairs.update_pair(ws, first, response="Changed later.")
    again = {r["pair_id"]: r for r in split.version_items(ws, res["version_id"])}
    assert again[first]["response"] != "Changed later."
    assert split.latest_version(ws) == res["version_id"]


def test_near_duplicates_never_straddle(ws):
    base = ["How do I reset my password?", "How many sick days can I carry over?", "Where is the Pune office?"]
    groups = []
    for q in base:
        g = [pairs.add_pair(ws, q, "Answer one.", status="approved"),
             pairs.add_pair(ws, q.upper() + "  ", "Answer two.", status="approved"),
             pairs.add_pair(ws, q.replace("?", " please?"), "Answer three.", status="approved")]
        groups.append(g)
    for i in range(40):
        pairs.add_pair(ws, f"Unrelated question number {i} about topic {i * 7}", "x", status="approved")
    # a duplicate flag links two otherwise different questions
    a = pairs.add_pair(ws, "Can I work from abroad for a month?", "No.", status="approved")
    b = pairs.add_pair(ws, "Is remote work from another country allowed?", "No.", status="approved")
    ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation) VALUES ('duplicate','low',?, 'dup')", [[a, b]])
    groups.append([a, b])
    for seed in range(5):
        res = split.freeze(ws, holdout=0.2, seed=seed)
        side = {r["pair_id"]: r["split"] for r in split.version_items(ws, res["version_id"])}
        for g in groups:
            assert len({side[i] for i in g}) == 1, (seed, g)


def test_warnings_are_actionable(ws):
    a = pairs.add_pair(ws, "How many days of earned leave?", "12 days.", status="approved")
    b = pairs.add_pair(ws, "Earned leave per year?", "30 days.", status="approved")
    pairs.add_pair(ws, "Long one?", "word " * 3000, status="approved")
    for i in range(10):
        pairs.add_pair(ws, f"Question {i} on topic {i}", "Answer.", status="approved")
    ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation) VALUES ('conflict','high',?, 'c')", [[a, b]])
    res = split.freeze(ws, holdout=0.2)
    codes = {w["code"] for w in res["warnings"]}
    assert {"few_pairs", "open_conflict", "too_long"} <= codes
    stored = split.list_versions(ws)[-1]
    assert {w["code"] for w in stored["warnings"]} == codes


def test_health_figures(ws):
    _fill(ws, 10)
    pairs.add_pair(ws, "Rejected one", "x", status="rejected")
    h = split.health(ws)
    assert h["approved"] == 40 and h["floor"] == 500 and h["target"] == [2000, 10000]
    assert len(h["answer_lengths"]) == 40
    assert sum(t["pairs"] for t in h["topics"]) == 40
    assert all(t["terms"] for t in h["topics"])
    json.dumps(h)


def test_cli_split_and_versions(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    root = tmp_path / "w"
    with Workspace.create(root) as w:
        _fill(w, 5)
    assert main(["split", str(root), "--holdout", "0.2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["train"] + out["heldout"] == 20
    assert main(["versions", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == out["version_id"]


# --- Bug hunt: the held-out share on small workspaces stays near the request or the version says why. ---
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
