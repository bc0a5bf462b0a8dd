"""Training: frozen dataset version -> QLoRA adapter, in a subprocess that speaks JSON lines.

(Full API documentation follows as the package is completed.)
"""
