"""Reviewing pairs by hand: edits with history, undo/redo, and the filter the review table uses."""
