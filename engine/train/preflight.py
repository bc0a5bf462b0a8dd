"""Checks before any weights are loaded: the device, an estimate of the memory the run needs
against what is free, and free disk for checkpoints. A run that cannot fit stops with a message
that names a preset (or a smaller model) that would.

The estimator (`estimate_memory`) is a rough, documented model, good to ~20-30 %:
- weights: params x bytes (0.5 + ~3 % for NF4 blocks and double-quantised constants at 4 bits;
  2 for bf16/fp16; 4 for fp32). Embeddings and the output head stay in 16 bits under bitsandbytes.
- LoRA: r x (in + out) per adapted linear layer; weights fp32 (4 bytes) + grads (4) + AdamW (8).
- activations per layer and token: ~34 x hidden bytes in 16 bits without gradient
  checkpointing (Korthikanti et al. 2022, attention via sdpa so no seq^2 term), ~2 x hidden with
  it (only the layer inputs are kept, plus one layer recomputed); plus the logits
  (batch x seq x vocab x 4 bytes, x3 for the softmax and its gradient).
- overhead: CUDA context and allocator slack, 0.8 GB on a GPU.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Mapping

GB = 1024**3

_LINEAR_SHAPES = {
    # module name -> function(config) -> (in_features, out_features)
    "q_proj": lambda c: (c["hidden"], c["heads"] * c["head_dim"]),
    "k_proj": lambda c: (c["hidden"], c["kv_heads"] * c["head_dim"]),
    "v_proj": lambda c: (c["hidden"], c["kv_heads"] * c["head_dim"]),
    "o_proj": lambda c: (c["heads"] * c["head_dim"], c["hidden"]),
    "gate_proj": lambda c: (c["hidden"], c["intermediate"]),
    "up_proj": lambda c: (c["hidden"], c["intermediate"]),
    "down_proj": lambda c: (c["intermediate"], c["hidden"]),
}


def model_dims(model_config: Any) -> dict[str, int]:
    """The sizes the estimator needs, from a transformers config (or a plain dict)."""
    get = (lambda k, d=None: model_config.get(k, d)) if isinstance(model_config, Mapping) else (
        lambda k, d=None: getattr(model_config, k, d))
    hidden = int(get("hidden_size"))
    heads = int(get("num_attention_heads"))
    head_dim = int(get("head_dim", None) or hidden // heads)
    return {
        "hidden": hidden,
        "layers": int(get("num_hidden_layers")),
        "heads": heads,
        "kv_heads": int(get("num_key_value_heads", None) or heads),
        "head_dim": head_dim,
        "intermediate": int(get("intermediate_size", None) or 4 * hidden),
        "vocab": int(get("vocab_size")),
    }


def count_params(model_config: Any) -> int:
    """Exact parameter count, built on the meta device (no memory, no weights)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(model_config)
    return sum(p.numel() for p in model.parameters())


def lora_params(dims: Mapping[str, int], targets: list[str], r: int) -> int:
    total = 0
    for name in targets:
        shape = _LINEAR_SHAPES.get(name)
        if shape is None:  # an unknown module name: assume a hidden x hidden projection
            shape = lambda c: (c["hidden"], c["hidden"])  # noqa: E731
        fan_in, fan_out = shape(dims)
        total += r * (fan_in + fan_out)
    return total * dims["layers"]


def estimate_memory(n_params: int, dims: Mapping[str, int], config: Mapping[str, Any], *,
                    on_gpu: bool = True) -> dict[str, float]:
    """Bytes the run needs on one device, by part, in GB (see the module docstring)."""
    embed = dims["vocab"] * dims["hidden"] * 2  # input embeddings + output head (untied or not, ~)
    body = max(n_params - embed, 0)
    if config.get("load_in_4bit"):
        weights = body * 0.5 * 1.03 + embed * 2
    else:
        dtype = config.get("compute_dtype", "auto")
        width = 4 if dtype == "float32" or (dtype == "auto" and not on_gpu) else 2
        weights = n_params * width
    n_lora = lora_params(dims, list(config.get("target_modules") or []), int(config.get("lora_r", 16)))
    lora = n_lora * 4
    optimizer = n_lora * (4 + 8)
    batch = int(config.get("per_device_train_batch_size", 1))
    seq = int(config.get("max_length", 512))
    tokens = batch * seq
    act_width = 4 if config.get("compute_dtype") == "float32" else 2
    per_token_layer = (2 if config.get("gradient_checkpointing") else 34 / 2 * act_width) * dims["hidden"]
    activations = tokens * dims["layers"] * per_token_layer
    if config.get("gradient_checkpointing"):  # one layer is recomputed in full during backward
        activations += tokens * 34 / 2 * act_width * dims["hidden"]
    logits = tokens * dims["vocab"] * 4 * 3
    overhead = 0.8 * GB if on_gpu else 0.2 * GB
    parts = {
        "weights_gb": weights / GB,
        "lora_gb": lora / GB,
        "optimizer_gb": optimizer / GB,
        "activations_gb": (activations + logits) / GB,
        "overhead_gb": overhead / GB,
    }
    parts["total_gb"] = sum(parts.values())
    parts["lora_params"] = n_lora
    return {k: (round(v, 3) if k != "lora_params" else v) for k, v in parts.items()}


def checkpoint_bytes(n_lora: int) -> int:
    """A checkpoint holds the adapter (fp32), the optimizer state (2 x fp32) and small files."""
    return n_lora * 12 + 2 * 1024**2


def _available_ram_gb() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 / GB
    except OSError:
        pass
    return None


def suggest_preset(n_params: int, dims: Mapping[str, int], config: Mapping[str, Any], free_gb: float,
                   current: str | None = None) -> str | None:
    """The first preset (plus this run's LoRA targets) whose estimate fits in `free_gb`."""
    from engine.train.spec import resolve_config

    for name in ("lora-bf16", "qlora-t4"):
        if name == current:
            continue
        candidate = resolve_config(name)
        if estimate_memory(n_params, dims, candidate)["total_gb"] <= free_gb * 0.95:
            return name
    # the reference recipe with batch 1 and short sequences
    small = dict(resolve_config("qlora-t4"), per_device_train_batch_size=1, gradient_accumulation_steps=16,
                 max_length=256)
    if estimate_memory(n_params, dims, small)["total_gb"] <= free_gb * 0.95:
        return "qlora-t4 --set per_device_train_batch_size=1 --set gradient_accumulation_steps=16 --set max_length=256"
    return None


def preflight(model_config: Any, config: Mapping[str, Any], run_dir: str | os.PathLike, *,
              device: str, preset: str | None = None, n_params: int | None = None,
              gpu_index: int = 0) -> dict[str, Any]:
    """Everything the `preflight` event reports; `ok` False when the run cannot fit."""
    dims = model_dims(model_config)
    if n_params is None:
        n_params = count_params(model_config)
    on_gpu = device == "cuda"
    est = estimate_memory(n_params, dims, config, on_gpu=on_gpu)
    out: dict[str, Any] = {"device": device, "gpu_name": None, "gpu_total_gb": None, "gpu_free_gb": None,
                           "estimate_gb": est["total_gb"], "estimate": est, "params": n_params}
    problems = []
    if on_gpu:
        import torch

        props = torch.cuda.get_device_properties(gpu_index)
        free, total = torch.cuda.mem_get_info(gpu_index)
        out.update(gpu_name=props.name, gpu_total_gb=round(total / GB, 2), gpu_free_gb=round(free / GB, 2))
        if est["total_gb"] > free / GB * 0.95:
            better = suggest_preset(n_params, dims, config, free / GB, current=preset)
            hint = f" Try the preset {better}." if better else " Choose a smaller base model."
            problems.append(
                f"This run needs about {est['total_gb']:.1f} GB of GPU memory but {props.name} has "
                f"{free / GB:.1f} GB free.{hint}")
    else:
        ram = _available_ram_gb()
        if ram is not None and est["total_gb"] > ram:
            problems.append(
                f"This run needs about {est['total_gb']:.1f} GB of memory but only {ram:.1f} GB is free; "
                "training this model on the CPU is not practical: use a GPU (see `pairsmith bundle`).")
    disk = shutil.disk_usage(Path(run_dir))
    need = checkpoint_bytes(est["lora_params"]) * (int(config.get("save_total_limit", 3)) + 2)
    out["free_disk_gb"] = round(disk.free / GB, 2)
    out["disk_needed_gb"] = round(need / GB, 3)
    if disk.free < need:
        problems.append(f"Checkpoints need about {need / GB:.2f} GB of disk but only {disk.free / GB:.2f} GB is free; "
                        "free some space.")
    out["ok"] = not problems
    if problems:
        out["message"] = " ".join(problems)
    else:
        where = f"{out['gpu_name']} ({out['gpu_free_gb']:.1f} GB free)" if on_gpu else "the CPU"
        out["message"] = f"needs about {est['total_gb']:.2f} GB on {where}; {out['free_disk_gb']:.0f} GB disk free"
    return out
