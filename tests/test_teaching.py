"""Student copies through nbgrader's preprocessors, and grading."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from zsl_utils.teaching import clean_notebook, grade_notebook, release, student_copy


def _nbgrader(grade_id: str, solution: bool = False, points: int = 0) -> dict:
    meta = {"grade": not solution, "grade_id": grade_id, "locked": not solution, "schema_version": 3, "solution": solution, "task": False}
    if not solution:
        meta["points"] = points
    return {"nbgrader": meta}


def _exercise_notebook() -> nbformat.NotebookNode:
    solution = "def add_one(x):\n    \"\"\"x + 1\"\"\"\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION"
    tests = "assert add_one(1) == 2\n### BEGIN HIDDEN TESTS\nassert add_one(-1) == 0\n### END HIDDEN TESTS"
    notebook = new_notebook(cells=[
        new_markdown_cell("# Exercise"),
        new_code_cell("import math", outputs=[new_output("stream", name="stdout", text="hello\n")], execution_count=1),
        new_code_cell(solution, metadata=_nbgrader("add_one", solution=True)),
        new_code_cell(tests, metadata=_nbgrader("add_one_test", points=2)),
        new_code_cell("assert math.pi > 3", metadata=_nbgrader("free_test", points=1)),
    ])
    notebook.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    return notebook


def test_student_copy_replaces_solutions_and_hides_tests():
    student = student_copy(_exercise_notebook())
    sources = [cell.source for cell in student.cells]
    assert "raise NotImplementedError()" in sources[2] and "return x + 1" not in sources[2]
    assert '"""x + 1"""' in sources[2]
    assert "add_one(-1)" not in sources[3] and "add_one(1) == 2" in sources[3]
    assert all(not cell.get("outputs") for cell in student.cells if cell.cell_type == "code")
    assert "execution" not in student.cells[1].metadata


def test_clean_notebook_keeps_outputs_and_drops_timings():
    notebook = clean_notebook(_exercise_notebook())
    assert notebook.cells[1].outputs[0].text == "hello\n"
    assert "execution" not in notebook.cells[1].metadata
    assert notebook.metadata.kernelspec.name == "python3"


def test_release_and_grade(tmp_path: Path, capsys):
    solution = tmp_path / "solutions" / "ex.ipynb"
    solution.parent.mkdir()
    nbformat.write(_exercise_notebook(), solution)
    released = release(solution.parent, tmp_path / "release")
    assert released == [tmp_path / "release" / "ex.ipynb"]

    full = grade_notebook(solution)
    assert [(e.grade_id, e.earned, e.points) for e in full.exercises] == [("add_one_test", 2, 2), ("free_test", 1, 1)]
    assert full.earned == full.total == 3

    stub = grade_notebook(released[0])
    assert [(e.grade_id, e.earned) for e in stub.exercises] == [("add_one_test", 0), ("free_test", 1)]
    assert "NotImplementedError" in stub.exercises[0].error
    assert "total 1/3" in str(stub)
