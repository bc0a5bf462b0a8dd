"""Personal data detector: formats, look-alikes that are not personal data, checksums, names,
bad input, and the quality target on the bundled sample."""

from __future__ import annotations

import pytest
from engine.workspace.errors import Cancelled, PairsmithError
from hypothesis import given, settings, strategies as st

from engine.flags.base import DetectContext, PairText
from engine.flags.checksums import iban_ok, luhn_ok, verhoeff_ok
from engine.flags.pii import detect, find_spans, requester_from_extra
from engine.review import pairs as pairs_mod
from engine.cli.main import main as cli_main
from engine.dataset.export import export_pairs
from engine.flags.runner import list_flags, run_flags
from engine.workspace.store import Workspace
from flag_helpers import add_tickets


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
    # (a team mailbox such as IT@Example.co.uk is not personal data: below)
    got = kinds("Mail priya.sharma@acme-analytics.com or Tom.Lee@Example.co.uk; my employee id KX-10234, not HR-10234.")
    assert got == [("email", "priya.sharma@acme-analytics.com"), ("email", "Tom.Lee@Example.co.uk"),
                   ("employee_id", "KX-10234")]


def test_employee_id_pattern_is_a_setting():
    text = "Record E-778812 and XY-12345"
    assert kinds(text) == []  # no organisation's format is built in
    assert kinds(text, employee_id_pattern=r"\bE-\d{6}\b") == [("employee_id", "E-778812")]
    # a broken pattern is left out rather than failing every scan
    assert kinds(text, employee_id_pattern=r"([") == []
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


# --- Bugs found in the personal-data flag and redaction by using them the way a team lead would ---
@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def test_identical_pairs_each_get_their_personal_data_flag(ws):
    # three copies of one ticket (a re-opened ticket, an export run twice): only the first one
    # was flagged, so approving a copy let the email through the export guard
    ids = add_tickets(ws, [(f"HR-{i}", "Please update my email to priya.s@gmail.com",
                            "Done, it is now priya.s@gmail.com.") for i in range(3)])
    assert run_flags(ws, kinds=["pii"]) == {"pii": 3}
    assert sorted(f["pair_ids"][0] for f in list_flags(ws, kind="pii")) == ids
    pairs_mod.update_pairs(ws, [ids[1]], status="approved")
    with pytest.raises(PairsmithError, match="personal-data"):
        export_pairs(ws, ws.root / "out.jsonl")


def test_cli_redact_closes_the_stale_personal_data_flags(ws, capsys):
    # `pairsmith redact` left the old flags open, still quoting the original values
    ids = add_tickets(ws, [
        ("HR-1", "My email is priya.s@gmail.com, please fix my payslip.", "Updated, thanks."),
        ("HR-2", "Call me on +44 7700 900123 about the laptop.", "We will call you today."),
        ("HR-3", "How do I book leave?", "Use the leave portal."),
    ])
    run_flags(ws, kinds=["pii"])
    assert len(list_flags(ws, kind="pii", status="open")) == 2
    root = str(ws.root)
    ws.close()
    assert cli_main(["redact", root, "--pair", str(ids[0])]) == 0
    w = Workspace.open(root)
    try:
        left = list_flags(w, kind="pii", status="open")
        assert [f["pair_ids"] for f in left] == [[ids[1]]]
    finally:
        w.close()
    assert cli_main(["redact", root, "--all"]) == 0
    capsys.readouterr()
    w = Workspace.open(root)
    try:
        assert list_flags(w, kind="pii", status="open") == []
        assert "gmail" not in str(list_flags(w))
    finally:
        ws.con = w.con  # the fixture closes it


@pytest.mark.parametrize("text", [
    "Order number 1234567890 has shipped.",
    "Your case number is 0123456789.",
    "Ticket no. 9876543210 is closed.",
    "Your account number: 9876543210 is active.",
    "The reference number for your claim is 7012345678.",
])
def test_reference_numbers_after_number_word_are_not_phones(text):
    assert [k for k in kinds(text) if k[0] == "phone"] == []


@pytest.mark.parametrize("phone", ["+49 30 12345678", "+49 151 12345678", "+31 20 1234567", "+49 (0)30 12345678"])
def test_phone_numbers_with_a_long_last_group(phone):
    assert kinds(f"Ruf mich an: {phone} bitte.") == [("phone", phone)]


@pytest.mark.parametrize("requester,text", [
    ("May Chen", "May I carry over my leave to next year?"),
    ("Will Smith", "Will my laptop be replaced this year?"),
    ("Grace Hall", "Grace period for the loan is 5 days."),
    ("Mark Lee", "Mark the ticket as resolved once done."),
    ("Hope Davis", "Hope you can help with this."),
])
def test_first_names_that_are_words_are_not_flagged_as_words(requester, text):
    assert kinds(text, requester) == []


@pytest.mark.parametrize("requester,text,name", [
    ("May Chen", "Hi May, your leave is approved.", "May"),
    ("Will Smith", "Thanks, Will", "Will"),
    ("Grace Hall", "Dear Grace, the loan is approved.", "Grace"),
    ("Mark Lee", "Mark, please send the form.", "Mark"),
    ("Hope Davis", "Your request, Hope, is approved.", "Hope"),
])
def test_first_names_that_are_words_are_flagged_as_names(requester, text, name):
    assert kinds(text, requester) == [("name", name)]


def test_redacting_a_word_name_keeps_the_sentence(ws):
    ids = add_tickets(ws, [("HR-1", "May I carry over my leave? Thanks, May", "Hi May, yes: up to 5 days.",
                            None, "May Chen")])
    from engine.privacy.redact import redact_pair

    redact_pair(ws, ids[0])
    p = pairs_mod.get_pair(ws, ids[0])
    assert p["instruction"] == "May I carry over my leave? Thanks, [NAME_1]"
    assert p["response"] == "Hi [NAME_1], yes: up to 5 days."


@pytest.mark.parametrize("text", [
    "Call Apple Support on 1-800-275-2273 for help.",
    "Our helpline is +1 (888) 555-0100, open 24/7.",
    "Ring the IT helpline free on 0800 123 4567.",
    "or contact 03331 031 031 option 1, 4, 3 to request a call back",
    "Call our toll-free number 1800 425 1234.",
    "Call +44 800 123 4567 from abroad.",
])
def test_company_freephone_numbers_are_not_personal_data(text):
    assert kinds(text) == []


@pytest.mark.parametrize("phone", ["+1 512 555 0143", "07700 900123", "+91 80012 34567", "8001234567", "020 7946 0958"])
def test_personal_numbers_next_to_freephone_prefixes_still_found(phone):
    assert kinds(f"My number is {phone}, call me.") == [("phone", phone)]


@pytest.mark.parametrize("text", [
    "The holiday lists for 2023 2024 2025 are on the intranet.",
    "Join the Zoom meeting 812 3456 7890 with passcode 123456.",
    "Webinar 812 3456 7890 starts at 10.",
])
def test_years_and_meeting_ids_are_not_phones(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text,value", [
    ("Please update my salary account: bank a/c 50100234567890, IFSC HDFC0001234.", "50100234567890"),
    ("My bank account number is 123456789012.", "123456789012"),
    ("Account no. 00123456789 at SBI.", "00123456789"),
    ("Sort code 12-34-56, account number 12345678.", "12345678"),
])
def test_bank_account_numbers_after_an_account_word(text, value):
    assert ("bank_account", value) in kinds(text)


@pytest.mark.parametrize("text,value", [
    ("My passport number is M1234567, expiring 2030.", "M1234567"),
    ("Passport no: K8765432", "K8765432"),
])
def test_passport_numbers_after_the_word_passport(text, value):
    assert kinds(text) == [("national_id", value)]


@pytest.mark.parametrize("text", [
    "Your account is locked for 30 minutes after 5 failed attempts.",
    "Account 2024 closing is in March.",
    "The passport office is open 9 to 5.",
])
def test_account_and_passport_words_alone_are_not_personal_data(text):
    assert kinds(text) == []


@pytest.mark.parametrize("requester", ["Sharma, Priya", "Dr. Priya Sharma", "Priya K. Sharma", "Ms Priya Sharma"])
def test_requester_names_written_other_ways(requester):
    text = "I am Priya Sharma from Finance. Regards, Priya"
    assert kinds(text, requester) == [("name", "Priya Sharma"), ("name", "Priya")]


def test_requester_with_middle_initial_and_last_first_in_text():
    assert kinds("Priya K. Sharma asked; Sharma, Priya signed.", "Priya K. Sharma") == [
        ("name", "Priya K. Sharma"), ("name", "Sharma, Priya")]


def test_last_first_requester_shares_the_placeholder_with_first_last(ws):
    from engine.privacy.redact import redact_all

    ids = add_tickets(ws, [("HR-1", "I am Priya Sharma.", "Thanks, Priya.", None, "Sharma, Priya"),
                           ("HR-2", "Priya Sharma again.", "Noted.", None, "Priya Sharma")])
    redact_all(ws)
    assert pairs_mod.get_pair(ws, ids[0])["instruction"] == "I am [NAME_1]."
    assert pairs_mod.get_pair(ws, ids[0])["response"] == "Thanks, [NAME_1]."
    assert pairs_mod.get_pair(ws, ids[1])["instruction"] == "[NAME_1] again."


@pytest.mark.parametrize("requester,text,expected", [
    ("Austin Lee", "In Austin we offer Aetna plans. The Austin office opens at 9. Austin, your plan is active.",
     ["Austin"]),
    ("Sydney Park", "Our Sydney team and the Sydney office are closed. Hi Sydney, noted.", ["Sydney"]),
    ("Jordan Smith", "Travel to Jordan needs a visa. Thanks, Jordan", ["Jordan"]),
])
def test_first_names_that_are_places_are_not_flagged_as_places(requester, text, expected):
    found = find_spans(text, requester)
    assert [s.text for s in found] == expected
    assert all(text[s.start - 6:s.start].strip().endswith((",", "Hi", "Thanks,")) or text[s.end:s.end + 1] in ",."
               for s in found)


def test_redacting_a_place_name_requester_keeps_the_office(ws):
    from engine.privacy.redact import redact_pair

    ids = add_tickets(ws, [("HR-1", "Which plans do we have in Austin?", "In Austin we offer Aetna plans, Austin.",
                            None, "Austin Lee")])
    redact_pair(ws, ids[0])
    p = pairs_mod.get_pair(ws, ids[0])
    assert p["instruction"] == "Which plans do we have in Austin?"
    assert p["response"] == "In Austin we offer Aetna plans, [NAME_1]."


# names said in the text itself, found without a requester column (a JSONL of pairs, a chat
# export): self-introductions, greetings and sign-offs
@pytest.mark.parametrize("text,name", [
    ("This is Rohit Jadhav from Finance. How do I claim travel expenses?", "Rohit Jadhav"),
    ("My name is Ananya Iyer. Where is my payslip?", "Ananya Iyer"),
    ("my name is Ananya and I joined last week.", "Ananya"),
    ("Your payslip is in Workday under Pay. Regards, Megan Ortiz", "Megan Ortiz"),
    ("Hi Rohit, submit the claim in Concur within 30 days.", "Rohit"),
    ("Dear Ananya, your payslip is in Workday.", "Ananya"),
    ("The form is in Workday.\n\nThanks,\nPriya", "Priya"),
])
def test_names_introduced_greeted_or_signed_without_a_requester(text, name):
    assert kinds(text) == [("name", name)]


@pytest.mark.parametrize("text", [
    "Hi team, how do I claim travel expenses?",
    "Hi there! The form is in Workday.",
    "Hello HR, where is my payslip?",
    "Dear Sir, please help.",
    "Hi People team, quick question.",
    "This is Microsoft Teams from the app store.",
    "This is Workday Support.",
    "The form is in Workday. Thanks, Team",
    "Best regards, People Operations",
    "Regards, IT Service Desk",
    "I am Not Sure which form to use.",
    "Hi All, the office is closed.",
    "Thanks, Have a great day",
])
def test_greeting_and_signoff_words_that_are_not_names(text):
    assert kinds(text) == []


def test_a_named_person_is_redacted_consistently_without_a_requester(ws):
    from engine.privacy.redact import redact_all

    ids = add_tickets(ws, [("HR-1", "My name is Ananya Iyer. Where is my payslip?", "Workday, under Pay. Regards, Megan Ortiz")])
    redact_all(ws)
    p = pairs_mod.get_pair(ws, ids[0])
    assert p["instruction"] == "My name is [NAME_1]. Where is my payslip?"
    assert p["response"] == "Workday, under Pay. Regards, [NAME_2]"


@pytest.mark.parametrize("text,name", [
    ("@105847 Hi Harry! Help's here.", "Harry"),
    ("@105861 Hey Sara, sorry to hear of the issues.", "Sara"),
])
def test_greeting_after_a_handle(text, name):
    assert kinds(text) == [("name", name)]


@pytest.mark.parametrize("phone", ["0300 1234567", "0321-1234567", "+92 300 1234567"])
def test_pakistan_mobiles_are_not_taken_for_uk_company_numbers(phone):
    assert kinds(f"Call me on {phone} today.") == [("phone", phone)]


@pytest.mark.parametrize("text", [
    "Email payroll@northwind-analytics.com for help.",
    "Write to people@northwind.com or it.support@northwind.com.",
    "Contact hr-india@company.com, noreply@workday.com or support@apple.com.",
    "Send it to the IT Service Desk at servicedesk@northwind.com.",
    "Questions? benefits.uk@northwind.com",
])
def test_team_mailboxes_are_not_personal_data(text):
    assert kinds(text) == []


@pytest.mark.parametrize("email", ["priya.sharma@northwind-analytics.com", "john.doe+hr@gmail.com", "hr.priya@gmail.com",
                                   "support@gmail.com", "harry@gmail.com"])
def test_personal_mailboxes_are_still_personal(email):
    assert kinds(f"Mail {email} today") == [("email", email)]


@pytest.mark.parametrize("text,value", [
    ("My date of birth is 12/03/1990, please correct it in Workday.", "12/03/1990"),
    ("DOB: 1990-03-12", "1990-03-12"),
    ("I was born on 12 March 1990.", "12 March 1990"),
    ("Date of birth - March 12, 1990", "March 12, 1990"),
])
def test_dates_of_birth(text, value):
    assert kinds(text) == [("birth_date", value)]


@pytest.mark.parametrize("text", [
    "The password is the first four letters of your name followed by your date of birth in DDMM format.",
    "Your leave starts on 12/03/2025.",
    "Update your date of birth in Workday under Personal Information.",
])
def test_dates_that_are_not_a_birth_date(text):
    assert kinds(text) == []


def test_cli_redact_counts_birth_dates(ws, capsys):
    add_tickets(ws, [("HR-1", "DOB: 1990-03-12 and born on 12 March 1990", "Noted.")])
    root = str(ws.root)
    ws.close()
    assert cli_main(["redact", root, "--all"]) == 0
    assert "2 birth dates" in capsys.readouterr().out
    ws.con = Workspace.open(root).con


@pytest.mark.parametrize("text", [
    "Dear Employee, the office is closed on Friday.",
    "Dear Candidate, thank you for applying.",
    "Hello World, this is a test.",
    "The form is in Workday. Regards, Workplace Experience",
    "Thanks, Global Mobility",
    "Kind regards, Talent Acquisition",
])
def test_audiences_and_team_signoffs_are_not_names(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text", [
    "The 10-year note US10YT=RR fell while US30YT=RR rose.",
    "Error code XY12AB appeared.",
])
def test_codes_outside_uk_postcode_areas_are_not_postcodes(text):
    assert kinds(text) == []


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "N7 8QP", "EC1A 1BB", "M1 1AE", "B33 8TH"])
def test_uk_postcodes_still_found(postcode):
    assert kinds(f"Send it to {postcode} please.") == [("address", postcode)]


# --- an organisation's own ids, learned; validated recognisers; addresses; no built-in formats ---
from engine.flags import id_shapes  # noqa: E402


def test_ids_after_cue_words_whatever_their_format():
    for text, value in [("My staff number is LK204877.", "LK204877"), ("Emp no 77-3310, please check.", "77-3310"),
                        ("employee ID: 004512", "004512"), ("colleague number is QX-88-201", "QX-88-201"),
                        ("badge no 30-4471", "30-4471"), ("Payroll number 5512093 is wrong.", "5512093")]:
        assert kinds(text) == [("employee_id", value)], text


@pytest.mark.parametrize("text", [
    "Our staff 2024 party is on Friday.", "The employee handbook, section 12.", "Dear Employee, 3 days left.",
    "We have 500 staff across 12 stores.", "Team member of the month.",
])
def test_cue_words_without_an_id_are_not_personal_data(text):
    assert kinds(text) == []


def test_id_shapes_are_learned_from_the_workspace_and_found_without_a_cue():
    items = [PairText(1, "My staff number is LK204877.", "ok"), PairText(2, "Emp no LK118204, badge broken.", "ok"),
             PairText(3, "Please update the record for LK512093, that's me.", "Done in the portal for LK512093.")]
    learned = id_shapes.learn_id_patterns(items)
    assert [(p.pattern, p.count, p.anywhere) for p in learned] == [(r"LK\d{6}", 2, True)]
    assert learned[0].display == "LK + 6 digits" and learned[0].examples == ("LK118204", "LK204877")
    # without the workspace's shapes the bare id is not found; with them it is
    assert kinds("Please update the record for LK512093.") == []
    rules = id_shapes.id_patterns_for(items, {})
    assert kinds("Please update the record for LK512093.", id_patterns=rules) == [("employee_id", "LK512093")]
    flags = detect(items, DetectContext())
    assert {f.pair_ids[0] for f in flags} == {1, 2, 3}
    # one value seen once is not a shape yet; a digit-only shape never applies without a cue
    assert id_shapes.learn_id_patterns(items[:1]) == []
    digits = id_shapes.learn_id_patterns(["employee id 004512", "employee id 773310"])
    assert [(p.pattern, p.anywhere) for p in digits] == [(r"\d{6}", False)]
    assert kinds("Order 773310 shipped.", id_patterns=id_shapes.id_rules(digits)) == []


def test_user_decisions_on_learned_shapes():
    items = [PairText(1, "staff number LK204877", "ok"), PairText(2, "staff number LK118204", "ok")]
    removed = id_shapes.id_patterns_for(items, {"pii_id_patterns": {r"LK\d{6}": "removed"}})
    assert kinds("staff number LK204877 and LK512093", id_patterns=removed) == []
    added = id_shapes.id_patterns_for(items, {"pii_id_patterns": {r"ZZ\d{4}": "confirmed"}})
    assert kinds("ids ZZ1234 and LK512093", id_patterns=added) == [("employee_id", "ZZ1234"), ("employee_id", "LK512093")]
    # an unusable pattern is never applied
    bad = id_shapes.id_patterns_for(items, {"pii_id_patterns": {"([": "confirmed", ".*": "confirmed"}})
    assert kinds("ids ZZ1234", id_patterns=bad) == []
    assert id_shapes.pattern_error(".*") and id_shapes.pattern_error("([") and id_shapes.pattern_error(r"LK\d{6}") is None


def test_no_organisation_format_is_built_in():
    import inspect

    from engine.workspace import settings as ws_settings

    assert ws_settings.default("pii_employee_id_pattern") is None
    assert ws_settings.default("pii_id_patterns") == {}
    from engine.flags import pii

    source = inspect.getsource(pii) + inspect.getsource(id_shapes)
    for word in ("NW-", "Northwind", "northwind", "Magarpatta", " pune", "Pune "):
        assert word not in source, word
    assert kinds("Record NW-12345 updated.") == []


@pytest.mark.parametrize("text, value", [
    ("Sort code 20-45-12, account 73910455.", ["20-45-12", "73910455"]),
    ("my account is 50100287345612", ["50100287345612"]),
    ("salary account is now 912010045781236 with Axis Bank", ["912010045781236"]),
    ("New account number 4419023871, routing 021000021.", ["4419023871"]),
])
def test_bank_accounts_and_sort_codes_after_their_cues(text, value):
    assert [v for k, v in kinds(text) if k == "bank_account"] == value


@pytest.mark.parametrize("text", [
    "Order account 12345678901 was closed.", "Customer account 55512345678 merged.",
    "The account team will call.", "sort the codes by date",
])
def test_other_accounts_are_not_bank_accounts(text):
    assert [k for k, _ in kinds(text) if k == "bank_account"] == []


def test_library_validated_ids():
    assert kinds("NHS number 943 476 5919") == [("national_id", "943 476 5919")]
    assert kinds("NHS number 943 476 5918") == []  # mod-11 fails
    assert kinds("PAN ABKPM4821Q") == [("national_id", "ABKPM4821Q")]
    assert kinds("PAN ABKXM4821Q") == []  # 4th letter is not a holder type
    assert kinds("Passport number 533412970.") == [("national_id", "533412970")]
    assert kinds("Aadhaar 3043 3218 1964") == [("national_id", "3043 3218 1964")]
    assert kinds("Aadhaar 3043 3218 1965") == []


@pytest.mark.parametrize("phone", ["0044 20 7946 0018", "+44 (0)161 496 0753", "(0161) 496 0753", "022-26541234",
                                   "+91-22-2654-1234", "1-646-555-0147", "415.555.0199", "094440 31277"])
def test_more_national_phone_formats(phone):
    assert kinds(f"Call me on {phone} today.") == [("phone", phone)]


def test_phone_candidates_phonenumbers_rejects():
    assert kinds("Call me on +44 12 34.") == []
    assert kinds("Call me on +999 1234 5678 today.") == []  # no such country code


@pytest.mark.parametrize("text, address", [
    ("Send it to Flat 302, Sai Krupa Residency, Road No. 12, Banjara Hills, Hyderabad 500034 please.",
     "Flat 302, Sai Krupa Residency, Road No. 12, Banjara Hills, Hyderabad 500034"),
    ("I live at B-204, Green Valley Society, Sector 21, Kharghar, Navi Mumbai 410210.",
     "B-204, Green Valley Society, Sector 21, Kharghar, Navi Mumbai 410210"),
    ("Courier: Plot 27, Sector 18, Udyog Vihar, Gurugram, Haryana 122015.",
     "Plot 27, Sector 18, Udyog Vihar, Gurugram, Haryana 122015"),
    ("New address is 14 Alder Grove, Headingley, Leeds LS6 3QT from 1 May.",
     "14 Alder Grove, Headingley, Leeds LS6 3QT"),
    ("Post it to 7 Kingfisher Close, Bradley Stoke, Bristol BS32 0DP please.",
     "7 Kingfisher Close, Bradley Stoke, Bristol BS32 0DP"),
    ("I live at 2218 Maple Ridge Drive, Apt 4B, Columbus, OH 43215 now.",
     "2218 Maple Ridge Drive, Apt 4B, Columbus, OH 43215"),
    ("Ship to 41 Cedar Lane, Richmond, VA 23226.", "41 Cedar Lane, Richmond, VA 23226"),
])
def test_addresses_in_indian_uk_and_us_style(text, address):
    assert kinds(text) == [("address", address)]


@pytest.mark.parametrize("text", [
    "Order 123456 is on its way.", "Amount INR 1,23,456 credited.", "Store 411013 is closed.",
    "Reviews open on 1 April and close on 15 May.", "Build 22631.3447 of version 17.4.2.",
    "The policy HR-POL-2291, dated 12/03/2024.", "Tracking 1Z999AA10123456784.",
])
def test_look_alikes_of_addresses_and_ids_are_not_personal_data(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text, name", [
    ("Maternity pay is handled by our UK pay specialist, Joanne Pike. Call her.", "Joanne Pike"),
    ("Your induction buddy is Arjun Malhotra from the merchandising team.", "Arjun Malhotra"),
    ("The HR business partner for the Phoenix distribution center is Marcus Delgado.", "Marcus Delgado"),
])
def test_names_after_role_words(text, name):
    assert kinds(text) == [("name", name)]


@pytest.mark.parametrize("text", [
    "Your manager approves it in Larkfield People.", "Ask your line manager, Store Operations.",
    "The account owner is Microsoft Teams.",
])
def test_role_words_before_teams_and_systems_are_not_names(text):
    assert [k for k, _ in kinds(text) if k == "name"] == []


def test_unit_mailboxes_are_not_personal():
    assert kinds("Email leeds.store@larkfield-stores.co.uk or branch-0412@shop.example.com") == []
    assert kinds("Email joanne.pike@larkfield-stores.co.uk") == [("email", "joanne.pike@larkfield-stores.co.uk")]


def test_second_set_targets():
    """The targets of the second evaluation set (tests/data/privacy_context, never tuned on the
    sample's formats): recall >= 0.98 per value and precision >= 0.95."""
    from privacy_context_set import load_set, pii_scores

    s = pii_scores(load_set())
    assert s["recall"] >= 0.98, s["missed"]
    assert s["precision"] >= 0.95, s["false_positives"]


def test_date_of_birth_a_few_words_after_its_cue():
    assert kinds("My date of birth is wrong, it is 02/11/1984.") == [("birth_date", "02/11/1984")]
    assert kinds("The date of birth field opens on 1 April 2025 for everyone.") == []


def test_a_recheck_of_one_pair_uses_the_shapes_learned_from_every_pair(ws):
    ids = add_tickets(ws, [("HR-1", "My staff number is LK204877.", "Noted."),
                           ("HR-2", "Emp no LK118204, payslip wrong.", "Fixed."),
                           ("HR-3", "Where is my payslip?", "It is in the portal.")])
    run_flags(ws, kinds=["pii"])
    assert not list_flags(ws, kind="pii", pair_id=ids[2], status="open")
    pairs_mod.update_pairs(ws, [ids[2]], response="It is in the portal for LK512093.", by="test")
    run_flags(ws, kinds=["pii"], pair_ids=[ids[2]])  # only that pair is re-checked
    flags = list_flags(ws, kind="pii", pair_id=ids[2], status="open")
    assert flags and "LK512093" in flags[0]["explanation"] and flags[0]["details"]["counts"] == {"employee_id": 1}


def test_short_or_digit_and_dash_shapes_only_apply_after_a_cue():
    learned = id_shapes.learn_id_patterns(["emp no 77-3310", "emp no 12-4471", "emp code E12", "emp code E99"])
    assert {(p.pattern, p.anywhere) for p in learned} == {(r"\d{2}\-\d{4}", False), (r"E\d{2}", False)}
    rules = id_shapes.id_rules(learned)
    assert kinds("Invoices for 11-2024 and error E42.", id_patterns=rules) == []
    assert kinds("emp no 55-1234", id_patterns=rules) == [("employee_id", "55-1234")]


@pytest.mark.parametrize("text, address", [
    ("Send to Flat No. 4B, Shanti Apartments, MG Road, Pune - 411001.", "Flat No. 4B, Shanti Apartments, MG Road, Pune - 411001"),
    ("12 Anna Salai, T. Nagar, Chennai, PIN: 600017", "12 Anna Salai, T. Nagar, Chennai, PIN: 600017"),
])
def test_indian_addresses_with_a_dash_or_pin_before_the_code(text, address):
    assert kinds(text) == [("address", address)]
