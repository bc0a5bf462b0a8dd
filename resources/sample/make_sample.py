#!/usr/bin/env python3
"""Deterministic generator for the Pairsmith bundled sample data.

Writes, into --out (default: the directory of this script):

  helpdesk_export.csv   HR/IT helpdesk export of the fictional "Northwind Analytics"
  ground_truth.json     every planted problem, by Ticket ID
  seed_pairs.jsonl      30 clean instruction/response pairs
  facts.md              the company fact sheet the good answers follow

Only the standard library is used and the random generator has a fixed seed,
so running it twice gives byte-identical files:

    python resources/sample/make_sample.py [--out DIR]

The intents (questions and house-style answers) live in topics_hr.py,
topics_it.py and topics_extra.py next to this file, the parameterised
families (office facts, software, access, hardware) in topics_families.py
and the pieces tickets are rendered with in text_pieces.py.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep resources/sample free of __pycache__
sys.path.insert(0, HERE)

import facts  # noqa: E402
import topics_extra  # noqa: E402
import topics_hr  # noqa: E402
import topics_it  # noqa: E402
from text_pieces import (  # noqa: E402
    GREET_Q, OPENERS, CLOSERS_Q, ANSWER_PREFIX, ANSWER_SUFFIX, CLOSINGS, BOILER_RESOLVED,
    BOILER_RATE, BOILER_CONF, BOILER_TOP, BOILER_AUTO, CONTEXT_TEMPLATES, CURT_SHORTHAND,
    SHORTHAND_MAP, SHORTHAND_PREFIX, SLANG_OPEN, SLANG_CLOSE, RUDE_SHORT, EMOJI_OPEN, EMOJI_MID,
    EMOJI_CLOSE, TOO_LONG_FILLER, TONE_PLAN, N_CONTEXT, N_PII_TICKETS, QUOTE_RATE, BOILER_RATE_P,
    SIGNATURE_RATE,
)
from topics_families import (  # noqa: E402
    OFFICE_FAMILY, SOFTWARE, SOFTWARE_Q, ACCESS, ACCESS_Q, HARDWARE, HARDWARE_Q,
)

SEED = 20250303
DOMAIN = "northwind-analytics.com"
OFFICES = ["Pune", "London", "Austin"]

# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

EMPLOYEES = {
    "Pune": [
        "Priya Sharma", "Rahul Deshpande", "Sneha Kulkarni", "Amit Patil", "Neha Joshi",
        "Aditya Kale", "Pooja Iyer", "Siddharth Rao", "Kavya Nair", "Vivek Bhosale",
        "Ananya Gokhale", "Rohit Jadhav", "Meera Pillai", "Arjun Mehta", "Shruti Apte",
        "Karan Malhotra", "Divya Menon", "Nikhil Sawant", "Aishwarya Reddy", "Varun Chavan",
        "Ishita Banerjee", "Manish Tiwari", "Tanvi Shinde", "Harsh Agarwal", "Ritika Saxena",
        "Omkar Pawar", "Sanjana Das", "Yash Kapoor", "Gauri Phadke", "Akash Verma",
        "Farhan Shaikh", "Lakshmi Subramanian",
    ],
    "London": [
        "Oliver Hughes", "Emily Clarke", "James Patel", "Charlotte Evans", "Harry Thompson",
        "Sophie Walker", "George Wright", "Amelia Roberts", "Jack Robinson", "Isla Campbell",
        "Thomas Green", "Grace Hall", "Daniel O'Connor", "Hannah Lewis", "William Baker",
        "Chloé Martin", "Samuel Okafor", "Lucy Morgan", "Mohammed Hussain", "Ella Turner",
        "Renée Dubois", "Jürgen Schäfer",
    ],
    "Austin": [
        "Michael Johnson", "Ashley Williams", "Christopher Brown", "Jessica Garcia",
        "Matthew Miller", "Sarah Davis", "Joshua Rodriguez", "Amanda Martinez", "Andrew Wilson",
        "Tyler Moore", "Brittany Taylor", "Ryan Thomas", "Lauren Jackson", "José Muñoz",
        "María Hernández", "Kevin Nguyen", "Rachel Kim", "Brandon White", "Nicole Harris",
        "Lukas Müller", "Begoña Ibáñez",
    ],
}

TEAMS = ["Data Engineering", "Analytics Consulting", "Finance", "Sales", "Marketing",
         "Customer Success", "Product", "Data Science", "Platform", "Operations"]

# (name, team, phone) per dept/office; Payroll tickets in Pune go to payroll.
AGENTS = {
    ("HR", "Pune"): [("Anita Desai", "HR Operations", "+91 20 4000 1234")],
    ("HR-payroll", "Pune"): [("Rohan Kulkarni", "Payroll", "+91 20 4000 1250")],
    ("HR", "London"): [("Sarah Whitfield", "People Team", "+44 20 7946 0100")],
    ("HR", "Austin"): [("Megan Ortiz", "People Operations", "+1 512 555 0110")],
    ("IT", "Pune"): [("Vikram Joshi", "IT Service Desk", "+91 20 4000 1300"),
                     ("Neha Gupta", "IT Service Desk", "+91 20 4000 1301")],
    ("IT", "London"): [("Tom Bennett", "IT Service Desk", "+44 20 7946 0150")],
    ("IT", "Austin"): [("Carlos Reyes", "IT Service Desk", "+1 512 555 0150")],
}

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def email_for(name, domain=DOMAIN, suffix=""):
    parts = ascii_fold(name).lower().replace("'", "").split()
    return "%s.%s%s@%s" % (parts[0], parts[-1], suffix, domain)


def first_name(name):
    return name.split()[0]


SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z'])")


def sentences(text):
    return SENT_SPLIT.split(text.strip())


def strip_marks(text):
    return text.replace("[[", "").replace("]]", "")


def marked(text):
    return re.findall(r"\[\[(.+?)\]\]", text)


def luhn_digit(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def iban_gb(bank, sort_code, account):
    bban = bank + sort_code + account
    rearranged = bban + "GB00"
    num = "".join(str(int(c, 36)) for c in rearranged)
    check = 98 - int(num) % 97
    raw = "GB%02d%s" % (check, bban)
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def iban_valid(iban):
    raw = iban.replace(" ", "")
    num = "".join(str(int(c, 36)) for c in raw[4:] + raw[:4])
    return int(num) % 97 == 1


# --------------------------------------------------------------------------
# Topic parsing
# --------------------------------------------------------------------------


def parse_topics(text):
    intents = []
    category = None
    cur = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("## "):
            category = line[3:].strip()
            continue
        if line.startswith("> "):
            parts = [p.strip() for p in line[2:].split("|")]
            key, subject = parts[0], parts[1]
            flags = parts[2].split() if len(parts) > 2 else []
            cur = {"key": key, "category": category, "dept": category.split("/")[0],
                   "subject": subject, "Q": [], "A": [], "C": [], "office": None,
                   "hn": [], "conflict": None, "exact": False, "seed": False}
            for f in flags:
                if f.startswith("office="):
                    cur["office"] = f.split("=", 1)[1]
                elif f.startswith("hn="):
                    cur["hn"] = f.split("=", 1)[1].split(",")
                elif f.startswith("conflict="):
                    cur["conflict"] = f.split("=", 1)[1]
                elif f == "exact":
                    cur["exact"] = True
                elif f == "seed":
                    cur["seed"] = True
                else:
                    raise ValueError("unknown flag %r in %s" % (f, key))
            intents.append(cur)
            continue
        tag, body = line[:2], line[2:].strip()
        if tag == "Q ":
            cur["Q"].append(body)
        elif tag == "A ":
            cur["A"].append(body)
        elif tag == "C ":
            cur["C"].append(body)
        else:
            raise ValueError("bad line: %r" % line)
    return intents


def family_intents():
    out = []
    for key, cat, subj, q, answers in OFFICE_FAMILY:
        for office in OFFICES:
            out.append({"key": "%s_%s" % (key, office.lower()), "category": cat,
                        "dept": cat.split("/")[0], "subject": subj.format(office=office),
                        "Q": [q.format(office=office)], "A": [answers[office]], "C": [],
                        "office": office, "hn": ["printers"] if key == "printers" and office != "Austin" else [],
                        "conflict": None, "exact": False, "seed": False})
    for i, (tool, cls, reason, note) in enumerate(SOFTWARE):
        q = SOFTWARE_Q[i % len(SOFTWARE_Q)].format(tool=tool, reason=reason)
        if cls == "self":
            a = ("%s is in the approved catalogue, so you can install it yourself from the Company Portal "
                 "on Windows or Self Service on a Mac, without admin rights. %s" % (tool, note))
        elif cls == "licensed":
            a = ("%s needs a paid licence, so please raise a Software Request in the IT portal with your "
                 "manager's approval. %s Once the licence is assigned, usually within 2 working days, it "
                 "appears in the Company Portal for you to install." % (tool, note))
        else:
            a = "%s is not on our approved software list, so we cannot install it. %s" % (tool, note)
        out.append({"key": "sw_" + re.sub(r"\W+", "_", tool.lower()), "category": "IT/Software",
                    "dept": "IT", "subject": "Software request: %s" % tool, "Q": [q], "A": [a], "C": [],
                    "office": None, "hn": [], "conflict": None, "exact": False, "seed": False})
    for i, (sys_, approver, purpose, note, sla) in enumerate(ACCESS):
        q = ACCESS_Q[i % len(ACCESS_Q)].format(sys=sys_, purpose=purpose)
        a = ("Access to %s is approved by %s. Please raise an Access Request in the IT portal and select "
             "the role you need; %s. Access is usually provisioned within %s of approval."
             % (sys_, approver, note, sla))
        name = sys_.replace("the ", "")
        out.append({"key": "acc_" + re.sub(r"\W+", "_", name.lower()), "category": "IT/Access",
                    "dept": "IT", "subject": "Access to %s" % name, "Q": [q], "A": [a], "C": [],
                    "office": None, "hn": [], "conflict": None, "exact": False, "seed": False})
    for i, (item, purpose, a) in enumerate(HARDWARE):
        q = HARDWARE_Q[i % len(HARDWARE_Q)].format(item=item, purpose=purpose)
        subj = "Request: " + re.sub(r"^(a|an) ", "", item)
        out.append({"key": "hw_" + re.sub(r"\W+", "_", item.lower()), "category": "IT/Hardware",
                    "dept": "IT", "subject": subj, "Q": [q], "A": [a], "C": [],
                    "office": None, "hn": [], "conflict": None, "exact": False, "seed": False})
    return out


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


class Gen:
    def __init__(self):
        self.rng = random.Random(SEED)
        intents = (parse_topics(topics_hr.TEXT) + parse_topics(topics_it.TEXT)
                   + parse_topics(topics_extra.TEXT) + family_intents())
        keys = [i["key"] for i in intents]
        assert len(keys) == len(set(keys)), "duplicate intent keys"
        self.seeds = [i for i in intents if i["seed"]]
        self.intents = [i for i in intents if not i["seed"]]
        for it in self.intents:
            assert it["Q"] and it["A"], it["key"]
            if it["conflict"]:
                assert len(it["Q"]) >= 2 and it["C"], it["key"]
                assert len(marked(it["A"][0])) == 1 and len(marked(it["C"][0])) == 1, it["key"]
        self.people = {}
        rng = self.rng
        used_eids = set()
        for office in OFFICES:
            for name in EMPLOYEES[office]:
                while True:
                    eid = "NW-%05d" % rng.randint(10000, 99999)
                    if eid not in used_eids:
                        used_eids.add(eid)
                        break
                self.people[name] = {"name": name, "office": office, "team": rng.choice(TEAMS),
                                     "eid": eid}

    # ---------------- ticket specs ----------------
    def build_specs(self):
        rng = self.rng
        specs = []
        self.clusters = []  # (intent key, [spec], exact)
        for it in self.intents:
            group = []
            if it["conflict"]:
                group.append(self._spec(it, it["Q"][0], it["A"][0], role="conflict_a"))
                group.append(self._spec(it, it["Q"][1], it["C"][0], role="conflict_c"))
                self.clusters.append((it, group, False))
            elif it["exact"]:
                k = rng.choice([2, 2, 3])
                for j in range(k):
                    group.append(self._spec(it, it["Q"][0], it["A"][j % len(it["A"])], role="dup",
                                            exact_copy=j))
                self.clusters.append((it, group, True))
            elif len(it["Q"]) >= 2:
                for j, q in enumerate(it["Q"]):
                    group.append(self._spec(it, q, it["A"][j % len(it["A"])], role="dup"))
                self.clusters.append((it, group, False))
            else:
                group.append(self._spec(it, it["Q"][0], it["A"][0], role="single"))
            specs.extend(group)
        return specs

    def _spec(self, it, q, a, role, exact_copy=None):
        return {"intent": it, "q": q, "a": a, "role": role, "exact_copy": exact_copy,
                "problem": None, "pii": [], "tone": None, "context": None}

    def assign_people_and_times(self, specs):
        rng = self.rng
        start = dt.datetime(2023, 1, 2, 8, 0)
        span_days = (dt.datetime(2025, 10, 31) - start).days
        for s in specs:
            office = s["intent"]["office"]
            if office is None:
                office = rng.choices(OFFICES, weights=[50, 25, 25])[0]
            s["requester"] = self.people[rng.choice(EMPLOYEES[office])]
            while True:
                day = start + dt.timedelta(days=rng.randrange(span_days))
                if day.weekday() < 5:
                    break
            s["created"] = day.replace(hour=rng.randint(8, 18), minute=rng.randrange(60),
                                       second=rng.randrange(60))
        # exact re-submissions: same requester, a few days after the first copy
        for it, group, exact in self.clusters:
            if exact:
                for j, s in enumerate(group[1:], 1):
                    s["requester"] = group[0]["requester"]
                    s["created"] = group[0]["created"] + dt.timedelta(days=j * rng.randint(1, 4),
                                                                      minutes=rng.randrange(600))
        specs.sort(key=lambda s: s["created"])
        counters = {"HR": 10000, "IT": 20000}
        for s in specs:
            dept = s["intent"]["dept"]
            counters[dept] += rng.randint(1, 7)
            s["id"] = "%s-%d" % (dept, counters[dept])
            office = s["requester"]["office"]
            if dept == "HR":
                pool = AGENTS[("HR-payroll", office)] if (office == "Pune" and s["intent"]["category"] == "HR/Payroll") else AGENTS[("HR", office)]
            else:
                pool = AGENTS[("IT", office)]
            s["agent"] = rng.choice(pool)
            s["status"] = rng.choice(["Resolved", "Resolved", "Closed"])
            cat = s["intent"]["category"]
            if cat == "IT/Security" or s["intent"]["key"] in ("stolen_laptop", "battery_swelling", "clicked_link"):
                s["priority"] = rng.choice(["High", "Urgent"])
            else:
                s["priority"] = rng.choices(["Low", "Medium", "High", "Urgent"], weights=[35, 45, 16, 4])[0]

    # ---------------- problem roles ----------------
    def assign_roles(self, specs):
        rng = self.rng
        hn_groups = {}
        first_of = {}
        for s in specs:
            first_of.setdefault(s["intent"]["key"], s)
        for it in self.intents:
            for g in it["hn"]:
                hn_groups.setdefault(g, []).append(it["key"])
        self.hard_negatives = []
        hn_ticket_ids = set()
        for g in sorted(hn_groups):
            ks = hn_groups[g]
            assert len(ks) >= 2, g
            for i in range(len(ks)):
                for j in range(i + 1, len(ks)):
                    a, b = first_of[ks[i]], first_of[ks[j]]
                    self.hard_negatives.append([a["id"], b["id"]])
                    hn_ticket_ids.update([a["id"], b["id"]])
        pool = [s for s in specs if s["role"] == "single" and s["id"] not in hn_ticket_ids]
        rng.shuffle(pool)

        def take(pred, n):
            got = []
            for s in pool:
                if len(got) == n:
                    break
                if s["problem"] is None and pred(s):
                    got.append(s)
            return got

        # PII: rare kinds first, constrained by office and category
        def hr(s):
            return s["intent"]["dept"] == "HR"
        rare = [
            ("pan", lambda s: s["requester"]["office"] == "Pune" and hr(s) and s["intent"]["category"] in
             ("HR/Payroll", "HR/Benefits", "HR/Expenses", "HR/Onboarding", "HR/Exit"), 5),
            ("ni_number", lambda s: s["requester"]["office"] == "London" and hr(s), 5),
            ("iban", lambda s: s["requester"]["office"] == "London" and s["intent"]["category"] in
             ("HR/Payroll", "HR/Expenses", "HR/Benefits", "HR/Exit", "HR/Onboarding"), 4),
            ("card", lambda s: s["intent"]["category"] in ("HR/Expenses", "HR/Benefits"), 5),
            ("address", lambda s: hr(s) or s["intent"]["category"] == "IT/Hardware", 6),
        ]
        pii_specs = []
        for kind, pred, n in rare:
            for s in take(pred, n):
                s["problem"] = "pii"
                s["pii_kinds"] = [kind]
                pii_specs.append(s)
        common = ["email", "phone", "employee_id", "person_name"]
        k = 0
        for s in take(lambda s: True, N_PII_TICKETS - len(pii_specs)):
            s["problem"] = "pii"
            s["pii_kinds"] = [common[k % len(common)]]
            k += 1
            pii_specs.append(s)
        for s in pii_specs:
            if rng.random() < 0.42:
                extra = rng.choice([c for c in common + ["address"] if c not in s["pii_kinds"]])
                s["pii_kinds"].append(extra)
            # which field each instance goes to
            s["pii_fields"] = [("question" if rng.random() < 0.62 else "answer") for _ in s["pii_kinds"]]
        for style, s in zip(TONE_PLAN, take(lambda s: True, len(TONE_PLAN))):
            s["problem"] = "tone"
            s["tone"] = style
        ctx = take(lambda s: True, N_CONTEXT)
        for i, s in enumerate(ctx):
            s["problem"] = "context"
            s["context"] = CONTEXT_TEMPLATES[i % len(CONTEXT_TEMPLATES)]

    # ---------------- PII values ----------------
    def pii_value(self, kind, s):
        rng = self.rng
        p = s["requester"]
        office = p["office"]
        if kind == "email":
            dom = {"Pune": ["gmail.com", "yahoo.co.in", "outlook.com"],
                   "London": ["gmail.com", "hotmail.co.uk", "outlook.com"],
                   "Austin": ["gmail.com", "yahoo.com", "outlook.com"]}[office]
            return email_for(p["name"], rng.choice(dom), str(rng.randint(1, 99)))
        if kind == "phone":
            if office == "Pune":
                return "+91 9%04d %05d" % (rng.randrange(10000), rng.randrange(100000))
            if office == "London":
                return rng.choice(["+44 20 7946 0%03d" % rng.randrange(1000),
                                   "+44 7700 900%03d" % rng.randrange(1000)])
            return rng.choice(["(512) 555-01%02d" % rng.randrange(100),
                               "+1-512-555-01%02d" % rng.randrange(100)])
        if kind == "employee_id":
            return p["eid"]
        if kind == "pan":
            L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
            surname = ascii_fold(p["name"].split()[-1]).upper()
            return "%s%s%sP%s%04d%s" % (rng.choice(L), rng.choice(L), rng.choice(L), surname[0],
                                         rng.randint(1000, 9999), rng.choice(L))
        if kind == "ni_number":
            bad1, bad2 = set("DFIQUV"), set("DFIQUVO")
            while True:
                a, b = rng.choice("ABCEGHJKLMNPRSTWXYZ"), rng.choice("ABCEGHJKLMNPRSTWXYZ")
                if a in bad1 or b in bad2 or a + b in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
                    continue
                break
            return "%s%s %02d %02d %02d %s" % (a, b, rng.randrange(100), rng.randrange(100),
                                               rng.randrange(100), rng.choice("ABCD"))
        if kind == "iban":
            iban = iban_gb(rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]),
                           "%06d" % rng.randrange(10 ** 6), "%08d" % rng.randrange(10 ** 8))
            assert iban_valid(iban)
            return iban
        if kind == "card":
            prefix = rng.choice(["4", "4", "51", "52", "55"])
            body = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
            num = body + luhn_digit(body)
            return " ".join(num[i:i + 4] for i in range(0, 16, 4))
        if kind == "address":
            if office == "Pune":
                return "Flat %d, %s, %s, Pune %d" % (
                    rng.randint(101, 1204), rng.choice(["Tower B, Amanora Park Town", "Wing C, Ganga Florentina",
                                                       "Building 4, Magarpatta City", "A-Wing, Kumar Pebble Park"]),
                    rng.choice(["Hadapsar", "Kharadi", "Wagholi", "Viman Nagar"]), rng.choice([411028, 411014, 412207, 411013]))
            if office == "London":
                return "%d %s, London %s" % (rng.randint(2, 180), rng.choice(
                    ["Elm Grove", "Cazenove Road", "Mildmay Park", "Albion Road", "Brick Lane"]),
                    rng.choice(["N7 8QP", "N16 6BD", "N1 4RB", "E8 2LR", "E1 6QL"]))
            return "%d %s, Austin, TX %s" % (rng.randint(100, 9999), rng.choice(
                ["Oakridge Drive, Apt 5", "East Riverside Drive, Unit 210", "Barton Springs Road",
                 "Manchaca Road, Apt 1124", "West Slaughter Lane"]),
                rng.choice(["78745", "78741", "78704", "78748"]))
        if kind == "person_name":
            return p["name"]
        raise ValueError(kind)

    Q_PII = {
        "email": ["Please send the confirmation to my personal email {v}, as I can't access Outlook this week.",
                  "You can also reach me at {v}."],
        "phone": ["You can call me on {v} if that is easier.", "My mobile number is {v} in case you need to reach me."],
        "employee_id": ["My employee ID is {v}.", "For reference, my employee ID is {v}."],
        "pan": ["My PAN is {v}, in case you need it.", "For your records, my PAN number is {v}."],
        "ni_number": ["My National Insurance number is {v}, if you need it.", "For reference, my NI number is {v}."],
        "iban": ["My salary account is now {v}.", "The IBAN of my new account is {v}."],
        "card": ["I paid for it with my own card {v}.", "The charge went on my personal card {v}."],
        "address": ["I have recently moved to {v}, in case that matters.", "My current address is {v}."],
        "person_name": ["Hi, {v} here from the {team} team.", "This is {v} from {team}."],
    }
    A_PII = {
        "email": "I have also sent a copy to your personal email {v} as requested.",
        "phone": "I tried to reach you on {v} earlier but could not get through.",
        "employee_id": "I have checked the record for employee ID {v}.",
        "pan": "I can also see that PAN {v} is already updated in your payroll profile.",
        "ni_number": "Your National Insurance number {v} is correctly recorded in payroll.",
        "iban": "I can confirm that your salary will go to the account {v} from next month.",
        "card": "The refund for the earlier charge has been issued to the card {v}.",
        "address": "Anything we post will go to {v}, as per your profile.",
        "person_name": "I have noted this on the employee file of {v}.",
    }

    # ---------------- rendering ----------------
    def render_question(self, s):
        rng = self.rng
        dept = s["intent"]["dept"]
        q = s["q"]
        pre, post = [], []
        s["pii_items"] = []
        for kind, field in zip(s.get("pii_kinds", []), s.get("pii_fields", [])):
            v = self.pii_value(kind, s)
            s["pii_items"].append({"kind": kind, "field": field, "text": v})
            if field == "question":
                tmpl = rng.choice(self.Q_PII[kind])
                sent = tmpl.format(v=v, team=s["requester"]["team"])
                (pre if kind == "person_name" else post).append(sent)
        greeting = rng.choice(GREET_Q[dept])
        opener = rng.choice(OPENERS)
        closer = rng.choice(CLOSERS_Q)
        core = " ".join(x for x in [opener, q] if x)
        style = rng.random()
        if style < 0.18 and not pre and not post:
            return q  # bare one-liner
        lines = []
        if greeting:
            lines += [greeting, ""]
        if pre:
            lines.append(" ".join(pre))
        if style < 0.45:
            lines.append(" ".join([core] + post))
        else:
            lines.append(core)
            if post:
                lines += ["", " ".join(post)]
        if closer:
            lines += ["", closer]
        return "\n".join(lines)

    def answer_body(self, s):
        """Return (body_text, has_greeting, tone_reasons)."""
        rng = self.rng
        first = first_name(s["requester"]["name"])
        a = strip_marks(s["a"])
        sents = sentences(a)
        lead = sents[0]
        if s["problem"] == "tone":
            style = s["tone"]
            if style == "shorthand":
                t = lead
                for pat, rep in SHORTHAND_MAP:
                    t = re.sub(pat, rep, t, flags=re.I)
                t = t.rstrip(".").replace(";", ",").replace(". ", ", ")
                t = t[0].lower() + t[1:]
                t = rng.choice(SHORTHAND_PREFIX) + " " + t
                return t, False, ["shorthand", "no_greeting", "one_line"]
            if style == "curt":
                return rng.choice(CURT_SHORTHAND), False, ["shorthand", "no_greeting", "one_line"]
            if style == "all_caps":
                return ("HI %s,\n\n%s\n\nTHANKS." % (first.upper(), a.upper())), True, ["all_caps"]
            if style == "slang":
                t = "%s %s %s" % (rng.choice(SLANG_OPEN), lead[0].lower() + lead[1:].rstrip("."),
                                  rng.choice(SLANG_CLOSE))
                return t, False, ["slang", "no_greeting", "one_line"]
            if style == "emoji":
                return ("Hi %s! %s\n\n%s %s\n\nHave a great day! %s" % (
                    first, rng.choice(EMOJI_OPEN), a, rng.choice(EMOJI_MID), rng.choice(EMOJI_CLOSE))), True, ["emoji"]
            if style == "emoji_slang":
                return ("haha yeah sorted %s %s %s" % (rng.choice(["😂", "🤙", "😎"]), lead,
                                                       rng.choice(EMOJI_MID))), False, ["slang", "emoji", "no_greeting", "one_line"]
            if style == "rude_greet":
                return ("Hi %s,\n\nThis is clearly explained in the policy on the intranet, so please read it "
                        "before raising a ticket next time. %s" % (first, lead)), True, ["rude"]
            if style == "rude_short":
                return "%s %s" % (rng.choice(RUDE_SHORT), lead), False, ["rude", "no_greeting", "one_line"]
            if style == "one_line":
                return lead, False, ["no_greeting", "one_line"]
            if style == "too_long":
                f = TOO_LONG_FILLER
                body = "\n\n".join([
                    "Hi %s," % first, f[0] + " " + f[1], f[2] + " " + a, f[3] + " " + f[4],
                    f[5] + " " + a, f[6]])
                return body, True, ["too_long"]
            raise ValueError(style)
        if s["problem"] == "context":
            phrase, tmpl = s["context"]
            text = tmpl.replace("{REF}", s["ref"])
            s["context_phrase"] = phrase.replace("{REF}", s["ref"])
            return "Hi %s,\n\n%s" % (first, text), True, None
        parts = []
        pre = rng.choice(ANSWER_PREFIX)
        suf = rng.choice(ANSWER_SUFFIX)
        main = a
        for item in s.get("pii_items", []):
            if item["field"] == "answer":
                main = main + " " + self.A_PII[item["kind"]].format(v=item["text"])
        if pre and rng.random() < 0.5:
            parts = [pre, main]
        else:
            parts = [" ".join(x for x in [pre, main] if x)]
        if suf:
            if rng.random() < 0.5:
                parts.append(suf)
            else:
                parts[-1] = parts[-1] + " " + suf
        return "Hi %s,\n\n%s" % (first, "\n\n".join(parts)), True, None

    def signature(self, s):
        rng = self.rng
        name, team, phone = s["agent"]
        closing = rng.choice(CLOSINGS)
        v = rng.randrange(3)
        if v == 0:
            return "%s\n%s\n%s | Northwind Analytics\n%s" % (closing, name, team, phone)
        if v == 1:
            return "%s\n%s\n\n--\n%s\n%s\nNorthwind Analytics | %s" % (
                closing, first_name(name), name, team, s["requester"]["office"])
        return "%s\n%s\n%s, Northwind Analytics" % (closing, name, team)

    def quote(self, s):
        c = s["created"]
        header = "On %s, %d %s %d at %s, %s <%s> wrote:" % (
            c.strftime("%a"), c.day, c.strftime("%b"), c.year, c.strftime("%H:%M"),
            s["requester"]["name"], email_for(s["requester"]["name"]))
        lines = [header]
        for ln in s["description"].split("\n"):
            lines.append(("> " + ln).rstrip())
        return "\n".join(lines)

    def render_resolution(self, s):
        rng = self.rng
        body, has_greeting, reasons = self.answer_body(s)
        s["tone_reasons"] = reasons
        s["body"] = body
        blocks = []
        s["has_boiler"] = rng.random() < BOILER_RATE_P * 2.2 if s["problem"] == "tone" else rng.random() < BOILER_RATE_P
        top = s["has_boiler"] and rng.random() < 0.25
        if top:
            blocks.append(BOILER_TOP)
        blocks.append(body)
        s["has_sig"] = has_greeting and rng.random() < SIGNATURE_RATE
        if s["has_sig"]:
            blocks.append(self.signature(s))
        footer_after_quote = []
        if s["has_boiler"]:
            opts = rng.sample([0, 1, 2, 3], rng.choice([1, 1, 2]))
            for o in opts:
                if o == 0:
                    blocks.append(BOILER_RESOLVED)
                elif o == 1:
                    blocks.append(BOILER_RATE.format(num=s["id"].split("-")[1] + "%03d" % rng.randrange(1000)))
                elif o == 2:
                    footer_after_quote.append(BOILER_CONF)
                else:
                    blocks.append(BOILER_AUTO.format(tid=s["id"], status=s["status"].lower()))
        q_pii = any(i["field"] == "question" for i in s.get("pii_items", []))
        s["has_quote"] = (not q_pii) and rng.random() < QUOTE_RATE
        if s["has_quote"]:
            blocks.append(self.quote(s))
        blocks.extend(footer_after_quote)
        return "\n\n".join(blocks)

    # ---------------- main ----------------
    def run(self):
        rng = self.rng
        specs = self.build_specs()
        self.assign_people_and_times(specs)
        self.assign_roles(specs)
        by_dept = {"HR": [], "IT": []}
        for s in specs:
            by_dept[s["intent"]["dept"]].append(s["id"])
        for s in specs:
            if s["problem"] == "context":
                earlier = [i for i in by_dept[s["intent"]["dept"]] if i < s["id"]] or by_dept[s["intent"]["dept"]][-3:]
                s["ref"] = rng.choice(earlier[-60:])
            else:
                s["ref"] = ""
        for s in specs:
            s["description"] = self.render_question(s)
        # exact copies must share the text of the first copy (before variation)
        for it, group, exact in self.clusters:
            if exact:
                base = group[0]["description"]
                for s in group[1:]:
                    variant = rng.choice(["lower", "spaces", "newlines", "upper_first"])
                    if variant == "lower":
                        d = base.lower()
                    elif variant == "spaces":
                        d = "  " + base.replace(" ", "   ", 3) + " "
                    elif variant == "newlines":
                        d = base.replace("\n\n", "\n") + "\n"
                    else:
                        d = base.upper() if len(base) < 40 else base[:1].lower() + base[1:]
                    s["description"] = d
        for s in specs:
            s["resolution"] = self.render_resolution(s)
        self.specs = specs
        self.validate()
        return specs

    def validate(self):
        pii_patterns = [
            re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), re.compile(r"\+\d{1,3}[ -]?\d"),
            re.compile(r"\(\d{3}\) \d{3}-\d{4}"), re.compile(r"\bNW-\d{5}\b"),
            re.compile(r"\b[A-Z]{3,5}\d{4}[A-Z]\b"), re.compile(r"\b[A-Z]{2} \d{2} \d{2} \d{2} [A-D]\b"),
            re.compile(r"\bGB\d{2} [A-Z]{4}"), re.compile(r"\b\d{4} \d{4} \d{4} \d{4}\b"),
        ]
        ctx_markers = [p.replace(" {REF}", "").lower() for p, _ in CONTEXT_TEMPLATES]
        for s in self.specs:
            texts = [("question", s["description"]), ("answer", s["body"])]
            listed = {(i["field"], i["text"]) for i in s["pii_items"]}
            for field, t in texts:
                for pat in pii_patterns:
                    for m in pat.finditer(t):
                        assert any(m.group(0) in txt for f, txt in listed if f == field), (s["id"], m.group(0))
                name = s["requester"]["name"]
                if name in t:
                    assert (field, name) in listed, (s["id"], "name")
            for item in s["pii_items"]:
                src = s["description"] if item["field"] == "question" else s["resolution"]
                assert item["text"] in src, (s["id"], item)
            if s["problem"] != "context":
                low = s["body"].lower()
                for m in ctx_markers:
                    if m in ("done",):
                        assert not re.search(r"\bdone\b", low), (s["id"], m)
                    else:
                        assert m not in low, (s["id"], m)
            if s["problem"] != "tone":
                assert not re.search(r"\b(pls|thx|mate|np|lol)\b", s["body"], re.I), s["id"]
                assert all(ord(c) < 0x2000 for c in s["body"]), s["id"]

    # ---------------- outputs ----------------
    def csv_text(self):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["Ticket ID", "Subject", "Description", "Resolution", "Category", "Requester",
                    "Agent", "Created", "Status", "Priority"])
        rng = self.rng
        for s in self.specs:
            subj = s["intent"]["subject"]
            if s["role"] in ("dup", "conflict_a", "conflict_c") and rng.random() < 0.3:
                subj = rng.choice(["Query: ", "Question - ", "Re: ", "Help: "]) + subj
            w.writerow([s["id"], subj, s["description"], s["resolution"], s["intent"]["category"],
                        s["requester"]["name"], s["agent"][0], s["created"].strftime("%Y-%m-%d %H:%M:%S"),
                        s["status"], s["priority"]])
        return buf.getvalue()

    def ground_truth(self):
        gt = {"duplicates": [], "hard_negatives": self.hard_negatives, "conflicts": [], "tone": [],
              "needs_context": [], "pii": [], "quoted": [], "signature": [], "boilerplate": []}
        for it, group, exact in self.clusters:
            ids = sorted(s["id"] for s in group)
            gt["duplicates"].append({"ids": ids, "exact": exact})
            if it["conflict"]:
                a = next(s for s in group if s["role"] == "conflict_a")
                c = next(s for s in group if s["role"] == "conflict_c")
                gt["conflicts"].append({"ids": [a["id"], c["id"]],
                                        "facts": [marked(a["a"])[0], marked(c["a"])[0]],
                                        "kind": it["conflict"]})
        gt["duplicates"].sort(key=lambda d: d["ids"][0])
        gt["conflicts"].sort(key=lambda d: d["ids"][0])
        for s in sorted(self.specs, key=lambda s: s["id"]):
            if s["tone_reasons"]:
                gt["tone"].append({"id": s["id"], "reasons": s["tone_reasons"]})
            if s["problem"] == "context":
                gt["needs_context"].append({"id": s["id"], "phrase": s["context_phrase"]})
            for item in s["pii_items"]:
                gt["pii"].append({"id": s["id"], "kind": item["kind"], "field": item["field"],
                                  "text": item["text"]})
            if s["has_quote"]:
                gt["quoted"].append(s["id"])
            if s["has_sig"]:
                gt["signature"].append(s["id"])
            if s["has_boiler"]:
                gt["boilerplate"].append(s["id"])
        return gt

    def seed_pairs(self):
        lines = []
        for it in self.seeds:
            lines.append(json.dumps({"instruction": it["Q"][0], "response": it["A"][0]}, ensure_ascii=False))
        return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=HERE, help="output directory (default: next to this script)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    g = Gen()
    g.run()
    csv_text = g.csv_text()
    gt = g.ground_truth()
    files = {
        "helpdesk_export.csv": csv_text,
        "ground_truth.json": json.dumps(gt, ensure_ascii=False, indent=1) + "\n",
        "seed_pairs.jsonl": g.seed_pairs(),
    }
    files["facts.md"] = facts.TEXT
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    summary = {k: len(v) for k, v in gt.items()}
    summary["rows"] = len(g.specs)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
