"""`pairsmith redact` on the second evaluation set: every planted personal-data value is replaced,
equal values share one placeholder across pairs and fields, and nothing is left to flag."""

from __future__ import annotations

import json
import re

import pytest

from engine.cli.main import main as cli_main
from engine.flags.base import DetectContext, PairText
from engine.flags.pii import detect
from engine.review import pairs
from engine.workspace.store import Workspace
from privacy_context_set import load_set


@pytest.fixture
def filled(tmp_path):
    es = load_set()
    ws = Workspace.create(tmp_path / "ws")
    for i, row in enumerate(es.rows, start=1):
        extra = json.dumps({"Requester": row["requester"]} if row["requester"] else {})
        ws.execute("INSERT INTO tickets (id, external_id, question, answer, extra, content_hash) VALUES (?, ?, ?, ?, ?, ?)",
                   [i, row["id"], row["question"], row["answer"], extra, f"h{i}"])
        pairs.add_pair(ws, row["question"], row["answer"], ticket_id=i)
    ws.close()
    return tmp_path / "ws", es


def test_every_planted_value_is_redacted_with_consistent_placeholders(filled, capsys):
    root, es = filled
    assert cli_main(["redact", str(root), "--all", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["replacements"] >= sum(len(r["pii"]) for r in es.rows)
    ws = Workspace.open(root)
    try:
        got = {p["id"]: p for p in pairs.list_pairs(ws)}
        mapping = {r["placeholder"]: (r["kind"], r["original"]) for r in ws.query("SELECT * FROM pii_map")}
    finally:
        ws.close()
    field_of = {"question": "instruction", "answer": "response"}
    for pid, row in enumerate(es.rows, start=1):
        for p in row["pii"]:
            text = got[pid][field_of[p["field"]]]
            # the value is gone (a name may survive as part of a longer word only)
            assert not re.search(r"(?<!\w)" + re.escape(p["text"]) + r"(?!\w)", text), (row["id"], p["text"], text)
    # one placeholder per distinct value: no two placeholders hold the same original of a kind
    originals = [(k, re.sub(r"[\s\-]", "", o).lower()) for k, o in mapping.values()]
    assert len(originals) == len(set(originals))
    # the requester's name in the answer's greeting and in the question share the placeholder
    first = es.rows[0]
    assert first["requester"] == "Gareth Hughes"
    name_ph = [ph for ph, (k, o) in mapping.items() if k == "name" and o == "Gareth Hughes"]
    assert name_ph and name_ph[0] in got[1]["response"]
    # nothing is left to flag
    items = [PairText(pid, p["instruction"], p["response"]) for pid, p in got.items()]
    assert detect(items, DetectContext()) == []
