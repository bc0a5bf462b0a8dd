"""Bugs found in the duplicate and conflict checks on short questions: "Any update?" asked in
three tickets about three different things is not one question asked three times."""

from __future__ import annotations

import pytest

from engine.flags import embeddings as emb
from engine.flags import conflicts, dedup
from engine.flags.base import DetectContext, PairText

ROWS = [
    ("Any update?", "Your laptop has shipped and arrives within 3 days."),
    ("Any update?", "The payroll correction takes 10 days and will be in the March salary."),
    ("any update??", "Your VPN access request is waiting for your manager's approval."),
    ("Thanks!", "You're welcome."),
    ("Thanks", "You're welcome!"),
    ("How do I reset my password?", "Use the self-service portal and follow the steps."),
    ("how do I reset my password", "Go to the self-service portal, choose Reset and follow the steps."),
]


@pytest.fixture(scope="module")
def model():
    return emb.load_model()


def _items():
    return [PairText(id=i + 1, instruction=q, response=a, external_id=f"T-{i + 1}") for i, (q, a) in enumerate(ROWS)]


def _ctx(model):
    return DetectContext(embed=lambda texts: model.encode(texts))


def test_short_question_with_unrelated_answers_is_not_a_duplicate(model):
    groups = sorted(sorted(f.pair_ids) for f in dedup.detect(_items(), _ctx(model)))
    # "Thanks" / "You're welcome" is one pair twice; the password question too
    assert groups == [[4, 5], [6, 7]]


def test_short_question_with_unrelated_answers_is_not_a_conflict(model):
    # "Any update?" about a laptop (3 days) and about payroll (10 days) do not conflict
    assert conflicts.detect(_items(), _ctx(model)) == []


def test_short_question_conflict_is_still_found_when_the_answers_are_about_one_thing(model):
    items = [PairText(1, "Leave carry over?", "You can carry over up to 5 days of earned leave to next year."),
             PairText(2, "Leave carry over?", "You can carry over up to 10 days of earned leave to next year.")]
    found = conflicts.detect(items, _ctx(model))
    assert [f.pair_ids for f in found] == [[1, 2]]
    assert [sorted(f.pair_ids) for f in dedup.detect(items, _ctx(model))] == [[1, 2]]


def test_without_embeddings_exact_short_questions_still_group():
    found = dedup.detect(_items(), DetectContext())
    assert sorted(sorted(f.pair_ids) for f in found) == [[1, 2, 3], [4, 5], [6, 7]]
