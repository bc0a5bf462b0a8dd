"""Duplicates, part 3: groups from the pair scores, and which pair of a group to keep.

Groups: a vetoed pair (key-term veto) never scores; the connected components of the candidate
pairs scoring at least the threshold are split by average linkage (scipy) on 1 - score, cut at
1 - threshold, so a member joins a group only when it is, on average, close to all of it (no
chaining). The linkage is bounded: a component of up to MAX_LINKAGE members gets its dense
score matrix (computed in row blocks, vectorised); a larger one (rare: thousands of tickets
linked by their neighbours) is split greedily around its best-connected members, each step one
vectorised row of scores. Nothing is ever N x N over the whole workspace, and no Python loop
runs over pairs of clusters.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from engine.flags.base import PairText
from engine.flags.dedup_score import SCORE_THRESHOLD, PairSignals
from engine.flags.groups import connected_groups
from engine.workspace.progress import raise_if_cancelled

MAX_LINKAGE = 4000  # members of a component clustered with a dense score matrix; larger: greedy
ROW_BLOCK = 512  # rows of a component's score matrix computed at a time


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


def component_scores(signals: PairSignals, idx: np.ndarray, weights: dict | None = None) -> np.ndarray:
    """The symmetric score matrix of the members `idx`, ROW_BLOCK rows at a time (float32)."""
    m = len(idx)
    out = np.empty((m, m), dtype=np.float32)
    for s in range(0, m, ROW_BLOCK):
        out[s:s + ROW_BLOCK] = signals.block_scores(idx[s:s + ROW_BLOCK], idx, weights)
    out = np.minimum(out, out.T)  # the same either way round; guard rounding
    np.fill_diagonal(out, 1.0)
    return out


def _stats(signals: PairSignals, part: np.ndarray, weights: dict | None,
           matrix: np.ndarray | None = None, pos: dict[int, int] | None = None) -> tuple[float, float]:
    """(min, mean) score over the pairs of a group: from the component's matrix when there is one,
    else in row blocks."""
    if matrix is not None and pos is not None:
        at = np.asarray([pos[int(x)] for x in part])
        sub = matrix[np.ix_(at, at)]
        iu = np.triu_indices(len(at), 1)
        return float(sub[iu].min()), float(sub[iu].mean())
    lo, total, count = 1.0, 0.0, 0
    for s in range(0, len(part), ROW_BLOCK):
        rows = part[s:s + ROW_BLOCK]
        block = signals.block_scores(rows, part, weights)
        # only the pairs after each row (the upper triangle)
        mask = np.arange(len(part))[None, :] > (s + np.arange(len(rows)))[:, None]
        vals = block[mask]
        if len(vals):
            lo, total, count = min(lo, float(vals.min())), total + float(vals.sum()), count + len(vals)
    return lo, (total / count if count else 1.0)


def scored_groups(signals: PairSignals, threshold: float = SCORE_THRESHOLD, *, rows=None, cancel=None,
                  weights: dict | None = None) -> list[dict]:
    """Duplicate groups by the scored rule: {members: [positions], exact, min_sim, mean_sim}."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = len(signals.items)
    if n < 2:
        return []
    if weights is None:
        cand, sc = signals.candidate_scores(cancel=cancel)
    else:
        cand = signals.candidates(cancel=cancel)
        sc = signals.scores(cand[:, 0], cand[:, 1], weights) if len(cand) else np.zeros(0)
    if len(cand) == 0:
        return []
    edges = cand[sc >= threshold]
    row_set = set(rows) if rows is not None else None
    degree = np.bincount(edges.ravel(), minlength=n) if len(edges) else np.zeros(n, dtype=np.int64)
    groups = []
    for comp in connected_groups(n, edges, min_size=2):
        if row_set is not None and not (row_set & set(comp)):
            continue
        raise_if_cancelled(cancel)
        idx = np.asarray(comp, dtype=np.int64)
        matrix, pos = None, None
        if len(idx) == 2:
            parts = [idx]
        elif len(idx) > MAX_LINKAGE:
            parts = _greedy_scored(idx[np.argsort(-degree[idx], kind="stable")], signals, threshold, weights, cancel)
        else:
            matrix = component_scores(signals, idx, weights)
            pos = {int(x): k for k, x in enumerate(idx)}
            dist = squareform(1.0 - matrix.astype(np.float64), checks=False)
            labels = fcluster(linkage(dist, method="average"), t=1.0 - threshold, criterion="distance")
            parts = [idx[labels == lab] for lab in np.unique(labels)]
            parts = [p for p in parts if len(p) > 1]
        for part in parts:
            if row_set is not None and not (row_set & set(part.tolist())):
                continue
            part = np.sort(part)
            lo, mean = _stats(signals, part, weights, matrix, pos)
            groups.append({"members": part.tolist(), "exact": len({signals.keys[x] for x in part.tolist()}) == 1,
                           "min_sim": lo, "mean_sim": mean})
    return groups


def _greedy_scored(idx: np.ndarray, signals: PairSignals, threshold: float, weights,
                   cancel=None) -> list[np.ndarray]:
    """A component too large for a dense matrix (`idx` ordered by how many candidate neighbours
    each member has): the first member left is a centre; the members scoring >= threshold
    against it join it; repeat on the rest. Each step is one vectorised row of scores."""
    left = np.asarray(idx, dtype=np.int64)
    out = []
    while len(left) > 1:
        raise_if_cancelled(cancel)
        centre, rest = left[0], left[1:]
        s = signals.block_scores([centre], rest, weights)[0]
        joined = s >= threshold
        if joined.any():
            out.append(np.concatenate([[centre], rest[joined]]))
        left = rest[~joined]
    return out
