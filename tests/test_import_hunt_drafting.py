"""Bug hunt: drafting emails written in other languages (quoted replies, Outlook headers)."""

from __future__ import annotations

import pytest

from engine.ingest.drafting import draft_answer, draft_question


@pytest.mark.parametrize("header", [
    "Le lun. 3 mars 2025 à 10:02, RH <rh@x.fr> a écrit :",
    "Am 03.03.2025 um 10:02 schrieb HR <hr@x.de>:",
    "El lun, 3 mar 2025 a las 10:02, RRHH (<rrhh@x.es>) escribió:",
    "Il giorno lun 3 mar 2025 alle ore 10:02 HR <hr@x.it> ha scritto:",
    "Op ma 3 mrt 2025 om 10:02 schreef HR <hr@x.nl>:",
])
def test_quoted_reply_header_in_other_languages_is_cut(header):
    text = f"Wie viele Urlaubstage habe ich noch?\n\n{header}\n> Hallo,\n> bitte melden Sie sich.\n"
    assert draft_question(text) == "Wie viele Urlaubstage habe ich noch?"


@pytest.mark.parametrize("block", [
    "Von: HR <hr@x.de>\nGesendet: Montag, 3. März 2025 10:02\nAn: Ich\nBetreff: Urlaub\n\nBitte melden.",
    "De : RH <rh@x.fr>\nEnvoyé : lundi 3 mars 2025 10:02\nÀ : Moi\nObjet : Congés\n\nMerci de confirmer.",
    "De: RRHH <rrhh@x.es>\nEnviado: lunes, 3 de marzo de 2025 10:02\nPara: Yo\nAsunto: Vacaciones\n\nConfirme.",
    "-----Ursprüngliche Nachricht-----\nVon: HR\nBitte melden.",
    "-----Message d'origine-----\nDe : RH\nMerci.",
    "-----Mensaje original-----\nDe: RRHH\nGracias.",
])
def test_outlook_headers_in_other_languages_are_cut(block):
    text = f"Sie haben noch 12 Tage.\n\n{block}\n"
    assert draft_answer(text) == "Sie haben noch 12 Tage."


def test_a_line_mentioning_writing_is_not_a_quote_header():
    text = "Am Montag schrieb ich dem Team: bitte den Drucker prüfen.\nDanach ging es wieder."
    assert draft_answer(text) == text


@pytest.mark.parametrize("raw, expected", [
    ("Bonjour,\n\nElle est dans le portail RH, rubrique Documents.\n\nCordialement,\nService RH",
     "Elle est dans le portail RH, rubrique Documents."),
    ("Bonjour, elle est dans le portail RH.\n\nBien cordialement,\nMarie Dupont\nRH",
     "Elle est dans le portail RH."),
    ("Hallo Anna,\n\nSie haben noch 12 Tage.\n\nMit freundlichen Grüßen\nPersonalabteilung",
     "Sie haben noch 12 Tage."),
    ("Sehr geehrte Frau Weber,\n\nDer Antrag ist genehmigt.\n\nViele Grüße\nHR",
     "Der Antrag ist genehmigt."),
    ("Hola,\n\nLe quedan 12 días.\n\nSaludos,\nRRHH", "Le quedan 12 días."),
    ("Buenos días Juan,\n\nYa está resuelto.\n\nUn saludo\nSoporte TI", "Ya está resuelto."),
    ("Ciao,\n\nIl badge è pronto in reception.\n\nCordiali saluti\nUfficio HR", "Il badge è pronto in reception."),
    ("Hoi Jan,\n\nJe laptop is klaar.\n\nMet vriendelijke groet,\nIT", "Je laptop is klaar."),
])
def test_greetings_and_closings_in_other_languages_are_stripped(raw, expected):
    assert draft_answer(raw) == expected


def test_foreign_thanks_alone_is_content():
    assert draft_answer("Merci !") == "Merci !"
    assert draft_answer("Danke") == "Danke"


def test_html_email_document_drops_head_style_and_script():
    raw = ("<html><head><meta charset='utf-8'><title>Re: VPN</title><style>p {color:red;} .x{font-size:12px}</style>"
           "<script>var a = 1;</script></head><body><!-- tracking --><p>Hi John,</p>"
           "<p>Please reinstall the VPN client.</p>"
           "<div class=\"gmail_quote\"><div>On Mon, 3 Mar 2025 at 10:02, John &lt;john@x.com&gt; wrote:<br></div>"
           "<blockquote>My VPN fails</blockquote></div></body></html>")
    assert draft_answer(raw) == "Please reinstall the VPN client."


def test_html_table_cells_stay_apart():
    raw = "<p>Allowances:</p><table><tr><th>Plan</th><th>Days</th></tr><tr><td>Basic</td><td>25</td></tr></table>"
    out = draft_answer(raw)
    assert "Basic25" not in out and "PlanDays" not in out
    assert "Basic" in out and "25" in out


def test_closing_with_an_emoji_is_a_signature():
    assert draft_answer("Hi 👋\n\nThe printer is fixed.\n\nCheers 🍻\nBob") == "The printer is fixed."


@pytest.mark.parametrize("footer", [
    "Von meinem iPhone gesendet", "Envoyé de mon iPhone", "Enviado desde mi iPhone", "Inviato da iPhone",
    "Verzonden vanaf mijn iPhone", "Enviado do meu iPhone", "Skickat från min iPhone",
    "Télécharger Outlook pour Android", "Outlook für iOS beziehen",
])
def test_mobile_footers_in_other_languages_are_stripped(footer):
    assert draft_answer(f"Ja, das geht.\n\n{footer}") == "Ja, das geht."


@pytest.mark.parametrize("subject", ["TR: Congés", "WG: Congés", "RV: Congés", "RES: Congés", "ENC: Congés",
                                     "Antw: Congés", "SV: Congés", "RE : Congés"])
def test_reply_and_forward_prefixes_in_other_languages(subject):
    from engine.ingest.drafting import clean_subject

    assert clean_subject(subject) == "Congés"


def test_to_whom_it_may_concern_and_thanks_for_your_help():
    raw = "To whom it may concern,\n\nI have not received my P60.\n\nThank you for your help,\nJane Doe"
    assert draft_question(raw) == "I have not received my P60."
    raw = "Hi there,\nMy badge stopped working.\nThanks for your help!\nJane"
    assert draft_question(raw) == "My badge stopped working."
    # the thanks alone is content
    assert draft_answer("Thanks for your help!") == "Thanks for your help!"


def test_html_blockquote_reply_is_quoted_text():
    raw = '<div>Yes, you can carry over 5 days.</div><blockquote type="cite"><div>Can I carry over leave?</div></blockquote>'
    assert draft_answer(raw) == "Yes, you can carry over 5 days."
    raw = ('<p>Yes, 5 days.</p><blockquote><p>Can I carry over leave?</p><blockquote><p>older</p></blockquote>'
           '</blockquote><br>')
    assert draft_answer(raw) == "Yes, 5 days."


def test_html_blockquote_inside_the_content_stays():
    raw = "<p>The policy says:</p><blockquote>Unused days lapse on 31 March.</blockquote><p>So use them soon.</p>"
    lines = [x for x in draft_answer(raw).split("\n") if x.strip()]
    assert lines == ["The policy says:", "Unused days lapse on 31 March.", "So use them soon."]


@pytest.mark.parametrize("raw", ["<p>Reset&nbsp;your&nbsp;password&nbsp;here.</p>", "Reset&nbsp;your&nbsp;password&nbsp;here."])
def test_nbsp_entities_become_spaces(raw):
    assert draft_answer(raw) == "Reset your password here."


@pytest.mark.parametrize("raw", [
    "01/Mar/24 11:00 AM;557058:f2a1b;You get 16 weeks of paid parental leave.",
    "1/Mar/24 9:05 PM;jsmith;You get 16 weeks of paid parental leave.",
    "01/Mar/2024 11:00;557058:f2a1b-77;You get 16 weeks of paid parental leave.",
])
def test_jira_comment_column_header_is_not_part_of_the_answer(raw):
    assert draft_answer(raw) == "You get 16 weeks of paid parental leave."


def test_semicolons_in_ordinary_text_stay():
    raw = "Step 1; step 2; done."
    assert draft_answer(raw) == raw


FORWARD = ("FYI\n\n---------- Forwarded message ---------\nFrom: Jane Doe <j@x.com>\nDate: Mon, 3 Mar 2025 at 10:02\n"
           "Subject: Leave carry-over\nTo: HR <hr@x.com>\n\nHi HR,\n\nHow many days of leave can I carry over into next year?"
           "\n\nThanks,\nJane")


def test_a_forwarded_question_is_the_forwarded_message():
    assert draft_question(FORWARD, "Fwd: Leave carry-over") == "How many days of leave can I carry over into next year?"


def test_a_forward_without_a_note_drops_the_forward_headers():
    raw = FORWARD.replace("FYI\n\n", "")
    assert draft_question(raw, "Fwd: Leave") == "How many days of leave can I carry over into next year?"


def test_outlook_forward_by_subject():
    raw = ("Please see below.\n\n-----Original Message-----\nFrom: Jane\nSent: Monday\nTo: HR\nSubject: Leave\n\n"
           "How many days can I carry over?")
    assert draft_question(raw, "FW: Leave") == "Leave: How many days can I carry over?"  # short: subject in front


def test_a_short_follow_up_above_a_quoted_reply_stays_the_question():
    raw = "Still not fixed!\n\nOn Mon, 3 Mar 2025 at 10:02, IT <it@x.com> wrote:\n> Please reboot the laptop."
    assert draft_question(raw, "Re: Laptop") == "Laptop: Still not fixed!"
    # and the answer side never takes the quoted text
    assert draft_answer(FORWARD) == "FYI"


@pytest.mark.parametrize("raw", [
    "Hi Mr. Smith,\n\nYour leave is approved.",
    "Dear Dr. Patel,\n\nYour leave is approved.",
    "Dear Ms. García López,\nYour leave is approved.",
    "Hi Élodie, your leave is approved.",
])
def test_titles_and_accented_names_in_greetings(raw):
    assert draft_answer(raw) == "Your leave is approved."


@pytest.mark.parametrize("raw, expected", [
    ("Please see the screenshot:\n[cid:image001.png@01D9ABCD.12345670]\nThen click OK.",
     "Please see the screenshot:\nThen click OK."),
    ("Click Save.\n[image: image.png]\nDone.", "Click Save.\nDone."),
    ("Open the app <image002.jpg> and sign in.", "Open the app and sign in."),
    ("Click Save. [Image removed by sender.] Done.", "Click Save. Done."),
])
def test_inline_image_placeholders_are_dropped(raw, expected):
    assert draft_answer(raw) == expected


def test_brackets_that_are_content_stay():
    raw = "Set the value to [none] and the path to <home>/docs."
    assert draft_answer(raw) == raw


@pytest.mark.parametrize("subject", ["[EXTERNAL] Re: Leave", "[External] FW: Leave", "EXTERNAL: Leave",
                                     "RE: [EXT] Leave", "*EXTERNAL* Leave", "[CAUTION] Leave", "[SPAM] Leave"])
def test_mail_gateway_tags_in_subjects(subject):
    from engine.ingest.drafting import clean_subject

    assert clean_subject(subject) == "Leave"


def test_a_bracketed_subject_word_that_is_content_stays():
    from engine.ingest.drafting import clean_subject

    assert clean_subject("[HR-Help] Leave") == "[HR-Help] Leave"


@pytest.mark.parametrize("banner", [
    "CAUTION: This email originated from outside of the organization. Do not click links or open attachments "
    "unless you recognize the sender and know the content is safe.",
    "This message is from an external sender. Be cautious with links and attachments.",
    "You don't often get email from john@x.com. Learn why this is important<https://aka.ms/LearnAboutSenderIdentification>",
    "ATTENTION: This email was sent from outside the company.",
    "WARNING: This email originated outside of Northwind. Do not click links unless you trust the sender.",
])
def test_external_sender_banners_are_boilerplate(banner):
    assert draft_question(f"{banner}\n\nHi, how do I reset my password?") == "How do I reset my password?"


def test_a_question_about_external_email_stays():
    raw = "Why do some emails show that they originated from outside the organization?"
    assert draft_question(raw) == raw


@pytest.mark.parametrize("footer", [
    "This email is a service from Northwind IT Support.", "Powered by Zendesk", "Delivered by Zendesk",
    "Powered by Freshdesk Support Desk", "[T7X2Q9-9K1M]", "Ref:MSG0012345",
    "You are receiving this email because you submitted a request to Northwind HR.",
    "To view the ticket, click here: https://help.example.com/tickets/123",
    "Was this answer helpful? Yes / No", "Please do not reply to this email.",
])
def test_helpdesk_notification_footers_are_boilerplate(footer):
    assert draft_answer(f"Your laptop is ready at desk B.\n\n{footer}") == "Your laptop is ready at desk B."


def test_text_that_mentions_these_words_stays():
    raw = "The portal is powered by Workday now. To view your payslip, open Pay > Payslips."
    assert draft_answer(raw) == raw


@pytest.mark.parametrize("quote", [
    "2025年3月3日(月) 10:02 人事部 <hr@x.jp>:\n> 確認してください。",
    "在 2025年3月3日 10:02，人事部 <hr@x.cn> 写道：\n> 请确认。",
    "差出人: 人事部 <hr@x.jp>\n送信日時: 2025年3月3日 10:02\n宛先: 私\n件名: 有給\n\n確認してください。",
    "发件人: 人事部 <hr@x.cn>\n发送时间: 2025年3月3日 10:02\n收件人: 我\n主题: 年假\n\n请确认。",
])
def test_cjk_quote_headers_are_cut(quote):
    assert draft_answer(f"年間20日です。\n\n{quote}") == "年間20日です。"


def test_forwarded_body_lines_with_a_colon_are_kept():
    raw = ("---------- Forwarded message ---------\nFrom: Jane <j@x.com>\nDate: Mon, 3 Mar 2025\nSubject: Leave\n\n"
           "Question: how many days of leave can I carry over into next year?")
    assert draft_question(raw, "Fwd: Leave") == "Question: how many days of leave can I carry over into next year?"


@pytest.mark.parametrize("closing", ["Thanks & Regards,", "Thanks and Regards,", "Thanks & Regards", "Regards & Thanks,",
                                     "With best regards,", "Rgds,", "Yours,", "Have a great day!", "Have a nice day,"])
def test_more_closings_end_the_answer(closing):
    assert draft_answer(f"Your leave is approved.\n\n{closing}\nPriya\nHR Operations") == "Your leave is approved."


LONG_SIGNATURE = ("Kind regards,\n\nPriya Nair\nHR Business Partner | People Team\nNorthwind Analytics Ltd.\n"
                  "1 Canada Square, Floor 12\nLondon E14 5AB, United Kingdom\nT: +44 20 7946 0000\nM: +44 7700 900123\n"
                  "E: priya.nair@northwind.example\nW: www.northwind.example\n[LinkedIn] [Twitter]")


def test_a_long_corporate_signature_is_stripped():
    assert draft_answer("Your leave is approved.\n\n" + LONG_SIGNATURE) == "Your leave is approved."
    dashed = LONG_SIGNATURE.replace("Kind regards,\n", "-- \n")
    assert draft_answer("Your leave is approved.\n\n" + dashed) == "Your leave is approved."


def test_many_short_lines_after_thanks_without_contact_details_stay():
    steps = "\n".join(f"Step {i}: click Next" for i in range(1, 11))
    raw = f"Please do this:\nThanks,\n{steps}"
    assert draft_answer(raw) == raw
