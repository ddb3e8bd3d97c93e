"""Notebooks for the classroom: clean metadata, student copies made with nbgrader's preprocessors, and grading.

Exercises use nbgrader's markup: a solution cell (``nbgrader.solution``) holds ``### BEGIN SOLUTION`` /
``### END SOLUTION``; autograded test cells (``nbgrader.grade``, ``grade_id``, ``points``) check it, with
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` around checks hidden from students.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import time
import types
from collections.abc import Callable, Iterator
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
    "WithheldError",
    "withheld",
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


def execute_notebook(
    notebook: nbformat.NotebookNode, cwd: str | Path, timeout: int = 600, allow_errors: bool = True
) -> nbformat.NotebookNode:
    """Execute every cell in a fresh ``python3`` kernel of this environment, in ``cwd``. With ``allow_errors`` a
    failing cell's error stays in its outputs and execution goes on; without, it raises nbclient's
    ``CellExecutionError`` (with the cell's traceback)."""
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}}, config=_kernel_config(),
    )
    client.execute()
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


class WithheldError(RuntimeError):
    """A graded check called the package's own implementation of what the exercise asks for."""


def _resolve(path: str) -> tuple[object, str]:
    """``"zsl_utils.losses.ranking_loss"`` -> (the module or class that holds it, ``"ranking_loss"``)."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for name in parts[split:-1]:
                owner = getattr(owner, name)
            getattr(owner, parts[-1])
        except AttributeError:
            break
        return owner, parts[-1]
    raise ValueError(f"withheld: {path!r} names no attribute of an importable module; give a dotted path such as "
                     "'zsl_utils.losses.ranking_loss' or 'zsl_utils.models.ESZSL.closed_form'")


def _identities(value: object) -> set[int]:
    """ids of an object and of the function it wraps (a staticmethod, a bound method, a functools.wraps wrapper)."""
    found = {id(value)}
    for attribute in ("__func__", "__wrapped__"):
        inner = getattr(value, attribute, None)
        if inner is not None:
            found.add(id(inner))
    return found


def _code_names(code: types.CodeType) -> set[str]:
    """Global and attribute names a code object uses, nested functions and comprehensions included."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _code_names(constant)
    return names


def _held_reference(function: Callable, forbidden: dict[int, str]) -> tuple[str, str] | None:
    """(how ``function`` reaches it, the path) for the first withheld object that ``function`` holds by a global name,
    a closure, a default argument, or through a helper function defined beside it; None if it holds none."""
    stack, visited = [function], set()
    while stack:
        current = stack.pop()
        if id(current) in visited or not isinstance(current, types.FunctionType):
            continue
        visited.add(id(current))
        held = [(f"the global name {name!r}", current.__globals__[name])
                for name in sorted(_code_names(current.__code__)) if name in current.__globals__]
        held += [(f"the closure variable {name!r}", cell.cell_contents)
                 for name, cell in zip(current.__code__.co_freevars, current.__closure__ or ())
                 if cell.cell_contents is not None]
        held += [("a default argument", value) for value in (current.__defaults__ or ())]
        held += [("a default argument", value) for value in (current.__kwdefaults__ or {}).values()]
        for how, value in held:
            for identity in _identities(value):
                if identity in forbidden:
                    return how, forbidden[identity]
            if isinstance(value, types.FunctionType) and (value.__globals__ is function.__globals__ or how.startswith("the closure")):
                stack.append(value)
    return None


def _raiser(path: str) -> Callable:
    def withheld_reference(*args, **kwargs):
        raise WithheldError(f"write it yourself: the package's {path} is withheld in this check")

    return withheld_reference


@contextlib.contextmanager
def withheld(function: Callable, *references: str) -> Iterator[None]:
    """Run a student's ``function`` with the package's own implementation of the same thing made unavailable.

    ``references`` are dotted paths (``"zsl_utils.losses.ranking_loss"``, ``"zsl_utils.models.ESZSL.closed_form"``).
    On entry, raises :class:`WithheldError` if ``function`` holds one of them (imported under a global name, in a
    closure or a default argument, or through a helper function of the same namespace). Inside the block each
    reference is replaced on its module or class by a function that raises :class:`WithheldError`
    ("write it yourself: ..."), so calling it through the module, the class or an instance fails; everything is
    restored on exit. Compute the expected values before the block.
    """
    targets = [(path, *_resolve(path)) for path in references]
    objects = [(path, getattr(owner, name)) for path, owner, name in targets]   # kept alive while ids are compared
    objects += [(path, vars(owner)[name]) for path, owner, name in targets if name in vars(owner)]
    forbidden = {identity: path for path, value in objects for identity in _identities(value)}
    held = _held_reference(function, forbidden)
    if held is not None:
        how, path = held
        raise WithheldError(f"write it yourself: your function uses the package's {path} (through {how}), which is "
                            "withheld in this check")
    saved = []
    try:
        for path, owner, name in targets:
            raw = vars(owner).get(name, getattr(owner, name))
            replacement = _raiser(path)
            if isinstance(raw, staticmethod):
                replacement = staticmethod(replacement)
            elif isinstance(raw, classmethod):
                replacement = classmethod(replacement)
            saved.append((owner, name, name in vars(owner), raw))
            setattr(owner, name, replacement)
        yield
    finally:
        for owner, name, own, raw in reversed(saved):
            if own:
                setattr(owner, name, raw)
            else:
                delattr(owner, name)


def _clean_main(paths: list[str]) -> None:
    for path in paths:
        nbformat.write(clean_notebook(nbformat.read(path, as_version=4)), path)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] != ["clean"]:
        raise SystemExit("usage: python -m zsl_utils.teaching clean NOTEBOOK...")
    _clean_main(sys.argv[2:])
