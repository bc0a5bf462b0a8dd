"""`pairsmith redact WS (--pair ID | --all) [--json]`: replace personal data with placeholders.
`pairsmith id-patterns WS [--confirm P | --remove P | --reset P | --add P] [--json]`: the id shapes
learned from the workspace (what File > Workspace settings shows) and the user's decisions.

Prints what was replaced as counts per kind; never the original values."""

from __future__ import annotations

import argparse
import sys

_NOUN = {
    "email": "email address", "phone": "phone number", "employee_id": "employee ID",
    "national_id": "national ID number", "bank_account": "bank account number", "card": "payment card number",
    "address": "address", "name": "name", "birth_date": "birth date",
}


def _plural(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}es" if noun.endswith("ss") else f"{n} {noun}s"


def describe_counts(by_kind: dict[str, int]) -> str:
    if not by_kind:
        return "nothing"
    return ", ".join(_plural(n, _NOUN.get(k, k)) for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1]))


def cmd_redact(args) -> int:
    from engine.cli.output import ProgressBar, emit, open_ws
    from engine.privacy.redact import redact_all, redact_pair_report

    ws = open_ws(args.workspace)
    try:
        if args.pair is not None:
            result = redact_pair_report(ws, args.pair)
            text = (f"Pair {args.pair}: replaced {describe_counts(result['by_kind'])}."
                    if result["replacements"] else f"Pair {args.pair}: no personal data found.")
            if result["replacements"]:
                text += f" Undo with `pairsmith undo {args.workspace} {args.pair}`."
        else:
            bar = ProgressBar("redact", enabled=sys.stderr.isatty() and not args.json)
            try:
                result = redact_all(ws, progress=bar)
            finally:
                bar.close()
            if result["replacements"]:
                text = (f"Redacted {result['pairs_changed']} of {result['pairs']} pairs: replaced "
                        f"{describe_counts(result['by_kind'])} (change {result['change_id']}; "
                        f"{result['new_placeholders']} new placeholders).")
            else:
                text = f"No personal data found in {result['pairs']} pairs."
        if result["replacements"]:
            _refresh_flags(ws, result["change_id"], quiet=args.json)
        emit(result, args.json, text)
    finally:
        ws.close()
    return 0


def _refresh_flags(ws, change_id: int, quiet: bool = False) -> None:
    """Recompute the flags of the pairs just redacted: their old personal-data flags would
    otherwise stay open, quoting the values that were replaced, and other flags' spans would
    point at the old text. Only when flags were found before (nothing to refresh otherwise)."""
    from engine.cli.output import ProgressBar
    from engine.flags.runner import refresh_pairs
    from engine.review.pairs import pairs_of_change

    if not change_id or not ws.scalar("SELECT count(*) FROM flags"):
        return
    ids = pairs_of_change(ws, change_id)
    if not ids:
        return
    bar = ProgressBar("flags", enabled=sys.stderr.isatty() and not quiet)
    try:
        refresh_pairs(ws, ids, progress=bar)
    finally:
        bar.close()


def cmd_id_patterns(args) -> int:
    from engine.cli.output import emit, open_ws
    from engine.privacy import id_patterns

    ws = open_ws(args.workspace)
    try:
        if args.confirm or args.add:
            id_patterns.set_state(ws, (args.confirm or args.add).strip(), "confirmed")
        elif args.remove:
            id_patterns.set_state(ws, args.remove.strip(), "removed")
        elif args.reset:
            id_patterns.set_state(ws, args.reset.strip(), None)
        rows = [{"pattern": p.pattern, "reads_as": p.display, "examples": list(p.examples), "seen": p.count,
                 "anywhere": p.anywhere, "state": p.state} for p in id_patterns.list_patterns(ws)]
        if not rows:
            text = "No id shapes learned yet (ids written after 'employee id', 'staff number', 'badge no'...)."
        else:
            lines = []
            for r in rows:
                where = "" if r["anywhere"] or r["state"] != "learned" else ", only after a cue word"
                seen = f", seen {r['seen']}x" if r["seen"] else ""
                lines.append(f"  {r['pattern']:<24} {r['reads_as']:<28} {r['state']}{seen}{where}"
                             + (f"  e.g. {', '.join(r['examples'])}" if r["examples"] else ""))
            text = "Id shapes:\n" + "\n".join(lines)
        emit(rows, args.json, text)
    finally:
        ws.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("redact", help="replace personal data in pairs with placeholders like [EMAIL_1]")
    p.add_argument("workspace")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--pair", type=int, metavar="ID", help="redact one pair")
    which.add_argument("--all", action="store_true", help="redact every pair (one undoable change)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_redact)

    p = sub.add_parser("id-patterns", help="the id shapes learned from the workspace; confirm, remove or add one")
    p.add_argument("workspace")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--confirm", metavar="REGEX", help="confirm a learned shape (found everywhere)")
    which.add_argument("--remove", metavar="REGEX", help="a shape that is not an id: never flagged")
    which.add_argument("--reset", metavar="REGEX", help="forget the decision on a shape (or an added pattern)")
    which.add_argument("--add", metavar="REGEX", help="add an id pattern of your own")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_id_patterns)
