"""Every workspace setting in one table: its default, type, help and who reads it.

Values live in the workspace's `settings` table (JSON); a key that is not set there has the
default below. Readers ask `get(ws, key)` and nobody repeats a default: the detectors' module
constants (`dedup.DEFAULT_THRESHOLD`, ...) are read from here. `pairsmith settings` and
File > Workspace settings list and validate the same table.

Per-user preferences of the desktop app (window geometry, shortcuts) are not workspace
settings; they live in `desktop/settings.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.workspace.errors import BadInput


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    type: type  # bool, float, int, str or dict
    help: str
    readers: tuple[str, ...]  # the modules that read it
    low: float | None = None  # numbers: the allowed range (inclusive)
    high: float | None = None
    user: bool = True  # False: kept by the engine itself (shown nowhere, not settable by name)


_SETTINGS = (
    Setting("offline", True, bool,
            "true (default): no model-hub calls; false lets training download a hub model",
            ("engine.workspace.security",)),
    Setting("trusted_models", {}, dict,
            "models allowed to run their own code or load pickles (pairsmith trust)",
            ("engine.workspace.security",), user=False),
    # Calibration of the two duplicate thresholds: see engine/flags/dedup.py's docstring (the pair
    # rule on the bundled sample, the question rule on public paraphrase data).
    Setting("duplicate_threshold", 0.68, float,
            "question+answer similarity for near-duplicates (0-1)",
            ("engine.flags.dedup", "engine.flags.conflicts"), 0.0, 1.0),
    Setting("duplicate_question_threshold", 0.85, float,
            "question-only similarity for near-duplicates (0-1)",
            ("engine.flags.dedup",), 0.0, 1.0),
    Setting("conflict_threshold", None, float,
            "similarity above which differing answers are a conflict (0-1; unset: the duplicate threshold)",
            ("engine.flags.conflicts",), 0.0, 1.0),
    # No default id format: ids are found after their cue words ("employee id", "staff number")
    # and the shapes that recur after them are learned from the workspace (engine/flags/pii.py).
    Setting("pii_employee_id_pattern", None, str,
            "an extra regular expression for your organisation's ids (unset: ids after cue words and the learned shapes)",
            ("engine.flags.pii", "engine.flags.needs_context", "engine.privacy.redact")),
    Setting("pii_id_patterns", {}, dict,
            "your decisions on the learned id shapes: {regex: 'confirmed' | 'removed'} (File > Workspace settings)",
            ("engine.flags.pii", "engine.flags.needs_context", "engine.privacy.redact", "engine.privacy.id_patterns")),
    Setting("embedding_model", None, str,
            "a local sentence-transformers folder instead of the bundled all-MiniLM-L6-v2",
            ("engine.flags.embeddings",)),
    Setting("embedding_precision", "auto", str,
            "auto, fp32 or bf16: the precision the embedding model runs in",
            ("engine.flags.embeddings",)),
    Setting("embedding_max_seq_length", 128, int,
            "tokens of each text the embedding model reads (longer texts are cut)",
            ("engine.flags.embeddings",), 8, 8192),
    Setting("embedding_threads", None, int,
            "CPU threads for embedding (unset: what torch chooses)",
            ("engine.flags.embeddings",), 1, 1024),
    Setting("embedding_batch_size", 64, int,
            "texts embedded per batch",
            ("engine.flags.embeddings",), 1, 4096),
)

CATALOGUE: dict[str, Setting] = {s.key: s for s in _SETTINGS}
USER_SETTINGS: dict[str, Setting] = {k: s for k, s in CATALOGUE.items() if s.user}
# keys the engine writes for itself under a prefix (notes the Playground keeps per pair)
INTERNAL_PREFIXES = ("pair_note:",)


def default(key: str) -> Any:
    """The default of a known setting (KeyError for a typo: it should fail in a test)."""
    value = CATALOGUE[key].default
    return dict(value) if isinstance(value, dict) else value


def validate(key: str, value: Any) -> Any:
    """The value converted to the setting's type, or BadInput saying what is wrong.
    None means "unset" and is always valid."""
    if key not in CATALOGUE:
        raise BadInput(f"unknown setting {key!r}; known: {', '.join(USER_SETTINGS)}")
    s = CATALOGUE[key]
    if value is None:
        return None
    if s.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise BadInput(f"the setting {key} must be true or false, not {value!r}")
    if s.type in (float, int):
        try:
            number = s.type(value)
            if s.type is int and float(value) != number:
                raise ValueError
        except (TypeError, ValueError):
            kind = "a whole number" if s.type is int else "a number"
            raise BadInput(f"the setting {key} must be {kind}{_range(s)}, not {value!r}") from None
        if (s.low is not None and number < s.low) or (s.high is not None and number > s.high):
            raise BadInput(f"the setting {key} must be{_range(s)}, not {value!r}")
        return number
    if s.type is dict:
        if not isinstance(value, dict):
            raise BadInput(f"the setting {key} must be a table, not {value!r}")
        return value
    return str(value)


def _range(s: Setting) -> str:
    if s.low is None or s.high is None:
        return ""
    return f" between {s.low:g} and {s.high:g}"


def get(ws, key: str) -> Any:
    """The workspace's value of `key`, typed and checked, or its default when unset
    (ws=None: the default). A stored value that is out of range raises BadInput."""
    if ws is None:
        return default(key)
    value = ws.get_setting(key)
    if value is None or value == "":
        return default(key)
    return validate(key, value)


def put(ws, key: str, value: Any) -> Any:
    """Store a validated value (None: back to the default). Returns what was stored."""
    value = validate(key, value)
    if value is None:
        unset(ws, key)
    else:
        ws.set_setting(key, value)
    return value


def unset(ws, key: str) -> None:
    """Back to the default: the key is removed from the workspace."""
    with ws.transaction():
        ws.execute("DELETE FROM settings WHERE key = ?", [key])
