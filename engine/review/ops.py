"""The review queue's actions: one engine call per keypress (`fn(ws, ...)`, run on the worker).

Each returns what the page needs to redraw in one round trip (the pair, its flags, its history
length).
"""

from __future__ import annotations

from typing import Any

from engine.review import pairs as engine_pairs


def list_flags(ws, pair_id: int) -> list[dict]:
    """Open and resolved flags on a pair."""
    from engine.flags import runner

    return list(runner.list_flags(ws, pair_id=pair_id))


def refresh_flags(ws, pair_id: int) -> None:
    """Re-check a pair's flags after an edit (`refresh_flags_many`)."""
    refresh_flags_many(ws, [pair_id])


def refresh_flags_many(ws, pair_ids: list[int]) -> None:
    """Re-check every kind of flag on pairs edited since the last check
    (`engine.flags.runner.refresh_pairs`). This can take seconds (the duplicate and conflict
    checks compare against every pair), so the review page runs it when the user pauses, not
    after every keystroke's save."""
    from engine.flags import runner

    ids = sorted({int(i) for i in pair_ids})
    if ids:
        runner.refresh_pairs(ws, ids)


def load_pair(ws, pair_id: int) -> dict[str, Any]:
    """{"pair": get_pair(...), "flags": [...], "history": n changes}"""
    return {
        "pair": engine_pairs.get_pair(ws, pair_id),
        "flags": list_flags(ws, pair_id),
        "history": engine_pairs.change_count(ws, pair_id),
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
    from engine.privacy.redact import redact_pair

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
