"""What the Flags page does: one function per action, `fn(ws, ...)`, each one engine call on the
worker thread.

    load_flags(ws, kind, status) -> {"counts": {kind: open}, "flags": [flag]}
    flag_pairs(ws, pair_ids) -> {pair id: pair}
    find_problems(ws, kinds=None, progress=None, cancel=None) -> {kind: open flags found}
    keep_one(ws, flag_id, pair_id, merged_response=None) -> {"kept", "rejected"}
    this_one_is_right(ws, flag_id, pair_id) -> {"right", "answer", "others"}
    copy_answer(ws, pair_ids, answer) -> change id
    undo_pairs(ws, pair_ids) -> pairs undone
    dismiss(ws, flag_id) -> None
    save_and_recheck(ws, pair_id, instruction, response, kind) -> {"pair_id", "still_open"}
    redact_one(ws, pair_id) -> {"pair_id", "result", "still_open"}
    redact_everything(ws, progress=None, cancel=None) -> what redact_all returns

Re-checking after a change goes through `runner.refresh_pairs`. An edit made here (saving a
text, copying an answer) re-checks the changed pairs for the quick kinds (`runner.QUICK_KINDS`,
no embeddings) plus the kind being worked on, so the result shows at once; duplicates and
conflicts around an edit are found again by the next "Find problems". A redaction only changes
personal data, so it re-checks the personal-data flags.
"""

from __future__ import annotations

from typing import Any, Sequence

from engine.flags import runner
from engine.privacy import redact
from engine.review import pairs as pairs_mod
from engine.workspace.progress import CancelFn, ProgressFn
from engine.workspace.store import Workspace


def _recheck_edited(ws: Workspace, pair_ids: Sequence[int], kind: str | None = None) -> None:
    """Re-check pairs whose text changed here: the quick kinds, plus `kind`."""
    kinds = set(runner.QUICK_KINDS) | ({kind} if kind else set())
    runner.refresh_pairs(ws, pair_ids, kinds=sorted(kinds))


def _open_count(ws: Workspace, kind: str, pair_id: int) -> int:
    return len(runner.list_flags(ws, kind=kind, status="open", pair_id=pair_id))


def load_flags(ws: Workspace, kind: str, status: str | None) -> dict:
    """Open flags counted by kind, and the flags of one kind (with `status`, None = any)."""
    return {"counts": runner.flag_counts(ws), "flags": runner.list_flags(ws, kind=kind, status=status)}


def flag_pairs(ws: Workspace, pair_ids: Sequence[int]) -> dict[int, dict]:
    """The pairs a flag is about, by id (the dicts `engine.review.pairs.list_pairs` gives)."""
    return {int(p["id"]): p for p in pairs_mod.list_pairs(ws, ids=[int(i) for i in pair_ids])}


def find_problems(ws: Workspace, kinds=None, progress: ProgressFn | None = None,
                  cancel: CancelFn | None = None) -> dict[str, int]:
    """A full pass of the detectors (`runner.run_flags`)."""
    return runner.run_flags(ws, kinds=kinds, progress=progress, cancel=cancel)


def keep_one(ws: Workspace, flag_id: int, pair_id: int, merged_response: str | None = None) -> dict:
    """Keep one pair of a duplicate group, optionally giving it a merged answer first, and reject
    the others (one undoable change, `runner.resolve_flag(keep=...)`). All or nothing: when the
    flag cannot be resolved, the merged answer is not saved either."""
    with ws.transaction():
        if merged_response is not None:
            pairs_mod.update_pair(ws, pair_id, response=merged_response)
        result = runner.resolve_flag(ws, flag_id, keep=pair_id)
    return {"kept": int(pair_id), "rejected": list(result["rejected"])}


def this_one_is_right(ws: Workspace, flag_id: int, pair_id: int) -> dict:
    """Resolve a conflict in favour of one pair (the others are rejected). Returns the others
    and the right answer, so the page can offer to copy it into them (`copy_answer`)."""
    result = runner.resolve_flag(ws, flag_id, keep=pair_id)
    answer = pairs_mod.get_pair(ws, pair_id)["response"]
    return {"right": int(pair_id), "answer": answer, "others": list(result["rejected"])}


def copy_answer(ws: Workspace, pair_ids: Sequence[int], answer: str) -> int:
    """Give the other pairs of a resolved conflict the right answer and send them back to review
    (they were rejected), as one undoable change; then re-check them. Returns the change id."""
    ids = [int(i) for i in pair_ids]
    change = pairs_mod.update_pairs(ws, ids, response=answer, status="new")
    _recheck_edited(ws, ids)
    return change


def undo_pairs(ws: Workspace, pair_ids: Sequence[int]) -> int:
    """Undo the newest change of each pair (e.g. a copied answer). Returns how many were undone."""
    return sum(1 for pid in pair_ids if pairs_mod.undo(ws, int(pid)))


def dismiss(ws: Workspace, flag_id: int) -> None:
    """Not a problem: the flag stays dismissed until its texts change."""
    runner.resolve_flag(ws, flag_id, dismiss=True)


def save_and_recheck(ws: Workspace, pair_id: int, instruction: str, response: str, kind: str) -> dict:
    """Save an edit made in a flag's view, re-check the pair, and say how many open flags of
    `kind` it still has."""
    pairs_mod.update_pair(ws, pair_id, instruction=instruction, response=response)
    _recheck_edited(ws, [pair_id], kind)
    return {"pair_id": pair_id, "still_open": _open_count(ws, kind, pair_id)}


def redact_one(ws: Workspace, pair_id: int) -> dict:
    """Replace the personal data in one pair with placeholders, then re-check its personal-data
    flags (closed when nothing personal is left)."""
    result = redact.redact_pair(ws, pair_id)
    runner.refresh_pairs(ws, [pair_id], kinds=["pii"])
    return {"pair_id": pair_id, "result": result, "still_open": _open_count(ws, "pii", pair_id)}


def redact_everything(ws: Workspace, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Any:
    """Redact every pair, then find the personal data again over all of them."""
    result = redact.redact_all(ws, progress=progress, cancel=cancel)
    runner.run_flags(ws, kinds=["pii"], progress=progress, cancel=cancel)
    return result
