"""Everyday words for values, read by the evaluation judge on top of engine.flags.facts: how
often ("twice a month", "every other week", "fortnightly"), times ("noon", "half past nine",
"five in the evening", "9.30am"), days ("Mon-Fri", "every weekday", "the first of April",
"Christmas Eve", "on the fifteenth"), amounts ("a thousand pounds", "£1k", "fifty pence", "two
pounds fifty"), fractions ("a quarter off"), "an hour and a half", "a dozen", "two working weeks".

Written on the calibration set's references (tests/data/judge_verdicts/verdicts.jsonl) and the
number forms of public paraphrase data (MSRP: "$70-million", a date with and without its year);
never on the sets measured once.

    override_facts(text) -> list[Fact]           # readings that win over the facts module's
    idiom_facts(text, add, taken) ; frequency_facts(text, add, taken)   # forms it leaves out
    plain_period(f) / named_day(f) / weekly_day(f) -> bool   # weak facts: not invented / not required
    make_fact(kind, value, text, start, end) -> Fact
"""

from __future__ import annotations

import re
from typing import Any

from engine.evaluate.judge_text import STOPWORDS
from engine.flags import facts as _facts

Fact = _facts.Fact

MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december"]
LAST_DAY = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}

# a number with no unit ("eight", "37.5"): an answer's bare number that matches a reference value
BARE_NUMBER_RE = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(sorted(
    (re.escape(w) for w in _facts.WORD_NUMBERS if " " not in w and w not in ("half",)), key=len, reverse=True)) + r")\b", re.I)



def make_fact(kind: str, value: Any, text: str, s: int, e: int) -> Fact:
    """A fact of `kind` read from text[s:e]."""
    return Fact(kind, value, text[s:e], s, e)



# --- idioms: how often, what time, which day, how much, said in everyday words -----------------
# (written on the calibration set's references and public paraphrase data; see judge.py)
PERIOD_DAYS = {"day": (1.0, 1.0), "week": (7.0, 7.0), "fortnight": (14.0, 14.0), "month": (30.0, 31.0),
                "quarter": (90.0, 92.0), "year": (360.0, 365.0)}
_PERIOD = r"(?P<per>day|week|fortnight|month|quarter|year)"
_TIMES_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
# "once a week", "twice a month", "three times a year", "every week", "every other month",
# "fortnightly", "annually": how often, as the interval between two occurrences (rate "every")
_FREQ_RE = re.compile(
    rf"\b(?:(?P<times>once|twice|thrice)|(?P<n>\d+|two|three|four|five|six)\s+times)\s+(?:a|an|per|each|every)\s+{_PERIOD}\b"
    rf"|\b(?:every|each)\s+(?P<other>other\s+|second\s+)?{_PERIOD.replace('per>', 'per2>')}\b(?!['’]s)"
    r"|\b(?P<adv>daily|weekly|fortnightly|monthly|quarterly|annually|yearly|biannually)\b", re.I)
_ADV_DAYS = {"daily": (1.0, 1.0), "weekly": (7.0, 7.0), "fortnightly": (14.0, 14.0), "monthly": (30.0, 31.0),
             "quarterly": (90.0, 92.0), "annually": (360.0, 365.0), "yearly": (360.0, 365.0),
             "biannually": (180.0, 182.5)}
_WORD_HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "eleven": 11, "twelve": 12}
_HOUR = r"(?:1[0-2]|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_NOON_RE = re.compile(r"\b(?:(?:twelve\s+|12\s+)?(?P<noon>noon|midday|mid-day|lunchtime)|(?P<midnight>midnight))\b", re.I)
# "half past nine", "quarter to five in the afternoon", "five in the evening", "9.30am", "5 o'clock"
_CLOCK_RE = re.compile(
    rf"\b(?:(?P<q>half|(?:a\s+)?quarter)\s+(?P<rel>past|to)\s+(?P<h>{_HOUR})|(?P<h2>{_HOUR})\s+o['’]clock|"
    rf"(?P<h3>(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))(?=\s+(?:in\s+the|at\s+night)))"
    r"(?:\s+(?:in\s+the\s+(?P<part>morning|afternoon|evening)|at\s+(?P<night>night)|(?P<ampm>[ap])\.?m\.?))?", re.I)
_DOT_TIME_RE = re.compile(r"\b(?P<h>1[0-2]|0?[1-9])\.(?P<m>[0-5]\d)\s?(?P<ampm>[ap])\.?m\b\.?", re.I)
_NINE_TO_FIVE_RE = re.compile(r"\b(?:nine|9)\s*(?:to|-|–|till|until)\s*(?:five|5)\b(?!\s*(?:days?|weeks?|%|[ap]\.?m))", re.I)
_DAY_ABBR = {"mon": "Monday", "tue": "Tuesday", "tues": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "thur": "Thursday", "thurs": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
_DAY_ABBR_RANGE_RE = re.compile(r"\b(?P<a>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?\s*(?:-|–|to|through)\s*"
                                r"(?P<b>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b\.?", re.I)
_EVERY_WEEKDAY_RE = re.compile(r"\b(?:every|each|any)\s+(?:working\s+)?weekday\b|\bweekdays\s+only\b", re.I)
_ORDINAL_DAY_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                      "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15,
                      "twentieth": 20, "thirtieth": 30}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY_OF_MONTH_RE = re.compile(
    rf"\b(?:the\s+)?(?P<d>{'|'.join(_ORDINAL_DAY_WORDS)}|\d{{1,2}}(?:st|nd|rd|th)?)\s+(?:day\s+)?of\s+(?P<mon>{_MONTHS})\b|"
    rf"\b(?P<mon2>{_MONTHS})\s+the\s+(?P<d2>{'|'.join(_ORDINAL_DAY_WORDS)}|\d{{1,2}}(?:st|nd|rd|th)?)\b", re.I)
_HOLIDAYS = {"christmas eve": "12-24", "christmas day": "12-25", "boxing day": "12-26", "new year's eve": "12-31",
             "new year's day": "01-01", "new years day": "01-01", "new years eve": "12-31"}
_HOLIDAY_RE = re.compile(r"\b(?:christmas\s+eve|christmas\s+day|boxing\s+day|new\s+year(?:['’]s|s)\s+(?:eve|day))\b", re.I)
_CURRENCY_WORDS = {"pound": "GBP", "pounds": "GBP", "quid": "GBP", "dollar": "USD", "dollars": "USD", "euro": "EUR",
                   "euros": "EUR"}
_SYMBOL_CUR = {"£": "GBP", "$": "USD", "€": "EUR"}
# "a thousand pounds", "two hundred euros", "£1k", "£2.5k"
_BIG_WORD_AMOUNT_RE = re.compile(
    r"\b(?P<n>a|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty)\s+(?P<mult>hundred|thousand)\s+"
    r"(?P<cur>pounds|quid|dollars|euros)\b", re.I)
_K_AMOUNT_RE = re.compile(r"(?P<sym>[£$€])(?P<n>\d+(?:\.\d+)?)\s?(?P<mult>k|m)\b", re.I)
_SMALL_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                       "nine": 9, "ten": 10, "twenty": 20, "fifty": 50, "a": 1}
# "a quarter off", "three quarters of your salary", "a third of the cost", "a tenth off"
_FRACTION_RE = re.compile(r"\b(?P<f>(?:a|one)\s+quarter|three[- ]quarters|(?:a|one)\s+third|two[- ]thirds|(?:a|one)\s+tenth|"
                          r"(?:a|one)\s+fifth)\s+(?:off|of)\b", re.I)
_FRACTIONS = {"quarter": 25.0, "three quarters": 75.0, "third": 100 / 3, "two thirds": 200 / 3, "tenth": 10.0,
              "fifth": 20.0}
_NUMBER_WORDS_SMALL = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                       "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety")
# "two hundred pounds", "fifteen hundred euros", "twenty-five thousand dollars": read before the facts
# module, which counts "pounds"
_HUNDREDS_AMOUNT_RE = re.compile(
    rf"\b(?P<n>a|(?:{_NUMBER_WORDS_SMALL})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)\s+(?P<mult>hundred|thousand)\s+"
    r"(?P<cur>pounds?|quid|dollars?|euros?)\b", re.I)
# "from ten until one", "from two till four in the afternoon": a range of hours in words; without
# a part of the day, an hour from 1 to 7 is in the afternoon (office hours)
_WORD_HOUR = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_WORD_RANGE_RE = re.compile(
    rf"\bfrom\s+(?P<a>{_WORD_HOUR})\s+(?:until|till|til|to|through)\s+(?P<b>{_WORD_HOUR})\b"
    r"(?:\s+in\s+the\s+(?P<part>morning|afternoon|evening))?", re.I)
_HALF_UNIT = r"(?P<unit>minute|hour|day|week|month|year)s?"
# "an hour and a half", "two years and a half", "one and a half hours", "2 and a half days"
_AND_A_HALF_RE = re.compile(
    rf"\b(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+{_HALF_UNIT}\s+and\s+a\s+half\b|"
    rf"\b(?P<n2>one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+and\s+a\s+half\s+{_HALF_UNIT.replace('unit>', 'unit2>')}\b",
    re.I)
_PENCE_RE = re.compile(rf"\b(?P<n>\d{{1,2}}|(?:{_NUMBER_WORDS_SMALL})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)\s+pence\b", re.I)
# "two pounds fifty": £2.50; "six euro fifty", "three euros and twenty cents", "ten dollars
# forty-five": the same with other currencies (a word amount's cents may be named)
_WORD_CURRENCY = {"pound": "GBP", "euro": "EUR", "dollar": "USD"}
_CENTS_WORD = r"(?:\s+(?:cents?|pence|p)\b)?"
_POUNDS_PENCE_RE = re.compile(
    rf"\b(?P<p>\d+|{_NUMBER_WORDS_SMALL})\s+(?P<cur>pound|euro|dollar)s?\s+(?:and\s+)?"
    rf"(?P<c>\d{{2}}|(?:{_NUMBER_WORDS_SMALL})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)\b(?P<cw>{_CENTS_WORD})"
    r"(?!\s*(?:%|per\s*cent|-|(?:days?|weeks?|months?|years?|hours?|minutes?|times|[a-z]+s)\b))", re.I)
# "fifty cents", "forty cent": a euro amount (a dollar one when the text names dollars)
_CENTS_RE = re.compile(rf"\b(?P<n>\d{{1,2}}|(?:{_NUMBER_WORDS_SMALL})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)\s+cents?\b",
                       re.I)
_WORD_HOURS_RANGE = {w: i for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)}
_DOTTED_DATE_RE = re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)\b")
_WORKING_WEEKS_RE = re.compile(r"\b(?P<n>a|one|two|three|four|\d)\s+(?:full\s+)?working\s+weeks?\b", re.I)
_WORD_SIZE_RE = re.compile(r"\b(?:a|one)\s+(?P<u>terabyte|gigabyte|megabyte)\b", re.I)
_WORD_SIZE_MB = {"terabyte": 1048576.0, "gigabyte": 1024.0, "megabyte": 1.0}
_ORDINAL_DAY_NAMES = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), 1)}
_ORDINAL_DAY_NAMES.update({f"twenty-{w}": 20 + i for w, i in list(_ORDINAL_DAY_NAMES.items())[:9]})
_ORDINAL_DAY_NAMES.update({"thirtieth": 30, "thirty-first": 31})
# "on the fifteenth", "the twenty-eighth of each month": a day of the month in words
_DAY_WORD_RE = re.compile(
    rf"\b(?:on\s+the|the)\s+(?P<w>{'|'.join(sorted(_ORDINAL_DAY_NAMES, key=len, reverse=True))})\b"
    rf"(?!\s+(?:day\s+)?of\s+(?:{_MONTHS})\b)(?P<of>\s+of\s+(?:each|every|the)\s+month)?", re.I)
_FINAL_DAY_RE = re.compile(r"\b(?:the\s+)?final\s+(?:working|business)\s+day\s+of\s+(?:the|each|every)\s+month\b", re.I)


def _word_value(token: str) -> float:
    """ "fifty", "twenty-five", "a": a number written in words (or digits)."""
    t = token.lower().replace(" ", "-")
    if t in ("a", "an"):
        return 1.0
    if t.isdigit():
        return float(t)
    return float(_facts.number_value(t.replace("-", " ") if t.replace("-", " ") in _facts.WORD_NUMBERS else t))


def override_facts(text: str) -> list[Fact]:
    """Forms that the facts module reads as something else and that must win over its reading:
    "one and a half hours" (not "half hours"), "an hour and a half", "fifty pence" (an amount,
    not a count of pence), "two pounds fifty", "31.03.2027", "two working weeks", "a terabyte",
    "on the fifteenth", "the final working day of the month"."""
    out: list[Fact] = []
    for m in _AND_A_HALF_RE.finditer(text):
        n = _word_value(m.group("n") or m.group("n2"))
        d = (n + 0.5) * _facts.DURATION_UNITS[(m.group("unit") or m.group("unit2")).lower()]
        out.append(make_fact("duration", (d, d), text, m.start(), m.end()))
    for m in _PENCE_RE.finditer(text):
        v = _word_value(m.group("n")) / 100
        out.append(make_fact("amount:GBP", (v, v), text, m.start(), m.end()))
    for m in _POUNDS_PENCE_RE.finditer(text):
        v = _word_value(m.group("p")) + _word_value(m.group("c")) / 100
        cur = _WORD_CURRENCY[m.group("cur").lower()]
        out.append(make_fact(f"amount:{cur}", (v, v), text, m.start(), m.end()))
    dollars = bool(re.search(r"\$|\bdollars?\b", text, re.I))
    for m in _CENTS_RE.finditer(text):
        v = _word_value(m.group("n")) / 100
        out.append(make_fact("amount:USD" if dollars else "amount:EUR", (v, v), text, m.start(), m.end()))
    for m in _HUNDREDS_AMOUNT_RE.finditer(text):
        v = _word_value(m.group("n")) * (100 if m.group("mult").lower() == "hundred" else 1000)
        cur = m.group("cur").lower().rstrip("s")
        out.append(make_fact(f"amount:{_CURRENCY_WORDS.get(cur, 'GBP')}", (v, v), text, m.start(), m.end()))
    for m in _FRACTION_RE.finditer(text):
        key = re.sub(r"^(?:a|one)\s+", "", m.group("f").lower()).replace("-", " ")
        v = _FRACTIONS[key]
        out.append(make_fact("percentage", (v, v), text, m.start(), m.start() + len(m.group("f"))))
    for m in _WORD_RANGE_RE.finditer(text):
        a, b = _WORD_HOURS_RANGE[m.group("a").lower()], _WORD_HOURS_RANGE[m.group("b").lower()]
        part = (m.group("part") or "").lower()
        pm_b = part in ("afternoon", "evening") or (not part and b <= 7)
        pm_a = (part in ("afternoon", "evening") and a < b) or (not part and a <= 7)
        out.append(make_fact("time", (a % 12 + 12 * pm_a) * 60, text, m.start("a"), m.end("a")))
        out.append(make_fact("time", (b % 12 + 12 * pm_b) * 60, text, m.start("b"), m.end()))
    for m in _DOTTED_DATE_RE.finditer(text):
        day, month = int(m.group("d")), int(m.group("m"))
        if 1 <= day <= 31 and 1 <= month <= 12:
            out.append(make_fact("date", f"{m.group('y')}-{month:02d}-{day:02d}", text, m.start(), m.end()))
    for m in _WORKING_WEEKS_RE.finditer(text):
        d = 5.0 * _word_value(m.group("n"))
        out.append(make_fact("duration", (d, d), text, m.start(), m.end()))
    for m in _WORD_SIZE_RE.finditer(text):
        v = _WORD_SIZE_MB[m.group("u").lower()]
        out.append(make_fact("size", (v, v), text, m.start(), m.end()))
    for m in _DAY_WORD_RE.finditer(text):
        if m.group("of") or m.group(0).lower().startswith("on"):
            out.append(make_fact("day_of_month", _ORDINAL_DAY_NAMES[m.group("w").lower()], text, m.start(), m.end()))
    for m in _FINAL_DAY_RE.finditer(text):
        out.append(make_fact("day_of_month", "last working day", text, m.start(), m.end()))
    out.sort(key=lambda f: (f.start, -f.end))
    kept: list[Fact] = []
    for f in out:  # the first, longest reading of each span
        if all(f.end <= g.start or f.start >= g.end for g in kept):
            kept.append(f)
    return kept


_DOZEN_RE = re.compile(r"\b(?:a|one)\s+dozen\s+(?P<noun>[a-z]+)", re.I)


def _value_just_before(text: str, start: int, taken: list[tuple[int, int]]) -> bool:
    """A value ends in the same clause within 40 characters before `start` ("27 days' leave each
    year", "an hour daily", "by 31 May each year"): the words at `start` are its period."""
    before = text[max(0, start - 40):start]
    cut = max(before.rfind(","), before.rfind(";"), before.rfind("."), before.rfind(":"))
    lo = start - len(before) + cut + 1
    return any(lo <= b <= start for _a, b in taken) or bool(BARE_NUMBER_RE.search(text[lo:start]))


_PLAIN_PERIOD_RE = re.compile(r"^(?:(?:every|each)\s+(?:day|week|fortnight|month|quarter|year)|daily|weekly|monthly|"
                              r"quarterly|annually|yearly)$", re.I)


def plain_period(f: Fact) -> bool:
    """"each year", "every month", "annually": a frequency that often only qualifies another value
    ("Each year, by 31 May"); stated alone in an answer it is not an invented fact."""
    return f.rate == "every" and bool(_PLAIN_PERIOD_RE.match(f.text.strip()))


_WEEKDAY_NAMES = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?"
# "every Tuesday" (weekly), "every other Friday", "every second Monday", "alternate Thursdays"
# (fortnightly): how often, read as a frequency beside the weekday itself
_WEEKDAY_FREQ_RE = re.compile(
    rf"\b(?:(?:every|each)\s+(?P<other>(?:other|second|alternate)\s+)?|(?:on\s+)?(?P<alt>alternate)\s+)(?={_WEEKDAY_NAMES}\b)",
    re.I)


def weekly_day(f: Fact) -> bool:
    """"every Tuesday": weekly, said by naming the day. Compared when the answer says how often
    ("every other Tuesday" is wrong), but an answer that only says "on Tuesdays" leaves nothing out
    and "every Tuesday" in an answer is no invented frequency."""
    return f.rate == "every" and f.text.strip().lower() in ("every", "each")


def frequency_facts(text: str, add, taken: list[tuple[int, int]]) -> None:
    """How often: "twice a month", "three times a year", "every other week", "fortnightly", "each
    year" (a `frequency`: the interval between two occurrences in days, turned into a duration
    with rate "every" by claims_of). Read after every other form, so that "27 days each year" and
    "by the end of May every year" are a value and its period."""
    for m in _WEEKDAY_FREQ_RE.finditer(text):
        lo = 14.0 if (m.group("other") or m.group("alt")) else 7.0
        add(make_fact("frequency", (lo, lo), text, m.start(), m.start() + len(m.group(0).rstrip())))
    for m in _FREQ_RE.finditer(text):
        if not (m.group("times") or m.group("n")) and _value_just_before(text, m.start(), taken):
            continue  # "£45 a year, paid annually" is how often; "27 days each year" is a period
        if m.group("adv"):
            lo, hi = _ADV_DAYS[m.group("adv").lower()]
            after = text[m.end():m.end() + 20]
            if re.match(r"\s+(?:[a-z]|[£$€\d])", after) and not re.match(r"\s+(?:on|at|in|from|by|for|until|and|or|between|through)\b",
                                                           after, re.I):
                continue  # "a monthly allowance", "weekly pay": the period of a value, not how often
        elif m.group("per2"):
            lo, hi = PERIOD_DAYS[m.group("per2").lower()]
            if m.group("other"):
                lo, hi = 2 * lo, 2 * hi
        else:
            n = _TIMES_WORDS.get((m.group("times") or "").lower()) or float(_SMALL_WORD_NUMBERS.get(
                (m.group("n") or "").lower(), 0) or m.group("n"))
            lo, hi = PERIOD_DAYS[m.group("per").lower()]
            lo, hi = lo / n, hi / n
        add(make_fact("frequency", (lo, hi), text, m.start(), m.end()))


def named_day(f: Fact) -> bool:
    """"Christmas Eve", "Boxing Day": a date by name. Compared when the answer gives the date,
    but an answer that leaves a named day out is judged by the condition it sits in ("except
    Christmas Day"), not as a missing value."""
    return f.dimension == "date" and bool(_HOLIDAY_RE.fullmatch(f.text.strip()))


def idiom_facts(text: str, add, taken: list[tuple[int, int]]) -> None:
    """Idioms a helpdesk answer uses for a value the reference writes out: times ("noon", "half past nine", "five in the evening", "9.30am"),
    days ("Mon-Fri", "every weekday", "the first of April", "Christmas Eve"), amounts ("a
    thousand pounds", "£1k"), fractions ("a quarter off": 25%), "a dozen", "a working week"."""
    for m in _NOON_RE.finditer(text):
        add(make_fact("time", 720 if m.group("noon") else 0, text, m.start(), m.end()))
    for m in _CLOCK_RE.finditer(text):
        h_word = m.group("h") or m.group("h2") or m.group("h3")
        h = _WORD_HOURS.get(h_word.lower()) or int(h_word)
        minutes = 0
        if m.group("q"):
            part = 30 if m.group("q").lower() == "half" else 15
            minutes = part if m.group("rel").lower() == "past" else -part
        pm = (m.group("part") or "").lower() in ("afternoon", "evening") or bool(m.group("night")) or \
            (m.group("ampm") or "").lower() == "p"
        if not (m.group("part") or m.group("night") or m.group("ampm")) and m.group("h3"):
            continue
        h = h % 12 + (12 if pm else 0)
        add(make_fact("time", (h * 60 + minutes) % 1440, text, m.start(), m.end()))
    for m in _DOT_TIME_RE.finditer(text):
        h = int(m.group("h")) % 12 + (12 if m.group("ampm").lower() == "p" else 0)
        add(make_fact("time", h * 60 + int(m.group("m")), text, m.start(), m.end()))
    for m in _NINE_TO_FIVE_RE.finditer(text):
        a = re.match(r"\w+", m.group(0))
        add(make_fact("time", 540, text, m.start(), m.start() + a.end()))
        add(make_fact("time", 1020, text, m.end() - len(re.search(r"\w+$", m.group(0)).group(0)), m.end()))
    for m in _DAY_ABBR_RANGE_RE.finditer(text):
        a, b = _DAY_ABBR[m.group("a").lower()], _DAY_ABBR[m.group("b").lower()]
        add(make_fact("weekdays", f"{a}-{b}", text, m.start(), m.end()))
    for m in _EVERY_WEEKDAY_RE.finditer(text):
        add(make_fact("weekdays", "Monday-Friday", text, m.start(), m.end()))
    for m in _DAY_OF_MONTH_RE.finditer(text):
        d = (m.group("d") or m.group("d2")).lower()
        day = _ORDINAL_DAY_WORDS.get(d) or int(re.match(r"\d+", d).group(0))
        mon = MONTH_NAMES.index((m.group("mon") or m.group("mon2")).lower()) + 1
        if 1 <= day <= LAST_DAY[mon] + (mon == 2):
            add(make_fact("date", f"{mon:02d}-{day:02d}", text, m.start(), m.end()))
    for m in _HOLIDAY_RE.finditer(text):
        key = re.sub(r"\s+", " ", m.group(0).lower().replace("’", "'"))
        add(make_fact("date", _HOLIDAYS[key], text, m.start(), m.end()))
    for m in _BIG_WORD_AMOUNT_RE.finditer(text):
        v = float(_SMALL_WORD_NUMBERS[m.group("n").lower()]) * (100 if m.group("mult").lower() == "hundred" else 1000)
        add(make_fact(f"amount:{_CURRENCY_WORDS[m.group('cur').lower()]}", (v, v), text, m.start(), m.end()))
    for m in _K_AMOUNT_RE.finditer(text):
        v = float(m.group("n")) * (1000 if m.group("mult").lower() == "k" else 1_000_000)
        add(make_fact(f"amount:{_SYMBOL_CUR[m.group('sym')]}", (v, v), text, m.start(), m.end()))
    for m in _FRACTION_RE.finditer(text):
        key = re.sub(r"^(?:a|one)\s+", "", m.group("f").lower()).replace("-", " ")
        v = _FRACTIONS[key]
        add(make_fact("percentage", (v, v), text, m.start(), m.start() + len(m.group("f"))))
    for m in _DOZEN_RE.finditer(text):
        noun = m.group("noun").lower()
        unit = noun[:-1] if noun.endswith("s") else noun
        if unit in _facts.DURATION_UNITS:
            d = 12 * _facts.DURATION_UNITS[unit]
            add(make_fact("duration", (d, d), text, m.start(), m.end()))
        elif noun not in STOPWORDS:
            add(make_fact(f"count:{unit}", (12.0, 12.0), text, m.start(), m.end()))
