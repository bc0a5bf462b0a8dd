"""The policy sheet: the organisation's current policy, whose claims become the reference.

    read_policy_text(path) -> str                 # Markdown, plain text, DOCX (python-docx), PDF (pypdf)
    policy_claims(text, vocabulary=None) -> [(line, Claim)]
    load_policy(ws, path) -> {"file", "lines", "claims"}   # replaces the sheet; BadInput when unreadable
    clear_policy(ws) -> None
    get_policy(ws) -> {"file", "loaded_at", "text", "claims": [{"line", "subject", "value", ...}]} | None
    detect(items, ctx) -> [FlagCandidate]         # kind `policy`

A `policy` flag marks an answer that states a claim the sheet contradicts: same subject,
attribute and scope (claims.same_topic), and no policy claim on that topic compatible with it.
An answer on a subject the sheet does not cover is not flagged. The sheet lives in the claims
index's meta table (engine.flags.claims), so its words are part of the vocabulary.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Sequence

from engine.flags.base import DetectContext, FlagCandidate, PairText, Span
from engine.flags.claims import (Claim, Vocabulary, _meta, _set_meta, compatible, ensure_index, extract_claims,
                                 same_topic, value_label)
from engine.workspace.errors import BadInput

KIND = "policy"
FORMATS = (".md", ".markdown", ".txt", ".text", ".docx", ".pdf")
MAX_CHARS = 2_000_000


def read_policy_text(path: str | Path) -> str:
    """The text of a policy file. Raises BadInput (one line) when it cannot be read."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in FORMATS:
        raise BadInput(f"cannot read the policy {p.name}: use a Markdown, text, DOCX or PDF file")
    if not p.is_file():
        raise BadInput(f"cannot read the policy {p}: no such file")
    try:
        if ext == ".docx":
            import docx

            d = docx.Document(str(p))
            parts = [para.text for para in d.paragraphs]
            for table in d.tables:
                for row in table.rows:
                    parts.append(" | ".join(c.text for c in row.cells))
            text = "\n".join(parts)
        elif ext == ".pdf":
            import logging

            from pypdf import PdfReader

            # pypdf logs each repair it attempts on a broken file; the user gets one line instead
            log = logging.getLogger("pypdf")
            level, log.level = log.level, logging.CRITICAL
            try:
                reader = PdfReader(str(p))
                text = "\n".join((page.extract_text() or "") for page in reader.pages)
            finally:
                log.setLevel(level)
        else:
            raw = p.read_bytes()
            if b"\x00" in raw[:4096]:
                raise ValueError("this is not a text file")
            text = raw.decode("utf-8", errors="replace")
    except BadInput:
        raise
    except Exception as exc:  # a broken DOCX/PDF: one clear line
        raise BadInput(f"cannot read the policy {p.name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None
    return text[:MAX_CHARS]


_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


_LABEL_RE = re.compile(r"^(?P<label>[^:.;]{3,60}):\s+(?P<rest>\S.*)$")


def _lines(text: str) -> list[str]:
    """The statements of a policy: one per line or bullet; "Provident fund (PF): 12% of basic
    salary" reads as "Provident fund (PF) is 12% of basic salary" (the label is the subject)."""
    out = []
    for raw in text.splitlines():
        line = _BULLET_RE.sub("", raw).strip().lstrip("#").strip()
        if not line:
            continue
        m = _LABEL_RE.match(line)
        if m and not re.search(r"\d", m.group("label")):
            line = f"{m.group('label')} is {m.group('rest')}"
        out.append(line)
    return out


_ALLOWS_RE = re.compile(r"\b(?:can|may|is allowed|are allowed|allowed|permitted|eligible)\b", re.I)
_DENIES_RE = re.compile(r"\b(?:cannot|can't|may not|not allowed|not permitted|not eligible|prohibited|never)\b", re.I)


def policy_claims(text: str, vocabulary: Vocabulary | None = None) -> list[tuple[str, Claim]]:
    """(line, claim) for every claim the policy states, line by line (a bullet or a sentence
    line is read on its own; a heading gives no claims). A line saying something can or cannot
    be done also states a yes/no claim about the line's words ("Unused privilege leave can be
    carried forward up to 30 days": yes)."""
    from engine.flags.claims import subject_terms

    vocabulary = vocabulary or Vocabulary.learn([text])
    out = []
    for line in _lines(text):
        cs = [c for c in extract_claims(line, vocabulary) if c.terms]
        out += [(line, c) for c in cs]
        deny, allow = _DENIES_RE.search(line), _ALLOWS_RE.search(line)
        if (deny or allow) and not any(c.attribute == "polarity" for c in cs):
            words = vocabulary.expand(line)
            out.append((line, Claim(subject=words.lower(), attribute="polarity", value=not deny, polarity=not deny,
                                    text=(deny or allow).group(0), evidence=line, subject_source="policy",
                                    terms=subject_terms(words))))
    return out


def load_policy(ws, path: str | Path) -> dict:
    """Read a policy file and make it the workspace's policy sheet (replacing any earlier one).
    Nothing changes when the file cannot be read or states no claim (BadInput)."""
    text = read_policy_text(path)
    found = policy_claims(text)
    if not found:
        raise BadInput(f"the policy {Path(path).name} states no value Pairsmith can compare "
                       "(no numbers, dates, limits or yes/no rules found)")
    with ws.transaction():
        ensure_index(ws)
        _set_meta(ws, "policy_text", text)
        _set_meta(ws, "policy_file", str(Path(path).name))
        _set_meta(ws, "policy_loaded_at", _dt.datetime.now().replace(microsecond=0).isoformat(sep=" "))
    return {"file": Path(path).name, "lines": len(_lines(text)), "claims": len(found)}


def clear_policy(ws) -> None:
    with ws.transaction():
        ensure_index(ws)
        ws.execute("DELETE FROM claims_meta WHERE key IN ('policy_text', 'policy_file', 'policy_loaded_at')")


def policy_text(ws) -> str | None:
    ensure_index(ws)
    return _meta(ws, "policy_text")


def loaded_claims(ws, vocabulary: Vocabulary | None = None) -> list[tuple[str, Claim]]:
    """The sheet's (line, claim) list read with the workspace's vocabulary, [] without a sheet."""
    text = policy_text(ws)
    if not text:
        return []
    return policy_claims(text, vocabulary)


def get_policy(ws, vocabulary: Vocabulary | None = None) -> dict | None:
    """The policy sheet and its claims (for `pairsmith policy WS --show` and the Flags page)."""
    text = policy_text(ws)
    if not text:
        return None
    if vocabulary is None:
        from engine.flags.claims import workspace_vocabulary

        vocabulary = workspace_vocabulary(ws)
    claims = policy_claims(text, vocabulary)
    return {
        "file": _meta(ws, "policy_file"), "loaded_at": _meta(ws, "policy_loaded_at"), "text": text,
        "claims": [{"line": line, "subject": c.subject, "attribute": c.attribute, "value": value_label(c),
                    "scope": dict(c.scope)} for line, c in claims],
    }


def check(claims: Sequence[Claim], policy: Sequence[tuple[str, Claim]],
          neighbours: Sequence[Claim] = ()) -> list[tuple[Claim, str, Claim]]:
    """(answer claim, policy line, policy claim) for each claim the policy contradicts: the
    policy states the same topic, and none of its claims on that topic is compatible.
    `neighbours`: claims of answers to the same question (by the duplicate score); a claim whose
    own subject the policy does not name takes theirs ("21 days per year" answering "how many
    paid vacation days..." is about what the other answers to that question call privilege
    leave) when one neighbour claim has its attribute, period and scope."""
    from engine.flags.conflicts import _as_topic_of, _linkable

    def on_topic(pc: Claim, c: Claim) -> bool:
        if pc.subject_source == "policy":  # a yes/no line: most of the answer's subject in its words
            return (c.attribute == "polarity" and len(c.terms & pc.terms) >= 2
                    and len(c.terms & pc.terms) * 2 >= len(c.terms))
        # a policy states its periods: "18 days per year" is not the topic of "up to 30 days"
        return same_topic(pc, c) and (pc.period == c.period or pc.attribute == "unlimited"
                                      or c.attribute == "unlimited")

    out = []
    for c in claims:
        same = [(line, pc) for line, pc in policy if on_topic(pc, c)]
        probe = c
        if not same and c.subject_source not in ("answer", "known"):
            for n in neighbours:
                if n.terms != c.terms and _linkable(c, n):
                    probe = _as_topic_of(c, n)
                    same = [(line, pc) for line, pc in policy if on_topic(pc, probe)]
                    if same:
                        break
        if same and not any(compatible(pc, probe) for _l, pc in same):
            out.append((c, same[0][0], same[0][1], probe))
    # an answer that also states the policy's value for that topic agrees with it: its other
    # values there are details ("10 working days, to be taken within 3 months")
    agreed = set()
    for c in claims:
        for line, pc in policy:
            if on_topic(pc, c) and compatible(pc, c):
                agreed.add(id(pc))
    return [(c, line, pc) for c, line, pc, _probe in out
            if id(pc) not in agreed and not any(on_topic(q, c) and id(q) in agreed for _l, q in policy)]


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """One `policy` flag per answer that contradicts the sheet (ctx.settings["policy_claims"]:
    [(line, claim)], and ctx.settings["claims"]: {pair id: claims}, both set by the runner)."""
    policy = ctx.settings.get("policy_claims_lines") or []
    if not policy:
        return []
    claims = ctx.settings.get("claims")
    if claims is None:
        vocab = Vocabulary.learn([t for p in items for t in (p.instruction, p.response)])
        claims = {p.id: extract_claims(p.response, vocab, question=p.instruction) for p in items}
    from engine.flags.conflicts import question_links

    near: dict[int, list[int]] = {}
    for a, b in question_links(items, ctx):
        near.setdefault(a, []).append(b)
        near.setdefault(b, []).append(a)
    out = []
    for p in items:
        neighbours = [c for q in near.get(p.id, [])[:50] for c in claims.get(q, [])]
        found = check(claims.get(p.id, []), policy, neighbours)
        if not found:
            continue
        c, line, pc = found[0]
        who = p.external_id or f"pair #{p.id} (no ticket)"
        explanation = f"The policy says {value_label(pc)} for {pc.subject}; {who} says {value_label(c)}."
        out.append(FlagCandidate(
            kind=KIND, pair_ids=[p.id], explanation=explanation, severity="high", score=1.0,
            spans=[Span("response", c.start, c.end, f"the policy says {value_label(pc)}")],
            details={"policy": value_label(pc), "policy_line": line, "says": value_label(c), "subject": c.subject,
                     "span": [c.start, c.end],
                     "others": [{"policy": value_label(q), "says": value_label(x)} for x, _l, q in found[1:4]]}))
    return out
