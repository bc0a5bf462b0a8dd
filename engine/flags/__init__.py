"""Quality flags: duplicates, conflicting answers, tone, needs-context and personal data.

Public API (the desktop app and the CLI call these):

    run_flags(ws, kinds=None, pair_ids=None, progress=None, cancel=None) -> {kind: count}
    refresh_pair(ws, pair_id) -> {kind: count}
    list_flags(ws, kind=None, status=None, pair_id=None) -> [dict]
    resolve_flag(ws, flag_id, keep=None, dismiss=False) -> dict
    flag_counts(ws) -> {kind: open count}
    extract_facts(text) -> [Fact]

Detector modules (`dedup`, `conflicts`, `pii`, `tone`, `needs_context`) implement
`detect(items, ctx)` from `base`; the runner imports them lazily.
"""

from engine.flags.base import KIND_LABELS, KINDS, SEVERITIES, DetectContext, FlagCandidate, PairText, Span, fingerprint
from engine.flags.facts import Fact, differing_facts, extract_facts
from engine.flags.runner import (
    available_kinds,
    flag_counts,
    get_flag,
    list_flags,
    refresh_pair,
    refresh_pairs,
    resolve_flag,
    run_flags,
)

__all__ = [
    "KINDS", "KIND_LABELS", "SEVERITIES", "PairText", "FlagCandidate", "Span", "DetectContext", "fingerprint",
    "Fact", "extract_facts", "differing_facts",
    "run_flags", "refresh_pair", "refresh_pairs", "list_flags", "resolve_flag", "flag_counts", "get_flag",
    "available_kinds",
]
