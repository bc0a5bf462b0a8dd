"""Needs context: phrases that lean on what the model never sees, and the clean majority."""

from __future__ import annotations

import pytest

from engine.flags.base import DetectContext, PairText
from engine.flags.needs_context import detect, find_hits


@pytest.mark.parametrize("answer, rule, quoted", [
    ("As discussed, I have reset your password.", "as discussed", "As discussed"),
    ("Like we discussed on the phone, the form is in Workday.", "as discussed", "we discussed on the phone"),
    ("Please see attached form and fill it in.", "see attached", "see attached"),
    ("The updated policy is attached, please sign it.", "see attached", "is attached"),
    ("PFA the letter.", "see attached", "PFA"),
    ("Per my last email, the policy has not changed.", "per my last email", "Per my last email"),
    ("As per our call, I've raised the request.", "as per our call", "As per our call"),
    ("Please ask Ravi, he handles this.", "ask a person", "ask Ravi"),
    ("Check with Anil Kumar in finance for the code.", "ask a person", "Check with Anil Kumar"),
    ("Same as HR-10011.", "other ticket", "Same as HR-10011"),
    ("This was resolved under ticket #45821 last week.", "other ticket", "ticket #45821"),
    ("Done.", "bare status", "Done."),
    ("Fixed, pls check", "bare status", "Fixed, pls check"),
    ("Resolved from our end. Please try again and let us know.", "bare status", "Resolved"),
    ("I will call you tomorrow to go through it.", "will call you", "I will call you"),
    ("Give me a call when you are at your desk.", "will call you", "Give me a call"),
    ("Check the link I sent you on Teams.", "link I sent", "the link I sent"),
    ("The steps are below.", "see below", "steps are below"),
    ("Please see below.", "see below", "see below"),
    ("As mentioned above, you need approval.", "see above", "mentioned above"),
    ("Same as last time, raise it in the portal.", "as mentioned earlier", "Same as last time"),
])
def test_phrases_found_with_reason(answer, rule, quoted):
    hits = find_hits(answer)
    assert any(h.rule == rule and quoted.lower() in h.phrase.lower() for h in hits), hits
    flags = detect([PairText(7, "q?", answer)], DetectContext())
    assert len(flags) == 1 and flags[0].kind == "needs_context" and flags[0].pair_ids == [7]
    f = flags[0]
    assert f.explanation.startswith("Needs context: '") and ": " in f.explanation
    for span in f.spans:
        assert span.field == "response" and answer[span.start:span.end]


def test_explanation_says_why():
    f = detect([PairText(1, "q", "Please see attached.")], DetectContext())[0]
    assert f.explanation == "Needs context: 'see attached': the model will never see the attachment."
    f = detect([PairText(1, "q", "Ask Ravi about it.")], DetectContext())[0]
    assert "Ravi" in f.explanation and "does not know who" in f.explanation


@pytest.mark.parametrize("answer", [
    "Please see below:\n1. Open Workday and go to Time Off.\n2. Choose Sick Leave and the dates you were away.\n3. Submit it.",
    "Please contact HR or your manager, or email the IT Service Desk at it@northwind.com.",
    "Your employee id NW-12345 is now active in Workday.",
    "Payroll runs as usual on the 25th; reimbursements are paid with the salary.",
    "The list in the portal is sorted by date, newest first.",
    "Raise a ticket in the portal under IT > Access and choose the application.",
    "You will receive a call from the courier before delivery.",
    "Attach the receipt to your claim in Concur and submit it before the 5th.",
    "The laptop refresh is done every 3 years; we will email you when yours is due.",
    "Ask your manager to approve the request in Workday, then contact Payroll if it is not paid.",
    "Log in to the VPN, then open the intranet. If the page is blank, clear the browser cache and try again.",
    "",
    "   ",
])
def test_clean_answers_are_not_flagged(answer):
    assert find_hits(answer) == []


def test_employee_ids_are_not_ticket_references():
    assert find_hits("Your employee id is KX-12345.") == []  # after a cue word
    assert [h.rule for h in find_hits("Your record KX-12345 is fixed.")] == ["other ticket"]
    from engine.flags.id_shapes import IdRules
    assert find_hits("Your record KX-12345 is fixed.", id_patterns=IdRules((r"KX-\d{5}",))) == []
    assert [h.rule for h in find_hits("Same as HR-12345.")] == ["other ticket"]
    # a workspace whose employee ids look like E-123456
    flags = detect([PairText(1, "q", "Your record E-123456 is fixed in the system now, see the portal for details.")],
                   DetectContext(settings={"pii_employee_id_pattern": r"\bE-\d{6}\b"}))
    assert flags == []


def test_bad_input():
    assert detect([], DetectContext()) == []
    items = [PairText(1, "", ""), PairText(2, "q", "Wie besprochen: Passwort zurückgesetzt. 完成了"),
             PairText(3, "q", ("Open the portal and choose leave. " * 30_000) + "As discussed.")]
    flags = detect(items, DetectContext())
    assert [f.pair_ids for f in flags] == [[3]]


def test_sample_f1():
    from tests.sample_detectors import detector_f1, load_sample

    sample = load_sample()
    score = detector_f1(sample, "needs_context")
    assert score["f1"] >= 0.8, score


# --- Bugs found in the needs-context check. ---
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


# --- cue families: answers that lean on shared history in their own words ----------------------
@pytest.mark.parametrize("answer, rule, quoted", [
    ("Use the copy I forwarded this morning.", "shared artefact", "the copy I forwarded"),
    ("That's the form I pointed you to, fill it in.", "shared artefact", "the form I pointed you to"),
    ("Try what I showed you last time.", "shared artefact", "what I showed you"),
    ("Follow the steps in the video I sent you on Teams.", "shared artefact", "the video I sent you"),
    ("We'll handle it like we did in March.", "like last time", "like we did in March"),
    ("It's the same issue you had in January, it will be corrected.", "like last time", "same issue you had in January"),
    ("As settled on the call, you can carry it over.", "settled in a conversation", "settled on the call"),
    ("Yes, as promised in the meeting.", "settled in a conversation", "promised in the meeting"),
    ("It went out with yesterday's message, check your inbox.", "earlier message", "yesterday's message"),
    ("Yes, as per the email from Andrew.", "earlier message", "the email from Andrew"),
    ("Please follow the earlier instructions.", "earlier message", "the earlier instructions"),
    ("Same as the other ticket, it's the permissions.", "earlier message", "the other ticket"),
    ("Meera signed off on it, so it's fine.", "a colleague's decision", "Meera signed off"),
    ("It's with Rohan now, he will take it from here.", "a colleague's decision", "It's with Rohan"),
    ("Your manager will confirm.", "deferred to a person", "Your manager will confirm"),
    ("All sorted.", "bare status", "All sorted."),
    ("Granted. Please log in again and confirm.", "bare status", "Granted. Please log in again and confirm."),
])
def test_cue_families_quote_the_evidence(answer, rule, quoted):
    hits = find_hits(answer)
    # the family's rule, or an older phrase rule that claimed the same words first
    assert any(h.phrase in quoted or quoted in h.phrase for h in hits), hits
    assert rule in {h.rule for h in hits} or len(hits) == 1
    flags = detect([PairText(1, "q", answer)], DetectContext())
    assert flags and quoted.split()[0] in flags[0].explanation  # the explanation quotes the words


@pytest.mark.parametrize("answer", [
    "We will email you the collection details within 3 working days of your manager's approval.",
    "Raise it in ServiceNow under Store systems > Tills and choose the till number.",
    "You will get an email from IT about 4 weeks before your refresh date.",
    "Unless Marketing has approved a public case study, do not name clients.",
    "Most approved software is in the Company Portal.",
    "Outside those hours, raise a ticket in the Service Hub and choose 'Call me back'; an engineer calls you.",
    "Overtime is approved by your store manager in the rota app before the shift. Unapproved overtime is paid "
    "only if the manager approves it within seven days afterwards.",
    "Yes, HR-POL-2291 version 3 is current. The next review is due on 30 September 2025.",
    "Shift swaps are confirmed in the rota app: both colleagues accept the swap, then the store manager approves it. "
    "You get a notification when it is approved, usually the same day.",
    "Yes, as set out in the handbook, part-time colleagues get leave pro rata to their contracted hours.",
])
def test_self_contained_answers_are_not_flagged(answer):
    assert find_hits(answer) == []


def test_second_set_target():
    """F1 >= 0.9 on the second evaluation set (tests/data/privacy_context)."""
    from privacy_context_set import flag_scores, load_set

    s = flag_scores(load_set(), "needs_context")
    assert s["f1"] >= 0.9, (s["missed"], s["false_positives"])


def test_document_codes_with_more_segments_are_not_tickets():
    assert find_hits("Yes, GP-2024-17 pays a pro-rata bonus above 90% of target.") == []
    assert [h.rule for h in find_hits("Same as HR-12345.")] == ["other ticket"]


@pytest.mark.parametrize("answer, quoted", [
    ("Go ahead with the plan we made.", "the plan we made"),
    ("Use the template from before.", "from before"),
    ("Do it the way Anita explained.", "the way Anita explained"),
    ("Already shared over WhatsApp.", "Already shared over WhatsApp"),
    ("Karthik from Payroll approved the correction; it shows on your next payslip.", "Karthik from Payroll approved"),
    ("We did this for you last year too.", "We did this for you last year"),
])
def test_more_ways_of_leaning_on_history(answer, quoted):
    assert any(h.phrase == quoted for h in find_hits(answer)), find_hits(answer)


@pytest.mark.parametrize("answer", [
    "The form Payroll sent is in the portal under Documents.",
    "Your P60 is sent by email every April.",
    "Leave carried over from before 2024 expires on 31 March.",
    "The IT team will contact you within 2 business days.",
])
def test_more_self_contained_answers(answer):
    assert find_hits(answer) == []
