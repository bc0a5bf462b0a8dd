"""The whole flag pass on real customer-service utterances against a plain encode of its texts.

    python bench/bench_flags_bitext.py [--data ../shared/data/public/bitext_...csv] [--rows 3000]

The Bitext sample (27 intents, read in place, never copied): `--rows` utterances (seeded sample)
become tickets whose answer is one fixed reply per intent, so hundreds of tickets ask one thing,
as in real support data. Measured in one run, on one model load:
1. baseline: `SentenceTransformer.encode` of all the pass's texts (every question and every
   answer, batch 64, normalised), as a user would embed them;
2. `run_flags` on a fresh workspace holding those tickets (every kind; nothing cached), which is
   what `pairsmith flag` runs.
Prints both times, the ratio (target <= 1.0), the time per kind where the runner reports it,
what was found, and the peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from flag_timing import Stages, plain_encode_seconds, rss_mb, write_tickets  # noqa: E402
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "public" / \
    "bitext_customer_service_8k__mohamedmgh_Chatbot_BERT_Intent_classifaction-.csv"


def rows_from(path: Path, n: int, seed: int = 11) -> list[tuple[str, str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        data = [(r["utterance"], r["intent"]) for r in csv.DictReader(fh) if r.get("utterance")]
    rng = random.Random(seed)
    rng.shuffle(data)
    data = data[:n]
    out = []
    for i, (q, intent) in enumerate(data):
        words = intent.replace("_", " ")
        a = (f"Thanks for reaching out. To {words}, sign in to your account, open the {words} page and "
             f"follow the steps there; it usually takes 2 business days. Reply here if anything is unclear.")
        out.append((f"BT-{i + 1:05d}", q, a))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--rows", type=int, default=3000)
    args = ap.parse_args()
    import torch

    from engine.flags import embeddings as emb
    from engine.flags.runner import run_flags
    from engine.workspace.store import Workspace

    rows = rows_from(args.data, args.rows)
    texts = [t for _e, q, a in rows for t in (q, a)]
    model = emb.load_model()  # loaded once, before either timing
    torch.set_num_threads(emb.default_threads())
    base = plain_encode_seconds(texts)
    print(f"{len(rows)} tickets, {len(texts)} texts, {len({r[2] for r in rows})} distinct answers")
    print(f"plain SentenceTransformer.encode of the texts: {base:.1f} s")
    stages = Stages()

    with tempfile.TemporaryDirectory() as d:
        with Workspace.create(Path(d) / "ws") as ws:
            write_tickets(ws, rows)
            t = time.perf_counter()
            stages.start()
            counts = run_flags(ws, progress=stages)
            flag = time.perf_counter() - t
    stages.finish()
    print(f"run_flags (every kind, fresh workspace): {flag:.1f} s   found {counts}")
    print(f"RATIO flag pass / plain encode: {flag / base:.2f}  (target <= 1.0; embedding {model.precision})")
    print("  slowest stages:", stages.slowest(8))
    print(f"peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
