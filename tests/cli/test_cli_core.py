import json

import pytest

from engine.review import pairs
from engine.cli.main import main
from engine.workspace.store import Workspace


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "w"
    assert main(["init", str(r)]) == 0
    with Workspace.open(r) as w:
        pairs.add_pair(w, "How many days of earned leave?", "12 days a year.")
        pairs.add_pair(w, "How do I reset my password?", "Use the self-service portal.")
    return r


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_pairs_json_contract(root, capsys):
    assert main(["pairs", str(root), "--json"]) == 0
    rows = _json(capsys)
    assert len(rows) == 2
    assert set(rows[0]) == {"id", "external_id", "instruction", "response", "status"}


def test_set_status_filter_and_undo(root, capsys):
    assert main(["set", str(root), "1", "--status", "approved", "--response", "Twelve days per year."]) == 0
    capsys.readouterr()
    assert main(["pairs", str(root), "--status", "approved", "--json"]) == 0
    rows = _json(capsys)
    assert [(r["id"], r["response"]) for r in rows] == [(1, "Twelve days per year.")]
    assert main(["undo", str(root), "1"]) == 0
    capsys.readouterr()
    assert main(["pairs", str(root), "--status", "approved", "--json"]) == 0
    assert _json(capsys) == []
    assert main(["redo", str(root), "1", "--json"]) == 0
    assert sorted(_json(capsys)["fields"]) == ["response", "status"]
    assert main(["history", str(root), "1", "--json"]) == 0
    assert {h["field"] for h in _json(capsys)} == {"status", "response"}


def test_set_all(root, capsys):
    assert main(["set", str(root), "--all", "--status", "rejected", "--json"]) == 0
    assert _json(capsys)["pairs"] == 2
    assert main(["status", str(root), "--json"]) == 0
    assert _json(capsys)["rejected"] == 2


@pytest.mark.parametrize("argv,needle", [
    (["set", "{ws}"], "PAIR_ID"),
    (["set", "{ws}", "1"], "nothing to set"),
    (["set", "{ws}", "--all", "--response", "x"], "--all only"),
    (["set", "{ws}", "99", "--status", "approved"], "no pair with id 99"),
    (["set", "{ws}", "1", "--response", "  "], "cannot be empty"),
    (["undo", "{ws}", "42"], "no pair"),
    (["pairs", "{ws}/missing"], "not a Pairsmith workspace"),
])
def test_bad_input_is_one_line_exit_2(root, capsys, argv, needle):
    rc = main([a.format(ws=root) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_undo_with_nothing_to_undo(root, capsys):
    assert main(["undo", str(root), "2"]) == 0
    assert "Nothing to undo" in capsys.readouterr().out


def test_output_into_a_closed_pipe_ends_quietly(root):
    """`pairsmith pairs WS | head -1`: the reader closes the pipe early; no 'unexpected error'."""
    import subprocess
    import sys

    from engine.review import pairs as pairs_mod

    with Workspace.open(root) as w:
        for i in range(3000):
            pairs_mod.add_pair(w, f"Question number {i}?", f"Answer number {i}.")
    code = ("import sys; from engine.cli.main import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.Popen([sys.executable, "-c", code, "pairs", str(root), "--limit", "3000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `head -1` exiting
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "unexpected error" not in err and "Traceback" not in err and "Exception ignored" not in err, err
