"""The personal-data guard in front of exports and training.

A model learns what it is trained on, personal data included, and an exported file leaves the
workspace. So both refuse, unless the caller allows it:

* pairs with an open personal-data flag (`open_pii_pairs`), and
* pairs of a frozen dataset version that still hold personal data redacted from the live pair
  after the version was frozen (`redacted_since_frozen`): the version keeps its copy while the
  flags are gone.

    check_export(ws, rows, frozen=..., allow_pii=...)   engine.dataset.export
    check_training(ws, pair_ids, items, version_id)      engine.train (before a run)
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from engine.workspace.errors import BadInput
from engine.workspace.store import Workspace


def open_pii_pairs(ws: Workspace, pair_ids: Iterable[int]) -> list[int]:
    """Pairs among `pair_ids` with an open personal-data flag, in the order given."""
    ids = list(pair_ids)
    if not ids:
        return []
    rows = ws.execute(
        """SELECT DISTINCT unnest(pair_ids) AS pid FROM flags WHERE kind = 'pii' AND status = 'open'"""
    ).fetchall()
    flagged = {r[0] for r in rows}
    return [i for i in ids if i in flagged]


def redacted_since_frozen(ws: Workspace, rows: Sequence[dict]) -> list[int]:
    """Frozen pairs (rows {id, instruction, response} of a dataset version) that still hold
    personal data redacted from the live pair after the version was frozen."""
    originals = sorted({r["original"] for r in ws.query("SELECT original FROM pii_map") if r["original"]},
                       key=len, reverse=True)
    if not originals or not rows:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(o) for o in originals) + r")(?!\w)", re.IGNORECASE)
    current = {r["id"]: (r["instruction"], r["response"]) for r in ws.query(
        "SELECT id, instruction, response FROM pairs WHERE id IN (SELECT unnest(?::INTEGER[]))",
        [[r["id"] for r in rows]])}
    return [r["id"] for r in rows
            if current.get(r["id"]) != (r["instruction"], r["response"])
            and (pattern.search(r["instruction"] or "") or pattern.search(r["response"] or ""))]


def check_export(ws: Workspace, rows: Sequence[dict], *, frozen: bool, allow_pii: bool) -> list[int]:
    """Refuse (BadInput) to export `rows` ({id, instruction, response}; `frozen` when they come
    from a dataset version) that hold personal data, unless `allow_pii`. Returns the pairs with
    open personal-data flags (exported as they are when allowed)."""
    pii = open_pii_pairs(ws, [r["id"] for r in rows])
    if pii and not allow_pii:
        raise BadInput(
            f"{len(pii)} pair(s) to export still have open personal-data flags: redact them "
            f"(`pairsmith redact WS --all`) or pass --allow-pii to export them as they are"
        )
    if frozen and not allow_pii:
        stale = redacted_since_frozen(ws, rows)
        if stale:
            raise BadInput(
                f"{len(stale)} pair(s) in this dataset version still hold personal data that was redacted after "
                f"the version was frozen: freeze a new version (`pairsmith split WS`) and export that, or pass "
                f"--allow-pii to export them as they are"
            )
    return pii


def check_training(ws: Workspace, pair_ids: Sequence[int], items: Sequence[dict[str, Any]] | None = None,
                   version_id: int | None = None) -> None:
    """Refuse (BadInput) to train on pairs with open personal-data flags, and on the items of a
    dataset version ({pair_id, instruction, response}) that still hold data redacted after the
    freeze. The caller skips this when the user allowed personal data (`--allow-pii`)."""
    flagged = open_pii_pairs(ws, pair_ids)
    if flagged:
        raise BadInput(
            f"{len(flagged)} pair(s) to train on still have open personal-data flags (e.g. pair {flagged[0]}): "
            "redact them on the Flags page, Personal data (or `pairsmith redact WS --all`), then freeze a new "
            "dataset version (or train on them as they are: `pairsmith train WS ... --allow-pii`).")
    if items:
        stale = redacted_since_frozen(ws, [{"id": i["pair_id"], "instruction": i["instruction"],
                                            "response": i["response"]} for i in items])
        if stale:
            raise BadInput(
                f"{len(stale)} pair(s) in dataset version {version_id} still hold personal data that was redacted "
                "after the version was frozen: freeze a new version on the Dataset page (or `pairsmith split WS`) "
                "and train on that (or keep them: `pairsmith train WS ... --allow-pii`).")
