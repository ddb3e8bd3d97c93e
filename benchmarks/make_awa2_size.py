"""Write synthetic features of a real benchmark's size next to its real split file, in the xlsa17 layout.

No real feature file can be downloaded here, so this makes the next best thing for timing the course at a real
size: ``ROOT/xlsa17/data/AWA2/res101.mat`` with seeded, class-structured synthetic features (37,322 x 2,048 for
AWA2, float32) and ``att_splits.mat`` written back from the real file (same fields, types and values). Then

    python benchmarks/make_awa2_size.py /tmp/awa2size                 # about 300 MB, a minute on 2 cores
    ZSL_DATA_ROOT=/tmp/awa2size ZSL_DATASET=AWA2 zsl-course run

runs every notebook at AWA2 size. ``--split-file`` takes another benchmark's att_splits.mat (with ``--name``).

Labels: the split file has no per-image labels, only which images are train-class, val-class and unseen-class
images (``train_loc``, ``val_loc``, ``test_unseen_loc``, which together cover every image). Each of these three
image sets is cut, in image order, into contiguous equal runs, one per class of that set (the GBU class counts of
``--name``; the classes of each set are drawn with the seed), as the real files order images by class.

Features: image i of class c is ``relu(0.5 + W a_c + 0.5 e_c + n_i)``, with ``a_c`` the class's real ``att`` column
scaled to unit variance, ``W`` (d, k) and the class offset ``e_c`` (d,) and the noise ``n_i`` (d,) standard normal:
a linear map from attributes (what ZSL models learn), a part of each class the attributes do not explain (so unseen
classes are not solved exactly), non-negative like pooled ReLU features.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import scipy.io

from zsl_utils.data import save_xlsa17

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPLIT_FILE = REPO.parent / "shared" / "data" / "xlsa17" / "AWA2" / "att_splits.mat"
GBU_CLASSES = {
    "AWA1": (27, 13, 10),
    "AWA2": (27, 13, 10),
    "CUB": (100, 50, 50),
    "SUN": (580, 65, 72),
    "APY": (15, 5, 12),
}
"""(train, val, unseen) class counts of the GBU proposed split of each benchmark."""


def synthetic_labels(splits: dict[str, np.ndarray], class_counts: tuple[int, int, int], seed: int) -> np.ndarray:
    """Labels (N,) 0-based consistent with ``splits`` (0-based ``train``, ``val``, ``test_unseen`` image indices).

    The train, val and unseen classes are drawn with ``seed`` from the ``sum(class_counts)`` class ids; each image set,
    sorted, is cut into contiguous runs of equal size (``np.array_split``), one per class of its set.
    """
    ids = np.random.default_rng(seed).permutation(sum(class_counts))
    n_images = 1 + max(int(splits[key].max()) for key in ("train", "val", "test_unseen"))
    labels = np.full(n_images, -1, dtype=np.int64)
    first = 0
    for key, count in zip(("train", "val", "test_unseen"), class_counts):
        for class_id, run in zip(ids[first : first + count], np.array_split(np.sort(splits[key]), count)):
            labels[run] = class_id
        first += count
    if (labels < 0).any():
        raise ValueError(f"{int((labels < 0).sum())} images are in none of train_loc, val_loc, test_unseen_loc")
    return labels


def synthetic_features(labels: np.ndarray, att: np.ndarray, dim: int, seed: int) -> np.ndarray:
    """Class-structured features (N, dim) float32 for ``labels`` (N,) and class attributes ``att`` (C, k)."""
    rng = np.random.default_rng(seed + 1)
    scaled = (att - att.mean(axis=0)) / np.where(att.std(axis=0) > 0, att.std(axis=0), 1)  # (C, k), unit variance
    class_means = 0.5 + scaled @ rng.standard_normal((att.shape[1], dim)) / np.sqrt(att.shape[1])
    class_means += 0.5 * rng.standard_normal(class_means.shape)  # (C, dim): what the attributes do not explain
    features = rng.standard_normal((labels.size, dim), dtype=np.float32)
    features += class_means.astype(np.float32)[labels]
    return np.maximum(features, 0, out=features)


def write_dataset(root: Path, split_file: Path, name: str = "AWA2", dim: int = 2048, seed: int = 0) -> Path:
    """Write ``root/xlsa17/data/<name>/{res101,att_splits}.mat``; returns that folder."""
    real = scipy.io.loadmat(split_file)
    splits = {key.removesuffix("_loc"): real[key].astype(np.int64).ravel() - 1 for key in real if key.endswith("_loc")}
    labels = synthetic_labels(splits, GBU_CLASSES[name], seed)
    att = real["att"].T  # (C, k)
    names = [str(item[0][0]) for item in real["allclasses_names"]]
    folder = root / "xlsa17" / "data" / name
    features = synthetic_features(labels, att, dim, seed)
    save_xlsa17(folder, features, labels, names, att, real["original_att"].T, splits)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="data root: the files go to ROOT/xlsa17/data/NAME/")
    parser.add_argument("--split-file", type=Path, default=DEFAULT_SPLIT_FILE, help="a real att_splits.mat")
    parser.add_argument("--name", default="AWA2", choices=sorted(GBU_CLASSES), help="the benchmark of the split file")
    parser.add_argument("--dim", type=int, default=2048, help="feature dimension (2048 as ResNet-101)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.split_file.is_file():
        parser.error(f"split file {args.split_file} not found; pass --split-file PATH/att_splits.mat")
    folder = write_dataset(args.root, args.split_file, args.name, args.dim, args.seed)
    print(f"wrote {folder}; run the course on it with:")
    print(f"  ZSL_DATA_ROOT={args.root} ZSL_DATASET={args.name} zsl-course run")


if __name__ == "__main__":
    main()
