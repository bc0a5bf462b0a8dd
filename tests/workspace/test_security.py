"""Nothing leaks, nothing unchosen runs: model loading refuses remote code and pickle files unless
the user allowed them for that model, child processes run offline without telemetry, workspace
files are the owner's only, exports never carry personal data the user did not choose to export,
and CSV exports are safe to open in a spreadsheet."""

from __future__ import annotations

import ast
import csv
import errno
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from engine.dataset import export as export_mod
from engine.workspace import security
from engine.workspace.errors import BadInput, PairsmithError
from engine.dataset.export import csv_safe, export_pairs
from engine.review.pairs import add_pair
from engine.workspace.store import Workspace

ROOT = Path(__file__).resolve().parents[2]


# --- model loading ----------------------------------------------------------------------------
def test_model_load_kwargs_defaults_and_opt_ins():
    assert security.model_load_kwargs("org/model") == {"trust_remote_code": False, "use_safetensors": True}
    assert security.model_load_kwargs("m", allow_remote_code=True)["trust_remote_code"] is True
    assert "use_safetensors" not in security.model_load_kwargs("m", allow_pickle=True)
    assert security.tokenizer_load_kwargs("m") == {"trust_remote_code": False}


def _model_folder(path: Path, weights: list[str], config: dict | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps(config or {"model_type": "mistral"}))
    for name in weights:
        (path / name).write_bytes(b"\x80\x04weights")
    return path


def test_pickle_only_model_refused_unless_allowed(tmp_path):
    folder = _model_folder(tmp_path / "m", ["pytorch_model.bin", "training_args.bin"])
    with pytest.raises(BadInput, match="pickle") as info:
        security.check_model_folder(folder)
    assert "pairsmith trust" in str(info.value) and "--pickle" in str(info.value)
    security.check_model_folder(folder, allow_pickle=True)
    safe = _model_folder(tmp_path / "s", ["model.safetensors", "pytorch_model.bin"])
    security.check_model_folder(safe)  # safetensors present: those are what gets loaded
    security.check_model_folder(tmp_path / "hub-id-not-a-folder")  # left to from_pretrained


def test_remote_code_refused_unless_trusted(tmp_path):
    folder = _model_folder(tmp_path / "m", ["model.safetensors"],
                           {"model_type": "custom", "auto_map": {"AutoModelForCausalLM": "modeling_x.XModel"}})
    (folder / "modeling_x.py").write_text("import os\nos.system('echo pwned')\n")
    with pytest.raises(BadInput, match="own Python code") as info:
        security.check_model_folder(folder)
    assert "--remote-code" in str(info.value)
    security.check_model_folder(folder, allow_remote_code=True)
    tok = _model_folder(tmp_path / "t", ["model.safetensors"])
    (tok / "tokenizer_config.json").write_text(json.dumps({"auto_map": {"AutoTokenizer": ["x.Tok", None]}}))
    with pytest.raises(BadInput):
        security.check_model_folder(tok)


def test_choices_are_per_model_and_stored_in_the_workspace(ws, tmp_path):
    a = _model_folder(tmp_path / "a", ["pytorch_model.bin"])
    b = _model_folder(tmp_path / "b", ["pytorch_model.bin"])
    assert security.trusted(ws, a) == {"remote_code": False, "pickle": False}
    security.trust_model(ws, a, pickle=True)
    assert security.workspace_load_kwargs(ws, a) == {"trust_remote_code": False}
    assert security.workspace_load_kwargs(ws, b) == {"trust_remote_code": False, "use_safetensors": True}
    security.check_workspace_model(ws, a)
    with pytest.raises(BadInput):
        security.check_workspace_model(ws, b)
    assert str(a.resolve()) in ws.get_setting(security.TRUSTED_SETTING)
    security.trust_model(ws, "org/remote", remote_code=True)
    assert security.workspace_tokenizer_kwargs(ws, "org/remote") == {"trust_remote_code": True}
    security.trust_model(ws, a)  # both off: back to the default
    assert security.trusted(ws, a) == {"remote_code": False, "pickle": False}


def test_trust_cli(tmp_path, capsys):
    from engine.cli.main import main

    root = tmp_path / "w"
    Workspace.create(root).close()
    assert main(["trust", str(root), "org/model"]) == 2
    assert main(["trust", str(root), "org/model", "--pickle", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["pickle"] is True
    assert main(["trust", str(root), "org/model", "--revoke"]) == 0
    with Workspace.open(root) as ws:
        assert security.trusted(ws, "org/model") == {"remote_code": False, "pickle": False}


@pytest.mark.slow
def test_transformers_refuses_pickle_weights_with_these_kwargs(tmp_path):
    """The kwargs really stop a load: a model saved as pytorch_model.bin only does not load with
    use_safetensors=True, and loads once the user allowed pickle files."""
    code = f"""
import sys, torch
from transformers import MistralConfig, MistralForCausalLM, AutoModelForCausalLM
from engine.workspace.security import model_load_kwargs
cfg = MistralConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                    num_key_value_heads=1, vocab_size=64)
m = MistralForCausalLM(cfg)
m.save_pretrained({str(tmp_path / 'm')!r})
sd = torch.load({str(tmp_path / 'm')!r} + '/model.safetensors', weights_only=True) if False else m.state_dict()
import os
os.remove({str(tmp_path / 'm')!r} + '/model.safetensors')
torch.save(sd, {str(tmp_path / 'm')!r} + '/pytorch_model.bin')
try:
    AutoModelForCausalLM.from_pretrained({str(tmp_path / 'm')!r}, **model_load_kwargs('m'))
    print('LOADED-DEFAULT')
except Exception as exc:
    print('REFUSED', type(exc).__name__)
AutoModelForCausalLM.from_pretrained({str(tmp_path / 'm')!r}, **model_load_kwargs('m', allow_pickle=True))
print('LOADED-ALLOWED')
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert "REFUSED" in out.stdout and "LOADED-ALLOWED" in out.stdout, out.stdout + out.stderr[-2000:]


def _from_pretrained_calls_without_trust_flag() -> list[str]:
    """engine/ calls of X.from_pretrained(...) that do not pass trust_remote_code= explicitly
    (directly, or through **model_load_kwargs(...)/**tokenizer_load_kwargs(...)/**workspace_*_kwargs(...))."""
    offenders = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "from_pretrained"):
                continue
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "PeftModel":
                continue  # a LoRA adapter has no code of its own (check_model_folder covers pickle files)
            ok = False
            for kw in node.keywords:
                if kw.arg == "trust_remote_code":
                    ok = True
                elif kw.arg is None and isinstance(kw.value, ast.Call):
                    f = kw.value.func
                    name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                    ok = ok or name.endswith(("load_kwargs", "tokenizer_kwargs", "spec_model_kwargs")) \
                        or name == "check_workspace_model"
            if not ok:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return offenders


def test_every_from_pretrained_passes_trust_remote_code_explicitly():
    assert _from_pretrained_calls_without_trust_flag() == []


# --- environment ------------------------------------------------------------------------------
def test_offline_and_telemetry_env(ws):
    assert security.offline_env(ws) == {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    assert security.offline_env(None)["HF_HUB_OFFLINE"] == "1"
    tele = security.no_telemetry_env()
    assert tele["HF_HUB_DISABLE_TELEMETRY"] == "1" and tele["DO_NOT_TRACK"] == "1"
    assert tele["WANDB_MODE"] == "disabled"
    env = security.child_env(ws, base={"PATH": "/bin"})
    assert env["PATH"] == "/bin" and env["HF_HUB_OFFLINE"] == "1" and env["DO_NOT_TRACK"] == "1"
    ws.set_setting(security.OFFLINE_SETTING, False)
    assert security.offline_env(ws) == {}
    env = security.child_env(ws, base={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    assert "HF_HUB_OFFLINE" not in env and env["HF_HUB_DISABLE_TELEMETRY"] == "1"


# --- file permissions -------------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_workspace_files_are_owner_only(tmp_path):
    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        add_pair(ws, "How many leave days?", "25 days a year.", status="approved")
    with Workspace.open(root) as ws:  # the first open of the day takes the automatic backup
        out = export_pairs(ws, tmp_path / "out" / "pairs.jsonl")
    assert _mode(root) == 0o700
    assert _mode(root / "pairsmith.duckdb") == 0o600
    assert _mode(root / "runs") == 0o700
    assert _mode(root / "backups") == 0o700
    backups = list((root / "backups").glob("*.duckdb"))
    assert backups and all(_mode(b) == 0o600 for b in backups)
    assert _mode(Path(out["path"])) == 0o600


# --- exports ----------------------------------------------------------------------------------
def _pii_ws(root: Path) -> Workspace:
    ws = Workspace.create(root)
    add_pair(ws, "My email is priya.sharma@example.com, can I carry over leave?",
             "Hi priya.sharma@example.com, yes: up to 5 days, call +44 20 7946 0958.", status="approved")
    add_pair(ws, "How do I reset my password?", "Use the self-service portal.", status="approved")
    return ws


@pytest.mark.parametrize("fmt", export_mod.FORMATS)
def test_exports_never_contain_pii_map_originals(tmp_path, fmt):
    pytest.importorskip("engine.privacy.redact")
    from engine.privacy.redact import redact_all

    with _pii_ws(tmp_path / "w") as ws:
        res = redact_all(ws)
        assert res["replacements"] >= 2
        originals = [r[0] for r in ws.execute("SELECT original FROM pii_map").fetchall()]
        assert any("priya.sharma@example.com" in o for o in originals)
        out = export_pairs(ws, tmp_path / f"out.{fmt}", fmt)
    text = Path(out["path"]).read_text(encoding="utf-8")
    assert out["pairs"] == 2
    for original in originals:
        assert original not in text
    assert "[EMAIL_" in text


def test_open_personal_data_flags_block_export_without_allow_pii(tmp_path, capsys):
    from engine.cli.main import main

    root = tmp_path / "w"
    with _pii_ws(root) as ws:
        pid = ws.scalar("SELECT min(id) FROM pairs")
        ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation, status) VALUES "
                   "('pii', 'high', [?], 'an email address', 'open')", [pid])
        with pytest.raises(BadInput, match="personal-data"):
            export_pairs(ws, tmp_path / "a.jsonl")
    assert not (tmp_path / "a.jsonl").exists()
    assert main(["export", str(root), str(tmp_path / "b.jsonl")]) == 2
    assert "--allow-pii" in capsys.readouterr().err
    assert not (tmp_path / "b.jsonl").exists()
    assert main(["export", str(root), str(tmp_path / "c.jsonl"), "--allow-pii", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pii_pairs"] == 1


FORMULA = ("=", "+", "-", "@", "\t", "\r")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40) | st.sampled_from(["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)",
                                                "\t=1", "\r=1", "'=1", "=cmd|' /C calc'!A0"]))
def test_csv_safe_never_starts_with_a_formula_character(text):
    safe = csv_safe(text)
    assert not safe.startswith(FORMULA)
    assert safe == text or (safe == "'" + text and text.startswith(FORMULA))


@settings(max_examples=25, deadline=None)
@given(cells=st.lists(st.tuples(st.text(min_size=1, max_size=30).filter(str.strip),
                                st.text(min_size=1, max_size=30).filter(str.strip)), min_size=1, max_size=5))
def test_csv_export_cells_are_safe(tmp_path_factory, cells):
    root = tmp_path_factory.mktemp("csv")
    with Workspace.create(root / "w") as ws:
        for q, a in cells:
            add_pair(ws, q, a, status="approved")
        out = export_pairs(ws, root / "out.csv", "csv")
    with open(out["path"], newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "instruction", "response"]
    for (q, a), row in zip(cells, rows[1:]):
        for original, written in ((q, row[1]), (a, row[2])):
            assert not written.startswith(FORMULA)
            assert written in (original, "'" + original)


# --- disk full while exporting -----------------------------------------------------------------
def test_disk_full_during_export_keeps_the_previous_file(tmp_path, monkeypatch):
    with _pii_ws(tmp_path / "w") as ws:
        ws.execute("DELETE FROM pairs WHERE instruction LIKE '%email%'")
        target = tmp_path / "pairs.jsonl"
        export_pairs(ws, target)
        previous = target.read_bytes()

        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(export_mod.os, "fsync", full)
        with pytest.raises(PairsmithError) as info:
            export_pairs(ws, target, "messages")
    assert "No space left on device" in str(info.value) and "previous file is unchanged" in str(info.value)
    assert target.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl", "w"]  # no temp file left


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE")
def test_export_over_a_file_size_limit_keeps_the_previous_file(tmp_path):
    """A real failing write (RLIMIT_FSIZE in a subprocess: writes past 2 KB fail) through the CLI."""
    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        for i in range(60):
            add_pair(ws, f"Question {i} about leave and payroll?", "An answer " * 20, status="approved")
    target = tmp_path / "pairs.jsonl"
    target.write_text("previous export\n")
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "from engine.workspace.store import Workspace\n"
        "ws = Workspace.open(sys.argv[1])\n"  # open (and back up) before the limit
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))\n"
        "from engine.dataset.export import export_pairs\n"
        "from engine.workspace.errors import PairsmithError\n"
        "try:\n"
        "    export_pairs(ws, sys.argv[2])\n"
        "except PairsmithError as exc:\n"
        "    print('ERROR', exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, str(root), str(target)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("ERROR could not write"), out.stdout + out.stderr[-2000:]
    assert "previous file is unchanged" in out.stdout
    assert target.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl", "w"]


# --- a damaged workspace ----------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["half", "garbage", "empty"])
def test_damaged_workspace_names_the_backup_and_restore_works(tmp_path, capsys, damage):
    from engine.cli.main import main
    from engine.workspace.errors import WorkspaceCorrupt
    from engine.workspace.store import DB_NAME, list_backups

    root = tmp_path / "w"
    with Workspace.create(root) as ws:
        for i in range(300):
            add_pair(ws, f"question {i} " + "x" * 300, f"answer {i} " + "y" * 300, status="approved")
        ws.execute("CHECKPOINT")
    Workspace.open(root).close()  # the daily automatic backup
    assert len(list_backups(root)) == 1
    db = root / DB_NAME
    data = db.read_bytes()
    db.write_bytes({"half": data[: len(data) // 2], "garbage": os.urandom(len(data)), "empty": b""}[damage])
    with pytest.raises(WorkspaceCorrupt) as info:
        Workspace.open(root)
    backup = list_backups(root)[0]
    assert info.value.backups[0] == backup
    assert str(backup) in str(info.value) and f"pairsmith restore {root}" in str(info.value)
    assert main(["status", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged" in err and str(backup) in err and "pairsmith restore" in err
    assert main(["restore", str(root)]) == 0
    capsys.readouterr()
    with Workspace.open(root) as ws:
        assert ws.scalar("SELECT count(*) FROM pairs") == 300
    assert list(root.glob(f"{DB_NAME}.damaged-*"))
    # a healthy workspace is not replaced by accident
    assert main(["restore", str(root)]) == 2
    assert "--force" in capsys.readouterr().err


def test_restore_refuses_a_damaged_backup(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import backup

    root = tmp_path / "w"
    Workspace.create(root).close()
    b = backup(root, reason="manual")
    b.write_bytes(b.read_bytes()[:5000])
    (root / "pairsmith.duckdb").write_bytes(b"junk" * 5000)
    assert main(["restore", str(root), str(b)]) == 2
    assert "damaged too" in capsys.readouterr().err
    assert (root / "pairsmith.duckdb").read_bytes() == b"junk" * 5000


# --- wiring: the run spec carries the user's per-model choices; subprocesses get a safe env ------
def _approved_workspace(tmp_path):
    root = tmp_path / "w"
    with Workspace.create(root) as w:
        for i in range(12):
            add_pair(w, f"Question number {i} about topic {i * 3}?", f"Answer {i}.", status="approved")
    return root


def test_training_refuses_an_untrusted_model_folder_before_starting(tmp_path):
    from engine.train import launch

    model = tmp_path / "custom-model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "x", "auto_map": {"AutoModel": "m.M"}}))
    (model / "model.safetensors").write_bytes(b"\0")
    root = _approved_workspace(tmp_path)
    with Workspace.open(root) as w:
        with pytest.raises(BadInput, match="pairsmith trust"):
            launch.start_run(w, str(model), "cpu-smoke")
        assert w.scalar("SELECT count(*) FROM runs") == 0
        security.trust_model(w, str(model), remote_code=True)
        run_id, argv, run_dir = launch.start_run(w, str(model), "cpu-smoke")
    spec = json.loads((run_dir / "spec.json").read_text())
    assert spec["trust"] == {"remote_code": True, "pickle": False}
    assert security.spec_model_kwargs(spec, model) == {"trust_remote_code": True, "use_safetensors": True}
    assert security.spec_model_kwargs({}, model) == {"trust_remote_code": False, "use_safetensors": True}


def test_subprocess_env_follows_the_workspace_offline_setting(tmp_path):
    root = _approved_workspace(tmp_path)
    with Workspace.open(root) as w:
        env = security.child_env(w, base={"PATH": "/bin"})
        assert env["HF_HUB_OFFLINE"] == "1" and env["HF_HUB_DISABLE_TELEMETRY"] == "1"
        assert env["PYTHONUNBUFFERED"] == "1"
        w.set_setting("offline", False)
        env = security.child_env(w, base={"PATH": "/bin", "HF_HUB_OFFLINE": "1"})
        assert "HF_HUB_OFFLINE" not in env and env["DO_NOT_TRACK"] == "1"


def test_settings_command(tmp_path, capsys):
    from engine.cli.main import main

    root = _approved_workspace(tmp_path)
    assert main(["settings", str(root), "offline", "false"]) == 0
    assert main(["settings", str(root), "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(out) == {"offline": False}
    assert main(["settings", str(root), "duplicate_threshold", "0.7"]) == 0
    with Workspace.open(root) as w:
        assert w.get_setting("duplicate_threshold") == 0.7 and not security.is_offline(w)
    assert main(["settings", str(root), "offline", "--unset"]) == 0
    with Workspace.open(root) as w:
        assert security.is_offline(w)
    capsys.readouterr()
    assert main(["settings", str(root), "colour", "blue"]) == 2
    assert "unknown setting" in capsys.readouterr().err
