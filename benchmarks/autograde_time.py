"""Autograde time per submission: a simulated class of one assignment through nbgrader's own CLI.

    python benchmarks/autograde_time.py 03 --submissions 20

Sets up a course folder with `zsl-course course`, generates the assignment with `nbgrader generate_assignment`,
writes N submissions into `submitted/` (in turn: the solution, the solution with the first known wrong answer of
tests/exercises/NN_*.py, and the untouched student copy), autogrades each with its own `nbgrader autograde
--student` call (so each time includes nbgrader's start, as a regrade of one late submission would), checks every
score against what it must be (full points, fewer points, zero) and prints the wall-clock seconds per submission,
by kind.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from zsl_course.cli import main as course_folder
from zsl_course.distribution import SOURCES

SOLUTION_MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}
WRONG_ANSWERS = Path(__file__).resolve().parents[1] / "tests" / "exercises"


def nbgrader(cwd: Path, *args: str) -> None:
    """Run ``nbgrader ARGS`` in ``cwd``; exit with its log when it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def answers(source: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> the solution of every autograded answer cell, without the solution markers."""
    return {
        cell.metadata.nbgrader.grade_id: "\n".join(
            line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS
        )
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"
    }


def answered(released: nbformat.NotebookNode, filled: dict[str, str]) -> nbformat.NotebookNode:
    """The released copy with the answer cells named in ``filled`` filled in."""
    notebook = nbformat.from_dict(released)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.metadata.nbgrader.grade_id in filled:
            cell.source = filled[cell.metadata.nbgrader.grade_id]
    return notebook


def first_wrong_answer(assignment: str) -> tuple[str, str] | None:
    """(grade_id, source) of the first known wrong answer of the assignment, None when it has none."""
    path = WRONG_ANSWERS / f"{assignment}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("wrong_answers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    grade_id, sources = next(iter(module.WRONG_ANSWERS.items()))
    return grade_id, sources[0]


def main(argv: list[str] | None = None) -> int:
    """Run the simulated class and print the time per submission."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", help="the notebook's number, such as 03")
    parser.add_argument("--submissions", type=int, default=20, help="how many submissions (default: 20)")
    parser.add_argument("--out", type=Path, help="course folder to create (default: a temporary folder)")
    args = parser.parse_args(argv)
    matches = sorted(SOURCES.glob(f"{args.notebook}_*.ipynb"))
    if len(matches) != 1 or args.submissions < 1:
        parser.error(f"give one notebook number of {SOURCES} and --submissions >= 1")
    path = matches[0]
    assignment = path.stem
    with tempfile.TemporaryDirectory() as scratch:
        course = args.out or Path(scratch) / "course"
        if course_folder(["course", str(course), "--exchange", f"{scratch}/exchange"]) != 0:
            sys.exit(f"zsl-course course {course} failed")
        nbgrader(course, "generate_assignment", assignment)
        released = nbformat.read(course / "release" / assignment / path.name, as_version=4)
        source = nbformat.read(path, as_version=4)
        solution = answers(source)
        wrong = first_wrong_answer(assignment)
        kinds = [("correct", answered(released, solution)), ("untouched", released)]
        if wrong is not None:
            kinds.insert(1, ("wrong", answered(released, {**solution, wrong[0]: wrong[1]})))
        students = {}
        for k in range(args.submissions):
            kind, notebook = kinds[k % len(kinds)]
            student = f"{kind}_{k:03d}"
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / path.name)
            students[student] = kind
        seconds = {}
        for student in students:
            start = time.perf_counter()
            nbgrader(course, "autograde", assignment, f"--student={student}")
            seconds[student] = time.perf_counter() - start
        scores = submission_scores(course, assignment, students)
    full = max(score for score, _ in scores.values())
    for student, kind in students.items():
        score, maximum = scores[student]
        expected = {"correct": score == maximum, "wrong": score < maximum, "untouched": score == 0}
        if not expected[kind]:
            sys.exit(f"{student}: {score}/{maximum} is not what a {kind} submission must score")
    total = sum(seconds.values())
    print(
        f"{assignment}: {args.submissions} submissions autograded in {total:.1f} s, "
        f"{total / args.submissions:.1f} s per submission (correct {full:g} points, untouched 0)"
    )
    for kind in dict.fromkeys(students.values()):
        times = [seconds[student] for student, k in students.items() if k == kind]
        print(f"  {kind:<9} {len(times):>3} submissions: mean {sum(times) / len(times):.1f} s, max {max(times):.1f} s")
    return 0


def submission_scores(course: Path, assignment: str, students: dict[str, str]) -> dict[str, tuple[float, float]]:
    """student -> (autograded score, maximum) of their notebook, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            student: (notebook.code_score, notebook.max_code_score)
            for student in students
            for notebook in [gradebook.find_submission_notebook(assignment, assignment, student)]
        }


if __name__ == "__main__":
    sys.exit(main())
