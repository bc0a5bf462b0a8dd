"""Calibrate the near-duplicate threshold on public paraphrase data, read in place.

    python bench/calibrate_duplicates.py [--data /work/shared/data/public]

Data (never copied into the project): MSRP test (1,725 sentence pairs, label 1 = paraphrase) and
STS-B test (1,379 pairs scored 0-5; "duplicate" = score >= --sts-min, default 4.0). Prints
precision / recall / F1 of "cosine >= t" (and of the full duplicate rule: cosine plus the
key-term veto of engine/flags/dedup.py) over a sweep of thresholds, the best-F1 threshold, and
the figures at the default question threshold (dedup.QUESTION_THRESHOLD). These sentence pairs
have no answers, so only the question-alone half of the duplicate rule applies to them.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from engine.flags.embeddings import load_model  # noqa: E402
from engine.flags.dedup import QUESTION_THRESHOLD as DEFAULT_THRESHOLD, veto_reason  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/public")


def read_msrp(folder: Path) -> list[tuple[str, str, bool]]:
    path = folder / "msrp_test__galsang_ABCNN.txt"
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) >= 5:
                out.append((row[3], row[4], row[0].strip() == "1"))
    return out


def read_stsb(folder: Path, min_score: float) -> list[tuple[str, str, bool]]:
    path = folder / "stsb_en_test__PhilipMay_stsb-multi-mt.csv"
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 3:
                out.append((row[0], row[1], float(row[2]) >= min_score))
    return out


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & gold).sum())
    p = tp / max(pred.sum(), 1)
    r = tp / max(gold.sum(), 1)
    f = 2 * p * r / max(p + r, 1e-12)
    return p, r, f


def evaluate(name: str, pairs: list[tuple[str, str, bool]], model, show_sweep: bool) -> dict:
    a = model.encode([x[0] for x in pairs])
    b = model.encode([x[1] for x in pairs])
    cos = (a * b).sum(1)
    gold = np.array([x[2] for x in pairs])
    vetoed = np.array([bool(veto_reason(x[0], x[1])) for x in pairs])
    rows = []
    for t in np.arange(0.50, 0.96, 0.01):
        pc, rc, fc = prf(cos >= t, gold)
        pv, rv, fv = prf((cos >= t) & ~vetoed, gold)
        rows.append((round(float(t), 2), pc, rc, fc, pv, rv, fv))
    print(f"\n== {name}: {len(pairs)} pairs, {gold.sum()} positive ({gold.mean():.0%}), veto fires on {vetoed.sum()}")
    if show_sweep:
        print("  thr   P(cos)  R(cos)  F1(cos) | P(rule) R(rule) F1(rule)")
        for r in rows:
            if abs(r[0] * 100 % 5) < 1e-6 or abs(r[0] - DEFAULT_THRESHOLD) < 1e-6:
                print(f"  {r[0]:.2f}  {r[1]:.3f}   {r[2]:.3f}   {r[3]:.3f}   | {r[4]:.3f}   {r[5]:.3f}   {r[6]:.3f}")
    best = max(rows, key=lambda r: r[6])
    at = min(rows, key=lambda r: abs(r[0] - DEFAULT_THRESHOLD))
    print(f"  best F1 (rule) {best[6]:.3f} at {best[0]:.2f} (P {best[4]:.3f}, R {best[5]:.3f})")
    print(f"  at default {DEFAULT_THRESHOLD:.2f}: F1 {at[6]:.3f} (P {at[4]:.3f}, R {at[5]:.3f}); cosine only F1 {at[3]:.3f}")
    return {"best_threshold": best[0], "best_f1": best[6], "default_f1": at[6], "default_precision": at[4],
            "default_recall": at[5]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sts-min", type=float, default=4.0, help="STS-B score counted as a duplicate")
    ap.add_argument("--no-sweep", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "msrp_test__galsang_ABCNN.txt").exists():
        print(f"public data not found in {args.data}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    model = load_model()
    print(f"model {model.key} loaded in {time.perf_counter() - t:.1f}s")
    res = {
        "msrp": evaluate("MSRP test", read_msrp(args.data), model, not args.no_sweep),
        "stsb": evaluate(f"STS-B test (duplicate = score >= {args.sts_min})", read_stsb(args.data, args.sts_min),
                         model, not args.no_sweep),
    }
    print(f"\nDefault threshold {DEFAULT_THRESHOLD:.2f}: MSRP F1 {res['msrp']['default_f1']:.3f}, "
          f"STS-B F1 {res['stsb']['default_f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
