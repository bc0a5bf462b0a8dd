"""Scoring the duplicate, conflict and policy flags against a ground truth (the second set's and
the bundled sample's), shared by tests/flags and bench/measure_flags.py.

    load_second_set(ws) -> {external id: pair id}
    second_truth() -> dict
    duplicate_scores(flags, groups, hard_negatives) -> {"precision", "recall", "f1", "hard_negatives_merged"}
    conflict_scores(flags, units, not_conflicts=()) -> {"recall", "precision", "flags", "found", "units", ...}
    policy_scores(flags, contradicts) -> {"recall", "precision"}
    policy_side_share(conflict_flags, truth) -> share of conflicts whose policy side is the right side
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def second_truth() -> dict:
    return json.loads((HERE / "ground_truth.json").read_text(encoding="utf-8"))


def second_rows() -> list[tuple[str, str, str, str]]:
    with open(HERE / "tickets.csv", newline="", encoding="utf-8") as fh:
        return [(r["Case Number"], r["Question"], r["Reply"], r["Opened"]) for r in csv.DictReader(fh)]


def load_second_set(ws) -> dict[str, int]:
    """Import the second set's tickets.csv as a user would (engine.ingest: greetings, signatures
    and quoted replies cleaned); where the importer is unavailable, write the rows directly.
    Returns {external id: pair id}."""
    try:
        from engine.ingest.importer import import_files
    except ImportError:
        return _write_directly(ws)
    import_files(ws, [HERE / "tickets.csv"])
    return {e: int(p) for e, p in ws.execute(
        "SELECT t.external_id, p.id FROM pairs p JOIN tickets t ON t.id = p.ticket_id").fetchall()}


def _write_directly(ws) -> dict[str, int]:
    import datetime as dt
    import hashlib

    ids = {}
    with ws.transaction():
        for ext, q, a, opened in second_rows():
            when = dt.datetime.strptime(opened, "%Y-%m-%d %H:%M")
            h = hashlib.sha256(f"{ext}\x00{q}\x00{a}".encode()).hexdigest()
            tid = ws.scalar("INSERT INTO tickets (external_id, subject, question, answer, content_hash) "
                            "VALUES (?, NULL, ?, ?, ?) RETURNING id", [ext, q, a, h])
            ids[ext] = int(ws.scalar(
                "INSERT INTO pairs (ticket_id, instruction, response, status, origin, created_at, updated_at) "
                "VALUES (?, ?, ?, 'new', 'import', ?, ?) RETURNING id", [tid, q, a, when, when]))
    return ids


def _pairs_of(groups) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for g in groups:
        out |= {tuple(sorted(p)) for p in itertools.combinations(sorted(set(g)), 2)}
    return out


def duplicate_scores(flags: list[dict], groups: list[list[str]], hard_negatives=()) -> dict:
    pred = _pairs_of([[e for e in f["external_ids"] if e] for f in flags])
    true = _pairs_of(groups)
    tp = len(pred & true)
    p = tp / max(len(pred), 1)
    r = tp / max(len(true), 1)
    f1 = 2 * p * r / max(p + r, 1e-9)
    merged = [tuple(sorted(h)) for h in hard_negatives if tuple(sorted(h)) in pred]
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
            "hard_negatives_merged": merged, "missed": sorted(true - pred)[:20], "false": sorted(pred - true)[:20]}


def sides(flag: dict) -> list[set[str]]:
    """The sides of a conflict flag: one set of external ids per value (details.values), or,
    for a flag without values, each ticket on its own side."""
    values = (flag.get("details") or {}).get("values")
    if values:
        return [set(v) for v in values.values()]
    return [{e} for e in flag["external_ids"] if e]


def _separates(flag_sides: list[set[str]], a: str, b: str) -> bool:
    sa = [i for i, s in enumerate(flag_sides) if a in s]
    sb = [i for i, s in enumerate(flag_sides) if b in s]
    return bool(sa and sb and set(sa) != set(sb))


def conflict_units_second(truth: dict) -> list[list[tuple[str, str]]]:
    """One unit per wrong answer: the (wrong, right) pairs of its topic; found when a flag puts
    the wrong ticket and any right ticket of its topic on different sides."""
    return [[(w, r) for r in c["right"]] for c in truth["conflicts"] for w in c["wrong"]]


def conflict_units_sample(truth: dict) -> list[list[tuple[str, str]]]:
    return [[tuple(c["ids"])] for c in truth["conflicts"]]


def conflict_scores(flags: list[dict], units: list[list[tuple[str, str]]], not_conflicts=()) -> dict:
    all_sides = [sides(f) for f in flags]
    found = [u for u in units if any(_separates(s, a, b) for s in all_sides for a, b in u)]
    true_pairs = {p for u in units for p in u}
    good = [f for f, s in zip(flags, all_sides) if any(_separates(s, a, b) for a, b in true_pairs)]
    wrongly_split = [tuple(p) for p in not_conflicts if any(_separates(s, *p) for s in all_sides)]
    return {"recall": round(len(found) / max(len(units), 1), 3), "precision": round(len(good) / max(len(flags), 1), 3),
            "flags": len(flags), "found": len(found), "units": len(units), "scope_pairs_split": wrongly_split[:10],
            "false_flags": [f["explanation"][:160] for f, s in zip(flags, all_sides) if f not in good][:8]}


def policy_scores(flags: list[dict], contradicts: list[str]) -> dict:
    pred = {e for f in flags for e in f["external_ids"] if e}
    true = set(contradicts)
    tp = len(pred & true)
    return {"recall": round(tp / max(len(true), 1), 3), "precision": round(tp / max(len(pred), 1), 3),
            "flags": len(flags), "missed": sorted(true - pred), "false": sorted(pred - true)}


def policy_side_share(flags: list[dict], truth: dict) -> dict:
    """Among conflict flags that separate a true (wrong, right) pair and name a policy side:
    how many name the right side (every policy-side id is a right answer of that topic)."""
    right = {r for c in truth["conflicts"] for r in c["right"]}
    wrong = {w for c in truth["conflicts"] for w in c["wrong"]}
    named = [f for f in flags if (f.get("details") or {}).get("policy_side")]
    ok = [f for f in named if set(f["details"]["policy_side"]) <= right and not set(f["details"]["policy_side"]) & wrong]
    return {"named": len(named), "right_side": len(ok), "share": round(len(ok) / max(len(named), 1), 3)}
