"""The judge on hand-made answers: correct, wrong number, invented fact, negation, paraphrase."""

import os

import pytest

from engine.evaluate.hallucination import FactIndex
from engine.evaluate.judge import (
    SIMILARITY_THRESHOLD,
    cosine_pairs,
    extract_facts,
    judge_answer,
    rouge_l,
    token_f1,
)
from engine.evaluate.judge import extract_facts, judge_answer

REF = "Employees get 12 days of paid sick leave per year. Request it in the HR Portal and tell your manager the same day."
CORRECT = REF
PARAPHRASE = ("You are entitled to 12 days of paid sick leave each year; book them through the HR Portal "
              "and let your manager know on the day.")
WRONG_NUMBER = "Employees get 30 days of paid sick leave per year. Request it in the HR Portal and tell your manager the same day."
INVENTED = ("Employees get 12 days of paid sick leave per year plus a $750 wellness allowance. "
            "Request it in the HR Portal.")
OFF_TOPIC = "To reset your VPN password, restart your laptop and open a ticket with the IT desk."

YES_REF = "Yes, you can carry over up to 5 days of annual leave into the next year."
NEGATED = "No, you cannot carry over annual leave into the next year, not even 5 days."


@pytest.fixture(scope="session")
def embed():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.evaluate.judge import load_embedder

    return load_embedder()


def _sim(embed, a, b):
    return cosine_pairs(embed, [a], [b])[0]


def _facts(text):
    return {(f.kind, f.value) for f in extract_facts(text)}


def test_facts_are_extracted_with_units_and_normalised():
    kinds = _facts("You get two weeks (14 days), $1,200, by March 31, 2025 at 5 pm; see HR-12 "
                   "and the Remote Work Policy.")
    assert ("duration", (14.0, 14.0)) in kinds  # two weeks == 14 days, same canonical value
    assert ("amount", (1200.0, 1200.0)) in kinds
    assert ("date", "2025-03-31") in kinds and ("time", 17 * 60) in kinds
    assert ("policy", "hr-12") in kinds and ("policy", "remote work policy") in kinds
    assert ("percentage", (12.0, 12.0)) in _facts("a raise of 12% this year")
    yes, no = _facts(YES_REF), _facts(NEGATED)
    assert ("yes_no", True) in yes and ("yes_no", False) in no
    assert ("permission", True) in yes and ("permission", False) in no
    carry = [f.slot for f in extract_facts(NEGATED) if f.kind == "permission"]
    assert carry == ["permission:carry"]  # keyed by the verb: "cannot carry" vs "can carry"


def test_correct_answer_passes():
    v = judge_answer(CORRECT, REF, similarity=1.0)
    assert v.correct, v.reason
    assert v.reason.startswith("correct") and v.rouge_l == pytest.approx(1.0) and v.token_f1 == pytest.approx(1.0)


def test_wrong_number_is_a_contradiction():
    v = judge_answer(WRONG_NUMBER, REF, similarity=0.95)  # near-identical wording: only facts catch it
    assert not v.correct
    assert "contradicts: says 30 days, reference 12 days" in v.reason
    assert v.contradictions == [("30 days", "12 days")]


def test_missing_fact():
    v = judge_answer("Request sick leave in the HR Portal and tell your manager the same day.", REF, similarity=0.9)
    assert not v.correct and "missing fact: 12 days" in v.reason


def test_invented_fact_fails_and_is_a_hallucination_unless_in_training():
    v = judge_answer(INVENTED, REF, similarity=0.9)
    assert not v.correct and "invented fact: $750" in v.reason
    index = FactIndex.from_texts(["Claims must be filed within 30 days.", "The HR Portal is open 24/7."])
    assert [f.text for f in index.invented(INVENTED, REF)] == ["$750"]
    # the same amount written somewhere in the training data: wrong here, but not invented
    index.add("The home office allowance is $750 per year.")
    assert index.invented(INVENTED, REF) == []
    # a wrong number that exists in the training data is a mix-up, not a hallucination
    assert index.invented(WRONG_NUMBER, REF) == []
    assert [f.text for f in FactIndex.from_texts([]).invented(WRONG_NUMBER, REF)] == ["30 days"]


def test_negation_is_a_contradiction():
    v = judge_answer(NEGATED, YES_REF, similarity=0.9)
    assert not v.correct
    assert "says No, reference Yes" in v.reason and "says cannot carry, reference can carry" in v.reason


def test_meaning_threshold_and_fallback():
    v = judge_answer("Request it in the HR Portal, 12 days.", REF, similarity=SIMILARITY_THRESHOLD - 0.2)
    assert not v.correct and v.reason.startswith("meaning differs (similarity")
    assert judge_answer("Request it in the HR Portal, 12 days.", REF, similarity=SIMILARITY_THRESHOLD).correct
    # without an embedder, word overlap decides
    assert judge_answer(CORRECT, REF).correct
    v = judge_answer("12 days HR Portal", REF)
    assert not v.correct and "word overlap" in v.reason
    assert judge_answer("", REF).reason == "no answer"


def test_overlap_metrics():
    assert rouge_l("a b c d", "a x c d") == pytest.approx(0.75)
    assert token_f1("the cat sat", "the cat") == pytest.approx(0.8)
    assert rouge_l("", "x") == 0.0 and token_f1("x", "y") == 0.0


def test_with_real_embeddings_paraphrase_passes_and_off_topic_fails(embed):
    sim_para = _sim(embed, PARAPHRASE, REF)
    sim_off = _sim(embed, OFF_TOPIC, REF)
    assert sim_para >= SIMILARITY_THRESHOLD > sim_off
    assert judge_answer(PARAPHRASE, REF, similarity=sim_para).correct
    v = judge_answer(OFF_TOPIC, REF, similarity=sim_off)
    assert not v.correct and "meaning differs" in v.reason
    # the wrong number is semantically close: the fact check is what fails it
    sim_wrong = _sim(embed, WRONG_NUMBER, REF)
    assert sim_wrong >= SIMILARITY_THRESHOLD
    assert not judge_answer(WRONG_NUMBER, REF, similarity=sim_wrong).correct


# --- Bug hunt: the judge reads single-digit 24-hour times ("8:00") and numeric dates ("31/12/2026"), ---
REF_HOURS = "The Austin IT desk is staffed from 8:00 to 17:00 Central Time on weekdays."


def test_single_digit_24h_time_is_a_fact():
    assert [f.value for f in extract_facts(REF_HOURS) if f.kind == "time"] == [480, 1020]


def test_same_hours_in_12h_clock_are_correct_and_a_wrong_start_is_caught():
    ok = judge_answer("The Austin IT desk is staffed from 8 am to 5 pm Central Time on weekdays.", REF_HOURS, similarity=0.9)
    assert ok.correct, ok.reason
    bad = judge_answer("The Austin IT desk is staffed from 9:00 to 17:00 Central Time on weekdays.", REF_HOURS, similarity=0.9)
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
