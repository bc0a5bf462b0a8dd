"""More HR and IT intents for the Pairsmith sample data (format: see topics_hr.py)."""

TEXT = r"""
## HR/Leave
> yearend_leave | Leave during the December freeze
Q Can I take leave during the year-end code freeze in the last two weeks of December?
A Leave in the last two weeks of December is allowed, but teams with on-call duties need cover arranged first. Please agree the dates with your manager by 30 November so that the rota can be planned.

> pregnancy_loss | Leave after pregnancy loss
Q Is there any leave after a miscarriage? Asking for myself, and I'd prefer to keep it private.
A I'm so sorry. Yes, you can take up to 6 weeks of paid leave after a pregnancy loss, and partners can take 5 working days. Record it in Workday as 'Special Leave'; only HR sees the reason, and no documents are needed.

> polling_day | Leave on polling day | office=Pune
Q Do we get a holiday on the day of the state elections?
A Yes, polling day in Maharashtra is a paid holiday for employees registered to vote in the state. If you vote elsewhere, you can take the day as earned leave or use a floating holiday.

> leave_rejected | Leave request rejected
Q My manager rejected my leave request for next month. Can I appeal this?
A Please first talk to your manager about the reason; often it is about cover, and a change of dates works. If you still think the decision is unfair, your HR business partner can review it with both of you.

> long_service | Long service award
Q What do we get for completing five years at Northwind?
A At 5 and 10 years of service you get a long service award: a gift voucher and 5 extra days of earned leave in that year. HR contacts you and your manager in the month of your anniversary.

> childs_admission | Leave for a child's school event
Q I need a few hours off for my son's school admission interview. Which leave do I use?
A For a few hours you can simply agree flexible time with your manager. If you need half a day or more, book it as casual leave in Workday.

## HR/Payroll
> prof_tax | Professional tax deduction | office=Pune
Q What is the professional tax deduction on my payslip?
Q Why is INR 200 deducted every month as PT?
Q What is the small 'PT' line under deductions on my salary slip?
A Professional tax is a state tax in Maharashtra that every employer has to deduct. It is INR 200 per month and INR 300 in February, so INR 2,500 per year, and it is shown on your Form 16.

> form_12bb | Form 12BB | office=Pune
Q Where do I submit Form 12BB?
A You do not need a separate Form 12BB; the Workday tax declaration page collects the same information. Declare your planned investments there in April and upload the proofs by 15 January.

> lta_claim | LTA claim | office=Pune
Q How do I claim Leave Travel Allowance?
A LTA can be claimed for two journeys in a block of four years, for travel within India. Submit the tickets in Workday under Pay > LTA Claim before 15 January, and the exemption is applied in the following payroll.

> first_salary | First salary after joining
Q I joined on the 25th of the month. When will I get paid for those days?
Q When will my first salary come? My joining date was after the 20th.
A Joiners after the payroll cut-off on the 20th are paid for their first days together with the next month's salary. So your first payslip will show both the partial month and the full following month.

> p45 | P45 after leaving | office=London
Q I left last month but haven't received my P45. When will it come?
A P45s are issued with your final pay and are available in Workday under Pay > Tax Documents for 90 days after you leave. If you can no longer sign in, reply here and we will send it to the personal email address on your file.

> student_loan | Student loan deductions | office=London
Q Why is there a student loan deduction on my payslip?
A Payroll deducts student loan repayments when HMRC sends us a start notice for you. If you think the plan type or the deduction is wrong, please check with the Student Loans Company; we can only change it when HMRC sends updated instructions.

> w4_change | Changing tax withholding | office=Austin
Q How do I change my federal tax withholding?
A Update your W-4 in Workday under Pay > Withholding Elections. The change applies from the next pay date if you submit it before the payroll cut-off.

> uan_kyc | UAN KYC not verified | office=Pune
Q My UAN shows KYC pending on the EPFO portal. What should I do?
A Add your bank account and PAN details on the EPFO member portal under Manage > KYC. Northwind approves pending KYC requests every Friday, and you will get an SMS once it is verified.

> salary_revision_letter | Revision letter not received
Q I haven't received my salary revision letter yet, though others in my team have.
A Revision letters are released in batches in April, and some take a few more days when a promotion is involved. If yours is not in Workday under Personal > Documents by 30 April, please let us know and we will check with your HR business partner.

## HR/Benefits
> health_checkup | Annual health check-up | office=Pune
Q Do we get a free annual health check-up?
Q Is there any preventive health check covered by the company?
Q Can I get a full body check-up through our insurance?
A Yes, employees aged 30 and above get a free annual health check-up through the insurer's partner labs. Book it in the insurer's app under Wellness; spouses can be added at a discounted rate.

> vision | Spectacles reimbursement | office=Pune
Q Can I get my spectacles reimbursed?
A Yes, you can claim up to INR 5,000 every 2 years for spectacles or contact lenses under the vision benefit. Submit the prescription and the bill in Concur.

> esop | Stock options
Q Do we have an employee stock option plan?
A Stock options are offered to senior roles and for exceptional performance, and the grant is mentioned in your offer or revision letter. The vesting schedule and your grants are visible in the Carta portal.

> bupa_partner | Adding a partner to Bupa | office=London
Q Can I add my partner to my Bupa cover?
A Yes, you can add your partner and children to Bupa at your own cost, which is deducted from your salary. Make the change in the benefits portal during enrolment or within 30 days of a life event.

> fsa | Flexible spending account | office=Austin
Q Is there a flexible spending account for medical expenses?
A Yes, you can put pre-tax money into a healthcare FSA up to the annual IRS limit, during open enrolment or after a life event. Unused funds above the carry-over amount are lost at the end of the plan year.

> std_disability | Short-term disability | office=Austin
Q What happens to my pay if I'm out on medical leave for a few weeks?
A After 7 days, short-term disability pays 60% of your base salary for up to 26 weeks, and the premium is paid by Northwind. Please tell People Operations as early as possible so that we can start the claim with the insurer.

> ins_after_exit | Insurance after resigning
Q What happens to my health insurance after I resign?
Q Will my medical cover continue after my last working day?
Q Is my family still insured once I leave the company?
A Group health cover ends on your last working day for you and your dependants. You can convert the policy to an individual one with the insurer within 30 days without new waiting periods; the details are in the exit checklist.

> wellness_room | Wellness room
Q Is there a room where I can rest if I'm feeling unwell at work?
A Yes, every office has a wellness room with a couch and a first aid kit, which can also be used as a nursing room. It cannot be booked and is available on a first-come, first-served basis.

## HR/Expenses
> late_taxi | Taxi after working late | office=Pune
Q Can I claim a taxi home if I work late in the office?
Q If I leave the office after 10 pm, is the cab fare reimbursed?
A Yes, if you leave the office after 21:00 for work reasons, a taxi home is reimbursed up to INR 800 per trip. Claim it in Concur with the ride receipt and add a short note about the work.

> client_meal | Client lunch expenses
Q Can I expense a lunch with a client?
A Yes, client meals are covered under the entertainment policy when there is a clear business purpose. Submit the bill in Concur with the names of the attendees and their companies; alcohol is reimbursed only in moderation.

> foreign_currency | Expenses in foreign currency
Q I paid for some things in euros during a conference. How do I claim them?
A Enter the amounts in euros in Concur; it converts them at the exchange rate of the transaction date. If you paid by card, you can upload the card statement to claim the actual amount charged instead.

> travel_request | Travel approval before booking
Q Do I need approval before booking travel for a client visit?
A Yes, please raise a travel request in Concur and get your manager's approval before booking. The travel desk books flights and hotels only for approved requests.

> trip_extension | Extending a business trip
Q Can I add a few days of holiday at the end of my business trip?
A Yes, you can extend a business trip for personal travel if the flight cost does not go up, and you book the extra days as leave. Any extra hotel nights and costs are yours.

> airport_transfer | Airport transfers
Q Are airport taxis covered when I travel for work?
A Yes, taxis to and from the airport are covered for business travel. Please use the company's taxi account where available, or claim the fare in Concur with the receipt.

## HR/Policy
> medical_wfh | Working from home for medical reasons
Q I have a knee injury. Can I work from home full time for a while?
A Yes, temporary full-time work from home of up to 3 months can be agreed for medical reasons. Please share a short note from your doctor with HR and agree it with your manager; HR records it as a workplace adjustment.

> kids_office | Bringing children to the office
Q Can I bring my kid to the office for a day during the school holidays?
A Children are welcome for short visits, but not for a full working day, because of safety rules. For the school holidays, we run a Family Day each year when children can spend the afternoon in the office.

> alcohol_events | Alcohol at office events
Q Is alcohol allowed at the office party?
A Alcohol can be served at approved company events in moderation, and non-alcoholic options must always be available. Alcohol is not allowed in the office during regular working hours.

> open_source | Contributing to open source
Q Can I contribute to open-source projects in my own time?
A Yes, contributions in your own time are encouraged, as long as you do not use confidential information or client code. For contributions that relate to your work at Northwind, please check the Open Source guidelines on the intranet first.

> flexible_hours | Compressed work week
Q Can I work four longer days instead of five?
A A compressed week can be agreed with your manager if the role allows it, for example four days of 10 hours. Submit a flexible work request in Workday so that it is recorded; it is reviewed every 6 months.

## HR/Onboarding
> joining_date_change | Changing the joining date
Q I'd like to move my joining date by two weeks. Is that possible?
A Yes, usually that is possible. Please let your recruiter know as soon as you can; they will confirm with the hiring manager and send you an updated offer letter.

> preboarding_login | Workday login before joining
Q How do I get into Workday before my first day?
A You receive a pre-boarding link to your personal email about 2 weeks before your start date. Use it to complete your personal details and upload documents; your full Workday access starts on day one.

> probation_extension | Probation extended
Q My manager said my probation might be extended. How does that work?
A Probation can be extended once, by up to 3 months, if more time is needed to assess your performance. Your manager will share clear goals for the extension, and HR confirms it in writing.

## HR/Exit
> buy_laptop | Buying the laptop when leaving
Q Can I buy my work laptop when I leave?
A Laptops older than 3 years can be bought at their depreciated value when you leave, after IT wipes them. Newer laptops have to be returned; ask the IT desk for a quote during your notice period.

> garden_leave | Garden leave
Q What does garden leave mean in my resignation letter?
A Garden leave means you stay employed and paid for the rest of your notice period, but you do not work and do not access company systems. You must not start with a new employer during that time.

## HR/Workplace
> office_guest | Bringing a guest to the office
Q Can I bring a friend to the office for lunch?
A Yes, guests are welcome during office hours if you register them in the visitor system in advance. They receive a visitor badge at reception and need to stay with you at all times.

> prayer_room | Quiet and prayer room
Q Is there a quiet room for prayer in the office?
A Yes, each office has a quiet room that can be used for prayer or reflection. It is on the same floor as the wellness room and does not need to be booked.

> ac_temperature | Air conditioning too cold | exact
Q The AC near my desk is way too cold. Can it be adjusted?
A Yes, please raise a Facilities request with your desk location and the problem. Facilities can adjust the vent direction or the zone temperature, usually within a day.

> event_space | Booking the office for an event
Q Can we use the office cafeteria for a team town hall?
A Yes, the cafeteria can be booked for events after 15:00 through the Facilities portal. Please book at least 1 week in advance and mention whether you need the AV setup.

## IT/Email
> restore_email | Restoring deleted emails | hn=restore
Q I accidentally deleted an important email. Can it be recovered?
Q How do I get back emails I deleted from my Deleted Items folder?
Q I emptied my Deleted Items by mistake. Is there a way to restore them?
A Yes, for 30 days you can recover deleted emails yourself. In Outlook, go to Deleted Items and click 'Recover items deleted from this folder', select the emails and choose Restore.

> forward_personal | Forwarding work email to a personal account
Q Can I set up automatic forwarding from my work email to my Gmail?
Q Is it okay to forward my work emails to my personal address while I'm travelling?
A No, forwarding work email to personal accounts is blocked to protect company and client data. You can use the Outlook app on your phone instead, once it is enrolled in Company Portal.

> apple_mail | Apple Mail for work email
Q Can I use Apple Mail on my MacBook for work email?
A Apple Mail is not supported for work email. Please use Outlook for Mac, which is installed on all company Macs and supports our security settings.

> email_encrypt | Sending an encrypted email
Q How do I send an encrypted email to an external auditor?
A In Outlook, open a new message and choose Options > Encrypt > Encrypt-Only. The recipient can read it after verifying with a one-time code, and the message stays protected if it is forwarded.

> send_as | Sending from a shared mailbox
Q How can I send emails from the Support shared mailbox instead of my own address?
A You need 'Send As' permission on the mailbox, which the mailbox owner approves through an Access Request in the IT portal. After that, choose the mailbox in the From field in Outlook.

> spam_quarantine | Email stuck in quarantine
Q An important email from a vendor went to quarantine. How do I release it?
A You receive a quarantine notification with a 'Release' button for most messages. If the email was quarantined as phishing or malware, only Security can release it, so raise a ticket with the sender and subject.

> mailbox_bounce | Email bouncing back
Q My emails to one client keep bouncing with a 550 error.
A A 550 error means the client's mail server rejected the message, often because of their spam filter. Please send us the full bounce message so that we can check it, and ask the client's IT team to allow our domain.

> outlook_signout | Outlook keeps asking me to sign in
Q Outlook keeps asking me to sign in again every few hours.
A This is usually a stale sign-in token. Sign out of all Office apps, remove the work account under Settings > Accounts > Access work or school, restart, and sign in again; the prompts should stop.

## IT/Software
> teams_audio | No audio in Teams meetings
Q I can't hear anything in Teams meetings, but YouTube works fine.
Q Other people can't hear me in Teams calls, my microphone seems dead.
Q Teams audio stopped working after I connected my headset.
A In Teams, go to Settings > Devices and check that the right speaker and microphone are selected, then make a test call. If your headset is not listed, unplug it, restart Teams and plug it in again; for Bluetooth headsets, remove and pair them again.

> teams_dialin | Dial-in number for Teams meetings
Q How do I add a dial-in phone number to my Teams meetings?
A Dial-in numbers need an Audio Conferencing licence, which is given to roles that host external meetings. Raise a Software Request in the IT portal; once assigned, new invites include the dial-in details automatically.

> teams_name | Changing display name in Teams
Q My name shows incorrectly in Teams and Outlook. How can I change it?
A Display names come from your preferred name in Workday. Update it under Personal > Change Preferred Name, and Teams and Outlook pick up the change within 24 hours.

> teams_guest_tenant | Switching to a client's Teams
Q A client added me as a guest to their Teams. How do I switch to it?
A Click your profile picture in Teams and select the client's organisation from the list. In the new Teams you can stay signed in to both and get notifications from each.

> wsl | Installing WSL | hn=linux
Q Can I install WSL on my Windows laptop for development?
Q Is the Windows Subsystem for Linux allowed on company laptops?
A Yes, WSL 2 with Ubuntu is available in the Company Portal as 'WSL Developer Setup'. It configures the proxy certificate for you, so package installs work out of the box.

> dual_boot | Dual-booting Linux | hn=linux
Q Can I dual-boot Linux on my work laptop?
A No, dual-booting is not allowed because the second operating system would not be encrypted or managed. Please use WSL or a development VM from the Platform team instead.

> java_version | Java version for a legacy app
Q A legacy tool needs Java 8, but my laptop has Java 17. Can I have both?
A Yes, the Company Portal has 'Java 8 Runtime' as a separate package that installs next to Java 17. Point the tool to the Java 8 folder in its settings, or set JAVA_HOME for that tool only.

> fonts | Installing fonts
Q How do I install a new font for a client presentation?
A You can install fonts for your own user without admin rights: right-click the font file and choose 'Install'. Please only use fonts that are licensed for commercial use, such as the ones on the Brand page of the intranet.

> chrome_updates | Browser updates
Q Do I need to update Chrome myself?
A No, Chrome and Edge update automatically in the background on all company laptops. If you see an 'Update' button, just relaunch the browser to finish the update.

> timezone | Wrong time zone on laptop
Q My laptop still shows India time after I moved to the London office.
A Go to Settings > Time & Language > Date & time and switch on 'Set time zone automatically'. If the option is greyed out, choose the London time zone manually; no admin rights are needed.

> new_sharepoint | New SharePoint site for a project
Q How do I request a new SharePoint site for a client project?
A Create a new team in Teams, which gives you a SharePoint site automatically. For client projects, please choose the 'Client Project' template so that the right sensitivity label is applied.

> teams_archived | Archived Teams team
Q Our project team in Teams was archived by mistake. Can it be restored?
A An owner of the team can restore it from Teams > Manage teams > Archived > Restore. If no owner is available, raise a ticket with the team name and we will restore it.

> windows_hello | Windows Hello fingerprint setup
Q How do I set up fingerprint login on my laptop?
A Go to Settings > Accounts > Sign-in options and set up Windows Hello Fingerprint. You will need to create a PIN first; after that you can sign in with your fingerprint.

> blue_screen | Blue screen crashes
Q My laptop crashed with a blue screen twice today.
A Please install pending updates and driver updates from the Company Portal, then restart. If it happens again, note the stop code shown on the blue screen and raise a Hardware ticket with it so that we can check the crash logs.

## IT/Hardware
> laptop_no_charge | Laptop not charging
Q My laptop isn't charging even though it's plugged in.
Q The battery icon says 'plugged in, not charging'. What's wrong?
Q My laptop dies after a few minutes even on the charger.
A Please try a different power socket and the charger of a colleague with the same model to rule out the charger. If it still does not charge, raise a Hardware ticket; we will replace the charger or the battery, and you can borrow a charger from the IT desk meanwhile.

> laptop_wont_start | Laptop won't turn on
Q My laptop won't turn on at all this morning.
A Connect the charger and hold the power button for 20 seconds, then press it again normally. If nothing happens, bring it to the IT desk or raise a Hardware ticket, and we will give you a loaner while we check it.

> bluetooth_headset | Bluetooth headset not pairing
Q My Bluetooth earbuds won't pair with my laptop.
A Remove the earbuds under Settings > Bluetooth & devices, put them in pairing mode and add them again. If the laptop does not see them at all, restart Bluetooth from the quick settings panel.

> toner | Printer out of toner
Q The printer near the pantry is out of toner.
A Thanks for letting us know. Facilities will replace the toner today; in the meantime, you can release your job on any other office printer with your badge.

> asset_tag | Finding the laptop asset tag
Q Where do I find the asset tag of my laptop?
A The asset tag is on a sticker on the underside of the laptop, starting with 'NWA'. You can also see it in the Company Portal under Devices, in the device name.

> disk_full | Laptop disk full
Q My laptop says the disk is almost full.
Q I keep getting 'low disk space' warnings on my C drive.
A Turn on Storage Sense in Settings > System > Storage, and set OneDrive files to 'Free up space' so that they stay in the cloud until you open them. Emptying the Downloads folder usually frees up a lot as well.

> screen_flicker | Screen flickering
Q My laptop screen started flickering after the last update.
A Please install the latest display driver from the Company Portal ('Intel Graphics Driver') and restart. If the flicker continues, raise a Hardware ticket, as it may be a loose display cable covered by warranty.

## IT/Network
> client_vpn | Client VPN on company laptop
Q A client wants me to install their VPN client on my laptop. Is that okay?
A Client VPN software needs prior approval from Security, because it can route our traffic through the client network. Raise a 'Client Access Request' in the IT portal; where possible, we recommend using the client's own laptop or a virtual desktop.

> network_drive | Mapping a network drive
Q How do I map the Finance network drive on my laptop?
A Connect to the VPN if you are not in the office, then open File Explorer, choose 'Map network drive' and enter the path shown on the Finance team page. Your access to the drive is approved by the Finance team through an Access Request.

## IT/Security
> lost_phone_work | Lost phone with work email
Q I lost my personal phone, which has my work email on it.
A Please report it to the Service Desk so that we can remove the work profile remotely; your personal data is not touched. Then change your password on the self-service portal, and register a new phone for MFA once you have it.

> suspicious_usb | Found a USB stick
Q I found a USB stick in the meeting room. Should I plug it in to find the owner?
A Please do not plug it in, as unknown USB devices are a common way to spread malware. Hand it in at the IT desk and we will deal with it safely.

> restore_onedrive | Restoring deleted OneDrive files | hn=restore
Q I deleted a folder from OneDrive last week. Can I get it back?
A Yes, deleted OneDrive files stay in the OneDrive recycle bin for 93 days. Open OneDrive on the web, go to Recycle bin, select the folder and click Restore.

> vendor_access | Access for an external contractor
Q A contractor is joining our project. How do they get a Northwind account?
A Contractor accounts are requested by the hiring manager through a 'Contractor Onboarding' request in the IT portal, with an end date of up to 6 months. The contractor needs to sign the acceptable use policy before the account is activated.
## HR/Leave
> leave_donation | Donating leave to a colleague
Q Can I donate some of my earned leave to a colleague who is seriously ill?
Q Is there a leave sharing scheme for a teammate going through a medical emergency?
A Yes, under the leave donation scheme you can donate up to 5 days of earned leave per year to a colleague facing a medical emergency. HR coordinates it confidentially; please send the request to your HR business partner without sharing any medical details.

> holiday_list_publish | Next year's holiday calendar
Q When will next year's holiday calendar be published?
A The holiday calendar for the next year is published on the intranet in the first week of November, for all three offices. It includes the fixed public holidays and the optional list for floating holidays.

## HR/Policy
> pay_confidentiality | Discussing salaries
Q Am I allowed to discuss my salary with colleagues?
A Yes, you are free to discuss your own pay; there is no rule against it. Please do not share other people's salary information that you see as part of your role, for example in payroll or management reports.

> awards | Nominating a colleague for an award
Q How do I nominate a colleague for the quarterly Northwind Stars award?
A Nominations are made in Workday under Recognition > Nominate, with a short description of the impact. The window closes on the 15th of the last month of each quarter, and winners are announced at the town hall.

## HR/Expenses
> travel_advance | Cash advance for travel
Q Can I get an advance for expenses on a long business trip?
A Yes, for trips longer than 5 days you can request a travel advance of up to 50% of the estimated expenses in Concur. It is settled against your expense report when you return.

## IT/Software
> onedrive_quota | More OneDrive storage
Q My OneDrive is nearly full. Can I get more than 1 TB?
A OneDrive storage is 1 TB per person and is not increased. Project and team data belongs in SharePoint or a Teams channel, which has separate storage, so please move shared files there.

> town_hall_event | Teams meeting for a large audience
Q I need to host a meeting for 400 people. Can Teams handle that?
A Regular Teams meetings allow up to 300 interactive participants, so for 400 people please use a Teams town hall. Create it from the Teams calendar under New > Town hall; attendees join in view-only mode with Q&A.

> device_compliance | Laptop not compliant
Q The Company Portal says my laptop is not compliant. What does that mean?
Q I'm getting an 'unable to access, device not compliant' error in Outlook.
Q Why does Company Portal show a red warning on my device?
A A device becomes non-compliant when it misses updates, has encryption turned off or has not checked in for a while. Open the Company Portal, select your device and click 'Check status'; it lists what to fix, usually installing updates and restarting.

> vdi | Virtual desktop access
Q Can I get a virtual desktop to work on client data?
A Yes, Azure Virtual Desktops are available for projects where the client requires data to stay in a controlled environment. Your project manager raises a 'Virtual Desktop Request' in the IT portal; it is set up within 3 working days.
"""
