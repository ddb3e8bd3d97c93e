"""The package's error types: each message names the problem and the fix."""

from __future__ import annotations

__all__ = ["ZSLDataError", "DownloadError", "TrainingDiverged"]


class ZSLDataError(ValueError):
    """A dataset file is missing, truncated or inconsistent, or a dataset name is unknown."""


class DownloadError(RuntimeError):
    """A download failed, was interrupted or gave a corrupt or hostile archive."""


class TrainingDiverged(ValueError):
    """The training loss became NaN or Inf: the learning rate (or the weight decay with it) is too large."""
