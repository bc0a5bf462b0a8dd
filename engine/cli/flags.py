"""`pairsmith flag`, `pairsmith flags`, `pairsmith resolve`: find, list and resolve quality flags."""

from __future__ import annotations

import argparse
import logging

from engine.cli.output import ProgressBar, emit, open_ws
from engine.workspace.errors import BadInput
from engine.flags.base import KIND_LABELS, KINDS

LIST_KEYS = ("id", "kind", "severity", "pair_ids", "external_ids", "explanation")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("flag", help="look for duplicates, conflicting answers, tone, needs-context and personal data")
    p.add_argument("workspace")
    p.add_argument("--kinds", help=f"comma-separated kinds to run (default all: {','.join(KINDS)})")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_flag)

    p = sub.add_parser("flags", help="list flags")
    p.add_argument("workspace")
    p.add_argument("--kind", help=f"one of {', '.join(KINDS)}")
    p.add_argument("--status", choices=("open", "resolved", "dismissed"), help="only flags with this status")
    p.add_argument("--pair", type=int, help="only flags about this pair id")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=cmd_flags)

    p = sub.add_parser("resolve", help="resolve a flag: keep one pair (others rejected, undoable) or dismiss it")
    p.add_argument("workspace")
    p.add_argument("flag_id", type=int)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--keep", type=int, metavar="PAIR_ID", help="keep this pair; the flag's other pairs are rejected")
    g.add_argument("--dismiss", action="store_true", help="not a problem: dismiss the flag")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_resolve)

    p = sub.add_parser("policy", help="import the organisation's policy sheet (md, txt, docx, pdf): answers that "
                                      "contradict it get `policy` flags; --show lists its claims")
    p.add_argument("workspace")
    p.add_argument("file", nargs="?", help="the policy file (Markdown, plain text, DOCX or PDF); replaces the sheet")
    p.add_argument("--show", action="store_true", help="list the policy's claims")
    p.add_argument("--clear", action="store_true", help="remove the policy sheet")
    p.add_argument("--no-check", action="store_true", help="do not look for answers that contradict it now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_policy)


class _Warnings(logging.Handler):
    """Collects the runner's warnings (a detector missing) to print as one line each."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def cmd_flag(args) -> int:
    from engine.flags.runner import parse_kinds, run_flags

    kinds = parse_kinds(args.kinds) if args.kinds else None
    if args.kinds and not kinds:
        raise BadInput("no flag kinds given")
    bar = ProgressBar("Flagging", enabled=not args.quiet)
    handler = _Warnings()
    logger = logging.getLogger("engine.flags")
    logger.addHandler(handler)
    try:
        with open_ws(args.workspace) as ws:
            counts = run_flags(ws, kinds=kinds, progress=bar)
            pairs = int(ws.scalar("SELECT count(*) FROM pairs WHERE status <> 'rejected'"))
    finally:
        bar.close()
        logger.removeHandler(handler)
    import sys

    for m in handler.messages:
        print(f"pairsmith: warning: {m}", file=sys.stderr)
    lines = [f"Checked {pairs} pair(s)."]
    for kind in sorted(counts, key=KINDS.index):
        n = counts[kind]
        lines.append(f"  {KIND_LABELS.get(kind, kind):<22} {n}")
    if pairs < 2 and ("duplicate" in counts or "conflict" in counts):
        lines.append("  (duplicates and conflicting answers need at least two pairs)")
    emit(counts, args.json, "\n".join(lines))
    return 0


def _short(text: str, n: int = 110) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def cmd_flags(args) -> int:
    from engine.flags.runner import list_flags

    with open_ws(args.workspace) as ws:
        flags = list_flags(ws, kind=args.kind, status=args.status, pair_id=args.pair)
    if args.json:
        out = [{k: f[k] for k in (*LIST_KEYS, "status", "score", "details")} for f in flags]
        emit(out, True)
        return 0
    if not flags:
        print("No flags." if not (args.kind or args.status or args.pair) else "No flags match.")
        return 0
    for f in flags:
        ids = ", ".join(e or f"pair #{p}" for e, p in zip(f["external_ids"], f["pair_ids"]))
        status = "" if f["status"] == "open" else f" [{f['status']}]"
        print(f"#{f['id']:<5} {f['kind']:<13} {f['severity']:<6} pairs {','.join(map(str, f['pair_ids']))} ({ids}){status}")
        print(f"       {_short(f['explanation'])}")
    return 0


def cmd_resolve(args) -> int:
    from engine.flags.runner import resolve_flag

    with open_ws(args.workspace) as ws:
        result = resolve_flag(ws, args.flag_id, keep=args.keep, dismiss=args.dismiss)
    if result["status"] == "dismissed":
        text = f"Flag {args.flag_id} dismissed."
    else:
        rej = result["rejected"]
        text = (f"Flag {args.flag_id} resolved: kept pair {result['kept']}"
                + (f", rejected {', '.join(map(str, rej))} (undo with `pairsmith undo WS PAIR_ID`)." if rej else "."))
    emit(result, args.json, text)
    return 0


def cmd_policy(args) -> int:
    from engine.flags import policy
    from engine.flags.runner import run_flags

    if not args.file and not args.show and not args.clear:
        raise BadInput("give a policy FILE to import, or --show / --clear")
    if args.file and args.clear:
        raise BadInput("choose either a policy FILE or --clear")
    with open_ws(args.workspace) as ws:
        result: dict = {}
        if args.clear:
            policy.clear_policy(ws)
            result["cleared"] = True
            if not args.no_check:
                run_flags(ws, kinds=["policy", "conflict"])
        if args.file:
            result.update(policy.load_policy(ws, args.file))  # BadInput (exit 2) leaves the workspace as it was
            if not args.no_check:
                counts = run_flags(ws, kinds=["conflict", "policy"])
                result["policy_flags"] = counts.get("policy", 0)
        if args.show:
            result["sheet"] = policy.get_policy(ws)
    lines = []
    if result.get("cleared"):
        lines.append("Policy sheet removed.")
    if args.file:
        lines.append(f"Policy {result['file']}: {result['claims']} claim(s) from {result['lines']} line(s).")
        if "policy_flags" in result:
            lines.append(f"  {result['policy_flags']} answer(s) contradict it (pairsmith flags WS --kind policy).")
    if args.show:
        sheet = result.get("sheet")
        if not sheet:
            lines.append("No policy sheet loaded.")
        else:
            lines.append(f"Policy {sheet['file']} (loaded {sheet['loaded_at']}):")
            for c in sheet["claims"]:
                scope = ", ".join(f"{k} {v}" for k, v in c["scope"].items())
                lines.append(f"  {c['subject']}: {c['value']}" + (f" ({scope})" if scope else ""))
    emit(result, args.json, "\n".join(lines))
    return 0
