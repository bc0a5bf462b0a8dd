"""JSON and JSON Lines exports -> records (tables.open_records dispatches here by format).

Handles a plain array, a wrapper object ({"tickets": [...]}, pandas `to_json` layouts), fields in
nested objects ({"question": {"text": ...}}, HubSpot "properties"), and tickets with nested
comment lists (Zendesk/Freshdesk full exports), which become one record per message so the
conversation importer can pair them.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Iterator

from engine.workspace.errors import BadInput, Cancelled
from engine.ingest.detect import ErrorSink, read_text
from engine.ingest.mapping import (AGENT_FLAGS, CUSTOMER_FLAGS, DETECT_ROWS, THREAD_ALIASES, guess_pair_mapping,
                                   norm_header)


_TEXT_KEYS = ("text", "body", "content", "value", "plain", "plaintext", "plainbody", "html", "htmlbody", "markdown")


def _flatten_objects(rec: dict) -> dict:
    """One level of nested objects: {"question": {"text": "..."}} -> {"question": "..."};
    {"properties": {"subject": ..., "description": ...}} -> their fields beside the others
    (named parent_field when the name is taken). Lists are left as they are."""
    if not any(isinstance(v, dict) for v in rec.values()):
        return rec
    out: dict = {}
    nested: list[tuple[str, dict]] = []
    for k, v in rec.items():
        if isinstance(v, dict):
            text_key = next((c for c in v if norm_header(c) in _TEXT_KEYS and isinstance(v[c], str)), None)
            if text_key is not None:
                out[k] = v[text_key]
            else:
                nested.append((k, v))
        else:
            out[k] = v
    for k, v in nested:
        for c, x in v.items():
            if isinstance(x, (dict, list)):
                continue
            out[c if c not in out and c not in rec else f"{k}_{c}"] = x
    return out


def _flatten_shape(rec: dict) -> dict:
    """Chat `messages` / ShareGPT `conversations` -> question (first user message) and answer
    (the assistant reply after it). A system message is ignored."""
    msgs = rec.get("messages")
    key = "messages"
    if not isinstance(msgs, list):
        msgs, key = rec.get("conversations"), "conversations"
        if not isinstance(msgs, list):
            return rec
    question = answer = None
    for m in msgs:
        if not isinstance(m, dict):
            continue
        role = str(m.get("role", m.get("from", ""))).lower()
        content = m.get("content", m.get("value"))
        if isinstance(content, list):  # [{"type": "text", "text": ...}]
            content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if role in ("user", "human") and question is None:
            question = content
        elif role in ("assistant", "gpt", "bot", "model") and question is not None:
            answer = content
            break
    out = {k: v for k, v in rec.items() if k != key}
    if "question" not in out:
        out["question"] = question if question is not None else ""
    if "answer" not in out:
        out["answer"] = answer if answer is not None else ""
    return out


_WRAPPER_KEYS = ("tickets", "ticket", "data", "items", "results", "records", "rows", "requests", "cases",
                 "issues", "incidents", "conversations", "entries", "value")


def _pandas_table(data: dict) -> list[dict] | None:
    """The rows of a table written by pandas `DataFrame.to_json` in its "split", "columns"
    (the default: {column: {row: value}}) or "index" ({row: {column: value}}) layout; None
    when `data` is not one."""
    cols, rows = data.get("columns"), data.get("data")
    if (isinstance(cols, list) and isinstance(rows, list) and cols and all(isinstance(c, str) for c in cols)
            and all(isinstance(r, list) for r in rows)):
        return [dict(zip(cols, r)) for r in rows]
    if not data or not all(isinstance(v, dict) for v in data.values()):
        return None
    outer = guess_pair_mapping(list(data))
    if "question" in outer and "answer" in outer:  # {column: {row: value}}
        index: list[str] = []
        for v in data.values():
            index.extend(k for k in v if k not in index)
        return [{c: data[c].get(i) for c in data} for i in index]
    inner = guess_pair_mapping(list(next(iter(data.values()))))
    if "question" in inner and "answer" in inner:  # {row: {column: value}}
        return list(data.values())
    return None


def _unwrap(data: dict) -> list:
    """{"tickets": [...], "count": 2, "users": [...]} -> the ticket list; a single ticket
    object (question/answer keys, or one chat `messages` record) -> [data]."""
    flat = _flatten_shape(data)
    if flat is not data and (str(flat.get("question") or "").strip() or str(flat.get("answer") or "").strip()):
        return [data]  # one chat record
    table = _pandas_table(data)
    if table is not None:
        return table
    own = guess_pair_mapping(list(data))
    if "question" in own and "answer" in own:
        return [data]
    lists = {k: v for k, v in data.items()
             if isinstance(v, list) and v and sum(isinstance(x, dict) for x in v) * 2 >= len(v)}
    if len(lists) > 1:
        known = [k for k in lists if norm_header(k) in _WRAPPER_KEYS]
        if len(known) == 1:
            return lists[known[0]]
    if len(lists) == 1:
        return next(iter(lists.values()))
    if not lists and any(isinstance(v, list) for v in data.values()):
        if all(not v for v in data.values() if isinstance(v, list)):
            return []  # {"tickets": []}: no records
    return [data]


def json_records(path: Path, info: dict, on_error: ErrorSink, progress, cancel) -> Iterator:
    text = read_text(path, info["encoding"])
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{path.name}: not valid JSON (line {getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)})") from None
    except RecursionError:
        raise BadInput(f"{path.name}: the JSON is nested too deeply to be a ticket export") from None
    if isinstance(data, dict):
        data = _unwrap(data)
    if not isinstance(data, list):
        raise BadInput(f"{path.name}: expected a JSON array of ticket objects")
    total = len(data)
    explode = _should_explode(data)
    for i, item in enumerate(data, start=1):
        if progress is not None and i % 5000 == 0:
            progress(i, total, f"Reading {path.name}")
            if cancel is not None and cancel():
                raise Cancelled()
        if not isinstance(item, dict):
            on_error(i, f"element {i} is not an object ({type(item).__name__})")
            continue
        if explode:
            nested = _nested_messages(item)
            if nested is not None:
                for rec in _explode(item, nested, i):
                    yield i, rec
                continue
        yield i, _flatten_shape(_flatten_objects(item))


# Keys under which a ticket object holds its messages: {"tickets": [{"comments": [...]}]}
_NESTED_KEYS = ("comments", "conversations", "conversation", "replies", "thread", "threads", "posts", "notes",
                "interactions", "messages", "emails", "correspondence", "ticketcomments", "articles")
_REQUESTER_KEYS = ("requesterid", "requester", "customerid", "customer", "submitterid", "reporterid", "reporter")
_CONVERSATION_KEY = "ticket_id"
_FROM_REQUESTER = "from_customer"  # a role column (true: the ticket's requester wrote it)
_CHAT_ROLES = ("user", "human", "assistant", "gpt", "bot", "model", "system")


def _nested_messages(item: dict) -> str | None:
    """The key of a ticket's list of message objects (not a chat `messages` record), or None."""
    for k, v in item.items():
        if norm_header(k) in _NESTED_KEYS and isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            if any(str(x.get("role", x.get("from", ""))).lower() in _CHAT_ROLES for x in v):
                return None  # a chat fine-tuning record (user/assistant messages)
            return k
    return None


def _should_explode(data: list) -> bool:
    """Tickets with nested messages and no answer field of their own: one record per message
    (a conversation export, paired by engine.ingest.threads)."""
    keys: list[str] = []
    nested = False
    for item in data[:DETECT_ROWS]:
        if isinstance(item, dict):
            k = _nested_messages(item)
            nested = nested or k is not None
            keys.extend(x for x in item if x != k and x not in keys)
    return nested and "answer" not in guess_pair_mapping(keys)


def _explode(item: dict, key: str, index: int) -> list[dict]:
    """One record per message of a ticket, with the ticket's id as `ticket_id` and one level of
    nested objects flattened ({"author": {"role": "agent"}} -> author_role). A description held
    on the ticket and not repeated as the first message is the customer's first message."""
    conv = ""
    for k, v in item.items():
        if norm_header(k) in ("id", "ticketid", "key", "number", "ticketnumber", "issuekey", "caseid") and v not in (None, ""):
            conv = str(v)
            break
    conv = conv or f"#{index}"
    msgs = []
    for m in item[key]:
        rec: dict = {_CONVERSATION_KEY: conv}
        for k, v in m.items():
            if isinstance(v, dict):
                for k2, v2 in v.items():
                    if not isinstance(v2, (dict, list)):
                        rec.setdefault(f"{k}_{k2}", v2)
            elif k != _CONVERSATION_KEY:
                rec[k] = v
        msgs.append(rec)
    names = {norm_header(k): k for k in msgs[0]}
    body = next((names[a] for a in THREAD_ALIASES["body"] if a in names), None)
    all_keys = {norm_header(k): k for m in msgs for k in m}
    author = next((all_keys[a] for a in THREAD_ALIASES["author"] if a in all_keys), None)
    requester = next((item[k] for k in item if norm_header(k) in _REQUESTER_KEYS
                      and not isinstance(item[k], (dict, list))), None)
    if author and requester is not None and any(str(m.get(author)) == str(requester) for m in msgs):
        # the requester's messages are the customer's, even when an agent opened the ticket for them
        for m in msgs:
            m[_FROM_REQUESTER] = str(m.get(author)) == str(requester)
    q_key = guess_pair_mapping([k for k in item if k != key]).get("question")
    desc = item.get(q_key) if q_key else None
    if body and isinstance(desc, str) and desc.strip():
        first = msgs[0].get(body)
        if " ".join(str(first or "").split()) != " ".join(desc.split()):
            opener: dict = {_CONVERSATION_KEY: conv, body: desc}
            for nk, k in all_keys.items():
                if nk in CUSTOMER_FLAGS:
                    opener[k] = True
                elif nk in AGENT_FLAGS:
                    opener[k] = False
            if author and requester is not None:
                opener[author] = requester
            if _FROM_REQUESTER in msgs[0]:
                opener[_FROM_REQUESTER] = True
            msgs.insert(0, opener)
    return msgs


def jsonl_records(path: Path, info: dict, on_error: ErrorSink, progress, cancel) -> Iterator:
    objects = _jsonl_objects(path, info, on_error, progress, cancel)
    head = list(itertools.islice(objects, DETECT_ROWS))
    explode = _should_explode([item for _, item in head])  # one ticket per line with its comments inside
    for n, item in itertools.chain(head, objects):
        if explode:
            nested = _nested_messages(item)
            if nested is not None:
                for rec in _explode(item, nested, n):
                    yield n, rec
                continue
        yield n, _flatten_shape(_flatten_objects(item))


def _jsonl_objects(path: Path, info: dict, on_error: ErrorSink, progress, cancel) -> Iterator[tuple[int, dict]]:
    text = read_text(path, info["encoding"])
    lines = text.split("\n")
    total = len(lines)
    for n, line in enumerate(lines, start=1):
        if progress is not None and n % 5000 == 0:
            progress(n, total, f"Reading {path.name}")
            if cancel is not None and cancel():
                raise Cancelled()
        line = line.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            on_error(n, f"invalid JSON ({getattr(exc, 'msg', exc)})")
            continue
        except RecursionError:
            on_error(n, "the JSON is nested too deeply")
            continue
        if not isinstance(item, dict):
            on_error(n, f"not a JSON object ({type(item).__name__})")
            continue
        yield n, item
