"""What the evaluation judge reads in a text: content words (stemmed like the claims index,
with the judge's synonyms and antonyms), sentences and clauses with their negation, word overlap
(ROUGE-L, token F1), and the optional sentence embedder's cosine.

    content_words(text) -> set[str] ; coverage(of, by) -> float ; has_word(word, words) -> bool
    sentences(text) / clauses(text) -> list[Span]        # Span.words, Span.negated
    rouge_l(a, b), token_f1(a, b) -> float
    load_embedder() -> EmbedFn ; cosine_pairs(embed, answers, references) -> list[float]

engine/evaluate/judge.py decides verdicts from these; engine/evaluate/judge_claims.py reads the
values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from engine.flags import claims as _claims

# --- words --------------------------------------------------------------------------------------
# a word, number or amount ("£45", "37.5", "don't", "e-mail")
TOKEN_RE = re.compile(r"[A-Za-z0-9£$€%]+(?:[.'’-][A-Za-z0-9]+)*")
# words that say nothing about what a sentence is about
STOPWORDS = frozenset("""
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


def stem(word: str) -> str:
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


# "such as a gas leak, flooding or no hot water": a "no" + noun that names an example (a thing that
# is missing), not a denial of the clause
_EXAMPLE_LIST_RE = re.compile(r"\b(?:such\s+as|like|including|e\.g\.|for\s+(?:example|instance))\s+[^.;:()]{0,90}", re.I)
_EXAMPLE_NO_RE = re.compile(r"(?:^|(?<=,)|(?<=\bor)|(?<=\band)|(?<=\bas)|(?<=\blike)|(?<=\bincluding)|(?<=e\.g\.)|"
                            r"(?<=example)|(?<=instance)|(?<=having)|(?<=\bwith))\s*\bno\s+(?=[a-z])", re.I)


def _drop_example_nouns(text: str) -> str:
    """Blank a "no" that names an item of a list of examples ("like a burst pipe or no power")."""
    return _EXAMPLE_LIST_RE.sub(lambda m: _EXAMPLE_NO_RE.sub(" ", m.group(0)), text)


def content_words(text: str) -> set[str]:
    """Stemmed content words (stop words and negations left out)."""
    out = set()
    for w in TOKEN_RE.findall(text or ""):
        lw = w.lower().replace("’", "'")
        if lw in ("cost", "charge", "fee") and re.search(rf"\b(?:no|without\s+an?)\s+(?:extra\s+)?{lw}\b", text, re.I):
            out.add("free")  # "at no cost", "without a fee" is "free"
        if lw == "free" and re.search(r"\bfeel\s+free\b", text, re.I) and not re.search(
                r"\bfree\s+(?:of|for|to\s+(?:use|attend|join|enter))\b|\bfor\s+free\b|\bis\s+free\b", text, re.I):
            continue  # "feel free to ask": go ahead, not "at no cost"
        if lw in _ANTONYMS:
            out.add(stem(_ANTONYMS[lw]))
            continue
        if lw in STOPWORDS or _NEGATION.fullmatch(lw):
            continue
        out.add(stem(lw))
    return out


def has_word(word: str, words: set[str]) -> bool:
    """`word` or a word it shares a stem with ("renewal" / "renew", "reserved" / "reservation")."""
    if word in words:
        return True
    if len(word) < 4:
        return False
    return any(len(w) >= 4 and (w.startswith(word) or word.startswith(w)) for w in words)


def coverage(of: set[str], by: set[str]) -> float:
    """The share of the words `of` found in `by`."""
    return sum(1 for w in of if has_word(w, by)) / len(of) if of else 0.0


# --- sentences and clauses ---------------------------------------------------------------------
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|(?<=:)\s+(?=[A-Z])")
_CLAUSE_SPLIT = re.compile(r",\s+(?=(?:but|and|while|whereas|though|so|then)\b)|;\s*|\s+but\s+|:\s+|\s+[–—]\s+|\(|\)|"
                           r"\s+and\s+(?=(?:it|you|they|we|he|she|this|that|there|staff|employees)\s)")


@dataclass
class Span:
    """A sentence or clause: its text, offsets, content words, and whether it denies something."""

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
            s.negated = bool(_NEGATION.search(_NOT_A_DENIAL.sub(" ", _drop_example_nouns(body))))
            out.append(s)
        pos = m.end() if m else len(text)
    return out


def sentences(text: str) -> list[Span]:
    """The sentences of a text (split at . ! ? ; and line breaks)."""
    return _spans(text or "", _SENTENCE_SPLIT)


def clauses(text: str) -> list[Span]:
    """The clauses of each sentence (split at "but", ";", ":", dashes, brackets, "and you/it...")."""
    out = []
    for s in sentences(text):
        out += _spans(s.text, _CLAUSE_SPLIT, s.start)
    return out


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


