"""Bug hunt: dataset and model exports to awkward places (one clear line, exit 2, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers_eval import make_run, offline_env

offline_env()


@pytest.fixture()
def ws_with_pairs(tmp_path):
    from engine.review.pairs import add_pair
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    for i in range(3):
        add_pair(ws, f"Question {i} <script>alert(1)</script>?", f"Answer {i}.", status="approved")
    yield ws
    ws.close()


def test_dataset_export_under_a_file_is_a_clear_error(ws_with_pairs, tmp_path):
    from engine.workspace.errors import PairsmithError
    from engine.dataset.export import export_pairs

    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(PairsmithError, match="could not write"):
        export_pairs(ws_with_pairs, blocker / "sub" / "out.jsonl")


def test_dataset_export_cli_to_an_unwritable_place_exits_2(ws_with_pairs, tmp_path, capsys):
    from engine.cli.main import main

    (tmp_path / "afile").write_text("x")
    ws_with_pairs.close()
    assert main(["export", str(tmp_path / "ws"), str(tmp_path / "afile" / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error" not in err and len(err.strip().splitlines()) == 1, err


def test_model_export_under_a_file_is_a_clear_error(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    (tmp_path / "afile").write_text("x")
    assert main(["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "afile" / "model")]) == 2
    err = capsys.readouterr().err
    assert "unexpected error" not in err and "afile" in err, err


def test_split_export_refuses_personal_data_redacted_after_freezing(tmp_path, capsys):
    """freeze -> redact -> export --split: the frozen copy still held the e-mail address, and with
    the personal-data flags gone it was written out without a word."""
    from engine.cli.main import main
    from engine.dataset.export import export_pairs
    from engine.workspace.errors import BadInput
    from engine.review.pairs import add_pair
    from engine.privacy.redact import redact_all
    from engine.dataset.split import freeze
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    try:
        for i in range(10):
            contact = " Reach me at priya.sharma@example.com." if i == 0 else ""
            add_pair(ws, f"How do I request laptop model {i}?{contact}", f"Use the IT Portal, form IT-{i}.",
                     status="approved")
        version = freeze(ws, holdout=0.2)["version_id"]
        redact_all(ws)
        assert "priya" not in ws.query("SELECT instruction FROM pairs WHERE id = 1")[0]["instruction"]
        with pytest.raises(BadInput, match="redacted after"):
            export_pairs(ws, tmp_path / "all.jsonl", version=version)
        res = export_pairs(ws, tmp_path / "all.jsonl", version=version, allow_pii=True)  # the user's call
        assert res["pairs"] == 10
        # a version frozen after the redaction exports without complaint
        clean = freeze(ws, holdout=0.2)["version_id"]
        export_pairs(ws, tmp_path / "clean.jsonl", version=clean)
        assert "priya" not in (tmp_path / "clean.jsonl").read_text()
    finally:
        ws.close()
    out = tmp_path / "train.jsonl"
    main(["export", str(tmp_path / "ws"), str(out), "--version", str(version)])
    assert "redacted after" in capsys.readouterr().err


def test_ollama_export_refuses_an_unsupported_architecture_before_merging(tmp_path, monkeypatch):
    """A Qwen/Gemma base used to be merged in full (minutes, ~4 bytes per parameter of memory)
    before the GGUF writer said it does not support the architecture."""
    import engine.evaluate.export_model as em
    from engine.workspace.errors import BadInput
    from engine.workspace.store import Workspace

    base = tmp_path / "qwen-base"
    base.mkdir()
    (base / "config.json").write_text(json.dumps({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]}))
    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", str(base))
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")

    def no_merge(*a, **k):
        raise AssertionError("merged before checking the architecture")

    monkeypatch.setattr(em, "export_merged", no_merge)
    with pytest.raises(BadInput, match="Llama and Mistral"):
        em.export_model(run, tmp_path / "out", fmt="ollama")
    assert not (tmp_path / "out").exists()


def test_export_refuses_to_overwrite_the_workspace_database(ws_with_pairs, tmp_path):
    """`pairsmith export WS WS/pairsmith.duckdb` (a slip of the tab key) replaced the database."""
    from engine.workspace.errors import BadInput
    from engine.dataset.export import export_pairs

    ws = ws_with_pairs
    before = ws.db_path.read_bytes()
    for target in (ws.db_path, Path(str(ws.db_path) + ".wal"), ws.root / "backups" / "x.duckdb"):
        with pytest.raises(BadInput, match="workspace"):
            export_pairs(ws, target)
    assert ws.db_path.read_bytes() == before
    assert ws.counts()["approved"] == 3


def test_empty_split_message_names_the_version(tmp_path):
    from engine.workspace.errors import BadInput
    from engine.dataset.export import export_pairs
    from engine.review.pairs import add_pair
    from engine.dataset.split import freeze
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    try:
        add_pair(ws, "Only question?", "Only answer.", status="approved")
        version = freeze(ws)["version_id"]  # one pair: nothing can be held out
        with pytest.raises(BadInput, match=f"held-out part of dataset version {version} is empty"):
            export_pairs(ws, tmp_path / "h.jsonl", split="heldout")
    finally:
        ws.close()


def test_a_failed_export_into_a_folder_the_user_made_leaves_the_folder(tmp_path, monkeypatch):
    import engine.evaluate.export_model as em
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    chosen = tmp_path / "my exports"
    chosen.mkdir()  # made in the folder dialog

    def broken(run_dir, out):
        (Path(out) / "half-written.bin").write_text("x")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(em, "export_adapter", broken)
    with pytest.raises(OSError):
        em.export_model(run, chosen, fmt="adapter")
    assert chosen.is_dir() and not any(chosen.iterdir())
    with pytest.raises(OSError):
        em.export_model(run, tmp_path / "new", fmt="adapter")
    assert not (tmp_path / "new").exists()  # a folder the export made is removed
