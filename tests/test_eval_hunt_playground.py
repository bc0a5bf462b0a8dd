"""Bug hunt: the playground with an empty question, a question longer than the model reads, and a
conversation that has grown past the model's context."""

from __future__ import annotations

import pytest

from helpers_eval import make_tiny_base, offline_env

offline_env()


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
