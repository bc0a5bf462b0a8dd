"""The second evaluation set (tests/data/privacy_context/): loading and scoring.

Written by hand for these detectors and never tuned on: another organisation (a UK/US/Indian
retail chain's IT and people helpdesk), another voice and other id formats than the bundled
sample. Thresholds are calibrated on the bundled sample; the figures on this set are what the
docstrings and reports quote as "measured".
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from engine.flags.base import DetectContext, PairText

SET_PATH = Path(__file__).resolve().parent / "data" / "privacy_context" / "helpdesk_tickets.jsonl"
HOLDOUT_PATH = SET_PATH.with_name("holdout_tickets.jsonl")  # written after the rewrite, measured once


@dataclass
class EvalSet:
    items: list[PairText]
    rows: list[dict]


@functools.lru_cache(maxsize=4)
def load_set(path: Path | None = None) -> EvalSet:
    rows = [json.loads(line) for line in Path(path or SET_PATH).read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [PairText(id=i, instruction=r["question"], response=r["answer"], external_id=r["id"],
                      requester=r.get("requester")) for i, r in enumerate(rows, start=1)]
    return EvalSet(items, rows)


def _prf(predicted: set, truth: set) -> dict:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(truth) if truth else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3), "n": len(truth),
            "false_positives": sorted(predicted - truth), "missed": sorted(truth - predicted)}


def flag_scores(es: EvalSet, kind: str, settings: dict | None = None) -> dict:
    """Pair-level precision/recall/F1 of the tone or needs-context detector on the set."""
    from engine.flags import needs_context, tone

    detector = {"tone": tone.detect, "needs_context": needs_context.detect}[kind]
    flags = detector(es.items, DetectContext(settings=dict(settings or {})))
    id_of = {it.id: it.external_id for it in es.items}
    predicted = {id_of[f.pair_ids[0]] for f in flags}
    truth = {r["id"] for r in es.rows if r.get(kind)}
    out = _prf(predicted, truth)
    out["explanations"] = {id_of[f.pair_ids[0]]: f.explanation for f in flags}
    return out


def _occurrences(text: str, value: str) -> list[tuple[int, int]]:
    out, i = [], text.find(value)
    while i >= 0:
        out.append((i, i + len(value)))
        i = text.find(value, i + 1)
    return out


def pii_scores(es: EvalSet, settings: dict | None = None) -> dict:
    """Recall per planted value (any occurrence overlapped by a found span of the same field) and
    precision over every span found (it overlaps a planted value)."""
    from engine.flags import id_shapes, pii

    field_of = {"question": "instruction", "answer": "response"}
    patterns = id_shapes.id_patterns_for(es.items, settings or {})
    hit = total = found = correct = 0
    missed, wrong = [], []
    by_kind: dict[str, list[int]] = {}
    for item, row in zip(es.items, es.rows):
        for field in ("instruction", "response"):
            text = getattr(item, field)
            spans = pii.find_spans(text, item.requester, id_patterns=patterns)
            planted = [p for p in row["pii"] if field_of[p["field"]] == field]
            occ = [(p, _occurrences(text, p["text"])) for p in planted]
            for p, ranges in occ:
                total += 1
                ok = any(s.start < b and a < s.end for a, b in ranges for s in spans)
                hit += ok
                by_kind.setdefault(p["kind"], [0, 0])[0] += ok
                by_kind[p["kind"]][1] += 1
                if not ok:
                    missed.append((row["id"], p["kind"], p["text"]))
            for s in spans:
                found += 1
                if any(s.start < b and a < s.end for _, ranges in occ for a, b in ranges):
                    correct += 1
                else:
                    wrong.append((row["id"], s.kind, s.text))
    p = correct / found if found else 1.0
    r = hit / total if total else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "n": total, "found": found, "by_kind": {k: f"{a}/{b}" for k, (a, b) in sorted(by_kind.items())},
            "missed": missed, "false_positives": wrong}
