"""Claims: what an answer states, in a form that answers (and a policy sheet) can be compared on.

Public API (pure functions, no workspace or DuckDB needed; stable: add, do not rename):

    Claim                                   # frozen dataclass, one stated fact
    Vocabulary.learn(texts) -> Vocabulary   # abbreviations and subject phrases from the data itself
    extract_claims(text, vocabulary=None, *, question=None) -> list[Claim]
    same_topic(a, b) -> bool                # the two claims are about the same thing
    compatible(a, b) -> bool                # ...and their values can both be true
    contradicts(a, b) -> bool               # same_topic(a, b) and not compatible(a, b)
    subject_terms(phrase, vocabulary=None) -> frozenset[str]
    scope_of(text) -> dict[str, str]
    claim_key(c) / value_key(c) / value_label(c)   # grouping keys and the value in words
    stem(word) -> str                       # the light stem subjects are compared by
    UNLIMITED_RE                            # "unlimited", "no upper limit", "uncapped": an "unlimited" claim

The claims index (needs a workspace; tables `claims` and `claims_meta`, created on first use):

    update_index(ws, items=None, vocabulary=None) -> {"read", "removed", "claims"}
    load_index(ws, pair_ids=None) -> {pair id: [Claim]}
    workspace_vocabulary(ws) -> Vocabulary

A `Claim` is one value an answer states (read by `engine.flags.facts.extract_facts`, plus limits
such as "unlimited" and monthly date rules such as "the first Monday after month end") together
with what it is about:

- `subject`: the noun phrase it measures, abbreviations expanded by the vocabulary ("PL" ->
  "privilege leave"), lower case; when the answer does not say ("21 days per year"), the
  subject the question names (pass `question=`); "" when unknown;
- `attribute`: what kind of value it is: a facts dimension ("duration", "amount:INR",
  "percentage", "count:device", "size", "date", "weekday", "time"), "monthly_date" (a day of
  each month, as a number or a rule), "polarity" (yes/no, allowed/forbidden) or "unlimited";
- `value`: normalised (a (lo, hi) tuple for quantities, a string for dates and rules, a bool
  for polarity, "unlimited");
- `unit` ("day", "INR", "%", "MB", ...), `period` ("year", "month", ... or None);
- `scope`: where or for whom it holds, as sorted (key, value) tuples, keys `country`, `office`,
  `employee_type`, `condition`; read from the claim's sentence, the question's scope filling
  in keys the sentence does not name;
- `polarity` (polarity claims: True = yes/allowed), `limit` ("exact", "max" for "up to 10",
  "min" for "at least 10", "range", "unlimited"), `date` (the date rule in words, date claims);
- `text` (the value as written), `start`/`end` (offsets in the text), `evidence` (its clause).

`same_topic`: the same attribute (an "unlimited" claim is about the same thing as any quantity),
the same period when both state one, subjects with the same terms (or one's terms within the
other's when the smaller has two or more, or the larger only two), and scopes that do not clash (a key both name with
different values: "India" vs "UK", "contractor" vs "full-time", "during probation" vs "after
confirmation"; a key only one names does not clash). `compatible`: equal values (ranges that
overlap, durations in other units within 2%); "unlimited" is compatible only with "unlimited";
polarity with the same polarity.

The vocabulary is learned from the data (`Vocabulary.learn`): an all-caps token (EL, PL, WFH, PF,
CTC, DA) is expanded to the phrase the texts spell it out with: a definition such as "privilege
leave (PL)" or "PL (privilege leave)" when one is written, else the most frequent phrase in the
texts whose word initials spell it ("work from home" -> WFH, "cost to company" -> CTC). Nothing
is listed for one organisation. Subject phrases are the subjects and "of ..." phrases of the
facts the texts state; a question's subject is the longest known subject phrase it contains.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from engine.flags import facts as _facts

__all__ = [
    "Claim", "Vocabulary", "extract_claims", "same_topic", "compatible", "contradicts", "subject_terms",
    "scope_of", "claim_key", "value_label", "QUANTITY_ATTRIBUTES", "stem", "UNLIMITED_RE",
]

QUANTITY_ATTRIBUTES = ("duration", "amount", "percentage", "size", "count")


@dataclass(frozen=True)
class Claim:
    """One value an answer states and what it is about (see the module docstring)."""

    subject: str
    attribute: str
    value: Any
    unit: str = ""
    period: str | None = None
    scope: tuple[tuple[str, str], ...] = ()
    polarity: bool | None = None
    limit: str = "exact"
    date: str | None = None
    text: str = ""
    start: int = 0
    end: int = 0
    evidence: str = ""
    terms: frozenset = field(default=frozenset(), compare=False)  # stemmed subject terms
    # the scope keys the answer's own sentence names (the others came from the question)
    stated_scope: tuple[str, ...] = field(default=(), compare=False)
    # where the subject was read: "answer" (the words around the value), "known" (a subject the
    # data states elsewhere, named in the clause), "previous" (the claim before), "question", ""
    subject_source: str = field(default="", compare=False)

    @property
    def scope_dict(self) -> dict[str, str]:
        return dict(self.scope)

    @property
    def family(self) -> str:
        """The attribute without its qualifier: "amount:INR" -> "amount"."""
        return self.attribute.split(":", 1)[0]

    def label(self) -> str:
        """The value in words, for explanations: "18 days per year", "unlimited", "yes"."""
        return value_label(self)


# --- words ------------------------------------------------------------------------------------
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ABBR_RE = re.compile(r"(?<![\w-])([A-Z]{2,5})s?(?![\w-])")
_QUESTION_STOP = _facts._STOP | _facts._GENERIC | {
    "how", "much", "many", "what", "whats", "what's", "when", "where", "why", "which", "who", "do", "does", "did",
    "get", "gets", "we", "i", "me", "my", "is", "are", "can", "could", "would", "should", "will", "hi", "hello",
    "hey", "pls", "please", "plz", "thanks", "thank", "regards", "team", "help", "need", "know", "tell", "want",
    "quota", "entitlement", "allowed", "allow", "possible", "rule", "rules", "policy", "details", "detail",
    "info", "information", "question", "query", "ok", "okay", "yes", "no", "u", "ur", "r", "abt", "about",
    "there", "here", "have", "has", "had", "am", "be", "been", "being", "like", "kindly", "sir", "madam",
} - {"leave"}


def stem(word: str) -> str:
    """A light stem: lower case, possessive and -ing/-ed/-s endings off, the first 6 letters
    ("working" -> "work", "leaves" -> "leave", "privilege" -> "privil")."""
    w = word.lower().strip("'’-").replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for end in ("ing", "ed"):
        if len(w) > len(end) + 3 and w.endswith(end):
            w = w[: -len(end)]
            break
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w[:6]


def _tokens(text: str) -> list[str]:
    return _WORD_RE.findall(text or "")


def subject_terms(phrase: str, vocabulary: "Vocabulary | None" = None) -> frozenset[str]:
    """The stemmed content words of a subject phrase, abbreviations expanded, generic words
    ("limit", "policy", "days") left out: "PL quota" -> {"privil", "leave"}."""
    text = vocabulary.expand(phrase) if vocabulary is not None else (phrase or "")
    return frozenset(stem(w) for w in _tokens(text) if w.lower() not in _QUESTION_STOP and len(w) > 1)


@dataclass
class Vocabulary:
    """What the data's own words mean: `abbreviations` maps an abbreviation (lower case) to the
    phrase it stands for; `subjects` holds the subject phrases the texts' facts are about."""

    abbreviations: dict[str, str] = field(default_factory=dict)
    subjects: frozenset[str] = frozenset()
    subject_counts: dict[str, int] = field(default_factory=dict)  # texts stating each subject

    def is_common(self, subject: str, at_least: int = 2) -> bool:
        """Is `subject` stated as a subject in at least `at_least` different texts?"""
        return self.subject_counts.get(subject, 0) >= at_least

    @classmethod
    def learn(cls, texts: Iterable[str], *, max_texts: int = 20000) -> "Vocabulary":
        """Learn abbreviations and subject phrases from texts (see the module docstring)."""
        texts = [t for t in texts if t][:max_texts]
        abbrs: Counter = Counter()
        defined: dict[str, Counter] = {}
        grams: Counter = Counter()
        for t in dict.fromkeys(texts):
            for m in _ABBR_RE.finditer(t):
                abbrs[m.group(1).lower()] += 1
            for m in _DEFINE_AFTER_RE.finditer(t):
                _define(defined, m.group("abbr"), m.group("phrase"), before=True)
            for m in _DEFINE_BEFORE_RE.finditer(t):
                _define(defined, m.group("abbr"), m.group("phrase"), before=False)
            words = [w.lower() for w in _tokens(t)]
            for n in (2, 3, 4):
                for i in range(len(words) - n + 1):
                    grams[tuple(words[i:i + n])] += 1
        by_initials: dict[str, list[tuple[int, tuple]]] = {}
        for g, c in grams.items():
            if g[0] in _facts._STOP or g[-1] in _facts._STOP:
                continue
            by_initials.setdefault("".join(w[0] for w in g), []).append((c, g))
        out: dict[str, str] = {}
        for abbr in abbrs:
            if abbr in defined:
                out[abbr] = defined[abbr].most_common(1)[0][0]
                continue
            cands = by_initials.get(abbr)
            if cands:
                c, g = max(cands)
                out[abbr] = " ".join(g)
        for abbr, phrases in defined.items():
            out.setdefault(abbr, phrases.most_common(1)[0][0])
        vocab = cls(abbreviations=out)
        subjects: Counter = Counter()
        for t in dict.fromkeys(texts):
            seen_here = set()
            for f in _facts.extract_facts(t):
                for phrase in (f.subject, f.of_phrase):
                    if phrase and subject_terms(phrase, vocab):
                        seen_here.add(vocab.expand(phrase).lower())
            subjects.update(seen_here)
        vocab.subjects = frozenset(subjects)
        vocab.subject_counts = dict(subjects)
        return vocab

    def expand(self, text: str) -> str:
        """The text with each known abbreviation replaced by its phrase ("PL" -> "privilege leave")."""
        if not self.abbreviations or not text:
            return text or ""

        def sub(m: re.Match) -> str:
            w = m.group(0)
            key = w.lower()
            if key in self.abbreviations:
                return self.abbreviations[key]
            if key.endswith("s") and key[:-1] in self.abbreviations and w[:-1].isupper():
                return self.abbreviations[key[:-1]]
            return w

        return _ABBR_TOKEN_RE.sub(sub, text)

    def subject_in(self, text: str) -> str:
        """The longest known subject phrase the text mentions (abbreviations expanded), or ""."""
        low = " " + " ".join(w.lower() for w in _tokens(self.expand(text))) + " "
        best = ""
        for s in self.subjects:
            if len(s) > len(best) and f" {s} " in low:
                best = s
        return best


_ABBR_TOKEN_RE = re.compile(r"(?<![\w-])[A-Za-z]{2,5}(?![\w-])")
_PHRASE = r"(?<![A-Za-z-])(?P<phrase>[A-Za-z][A-Za-z-]{0,30}(?:\s+[A-Za-z][A-Za-z-]{0,30}){1,4})"
_DEFINE_AFTER_RE = re.compile(rf"{_PHRASE}\s*\(\s*(?P<abbr>[A-Z]{{2,5}})\s*\)")  # privilege leave (PL)
_DEFINE_BEFORE_RE = re.compile(rf"\b(?P<abbr>[A-Z]{{2,5}})\s*\(\s*{_PHRASE}\s*\)")  # PL (privilege leave)


def _define(defined: dict[str, Counter], abbr: str, phrase: str, before: bool) -> None:
    """Record "phrase (ABBR)": the phrase's last words whose initials spell the abbreviation."""
    words = phrase.lower().split()
    key = abbr.lower()
    for n in range(len(key) - 1, len(words) + 1):
        part = words[-n:] if before else words[:n]
        if part and "".join(w[0] for w in part) == key:
            defined.setdefault(key, Counter())[" ".join(part)] += 1
            return
        if part and "".join(w[0] for w in part if w not in _facts._STOP) == key:
            defined.setdefault(key, Counter())[" ".join(part)] += 1
            return


# --- scope -------------------------------------------------------------------------------------
_COUNTRIES = {
    "india": "india", "indian": "india", "uk": "uk", "united kingdom": "uk", "britain": "uk", "england": "uk",
    "us": "us", "usa": "us", "united states": "us", "america": "us", "germany": "germany", "german": "germany",
    "france": "france", "singapore": "singapore", "canada": "canada", "australia": "australia",
    "ireland": "ireland", "netherlands": "netherlands", "uae": "uae", "dubai": "uae", "philippines": "philippines",
    "mexico": "mexico", "brazil": "brazil", "japan": "japan", "spain": "spain", "poland": "poland",
    "kenya": "kenya", "nigeria": "nigeria", "south africa": "south africa", "sri lanka": "sri lanka",
    "new zealand": "new zealand", "portugal": "portugal", "italy": "italy", "sweden": "sweden",
}
_EMPLOYEE_TYPES = [
    ("contractor", r"contractors?|contract staff|contract employees?|consultants?|freelancers?"),
    ("intern", r"interns?|internships?|trainees?"),
    ("part_time", r"part[- ]time(?:rs?)?"),
    ("full_time", r"full[- ]time(?:rs?)?|permanent (?:employees?|staff)"),
    ("new_joiner", r"new (?:joiners?|hires?|starters?|employees?)|freshers?"),
]
_CONDITIONS = [
    ("probation", r"(?:during|on|in|under) (?:your |the )?probation(?:ary period)?|probationers?"),
    ("confirmed", r"after (?:your |the )?confirmation|once (?:you are |you're )?confirmed|confirmed employees?"),
]
_COUNTRY_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(c) for c in _COUNTRIES), key=len, reverse=True))
                         + r")\b", re.I)
_EMP_RE = [(k, re.compile(rf"\b(?:{p})\b", re.I)) for k, p in _EMPLOYEE_TYPES]
_COND_RE = [(k, re.compile(rf"\b(?:{p})\b", re.I)) for k, p in _CONDITIONS]
_OFFICE_RE = re.compile(r"\b(?:in|at|for|from)\s+(?:the|our)\s+(?P<a>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:office|site|campus|branch|plant|hub)\b"
                        r"|\b(?P<b>[A-Z][a-z]+)\s+(?:office|campus|site|branch)\b")


def scope_mentions(text: str) -> list[tuple[int, str, str]]:
    """Every scope a text names: (offset, key, value), in order."""
    out: list[tuple[int, str, str]] = []
    if not text:
        return out
    for m in _COUNTRY_RE.finditer(text):
        word = m.group(1)
        if word.lower() != "us" or word == "US":
            out.append((m.start(), "country", _COUNTRIES[word.lower()]))
    for m in _OFFICE_RE.finditer(text):
        name = (m.group("a") or m.group("b") or "").lower()
        if name and name not in _COUNTRIES and name not in _NOT_PLACES:
            out.append((m.start(), "office", name))
    for key, rx in _EMP_RE:
        out += [(m.start(), "employee_type", key) for m in rx.finditer(text)]
    for key, rx in _COND_RE:
        out += [(m.start(), "condition", key) for m in rx.finditer(text)]
    return sorted(out)


def scope_of(text: str) -> dict[str, str]:
    """Where or for whom a sentence says something holds: {"country": "india", "office": "pune",
    "employee_type": "contractor", "condition": "probation"} (keys only when named)."""
    out: dict[str, str] = {}
    if not text:
        return out
    m = _COUNTRY_RE.search(text)
    if m:
        word = m.group(1)
        # "us" only as a country when written US / U.S.-style, not "for us"
        if word.lower() != "us" or word == "US":
            out["country"] = _COUNTRIES[word.lower()]
    m = _OFFICE_RE.search(text)
    if m:
        name = (m.group("a") or m.group("b") or "").lower()
        if name and name not in _COUNTRIES and name not in _NOT_PLACES:
            out["office"] = name
    for key, rx in _EMP_RE:
        if rx.search(text):
            out["employee_type"] = key
            break
    for key, rx in _COND_RE:
        if rx.search(text):
            out["condition"] = key
            break
    return out


_NOT_PLACES = {"the", "head", "main", "home", "this", "your", "our", "every", "each", "any", "which", "new",
               "regional", "local", "nearest", "same", "other", "remote", "back", "front"}


# --- limits and monthly date rules --------------------------------------------------------------
_MAX_BEFORE_RE = re.compile(r"\b(?:up to|upto|maximum(?: of)?|max\.?|at most|no more than|not more than|capped at|"
                            r"limited to|a cap of|cap of|not exceed(?:ing)?|under|within)\s*$", re.I)
_MIN_BEFORE_RE = re.compile(r"\b(?:at least|minimum(?: of)?|min\.?|no less than|not less than)\s*$", re.I)
_MIN_AFTER_RE = re.compile(r"^\s*(?:or more|or longer|minimum|at least)\b", re.I)
# Public: the phrases read as an "unlimited" claim (no cap on the quantity).
UNLIMITED_RE = re.compile(r"\b(?:unlimited|no (?:upper |fixed |set )?(?:limit|cap|ceiling|maximum)|uncapped|"
                           r"as many (?:days )?as you (?:need|like|want))\b", re.I)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1}
_WEEKDAY_RULE_RE = re.compile(
    r"\b(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|last)\s+(?P<wd>monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|working day|business day|weekday)\s+(?P<rel>after|of|following|before|in)\s+(?:the\s+|each\s+|every\s+)?"
    r"(?P<what>month[- ]end|end of (?:the |each |every )?month|month|quarter[- ]end|pay ?day)\b", re.I)


def _monthly_rule(m: re.Match) -> str:
    wd = m.group("wd").lower().replace("business day", "working day")
    rel = m.group("rel").lower()
    what = m.group("what").lower().replace("-", " ")
    if what.startswith("end of"):
        what = "month end"
    if rel == "following":
        rel = "after"
    if rel == "in":
        rel = "of"
    return f"{m.group('ord').lower().replace('1st', 'first').replace('2nd', 'second')} {wd} {rel} {what}"


def _day_rule(value: Any) -> str:
    """facts' day_of_month value as a rule string: 15 -> "day 15 of the month"."""
    if isinstance(value, int):
        return f"day {value} of the month"
    text = str(value)
    m = re.match(r"(\d+) \(next month\)", text)
    if m:
        return f"day {m.group(1)} of the next month"
    if text.startswith("first day") or text == "first calendar day":
        return "day 1 of the month"
    return f"{text} of the month"


_UNITS = {"duration": "day", "percentage": "%", "size": "MB", "date": "", "weekday": "", "time": "minute"}


def _unit(dimension: str) -> str:
    if dimension.startswith("amount:"):
        return dimension.split(":", 1)[1]
    if dimension.startswith("count:"):
        return dimension.split(":", 1)[1]
    return _UNITS.get(dimension, "")


def _clause(text: str, start: int, end: int) -> str:
    lo, hi = _facts._clause_bounds(text, start, end)
    return text[lo:hi].strip()


def _sentence(text: str, start: int, end: int) -> str:
    lo, hi = _facts._clause_bounds(text, start, end, _facts._SENTENCE_END_RE)
    return text[lo:hi]


def _question_subject(question: str, vocabulary: "Vocabulary | None") -> str:
    if not question:
        return ""
    if vocabulary is not None:
        s = vocabulary.subject_in(question)
        if s:
            return s
    if len(_tokens(question)) <= 3:
        return ""  # "Any update?": too short to say what it is about (unless a known subject)
    text = vocabulary.expand(question) if vocabulary is not None else question
    text = _strip_scope(text)
    words = [w.lower() for w in _tokens(text) if w.lower() not in _QUESTION_STOP and len(w) > 1]
    return " ".join(words[:6])


def _strip_scope(text: str) -> str:
    """The text without the words that name a scope ("in India", "for contractors")."""
    text = _COUNTRY_RE.sub(" ", text)
    for _k, rx in _EMP_RE + _COND_RE:
        text = rx.sub(" ", text)
    return _OFFICE_RE.sub(" ", text)


def extract_claims(text: str | None, vocabulary: Vocabulary | None = None, *,
                   question: str | None = None) -> list[Claim]:
    """The claims `text` states, in order of appearance. `vocabulary` (from `Vocabulary.learn`
    over the workspace's texts) expands abbreviations and names subjects; None learns one from
    `text` and `question` alone. `question`: the question the text answers; it gives the subject
    of values the answer states without one, the subject of a yes/no answer, and a scope.
    Never raises; [] for empty text."""
    if not text:
        return []
    text = str(text)[:20000]
    if vocabulary is None:
        vocabulary = Vocabulary.learn([text] + ([question] if question else []))
    q_scope = scope_of(question or "")
    q_subject = _question_subject(question or "", vocabulary)
    facts = _facts.extract_facts(text)
    out: list[Claim] = []
    taken: list[tuple[int, int]] = []

    stated_for: dict[tuple[int, int], tuple[str, ...]] = {}

    def scope_for(start: int, end: int) -> tuple[tuple[str, str], ...]:
        """The question's scope, overridden per key by the sentence's mention of that key
        nearest to the claim ("60 days once you are confirmed, and 30 days during probation")."""
        sc = dict(q_scope)
        lo, hi = _facts._clause_bounds(text, start, end, _facts._SENTENCE_END_RE)
        own: dict[str, str] = {}
        best: dict[str, int] = {}
        for off, key, value in scope_mentions(text[lo:hi]):
            pos = lo + off
            dist = (start - pos) if pos < start else (pos - end) + 1
            if key not in best or dist < best[key]:
                best[key], own[key] = dist, value
        sc.update(own)
        stated_for[(start, end)] = tuple(sorted(own))
        return tuple(sorted(sc.items()))

    last_subject: dict[str, str] = {}
    source_for: dict[tuple[int, int], str] = {}

    def subject_for(f_subject: str, start: int, end: int, attribute: str = "") -> str:
        """The fact's own subject; else a known subject its clause names; else the subject of
        the claim before it with the same attribute ("In India it is 18 days"); else the
        question's."""
        if not f_subject and attribute in ("monthly_date", "unlimited"):
            lo, _hi = _facts._clause_bounds(text, start, end)
            f_subject = _facts._subject_before(text[lo:start])[0]
        s = _trim_subject(vocabulary.expand(f_subject).lower().strip()) if f_subject else ""
        src = "answer"
        if not subject_terms(s):
            s, src = (vocabulary.subject_in(_clause(text, start, end)) if vocabulary.subjects else ""), "known"
        if not subject_terms(s):
            s, src = _clause_head(text, start, end, vocabulary), "answer"
        if not subject_terms(s):
            s, src = last_subject.get(attribute, ""), "previous"
        if not subject_terms(s):
            s, src = q_subject, "question"
        source_for[(start, end)] = src if subject_terms(s) else ""
        if attribute and subject_terms(s):
            last_subject[attribute] = s
        return s

    def add(claim: Claim) -> None:
        out.append(Claim(**{**claim.__dict__, "terms": subject_terms(claim.subject, vocabulary),
                            "stated_scope": stated_for.get((claim.start, claim.end), ()),
                            "subject_source": claim.subject_source or source_for.get((claim.start, claim.end), "")}))

    for m in _WEEKDAY_RULE_RE.finditer(text):
        taken.append((m.start(), m.end()))
        add(Claim(subject=subject_for("", m.start(), m.end(), "monthly_date"), attribute="monthly_date", value=_monthly_rule(m),
                  period="month", scope=scope_for(m.start(), m.end()), date=_monthly_rule(m), text=m.group(0),
                  start=m.start(), end=m.end(), evidence=_clause(text, m.start(), m.end())))
    for m in UNLIMITED_RE.finditer(text):
        taken.append((m.start(), m.end()))
        add(Claim(subject=subject_for("", m.start(), m.end(), "unlimited"), attribute="unlimited", value="unlimited",
                  scope=scope_for(m.start(), m.end()), limit="unlimited", text=m.group(0), start=m.start(),
                  end=m.end(), evidence=_clause(text, m.start(), m.end())))
    has_quantity_in: set[tuple[int, int]] = set()
    polarity_done = False
    for f in facts:
        if any(f.start < b and a < f.end for a, b in taken):
            continue
        subj = f.subject if subject_terms(f.subject) else f.of_phrase
        if f.kind in _facts._POLARITY_KINDS:
            continue
        lo, hi = _facts._clause_bounds(text, f.start, f.end)
        has_quantity_in.add((lo, hi))
        before = text[max(0, f.start - 30):f.start]
        after = text[f.end:f.end + 20]
        limit = "exact"
        if isinstance(f.value, tuple) and f.value[0] != f.value[1]:
            limit = "range"
        elif _MAX_BEFORE_RE.search(before):
            limit = "max"
        elif _MIN_BEFORE_RE.search(before) or _MIN_AFTER_RE.search(after):
            limit = "min"
        attribute, value, date, period = f.dimension, f.value, None, f.rate
        if f.dimension == "day_of_month":
            attribute, value = "monthly_date", _day_rule(f.value)
            date, period = value, "month"
        elif f.dimension == "date":
            date = str(f.value)
        add(Claim(subject=subject_for(subj, f.start, f.end, attribute), attribute=attribute, value=value,
                  unit=_unit(f.dimension), period=period, scope=scope_for(f.start, f.end), limit=limit,
                  date=date, text=f.text, start=f.start, end=f.end, evidence=_clause(text, f.start, f.end)))
    # polarity: a "Yes"/"No" opening is about the question; an allowed/forbidden phrase counts
    # when its clause states no quantity ("you can take up to 5 days": the 5 days say it)
    for f in facts:
        if f.kind not in _facts._POLARITY_KINDS or polarity_done:
            continue
        lo, hi = _facts._clause_bounds(text, f.start, f.end)
        if f.kind == "permission" and (lo, hi) in has_quantity_in:
            continue
        if f.kind == "permission" and any(g.kind == "yes_no" for g in facts):
            continue
        subject, src = q_subject, "question"
        if not subject:
            subject, src = vocabulary.subject_in(_clause(text, f.start, f.end)), "known"
        if not subject:
            subject, src = _permission_subject(text, f), "answer"
        add(Claim(subject=subject, subject_source=src, attribute="polarity", value=bool(f.value), scope=scope_for(f.start, f.end),
                  polarity=bool(f.value), text=f.text, start=f.start, end=f.end,
                  evidence=_clause(text, f.start, f.end)))
        polarity_done = True
    out.sort(key=lambda c: c.start)
    return out


_SUBJECT_TAIL = {"go", "goes", "come", "comes", "hit", "hits", "land", "lands", "get", "gets", "out", "in", "up",
                 "is", "are", "was", "be", "loaded", "credited", "paid", "capped", "set", "allowed", "given",
                 "exceeds", "exceed", "stays", "stay"}


def _trim_subject(s: str) -> str:
    """A subject without the verb words it was read with: "reimbursements go out" ->
    "reimbursements"."""
    words = s.split()
    while len(words) > 1 and words[-1] in _SUBJECT_TAIL:
        words.pop()
    return " ".join(words)


def _clause_head(text: str, start: int, end: int, vocabulary: "Vocabulary") -> str:
    """The noun phrase a clause opens with, up to its verb ("The meal card is loaded with INR
    2,200": "meal card"), when the value sits after a preposition."""
    lo, _hi = _facts._clause_bounds(text, start, end)
    words = []
    for w in _tokens(text[lo:start])[:8]:
        lw = w.lower()
        if lw in ("the", "a", "an", "your", "our", "all", "every", "each") and not words:
            continue
        if lw in _facts._LEAD_IN or lw in _facts._STOP or lw in _facts._HOLDER_VERBS or lw in _facts._VERBS \
                or lw in _SUBJECT_TAIL:
            if lw in _GIVER_VERBS and len(words) == 1 and words[0].istitle():
                return ""  # "Acme MATCHES 100%": a name that gives is who pays, not what is measured
            break
        words.append(w)
    return vocabulary.expand(" ".join(words[:4])).lower() if words else ""


# verbs whose subject is the one who gives (the organisation, an insurer), not the thing measured
_GIVER_VERBS = {"match", "matches", "pay", "pays", "offer", "offers", "provide", "provides", "give", "gives",
                "reimburse", "reimburses", "contribute", "contributes"}


def _permission_subject(text: str, f) -> str:
    """What an allowed/forbidden phrase is about when no question says: the content words after
    it in its clause ("is not allowed to WORK FROM ABROAD")."""
    lo, hi = _facts._clause_bounds(text, f.start, f.end)
    words = [w.lower() for w in _tokens(text[f.end:hi]) + _tokens(text[lo:f.start])
             if w.lower() not in _QUESTION_STOP and len(w) > 1]
    return " ".join(words[:4])


# --- comparing ----------------------------------------------------------------------------------
def _scopes_clash(a: Claim, b: Claim) -> bool:
    """A key both name with different values; or a key one answer states itself ("Contractors
    get 12 days") that the other does not name at all (a scope only a question names, "for new
    joiners in india", is no clash with an answer that names none)."""
    da, db = dict(a.scope), dict(b.scope)
    if any(da[k] != db[k] for k in da.keys() & db.keys()):
        return True
    return any(k not in db for k in a.stated_scope) or any(k not in da for k in b.stated_scope)


def _subjects_same(a: Claim, b: Claim) -> bool:
    ta, tb = a.terms or subject_terms(a.subject), b.terms or subject_terms(b.subject)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return small <= big and (len(small) >= 2 or len(big) <= 2)


def same_topic(a: Claim, b: Claim) -> bool:
    """Are two claims about the same thing (so that their values can be compared)? Same
    attribute (an "unlimited" claim matches any quantity attribute; polarity only polarity), the
    same period when both name one, the same subject terms, no clashing scope."""
    if a.attribute != b.attribute:
        unl = {a.attribute, b.attribute} - {"unlimited"}
        if not ("unlimited" in (a.attribute, b.attribute) and len(unl) == 1
                and next(iter(unl)).split(":", 1)[0] in QUANTITY_ATTRIBUTES):
            return False
    if a.period and b.period and a.period != b.period and "unlimited" not in (a.attribute, b.attribute):
        return False
    if _scopes_clash(a, b):
        return False
    return _subjects_same(a, b)


def _same_quantity(a: Claim, b: Claim) -> bool:
    va, vb = a.value, b.value
    if isinstance(va, tuple) and isinstance(vb, tuple):
        rel = 0.02 if a.attribute == "duration" else 0.01
        tol = rel * max(abs(va[1]), abs(vb[1]), 1e-9)
        return va[0] <= vb[1] + tol and vb[0] <= va[1] + tol
    return va == vb


def compatible(a: Claim, b: Claim) -> bool:
    """Can both claims be true (meant for two claims on the same topic)? Equal values (ranges
    that overlap); "unlimited" only with "unlimited"; the same polarity."""
    if (a.attribute == "unlimited") != (b.attribute == "unlimited"):
        return False
    if a.attribute == "polarity" or b.attribute == "polarity":
        return a.polarity == b.polarity
    return _same_quantity(a, b)


def contradicts(a: Claim, b: Claim) -> bool:
    """Two claims about the same thing whose values cannot both be true."""
    return same_topic(a, b) and not compatible(a, b)


def claim_key(c: Claim) -> tuple:
    """A grouping key: claims with equal keys are about the same thing (a coarser test than
    `same_topic`; used to bucket claims so that only claims sharing a key are compared)."""
    fam = "quantity" if c.family in QUANTITY_ATTRIBUTES or c.attribute == "unlimited" else c.attribute
    return (fam, tuple(sorted(c.terms or subject_terms(c.subject))))


def value_key(c: Claim) -> tuple:
    """Claims with equal value keys state the same value (the same attribute, value, period)."""
    v = c.value
    if isinstance(v, tuple):
        v = tuple(round(float(x), 3) for x in v)
    return (c.attribute, v, c.period if c.attribute != "unlimited" else None)


def value_label(c: Claim) -> str:
    """The value in words: "18 days per year", "unlimited", "yes", "not allowed"."""
    if c.attribute == "polarity":
        return "yes / allowed" if c.polarity else "no / not allowed"
    if c.attribute == "unlimited":
        return "unlimited"
    text = " ".join(c.text.split()).rstrip(".")
    if c.limit == "max" and not text.lower().startswith("up to"):
        text = "up to " + text
    elif c.limit == "min" and "least" not in text.lower():
        text = "at least " + text
    if c.period and c.attribute != "monthly_date" and c.period not in text.lower():
        text += f" per {c.period}" if not c.period.startswith("every") else f" {c.period}"
    return text


def same_topic_scope(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """Do two scopes (dicts) fit together (no key with different values)?"""
    return not any(a[k] != b[k] for k in a.keys() & b.keys())


def claims_of_pairs(pairs: Sequence[tuple[str, str]], vocabulary: Vocabulary | None = None) -> list[list[Claim]]:
    """extract_claims for (question, answer) tuples with one vocabulary learned over all of them."""
    if vocabulary is None:
        vocabulary = Vocabulary.learn([t for qa in pairs for t in qa])
    return [extract_claims(a, vocabulary, question=q) for q, a in pairs]


# --- the claims index (DuckDB) --------------------------------------------------------------------
# One row per claim of every pair that is not rejected, with the hash of the texts it was read from
# and the signature of the vocabulary it was read with. `update_index` brings it up to date: pairs
# whose question or answer changed (or that are new) are read again, pairs that are gone or
# rejected lose their rows, and everything is read again when the workspace's vocabulary changed.
# The tables are created on first use.
INDEX_DDL = [
    """CREATE TABLE IF NOT EXISTS claims (
        pair_id INTEGER NOT NULL, text_hash VARCHAR NOT NULL, subject VARCHAR, terms VARCHAR[],
        attribute VARCHAR NOT NULL, value JSON, unit VARCHAR, period VARCHAR, scope JSON, stated JSON,
        polarity BOOLEAN, "limit" VARCHAR, date VARCHAR, text VARCHAR, start_at INTEGER, end_at INTEGER,
        evidence VARCHAR, subject_source VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS claims_meta (key VARCHAR PRIMARY KEY, value JSON)",
]


def ensure_index(ws) -> None:
    """Create the claims tables when the workspace has none yet."""
    for ddl in INDEX_DDL:
        ws.execute(ddl)


def _pair_hash(question: str, answer: str) -> str:
    import hashlib

    return hashlib.sha256(f"{question}\x00{answer}".encode("utf-8", "replace")).hexdigest()[:32]


def vocabulary_signature(v: Vocabulary) -> str:
    import hashlib
    import json

    body = json.dumps([sorted(v.abbreviations.items()), sorted(v.subjects)])
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def _meta(ws, key: str):
    import json

    row = ws.execute("SELECT value FROM claims_meta WHERE key = ?", [key]).fetchall()
    return json.loads(row[0][0]) if row and row[0][0] is not None else None


def _set_meta(ws, key: str, value) -> None:
    import json

    ws.execute("INSERT OR REPLACE INTO claims_meta VALUES (?, ?)", [key, json.dumps(value)])


def workspace_vocabulary(ws, texts: Sequence[str] | None = None) -> Vocabulary:
    """The vocabulary learned from the workspace's questions and answers (and the policy
    sheet's text, when one is loaded)."""
    if texts is None:
        rows = ws.execute("SELECT instruction, response FROM pairs WHERE status <> 'rejected'").fetchall()
        texts = [t for r in rows for t in r]
    extra = _meta(ws, "policy_text") if _has_index(ws) else None
    return Vocabulary.learn(list(texts) + ([extra] if extra else []))


def _has_index(ws) -> bool:
    return bool(ws.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'claims_meta'"))


def _to_row(pair_id: int, h: str, c: Claim) -> tuple:
    import json

    value = list(c.value) if isinstance(c.value, tuple) else c.value
    return (pair_id, h, c.subject, sorted(c.terms), c.attribute, json.dumps(value), c.unit, c.period,
            json.dumps(dict(c.scope)), json.dumps(list(c.stated_scope)), c.polarity, c.limit, c.date, c.text,
            c.start, c.end, c.evidence[:400], c.subject_source)


def _from_row(r) -> tuple[int, Claim]:
    import json

    (pid, _h, subject, terms, attribute, value, unit, period, scope, stated, polarity, limit, date, text, s, e,
     evidence, source) = r
    v = json.loads(value) if value is not None else None
    if isinstance(v, list):
        v = tuple(v)
    return int(pid), Claim(subject=subject or "", attribute=attribute, value=v, unit=unit or "", period=period,
                           scope=tuple(sorted(json.loads(scope or "{}").items())),
                           stated_scope=tuple(json.loads(stated or "[]")), polarity=polarity,
                           limit=limit or "exact", date=date, text=text or "", start=int(s or 0), end=int(e or 0),
                           evidence=evidence or "", terms=frozenset(terms or ()), subject_source=source or "")


def update_index(ws, items: Sequence | None = None, *, vocabulary: Vocabulary | None = None) -> dict[str, int]:
    """Bring the claims index up to date with the workspace's pairs (`items`: the PairText list
    the runner loaded, else read here). Returns {"read": pairs read again, "removed": pairs
    dropped, "claims": claims in the index}."""
    import pyarrow as pa

    ensure_index(ws)
    if items is None:
        rows = ws.execute("SELECT id, instruction, response FROM pairs WHERE status <> 'rejected' ORDER BY id").fetchall()
        items = [_Item(int(i), q or "", a or "") for i, q, a in rows]
    vocab = vocabulary or workspace_vocabulary(ws, [t for p in items for t in (p.instruction, p.response)])
    sig = vocabulary_signature(vocab)
    want = {int(p.id): _pair_hash(p.instruction, p.response) for p in items}
    with ws.transaction():
        if _meta(ws, "vocabulary") != sig:
            ws.execute("DELETE FROM claims")
            _set_meta(ws, "vocabulary", sig)
            have: dict[int, str] = {}
        else:
            have = {int(p): h for p, h in ws.execute("SELECT DISTINCT pair_id, text_hash FROM claims").fetchall()}
            # pairs read before with no claims are remembered in the meta table
            none = _meta(ws, "no_claims") or {}
            have.update({int(k): v for k, v in none.items()})
        stale = [p for p, h in have.items() if want.get(p) != h]
        if stale:
            ws.execute("DELETE FROM claims WHERE list_contains(?, pair_id)", [stale])
        todo = [p for p in items if have.get(int(p.id)) != want[int(p.id)]]
        rows = []
        no_claims = {int(k): v for k, v in (_meta(ws, "no_claims") or {}).items() if int(k) in want and want[int(k)] == v}
        for p in todo:
            cs = extract_claims(p.response, vocab, question=p.instruction)
            h = want[int(p.id)]
            if not cs:
                no_claims[int(p.id)] = h
            else:
                no_claims.pop(int(p.id), None)
            rows += [_to_row(int(p.id), h, c) for c in cs]
        _set_meta(ws, "no_claims", {str(k): v for k, v in no_claims.items()})
        if rows:
            cols = list(zip(*rows))
            table = pa.table({
                "pair_id": pa.array(cols[0], pa.int32()), "text_hash": pa.array(cols[1], pa.string()),
                "subject": pa.array(cols[2], pa.string()), "terms": pa.array(cols[3], pa.list_(pa.string())),
                "attribute": pa.array(cols[4], pa.string()), "value": pa.array(cols[5], pa.string()),
                "unit": pa.array(cols[6], pa.string()), "period": pa.array(cols[7], pa.string()),
                "scope": pa.array(cols[8], pa.string()), "stated": pa.array(cols[9], pa.string()),
                "polarity": pa.array(cols[10], pa.bool_()), "limit": pa.array(cols[11], pa.string()),
                "date": pa.array(cols[12], pa.string()), "text": pa.array(cols[13], pa.string()),
                "start_at": pa.array(cols[14], pa.int32()), "end_at": pa.array(cols[15], pa.int32()),
                "evidence": pa.array(cols[16], pa.string()), "subject_source": pa.array(cols[17], pa.string()),
            })
            with ws.registered("_pairsmith_new_claims", table) as name:
                ws.execute(f"""INSERT INTO claims SELECT pair_id, text_hash, subject, terms, attribute,
                               CAST(value AS JSON), unit, period, CAST(scope AS JSON), CAST(stated AS JSON),
                               polarity, "limit", date, text, start_at, end_at, evidence, subject_source
                               FROM {name}""")
        gone = [p for p in have if p not in want]
        if gone:
            ws.execute("DELETE FROM claims WHERE list_contains(?, pair_id)", [gone])
    return {"read": len(todo), "removed": len(gone) + len(stale),
            "claims": int(ws.scalar("SELECT count(*) FROM claims"))}


@dataclass(frozen=True)
class _Item:
    id: int
    instruction: str
    response: str


def load_index(ws, pair_ids: Sequence[int] | None = None) -> dict[int, list[Claim]]:
    """{pair id: its claims in order} from the index (call `update_index` first)."""
    ensure_index(ws)
    sql = 'SELECT * FROM claims'
    params = None
    if pair_ids is not None:
        sql += " WHERE list_contains(?, pair_id)"
        params = [list(pair_ids)]
    out: dict[int, list[Claim]] = {}
    for r in ws.execute(sql + " ORDER BY pair_id, start_at", params).fetchall():
        pid, c = _from_row(r)
        out.setdefault(pid, []).append(c)
    return out
