"""Bugs found in the tone check: polite, neutral answers flagged as rude."""

from __future__ import annotations

import pytest

from engine.flags.base import DetectContext, PairText
from engine.flags.tone import detect

from test_tone import house

_TAIL = " Your manager approves the request in Workday and you get an email once it is done."


def rude_words(answer: str) -> list[str]:
    items = [PairText(i, "question?", a) for i, a in enumerate(house(60) + [answer + _TAIL])]
    flags = {f.pair_ids[0]: f for f in detect(items, DetectContext())}
    f = flags.get(60)
    if f is None:
        return []
    return [r for r in f.explanation.split("; ") if "rude" in r]


@pytest.mark.parametrize("answer", [
    "Before raising a ticket, please check the self-service portal, which lists the common fixes.",
    "Please check the self-service portal before raising a ticket; it lists the common fixes.",
    "Please look it up in the staff directory on the intranet; every extension is listed there.",
    "You can look it up in the staff directory on the intranet.",
    "We take data protection seriously, so the laptop must be encrypted.",
    "Did you try restarting the laptop? If that does not help, reply here.",
    "Did you check your spam folder? The email sometimes lands there.",
    "How many times did the error appear? Please send a screenshot.",
    "Here are the things you should know before travelling abroad.",
    "Your account was locked for the third time today, so it stays locked for 30 minutes.",
    "Don't bother printing the form; submit it online.",
])
def test_polite_answers_are_not_rude(answer):
    assert rude_words(answer) == []


@pytest.mark.parametrize("answer", [
    "This is on the intranet, look it up.",
    "This is clearly explained in the policy, so please read it before raising a ticket next time.",
    "Read the policy before asking.",
    "Seriously? It is on the intranet.",
    "Did you even read the policy?",
    "How many times do I have to tell you: the form is in Workday.",
    "You should know this by now.",
    "For the last time, the form is in Workday.",
    "Don't bother raising a ticket for this.",
])
def test_rude_answers_stay_rude(answer):
    assert rude_words(answer) != []
