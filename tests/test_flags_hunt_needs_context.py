"""Bugs found in the needs-context check."""

from __future__ import annotations

import pytest

from engine.flags.base import DetectContext, PairText
from engine.flags.needs_context import detect


def flagged(answer: str) -> list[str]:
    return [c.explanation for c in detect([PairText(1, "How do I book leave?", answer)], DetectContext())]


@pytest.mark.parametrize("answer", [
    "See below for the steps:\n1. Open Workday\n2. Click Time Off",
    "The steps are listed below: open the portal, click Reset, follow the prompts.",
    "Follow the steps below:\n- Open Workday\n- Click Time Off\n- Submit",
])
def test_see_below_with_short_steps_that_do_follow(answer):
    assert flagged(answer) == []


@pytest.mark.parametrize("answer", [
    "See below.",
    "Please see the details below. Thanks!",
    "The steps are listed below.\n\nRegards",
])
def test_see_below_with_nothing_below_is_still_flagged(answer):
    assert any("nothing follows" in e for e in flagged(answer))


@pytest.mark.parametrize("answer", [
    "As discussed in the handbook, overtime needs prior approval from your manager.",
    "As agreed in your employment contract, the notice period is 60 days.",
    "As discussed in section 4 of the travel policy, economy class is the default.",
])
def test_as_discussed_in_a_document_is_not_a_conversation(answer):
    assert flagged(answer) == []


def test_as_discussed_on_our_call_is_still_flagged():
    assert any("conversation" in e for e in flagged("As discussed on our call, the laptop ships on Monday."))
    assert any("conversation" in e for e in flagged("As discussed, the laptop ships on Monday."))


@pytest.mark.parametrize("answer", [
    "I have sent you an email with the instructions.",
    "I've emailed you the form; please sign it.",
    "We have just sent the link to you.",
    "I have forwarded your request to Payroll.",
])
def test_answers_that_refer_to_a_message_the_agent_sent(answer):
    assert any("never saw" in e for e in flagged(answer))


@pytest.mark.parametrize("answer", [
    "Raise a Hardware Request and we will send one within 3 working days.",
    "You will receive an email from Workday to confirm.",
    "Your manager is sent an email to approve it.",
])
def test_process_descriptions_are_not_flagged(answer):
    assert flagged(answer) == []


@pytest.mark.parametrize("answer", [
    "Reach out to Concur support if the receipt does not upload.",
    "Contact Acme helpdesk for a replacement badge.",
    "Email Coupa with the invoice number.",
    "Ask Fidelity customer care about the 401(k) rollover.",
])
def test_asking_a_system_or_vendor_team_is_not_asking_a_person(answer):
    assert flagged(answer) == []


def test_asking_a_named_person_is_still_flagged():
    assert any("who Ravi is" in e for e in flagged("Please ask Ravi in payroll."))
    assert any("who Megan is" in e for e in flagged("Speak to Megan about it."))
