"""Bug hunt: dataset and model exports to awkward places (one clear line, exit 2, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers_eval import make_run, offline_env

offline_env()


@pytest.fixture()
def ws_with_pairs(tmp_path):
    from engine.pairs import add_pair
    from engine.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    for i in range(3):
        add_pair(ws, f"Question {i} <script>alert(1)</script>?", f"Answer {i}.", status="approved")
    yield ws
    ws.close()


def test_dataset_export_under_a_file_is_a_clear_error(ws_with_pairs, tmp_path):
    from engine.errors import PairsmithError
    from engine.export import export_pairs

    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(PairsmithError, match="could not write"):
        export_pairs(ws_with_pairs, blocker / "sub" / "out.jsonl")


def test_dataset_export_cli_to_an_unwritable_place_exits_2(ws_with_pairs, tmp_path, capsys):
    from engine.cli import main

    (tmp_path / "afile").write_text("x")
    ws_with_pairs.close()
    assert main(["export", str(tmp_path / "ws"), str(tmp_path / "afile" / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error" not in err and len(err.strip().splitlines()) == 1, err


def test_model_export_under_a_file_is_a_clear_error(tmp_path, capsys):
    from engine.cli import main
    from engine.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    (tmp_path / "afile").write_text("x")
    assert main(["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "afile" / "model")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error" not in err and "afile" in err, err
