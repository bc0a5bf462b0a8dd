"""Maintenance subcommands: backups, backup, restore, trust.

    pairsmith backups WS                 list the automatic and manual backups, newest first
    pairsmith backup WS                  take a backup now
    pairsmith restore WS [BACKUP]        put a backup (default: the newest) in place of a damaged file
    pairsmith trust WS MODEL [--remote-code] [--pickle] [--revoke]
    pairsmith settings WS [KEY [VALUE]]  show or change a workspace setting (offline, thresholds...)
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path

from engine.cli.output import emit, open_ws
from engine.workspace.errors import BadInput, NotFound, WorkspaceCorrupt
from engine.workspace import settings as ws_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backups", help="list the workspace's backups, newest first")
    p.add_argument("workspace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("backup", help="copy the workspace file into its backups folder now")
    p.add_argument("workspace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup of a damaged workspace (the damaged file is kept)")
    p.add_argument("workspace")
    p.add_argument("backup", nargs="?", help="a backup file (default: the newest); see `pairsmith backups WS`")
    p.add_argument("--force", action="store_true", help="restore even though the workspace file opens fine")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("trust", help="allow a model's own code or pickle weights (off by default)")
    p.add_argument("workspace")
    p.add_argument("model", help="the model folder or hub id, as given to --base-model")
    p.add_argument("--remote-code", action="store_true", help="allow the Python code that comes with the model")
    p.add_argument("--pickle", action="store_true", help="allow pickle weight files (.bin/.pt)")
    p.add_argument("--revoke", action="store_true", help="take back both permissions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_trust)

    p = sub.add_parser("settings", help="show or change workspace settings (offline, flag thresholds, ...)",
                       description="Workspace settings. " + "; ".join(f"{k}: {v}" for k, v in WORKSPACE_SETTINGS.items()))
    p.add_argument("workspace")
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?", help="JSON (true, 0.8, \"text\") or plain text")
    p.add_argument("--unset", action="store_true", help="back to the default")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_settings)


# Settings a user may change, with what they do (the catalogue in engine/workspace/settings.py).
WORKSPACE_SETTINGS = {key: s.help for key, s in ws_settings.USER_SETTINGS.items()}


def _describe(path: Path) -> dict:
    st = path.stat()
    return {"path": str(path), "size": st.st_size,
            "taken": _dt.datetime.fromtimestamp(st.st_mtime).replace(microsecond=0).isoformat(sep=" ")}


def cmd_backups(args) -> int:
    from engine.workspace.store import list_backups

    rows = [_describe(p) for p in list_backups(args.workspace)]
    if args.json:
        emit(rows, True)
        return 0
    if not rows:
        print("No backups yet (one is taken automatically the first time the workspace is opened each day).")
        return 0
    for r in rows:
        print(f"{r['taken']}  {r['size'] / 1e6:8.1f} MB  {r['path']}")
    return 0


def cmd_backup(args) -> int:
    from engine.workspace.store import backup

    with open_ws(args.workspace) as ws:
        path = backup(ws.root, reason="manual", con=ws.con)
    emit({"backup": str(path)}, args.json, f"Backup written to {path}")
    return 0


def _check_backup(path: Path) -> None:
    """A backup must itself open before it replaces anything."""
    import duckdb

    from engine.workspace.store import _truncation

    reason = _truncation(path)
    if reason:
        raise BadInput(f"the backup {path} is damaged too ({reason}); choose another (`pairsmith backups WS`)")
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            con.execute("SELECT count(*) FROM pairs").fetchall()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise BadInput(f"the backup {path} cannot be read ({str(exc).splitlines()[0]}); choose another") from None


def cmd_restore(args) -> int:
    from engine.workspace.store import DB_NAME, Workspace, list_backups, restore_backup

    root = Path(args.workspace)
    if not root.is_dir():
        raise NotFound(f"{root} is not a folder")
    backups = list_backups(root)
    if args.backup:
        chosen = Path(args.backup)
        if not chosen.is_file() and (root / "backups" / args.backup).is_file():
            chosen = root / "backups" / args.backup
        if not chosen.is_file():
            raise NotFound(f"no backup file {args.backup}; list them with `pairsmith backups {root}`")
    elif backups:
        chosen = backups[0]
    else:
        raise NotFound(f"{root} has no backups to restore")
    _check_backup(chosen)
    if (root / DB_NAME).exists():
        # refuse to pull the file from under a running app or command; a damaged file cannot be
        # locked by anyone, so that case goes ahead
        try:
            Workspace.open(root, migrate=False).close()
        except WorkspaceCorrupt:
            pass
        else:
            if not args.force:
                raise BadInput(f"the workspace in {root} opens fine; pass --force to replace it with the backup "
                               "anyway (the current file is kept beside it)")
    db = restore_backup(root, chosen)
    with Workspace.open(root) as ws:
        counts = ws.counts()
    emit({"restored": str(chosen), "workspace": str(db), **counts}, args.json,
         f"Restored {chosen.name} into {root} ({counts['pairs']} pairs, {counts['tickets']} tickets); "
         f"the previous file is kept beside it as {DB_NAME}.damaged-*")
    return 0


def cmd_settings(args) -> int:
    import json

    with open_ws(args.workspace) as ws:
        if args.key is None:
            rows = {r["key"]: json.loads(r["value"]) for r in ws.query("SELECT key, value FROM settings ORDER BY key")
                    if r["key"] in ws_settings.USER_SETTINGS}
            emit(rows, args.json, "\n".join(f"{k} = {json.dumps(v)}" for k, v in rows.items())
                 or "no settings changed from their defaults")
            return 0
        if args.key not in ws_settings.USER_SETTINGS:
            raise BadInput(f"unknown setting {args.key!r}; known: {', '.join(WORKSPACE_SETTINGS)}")
        if args.unset:
            ws_settings.unset(ws, args.key)
            emit({args.key: None}, args.json, f"{args.key} is back to its default")
            return 0
        if args.value is None:
            value = ws.get_setting(args.key)
            emit({args.key: value}, args.json, f"{args.key} = {json.dumps(value)}" if value is not None
                 else f"{args.key} is not set (default: {json.dumps(ws_settings.default(args.key))}; "
                      f"{WORKSPACE_SETTINGS[args.key]})")
            return 0
        try:
            value = json.loads(args.value)
        except ValueError:
            value = args.value
        value = ws_settings.validate(args.key, value)
        ws.set_setting(args.key, value)
    emit({args.key: value}, args.json, f"{args.key} = {json.dumps(value)}")
    return 0


def cmd_trust(args) -> int:
    from engine.workspace.security import trust_model

    if args.revoke and (args.remote_code or args.pickle):
        raise BadInput("--revoke takes no other option")
    if not args.revoke and not (args.remote_code or args.pickle):
        raise BadInput("say what to allow: --remote-code and/or --pickle (or --revoke)")
    with open_ws(args.workspace) as ws:
        res = trust_model(ws, args.model, remote_code=args.remote_code and not args.revoke,
                          pickle=args.pickle and not args.revoke)
    allowed = [k for k, v in res.items() if v]
    emit({"model": args.model, **res}, args.json,
         f"{args.model}: allowed {' and '.join(a.replace('_', ' ') for a in allowed)}" if allowed
         else f"{args.model}: no remote code, safetensors only (the default)")
    return 0
