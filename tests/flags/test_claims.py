"""Claims: extraction (subject, attribute, value, period, scope, limit, date rule, polarity), the
vocabulary learned from the data, and the same_topic / compatible rules."""

from __future__ import annotations

import dataclasses

import pytest

from engine.flags.claims import (Claim, Vocabulary, compatible, contradicts, extract_claims, same_topic, scope_of,
                                 subject_terms)

CORPUS = [
    "How much privilege leave do we get each year?",
    "You get 18 days of privilege leave per year, credited monthly.",
    "whats the yearly PL quota for new joiners in india?",
    "Can I WFH on fridays?",
    "Work from home is allowed two days a week.",
    "Is PF deducted from my CTC?",
    "Provident fund is 12% of basic pay and is part of your cost to company.",
    "EL (earned leave) carries over up to 30 days.",
    "DA (dearness allowance) is revised twice a year.",
]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary.learn(CORPUS)


def one(text, vocab=None, question=None, attribute=None):
    cs = [c for c in extract_claims(text, vocab, question=question) if attribute is None or c.attribute == attribute]
    assert cs, extract_claims(text, vocab, question=question)
    return cs[0]


def test_claim_is_frozen_and_has_the_documented_fields():
    c = one("You get 18 days of privilege leave per year.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.value = 3  # type: ignore[misc]
    for name in ("subject", "attribute", "value", "unit", "period", "scope", "polarity", "limit", "date", "text",
                 "start", "end", "evidence"):
        assert hasattr(c, name)
    assert (c.subject, c.attribute, c.value, c.unit, c.period) == ("privilege leave", "duration", (18.0, 18.0),
                                                                   "day", "year")
    text = "You get 18 days of privilege leave per year."
    assert text[c.start:c.end] == c.text == "18 days"


def test_abbreviations_are_learned_from_the_data(vocab):
    ab = vocab.abbreviations
    assert ab["pl"] == "privilege leave"
    assert ab["wfh"] == "work from home"
    assert ab["pf"] == "provident fund"
    assert ab["ctc"] == "cost to company"
    assert ab["el"] == "earned leave"      # from the definition "EL (earned leave)"
    assert ab["da"] == "dearness allowance"
    assert "zz" not in ab
    # nothing is known without data that spells them out
    assert Vocabulary.learn(["Is PF deducted?"]).abbreviations == {}


def test_question_gives_the_subject_and_scope_of_a_bare_value(vocab):
    c = one("21 days per year, credited in full in January.", vocab,
            question="whats the yearly PL quota for new joiners in india?")
    assert c.subject == "privilege leave"
    assert c.scope_dict == {"country": "india", "employee_type": "new_joiner"}
    d = one("18 days of privilege leave per year, credited monthly.", vocab,
            question="How much privilege leave do we get each year?")
    assert same_topic(c, d) and not compatible(c, d) and contradicts(c, d)


def test_same_subject_different_scope_is_not_the_same_topic():
    a, b = extract_claims("In the UK you get 25 days of annual leave. In India it is 18 days of annual leave.")
    assert a.scope_dict == {"country": "uk"} and b.scope_dict == {"country": "india"}
    assert not same_topic(a, b)
    p = one("During probation the notice period is 30 days.")
    q = one("After confirmation the notice period is 60 days.")
    assert p.scope_dict == {"condition": "probation"} and q.scope_dict == {"condition": "confirmed"}
    assert not same_topic(p, q)
    x = one("Contractors get 10 days of annual leave.")
    y = one("Full-time employees get 20 days of annual leave.")
    assert not same_topic(x, y)
    # a scope the answer itself names is a scope of its own: no comparison with an unscoped
    # answer; a scope only the question names ("for new joiners in india") does not clash
    z = one("You get 12 days of annual leave.")
    assert not same_topic(x, z)
    w = one("You get 10 days of annual leave.", question="annual leave for contractors?")
    assert w.scope_dict == {"employee_type": "contractor"} and w.stated_scope == ()
    assert same_topic(w, z) and not compatible(w, z)


def test_up_to_versus_unlimited():
    a = one("You can take up to 10 days of sick leave a year.")
    b = one("Sick leave is unlimited.", question="How much sick leave?")
    assert a.limit == "max" and b.limit == "unlimited" and b.attribute == "unlimited"
    assert same_topic(a, b) and not compatible(a, b)
    c = one("There is no limit on sick leave.")
    assert compatible(b, c)


def test_monthly_date_rules():
    a = one("Salary is credited on the 15th of each month.")
    b = one("Salary is credited on the first Monday after month end.")
    assert a.attribute == b.attribute == "monthly_date"
    assert a.date == "day 15 of the month" and b.date == "first monday after month end"
    assert same_topic(a, b) and not compatible(a, b)
    c = one("Salary comes on the 15th of every month.")
    assert compatible(a, c)


def test_yes_no_polarity_is_about_the_question():
    a = one("No, working from abroad is not allowed.", question="Can I work from abroad?")
    b = one("Yes, you may work from abroad for 20 days a year.", question="Is working from abroad allowed?",
            attribute="polarity")
    assert a.polarity is False and b.polarity is True
    assert same_topic(a, b) and not compatible(a, b)
    # an allowed/forbidden phrase next to a quantity is phrasing, not a polarity claim
    assert all(c.attribute != "polarity" for c in extract_claims("You cannot take more than 5 days of leave."))


def test_different_subjects_and_periods_are_not_compared():
    a = one("Probation is 6 months.")
    b = one("The notice period is 30 days.")
    assert not same_topic(a, b)
    c = one("You accrue 1 day of earned leave per month.")
    d = one("You get 18 days of earned leave per year.")
    assert not same_topic(c, d)
    e = one("Casual leave is 8 days a year.")
    f = one("Annual leave is 20 days a year.")
    assert not same_topic(e, f)


def test_same_value_in_other_words_is_compatible():
    a = one("Maternity leave is 26 weeks.")
    b = one("Maternity leave is six months.")
    assert same_topic(a, b) and compatible(a, b)
    c = one("The meal allowance is INR 1,500 per month.")
    d = one("The meal allowance is Rs. 1500 per month.")
    assert same_topic(c, d) and compatible(c, d)


def test_scope_of_and_subject_terms(vocab):
    assert scope_of("for interns in the Lisbon office") == {"office": "lisbon", "employee_type": "intern"}
    assert scope_of("Can you help us?") == {}
    assert subject_terms("PL quota", vocab) == subject_terms("privilege leave", vocab)


def test_bad_input():
    assert extract_claims("") == [] and extract_claims(None) == []
    assert isinstance(extract_claims("x" * 300_000), list)
    assert extract_claims("See ticket 48213.") == []
    assert isinstance(Claim(subject="a", attribute="duration", value=(1.0, 1.0)), Claim)
