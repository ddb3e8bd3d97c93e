"""The xlsa17 loader, the dataset registry and their errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch

import zsl_utils.data as data_module
from conftest import tiny_xlsa17_arrays
from zsl_utils.data import (
    FILE_SEMANTICS,
    course_data,
    dataset_folder,
    dataset_names,
    default_root,
    embedded_folders,
    load_dataset,
    load_xlsa17,
    save_xlsa17,
)
from zsl_utils.errors import ZSLDataError


def test_tiny_dataset_round_trip(tiny_folder: Path):
    data = load_xlsa17(tiny_folder)
    arrays = tiny_xlsa17_arrays()
    assert data.name == "TINY"
    assert data.features.dtype == torch.float32 and data.features.shape == (60, 8)
    assert data.labels.dtype == torch.int64
    assert torch.equal(data.labels, torch.from_numpy(arrays["labels"]))
    np.testing.assert_allclose(data.features.numpy(), arrays["features"])
    assert data.class_names[0] == "grizzly+bear"
    np.testing.assert_allclose(data.semantics["attributes"].numpy(), arrays["att"], rtol=1e-6)
    np.testing.assert_allclose(data.semantics["original_attributes"].numpy(), arrays["original_att"], rtol=1e-6)
    assert tuple(data.semantics) == FILE_SEMANTICS  # no word vectors asked for: only the file's own kinds
    assert data.image_files[3] == "img_003.jpg"
    assert data.seen_classes.tolist() == [0, 1, 2, 3]
    assert data.unseen_classes.tolist() == [4, 5]
    assert data.train_classes.tolist() == [0, 1]
    assert data.val_classes.tolist() == [2, 3]


def test_train_and_val_exclude_test_seen_images(tiny_folder: Path):
    data = load_xlsa17(tiny_folder)
    test_seen = set(data.test_seen.tolist())
    assert not test_seen & set(data.train.tolist())
    assert not test_seen & set(data.val.tolist())
    assert sorted(data.train.tolist() + data.val.tolist()) == sorted(data.trainval.tolist())
    assert len(data.train) == 16 and len(data.val) == 16


def test_split_accessor_and_summary(tiny_folder: Path, capsys):
    data = load_xlsa17(tiny_folder)
    features, labels = data.split("test_unseen")
    assert features.shape == (20, 8) and set(labels.tolist()) == {4, 5}
    with pytest.raises(KeyError, match="valid splits"):
        data.split("test")
    text = data.summary()
    assert "60 images, 6 classes" in text and "test_seen 8" in text
    assert text in capsys.readouterr().out
    assert data.to("cpu").features.device.type == "cpu"


def _rewrite_splits(folder: Path, drop: tuple[str, ...] = (), **changes) -> None:
    mat = scipy.io.loadmat(folder / "att_splits.mat")
    content = {k: v for k, v in mat.items() if not k.startswith("__") and k not in drop}
    content.update(changes)
    scipy.io.savemat(folder / "att_splits.mat", content)


def test_missing_train_val_locs_rebuilt_from_class_lists(tiny_folder: Path):
    _rewrite_splits(tiny_folder, drop=("train_loc", "val_loc"))
    with pytest.raises(ZSLDataError, match="trainclasses1.txt"):
        load_xlsa17(tiny_folder)
    (tiny_folder / "trainclasses1.txt").write_text("grizzly+bear\nkiller+whale\n")
    (tiny_folder / "valclasses1.txt").write_text("zebra\nhorse\n")
    data = load_xlsa17(tiny_folder)
    expected = load_xlsa17(tiny_folder.parent / "TINY")
    assert data.train_classes.tolist() == [0, 1] and data.val_classes.tolist() == [2, 3]
    assert torch.equal(data.train, expected.train)
    assert not set(data.test_seen.tolist()) & set(data.train.tolist())


def test_missing_class_names_get_numbered_names(tiny_folder: Path):
    _rewrite_splits(tiny_folder, drop=("allclasses_names",))
    data = load_xlsa17(tiny_folder)
    assert data.class_names == [f"class_{i:03d}" for i in range(6)]


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(ZSLDataError) as error:
        load_dataset("AWA3")
    for name in dataset_names():
        assert name in str(error.value)


def test_missing_download_names_the_command(tmp_path: Path):
    with pytest.raises(ZSLDataError, match=r"zsl-course download CUB --root"):
        load_dataset("cub", root=tmp_path)


def test_missing_file_in_a_folder(tiny_folder: Path):
    (tiny_folder / "res101.mat").unlink()
    with pytest.raises(ZSLDataError, match="missing file .*res101.mat"):
        load_xlsa17(tiny_folder)


def test_truncated_mat_file(tiny_folder: Path):
    path = tiny_folder / "res101.mat"
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ZSLDataError, match="truncated or corrupt"):
        load_xlsa17(tiny_folder)


def _save(folder: Path, **changes) -> Path:
    arrays = tiny_xlsa17_arrays()
    arrays.update(changes)
    save_xlsa17(folder, **arrays)
    return folder


def test_feature_label_count_mismatch(tmp_path: Path):
    arrays = tiny_xlsa17_arrays()
    folder = _save(tmp_path / "X")
    scipy.io.savemat(
        folder / "res101.mat", {"features": arrays["features"][:59].T, "labels": arrays["labels"][:, None] + 1}
    )
    with pytest.raises(ZSLDataError, match="59 images .* labels has 60"):
        load_xlsa17(folder)


def test_nan_and_inf_features(tmp_path: Path):
    features = tiny_xlsa17_arrays()["features"].copy()
    features[7, 2] = np.nan
    features[9, 0] = np.inf
    with pytest.raises(ZSLDataError, match=r"NaN or Inf in 2 images \(first: \[7, 9\]\)"):
        load_xlsa17(_save(tmp_path / "X", features=features))


def test_locs_out_of_range(tiny_folder: Path):
    _rewrite_splits(tiny_folder, test_unseen_loc=np.array([[41.0], [61.0]]))
    with pytest.raises(ZSLDataError, match="test_unseen_loc holds indices in"):
        load_xlsa17(tiny_folder)


def test_semantic_dimension_mismatch(tmp_path: Path):
    arrays = tiny_xlsa17_arrays()
    folder = _save(
        tmp_path / "X",
        att=arrays["att"][:5],
        original_att=arrays["original_att"][:5],
        class_names=arrays["class_names"][:5],
    )
    with pytest.raises(ZSLDataError, match="att has 5 classes"):
        load_xlsa17(folder)


def test_class_name_count_mismatch(tmp_path: Path):
    folder = _save(tmp_path / "X", class_names=tiny_xlsa17_arrays()["class_names"][:4])
    with pytest.raises(ZSLDataError, match="4 class names but att has 6"):
        load_xlsa17(folder)


def test_overlapping_seen_and_unseen_classes(tiny_folder: Path):
    _rewrite_splits(tiny_folder, test_unseen_loc=np.arange(30, 61, dtype=float)[:, None])
    with pytest.raises(ZSLDataError, match="both seen and unseen"):
        load_xlsa17(tiny_folder)


def test_save_leaves_no_temporary_files(tiny_folder: Path):
    assert sorted(p.name for p in tiny_folder.iterdir()) == ["att_splits.mat", "res101.mat"]


def test_word_vector_semantics_from_class_names(tiny_folder: Path):
    data = load_xlsa17(tiny_folder, word_vectors=("glove50",))
    glove = data.semantics["glove50"]
    assert glove.shape == (6, 50)
    torch.testing.assert_close(glove.norm(dim=1), torch.ones(6))


@pytest.mark.parametrize(
    "name, counts", [("AWA1", (19832, 4958, 5685)), ("AWA2", (23527, 5882, 7913)), ("SUN", (10320, 2580, 1440))]
)
def test_real_split_files(shared_xlsa17: Path, tmp_path: Path, name: str, counts: tuple[int, int, int]):
    """The real att_splits.mat with synthetic features: train/val never hold a test_seen image."""
    splits = scipy.io.loadmat(shared_xlsa17 / name / "att_splits.mat")
    locs = {
        key: splits[key].astype(np.int64).ravel() - 1
        for key in ("trainval_loc", "test_seen_loc", "test_unseen_loc", "train_loc", "val_loc")
    }
    # The quirk: train_loc + val_loc = trainval_loc + test_seen_loc.
    assert set(locs["train_loc"]) | set(locs["val_loc"]) == set(locs["trainval_loc"]) | set(locs["test_seen_loc"])
    n_images = 1 + max(int(loc.max()) for loc in locs.values())
    n_classes = splits["att"].shape[1]
    # Labels consistent with the split: train-loc images in the first classes, val-loc next, unseen last.
    n_unseen = {"AWA1": 10, "AWA2": 10, "SUN": 72}[name]
    n_val = {"AWA1": 13, "AWA2": 13, "SUN": 65}[name]
    n_train = n_classes - n_unseen - n_val
    labels = np.zeros(n_images, dtype=np.int64)
    labels[locs["train_loc"]] = np.arange(locs["train_loc"].size) % n_train
    labels[locs["val_loc"]] = n_train + np.arange(locs["val_loc"].size) % n_val
    labels[locs["test_unseen_loc"]] = n_train + n_val + np.arange(locs["test_unseen_loc"].size) % n_unseen
    folder = tmp_path / name
    folder.mkdir()
    (folder / "att_splits.mat").write_bytes((shared_xlsa17 / name / "att_splits.mat").read_bytes())
    features = np.random.default_rng(0).standard_normal((2, n_images)).astype(np.float32)  # not constant
    scipy.io.savemat(folder / "res101.mat", {"features": features, "labels": labels[:, None] + 1})

    data = load_xlsa17(folder)
    assert (len(data.trainval), len(data.test_seen), len(data.test_unseen)) == counts
    assert not set(data.test_seen.tolist()) & (set(data.train.tolist()) | set(data.val.tolist()))
    assert sorted(data.train.tolist() + data.val.tolist()) == sorted(data.trainval.tolist())
    assert data.semantics["attributes"].shape[0] == n_classes
    assert len(data.seen_classes) + len(data.unseen_classes) == n_classes


# Every promise of the format and the split is checked once at load time: each broken one is a ZSLDataError that
# names the file, the problem and the fix.


def test_nan_in_att_names_the_class(tmp_path: Path):
    att = tiny_xlsa17_arrays()["att"].copy()
    att[2, 1] = np.nan
    with pytest.raises(ZSLDataError, match=r"att holds NaN or Inf for 1 classes \(first: \['zebra'\]\)"):
        load_xlsa17(_save(tmp_path / "X", att=att))


def test_original_att_keeps_its_missing_marker_and_rejects_the_rest(tmp_path: Path):
    original = tiny_xlsa17_arrays()["original_att"].copy()
    original[0, 0] = -1  # xlsa17's "missing": accepted
    data = load_xlsa17(_save(tmp_path / "ok", original_att=original))
    assert float(data.semantics["original_attributes"][0, 0]) == -1.0
    original[1, 1] = np.inf
    with pytest.raises(
        ZSLDataError, match=r"original_att holds NaN or Inf for 1 classes \(first: \['killer\+whale'\]\)"
    ):
        load_xlsa17(_save(tmp_path / "inf", original_att=original))
    original[1, 1] = -3.0
    with pytest.raises(ZSLDataError, match=r"original_att must be -1 \(missing\) or lie in \[0, 100\], got \[-3.0\]"):
        load_xlsa17(_save(tmp_path / "negative", original_att=original))


def test_test_seen_image_of_an_unseen_class(tiny_folder: Path):
    test_seen = np.array([0, 1, 10, 11, 20, 21, 30, 31, 45]) + 1.0  # image 45 is of class 4, an unseen class
    _rewrite_splits(tiny_folder, test_seen_loc=test_seen[:, None])
    with pytest.raises(
        ZSLDataError, match=r"test_seen_loc holds images of 1 classes that have no trainval image \(\['dolphin'\]\)"
    ):
        load_xlsa17(tiny_folder)


def test_truncated_regions_file(tiny_folder: Path):
    regions = np.ones((60, 4, 3), dtype=np.float16)
    np.save(tiny_folder / "regions.npy", regions)
    assert load_xlsa17(tiny_folder).regions.shape == (60, 4, 3)
    path = tiny_folder / "regions.npy"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ZSLDataError, match=r"cannot read .*regions.npy .*truncated or corrupt.*build-shapes"):
        load_xlsa17(tiny_folder)


def test_nan_regions_and_wrongly_shaped_regions(tiny_folder: Path):
    regions = np.ones((60, 4, 3), dtype=np.float16)
    regions[5, 2, 1] = np.nan
    np.save(tiny_folder / "regions.npy", regions)
    with pytest.raises(ZSLDataError, match=r"regions.npy: NaN or Inf in 1 images \(first: \[5\]\)"):
        load_xlsa17(tiny_folder)
    np.save(tiny_folder / "regions.npy", np.ones((60, 12), dtype=np.float16))
    with pytest.raises(ZSLDataError, match=r"regions.npy has shape \(60, 12\), not \(N, R, d_r\)"):
        load_xlsa17(tiny_folder)


def test_labels_that_are_not_whole_numbers(tmp_path: Path):
    arrays = tiny_xlsa17_arrays()
    folder = _save(tmp_path / "X")
    labels = arrays["labels"][:, None] + 1.0
    labels[3] = 1.5
    scipy.io.savemat(folder / "res101.mat", {"features": arrays["features"].T, "labels": labels})
    with pytest.raises(ZSLDataError, match=r"labels must hold whole numbers \(1-based ids\), got e.g. \[1.5\]"):
        load_xlsa17(folder)


def test_features_of_the_wrong_type(tmp_path: Path):
    arrays = tiny_xlsa17_arrays()
    folder = _save(tmp_path / "X")
    scipy.io.savemat(
        folder / "res101.mat", {"features": np.array(["abc"] * 60), "labels": arrays["labels"][:, None] + 1}
    )
    with pytest.raises(ZSLDataError, match=r"features must be a 2-D real numeric matrix, got <U"):
        load_xlsa17(folder)


def test_a_split_listing_an_image_twice_or_no_image(tiny_folder: Path):
    _rewrite_splits(tiny_folder, test_unseen_loc=np.array([41.0, 41.0, 42.0])[:, None])
    with pytest.raises(ZSLDataError, match="test_unseen_loc lists 1 images twice"):
        load_xlsa17(tiny_folder)
    _rewrite_splits(
        tiny_folder, test_unseen_loc=np.arange(41, 61, dtype=float)[:, None], test_seen_loc=np.zeros((0, 1))
    )
    with pytest.raises(ZSLDataError, match="test_seen_loc selects no image"):
        load_xlsa17(tiny_folder)


def test_train_and_val_classes_must_partition_the_seen_classes(tiny_folder: Path):
    _rewrite_splits(tiny_folder, val_loc=np.arange(11, 41, dtype=float)[:, None])  # class 1 in both train and val
    with pytest.raises(ZSLDataError, match=r"classes \['killer\+whale'\] are in both train_loc and val_loc"):
        load_xlsa17(tiny_folder)
    _rewrite_splits(tiny_folder, val_loc=np.arange(21, 31, dtype=float)[:, None])  # class 3 in neither
    with pytest.raises(ZSLDataError, match=r"seen classes \['horse'\] are in neither train_loc nor val_loc"):
        load_xlsa17(tiny_folder)


def test_repeated_class_names_and_image_file_count(tmp_path: Path):
    names = tiny_xlsa17_arrays()["class_names"]
    with pytest.raises(ZSLDataError, match=r"allclasses_names repeats \['zebra'\]"):
        load_xlsa17(_save(tmp_path / "names", class_names=names[:3] + ["zebra"] + names[4:]))
    with pytest.raises(ZSLDataError, match="59 image_files for 60 images"):
        load_xlsa17(_save(tmp_path / "files", image_files=[f"img_{i}.jpg" for i in range(59)]))


# Where SHAPES is looked for: ROOT/SHAPES when a root is given (argument or $ZSL_DATA_ROOT) and holds that folder,
# else the package's copy; an incomplete chosen folder is an error naming every place looked in.


def _write_tiny(folder: Path) -> None:
    save_xlsa17(folder, **tiny_xlsa17_arrays())


def test_shapes_under_zsl_data_root_comes_before_the_packages_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _write_tiny(tmp_path / "SHAPES")
    monkeypatch.setenv("ZSL_DATA_ROOT", str(tmp_path))
    assert dataset_folder("SHAPES") == tmp_path / "SHAPES"
    assert embedded_folders("SHAPES") == [tmp_path / "SHAPES", course_data("SHAPES")]
    data = load_dataset("SHAPES", word_vectors=())
    assert data.name == "SHAPES" and data.features.shape == (60, 8)  # the tiny copy, not the package's 7,680 images


def test_shapes_falls_back_to_the_packages_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZSL_DATA_ROOT", str(tmp_path))  # a root for the benchmarks, without a SHAPES folder
    assert dataset_folder("SHAPES") == course_data("SHAPES")
    monkeypatch.delenv("ZSL_DATA_ROOT")
    assert embedded_folders("SHAPES") == [course_data("SHAPES")]
    assert load_dataset("SHAPES", word_vectors=()).features.shape[0] == 7680


def test_an_incomplete_shapes_folder_is_an_error_naming_where_it_looked(tmp_path: Path):
    (tmp_path / "SHAPES").mkdir()
    with pytest.raises(ZSLDataError) as error:
        load_dataset("SHAPES", root=tmp_path, word_vectors=())
    message = str(error.value)
    assert f"{tmp_path / 'SHAPES'} lacks res101.mat and att_splits.mat" in message
    assert f"looked in, in order: {tmp_path / 'SHAPES'} (exists); {course_data('SHAPES')} (exists)" in message
    assert "or remove it to use the package's copy" in message


def test_a_package_without_its_shapes_copy_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ZSL_DATA_ROOT", raising=False)
    monkeypatch.setattr(data_module, "course_data", lambda *parts: tmp_path.joinpath("site-packages", *parts))
    with pytest.raises(ZSLDataError, match=r"looked in, in order: .*SHAPES \(absent\); reinstall zsl-course"):
        load_dataset("SHAPES", word_vectors=())


def test_default_root_is_the_repository_data_folder_or_the_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ZSL_DATA_ROOT", raising=False)
    assert default_root() == course_data() == Path(__file__).resolve().parents[1] / "data"  # this source checkout
    monkeypatch.setattr(data_module, "_CHECKOUT", None)  # a wheel install
    assert course_data("SHAPES") == Path(data_module.__file__).resolve().parent / "course_data" / "SHAPES"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_root() == tmp_path / "cache" / "zsl-course"
    monkeypatch.setenv("ZSL_DATA_ROOT", str(tmp_path / "elsewhere"))
    assert default_root() == tmp_path / "elsewhere"
