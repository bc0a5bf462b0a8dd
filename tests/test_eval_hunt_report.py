"""Bug hunt: an evaluation on a tiny held-out set says its figures are rough (one question moves the
accuracy by 50-100 points), in the report, the CLI text and the model card."""

from __future__ import annotations

import numpy as np

from helpers_eval import HELDOUT, make_run, make_tiny_base, offline_env

offline_env()


def test_tiny_heldout_set_is_called_rough(tmp_path, monkeypatch):
    import engine.evaluate.generate as gen
    from engine.evaluate import evaluate_run, write_report
    from engine.evaluate.generate import prepare_tokenizer
    from engine.evaluate.export_model import model_card
    from transformers import AutoTokenizer

    base = make_tiny_base(tmp_path / "tiny")
    tok = AutoTokenizer.from_pretrained(base)
    prepare_tokenizer(tok)
    run = make_run(tmp_path / "ws", base)
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    refs = dict(HELDOUT)

    def fake_generate(model, tokenizer, prompts, **kw):
        return [next((a for q, a in HELDOUT if q in p), "Please ask HR.") for p in prompts]

    monkeypatch.setattr(gen, "load_model", lambda *a, **k: (object(), tok))
    monkeypatch.setattr(gen, "generate", fake_generate)
    report = evaluate_run(run, limit=2, embed=lambda texts: np.ones((len(list(texts)), 4)))
    assert report["counts"]["heldout"] == 2 and refs
    assert any("Only 2 held-out questions" in a and "rough" in a and "without --limit" in a
               for a in report["advice"]), report["advice"]
    write_report(run, report)
    assert "Only 2 held-out questions" in model_card(run, "adapter")

    full = evaluate_run(run, embed=lambda texts: np.ones((len(list(texts)), 4)))  # 4 is still few
    assert any("Only 4 held-out questions" in a and "freeze a new version" in a for a in full["advice"])


def test_long_reference_answers_get_room_up_to_the_training_length(tmp_path, monkeypatch):
    """Answers were cut at 256 new tokens whatever the training length, so a right answer longer
    than that lost its last facts and was judged 'missing fact'."""
    import json

    import engine.evaluate.generate as gen
    from engine.evaluate import evaluate_run
    from engine.evaluate.generate import prepare_tokenizer
    from transformers import AutoTokenizer

    base = make_tiny_base(tmp_path / "tiny")
    tok = AutoTokenizer.from_pretrained(base)
    prepare_tokenizer(tok)
    run = make_run(tmp_path / "ws", base)
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    long_ref = "To set up the VPN, open the IT Portal and follow these steps. " * 12 + "Finally, restart within 10 minutes."
    (run / "dataset" / "heldout.jsonl").write_text(json.dumps(
        {"pair_id": 1, "instruction": "How do I set up the VPN?", "response": long_ref}) + "\n")
    spec = json.loads((run / "spec.json").read_text())
    spec["config"]["max_length"] = 1024
    (run / "spec.json").write_text(json.dumps(spec))
    assert len(tok(long_ref, add_special_tokens=False)["input_ids"]) > 256
    seen = []

    def fake_generate(model, tokenizer, prompts, **kw):
        seen.append(kw["max_new_tokens"])
        return ["ok"] * len(prompts)

    monkeypatch.setattr(gen, "load_model", lambda *a, **k: (object(), tok))
    monkeypatch.setattr(gen, "generate", fake_generate)
    evaluate_run(run, embed=lambda texts: np.ones((len(list(texts)), 4)))
    assert seen and seen[0] > 256 and seen[0] <= 1024
