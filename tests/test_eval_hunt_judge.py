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
