"""Evaluate page shows a report and sends a failed example to review; the Playground streams two
(fake) models' replies from its own thread, flags an answer and records a blind rating."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from desktop_helpers import ctx, settings  # noqa: F401,E402  (the shared AppContext fixture)

pytest.importorskip("pytestqt")
ev = pytest.importorskip("engine.evaluate")

REPORT = {
    "run_id": "run-1",
    "heldout_accuracy": 0.6, "train_accuracy": 0.95, "baseline_accuracy": 0.2, "gap": 35.0,
    "advice": ["The model answers training questions much better (95%) than new ones (60%): try fewer epochs."],
    "hallucinations": {"count": 2, "answers_affected": 1, "rate": 0.2, "baseline_count": 5, "items": []},
    "summary": "Held-out accuracy 60% (base model 20%).",
    "counts": {"heldout": 3},
    "examples": [
        {"pair_id": 11, "instruction": "How many vacation days do I get?", "reference": "25 days a year.",
         "answer": "25 days per year.", "baseline_answer": "It depends.", "correct": True, "reason": "same facts"},
        {"pair_id": 12, "instruction": "How long is parental leave?", "reference": "30 days, paid in full.",
         "answer": "12 days, paid in full.", "baseline_answer": "Ask HR.", "correct": False,
         "reason": "says 12 days where the approved answer says 30 days"},
        {"pair_id": 13, "instruction": "Can I expense a taxi?", "reference": "Yes, after 9 pm.",
         "answer": "No.", "baseline_answer": "Yes.", "correct": False, "reason": "says no where the approved answer says yes"},
    ],
}




def _store(ws, report=REPORT, run_id="run-1"):
    return ev.store_report(ws, run_id, report)


def test_evaluate_page_shows_the_report(ctx, qtbot):
    from desktop.pages.evaluate import EvaluatePage

    ctx.worker.run_sync(_store)
    page = EvaluatePage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 850)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    assert page.run_combo.count() == 1 and "60%" in page.run_combo.itemText(0)
    assert page.chart.labels == ["Base model", "Tuned: held-out", "Tuned: training"]
    assert page.chart.values == [20.0, 60.0, 95.0]
    assert "2 in 1 answer" in page.hallucination_label.text() and "base model: 5" in page.hallucination_label.text()
    assert "fewer epochs" in page.advice_label.text()
    assert page.table.rowCount() == 3
    assert page.table.item(1, 1).text().startswith("✗")
    assert "none yet" in page.tallies_label.text()
    page.failed_only.setChecked(True)
    assert page.table.rowCount() == 2
    assert "12 days" in page.detail.toPlainText() and "30 days" in page.detail.toPlainText()


def test_send_a_failed_example_to_review(ctx, qtbot):
    from desktop.pages.evaluate import EvaluatePage

    ctx.worker.run_sync(_store)
    page = EvaluatePage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    assert ctx.worker.wait_idle(30)
    page.table.selectRow(0)  # a right answer: nothing to send
    assert not page.send_button.isEnabled()
    page.table.selectRow(1)
    assert page.send_button.isEnabled()
    with qtbot.waitSignal(ctx.sig_pairs_changed, timeout=10000):
        page.send_button.click()
    assert ctx.worker.wait_idle(30)
    rows = ctx.worker.run_sync(lambda ws: ws.query("SELECT instruction, response, status, origin FROM pairs"))
    assert rows == [{"instruction": "How long is parental leave?", "response": "30 days, paid in full.",
                     "status": "new", "origin": "eval"}]
    assert "in review" in page.table.item(1, 1).text()
    page.table.selectRow(1)
    assert not page.send_button.isEnabled() and page.send_button.text() == "Sent to review"
    # reopening the page remembers what was sent
    page.activate()
    assert ctx.worker.wait_idle(30)
    assert "in review" in page.table.item(1, 1).text()


class FakeChat:
    def __init__(self, words):
        self.words = words
        self.seen = []

    def stream_reply(self, messages, max_new_tokens=256):
        self.seen.append(list(messages))
        for w in self.words:
            time.sleep(0.005)
            yield w + " "


def _playground(ctx, qtbot, tmp_path):
    from desktop.pages.playground import PlaygroundPage

    run_dir = tmp_path / "ws" / "runs" / "run-1"
    run_dir.mkdir(parents=True)

    def fake_runs(ws):
        return {"runs": [{"id": "run-1", "base_model": "builtin:tiny", "run_dir": str(run_dir)}], "tallies": {}}

    models = {"tuned": FakeChat(["You", "get", "30", "days."]), "base": FakeChat(["Ask", "HR."])}
    import desktop.pages.playground as pg

    page = PlaygroundPage(ctx, loader=lambda run_dir: models)
    qtbot.addWidget(page)
    page.show()
    page.submit(fake_runs, on_done=page._runs_loaded)
    assert ctx.worker.wait_idle(30)
    assert pg.SIDES == ("tuned", "base")
    with qtbot.waitSignal(page.chat.sig_loaded, timeout=10000):
        page.load_button.click()
    qtbot.waitUntil(lambda: page.loaded_run == "run-1", timeout=5000)
    return page, models


def test_playground_streams_both_models_and_flags_an_answer(ctx, qtbot, tmp_path):
    page, models = _playground(ctx, qtbot, tmp_path)
    try:
        page.input.setPlainText("How long is parental leave?")
        with qtbot.waitSignal(page.chat.sig_all_done, timeout=10000):  # connect before the click
            page.send_button.click()
            assert page.generating and page.stop_button.isEnabled()
        # qtbot hears the signal on the generation thread; the page's own slot runs queued after it
        qtbot.waitUntil(lambda: not page.generating, timeout=5000)
        assert page.replies == {"tuned": "You get 30 days.", "base": "Ask HR."}
        assert "You get 30 days." in page.views[0].toPlainText()
        assert "Ask HR." in page.views[1].toPlainText()
        assert models["tuned"].seen[0][-1] == {"role": "user", "content": "How long is parental leave?"}

        page.flag_buttons[1].click()  # the base model's answer
        dialog = page.flag_dialog
        assert dialog.answer.toPlainText() == "Ask HR."
        dialog.answer.setPlainText("30 days, paid in full.")
        with qtbot.waitSignal(ctx.sig_pairs_changed, timeout=10000):
            dialog.accept()
        rows = ctx.worker.run_sync(lambda ws: ws.query("SELECT instruction, response, origin FROM pairs"))
        assert rows == [{"instruction": "How long is parental leave?", "response": "30 days, paid in full.",
                         "origin": "playground"}]

        # a follow-up keeps each model's own conversation
        page.input.setPlainText("And for part-time staff?")
        with qtbot.waitSignal(page.chat.sig_all_done, timeout=10000):
            page.send_button.click()
        qtbot.waitUntil(lambda: not page.generating, timeout=5000)
        assert [m["role"] for m in models["base"].seen[1]] == ["user", "assistant", "user"]
        assert models["base"].seen[1][1]["content"] == "Ask HR."
    finally:
        page.shutdown()


def test_playground_blind_rating(ctx, qtbot, tmp_path):
    page, models = _playground(ctx, qtbot, tmp_path)
    try:
        page.blind_check.setChecked(True)
        assert page.boxes[0].title() == "Answer A" and page.boxes[1].title() == "Answer B"
        page.input.setPlainText("How long is parental leave?")
        with qtbot.waitSignal(page.chat.sig_all_done, timeout=10000):
            page.send_button.click()
        qtbot.waitUntil(lambda: not page.generating, timeout=5000)
        hidden = page.blind_pair["hidden"]
        tuned_letter = "a" if hidden["model_a"] == "tuned" else "b"
        col = 0 if tuned_letter == "a" else 1
        assert "You get 30 days." in page.views[col].toPlainText()  # streamed into its hidden column
        assert page.rate_buttons[tuned_letter].isEnabled()
        page.rate_buttons[tuned_letter].click()
        assert ctx.worker.wait_idle(30)
        assert page.tallies == {"tuned": 1, "base": 0, "neither": 0}
        assert "preferred the tuned model" in page.state_label.text()
        assert "(Tuned model)" in page.boxes[col].title()
        rating = ctx.worker.run_sync(lambda ws: ws.query("SELECT choice, model_a, model_b FROM ratings"))
        assert rating[0]["choice"] == tuned_letter and rating[0][f"model_{tuned_letter}"] == "tuned"
    finally:
        page.shutdown()


class GatedChat(FakeChat):
    """Streams its words but holds its last one until `release` is set (`waiting` says it is there)."""

    def __init__(self, words):
        super().__init__(words)
        import threading

        self.waiting, self.release = threading.Event(), threading.Event()

    def stream_reply(self, messages, max_new_tokens=256):
        self.seen.append(list(messages))
        for w in self.words[:-1]:
            yield w + " "
        self.waiting.set()
        self.release.wait(10)
        yield self.words[-1]


def test_blind_rating_shows_no_reply_before_both_are_complete(ctx, qtbot, tmp_path):
    page, models = _playground(ctx, qtbot, tmp_path)
    gated = GatedChat(["Ask", "HR", "please."])
    models["base"] = gated  # the loader hands out this dict: swap before the models load again
    page.chat.models["base"] = gated
    try:
        page.blind_check.setChecked(True)
        page.input.setPlainText("How long is parental leave?")
        page.send_button.click()
        assert gated.waiting.wait(10)  # one reply may be complete, the other is half way
        qtbot.wait(300)  # every chunk sent so far has reached the page
        assert page.replies["base"].startswith("Ask HR")  # chunks did arrive...
        assert all(v.toPlainText().strip() == "" for v in page.views)  # ...and none is shown
        assert not any(b.isEnabled() for b in page.rate_buttons.values())
        with qtbot.waitSignal(page.chat.sig_all_done, timeout=10000):
            gated.release.set()
        qtbot.waitUntil(lambda: not page.generating, timeout=5000)
        hidden = page.blind_pair["hidden"]
        col_base = 0 if hidden["model_a"] == "base" else 1
        assert "Ask HR please." in page.views[col_base].toPlainText()
        assert "You get 30 days." in page.views[1 - col_base].toPlainText()
        assert page.boxes[0].title() == "Answer A"  # names hidden until the rating
        assert "Tuned" not in page.boxes[0].title() + page.boxes[1].title()
    finally:
        gated.release.set()
        page.shutdown()


def test_blind_order_of_generation_is_random(ctx, qtbot, tmp_path):
    page, models = _playground(ctx, qtbot, tmp_path)
    try:
        page.blind_check.setChecked(True)
        firsts = set()
        for _ in range(12):
            models["tuned"].seen.clear()
            models["base"].seen.clear()
            order = []
            page.chat.sig_reply_done.connect(lambda side, _r, o=order: o.append(side))
            page.input.setPlainText("How long is parental leave?")
            with qtbot.waitSignal(page.chat.sig_all_done, timeout=10000):
                page.send_button.click()
            qtbot.waitUntil(lambda: not page.generating, timeout=5000)
            page.chat.sig_reply_done.disconnect()
            firsts.add(order[0])
            page.rate("neither")
            assert ctx.worker.wait_idle(30)
        assert firsts == {"tuned", "base"}  # 2**-11 chance of a false failure
    finally:
        page.shutdown()


def test_a_test_session_from_the_playground_goes_to_review_and_to_the_evaluate_page(ctx, qtbot, tmp_path):
    from desktop.pages.evaluate import EvaluatePage

    page, models = _playground(ctx, qtbot, tmp_path)
    try:
        assert not page.right_button.isVisible()
        page.session_button.click()
        assert ctx.worker.wait_idle(30)
        qtbot.waitUntil(lambda: page.session is not None, timeout=5000)
        assert "left" in page.timer_label.text() and page.right_button.isVisible()
        assert not page.blind_check.isEnabled()
        for question, right in (("How long is parental leave?", False), ("Do I get a bonus?", True)):
            page.input.setPlainText(question)
            with qtbot.waitSignal(page.chat.sig_all_done, timeout=10000):
                page.send_button.click()
            qtbot.waitUntil(lambda: not page.generating and page.right_button.isEnabled(), timeout=5000)
            if right:
                page.right_button.click()
            else:
                page.wrong_button.click()
                d = page.wrong_dialog
                d.category.setCurrentIndex(d.category.findData("wrong fact"))
                d.note.setText("said 30 days, it is 26 weeks")
                with qtbot.waitSignal(ctx.sig_pairs_changed, timeout=10000):
                    d.accept()
            assert ctx.worker.wait_idle(30)
            qtbot.waitUntil(lambda: page.marked, timeout=5000)
            assert not page.right_button.isEnabled()  # one mark per answer
        rows = ctx.worker.run_sync(lambda ws: ws.query("SELECT instruction, response, status, origin FROM pairs"))
        assert rows == [{"instruction": "How long is parental leave?", "response": "", "status": "new",
                         "origin": "test_session"}]
        page.session_button.click()  # end
        assert ctx.worker.wait_idle(30)
        qtbot.waitUntil(lambda: page.session_summary is not None and page.session_summary.get("ended"), timeout=5000)
        text = page.session_label.text()
        assert "2 answers tried" in text and "1 wrong (50%)" in text and "wrong fact ×1" in text

        ctx.worker.run_sync(_store, dict(REPORT, memorised_pii={"count": 1, "checked": 10, "kinds": {"email": 1},
                                                                "examples": [{"prompt": "Email?", "answer": "Try [EMAIL_1]."}]}))
        ev_page = EvaluatePage(ctx)
        qtbot.addWidget(ev_page)
        ev_page.show()
        ev_page.activate()
        assert ctx.worker.wait_idle(30)
        qtbot.waitUntil(lambda: "test session" in ev_page.ready_labels[2].text(), timeout=5000)
        held, gap, session = (lab.text() for lab in ev_page.ready_labels)
        assert "✗ held-out accuracy" in held and "60%" in held and "20%" in held
        assert "✗ train/held-out gap" in gap and "+35 points" in gap
        assert "2 answers" in session and "50% wrong" in session and "too short" in session
        assert "Not yet" in ev_page.ready_box.title()
        assert "1 of 10 probe answers" in ev_page.memorised_label.text() and "[EMAIL_1]" in ev_page.memorised_label.text()
    finally:
        page.shutdown()
