"""A worker that does one kind of workspace operation in a loop until it is killed.

    python tests/crash_worker.py MODE WORKSPACE SEED [FILES...]

MODE: import | edit | split | flag. It prints `READY` once the workspace is open, then for each
operation a `BEGIN {json}` line before it starts and a `COMMIT {json}` line after its transaction
committed (stdout is flushed each time), so the test that SIGKILLs it knows what must be in the
workspace (everything committed) and what may or may not be (the one operation in flight).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def say(kind: str, **obj) -> None:
    sys.stdout.write(f"{kind} {json.dumps(obj, sort_keys=True)}\n")
    sys.stdout.flush()


def values(ws, ids):
    rows = ws.query("SELECT id, instruction, response, status FROM pairs WHERE list_contains(?, id)", [list(ids)])
    return {str(r["id"]): {"instruction": r["instruction"], "response": r["response"], "status": r["status"]}
            for r in rows}


def do_import(ws, rng, files):
    from engine.ingest.importer import import_files

    for f in files:
        say("BEGIN", op="import", file=Path(f).name)
        res = import_files(ws, [f])
        say("COMMIT", op="import", file=Path(f).name, imported=res["imported"], errors=len(res["errors"]))


def do_edit(ws, rng, _files):
    from engine.review import pairs

    ids = [r[0] for r in ws.execute("SELECT id FROM pairs ORDER BY id").fetchall()]
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.7:
            chosen = rng.sample(ids, rng.randint(1, 3))
            field = rng.choice(["instruction", "response", "status"])
            value = rng.choice(["new", "approved", "rejected"]) if field == "status" else \
                f"{field} edit {n} seed {rng.random():.6f} " + "x" * rng.randint(0, 400)
            say("BEGIN", op="update", ids=chosen, field=field, value=value)
            change = pairs.update_pairs(ws, chosen, **{field: value})
            say("COMMIT", op="update", ids=chosen, field=field, change_id=change, values=values(ws, chosen))
        else:
            pid = rng.choice(ids)
            op = "undo" if roll < 0.9 else "redo"
            say("BEGIN", op=op, ids=[pid])
            res = pairs.undo(ws, pid) if op == "undo" else pairs.redo(ws, pid)
            say("COMMIT", op=op, ids=[pid], change_id=res["change_id"] if res else None, values=values(ws, [pid]))


def do_split(ws, rng, _files):
    from engine.dataset.split import freeze

    n = 0
    while True:
        n += 1
        seed = rng.randint(0, 10_000)
        say("BEGIN", op="split", seed=seed)
        res = freeze(ws, holdout=rng.choice([0.15, 0.2]), seed=seed, name=f"crash-{n}")
        say("COMMIT", op="split", version_id=res["version_id"], train=res["train"], heldout=res["heldout"])


FLAG_KINDS = ["pii", "tone", "needs_context"]


def do_flag(ws, rng, _files):
    from engine.flags.runner import list_flags, resolve_flag, run_flags

    kinds = FLAG_KINDS
    while True:
        say("BEGIN", op="flag")
        counts = run_flags(ws, kinds=kinds)
        say("COMMIT", op="flag", counts=counts)
        open_flags = list_flags(ws, status="open")
        if open_flags:
            flag = rng.choice(open_flags)
            say("BEGIN", op="dismiss", flag_id=flag["id"])
            resolve_flag(ws, flag["id"], dismiss=True)
            say("COMMIT", op="dismiss", flag_id=flag["id"])


MODES = {"import": do_import, "edit": do_edit, "split": do_split, "flag": do_flag}


def main() -> int:
    mode, root, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = sys.argv[4:]
    from engine.workspace.store import Workspace

    rng = random.Random(seed)
    ws = Workspace.open(root)
    if mode == "flag":
        # the first pass loads the detectors' lazy imports (seconds); the kills go into later passes
        from engine.flags.runner import run_flags

        say("BEGIN", op="flag")
        say("COMMIT", op="flag", counts=run_flags(ws, kinds=FLAG_KINDS))
    say("READY", pid=__import__("os").getpid())
    MODES[mode](ws, rng, files)
    ws.close()
    say("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
