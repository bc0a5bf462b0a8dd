"""The `pairsmith` command line.

Thin by design: each feature module registers its subcommands (`register(subparsers)`) and
its handlers call engine functions. Errors the user can act on print one line and exit with
their code; nothing prints a traceback unless PAIRSMITH_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from engine.cli import core, evaluate, flags, ingest, maint, privacy, train
from engine.workspace.errors import PairsmithError

# Modules that add subcommands, in the order they appear in --help.
COMMAND_MODULES = (core, ingest, flags, privacy, train, evaluate, maint)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairsmith",
        description="Turn helpdesk tickets into clean fine-tuning pairs, train and evaluate a model.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from engine.workspace.security import apply_to_process

    apply_to_process()  # no telemetry, no hub calls (before any HF library is imported)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        result = args.func(args)
        return int(result or 0)
    except PairsmithError as exc:
        print(f"pairsmith: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pairsmith: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `pairsmith pairs WS | head`: the reader is gone; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not complain again
        return 141  # 128 + SIGPIPE, as shell tools end
    except Exception as exc:  # a bug: one clear line, the traceback only when debugging
        if os.environ.get("PAIRSMITH_DEBUG"):
            raise
        print(f"pairsmith: unexpected error: {type(exc).__name__}: {exc} (set PAIRSMITH_DEBUG=1 for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
