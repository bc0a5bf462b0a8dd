"""Where the bundled resources (sample data, presets, icons) live: beside the source tree in a
checkout, or under the install prefix (share/pairsmith/resources) in an installed wheel."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.workspace.errors import PairsmithError


def resources_dir() -> Path:
    candidates = [
        Path(__file__).resolve().parents[2] / "resources",
        Path(sys.prefix) / "share" / "pairsmith" / "resources",
    ]
    for c in candidates:
        if (c / "sample").is_dir():
            return c
    raise PairsmithError("the bundled resources folder is missing; reinstall Pairsmith")


def sample_path(name: str = "helpdesk_export.csv") -> Path:
    return resources_dir() / "sample" / name
