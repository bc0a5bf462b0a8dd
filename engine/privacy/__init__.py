"""Personal data: redaction with consistent placeholders, and the guards that keep it out of
exports and training."""
