"""An organisation's id shapes, learned from the workspace and confirmed or removed by the user.

The shapes come from `engine.flags.id_shapes.learn_id_patterns` over every pair that is not rejected
(the ids written after cue words: "staff number LK204877", "emp no 77-3310"). The user's decisions
live in the workspace setting `pii_id_patterns` ({regex: "confirmed" | "removed"}), which also
holds the patterns the user added. File > Workspace settings shows them; the Personal data flag,
needs context and `pairsmith redact` apply them.
"""

from __future__ import annotations

from engine.flags.id_shapes import (
    SETTING_EMPLOYEE_ID,
    SETTING_ID_PATTERNS,
    IdPattern,
    IdRules,
    id_rules,
    learn_id_patterns,
    merge_id_patterns,
    pattern_error,
)
from engine.workspace import settings
from engine.workspace.errors import BadInput
from engine.workspace.store import Workspace

STATES = ("confirmed", "removed")


def learned(ws: Workspace) -> list[IdPattern]:
    """The shapes learned from the workspace's pairs (before the user's decisions)."""
    rows = ws.query("SELECT instruction, response FROM pairs WHERE status <> 'rejected' ORDER BY id")
    texts = []
    for r in rows:
        texts.append(r["instruction"] or "")
        texts.append(r["response"] or "")
    return learn_id_patterns(texts)


def decisions(ws: Workspace) -> dict[str, str]:
    return {str(k): str(v) for k, v in (settings.get(ws, SETTING_ID_PATTERNS) or {}).items()}


def list_patterns(ws: Workspace) -> list[IdPattern]:
    """Learned shapes with the user's decisions, then the patterns the user added."""
    return merge_id_patterns(learned(ws), decisions(ws))


def rules(ws: Workspace) -> IdRules:
    """What the detectors and the redactor apply in this workspace."""
    return id_rules(list_patterns(ws), settings.get(ws, SETTING_EMPLOYEE_ID) or None)


def set_state(ws: Workspace, pattern: str, state: str | None) -> dict[str, str]:
    """Confirm or remove a shape (state None: back to 'learned', or forget an added pattern).
    Returns the stored decisions."""
    if state not in STATES + (None,):
        raise BadInput(f"an id pattern is 'confirmed' or 'removed', not {state!r}")
    err = pattern_error(pattern)
    if err:
        raise BadInput(err)
    current = decisions(ws)
    if state is None:
        current.pop(pattern, None)
    else:
        current[pattern] = state
    settings.put(ws, SETTING_ID_PATTERNS, current or None)
    return current


def add_pattern(ws: Workspace, pattern: str) -> dict[str, str]:
    """Add an id pattern of the user's own (a regular expression), applied everywhere."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise BadInput("an id pattern cannot be empty")
    return set_state(ws, pattern, "confirmed")
