"""Notebooks for the classroom: clean metadata, student copies made with nbgrader's preprocessors, and grading.

Exercises use nbgrader's markup: a solution cell (``nbgrader.solution``) holds ``### BEGIN SOLUTION`` /
``### END SOLUTION``; autograded test cells (``nbgrader.grade``, ``grade_id``, ``points``) check it, with
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` around checks hidden from students.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import zmq
from jupyter_client import KernelManager
from nbclient import NotebookClient
from traitlets.config import Config

__all__ = [
    "clean_notebook",
    "student_copy",
    "release",
    "Exercise",
    "GradeReport",
    "grade_notebook",
    "execute_notebook",
    "notebook_client",
]

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def clean_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata in place (execution timings, widget state, kernel versions); keep outputs."""
    notebook.metadata = nbformat.from_dict(
        {"kernelspec": _KERNELSPEC, "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    )
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        cell.pop("id", None)
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    return notebook


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version, made by nbgrader's own preprocessors: solutions replaced by a ``raise
    NotImplementedError()`` stub, hidden tests removed, outputs cleared, graded cells locked."""
    from nbgrader.preprocessors import CheckCellMetadata, ClearHiddenTests, ClearOutput, ClearSolutions, LockCells

    notebook = copy.deepcopy(notebook)
    resources: dict = {}
    for preprocessor in (CheckCellMetadata(), ClearSolutions(), ClearHiddenTests(), ClearOutput(), LockCells()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    return clean_notebook(notebook)


def release(source: str | Path, out: str | Path) -> list[Path]:
    """Write the student copy of every notebook in ``source`` (a folder or one .ipynb) to ``out``."""
    source, out = Path(source), Path(out)
    notebooks = [source] if source.is_file() else sorted(source.glob("*.ipynb"))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        target = out / path.name
        nbformat.write(student_copy(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


@dataclass(frozen=True)
class Exercise:
    """One autograded cell: its ``grade_id``, the points it is worth, those earned, and the error if it failed."""

    grade_id: str
    points: float
    earned: float
    error: str = ""


@dataclass
class GradeReport:
    notebook: str
    exercises: list[Exercise] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def earned(self) -> float:
        return sum(e.earned for e in self.exercises)

    @property
    def total(self) -> float:
        return sum(e.points for e in self.exercises)

    def __str__(self) -> str:
        lines = [f"{self.notebook}"]
        for e in self.exercises:
            status = "ok" if e.earned == e.points else f"FAILED: {e.error}"
            lines.append(f"  {e.grade_id:<32} {e.earned:g}/{e.points:g}  {status}")
        lines.append(f"  total {self.earned:g}/{self.total:g}")
        return "\n".join(lines)


def _kernel_config() -> Config:
    """Kernels with CurveZMQ transport encryption where jupyter_client can provision it: over plain TCP, ipykernel
    prints a warning at every start, which a newcomer takes for an error."""
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        return Config({"KernelManager": {"transport_encryption": "auto"}})
    return Config()


def notebook_client(
    notebook: nbformat.NotebookNode, cwd: str | Path, timeout: int = 600, allow_errors: bool = True
) -> NotebookClient:
    """An nbclient client that runs ``notebook`` in a fresh ``python3`` kernel of this environment, in ``cwd``
    (CurveZMQ-encrypted kernel transport; see :func:`execute_notebook`)."""
    return NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}}, config=_kernel_config(),
    )


def execute_notebook(
    notebook: nbformat.NotebookNode, cwd: str | Path, timeout: int = 600, allow_errors: bool = True
) -> nbformat.NotebookNode:
    """Execute every cell in a fresh ``python3`` kernel of this environment, in ``cwd``. With ``allow_errors`` a
    failing cell's error stays in its outputs and execution goes on; without, it raises nbclient's
    ``CellExecutionError`` (with the cell's traceback)."""
    notebook_client(notebook, cwd, timeout, allow_errors).execute()
    return notebook


def _error_of(cell: nbformat.NotebookNode) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {output.get('evalue')}"[:200]
    return ""


def grade_notebook(path: str | Path, timeout: int = 600) -> GradeReport:
    """Execute a notebook and score its autograded cells: full points for a cell that runs without error."""
    path = Path(path)
    start = time.perf_counter()
    notebook = execute_notebook(nbformat.read(path, as_version=4), cwd=path.parent, timeout=timeout)
    report = GradeReport(notebook=path.name, seconds=time.perf_counter() - start)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            error = _error_of(cell)
            points = float(meta.get("points", 0))
            report.exercises.append(Exercise(meta["grade_id"], points, 0.0 if error else points, error))
    return report


def _clean_main(paths: list[str]) -> None:
    for path in paths:
        nbformat.write(clean_notebook(nbformat.read(path, as_version=4)), path)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] != ["clean"]:
        raise SystemExit("usage: python -m zsl_utils.teaching clean NOTEBOOK...")
    _clean_main(sys.argv[2:])
