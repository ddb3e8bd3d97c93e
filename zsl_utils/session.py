"""A notebook's set-up in one call: the device, the seed, the dataset, the training budget and torch's threads."""

from __future__ import annotations

from typing import NamedTuple

import torch

from .budget import TrainingBudget, training_budget
from .data import course_dataset
from .dataset import ZSLDataset
from .utils import get_device, set_seed

__all__ = ["NotebookSetup", "start_notebook", "set_threads"]


class NotebookSetup(NamedTuple):
    """What every notebook starts from: ``device, data, budget = start_notebook()``."""

    device: torch.device
    data: ZSLDataset
    budget: TrainingBudget


def set_threads(budget: TrainingBudget, device: torch.device) -> None:
    """One torch thread on a CPU when the budget runs the full schedules (SHAPES' size or smaller): the course's
    models are small, and several threads then spend more time synchronising than computing. A larger dataset on a
    CPU (budget scale < 1) keeps every thread for its large matrix products (ESZSL's X^T X is 2,048 x 2,048 at AWA2
    size); on a GPU the threads are left as they are."""
    if device.type == "cpu" and budget.scale >= 1:
        torch.set_num_threads(1)


def start_notebook(seed: int = 0) -> NotebookSetup:
    """The device (``get_device()``), the seed (``set_seed(seed)``), the dataset (``course_dataset``:
    ``$ZSL_DATASET``, default SHAPES) on that device, its training budget (``zsl_utils.budget``) and torch's
    threads (:func:`set_threads`); prints one line saying all of them."""
    device = get_device()
    set_seed(seed)
    data = course_dataset(device)
    budget = training_budget(data)
    set_threads(budget, device)
    count = torch.get_num_threads()
    threads = f", {count} CPU thread{'s' if count > 1 else ''}" if device.type == "cpu" else ""
    print(f"{data.name} on {device}{threads}, seed {seed}; {budget}")
    return NotebookSetup(device, data, budget)
