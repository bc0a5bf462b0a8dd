"""The workspace's learned id shapes: engine functions and `pairsmith id-patterns`, and redaction
applying them consistently."""

from __future__ import annotations

import json

import pytest

from engine.cli.main import main as cli_main
from engine.privacy import id_patterns
from engine.privacy.redact import redact_all
from engine.review import pairs
from engine.workspace.errors import BadInput
from engine.workspace.store import Workspace


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    w.ids = [pairs.add_pair(w, "My staff number is LK204877, payslip is wrong.", "Fixed for LK204877."),
             pairs.add_pair(w, "Emp no LK118204: badge broken.", "A new badge is at reception."),
             pairs.add_pair(w, "Please update the record for LK512093.", "Updated the record for LK512093."),
             pairs.add_pair(w, "Order 40012345 is late.", "It ships tomorrow.")]
    yield w
    try:
        w.close()
    except Exception:  # test_cli closed it already
        pass


def test_learned_shapes_and_decisions(ws):
    rows = id_patterns.list_patterns(ws)
    assert [(p.pattern, p.count, p.state) for p in rows] == [(r"LK\d{6}", 2, "learned")]
    assert id_patterns.rules(ws).anywhere == (r"LK\d{6}",)
    id_patterns.set_state(ws, r"LK\d{6}", "removed")
    assert id_patterns.rules(ws).anywhere == () and id_patterns.rules(ws).removed == (r"LK\d{6}",)
    id_patterns.set_state(ws, r"LK\d{6}", None)
    assert id_patterns.decisions(ws) == {}
    id_patterns.add_pattern(ws, r"ORD-\d{4}")
    assert [p.state for p in id_patterns.list_patterns(ws)] == ["learned", "added"]
    with pytest.raises(BadInput):
        id_patterns.set_state(ws, "([", "confirmed")
    with pytest.raises(BadInput):
        id_patterns.set_state(ws, r"LK\d{6}", "maybe")


def test_redaction_applies_the_learned_shape_with_one_placeholder_per_value(ws):
    result = redact_all(ws)
    assert result["by_kind"] == {"employee_id": 5}
    texts = {i: pairs.get_pair(ws, i) for i in ws.ids}
    assert texts[ws.ids[0]]["instruction"] == "My staff number is [EMPLOYEE_ID_1], payslip is wrong."
    assert texts[ws.ids[0]]["response"] == "Fixed for [EMPLOYEE_ID_1]."  # no cue here: the learned shape
    assert texts[ws.ids[2]]["instruction"] == "Please update the record for [EMPLOYEE_ID_3]."
    assert texts[ws.ids[2]]["response"] == "Updated the record for [EMPLOYEE_ID_3]."
    assert texts[ws.ids[3]]["instruction"] == "Order 40012345 is late."


def test_a_removed_shape_is_not_redacted(ws):
    id_patterns.set_state(ws, r"LK\d{6}", "removed")
    assert redact_all(ws)["replacements"] == 0


def test_cli(ws, capsys):
    root = str(ws.root)
    ws.close()
    assert cli_main(["id-patterns", root]) == 0
    out = capsys.readouterr().out
    assert r"LK\d{6}" in out and "LK + 6 digits" in out and "learned" in out
    assert cli_main(["id-patterns", root, "--remove", r"LK\d{6}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "removed"
    assert cli_main(["id-patterns", root, "--add", "(["]) == 2
    assert "not valid" in capsys.readouterr().err
