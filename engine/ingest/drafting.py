"""Draft an instruction/response pair from a raw ticket question and answer.

Pure functions, no database. Helpdesk text is full of things a model should not learn:
quoted earlier replies, signatures, greetings, helpdesk footers and legal disclaimers. This
module strips them and keeps the content. The raw text stays untouched in `tickets`; only the
drafted pair goes into `pairs`.

    draft_question(text, subject=None) -> str
    draft_answer(text) -> str
    clean_report(text, kind="answer") -> list of what was stripped (for the editor's "why")

Never returns an empty string when the input had real content: if stripping removes
everything, the lightly cleaned text (whitespace tidied) is returned instead.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

# --- patterns -------------------------------------------------------------------------------
# "On Mon, 3 Mar 2025 at 10:02, Priya Nair <priya@x.com> wrote:" (the header may wrap onto a
# second line in plain-text mail clients).
# The same in other languages: "Le ... a écrit :", "Am ... schrieb ...:", "El ... escribió:",
# "Il giorno ... ha scritto:", "Op ... schreef ...:", "Em ... escreveu:", "Den ... skrev ...:".
_ON_WROTE = re.compile(
    r"^[ \t]*(?:On|Le|Am|El|Il|Op|Em|Den|På|W dniu)\b[^\n]{0,200}(?:\n[^\n]{0,200})?"
    r"\b(?:wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|skrev|napisał)(?:[ \t][^\n]{0,120})?[ \t]?:[ \t]*$",
    re.M | re.I)
# Japanese/Chinese mail clients: "2025年3月3日(月) 10:02 Name <a@b>:", "在 ... 写道："
_CJK_WROTE = re.compile(r"^[ \t]*(?:\d{4}年\d{1,2}月\d{1,2}日[^\n]{0,120}<[^>\n]+>[ \t]*[:：]"
                        r"|在[^\n]{0,200}(?:写道|寫道)[ \t]*[:：])[ \t]*$", re.M)
_ORIGINAL = re.compile(
    r"^[ \t]*-{2,}\s*(?:(?:Original|Forwarded) Message|Ursprüngliche Nachricht|Weitergeleitete Nachricht"
    r"|Message d[’']origine|Message transféré|Mensaje original|Mensaje reenviado|Messaggio originale"
    r"|Oorspronkelijk bericht|Mensagem original|Ursprungligt meddelande)\s*-{2,}[ \t]*$", re.M | re.I)
# Outlook reply header: "From: ..." and, within a few lines, "Sent: ..." (or "Date:").
# (also Von/Gesendet, De/Envoyé, De/Enviado, Da/Inviato, Van/Verzonden, Från/Skickat)
_OUTLOOK = re.compile(
    r"^[ \t]*\*?(?:From|Von|De|Da|Van|Från|差出人|发件人|寄件者)[ \t]?[:：]\*?[ \t]?[^\n]*\n(?:[^\n]*\n){0,3}?"
    r"[ \t]*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Fecha|Inviato|Data|Verzonden|Skickat"
    r"|送信日時|日付|发送时间|發送時間|傳送時間|日期)[ \t]?[:：]\*?[ \t]?",
    re.M | re.I)
# cheap substring checks (on the lower-cased text) before the patterns above are tried
_QUOTE_KEYS = ("rote:", "essage", "rom:", "crit", "schrieb", "escribi", "scritto", "schreef", "escreveu", "skrev",
               "napisa", "nachricht", "origin", "bericht", "meddelande", "mensagem", "von:", "de:", "de :", "da:",
               "van:", "från:", "年", "写道", "寫道", "差出人", "发件人", "寄件者")
_QUOTE_KEYS_RX = re.compile("|".join(map(re.escape, _QUOTE_KEYS)))
_UNDERSCORES = re.compile(r"^[ \t]*_{10,}[ \t]*$", re.M)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*(?:\n|\Z)", re.M)
_REPLY_ABOVE = re.compile(r"^[^\n]*#+-?\s*Please (?:type|write) your reply above this line\s*-?#+[^\n]*$", re.M | re.I)

# Boilerplate lines (removed where they stand).
_BOILER_LINE = re.compile(
    r"^[ \t]*(?:"
    r"This (?:ticket|request|case|issue) (?:has been|was|is) (?:marked as )?(?:resolved|closed|solved)[^\n]*"
    r"|(?:Please|Kindly) (?:rate|take a moment to rate|let us know how we did)[^\n]*"
    r"|How would you rate[^\n]*"
    r"|(?:Rate|Review) (?:our|this|your) (?:service|support|experience)[^\n]*"
    r"|Your (?:ticket|request|case) (?:number|id|#)[^\n]*(?:has been|is)[^\n]*"
    r"|(?:Ticket|Request|Case) #?\s?[\w-]+ (?:has been|was) (?:updated|resolved|closed|created)[^\n]*"
    r"|To add (?:additional )?comments?,? reply to this e-?mail[^\n]*"
    r"|If (?:this|the) (?:issue|problem) (?:persists|recurs|comes back),? (?:please )?(?:reopen|reply)[^\n]*ticket[^\n]*"
    r"|Sent from my (?:iPhone|iPad|Android|Samsung|Galaxy|BlackBerry|mobile|phone)[^\n]*"
    r"|Sent from (?:Mail|Outlook) for [^\n]*"
    r"|Get Outlook for (?:iOS|Android)[^\n]*"
    r"|(?:Von meinem|Envoyé de mon|Enviado desde mi|Enviado do meu|Inviato da(?:l mio)?|Verzonden (?:vanaf|met) mijn"
    r"|Skickat från min|Sendt fra min) (?:iPhone|iPad|Android|Samsung|Galaxy|Handy|Smartphone|mobile|móvil|telefoon)[^\n]*"
    r"|(?:Télécharger Outlook pour|Outlook für|Obtener Outlook para|Scarica Outlook per) (?:iOS|Android)[^\n]*"
    r"|This (?:message|e-?mail) was sent (?:from|by) (?:an? )?(?:unmonitored|automated|notification)[^\n]*"
    r"|This is an? (?:automated|automatic|system[- ]generated|auto-generated) (?:message|e-?mail|notification|reply)[^\n]*"
    r"|\[(?:Ticket|Request|Case) #?[\w-]+\][ \t]*"
    r"|\[?\s*External (?:e-?mail|sender)[^\n]*\]?"
    # helpdesk notification footers (Zendesk, Freshdesk, ServiceNow ...)
    r"|This (?:e-?mail|message) is a service from [^\n]*"
    r"|(?:Powered|Delivered|Sent) by (?:Zendesk|Freshdesk|Jira|ServiceNow|HubSpot|Intercom|Help ?Scout|Zoho|Front)\b[^\n]*"
    r"|\[[A-Z0-9]{4,8}-[A-Z0-9]{3,6}\]"
    r"|Ref:MSG\d+[^\n]*"
    r"|You are receiving this (?:e-?mail|message|notification) because[^\n]*"
    r"|To view (?:the|this|your) (?:ticket|request|case)\b[^\n]*"
    r"|Was this (?:answer|response|reply|article) helpful\?[^\n]*"
    r"|Please do not reply (?:directly )?to this (?:e-?mail|message)[^\n]*"
    # mail gateways' banners on mail from outside the company
    r"|(?:CAUTION|WARNING|ATTENTION|EXTERNAL)\s*:\s*This (?:e-?mail|message) (?:originated|was sent|came|is) (?:from )?outside[^\n]*"
    r"|This (?:e-?mail|message) (?:is from|came from|was sent by) an external sender[^\n]*"
    r"|You don't often get (?:e-?mail|messages?) from [^\n]*"
    r")[ \t]*$",
    re.M | re.I,
)
# Disclaimers run to the end of their paragraph.
_DISCLAIMER = re.compile(
    r"^[ \t]*(?:CONFIDENTIALITY NOTICE|CONFIDENTIAL(?:ITY)?:|DISCLAIMER|LEGAL NOTICE|IMPORTANT NOTICE"
    r"|This (?:e-?mail|message|communication)(?: and any (?:files|attachments)[^\n]{0,40}?)? (?:is|are|may be|may contain|contains?) (?:strictly )?(?:confidential|privileged|intended)"
    r"|The information (?:contained )?in this (?:e-?mail|message)[^\n]{0,20} (?:is )?confidential)"
    r"[\s\S]*?(?:\n[ \t]*\n|\Z)",
    re.M | re.I,
)
# greetings in other languages (French, German, Spanish, Italian, Dutch, Portuguese, Nordic)
_GREET_OTHER = (r"|bonjour|bonsoir|salut|hallo|guten (?:tag|morgen|abend)|moin|servus|sehr geehrter?s?|liebe[rs]?"
                r"|hola|buen[oa]s (?:días|dias|tardes|noches)|buenas|estimad[oa]s?|ciao|buongiorno|buonasera|salve"
                r"|gentile|hej|hoi|goedemorgen|goedemiddag|goedendag|olá|bom dia|boa tarde")
_TITLE = r"(?:mr|mrs|ms|mx|dr|prof|sr|sra|hr|fr|mme|mlle)\."  # "Dear Dr. Patel,"
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|greetings|morning|afternoon|to whom it may concern"
    + _GREET_OTHER + ")"
    r"(?:[ \t]+(?:" + _TITLE + r"|[^\s,.!?:;]+)(?:[ \t]*/[ \t]*[^\s,.!?:;]+)?){0,4}[ \t]*[,!:.]?[ \t]*"
    r"(?:[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?[ \t]*){0,3}$",
    re.I,
)
# "Hi Priya, my laptop ..." -> "My laptop ..."
_GREETING_PREFIX = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)" + _GREET_OTHER + r")"
    r"(?:[ \t]+(?:" + _TITLE + r"|[^\W\d_][\w'-]*)){0,3}[ \t]*[,!]"
    r"(?:[ \t]*[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?)*[ \t]+(?=\S)",
    re.I,
)
_CLOSING = re.compile(
    r"^[ \t]*(?:(?:best|kind|warm|warmest|many|with(?: best| kind| warm)?)?[ \t]*regards|thanks(?: again| so much| in advance)?|thank you(?: again| so much)?"
    r"|(?:thanks|thank you|many thanks) ?(?:&|and) ?(?:best |kind |warm )?regards|regards ?(?:&|and) ?thanks|rgds|yours"
    r"|have a (?:great|nice|good|lovely|wonderful) (?:day|week|weekend|evening)"
    r"|many thanks|cheers|sincerely(?: yours)?|yours (?:sincerely|truly|faithfully)|best(?: wishes)?|all the best|br|kr|thx|ta"
    r"|talk soon|take care"
    r"|(?:many )?thanks?(?: you)?(?: (?:so|very) much)? (?:for|in advance for) (?:your|the|all your) (?:help|assistance|support|time|patience|quick (?:reply|response|help))"
    # other languages
    r"|(?:bien )?cordialement|bien à vous|salutations(?: distinguées)?|merci(?: beaucoup| d'avance)?|bonne journée"
    r"|(?:mit )?(?:freundlichen|besten|herzlichen|vielen|lieben|viele|beste|liebe|freundliche) grüßen?|mfg|lg|vg|(?:vielen )?dank"
    r"|(?:un )?saludos?(?: cordiales)?|atentamente|(?:muchas )?gracias|(?:cordiali|distinti) saluti|saluti|grazie(?: mille)?"
    r"|met vriendelijke groet(?:en)?|(?:vriendelijke )?groet(?:en)?|mvg|(?:med )?vänliga hälsningar|hälsningar|mvh"
    r"|atenciosamente|obrigad[oa])[ \t]*[,.!]?[ \t]*(?:[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?[ \t]*){0,3}$",
    re.I,
)
# "Thanks, Priya" / "Regards, IT Service Desk" as the very last line
_CLOSING_INLINE = re.compile(
    r"^[ \t]*(?i:(?:best|kind|warm|many)?[ \t]*regards|thanks|thank you|cheers|best|sincerely)[ \t]*[,-][ \t]*"
    r"[A-Z][\w.'-]*(?:[ \t]+[A-Z][\w.'&-]*){0,3}[ \t]*$"
)
# A Jira CSV export's comment cell: "01/Mar/24 11:00 AM;557058:f2a1b;The comment text"
_JIRA_COMMENT = re.compile(r"\A\s*\d{1,2}/[A-Za-z]{3}/\d{2}(?:\d{2})? \d{1,2}:\d{2}(?: ?[AP]M)?;[^;\n]{1,80};")
_SIG_DASH = re.compile(r"^(?:--|-- |—|__)[ \t]*$")
_HTML_HINT = re.compile(r"<(?:br|p|div|span|/p|/div|b|i|strong|em|ul|li|table|tr|td|html|body)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]{1,400}>")
_BLANKS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_WS = re.compile(r"[ \t]+$", re.M)
_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd|aw|sv|antw|tr|wg|rv|res|enc|rif|vs|doorst)\s*(?:\[\d+\])?\s*:\s*"
                             r"|\s*\[[^\]]{0,40}#[^\]]{0,40}\]\s*"
                             # tags a mail gateway puts in front: [EXTERNAL], *EXTERNAL*, EXTERNAL:, [SPAM]
                             r"|\s*(?:\[\s*|\*)(?:external|ext|caution|spam|suspected spam|warning|secure)\s*(?:\]|\*)\s*"
                             r"|\s*(?:external|caution)\s*:\s*)+", re.I)
_GENERIC_SUBJECTS = {
    "", "help", "question", "issue", "problem", "request", "urgent", "query", "hi", "hello",
    "support", "ticket", "no subject", "(no subject)", "help needed", "quick question", "re", "fwd",
}
_DISCLAIMER_KEYS = re.compile("confidential|disclaimer|notice|privileged|intended")
_BOILER_KEYS = re.compile("ticket|request|case|issue|rate|sent |outlook|unmonitored|automat|external|comment|generated"
                          "|outside|don't often|service from|powered by|delivered by|sent by|ref:msg|receiving this"
                          "|to view|helpful|not reply|\\[[0-9a-z]{4,8}-"
                          "|iphone|ipad|android|samsung|galaxy|handy|smartphone|móvil|telefoon"
                          "|problem|review|notification|let us know")
# Social/support chat (Twitter-style) exports.
# "@AppleSupport @115712 " at the start of a line: who the message was addressed to
_HANDLES = re.compile(r"^([ \t]*)(?:@\w{1,30}\b[ \t]*[,:]?[ \t]*)+", re.M)
# agent initials or a sign-off name at the end of a line (or before the links that end it):
# "^RR", "^Jools", " -AB", " /JD", "... thanks. - Paige", "Thanks - Mike", a thread counter "2/2"
_INITIALS = re.compile(
    r"(?:[ \t]+(?:\^[A-Z][A-Za-z]{1,15}|[-/][A-Z]{2,3}|\(?[1-9]/[1-9]\)?)"
    r"|(?:(?<=[.!?)\]])|(?<=[Tt]hanks)|(?<=\bTY)|(?<=\bty)|(?<=[Cc]heers))[ \t]+[-\u2013\u2014~][ \t]*[A-Z][a-z]{1,15})"
    r"(?=(?:[ \t]+https?://\S+)*[ \t]*$)",  # a link after the initials stays
    re.M,
)
# Mail clients' inline-image placeholders: "[cid:image001.png@01D9...]", "[image: logo.png]",
# "<image002.jpg>", "[Image removed by sender.]"
# a cheap superset of where _INITIALS can match (line ends like "-AB", "^Lee", "1/2", "- Lee", a
# link): most texts have none, and _INITIALS itself costs ~6x more to search
_INITIALS_HINT = re.compile(
    r"[\^\-/~\u2013\u2014][ \t]*[A-Z0-9(][^\n]{0,16}[ \t]*$|[1-9]/[1-9]\)?[ \t]*$|https?://\S+[ \t]*$", re.M)
_IMAGE_REF = re.compile(
    r"[ \t]*(?:\[cid:[^\]\s]{1,200}\]|\[image:[^\]\n]{0,200}\]|<image\d{3}\.(?:png|jpe?g|gif|bmp)>"
    r"|\[Image removed by sender\.?\])", re.I)
_LINK_LINE = re.compile(r"^[ \t]*(?:https?://|www\.)\S+[ \t]*(?:\n|\Z)", re.M)
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|nbsp|#\d{1,6}|#x[0-9a-fA-F]{1,5});")
SIG_MAX_LINES = 7        # a signature block after a closing: at most this many lines
SIG_MAX_LINE_LEN = 80    # ... each of them short (name, title, company, phone)
SIG_MAX_LINES_CONTACT = 15  # ... or this many when some are contact details (phone, e-mail, web)
_CONTACT = re.compile(r"@[\w-]+\.\w|www\.|https?://|\+?\d[\d ()./-]{6,}\d|^\s*(?:T|M|P|F|E|W|Tel|Phone|Mob|Mobile|Fax)\s*[:.]", re.I)
SHORT_BODY_CHARS = 40    # a body this short gets the subject in front (when it adds meaning)


class Cleaned(NamedTuple):
    text: str
    removed: list[str]


# --- helpers --------------------------------------------------------------------------------
def _light(text: str) -> str:
    """Whitespace tidy only: line endings, trailing spaces, blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _TRAILING_WS.sub("", text)
    text = _BLANKS.sub("\n\n", text)
    return text.strip()


_HTML_HIDDEN = re.compile(r"<(head|style|script|title)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)


_BLOCKQUOTE = re.compile(r"<blockquote\b([^>]*)>((?:(?!<blockquote\b).)*?)</blockquote\s*>", re.I | re.S)
_TRAILING_MARKUP = re.compile(r"(?:\s|<[^>]{0,400}>|&nbsp;)*", re.I)


def _cut_blockquotes(text: str) -> str:
    """Quoted replies in HTML mail: a <blockquote type="cite"> or class="...quote..." anywhere,
    and any blockquote that ends the text (nothing but markup after it). A blockquote inside
    the content (a quoted policy line) stays, as a line of its own."""
    for _ in range(20):  # innermost first, so nested quotes go too
        changed = False

        def repl(m: re.Match) -> str:
            nonlocal changed
            attrs = m.group(1).lower()
            rest = text[m.end():]
            if "cite" in attrs or "quote" in attrs or _TRAILING_MARKUP.fullmatch(rest):
                changed = True
                return ""
            return m.group(0)

        new = _BLOCKQUOTE.sub(repl, text)
        if not changed:
            break
        text = new
    return re.sub(r"(?i)</?blockquote\b[^>]*>", "\n", text)


def _strip_html(text: str) -> str:
    text = _HTML_HIDDEN.sub("", text)  # a whole HTML mail: its <head>, CSS and scripts are not content
    if "<blockquote" in text.lower():
        text = _cut_blockquotes(text)
    text = re.sub(r"(?i)</t[dh]\s*>(?=\s*<t[dh]\b)", " ", text)  # table cells side by side
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text).replace("\u00a0", " ")


def _cut_quoted(text: str, removed: list[str]) -> str:
    """Cut at the first quoted earlier reply (and everything after it)."""
    cut = len(text)
    for name, pattern in (("quoted reply", _ON_WROTE), ("quoted reply", _ORIGINAL), ("quoted reply", _OUTLOOK),
                          ("quoted reply", _CJK_WROTE)):
        m = pattern.search(text)
        if m and m.start() < cut:
            cut = m.start()
    if cut < len(text):
        # a line of underscores just above an Outlook header belongs to it
        before = text[:cut]
        u = None
        for u in _UNDERSCORES.finditer(before):
            pass
        if u is not None and not before[u.end():].strip():
            cut = u.start()
        removed.append("quoted reply")
        text = text[:cut]
    return text


def _strip_signature(lines: list[str], removed: list[str]) -> list[str]:
    """Remove a signature at the end: a "--" delimiter, or a closing ("Regards,") followed by a
    few short name/title/company/phone lines."""
    # drop trailing blanks
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return lines
    n = len(lines)
    lo = max(0, n - SIG_MAX_LINES_CONTACT - 1)

    def fits(i: int) -> bool:
        """The lines after i can be a signature: a few short lines, or up to
        SIG_MAX_LINES_CONTACT short ones when some are contact details (phone, e-mail, web)."""
        after = [x for x in lines[i + 1:] if x.strip()]
        if any(len(x) > SIG_MAX_LINE_LEN for x in after):
            return False
        if len(after) <= SIG_MAX_LINES:
            return True
        return sum(1 for x in after if _CONTACT.search(x)) >= 2
    # "--" delimiter near the end
    for i in range(n - 1, lo - 1, -1):
        if _SIG_DASH.match(lines[i]) and i > 0:
            if fits(i):
                removed.append("signature")
                return _strip_signature(lines[:i], removed)
    # closing line followed only by short lines
    for i in range(n - 1, lo - 1, -1):
        line = lines[i]
        if len(line) > SIG_MAX_LINE_LEN:
            break
        if _CLOSING.match(line) and fits(i):
            if not any(x.strip() for x in lines[:i]):
                break  # the whole text is "Thanks!" - that is content, not a signature
            removed.append("signature")
            return lines[:i]
    if n > 1 and _CLOSING_INLINE.match(lines[-1]):
        removed.append("signature")
        return lines[:-1]
    return lines


def _strip_greeting(lines: list[str], removed: list[str]) -> list[str]:
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and _GREETING.match(lines[i].strip()):
        rest = [x for x in lines[i + 1:] if x.strip()]
        if rest:
            removed.append("greeting")
            return lines[i + 1:]
        return lines
    if i < len(lines):
        m = _GREETING_PREFIX.match(lines[i].lstrip())
        if m:
            rest = lines[i].lstrip()[m.end():]
            if len(rest) > 3:
                removed.append("greeting")
                lines = list(lines)
                lines[i] = rest[0].upper() + rest[1:]
    return lines


def _strip_chat(t: str, removed: list[str]) -> str:
    """Chat/social text: leading @handles on a line, agent initials or a sign-off name at the
    end of a line, lines that are only a link. Links inside a sentence stay."""
    if "@" in t:
        t2 = _HANDLES.sub(r"\1", t)
        if t2 != t and t2.strip():
            removed.append("@handles")
            t = t2
    for _ in range(3 if _INITIALS_HINT.search(t) else 0):  # "Thanks - Lee 2/2": the counter, then the name
        t2 = _INITIALS.sub("", t)
        if t2 == t or not t2.strip():
            break
        if "agent initials" not in removed:
            removed.append("agent initials")
        t = t2
    if "http" in t or "www." in t:
        t2 = _LINK_LINE.sub("", t)
        if t2 != t and t2.strip():
            removed.append("link-only line")
            t = t2
    return t


def _drop_emptied_lines(before: str, after: str) -> str:
    """`after` without the lines that only a removed placeholder filled in `before`."""
    b, a = before.split("\n"), after.split("\n")
    if len(b) != len(a):
        return after
    return "\n".join(y for x, y in zip(b, a) if y.strip() or not x.strip())


def clean(text: str | None) -> Cleaned:
    """Strip quoted replies, signatures, greetings and boilerplate. Returns (text, removed)."""
    if text is None:
        return Cleaned("", [])
    raw = str(text)
    removed: list[str] = []
    t = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if ";" in t[:120] and "/" in t[:12]:
        m = _JIRA_COMMENT.match(t)
        if m:
            t = t[m.end():]
            removed.append("comment header")
    if "<" in t and _HTML_HINT.search(t):
        t = _strip_html(t)
        removed.append("html")
    elif "&" in t and _ENTITY.search(t):
        t = html.unescape(t).replace("\u00a0", " ")  # "&amp;" from an exporter that escaped the text
    if "@" in t or "^" in t or "/" in t or "-" in t or "\u2013" in t:
        t = _strip_chat(t, removed)
    # helpdesk "reply above this line" marker: what is below is the quoted notification
    if "above this line" in t:
        m = _REPLY_ABOVE.search(t)
        if m:
            if t[:m.start()].strip():
                t = t[:m.start()]
            else:
                t = t[m.end():]
            removed.append("helpdesk footer")
    low = t.lower()
    if _QUOTE_KEYS_RX.search(low):
        t = _cut_quoted(t, removed)
    if "[cid:" in t or "[image" in t.lower() or "<image" in t or "[Image" in t:
        t2 = _IMAGE_REF.sub("", t)
        if t2 != t:
            removed.append("image placeholder")
            t = _drop_emptied_lines(t, t2)
    if ">" in t:
        t2 = _QUOTED_LINE.sub("", t)
        if t2 != t:
            removed.append("quoted lines")
            t = t2
    low = t.lower()  # cheap keyword checks skip the costlier patterns on most texts
    if _DISCLAIMER_KEYS.search(low):
        t2 = _DISCLAIMER.sub("", t)
        if t2 != t:
            removed.append("disclaimer")
            t = t2
    if _BOILER_KEYS.search(low):
        t2 = _BOILER_LINE.sub("", t)
        if t2 != t:
            removed.append("boilerplate")
            t = t2
    if " \n" in t or "\t\n" in t:
        t = _TRAILING_WS.sub("", t)
    lines = t.split("\n")
    lines = _strip_signature(lines, removed)
    lines = _strip_greeting(lines, removed)
    t = "\n".join(lines)
    if "\n\n\n" in t:
        t = _BLANKS.sub("\n\n", t)
    t = t.strip()
    if not t and raw.strip():
        removed.append("fallback: kept the text as it was")
        t = _light(raw)
    return Cleaned(t, removed)


def clean_report(text: str | None) -> list[str]:
    """What `clean` strips from this text, e.g. ["quoted reply", "signature"]."""
    return clean(text).removed


def clean_subject(subject: str | None) -> str:
    """Subject without "Re:"/"Fwd:"/"[Ticket #123]" prefixes."""
    if not subject:
        return ""
    s = _SUBJECT_PREFIX.sub("", str(subject)).strip()
    return re.sub(r"\s+", " ", s)


def _adds_meaning(subject: str, body: str) -> bool:
    s = subject.lower().strip(" .!?:")
    if s in _GENERIC_SUBJECTS or len(s) < 4:
        return False
    return s not in body.lower()


# A forwarded mail: what was forwarded is the question ("FYI" above it is not)
_FORWARD = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado"
    r"|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada)[ \t]*-{2,}|Begin forwarded message:)[ \t]*$",
    re.M | re.I)
_FWD_SUBJECT = re.compile(r"^\s*(?:fw|fwd|wg|tr|rv|enc|doorst)\s*:", re.I)
_HEADER_LINE = re.compile(r"^[ \t]*\*?[^\W\d][\w .-]{0,24}[ \t]?:\*?(?:[ \t].*)?$")


def _forwarded_body(text: str, subject: str | None) -> str:
    """The cleaned text of the forwarded message in `text` ("" when there is none): after a
    "Forwarded message" line, or (with a Fwd:/FW: subject) after the first reply header; its
    header lines (From:, Date:, Subject: ...) and > quoting are dropped."""
    t = text.replace("\r\n", "\n").replace("\r", "\n")
    if "<" in t and _HTML_HINT.search(t):
        t = _strip_html(t)
    m = _FORWARD.search(t)
    start = m.end() if m else None
    if start is None and subject and _FWD_SUBJECT.match(subject):
        hits = [(p.search(t), p is _OUTLOOK) for p in (_ORIGINAL, _OUTLOOK, _ON_WROTE)]
        hits = [(h.start() if outlook else h.end()) for h, outlook in hits if h]
        start = min(hits) if hits else None
    if start is None:
        return ""
    lines = t[start:].split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and lines[i].strip() and _HEADER_LINE.match(lines[i]):
        i += 1  # From:, Date:, Subject:, To: ... up to the blank line that ends them
    rest = lines[i:]
    if rest and all(x.lstrip().startswith(">") for x in rest if x.strip()):
        rest = [re.sub(r"^[ \t]*>[ \t]?", "", x) for x in rest]
    return clean("\n".join(rest)).text


def draft_question(text: str | None, subject: str | None = None) -> str:
    """The instruction: the cleaned question body; the subject when the body is empty; the
    subject in front when the body is very short and the subject adds meaning. A forwarded
    mail with only a short note ("FYI") above it: the forwarded message."""
    cleaned = clean(text)
    body = cleaned.text
    if text and (len(body) < SHORT_BODY_CHARS or "fallback: kept the text as it was" in cleaned.removed) and (
            "quoted reply" in cleaned.removed or "fallback: kept the text as it was" in cleaned.removed):
        fwd = _forwarded_body(str(text), subject)
        if fwd:
            body = fwd
    subj = clean_subject(subject)
    if not body:
        return subj
    if len(body) < SHORT_BODY_CHARS and subj and _adds_meaning(subj, body):
        sep = " " if subj[-1] in ".!?:" else ": "
        return f"{subj}{sep}{body}"
    return body


def draft_answer(text: str | None) -> str:
    """The response: the cleaned answer (content kept, signature/quotes/boilerplate stripped)."""
    return clean(text).text
