"""Fixtures and helpers for the desktop tests (import the fixtures into a test module:
`from desktop_helpers import ctx, window, fill_pairs, ...`).

Every test gets its own QSettings INI file (never the user's settings) and its own workspace;
the worker is shut down at the end so the DuckDB file is closed.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path):
    from desktop.settings import Settings

    s = Settings(tmp_path / "settings.ini")
    s.set("review/autosave_ms", 150)  # the default is 600; tests wait less
    s.set("review/search_debounce_ms", 50)
    s.set("review/flag_refresh_idle_ms", 100)
    return s


@contextmanager
def app_context(settings, ws_path: Path, fill=None):
    """An AppContext (dialogs off) with a new workspace at ws_path, filled by fill(ws) on the
    worker; the worker is shut down on leaving so the DuckDB file is closed."""
    from desktop.context import AppContext

    c = AppContext(settings, show_dialogs=False)
    c.open_workspace(str(ws_path), create=True)
    assert c.worker.wait_idle(30)
    assert c.workspace_path
    if fill is not None:
        c.worker.run_sync(fill)
    try:
        yield c
    finally:
        c.worker.shutdown()


@pytest.fixture
def ctx(qtbot, tmp_path, settings):
    """An AppContext with an open, empty workspace at tmp_path/ws (dialogs off)."""
    with app_context(settings, tmp_path / "ws") as c:
        yield c


@pytest.fixture
def window(qtbot, ctx):
    from desktop.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    ctx.sig_workspace_opened.emit(ctx.workspace_path)  # the window missed the first one
    ctx.worker.wait_idle(10)
    return w


def fill_pairs(ws, n: int, *, start: int = 0) -> None:
    """n tickets and pairs in one SQL statement each (fast even for 1,000,000). Pair i+1 is
    ticket T-(1000+i); every 5th pair is approved, every 11th rejected."""
    with ws.transaction():
        ws.execute(
            f"""INSERT INTO tickets (id, source_id, line, external_id, subject, question, answer, content_hash)
                SELECT i + 1, 1, i + 2, 'T-' || (1000 + i), 'Subject ' || (i % 97),
                       'Raw question ' || i || ' about the VPN error ' || (i % 313),
                       'Raw answer ' || i || '. Regards, Anna', md5(i::VARCHAR)
                FROM range({start}, {start + n}) r(i)"""
        )
        ws.execute(
            f"""INSERT INTO pairs (id, ticket_id, instruction, response, status, origin, created_at)
                SELECT i + 1, i + 1, 'Question ' || i || ' about the VPN error ' || (i % 313),
                       'Answer ' || i || ': reset the VPN profile.',
                       CASE WHEN i % 5 = 0 THEN 'approved' WHEN i % 11 = 0 THEN 'rejected' ELSE 'new' END,
                       'import', now()
                FROM range({start}, {start + n}) r(i)"""
        )
        # keep the sequences past the ids we wrote, so add_pair and imports do not collide
        ws.execute(f"SELECT nextval('pair_seq') FROM range({start + n})")
        ws.execute(f"SELECT nextval('ticket_seq') FROM range({start + n})")


def add_flag(ws, pair_ids: list[int], kind: str = "tone", severity: str = "medium",
             explanation: str = "The answer is curt.") -> int:
    return int(ws.scalar(
        "INSERT INTO flags (kind, severity, pair_ids, explanation) VALUES (?, ?, ?, ?) RETURNING id",
        [kind, severity, pair_ids, explanation],
    ))


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


HOLD_LOCK = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.read()
    """
)


class LockHolder:
    """Another process holding the workspace's DuckDB file open (as a second app would)."""

    def __init__(self, ws_root: Path):
        from engine.workspace.store import DB_NAME

        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(Path(ws_root) / DB_NAME)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline()
        assert line.strip() == "locked", line

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(10)


@pytest.fixture
def lock_holder():
    holders: list[LockHolder] = []

    def hold(root) -> LockHolder:
        h = LockHolder(root)
        holders.append(h)
        return h

    yield hold
    for h in holders:
        h.release()
