"""Running out of GPU memory: recognise it, pick the next smaller configuration, and (for tests)
inject one.

The fallback ladder keeps the effective batch (batch x accumulation), so the number of optimizer
steps and the learning-rate schedule do not change and the run resumes from its last checkpoint:
1. batch 1, accumulation x old batch
2. max length halved (not below 128 tokens)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from transformers import TrainerCallback

MIN_LENGTH = 128
INJECT_MARKER = ".oom-injected"


def is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "cuda_error_out_of_memory" in text)


def next_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The next rung down the ladder and a sentence saying what changed; None when out of rungs."""
    batch = int(config["per_device_train_batch_size"])
    accum = int(config["gradient_accumulation_steps"])
    if batch > 1:
        new = dict(config, per_device_train_batch_size=1, gradient_accumulation_steps=accum * batch)
        return new, (f"batch size {batch} -> 1 with gradient accumulation {accum} -> {accum * batch} "
                     "(same effective batch)")
    length = int(config["max_length"])
    if length > MIN_LENGTH:
        shorter = max(MIN_LENGTH, length // 2)
        new = dict(config, max_length=shorter)
        return new, f"max length {length} -> {shorter} tokens (longer pairs are cut)"
    return None


def free_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()  # the peak reported at the end is the retried run's


class InjectOOM(TrainerCallback):
    """Raises torch.OutOfMemoryError once, at the end of optimizer step `at_step` (testing aid).
    A marker file in the run folder makes it fire only once across retries and resumes."""

    def __init__(self, run_dir: str | os.PathLike, at_step: int):
        self.marker = Path(run_dir) / INJECT_MARKER
        self.at_step = at_step

    def on_step_end(self, args, state, control, **kwargs):
        if self.at_step and state.global_step >= self.at_step and not self.marker.exists():
            self.marker.write_text(str(state.global_step))
            import torch

            raise torch.OutOfMemoryError(
                f"CUDA out of memory (injected for testing at step {state.global_step})")
        return control
