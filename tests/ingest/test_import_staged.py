"""An import commits its rows in steps under a pending mark (engine.ingest.importer, the module's
docstring), so that DuckDB never holds a whole large export in one uncommitted transaction; yet a
call still goes in whole or not at all: a Cancel, a failure in any step and a process killed
midway all leave the workspace as it was before the call."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from engine.ingest import importer
from engine.ingest.importer import import_files
from engine.workspace.errors import PairsmithError
from engine.workspace.store import DB_NAME, PENDING_IMPORT, Workspace

ROOT = Path(__file__).resolve().parents[2]
ZD = ROOT / "tests" / "data" / "import" / "helpdesk" / "zendesk_tickets.json"
ZD_USERS = ZD.with_name("zendesk_users.json")
TABLES = ("sources", "tickets", "pairs", "pair_history", "flags")


def _ticket(i: int) -> dict:
    def c(cid: int, author: int, body: str, public: bool = True) -> dict:
        return {"id": 90000 + i * 10 + cid, "type": "Comment", "author_id": author, "public": public,
                "body": body, "created_at": f"2025-04-{1 + i % 27:02d}T1{cid}:00:00Z", "attachments": []}

    return {"id": 8000 + i, "requester_id": 361001, "submitter_id": 361001, "status": "solved",
            "subject": f"Locker {i}", "via": {"channel": "web"},
            "comments": [c(1, 361001, f"Which locker do I use on floor {i}?"),
                         c(2, 377010, "INTERNAL ONLY: check the key box.", public=False),
                         c(3, 377010, f"On floor {i} use the lockers beside lift {i % 3 + 1}.")]}


def _newer_export(tmp_path: Path, n_new: int = 9) -> Path:
    """The fixture's Zendesk export with ticket 5109 grown by a reply, plus `n_new` new tickets."""
    lines = ZD.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            out.append(line)
            continue
        if t["id"] == 5109:
            t["comments"] += [
                {"id": 9905, "type": "Comment", "author_id": 361004, "public": True,
                 "body": "The portal says my allowance is used up. Can I still order one more set?",
                 "created_at": "2025-02-14T09:00:00Z", "attachments": []},
                {"id": 9907, "type": "Comment", "author_id": 377010, "public": True,
                 "body": "Yes: your manager approved one extra set, which I added to your allowance.",
                 "created_at": "2025-02-14T10:00:00Z", "attachments": []}]
        out.append(json.dumps(t))
    out += [json.dumps(_ticket(i)) for i in range(1, n_new + 1)]
    f = tmp_path / "zendesk_newer.json"
    f.write_text("\n".join(out) + "\n", encoding="utf-8")
    return f


def _snapshot(con) -> dict:
    snap = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    snap["answer_5109"] = con.execute("SELECT answer FROM tickets WHERE external_id = '5109'").fetchone()[0]
    snap["mark"] = con.execute("SELECT count(*) FROM settings WHERE key = ?", [PENDING_IMPORT]).fetchone()[0]
    return snap


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    import_files(w, [ZD, ZD_USERS])
    yield w
    w.close()


def test_a_cancel_after_committed_steps_leaves_the_workspace_as_it_was(ws, tmp_path, monkeypatch):
    before = _snapshot(ws.con)
    assert before["mark"] == 0 and before["pairs"] == 7
    newer = _newer_export(tmp_path)
    monkeypatch.setattr(importer, "HELPDESK_CHUNK", 3)
    committed = []

    def cancel() -> bool:
        # another connection sees only what was committed: the steps really were committed
        committed.append(ws.con.cursor().execute("SELECT count(*) FROM pairs").fetchone()[0])
        return committed[-1] >= before["pairs"] + 6

    with pytest.raises(PairsmithError, match="cancelled"):
        import_files(ws, [newer, ZD_USERS], cancel=cancel)
    assert max(committed) >= before["pairs"] + 6
    assert _snapshot(ws.con) == before  # nor was 5109's grown conversation applied
    res = import_files(ws, [newer, ZD_USERS])
    assert res["imported"] == 9 and res["updated"] == 1
    assert "manager approved one extra set" in ws.scalar("SELECT answer FROM tickets WHERE external_id = '5109'")


def test_a_failure_in_the_final_step_leaves_the_workspace_as_it_was(ws, tmp_path, monkeypatch):
    before = _snapshot(ws.con)
    newer = _newer_export(tmp_path)
    monkeypatch.setattr(importer, "HELPDESK_CHUNK", 2)
    seen = []

    def boom() -> None:
        seen.append(ws.con.cursor().execute("SELECT count(*) FROM pairs").fetchone()[0])
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_before_import_end", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        import_files(ws, [newer, ZD_USERS])
    assert seen == [before["pairs"] + 9]  # all nine new pairs had been committed in steps
    assert _snapshot(ws.con) == before
    monkeypatch.undo()
    res = import_files(ws, [newer, ZD_USERS])
    assert (res["imported"], res["updated"]) == (9, 1)
    assert ws.scalar("SELECT count(*) FROM sources") == before["sources"] + 1


def test_an_import_killed_after_committed_steps_is_undone_when_the_workspace_opens(ws, tmp_path):
    before = _snapshot(ws.con)
    root = ws.root
    ws.close()
    newer = _newer_export(tmp_path)
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from engine.ingest import importer
        from engine.workspace.store import Workspace
        ws = Workspace.open({str(root)!r})
        importer.HELPDESK_CHUNK = 2
        importer._before_import_end = lambda: os._exit(9)
        importer.import_files(ws, [{str(newer)!r}, {str(ZD_USERS)!r}])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == 9, proc.stderr.decode()[-800:]
    con = duckdb.connect(str(Path(root) / DB_NAME))  # the file as the killed process left it
    left = _snapshot(con)
    con.close()
    assert left["mark"] == 1 and left["pairs"] == before["pairs"] + 9
    with Workspace.open(root) as w:
        assert _snapshot(w.con) == before
        res = import_files(w, [newer, ZD_USERS])
        assert (res["imported"], res["updated"]) == (9, 1)
