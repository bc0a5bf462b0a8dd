"""Shared by the detector tests: the bundled sample as drafted pairs, and scoring helpers.

The sample (resources/sample/helpdesk_export.csv + ground_truth.json) is drafted with the
real drafting step when it exists, so the detectors are scored on what they will really see.
"""

from __future__ import annotations

import csv
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.flags.base import DetectContext, PairText

# PAIRSMITH_SAMPLE_DIR points at a freshly generated copy (make_sample.py --out DIR) when needed
SAMPLE = Path(os.environ.get("PAIRSMITH_SAMPLE_DIR") or Path(__file__).resolve().parent.parent / "resources" / "sample")

# ground-truth kinds -> the detector's kinds
ID_KINDS = {"employee_id", "national_id", "pan", "aadhaar", "ni", "ni_number", "nino", "ssn", "iban",
            "bank_account", "card", "credit_card", "payment_card", "passport"}


@dataclass
class Sample:
    items: list[PairText]
    by_ticket: dict[str, PairText]
    truth: dict


@functools.lru_cache(maxsize=1)
def _load() -> Sample | None:
    csv_path, gt_path = SAMPLE / "helpdesk_export.csv", SAMPLE / "ground_truth.json"
    if not csv_path.exists() or not gt_path.exists():
        return None
    try:
        from engine.ingest.drafting import draft_answer, draft_question
    except ImportError:  # drafting not there yet: the raw text
        def draft_question(text, subject=None):
            return text or ""

        def draft_answer(text):
            return text or ""
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    items = []
    for i, row in enumerate(rows, start=1):
        items.append(PairText(
            id=i,
            instruction=draft_question(row.get("Description") or "", row.get("Subject")),
            response=draft_answer(row.get("Resolution") or ""),
            external_id=row.get("Ticket ID"),
            requester=row.get("Requester") or None,
        ))
    truth = json.loads(gt_path.read_text(encoding="utf-8"))
    return Sample(items, {it.external_id: it for it in items}, truth)


def load_sample() -> Sample:
    sample = _load()
    if sample is None:
        pytest.skip("the bundled sample (resources/sample) is not there yet")
    return sample


def detector_f1(sample: Sample, kind: str) -> dict:
    """Pair-level precision/recall/F1 of a detector against the ground truth list `kind`."""
    from engine.flags import needs_context, tone

    detector = {"tone": tone.detect, "needs_context": needs_context.detect}[kind]
    flags = detector(sample.items, DetectContext())
    id_of = {it.id: it.external_id for it in sample.items}
    predicted = {id_of[f.pair_ids[0]] for f in flags}
    truth = {str(t["id"]) for t in sample.truth.get(kind, []) if str(t["id"]) in sample.by_ticket}
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
            "false_positives": sorted(predicted - truth), "missed": sorted(truth - predicted)}


def _group(kind: str) -> str:
    k = kind.lower()
    if k in ("email",):
        return "email"
    if k in ("phone", "phone_number", "mobile"):
        return "phone"
    if k in ID_KINDS:
        return "ids"
    return "other"


def pii_scores(sample: Sample) -> dict:
    """Span-level recall per group (email, phone, ids, other) over the planted items that survive
    drafting, and precision over every span found in the sample's pairs."""
    from engine.flags.pii import find_spans

    field_of = {"question": "instruction", "answer": "response", "instruction": "instruction", "response": "response"}
    truth: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for t in sample.truth.get("pii", []):
        item = sample.by_ticket.get(str(t["id"]))
        if item is None:
            continue
        field = field_of.get(t.get("field", "question"), "instruction")
        if t["text"] not in getattr(item, field):
            continue  # drafting removed it (a signature line): it is not in the pair
        truth.setdefault((item.external_id, field), []).append((t["kind"], t["text"]))
    scores: dict[str, dict] = {}
    found_total = correct = 0
    hit = {g: 0 for g in ("email", "phone", "ids", "other")}
    total = {g: 0 for g in hit}
    missed: list = []
    wrong: list = []
    for item in sample.items:
        for field in ("instruction", "response"):
            text = getattr(item, field)
            spans = find_spans(text, item.requester)
            planted = truth.get((item.external_id, field), [])
            for kind, value in planted:
                g = _group(kind)
                total[g] += 1
                start = text.find(value)
                end = start + len(value)
                if any(s.start < end and start < s.end for s in spans):
                    hit[g] += 1
                else:
                    missed.append((item.external_id, kind, value))
            for s in spans:
                found_total += 1
                ok = False
                for _, value in planted:
                    start = text.find(value)
                    if start >= 0 and s.start < start + len(value) and start < s.end:
                        ok = True
                if ok:
                    correct += 1
                else:
                    wrong.append((item.external_id, s.kind, s.text))
    for g in hit:
        scores[g] = {"recall": round(hit[g] / total[g], 3) if total[g] else 1.0, "n": total[g]}
    scores["all"] = {"precision": round(correct / found_total, 3) if found_total else 1.0, "n": found_total}
    scores["missed"] = missed
    scores["false_positives"] = wrong
    return scores
