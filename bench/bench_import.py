"""Benchmark: import an N-ticket messy helpdesk CSV into a fresh workspace.

Baselines measured in the same run on the same file: `pandas.read_csv` and a plain
`csv.reader` pass (reading only: no drafting, no checks, no database). Prints seconds, rows/s
and the ratio import/baseline.

    python bench/bench_import.py               # 20,000 tickets (~2 minutes at most)
    python bench/bench_import.py --rows 100000 # the full figure (~60 MB)
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.ingest.importer import import_files  # noqa: E402
from engine.workspace.store import Workspace  # noqa: E402

TOPICS = [
    ("VPN keeps disconnecting", "My VPN drops every few minutes when I work from home and I lose my Teams calls.",
     "Please update the VPN client to the latest version from the Software Center and switch the protocol to IKEv2."),
    ("Password reset", "I forgot my password and I am locked out of my laptop after three attempts.",
     "I have unlocked your account. Use the self-service portal to set a new password; it must be 14 characters."),
    ("Annual leave balance", "How many days of annual leave can I carry over to next year?",
     "You can carry over up to 5 days of annual leave; they must be used by the end of March."),
    ("Printer offline", "The printer on floor 3 says offline and nothing prints.",
     "We restarted the print server. Remove and re-add the printer \"NW-F3-01\" from Settings > Printers."),
    ("Expense claim", "Where do I submit my travel expense claim, and what is the deadline?",
     "Submit it in the finance portal under Expenses > New claim within 30 days of travel, with receipts."),
    ("New starter laptop", "A new starter joins on Monday; how do I order a laptop for her?",
     "Raise a hardware request in the portal at least 5 working days before the start date; IT will image it."),
]
NAMES = ["Priya Nair", "Tom Baker", "Ana Souza", "Li Wei", "Olu Adeyemi", "Maria Rossi", "Jonas Berg"]


def messy_question(rng: random.Random, body: str, name: str) -> str:
    parts = []
    if rng.random() < 0.5:
        parts.append(f"Hi {rng.choice(['team', 'IT', 'HR', 'there'])},\n")
    parts.append(body + " " + " ".join(rng.choice(["It started on Monday.", "This is urgent for me.",
                                                    "I already restarted it twice.", "Nobody in my team knows.",
                                                    "Can you please help?", "Thank you in advance."])
                                         for _ in range(rng.randint(1, 6))))
    if rng.random() < 0.4:
        parts.append(f"\nThanks,\n{name}\nFinance | Northwind Analytics\n+44 20 7946 {rng.randint(1000, 9999)}")
    if rng.random() < 0.2:
        parts.append("\nSent from my iPhone")
    if rng.random() < 0.15:
        parts.append("\nCONFIDENTIALITY NOTICE: This email and any attachments are confidential and intended\n"
                     "solely for the addressee. If you received it in error, delete it.")
    return "\n".join(parts)


def messy_answer(rng: random.Random, body: str, asker: str, agent: str, question: str) -> str:
    parts = [f"Hello {asker.split()[0]},\n", body, rng.choice(["", "Let me know if that does not help.",
                                                               "I have also added a note to your profile."])]
    parts.append(f"\nBest regards,\n{agent}\nIT Service Desk")
    if rng.random() < 0.3:
        parts.append("\nThis ticket has been marked as resolved. Please rate our service at https://help.example/rate")
    if rng.random() < 0.5:
        quoted = "\n".join("> " + ln for ln in question.splitlines())
        parts.append(f"\nOn Mon, 3 Mar 2025 at 10:{rng.randint(10, 59)}, {asker} <{asker.split()[0].lower()}@northwind.example> wrote:\n{quoted}")
    return "\n".join(parts)


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Ticket ID", "Subject", "Description", "Resolution", "Category", "Requester", "Agent",
                    "Created", "Status", "Priority"])
        for i in range(rows):
            subj, q, a = rng.choice(TOPICS)
            asker, agent = rng.choice(NAMES), rng.choice(NAMES)
            question = messy_question(rng, f"{q} (ref {i})", asker)
            w.writerow([f"NW-{100000 + i}", subj, question, messy_answer(rng, a, asker, agent, question),
                        rng.choice(["IT", "HR", "Finance"]), asker, agent,
                        f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 09:{rng.randint(10, 59)}",
                        "Resolved", rng.choice(["Low", "Medium", "High"])])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "tickets.csv"
        t = time.perf_counter()
        write_csv(src, args.rows)
        size_mb = src.stat().st_size / 1e6
        print(f"generated {args.rows:,} tickets, {size_mb:.1f} MB in {time.perf_counter() - t:.1f} s")

        import pandas as pd

        t = time.perf_counter()
        df = pd.read_csv(src, dtype=str, keep_default_na=False)
        t_pandas = time.perf_counter() - t
        assert len(df) == args.rows
        del df

        t = time.perf_counter()
        with open(src, newline="", encoding="utf-8") as f:
            n = sum(1 for _ in csv.DictReader(f))
        t_csv = time.perf_counter() - t
        assert n == args.rows

        phases: dict[str, float] = {}
        last = {"msg": None, "t": time.perf_counter()}

        def progress(done, total, message):
            key = message.split(" ")[0]
            now = time.perf_counter()
            if last["msg"] != key:
                if last["msg"] is not None:
                    phases[last["msg"]] = phases.get(last["msg"], 0) + now - last["t"]
                last["msg"], last["t"] = key, now

        ws = Workspace.create(tmp / "ws")
        t = time.perf_counter()
        result = import_files(ws, [src], progress=progress)
        t_import = time.perf_counter() - t
        phases[last["msg"]] = phases.get(last["msg"], 0) + time.perf_counter() - last["t"]
        assert result["imported"] == args.rows, result["imported"]
        t = time.perf_counter()
        again = import_files(ws, [src])
        t_again = time.perf_counter() - t
        assert again["imported"] == 0 and again["duplicates_skipped"] == args.rows
        ws.close()

    print(f"{'step':<32}{'seconds':>9}{'rows/s':>12}")
    for name, secs in (("pandas.read_csv (baseline)", t_pandas), ("csv.DictReader (baseline)", t_csv),
                       ("import_files (fresh workspace)", t_import), ("import_files again (all dups)", t_again)):
        print(f"{name:<32}{secs:>9.2f}{args.rows / secs:>12,.0f}")
    print("import phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in phases.items()))
    print(f"ratio import / pandas.read_csv: {t_import / t_pandas:.1f}x")
    print(f"ratio import / csv.DictReader:  {t_import / t_csv:.1f}x")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
