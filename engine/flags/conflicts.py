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

from collections import Counter

import numpy as np

from engine.flags.base import DetectContext, FlagCandidate, PairText
from engine.flags.claims import (Claim, Vocabulary, claim_key, compatible, extract_claims, same_topic, subject_terms,
                                 value_key, value_label)
from engine.flags.dedup import DEFAULT_THRESHOLD, _focus_rows, pair_vectors, thresholds
from engine.flags.dedup_candidates import exact_key, key_terms, short_pair_sim, short_question, veto_reason
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


def detect_pairwise(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """The earlier rule, kept for comparison (bench/measure_flags.py --pairwise): one flag per
    pair of near-duplicate questions whose answers disagree on a fact."""
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




# --- conflicts from claims, across the whole workspace ---------------------------------------------
MAX_CLASSES_PER_SUBJECT = 400  # distinct claims compared within one subject (bounded cost)


def _vocabulary_for(items: Sequence[PairText], ctx: DetectContext) -> Vocabulary:
    from engine.flags.dedup import vocabulary_for

    return vocabulary_for(items, ctx)


def _claims_for(items: Sequence[PairText], ctx: DetectContext) -> dict[int, list[Claim]]:
    """{pair id: claims}: the runner's claims index (ctx.settings["claims"]), else read here with
    one vocabulary learned over the items (identical question/answer texts read once)."""
    given = ctx.settings.get("claims")
    if given is not None:
        return given
    vocab = _vocabulary_for(items, ctx)
    seen: dict[tuple[str, str], list[Claim]] = {}
    out = {}
    for p in items:
        key = (p.instruction, p.response)
        if key not in seen:
            seen[key] = extract_claims(p.response, vocab, question=p.instruction)
        out[p.id] = seen[key]
    return out


class _Class:
    """Pairs stating one claim (the same subject, attribute, value, period and scope)."""

    __slots__ = ("claim", "pairs", "index")

    def __init__(self, claim: Claim, index: int):
        self.claim = claim
        self.pairs: dict[int, Claim] = {}
        self.index = index


def _linkable(a: Claim, b: Claim) -> bool:
    """Claims of two answers to the same question that may be about one thing though their
    subjects are worded apart ("hotel limit" / "domestic hotel stays"): one attribute, no
    clashing period or scope."""
    if claim_key(a)[0] != claim_key(b)[0] or (a.attribute != b.attribute and "unlimited" not in (a.attribute, b.attribute)):
        return False
    if a.period and b.period and a.period != b.period:
        return False
    probe = Claim(**{**b.__dict__, "terms": a.terms, "subject": a.subject})
    return same_topic(a, probe)


def _classes_linked(x: "_Class", y: "_Class", adjacency: dict[int, set[int]]) -> bool:
    """Does some pair of one class ask the same question as some pair of the other?"""
    small, big = (x, y) if len(x.pairs) <= len(y.pairs) else (y, x)
    return any(adjacency.get(p, set()) & big.pairs.keys() for p in small.pairs)


def find_disagreements(items: Sequence[PairText], claims: dict[int, list[Claim]], *,
                       question_links: Sequence[tuple[int, int]] = (),
                       strong=None, cancel=None) -> list[list[list[tuple[int, Claim]]]]:
    """Disagreements among the items' claims: each is a list of sides, each side the (pair id,
    claim) tuples stating one value (values compatible with each other share a side). Claims
    are grouped first (one class per distinct subject/attribute/value/period/scope), then
    compared only within a subject, so the cost grows with the number of distinct claims.

    Subjects are the same when their terms match (claims.same_topic), and also when two pairs
    that ask the same question (`question_links`: pair id pairs, from the duplicate score) state
    claims of one attribute, period and scope under subjects worded apart: then those two
    subjects are one (matched by meaning, not by words).

    Two claims of different pairs disagree when they are about one thing (above), state
    incompatible values of one attribute, and either the two pairs (or pairs stating the same
    claims) ask the same question, or both subjects are `strong` (by default: read from the
    answer itself or a subject the data states elsewhere, and stated in two or more answers).
    A subject taken from a question or guessed from an earlier sentence alone is not enough to
    call two answers to different questions a conflict, and without matching questions the
    periods must be the same too ("up to 5 days of earned leave can be carried over" is not
    about "12 days of earned leave per year"). (detect() also asks for two words or
    more: on the sample, one-word subjects such as "reception" or "access" joined unrelated
    answers: 4 false flags of 16.)"""
    if strong is None:
        def strong(c: Claim) -> bool:
            return c.subject_source in ("answer", "known")
    from engine.flags.groups import connected_groups

    ids = {p.id for p in items}
    adjacency: dict[int, set[int]] = {}
    for pa, pb in question_links:
        adjacency.setdefault(pa, set()).add(pb)
        adjacency.setdefault(pb, set()).add(pa)
    classes: dict[tuple, _Class] = {}
    for pid, cs in claims.items():
        if pid not in ids:
            continue
        for c in cs:
            if not (c.terms or subject_terms(c.subject)):
                continue
            key = (claim_key(c), value_key(c), c.scope, tuple(sorted(c.stated_scope)))
            cl = classes.get(key)
            if cl is None:
                cl = classes[key] = _Class(c, len(classes))
            cl.pairs.setdefault(pid, c)
    # subjects: classes by (family, terms); subjects whose terms match (same_topic's subject rule)
    # are compared with each other too
    by_subject: dict[tuple, list[_Class]] = {}
    for key, cl in classes.items():
        by_subject.setdefault(key[0], []).append(cl)
    subjects = list(by_subject)
    by_term: dict[tuple[str, str], list[int]] = {}
    for i, (fam, terms) in enumerate(subjects):
        for t in terms:
            by_term.setdefault((fam, t), []).append(i)
    links: set[tuple[int, int]] = set()
    subject_index = {sub: i for i, sub in enumerate(subjects)}
    for pa, pb in question_links:
        for ca in claims.get(pa, ()):
            ka = subject_index.get(claim_key(ca))
            if ka is None:
                continue
            for cb in claims.get(pb, ()):
                kb = subject_index.get(claim_key(cb))
                if kb is None or kb == ka or not _linkable(ca, cb):
                    continue
                links.add((min(ka, kb), max(ka, kb)))
    for i, (fam, terms) in enumerate(subjects):
        near = {j for t in terms for j in by_term[(fam, t)] if j > i}
        for j in near:
            a, b = frozenset(terms), frozenset(subjects[j][1])
            small, big = (a, b) if len(a) <= len(b) else (b, a)
            if small <= big and (len(small) >= 2 or len(big) <= 2):
                links.add((i, j))
    out = []
    for group in connected_groups(len(subjects), links):
        raise_if_cancelled(cancel)
        members = [cl for i in group for cl in by_subject[subjects[i]]]
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda cl: -len(cl.pairs))[:MAX_CLASSES_PER_SUBJECT]
        pos = {cl.index: k for k, cl in enumerate(members)}
        clash, agree = [], []
        linked = len({claim_key(cl.claim) for cl in members}) > 1
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x].claim, members[y].claim
                if not same_topic(a, b) and not (linked and _linkable(a, b)):
                    continue
                if compatible(a, b):
                    agree.append((x, y))
                elif a.attribute != b.attribute and "unlimited" not in (a.attribute, b.attribute):
                    continue
                elif set(members[x].pairs) & set(members[y].pairs):
                    continue
                elif (strong(a) and strong(b) and claim_key(a) == claim_key(b) and a.period == b.period) or \
                        _classes_linked(members[x], members[y], adjacency):
                    clash.append((x, y))
        if not clash:
            continue
        sides_of = connected_groups(len(members), agree)
        side_index = {}
        for si, side in enumerate(sides_of):
            for k in side:
                side_index[k] = si
        # one disagreement per connected set of clashing sides
        side_links = {(side_index[x], side_index[y]) for x, y in clash if side_index[x] != side_index[y]}
        for comp in connected_groups(len(sides_of), side_links, min_size=2):
            sides = []
            taken: set[int] = set()
            # a pair stating values of several sides goes to the smallest: a value many answers
            # share is likely a detail they agree on ("apply 8 weeks before"), not the point
            # (ties: a value whose subject the answer itself names before one read from the question)
            def order(si):
                weak = all(members[k].claim.subject_source not in ("answer", "known") for k in sides_of[si])
                return (sum(len(members[k].pairs) for k in sides_of[si]), weak)

            for si in sorted(comp, key=order):
                side = []
                for k in sides_of[si]:
                    for pid, c in members[k].pairs.items():
                        if pid not in taken:
                            side.append((pid, c))
                            taken.add(pid)
                if side:
                    sides.append(sorted(side, key=lambda t: -t[0]))  # newest (highest id) first
            if len(sides) >= 2:
                out.append(sorted(sides, key=len, reverse=True))
        del pos
    return out


def _as_topic_of(c: Claim, other: Claim) -> Claim:
    """`c` with the subject of `other` (claims a disagreement found to be about one thing)."""
    return Claim(**{**c.__dict__, "subject": other.subject, "terms": other.terms})


def policy_side(sides: list[list[tuple[int, Claim]]], policy: Sequence[Claim]) -> tuple[Claim | None, int | None]:
    """(policy claim, index of the side it agrees with) for a disagreement whose topic the policy
    covers (some claim of the disagreement is on the policy claim's topic), else (None, None)."""
    if not policy:
        return None, None
    reps = [c for side in sides for _p, c in side[:20]]
    for pc in policy:
        topic = next((c for c in reps if same_topic(pc, c)), None)
        if topic is None:
            continue
        for si, side in enumerate(sides):
            c = _as_topic_of(side[0][1], topic)
            if same_topic(pc, c) and compatible(pc, c):
                return pc, si
    return None, None


def question_links(items: Sequence[PairText], ctx: DetectContext) -> list[tuple[int, int]]:
    """Pairs (by pair id) that ask the same question by the duplicate score (dedup.PairSignals,
    computed once per run and shared with the duplicate detector); without embeddings, the
    pairs with the same question text."""
    from engine.flags import dedup

    if ctx.embed is None:
        by_key: dict[str, list[int]] = {}
        for p in items:
            k = exact_key(p.instruction)
            if k and not short_question(p.instruction):
                by_key.setdefault(k, []).append(p.id)
        return [(g[0], x) for g in by_key.values() for x in g[1:]]
    signals = dedup.signals_for(list(items), ctx)
    cand, sc = signals.candidate_scores(cancel=ctx.cancel)  # the duplicate detector's, computed once
    if not len(cand):
        return []
    ok = sc >= dedup.score_threshold(ctx)
    if signals.vectors is not None:
        # answers that disagree are less alike, which lowers the duplicate score of exactly the
        # pairs wanted here: the earlier pair rule (question and answer cosine, or the question
        # alone; dedup.PairVectors, thresholds calibrated on the sample) links them too
        old = signals.vectors.pair_sims(cand[:, 0], cand[:, 1])
        i, j = cand[:, 0], cand[:, 1]
        both_short = signals.short[i] & signals.short[j]
        if both_short.any() and signals.vectors.a is not None:  # "Any update?": the answers decide
            at = np.flatnonzero(both_short)
            si, sj = i[at], j[at]
            old[at] = (np.einsum("ij,ij->i", signals.vectors.q[si], signals.vectors.q[sj])
                       + np.einsum("ij,ij->i", signals.vectors.a[si], signals.vectors.a[sj])) / 2.0
        ok |= (old >= float(ctx.settings.get("conflict_threshold", ctx.settings.get(
            "duplicate_threshold", DEFAULT_THRESHOLD)))) & (sc > 0)
    keep = cand[ok]
    return [(items[i].id, items[j].id) for i, j in keep.tolist()]


def _count_words(n: int) -> str:
    return f"{n} answer{'s' if n != 1 else ''} say{'s' if n == 1 else ''}"


def _side_label(side: list[tuple[int, Claim]]) -> str:
    labels = Counter(value_label(c) for _p, c in side)
    # figures read best ("12 days" over "twelve days"), then the wording most answers use
    return max(labels, key=lambda x: (any(ch.isdigit() for ch in x), labels[x], -len(x)))


def explain_disagreement(sides: list[list[tuple[int, Claim]]], names: dict[int, str],
                         policy: Claim | None = None, policy_side: int | None = None) -> str:
    """'Conflicting answers about privilege leave: 4 answers say 18 days per year (Q-1, Q-2, Q-3
    and 1 more); 1 says 21 days per year (Q-9).' With a policy, what it says comes first."""
    subject = sides[0][0][1].subject or "the same question"
    parts = []
    for side in sides:
        ids = [names.get(p, f"pair #{p}") for p, _c in side]
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        parts.append(f"{_count_words(len(side))} {_side_label(side)} ({shown})")
    text = f"Conflicting answers about {subject}: " + "; ".join(parts) + "."
    if policy is not None and policy_side is not None:
        text += f" The policy says {value_label(policy)}: the answers saying {_side_label(sides[policy_side])} match it."
    return text


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """One flag per disagreement between claims anywhere in the workspace: the same subject,
    attribute and scope, incompatible values. details.values maps each value to its tickets'
    external ids (newest first); with a policy sheet loaded (ctx.settings["policy_claims"]),
    details.policy_side names the tickets whose side matches the policy."""
    raise_if_cancelled(ctx.cancel)
    if len(items) < 2:
        return []
    claims = _claims_for(items, ctx)
    vocab = _vocabulary_for(items, ctx)
    by_id = {p.id: p for p in items}
    links = question_links(items, ctx)

    def strong(c: Claim) -> bool:
        # one word ("reception", "access", "workday") names a place or a tool more often than
        # what is measured: such subjects need the questions to match too
        return (c.subject_source in ("answer", "known") and len(c.subject.split()) >= 2 and bool(c.terms)
                and vocab.is_common(c.subject))

    names = {p.id: label(p) for p in items}
    policy_claims: list[Claim] = ctx.settings.get("policy_claims") or []
    out = []
    for sides in find_disagreements(items, claims, question_links=links, strong=strong, cancel=ctx.cancel):
        pol, pol_side = policy_side(sides, policy_claims)
        pair_ids = [p for side in sides for p, _c in side]
        values: dict[str, list] = {}
        for side in sides:
            key = _side_label(side)
            while key in values:
                key += " "
            values[key] = [by_id[p].external_id or f"pair #{p}" for p, _c in side]
        first = sides[0][0][1]
        polarity_only = first.attribute == "polarity"
        details = {
            "subject": first.subject, "attribute": first.attribute, "scope": dict(first.scope),
            "values": values,
            "counts": {k: len(v) for k, v in values.items()},
            "sides": [{"value": k, "pair_ids": [p for p, _c in side],
                       "spans": {str(p): [c.start, c.end] for p, c in side},
                       "texts": {str(p): c.text for p, c in side}}
                      for k, side in zip(values, sides)],
        }
        if pol is not None:
            details["policy_side"] = values[list(values)[pol_side]]
            details["policy"] = value_label(pol)
        out.append(FlagCandidate(
            kind=KIND, pair_ids=pair_ids,
            explanation=explain_disagreement(sides, names, pol, pol_side),
            severity="medium" if polarity_only else "high",
            score=float(len(pair_ids)), details=details))
    return out
