"""Playground: streamed replies (tuned and base side by side), flagging answers into the review
queue, sending failed eval examples to review, blind A/B rating, the terminal chat."""

from __future__ import annotations

import io
import random

import pytest

from helpers_eval import make_adapter, make_run, make_tiny_base, offline_env

offline_env()

MESSAGES = [{"role": "user", "content": "How many days of sick leave do I get?"}]


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    from engine.evaluate.playground import ChatModel

    root = tmp_path_factory.mktemp("play")
    base = make_tiny_base(root / "tiny")
    adapter = make_adapter(base, root / "adapter")
    return ChatModel.load(base, adapter), ChatModel.load(base), base, adapter


def test_stream_reply_streams_the_greedy_answer_and_differs_from_base(models):
    from engine.evaluate.generate import generate

    tuned, base, _, _ = models
    chunks = list(tuned.stream_reply(MESSAGES, max_new_tokens=24))
    assert len(chunks) > 1  # pieces, not one block
    expected = generate(tuned.model, tuned.tokenizer, [tuned.prompt_for(MESSAGES)], max_new_tokens=24)[0]
    assert "".join(chunks).strip() == expected
    assert base.reply(MESSAGES, max_new_tokens=24) != expected
    assert tuned.name == "tuned" and base.name == "base"


def test_leaving_the_stream_early_stops_generation_and_frees_the_model(models):
    tuned, _, _, _ = models
    stream = tuned.stream_reply(MESSAGES, max_new_tokens=200)
    first = next(stream)
    assert first
    stream.close()  # the user pressed Stop
    assert not tuned._lock.locked()
    assert tuned.reply(MESSAGES, max_new_tokens=8)  # usable again right away


def test_system_prompt_and_bad_conversations(models):
    from engine.workspace.errors import BadInput

    tuned, _, _, _ = models
    prompt = tuned.prompt_for([{"role": "system", "content": "Be brief."}] + MESSAGES)
    assert "Be brief." in prompt and prompt.endswith("<|assistant|>\n")
    with pytest.raises(BadInput):
        list(tuned.stream_reply([{"role": "assistant", "content": "hi"}]))


def test_flag_answer_and_send_to_review(ws):
    from engine.workspace.errors import BadInput
    from engine.review.pairs import get_pair
    from engine.evaluate.playground import flag_answer, pair_note, send_to_review

    pid = flag_answer(ws, "How many sick days?", "12 days a year.", bad_answer="30 days.")
    pair = get_pair(ws, pid)
    assert (pair["instruction"], pair["response"], pair["status"], pair["origin"]) == \
        ("How many sick days?", "12 days a year.", "new", "playground")
    assert pair_note(ws, pid)["model_answer"] == "30 days."
    assert pair_note(ws, flag_answer(ws, "Q2?", "A2.")) is None
    with pytest.raises(BadInput):
        flag_answer(ws, "Q?", "  ")

    example = {"pair_id": 7, "instruction": "Deadline for claims?", "reference": "Within 30 days.",
               "answer": "Within 60 days.", "correct": False, "reason": "contradicts: says 60 days, reference 30 days"}
    eid = send_to_review(ws, example)
    pair = get_pair(ws, eid)
    assert (pair["response"], pair["origin"], pair["status"]) == ("Within 30 days.", "eval", "new")
    note = pair_note(ws, eid)
    assert note["reason"].startswith("contradicts") and note["from_pair_id"] == 7


def test_blind_pairs_hide_and_shuffle_and_tallies_count(ws):
    from engine.workspace.errors import BadInput
    from engine.evaluate.playground import make_blind_pair, rating_tallies, record_rating

    rng = random.Random(3)
    pairs = [make_blind_pair("Q?", "tuned answer", "base answer", rng) for _ in range(20)]
    firsts = {p["hidden"]["model_a"] for p in pairs}
    assert firsts == {"tuned", "base"}  # both orders happen
    for p in pairs:
        shown = {k: v for k, v in p.items() if k != "hidden"}
        assert "tuned" not in str(shown.keys()) and set(shown) == {"question", "answer_a", "answer_b"}
        assert {p["answer_a"], p["answer_b"]} == {"tuned answer", "base answer"}
        tuned_slot = "a" if p["hidden"]["model_a"] == "tuned" else "b"
        assert p[f"answer_{tuned_slot}"] == "tuned answer"

    def pick(p, model):
        return "a" if p["hidden"]["model_a"] == model else "b"

    for p in pairs[:3]:
        record_rating(ws, p, pick(p, "tuned"))
    record_rating(ws, pairs[3], pick(pairs[3], "base"))
    record_rating(ws, pairs[4], "neither")
    assert rating_tallies(ws) == {"tuned": 3, "base": 1, "neither": 1}
    with pytest.raises(BadInput):
        record_rating(ws, pairs[5], "c")
    with pytest.raises(BadInput):
        record_rating(ws, {"question": "Q", "answer_a": "x", "answer_b": "y"}, "a")


def test_chat_cli_streams_answers_until_eof(models, tmp_path, monkeypatch, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    _, _, base, adapter = models
    ws_root = tmp_path / "ws"
    Workspace.create(ws_root).close()
    make_run(ws_root, base, adapter_src=adapter)
    monkeypatch.setattr("sys.stdin", io.StringIO("How many days of sick leave do I get?\n\nAnd parental leave?\n"))
    assert main(["chat", str(ws_root), "--run", "run-1", "--max-new-tokens", "6"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.strip() for line in out)  # one streamed reply per question
    monkeypatch.setattr("sys.stdin", io.StringIO("How many days of sick leave do I get?\n"))
    assert main(["chat", str(ws_root), "--run", "run-1", "--base", "--max-new-tokens", "6"]) == 0
    assert capsys.readouterr().out.strip()


# --- Bug hunt: the playground with an empty question, a question longer than the model reads, and a ---
@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    from engine.evaluate.playground import ChatModel

    base = make_tiny_base(tmp_path_factory.mktemp("hunt-play") / "tiny")
    return ChatModel.load(base)


def test_empty_question_is_refused(chat):
    from engine.workspace.errors import BadInput

    with pytest.raises(BadInput, match="empty"):
        list(chat.stream_reply([{"role": "user", "content": "   "}], max_new_tokens=4))


def test_question_longer_than_the_model_reads_is_one_clear_error(chat):
    from engine.workspace.errors import BadInput

    limit = chat.model.config.max_position_embeddings
    question = "How many vacation days do I get? " * limit
    with pytest.raises(BadInput, match="too long"):
        list(chat.stream_reply([{"role": "user", "content": question}], max_new_tokens=4))


def test_a_long_conversation_drops_its_oldest_turns_and_still_answers(chat):
    limit = chat.model.config.max_position_embeddings
    old = "Tell me about the expense policy. " * (limit // 8)
    messages = [{"role": "system", "content": "Be brief."}]
    for _ in range(4):  # together far past the context; each turn alone fits
        messages += [{"role": "user", "content": old}, {"role": "assistant", "content": old}]
    messages.append({"role": "user", "content": "How many sick days?"})
    prompt_ids = chat.tokenizer(chat.prompt_for(messages), add_special_tokens=False)["input_ids"]
    assert len(prompt_ids) > limit
    seen = []
    orig = chat.model.generate

    def spy(**kw):
        seen.append(kw["input_ids"].shape[1] + kw["max_new_tokens"])
        return orig(**kw)

    chat.model.generate = spy
    try:
        reply = chat.reply(messages, max_new_tokens=8)
    finally:
        del chat.model.generate
    assert isinstance(reply, str)
    assert seen and seen[0] <= limit


def test_chat_cli_says_a_question_is_too_long_and_takes_the_next(chat, tmp_path, monkeypatch, capsys):
    import io
    import shutil

    from engine.cli.main import main
    from engine.workspace.store import Workspace
    from helpers_eval import make_run

    base = str(tmp_path / "base")
    shutil.copytree(chat.model.name_or_path, base)
    Workspace.create(tmp_path / "ws").close()
    make_run(tmp_path / "ws", base)
    long_q = "How many vacation days do I get? " * chat.context_length()
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{long_q}\nAnd sick days?\n"))
    assert main(["chat", str(tmp_path / "ws"), "--run", "run-1", "--base", "--max-new-tokens", "4"]) == 0
    out = capsys.readouterr()
    assert "too long" in out.err and len(out.out.strip().splitlines()) == 1  # the second question answered
    assert main(["chat", str(tmp_path / "ws"), "--run", "run-1", "--max-new-tokens", "0"]) == 2


def test_chat_cli_survives_a_line_that_is_not_utf8(chat, tmp_path, monkeypatch, capsys):
    """stdin decodes bad bytes to lone surrogates (surrogateescape); the tokenizer refused them
    with a TypeError that ended the chat as 'unexpected error'."""
    import io
    import shutil

    from engine.cli.main import main
    from engine.workspace.store import Workspace
    from helpers_eval import make_run

    base = str(tmp_path / "base")
    shutil.copytree(chat.model.name_or_path, base)
    Workspace.create(tmp_path / "ws").close()
    make_run(tmp_path / "ws", base)
    bad = b"caf\xe9 opening hours?\n".decode("utf-8", "surrogateescape")
    monkeypatch.setattr("sys.stdin", io.StringIO(bad + "And sick days?\n"))
    assert main(["chat", str(tmp_path / "ws"), "--run", "run-1", "--base", "--max-new-tokens", "3"]) == 0
    out = capsys.readouterr()
    assert "unexpected" not in out.err and out.out.strip(), out


def test_chat_cli_loads_the_model_with_the_runs_trust_choices(tmp_path, monkeypatch):
    """`pairsmith chat` loaded the base without the run's trust choices (custom code, pickle
    weights the user allowed at training), so such a base failed to load in the terminal chat."""
    import io
    import json

    from engine.cli.main import main
    from engine.evaluate.playground import ChatModel
    from engine.workspace.store import Workspace
    from helpers_eval import make_run

    Workspace.create(tmp_path / "ws").close()
    base = tmp_path / "base"
    base.mkdir()
    run = make_run(tmp_path / "ws", str(base))
    spec = json.loads((run / "spec.json").read_text())
    spec["trust"] = {"remote_code": True, "pickle": False}
    (run / "spec.json").write_text(json.dumps(spec))
    seen = {}

    def fake_load(cls, base_model_path, adapter_path=None, **kw):
        seen.update(kw, base=base_model_path)
        raise SystemExit(0)

    monkeypatch.setattr(ChatModel, "load", classmethod(fake_load))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(SystemExit):
        main(["chat", str(tmp_path / "ws"), "--run", "run-1", "--base"])
    assert seen.get("trust") == {"remote_code": True, "pickle": False}


# --- the base model's prompt is the evaluation's baseline; the 30-minute test session ------------
def test_the_base_column_reads_the_evaluations_baseline_prompt(models, tmp_path):
    from engine.evaluate import read_run
    from engine.evaluate.generate import HOUSE_PROMPT, baseline_messages, pick_examples, render_chat
    from engine.evaluate.playground import ChatModel

    _, _, base_path, adapter = models
    run = make_run(tmp_path, base_path, adapter_src=adapter)
    base = ChatModel.for_run(run, base=True, policy="Sick leave: 12 days per year.")
    tuned = ChatModel.for_run(run)
    q = [{"role": "user", "content": "How many days of sick leave do I get?"}]
    _, _, train = read_run(run)
    expected = render_chat(base.tokenizer, baseline_messages(q[0]["content"], examples=pick_examples(train),
                                                             policy="Sick leave: 12 days per year."))
    prompt, _ = base.fit_prompt(q, 32)
    assert prompt == expected
    assert HOUSE_PROMPT[:40] in prompt and "12 days per year" in prompt and pick_examples(train)[0]["response"] in prompt
    assert tuned.prefix == [] and tuned.fit_prompt(q, 32)[0] == tuned.prompt_for(q)  # the tuned model: as trained
    # a system prompt of the conversation's own replaces the house prompt, the examples stay
    own, _ = base.fit_prompt([{"role": "system", "content": "Be brief."}] + q, 32)
    assert "Be brief." in own and HOUSE_PROMPT[:40] not in own and pick_examples(train)[0]["response"] in own


def test_a_test_session_sends_wrong_answers_to_review_and_sums_up(ws):
    from engine.evaluate.playground import end_session, last_session, mark_answer, pair_note, start_session
    from engine.evaluate.report import readiness
    from engine.review.pairs import get_pair
    from engine.workspace.errors import BadInput

    s = start_session(ws, "run-1", minutes=30)
    assert last_session(ws) is None  # nothing answered yet
    mark_answer(ws, s["id"], "How many sick days?", "12 days a year.", True)
    wrong = [mark_answer(ws, s["id"], f"Question {i}?", "Made-up answer.", False, note="invented a scheme",
                         category="made up") for i in range(3)]
    w4 = mark_answer(ws, s["id"], "Expense deadline?", "60 days.", False, note="wrong number", category="wrong fact",
                     corrected="Within 30 days.")
    pair = get_pair(ws, w4["pair_id"])
    assert (pair["instruction"], pair["response"], pair["status"], pair["origin"]) == \
        ("Expense deadline?", "Within 30 days.", "new", "test_session")
    assert get_pair(ws, wrong[0]["pair_id"])["response"] == ""  # a pair for the reviewer to write
    assert pair_note(ws, w4["pair_id"])["model_answer"] == "60 days."
    with pytest.raises(BadInput):
        mark_answer(ws, s["id"], "Q?", "A", False, category="nonsense")
    summary = end_session(ws, s["id"])
    assert summary["answers"] == 5 and summary["wrong"] == 4 and summary["failure_rate"] == pytest.approx(0.8)
    assert summary["groups"][0] == {"category": "made up", "count": 3, "examples": ["Question 0?", "Question 1?", "Question 2?"]}
    assert summary["consistent"] == ["made up"] and summary["sent_to_review"] == 4 and summary["ended"]
    with pytest.raises(BadInput):
        mark_answer(ws, s["id"], "Late?", "x", True)
    assert last_session(ws, "run-1")["id"] == s["id"] and last_session(ws, "other") is None
    # the readiness check: the three conditions side by side
    r = readiness({"heldout_accuracy": 0.94, "baseline_accuracy": 0.61, "baseline_policy_accuracy": 0.7, "gap": 3.0},
                  summary)
    names = [c["name"] for c in r["checks"]]
    assert names == ["held-out accuracy", "train/held-out gap", "test session"]
    assert [c["ok"] for c in r["checks"]] == [True, True, False] and not r["ready"]
    assert "repeated failures: made up" in r["checks"][2]["text"]
    good = dict(summary, consistent=[], minutes_used=29.0)
    assert readiness({"heldout_accuracy": 0.94, "baseline_accuracy": 0.61, "gap": 3.0}, good)["ready"]
    assert not readiness({"heldout_accuracy": 0.6, "baseline_accuracy": 0.61, "gap": 3.0}, good)["ready"]
