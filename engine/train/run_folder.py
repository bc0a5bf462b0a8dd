"""Finding the parts of a run folder that training, merging, evaluation, export and the
playground all load: the base model the run was trained on and the adapter it ended with.

    base_model_path(spec) -> a local folder or hub id for `from_pretrained`. The environment
        variable PAIRSMITH_BASE_MODEL overrides it (a bundle trained on another box, a base model
        folder that moved); a local folder that is gone is a BadInput naming it.
    find_adapter(run_dir) -> the adapter folder, or None while the run has none
    adapter_dir(run_dir) -> the adapter folder, or NotFound saying why there is none
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from engine.workspace.errors import BadInput, NotFound
from engine.train.spec import ADAPTER, STATUS_FILE

BASE_MODEL_ENV = "PAIRSMITH_BASE_MODEL"


def _looks_like_folder(name: str) -> bool:
    return Path(name).expanduser().is_absolute() or name.startswith((".", "~"))


def base_model_path(spec: dict) -> str:
    """The base model (folder or hub id) a run was trained on, for loading it again."""
    from engine.train.models import default_cache_dir, resolve_base_model

    override = os.environ.get(BASE_MODEL_ENV)
    if override:
        return resolve_base_model(override, default_cache_dir())
    resolved = str(spec.get("base_model_resolved") or "") or None
    name = str(spec.get("base_model") or resolved or "")
    if not name:
        raise BadInput("The run's spec.json names no base model.")
    if resolved and Path(resolved).is_dir():
        return resolved
    if resolved and "/" in resolved and not _looks_like_folder(resolved):
        return resolved  # a hub id
    resolved_folder = resolved if resolved and Path(resolved).is_absolute() else None
    hub_shaped = name.count("/") == 1 and not _looks_like_folder(name)  # a hub id whose local copy moved: the hub id
    from engine.train.gguf_base import is_gguf_name

    converted = is_gguf_name(name)  # a GGUF's cached conversion that was cleared: converted again
    if not name.startswith("builtin:") and not hub_shaped and not converted and (
            resolved_folder or _looks_like_folder(name)):
        # a local folder when the run was prepared (the built-in model is simply built again)
        folder = resolved_folder or name
        if not Path(folder).expanduser().exists():
            raise BadInput(f"The base model folder {folder} is gone (moved or deleted): put it back there, or point "
                           f"{BASE_MODEL_ENV} at its new place (for a bundle: BASE_MODEL=/path bash run.sh).")
    return resolve_base_model(name, default_cache_dir())


def find_adapter(run_dir: str | os.PathLike) -> Path | None:
    """The run's adapter folder when training saved one (it holds adapter_config.json)."""
    path = Path(run_dir) / ADAPTER
    return path if (path / "adapter_config.json").is_file() else None


def adapter_dir(run_dir: str | os.PathLike) -> Path:
    """The run's adapter folder; NotFound (with what to do) when it has none."""
    path = find_adapter(run_dir)
    if path is not None:
        return path
    name = Path(run_dir).name
    try:
        state = json.loads((Path(run_dir) / STATUS_FILE).read_text(encoding="utf-8")).get("state")
    except (OSError, ValueError, AttributeError):
        state = None
    if state == "done":
        raise NotFound(f"Run {name} finished training, but its adapter folder {Path(run_dir) / ADAPTER} is missing "
                       "or incomplete (deleted or moved): put it back, or train again.")
    raise NotFound(f"Run {name} has no trained adapter yet (train it to the end first).")
