"""Is a model's answer correct? Pure functions, no model loading (the embedder is passed in).

An answer is judged correct when
  1. every key fact of the reference is in the answer (numbers with their units, durations,
     amounts, percentages, dates, times, named policies/forms),
  2. no fact of the reference is contradicted ("says 30 days, reference 12 days"; "says no,
     reference yes"; "says cannot carry over, reference can"),
  3. the answer adds no fact the reference does not have (an invented amount or date is as
     harmful to an HR answer as a wrong one), and
  4. the meaning is close: embedding cosine similarity >= SIMILARITY_THRESHOLD.

    extract_facts(text) -> list[Fact]        # engine.flags.facts (shared with the conflict flag)
                                             # + named policies/forms + allowed/forbidden by verb
    judge_answer(answer, reference, similarity=None) -> Verdict
    rouge_l(a, b), token_f1(a, b) -> float in [0, 1]
    cosine_pairs(embed, answers, references) -> list[float]

SIMILARITY_THRESHOLD was calibrated by `bench/bench_judge_threshold.py` on the public STS-B
English test set (1,379 sentence pairs, human scores 0-5) with all-MiniLM-L6-v2: the threshold
that best separates "same meaning" pairs (score >= 3.5) from the rest. Measured 2026-11:
best threshold 0.76 -> accuracy 0.814, precision 0.731, recall 0.737 (479 positives of 1,379;
Pearson(cosine, human score) 0.827). With score >= 3.0 as "same" the best would be 0.60
(accuracy 0.827); we keep the stricter 0.76 because wrong HR answers cost more than strict ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

# Calibrated on STS-B (see module docstring and bench/bench_judge_threshold.py).
SIMILARITY_THRESHOLD = 0.76
# Used only when no embedder is available: ROUGE-L F-measure stands in for meaning.
ROUGE_FALLBACK_THRESHOLD = 0.35

# --- fact extraction --------------------------------------------------------------------------
_POLICY = re.compile(
    r"\b(?:the\s+)?(?P<name>(?:[A-Z][\w&'-]*\s+){1,5}(?:Policy|Portal|Handbook|Form|Plan|Scheme|Programme|Program|Agreement|Procedure|Allowance))\b"
)
_CODE = re.compile(r"\b(?P<code>[A-Z]{2,5}-\d{1,6})\b")
# what engine.flags.facts leaves out: one-digit 24-hour times ("8:00") and numeric dates ("31/12/2026",
# read day first, unless only the first number can be a month: 12/31/2026 is December 31)
_TIME24_ANY = re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!\s?(?:a\.?m|p\.?m))", re.I)
_DATE_SLASH = re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>(?:19|20)\d\d|\d\d)\b")
_NEG_MODAL = re.compile(
    r"\b(?:cannot|can\s*not|can't|may\s+not|must\s+not|mustn't|(?:are|is|am)\s*n[o']t\s+(?:allowed|permitted|able)\s+to|not\s+(?:allowed|permitted)\s+to)\s+(?:be\s+)?(?P<verb>[a-z]+)",
    re.I,
)
_POS_MODAL = re.compile(
    r"\b(?:can|may|(?:are|is|am)\s+(?:allowed|permitted|able)\s+to)\s+(?:be\s+)?(?P<verb>[a-z]+)", re.I
)
_NEG_STATE = re.compile(r"\b(?:is|are)\s*(?:not|n't)\s+(?P<verb>covered|eligible|allowed|permitted|required|reimbursed|paid|included)\b", re.I)
_POS_STATE = re.compile(r"\b(?:is|are)\s+(?P<verb>covered|eligible|allowed|permitted|required|reimbursed|paid|included)\b", re.I)
_STOP_VERBS = {"not", "also", "only", "still", "be", "you", "i", "we", "help", "please", "the"}

POLARITY_KINDS = ("yes_no", "permission")


@dataclass(frozen=True)
class Fact:
    """One checkable fact. `slot` says what it competes with (two facts in one slot with
    different values contradict each other): the dimension of engine.flags.facts ("duration",
    "amount:USD", "date", "time", "yes_no", ...), "permission:<verb>" or "policy:<name>".
    `value` is comparable across phrasings ("two weeks" and "14 days": (14.0, 14.0))."""

    kind: str  # duration, amount, percentage, size, date, day_of_month, weekday, time, count, yes_no, permission, policy
    slot: str
    value: Any
    text: str  # as written, for messages
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return self.text


def same_value(a: Fact, b: Fact) -> bool:
    """Same slot and the same value (quantity ranges match when they overlap, within 1%)."""
    if a.slot != b.slot:
        return False
    va, vb = a.value, b.value
    if isinstance(va, tuple) and isinstance(vb, tuple):
        tol = 0.01 * max(abs(va[1]), abs(vb[1]), 1e-9)
        return va[0] <= vb[1] + tol and vb[0] <= va[1] + tol
    return va == vb


def _quantity_facts(text: str) -> list[Fact]:
    """Numbers with units, dates, times and yes/no from engine.flags.facts (shared with the
    conflict detector, so flagging and judging agree)."""
    from engine.flags.facts import extract_facts as extract_flag_facts

    return [Fact(f.kind, f.dimension, f.value, f.text, f.start, f.end)
            for f in extract_flag_facts(text) if f.kind != "permission"]


def extract_facts(text: str) -> list[Fact]:
    """The checkable facts of a text, in order of appearance: quantities, dates, times and
    yes/no from engine.flags.facts, plus named policies/forms ("the Remote Work Policy",
    "HR-12") and allowed/forbidden statements keyed by their verb ("can carry over" against
    "cannot carry over")."""
    text = str(text or "")[:20000]
    facts = _quantity_facts(text)
    taken = [(f.start, f.end) for f in facts]

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _TIME24_ANY.finditer(text):
        if free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            facts.append(Fact("time", "time", int(m.group("h")) * 60 + int(m.group("m")), m.group(0), m.start(), m.end()))
    for m in _DATE_SLASH.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        day, month = (b, a) if b > 12 >= a else (a, b)
        year = m.group("year") if len(m.group("year")) == 4 else "20" + m.group("year")
        if 1 <= day <= 31 and 1 <= month <= 12 and free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            facts.append(Fact("date", "date", f"{year}-{month:02d}-{day:02d}", m.group(0), m.start(), m.end()))
    for m in _CODE.finditer(text):
        if free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            code = m.group("code").upper()
            facts.append(Fact("policy", f"policy:{code.lower()}", code.lower(), code, m.start(), m.end()))
    for m in _POLICY.finditer(text):
        s, e = m.start("name"), m.end("name")
        if free(s, e):
            taken.append((s, e))
            name = re.sub(r"\s+", " ", m.group("name")).strip()
            facts.append(Fact("policy", f"policy:{name.lower()}", name.lower(), name, s, e))
    for rx, value in ((_NEG_MODAL, False), (_NEG_STATE, False), (_POS_MODAL, True), (_POS_STATE, True)):
        for m in rx.finditer(text):
            verb = m.group("verb").lower()
            if verb in _STOP_VERBS or not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            facts.append(Fact("permission", f"permission:{verb}", value, m.group(0), m.start(), m.end()))
    facts.sort(key=lambda f: f.start)
    return facts


# --- word overlap ----------------------------------------------------------------------------
_WORD = re.compile(r"\w+", re.U)


def _tokens(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F-measure (longest common subsequence of lower-cased words)."""
    a, b = _tokens(candidate), _tokens(reference)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def token_f1(candidate: str, reference: str) -> float:
    """SQuAD-style token F1 over lower-cased words."""
    from collections import Counter

    a, b = Counter(_tokens(candidate)), Counter(_tokens(reference))
    common = sum((a & b).values())
    if not common:
        return 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return 2 * p * r / (p + r)


# --- meaning ---------------------------------------------------------------------------------
EmbedFn = Callable[[list[str]], "object"]  # texts -> array (n, d), rows L2-normalised


def load_embedder() -> EmbedFn:
    """The offline all-MiniLM-L6-v2 sentence embedder as `texts -> normalised array` (through
    engine.flags.embeddings: loaded once per process, length-sorted batches; answers up to 256 tokens)."""
    from engine.flags.embeddings import load_model

    embedder = load_model(max_seq_length=256)
    return lambda texts: embedder.encode(list(texts))


def cosine_pairs(embed: EmbedFn, answers: Sequence[str], references: Sequence[str]) -> list[float]:
    """Cosine similarity of answers[i] with references[i] (one embedding call for all texts)."""
    import numpy as np

    if not answers:
        return []
    texts = [a or " " for a in answers] + [r or " " for r in references]
    vecs = np.asarray(embed(texts), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    vecs = vecs / np.maximum(norms, 1e-12)
    n = len(answers)
    return [float(x) for x in np.sum(vecs[:n] * vecs[n:], axis=1)]


# --- the verdict -----------------------------------------------------------------------------
@dataclass
class Verdict:
    correct: bool
    reason: str
    missing: list[str] = field(default_factory=list)
    contradictions: list[tuple[str, str]] = field(default_factory=list)  # (answer says, reference says)
    added: list[str] = field(default_factory=list)
    similarity: float | None = None
    rouge_l: float = 0.0
    token_f1: float = 0.0

    def to_dict(self) -> dict:
        return {
            "correct": self.correct,
            "reason": self.reason,
            "missing": list(self.missing),
            "contradictions": [list(c) for c in self.contradictions],
            "added": list(self.added),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "rouge_l": round(self.rouge_l, 4),
            "token_f1": round(self.token_f1, 4),
        }


def compare_facts(answer: str, reference: str, question: str | None = None
                  ) -> tuple[list[Fact], list[tuple[Fact, Fact]], list[Fact]]:
    """(missing reference facts, contradictions (answer fact, reference fact), added answer facts).

    A reference fact is matched by an answer fact of the same slot and value (policies also by
    their name appearing anywhere in the answer). An unmatched reference fact is contradicted
    when the answer states something else in its slot, else it is missing (a missing "yes" or
    "can" is not reported: only stated opposites count). Answer facts the reference does not
    state are "added". A quantity, date or policy the answer repeats from the `question` (the
    employee's own "I have 3 days left") is neither added nor a rival of a reference fact, unless
    the reference states it too."""
    ref_facts, ans_facts = extract_facts(reference), extract_facts(answer)
    ans_lower, ref_lower = (answer or "").lower(), (reference or "").lower()
    if question:
        q_facts, q_lower = extract_facts(question), question.lower()
        ans_facts = [f for f in ans_facts
                     if f.kind in POLARITY_KINDS or any(same_value(f, r) for r in ref_facts)
                     or (f.kind == "policy" and f.value in ref_lower)
                     or not (any(same_value(f, q) for q in q_facts) or (f.kind == "policy" and f.value in q_lower))]

    def matched(f: Fact, others: list[Fact], other_lower: str) -> bool:
        return any(same_value(f, o) for o in others) or (f.kind == "policy" and f.value in other_lower)

    unmatched_ref: list[Fact] = []
    for f in ref_facts:
        if not matched(f, ans_facts, ans_lower) and not any(same_value(f, u) for u in unmatched_ref):
            unmatched_ref.append(f)
    unmatched_ans = [f for f in ans_facts if not matched(f, ref_facts, ref_lower)]
    contradictions: list[tuple[Fact, Fact]] = []
    missing: list[Fact] = []
    used: set[int] = set()
    for rf in unmatched_ref:
        rival = None
        if rf.kind != "policy":
            rival = next((i for i, af in enumerate(unmatched_ans) if af.slot == rf.slot and i not in used), None)
        if rival is not None:
            used.add(rival)
            contradictions.append((unmatched_ans[rival], rf))
        elif rf.kind not in POLARITY_KINDS:
            missing.append(rf)
    added: list[Fact] = []
    for i, af in enumerate(unmatched_ans):
        if i in used or af.kind in POLARITY_KINDS or any(same_value(af, x) for x in added):
            continue
        added.append(af)
    return missing, contradictions, added


def judge_answer(answer: str, reference: str, *, similarity: float | None = None,
                 threshold: float = SIMILARITY_THRESHOLD, question: str | None = None) -> Verdict:
    """Judge one answer against its reference. `similarity` is the embedding cosine of the two
    (see cosine_pairs); without it, ROUGE-L stands in for the meaning check. With `question`,
    facts the answer repeats from it are not counted as invented."""
    rl, f1 = rouge_l(answer, reference), token_f1(answer, reference)
    v = Verdict(False, "", similarity=similarity, rouge_l=rl, token_f1=f1)
    if not (answer or "").strip():
        v.reason = "no answer"
        return v
    missing, contradictions, added = compare_facts(answer, reference, question)
    v.missing = [f.text for f in missing]
    v.contradictions = [(a.text, r.text) for a, r in contradictions]
    v.added = [f.text for f in added]
    problems: list[str] = []
    if contradictions:
        problems.append("contradicts: " + "; ".join(f"says {a.text}, reference {r.text}" for a, r in contradictions))
    if missing:
        problems.append(("missing fact: " if len(missing) == 1 else "missing facts: ") + ", ".join(f.text for f in missing))
    if added:
        problems.append(("invented fact: " if len(added) == 1 else "invented facts: ")
                        + ", ".join(f.text for f in added) + " (not in the reference)")
    if similarity is not None:
        close = similarity >= threshold
        meaning = f"similarity {similarity:.2f}"
    else:
        close = rl >= ROUGE_FALLBACK_THRESHOLD
        meaning = f"word overlap {rl:.2f}"
    if not close:
        problems.append(f"meaning differs ({meaning})")
    if problems:
        v.reason = "; ".join(problems)
        return v
    v.correct = True
    n = len(extract_facts(reference))
    v.reason = f"correct: {n} key fact{'s' if n != 1 else ''} present, meaning close ({meaning})" if n else \
        f"correct: meaning close ({meaning})"
    return v
