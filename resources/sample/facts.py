"""Fact sheet written to facts.md by make_sample.py."""

TEXT = """# Northwind Analytics: HR and IT fact sheet

Northwind Analytics is a fictional data and analytics consultancy with about 1,200 employees
in three offices: **Pune** (Kharadi, head office, about 650 people), **London** (Shoreditch,
about 300) and **Austin** (South Congress, about 250). The HR and IT helpdesks answer tickets
from all three offices. These are the policies that correct answers in the sample data follow;
the planted conflicts in `ground_truth.json` contradict this sheet on exactly one fact.

Systems: Workday (HR, leave, payroll), SAP Concur (expenses and travel), the HR portal and the IT
portal (requests), Company Portal (Windows) / Self Service (Mac) for software, Microsoft 365
(Outlook, Teams, OneDrive, SharePoint), GlobalProtect VPN, Microsoft Authenticator for MFA.

## Leave (all offices; leave year is January to December)

| Policy | Fact |
|---|---|
| Earned leave | **12 days per year**, credited monthly (1 day on the 1st of each month), accrues from the joining date and can be used during probation |
| Earned leave carry-over | **Yes**: up to **30 days** may be carried over into the next year; anything above 30 days lapses on 31 December |
| Earned leave encashment | Only on exit, in the full and final settlement, up to 30 days on basic salary |
| Negative balance | Up to 3 days of earned leave in advance, with manager approval |
| Notice for leave | At least 7 days' notice for 3 or more consecutive days |
| Sick leave | **8 days per year**, credited on 1 January, **does not carry over**; medical certificate for 3 or more consecutive days; illness during earned leave can be converted to sick leave |
| Casual leave | 6 days per year, at most 2 days at a time, cannot be combined with earned leave, no carry-over |
| Floating holidays | 2 per year from the optional list, no carry-over; holidays falling on a weekend are not moved |
| Public holidays | Pune 12, London 8 (bank holidays of England and Wales), Austin 10; next year's calendar is published in the first week of November |
| Maternity leave | **26 weeks, fully paid**, can start up to 8 weeks before the due date; inform HR 8 weeks in advance; afterwards a 4-day week for up to 3 months with pro-rated pay is possible |
| Paternity leave | **10 working days, fully paid**, within 6 months of the birth, in one block or two parts |
| Adoption leave | 12 weeks paid for the primary caregiver (child under 1) |
| Pregnancy loss | 6 weeks paid; 5 working days for partners |
| Bereavement leave | Up to 5 days for immediate family, including grandparents |
| Marriage leave | 3 days, once during employment |
| Family care leave | 3 days per year |
| Exam leave | 2 days per year for certifications in the development plan |
| Volunteering | 2 paid days per year |
| Leave without pay | Up to 30 days per year with manager and HR business partner approval |
| Comp-off | For approved work on a weekend or public holiday; use within 60 days |
| Sabbatical | Unpaid, up to 3 months, after 5 years of service; apply 2 months ahead |
| Long service | At 5 and 10 years: gift voucher and 5 extra days of earned leave |
| Leave donation | Up to 5 days of earned leave per year to a colleague with a medical emergency |
| Jury service (London/Austin) | Paid for up to 10 working days |
| Leave during notice | Manager approval, usually up to 5 days |

## Payroll

| Policy | Fact |
|---|---|
| Pay date | **Last working day of the month** (Pune and London); Austin is paid semi-monthly, on the 15th and the last working day |
| Payroll cut-off | **20th** of each month; later changes go into the next month's payroll; joiners after the 20th are paid with the next month |
| Payslips | Workday > Pay > Payslips, published 2 working days before pay day |
| Tax (India) | Declaration window in April; new regime by default; **investment proofs by 15 January**; Form 16 by 15 June; professional tax INR 200 per month (INR 300 in February) |
| Tax (UK / US) | P60 by 31 May; P45 with final pay; W-2 by 31 January; tax codes come from HMRC |
| Provident Fund (Pune) | Employer 12% of basic, matching the employee's 12% |
| NPS (Pune) | Employer contribution up to 10% of basic within CTC |
| Pension (London) | Northwind 5% of basic; employee minimum 3% |
| 401(k) (Austin) | **100% match up to 4% of base salary**, vests immediately |
| Gratuity (Pune) | After 5 years; 15 days of basic per completed year |
| Salary advance | Up to one month's net salary, once in 12 months, recovered in 6 instalments |
| Bonus and increments | Appraisal in March; bonus in the April payroll; increments effective 1 April, arrears in May |
| Full and final settlement | Within 45 days of the last working day |
| Shift allowance (Pune) | INR 400 per night on the night support rotation |
| Overtime (Austin, non-exempt) | 1.5 times the regular rate above 40 hours per week |

## Benefits

| Policy | Fact |
|---|---|
| Health insurance (Pune) | ICICI Lombard group mediclaim, family floater **INR 5,00,000** (employee, spouse, up to 2 children); optional top-up of INR 5,00,000 |
| Parents (Pune) | **Yes, parents can be added** through the parental top-up plan in the January enrolment window, premium paid by the employee |
| Maternity cover (Pune) | INR 75,000 normal delivery, INR 1,00,000 C-section |
| Health insurance (London) | Bupa, paid by Northwind; partner and children at own cost |
| Health insurance (Austin) | Aetna PPO or HDHP with HSA (USD 750 individual / USD 1,500 family); Delta Dental; FSA; short-term disability 60% after 7 days for up to 26 weeks |
| Life events | Add spouse or newborn within 30 days in Workday |
| Life insurance | 3 times annual base pay |
| EAP | MindWell, free and confidential, 24x7 |
| Wellness allowance | **INR 6,000 per year** in Pune (gym, yoga, sports) |
| Learning budget | INR 50,000 / GBP 1,000 / USD 1,500 per year |
| Referral bonus | INR 50,000 / GBP 2,000 / USD 2,500 after 90 days |
| Vision (Pune) | INR 5,000 every 2 years |
| Annual health check (Pune) | Free for employees aged 30 and above |
| Cycle to Work (London) | Up to GBP 2,000, windows in March and September |
| Daycare (Pune) | 50% of fees for children up to 6 |

## Expenses and travel

| Policy | Fact |
|---|---|
| Home internet | **INR 1,500 per month** (Pune) |
| Mobile bill | Only for on-call roles, up to INR 1,000 per month (Pune) |
| Claim deadline | Within 60 days of the expense |
| Home office | One-time INR 15,000 within the first 6 months |
| Business class | Only for flights over 6 hours, with department head approval |
| Meal allowance | INR 1,200 per day on domestic trips in India |
| Hotels | INR 7,000 per night in metro cities |
| Team celebrations | INR 1,500 per person per quarter |
| Late taxi (Pune) | After 21:00, up to INR 800 per trip |
| Missing receipt | Declaration accepted up to the equivalent of INR 2,000 |
| Mileage (London) | 45p per mile for the first 10,000 miles, then 25p |
| Travel advance | Up to 50% of estimated expenses for trips over 5 days |
| Gifts | Up to INR 2,500 may be accepted; above that, declare and usually decline |

## Working arrangements and employment

| Policy | Fact |
|---|---|
| Hybrid work | 3 office days per week; Tuesday and Thursday are anchor days |
| Core hours | 11:00 to 16:00 local time; 40 hours per week |
| Working from abroad | **Yes**, up to **20 working days** per calendar year with manager and HR approval; apply 3 weeks ahead |
| Probation | 6 months, extendable once by up to 3 months |
| Notice period | **60 days** after confirmation, 30 days during probation |
| Internal moves | After 12 months in the current role |

## IT

| Policy | Fact |
|---|---|
| Passwords | At least 14 characters, no reuse of the last 10, **expire every 90 days** (reminders 14 days ahead); self-service reset portal |
| Lockout | After 5 failed attempts, automatic unlock after 30 minutes |
| MFA | Microsoft Authenticator; Temporary Access Pass valid 8 hours |
| Admin rights | No permanent admin rights; Admin By Request for 60 minutes |
| VPN | GlobalProtect, portal vpn.northwind-analytics.com; preinstalled on Windows, Self Service on Mac; not needed for cloud apps such as Jira and Confluence |
| Wi-Fi | NW-Corp for company devices; **personal devices are allowed on the guest Wi-Fi (NW-Guest) only**; visitor vouchers valid 24 hours |
| USB storage | **Blocked**; encrypted company USB drives on request |
| Laptops | **Refreshed every 3 years**; Dell Latitude standard, MacBook for engineering and data science; loaner within 1 working day; disks encrypted (BitLocker / FileVault); screen lock after 5 minutes |
| Email and storage | Mailbox 100 GB plus unlimited online archive; deleted items recoverable for 30 days; OneDrive 1 TB with a 93-day recycle bin; emails up to 25 MB; forwarding to personal accounts blocked |
| Microsoft 365 | Office on up to 5 personal devices; Teams recordings expire after 120 days |
| Sharing | OneDrive 'Specific people' links for external sharing, expiring after 30 days |
| Printing | Follow-Me printing, release with your badge; held jobs deleted after 24 hours |
"""
