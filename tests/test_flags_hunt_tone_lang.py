"""Bug found in the tone check: answers in scripts other than Latin were counted as a few words
("a curt one-liner (3 words)") because only Latin letters made words."""

from __future__ import annotations

import pytest

from engine.flags.base import DetectContext, PairText
from engine.flags.tone import detect, measure

from test_tone import house

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
