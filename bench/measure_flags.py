"""Duplicates, conflicting answers and policy flags measured on the bundled sample (what the
thresholds were calibrated on) and on the second evaluation set (tests/data/flags_second_set,
written for another organisation in another voice; nothing was tuned on it).

    python bench/measure_flags.py                # both sets
    python bench/measure_flags.py --set second   # one of them

Prints precision / recall / F1 per flag kind and set (and, for the second set, the policy flags
and the share of conflicts whose policy side is the right one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from engine.flags.runner import list_flags, run_flags  # noqa: E402
from engine.workspace.store import Workspace  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "data" / "flags_second_set"))
import measure as m  # noqa: E402


def run_sample(tmp: Path) -> dict:
    from flag_helpers import ground_truth, import_sample

    gt = ground_truth()
    with Workspace.create(tmp / "sample") as ws:
        import_sample(ws)
        t = time.perf_counter()
        run_flags(ws, kinds=["duplicate", "conflict"])
        secs = time.perf_counter() - t
        dup = list_flags(ws, kind="duplicate")
        con = list_flags(ws, kind="conflict")
    return {"seconds": round(secs, 1),
            "duplicates": m.duplicate_scores(dup, [d["ids"] for d in gt["duplicates"]], gt.get("hard_negatives", [])),
            "conflicts": m.conflict_scores(con, m.conflict_units_sample(gt))}


def run_second(tmp: Path) -> dict:
    gt = m.second_truth()
    out: dict = {}
    with Workspace.create(tmp / "second") as ws:
        m.load_second_set(ws)
        t = time.perf_counter()
        run_flags(ws, kinds=["duplicate", "conflict"])
        out["seconds"] = round(time.perf_counter() - t, 1)
        dup = list_flags(ws, kind="duplicate")
        con = list_flags(ws, kind="conflict")
        out["duplicates"] = m.duplicate_scores(dup, [d["ids"] for d in gt["duplicates"]], gt["hard_negatives"])
        out["conflicts"] = m.conflict_scores(con, m.conflict_units_second(gt), gt["not_conflicts"])
        try:
            from engine.flags import policy
        except ImportError:
            policy = None
        if policy is not None:
            policy.load_policy(ws, m.HERE / "policy.md")
            run_flags(ws, kinds=["conflict", "policy"])
            pol = list_flags(ws, kind="policy")
            con = list_flags(ws, kind="conflict")
            out["policy"] = m.policy_scores(pol, gt["policy"]["contradicts"])
            out["policy_side"] = m.policy_side_share(con, gt)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("sample", "second", "both"), default="both")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        res = {}
        if args.set in ("sample", "both"):
            res["sample (calibration)"] = run_sample(tmp)
        if args.set in ("second", "both"):
            res["second set (held out)"] = run_second(tmp)
    if args.json:
        print(json.dumps(res, indent=1, default=str))
        return
    for name, r in res.items():
        d, c = r["duplicates"], r["conflicts"]
        print(f"{name}: flag pass {r['seconds']} s")
        print(f"  duplicates  P {d['precision']:.3f}  R {d['recall']:.3f}  F1 {d['f1']:.3f}  "
              f"hard negatives merged {len(d['hard_negatives_merged'])}")
        print(f"  conflicts   recall {c['recall']:.3f} ({c['found']}/{c['units']})  precision {c['precision']:.3f} "
              f"({c['flags']} flags)  scope pairs split {len(c.get('scope_pairs_split', []))}")
        if "policy" in r:
            p, s = r["policy"], r["policy_side"]
            print(f"  policy      recall {p['recall']:.3f}  precision {p['precision']:.3f} ({p['flags']} flags)  "
                  f"policy side right {s['right_side']}/{s['named']}")
        if os.environ.get("MEASURE_VERBOSE"):
            print("   dup missed", d["missed"][:10], "\n   dup false", d["false"][:10])
            print("   hard negatives merged", d["hard_negatives_merged"][:10])
            print("   false conflicts", *c["false_flags"], sep="\n     ")
            if "policy" in r:
                print("   policy missed", r["policy"]["missed"], "false", r["policy"]["false"])


if __name__ == "__main__":
    main()
