"""The values the evaluation judge compares: every fact of engine.flags.facts (the extractor
the claims index and the conflict flags use) plus the forms an answer often uses that it leaves
out ("the end of March", "a fortnight", "time and a half", weekday ranges, "8 in the morning"),
and `Knowledge`, what the organisation is known to say.

    claims_of(text) -> list[Fact] ; quantities(facts) -> list[Fact]
    same_value(a, b) / loosely_same(a, b) / rates_clash(a, b) -> bool ; value_text(f) -> str
    Knowledge.from_texts(texts, policy=None) ; knowledge.add(text) / knows(f, words) / mentions(phrase)
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

from engine.evaluate.judge_idioms import (BARE_NUMBER_RE, LAST_DAY, MONTH_NAMES, PERIOD_DAYS, frequency_facts, idiom_facts,
                                          make_fact, override_facts)
from engine.evaluate.judge_text import STOPWORDS, Span, coverage, sentences, stem
from engine.flags import claims as _claims, facts as _facts

Fact = _facts.Fact
POLARITY_KINDS = ("yes_no", "permission")

# --- claims: the shared extractor plus what the judge also reads --------------------------------
_MONTH_RE = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b")
_END_OF_MONTH_RE = re.compile(r"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+(?P<mon>January|February|March|April|May|June|July|"
                              r"August|September|October|November|December)\b", re.I)
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

    idiom_facts(text, add, taken)
    for m in _END_OF_MONTH_RE.finditer(text):
        mon = MONTH_NAMES.index(m.group("mon").lower()) + 1
        add(make_fact("date", f"{mon:02d}-{LAST_DAY[mon]:02d}", text, m.start(), m.end()))
    for m in _WEEKDAY_RANGE_RE.finditer(text):
        add(make_fact("weekdays", f"{m.group('a').capitalize()}-{m.group('b').capitalize()}", text, m.start(), m.end()))
    for m in _WEEKDAYS_RE.finditer(text):
        add(make_fact("weekdays", "Monday-Friday", text, m.start(), m.end()))
    for m in _MULTIPLIER_RE.finditer(text):
        n = m.group("n")
        v = 1.5 if n is None else _WORD_MULT.get(n.lower(), None) or float(n)
        add(make_fact("multiplier", (v, v), text, m.start(), m.end()))
    for m in _DAYPART_RE.finditer(text):
        h = int(m.group("h")) % 12 + (12 if (m.group("part") or "night").lower() != "morning" else 0)
        add(make_fact("time", h * 60, text, m.start(), m.end()))
    for m in _TIME24_ANY_RE.finditer(text):
        add(make_fact("time", int(m.group("h")) * 60 + int(m.group("m")), text, m.start(), m.end()))
    for m in _DATE_SLASH_RE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        day, month = (b, a) if b > 12 >= a else (a, b)
        year = m.group("year") if len(m.group("year")) == 4 else "20" + m.group("year")
        if 1 <= day <= 31 and 1 <= month <= 12:
            add(make_fact("date", f"{year}-{month:02d}-{day:02d}", text, m.start(), m.end()))
    for m in _HALF_RE.finditer(text):
        d = _facts.DURATION_UNITS[m.group("unit").lower()] / 2
        add(make_fact("duration", (d, d), text, m.start(), m.end()))
    for m in _FORTNIGHT_RE.finditer(text):
        unit = (m.group("unit") or "fortnight").lower()
        d = _facts.DURATION_UNITS[unit]
        add(make_fact("duration", (d, d), text, m.start(), m.end()))
    for m in _ORDINAL_AFTER_RE.finditer(text):
        add(make_fact(f"ordinal:{m.group('noun').lower()}", float(m.group("n")), text, m.start(), m.end()))
    for m in _ORDINAL_BEFORE_RE.finditer(text):
        w = m.group("w").lower()
        n = _ORDINAL_WORDS.get(w) or int(re.match(r"\d+", w).group(0))
        add(make_fact(f"ordinal:{m.group('noun').lower()}", float(n), text, m.start(), m.end()))
    for m in _HALF_PERCENT_RE.finditer(text):
        add(make_fact("percentage", (50.0, 50.0), text, m.start(), m.end()))
    quantity_ends = [b for a, b in taken]
    for m in _A_UNIT_RE.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        clause_start = max(before.rfind(","), before.rfind(";"), before.rfind("."), before.rfind(":"))
        near = any(m.start() - 40 <= b <= m.start() and (clause_start < 0 or b > m.start() - 40 + clause_start)
                   for b in quantity_ends)
        in_clause = before[clause_start + 1:] if clause_start >= 0 else before
        if near or _RATE_LEAD_RE.search(before) or BARE_NUMBER_RE.search(in_clause):
            continue  # "sixty pounds a year": the period of a value
        d = _facts.DURATION_UNITS[m.group("unit").lower()]
        add(make_fact("duration", (d, d), text, m.start(), m.end()))
    for m in _MEASURE_RE.finditer(text):
        unit = m.group("unit").lower()
        unit = {"kilo": "kg", "kilos": "kg", "kilometre": "km", "kilometres": "km", "mile": "mile", "miles": "mile",
                "metre": "m", "metres": "m"}.get(unit, unit)
        v = float(m.group("n"))
        add(make_fact(f"measure:{unit}", (v, v), text, m.start(), m.end()))
    for m in _claims.UNLIMITED_RE.finditer(text):  # "unlimited", "no upper limit": the claims index's reading
        add(make_fact("unlimited", "unlimited", text, m.start(), m.end()))
    for m in _WEEKDAY_ANY_RE.finditer(text):
        add(make_fact("weekday", m.group("wd").capitalize(), text, m.start("wd"), m.end("wd")))
    for m in _MONTH_RE.finditer(text):
        add(make_fact("month", m.group(1).lower(), text, m.start(), m.end()))
    frequency_facts(text, add, taken)
    return out


_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")
_RATE_FALLBACK_RE = re.compile(r"^\s*(?P<lead>per|a|an|each|every)\s+(?P<words>(?:[A-Za-z]+\s*){1,4})", re.I)
_RATE_ADJECTIVES = {"black", "white", "and", "colour", "color", "extra", "additional", "single", "return", "standard"}


_HYPHEN_MILLION_RE = re.compile(r"-(million|billion)\b", re.I)


def _rekey_count(text: str, f: Fact) -> Fact:
    """"5 free pages", "twenty unpaid days": the thing counted is the plural noun after an
    adjective ("10 monthly instalments": per month); a count of days, weeks, months or years is
    a duration. "The 1st of the next month" is the 1st of the following month; "$70-million"
    is 70 million (a form of MSRP's news sentences)."""
    big = _HYPHEN_MILLION_RE.match(text, f.end) if f.dimension.startswith("amount:") else None
    if big and isinstance(f.value, tuple):
        k = 1e6 if big.group(1).lower() == "million" else 1e9
        return replace(f, value=(f.value[0] * k, f.value[1] * k), text=text[f.start:big.end()], end=big.end())
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
    if nxt in STOPWORDS:
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
    if noun in STOPWORDS or noun in _RATE_ADJECTIVES or noun in ("time",):
        return f
    noun = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    return replace(f, rate=noun)


_FUNCTION_COUNTS = frozenset(f"count:{w}" for w in ("there", "until", "till", "then", "is", "are", "was", "and", "or",
                                                   "if", "when", "so", "it", "they", "we", "you"))


def _not_a_count(f: Fact) -> bool:
    """"The first one comes", "a couple": "one" and "a" are rarely counts of things."""
    return f.dimension.startswith("count:") and f.text.lower().split()[0] in ("one", "a", "an") or \
        f.dimension in ("count:past", "count:to") or \
        f.dimension in _FUNCTION_COUNTS  # "week 4 there is", "ten until one": no thing counted


def claims_of(text: str) -> list[Fact]:
    """The claims of a text the judge compares, in order: every fact of engine.flags.facts (the
    extractor the claims index of engine.flags.claims and the conflict flags use) and the extra
    forms of `_extra_facts`, with their rate, subject and context filled in by the same code."""
    text = str(text or "")[:20000]
    over = override_facts(text)
    base = [_rekey_count(text, f) for f in _facts.extract_facts(text) if not _not_a_count(f)]
    base = [f for f in base if f.kind in POLARITY_KINDS or all(f.end <= o.start or f.start >= o.end for o in over)]
    taken = [(f.start, f.end) for f in base if f.kind not in POLARITY_KINDS] + [(o.start, o.end) for o in over]
    extra = over + _extra_facts(text, taken)
    if extra:
        raw = [replace(f, rate=None, subject="", of_phrase="", before="", after="", context="") for f in base] + extra
        raw.sort(key=lambda f: f.start)
        base = [_as_frequency(f) for f in _facts.annotate(text, raw)]
    return [_rate_fallback(text, f) for f in base]


def _as_frequency(f: Fact) -> Fact:
    """How often, as the facts module writes it ("every 2 weeks": a duration with rate "every"):
    an idiom's frequency ("fortnightly"), and "3 times a week" (a multiplier per week)."""
    if f.dimension == "frequency":
        return replace(f, dimension="duration", rate="every", subject="", of_phrase="")
    if f.dimension == "multiplier" and f.rate in PERIOD_DAYS and f.text.lower().rstrip().endswith("times"):
        lo, hi = PERIOD_DAYS[f.rate]
        return replace(f, dimension="duration", value=(lo / f.value[0], hi / f.value[1]), rate="every")
    return f


def quantities(facts: Iterable[Fact]) -> list[Fact]:
    """The facts that are values (not yes/no or allowed/forbidden)."""
    return [f for f in facts if f.kind not in POLARITY_KINDS]


def value_text(f: Fact) -> str:
    """The value as a reason shows it: as written, with its period ("12 days per month")."""
    return f.text + (f" per {f.rate}" if f.rate and f.rate not in f.text.lower() and not f.rate.startswith("every") else "")


def same_value(a: Fact, b: Fact) -> bool:
    """The same dimension and value (engine.flags.facts.same_value; weekday ranges as written)."""
    if a.dimension != b.dimension:
        return False
    if a.dimension == "weekdays":
        return a.value == b.value
    if a.dimension == "date" and isinstance(a.value, str) and isinstance(b.value, str) and \
            len(a.value) != len(b.value):  # "1 January" and "1 January 2027": a year left out is no other date
        return a.value[-5:] == b.value[-5:]
    return _facts.same_value(a, b)


def loosely_same(a: Fact, b: Fact) -> bool:
    """Same value, counting "ten payments" and "10 instalments" as the same number."""
    if same_value(a, b):
        return True
    return (a.dimension.startswith("count:") and b.dimension.startswith("count:")
            and isinstance(a.value, tuple) and a.value == b.value)


def rates_clash(a: Fact, b: Fact) -> bool:
    """Both values state a period or unit and they differ ("per month" / "per year")."""
    return a.rate is not None and b.rate is not None and a.rate != b.rate


_UNIT_WORDS = {stem(w) for w in ("day", "days", "week", "weeks", "month", "months", "year", "years", "hour",
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
        if not any(same_value(f, g) and not rates_clash(f, g) for g in self.facts):
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


