"""Facts an answer states, in a form two answers can be compared on.

    extract_facts(text) -> list[Fact]
    differing_facts(a_facts, b_facts) -> list[tuple[Fact, Fact]]

Also public, for readers that add forms of their own (the evaluation judge does):

    annotate(text, facts) -> list[Fact]     # fill rate, subject, before/after, context of each fact
    number_value(token) -> float            # "twenty-five" -> 25.0, "1,500" -> 1500.0
    WORD_NUMBERS                            # number words read as numbers ("a fortnight" is not one)
    DURATION_UNITS                          # a duration unit's length in days ("week" -> 7.0)
    RATE_ADVERBS                            # "monthly" -> "month": the period an adverb states

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

Each quantity fact also carries what it is about, read from the words around it:
- `rate`: the rate or period it is stated per: "18 days per year" -> "year", "1 day per month"
  and "1 day on the 1st of every month" -> "month", "INR 7,000 per night" -> "night",
  "expire every 90 days" -> "every", "INR 5,000 every 2 years" -> "every 730d"; None when none.
- `subject`: the noun phrase it measures, lower case: "Probation is 6 months" -> "probation",
  "the notice period is 30 days" -> "notice period", "it is 60 days" -> the subject of the fact
  before it; "" when unknown ("Employees get 30 days": who gets it is not what is measured);
  `of_phrase`: the noun phrase after it, "12 days of earned leave" -> "earned leave". Two facts
  share a subject when these words overlap (`fact_terms`), and clash when both have some and
  none overlap.
- `before` / `after` / `context`: the few words just before and after it, and its clause.

`differing_facts` is the rule the conflict detector uses (`align_facts` shows its working):
1. a fact one answer states and the other states too (same kind, same value, no clashing rate)
   is agreement and takes no further part;
2. the remaining facts are paired across the answers, best context match first (same subject,
   same words before/after: "up to 4% of your base salary" pairs with "up to 6% of your base
   salary", not with "100% of your contributions");
3. two facts are only compared when what they measure can be the same: the same rate ("18 days
   per year" is never compared with "1 day per month"; a fact with no rate only with one whose
   subject it shares) and no clashing subjects ("Probation is 6 months" is not compared with
   "the notice period is 30 days", unless the caller knows the questions are the same);
4. each such pair with different values is a disagreement.
So "12 days; carry over 5 days" against "30 days; carry over 5 days" disagrees (12 vs 30), while
an answer that merely omits a detail ("12 days") does not disagree with a fuller one.
yes_no and permission facts are compared as a whole (the first differing value of each).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Fact", "extract_facts", "differing_facts", "same_value", "align_facts", "Alignment",
           "comparable", "subjects_clash", "context_score", "fact_phrase", "fact_terms", "about",
           "annotate", "number_value", "WORD_NUMBERS", "DURATION_UNITS", "RATE_ADVERBS"]


@dataclass(frozen=True)
class Fact:
    """One stated fact.

    dimension: what kind of quantity it is; facts are only compared within one dimension.
    value: the normalised value: a (lo, hi) tuple of floats for quantities (lo == hi unless a
        range was written), a string for dates/weekdays, an int for times and days of month,
        a bool for yes_no / permission.
    text: the words as written ("12 days"), for explanations.
    start, end: character offsets of `text` in the source text.
    rate: what the quantity is stated per ("year", "month", "night", "every"...) or None.
    subject: the noun phrase it measures ("notice period"), lower case; "" when unknown.
    of_phrase: the noun phrase after it ("12 days OF EARNED LEAVE"), lower case, or "".
    before, after: up to 3 words just before / 4 words just after it, in its clause.
    context: its clause (at most 200 characters).
    """

    dimension: str
    value: Any
    text: str
    start: int
    end: int
    rate: str | None = None
    subject: str = ""
    of_phrase: str = ""
    before: str = ""
    after: str = ""
    context: str = ""

    @property
    def kind(self) -> str:
        """The family of the dimension: duration, amount, percentage, size, date, day_of_month,
        weekday, time, count, yes_no, permission."""
        return self.dimension.split(":", 1)[0]


# --- numbers ----------------------------------------------------------------------------------
# Public: the number words extract_facts reads as numbers, lower case -> value ("twenty-five",
# "twenty five", "a couple of", "half"); every number word in a quantity is one of these.
WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
    "hundred": 100, "half": 0.5, "a couple of": 2, "a few": 3,
}
# "twenty-five", "thirty one": compound numbers (a bare "twenty-five days" was read as 5 days)
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
for _t, _tv in _TENS.items():
    WORD_NUMBERS.setdefault(_t, _tv)
    for _u, _uv in _UNITS.items():
        WORD_NUMBERS[f"{_t}-{_u}"] = WORD_NUMBERS[f"{_t} {_u}"] = _tv + _uv
_NUM = r"(?:\d{1,3}(?:,\d{2})+,\d{3}|\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # 1,500,000 and Indian 15,00,000
_WORDNUM = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
_ANY_NUM = rf"(?:{_NUM}|{_WORDNUM})"
_RANGE_SEP = r"\s*(?:-|–|—|to|or)\s*"
# "a week" counts as one week only after these words (not "once a week", "per week")
_A_CONTEXT = r"(?:within|in|for|after|about|around|takes?|than|least|most|up to|over|under|only|just)"


def number_value(token: str) -> float:
    """The value of a number as extract_facts reads it: a digit string with thousands commas
    ("1,500", "15,00,000") or a word of WORD_NUMBERS ("twenty-five" -> 25.0). ValueError otherwise."""
    token = token.strip().lower()
    if token in WORD_NUMBERS:
        return float(WORD_NUMBERS[token])
    return float(token.replace(",", ""))


def _qty(m: re.Match) -> tuple[float, float]:
    lo = number_value(m.group("lo"))
    hi = number_value(m.group("hi")) if m.groupdict().get("hi") else lo
    return (min(lo, hi), max(lo, hi))


# --- durations --------------------------------------------------------------------------------
# Public: the length in days of each duration unit extract_facts reads ("month" is 30 days,
# "year" 365): a duration's value is (lo, hi) in these days.
DURATION_UNITS = {
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
_MULT = r"(?P<mult>k|K|m|M|million|thousand|lakhs?|lacs?|crores?|cr)?"  # 1.5 lakh = 150,000; 1 crore = 10 million
_MONEY_PREFIX_RE = re.compile(
    rf"(?P<cur>[$€£₹¥]|\b(?:USD|EUR|GBP|INR|Rs\.?)\s?)(?P<lo>{_NUM})\s?{_MULT}"
    rf"(?:{_RANGE_SEP}(?:[$€£₹¥]|USD|EUR|GBP|INR|Rs\.?)?\s?(?P<hi>{_NUM})\s?(?P<mult2>k|K|million|thousand|lakhs?|lacs?|crores?|cr)?)?\b")
_MONEY_SUFFIX_RE = re.compile(
    rf"\b(?P<lo>{_NUM})(?:{_RANGE_SEP}(?P<hi>{_NUM}))?\s?{_MULT}\s?(?P<cur>USD|EUR|GBP|INR|dollars?|euros?|pounds?|rupees?)\b",
    re.I)

# --- percentages, sizes -----------------------------------------------------------------------
# pence: "45p per mile", "20 pence" (not "1080p" video, not "4p.m.")
_PENCE_RE = re.compile(r"\b(?P<lo>\d{1,2}(?:\.\d+)?)(?:p|\s?pence)\b(?!\.?\s?m\b)")
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
_COUNT_EXCLUDE_NOUNS = set(DURATION_UNITS) | {"working", "business", "calendar", "work", "days", "hours",
                                               "minutes", "weeks", "months", "years", "mins", "hrs",
                                               "dollars", "euros", "pounds", "rupees", "usd", "eur", "gbp",
                                               "inr", "kb", "mb", "gb", "tb", "fortnight", "fortnights"}

# --- yes/no and permission ---------------------------------------------------------------------
# a sentence that opens with yes / no (after a greeting or "Thanks for your question.")
_OPEN = r"(?:^|[.!?]\s+|\n\s*)\W*"
_YES_RE = re.compile(_OPEN + r"(?P<w>yes|yep|yeah|absolutely)\b", re.I)
_NO_RE = re.compile(_OPEN + r"(?P<w>no|nope|unfortunately not|not at the moment)\b(?!\s+(?:problem|worries|need|longer|one|more|other))(?!\.?\s*(?:\d|of\b))", re.I)  # not "No. 5", "No. of days"
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
            mult = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5,
                    "lacs": 1e5, "crore": 1e7, "crores": 1e7, "cr": 1e7}.get(
                (m.group("mult") or m.groupdict().get("mult2") or "").lower(), 1.0)  # "$1-2k": both in thousands
            add(f"amount:{code}", (lo * mult, hi * mult), m.start(), m.end())
    for m in _PENCE_RE.finditer(text):
        v = round(float(m.group("lo")) / 100, 4)
        add("amount:GBP", (v, v), m.start(), m.end())
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
        f = DURATION_UNITS.get(unit) or DURATION_UNITS.get(unit[:3], 1.0)
        lo, hi = _qty(m)
        add("duration", (round(lo * f, 4), round(hi * f, 4)), m.start(), m.end())
    for m in _A_DURATION_RE.finditer(text):
        f = DURATION_UNITS[m.group("unit").lower()]
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
    return annotate(text, facts)


_CALENDAR_UNIT_RE = re.compile(r"(?i)\b(?:(?P<m>months?)|(?P<y>years?|yrs?)|(?P<w>weeks?|wks?|fortnights?)|(?P<d>days?))\b")


def _calendar_unit(f: Fact) -> str:
    m = _CALENDAR_UNIT_RE.search(f.text)
    return m.lastgroup if m else ""


def same_value(a: Fact, b: Fact) -> bool:
    """Do two facts of one dimension state the same value? Ranges match when they overlap;
    numbers match within 1%, and a duration in months or years matches the same time in
    another unit within 2% (a month counts 30 days, so "12 months" is 360 days against 365 for
    "1 year", "6 months" 180 against 182 for "26 weeks")."""
    if a.dimension != b.dimension:
        return False
    va, vb = a.value, b.value
    if isinstance(va, tuple) and isinstance(vb, tuple):
        lo_a, hi_a = va
        lo_b, hi_b = vb
        rel = 0.01
        if a.dimension == "duration":
            ua, ub = _calendar_unit(a), _calendar_unit(b)
            if ua != ub and ({ua, ub} & {"m", "y"}):
                rel = 0.02
        tol = rel * max(abs(hi_a), abs(hi_b), 1e-9)
        return lo_a <= hi_b + tol and lo_b <= hi_a + tol
    return va == vb


# --- what a fact is about: rate, subject, context -----------------------------------------------
QUANTITY_KINDS = {"duration", "amount", "percentage", "size", "count", "date", "day_of_month", "weekday", "time"}
_TOKEN_RE = re.compile(r"[A-Za-z0-9](?:[\w'’-]|\([A-Za-z]\))*")
_SENTENCE_END_RE = re.compile(r"[.!?;]\s|[.!?;]$|\n")
_CLAUSE_END_RE = re.compile(r"[.!?;:]\s|[.!?;:]$|\n|,\s|\s[–—-]\s")
_RATE_UNITS = {
    "day": "day", "week": "week", "fortnight": "fortnight", "month": "month", "quarter": "quarter",
    "year": "year", "annum": "year", "night": "night", "trip": "trip", "claim": "claim", "person": "person",
    "head": "person", "employee": "person", "mile": "mile", "km": "km", "kilometre": "km", "kilometer": "km",
    "hour": "hour", "visit": "visit", "flight": "flight", "user": "user", "device": "device",
    "child": "child", "family": "family", "event": "event", "instalment": "instalment", "installment": "instalment",
}
# Public: the period an adverb or adjective states ("paid monthly", "an annual allowance") -> the
# `rate` a fact gets from it.
RATE_ADVERBS = {"daily": "day", "weekly": "week", "fortnightly": "fortnight", "monthly": "month",
                 "quarterly": "quarter", "yearly": "year", "annually": "year", "annual": "year", "nightly": "night",
                 "hourly": "hour"}
_RATE_AFTER_RE = re.compile(
    r"\b(?:per|a|an|each|every|/)\s*(?:calendar\s+|financial\s+|fiscal\s+|working\s+|business\s+)?"
    r"(?P<unit>days?|weeks?|fortnights?|months?|quarters?|years?|annum|nights?|trips?|claims?|persons?|heads?|"
    r"employees?|miles?|km|kilometres?|kilometers?|hours?|visits?|flights?|users?|devices?|child|family|events?|"
    r"instal?lments?)\b|\bp\.\s?a\.|\b(?P<adv>daily|weekly|fortnightly|monthly|quarterly|yearly|annually|nightly|hourly)\b",
    re.I)
_RATE_BEFORE_RE = re.compile(
    r"\b(?:(?P<adv>daily|weekly|fortnightly|monthly|quarterly|yearly|annual|annually|nightly|hourly)|"
    r"(?:per|each|every)\s+(?P<unit>day|week|month|quarter|year))\b", re.I)
_EVERY_N_RE = re.compile(rf"\bevery\s+(?P<lo>{_ANY_NUM})\s+(?P<unit>days?|weeks?|months?|years?)\b", re.I)

# words between a fact and the noun phrase it measures ("leave IS UP TO 5 days", "proofs MUST BE
# SUBMITTED BY 15 January"): skipped when looking back for the subject
_LEAD_IN = {
    "is", "are", "was", "were", "be", "been", "being", "will", "must", "can", "may", "should", "could",
    "would", "shall", "of", "up", "to", "at", "least", "most", "about", "around", "approximately", "roughly",
    "only", "just", "every", "each", "within", "after", "before", "by", "on", "until", "till", "for", "in",
    "than", "more", "less", "no", "not", "the", "a", "an", "over", "under", "maximum", "minimum", "max", "min",
    "usually", "typically", "normally", "generally", "currently", "now", "still", "also", "always", "paid",
    "set", "capped", "limited", "fixed", "due", "another", "additional", "extra", "full", "fully", "from",
    "starting", "effective", "once", "twice", "per", "then", "above", "below", "beyond", "past", "than",
}
# words that end a noun phrase looking back
_STOP = {
    "the", "a", "an", "your", "our", "my", "their", "its", "his", "her", "this", "that", "these", "those",
    "you", "we", "it", "they", "i", "he", "she", "there", "which", "who", "what", "when", "where", "how",
    "during", "after", "before", "in", "on", "for", "with", "from", "to", "of", "at", "by", "into", "within",
    "until", "about", "and", "or", "but", "so", "if", "once", "while", "as", "than", "then", "also",
    "is", "are", "was", "were", "be", "been", "will", "must", "can", "may", "should", "could", "would", "shall",
    "do", "does", "did", "not", "no", "any", "all", "each", "every", "some", "up", "please", "yes", "only",
    "anything", "everything", "nothing", "above", "below", "beyond", "over", "under", "past",
}
_PRONOUNS = {"it", "this", "that", "they", "these", "those", "which"}
_PERSONS = {"you", "we", "i", "they", "he", "she"}
_MODALS = {"will", "must", "can", "may", "should", "could", "would", "shall", "to", "do", "does", "did"}
# "Employees GET 30 days", "The company MATCHES 100%": who gets it stands before the verb, what is
# measured is the fact itself (or what follows it)
_HOLDER_VERBS = {
    "get", "gets", "receive", "receives", "earn", "earns", "claim", "claims", "take", "takes", "have", "has",
    "match", "matches", "pay", "pays", "cover", "covers", "offer", "offers", "provide", "provides", "give",
    "gives", "allow", "allows", "reimburse", "reimburses", "need", "needs", "apply", "applies", "submit",
    "submits", "add", "adds", "carry", "carries", "use", "uses", "request", "requests", "book", "books",
    "see", "sees", "enjoy", "enjoys", "avail", "avails", "keep", "keeps", "hold", "holds",
}
# "Passwords EXPIRE every 90 days": the subject stands before the verb
_VERBS = {
    "accrue", "accrues", "expire", "expires", "lock", "locks", "last", "lasts", "start", "starts", "run", "runs",
    "open", "opens", "close", "closes", "renew", "renews", "reset", "resets", "vest", "vests", "change",
    "changes", "begin", "begins", "end", "ends", "lapse", "lapses", "arrive", "arrives",
}
# words that say nothing about WHAT is measured ("the deadline is", "the limit is")
_GENERIC = {
    "deadline", "limit", "cap", "amount", "maximum", "minimum", "max", "min", "total", "number", "period",
    "duration", "length", "time", "date", "entitlement", "rule", "policy", "answer", "company",
    "employee", "employees", "staff", "everyone", "people", "user", "users", "team", "standard", "current",
    "new", "usual", "normal", "overall", "whole", "full", "usually", "generally", "typically",
} | {u + s for u in ("minute", "hour", "day", "week", "fortnight", "month", "year") for s in ("", "s")}
_CONTEXT_STOP = _STOP | _LEAD_IN | _GENERIC | {"per", "year", "years", "month", "months", "day", "days", "week", "weeks"}


def _stem(word: str) -> str:
    w = word.lower().strip("'’-").replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w[:6]


def _words(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def _clause_bounds(text: str, start: int, end: int, rx: re.Pattern = _CLAUSE_END_RE) -> tuple[int, int]:
    lo = 0
    for m in rx.finditer(text, max(0, start - 300), start):
        lo = m.end()
    m = rx.search(text, end)
    hi = m.start() if m else len(text)
    return lo, hi


def _subject_before(before: str) -> tuple[str, str]:
    """(noun phrase, how it ended) looking back from a fact through its clause: lead-in words
    ("is up to", "must be submitted by") are skipped, then content words collected up to a
    determiner, pronoun, preposition or verb. `how` is "pronoun" when an "it"/"this" ended it."""
    toks = _words(before)
    i = len(toks) - 1
    while i >= 0 and (toks[i].lower() in _LEAD_IN or (toks[i].lower().endswith("ed") and i > 0
                                                         and toks[i - 1].lower() in _LEAD_IN)):
        i -= 1
    phrase: list[str] = []
    while i >= 0:
        w = toks[i]
        lw = w.lower()
        if lw in _STOP or (w[0].isdigit() and not re.search(r"[A-Za-z]", w)):
            break
        phrase.insert(0, w)
        i -= 1
    ended = toks[i].lower() if i >= 0 else ""
    # "Employees GET", "you CLAIM up to", "you get REMINDERS": the holder and the verb go
    for k in range(len(phrase) - 1, -1, -1):
        if phrase[k].lower() in _HOLDER_VERBS:
            phrase = phrase[k + 1:]
            break
    else:
        if phrase and (ended in _PERSONS or ended in _MODALS):  # "can TAKE", "you SEE reminders"
            phrase = phrase[1:]
    # "Passwords EXPIRE every": the verb goes, its subject stays
    while phrase and phrase[-1].lower() in _VERBS:
        phrase.pop()
    if not phrase and ended in _PRONOUNS:
        return "", "pronoun"
    return " ".join(phrase), ""


_OF_NP_RE = re.compile(r"^\s*of\s+(?:(?:your|the|our|unused|fully|paid|additional|extra|any)\s+)*"
                       r"(?P<np>[A-Za-z][\w'’()-]*(?:\s+[A-Za-z][\w'’()-]*){0,2})")


def _subject_after(after: str) -> str:
    """The noun phrase of "12 days OF EARNED LEAVE" (up to three words, not past a stop word)."""
    m = _OF_NP_RE.match(after)
    if not m:
        return ""
    out = []
    for w in m.group("np").split():
        if w.lower() in _STOP or w.lower() in {"per", "a", "an"} or w.lower().rstrip("s") in _RATE_UNITS:
            break
        out.append(w)
    return " ".join(out)


def subject_terms(subject: str) -> frozenset[str]:
    """The stemmed content words of a subject, without generic ones ("deadline", "limit")."""
    return frozenset(_stem(w) for w in _words(subject) if w.lower() not in _GENERIC and w.lower() not in _STOP)


def fact_terms(f: Fact) -> frozenset[str]:
    """What a fact is about, as stemmed words: its subject and the noun phrase after it."""
    return subject_terms(f.subject) | subject_terms(f.of_phrase)


def about(f: Fact) -> str:
    """What a fact is about, in words ("notice period", "earned leave"), or ""."""
    if subject_terms(f.subject):
        return f.subject
    return f.of_phrase if subject_terms(f.of_phrase) else ""


def _rate(text: str, f: Fact, facts: list[Fact]) -> str | None:
    # after the fact, in its clause, not past another fact of the same dimension
    lo, hi = _clause_bounds(text, f.start, f.end)
    for g in facts:
        if g.start >= f.end and g.dimension == f.dimension and g is not f:
            hi = min(hi, g.start)
            break
    window = text[f.end:hi]
    words_seen = 0
    for m in _RATE_AFTER_RE.finditer(window):
        words_seen = len(_words(window[:m.start()]))
        if words_seen > 6:
            break
        if m.group("adv"):
            return RATE_ADVERBS[m.group("adv").lower()]
        unit = (m.group("unit") or "year").lower()
        unit = unit[:-1] if unit.endswith("s") and unit[:-1] in _RATE_UNITS else unit
        return _RATE_UNITS.get(unit, unit)
    m = _EVERY_N_RE.search(text, f.end, hi)
    if m and f.kind != "duration" and len(_words(text[f.end:m.start()])) <= 3:
        unit = m.group("unit").lower().rstrip("s")
        return f"every {round(number_value(m.group('lo')) * DURATION_UNITS[unit])}d"
    before = text[lo:f.start]
    if f.kind == "duration" and re.search(r"\b(?:every|each)\s*$", before, re.I):
        return "every"
    mb = None
    for mb in _RATE_BEFORE_RE.finditer(before):
        pass
    if mb and len(_words(before[mb.end():])) <= 4:
        key = (mb.group("adv") or mb.group("unit")).lower()
        return RATE_ADVERBS.get(key, _RATE_UNITS.get(key, key))
    return None


def _lower(phrase: str) -> str:
    """Lower case, but acronyms ("VPN", "401(k)") as written."""
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in phrase.split())


def annotate(text: str, facts: list[Fact]) -> list[Fact]:
    """Fill rate, subject, before/after and context of each quantity fact of `text`, and
    before/after/context of the others (see the module doc). `facts` are in text order, read
    from `text` by extract_facts or by a caller with forms of its own; returns new facts."""
    out: list[Fact] = []
    last_subject: dict[str, str] = {}
    prev_end = 0
    for f in facts:
        lo, hi = _clause_bounds(text, f.start, f.end)
        if f.kind in QUANTITY_KINDS:  # not back past the fact before it ("1 day on the 1st")
            lo = max(lo, min(prev_end, f.start))
            prev_end = max(prev_end, f.end)
        before_text, after_text = text[lo:f.start], text[f.end:hi]
        bw, aw = _words(before_text), _words(after_text)
        ctx = text[lo:hi].strip()[:200]
        if f.kind not in QUANTITY_KINDS:
            out.append(replace(f, before=" ".join(bw[-3:]), after=" ".join(aw[:4]), context=ctx))
            continue
        subject, how = _subject_before(before_text)
        of_phrase = _subject_after(after_text) if f.kind != "percentage" else ""  # "6% OF YOUR SALARY": the base
        if not subject_terms(subject) and not subject_terms(of_phrase):
            # "it is 60 days", ", and 30 days during probation": the subject of the fact before
            sl, _ = _clause_bounds(text, f.start, f.end, _SENTENCE_END_RE)
            if how == "pronoun" or not _words(text[sl:f.start]) or not bw or bw[-1].lower() in {"and", "or", "but"}:
                subject = last_subject.get(f.dimension, subject)
        g = replace(f, rate=_rate(text, f, facts), subject=_lower(subject), of_phrase=_lower(of_phrase),
                    before=" ".join(bw[-3:]), after=" ".join(aw[:4]), context=ctx)
        if subject_terms(g.subject):
            last_subject[f.dimension] = g.subject
        out.append(g)
    return out


def subjects_clash(a: Fact, b: Fact) -> bool:
    """Do two facts clearly measure different things? Both subjects known and sharing no word
    ("probation" vs "notice period"). Unknown subjects never clash."""
    ta, tb = fact_terms(a), fact_terms(b)
    return bool(ta and tb and not (ta & tb))


def _subjects_match(a: Fact, b: Fact) -> bool:
    ta, tb = fact_terms(a), fact_terms(b)
    return bool(ta & tb)


def comparable(a: Fact, b: Fact) -> bool:
    """Can two facts state the same quantity? Same dimension, and the same rate: "18 days per
    year" and "1 day per month" are different quantities; a fact without a rate is compared with
    one that has a rate only when they share a subject ("Leave is 12 days" / "leave is 18 days a
    year"). Subjects are checked separately (`subjects_clash`)."""
    if a.dimension != b.dimension:
        return False
    if a.rate == b.rate:
        return True
    if a.rate is None or b.rate is None:
        return _subjects_match(a, b)
    return False


def _overlap(a: str, b: str, drop: set[str] | None = None) -> float:
    sa = {_stem(w) for w in _words(a) if not drop or (w.lower() not in drop and not w[0].isdigit())}
    sb = {_stem(w) for w in _words(b) if not drop or (w.lower() not in drop and not w[0].isdigit())}
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / max(len(sa), len(sb))


def context_score(a: Fact, b: Fact) -> float:
    """How well two facts' surroundings match (0 .. 8): same subject, same words just before
    ("up to") and after ("of your base salary"), same other words in the clause, same rate."""
    ta, tb = fact_terms(a), fact_terms(b)
    score = 2.0 * (len(ta & tb) / len(ta | tb) if ta and tb else 0.0)
    score += 1.5 * _overlap(a.before, b.before) + 1.5 * _overlap(a.after, b.after)
    # the rest of the clause, without the subject: the qualifiers ("during probation" / "once
    # you are confirmed" / "after confirmation") tell two facts about one subject apart
    drop = _CONTEXT_STOP | {w.lower() for w in _words(" ".join((a.subject, b.subject, a.of_phrase, b.of_phrase)))}
    score += 2.0 * _overlap(a.context, b.context, drop)
    if a.rate is not None and a.rate == b.rate:
        score += 1.0
    return round(score, 4)


@dataclass(frozen=True)
class Alignment:
    """Two facts paired across two answers: `agree` when they state the same value; `clash` when
    their subjects say they measure different things; `score` is their context_score."""

    a: Fact
    b: Fact
    agree: bool
    clash: bool
    score: float


_POLARITY_KINDS = {"yes_no", "permission"}
MAX_ALIGNED = 100  # facts per answer that take part in the pairing


def align_facts(a: list[Fact], b: list[Fact]) -> list[Alignment]:
    """Pair the quantity facts of two answers (see the module doc): first the facts both state
    (agree=True), then, among the rest, the comparable pairs best context match first, each fact
    used once. Clashing pairs are included with clash=True (the caller decides). yes_no and
    permission facts are left out (differing_facts compares those as a whole)."""
    qa = [f for f in a if f.kind not in _POLARITY_KINDS]
    qb = [f for f in b if f.kind not in _POLARITY_KINDS]
    out: list[Alignment] = []

    def loosely(x: Fact, y: Fact) -> bool:  # agreement: no rate clash
        return x.dimension == y.dimension and (x.rate == y.rate or x.rate is None or y.rate is None)

    agreed_a = [x for x in qa if any(loosely(x, y) and same_value(x, y) for y in qb)]
    agreed_b = [y for y in qb if any(loosely(x, y) and same_value(x, y) for x in qa)]
    for x in agreed_a:
        y = max((y for y in qb if loosely(x, y) and same_value(x, y)), key=lambda y: context_score(x, y))
        out.append(Alignment(x, y, True, subjects_clash(x, y), context_score(x, y)))
    # (an answer states a few facts; a pasted document may state hundreds: bound the pairing)
    only_a = [x for x in qa if x not in agreed_a][:MAX_ALIGNED]
    only_b = [y for y in qb if y not in agreed_b][:MAX_ALIGNED]
    cands = []
    for i, x in enumerate(only_a):
        for j, y in enumerate(only_b):
            if comparable(x, y):
                clash = subjects_clash(x, y)
                # non-clashing pairs first, then by context, then by order in the answers
                cands.append((not clash, context_score(x, y), -i - j, i, j, clash))
    cands.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _ok, score, _o, i, j, clash in cands:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append(Alignment(only_a[i], only_b[j], False, clash, score))
    return out


def differing_facts(a: list[Fact], b: list[Fact], *, allow_subject_clash: bool = False) -> list[tuple[Fact, Fact]]:
    """The (fact of a, fact of b) pairs on which two answers disagree, best aligned first: the
    quantity pairs of `align_facts` that differ (clashing subjects only with
    `allow_subject_clash`, e.g. when the questions are known to be the same), then, for yes_no
    and permission, one pair per dimension when each answer states a value the other does not.
    Empty when they agree."""
    out: list[tuple[Fact, Fact]] = []
    quantity = sorted((al for al in align_facts(a, b) if not al.agree and (allow_subject_clash or not al.clash)),
                      key=lambda al: (al.clash, -al.score))
    out += [(al.a, al.b) for al in quantity]
    dims_a: dict[str, list[Fact]] = {}
    dims_b: dict[str, list[Fact]] = {}
    for f in a:
        if f.kind in _POLARITY_KINDS:
            dims_a.setdefault(f.dimension, []).append(f)
    for f in b:
        if f.kind in _POLARITY_KINDS:
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


def fact_phrase(text: str, f: Fact, max_words: int = 12) -> str:
    """The fact with the words around it that say what it is, for an explanation:
    "up to 4% of your base salary", "Probation is 6 months from your joining date", "Yes, you
    can work from abroad…". At most `max_words` words; "…" marks a cut."""
    if not text or not (0 <= f.start <= f.end <= len(text)):
        return f.text
    rx = _SENTENCE_END_RE if f.kind == "yes_no" else _CLAUSE_END_RE
    lo, hi = _clause_bounds(text, f.start, f.end, rx)
    clause = text[lo:hi].strip().rstrip(",;:")
    if len(clause.split()) <= max_words:  # a short clause says it best as a whole
        return clause
    before = list(re.finditer(r"\S+", text[lo:f.start]))
    # keep the lead-in words ("must be submitted by") and up to 3 words of what is measured
    keep, k, np_words = 0, len(before) - 1, 0
    while k >= 0 and keep < 5:
        w = re.sub(r"\W+$", "", before[k].group(0).lower())
        if w in _LEAD_IN or w.endswith("ed"):
            keep += 1
            k -= 1
        else:
            break
    while k >= 0 and np_words < 3:
        w = re.sub(r"\W+$", "", before[k].group(0).lower())
        if w in _STOP or not w:
            break
        np_words += 1
        k -= 1
    keep += np_words
    head = text[lo:f.start][before[len(before) - keep].start():].strip() if keep else ""
    room = max(2, max_words - keep - len(f.text.split()))
    tail_text = text[f.end:hi]
    tail_words = list(re.finditer(r"\S+", tail_text))
    if len(tail_words) <= room:
        tail = tail_text.strip()
        cut = False
    else:
        tail = tail_text[:tail_words[room - 1].end()].strip()
        cut = True
    tail = tail.rstrip(",;:")
    core = text[f.start:f.end].strip()
    phrase = " ".join(x for x in (head, core + ((" " if tail and tail[0].isalnum() else "") + tail if tail else "")) if x)
    return phrase + ("…" if cut else "")
