"""The claims-based judge: the hard cases of a helpdesk answer, its reasons, the invented-fact
index, and its agreement with the hand-labelled verdict sets in tests/data/judge_verdicts/."""

import json
import os
from pathlib import Path

import pytest

from engine.evaluate.hallucination import FactIndex
from engine.evaluate.judge import (
    CATEGORIES,
    SIMILARITY_THRESHOLD,
    Knowledge,
    agreement,
    cosine_pairs,
    judge_answer,
    judge_rows,
    rouge_l,
    token_f1,
)

SETS = Path(__file__).resolve().parents[1] / "data" / "judge_verdicts"

REF = "Employees get 12 days of paid sick leave per year. Request it in the HR Portal and tell your manager the same day."
PARAPHRASE = ("You are entitled to 12 days of paid sick leave each year; book them through the HR Portal "
              "and let your manager know on the day.")
WRONG_NUMBER = "Employees get 30 days of paid sick leave per year. Request it in the HR Portal and tell your manager the same day."
INVENTED = ("Employees get 12 days of paid sick leave per year plus a $750 wellness allowance. "
            "Request it in the HR Portal.")
YES_REF = "Yes, you can carry over up to 5 days of annual leave into the next year."
NEGATED = "No, you cannot carry over annual leave into the next year, not even 5 days."
Q_CARRY = "Can I carry over annual leave?"


def _read(name):
    return [json.loads(line) for line in (SETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the cases the old judge got wrong (issue: it matched a bag of values) ---------------------
def test_swapped_values_are_wrong():
    ref = "Submit the claim within 5 days of the trip; you are reimbursed within 30 days of approval."
    v = judge_answer("Submit the claim within 30 days of the trip; you are reimbursed within 5 days of approval.", ref,
                     question="What are the expense deadlines?")
    assert not v.correct and v.category == "wrong"
    assert ("30 days", "5 days") in v.contradictions and ("5 days", "30 days") in v.contradictions
    assert "says 30 days where the reference says 5 days" in v.reason


def test_right_number_wrong_period_or_unit_is_wrong():
    v = judge_answer("You get 12 days per month.", "You get 12 days per year.", question="How much leave do I get?")
    assert not v.correct and "12 days per month where the reference says 12 days per year" in v.reason
    v = judge_answer("The rate is 45p per kilometre.", "The rate is 45p per mile.", question="What is the mileage rate?")
    assert not v.correct and "per km" in v.reason
    v = judge_answer("Passwords expire every 90 weeks.", "Passwords expire every 90 days.")
    assert not v.correct


def test_negations_and_a_missing_or_opposite_yes_no():
    q = "Do I need manager approval to work from home?"
    ref = "Yes, you need your manager's approval to work from home."
    v = judge_answer("You don't need manager approval to work from home.", ref, question=q)
    assert not v.correct and "says no where the reference says yes" in v.reason
    v = judge_answer("Part-time staff do not get overtime pay.", "Yes, they are paid overtime.",
                     question="Are part-time staff paid overtime?")
    assert not v.correct and v.category == "wrong"
    v = judge_answer("Overtime requests go to Payroll.", "Yes, they are paid overtime.",
                     question="Are part-time staff paid overtime?")
    assert not v.correct and v.category == "partially correct" and "does not say yes" in v.reason
    v = judge_answer(NEGATED, YES_REF, question=Q_CARRY)
    assert not v.correct and "says no where the reference says yes" in v.reason
    # an opposite clause without any yes/no: "open" against "closed"
    v = judge_answer("It closes at 8 pm on weekdays and it is open on Sundays.",
                     "It closes at 8 pm on weekdays. It is closed on Sundays.", question="When does it close?")
    assert not v.correct and "states the opposite" in v.reason


def test_paraphrases_numbers_in_words_and_date_forms_are_right():
    assert judge_answer(PARAPHRASE, REF).correct
    v = judge_answer("Twenty-seven days a year, and a fortnight of paternity leave.",
                     "You get 27 days a year, and 2 weeks of paternity leave.", question="What leave do I get?")
    assert v.correct, v.reason
    v = judge_answer("Yes, if your manager agrees by the end of March.",
                     "Yes, as long as your manager agrees before 31 March.", question="Can I carry over leave?")
    assert v.correct, v.reason
    v = judge_answer("The desk is open 08:00 to 18:00 on weekdays.", "The desk is open 8 am to 6 pm, Monday to Friday.")
    assert v.correct, v.reason
    v = judge_answer("The desk is open 8 am to 6 pm, Monday to Saturday.", "The desk is open 8 am to 6 pm, Monday to Friday.")
    assert not v.correct


def test_extra_true_details_named_policy_and_omitted_ticket_are_right():
    q = "Do I get 25 days of annual leave?"
    ref = "Yes, you get 25 days of annual leave per year. See ticket HR-20412."
    known = Knowledge.from_texts(["The Annual Leave Policy is on the intranet.",
                                  "Book leave in StaffHub at least 2 weeks ahead."])
    assert judge_answer("Yes, you get 25 days of annual leave per year.", ref, question=q).correct  # no ticket number
    v = judge_answer("Yes, you get 25 days of annual leave per year, as set out in the Annual Leave Policy.", ref,
                     question=q, knowledge=known)
    assert v.correct, v.reason
    v = judge_answer("Yes, 25 days per year. Book leave in StaffHub at least 2 weeks ahead.", ref, question=q,
                     knowledge=known)
    assert v.correct and "2 weeks" in v.extra, v.reason
    # the same extra detail when nothing approved says it: invented
    v = judge_answer("Yes, 25 days per year. Book leave in StaffHub at least 2 weeks ahead.", ref, question=q)
    assert not v.correct and v.category == "invented fact" and "2 weeks" in v.reason


def test_a_detail_the_question_did_not_ask_about_is_not_required():
    ref = "New staff start on 27 days of annual leave a year. This rises to 32 days after five years of service."
    assert judge_answer("New starters get 27 days a year.", ref, question="How much annual leave do new staff get?").correct
    # ...but the first fact is
    v = judge_answer("It rises to 32 days after five years.", ref, question="How much annual leave do new staff get?")
    assert not v.correct and "leaves out 27 days" in v.reason


def test_missing_condition_and_refusal():
    ref = "Yes, you can read work email on your own phone, but only through the Outlook app."
    v = judge_answer("Yes, you can read work email on your own phone.", ref, question="Can I use my phone for work email?")
    assert v.category == "partially correct" and "leaves out the condition" in v.reason and "Outlook" in v.reason
    v = judge_answer("I'm not sure, please ask the IT team.", ref, question="Can I use my phone for work email?")
    assert v.category == "refused" and not v.correct


def test_wrong_number_invented_fact_and_reasons():
    v = judge_answer(WRONG_NUMBER, REF)
    assert not v.correct and v.contradictions == [("30 days per year", "12 days per year")]
    v = judge_answer(INVENTED, REF)
    assert not v.correct and v.category == "invented fact" and "$750" in v.reason
    assert judge_answer("", REF).reason == "no answer"
    v = judge_answer(REF, REF)
    assert v.correct and v.reason.startswith("correct") and v.rouge_l == pytest.approx(1.0)
    assert v.category in CATEGORIES and set(v.to_dict()) >= {"correct", "category", "reason", "missing"}


def test_invented_facts_index():
    index = FactIndex.from_texts(["Claims must be filed within 30 days.", "The HR Portal is open 24/7."])
    assert [f.text for f in index.invented(INVENTED, REF)] == ["$750"]
    index.add("The home office allowance is $750 per year.")
    assert index.invented(INVENTED, REF) == []  # in the training data: wrong here, not invented
    assert index.invented(WRONG_NUMBER, REF) == []  # a mix-up with the claims deadline
    assert [f.text for f in FactIndex.from_texts([]).invented(WRONG_NUMBER, REF)] == ["30 days"]


def test_a_figure_repeated_from_the_question_is_not_invented():
    q = "I have 3 days of annual leave left. Can I carry them over into next year?"
    ans = "Yes, you can carry over your 3 days; up to 5 days of annual leave can go into the next year."
    assert not judge_answer(ans, YES_REF).correct
    assert judge_answer(ans, YES_REF, question=q).correct
    assert FactIndex.from_texts([]).invented(ans, YES_REF, question=q) == []
    q2 = "Is the sick leave allowance 30 days a year?"
    ref2 = "No, employees get 12 days of paid sick leave per year."
    assert not judge_answer("Yes, you get 30 days of paid sick leave per year.", ref2, question=q2).correct


def test_times_and_numeric_dates():
    ref = "The IT desk is staffed from 8:00 to 17:00 on weekdays."
    assert judge_answer("The IT desk is staffed from 8 am to 5 pm on weekdays.", ref).correct
    bad = judge_answer("The IT desk is staffed from 9:00 to 17:00 on weekdays.", ref)
    assert not bad.correct and "9:00" in bad.reason
    assert judge_answer("Submit the form by 31 December 2026.", "Submit the form by 31/12/2026.").correct


def test_meaning_decides_references_without_claims():
    ref = "Open the IT Portal, choose VPN, then Reset."
    off = "Restart your laptop and open a ticket with the facilities team."
    assert not judge_answer(off, ref, similarity=0.2).correct
    assert judge_answer("In the IT Portal pick VPN and press Reset.", ref, similarity=SIMILARITY_THRESHOLD + 0.05).correct
    assert not judge_answer(off, ref).correct  # no embedder: word overlap decides


def test_overlap_metrics():
    assert rouge_l("a b c d", "a x c d") == pytest.approx(0.75)
    assert token_f1("the cat sat", "the cat") == pytest.approx(0.8)


# --- measured agreement -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def judged():
    rows, fresh = _read("verdicts.jsonl"), _read("fresh.jsonl") + _read("third.jsonl")
    return rows, judge_rows(rows), fresh, judge_rows(fresh)


def test_agreement_with_the_expert_verdicts(judged):
    rows, verdicts, fresh, fresh_verdicts = judged
    assert len(rows) >= 200 and {r["verdict"] for r in rows} <= set(CATEGORIES)
    a = agreement(rows, verdicts)
    assert a["overall"] >= 0.9, a
    assert all(x["agreement"] >= 0.8 for x in a["by_kind"].values()), a["by_kind"]
    # the sets written after the judge's rules, for two other organisations
    b = agreement(fresh, fresh_verdicts)
    assert b["overall"] >= 0.9, b
    assert all(x["agreement"] >= 0.75 for x in b["by_kind"].values() if x["n"] >= 4), b["by_kind"]


# fourth.jsonl (a housing association's tenant services) was written after every rule of the judge
# and measured once (2026-12-04): 44 of 55, 0.800. These are that run's figures, kept as floors so
# that a change can only hold or raise them; they are not the 0.9 target, which this set misses.
FOURTH_MEASURED = {"overall": 44, "paraphrase": 9, "numbers_dates_reworded": 3, "omits_incidental": 3,
                   "extra_detail": 3, "wrong_value": 9, "swapped_values": 3, "wrong_unit_period": 4,
                   "polarity_flip": 4, "missing_yes_no": 3, "invented_fact": 1, "missing_condition": 1,
                   "refusal": 1}


# fifth.jsonl (a university's student finance office) was written after the rules that the fourth
# set led to, before the judge was run on it, and measured once (2026-12-04): 53 of 68, 0.779.
# That run's figures are floors, as the fourth's are; they are not the 0.9 target, which it misses.
FIFTH_MEASURED = {"overall": 53, "paraphrase": 10, "swapped_values": 3, "numbers_dates_reworded": 3,
                  "omits_incidental": 4, "wrong_value": 7, "wrong_unit_period": 5, "invented_fact": 2,
                  "polarity_flip": 7, "missing_yes_no": 4, "missing_condition": 4, "refusal": 1, "extra_detail": 3}


@pytest.mark.parametrize("name,measured", [("fourth.jsonl", FOURTH_MEASURED), ("fifth.jsonl", FIFTH_MEASURED)])
def test_agreement_on_the_sets_measured_once_holds_their_first_figures(name, measured):
    rows = _read(name)
    assert len(rows) >= 40 and {r["verdict"] for r in rows} <= set(CATEGORIES)
    verdicts = judge_rows(rows)
    agree = [bool(v.correct) == bool(r["correct"]) for r, v in zip(rows, verdicts)]
    assert sum(agree) >= measured["overall"], sum(agree)
    by_kind = {}
    for r, ok in zip(rows, agree):
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + ok
    assert set(by_kind) == set(measured) - {"overall"}
    assert all(by_kind[k] >= measured[k] for k in by_kind), by_kind


def test_the_judge_is_not_a_constant(judged):
    """Both verdicts occur and follow the labels (a judge that always says 'correct' would fail)."""
    rows, vs, _f, _fv = judged
    right = [v.correct for v, r in zip(vs, rows) if r["correct"]]
    wrong = [v.correct for v, r in zip(vs, rows) if not r["correct"]]
    assert sum(right) / len(right) >= 0.9 and sum(wrong) / len(wrong) <= 0.1


@pytest.fixture(scope="module")
def embed():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.evaluate.judge import load_embedder

    return load_embedder()


def test_with_real_embeddings(embed):
    sim_para = cosine_pairs(embed, [PARAPHRASE], [REF])[0]
    assert judge_answer(PARAPHRASE, REF, similarity=sim_para).correct
    sim_wrong = cosine_pairs(embed, [WRONG_NUMBER], [REF])[0]
    assert sim_wrong >= SIMILARITY_THRESHOLD  # near-identical wording: the claims catch it
    assert not judge_answer(WRONG_NUMBER, REF, similarity=sim_wrong).correct


def test_the_claims_index_reading_limits_and_scopes():
    """engine.flags.claims gives each value its limit ("up to" / "at least") and scope ("during
    probation"): the judge pairs by scope and compares limits."""
    v = judge_answer("You can take at least 10 days.", "You can take up to 10 days.", question="How many days can I take?")
    assert not v.correct and "says at least 10 days where the reference says up to 10 days" in v.reason
    ref = "The notice period is one month during probation and three months after probation."
    v = judge_answer("The notice period is three months during probation and one month after probation.", ref)
    assert not v.correct and len(v.contradictions) == 2
    assert judge_answer("A month while on probation, three months after it.", ref).correct
    v = judge_answer("Sick leave is unlimited.", "You get 12 days of sick leave per year.",
                     question="How much sick leave do I get?")
    assert not v.correct and "unlimited" in v.reason


# --- idiomatic paraphrases: everyday words for the reference's values, and their wrong twins ---
IDIOMS = [  # (question, reference, answer, the expert's correct)
    ("How often are bins emptied?", "General waste is collected every 2 weeks, on Thursdays.",
     "General waste goes fortnightly, on a Thursday.", True),
    ("How often are bins emptied?", "General waste is collected every 2 weeks, on Thursdays.",
     "It's collected every other week, on Thursdays.", True),
    ("How often are bins emptied?", "General waste is collected every 2 weeks, on Thursdays.",
     "General waste is collected weekly on Thursdays.", False),
    ("How often is the team meeting?", "The team meeting is held once a week.", "The team meets weekly.", True),
    ("How often is the team meeting?", "The team meeting is held once a week.", "The team meets once a month.", False),
    ("When are salaries reviewed?", "Salaries are reviewed every 12 months.", "Once a year.", True),
    ("When are salaries reviewed?", "Salaries are reviewed every 12 months.", "Twice a year.", False),
    ("Can I smoke on site?", "Smoking is not allowed anywhere on council premises.",
     "No, you can't smoke anywhere on council premises.", True),
    ("Can I bring my dog to the office?", "No, dogs are not permitted in council offices, except assistance dogs.",
     "You can't, unless it's an assistance dog.", True),
    ("Can I bring a guest?", "No, guests are not allowed in the staff gym.",
     "Afraid not, guests aren't allowed in the staff gym.", True),
    ("Can I bring a guest?", "No, guests are not allowed in the staff gym.", "Feel free to bring a guest.", False),
    ("Can I bring a guest?", "Yes, members can bring one guest per visit, and guests must sign in at reception.",
     "Feel free to bring one guest each visit, as long as they sign in at reception.", True),
    ("When does the new rate start?", "The new rate starts on 1 April.", "It starts on the first of April.", True),
    ("When is the office closed?", "The office is closed from 24 December to 2 January.",
     "It shuts from Christmas Eve until 2 January.", True),
    ("When does the canteen open?", "The canteen opens at 12:00 and closes at 14:00.",
     "It opens at midday and shuts at two in the afternoon.", True),
    ("When does the canteen open?", "The canteen opens at 12:00 and closes at 14:00.",
     "It opens at midnight and shuts at 2 pm.", False),
    ("When does the library open?", "The library opens at 9:30 am.", "At half past nine in the morning.", True),
    ("When does the library open?", "The library opens at 9:30 am.", "The library opens at 10.30am.", False),
    ("When is the desk staffed?", "The desk is staffed Monday to Friday, 9 am to 5 pm.", "Mon-Fri, nine to five.", True),
    ("When is the desk staffed?", "The desk is staffed Monday to Friday, 9 am to 5 pm.", "Mon-Sat, 9 am to 5 pm.", False),
    ("How much is the grant?", "The grant is £1,000 per household.", "Each household gets a thousand pounds.", True),
    ("What discount do staff get?", "Staff get a 25% discount at the leisure centre.", "A quarter off.", True),
    ("What discount do staff get?", "Staff get a 25% discount at the leisure centre.", "A third off.", False),
    ("How long is the course?", "The course lasts 90 minutes.", "It lasts an hour and a half.", True),
    ("How long is the contract?", "The contract runs for 18 months.", "It runs for a year and a half.", True),
    ("What does it cost?", "It costs 50p.", "It costs fifty pence.", True),
    ("How fast is the refund?", "Refunds are paid within 10 working days.", "Within two working weeks.", True),
    ("When is payday?", "Pay day is the 15th of each month.", "You're paid mid-month, on the fifteenth.", True),
    ("When is payday?", "Pay day is the 15th of each month.", "You're paid on the 25th of each month.", False),
]


@pytest.mark.parametrize("question,reference,answer,expected", IDIOMS, ids=[f"idiom{i}" for i in range(len(IDIOMS))])
def test_idiomatic_paraphrases_and_their_wrong_twins(question, reference, answer, expected):
    v = judge_answer(answer, reference, question=question)
    assert v.correct is expected, v.reason


def test_an_each_year_that_qualifies_a_value_is_neither_required_nor_invented():
    ref = "Your P60 is published in StaffHub under Pay by 31 May each year."
    assert judge_answer("It's in StaffHub under Pay by 31 May.", ref, question="How do I get my P60?").correct
    assert judge_answer("Each year StaffHub has it under Pay by 31 May.", ref, question="How do I get my P60?").correct
    v = judge_answer("Each year StaffHub has it under Pay by 30 June.", ref, question="How do I get my P60?")
    assert not v.correct and "30 June" in v.reason


# --- general forms the fourth set showed missing (probes written in other words and domains) ---
GENERAL = [  # (question, reference, answer, the expert's correct)
    # a "no" + noun naming an example of a list is no denial
    ("Which faults are urgent?", "Urgent faults, such as a burst pipe, a power cut or no hot water, are fixed within 24 hours.",
     "If it's urgent, like a burst pipe, losing power or having no hot water, we fix it within a day.", True),
    ("Which faults are urgent?", "Urgent faults, such as a burst pipe, a power cut or no hot water, are fixed within 24 hours.",
     "Urgent faults, like a burst pipe or no hot water, are fixed within 48 hours.", False),
    # "only for X" widened by "for Y too"
    ("What is the quiet room for?", "The quiet room is only for prayer and meditation; meetings go in the seminar rooms.",
     "It's for prayer and meditation only; book a seminar room for meetings.", True),
    ("What is the quiet room for?", "The quiet room is only for prayer and meditation; meetings go in the seminar rooms.",
     "The quiet room is for prayer and meditation, and you can hold small meetings there too.", False),
    # amounts in words with euro and cent
    ("How much is an adult fare?", "An adult fare costs €4.80.", "Four euro eighty.", True),
    ("How much is an adult fare?", "An adult fare costs €4.80.", "It's four euros and eighty cents.", True),
    ("How much is an adult fare?", "An adult fare costs €4.80.", "Five euro eighty for the day.", False),
    ("How much is a coffee?", "A coffee is €0.90.", "Ninety cents.", True),
    # a weekday with how often
    ("When does the choir rehearse?", "The choir rehearses every other Wednesday and the band every Monday.",
     "The choir meets fortnightly on a Wednesday, and the band weekly on Mondays.", True),
    ("When does the choir rehearse?", "The choir rehearses every other Wednesday and the band every Monday.",
     "The choir rehearses every Wednesday and the band every Monday.", False),
    ("When does the choir rehearse?", "The choir rehearses every other Wednesday and the band every Monday.",
     "The choir rehearses every Monday and the band every other Wednesday.", False),
    ("When is the market on?", "The market is held every Saturday.", "On Saturdays.", True),
    # a condition of a later sentence, when the answer restates the clause it limits
    ("Do I pay for parking?", "No, staff parking is free. Visitors pay at the machine, except blue badge holders, who park free.",
     "No, staff park for free; visitors pay at the machine.", False),
    ("Do I pay for parking?", "No, staff parking is free. Visitors pay at the machine, except blue badge holders, who park free.",
     "No, it's free for staff. Visitors pay at the machine unless they hold a blue badge.", True),
    # an invented benefit beside a right value
    ("How much is the gym?", "Gym membership costs £20 a month.", "It's £20 a month and includes free classes.", False),
    ("How much is the gym?", "Gym membership costs £20 a month.", "It costs £20 each month.", True),
    # a later sentence's day is not what "how long" asks for
    ("How long is the loan period?", "Books are lent for 3 weeks. Returns made after the loan must be on a weekday.",
     "You can keep books for 3 weeks.", True),
    ("How long is the loan period?", "Books are lent for 3 weeks. Returns made after the loan must be on a weekday.",
     "You can keep books for 4 weeks.", False),
]


GENERAL += [  # forms the fifth set showed missing (after its one measurement), in other words
    ("How big is the deposit?", "The deposit is £300.", "Three hundred pounds.", True),
    ("How big is the deposit?", "The deposit is £300.", "Four hundred pounds.", False),
    ("How big is the award?", "The award is up to £2,500.", "As much as twenty-five hundred pounds.", True),
    ("What share is covered?", "We cover 75% of the cost.", "Three quarters of what it costs.", True),
    ("What share is covered?", "We cover 75% of the cost.", "Two thirds of what it costs.", False),
    ("When is the helpline open?", "The helpline is open from 10 am to 3 pm.", "From ten till three.", True),
    ("When is the helpline open?", "The helpline is open from 10 am to 3 pm.", "From ten till five.", False),
    ("Who do I write to?", "Write to permits@example.org with your plate number.",
     "Email permits@example.org and give your plate number.", True),
    ("Who do I write to?", "Write to permits@example.org with your plate number.",
     "Email parking@example.org and give your plate number.", False),
    ("Is the pass renewed automatically?", "Yes, the pass renews each year while you live in the zone.",
     "Yes, it renews itself as long as you still live in the zone.", True),
    ("Can I use the locker for food?", "No, lockers are only for coats, bags and helmets; food goes in the kitchen.",
     "Lockers take coats, bags and helmets, and you can keep food in them too.", False),
]


@pytest.mark.parametrize("question,reference,answer,expected", GENERAL, ids=[f"general{i}" for i in range(len(GENERAL))])
def test_general_forms_and_their_wrong_twins(question, reference, answer, expected):
    v = judge_answer(answer, reference, question=question)
    assert v.correct is expected, v.reason
