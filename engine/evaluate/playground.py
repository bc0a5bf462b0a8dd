"""The playground: chat with the tuned model and the base model side by side, send a bad answer
back to the review queue with a correction, and rate answers blind.

    tuned = ChatModel.load(base_model_path, adapter_path)     # or ChatModel.for_run(run_dir)
    base = ChatModel.load(base_model_path)                     # or ChatModel.for_run(run_dir, base=True)
    for chunk in tuned.stream_reply(messages, max_new_tokens=256): ...   # text as it is generated

    flag_answer(ws, question, corrected_answer, bad_answer=None) -> pair_id   # origin "playground"
    send_to_review(ws, example) -> pair_id                                   # a failed eval example, origin "eval"
    sent_to_review(ws, examples) -> [index]                                  # those already waiting in review
    pair_note(ws, pair_id) -> {"source", "model_answer", "reason"} | None    # what the model had said

    pair = make_blind_pair(question, answer_tuned, answer_base, rng)   # shown as A/B, models hidden
    record_rating(ws, pair, choice)          # choice: "a", "b" or "neither"
    rating_tallies(ws) -> {"tuned": n, "base": n, "neither": n}

    session = start_session(ws, run_id, minutes=30)          # the seed's third test: free questions
    mark_answer(ws, session_id, question, answer, right, note="", category=None, corrected=None)
        # a wrong answer goes to the review queue at once as a pair to write (origin "test_session")
    end_session(ws, session_id) -> summary ; session_summary(session) ; last_session(ws)

The base model's column is prompted as the evaluation's baseline is (generate.baseline_messages:
the house-style system prompt, a few training pairs as examples, the policy sheet when loaded):
ChatModel.for_run(run_dir, base=True, policy=...) holds those messages as its `prefix`.

`stream_reply` runs `model.generate` in a thread with a TextIteratorStreamer; leaving the loop
early (the user pressed Stop, the window closed) stops the generation at the next token. One
ChatModel generates one reply at a time (a lock serialises calls); for side by side, load two.
"""

from __future__ import annotations

import datetime as _dt
import random
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

from engine.workspace.errors import BadInput
from engine.review.pairs import add_pair

MODEL_TUNED = "tuned"
MODEL_BASE = "base"
CHOICES = ("a", "b", "neither")


class ChatModel:
    """A loaded model (with or without a LoRA adapter) that streams chat replies."""

    def __init__(self, model, tokenizer, *, name: str = MODEL_TUNED, prefix: Sequence[dict] = ()):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.prefix = [dict(m) for m in prefix]  # messages every conversation starts with (the base's prompt)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, base_model_path: str, adapter_path: str | Path | None = None, *, device: str = "auto",
             load_in_4bit: bool = False, trust: dict | None = None) -> "ChatModel":
        from engine.evaluate.generate import load_model

        model, tok = load_model(base_model_path, adapter_path, device=device, load_in_4bit=load_in_4bit,
                                trust=trust)
        return cls(model, tok, name=MODEL_TUNED if adapter_path else MODEL_BASE)

    @classmethod
    def for_run(cls, run_dir: str | Path, *, base: bool = False, device: str = "auto",
                policy: str | None = None, prompted: bool = True) -> "ChatModel":
        """The run's tuned model, or its base model alone with `base=True`, prompted (unless
        `prompted=False`) exactly as the evaluation's baseline: the house-style system prompt, the
        same training pairs as examples, and the policy text when one is given."""
        from engine.evaluate import read_run
        from engine.evaluate.generate import baseline_messages, pick_examples
        from engine.train.run_folder import adapter_dir, base_model_path

        spec, _, train = read_run(run_dir)
        adapter = None if base else adapter_dir(run_dir)
        chat = cls.load(base_model_path(spec), adapter, device=device,
                        load_in_4bit=bool((spec.get("config") or {}).get("load_in_4bit")) and device != "cpu",
                        trust=spec.get("trust"))
        if base and prompted:
            chat.prefix = baseline_messages("", examples=pick_examples(train), policy=policy)[:-1]
        return chat

    def with_prefix(self, messages: Sequence[dict]) -> list[dict]:
        """The conversation as the model reads it: its prefix first (a system message of the
        conversation's own replaces the prefix's)."""
        if not self.prefix:
            return list(messages)
        own_system = [m for m in messages if m.get("role") == "system"]
        prefix = [m for m in self.prefix if not (own_system and m.get("role") == "system")]
        return own_system + prefix + [m for m in messages if m.get("role") != "system"]

    def prompt_for(self, messages: Sequence[dict]) -> str:
        from engine.evaluate.generate import render_chat

        if not messages or messages[-1].get("role") != "user":
            raise BadInput("The conversation must end with a question from the user.")
        if not str(messages[-1].get("content") or "").strip():
            raise BadInput("The question is empty.")
        return render_chat(self.tokenizer, messages)

    def context_length(self) -> int | None:
        """How many tokens the model reads at most (prompt + reply), when its config says."""
        config = getattr(self.model, "config", None)
        for key in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
            value = getattr(config, key, None)
            if isinstance(value, int) and value > 0:
                return value
        return None

    def fit_prompt(self, messages: Sequence[dict], max_new_tokens: int) -> tuple[str, int]:
        """(prompt, max_new_tokens) within the model's context: the oldest turns of a long
        conversation are left out (the system prompt and the question stay); a question that
        alone is too long is refused."""
        limit = self.context_length()
        msgs = self.with_prefix(messages)
        while True:
            prompt = self.prompt_for(msgs)
            if limit is None:
                return prompt, max_new_tokens
            n = len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])
            room = limit - n
            if room >= min(max_new_tokens, 16):
                return prompt, max(1, min(max_new_tokens, room))
            body = [i for i, m in enumerate(msgs) if m.get("role") != "system"]
            if len(body) <= 1:
                raise BadInput(f"The question is too long for this model: about {n} tokens, and the model reads at "
                               f"most {limit} (question and answer together). Shorten it.")
            del msgs[body[0]]  # the oldest turn; the conversation restarts on a question
            while True:
                first = next((i for i, m in enumerate(msgs) if m.get("role") != "system"), None)
                if first is None or msgs[first].get("role") == "user" or first == len(msgs) - 1:
                    break
                del msgs[first]

    def stream_reply(self, messages: Sequence[dict], *, max_new_tokens: int = 256,
                     timeout: float = 300.0) -> Iterator[str]:
        """Yield the reply to `messages` ([{"role": "user"|"assistant"|"system", "content"}]) in
        pieces as it is generated (greedy decoding)."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        prompt, max_new_tokens = self.fit_prompt(messages, max_new_tokens)
        tok = self.tokenizer
        enc = tok(prompt, add_special_tokens=False, return_tensors="pt")
        device = next(self.model.parameters()).device
        enc = {k: v.to(device) for k, v in enc.items()}
        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True, timeout=timeout)
        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return stop.is_set()

        errors: list[BaseException] = []

        def work() -> None:
            try:
                with torch.inference_mode():
                    self.model.generate(
                        **enc, streamer=streamer, max_new_tokens=max_new_tokens, do_sample=False,
                        num_beams=1, use_cache=True, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                        temperature=None, top_p=None, top_k=None,
                        stopping_criteria=StoppingCriteriaList([_Stop()]),
                    )
            except BaseException as exc:  # surfaced in the caller's thread below
                errors.append(exc)
                streamer.end()

        with self._lock:
            thread = threading.Thread(target=work, name=f"chat-{self.name}", daemon=True)
            thread.start()
            try:
                for chunk in streamer:
                    if chunk:
                        yield chunk
            finally:
                stop.set()  # the caller left early: stop at the next token
                thread.join()
        if errors:
            raise errors[0]

    def reply(self, messages: Sequence[dict], *, max_new_tokens: int = 256) -> str:
        return "".join(self.stream_reply(messages, max_new_tokens=max_new_tokens)).strip()


# --- review queue ----------------------------------------------------------------------------
def _note_key(pair_id: int) -> str:
    return f"pair_note:{int(pair_id)}"


def pair_note(ws, pair_id: int) -> dict | None:
    """Where a playground/eval pair came from and what the model had answered (or None)."""
    return ws.get_setting(_note_key(pair_id))


def flag_answer(ws, question: str, corrected_answer: str, bad_answer: str | None = None, *,
                by: str | None = None) -> int:
    """File the question with a corrected answer in the review queue (status "new", origin
    "playground"). The model's bad answer is kept as a note on the pair (pair_note)."""
    question, corrected_answer = (question or "").strip(), (corrected_answer or "").strip()
    if not question:
        raise BadInput("The question is empty.")
    if not corrected_answer:
        raise BadInput("Write the correct answer before sending it to review.")
    with ws.transaction():
        pair_id = add_pair(ws, question, corrected_answer, status="new", origin="playground", by=by)
        if bad_answer:
            ws.set_setting(_note_key(pair_id), {"source": "playground", "model_answer": bad_answer, "reason": None})
    return pair_id


def send_to_review(ws, example: dict, *, by: str | None = None) -> int:
    """A failed evaluation example -> a review-queue pair (origin "eval") with the reference as
    the response to check: when the model disagrees with the reference, the reference may be the
    one that is wrong or outdated."""
    question = (example.get("instruction") or "").strip()
    reference = (example.get("reference") or "").strip()
    if not question or not reference:
        raise BadInput("This example has no question or reference answer to review.")
    with ws.transaction():
        pair_id = add_pair(ws, question, reference, status="new", origin="eval", by=by)
        ws.set_setting(_note_key(pair_id), {
            "source": "eval", "model_answer": example.get("answer"), "reason": example.get("reason"),
            "from_pair_id": example.get("pair_id"),
        })
    return pair_id


def sent_to_review(ws, examples: Sequence[dict]) -> list[int]:
    """Indexes of the examples whose question is already waiting in review (sent with
    send_to_review before)."""
    questions = [str(e.get("instruction") or "") for e in examples]
    if not questions:
        return []
    waiting = {r["instruction"] for r in ws.query(
        "SELECT instruction FROM pairs WHERE origin = 'eval' AND status = 'new' AND list_contains(?, instruction)",
        [questions])}
    return [i for i, q in enumerate(questions) if q in waiting]


# --- blind rating ----------------------------------------------------------------------------
def make_blind_pair(question: str, answer_tuned: str, answer_base: str, rng: random.Random | None = None) -> dict:
    """Two answers in random order as "answer_a"/"answer_b". Show only question, answer_a and
    answer_b; "hidden" says which model wrote which and goes back to record_rating unchanged."""
    rng = rng or random.Random()
    tuned_first = rng.random() < 0.5
    a, b = ((answer_tuned, MODEL_TUNED), (answer_base, MODEL_BASE)) if tuned_first else \
        ((answer_base, MODEL_BASE), (answer_tuned, MODEL_TUNED))
    return {"question": question, "answer_a": a[0], "answer_b": b[0], "hidden": {"model_a": a[1], "model_b": b[1]}}


def record_rating(ws, pair: dict, choice: str) -> int:
    """Store the user's pick ("a", "b" or "neither") for a blind pair. Returns the rating id."""
    choice = (choice or "").strip().lower()
    if choice not in CHOICES:
        raise BadInput(f"A rating is one of {', '.join(CHOICES)}, not {choice!r}.")
    hidden = pair.get("hidden") or {}
    model_a, model_b = hidden.get("model_a"), hidden.get("model_b")
    if {model_a, model_b} != {MODEL_TUNED, MODEL_BASE}:
        raise BadInput("This pair was not made by make_blind_pair (the hidden model names are missing).")
    with ws.transaction():
        return int(ws.scalar(
            """INSERT INTO ratings (question, answer_a, answer_b, model_a, model_b, choice, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [pair.get("question"), pair.get("answer_a"), pair.get("answer_b"), model_a, model_b, choice,
             _dt.datetime.now().replace(microsecond=0)],
        ))


def rating_tallies(ws) -> dict[str, int]:
    """How often each model's answer was preferred: {"tuned": n, "base": n, "neither": n}."""
    rows = ws.query(
        """SELECT CASE WHEN choice = 'a' THEN model_a WHEN choice = 'b' THEN model_b ELSE 'neither' END AS who,
                  count(*) AS n
           FROM ratings GROUP BY who"""
    )
    out: dict[str, Any] = {MODEL_TUNED: 0, MODEL_BASE: 0, "neither": 0}
    for r in rows:
        if r["who"] in out:
            out[r["who"]] = int(r["n"])
    return out


# --- the 30-minute test session ---------------------------------------------------------------
SESSION_MINUTES = 30
SESSIONS_KEY = "test_sessions"
FAILURE_CATEGORIES = ("wrong fact", "made up", "incomplete", "refused", "tone", "other")
# A product rule, not a calibration: a failure kind seen this often in one session is a
# "consistent failure mode" (the seed's third test is passed when a tester finds none).
CONSISTENT_FAILURES = 3


def _sessions(ws) -> list[dict]:
    return list(ws.get_setting(SESSIONS_KEY, []) or [])


def _save_sessions(ws, sessions: list[dict]) -> None:
    ws.set_setting(SESSIONS_KEY, sessions[-50:])  # the last 50 sessions


def _now_iso() -> str:
    return _dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


def start_session(ws, run_id: str, *, minutes: int = SESSION_MINUTES, tester: str | None = None) -> dict:
    """A new test session on a run: a person who has not seen the data asks free questions for
    `minutes` and marks each answer right or wrong."""
    if not str(run_id or "").strip():
        raise BadInput("Load a trained run before starting a test session.")
    if not 1 <= int(minutes) <= 240:
        raise BadInput("A test session lasts between 1 and 240 minutes.")
    sessions = _sessions(ws)
    session = {"id": max([s["id"] for s in sessions], default=0) + 1, "run_id": str(run_id), "minutes": int(minutes),
               "started_at": _now_iso(), "ended_at": None, "tester": tester, "answers": []}
    sessions.append(session)
    _save_sessions(ws, sessions)
    return session


def get_session(ws, session_id: int) -> dict:
    for s in _sessions(ws):
        if s["id"] == int(session_id):
            return s
    raise BadInput(f"No test session {session_id}.")


def mark_answer(ws, session_id: int, question: str, answer: str, right: bool, *, note: str = "",
                category: str | None = None, corrected: str | None = None, by: str | None = None) -> dict:
    """Record one answer of a session as right or wrong (with a short note). A wrong answer goes
    to the review queue at once as a new pair to write: the question, with the corrected answer
    when the tester gave one (else empty, for the reviewer to write); the model's answer and the
    note are kept on the pair (pair_note). Returns the recorded item."""
    question, answer = (question or "").strip(), str(answer or "").strip()
    if not question:
        raise BadInput("The question is empty.")
    category = (category or ("other" if not right else "")).strip().lower() or None
    if category and category not in FAILURE_CATEGORIES:
        raise BadInput(f"A failure is one of {', '.join(FAILURE_CATEGORIES)}, not {category!r}.")
    sessions = _sessions(ws)
    session = next((s for s in sessions if s["id"] == int(session_id)), None)
    if session is None:
        raise BadInput(f"No test session {session_id}.")
    if session.get("ended_at"):
        raise BadInput("This test session has ended; start a new one.")
    item = {"question": question, "answer": answer, "right": bool(right), "note": (note or "").strip(),
            "category": None if right else category, "at": _now_iso(), "pair_id": None}
    with ws.transaction():
        if not right:
            pair_id = add_pair(ws, question, (corrected or "").strip(), status="new", origin="test_session", by=by)
            ws.set_setting(_note_key(pair_id), {"source": "test_session", "model_answer": answer,
                                                "reason": item["note"] or item["category"], "session": session["id"]})
            item["pair_id"] = pair_id
        session["answers"].append(item)
        _save_sessions(ws, sessions)
    return item


def session_summary(session: dict, now: _dt.datetime | None = None) -> dict:
    """{"id", "run_id", "answers", "wrong", "failure_rate", "minutes_used", "minutes", "ended",
    "groups": [{"category", "count", "examples": [question]}] (most frequent first),
    "consistent": [categories seen CONSISTENT_FAILURES times or more], "sent_to_review": n}."""
    answers = session.get("answers") or []
    wrong = [a for a in answers if not a.get("right")]
    groups: dict[str, list[str]] = {}
    for a in wrong:
        groups.setdefault(a.get("category") or "other", []).append(a["question"])
    start = _dt.datetime.fromisoformat(session["started_at"])
    end = _dt.datetime.fromisoformat(session["ended_at"]) if session.get("ended_at") else (now or _dt.datetime.now())
    used = max(0.0, (end - start).total_seconds() / 60)
    return {
        "id": session["id"], "run_id": session["run_id"], "answers": len(answers), "wrong": len(wrong),
        "failure_rate": len(wrong) / len(answers) if answers else None,
        "minutes_used": round(min(used, 10 * session["minutes"]), 1), "minutes": session["minutes"],
        "ended": bool(session.get("ended_at")), "started_at": session["started_at"],
        "groups": [{"category": c, "count": len(q), "examples": q[:3]}
                   for c, q in sorted(groups.items(), key=lambda kv: -len(kv[1]))],
        "consistent": [c for c, q in groups.items() if len(q) >= CONSISTENT_FAILURES],
        "sent_to_review": sum(1 for a in wrong if a.get("pair_id")),
    }


def end_session(ws, session_id: int) -> dict:
    """End a session (the timer ran out or the tester stopped) and return its summary."""
    sessions = _sessions(ws)
    session = next((s for s in sessions if s["id"] == int(session_id)), None)
    if session is None:
        raise BadInput(f"No test session {session_id}.")
    if not session.get("ended_at"):
        session["ended_at"] = _now_iso()
        _save_sessions(ws, sessions)
    return session_summary(session)


def last_session(ws, run_id: str | None = None) -> dict | None:
    """The summary of the newest session (of `run_id` when given) that recorded an answer."""
    for s in reversed(_sessions(ws)):
        if (run_id is None or s["run_id"] == run_id) and s.get("answers"):
            return session_summary(s)
    return None
