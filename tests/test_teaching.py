"""The editions (nbgrader's preprocessors, unfinished exercises reported without halting Run All), the reader's
edition against the instructor's source, committed metadata against a live kernel, and grading."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import torch
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from zsl_course.cli import main
from zsl_course.distribution import NOTEBOOKS, SOURCES
from zsl_course.editions import READER_TAG, release, student_copy
from zsl_course.grading import (
    EXERCISE_TABLE_BEGIN,
    EXERCISE_TABLE_END,
    NOT_RUN_AT_GRADING,
    grade_notebook,
    graded_exercises,
    skip_ungraded_cells,
    update_exercise_table,
)
from zsl_course.kernels import _kernel_config, clean_notebook, execute_notebook

TEACHING_DOC = Path(__file__).resolve().parents[1] / "docs" / "teaching.md"


def _nbgrader(grade_id: str, solution: bool = False, points: int = 0) -> dict:
    meta = {
        "grade": not solution,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if not solution:
        meta["points"] = points
    return {"nbgrader": meta}


def _read_only(grade_id: str) -> dict:
    """nbgrader's metadata of a read-only cell (the course's set-up cell): locked, neither answer nor test."""
    meta = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False, "task": False}
    return {"nbgrader": meta}


def _exercise_notebook() -> nbformat.NotebookNode:
    solution = "def add_one(x):\n    \"\"\"x + 1\"\"\"\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION"
    tests = "assert add_one(1) == 2\n### BEGIN HIDDEN TESTS\nassert add_one(-1) == 0\n### END HIDDEN TESTS"
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Exercise"),
            new_code_cell(
                "import math",
                metadata=_read_only("setup"),
                outputs=[new_output("stream", name="stdout", text="hello\n")],
                execution_count=1,
            ),
            new_code_cell(solution, metadata=_nbgrader("add_one", solution=True)),
            new_code_cell(tests, metadata=_nbgrader("add_one_test", points=2)),
            new_code_cell("assert math.pi > 3", metadata=_nbgrader("free_test", points=1)),
        ]
    )
    notebook.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    return notebook


def test_student_copy_replaces_solutions_and_hides_tests():
    student = student_copy(_exercise_notebook())
    sources = [cell.source for cell in student.cells]
    assert "raise NotImplementedError(" in sources[2] and "return x + 1" not in sources[2]
    assert '"""x + 1"""' in sources[2]
    assert "add_one(-1)" not in sources[3] and "add_one(1) == 2" in sources[3]
    assert all(not cell.get("outputs") for cell in student.cells if cell.cell_type == "code")
    assert "execution" not in student.cells[1].metadata


def _unfinished_exercises() -> nbformat.NotebookNode:
    """An exercise notebook as the course writes them: a function exercise, an experiment whose stub raises at top
    level, then the notebook's last figure, which depends on neither."""
    notebook = _exercise_notebook()
    notebook.cells[0].source = "# Exercises\n\n### Exercise 2.1 (2 points): add one"
    experiment = "### BEGIN SOLUTION\nbest = max([1, 3, 2])\n### END SOLUTION\nprint('best', best)"
    notebook.cells[1].metadata["tags"] = ["nbval-check-output", "keep-me"]
    notebook.cells += [
        new_markdown_cell("### Exercise 2.2 (1 point): the best value"),
        new_code_cell(experiment, metadata=_nbgrader("02_experiment_best", solution=True)),
        new_code_cell("assert best == 3", metadata=_nbgrader("02_experiment_best_test", points=1)),
        new_code_cell(
            "import matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
            "plt.plot([0, 1])\nplt.savefig('last_figure.png')\nprint('the last figure')"
        ),
    ]
    return notebook


def test_run_all_reports_each_unfinished_exercise_and_reaches_the_last_cell(tmp_path: Path):
    source = _unfinished_exercises()
    student = student_copy(source)
    tagged = [i for i, cell in enumerate(student.cells) if READER_TAG in cell.metadata.get("tags", [])]
    assert tagged == [2, 3, 4, 6, 7]  # the answers and the autograded checks, nothing else
    assert student.cells[1].metadata.tags == ["keep-me"]  # nbval's test markers are left out
    assert 'raise NotImplementedError("Exercise 2.1 is not done yet: write your code here")' in student.cells[2].source
    assert student.cells[6].source.startswith('# YOUR CODE HERE\nraise NotImplementedError("Exercise 2.2 is not done')
    # nbclient, as `zsl-course run` and `zsl-course editions` use it, stops at an untagged error only.
    executed = execute_notebook(student, cwd=tmp_path, allow_errors=False)
    errors = {
        i: (o.ename, o.evalue)
        for i, cell in enumerate(executed.cells)
        for o in cell.get("outputs", [])
        if o.output_type == "error"
    }
    assert errors == {
        3: ("NotImplementedError", "Exercise 2.1 is not done yet: write your code here"),  # the check calls the stub
        6: ("NotImplementedError", "Exercise 2.2 is not done yet: write your code here"),
        7: ("NameError", "name 'best' is not defined"),
    }
    assert executed.cells[-1].outputs[0].text == "the last figure\n" and (tmp_path / "last_figure.png").exists()
    # The same cells, untagged, stop nbclient at the first unfinished exercise.
    for cell in student.cells:
        cell.metadata.pop("tags", None)
    with pytest.raises(CellExecutionError, match="Exercise 2.1 is not done yet"):
        execute_notebook(student, cwd=tmp_path, allow_errors=False)


def test_the_reader_and_student_editions_come_from_one_source(tmp_path: Path, capsys):
    source = tmp_path / "instructor"
    source.mkdir()
    nbformat.write(_unfinished_exercises(), source / "02_ex.ipynb")
    assert main(["editions", "--source", str(source), "--out", str(tmp_path / "notebooks")]) == 0
    assert main(["release", "--source", str(source), "--out", str(tmp_path / "release")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"reader's edition: {tmp_path / 'notebooks' / '02_ex.ipynb'}",
        f"student edition: {tmp_path / 'release' / '02_ex.ipynb'}",
    ]
    reader = nbformat.read(tmp_path / "notebooks" / "02_ex.ipynb", as_version=4)
    student = nbformat.read(tmp_path / "release" / "02_ex.ipynb", as_version=4)
    assert [_cell_fields(cell) for cell in reader.cells] == [_cell_fields(cell) for cell in student.cells]
    assert reader.cells[-1].outputs[0].text == "the last figure\n"  # executed, past both unfinished exercises
    assert not any(cell.get("outputs") for cell in student.cells)
    assert main(["editions", "--source", str(source), "--out", str(source)]) == 2
    assert "would overwrite the instructor's notebooks" in capsys.readouterr().err


def test_an_exercise_without_a_numbered_heading_is_still_reported():
    notebook = _exercise_notebook()
    notebook.cells[0].source = "# Some section"
    assert (
        'raise NotImplementedError("This exercise is not done yet: write your code here")'
        in student_copy(notebook).cells[2].source
    )


def test_an_edition_never_overwrites_its_source(tmp_path: Path):
    nbformat.write(_exercise_notebook(), tmp_path / "ex.ipynb")
    before = (tmp_path / "ex.ipynb").read_bytes()
    with pytest.raises(ValueError, match="is the source's own folder: an edition there would overwrite"):
        release(tmp_path, tmp_path)
    with pytest.raises(ValueError, match="no notebook matching '9\\*.ipynb'"):
        release(tmp_path, tmp_path / "out", pattern="9*.ipynb")
    assert (tmp_path / "ex.ipynb").read_bytes() == before


def _cell_fields(cell: nbformat.NotebookNode) -> tuple:
    return cell.cell_type, cell.source, cell.metadata


def test_the_reader_edition_is_generated_from_the_instructor_source():
    sources = sorted(p.name for p in SOURCES.glob("[0-9]*.ipynb"))
    assert sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb")) == sources
    for name in sources:
        expected = student_copy(nbformat.read(SOURCES / name, as_version=4))
        edition = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert len(edition.cells) == len(expected.cells), f"{name}: regenerate it with `zsl-course editions`"
        for i, (cell, want) in enumerate(zip(edition.cells, expected.cells)):
            assert _cell_fields(cell) == _cell_fields(want), (
                f"notebooks/{name} cell {i} differs from its instructor's source: edit the source, then run "
                "`zsl-course editions`"
            )
        assert _without_version(edition.metadata) == _without_version(expected.metadata)  # any Python runs this
        text = "\n".join(cell.source for cell in edition.cells)
        assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text


def _live_kernel_metadata() -> dict:
    """The notebook metadata JupyterLab writes from a freshly started python3 kernel: its kernelspec, and the
    language_info of its kernel_info_reply."""
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3", config=_kernel_config())
    manager.start_kernel()
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        reply = client.kernel_info(reply=True, timeout=60)["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    spec = manager.kernel_spec
    return {
        "kernelspec": {"display_name": spec.display_name, "language": spec.language, "name": manager.kernel_name},
        "language_info": reply["language_info"],
    }


def _without_version(metadata: dict) -> dict:
    return {**metadata, "language_info": {k: v for k, v in metadata["language_info"].items() if k != "version"}}


def test_committed_notebooks_hold_the_metadata_a_live_kernel_reports():
    """JupyterLab writes the kernel's kernel_info_reply language_info into a notebook when the kernel starts, and
    shows the notebook as changed if that differs from the file. Every field is compared except the Python
    version, which is that of the machine that wrote the notebook."""
    live = _live_kernel_metadata()
    for path in sorted({*SOURCES.glob("[0-9]*.ipynb"), *NOTEBOOKS.glob("[0-9]*.ipynb")}):
        metadata = nbformat.read(path, as_version=4).metadata
        assert _without_version(metadata) == _without_version(live), f"{path}: run `zsl-course clean`"
        assert re.fullmatch(r"3\.\d+\.\d+", metadata["language_info"]["version"]), path
    assert _without_version(clean_notebook(_exercise_notebook()).metadata) == _without_version(live)
    assert clean_notebook(_exercise_notebook()).metadata.language_info.version == live["language_info"]["version"]


def test_test_markers_are_cell_tags_not_comments():
    from nbval.plugin import find_comment_markers

    for path in sorted(SOURCES.glob("[0-9]*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                assert not list(find_comment_markers(cell.source)), f"{path.name} cell {i}: use the nbval tag instead"


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
    (tmp_path / "no-notebooks-here").mkdir()
    trusted = grade_notebook(path, sources=tmp_path / "no-notebooks-here")
    assert (trusted.earned, trusted.total) == (51, 51)  # the submission's own cells: what the self-check used to do
    assert trusted.notes == [
        f"no solution notebook in {tmp_path / 'no-notebooks-here'} holds these grade ids: the visible checks ran as "
        "submitted; the hidden checks run at grading"
    ]

    checked = grade_notebook(path, sources=tmp_path)
    assert [(e.grade_id, e.earned, e.points) for e in checked.exercises] == [
        ("add_one_test", 0, 2),
        ("free_test", 1, 1),
    ]
    assert "AssertionError" in checked.exercises[0].error
    assert checked.notes == [f"test cells put back from {solution} (this copy had changed them): add_one_test"]


def test_grading_runs_the_setup_and_the_graded_cells_only(tmp_path: Path):
    solution = tmp_path / "ex.ipynb"
    nbformat.write(_exercise_notebook(), solution)

    def add_a_demonstration(cells):
        # A training or figure of the notebook (not graded): grading leaves it unrun, so it writes no file.
        cells.insert(2, new_code_cell("offset = 1\nopen('demonstration_ran.txt', 'w').close()"))

    path = _submission(tmp_path, "def add_one(x):\n    return x + 1", add_a_demonstration)
    report = grade_notebook(path, sources=solution)
    assert (report.earned, report.total) == (3, 3)  # free_test needs the set-up cell's `import math`: it ran
    assert not (path.parent / "demonstration_ran.txt").exists()
    # An answer that leans on a name the notebook's demonstrations define fails at grading, as it would in nbgrader.
    leaning = _submission(tmp_path / "leaning", "def add_one(x):\n    return x + offset", add_a_demonstration)
    assert "NameError" in grade_notebook(leaning, sources=solution).exercises[0].error

    # The tag on a check does not make grading skip it: a wrong answer still fails its check.
    def skip_the_check(cells):
        cells[3].metadata["tags"] = [NOT_RUN_AT_GRADING]

    forged = _submission(tmp_path / "forged", "def add_one(x):\n    return x", skip_the_check)
    assert [e.earned for e in grade_notebook(forged, sources=solution).exercises] == [0, 1]

    marked = skip_ungraded_cells(nbformat.read(path, as_version=4))
    assert [NOT_RUN_AT_GRADING in c.metadata.get("tags", []) for c in marked.cells if c.cell_type == "code"] == [
        False,  # the read-only set-up cell
        True,  # the demonstration
        False,  # the answer
        False,  # its check
        False,  # the second check
    ]


def test_a_failed_check_is_one_line_of_the_report():
    from zsl_course.grading import Exercise, GradeReport, _error_of

    message = "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 1.0"
    cell = new_code_cell("check()", outputs=[new_output("error", ename="AssertionError", evalue=message, traceback=[])])
    error = _error_of(cell)
    assert error == (
        "AssertionError: Tensor-likes are not close! Mismatched elements: 1 / 1 (100.0%) Greatest absolute difference: 1.0"
    )
    report = GradeReport("nb.ipynb", [Exercise("a_test", 2, 0, error), Exercise("b_test", 1, 1)])
    assert str(report).splitlines()[1:] == [
        f"  a_test                           0/2  FAILED: {error}",
        "  b_test                           1/1  ok",
        "  total 1/3",
    ]


def test_self_check_scores_a_deleted_check_zero_and_finds_submitted_notebooks(tmp_path: Path, capsys):
    nbformat.write(_exercise_notebook(), tmp_path / "ex.ipynb")
    path = _submission(tmp_path, "def add_one(x):\n    return x + 1", lambda cells: cells.pop(3))
    assert main(["grade", str(tmp_path / "submitted"), "--source", str(tmp_path / "ex.ipynb")]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[:2] == [
        str(path),
        "  note: cells deleted from this notebook (their checks score 0): add_one_test",
    ]
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
        ("07_ex", "free_test", "Question: why | how?", 1, "autograded"),  # a test of no answer counts alone
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
    assert not update_exercise_table(doc), (
        "docs/teaching.md's exercise table is out of date: run `zsl-course exercise-table`"
    )


def test_each_exercise_heading_states_its_graded_points():
    for path in sorted(SOURCES.glob("[0-9]*.ipynb")):
        for exercise in graded_exercises(path):
            stated = re.search(r"\((\d+(?:\.\d+)?) points?\)", exercise.heading)
            assert stated, f"{path.name}: the heading above {exercise.grade_id} states no points: {exercise.heading!r}"
            assert float(stated.group(1)) == exercise.points, (
                f"{path.name}: {exercise.heading!r}, but the graded cells give {exercise.points:g}"
            )


def _namespace(source: str) -> dict:
    namespace: dict = {}
    exec(source, namespace)
    return namespace


def test_withheld_makes_the_reference_raise_through_the_module_the_class_and_an_instance():
    from zsl_course.grading import WithheldError, withheld
    from zsl_utils import metrics
    from zsl_utils.models import ESZSL

    namespace = _namespace("from zsl_utils import metrics\ndef h(s, u):\n    return metrics.harmonic_mean(s, u)\n")
    with withheld(namespace["h"], "zsl_utils.metrics.harmonic_mean"):
        with pytest.raises(
            WithheldError, match="write it yourself: the package's zsl_utils.metrics.harmonic_mean is withheld"
        ):
            namespace["h"](0.5, 0.5)
        with pytest.raises(WithheldError):  # an import inside the function body finds the stand-in too
            exec("from zsl_utils.metrics import harmonic_mean\nharmonic_mean(0.5, 0.5)", {})
    assert namespace["h"](0.5, 0.25) == pytest.approx(1 / 3)  # restored on exit

    X, Y, S = torch.randn(6, 3), torch.ones(6, 2), torch.randn(2, 4)
    expected = ESZSL.closed_form(X, Y, S, 1.0, 1.0)
    user = _namespace("def v(model, X, Y, S):\n    return model.closed_form(X, Y, S, 1.0, 1.0)\n")["v"]
    with withheld(user, "zsl_utils.models.ESZSL.closed_form"):
        with pytest.raises(WithheldError, match="ESZSL.closed_form"):
            user(ESZSL(3, 4), X, Y, S)
    assert isinstance(vars(ESZSL)["closed_form"], staticmethod)  # restored as the staticmethod it was
    torch.testing.assert_close(user(ESZSL(3, 4), X, Y, S), expected)
    with pytest.raises(ZeroDivisionError), withheld(user, "zsl_utils.metrics.harmonic_mean"):
        raise ZeroDivisionError("an error inside the block")
    assert metrics.harmonic_mean(0.5, 0.5) == 0.5  # restored after an error inside the block


@pytest.mark.parametrize(
    "source, how",
    [
        ("from zsl_utils.metrics import harmonic_mean as hm\ndef h(s, u):\n    return hm(s, u)\n", "global name 'hm'"),
        (
            "from zsl_utils import metrics\ndef h(s, u, _ref=metrics.harmonic_mean):\n    return _ref(s, u)\n",
            "default argument",
        ),
        (
            "from zsl_utils import metrics\ndef make(ref):\n    def h(s, u):\n        return ref(s, u)\n    return h\n"
            "h = make(metrics.harmonic_mean)\n",
            "closure variable 'ref'",
        ),
        (
            "from zsl_utils.metrics import harmonic_mean as hm\ndef helper(s, u):\n    return hm(s, u)\n"
            "def h(s, u):\n    return helper(s, u)\n",
            "global name 'hm'",
        ),
        (
            "from zsl_utils.metrics import harmonic_mean as hm\ndef h(s, u):\n    return [hm(a, b) for a, b in [(s, u)]][0]\n",
            "global name 'hm'",
        ),
    ],
)
def test_withheld_refuses_a_function_that_holds_the_reference(source: str, how: str):
    from zsl_course.grading import WithheldError, withheld

    h = _namespace(source)["h"]
    with pytest.raises(
        WithheldError,
        match=f"your function uses the package's zsl_utils.metrics.harmonic_mean \\(through (the |a ){how}",
    ):
        with withheld(h, "zsl_utils.metrics.harmonic_mean"):
            pass


def test_withheld_lets_an_own_implementation_run_and_names_a_bad_path():
    from zsl_course.grading import withheld

    namespace = _namespace(
        "from zsl_utils import metrics\nharmonic_mean = None\n"
        "def h(s, u):\n    return 0.0 if s + u == 0 else 2 * s * u / (s + u)\n"
    )
    with withheld(namespace["h"], "zsl_utils.metrics.harmonic_mean", "zsl_utils.losses.ranking_loss"):
        assert namespace["h"](0.5, 0.25) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="names no attribute"):
        with withheld(namespace["h"], "zsl_utils.metrics.no_such_function"):
            pass


# Ways around a withheld reference that a student found (each must fail the check): the reference reached at call
# time through a container, a partial, a string lookup, a reloaded module or a fresh copy of its file loaded by
# another path, the guard switched off or tripped and caught.
_SHORTCUTS = {
    "a container": "from zsl_utils import metrics\nrefs = {'h': metrics.harmonic_mean}\n"
    "def h(s, u):\n    return refs['h'](s, u)\n",
    "a partial": "import functools\nfrom zsl_utils import metrics\nref = functools.partial(metrics.harmonic_mean)\n"
    "def h(s, u):\n    return ref(s, u)\n",
    "a string lookup": "import importlib\n"
    "def h(s, u):\n    return getattr(importlib.import_module('zsl_utils.metrics'), 'harmonic_' + 'mean')(s, u)\n",
    "a reloaded module": "import importlib\nimport zsl_utils.metrics\n"
    "def h(s, u):\n    return importlib.reload(zsl_utils.metrics).harmonic_mean(s, u)\n",
    "a fresh copy by another path": "import importlib.util, os, sys, zsl_utils\n"
    "def h(s, u):\n    home = os.path.dirname(zsl_utils.__file__)\n"
    "    path = os.path.join(home, '..', os.path.basename(home), 'metrics.py')\n"
    "    spec = importlib.util.spec_from_file_location('copy_of_metrics', path)\n"
    "    module = sys.modules['copy_of_metrics'] = importlib.util.module_from_spec(spec)\n"
    "    spec.loader.exec_module(module)\n"
    "    return module.harmonic_mean(s, u)\n",
    "the guard switched off": "import sys\nfrom zsl_utils import metrics\nrefs = [metrics.harmonic_mean]\n"
    "def h(s, u):\n    sys.setprofile(None)\n    return refs[0](s, u)\n",
    "the guard tripped and caught": "from zsl_utils import metrics\nrefs = [metrics.harmonic_mean]\n"
    "def h(s, u):\n    try:\n        return refs[0](s, u)\n    except Exception:\n"
    "        return 0.0 if s + u == 0 else 2 * s * u / (s + u)\n",
}


@pytest.mark.parametrize("how", list(_SHORTCUTS))
def test_withheld_catches_the_reference_reached_at_call_time(how: str):
    import sys

    from zsl_course.grading import WithheldError, withheld
    from zsl_utils import metrics

    h = _namespace(_SHORTCUTS[how])["h"]
    with pytest.raises(WithheldError, match="harmonic_mean"):
        with withheld(h, "zsl_utils.metrics.harmonic_mean"):
            h(0.5, 0.25)
    assert sys.getprofile() is None  # the guard is gone after the check
    sys.modules.pop("copy_of_metrics", None)
    assert sys.modules["zsl_utils.metrics"].harmonic_mean(0.5, 0.25) == pytest.approx(1 / 3)
    assert metrics.harmonic_mean(0.5, 0.25) == pytest.approx(1 / 3)


def test_withheld_lets_other_package_code_and_torch_run_under_the_guard():
    from zsl_course.grading import withheld
    from zsl_utils import metrics

    namespace = _namespace(
        "import torch\nfrom zsl_utils import metrics\n"
        "def h(s, u):\n    t = torch.nn.functional.relu(torch.tensor([s, u]))\n"
        "    metrics.per_class_accuracy(torch.tensor([0, 1]), torch.tensor([0, 1]), torch.tensor([0, 1]))\n"
        "    return float(2 * t[0] * t[1] / (t[0] + t[1]))\n"
    )
    with withheld(namespace["h"], "zsl_utils.metrics.harmonic_mean"):
        assert namespace["h"](0.5, 0.25) == pytest.approx(1 / 3)
    assert metrics.harmonic_mean(0.5, 0.5) == 0.5


def test_the_checks_tools_cannot_be_replaced(monkeypatch):
    import torch

    import zsl_course.grading as grading
    from zsl_course.grading import WithheldError, withheld

    with pytest.raises(AttributeError, match="cannot be replaced"):
        grading.withheld = lambda *args: None
    assert grading.withheld is withheld
    monkeypatch.setattr(torch.testing, "assert_close", lambda *args, **kwargs: None)
    with pytest.raises(WithheldError, match="assert_close is not torch's own"):
        with withheld(lambda s, u: 0.0, "zsl_utils.metrics.harmonic_mean"):
            pass


@pytest.mark.parametrize("path", sorted(SOURCES.glob("[0-9]*.ipynb")), ids=lambda p: p.name)
def test_the_setup_cell_is_read_only_and_the_only_ungraded_cell_grading_runs(path: Path):
    from zsl_course.colab import setup_cell

    notebook = nbformat.read(path, as_version=4)
    setup = setup_cell(notebook)
    meta = setup.metadata.get("nbgrader", {})
    assert (meta.get("grade_id"), meta.get("locked"), meta.get("grade"), meta.get("solution")) == (
        f"{path.name[:2]}_setup",
        True,
        False,
        False,
    ), f"{path.name}: the set-up cell must be nbgrader read-only with grade id {path.name[:2]}_setup"
    run = [cell for cell in skip_ungraded_cells(notebook).cells if cell.cell_type == "code"]
    run = [cell for cell in run if NOT_RUN_AT_GRADING not in cell.metadata.get("tags", [])]
    assert run[0].source == setup.source
    assert all(cell.metadata["nbgrader"].get("grade") or cell.metadata["nbgrader"].get("solution") for cell in run[1:])
