"""The workspace: a folder with one DuckDB file (the source of truth) and a `runs/` folder.

DuckDB allows one writer process, so one `Workspace` object owns the connection; in the desktop
app a single worker thread owns it. Every change is a short transaction (`with ws.transaction():`);
an import commits in steps between a pending mark and its final step (begin_import).
Opening an older workspace migrates it in order, after a backup copy of the file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator

import duckdb

from engine.workspace.errors import WorkspaceCorrupt, WorkspaceError, WorkspaceLocked, WorkspaceNotFound

DB_NAME = "pairsmith.duckdb"
RUNS_DIR = "runs"
BACKUP_DIR = "backups"
MAX_BACKUPS = 5


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


# --- schema -----------------------------------------------------------------------------------
# Each migration is a list of SQL statements; migration N brings the schema to version N.
# Append new migrations; never edit one that has shipped.
MIGRATIONS: list[list[str]] = [
    # 1: the whole first schema
    [
        "CREATE SEQUENCE IF NOT EXISTS source_seq",
        "CREATE SEQUENCE IF NOT EXISTS ticket_seq",
        "CREATE SEQUENCE IF NOT EXISTS pair_seq",
        "CREATE SEQUENCE IF NOT EXISTS history_seq",
        "CREATE SEQUENCE IF NOT EXISTS flag_seq",
        "CREATE SEQUENCE IF NOT EXISTS version_seq",
        "CREATE SEQUENCE IF NOT EXISTS eval_seq",
        "CREATE SEQUENCE IF NOT EXISTS rating_seq",
        """CREATE TABLE settings (key VARCHAR PRIMARY KEY, value JSON)""",
        """CREATE TABLE sources (
            id INTEGER PRIMARY KEY DEFAULT nextval('source_seq'),
            name VARCHAR NOT NULL, path VARCHAR, sha256 VARCHAR NOT NULL, format VARCHAR,
            mapping JSON, imported_at TIMESTAMP, rows_imported INTEGER, rows_skipped INTEGER,
            errors JSON)""",
        """CREATE TABLE tickets (
            id INTEGER PRIMARY KEY DEFAULT nextval('ticket_seq'),
            source_id INTEGER, line INTEGER, external_id VARCHAR, subject VARCHAR,
            question VARCHAR, answer VARCHAR, created_at VARCHAR, extra JSON,
            content_hash VARCHAR NOT NULL)""",
        "CREATE INDEX tickets_hash ON tickets(content_hash)",
        """CREATE TABLE pairs (
            id INTEGER PRIMARY KEY DEFAULT nextval('pair_seq'),
            ticket_id INTEGER, instruction VARCHAR NOT NULL, response VARCHAR NOT NULL,
            status VARCHAR NOT NULL DEFAULT 'new', origin VARCHAR NOT NULL DEFAULT 'import',
            created_at TIMESTAMP, updated_at TIMESTAMP, updated_by VARCHAR)""",
        """CREATE TABLE pair_history (
            id INTEGER PRIMARY KEY DEFAULT nextval('history_seq'),
            change_id INTEGER NOT NULL, pair_id INTEGER NOT NULL, field VARCHAR NOT NULL,
            old_value VARCHAR, new_value VARCHAR, changed_at TIMESTAMP, changed_by VARCHAR,
            undone BOOLEAN NOT NULL DEFAULT FALSE)""",
        "CREATE INDEX history_pair ON pair_history(pair_id)",
        """CREATE TABLE embeddings (
            model VARCHAR NOT NULL, text_hash VARCHAR NOT NULL, vector FLOAT[],
            PRIMARY KEY (model, text_hash))""",
        """CREATE TABLE flags (
            id INTEGER PRIMARY KEY DEFAULT nextval('flag_seq'),
            kind VARCHAR NOT NULL, severity VARCHAR NOT NULL, score DOUBLE,
            pair_ids INTEGER[] NOT NULL, explanation VARCHAR NOT NULL, details JSON,
            status VARCHAR NOT NULL DEFAULT 'open', fingerprint VARCHAR,
            created_at TIMESTAMP, resolved_at TIMESTAMP, resolution JSON)""",
        """CREATE TABLE pii_map (
            placeholder VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, original VARCHAR NOT NULL,
            created_at TIMESTAMP)""",
        """CREATE TABLE dataset_versions (
            id INTEGER PRIMARY KEY DEFAULT nextval('version_seq'),
            name VARCHAR, created_at TIMESTAMP, seed INTEGER, holdout DOUBLE,
            stats JSON, warnings JSON)""",
        """CREATE TABLE dataset_items (
            version_id INTEGER NOT NULL, pair_id INTEGER NOT NULL, split VARCHAR NOT NULL,
            instruction VARCHAR NOT NULL, response VARCHAR NOT NULL, cluster INTEGER)""",
        """CREATE TABLE runs (
            id VARCHAR PRIMARY KEY, version_id INTEGER, base_model VARCHAR, preset VARCHAR,
            config JSON, status VARCHAR, created_at TIMESTAMP, finished_at TIMESTAMP,
            adapter_path VARCHAR, metrics JSON)""",
        """CREATE TABLE evaluations (
            id INTEGER PRIMARY KEY DEFAULT nextval('eval_seq'),
            run_id VARCHAR, created_at TIMESTAMP, report JSON)""",
        """CREATE TABLE ratings (
            id INTEGER PRIMARY KEY DEFAULT nextval('rating_seq'),
            question VARCHAR, answer_a VARCHAR, answer_b VARCHAR, model_a VARCHAR,
            model_b VARCHAR, choice VARCHAR, created_at TIMESTAMP)""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

_LOCK_RE = re.compile(r"(?:PID|pid)\s*(\d+)")


def _restrict(path: Path) -> None:
    """Workspace files hold personal data: readable by the owner only."""
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


_BLOCK_START = 3 * 4096  # one main and two database headers
_INVALID = (1 << 64) - 1


def _truncation(db: Path) -> str | None:
    """A reason when the DuckDB file has been cut short (a half-copied file, a full disk).
    DuckDB itself opens such a file and only fails when a query reaches the missing blocks.
    The file is a 12 KiB header (one main and two database headers) followed by whole blocks.

    A file that ends inside a block is not always damaged: a process killed while DuckDB
    extends the file leaves the block it was writing half written (Linux stops a large write at
    a page boundary when the process gets SIGKILL), and that block belongs to a checkpoint whose
    header was never written. So the tail counts as damage only when the newest header still
    uses a block from the cut one on: blocks below its block count that are not in its free
    list. The header's block count alone is not a bound: a checkpoint truncates free blocks off
    the end of the file without lowering it (seen on healthy workspaces: 7,876,608 bytes on disk
    while the header counted 8,400,896), which is why the free list is read."""
    import struct

    try:
        size = db.stat().st_size
        with open(db, "rb") as f:
            head = f.read(_BLOCK_START)
    except OSError:
        return None  # let the connect report it
    if len(head) < _BLOCK_START:
        return f"the file is truncated ({size} bytes)" if size else "the file is empty"
    if head[8:12] != b"DUCK":
        return None  # DuckDB gives its own message
    best = None
    for off in (4096, 8192):
        _, iteration, _meta, free_list, blocks, block_size = struct.unpack_from("<6Q", head, off)
        if best is None or iteration > best[0]:
            best = (iteration, free_list, blocks, block_size)
    _, free_list, blocks, block_size = best
    if not (4096 <= block_size <= 1 << 30 and block_size & (block_size - 1) == 0):
        return None  # a layout this check does not know: leave it to DuckDB
    if not (size - _BLOCK_START) % block_size:
        return None
    whole = (size - _BLOCK_START) // block_size
    cut = f"the file is truncated: {size:,} bytes ends inside a {block_size:,}-byte block"
    if blocks <= whole:
        return None  # the cut block is past every block the last checkpoint wrote: an unfinished write
    try:
        free = _free_blocks(db, free_list, block_size, size, blocks)
    except (OSError, ValueError):
        return cut
    if all(b in free for b in range(whole, blocks)):
        return None  # every block from the cut one on is free: an unfinished write of a free block
    return cut


def _free_blocks(db: Path, pointer: int, block_size: int, size: int, blocks: int) -> set[int]:
    """The free list of a DuckDB file, read from the metadata chain its header points at: a
    count, then that many block ids. Metadata lives in 64 sub-blocks per block, after the
    block's 8-byte checksum; each sub-block starts with the pointer to the next one (-1: last).
    ValueError when the chain leaves the file or does not hold a plausible list."""
    import struct

    if pointer == _INVALID:
        return set()
    sub = (block_size - 8) // 64 // 8 * 8
    data, seen, count = bytearray(), set(), None
    with open(db, "rb") as f:
        while count is None or len(data) < 8 + 8 * count:
            if pointer == _INVALID:
                raise ValueError("free list ends early")
            block, index = pointer & ((1 << 56) - 1), pointer >> 56
            at = _BLOCK_START + block * block_size + 8 + index * sub
            if index >= 64 or pointer in seen or at + sub > size:
                raise ValueError("bad metadata pointer")
            seen.add(pointer)
            f.seek(at)
            chunk = f.read(sub)
            data += chunk[8:]
            pointer = struct.unpack_from("<Q", chunk, 0)[0]
            if count is None:
                (count,) = struct.unpack_from("<Q", data, 0)
                if count > blocks:
                    raise ValueError("implausible free list")
    free = set(struct.unpack_from(f"<{count}q", data, 8))
    if any(not 0 <= b < blocks for b in free):
        raise ValueError("implausible free list")
    return free


def _corrupt(root: Path, reason: str) -> WorkspaceCorrupt:
    """The error for a damaged workspace file: what happened and the newest backup to restore."""
    backups = list_backups(root)
    text = f"The workspace file {root / DB_NAME} is damaged and cannot be opened ({reason})."
    if backups:
        when = _dt.datetime.fromtimestamp(backups[0].stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        text += (f" The newest automatic backup is {backups[0]} (from {when}); restore it with "
                 f"`pairsmith restore {root}` (the damaged file is kept beside it).")
    else:
        text += " There is no backup to restore; keep the file and ask for help."
    return WorkspaceCorrupt(text, backups=backups)


class Workspace:
    """One open workspace. Not thread-safe by design: give it to one thread (or worker)."""

    def __init__(self, root: Path, con: duckdb.DuckDBPyConnection):
        self.root = root
        self.con = con
        self._tx_depth = 0
        self._owner = threading.get_ident()

    # --- opening ----------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | os.PathLike) -> "Workspace":
        root = Path(root)
        if (root / DB_NAME).exists():
            return cls.open(root)
        root.mkdir(parents=True, exist_ok=True)
        (root / RUNS_DIR).mkdir(exist_ok=True)
        _restrict(root)
        ws = cls._connect(root)
        ws._migrate()
        _restrict(root / DB_NAME)
        return ws

    @classmethod
    def open(cls, root: str | os.PathLike, *, migrate: bool = True) -> "Workspace":
        root = Path(root)
        if not (root / DB_NAME).exists():
            raise WorkspaceNotFound(
                f"{root} is not a Pairsmith workspace (no {DB_NAME}); create one with `pairsmith init {root}`"
            )
        ws = cls._connect(root)
        try:
            if migrate:
                ws._migrate()
                discard_pending_import(ws)  # an import killed midway: its committed steps go
        except duckdb.Error as exc:  # damaged tables/metadata that the connect did not touch
            with contextlib.suppress(Exception):
                ws.con.close()
            raise _corrupt(root, str(exc).splitlines()[0]) from None
        except BaseException:
            with contextlib.suppress(Exception):
                ws.con.close()
            raise
        (root / RUNS_DIR).mkdir(exist_ok=True)
        _restrict(root / RUNS_DIR)
        if migrate:
            # at most one automatic copy a day; a full disk must not stop the user opening the workspace
            with contextlib.suppress(OSError, duckdb.Error):
                backup_daily(ws)
        return ws

    @classmethod
    def _connect(cls, root: Path) -> "Workspace":
        db = root / DB_NAME
        truncated = _truncation(db)
        if truncated:
            raise _corrupt(root, truncated)
        try:
            con = duckdb.connect(str(db))
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                m = _LOCK_RE.search(text)
                who = f" (process {m.group(1)})" if m else ""
                raise WorkspaceLocked(
                    f"The workspace {root} is open in another Pairsmith window or command{who}; close it there first."
                ) from None
            raise _corrupt(root, text.splitlines()[0]) from None
        except duckdb.Error as exc:
            raise _corrupt(root, str(exc).splitlines()[0]) from None
        return cls(root, con)

    def close(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.execute("CHECKPOINT")
            self.con.close()
            self.con = None  # type: ignore[assignment]

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- paths ------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def runs_dir(self) -> Path:
        return self.root / RUNS_DIR

    # --- schema -----------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchone()[0]
        if not exists:
            return 0
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"The workspace {self.root} was written by a newer Pairsmith (schema {current} > {SCHEMA_VERSION}); update Pairsmith."
            )
        if current == SCHEMA_VERSION:
            return
        if current > 0:
            # an existing workspace: keep a copy of the file before changing its schema
            self.con.execute("CHECKPOINT")
            backup(self.root, reason=f"before-migration-v{current}-to-v{SCHEMA_VERSION}", con=self.con)
        with self.transaction():
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)"
            )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    self.con.execute(statement)
                self.con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, _now()])

    # --- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short transaction; nested uses join the outer one."""
        if self._tx_depth:
            self._tx_depth += 1
            try:
                yield self.con
            finally:
                self._tx_depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._tx_depth = 1
        try:
            yield self.con
        except BaseException:
            self._tx_depth = 0
            with contextlib.suppress(Exception):
                self.con.execute("ROLLBACK")
            raise
        else:
            self._tx_depth = 0
            self.con.execute("COMMIT")

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        """Rows as dicts."""
        cur = self.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    @contextlib.contextmanager
    def registered(self, name: str, table: Any) -> Iterator[str]:
        """Make an Arrow table (or DataFrame) readable by `name` in SQL for the block, then drop it.

        DuckDB refuses `register` while an earlier result on the connection is not fetched to the
        end (after a `fetchone()`, say), so that result is finished first. Every engine module that
        joins against a Python-side table goes through here."""
        self.con.execute("SELECT 1").fetchall()
        self.con.register(name, table)
        try:
            yield name
        finally:
            self.con.unregister(name)

    def finish_pending(self) -> None:
        """Finish any half-read result on the connection (before `con.sql` relation queries)."""
        self.con.execute("SELECT 1").fetchall()

    def scalar(self, sql: str, params: Any = None) -> Any:
        # fetchall, not fetchone: DuckDB keeps a half-read result open, which blocks con.register()
        rows = self.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    # --- settings ---------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            self.con.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, json.dumps(value)]
            )

    # --- counts for status bars and the demo ------------------------------------------------
    def counts(self) -> dict[str, int]:
        row = self.con.execute(
            """SELECT count(*),
                      count(*) FILTER (WHERE status = 'new'),
                      count(*) FILTER (WHERE status = 'approved'),
                      count(*) FILTER (WHERE status = 'rejected')
               FROM pairs"""
        ).fetchone()
        flags = self.scalar("SELECT count(*) FROM flags WHERE status = 'open'")
        tickets = self.scalar("SELECT count(*) FROM tickets")
        return {
            "tickets": int(tickets),
            "pairs": int(row[0]),
            "new": int(row[1]),
            "approved": int(row[2]),
            "rejected": int(row[3]),
            "open_flags": int(flags),
        }


# --- a staged import ------------------------------------------------------------------------
# An import writes and commits its new rows in steps (engine.ingest.importer), so that DuckDB
# never holds a whole large export in one uncommitted transaction. Before its first step it
# records a mark: the highest source, ticket and pair ids then. Its final step removes the mark
# in the same transaction as its last changes; a mark that is still there means the import did
# not finish (it failed, was cancelled, or the process was killed), and every row above the
# mark is that import's, to be removed.
PENDING_IMPORT = "import_pending"


def begin_import(ws: Workspace) -> dict[str, int]:
    """Record the pending mark (committed) and return it; a mark left by an unfinished import is
    cleaned up first."""
    discard_pending_import(ws)
    with ws.transaction():
        row = ws.con.execute(
            """SELECT (SELECT coalesce(max(id), 0) FROM sources), (SELECT coalesce(max(id), 0) FROM tickets),
                      (SELECT coalesce(max(id), 0) FROM pairs)""").fetchone()
        mark = {"source_after": int(row[0]), "ticket_after": int(row[1]), "pair_after": int(row[2])}
        ws.con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [PENDING_IMPORT, json.dumps(mark)])
    return mark


def end_import(ws: Workspace) -> None:
    """Inside the import's final transaction: the import is complete."""
    ws.con.execute("DELETE FROM settings WHERE key = ?", [PENDING_IMPORT])


def discard_pending_import(ws: Workspace) -> bool:
    """Remove every row an unfinished import added (pairs, their history and flags, tickets and
    sources above its mark) and the mark, in one transaction. True when there was one."""
    mark = ws.get_setting(PENDING_IMPORT)
    if mark is None:
        return False
    p, t, s = int(mark["pair_after"]), int(mark["ticket_after"]), int(mark["source_after"])
    with ws.transaction():
        ws.con.execute("DELETE FROM pair_history WHERE pair_id > ?", [p])
        ws.con.execute("DELETE FROM flags WHERE list_max(pair_ids) > ?", [p])
        ws.con.execute("DELETE FROM pairs WHERE id > ? OR ticket_id > ?", [p, t])
        ws.con.execute("DELETE FROM tickets WHERE id > ?", [t])
        ws.con.execute("DELETE FROM sources WHERE id > ?", [s])
        end_import(ws)
    return True


# --- backups --------------------------------------------------------------------------------
def list_backups(root: str | os.PathLike) -> list[Path]:
    """Backups of the workspace file, newest first."""
    folder = Path(root) / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)


def backup(root: str | os.PathLike, *, reason: str = "daily", con: duckdb.DuckDBPyConnection | None = None,
           keep: int = MAX_BACKUPS) -> Path:
    """Copy the workspace file into backups/ (keeping the newest `keep`). Returns the copy's path."""
    root = Path(root)
    folder = root / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    _restrict(folder)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stamp}-{reason}.duckdb"
    if con is not None:
        con.execute("CHECKPOINT")
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(root / DB_NAME, tmp)
    os.replace(tmp, target)
    _restrict(target)
    for old in list_backups(root)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def backup_daily(ws: Workspace) -> Path | None:
    """At most one automatic backup a day."""
    today = _dt.date.today().strftime("%Y%m%d")
    if any(p.name.startswith(today) for p in list_backups(ws.root)):
        return None
    return backup(ws.root, reason="daily", con=ws.con)


def restore_backup(root: str | os.PathLike, backup_path: str | os.PathLike) -> Path:
    """Put a backup in place of the workspace file; the damaged file is kept beside it."""
    root = Path(root)
    db = root / DB_NAME
    if db.exists():
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        os.replace(db, root / f"{DB_NAME}.damaged-{stamp}")
    wal = root / (DB_NAME + ".wal")
    if wal.exists():
        os.replace(wal, root / f"{DB_NAME}.wal.damaged")
    shutil.copyfile(backup_path, db)
    _restrict(db)
    return db

