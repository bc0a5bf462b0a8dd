"""Shared helpers for the training tests: a small workspace with a frozen version, CLI capture."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from pathlib import Path

TOPICS = ["annual leave", "the VPN", "payroll", "my password", "expense claims", "the printer",
          "remote work", "parental leave"]


def pairs(n: int = 40) -> list[dict]:
    out = []
    for i in range(n):
        t = TOPICS[i % len(TOPICS)]
        out.append({
            "instruction": f"How do I sort out {t}? (ticket {i})",
            "response": f"For {t}, open the portal and choose {t}. It takes {i % 5 + 1} days.",
            "split": "heldout" if i % 6 == 0 else "train",
        })
    return out


def make_workspace(root: Path, n: int = 40, *, version: bool = True) -> Path:
    """A workspace with n approved pairs and (unless version=False) a frozen version, inserted
    directly so the tests do not depend on the split algorithm."""
    from engine.workspace.store import Workspace

    ws = Workspace.create(root)
    now = dt.datetime.now().replace(microsecond=0)
    with ws.transaction():
        ids = []
        for p in pairs(n):
            ids.append(ws.scalar(
                "INSERT INTO pairs (instruction, response, status, created_at) VALUES (?, ?, 'approved', ?) RETURNING id",
                [p["instruction"], p["response"], now]))
        if version:
            vid = ws.scalar("INSERT INTO dataset_versions (name, created_at, seed, holdout) VALUES ('t', ?, 0, 0.2) "
                            "RETURNING id", [now])
            for pid, p in zip(ids, pairs(n)):
                ws.execute("INSERT INTO dataset_items VALUES (?, ?, ?, ?, ?, 0)",
                           [vid, pid, p["split"], p["instruction"], p["response"]])
    ws.close()
    return root


def cli(*argv: str) -> tuple[int, str, str]:
    """Run `pairsmith ARGV` in this process; returns (exit code, stdout, stderr)."""
    from engine.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def environ(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
