"""Feature extraction over an image folder: shapes, xlsa17 layout and splits, determinism, and clear errors."""

from __future__ import annotations

import csv
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch
import torchvision
from PIL import Image

from zsl_utils.data import load_xlsa17
from zsl_utils.errors import DownloadError, ZSLDataError
from zsl_utils.features import BACKBONES, build_backbone, extract_features, gbu_split, read_attributes_csv

# CSV order differs from the sorted folder order: class ids must follow the CSV.
CLASSES = {
    "red_square": (220, 30, 30),
    "blue_square": (30, 30, 220),
    "red_circle": (220, 30, 30),
    "blue_circle": (30, 30, 220),
}
N_PER_CLASS = 5
ATTRIBUTES = ["red", "blue", "round"]


def _image(colour: tuple[int, int, int], round_: bool, rng: np.random.Generator) -> Image.Image:
    yy, xx = np.mgrid[:32, :32]
    cy, cx = rng.integers(12, 20, size=2)
    r = rng.integers(5, 10)
    mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2 if round_ else (abs(yy - cy) <= r) & (abs(xx - cx) <= r)
    pixels = np.full((32, 32, 3), 128, dtype=np.uint8)
    pixels[mask] = colour
    return Image.fromarray(pixels)


def _write_csv(path: Path, rows: dict[str, list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["class", *ATTRIBUTES])
        for name, values in rows.items():
            writer.writerow([name, *values])
    return path


def _att_rows() -> dict[str, list[object]]:
    return {
        name: [int(name.startswith("red")) * 90, int(name.startswith("blue")) * 80, 70 if "circle" in name else 5]
        for name in CLASSES
    }


def _make_dataset(root: Path) -> tuple[Path, Path]:
    images = root / "images"
    rng = np.random.default_rng(0)
    for name, colour in CLASSES.items():
        (images / name).mkdir(parents=True)
        for i in range(N_PER_CLASS):
            _image(colour, "circle" in name, rng).save(images / name / f"img_{i}.png")
    (images / name / "notes.txt").write_text("ignored: not an image")
    (images / ".ipynb_checkpoints").mkdir()
    return images, _write_csv(root / "attributes.csv", _att_rows())


def _extract(images: Path, csv_path: Path, out: Path, **kwargs) -> Path:
    options = dict(
        backbone="resnet18",
        weights=None,
        image_size=64,
        unseen_classes=["blue_circle"],
        val_classes=["red_circle"],
        batch_size=8,
        device="cpu",
        progress=False,
    )
    return extract_features(images, csv_path, out, **{**options, **kwargs})


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One intra-op thread: on a busy shared CPU, two OpenMP threads make these tiny convolutions ~30x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("features")
    images, csv_path = _make_dataset(root)
    return images, csv_path, _extract(images, csv_path, root / "out" / "MINE")


@pytest.fixture
def image_data(tmp_path: Path) -> tuple[Path, Path]:
    return _make_dataset(tmp_path)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_backbone_dims(name: str) -> None:
    with torch.device("meta"):
        model = build_backbone(name, weights=None)
        features = model(torch.empty(2, 3, 64, 64))
    assert features.shape == (2, BACKBONES[name])
    assert not model.training
    assert BACKBONES["resnet101"] == 2048


def test_layout_shapes_and_labels(extracted: tuple[Path, Path, Path]) -> None:
    images, _, out = extracted
    assert sorted(p.name for p in out.iterdir()) == ["att_splits.mat", "res101.mat"]
    assert [p.name for p in out.parent.iterdir()] == ["MINE"]  # no staging folder left behind
    data = load_xlsa17(out)
    assert data.features.shape == (len(CLASSES) * N_PER_CLASS, 512)
    assert torch.isfinite(data.features).all()
    assert data.class_names == list(CLASSES)
    assert data.labels.tolist() == np.repeat(np.arange(len(CLASSES)), N_PER_CLASS).tolist()
    assert data.image_files[:2] == ["red_square/img_0.png", "red_square/img_1.png"]
    assert all((images / f).is_file() for f in data.image_files)
    raw = np.array(list(_att_rows().values()), dtype=np.float64)
    np.testing.assert_allclose(data.semantics["original_attributes"].numpy(), raw)
    np.testing.assert_allclose(
        data.semantics["attributes"].numpy(), raw / np.linalg.norm(raw, axis=1, keepdims=True), rtol=1e-6
    )


def test_splits_follow_xlsa17(extracted: tuple[Path, Path, Path]) -> None:
    _, _, out = extracted
    data = load_xlsa17(out)
    names = data.class_names
    trainval, test_seen, test_unseen = (
        set(getattr(data, k).tolist()) for k in ("trainval", "test_seen", "test_unseen")
    )
    assert not (trainval & test_seen or trainval & test_unseen or test_seen & test_unseen)
    assert trainval | test_seen | test_unseen == set(range(data.features.shape[0]))
    assert [names[c] for c in data.unseen_classes] == ["blue_circle"]
    assert [names[c] for c in data.val_classes] == ["red_circle"]
    assert sorted(names[c] for c in data.train_classes) == ["blue_square", "red_square"]
    assert np.bincount(data.labels[sorted(test_seen)].numpy()).tolist()[:3] == [1, 1, 1]  # 20% of 5 per seen class
    # xlsa17 semantics in the file: train_loc/val_loc hold every image of their classes, test_seen included ...
    mat = scipy.io.loadmat(str(out / "att_splits.mat"))
    train_loc, val_loc = (set((mat[k].ravel().astype(int) - 1).tolist()) for k in ("train_loc", "val_loc"))
    assert not train_loc & val_loc
    assert train_loc | val_loc == trainval | test_seen
    # ... while load_xlsa17 keeps only their trainval images.
    assert set(data.train.tolist()) | set(data.val.tolist()) == trainval


def test_deterministic_given_seed(extracted: tuple[Path, Path, Path], tmp_path: Path) -> None:
    images, csv_path, out = extracted
    rng_state = torch.get_rng_state()
    again = load_xlsa17(_extract(images, csv_path, tmp_path / "again"))
    assert torch.equal(torch.get_rng_state(), rng_state)  # the seeded init does not touch the global RNG
    first = load_xlsa17(out)
    assert torch.equal(again.features, first.features)
    assert torch.equal(again.test_seen, first.test_seen)
    other = load_xlsa17(_extract(images, csv_path, tmp_path / "other", seed=1))
    assert not torch.equal(other.features, first.features)


def test_default_val_classes_are_seeded_seen_classes() -> None:
    names = [f"c{i}" for i in range(12)]
    labels = np.repeat(np.arange(12), 4)
    split = gbu_split(labels, names, unseen_classes=["c0", "c1"], seed=3)
    val_classes = np.unique(labels[split["val"]])
    assert val_classes.size == 2 and not np.isin(val_classes, [0, 1]).any()  # 20% of 10 seen classes
    assert np.array_equal(split["val"], gbu_split(labels, names, ["c0", "c1"], seed=3)["val"])
    assert np.unique(labels[gbu_split(labels, names[:4], ["c0"], None, 0.2, 0)["val"]]).size == 1  # at least one


def test_overwrite(extracted: tuple[Path, Path, Path], tmp_path: Path) -> None:
    images, csv_path, _ = extracted
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    with pytest.raises(ZSLDataError, match="overwrite=True"):
        _extract(images, csv_path, out)
    _extract(images, csv_path, out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["att_splits.mat", "res101.mat"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_csv_and_folder_classes_must_match(image_data: tuple[Path, Path], tmp_path: Path) -> None:
    images, _ = image_data
    rows = _att_rows()
    del rows["red_circle"]
    rows["green_star"] = [0, 0, 0]
    with pytest.raises(ZSLDataError, match="without a row .*red_circle.*without a folder .*green_star"):
        _extract(images, _write_csv(tmp_path / "bad.csv", rows), tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value, problem", [("high", "not a number"), ("nan", "not finite"), ("", "not a number")])
def test_csv_bad_cell_is_named(tmp_path: Path, value: str, problem: str) -> None:
    rows = _att_rows()
    rows["blue_square"][2] = value
    with pytest.raises(ZSLDataError, match=f"row 3, class 'blue_square', attribute 'round': '{value}' is {problem}"):
        read_attributes_csv(_write_csv(tmp_path / "bad.csv", rows))


def test_unknown_unseen_or_val_class(image_data: tuple[Path, Path], tmp_path: Path) -> None:
    images, csv_path = image_data
    with pytest.raises(ZSLDataError, match="unseen classes \\['purple_circle'\\] are not classes"):
        _extract(images, csv_path, tmp_path / "out", unseen_classes=["purple_circle"])
    with pytest.raises(ZSLDataError, match="also unseen"):
        _extract(images, csv_path, tmp_path / "out", val_classes=["blue_circle"])


def test_folder_errors(image_data: tuple[Path, Path], tmp_path: Path) -> None:
    images, csv_path = image_data
    flat = tmp_path / "flat"
    flat.mkdir()
    _image((0, 0, 0), False, np.random.default_rng(0)).save(flat / "img.png")
    with pytest.raises(ZSLDataError, match="no class sub-folders"):
        _extract(flat, csv_path, tmp_path / "x")
    for file in (images / "red_circle").iterdir():
        file.unlink()
    with pytest.raises(ZSLDataError, match="red_circle holds no image"):
        _extract(images, csv_path, tmp_path / "x")


def test_unreadable_image_is_named_and_nothing_written(image_data: tuple[Path, Path], tmp_path: Path) -> None:
    images, csv_path = image_data
    (images / "blue_square" / "img_3.png").write_bytes(b"not a png")
    out = tmp_path / "results" / "MINE"
    out.parent.mkdir()
    with pytest.raises(ZSLDataError, match="cannot read image .*blue_square/img_3.png"):
        _extract(images, csv_path, out)
    assert not out.exists() and list((tmp_path / "results").iterdir()) == []


def test_pretrained_weights_without_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(DownloadError) as error:
        build_backbone("resnet101", weights="DEFAULT", progress=False)
    message = str(error.value)
    assert "internet" in message and "weights=None" in message
    assert str(tmp_path / "hub" / "checkpoints" / "resnet101") in message


def test_pretrained_weights_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    state = torchvision.models.resnet18().state_dict()
    urls = []

    def cached(url: str, **kwargs) -> dict[str, torch.Tensor]:
        urls.append(url)
        return state

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", cached)
    model = build_backbone("resnet18", weights="IMAGENET1K_V1", progress=False)
    assert urls == [torchvision.models.ResNet18_Weights.IMAGENET1K_V1.url]
    assert torch.equal(model.conv1.weight, state["conv1.weight"])
    with pytest.raises(ValueError, match="unknown weights 'IMAGENET22K'"):
        build_backbone("resnet18", weights="IMAGENET22K")
