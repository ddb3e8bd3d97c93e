"""`zsl-course course`: the nbgrader course folder, written once and never over an existing course (nbgrader's own
commands run on it in tests/test_nbgrader_pipeline.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_course.cli import main
from zsl_course.distribution import SOURCES

pytest.importorskip("nbgrader")


def test_the_course_folder_holds_every_notebook_and_a_config_that_clears_hidden_tests(tmp_path: Path, capsys):
    root = tmp_path / "course"
    assert main(["course", str(root), "--exchange", str(tmp_path / "exchange")]) == 0
    sources = sorted(SOURCES.glob("[0-9]*.ipynb"))
    assert sorted((root / "source").glob("*/*.ipynb")) == [root / "source" / p.stem / p.name for p in sources]
    config = (root / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.root = {str(root.resolve())!r}" in config
    assert "ClearHiddenTests]" in config and "c.Execute.timeout = 600" in config
    namespace = {"get_config": lambda: __import__("traitlets.config", fromlist=["Config"]).Config()}
    exec(compile(config, "nbgrader_config.py", "exec"), namespace)  # the file loads
    assert [p.__name__ for p in namespace["c"].GenerateFeedback.preprocessors][-1] == "ClearHiddenTests"
    assert "NamedStubs" in [p.__name__ for p in namespace["c"].GenerateAssignment.preprocessors]
    assert "ClearSolutions" not in [p.__name__ for p in namespace["c"].GenerateAssignment.preprocessors]


def test_an_existing_course_is_never_overwritten(tmp_path: Path, capsys):
    root = tmp_path / "course"
    (root / "source" / "03_devise").mkdir(parents=True)
    mine = root / "source" / "03_devise" / "03_devise.ipynb"
    mine.write_text("my edited assignment")
    assert main(["course", str(root), "--exchange", str(tmp_path / "exchange")]) == 2
    assert "already holds source/03_devise/03_devise.ipynb; nothing written" in capsys.readouterr().err
    assert mine.read_text() == "my edited assignment"
    assert not (root / "nbgrader_config.py").exists()


def test_feedback_shows_a_failed_check_in_one_line_and_never_the_hidden_code():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from zsl_course.nbgrader_course import HiddenTestErrors

    source = (
        "assert add_one(1) == 2, 'add_one(1) must be 2'\n### BEGIN HIDDEN TESTS\n"
        "assert add_one(-7) == -6, 'the hidden band is [-6, -6]'\n### END HIDDEN TESTS"
    )
    hidden_failure = new_output(
        "error",
        ename="AssertionError",
        evalue="the hidden band is [-6, -6]",
        traceback=["\x1b[0;31m---\x1b[0m", "----> 3 assert add_one(-7) == -6, 'the hidden band is [-6, -6]'", "..."],
    )
    visible_failure = new_output(
        "error",
        ename="AssertionError",
        evalue="add_one(1)\nmust be 2",
        traceback=["----> 1 assert add_one(1) == 2, 'add_one(1) must be 2'", "      2 ### BEGIN HIDDEN TESTS"],
    )
    notebook = new_notebook(
        cells=[
            new_code_cell(source, outputs=[hidden_failure]),
            new_code_cell(source, outputs=[visible_failure]),
            new_code_cell(
                "1 / 0", outputs=[new_output("error", ename="ZeroDivisionError", evalue="x", traceback=["t"])]
            ),
        ]
    )
    cleaned, _ = HiddenTestErrors().preprocess(notebook, {})
    first, second, third = (cell.outputs[0] for cell in cleaned.cells)
    assert first.traceback == [
        "AssertionError: a hidden check failed (hidden checks run at grading; their code is not shown)"
    ]
    assert "band" not in str(first)
    assert second.traceback == ["AssertionError: add_one(1) must be 2"]
    assert third.traceback == ["t"]  # a cell without hidden tests keeps its traceback
