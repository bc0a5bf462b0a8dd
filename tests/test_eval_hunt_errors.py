"""Bug hunt: evaluation, playground and export error paths a user hits (one clear line, the right
exit code, never a traceback or "stopped unexpectedly")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_eval import make_run, offline_env

offline_env()
ROOT = Path(__file__).resolve().parents[1]


def _empty_heldout(run: Path) -> None:
    (run / "dataset" / "heldout.jsonl").write_text("", encoding="utf-8")


def _fake_adapter(run: Path) -> None:
    (run / "adapter").mkdir(parents=True, exist_ok=True)
    (run / "adapter" / "adapter_config.json").write_text("{}", encoding="utf-8")


def test_eval_subprocess_reports_an_error_as_one_json_event(tmp_path):
    """A PairsmithError inside `python -m engine.evaluate` used to crash in emit() (the `kind` field
    clashed with emit's own parameter): no error event, so the parent said 'stopped unexpectedly'."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "engine.evaluate", str(tmp_path / "no-such-run")],
                          capture_output=True, text=True, cwd=str(ROOT), env=env, timeout=120)
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert events and events[-1]["event"] == "error", proc.stderr[-2000:]
    assert "not a training run" in events[-1]["message"] and events[-1]["kind"] == "NotFound"
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_eval_with_a_relative_workspace_path_and_empty_heldout(tmp_path, monkeypatch, capsys):
    """`pairsmith eval ws --run R` with a relative workspace path: the subprocess runs in the
    project folder, so the relative run folder was not found there. An empty held-out set is
    bad input: one clear line and exit 2."""
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    monkeypatch.chdir(tmp_path)
    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    _fake_adapter(run)
    _empty_heldout(run)
    assert main(["eval", "ws", "--run", "run-1"]) == 2
    err = capsys.readouterr().err
    assert "no held-out pairs" in err, err
    assert len(err.strip().splitlines()) == 1


def _moved_base_run(ws_root: Path) -> Path:
    gone = str(ws_root.parent / "models" / "my-base")  # trained on a folder that was moved since
    run = make_run(ws_root, gone)
    spec = json.loads((run / "spec.json").read_text())
    spec["base_model"] = gone
    (run / "spec.json").write_text(json.dumps(spec))
    _fake_adapter(run)
    return run


def test_base_model_folder_moved_gives_a_clear_message(tmp_path, capsys):
    from engine.cli.main import main
    from engine.evaluate import base_model_path
    from engine.workspace.errors import BadInput
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = _moved_base_run(tmp_path / "ws")
    with pytest.raises(BadInput, match="moved or deleted"):
        base_model_path(json.loads((run / "spec.json").read_text()))
    assert main(["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "m"), "--format", "merged"]) == 2
    err = capsys.readouterr().err
    assert "moved or deleted" in err and "builtin:tiny" not in err


def test_adapter_export_does_not_need_the_base_model(tmp_path):
    """The adapter format copies the adapter folder: a moved base model must not block it."""
    from engine.evaluate.export_model import export_model

    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = _moved_base_run(tmp_path / "ws")
    res = export_model(run, tmp_path / "out", fmt="adapter")
    assert "adapter_config.json" in res["files"] and "README.md" in res["files"]


def test_eval_subprocess_finds_the_run_of_a_relative_workspace_path(tmp_path, monkeypatch, capsys):
    """The subprocess runs in the project folder: a relative run folder must be made absolute.
    (Here it then stops on the moved base model: a BadInput from the subprocess is exit 2 too.)"""
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    monkeypatch.chdir(tmp_path)
    Workspace.create(tmp_path / "ws").close()
    _moved_base_run(tmp_path / "ws")
    assert main(["eval", "ws", "--run", "run-1"]) == 2
    err = capsys.readouterr().err
    assert "moved or deleted" in err and "unexpectedly" not in err, err


def _ws_with_run(tmp_path):
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    _fake_adapter(run)
    return run


@pytest.mark.parametrize("args, expected", [
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "-1"], "--batch-size"),
])
def test_eval_bad_numbers_are_refused(tmp_path, capsys, args, expected):
    from engine.cli.main import main

    _ws_with_run(tmp_path)
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", *args]) == 2
    assert expected in capsys.readouterr().err


def test_generate_with_batch_size_below_one_answers_one_at_a_time(tmp_path):
    from engine.evaluate.generate import build_prompt, generate, load_model
    from helpers_eval import make_tiny_base

    model, tok = load_model(make_tiny_base(tmp_path / "tiny"))
    prompts = [build_prompt(tok, q) for q in ("How many sick days?", "Who approves leave?")]
    one = generate(model, tok, prompts, max_new_tokens=4, batch_size=1)
    assert generate(model, tok, prompts, max_new_tokens=4, batch_size=-1) == one
    assert generate(model, tok, prompts, max_new_tokens=4, batch_size=0) == one


def test_baseline_prompt_that_is_not_a_utf8_text_file(tmp_path, capsys):
    from engine.cli.main import main

    _ws_with_run(tmp_path)
    bad = tmp_path / "prompt.txt"
    bad.write_bytes(b"\xff\xfe not utf-8 \xff")
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", "--baseline-prompt", str(bad)]) == 2
    assert "UTF-8" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", "--baseline-prompt", str(tmp_path)]) == 2
    assert "not a file" in capsys.readouterr().err


def test_cuda_requested_without_a_gpu_is_a_clear_error(monkeypatch):
    import torch

    from engine.workspace.errors import BadInput
    from engine.evaluate.generate import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(BadInput, match="--device cpu"):
        pick_device("cuda")
    assert pick_device("auto") == "cpu"


def test_a_finished_run_whose_adapter_was_deleted_says_so(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")  # no adapter folder
    (run / "status.json").write_text(json.dumps({"state": "done", "step": 3, "total": 3}))
    for argv in (["eval", str(tmp_path / "ws"), "--run", "run-1"],
                 ["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "out")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "deleted or moved" in err and "train it to the end" not in err, err


def test_a_damaged_dataset_file_in_the_run_is_one_clear_line(tmp_path, capsys):
    from engine.cli.main import main

    run = _ws_with_run(tmp_path)
    (run / "dataset" / "heldout.jsonl").write_text('{"instruction": "cut off', encoding="utf-8")
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "heldout.jsonl" in err and "unexpected" not in err, err


def test_a_hub_id_base_with_a_stale_local_path_still_resolves_to_the_hub_id():
    from engine.evaluate import base_model_path

    spec = {"run_id": "r", "base_model": "someorg/some-model", "base_model_resolved": "/gone/elsewhere"}
    assert base_model_path(spec) == "someorg/some-model"


def test_run_id_forms(tmp_path, capsys):
    """An empty run id used to point at runs/ itself ('Run runs has no trained adapter'); a
    tab-completed 'runs/ID/' is taken as ID."""
    from engine.cli.main import main
    from engine.evaluate import clean_run_id
    from engine.workspace.errors import BadInput

    assert clean_run_id("runs/2026-abc/") == "2026-abc" and clean_run_id(" r1 ") == "r1"
    for bad in ("", "  ", ".", "..", "runs/.."):
        with pytest.raises(BadInput, match="run id"):
            clean_run_id(bad)
    run = _ws_with_run(tmp_path)
    _empty_heldout(run)
    assert main(["eval", str(tmp_path / "ws"), "--run", ""]) == 2
    assert "run id" in capsys.readouterr().err
    assert main(["export-model", str(tmp_path / "ws"), "", str(tmp_path / "o")]) == 2
    assert "run id" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "ws"), "--run", "runs/run-1/"]) == 2  # found: stops on the empty held-out set
    assert "no held-out pairs" in capsys.readouterr().err
