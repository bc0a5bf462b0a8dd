"""Qt item models over the workspace (read in pages through the worker)."""
