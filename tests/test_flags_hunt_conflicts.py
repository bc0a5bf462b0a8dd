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
