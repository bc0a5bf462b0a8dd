"""Run the flag detectors over a workspace and keep their findings in the `flags` table.

    run_flags(ws, kinds=None, pair_ids=None, progress=None, cancel=None) -> {kind: open flags found}
    refresh_pairs(ws, pair_ids, kinds=None)  # after an edit: only the flags touching those pairs
    refresh_pair(ws, pair_id, kinds=None)    # the same for one pair
    list_flags(ws, kind=None, status=None, pair_id=None) -> [dict]
    resolve_flag(ws, flag_id, keep=None, dismiss=False) -> dict
    flag_counts(ws) -> {kind: open count}

Detectors (engine.flags.<module>.detect(items, ctx)) see every pair that is not rejected. The
runner embeds questions through the workspace cache (engine.flags.embeddings) and hands the detectors
`ctx.embed`. Recomputing replaces the *open* flags of the recomputed scope: all of a kind on a
full pass, or those touching the edited pairs (and the groups they were in) on the incremental
path. A dismissed or resolved flag is never re-opened while the texts it is about are unchanged:
its fingerprint (base.fingerprint(kind, texts)) is remembered.

A detector module that fails to load is skipped with a warning, and so is a tone, needs-context
or personal-data detector that raises: the other kinds still run. A duplicate or conflict
detector that raises stops the pass.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import logging
from typing import Any, Callable, Iterable, Sequence

from engine.flags.base import IMPORT_KINDS, KIND_LABELS, KINDS, SHOWN_KINDS, DetectContext, FlagCandidate, PairText, fingerprint
from engine.flags.embeddings import embed_texts
from engine.flags.id_shapes import LEARNED_KEY, learn_id_patterns
from engine.flags.pii import requester_from_extra
from engine.workspace import settings
from engine.workspace.errors import BadInput, NotFound, PairsmithError
from engine.workspace.progress import CancelFn, ProgressFn, raise_if_cancelled
from engine.workspace.store import Workspace

log = logging.getLogger(__name__)

DETECTOR_MODULES = {
    "duplicate": "engine.flags.dedup",
    "conflict": "engine.flags.conflicts",
    "pii": "engine.flags.pii",
    "tone": "engine.flags.tone",
    "needs_context": "engine.flags.needs_context",
    "policy": "engine.flags.policy",
}
GROUP_KINDS = ("duplicate", "conflict")  # flags about several pairs, found by comparing pairs
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
SETTING_KEYS = ("duplicate_threshold", "duplicate_question_threshold", "conflict_threshold")
TEXT_SETTING_KEYS = ("pii_employee_id_pattern", "pii_id_patterns")  # passed to the detectors as they are
# kinds that learn from (or compare against) every pair even when only a few are re-checked
WHOLE_CONTEXT_KINDS = GROUP_KINDS + ("tone",)
# kinds that need no embeddings: re-checking a few pairs for them takes milliseconds
QUICK_KINDS = ("tone", "needs_context", "pii", "policy")
# kinds that read the claims index (engine.flags.claims), brought up to date before they run
CLAIM_KINDS = ("duplicate", "conflict", "policy")
FLAG_STATUSES = ("open", "resolved", "dismissed")


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def parse_kinds(kinds: Iterable[str] | str | None) -> list[str]:
    """Validate kinds (a list or "a,b"); None = all, in run order."""
    if kinds is None:
        return list(DETECTOR_MODULES)
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",")]
    wanted = [k.strip().replace("-", "_") for k in kinds if k and k.strip()]
    unknown = [k for k in wanted if k not in KINDS]
    if unknown:
        raise BadInput(f"unknown flag kind {', '.join(unknown)}; use {', '.join(KINDS)}")
    return [k for k in DETECTOR_MODULES if k in wanted]


def _detector(kind: str) -> Callable | None:
    try:
        mod = importlib.import_module(DETECTOR_MODULES[kind])
    except Exception as exc:  # a broken detector module must not stop the other kinds
        log.warning("flag kind %s skipped: %s failed to load (%s: %s)", kind, DETECTOR_MODULES[kind],
                    type(exc).__name__, exc)
        return None
    fn = getattr(mod, "detect", None)
    if fn is None:
        log.warning("flag kind %s skipped: %s has no detect()", kind, DETECTOR_MODULES[kind])
    return fn


def load_items(ws: Workspace, pair_ids: Sequence[int] | None = None) -> list[PairText]:
    """Pairs that are not rejected, as detector input, ordered by id."""
    where = "WHERE p.status <> 'rejected'"
    params: list[Any] = []
    if pair_ids is not None:
        where += " AND list_contains(?, p.id)"
        params.append(list(pair_ids))
    ws.finish_pending()
    table = ws.con.sql(
        f"""SELECT p.id, p.instruction, p.response, t.external_id, p.status, t.extra
            FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id {where} ORDER BY p.id""",
        params=params or None,
    ).to_arrow_table()
    # column-wise through Arrow: row tuples from fetchall() cost ~0.1 ms each (0.4 s for 3k)
    cols = [table.column(i).to_pylist() for i in range(6)]
    # requester_from_extra: the requester's name from whatever column the export kept it in
    return [PairText(id=int(i), instruction=q or "", response=a or "", external_id=e, status=st,
                     requester=requester_from_extra(x))
            for i, q, a, e, st, x in zip(*cols)]


def _settings(ws: Workspace) -> dict[str, Any]:
    """The settings the detectors read, as set in this workspace (unset keys are left out: each
    detector falls back to the catalogue's default, the conflict threshold to the duplicate one)."""
    out = {}
    for key in SETTING_KEYS + TEXT_SETTING_KEYS:
        if ws.get_setting(key) not in (None, ""):
            out[key] = settings.get(ws, key)
    return out


def _embedder(ws: Workspace, progress: ProgressFn | None, cancel: CancelFn | None) -> Callable[[list[str]], Any]:
    def embed(texts: list[str]):
        return embed_texts(ws, texts, progress=progress, cancel=cancel)

    return embed


def _fp(kind: str, pairs: Sequence[PairText]) -> str:
    texts: list[str] = []
    for p in sorted(pairs, key=lambda p: p.id):
        texts += [p.instruction, p.response]
    return fingerprint(kind, texts)


def _details(c: FlagCandidate) -> str:
    details = dict(c.details or {})
    if c.spans:
        details["spans"] = [
            {"field": s.field, "start": int(s.start), "end": int(s.end), "label": s.label} for s in c.spans
        ]
    return json.dumps(details, ensure_ascii=False, default=str)


def run_flags(ws: Workspace, kinds: Iterable[str] | str | None = None, pair_ids: Sequence[int] | None = None,
              progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> dict[str, int]:
    """Compute flags and store them. Returns {kind: number of open flags found in the recomputed
    scope} for each kind that ran (a detector that fails to load is left out, and so is a tone,
    needs-context or personal-data detector that raises)."""
    order = parse_kinds(kinds)
    all_items = load_items(ws)
    by_id = {p.id: p for p in all_items}
    focus: set[int] | None = None
    if pair_ids is not None:
        focus = {int(i) for i in pair_ids}
    options = _settings(ws)
    options["workspace_key"] = str(ws.db_path)  # for detectors that keep what a full pass learned
    if any(k in order for k in ("pii", "needs_context")):
        # id shapes learned from every pair, also when only a few pairs are re-checked
        options[LEARNED_KEY] = learn_id_patterns(all_items)
    ctx = DetectContext(progress=progress, cancel=cancel, settings=options,
                        embed=_embedder(ws, progress, cancel))
    if set(order) & set(CLAIM_KINDS):
        _claims_context(ws, all_items, ctx)
    found: dict[str, list[FlagCandidate]] = {}
    scopes: dict[str, set[int] | None] = {}
    for kind in order:
        raise_if_cancelled(cancel)
        detect = _detector(kind)
        if detect is None:
            continue
        scope: set[int] | None = None
        if focus is not None:
            scope = set(focus)
            if kind in GROUP_KINDS:
                # the groups the edited pairs were in are recomputed whole
                for f in _open_flags_touching(ws, kind, focus):
                    scope.update(f)
        scopes[kind] = scope
        if kind in WHOLE_CONTEXT_KINDS:
            items = all_items
            ctx.settings["focus_pair_ids"] = sorted(scope) if scope is not None else None
        else:
            items = all_items if scope is None else [by_id[i] for i in sorted(scope) if i in by_id]
            ctx.settings.pop("focus_pair_ids", None)
        if progress is not None:
            progress(0, 1, f"Checking: {KIND_LABELS.get(kind, kind)}")
        try:
            cands = detect(items, ctx) if items else []
        except PairsmithError:
            raise
        except Exception as exc:  # a detector bug must not lose the other kinds' flags
            log.warning("flag kind %s failed: %s: %s", kind, type(exc).__name__, exc)
            if kind not in GROUP_KINDS:
                scopes.pop(kind)
                continue
            raise
        if scope is not None:
            cands = [c for c in cands if scope & set(c.pair_ids)]
        found[kind] = [c for c in cands if c.kind == kind or c.kind in KINDS]
    for key in ("_cache", "claims", "vocabulary", "policy_claims", "policy_claims_lines"):
        ctx.settings.pop(key, None)
    raise_if_cancelled(cancel)  # a cancel during the last detector must not replace its flags
    return _store(ws, found, scopes, by_id)


def _claims_context(ws: Workspace, items: list[PairText], ctx: DetectContext) -> None:
    """Bring the claims index up to date (only changed pairs are read again) and hand the
    detectors the claims, the vocabulary and the policy sheet's claims."""
    from engine.flags import claims as claims_mod
    from engine.flags import policy as policy_mod

    vocab = claims_mod.workspace_vocabulary(ws, [t for p in items for t in (p.instruction, p.response)])
    claims_mod.update_index(ws, items, vocabulary=vocab)
    ctx.settings["vocabulary"] = vocab
    ctx.settings["claims"] = claims_mod.load_index(ws)
    lines = policy_mod.loaded_claims(ws, vocab)
    ctx.settings["policy_claims_lines"] = lines
    ctx.settings["policy_claims"] = [c for _l, c in lines]


def _open_flags_touching(ws: Workspace, kind: str, ids: set[int]) -> list[list[int]]:
    rows = ws.execute(
        "SELECT pair_ids FROM flags WHERE kind = ? AND status = 'open' AND len(list_intersect(pair_ids, ?)) > 0",
        [kind, sorted(ids)],
    ).fetchall()
    return [list(r[0]) for r in rows]


def _store(ws: Workspace, found: dict[str, list[FlagCandidate]], scopes: dict[str, set[int] | None],
           by_id: dict[int, PairText]) -> dict[str, int]:
    import pyarrow as pa

    counts: dict[str, int] = {}
    now = _now()
    with ws.transaction():
        rows = []
        for kind, cands in found.items():
            scope = scopes.get(kind)
            if scope is None:
                ws.execute("DELETE FROM flags WHERE kind = ? AND status = 'open'", [kind])
            else:
                ws.execute(
                    "DELETE FROM flags WHERE kind = ? AND status = 'open' AND len(list_intersect(pair_ids, ?)) > 0",
                    [kind, sorted(scope)],
                )
            closed = {r[0] for r in ws.execute(
                "SELECT fingerprint FROM flags WHERE kind = ? AND status <> 'open' AND fingerprint IS NOT NULL",
                [kind]).fetchall()}
            seen: set[tuple] = set()
            n = 0
            for c in cands:
                pairs = [by_id[i] for i in c.pair_ids if i in by_id]
                if not pairs:
                    continue
                fp = _fp(c.kind, pairs)
                # the same texts in other pairs (copies of one ticket) are flagged there too:
                # every copy must carry its flag, or a copy slips past the export guard
                once = (fp, c.explanation, tuple(sorted(int(i) for i in c.pair_ids)))
                if fp in closed or once in seen:
                    continue
                seen.add(once)
                sev = c.severity if c.severity in SEVERITY_RANK else "medium"
                rows.append((c.kind, sev, float(c.score or 0.0), [int(i) for i in c.pair_ids],
                             c.explanation, _details(c), fp))
                n += 1
            counts[kind] = n
        if rows:
            table = pa.table({
                "kind": pa.array([r[0] for r in rows], pa.string()),
                "severity": pa.array([r[1] for r in rows], pa.string()),
                "score": pa.array([r[2] for r in rows], pa.float64()),
                "pair_ids": pa.array([r[3] for r in rows], pa.list_(pa.int32())),
                "explanation": pa.array([r[4] for r in rows], pa.string()),
                "details": pa.array([r[5] for r in rows], pa.string()),
                "fingerprint": pa.array([r[6] for r in rows], pa.string()),
            })
            with ws.registered("_pairsmith_new_flags", table) as name:
                ws.execute(
                    f"""INSERT INTO flags (kind, severity, score, pair_ids, explanation, details, status,
                                           fingerprint, created_at)
                        SELECT kind, severity, score, pair_ids::INTEGER[], explanation, CAST(details AS JSON),
                               'open', fingerprint, ? FROM {name}""",
                    [now],
                )
    return counts


def refresh_pairs(ws: Workspace, pair_ids: Sequence[int], *, kinds: Iterable[str] | str | None = None,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> dict[str, int]:
    """Re-check pairs after an edit, a status change or a redaction. The one rule: the open flags
    of `kinds` (None = every kind) that touch `pair_ids` are recomputed, and for duplicates and
    conflicts the whole groups those pairs were in; all other flags keep their rows and ids.
    Dismissed and resolved flags stay closed while their texts are unchanged. Pass QUICK_KINDS
    (plus any kind wanted at once) for a re-check without embeddings; duplicates and conflicts
    compare against every pair and can take seconds. Returns what `run_flags` returns."""
    return run_flags(ws, kinds=kinds, pair_ids=[int(i) for i in pair_ids], progress=progress, cancel=cancel)


def refresh_pair(ws: Workspace, pair_id: int, *, kinds: Iterable[str] | str | None = None,
                 progress: ProgressFn | None = None) -> dict[str, int]:
    """`refresh_pairs` for one pair."""
    return refresh_pairs(ws, [pair_id], kinds=kinds, progress=progress)


# --- reading and resolving ----------------------------------------------------------------------
def list_flags(ws: Workspace, kind: str | None = None, status: str | None = None,
               pair_id: int | None = None) -> list[dict]:
    """Flags as dicts {id, kind, severity, score, pair_ids, external_ids, explanation, details,
    status}, most severe first."""
    clauses, params = [], []
    if kind:
        k = [kind] if kind in IMPORT_KINDS else parse_kinds([kind])
        clauses.append("kind = ?")
        params.append(k[0] if k else kind)
    if status:
        if status not in FLAG_STATUSES:
            raise BadInput(f"unknown flag status {status!r}; use one of {', '.join(FLAG_STATUSES)}")
        clauses.append("status = ?")
        params.append(status)
    if pair_id is not None:
        clauses.append("list_contains(pair_ids, ?)")
        params.append(int(pair_id))
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = ws.query(
        f"""SELECT id, kind, severity, score, pair_ids, explanation, details, status, created_at,
                   resolved_at, resolution FROM flags{where}
            ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id""",
        params or None,
    )
    ids = sorted({i for r in rows for i in (r["pair_ids"] or [])})
    ext: dict[int, str | None] = {}
    if ids:
        for pid, e in ws.execute(
            "SELECT p.id, t.external_id FROM pairs p LEFT JOIN tickets t ON t.id = p.ticket_id WHERE list_contains(?, p.id)",
            [ids],
        ).fetchall():
            ext[int(pid)] = e
    out = []
    for r in rows:
        pids = [int(i) for i in (r["pair_ids"] or [])]
        out.append({
            "id": int(r["id"]),
            "kind": r["kind"],
            "severity": r["severity"],
            "score": float(r["score"] or 0.0),
            "pair_ids": pids,
            "external_ids": [ext.get(i) for i in pids],
            "explanation": r["explanation"],
            "details": json.loads(r["details"]) if r["details"] else {},
            "status": r["status"],
            "created_at": r["created_at"],
            "resolved_at": r["resolved_at"],
            "resolution": json.loads(r["resolution"]) if r["resolution"] else None,
        })
    return out


def resolve_flag(ws: Workspace, flag_id: int, keep: int | None = None, dismiss: bool = False) -> dict:
    """Resolve a flag. `dismiss=True`: not a problem; it stays dismissed until its texts change.
    `keep=PAIR_ID` (duplicate or conflict flags): the other pairs of the flag are set to rejected
    as one undoable change (engine.review.pairs.update_pairs) and the flag becomes resolved.
    Returns {id, status, kept, rejected, change_id}."""
    from engine.review import pairs as pairs_mod

    rows = ws.query("SELECT id, kind, pair_ids, status FROM flags WHERE id = ?", [int(flag_id)])
    if not rows:
        raise NotFound(f"no flag with id {flag_id}")
    flag = rows[0]
    pids = [int(i) for i in flag["pair_ids"]]
    if dismiss and keep is not None:
        raise BadInput("choose either --keep PAIR_ID or --dismiss, not both")
    if not dismiss and keep is None:
        raise BadInput("say how to resolve the flag: --keep PAIR_ID or --dismiss")
    now = _now()
    if dismiss:
        with ws.transaction():
            ws.execute(
                "UPDATE flags SET status = 'dismissed', resolved_at = ?, resolution = ? WHERE id = ?",
                [now, json.dumps({"dismissed": True}), int(flag_id)],
            )
        return {"id": int(flag_id), "status": "dismissed", "kept": None, "rejected": [], "change_id": 0}
    if flag["kind"] not in GROUP_KINDS:
        raise BadInput(f"--keep applies to duplicate and conflict flags; flag {flag_id} is a {flag['kind']} flag "
                       "(edit the pair, or --dismiss)")
    if flag["status"] != "open":
        raise BadInput(f"flag {flag_id} is already {flag['status']}")
    keep = int(keep)
    if keep not in pids:
        raise BadInput(f"pair {keep} is not part of flag {flag_id} (its pairs: {', '.join(map(str, pids))})")
    others = [i for i in pids if i != keep]
    with ws.transaction():
        existing = {r[0] for r in ws.execute("SELECT id FROM pairs WHERE list_contains(?, id)", [others]).fetchall()}
        others = [i for i in others if i in existing]
        change = pairs_mod.update_pairs(ws, others, status="rejected") if others else 0
        ws.execute(
            "UPDATE flags SET status = 'resolved', resolved_at = ?, resolution = ? WHERE id = ?",
            [now, json.dumps({"keep": keep, "rejected": others, "change_id": change}), int(flag_id)],
        )
    if others:
        # the rejected pairs leave every other open flag (and may leave groups smaller)
        try:
            refresh_pairs(ws, others)
        except PairsmithError:
            raise
        except Exception as exc:  # the resolution stands even if the refresh fails
            log.warning("refreshing flags after resolving flag %s failed: %s", flag_id, exc)
    return {"id": int(flag_id), "status": "resolved", "kept": keep, "rejected": others, "change_id": change}


def flag_counts(ws: Workspace) -> dict[str, int]:
    """{kind: open flags} for every kind (0 when none)."""
    counts = {k: 0 for k in SHOWN_KINDS}
    for kind, n in ws.execute(
        "SELECT kind, count(*) FROM flags WHERE status = 'open' GROUP BY kind"
    ).fetchall():
        counts[kind] = int(n)
    return counts
