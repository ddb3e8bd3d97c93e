"""The package's error types: each message names the problem and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

__all__ = ["ZSLDataError", "DownloadError", "TrainingDiverged", "divergence"]


class ZSLDataError(ValueError):
    """A dataset file is missing, truncated or inconsistent, or a dataset name is unknown."""


class DownloadError(RuntimeError):
    """A download failed, was interrupted or gave a corrupt or hostile archive."""


class TrainingDiverged(ValueError):
    """The training loss became NaN or Inf: a learning rate (or weight decay) too large, or a loss undefined on a
    batch."""


def divergence(batch_losses: torch.Tensor, epoch: int, epochs: int, fix: str) -> TrainingDiverged | None:
    """The error for one epoch's losses, (steps,) one per batch, naming the first batch whose loss is NaN or Inf and
    ``fix``, what to do; None when every loss is finite. One host sync per epoch, none per step."""
    bad = (~batch_losses.isfinite()).nonzero().flatten()
    if not len(bad):
        return None
    i = int(bad[0])
    return TrainingDiverged(
        f"the training loss became {float(batch_losses[i])} at batch {i + 1} of {len(batch_losses)} in epoch "
        f"{epoch + 1} of {epochs}: {fix}"
    )
