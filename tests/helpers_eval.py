"""Test helpers for evaluation, playground and export: a workspace with a run folder whose adapter
was made without training (random LoRA weights, so it visibly changes the model's output)."""

from __future__ import annotations

import json
import os
from pathlib import Path

HELDOUT = [
    ("How many days of sick leave do I get?", "Employees get 12 days of paid sick leave per year. Request them in the HR Portal."),
    ("When is the expense claim deadline?", "Claims must be filed within 30 days with the receipt attached."),
    ("Can I carry over annual leave?", "Yes, you can carry over up to 5 days of annual leave into the next year."),
    ("Is there a home office allowance?", "Yes, the home office allowance is $300 per year, paid in March."),
]
TRAIN = [
    ("How much annual leave do I get?", "Employees get 25 days of annual leave per year."),
    ("How do I reset my VPN password?", "Open the IT Portal, choose VPN, then Reset; the link expires after 10 minutes."),
    ("Who approves parental leave?", "Your manager approves parental leave in the HR Portal; allow 2 weeks."),
    ("What are the IT desk hours?", "The IT desk is open from 8:00 to 18:00, Monday to Friday."),
    ("Can part-time staff get the bonus?", "Yes, part-time staff get the bonus pro rata."),
    ("Where is the travel policy?", "The Travel Policy is on the intranet; book trips 14 days ahead."),
    ("How fast are expenses paid?", "Approved expenses are paid within 10 days."),
    ("Can I work remotely from abroad?", "No, you cannot work remotely from abroad for more than 30 days a year."),
]


def make_tiny_base(folder: Path) -> str:
    from engine.train.models import build_tiny_model

    return str(build_tiny_model(folder))


def make_adapter(base_path: str, out: Path, *, r: int = 16, seed: int = 0) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(base_path)
    tok = AutoTokenizer.from_pretrained(base_path)
    cfg = LoraConfig(r=r, lora_alpha=2 * r, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"],
                     lora_dropout=0.0, task_type="CAUSAL_LM", init_lora_weights=False)
    model = get_peft_model(base, cfg)
    with torch.no_grad():  # make the adapter matter on this tiny model
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.mul_(20.0)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def make_run(ws_root: Path, base_path: str, run_id: str = "run-1", adapter_src: Path | None = None) -> Path:
    """runs/<id>/ with spec.json, dataset/{train,heldout}.jsonl and adapter/ (copied from adapter_src)."""
    import shutil

    run = Path(ws_root) / "runs" / run_id
    (run / "dataset").mkdir(parents=True, exist_ok=True)
    rows = lambda items, start: [  # noqa: E731
        {"pair_id": start + i, "instruction": q, "response": a} for i, (q, a) in enumerate(items)]
    for name, items, start in (("heldout", HELDOUT, 100), ("train", TRAIN, 1)):
        with open(run / "dataset" / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows(items, start):
                fh.write(json.dumps(row) + "\n")
    spec = {
        "run_id": run_id, "created_at": "2026-11-29 10:00:00", "base_model": "builtin:tiny",
        "base_model_resolved": base_path, "preset": "cpu-smoke",
        "config": {"lora_r": 16, "lora_alpha": 32, "num_train_epochs": 3.0, "learning_rate": 2e-4,
                   "load_in_4bit": False, "max_length": 256},
        "dataset": {"version_id": 1, "train": "dataset/train.jsonl", "heldout": "dataset/heldout.jsonl",
                    "train_count": len(TRAIN), "heldout_count": len(HELDOUT)},
    }
    (run / "spec.json").write_text(json.dumps(spec, indent=2))
    if adapter_src is not None:
        if (run / "adapter").exists():
            shutil.rmtree(run / "adapter")
        shutil.copytree(adapter_src, run / "adapter")
    return run


def offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
