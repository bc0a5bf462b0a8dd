"""`python -m engine.train RUN_DIR [--resume]`: train one prepared run folder (see trainer.py)."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.train",
                                     description="Train a prepared Pairsmith run folder; prints JSON events.")
    parser.add_argument("run_dir")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Events own the real stdout; everything else written to stdout (library prints, native code)
    # is sent to stderr, so a reader of stdout sees only JSON lines.
    sys.stdout.flush()
    events = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from engine.train.trainer import main as run_main

    return run_main(args.run_dir, resume=args.resume, stream=events)


if __name__ == "__main__":
    sys.exit(main())
