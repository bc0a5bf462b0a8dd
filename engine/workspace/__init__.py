"""The workspace: a folder holding one DuckDB file (the source of truth) plus run folders.

    store       Workspace (open/create, migrations, transactions, backups)
    settings    every workspace setting: default, type, help, who reads it
    security    what may load (trusted models, offline mode, no telemetry)
    errors      errors a person can act on (PairsmithError, BadInput, Cancelled, ...)
    resources   where the bundled sample and icons live

Imports nothing itself, so `engine.workspace.errors` loads without DuckDB (training bundles).
"""
