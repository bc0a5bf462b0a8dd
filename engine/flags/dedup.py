"""Duplicates: pairs that ask the same question (kind `duplicate`).

Two pairs are duplicates when
- their questions' normalised text is identical (case, punctuation and spacing ignored): *exact*;
- or they are *near* duplicates: no key-term veto fires (below) and
      max(mean(cos_question, cos_answer), cos_question - (QUESTION_THRESHOLD - DEFAULT_THRESHOLD))
  is at least DEFAULT_THRESHOLD, i.e. question and answer together are close (pair similarity
  >= 0.68), or the questions alone are very close (question cosine >= 0.85). Greetings,
  sign-offs and other sentences found in >= 5 different texts are left out before embedding.

Why the answer counts: real tickets ask one thing in very different words ("Do we have fixed
office timings?" / "What are the official working hours?"). On the helpdesk sample the question
cosine of planted duplicates has a median of 0.63 and a 5th percentile of 0.42, while different
questions reach 0.83: question cosine alone gives pairwise F1 0.46 at best. Question and answer
together give F1 0.97 (P 0.98, R 0.97) at 0.68 with no hard negative grouped; 0.66 lets a hard
negative in, 0.70 loses recall (F1 0.92).

QUESTION_THRESHOLD (setting `duplicate_question_threshold`) is the question-alone rule,
calibrated with bench/calibrate_duplicates.py on public paraphrase data read in place
(all-MiniLM-L6-v2, bf16, 128 tokens; those pairs have no answers). Cosine only:
MSRP test (1,725 pairs, 66% paraphrases): best F1 0.815 at 0.65; at 0.85 P 0.833, R 0.494,
F1 0.620. STS-B test, duplicate = score >= 4 (1,379 pairs): best F1 0.665 at 0.80; at 0.85
P 0.726, R 0.571, F1 0.639. With the key-term veto (its name rule is made for helpdesk
questions and fires on news paraphrases that name people differently) F1 at 0.85 is 0.588 on
MSRP and 0.623 on STS-B. 0.85 is chosen for precision: this half of the rule fires whatever
the answers say. On the sample any value from 0.78 to 0.90 gives the same result.
DEFAULT_THRESHOLD (setting `duplicate_threshold`) is the pair rule, calibrated on the sample.

Key-term veto: topically close but different questions ("carry over earned leave" vs "carry over
sick leave", "VPN on Windows" vs "VPN on a Mac") embed very close. When both questions name a
term of one contrast group (leave types, operating systems, devices, apps, account factors,
networks, benefits...) and each names a class the other does not, they are never
near-duplicates, whatever the cosine. The same holds for names inside sentences ("printers in
the Pune office" vs "in the London office"). (Differing numbers are NOT a veto: on MSRP 70 true
paraphrases differ in a number, and helpdesk questions carry incidental ones: dates, asset tags.)

Clusters: edges above the threshold are grouped by average-linkage agglomerative clustering per
connected component (no chaining: a new member must be, on average, within the threshold of
the cluster, and no vetoed pair may share a cluster). Each cluster is one flag naming a
suggested pair to keep: approved first, then the most complete, best-formed answer.

Neighbour search: a blocked numpy matmul below ANN_MIN_ROWS vectors; above, a usearch HNSW index
(top-k per vector, k=ANN_K), whose recall against brute force bench/bench_flags.py reports.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from typing import Callable, Sequence

import numpy as np

from engine.flags.base import DetectContext, FlagCandidate, PairText
from engine.flags.groups import connected_groups
from engine.workspace import settings
from engine.workspace.progress import CancelFn, ProgressFn, raise_if_cancelled

log = logging.getLogger(__name__)

KIND = "duplicate"
DEFAULT_THRESHOLD = settings.default("duplicate_threshold")  # on the pair similarity (question and answer)
QUESTION_THRESHOLD = settings.default("duplicate_question_threshold")  # on the question cosine alone
BOILERPLATE_MIN_TEXTS = 5
ANN_MIN_ROWS = 20_000
ANN_K = 32
MAX_AGGLOMERATIVE = 400  # components larger than this (rare) are split greedily around medoids

SHORT_QUESTION_WORDS = 3  # "Any update?", "Help", "Thanks!": too short to say what is asked

# --- text keys ----------------------------------------------------------------------------------
_PUNCT_RE = re.compile(r"[^\w\s]+", re.UNICODE)
_WS_RE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)
def short_question(text: str | None) -> bool:
    """A question of at most SHORT_QUESTION_WORDS words. Three tickets that say only "Any
    update?" may be about a laptop, payroll and VPN access: for such questions neither the same
    text nor close question vectors make pairs duplicates (or their answers comparable); the
    answers must be close too (the pair rule: mean of question and answer cosine), when
    embeddings are available."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    return 0 < len(_PUNCT_RE.sub(" ", t).split()) <= SHORT_QUESTION_WORDS


def short_pair_sim(vectors: "PairVectors", a: int, b: int) -> float:
    """The pair rule alone (no question-only rule) for two pairs with short questions."""
    qq = float(vectors.q[a] @ vectors.q[b])
    if vectors.a is None:
        return qq
    return (qq + float(vectors.a[a] @ vectors.a[b])) / 2.0


@functools.lru_cache(maxsize=1 << 18)
def exact_key(text: str | None) -> str:
    """The exact-duplicate key: NFKC, lower case, punctuation dropped, spacing collapsed, hashed."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = _WS_RE.sub(" ", _PUNCT_RE.sub(" ", t)).strip()
    return hashlib.sha256(t.encode("utf-8", "replace")).hexdigest() if t else ""


# --- the key-term veto ----------------------------------------------------------------------------
# Each group lists mutually exclusive classes; a class is a set of words or phrases that mean the
# same thing. Two questions naming different classes of one group ask different things.
CONTRAST_GROUPS: dict[str, list[tuple[str, ...]]] = {
    "leave type": [
        ("earned", "annual", "vacation", "privilege", "pto", "paid time off", "holiday leave"),
        ("sick", "medical leave", "illness"),
        ("casual",),
        ("maternity",), ("paternity",), ("parental",), ("adoption",),
        ("bereavement", "compassionate", "funeral"),
        ("unpaid", "leave without pay"),
        ("comp off", "compensatory", "comp-off", "time off in lieu", "toil"),
        ("marriage", "wedding"),
        ("study leave", "exam leave"),
        ("jury",),
        ("sabbatical",),
    ],
    "operating system": [
        ("windows",), ("mac", "macos", "macbook", "osx", "os x", "imac"),
        ("linux", "ubuntu"), ("ios", "iphone", "ipad"), ("android",), ("chromebook", "chromeos"),
    ],
    "application": [
        ("outlook",), ("teams",), ("slack",), ("zoom",), ("gmail",), ("excel",), ("powerpoint",),
        ("salesforce",), ("jira",), ("confluence",), ("sap",), ("workday",), ("onedrive",), ("sharepoint",),
        ("google drive",), ("dropbox",), ("chrome",), ("firefox",), ("edge",), ("adobe", "acrobat"),
        ("github",), ("okta",), ("servicenow",),
    ],
    "account factor": [
        ("password", "passcode"), ("mfa", "2fa", "two-factor", "two factor", "authenticator", "otp"),
        ("pin",), ("badge", "access card", "id card", "key card"), ("ssh key", "ssh"),
    ],
    "network": [("vpn",), ("wifi", "wi-fi", "wireless"), ("ethernet", "lan cable"), ("guest network",)],
    "pay item": [
        ("salary", "payslip", "pay slip", "paycheck", "pay cheque"), ("bonus",), ("overtime",),
        ("reimbursement", "reimburse", "expense", "expenses", "expense claim"), ("travel advance",),
        ("tax", "tds", "form 16", "w-2"), ("pension", "401k", "401(k)", "provident fund", "pf"),
        ("stock", "rsu", "esop", "equity"),
    ],
    "benefit": [
        ("health insurance", "medical insurance", "health plan"), ("dental",), ("vision", "eye"),
        ("life insurance",), ("gym", "wellness"), ("meal", "lunch", "food"), ("commute", "transport", "parking"),
        ("childcare", "daycare"), ("tuition", "education", "training budget"),
    ],
    "employment": [
        ("full-time", "full time", "permanent"), ("part-time", "part time"), ("contractor", "contract", "freelancer"),
        ("intern", "internship"), ("probation", "probationary"),
    ],
    "place": [("office", "onsite", "on-site"), ("home", "remote", "remotely", "wfh"), ("abroad", "overseas", "another country")],
    "direction": [("join", "joining", "onboarding", "new hire"), ("leave the company", "resign", "resignation", "exit", "offboarding", "notice period")],
    "action": [("install", "installation"), ("uninstall", "remove")],
    "mail item": [("email", "e-mail", "mail"), ("calendar", "meeting invite")],
}

def _compile_groups():
    compiled = []
    for group, classes in CONTRAST_GROUPS.items():
        rx = []
        for ci, terms in enumerate(classes):
            pat = r"\b(?:" + "|".join(re.escape(t) + ("s?" if t[-1].isalpha() else "") for t in terms) + r")\b"
            rx.append((ci, terms[0], re.compile(pat, re.I)))
        compiled.append((group, rx))
    return compiled


_GROUPS = _compile_groups()


_CLAUSE_RE = re.compile(r"(?:^|[.!?:;]\s+|\n+)")
_NOT_NAMES = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "please", "thanks", "thank", "hello", "dear", "regards", "the", "and", "but",
}
_NAME_RE = re.compile(r"(?<![\w'’-])([A-Z][a-z]{2,})(?![\w'’-])")


def proper_names(text: str) -> set[str]:
    """Capitalised words that do not open a sentence or clause ("Pune", "London", "Workday"):
    names of places, products and teams."""
    out: set[str] = set()
    for clause in _CLAUSE_RE.split(text or ""):
        words = clause.strip()
        if not words:
            continue
        first = re.match(r"\W*\w+", words)
        rest = words[first.end():] if first else words
        out.update(w.lower() for w in _NAME_RE.findall(rest))
    return out - _NOT_NAMES


def key_terms(text: str) -> dict[str, set[str]]:
    """{contrast group: {class names}} the text mentions (e.g. {"leave type": {"sick"}}), plus
    {"name": {...}} for capitalised names inside sentences."""
    out: dict[str, set[str]] = {}
    for group, classes in _GROUPS:
        for _ci, name, rx in classes:
            if rx.search(text):
                out.setdefault(group, set()).add(name)
    names = proper_names(text)
    if names:
        out["name"] = names
    return out


def veto_reason(a: str | dict, b: str | dict) -> str | None:
    """Why two questions are NOT duplicates despite similar wording, or None. `a`/`b` are texts or
    their key_terms()."""
    ka = key_terms(a) if isinstance(a, str) else a
    kb = key_terms(b) if isinstance(b, str) else b
    for group in ka.keys() & kb.keys():
        only_a, only_b = ka[group] - kb[group], kb[group] - ka[group]
        if only_a and only_b:
            return f"{group}: {sorted(only_a)[0]} vs {sorted(only_b)[0]}"
    return None


# --- neighbour search -------------------------------------------------------------------------
def brute_pairs(vectors: np.ndarray, threshold: float, rows: Sequence[int] | None = None,
                block: int = 2048, cancel: CancelFn | None = None,
                progress: ProgressFn | None = None) -> np.ndarray:
    """All (i, j, cos) with cos >= threshold by blocked matmul. With `rows`, only pairs that
    involve those rows (against every vector). Returns a float array (m, 3), i < j."""
    n = len(vectors)
    if n < 2:
        return np.zeros((0, 3))
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    out = []
    query = np.arange(n) if rows is None else np.asarray(sorted(set(int(r) for r in rows)), dtype=np.int64)
    for s in range(0, len(query), block):
        raise_if_cancelled(cancel)
        q = query[s:s + block]
        sims = v[q] @ v.T
        ii, jj = np.nonzero(sims >= threshold)
        keep = q[ii] != jj
        ii, jj = q[ii[keep]], jj[keep]
        vals = sims[ii - q[0] if rows is None else np.searchsorted(q, ii), jj]
        out.append(np.stack([np.minimum(ii, jj), np.maximum(ii, jj), vals], axis=1))
        if progress is not None:
            progress(min(s + block, len(query)), len(query), "Comparing questions")
    if not out:
        return np.zeros((0, 3))
    pairs = np.concatenate(out)
    return _unique_pairs(pairs)


def _unique_pairs(pairs: np.ndarray) -> np.ndarray:
    if len(pairs) == 0:
        return pairs.reshape(0, 3)
    keys = pairs[:, 0].astype(np.int64) * (1 << 32) + pairs[:, 1].astype(np.int64)
    _, idx = np.unique(keys, return_index=True)
    return pairs[np.sort(idx)]


def ann_pairs(vectors: np.ndarray, threshold: float, k: int = ANN_K,
              cancel: CancelFn | None = None,
              progress: ProgressFn | None = None, threads: int = 0) -> np.ndarray:
    """(i, j, cos) with cos >= threshold among each vector's k nearest by a usearch HNSW index."""
    from usearch.index import Index

    n, dim = vectors.shape
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    index = Index(ndim=dim, metric="ip", dtype="f32", connectivity=16, expansion_add=128, expansion_search=128)
    keys = np.arange(n, dtype=np.uint64)
    step = 10_000
    for s in range(0, n, step):
        raise_if_cancelled(cancel)
        index.add(keys[s:s + step], v[s:s + step], threads=threads)
        if progress is not None:
            progress(s + min(step, n - s), 2 * n, "Indexing questions")
    out = []
    kk = min(k + 1, n)
    for s in range(0, n, step):
        raise_if_cancelled(cancel)
        res = index.search(v[s:s + step], kk, threads=threads)
        found = np.asarray(res.keys).astype(np.int64)
        dist = np.asarray(res.distances, dtype=np.float32)
        sims = 1.0 - dist  # usearch "ip" distance = 1 - dot
        rows = np.arange(s, s + len(found))[:, None].repeat(found.shape[1], axis=1)
        ok = (sims >= threshold) & (found != rows) & (found >= 0) & (found < n)
        i, j, c = rows[ok], found[ok], sims[ok]
        out.append(np.stack([np.minimum(i, j), np.maximum(i, j), c], axis=1))
        if progress is not None:
            progress(n + s + len(found), 2 * n, "Comparing questions")
    if not out:
        return np.zeros((0, 3))
    pairs = _unique_pairs(np.concatenate(out))
    # recompute the cosine exactly (HNSW distances are exact for found pairs, but keep one source)
    if len(pairs):
        a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        pairs[:, 2] = np.einsum("ij,ij->i", v[a], v[b])
        pairs = pairs[pairs[:, 2] >= threshold]
    return pairs


def similar_pairs(vectors: np.ndarray, threshold: float, rows: Sequence[int] | None = None, *,
                  method: str = "auto", cancel=None, progress=None) -> np.ndarray:
    """Near pairs (i, j, cos >= threshold): brute force below ANN_MIN_ROWS rows (or for a few
    `rows`, the incremental path), the ANN index above."""
    n = len(vectors)
    if method == "auto":
        method = "ann" if (rows is None and n >= ANN_MIN_ROWS) else "brute"
    if method == "ann":
        return ann_pairs(vectors, threshold, cancel=cancel, progress=progress)
    return brute_pairs(vectors, threshold, rows=rows, cancel=cancel, progress=progress)


# --- what two pairs have in common -------------------------------------------------------------
_SENT_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [x.strip() for x in _SENT_RE.split(text or "") if x.strip()]


def _norm_sentence(x: str) -> str:
    return " ".join(x.lower().split())


def boilerplate_sentences(texts: Sequence[str], min_texts: int = BOILERPLATE_MIN_TEXTS) -> set[str]:
    """Sentences (normalised) found in at least `min_texts` different texts (and 0.5% of them):
    greetings, sign-offs, "Sorry if this has been asked before." They say nothing about what a
    ticket asks, so they are left out of what is compared. Exact copies count once."""
    seen: set[str] = set()
    counts: dict[str, int] = {}
    for t in texts:
        k = exact_key(t)
        if not k or k in seen:
            continue
        seen.add(k)
        for x in {_norm_sentence(x) for x in _sentences(t)}:
            counts[x] = counts.get(x, 0) + 1
    need = max(min_texts, int(0.005 * len(seen)))
    return {x for x, c in counts.items() if c >= need}


def strip_boilerplate(text: str, common: set[str]) -> str:
    """The text without its boilerplate sentences (the whole text when nothing else is left)."""
    if not common:
        return text or ""
    kept = [x for x in _sentences(text) if _norm_sentence(x) not in common]
    return " ".join(kept) if kept else (text or "")


class PairVectors:
    """Question and answer vectors of the items, and the similarity the duplicate rule uses:

        sim = max(mean(cos(questions), cos(answers)), cos(questions) - (QUESTION_THRESHOLD - PAIR_THRESHOLD))

    i.e. two pairs are near-duplicates when question and answer together are close (>= the pair
    threshold), or when the questions alone are as close as the question threshold."""

    def __init__(self, q: np.ndarray, a: np.ndarray | None, pair_threshold: float, question_threshold: float):
        self.q = np.ascontiguousarray(q, dtype=np.float32)
        self.a = None if a is None else np.ascontiguousarray(a, dtype=np.float32)
        self.t = float(pair_threshold)
        self.tq = float(question_threshold)
        self.delta = max(0.0, self.tq - self.t)

    def __len__(self) -> int:
        return len(self.q)

    def joint(self) -> np.ndarray:
        if self.a is None:
            return self.q
        return np.hstack([self.q, self.a]) * np.float32(np.sqrt(0.5))

    def matrix(self, idx: Sequence[int]) -> np.ndarray:
        idx = list(idx)
        qq = self.q[idx] @ self.q[idx].T
        if self.a is None:
            return qq
        aa = self.a[idx] @ self.a[idx].T
        return np.maximum((qq + aa) / 2.0, qq - self.delta)

    def pair_sims(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        qq = np.einsum("ij,ij->i", self.q[i], self.q[j])
        if self.a is None:
            return qq
        aa = np.einsum("ij,ij->i", self.a[i], self.a[j])
        return np.maximum((qq + aa) / 2.0, qq - self.delta)

    def search(self, threshold: float, rows: Sequence[int] | None = None, cancel=None, progress=None) -> np.ndarray:
        """(i, j, sim) with sim >= threshold."""
        parts = [similar_pairs(self.joint(), threshold, rows=rows, cancel=cancel, progress=progress)]
        if self.a is not None:
            parts.append(similar_pairs(self.q, threshold + self.delta, rows=rows, cancel=cancel))
        raw = _unique_pairs(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        if len(raw) == 0:
            return raw.reshape(0, 3)
        i, j = raw[:, 0].astype(np.int64), raw[:, 1].astype(np.int64)
        raw[:, 2] = self.pair_sims(i, j)
        return raw[raw[:, 2] >= threshold]


# --- clustering ---------------------------------------------------------------------------------
def cluster_component(members: list[int], sim: np.ndarray, threshold: float,
                      cannot: set[tuple[int, int]], must: set[tuple[int, int]]) -> list[list[int]]:
    """Average-linkage agglomerative clustering of one component. `sim` is the members' cosine
    matrix; `cannot` (vetoed) pairs never share a cluster; `must` (exact) pairs always do."""
    cl = connected_groups(len(members), must)  # start from the exact-duplicate groups
    s = sim.copy()
    for a, b in cannot:
        s[a, b] = s[b, a] = -np.inf
    while len(cl) > 1:
        best, bi, bj = threshold, -1, -1
        for i in range(len(cl)):
            for j in range(i + 1, len(cl)):
                block = s[np.ix_(cl[i], cl[j])]
                if np.isneginf(block).any():
                    continue
                avg = float(block.mean())
                if avg >= best:
                    best, bi, bj = avg, i, j
        if bi < 0:
            break
        cl[bi] = cl[bi] + cl[bj]
        del cl[bj]
    return [[members[x] for x in c] for c in cl if len(c) > 1]


def _greedy_medoid(members: list[int], pv: "PairVectors", threshold: float,
                   veto: Callable[[int, int], bool]) -> list[list[int]]:
    """For a very large component: repeatedly take the member with most neighbours as a centre and
    group the unassigned members within the threshold of it (and not vetoed against it)."""
    left = list(members)
    out = []
    while len(left) > 1:
        sims = pv.matrix(left)
        deg = (sims >= threshold).sum(1)
        c = int(np.argmax(deg))
        group = [left[c]] + [left[j] for j in np.nonzero(sims[c] >= threshold)[0] if j != c and not veto(left[c], left[j])]
        if len(group) < 2:
            break
        out.append(group)
        gs = set(group)
        left = [x for x in left if x not in gs]
    return out


def answer_quality(response: str) -> float:
    """Higher for a complete, well-formed answer: enough words (up to ~120), ends like a sentence,
    starts with a capital, no 'see above' style references."""
    r = (response or "").strip()
    if not r:
        return -1.0
    words = len(r.split())
    score = min(words, 120) / 120.0
    if r[-1] in ".!?)":
        score += 0.2
    if r[0].isupper() or r[0].isdigit():
        score += 0.1
    if re.search(r"\b(as discussed|see above|as mentioned|same as before|done\.?$)", r, re.I):
        score -= 0.3
    if r.isupper() and words > 2:
        score -= 0.3
    return score


def suggest_keep(items: Sequence[PairText]) -> PairText:
    """Approved first, then the best-formed answer, then the oldest id."""
    return max(items, key=lambda p: (p.status == "approved", answer_quality(p.response), -p.id))


def _label(p: PairText) -> str:
    return p.external_id or f"pair {p.id}"


# --- the detector -------------------------------------------------------------------------------
def find_groups(items: Sequence[PairText], vectors: "PairVectors | None", threshold: float, *,
                rows: Sequence[int] | None = None, cancel=None, progress=None,
                exclude: set[tuple[int, int]] | None = None) -> list[dict]:
    """Duplicate groups among `items` (PairVectors aligned with them; None = exact matches only).
    With `rows`, only groups touching those positions are wanted. Returns dicts
    {members: [positions], exact: bool, min_sim, mean_sim}. `exclude` holds position pairs that
    must not be grouped (e.g. conflicting answers)."""
    n = len(items)
    if n < 2:
        return []
    keys = [exact_key(p.instruction) for p in items]
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k:
            by_key.setdefault(k, []).append(i)
    row_set = set(rows) if rows is not None else None
    have_vectors = vectors is not None and len(vectors) == n and vectors.a is not None
    short = [have_vectors and short_question(p.instruction) for p in items]
    must: set[tuple[int, int]] = set()
    for ids in by_key.values():
        if len(ids) > 1 and (row_set is None or row_set & set(ids)) and not short[ids[0]]:
            for a in ids[1:]:
                must.add((ids[0], a))
    edges: list[tuple[int, int, float]] = []
    if vectors is not None and len(vectors) == n:
        raw = vectors.search(threshold, rows=rows, cancel=cancel, progress=progress)
        if rows is not None and len(raw):
            # widen to the neighbours' own neighbours so a cluster is seen whole
            touched = set(raw[:, 0].astype(int)) | set(raw[:, 1].astype(int))
            extra = touched - row_set
            if extra:
                raw = np.concatenate([raw, vectors.search(threshold, rows=sorted(extra), cancel=cancel)])
                raw = _unique_pairs(raw)
        terms: dict[int, dict] = {}
        for a, b, c in raw:
            a, b = int(a), int(b)
            if not keys[a] or not keys[b]:
                continue
            if short[a] and short[b]:
                c = short_pair_sim(vectors, a, b)
                if c < threshold:
                    continue  # "Any update?" twice, answered about different things
            elif keys[a] == keys[b]:
                continue  # exact: already a must-link
            ta = terms.setdefault(a, key_terms(items[a].instruction))
            tb = terms.setdefault(b, key_terms(items[b].instruction))
            if veto_reason(ta, tb):
                continue
            edges.append((a, b, float(c)))
    all_edges = [(a, b) for a, b, _ in edges] + list(must)
    groups = []
    for comp in connected_groups(n, all_edges, min_size=2):
        if row_set is not None and not (row_set & set(comp)):
            continue
        raise_if_cancelled(cancel)
        pos = {x: i for i, x in enumerate(comp)}
        comp_must = {(pos[a], pos[b]) for a, b in must if a in pos}
        if vectors is not None and len(vectors) == n:
            if len(comp) > MAX_AGGLOMERATIVE:
                parts = _greedy_medoid(comp, vectors, threshold,
                                       lambda a, b: bool(veto_reason(items[a].instruction, items[b].instruction)))
            else:
                sim = vectors.matrix(comp)
                for a, b in comp_must:
                    sim[a, b] = sim[b, a] = 1.0
                sp = [i for i, x in enumerate(comp) if short[x]]
                for x in range(len(sp)):
                    for y in range(x + 1, len(sp)):
                        i, j = sp[x], sp[y]
                        sim[i, j] = sim[j, i] = short_pair_sim(vectors, comp[i], comp[j])
                cannot = set()
                kt = [key_terms(items[x].instruction) for x in comp]
                for i in range(len(comp)):
                    for j in range(i + 1, len(comp)):
                        if keys[comp[i]] != keys[comp[j]] and veto_reason(kt[i], kt[j]):
                            cannot.add((i, j))
                if exclude:
                    for i in range(len(comp)):
                        for j in range(i + 1, len(comp)):
                            if (comp[i], comp[j]) in exclude or (comp[j], comp[i]) in exclude:
                                if keys[comp[i]] != keys[comp[j]]:
                                    cannot.add((i, j))
                parts = cluster_component(comp, sim, threshold, cannot, comp_must)
        else:
            parts = [comp]
        for part in parts:
            if row_set is not None and not (row_set & set(part)):
                continue
            exact = len({keys[x] for x in part}) == 1
            if vectors is not None and len(vectors) == n:
                s = vectors.matrix(part)
                iu = np.triu_indices(len(part), 1)
                mn, mean = float(s[iu].min()), float(s[iu].mean())
            else:
                mn = mean = 1.0
            groups.append({"members": sorted(part), "exact": exact, "min_sim": mn, "mean_sim": mean})
    return groups


def thresholds(ctx: DetectContext) -> tuple[float, float]:
    """(pair threshold, question threshold) from the settings or the defaults."""
    t = float(ctx.settings.get("duplicate_threshold", DEFAULT_THRESHOLD))
    tq = float(ctx.settings.get("duplicate_question_threshold", QUESTION_THRESHOLD))
    return t, max(tq, t)


def score_threshold(ctx: DetectContext) -> float:
    """The pair-score threshold: SCORE_THRESHOLD, moved by a workspace's own `duplicate_threshold`
    (each 0.05 above the default makes the score threshold 0.1 stricter)."""
    if "duplicate_threshold" not in ctx.settings:
        return SCORE_THRESHOLD
    shift = 2.0 * (float(ctx.settings["duplicate_threshold"]) - DEFAULT_THRESHOLD)
    return float(min(0.99, max(0.05, SCORE_THRESHOLD + shift)))


def vocabulary_for(items, ctx: DetectContext):
    """The run's vocabulary (engine.flags.claims.Vocabulary): the runner's, else learned once per
    run from the items."""
    from engine.flags.claims import Vocabulary

    vocab = ctx.settings.get("vocabulary")
    if vocab is None:
        cache = ctx.settings.setdefault("_cache", {})
        key = ("vocabulary", tuple(p.id for p in items))
        if key not in cache:
            cache[key] = Vocabulary.learn([t for p in items for t in (p.instruction, p.response)])
        vocab = cache[key]
    return vocab


def signals_for(items: list[PairText], ctx: DetectContext) -> "PairSignals":
    """The PairSignals of `items`, computed once per run (shared with the conflict detector)."""
    cache = ctx.settings.setdefault("_cache", {})
    key = ("pair_signals", tuple(p.id for p in items))
    if key not in cache:
        cache[key] = PairSignals(items, pair_vectors(items, ctx), ctx.settings.get("claims"),
                                 vocabulary_for(items, ctx))
    return cache[key]


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    """Duplicate flags: one per group of pairs asking the same question (the scored rule)."""
    raise_if_cancelled(ctx.cancel)
    if len(items) < 2:
        return []
    threshold = score_threshold(ctx)
    signals = signals_for(items, ctx)
    rows = _focus_rows(items, ctx)
    groups = scored_groups(signals, threshold, rows=rows, cancel=ctx.cancel)
    out = []
    for g in groups:
        members = [items[i] for i in g["members"]]
        keep = suggest_keep(members)
        others = [p for p in members if p.id != keep.id]
        names = ", ".join(_label(p) for p in members[:6]) + (f" and {len(members) - 6} more" if len(members) > 6 else "")
        how = "the same question" if g["exact"] else "nearly the same question"
        explanation = (f"{len(members)} pairs ask {how} ({names}). "
                       f"Suggested: keep {_label(keep)}, reject the other{'s' if len(others) > 1 else ''}.")
        out.append(FlagCandidate(
            kind=KIND,
            pair_ids=[p.id for p in members],
            explanation=explanation,
            severity="medium" if g["exact"] or len(members) > 2 else "low",
            score=round(g["mean_sim"], 4),
            details={"exact": g["exact"], "keep": keep.id, "min_similarity": round(g["min_sim"], 4),
                     "mean_similarity": round(g["mean_sim"], 4), "threshold": threshold},
        ))
    return out


def pair_vectors(items: list[PairText], ctx: DetectContext) -> "PairVectors | None":
    """Question and answer vectors for `items` (boilerplate sentences left out), computed once per
    run and shared with the conflict detector. None without an embedder."""
    cache = ctx.settings.setdefault("_cache", {})
    key = ("pair_vectors", tuple(p.id for p in items))
    if key in cache:
        return cache[key]
    if ctx.embed is None or not items:
        pv = None
    else:
        q_common = boilerplate_sentences([p.instruction for p in items])
        a_common = boilerplate_sentences([p.response for p in items])
        q = np.asarray(ctx.embed([strip_boilerplate(p.instruction, q_common) for p in items]), dtype=np.float32)
        a = np.asarray(ctx.embed([strip_boilerplate(p.response, a_common) for p in items]), dtype=np.float32)
        pv = PairVectors(q, a, *thresholds(ctx))
    cache[key] = pv
    return pv


def _focus_rows(items: list[PairText], ctx: DetectContext) -> list[int] | None:
    focus = ctx.settings.get("focus_pair_ids")
    if focus is None:
        return None
    focus = set(focus)
    return [i for i, p in enumerate(items) if p.id in focus]


# --- the scored duplicate rule: several candidate signals, one calibrated pair score ---------------
# Candidates: each pair's nearest questions and nearest answers (embeddings), its nearest questions
# by character n-gram TF-IDF (survives typos, shorthand and code-mixed English; abbreviations are
# expanded with the data's own vocabulary first), and the exact-question matches. Each candidate pair
# gets one score, a logistic regression over
#     q = question cosine, a = answer cosine, tq = question TF-IDF cosine, ta = answer TF-IDF cosine,
#     s = 1 when both answers state a claim on the same subject (engine.flags.claims), else 0,
#     v = 1 when both answers state the same value (the same claim value key), else 0.
# Groups: a vetoed pair (key-term veto) never scores; components of the pairs scoring at least
# SCORE_THRESHOLD are split by average linkage (scipy) on 1 - score, cut at 1 - SCORE_THRESHOLD.
CANDIDATE_K = 12  # neighbours per pair and per signal
MAX_LINKAGE = 4000  # members of a component clustered with a dense score matrix; larger: greedy medoids
# Fitted by bench/bench_flags_fit.py on the bundled sample (resources/sample, 1,000 tickets: all
# candidate pairs, labelled by its ground truth), standardisation folded in. Re-fit there.
# (8,701 candidate pairs, 95 duplicates; the TF-IDF question signal came out negative, collinear
# with the question cosine, and was dropped: every signal may only raise the probability.)
SCORE_WEIGHTS = {"q": 11.787, "a": 18.095, "tq": 0.0, "ta": 1.198, "s": 1.219, "v": 0.385, "bias": -22.941}
# Probability threshold: the best pairwise F1 on the sample with no hard negative merged (0.962
# at 0.25; 0.20 merges a hard negative, 0.30-0.60 give 0.95-0.957). bench/bench_flags_fit.py.
SCORE_THRESHOLD = 0.25


def pair_score(features: dict[str, np.ndarray], weights: dict | None = None) -> np.ndarray:
    """The duplicate probability of pairs from their signals ({name: array}, one length)."""
    w = weights or SCORE_WEIGHTS
    z = np.full(len(next(iter(features.values()))), float(w["bias"]))
    for name, x in features.items():
        z = z + float(w.get(name, 0.0)) * np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def _tfidf(texts: Sequence[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True, lowercase=True,
                          dtype=np.float32, max_features=200_000)
    try:
        return vec.fit_transform([t or " " for t in texts]).tocsr()
    except ValueError:  # nothing but empty texts
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1), dtype=np.float32)


def topk_dense(v: np.ndarray, k: int, block: int = 1024, cancel: CancelFn | None = None) -> np.ndarray:
    """(i, j) pairs, i < j, of each row's k nearest rows by inner product (blocked matmul; a
    usearch index from ANN_MIN_ROWS rows on)."""
    n = len(v)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    if n >= ANN_MIN_ROWS:
        from usearch.index import Index

        index = Index(ndim=v.shape[1], metric="ip", dtype="f32", connectivity=16, expansion_add=128,
                      expansion_search=128)
        index.add(np.arange(n, dtype=np.uint64), np.ascontiguousarray(v, dtype=np.float32))
        res = index.search(np.ascontiguousarray(v, dtype=np.float32), k + 1)
        found = np.asarray(res.keys).astype(np.int64)
        rows = np.repeat(np.arange(n)[:, None], found.shape[1], axis=1)
        ok = (found != rows) & (found >= 0) & (found < n)
        i, j = rows[ok], found[ok]
    else:
        vt = np.ascontiguousarray(v, dtype=np.float32).T
        i, j = _blocked_topk(lambda s: v[s:s + block] @ vt, n, k, block, cancel)
    return _unique_ij(np.minimum(i, j), np.maximum(i, j))


def _blocked_topk(similarities: Callable[[int], np.ndarray], n: int, k: int, block: int,
                  cancel: CancelFn | None) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of each row's k nearest other rows, one block of rows at a time:
    `similarities(s)` is the dense block of rows s..s+block against every row."""
    parts_i, parts_j = [], []
    for s in range(0, n, block):
        raise_if_cancelled(cancel)
        sims = similarities(s)
        rows = np.arange(s, min(n, s + block))
        sims[np.arange(len(rows)), rows] = -np.inf
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        parts_i.append(np.repeat(rows, k))
        parts_j.append(idx.ravel())
    return np.concatenate(parts_i), np.concatenate(parts_j)


def topk_sparse(x, k: int, block: int = 512, cancel: CancelFn | None = None) -> np.ndarray:
    """(i, j) pairs of each row's k nearest rows by cosine of L2-normalised sparse rows."""
    n = x.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    xt = x.T.tocsc()
    i, j = _blocked_topk(lambda s: (x[s:s + block] @ xt).toarray(), n, k, block, cancel)
    return _unique_ij(np.minimum(i, j), np.maximum(i, j))


def _unique_ij(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    keep = i != j
    key = np.unique(i[keep].astype(np.int64) * (1 << 32) + j[keep].astype(np.int64))
    return np.stack([key >> 32, key & ((1 << 32) - 1)], axis=1)


def _sparse_rowdot(x, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()


class PairSignals:
    """Everything the scored rule needs about the items: question/answer vectors, TF-IDF matrices,
    exact keys, short-question marks, key terms and each pair's claim subjects."""

    def __init__(self, items: Sequence[PairText], vectors: "PairVectors | None", claims: dict | None = None,
                 vocabulary=None):
        from engine.flags import claims as claims_mod

        self.items = list(items)
        n = len(self.items)
        self.vectors = vectors if vectors is not None and len(vectors) == n else None
        if vocabulary is None:
            vocabulary = claims_mod.Vocabulary.learn([t for p in self.items for t in (p.instruction, p.response)])
        self.vocabulary = vocabulary
        q_common = boilerplate_sentences([p.instruction for p in self.items])
        a_common = boilerplate_sentences([p.response for p in self.items])
        self.tq = _tfidf([vocabulary.expand(strip_boilerplate(p.instruction, q_common)) for p in self.items])
        self.ta = _tfidf([vocabulary.expand(strip_boilerplate(p.response, a_common)) for p in self.items])
        self.keys = [exact_key(p.instruction) for p in self.items]
        self.short = np.array([short_question(p.instruction) for p in self.items], dtype=bool)
        self._terms: dict[int, dict] = {}
        subj: list[frozenset] = []
        vals: list[frozenset] = []
        for p in self.items:
            cs = claims.get(p.id, []) if claims is not None else claims_mod.extract_claims(
                p.response, vocabulary, question=p.instruction)
            subj.append(frozenset(tuple(sorted(c.terms)) for c in cs if c.terms and len(c.terms) <= 4))
            vals.append(frozenset(claims_mod.value_key(c) for c in cs if c.attribute != "polarity"))
        self.subjects = subj
        self.values = vals

    def terms(self, i: int) -> dict:
        t = self._terms.get(i)
        if t is None:
            t = self._terms[i] = key_terms(self.items[i].instruction)
        return t

    def candidates(self, k: int = CANDIDATE_K, cancel=None) -> np.ndarray:
        parts = [topk_sparse(self.tq, k, cancel=cancel)]
        if self.vectors is not None:
            parts.append(topk_dense(self.vectors.q, k, cancel=cancel))
            if self.vectors.a is not None:
                parts.append(topk_dense(self.vectors.a, k, cancel=cancel))
        by_key: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            if key:
                by_key.setdefault(key, []).append(i)
        ex = [(g[0], x) for g in by_key.values() if len(g) > 1 for x in g[1:]]
        if ex:
            parts.append(np.asarray(ex, dtype=np.int64))
        allp = np.concatenate([p.reshape(-1, 2) for p in parts])
        return _unique_ij(np.minimum(allp[:, 0], allp[:, 1]), np.maximum(allp[:, 0], allp[:, 1]))

    def features(self, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """The signals of pairs (i[k], j[k]) as arrays. For two short questions ("Any update?")
        the questions say little: their signals count no more than the answers' do."""
        if self.vectors is not None:
            q = np.einsum("ij,ij->i", self.vectors.q[i], self.vectors.q[j])
            a = (np.einsum("ij,ij->i", self.vectors.a[i], self.vectors.a[j]) if self.vectors.a is not None
                 else np.zeros(len(i), dtype=np.float32))
        else:
            q = np.zeros(len(i), dtype=np.float32)
            a = np.zeros(len(i), dtype=np.float32)
        tq = _sparse_rowdot(self.tq, i, j)
        ta = _sparse_rowdot(self.ta, i, j)
        s = np.array([1.0 if self.subjects[x] & self.subjects[y] else 0.0 for x, y in zip(i.tolist(), j.tolist())],
                     dtype=np.float32)
        v = np.array([1.0 if self.values[x] & self.values[y] else 0.0 for x, y in zip(i.tolist(), j.tolist())],
                     dtype=np.float32)
        both_short = self.short[i] & self.short[j]
        q = np.where(both_short, np.minimum(q, a), q)
        tq = np.where(both_short, np.minimum(tq, ta), tq)
        return {"q": q, "a": a, "tq": tq, "ta": ta, "s": s, "v": v}

    def scores(self, i: np.ndarray, j: np.ndarray, weights: dict | None = None) -> np.ndarray:
        sc = pair_score(self.features(i, j), weights)
        keys = self.keys
        for k, (x, y) in enumerate(zip(i.tolist(), j.tolist())):
            if not keys[x] or not keys[y]:
                sc[k] = 0.0
            elif keys[x] == keys[y] and not (self.short[x] and self.short[y] and self.vectors is not None):
                sc[k] = 1.0  # the same question text
            elif veto_reason(self.terms(x), self.terms(y)):
                sc[k] = 0.0
        return sc


def scored_groups(signals: PairSignals, threshold: float = SCORE_THRESHOLD, *, rows=None, cancel=None,
                  weights: dict | None = None) -> list[dict]:
    """Duplicate groups by the scored rule: {members: [positions], exact, min_sim, mean_sim}."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(signals.items)
    if n < 2:
        return []
    cand = signals.candidates(cancel=cancel)
    if len(cand) == 0:
        return []
    sc = signals.scores(cand[:, 0], cand[:, 1], weights)
    keep = sc >= threshold
    edges = cand[keep]
    row_set = set(rows) if rows is not None else None
    groups = []
    for comp in connected_groups(n, [tuple(e) for e in edges.tolist()], min_size=2):
        if row_set is not None and not (row_set & set(comp)):
            continue
        raise_if_cancelled(cancel)
        m = len(comp)
        if m == 2:
            parts = [comp]
        else:
            idx = np.asarray(comp)
            if m > MAX_LINKAGE:
                parts = _greedy_scored(idx, signals, threshold, weights)
            else:
                iu, ju = np.triu_indices(m, 1)
                s = signals.scores(idx[iu], idx[ju], weights)
                dist = 1.0 - s
                z = linkage(dist, method="average")
                labels = fcluster(z, t=1.0 - threshold, criterion="distance")
                parts = [idx[labels == lab].tolist() for lab in np.unique(labels)]
                parts = [p for p in parts if len(p) > 1]
        for part in parts:
            if row_set is not None and not (row_set & set(part)):
                continue
            pi = np.asarray(part)
            iu, ju = np.triu_indices(len(pi), 1)
            s = signals.scores(pi[iu], pi[ju], weights)
            groups.append({"members": sorted(part), "exact": len({signals.keys[x] for x in part}) == 1,
                           "min_sim": float(s.min()), "mean_sim": float(s.mean())})
    return groups


def _greedy_scored(idx: np.ndarray, signals: PairSignals, threshold: float, weights) -> list[list[int]]:
    """A component too large for a dense matrix: the member with most candidate neighbours is a
    centre; the members scoring >= threshold against it join it; repeat on the rest."""
    left = idx.tolist()
    out = []
    while len(left) > 1:
        arr = np.asarray(left)
        centre = arr[0]
        s = signals.scores(np.full(len(arr) - 1, centre), arr[1:], weights)
        group = [int(centre)] + arr[1:][s >= threshold].tolist()
        if len(group) > 1:
            out.append(group)
        gs = set(group)
        left = [x for x in left if x not in gs]
    return out
