"""Merge a run's LoRA adapter into the base weights: a standalone model folder.

The base is loaded in 16 bits (bf16 where supported, else fp16), never from the 4-bit weights
the adapter was trained against: merging into dequantised 4-bit weights would bake the
quantisation error into every layer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from engine.workspace.errors import BadInput
from engine.train.run_folder import adapter_dir, base_model_path
from engine.train.spec import load_spec

MERGED = "merged"


def _dtype(name: str | None):
    import torch

    if name in (None, "auto"):
        if torch.cuda.is_available():
            from engine.train.models import gpu_compute_dtype

            return gpu_compute_dtype()
        return torch.bfloat16
    if name not in ("bfloat16", "float16", "float32"):
        raise BadInput(f"--dtype must be bfloat16, float16 or float32, not {name!r}.")
    return getattr(torch, name)


def merge_run(run_dir: str | os.PathLike, out: str | os.PathLike | None = None, dtype: str | None = None) -> Path:
    """Write base + adapter as one model (and the tokenizer) to `out` (default run_dir/merged)."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run_dir = Path(run_dir)
    spec = load_spec(run_dir)
    adapter = adapter_dir(run_dir)
    out = Path(out) if out else run_dir / MERGED
    torch_dtype = _dtype(dtype)
    base = base_model_path(spec)
    from engine.workspace.security import spec_model_kwargs, tokenizer_load_kwargs

    model = AutoModelForCausalLM.from_pretrained(  # 16-bit, not quantised
        base, dtype=torch_dtype, **spec_model_kwargs(spec, base))
    model = PeftModel.from_pretrained(model, str(adapter))
    merged = model.merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(adapter), **tokenizer_load_kwargs(adapter)).save_pretrained(str(out))
    (out / "pairsmith-merge.json").write_text(json.dumps({
        "run_id": spec["run_id"], "base_model": spec["base_model"], "dtype": str(torch_dtype).replace("torch.", ""),
    }, indent=2))
    return out
