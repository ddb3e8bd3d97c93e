"""Every class of the five xlsa17 benchmarks gets a GloVe-50d vector by default, every word of its name known.

Class lists: AWA1, AWA2 and SUN from the real att_splits.mat in ``../shared`` (skipped when absent); CUB's 200 and
aPY's 32 from ``tests/data``: the public class lists in the xlsa17 spelling (CUB-200-2011's class folder names, as
in its ``classes.txt``, ``141.Artic_Tern`` included; aPY's 20 PASCAL VOC and 12 Yahoo classes).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch

from conftest import SHARED_XLSA17
from zsl_utils.data import XLSA17_DATASETS, load_dataset, save_xlsa17
from zsl_utils.errors import ZSLDataError
from zsl_utils.semantic import DATASET_SYNONYMS, class_name_vectors, glove50, normalise_class_name

DATA = Path(__file__).resolve().parent / "data"
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def class_lists() -> dict[str, list[str]]:
    """The class names of the five benchmarks (those from ../shared only when it is there)."""
    lists = {name: (DATA / f"{name.lower()}_classes.txt").read_text().split() for name in ("CUB", "APY")}
    for name in ("AWA1", "AWA2", "SUN"):
        path = SHARED_XLSA17 / name / "att_splits.mat"
        if path.is_file():
            cell = scipy.io.loadmat(path, variable_names=["allclasses_names"])["allclasses_names"]
            lists[name] = [str(item[0][0]) for item in cell]
    return lists


def _names(class_lists: dict[str, list[str]], dataset: str) -> list[str]:
    if dataset not in class_lists:
        pytest.skip(f"../shared/data/xlsa17/{dataset} is absent (a user's clone)")
    return class_lists[dataset]


def test_public_class_lists():
    cub = (DATA / "cub_classes.txt").read_text().split()
    assert [name[:4] for name in cub] == [f"{i:03d}." for i in range(1, 201)]
    assert len(set(cub)) == 200 and cub[0] == "001.Black_footed_Albatross" and cub[-1] == "200.Common_Yellowthroat"
    assert all(re.fullmatch(r"\d{3}\.[A-Z][A-Za-z]*(_[A-Za-z]+)*", name) for name in cub)
    apy = (DATA / "apy_classes.txt").read_text().split()
    assert len(set(apy)) == 32 and apy[:3] == ["aeroplane", "bicycle", "bird"] and apy[-1] == "carriage"


@pytest.mark.parametrize("dataset", XLSA17_DATASETS)
def test_every_class_gets_a_vector_from_known_words(class_lists, dataset: str):
    names = _names(class_lists, dataset)
    vectors, oov = class_name_vectors(names, glove50(), DATASET_SYNONYMS[dataset])
    assert vectors.shape == (len(names), 50) and torch.isfinite(vectors).all()
    torch.testing.assert_close(vectors.norm(dim=1), torch.ones(len(names)))
    assert oov == {}  # no word of any (replaced) name is dropped
    cosine = vectors @ vectors.T - 2 * torch.eye(len(names))
    assert cosine.max() < 0.999  # no two classes share a vector: the replacements keep classes apart


@pytest.mark.parametrize(
    "dataset, unknown",
    [("CUB", ["103.Sayornis", "110.Geococcyx"]), ("APY", ["diningtable", "pottedplant", "tvmonitor"])],
)
def test_without_the_map_these_classes_have_no_vector(class_lists, dataset: str, unknown: list[str]):
    with pytest.raises(ZSLDataError) as error:
        class_name_vectors(class_lists[dataset], glove50())
    assert all(repr(name) in str(error.value) for name in unknown)
    assert "DATASET_SYNONYMS" in str(error.value)


@pytest.mark.parametrize("dataset", XLSA17_DATASETS)
def test_every_synonym_names_a_class(class_lists, dataset: str):
    """No stale entry: each key is a class name of its dataset (as written, or normalised)."""
    names = _names(class_lists, dataset)
    known = set(names) | {normalise_class_name(name) for name in names}
    assert set(DATASET_SYNONYMS[dataset]) <= known


@pytest.mark.parametrize("dataset", XLSA17_DATASETS)
def test_load_dataset_applies_the_map_by_default(class_lists, tmp_path: Path, dataset: str):
    """Each benchmark loads with the defaults, word vectors included, from a small folder with its real class names."""
    names = _names(class_lists, dataset)
    labels = np.repeat(np.arange(len(names)), 2)
    images = np.arange(labels.size)
    splits = {"trainval": images[0::2][:-2], "test_seen": images[1::2][:-2], "test_unseen": images[-4:]}
    half = 2 * ((len(names) - 2) // 2)  # the first half of the seen classes' images are the train classes'
    splits |= {"train": images[:half], "val": images[half:-4]}
    att = np.eye(len(names), 3)
    features = np.random.default_rng(0).standard_normal((labels.size, 2))  # not constant: the loader refuses that
    save_xlsa17(tmp_path / "xlsa17" / "data" / dataset, features, labels, names, att, att, splits)
    data = load_dataset(dataset, root=tmp_path)
    expected, _ = class_name_vectors(names, glove50(), DATASET_SYNONYMS[dataset])
    torch.testing.assert_close(data.semantic("glove50"), expected)


def test_readme_lists_every_replaced_class():
    """The README's table of replaced class names is the synonym maps, entry for entry."""
    rows = re.findall(r"^\| (AWA1/AWA2|CUB|APY|SUN) \| `([^`]+)` \| (.+?) \|$", README.read_text(), flags=re.MULTILINE)
    listed = {(dataset, name, text) for dataset, name, text in rows}
    maps = {
        "AWA1/AWA2": DATASET_SYNONYMS["AWA2"],
        "CUB": DATASET_SYNONYMS["CUB"],
        "APY": DATASET_SYNONYMS["APY"],
        "SUN": DATASET_SYNONYMS["SUN"],
    }
    assert listed == {(dataset, name, text) for dataset, entries in maps.items() for name, text in entries.items()}
    assert DATASET_SYNONYMS["AWA1"] is DATASET_SYNONYMS["AWA2"]
