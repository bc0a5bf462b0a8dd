"""Duplicates: pairs that ask the same question (kind `duplicate`).

Two pairs are duplicates when
- their questions' normalised text is identical (case, punctuation and spacing ignored): *exact*;
- or they are *near* duplicates: no key-term veto fires (below) and
      max(mean(cos_question, cos_answer), cos_question - (QUESTION_THRESHOLD - DEFAULT_THRESHOLD))
  is at least DEFAULT_THRESHOLD, i.e. question and answer together are close (pair similarity
  >= 0.68), or the questions alone are very close (question cosine >= 0.85). Greetings,
  sign-offs and other sentences found in >= 5 different texts are left out before embedding.

Why the answer counts: real tickets ask one thing in very different words ("Do we have fixed
office timings?" / "What are the official working hours?"). On the helpdesk sample the question
cosine of planted duplicates has a median of 0.63 and a 5th percentile of 0.42, while different
questions reach 0.83: question cosine alone gives pairwise F1 0.46 at best. Question and answer
together give F1 0.97 (P 0.98, R 0.97) at 0.68 with no hard negative grouped; 0.66 lets a hard
negative in, 0.70 loses recall (F1 0.92).

QUESTION_THRESHOLD (setting `duplicate_question_threshold`) is the question-alone rule,
calibrated with bench/calibrate_duplicates.py on public paraphrase data read in place
(all-MiniLM-L6-v2, bf16, 128 tokens; those pairs have no answers). Cosine only:
MSRP test (1,725 pairs, 66% paraphrases): best F1 0.815 at 0.65; at 0.85 P 0.833, R 0.494,
F1 0.620. STS-B test, duplicate = score >= 4 (1,379 pairs): best F1 0.665 at 0.80; at 0.85
P 0.726, R 0.571, F1 0.639. With the key-term veto (its name rule is made for helpdesk
questions and fires on news paraphrases that name people differently) F1 at 0.85 is 0.588 on
MSRP and 0.623 on STS-B. 0.85 is chosen for precision: this half of the rule fires whatever
the answers say. On the sample any value from 0.78 to 0.90 gives the same result.
DEFAULT_THRESHOLD (setting `duplicate_threshold`) is the pair rule, calibrated on the sample.

Key-term veto: topically close but different questions ("carry over earned leave" vs "carry over
sick leave", "VPN on Windows" vs "VPN on a Mac") embed very close. When both questions name a
term of one contrast group (leave types, operating systems, devices, apps, account factors,
networks, benefits...) and each names a class the other does not, they are never
near-duplicates, whatever the cosine. The same holds for names inside sentences ("printers in
the Pune office" vs "in the London office"). (Differing numbers are NOT a veto: on MSRP 70 true
paraphrases differ in a number, and helpdesk questions carry incidental ones: dates, asset tags.)

The rule the detector runs now is the scored one (engine/flags/dedup_score.py: several candidate
signals, one logistic pair score, SCORE_THRESHOLD); the two cosine thresholds above still move it
(`score_threshold`) and still link answers for the conflict detector.

The work is split by concern:
- engine/flags/dedup_candidates.py: text keys, boilerplate, the key-term veto, neighbour search
  (blocked matmul below ANN_MIN_ROWS vectors; above, a usearch HNSW index whose recall against
  brute force bench/bench_flags.py reports), PairVectors;
- engine/flags/dedup_score.py: PairSignals, the pair score and its fitted weights;
- engine/flags/dedup_groups.py: bounded average linkage per connected component (no chaining, no
  vetoed pair in one group), the suggested pair to keep (approved first, then the most complete,
  best-formed answer).
This module is the detector and keeps the names other code imports from it.
"""

from __future__ import annotations

import numpy as np

from engine.flags.base import DetectContext, FlagCandidate, PairText
from engine.flags.dedup_candidates import (  # the names other modules import from here: __all__
    ANN_K, ANN_MIN_ROWS, BOILERPLATE_MIN_TEXTS, CONTRAST_GROUPS, SHORT_QUESTION_WORDS, PairVectors, ann_pairs,
    boilerplate_sentences, brute_pairs, exact_key, key_terms, proper_names, short_pair_sim, short_question,
    similar_pairs, strip_boilerplate, topk_dense, topk_sparse, veto_reason,
)
from engine.flags.dedup_groups import (
    MAX_LINKAGE, answer_quality, cluster_component, scored_groups, suggest_keep,
)
from engine.flags.dedup_score import (
    CANDIDATE_K, SCORE_THRESHOLD, SCORE_WEIGHTS, PairSignals, pair_score,
)
from engine.workspace import settings
from engine.workspace.progress import raise_if_cancelled

KIND = "duplicate"
DEFAULT_THRESHOLD = settings.default("duplicate_threshold")  # on the pair similarity (question and answer)
QUESTION_THRESHOLD = settings.default("duplicate_question_threshold")  # on the question cosine alone


def _label(p: PairText) -> str:
    return p.external_id or f"pair {p.id}"


def thresholds(ctx: DetectContext) -> tuple[float, float]:
    """(pair threshold, question threshold) from the settings or the defaults."""
    t = float(ctx.settings.get("duplicate_threshold", DEFAULT_THRESHOLD))
    tq = float(ctx.settings.get("duplicate_question_threshold", QUESTION_THRESHOLD))
    return t, max(tq, t)


def score_threshold(ctx: DetectContext) -> float:
    """The pair-score threshold: SCORE_THRESHOLD, moved by a workspace's own `duplicate_threshold`
    (each 0.05 above the default makes the score threshold 0.1 stricter)."""
    if "duplicate_threshold" not in ctx.settings:
        return SCORE_THRESHOLD
    shift = 2.0 * (float(ctx.settings["duplicate_threshold"]) - DEFAULT_THRESHOLD)
    return float(min(0.99, max(0.05, SCORE_THRESHOLD + shift)))


def vocabulary_for(items, ctx: DetectContext):
    """The run's vocabulary (engine.flags.claims.Vocabulary): the runner's, else learned once per
    run from the items."""
    from engine.flags.claims import Vocabulary

    vocab = ctx.settings.get("vocabulary")
    if vocab is None:
        cache = ctx.settings.setdefault("_cache", {})
        key = ("vocabulary", tuple(p.id for p in items))
        if key not in cache:
            cache[key] = Vocabulary.learn([t for p in items for t in (p.instruction, p.response)])
        vocab = cache[key]
    return vocab


def signals_for(items: list[PairText], ctx: DetectContext) -> "PairSignals":
    """The PairSignals of `items`, computed once per run (shared with the conflict detector)."""
    cache = ctx.settings.setdefault("_cache", {})
    key = ("pair_signals", tuple(p.id for p in items))
    if key not in cache:
        cache[key] = PairSignals(items, pair_vectors(items, ctx), ctx.settings.get("claims"),
                                 vocabulary_for(items, ctx))
    return cache[key]


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """Duplicate flags: one per group of pairs asking the same question (the scored rule)."""
    raise_if_cancelled(ctx.cancel)
    if len(items) < 2:
        return []
    threshold = score_threshold(ctx)
    signals = signals_for(items, ctx)
    rows = _focus_rows(items, ctx)
    groups = scored_groups(signals, threshold, rows=rows, cancel=ctx.cancel)
    out = []
    for g in groups:
        members = [items[i] for i in g["members"]]
        keep = suggest_keep(members)
        others = [p for p in members if p.id != keep.id]
        names = ", ".join(_label(p) for p in members[:6]) + (f" and {len(members) - 6} more" if len(members) > 6 else "")
        how = "the same question" if g["exact"] else "nearly the same question"
        explanation = (f"{len(members)} pairs ask {how} ({names}). "
                       f"Suggested: keep {_label(keep)}, reject the other{'s' if len(others) > 1 else ''}.")
        out.append(FlagCandidate(
            kind=KIND,
            pair_ids=[p.id for p in members],
            explanation=explanation,
            severity="medium" if g["exact"] or len(members) > 2 else "low",
            score=round(g["mean_sim"], 4),
            details={"exact": g["exact"], "keep": keep.id, "min_similarity": round(g["min_sim"], 4),
                     "mean_similarity": round(g["mean_sim"], 4), "threshold": threshold},
        ))
    return out


def pair_vectors(items: list[PairText], ctx: DetectContext) -> "PairVectors | None":
    """Question and answer vectors for `items` (boilerplate sentences left out), computed once per
    run and shared with the conflict detector. None without an embedder."""
    cache = ctx.settings.setdefault("_cache", {})
    key = ("pair_vectors", tuple(p.id for p in items))
    if key in cache:
        return cache[key]
    if ctx.embed is None or not items:
        pv = None
    else:
        q_common = boilerplate_sentences([p.instruction for p in items])
        a_common = boilerplate_sentences([p.response for p in items])
        q = np.asarray(ctx.embed([strip_boilerplate(p.instruction, q_common) for p in items]), dtype=np.float32)
        a = np.asarray(ctx.embed([strip_boilerplate(p.response, a_common) for p in items]), dtype=np.float32)
        pv = PairVectors(q, a, *thresholds(ctx))
    cache[key] = pv
    return pv


def _focus_rows(items: list[PairText], ctx: DetectContext) -> list[int] | None:
    focus = ctx.settings.get("focus_pair_ids")
    if focus is None:
        return None
    focus = set(focus)
    return [i for i, p in enumerate(items) if p.id in focus]


__all__ = [
    # the detector and its thresholds
    "KIND", "DEFAULT_THRESHOLD", "QUESTION_THRESHOLD", "detect", "thresholds", "score_threshold",
    "vocabulary_for", "signals_for", "pair_vectors",
    # engine.flags.dedup_candidates
    "ANN_K", "ANN_MIN_ROWS", "BOILERPLATE_MIN_TEXTS", "CONTRAST_GROUPS", "SHORT_QUESTION_WORDS", "PairVectors",
    "ann_pairs", "boilerplate_sentences", "brute_pairs", "exact_key", "key_terms", "proper_names",
    "short_pair_sim", "short_question", "similar_pairs", "strip_boilerplate", "topk_dense", "topk_sparse",
    "veto_reason",
    # engine.flags.dedup_score
    "CANDIDATE_K", "SCORE_THRESHOLD", "SCORE_WEIGHTS", "PairSignals", "pair_score",
    # engine.flags.dedup_groups
    "MAX_LINKAGE", "answer_quality", "cluster_component", "scored_groups", "suggest_keep",
]
