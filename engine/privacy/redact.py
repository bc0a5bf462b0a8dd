"""Redaction: replace personal data in pairs with consistent placeholders.

"priya.sharma@example.com" becomes "[EMAIL_1]" in every pair of the workspace, the
requester "Priya Sharma" (and "Priya" on her own) becomes "[NAME_3]", and so on. The mapping
(placeholder, kind, original) lives in the `pii_map` table so the same value always gets the
same placeholder, including in later runs; it is never exported.

Edits go through `engine.review.pairs.update_pairs`, so they are in each pair's history and can be
undone. One `redact_all` is one change id across all the pairs it touched.
What is personal data is decided by `engine.flags.pii.find_spans` (shared with the detector).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Callable

from engine.workspace.errors import Cancelled
from engine.flags.id_shapes import IdRules
from engine.flags.pii import (
    PLACEHOLDER_PREFIX,
    PiiSpan,
    _default_key,
    find_spans as _find_spans,
    requester_from_extra,
)
from engine.review.pairs import get_pair, update_pairs
from engine.workspace.progress import ProgressFn
from engine.workspace.store import Workspace
from engine.privacy import id_patterns as _id_patterns

__all__ = ["find_spans", "redact_text", "redact_pair", "redact_all", "Placeholders"]

_PLACEHOLDER_NUM = re.compile(r"^\[([A-Z_]+)_(\d+)\]$")


def find_spans(text: str, requester: str | None = None, *, employee_id_pattern: str | None = None,
               id_patterns: IdRules | None = None) -> list[PiiSpan]:
    """Personal data in `text` (one implementation, shared with the Personal data flag)."""
    return _find_spans(text, requester, employee_id_pattern=employee_id_pattern, id_patterns=id_patterns)


class Placeholders:
    """The workspace's placeholder table, loaded once; new entries are written as they are made."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.by_key: dict[tuple[str, str], str] = {}
        self.next_n: dict[str, int] = {}
        for row in ws.query("SELECT placeholder, kind, original FROM pii_map"):
            self.by_key[(row["kind"], _default_key(row["kind"], row["original"]))] = row["placeholder"]
            m = _PLACEHOLDER_NUM.match(row["placeholder"])
            if m:
                self.next_n[m.group(1)] = max(self.next_n.get(m.group(1), 1), int(m.group(2)) + 1)
        self.created = 0

    def get(self, span: PiiSpan, original: str) -> str:
        key = (span.kind, span.key)
        found = self.by_key.get(key)
        if found:
            return found
        prefix = PLACEHOLDER_PREFIX.get(span.kind, "PII")
        n = self.next_n.get(prefix, 1)
        placeholder = f"[{prefix}_{n}]"
        self.next_n[prefix] = n + 1
        self.ws.execute(
            "INSERT INTO pii_map (placeholder, kind, original, created_at) VALUES (?, ?, ?, ?)",
            [placeholder, span.kind, original, _dt.datetime.now().replace(microsecond=0)],
        )
        self.by_key[key] = placeholder
        self.created += 1
        return placeholder


def redact_text(text: str, placeholders: Placeholders, requester: str | None = None,
                employee_id_pattern: str | None = None, id_patterns: IdRules | None = None) -> tuple[str, dict[str, int]]:
    """(new text, replacements per kind). `id_patterns`: the workspace's id rules
    (engine.privacy.id_patterns.rules), else only ids after cue words are replaced."""
    spans = find_spans(text or "", requester, employee_id_pattern=employee_id_pattern, id_patterns=id_patterns)
    if not spans:
        return text, {}
    counts: dict[str, int] = {}
    out = []
    pos = 0
    for s in spans:
        # the requester's mentions are stored as their full name so "Priya" and "Priya Sharma" share
        # one; another person's name ("our specialist, Joanne Pike") is stored as written
        original = (requester.strip() if s.kind == "name" and requester and s.subkind in ("full", "part")
                    else s.text)
        out.append(text[pos:s.start])
        out.append(placeholders.get(s, original))
        pos = s.end
        counts[s.kind] = counts.get(s.kind, 0) + 1
    out.append(text[pos:])
    return "".join(out), counts


def _employee_pattern(ws: Workspace) -> IdRules:
    """The id rules of this workspace: learned shapes, the user's decisions, the extra pattern."""
    return _id_patterns.rules(ws)


def _requester(ws: Workspace, pair_id: int) -> str | None:
    extra = ws.scalar(
        "SELECT t.extra FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id WHERE p.id = ?", [pair_id]
    )
    return requester_from_extra(extra)


def redact_pair_report(ws: Workspace, pair_id: int) -> dict:
    """Redact one pair: {pair_id, replacements, by_kind, change_id}."""
    pair = get_pair(ws, pair_id)
    pattern = _employee_pattern(ws)
    requester = _requester(ws, pair_id)
    with ws.transaction():
        ph = Placeholders(ws)
        new_i, ci = redact_text(pair["instruction"], ph, requester, id_patterns=pattern)
        new_r, cr = redact_text(pair["response"], ph, requester, id_patterns=pattern)
        by_kind = _merge(ci, cr)
        change = 0
        if by_kind:
            change = update_pairs(
                ws, [pair_id],
                instruction=new_i if new_i != pair["instruction"] else None,
                response=new_r if new_r != pair["response"] else None,
                by="redaction",
            )
    return {"pair_id": pair_id, "replacements": sum(by_kind.values()), "by_kind": by_kind, "change_id": change}


def redact_pair(ws: Workspace, pair_id: int) -> int:
    """Redact one pair; returns the number of replacements made."""
    return redact_pair_report(ws, pair_id)["replacements"]


def _merge(*counts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            out[k] = out.get(k, 0) + v
    return out


def redact_all(ws: Workspace, progress: ProgressFn | None = None,
               cancel: Callable[[], bool] | None = None) -> dict:
    """Redact every pair as one undoable change. Returns {pairs, pairs_changed, replacements,
    by_kind, change_id, new_placeholders}. Cancelling leaves the workspace untouched."""
    pattern = _employee_pattern(ws)
    rows = ws.query(
        """SELECT p.id, p.instruction, p.response, t.extra FROM pairs p
           LEFT JOIN tickets t ON t.id = p.ticket_id ORDER BY p.id"""
    )
    total = len(rows)
    by_kind: dict[str, int] = {}
    changed: list[int] = []
    first_change = last_change = 0
    with ws.transaction():
        ph = Placeholders(ws)
        for i, row in enumerate(rows):
            if cancel is not None and i % 50 == 0 and cancel():
                raise Cancelled()
            if progress is not None and i % 100 == 0:
                progress(i, total, "Redacting personal data")
            requester = requester_from_extra(row["extra"])
            new_i, ci = redact_text(row["instruction"], ph, requester, id_patterns=pattern)
            new_r, cr = redact_text(row["response"], ph, requester, id_patterns=pattern)
            if not ci and not cr:
                continue
            change = update_pairs(
                ws, [row["id"]],
                instruction=new_i if new_i != row["instruction"] else None,
                response=new_r if new_r != row["response"] else None,
                by="redaction",
            )
            if change:
                first_change = first_change or change
                last_change = change
                changed.append(row["id"])
                by_kind = _merge(by_kind, ci, cr)
        if first_change and last_change > first_change:
            # update_pairs writes one change per call; every change id in this range was made
            # just now, inside this transaction: make them one change, as the user sees it
            ws.execute(
                "UPDATE pair_history SET change_id = ? WHERE change_id > ? AND change_id <= ?",
                [first_change, first_change, last_change],
            )
    if progress is not None:
        progress(total, total, "Redacting personal data")
    return {
        "pairs": total,
        "pairs_changed": len(changed),
        "replacements": sum(by_kind.values()),
        "by_kind": by_kind,
        "change_id": first_change,
        "new_placeholders": ph.created,
    }
