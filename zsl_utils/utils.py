"""Seeds and devices: the one place that decides how runs are made reproducible and where tensors live."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["set_seed", "get_device"]


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and torch (every device); on CPU a fixed seed gives identical runs.

    With ``deterministic`` torch is asked for deterministic kernels where it has them (``warn_only`` so that a
    CUDA op without a deterministic version still runs).
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def get_device(prefer: str | None = None) -> torch.device:
    """The device to train on: ``prefer``, else ``$ZSL_DEVICE``, else CUDA, then Apple MPS, then CPU."""
    name = prefer or os.environ.get("ZSL_DEVICE")
    if name:
        device = torch.device(name)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"device {name!r} was asked for but CUDA is not available; unset ZSL_DEVICE or use 'cpu'")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError(f"device {name!r} was asked for but MPS is not available; unset ZSL_DEVICE or use 'cpu'")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
