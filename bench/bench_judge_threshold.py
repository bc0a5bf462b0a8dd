"""Calibrate the judge's "meaning is close" threshold on public STS-B data.

Reads the STS-B English test set in place (../shared/data/public, never copied into the
project), embeds both sentences of every pair with all-MiniLM-L6-v2 (the judge's embedder),
and finds the cosine threshold that best separates pairs humans rated "same meaning"
(score >= --positive, default 3.5 of 5: "roughly/mostly equivalent") from the rest.
Prints accuracy, precision and recall at the best threshold and at the one in use
(engine.evaluate.judge.SIMILARITY_THRESHOLD).

Measured (2026-11, 1,379 pairs, 2 cores, ~18 s of embedding):
  positive = score >= 3.5 (479 pairs): best threshold 0.76, accuracy 0.814, precision 0.731,
  recall 0.737; Pearson(cosine, score) 0.827.  -> SIMILARITY_THRESHOLD = 0.76
  positive = score >= 3.0 (673 pairs): best threshold 0.60, accuracy 0.827.

    python bench/bench_judge_threshold.py [--data PATH] [--positive 3.5] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "public" / "stsb_en_test__PhilipMay_stsb-multi-mt.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--positive", type=float, default=3.5, help="human score (0-5) from which a pair means the same")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()

    import numpy as np

    from engine.evaluate.judge import SIMILARITY_THRESHOLD, cosine_pairs, load_embedder

    rows = []
    with open(args.data, newline="", encoding="utf-8") as fh:
        for r in csv.reader(fh):
            if len(r) == 3:
                rows.append((r[0], r[1], float(r[2])))
    if args.limit:
        rows = rows[: args.limit]
    t0 = time.perf_counter()
    embed = load_embedder()
    sims = np.array(cosine_pairs(embed, [r[0] for r in rows], [r[1] for r in rows]))
    took = time.perf_counter() - t0
    gold = np.array([r[2] >= args.positive for r in rows])
    scores = np.array([r[2] for r in rows])
    print(f"pairs: {len(rows)}  positives (score >= {args.positive}): {gold.sum()}  embedding time: {took:.1f}s")
    print(f"spearman-like check: pearson(cos, score) = {np.corrcoef(sims, scores)[0, 1]:.3f}")

    def stats(t: float) -> tuple[float, float, float, float]:
        pred = sims >= t
        tp = int((pred & gold).sum())
        acc = float((pred == gold).mean())
        prec = tp / max(1, int(pred.sum()))
        rec = tp / max(1, int(gold.sum()))
        bal = 0.5 * (rec + float((~pred & ~gold).sum()) / max(1, int((~gold).sum())))
        return acc, prec, rec, bal

    best = max((round(t, 3) for t in np.arange(0.30, 0.96, 0.01)), key=lambda t: stats(t)[0])
    for label, t in (("best accuracy", best), ("in use", SIMILARITY_THRESHOLD)):
        acc, prec, rec, bal = stats(t)
        print(f"{label:14s} threshold {t:.2f}: accuracy {acc:.3f} precision {prec:.3f} recall {rec:.3f} balanced {bal:.3f}")


if __name__ == "__main__":
    main()
