"""Nothing lost: SIGKILL a worker at random points during import, editing, flagging, splitting
and training, then check the workspace opens, every committed change is there, nothing is half
done and the file is not damaged.

Each worker (tests/crash_worker.py) prints `BEGIN {...}` before an operation and `COMMIT {...}`
after its transaction committed; a worker is killed after a random delay (seeded), so the kill
lands anywhere: inside a transaction, during a commit/checkpoint, between operations. Workers of
one mode run four at a time on their own copies of a template workspace.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine.workspace.store import DB_NAME, Workspace

WORKER = Path(__file__).resolve().parents[1] / "crash_worker.py"
ROOT = Path(__file__).resolve().parents[2]
ROWS = 240
BAD_EVERY = 40  # every 40th row (i % 40 == 7) has no answer: reported, not imported
GOOD = ROWS - sum(1 for i in range(ROWS) if i % BAD_EVERY == 7)

# (mode, number of kill points, longest delay after READY in seconds)
# 48 kill points here, 3 more in the training tests below
PLAN = {"import": (14, 2.5), "edit": (16, 1.5), "split": (10, 2.5), "flag": (8, 1.5)}


# --- data -------------------------------------------------------------------------------------
TOPICS = ["annual leave", "the VPN", "payroll", "my laptop", "parental leave", "expense claims",
          "the printer", "two-factor login", "overtime", "the shared drive", "badge access", "Outlook"]


def write_csv(path: Path, k: int, rows: int = ROWS) -> Path:
    rng = random.Random(k)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Ticket ID", "Subject", "Description", "Resolution", "Requester"])
        for i in range(rows):
            topic = TOPICS[(i + k) % len(TOPICS)]
            q = f"Hi, how do I sort out {topic} for case {k}-{i}? Ticket reference {rng.randint(0, 10**9)}."
            a = f"For {topic}, open the portal, choose Requests and follow step {i % 7 + 1}. Case {k}-{i}."
            if i % 9 == 0:
                q += f" You can reach me at jane.doe{k}x{i}@example.com or +44 20 7946 0{i % 1000:03d}."
            if i % 11 == 0:
                a = "Obviously you should have read the manual. " + a
            if i % 13 == 0:
                a = "As discussed on the phone, see above. " + a
            if i % BAD_EVERY == 7:
                a = ""
            w.writerow([f"T{k}-{i}", f"{topic} question", q, a, f"Jane Doe {i}"])
    return path


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """A fresh workspace, and one with an imported file (all pairs approved)."""
    base = tmp_path_factory.mktemp("crash-templates")
    fresh = base / "fresh"
    Workspace.create(fresh).close()
    full = base / "full"
    from engine.review import pairs
    from engine.ingest.importer import import_files

    with Workspace.create(full) as ws:
        res = import_files(ws, [write_csv(base / "seed.csv", 99)])
        assert res["imported"] == GOOD
        ids = [r[0] for r in ws.execute("SELECT id FROM pairs").fetchall()]
        pairs.update_pairs(ws, ids, status="approved")
        original = {str(r["id"]): {"instruction": r["instruction"], "response": r["response"], "status": r["status"]}
                    for r in ws.query("SELECT id, instruction, response, status FROM pairs")}
    files = [write_csv(base / f"batch{k}.csv", k) for k in range(12)]
    return {"fresh": fresh, "full": full, "files": files, "original": original}


# --- running and killing workers --------------------------------------------------------------
def _worker_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    env["HF_HUB_OFFLINE"] = "1"
    return env


def _run_and_kill(mode: str, ws: Path, seed: int, delay: float, files=()) -> dict:
    out_path = ws.parent / f"{ws.name}.out"
    err_path = ws.parent / f"{ws.name}.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([sys.executable, str(WORKER), mode, str(ws), str(seed), *map(str, files)],
                                stdout=out, stderr=err, env=_worker_env(), cwd=str(ROOT))
        deadline = time.monotonic() + 60
        while "READY" not in out_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise AssertionError(f"{mode} worker did not start: {err_path.read_text()[-2000:]}")
            time.sleep(0.01)
        # the delay counts from the first operation, not from start-up (which varies with load)
        while "BEGIN" not in out_path.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        code = proc.wait()
    text = out_path.read_text()
    if finished and code != 0:
        raise AssertionError(f"{mode} worker failed before the kill: {err_path.read_text()[-3000:]}")
    begins, commits = [], []
    for line in text.splitlines():
        kind, _, payload = line.partition(" ")
        if kind == "BEGIN":
            begins.append(json.loads(payload))
        elif kind == "COMMIT":
            commits.append(json.loads(payload))
    in_flight = begins[-1] if len(begins) > len(commits) else None
    return {"commits": commits, "in_flight": in_flight, "killed": not finished, "seed": seed, "ws": ws}


def _kill_points(mode: str, template: Path, tmp_path: Path, files=()) -> list[dict]:
    n, longest = PLAN[mode]
    jobs = []
    for seed in range(n):
        ws = tmp_path / f"{mode}-{seed}"
        shutil.copytree(template, ws)
        delay = random.Random(f"{mode}-{seed}").uniform(0.0, longest)
        jobs.append((mode, ws, seed, delay, files))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda j: _run_and_kill(*j), jobs))
    killed_during_work = sum(1 for r in results if r["killed"] and (r["commits"] or r["in_flight"]))
    # not a timing assert: it guards against a vacuous test where every kill lands after the work
    assert killed_during_work >= max(1, n // 4), f"too few {mode} kills landed while the worker was busy"
    return results


def _open_and_read_everything(ws_path: Path) -> Workspace:
    """The workspace opens, every table reads to the end, and a new write commits."""
    ws = Workspace.open(ws_path)
    tables = [r[0] for r in ws.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
    assert {"pairs", "tickets", "pair_history", "flags", "dataset_versions"} <= set(tables)
    for t in tables:
        ws.execute(f"SELECT * FROM {t}").fetchall()
    ws.set_setting("opened_after_crash", True)
    assert ws.get_setting("opened_after_crash") is True
    return ws


def _describe(r: dict) -> str:
    return f"seed {r['seed']}: {len(r['commits'])} committed, in flight {r['in_flight']}"


# --- import -----------------------------------------------------------------------------------
def test_kill_during_import(templates, tmp_path):
    results = _kill_points("import", templates["fresh"], tmp_path, templates["files"])
    for r in results:
        committed = [c for c in r["commits"] if c["op"] == "import"]
        assert all(c["imported"] == GOOD and c["errors"] == ROWS - GOOD for c in committed), _describe(r)
        with _open_and_read_everything(r["ws"]) as ws:
            tickets = ws.scalar("SELECT count(*) FROM tickets")
            pairs = ws.scalar("SELECT count(*) FROM pairs")
            sources = ws.query("SELECT name, rows_imported FROM sources ORDER BY id")
            # no half import: whole files only, each file's tickets all there
            assert tickets % GOOD == 0, _describe(r)
            done = tickets // GOOD
            assert done in (len(committed), len(committed) + 1), _describe(r)
            if done == len(committed) + 1:
                assert r["in_flight"] is not None  # the one in flight committed before it could say so
            assert pairs == tickets, _describe(r)
            assert [s["name"] for s in sources] == [f"batch{k}.csv" for k in range(done)]
            assert all(s["rows_imported"] == GOOD for s in sources)
            assert ws.scalar("SELECT count(*) FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id "
                             "WHERE t.id IS NULL") == 0
            per_source = ws.execute("SELECT source_id, count(*) FROM tickets GROUP BY ALL").fetchall()
            assert all(n == GOOD for _, n in per_source)


# --- editing ----------------------------------------------------------------------------------
FIELDS = ("instruction", "response", "status")


def _check_history_invariant(ws) -> None:
    """Each field's value is the new value of its newest applied change, or (all undone) the
    value before the first; undone entries only ever follow applied ones."""
    hist: dict[tuple[int, str], list[dict]] = {}
    for h in ws.query("SELECT id, change_id, pair_id, field, old_value, new_value, undone FROM pair_history ORDER BY id"):
        hist.setdefault((h["pair_id"], h["field"]), []).append(h)
    for row in ws.query("SELECT id, instruction, response, status FROM pairs"):
        for field in FIELDS:
            entries = hist.get((row["id"], field), [])
            flags = [e["undone"] for e in entries]
            assert flags == sorted(flags), f"pair {row['id']} {field}: an applied change after an undone one"
            applied = [e for e in entries if not e["undone"]]
            if applied:
                want = applied[-1]["new_value"]
            elif entries:
                want = entries[0]["old_value"]
            else:
                continue  # never changed, or its undone changes were dropped by a newer edit
            assert row[field] == want, f"pair {row['id']} {field} does not match its history"


def test_kill_during_editing(templates, tmp_path):
    results = _kill_points("edit", templates["full"], tmp_path)
    original = templates["original"]
    for r in results:
        last = {pid: dict(v) for pid, v in original.items()}
        # pair -> applied change ids, per the worker's log (the template approved every pair: change 1)
        applied: dict[str, list[int]] = {pid: [1] for pid in original}
        undone: dict[str, list[int]] = {}
        for c in r["commits"]:
            changed = {pid for pid, v in c["values"].items()
                       if c["op"] == "update" and last[pid][c["field"]] != v[c["field"]]}
            for pid, v in c["values"].items():
                last[pid] = v
            for pid in map(str, c["ids"]):
                if c["op"] == "update" and c["change_id"]:
                    undone[pid] = []  # a new change drops what could be redone
                    if pid in changed:  # a pair whose value was already that gets no history entry
                        applied.setdefault(pid, []).append(c["change_id"])
                elif c["op"] == "undo" and c["change_id"]:
                    applied.setdefault(pid, []).remove(c["change_id"])
                    undone.setdefault(pid, []).append(c["change_id"])
                elif c["op"] == "redo" and c["change_id"]:
                    undone.setdefault(pid, []).remove(c["change_id"])
                    applied.setdefault(pid, []).append(c["change_id"])
        flight = r["in_flight"] or {"ids": [], "op": None}
        in_flight = {str(i) for i in flight["ids"]}
        with _open_and_read_everything(r["ws"]) as ws:
            now = {str(x["id"]): {k: x[k] for k in FIELDS}
                   for x in ws.query("SELECT id, instruction, response, status FROM pairs")}
            assert len(now) == len(original)
            for pid, want in last.items():
                if pid not in in_flight:
                    assert now[pid] == want, f"{_describe(r)}: pair {pid} lost a committed edit"
            if flight["op"] == "update":
                # all or none of the in-flight change
                got = [now[p][flight["field"]] == flight["value"] for p in in_flight]
                before = [last[p][flight["field"]] == flight["value"] for p in in_flight]
                assert all(got) or got == before, f"{_describe(r)}: half an edit"
            history = {(h["change_id"], str(h["pair_id"])): h["undone"]
                       for h in ws.query("SELECT change_id, pair_id, undone FROM pair_history")}
            for pid, changes in applied.items():
                for change in changes:
                    assert (change, pid) in history, f"{_describe(r)}: change {change} on pair {pid} is gone"
                    if pid not in in_flight:
                        assert history[(change, pid)] is False
            _check_history_invariant(ws)


# --- splitting --------------------------------------------------------------------------------
def test_kill_during_split(templates, tmp_path):
    results = _kill_points("split", templates["full"], tmp_path)
    for r in results:
        committed = [c for c in r["commits"] if c["op"] == "split"]
        with _open_and_read_everything(r["ws"]) as ws:
            versions = ws.query("SELECT id, stats FROM dataset_versions ORDER BY id")
            assert len(versions) in (len(committed), len(committed) + 1), _describe(r)
            by_id = {v["id"]: json.loads(v["stats"]) for v in versions}
            for c in committed:
                assert c["version_id"] in by_id, f"{_describe(r)}: version {c['version_id']} is gone"
            counts = {(v, s): n for v, s, n in ws.execute(
                "SELECT version_id, split, count(*) FROM dataset_items GROUP BY ALL").fetchall()}
            for vid, stats in by_id.items():  # no half-written version
                assert counts.get((vid, "train"), 0) == stats["train"], _describe(r)
                assert counts.get((vid, "heldout"), 0) == stats["heldout"], _describe(r)
            for c in committed:
                assert (counts[(c["version_id"], "train")], counts[(c["version_id"], "heldout")]) == (c["train"], c["heldout"])
            orphans = ws.scalar("SELECT count(*) FROM dataset_items WHERE version_id NOT IN (SELECT id FROM dataset_versions)")
            assert orphans == 0


# --- flagging ---------------------------------------------------------------------------------
def _has_flag_runner() -> bool:
    try:
        import engine.flags.runner  # noqa: F401
        import engine.flags.pii  # noqa: F401
        import engine.flags.tone  # noqa: F401
        import engine.flags.needs_context  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _has_flag_runner(), reason="engine.flags.runner (run_flags) is not written yet")
def test_kill_during_flagging(templates, tmp_path):
    from engine.flags.runner import run_flags

    results = _kill_points("flag", templates["full"], tmp_path)
    assert any(c["op"] == "flag" and sum(c["counts"].values()) > 0 for r in results for c in r["commits"]), \
        "the sample data should raise some flags"
    for r in results:
        dismissed = {c["flag_id"] for c in r["commits"] if c["op"] == "dismiss"}
        with _open_and_read_everything(r["ws"]) as ws:
            status = dict(ws.execute("SELECT id, status FROM flags").fetchall())
            for fid in dismissed:
                assert status.get(fid) == "dismissed", f"{_describe(r)}: dismissal of flag {fid} lost"
            rows = ws.query("SELECT kind, fingerprint, explanation, pair_ids FROM flags WHERE status = 'open'")
            keys = [(x["kind"], x["fingerprint"], x["explanation"]) for x in rows]
            assert len(keys) == len(set(keys)), f"{_describe(r)}: the same flag twice"
            if any(c["op"] == "flag" for c in r["commits"]):
                # the stored open flags are exactly what a fresh run finds (nothing half-stored)
                before = sorted((x["kind"], x["explanation"], tuple(x["pair_ids"])) for x in rows)
                run_flags(ws, kinds=["pii", "tone", "needs_context"])
                after = sorted((x["kind"], x["explanation"], tuple(x["pair_ids"])) for x in ws.query(
                    "SELECT kind, explanation, pair_ids FROM flags WHERE status = 'open'"))
                assert before == after, _describe(r)


# --- training ---------------------------------------------------------------------------------
def _has_trainer() -> bool:
    try:
        import engine.train.launch  # noqa: F401
        import engine.train.trainer  # noqa: F401
    except ImportError:
        return False
    return True


def _cli(*args, timeout=300, **kw):
    return subprocess.Popen([sys.executable, "-m", "engine.cli.main", *map(str, args)], cwd=str(ROOT),
                            env=_worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def train_template(templates, tmp_path_factory):
    ws = tmp_path_factory.mktemp("train") / "ws"
    shutil.copytree(templates["full"], ws)
    return ws


def _status(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / "status.json").read_text())
    except (OSError, ValueError):
        return {}


def _train_until(args: list, ws: Path, target: int, kill_cli: bool) -> Path:
    """Run `pairsmith train ...`; once the run reports step >= target, SIGKILL the training
    subprocess (and with kill_cli the CLI too, as in a power cut). Returns the run folder."""
    proc = _cli("train", ws, *args, "--json")
    step = 0
    deadline = time.monotonic() + 240
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        step = max(step, int(event.get("step") or 0))
        if step >= target or time.monotonic() > deadline:
            break
    runs = sorted((ws / "runs").iterdir())
    assert len(runs) == 1, runs
    run_dir = runs[0]
    pid = _status(run_dir).get("pid")
    assert step >= target, f"training ended before step {target}: {proc.communicate()[1][-2000:]}"
    assert pid, _status(run_dir)
    os.kill(pid, signal.SIGKILL)
    if kill_cli:
        proc.kill()
    proc.communicate(timeout=120)
    return run_dir


@pytest.mark.slow
@pytest.mark.skipif(not _has_trainer(), reason="engine.train is not written yet")
def test_kill_training_then_resume(train_template, tmp_path):
    """Two kill points in one run: SIGKILL the training subprocess at a random step, resume;
    SIGKILL it and the CLI together at a later step (a power cut), resume; the run finishes."""
    ws = tmp_path / "ws"
    shutil.copytree(train_template, ws)
    rng = random.Random(7)
    first, second = rng.randint(3, 14), rng.randint(20, 32)
    run_dir = _train_until(["--base-model", "builtin:tiny", "--preset", "cpu-smoke",
                            "--set", "save_steps=3", "--set", "max_steps=40"], ws, first, kill_cli=False)
    with Workspace.open(ws) as w:  # the CLI recorded the dead run; the workspace is fine
        assert w.query("SELECT status FROM runs")[0]["status"] in ("error", "stopped")
    run_dir = _train_until(["--resume", run_dir.name], ws, second, kill_cli=True)
    assert sorted((run_dir / "checkpoints").glob("checkpoint-*"))

    resumed = _cli("train", ws, "--resume", run_dir.name, "--json")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, (out[-1500:], err[-3000:])
    events = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    starts = [e for e in events if e.get("event") == "started"]
    assert starts and starts[0].get("resumed_from"), "the last resume should start from a checkpoint"
    assert _status(run_dir).get("state") == "done", out[-2000:]
    assert (run_dir / "adapter").is_dir()
    with _open_and_read_everything(ws) as w:
        row = w.query("SELECT status, adapter_path FROM runs WHERE id = ?", [run_dir.name])
        assert row and row[0]["status"] == "done"


@pytest.mark.skipif(not _has_trainer(), reason="engine.train is not written yet")
def test_resume_skips_half_written_checkpoint(tmp_path):
    """A checkpoint folder the process was writing when it died must not be resumed from."""
    from engine.train.trainer import last_checkpoint

    folder = tmp_path / "run" / "checkpoints"
    good = folder / "checkpoint-3"
    good.mkdir(parents=True)
    for name in ("adapter_model.safetensors", "adapter_config.json", "optimizer.pt", "scheduler.pt",
                 "trainer_state.json", "rng_state.pth", "training_args.bin"):
        (good / name).write_bytes(b"{}")
    half = folder / "checkpoint-6"
    half.mkdir()
    (half / "adapter_model.safetensors").write_bytes(b"\0" * 100)  # cut off mid-write
    assert last_checkpoint(tmp_path / "run") == str(good)


def _limit_file_size(limit: int):
    def apply():  # in the child: writes past `limit` bytes fail with EFBIG instead of killing it
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.slow
@pytest.mark.skipif(not _has_trainer(), reason="engine.train is not written yet")
def test_disk_full_while_writing_a_checkpoint(train_template, tmp_path):
    """The disk fills while a checkpoint is written (a file-size limit on the training process):
    a clear error event, the process ends, the previous checkpoint is intact."""
    import hashlib

    from engine.train import launch
    from engine.workspace import security

    ws = tmp_path / "ws"
    shutil.copytree(train_template, ws)
    run_dir = _train_until(["--base-model", "builtin:tiny", "--preset", "cpu-smoke",
                            "--set", "save_steps=3", "--set", "max_steps=40"], ws, 4, kill_cli=False)
    before = {p.relative_to(run_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (run_dir / "checkpoints").glob("checkpoint-*/*") if p.is_file()}
    assert before
    with open(tmp_path / "stderr.txt", "w") as err:
        proc = subprocess.run(launch.resume_argv(run_dir), cwd=str(ROOT), env=security.child_env(base=_worker_env()),
                              stdout=subprocess.PIPE, stderr=err, text=True, timeout=300,
                              preexec_fn=_limit_file_size(200_000))
    events = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    after = {p.relative_to(run_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (run_dir / "checkpoints").glob("checkpoint-*/*") if p.is_file()}
    for name, digest in before.items():  # the checkpoints saved before are untouched
        if name in after:
            assert after[name] == digest, name
    assert proc.returncode != 0
    errors = [e for e in events if e.get("event") == "error"]
    assert errors, (tmp_path / "stderr.txt").read_text()[-2000:]
    text = (errors[-1].get("message", "") + " " + errors[-1].get("what_to_do", "")).lower()
    assert "disk" in text and ("full" in text or "space" in text), errors[-1]
