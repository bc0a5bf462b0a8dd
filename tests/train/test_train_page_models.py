"""The Train page's base-model picker: the built-in models, the local Ollama models, a GGUF file,
and the preset that follows the model (cpu-smoke for the tiny model, cpu-lora for a real one on
a CPU) unless the user picked another."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
pytest.importorskip("pytestqt")

from desktop_helpers import app_context  # noqa: E402


def _fake_ollama(root: Path) -> Path:
    import hashlib
    import json

    blob = b"GGUF not really"
    digest = hashlib.sha256(blob).hexdigest()
    (root / "blobs").mkdir(parents=True)
    (root / "blobs" / f"sha256-{digest}").write_bytes(blob)
    for name, tag in (("llama3.2", "1b"), ("qwen2.5", "latest")):
        manifest = root / "manifests" / "registry.ollama.ai" / "library" / name / tag
        manifest.parent.mkdir(parents=True)
        manifest.write_text(json.dumps({"layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": len(blob)}]}))
    return root


def test_picker_lists_builtin_and_ollama_models_and_the_preset_follows(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop.pages.train import TrainPage
    from desktop.settings import Settings

    monkeypatch.setenv("OLLAMA_MODELS", str(_fake_ollama(tmp_path / "ollama")))
    monkeypatch.setattr("engine.train.gguf_base.smollm2_installed", lambda: False)
    monkeypatch.setattr("engine.train.presets.default_preset",
                        lambda base_model=None: "cpu-smoke" if base_model in (None, "builtin:tiny") else "cpu-lora")
    with app_context(Settings(tmp_path / "settings.ini"), tmp_path / "ws") as ctx:
        page = TrainPage(ctx)
        qtbot.addWidget(page)
        page.activate()
        assert ctx.worker.wait_idle(30)
        qtbot.waitUntil(lambda: page.preset_combo.count() > 0, timeout=10000)
        items = [page.model_combo.itemText(i) for i in range(page.model_combo.count())]
        assert items == ["builtin:tiny", "builtin:smollm2", "ollama:llama3.2:1b", "ollama:qwen2.5:latest"]
        assert page.preset_combo.currentData() == "cpu-smoke"

        page.model_combo.setCurrentText("builtin:smollm2")
        assert page.preset_combo.currentData() == "cpu-lora"
        page.model_combo.setCurrentText("builtin:tiny")
        assert page.preset_combo.currentData() == "cpu-smoke"

        # a preset the user chose stays when the model changes
        page.preset_combo.setCurrentIndex(page.preset_combo.findData("lora-bf16"))
        page.model_combo.setCurrentText("ollama:qwen2.5:latest")
        assert page.preset_combo.currentData() == "lora-bf16"

        monkeypatch.setattr(QFileDialog, "getOpenFileName",
                            staticmethod(lambda *a, **k: (str(tmp_path / "models" / "helper.Q4_K_M.gguf"), "")))
        page.choose_model_file()
        assert page.model_combo.currentText().endswith("helper.Q4_K_M.gguf")


def test_the_page_starts_with_the_real_small_model_where_it_is_installed_then_with_the_last_runs_model(
        qtbot, tmp_path, monkeypatch):
    from desktop.pages.train import TrainPage
    from desktop.settings import Settings
    from engine.train import ops

    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "no-ollama"))
    monkeypatch.setattr("engine.train.gguf_base.smollm2_installed", lambda: True)
    monkeypatch.setattr("engine.train.presets.default_preset",
                        lambda base_model=None: "cpu-smoke" if base_model in (None, "builtin:tiny") else "cpu-lora")
    with app_context(Settings(tmp_path / "settings.ini"), tmp_path / "ws") as ctx:
        page = TrainPage(ctx)
        qtbot.addWidget(page)
        page.activate()
        assert ctx.worker.wait_idle(30)
        qtbot.waitUntil(lambda: page.preset_combo.count() > 0, timeout=10000)
        assert page.model_combo.currentText() == "builtin:smollm2"
        assert page.preset_combo.currentData() == "cpu-lora"

    # a workspace with runs starts with the newest run's base model, whatever is installed
    monkeypatch.setattr(ops, "list_runs", lambda ws: [{"id": "r2", "base_model": "/models/qwen.gguf"},
                                                      {"id": "r1", "base_model": "builtin:tiny"}])
    monkeypatch.setattr(ops, "run_view", lambda ws, run_id, runs=None: None)
    from engine.workspace.store import Workspace

    with Workspace.open(tmp_path / "ws") as ws:
        assert ops.load_setup(ws)["default_base_model"] == "/models/qwen.gguf"
