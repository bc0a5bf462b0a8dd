"""Quality flags: duplicates, conflicting answers, tone, needs-context and personal data.

Public API (the desktop app and the CLI call these):

    run_flags(ws, kinds=None, pair_ids=None, progress=None, cancel=None) -> {kind: count}
    refresh_pairs(ws, pair_ids, kinds=None) -> {kind: count}   # re-check after an edit
    refresh_pair(ws, pair_id, kinds=None) -> {kind: count}
    list_flags(ws, kind=None, status=None, pair_id=None) -> [dict]
    resolve_flag(ws, flag_id, keep=None, dismiss=False) -> dict
    flag_counts(ws) -> {kind: open count}
    extract_facts(text) -> [Fact]

`ops` holds what the Flags page does, one call per action (keep one pair, this answer is right,
save and re-check...). Detector modules (`dedup`, `conflicts`, `pii`, `tone`, `needs_context`)
implement `detect(items, ctx)` from `base`; the runner imports them lazily. `groups` finds
connected groups (duplicate clusters, the held-out split's near-duplicate groups).
"""

from engine.flags.base import KIND_LABELS, KINDS, SEVERITIES, DetectContext, FlagCandidate, PairText, Span, fingerprint
from engine.flags.facts import Fact, differing_facts, extract_facts
from engine.flags.runner import (
    flag_counts,
    list_flags,
    refresh_pair,
    refresh_pairs,
    resolve_flag,
    run_flags,
)

__all__ = [
    "KINDS", "KIND_LABELS", "SEVERITIES", "PairText", "FlagCandidate", "Span", "DetectContext", "fingerprint",
    "Fact", "extract_facts", "differing_facts",
    "run_flags", "refresh_pair", "refresh_pairs", "list_flags", "resolve_flag", "flag_counts",
]
