"""Import: a helpdesk export on disk -> tickets and drafted pairs in the workspace.

    detect        format, encoding and delimiter of a file; shared reading helpers
    mapping       which column is the question, the answer... (guess, resolve, validate)
    tables        CSV/TSV/XLSX records and the file preview
    json_records  JSON arrays and JSON lines (nested ticket/comment exports too)
    threads       one row per message -> question/answer pairs
    drafting      quoted replies, signatures, boilerplate and internal notes kept out
    limits        file size, column count and field length limits
    importer      import_files: all files or none, one transaction
    ops           the import page's actions: expand dropped paths, preview, map, import
"""
