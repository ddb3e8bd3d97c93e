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
