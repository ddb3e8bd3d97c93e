"""Building SHAPES, the course's embedded benchmark, from scratch: render, split, train the CNN, cache features.

The visual encoder is a small CNN trained only on trainval images of the train classes (never a test_seen image,
never an image of an unseen or a validation class); its pooled penultimate layer gives the 128-d features and its last
feature map, average-pooled to a 2 x 2 grid, the region features. Everything is written in the xlsa17 layout.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from zsl_utils.data import dataset_folder, image_splits, save_xlsa17
from zsl_utils.train import class_targets
from zsl_utils.utils import progress_bar, set_seed

from . import render

__all__ = ["ShapesCNN", "BuildConfig", "shapes_splits", "train_encoder", "encode", "check_target", "build_shapes"]


class ShapesCNN(nn.Module):
    """A small CNN for 32 x 32 RGB images: four conv blocks, then global average pooling and a linear classifier.

    ``encode`` returns the pooled penultimate features (B, width) and 2 x 2 region features (B, 4, width); the
    pooled vector is the mean of the four regions.
    """

    def __init__(self, num_classes: int, width: int = 128) -> None:
        super().__init__()

        def block(c_in: int, c_out: int, pool: bool) -> list[nn.Module]:
            layers: list[nn.Module] = [
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(),
            ]
            return layers + [nn.MaxPool2d(2)] if pool else layers

        self.body = nn.Sequential(
            *block(3, 32, True), *block(32, 64, True), *block(64, width, True), *block(width, width, False)
        )
        self.classifier = nn.Linear(width, num_classes)

    def feature_map(self, images: torch.Tensor) -> torch.Tensor:
        """images: (B, 3, 32, 32) float in [0, 1] -> (B, width, 4, 4)."""
        return self.body(images)

    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images: (B, 3, 32, 32) -> pooled (B, width), regions (B, 4, width) (2 x 2 grid, row-major)."""
        regions = nn.functional.adaptive_avg_pool2d(self.feature_map(images), 2).flatten(2).transpose(1, 2)
        return regions.mean(dim=1), regions

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes) of images (B, 3, H, W)."""
        return self.classifier(self.encode(images)[0])


@dataclass(frozen=True)
class BuildConfig:
    """What defines SHAPES: images per class, seeds, nuisance strength (``RenderConfig().scaled(nuisance)``),
    encoder training. Stored with the dataset."""

    images_per_class: int = 120
    image_size: int = 32
    seed: int = 0
    test_seen_fraction: float = 0.2
    nuisance: float = 1.0
    width: int = 128
    epochs: int = 10
    batch_size: int = 128
    lr: float = 2e-3

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ValueError(f"the seed (--seed) must be an int in [0, 2**32), got {self.seed!r}")


def shapes_splits(labels: np.ndarray, fraction: float, seed: int) -> dict[str, np.ndarray]:
    """Image indices of the GBU splits from ``render.gbu_split`` classes; ``fraction`` of each seen class's images
    (seeded) go to test_seen. ``train``/``val`` follow xlsa17: every image of their classes, test_seen included."""
    classes = {name: np.array(ids) for name, ids in render.gbu_split().items()}
    return image_splits(
        labels, classes["train"], classes["val"], classes["unseen"], fraction, np.random.default_rng(seed)
    )


def _as_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W) in [0, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255.0)


def train_encoder(
    images: np.ndarray,
    labels: np.ndarray,
    train_index: np.ndarray,
    classes: np.ndarray,
    config: BuildConfig,
    progress: bool = True,
) -> ShapesCNN:
    """Train ``ShapesCNN`` to classify ``classes`` on images ``train_index`` only (the caller passes trainval)."""
    set_seed(config.seed)
    model = ShapesCNN(len(classes), config.width)
    x = _as_tensor(images[train_index])
    y = class_targets(torch.from_numpy(labels[train_index]), torch.from_numpy(classes))
    steps = config.epochs * (len(x) // config.batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=steps)
    generator = torch.Generator().manual_seed(config.seed)
    bar = progress_bar(total=steps, enabled=progress, desc="training the SHAPES encoder")
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(len(x), generator=generator)
        for i in range(len(x) // config.batch_size):
            batch = order[i * config.batch_size : (i + 1) * config.batch_size]
            flip = torch.rand(len(batch), generator=generator) < 0.5
            inputs = torch.where(flip[:, None, None, None], x[batch].flip(3), x[batch])
            loss = nn.functional.cross_entropy(model(inputs), y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    return model.eval()


@torch.no_grad()
def encode(model: ShapesCNN, images: np.ndarray, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Pooled features (N, width) and region features (N, 4, width) of uint8 images (N, H, W, 3), float32."""
    model.eval()
    pooled, regions = [], []
    for i in range(0, len(images), batch_size):
        p, r = model.encode(_as_tensor(images[i : i + batch_size]))
        pooled.append(p)
        regions.append(r)
    return torch.cat(pooled).numpy(), torch.cat(regions).numpy()


def _is_shapes_build(folder: Path) -> bool:
    """Whether ``folder`` holds a SHAPES build of this command: its ``build.json`` with the build's config."""
    try:
        return "config" in json.loads((folder / "build.json").read_text())
    except (OSError, ValueError, TypeError):
        return False


def check_target(out: Path, force: bool = False) -> None:
    """A ValueError, before any work, when ``out`` cannot receive a build: a file, a folder that is not empty and
    not an earlier SHAPES build (unless ``force``), or a place this user cannot write."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder; choose a folder for SHAPES")
    if out.is_dir() and any(out.iterdir()) and not force and not _is_shapes_build(out):
        raise ValueError(
            f"--out {out} is a folder that holds files and no SHAPES build (no build.json); nothing was touched: "
            "choose a new or empty folder, or pass --force to replace its whole content"
        )
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK | os.X_OK)):
        raise ValueError(f"cannot write SHAPES to {out}: permission denied in {parent}; choose a folder you can write")


def build_shapes(
    out: str | Path | None = None, config: BuildConfig = BuildConfig(), progress: bool = True, force: bool = False
) -> Path:
    """Render, split, train the encoder on trainval seen images, and write SHAPES in the xlsa17 layout to ``out``
    (default: the folder SHAPES is loaded from, ``data.dataset_folder("SHAPES")``).

    Files: ``res101.mat`` (features of the course's CNN, not ResNet-101: the name keeps the xlsa17 layout),
    ``att_splits.mat``, ``regions.npy`` (N, 4, width) float16, ``encoder.pt`` and ``build.json``. ``out`` is
    checked first (:func:`check_target`): a folder that is neither empty nor an earlier build is replaced only with
    ``force``. The folder is assembled in a temporary directory beside ``out`` and swapped in at the end: a failure
    leaves no partial data.
    """
    out = Path(out) if out is not None else dataset_folder("SHAPES")
    check_target(out, force)
    start = time.perf_counter()
    images, labels, files = render.render_dataset(
        config.images_per_class,
        seed=config.seed,
        size=config.image_size,
        config=render.RenderConfig().scaled(config.nuisance),
        progress=progress,
    )
    splits = shapes_splits(labels, config.test_seen_fraction, config.seed)
    seen_classes = np.unique(labels[splits["trainval"]])
    unseen_classes = np.unique(labels[splits["test_unseen"]])
    # The encoder is trained on the trainval images of the *train* classes only: never a test_seen image, never
    # an unseen class, and not the validation classes either, so that validation classes are as new to the
    # features as the unseen classes are and model selection on them is faithful.
    encoder_images = np.intersect1d(splits["trainval"], splits["train"])
    encoder_classes = np.unique(labels[encoder_images])
    assert not np.intersect1d(encoder_images, splits["test_seen"]).size
    assert not np.intersect1d(encoder_images, splits["test_unseen"]).size
    assert np.isin(encoder_classes, seen_classes).all() and not np.isin(encoder_classes, unseen_classes).any()
    encoder = train_encoder(images, labels, encoder_images, encoder_classes, config, progress)
    features, regions = encode(encoder, images)
    original, attribute_names = render.class_attributes()

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        save_xlsa17(
            staging,
            features,
            labels,
            render.class_names(),
            render.normalised_attributes(original),
            original,
            splits,
            files,
        )
        np.save(staging / "regions.npy", regions.astype(np.float16))
        torch.save(encoder.state_dict(), staging / "encoder.pt")
        info = {
            "config": asdict(config),
            "attribute_names": attribute_names,
            "encoder_classes": encoder_classes.tolist(),
            "build_seconds": round(time.perf_counter() - start, 1),
        }
        (staging / "build.json").write_text(json.dumps(info, indent=2) + "\n")
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it 0700: the folder gets the user's usual mode
        check_target(out, force)  # again: the folder may have changed during the build
        old = out.with_name(f".{out.name}.old.{os.getpid()}")
        if out.exists():
            out.rename(old)
        try:
            staging.rename(out)
        except OSError:
            if old.exists():
                old.rename(out)
            raise
        if old.exists():
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return out
