"""Bug hunt: the judge reads single-digit 24-hour times ("8:00") and numeric dates ("31/12/2026"),
as written in the sample's IT desk answers; they were invisible, so a right answer in other words
was 'invented' and a wrong start time passed."""

from __future__ import annotations

from engine.evaluate.judge import extract_facts, judge_answer

REF = "The Austin IT desk is staffed from 8:00 to 17:00 Central Time on weekdays."


def test_single_digit_24h_time_is_a_fact():
    assert [f.value for f in extract_facts(REF) if f.kind == "time"] == [480, 1020]


def test_same_hours_in_12h_clock_are_correct_and_a_wrong_start_is_caught():
    ok = judge_answer("The Austin IT desk is staffed from 8 am to 5 pm Central Time on weekdays.", REF, similarity=0.9)
    assert ok.correct, ok.reason
    bad = judge_answer("The Austin IT desk is staffed from 9:00 to 17:00 Central Time on weekdays.", REF, similarity=0.9)
    assert not bad.correct and "says 9:00, reference 8:00" in bad.reason


def test_numeric_dates_are_facts():
    ref = "Submit the form by 31/12/2026."
    assert judge_answer("Submit the form by 31 December 2026.", ref, similarity=0.9).correct
    bad = judge_answer("Submit the form by 30/11/2026.", ref, similarity=0.9)
    assert not bad.correct and "contradicts" in bad.reason
    invented = judge_answer("Contact HR by 15/01/2027.", "Contact HR.", similarity=0.9)
    assert not invented.correct and "15/01/2027" in invented.reason


Q = "I have 3 days of annual leave left. Can I carry them over into next year?"
REF_CARRY = "Yes, you can carry over up to 5 days of annual leave into the next year."


def test_a_figure_repeated_from_the_question_is_not_invented():
    """The employee's own '3 days' echoed back was 'invented fact: 3 days' and a hallucination."""
    from engine.evaluate import score_answers
    from engine.evaluate.hallucination import FactIndex

    ans = "Yes, you can carry over your 3 days; up to 5 days of annual leave can go into the next year."
    assert not judge_answer(ans, REF_CARRY, similarity=0.9).correct  # without the question: as before
    assert judge_answer(ans, REF_CARRY, similarity=0.9, question=Q).correct
    verdicts = score_answers([{"instruction": Q, "response": REF_CARRY}], [ans], similarities=[0.9])
    assert verdicts[0]["correct"], verdicts[0]["reason"]
    assert FactIndex.from_texts([]).invented(ans, REF_CARRY, question=Q) == []


def test_a_wrong_figure_from_the_question_is_still_wrong():
    q = "Is the sick leave allowance 30 days a year?"
    ref = "No, employees get 12 days of paid sick leave per year."
    v = judge_answer("Yes, you get 30 days of paid sick leave per year.", ref, similarity=0.9, question=q)
    assert not v.correct and "12 days" in v.reason
    v = judge_answer("Employees get 12 days, not 30 days, of paid sick leave per year.", ref, similarity=0.9, question=q)
    assert v.correct, v.reason
