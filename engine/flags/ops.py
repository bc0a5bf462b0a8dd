"""What the Flags page does: one function per action, `fn(ws, ...)`, each one engine call on the
worker thread.

    load_flags(ws, kind, status) -> {"counts": {kind: open}, "flags": [flag]}
    flag_pairs(ws, pair_ids) -> {pair id: pair}
    find_problems(ws, kinds=None, progress=None, cancel=None) -> {kind: open flags found}
    keep_one(ws, flag_id, pair_id, merged_response=None) -> {"kept", "rejected"}
    this_one_is_right(ws, flag_id, pair_id) -> {"right", "answer", "others", "fixes"}
    right_value_plan(ws, flag_id, pair_id) -> what choosing that value would do (changes nothing)
    resolve_with_value(ws, flag_id, pair_id, fix, review) -> {"right", "rejected", "fixed", "to_review"}
    copy_answer(ws, pair_ids, answer) -> change id
    undo_pairs(ws, pair_ids) -> pairs undone
    dismiss(ws, flag_id) -> None
    save_and_recheck(ws, pair_id, instruction, response, kind) -> {"pair_id", "still_open"}
    apply_fixes(ws, {pair id: fixed answer}) -> pairs changed
    policy_sheet(ws) -> the policy sheet or None; replace_policy(ws, path) -> {"file", "claims", ...}
    redact_one(ws, pair_id) -> {"pair_id", "result", "still_open"}
    redact_everything(ws, progress=None, cancel=None) -> what redact_all returns

Re-checking after a change goes through `runner.refresh_pairs`. An edit made here (saving a
text, copying an answer) re-checks the changed pairs for the quick kinds (`runner.QUICK_KINDS`,
no embeddings) plus the kind being worked on, so the result shows at once; duplicates and
conflicts around an edit are found again by the next "Find problems". A redaction only changes
personal data, so it re-checks the personal-data flags.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from engine.flags import runner
from engine.privacy import redact
from engine.review import pairs as pairs_mod
from engine.workspace.progress import CancelFn, ProgressFn
from engine.workspace.errors import NotFound
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


def _conflict_flag(ws: Workspace, flag_id: int) -> dict | None:
    return next((f for f in runner.list_flags(ws, kind="conflict") if f["id"] == int(flag_id)), None)


def _sides(flag: dict | None, pair_id: int) -> tuple[list[dict], dict | None]:
    """A claims conflict's sides (details["sides"]) and the one `pair_id` is on (None when the
    flag has no sides or the pair is on none of them)."""
    sides = ((flag or {}).get("details") or {}).get("sides") or []
    right = next((sd for sd in sides if int(pair_id) in [int(x) for x in sd.get("pair_ids", [])]), None)
    return sides, right


def _fixed_answer(answer: str, span: Sequence[int] | None, right_text: str) -> str | None:
    """The answer with the claim at `span` replaced by `right_text`, None when that is not a plain
    substitution (no span, or the text there moved since the flag was raised)."""
    if not right_text or not span or len(span) != 2:
        return None
    start, end = int(span[0]), int(span[1])
    if not (0 <= start < end <= len(answer)):
        return None
    return answer[:start] + right_text + answer[end:]


def right_value_plan(ws: Workspace, flag_id: int, pair_id: int) -> dict:
    """What choosing `pair_id`'s value as the right one would do, changing nothing: {"value" (as
    the flag names it), "right_text" (as `pair_id` writes it), "right": [pair ids stating it],
    "others": [{"pair_id", "external_id", "value", "stated", "fixed"}]} with the others newest
    first; "fixed" is the answer with the right value in place of the stated one when that is a
    plain substitution, else None. A conflict without sides (two answers compared as a pair) has
    the other pairs with "fixed" None."""
    flag = _conflict_flag(ws, flag_id)
    if flag is None:
        raise NotFound(f"no conflict flag with id {flag_id}")
    sides, right_side = _sides(flag, pair_id)
    if right_side is None:
        others = [int(p) for p in flag.get("pair_ids", []) if int(p) != int(pair_id)]
        rows = flag_pairs(ws, others)
        return {"value": "", "right_text": "", "right": [int(pair_id)],
                "others": [{"pair_id": p, "external_id": (rows.get(p) or {}).get("external_id"),
                            "value": "", "stated": "", "fixed": None} for p in sorted(others, reverse=True)]}
    right_text = (right_side.get("texts") or {}).get(str(pair_id), "")
    wrong = [(sd, int(p)) for sd in sides if sd is not right_side for p in sd.get("pair_ids", [])]
    rows = flag_pairs(ws, [p for _sd, p in wrong])
    others = []
    for sd, pid in sorted(wrong, key=lambda t: -t[1]):
        row = rows.get(pid) or {}
        others.append({
            "pair_id": pid, "external_id": row.get("external_id"), "value": sd.get("value", ""),
            "stated": (sd.get("texts") or {}).get(str(pid), ""),
            "fixed": _fixed_answer(row.get("response") or "", (sd.get("spans") or {}).get(str(pid)), right_text),
        })
    return {"value": right_side.get("value", ""), "right_text": right_text,
            "right": sorted((int(x) for x in right_side.get("pair_ids", [])), reverse=True), "others": others}


def this_one_is_right(ws: Workspace, flag_id: int, pair_id: int) -> dict:
    """Resolve a conflict in favour of one pair. A conflict between claims (details["sides"]):
    the pairs stating the same value as `pair_id` stay as they are, those stating another value
    are rejected, and "fixes" holds, for each of them, its answer with the wrong value replaced
    by the right one ("21 days" -> "18 days"), for `apply_fixes`. Returns {"right", "answer",
    "others", "fixes"}; the page offers to fix (or to copy the right answer into) the others."""
    flag = _conflict_flag(ws, flag_id)
    _all_sides, right_side = _sides(flag, pair_id)
    if not right_side:
        result = runner.resolve_flag(ws, flag_id, keep=pair_id)
        answer = pairs_mod.get_pair(ws, pair_id)["response"]
        return {"right": int(pair_id), "answer": answer, "others": list(result["rejected"]), "fixes": {}}
    plan = right_value_plan(ws, flag_id, pair_id)
    wrong = [o["pair_id"] for o in plan["others"]]
    fixes = {o["pair_id"]: o["fixed"] for o in plan["others"] if o["fixed"] is not None}
    keep_side = [int(x) for x in right_side.get("pair_ids", [])]
    with ws.transaction():
        change = pairs_mod.update_pairs(ws, wrong, status="rejected") if wrong else 0
        ws.execute("UPDATE flags SET status = 'resolved', resolved_at = now(), resolution = ? WHERE id = ?",
                   [json.dumps({"keep": int(pair_id), "right_side": keep_side, "rejected": wrong,
                                "change_id": change}), int(flag_id)])
    answer = pairs_mod.get_pair(ws, pair_id)["response"]
    return {"right": int(pair_id), "answer": answer, "others": wrong, "fixes": fixes}


def resolve_with_value(ws: Workspace, flag_id: int, pair_id: int, fix: Sequence[int] = (),
                       review: Sequence[int] = ()) -> dict:
    """Resolve a conflict with `pair_id`'s value as the right one (`this_one_is_right`: the answers
    stating another value are rejected), then, of those answers, put the right value into the
    ones in `fix` (a plain substitution, see `right_value_plan`) and send the ones in `review`
    back to the review queue as they are, for a person to rewrite. Each is one undoable change
    in the pair's history (`undo_pairs`). Returns {"right", "rejected", "fixed", "to_review"}:
    the pair ids in each state."""
    result = this_one_is_right(ws, flag_id, pair_id)
    others = set(result["others"])
    fixes = {int(p): t for p, t in result["fixes"].items() if int(p) in {int(x) for x in fix}}
    to_review = [int(p) for p in review if int(p) in others and int(p) not in fixes]
    apply_fixes(ws, fixes)
    if to_review:
        pairs_mod.update_pairs(ws, to_review, status="new")
    done = set(fixes) | set(to_review)
    return {"right": int(pair_id), "rejected": [p for p in result["others"] if p not in done],
            "fixed": sorted(fixes, reverse=True), "to_review": to_review}


def apply_fixes(ws: Workspace, fixes: dict) -> int:
    """Give each pair its fixed answer (the right value in place of the wrong one) and send it
    back to review, then re-check them. Returns how many pairs changed."""
    n = 0
    for pid, text in fixes.items():
        if pairs_mod.update_pair(ws, int(pid), response=text, status="new"):
            n += 1
    if fixes:
        _recheck_edited(ws, [int(p) for p in fixes])
    return n


def policy_sheet(ws: Workspace) -> dict | None:
    """The policy sheet and its claims (`engine.flags.policy.get_policy`), None without one."""
    from engine.flags import policy

    return policy.get_policy(ws)


def replace_policy(ws: Workspace, path: str, progress: ProgressFn | None = None,
                   cancel: CancelFn | None = None) -> dict:
    """Load a policy file as the sheet (BadInput when unreadable: nothing changes), then check
    the answers and the conflicts against it."""
    from engine.flags import policy

    info = policy.load_policy(ws, path)
    info["counts"] = runner.run_flags(ws, kinds=["conflict", "policy"], progress=progress, cancel=cancel)
    return info


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
