"""Fit the duplicate pair score (engine/flags/dedup.py SCORE_WEIGHTS, SCORE_THRESHOLD) on the
bundled sample, and show what the fitted score gives there and on the second evaluation set.

    python bench/bench_flags_fit.py              # fit on the sample, print weights and F1 on both sets

The candidates of dedup.PairSignals are labelled by the sample's ground truth (a pair is a
duplicate when both tickets are in one planted group); a logistic regression (scikit-learn,
standardised features, C=1) is fitted on them and its coefficients are folded back to raw
features. The threshold is the one with the best pairwise F1 of the groups on the sample. The
second set is only measured, never fitted on.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data" / "flags_second_set"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from engine.flags import dedup  # noqa: E402
from engine.flags import embeddings as emb  # noqa: E402

FEATURES = ("q", "a", "tq", "ta", "s", "v")


def sample_items():
    """The sample's pairs as the importer drafts them (a temporary workspace)."""
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from flag_helpers import ground_truth, import_sample
    from engine.flags.runner import load_items
    from engine.workspace.store import Workspace

    with tempfile.TemporaryDirectory() as d, Workspace.create(Path(d) / "ws") as ws:
        import_sample(ws)
        items = load_items(ws)
    gt = ground_truth()
    return items, [d["ids"] for d in gt["duplicates"]], gt.get("hard_negatives", [])


def second_items():
    import tempfile

    import measure
    from engine.flags.runner import load_items
    from engine.workspace.store import Workspace

    with tempfile.TemporaryDirectory() as d, Workspace.create(Path(d) / "ws") as ws:
        measure.load_second_set(ws)
        items = load_items(ws)
    gt = measure.second_truth()
    return items, [d["ids"] for d in gt["duplicates"]], gt["hard_negatives"]


def vectors_for(items, model):
    q_common = dedup.boilerplate_sentences([p.instruction for p in items])
    a_common = dedup.boilerplate_sentences([p.response for p in items])
    q = model.encode([dedup.strip_boilerplate(p.instruction, q_common) for p in items])
    a = model.encode([dedup.strip_boilerplate(p.response, a_common) for p in items])
    return dedup.PairVectors(q, a, dedup.DEFAULT_THRESHOLD, dedup.QUESTION_THRESHOLD)


def labels_for(items, groups, cand):
    group_of = {}
    for g, ids in enumerate(groups):
        for e in ids:
            group_of[e] = g
    ext = [p.external_id for p in items]
    return np.array([group_of.get(ext[i], -1 - i) == group_of.get(ext[j], -2 - j) for i, j in cand.tolist()])


def pairwise_f1(items, groups_found, groups_true, hard):
    ext = [p.external_id for p in items]
    pred = {tuple(sorted((ext[a], ext[b]))) for g in groups_found for a, b in itertools.combinations(g["members"], 2)}
    true = {tuple(sorted(p)) for g in groups_true for p in itertools.combinations(g, 2)}
    tp = len(pred & true)
    p, r = tp / max(len(pred), 1), tp / max(len(true), 1)
    merged = sum(1 for h in hard if tuple(sorted(h)) in pred)
    return round(p, 3), round(r, 3), round(2 * p * r / max(p + r, 1e-9), 3), merged


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    model = emb.load_model()
    items, groups, hard = sample_items()
    sig = dedup.PairSignals(items, vectors_for(items, model))
    cand = sig.candidates()
    f = sig.features(cand[:, 0], cand[:, 1])
    x = np.stack([f[k] for k in FEATURES], axis=1).astype(np.float64)
    y = labels_for(items, groups, cand)
    # every signal may only raise the probability: a feature whose coefficient comes out
    # negative (collinear with another) is dropped and the rest refitted
    use = list(range(len(FEATURES)))
    while True:
        xs = x[:, use]
        mu, sd = xs.mean(0), xs.std(0) + 1e-9
        lr = LogisticRegression(C=1.0, max_iter=1000).fit((xs - mu) / sd, y)
        if (lr.coef_[0] >= 0).all():
            break
        use.pop(int(np.argmin(lr.coef_[0])))
    coef = lr.coef_[0] / sd
    bias = float(lr.intercept_[0] - (lr.coef_[0] * mu / sd).sum())
    weights = {k: 0.0 for k in FEATURES}
    weights.update({FEATURES[u]: round(float(c), 3) for u, c in zip(use, coef)})
    weights["bias"] = round(bias, 3)
    print(f"sample: {len(cand)} candidate pairs, {int(y.sum())} duplicates")
    print("SCORE_WEIGHTS =", weights)
    # the threshold: the middle of the plateau of best F1 (no hard negative merged) on the sample
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.05)]
    f1s = {}
    for t in grid:
        res = pairwise_f1(items, dedup.scored_groups(sig, t, weights=weights), groups, hard)
        print(f"  sample threshold {t}: P {res[0]} R {res[1]} F1 {res[2]} hard negatives merged {res[3]}")
        f1s[t] = res[2] if res[3] == 0 else -1.0
    top = max(f1s.values())
    plateau = [t for t in grid if f1s[t] >= top - 1e-9]
    best = (plateau[len(plateau) // 2], top)
    print("best threshold on the sample (middle of the best plateau):", best, "plateau", plateau)
    items2, groups2, hard2 = second_items()
    sig2 = dedup.PairSignals(items2, vectors_for(items2, model))
    res = pairwise_f1(items2, dedup.scored_groups(sig2, best[0], weights=weights), groups2, hard2)
    print(f"second set at {best[0]}: P {res[0]} R {res[1]} F1 {res[2]} hard negatives merged {res[3]}")
    res = pairwise_f1(items2, dedup.scored_groups(sig2, dedup.SCORE_THRESHOLD), groups2, hard2)
    print(f"second set with the shipped weights: P {res[0]} R {res[1]} F1 {res[2]} hard negatives merged {res[3]}")


if __name__ == "__main__":
    main()
