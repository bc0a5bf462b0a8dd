"""Watching the loss: flat or rising by a given step, or swinging up and down.

Both usually mean the learning rate is too high for this data or the data disagrees with itself
(the same question with conflicting answers), so both warnings suggest a lower learning rate and
a look at the "Conflicting answers" flags. The parent process adds the number of open conflict
flags when it records the warning.
"""

from __future__ import annotations

from typing import Sequence

LOWER_LR = 5e-5


def check_step(configured: int, total_steps: int) -> int:
    """The step by which the loss must be falling: the configured one, or for 0 (auto) and for runs
    shorter than it, half the run (at least 4 steps)."""
    if configured and configured < total_steps:
        return configured
    return max(4, total_steps // 2)


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def loss_not_falling(losses: Sequence[float], *, min_drop: float = 0.03) -> bool:
    """True when the mean of the last quarter of the logged losses is not at least `min_drop`
    (3 %) below the mean of the first quarter."""
    if len(losses) < 4:
        return False
    q = max(1, len(losses) // 4)
    first, last = _mean(losses[:q]), _mean(losses[-q:])
    return last > first * (1 - min_drop)


def loss_oscillating(losses: Sequence[float], *, window: int = 12, min_flips: float = 0.7,
                     min_swing: float = 0.15) -> bool:
    """True when, over the last `window` logged losses, the direction flips at least `min_flips`
    of the time AND the typical step-to-step change is at least `min_swing` of the mean loss."""
    xs = list(losses)[-window:]
    if len(xs) < 6:
        return False
    diffs = [b - a for a, b in zip(xs, xs[1:])]
    flips = sum(1 for a, b in zip(diffs, diffs[1:]) if a * b < 0)
    swing = _mean([abs(d) for d in diffs]) / max(abs(_mean(xs)), 1e-9)
    return flips / (len(diffs) - 1) >= min_flips and swing >= min_swing


def advice(current_lr: float) -> str:
    lower = min(LOWER_LR, current_lr / 4)
    return (f"Try a lower learning rate (--set learning_rate={lower:g}) and look at the "
            "\"Conflicting answers\" flags: pairs that answer the same question differently pull the model both ways.")
