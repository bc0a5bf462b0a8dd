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
    Knowledge.from_texts(texts, policy=None) ; knowledge.add(text)
    claims_of(text) -> list[Fact]            # the quantities and yes/no of engine.flags.facts,
                                             # plus the forms the judge also needs (see _extra_facts)
    agreement(rows, judge=...) -> {"overall", "by_kind", "n"}   # against expert verdicts
    rouge_l(a, b), token_f1(a, b) -> float ; cosine_pairs(embed, answers, references)

Verdict.category is one of "correct", "wrong", "invented fact", "partially correct",
"refused" (the labels of tests/data/judge_verdicts/); Verdict.correct is category == "correct".

Calibration. The pairing weights and the overlap thresholds below were set on the `tune` half of
tests/data/judge_verdicts/verdicts.jsonl (odd-numbered questions) and measured on its `held`
half (bench/bench_judge_agreement.py prints both). SIMILARITY_THRESHOLD and MEANING_FLOOR were
calibrated on the public STS-B English test set (bench/bench_judge_threshold.py); the meaning
check only decides answers whose reference states no checkable claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Sequence

from engine.flags import claims as _claims, facts as _facts

Fact = _facts.Fact

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
POLARITY_KINDS = ("yes_no", "permission")

# --- words --------------------------------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z0-9£$€%]+(?:[.'’-][A-Za-z0-9]+)*")
_STOPWORDS = frozenset("""
a an the and or but so if then than that this these those there here it its it's they them their
theirs you your yours you're you'll you've we our ours us i me my mine he she his her is are was were
be been being am do does did done doing have has had having will would shall should can could may
might must of to in on at by for from with within into onto about as up down out over under after
before until till once again also only just even still yet not no nor any all each every some such
own same other another both either neither more most less least very too much many few what which
who whom whose when where why how whether while because though although via per please thanks
thank hi hello dear regards get gets got getting make makes made go goes going come comes one
s t don't doesn't isn't aren't can't cannot won't wouldn't shouldn't mustn't didn't haven't hasn't
""".split())
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|closed|shut|forbidden|"
    r"prohibited|banned)\b|n['’]t\b", re.I)
_SYNONYMS = {"bicycl": "bike", "cycle": "bike", "reimbur": "repay", "refund": "repay", "pay_back": "repay",
             "permitt": "allow", "allowe": "allow", "injur": "hurt", "injuri": "hurt"}


def _stem(word: str) -> str:
    """The claims index's stem (-ing/-ed/-s off, 6 letters), so judge and claims read words
    alike, then the judge's synonyms."""
    w = _claims.stem(word)
    return _SYNONYMS.get(w, w)


# a negative word that carries its positive's meaning: "closed on Sundays" is "not open on Sundays"
_ANTONYMS = {"closed": "open", "shut": "open", "forbidden": "allow", "prohibited": "allow", "banned": "allow"}
# "not counting bank holidays", "not only", "no later than", "must not exceed": limits, not denials
_NOT_A_DENIAL = re.compile(
    r"\b(?:not\s+(?:counting|including|only|just|to\s+mention)|if\s+not|(?:no|not)\s+(?:later|more|less|longer|sooner|"
    r"fewer)\s+than|(?:do|does|must|should|will|may)\s+not\s+exceed|(?:doesn|don|won|mustn)['’]t\s+exceed|"
    r"(?:at\s+)?no\s+(?:extra\s+)?(?:cost|charge))\b", re.I)


def content_words(text: str) -> set[str]:
    """Stemmed content words (stop words and negations left out)."""
    out = set()
    for w in _TOKEN.findall(text or ""):
        lw = w.lower().replace("’", "'")
        if lw in ("cost", "charge", "fee") and re.search(rf"\b(?:no|without\s+an?)\s+(?:extra\s+)?{lw}\b", text, re.I):
            out.add("free")  # "at no cost", "without a fee" is "free"
        if lw in _ANTONYMS:
            out.add(_stem(_ANTONYMS[lw]))
            continue
        if lw in _STOPWORDS or _NEGATION.fullmatch(lw):
            continue
        out.add(_stem(lw))
    return out


def _has(word: str, words: set[str]) -> bool:
    """`word` or a word it shares a stem with ("renewal" / "renew", "reserved" / "reservation")."""
    if word in words:
        return True
    if len(word) < 4:
        return False
    return any(len(w) >= 4 and (w.startswith(word) or word.startswith(w)) for w in words)


def coverage(of: set[str], by: set[str]) -> float:
    """The share of the words `of` found in `by`."""
    return sum(1 for w in of if _has(w, by)) / len(of) if of else 0.0


# --- sentences and clauses ---------------------------------------------------------------------
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|(?<=:)\s+(?=[A-Z])")
_CLAUSE_SPLIT = re.compile(r",\s+(?=(?:but|and|while|whereas|though|so|then)\b)|;\s*|\s+but\s+|:\s+|\s+[–—]\s+|\(|\)|"
                           r"\s+and\s+(?=(?:it|you|they|we|he|she|this|that|there|staff|employees)\s)")


@dataclass
class Span:
    text: str
    start: int
    end: int
    words: set[str] = field(default_factory=set)
    negated: bool = False


def _spans(text: str, rx: re.Pattern, base: int = 0) -> list[Span]:
    out, pos = [], 0
    for m in list(rx.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            s = Span(piece.strip(), base + pos + lead, base + pos + lead + len(piece.strip()))
            s.words = content_words(s.text)
            body = re.sub(r"^\W*(?:yes|no|sorry|unfortunately)\b[\s,.:!-]*", "", s.text, flags=re.I)
            s.negated = bool(_NEGATION.search(_NOT_A_DENIAL.sub(" ", body)))
            out.append(s)
        pos = m.end() if m else len(text)
    return out


def sentences(text: str) -> list[Span]:
    return _spans(text or "", _SENTENCE_SPLIT)


def clauses(text: str) -> list[Span]:
    out = []
    for s in sentences(text):
        out += _spans(s.text, _CLAUSE_SPLIT, s.start)
    return out


# --- claims: the shared extractor plus what the judge also reads --------------------------------
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
_MONTH_RE = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b")
_END_OF_MONTH_RE = re.compile(r"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+(?P<mon>January|February|March|April|May|June|July|"
                              r"August|September|October|November|December)\b", re.I)
_LAST_DAY = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_WEEKDAY_RANGE_RE = re.compile(rf"\b(?P<a>{_WEEKDAYS})\s*(?:to|-|–|through|until)\s*(?P<b>{_WEEKDAYS})\b", re.I)
_WEEKDAYS_RE = re.compile(r"\b(?:on\s+)?(?:weekdays|week\s?days|working days of the week)\b", re.I)
_WEEKDAY_ANY_RE = re.compile(rf"\b(?P<wd>{_WEEKDAYS})s?\b", re.I)
_MULTIPLIER_RE = re.compile(r"\b(?P<n>\d+(?:\.\d+)?|one and a half|two|three|double|twice)\s+times\b|"
                            r"\btime and a half\b", re.I)
_DAYPART_RE = re.compile(r"\b(?P<h>1[0-2]|[1-9])\s+(?:o'clock\s+)?(?:in\s+the\s+(?P<part>morning|afternoon|evening)|at\s+(?P<night>night))\b", re.I)
# what engine.flags.facts leaves out: one-digit 24-hour times ("8:00") and numeric dates
# ("31/12/2026", read day first unless only the first number can be a month)
_TIME24_ANY_RE = re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!\s?(?:a\.?m|p\.?m))", re.I)
_DATE_SLASH_RE = re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>(?:19|20)\d\d|\d\d)\b")
_HALF_RE = re.compile(r"\b(?:half\s+a|a\s+half|half\s+an?)\s+(?P<unit>day|week|month|year|hour)\b", re.I)
_NEXT_MONTH_RE = re.compile(r"\s+of\s+(?:the\s+)?(?:next|following)\s+month\b", re.I)
_FORTNIGHT_RE = re.compile(r"\b(?:a|one)\s+(?P<unit>fortnight|day|week|month|year)(?:'s|’s)(?=\s)|\b(?:a|one)\s+fortnight\b", re.I)
# "A month while on probation": a bare "a month" counts as one when no value stands just before it
# in its clause (else it is that value's period: "12 days a year", "£45 a month")
_A_UNIT_RE = re.compile(r"(?<![\w'’])(?:a|one)\s+(?P<unit>day|week|month|year)\b(?!['’]s)", re.I)
_RATE_LEAD_RE = re.compile(r"\b(?:per|once|twice|times|each|every|than|in|within|for|after|about|around|over|under|only)\s*$", re.I)
# "week 2 of term", "the second week", "level 3": which one, not how many
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "ninth": 9, "tenth": 10, "last": -1}
_ORDINAL_NOUNS = r"week|day|month|year|term|semester|module|level|grade|band|step|stage|floor|phase|round"
_ORDINAL_AFTER_RE = re.compile(rf"\b(?P<noun>{_ORDINAL_NOUNS})\s+(?P<n>\d{{1,2}})\b(?!\s*(?:%|:|\.\d))", re.I)
_ORDINAL_BEFORE_RE = re.compile(rf"\b(?P<w>{'|'.join(_ORDINAL_WORDS)}|\d{{1,2}}(?:st|nd|rd|th))\s+(?P<noun>{_ORDINAL_NOUNS})\b", re.I)
# "half the public price", "half pay": 50%
_HALF_PERCENT_RE = re.compile(r"\bhalf\b(?!\s+(?:a|an)\s)(?!\s+(?:day|week|month|year|hour)s?\b)", re.I)
_MEASURE_RE = re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s?(?P<unit>kg|kilos?|km|kilometres?|miles?|metres?|m2|sq\s?m)\b", re.I)
_WORD_MULT = {"one and a half": 1.5, "two": 2.0, "three": 3.0, "double": 2.0, "twice": 2.0}
_BARE_NUMBER_RE = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(sorted(
    (re.escape(w) for w in _facts.WORD_NUMBERS if " " not in w and w not in ("half",)), key=len, reverse=True)) + r")\b", re.I)


def _make(kind: str, value: Any, text: str, s: int, e: int) -> Fact:
    return Fact(kind, value, text[s:e], s, e)


def _extra_facts(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    """The forms engine.flags.facts leaves out and an answer often uses: "the end of March",
    weekday ranges and "weekdays", "the Friday before", month names ("every April"), multipliers
    ("1.5 times", "time and a half"), "8 in the morning", "a fortnight", "a month's notice",
    weights and distances."""
    out: list[Fact] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(f: Fact) -> None:
        if free(f.start, f.end):
            taken.append((f.start, f.end))
            out.append(f)

    for m in _END_OF_MONTH_RE.finditer(text):
        mon = _MONTH_NAMES.index(m.group("mon").lower()) + 1
        add(_make("date", f"{mon:02d}-{_LAST_DAY[mon]:02d}", text, m.start(), m.end()))
    for m in _WEEKDAY_RANGE_RE.finditer(text):
        add(_make("weekdays", f"{m.group('a').capitalize()}-{m.group('b').capitalize()}", text, m.start(), m.end()))
    for m in _WEEKDAYS_RE.finditer(text):
        add(_make("weekdays", "Monday-Friday", text, m.start(), m.end()))
    for m in _MULTIPLIER_RE.finditer(text):
        n = m.group("n")
        v = 1.5 if n is None else _WORD_MULT.get(n.lower(), None) or float(n)
        add(_make("multiplier", (v, v), text, m.start(), m.end()))
    for m in _DAYPART_RE.finditer(text):
        h = int(m.group("h")) % 12 + (12 if (m.group("part") or "night").lower() != "morning" else 0)
        add(_make("time", h * 60, text, m.start(), m.end()))
    for m in _TIME24_ANY_RE.finditer(text):
        add(_make("time", int(m.group("h")) * 60 + int(m.group("m")), text, m.start(), m.end()))
    for m in _DATE_SLASH_RE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        day, month = (b, a) if b > 12 >= a else (a, b)
        year = m.group("year") if len(m.group("year")) == 4 else "20" + m.group("year")
        if 1 <= day <= 31 and 1 <= month <= 12:
            add(_make("date", f"{year}-{month:02d}-{day:02d}", text, m.start(), m.end()))
    for m in _HALF_RE.finditer(text):
        d = _facts.DURATION_UNITS[m.group("unit").lower()] / 2
        add(_make("duration", (d, d), text, m.start(), m.end()))
    for m in _FORTNIGHT_RE.finditer(text):
        unit = (m.group("unit") or "fortnight").lower()
        d = _facts.DURATION_UNITS[unit]
        add(_make("duration", (d, d), text, m.start(), m.end()))
    for m in _ORDINAL_AFTER_RE.finditer(text):
        add(_make(f"ordinal:{m.group('noun').lower()}", float(m.group("n")), text, m.start(), m.end()))
    for m in _ORDINAL_BEFORE_RE.finditer(text):
        w = m.group("w").lower()
        n = _ORDINAL_WORDS.get(w) or int(re.match(r"\d+", w).group(0))
        add(_make(f"ordinal:{m.group('noun').lower()}", float(n), text, m.start(), m.end()))
    for m in _HALF_PERCENT_RE.finditer(text):
        add(_make("percentage", (50.0, 50.0), text, m.start(), m.end()))
    quantity_ends = [b for a, b in taken]
    for m in _A_UNIT_RE.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        clause_start = max(before.rfind(","), before.rfind(";"), before.rfind("."), before.rfind(":"))
        near = any(m.start() - 40 <= b <= m.start() and (clause_start < 0 or b > m.start() - 40 + clause_start)
                   for b in quantity_ends)
        in_clause = before[clause_start + 1:] if clause_start >= 0 else before
        if near or _RATE_LEAD_RE.search(before) or _BARE_NUMBER_RE.search(in_clause):
            continue  # "sixty pounds a year": the period of a value
        d = _facts.DURATION_UNITS[m.group("unit").lower()]
        add(_make("duration", (d, d), text, m.start(), m.end()))
    for m in _MEASURE_RE.finditer(text):
        unit = m.group("unit").lower()
        unit = {"kilo": "kg", "kilos": "kg", "kilometre": "km", "kilometres": "km", "mile": "mile", "miles": "mile",
                "metre": "m", "metres": "m"}.get(unit, unit)
        v = float(m.group("n"))
        add(_make(f"measure:{unit}", (v, v), text, m.start(), m.end()))
    for m in _claims.UNLIMITED_RE.finditer(text):  # "unlimited", "no upper limit": the claims index's reading
        add(_make("unlimited", "unlimited", text, m.start(), m.end()))
    for m in _WEEKDAY_ANY_RE.finditer(text):
        add(_make("weekday", m.group("wd").capitalize(), text, m.start("wd"), m.end("wd")))
    for m in _MONTH_RE.finditer(text):
        add(_make("month", m.group(1).lower(), text, m.start(), m.end()))
    return out


_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")
_RATE_FALLBACK_RE = re.compile(r"^\s*(?P<lead>per|a|an|each|every)\s+(?P<words>(?:[A-Za-z]+\s*){1,4})", re.I)
_RATE_ADJECTIVES = {"black", "white", "and", "colour", "color", "extra", "additional", "single", "return", "standard"}


def _rekey_count(text: str, f: Fact) -> Fact:
    """"5 free pages", "twenty unpaid days": the thing counted is the plural noun after an
    adjective ("10 monthly instalments": per month); a count of days, weeks, months or years is
    a duration. "The 1st of the next month" is the 1st of the following month."""
    if f.dimension == "day_of_month" and isinstance(f.value, int) and _NEXT_MONTH_RE.match(text, f.end):
        m = _NEXT_MONTH_RE.match(text, f.end)
        return replace(f, value=f"{f.value} (next month)", text=text[f.start:m.end()], end=m.end())
    if not f.dimension.startswith("count:"):
        return f
    noun = text[f.start:f.end].split()[-1].lower()
    if noun.endswith("s"):
        unit = noun.rstrip("s")
        if unit in _facts.DURATION_UNITS:
            d = _facts.DURATION_UNITS[unit]
            return replace(f, dimension="duration", value=(f.value[0] * d, f.value[1] * d))
        return f
    m = _NEXT_WORD_RE.match(text, f.end)
    if not m or not m.group(1).lower().endswith("s"):
        return f
    nxt = m.group(1).lower()
    unit = nxt.rstrip("s")
    if unit in _facts.DURATION_UNITS:
        d = _facts.DURATION_UNITS[unit]
        return replace(f, dimension="duration", value=(f.value[0] * d, f.value[1] * d), text=text[f.start:m.end()],
                       end=m.end())
    if nxt in _STOPWORDS:
        return f
    rate = _facts.RATE_ADVERBS.get(noun, f.rate)
    return replace(f, dimension=f"count:{unit}", text=text[f.start:m.end()], end=m.end(), rate=rate)


def _rate_fallback(text: str, f: Fact) -> Fact:
    """A period or unit engine.flags.facts does not list ("£25 per meal", "10p per colour page")."""
    if f.rate is not None or f.kind in POLARITY_KINDS:
        return f
    m = _RATE_FALLBACK_RE.match(text[f.end:f.end + 60])
    if not m or f.text.lower().startswith(("every", "each")):
        return f
    lead = m.group("lead").lower()
    words = m.group("words").split()
    k = 0
    while k < len(words) - 1 and words[k].lower() in _RATE_ADJECTIVES:
        k += 1
    noun = words[k].lower()
    if lead in ("a", "an") and k:
        return f
    if noun in _STOPWORDS or noun in _RATE_ADJECTIVES or noun in ("time",):
        return f
    noun = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    return replace(f, rate=noun)


def _not_a_count(f: Fact) -> bool:
    """"The first one comes", "a couple": "one" and "a" are rarely counts of things."""
    return f.dimension.startswith("count:") and f.text.lower().split()[0] in ("one", "a", "an")


def claims_of(text: str) -> list[Fact]:
    """The claims of a text the judge compares, in order: every fact of engine.flags.facts (the
    extractor the claims index of engine.flags.claims and the conflict flags use) and the extra
    forms of `_extra_facts`, with their rate, subject and context filled in by the same code."""
    text = str(text or "")[:20000]
    base = [_rekey_count(text, f) for f in _facts.extract_facts(text) if not _not_a_count(f)]
    taken = [(f.start, f.end) for f in base if f.kind not in POLARITY_KINDS]
    extra = _extra_facts(text, taken)
    if extra:
        raw = [replace(f, rate=None, subject="", of_phrase="", before="", after="", context="") for f in base] + extra
        raw.sort(key=lambda f: f.start)
        base = _facts.annotate(text, raw)
    return [_rate_fallback(text, f) for f in base]


def quantities(facts: Iterable[Fact]) -> list[Fact]:
    return [f for f in facts if f.kind not in POLARITY_KINDS]


def _value_text(f: Fact) -> str:
    return f.text + (f" per {f.rate}" if f.rate and f.rate not in f.text.lower() and not f.rate.startswith("every") else "")


def same_value(a: Fact, b: Fact) -> bool:
    if a.dimension != b.dimension:
        return False
    if a.dimension == "weekdays":
        return a.value == b.value
    return _facts.same_value(a, b)


def loosely_same(a: Fact, b: Fact) -> bool:
    """Same value, counting "ten payments" and "10 instalments" as the same number."""
    if same_value(a, b):
        return True
    return (a.dimension.startswith("count:") and b.dimension.startswith("count:")
            and isinstance(a.value, tuple) and a.value == b.value)


def _rates_clash(a: Fact, b: Fact) -> bool:
    return a.rate is not None and b.rate is not None and a.rate != b.rate


_UNIT_WORDS = {_stem(w) for w in ("day", "days", "week", "weeks", "month", "months", "year", "years", "hour",
                                    "hours", "minute", "minutes", "working", "business", "pm", "am", "per", "time")}


# --- what the organisation is known to say ------------------------------------------------------
class Knowledge:
    """Texts the organisation stands behind (the other approved answers, the policy sheet, the
    training answers): an answer's extra detail found here is true, not invented."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.sentences: list[Span] = []
        self.sentence_facts: list[list[Fact]] = []
        self.lower: list[str] = []

    @classmethod
    def from_texts(cls, texts: Iterable[str], policy: str | None = None) -> "Knowledge":
        k = cls()
        for t in texts:
            k.add(t)
        if policy:
            k.add(policy)
        return k

    def add(self, text: str) -> None:
        text = str(text or "")
        if not text.strip():
            return
        self.lower.append(text.lower())
        found = quantities(claims_of(text))
        for s in sentences(text):
            self.sentences.append(s)
            self.sentence_facts.append([f for f in found if s.start <= f.start < s.end + 1])
        for f in found:
            if not any(same_value(f, g) and f.rate == g.rate for g in self.facts):
                self.facts.append(f)

    def __len__(self) -> int:
        return len(self.facts)

    def knows(self, f: Fact, words: set[str] | None = None) -> bool:
        """Is the value stated in a known text, in a sentence about the same thing (one that holds
        half the content words of `words`, numbers and units left out)?"""
        if not any(same_value(f, g) and not _rates_clash(f, g) for g in self.facts):
            return False
        if words is None:
            return True
        need = {w for w in words if not w[0].isdigit() and w not in _UNIT_WORDS}
        for s, fs in zip(self.sentences, self.sentence_facts):
            if any(same_value(f, g) for g in fs) and coverage(need, s.words) >= 0.5:
                return True
        return False

    def mentions(self, phrase: str) -> bool:
        p = phrase.lower()
        return any(p in t for t in self.lower)

    def supports(self, words: set[str], need: float = 0.6) -> bool:
        return bool(words) and any(coverage(words, s.words) >= need for s in self.sentences)


# --- refusals, stances, conditions, named things ------------------------------------------------
_REFUSAL_RE = re.compile(
    r"\b(?:i\s+(?:do\s+not|don['’]t)\s+(?:know|have)|i['’]?m\s+not\s+sure|i\s+am\s+not\s+sure|"
    r"i\s+(?:can['’]t|cannot|can\s+not)\s+(?:say|help|advise|tell|give|confirm|answer|comment)|"
    r"(?:i['’]?m|i\s+am)\s+(?:unable|not\s+able)\s+to|unable\s+to\s+(?:tell|say|help|advise|confirm|answer)|"
    r"(?:isn['’]t|aren['’]t|is\s+not|are\s+not|not)\s+something\s+i\s+can|no\s+information\s+(?:on|about))", re.I)
_YESNO_Q_RE = re.compile(r"^\W*(?:can|could|do|does|did|is|are|am|was|were|will|would|should|shall|may|might|must|have|has)\b", re.I)
_AFFIRM_RE = re.compile(r"^\W*(?:you\s+(?:do|can|may|are|will)|it\s+(?:is|does|can|will)|they\s+(?:are|do|can|will)|there\s+(?:is|are)|"
                        r"that['’]?s\s+(?:fine|right|ok|okay|allowed)|sure|of\s+course|certainly|correct|indeed|"
                        r"absolutely|definitely)\b(?!\s+not)(?!n['’]t)", re.I)
_SORRY_RE = re.compile(r"^\W*(?:sorry|unfortunately|i['’]?m\s+afraid)\b", re.I)
_CONDITION_RE = re.compile(
    r"\b(?:only\s+if|if|unless|as\s+long\s+as|provided(?:\s+that)?|providing|except(?:\s+for|\s+when)?|apart\s+from|"
    r"but\s+only|only\s+(?:through|for|on|in|via|when|after|before|once|with)|even\s+(?:if|when)|pro\s+rata|"
    r"but\s+(?:you|they|staff|employees)\s+must|(?:with|of|after|once)\s+(?:your|the|a)\s+[\w'’ ]{0,30}?(?:approval|agreement|permission|consent|sign-off)|"
    r"for\s+[\w ]{1,30}?\s+only)\b", re.I)
_NAMED_RE = re.compile(
    r"\b(?:the\s+)?(?P<name>(?:[A-Z][\w&'-]*\s+){1,4}(?:Policy|Portal|Handbook|Form|Plan|Scheme|Programme|Program|"
    r"Agreement|Procedure|Allowance|Board|Fund|Fast[- ]Track|Card|Pass))\b")
_RULE_CUES = frozenset({"free", "exception", "extra", "additional", "bonus", "entitled", "allowance", "scheme",
                        "waived", "exempt", "discount", "compensation", "also"})


_RULE_STEMS = frozenset(_stem(w) for w in _RULE_CUES)


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


def _conditions(ref_sents: list[Span], ref_q: list[Fact]) -> list[Condition]:
    out = []
    for i, s in enumerate(ref_sents):
        for m in _CONDITION_RE.finditer(s.text):
            rest = s.text[m.end():]
            stop = re.search(r"[,;.]|\s+(?:and|but)\s+", rest)
            tail = rest[:stop.start()] if stop else rest
            words = [w for w in _TOKEN.findall(tail) if w.lower() not in _STOPWORDS][:6]
            marker_words = content_words(m.group(0)) - {"only", "but", "must", "even", "except"}
            ws = {_stem(w.lower()) for w in words} | marker_words
            if not ws:
                continue
            lo, hi = s.start + m.start(), s.start + m.end() + (stop.start() if stop else len(rest))
            fs = [f for f in ref_q if lo <= f.start < hi]
            out.append(Condition((m.group(0) + tail).strip(), ws, i, fs))
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
    from engine.flags.claims import extract_claims

    try:
        return {(c.start, c.end): c for c in extract_claims(text, vocabulary, question=question)}
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
                same = same_value(r, a) and not _rates_clash(r, a)
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
    not_asked = _other_scope(reference, ref_q, question or "")

    wrong: list[str] = []
    partial: list[str] = []
    invented: list[str] = []

    # 1. quantities
    from engine.flags.claims import Vocabulary

    vocabulary = Vocabulary.learn([reference, answer] + ([question] if question else []))
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
        return _value_text(f)

    for r, a in pairs:
        if same_value(r, a) and not _rates_clash(r, a) and not _limits_clash(ref_c.get((r.start, r.end)),
                                                                             ans_c.get((a.start, a.end))):
            continue
        said, ref_said = label(a, ans_c, r, ref_c), label(r, ref_c, a, ans_c)
        v.contradictions.append((said, ref_said))
        v.contradicting_facts.append(a)
        wrong.append(f"says {said} where the reference says {ref_said}")
    bare = {float(_facts.number_value(m.group(1))) for m in _BARE_NUMBER_RE.finditer(answer)
            if not any(f.start <= m.start() < f.end for f in ans_q)}
    for r in ref_q:
        if id(r) in paired_ref:
            continue
        i = sentence_of(r)
        if not required[i] or id(r) in not_asked:  # said elsewhere in the answer: checked by the pairing only
            continue
        if isinstance(r.value, tuple) and r.value[0] in bare:  # "a child's card allows eight"
            continue
        if any(loosely_same(r, a) for a in ans_q):
            continue
        v.missing.append(r.text)
    if v.missing:
        wrong.append(("leaves out " if len(v.missing) == 1 else "leaves out ") + ", ".join(v.missing))
    ref_bare = {float(_facts.number_value(m.group(1))) for m in _BARE_NUMBER_RE.finditer(reference)
                if not any(f.start <= m.start() < f.end for f in ref_q)}
    weekend = bool(re.search(r"\bweekends?\b", reference, re.I))
    for a in ans_q:
        if id(a) in paired_ans or any(loosely_same(a, r) for r in ref_q):
            continue
        if any(same_value(a, q) for q in q_f):
            continue
        first_number = _BARE_NUMBER_RE.search(a.text)
        if first_number and float(_facts.number_value(first_number.group(1))) in ref_bare:
            continue  # "more than 37.5 hours" for a reference's "beyond 37.5 in a week"
        if a.dimension == "weekday" and a.value in ("Saturday", "Sunday") and weekend:
            continue  # "a Saturday or Sunday" for "a weekend"
        clause = next((c for c in ans_clauses if c.start <= a.start < c.end + 1), None)
        if knowledge.knows(a, clause.words if clause else set()):
            v.extra.append(a.text)
            continue
        v.added.append(_value_text(a))
        v.added_facts.append(a)
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
    # 4. conditions
    for c in _conditions(ref_sents, ref_q):
        if not (required[c.sentence] or mentioned[c.sentence]):
            continue
        if coverage(c.words, q_words) >= 0.5:  # "If you resign" when the question says "if I resign"
            continue
        kept = coverage(c.words, ans_words) >= CONDITION_COVERAGE or (
            c.facts and all(any(same_value(f, a) for a in ans_q) for f in c.facts))
        if not kept:
            partial.append(f"leaves out the condition \u201c{_short(c.phrase, 60)}\u201d")
    # 5. added rules without a number
    for c in ans_clauses:
        if any(c.start <= a.start < c.end for a in ans_q):
            continue
        novel = {w for w in c.words & _RULE_STEMS if not _has(w, content_words(reference) | q_words)}
        if novel and not knowledge.supports(c.words, need=0.8):
            invented.append(f"adds \u201c{_short(c.text, 60)}\u201d, which no approved answer says")
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


# --- word overlap ------------------------------------------------------------------------------
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


# --- meaning -----------------------------------------------------------------------------------
EmbedFn = Callable[[list[str]], "object"]  # texts -> array (n, d), rows L2-normalised


def load_embedder() -> EmbedFn:
    """The offline all-MiniLM-L6-v2 sentence embedder as `texts -> normalised array` (through
    engine.flags.embeddings: loaded once per process)."""
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


# --- files: `pairsmith judge REFS ANSWERS` ----------------------------------------------------------
def json_objects(text: str):
    """(line number, object, None) for each JSON-object line of a JSON-lines text, or (line
    number, None, "not JSON" / "not a JSON object"); blank lines are skipped."""
    import json

    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            yield n, None, "not JSON"
            continue
        yield (n, obj, None) if isinstance(obj, dict) else (n, None, "not a JSON object")


def _read_lines(path, label: str, need: Sequence[str], problems: list[str]) -> list[tuple[int, dict]]:
    """(line number, object) for each non-blank JSON line of `path`; what is wrong with a line
    goes to `problems` as "LABEL line N: ..." (the line is skipped)."""
    from pathlib import Path

    from engine.workspace.errors import BadInput

    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{label} {path} {'is a folder' if p.is_dir() else 'does not exist'}: give a JSON-lines file.")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{label} {path} is not UTF-8 text: save it as UTF-8 JSON lines.") from None
    except OSError as exc:
        raise BadInput(f"Cannot read {label} {path}: {exc.strerror or exc}") from None
    out = []
    for n, obj, problem in json_objects(text):
        if problem:
            problems.append(f"{label} line {n}: {problem}")
            continue
        missing = [k for k in need if k not in obj]
        if missing:
            problems.append(f"{label} line {n}: no {' or '.join(repr(k) for k in missing)}")
            continue
        bad = [k for k in need if k != "id" and not isinstance(obj[k], str)]
        if bad or not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool):
            problems.append(f"{label} line {n}: {'id' if not bad else repr(bad[0])} must be "
                            f"{'a string or a number' if not bad else 'a string'}")
            continue
        out.append((n, obj))
    return out


def judge_files(refs_path, answers_path, *, policy_path=None, embed: EmbedFn | None = None,
                load_embed: Callable[[], EmbedFn | None] | None = None) -> list[dict]:
    """Judge every line of ANSWERS ({"id", "answer"}) against the line of REFS ({"id",
    "instruction", "response"}) with the same id, every other reference (and the policy text)
    being what is known. Returns [{"id", "correct", "category", "reason"}] in the order of ANSWERS.
    BadInput (exit 2) naming each bad line when a line is not JSON, lacks a field, repeats a
    reference id, or names an id that REFS does not have. `load_embed` is called (once the files
    are known to be good) when no `embed` is given."""
    from pathlib import Path

    from engine.workspace.errors import BadInput

    problems: list[str] = []
    refs = _read_lines(refs_path, "REFS", ("id", "response"), problems)
    answers = _read_lines(answers_path, "ANSWERS", ("id", "answer"), problems)
    by_id: dict[str, dict] = {}
    for n, r in refs:
        key = str(r["id"])
        if key in by_id:
            problems.append(f"REFS line {n}: id {key!r} appears twice")
            continue
        if "instruction" in r and not isinstance(r["instruction"], str):
            problems.append(f"REFS line {n}: 'instruction' must be a string")
            continue
        by_id[key] = r
    for n, a in answers:
        if str(a["id"]) not in by_id:
            problems.append(f"ANSWERS line {n}: id {str(a['id'])!r} is not in REFS")
    if not problems and not answers:
        problems.append(f"ANSWERS {answers_path} has no answers")
    if problems:
        def where(p: str) -> tuple:
            m = re.match(r"(\w+) line (\d+)", p)
            return (m.group(1) != "REFS", int(m.group(2))) if m else (True, 0)

        problems.sort(key=where)
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BadInput("; ".join(problems[:5]) + more)
    policy = None
    if policy_path:
        try:
            policy = Path(policy_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"Cannot read the policy file {policy_path}: {getattr(exc, 'strerror', None) or exc}") from None
    rows = [{"id": a["id"], "answer": a["answer"], "reference": by_id[str(a["id"])]["response"],
             "question": by_id[str(a["id"])].get("instruction")} for _n, a in answers]
    if embed is None and load_embed is not None:
        embed = load_embed()
    sims = cosine_pairs(embed, [r["answer"] for r in rows], [r["reference"] for r in rows]) if embed else None
    verdicts = judge_rows(rows, similarities=sims, policy=policy, refs=[r["response"] for r in by_id.values()])
    return [{"id": r["id"], "correct": v.correct, "category": v.category, "reason": v.reason}
            for r, v in zip(rows, verdicts)]
