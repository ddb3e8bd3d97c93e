"""Notebooks for the classroom: clean metadata, student copies made with nbgrader's preprocessors, and grading.

Exercises use nbgrader's markup: a solution cell (``nbgrader.solution``) holds ``### BEGIN SOLUTION`` /
``### END SOLUTION``; autograded test cells (``nbgrader.grade``, ``grade_id``, ``points``) check it, with
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` around checks hidden from students.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import re
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import zmq
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell
from traitlets.config import Config

__all__ = [
    "READER_TAG",
    "NBVAL_TAGS",
    "kernel_language_info",
    "clean_notebook",
    "student_copy",
    "release",
    "Exercise",
    "GradeReport",
    "grade_notebook",
    "execute_notebook",
    "notebook_client",
    "GradedExercise",
    "graded_exercises",
    "update_exercise_table",
    "WithheldError",
    "withheld",
]

_POINTS = re.compile(r"\s*\(\d+(?:\.\d+)? points?\)")   # "(2 points)" in an exercise heading
_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

READER_TAG = "raises-exception"
"""The tag of the cells a reader's or student's edition may see fail (an unfinished exercise's stub and its checks):
JupyterLab's Run All, nbclient and nbgrader's autograder carry on past a failing cell that has it."""

NBVAL_TAGS = ("nbval-check-output", "nbval-ignore-output", "nbval-skip", "nbval-raises-exception")
"""nbval's cell tags: test markers of the instructor's source, left out of the editions."""


def kernel_language_info() -> dict:
    """The ``language_info`` that this environment's ``python3`` kernel (ipykernel) reports in its kernel_info_reply,
    and that JupyterLab writes into a notebook when the kernel starts (the Python version included)."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def clean_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata in place (execution timings, widget state, cell ids); keep outputs. The notebook's
    metadata becomes what JupyterLab writes when it opens it with this environment's kernel (:data:`_KERNELSPEC`
    and :func:`kernel_language_info`), so that opening it does not mark it changed."""
    notebook.metadata = nbformat.from_dict({"kernelspec": _KERNELSPEC, "language_info": kernel_language_info()})
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        cell.pop("id", None)
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    return notebook


def _exercise_label(notebook: nbformat.NotebookNode, index: int) -> str:
    """How the reader knows the exercise of cell ``index``: its heading's words before the colon (``Exercise 7.1``),
    or ``This exercise`` when no heading above names an exercise."""
    heading = _heading_before(notebook, index)
    label = _POINTS.sub("", heading).split(":")[0].strip()
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
    for cell in notebook.cells:
        tags = [tag for tag in cell.metadata.get("tags", []) if tag not in NBVAL_TAGS]
        meta = _nbgrader_meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade")) and READER_TAG not in tags:
            tags.append(READER_TAG)
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    return clean_notebook(notebook)


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
) -> list[Path]:
    """Write the :func:`student_copy` of every notebook of ``source`` (a folder, whose notebooks matching ``pattern``
    are taken, or one .ipynb) to ``out``: the student edition, or with ``execute`` the reader's edition, each copy
    executed in ``out`` in a fresh kernel (past its unfinished exercises, stopping at any other error: nothing is
    written for a notebook that fails) and cleaned. ``out`` must not be the source's own folder. ``on_written`` is
    called with each path as it is written."""
    source, out = Path(source), Path(out)
    notebooks = _edition_sources(source, pattern)
    if out.resolve() == (source.parent if source.is_file() else source).resolve():
        raise ValueError(f"{out} is the source's own folder: an edition there would overwrite the instructor's "
                         "notebooks; write it to another folder")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        edition = student_copy(nbformat.read(path, as_version=4))
        if execute:
            edition = clean_notebook(execute_notebook(edition, cwd=out, timeout=timeout, allow_errors=False))
        target = out / path.name
        nbformat.write(edition, target)
        written.append(target)
        if on_written is not None:
            on_written(target)
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
    """A self-check of one notebook: each autograded cell's points, and notes on the test cells (restored from the
    course's source notebook, deleted, or not checked because no source notebook holds them)."""

    notebook: str
    exercises: list[Exercise] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def earned(self) -> float:
        return sum(e.earned for e in self.exercises)

    @property
    def total(self) -> float:
        return sum(e.points for e in self.exercises)

    def __str__(self) -> str:
        lines = [f"{self.notebook}"] + [f"  note: {note}" for note in self.notes]
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


def _nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


def _is_autograded_test(cell: nbformat.NotebookNode) -> bool:
    meta = _nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _grade_ids(notebook: nbformat.NotebookNode) -> set[str]:
    return {_nbgrader_meta(cell)["grade_id"] for cell in notebook.cells if "grade_id" in _nbgrader_meta(cell)}


def _source_notebook(notebook: nbformat.NotebookNode, sources: Path) -> tuple[Path, nbformat.NotebookNode] | None:
    """The notebook of ``sources`` (a folder of solution notebooks, or one) sharing the most grade ids with
    ``notebook``; None when none shares any."""
    ids = _grade_ids(notebook)
    best, shared = None, 0
    for path in [sources] if sources.is_file() else sorted(sources.glob("*.ipynb")):
        candidate = nbformat.read(path, as_version=4)
        common = len(ids & _grade_ids(candidate))
        if common > shared:
            best, shared = (path, candidate), common
    return best


def _restore_tests(notebook: nbformat.NotebookNode, source: nbformat.NotebookNode) -> tuple[list[str], list[str]]:
    """Put the source's autograded test cells (hidden tests included, with the source's points) back into
    ``notebook``, in place, matched by grade_id. Returns the grade ids whose cell differed from both the released
    copy and the source, and those missing from ``notebook``."""
    tests = {_nbgrader_meta(cell)["grade_id"]: cell for cell in source.cells if _is_autograded_test(cell)}
    released = {_nbgrader_meta(cell).get("grade_id"): cell.source for cell in student_copy(source).cells}
    changed = []
    for i, cell in enumerate(notebook.cells):
        grade_id = _nbgrader_meta(cell).get("grade_id")
        if grade_id in tests:
            test = tests[grade_id]
            points = _nbgrader_meta(test)["points"]
            as_given = (cell.cell_type, cell.source, _nbgrader_meta(cell).get("points"))
            if as_given not in {("code", released[grade_id], points), ("code", test.source, points)}:
                changed.append(grade_id)
            restored = new_code_cell(test.source, metadata=copy.deepcopy(test.metadata))
            if "id" in cell:
                restored.id = cell.id
            else:
                restored.pop("id", None)
            notebook.cells[i] = restored
    missing = sorted(set(tests) - _grade_ids(notebook))
    return changed, missing


def grade_notebook(path: str | Path, sources: str | Path | None = None, timeout: int = 600) -> GradeReport:
    """A student's self-check, scored as nbgrader's autograder would: the autograded test cells are first restored
    from the source notebook (the solution notebook of ``sources`` that shares the notebook's grade ids; default:
    the course's instructor's source, :data:`zsl_utils.course.SOURCES`), hidden tests and points included, so an
    edited or emptied check cannot give points; a deleted one scores 0. The notebook then runs in a fresh kernel (continuing past errors), and each
    autograded cell that runs without error earns its points. When no source notebook holds the notebook's grade
    ids, its test cells run as submitted and the report says so."""
    from .course import SOURCES

    path = Path(path)
    sources = Path(sources) if sources is not None else SOURCES
    start = time.perf_counter()
    notebook = nbformat.read(path, as_version=4)
    notes = []
    found = _source_notebook(notebook, sources)
    if found is None:
        notes.append(f"no notebook in {sources} holds these grade ids: the test cells ran as submitted, unchecked")
    else:
        changed, missing = _restore_tests(notebook, found[1])
        if changed:
            notes.append(f"test cells put back from {found[0]} (this copy had changed them): {', '.join(changed)}")
        if missing:
            notes.append(f"test cells deleted from this notebook score 0: {', '.join(missing)}")
    notebook = execute_notebook(notebook, cwd=path.parent, timeout=timeout)
    errors: dict[str, str] = {}
    for cell in notebook.cells:
        if _is_autograded_test(cell):
            errors.setdefault(_nbgrader_meta(cell)["grade_id"], _error_of(cell))
    graded = found[1] if found is not None else notebook   # only the source's test cells and points count
    report = GradeReport(notebook=str(path), notes=notes, seconds=time.perf_counter() - start)
    for cell in graded.cells:
        if _is_autograded_test(cell):
            grade_id, points = _nbgrader_meta(cell)["grade_id"], float(_nbgrader_meta(cell).get("points", 0))
            error = errors.get(grade_id, "the test cell was deleted")
            report.exercises.append(Exercise(grade_id, points, 0.0 if error else points, error))
    return report


@dataclass(frozen=True)
class GradedExercise:
    """One graded exercise of a notebook: its answer cell's ``grade_id`` (or, for a test cell that belongs to no
    answer, its own), the heading it sits under, its points (summed over its test cells ``<grade_id>_test...``
    when autograded) and how it is graded (``autograded`` or ``manual``)."""

    notebook: str
    grade_id: str
    heading: str
    points: float
    grading: str

    @property
    def title(self) -> str:
        """The heading without its points: ``Exercise 6.1 (2 points): per-class accuracy`` -> ``Exercise 6.1:
        per-class accuracy``."""
        return _POINTS.sub("", self.heading)


def _heading_before(notebook: nbformat.NotebookNode, index: int) -> str:
    """The last markdown heading above cell ``index``, without its ``#``s."""
    for cell in reversed(notebook.cells[:index]):
        if cell.cell_type == "markdown":
            headings = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
            if headings:
                return headings[-1]
    return ""


def graded_exercises(path: str | Path) -> list[GradedExercise]:
    """The graded exercises of a notebook in their order: each nbgrader answer cell (its autograded test cells are
    named ``<grade_id>_test...``), each task cell, and each autograded test cell that belongs to no answer."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    answers = [
        _nbgrader_meta(cell)["grade_id"]
        for cell in notebook.cells
        if _nbgrader_meta(cell).get("solution") and not _nbgrader_meta(cell).get("grade")
    ]
    exercises = []
    for i, cell in enumerate(notebook.cells):
        meta = _nbgrader_meta(cell)
        if not (meta.get("solution") or meta.get("grade") or meta.get("task")):
            continue
        grade_id = meta["grade_id"]
        if meta.get("solution") and not meta.get("grade"):
            points = sum(
                float(_nbgrader_meta(test)["points"])
                for test in notebook.cells
                if _is_autograded_test(test) and _nbgrader_meta(test)["grade_id"].startswith(f"{grade_id}_test")
            )
            grading = "autograded"
        elif _is_autograded_test(cell):
            if any(grade_id.startswith(f"{answer}_test") for answer in answers):
                continue
            points, grading = float(meta["points"]), "autograded"
        else:   # a manually graded answer or task
            points, grading = float(meta["points"]), "manual"
        exercises.append(GradedExercise(path.stem, grade_id, _heading_before(notebook, i), points, grading))
    return exercises


EXERCISE_TABLE_BEGIN = "<!-- BEGIN EXERCISE TABLE: written by `zsl-course exercise-table` from the notebooks; do not edit -->"
EXERCISE_TABLE_END = "<!-- END EXERCISE TABLE -->"


def _exercise_table(notebooks: Path) -> str:
    rows = ["| notebook | exercise | grade_id | points | graded |", "| --- | --- | --- | --- | --- |"]
    exercises = [e for path in sorted(notebooks.glob("[0-9]*.ipynb")) for e in graded_exercises(path)]
    for e in exercises:
        title = e.title.replace("|", "\\|")
        rows.append(f"| {e.notebook} | {title} | `{e.grade_id}` | {e.points:g} | {e.grading} |")
    manual = sum(e.points for e in exercises if e.grading == "manual")
    rows.append("")
    total = sum(e.points for e in exercises)
    rows.append(f"{len(exercises)} graded exercises, {total:g} points, {manual:g} of them graded by hand.")
    return "\n".join(rows)


def update_exercise_table(doc: str | Path, notebooks: str | Path | None = None) -> bool:
    """Rewrite the exercise table of ``doc`` (between its ``EXERCISE_TABLE_BEGIN`` and ``EXERCISE_TABLE_END``
    lines) from the graded cells of ``notebooks`` (default: the instructor's source). Returns whether the file
    changed."""
    from .course import SOURCES

    doc = Path(doc)
    text = doc.read_text()
    if text.count(EXERCISE_TABLE_BEGIN) != 1 or text.count(EXERCISE_TABLE_END) != 1:
        raise ValueError(
            f"{doc} needs one line {EXERCISE_TABLE_BEGIN!r} and one line {EXERCISE_TABLE_END!r} around its exercise table"
        )
    head, rest = text.split(EXERCISE_TABLE_BEGIN)
    _, tail = rest.split(EXERCISE_TABLE_END)
    table = _exercise_table(Path(notebooks) if notebooks is not None else SOURCES)
    updated = f"{head}{EXERCISE_TABLE_BEGIN}\n{table}\n{EXERCISE_TABLE_END}{tail}"
    if updated == text:
        return False
    doc.write_text(updated)
    return True


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
