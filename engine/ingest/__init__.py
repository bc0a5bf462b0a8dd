"""Import: a helpdesk export on disk -> tickets and drafted pairs in the workspace.

    detect        format, encoding and delimiter of a file; shared reading helpers
    mapping       which column is the question, the answer... (guess, resolve, validate)
    tables        CSV/TSV/XLSX records and the file preview
    json_records  JSON arrays and JSON lines (nested ticket/comment exports too)
    threads       one row per message -> question/answer pairs
    vendors       helpdesk exports found by content: Zendesk, Freshdesk, Jira Service Management, ServiceNow
    mail          mbox, .eml and Outlook .msg mailboxes, threaded by Message-ID / In-Reply-To / subject
    helpdesk      who said what in a ticket: the question, the resolving reply (or each exchange); internal notes out
    tickets_import  helpdesk tickets -> importer rows; re-import of grown tickets; the detection preview
    drafting      quoted replies, signatures, boilerplate and internal notes kept out
    limits        file size, column count and field length limits
    importer      import_files: all files or none, one transaction
    ops           the import page's actions: expand dropped paths, preview, map, import
"""
