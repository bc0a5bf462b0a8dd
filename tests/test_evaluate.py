"""Evaluation: batched generation, scoring, baseline, overfitting advice, report JSON + HTML,
the subprocess with its JSON-line events, the CLI and the `evaluations` table."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from helpers_eval import HELDOUT, TRAIN, make_adapter, make_run, make_tiny_base, offline_env

offline_env()

REQUIRED = {"heldout_accuracy", "train_accuracy", "baseline_accuracy", "hallucinations", "examples"}
EXAMPLE_KEYS = {"instruction", "reference", "answer", "baseline_answer", "correct", "reason"}


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("evalmodel")
    base = make_tiny_base(root / "tiny")
    adapter = make_adapter(base, root / "adapter")
    return base, adapter


@pytest.fixture(scope="session")
def embed():
    from engine.evaluate.judge import load_embedder

    return load_embedder()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html_text):
    p = _Text()
    p.feed(html_text)
    p.close()
    return " ".join(p.text), p.tags


def test_batched_generation_matches_one_at_a_time_and_uses_left_padding(tiny):
    from engine.evaluate.generate import DEFAULT_SYSTEM_PROMPT, build_prompt, generate, load_model

    base, adapter = tiny
    model, tok = load_model(base, adapter)
    assert tok.padding_side == "left" and tok.pad_token_id is not None
    questions = [q for q, _ in HELDOUT + TRAIN]
    prompts = [build_prompt(tok, q) for q in questions]
    batched = generate(model, tok, prompts, max_new_tokens=12, batch_size=8)
    single = generate(model, tok, prompts, max_new_tokens=12, batch_size=1)
    assert batched == single and len(batched) == len(questions)
    assert any(batched)  # the tiny model says something
    # the system prompt reaches the prompt (this template accepts a system role)
    assert DEFAULT_SYSTEM_PROMPT[:30] in build_prompt(tok, "Hi?", DEFAULT_SYSTEM_PROMPT)


def test_system_prompt_falls_back_to_the_user_turn_when_the_template_rejects_it():
    from engine.evaluate.generate import build_prompt

    class Tok:
        chat_template = "x"

        def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=True):
            if any(m["role"] == "system" for m in messages):
                raise ValueError("System role not supported")
            return "|".join(f"{m['role']}:{m['content']}" for m in messages)

    assert build_prompt(Tok(), "How?", "Be nice.") == "user:Be nice.\n\nHow?"


def test_adapter_is_disabled_for_the_baseline(tiny):
    from engine.evaluate.generate import adapter_disabled, build_prompt, generate, load_model

    base, adapter = tiny
    tuned_model, tok = load_model(base, adapter)
    base_model, _ = load_model(base)
    prompts = [build_prompt(tok, q) for q, _ in HELDOUT]
    tuned = generate(tuned_model, tok, prompts, max_new_tokens=10)
    with adapter_disabled(tuned_model):
        off = generate(tuned_model, tok, prompts, max_new_tokens=10)
    plain = generate(base_model, tok, prompts, max_new_tokens=10)
    assert off == plain and tuned != plain


def _fake_generate(answers_for):
    """A stand-in for generate(): answers looked up by question; the baseline prompt has a system part."""
    def fake(model, tok, prompts, **kw):
        out = []
        for p in prompts:
            q = next(q for q, _ in HELDOUT + TRAIN if q in p)
            out.append(answers_for(q, "helpdesk assistant" in p))
        if kw.get("progress"):
            kw["progress"](len(prompts), len(prompts), "x")
        return out
    return fake


def test_scores_baseline_hallucinations_and_overfitting_advice(tiny, tmp_path, monkeypatch, embed):
    import engine.evaluate.generate as gen
    from engine.evaluate import evaluate_run

    base, adapter = tiny
    run = make_run(tmp_path, base, adapter_src=adapter)
    refs = dict(HELDOUT + TRAIN)
    held_q = [q for q, _ in HELDOUT]

    def answers(q, is_baseline):
        if is_baseline:  # the prompted base model: wrong number on one, an invented fact on another
            if q == held_q[0]:
                return "Employees get 20 days of paid sick leave per year. Request them in the HR Portal."
            if q == held_q[1]:
                return "Claims must be filed within 30 days with the receipt attached, plus a $45 fee."
            return "Please contact HR."
        if q in held_q[:2]:
            return refs[q]  # held-out: 2 of 4 right
        if q == held_q[2]:
            return "No, you cannot carry over annual leave into the next year."
        if q == held_q[3]:
            return "Yes, the home office allowance is $999 per year, paid in March."
        return refs[q]  # every training question right: it memorised

    monkeypatch.setattr(gen, "generate", _fake_generate(answers))
    seen = []
    report = evaluate_run(run, embed=embed, progress=lambda d, t, m: seen.append((d, t)))
    assert REQUIRED <= set(report)
    assert report["heldout_accuracy"] == pytest.approx(0.5)
    assert report["train_accuracy"] == pytest.approx(1.0)
    assert report["baseline_accuracy"] == pytest.approx(0.0)
    assert report["counts"]["train"] == len(HELDOUT)  # a same-size sample of the training pairs
    assert report["gap"] == pytest.approx(50.0)
    assert report["advice"] and "lower LoRA rank (now 16; try 8)" in report["advice"][0]
    assert "fewer epochs" in report["advice"][0] and "more varied examples" in report["advice"][0]
    ex = report["examples"]
    assert [e["correct"] for e in ex] == [True, True, False, False]
    assert all(EXAMPLE_KEYS <= set(e) for e in ex)
    assert "says No, reference Yes" in ex[2]["reason"]
    assert "contradicts: says $999, reference $300" in ex[3]["reason"]
    assert "contradicts: says 20 days, reference 12 days" in ex[0]["baseline_reason"]
    # $999 is in neither the reference nor the training data: a hallucination; counted and shown
    hall = report["hallucinations"]
    assert hall["count"] == 1 and hall["answers_affected"] == 1
    assert hall["items"][0]["fact"] == "$999" and hall["items"][0]["pair_id"] == 103
    assert hall["baseline_count"] == 2  # 20 days and $45: neither known
    assert report["summary"] == "held-out accuracy 50% against 0% for the prompted base model"
    assert seen[-1][0] == seen[-1][1]


def test_report_files_and_html_render(tmp_path):
    from engine.evaluate import load_report, write_report

    report = {
        "run_id": "r<1>", "heldout_accuracy": 0.94, "train_accuracy": 0.97, "baseline_accuracy": 0.61,
        "gap": 3.0, "advice": [], "summary": "held-out accuracy 94% against 61% for the prompted base model",
        "hallucinations": {"count": 1, "answers_affected": 1, "items": [{"fact": "$999", "instruction": "Q?"}]},
        "examples": [{"instruction": "How <many> days?", "reference": "12 days", "answer": "30 days",
                      "baseline_answer": "ask HR", "correct": False, "reason": "contradicts: says 30 days, reference 12 days"}],
        "counts": {"heldout": 1, "train": 1},
    }
    json_path, html_path = write_report(tmp_path, report)
    assert load_report(tmp_path)["heldout_accuracy"] == 0.94
    assert json.loads(json_path.read_text())["examples"][0]["reason"].startswith("contradicts")
    text, tags = _parse(html_path.read_text())
    for figure in ("94%", "61%", "97%", "How <many> days?", "contradicts: says 30 days, reference 12 days", "$999"):
        assert figure in text, figure
    names = [t for t, _ in tags]
    assert names.count("svg") == 2 and "table" in names
    # self-contained: nothing fetched from elsewhere
    assert not any(a.get("src") or a.get("href") for _, a in tags)
    assert "<script" not in html_path.read_text()


@pytest.mark.slow
def test_subprocess_cli_and_evaluations_table(tiny, tmp_path, capsys):
    from engine.cli.main import main
    from engine.evaluate import latest_report, list_evaluations, run_evaluation
    from engine.workspace.store import Workspace

    base, adapter = tiny
    ws_root = tmp_path / "ws"
    Workspace.create(ws_root).close()
    run = make_run(ws_root, base, adapter_src=adapter)
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("You are the Northwind HR desk. Answer briefly.")

    # the CLI: subprocess, progress on stderr, JSON on stdout, report stored
    code = main(["eval", str(ws_root), "--run", "run-1", "--limit", "2", "--baseline-prompt", str(prompt), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    result = json.loads(out.out)
    assert REQUIRED <= set(result["report"]) and len(result["report"]["examples"]) == 2
    assert result["report"]["baseline_prompt"] == "You are the Northwind HR desk. Answer briefly."
    assert (run / "eval" / "report.json").is_file() and (run / "eval" / "report.html").is_file()
    text, _ = _parse((run / "eval" / "report.html").read_text())
    assert "Held-out accuracy" in text

    ws = Workspace.open(ws_root)
    try:
        assert latest_report(ws, "run-1")["examples"][0]["instruction"] == HELDOUT[0][0]
        events = []
        report = run_evaluation(ws, "run-1", limit=1, on_event=events.append)
        kinds = [e["event"] for e in events]
        assert kinds[0] == "started" and kinds[-1] == "done" and "progress" in kinds
        assert all(e["run"] == "run-1" for e in events)
        assert report["evaluation_id"] and len(list_evaluations(ws, "run-1")) == 2
        assert latest_report(ws)["counts"]["heldout"] == 1
    finally:
        ws.close()


def test_clear_errors_without_adapter_or_run(tiny, tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    base, _ = tiny
    ws_root = tmp_path / "ws"
    Workspace.create(ws_root).close()
    make_run(ws_root, base)  # no adapter
    assert main(["eval", str(ws_root), "--run", "run-1"]) == 2
    assert "no trained adapter yet" in capsys.readouterr().err
    assert main(["eval", str(ws_root), "--run", "nope"]) == 2
    assert "No run 'nope'" in capsys.readouterr().err
