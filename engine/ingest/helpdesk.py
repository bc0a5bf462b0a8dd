"""Helpdesk tickets (Zendesk, Freshdesk, Jira Service Management, ServiceNow, mailboxes) ->
question/answer pairs: who said what.

The vendor readers (engine.ingest.vendors, engine.ingest.mail) turn an export into `Ticket`s:
the tool's own id, the subject and the ticket's posts in time order, each post marked as the
requester's or the agent's and public or internal. This module makes the pairs:

    ticket_pairs(ticket, mode="resolution" | "per-exchange") -> [TicketPair]
    html_to_text(html) -> str        (html2text, for bodies a tool only gives as HTML)
    is_courtesy(text) -> bool        ("thanks!", "you're welcome, closing this now")

- resolution (the default): the agent's public reply that resolves the ticket (the last one that
  is more than a courtesy) is the answer; the requester's public messages before it are the
  question (a follow-up that clarifies is appended, a "thanks" is not).
- per-exchange: each run of requester messages and the agent's public replies after it is a
  pair of its own (an exchange of courtesies makes none).

Internal notes (Zendesk `public: false`, Freshdesk `private`, ServiceNow work notes, a mail
that does not go back to the requester) never enter a pair; they stay in the ticket's raw
messages (`raw_messages`) for the Review page, marked internal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

MODES = ("resolution", "per-exchange")
RAW_TEXT_CHARS = 20000   # a raw message kept for the Review pane is cut to this many characters

VENDOR_NAMES = {"zendesk": "Zendesk export", "freshdesk": "Freshdesk export", "jira": "Jira Service Management export",
                "servicenow": "ServiceNow export", "mail": "Mailbox"}


@dataclass(slots=True)
class Post:
    text: str
    customer: bool
    internal: bool = False
    author: str = ""
    created: str = ""
    id: str = ""
    attachments: list[str] = field(default_factory=list)
    resolution_note: bool = False  # ServiceNow close notes: the answer only when no agent reply says more
    _clean: str | None = field(default=None, repr=False, compare=False)

    def cleaned(self) -> str:
        """The text as drafting.draft_answer leaves it (quoted replies, greeting, signature gone), once."""
        if self._clean is None:
            from engine.ingest import drafting

            self._clean = drafting.draft_answer(self.text)
        return self._clean


@dataclass(slots=True)
class Ticket:
    vendor: str
    external_id: str
    line: int                 # where the ticket starts in its file (line, row or message number)
    file: str = ""
    subject: str = ""
    created: str = ""
    requester: str = ""
    status: str = ""
    posts: list[Post] = field(default_factory=list)

    @property
    def attachments(self) -> list[str]:
        return [a for p in self.posts for a in p.attachments]

    def counts(self) -> tuple[int, int, int]:
        """(public agent replies, internal notes, attachments)."""
        public = sum(1 for p in self.posts if not p.customer and not p.internal)
        internal = sum(1 for p in self.posts if p.internal)
        return public, internal, sum(len(p.attachments) for p in self.posts)


class TicketPair(NamedTuple):
    question: str
    answer: str
    question_ids: tuple[int, ...]   # indexes into ticket.posts
    answer_ids: tuple[int, ...]
    exchange: int                   # 0 for the resolution pair, 1, 2, ... per exchange


# --- courtesy messages --------------------------------------------------------------------------
_COURTESY_WORDS = (
    r"thanks?|thank you|thankyou|thx|ty|tyvm|cheers|many thanks|much appreciated|appreciated|appreciate it"
    r"|great|perfect|brilliant|awesome|excellent|wonderful|lovely|super|fantastic|amazing|nice|cool|good"
    r"|ok|okay|okey|k|alright|all right|sure|got it|noted|understood|will do|sounds good|great stuff"
    r"|that worked|it worked|that works|works now|working now|it works|all working|all sorted|sorted|solved|fixed"
    r"|that fixed it|that did it|that did the trick|all good|that's all|that is all|that helps|that helped|very helpful"
    r"|so much|very much|a lot|again|for (?:your|the|all your) (?:help|assistance|support|time|quick (?:reply|response)|reply)"
    r"|for (?:helping|sorting (?:this|that|it)(?: out)?|that)|you(?:'re| are) (?:a star|the best|welcome)|you too"
    r"|(?:you're|you are|your) welcome|no problem|no worries|np|my pleasure|glad (?:to help|i could help|that helped|it worked|it's sorted)"
    r"|happy to help|any time|anytime|have a (?:great|nice|good|lovely) (?:day|week|weekend)|take care|best|regards"
    r"|kind regards|best regards|yes|yep|yeah|hi|hello|dear|team|all|everyone|please|pls"
    r"|(?:i'?(?:ll| will)|we'?(?:ll| will)) (?:close|mark|resolve|set) (?:this|the|your) (?:one|ticket|request|case|incident)(?: (?:now|as (?:solved|resolved|closed)))?"
    r"|closing (?:this|the|your) (?:one|ticket|request|case|incident)(?: now| off)?|this one|(?:this|the|your) (?:ticket|request|case) (?:is|has been|will be) (?:now )?(?:closed|resolved|solved)"
    r"|marking (?:this|it) (?:as )?(?:solved|resolved|closed)|resolved|closed|done|issue resolved|problem solved"
    r"|let (?:us|me) know if (?:you need|there is) anything else|if you need anything else(?:,? (?:just )?(?:let us know|get in touch|reply))?"
    r"|feel free to (?:reopen|reply|get in touch)(?: if you need (?:anything|more help))?"
)


def _longest_first(alternatives: str) -> str:
    """Top-level alternatives sorted longest first, so "thank you" wins over "thank"."""
    parts, depth, cur = [], 0, ""
    for ch in alternatives:
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    parts.append(cur)
    return "|".join(sorted(parts, key=len, reverse=True))


_COURTESY_RX = re.compile(r"\b(?:" + _longest_first(_COURTESY_WORDS) + r")\b", re.I)
_COURTESY_MAX = 160
_WORD = re.compile(r"[^\W\d_]{2,}|\d+")
_VOCAB = frozenset(re.findall(r"[a-z']{2,}", re.sub(r"\(\?:|\)|\?|\|", " ", _COURTESY_WORDS.replace("'?", "'"))))
_VOCAB = _VOCAB | {w.replace("'", "") for w in _VOCAB} | {"re", "ll", "ve", "you're", "that's", "it's", "i'll",
                                                           "we'll", "i've"}  # longer than this (drafted) and it is a message with content


def is_courtesy(text: str | Post) -> bool:
    """A message that says nothing a model should learn: thanks, an ok, a "you're welcome,
    closing this" (a name or a greeting around it does not count as content)."""
    if isinstance(text, Post):
        post, text = text, text.text
        if _says_more(text) and not (len(text) <= 4 * _AUTO_CLOSE_MAX and _AUTO_CLOSE.search(text)):
            return False
        cleaned = post.cleaned()
    else:
        from engine.ingest import drafting

        cleaned = drafting.draft_answer(text)
    t = " ".join(cleaned.split()) or " ".join(text.split())
    if not t:
        return True
    if len(t) <= _AUTO_CLOSE_MAX and _AUTO_CLOSE.search(t):
        return True  # "we haven't heard back, so we're closing this request": no answer
    if len(t) > _COURTESY_MAX:
        return False
    words = _WORD.findall(t.lower())
    if sum(1 for w in words if w not in _VOCAB) > 2:
        return False  # more words than a name that are in no courtesy: content (the cheap test)
    rest = _strip_courtesy(t)
    return len(re.findall(r"[^\W\d_]{2,}|\d+", rest)) == 0


# a helpdesk's auto-close after no reply (found on the evaluation set of bench/measure_helpdesk_import.py)
_AUTO_CLOSE = re.compile(
    r"\b(?:(?:haven't|have not|hasn't|has not|didn't|did not|not) (?:heard back|(?:yet )?(?:received|had|got) (?:a |any )?"
    r"(?:reply|response|answer|update))|no (?:reply|response) (?:was )?received|due to (?:no (?:reply|response)|inactivity)"
    r"|(?:closing|closed|close) (?:this|the|your) (?:ticket|request|case)[^.]{0,30}\b(?:no (?:reply|response)|inactivity))",
    re.I)
_AUTO_CLOSE_MAX = 300
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _says_more(raw: str) -> bool:
    """The cheap test before any cleaning: the first paragraph after a greeting line has more
    than a few words that are in no courtesy (a "thanks" paragraph has none, or a name)."""
    head = raw[:600].lstrip()
    paragraphs = _PARAGRAPH.split(head, maxsplit=2)
    first = paragraphs[0]
    if len(paragraphs) > 1 and len(first) < 40 and "\n" not in first.strip():
        first = paragraphs[1]  # "Hi Sam," on a line of its own
    n = 0
    for w in _WORD.findall(first.lower()):
        if w not in _VOCAB:
            n += 1
            if n > 4:
                return True
    return False


def _strip_courtesy(t: str) -> str:
    # the courtesy vocabulary, then capitalised single words (a name: "Thanks Priya!")
    out = _COURTESY_RX.sub(" ", t)
    words = [w for w in out.split() if re.search(r"\w", w)]
    if len(words) <= 2:
        out = " ".join(w for w in words if not re.fullmatch(r"[A-Z][a-z]{1,15}[,.!]*", w))
    return out


# --- HTML ---------------------------------------------------------------------------------------
_HTML_HINT = re.compile(r"<(?:br|p|div|span|b|i|strong|em|ul|ol|li|table|tr|td|html|body|a|h[1-6]|img)\b[^>]*>", re.I)
_converter = None


def html_to_text(text: str | None) -> str:
    """An HTML body as plain text (html2text: paragraphs and lists kept, images dropped,
    links as their text with the address after it)."""
    if not text:
        return ""
    if not _HTML_HINT.search(text) and "&" not in text:
        return text
    global _converter
    if _converter is None:
        import html2text

        h = html2text.HTML2Text()
        h.body_width = 0
        h.ignore_images = True
        h.ignore_emphasis = True
        h.ignore_tables = False
        h.inline_links = True
        h.protect_links = False
        h.unicode_snob = True
        _converter = h
    try:
        out = _converter.handle(text)
    except Exception:  # a malformed document: the tags stripped is better than nothing
        out = re.sub(r"<[^>]{0,400}>", " ", text)
    out = re.sub(r"\[([^\]\n]{1,200})\]\(\1\)", r"\1", out)  # [https://x](https://x) -> https://x
    return re.sub(r"\n{3,}", "\n\n", out).strip()


# --- pairs ----------------------------------------------------------------------------------------
def _join(texts) -> str:
    return "\n\n".join(t.strip() for t in texts if t and t.strip())


def ticket_pairs(ticket: Ticket, mode: str = "resolution") -> list[TicketPair]:
    """The pairs of one ticket (see the module's docstring). Internal notes are never used."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    public = [(i, p) for i, p in enumerate(ticket.posts) if not p.internal and p.text.strip()]
    courtesy = {i: is_courtesy(p) for i, p in public}
    if any(not p.customer and not p.resolution_note and not courtesy[i] for i, p in public):
        public = [(i, p) for i, p in public if not p.resolution_note]  # the agent's own reply says it better
    if mode == "resolution":
        agent = [i for i, p in public if not p.customer and not courtesy[i]]
        # an agent's question the requester never answered ("Is it the handle or the lock?")
        # resolves nothing: the reply before it does, if any
        while agent and _clarifies(ticket.posts[agent[-1]]) and not any(
                p.customer and i > agent[-1] and not courtesy[i] for i, p in public):
            agent.pop()
        if not agent:
            return []
        answer_at = agent[-1]
        asked = [i for i, p in public if p.customer and i < answer_at and not courtesy[i]]
        # a requester message after an earlier answer that opens a new topic ("That worked. Also,
        # can I ...?") starts the question afresh; a "still failing" keeps the first question
        for k, i in enumerate(asked[1:], start=1):
            if new_topic(ticket.posts[i]) and any(asked[k - 1] < j < i and not _asks(ticket.posts[j]) for j in agent):
                asked = asked[k:]
                break
        if not asked:
            return []
        return [TicketPair(_join(ticket.posts[i].text for i in asked), ticket.posts[answer_at].text.strip(),
                           tuple(asked), (answer_at,), 0)]
    # per exchange: customer run, then agent run
    pairs: list[TicketPair] = []
    asked: list[int] = []
    answered: list[int] = []

    def close() -> None:
        q = [i for i in asked if not courtesy[i]]
        a = [i for i in answered if not courtesy[i]]
        if q and a:
            pairs.append(TicketPair(_join(ticket.posts[i].text for i in q), _join(ticket.posts[i].text for i in a),
                                    tuple(q), tuple(a), len(pairs) + 1))

    for i, p in public:
        if p.customer:
            if answered:
                close()
                asked, answered = [], []
            asked.append(i)
        elif asked:
            answered.append(i)
    if answered:
        close()
    return pairs


_NEW_TOPIC = re.compile(r"\b(?:also|another (?:question|thing)|one more (?:question|thing)|separately|while I have you"
                        r"|on a different note|unrelated|different (?:question|issue)|new question)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def new_topic(post: Post) -> bool:
    """A follow-up that moves on: it opens with a courtesy ("That worked.", "Thanks!") and goes
    on to ask something else, or says so ("also", "another question", "separately")."""
    t = " ".join((post.cleaned() or post.text).split())
    parts = _SENTENCE.split(t, maxsplit=1)
    if len(parts) == 2 and is_courtesy(parts[0]) and not is_courtesy(parts[1]):
        return True
    return bool(_NEW_TOPIC.search(t[:200]))


def _asks(post: Post) -> bool:
    """An agent reply that is a clarifying question, not an answer (short and ends asking)."""
    t = (post.cleaned() or post.text).strip()
    if len(t) > 400:
        return False
    return t.rstrip(" )").endswith("?") or _clarifies(post)


def _clarifies(post: Post) -> bool:
    """An agent reply that opens by asking ("Which floor is that room on? ..."), short."""
    t = (post.cleaned() or post.text).strip()
    return len(t) <= 300 and _SENTENCE.split(t, maxsplit=1)[0].rstrip(" )").endswith("?")


def raw_messages(ticket: Ticket, used_q: tuple[int, ...] = (), used_a: tuple[int, ...] = ()) -> list[dict]:
    """The ticket's posts for the Review page's raw pane: who wrote, when, public or internal,
    the text (cut at RAW_TEXT_CHARS), attachments, and which posts the pair used."""
    out = []
    for i, p in enumerate(ticket.posts):
        m = {"author": p.author, "role": "requester" if p.customer else "agent", "internal": p.internal,
             "created": p.created, "text": p.text[:RAW_TEXT_CHARS]}
        if p.attachments:
            m["attachments"] = list(p.attachments)
        if p.resolution_note:
            m["resolution_note"] = True
        if i in used_q:
            m["used"] = "question"
        elif i in used_a:
            m["used"] = "answer"
        out.append(m)
    return out


def summary_line(vendor: str, tickets: int, public_replies: int, internal_notes: int, attachments: int = 0) -> str:
    """"Zendesk export: 1,204 tickets, 3,880 public replies, 611 internal notes"."""
    name = VENDOR_NAMES.get(vendor, vendor)
    public, internal = public_replies, internal_notes
    what = "thread" if vendor == "mail" else "ticket"
    text = (f"{name}: {tickets:,} {what}{'s' if tickets != 1 else ''}, {public:,} public repl"
            f"{'ies' if public != 1 else 'y'}, {internal:,} internal note{'s' if internal != 1 else ''}")
    if attachments:
        text += f", {attachments:,} attachment{'s' if attachments != 1 else ''} (listed, not imported)"
    return text
