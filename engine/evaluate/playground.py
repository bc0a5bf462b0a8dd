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

    def __init__(self, model, tokenizer, *, name: str = MODEL_TUNED):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self._lock = threading.Lock()

    @classmethod
    def load(cls, base_model_path: str, adapter_path: str | Path | None = None, *, device: str = "auto",
             load_in_4bit: bool = False, trust: dict | None = None) -> "ChatModel":
        from engine.evaluate.generate import load_model

        model, tok = load_model(base_model_path, adapter_path, device=device, load_in_4bit=load_in_4bit,
                                trust=trust)
        return cls(model, tok, name=MODEL_TUNED if adapter_path else MODEL_BASE)

    @classmethod
    def for_run(cls, run_dir: str | Path, *, base: bool = False, device: str = "auto") -> "ChatModel":
        """The run's tuned model, or its base model alone with `base=True`."""
        from engine.evaluate import read_run
        from engine.train.run_folder import adapter_dir, base_model_path

        spec, _, _ = read_run(run_dir)
        adapter = None if base else adapter_dir(run_dir)
        return cls.load(base_model_path(spec), adapter, device=device,
                        load_in_4bit=bool((spec.get("config") or {}).get("load_in_4bit")) and device != "cpu",
                        trust=spec.get("trust"))

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
        msgs = list(messages)
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
