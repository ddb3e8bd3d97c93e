"""Student copies through nbgrader's preprocessors, and grading."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

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
