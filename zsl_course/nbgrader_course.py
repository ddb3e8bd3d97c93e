"""An nbgrader course folder for the course's notebooks: its ``nbgrader_config.py`` and ``source/`` assignments.

The configuration makes nbgrader's own commands give what the course's do: ``nbgrader generate_assignment`` writes
the student edition of ``zsl-course release`` (each stub names its exercise, and solution and check cells carry
the tag that lets Run All go on past an unfinished exercise to the final figure), ``nbgrader autograde`` runs only
the set-up cell and the graded cells (as ``zsl-course grade`` does: the notebook's own trainings and figures, which
no check needs, are left unrun), and ``nbgrader generate_feedback`` clears hidden tests from the feedback it writes
(nbgrader's default keeps them).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from .distribution import SOURCES
from .editions import _named_stubs, reader_tags
from .grading import NOT_RUN_AT_GRADING, skip_ungraded_cells

__all__ = [
    "COURSE_ID",
    "GradedCellsOnly",
    "HiddenTestErrors",
    "NamedStubs",
    "ReaderTags",
    "nbgrader_config",
    "write_course_folder",
]

_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.DOTALL)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

COURSE_ID = "zsl-course"


class NamedStubs(NbGraderPreprocessor):
    """nbgrader's ClearSolutions, with each stub raising a NotImplementedError that names its exercise."""

    def preprocess(self, nb, resources):
        """The notebook with every solution replaced by its exercise's stub."""
        return _named_stubs(nb, resources)


class ReaderTags(NbGraderPreprocessor):
    """Tag solution and autograded test cells ``raises-exception`` (Run All carries on past them); drop nbval's."""

    def preprocess(self, nb, resources):
        """The notebook with its graded cells tagged."""
        return reader_tags(nb), resources


class GradedCellsOnly(NbGraderPreprocessor):
    """Leave every code cell without a grade id unrun at autograde (:func:`zsl_course.grading.skip_ungraded_cells`);
    placed after OverwriteCells, which strips the grade ids the gradebook does not know."""

    def preprocess(self, nb, resources):
        """The notebook with the cells that grading skips tagged."""
        return skip_ungraded_cells(nb), resources


class HiddenTestErrors(NbGraderPreprocessor):
    """Feedback shows a failed check as one line, never its traceback: a traceback quotes the code around the failing
    line, hidden tests included (nbgrader's ClearHiddenTests clears the cell's source, not its error output). A
    failure inside a hidden test reads "a hidden check failed"; one in the visible part keeps its message."""

    def preprocess(self, nb, resources):
        """The notebook with every error of a cell holding hidden tests reduced to one line."""
        for cell in nb.cells:
            hidden = {
                line.strip()
                for block in _HIDDEN.findall(cell.source)
                for line in block.splitlines()
                if len(line.strip()) > 3 and not line.strip().startswith("#")
            }
            if cell.cell_type != "code" or not hidden:
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                shown = _ANSI.sub("", "\n".join(output.get("traceback", [])))
                inside = any(line in shown for line in hidden)
                value = "a hidden check failed (hidden checks run at grading; their code is not shown)"
                output["evalue"] = value if inside else " ".join(str(output.get("evalue", "")).split())
                output["traceback"] = [f"{output.get('ename')}: {output['evalue']}"]
        return nb, resources


def nbgrader_config(root: Path, exchange: Path, timeout: int = 600) -> str:
    """The text of the course folder's ``nbgrader_config.py``."""
    return f'''"""nbgrader's configuration of this course folder, written by `zsl-course course`."""
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import Autograde, GenerateAssignment
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, GetGrades

from zsl_course.nbgrader_course import GradedCellsOnly, HiddenTestErrors, NamedStubs, ReaderTags

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = {COURSE_ID!r}
c.CourseDirectory.root = {str(root)!r}
c.Exchange.root = {str(exchange)!r}
c.Execute.timeout = {timeout}  # seconds per cell; nbgrader's default of 30 is short on a real dataset

# The student copy of `zsl-course release`: stubs that name their exercise, and Run All going on to the final figure.
preprocessors = [NamedStubs if p is ClearSolutions else p for p in GenerateAssignment.class_traits()["preprocessors"].default()]
c.GenerateAssignment.preprocessors = preprocessors + [ReaderTags]
# Autograde runs the set-up cell and the graded cells only (what `zsl-course grade` runs): seconds, not minutes.
c.Autograde.sanitize_preprocessors = Autograde.class_traits()["sanitize_preprocessors"].default() + [GradedCellsOnly]
c.Execute.skip_cells_with_tag = {NOT_RUN_AT_GRADING!r}
# Feedback without the hidden tests (nbgrader's default shows them, and with them the reference implementation),
# and a failed check as one line (a traceback quotes the hidden code around the failing line).
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HiddenTestErrors, ClearHiddenTests]
'''


def write_course_folder(root: str | Path, exchange: str | Path, timeout: int = 600) -> list[Path]:
    """Write ``root/nbgrader_config.py`` and ``root/source/<NN_name>/<NN_name>.ipynb`` for every notebook of the
    instructor's source; return the files written. Refuses, writing nothing, when any of them exists already."""
    root, exchange = Path(root).resolve(), Path(exchange).resolve()
    notebooks = sorted(SOURCES.glob("[0-9]*.ipynb"))
    if not notebooks:
        raise ValueError(
            f"no instructor's notebooks in {SOURCES}: `zsl-course course` runs from a clone of the course "
            "(its instructor/ folder), not from a wheel install"
        )
    config = root / "nbgrader_config.py"
    targets = [root / "source" / path.stem / path.name for path in notebooks]
    taken = [path for path in [config, *targets] if path.exists()]
    if taken:
        raise ValueError(
            f"{root} already holds {', '.join(str(p.relative_to(root)) for p in taken)}; nothing written: choose "
            "a new folder (the gradebook and the students' work of an existing course stay untouched)"
        )
    written = []
    for path, target in zip(notebooks, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(Path(shutil.copyfile(path, target)))
    config.write_text(nbgrader_config(root, exchange, timeout))
    return [config, *written]
