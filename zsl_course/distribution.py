"""What the installed distribution holds and says about itself: the reader's edition of the notebooks shipped with
the package, the course's folders in a source checkout, and the project's repository URL, read from the package
metadata (``[project.urls] Repository`` of pyproject.toml, the one place that names it).

The course's notebooks come in two folders of a checkout: :data:`SOURCES`, the instructor's source (solutions,
hidden tests, nbgrader's metadata, nbval's tags), and :data:`NOTEBOOKS`, the reader's edition generated from it
(``zsl-course editions``), which is what a reader opens and what ``zsl-course run`` executes. The reader's edition
ships in a wheel as ``zsl_course/notebooks/`` (pyproject.toml maps the repository's ``notebooks/`` there); the
data (SHAPES, the committed benchmark results) ships with the library (:func:`zsl_utils.data.course_data`).
"""

from __future__ import annotations

import re
import shutil
from importlib import metadata, resources
from pathlib import Path

__all__ = [
    "DISTRIBUTION",
    "NOTEBOOKS",
    "SOURCES",
    "reader_edition",
    "copy_reader_edition",
    "repository_url",
    "course_version",
    "release_tag",
]

DISTRIBUTION = "zsl-course"
_READER_FILES = ("[0-9]*.ipynb", "NOTATION.md")
_CHECKOUT = Path(__file__).resolve().parents[1]
_PYPROJECT = _CHECKOUT / "pyproject.toml"  # present in a source checkout only
_VERSION = re.compile(r'^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', re.M | re.S)
_REPOSITORY = re.compile(r'^\[project\.urls\][^\[]*?^Repository\s*=\s*"([^"]+)"', re.M | re.S)
NOTEBOOKS = _CHECKOUT / "notebooks"
"""The reader's edition in a source checkout: no solution, no hidden test; executed and committed."""
SOURCES = _CHECKOUT / "instructor"
"""The instructor's source of every notebook in a source checkout, from which the editions are generated."""


def _package_folder() -> Path:
    folder = resources.files("zsl_course")
    if not isinstance(folder, Path):  # e.g. a zip import: the data files must be real files for scipy and numpy
        raise LookupError(f"zsl_course is imported from {folder}, not from a folder; install it unpacked (pip does)")
    return folder


def reader_edition() -> Path:
    """The folder holding the reader's edition of the notebooks: the package's ``notebooks/`` in a wheel install,
    the repository's ``notebooks/`` in a source checkout (an editable install); ValueError when neither holds one."""
    package = _package_folder()
    candidates = [package / "notebooks"]
    if (package.parent / "pyproject.toml").is_file():  # a source checkout: the package folder sits in the repository
        candidates.append(package.parent / "notebooks")
    for folder in candidates:
        if any(folder.glob(_READER_FILES[0])):
            return folder
    raise ValueError(
        f"no notebooks in {' or '.join(map(str, candidates))}: this installation of {DISTRIBUTION} "
        "ships no reader's edition; reinstall it from a wheel or from the repository"
    )


def copy_reader_edition(dest: str | Path) -> list[Path]:
    """Copy the reader's edition (the numbered notebooks and NOTATION.md, no solutions) into ``dest`` (created if
    needed) and return the copies. Refuses, copying nothing, when ``dest`` already holds one of those files."""
    source, dest = reader_edition(), Path(dest)
    files = sorted(path for pattern in _READER_FILES for path in source.glob(pattern))
    taken = [dest / path.name for path in files if (dest / path.name).exists()]
    if taken:
        raise ValueError(
            f"{dest} already holds {', '.join(p.name for p in taken)}; nothing copied: choose an "
            "empty folder (or move your edited notebooks away first)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(path, dest / path.name)) for path in files]


def repository_url() -> str:
    """The project's repository (``https://github.com/<owner>/<name>``), as ``[project.urls] Repository`` of
    pyproject.toml declares it: read from that file in a source checkout (an editable install's metadata is only as
    new as its last ``pip install -e .``), from the installed metadata elsewhere.

    Raises LookupError when neither declares it."""
    if _PYPROJECT.is_file():
        match = _REPOSITORY.search(_PYPROJECT.read_text())
        if match is None:
            raise LookupError(f"{_PYPROJECT} declares no [project.urls] Repository; add it (the course's git URL)")
        return match.group(1)
    try:
        urls = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError as error:
        raise LookupError(
            f"{DISTRIBUTION} is not installed, so its repository URL is unknown; "
            "install it (`pip install -e .` in the repository)"
        ) from error
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip()
    raise LookupError(
        f"the installed {DISTRIBUTION} metadata declares no Repository URL (found: {urls or 'none'}); "
        "reinstall it from a pyproject.toml with [project.urls] Repository"
    )


def course_version() -> str:
    """The course's version, the one string pyproject.toml's ``[project] version`` declares: read from that file in a
    source checkout (an editable install's metadata is only as new as its last ``pip install -e .``), from the
    installed metadata elsewhere (where ``zsl_course.__version__`` also comes from)."""
    if _PYPROJECT.is_file():
        match = _VERSION.search(_PYPROJECT.read_text())
        if match is None:
            raise LookupError(f"{_PYPROJECT} declares no [project] version")
        return match.group(1)
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError as error:
        raise LookupError(f"{DISTRIBUTION} is not installed, so its version is unknown; `pip install -e .`") from error


def release_tag() -> str:
    """The git tag of this version's release, ``v<version>`` (``v0.2.0``): what the Colab badge opens and what the
    Colab install cell installs, so that a notebook and the package it runs on come from the same release."""
    return f"v{course_version()}"
