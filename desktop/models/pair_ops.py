"""What the review page asks the worker to do: plain functions `fn(ws, ...)`, no Qt.

Each returns what the page needs to redraw in one round trip (the pair, its flags, its history
length), so a keypress costs one worker call. The flag and redaction modules are written by
other engineers and may be missing in a build: then the pair simply shows no flags, and
redaction says it is not available.
"""

from __future__ import annotations

from typing import Any

from engine.review import pairs as engine_pairs
from engine.workspace.errors import PairsmithError


def list_flags(ws, pair_id: int) -> list[dict]:
    """Open and resolved flags on a pair, or [] when the flag runner is not in this build."""
    try:
        from engine.flags.runner import list_flags as _list_flags
    except ImportError:
        return []
    return list(_list_flags(ws, pair_id=pair_id))


def refresh_flags(ws, pair_id: int) -> bool:
    """Re-check a pair's flags after an edit (when the flag runner exists). True when it ran."""
    return refresh_flags_many(ws, [pair_id])


def refresh_flags_many(ws, pair_ids: list[int]) -> bool:
    """Re-check the flags of pairs edited since the last check. This can take seconds (the
    duplicate and conflict checks compare against every pair), so the review page runs it when
    the user pauses, not after every keystroke's save."""
    try:
        from engine.flags import runner
    except ImportError:
        return False
    ids = sorted({int(i) for i in pair_ids})
    if not ids:
        return True
    if hasattr(runner, "refresh_pairs"):
        runner.refresh_pairs(ws, ids)
    else:
        for i in ids:
            runner.refresh_pair(ws, i)
    return True


def load_pair(ws, pair_id: int) -> dict[str, Any]:
    """{"pair": get_pair(...), "flags": [...], "history": n changes}"""
    pair = engine_pairs.get_pair(ws, pair_id)
    return {
        "pair": pair,
        "flags": list_flags(ws, pair_id),
        "history": int(ws.scalar(
            "SELECT count(DISTINCT change_id) FROM pair_history WHERE pair_id = ? AND NOT undone", [pair_id])),
    }


def save_fields(ws, pair_id: int, fields: dict[str, str]) -> dict[str, Any]:
    """Save edited text (one undoable change). The flags are re-checked later (refresh_flags_many)."""
    change_id = engine_pairs.update_pair(ws, pair_id, **fields)
    return {"change_id": change_id}


def set_status(ws, pair_id: int, status: str) -> dict[str, Any]:
    change_id = engine_pairs.update_pair(ws, pair_id, status=status)
    return {"change_id": change_id, "status": status}


def undo(ws, pair_id: int) -> dict[str, Any]:
    result = engine_pairs.undo(ws, pair_id)
    return {"result": result, **load_pair(ws, pair_id)}


def redo(ws, pair_id: int) -> dict[str, Any]:
    result = engine_pairs.redo(ws, pair_id)
    return {"result": result, **load_pair(ws, pair_id)}


def redact(ws, pair_id: int) -> dict[str, Any]:
    """Replace personal data in the pair with placeholders (engine.privacy.redact.redact_pair)."""
    try:
        from engine.privacy.redact import redact_pair
    except ImportError:
        raise PairsmithError("Redaction is not available in this build.") from None
    result = redact_pair(ws, pair_id)
    return {"result": result, **load_pair(ws, pair_id)}


def redaction_count(result: Any) -> int | None:
    """How many pieces of personal data a redact_pair result says it replaced, when it says."""
    if isinstance(result, bool):
        return None
    if isinstance(result, int):
        return result
    if isinstance(result, dict):
        for key in ("replaced", "count", "n", "redacted"):
            value = result.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, (list, tuple)):
                return len(value)
        for key in ("replacements", "spans", "items"):
            if isinstance(result.get(key), (list, tuple)):
                return len(result[key])
    if isinstance(result, (list, tuple)):
        return len(result)
    return None


def history(ws, pair_id: int) -> list[dict]:
    return engine_pairs.history(ws, pair_id)
