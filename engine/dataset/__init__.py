"""Dataset versions: the frozen train/held-out split, and exporting pairs to fine-tuning files."""
