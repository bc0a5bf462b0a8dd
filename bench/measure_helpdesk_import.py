"""Measure the helpdesk import on an evaluation set it was not tuned on: how many tickets of each
export get the right pair (or rightly none), and whether any internal note leaks into a pair.

    python bench/measure_helpdesk_import.py [SET_DIR]

SET_DIR (default tests/data/import/helpdesk_eval, written by its make_eval.py) holds the
exports and expected.json: {"pairs": {"format:external id": {"q": [snippets the instruction must
hold], "a": snippet the response must hold} or {"none": true}}, "internal": [note texts]}.
A ticket is right when its pair holds every snippet (case aside) (or, for "none", when it has no pair).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.ingest.importer import import_files  # noqa: E402
from engine.workspace.store import Workspace  # noqa: E402

GROUPS = {  # format -> files of one import
    "zendesk": ["zendesk.ndjson", "zendesk_users.ndjson"],
    "freshdesk": ["freshdesk_tickets.csv", "freshdesk_conversations.json"],
    "jira": ["jira.csv"],
    "servicenow": ["servicenow.csv"],
    "mail": ["helpdesk.mbox"],
}


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "import" / "helpdesk_eval"
    spec = json.loads((folder / "expected.json").read_text())
    expected, internal = spec["pairs"], spec["internal"]
    right, total, leaks = Counter(), Counter(), 0
    wrong: list[str] = []
    for fmt, files in GROUPS.items():
        with tempfile.TemporaryDirectory() as tmp:
            ws = Workspace.create(Path(tmp) / "ws")
            res = import_files(ws, [folder / f for f in files])
            got = {r["external_id"]: r for r in ws.query(
                "SELECT t.external_id, p.instruction, p.response FROM pairs p JOIN tickets t ON t.id = p.ticket_id")}
            ws.close()
        detected = {f.get("vendor") for f in res["files"]}
        for key, want in expected.items():
            kfmt, ext = key.split(":", 1)
            if kfmt != fmt:
                continue
            total[fmt] += 1
            p = got.get(ext)
            if want.get("none"):
                ok = p is None
            else:
                ok = (p is not None and all(s.lower() in p["instruction"].lower() for s in want["q"])
                      and want["a"].lower() in p["response"].lower())  # (a greeting cut capitalises)
            right[fmt] += ok
            if not ok:
                wrong.append(f"{key}: " + ("no pair" if p is None else
                                           f"Q={p['instruction'][:90]!r} A={p['response'][:90]!r}"))
        for p in got.values():
            leaks += sum(1 for s in internal if s in p["instruction"] or s in p["response"])
        print(f"{fmt:<11} detected {','.join(sorted(d for d in detected if d)) or 'NOT DETECTED':<11} "
              f"{right[fmt]}/{total[fmt]} tickets right, {len(res['errors'])} bad record(s) reported")
    print(f"all         {sum(right.values())}/{sum(total.values())} tickets right; internal-note text in pairs: "
          f"{leaks}")
    for w in wrong:
        print("  wrong:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
