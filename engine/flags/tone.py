"""Tone: answers that depart from the workspace's house style.

Which text: the drafted response (what the model will learn from). Drafting strips greetings
and signatures, so on drafted text the "missing greeting/closing" rule only fires for a house
whose drafted answers still keep them (a pasted data set, hand-written pairs); the rule learns
the house rate and stays silent below 60%.

How: explicit rules name the concrete reasons a team lead can check ("shorthand: pls, chk",
"ALL CAPS: DO NOT", "slang: yeah, mate", "rude: 'read the policy'", "emoji", "one line of 3
words where answers here usually run 35-80 words"), and a small style model learned from the
workspace's own answers (all of them, or only the approved ones once there are >= 200) tells
what is normal here:
  * words the house itself uses often (an "FYI" culture, a product called "ASAP") are not
    flagged as shorthand;
  * length outliers: a robust z-score on log word count (median / MAD);
  * an IsolationForest over a style vector (length, sentences, word length, caps ratio,
    shorthand rate, punctuation, emoji...) marks answers unusual as a whole; on its own it
    never flags, but it promotes a single weak sign (a lowercase "i", "!!") into a flag.
With fewer than 20 answers there is nothing to learn from: rules only, fixed thresholds.

The house is learned from the items passed in. For a re-check of a few edited pairs, pass all
pairs and `ctx.settings["focus_pair_ids"]` (as the runner does for duplicates): only those are
judged, against the whole workspace's style.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from engine.flags.base import DetectContext, FlagCandidate, PairText, Span
from engine.flags.pii import PLACEHOLDER_RE
from engine.workspace.progress import raise_if_cancelled

MIN_LEARN = 20  # below this many answers: rules only
APPROVED_ENOUGH = 200  # learn from approved answers only once there are this many
HOUSE_WORD_RATE = 0.10  # a "shorthand" word used in >10% of the house's answers is house style
GREETING_RATE = 0.60
CURT_WORDS = 8  # a one-line answer this short, in a house of longer answers, is curt
SCAN_LIMIT = 50_000  # characters of one answer examined for word-level rules

SHORTHAND = {
    "pls": "please", "plz": "please", "pl": "please", "plse": "please", "chk": "check", "chck": "check",
    "shd": "should", "shud": "should", "thr": "there", "u": "you", "ur": "your", "r": "are", "asap": "as soon as possible",
    "fyi": "for your information", "btw": "by the way", "thx": "thanks", "thnx": "thanks", "thanx": "thanks",
    "tx": "thanks", "ty": "thank you", "wud": "would", "cud": "could", "abt": "about", "msg": "message",
    "coz": "because", "cuz": "because", "bcoz": "because", "bcz": "because", "b4": "before", "gr8": "great",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tomo": "tomorrow", "2day": "today", "2moro": "tomorrow",
    "idk": "I don't know", "imo": "in my opinion", "lmk": "let me know", "ppl": "people", "k": "okay",
    "kk": "okay", "hv": "have", "hav": "have", "nd": "and", "wat": "what", "wht": "what", "wrt": "with regard to",
    "approx": "approximately", "info": "information", "pwd": "password", "reqd": "required", "req": "request",
    "acc": "account", "dept": "department", "mgr": "manager", "yr": "your", "wk": "week", "hrs": "hours",
    "mins": "minutes", "sec": "second", "govt": "government", "doc": "document", "docs": "documents",
    "im": "I'm", "dont": "don't", "cant": "can't", "wont": "won't", "didnt": "didn't", "isnt": "isn't",
    "doesnt": "doesn't", "ive": "I've", "youre": "you're", "ll": "will", "n": "and", "w/": "with", "w/o": "without",
    "bc": "because", "thru": "through", "mth": "month", "apprvl": "approval", "frm": "from", "ofc": "office",
    "pg": "page", "ttyl": "talk to you later", "b": "be", "wd": "working days", "d": "days",
}
# single letters and the most ordinary abbreviations only count lower-case ("U" can be a grade)
_LOWER_ONLY = {"u", "r", "k", "n", "b", "d", "ll", "im", "pl", "doc", "docs", "info", "sec", "acc", "req", "hrs", "mins",
               "wk", "tx", "bc", "wd", "pg", "nd", "ofc", "mth", "yr"}
_SINGLE = {"u", "r", "k", "n", "b", "d"}  # single letters count only as a word between spaces/commas
# abbreviations a formal house may use itself: flagged only when the house rarely does
_SOFT = {"info", "approx", "dept", "mgr", "hrs", "mins", "docs", "doc", "pwd", "govt", "sec", "acc", "req", "reqd", "wrt", "fyi", "asap"}

SLANG = {
    "yeah", "yep", "yup", "nope", "np", "mate", "gonna", "wanna", "gotta", "kinda", "sorta", "dunno",
    "lemme", "gimme", "dude", "bro", "lol", "haha", "hehe", "omg", "cheers", "chill", "awesome", "cool",
    "y'all", "ain't", "nah", "aight", "bruh",
    "meh", "ugh", "duh", "oops", "whoops",
}
_SLANG_PHRASES = re.compile(
    r"\b(?:no\s+worries|no\s+probs?|no\s+problemo|all\s+good|easy\s+peasy|piece\s+of\s+cake|good\s+to\s+go|"
    r"(?:all|it'?s|you'?re|that'?s|now|be|is|are|was|get\s+it|got\s+it|should\s+be)\s+sorted(?!\s+(?:by|in|alphabetically|according|order))|"
    r"sorted(?=\s*[!.]*\s*$)|sorted\s+now\b|sorted[,!]\s+mate\b|"
    r"hit\s+me\s+up|shout\s+if|give\s+(?:it|that)\s+a\s+(?:go|whirl|shot)|sort\s+it\s+out|done\s+and\s+dusted|"
    r"my\s+bad|you\s+guys|hey\s+there)\b",
    re.IGNORECASE | re.MULTILINE,
)
_RUDE = re.compile(
    r"\b(?:obviously|clearly\s+(?:stated|mentioned|written)|as\s+I\s+(?:already|have\s+already)\s+(?:said|told\s+you|mentioned|explained)|"
    r"as\s+(?:already|previously)\s+(?:said|told)|(?:I|we)\s+(?:already|have\s+already)\s+told\s+you|like\s+I\s+said|"
    r"read\s+the\s+(?:policy|manual|docs?|documentation|faq|wiki|intranet|email|instructions|handbook)(?:\s+\w+){0,3}\s+(?:before|first)|"
    r"before\s+(?:asking|(?:raising|logging|opening|creating|sending)\s+(?:a\s+|another\s+)?(?:ticket|request|query))|"
    r"look\s+it\s+up|(?:not\s+sure\s+)?why\s+(?:this|it|that)\s+(?:needed|needs|required|warranted)\s+a\s+ticket|"
    r"(?:this|it)\s+(?:didn'?t|did\s+not|doesn'?t)\s+need\s+a\s+ticket|clearly\s+explained|"
    r"how\s+many\s+times|not\s+(?:my|our)\s+(?:problem|job|issue|headache)|figure\s+it\s+out|google\s+it|"
    r"(?:you\s+)?should\s+(?:have|'?ve)\s+known|you\s+should\s+know|it'?s\s+not\s+rocket\s+science|common\s+sense|"
    r"stop\s+(?:asking|raising|sending)|don'?t\s+bother|next\s+time,?\s+(?:read|check|please\s+read|try)|we'?ve\s+been\s+over\s+this|"
    r"(?:it'?s|that'?s|this\s+is)\s+(?:all\s+)?in\s+the\s+(?:policy|handbook|faq|wiki)|can'?t\s+you\s+read|"
    r"did\s+you\s+(?:even\s+)?(?:read|check|try)|not\s+that\s+hard|seriously|for\s+the\s+(?:last|hundredth|third|nth)\s+time|"
    r"asked\s+and\s+answered|self[-\s]explanatory|(?:is|was)\s+(?:already\s+)?(?:explained|answered)\s+(?:many|several|multiple)\s+times)\b",
    re.IGNORECASE,
)
# Phrases of _RUDE that are ordinary, polite help in other sentences: "Please check the portal
# before raising a ticket", "You can look it up in the directory", "We take this seriously",
# "Did you try restarting?", "How many times did the error appear?", "things you should know",
# "locked for the third time today", "Don't bother printing the form". They count as rude only
# in the shapes below.
_RUDE_BEFORE_TICKET_OK = re.compile(r"(?i)\bread(?:ing)?\b[^.!?\n]{0,60}$")
_NEXT_TIME_AFTER = re.compile(r"(?i)\s+next\s+time\b")
_HELPFUL_LOOKUP_BEFORE = re.compile(r"(?i)\b(?:please|can|could|may|might|to|will|simply|easily|also)\s+$")
_HELPFUL_LOOKUP_AFTER = re.compile(r"(?i)\s+(?:in|on|under|via|using|through|at|from|by)\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?\n]\s*|[\"'(]\s*)$")
_DID_YOU_RUDE = re.compile(
    r"(?i)did\s+you\s+(?:even\b|read\s+(?:the|my|our|it|this)\b\s*(?:policy|manual|docs?|documentation|faq|wiki|"
    r"intranet|email|instructions|handbook|message|reply|answer)?)")
_HOW_MANY_RUDE_AFTER = re.compile(r"(?i)(?:\s+\w+){0,4}?\s+(?:tell|told|say|said|explain|explained|repeat|remind|reminded)\b")
_SHOULD_KNOW_RUDE_AFTER = re.compile(r"(?i)\s*(?:[.!]|$|\s+(?:this|that|better|by\s+now|already)\b(?!\s+\w+\s+(?:is|are)\b))")
_DONT_BOTHER_RUDE_AFTER = re.compile(
    r"(?i)\s*(?:[.!]|$|\s+(?:asking|raising|logging|opening|emailing|calling|contacting|chasing|me|us|the\s+(?:helpdesk|service\s+desk|team)))")


def _rude_in_context(scan: str, m: re.Match) -> bool:
    """False when the matched phrase is ordinary help in this sentence (see above)."""
    phrase = m.group(0).lower()
    before = scan[max(0, m.start() - 80):m.start()]
    after = scan[m.end():m.end() + 60]
    if phrase.startswith("before "):
        return bool(_RUDE_BEFORE_TICKET_OK.search(before) or _NEXT_TIME_AFTER.match(after))
    if phrase == "look it up":
        return not (_HELPFUL_LOOKUP_BEFORE.search(before) or _HELPFUL_LOOKUP_AFTER.match(after))
    if phrase == "seriously":
        return bool(_SENTENCE_START.search(before)) or after[:1] in ("?", "!")
    if phrase.startswith("did you"):
        return bool(_DID_YOU_RUDE.match(scan, m.start()))
    if phrase == "how many times":
        return bool(_HOW_MANY_RUDE_AFTER.match(after))
    if phrase == "you should know":
        return bool(_SHOULD_KNOW_RUDE_AFTER.match(after)) and not re.search(
            r"(?i)\b(?:things|what|everything|anything|something|all|details|points|facts)\s+$", before)
    if phrase.startswith("for the ") and re.search(r"(?i)(?:last|third)\s+time$", phrase):
        return bool(_SENTENCE_START.search(before))
    if phrase.replace("’", "'").startswith(("don't bother", "dont bother")):
        return bool(_DONT_BOTHER_RUDE_AFTER.match(after))
    return True


_EMPHASIS_CAPS = {
    "NOT", "NEVER", "ALWAYS", "MUST", "PLEASE", "ALREADY", "AGAIN", "NOW", "ONLY", "DO", "DONT", "DON'T",
    "STOP", "READ", "NO", "YES", "YOU", "YOUR", "THE", "BEFORE", "ASAP", "URGENT", "IMMEDIATELY", "ALL",
    "EVERY", "WILL", "CANNOT", "CAN'T", "WON'T", "WE", "IS", "ARE", "THIS", "THAT", "AND", "OR", "TO", "IT",
    "ASKING", "ASK", "CHECK", "FIRST", "SAME", "AS", "SAID", "NEED", "HAVE", "BE", "ON", "IN", "OF", "FOR",
}
_CAPS_WORD = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z']+\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*(?:(?<=\bw)/o?(?!\w))?|\d+[A-Za-z]+")
_SENT_END = re.compile(r"[.!?]+(?:\s|$)")
_EMOJI = re.compile(
    "[\U0001F300-\U0001FAFF\U00002600-\U000027BF\U0001F000-\U0001F2FF\U0001F900-\U0001F9FF\u2764\u2705\u274C]"
    r"|(?<![\w:/])(?::-?\)|:-?D\b|;-?\)|:-?P\b|:-?\(|<3|:-?O\b|xD\b|XD\b|\^_\^|:\s?\))"
)
_MULTI_PUNCT = re.compile(r"[!?]{2,}")
_LOWER_I = re.compile(r"i(?<![\w']i)(?=\s|'m\b|'ll\b|'ve\b|'d\b)(?![\w.-]{2})")
# quick pre-checks: a rule's regex runs only when one of its words is in the answer
_SLANG_KEYS = ("worries", "prob", "all good", "peasy", "piece of cake", "good to go", "sorted", "hit me", "shout if",
               "give it", "give that", "sort it", "dusted", "my bad", "you guys", "hey there")
_RUDE_KEYS = ("obviously", "clearly", "already", "previously", "told you", "said", "read the", "before", "how many",
              "not my", "not our", "figure it", "google", "should", "rocket", "common sense", "stop ", "bother",
              "next time", "been over", "in the", "can't you", "cant you", "did you", "not that hard", "seriously",
              "for the", "asked and", "self", "look it up", "why ", "need a ticket", "explained", "answered")
_EMOJI_ASCII = (":", ";", "<3", "^_^", "xD", "XD")
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|namaste)\b", re.IGNORECASE)
_CLOSING = re.compile(
    r"(?:^|\n)\W*(?:regards|kind\s+regards|best\s+regards|warm\s+regards|best|thanks|thank\s+you|many\s+thanks|"
    r"cheers|sincerely|yours)\b[^\n]{0,60}\s*$",
    re.IGNORECASE,
)


@dataclass
class Style:
    """Per-answer measurements and the concrete rule hits found in it."""

    words: int = 0
    lines: int = 0
    sentences: int = 0
    avg_word_len: float = 0.0
    caps_ratio: float = 0.0
    shorthand: list[tuple[int, int, str]] = field(default_factory=list)
    slang: list[tuple[int, int, str]] = field(default_factory=list)
    rude: list[tuple[int, int, str]] = field(default_factory=list)
    shouting: list[tuple[int, int, str]] = field(default_factory=list)
    emoji: list[tuple[int, int, str]] = field(default_factory=list)
    multi_punct: list[tuple[int, int, str]] = field(default_factory=list)
    lower_i: list[tuple[int, int, str]] = field(default_factory=list)
    exclaims: int = 0
    all_lower: bool = False
    greeting: bool = False
    closing: bool = False
    tokens: set[str] = field(default_factory=set)

    def vector(self) -> list[float]:
        w = max(self.words, 1)
        return [
            math.log1p(self.words),
            math.log1p(self.sentences),
            self.avg_word_len,
            self.caps_ratio,
            len(self.shorthand) / w,
            len(self.slang) / w,
            self.exclaims / w,
            float(len(self.emoji)),
            float(len(self.multi_punct)),
            float(len(self.lower_i)),
            float(self.all_lower),
        ]


# scripts written without spaces between words: about 1.5 characters a word (Chinese, Japanese)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _unicode_word_count(scan: str) -> int:
    """Words in any script: Latin-only counting made a Hindi, Arabic or Russian answer of 30
    words "3 words" (only "Workday Time Off"), and so "a curt one-liner"."""
    unspaced = len(_UNSPACED.findall(scan))
    spaced = sum(1 for t in scan.split() if any(ch.isalpha() and not _UNSPACED.match(ch) for ch in t))
    return spaced + int(round(unspaced / 1.5))


def measure(text: str, acronyms: frozenset[str] = frozenset()) -> Style:
    st = Style()
    if not text:
        return st
    if "[" in text:  # redaction placeholders are neither caps nor shorthand
        text = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text)
    scan = text[:SCAN_LIMIT]
    words = _WORD.findall(scan)
    n = len(words)
    counted = n if scan.isascii() else max(n, _unicode_word_count(scan))
    st.words = counted if len(text) <= SCAN_LIMIT else int(counted * len(text) / SCAN_LIMIT)
    stripped = scan.strip()
    st.lines = stripped.count("\n") + 1 if stripped else 0
    st.sentences = max(1, len(_SENT_END.findall(stripped))) if n else 0
    if n:
        st.avg_word_len = sum(map(len, words)) / n
    letters = sum(map(str.isalpha, scan))
    uppers = sum(map(str.isupper, scan))
    st.caps_ratio = uppers / letters if letters else 0.0
    st.exclaims = scan.count("!")
    st.all_lower = n >= 5 and uppers == 0
    st.greeting = bool(_GREETING.match(scan))
    st.closing = bool(_CLOSING.search(text[-200:]))
    watched = set(map(str.lower, words)) & _WATCHED
    st.tokens = watched
    if watched:  # positions only for answers that have a candidate word (most have none)
        for m in _WORD.finditer(scan):
            w = m.group(0)
            low = w.lower()
            if low not in watched:
                continue
            s, e = m.span()
            if low in SHORTHAND and (low not in _LOWER_ONLY or w == low):
                # single letters only as words of their own: never "401(k)", "Section R" or "a) b)"
                if low in _SINGLE:
                    before = scan[s - 1] if s > 0 else " "
                    after = scan[e] if e < len(scan) else " "
                    if before not in " \n" or after not in " \n,.!?":
                        continue
                    if low in ("r", "n", "b", "d") and (before != " " or after != " "):
                        continue
                st.shorthand.append((s, e, w))
            elif low in SLANG:
                st.slang.append((s, e, w))
    low = scan.lower()
    if any(k in low for k in _SLANG_KEYS):
        for m in _SLANG_PHRASES.finditer(scan):
            st.slang.append((m.start(), m.end(), m.group(0).strip(" .!,")))
    if any(k in low for k in _RUDE_KEYS):
        for m in _RUDE.finditer(scan):
            if _rude_in_context(scan, m):
                st.rude.append((m.start(), m.end(), m.group(0)))
    if not scan.isascii() or any(k in scan for k in _EMOJI_ASCII):
        for m in _EMOJI.finditer(scan):
            st.emoji.append((m.start(), m.end(), m.group(0)))
    if "!!" in scan or "??" in scan or "?!" in scan or "!?" in scan:
        for m in _MULTI_PUNCT.finditer(scan):
            st.multi_punct.append((m.start(), m.end(), m.group(0)))
    for m in _LOWER_I.finditer(scan):
        st.lower_i.append((m.start(), m.end(), "i"))
    st.shouting = _shouting(scan, acronyms)
    return st


def _shouting(text: str, acronyms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Runs of capitalised words that read as shouting, not acronyms (VPN, HR, SSO)."""
    caps = [m for m in _CAPS_WORD.finditer(text) if len(m.group(0)) >= 2]
    out = []
    i = 0
    while i < len(caps):
        j = i
        while j + 1 < len(caps) and text[caps[j].end():caps[j + 1].start()].strip(" ,") == "":
            j += 1
        run = caps[i:j + 1]
        words = [m.group(0) for m in run]
        emphatic = [w for w in words if w in _EMPHASIS_CAPS and w not in acronyms]
        unknown = [w for w in words if w not in acronyms]
        if (len(run) >= 2 and emphatic and len(unknown) >= 2) or (len(run) >= 3 and len(unknown) >= 3) \
                or (len(run) == 1 and words[0] in _EMPHASIS_CAPS and len(words[0]) >= 3 and words[0] not in acronyms
                    and words[0] not in ("ASAP", "THE", "AND", "YOU", "ALL", "FOR", "ARE", "NOW", "ASK")):
            out.append((run[0].start(), run[-1].end(), " ".join(words)))
        i = j + 1
    return out


@dataclass
class House:
    """What is normal in this workspace."""

    n: int = 0
    median_log: float = 0.0
    mad_log: float = 0.0
    p25_words: int = 0
    p75_words: int = 0
    word_rate: dict[str, float] = field(default_factory=dict)
    acronyms: frozenset[str] = frozenset()
    greeting_rate: float = 0.0
    closing_rate: float = 0.0
    model: object | None = None
    threshold: float = 0.0
    scale: tuple[np.ndarray, np.ndarray] | None = None


def _acronyms(texts: list[str]) -> frozenset[str]:
    """ALL-CAPS words that several answers use (VPN, HR, PTO): the house's acronyms."""
    df: Counter[str] = Counter()
    for t in texts:
        df.update({m.group(0) for m in _CAPS_WORD.finditer(t[:SCAN_LIMIT]) if len(m.group(0)) <= 6})
    need = max(2, int(0.01 * len(texts)))
    return frozenset(w for w, c in df.items() if c >= need and w not in _EMPHASIS_CAPS)


def learn_house(texts: list[str], styles: list[Style] | None = None, *, seed: int = 0) -> House:
    house = House(n=len(texts))
    if len(texts) < MIN_LEARN:
        return house
    house.acronyms = _acronyms(texts)
    styles = styles if styles is not None else [measure(t, house.acronyms) for t in texts]
    logs = np.array([math.log1p(s.words) for s in styles])
    house.median_log = float(np.median(logs))
    house.mad_log = float(np.median(np.abs(logs - house.median_log)))
    words = np.array([s.words for s in styles])
    house.p25_words, house.p75_words = int(np.percentile(words, 25)), int(np.percentile(words, 75))
    df: Counter[str] = Counter()
    for s in styles:
        df.update(s.tokens & _WATCHED)
    house.word_rate = {w: c / len(styles) for w, c in df.items()}
    house.greeting_rate = sum(s.greeting for s in styles) / len(styles)
    house.closing_rate = sum(s.closing for s in styles) / len(styles)
    try:
        from sklearn.ensemble import IsolationForest

        X = np.array([s.vector() for s in styles], dtype=float)
        mu = np.median(X, axis=0)
        sd = np.percentile(X, 75, axis=0) - np.percentile(X, 25, axis=0)
        sd[sd < 1e-6] = 1.0
        Xs = (X - mu) / sd
        rng = np.random.default_rng(seed)
        fit = Xs if len(Xs) <= 5000 else Xs[rng.choice(len(Xs), 5000, replace=False)]
        model = IsolationForest(n_estimators=100, random_state=seed, contamination="auto")
        model.fit(fit)
        scores = model.score_samples(fit)
        house.model = model
        house.scale = (mu, sd)
        # unusual: the lowest 5% of this house's own answers
        house.threshold = float(np.percentile(scores, 5))
    except Exception:  # no model is fine: the rules still work
        house.model = None
    return house


_WATCHED = frozenset(SHORTHAND) | frozenset(SLANG)


def _fmt_words(items: list[tuple[int, int, str]], n: int = 4) -> str:
    seen = list(dict.fromkeys(w.lower() if len(w) < 40 else w[:39] + "…" for _, _, w in items))
    return ", ".join(seen[:n]) + ("…" if len(seen) > n else "")


def judge(st: Style, house: House, unusual: bool) -> tuple[list[str], list[tuple[int, int, str]], int]:
    """(reasons in plain words, spans, strength). strength >= 2 means flag."""
    reasons: list[str] = []
    spans: list[tuple[int, int, str]] = []
    strong = 0
    weak = 0
    learned = house.n >= MIN_LEARN

    def house_uses(word: str) -> bool:
        return learned and house.word_rate.get(word.lower(), 0.0) > HOUSE_WORD_RATE

    short = [t for t in st.shorthand if not house_uses(t[2])]
    hard = [t for t in short if t[2].lower() not in _SOFT]
    if hard or len(short) >= 2:
        reasons.append(f"shorthand: {_fmt_words(short)}")
        spans += [(s, e, "shorthand") for s, e, _ in short]
        strong += 1
    slang = [t for t in st.slang if not house_uses(t[2])]
    if slang:
        reasons.append(f"slang: {_fmt_words(slang)}")
        spans += [(s, e, "slang") for s, e, _ in slang]
        strong += 1
    if st.rude:
        reasons.append("rude: " + ", ".join(f"'{w}'" for w in list(dict.fromkeys(w.lower() for _, _, w in st.rude))[:3]))
        spans += [(s, e, "rude") for s, e, _ in st.rude]
        strong += 1
    if st.shouting:
        reasons.append(f"ALL CAPS: {_fmt_words(st.shouting, 3).upper()}")
        spans += [(s, e, "ALL CAPS") for s, e, _ in st.shouting]
        strong += 1
    if st.emoji:
        reasons.append(f"emoji: {' '.join(dict.fromkeys(w for _, _, w in st.emoji[:5]))}")
        spans += [(s, e, "emoji") for s, e, _ in st.emoji]
        strong += 1

    # length: curt one-liners and outliers against the house
    curt = False
    if st.words:
        if learned and house.mad_log > 0:
            z = (math.log1p(st.words) - house.median_log) / (1.4826 * house.mad_log)
        elif learned:
            z = (math.log1p(st.words) - house.median_log) / 0.25
        else:
            z = 0.0
        usual = f"answers here usually run {house.p25_words}-{house.p75_words} words" if learned else ""
        if learned and z < -2.5 and st.words <= CURT_WORDS and st.lines <= 1:
            curt = True
            reasons.append(f"a curt one-liner ({st.words} word{'s' if st.words != 1 else ''}; {usual})")
            strong += 1
        elif not learned and st.words <= 3 and st.lines <= 1:
            curt = True
            reasons.append(f"a curt one-liner ({st.words} word{'s' if st.words != 1 else ''})")
            strong += 1
        elif learned and z < -3.0:
            reasons.append(f"much shorter than usual ({st.words} words; {usual})")
            weak += 1
        elif learned and z > 4.0:
            reasons.append(f"much longer than usual ({st.words} words; {usual})")
            weak += 1

    if learned and house.greeting_rate > GREETING_RATE and not st.greeting and st.words:
        reasons.append("no greeting, though most answers here have one")
        weak += 1
    if learned and house.closing_rate > GREETING_RATE and not st.closing and st.words:
        reasons.append("no closing, though most answers here have one")
        weak += 1
    if st.multi_punct or st.exclaims >= 3:
        reasons.append("repeated punctuation" if st.multi_punct else f"{st.exclaims} exclamation marks")
        spans += [(s, e, "punctuation") for s, e, _ in st.multi_punct]
        weak += 1
    if st.lower_i:
        reasons.append("lower-case 'i'")
        spans += [(s, e, "lower-case i") for s, e, _ in st.lower_i[:5]]
        weak += 1
    if st.all_lower:
        reasons.append("no capital letters at all")
        weak += 1
    if unusual and (weak or strong):
        reasons.append("unusual style for this workspace overall")
        weak += 1
    strength = 2 * strong + weak
    if curt and strong == 1 and not weak:
        strength = 2
    return reasons, spans, strength


# The house style learned by the last full pass, per workspace: a re-check after one edit judges
# the edited answers against it instead of re-measuring every answer (one edit barely moves it).
_HOUSE_CACHE: dict[str, House] = {}


def _unusual(house: House, styles: list[Style]) -> np.ndarray:
    if house.model is None or house.scale is None or not styles:
        return np.zeros(len(styles), dtype=bool)
    X = np.array([s.vector() for s in styles], dtype=float)
    mu, sd = house.scale
    return house.model.score_samples((X - mu) / sd) < house.threshold


def _candidates(items: list[PairText], styles: list[Style], house: House, unusual: np.ndarray) -> list[FlagCandidate]:
    out: list[FlagCandidate] = []
    for i, (it, st) in enumerate(zip(items, styles)):
        reasons, spans, strength = judge(st, house, bool(unusual[i]))
        if strength < 2:
            continue
        rude = any("rude" in r or "ALL CAPS" in r for r in reasons)
        out.append(FlagCandidate(
            kind="tone",
            pair_ids=[it.id],
            explanation="Tone: " + "; ".join(reasons) + ".",
            severity="medium" if rude else "low",
            score=min(1.0, 0.3 + 0.15 * strength),
            details={"reasons": reasons, "words": st.words,
                     "learned_from": house.n if house.n >= MIN_LEARN else 0},
            spans=[Span("response", s, e, label) for s, e, label in sorted(spans)[:50]],
        ))
    return out


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    total = len(items)
    if not items:
        return []
    progress = ctx.progress
    settings = ctx.settings or {}
    # a re-check after an edit: learn from every answer given, judge only the edited pairs
    focus = settings.get("focus_pair_ids")
    focus_set = set(focus) if focus is not None else None
    cache_key = settings.get("workspace_key")
    if focus_set is not None and cache_key and cache_key in _HOUSE_CACHE:
        house = _HOUSE_CACHE[cache_key]
        targets = [it for it in items if it.id in focus_set]
        styles = [measure(it.response or "", house.acronyms) for it in targets]
        return _candidates(targets, styles, house, _unusual(house, styles))
    if progress is not None:
        progress(0, total, "Checking tone")
    approved = [it for it in items if it.status == "approved"]
    reference = approved if len(approved) >= APPROVED_ENOUGH else items
    ref_texts = [it.response or "" for it in reference]
    acr = _acronyms(ref_texts) if len(ref_texts) >= MIN_LEARN else frozenset()
    styles: list[Style] = []
    for i, it in enumerate(items):
        if i % 500 == 0:
            raise_if_cancelled(ctx.cancel)
        styles.append(measure(it.response or "", acr))
        if progress is not None and i % 1000 == 0:
            progress(i // 2, total, "Checking tone")
    by_id = {it.id: s for it, s in zip(items, styles)}
    ref_styles = [by_id[it.id] for it in reference] if reference is not items else styles
    house = learn_house(ref_texts, ref_styles) if len(ref_texts) >= MIN_LEARN else House(n=len(ref_texts))
    house.acronyms = acr
    if cache_key:
        _HOUSE_CACHE[cache_key] = house
    unusual = _unusual(house, styles)
    keep = [i for i, it in enumerate(items) if focus_set is None or it.id in focus_set]
    out = _candidates([items[i] for i in keep], [styles[i] for i in keep], house, unusual[keep])
    if progress is not None:
        progress(total, total, "Checking tone")
    return out
