"""Conflicting answers (kind `conflict`): pairs that ask the same question but answer it
differently.

Candidates are the pairs the duplicate rule of dedup.py calls near-duplicates (exact question
match, or pair similarity >= `conflict_threshold`, by default the duplicate threshold) that pass
its key-term veto (so "earned leave" vs "sick leave" answers with different day counts are not a
conflict). On the sample, a looser threshold only added false conflicts (0.62: precision 0.60;
0.68: recall 0.94, precision 1.0). Their answers are compared on the facts `facts.extract_facts`
finds: numbers with units, durations, amounts, dates, percentages, times, yes against no,
allowed against forbidden, each with what it is about (its rate, its subject, the words around
it). Two answers conflict when `facts.differing_facts` pairs a fact of one with a fact of the
other that measures the same thing and states a different value:
- facts both answers state are agreement ("100% match ... up to 4%" against "up to 6%": the
  100% is not compared; 4% is paired with 6% because "up to ... of your base salary" matches);
- a quantity per month is never compared with one per year ("1 day per month" / "18 days per
  year");
- facts whose subjects clash ("Probation is 6 months" / "the notice period is 30 days") are only
  compared when the questions are the same by the stricter question rule: the same question
  text, or question cosine >= the duplicate question threshold (dedup.QUESTION_THRESHOLD).
Same facts in other words is not a conflict. Measured (tests/flags/test_conflicts.py): the sample
export alone, 15 flags, recall 15/16, precision 1.0; with the 30 seed pairs, 19 flags, recall
15/16, precision 1.0 (before these rules: 22 flags, 3 false: "18 days per year" vs "1 day per
month", twice "Probation is 6 months" vs "the notice period is 30 days"; and the 401(k) flag
explained as "100% vs 6%").

The explanation names the facts side by side with the tickets' own ids (a pair without a ticket
is "pair #480 (no ticket)"), then the words around them that say what each fact is:
'Conflicting answers about 401(k) contributions: HR-10913 says 4%; HR-11006 says 6%. In their
words: "401(k) contributions up to 4% of your base salary" / "401(k) contributions up to 6% of
your base salary".'
"""

from __future__ import annotations

from typing import Sequence

from engine.flags.base import DetectContext, FlagCandidate, PairText
from engine.flags.dedup import (DEFAULT_THRESHOLD, _focus_rows, exact_key, key_terms, pair_vectors, short_pair_sim, short_question,
                    thresholds, veto_reason)
from engine.flags.facts import Fact, about, differing_facts, extract_facts, fact_phrase, fact_terms
from engine.workspace.progress import raise_if_cancelled

KIND = "conflict"
CANCEL_EVERY = 256  # candidate pairs compared between two looks at ctx.cancel
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
                    facts_b: list[Fact] | None = None, *, same_question: bool = False) -> list[tuple[Fact, Fact]]:
    """The facts on which two answers disagree, best aligned first (empty when they agree or
    share no comparable fact). `same_question`: the questions are known to be the same, so facts
    whose subjects differ are compared too. An answer opening with "Yes" against one opening
    with "No" always counts. A difference in allowed/forbidden phrasing only counts when the
    answers state no common kind of quantity; when they do and those agree, it is phrasing ("you
    can take up to 5 days" / "you cannot take more than 5 days"), not a conflict."""
    fa = facts_a if facts_a is not None else extract_facts(a)
    fb = facts_b if facts_b is not None else extract_facts(b)
    diffs = differing_facts(fa, fb, allow_subject_clash=same_question)
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


def label(p: PairText) -> str:
    """How a pair is named in an explanation: its ticket id, or "pair #480 (no ticket)"."""
    return p.external_id or f"pair #{p.id} (no ticket)"


def _shared_subject(x: Fact, y: Fact) -> str:
    """The subject both facts measure, as one of them words it ("notice period"), or ""."""
    if not fact_terms(x) & fact_terms(y):
        return ""
    names = [n for n in (about(x), about(y)) if n]
    return min(names, key=len) if names else ""


def _says(f: Fact) -> str:
    """What a fact says, as the object of "X says ...": a quantity as written ("12 days"),
    allowed/forbidden and yes/no in plain words (not "says are allowed", "says You can")."""
    if f.dimension == "permission":
        return "it is allowed" if f.value else "it is not allowed"
    if f.dimension == "yes_no":
        return "yes" if f.value else "no"
    if f.dimension == "time" and f.text.lower().endswith(("am.", "pm.")):
        return f.text[:-1]  # "5 pm." took the full stop of its sentence
    return f.text


def _quote(text: str) -> str:
    return '"' + text.strip().rstrip(".") + '"'


def explain(a: PairText, b: PairText, diffs: list[tuple[Fact, Fact]], exact: bool = True) -> str:
    """The first differing facts side by side ("HR-10913 says 4%; HR-11006 says 6%."), then the
    words around them that say what each is, then up to two more differences after "Also:".
    `exact`: the questions are the same text (else "nearly the same question")."""
    la, lb = label(a), label(b)
    fa, fb = diffs[0]
    about = _shared_subject(fa, fb)
    head = (f"Conflicting answers about {about}" if about else
            f"Conflicting answers to {'the same' if exact else 'nearly the same'} question")
    text = f"{head}: {la} says {_says(fa)}; {lb} says {_says(fb)}."
    pa, pb = fact_phrase(a.response, fa), fact_phrase(b.response, fb)
    if (pa, pb) != (fa.text, fb.text):
        text += f" In their words: {_quote(pa)} / {_quote(pb)}."
    if len(diffs) > 1:
        more = "; ".join(f"{x.text} vs {y.text}" for x, y in diffs[1:3])
        text += f" Also: {more}."
    return text


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """One flag per pair of near-duplicate questions whose answers disagree."""
    raise_if_cancelled(ctx.cancel)
    n = len(items)
    if n < 2:
        return []
    threshold = float(ctx.settings.get("conflict_threshold",
                                       ctx.settings.get("duplicate_threshold", DEFAULT_THRESHOLD)))
    question_threshold = thresholds(ctx)[1]
    vectors = pair_vectors(items, ctx)
    rows = _focus_rows(items, ctx)
    row_set = set(rows) if rows is not None else None
    keys = [exact_key(p.instruction) for p in items]
    candidates: dict[tuple[int, int], float] = {}
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k:
            by_key.setdefault(k, []).append(i)
    have_vectors = vectors is not None and len(vectors) == n and vectors.a is not None
    # "Any update?" asked about a laptop and about payroll: short questions are only the same
    # question when the answers are about the same thing too (dedup.short_question)
    short = [have_vectors and short_question(p.instruction) for p in items]
    for ids in by_key.values():
        if len(ids) > 1 and not short[ids[0]]:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    if row_set is None or ids[x] in row_set or ids[y] in row_set:
                        candidates[(ids[x], ids[y])] = 1.0
    if vectors is not None and len(vectors) == n:
        for a, b, c in vectors.search(threshold, rows=rows, cancel=ctx.cancel):
            a, b = int(a), int(b)
            if short[a] and short[b]:
                c = short_pair_sim(vectors, a, b)
                if c < threshold:
                    continue
            if keys[a] and keys[b]:
                candidates.setdefault((a, b), float(c))
    facts: dict[int, list[Fact]] = {}
    terms: dict[int, dict] = {}
    out: list[FlagCandidate] = []
    for done, ((a, b), sim) in enumerate(sorted(candidates.items())):
        if done % CANCEL_EVERY == 0:
            raise_if_cancelled(ctx.cancel)
        if keys[a] != keys[b]:
            ta = terms.setdefault(a, key_terms(items[a].instruction))
            tb = terms.setdefault(b, key_terms(items[b].instruction))
            if veto_reason(ta, tb):
                continue
        fa = facts.setdefault(a, extract_facts(items[a].response))
        fb = facts.setdefault(b, extract_facts(items[b].response))
        if not fa or not fb:
            continue
        same_question = keys[a] == keys[b] or (
            vectors is not None and len(vectors) == n
            and float(vectors.q[a] @ vectors.q[b]) >= question_threshold)
        diffs = compare_answers(items[a].response, items[b].response, fa, fb, same_question=same_question)
        if not diffs:
            continue
        pa, pb = items[a], items[b]
        polarity_only = all(d[0].dimension in _POLARITY for d in diffs)
        out.append(FlagCandidate(
            kind=KIND,
            pair_ids=[pa.id, pb.id],
            explanation=explain(pa, pb, diffs, exact=keys[a] == keys[b]),
            severity="medium" if polarity_only else "high",
            score=round(sim, 4),
            details={
                "similarity": round(sim, 4),
                "same_question": bool(same_question),
                "facts": [
                    {"dimension": x.dimension, "what": describe_dimension(x.dimension),
                     "values": {str(pa.id): x.text, str(pb.id): y.text},
                     "spans": {str(pa.id): [x.start, x.end], str(pb.id): [y.start, y.end]},
                     "about": {str(pa.id): about(x), str(pb.id): about(y)},
                     "per": {str(pa.id): x.rate, str(pb.id): y.rate},
                     "phrases": {str(pa.id): fact_phrase(pa.response, x), str(pb.id): fact_phrase(pb.response, y)}}
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
                d = compare_answers(items[i].response, items[j].response, same_question=True)
                if d:
                    out.append((items[i].id, items[j].id, d))
    return out


