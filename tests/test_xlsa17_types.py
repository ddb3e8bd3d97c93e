"""The files the course writes are true xlsa17: the real files' fields, orientations and integer types, so public
ZSL code that indexes with ``labels`` and ``*_loc`` directly runs on them unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io

from conftest import tiny_xlsa17_arrays
from zsl_utils.data import _strings, dataset_folder, load_xlsa17, save_xlsa17

LOCS = ("trainval_loc", "test_seen_loc", "test_unseen_loc", "train_loc", "val_loc")


def public_code_reads(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per split, what public xlsa17 code computes (as mvp18/Popular-ZSL-Algorithms' ESZSL does): features of the
    split's images ``(d, n)``, their 1-based labels ``(n,)`` and their classes' attributes ``(k, n)``, by raw numpy
    indexing with the stored integers, without any cast."""
    res = scipy.io.loadmat(folder / "res101.mat")
    splits = scipy.io.loadmat(folder / "att_splits.mat")
    features, labels, att = res["features"], res["labels"], splits["att"]
    reads = {}
    for key in LOCS:
        loc = np.squeeze(splits[key] - 1)
        image_labels = np.squeeze(labels[loc])
        reads[key] = (features[:, loc], image_labels, att[:, image_labels - 1])
    return reads


def check_public_reads(folder: Path) -> None:
    """Public code's reads agree with the loader's: the same images, labels and class attributes per split."""
    data = load_xlsa17(folder)
    splits = scipy.io.loadmat(folder / "att_splits.mat")
    for key, (features, labels, att) in public_code_reads(folder).items():
        images = splits[key].astype(np.int64).ravel() - 1  # the loader's own reading, with a cast
        np.testing.assert_array_equal(features.T, data.features.numpy()[images])
        np.testing.assert_array_equal(labels.astype(np.int64) - 1, data.labels.numpy()[images])
        np.testing.assert_allclose(att.T, data.semantic("attributes").numpy()[labels - 1], rtol=1e-6)


def test_save_writes_integer_labels_and_locations(tmp_path: Path):
    arrays = tiny_xlsa17_arrays()
    save_xlsa17(tmp_path, **arrays)
    res = scipy.io.loadmat(tmp_path / "res101.mat")
    splits = scipy.io.loadmat(tmp_path / "att_splits.mat")
    assert res["labels"].dtype == np.uint8 and res["labels"].shape == (60, 1)
    assert res["features"].shape == (8, 60)
    for key in LOCS:
        assert splits[key].dtype == np.uint8 and splits[key].shape[1] == 1  # 60 images fit a uint8
    assert splits["att"].dtype == splits["original_att"].dtype == np.float64 and splits["att"].shape == (5, 6)
    check_public_reads(tmp_path)


@pytest.mark.parametrize(
    "n_images, n_classes, loc_type, label_type", [(300, 256, np.uint16, np.uint16), (70_000, 3, np.uint32, np.uint8)]
)
def test_integer_type_grows_with_the_largest_index(tmp_path: Path, n_images, n_classes, loc_type, label_type):
    labels = np.arange(n_images) % n_classes
    everything = np.arange(n_images)
    splits = {
        "trainval": everything[:1],
        "test_seen": everything[1:2],
        "test_unseen": everything[2:],
        "train": everything[:2],
        "val": everything[:0],
    }
    att = np.eye(n_classes, 4)
    save_xlsa17(tmp_path, np.zeros((n_images, 1)), labels, [f"c{i}" for i in range(n_classes)], att, att, splits)
    res, mat = scipy.io.loadmat(tmp_path / "res101.mat"), scipy.io.loadmat(tmp_path / "att_splits.mat")
    assert res["labels"].dtype == label_type and mat["test_unseen_loc"].dtype == loc_type
    assert int(res["labels"].max()) == n_classes and int(mat["test_unseen_loc"].max()) == n_images
    assert mat["val_loc"].shape == (0, 1)


def test_float_locations_break_public_code(tmp_path: Path):
    """The check can fail: the float64 indices the course wrote before are refused by numpy indexing."""
    save_xlsa17(tmp_path, **tiny_xlsa17_arrays())
    splits = scipy.io.loadmat(tmp_path / "att_splits.mat")
    content = {
        k: v.astype(np.float64) if k.endswith("_loc") else v for k, v in splits.items() if not k.startswith("__")
    }
    scipy.io.savemat(tmp_path / "att_splits.mat", content)
    with pytest.raises(IndexError, match="integer"):
        public_code_reads(tmp_path)


def test_committed_shapes_files_are_true_xlsa17():
    folder = dataset_folder("SHAPES")
    res = scipy.io.loadmat(folder / "res101.mat")
    splits = scipy.io.loadmat(folder / "att_splits.mat")
    assert res["labels"].dtype == np.uint8  # 64 classes
    assert all(splits[key].dtype == np.uint16 for key in LOCS)  # 7,680 images
    assert res["features"].dtype == np.float32 and res["features"].shape == (128, 7680)
    check_public_reads(folder)


def test_written_real_split_file_matches_the_real_one(shared_xlsa17: Path, tmp_path: Path):
    """The real AWA2 att_splits.mat written back through save_xlsa17 has its exact fields, types, shapes and values."""
    real = scipy.io.loadmat(shared_xlsa17 / "AWA2" / "att_splits.mat")
    n_images = 1 + max(int(real[key].max()) for key in LOCS)
    splits = {key.removesuffix("_loc"): real[key].astype(np.int64).ravel() - 1 for key in LOCS}
    labels = np.zeros(n_images, dtype=np.int64)
    save_xlsa17(
        tmp_path,
        np.zeros((n_images, 1)),
        labels,
        _strings(real["allclasses_names"]),
        real["att"].T,
        real["original_att"].T,
        splits,
    )
    written = scipy.io.loadmat(tmp_path / "att_splits.mat")
    fields = sorted(key for key in real if not key.startswith("__"))
    assert sorted(key for key in written if not key.startswith("__")) == fields
    for key in fields:
        assert written[key].dtype == real[key].dtype and written[key].shape == real[key].shape, key
        if key == "allclasses_names":
            assert _strings(written[key]) == _strings(real[key])
        else:
            np.testing.assert_array_equal(written[key], real[key])
