"""Bugs found in the conflicting-answers check: answers that say the same thing in other units
must not conflict, answers that differ must."""

from __future__ import annotations

import pytest

from engine.flags.conflicts import compare_answers


def diffs(a, b):
    return [(x.text, y.text) for x, y in compare_answers(a, b, same_question=True)]


@pytest.mark.parametrize("a,b", [
    ("The warranty is 1 year.", "The warranty is 12 months."),
    ("Laptops are replaced every 3 years.", "Laptops are replaced every 36 months."),
    ("Probation is 6 months.", "Probation is 26 weeks."),
    ("Probation is 18 months.", "Probation is 1.5 years."),
    ("Notice is 3 months.", "Notice is 13 weeks."),
    ("Refunds take 2 weeks.", "Refunds take 14 days."),
    ("The fee is £30.", "The fee is 30 GBP."),
])
def test_same_duration_in_other_units_is_not_a_conflict(a, b):
    assert diffs(a, b) == []


@pytest.mark.parametrize("a,b", [
    ("The warranty is 1 year.", "The warranty is 11 months."),
    ("Probation is 12 months.", "Probation is 13 months."),
    ("Probation is 50 months.", "Probation is 51 months."),
    ("Refunds take 12 days.", "Refunds take 30 days."),
    ("Notice is 1 month.", "Notice is 3 weeks."),
    ("Refund within 30 days.", "Refund within 31 days."),
])
def test_different_durations_still_conflict(a, b):
    assert len(diffs(a, b)) == 1


@pytest.mark.parametrize("a,b", [
    ("The relocation allowance is INR 1.5 lakh.", "The relocation allowance is INR 150,000."),
    ("The cover is Rs 5 lakhs per family.", "The cover is Rs. 5,00,000 per family."),
    ("The cover is 5 lakh rupees per family.", "The cover is INR 500,000 per family."),
    ("The fund is INR 2 crore.", "The fund is INR 20 million."),
])
def test_lakh_and_crore_amounts_are_the_same_amount(a, b):
    assert diffs(a, b) == []


def test_lakh_amounts_that_differ_conflict():
    assert diffs("The relocation allowance is INR 1.5 lakh.", "The relocation allowance is INR 2 lakh.") == \
        [("INR 1.5 lakh", "INR 2 lakh")]
    assert len(diffs("The cover is Rs 5 lakh.", "The cover is Rs 50,000.")) == 1


@pytest.mark.parametrize("a,b", [
    ("The limit is Rs 1,50,000 per year.", "The limit is INR 150,000 per year."),
    ("The limit is ₹12,50,000.", "The limit is INR 1,250,000."),
])
def test_indian_digit_grouping_is_the_same_amount(a, b):
    assert diffs(a, b) == []


def test_indian_digit_grouping_that_differs_conflicts():
    assert diffs("The limit is Rs 1,50,000.", "The limit is Rs 2,00,000.") == [("Rs 1,50,000", "Rs 2,00,000")]


@pytest.mark.parametrize("a,b", [
    ("The budget is $1-2k.", "The budget is $1,000 to $2,000."),
    ("The cover is Rs 3-5 lakh.", "The cover is Rs 300,000 to Rs 500,000."),
])
def test_a_multiplier_after_a_range_applies_to_both_ends(a, b):
    assert diffs(a, b) == []


@pytest.mark.parametrize("a,b", [
    ("No. 5 Baker Street is the London office address.", "Yes, the London office is at 5 Baker Street."),
    ("No. of days allowed: 12 days per year.", "Yes, you get 12 days per year."),
])
def test_no_as_an_abbreviation_of_number_is_not_a_no(a, b):
    assert diffs(a, b) == []


def test_a_real_no_still_conflicts_with_yes():
    assert diffs("No, parking is not available.", "Yes, parking is available.")[0] == ("No", "Yes")


def test_allowed_or_not_reads_as_plain_words():
    from engine.flags.base import PairText
    from engine.flags.conflicts import explain

    a = PairText(1, "Can I bring guests?", "You cannot bring guests to the office.", "HR-1")
    b = PairText(2, "Can I bring guests?", "You can bring guests to the office.", "HR-2")
    text = explain(a, b, compare_answers(a.response, b.response, same_question=True))
    assert "HR-1 says it is not allowed; HR-2 says it is allowed." in text, text
    assert 'In their words: "You cannot bring guests to the office" / "You can bring guests to the office".' in text
    a = PairText(1, "Can I carry over leave?", "No, unused leave lapses in December.", "HR-1")
    b = PairText(2, "Can I carry over leave?", "Yes, you can carry over unused leave.", "HR-2")
    assert "HR-1 says no; HR-2 says yes." in explain(a, b, compare_answers(a.response, b.response, same_question=True))


def test_a_time_at_the_end_of_a_sentence_is_shown_without_the_full_stop():
    from engine.flags.base import PairText
    from engine.flags.conflicts import explain

    a = PairText(1, "When does the office close?", "The office closes at 5 pm.", "HR-1")
    b = PairText(2, "When does the office close?", "The office closes at 6 pm.", "HR-2")
    assert "HR-1 says 5 pm; HR-2 says 6 pm." in explain(a, b, compare_answers(a.response, b.response, same_question=True))


@pytest.mark.parametrize("a,b", [
    ("Mileage is reimbursed at 45p per mile.", "Mileage is reimbursed at £0.45 per mile."),
    ("You can carry over up to 25 days.", "You can carry over up to twenty-five days."),
    ("You can carry over up to 31 days.", "You can carry over up to thirty one days."),
])
def test_pence_and_compound_word_numbers_are_the_same_value(a, b):
    assert diffs(a, b) == []


@pytest.mark.parametrize("a,b", [
    ("Mileage is reimbursed at 45p per mile.", "Mileage is reimbursed at 40p per mile."),
    ("You can carry over up to 25 days.", "You can carry over up to twenty days."),
])
def test_pence_and_compound_word_numbers_that_differ_conflict(a, b):
    assert len(diffs(a, b)) == 1


def test_video_resolution_and_times_are_not_pence():
    from engine.flags.facts import extract_facts

    assert [f.dimension for f in extract_facts("Record in 1080p; the call is at 4p.m.")] == ["time"]
