"""Benchmark: a Zendesk NDJSON export (N tickets, 5 comments each: the question, an internal
note, a public reply, a follow-up, the resolving reply) against today's flat CSV import of N
tickets, measured in the same run. Each import runs in its own process on a fresh workspace so
its peak memory (max RSS) is its own.

    python bench/bench_import_helpdesk.py                # 20,000 tickets
    python bench/bench_import_helpdesk.py --rows 100000  # the issue's figure

Prints seconds (wall and the import's CPU time: on a shared machine the load can change between
the two arms, which moves the wall-clock ratio but hardly the CPU one), tickets/s, peak RSS and the
ratios helpdesk / flat CSV (target: <= 3x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TOPICS = [
    ("Parental leave", "How much paid parental leave do I get on the full-time contract?",
     "On the full-time contract you get 18 weeks at full pay once probation is over; send the form 8 weeks ahead."),
    ("Wifi certificate", "My laptop will not join the staff wifi since yesterday.",
     "Your wifi certificate expired: run 'Renew wifi certificate' in Company Portal and restart."),
    ("Tax code", "My payslip shows the wrong tax table for where I live.",
     "Check your registered address with the tax agency; payroll picks up the new table on the next run."),
    ("Badge", "My door badge stopped working at the back entrance.",
     "Hold it flat on the reader for two seconds; if the light stays red, bring it to reception for a re-sync."),
    ("Expenses", "Can I claim the hotel for the conference?",
     "Yes, up to the country limit per night; the part above it needs your manager's approval in the same claim."),
]


def write_zendesk(path: Path, rows: int, seed: int = 11) -> None:
    """The requester's question and the resolving reply are as messy as the flat CSV's (greetings,
    signatures, disclaimers, quoted replies: bench_import.messy_question / messy_answer)."""
    from bench_import import NAMES, messy_answer, messy_question

    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            subj, q, a = rng.choice(TOPICS)
            asker, helper = rng.choice(NAMES), rng.choice(NAMES)
            question = messy_question(rng, f"{q} (ref {i})", asker)
            answer = messy_answer(rng, a, asker, helper, question)
            req, agent = 360000 + rng.randint(0, 5000), 377000 + rng.randint(0, 40)
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            follow = rng.choice(["I tried that and it still does not work.", "Which form exactly?",
                                 "Does that also apply to part-time staff?", "It is urgent, my manager asked."])

            def c(cid, author, body, hh, public=True):
                return {"id": 10_000_000 + i * 10 + cid, "type": "Comment", "author_id": author, "body": body,
                        "html_body": f"<div class=\"zd-comment\"><p>{body}</p></div>", "plain_body": body,
                        "public": public, "attachments": [], "audit_id": 20_000_000 + i * 10 + cid,
                        "via": {"channel": "email"}, "created_at": f"{day}T{hh}:00:00Z"}

            t = {"url": f"https://example.zendesk.com/api/v2/tickets/{i + 1}.json", "id": i + 1,
                 "via": {"channel": "email"}, "created_at": f"{day}T08:00:00Z", "updated_at": f"{day}T16:00:00Z",
                 "type": "question", "subject": subj, "raw_subject": subj,
                 "description": question, "priority": "normal", "status": "solved",
                 "requester_id": req, "submitter_id": req, "assignee_id": agent, "tags": ["hr"],
                 "comments": [c(1, req, question, "08"),
                              c(2, agent, "Checked the HR system; contract type confirmed.", "09", public=False),
                              c(3, agent, "Hello,\n\nCould you confirm your contract type?\n\nBest regards,\nDesk", "10"),
                              c(4, req, follow, "11"),
                              c(5, agent, answer, "12")]}
            f.write(json.dumps(t) + "\n")


def run_one(kind: str, src: str, ws_dir: str) -> None:
    """In a child process: import one file, print JSON {seconds, imported, maxrss_mb}."""
    from engine.ingest.importer import import_files
    from engine.workspace.store import Workspace

    ws = Workspace.create(ws_dir)
    t, c = time.perf_counter(), _cpu()
    res = import_files(ws, [src])
    secs, cpu = time.perf_counter() - t, _cpu() - c
    ws.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"kind": kind, "seconds": secs, "cpu_seconds": cpu, "imported": res["imported"],
                      "shape": res["shape"],
                      "errors": len(res["errors"]), "maxrss_mb": rss}))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def child(kind: str, src: Path, ws_dir: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(src), str(ws_dir)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--child", nargs=3, metavar=("KIND", "SRC", "WS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_one(*args.child)
        return
    from bench_import import write_csv

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        flat, zd = tmp / "tickets.csv", tmp / "zendesk_tickets.json"
        t = time.perf_counter()
        write_csv(flat, args.rows)
        write_zendesk(zd, args.rows)
        print(f"generated {args.rows:,} flat tickets ({flat.stat().st_size / 1e6:.0f} MB) and {args.rows:,} Zendesk "
              f"tickets with 5 comments ({zd.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
        base = child("flat CSV", flat, tmp / "ws_csv")
        hd = child("Zendesk NDJSON", zd, tmp / "ws_zd")
    assert base["imported"] == args.rows, base
    assert hd["imported"] == args.rows and hd["shape"] == "helpdesk", hd
    print(f"{'import':<24}{'seconds':>9}{'CPU s':>8}{'tickets/s':>12}{'peak RSS MB':>13}")
    for r in (base, hd):
        print(f"{r['kind']:<24}{r['seconds']:>9.1f}{r['cpu_seconds']:>8.1f}{args.rows / r['seconds']:>12,.0f}"
              f"{r['maxrss_mb']:>13,.0f}")
    print(f"ratio Zendesk NDJSON / flat CSV: {hd['seconds'] / base['seconds']:.2f}x wall (target <= 3x), "
          f"{hd['cpu_seconds'] / base['cpu_seconds']:.2f}x CPU time (steadier on a shared machine)")
    print(f"peak memory ratio: {hd['maxrss_mb'] / base['maxrss_mb']:.2f}x")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
