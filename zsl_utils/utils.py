"""Seeds, devices, file writes and progress bars: the one place that decides how runs are made reproducible, where
tensors live, how a file is replaced without ever being seen half-written, and when a bar is drawn."""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

__all__ = ["set_seed", "get_device", "write_atomically", "progress_bar"]


def progress_bar(iterable: Iterable | None = None, enabled: bool = True, **options: Any) -> tqdm:
    """tqdm's automatic bar (a widget in Jupyter, text in a terminal) over ``iterable``, for anything a person waits
    on. ``enabled=False`` switches it off for this call; ``TQDM_DISABLE=1`` in the environment switches every bar off
    (CI, nbval, ``zsl-course run`` and its kernels set it). The variable is read here, at each call: Jupyter's bar
    ignores it, and tqdm's own reading happens once, at import."""
    off = not enabled or os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true", "yes")
    return tqdm(iterable, disable=off, **options)


def write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Create or replace ``path`` by ``write(temporary path)`` in the same folder, then a rename: an interruption
    leaves the old file (or none), never a half-written one."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and torch (every device); on CPU a fixed seed gives identical runs.

    With ``deterministic`` torch is asked for deterministic kernels where it has them (``warn_only`` so that a
    CUDA op without a deterministic version still runs). ``seed`` is an integer from 0 to 2**32 - 1 (NumPy's range).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to 2**32 - 1 (NumPy's range), got {seed!r}")
    seed = int(seed)  # a NumPy integer is no seed to Python's random
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def get_device(prefer: str | torch.device | None = None) -> torch.device:
    """The device to train on: ``prefer``, else ``$ZSL_DEVICE``, else CUDA, then Apple MPS, then CPU.

    A device that is not a torch device name, or is not present here, is a ValueError naming where it came from.
    """
    if prefer:
        return _checked_device(prefer, "the device asked for")
    if os.environ.get("ZSL_DEVICE"):
        return _checked_device(os.environ["ZSL_DEVICE"], "ZSL_DEVICE")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _checked_device(name: str | torch.device, source: str) -> torch.device:
    """``name`` as a torch device present on this machine; errors name ``source`` (e.g. ``ZSL_DEVICE``)."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as error:
        raise ValueError(
            f"{source} is {str(name)!r}, which is not a torch device; use cpu, cuda, cuda:1 or mps"
        ) from error
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{source} is {str(name)!r} but CUDA is not available here; use cpu")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(f"{source} is {str(name)!r} but this machine has {torch.cuda.device_count()} CUDA device(s)")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"{source} is {str(name)!r} but Apple MPS is not available here; use cpu")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"{source} is {str(name)!r}; the course runs on cpu, cuda or mps")
    return device
