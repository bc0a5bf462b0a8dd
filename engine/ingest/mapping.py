"""Which column holds what: the question, the answer, the ticket id... (guess, resolve, validate).

    guess_mapping(columns, rows=None) -> {"question": col, "answer": col, ...}
    guess_thread_mapping(columns, rows) -> the mapping of a conversation export (one row per message)
    mapping_shape(mapping) -> "pairs" | "thread"
    check_mapping(user_mapping) / resolve_mapping(...) / resolve_thread_mapping(...): the user's
        choices (`--map`, the import wizard) on top of the guess; a column that is not there, or a
        needed field that is missing, raises `BadInput` saying what to choose
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from engine.workspace.errors import BadInput

FIELDS = ("question", "answer", "id", "subject", "created")
OPTIONAL_FIELDS = ("context",)  # alpaca `input`: appended to the question
ALL_FIELDS = FIELDS + OPTIONAL_FIELDS
DETECT_ROWS = 500  # rows read to recognise a conversation export

# Header names (normalised: lower case, no spaces/underscores/dashes) for each field, best first.
_ALIASES: dict[str, list[str]] = {
    "question": ["question", "body", "description", "message", "issue", "query", "customermessage",
                 "text", "request", "instruction", "prompt", "input", "questiontext", "ticketbody",
                 "ticketdescription", "customerquestion", "utterance", "customerutterance", "descriptiontext",
                 "tickettext", "issuedescription", "problemdescription", "problem", "customerquery", "userquery",
                 "querytext", "requesttext", "requestdetails", "requestdescription", "inquiry", "enquiry",
                 "customerrequest", "userquestion", "employeequestion", "questionbody",
                 # other languages
                 "frage", "anfrage", "beschreibung", "pregunta", "descripción", "descripcion", "domanda",
                 "descrizione", "vraag", "omschrijving", "beschrijving", "pergunta", "descrição", "descricao",
                 "質問", "問題", "问题", "問い合わせ内容", "问题描述"],
    "answer": ["answer", "reply", "response", "resolution", "agentreply", "solution", "output",
               "completion", "answertext", "agentresponse", "resolutionnotes", "closenotes", "closurenotes",
               "resolutionnote", "resolutioncomments", "resolutiondescription", "solutiondescription",
               "agentanswer", "supportresponse", "supportreply", "replytext", "responsetext", "resolutiontext",
               "fix", "staffresponse", "staffreply", "hrresponse", "itresponse", "finalresponse", "answerbody",
               "antwort", "lösung", "loesung", "réponse", "reponse", "résolution", "respuesta", "solución",
               "solucion", "risposta", "soluzione", "antwoord", "oplossing", "resposta", "solução", "solucao",
               "回答", "答案", "回复", "解决方案"],
    "id": ["id", "ticketid", "key", "number", "ticket", "ticketnumber", "ticketno", "issuekey",
           "caseid", "casenumber", "requestid", "issueid", "incidentid", "incidentnumber"],
    "subject": ["subject", "title", "summary", "topic", "shortdescription", "ticketname", "ticketsubject",
                "tickettitle", "ticketsummary", "betreff", "objet", "titre", "asunto", "título", "titulo",
                "oggetto", "titolo", "onderwerp", "assunto", "件名", "主题", "标题"],
    "created": ["created", "createdat", "date", "opened", "timestamp", "createddate", "opendate",
                "openedat", "createdon", "datecreated", "time", "createdtime", "syscreatedon", "createdate",
                "creationdate", "createddatetime", "openedon"],
    "context": ["context", "input"],
}


def norm_header(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name)).lower()


def guess_mapping(columns: list[str], rows: list[dict] | None = None) -> dict[str, str]:
    """Guess which column holds each field from the headers (case/space/underscore-insensitive).
    Fields with no likely column are left out. With sample `rows`, a file without an answer
    column that is a conversation export (one row per message) gets the `thread` mapping
    (see guess_thread_mapping; `mapping_shape` tells the two apart)."""
    mapping = guess_pair_mapping(columns)
    if rows is not None and "answer" not in mapping:
        thread = guess_thread_mapping(columns, rows)
        if thread is not None:
            return thread
    return mapping


def guess_pair_mapping(columns: list[str]) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(norm_header(c), c)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in FIELDS:
        for alias in _ALIASES[field]:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping[field] = col
                used.add(col)
                break
    # alpaca: instruction + input + output -> input is context for the instruction
    if mapping.get("question") and norm_header(mapping["question"]) in ("instruction", "prompt"):
        for alias in _ALIASES["context"]:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping["context"] = col
                used.add(col)
                break
    return mapping


# --- conversation exports: one row per message -----------------------------------------------
# Fields of the `thread` shape. `customer` is not a column: it holds the values of the role
# column that mean "the customer wrote this" (comma-separated, compared case-insensitively).
THREAD_FIELDS = ("message_id", "reply_to", "conversation", "role", "customer", "author", "body",
                 "created", "sequence", "public", "private")
THREAD_ALIASES: dict[str, list[str]] = {
    "message_id": ["messageid", "tweetid", "commentid", "msgid", "postid", "eventid", "articleid",
                   "noteid", "id"],
    "reply_to": ["inresponsetotweetid", "inresponseto", "inresponsetoid", "inreplyto", "inreplytoid",
                 "inreplytostatusid", "inreplytomessageid", "replyto", "replytoid", "replytomessageid",
                 "parentid", "parentmessageid", "parentcommentid", "parent", "responseto"],
    "conversation": ["conversationid", "ticketid", "threadid", "chatid", "caseid", "dialogueid", "dialogid",
                     "sessionid", "conversation", "ticket", "thread", "ticketnumber", "ticketno", "casenumber",
                     "requestid", "issueid", "issuekey", "dialogue", "chat"],
    "role": ["role", "authorrole", "authortype", "sendertype", "senderrole", "usertype", "fromtype",
             "participanttype", "speaker", "direction", "inbound", "isinbound", "incoming", "isincoming", "fromcustomer",
             "iscustomer", "outbound", "isoutbound", "isagent", "fromagent", "byagent", "isstaff",
             "agent", "from", "sender", "party", "actor", "who", "type"],
    "author": ["authorid", "author", "userid", "senderid", "fromid", "authorname", "sendername",
               "username", "screenname", "user", "from", "sender", "requester"],
    "body": ["text", "body", "message", "comment", "content", "plainbody", "bodytext", "messagebody", "commentbody",
             "messagetext", "commenttext", "utterance", "htmlbody", "value", "description", "note"],
    "created": _ALIASES["created"] + ["sentat", "postedat", "createdtime", "sent", "datetime"],
    "sequence": ["sequence", "seq", "position", "turn", "turnindex", "turnnumber", "messageindex",
                 "commentindex", "messagenumber", "index", "order"],
    "public": ["public", "ispublic", "visibletocustomer"],
    # true = an internal note (Freshdesk "private", "is_internal"): the opposite of `public`
    "private": ["private", "isprivate", "internal", "isinternal", "internalnote", "isinternalnote", "privatenote",
                "isnote"],
}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
# a true value in these columns means the customer wrote the message; in AGENT_FLAGS, the company
CUSTOMER_FLAGS = {"inbound", "isinbound", "incoming", "isincoming", "fromcustomer", "iscustomer"}
AGENT_FLAGS = {"outbound", "isoutbound", "isagent", "fromagent", "byagent", "isstaff", "agent"}
_CUSTOMER_WORDS = ("customer", "enduser", "requester", "requestor", "user", "client", "contact", "visitor",
                   "caller", "human", "buyer", "consumer", "guest", "member", "employee", "inbound", "lead", "prospect",
                   "incoming", "received", "in", "external", "patient", "student", "shopper")
_AGENT_WORDS = ("agent", "staff", "support", "admin", "operator", "company", "bot", "assistant",
                "helpdesk", "servicedesk", "system", "chatbot", "rep", "representative", "technician", "engineer",
                "outbound", "outgoing", "out", "sent", "internal", "brand", "business", "advisor", "owner",
                "collaborator", "responder", "expert", "gpt", "model", "ai")
MAX_ROLE_VALUES = 12  # a role column has a handful of values; more means names, not roles


def _role_word(value: str, words: tuple[str, ...]) -> bool:
    v = norm_header(value)
    return any(v == w or (len(w) > 3 and w in v) for w in words)


def customer_values(column: str, values: Iterable[Any]) -> list[str] | None:
    """Which values of a role/direction column mean "the customer wrote this" (lower case), or
    None when the column does not look like one. `values`: the column's cells in some rows."""
    distinct = sorted({str(v).strip().lower() for v in values if v is not None and str(v).strip()})
    if not distinct or len(distinct) > MAX_ROLE_VALUES:
        return None
    col = norm_header(column)
    if all(v in _TRUE or v in _FALSE for v in distinct):
        if col in CUSTOMER_FLAGS:
            return [v for v in distinct if v in _TRUE]
        if col in AGENT_FLAGS:
            return [v for v in distinct if v in _FALSE]
        return None  # "public", "deleted", ...: a yes/no column that does not say who wrote
    customer = [v for v in distinct if _role_word(v, _CUSTOMER_WORDS) and not _role_word(v, _AGENT_WORDS)]
    agent = [v for v in distinct if _role_word(v, _AGENT_WORDS)]
    if not customer and len(distinct) == 2 and len(agent) == 1:
        customer = [v for v in distinct if v not in agent]
    if not customer or (not agent and len(distinct) > 1 and len(customer) < len(distinct)):
        return None
    return customer


def guess_thread_mapping(columns: list[str], rows: list[dict]) -> dict[str, str] | None:
    """The `thread` shape: one row per message, with reply links (message id + in-reply-to id)
    or a conversation id that repeats across rows, plus a role column (or an author column)
    that tells the customer's messages from the company's. None when the file is not one.
    The mapping's "customer" entry holds the role values that mean the customer."""
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(norm_header(c), c)
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def take(field: str, ok=lambda col: True) -> None:
        for alias in THREAD_ALIASES[field]:
            col = by_norm.get(alias)
            if col is not None and col not in used and ok(col):
                mapping[field] = col
                used.add(col)
                return

    def filled(col: str) -> list:
        return [r.get(col) for r in rows if str(r.get(col) if r.get(col) is not None else "").strip()]

    def repeats(col: str) -> bool:
        vals = [str(v).strip() for v in filled(col)]
        return len(vals) >= 2 and len(set(vals)) < len(vals)

    take("reply_to")
    take("message_id")
    if "reply_to" in mapping and "message_id" not in mapping:
        del mapping["reply_to"]
        used.clear()
    take("conversation", repeats)
    if "reply_to" not in mapping and "conversation" not in mapping:
        return None
    for alias in THREAD_ALIASES["role"]:
        col = by_norm.get(alias)
        if col is None or col in used:
            continue
        values = customer_values(col, filled(col))
        if values is not None:
            mapping["role"], mapping["customer"] = col, ",".join(values)
            used.add(col)
            break
    take("author", lambda col: not _looks_like_text(filled(col)))
    take("body")
    take("created")
    take("sequence")
    take("public", lambda col: all(str(v).strip().lower() in _TRUE | _FALSE for v in filled(col)))
    take("private", lambda col: all(str(v).strip().lower() in _TRUE | _FALSE for v in filled(col)))
    if "body" not in mapping:
        return None
    if "role" not in mapping:
        # a role column whose values cannot be read: name it, the importer asks which is the customer
        for alias in THREAD_ALIASES["role"][:20]:
            col = by_norm.get(alias)
            if col is not None and col not in used:
                mapping["role"] = col
                break
        else:
            if "author" not in mapping:
                return None
    return mapping


def _looks_like_text(values: list) -> bool:
    """Long free text (a message body), not an id or a name."""
    return bool(values) and sum(len(str(v)) for v in values) / len(values) > 40


def mapping_shape(mapping: dict[str, str]) -> str:
    """"thread" for a one-row-per-message mapping, "pairs" for question/answer columns."""
    if "answer" not in mapping and "body" in mapping and ("reply_to" in mapping or "conversation" in mapping):
        return "thread"
    return "pairs"


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def check_mapping(mapping: dict | None) -> dict[str, str]:
    """Validate a user mapping {field: column}; unknown fields raise BadInput. Fields of a
    conversation export (THREAD_FIELDS: message_id, reply_to, conversation, role,
    customer = the role values meaning the customer, author, body, ...) are accepted too."""
    if not mapping:
        return {}
    out = {}
    for field, col in mapping.items():
        if field not in ALL_FIELDS and field not in THREAD_FIELDS:
            raise BadInput(f"unknown field {field!r} in the mapping; use one of {', '.join(FIELDS)} "
                           f"(or for a conversation export {', '.join(THREAD_FIELDS)})")
        if col is None or str(col) == "":
            continue
        out[field] = str(col)
    return out


def _chosen_columns(name: str, columns: list[str], override: dict[str, str]) -> dict[str, str]:
    """The user's {field: column} with each column as the file spells it; unknown columns raise."""
    by_norm = {norm_header(c): c for c in columns}
    chosen: dict[str, str] = {}
    for field, col in override.items():
        if field == "customer":
            chosen[field] = col  # values of the role column, not a column
        elif col in columns:
            chosen[field] = col
        elif norm_header(col) in by_norm:
            chosen[field] = by_norm[norm_header(col)]
        else:
            shown = ", ".join(columns[:15]) + (" ..." if len(columns) > 15 else "")
            raise BadInput(f"{name}: there is no column {col!r} (columns: {shown})")
    return chosen


def resolve_mapping(name: str, columns: list[str], override: dict[str, str]) -> dict[str, str]:
    """The guessed mapping with the user's choices on top; user columns must exist in the file."""
    chosen = _chosen_columns(name, columns, override)
    guessed = guess_mapping(columns)
    used = set(chosen.values())
    mapping = dict(chosen)
    for field, col in guessed.items():
        if field not in mapping and col not in used:
            mapping[field] = col
            used.add(col)
    if "question" in mapping and "answer" not in mapping:
        raise BadInput(f"{name}: the file has questions (column {mapping['question']!r}) but no answers; "
                       f"Pairsmith needs each question's reply: export the agents' answers too (an answer "
                       f"column, or one row per message with a ticket id), or pick the column with --map answer=COLUMN")
    if "question" not in mapping or "answer" not in mapping:
        missing = " and ".join(f for f in ("question", "answer") if f not in mapping)
        shown = ", ".join(columns[:15]) + (" ..." if len(columns) > 15 else "") if columns else "none"
        raise BadInput(f"{name}: no {missing} column found (columns: {shown}); "
                       f"choose one with --map {missing.split(' ')[0]}=COLUMN")
    return mapping


def resolve_thread_mapping(name: str, columns: list[str], rows: list[dict],
                           override: dict[str, str]) -> dict[str, str] | None:
    """The conversation-export mapping (guess_thread_mapping) with the user's choices
    on top, or None when neither the file nor the user makes it one. Raises BadInput with what
    to choose when it is one but a needed field is missing."""
    chosen = _chosen_columns(name, columns, override)
    guessed = guess_thread_mapping(columns, rows) or {}
    if not guessed and not (set(chosen) & set(THREAD_FIELDS) - {"created"}):
        return None
    mapping = dict(chosen)
    used = {c for f, c in chosen.items() if f != "customer"}
    for field, col in guessed.items():
        if field == "customer" or field in mapping or col in used:
            continue
        mapping[field] = col
        used.add(col)
    if "role" in mapping and "customer" not in mapping:
        if guessed.get("role") == mapping["role"] and "customer" in guessed:
            mapping["customer"] = guessed["customer"]
        else:
            values = customer_values(mapping["role"], [r.get(mapping["role"]) for r in rows])
            if values is None:
                seen = sorted({as_text(r.get(mapping["role"])).strip() for r in rows} - {""})
                shown = ", ".join(seen[:10]) + (" ..." if len(seen) > 10 else "")
                raise BadInput(f"{name}: a conversation export, but which messages are the customer's? "
                               f"Column {mapping['role']!r} has {shown or 'no values'}; "
                               f"say which with --map customer=VALUE")
            mapping["customer"] = ",".join(values)
    if "body" not in mapping:
        raise BadInput(f"{name}: a conversation export without a message text column; "
                       f"choose it with --map body=COLUMN")
    if "reply_to" in mapping and "message_id" not in mapping:
        raise BadInput(f"{name}: replies name their message by {mapping['reply_to']!r} but there is no "
                       f"message id column; choose it with --map message_id=COLUMN")
    if "reply_to" not in mapping and "conversation" not in mapping:
        raise BadInput(f"{name}: a conversation export needs a ticket/conversation id column or a reply-to "
                       f"column; choose one with --map conversation=COLUMN or --map reply_to=COLUMN")
    if "role" not in mapping and "author" not in mapping:
        raise BadInput(f"{name}: cannot tell the customer's messages from the agents'; choose the column "
                       f"that says who wrote each message with --map role=COLUMN")
    return mapping
