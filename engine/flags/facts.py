"""Facts an answer states, in a form two answers can be compared on.

    extract_facts(text) -> list[Fact]
    differing_facts(a_facts, b_facts) -> list[tuple[Fact, Fact]]

A `Fact` is a value with a *dimension*: two facts can only agree or disagree when their
dimensions are equal ("12 days" and "2 weeks" are both `duration`; "12 days" and "$500" are
never compared). What is recognised (English):

| dimension            | examples                                   | value (normalised)            |
|----------------------|--------------------------------------------|-------------------------------|
| duration             | 12 days, two weeks, 48 hours, 3-5 working days, a month | (lo, hi) in days     |
| amount:<CUR>         | $1,500, 1500 USD, Rs. 5,000, €20, 200 dollars | (lo, hi) in that currency  |
| percentage           | 10%, 12.5 percent, ten per cent            | (lo, hi)                      |
| size                 | 10 GB, 500 MB, 2 TB                        | (lo, hi) in MB                |
| date                 | March 31, 31st March, 2024-03-31           | "MM-DD" or ISO "YYYY-MM-DD"   |
| day_of_month         | the 25th (of each month)                   | day number                    |
| weekday              | on Friday                                  | weekday name                  |
| time                 | 5 pm, 9:30 AM, 17:00                       | minutes after midnight        |
| count:<noun>         | 3 devices, 5 failed attempts, 2 monitors   | (lo, hi)                      |
| yes_no               | an answer opening with "Yes" / "No"        | True / False                  |
| permission           | allowed, can, may / not allowed, cannot, prohibited | True / False         |

Bare numbers without a unit (ticket numbers, extensions, versions) are ignored on purpose.

`differing_facts` is the rule the conflict detector uses: for a dimension both answers state,
they disagree when each states a value the other does not (ranges match when they overlap).
So "12 days; carry over 5 days" against "30 days; carry over 5 days" disagrees (12 vs 30), while
an answer that merely omits a detail ("12 days") does not disagree with a fuller one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Fact", "extract_facts", "differing_facts", "same_value"]


@dataclass(frozen=True)
class Fact:
    """One stated fact.

    dimension: what kind of quantity it is; facts are only compared within one dimension.
    value: the normalised value: a (lo, hi) tuple of floats for quantities (lo == hi unless a
        range was written), a string for dates/weekdays, an int for times and days of month,
        a bool for yes_no / permission.
    text: the words as written ("12 days"), for explanations.
    start, end: character offsets of `text` in the source text.
    """

    dimension: str
    value: Any
    text: str
    start: int
    end: int

    @property
    def kind(self) -> str:
        """The family of the dimension: duration, amount, percentage, size, date, day_of_month,
        weekday, time, count, yes_no, permission."""
        return self.dimension.split(":", 1)[0]


# --- numbers ----------------------------------------------------------------------------------
_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
    "hundred": 100, "half": 0.5, "a couple of": 2, "a few": 3,
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORDNUM = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
_ANY_NUM = rf"(?:{_NUM}|{_WORDNUM})"
_RANGE_SEP = r"\s*(?:-|–|—|to|or)\s*"
# "a week" counts as one week only after these words (not "once a week", "per week")
_A_CONTEXT = r"(?:within|in|for|after|about|around|takes?|than|least|most|up to|over|under|only|just)"


def _num(token: str) -> float:
    token = token.strip().lower()
    if token in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[token])
    return float(token.replace(",", ""))


def _qty(m: re.Match) -> tuple[float, float]:
    lo = _num(m.group("lo"))
    hi = _num(m.group("hi")) if m.groupdict().get("hi") else lo
    return (min(lo, hi), max(lo, hi))


# --- durations --------------------------------------------------------------------------------
_DURATION_UNITS = {
    "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24, "hr": 1 / 24, "day": 1.0,
    "week": 7.0, "wk": 7.0, "fortnight": 14.0, "month": 30.0, "year": 365.0, "yr": 365.0,
}
_DUR_UNIT = r"(?P<unit>minutes?|mins?|hours?|hrs?|(?:working |business |calendar |work )?days?|weeks?|wks?|fortnights?|months?|years?|yrs?)\b"
_DURATION_RE = re.compile(
    rf"\b(?P<lo>{_ANY_NUM})(?:{_RANGE_SEP}(?P<hi>{_ANY_NUM}))?[\s-]*{_DUR_UNIT}", re.I)
_A_DURATION_RE = re.compile(
    rf"\b{_A_CONTEXT}\s+(?:a|an|one)\s+(?P<unit>minute|hour|day|week|fortnight|month|year)\b", re.I)

# --- money ------------------------------------------------------------------------------------
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY"}
_CURRENCY_WORDS = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "inr": "INR", "rs": "INR", "rs.": "INR",
    "rupee": "INR", "rupees": "INR",
}
_MULT = r"(?P<mult>k|K|m|M|million|thousand)?"
_MONEY_PREFIX_RE = re.compile(
    rf"(?P<cur>[$€£₹¥]|\b(?:USD|EUR|GBP|INR|Rs\.?)\s?)(?P<lo>{_NUM})\s?{_MULT}"
    rf"(?:{_RANGE_SEP}(?:[$€£₹¥]|USD|EUR|GBP|INR|Rs\.?)?\s?(?P<hi>{_NUM})\s?(?P<mult2>k|K|million|thousand)?)?\b")
_MONEY_SUFFIX_RE = re.compile(
    rf"\b(?P<lo>{_NUM})(?:{_RANGE_SEP}(?P<hi>{_NUM}))?\s?{_MULT}\s?(?P<cur>USD|EUR|GBP|INR|dollars?|euros?|pounds?|rupees?)\b",
    re.I)

# --- percentages, sizes -----------------------------------------------------------------------
_PERCENT_RE = re.compile(
    rf"\b(?P<lo>{_ANY_NUM})(?:\s?%?{_RANGE_SEP}(?P<hi>{_ANY_NUM}))?\s?(?:%|\bper ?cent\b)", re.I)
_SIZE_UNITS = {"kb": 1 / 1024, "mb": 1.0, "gb": 1024.0, "tb": 1024.0 ** 2}
_SIZE_RE = re.compile(rf"\b(?P<lo>{_NUM})(?:{_RANGE_SEP}(?P<hi>{_NUM}))?\s?(?P<unit>KB|MB|GB|TB)\b", re.I)

# --- dates and times --------------------------------------------------------------------------
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_ORD = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DATE_MD_RE = re.compile(rf"\b{_MONTH}\s+{_ORD}\b(?:,?\s*(?P<year>(?:19|20)\d\d))?")
_DATE_DM_RE = re.compile(rf"\b{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s*(?P<year>(?:19|20)\d\d))?\b")
_DATE_ISO_RE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b")
_MONTH_DAY_RE = re.compile(r"\b(?:the\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)\s+of\s+(?:the|each|every|this|next|the following|following)\s+month\b", re.I)
_LAST_DAY_RE = re.compile(r"\b(?P<which>last|first)\s+(?P<kind>working\s+|business\s+|calendar\s+)?day\s+of\s+(?:the|each|every|this|next|the following)\s+month\b", re.I)
_DAY_OF_MONTH_RE = re.compile(r"\bthe\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))", re.I)
_WEEKDAY_RE = re.compile(r"\b(?:on|by|every|each|until|before|after)\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b", re.I)
_TIME_RE = re.compile(r"\b(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d))?\s?(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])", re.I)
_TIME24_RE = re.compile(r"\b(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)\b(?!\s?(?:a\.?m|p\.?m))", re.I)

# --- counts of things -------------------------------------------------------------------------
_COUNT_RE = re.compile(rf"\b(?P<lo>{_ANY_NUM})(?:{_RANGE_SEP}(?P<hi>{_ANY_NUM}))?\s+(?P<noun>[A-Za-z][A-Za-z-]{{2,}})(?:\s+(?P<noun2>[A-Za-z][A-Za-z-]{{2,}}))?")
_NOT_A_COUNT_NOUN = {
    "and", "or", "the", "to", "of", "in", "on", "at", "for", "per", "by", "with", "from", "is", "are",
    "was", "were", "will", "can", "may", "a", "an", "as", "if", "so", "but", "times", "time", "am", "pm",
    "percent", "per", "cent", "more", "less", "than", "or", "more", "after", "before", "then", "that",
    "this", "these", "those", "you", "your", "we", "our", "they", "it", "its", "be", "has", "have",
    "should", "must", "would", "could", "not", "no", "yes", "each", "every", "also", "only", "other",
}
_COUNT_EXCLUDE_NOUNS = set(_DURATION_UNITS) | {"working", "business", "calendar", "work", "days", "hours",
                                               "minutes", "weeks", "months", "years", "mins", "hrs",
                                               "dollars", "euros", "pounds", "rupees", "usd", "eur", "gbp",
                                               "inr", "kb", "mb", "gb", "tb", "fortnight", "fortnights"}

# --- yes/no and permission ---------------------------------------------------------------------
# a sentence that opens with yes / no (after a greeting or "Thanks for your question.")
_OPEN = r"(?:^|[.!?]\s+|\n\s*)\W*"
_YES_RE = re.compile(_OPEN + r"(?P<w>yes|yep|yeah|absolutely)\b", re.I)
_NO_RE = re.compile(_OPEN + r"(?P<w>no|nope|unfortunately not|not at the moment)\b(?!\s+(?:problem|worries|need|longer|one|more|other))", re.I)
_DENY = (r"\b(?:cannot|can ?not|can't|can’t|may not|must not|mustn't|are not allowed|is not allowed|aren't allowed|"
         r"isn't allowed|not allowed|not permitted|is not permitted|are not permitted|prohibited|forbidden|"
         r"not eligible|ineligible|isn't possible|is not possible|not possible|won't be able|will not be able|"
         r"do not allow|does not allow|doesn't allow|don't allow|never allowed|not be carried|cannot be carried|"
         r"no longer allowed|no longer permitted|is not supported|isn't supported|not supported|are blocked|is blocked|"
         r"lapses?|are lapsed|expires? unused|is forfeited|are forfeited)\b")
_ALLOW = (r"\b(?:you can|you may|are allowed|is allowed|are permitted|is permitted|allowed to|permitted to|"
          r"eligible|is possible|it's possible|you are able|can be carried|may be carried|can carry|"
          r"is supported|are supported|supported on|we allow|allows)\b")
_DENY_RE = re.compile(_DENY, re.I)
_ALLOW_RE = re.compile(_ALLOW, re.I)


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)


def extract_facts(text: str | None) -> list[Fact]:
    """The comparable facts stated in `text`, in order of appearance (see the module docstring
    for what is recognised). Never raises; returns [] for empty or unparseable text."""
    if not text:
        return []
    text = str(text)[:20000]
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def add(dim: str, value: Any, m_start: int, m_end: int) -> None:
        if _overlaps(taken, m_start, m_end):
            return
        taken.append((m_start, m_end))
        facts.append(Fact(dim, value, text[m_start:m_end].strip(), m_start, m_end))

    # most specific first: money, percentages, sizes, dates/times, durations, then counts
    for rx in (_MONEY_PREFIX_RE, _MONEY_SUFFIX_RE):
        for m in rx.finditer(text):
            cur = m.group("cur").strip()
            code = _CURRENCY_SYMBOLS.get(cur) or _CURRENCY_WORDS.get(cur.lower().rstrip("."), None) \
                or _CURRENCY_WORDS.get(cur.lower()) or cur.upper()
            lo, hi = _qty(m)
            mult = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get((m.group("mult") or "").lower(), 1.0)
            add(f"amount:{code}", (lo * mult, hi * mult), m.start(), m.end())
    for m in _PERCENT_RE.finditer(text):
        add("percentage", _qty(m), m.start(), m.end())
    for m in _SIZE_RE.finditer(text):
        f = _SIZE_UNITS[m.group("unit").lower()]
        lo, hi = _qty(m)
        add("size", (lo * f, hi * f), m.start(), m.end())
    for rx in (_DATE_ISO_RE, _DATE_MD_RE, _DATE_DM_RE):
        for m in rx.finditer(text):
            mon = m.group("mon")
            month = int(mon) if mon.isdigit() else _MONTHS.get(mon.lower().rstrip(".")[:4] if mon.lower().startswith("sept") else mon.lower().rstrip(".")[:3])
            if not month and mon.lower() in _MONTHS:
                month = _MONTHS[mon.lower()]
            day = int(m.group("day"))
            if not month or not 1 <= day <= 31:
                continue
            year = m.group("year")
            value = f"{year}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
            add("date", value, m.start(), m.end())
    for m in _MONTH_DAY_RE.finditer(text):
        day = int(m.group("day"))
        if 1 <= day <= 31:
            nxt = "following" in m.group(0).lower() or "next" in m.group(0).lower()
            add("day_of_month", f"{day} (next month)" if nxt else day, m.start(), m.end())
    for m in _LAST_DAY_RE.finditer(text):
        kind = (m.group("kind") or "").strip().lower()
        add("day_of_month", f"{m.group('which').lower()} {kind + ' ' if kind else ''}day", m.start(), m.end())
    for m in _DAY_OF_MONTH_RE.finditer(text):
        day = int(m.group("day"))
        if 1 <= day <= 31:
            add("day_of_month", day, m.start(), m.end())
    for m in _WEEKDAY_RE.finditer(text):
        add("weekday", m.group("wd").capitalize(), m.start("wd"), m.end("wd"))
    for m in _TIME_RE.finditer(text):
        h = int(m.group("h")) % 12 + (12 if m.group("ap").lower().startswith("p") else 0)
        add("time", h * 60 + int(m.group("m") or 0), m.start(), m.end())
    for m in _TIME24_RE.finditer(text):
        add("time", int(m.group("h")) * 60 + int(m.group("m")), m.start(), m.end())
    for m in _DURATION_RE.finditer(text):
        unit = m.group("unit").lower().split()[-1].rstrip("s")
        f = _DURATION_UNITS.get(unit) or _DURATION_UNITS.get(unit[:3], 1.0)
        lo, hi = _qty(m)
        add("duration", (round(lo * f, 4), round(hi * f, 4)), m.start(), m.end())
    for m in _A_DURATION_RE.finditer(text):
        f = _DURATION_UNITS[m.group("unit").lower()]
        add("duration", (f, f), m.start("unit") - 2 if text[m.start("unit") - 2] == "a" else m.start(), m.end())
    for m in _COUNT_RE.finditer(text):
        noun = m.group("noun").lower()
        if noun in _NOT_A_COUNT_NOUN or noun in _COUNT_EXCLUDE_NOUNS:
            continue
        if _qty(m)[1] >= 1000:  # ticket, asset and version numbers, not counts of things
            continue
        # "3 failed attempts": the thing counted is the second word when the first is an adjective-ish
        key = noun
        noun2 = (m.group("noun2") or "").lower()
        if noun2 and noun.endswith(("ed", "al", "ive", "ary")) and noun2 not in _NOT_A_COUNT_NOUN:
            key = noun2
        key = key[:-1] if key.endswith("s") and not key.endswith("ss") else key
        end = m.end("noun2") if key != noun.rstrip("s") and noun2 else m.end("noun")
        add(f"count:{key}", _qty(m), m.start(), end)

    # yes / no: the first sentence that opens with one
    head = text[:600]
    my, mn = _YES_RE.search(head), _NO_RE.search(head)
    if my and (not mn or my.start() < mn.start()):
        facts.append(Fact("yes_no", True, my.group("w"), my.start("w"), my.end("w")))
    elif mn:
        facts.append(Fact("yes_no", False, mn.group("w"), mn.start("w"), mn.end("w")))
    # permission: every allowed / not-allowed phrase (denials first: "not allowed" contains "allowed")
    deny_spans: list[tuple[int, int]] = []
    for m in _DENY_RE.finditer(text):
        deny_spans.append((m.start(), m.end()))
        facts.append(Fact("permission", False, m.group(0), m.start(), m.end()))
    for m in _ALLOW_RE.finditer(text):
        if _overlaps(deny_spans, m.start(), m.end()):
            continue
        # "not eligible" style negation right before the phrase
        before = text[max(0, m.start() - 12):m.start()].lower()
        if re.search(r"\b(?:not|never|no longer)\s+$", before):
            facts.append(Fact("permission", False, text[m.start() - len(before.split()[-1]) - 1:m.end()].strip(),
                              m.start(), m.end()))
            continue
        facts.append(Fact("permission", True, m.group(0), m.start(), m.end()))
    facts.sort(key=lambda f: f.start)
    return facts


def same_value(a: Fact, b: Fact) -> bool:
    """Do two facts of one dimension state the same value? Ranges match when they overlap;
    numbers match within 1%."""
    if a.dimension != b.dimension:
        return False
    va, vb = a.value, b.value
    if isinstance(va, tuple) and isinstance(vb, tuple):
        lo_a, hi_a = va
        lo_b, hi_b = vb
        tol = 0.01 * max(abs(hi_a), abs(hi_b), 1e-9)
        return lo_a <= hi_b + tol and lo_b <= hi_a + tol
    return va == vb


def differing_facts(a: list[Fact], b: list[Fact]) -> list[tuple[Fact, Fact]]:
    """For each dimension both lists state: when `a` states a value `b` does not AND `b` states a
    value `a` does not, return one (fact of a, fact of b) that differ. Empty when they agree."""
    out: list[tuple[Fact, Fact]] = []
    dims_a: dict[str, list[Fact]] = {}
    dims_b: dict[str, list[Fact]] = {}
    for f in a:
        dims_a.setdefault(f.dimension, []).append(f)
    for f in b:
        dims_b.setdefault(f.dimension, []).append(f)
    for dim, fa in dims_a.items():
        fb = dims_b.get(dim)
        if not fb:
            continue
        only_a = [x for x in fa if not any(same_value(x, y) for y in fb)]
        only_b = [y for y in fb if not any(same_value(x, y) for x in fa)]
        if only_a and only_b:
            out.append((only_a[0], only_b[0]))
    return out
