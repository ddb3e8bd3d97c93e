"""Loading ZSL benchmarks in the xlsa17 layout (Xian et al., TPAMI 2018) and the embedded SHAPES dataset.

A dataset folder holds ``res101.mat`` (``features`` d x N, ``labels`` N x 1, 1-based, optional ``image_files``)
and ``att_splits.mat`` (``att`` and ``original_att`` k x C, ``allclasses_names`` C x 1, and 1-based image indices
``trainval_loc``, ``test_seen_loc``, ``test_unseen_loc``, ``train_loc``, ``val_loc``). The embedded dataset also
has ``regions.npy`` (N, R, d_r) region features.

Where the files are looked for:

- an xlsa17 benchmark NAME: ``ROOT/xlsa17/data/NAME/``, ROOT being the ``root`` argument, else ``$ZSL_DATA_ROOT``,
  else the default root: the repository's ``data/`` in a source checkout, ``$XDG_CACHE_HOME/zsl-course`` (default
  ``~/.cache/zsl-course``) for an installed package (``default_root``);
- the embedded SHAPES: ``ROOT/SHAPES/`` when ``root`` or ``$ZSL_DATA_ROOT`` is given and that folder exists (a
  rebuilt or modified copy), else the course's own copy (``course_data("SHAPES")``): the repository's ``data/SHAPES``
  in a source checkout, the copy shipped inside the package in a wheel.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import scipy.io
import torch

from .dataset import ZSLDataset
from .errors import ZSLDataError
from .utils import write_atomically
from .xlsa17_files import files_problem, missing_files

__all__ = [
    "ZSLDataset",
    "XLSA17_DATASETS",
    "EMBEDDED_DATASETS",
    "FILE_SEMANTICS",
    "dataset_names",
    "course_data",
    "default_root",
    "embedded_folders",
    "dataset_folder",
    "is_available",
    "load_xlsa17",
    "load_dataset",
    "save_xlsa17",
    "course_dataset",
    "image_splits",
]

XLSA17_DATASETS = ("AWA1", "AWA2", "CUB", "SUN", "APY")
EMBEDDED_DATASETS = ("SHAPES",)
FILE_SEMANTICS = ("attributes", "original_attributes")
"""The semantic kinds read from att_splits.mat (``att``, ``original_att``); any other kind is word vectors of the
class names, loaded only when asked for (``word_vectors``)."""
_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent if (_PACKAGE.parent / "pyproject.toml").is_file() else None
"""The repository, when the package runs from a source checkout (an editable install); None in a wheel install."""
_LOCS = ("trainval_loc", "test_seen_loc", "test_unseen_loc", "train_loc", "val_loc")


def dataset_names() -> tuple[str, ...]:
    """Every name ``load_dataset`` knows: the embedded dataset first, then the xlsa17 benchmarks."""
    return EMBEDDED_DATASETS + XLSA17_DATASETS


def course_data(*parts: str) -> Path:
    """A file or folder of the course's own data (``course_data("SHAPES", "build.json")``): ``SHAPES/`` the
    embedded dataset, ``results/SHAPES_attributes/`` the committed benchmark results. It is the repository's
    ``data/`` in a source checkout, and the package's ``course_data/`` in a wheel (pyproject.toml maps ``data/``
    there)."""
    return (_CHECKOUT / "data" if _CHECKOUT is not None else _PACKAGE / "course_data").joinpath(*parts)


def default_root() -> Path:
    """Where downloaded benchmarks live: ``$ZSL_DATA_ROOT`` if set; else the repository's ``data/`` folder when the
    package runs from a source checkout; else ``$XDG_CACHE_HOME/zsl-course`` (default ``~/.cache/zsl-course``)."""
    if os.environ.get("ZSL_DATA_ROOT"):
        return Path(os.environ["ZSL_DATA_ROOT"])
    if _CHECKOUT is not None:
        return _CHECKOUT / "data"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zsl-course"


def _explicit_root(root: str | Path | None) -> Path | None:
    """``root``, else ``$ZSL_DATA_ROOT``, else None: the roots a user chose (the default root holds no SHAPES)."""
    if root is not None:
        return Path(root)
    return Path(os.environ["ZSL_DATA_ROOT"]) if os.environ.get("ZSL_DATA_ROOT") else None


def embedded_folders(name: str, root: str | Path | None = None) -> list[Path]:
    """The folders looked in for embedded dataset ``name``, in order: ``ROOT/NAME`` (ROOT: ``root``, else
    ``$ZSL_DATA_ROOT``, if either is given), then the package's own copy. The first that exists is used."""
    chosen = _explicit_root(root)
    return ([chosen / name] if chosen is not None else []) + [course_data(name)]


def _canonical(name: str) -> str:
    upper = name.upper()
    if upper not in dataset_names():
        raise ZSLDataError(f"unknown dataset {name!r}; valid names: {', '.join(dataset_names())}")
    return upper


def dataset_folder(name: str, root: str | Path | None = None) -> Path:
    """The folder that holds (or will hold) dataset ``name``'s ``res101.mat`` and ``att_splits.mat``."""
    name = _canonical(name)
    if name in EMBEDDED_DATASETS:
        folders = embedded_folders(name, root)
        return next((folder for folder in folders if folder.is_dir()), folders[-1])
    return Path(root or default_root()) / "xlsa17" / "data" / name


def is_available(name: str, root: str | Path | None = None) -> bool:
    """Whether dataset ``name``'s folder holds usable files: ``res101.mat`` and ``att_splits.mat``, each whole and
    with the xlsa17 fields (``xlsa17_files``), whoever put them there (the downloader, ``unzip``, a copy) and whether
    or not the other benchmarks are present."""
    folder = dataset_folder(name, root)
    return not missing_files(folder) and files_problem(folder) is None


def _loadmat(path: Path, hint: str) -> dict:
    if not path.is_file():
        raise ZSLDataError(f"missing file {path}; {hint}")
    try:
        return scipy.io.loadmat(str(path))
    except Exception as error:  # scipy raises ValueError, OSError, TypeError... for truncated files
        raise ZSLDataError(
            f"cannot read {path} ({type(error).__name__}: {error}): the file is truncated or corrupt; "
            f"delete it, then {hint}"
        ) from error


def _strings(cell: np.ndarray) -> list[str]:
    """A MATLAB cell array of strings (n x 1) as a list of str."""
    return [str(np.asarray(item).ravel()[0]) if np.asarray(item).size else "" for item in cell.ravel()]


def _numeric(mat: dict, key: str, path: Path) -> np.ndarray:
    """``mat[key]``: a 2-D real numeric array (MATLAB stores every matrix 2-D), or an error naming the field."""
    value = np.asarray(mat[key])
    if value.dtype.kind not in "biuf" or value.ndim != 2:
        raise ZSLDataError(
            f"{path}: {key} must be a 2-D real numeric matrix, got {value.dtype} of shape {value.shape}; "
            "not an xlsa17 file (or a corrupt one): re-create or re-download it"
        )
    return value


def _ids(mat: dict, key: str, path: Path) -> np.ndarray:
    """``mat[key]`` as (n,) int64 (1-based as stored), or an error if a value is not a whole number."""
    value = _numeric(mat, key, path).ravel()
    bad = value[~np.isfinite(value) | (value != np.round(value))] if value.dtype.kind == "f" else value[:0]
    if bad.size:
        raise ZSLDataError(
            f"{path}: {key} must hold whole numbers (1-based ids), got e.g. {bad[:3].tolist()}; the file is corrupt"
        )
    return value.astype(np.int64)


def _loc(mat: dict, key: str, n_images: int, path: Path) -> np.ndarray:
    loc = _ids(mat, key, path)
    if loc.size and (loc.min() < 1 or loc.max() > n_images):
        raise ZSLDataError(
            f"{path}: {key} holds indices in [{loc.min()}, {loc.max()}] but must be 1-based indices into the "
            f"{n_images} images of res101.mat; the split file does not belong to these features"
        )
    return loc - 1


def _check_loaded(
    folder: Path,
    labels: np.ndarray,
    names: list[str],
    semantics: dict[str, np.ndarray],
    splits: dict[str, np.ndarray],
    regions: np.ndarray | None,
    image_files: list[str] | None,
) -> None:
    """The promises of the xlsa17 format and the GBU split not checked while reading, once, at the end of loading.

    labels: (N,) 0-based; semantics: kind -> (C, k); splits: 0-based image indices (``train``/``val`` already
    restricted to trainval); regions: (N, R, d_r) or None. Raises ZSLDataError naming the file, the problem and
    the fix.
    """
    splits_file = folder / "att_splits.mat"
    plain = [" ".join(name.lower().split()) for name in names]  # case and whitespace do not make a new class
    repeated = sorted({name for name, text in zip(names, plain) if plain.count(text) > 1})
    if repeated:
        raise ZSLDataError(
            f"{splits_file}: allclasses_names repeats {repeated[:5]} (up to case and spaces); every class needs its "
            "own name: fix the names"
        )
    _check_class_vectors(splits_file, names, semantics[FILE_SEMANTICS[0]])
    for kind, field in zip(FILE_SEMANTICS, ("att", "original_att")):
        if kind not in semantics:
            continue
        values = semantics[kind]
        bad = np.unique(np.nonzero(~np.isfinite(values))[0])
        if bad.size:
            raise ZSLDataError(
                f"{splits_file}: {field} holds NaN or Inf for {bad.size} classes (first: {[names[c] for c in bad[:5]]}); "
                "every class needs finite semantics: repair the file or re-download it"
            )
    original = semantics.get(FILE_SEMANTICS[1])
    if original is not None:
        outside = (original != -1) & ((original < 0) | (original > 100))
        if outside.any():
            raise ZSLDataError(
                f"{splits_file}: original_att must be -1 (missing) or lie in [0, 100], got "
                f"{np.unique(original[outside])[:5].tolist()}; the file is corrupt"
            )
    for split, index in splits.items():
        key = f"{split}_loc"
        if index.size == 0:
            raise ZSLDataError(f"{splits_file}: {key} selects no image; the GBU protocol needs images in every split")
        if np.unique(index).size != index.size:
            raise ZSLDataError(
                f"{splits_file}: {key} lists {index.size - np.unique(index).size} images twice; the split is invalid"
            )
    seen = np.unique(labels[splits["trainval"]])
    stray = np.setdiff1d(np.unique(labels[splits["test_seen"]]), seen)
    if stray.size:
        raise ZSLDataError(
            f"{splits_file}: test_seen_loc holds images of {stray.size} classes that have no trainval image "
            f"({[names[c] for c in stray[:5]]}); test_seen images must belong to seen classes: the split is invalid"
        )
    train_classes, val_classes = np.unique(labels[splits["train"]]), np.unique(labels[splits["val"]])
    both = np.intersect1d(train_classes, val_classes)
    if both.size:
        raise ZSLDataError(
            f"{splits_file}: classes {[names[c] for c in both[:5]]} are in both train_loc and val_loc; the split is invalid"
        )
    neither = np.setdiff1d(seen, np.union1d(train_classes, val_classes))
    if neither.size:
        raise ZSLDataError(
            f"{splits_file}: seen classes {[names[c] for c in neither[:5]]} are in neither train_loc nor val_loc; "
            "model selection needs every seen class in one of them"
        )
    if regions is not None:
        bad = np.unique(np.nonzero(~np.isfinite(regions))[0])
        if bad.size:
            raise ZSLDataError(
                f"{folder / 'regions.npy'}: NaN or Inf in {bad.size} images (first: {bad[:5].tolist()}); "
                "rebuild it (`zsl-course build-shapes` for SHAPES)"
            )
    if image_files is not None and len(image_files) != labels.shape[0]:
        raise ZSLDataError(f"{folder / 'res101.mat'}: {len(image_files)} image_files for {labels.shape[0]} images")


def _check_class_vectors(path: Path, names: list[str], att: np.ndarray) -> None:
    """``att`` (C, k): a ZSLDataError when every class has the same vector (nothing tells classes apart), a warning
    naming the classes whose vector is all zeros or repeats another class's (those classes cannot be told apart)."""
    if len(att) > 1 and (att == att[0]).all():
        raise ZSLDataError(f"{path}: att gives every class the same vector: no class can be told apart; fix att")
    zero = [names[c] for c in np.flatnonzero(~att.any(axis=1))]
    _, first, counts = np.unique(att, axis=0, return_index=True, return_counts=True)
    same = [names[c] for c in first[counts > 1]]
    if zero or same:
        warnings.warn(
            f"{path}: att is all zeros for {zero[:5]} and repeats the vector of {same[:5]} for other classes: "
            "these classes cannot be told apart (accuracy on them is chance at best); fix att",
            UserWarning,
            stacklevel=4,
        )


def _rebuild_loc(folder: Path, which: str, trainval: np.ndarray, labels: np.ndarray, names: list[str]) -> np.ndarray:
    """train/val image indices from ``{which}classes1.txt`` when ``{which}_loc`` is missing."""
    listing = folder / f"{which}classes1.txt"
    if not listing.is_file():
        raise ZSLDataError(
            f"{folder / 'att_splits.mat'} has no {which}_loc and {listing} is absent: the train/val split for model "
            f"selection cannot be rebuilt; add {listing.name} (one class name per line) or use an att_splits.mat "
            "with train_loc and val_loc"
        )
    wanted = {line.strip() for line in listing.read_text().splitlines() if line.strip()}
    unknown = wanted - set(names)
    if unknown:
        raise ZSLDataError(f"{listing} names classes not in allclasses_names: {', '.join(sorted(unknown))}")
    ids = np.array([i for i, name in enumerate(names) if name in wanted])
    return trainval[np.isin(labels[trainval], ids)]


def load_xlsa17(
    folder: str | Path,
    name: str | None = None,
    word_vectors: Sequence[str] = (),
    synonyms: Mapping[str, str] | None = None,
) -> ZSLDataset:
    """Read a dataset folder in the xlsa17 layout into a ``ZSLDataset`` (0-based ids, GBU splits).

    ``train`` and ``val`` are the images of the train and val classes *inside trainval*: the xlsa17 ``train_loc``
    and ``val_loc`` also contain the ``test_seen_loc`` images, which must never be trained on. ``word_vectors``
    names word-vector semantics to add from the class names (e.g. ``("glove50",)``), with ``synonyms`` replacing
    class names that the vectors do not know (see ``semantic.class_name_vectors``).
    """
    folder = Path(folder)
    name = name or folder.name
    hint = f"run `zsl-course download {name}`" if name.upper() in XLSA17_DATASETS else "check the dataset folder"
    res = _loadmat(folder / "res101.mat", hint)
    splits = _loadmat(folder / "att_splits.mat", hint)
    for key, mat, file in (
        ("features", res, "res101.mat"),
        ("labels", res, "res101.mat"),
        ("att", splits, "att_splits.mat"),
    ):
        if key not in mat:
            raise ZSLDataError(f"{folder / file} has no field {key!r}: not an xlsa17 file")

    features = _numeric(res, "features", folder / "res101.mat").astype(np.float32).T
    labels = _ids(res, "labels", folder / "res101.mat") - 1
    n_images = features.shape[0]
    if labels.shape[0] != n_images:
        raise ZSLDataError(
            f"{folder / 'res101.mat'}: features has {n_images} images (columns) but labels has {labels.shape[0]}; "
            "features must be d x N and labels N x 1"
        )
    if n_images > 1 and not np.ptp(features, axis=0).any():
        raise ZSLDataError(
            f"{folder / 'res101.mat'}: every image has the same features: nothing can be learned; re-extract them"
        )
    if not np.isfinite(features).all():
        bad = np.unique(np.nonzero(~np.isfinite(features))[0])
        raise ZSLDataError(
            f"{folder / 'res101.mat'}: features contain NaN or Inf in {bad.size} images (first: {bad[:5].tolist()}); "
            "re-extract the features or drop those images"
        )

    att = _numeric(splits, "att", folder / "att_splits.mat").astype(np.float32).T
    n_classes = att.shape[0]
    if "allclasses_names" not in splits and word_vectors:
        raise ZSLDataError(
            f"{folder / 'att_splits.mat'} has no allclasses_names: word vectors ({', '.join(word_vectors)}) of the "
            "class names cannot be made; add allclasses_names, or load it with word_vectors=()"
        )
    names = (
        _strings(splits["allclasses_names"])
        if "allclasses_names" in splits
        else [f"class_{i:03d}" for i in range(n_classes)]
    )
    if len(names) != n_classes:
        raise ZSLDataError(
            f"{folder / 'att_splits.mat'}: {len(names)} class names but att has {n_classes} classes (columns)"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ZSLDataError(
            f"{folder}: labels span [{labels.min() + 1}, {labels.max() + 1}] (1-based) but att has {n_classes} classes; "
            "the semantic matrix does not match the features' classes"
        )
    attributes, original_attributes = FILE_SEMANTICS
    semantics = {attributes: att}
    if "original_att" in splits:
        original = _numeric(splits, "original_att", folder / "att_splits.mat").astype(np.float32).T
        if original.shape[0] != n_classes:
            raise ZSLDataError(
                f"{folder / 'att_splits.mat'}: original_att has {original.shape[0]} classes, att has {n_classes}"
            )
        semantics[original_attributes] = original

    missing = [key for key in ("trainval_loc", "test_seen_loc", "test_unseen_loc") if key not in splits]
    if missing:
        raise ZSLDataError(f"{folder / 'att_splits.mat'} lacks {', '.join(missing)}: not an xlsa17 split file")
    trainval, test_seen, test_unseen = (_loc(splits, key, n_images, folder) for key in _LOCS[:3])
    # xlsa17's train_loc/val_loc cover all images of their classes, test_seen included: keep only trainval images.
    in_trainval = np.zeros(n_images, dtype=bool)
    in_trainval[trainval] = True
    model_selection = {}
    for which in ("train", "val"):
        key = f"{which}_loc"
        loc = (
            _loc(splits, key, n_images, folder)
            if key in splits
            else _rebuild_loc(folder, which, trainval, labels, names)
        )
        model_selection[which] = loc[in_trainval[loc]]

    seen = np.unique(labels[trainval])
    unseen = np.unique(labels[test_unseen])
    overlap = np.intersect1d(seen, unseen)
    if overlap.size:
        raise ZSLDataError(
            f"{folder}: classes {[names[c] for c in overlap[:5]]} are both seen and unseen; the split is invalid"
        )
    leaked = np.intersect1d(trainval, test_seen)
    if leaked.size:
        raise ZSLDataError(
            f"{folder}: {leaked.size} images are in both trainval_loc and test_seen_loc; the split is invalid"
        )

    regions = None
    if (folder / "regions.npy").is_file():
        try:
            regions = np.load(folder / "regions.npy").astype(np.float32)
        except (ValueError, OSError, EOFError) as error:
            raise ZSLDataError(
                f"cannot read {folder / 'regions.npy'} ({type(error).__name__}: {error}): the file is truncated or "
                "corrupt; restore it (git checkout for SHAPES) or rebuild it with `zsl-course build-shapes`"
            ) from error
        if regions.ndim != 3 or regions.shape[0] != n_images:
            raise ZSLDataError(
                f"{folder / 'regions.npy'} has shape {regions.shape}, not (N, R, d_r) with the N = {n_images} images of "
                "res101.mat; rebuild it (`zsl-course build-shapes` for SHAPES)"
            )
    image_files = _strings(res["image_files"]) if "image_files" in res else None
    split_indices = {"trainval": trainval, "test_seen": test_seen, "test_unseen": test_unseen, **model_selection}
    _check_loaded(folder, labels, names, semantics, split_indices, regions, image_files)

    tensors = {kind: torch.from_numpy(np.ascontiguousarray(value)) for kind, value in semantics.items()}
    if word_vectors:
        from .semantic import class_name_vectors, load_word_vectors

        for kind in word_vectors:
            tensors[kind], _ = class_name_vectors(names, load_word_vectors(kind), synonyms)

    def ids(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.int64))

    return ZSLDataset(
        name=name,
        features=torch.from_numpy(np.ascontiguousarray(features)),
        labels=ids(labels),
        class_names=names,
        semantics=tensors,
        trainval=ids(trainval),
        test_seen=ids(test_seen),
        test_unseen=ids(test_unseen),
        train=ids(model_selection["train"]),
        val=ids(model_selection["val"]),
        seen_classes=ids(seen),
        unseen_classes=ids(unseen),
        train_classes=ids(np.unique(labels[model_selection["train"]])),
        val_classes=ids(np.unique(labels[model_selection["val"]])),
        regions=None if regions is None else torch.from_numpy(regions),
        image_files=image_files,
    )


def load_dataset(
    name: str,
    root: str | Path | None = None,
    word_vectors: Sequence[str] = ("glove50",),
    *,
    folder: str | Path | None = None,
) -> ZSLDataset:
    """Load a dataset by name: ``SHAPES`` (embedded, offline) or an xlsa17 benchmark (AWA1, AWA2, CUB, SUN, APY).

    The files are read from ``root/xlsa17/data/NAME/`` (``root`` default ``default_root()``, i.e. ``$ZSL_DATA_ROOT``),
    the layout of the unpacked official archive, or from ``folder`` when given (a folder holding this dataset's
    ``res101.mat`` and ``att_splits.mat`` directly; not together with ``root``). Any such folder with valid files
    works, downloaded by the course or not, with or without the other benchmarks. ``word_vectors`` adds class-name
    embeddings as extra semantics (default: GloVe 6B 50-d, offline), with the dataset's synonym map
    (``semantic.DATASET_SYNONYMS``) for the class names that GloVe lacks or reads badly.
    """
    name = _canonical(name)
    folder = _dataset_files(name, root, folder)
    synonyms = None
    if word_vectors:
        from .semantic import DATASET_SYNONYMS

        synonyms = DATASET_SYNONYMS.get(name)
    return load_xlsa17(folder, name=name, word_vectors=word_vectors, synonyms=synonyms)


def _dataset_files(name: str, root: str | Path | None, folder: str | Path | None) -> Path:
    """The folder to load dataset ``name`` from, once its two files are there and whole; else the error that says
    which file is missing (and how to get it) or what is wrong with a file that is there."""
    if folder is not None and root is not None:
        raise ZSLDataError(
            f"load_dataset({name!r}) got both root={str(root)!r} and folder={str(folder)!r}; pass root (the folder "
            f"holding xlsa17/data/{name}) or folder (the folder holding res101.mat and att_splits.mat), not both"
        )
    folder = dataset_folder(name, root) if folder is None else Path(folder)
    missing = missing_files(folder)
    if missing and name in XLSA17_DATASETS:
        where = "" if root is None else f" --root {root}"
        raise ZSLDataError(
            f"dataset {name} is not downloaded ({folder} lacks {' and '.join(missing)}); download it (about 880 MB, "
            f"all five xlsa17 benchmarks) with: zsl-course download {name}{where}; or, if you have xlsa17 unpacked "
            f"elsewhere, set ZSL_DATA_ROOT to the folder that holds xlsa17/data/{name}"
        )
    if missing and name in EMBEDDED_DATASETS:
        raise ZSLDataError(_embedded_missing(name, root, folder, missing))
    problem = None if missing else files_problem(folder)
    if problem is not None:
        raise ZSLDataError(f"dataset {name} in {folder} cannot be loaded: {problem}")
    return folder


def _embedded_missing(name: str, root: str | Path | None, folder: Path, missing: list[str]) -> str:
    """The error for an embedded dataset whose chosen folder lacks files: where it looked, and what to do."""
    looked = "; ".join(f"{path} ({'exists' if path.is_dir() else 'absent'})" for path in embedded_folders(name, root))
    if folder != course_data(name):
        fix = f"complete {folder} (`zsl-course build-shapes --out {folder}`), or remove it to use the package's copy"
    else:
        fix = (
            "reinstall zsl-course (the package's copy is incomplete), or set ZSL_DATA_ROOT to a folder holding "
            f"{name}/ (`zsl-course build-shapes --out ROOT/{name}`)"
        )
    return f"dataset {name}: {folder} lacks {' and '.join(missing)}; looked in, in order: {looked}; {fix}"


def image_splits(
    labels: np.ndarray,
    train_classes: np.ndarray,
    val_classes: np.ndarray,
    unseen_classes: np.ndarray,
    test_seen_fraction: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """GBU image splits from class lists, as sorted 0-based indices into ``labels (N,)``.

    Per seen class (in increasing id order), ``round(test_seen_fraction * n)`` of its n images (at most n - 1),
    drawn with ``rng``, go to ``test_seen`` and the rest to ``trainval``; ``test_unseen`` holds every unseen image.
    ``train``/``val`` follow xlsa17's own semantics: every image of their classes, test_seen included.
    """
    seen = np.union1d(train_classes, val_classes)
    test_seen = []
    for c in seen:
        images = np.flatnonzero(labels == c)
        n_test = min(int(np.floor(test_seen_fraction * images.size + 0.5)), images.size - 1)
        test_seen.append(rng.permutation(images)[:n_test])
    test_seen = np.sort(np.concatenate(test_seen)).astype(np.int64)
    return {
        "trainval": np.setdiff1d(np.flatnonzero(np.isin(labels, seen)), test_seen),
        "test_seen": test_seen,
        "test_unseen": np.flatnonzero(np.isin(labels, unseen_classes)),
        "train": np.flatnonzero(np.isin(labels, train_classes)),
        "val": np.flatnonzero(np.isin(labels, val_classes)),
    }


def _atomic_savemat(path: Path, content: dict) -> None:
    write_atomically(path, lambda tmp: scipy.io.savemat(tmp, content, do_compression=True))


def _one_based_column(indices: np.ndarray) -> np.ndarray:
    """0-based ids or image indices (n,) as xlsa17 stores them: 1-based, (n, 1), in the smallest unsigned integer type
    that holds them (uint8 up to 255, uint16 up to 65,535, else uint32), as in the real files, where scipy reads AWA2's
    ``labels`` as uint8 and every ``*_loc`` as uint16. Public ZSL code indexes with them directly (``loc - 1``)."""
    one_based = np.asarray(indices, dtype=np.int64).reshape(-1, 1) + 1
    largest = int(one_based.max()) if one_based.size else 1
    for dtype in (np.uint8, np.uint16, np.uint32):
        if largest <= np.iinfo(dtype).max:
            return one_based.astype(dtype)
    raise ZSLDataError(f"index {largest} does not fit the xlsa17 layout (at most {np.iinfo(np.uint32).max})")


def _cell(strings: Sequence[str]) -> np.ndarray:
    cell = np.empty((len(strings), 1), dtype=object)
    for i, text in enumerate(strings):
        cell[i, 0] = np.array([text])
    return cell


def save_xlsa17(
    folder: str | Path,
    features: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    att: np.ndarray,
    original_att: np.ndarray,
    splits: dict[str, np.ndarray],
    image_files: Sequence[str] | None = None,
) -> None:
    """Write a dataset in the exact xlsa17 layout, each file atomically (temporary file, then rename).

    The fields, orientations and types are those of the real files: features: (N, d) stored as d x N float32 (the
    real files hold float64; float32 halves the size and is what the loader uses); labels: (N,) 0-based, stored
    1-based N x 1 in the smallest unsigned integer type (uint8 for up to 255 classes); att, original_att: (C, k)
    stored k x C float64; image indices stored 1-based n x 1 unsigned integers (uint16 up to 65,535 images);
    splits: 0-based image indices for ``trainval``, ``test_seen``, ``test_unseen``, ``train``, ``val``, where
    ``train``/``val`` follow xlsa17's own semantics (every image of their classes, test_seen included).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    res = {"features": np.asarray(features, dtype=np.float32).T, "labels": _one_based_column(labels)}
    if image_files is not None:
        res["image_files"] = _cell(image_files)
    att_splits = {
        "att": np.asarray(att, dtype=np.float64).T,
        "original_att": np.asarray(original_att, dtype=np.float64).T,
        "allclasses_names": _cell(class_names),
    }
    for key in _LOCS:
        att_splits[key] = _one_based_column(splits[key.removesuffix("_loc")])
    _atomic_savemat(folder / "res101.mat", res)
    _atomic_savemat(folder / "att_splits.mat", att_splits)


def course_dataset(device: torch.device | str | None = None, word_vectors: Sequence[str] = ("glove50",)) -> ZSLDataset:
    """The notebooks' one dataset switch: ``$ZSL_DATASET`` (default ``SHAPES``), moved once to ``device``
    (default ``get_device()``), e.g. ``ZSL_DATASET=AWA2 jupyter lab`` after ``zsl-course download AWA2``."""
    from .utils import get_device

    dataset = load_dataset(os.environ.get("ZSL_DATASET", "SHAPES"), word_vectors=word_vectors)
    return dataset.to(device if device is not None else get_device())
