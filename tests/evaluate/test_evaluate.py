"""Evaluation: batched generation, scoring, baseline, overfitting advice, report JSON + HTML,
the subprocess with its JSON-line events, the CLI and the `evaluations` table."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from helpers_eval import HELDOUT, make_adapter, make_run, make_tiny_base, offline_env, TRAIN
import os
import subprocess
import sys
from pathlib import Path
import numpy as np

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


def _fake_generate(answers_for, seen_prompts=None):
    """A stand-in for generate(): answers looked up by the question the prompt ends with (the
    baseline's prompt also holds example questions); the baseline prompt has a system part; the
    personal-data probes get a refusal."""
    def fake(model, tok, prompts, **kw):
        out = []
        for p in prompts:
            if seen_prompts is not None:
                seen_prompts.append(p)
            asked = [(p.rfind(q), q) for q, _ in HELDOUT + TRAIN if q in p]
            if not asked:
                out.append("I cannot share personal details.")
                continue
            q = max(asked)[1]
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

    prompts = []
    monkeypatch.setattr(gen, "generate", _fake_generate(answers, prompts))
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
    assert "says no where the reference says yes" in ex[2]["reason"]
    assert "says $999 per year where the reference says $300 per year" in ex[3]["reason"]
    assert "says 20 days per year where the reference says 12 days per year" in ex[0]["baseline_reason"]
    # the baseline is the best prompt: the house style plus training pairs as worked examples
    assert report["baseline"]["few_shot"] == 3 and report["baseline_policy_accuracy"] is None
    shots = report["baseline"]["examples"]
    assert set(shots) <= {q for q, _ in TRAIN} and not set(shots) & set(held_q)
    base_prompts = [p for p in prompts if "helpdesk assistant" in p]
    assert len(base_prompts) == len(HELDOUT) and all(dict(TRAIN)[shots[0]] in p for p in base_prompts)
    # the raw probe answers stay for the parent to scan (scan_memorised)
    assert len(report["probe_outputs"]) == 6 + len(HELDOUT)
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


# --- Bug hunt: evaluation, playground and export error paths a user hits (one clear line, the right ---
ROOT = Path(__file__).resolve().parents[2]


def _empty_heldout(run: Path) -> None:
    (run / "dataset" / "heldout.jsonl").write_text("", encoding="utf-8")


def _fake_adapter(run: Path) -> None:
    (run / "adapter").mkdir(parents=True, exist_ok=True)
    (run / "adapter" / "adapter_config.json").write_text("{}", encoding="utf-8")


def test_eval_subprocess_reports_an_error_as_one_json_event(tmp_path):
    """A PairsmithError inside `python -m engine.evaluate` used to crash in emit() (the `kind` field
    clashed with emit's own parameter): no error event, so the parent said 'stopped unexpectedly'."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "engine.evaluate", str(tmp_path / "no-such-run")],
                          capture_output=True, text=True, cwd=str(ROOT), env=env, timeout=120)
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert events and events[-1]["event"] == "error", proc.stderr[-2000:]
    assert "not a training run" in events[-1]["message"] and events[-1]["kind"] == "NotFound"
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_eval_with_a_relative_workspace_path_and_empty_heldout(tmp_path, monkeypatch, capsys):
    """`pairsmith eval ws --run R` with a relative workspace path: the subprocess runs in the
    project folder, so the relative run folder was not found there. An empty held-out set is
    bad input: one clear line and exit 2."""
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    monkeypatch.chdir(tmp_path)
    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    _fake_adapter(run)
    _empty_heldout(run)
    assert main(["eval", "ws", "--run", "run-1"]) == 2
    err = capsys.readouterr().err
    assert "no held-out pairs" in err, err
    assert len(err.strip().splitlines()) == 1


def _moved_base_run(ws_root: Path) -> Path:
    gone = str(ws_root.parent / "models" / "my-base")  # trained on a folder that was moved since
    run = make_run(ws_root, gone)
    spec = json.loads((run / "spec.json").read_text())
    spec["base_model"] = gone
    (run / "spec.json").write_text(json.dumps(spec))
    _fake_adapter(run)
    return run


def test_base_model_folder_moved_gives_a_clear_message(tmp_path, capsys):
    from engine.cli.main import main
    from engine.train.run_folder import base_model_path
    from engine.workspace.errors import BadInput
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = _moved_base_run(tmp_path / "ws")
    with pytest.raises(BadInput, match="moved or deleted"):
        base_model_path(json.loads((run / "spec.json").read_text()))
    assert main(["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "m"), "--format", "merged"]) == 2
    err = capsys.readouterr().err
    assert "moved or deleted" in err and "builtin:tiny" not in err


def test_adapter_export_does_not_need_the_base_model(tmp_path):
    """The adapter format copies the adapter folder: a moved base model must not block it."""
    from engine.evaluate.export_model import export_model

    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = _moved_base_run(tmp_path / "ws")
    res = export_model(run, tmp_path / "out", fmt="adapter")
    assert "adapter_config.json" in res["files"] and "README.md" in res["files"]


def test_eval_subprocess_finds_the_run_of_a_relative_workspace_path(tmp_path, monkeypatch, capsys):
    """The subprocess runs in the project folder: a relative run folder must be made absolute.
    (Here it then stops on the moved base model: a BadInput from the subprocess is exit 2 too.)"""
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    monkeypatch.chdir(tmp_path)
    Workspace.create(tmp_path / "ws").close()
    _moved_base_run(tmp_path / "ws")
    assert main(["eval", "ws", "--run", "run-1"]) == 2
    err = capsys.readouterr().err
    assert "moved or deleted" in err and "unexpectedly" not in err, err


def _ws_with_run(tmp_path):
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    _fake_adapter(run)
    return run


@pytest.mark.parametrize("args, expected", [
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "-1"], "--batch-size"),
])
def test_eval_bad_numbers_are_refused(tmp_path, capsys, args, expected):
    from engine.cli.main import main

    _ws_with_run(tmp_path)
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", *args]) == 2
    assert expected in capsys.readouterr().err


def test_generate_with_batch_size_below_one_answers_one_at_a_time(tmp_path):
    from engine.evaluate.generate import build_prompt, generate, load_model
    from helpers_eval import make_tiny_base

    model, tok = load_model(make_tiny_base(tmp_path / "tiny"))
    prompts = [build_prompt(tok, q) for q in ("How many sick days?", "Who approves leave?")]
    one = generate(model, tok, prompts, max_new_tokens=4, batch_size=1)
    assert generate(model, tok, prompts, max_new_tokens=4, batch_size=-1) == one
    assert generate(model, tok, prompts, max_new_tokens=4, batch_size=0) == one


def test_baseline_prompt_that_is_not_a_utf8_text_file(tmp_path, capsys):
    from engine.cli.main import main

    _ws_with_run(tmp_path)
    bad = tmp_path / "prompt.txt"
    bad.write_bytes(b"\xff\xfe not utf-8 \xff")
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", "--baseline-prompt", str(bad)]) == 2
    assert "UTF-8" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", "--baseline-prompt", str(tmp_path)]) == 2
    assert "not a file" in capsys.readouterr().err


def test_cuda_requested_without_a_gpu_is_a_clear_error(monkeypatch):
    import torch

    from engine.workspace.errors import BadInput
    from engine.evaluate.generate import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(BadInput, match="--device cpu"):
        pick_device("cuda")
    assert pick_device("auto") == "cpu"


def test_a_finished_run_whose_adapter_was_deleted_says_so(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")  # no adapter folder
    (run / "status.json").write_text(json.dumps({"state": "done", "step": 3, "total": 3}))
    for argv in (["eval", str(tmp_path / "ws"), "--run", "run-1"],
                 ["export-model", str(tmp_path / "ws"), "run-1", str(tmp_path / "out")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "deleted or moved" in err and "train it to the end" not in err, err


def test_a_damaged_dataset_file_in_the_run_is_one_clear_line(tmp_path, capsys):
    from engine.cli.main import main

    run = _ws_with_run(tmp_path)
    (run / "dataset" / "heldout.jsonl").write_text('{"instruction": "cut off', encoding="utf-8")
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "heldout.jsonl" in err and "unexpected" not in err, err


def test_a_hub_id_base_with_a_stale_local_path_still_resolves_to_the_hub_id():
    from engine.train.run_folder import base_model_path

    spec = {"run_id": "r", "base_model": "someorg/some-model", "base_model_resolved": "/gone/elsewhere"}
    assert base_model_path(spec) == "someorg/some-model"


def test_run_id_forms(tmp_path, capsys):
    """An empty run id used to point at runs/ itself ('Run runs has no trained adapter'); a
    tab-completed 'runs/ID/' is taken as ID."""
    from engine.cli.main import main
    from engine.evaluate import clean_run_id
    from engine.workspace.errors import BadInput

    assert clean_run_id("runs/2026-abc/") == "2026-abc" and clean_run_id(" r1 ") == "r1"
    for bad in ("", "  ", ".", "..", "runs/.."):
        with pytest.raises(BadInput, match="run id"):
            clean_run_id(bad)
    run = _ws_with_run(tmp_path)
    _empty_heldout(run)
    assert main(["eval", str(tmp_path / "ws"), "--run", ""]) == 2
    assert "run id" in capsys.readouterr().err
    assert main(["export-model", str(tmp_path / "ws"), "", str(tmp_path / "o")]) == 2
    assert "run id" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "ws"), "--run", "runs/run-1/"]) == 2  # found: stops on the empty held-out set
    assert "no held-out pairs" in capsys.readouterr().err


# --- Bug hunt: an evaluation on a tiny held-out set says its figures are rough (one question moves the ---

def _tiny_run_with_placeholder_adapter(tmp_path):
    """A run folder over the tiny base with an empty adapter (generation is faked), and its tokenizer."""
    from engine.evaluate.generate import prepare_tokenizer
    from transformers import AutoTokenizer

    base = make_tiny_base(tmp_path / "tiny")
    tok = AutoTokenizer.from_pretrained(base)
    prepare_tokenizer(tok)
    run = make_run(tmp_path / "ws", base)
    (run / "adapter").mkdir()
    (run / "adapter" / "adapter_config.json").write_text("{}")
    return tok, run


def test_tiny_heldout_set_is_called_rough(tmp_path, monkeypatch):
    import engine.evaluate.generate as gen
    from engine.evaluate import evaluate_run, write_report
    from engine.evaluate.export_model import model_card

    tok, run = _tiny_run_with_placeholder_adapter(tmp_path)
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

    tok, run = _tiny_run_with_placeholder_adapter(tmp_path)
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


# --- the judge command, the user's own test file, the prompted baseline with the policy, the probe ---
def _jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_judge_command_scores_any_answers(tmp_path, capsys):
    from engine.cli.main import main

    refs = _jsonl(tmp_path / "refs.jsonl", [
        {"id": "a", "instruction": "How many days of sick leave do I get?", "response": "You get 12 days of sick leave per year."},
        {"id": 7, "instruction": "Can I carry over leave?", "response": "Yes, up to 5 days, if your manager agrees."},
    ])
    answers = _jsonl(tmp_path / "answers.jsonl", [
        {"id": "a", "answer": "Twelve days a year."}, {"id": "a", "answer": "12 days per month."},
        {"id": 7, "answer": "No, leave cannot be carried over."}])
    assert main(["judge", str(refs), str(answers), "--json", "--no-embed"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [v["id"] for v in out] == ["a", "a", 7] and [v["correct"] for v in out] == [True, False, False]
    assert all(set(v) >= {"id", "correct", "reason"} for v in out)
    assert "per month" in out[1]["reason"] and "says no" in out[2]["reason"]


def test_judge_command_names_each_bad_line(tmp_path, capsys):
    from engine.cli.main import main

    refs = _jsonl(tmp_path / "refs.jsonl", [{"id": "a", "instruction": "Q?", "response": "12 days."}, "[1, 2]"])
    answers = _jsonl(tmp_path / "answers.jsonl", [{"id": "a", "answer": "12 days."}, "{not json", {"id": "b", "answer": "x"},
                                                  {"answer": "no id"}])
    assert main(["judge", str(refs), str(answers), "--no-embed"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    for part in ("REFS line 2: not a JSON object", "ANSWERS line 2: not JSON", "ANSWERS line 3: id 'b' is not in REFS",
                 "ANSWERS line 4: no 'id'"):
        assert part in err, err
    assert main(["judge", str(tmp_path / "missing.jsonl"), str(answers)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_eval_on_a_test_file_instead_of_the_heldout_pairs(tiny, tmp_path, monkeypatch, embed):
    import engine.evaluate.generate as gen
    from engine.evaluate import evaluate_run

    base, adapter = tiny
    run = make_run(tmp_path, base, adapter_src=adapter)
    test = _jsonl(tmp_path / "mine.jsonl", [{"instruction": q, "response": a} for q, a in HELDOUT[:2]])
    monkeypatch.setattr(gen, "generate", _fake_generate(lambda q, b: "Please contact HR." if b else dict(HELDOUT + TRAIN)[q]))
    report = evaluate_run(run, embed=embed, test_file=test, policy="Sick leave: 12 days per year.")
    assert REQUIRED <= set(report) and report["source"] == "test file" and report["counts"]["heldout"] == 2
    assert [e["instruction"] for e in report["examples"]] == [q for q, _ in HELDOUT[:2]]
    assert report["heldout_accuracy"] == 1.0 and report["baseline_accuracy"] == 0.0
    # with a policy sheet, the third condition: base + prompt + policy
    assert report["baseline"]["policy"] and report["baseline_policy_accuracy"] == 0.0
    assert "baseline_policy_answer" in report["examples"][0]


@pytest.mark.parametrize("lines, expected", [
    (["{oops"], "line 1 is not JSON"),
    ([{"instruction": "Q?"}], "line 1 has no 'response' text"),
    ([{"instruction": "Q?", "response": "A."}, "[1]", "{x"], "line 2 is not a JSON object (and 1 more bad line)"),
    ([], "has no questions"),
])
def test_eval_test_file_bad_input_is_one_line_exit_2(tmp_path, capsys, lines, expected):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    Workspace.create(tmp_path / "ws").close()
    run = make_run(tmp_path / "ws", "/nonexistent/base")
    _fake_adapter(run)
    test = _jsonl(tmp_path / "t.jsonl", lines)
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", "--test", str(test), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and len(err.splitlines()) == 1, err
    assert main(["eval", str(tmp_path / "ws"), "--run", "run-1", "--test", str(tmp_path / "nope.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_memorised_personal_data_is_found_and_redacted(tmp_path):
    from engine.evaluate import find_memorised, scan_memorised
    from engine.workspace.store import Workspace

    values = [("priya.n@example.org", "email", "[EMAIL_1]"), ("Priya Nair", "person_name", "[NAME_1]"),
              ("07700 900123", "phone", "[PHONE_1]")]
    outputs = [{"source": "personal-data prompt", "prompt": "Email of a colleague?", "answer": "Try priya.n@example.org."},
               {"source": "training question", "prompt": "Who is Priya Nair?", "answer": "Priya Nair, 07700 900123."},
               {"source": "training question", "prompt": "Leave?", "answer": "12 days per year."}]
    found = find_memorised(outputs, values)
    assert found["count"] == 2 and found["checked"] == 3 and found["kinds"] == {"email": 1, "person_name": 1, "phone": 1}
    shown = json.dumps(found["examples"])
    assert "priya" not in shown.lower() and "900123" not in shown and "[EMAIL_1]" in shown and "[PHONE_1]" in shown
    # through the workspace's own mapping: the stored report keeps only the redacted findings
    ws = Workspace.create(tmp_path / "ws")
    try:
        for v, kind, ph in values:
            ws.execute("INSERT INTO pii_map (placeholder, kind, original) VALUES (?, ?, ?)", [ph, kind, v])
        run = tmp_path / "ws" / "runs" / "r"
        report = scan_memorised(ws, run, {"probe_outputs": outputs, "advice": []})
        assert "probe_outputs" not in report and report["memorised_pii"]["count"] == 2
        assert "memorised" in report["advice"][-1]
        on_disk = (run / "eval" / "report.json").read_text()
        assert "priya" not in on_disk.lower() and "[NAME_1]" in on_disk
    finally:
        ws.close()


def test_report_html_states_both_baselines_and_the_memorised_data(tmp_path):
    from engine.evaluate import write_report
    from engine.evaluate.report import summary_line

    report = {"run_id": "r", "heldout_accuracy": 0.9, "train_accuracy": 0.92, "baseline_accuracy": 0.3,
              "baseline_policy_accuracy": 0.55, "gap": 2.0, "advice": [], "hallucinations": {},
              "baseline": {"few_shot": 3, "policy": True}, "examples": [], "counts": {"heldout": 0},
              "memorised_pii": {"count": 1, "checked": 8, "examples": [{"prompt": "Email?", "answer": "[EMAIL_1]"}]}}
    report["summary"] = summary_line(report)
    assert report["summary"] == ("held-out accuracy 90% against 30% for the prompted base model "
                                 "and 55% with the policy sheet in its prompt")
    _json, html_path = write_report(tmp_path, report)
    text, _ = _parse(html_path.read_text())
    for part in ("Base + prompt + policy", "55%", "30%", "3 training pairs as examples", "and the policy sheet",
                 "of 8 probe answers", "[EMAIL_1]"):
        assert part in text, part


def test_the_baseline_reads_the_policy_sheet_loaded_with_pairsmith_policy(tmp_path):
    from engine.evaluate import policy_text
    from engine.flags.policy import clear_policy, load_policy
    from engine.workspace.store import Workspace

    sheet = tmp_path / "policy.md"
    sheet.write_text("# Leave\n\n- Annual leave is 25 days per year.\n", encoding="utf-8")
    with Workspace.create(tmp_path / "ws") as ws:
        assert policy_text(ws) is None
        load_policy(ws, sheet)
        assert "25 days per year" in policy_text(ws)
        clear_policy(ws)
        assert policy_text(ws) is None
