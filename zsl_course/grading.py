"""Grading the course's exercises: a student's self-check scored as nbgrader's autograder would, the exercise
table of docs/teaching.md, and :func:`withheld`, which runs a student's function with the package's own
implementation made unavailable."""

from __future__ import annotations

import contextlib
import copy
import importlib
import os
import sys
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from .distribution import SOURCES
from .editions import POINTS, heading_before, nbgrader_meta, set_tags, student_copy
from .kernels import execute_notebook

__all__ = [
    "Exercise",
    "GradeReport",
    "grade_notebook",
    "NOT_RUN_AT_GRADING",
    "skip_ungraded_cells",
    "GradedExercise",
    "graded_exercises",
    "update_exercise_table",
    "WithheldError",
    "withheld",
]


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
        """Points earned over every autograded cell."""
        return sum(e.earned for e in self.exercises)

    @property
    def total(self) -> float:
        """Points available over every autograded cell."""
        return sum(e.points for e in self.exercises)

    def __str__(self) -> str:
        lines = [f"{self.notebook}"] + [f"  note: {note}" for note in self.notes]
        for e in self.exercises:
            status = "ok" if e.earned == e.points else f"FAILED: {e.error}"
            lines.append(f"  {e.grade_id:<32} {e.earned:g}/{e.points:g}  {status}")
        lines.append(f"  total {self.earned:g}/{self.total:g}")
        return "\n".join(lines)


def _error_of(cell: nbformat.NotebookNode) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return " ".join(f"{output.get('ename')}: {output.get('evalue')}".split())[:200]  # one line per check
    return ""


def _is_autograded_test(cell: nbformat.NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_read_only(cell: nbformat.NotebookNode) -> bool:
    """A locked cell that is neither an answer nor a test: the set-up cell, which grading restores and runs."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("locked")) and not meta.get("grade") and not meta.get("solution")


NOT_RUN_AT_GRADING = "not-run-at-grading"
"""The tag that grading (``zsl-course grade``, and ``nbgrader autograde`` in a course folder of ``zsl-course
course``) gives every code cell it does not run."""


def skip_ungraded_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Tag :data:`NOT_RUN_AT_GRADING`, in place, on every code cell without an nbgrader ``grade_id``, and take it off
    the others: grading runs the set-up cell (read-only) and the graded cells (answers and their checks), which
    is all the exercises may depend on, and leaves the notebook's demonstrations, trainings and figures unrun. Under
    ``nbgrader autograde`` it runs after nbgrader's OverwriteCells, which strips a grade id the gradebook does not
    know, so a student cannot make a cell of theirs run by giving it one."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = [tag for tag in cell.metadata.get("tags", []) if tag != NOT_RUN_AT_GRADING]
        if "grade_id" not in nbgrader_meta(cell):
            tags.append(NOT_RUN_AT_GRADING)
        set_tags(cell, tags)
    return notebook


def _grade_ids(notebook: nbformat.NotebookNode) -> set[str]:
    return {nbgrader_meta(cell)["grade_id"] for cell in notebook.cells if "grade_id" in nbgrader_meta(cell)}


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
    """Put the source's autograded test cells (hidden tests included, with the source's points) and its read-only
    set-up cell back into ``notebook``, in place, matched by grade_id. Returns the grade ids whose cell differed
    from both the released copy and the source, and those missing from ``notebook``."""
    tests = {
        nbgrader_meta(cell)["grade_id"]: cell
        for cell in source.cells
        if _is_autograded_test(cell) or _is_read_only(cell)
    }
    released = {nbgrader_meta(cell).get("grade_id"): cell.source for cell in student_copy(source).cells}
    changed = []
    for i, cell in enumerate(notebook.cells):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in tests:
            test = tests[grade_id]
            points = nbgrader_meta(test).get("points")
            as_given = (cell.cell_type, cell.source, nbgrader_meta(cell).get("points"))
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
    the course's instructor's source, :data:`zsl_course.distribution.SOURCES`), hidden tests and points included, so
    an edited or emptied check cannot give points; a deleted one scores 0; the read-only set-up cell is restored
    too. The set-up cell and the graded cells then run in a fresh kernel (continuing past errors; every other cell
    is left unrun, :func:`skip_ungraded_cells`), and each autograded cell that runs without error earns its points. When no source
    notebook holds the notebook's grade ids, its test cells run as submitted and the report says so."""
    path = Path(path)
    sources = Path(sources) if sources is not None else SOURCES
    start = time.perf_counter()
    notebook = nbformat.read(path, as_version=4)
    notes = []
    found = _source_notebook(notebook, sources)
    if found is None:
        where = (
            f"no solution notebook in {sources} holds these grade ids" if sources.exists() else "no solution notebooks"
        )
        notes.append(f"{where}: the visible checks ran as submitted; the hidden checks run at grading")
    else:
        changed, missing = _restore_tests(notebook, found[1])
        if changed:
            notes.append(f"test cells put back from {found[0]} (this copy had changed them): {', '.join(changed)}")
        if missing:
            notes.append(f"cells deleted from this notebook (their checks score 0): {', '.join(missing)}")
    skip_ungraded_cells(notebook)
    notebook = execute_notebook(notebook, cwd=path.parent, timeout=timeout, skip_tag=NOT_RUN_AT_GRADING)
    errors: dict[str, str] = {}
    for cell in notebook.cells:
        if _is_autograded_test(cell):
            errors.setdefault(nbgrader_meta(cell)["grade_id"], _error_of(cell))
    graded = found[1] if found is not None else notebook  # only the source's test cells and points count
    report = GradeReport(notebook=str(path), notes=notes, seconds=time.perf_counter() - start)
    for cell in graded.cells:
        if _is_autograded_test(cell):
            grade_id, points = nbgrader_meta(cell)["grade_id"], float(nbgrader_meta(cell).get("points", 0))
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
        return POINTS.sub("", self.heading)


def graded_exercises(path: str | Path) -> list[GradedExercise]:
    """The graded exercises of a notebook in their order: each nbgrader answer cell (its autograded test cells are
    named ``<grade_id>_test...``), each task cell, and each autograded test cell that belongs to no answer."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    answers = [
        nbgrader_meta(cell)["grade_id"]
        for cell in notebook.cells
        if nbgrader_meta(cell).get("solution") and not nbgrader_meta(cell).get("grade")
    ]
    exercises = []
    for i, cell in enumerate(notebook.cells):
        meta = nbgrader_meta(cell)
        if not (meta.get("solution") or meta.get("grade") or meta.get("task")):
            continue
        grade_id = meta["grade_id"]
        if meta.get("solution") and not meta.get("grade"):
            points = sum(
                float(nbgrader_meta(test)["points"])
                for test in notebook.cells
                if _is_autograded_test(test) and nbgrader_meta(test)["grade_id"].startswith(f"{grade_id}_test")
            )
            grading = "autograded"
        elif _is_autograded_test(cell):
            if any(grade_id.startswith(f"{answer}_test") for answer in answers):
                continue
            points, grading = float(meta["points"]), "autograded"
        else:  # a manually graded answer or task
            points, grading = float(meta["points"]), "manual"
        exercises.append(GradedExercise(path.stem, grade_id, heading_before(notebook, i), points, grading))
    return exercises


EXERCISE_TABLE_BEGIN = (
    "<!-- BEGIN EXERCISE TABLE: written by `zsl-course exercise-table` from the notebooks; do not edit -->"
)
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
    raise ValueError(
        f"withheld: {path!r} names no attribute of an importable module; give a dotted path such as "
        "'zsl_utils.losses.ranking_loss' or 'zsl_utils.models.ESZSL.closed_form'"
    )


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
        held = [
            (f"the global name {name!r}", current.__globals__[name])
            for name in sorted(_code_names(current.__code__))
            if name in current.__globals__
        ]
        held += [
            (f"the closure variable {name!r}", cell.cell_contents)
            for name, cell in zip(current.__code__.co_freevars, current.__closure__ or ())
            if cell.cell_contents is not None
        ]
        held += [("a default argument", value) for value in (current.__defaults__ or ())]
        held += [("a default argument", value) for value in (current.__kwdefaults__ or {}).values()]
        for how, value in held:
            for identity in _identities(value):
                if identity in forbidden:
                    return how, forbidden[identity]
            if isinstance(value, types.FunctionType) and (
                value.__globals__ is function.__globals__ or how.startswith("the closure")
            ):
                stack.append(value)
    return None


def _raiser(path: str) -> Callable:
    def withheld_reference(*args, **kwargs):
        raise WithheldError(f"write it yourself: the package's {path} is withheld in this check")

    return withheld_reference


def _code_keys(objects: list[tuple[str, object]]) -> dict[tuple[str, str], str]:
    """(file, qualified name) of the code of every withheld object -> its path: the same code runs whichever name,
    container, partial or freshly loaded copy of its module calls it. A class counts with all its functions."""
    keys = {}
    for path, value in objects:
        members = list(vars(value).values()) if isinstance(value, type) else [value]
        for member in members:
            for candidate in (member, getattr(member, "__func__", None), getattr(member, "__wrapped__", None)):
                code = getattr(candidate, "__code__", None)
                if isinstance(code, types.CodeType):
                    keys[(code.co_filename, code.co_qualname)] = path
    return keys


class _CallGuard:
    """A profile function (``sys.setprofile``) that refuses every call into a withheld object's code."""

    def __init__(self, keys: dict[tuple[str, str], str]) -> None:
        self.keys = {(os.path.realpath(file), name): path for (file, name), path in keys.items()}
        self.files: dict[str, str] = {}  # a code object's file name -> its real path (a copy loaded by another path)

    def __call__(self, frame: types.FrameType, event: str, arg: object) -> None:
        if event == "call":
            file = frame.f_code.co_filename
            real = self.files.get(file) or self.files.setdefault(file, os.path.realpath(file))
            path = self.keys.get((real, frame.f_code.co_qualname))
            if path is not None:
                raise WithheldError(f"write it yourself: the package's {path} is withheld in this check")


def _check_machinery() -> None:
    """Refuse to grade when the checks' own tools were replaced: ``torch.testing.assert_close`` must be torch's."""
    import torch.testing
    from torch.testing import _comparison

    genuine = _comparison.assert_close
    home = Path(torch.testing.__file__).resolve().parents[1]
    code = getattr(genuine, "__code__", None)
    if torch.testing.assert_close is not genuine or code is None or not Path(code.co_filename).is_relative_to(home):
        raise WithheldError(
            "torch.testing.assert_close is not torch's own: restart the kernel and run the notebook without "
            "replacing the checks' tools"
        )


@contextlib.contextmanager
def withheld(function: Callable, *references: str) -> Iterator[None]:
    """Run a student's ``function`` with the package's own implementation of the same thing made unavailable.

    ``references`` are dotted paths (``"zsl_utils.losses.ranking_loss"``, ``"zsl_utils.models.ESZSL.closed_form"``).
    On entry, refuses (:class:`WithheldError`) a replaced ``torch.testing.assert_close`` and a ``function`` that
    holds a reference (imported under a global name, in a closure or a default argument, or through a helper
    function of the same namespace). Inside the block each reference is replaced on its module or class by a
    function that raises :class:`WithheldError` ("write it yourself: ..."), and any call into its code, through
    another module that re-exports it, a container, a partial, a reloaded or freshly loaded copy of its module,
    raises the same; switching that guard off inside the block fails the check on exit. Everything is restored on
    exit. Compute the expected values after the block, so that the student's function cannot read them.
    """
    _check_machinery()
    targets = [(path, *_resolve(path)) for path in references]
    objects = [(path, getattr(owner, name)) for path, owner, name in targets]  # kept alive while ids are compared
    objects += [(path, vars(owner)[name]) for path, owner, name in targets if name in vars(owner)]
    forbidden = {identity: path for path, value in objects for identity in _identities(value)}
    held = _held_reference(function, forbidden)
    if held is not None:
        how, path = held
        raise WithheldError(
            f"write it yourself: your function uses the package's {path} (through {how}), which is "
            "withheld in this check"
        )
    guard, previous = _CallGuard(_code_keys(objects)), sys.getprofile()
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
        sys.setprofile(guard)
        yield
        if sys.getprofile() is not guard:
            raise WithheldError(
                "the check's guard was switched off (sys.setprofile) or tripped and caught: the package's "
                f"{', '.join(references)} must not be called in this check"
            )
    finally:
        sys.setprofile(previous)
        for owner, name, own, raw in reversed(saved):
            if own:
                setattr(owner, name, raw)
            else:
                delattr(owner, name)


class _ReadOnlyModule(types.ModuleType):
    """This module while a notebook runs: assigning to its names (``grading.withheld = ...``) is refused."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"zsl_course.grading.{name} cannot be replaced: the checks use the course's own")


types.ModuleType.__setattr__(sys.modules[__name__], "__class__", _ReadOnlyModule)  # also on importlib.reload
