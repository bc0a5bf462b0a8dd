"""Speed of the personal data, tone and needs-context detectors (and redaction's span finder).

Builds N pairs from the bundled sample (repeated with small variations, so every rule has
work to do) and times each detector on one thread. Figures are printed as seconds and as
a ratio against a baseline measured in the same run: one plain `re` scan of every text
for a single word (what any text pass costs at minimum on this machine).

    python bench/bench_detectors.py            # 10,000 pairs (about a minute on a busy box)
    python bench/bench_detectors.py --n 50000  # bigger
    python bench/bench_detectors.py --huge     # add one 1 MB answer and one 1 MB question
    python bench/bench_detectors.py --embed-pairs 400   # and the ratio to embedding (below)

Against embedding: the personal-data and needs-context passes together (learning the id shapes
included) over P pairs, divided by the time the engine's embedder (engine.flags.embeddings,
all-MiniLM-L6-v2, one thread like the detectors) takes for the same 2P texts, and by a plain
`SentenceTransformer.encode` of them. The target is <= 0.3. Measured figures are in the report
of the run; the script prints them.
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
    ap.add_argument("--embed-pairs", type=int, default=0,
                    help="also compare personal data + needs context with embedding these many pairs")
    ap.add_argument("--second-set", action="store_true", help="use the second evaluation set's pairs for --embed-pairs")
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
    if args.embed_pairs:
        against_embedding(items, args.embed_pairs, args.second_set)
    return 0


def against_embedding(items: list[PairText], n: int, second_set: bool) -> None:
    """Personal data + needs context vs embedding the same texts, both on one thread."""
    import torch

    torch.set_num_threads(1)
    if second_set:
        sys.path.insert(0, str(ROOT / "tests"))
        from privacy_context_set import load_set

        base = load_set().items
        items = scale(base, n)
    sub = items[:n]
    texts = [t for it in sub for t in (it.instruction, it.response)]
    from engine.flags.embeddings import load_model

    model = load_model()
    model.encode(texts[:16], threads=1)  # warm up (first batch pays one-off costs)
    emb_s, _ = timed(lambda: model.encode(texts, threads=1))
    plain_s = None
    try:
        from sentence_transformers import SentenceTransformer

        plain = SentenceTransformer(model_path(model), device="cpu")
        plain.encode(texts[:16])
        plain_s, _ = timed(lambda: plain.encode(texts, batch_size=64, normalize_embeddings=True))
    except Exception as exc:  # the plain baseline is informative only
        print(f"  (plain SentenceTransformer baseline skipped: {type(exc).__name__}: {exc})")
    ctx = DetectContext()
    # best of 3 for the detectors: they take well under a second, so one busy moment on a shared
    # box would dominate a single run (the embedding runs long enough to average that out)
    det_s = min(timed(lambda: (pii.detect(sub, ctx), needs_context.detect(sub, ctx)))[0] for _ in range(3))
    print(f"{len(sub)} pairs ({len(texts)} texts{', second set' if second_set else ''}): "
          f"engine embedding {emb_s:.2f} s ({len(texts) / emb_s:.0f} texts/s)"
          + (f", plain SentenceTransformer.encode {plain_s:.2f} s" if plain_s else ""))
    print(f"  personal data + needs context {det_s:.3f} s = {det_s / emb_s:.3f} x engine embedding"
          + (f", {det_s / plain_s:.3f} x plain encode" if plain_s else "") + "  (target <= 0.3)")


def model_path(model) -> str:
    from engine.flags.embeddings import default_model_path

    return str(default_model_path())


if __name__ == "__main__":
    sys.exit(main())
