"""Training events: one JSON object per line, on the subprocess's stdout and in `runs/<id>/events.jsonl`.

Every event has "event" (its kind), "run" (the run id) and "time" (unix seconds). Kinds:

- preflight   ok, device, gpu_name, gpu_total_gb, gpu_free_gb, estimate_gb, estimate, free_disk_gb, message
- started     config, trainable_params, total_params, device, total_steps, resumed_from, world_size,
              precision {compute_dtype, quantization, linear_4bit_layers, attn_implementation, batching}
- step        step, total, loss, lr, grad_norm, tokens_per_s, eta_s, gpu_mem_gb, epoch
- eval        step, eval_loss, metrics
- checkpoint  step, path
- warning     code, message, what_to_do
- cancelled   step, total, checkpoint (path or null): the run stopped on request and can be resumed
- done        adapter_path, metrics, step, total
- error       kind, message, what_to_do

`SCHEMA` is a JSON Schema (draft 2020-12) for all of them; `validate_event(obj)` checks one event
without any third-party package and returns a list of problems (empty: valid).
`parse_line(line)` turns one stdout line into an event dict, or None for anything else.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Mapping

EVENTS_FILE = "events.jsonl"

_num = {"type": "number"}
_num_or_null = {"type": ["number", "null"]}
_int = {"type": "integer", "minimum": 0}
_str = {"type": "string"}

_PAYLOADS: dict[str, dict[str, Any]] = {
    "preflight": {
        "required": ["ok", "device", "message"],
        "properties": {
            "ok": {"type": "boolean"}, "device": _str, "gpu_name": {"type": ["string", "null"]},
            "gpu_total_gb": _num_or_null, "gpu_free_gb": _num_or_null, "estimate_gb": _num_or_null,
            "estimate": {"type": "object"}, "free_disk_gb": _num_or_null, "message": _str,
        },
    },
    "started": {
        "required": ["config", "trainable_params", "total_params", "device", "total_steps"],
        "properties": {
            "config": {"type": "object"}, "trainable_params": _int, "total_params": _int,
            "device": _str, "total_steps": _int, "resumed_from": {"type": ["string", "null"]},
            "world_size": _int, "precision": {"type": "object"},
        },
    },
    "step": {
        "required": ["step", "total", "loss", "lr", "grad_norm", "tokens_per_s", "eta_s", "gpu_mem_gb"],
        "properties": {
            "step": _int, "total": _int, "loss": _num, "lr": _num, "grad_norm": _num_or_null,
            "tokens_per_s": _num_or_null, "eta_s": _num_or_null, "gpu_mem_gb": _num_or_null,
            "epoch": _num_or_null,
        },
    },
    "eval": {
        "required": ["step", "eval_loss"],
        "properties": {"step": _int, "eval_loss": _num_or_null, "metrics": {"type": "object"}},
    },
    "checkpoint": {"required": ["step", "path"], "properties": {"step": _int, "path": _str}},
    "warning": {
        "required": ["code", "message", "what_to_do"],
        "properties": {"code": _str, "message": _str, "what_to_do": _str, "details": {"type": "object"}},
    },
    "cancelled": {
        "required": ["step", "total", "checkpoint"],
        "properties": {"step": _int, "total": _int, "checkpoint": {"type": ["string", "null"]}},
    },
    "done": {
        "required": ["adapter_path", "metrics", "step", "total"],
        "properties": {"adapter_path": _str, "metrics": {"type": "object"}, "step": _int, "total": _int},
    },
    "error": {
        "required": ["kind", "message", "what_to_do"],
        "properties": {"kind": _str, "message": _str, "what_to_do": _str},
    },
}
KINDS = tuple(_PAYLOADS)


def _event_schema(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    props = {"event": {"const": kind}, "run": _str, "time": _num}
    props.update(payload["properties"])
    return {"type": "object", "required": ["event", "run", "time", *payload["required"]], "properties": props}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Pairsmith training event",
    "oneOf": [_event_schema(kind, payload) for kind, payload in _PAYLOADS.items()],
}


# --- a small validator for the subset of JSON Schema used above --------------------------------
def _type_ok(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    if kind == "string":
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise ValueError(kind)


def _check(value: Any, schema: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: expected {schema['const']!r}, got {value!r}")
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, k) for k in kinds):
            return problems + [f"{where}: expected {'/'.join(kinds)}, got {type(value).__name__}"]
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        problems.append(f"{where}: below {schema['minimum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}: missing {key!r}")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += _check(value[key], sub, f"{where}.{key}")
    return problems


def validate_event(obj: Any) -> list[str]:
    """Problems with one event (empty list: it matches SCHEMA)."""
    if not isinstance(obj, dict):
        return ["event is not an object"]
    kind = obj.get("event")
    if kind not in _PAYLOADS:
        return [f"unknown event kind {kind!r}"]
    return _check(obj, _event_schema(kind, _PAYLOADS[kind]), kind)


def json_object(line: str | bytes) -> dict[str, Any] | None:
    """One stdout line of a JSON-lines subprocess -> its object with an "event", or None for
    anything else (library chatter, half lines). Training and evaluation both speak this."""
    text = (line.decode("utf-8", "replace") if isinstance(line, bytes) else line).strip()
    if not text.startswith("{"):
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) and "event" in obj else None


def parse_line(line: str | bytes) -> dict[str, Any] | None:
    """One line of the training subprocess's stdout -> a training event, or None when it is not one."""
    obj = json_object(line)
    if obj is None or obj.get("event") not in _PAYLOADS or "run" not in obj:
        return None
    return obj


def read_events(run_dir: str | os.PathLike) -> list[dict[str, Any]]:
    path = Path(run_dir) / EVENTS_FILE
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            event = parse_line(line)
            if event is not None:
                out.append(event)
    return out


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def describe(event: Mapping[str, Any]) -> str:
    """A one-line human description of an event (the CLI prints these)."""
    kind = event.get("event")
    if kind == "preflight":
        return f"check: {event.get('message')}"
    if kind == "started":
        resumed = f", resumed from {Path(event['resumed_from']).name}" if event.get("resumed_from") else ""
        prec = event.get("precision") or {}
        how = ""
        if prec.get("linear_4bit_layers"):
            how = f" ({prec['quantization']} 4-bit weights, {prec['compute_dtype']} compute)"
        elif prec.get("compute_dtype"):
            how = f" ({prec['compute_dtype']})"
        return (f"training on {event['device']}{how}: {event['trainable_params']:,} of {event['total_params']:,} "
                f"parameters trainable, {event['total_steps']} steps{resumed}")
    if kind == "step":
        extra = ""
        if event.get("tokens_per_s"):
            extra += f"  {event['tokens_per_s']:.0f} tok/s"
        if event.get("gpu_mem_gb"):
            extra += f"  {event['gpu_mem_gb']:.1f} GB"
        return (f"step {event['step']}/{event['total']}  loss {event['loss']:.4f}  lr {event['lr']:.2e}"
                f"{extra}  eta {_fmt_time(event.get('eta_s'))}")
    if kind == "eval":
        loss = event.get("eval_loss")
        return f"held-out loss at step {event['step']}: {loss:.4f}" if loss is not None else "evaluated"
    if kind == "checkpoint":
        return f"checkpoint saved at step {event['step']}"
    if kind == "warning":
        return f"warning: {event['message']} {event['what_to_do']}"
    if kind == "cancelled":
        where = "; a checkpoint was saved, resume with --resume" if event.get("checkpoint") else ""
        return f"stopped at step {event['step']}/{event['total']}{where}"
    if kind == "done":
        return f"done after {event['step']} steps; adapter in {event['adapter_path']}"
    if kind == "error":
        return f"error: {event['message']} {event['what_to_do']}"
    return json.dumps(event)


class EventWriter:
    """Writes events to stdout and appends them to events.jsonl (only on the main process)."""

    def __init__(self, run_dir: str | os.PathLike, run_id: str, *, enabled: bool = True, stream=None):
        self.path = Path(run_dir) / EVENTS_FILE
        self.run_id = run_id
        self.enabled = enabled
        self.stream = stream or sys.stdout

    def emit(self, name: str, /, **fields: Any) -> dict[str, Any]:
        """Write one event; `fields` may hold a `kind` of their own (an error's kind)."""
        event = {"event": name, "run": self.run_id, "time": round(time.time(), 3), **fields}
        if not self.enabled:
            return event
        line = json.dumps(event, ensure_ascii=False, default=str)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        self.stream.write(line + "\n")
        self.stream.flush()
        return event
