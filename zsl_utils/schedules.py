"""Learning-rate schedules: linear warmup then cosine decay, as a multiplier and as a ``LambdaLR``."""

from __future__ import annotations

import functools
import math

import torch

__all__ = ["cosine_warmup_lr", "cosine_warmup_scheduler"]


def _check_schedule(total_steps: int, warmup_steps: int, min_factor: float) -> None:
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1, got {total_steps}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
    if not 0.0 <= min_factor <= 1.0:
        raise ValueError(f"min_factor must lie in [0, 1], got {min_factor}")


def cosine_warmup_lr(step: int, total_steps: int, warmup_steps: int, min_factor: float = 0.0) -> float:
    """The learning-rate multiplier of step ``step`` (0-based): linear warmup, then cosine decay.

    With ``W = min(warmup_steps, total_steps - 1)``::

        f(t) = (t + 1) / (W + 1)                                          for t < W
        f(t) = m + (1 - m) * (1 + cos(pi * (t - W) / (total_steps - W))) / 2   for W <= t <= total_steps

    and ``f(t) = m`` (``min_factor``) past ``total_steps``. Steps ``0..total_steps-1`` are the training
    steps; ``f`` is 1 at ``t = W`` and reaches ``m`` at ``t = total_steps``, the value after the last
    ``scheduler.step()`` (the convention of most cosine schedules).

    The first step gets ``1 / (W + 1) > 0``; the common form ``t / W`` gives the first step (or the whole first
    epoch) a learning rate of exactly zero, a wasted step. A warmup as long as the run (``warmup_steps >=
    total_steps``) is clipped to ``total_steps - 1``: the warmup ends at the last training step, and the decay
    denominator ``total_steps - W`` is never zero.

    Raises:
        ValueError: ``step < 0``, ``total_steps < 1``, ``warmup_steps < 0`` or ``min_factor`` outside [0, 1].
    """
    _check_schedule(total_steps, warmup_steps, min_factor)
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return (step + 1) / (warmup + 1)
    progress = min(1.0, (step - warmup) / (total_steps - warmup))
    return min_factor + (1.0 - min_factor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def cosine_warmup_scheduler(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_steps: int, min_factor: float = 0.0
) -> torch.optim.lr_scheduler.LambdaLR:
    """A ``LambdaLR`` whose multiplier is :func:`cosine_warmup_lr`: call ``scheduler.step()`` after each
    ``optimizer.step()``; step ``t`` then runs at ``base_lr * cosine_warmup_lr(t, ...)``.

    Raises:
        ValueError: as :func:`cosine_warmup_lr`, at construction.
    """
    _check_schedule(total_steps, warmup_steps, min_factor)
    factor = functools.partial(
        cosine_warmup_lr, total_steps=total_steps, warmup_steps=warmup_steps, min_factor=min_factor
    )
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
