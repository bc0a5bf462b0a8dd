"""Needs context: answers that lean on something the model will never see.

"As discussed", "see attached", "per my last email", "ask Ravi", "same as HR-10011",
"done", "will call you", "check the link I sent", "see below" with nothing below...
A model trained on these learns to promise calls and point at attachments that do not exist.
Each rule carries its reason in plain words; the explanation quotes the phrase and says why.

Only the response is read (the instruction may reasonably mention an attachment). Rules are
precompiled and anchored on literal words, so a 1 MB answer is scanned in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.flags.base import DetectContext, FlagCandidate, PairText, Span
from engine.flags import id_shapes
from engine.flags.pii import PLACEHOLDER_RE
from engine.workspace.progress import raise_if_cancelled


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern
    why: str  # completes "'<phrase>': ..."
    keys: tuple[str, ...] = ()  # lower-case words one of which must be in the text (a fast pre-check)
    also: tuple[str, ...] = ()  # and, if given, one of these too


def _r(p: str) -> re.Pattern:
    return re.compile(p, re.IGNORECASE)


_CONVERSATION = "it refers to a conversation the model never saw"
_RULES: list[_Rule] = [
    _Rule("as discussed", _r(r"\b(?:as|like)\s+(?:we\s+|I\s+)?(?:discussed|agreed|spoke(?:\s+about)?|talked(?:\s+about)?)\b"
                             # "as discussed in the handbook / in section 4": a document, not a conversation
                             r"(?!\s+(?:in|under)\s+(?:(?:the|your|our|this|that|each|every)\s+)?(?:[\w-]+\s+){0,2}?"
                             r"(?:handbook|policy|policies|contract|section|clause|chapter|guide|guidelines|faq|article|document|"
                             r"agreement|letter|intranet|manual|terms|code\s+of\s+conduct|sop)\b)"
                             r"(?:\s+(?:earlier|before|yesterday|today|on\s+the\s+(?:phone|call)|over\s+the\s+phone|in\s+person|with\s+you))?"),
          _CONVERSATION, ('discussed', 'agreed', 'spoke', 'talked')),
    _Rule("as per our call", _r(r"\b(?:as\s+per|per|following|after|from|based\s+on)\s+(?:our|the|my|your)\s+"
                                r"(?:call|conversation|chat|discussion|meeting|phone\s+call|teams\s+call|talk)\b"),
          _CONVERSATION, ('call', 'conversation', 'chat', 'discussion', 'meeting', 'talk')),
    _Rule("as mentioned on the phone", _r(r"\bas\s+(?:mentioned|discussed|agreed|explained|said|promised|confirmed)\s+"
                                          r"(?:on|over|during|in)\s+(?:the|our|my|your)\s+(?:phone|call|meeting|chat|teams\s+call|conversation)\b"),
          _CONVERSATION, ('phone', 'call', 'meeting', 'chat', 'conversation')),
    _Rule("our chat", _r(r"\b(?:our|the)\s+(?:chat|call|conversation|discussion|talk|phone\s+call|teams\s+call)\s+"
                         r"(?:yesterday|today|earlier|this\s+morning|last\s+week|on\s+\w+day)\b"
                         r"|\b(?:following\s+up\s+on|further\s+to|as\s+per|per|after|from|based\s+on|as\s+(?:discussed|agreed)\s+(?:in|on|during))\s+"
                         r"our\s+(?:chat|call|conversation|discussion|talk|phone\s+call|teams\s+call)\b"),
          _CONVERSATION, ('chat', 'call', 'conversation', 'discussion', 'talk')),
    _Rule("as we spoke", _r(r"\bas\s+(?:we|I)\s+(?:spoke|mentioned|said|explained|told\s+you)(?:\s+(?:earlier|before|yesterday|on\s+the\s+(?:phone|call)))?\b"),
          _CONVERSATION, ('spoke', 'mentioned', 'said', 'explained', 'told')),
    _Rule("see attached", _r(r"\b(?:(?:please\s+)?(?:see|find|check|refer\s+to|review|open|use|fill(?:\s+in)?|sign)\s+(?:the\s+)?attach(?:ed|ment)s?"
                             r"|attached\s+(?:is|are|please\s+find|herewith|file|form|document|screenshot|sheet|pdf|guide|doc)"
                             r"|(?:is|are|have\s+been|has\s+been)\s+attached"
                             r"|\bPFA\b"
                             r"|in\s+the\s+attach(?:ed|ment)"
                             r"|(?:see|check|refer\s+to)\s+(?:the\s+)?(?:screenshot|screen\s*shot|image|picture|photo)\b)"),
          "the model will never see the attachment", ('attach', 'pfa', 'screenshot', 'screen shot', 'image', 'picture', 'photo')),
    _Rule("link I sent", _r(r"\b(?:the|that|this)\s+link\s+(?:I|we)\s+(?:sent|shared|gave|posted|pasted|mailed|forwarded)\b"
                            r"|\blink\s+(?:sent|shared)\s+(?:earlier|before|on\s+(?:chat|teams|slack|email))\b"
                            r"|\blink\s+in\s+(?:my|our)\s+(?:chat|email|mail|message|teams\s+message|previous\s+\w+|last\s+\w+)\b"
                            r"|\blink\s+in\s+the\s+(?:chat|teams\s+chat)\b"
                            r"|\b(?:the\s+|that\s+)?(?:screenshot|screen\s*shot|file|document|form|steps|instructions|details|guide|video)\s+"
                            r"(?:I|we)\s+(?:sent|shared|gave|posted|forwarded|showed)\b"),
          "the model never saw that link", ('link', ' sent', ' shared', ' gave', ' posted', ' forwarded', ' showed', ' pasted', ' mailed')),
    _Rule("per my last email", _r(r"\b(?:as\s+)?(?:per|in|see|check|refer\s+to|as\s+mentioned\s+in|as\s+stated\s+in)\s+(?:my|our|the)\s+"
                                  r"(?:last|previous|earlier|prior|below|above|first)\s+(?:e-?mail|mail|message|reply|response|note)\b"
                                  r"|\b(?:see|check|read)\s+(?:the\s+)?(?:e-?mail|mail)\s+(?:trail|thread|chain|below)\b"
                                  r"|\bI\s+(?:already\s+)?(?:e-?mailed|mailed|sent)\s+(?:you|it)\b"),
          "the model never sees earlier emails", ('mail', 'message', 'reply', 'response', 'note', 'sent')),
    _Rule("as mentioned earlier", _r(r"\bas\s+(?:I\s+|we\s+)?(?:mentioned|said|stated|explained|advised|noted|informed)\s+"
                                     r"(?:earlier|before|previously|already|last\s+time)\b"
                                     r"|\b(?:same\s+as|like|as)\s+(?:the\s+)?last\s+time\b|\bsame\s+as\s+(?:before|usual)\b"
                                     r"|\bthe\s+usual\s+(?:way|process|steps|place|form|fix|solution|workaround|procedure|thing|trick)\b"
                                     r"|\bsame\s+(?:issue|problem|thing|error|request|fix|steps)\s+as\s+(?:before|last\s+time|earlier|previously)\b"),
          "it refers to an earlier exchange the model never saw", ('earlier', 'before', 'previously', 'already', 'last time', 'usual', 'same')),
    _Rule("will call you", _r(r"\b(?:I|we)(?:'ll|\s+will|\s+shall|'d|\s+would|\s+am\s+going\s+to|\s+can)\s+(?:give\s+you\s+a\s+)?"
                              r"(?:call|ring|phone|ping|whatsapp|message|text|drop\s+by|come\s+(?:by|over|to\s+your\s+desk)|visit|"
                              r"stop\s+by|walk\s+over|swing\s+by)(?:\s+(?:you|your\s+desk))?\b"
                              r"|\b(?:give|drop)\s+me\s+a\s+(?:call|ring|message|ping|line)\b"
                              r"|\b(?:call|ring|ping)\s+me\b"
                              r"|\bcome\s+(?:to|by)\s+my\s+desk\b"
                              r"|\blet'?s\s+(?:discuss|talk|connect|sync|hop\s+on\s+a\s+call)\b"),
          "the answer promises a call or visit the model cannot make", ('call', 'ring', 'phone', 'ping', 'whatsapp', 'message', 'text', 'drop', 'come', 'visit', 'stop by', 'walk', 'swing', 'let')),
    _Rule("I have sent you", _r(r"\b(?:I|we)(?:'ve|\s+have)\s+(?:just\s+|now\s+|already\s+)?(?:sent|emailed|e-mailed|mailed|messaged|"
                                r"forwarded|shared)\s+(?:you|it\s+to\s+you|them\s+to\s+you|(?:the|a|an)\s+[\w-]+\s+to\s+you)\b"
                                r"|\b(?:I|we)(?:'ve|\s+have)\s+(?:just\s+|now\s+|already\s+)?forwarded\s+your\s+"
                                r"(?:request|ticket|query|question|email|details|case|issue)\b"),
          "it refers to a message the agent sent, which the model never saw and cannot send",
          ('sent', 'emailed', 'e-mailed', 'mailed', 'messaged', 'forwarded', 'shared')),
]

_SEE_BELOW = _r(r"\b(?:see|refer\s+to|check|find|follow)\s+(?:the\s+)?(?:details|steps|instructions|info(?:rmation)?|link|notes?)?\s*below\b"
                r"|\b(?:details|steps|instructions|link|information|process)\s+(?:are\s+|is\s+)?(?:given\s+|mentioned\s+|listed\s+)?below\b"
                r"|\bas\s+below\b")
_LIST_ITEM = re.compile(r"\n\s*(?:\d{1,2}[.)]|[-*•])\s*\w")  # "1. Open Workday", "- Click Submit"
_SEE_ABOVE = _r(r"\b(?:see|refer\s+to|check|per)\s+(?:the\s+)?(?:details|steps|instructions|info(?:rmation)?|link|notes?|e-?mail|message)?\s*above\b"
                r"|\b(?:as\s+)?(?:mentioned|stated|shown|explained|given)\s+above\b")

# "ask Ravi", "contact Priya", "check with Anil", "reach out to Meera", "speak to John"
_ASK_PERSON = re.compile(
    r"\b(?i:ask|contact|check\s+with|speak\s+(?:to|with)|talk\s+to|reach\s+out\s+to|ping|email|e-mail|mail|message|"
    r"call|get\s+in\s+touch\s+with|connect\s+with|follow\s+up\s+with|coordinate\s+with|escalate\s+to|"
    r"send\s+it\s+to|forward\s+it\s+to)\s+"
    r"([A-Z][a-z]{2,20})(?:\s+([A-Z][a-z]{2,20}))?(?![\w@.-]*@)"
)
_ASK_KEYS = ("ask", "contact", "check with", "speak", "talk", "reach out", "ping", "mail", "message", "call",
             "touch", "connect", "follow up", "coordinate", "escalate", "send it", "forward it")
_NOT_A_PERSON = {
    # teams, roles, systems, places, pronoun-likes that start with a capital in helpdesk text
    "The", "Your", "You", "Our", "Their", "His", "Her", "Them", "Him", "Me", "Us", "It", "This", "That", "Us",
    "Payroll", "Finance", "Facilities", "Security", "Support", "Helpdesk", "Help", "Service", "Desk", "Admin",
    "Legal", "Team", "Teams", "Outlook", "Slack", "Zoom", "Workday", "People", "Travel", "Benefits", "Reception",
    "Procurement", "Accounts", "Compliance", "Recruitment", "Talent", "Learning", "Training", "Operations",
    "Ops", "Network", "Infrastructure", "Engineering", "Management", "Manager", "Managers", "Line", "Office",
    "Admin", "Administration", "Insurance", "Hospitality", "Transport", "Canteen", "Mailroom", "Stores", "Store",
    "Customer", "Customers", "Vendor", "Vendors", "Employee", "Employees", "Staff", "Everyone", "All", "Them",
    "Gmail", "Google", "Microsoft", "Apple", "Okta", "Jira", "Confluence", "Sharepoint", "SharePoint", "Intranet",
    "Portal", "Helpline", "Hotline", "Internal", "External", "Global", "Local", "Regional", "Central", "Group",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Tomorrow", "Today",
    "Again", "Anyone", "Someone", "Somebody", "Any", "Either", "Both", "Either", "Whoever",
    "Health", "Wellness", "Medical", "Pension", "Pensions", "Tax", "Taxes", "Audit", "Housing", "Visa",
    "Immigration", "Mobility", "Relocation", "Onboarding", "Offboarding", "Exit", "Hiring", "Identity",
    "Access", "Device", "Devices", "Hardware", "Software", "Licensing", "Licence", "License", "Cloud", "Data",
    "Privacy", "Risk", "Billing", "Expense", "Expenses", "Reimbursement", "Claims", "Leave", "Attendance",
    "Time", "Timesheet", "Timesheets", "Buddy", "Mentor", "Hub", "Services", "Department", "Dept",
    "Centre", "Center", "Room", "Building", "Floor", "Campus", "Branch", "Head", "Lead", "Director", "Supervisor",
    "Partner", "Business", "Agency", "Bank", "Police", "Embassy", "Consulate", "Hospital", "Doctor", "Provider",
    "Please", "Kindly", "Then", "Once", "Information", "Details", "Number", "Form", "Page", "Settings", "Only", "Directly", "Immediately", "Now", "Whenever", "Ext", "Extension",
    # systems and vendors a helpdesk names ("reach out to Concur support")
    "Concur", "Coupa", "Ariba", "Salesforce", "Oracle", "Zendesk", "Freshdesk", "Webex", "Docusign", "DocuSign",
    "Citrix", "Cisco", "Dell", "Lenovo", "Samsung", "Amazon", "Uber", "Aetna", "Cigna", "Bupa", "Vodafone",
    "Airtel", "Verizon", "Fidelity", "Vanguard", "Greenhouse", "Rippling", "Gusto", "Deel", "Duo", "Adobe",
    "Dropbox", "Box", "Github", "GitHub", "Gitlab", "GitLab", "Tableau", "Snowflake", "Linkedin", "LinkedIn",
}
# a capitalised word followed by one of these is a team or a system, not a person
_TEAM_NOUN_AFTER = re.compile(
    r"\s+(?:support|team|desk|helpdesk|help\s+desk|portal|app|application|website|site|system|tool|admin|"
    r"administrators?|department|dept|office|line|hotline|helpline|services?|bot|chat|care|customer\s+care)\b")
_TICKET_REF = re.compile(
    r"\b(?:(?i:same\s+as|see|refer\s+to|ref|similar\s+to|duplicate\s+of|as\s+in|like|per|follow(?:s|ed)?\s+up\s+(?:on|to)|"
    r"linked\s+to|merged\s+(?:with|into)|resolved\s+(?:in|under|via)|handled\s+in|covered\s+in|check|under)\s+)?"
    r"(?:(?i:ticket|case|request|incident|inc|req|sr)\s*(?:no\.?|number|#)?\s*#?\s*\d{3,10}\b"
    r"|#\d{4,10}\b"
    r"|(?<![\w\-])[A-Z]{2,5}-\d{3,7}\b(?!-\w)"
    r"|INC\d{5,10}\b|REQ\d{5,10}\b|RITM\d{5,10}\b)"
)
_TICKET_ID_CORE = re.compile(r"[A-Z]{2,5}-\d{3,7}")

# The whole answer is a bare status: "done", "fixed, pls check", "resolved. try now"
_BARE = re.compile(
    r"^\W*(?:(?:it'?s|it\s+is|this\s+is|that'?s|all|issue|problem|request|has\s+been|have|i\s*'?ve|we\s*'?ve|i\s+have|we\s+have|is|now|been|"
    r"ok(?:ay)?|sure|yes|yeah|hi|hello|dear|thanks|thank\s+you|thx|ty)[\s,.!-]+){0,4}"
    r"(?:done|fixed|resolved|sorted|completed|complete|closed|updated|reset|granted|enabled|unlocked|actioned|processed|"
    r"taken\s+care\s+of|working(?:\s+now)?|approved|raised|submitted|handled|sent|shared|added|removed|installed|changed)"
    r"(?:[\s,.!-]+(?:now|already|from\s+our\s+(?:side|end)|at\s+our\s+end|on\s+our\s+side|for\s+you|pls|plz|please|kindly|check|"
    r"verify|confirm|try|again|and|let\s+(?:us|me)\s+know|if\s+(?:it\s+)?works|thanks|thank\s+you|thx|ty|revert|it|you|can|"
    r"retry|login|log\s+in|test|cheers|regards|:\)|\?+)){0,8}\W*$",
    re.IGNORECASE,
)
_BARE_MAX_CHARS = 120
_BARE_LEAD = re.compile(
    r"^\W*((?:(?:it'?s|it\s+is|this\s+is|that'?s|all|now|has\s+been|have|i\s*'?ve|we\s*'?ve)\s+){0,2}"
    r"(?:done|fixed|resolved|sorted|completed|actioned|taken\s+care\s+of|updated)(?:\s+now)?)\s*[.,;!:-]+\s+"
    r"(?=(?:please|pls|kindly|can\s+you|could\s+you|do|try|check|let\s+(?:us|me)\s+know|confirm)\b)",
    re.IGNORECASE,
)
_LEAD = re.compile(r"(?:please|kindly|pls|plz)\s+", re.IGNORECASE)

# --- cue families: what an answer leans on, in other words than the phrases above -------------
# Each family is a property of the answer, not a phrase: (1) a shared artefact or event named by
# a relative clause in the past ("the form I pointed you to", "the fix we applied", "what I
# showed you"); (2) a comparison with the past ("like we did in March", "the same issue you had
# in January", "like I said before"); (3) a decision or promise made in a conversation ("as
# settled on the call", "as promised in the meeting"); (4) an earlier message ("yesterday's
# message", "the email from Andrew", "the earlier instructions", "the thread below"); (5) a named
# colleague's decision or hand-over ("Meera signed off on it", "it's with Rohan now");
# (6) a deferral to a person with nothing else said ("your manager will confirm"); (7) an
# acknowledgement with no content ("all sorted", "granted, please log in again and confirm").
_PAST_VERBS = (r"(?:forwarded|sent|shared|showed|shown|gave|given|mentioned|said|told|discussed|agreed|talked|spoke|"
               r"promised|explained|pointed|left|posted|pasted|emailed|e-mailed|mailed|messaged|did|handled|applied|"
               r"used|settled|decided|arranged|suggested|recommended|attached|uploaded|dropped|walked\s+you\s+through|"
               r"went\s+through|set\s+up|fixed|tried|linked|circulated|highlighted|noted|covered|made|prepared|"
               r"wrote|drafted|put\s+together|agreed\s+on|drew\s+up)")
# a colleague as the subject ("the way Anita explained", "the form Priya sent"), not a team
_COLLEAGUE = (r"(?-i:(?!(?:Payroll|Finance|Legal|Security|Facilities|Benefits|Support|Reception|Procurement|Marketing|"
              r"Sales|Travel|Recruitment|Learning|Operations|Admin|Compliance|Management)\b)[A-Z][a-z]{2,20})")
_FAMILY_RULES: list[_Rule] = [
    _Rule("shared artefact", _r(r"\b(?:the|that|this|those|these)\s+(?:[\w'-]+\s+){0,5}?(?:I|we|" + _COLLEAGUE + r")\s+(?:just\s+|already\s+|had\s+|have\s+|'ve\s+)?"
                                + _PAST_VERBS + r"\b(?:\s+(?:you|to\s+you|about|on|up))?"
                                r"|\bwhat\s+(?:I|we|(?-i:[A-Z][a-z]{2,20})|your\s+(?:manager|supervisor|lead))\s+(?:just\s+|already\s+)?"
                                + _PAST_VERBS + r"\b(?:\s+you)?"),
          "it points at something the agent gave or did earlier, which the model never saw",
          ("forward", "sent", "shar", "show", "gave", "given", "mention", "said", "told", "discuss", "agreed", "talked",
           "spoke", "promised", "explained", "pointed", "left", "posted", "pasted", "mailed", "messaged", " did", "handled",
           "applied", "used", "settled", "decided", "arranged", "suggest", "recommend", "attach", "upload", "dropped",
           "walked", "went", "set up", "fixed", "tried", "linked", "circulated", "highlighted", "noted", "covered",
           "made", "prepared", "wrote", "drafted", "put together", "drew up")),
    _Rule("like last time", _r(r"\b(?:I|we)\s+did\s+(?:this|that|it|the\s+same)\b(?:\s+[\w']+){0,3}?\s+(?:last\s+(?:time|week|month|year)|before|earlier|previously)\b"
                               r"|\bfrom\s+(?:before|last\s+time|earlier|the\s+last\s+(?:call|meeting|ticket|time))\b(?!\s+(?:\d|the\s+\w+\s+date|you\s+joined))"
                               r"|\b(?:like|as|same\s+(?:[\w'-]+\s+){0,2}?as)\s+(?:we|I|you)\s+(?:did|had|said|told\s+you|mentioned|discussed|agreed|"
                               r"went\s+over|went\s+through|covered|talked\s+about|explained|showed\s+you|"
                               r"handled\s+it|sorted\s+it|fixed\s+it)\b(?:\s+(?:before|last\s+\w+|earlier|previously|in\s+[A-Z]\w+|on\s+[A-Z]\w+))?"
                               r"|\b(?:the\s+)?same\s+(?:issue|problem|thing|error|fix|steps|way|as\s+before)\s+(?:you|we)\s+(?:had|did|saw|got|used)\b"
                               r"(?:\s+(?:in|on|last)\s+\w+)?"),
          "it compares with an earlier case the model never saw",
          ("like", "as", "same", "from", " did")),
    _Rule("settled in a conversation", _r(r"\b(?:as\s+)?(?:settled|agreed|discussed|promised|mentioned|decided|confirmed|arranged|explained|said|"
                                          r"covered|planned)\s+(?:on|in|during|at|over|after)\s+(?:the|our|my|your|this|that|yesterday'?s|today'?s|"
                                          r"last\s+week'?s|monday'?s|friday'?s)\s+(?:\w+\s+)?(?:call|meeting|chat|phone|conversation|catch-?up|"
                                          r"huddle|sync|visit|session|briefing|1:1|one-to-one|stand-?up)\b"),
          _CONVERSATION, ("call", "meeting", "chat", "phone", "conversation", "catch", "huddle", "sync", "visit",
                          "session", "briefing", "1:1", "one-to-one", "stand")),
    _Rule("earlier message", _r(r"\b(?:yesterday|this\s+morning|last\s+(?:week|night|month)|monday|tuesday|wednesday|thursday|friday|"
                                r"earlier|today)['’]s\s+(?:e-?mail|mail|message|note|call|meeting|update|reply|chat|thread|post|memo|"
                                r"huddle|catch-?up|sync|stand-?up|briefing|session|review|1:1|one-to-one|visit|conversation)\b"
                                r"|\b(?:the|his|her|my|our)\s+(?:e-?mail|mail|message|note|memo|text|ping)\s+from\s+(?-i:(?!(?:IT|HR|HMRC|Payroll|Finance|Security|Legal|Facilities|Benefits|Support|Reception|Procurement|Marketing|Sales)\b)[A-Z][a-z]{2,20})\b"
                                r"|\b(?:the|my|our|your)\s+(?:earlier|previous|prior|last|original|first)\s+(?:instructions?|steps|reply|replies|"
                                r"e-?mails?|mails?|messages?|responses?|notes?|advice|answer|update|conversation)\b"
                                r"|\b(?:in|on|see|check)\s+the\s+(?:e-?mail\s+)?(?:thread|trail|chain)\b"
                                r"|\b(?:the\s+)?(?:thread|trail|chain)\s+(?:below|above)\b"
                                r"|\b(?:the|your)\s+(?:other|previous|earlier|last|old|original)\s+(?:ticket|case|request|incident|query)\b"
                                r"|\b(?:I|we|already)\s+(?:have\s+|'ve\s+|just\s+)?(?:sent|shared|forwarded|posted|messaged|dropped)\s+(?:it\s+|them\s+|this\s+|the\s+\w+\s+)?"
                                r"(?:over|on|via|in)\s+(?:whatsapp|teams|slack|chat|dm|text|sms|signal|the\s+group)\b"),
          "it refers to an earlier message or ticket the model never saw",
          ("'s", "’s", "from", "earlier", "previous", "prior", "last", "original", "first", "thread", "trail", "chain",
           "other", "old", "whatsapp", "teams", "slack", "chat", "dm", "text", "sms", "signal", "group")),
]
_NAMED_DECISION = re.compile(
    r"\b([A-Z][a-z]{2,20})(?:\s+(?:from|in|at|on)\s+(?:the\s+)?[A-Z][\w&]*(?:\s+team)?)?\s+(?:has\s+|have\s+|had\s+|already\s+|just\s+|has\s+already\s+)?"
    r"(?:signed\s+off|approved|okayed|ok'?d|authori[sz]ed|cleared|agreed\s+to|agreed|decided|confirmed|said\s+(?:it'?s|it\s+is|yes|ok)|"
    r"gave\s+the\s+go-?ahead|is\s+handling|is\s+looking\s+into|will\s+(?:sort|handle|take\s+care\s+of|follow\s+up))\b"
    r"|\b(?i:it'?s|it\s+is|this\s+is|that'?s|they'?re|they\s+are|papers\s+are)\s+(?i:now\s+)?with\s+([A-Z][a-z]{2,20})\b"
)
_DEFERRAL = _r(r"\b(?:your|the)\s+(?:line\s+|store\s+|area\s+|shift\s+|duty\s+)?(?:manager|supervisor|team\s+lead|lead|hrbp|buddy|"
               r"hr\s+partner|business\s+partner|coordinator|approver)\s+(?:will|would|can|should|is\s+going\s+to|has|knows)\s+"
               r"(?:confirm|tell\s+you|let\s+you\s+know|decide|advise|explain|share|pass\s+(?:it|them|this)\s+on|"
               r"get\s+back\s+to\s+you|sort\s+it|the\s+details|the\s+answer|more)\b")
DEFERRAL_MAX_WORDS = 25
"""An answer that defers to a person ("your manager will confirm") needs context only when it says
little else: at most this many words. The bundled sample has no such deferral; its answers that name
a manager run 10-100 words (median about 40, 3 of 68 under 20), so 25 keeps the process
descriptions out. Measured on the second set: its 2 deferrals found, none of its 40 self-contained
answers (several name a manager) flagged; on the holdout set 1 of 1 found."""
# acknowledgement-only: every word is a status, a courtesy or a request to check
_ACK_STATUS = frozenset("""done fixed resolved sorted completed complete closed updated reset granted enabled unlocked actioned
processed approved raised submitted handled sent shared added removed installed changed restored reinstated
activated reactivated renewed extended cleared assigned booked arranged escalated""".split())
_ACK_WORDS = frozenset("""all it its it's is has have been i i've ive we we've weve now this that the from our my side end
for you your on at please pls plz kindly check verify confirm try again and let us me know if works working
thanks thank thx ty can could retry log login in sign test cheers regards ok okay sure yes hi hello dear
should be fine good to go back up just already should now revert see update us same there again once more
do a quick it's give another go shot""".split()) | _ACK_STATUS
ACK_MAX_WORDS = 20
"""An acknowledgement-only answer has at most this many words, all status/courtesy words and at
least one status word. Calibrated on the bundled sample (its 2 such answers have 12 words, both
labelled needs context, no false flag); measured on the second set (its 6 acknowledgement-only
answers found with the older bare-status rule and this one, no false flag)."""


_NOT_NAMED = {"Payroll", "Finance", "Legal", "Security", "Management", "Nobody", "Everyone", "Yes", "No", "Once",
              "When", "If", "After", "Before", "Which", "Who", "What", "Where", "Why", "How", "There", "Here", "Also",
              "Its", "Your", "Our", "Their", "This", "That", "HMRC", "Court", "Insurer", "Carrier", "Bank", "System",
              "Tool", "App", "Portal", "Supplier", "Provider", "Client", "Customer", "Manager", "Store", "Office",
              # departments and common words that start a sentence ("Marketing has approved", "Most approved")
              "Marketing", "Communications", "Comms", "Sales", "Purchasing", "Treasury", "Retail", "Merchandising",
              "Logistics", "Warehouse", "Distribution", "Research", "Product", "Design", "Quality", "Governance",
              "Most", "Some", "Many", "All", "Few", "Several", "Each", "Every", "None", "Nothing", "Everything",
              "Something", "Anything", "Someone", "Anyone", "Everybody", "Nobody", "Another", "Other", "Others",
              "Such", "Only", "Not", "Being", "Having", "Unless", "Until", "Since", "While", "Though", "Although",
              "Recently", "Already", "Previously", "Originally", "Usually", "Normally", "Generally", "Requests",
              "Claims", "Expenses", "Changes", "Applications", "Documents", "Leave", "Overtime", "Budget", "Head",
              "Board", "Committee", "Director", "Directors", "Leadership", "Admin", "Administrator", "Approver"}


def _quoted(text: str, pos: int) -> bool:
    """True when `pos` is inside a short quotation on its line ('Call me back', "Unlock account")."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    for q, close in (("'", "'"), ('"', '"'), ("‘", "’"), ("“", "”")):
        i = before.rfind(q)
        if i < 0 or (q == "'" and i > 0 and before[i - 1].isalnum()):
            continue
        if before[i + 1:].count(close if close != q else q) == 0 and close in text[pos:pos + 40]:
            return True
    return False


@dataclass
class Hit:
    rule: str
    start: int
    end: int
    phrase: str
    why: str


def find_hits(text: str, *, employee_id_pattern: str | None = None, own_id: str | None = None,
              id_patterns=None) -> list[Hit]:
    """Every needs-context phrase in an answer, in order, non-overlapping. `own_id` is the pair's
    own ticket id: a helpdesk footer naming the ticket itself is not a reference to another one."""
    if not text or not text.strip():
        return []
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def add(rule: str, start: int, end: int, why: str) -> None:
        for a, b in taken:
            if start < b and a < end:
                return
        # quote the phrase itself, not a leading "Please"
        lead = _LEAD.match(text, start, end)
        if lead and lead.end() < end:
            start = lead.end()
        taken.append((start, end))
        hits.append(Hit(rule, start, end, text[start:end], why))

    stripped = text.strip()
    bare_why = "it says something was done without saying what, so the model learns nothing it can repeat"
    if len(stripped) <= _BARE_MAX_CHARS and _BARE.match(stripped):
        s = text.index(stripped[0])
        add("bare status", s, s + len(stripped), bare_why)
    else:
        # "Done. Please check on your side and let us know..." : a bare status, then only a request to check
        m = _BARE_LEAD.match(stripped)
        first_paragraph = re.split(r"\n\s*\n", stripped, maxsplit=1)[0]
        if m and len(first_paragraph.split()) <= 25:
            s = text.index(stripped[0])
            add("bare status", s, s + len(m.group(1)), bare_why)

    low = text.lower()
    for rule in _RULES:
        if rule.keys and not any(k in low for k in rule.keys):
            continue
        for m in rule.pattern.finditer(text):
            if not _quoted(text, m.start()):  # "choose 'Call me back'": a button, not a promise
                add(rule.name, m.start(), m.end(), rule.why)

    for rule in _FAMILY_RULES:
        if (rule.keys and not any(k in low for k in rule.keys)) or (rule.also and not any(k in low for k in rule.also)):
            continue
        for m in rule.pattern.finditer(text):
            if not _quoted(text, m.start()):
                add(rule.name, m.start(), m.end(), rule.why)
    for m in _NAMED_DECISION.finditer(text):
        who = m.group(1) or m.group(2)
        if who in _NOT_A_PERSON or who in _NOT_NAMED or _TEAM_NOUN_AFTER.match(text, m.end(1) if m.group(1) else m.end()):
            continue
        add("a colleague's decision", m.start(), m.end(),
            f"it rests on what {who} decided or holds, which the model cannot check")
    words = re.findall(r"[\w']+", low)
    if len(words) <= DEFERRAL_MAX_WORDS:
        for m in _DEFERRAL.finditer(text):
            add("deferred to a person", m.start(), m.end(), "it leaves the answer to someone else and gives none itself")
    if words and len(words) <= ACK_MAX_WORDS and all(w in _ACK_WORDS for w in words) and any(w in _ACK_STATUS for w in words):
        s0 = text.index(stripped[0])
        add("bare status", s0, s0 + len(stripped), bare_why)
    for m in (_SEE_BELOW.finditer(text) if "below" in low else ()):
        rest = text[m.end():]
        # something real must follow: a list, a link, or at least a sentence of content
        if (len(re.sub(r"\W+", "", rest[:400])) < 40 and "http" not in rest[:400]
                and not _LIST_ITEM.search(rest[:400]) and len(re.findall(r"\w+", rest[:400])) < 6):
            add("see below", m.start(), m.end(), "it points below, but nothing follows it")
    for m in (_SEE_ABOVE.finditer(text) if "above" in low else ()):
        before = text[:m.start()]
        if len(re.sub(r"\W+", "", before[-400:])) < 40:
            add("see above", m.start(), m.end(), "it points above, but the model only sees this answer")

    emp, _ = id_shapes.compiled_ids(id_shapes.as_rules(id_patterns, employee_id_pattern))
    placeholders = [(p.start(), p.end()) for p in PLACEHOLDER_RE.finditer(text)] if "[" in text else []
    ids = None
    for m in _TICKET_REF.finditer(text):
        if ids is None:  # an organisation's id ("employee ID LK-20487") is not a ticket reference
            ids = [(a, b) for a, b, _ in id_shapes.cue_ids(text)]
        last = m.group(0).split()[-1]
        if (emp is not None and emp.fullmatch(last)) or any(m.start() < b and a < m.end() for a, b in placeholders + ids):
            continue
        core = _TICKET_ID_CORE.search(m.group(0))
        ref = core.group(0) if core else m.group(0)
        if own_id and (ref == own_id or ref.lstrip("#") == own_id.split("-")[-1]):
            continue
        add("other ticket", m.start(), m.end(), f"it points to another ticket ({ref}) the model cannot see")

    asks = _ASK_PERSON.finditer(text) if any(k in low for k in _ASK_KEYS) else ()
    for m in asks:
        first, last = m.group(1), m.group(2)
        if first in _NOT_A_PERSON or (last and last in _NOT_A_PERSON) or _TEAM_NOUN_AFTER.match(text, m.end()):
            continue
        who = first + (f" {last}" if last else "")
        add("ask a person", m.start(), m.end(),
            f"the model does not know who {who} is or whether they still handle this")

    hits.sort(key=lambda h: h.start)
    return hits


def _quote(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def explain(hits: list[Hit]) -> str:
    parts = []
    seen = set()
    for h in hits:
        key = (h.rule, h.phrase.lower())
        if key in seen:
            continue
        seen.add(key)
        parts.append(f"'{_quote(h.phrase)}': {h.why}")
        if len(parts) == 3:
            break
    more = len({(h.rule, h.phrase.lower()) for h in hits}) - len(parts)
    text = "; ".join(parts)
    if more > 0:
        text += f" (and {more} more)"
    return "Needs context: " + text + "."


def detect(items: list[PairText], ctx: DetectContext) -> list[FlagCandidate]:
    rules = id_shapes.id_patterns_for(items, ctx.settings)
    out: list[FlagCandidate] = []
    total = len(items)
    for i, item in enumerate(items):
        if i % 200 == 0:
            raise_if_cancelled(ctx.cancel)
        if ctx.progress is not None and i % 500 == 0:
            ctx.progress(i, total, "Looking for answers that need context")
        hits = find_hits(item.response or "", id_patterns=rules, own_id=item.external_id)
        if not hits:
            continue
        rules = sorted({h.rule for h in hits})
        out.append(FlagCandidate(
            kind="needs_context",
            pair_ids=[item.id],
            explanation=explain(hits),
            severity="medium",
            score=min(1.0, 0.6 + 0.1 * len(hits)),
            details={"reasons": rules,
                     "phrases": [{"rule": h.rule, "phrase": h.phrase, "why": h.why, "start": h.start, "end": h.end}
                                 for h in hits]},
            spans=[Span("response", h.start, h.end, h.rule) for h in hits],
        ))
    if ctx.progress is not None:
        ctx.progress(total, total, "Looking for answers that need context")
    return out
