"""Student copies through nbgrader's preprocessors, and grading."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import torch
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from zsl_utils.cli import main
from zsl_utils.course import NOTEBOOKS
from zsl_utils.teaching import (
    EXERCISE_TABLE_BEGIN,
    EXERCISE_TABLE_END,
    clean_notebook,
    grade_notebook,
    graded_exercises,
    release,
    student_copy,
    update_exercise_table,
)

TEACHING_DOC = Path(__file__).resolve().parents[1] / "docs" / "teaching.md"


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

    full = grade_notebook(solution, sources=solution)
    assert [(e.grade_id, e.earned, e.points) for e in full.exercises] == [("add_one_test", 2, 2), ("free_test", 1, 1)]
    assert full.earned == full.total == 3 and not full.notes

    stub = grade_notebook(released[0], sources=solution)
    assert [(e.grade_id, e.earned) for e in stub.exercises] == [("add_one_test", 0), ("free_test", 1)]
    assert "NotImplementedError" in stub.exercises[0].error
    assert "total 1/3" in str(stub)


def _submission(tmp_path: Path, answer: str, edit_tests) -> Path:
    """The student copy of the exercise notebook with ``answer`` in its answer cell and its test cells edited by
    ``edit_tests(cells)``, saved in nbgrader's ``submitted/<student>/<assignment>/`` layout."""
    notebook = student_copy(_exercise_notebook())
    notebook.cells[2].source = answer
    edit_tests(notebook.cells)
    path = tmp_path / "submitted" / "alice" / "ex" / "ex.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(notebook, path)
    return path


def test_self_check_restores_emptied_checks_and_their_points(tmp_path: Path):
    solution = tmp_path / "ex.ipynb"
    nbformat.write(_exercise_notebook(), solution)

    def empty_the_check(cells):
        cells[3].source = ""
        cells[3].metadata.nbgrader.points = 50

    path = _submission(tmp_path, "def add_one(x):\n    return x", empty_the_check)
    trusted = grade_notebook(path, sources=tmp_path / "no-notebooks-here")
    assert (trusted.earned, trusted.total) == (51, 51)   # the submission's own cells: what the self-check used to do
    assert trusted.notes == [f"no notebook in {tmp_path / 'no-notebooks-here'} holds these grade ids: the test cells ran as submitted, unchecked"]

    checked = grade_notebook(path, sources=tmp_path)
    assert [(e.grade_id, e.earned, e.points) for e in checked.exercises] == [("add_one_test", 0, 2), ("free_test", 1, 1)]
    assert "AssertionError" in checked.exercises[0].error
    assert checked.notes == [f"test cells put back from {solution} (this copy had changed them): add_one_test"]


def test_self_check_scores_a_deleted_check_zero_and_finds_submitted_notebooks(tmp_path: Path, capsys):
    nbformat.write(_exercise_notebook(), tmp_path / "ex.ipynb")
    path = _submission(tmp_path, "def add_one(x):\n    return x + 1", lambda cells: cells.pop(3))
    assert main(["grade", str(tmp_path / "submitted"), "--source", str(tmp_path / "ex.ipynb")]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[:2] == [str(path), "  note: test cells deleted from this notebook score 0: add_one_test"]
    assert "add_one_test                     0/2  FAILED: the test cell was deleted" in printed
    assert "total 1/3" in printed
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty")]) == 2
    assert "no .ipynb notebook in" in capsys.readouterr().err


def test_graded_exercises_group_tests_under_their_answer(tmp_path: Path):
    notebook = _exercise_notebook()
    notebook.cells[0].source = "# Exercise\n\n### Exercise 1 (2 points): add one"
    notebook.cells.insert(4, new_markdown_cell("### Question (3 points): why | how?"))
    written = new_markdown_cell("YOUR ANSWER HERE", metadata=_nbgrader("why", solution=True))
    written.metadata.nbgrader.update(grade=True, points=3)
    notebook.cells.insert(5, written)
    path = tmp_path / "07_ex.ipynb"
    nbformat.write(notebook, path)
    rows = [(e.notebook, e.grade_id, e.title, e.points, e.grading) for e in graded_exercises(path)]
    assert rows == [
        ("07_ex", "add_one", "Exercise 1: add one", 2, "autograded"),
        ("07_ex", "why", "Question: why | how?", 3, "manual"),
        ("07_ex", "free_test", "Question: why | how?", 1, "autograded"),   # a test of no answer counts alone
    ]

    doc = tmp_path / "teaching.md"
    doc.write_text(f"intro\n{EXERCISE_TABLE_BEGIN}\nold table\n{EXERCISE_TABLE_END}\nafter\n")
    assert update_exercise_table(doc, tmp_path)
    assert doc.read_text() == (
        f"intro\n{EXERCISE_TABLE_BEGIN}\n"
        "| notebook | exercise | grade_id | points | graded |\n| --- | --- | --- | --- | --- |\n"
        "| 07_ex | Exercise 1: add one | `add_one` | 2 | autograded |\n"
        "| 07_ex | Question: why \\| how? | `why` | 3 | manual |\n"
        "| 07_ex | Question: why \\| how? | `free_test` | 1 | autograded |\n"
        "\n3 graded exercises, 6 points, 3 of them graded by hand.\n"
        f"{EXERCISE_TABLE_END}\nafter\n"
    )
    assert not update_exercise_table(doc, tmp_path)
    doc.write_text("no markers")
    with pytest.raises(ValueError, match="needs one line"):
        update_exercise_table(doc, tmp_path)


def test_the_exercise_table_of_the_teaching_guide_is_up_to_date(tmp_path: Path):
    doc = tmp_path / "teaching.md"
    doc.write_text(TEACHING_DOC.read_text())
    assert not update_exercise_table(doc), "docs/teaching.md's exercise table is out of date: run `zsl-course exercise-table`"


def test_each_exercise_heading_states_its_graded_points():
    for path in sorted(NOTEBOOKS.glob("[0-9]*.ipynb")):
        for exercise in graded_exercises(path):
            stated = re.search(r"\((\d+(?:\.\d+)?) points?\)", exercise.heading)
            assert stated, f"{path.name}: the heading above {exercise.grade_id} states no points: {exercise.heading!r}"
            assert float(stated.group(1)) == exercise.points, f"{path.name}: {exercise.heading!r}, but the graded cells give {exercise.points:g}"


def _namespace(source: str) -> dict:
    namespace: dict = {}
    exec(source, namespace)
    return namespace


def test_withheld_makes_the_reference_raise_through_the_module_the_class_and_an_instance():
    from zsl_utils import metrics
    from zsl_utils.models import ESZSL
    from zsl_utils.teaching import WithheldError, withheld

    namespace = _namespace("from zsl_utils import metrics\ndef h(s, u):\n    return metrics.harmonic_mean(s, u)\n")
    with withheld(namespace["h"], "zsl_utils.metrics.harmonic_mean"):
        with pytest.raises(WithheldError, match="write it yourself: the package's zsl_utils.metrics.harmonic_mean is withheld"):
            namespace["h"](0.5, 0.5)
        with pytest.raises(WithheldError):   # an import inside the function body finds the stand-in too
            exec("from zsl_utils.metrics import harmonic_mean\nharmonic_mean(0.5, 0.5)", {})
    assert namespace["h"](0.5, 0.25) == pytest.approx(1 / 3)   # restored on exit

    X, Y, S = torch.randn(6, 3), torch.ones(6, 2), torch.randn(2, 4)
    expected = ESZSL.closed_form(X, Y, S, 1.0, 1.0)
    user = _namespace("def v(model, X, Y, S):\n    return model.closed_form(X, Y, S, 1.0, 1.0)\n")["v"]
    with withheld(user, "zsl_utils.models.ESZSL.closed_form"):
        with pytest.raises(WithheldError, match="ESZSL.closed_form"):
            user(ESZSL(3, 4), X, Y, S)
    assert isinstance(vars(ESZSL)["closed_form"], staticmethod)   # restored as the staticmethod it was
    torch.testing.assert_close(user(ESZSL(3, 4), X, Y, S), expected)
    with pytest.raises(ZeroDivisionError), withheld(user, "zsl_utils.metrics.harmonic_mean"):
        1 / 0
    assert metrics.harmonic_mean(0.5, 0.5) == 0.5   # restored after an error inside the block


@pytest.mark.parametrize("source, how", [
    ("from zsl_utils.metrics import harmonic_mean as hm\ndef h(s, u):\n    return hm(s, u)\n", "global name 'hm'"),
    ("from zsl_utils import metrics\ndef h(s, u, _ref=metrics.harmonic_mean):\n    return _ref(s, u)\n", "default argument"),
    ("from zsl_utils import metrics\ndef make(ref):\n    def h(s, u):\n        return ref(s, u)\n    return h\nh = make(metrics.harmonic_mean)\n",
     "closure variable 'ref'"),
    ("from zsl_utils.metrics import harmonic_mean as hm\ndef helper(s, u):\n    return hm(s, u)\ndef h(s, u):\n    return helper(s, u)\n",
     "global name 'hm'"),
    ("from zsl_utils.metrics import harmonic_mean as hm\ndef h(s, u):\n    return [hm(a, b) for a, b in [(s, u)]][0]\n", "global name 'hm'"),
])
def test_withheld_refuses_a_function_that_holds_the_reference(source: str, how: str):
    from zsl_utils.teaching import WithheldError, withheld

    h = _namespace(source)["h"]
    with pytest.raises(WithheldError, match=f"your function uses the package's zsl_utils.metrics.harmonic_mean \\(through (the |a ){how}"):
        with withheld(h, "zsl_utils.metrics.harmonic_mean"):
            pass


def test_withheld_lets_an_own_implementation_run_and_names_a_bad_path():
    from zsl_utils.teaching import withheld

    namespace = _namespace("from zsl_utils import metrics\nharmonic_mean = None\n"
                           "def h(s, u):\n    return 0.0 if s + u == 0 else 2 * s * u / (s + u)\n")
    with withheld(namespace["h"], "zsl_utils.metrics.harmonic_mean", "zsl_utils.losses.ranking_loss"):
        assert namespace["h"](0.5, 0.25) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="names no attribute"):
        with withheld(namespace["h"], "zsl_utils.metrics.no_such_function"):
            pass
