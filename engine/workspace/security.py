"""Nothing leaks, nothing unchosen runs: how models are loaded and what child processes see.

    model_load_kwargs(model_id, allow_remote_code=False, allow_pickle=False) -> dict
        keyword arguments for every `from_pretrained` of a model: no remote code, safetensors only,
        unless the user opted in for this model.
    tokenizer_load_kwargs(model_id, allow_remote_code=False) -> dict
    workspace_load_kwargs(ws, model_id) / workspace_tokenizer_kwargs(ws, model_id)
        the same with the user's per-model choices read from the workspace setting `trusted_models`.
    check_model_folder(path, allow_remote_code=False, allow_pickle=False)
        BadInput before anything loads: a folder with only pickle weights, or a config that asks
        for custom code (`auto_map`), is refused unless the user allowed it for this model.
    trust_model(ws, model_id, remote_code=..., pickle=...) / trusted(ws, model_id)
    offline_env(ws) -> {"HF_HUB_OFFLINE": "1", ...} while the workspace setting `offline` is true
        (the default): nothing is fetched from a model hub.
    no_telemetry_env() -> {"HF_HUB_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1", ...}
    child_env(ws, base=None) -> the environment for a training/evaluation subprocess (the one
        place it is made: the CLI's runner in engine/train/launch.py and the desktop's QProcess).
    apply_to_process(ws=None) -> sets the same variables in this process (CLI and app start).

Why: `trust_remote_code=True` runs Python files that come with a model; a pickle checkpoint
(`pytorch_model.bin`, `.pt`, `.ckpt`) can run code when it is unpickled. Both are only allowed
for a model the user names explicitly (`pairsmith trust WS MODEL --remote-code/--pickle`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from engine.workspace.errors import BadInput

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # what child processes import the engine from
TRUSTED_SETTING = "trusted_models"
OFFLINE_SETTING = "offline"
SAFE_WEIGHTS = (".safetensors", ".gguf")
PICKLE_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
_NOT_WEIGHTS = ("training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth", "scaler.pt")
CODE_CONFIGS = ("config.json", "tokenizer_config.json", "preprocessor_config.json", "processor_config.json",
                "adapter_config.json")

TELEMETRY_ENV = {
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # never send a stored hub token unasked
    "DO_NOT_TRACK": "1",
    "WANDB_DISABLED": "true",
    "WANDB_MODE": "disabled",
    "DISABLE_MLFLOW_INTEGRATION": "TRUE",
    "COMET_MODE": "DISABLED",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
}


# --- keyword arguments for from_pretrained ---------------------------------------------------
def model_load_kwargs(model_id: str | os.PathLike, *, allow_remote_code: bool = False,
                      allow_pickle: bool = False) -> dict[str, Any]:
    """Keyword arguments for `AutoModel*.from_pretrained(model_id, **kwargs)`.

    `trust_remote_code` is always passed explicitly (False unless the user opted in for this
    model) and `use_safetensors=True` refuses pickle weights unless the user opted in."""
    kwargs: dict[str, Any] = {"trust_remote_code": bool(allow_remote_code)}
    if not allow_pickle:
        kwargs["use_safetensors"] = True
    return kwargs


def tokenizer_load_kwargs(model_id: str | os.PathLike, *, allow_remote_code: bool = False) -> dict[str, Any]:
    """Keyword arguments for `AutoTokenizer/AutoConfig.from_pretrained` (no weights to load)."""
    return {"trust_remote_code": bool(allow_remote_code)}


def _key(model_id: str | os.PathLike) -> str:
    text = str(model_id)
    path = Path(text).expanduser()
    if path.exists():
        return str(path.resolve())
    return text


def trusted(ws, model_id: str | os.PathLike) -> dict[str, bool]:
    """{"remote_code": bool, "pickle": bool}: what the user allowed for this model."""
    table = ws.get_setting(TRUSTED_SETTING, {}) if ws is not None else {}
    entry = table.get(_key(model_id)) if isinstance(table, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    return {"remote_code": entry.get("remote_code") is True, "pickle": entry.get("pickle") is True}


def trust_model(ws, model_id: str | os.PathLike, *, remote_code: bool = False, pickle: bool = False) -> dict[str, bool]:
    """Record the user's choice for one model (both False removes the entry)."""
    table = ws.get_setting(TRUSTED_SETTING, {})
    table = dict(table) if isinstance(table, dict) else {}
    key = _key(model_id)
    if remote_code or pickle:
        table[key] = {"remote_code": bool(remote_code), "pickle": bool(pickle)}
    else:
        table.pop(key, None)
    ws.set_setting(TRUSTED_SETTING, table)
    return trusted(ws, model_id)


def trusted_models(ws) -> dict[str, dict[str, bool]]:
    table = ws.get_setting(TRUSTED_SETTING, {})
    return dict(table) if isinstance(table, dict) else {}


def workspace_load_kwargs(ws, model_id: str | os.PathLike) -> dict[str, Any]:
    t = trusted(ws, model_id)
    return model_load_kwargs(model_id, allow_remote_code=t["remote_code"], allow_pickle=t["pickle"])


def workspace_tokenizer_kwargs(ws, model_id: str | os.PathLike) -> dict[str, Any]:
    return tokenizer_load_kwargs(model_id, allow_remote_code=trusted(ws, model_id)["remote_code"])


def spec_trust(spec: Mapping[str, Any] | None) -> dict[str, bool]:
    """What the user allowed for a run's base model, as the parent wrote it into spec.json
    (training/evaluation subprocesses never open the workspace to read the setting)."""
    t = (spec or {}).get("trust") or {}
    t = t if isinstance(t, dict) else {}
    return {"remote_code": t.get("remote_code") is True, "pickle": t.get("pickle") is True}


def spec_model_kwargs(spec: Mapping[str, Any] | None, model_id: str | os.PathLike) -> dict[str, Any]:
    t = spec_trust(spec)
    return model_load_kwargs(model_id, allow_remote_code=t["remote_code"], allow_pickle=t["pickle"])


def spec_tokenizer_kwargs(spec: Mapping[str, Any] | None, model_id: str | os.PathLike) -> dict[str, Any]:
    return tokenizer_load_kwargs(model_id, allow_remote_code=spec_trust(spec)["remote_code"])


# --- checking a model folder before loading it -----------------------------------------------
def _weight_files(folder: Path) -> tuple[list[Path], list[Path]]:
    safe, pickled = [], []
    for f in folder.rglob("*"):
        if not f.is_file() or any(part.startswith("checkpoint-") for part in f.relative_to(folder).parts[:-1]):
            continue
        name = f.name.lower()
        if name in _NOT_WEIGHTS:
            continue
        if name.endswith(SAFE_WEIGHTS):
            safe.append(f)
        elif name.endswith(PICKLE_WEIGHTS):
            pickled.append(f)
    return safe, pickled


def remote_code_reasons(folder: str | os.PathLike) -> list[str]:
    """Why this model folder would run its own code: `auto_map` entries in its configs, or .py
    files beside the weights."""
    folder = Path(folder)
    reasons = []
    for name in CODE_CONFIGS:
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        except (ValueError, OSError, RecursionError):
            continue
        if isinstance(data, dict) and data.get("auto_map"):
            reasons.append(f"{name} has auto_map (custom model code)")
    py = sorted(p.name for p in folder.glob("*.py"))
    if py and reasons:
        reasons.append("code files: " + ", ".join(py[:5]))
    return reasons


def check_model_folder(path: str | os.PathLike, *, allow_remote_code: bool = False,
                       allow_pickle: bool = False, needs_weights: bool = True) -> Path:
    """Refuse a local model folder that would run code when loaded (BadInput), unless allowed.
    A hub id (not a folder) is left to `from_pretrained` with model_load_kwargs()."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        return folder
    reasons = remote_code_reasons(folder)
    if reasons and not allow_remote_code:
        raise BadInput(
            f"The model in {folder} needs its own Python code to load ({reasons[0]}), which Pairsmith does "
            f"not run unless you allow it for this model: `pairsmith trust WS {folder} --remote-code` "
            "(only for a model you trust)."
        )
    if needs_weights:
        safe, pickled = _weight_files(folder)
        if pickled and not safe and not allow_pickle:
            names = ", ".join(sorted(p.name for p in pickled)[:3])
            raise BadInput(
                f"The model in {folder} has only pickle weight files ({names}), which can run code when "
                "loaded. Convert them to safetensors, or allow pickle files for this model: "
                f"`pairsmith trust WS {folder} --pickle` (only for a model you trust)."
            )
    return folder


def check_workspace_model(ws, path: str | os.PathLike, *, needs_weights: bool = True) -> dict[str, Any]:
    """check_model_folder with the user's choices for this model; returns the load kwargs."""
    t = trusted(ws, path)
    check_model_folder(path, allow_remote_code=t["remote_code"], allow_pickle=t["pickle"],
                       needs_weights=needs_weights)
    return model_load_kwargs(path, allow_remote_code=t["remote_code"], allow_pickle=t["pickle"])


# --- environment -----------------------------------------------------------------------------
def is_offline(ws) -> bool:
    if ws is None:
        return True
    from engine.workspace import settings

    return settings.get(ws, OFFLINE_SETTING) is not False


def offline_env(ws) -> dict[str, str]:
    """Variables that keep the HF libraries off the network while the workspace is offline
    (the default). An empty dict when the user switched `offline` off."""
    return dict(OFFLINE_ENV) if is_offline(ws) else {}


def no_telemetry_env() -> dict[str, str]:
    return dict(TELEMETRY_ENV)


def child_env(ws=None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a training or evaluation subprocess: the base (default os.environ)
    with the project importable, unbuffered output, no tokenizer thread pools, telemetry off and,
    while the workspace is offline (the default; `ws=None` counts as offline), the hub off.
    Online, stale offline flags are removed."""
    env = dict(os.environ if base is None else base)
    env.update(no_telemetry_env())
    off = offline_env(ws)
    if off:
        env.update(off)
    else:
        for key in OFFLINE_ENV:
            env.pop(key, None)
    paths = [str(PROJECT_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def apply_to_process(ws=None) -> None:
    """Set the same variables in this process. Call before transformers/huggingface_hub are
    imported (they read some of them once, at import)."""
    os.environ.update(no_telemetry_env())
    off = offline_env(ws)
    if off:
        os.environ.update(off)
