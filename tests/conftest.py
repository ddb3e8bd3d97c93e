"""Shared fixtures: a tiny dataset in the xlsa17 layout, and the real xlsa17 split files when present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zsl_utils.data import save_xlsa17

SHARED_XLSA17 = Path(__file__).resolve().parents[2] / "shared" / "data" / "xlsa17"


def tiny_xlsa17_arrays(seed: int = 0) -> dict:
    """6 classes x 10 images: classes 0, 1 train, 2, 3 val, 4, 5 unseen; 2 images per seen class in test_seen.

    ``train``/``val`` follow xlsa17's own semantics: every image of their classes, test_seen included.
    """
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(6), 10)
    features = rng.normal(size=(60, 8)).astype(np.float32) + labels[:, None]
    test_seen = np.array([i for c in range(4) for i in (10 * c, 10 * c + 1)])
    seen_images = np.arange(40)
    splits = {
        "trainval": np.setdiff1d(seen_images, test_seen),
        "test_seen": test_seen,
        "test_unseen": np.arange(40, 60),
        "train": np.arange(0, 20),
        "val": np.arange(20, 40),
    }
    att = rng.uniform(size=(6, 5))
    return {
        "features": features,
        "labels": labels,
        "class_names": ["grizzly+bear", "killer+whale", "zebra", "horse", "dolphin", "tiger"],
        "att": att / np.linalg.norm(att, axis=1, keepdims=True),
        "original_att": att * 100,
        "splits": splits,
        "image_files": [f"img_{i:03d}.jpg" for i in range(60)],
    }


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "TINY"
    save_xlsa17(folder, **tiny_xlsa17_arrays())
    return folder


@pytest.fixture
def shared_xlsa17() -> Path:
    if not SHARED_XLSA17.is_dir():
        pytest.skip("../shared/data/xlsa17 is absent (a user's clone)")
    return SHARED_XLSA17
