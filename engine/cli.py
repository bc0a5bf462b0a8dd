"""The `pairsmith` command line.

Thin by design: each feature module registers its subcommands (`register(subparsers)`) and
its handlers call engine functions. Errors the user can act on print one line and exit with
their code; nothing prints a traceback unless PAIRSMITH_DEBUG=1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from typing import Any, Sequence

from .errors import PairsmithError

# Modules that add subcommands, in the order they appear in --help.
COMMAND_MODULES = [
    "engine.cli_core",
    "engine.cli_import",
    "engine.cli_flags",
    "engine.cli_redact",
    "engine.cli_train",
    "engine.cli_eval",
    "engine.cli_maint",
]


class ProgressBar:
    """Progress on stderr as a `progress(done, total, message)` callback: a redrawn bar on a
    terminal (at most ~10 redraws a second), and plain lines elsewhere (a log, CI): one when the
    message changes or every 10 s, so logs stay readable."""

    def __init__(self, label: str = "", stream=None, enabled: bool | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else True
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._last_message = None
        self._drawn = False
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty:
            if message != self._last_message or now - self._last >= 10:
                self._last, self._last_message = now, message
                self.stream.write(f"{self.label + ' ' if self.label else ''}{message} ({done}/{total})\n")
                self.stream.flush()
            return
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        width = 30
        frac = (done / total) if total else 0.0
        bar = "#" * int(frac * width)
        eta = ""
        if 0 < done < total:
            elapsed = now - self.started
            eta = f" eta {elapsed / done * (total - done):.0f}s"
        text = f"{self.label} [{bar:<{width}}] {done}/{total}{eta} {message}"[:100]
        self.stream.write("\r" + text.ljust(100))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def emit(obj: Any, as_json: bool, text: str | None = None) -> None:
    """Print a result: JSON when asked, else the given text (or JSON if none)."""
    if as_json or text is None:
        print(json.dumps(obj, ensure_ascii=False, indent=None if as_json else 2, default=str))
    else:
        print(text)


def open_ws(path: str):
    from .store import Workspace

    return Workspace.open(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pairsmith",
        description="Turn helpdesk tickets into clean fine-tuning pairs, train and evaluate a model.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .security import apply_to_process

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
