"""benchmarks/make_awa2_size.py: synthetic features of a real benchmark's size next to its real split file."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from zsl_course.cli import main
from zsl_utils.data import load_dataset
from zsl_utils.selection import select_and_train

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "make_awa2_size.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("make_awa2_size", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labels_follow_the_split_in_contiguous_runs(script):
    splits = {"train": np.array([5, 0, 1, 2, 3, 4]), "val": np.array([6, 7, 8]), "test_unseen": np.array([11, 9, 10])}
    labels = script.synthetic_labels(splits, (2, 1, 1), seed=0)
    ids = np.random.default_rng(0).permutation(4)
    np.testing.assert_array_equal(labels, [ids[0]] * 3 + [ids[1]] * 3 + [ids[2]] * 3 + [ids[3]] * 3)
    with pytest.raises(ValueError, match="1 images are in none"):
        script.synthetic_labels({**splits, "val": np.array([6, 7])}, (2, 1, 1), seed=0)


def test_features_are_seeded_class_structured_and_non_negative(script):
    labels = np.repeat(np.arange(4), 50)
    att = np.random.default_rng(1).uniform(size=(4, 6))
    features = script.synthetic_features(labels, att, dim=16, seed=3)
    assert features.shape == (200, 16) and features.dtype == np.float32 and features.min() >= 0
    np.testing.assert_array_equal(features, script.synthetic_features(labels, att, dim=16, seed=3))
    assert not np.array_equal(features, script.synthetic_features(labels, att, dim=16, seed=4))
    means = np.stack([features[labels == c].mean(axis=0) for c in range(4)])
    spread = np.linalg.norm(means[:, None] - means[None], axis=-1)[np.triu_indices(4, 1)]
    assert spread.min() > 1.0  # class means stand apart from the per-image noise's error of the mean (~0.14)


def test_awa2_size_folder_loads_and_is_learnable(shared_xlsa17: Path, tmp_path: Path, capsys):
    """The script at AWA2's 37,322 images with 32-d features: the course loads it with the defaults, and ESZSL
    chosen on the validation classes beats chance on them by far."""
    run = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(tmp_path),
            "--split-file",
            str(shared_xlsa17 / "AWA2" / "att_splits.mat"),
            "--dim",
            "32",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"ZSL_DATA_ROOT={tmp_path} ZSL_DATASET=AWA2 zsl-course run" in run.stdout
    data = load_dataset("AWA2", root=tmp_path)
    assert data.features.shape == (37322, 32)
    assert (len(data.trainval), len(data.test_seen), len(data.test_unseen)) == (23527, 5882, 7913)
    assert (len(data.train_classes), len(data.val_classes), len(data.unseen_classes)) == (27, 13, 10)
    assert data.semantic("glove50").shape == (50, 50)
    _, result = select_and_train("eszsl", data)
    assert result.val_zsl > 3 / len(data.val_classes)
    assert main(["datasets", "--root", str(tmp_path)]) == 0
    assert any("AWA2" in line and "present" in line for line in capsys.readouterr().out.splitlines())


def test_missing_split_file_is_named(tmp_path: Path):
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--split-file", str(tmp_path / "nope.mat")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "nope.mat not found" in run.stderr
