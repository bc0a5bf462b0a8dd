"""Shared fixtures. Tests never read ../shared and never touch the network."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402


@pytest.fixture
def ws(tmp_path):
    from engine.workspace.store import Workspace

    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()
