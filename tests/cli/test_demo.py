"""`pairsmith demo` without training: the steps before the training step, on the bundled sample."""

from __future__ import annotations

from engine.cli.demo import run_demo
from engine.flags.policy import policy_text
from engine.workspace.store import Workspace


def test_the_demo_loads_the_policy_sheet_before_it_flags(tmp_path, capsys):
    root = tmp_path / "demo"
    assert run_demo(str(root), skip_train=True) == 0
    out = capsys.readouterr().out
    assert "Load the policy sheet" in out and "loaded facts.md:" in out
    assert out.index("Load the policy sheet") < out.index("Find problems")
    assert "skipped (--skip-train)" in out
    with Workspace.open(root) as ws:
        assert policy_text(ws)
        kinds = dict(ws.con.execute("SELECT kind, count(*) FROM flags WHERE status = 'open' GROUP BY kind").fetchall())
    # the flag step ran with the sheet loaded: answers that contradict it were flagged
    assert kinds.get("policy", 0) > 0
    assert kinds.get("duplicate", 0) > 0
