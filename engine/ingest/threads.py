"""Conversation exports (one row per message) -> question/answer pairs.

Pure functions, no database, no file reading. Two shapes:

- reply links (Twitter-style, email `In-Reply-To`): each message names the message it answers.
  Every customer message with a company reply becomes a question; its first company reply
  is the answer. Earlier messages of the same customer in the same chain that got no reply of
  their own are joined to the question; a company message continued by the same author
  (a "1/2", "2/2" split) is joined to the answer.
- grouped conversations (Zendesk/Freshdesk comment exports): rows share a ticket id and are
  ordered by time (or a sequence column, or file order). The customer's first message(s) are
  the question and the agent's next message the answer; each later customer turn and the
  agent message after it is a further pair.

    pairs_from_replies(messages) -> ThreadResult
    pairs_from_conversations(messages) -> ThreadResult
    time_key(text) -> float | None (a sortable timestamp from the usual export formats)

A follow-up that is short ("yes, tried that") gets the message it answers in front, in
brackets, so the pair still makes sense alone. Messages that do not end up in a pair are
counted per reason in `ThreadResult.skipped` (no reply, reply to a message not in the file, ...)
rather than reported one by one: a real export has thousands of them.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple

from engine.ingest import drafting

MAX_JOINED = 5            # customer messages joined into one question (answer parts: the same)
SHORT_FOLLOW_UP = 80      # a cleaned question shorter than this gets the message it answers in front
CONTEXT_CHARS = 300       # ... cut to this many characters

# skip reasons (the keys of ThreadResult.skipped)
NO_REPLY = "no reply"
ORPHAN = "reply to a message not in the file"
NOT_A_REPLY = "company message not answering a customer"
EXTRA_REPLY = "further company reply (first one kept)"
EMPTY = "empty message"
NO_ROLE = "sender unknown"
INTERNAL = "internal note"


@dataclass(slots=True)
class Message:
    line: int
    id: str = ""
    text: str = ""
    customer: bool | None = None   # None: not known (see roles_from_authors)
    reply_to: str = ""
    conversation: str = ""
    author: str = ""
    created: str = ""
    sequence: str = ""
    internal: bool = False
    _key: tuple = field(default=(), repr=False)


class ThreadPair(NamedTuple):
    question: str
    answer: str
    external_id: str
    created: str
    line: int
    question_ids: tuple[str, ...]
    answer_ids: tuple[str, ...]
    conversation: str


@dataclass
class ThreadResult:
    pairs: list[ThreadPair]
    skipped: dict[str, int]
    messages: int
    conversations: int


# --- time ordering ----------------------------------------------------------------------------
_FORMATS = ("%a %b %d %H:%M:%S %z %Y",  # Twitter: "Wed Oct 11 06:55:44 +0000 2017"
            "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
            "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S",
            "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%b %d, %Y %I:%M %p", "%Y-%m-%d %H:%M:%S %z",
            "%Y/%m/%d %H:%M", "%d %b %Y, %H:%M", "%d %b %Y, %H:%M:%S", "%d/%b/%y %I:%M %p",  # (Jira)
            "%A, %B %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%B %d, %Y at %I:%M %p", "%Y-%m-%d %I:%M %p",
            "%Y-%m-%d %I:%M:%S %p", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y %I:%M %p",
            "%d.%m.%Y", "%d/%m/%Y")
_last_format: list[str] = [_FORMATS[0]]
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), start=1)}


def time_key(text: str | None) -> float | None:
    """Seconds since 1970 for a timestamp in a common export format (ISO 8601, Twitter's,
    day/month/year ...), a plain number as it is, None when it cannot be read."""
    if not text:
        return None
    s = str(text).strip()
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    parts = s.split(" ")
    if len(parts) == 6 and parts[1] in _MONTHS and len(parts[4]) == 5 and parts[4][0] in "+-":
        # Twitter's "Wed Oct 11 06:55:44 +0000 2017", by hand: strptime is 10x slower
        try:
            h, mi, se = parts[3].split(":")
            off = (int(parts[4][1:3]) * 3600 + int(parts[4][3:5]) * 60) * (1 if parts[4][0] == "+" else -1)
            return _dt.datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), int(h), int(mi), int(se),
                                tzinfo=_dt.timezone.utc).timestamp() - off
        except ValueError:
            pass
    for zone in (" UTC", " GMT", " Z"):
        if s.endswith(zone):  # "2024-03-01 10:00:00 UTC": a time in UTC
            s = s[:-len(zone)].rstrip()
            break
    dt = None
    try:
        dt = _dt.datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        fmt = _last_format[0]
        try:
            dt = _dt.datetime.strptime(s, fmt)
        except ValueError:
            for fmt in _FORMATS:
                try:
                    dt = _dt.datetime.strptime(s, fmt)
                except ValueError:
                    continue
                _last_format[0] = fmt
                break
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_dt.timezone.utc)
    return dt.timestamp()


def _order(messages: list[Message]) -> None:
    """Set each message's sort key: time when every message has a readable one, else the
    sequence column when every message has a number there, else the file line."""
    times = [time_key(m.created) for m in messages]
    if messages and all(t is not None for t in times):
        for m, t in zip(messages, times):
            m._key = (t, _num(m.sequence), m.line)
        return
    seqs = [_num(m.sequence) for m in messages]
    if messages and all(q != float("inf") for q in seqs):
        for m, q in zip(messages, seqs):
            m._key = (q, m.line)
        return
    for m in messages:
        m._key = (m.line,)


def _num(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("inf")


# --- helpers ----------------------------------------------------------------------------------
def _join(texts: Iterable[str]) -> str:
    return "\n\n".join(t.strip() for t in texts if t and t.strip())


def _with_context(question: str, before: Message | None) -> str:
    """A short follow-up gets the message it answers in front, cleaned and cut."""
    if before is None or not before.text.strip():
        return question
    if len(question) > 4 * SHORT_FOLLOW_UP or len(drafting.draft_question(question)) >= SHORT_FOLLOW_UP:
        return question  # (a long raw text is not cleaned just to measure it)
    ctx = drafting.draft_answer(before.text).replace("\n", " ").strip()
    if not ctx:
        return question
    if len(ctx) > CONTEXT_CHARS:
        ctx = ctx[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " ..."
    who = "the customer" if before.customer else "support"
    return f"(Earlier, {who} wrote: {ctx})\n{question}"


def roles_from_authors(messages: list[Message], by_reply: bool) -> None:
    """No role column: the author who starts a conversation is the customer, everyone else
    answering in it is the company. Fills `customer` where it is None."""
    if by_reply:
        by_id = {m.id: m for m in messages if m.id}
        root_author: dict[str, str] = {}
        for m in messages:
            chain, cur = [], m
            while True:
                if cur.id in root_author:
                    author = root_author[cur.id]
                    break
                chain.append(cur)
                parent = by_id.get(cur.reply_to) if cur.reply_to else None
                if parent is None or len(chain) > len(by_id):
                    author = cur.author
                    break
                cur = parent
            for c in chain:
                if c.id:
                    root_author[c.id] = author
            if m.customer is None:
                m.customer = m.author == author
    else:
        first: dict[str, str] = {}
        for m in sorted(messages, key=lambda x: x._key or (x.line,)):
            author = first.setdefault(m.conversation, m.author)
            if m.customer is None:
                m.customer = m.author == author


def _usable(messages: list[Message], skipped: Counter) -> list[Message]:
    out = []
    for m in messages:
        if not m.text.strip():
            skipped[EMPTY] += 1
        elif m.internal:
            skipped[INTERNAL] += 1
        elif m.customer is None:
            skipped[NO_ROLE] += 1
        else:
            out.append(m)
    return out


# --- reply links ------------------------------------------------------------------------------
def pairs_from_replies(messages: list[Message], cancel: Callable[[], bool] | None = None) -> ThreadResult:
    """Pairs from messages that name the message they reply to (`reply_to` = another `id`).
    Message ids must be unique (the caller reports repeats as bad rows)."""
    skipped: Counter = Counter()
    total = len(messages)
    _order(messages)
    msgs = _usable(messages, skipped)
    by_id = {m.id: m for m in msgs}
    children: dict[str, list[Message]] = defaultdict(list)
    for m in msgs:
        if m.reply_to and m.reply_to in by_id:
            children[m.reply_to].append(m)
    roots = sum(1 for m in msgs if not m.reply_to or m.reply_to not in by_id)

    first_reply: dict[str, Message] = {}
    for m in msgs:
        if m.customer:
            replies = [c for c in children.get(m.id, ()) if not c.customer]
            if replies:
                first_reply[m.id] = min(replies, key=lambda c: c._key)

    used: set[str] = set()
    pairs: list[ThreadPair] = []
    for i, c in enumerate(sorted((by_id[k] for k in first_reply), key=lambda x: x._key)):
        if cancel is not None and i % 5000 == 0 and cancel():
            from engine.workspace.errors import Cancelled
            raise Cancelled()
        # the question: this message and the same customer's earlier unanswered ones above it
        chain = [c]
        p = by_id.get(c.reply_to)
        while (p is not None and p.customer and p.id not in first_reply and p.id not in used
               and (p.author == c.author or not (p.author and c.author)) and len(chain) < MAX_JOINED):
            chain.append(p)
            p = by_id.get(p.reply_to)
        chain.reverse()
        # the answer: the first company reply, plus its author's own continuations ("2/2")
        a = first_reply[c.id]
        answer = [a]
        while len(answer) < MAX_JOINED:
            nxt = [x for x in children.get(answer[-1].id, ()) if not x.customer and x.author == a.author
                   and x.id not in used]
            if not nxt:
                break
            answer.append(min(nxt, key=lambda x: x._key))
        used.update(m.id for m in chain)
        used.update(m.id for m in answer)
        question = _join(m.text for m in chain)
        question = _with_context(question, p if chain[0].reply_to else None)
        pairs.append(ThreadPair(question, _join(m.text for m in answer), chain[0].id, chain[0].created,
                                chain[0].line, tuple(m.id for m in chain), tuple(m.id for m in answer),
                                chain[0].conversation))

    for m in msgs:
        if m.id in used:
            continue
        if m.customer:
            skipped[NO_REPLY] += 1
        elif not m.reply_to:
            skipped[NOT_A_REPLY] += 1
        elif m.reply_to not in by_id:
            skipped[ORPHAN] += 1
        elif by_id[m.reply_to].customer:
            skipped[EXTRA_REPLY] += 1
        else:
            skipped[NOT_A_REPLY] += 1
    pairs.sort(key=lambda p: p.line)
    return ThreadResult(pairs, dict(skipped), total, roots)


# --- grouped conversations --------------------------------------------------------------------
def pairs_from_conversations(messages: list[Message], cancel: Callable[[], bool] | None = None) -> ThreadResult:
    """Pairs from messages grouped by `conversation` (a ticket id), ordered by `created`, else
    `sequence`, else the file order."""
    skipped: Counter = Counter()
    total = len(messages)
    groups: dict[str, list[Message]] = defaultdict(list)
    for m in messages:
        groups[m.conversation].append(m)
    pairs: list[ThreadPair] = []
    for gi, (conv, group) in enumerate(groups.items()):
        if cancel is not None and gi % 5000 == 0 and cancel():
            from engine.workspace.errors import Cancelled
            raise Cancelled()
        _order(group)
        group.sort(key=lambda m: m._key)
        group = _usable(group, skipped)
        waiting: list[Message] = []      # customer messages without an answer yet
        last_answer: Message | None = None
        answered_turn = False            # the agent already answered the current customer turn
        exchange = 0
        for m in group:
            if m.customer:
                waiting.append(m)
                answered_turn = False
                continue
            if not waiting:
                prev = pairs[-1] if answered_turn and pairs else None
                if (prev is not None and last_answer is not None and len(prev.answer_ids) < MAX_JOINED
                        and _continues(last_answer, m)):
                    # the same agent's next message seconds later: the rest of the answer
                    joined = _join((prev.answer, m.text))
                    pairs[-1] = prev._replace(answer=joined, answer_ids=prev.answer_ids + (m.id,))
                    # (the whole answer is the context of a later short follow-up; the time is the last part's)
                    last_answer = Message(line=m.line, id=m.id, text=joined, customer=False, author=m.author,
                                          created=m.created)
                    continue
                skipped[EXTRA_REPLY if answered_turn else NOT_A_REPLY] += 1
                continue
            if len(waiting) > MAX_JOINED:  # a long monologue: the last few messages are the question
                skipped[NO_REPLY] += len(waiting) - MAX_JOINED
                waiting = waiting[-MAX_JOINED:]
            exchange += 1
            question = _join(w.text for w in waiting)
            if exchange > 1:
                question = _with_context(question, last_answer)
            first = waiting[0]
            pairs.append(ThreadPair(question, m.text.strip(), conv, first.created, first.line,
                                    tuple(w.id for w in waiting), (m.id,), conv))
            waiting = []
            last_answer = m
            answered_turn = True
        skipped[NO_REPLY] += len(waiting)
    if skipped[NO_REPLY] == 0:
        del skipped[NO_REPLY]
    pairs.sort(key=lambda p: p.line)
    return ThreadResult(pairs, {k: v for k, v in skipped.items() if v}, total, len(groups))


CONTINUATION_SECONDS = 300  # an agent message this soon after their last one continues it


def _continues(before: Message, m: Message) -> bool:
    """`m` is the same agent's next message within a few minutes: one answer sent in parts."""
    if not (before.author and m.author and before.author == m.author):
        return False
    t0, t1 = time_key(before.created), time_key(m.created)
    return t0 is not None and t1 is not None and 0 <= t1 - t0 <= CONTINUATION_SECONDS


def make_pairs(messages: list[Message], by_reply: bool, cancel: Callable[[], bool] | None = None) -> ThreadResult:
    """Fill unknown roles from the authors, then pair by reply links or by conversation."""
    if any(m.customer is None and m.author for m in messages):
        if not by_reply:  # the first author of each conversation, in time order
            by_conv: dict[str, list[Message]] = defaultdict(list)
            for m in messages:
                by_conv[m.conversation].append(m)
            for g in by_conv.values():
                _order(g)
        roles_from_authors(messages, by_reply)
    if by_reply:
        return pairs_from_replies(messages, cancel)
    return pairs_from_conversations(messages, cancel)
