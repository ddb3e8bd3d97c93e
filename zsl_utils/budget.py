"""How much training a notebook can afford: the full schedules on a GPU or at SHAPES' size, fewer epochs for a large
dataset on a CPU, so that every notebook stays within minutes at AWA2 size.

The notebooks' schedules (epochs, grids) were set for SHAPES. An epoch costs about (trainval images) x d_v on a CPU,
so a dataset with k times SHAPES' work runs 1/k of each schedule's epochs (at least one): AWA2's 23,527 x 2,048
trainval features are 82 times SHAPES' 4,608 x 128, and every training of a notebook then runs a single epoch.
Only the number of epochs changes; models, grids, selection and evaluation stay as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .dataset import ZSLDataset
from .train import TrainConfig

__all__ = ["SHAPES_WORK", "TrainingBudget", "scaled_epochs", "training_budget"]

SHAPES_WORK = 4608 * 128
"""SHAPES' trainval images x feature dim: the size every notebook's training schedule was set for."""


def scaled_epochs(epochs: int, scale: float) -> int:
    """``epochs`` at ``scale`` in (0, 1]: unchanged at scale 1, else ``round(epochs * scale)``, at least 1."""
    return epochs if scale >= 1 else max(1, round(epochs * scale))


@dataclass(frozen=True)
class TrainingBudget:
    """``scale``: the fraction of each schedule's epochs to run, in (0, 1]; ``reason``: one line saying why."""

    scale: float
    reason: str

    def epochs(self, epochs: int) -> int:
        """A schedule's ``epochs`` within the budget (see :func:`scaled_epochs`)."""
        return scaled_epochs(epochs, self.scale)

    def config(self, config: TrainConfig) -> TrainConfig:
        """``config`` with its epochs within the budget (every other field as it is)."""
        return dataclasses.replace(config, epochs=self.epochs(config.epochs))

    def __str__(self) -> str:
        return self.reason


def training_budget(data: ZSLDataset) -> TrainingBudget:
    """The budget of a dataset on the device it lives on (``data.device``): scale 1 on a GPU or up to SHAPES' size,
    ``SHAPES_WORK / (len(data.trainval) * data.feature_dim)`` for a larger dataset on a CPU."""
    work = len(data.trainval) * data.feature_dim
    if data.device.type != "cpu" or work <= SHAPES_WORK:
        return TrainingBudget(1.0, "training: the full schedules")
    scale = SHAPES_WORK / work
    return TrainingBudget(
        scale,
        f"training: {data.name} on a CPU is {work / SHAPES_WORK:.0f}x SHAPES' work per epoch, so every training runs "
        f"{scale:.2g} of its epochs (at least 1); on a GPU or SHAPES, the full schedules",
    )
