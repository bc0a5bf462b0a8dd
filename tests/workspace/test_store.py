import os
import stat
import subprocess
import sys

import duckdb
import pytest

from engine.workspace import store
from engine.workspace.errors import WorkspaceCorrupt, WorkspaceLocked, WorkspaceNotFound
from engine.workspace.store import Workspace


def test_create_makes_folder_db_and_runs(tmp_path):
    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        assert ws.schema_version() == store.SCHEMA_VERSION
        assert (root / store.DB_NAME).is_file()
        assert (root / "runs").is_dir()
        tables = {r[0] for r in ws.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for t in ("sources", "tickets", "pairs", "pair_history", "flags", "embeddings", "dataset_versions",
              "dataset_items", "runs", "evaluations", "ratings", "pii_map"):
        assert t in tables


def test_workspace_files_are_private(tmp_path):
    root = tmp_path / "w"
    Workspace.create(root).close()
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(root / store.DB_NAME).st_mode) == 0o600


def test_open_missing_is_clear(tmp_path):
    with pytest.raises(WorkspaceNotFound, match="pairsmith init"):
        Workspace.open(tmp_path / "nope")


def test_second_process_gets_one_line_lock_error(tmp_path):
    root = tmp_path / "w"
    Workspace.create(root).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb,sys,time; c=duckdb.connect({str(root / store.DB_NAME)!r}); print('ok', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(WorkspaceLocked) as info:
            Workspace.open(root)
        assert "open in another" in str(info.value)
        assert "\n" not in str(info.value)
        r = subprocess.run([sys.executable, "-m", "engine.cli.main", "status", str(root)], capture_output=True, text=True)
        assert r.returncode == 3
        assert "Traceback" not in r.stderr and "open in another" in r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_migration_from_older_schema_takes_backup(tmp_path, monkeypatch):
    root = tmp_path / "w"
    Workspace.create(root).close()
    extra = ["CREATE TABLE extra_v2 (x INTEGER)"]
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS) + 1)
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [extra])
    with Workspace.open(root) as ws:
        assert ws.schema_version() == 2
        assert ws.scalar("SELECT count(*) FROM extra_v2") == 0
    backups = store.list_backups(root)
    assert len(backups) == 1 and "before-migration-v1-to-v2" in backups[0].name
    con = duckdb.connect(str(backups[0]), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
    con.close()


def test_newer_schema_refused(tmp_path):
    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        ws.execute("INSERT INTO schema_version VALUES (99, now())")
    with pytest.raises(Exception, match="newer Pairsmith"):
        Workspace.open(root)


def test_transaction_rolls_back_everything(ws):
    with pytest.raises(RuntimeError):
        with ws.transaction():
            ws.execute("INSERT INTO settings VALUES ('a', '1')")
            with ws.transaction():  # nested joins the outer one
                ws.execute("INSERT INTO settings VALUES ('b', '2')")
            raise RuntimeError("boom")
    assert ws.scalar("SELECT count(*) FROM settings") == 0


def test_settings_roundtrip(ws):
    ws.set_setting("threshold", {"near": 0.8})
    ws.set_setting("threshold", {"near": 0.85})
    assert ws.get_setting("threshold") == {"near": 0.85}
    assert ws.get_setting("missing", 3) == 3


def test_corrupt_file_offers_backup(tmp_path):
    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        ws.set_setting("k", 1)
    good = store.backup(root, reason="manual")
    (root / store.DB_NAME).write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(WorkspaceCorrupt) as info:
        Workspace.open(root)
    assert info.value.backups and info.value.backups[0] == good
    store.restore_backup(root, info.value.backups[0])
    with Workspace.open(root) as ws:
        assert ws.get_setting("k") == 1
    assert list(root.glob(f"{store.DB_NAME}.damaged-*"))


# --- a file that ends inside a block --------------------------------------------------------
BLOCK = 262144


def _blocks_on_disk(db) -> float:
    return (db.stat().st_size - 3 * 4096) / BLOCK


def _workspace_with_data(root, rows=3000):
    with Workspace.create(root) as ws:
        ws.execute("CREATE TABLE scratch AS SELECT i, repeat('x', 300) || i::VARCHAR AS s FROM range(?) t(i)",
                   [rows * 100])
        ws.execute("INSERT INTO settings VALUES ('k', '1')")
        ws.execute("CHECKPOINT")
    return root / store.DB_NAME


def test_a_block_half_written_when_the_process_was_killed_is_not_damage(tmp_path):
    """SIGKILL during a write that extends the file stops it at a page boundary: the file ends
    inside a block no committed header uses. That workspace opens, reads and writes."""
    root = tmp_path / "w"
    db = _workspace_with_data(root)
    assert _blocks_on_disk(db).is_integer()
    rows = duckdb.connect(str(db)).execute("SELECT count(*) FROM scratch").fetchone()[0]
    with open(db, "ab") as f:
        f.write(os.urandom(BLOCK - 3 * 4096))  # 61 of its 64 pages
    assert not _blocks_on_disk(db).is_integer()
    with Workspace.open(root) as ws:
        assert ws.scalar("SELECT count(*) FROM scratch") == rows
        ws.execute("INSERT INTO scratch SELECT i, 'new' FROM range(200000) t(i)")
    with Workspace.open(root) as ws:
        assert ws.scalar("SELECT count(*) FROM scratch") == rows + 200000


def test_a_half_written_free_block_after_a_shrink_is_not_damage_but_a_cut_used_block_is(tmp_path):
    """After a checkpoint shrinks the file, the newest header still counts the blocks cut off
    (they are in its free list): a half-written block there is harmless. A file cut inside a
    block the header still uses is damage, and says so before DuckDB reads less."""
    root = tmp_path / "w"
    db = _workspace_with_data(root)
    with Workspace.open(root) as ws:
        ws.execute("CREATE TABLE tail AS SELECT i, repeat('y', 200) || i::VARCHAR AS s FROM range(300000) t(i)")
        ws.execute("CHECKPOINT")
        ws.execute("DROP TABLE tail")
        ws.execute("CHECKPOINT")
    whole = _blocks_on_disk(db)
    assert whole.is_integer()
    data = db.read_bytes()
    # the shape this test is about: the header counts more blocks than the file holds
    import struct
    headers = [struct.unpack_from("<6Q", data, off) for off in (4096, 8192)]
    newest = max(headers, key=lambda h: h[1])
    assert newest[4] > whole, (newest, whole)

    db.write_bytes(data + os.urandom(BLOCK // 2))
    with Workspace.open(root) as ws:
        assert ws.get_setting("k") == 1
        assert ws.scalar("SELECT count(*) FROM scratch") > 0

    used_at_end = int(whole) - 1  # a checkpoint truncates free blocks off the end: the last one is in use
    db.write_bytes(data[: 3 * 4096 + used_at_end * BLOCK + BLOCK // 2])
    with pytest.raises(WorkspaceCorrupt, match="truncated"):
        Workspace.open(root)


def test_backups_are_bounded(tmp_path):
    root = tmp_path / "w"
    Workspace.create(root).close()
    for i in range(store.MAX_BACKUPS + 3):
        store.backup(root, reason=f"r{i}")
    assert len(store.list_backups(root)) == store.MAX_BACKUPS


def test_daily_backup_once_a_day(ws):
    assert store.backup_daily(ws) is not None
    assert store.backup_daily(ws) is None
