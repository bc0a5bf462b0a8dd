"""Training presets: named, complete configurations. `--set key=value` overrides any key.

- `qlora-t4`   the reference recipe for a 16 GB GPU (T4 class): 4-bit NF4 with double
               quantisation, LoRA r=16/alpha=32/dropout 0.05 on q/k/v/o/gate, 3 epochs,
               batch 2 x accumulation 8, lr 2e-4, warmup 3 %, max length 512.
- `lora-bf16`  GPUs with 40 GB and more: no quantisation, bf16 weights, larger batches.
- `cpu-lora`   a real small model (builtin:smollm2, 135M) on a CPU: fp32, no gradient
               checkpointing, micro-batches of 2 grouped by length, LoRA on the top 10 layers,
               at most 10 steps of 16 pairs; a few minutes on 2 cores.
- `cpu-smoke`  the built-in tiny model on a CPU: fp32, a few dozen steps, short sequences, logs
               every step and checkpoints every few steps. `--set load_in_4bit=true` works here too.

Every key, its type, default and meaning is in `KEYS` (engine/train/spec.py validates against it).
"""

from __future__ import annotations

from typing import Any

# key -> (default, help). The default's type is the key's type (list = list of strings).
KEYS: dict[str, tuple[Any, str]] = {
    # model loading and quantisation
    "device": ("auto", "auto | cuda | cpu"),
    "load_in_4bit": (False, "load the base weights in 4 bits (QLoRA)"),
    "bnb_4bit_quant_type": ("nf4", "nf4 | fp4"),
    "bnb_4bit_use_double_quant": (True, "quantise the quantisation constants too"),
    "compute_dtype": ("auto", "auto | bfloat16 | float16 | float32 (auto: bf16 where the GPU supports it, else fp16; fp32 on CPU)"),
    "attn_implementation": ("auto", "auto | sdpa | eager | flash_attention_2"),
    # LoRA
    "lora_r": (16, "LoRA rank"),
    "lora_alpha": (32, "LoRA scaling alpha"),
    "lora_dropout": (0.05, "dropout on the LoRA path"),
    "target_modules": (["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"], "modules that get LoRA adapters (comma-separated)"),
    "lora_layers": (0, "adapt only the top N transformer layers (0: all); the layers below then need no backward pass"),
    # schedule
    "num_train_epochs": (3.0, "passes over the training split"),
    "max_steps": (-1, "stop after this many optimizer steps (-1: go by epochs)"),
    "per_device_train_batch_size": (2, "pairs per forward pass on each device"),
    "gradient_accumulation_steps": (8, "forward passes per optimizer step"),
    "learning_rate": (2e-4, "peak learning rate"),
    "warmup_ratio": (0.03, "share of the steps spent warming the learning rate up"),
    "lr_scheduler_type": ("cosine", "linear | cosine | constant | constant_with_warmup"),
    "weight_decay": (0.0, "AdamW weight decay"),
    "max_grad_norm": (1.0, "gradient clipping"),
    "optim": ("adamw_torch", "optimizer name as transformers knows it (adamw_torch, paged_adamw_8bit, ...)"),
    "max_length": (512, "longest rendered pair in tokens (longer ones are cut)"),
    "gradient_checkpointing": (True, "trade compute for activation memory"),
    "batching": ("auto", "auto | padded | grouped | packed (auto: packed with flash-attention, else grouped by length)"),
    "seed": (42, "random seed"),
    # logging, checkpoints, evaluation
    "logging_steps": (10, "emit a step event every N optimizer steps"),
    "save_steps": (50, "write a checkpoint every N optimizer steps"),
    "save_total_limit": (3, "keep at most N checkpoints"),
    "eval_steps": (50, "evaluate on the held-out split every N steps (0: only at the end)"),
    # guards
    "loss_check_step": (150, "by this step the loss must be falling (0: scale with the run's length)"),
    "max_oom_retries": (2, "after running out of GPU memory: retry with batch 1, then a shorter max length"),
    "threads": (0, "CPU threads for torch (0: leave torch's default)"),
    "inject_oom_at_step": (0, "testing: raise an out-of-memory error once at this step (0: off)"),
}

CHOICES: dict[str, tuple[str, ...]] = {
    "device": ("auto", "cuda", "cpu"),
    "bnb_4bit_quant_type": ("nf4", "fp4"),
    "compute_dtype": ("auto", "bfloat16", "float16", "float32"),
    "attn_implementation": ("auto", "sdpa", "eager", "flash_attention_2"),
    "lr_scheduler_type": ("linear", "cosine", "constant", "constant_with_warmup"),
    "batching": ("auto", "padded", "grouped", "packed"),
}

PRESETS: dict[str, dict[str, Any]] = {
    "qlora-t4": {
        "load_in_4bit": True,
        "bnb_4bit_quant_type": "nf4",
        "bnb_4bit_use_double_quant": True,
        "compute_dtype": "auto",
        "lora_r": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.05,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"],
        "num_train_epochs": 3.0,
        "per_device_train_batch_size": 2,
        "gradient_accumulation_steps": 8,
        "learning_rate": 2e-4,
        "warmup_ratio": 0.03,
        "max_length": 512,
        "logging_steps": 10,
        "save_steps": 50,
        "eval_steps": 50,
        "gradient_checkpointing": True,
        "optim": "adamw_torch",
    },
    "lora-bf16": {
        "load_in_4bit": False,
        "compute_dtype": "bfloat16",
        "lora_r": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.05,
        "num_train_epochs": 3.0,
        "per_device_train_batch_size": 8,
        "gradient_accumulation_steps": 2,
        "learning_rate": 2e-4,
        "warmup_ratio": 0.03,
        "max_length": 1024,
        "logging_steps": 10,
        "save_steps": 50,
        "eval_steps": 50,
        "gradient_checkpointing": True,
        "optim": "adamw_torch",
    },
    "cpu-smoke": {
        "device": "auto",
        "load_in_4bit": False,
        "compute_dtype": "float32",
        "attn_implementation": "sdpa",
        "lora_r": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.0,
        # the tiny model is small: adapt every projection so 30 steps visibly lower the loss
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        "num_train_epochs": 1.0,
        # 30 steps x 8 pairs: about one pass over the bundled sample, ~3 s of training on one core
        "max_steps": 30,
        "per_device_train_batch_size": 8,
        "gradient_accumulation_steps": 1,
        "learning_rate": 5e-3,
        "warmup_ratio": 0.0,
        "lr_scheduler_type": "constant",
        "max_length": 128,
        "logging_steps": 1,
        "save_steps": 10,
        "save_total_limit": 2,
        "eval_steps": 10,
        "gradient_checkpointing": False,
        "loss_check_step": 0,
        "threads": 1,
    },
}

# `cpu-lora`: a real model (builtin:smollm2, 135M) on a CPU in minutes. The reference recipe's LoRA
# (r=16 on q/k/v/o/gate) and effective batch of 16, with what makes a CPU fast: fp32 (no bf16
# hardware on most CPUs), no gradient checkpointing (it recomputes every layer's forward, half as
# much again as forward + backward when the base weights are frozen; a 135M model's activations
# fit easily), micro-batches of 2 grouped by length, no LoRA dropout, adapters on the top 10 layers
# only (the 20 below run forward only: no backward, no stored activations), at most 10 steps (160
# pairs) at a higher learning rate, answers cut at 256 tokens.
# Why 2 and not 8 pairs a pass: bench/bench_train_smollm2.py --pairs 160 --steps 10 (max length
# 512, 2 cores), our arm alone: micro-batch 1: 175 tokens/s, 1.75 GB; 2: 224, 2.71 GB; 4: 179,
# 4.33 GB; 8: 182, 7.55 GB: larger passes cost memory and bring no speed (not profiled; a likely
# cause is that a padded batch sends CPU attention down its masked path, which keeps each layer's
# length x length attention weights for the backward). With 2, in one run against the reference:
# 2.42x its tokens/s at 0.93x its peak memory, held-out loss 1.042x.
# For a longer run: --set max_steps=N (or -1 with num_train_epochs).
PRESETS["cpu-lora"] = {
    "device": "auto",
    "load_in_4bit": False,
    "compute_dtype": "float32",
    "attn_implementation": "sdpa",
    "lora_r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.0,
    "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"],
    "lora_layers": 10,
    "num_train_epochs": 1.0,
    "max_steps": 10,
    "per_device_train_batch_size": 2,
    "gradient_accumulation_steps": 8,
    "learning_rate": 1e-3,
    "warmup_ratio": 0.0,  # ten steps: a warm-up step would be one tenth of the run at lr 0
    "lr_scheduler_type": "cosine",
    "max_length": 256,
    "batching": "grouped",
    "logging_steps": 1,
    "save_steps": 5,
    "save_total_limit": 2,
    "eval_steps": 0,
    "gradient_checkpointing": False,
    "loss_check_step": 0,
    "threads": 0,
}

DESCRIPTIONS = {
    "qlora-t4": "4-bit QLoRA for a 16 GB GPU (T4 class), the reference recipe",
    "lora-bf16": "LoRA on bf16 weights for GPUs with 40 GB or more",
    "cpu-smoke": "a quick check on the CPU with the built-in tiny model",
    "cpu-lora": "a real small model (builtin:smollm2) on a CPU: at most 10 steps of 16 pairs, a few minutes on 2 cores",
}


def default_preset(base_model: str | None = None) -> str:
    """`qlora-t4` when a CUDA GPU is present; on a CPU `cpu-smoke` for the built-in tiny model (or
    when no model is named) and `cpu-lora` for a real model."""
    try:
        import torch

        if torch.cuda.is_available():
            return "qlora-t4"
    except Exception:  # noqa: BLE001 - a broken torch install: the CPU preset at least explains itself
        pass
    return "cpu-smoke" if not base_model or base_model.strip() == "builtin:tiny" else "cpu-lora"
