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
