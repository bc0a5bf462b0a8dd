"""The text pieces make_sample.py renders tickets with: greetings, openers, closers, boilerplate,
answers that need context, tone departures and their rates."""

GREET_Q = {
    "HR": ["Hi HR,", "Hello HR team,", "Hi team,", "Dear HR,", "Hi,", "Hello,", "", "", "Hi People team,"],
    "IT": ["Hi IT,", "Hello IT support,", "Hi team,", "Hi Service Desk,", "Hi,", "Hello,", "", "", "Hey IT,"],
}
OPENERS = ["", "", "", "", "Hope you're doing well.", "Quick question.",
           "Sorry if this has been asked before.", "I couldn't find this on the intranet.",
           "My manager suggested I raise a ticket for this.", "Hope you can help with this."]
CLOSERS_Q = ["Thanks", "Thanks!", "Thanks in advance.", "Regards", "Cheers", "Thank you", "", "Many thanks"]

ANSWER_PREFIX = ["", "", "", "Thanks for reaching out.", "Thanks for your question.", "Thanks for getting in touch."]
ANSWER_SUFFIX = ["", "", "", "Let me know if you have any other questions.", "Hope this helps.",
                 "Feel free to reply if anything is unclear."]
CLOSINGS = ["Best regards,", "Kind regards,", "Regards,", "Many thanks,", "Best,"]

BOILER_RESOLVED = "This ticket has been marked as resolved. Reply to reopen."
BOILER_RATE = "Please rate our service: https://northwind-analytics.freshdesk.com/survey/{num}"
BOILER_CONF = ("CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended "
               "solely for the named recipient. If you have received it in error, please notify the "
               "sender and delete it.")
BOILER_TOP = "##- Please type your reply above this line -##"
BOILER_AUTO = "This is an automated message from the Northwind Helpdesk. Ticket {tid} is now {status}."

CONTEXT_TEMPLATES = [
    ("As discussed", "As discussed on our call, I have gone ahead and made the change on your profile. Let me know if anything else is needed."),
    ("see attached", "Please see attached for the details you asked for. Let me know if you have any questions."),
    ("Per my last email", "Per my last email, this has already been taken care of. Please check and confirm."),
    ("ask Ravi", "For this one, please ask Ravi, as he handled the same request for your team last month."),
    ("same as {REF}", "This is the same as {REF}, so please follow the steps we shared there."),
    ("Done", "Done. Please check on your side and let us know if anything is still missing."),
    ("Fixed, please check", "Fixed, please check again and confirm that it works for you now."),
    ("will call you", "I will call you this afternoon so that we can go through it together."),
    ("As mentioned on the phone", "As mentioned on the phone, the update will be visible by tomorrow morning."),
    ("our chat yesterday", "Following up on our chat yesterday, I have raised it with the team and they have sorted it out."),
    ("same steps as last time", "Please follow the same steps as last time and it should work."),
    ("screenshot I sent", "Have a look at the screenshot I sent you on Teams; the setting is exactly there."),
    ("link I shared", "Please use the link I shared earlier and it should go through."),
    ("As agreed with your manager", "As agreed with your manager, this has now been updated."),
    ("the usual fix", "Same issue as before, so I have applied the usual fix. It should be fine now."),
]

CURT_SHORTHAND = [
    "pls chk portal, bal shd be thr",
    "pls raise req in portal, mgr apprvl needed",
    "chk WD, its all thr. thx",
    "pls chk intranet pg, info is thr",
    "updated. pls chk n revert",
]

SHORTHAND_MAP = [
    (r"\bplease\b", "pls"), (r"\byou are\b", "u r"), (r"\byou\b", "u"), (r"\byour\b", "ur"),
    (r"\bare\b", "r"), (r"\bwith\b", "w/"), (r"\bwithout\b", "w/o"), (r"\bshould\b", "shd"),
    (r"\bcheck\b", "chk"), (r"\bthere\b", "thr"), (r"\bbecause\b", "bc"),
    (r"\binformation\b", "info"), (r"\bapproval\b", "apprvl"), (r"\bapproved\b", "apprvd"),
    (r"\bmanager's\b", "mgr's"), (r"\bmanager\b", "mgr"), (r"\bworking days?\b", "wd"),
    (r"\bdays\b", "d"), (r"\bbefore\b", "b4"), (r"\band\b", "n"), (r"\bmonth\b", "mth"),
    (r"\byear\b", "yr"), (r"\bweeks?\b", "wk"), (r"\brequest\b", "req"), (r"\bthrough\b", "thru"),
    (r"\bminutes\b", "mins"), (r"\bpassword\b", "pwd"), (r"\bearned leave\b", "EL"),
    (r"\bWorkday\b", "WD"), (r"\bfor\b", "4"), (r"\bbe\b", "b"), (r"\boffice\b", "ofc"),
    (r"\bfrom\b", "frm"), (r"\bavailable\b", "avail"), (r"\bneeds?\b", "nd"),
    (r"\babout\b", "abt"), (r"\bpeople\b", "ppl"), (r"\bsalary\b", "sal"),
    (r"\bMonday to Friday\b", "mon-fri"), (r"\bemployees?\b", "emp"), (r"\blaptop\b", "lappy"),
    (r"\bthe\b ", ""), (r"\ba\b ", ""), (r"\ban\b ", ""), (r"\bis\b ", ""),
]
SHORTHAND_PREFIX = ["pls note,", "fyi", "pls chk -", "fyi -"]

SLANG_OPEN = ["yeah np mate, sorted.", "no worries mate!", "sure thing dude,", "yep all good,", "ya np,"]
SLANG_CLOSE = ["cheers", "ta", "easy peasy", "lol", "ttyl"]
RUDE_SHORT = ["Read the policy before asking.", "This is on the intranet, look it up.",
              "Not sure why this needed a ticket."]
EMOJI_OPEN = ["😊", "🙂", "👋"]
EMOJI_MID = ["👍", "✅", "🙌"]
EMOJI_CLOSE = ["🎉", "😄", "🚀"]

TOO_LONG_FILLER = [
    "I completely understand that questions like this can be confusing, and I want to make sure you have absolutely all of the information that you might possibly need.",
    "Before I get into the detail, I would like to take a moment to explain a little bit of the background, because in my experience it really helps people to understand why things work the way they do here.",
    "Over the years we have had a lot of similar questions from colleagues in all three offices, and the policies have been updated several times, so it is completely natural to be unsure.",
    "There are also a number of related topics that are often asked about at the same time, and although they may not apply to you directly, it is always useful to be aware of them.",
    "Our team is always happy to help, and we would much rather you ask than guess, so please never hesitate to raise a ticket, send us a message or stop by when you are in the office.",
    "To summarise everything once more, so that it is absolutely clear and you do not have to scroll back up:",
    "I hope this very detailed explanation has been helpful, and that it answers not only the question you asked but also any follow-up questions that you may have had in mind.",
]

TONE_PLAN = (["shorthand"] * 5 + ["curt"] * 3 + ["all_caps"] * 4 + ["slang"] * 4 + ["emoji"] * 4 +
             ["rude_greet"] * 2 + ["rude_short"] * 3 + ["one_line"] * 3 + ["too_long"] * 3 +
             ["emoji_slang"] * 2)
N_CONTEXT = 30
N_PII_TICKETS = 48
QUOTE_RATE = 0.22
BOILER_RATE_P = 0.17
SIGNATURE_RATE = 0.86
