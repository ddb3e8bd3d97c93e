"""nbgrader's own pipeline on one course notebook, as docs/teaching.md runs it: generate_assignment,
release_assignment, fetch_assignment and submit through a local exchange, collect, autograde, generate_feedback,
release_feedback and fetch_feedback, with three students (a correct answer, a known wrong answer and the untouched
copy); the gradebook must hold full points, fewer points and zero on the autograded cells."""

from __future__ import annotations

import html
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from zsl_course.cli import main
from zsl_course.distribution import SOURCES
from zsl_course.editions import student_copy

pytest.importorskip("nbgrader")

# The graded notebook that executes fastest (about 11 s of the README's 213 s course run).
NOTEBOOK = SOURCES / "09_generalized_zsl.ipynb"
ASSIGNMENT = NOTEBOOK.stem
COURSE_ID = "zsl-course"
WRONG_ANSWERS = Path(__file__).parent / "exercises" / f"{ASSIGNMENT}.py"
SOLUTION_MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}


def _nbgrader(cwd: Path, *args: str) -> str:
    """Run ``nbgrader ARGS`` in ``cwd`` (where its nbgrader_config.py is) and return its log."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _autograded_tests(notebook: nbformat.NotebookNode) -> dict[str, float]:
    """grade_id -> points of every autograded test cell."""
    return {
        cell.metadata.nbgrader.grade_id: float(cell.metadata.nbgrader.points)
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata.nbgrader.get("solution")
    }


def _answers(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> source of every autograded answer cell, as a student would type it (no solution markers)."""
    return {
        cell.metadata.nbgrader.grade_id: "\n".join(
            line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS
        )
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("solution") and not cell.metadata.nbgrader.get("grade")
    }


def _answered(released: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released copy with the answer cells named in ``answers`` filled in."""
    notebook = nbformat.from_dict(released)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata.nbgrader.get("solution"):
            cell.source = answers[grade_id]
    return notebook


def _checks_emptied(notebook: nbformat.NotebookNode, grade_ids: set[str]) -> nbformat.NotebookNode:
    """``notebook`` with the test cells named in ``grade_ids`` emptied, as a student deleting their checks would."""
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in grade_ids:
            cell.source = ""
    return notebook


def _first_wrong_answer() -> tuple[str, str]:
    spec = importlib.util.spec_from_file_location("wrong_answers", WRONG_ANSWERS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    grade_id, sources = next(iter(module.WRONG_ANSWERS.items()))
    return grade_id, sources[0]


def test_nbgrader_grades_correct_wrong_and_untouched_submissions(tmp_path: Path, capsys):
    from nbgrader.api import Gradebook

    course, exchange, student = tmp_path / "course", tmp_path / "exchange", tmp_path / "student"
    for folder in (exchange, student):
        folder.mkdir(parents=True)
    assert main(["course", str(course), "--exchange", str(exchange), "--timeout", "300"]) == 0
    assert (course / "source" / ASSIGNMENT / NOTEBOOK.name).read_bytes() == NOTEBOOK.read_bytes()
    (student / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(student / 'cache')!r}\n"  # not the user's own ~/.local/share/jupyter
    )

    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    _nbgrader(course, "release_assignment", ASSIGNMENT)
    _nbgrader(student, "fetch_assignment", ASSIGNMENT)
    fetched = student / ASSIGNMENT / NOTEBOOK.name
    released = nbformat.read(fetched, as_version=4)
    # nbgrader's own release is the course's student copy: the same cells, stubs that name their exercise, and the
    # tag that lets Run All go on to the final figure.
    ours = student_copy(nbformat.read(NOTEBOOK, as_version=4))
    assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in released.cells] == [
        (c.cell_type, c.source, c.metadata.get("tags")) for c in ours.cells
    ]

    source = nbformat.read(NOTEBOOK, as_version=4)
    answers, tests = _answers(source), _autograded_tests(source)
    wrong_id, wrong_source = _first_wrong_answer()
    wrong_tests = {grade_id for grade_id in tests if grade_id.startswith(f"{wrong_id}_test")}
    assert wrong_id in answers and wrong_tests
    written = next(
        cell.metadata.nbgrader.grade_id
        for cell in source.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")
    )
    prose = {written: "The validation gamma is chosen on validation classes, never on test images."}
    submissions = {
        "correct": _answered(released, {**answers, **prose}),
        # A wrong answer whose checks the student emptied: nbgrader restores them.
        "wrong": _checks_emptied(_answered(released, {**answers, **prose, wrong_id: wrong_source}), wrong_tests),
        "untouched": released,
    }
    for name, notebook in submissions.items():
        nbformat.write(notebook, fetched)
        _nbgrader(student, "submit", ASSIGNMENT, f"--student={name}")

    _nbgrader(course, "collect", ASSIGNMENT)
    _nbgrader(course, "autograde", ASSIGNMENT)
    # The course's configuration runs the set-up cell and the graded cells only, as `zsl-course grade` does.
    autograded = nbformat.read(course / "autograded" / "correct" / ASSIGNMENT / NOTEBOOK.name, as_version=4)
    code = [cell for cell in autograded.cells if cell.cell_type == "code"]
    assert [cell.execution_count is not None for cell in code] == [
        "grade_id" in cell.metadata.get("nbgrader", {}) for cell in code
    ]
    assert sum(cell.execution_count is None for cell in code) > 5, "the notebook's demonstrations were left unrun"

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {
            name: {grade_id: gradebook.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, name) for grade_id in tests}
            for name in submissions
        }
        for name in submissions:
            assert {g: grade.max_score for g, grade in scores[name].items()} == tests
        full = {g: grade.score for g, grade in scores["correct"].items()}
        wrong = {g: grade.score for g, grade in scores["wrong"].items()}
        untouched = {g: grade.score for g, grade in scores["untouched"].items()}
        totals = [
            (notebook.score, notebook.max_score)
            for notebook in (gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, name) for name in submissions)
        ]

    assert full == tests, "the solution must get every autograded point"
    assert untouched == {g: 0 for g in tests}, "the unimplemented stubs must get no autograded point"
    assert {g: wrong[g] for g in tests if g not in wrong_tests} == {g: tests[g] for g in tests if g not in wrong_tests}
    assert any(wrong[g] == 0 for g in wrong_tests), f"the wrong {wrong_id} lost no point:\n{wrong_source}"

    # The student's self-check, given nbgrader's submitted/<student>/ folder, restores the emptied checks too and
    # agrees with nbgrader's autograder cell by cell.
    assert main(["grade", str(course / "submitted" / "wrong")]) == 0
    printed = capsys.readouterr().out
    self_check = {g: float(re.search(rf"^  {g} +([0-9.]+)/", printed, re.MULTILINE).group(1)) for g in tests}
    assert self_check == wrong, printed
    assert f"test cells put back from {NOTEBOOK} (this copy had changed them)" in printed

    _nbgrader(course, "generate_feedback", ASSIGNMENT)
    _nbgrader(course, "release_feedback", ASSIGNMENT)
    _nbgrader(student, "fetch_feedback", ASSIGNMENT)
    # One user submitted all three here, so the cache holds three submissions, in time order (folders are named
    # by submission time); each feedback page opens with the notebook's total.
    feedback = sorted((student / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert [score for score, _ in totals] == [sum(full.values()), sum(wrong.values()), 0]
    pages = [re.search(r"Score: ([0-9.]+) / ([0-9.]+)", page.read_text()).groups() for page in feedback]
    assert [(float(score), float(max_score)) for score, max_score in pages] == totals
    # No hidden test reaches a student: not its markers, not one of its lines.
    hidden = {
        line.strip()
        for cell in source.cells
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.DOTALL)
        for line in block.splitlines()
        if len(line.strip()) > 30
    }
    assert hidden, "the notebook has hidden tests to look for"
    for page in feedback:
        text = html.unescape(page.read_text())
        assert "HIDDEN TESTS" not in text and not [line for line in hidden if line in text], page

    # Manual grading, stored as nbgrader's formgrader stores it (what its GradeHandler.put does to the written
    # answer's grade in the gradebook; the formgrader's page itself needs a running Jupyter server and is not driven
    # here), reaches the feedback's total.
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name, points in (("correct", 2.0), ("wrong", 0.5)):
            grade = gradebook.find_grade(written, ASSIGNMENT, ASSIGNMENT, name)
            assert grade.needs_manual_grade, f"{name}'s written answer is not waiting for a manual grade"
            grade.manual_score, grade.needs_manual_grade = points, False
        gradebook.db.commit()
    _nbgrader(course, "generate_feedback", "--force", ASSIGNMENT)
    page = (course / "feedback" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert float(re.search(r"Score: ([0-9.]+) /", page).group(1)) == sum(full.values()) + 2.0

    # A late resubmission, regraded alone: the other students' grades stay as they were, the resubmission's checks
    # are scored afresh and its written answer is flagged for a manual grade again.
    nbformat.write(_answered(released, {**answers, written: "A longer answer, resubmitted late."}), fetched)
    _nbgrader(student, "submit", ASSIGNMENT, "--student=wrong")
    _nbgrader(course, "collect", "--update", "--student=wrong", ASSIGNMENT)
    _nbgrader(course, "autograde", "--force", "--student=wrong", ASSIGNMENT)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        kept = gradebook.find_grade(written, ASSIGNMENT, ASSIGNMENT, "correct")
        assert (kept.manual_score, kept.needs_manual_grade) == (2.0, False)
        assert {g: gradebook.find_grade(g, ASSIGNMENT, ASSIGNMENT, "correct").score for g in tests} == full
        assert {g: gradebook.find_grade(g, ASSIGNMENT, ASSIGNMENT, "wrong").score for g in tests} == tests
        resubmitted = gradebook.find_grade(written, ASSIGNMENT, ASSIGNMENT, "wrong")
        # nbgrader keeps the earlier manual score but flags the answer for a manual grade again (the formgrader lists
        # it as needing grading), so the old score is not carried over silently.
        assert (resubmitted.manual_score, resubmitted.needs_manual_grade) == (0.5, True)
