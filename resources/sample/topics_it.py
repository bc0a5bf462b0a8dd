"""IT intents for the Pairsmith sample data (format: see topics_hr.py)."""

TEXT = r"""
## IT/Access
> pwd_reset | Password reset | hn=acct exact
Q How do I reset my password? I forgot it after the long weekend.
A You can reset it yourself on the self-service password portal (passwordreset.northwind-analytics.com) using your MFA method. The new password must be at least 14 characters long and cannot match any of your last 10 passwords.

> account_unlock | Account locked | hn=acct
Q My account is locked after too many wrong attempts. Can you unlock it?
Q I got locked out of my Windows login. How do I get back in?
Q It says my account has been locked. I haven't changed my password, what happened?
A Accounts lock for 30 minutes after 5 failed sign-in attempts and then unlock automatically. If you need access sooner, use 'Unlock account' on the self-service password portal with your MFA method, then sign in with your existing password.

> pwd_expiry | Password expiry period | conflict=duration
Q How often do we have to change our password?
Q My password keeps expiring. What's the expiry period?
A Passwords expire [[every 90 days]]. You get reminders 14 days before expiry, and you can change it any time with Ctrl+Alt+Del > Change a password on Windows or in System Settings on a Mac.
C Passwords expire [[every 60 days]]. You will be reminded a week before expiry.

> mfa_new_phone | Moving MFA to a new phone | hn=mfa
Q I got a new phone. How do I move Microsoft Authenticator to it?
Q Changed my mobile last week. How do I set up MFA on the new device?
A While you still have the old phone, sign in at mysignins.microsoft.com > Security info, add the new phone as an Authenticator method and then remove the old one. If the old phone is already wiped, contact the Service Desk for a Temporary Access Pass.

> mfa_lost_phone | Lost phone, cannot complete MFA | hn=mfa
Q I lost my phone and can't complete MFA. How do I log in?
A Please contact the Service Desk from a colleague's laptop or the desk phone, and we will verify your identity and issue a Temporary Access Pass valid for 8 hours. Use it to sign in and register Microsoft Authenticator on your new phone.

> mfa_prompts | Unexpected MFA prompts
Q I'm getting MFA approval requests that I didn't trigger. What should I do?
A Do not approve them. Unexpected prompts usually mean someone has your password, so reset it straight away on the self-service portal and report it to the Service Desk so that Security can review the sign-ins.

> shared_mailbox | Shared mailbox access
Q How can I get access to the Finance shared mailbox?
A Access to shared mailboxes is approved by the mailbox owner. Raise an Access Request in the IT portal and select the mailbox; once the owner approves, it appears in Outlook automatically within about an hour.

> sharepoint_access | SharePoint site access
Q I need access to the Marketing folder on SharePoint.
A SharePoint site access is granted by the site owner. Click 'Request access' on the site link, or raise an Access Request in the IT portal if you do not have the link; owners usually respond within 1 working day.

> admin_rights | Local admin rights
Q Can I get local admin rights on my laptop?
Q I need admin access to install a few tools. Can you enable it?
Q Why can't I install anything on my laptop? It keeps asking for an administrator password.
A Permanent admin rights are not granted. You can use the Admin By Request tool to get elevated rights for 60 minutes at a time with a short justification, and approved software can be installed from the Company Portal without admin rights.
A We don't give permanent local admin rights, but the Admin By Request tool gives you elevated rights for 60 minutes after you enter a short justification. Most approved software is also available in the Company Portal, which needs no admin rights.

> new_joiner_account | Account for a new joiner
Q A new person is joining my team on Monday. When will their account be ready?
A Accounts are created automatically from Workday 5 working days before the start date. The laptop and credentials are handed over on the first day at the IT desk, so please make sure the hire is complete in Workday.

> leaver_onedrive | Leaver's OneDrive files
Q Someone in my team has left. How do I get their OneDrive files?
A The leaver's manager gets access to their OneDrive automatically for 30 days after the leaving date. You will receive an email with the link; after 30 days the account and its files are deleted.

> service_account | Service account request
Q We need a service account for a data pipeline. What's the process?
A Service accounts need approval from your engineering manager and the Security team. Raise a 'Service Account Request' in the IT portal with the purpose, the systems it needs and an owner; credentials are stored in the team vault.

> sso_error | SSO error AADSTS50105
Q I'm getting error AADSTS50105 when opening an app through single sign-on.
A That error means your account is not yet assigned to the app. Raise an Access Request in the IT portal for the application; once the app owner approves, the assignment syncs within about 30 minutes.

> access_review | Quarterly access review
Q I got an email asking me to review access for my team. What do I need to do?
A That is the quarterly access review. Open the link in the email, confirm or remove each person's access to the listed systems and submit by the deadline shown; anything not reviewed is removed automatically.

## IT/Network
> vpn_windows | VPN on Windows | hn=vpn
Q How do I set up the VPN on my Windows laptop?
Q Need help connecting to the VPN from my Windows machine at home.
A GlobalProtect is preinstalled on Windows laptops. Open it from the system tray, enter vpn.northwind-analytics.com as the portal and sign in with your work account and MFA; after that it connects automatically.

> vpn_mac | VPN on Mac | hn=vpn
Q How do I install the VPN on my MacBook?
A On a Mac, open Self Service, search for GlobalProtect and click Install. Then open it from the menu bar, enter vpn.northwind-analytics.com as the portal and sign in with your work account and MFA.

> vpn_drops | VPN keeps disconnecting
Q My VPN keeps disconnecting every few minutes.
Q The VPN connection drops constantly when I work from home. Any idea why?
A Frequent drops are usually caused by an unstable home connection or an outdated client. Please update GlobalProtect from the Company Portal or Self Service and try a wired connection if possible; if it continues, send us the logs from Settings > Troubleshooting > Collect Logs.

> vpn_needed | Is VPN needed for Jira
Q Do I need to be on the VPN to use Jira and Confluence?
A No, Jira and Confluence are cloud services and work without VPN using single sign-on. VPN is only needed for internal systems such as the production Snowflake account and the on-premise file shares.

> guest_wifi | Personal devices on office Wi-Fi | hn=wifi conflict=allowed_forbidden
Q Can I connect my personal laptop to the office Wi-Fi?
Q Is it OK to use my own tablet on the office wireless network?
A Personal devices [[are allowed on the guest Wi-Fi]] (NW-Guest) only; the corporate network NW-Corp is for company-managed devices. The guest password is shown on the screens at reception and changes every week.
C Personal devices [[are not allowed]] on any office Wi-Fi network, including the guest network. Please use your company laptop or a mobile hotspot.

> visitor_wifi | Wi-Fi for visitors | hn=wifi
Q We have a client visiting tomorrow. How do they get Wi-Fi access?
A Reception can issue a visitor voucher for NW-Guest that is valid for 24 hours. Please register the visitor in the visitor system in advance and they will receive the voucher at check-in.

> wifi_slow | Slow Wi-Fi on a floor
Q The Wi-Fi on the 4th floor is very slow in the afternoons.
A Thanks for flagging this. We have asked the network team to check the access points on that floor; in the meantime, the desks near the windows have wired ports that give a stable connection.

> blocked_site | Website blocked
Q A website I need for work is blocked by the proxy.
A Sites are blocked by category in our web filter. Raise a 'Website Unblock' request in the IT portal with the URL and the business reason; Security reviews these within 1 working day.

> intranet_home | Intranet not loading from home
Q The intranet doesn't load when I'm working from home.
A The intranet is published through single sign-on and should load without VPN. Please clear your browser cache or try an InPrivate window; if it still fails, let us know which browser you use and the exact error message.

> hotspot | Using a phone hotspot
Q Can I use my phone hotspot when travelling?
A Yes, you can use a phone hotspot or hotel Wi-Fi, but please connect to the VPN before accessing internal systems. Avoid public networks that ask you to install certificates or software.

> desk_port | Network port not working
Q The network port at my desk isn't working.
A Please try another port at the same desk first, as unused ports are sometimes disabled. If none of them work, reply with your desk number and floor and the network team will activate it, usually the same day.

> corp_wifi_cert | Mac cannot join NW-Corp
Q My Mac won't connect to NW-Corp. It keeps asking me to trust a certificate.
A NW-Corp uses a device certificate that is installed by Self Service. Open Self Service, run 'Wi-Fi Certificate Repair' and then select NW-Corp again; do not accept an unknown certificate manually.

> dns_internal | Internal site not resolving on VPN
Q On the VPN I can't open the internal Grafana dashboard, it says the site can't be reached.
A Internal dashboards need the full VPN tunnel, so please disconnect and reconnect GlobalProtect and choose the 'Full Tunnel' gateway. If the page still does not open, send us the output of the GlobalProtect connection details.

## IT/Hardware
> laptop_refresh | Laptop refresh cycle | hn=laptop conflict=duration
Q My laptop is getting old. When am I eligible for a new one?
Q How often are laptops replaced?
A Laptops are refreshed [[every 3 years]]. You will get an email from IT about 4 weeks before your refresh date; if your current laptop develops a fault before then, we repair or replace it under warranty.
C Laptops are refreshed [[every 4 years]], and IT contacts you when yours is due.

> laptop_repair | Cracked laptop screen | hn=laptop
Q My laptop screen has a crack. Can it be repaired?
A Yes, please raise a Hardware ticket and bring the laptop to the IT desk. Screen repairs take 3 to 5 working days under warranty, and you get a loaner laptop in the meantime, usually within 1 working day.

> laptop_slow | Slow laptop
Q My laptop has become very slow since last week.
Q Everything on my laptop takes ages to open. Can you check it?
Q My laptop is really sluggish, even Outlook takes a minute to start.
A Please restart it first, as pending updates often slow things down, and check in Task Manager which process uses the most CPU or memory. If it is still slow, run 'Laptop Health Check' from the Company Portal and send us the result.

> stolen_laptop | Stolen laptop
Q I think my laptop was stolen from my car last night.
A Please report it to the Service Desk immediately so that we can lock and wipe it remotely, and also file a police report, which is required for the insurance claim. We issue a replacement once the report number is shared.

> battery_swelling | Swollen laptop battery
Q The battery on my laptop seems swollen; the touchpad is raised.
A Please stop using the laptop and unplug it straight away, as swollen batteries can be a fire risk. Bring it to the IT desk or raise a Hardware ticket for collection; we will give you a replacement laptop the same day.

> mac_request | MacBook instead of Windows
Q Can I choose a MacBook instead of a Windows laptop?
A MacBooks are standard for engineering and data science roles; other roles receive a Dell Latitude. If you need a Mac for a specific reason, raise a Hardware Request with your manager's approval and a business justification.

> personal_laptop | Personal laptop for work
Q Can I use my personal laptop for work when mine is being repaired?
A No, work must be carried out on a company-managed device, so please ask the IT desk for a loaner laptop while yours is in repair. Loaners are usually ready within 1 working day.

> laptop_return | Returning laptop on exit
Q I'm leaving next month. How do I return my laptop?
A Please hand your laptop, charger and badge to the IT desk on your last working day; remote employees receive a prepaid return box. IT confirms the return in the exit checklist so that your clearance is not held up.

> dock_monitors | Monitors not working with dock
Q My external monitors don't work with the docking station.
A Please update the dock firmware and display drivers from the Company Portal, then reconnect the dock. If the screens stay black, try a different USB-C port on the laptop and let us know the dock model.

> keyboard_keys | Laptop keys not working
Q A few keys on my laptop keyboard have stopped working.
A First check that an external keyboard works, which tells us whether it is a hardware fault. If only the built-in keyboard is affected, raise a Hardware ticket; keyboard replacements are covered by warranty and take 2 to 3 working days, with a loaner in the meantime.

> usb_storage | USB storage devices | conflict=allowed_forbidden
Q Am I allowed to use a USB pen drive on my work laptop?
Q Can I copy files to a USB stick from my laptop?
A USB storage devices [[are blocked]] on company laptops to protect our data. Please use OneDrive or SharePoint to share files; if you need removable media for a specific reason, IT can issue an encrypted company USB drive.
C USB storage devices [[are allowed]] as long as the files are not confidential. Please scan the drive before opening any files.

> webcam_teams | Webcam not detected | exact
Q My webcam isn't detected in Teams.
A Check the camera privacy shutter first, then make sure Teams has camera permission in Windows Settings > Privacy > Camera. If it still fails, restart the laptop and select the camera again in Teams > Settings > Devices.

> laptop_overheat | Laptop overheating
Q My laptop gets very hot and the fan is loud all the time.
A Please keep the vents clear and use the laptop on a hard surface, and check Task Manager for a process using a lot of CPU. If it stays hot when idle, raise a Hardware ticket so that we can clean the fan or replace the laptop under warranty.

> printer_scan | Scan to email
Q How do I scan a document to my email?
A On any office printer, tap your badge, choose 'Scan to Me' and the PDF arrives in your work mailbox within a minute. Scans larger than 20 MB are saved to your OneDrive instead.

> print_release | Print job not coming out
Q I sent a document to print but nothing came out.
Q My print job isn't showing up on the printer.
A We use Follow-Me printing, so jobs are held until you release them. Tap your badge on any office printer and select the job; held jobs are deleted after 24 hours.

> meeting_room_av | Meeting room screen
Q The screen in the meeting room doesn't connect to my laptop.
A The meeting room screens use the Teams Room console, so start the meeting from the touch panel and share with the 'Share' button rather than the HDMI cable. If the panel is unresponsive, raise a ticket with the room name and we will reset it.

> loaner | Loaner laptop for travel
Q My laptop is in for repair but I travel to a client tomorrow. Can I get a spare?
A Yes, the IT desk keeps loaner laptops for exactly this. Collect one from the IT desk with your badge; it comes with the standard software, and your files are available through OneDrive.

## IT/Software
> outlook_phone | Work email on phone | hn=email_phone exact
Q How do I set up my work email on my phone?
A Install the Microsoft Outlook app and the Intune Company Portal app from your app store, sign in with your work account and follow the prompts to register the device. The built-in mail apps are not supported for work email.

> calendar_sync | Calendar not syncing on phone | hn=email_phone
Q My work calendar isn't syncing on my phone.
A In the Outlook app, go to Settings, select your account and tap 'Reset Account', which forces a fresh sync. Also check that the Company Portal app shows the phone as compliant, because non-compliant devices stop syncing after 7 days.

> mailbox_full | Mailbox full
Q My mailbox is almost full. Can you increase the size?
Q Outlook says my mailbox is over its limit and I can't send emails.
A Mailboxes are 100 GB and cannot be increased, but you have an unlimited online archive. Turn on AutoArchive or move older folders to 'Online Archive' in Outlook to free up space.

> teams_status | Teams status stuck
Q My Teams status is stuck on 'Away' even when I'm working.
A Sign out of Teams completely and sign back in, which resets the presence service. If it happens again, clear the Teams cache from Settings > Apps > Microsoft Teams > Reset, and make sure your calendar is not showing you as out of office.

> zoom_licence | Zoom licence for a webinar
Q Can I get a Zoom licence for an external webinar?
A Teams is our standard tool, but Zoom licences are available for external webinars. Raise a Software Request in the IT portal with the event date; licences are assigned for 30 days at a time.

> office_personal | Office on a personal PC
Q Can I install Microsoft Office on my personal computer?
A Yes, your Microsoft 365 licence lets you install Office on up to 5 personal devices. Sign in at office.com with your work account and choose 'Install apps'; please do not store confidential data on personal devices.

> pip_ssl | pip SSL errors
Q pip install fails with SSL certificate errors on my laptop.
A Our web proxy inspects TLS traffic, so pip needs the company root certificate. Install 'Python Dev Setup' from the Company Portal, which configures pip to use the internal package mirror and the certificate.

> excel_crash | Excel crashes with large files
Q Excel crashes whenever I open a large file.
A Please update Office via File > Account > Update Options, then start Excel in safe mode (hold Ctrl while starting it) to rule out add-ins. If it only happens with one file, try File > Open > Open and Repair, as the file may be corrupted.

> onedrive_sync | OneDrive stuck syncing
Q OneDrive has been stuck on 'Processing changes' since yesterday.
Q My OneDrive isn't syncing, the icon just keeps spinning.
A Pause and resume syncing from the OneDrive icon, and check that no file has a name with unsupported characters or a path longer than 400 characters. If it is still stuck, reset OneDrive from the Company Portal ('OneDrive Reset'); your files stay safe in the cloud.

> browser_extension | Grammar browser extension
Q Can I install a browser extension for grammar checking?
A Browser extensions are restricted to an approved list to protect company data. Grammarly is not approved because it sends text to an external service, but Microsoft Editor is available in Edge and Office as an alternative.

> windows_updates | Forced restarts for updates
Q My laptop keeps asking me to restart for updates.
A Windows updates install automatically and require a restart within 7 days. You can schedule the restart outside working hours from Settings > Windows Update; after 7 days the restart is forced to keep the laptop compliant.

> teams_recordings | Teams recordings location
Q Where are Teams meeting recordings saved?
Q I recorded a Teams call yesterday but can't find the recording. Where does it go?
A Recordings are saved to the OneDrive of the person who started the recording, in a folder called 'Recordings', or to the channel's SharePoint site for channel meetings. They expire after 120 days unless the owner changes the expiry date.

> powerbi_publish | Power BI publishing
Q I can't publish my Power BI report to the team workspace.
A Publishing needs a Power BI Pro licence and Contributor rights on the workspace. Raise a Software Request for the Pro licence if you do not have one, and ask the workspace admin to add you as a Contributor.

> out_of_office | Out-of-office reply
Q How do I set an out-of-office reply?
Q I'm going on leave tomorrow. How do I turn on automatic replies in Outlook?
A In Outlook, go to File > Automatic Replies (or Settings > Automatic replies in the web version), switch them on and set the dates. You can set different messages for people inside and outside the company.

> calendar_delegate | Calendar delegate access
Q How do I give my assistant access to manage my calendar?
A In Outlook, go to File > Account Settings > Delegate Access and add your assistant with Editor permission on Calendar. They will see your calendar in their Outlook after a restart.

> email_signature | Email signature template
Q Is there a standard email signature template?
A Yes, the template is on the Brand page of the intranet. Copy it into Outlook > Settings > Signatures and fill in your name, role and office; please do not add images or quotes.

> email_recall | Email sent to the wrong person
Q I sent an email to the wrong person. Can IT recall it?
A You can try Outlook's 'Recall This Message', which only works for unread emails inside the company. If the email contained confidential data, please also report it to the Service Desk so that Security can assess it.

> large_file | Sending a large file to a client
Q How do I send a 5 GB file to a client?
A Emails are limited to 25 MB, so upload the file to OneDrive and share a 'Specific people' link with the client. For data classified as Confidential, please use the client portal instead.

> keyboard_layout | Wrong keyboard symbols
Q My keyboard types the wrong symbols, the @ and the quote key are swapped.
A The input language has switched to UK English. Press Windows + Space to switch back to your usual layout, or remove the extra layout in Settings > Time & Language > Language.

> screen_lock | Screen lock timeout
Q Can the screen lock timeout be extended? My laptop locks after 5 minutes.
A The 5-minute lock is a security policy for all company laptops and cannot be changed per user. Please press Windows + L when you step away; while presenting, Teams and PowerPoint keep the screen awake.

> jira_project | New Jira project
Q How do I request a new Jira project for my team?
A New Jira projects are set up by the Atlassian admins. Raise a 'Jira Project Request' in the IT portal with the project name, key and lead; it is usually created within 2 working days.

> git_publickey | Git push permission denied
Q git push fails with 'Permission denied (publickey)'.
A Your SSH key needs to be added to your GitHub account and authorised for SSO. Go to GitHub > Settings > SSH keys, add the key, then click 'Configure SSO' and authorise the Northwind organisation.

> teams_external | Teams chat with external partners
Q Can I chat with external partners on Teams?
A Yes, external chat is enabled for partner domains on our allowed list. If your partner's domain is not yet allowed, raise a request in the IT portal with the domain and a short business reason.

> distribution_list | Creating a team mailing list
Q How do I create a new mailing list for my team?
A Create a Microsoft 365 group from Outlook > New Group, which works as a team mailing list. If you need a classic distribution list, raise a request in the IT portal with the name, owner and members.

> teams_phone | Direct phone number in Teams
Q Can I get a direct phone number in Teams?
A Direct numbers are assigned to roles that need external calling, such as sales and support. Raise a 'Teams Phone' request in the IT portal with your manager's approval; numbers are assigned within 3 working days.

> outlook_search | Outlook search not working
Q Outlook search doesn't find emails older than a month.
A Outlook keeps only the last 12 months offline by default, and the search index may need rebuilding. Go to File > Options > Search > Indexing Options > Advanced > Rebuild, and search 'All Mailboxes' so that the online archive is included.

> shared_calendar | Team holiday calendar
Q Is there a way to see when my team members are on leave?
A Approved leave from Workday is published to the 'Team Absence' calendar in Outlook. Add it from Calendar > Add calendar > From directory and search for your team name.

> sql_driver | Snowflake ODBC driver
Q I need the Snowflake ODBC driver to connect Excel to our warehouse.
A The Snowflake ODBC driver is available in the Company Portal as 'Snowflake ODBC'. After installing it, use the DSN settings published on the Data Platform page of the intranet and sign in with SSO.

> app_crash_teams | Teams crashes on start
Q Teams crashes every time I start it since this morning.
A Please reset Teams from Settings > Apps > Microsoft Teams > Advanced options > Reset, then start it again. If it still crashes, reinstall it from the Company Portal; your chats and files are stored in the cloud.

> language_pack | Changing Windows display language
Q Can I change the Windows display language on my laptop to German?
A Yes, you can add a display language in Settings > Time & Language > Language without admin rights. Sign out and back in for it to take effect; Office follows the Windows language by default.

## IT/Security
> phishing_report | Reporting phishing | hn=phish
Q I received a suspicious email asking me to confirm my payroll details. What should I do?
Q How do I report a phishing email?
Q Got a weird email claiming to be from IT asking me to re-enter my password. Is it real?
A Please do not click any links or reply. Use the 'Report Phishing' button in Outlook, which sends it to Security and removes it from your inbox; IT will never ask for your password by email.

> clicked_link | Entered password on a phishing page | hn=phish
Q I clicked a link in a phishing email and entered my password.
A Please reset your password immediately on the self-service portal and let the Service Desk know, so that Security can revoke your sessions and check the sign-ins. Running a full Defender scan is also a good idea.

> disk_encryption | Laptop encryption | hn=bitlocker
Q Is my laptop disk encrypted?
A Yes, all company laptops are encrypted with BitLocker on Windows or FileVault on Mac before they are issued. The recovery key is held by IT, so if you are ever asked for it, contact the Service Desk.

> bitlocker_key | BitLocker recovery key prompt | hn=bitlocker
Q My laptop is asking for a BitLocker recovery key on startup.
Q After the BIOS update my laptop shows a blue BitLocker screen asking for a key.
A This usually happens after a BIOS update or a docking change. Sign in to the Company Portal website from another device, open your laptop under Devices and choose 'Get recovery key', or contact the Service Desk to read it out to you after verification.

> external_sharing | Sharing files with clients
Q Can I share a file with a client through OneDrive?
A Yes, external sharing from OneDrive is allowed for files classified as Internal or Public, using 'Specific people' links that expire after 30 days. Confidential files should be shared through the client portal instead.

> password_manager | Approved password manager
Q Is there a company-approved password manager?
A Yes, 1Password Business is available for all employees. Install it from the Company Portal or Self Service and sign in with SSO; your personal vault stays private to you.

> defender_alert | Defender quarantine alert
Q Defender flagged a file I downloaded. Is my laptop infected?
A Defender has quarantined the file, so it cannot run. Please do not restore it; Security reviews every alert and will contact you if anything else is needed. If the file is needed for work, raise a ticket with the source and we will check it.

> travel_laptop | Taking a laptop abroad
Q Can I take my work laptop on a business trip to China?
A Travel with company laptops to some countries, including China, needs prior approval from Security. Raise a 'Travel Device Request' at least 2 weeks before the trip; a clean loaner laptop is usually provided.

> ai_tools | Using AI chat tools
Q Are we allowed to use ChatGPT for work?
A Please use Microsoft Copilot with your work account, which keeps company data within our tenant. Public AI chat tools must not be used with client data, personal data or source code.

> lost_badge_it | Security incident reporting
Q I think I left a printout with client data on the train. Who do I tell?
A Please report it to the Service Desk as a security incident straight away, with what was on the printout and when it was lost. Security assesses whether the client has to be informed; reporting quickly matters more than anything else.

> screen_share_privacy | Notifications during screen share
Q How do I stop chat pop-ups showing when I share my screen with clients?
A Turn on Focus Assist (Do Not Disturb) in Windows before presenting, and share a single window rather than your whole screen in Teams. Teams also hides notifications automatically when you share in presenter mode.

> seed_pwd_rules | - | seed
Q What are the password rules?
A Passwords must be at least 14 characters long, cannot reuse any of your last 10 passwords and expire every 90 days.

> seed_lockout | - | seed
Q How many failed logins lock my account?
A Your account locks after 5 failed sign-in attempts and unlocks automatically after 30 minutes. You can also unlock it on the self-service password portal.

> seed_tap | - | seed
Q How long is a Temporary Access Pass valid?
A A Temporary Access Pass from the Service Desk is valid for 8 hours. Use it to sign in and register Microsoft Authenticator again.

> seed_refresh_notice | - | seed
Q How will I know my laptop is due for a refresh?
A Laptops are refreshed every 3 years, and IT emails you about 4 weeks before your refresh date.

> seed_guest_pwd | - | seed
Q Where do I find the guest Wi-Fi password?
A The NW-Guest password is shown on the screens at reception and changes every week. Visitors can also get a 24-hour voucher from reception.

> seed_usb_encrypted | - | seed
Q I need to hand over data on a USB drive to an auditor. What should I use?
A Personal USB storage is blocked on company laptops. Request an encrypted company USB drive from IT, or share the data through a OneDrive 'Specific people' link.

> seed_admin_request | - | seed
Q How long does elevated access from Admin By Request last?
A Admin By Request gives elevated rights for 60 minutes at a time after you enter a short justification.

> seed_mailbox_size | - | seed
Q How big is my mailbox?
A Mailboxes are 100 GB, and each user also has an unlimited online archive.

> seed_recordings_expiry | - | seed
Q When do Teams recordings expire?
A Teams recordings expire after 120 days unless the owner changes the expiry date.

> seed_vpn_portal | - | seed
Q What is the VPN portal address?
A The GlobalProtect portal is vpn.northwind-analytics.com. Sign in with your work account and MFA.

> seed_loaner | - | seed
Q How quickly can I get a loaner laptop if mine breaks?
A A loaner laptop is usually provided within 1 working day while your laptop is repaired.

> seed_screen_lock | - | seed
Q After how long does my laptop screen lock?
A Company laptops lock after 5 minutes of inactivity. Press Windows + L to lock it yourself when you step away.

> seed_office_personal | - | seed
Q On how many personal devices can I install Office?
A Your Microsoft 365 licence covers Office on up to 5 personal devices. Install it from office.com with your work account.

> seed_phish_button | - | seed
Q What does the Report Phishing button do?
A The 'Report Phishing' button in Outlook sends the suspicious email to Security and removes it from your inbox.

> seed_external_links | - | seed
Q How long do OneDrive sharing links for clients stay valid?
A 'Specific people' links for external sharing expire after 30 days.
"""
