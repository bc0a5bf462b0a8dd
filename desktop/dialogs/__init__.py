"""Dialogs opened from the main window's menus (each one file, named for what it edits)."""
