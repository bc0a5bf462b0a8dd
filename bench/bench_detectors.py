"""Speed of the personal data, tone and needs-context detectors (and redaction's span finder).

Builds N pairs from the bundled sample (repeated with small variations, so every rule has
work to do) and times each detector on one thread. Figures are printed as seconds and as
a ratio against a baseline measured in the same run: one plain `re` scan of every text
for a single word (what any text pass costs at minimum on this machine).

    python bench/bench_detectors.py            # 10,000 pairs (about a minute on a busy box)
    python bench/bench_detectors.py --n 50000  # bigger
    python bench/bench_detectors.py --huge     # add one 1 MB answer and one 1 MB question
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.flags import needs_context, pii, tone  # noqa: E402
from engine.flags.base import DetectContext, PairText  # noqa: E402


def sample_pairs() -> list[PairText]:
    path = ROOT / "resources" / "sample" / "helpdesk_export.csv"
    from engine.ingest.drafting import draft_answer, draft_question

    if not path.exists():
        base = [("How do I reset my password? Call me on +91 98765 43210.", "Open the portal and choose Reset Password."),
                ("Leave balance?", "pls chk WD, its thr"), ("VPN down", "As discussed, done.")]
        return [PairText(i, q, a, requester="Priya Sharma") for i, (q, a) in enumerate(base)]
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    return [PairText(i, draft_question(r["Description"], r["Subject"]), draft_answer(r["Resolution"]),
                     external_id=r["Ticket ID"], requester=r["Requester"]) for i, r in enumerate(rows)]


def scale(base: list[PairText], n: int, seed: int = 0) -> list[PairText]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        b = base[i % len(base)]
        suffix = "" if i < len(base) else f" (ref {rng.randrange(10**6)})"
        out.append(PairText(i, b.instruction + suffix, b.response + suffix, b.external_id, b.status, b.requester))
    return out


def timed(fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--huge", action="store_true")
    args = ap.parse_args(argv)
    items = scale(sample_pairs(), args.n)
    if args.huge:
        items.append(PairText(len(items), "x " * 500_000, ("Please open Workday. " * 50_000) + "see attached"))
        items.append(PairText(len(items), ("+91 98765 43210, a@b.co " * 40_000), "ok"))
    chars = sum(len(i.instruction) + len(i.response) for i in items)
    word = re.compile(r"\bportal\b")
    base_s, _ = timed(lambda: [word.search(i.instruction) or word.search(i.response) for i in items])
    base_s = max(base_s, 1e-6)
    print(f"{len(items)} pairs, {chars / 1e6:.1f} M characters; baseline one-regex scan {base_s:.3f} s")
    ctx = DetectContext()
    total = 0.0
    for name, fn in (("personal data", pii.detect), ("tone", tone.detect), ("needs context", needs_context.detect)):
        secs, flags = timed(fn, items, ctx)
        total += secs
        print(f"  {name:<14} {secs:7.2f} s  {secs / base_s:7.1f}x baseline  {len(flags):6d} flags  "
              f"{len(items) / secs:9.0f} pairs/s")
    print(f"  {'all three':<14} {total:7.2f} s  {total / base_s:7.1f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
