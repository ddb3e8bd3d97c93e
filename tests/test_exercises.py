"""The graded exercises: every check passes on the solution and on correct answers written in other styles, and
fails on the stub, on known wrong answers and on shortcuts (copies of earlier cells, calls into the package); the
student copy of each notebook, executed as Run All runs it, fails exactly its graded cells (and the solution cells of
its experiments, whose stub raises at top level), each unfinished exercise reporting itself, and still draws its final
figure; written questions carry points and are blanked in the student copy."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
from pathlib import Path

import nbformat
import pytest

from zsl_course.colab import setup_cell
from zsl_course.distribution import SOURCES
from zsl_course.editions import student_copy
from zsl_course.kernels import execute_notebook

WRONG_ANSWERS = Path(__file__).parent / "exercises"


def _notebooks() -> list[Path]:
    return sorted(SOURCES.glob("[0-9]*.ipynb"))


def _exercises(notebook: nbformat.NotebookNode) -> list[tuple[int, list[int]]]:
    """(solution cell index, indices of its graded test cells): tests are named ``<solution grade_id>_test...``."""
    cells = notebook.cells
    found = []
    for i, cell in enumerate(cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            prefix = meta["grade_id"] + "_test"
            tests = [
                j
                for j, c in enumerate(cells)
                if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"]["grade_id"].startswith(prefix)
            ]
            found.append((i, tests))
    return found


def _written_questions(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of the manually graded answer cells: markdown cells with ``nbgrader.solution`` and ``grade``."""
    return [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        and cell.metadata.get("nbgrader", {}).get("solution")
        and cell.metadata["nbgrader"].get("grade")
    ]


def _experiments(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of the experiments' solution cells: code that trains or selects and reports a figure at top level
    (grade_id ``NN_experiment_...``), so that their student stub raises where it stands."""
    return [i for i, _ in _exercises(notebook) if "_experiment_" in notebook.cells[i].metadata["nbgrader"]["grade_id"]]


def _cases() -> list[tuple[Path, int]]:
    return [(path, i) for path in _notebooks() for i, _ in _exercises(nbformat.read(path, as_version=4))]


@functools.lru_cache(maxsize=1)
def _setup_namespace(path: Path) -> dict:
    notebook = nbformat.read(path, as_version=4)
    setup = setup_cell(notebook)
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(setup.source, f"{path.name}:setup", "exec"), namespace)
    return namespace


def _failures(path: Path, solution_source: str, tests: list[str]) -> list[bool]:
    """Run the setup cell, a solution cell and each test cell in one namespace, in order, as the notebook's kernel
    does (a check's globals are visible to the function); True where a test cell fails. What an answer replaces
    in the process (``torch.testing.assert_close``) is put back afterwards."""
    import torch.testing

    namespace = dict(_setup_namespace(path))
    genuine = torch.testing.assert_close
    try:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(solution_source, f"{path.name}:solution", "exec"), namespace)
        except Exception:  # a solution cell that raises (a top-level stub) leaves its names undefined: all fail
            return [True] * len(tests)
        failed = []
        for k, source in enumerate(tests):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(source, f"{path.name}:test{k}", "exec"), namespace)
                failed.append(False)
            except Exception:  # any error in a check cell is a failed check, as in nbgrader
                failed.append(True)
        return failed
    finally:
        torch.testing.assert_close = genuine


def _answers(path: Path, kind: str) -> dict[str, list[str]]:
    """``kind`` of tests/exercises/<stem>.py: WRONG_ANSWERS, SHORTCUTS or CORRECT_ANSWERS ({grade_id: [source]})."""
    module_path = WRONG_ANSWERS / f"{path.stem}.py"
    spec = importlib.util.spec_from_file_location(f"answers_{path.stem}", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, kind, {})


def test_notebooks_from_02_have_graded_exercises():
    for path in _notebooks():
        if int(path.name[:2]) >= 2:
            assert _exercises(nbformat.read(path, as_version=4)), f"{path.name} has no graded exercise"


@pytest.mark.parametrize("path", [p for p in _notebooks() if int(p.name[:2]) >= 3], ids=lambda p: p.name)
def test_notebooks_from_03_have_an_experiment_and_a_written_question(path: Path):
    notebook = nbformat.read(path, as_version=4)
    assert _experiments(notebook), f"{path.name} has no experimental exercise (a solution cell NN_experiment_...)"
    written = _written_questions(notebook)
    assert written, f"{path.name} has no written question (a markdown cell with nbgrader solution and grade)"
    student = student_copy(notebook)
    for i in written:
        meta = notebook.cells[i].metadata["nbgrader"]
        assert meta.get("points", 0) > 0, f"{path.name}: written question {meta['grade_id']} carries no points"
        assert len(notebook.cells[i].source) > 200, (
            f"{path.name}: written question {meta['grade_id']} has no model answer"
        )
        assert student.cells[i].source == "YOUR ANSWER HERE", (
            f"{path.name}: the model answer of {meta['grade_id']} reaches students"
        )


@pytest.mark.parametrize("path, cell", _cases(), ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_exercise_checks(path: Path, cell: int):
    notebook = nbformat.read(path, as_version=4)
    tests_index = dict(_exercises(notebook))[cell]
    assert tests_index, f"{path.name}: solution cell {cell} has no graded test cell"
    tests = [notebook.cells[j].source for j in tests_index]
    solution = notebook.cells[cell]
    grade_id = solution.metadata["nbgrader"]["grade_id"]

    assert _failures(path, solution.source, tests) == [False] * len(tests), f"{grade_id}: the solution fails its checks"
    stub = student_copy(notebook).cells[cell].source
    assert "NotImplementedError" in stub
    assert all(_failures(path, stub, tests)), f"{grade_id}: a check passes on the unimplemented stub"
    wrong = _answers(path, "WRONG_ANSWERS").get(grade_id, [])
    assert wrong, f"{grade_id}: no known wrong answer in tests/exercises/{path.stem}.py"
    for source in wrong:
        assert any(_failures(path, source, tests)), f"{grade_id}: this wrong answer passes every check:\n{source}"


@pytest.mark.parametrize("path, cell", _cases(), ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_shortcuts_fail_and_other_correct_answers_pass(path: Path, cell: int):
    """A function exercise lists shortcuts (earlier cells copied, the package called) that must fail every check
    cell of the exercise (no partial points), and correct answers in other styles (float32, library helpers) that
    must pass every check, hidden ones included."""
    notebook = nbformat.read(path, as_version=4)
    tests = [notebook.cells[j].source for j in dict(_exercises(notebook))[cell]]
    solution = notebook.cells[cell]
    grade_id = solution.metadata["nbgrader"]["grade_id"]
    shortcuts = _answers(path, "SHORTCUTS").get(grade_id, [])
    correct = _answers(path, "CORRECT_ANSWERS").get(grade_id, [])
    if solution.source.lstrip().startswith("def "):
        assert shortcuts, f"{grade_id}: no shortcut in SHORTCUTS of tests/exercises/{path.stem}.py"
        assert correct, f"{grade_id}: no correct answer in CORRECT_ANSWERS of tests/exercises/{path.stem}.py"
    for source in shortcuts:
        failed = _failures(path, source, tests)
        passed = [k for k, f in enumerate(failed) if not f]
        assert not passed, f"{grade_id}: this shortcut passes check cell(s) {passed}:\n{source}"
    for source in correct:
        failed = _failures(path, source, tests)
        assert not any(failed), (
            f"{grade_id}: this correct answer fails check(s) {[k for k, f in enumerate(failed) if f]}:\n{source}"
        )


@pytest.mark.parametrize("path", [p for p in _notebooks() if int(p.name[:2]) >= 2], ids=lambda p: p.name)
def test_student_copy_fails_exactly_the_graded_cells_and_reaches_its_last_figure(path: Path):
    """Executed without allow_errors (nbclient then stops at a failing cell unless it is tagged raises-exception, as
    JupyterLab's Run All does): nothing after an exercise depends on the student's answer."""
    notebook = nbformat.read(path, as_version=4)
    graded = {j for _, tests in _exercises(notebook) for j in tests} | set(_experiments(notebook))
    executed = execute_notebook(student_copy(notebook), cwd=path.parent, allow_errors=False)
    errors = {
        i: output
        for i, cell in enumerate(executed.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    }
    assert set(errors) == graded
    for i in _experiments(notebook):  # an experiment's stub raises where it stands, naming its exercise
        assert errors[i].ename == "NotImplementedError" and "is not done yet" in errors[i].evalue, errors[i]
    last = max(i for i, cell in enumerate(executed.cells) if cell.cell_type == "code")
    assert any("image/png" in output.get("data", {}) for output in executed.cells[last].outputs), (
        f"{path.name}: the last cell drew no figure"
    )
