"""Tone: rules with concrete reasons, the house style learned from the workspace's own answers,
small data, bad input, and the F1 target on the bundled sample."""

from __future__ import annotations

import random

import pytest

from engine.flags.base import DetectContext, PairText
from engine.flags.tone import detect, House, judge, measure

_OPEN = [
    "You can apply for this in Workday under Time Off.",
    "Please raise the request through the IT portal and choose the right category.",
    "Your manager approves the request, and Payroll processes it in the next cycle.",
    "The VPN client is installed on every company laptop.",
    "Reimbursements are paid with the monthly salary.",
    "The policy allows up to 12 days of earned leave each year.",
    "Open the self-service portal and select Reset Password.",
    "The form needs your manager's approval before it reaches HR.",
]
_MIDDLE = [
    "It usually takes two working days to be approved.",
    "If the option is greyed out, sign out and sign in again.",
    "Keep the receipt, because the finance team may ask for it during the audit.",
    "You will get an email confirmation once it is done.",
    "The balance shown already accounts for leave you have booked.",
    "Make sure the laptop is connected to the office network or the VPN.",
    "Requests raised after the 20th are paid in the following month.",
    "The new password must have at least 12 characters.",
]
_CLOSE = [
    "Let us know through the portal if anything is unclear.",
    "You can check the status of the request at any time in the portal.",
    "The full policy is on the intranet under HR Policies.",
    "If it still fails, raise a ticket with the error message and a screenshot.",
]


def house(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(_OPEN)] + rng.sample(_MIDDLE, rng.randint(1, 3)) + [rng.choice(_CLOSE)]
        out.append(" ".join(parts))
    return out


BAD = {
    "shorthand": "pls chk the settings, u shd see thr option to reset it.",
    "slang": "yeah np mate, sorted. gonna work now",
    "caps": "You MUST NOT share your password. DO NOT DO THIS AGAIN.",
    "rude": "Obviously you need to read the policy before asking. As I already said, it is on the intranet.",
    "emoji": "Your leave is approved 👍 enjoy the break 🎉",
    "curt": "Approved.",
}


def run(answers, **kw):
    items = [PairText(i, "question?", a, **kw) for i, a in enumerate(answers)]
    return {f.pair_ids[0]: f for f in detect(items, DetectContext())}


def test_rules_flag_the_bad_and_leave_the_house_alone():
    clean = house(80)
    answers = clean + list(BAD.values())
    flags = run(answers)
    bad_ids = set(range(len(clean), len(answers)))
    assert set(flags) == bad_ids, {i: flags[i].explanation for i in set(flags) - bad_ids}
    by_name = dict(zip(BAD, range(len(clean), len(answers))))
    assert "shorthand: pls, chk, u, shd" in flags[by_name["shorthand"]].explanation
    assert "slang: yeah, np, mate" in flags[by_name["slang"]].explanation
    assert "ALL CAPS" in flags[by_name["caps"]].explanation
    assert "rude" in flags[by_name["rude"]].explanation and flags[by_name["rude"]].severity == "medium"
    assert "emoji" in flags[by_name["emoji"]].explanation
    assert "curt one-liner (1 word; answers here usually run" in flags[by_name["curt"]].explanation
    for i, f in flags.items():
        assert f.kind == "tone" and f.explanation.startswith("Tone: ")
        for s in f.spans:
            assert s.field == "response" and answers[i][s.start:s.end].strip()
    spans = {answers[by_name["shorthand"]][s.start:s.end] for s in flags[by_name["shorthand"]].spans}
    assert {"pls", "chk", "u", "shd", "thr"} <= spans


def test_house_words_and_acronyms_are_learned():
    # this house writes "FYI" and "ASAP" and uses acronyms in capitals: that is its style
    clean = [a + " FYI: the SSO portal and the VPN ASAP." for a in house(40)] + house(40, seed=2)
    flags = run(clean)
    assert flags == {}, [f.explanation for f in flags.values()]
    # the same words in a house that never uses them are shorthand (with more than one)
    st = measure("FYI the portal is down, fix ASAP")
    reasons, _, strength = judge(st, House(), False)
    assert strength >= 2 and any("shorthand" in r for r in reasons)


def test_small_data_uses_rules_only():
    assert run([]) == {}
    one = run(["yeah np mate"])
    assert list(one) == [0] and one[0].details["learned_from"] == 0
    two = run(["Please open Workday and choose Time Off, then submit the request.", "DO NOT share it!!"])
    assert list(two) == [1]


def test_learns_from_approved_once_there_are_enough():
    approved = [PairText(i, "q", a, status="approved") for i, a in enumerate(house(200))]
    others = [PairText(1000 + i, "q", a) for i, a in enumerate(house(30, seed=5))]
    flags = detect(approved + others + [PairText(5000, "q", "yeah np mate")], DetectContext())
    assert [f.pair_ids for f in flags] == [[5000]]
    assert flags[0].details["learned_from"] == 200


def test_focus_pairs_are_judged_against_the_whole_house():
    answers = house(60) + ["Approved.", "yeah np mate"]
    items = [PairText(i, "q", a) for i, a in enumerate(answers)]
    flags = detect(items, DetectContext(settings={"focus_pair_ids": [60, 5]}))
    assert [f.pair_ids for f in flags] == [[60]]
    assert "answers here usually run" in flags[0].explanation  # learned from all 62, not from 2
    alone = detect([items[60]], DetectContext())  # on its own: rules only, no house to compare with
    assert alone[0].details["learned_from"] == 0 and "usually run" not in alone[0].explanation


def test_greeting_rule_only_where_the_house_greets():
    greeted = ["Hi, " + a + "\nRegards" for a in house(40)]
    flags = run(greeted + ["Open Workday and choose Time Off to see your balance and history of leave."])
    assert list(flags) == [40]
    assert "no greeting" in flags[40].explanation
    # the drafted text has no greetings: nothing is missing
    assert run(house(40)) == {}


def test_placeholders_and_bad_input():
    clean = house(30)
    answers = clean + ["[NAME_1], your [EMPLOYEE_ID_2] record is updated in Workday and the payslip follows.",
                       "", "x" * 1_000_000, "Ihr Antrag wurde genehmigt. Bitte prüfen Sie Workday.",
                       "申请已批准，请在系统中查看。"]
    flags = run(answers)
    assert 30 not in flags and 31 not in flags  # placeholders are not ALL CAPS; empty is not flagged


@pytest.mark.slow
def test_speed_sanity_10k():
    # no timing assert (CPU is shared): this just runs the 10k path once
    answers = house(9990) + list(BAD.values()) * 2 + ["ok"] * 2
    flags = run(answers)
    assert set(BAD.values()) <= {answers[i] for i in flags}


def test_sample_f1():
    from tests.sample_detectors import detector_f1, load_sample

    sample = load_sample()
    score = detector_f1(sample, "tone")
    assert score["f1"] >= 0.8, score


# --- Bugs found in the tone check: polite, neutral answers flagged as rude. ---
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


# --- Bug found in the tone check: answers in scripts other than Latin were counted as a few words ---
LONG_ANSWERS = [
    "आप Workday में Time Off सेक्शन में छुट्टी के लिए आवेदन कर सकते हैं। आपके मैनेजर इसे मंज़ूरी देंगे और आपको दो "
    "कार्यदिवसों में ईमेल से पुष्टि मिलेगी। अगर विकल्प दिखाई न दे, तो साइन आउट करके फिर से साइन इन करें।",
    "Workday の Time Off から休暇を申請できます。上長が承認すると、2 営業日以内に確認メールが届きます。"
    "オプションが表示されない場合は、一度サインアウトしてから再度サインインしてください。",
    "您可以在 Workday 的 Time Off 中申请休假。经理批准后，您将在两个工作日内收到确认邮件。如果看不到该选项，请先退出再重新登录。",
    "يمكنك طلب الإجازة من Workday ضمن قسم Time Off. يوافق مديرك على الطلب وستصلك رسالة تأكيد خلال يومي عمل. "
    "إذا لم يظهر الخيار، سجّل الخروج ثم سجّل الدخول مرة أخرى.",
    "Вы можете подать заявку на отпуск в Workday в разделе Time Off. Руководитель одобрит её, и вы получите письмо "
    "с подтверждением в течение двух рабочих дней.",
]


@pytest.mark.parametrize("answer", LONG_ANSWERS)
def test_non_latin_answers_are_counted_in_words(answer):
    assert measure(answer).words >= 15


@pytest.mark.parametrize("answer", LONG_ANSWERS)
def test_non_latin_answers_are_not_curt(answer):
    items = [PairText(i, "question?", a) for i, a in enumerate(house(60) + [answer])]
    flags = {f.pair_ids[0]: f for f in detect(items, DetectContext())}
    assert 60 not in flags or "curt" not in flags[60].explanation and "shorter" not in flags[60].explanation


def test_english_word_count_unchanged():
    assert measure("Please restart the laptop and try again.").words == 7


def test_second_set_target():
    """F1 >= 0.9 on the second evaluation set (tests/data/privacy_context): another organisation's
    answers, the house style learned from them."""
    from privacy_context_set import flag_scores, load_set

    s = flag_scores(load_set(), "tone")
    assert s["f1"] >= 0.9, (s["missed"], s["false_positives"])
