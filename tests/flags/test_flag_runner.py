"""The flag runner and storage: run, list, dismiss (stays dismissed until the text changes),
resolve by keeping one pair (undoable), incremental refresh after an edit, tiny workspaces,
missing detectors, and the `flag` / `flags` / `resolve` commands."""

from __future__ import annotations

import importlib
import json
import logging

import pytest

from engine.flags import embeddings as emb, runner
from engine.review import pairs as pairs_mod
from engine.cli.main import main as cli_main
from engine.workspace.errors import BadInput, Cancelled, NotFound
from engine.flags.base import DetectContext, PairText
from engine.flags.groups import connected_groups, groups_of
from engine.flags.runner import flag_counts, list_flags, refresh_pair, refresh_pairs, resolve_flag, run_flags
from engine.workspace.store import Workspace

from flag_helpers import add_tickets

GROUP = ["duplicate", "conflict"]

ROWS = [
    ("HR-1", "How many days of earned leave do I get per year?", "You get 12 days of earned leave per year."),
    ("HR-2", "How many earned leave days do I get each year?", "Employees receive 30 days of earned leave annually."),
    ("HR-3", "Can I carry over unused earned leave to next year?", "Yes, up to 5 days of earned leave can be carried over."),
    ("HR-4", "Can I carry over unused sick leave to next year?", "No, sick leave cannot be carried over."),
    ("IT-1", "How do I connect to the VPN on Windows?", "Install GlobalProtect from the Software Center and sign in."),
    ("IT-2", "How do I connect to the VPN on my Mac?", "Install GlobalProtect from Self Service and sign in."),
    ("IT-3", "How do I reset my password?", "Go to reset.northwind.com and follow the steps."),
    ("IT-4", "how do I reset my password", "Go to reset.northwind.com and follow the steps there."),
    ("IT-5", "I forgot my password, how can I reset it?", "Visit reset.northwind.com, then follow the steps."),
]


@pytest.fixture(scope="session", autouse=True)
def model():
    return emb.load_model()


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


@pytest.fixture
def filled(ws):
    ids = add_tickets(ws, ROWS)
    return ws, dict(zip([r[0] for r in ROWS], ids))


def _by_kind(ws, kind, status="open"):
    return list_flags(ws, kind=kind, status=status)


def _it_dup(ws):
    """The open duplicate flag of the password-reset group (IT-3, IT-4, IT-5)."""
    return next(f for f in _by_kind(ws, "duplicate") if "IT-3" in f["external_ids"])


def test_run_stores_flags_with_the_documented_keys(filled):
    ws, ids = filled
    counts = run_flags(ws, kinds=GROUP)
    assert counts == {"conflict": 1, "duplicate": 2}
    flags = list_flags(ws)
    for f in flags:
        assert {"id", "kind", "severity", "score", "pair_ids", "external_ids", "explanation", "details", "status"} <= set(f)
        assert f["status"] == "open"
    dups = _by_kind(ws, "duplicate")
    # conflicting answers to one question are duplicates too (keep the right one)
    assert sorted(d["external_ids"] for d in dups) == [["HR-1", "HR-2"], ["IT-3", "IT-4", "IT-5"]]
    dup = next(d for d in dups if d["external_ids"][0] == "IT-3")
    assert dup["details"]["keep"] in dup["pair_ids"]
    con = _by_kind(ws, "conflict")[0]
    assert sorted(con["pair_ids"]) == [ids["HR-1"], ids["HR-2"]]  # not the carry-over answer HR-3
    assert "1 answer says 12 days per year (HR-1)" in con["explanation"]
    assert "1 answer says 30 days per year (HR-2)" in con["explanation"]
    assert con["details"]["values"] == {"30 days per year": ["HR-2"], "12 days per year": ["HR-1"]} or \
        con["details"]["values"] == {"12 days per year": ["HR-1"], "30 days per year": ["HR-2"]}
    assert flag_counts(ws)["duplicate"] == 2 and flag_counts(ws)["pii"] == 0
    assert {f["kind"] for f in list_flags(ws, pair_id=ids["HR-1"])} == {"conflict", "duplicate"}
    # running again replaces, never piles up
    run_flags(ws, kinds=GROUP)
    assert len(list_flags(ws)) == 3


def test_dismissed_stays_dismissed_until_text_changes(filled):
    ws, ids = filled
    run_flags(ws, kinds=GROUP)
    con = _by_kind(ws, "conflict")[0]
    resolve_flag(ws, con["id"], dismiss=True)
    run_flags(ws, kinds=GROUP)
    assert _by_kind(ws, "conflict") == []
    assert len(_by_kind(ws, "conflict", status="dismissed")) == 1
    # edit one of the answers: a new open flag (the texts changed)
    pairs_mod.update_pair(ws, ids["HR-2"], response="Employees receive 25 days of earned leave annually.")
    refresh_pair(ws, ids["HR-2"])
    open_ = _by_kind(ws, "conflict")
    assert len(open_) == 1 and "25 days" in open_[0]["explanation"]


def test_resolve_keep_rejects_the_others_undoably(filled):
    ws, ids = filled
    run_flags(ws, kinds=GROUP)
    dup = _it_dup(ws)
    keep = ids["IT-3"]
    result = resolve_flag(ws, dup["id"], keep=keep)
    assert result["status"] == "resolved" and sorted(result["rejected"]) == sorted([ids["IT-4"], ids["IT-5"]])
    assert pairs_mod.get_pair(ws, ids["IT-4"])["status"] == "rejected"
    assert pairs_mod.get_pair(ws, keep)["status"] == "new"
    assert list_flags(ws, kind="duplicate", status="resolved")[0]["id"] == dup["id"]
    # a re-run does not bring the group back (the others are rejected)
    run_flags(ws, kinds=GROUP)
    assert [f["external_ids"] for f in _by_kind(ws, "duplicate")] == [["HR-1", "HR-2"]]
    # undoable through the pairs history
    pairs_mod.undo(ws, ids["IT-4"])
    assert pairs_mod.get_pair(ws, ids["IT-4"])["status"] == "new"


def test_resolve_errors_are_clear(filled):
    ws, ids = filled
    run_flags(ws, kinds=GROUP)
    dup = _it_dup(ws)
    with pytest.raises(NotFound):
        resolve_flag(ws, 99999, dismiss=True)
    with pytest.raises(BadInput, match="not part of flag"):
        resolve_flag(ws, dup["id"], keep=ids["HR-1"])
    with pytest.raises(BadInput, match="--keep PAIR_ID or --dismiss"):
        resolve_flag(ws, dup["id"])
    resolve_flag(ws, dup["id"], keep=ids["IT-4"])
    with pytest.raises(BadInput, match="already resolved"):
        resolve_flag(ws, dup["id"], keep=ids["IT-4"])


def test_refresh_after_edit_matches_a_full_run(filled):
    ws, ids = filled
    run_flags(ws, kinds=GROUP)
    # IT-5 now asks something else: the duplicate group shrinks to IT-3 + IT-4
    pairs_mod.update_pair(ws, ids["IT-5"], instruction="Where can I download my payslip?")
    counts = refresh_pair(ws, ids["IT-5"])
    assert "duplicate" in counts
    after_incremental = sorted((f["kind"], tuple(f["pair_ids"])) for f in list_flags(ws, status="open")
                               if f["kind"] in GROUP)
    assert ("duplicate", (ids["IT-3"], ids["IT-4"])) in after_incremental
    run_flags(ws, kinds=GROUP)
    after_full = sorted((f["kind"], tuple(f["pair_ids"])) for f in list_flags(ws, status="open") if f["kind"] in GROUP)
    assert after_incremental == after_full
    # and back: the edit makes HR-2 agree with HR-1: the conflict disappears incrementally
    pairs_mod.update_pair(ws, ids["HR-2"], response="Employees receive twelve days of earned leave annually.")
    refresh_pair(ws, ids["HR-2"])
    assert _by_kind(ws, "conflict") == []


def test_refresh_only_recomputes_the_neighbourhood(filled, monkeypatch):
    ws, ids = filled
    run_flags(ws, kinds=GROUP)
    before = {f["id"] for f in list_flags(ws)}
    refresh_pair(ws, ids["IT-1"])  # no flags around IT-1: the other flags keep their ids
    assert {f["id"] for f in list_flags(ws) if f["kind"] in GROUP} == before


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_workspaces(ws, n):
    add_tickets(ws, ROWS[6:6 + n])
    counts = run_flags(ws)
    assert set(GROUP) <= set(counts)
    assert counts["duplicate"] == (1 if n == 2 else 0)


def test_bad_texts_do_not_break_the_run(ws):
    add_tickets(ws, [
        ("X-1", " ", " "),
        ("X-2", "", ""),
        ("X-3", "word " * 40_000, "answer " * 40_000),
        ("X-4", "Wie viele Urlaubstage habe ich?", "Sie haben 30 Tage Urlaub."),
        ("X-5", "年假有多少天？", "每年12天。"),
        ("X-6", "🙂", "👍"),
    ])
    counts = run_flags(ws, kinds=GROUP)
    assert counts["duplicate"] == 0 and counts["conflict"] == 0


def test_rejected_pairs_are_left_out(filled):
    ws, ids = filled
    pairs_mod.update_pair(ws, ids["IT-4"], status="rejected")
    run_flags(ws, kinds=GROUP)
    dup = _it_dup(ws)
    assert ids["IT-4"] not in dup["pair_ids"]


def test_missing_detector_is_skipped_with_a_warning(filled, monkeypatch, caplog):
    ws, _ = filled
    monkeypatch.setitem(runner.DETECTOR_MODULES, "tone", "engine.flags.no_such_module")
    with caplog.at_level(logging.WARNING, logger="engine.flags"):
        counts = run_flags(ws, kinds=["tone", "duplicate"])
    assert "tone" not in counts and counts["duplicate"] == 2
    assert any("tone" in r.getMessage() for r in caplog.records)


def test_unknown_kind_and_status(ws):
    with pytest.raises(BadInput, match="unknown flag kind"):
        run_flags(ws, kinds="duplicates,bogus")
    with pytest.raises(BadInput, match="unknown flag status"):
        list_flags(ws, status="closed")
    assert runner.parse_kinds("needs-context, pii") == ["pii", "needs_context"]


def test_cancel(filled):
    from engine.workspace.errors import PairsmithError

    ws, _ = filled
    with pytest.raises(PairsmithError, match="cancelled"):
        run_flags(ws, cancel=lambda: True)


def test_all_detectors_run_together(filled):
    ws, _ = filled
    counts = run_flags(ws)
    assert set(GROUP) <= set(counts)
    stored = flag_counts(ws)
    for kind, n in counts.items():
        assert stored[kind] == n


def test_cli_flag_flags_resolve(filled, capsys):
    ws, ids = filled
    root = str(ws.root)
    ws.close()
    assert cli_main(["flag", root, "--kinds", "duplicate,conflict"]) == 0
    out = capsys.readouterr()
    assert "Duplicates" in out.out and "Conflicting answers" in out.out
    assert cli_main(["flags", root, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {tuple(sorted(("id", "kind", "severity", "pair_ids", "external_ids", "explanation")))} == {
        tuple(sorted(k for k in f if k in ("id", "kind", "severity", "pair_ids", "external_ids", "explanation")))
        for f in listed}
    dup = next(f for f in listed if f["kind"] == "duplicate" and "IT-3" in f["external_ids"])
    assert cli_main(["flags", root, "--kind", "conflict", "--status", "open", "--json"]) == 0
    assert [f["kind"] for f in json.loads(capsys.readouterr().out)] == ["conflict"]
    assert cli_main(["resolve", root, str(dup["id"]), "--keep", str(dup["pair_ids"][0])]) == 0
    assert "resolved" in capsys.readouterr().out
    assert cli_main(["resolve", root, "424242", "--dismiss"]) == 2
    assert "no flag with id 424242" in capsys.readouterr().err
    assert cli_main(["flags", root]) == 0
    assert "conflict" in capsys.readouterr().out
    assert cli_main(["flag", root, "--kinds", "nope"]) == 2


def test_workspace_employee_id_pattern_reaches_the_detector(ws):
    ids = add_tickets(ws, [("HR-9", "My record says EMP-778812, can you fix my payslip?",
                            "We have corrected the payslip.")])
    run_flags(ws, kinds=["pii"])
    assert not list_flags(ws, kind="pii", pair_id=ids[0], status="open")
    ws.set_setting("pii_employee_id_pattern", r"EMP-\d{6}")
    run_flags(ws, kinds=["pii"])
    flags = list_flags(ws, kind="pii", pair_id=ids[0], status="open")
    assert flags and "EMP-778812" in flags[0]["explanation"] + json.dumps(flags[0]["details"])


def test_requester_from_other_column_names(ws):
    add_tickets(ws, [("HR-7", "Hi, this is Meera Iyer. When is salary credited?", "On the last working day.")])
    ws.execute("UPDATE tickets SET extra = CAST('{\"Requested by\": \"Meera Iyer\"}' AS JSON)")
    items = runner.load_items(ws)
    assert items[0].requester == "Meera Iyer"


def test_tone_recheck_learns_from_every_pair(filled, monkeypatch):
    seen = {}
    import engine.flags.tone as tone

    real = tone.detect

    def spy(items, ctx):
        seen["n"] = len(items)
        seen["focus"] = ctx.settings.get("focus_pair_ids")
        return real(items, ctx)

    monkeypatch.setattr(tone, "detect", spy)
    ws, ids = filled
    first = ids["IT-3"]
    refresh_pair(ws, first)
    assert seen["n"] == len(runner.load_items(ws)) and seen["focus"] == [first]


def test_cancel_during_the_last_detector_keeps_its_open_flags(ws):
    """A cancel that arrives while the last detector of a full pass is running stops the pass
    with `Cancelled`; the open flags of that kind from the previous pass stay as they were."""
    from engine.workspace.errors import Cancelled

    rows = [(f"T-{i}", f"Question number {i} about my payslip?",
             f"Hi, we wrote to person{i}@example.org and called +1 415 555 {1000 + i:04d}.")
            for i in range(450)]
    add_tickets(ws, rows)
    run_flags(ws, kinds=["pii"])
    before = len(_by_kind(ws, "pii"))
    assert before >= 450

    state = {"in_pii": False}

    def progress(done, total, label):
        if "personal data" in label.lower():
            state["in_pii"] = True

    with pytest.raises(Cancelled):
        run_flags(ws, kinds=["pii"], progress=progress, cancel=lambda: state["in_pii"])
    assert state["in_pii"]
    assert len(_by_kind(ws, "pii")) == before


def test_refresh_pairs_recomputes_only_the_kinds_asked_for(filled):
    ws, ids = filled
    run_flags(ws, kinds=GROUP)
    dup = _it_dup(ws)
    # IT-5 now asks something else; a re-check of the quick kinds leaves the duplicate group alone
    pairs_mod.update_pair(ws, ids["IT-5"], instruction="Where can I download my payslip?")
    counts = refresh_pairs(ws, [ids["IT-5"]], kinds=runner.QUICK_KINDS)
    assert set(counts) == set(runner.QUICK_KINDS)
    assert _it_dup(ws)["id"] == dup["id"] and ids["IT-5"] in _it_dup(ws)["pair_ids"]
    # every kind (the default): the group is recomputed without IT-5
    refresh_pairs(ws, [ids["IT-5"]])
    assert _it_dup(ws)["pair_ids"] == [ids["IT-3"], ids["IT-4"]]


_SAME_QUESTION = [
    PairText(id=1, instruction="How long does a password reset take?", response="It takes 5 minutes."),
    PairText(id=2, instruction="how long does a password reset take", response="It takes 30 minutes."),
]


@pytest.mark.parametrize("kind", ["duplicate", "conflict"])
def test_group_detectors_stop_with_cancelled(kind):
    """A cancel stops a detector with `Cancelled`, even on a pass that needs no embeddings."""
    detect = importlib.import_module(runner.DETECTOR_MODULES[kind]).detect
    assert len(detect(_SAME_QUESTION, DetectContext())) == 1  # there is something to find
    with pytest.raises(Cancelled):
        detect(_SAME_QUESTION, DetectContext(cancel=lambda: True))


def test_connected_groups_are_ordered_and_complete():
    assert connected_groups(6, [(4, 1), (5, 0), (1, 4), (2, 2)]) == [[0, 5], [1, 4], [2], [3]]
    assert connected_groups(3, []) == [[0], [1], [2]]
    assert connected_groups(0, []) == []
    assert connected_groups(6, [(4, 1), (5, 0), (1, 4), (2, 2)], min_size=2) == [[0, 5], [1, 4]]
    # links to ids that are not grouped are left out; members keep the order of `ids`
    assert groups_of([10, 30, 20, 40], [(40, 10), (20, 99)]) == [[10, 40], [30], [20]]
