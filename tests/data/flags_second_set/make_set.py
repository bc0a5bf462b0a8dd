"""Writes the second evaluation set for the duplicate, conflict and policy flags.

A fictional freight company (Marigold Freight: offices in Chennai, Lisbon and Nairobi) whose
people desk answers in chat style. Written independently of resources/sample: another voice
(short, informal, texting shorthand, typos, Hinglish, quoted earlier replies, signatures),
another id format (Q24-0001), other offices and values. Nothing in the flag code was tuned on it.

    python tests/data/flags_second_set/make_set.py      # rewrites tickets.csv, ground_truth.json

Ground truth (ground_truth.json):
- duplicates: groups of ticket ids asking the same question (every topic with 2+ tickets);
- hard_negatives: id pairs that share words but ask different questions (never one group);
- conflicts: {"topic", "wrong": [ids], "right": [ids]}: tickets of one question whose answers
  state an incompatible value (stated in other words than the right side);
- not_conflicts: id pairs stating different values for different scopes (country, office,
  employee type, probation): never on two sides of a conflict;
- policy: {"contradicts": [ids]} the tickets whose answers contradict policy.md, and
  "uncovered": ids on subjects the policy does not cover (never a policy flag).
The script is deterministic (seeded).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

GREET = ["", "", "", "hi team, ", "Hello People Desk, ", "hey ", "Good morning! ", "Namaste, ", "hii "]
SIGN = ["", "", "", "\n\nthx\nArjun", "\n\nRegards,\nMeera S | Ops, Chennai hub", "\n\nSent from my phone",
        "\n\n-- \nTomas Duarte\nFleet planning, Lisbon", "\n\ncheers, Wanjiru"]
QUOTE = "\n\n> On Mon, {who} wrote:\n> Thanks for reaching out, we will get back to you shortly."
REPLY_OPEN = ["", "", "Hey! ", "Hi there, ", "Hello, ", "Sure - ", "Good question. "]
REPLY_CLOSE = ["", "", "", " Ping us if anything's unclear.", " Hope that helps!", "\n\n- People Desk, Marigold Freight",
               "\n\nCheers,\nKaveri | People Desk"]

# topic: questions (paraphrases, some with low word overlap), right answers, wrong answers
# (another value, in other words), and whether policy.md covers it.
TOPICS = {
    "pl_quota": dict(
        q=["How much privilege leave do we get each year?",
           "whats the yearly PL quota for new joiners in india?",
           "PL entitlement per yr??",
           "How many paid vacation days am I entitled to annually?",
           "kitni PL milti hai saal mein?",
           "Quick one - how many days off (PL) per calendar year do staff get?",
           "what is the annual privilage leave allowance",
           "Total PL for the year, how many days?"],
        a=["You get 18 days of privilege leave per year, credited monthly.",
           "PL is 18 days a year. It is credited 1.5 days every month.",
           "18 days of PL per year for everyone on the India payroll."],
        wrong=["21 days per year, credited in full in January."],
        policy=True),
    "pl_lisbon": dict(
        q=["How many PL days do Lisbon office staff get per year?",
           "privilege leave for the Lisbon office - is it different?",
           "I moved to the Lisbon office, what's my yearly PL now?"],
        a=["In the Lisbon office you get 22 days of privilege leave per year (Portuguese minimum).",
           "Lisbon office: 22 days of PL per year."],
        wrong=[], policy=True),
    "pl_contractors": dict(
        q=["Do contractors get privilege leave?", "PL for contract staff - how many days a year?",
           "contractor here, how much PL do i get"],
        a=["Contractors get 12 days of privilege leave per year.",
           "Contract staff get 12 days of PL a year, pro-rated from the start date."],
        wrong=[], policy=False),
    "cl_accrual": dict(
        q=["How many casual leaves do we get in a year?", "CL quota per year?",
           "casual leave kitne din ki hoti hai yearly?", "What is the casual leave allowance each year?",
           "How many days of casual leave can I take annually?"],
        a=["Casual leave (CL) is 8 days per year and does not carry forward.",
           "You get 8 days of casual leave per year; unused CL lapses in March."],
        wrong=[], policy=True),
    "pl_carry": dict(
        q=["Can I carry forward my unused PL to next year?", "does leftover privilege leave roll over?",
           "unused PL - lapse or carry fwd?", "Will my balance PL move into the next year or do I lose it?",
           "PL carry forward limit kya hai?"],
        a=["Yes, you can carry forward up to 30 days of unused PL.",
           "Unused privilege leave carries over, up to 30 days."],
        wrong=["No, PL does not carry forward; whatever is left lapses on 31 March."],
        policy=True),
    "sick_leave": dict(
        q=["How many sick days can I take?", "sick leave limit per year?", "is there any cap on sick leave",
           "Fell ill again, how much medical leave am I allowed in a year?", "SL days per yr"],
        a=["You can take up to 10 days of sick leave a year.",
           "Sick leave is capped at 10 days per year; a doctor's note is needed beyond 2 days in a row."],
        wrong=["Sick leave is unlimited as long as you share a medical certificate."],
        policy=True),
    "salary_date": dict(
        q=["When is salary credited?", "salary kab aati hai?", "What date does pay hit the account each month?",
           "when do we get paid"],
        a=["Salary is credited on the last working day of the month.",
           "Pay lands on the last working day of every month."],
        wrong=[], policy=True),
    "reimb_date": dict(
        q=["When are expense reimbursements paid out?", "claim submitted, when will the money come?",
           "what day do approved expense claims get paid", "reimbursement payout date?"],
        a=["Approved expense reimbursements are paid on the first Monday after month end.",
           "Reimbursements go out on the first Monday after month end."],
        wrong=["Reimbursements are paid with salary on the 15th of each month."],
        policy=True),
    "wfh_days": dict(
        q=["How many days a week can I WFH?", "work from home policy - days per week?",
           "can i work remotely 3 days a week", "Remote days allowed per week for ops staff?",
           "wfh kitne din allowed hai week mein"],
        a=["You can WFH up to 2 days a week, with your manager's OK.",
           "Work from home is allowed 2 days per week."],
        wrong=["You can work from home 3 days a week."],
        policy=True),
    "wfh_allowance": dict(
        q=["Is there a WFH allowance?", "How much is the work from home allowance per month?",
           "do we get money for internet when working from home"],
        a=["The WFH allowance is INR 1,000 per month, paid with salary.",
           "Yes, INR 1,000 per month towards internet and power."],
        wrong=["The WFH allowance is Rs. 1,500 a month."],
        policy=True),
    "pf_rate": dict(
        q=["How much PF is deducted from my salary?", "What percent goes to provident fund?",
           "PF contribution rate?", "pf cutting kitna hota hai basic pe"],
        a=["PF is 12% of your basic salary, and the company adds the same 12%.",
           "12% of basic goes to PF; Marigold matches it."],
        wrong=["PF is 10% of basic pay."],
        policy=True),
    "pf_withdrawal": dict(
        q=["How long does a PF withdrawal take?", "PF withdrawal claim - processing time?",
           "i applied to withdraw my provident fund, when will it be settled"],
        a=["PF withdrawals are settled within 20 days of the claim.",
           "Expect the PF withdrawal within 20 days."],
        wrong=[], policy=False),
    "basic_share": dict(
        q=["What share of my CTC is basic?", "basic salary is what % of cost to company?",
           "CTC breakup - how much is basic?"],
        a=["Basic is 40% of your CTC.", "Your basic pay is 40% of CTC; HRA is half of basic."],
        wrong=["Basic is 50% of CTC."],
        policy=True),
    "da_rate": dict(
        q=["How much is DA?", "dearness allowance percentage?", "DA rate for field staff"],
        a=["DA is 8% of basic pay.", "Dearness allowance is 8% of basic."],
        wrong=[], policy=False),
    "paternity": dict(
        q=["How long is paternity leave?", "my wife is due next month - how many days leave do I get as a dad?",
           "paternity leave kitne din ki hai", "Days off for new fathers?"],
        a=["Paternity leave is 10 working days, to be taken within 3 months of the birth.",
           "New fathers get 10 working days of paternity leave."],
        wrong=["Paternity leave is 5 working days."],
        policy=True),
    "adoption": dict(
        q=["How long is adoption leave?", "we are adopting a child, what leave can I take?",
           "adoption leave duration?"],
        a=["Adoption leave is 12 weeks for the primary caregiver.",
           "The primary caregiver gets 12 weeks of adoption leave."],
        wrong=[], policy=False),
    "hotel_domestic": dict(
        q=["What's the hotel limit for domestic travel?", "domestic trip - max hotel per night?",
           "How much can I spend on a hotel when travelling within India?"],
        a=["For domestic travel the hotel limit is INR 4,000 per night.",
           "Domestic trips: hotel up to INR 4,000 per night."],
        wrong=["Domestic hotel stays are capped at INR 5,000 a night."],
        policy=True),
    "perdiem_intl": dict(
        q=["What's the per diem for international travel?", "daily allowance when travelling abroad?",
           "international trip per diem amount"],
        a=["International per diem is USD 60 per day.", "Abroad you get USD 60 per day for meals and local travel."],
        wrong=[], policy=True),
    "notice_confirmed": dict(
        q=["What is the notice period after confirmation?", "notice period for confirmed employees?",
           "I'm confirmed now, how long is my notice?"],
        a=["After confirmation the notice period is 60 days.", "Confirmed employees serve a 60 day notice period."],
        wrong=["Confirmed employees have a notice period of 90 days."],
        policy=True),
    "notice_probation": dict(
        q=["Notice period during probation?", "If I resign while on probation, how much notice?"],
        a=["During probation the notice period is 15 days."],
        wrong=[], policy=True),
    "laptop_refresh": dict(
        q=["How often are laptops replaced?", "laptop refresh cycle?", "my laptop is old, when is it due for replacement"],
        a=["Laptops are refreshed every 3 years.", "The refresh cycle is every 3 years."],
        wrong=["Laptops get replaced every 4 years."],
        policy=False),
    "vpn_devices": dict(
        q=["How many devices can I register on the VPN?", "vpn device limit?", "can I add my tablet to VPN too, whats the max"],
        a=["You can register up to 3 devices on the VPN.", "The VPN allows 3 devices per person."],
        wrong=["The VPN allows 5 devices per person."],
        policy=False),
    "meal_card": dict(
        q=["How much is loaded on the meal card?", "meal card monthly amount?", "food card balance per month kitna hai"],
        a=["The meal card is loaded with INR 2,200 per month.", "INR 2,200 per month goes on the meal card."],
        wrong=["The meal card gets Rs 2,500 per month."],
        policy=True),
    "health_cover": dict(
        q=["What is the health insurance cover?", "mediclaim sum insured?", "how much does the group health policy cover"],
        a=["The group health cover is INR 5 lakh per family per year.",
           "Sum insured is INR 5,00,000 per family per year."],
        wrong=["Health cover is INR 3 lakh per family per year."],
        policy=True),
    "parents_insurance": dict(
        q=["Can I add my parents to the health insurance?", "parents covered under mediclaim?",
           "can mom and dad be added to the group health policy"],
        a=["Yes, parents can be added to the health insurance as dependants for an extra premium.",
           "Yes, you can add parents to the policy for an extra premium."],
        wrong=["No, parents cannot be added to the group health insurance."],
        policy=True),
    "maternity": dict(
        q=["How long is maternity leave?", "maternity leave duration?", "How many weeks off for mothers after delivery?"],
        a=["Maternity leave is 26 weeks.", "Mothers get six months of maternity leave."],
        wrong=["Maternity leave is 12 weeks."],
        policy=True),
    "probation_length": dict(
        q=["How long is probation?", "probation period kitna hai?", "when does my probation end - how long is it"],
        a=["Probation is 6 months from your joining date.", "The probation period lasts 6 months."],
        wrong=[], policy=True),
    "chennai_hours": dict(
        q=["What are the office hours at the Chennai office?", "Chennai office timings?",
           "what time does the Chennai office open"],
        a=["The Chennai office opens at 9:30 am and closes at 6:30 pm.", "Chennai office: 9:30 am to 6:30 pm."],
        wrong=["The Chennai office opens at 10 am."],
        policy=False),
    "lisbon_hours": dict(
        q=["What are the office hours in the Lisbon office?", "Lisbon office timings?"],
        a=["The Lisbon office opens at 9 am and closes at 5 pm.", "Lisbon office: 9 am to 5 pm."],
        wrong=[], policy=False),
    "gym": dict(
        q=["Is there a wellness or gym allowance?", "gym reimbursement limit per year?", "can i claim my gym membership"],
        a=["The wellness allowance is up to INR 12,000 per year.", "You can claim gym fees up to INR 12,000 a year."],
        wrong=[], policy=False),
}

SINGLES = [
    ("How do I update my bank account for salary?", "Update it in the payroll portal under Profile > Bank; it applies from next month."),
    ("Where do I download Form 16?", "Form 16 is in the payroll portal under Documents after June 15."),
    ("my payslip shows wrong name spelling", "Raise a request in the HR portal with a copy of your ID and we will fix it."),
    ("How do I book a meeting room in Chennai?", "Use the Rooms tab in the intranet app."),
    ("Who do I contact for a new ID card?", "Email the facilities desk with a photo; cards take about a week."),
    ("can i change my shift timing", "Talk to your shift lead; changes need a week's notice."),
    ("The printer on floor 2 is jammed", "Facilities has been informed; use the floor 3 printer meanwhile."),
    ("How do I reset my email password?", "Use the self-service password page and verify with your phone."),
    ("Outlook keeps crashing on my laptop", "Repair Office from Settings > Apps, then restart."),
    ("How do I get access to the fleet tracking dashboard?", "Request the FleetView role in the access portal; your manager approves it."),
    ("what is the dress code", "Smart casual in offices; safety shoes and vests on the warehouse floor."),
    ("Is there a referral bonus?", "Yes, referral bonus details are on the careers page of the intranet."),
    ("How do I apply for a name change after marriage?", "Upload the marriage certificate in the HR portal and we update all records."),
    ("Can I get a second monitor?", "Raise an IT request; monitors are approved by your manager."),
    ("How do I enrol for the night shift allowance?", "Your shift lead marks it in the roster system."),
    ("Where can I find the holiday calendar?", "The holiday calendar is on the intranet home page."),
    ("How do I report a safety incident at the warehouse?", "Report it in the SafetyFirst app right away and tell your supervisor."),
    ("wifi password for guests?", "Guests use the Marigold-Guest network; reception gives a daily code."),
    ("How do I nominate someone for the quarterly award?", "Use the nomination form linked in the monthly newsletter."),
    ("Can I transfer to the Nairobi office?", "Internal transfers are posted on the jobs board; apply there."),
    ("How do I raise a grievance confidentially?", "Write to the ethics mailbox; only the ethics committee reads it."),
    ("Who approves overtime?", "Your shift lead approves overtime in the roster system."),
    ("teams not showing my calendar", "Sign out of Teams and back in; if it persists, clear the Teams cache."),
    ("How do I get a visa letter for a conference?", "Request it in the HR portal with the conference invite attached."),
    ("How do I add my spouse as a nominee for PF?", "Add the nominee on the PF member portal using e-nomination."),
    ("my laptop battery swells", "Stop using it and bring it to the IT desk today for a swap."),
    ("Can I bring my own laptop for work?", "Only company laptops may connect to internal systems."),
    ("How do I access payslips from last year?", "All payslips are under Payroll > History in the portal."),
    ("Where is the first aid kit in the Lisbon office?", "Next to the kitchen on the ground floor."),
    ("how to install the VPN client on mac", "Download the client from the software portal and sign in with your work account."),
    ("is there parking at the Chennai office", "Yes, two-wheeler and car parking; register your vehicle with security."),
    ("How do I change my manager in the system?", "Your new manager raises the change in the HR portal."),
    ("what's the process for exit interview", "HR schedules it in your last week; it takes about 30 minutes."),
    ("How do I get my experience letter?", "It is issued on your last working day by HR."),
    ("Who do I talk to about a payroll error?", "Raise a payroll ticket; the payroll team answers within two working days."),
    ("How do I update my emergency contact?", "Profile > Emergency contact in the HR portal."),
    ("Can I claim a phone bill?", "Only for roles with an on-call allowance; attach the bill in the expense tool."),
    ("How do I join the Nairobi football club?", "Ask in the #nairobi-social channel."),
    ("How do I order business cards?", "Request them through the facilities portal."),
    ("zoom not working on office wifi", "Zoom is not supported; use Teams for calls."),
    ("How do I request a standing desk?", "Raise a facilities request with a note from your doctor or manager."),
    ("How do I get added to the ops mailing list?", "Ask your manager to add you in the directory."),
    ("the attendance app shows me absent yesterday", "Raise an attendance correction in the app; your manager approves it."),
    ("Can I take a salary advance?", "Salary advances are approved case by case by HR and finance."),
    ("Where do I submit investment proofs?", "Upload them in the payroll portal under Tax > Proofs."),
    ("how do i get a locker at the warehouse", "Ask the warehouse supervisor; lockers are assigned by shift."),
    ("Is there a shuttle to the Chennai office?", "Yes, shuttles run from the metro station every 20 minutes in the morning."),
    ("What is the process to apply for an internal job?", "Apply on the jobs board and tell your manager."),
    ("can someone fix the AC in meeting room B", "Facilities is on it."),
    ("How do I get a copy of my offer letter?", "Download it from Documents in the HR portal."),
    ("I lost my access card", "Report it to security right away; a new card takes two days."),
]

HARD_NEGATIVE_TOPICS = [
    ("pl_quota", "cl_accrual"), ("paternity", "adoption"), ("hotel_domestic", "perdiem_intl"),
    ("wfh_days", "wfh_allowance"), ("pf_rate", "pf_withdrawal"), ("salary_date", "reimb_date"),
    ("pl_quota", "pl_carry"), ("notice_confirmed", "probation_length"), ("pl_quota", "pl_lisbon"),
    ("chennai_hours", "lisbon_hours"), ("paternity", "maternity"), ("pl_quota", "pl_contractors"),
    ("basic_share", "da_rate"), ("notice_confirmed", "notice_probation"), ("sick_leave", "cl_accrual"),
]
# different scope, different value: never a conflict
NOT_CONFLICT_TOPICS = [("pl_quota", "pl_lisbon"), ("pl_quota", "pl_contractors"), ("notice_confirmed", "notice_probation"),
                       ("chennai_hours", "lisbon_hours")]

TYPOS = {"leave": "leaev", "salary": "salry", "office": "ofice", "probation": "probaton", "allowance": "allowence",
         "please": "pls", "you": "u", "are": "r"}


def vary(rng: random.Random, q: str, variant: int) -> str:
    """Question variants: the paraphrase as written, then with a greeting, a signature, a quoted
    earlier reply, typos."""
    if variant == 0:
        return q
    text = q
    if variant % 3 == 1:
        w = rng.choice(list(TYPOS))
        text = text.replace(w, TYPOS[w])
    if variant % 2 == 1:
        text = rng.choice(GREET[3:]) + (text[0].lower() + text[1:])
    text += rng.choice(SIGN[3:]) if variant % 2 == 0 else ""
    if variant == 3:
        text += QUOTE.format(who="People Desk")
    return text


def build():
    rng = random.Random(2411)
    tickets = []  # (id, question, answer, created)
    truth = {"duplicates": [], "hard_negatives": [], "conflicts": [], "not_conflicts": [],
             "policy": {"contradicts": [], "uncovered": []}, "topics": {}}
    start = dt.datetime(2024, 4, 1, 9, 0)
    planned = []
    for topic, spec in TOPICS.items():
        qs = spec["q"]
        n_variants = 3
        rows = []
        for vi in range(n_variants):
            for qi, q in enumerate(qs):
                if vi and len(qs) >= 5 and (qi + vi) % 2:  # not every paraphrase in every variant
                    continue
                rows.append(vary(rng, q, vi * 2 - (qi % 2) if vi else 0))
        answers = []
        wrong_pos = set()
        if spec["wrong"]:
            k = len(spec["wrong"]) + (1 if len(rows) > 8 else 0)
            wrong_pos = set(rng.sample(range(len(rows)), min(k, len(rows) - 2)))
        for i in range(len(rows)):
            if i in wrong_pos:
                answers.append(("wrong", spec["wrong"][i % len(spec["wrong"])]))
            else:
                answers.append(("right", spec["a"][i % len(spec["a"])]))
        for q, (side, a) in zip(rows, answers):
            a = rng.choice(REPLY_OPEN) + a + rng.choice(REPLY_CLOSE)
            planned.append((topic, side, q, a))
    for q, a in SINGLES:
        planned.append((None, "right", q, a))
    rng.shuffle(planned)
    by_topic: dict[str, dict[str, list[str]]] = {}
    for i, (topic, side, q, a) in enumerate(planned):
        tid = f"Q24-{i + 1:04d}"
        created = start + dt.timedelta(hours=7 * i + rng.randint(0, 5))
        tickets.append((tid, q, a, created.strftime("%Y-%m-%d %H:%M")))
        if topic:
            by_topic.setdefault(topic, {"right": [], "wrong": []})[side].append(tid)
    for topic, sides in by_topic.items():
        ids = sorted(sides["right"] + sides["wrong"])
        truth["topics"][topic] = ids
        if len(ids) > 1:
            truth["duplicates"].append({"ids": ids, "topic": topic})
        if sides["wrong"]:
            truth["conflicts"].append({"topic": topic, "wrong": sorted(sides["wrong"]), "right": sorted(sides["right"])})
        if TOPICS[topic]["policy"]:
            truth["policy"]["contradicts"] += sides["wrong"]
        else:
            truth["policy"]["uncovered"] += ids
    for a, b in HARD_NEGATIVE_TOPICS:
        truth["hard_negatives"] += [[x, y] for x in by_topic[a]["right"][:3] for y in by_topic[b]["right"][:3]]
    for a, b in NOT_CONFLICT_TOPICS:
        truth["not_conflicts"] += [[x, y] for x in by_topic[a]["right"] for y in by_topic[b]["right"]]
    truth["policy"]["contradicts"].sort()
    truth["policy"]["uncovered"].sort()
    return tickets, truth


def main() -> None:
    tickets, truth = build()
    with open(HERE / "tickets.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Case Number", "Question", "Reply", "Opened"])
        w.writerows(tickets)
    (HERE / "ground_truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    print(f"{len(tickets)} tickets, {len(truth['duplicates'])} duplicate groups, {len(truth['conflicts'])} conflicts")


if __name__ == "__main__":
    main()
