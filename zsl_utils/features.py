"""Visual features for real images: a torchvision backbone over an image folder, written in the xlsa17 layout.

The xlsa17 recipe (Xian et al., TPAMI 2018) takes the 2048-d global-average-pooled penultimate activations of an
ImageNet ResNet-101 on a 224 x 224 centre crop of each image. :func:`extract_features` applies it to
``image_folder/<class name>/*.jpg`` with a class-attribute CSV and writes ``res101.mat`` and ``att_splits.mat``
with a GBU-style split, which :func:`zsl_utils.data.load_xlsa17` reads back like any benchmark.
"""

from __future__ import annotations

import csv
import math
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms as T
from torchvision.models import WeightsEnum

from .data import image_splits, save_xlsa17
from .errors import DownloadError, ZSLDataError
from .semantic import l2_normalise
from .utils import get_device, progress_bar

__all__ = [
    "BACKBONES",
    "IMAGE_EXTENSIONS",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "resolve_weights",
    "build_backbone",
    "image_transform",
    "read_attributes_csv",
    "list_images",
    "gbu_split",
    "extract_features",
]

BACKBONES: dict[str, int] = {"resnet101": 2048, "resnet50": 2048, "resnet152": 2048, "resnet34": 512, "resnet18": 512}
"""Supported torchvision backbones -> dimension of their penultimate (global-average-pooled) features."""

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _check_backbone(name: str) -> None:
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; supported: {', '.join(BACKBONES)}")


def resolve_weights(name: str, weights: str | WeightsEnum | None) -> WeightsEnum | None:
    """The torchvision weights enum of backbone ``name`` for ``"DEFAULT"``, a weight name such as
    ``"IMAGENET1K_V1"``, or an enum member; ``None`` stays ``None`` (random initialisation)."""
    _check_backbone(name)
    enum = torchvision.models.get_model_weights(name)
    try:
        return enum.verify(weights)
    except (KeyError, TypeError) as error:
        valid = ", ".join(enum.__members__)
        raise ValueError(f"unknown weights {weights!r} for {name}; valid: {valid}, or None") from error


def _pretrained_state(weights: WeightsEnum, progress: bool) -> dict[str, torch.Tensor]:
    """The weights' state dict from the torch hub cache, downloading it once; ``DownloadError`` when that fails."""
    cached = Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)
    try:
        return torch.hub.load_state_dict_from_url(weights.url, progress=progress, check_hash=True)
    except (OSError, RuntimeError) as error:  # URLError is an OSError; a bad hash or partial file a RuntimeError
        raise DownloadError(
            f"cannot load the pretrained weights {weights!r} ({type(error).__name__}: {error}). They are downloaded "
            f"once from {weights.url}, which needs internet, and then read from the cache {cached} "
            "($TORCH_HOME/hub/checkpoints): connect once, or copy the file there by hand. weights=None gives a "
            "randomly initialised network, for testing the pipeline only: its features are useless for ZSL"
        ) from error


def build_backbone(
    name: str = "resnet101", weights: str | WeightsEnum | None = "DEFAULT", progress: bool = True
) -> nn.Module:
    """A torchvision backbone, in eval mode, whose classification head is the identity.

    Maps images ``(B, 3, H, W)`` (normalised as :func:`image_transform` does) to their global-average-pooled
    penultimate features ``(B, BACKBONES[name])``: 2048-d for ResNet-101. ``weights``: ``"DEFAULT"`` (the best
    ImageNet weights), a weight name such as ``"IMAGENET1K_V1"``, or ``None`` for a random initialisation drawn from
    torch's global RNG. Pretrained weights come from ``$TORCH_HOME/hub/checkpoints`` or are downloaded there;
    without network and cache this raises ``DownloadError``.
    """
    resolved = resolve_weights(name, weights)
    state = None if resolved is None else _pretrained_state(resolved, progress)
    model = torchvision.models.get_model(name, weights=None)
    if state is not None:
        model.load_state_dict(state)
    model.fc = nn.Identity()
    return model.eval()


def image_transform(
    image_size: int | None = None, weights: WeightsEnum | None = None
) -> Callable[[Image.Image], torch.Tensor]:
    """PIL RGB image -> ``(3, S, S)`` float tensor normalised with the ImageNet mean and std.

    ``image_size=None`` with ``weights`` uses the weights' own transforms; otherwise the xlsa17 recipe scaled to
    ``S = image_size`` (default 224): resize the short side to ``round(S * 256 / 224)`` (256 for 224), centre crop S.
    """
    if image_size is None and weights is not None:
        return weights.transforms()
    size = image_size or 224
    return T.Compose(
        [T.Resize(round(size * 256 / 224)), T.CenterCrop(size), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    )


def read_attributes_csv(path: str | Path) -> tuple[list[str], list[str], np.ndarray]:
    """Read a class-attribute CSV: a header row (first cell anything, then attribute names), one row per class.

    Returns ``(class_names, attribute_names, values (C, k) float64)``; raises ``ZSLDataError`` naming the row or
    cell that is malformed, duplicated, non-numeric or not finite.
    """
    path = Path(path)
    if not path.is_file():
        raise ZSLDataError(f"attribute file {path} does not exist")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if len(rows) < 2 or len(rows[0]) < 2:
        raise ZSLDataError(
            f"{path} needs a header row (class column, then attribute names) and one row per class: "
            "class_name,attr_1,...,attr_k"
        )
    attributes = [cell.strip() for cell in rows[0][1:]]
    names: list[str] = []
    values = np.empty((len(rows) - 1, len(attributes)), dtype=np.float64)
    for i, row in enumerate(rows[1:]):
        line = i + 2
        name = row[0].strip()
        if len(row) != len(attributes) + 1:
            raise ZSLDataError(
                f"{path} row {line} ({name!r}) has {len(row) - 1} values, the header names {len(attributes)} attributes"
            )
        if not name or name in names:
            raise ZSLDataError(f"{path} row {line}: class name {name!r} is {'empty' if not name else 'duplicated'}")
        names.append(name)
        for j, cell in enumerate(row[1:]):
            where = f"{path} row {line}, class {name!r}, attribute {attributes[j]!r}"
            try:
                values[i, j] = float(cell)
            except ValueError:
                raise ZSLDataError(f"{where}: {cell!r} is not a number") from None
            if not math.isfinite(values[i, j]):
                raise ZSLDataError(f"{where}: {cell!r} is not finite; fill in a value (xlsa17 uses -1 for missing)")
    return names, attributes, values


def list_images(image_folder: str | Path) -> dict[str, list[Path]]:
    """Class name -> sorted image paths of ``image_folder/<class name>/*.{jpg,jpeg,png,bmp}`` (any case).

    Class folders are sorted by name; hidden folders (``.ipynb_checkpoints``) are skipped.
    """
    folder = Path(image_folder)
    if not folder.is_dir():
        raise ZSLDataError(f"image folder {folder} does not exist")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ZSLDataError(f"{folder} has no class sub-folders: expected {folder}/<class name>/<image files>")
    images = {}
    for class_folder in classes:
        files = sorted(p for p in class_folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        if not files:
            raise ZSLDataError(f"class folder {class_folder} holds no image ({', '.join(IMAGE_EXTENSIONS)})")
        images[class_folder.name] = files
    return images


def _class_ids(requested: Sequence[str], class_names: Sequence[str], what: str) -> np.ndarray:
    if isinstance(requested, str):
        raise ZSLDataError(f"{what} must be a list of class names, got the string {requested!r}")
    unknown = sorted(set(requested) - set(class_names))
    if unknown:
        raise ZSLDataError(f"{what} {unknown} are not classes of the dataset; known classes: {', '.join(class_names)}")
    return np.array(sorted(class_names.index(name) for name in set(requested)), dtype=np.int64)


def gbu_split(
    labels: np.ndarray,
    class_names: Sequence[str],
    unseen_classes: Sequence[str],
    val_classes: Sequence[str] | None = None,
    test_seen_fraction: float = 0.2,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """A GBU-style split of images ``labels (N,)`` (class ids indexing ``class_names``), as sorted 0-based indices.

    ``test_unseen``: the images of ``unseen_classes``. Per seen class, a seeded ``round(test_seen_fraction * n)``
    of its n images (at most n - 1) go to ``test_seen``, the rest to ``trainval``. ``val_classes`` (default: a
    seeded 20% of the seen classes, at least one) and the other seen classes give ``val`` and ``train`` with xlsa17
    semantics: every image of those classes, ``test_seen`` included.
    """
    if not 0 <= test_seen_fraction < 1:
        raise ZSLDataError(f"test_seen_fraction must be in [0, 1), got {test_seen_fraction}")
    unseen = _class_ids(unseen_classes, class_names, "unseen classes")
    if unseen.size == 0:
        raise ZSLDataError("name at least one unseen class: zero-shot evaluation needs classes never trained on")
    seen = np.setdiff1d(np.arange(len(class_names)), unseen)
    if seen.size < 2:
        raise ZSLDataError(
            f"{seen.size} seen classes: at least 2 are needed (one for train, one for val); name fewer unseen classes"
        )
    if val_classes is None:
        n_val = min(max(1, math.floor(0.2 * seen.size + 0.5)), seen.size - 1)
        val = np.sort(np.random.default_rng([seed, 1]).choice(seen, size=n_val, replace=False))
    else:
        val = _class_ids(val_classes, class_names, "val classes")
        if np.intersect1d(val, unseen).size:
            raise ZSLDataError(
                f"val classes {[class_names[c] for c in np.intersect1d(val, unseen)]} are also unseen classes"
            )
        if not 0 < val.size < seen.size:
            raise ZSLDataError(
                f"val classes must be at least one and not all of the {seen.size} seen classes, got {val.size}"
            )
    return image_splits(
        labels, np.setdiff1d(seen, val), val, unseen, test_seen_fraction, np.random.default_rng([seed, 0])
    )


class _ImageFiles(Dataset):
    def __init__(self, files: Sequence[Path], transform: Callable[[Image.Image], torch.Tensor]) -> None:
        self.files = files
        self.transform = transform

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> torch.Tensor:
        path = self.files[index]
        try:
            with Image.open(path) as image:
                return self.transform(image.convert("RGB"))
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise ZSLDataError(
                f"cannot read image {path} ({type(error).__name__}: {error}); delete or replace it"
            ) from error


def _sibling(out: Path, tag: str) -> Path:
    """A new empty folder next to ``out`` (same file system, so renames are atomic), with the default permissions."""
    folder = out.parent / f".{out.name}.{tag}-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    return folder


def _check_out_folder(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ZSLDataError(f"{out} exists and is not a folder; choose another output folder")
    if out.exists() and not overwrite and any(out.iterdir()):
        raise ZSLDataError(
            f"{out} exists and is not empty; pass overwrite=True to replace it, or choose another folder"
        )


def _place(staging: Path, out: Path, overwrite: bool) -> None:
    """Rename the finished ``staging`` folder to ``out``; an existing ``out`` is replaced only when ``overwrite``."""
    _check_out_folder(out, overwrite)
    if out.exists() and any(out.iterdir()):
        backup = _sibling(out, "old")
        os.replace(out, backup / out.name)
        try:
            os.replace(staging, out)
        except OSError:
            os.replace(backup / out.name, out)
            backup.rmdir()
            raise
        shutil.rmtree(backup, ignore_errors=True)
    else:
        if out.exists():
            out.rmdir()
        os.replace(staging, out)


def extract_features(
    image_folder: str | Path,
    attributes_csv: str | Path,
    out_folder: str | Path,
    backbone: str = "resnet101",
    weights: str | WeightsEnum | None = "DEFAULT",
    *,
    unseen_classes: Sequence[str],
    val_classes: Sequence[str] | None = None,
    test_seen_fraction: float = 0.2,
    seed: int = 0,
    batch_size: int = 32,
    image_size: int | None = None,
    device: str | torch.device | None = None,
    num_workers: int = 0,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Extract backbone features of ``image_folder/<class name>/*`` and write ``out_folder`` in the xlsa17 layout.

    Classes are numbered in the CSV's row order (see :func:`read_attributes_csv`); every class folder needs a row
    and every row a folder. Images are taken in sorted order per class. The split is :func:`gbu_split`'s. ``att`` is
    the per-class L2-normalised CSV values, ``original_att`` the raw values, ``image_files`` the paths relative to
    ``image_folder``. Preprocessing is :func:`image_transform` (``image_size`` for quick tests, e.g. 64).

    With ``weights=None`` the random initialisation is drawn under ``torch.manual_seed(seed)`` in a forked RNG, so
    equal seeds give identical features and torch's global RNG is left untouched.

    Nothing is written until every image is processed; the files are written to a temporary sibling folder that is
    then renamed to ``out_folder``, so a failure never leaves a half-written dataset. An existing non-empty
    ``out_folder`` is replaced (with everything in it) only with ``overwrite=True``. Returns ``out_folder``.
    """
    out = Path(out_folder)
    _check_out_folder(out, overwrite)
    class_names, _, original_att = read_attributes_csv(attributes_csv)
    images = list_images(image_folder)
    no_row = sorted(set(images) - set(class_names))
    no_folder = [name for name in class_names if name not in images]
    if no_row or no_folder:
        problems = []
        if no_row:
            problems.append(f"class folders without a row in {attributes_csv}: {', '.join(no_row)}")
        if no_folder:
            problems.append(f"classes of {attributes_csv} without a folder in {image_folder}: {', '.join(no_folder)}")
        raise ZSLDataError("; ".join(problems))

    files = [path for name in class_names for path in images[name]]
    labels = np.repeat(np.arange(len(class_names)), [len(images[name]) for name in class_names])
    splits = gbu_split(labels, class_names, unseen_classes, val_classes, test_seen_fraction, seed)

    resolved = resolve_weights(backbone, weights)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_backbone(backbone, resolved, progress)
    device = get_device() if device is None else torch.device(device)
    model = model.to(device)
    loader = DataLoader(
        _ImageFiles(files, image_transform(image_size, resolved)),
        batch_size=batch_size,
        num_workers=num_workers,
        pin_memory=device.type == "cuda",
        generator=torch.Generator().manual_seed(seed),  # its own RNG: iterating leaves torch's global RNG alone
    )
    chunks = []
    with torch.no_grad():
        for batch in progress_bar(loader, progress, desc=f"{backbone} features", unit="batch"):
            chunks.append(model(batch.to(device)).float().cpu())
    features = torch.cat(chunks).numpy()

    root = Path(image_folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(out, "tmp")
    try:
        save_xlsa17(
            staging,
            features=features,
            labels=labels,
            class_names=class_names,
            att=l2_normalise(original_att).numpy(),
            original_att=original_att,
            splits=splits,
            image_files=[path.relative_to(root).as_posix() for path in files],
        )
        _place(staging, out, overwrite)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
