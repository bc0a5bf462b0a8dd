"""Drafting instruction/response from raw helpdesk text: what is stripped, what is kept."""

from __future__ import annotations

import pytest

from engine.ingest.drafting import clean, clean_report, clean_subject, draft_answer, draft_question

GMAIL_THREAD = """Hi Priya,

You can reset your VPN token from the self-service portal under Security > Tokens.
Then restart the VPN client and sign in again.

Best regards,
Tom Baker
IT Service Desk | Northwind Analytics
+44 20 7946 0000

On Mon, 3 Mar 2025 at 10:02, Priya Nair <priya.nair@northwind.example> wrote:
> Hello,
> My VPN keeps dropping every ten minutes.
> Thanks
"""

OUTLOOK_THREAD = """Your parental leave request has been approved; HR will email the letter within 2 working days.

Kind regards,
Maria Rossi
HR Advisor

________________________________
From: Jonas Berg <jonas.berg@northwind.example>
Sent: Tuesday, March 4, 2025 9:15 AM
To: HR Team <hr@northwind.example>
Subject: Parental leave

Hi, I would like to apply for parental leave from June.
"""

ORIGINAL_MESSAGE = """Use the Software Center to install Visio; it needs a manager approval first.

-----Original Message-----
From: Li Wei
Sent: 02 March 2025 14:00
Subject: Visio licence

Can I get Visio?
"""


def test_gmail_quoted_thread_and_signature_are_stripped():
    out = draft_answer(GMAIL_THREAD)
    assert out == ("You can reset your VPN token from the self-service portal under Security > Tokens.\n"
                   "Then restart the VPN client and sign in again.")
    assert "wrote:" not in out and "Tom Baker" not in out and "Hi Priya" not in out
    report = clean_report(GMAIL_THREAD)
    assert {"quoted reply", "signature", "greeting"} <= set(report)


def test_on_wrote_header_wrapped_over_two_lines():
    text = "Done, your mailbox quota is now 100 GB.\n\nOn Tue, 4 Mar 2025 at 09:41, Ana Souza\n<ana@northwind.example> wrote:\n> my mailbox is full"
    assert draft_answer(text) == "Done, your mailbox quota is now 100 GB."


def test_outlook_header_and_underscore_line_are_cut():
    out = draft_answer(OUTLOOK_THREAD)
    assert out == "Your parental leave request has been approved; HR will email the letter within 2 working days."
    assert "From:" not in out and "____" not in out


def test_original_message_header_is_cut():
    out = draft_answer(ORIGINAL_MESSAGE)
    assert out == "Use the Software Center to install Visio; it needs a manager approval first."


def test_quoted_lines_inline_are_removed_but_content_around_them_kept():
    text = "> Can I expense a taxi?\nYes, up to 40 EUR after 22:00.\n> And a hotel?\nHotels need pre-approval."
    assert draft_answer(text) == "Yes, up to 40 EUR after 22:00.\nHotels need pre-approval."


def test_double_dash_signature():
    text = "Your laptop is ready for pickup at the 2nd floor desk.\n-- \nTom Baker\nIT Service Desk\nExt. 4410"
    assert draft_answer(text) == "Your laptop is ready for pickup at the 2nd floor desk."


@pytest.mark.parametrize("closing", ["Regards,", "Best regards,", "Thanks,", "Cheers,", "Sincerely,",
                                     "Kind regards", "Many thanks,", "Thank you,"])
def test_closings_with_name_title_company_phone(closing):
    text = (f"Payslips are published on the 25th in Workday under Pay > Payslips.\n\n{closing}\n"
            "Olu Adeyemi\nPayroll Specialist\nNorthwind Analytics Ltd\nTel: +44 20 7946 0123")
    assert draft_answer(text) == "Payslips are published on the 25th in Workday under Pay > Payslips."


def test_inline_closing_on_last_line():
    assert draft_answer("The shared drive is mapped as S: on all laptops.\nThanks, Tom") == \
        "The shared drive is mapped as S: on all laptops."


def test_answer_content_is_kept_when_it_mentions_thanks_midway():
    text = ("Thanks for reporting this.\nThe outage is fixed; restart Outlook.\n"
            "If it happens again, call 4410.\n\nRegards,\nIT")
    assert draft_answer(text) == ("Thanks for reporting this.\nThe outage is fixed; restart Outlook.\n"
                                  "If it happens again, call 4410.")


def test_long_lines_after_closing_are_content_not_signature():
    long_line = "After that, open the portal, choose Benefits, then Pension, and follow the steps on the screen to change it."
    text = f"Thanks!\n{long_line}"
    assert long_line in draft_answer(text)


@pytest.mark.parametrize("greeting", ["Hi Priya,", "Hello team,", "Dear Sir/Madam,", "Good morning,", "Hey IT!", "Hi,"])
def test_greeting_only_lines_removed(greeting):
    text = f"{greeting}\n\nMy second monitor stays black after the docking station update."
    assert draft_question(text) == "My second monitor stays black after the docking station update."


def test_greeting_prefix_on_the_same_line():
    assert draft_question("Hi team, my badge does not open the 4th floor.") == "My badge does not open the 4th floor."


@pytest.mark.parametrize("boiler", [
    "This ticket has been marked as resolved. If you need more help, reply to reopen it.",
    "Please rate our service: https://help.northwind.example/rate/123",
    "Sent from my iPhone",
    "Get Outlook for Android",
    "##- Please type your reply above this line -##",
])
def test_boilerplate_lines(boiler):
    text = f"Your VPN certificate was renewed; reconnect once.\n\n{boiler}"
    assert draft_answer(text) == "Your VPN certificate was renewed; reconnect once."


def test_reply_above_this_line_marker_at_top_is_dropped_and_body_kept():
    text = "##- Please type your reply above this line -##\n\nYour request (4412) has been updated.\nThe new laptop ships Friday."
    assert "The new laptop ships Friday." in draft_answer(text)
    assert "##" not in draft_answer(text)


def test_disclaimer_paragraph_is_removed():
    text = ("The new starter's account is active from Monday 08:00.\n\n"
            "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be\n"
            "privileged. If you are not the intended recipient, notify the sender and delete it.\n")
    assert draft_answer(text) == "The new starter's account is active from Monday 08:00."
    text2 = ("Reset done.\n\nThis email and any files transmitted with it are confidential and intended solely for the addressee.")
    assert draft_answer(text2) == "Reset done."


def test_blank_runs_collapse_and_crlf():
    text = "Step one: open Settings.\r\n\r\n\r\n\r\nStep two: choose Accounts.   \r\n"
    assert draft_answer(text) == "Step one: open Settings.\n\nStep two: choose Accounts."


def test_html_bodies_are_turned_into_text():
    text = "<p>Hi Ana,</p><p>Your access to <b>Payroll</b> is granted.</p><p>Regards,<br>Tom</p>"
    assert draft_answer(text) == "Your access to Payroll is granted."


def test_never_empty_when_there_was_content():
    assert draft_answer("Thanks!") == "Thanks!"
    assert draft_answer("> only quoted text\n> nothing else") == "> only quoted text\n> nothing else"
    assert draft_answer("Sent from my iPhone") == "Sent from my iPhone"
    cleaned = clean("-----Original Message-----\nFrom: x\nSent: y\nHello")
    assert cleaned.text and "fallback" in cleaned.removed[-1]
    assert draft_answer("") == "" and draft_answer(None) == "" and draft_answer("  \n ") == ""


def test_question_uses_subject_when_body_empty_or_short():
    assert draft_question("", "Password reset for SAP") == "Password reset for SAP"
    assert draft_question(None, "RE: Password reset") == "Password reset"
    assert draft_question("Still broken.", "Re: [Ticket #123] Printer on floor 3 offline") == \
        "Printer on floor 3 offline: Still broken."
    assert draft_question("Still broken?", "Printer offline?") == "Printer offline? Still broken?"
    # a generic subject adds nothing, and a subject already in the body is not repeated
    assert draft_question("Still broken.", "Help") == "Still broken."
    assert draft_question("VPN not working", "vpn not working") == "VPN not working"
    long_body = "My laptop battery drains from full to empty in under an hour since the update."
    assert draft_question(long_body, "Battery") == long_body


def test_realistic_question_with_signature_and_phone_footer():
    text = ("Hello HR,\n\nHow many days of annual leave can I carry over into next year?\n"
            "I still have 7 days left.\n\nThanks,\nAna Souza\nSenior Analyst | Northwind Analytics\n"
            "M: +44 7700 900123\n\nSent from my iPhone")
    assert draft_question(text, "Leave carry over") == (
        "How many days of annual leave can I carry over into next year?\nI still have 7 days left.")


def test_clean_subject():
    assert clean_subject("Fwd: RE: [Ticket #88] VPN  down") == "VPN down"
    assert clean_subject(None) == ""


def test_raw_text_is_not_modified():
    raw = GMAIL_THREAD
    copy = str(raw)
    draft_answer(raw)
    assert raw == copy


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_bits = st.sampled_from(["a", "b", " ", "\t", "^", "-", "/", "~", "\u2013", "\u2014", "L", "Lee", "AB", "XYZ",
                         "Thanks", "TY", "Cheers", ".", "!", ")", "]", "(", "1", "2", "9", "http://x.co/a"])
_line_end = st.tuples(st.sampled_from(["Thanks", "ok.", "Done!", "TY", "Cheers", "fixed)", "word"]),
                      st.sampled_from([" ", "  ", "\t", ""]),
                      st.sampled_from(["^", "-", "/", "~", "\u2013", "\u2014", "(", ""]),
                      st.sampled_from(["", " "]),
                      st.sampled_from(["AB", "XYZ", "Lee", "Anna", "1/2", "3/4)", "ABCD", "x", "Lee 2/2"]),
                      st.sampled_from(["", " ", " http://t.co/x", "  https://a.b/c d"])).map("".join)


@hsettings(max_examples=600, deadline=None)
@given(st.lists(_bits, max_size=12).map("".join), _line_end, st.lists(_bits, max_size=8).map("".join))
def test_the_initials_precheck_never_skips_a_text_the_initials_pattern_would_change(before, end, after):
    """_strip_chat searches the cheap _INITIALS_HINT first and skips _INITIALS when it finds
    nothing: that is only right while every _INITIALS match is also a hint match."""
    from engine.ingest.drafting import _INITIALS, _INITIALS_HINT

    for text in (before + " " + end, before + end + "\n" + after):
        if _INITIALS.search(text):
            assert _INITIALS_HINT.search(text), repr(text)
