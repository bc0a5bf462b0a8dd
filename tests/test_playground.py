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
