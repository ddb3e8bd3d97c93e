"""The course's editions, made from the instructor's source with nbgrader's preprocessors: the reader's edition
(executed, what ``notebooks/`` holds) and the student edition (``zsl-course release``).

Exercises use nbgrader's markup: a solution cell (``nbgrader.solution``) holds ``### BEGIN SOLUTION`` /
``### END SOLUTION``; autograded test cells (``nbgrader.grade``, ``grade_id``, ``points``) check it, with
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` around checks hidden from students.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from pathlib import Path

import nbformat

from .kernels import clean_notebook, execute_notebook

__all__ = [
    "READER_TAG",
    "NBVAL_TAGS",
    "POINTS",
    "heading_before",
    "nbgrader_meta",
    "reader_tags",
    "set_tags",
    "student_copy",
    "untouched_edition",
    "release",
]

POINTS = re.compile(r"\s*\(\d+(?:\.\d+)? points?\)")
"""The points of an exercise heading: "(2 points)"."""

READER_TAG = "raises-exception"
"""The tag of the cells a reader's or student's edition may see fail (an unfinished exercise's stub and its checks):
JupyterLab's Run All, nbclient and nbgrader's autograder carry on past a failing cell that has it."""

NBVAL_TAGS = ("nbval-check-output", "nbval-ignore-output", "nbval-skip", "nbval-raises-exception")
"""nbval's cell tags: test markers of the instructor's source, left out of the editions."""


def heading_before(notebook: nbformat.NotebookNode, index: int) -> str:
    """The last markdown heading above cell ``index``, without its ``#``s."""
    for cell in reversed(notebook.cells[:index]):
        if cell.cell_type == "markdown":
            headings = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
            if headings:
                return headings[-1]
    return ""


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    """A cell's nbgrader metadata (``{}`` for a cell nbgrader does not grade)."""
    return cell.metadata.get("nbgrader", {})


def _exercise_label(notebook: nbformat.NotebookNode, index: int) -> str:
    """How the reader knows the exercise of cell ``index``: its heading's words before the colon (``Exercise 7.1``),
    or ``This exercise`` when no heading above names an exercise."""
    heading = heading_before(notebook, index)
    label = POINTS.sub("", heading).split(":")[0].strip()
    return label if "exercise" in label.lower() and len(label) <= 16 and '"' not in label else "This exercise"


def _named_stubs(notebook: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
    """nbgrader's ClearSolutions, with each code stub raising a NotImplementedError that names its exercise."""
    from nbgrader.preprocessors import ClearSolutions

    default = ClearSolutions()
    language = notebook.metadata.get("kernelspec", {}).get("language", "python")
    for index, cell in enumerate(notebook.cells):
        message = f"{_exercise_label(notebook, index)} is not done yet: write your code here"
        stub = f'# YOUR CODE HERE\nraise NotImplementedError("{message}")'
        clear = ClearSolutions(code_stub={**default.code_stub, language: stub})
        notebook.cells[index], resources = clear.preprocess_cell(cell, {**resources, "language": language}, index)
    return notebook, resources


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The edition a reader or student gets, made by nbgrader's own preprocessors: solutions replaced by a stub that
    raises ``NotImplementedError("Exercise 7.1 is not done yet: write your code here")``, hidden tests removed, outputs cleared,
    graded cells locked. Each solution cell and each autograded test cell is tagged :data:`READER_TAG`, so that Run
    All reports every unfinished exercise and still runs to the end; nbval's tags are left out.

    The reader's edition (``notebooks/``) is this, executed; the student edition (``zsl-course release``) is this
    as it is."""
    from nbgrader.preprocessors import CheckCellMetadata, ClearHiddenTests, ClearOutput, LockCells

    notebook = copy.deepcopy(notebook)
    resources: dict = {}
    notebook, resources = CheckCellMetadata().preprocess(notebook, resources)
    notebook, resources = _named_stubs(notebook, resources)
    for preprocessor in (ClearHiddenTests(), ClearOutput(), LockCells()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    return clean_notebook(reader_tags(notebook))


def reader_tags(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` (changed in place) with each solution and autograded test cell tagged :data:`READER_TAG` and
    nbval's tags dropped."""
    for cell in notebook.cells:
        tags = [tag for tag in cell.metadata.get("tags", []) if tag not in NBVAL_TAGS]
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade")) and READER_TAG not in tags:
            tags.append(READER_TAG)
        set_tags(cell, tags)
    return notebook


def set_tags(cell: nbformat.NotebookNode, tags: list[str]) -> None:
    """Give ``cell`` these tags, in place; with none, no ``tags`` key (as Jupyter writes an untagged cell)."""
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)


_STUB = re.compile(r'raise NotImplementedError\(".*is not done yet: write your code here"\)')
"""The line of a code stub that :func:`student_copy` writes; a markdown solution's stub is nbgrader's text stub."""


def untouched_edition(path: Path, edition: nbformat.NotebookNode) -> bool:
    """Whether the notebook at ``path`` is an edition as this command writes it, which it may replace: a notebook
    whose exercise cells (nbgrader's solution cells) all still hold their stubs, or whose cells are those of
    ``edition``. A student's worked notebook (a stub replaced), or a notebook of another origin, is not."""
    try:
        existing = nbformat.read(path, as_version=4)
    except Exception:  # not JSON, not a notebook, unreadable: not ours
        return False
    if [(c.cell_type, c.source) for c in existing.cells] == [(c.cell_type, c.source) for c in edition.cells]:
        return True
    solutions = [cell for cell in existing.cells if nbgrader_meta(cell).get("solution")]
    stubbed = all(
        _STUB.search(cell.source) if cell.cell_type == "code" else cell.source.strip() == "YOUR ANSWER HERE"
        for cell in solutions
    )
    return bool(solutions) and stubbed


def _write_atomically(notebook: nbformat.NotebookNode, target: Path) -> None:
    """Write ``notebook`` to a temporary file beside ``target``, then rename it: never a half-written notebook."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        nbformat.write(notebook, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _edition_sources(source: Path, pattern: str) -> list[Path]:
    """The notebooks of ``source`` (one .ipynb, or a folder's notebooks matching ``pattern``), with clear errors."""
    if not source.exists():
        raise ValueError(f"source not found: {source}; give a notebook or a folder of the instructor's notebooks")
    notebooks = [source] if source.is_file() else sorted(source.glob(pattern))
    if not notebooks:
        raise ValueError(f"no notebook matching {pattern!r} in {source}")
    return notebooks


def release(
    source: str | Path,
    out: str | Path,
    pattern: str = "*.ipynb",
    execute: bool = False,
    timeout: int = 900,
    on_written: Callable[[Path], None] | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the :func:`student_copy` of every notebook of ``source`` (a folder, whose notebooks matching ``pattern``
    are taken, or one .ipynb) to ``out``: the student edition, or with ``execute`` the reader's edition, each copy
    executed in ``out`` in a fresh kernel (past its unfinished exercises, stopping at any other error: nothing is
    written for a notebook that fails) and cleaned. ``out`` must not be the source's own folder. A notebook already
    in ``out`` is replaced only when it is an :func:`untouched_edition` (or with ``force``): otherwise nothing is
    written. Each file is replaced atomically. ``on_written`` is called with each path as it is written."""
    source, out = Path(source), Path(out)
    notebooks = _edition_sources(source, pattern)
    if out.resolve() == (source.parent if source.is_file() else source).resolve():
        raise ValueError(
            f"{out} is the source's own folder: an edition there would overwrite the instructor's "
            "notebooks; write it to another folder"
        )
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder; choose a folder for the edition")
    editions = {path: student_copy(nbformat.read(path, as_version=4)) for path in notebooks}
    taken = [
        out / path.name
        for path, edition in editions.items()
        if (out / path.name).exists() and not untouched_edition(out / path.name, edition)
    ]
    if taken and not force:
        raise ValueError(
            f"{out} holds notebooks that are not untouched editions (exercises worked, or of another origin): "
            f"{', '.join(p.name for p in taken)}; nothing was written: choose another --out, move them away, "
            "or pass --force to overwrite them"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, edition in editions.items():
        if execute:
            edition = clean_notebook(execute_notebook(edition, cwd=out, timeout=timeout, allow_errors=False))
        target = out / path.name
        _write_atomically(edition, target)
        written.append(target)
        if on_written is not None:
            on_written(target)
    return written
