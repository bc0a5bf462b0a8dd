"""What every flag detector takes and gives back.

A detector is a module-level function `detect(items: list[PairText], ctx: DetectContext)
-> list[FlagCandidate]`. It reads texts only; storing, de-duplicating and keeping dismissed
flags dismissed is the runner's job (engine/flags/runner.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

KINDS = ("duplicate", "conflict", "tone", "needs_context", "pii", "policy")  # found by a detector
# raised by the import, not by a detector: a re-imported ticket grew after its pair was reviewed
IMPORT_KINDS = ("ticket_changed",)
SHOWN_KINDS = KINDS + IMPORT_KINDS  # every kind a flag can have, in the order lists show them
KIND_LABELS = {
    "duplicate": "Duplicates",
    "conflict": "Conflicting answers",
    "tone": "Tone",
    "needs_context": "Needs context",
    "pii": "Personal data",
    "policy": "Against the policy",
    "ticket_changed": "Ticket changed",
}
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class PairText:
    id: int
    instruction: str
    response: str
    external_id: str | None = None
    status: str = "new"
    requester: str | None = None  # the ticket's requester name, when the import kept one


@dataclass
class Span:
    field: str  # "instruction" or "response"
    start: int
    end: int
    label: str  # e.g. "email", "as discussed", "ALL CAPS"


@dataclass
class FlagCandidate:
    kind: str
    pair_ids: list[int]
    explanation: str  # one or two sentences a team lead understands
    severity: str = "medium"
    score: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)  # spans, facts, reasons, suggested keep...
    spans: list[Span] = field(default_factory=list)


@dataclass
class DetectContext:
    progress: Callable[[int, int, str], None] | None = None
    cancel: Callable[[], bool] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    # filled by the runner for detectors that need them
    embed: Callable[[list[str]], Any] | None = None  # texts -> np.ndarray (n, d), normalised


def fingerprint(kind: str, texts: list[str]) -> str:
    """Identifies a flag by its kind and the texts it is about: a dismissed flag stays dismissed
    until one of these texts changes."""
    h = hashlib.sha256(kind.encode())
    for t in texts:
        h.update(b"\x00" + t.encode("utf-8", "replace"))
    return h.hexdigest()[:32]
