"""Is a model's answer correct? A judge that reads claims, with no model of its own (an embedder
is optional and passed in).

An answer is compared with its reference claim by claim, the way a team lead reads it:

  1. Quantities (days, amounts, percentages, sizes, dates, times, weekdays, months, counts,
     multipliers) are paired across the two texts by what they are about (the words around them,
     their order, their value), not as a bag of values: "submit within 30 days; reimbursed within
     5" against a reference with the two swapped is two wrong values. A paired quantity with
     another value is wrong; the same number with another period or unit ("12 days per month"
     for "per year", "45p per kilometre" for "per mile") is wrong.
  2. Polarity: for a yes/no question the answer must say yes or no (in words or by stating or
     denying the thing asked) and agree with the reference; a clause that states the opposite
     of a reference clause ("you don't need approval" / "you need approval", "open on Sundays" /
     "closed on Sundays") is wrong.
  3. Conditions: a reference rule with an "only if", "as long as", "unless", "except", "with your
     director's approval"... must keep its condition when the answer states the rule.
  4. Facts the question did not ask about are not required: the first sentence of the reference
     and those that share words with the question are; the others only when the answer talks
     about them (then they must be right).
  5. Extra details are fine when they do not contradict the reference and are known: stated in
     the question, in another approved answer or in the policy sheet (`Knowledge`). A number,
     named scheme or added rule that nothing states is an invented fact.
  6. An answer that declines ("I can't say, ask Payroll") is a refusal.

Paraphrases, numbers in words ("twenty-seven", "a fortnight"), date and time forms ("08:00",
"the end of March" for "31 March") and reordered sentences are right.

    judge_answer(answer, reference, *, question=None, knowledge=None, similarity=None) -> Verdict
    judge_rows(rows, *, similarities=None, policy=None, refs=None) -> list[Verdict]
    agreement(rows, verdicts) -> {"overall", "by_kind", "n", "category_agreement"}   # against expert verdicts
    Knowledge.from_texts(texts, policy=None) ; knowledge.add(text)
    claims_of(text) -> list[Fact] ; rouge_l(a, b), token_f1(a, b) ; cosine_pairs(embed, answers, references)

This module decides verdicts and words their reasons. What it reads lives beside it:
engine/evaluate/judge_claims.py (the values: engine.flags.facts plus the forms the judge also
needs, and `Knowledge`), engine/evaluate/judge_idioms.py (everyday words for values: "twice a
month", "half past nine", "a thousand pounds"), engine/evaluate/judge_text.py (content words,
clauses and negation, word overlap, the embedder); engine/evaluate/judge_files.py reads
REFS/ANSWERS for `pairsmith judge`.

Verdict.category is one of "correct", "wrong", "invented fact", "partially correct",
"refused" (the labels of tests/data/judge_verdicts/); Verdict.correct is category == "correct".

Calibration. The pairing weights and the overlap thresholds below were set on the `tune` half of
tests/data/judge_verdicts/verdicts.jsonl (odd-numbered questions) and measured on its `held`
half (bench/bench_judge_agreement.py prints both). SIMILARITY_THRESHOLD and MEANING_FLOOR were
calibrated on the public STS-B English test set (bench/bench_judge_threshold.py); the meaning
check only decides answers whose reference states no checkable claim. The everyday forms of
judge_idioms and the short yes/no replies ("You can't, unless...", "Feel free", "Afraid not")
were written on the calibration set's references and checked on MSRP's paraphrase pairs (no
new clash on their numbers); the sets measured once were not looked at for them. The rules for
example lists, "only for" uses, later sentences' conditions, benefits beside a value and days
after a "how much" answer were written on probes of our own (tests/evaluate/test_judge.py) for
faults the fourth set showed, then measured once on the fifth set (bench/bench_judge_agreement.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from engine.evaluate.judge_claims import (POLARITY_KINDS, Fact, Knowledge, claims_of, loosely_same, quantities,
                                          rates_clash, same_value, value_text)
from engine.evaluate.judge_idioms import BARE_NUMBER_RE, named_day, plain_period, weekly_day
from engine.evaluate.judge_text import (STOPWORDS, TOKEN_RE, Span, clauses, content_words, cosine_pairs, coverage,
                                        has_word, load_embedder, rouge_l, sentences, stem, token_f1)
from engine.flags import claims as _claims, facts as _facts

__all__ = ["judge_answer", "judge_rows", "agreement", "Verdict", "Knowledge", "Fact", "claims_of", "CATEGORIES",
           "POLARITY_KINDS", "SIMILARITY_THRESHOLD", "MEANING_FLOOR", "cosine_pairs", "load_embedder", "rouge_l",
           "token_f1"]

# Calibrated on STS-B (bench/bench_judge_threshold.py, 1,379 pairs, all-MiniLM-L6-v2): 0.76 best
# separates "same meaning" (human score >= 3.5) from the rest (accuracy 0.814). Used for references
# with no checkable claim.
SIMILARITY_THRESHOLD = 0.76
# Below this cosine an answer is about something else whatever its facts. Calibrated on STS-B
# (bench/bench_judge_agreement.py): 0.30 is the 1st percentile of the pairs humans scored >= 3
# ("roughly equivalent", 673 pairs: 0.312), so about 1% of those fall below it, while 70% of the
# unrelated pairs (score < 1) do; on MSRP no paraphrase pair falls below it.
MEANING_FLOOR = 0.30
# Without an embedder: ROUGE-L F-measure stands in for meaning (claim-less references only).
ROUGE_FALLBACK_THRESHOLD = 0.35

# Set on the tune half of the verdict set (see the module docstring).
MENTION_COVERAGE = 0.5    # share of a reference sentence's content words that means "the answer talks about it"
CONDITION_COVERAGE = 0.5  # share of a condition's content words (or its facts) the answer must keep
STANCE_COVERAGE = 0.5     # share of the question's content words a clause needs to answer it
RESTATE_COVERAGE = 0.7   # share of the reference's answering clause an answer restates to give its yes/no
PAIR_MIN_CONTEXT = 0.75   # context score (engine.flags.facts.context_score) under which two different values are not paired
CATEGORIES = ("correct", "wrong", "invented fact", "partially correct", "refused")

# --- refusals, stances, conditions, named things ------------------------------------------------
_REFUSAL_RE = re.compile(
    r"\b(?:i\s+(?:do\s+not|don['’]t)\s+(?:know|have)|i['’]?m\s+not\s+sure|i\s+am\s+not\s+sure|"
    r"i\s+(?:can['’]t|cannot|can\s+not)\s+(?:say|help|advise|tell|give|confirm|answer|comment)|"
    r"(?:i['’]?m|i\s+am)\s+(?:unable|not\s+able)\s+to|unable\s+to\s+(?:tell|say|help|advise|confirm|answer)|"
    r"(?:isn['’]t|aren['’]t|is\s+not|are\s+not|not)\s+something\s+i\s+can|no\s+information\s+(?:on|about))", re.I)
_YESNO_Q_RE = re.compile(r"^\W*(?:can|could|do|does|did|is|are|am|was|were|will|would|should|shall|may|might|must|have|has)\b", re.I)
_AFFIRM_RE = re.compile(r"^\W*(?:you\s+(?:do|can|may|are|will)|it\s+(?:is|does|can|will)|they\s+(?:are|do|can|will)|there\s+(?:is|are)|"
                        r"that['’]?s\s+(?:fine|right|ok|okay|allowed)|sure|of\s+course|certainly|correct|indeed|"
                        r"absolutely|definitely|yep|yeah|yup|go\s+ahead|feel\s+free|no\s+problem|"
                        r"you['’]re\s+(?:welcome|allowed|entitled|able)|you\s+are\s+welcome)\b(?!\s+not)(?!n['’]t)(?!['’]t)", re.I)
# a short "no" in other words: "You can't, unless...", "It isn't:", "I'm afraid not."
_DENY_RE = re.compile(
    r"^\W*(?:nope|not\s+(?:really|at\s+all)|(?:(?:i['’]?m|i\s+am)\s+)?afraid\s+not|(?:sadly|unfortunately)\s+not|"
    r"(?:you|it|they|there|we|staff)\s+(?:can['’]?t|cannot|can\s+not|don['’]t|doesn['’]t|do\s+not|does\s+not|isn['’]t|"
    r"aren['’]t|is\s+not|are\s+not|won['’]t|will\s+not|mustn['’]t|must\s+not|needn['’]t|may\s+not|shouldn['’]t))"
    r"(?=\s*(?:[,:;.!—–-]|$|(?:unless|except|but|sorry|i['’]?m\s+afraid)\b))", re.I)
_SORRY_RE = re.compile(r"^\W*(?:sorry|unfortunately|i['’]?m\s+afraid)\b", re.I)
_CONDITION_RE = re.compile(
    r"\b(?:only\s+if|if|unless|as\s+long\s+as|provided(?:\s+that)?|providing|except(?:\s+for|\s+when)?|apart\s+from|"
    r"but\s+only|only\s+(?:through|for|on|in|via|when|after|before|once|with)|even\s+(?:if|when)|pro\s+rata|"
    r"but\s+(?:you|they|staff|employees)\s+must|(?:with|of|after|once)\s+(?:your|the|a)\s+[\w'’ ]{0,30}?(?:approval|agreement|permission|consent|sign-off)|"
    r"for\s+[\w ]{1,30}?\s+only)\b", re.I)
_NAMED_RE = re.compile(
    r"\b(?:the\s+)?(?P<name>(?:[A-Z][\w&'-]*\s+){1,4}(?:Policy|Portal|Handbook|Form|Plan|Scheme|Programme|Program|"
    r"Agreement|Procedure|Allowance|Board|Fund|Fast[- ]Track|Card|Pass))\b")
# "How much notice...?" asks for an amount; "When...?" for a day or time (see _asked_calendar)
_HOW_MUCH_Q_RE = re.compile(r"^\W*how\s+(?:much|many|long|soon|quickly|fast|far|big|large|often)\b", re.I)
_WHEN_Q_RE = re.compile(r"^\W*(?:when|what\s+(?:time|day|date)|which\s+(?:day|date)|on\s+what\s+day)\b", re.I)
_CALENDAR = frozenset({"date", "time", "weekday", "weekdays", "day_of_month", "month"})
# "It is only for emergencies", "for staff use only": a use the reference restricts
_ONLY_FOR_RE = re.compile(r"\b(?<!not\s)only\s+(?:for|to\s+be\s+used\s+for|used\s+for)\s+(?P<x>[^;.]{2,60}?)(?=[;.]|,?\s+(?:but|so)\s|$)|"
                          r"\bfor\s+(?P<x2>[\w'’ -]{2,40}?)\s+only\b", re.I)
# "you can use it for X too", "it also covers X", "X as well": an answer that widens a use
_WIDEN_RE = re.compile(r"\b(?:too|as\s+well|also|either)\b", re.I)
# an added rule inside a clause that also states a value: "costs €5 and includes free delivery"
_SUBCLAUSE_SPLIT = re.compile(r"\s+(?:and|plus|with|including|which\s+includes?)\s+|,\s+", re.I)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_RULE_CUES = frozenset({"free", "exception", "extra", "additional", "bonus", "entitled", "allowance", "scheme",
                        "waived", "exempt", "discount", "compensation", "also"})


_RULE_STEMS = frozenset(stem(w) for w in _RULE_CUES)
# beside a value, only the words of an added benefit ("and includes free delivery")
_VALUE_RULE_STEMS = frozenset(stem(w) for w in ("free", "extra", "additional", "bonus", "waived", "exempt", "discount",
                                                 "compensation", "allowance"))


def _asked_calendar(question: str | None) -> bool | None:
    """True when the question asks when (a day, date or time), False when it asks how much, how
    many or how long, None when it asks neither."""
    q = (question or "").strip()
    if _WHEN_Q_RE.match(q):
        return True
    if _HOW_MUCH_Q_RE.match(q):
        return False
    return None


def _is_yes_no_question(question: str | None) -> bool:
    q = (question or "").strip()
    return bool(q) and bool(_YESNO_Q_RE.match(q)) and " or " not in q.lower()


def _stance(text: str, facts: Sequence[Fact], question_words: set[str], first_clause_ok: bool) -> bool | None:
    """True (yes), False (no) or None (does not say) for an answer to a yes/no question."""
    yn = [f for f in facts if f.kind == "yes_no"]
    if yn:
        return bool(yn[0].value)
    if _AFFIRM_RE.match(text or ""):
        return True
    if _DENY_RE.match(text or ""):
        return False
    cl = clauses(text)
    if not cl:
        return None
    if _SORRY_RE.match(cl[0].text) and cl[0].negated:
        return False
    best = max(cl, key=lambda c: coverage(question_words, c.words))
    if coverage(question_words, best.words) >= STANCE_COVERAGE:
        return not best.negated
    if first_clause_ok and cl[0].words & question_words:
        return not cl[0].negated
    return None


@dataclass
class Condition:
    phrase: str
    words: set[str]
    sentence: int  # index of the reference sentence
    facts: list[Fact]
    host: set[str] = field(default_factory=set)  # content words of the clause the condition limits

    def host_restated(self, ans_words: set[str]) -> bool:
        """The answer restates the clause the condition limits ("you pay your supplier directly"
        for "You pay your supplier directly, except in sheltered housing, where..."), even when it
        leaves the rest of that sentence out."""
        return len(self.host) >= 3 and coverage(self.host, ans_words) >= 0.75


def _conditions(ref_sents: list[Span], ref_q: list[Fact]) -> list[Condition]:
    out = []
    for i, s in enumerate(ref_sents):
        for m in _CONDITION_RE.finditer(s.text):
            rest = s.text[m.end():]
            stop = re.search(r"[,;.]|\s+(?:and|but)\s+", rest)
            tail = rest[:stop.start()] if stop else rest
            words = [w for w in TOKEN_RE.findall(tail) if w.lower() not in STOPWORDS][:6]
            marker_words = content_words(m.group(0)) - {"only", "but", "must", "even", "except"}
            ws = {stem(w.lower()) for w in words} | marker_words
            if not ws:
                continue
            lo, hi = s.start + m.start(), s.start + m.end() + (stop.start() if stop else len(rest))
            fs = [f for f in ref_q if lo <= f.start < hi]
            head = s.text[:m.start()].rstrip(" ,;:")
            head = re.split(r"[,;:]\s+|\s+(?:and|but)\s+", head)[-1] if head.strip() else ""
            out.append(Condition((m.group(0) + tail).strip(), ws, i, fs, content_words(head) - ws))
    return out


_PLACE_RE = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-Z][a-z]{2,})\b")


def _other_scope(reference: str, ref_q: list[Fact], question: str) -> set[int]:
    """ids of reference quantities for a place or group the question did not ask about: the
    question names one ("in London") and the sentence gives one value for it and another for
    "elsewhere in the UK"."""
    names = {w.lower() for w in _PLACE_RE.findall(question or "")}
    if not names or len(ref_q) < 2:
        return set()
    out: set[int] = set()
    for i, f in enumerate(ref_q):
        hi = ref_q[i + 1].start if i + 1 < len(ref_q) else len(reference)
        window = reference[f.start:hi]
        sentence_end = re.search(r"[.!?](?:\s|$)", window)
        if sentence_end:
            window = window[:sentence_end.start()]
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", window)}
        if not (words & names) and any(n in {w.lower() for w in re.findall(r"[A-Za-z]+", reference[g.start:g.end + 40])}
                                        for g in ref_q if g is not f for n in names):
            out.add(id(f))
    return out


# --- pairing quantities ------------------------------------------------------------------------
def _family(f: Fact) -> str:
    return f.dimension


def _claim_index(text: str, question: str | None, vocabulary) -> dict[tuple[int, int], Any]:
    """engine.flags.claims' reading of a text (subject, scope, limit), by the span of each value."""
    try:
        return {(c.start, c.end): c for c in _claims.extract_claims(text, vocabulary, question=question)}
    except Exception:  # the claims index is a help for pairing, never a reason to fail a verdict
        return {}


def _scope_score(rc, ac) -> float:
    """+1 when the claims index gives both values the same scope (office, country, employee
    type, condition such as "during probation"), -1.5 when their scopes clash."""
    if rc is None or ac is None or not (rc.scope or ac.scope):
        return 0.0
    da, db = dict(rc.scope), dict(ac.scope)
    if any(da[k] != db[k] for k in da.keys() & db.keys()):
        return -1.5
    return 1.0 if da == db else 0.0


def _limits_clash(rc, ac) -> bool:
    """"up to 10 days" against "at least 10 days"."""
    return rc is not None and ac is not None and {rc.limit, ac.limit} == {"max", "min"}


def _pair(ref_q: list[Fact], ans_q: list[Fact], ref_c: dict | None = None,
          ans_c: dict | None = None) -> list[tuple[Fact, Fact]]:
    """Pair reference and answer quantities of one dimension: what they are about (context and
    the claims index's scope), their order among the facts of that dimension, and the same
    value, each used once."""
    ref_c, ans_c = ref_c or {}, ans_c or {}
    pairs: list[tuple[Fact, Fact]] = []
    dims = {_family(f) for f in ref_q} & {_family(f) for f in ans_q}
    for dim in dims:
        rs = [f for f in ref_q if _family(f) == dim]
        As = [f for f in ans_q if _family(f) == dim]
        cands = []
        for i, r in enumerate(rs):
            for j, a in enumerate(As):
                ctx = _facts.context_score(r, a) + _scope_score(ref_c.get((r.start, r.end)), ans_c.get((a.start, a.end)))
                same = same_value(r, a) and not rates_clash(r, a)
                order = 1.0 if (i == j and len(rs) == len(As)) else 0.0
                if not same and ctx < PAIR_MIN_CONTEXT and not (len(rs) == 1 and len(As) == 1) and not order:
                    continue
                cands.append((ctx + 1.5 * same + 1.0 * order, i, j))
        cands.sort(reverse=True)
        ui, uj = set(), set()
        for _s, i, j in cands:
            if i in ui or j in uj:
                continue
            ui.add(i)
            uj.add(j)
            pairs.append((rs[i], As[j]))
    return pairs


# --- the verdict -------------------------------------------------------------------------------
@dataclass
class Verdict:
    correct: bool
    reason: str
    category: str = "wrong"
    missing: list[str] = field(default_factory=list)
    contradictions: list[tuple[str, str]] = field(default_factory=list)  # (answer says, reference says)
    added: list[str] = field(default_factory=list)  # invented: in no approved text
    extra: list[str] = field(default_factory=list)  # extra details found in other approved texts
    similarity: float | None = None
    rouge_l: float = 0.0
    token_f1: float = 0.0
    # the answer's facts behind `added` and `contradictions` (engine/evaluate/hallucination.py)
    added_facts: list[Fact] = field(default_factory=list, repr=False)
    contradicting_facts: list[Fact] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return {
            "correct": self.correct, "category": self.category, "reason": self.reason,
            "missing": list(self.missing), "contradictions": [list(c) for c in self.contradictions],
            "added": list(self.added), "extra": list(self.extra),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "rouge_l": round(self.rouge_l, 4), "token_f1": round(self.token_f1, 4),
        }


def _short(text: str, n: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def judge_answer(answer: str, reference: str, *, question: str | None = None, knowledge: Knowledge | None = None,
                 similarity: float | None = None, threshold: float = SIMILARITY_THRESHOLD) -> Verdict:
    """Judge one answer against its reference (see the module docstring). `question` makes a
    yes/no question need a yes or no, and tells which reference details were asked for;
    `knowledge` holds the other approved texts; `similarity` is the embedding cosine of answer and
    reference (cosine_pairs), used where the reference states no checkable claim."""
    answer, reference = str(answer or ""), str(reference or "")
    v = Verdict(False, "", similarity=similarity, rouge_l=rouge_l(answer, reference), token_f1=token_f1(answer, reference))
    if not answer.strip():
        v.reason = "no answer"
        return v
    if knowledge is None:
        knowledge = Knowledge()
    ref_f, ans_f = claims_of(reference), claims_of(answer)
    q_f = claims_of(question) if question else []
    ref_q, ans_q = quantities(ref_f), quantities(ans_f)
    ref_sents, ans_clauses = sentences(reference), clauses(answer)
    ans_words = content_words(answer)
    q_words = content_words(question or "")

    def sentence_of(f: Fact) -> int:
        return next((i for i, s in enumerate(ref_sents) if s.start <= f.start < s.end + 1), 0)

    mentioned = [coverage(s.words, ans_words) >= MENTION_COVERAGE for s in ref_sents]
    required = [i == 0 or len(s.words & q_words) >= 2 for i, s in enumerate(ref_sents)]
    # a later sentence shares words with the question but names a day or date where the question
    # asks how much or how long, which the first sentence answers ("How much notice?": "4 weeks'
    # notice. The tenancy must end on a Monday"): its days are not required (a cost named after
    # a "When...?" is: it is often what the service needs, "a permit, which costs £45")
    asked_calendar = _asked_calendar(question)
    first_kinds = {(f.kind in _CALENDAR) for f in ref_q if sentence_of(f) == 0} if asked_calendar is False else set()
    answered_first = False in first_kinds
    not_asked = _other_scope(reference, ref_q, question or "")

    wrong: list[str] = []
    partial: list[str] = []
    invented: list[str] = []

    # 1. quantities
    vocabulary = _claims.Vocabulary.learn([reference, answer] + ([question] if question else []))
    ref_c = _claim_index(reference, question, vocabulary)
    ans_c = _claim_index(answer, question, vocabulary)
    pairs = _pair(ref_q, ans_q, ref_c, ans_c)
    paired_ref = {id(r) for r, _ in pairs}
    paired_ans = {id(a) for _, a in pairs}
    def label(f: Fact, cmap: dict, other: Fact, other_map: dict) -> str:
        """The value as written with its period; "up to" / "at least" only when the two limits differ."""
        c, o = cmap.get((f.start, f.end)), other_map.get((other.start, other.end))
        if c is not None and c.limit in ("max", "min") and (o is None or o.limit != c.limit):
            return c.label()
        return value_text(f)

    for r, a in pairs:
        if same_value(r, a) and not rates_clash(r, a) and not _limits_clash(ref_c.get((r.start, r.end)),
                                                                             ans_c.get((a.start, a.end))):
            continue
        said, ref_said = label(a, ans_c, r, ref_c), label(r, ref_c, a, ans_c)
        v.contradictions.append((said, ref_said))
        v.contradicting_facts.append(a)
        wrong.append(f"says {said} where the reference says {ref_said}")
    bare = {float(_facts.number_value(m.group(1))) for m in BARE_NUMBER_RE.finditer(answer)
            if not any(f.start <= m.start() < f.end for f in ans_q)}
    for r in ref_q:
        if id(r) in paired_ref:
            continue
        i = sentence_of(r)
        if not required[i] or id(r) in not_asked:  # said elsewhere in the answer: checked by the pairing only
            continue
        if i > 0 and answered_first and r.kind in _CALENDAR and not mentioned[i]:
            continue
        if isinstance(r.value, tuple) and r.value[0] in bare:  # "a child's card allows eight"
            continue
        if any(loosely_same(r, a) for a in ans_q) or named_day(r) or weekly_day(r) or (
                plain_period(r) and not re.match(r"^\W*how\s+often\b", question or "", re.I)):
            continue
        v.missing.append(r.text)
    if v.missing:
        wrong.append(("leaves out " if len(v.missing) == 1 else "leaves out ") + ", ".join(v.missing))
    ref_bare = {float(_facts.number_value(m.group(1))) for m in BARE_NUMBER_RE.finditer(reference)
                if not any(f.start <= m.start() < f.end for f in ref_q)}
    weekend = bool(re.search(r"\bweekends?\b", reference, re.I))
    for a in ans_q:
        if id(a) in paired_ans or any(loosely_same(a, r) for r in ref_q):
            continue
        if any(same_value(a, q) for q in q_f) or plain_period(a) or weekly_day(a):
            continue
        first_number = BARE_NUMBER_RE.search(a.text)
        if first_number and float(_facts.number_value(first_number.group(1))) in ref_bare:
            continue  # "more than 37.5 hours" for a reference's "beyond 37.5 in a week"
        if a.dimension == "weekday" and a.value in ("Saturday", "Sunday") and weekend:
            continue  # "a Saturday or Sunday" for "a weekend"
        clause = next((c for c in ans_clauses if c.start <= a.start < c.end + 1), None)
        if knowledge.knows(a, clause.words if clause else set()):
            v.extra.append(a.text)
            continue
        v.added.append(value_text(a))
        v.added_facts.append(a)
    # an email address other than the reference's ("fees@..." for "finance@...")
    ref_mail = {m.lower() for m in _EMAIL_RE.findall(reference)}
    if ref_mail:
        for m in _EMAIL_RE.findall(answer):
            if m.lower() not in ref_mail and not knowledge.mentions(m.lower()):
                v.contradictions.append((m, ", ".join(sorted(ref_mail))))
                wrong.append(f"says {m} where the reference says {', '.join(sorted(ref_mail))}")
    # 2. named schemes, forms, portals
    for m in _NAMED_RE.finditer(answer):
        name = re.sub(r"\s+", " ", m.group("name")).strip()
        low = name.lower()
        if low in reference.lower() or low in (question or "").lower() or knowledge.mentions(low):
            continue
        v.added.append(name)
        v.added_facts.append(Fact("policy", low, name, m.start("name"), m.end("name")))
    # 3. polarity
    yes_no_q = _is_yes_no_question(question)
    ref_stance = None
    ref_yn = [f for f in ref_f if f.kind == "yes_no"]
    if ref_yn:
        ref_stance = bool(ref_yn[0].value)
    elif yes_no_q and ref_sents:
        first = clauses(reference)[0]
        if coverage(q_words, first.words) >= STANCE_COVERAGE or _AFFIRM_RE.match(first.text):
            ref_stance = not first.negated  # else the reference describes rather than answers yes or no
    if yes_no_q and ref_stance is not None:
        ans_stance = _stance(answer, ans_f, q_words, False)
        if ans_stance is None:
            # restating the reference's answering clause ("Printing is charged: 10p a page...")
            # gives its yes or no; a clause stating the opposite is caught below
            stance_clause = clauses(reference)[0]
            body = stance_clause.words
            best = max(ans_clauses, key=lambda c: coverage(body, c.words), default=None)
            if best is not None and coverage(body, ans_words) >= RESTATE_COVERAGE:
                ans_stance = ref_stance if best.negated == stance_clause.negated else not ref_stance
        if ans_stance is None:
            partial.append(f"does not say {'yes' if ref_stance else 'no'} (the reference does)")
        elif ans_stance != ref_stance:
            wrong.append(f"says {'yes' if ans_stance else 'no'} where the reference says {'yes' if ref_stance else 'no'}")
    flipped = []
    for rc in clauses(reference):
        if len(rc.words) < 2:
            continue
        best = max(ans_clauses, key=lambda c: coverage(rc.words, c.words), default=None)
        if best is None or coverage(rc.words, best.words) < 0.5 or coverage(best.words, rc.words) < 0.4:
            continue
        if best.negated != rc.negated:
            flipped.append((best, rc))
    if flipped and not any(w.startswith("says yes") or w.startswith("says no") for w in wrong):
        b, r = flipped[0]
        wrong.append(f"states the opposite: \u201c{_short(b.text)}\u201d where the reference says \u201c{_short(r.text)}\u201d")
    ref_words = content_words(reference)
    # a use the reference restricts ("only for emergencies"), widened by the answer ("for routine
    # repairs too")
    for m in _ONLY_FOR_RE.finditer(reference):
        x = content_words(m.group("x") or m.group("x2") or "")
        if not x:
            continue
        for c in ans_clauses:
            if not _WIDEN_RE.search(c.text) or re.search(r"\bonly\b", c.text, re.I) or c.negated:
                continue
            other = c.words - x - {stem("use"), stem("can")}
            # it names a use the reference sends elsewhere ("meetings go in the seminar rooms")
            if other & (ref_words - x) and not (c.words & x):
                wrong.append(f"widens \u201c{_short(m.group(0).strip(), 50)}\u201d: \u201c{_short(c.text)}\u201d")
                break
    # 4. conditions
    for c in _conditions(ref_sents, ref_q):
        if not (required[c.sentence] or mentioned[c.sentence] or c.host_restated(ans_words)):
            continue
        if coverage(c.words, q_words) >= 0.5:  # "If you resign" when the question says "if I resign"
            continue
        kept = coverage(c.words, ans_words) >= CONDITION_COVERAGE or (
            c.facts and all(any(same_value(f, a) for a in ans_q) for f in c.facts))
        if not kept:
            partial.append(f"leaves out the condition \u201c{_short(c.phrase, 60)}\u201d")
    # 5. added rules without a number
    for c in ans_clauses:
        parts = [(c.text, c.words)]
        if any(c.start <= a.start < c.end for a in ans_q):
            # a value in the clause: only its parts without a value can add a rule
            parts, pos = [], 0
            for m in list(_SUBCLAUSE_SPLIT.finditer(c.text)) + [None]:
                end = m.start() if m else len(c.text)
                lo, hi = c.start + pos, c.start + end
                if not any(lo <= a.start < hi for a in ans_q) and c.text[pos:end].strip():
                    parts.append((c.text[pos:end].strip(), content_words(c.text[pos:end])))
                pos = m.end() if m else len(c.text)
        for text, words in parts:
            cues = _RULE_STEMS if len(parts) == 1 and parts[0][0] == c.text else _VALUE_RULE_STEMS
            novel = {w for w in words & cues if not has_word(w, ref_words | q_words)}
            if novel and not knowledge.supports(words, need=0.8):
                invented.append(f"adds \u201c{_short(text, 60)}\u201d, which no approved answer says")
    if v.added:
        invented.insert(0, ("adds " + ", ".join(v.added) + ", which no approved answer states"))
    refused = bool(_REFUSAL_RE.search(answer))

    # 6. meaning, for references without a checkable claim
    meaning = ""
    if similarity is not None:
        meaning = f"similarity {similarity:.2f}"
        off = similarity < MEANING_FLOOR
        close = similarity >= threshold
    else:
        meaning = f"word overlap {v.rouge_l:.2f}"
        off = False
        close = v.rouge_l >= ROUGE_FALLBACK_THRESHOLD
    claimless = not ref_q and ref_stance is None and not _conditions(ref_sents, ref_q)
    if claimless and not close and coverage(ref_sents[0].words if ref_sents else set(), ans_words) < 0.5:
        wrong.append(f"does not say what the reference says ({meaning})")
    elif off and not wrong:
        wrong.append(f"answers something else ({meaning})")

    if refused and (wrong or partial or not ans_q):
        v.category, v.reason = "refused", "does not answer: " + _short(answer, 80)
    elif wrong:
        v.category, v.reason = "wrong", "wrong: " + "; ".join(wrong + partial + invented)
    elif invented:
        v.category, v.reason = "invented fact", "invented: " + "; ".join(invented + partial)
    elif partial:
        v.category, v.reason = "partially correct", "partly right: " + "; ".join(partial)
    else:
        v.category, v.correct = "correct", True
        said = [r.text for r in ref_q if id(r) in paired_ref]
        v.reason = "correct: " + (("states " + ", ".join(said[:4]) + " as the reference does") if said else
                                  "agrees with the reference") + (
            f"; extra details found in other approved answers: {', '.join(v.extra)}" if v.extra else "")
    return v


# --- agreement with expert verdicts -------------------------------------------------------------
def judge_rows(rows: Sequence[dict], *, similarities: Sequence[float] | None = None,
               policy: str | None = None, refs: Sequence[str] | None = None) -> list[Verdict]:
    """Judge rows {"question"/"instruction", "reference"/"response", "answer"}: each against its
    own reference, with every other reference (of the rows, or `refs` when given) and the policy
    text as what is known."""
    refs_of_rows = [str(r.get("reference", r.get("response", "")) or "") for r in rows]
    # one index of every reference: an answer's own reference in it changes nothing (its facts
    # are matched against the reference first), and the cost stays linear in the references
    knowledge = Knowledge.from_texts(dict.fromkeys(list(refs or []) + refs_of_rows), policy=policy)
    return [judge_answer(r.get("answer", ""), refs_of_rows[i], question=r.get("question", r.get("instruction")),
                         knowledge=knowledge, similarity=similarities[i] if similarities else None)
            for i, r in enumerate(rows)]


def agreement(rows: Sequence[dict], verdicts: Sequence[Verdict]) -> dict:
    """{"overall": share of rows where verdict.correct == row["correct"], "n", "by_kind": {kind:
    {"agreement", "n"}}, "category_agreement": share with the same category}."""
    by: dict[str, list[int]] = {}
    same_cat = 0
    for r, v in zip(rows, verdicts):
        ok = int(bool(v.correct) == bool(r["correct"]))
        by.setdefault(r.get("kind", "?"), []).append(ok)
        by.setdefault("_all", []).append(ok)
        same_cat += int(v.category == r.get("verdict"))
    allv = by.pop("_all", [])
    return {"overall": sum(allv) / len(allv) if allv else None, "n": len(allv),
            "category_agreement": same_cat / len(allv) if allv else None,
            "by_kind": {k: {"agreement": sum(x) / len(x), "n": len(x)} for k, x in sorted(by.items())}}


