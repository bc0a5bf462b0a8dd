"""Shared start-up for the frozen (PyInstaller) executables.

A frozen app has no `python`: `sys.executable` is the app's own binary. The engine starts its
training/evaluation subprocesses as `[sys.executable, "-m", "engine.train", ...]`, so both
executables accept `-m MODULE ARGS...` and run that module as `python -m` would.
"""

from __future__ import annotations

import os
import runpy
import sys


def run_module_if_asked() -> bool:
    if len(sys.argv) >= 3 and sys.argv[1] == "-m":
        module = sys.argv[2]
        if not (module == "engine" or module.startswith("engine.")):
            print(f"pairsmith: refusing to run module {module!r}", file=sys.stderr)
            sys.exit(2)
        sys.argv = [sys.argv[0]] + sys.argv[3:]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return True
    return False


def prepare_environment() -> None:
    # never reach a model hub or send telemetry unless the user switched a workspace online
    from engine.workspace.security import no_telemetry_env

    for key, value in no_telemetry_env().items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
