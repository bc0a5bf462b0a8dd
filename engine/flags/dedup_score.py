"""Duplicates, part 2: one calibrated score per candidate pair.

Candidates: each pair's nearest questions and nearest answers (embeddings), its nearest questions
by character n-gram TF-IDF (survives typos, shorthand and code-mixed English; abbreviations are
expanded with the data's own vocabulary first), and the exact-question matches
(`PairSignals.candidates`, from engine.flags.dedup_candidates). Each candidate pair gets one
score, a logistic regression over
    q = question cosine, a = answer cosine, tq = question TF-IDF cosine, ta = answer TF-IDF cosine,
    s = 1 when both answers state a claim on the same subject (engine.flags.claims), else 0,
    v = 1 when both answers state the same value (the same claim value key), else 0;
then the rules: no question text -> 0; the same question text -> 1 (not for two short questions
when there are vectors: "Any update?" twice may be about different things); a key-term veto -> 0.

Everything is computed on arrays: for a list of pairs (`scores`, in chunks, so three million
candidate pairs never hold their sparse rows at once) or for every pair of a block of rows
against a block of columns (`block_scores`, what the linkage of one component needs). The
subjects, values and key terms are incidence matrices, so their overlaps are matrix products.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.flags.base import PairText
from engine.flags.dedup_candidates import (
    CONTRAST_GROUPS, PairVectors, _unique_ij, boilerplate_sentences, exact_key, key_terms, short_question,
    strip_boilerplate, topk_dense, topk_sparse,
)

CANDIDATE_K = 12  # neighbours per pair and per signal
# Fitted by bench/bench_flags_fit.py on the bundled sample (resources/sample, 1,000 tickets: all
# candidate pairs, labelled by its ground truth), standardisation folded in. Re-fit there.
# (8,701 candidate pairs, 95 duplicates; the TF-IDF question signal came out negative, collinear
# with the question cosine, and was dropped: every signal may only raise the probability.)
SCORE_WEIGHTS = {"q": 11.787, "a": 18.095, "tq": 0.0, "ta": 1.198, "s": 1.219, "v": 0.385, "bias": -22.941}
# Probability threshold: the best pairwise F1 on the sample with no hard negative merged (0.962
# at 0.25; 0.20 merges a hard negative, 0.30-0.60 give 0.95-0.957). bench/bench_flags_fit.py.
SCORE_THRESHOLD = 0.25
PAIR_CHUNK = 65_536  # candidate pairs scored at a time (bounds the sparse rows held)


def pair_score(features: dict[str, np.ndarray], weights: dict | None = None) -> np.ndarray:
    """The duplicate probability of pairs from their signals ({name: array}, one shape)."""
    w = weights or SCORE_WEIGHTS
    z = np.full(np.shape(next(iter(features.values()))), float(w["bias"]))
    for name, x in features.items():
        if float(w.get(name, 0.0)):
            z = z + float(w[name]) * np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def _tfidf(texts: Sequence[str]):
    """Character 3-5-gram TF-IDF rows (sublinear tf, smooth idf, L2-normalised) of the texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=TFIDF_NGRAMS, min_df=1, sublinear_tf=True, lowercase=True,
                          dtype=np.float32, max_features=TFIDF_MAX_FEATURES)
    try:
        return vec.fit_transform([t or " " for t in texts]).tocsr()
    except ValueError:  # nothing but empty texts
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1), dtype=np.float32)


TFIDF_NGRAMS = (3, 5)
TFIDF_MAX_FEATURES = 200_000


class UniqueRows:
    """A matrix with one row per item, kept as its distinct rows `m` and each item's row `uid`:
    a thousand tickets with one answer hold that answer's row once, and the products of their
    rows are computed once per distinct pair of rows."""

    def __init__(self, m, uid: np.ndarray):
        self.m = m.tocsr()
        self.uid = np.asarray(uid, dtype=np.int64)

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> "UniqueRows":
        """The TF-IDF rows of `texts` (`_tfidf`), each distinct text transformed once. The idf
        counts every item, as `_tfidf` over all the texts would (equal to it to rounding)."""
        index: dict[str, int] = {}
        uid = np.array([index.setdefault(t or " ", len(index)) for t in texts], dtype=np.int64)
        if len(index) == len(texts):
            return cls(_tfidf(texts), uid)
        from sklearn.feature_extraction.text import CountVectorizer

        distinct = list(index)
        try:
            counts = CountVectorizer(analyzer="char_wb", ngram_range=TFIDF_NGRAMS, lowercase=True,
                                     dtype=np.float64).fit_transform(distinct).tocsr()
        except ValueError:
            return cls(_tfidf(distinct), uid)
        if counts.shape[1] > TFIDF_MAX_FEATURES:  # the vocabulary would be cut by frequency: all texts then
            return cls(_tfidf(texts), np.arange(len(texts)))
        weight = np.bincount(uid, minlength=len(distinct)).astype(np.float64)
        present = counts.copy()
        present.data[:] = 1.0
        df = np.asarray(present.T @ weight).ravel()
        idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
        counts.data = 1.0 + np.log(counts.data)
        x = counts.multiply(idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        from scipy.sparse import diags

        x = (diags(1.0 / np.maximum(norms, 1e-12)) @ x).astype(np.float32).tocsr()
        return cls(x, uid)

    @classmethod
    def of_sets(cls, rows: Sequence[frozenset]) -> "UniqueRows":
        """0/1 incidence rows of sets (claim subjects, claim values, key terms)."""
        index: dict[frozenset, int] = {}
        uid = np.array([index.setdefault(r, len(index)) for r in rows], dtype=np.int64)
        return cls(_incidence(list(index)), uid)

    def full(self):
        """One row per item (the distinct rows themselves when every row is distinct)."""
        if len(self.uid) == self.m.shape[0] and np.array_equal(self.uid, np.arange(len(self.uid))):
            return self.m
        return self.m[self.uid]

    def pairs(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The row products of (i[k], j[k]), each distinct pair of rows once."""
        if not len(i):
            return np.zeros(0, dtype=np.float32)
        ui, uj = self.uid[i], self.uid[j]
        size = np.int64(self.m.shape[0])
        keys, inv = np.unique(ui * size + uj, return_inverse=True)
        return _sparse_rowdot(self.m, keys // size, keys % size)[inv.ravel()]

    def block(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """The products of every (r[x], c[y]) as a dense len(r) x len(c) matrix."""
        ur, ir = np.unique(self.uid[r], return_inverse=True)
        uc, ic = np.unique(self.uid[c], return_inverse=True)
        prod = (self.m[ur] @ self.m[uc].T).toarray()
        return prod[np.ix_(ir.ravel(), ic.ravel())]


def _sparse_rowdot(x, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()


def _incidence(rows: Sequence[frozenset | set]):
    """A 0/1 CSR matrix, one row per entry of `rows`, one column per distinct element."""
    from scipy.sparse import csr_matrix

    col: dict = {}
    indptr, indices = [0], []
    for r in rows:
        indices.extend(col.setdefault(x, len(col)) for x in r)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
                      shape=(len(rows), max(1, len(col))))


class PairSignals:
    """Everything the scored rule needs about the items: question/answer vectors, TF-IDF matrices,
    exact keys, short-question marks, key terms and each pair's claim subjects and values."""

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
        expanded: dict[str, str] = {}

        def expand(text: str, common: set[str]) -> str:
            got = expanded.get(text)
            if got is None:
                got = expanded[text] = vocabulary.expand(strip_boilerplate(text, common))
            return got

        self._tq = UniqueRows.of_texts([expand(p.instruction, q_common) for p in self.items])
        expanded.clear()
        self._ta = UniqueRows.of_texts([expand(p.response, a_common) for p in self.items])
        self.keys = [exact_key(p.instruction) for p in self.items]
        ids: dict[str, int] = {}
        self.key_ids = np.array([ids.setdefault(k, len(ids)) if k else -1 for k in self.keys], dtype=np.int64)
        self.short = np.array([short_question(p.instruction) for p in self.items], dtype=bool)
        self._terms: dict[int, dict] = {}
        subj: list[frozenset] = []
        vals: list[frozenset] = []
        per_answer: dict[tuple[str, str], tuple[frozenset, frozenset]] = {}  # identical answers once
        for p in self.items:
            if claims is not None:
                cs = claims.get(p.id, [])
                got = (frozenset(tuple(sorted(c.terms)) for c in cs if c.terms and len(c.terms) <= 4),
                       frozenset(claims_mod.value_key(c) for c in cs if c.attribute != "polarity"))
            else:
                key = (p.response, p.instruction)
                got = per_answer.get(key)
                if got is None:
                    cs = claims_mod.extract_claims(p.response, vocabulary, question=p.instruction)
                    got = per_answer[key] = (
                        frozenset(tuple(sorted(c.terms)) for c in cs if c.terms and len(c.terms) <= 4),
                        frozenset(claims_mod.value_key(c) for c in cs if c.attribute != "polarity"))
            subj.append(got[0])
            vals.append(got[1])
        self.subjects = subj
        self.values = vals
        self._subj_m = UniqueRows.of_sets(subj)
        self._val_m = UniqueRows.of_sets(vals)
        self._veto_m: list[tuple[UniqueRows, np.ndarray]] | None = None
        self._cand: dict[int, np.ndarray] = {}
        self._cand_scores: np.ndarray | None = None

    def terms(self, i: int) -> dict:
        t = self._terms.get(i)
        if t is None:
            t = self._terms[i] = key_terms(self.items[i].instruction)
        return t

    @property
    def tq(self):
        """The question TF-IDF rows, one per item."""
        return self._tq.full()

    @property
    def ta(self):
        """The answer TF-IDF rows, one per item."""
        return self._ta.full()

    def _veto_matrices(self) -> list[tuple[UniqueRows, np.ndarray]]:
        """Per contrast group (and "name"): the items' classes as a 0/1 matrix, and how many each names."""
        if self._veto_m is None:
            per_text: dict[str, dict] = {}
            terms = []
            for i, p in enumerate(self.items):
                t = per_text.get(p.instruction)
                if t is None:
                    t = per_text[p.instruction] = key_terms(p.instruction)
                self._terms[i] = t
                terms.append(t)
            out = []
            for group in [*CONTRAST_GROUPS, "name"]:
                rows = [frozenset(t.get(group, ())) for t in terms]
                if sum(1 for r in rows if r) < 2:
                    continue
                m = UniqueRows.of_sets(rows)
                out.append((m, np.asarray(m.m.sum(axis=1)).ravel()[m.uid]))
            self._veto_m = out
        return self._veto_m

    # --- candidates ---------------------------------------------------------------------------
    def candidates(self, k: int = CANDIDATE_K, cancel=None) -> np.ndarray:
        """(i, j), i < j: each row's k nearest by question TF-IDF, question vector and answer vector,
        and the exact-question matches. Computed once per k."""
        if k in self._cand:
            return self._cand[k]
        parts = [topk_sparse(self._tq.full(), k, cancel=cancel)]
        if self.vectors is not None:
            parts.append(topk_dense(self.vectors.q, k, cancel=cancel))
            if self.vectors.a is not None:
                parts.append(topk_dense(self.vectors.a, k, cancel=cancel))
        order = np.argsort(self.key_ids, kind="stable")
        ks = self.key_ids[order]
        # each exact-question group linked to its first member (a star, not every pair)
        valid = ks >= 0
        first = np.r_[True, ks[1:] != ks[:-1]]
        head = order[np.maximum.accumulate(np.where(first, np.arange(len(ks)), 0))]
        ex = np.stack([head, order], axis=1)[valid & ~first]
        if len(ex):
            parts.append(ex.astype(np.int64))
        allp = np.concatenate([p.reshape(-1, 2) for p in parts])
        got = _unique_ij(np.minimum(allp[:, 0], allp[:, 1]), np.maximum(allp[:, 0], allp[:, 1]))
        self._cand[k] = got
        return got

    def candidate_scores(self, cancel=None) -> tuple[np.ndarray, np.ndarray]:
        """The candidates (default k) and their scores (default weights), computed once: the
        duplicate and the conflict detector both use them."""
        cand = self.candidates(cancel=cancel)
        if self._cand_scores is None:
            self._cand_scores = self.scores(cand[:, 0], cand[:, 1]) if len(cand) else np.zeros(0)
        return cand, self._cand_scores

    # --- signals and scores -------------------------------------------------------------------
    def _signals(self, r: np.ndarray, c: np.ndarray, block: bool, weights: dict) -> dict[str, np.ndarray]:
        """The signals of pairs (r[k], c[k]), or with `block` of every (r[x], c[y])."""
        def dense(m):
            return m[r] @ m[c].T if block else np.einsum("ij,ij->i", m[r], m[c])

        def sparse(m: UniqueRows):
            return m.block(r, c) if block else m.pairs(r, c)

        shape = (len(r), len(c)) if block else (len(r),)
        zeros = np.zeros(shape, dtype=np.float32)
        if self.vectors is not None:
            q = dense(self.vectors.q)
            a = dense(self.vectors.a) if self.vectors.a is not None else zeros
        else:
            q = a = zeros
        ta = sparse(self._ta)
        # the question TF-IDF: its weight is 0 now (not computed then); a re-fit reads it (`features`)
        tq = sparse(self._tq) if float(weights.get("tq", 0.0)) else zeros
        s = (sparse(self._subj_m) > 0).astype(np.float32)
        v = (sparse(self._val_m) > 0).astype(np.float32)
        both_short = self._both(self.short, r, c, block, np.logical_and)
        # for two short questions ("Any update?") the questions say little: their signals count
        # no more than the answers' do
        q = np.where(both_short, np.minimum(q, a), q)
        tq = np.where(both_short, np.minimum(tq, ta), tq)
        return {"q": q, "a": a, "tq": tq, "ta": ta, "s": s, "v": v}

    @staticmethod
    def _both(x: np.ndarray, r: np.ndarray, c: np.ndarray, block: bool, op):
        return op(x[r][:, None], x[c][None, :]) if block else op(x[r], x[c])

    def _vetoed(self, r: np.ndarray, c: np.ndarray, block: bool) -> np.ndarray:
        """The key-term veto (dedup_candidates.veto_reason) on arrays: in some group, each side
        names a class the other does not."""
        out = np.zeros((len(r), len(c)) if block else (len(r),), dtype=bool)
        for m, count in self._veto_matrices():
            cr, cc = count[r], count[c]
            if block:
                # only rows and columns naming a class of the group can veto
                nr, nc = np.flatnonzero(cr), np.flatnonzero(cc)
                if not (len(nr) and len(nc)):
                    continue
                both = m.block(r[nr], c[nc])
                out[np.ix_(nr, nc)] |= ((cr[nr][:, None] - both) > 0) & ((cc[nc][None, :] - both) > 0)
            else:
                on = np.flatnonzero((cr > 0) & (cc > 0))
                if not len(on):
                    continue
                both = m.pairs(r[on], c[on])
                out[on] |= ((cr[on] - both) > 0) & ((cc[on] - both) > 0)
        return out

    def _score(self, r: np.ndarray, c: np.ndarray, block: bool, weights: dict | None) -> np.ndarray:
        w = weights or SCORE_WEIGHTS
        sc = pair_score(self._signals(r, c, block, w), w)
        kr, kc = (self.key_ids[r][:, None], self.key_ids[c][None, :]) if block else (self.key_ids[r], self.key_ids[c])
        empty = (kr < 0) | (kc < 0)
        short = self._both(self.short, r, c, block, np.logical_and) & (self.vectors is not None)
        same = (kr == kc) & ~empty & ~short  # the same question text
        sc = np.where(same, 1.0, np.where(self._vetoed(r, c, block), 0.0, sc))
        return np.where(empty, 0.0, sc).astype(np.float32)

    def features(self, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """The signals of pairs (i[k], j[k]) as arrays (every signal, for fitting the weights)."""
        return self._signals(np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64), False, {"tq": 1.0})

    def scores(self, i: np.ndarray, j: np.ndarray, weights: dict | None = None) -> np.ndarray:
        """The duplicate score of pairs (i[k], j[k]), PAIR_CHUNK pairs at a time."""
        i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        out = np.empty(len(i), dtype=np.float32)
        for s in range(0, len(i), PAIR_CHUNK):
            out[s:s + PAIR_CHUNK] = self._score(i[s:s + PAIR_CHUNK], j[s:s + PAIR_CHUNK], False, weights)
        return out

    def block_scores(self, r: Sequence[int], c: Sequence[int], weights: dict | None = None) -> np.ndarray:
        """The scores of every (r[x], c[y]) as a len(r) x len(c) float32 matrix."""
        return self._score(np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64), True, weights)
