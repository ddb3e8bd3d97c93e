"""Checking an xlsa17 dataset folder without loading it: which files are missing, and what is wrong with the others.

A folder is *present* when it holds ``res101.mat`` and ``att_splits.mat``, each a whole MATLAB v5 file (every
variable's declared length fits in the file, so an interrupted copy, download or extraction is caught) holding the
xlsa17 fields with consistent sizes. Only the file header and each variable's header are read: checking a 300 MB
``res101.mat`` takes milliseconds. Whoever wrote the folder (the course's downloader, ``unzip``, a copy) does not
matter; ``zsl_utils.data.load_xlsa17`` then validates the values themselves.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import scipy.io

__all__ = ["XLSA17_FILES", "missing_files", "files_problem", "mat_file_problem"]

XLSA17_FILES = ("res101.mat", "att_splits.mat")
_HEADER_BYTES = 128
_V5_TEXT = b"MATLAB 5.0 MAT-file"
_BYTE_ORDER = {b"IM": "<", b"MI": ">"}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
_REQUIRED = {
    "res101.mat": ("features", "labels"),
    "att_splits.mat": ("att", "trainval_loc", "test_seen_loc", "test_unseen_loc"),
}


def _stands(path: Path) -> bool:
    """Whether anything (a file, a folder, a link, even a broken one) stands at ``path``; True when that cannot be
    known (a folder above it is unreadable): :func:`files_problem` then says why."""
    try:
        return path.is_symlink() or path.exists()
    except OSError:
        return True


def missing_files(folder: str | Path) -> list[str]:
    """The names of the xlsa17 files (``res101.mat``, ``att_splits.mat``) that nothing stands for in ``folder``
    (a folder, a FIFO or a broken link where a file should be is :func:`files_problem`'s business, not missing)."""
    folder = Path(folder)
    return [name for name in XLSA17_FILES if not _stands(folder / name)]


def _path_problem(path: Path) -> str | None:
    """What stands at ``path`` instead of a readable file, or None when a readable regular file does."""
    try:
        if path.is_symlink() and not path.exists():
            return (
                f"{path} is a broken symbolic link (to {os.readlink(path)}, missing or a link loop); fix or remove it"
            )
        if path.is_dir():
            return f"{path} is a folder, not a file; put the xlsa17 {path.name} there instead"
        if not path.is_file():
            return f"{path} is not a regular file (a FIFO, socket or device); put the xlsa17 {path.name} there instead"
        if not os.access(path, os.R_OK):
            return f"{path} is not readable (permission denied); fix its permissions (chmod a+r)"
    except OSError as error:
        return f"{path} cannot be reached ({type(error).__name__}: {error}); check the permissions of its folders"
    return None


def mat_file_problem(path: str | Path) -> str | None:
    """Why ``path`` is not a whole MATLAB v5 file, or None when it is.

    Reads the 128-byte header and the 8-byte tag of each top-level variable, and checks that the variables' declared
    lengths add up to the file's size: a truncated file (an interrupted download, copy or extraction) ends before its
    last variable does.
    """
    path = Path(path)
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(_HEADER_BYTES)
        if b"MATLAB 7.3" in header or b"HDF5" in header:
            return (
                f"{path} is a MATLAB v7.3 (HDF5) file, which scipy.io.loadmat cannot read; save it again in MATLAB "
                "with save(file, ..., '-v7')"
            )
        if len(header) < _HEADER_BYTES or not header.startswith(_V5_TEXT):
            return f"{path} is not a MATLAB v5 .mat file (its first bytes are {header[:24]!r}); replace it with the xlsa17 file"
        order = _BYTE_ORDER.get(header[126:128])
        if order is None:
            return f"{path} has no valid byte-order mark in its header: the file is corrupt; replace it with the xlsa17 file"
        position, count = _HEADER_BYTES, 0
        while position < size:
            handle.seek(position)
            tag = handle.read(8)
            if len(tag) < 8:
                return _truncated(path, position + 8, size)
            kind, length = struct.unpack(f"{order}II", tag)
            if kind not in (_MI_MATRIX, _MI_COMPRESSED):
                return (
                    f"{path}: byte {position:,} does not start a MATLAB variable: the file is corrupt; replace it "
                    "with the xlsa17 file"
                )
            position += 8 + length
            count += 1
        if position > size:
            return _truncated(path, position, size)
    return None if count else f"{path} holds no variable; replace it with the xlsa17 file"


def _truncated(path: Path, needed: int, size: int) -> str:
    return (
        f"{path} is truncated: its last variable needs {needed:,} bytes but the file has {size:,} (an interrupted "
        "download, copy or extraction); copy or unpack it again"
    )


def _shapes_problem(path: Path, shapes: dict[str, tuple[int, ...]]) -> str | None:
    """Missing xlsa17 fields, or sizes that do not fit together, in one file's ``name -> shape`` listing."""
    missing = [key for key in _REQUIRED[path.name] if key not in shapes]
    if missing:
        return f"{path} has no field {', '.join(missing)}: not an xlsa17 {path.name} (it holds {', '.join(shapes) or 'nothing'})"
    if path.name == "res101.mat":
        features, labels = shapes["features"], shapes["labels"]
        n_labels = labels[0] * labels[1] if len(labels) == 2 else -1
        if len(features) != 2 or n_labels != features[1]:
            return (
                f"{path}: features is {features} and labels {labels}; xlsa17 stores features as d x N and labels as "
                "N x 1, one label per image (column of features)"
            )
    elif "allclasses_names" in shapes and len(shapes["att"]) == 2:
        n_names, n_classes = shapes["allclasses_names"][0], shapes["att"][1]
        if n_names != n_classes:
            return f"{path}: {n_names} class names but att has {n_classes} classes (columns, xlsa17's k x C)"
    return None


def files_problem(folder: str | Path) -> str | None:
    """What is wrong with the xlsa17 files present in ``folder`` (truncated, not MATLAB v5, missing a field, sizes that
    disagree), or None when every present file is fine. Absent files are :func:`missing_files`' business."""
    folder = Path(folder)
    shapes = {}
    for name in XLSA17_FILES:
        path = folder / name
        if not _stands(path):
            continue
        problem = _path_problem(path) or mat_file_problem(path)
        if problem is not None:
            return problem
        try:
            listing = scipy.io.whosmat(str(path))
        except Exception as error:  # scipy raises ValueError, TypeError, OSError... on a damaged variable header
            return f"{path} cannot be read ({type(error).__name__}: {error}); replace it with the xlsa17 file"
        shapes[name] = {key: tuple(shape) for key, shape, _ in listing}
        problem = _shapes_problem(path, shapes[name])
        if problem is not None:
            return problem
    return _labels_problem(folder, shapes["att_splits.mat"]["att"]) if len(shapes) == 2 else None


def _labels_problem(folder: Path, att: tuple[int, ...]) -> str | None:
    """Labels that are not 1-based ids of the ``att`` (k x C) classes; reads only the labels variable."""
    path = folder / "res101.mat"
    try:
        labels = scipy.io.loadmat(str(path), variable_names=["labels"])["labels"]
    except Exception as error:  # as in files_problem: a damaged variable
        return f"{path} cannot be read ({type(error).__name__}: {error}); replace it with the xlsa17 file"
    if labels.size and len(att) == 2 and (labels.min() < 1 or labels.max() > att[1]):
        return (
            f"{path}: labels span [{labels.min()}, {labels.max()}] but xlsa17 labels are 1-based ids of the {att[1]} "
            "classes of att_splits.mat; the two files do not belong together (or the labels are 0-based)"
        )
    return None
