"""An organisation's own ids (employee, staff, badge numbers), with no format built in: the tokens
written after cue words ("employee id LK204877", "staff number: 004512"), and the shapes that recur
after those cues in a workspace, learned from it and applied anywhere once the user has not
removed them (File > Workspace settings). `engine.flags.pii.find_spans` applies the rules."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

SETTING_EMPLOYEE_ID = "pii_employee_id_pattern"  # an optional extra regex (no default format)
SETTING_ID_PATTERNS = "pii_id_patterns"  # {regex: "confirmed" | "removed"}: the user's decisions
LEARNED_KEY = "learned_id_patterns"  # ctx.settings: the runner's shapes learned from every pair


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


# --- an organisation's own ids: after cue words, and the shapes learned from the workspace --------
# "employee id LK204877", "emp no. 77-3310", "staff number: 004512", "colleague number is LK330915",
# "badge no 30-4471". A token after a cue with an id word ("number", "id", "no", "#", "code") needs a
# digit; after a bare cue ("employee LK204877", "staff LK204877") it needs a letter and a digit.
_ID_CUE_RE = re.compile(
    r"(?i:\b(?:employee|emp|staff|colleague|personnel|payroll|worker|associate|badge|team\s+member|member)"
    r"(?:\s*(?P<word>id|i\.d\.|no\.?|num(?:ber)?|nr|code|#|ref(?:erence)?))?)"
    r"(?:\s*[:#\-]\s*|\s+)(?:(?:is|was|will\s+be|now|should\s+be)\s+){0,2}"
    r"(?P<tok>[A-Za-z0-9](?:[A-Za-z0-9]|[\-/](?=[A-Za-z0-9])){2,15})(?![\w\-/])"
)
_ID_CUE_KEYS = ("employee", "emp", "staff", "colleague", "personnel", "payroll", "worker", "associate",
                "badge", "member")
_TOKEN_RUN_RE = re.compile(r"[A-Za-z]+|\d+|[\-/]")
MIN_LEARNED_VALUES = 2  # distinct values of a shape after cues before it is applied everywhere
"""Calibrated on the bundled sample (12 staff ids after cues, all one shape: learned with 2) and
measured on the second set (7 ids, 5 after cues: the shape is learned and the 2 written without
a cue are found); 3 would have missed the second set's shape in a workspace of 30 pairs."""


@dataclass(frozen=True)
class IdPattern:
    """A token shape seen after id cue words: `pattern` (a regex), how it reads (`display`), some
    `examples`, how many distinct values were seen (`count`), whether it applies anywhere in a text
    (`anywhere`: distinctive shapes, see `_shape`; a bare digit run only after a cue) and the user's
    decision (`state`: learned, confirmed, removed; `added` for one the user wrote)."""
    pattern: str
    display: str
    examples: tuple[str, ...] = ()
    count: int = 0
    anywhere: bool = True
    state: str = "learned"


def _shape(token: str) -> tuple[str, str, bool]:
    """(regex, display, anywhere) of a token: letters kept as written, digit runs by length:
    "LK204877" -> LK\\d{6}, "77-3310" -> \\d{2}-\\d{4}."""
    rx, shown = [], []
    letters = False
    for run in _TOKEN_RUN_RE.findall(token):
        if run.isdigit():
            rx.append(r"\d{%d}" % len(run))
            shown.append(f"{len(run)} digit{'s' if len(run) > 1 else ''}")
        elif run.isalpha():
            letters = True
            rx.append(re.escape(run.upper()))
            shown.append(run.upper())
        else:
            rx.append(re.escape(run))
            shown.append(f"'{run}'")
    # found without a cue only when the shape is distinctive: letters and at least 5 characters
    # ("LK204877", "TR/40917"), or separators and 7+ digits ("40-117-203"); "77-3310" or "E123"
    # would also match month-years and error codes
    n_digits = len(_digits(token))
    anywhere = (letters and len(token) >= 5 and n_digits >= 3) or (("-" in token or "/" in token) and n_digits >= 7)
    return "".join(rx), " + ".join(shown), anywhere


def cue_ids(text: str):
    """(start, end, token) of every id after a cue word in `text`."""
    if not text:
        return
    low = text.lower() if len(text) < 200_000 else text[:200_000].lower()
    if not any(k in low for k in _ID_CUE_KEYS):
        return
    for m in _ID_CUE_RE.finditer(text):
        tok = m.group("tok")
        if not any(ch.isdigit() for ch in tok):
            continue
        if not m.group("word") and not any(ch.isalpha() for ch in tok):
            continue  # "staff 2024 party": a bare cue needs a letter-and-digit token
        if tok.isdigit() and len(tok) < 3:
            continue
        yield m.start("tok"), m.end("tok"), tok


def learn_id_patterns(texts, min_values: int = MIN_LEARNED_VALUES) -> list[IdPattern]:
    """The shapes of the ids written after cue words in `texts` (strings or PairText items), most
    seen first; a shape needs `min_values` distinct values."""
    seen: dict[str, set[str]] = defaultdict(set)
    info: dict[str, tuple[str, bool]] = {}
    for t in texts:
        fields = (t,) if isinstance(t, str) else (t.instruction, t.response)
        for text in fields:
            for _, _, tok in cue_ids(text or ""):
                rx, shown, anywhere = _shape(tok)
                seen[rx].add(tok.upper())
                info[rx] = (shown, anywhere)
    out = [IdPattern(rx, info[rx][0], tuple(sorted(vals)[:3]), len(vals), info[rx][1])
           for rx, vals in seen.items() if len(vals) >= min_values]
    out.sort(key=lambda p: (-p.count, p.pattern))
    return out


def pattern_error(pattern: str) -> str | None:
    """A one-line message when `pattern` is not a usable id pattern, else None."""
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        return f"the id pattern {pattern!r} is not valid ({exc})"
    if rx.search("") is not None or rx.search("a b") is not None:
        return f"the id pattern {pattern!r} matches almost anything"
    return None


employee_pattern_error = pattern_error


def merge_id_patterns(learned: list[IdPattern], decisions: dict | None) -> list[IdPattern]:
    """The learned shapes with the user's decisions applied, plus the patterns the user added."""
    decisions = {str(k): str(v) for k, v in (decisions or {}).items()}
    out = [IdPattern(p.pattern, p.display, p.examples, p.count, p.anywhere,
                     decisions.get(p.pattern, "learned")) for p in learned]
    known = {p.pattern for p in learned}
    for pat, state in decisions.items():
        if pat not in known and state in ("confirmed", "added") and pattern_error(pat) is None:
            out.append(IdPattern(pat, pat, (), 0, True, "added"))
    return out


@dataclass(frozen=True)
class IdRules:
    """What find_spans applies: `anywhere` patterns (found without a cue) and `removed` ones
    (the user said these are not ids: not flagged even after a cue)."""
    anywhere: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def id_rules(patterns: list[IdPattern], extra: str | None = None) -> IdRules:
    """The rules the detector applies, from the shapes with the user's decisions."""
    anywhere = [p.pattern for p in patterns
                if p.state in ("confirmed", "added") or (p.state == "learned" and p.anywhere)]
    if extra and pattern_error(extra) is None:
        anywhere.append(extra)
    return IdRules(tuple(dict.fromkeys(anywhere)), tuple(p.pattern for p in patterns if p.state == "removed"))


def id_patterns_for(items, settings_: dict | None = None) -> IdRules:
    """The id rules for a detector run: the shapes learned from the whole workspace (the runner
    passes them as settings["learned_id_patterns"]; else learned from `items`), the user's
    decisions (settings["pii_id_patterns"]) and the optional extra pattern."""
    settings_ = settings_ or {}
    learned = settings_.get(LEARNED_KEY)
    if learned is None:
        learned = learn_id_patterns(items)
    return id_rules(merge_id_patterns(learned, settings_.get(SETTING_ID_PATTERNS)),
                    settings_.get(SETTING_EMPLOYEE_ID) or None)


@functools.lru_cache(maxsize=64)
def compiled_ids(rules: IdRules) -> tuple[re.Pattern | None, re.Pattern | None]:
    """(anywhere, removed) as two compiled regexes (None when empty); bad patterns are left out."""
    def one(patterns):
        ok = []
        for pat in patterns:
            try:
                re.compile(pat)
            except re.error:
                continue  # a bad pattern is left out rather than breaking every scan
            ok.append(pat)
        if not ok:
            return None
        return re.compile(r"(?<![\w\-/])(?:" + "|".join(f"(?:{p})" for p in ok) + r")(?![\w\-/])")
    removed = [p for p in rules.removed if pattern_error(p) is None]
    return one(rules.anywhere), (re.compile("(?:" + "|".join(f"(?:{p})" for p in removed) + r")\Z")
                                 if removed else None)


def as_rules(id_patterns, employee_id_pattern: str | None) -> IdRules:
    """IdRules from rules or a list of patterns, plus the optional extra pattern."""
    if isinstance(id_patterns, IdRules):
        rules = id_patterns
    else:
        rules = IdRules(tuple(id_patterns or ()))
    if employee_id_pattern and pattern_error(employee_id_pattern) is None and employee_id_pattern not in rules.anywhere:
        rules = IdRules(rules.anywhere + (employee_id_pattern,), rules.removed)
    return rules
