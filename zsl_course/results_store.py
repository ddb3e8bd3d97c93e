"""Keeping benchmark results safe: one writer at a time, rows of one dataset only, every path checked first.

``zsl-course benchmark`` rewrites ``OUT/results.json`` as each run finishes, merging the rows already there. This
module gives it what makes that safe:

- :func:`results_lock`: an exclusive lock on ``OUT`` held while results.json is re-read, merged and rewritten, so two
  benchmarks into one folder both keep every row (each merges what the other wrote, not what it read at its start);
- :func:`data_fingerprint` and :func:`check_fingerprints`: each row records the SHA-256 of the dataset files it ran
  on, and rows of other files are never merged into one mean (the error names the files that differ);
- :func:`unique_models`: ``--models eszsl eszsl`` runs ``eszsl`` once, with a note;
- :func:`check_out_folder`: ``--out`` is checked (a file, ``results.json`` a folder, no write permission) before
  anything is loaded or trained, and nothing is created on disk by the check;
- :func:`exit_with_parent`: a worker process ends when the benchmark that started it dies (``kill -9`` included).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from zsl_utils.xlsa17_files import XLSA17_FILES

__all__ = [
    "LOCK_NAME",
    "results_lock",
    "data_fingerprint",
    "check_fingerprints",
    "unique_models",
    "check_out_folder",
    "exit_with_parent",
]

LOCK_NAME = ".results.lock"
"""The lock file in ``OUT``: empty, left in place (removing it while another process waits would break the lock)."""


@contextlib.contextmanager
def results_lock(out: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on the results folder ``out`` (created if needed) inside the block; another process
    asking for it waits until the block ends. Use it around read-merge-write of ``results.json``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def data_fingerprint(folder: str | Path) -> dict[str, str]:
    """The first 16 hex digits of the SHA-256 of each xlsa17 file of a dataset folder (``res101.mat``,
    ``att_splits.mat``, and ``regions.npy`` where present): what a result row ran on."""
    folder = Path(folder)
    names = [*XLSA17_FILES, *(["regions.npy"] if (folder / "regions.npy").is_file() else [])]
    fingerprint = {}
    for name in names:
        with open(folder / name, "rb") as handle:
            fingerprint[name] = hashlib.file_digest(handle, "sha256").hexdigest()[:16]
    return fingerprint


def check_fingerprints(
    rows: Sequence[dict], fingerprint: dict[str, str], path: str | Path, key: str = "data", warn: bool = True
) -> None:
    """A ValueError when a row of ``rows`` (read from ``path``) ran on other dataset files than ``fingerprint``
    (``row[key]``), naming the files that differ; with ``warn``, a note on stdout for rows of an older version,
    which record none."""
    unknown = 0
    for row in rows:
        recorded = row.get(key)
        if recorded is None:
            unknown += 1
            continue
        differ = sorted(name for name in {*recorded, *fingerprint} if recorded.get(name) != fingerprint.get(name))
        if differ:
            raise ValueError(
                f"{path} holds results computed on other dataset files ({', '.join(differ)} differ, e.g. the row "
                f"of {row.get('model')} seed {row.get('seed')}): a mean over both would mix two datasets; choose "
                "another --out, or move that results.json away"
            )
    if unknown and warn:
        print(
            f"note: {unknown} row(s) of {path} record no dataset fingerprint (an older version wrote them): they "
            "are merged assuming the same dataset files; rerun them to be sure"
        )


def unique_models(models: Sequence[str] | None) -> list[str] | None:
    """``models`` with repeated names removed (first occurrence kept) and a note on stdout; None stays None."""
    if models is None:
        return None
    unique = list(dict.fromkeys(models))
    if len(unique) < len(models):
        repeated = sorted({name for name in models if models.count(name) > 1})
        print(f"note: --models names {', '.join(repeated)} more than once; each runs once")
    return unique


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_out_folder(out: str | Path) -> None:
    """A ValueError, before any work and without creating anything, when the results folder ``out`` cannot take
    ``results.json``: ``out`` is a file, ``out/results.json`` or ``out/results.md`` is a folder, or this user cannot
    write there."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder; choose a folder for the results")
    for name in ("results.json", "results.md"):
        if (out / name).is_dir():
            raise ValueError(f"{out / name} is a folder, not a file; move it away or choose another --out")
    where = _nearest_existing(out)
    if not os.access(where, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write the results to {out}: permission denied in {where}; choose another --out")


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    """Call in a worker process (a pool's initializer): a daemon thread ends this process within ``poll_seconds``
    of its parent's death, however the parent died (``kill -9`` runs no clean-up that would stop the workers)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
