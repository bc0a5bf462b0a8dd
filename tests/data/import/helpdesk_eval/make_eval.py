"""Writes the second (evaluation) set of helpdesk exports: another organisation (Kestrel Housing
Association, a fictional UK landlord), another voice, the hard cases of issue 16, and
expected.json (what each ticket's pair must hold). Not used to tune the readers: measured by
bench/measure_helpdesk_import.py.

    python tests/data/import/helpdesk_eval/make_eval.py
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent
EXPECTED: dict[str, dict] = {}  # "format:external id" -> {"q": [snippets], "a": snippet} or {"none": True}
INTERNAL: list[str] = []        # text that only internal notes hold


def expect(fmt, ext, q=None, a=None, none=False):
    EXPECTED[f"{fmt}:{ext}"] = {"none": True} if none else {"q": q or [], "a": a}


# --- Zendesk: NDJSON + users ------------------------------------------------------------------------
users = [(501, "Gareth Pryce", "end-user"), (502, "Aisha Karimi", "end-user"), (503, "Mo Farouk", "end-user"),
         (504, "Bethan Lloyd", "end-user"), (590, "Sinead Walsh", "agent"), (591, "Tom Okoro", "agent"),
         (592, "Priti Shah", "admin")]
zd_lines = []


def zc(cid, author, body, t, public=True, html=None):
    c = {"id": cid, "type": "Comment", "author_id": author, "body": body, "html_body": html or f"<p>{body}</p>",
         "plain_body": body, "public": public, "attachments": [], "audit_id": cid * 10,
         "via": {"channel": "email"}, "created_at": t, "metadata": {"system": {}, "custom": {}}}
    if html and body is None:
        del c["body"], c["plain_body"]
    return c


def zt(tid, subj, req, comments, submitter=None, status="solved"):
    zd_lines.append(json.dumps({
        "url": f"https://kestrelhousing.zendesk.com/api/v2/tickets/{tid}.json", "id": tid, "external_id": None,
        "via": {"channel": "email", "source": {}}, "created_at": comments[0]["created_at"],
        "updated_at": comments[-1]["created_at"], "type": "incident", "subject": subj, "raw_subject": subj,
        "description": comments[0].get("body") or "", "priority": "normal", "status": status, "requester_id": req,
        "submitter_id": submitter or req, "assignee_id": 590, "organization_id": 77, "group_id": 12,
        "collaborator_ids": [], "tags": [], "custom_fields": [], "comments": comments}))


zt(8801, "Boiler not firing in flat 12", 501, [
    zc(1, 501, "Morning. The boiler in flat 12 Alder Court won't fire, shows code F28.", "2025-04-01T08:00:00Z"),
    zc(2, 590, "Rang Gas Safe contractor, slot tomorrow am.", "2025-04-01T08:20:00Z", public=False),
    zc(3, 590, "Hi Gareth - is the gas meter showing credit? F28 usually means no gas reaching the boiler.",
       "2025-04-01T08:30:00Z"),
    zc(4, 501, "Yes there's £14 on the meter.", "2025-04-01T09:00:00Z"),
    zc(5, 590, "Thanks. Then it needs an engineer: one is booked for tomorrow between 8 and 12. In the meantime "
               "there are two fan heaters at the Alder Court office you can borrow.", "2025-04-01T09:10:00Z"),
    zc(6, 501, "Cheers", "2025-04-01T09:30:00Z")])
expect("zendesk", "8801", q=["F28", "£14 on the meter"], a="engineer: one is booked for tomorrow")
INTERNAL.append("Rang Gas Safe contractor")

zt(8802, "Rent statement", 502, [
    zc(1, 502, None, "2025-04-02T10:00:00Z",
       html="<p>Hello,</p><p>Could you send me a <strong>rent statement</strong> for the last 12 months? "
            "I need it for my Universal Credit claim.</p><p>Aisha</p>"),
    zc(2, 591, None, "2025-04-02T11:00:00Z",
       html="<p>Dear Aisha,</p><p>You can download it yourself: log in to <a href='https://my.kestrel.example'>"
            "My Kestrel</a>, go to <em>Rent &gt; Statements</em> and choose the dates. It is a PDF you can upload "
            "to your journal.</p><p>Tom</p>")])
expect("zendesk", "8802", q=["rent statement", "Universal Credit"], a="download it yourself")

zt(8803, "Repair not done", 503, [
    zc(1, 503, "The kitchen tap repair booked for Monday never happened, nobody came.", "2025-04-03T09:00:00Z"),
    zc(2, 590, "Sorry Mo. Please try turning the isolation valve under the sink a quarter turn; that often stops "
               "the drip until we come.", "2025-04-03T10:00:00Z"),
    zc(3, 503, "Tried that, still dripping all night.", "2025-04-03T12:00:00Z"),
    zc(4, 590, "Contractor admitted the no-show. Rebooked + goodwill £20.", "2025-04-03T12:30:00Z", public=False),
    zc(5, 590, "I've rebooked the plumber for Thursday 8-1 and added a £20 goodwill credit to your rent account for "
               "the missed visit.", "2025-04-03T12:40:00Z")])
expect("zendesk", "8803", q=["never happened", "still dripping"], a="rebooked the plumber for Thursday")
INTERNAL.append("Contractor admitted the no-show")

zt(8804, "Anti-social behaviour", 504, [
    zc(1, 592, "Bethan phoned: loud music from flat 3 every night after midnight.", "2025-04-04T09:00:00Z"),
    zc(2, 504, "It's been going on for three weeks now and I have a newborn.", "2025-04-04T09:30:00Z"),
    zc(3, 592, "Bethan, please log each night in the Noise app so we have dates and times; after two weeks of logs "
               "our ASB officer can issue a formal warning.", "2025-04-04T10:00:00Z")], submitter=592)
expect("zendesk", "8804", q=["loud music", "three weeks"], a="log each night in the Noise app")

zt(8805, "Parking permit", 501, [
    zc(1, 501, "How do I get a parking permit for Alder Court?", "2025-04-05T09:00:00Z"),
    zc(2, 590, "Checking with estates who owns the car park now.", "2025-04-05T09:30:00Z", public=False)],
   status="open")
expect("zendesk", "8805", none=True)
INTERNAL.append("Checking with estates who owns the car park")

zt(8806, "Closing due to no reply", 502, [
    zc(1, 502, "My window handle is broken in the bedroom.", "2025-04-06T09:00:00Z"),
    zc(2, 591, "Hi Aisha, is it the handle itself or the lock mechanism? A photo would help.", "2025-04-06T10:00:00Z"),
    zc(3, 591, "We haven't heard back from you so we're closing this request. Reply to reopen it any time.",
       "2025-04-13T10:00:00Z")])
expect("zendesk", "8806", none=True)  # never answered: no pair is right

zt(8807, "Two questions", 503, [
    zc(1, 503, "When is the rent increase from April?", "2025-04-07T09:00:00Z"),
    zc(2, 590, "The new rent applies from 7 April; your letter of 1 March shows the amount.", "2025-04-07T10:00:00Z"),
    zc(3, 503, "Thank you. Also, can I pay fortnightly instead of monthly?", "2025-04-07T11:00:00Z"),
    zc(4, 590, "Yes: change the frequency in My Kestrel under Rent > Payment plan, or call the income team.",
       "2025-04-07T12:00:00Z")])
expect("zendesk", "8807", q=["pay fortnightly"], a="change the frequency in My Kestrel")

zt(8808, "Email reply with quote", 504, [
    zc(1, 504, "Is the communal garden being mowed this month?", "2025-04-08T09:00:00Z"),
    zc(2, 590, "Yes, the grounds team mow Alder Court on the last Friday of every month from April to September.",
       "2025-04-08T10:00:00Z"),
    zc(3, 504, "Great thanks!\n\nOn Tue, 8 Apr 2025 at 10:00, Kestrel Housing <help@kestrel.example> wrote:\n"
               "> Yes, the grounds team mow Alder Court on the last Friday", "2025-04-08T11:00:00Z")])
expect("zendesk", "8808", q=["communal garden"], a="last Friday of every month")
(OUT / "zendesk.ndjson").write_text("\n".join(zd_lines) + "\n", encoding="utf-8")
(OUT / "zendesk_users.ndjson").write_text("\n".join(json.dumps({"id": i, "name": n, "email": f"u{i}@kestrel.example",
                                                                  "role": r}) for i, n, r in users) + "\n")

# --- Freshdesk ------------------------------------------------------------------------------------
fcols = ["Ticket ID", "Subject", "Description", "Status", "Priority", "Source", "Type", "Agent", "Group",
         "Created time", "Resolved time", "Last updated time", "Agent interactions", "Customer interactions",
         "Full name", "Email", "Contact ID"]
frows = [
    [3101, "Mould in bathroom", "There's black mould on the bathroom ceiling again, second time this year.",
     "Closed", "High", "Portal", "Repair", "Tom Okoro", "Repairs", "2025-04-01 09:00:00", "2025-04-02 15:00:00",
     "2025-04-02 15:00:00", 2, 2, "Gareth Pryce", "g.pryce@mail.example", 9001],
    [3102, "Direct debit date", "Can I move my direct debit from the 1st to the 15th?", "Closed", "Low", "Email",
     "Question", "Sinead Walsh", "Income", "2025-04-02 09:00:00", "2025-04-02 11:00:00", "2025-04-02 11:00:00",
     1, 1, "Aisha Karimi", "a.karimi@mail.example", 9002],
    [3103, "Lost key fob", "I've lost my key fob for the main door.", "Resolved", "Medium", "Phone", "Request",
     "Tom Okoro", "Estates", "2025-04-03 09:00:00", "2025-04-03 12:00:00", "2025-04-03 12:00:00", 1, 1,
     "Mo Farouk", "m.farouk@mail.example", 9003],
    [3104, "Decoration allowance", "Do new tenants get a decoration allowance?", "Open", "Low", "Email",
     "Question", "", "Lettings", "2025-04-04 09:00:00", "", "2025-04-04 09:00:00", 0, 1, "Bethan Lloyd",
     "b.lloyd@mail.example", 9004],
]
with open(OUT / "freshdesk_tickets.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(fcols)
    w.writerows(frows)


def fc(cid, tid, text, incoming, private, t, html=None):
    return {"id": cid, "ticket_id": tid, "body": html or f"<div>{text}</div>", "body_text": text if html is None else "",
            "incoming": incoming, "private": private, "user_id": 1, "source": 2 if private else 0,
            "created_at": t, "updated_at": t, "attachments": [], "to_emails": [], "from_email": None,
            "cc_emails": [], "bcc_emails": [], "support_email": None}


fconv = [
    fc(1, 3101, "Same flat had a roof leak logged in Jan - check the loft.", False, True, "2025-04-01T10:00:00Z"),
    fc(2, 3101, "Hi Gareth, is the extractor fan working when the light is on?", False, False, "2025-04-01T10:30:00Z"),
    fc(3, 3101, "No, it stopped a while ago.", True, False, "2025-04-01T12:00:00Z"),
    fc(4, 3101, "", False, False, "2025-04-02T15:00:00Z",
       html="<p>Thanks Gareth. A broken fan is the usual cause: an electrician will replace it on <b>Friday</b>, "
            "and our mould team will treat the ceiling the week after.</p>"),
    fc(5, 3102, "Yes, fill in the change form in My Kestrel under Rent > Direct debit; the new date applies from the "
                "next month.", False, False, "2025-04-02T11:00:00Z"),
    fc(6, 3102, "Perfect thank you", True, False, "2025-04-02T11:30:00Z"),
    fc(7, 3103, "Charged £15 per policy, waived as first loss.", False, True, "2025-04-03T11:00:00Z"),
    fc(8, 3103, "Hi Mo, collect a new fob from the Alder Court office with photo ID; the old one has been "
                "cancelled.", False, False, "2025-04-03T12:00:00Z"),
]
(OUT / "freshdesk_conversations.json").write_text(json.dumps(fconv, indent=2), encoding="utf-8")
expect("freshdesk", "3101", q=["black mould", "stopped a while ago"], a="electrician will replace it")
expect("freshdesk", "3102", q=["direct debit"], a="fill in the change form")
expect("freshdesk", "3103", q=["key fob"], a="collect a new fob")
expect("freshdesk", "3104", none=True)
INTERNAL += ["roof leak logged in Jan", "waived as first loss"]

# --- Jira Service Management ----------------------------------------------------------------------
jcols = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Reporter", "Reporter Id",
         "Assignee", "Created", "Resolved", "Description", "Comment", "Comment", "Comment", "Comment"]
R1, R2, A1 = "557058:aa11", "557058:bb22", "62c0ffee11"
jrows = [
    ["Laptop battery swelling", "KHA-41", 10041, "Incident", "Done", "KHA", "Gareth Pryce", R1, "Priti Shah",
     "01/Apr/25 9:00 AM", "01/Apr/25 3:00 PM", "My work laptop battery is bulging and the trackpad is lifting.",
     f"01/Apr/25 9:30 AM;{A1};Stop using it and unplug it now please. Is it the Dell or the older HP?",
     f"01/Apr/25 10:00 AM;{R1};The Dell Latitude.",
     f"01/Apr/25 3:00 PM;{A1};Bring it to the Alder Court office tomorrow; we'll swap it for a loan laptop the "
     f"same day and send the Dell back under warranty.", ""],
    ["Shared drive access", "KHA-42", 10042, "Service Request", "Done", "KHA", "Aisha Karimi", R2, "Priti Shah",
     "02/Apr/25 9:00 AM", "02/Apr/25 11:00 AM", "I need access to the Lettings shared drive.",
     f"02/Apr/25 10:00 AM;{A1};Access granted to \\\\kha-fs01\\Lettings; sign out and back in to see it.",
     f"02/Apr/25 10:30 AM;{R2};Thanks, can see it now.", f"02/Apr/25 11:00 AM;{A1};Great, closing this one.", ""],
    ["MFA new phone", "KHA-43", 10043, "Service Request", "Done", "KHA", "Gareth Pryce", R1, "Priti Shah",
     "03/Apr/25 9:00 AM", "03/Apr/25 10:00 AM", "Got a new phone, how do I move my Authenticator?",
     "broken cell without date or author",
     f"03/Apr/25 10:00 AM;{A1};Go to mysignins.example, add the new phone under Security info, then remove the "
     f"old one.", "", ""],
]
with open(OUT / "jira.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(jcols)
    w.writerows(jrows)
expect("jira", "KHA-41", q=["battery is bulging", "Dell Latitude"], a="swap it for a loan laptop")
expect("jira", "KHA-42", q=["Lettings shared drive"], a="Access granted")
expect("jira", "KHA-43", q=["Authenticator"], a="add the new phone under Security info")

# --- ServiceNow -----------------------------------------------------------------------------------
scols = ["Number", "Short description", "Description", "Caller", "Opened", "State", "Additional comments",
         "Work notes", "Resolution notes"]


def j(entries):
    return "\n\n".join(f"{t} - {who} ({kind})\n{text}" for t, who, kind, text in reversed(entries))


srows = [
    ["INC0040001", "Printer jam", "The office printer at Alder Court jams on every double-sided job.", "Mo Farouk",
     "01-04-2025 09:00:00", "Resolved",
     j([("01-04-2025 10:00:00", "Priti Shah", "Additional comments", "Hi Mo, which tray are you printing from?"),
        ("01-04-2025 10:20:00", "Mo Farouk", "Additional comments", "Tray 2, the A4 one."),
        ("01-04-2025 14:00:00", "Priti Shah", "Additional comments",
         "The tray 2 rollers were worn; the engineer replaced them, so duplex printing works again.")]),
     j([("01-04-2025 11:00:00", "Priti Shah", "Work notes", "Ricoh callout ref 55812.")]),
     "Rollers replaced."],
    ["INC0040002", "Payslip access", "I can't open my payslip PDF, it asks for a password.", "Bethan Lloyd",
     "02-04-2025 09:00:00", "Closed", "",
     j([("02-04-2025 09:30:00", "Sinead Walsh", "Work notes", "Payroll sends PDFs locked with DOB since March.")]),
     "The payslip password is your date of birth as DDMMYYYY."],
]
with open(OUT / "servicenow.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(scols)
    w.writerows(srows)
expect("servicenow", "INC0040001", q=["jams on every double-sided", "Tray 2"], a="rollers were worn")
expect("servicenow", "INC0040002", q=["payslip PDF"], a="date of birth as DDMMYYYY")
INTERNAL += ["Ricoh callout ref", "locked with DOB since March"]

# --- mbox -----------------------------------------------------------------------------------------
DESK = "Kestrel Help <help@kestrel.example>"


def m(mid, frm, to, subj, t, text=None, html=None, reply=None, refs=None):
    e = EmailMessage()
    e["From"], e["To"], e["Subject"] = frm, to, subj
    e["Date"] = format_datetime(dt.datetime.fromisoformat(t))
    e["Message-ID"] = f"<{mid}@kestrel.example>"
    if reply:
        e["In-Reply-To"] = f"<{reply}@kestrel.example>"
        e["References"] = " ".join(f"<{r}@kestrel.example>" for r in (refs or [reply]))
    if text is not None:
        e.set_content(text)
    else:
        e.set_content(html, subtype="html")
    return e


GP = "Gareth Pryce <g.pryce@mail.example>"
AK = "Aisha Karimi <a.karimi@mail.example>"
mails = [
    m("e1", GP, DESK, "Bin collection day", "2025-04-10T08:00:00+00:00", "Which day are the bins collected now?\n"),
    m("e2", DESK, GP, "RE: Bin collection day", "2025-04-10T09:00:00+00:00",
      "Hi Gareth,\n\nGeneral waste is collected on Tuesdays and recycling on alternate Fridays.\n\nKestrel Help\n\n"
      "From: Gareth Pryce <g.pryce@mail.example>\nSent: 10 April 2025 08:00\nTo: Kestrel Help\n"
      "Subject: Bin collection day\n\nWhich day are the bins collected now?\n", reply="e1"),
    m("f1", AK, DESK, "Pet request", "2025-04-11T08:00:00+00:00", "Am I allowed a cat in my flat?\n"),
    m("f2", DESK, "Lettings <lettings@kestrel.example>", "FW: Pet request", "2025-04-11T08:30:00+00:00",
      "Can you check her tenancy type? She had a complaint last year.\n", reply="f1"),
    m("f3", DESK, AK, "RE: Pet request", "2025-04-11T10:00:00+00:00", None,
      "<p>Hi Aisha,</p><p>Yes, cats are allowed in flats with their own front door; fill in the pet permission "
      "form on My Kestrel first.</p>", reply="f1"),
    m("g1", GP, DESK, "Fob not working", "2025-04-12T08:00:00+00:00", "My door fob stopped working.\n"),
    m("g2", DESK, GP, "Re: Fob not working", "2025-04-12T09:00:00+00:00",
      "Sorry about that. Hold it against the reader for 3 seconds; if it still fails, the office can reprogram it.\n"),
]
with open(OUT / "helpdesk.mbox", "wb") as f:
    for e in mails:
        f.write(b"From MAILER-DAEMON Thu Apr 10 08:00:00 2025\n")
        f.write(e.as_bytes().replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n\n")
expect("mail", "e1@kestrel.example", q=["bins collected"], a="collected on Tuesdays")
expect("mail", "f1@kestrel.example", q=["cat in my flat"], a="cats are allowed in flats")
expect("mail", "g1@kestrel.example", q=["fob stopped working"], a="Hold it against the reader")
INTERNAL.append("She had a complaint last year")

(OUT / "expected.json").write_text(json.dumps({"pairs": EXPECTED, "internal": INTERNAL}, indent=1) + "\n")
