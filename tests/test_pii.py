"""Personal data detector: formats, look-alikes that are not personal data, checksums, names,
bad input, and the quality target on the bundled sample."""

from __future__ import annotations

import pytest
from engine.workspace.errors import Cancelled
from hypothesis import given, settings, strategies as st

from engine.flags.base import DetectContext, PairText
from engine.flags.pii import detect, find_spans, iban_ok, luhn_ok, requester_from_extra, verhoeff_ok


def kinds(text, requester=None, **kw):
    return [(s.kind, s.text) for s in find_spans(text, requester, **kw)]


@pytest.mark.parametrize("phone", [
    "+91 98765 43210", "+44 20 7946 0958", "(512) 555-0143", "+1-512-555-0199", "020 7946 0958",
    "+919876543210", "98765 43210", "9876543210", "512.555.0143", "+44 (0)20 7946 0958", "07700 900123",
    "+1 (512) 555-0143",
])
def test_phone_formats(phone):
    assert kinds(f"You can reach me on {phone} after lunch.") == [("phone", phone)]


@pytest.mark.parametrize("text", [
    "Raised on 2024-03-15 at 10:30 and closed 15/03/2024.",
    "See ticket HR-10234 and INC-2024-10234.",
    "Windows version 10.0.19045.2965 is installed.",
    "My IP is 192.168.100.254 on the VPN.",
    "The bonus of Rs 1 25 000 and INR 1250000 is paid.",
    "Amount: $1,250,000.00 or ₹ 12,50,000.",
    "Order 1234567890 shipped; invoice 4567891230.",
    "Between 09:00-17:30 on 12.03.2024, batch 2023 2024 2025.",
    "Meeting at Q3 4PM with the M2 8GB MacBook.",
    "Serial 5CD1234567 and asset tag 00012345.",
])
def test_not_personal_data(text):
    assert kinds(text) == []


def test_email_and_employee_id():
    # (a team mailbox such as IT@Example.co.uk is not personal data: tests/test_flags_hunt_pii.py)
    got = kinds("Mail priya.sharma@northwind-analytics.com or Tom.Lee@Example.co.uk; my id NW-10234, not HR-10234.")
    assert got == [("email", "priya.sharma@northwind-analytics.com"), ("email", "Tom.Lee@Example.co.uk"),
                   ("employee_id", "NW-10234")]


def test_employee_id_pattern_is_a_setting():
    text = "Employee E-778812 and NW-12345"
    assert kinds(text, employee_id_pattern=r"\bE-\d{6}\b") == [("employee_id", "E-778812")]
    # a broken pattern falls back to the default rather than failing every scan
    assert kinds(text, employee_id_pattern=r"([") == [("employee_id", "NW-12345")]
    items = [PairText(1, text, "ok")]
    flags = detect(items, DetectContext(settings={"pii_employee_id_pattern": r"\bE-\d{6}\b"}))
    assert flags[0].details["counts"] == {"employee_id": 1}


def test_checksums():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert verhoeff_ok("499118665246") and not verhoeff_ok("499118665247")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")


def test_national_ids_and_money():
    text = ("PAN ABCPE1234F, Aadhaar 4991 1866 5246, NI AB 12 34 56 C, SSN 123-45-6789, "
            "IBAN GB82 WEST 1234 5698 7654 32, card 4111 1111 1111 1111.")
    got = [(s.kind, s.subkind, s.text) for s in find_spans(text)]
    assert got == [
        ("national_id", "pan", "ABCPE1234F"), ("national_id", "aadhaar", "4991 1866 5246"),
        ("national_id", "ni_number", "AB 12 34 56 C"), ("national_id", "ssn", "123-45-6789"),
        ("bank_account", "iban", "GB82 WEST 1234 5698 7654 32"), ("card", "", "4111 1111 1111 1111"),
    ]


def test_invalid_ids_are_not_flagged():
    # wrong checksums, impossible NI prefixes, SSN area 000
    text = "Aadhaar 4991 1866 5247, NI QQ 12 34 56 C and GB 12 34 56 A, SSN 000-12-3456, IBAN GB82 WEST 1234 5698 7654 33, card 4111 1111 1111 1112."
    assert [k for k, _ in kinds(text) if k != "phone"] == []


def test_addresses():
    got = kinds("Send it to 221B Baker Street, London NW1 6XE or 1600 Pennsylvania Avenue, Washington, DC 20500. "
                "Austin office: TX 78701. Pune: Flat 155, Building 4, Magarpatta City, Wagholi, Pune 412207, "
                "or 12 MG Road, Pune 411001. London W1A 1AA.")
    assert got == [("address", "221B Baker Street, London NW1 6XE"),
                   ("address", "1600 Pennsylvania Avenue, Washington, DC 20500"), ("address", "TX 78701"),
                   ("address", "Flat 155, Building 4, Magarpatta City, Wagholi, Pune 412207"),
                   ("address", "12 MG Road, Pune 411001"), ("address", "W1A 1AA")]
    assert kinds("It takes 3 working days and 2 more Days Road trip. Use Flat 4 rate. Room 12 is free.") == []


def test_requester_names():
    got = kinds("Priya Sharma asked; Priya needs it. Ms Sharma agreed. Priyanka is someone else.", "Priya Sharma")
    assert got == [("name", "Priya Sharma"), ("name", "Priya"), ("name", "Ms Sharma")]
    # a first name that is also a word only counts capitalised and standalone
    assert kinds("You will get it. Will Smith asked.", "Will Smith") == [("name", "Will Smith")]
    assert kinds("no name here", None) == []
    assert kinds("Hello", "  ") == []


def test_requester_from_extra():
    assert requester_from_extra('{"Requester": "Priya Sharma", "Agent": "Ravi"}') == "Priya Sharma"
    assert requester_from_extra({"Requested By": "Tom Lee"}) == "Tom Lee"
    assert requester_from_extra({"Requester": "tom@x.com"}) is None
    assert requester_from_extra("not json") is None and requester_from_extra(None) is None


def test_placeholders_are_not_flagged_again():
    assert kinds("Mail [EMAIL_1], call [PHONE_12], ask [NAME_3] about [EMPLOYEE_ID_2].", "Name Three") == []


def test_detect_one_flag_per_pair_with_spans_and_explanation():
    items = [
        PairText(1, "Email me at a.b@x.com or c@y.org, phone +91 98765 43210", "We will call you.",
                 requester="Priya Sharma"),
        PairText(2, "How do I apply for leave?", "Use Workday > Time Off."),
        PairText(3, "My card 4111 1111 1111 1111 was charged", "Refund raised for Priya.", requester="Priya Sharma"),
    ]
    flags = detect(items, DetectContext())
    assert [f.pair_ids for f in flags] == [[1], [3]]
    f1, f3 = flags
    assert f1.kind == "pii" and f1.severity == "medium"
    assert f1.explanation.startswith("Personal data: 2 email addresses (a.b@x.com, c@y.org), 1 phone number (+91 98765 43210)")
    assert f3.severity == "high" and "payment card" in f3.explanation and "requester's name" in f3.explanation
    for f in flags:
        item = next(i for i in items if i.id == f.pair_ids[0])
        for span in f.spans:
            assert getattr(item, span.field)[span.start:span.end]
        assert {d["text"] for d in f.details["spans"]} == {getattr(item, s.field)[s.start:s.end] for s in f.spans}
    assert {s.field for s in f3.spans} == {"instruction", "response"}


def test_bad_input_never_fails():
    assert detect([], DetectContext()) == []
    items = [PairText(1, "", ""), PairText(2, "Überweisung an DE89 3704 0044 0532 0130 00 bitte", "完成了 ✅"),
             PairText(3, "x" * 1_000_000, ("12 " * 300_000) + "a@b.co")]
    flags = detect(items, DetectContext())
    ids = {f.pair_ids[0] for f in flags}
    assert 2 in ids and 3 in ids and 1 not in ids


def test_cancel_and_progress():
    seen = []
    items = [PairText(i, "a@b.co", "x") for i in range(600)]
    flags = detect(items, DetectContext(progress=lambda d, t, m: seen.append((d, t)), cancel=lambda: False))
    assert len(flags) == 600 and seen[-1] == (600, 600)
    with pytest.raises(Cancelled):  # every detector stops one way: no partial results
        detect(items, DetectContext(cancel=lambda: True))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("aZ09 +-().@_,:/\n[]₹é") + ["NW-12345", "+91 ", "Priya", "98765", "[EMAIL_1]",
                                                                  "4111 1111", "Road", "GB82"]), max_size=120))
def test_spans_are_sane_on_any_text(pieces):
    text = "".join(pieces)
    spans = find_spans(text, "Priya Sharma")
    last = 0
    for s in spans:
        assert 0 <= s.start < s.end <= len(text) and s.start >= last
        assert text[s.start:s.end] == s.text
        last = s.end


# --- the quality target on the bundled sample --------------------------------------------
def test_sample_recall_and_precision():
    from tests.sample_detectors import load_sample, pii_scores

    sample = load_sample()
    scores = pii_scores(sample)
    for group in ("email", "phone", "ids"):
        assert scores[group]["recall"] >= 0.98, (group, scores[group])
    assert scores["all"]["precision"] >= 0.9, scores["all"]
