"""Personal data: redaction with consistent placeholders (redact), and the guard that keeps it
out of exports and training (guard)."""
