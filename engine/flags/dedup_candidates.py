"""Duplicates, part 1: what is compared and who is compared with whom.

- text keys: the exact-duplicate key, short questions ("Any update?"), boilerplate sentences
  (greetings, sign-offs) left out before embedding;
- the key-term veto: questions naming different classes of one contrast group ("earned leave"
  vs "sick leave", "VPN on Windows" vs "on a Mac") are never duplicates;
- neighbour search: all pairs above a cosine (blocked matmul, or a usearch HNSW index from
  ANN_MIN_ROWS rows on) and each row's k nearest (dense vectors, or TF-IDF rows projected to
  dense ones; exact below ANN_MIN_ROWS, an inverted-file index above), never a full N x N
  matrix in memory;
- PairVectors: the question and answer vectors and the earlier pair rule.

The thresholds and where they were calibrated: engine/flags/dedup.py.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import Callable, Sequence

import numpy as np

from engine.workspace.progress import CancelFn, ProgressFn, raise_if_cancelled

BOILERPLATE_MIN_TEXTS = 5
ANN_MIN_ROWS = 20_000
ANN_K = 32
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

    def pair_sims(self, i: np.ndarray, j: np.ndarray, chunk: int = 65_536) -> np.ndarray:
        """The pair rule's similarity of pairs (i[k], j[k]), `chunk` pairs at a time (the rows of
        a million pairs would take gigabytes at once)."""
        i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        out = np.empty(len(i), dtype=np.float32)
        for s in range(0, len(i), chunk):
            a, b = i[s:s + chunk], j[s:s + chunk]
            qq = np.einsum("ij,ij->i", self.q[a], self.q[b])
            if self.a is None:
                out[s:s + chunk] = qq
            else:
                aa = np.einsum("ij,ij->i", self.a[a], self.a[b])
                out[s:s + chunk] = np.maximum((qq + aa) / 2.0, qq - self.delta)
        return out

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


IVF_PROBES = 4  # cells each row is compared with (its nearest centroids), from ANN_MIN_ROWS rows on


def topk_dense(v: np.ndarray, k: int, block: int = 1024, cancel: CancelFn | None = None) -> np.ndarray:
    """(i, j) pairs, i < j, of each row's k nearest rows by inner product: an exact blocked matmul
    below ANN_MIN_ROWS rows; from there on, identical rows (a thousand tickets with one canned
    answer) are searched once and the rest with an inverted-file index (`_ivf_topk`)."""
    n = len(v)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    v = np.ascontiguousarray(v, dtype=np.float32)
    if n < ANN_MIN_ROWS:
        vt = v.T
        i, j = _blocked_topk(lambda s: v[s:s + block] @ vt, n, k, block, cancel)
        return _unique_ij(np.minimum(i, j), np.maximum(i, j))
    first, inv = _distinct_rows(v)
    if len(first) == n:
        i, j = _ivf_topk(v, k, cancel)
        return _unique_ij(np.minimum(i, j), np.maximum(i, j))
    rows = np.arange(n)
    head = first[inv]  # the first row holding each row's vector
    parts = [np.stack([head, rows], axis=1)[head != rows]]  # twins: linked through their first row
    if len(first) > 1:
        ua, ub = topk_dense(v[first], k, block, cancel).T  # distinct vectors: pairs of their indices
        src, dst = np.concatenate([ua, ub]), np.concatenate([ub, ua])
        order = np.argsort(src, kind="stable")
        src, dst = src[order], dst[order]
        start = np.searchsorted(src, np.arange(len(first)))
        count = np.bincount(src, minlength=len(first))[inv]
        # every row gets its vector's neighbours (their first rows)
        at = np.repeat(start[inv], count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
        parts.append(np.stack([np.repeat(rows, count), first[dst[at]]], axis=1))
    allp = np.concatenate(parts)
    return _unique_ij(np.minimum(allp[:, 0], allp[:, 1]), np.maximum(allp[:, 0], allp[:, 1]))


def _distinct_rows(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the first row of each distinct vector, each row's distinct vector)."""
    raw = np.ascontiguousarray(v).view(np.dtype((np.void, v.dtype.itemsize * v.shape[1]))).ravel()
    _, first, inv = np.unique(raw, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # number them in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inv.ravel()]


def _centroids(v: np.ndarray, cells: int, rounds: int = 5) -> np.ndarray:
    """`cells` unit centroids by a few rounds of spherical k-means on a sample of the rows
    (seeded with random rows; an emptied cell takes a new random row)."""
    rng = np.random.default_rng(0)
    sample = v[rng.choice(len(v), size=min(len(v), 40 * cells), replace=False)]
    cent = sample[rng.choice(len(sample), size=cells, replace=False)].copy()
    for _ in range(rounds):
        label = np.argmax(sample @ cent.T, axis=1)
        sums = np.zeros_like(cent)
        np.add.at(sums, label, sample)
        empty = np.bincount(label, minlength=cells) == 0
        sums[empty] = sample[rng.choice(len(sample), size=int(empty.sum()))]
        cent = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
    return cent.astype(np.float32)


def _ivf_topk(v: np.ndarray, k: int, cancel: CancelFn | None = None,
              probes: int = IVF_PROBES) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of each row's k nearest rows, approximately: rows are put in the cell of their
    nearest of about sqrt(N) k-means centroids, and each row is compared (a blocked matmul) with
    the rows of its `probes` nearest cells. About N x probes x sqrt(N) products instead of N x N;
    the nearest neighbours of a near-duplicate are in its own or a neighbouring cell."""
    n = len(v)
    cells = int(max(16, np.sqrt(n)))
    probes = min(probes, cells)
    cent = _centroids(v, cells)
    near = np.empty((n, probes), dtype=np.int64)
    home = np.empty(n, dtype=np.int64)
    for s in range(0, n, 8192):
        raise_if_cancelled(cancel)
        sims = v[s:s + 8192] @ cent.T
        home[s:s + 8192] = np.argmax(sims, axis=1)
        near[s:s + 8192] = np.argpartition(-sims, probes - 1, axis=1)[:, :probes]
    by_home = np.argsort(home, kind="stable")
    home_start = np.searchsorted(home[by_home], np.arange(cells + 1))
    q_rows, q_cells = np.repeat(np.arange(n), probes), near.ravel()
    by_probe = np.argsort(q_cells, kind="stable")
    q_rows = q_rows[by_probe]
    probe_start = np.searchsorted(q_cells[by_probe], np.arange(cells + 1))
    out_i, out_j, out_s = [], [], []
    for c in range(cells):
        raise_if_cancelled(cancel)
        members = by_home[home_start[c]:home_start[c + 1]]
        queries = q_rows[probe_start[c]:probe_start[c + 1]]
        if not len(members) or not len(queries):
            continue
        kk = min(k + 1, len(members))
        for b in range(0, len(queries), 2048):
            q = queries[b:b + 2048]
            sims = v[q] @ v[members].T
            sims[q[:, None] == members[None, :]] = -np.inf  # not itself
            idx = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            out_i.append(np.repeat(q, kk))
            out_j.append(members[idx].ravel())
            out_s.append(np.take_along_axis(sims, idx, axis=1).ravel())
    i, j, sc = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)
    ok = np.isfinite(sc)
    i, j, sc = i[ok], j[ok], sc[ok]
    order = np.lexsort((-sc, i))  # by row, nearest first
    i, j = i[order], j[order]
    rank = np.arange(len(i)) - np.searchsorted(i, i)
    keep = rank < k
    return i[keep], j[keep]


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


def _unique_ij(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    keep = i != j
    key = np.unique(i[keep].astype(np.int64) * (1 << 32) + j[keep].astype(np.int64))
    return np.stack([key >> 32, key & ((1 << 32) - 1)], axis=1)


SPARSE_ANN_DIM = 256  # TF-IDF rows projected to this many dimensions (large inputs)
# From this many rows on, the TF-IDF neighbours come from the projection: the blocked sparse product
# against every row costs N x N (18 s at 10,000 questions on the shared 2-core box). The bundled
# sample (1,000) and the second sets (~300) are far below it: their candidates are exact.
SPARSE_ANN_MIN_ROWS = 5_000


def topk_sparse(x, k: int, block: int = 512, cancel: CancelFn | None = None) -> np.ndarray:
    """(i, j) pairs of each row's k nearest rows by cosine of L2-normalised sparse rows. From
    SPARSE_ANN_MIN_ROWS rows on, the rows are first projected to SPARSE_ANN_DIM dense dimensions (a
    sparse random projection: cosines move by about 0.06) and searched as dense
    vectors (`topk_dense`): a blocked product against every row would cost N x N. The pairs are
    only candidates; their TF-IDF cosine is computed exactly when they are scored."""
    n = x.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    if n >= SPARSE_ANN_MIN_ROWS:
        from sklearn.random_projection import SparseRandomProjection

        proj = SparseRandomProjection(n_components=SPARSE_ANN_DIM, dense_output=True, random_state=0)
        dense = np.asarray(proj.fit_transform(x), dtype=np.float32)
        dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-9)
        return topk_dense(dense, k, cancel=cancel)
    xt = x.T.tocsc()
    i, j = _blocked_topk(lambda s: (x[s:s + block] @ xt).toarray(), n, k, block, cancel)
    return _unique_ij(np.minimum(i, j), np.maximum(i, j))
