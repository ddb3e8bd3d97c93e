"""Autograde time per submission: a simulated class of one assignment through nbgrader's own CLI.

    python benchmarks/autograde_time.py 03 --submissions 20 --cheats

Sets up a course folder with `zsl-course course`, generates the assignment with `nbgrader generate_assignment`,
writes N submissions into `submitted/` (in turn: the solution, the solution with the first known wrong answer of
tests/exercises/NN_*.py, and the untouched student copy; with --cheats also one per shortcut of that file, each in
place of its exercise's answer in an otherwise correct notebook), autogrades each with its own `nbgrader autograde
--student` call (so each time includes nbgrader's start, as a regrade of one late submission would), checks every
check cell's score against what it must be (full points; fewer on the wrong exercise; zero; zero on the cheated
exercise), generates the feedback and searches every page for a hidden test, and prints the
wall-clock seconds per submission, by kind.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import re
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


def answer_files(assignment: str) -> dict[str, dict[str, list[str]]]:
    """WRONG_ANSWERS and SHORTCUTS of tests/exercises/<assignment>.py ({grade_id: [source]}); empty without one."""
    path = WRONG_ANSWERS / f"{assignment}.py"
    if not path.exists():
        return {"WRONG_ANSWERS": {}, "SHORTCUTS": {}}
    spec = importlib.util.spec_from_file_location("answers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {kind: getattr(module, kind, {}) for kind in ("WRONG_ANSWERS", "SHORTCUTS")}


def main(argv: list[str] | None = None) -> int:
    """Run the simulated class, check every score and the feedback, and print the time per submission."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", help="the notebook's number, such as 03")
    parser.add_argument(
        "--submissions", type=int, default=20, help="correct, wrong and untouched submissions, in turn (default: 20)"
    )
    parser.add_argument(
        "--cheats", action="store_true", help="add one submission per shortcut of tests/exercises (the rest correct)"
    )
    parser.add_argument("--out", type=Path, help="course folder to create (default: a temporary folder)")
    args = parser.parse_args(argv)
    matches = sorted(SOURCES.glob(f"{args.notebook}_*.ipynb"))
    if len(matches) != 1 or args.submissions < 1:
        parser.error(f"give one notebook number of {SOURCES} and --submissions >= 1")
    path = matches[0]
    assignment = path.stem
    source = nbformat.read(path, as_version=4)
    tests = {
        cell.metadata.nbgrader.grade_id: float(cell.metadata.nbgrader.points)
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"
    }
    with tempfile.TemporaryDirectory() as scratch:
        course = args.out or Path(scratch) / "course"
        if course_folder(["course", str(course), "--exchange", f"{scratch}/exchange"]) != 0:
            sys.exit(f"zsl-course course {course} failed")
        nbgrader(course, "generate_assignment", assignment)
        released = nbformat.read(course / "release" / assignment / path.name, as_version=4)
        solution = answers(source)
        known = answer_files(assignment)
        kinds = [("correct", None, answered(released, solution)), ("untouched", None, released)]
        if known["WRONG_ANSWERS"]:
            grade_id, sources = next(iter(known["WRONG_ANSWERS"].items()))
            kinds.insert(1, ("wrong", grade_id, answered(released, {**solution, grade_id: sources[0]})))
        plan = [kinds[k % len(kinds)] for k in range(args.submissions)]
        if args.cheats:
            plan += [
                ("cheat", grade_id, answered(released, {**solution, grade_id: shortcut}))
                for grade_id, shortcuts in known["SHORTCUTS"].items()
                for shortcut in shortcuts
            ]
        students = {}
        for k, (kind, grade_id, notebook) in enumerate(plan):
            student = f"{kind}_{k:03d}"
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / path.name)
            students[student] = (kind, grade_id)
        seconds = {}
        for student in students:
            start = time.perf_counter()
            nbgrader(course, "autograde", assignment, f"--student={student}")
            seconds[student] = time.perf_counter() - start
        scores = cell_scores(course, assignment, list(students), list(tests))
        nbgrader(course, "generate_feedback", assignment)
        feedback = sorted((course / "feedback").glob(f"*/{assignment}/{assignment}.html"))
        hidden = hidden_lines(source)
        leaks = [page for page in feedback if "HIDDEN TESTS" in page.read_text() or hidden & lines_of(page)]
    for student, (kind, grade_id) in students.items():
        got = scores[student]
        exercise = {g for g in tests if grade_id is not None and g.startswith(f"{grade_id}_test")}
        others_full = all(got[g] == tests[g] for g in tests if g not in exercise)
        ok = {
            "correct": got == tests,
            "wrong": others_full and any(got[g] < tests[g] for g in exercise),
            "untouched": not any(got.values()),
            # (a cheat that replaces the checks' tools, such as assert_close, also zeroes the exercises after it)
            "cheat": bool(exercise) and not any(got[g] for g in exercise),
        }[kind]
        if not ok:
            sys.exit(f"{student}: {got} is not what a {kind} submission ({grade_id}) must score")
    if len(feedback) != len(students) or leaks:
        sys.exit(f"feedback: {len(feedback)} pages for {len(students)} students; hidden tests in {leaks}")
    total = sum(seconds.values())
    print(
        f"{assignment}: {len(students)} submissions autograded in {total:.1f} s, {total / len(students):.1f} s per "
        f"submission; every score as it must be; {len(feedback)} feedback pages, no hidden test in any"
    )
    for kind in dict.fromkeys(kind for kind, _ in students.values()):
        times = [seconds[student] for student, (k, _) in students.items() if k == kind]
        print(f"  {kind:<9} {len(times):>3} submissions: mean {sum(times) / len(times):.1f} s, max {max(times):.1f} s")
    return 0


def hidden_lines(source: nbformat.NotebookNode) -> set[str]:
    """The longer lines of every hidden-test block of the source notebook."""
    return {
        line.strip()
        for cell in source.cells
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.DOTALL)
        for line in block.splitlines()
        if len(line.strip()) > 30
    }


def lines_of(page: Path) -> set[str]:
    """The stripped lines of a feedback page, HTML entities decoded."""
    return {line.strip() for line in html.unescape(page.read_text()).splitlines()}


def cell_scores(course: Path, assignment: str, students: list[str], grade_ids: list[str]) -> dict[str, dict]:
    """student -> {grade_id: autograded score} of every autograded check cell, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            student: {g: gradebook.find_grade(g, assignment, assignment, student).score for g in grade_ids}
            for student in students
        }


if __name__ == "__main__":
    sys.exit(main())
