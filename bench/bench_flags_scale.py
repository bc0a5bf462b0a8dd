"""The whole flag pass at scale: N tickets in clusters of C (N/C intents, each asked C ways)
against a plain encode of the same texts, in one run.

    nice -n 10 python bench/bench_flags_scale.py [--tickets 100000] [--cluster 1000]
        [--data ../shared/data/public/bitext_...csv] [--kinds duplicate,conflict,...]

The tickets are synthesised from the public Bitext customer-service set (read in place, never
copied): its 27 intents, each also asked about one of several products ("... for my broadband
plan"), give up to 27 x len(PRODUCTS) intents; each intent's C questions are its Bitext
utterances with the product put in, plus greetings, sign-offs, shorthand and typos until C
distinct texts exist. Each intent has one reply ("... within 2 business days"); about 1% of each
cluster's replies state another delay ("5 business days"), so the conflict pass has real
disagreements to find, as in real data where a few agents answered from an old policy.

Measured in one run, on one model load:
1. baseline: `SentenceTransformer.encode` of every question and answer (batch 64, normalised);
2. `run_flags` on a fresh workspace holding the tickets (what `pairsmith flag` runs).
Prints both times, the ratio (target <= 2.0 at 100,000 tickets in clusters of 1,000), the
slowest stages, what was found, and the peak RSS (target <= 4 GB). The encode runs first, so
the peak RSS printed after it is the encode's; the one printed at the end is the run's.

Measured on the shared 2-core box under load (load average 4-7), clusters of 1,000:
- 5,000 tickets, the real model: encode of the 10,000 texts 504 s, the flag pass 186 s (160 s
  of it embedding the 5,010 distinct texts), ratio 0.37, peak RSS 1.3 GB.
- --hashed-vectors (the pass without the model's cost): 20,000 tickets 83 s, 2.8 GB before the
  conflict pass stopped holding every candidate's vectors; 50,000 tickets 235 s (duplicates
  108 s, conflicts 10 s), peak RSS 1.6 GB (0.6 GB of it the model this script loads).
The encode there ran at 20-30 texts a second. On the same box with nothing else running (load
average under 0.1; the encode at about 290 texts a second), the target size:
- 100,000 tickets, the real model: encode of the 200,000 texts 694 s, the flag pass 329 s (230 s
  of it embedding the questions, in bf16; conflicts 13 s, duplicates 2 s), RATIO 0.47, peak RSS
  3.1 GB (3,135 MB). 17.4 min for the whole script. Found: 70 duplicate groups; the 1% of answers
  with the old delay in one conflict flag (this template says "it is done within ...", so every
  intent's claim has the subject "done" and they share one flag; all of them found).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
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

PRODUCTS = ["", "for my broadband plan", "on the prepaid card", "for the streaming subscription"]
OPENERS = ["", "hi, ", "hello team, ", "hey ", "good morning, ", "pls help: ", "urgent - ", "quick question: "]
CLOSERS = ["", " thanks", " thank you!", " asap", " pls", " regards, a customer", " ??", " (2nd time asking)"]


def _typo(text: str, rng: random.Random) -> str:
    """One dropped or doubled letter, as typed in a hurry."""
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]


def synth_rows(path: Path, n: int, cluster: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """n tickets (external id, question, answer) in clusters of `cluster` questions per intent."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        by_intent: dict[str, list[str]] = {}
        for r in csv.DictReader(fh):
            if r.get("utterance") and r.get("intent"):
                by_intent.setdefault(r["intent"], []).append(r["utterance"].strip())
    intents = [(i, p) for p in PRODUCTS for i in sorted(by_intent)]
    k = max(1, n // cluster)
    if k > len(intents):
        raise SystemExit(f"at most {len(intents) * cluster} tickets in clusters of {cluster}")
    rng = random.Random(seed)
    rows = []
    for ci, (intent, product) in enumerate(intents[:k]):
        words = intent.replace("_", " ")
        where = f" {product}" if product else ""
        answer = (f"Thanks for reaching out. To {words}{where}, sign in to your account, open the {words} page "
                  f"and follow the steps there; it is done within 2 business days. Reply here if anything is unclear.")
        old = answer.replace("2 business days", "5 business days")
        base = by_intent[intent]
        seen: set[str] = set()
        size = cluster if ci < k - 1 else n - cluster * (k - 1)
        tries = 0
        while len(seen) < size and tries < 50 * size:
            tries += 1
            q = rng.choice(base)
            if product:
                q = q.rstrip("?.! ") + " " + product + ("?" if q.endswith("?") else "")
            q = rng.choice(OPENERS) + q + rng.choice(CLOSERS)
            if rng.random() < 0.3:
                q = _typo(q, rng)
            if rng.random() < 0.2:
                q = q.lower()
            if q not in seen:
                seen.add(q)
        for q in sorted(seen, key=lambda _x: rng.random()):
            a = old if rng.random() < 0.01 else answer
            rows.append((f"SC-{len(rows) + 1:06d}", q, a))
    return rows


def hashed_vectors(texts, dim: int = 384):
    """Unit vectors from hashed words and character trigrams: texts sharing words are close, as
    with a model, at no model cost (for --hashed-vectors)."""
    import numpy as np

    out = np.zeros((len(texts), dim), dtype=np.float32)
    for r, t in enumerate(texts):
        low = " ".join(str(t).lower().split())
        grams = low.split() + [low[i:i + 3] for i in range(max(0, len(low) - 2))]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
            out[r, h % dim] += 1.0 if h & (1 << 31) else -1.0
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--cluster", type=int, default=1000)
    ap.add_argument("--kinds", default="", help="comma-separated kinds (default: every kind)")
    ap.add_argument("--skip-encode", action="store_true", help="only the flag pass (no ratio)")
    ap.add_argument("--hashed-vectors", action="store_true",
                    help="the flag pass embeds with hashed word and character-trigram vectors instead of the "
                         "model (no ratio): what the pass costs besides embedding, at sizes whose encode "
                         "would take hours on a small machine")
    args = ap.parse_args()
    import torch

    from engine.flags import embeddings as emb
    from engine.flags.runner import run_flags
    from engine.workspace.store import Workspace

    t = time.perf_counter()
    rows = synth_rows(args.data, args.tickets, args.cluster)
    texts = [x for _e, q, a in rows for x in (q, a)]
    print(f"{len(rows)} tickets in clusters of {args.cluster}, {len(texts)} texts, "
          f"{len({r[2] for r in rows})} distinct answers (built in {time.perf_counter() - t:.1f} s)")
    model = emb.load_model()  # loaded once, before either timing
    torch.set_num_threads(emb.default_threads())
    base = None
    if not args.skip_encode:
        base = plain_encode_seconds(texts)
        print(f"plain SentenceTransformer.encode of the texts: {base:.1f} s   (peak RSS so far {rss_mb():.0f} MB)")
    stages = Stages()

    kinds = [k for k in args.kinds.split(",") if k] or None
    if args.hashed_vectors:
        import engine.flags.runner as runner_mod

        runner_mod._embedder = lambda _ws, _progress, _cancel: hashed_vectors
        base = None
    with tempfile.TemporaryDirectory() as d:
        with Workspace.create(Path(d) / "ws") as ws:
            write_tickets(ws, rows)
            del rows, texts
            t = time.perf_counter()
            stages.start()
            counts = run_flags(ws, kinds=kinds, progress=stages)
            flag = time.perf_counter() - t
    stages.finish()
    print(f"run_flags ({'every kind' if kinds is None else ','.join(kinds)}, fresh workspace): {flag:.1f} s   "
          f"found {counts}")
    if base:
        print(f"RATIO flag pass / plain encode: {flag / base:.2f}  (target <= 2.0 at 100,000; embedding {model.precision})")
    print("  slowest stages:", stages.slowest(10))
    print(f"peak RSS {rss_mb():.0f} MB  (target <= 4096 MB)")


if __name__ == "__main__":
    main()
