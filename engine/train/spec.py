"""The run spec (`runs/<id>/spec.json`): what a training run is, written before it starts.

    {"run_id", "created_at", "base_model", "base_model_resolved", "preset", "overrides",
     "config": {every key of presets.KEYS}, "dataset": {"version_id", "train", "heldout",
     "train_count", "heldout_count"}, "adjustments": [...changes made by the run itself...]}

`--set key=value` strings are parsed against the key's type; an unknown key or a value of the
wrong type raises BadInput (one line, exit code 2).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from engine.workspace.errors import BadInput
from engine.train.presets import CHOICES, KEYS, PRESETS

SPEC_FILE = "spec.json"
STATUS_FILE = "status.json"
CHECKPOINTS = "checkpoints"
ADAPTER = "adapter"


def _close(key: str) -> str:
    import difflib

    near = difflib.get_close_matches(key, list(KEYS), n=1)
    return f" (did you mean {near[0]}?)" if near else ""


def coerce(key: str, value: Any) -> Any:
    """Check/convert one override value against the key's type. Strings are parsed."""
    if key not in KEYS:
        raise BadInput(f"Unknown setting {key!r}{_close(key)}; see `pairsmith train --list-settings`.")
    default = KEYS[key][0]
    want = type(default)
    try:
        if want is bool:
            if isinstance(value, bool):
                out: Any = value
            elif isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
                out = True
            elif isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
                out = False
            else:
                raise ValueError
        elif want is int:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, str):
                out = int(value.strip())
            elif isinstance(value, float) and value.is_integer():
                out = int(value)
            elif isinstance(value, int):
                out = value
            else:
                raise ValueError
        elif want is float:
            if isinstance(value, bool):
                raise ValueError
            out = float(value.strip()) if isinstance(value, str) else float(value)
            if out != out or out in (float("inf"), float("-inf")):
                raise ValueError
        elif want is list:
            if isinstance(value, str):
                out = [v.strip() for v in value.split(",") if v.strip()]
            elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                out = list(value)
            else:
                raise ValueError
            if not out:
                raise ValueError
        else:  # str
            if not isinstance(value, str):
                raise ValueError
            out = value.strip()
    except (ValueError, TypeError):
        kind = {bool: "true or false", int: "a whole number", float: "a number",
                list: "a comma-separated list", str: "text"}[want]
        raise BadInput(f"Setting {key} must be {kind}, not {value!r}.") from None
    if key in CHOICES and out not in CHOICES[key]:
        raise BadInput(f"Setting {key} must be one of {', '.join(CHOICES[key])}, not {out!r}.")
    _check_range(key, out)
    return out


def _check_range(key: str, value: Any) -> None:
    positive = {"lora_r", "lora_alpha", "per_device_train_batch_size", "gradient_accumulation_steps",
                "max_length", "logging_steps", "save_steps", "save_total_limit"}
    if key in positive and value <= 0:
        raise BadInput(f"Setting {key} must be more than 0, not {value}.")
    if key in ("lora_dropout", "warmup_ratio") and not 0 <= value < 1:
        raise BadInput(f"Setting {key} must be between 0 and 1, not {value}.")
    if key == "learning_rate" and not 0 < value < 1:
        raise BadInput(f"Setting learning_rate must be between 0 and 1, not {value}.")
    if key in ("eval_steps", "loss_check_step", "threads", "inject_oom_at_step", "max_oom_retries",
               "lora_layers") and value < 0:
        raise BadInput(f"Setting {key} cannot be negative.")
    if key == "num_train_epochs" and value <= 0:
        raise BadInput("Setting num_train_epochs must be more than 0.")
    if key == "max_steps" and (value == 0 or value < -1):
        raise BadInput("Setting max_steps must be -1 (go by epochs) or more than 0.")
    if key == "target_modules":
        if not value:
            raise BadInput("Setting target_modules needs at least one module name (e.g. q_proj,v_proj).")
        if {"lm_head", "embed_tokens"} & set(value):
            raise BadInput("Setting target_modules cannot include lm_head or embed_tokens: LoRA adapts the "
                           "attention and MLP projections (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj).")


def parse_overrides(items: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """`["lora_r=8", "load_in_4bit=true"]` or a dict -> validated {key: typed value}."""
    if not items:
        return {}
    out: dict[str, Any] = {}
    if isinstance(items, Mapping):
        pairs = list(items.items())
    else:
        pairs = []
        for item in items:
            if "=" not in item:
                raise BadInput(f"--set needs key=value, not {item!r}.")
            key, value = item.split("=", 1)
            pairs.append((key.strip(), value))
    for key, value in pairs:
        out[key] = coerce(key, value)
    return out


def resolve_config(preset: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults <- preset <- overrides, every key present and typed."""
    if preset not in PRESETS:
        raise BadInput(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    config = {key: (list(default) if isinstance(default, list) else default) for key, (default, _) in KEYS.items()}
    config.update(PRESETS[preset])
    config.update(parse_overrides(dict(overrides or {})))
    return config


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A config read back from a spec file: every key known and typed."""
    out = {}
    for key, value in config.items():
        out[key] = coerce(key, value)
    missing = [k for k in KEYS if k not in out]
    for key in missing:  # a spec from an older Pairsmith: fill in defaults
        default = KEYS[key][0]
        out[key] = list(default) if isinstance(default, list) else default
    return out


def make_spec(*, run_id: str, base_model: str, base_model_resolved: str, preset: str,
              overrides: Mapping[str, Any], config: Mapping[str, Any], version_id: int | None,
              train_count: int, heldout_count: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "created_at": _dt.datetime.now().replace(microsecond=0).isoformat(),
        "base_model": base_model,
        "base_model_resolved": base_model_resolved,
        "preset": preset,
        "overrides": dict(overrides),
        "config": dict(config),
        "dataset": {
            "version_id": version_id,
            "train": "dataset/train.jsonl",
            "heldout": "dataset/heldout.jsonl",
            "train_count": train_count,
            "heldout_count": heldout_count,
        },
        "adjustments": [],
    }


def write_spec(run_dir: str | os.PathLike, spec: Mapping[str, Any]) -> Path:
    path = Path(run_dir) / SPEC_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(spec, indent=2, ensure_ascii=False))
    os.replace(tmp, path)
    return path


def load_spec(run_dir: str | os.PathLike) -> dict[str, Any]:
    path = Path(run_dir) / SPEC_FILE
    try:
        spec = json.loads(path.read_text())
    except FileNotFoundError:
        raise BadInput(f"{run_dir} is not a training run folder (no {SPEC_FILE}).") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path} is damaged ({str(exc).splitlines()[0][:120]}).") from None
    if not isinstance(spec, dict):
        raise BadInput(f"{path} is damaged: it holds a {type(spec).__name__}, not a run spec.")
    for key in ("run_id", "base_model", "config", "dataset"):
        if key not in spec:
            raise BadInput(f"{path} has no {key!r}; it was not written by Pairsmith.")
    if not isinstance(spec["config"], dict):
        raise BadInput(f"{path} is damaged: its config is not a set of settings.")
    spec["config"] = validate_config(spec["config"])
    spec.setdefault("adjustments", [])
    return spec


def write_status(run_dir: str | os.PathLike, **fields: Any) -> None:
    """Merge fields into status.json (atomically): state, pid, step, total, checkpoint, ..."""
    path = Path(run_dir) / STATUS_FILE
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        status = {}
    status.update(fields)
    status["updated_at"] = _dt.datetime.now().replace(microsecond=0).isoformat()
    tmp = path.with_name(f".status.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status, indent=2))
    os.replace(tmp, path)
