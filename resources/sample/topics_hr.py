"""HR intents for the Pairsmith sample data (used by make_sample.py).

Format (parsed by make_sample.parse_topics):

    ## Category
    > key | Subject | flag flag ...
    Q question paraphrase (one per line; 2-4 lines make a near-duplicate cluster)
    A answer (house style body; several A lines are equivalent paraphrases)
    C conflicting answer (only for conflict=... intents)

Flags: office=Pune|London|Austin, hn=group[,group] (hard-negative groups),
conflict=<kind>, exact (exact re-submissions), seed (seed_pairs.jsonl only).
[[...]] marks the contradicting fact in conflict answers.
"""

TEXT = r"""
## HR/Leave
> el_entitlement | Earned leave entitlement | office=Pune conflict=number
Q How many days of earned leave do I get each year?
Q What is the yearly earned leave entitlement here, and is it credited all at once or monthly?
A You are entitled to [[12 days of earned leave]] per calendar year. It is credited monthly, 1 day on the 1st of each month, and the running balance is visible in Workday under Time Off.
C Earned leave is [[18 days per year]] and the full amount is credited on 1 January. You can see the balance in Workday under Time Off.

> el_carryover | Carry forward of earned leave | hn=carry conflict=yes_no
Q Can I carry forward my unused earned leave to next year?
Q I still have some earned leave left and it's nearly December. Will it roll over into next year or do I lose it?
A [[Yes, you can carry over]] up to 30 days of unused earned leave into the next calendar year. Anything above 30 days lapses on 31 December, so please plan to use the excess before the year ends.
C [[No, unused earned leave lapses]] on 31 December each year. Please plan to use your balance before the year ends.

> sl_carryover | Sick leave carry over | hn=carry,sick
Q Does unused sick leave carry over into the next year, or does it reset?
A Sick leave does not carry over. You get 8 days of sick leave on 1 January each year and any unused days lapse on 31 December.

> sl_entitlement | Sick leave entitlement | hn=sick
Q How many paid sick days do we get, and when do I need a doctor's note?
A You get 8 days of paid sick leave per calendar year. A medical certificate is only needed if you are off sick for 3 or more consecutive days; please upload it in Workday when you record the absence.

> sl_apply | How to apply for sick leave | exact
Q How do I apply for sick leave? I was unwell yesterday and didn't log in.
A Please record it in Workday under Time Off > Request Time Off and choose 'Sick Leave' for the date you were unwell. Sick leave can be entered after the day itself, and your manager will see it for approval.

> el_balance | Checking leave balance
Q Where can I check how much earned leave I have left?
Q How do I see my current leave balance?
Q Is there a way to view my remaining leave days online?
A You can see your balance in Workday: open the Time Off app and select 'View Time Off Balance'. It shows earned, sick and casual leave separately, including days already booked but not yet taken.
A Your leave balance is in Workday under Time Off > View Time Off Balance. It lists each leave type separately and already accounts for any upcoming leave you have booked.

> el_apply | Applying for a week of leave
Q What is the process to apply for a week of earned leave? I want to travel in the second half of next month.
A Please submit the request in Workday under Time Off > Request Time Off and pick 'Earned Leave'. For 3 or more consecutive days we ask for at least 7 days' notice, and your manager approves it in Workday.

> el_encash | Leave encashment
Q Can I encash my earned leave instead of taking it?
A Earned leave can only be encashed when you leave the company, as part of the full and final settlement. Up to 30 days are paid out on the basis of your basic salary; during employment, leave cannot be encashed.

> el_probation | Leave during probation
Q I'm still on probation. Am I allowed to take earned leave?
A Yes. Earned leave accrues from your joining date and you can use the days you have accrued even during probation, subject to your manager's approval.

> casual_leave | Casual leave rules
Q How many casual leaves do we have, and can I club them with earned leave?
A You get 6 days of casual leave per year for short, unplanned needs. Casual leave can be taken for up to 2 days at a time, cannot be combined with earned leave and does not carry over.

> maternity | Maternity leave duration | hn=parental conflict=duration
Q How long is maternity leave at Northwind?
Q I'm expecting in August. How many weeks of maternity leave am I entitled to?
A Maternity leave is [[26 weeks of fully paid leave]], in all three offices. You can start it up to 8 weeks before your due date; please inform HR at least 8 weeks in advance so we can plan the handover.
C Maternity leave is [[12 weeks of paid leave]]. Please inform HR at least 8 weeks before you plan to start it.

> paternity | Paternity leave | hn=parental conflict=duration
Q How many days of paternity leave do fathers get?
Q My wife is due next month. What is the paternity leave entitlement and when do I have to take it?
A Paternity leave is [[10 working days]] of fully paid leave, to be taken within 6 months of the birth. You can take it in one block or in two parts; apply in Workday under 'Paternity Leave'.
C Paternity leave is [[5 working days]], to be used within 6 months of the birth. Apply in Workday under 'Paternity Leave'.

> adoption | Adoption leave
Q Do we have any leave policy for parents who adopt a child?
A Yes. The primary caregiver gets 12 weeks of paid adoption leave for a child under the age of 1, and the other parent can take the usual 10 working days of paternity leave. Please share the adoption order with HR when you apply.

> bereavement | Bereavement leave
Q My grandmother passed away last night. What leave can I take?
A I'm very sorry for your loss. You can take up to 5 days of paid bereavement leave for an immediate family member, which includes grandparents. Record it in Workday as 'Bereavement Leave'; no documents are needed.

> marriage_leave | Marriage leave
Q I'm getting married in November. Is there any special leave for that?
A Congratulations! You can take 3 days of paid marriage leave, once during your employment. It can be combined with earned leave, and we ask that you apply in Workday at least 2 weeks before.

> lwp | Leave without pay
Q I've used up all my leave but need two more weeks off for a family matter. Is unpaid leave possible?
A Yes, leave without pay of up to 30 days a year is possible with approval from your manager and your HR business partner. Raise the request in Workday under 'Leave Without Pay' with a short reason; salary for those days is deducted in the next payroll.

> compoff | Comp-off for weekend work
Q I worked on Saturday for the release. Do I get a comp-off?
Q If I have to work over a weekend, can I take a day off in lieu later?
Q We had a production issue on a public holiday and I worked the whole day. Is there compensatory leave for that?
A Yes. If you work on a weekend or public holiday with your manager's prior approval, you get a compensatory day off. Log it in Workday under 'Comp-off Request' and use it within 60 days, otherwise it lapses.

> half_day | Half-day leave
Q Can I apply for half a day of leave for a dentist appointment?
A Yes, Workday lets you request half-day leave. Choose 'Half Day' in the request and select morning or afternoon; 0.5 days will be deducted from your balance.

> sabbatical | Sabbatical policy
Q Is there a sabbatical policy for long-tenured employees?
A Employees with at least 5 years of service can apply for an unpaid sabbatical of up to 3 months. Discuss it with your manager first, then submit the application to HR at least 2 months before the planned start date.

> leave_cancel | Cancelling approved leave
Q I applied for leave next week but my plans changed. How do I cancel it?
A You can cancel it yourself in Workday: open Time Off > My Absence, select the request and choose 'Cancel'. The days go back to your balance once your manager approves the cancellation.

> leave_negative | Negative leave balance
Q Can I take leave in advance if my earned leave balance isn't enough yet?
A You can go up to 3 days negative on earned leave, with your manager's approval. The negative balance is adjusted against future accruals; if you leave before it is recovered, it is deducted in the final settlement.

> floating_holiday | Floating holidays
Q What are floating holidays and how many can I take?
A On top of the fixed public holidays, you can choose 2 floating holidays a year from the optional holiday list on the intranet. Book them in Workday as 'Floating Holiday'; unused floating holidays do not carry over.

> leave_year | Leave year
Q Is our leave year January to December or April to March?
A Our leave year runs from January to December in all offices. Accruals restart on 1 January, and the carry-over rules apply on 31 December.

> leave_pending | Leave approval pending
Q My leave request has been pending with my manager for a week. What should I do?
A Please remind your manager first, as only they can approve it. If they are away, HR can move the approval to your skip-level manager; reply with the dates of the request and we will arrange it.

> sick_during_el | Sick during earned leave
Q I fell ill during my earned leave. Can those days be converted to sick leave?
A Yes. If you fall ill during earned leave, the days can be converted to sick leave. Cancel and re-apply for those dates in Workday as sick leave; for 3 or more days, please upload a medical certificate.

> family_care | Family care leave
Q Is there any leave for looking after a sick child?
A Yes, you can use up to 3 days of family care leave per year for a sick child, partner or parent. It is recorded in Workday as 'Family Care Leave' and is separate from your own sick leave.

> holiday_weekend | Holiday falling on a weekend
Q If a public holiday falls on a Saturday, do we get another day off instead?
A No, holidays that fall on a weekend are not moved to a weekday. You can use one of your 2 floating holidays if you would like an extra day off that week.

> leave_notice | Leave during notice period
Q Can I take earned leave during my notice period?
A Leave during the notice period needs your manager's approval and is usually limited to 5 days, so that the handover is not affected. Unused earned leave is encashed in the final settlement, up to 30 days.

> volunteering | Volunteering days
Q Do we get any paid days for volunteering?
A Yes, everyone gets 2 paid volunteering days a year to support a registered charity or community project. Record them in Workday as 'Volunteering Leave' after agreeing the dates with your manager.

> jury_service | Jury service | office=London
Q I've been called for jury service next month. Is that paid leave?
A Yes, jury service is paid leave for up to 10 working days. Please share the summons with HR and record the absence in Workday as 'Jury Service'; you can keep any court allowance for travel and food.

> study_leave | Study leave for exams
Q I have my certification exam next month. Is there any study or exam leave?
A Yes, you can take up to 2 days of paid exam leave per year for a certification that is approved in your development plan. Record it in Workday as 'Exam Leave' and keep the exam confirmation in case HR asks for it.

> return_parttime | Part-time return after parental leave
Q After my maternity leave, can I come back part-time for a while?
A Yes, returning parents can work a reduced schedule of 4 days a week for up to 3 months after returning, with pro-rated pay. Agree it with your manager and submit the flexible work request in Workday before your return date.

> leave_public_unplanned | Leave for religious festival
Q The public holiday list doesn't include a festival I celebrate. What can I do?
A You can use one of your 2 floating holidays for it, as the optional holiday list covers the major festivals of all communities. If the festival is not on that list, book the day as earned leave.

## HR/Payroll
> salary_date | Salary credit date | office=Pune hn=pay conflict=date
Q On which date is the salary credited every month?
Q When do we get paid each month?
A Salary is credited on the [[last working day of the month]]. If you have not received it by then, please check that your bank details in Workday are correct and let payroll know.
C Salary is credited on the [[1st of the following month]]. If the 1st is a holiday, it is paid on the next working day.

> payslip | Downloading payslips | hn=pay
Q Where can I download my payslip?
Q How do I get a copy of my salary slip for last month?
Q I need my last 3 payslips for a loan application. Where do I find them?
A Payslips are in Workday under Pay > Payslips, and they are published 2 working days before pay day. You can download any past month as a PDF; if your bank needs a stamped copy, HR can issue a signed one.

> payroll_cutoff | Payroll cut-off date
Q What is the cut-off date for changes to this month's payroll?
A The payroll cut-off is the 20th of each month. Changes submitted in Workday after the 20th, such as bank details or reimbursements, are processed in the following month's payroll.

> bank_change | Updating salary bank account | exact
Q How do I update my bank account details for salary?
A Please update your bank details in Workday under Pay > Payment Elections and upload a cancelled cheque or a bank letter. Changes made before the 20th apply to the same month's salary; after that, they apply from the next month.

> form16 | Form 16 | office=Pune
Q When will Form 16 be issued for the last financial year?
Q When can I expect my Form 16? I need it to file my return.
A Form 16 is issued by 15 June each year. It will be published in Workday under Pay > Tax Documents and you will get a notification as soon as it is available.

> tax_deadline | Investment proof deadline | office=Pune hn=tax conflict=date
Q What is the last date to submit investment proofs for tax?
Q By when do I need to upload my tax saving proofs?
A Investment proofs must be submitted by [[15 January]] through the Workday tax declaration page. Anything not submitted by then will be taxed in the remaining payrolls of the financial year.
C Investment proofs can be submitted until [[31 March]]; after that, the deductions cannot be considered for the year.

> tax_regime | Old vs new tax regime | office=Pune hn=tax
Q How do I choose between the old and the new tax regime?
A You can choose the regime in Workday under Pay > Tax Declaration during the April declaration window. If you do not choose, the new regime is applied by default; you can still switch when filing your own return.

> hra_parents | HRA for rent paid to parents | office=Pune
Q Can I claim HRA if I'm paying rent to my parents?
A Yes, HRA can be claimed for rent paid to parents, provided they own the property and you have a rent agreement and rent receipts. If the annual rent exceeds INR 1,00,000, the landlord's PAN is also required.

> salary_advance | Salary advance
Q Is there any provision for a salary advance? I have a medical emergency in the family.
A Yes, you can request an advance of up to one month's net salary once in any 12-month period. It is recovered in 6 equal instalments from your salary; raise the request in Workday under Pay > Salary Advance.

> bonus_date | Annual bonus payout
Q When is the annual bonus paid out?
A The annual performance bonus is paid with the April payroll, after the appraisal cycle closes in March. The amount depends on your rating and the company multiplier, and it is shown separately on the April payslip.

> increment_date | Increment effective date
Q When do increments take effect after the appraisal?
A Increments are effective from 1 April. Revised compensation letters are shared in Workday by mid-April, and any arrears are paid in the May payroll.

> fnf | Full and final settlement
Q How long does the full and final settlement take after my last day?
A The full and final settlement is processed within 45 days of your last working day. It includes salary for the final month, leave encashment of up to 30 days and any pending reimbursements, minus recoveries.

> p60 | P60 | office=London
Q When will I get my P60 for this tax year?
A P60s are issued by 31 May for the tax year ending 5 April. You will find yours in Workday under Pay > Tax Documents.

> w2 | W-2 forms | office=Austin
Q When are W-2 forms sent out?
A W-2 forms are issued by 31 January for the previous calendar year. They are available in Workday under Pay > Tax Documents; paper copies are mailed only if you opted out of electronic delivery.

> tax_code_uk | Wrong tax code | office=London
Q I think my tax code on my payslip is wrong. What should I do?
A Tax codes are issued by HMRC, so payroll cannot change them directly. Please check your code in your HMRC personal tax account and ask HMRC to correct it; once they send us the updated code, it is applied in the next payroll.

> salary_lower | Lower salary this month
Q My salary this month is lower than usual. Can someone check why?
A The most common reasons are leave without pay, a change in tax deductions or a recovery such as a salary advance instalment. Your payslip in Workday shows each deduction line; if something still looks wrong, reply with the month and the line you are unsure about and payroll will review it.

> pf_transfer | PF transfer | office=Pune
Q How do I transfer my PF from my previous employer?
A Your UAN stays the same across employers. Log in to the EPFO member portal, raise an online transfer claim under 'One Member - One EPF Account' and choose Northwind as the current employer; we approve it within 5 working days.

> salary_certificate | Salary certificate | hn=letters
Q I need a salary certificate for a visa application. How do I get one?
Q Can HR issue a letter confirming my salary? The embassy has asked for it.
A HR can issue a salary certificate on company letterhead within 2 working days. Please raise a 'Letter Request' in the HR portal and mention the purpose, and the embassy name if it has to be addressed to them.

> employment_letter | Employment verification letter | hn=letters
Q A bank asked for an employment verification letter. How do I get one?
A You can generate an employment verification letter yourself in Workday under Personal > Letters; it is signed digitally and accepted by most banks. If the bank needs a specific format, raise a Letter Request in the HR portal.

> overtime_austin | Overtime pay | office=Austin
Q How is overtime paid for hourly employees in Austin?
A Non-exempt employees in Austin are paid 1.5 times the regular rate for hours over 40 in a work week. Hours must be recorded in Workday timesheets and approved by your manager by Monday noon.

> shift_allowance | Night shift allowance | office=Pune
Q Do we get a shift allowance for the night support rotation?
A Yes, employees on the night support rotation receive a shift allowance of INR 400 per night, paid with the following month's salary. Your manager submits the roster to payroll by the 20th.

> gratuity | Gratuity eligibility | office=Pune
Q Am I eligible for gratuity? I have been here a little over four years.
A Gratuity is payable after 5 years of continuous service. It is calculated as 15 days of last drawn basic salary for every completed year of service and paid with the full and final settlement.

> pf_rate | Employer PF contribution | office=Pune
Q How much does the company contribute to PF?
A The employer contributes 12% of your basic salary to the Provident Fund, matching your own 12% contribution. Both appear on your payslip, and you can track the balance on the EPFO portal with your UAN.

> payslip_password | Payslip PDF password | office=Pune
Q The payslip PDF is asking for a password. What is it?
A Payslips downloaded from the payroll archive are protected with a password made of the first four letters of your first name in capitals followed by your date of birth in DDMM format. Payslips downloaded directly from Workday are not password protected.

> tax_deduction_high | High tax deduction | office=Pune
Q Why has so much tax been deducted this month?
A Tax is recalculated every month based on your declared investments. If proofs were not submitted by the deadline or your declaration changed, the tax for the remaining months goes up; the tax computation sheet in Workday shows the details.

> arrears | Arrears after promotion
Q I was promoted in February but my salary still shows the old amount. Will I get arrears?
A Yes. Promotion changes approved after the payroll cut-off are applied in the following month, and the difference for the missed month is paid as arrears. It appears as a separate 'Arrears' line on your payslip.

> ctc_breakup | Salary structure
Q Where can I see the breakup of my CTC?
A Your compensation statement in Workday under Pay > Compensation shows the full breakup, including basic, HRA, special allowance, PF and the variable bonus target. It is updated after every revision.

> paye_emergency | Emergency tax code | office=London
Q My first payslip shows an emergency tax code. Is that normal?
A Yes, that is normal when HMRC has not yet received your P45 details. Please give your P45 from your previous employer to HR; once HMRC issues the correct code, any overpaid tax is refunded through payroll.

> direct_deposit_split | Splitting direct deposit | office=Austin
Q Can I split my paycheck between two bank accounts?
A Yes, in Workday under Pay > Payment Elections you can add a second account and set a fixed amount or a percentage for it. The change applies from the next pay date if it is submitted before the payroll cut-off.

## HR/Benefits
> ins_add_spouse | Adding spouse to insurance | hn=ins
Q How do I add my spouse to the health insurance after our wedding?
A You can add your spouse within 30 days of the marriage through Workday under Benefits > Change Benefits > Life Event. Please upload the marriage certificate; cover starts from the date of the event.

> ins_parents | Parents in health insurance | office=Pune hn=ins conflict=yes_no
Q Can I add my parents to the group health insurance?
Q Is it possible to cover my mother and father under our medical insurance?
A [[Yes, parents can be added]] through the parental top-up plan during the annual enrolment window in January. The premium for that plan is paid by you through payroll deduction.
C [[No, parents cannot be added]] to the group policy; it only covers you, your spouse and up to 2 children.

> ins_ecard | Health insurance e-card | office=Pune
Q Where do I get my health insurance e-card?
A The e-card is available in the insurer's app and in Workday under Benefits > Documents, usually within 10 days of joining. Show it at any network hospital for cashless treatment.

> ins_claim | Non-cashless hospital claim | office=Pune
Q How do I claim reimbursement for a hospital bill that wasn't cashless?
A Submit the claim in the insurer's app within 30 days of discharge, with the original bills, discharge summary and prescriptions. The insurer settles it directly to your bank account, usually within 21 days.

> ins_cover | Sum insured under mediclaim | office=Pune
Q What is the sum insured under the group mediclaim?
Q How much cover does our health insurance policy give?
Q What's the maximum amount the company medical insurance will pay in a year?
A The group mediclaim policy is a family floater of INR 5,00,000 per year covering you, your spouse and up to 2 children. You can buy a top-up of a further INR 5,00,000 during enrolment at your own cost.

> ins_maternity | Maternity cover in insurance | office=Pune
Q Does our health insurance cover maternity expenses?
A Yes, maternity expenses are covered up to INR 75,000 for a normal delivery and INR 1,00,000 for a C-section, from day one of the policy. Newborns are covered from birth once you add them in Workday within 30 days.

> life_ins | Life insurance
Q Do we have life insurance through the company?
A Yes, all employees are covered by group term life insurance of 3 times annual base pay, paid for by the company. You can update your nominee in Workday under Benefits > Beneficiaries.

> eap | Counselling support (EAP)
Q Is there any counselling service available for employees?
Q I've been quite stressed lately. Does the company offer any mental health support?
A Yes, our Employee Assistance Programme, MindWell, offers free and confidential counselling 24x7 for you and your immediate family. You can book sessions through the MindWell app using your work email; HR never sees who uses it.
A We have an Employee Assistance Programme called MindWell, which offers free, confidential counselling around the clock for you and your immediate family. Sessions are booked in the MindWell app with your work email, and usage is never shared with HR.

> wellness_pune | Wellness allowance for gym | office=Pune conflict=amount
Q What is the annual wellness allowance for gym membership?
Q How much can I claim for my gym fees in a year?
A The wellness allowance is [[INR 6,000 per year]] and can be used for gym, yoga or sports club fees. Claim it in Concur with the receipt; it is paid in the next payroll.
C You can claim up to [[INR 10,000 per year]] for gym or fitness memberships. Submit the receipts in Concur.

> nps | NPS through payroll | office=Pune
Q Can I opt for NPS through payroll?
A Yes, you can contribute to the National Pension System through payroll, and the employer contribution can be up to 10% of basic salary within your CTC. Opt in via Workday under Benefits during the April window.

> pension_uk | Pension contribution | office=London
Q Can I increase my pension contribution?
A Yes, you can increase your contribution above the minimum 3% at any time in Workday under Benefits > Pension. Northwind contributes 5% of basic salary regardless, and changes apply from the next payroll.

> k401_match | 401(k) match | office=Austin conflict=percentage
Q What's the company 401(k) match?
Q How much does Northwind match on 401(k) contributions?
A Northwind matches 100% of your 401(k) contributions up to [[4% of your base salary]], and the match vests immediately. You can change your contribution rate at any time in Fidelity NetBenefits.
C The company matches your 401(k) contributions up to [[6% of your base salary]]. You can change your rate in Fidelity NetBenefits.

> hsa | HSA contribution | office=Austin
Q Does the Austin health plan come with an HSA?
A Yes, if you choose the high-deductible Aetna plan you can open an HSA, and Northwind contributes USD 750 per year for individual cover or USD 1,500 for family cover. Contributions are made each payroll.

> dental_austin | Dental plan | office=Austin
Q Is dental covered by our health insurance?
A Dental is a separate plan through Delta Dental. Northwind pays the full premium for employee-only cover; you can enrol during open enrolment or within 30 days of a life event.

> bupa_physio | Physio on Bupa | office=London
Q How do I use my Bupa cover for a physio appointment?
A Physiotherapy is covered under the Bupa plan with a GP or specialist referral. Get a pre-authorisation number from Bupa or the Bupa Touch app before the appointment, and the clinic then bills Bupa directly.

> cycle_to_work | Cycle to work scheme | office=London
Q Do we have a cycle to work scheme?
A Yes, London employees can join the Cycle to Work scheme and get a bike and accessories worth up to GBP 2,000 through salary sacrifice. Applications open twice a year, in March and September, through the benefits portal.

> childcare_pune | Daycare support | office=Pune
Q Does the Pune office have any creche or daycare facility?
A We have a tie-up with a daycare centre near the Kharadi office, and the company pays 50% of the monthly fee for children up to 6 years old. Enrol through the HR portal under Benefits > Childcare.

> perks_discount | Employee discounts
Q Do employees get any discounts on phones or laptops?
A Yes, through the Perks portal you get discounts with partner brands, including up to 10% off Apple and Samsung devices. Log in with your work email from the Benefits page on the intranet.

> open_enrolment | Benefits enrolment window
Q When can I change my benefit choices?
A Benefit choices can be changed once a year during open enrolment in January, or within 30 days of a life event such as marriage or the birth of a child. Both changes are made in Workday under Benefits > Change Benefits.

> newborn_add | Adding a newborn to insurance
Q We just had a baby. How do I add her to my medical cover?
A Congratulations! Please add your baby in Workday under Benefits > Change Benefits > Life Event > Birth within 30 days, with the birth certificate or hospital discharge summary. Cover starts from the date of birth.

> commuter_austin | Commuter benefit | office=Austin
Q Do we have a pre-tax commuter benefit in Austin?
A Yes, you can set aside pre-tax money for transit or parking through the commuter benefit in the benefits portal. The IRS monthly limit applies, and changes take effect from the next pay period.

## HR/Expenses
> internet_pune | Home internet reimbursement | office=Pune hn=reimb conflict=amount
Q How much can I claim for home internet every month?
Q What is the monthly limit for broadband reimbursement?
A You can claim up to [[INR 1,500 per month]] for home internet. Submit the bill in Concur by the 20th and it is paid with that month's salary.
C The broadband reimbursement limit is [[INR 2,500 per month]], claimed through Concur.

> mobile_reimb | Mobile bill reimbursement | office=Pune hn=reimb
Q Do we get reimbursement for our mobile phone bill?
A Mobile bills are reimbursed only for roles with on-call duties, up to INR 1,000 per month. Your manager confirms the on-call role once in Concur, after which monthly claims are approved automatically.

> expense_deadline | Deadline for expense claims
Q Is there a time limit for submitting expense claims?
Q How long after a business trip can I still submit my expenses?
A Expense claims should be submitted within 60 days of the expense date. Claims older than 60 days need approval from your department head and Finance, and may be rejected.

> expense_status | Expense claim status
Q My expense claim from last month has still not been reimbursed. How do I check the status?
A You can see the status in Concur under Expenses > Reports. Approved claims are paid with the next payroll after the 20th cut-off; if it shows 'Pending approval', please remind your manager.

> travel_class | Business class travel
Q Can I book business class for a flight to London for a client workshop?
A Business class is allowed only for flights longer than 6 hours, with your department head's approval. Pune to London qualifies, so please book through the travel desk and include the approval in the booking request.

> per_diem | Meal allowance on domestic trips | office=Pune
Q What's the daily meal allowance on domestic business trips?
A The meal allowance for domestic travel in India is INR 1,200 per day, covered without receipts. For international travel, the per diem depends on the city and is listed in the Travel Policy on the intranet.

> team_dinner | Team dinner expense | office=Pune
Q Can I expense a team dinner after the project launch?
A Team celebrations are covered up to INR 1,500 per person, once per quarter, from your manager's team budget. Your manager should submit the claim in Concur with the bill and the list of attendees.

> home_office_allowance | Home office allowance | office=Pune
Q Is there an allowance for setting up a home office?
A Yes, there is a one-time home office allowance of INR 15,000 for a chair, desk or similar equipment. Claim it in Concur within your first 6 months with the invoices; IT equipment such as monitors is provided separately.

> hotel_limit | Hotel limit on travel | office=Pune
Q What is the hotel limit when travelling to Mumbai or Bengaluru?
A For metro cities such as Mumbai and Bengaluru, the hotel limit is INR 7,000 per night including taxes. Please book through the travel desk, which uses our corporate rates; bookings above the limit need your department head's approval.

> mileage_uk | Mileage claims | office=London
Q How much can I claim per mile if I use my own car for a client visit?
A You can claim 45p per mile for the first 10,000 business miles in a tax year and 25p per mile after that. Enter the journey in Concur with the start and end postcodes; commuting to the office is not claimable.

> lost_receipt | Lost receipt
Q I lost the receipt for a taxi ride during a client visit. Can I still claim it?
A Yes, for amounts up to the equivalent of INR 2,000 you can submit a 'Missing Receipt Declaration' in Concur instead of the receipt. Above that, please try to get a copy from the provider, as Finance may reject the claim without it.

> corporate_card | Corporate card eligibility
Q Am I eligible for a corporate credit card? I travel to clients twice a month.
A Corporate cards are issued to employees who travel at least once a month or manage vendor payments. Ask your manager to approve a 'Corporate Card Request' in Concur; the card arrives in about 2 weeks.

> visa_fee | Visa fee reimbursement
Q Will the company pay for my visa fee for the Austin trip?
A Yes, visa fees for business travel are reimbursed, including the appointment and courier charges. Claim them in Concur with the receipts and the approved travel request.

> relocation | Relocation support
Q Is there relocation support if I move from Pune to Austin on an internal transfer?
A Yes, approved international transfers include economy flights for you and your family, 30 days of temporary housing and a relocation allowance. The mobility team shares the full package once the transfer is approved.

## HR/Policy
> work_abroad | Working from abroad | conflict=yes_no
Q Can I work remotely from another country for a few weeks?
Q I'd like to spend a month with family in Spain and work from there. Is that allowed?
A [[Yes, you can work from abroad]] for up to 20 working days per calendar year, with approval from your manager and HR. Submit the 'Work From Abroad' form at least 3 weeks in advance so that we can check the tax and immigration rules.
C [[No, working from another country is not permitted]] under our policy, even for short periods. You can of course take leave and travel.

> hybrid_days | Office attendance
Q How many days a week are we expected to be in the office?
A We follow a hybrid model: 3 days a week in the office, with Tuesday and Thursday as anchor days for everyone. On the remaining days you can work from home, in agreement with your manager.

> working_hours | Working hours
Q What are the official working hours?
Q Do we have fixed office timings or are they flexible?
A We have flexible hours with core hours from 11:00 to 16:00 local time, when everyone is expected to be available. Outside core hours you can plan your day with your team, as long as you work 40 hours a week.

> gifts | Accepting vendor gifts
Q A vendor wants to send me a Diwali gift hamper. Am I allowed to accept it?
A Gifts up to a value of INR 2,500 may be accepted if they are occasional and not linked to a business decision. Anything above that must be declared in the Gifts Register on the intranet and is usually politely declined.

> moonlighting | Freelance work
Q Can I take up a freelance project on weekends?
A Outside work needs prior written approval from HR, even on weekends. Submit the 'Outside Activity Declaration' form; it is generally approved if there is no conflict of interest and no use of company time or equipment.

> dress_code | Dress code
Q Is there a dress code in the office?
A We follow a smart casual dress code in all offices. For client visits, please follow the client's dress norms; otherwise there is no requirement for formal wear.

> harassment | Raising a harassment complaint
Q How do I raise a harassment complaint confidentially?
A You can raise a complaint with the Internal Committee through the confidential form on the Ethics page of the intranet, or speak to any committee member directly. Complaints are handled in confidence and retaliation is strictly prohibited.

> whistleblower | Reporting misconduct
Q I want to report a possible fraud in a vendor contract anonymously. How can I do that?
A You can use the Ethics Hotline, which accepts anonymous reports online or by phone and is run by an independent provider. Reports go to the Audit Committee, and the hotline details are on the Ethics page of the intranet.

> social_media | Posting about work on social media
Q Am I allowed to post about our client projects on LinkedIn?
A You can share public company news and your own role, but please do not name clients or describe project details unless Marketing has approved a public case study. When in doubt, check with the Communications team before posting.

> pets_office | Pets in the office | office=Austin
Q Can I bring my dog to the Austin office?
A Dogs are welcome in the Austin office on Fridays, as long as they are registered with the office manager, vaccinated and kept on the 2nd floor. Please check with your immediate neighbours for allergies first.

> smoking | Smoking policy
Q Where is smoking allowed on the premises?
A Smoking and vaping are only allowed in the designated outdoor area next to the parking entrance. They are not permitted anywhere inside the building, including balconies and stairwells.

> dating_colleague | Relationship at work
Q I'm in a relationship with someone in my team. Do I need to tell anyone?
A Yes, please let your HR business partner know in confidence if there is a reporting relationship or a conflict of interest. HR will discuss options such as changing reporting lines; the relationship itself is not a problem.

> overtime_comp_policy | Extra hours for salaried staff
Q I've been working late most days for the last month. Is there any compensation for extra hours?
A Salaried roles do not get paid overtime, but regular extra hours should be discussed with your manager so that the workload can be rebalanced. For weekends or public holidays worked with prior approval, you can claim a comp-off.

## HR/Onboarding
> probation_length | Probation period | exact
Q How long is the probation period?
A Probation is 6 months from your joining date. Your manager completes a confirmation review in Workday in the last month, and you receive a confirmation letter once it is approved.

> joining_docs | Documents for joining
Q What documents do I need to submit on my first day?
Q Which documents should I bring when I join next Monday?
A Please bring a government photo ID, proof of address, your education certificates and the relieving letter from your previous employer. You can also upload them in advance in Workday under Onboarding Tasks.

> buddy | Onboarding buddy
Q Does the company assign a buddy to new joiners?
A Yes, every new joiner gets an onboarding buddy from their team for the first 90 days. Your manager introduces you in your first week; if that has not happened, let HR know and we will assign one.

> internal_transfer | Applying for an internal role
Q How do I apply for an internal role in another team?
A Internal vacancies are listed in Workday under Jobs Hub. You can apply after 12 months in your current role; please let your manager know before applying, as they are informed once you are shortlisted.

> appraisal_cycle | Appraisal timeline
Q When does the annual appraisal cycle start?
A The appraisal cycle runs in March: self-assessments open on 1 March, manager reviews are due by 20 March, and ratings are shared by the end of the month. Increments take effect from 1 April.

> name_change | Changing surname in records
Q I got married and changed my surname. How do I update my name in the records?
A Please update your legal name in Workday under Personal > Change Legal Name and upload the supporting document, such as the marriage certificate. HR approves it within 3 working days, and IT then updates your email display name.

> address_update | Updating home address
Q I've moved house. How do I update my address in the HR records?
A You can update your home address yourself in Workday under Personal > Contact Information. Please also update it in the insurance portal if you want policy documents sent to the new address.

> emergency_contact | Emergency contact details
Q Where do I update my emergency contact details?
A Emergency contacts are in Workday under Personal > Emergency Contacts. Please keep at least one contact with a working phone number; it is only used by HR in an emergency.

> manager_change | Reporting manager not updated
Q My reporting manager changed last month but Workday still shows the old one.
A Reporting changes are submitted by the new manager or the HR business partner in Workday. I have flagged it to your HR business partner, and it usually reflects within 2 working days.

> visa_sponsor | Visa sponsorship for London | office=Pune
Q Does the company sponsor visas if I move to the London office?
A For internal transfers to London, Northwind sponsors the Skilled Worker visa, including the visa fee and the immigration health surcharge. The mobility team will be in touch once the transfer is approved.

> bgv | Background verification pending
Q My background verification is still pending. Is anything else needed from me?
A Background verification usually takes 10 working days after you submit the consent form. If anything is missing, the verification partner contacts you directly; nothing else is needed from your side at this stage.

> induction | Induction schedule
Q When is the induction session for new joiners?
A Induction runs every Monday for that week's joiners, from 10:00 to 13:00 local time, in person at your office with remote joiners on Teams. The invitation is sent to your work email on your first morning.

> offer_letter_copy | Copy of offer letter
Q I can't find my offer letter. Can I get a copy?
A Your offer letter and appointment letter are stored in Workday under Personal > Documents. You can download them any time; if they are missing there, let HR know and we will upload them.

> referral_process | How to refer a candidate
Q How do I refer a friend for an open position?
A Open the role in Workday under Jobs Hub and click 'Refer', then upload the candidate's CV with their consent. You will be able to follow the status in Workday, and the referral bonus is paid if they complete 90 days.

## HR/Exit
> notice_period | Notice period | hn=exit conflict=number
Q What is the notice period if I resign?
Q How many days' notice do I need to serve after resigning?
A The notice period is [[60 days]] once you are confirmed, and 30 days during probation. It can be shortened by mutual agreement with your manager, or adjusted against earned leave with HR approval.
C The notice period is [[90 days]] for all confirmed employees. It can only be shortened with your department head's approval.

> resignation | Submitting a resignation | hn=exit
Q How do I formally submit my resignation?
Q What's the process for resigning? Do I just email my manager?
A Please speak with your manager first, then submit your resignation in Workday under Job > Resign. Your last working day is calculated from the notice period, and HR shares the exit checklist within 2 working days.

> relieving_letter | Relieving letter
Q When will I get my relieving letter?
A The relieving and experience letters are issued on your last working day, provided the exit checklist is complete. They are sent to your personal email address and remain available in Workday for 90 days after you leave.

> exit_interview | Exit interview
Q Is the exit interview mandatory?
A The exit interview is optional but we value it a lot. It is a 30-minute conversation with your HR business partner in your last week, and the feedback is shared with leadership only in aggregated form.

> rehire | Rejoining the company
Q I left Northwind two years ago. Can I apply to rejoin?
A Yes, former employees are welcome to apply for open roles, and your previous service is taken into account for leave accrual. Apply through the careers page and mention your previous employee record so that recruiting can find it.

> retract_resignation | Withdrawing a resignation
Q I resigned last week but would like to withdraw it. Is that possible?
A Yes, a resignation can be withdrawn during the notice period if your manager and HR agree. Please speak to your manager first; if they support it, HR cancels the exit in Workday and no further action is needed.

## HR/Workplace
> id_card_lost | Lost ID badge
Q I lost my ID badge. How do I get a new one?
Q My access card is missing since yesterday, what should I do?
A Please report the lost badge in the HR portal so that it can be deactivated straight away. A replacement is issued by reception within 1 working day; the first replacement is free and later ones are charged at cost.

> meeting_room | Booking meeting rooms
Q How do I book a meeting room for a workshop with 12 people?
A Meeting rooms are booked from Outlook: create the invite and use the Room Finder to pick a room for 12 or more people. Larger rooms for workshops can be held for up to a full day; for catering, raise a request with Facilities.

> desk_booking | Hot desk booking
Q Do I need to book a desk before coming to the office?
A Yes, desks are booked in the Deskbird app, up to 2 weeks in advance. On anchor days (Tuesday and Thursday) please book by the day before, as desks tend to fill up.

> ergonomic_chair | Ergonomic chair
Q I have back pain. Can I get an ergonomic chair at my office desk?
A Yes, Facilities can arrange an ergonomic assessment and a suitable chair. Raise a 'Workplace Adjustment' request in the HR portal; if you have a doctor's recommendation it helps, but it is not required.

> lost_found | Lost and found
Q I left my water bottle in a meeting room yesterday. Is there a lost and found?
A Yes, items found in the office are kept at reception for 30 days. Please ask at reception with a description of the item.

> fire_drill | Fire drill
Q Do I have to leave the building during the fire drill if I'm on a client call?
A Yes, everyone must evacuate during a fire drill, including people on calls. Drills are announced a week in advance so that you can plan calls around them; they take about 15 minutes.

> first_aid | First aiders
Q Who are the first aiders on our floor?
A The list of first aiders and fire wardens for each floor is posted next to the lifts and on the Workplace page of the intranet. First aid kits are kept in the pantry on every floor.

> locker | Office locker
Q Can I get a locker at the office?
A Lockers are available on a first-come, first-served basis for the day. Use the Deskbird app to book a locker along with your desk, and empty it by the end of the day.

> seed_el_accrual_new | - | seed
Q I joined in the middle of the year. How is my earned leave calculated?
A Earned leave accrues at 1 day per month from your joining month, so you receive 1 day on the 1st of every month after you join. Your running balance is shown in Workday under Time Off.

> seed_sick_cert | - | seed
Q When is a medical certificate required for sick leave?
A A medical certificate is required when you are on sick leave for 3 or more consecutive days. Upload it in Workday when you record the absence.

> seed_carry_cap | - | seed
Q What happens to earned leave above the carry-over limit?
A Up to 30 days of earned leave can be carried over into the next calendar year. Any balance above 30 days lapses on 31 December.

> seed_maternity_start | - | seed
Q How early can maternity leave start before the due date?
A Maternity leave of 26 weeks can start up to 8 weeks before the expected due date. Please inform HR at least 8 weeks in advance.

> seed_payday | - | seed
Q What happens if payday falls on a weekend?
A Salary is paid on the last working day of the month, so if the month ends on a weekend, it is credited on the Friday before.

> seed_payslip_publish | - | seed
Q How early are payslips available each month?
A Payslips are published in Workday under Pay > Payslips 2 working days before pay day.

> seed_cutoff_reimb | - | seed
Q If I submit an internet bill on the 25th, when will I be paid?
A The payroll cut-off is the 20th, so claims submitted after the 20th are paid with the following month's salary.

> seed_wellness_use | - | seed
Q Can the wellness allowance be used for a yoga class?
A Yes, the wellness allowance can be used for gym, yoga or sports club fees. In Pune it is INR 6,000 per year, claimed in Concur with the receipt.

> seed_notice_probation | - | seed
Q What is the notice period while I'm still on probation?
A During probation the notice period is 30 days. After confirmation it is 60 days.

> seed_parents_topup | - | seed
Q When can I add my parents to the parental top-up health plan?
A Parents can be added to the parental top-up plan during the annual enrolment window in January. The premium is paid by you through payroll deduction.

> seed_hybrid_anchor | - | seed
Q Which days are anchor days in the office?
A Tuesday and Thursday are anchor days, when everyone is expected in the office. Overall we work 3 days a week from the office.

> seed_abroad_notice | - | seed
Q How far in advance should I apply to work from abroad?
A Submit the 'Work From Abroad' form at least 3 weeks in advance. Working from abroad is allowed for up to 20 working days per calendar year with approval from your manager and HR.

> seed_401k_vest | - | seed
Q When does the 401(k) company match vest?
A The company match of up to 4% of base salary vests immediately.

> seed_paternity_split | - | seed
Q Can paternity leave be split into two parts?
A Yes, the 10 working days of paternity leave can be taken in one block or in two parts, within 6 months of the birth.

> seed_tax_proofs | - | seed
Q Where do I upload investment proofs for tax?
A Investment proofs are uploaded on the Workday tax declaration page. The deadline is 15 January.
"""
