"""Conflicting answers (kind `conflict`): pairs that ask the same question but answer it
differently.

Candidates are the pairs the duplicate rule of dedup.py calls near-duplicates (exact question
match, or pair similarity >= `conflict_threshold`, by default the duplicate threshold) that pass
its key-term veto (so "earned leave" vs "sick leave" answers with different day counts are not a
conflict). On the sample, a looser threshold only added false conflicts (0.62: precision 0.60;
0.68: recall 0.94, precision 1.0). Their answers are compared on the facts `facts.extract_facts` finds: numbers with
units, durations, amounts, dates, percentages, times, yes against no, allowed against
forbidden. Two answers conflict when, for a kind of quantity both state, each states a value
the other does not (`facts.differing_facts`). Same facts in other words is not a conflict.

The explanation names the facts side by side with the tickets' own ids:
"HR-10234 says 12 days; HR-10871 says 30 days."
"""

from __future__ import annotations

from typing import Sequence

from .base import DetectContext, FlagCandidate, PairText
from .dedup import DEFAULT_THRESHOLD, _focus_rows, _label, exact_key, key_terms, pair_vectors, veto_reason
from .facts import Fact, differing_facts, extract_facts

KIND = "conflict"
# dimensions whose disagreement alone is weaker evidence (phrasing can flip them)
_POLARITY = {"yes_no", "permission"}
_WEAK = {"permission"}  # an answer opening "Yes" against one opening "No" is strong

_DIM_NAMES = {
    "duration": "how long", "percentage": "the percentage", "size": "the size", "date": "the date",
    "day_of_month": "the day of the month", "weekday": "the day", "time": "the time",
    "yes_no": "yes or no", "permission": "whether it is allowed",
}


def describe_dimension(dim: str) -> str:
    if dim.startswith("amount:"):
        return "the amount"
    if dim.startswith("count:"):
        return "the number of " + dim.split(":", 1)[1] + "s"
    return _DIM_NAMES.get(dim, dim)


def compare_answers(a: str, b: str, facts_a: list[Fact] | None = None,
                    facts_b: list[Fact] | None = None) -> list[tuple[Fact, Fact]]:
    """The facts on which two answers disagree (empty when they agree or share no fact kind).
    An answer opening with "Yes" against one opening with "No" always counts. A difference in
    allowed/forbidden phrasing only counts when the answers state no common kind of quantity;
    when they do and those agree, it is phrasing ("you can take up to 5 days" / "you cannot
    take more than 5 days"), not a conflict."""
    fa = facts_a if facts_a is not None else extract_facts(a)
    fb = facts_b if facts_b is not None else extract_facts(b)
    diffs = differing_facts(fa, fb)
    if not diffs:
        return []
    strong = [d for d in diffs if d[0].dimension not in _WEAK]
    if strong:
        return diffs
    # only allowed/forbidden phrasing differs: it counts when no shared quantity agrees
    dims_a = {f.dimension for f in fa if f.dimension not in _POLARITY}
    dims_b = {f.dimension for f in fb if f.dimension not in _POLARITY}
    if dims_a & dims_b:
        return []
    return diffs


def explain(a: PairText, b: PairText, diffs: list[tuple[Fact, Fact]]) -> str:
    la, lb = _label(a), _label(b)
    fa, fb = diffs[0]
    text = f"Conflicting answers to the same question: {la} says {fa.text}; {lb} says {fb.text}."
    if len(diffs) > 1:
        more = "; ".join(f"{x.text} vs {y.text}" for x, y in diffs[1:3])
        text += f" Also: {more}."
    return text


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """One flag per pair of near-duplicate questions whose answers disagree."""
    n = len(items)
    if n < 2:
        return []
    threshold = float(ctx.settings.get("conflict_threshold",
                                       ctx.settings.get("duplicate_threshold", DEFAULT_THRESHOLD)))
    vectors = pair_vectors(items, ctx)
    rows = _focus_rows(items, ctx)
    row_set = set(rows) if rows is not None else None
    keys = [exact_key(p.instruction) for p in items]
    candidates: dict[tuple[int, int], float] = {}
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k:
            by_key.setdefault(k, []).append(i)
    for ids in by_key.values():
        if len(ids) > 1:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    if row_set is None or ids[x] in row_set or ids[y] in row_set:
                        candidates[(ids[x], ids[y])] = 1.0
    if vectors is not None and len(vectors) == n:
        for a, b, c in vectors.search(threshold, rows=rows, cancel=ctx.cancel):
            a, b = int(a), int(b)
            if keys[a] and keys[b]:
                candidates.setdefault((a, b), float(c))
    facts: dict[int, list[Fact]] = {}
    terms: dict[int, dict] = {}
    out: list[FlagCandidate] = []
    for (a, b), sim in sorted(candidates.items()):
        if keys[a] != keys[b]:
            ta = terms.setdefault(a, key_terms(items[a].instruction))
            tb = terms.setdefault(b, key_terms(items[b].instruction))
            if veto_reason(ta, tb):
                continue
        fa = facts.setdefault(a, extract_facts(items[a].response))
        fb = facts.setdefault(b, extract_facts(items[b].response))
        if not fa or not fb:
            continue
        diffs = compare_answers(items[a].response, items[b].response, fa, fb)
        if not diffs:
            continue
        pa, pb = items[a], items[b]
        polarity_only = all(d[0].dimension in _POLARITY for d in diffs)
        out.append(FlagCandidate(
            kind=KIND,
            pair_ids=[pa.id, pb.id],
            explanation=explain(pa, pb, diffs),
            severity="medium" if polarity_only else "high",
            score=round(sim, 4),
            details={
                "similarity": round(sim, 4),
                "facts": [
                    {"dimension": x.dimension, "what": describe_dimension(x.dimension),
                     "values": {str(pa.id): x.text, str(pb.id): y.text},
                     "spans": {str(pa.id): [x.start, x.end], str(pb.id): [y.start, y.end]}}
                    for x, y in diffs
                ],
            },
        ))
    return out


def conflicting(items: Sequence[PairText]) -> list[tuple[int, int, list[tuple[Fact, Fact]]]]:
    """Plain helper without embeddings: all item pairs with the same exact question key whose
    answers disagree -> (pair id a, pair id b, diffs)."""
    out = []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if exact_key(items[i].instruction) == exact_key(items[j].instruction):
                d = compare_answers(items[i].response, items[j].response)
                if d:
                    out.append((items[i].id, items[j].id, d))
    return out


