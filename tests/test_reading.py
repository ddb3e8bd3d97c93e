"""The notebooks read in order, checked on the instructor's source (the reader's edition is generated from it and
held to it by the drift test): the Colab link and install cell of every notebook come from the one repository URL,
the set-up is one call, code fits 100 characters, and nothing is printed before the notebook that teaches it."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from zsl_course.colab import colab_badge, colab_install_cell, setup_cell
from zsl_course.distribution import SOURCES, release_tag, repository_url

PATHS = sorted(SOURCES.glob("[0-9]*.ipynb"))  # the instructor's source; the reader's edition is generated from it


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_repository_url_is_the_one_pyproject_declares():
    pyproject = (SOURCES.parent / "pyproject.toml").read_text()
    assert f'Repository = "{repository_url()}"' in pyproject
    assert pyproject.count(repository_url()) == 1  # written once


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_colab_link_and_install_cell_are_generated(path: Path):
    notebook = _read(path)
    assert notebook.cells[0].source.splitlines()[1] == colab_badge(path.name), "run `zsl-course colab`"
    assert colab_badge(path.name).endswith(f"/blob/{release_tag()}/notebooks/{path.name})")
    assert _code(notebook)[0].source == colab_install_cell(), "run `zsl-course colab`"


def test_write_colab_cells_adds_then_keeps_the_badge_and_the_install_cell(tmp_path: Path):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from zsl_course.colab import write_colab_cells

    cells = [new_markdown_cell("# 99 · A title\n\nText."), new_code_cell("x = 1")]
    nbformat.write(new_notebook(cells=cells), tmp_path / "99_example.ipynb")
    assert write_colab_cells(tmp_path) == [tmp_path / "99_example.ipynb"]
    notebook = _read(tmp_path / "99_example.ipynb")
    assert notebook.cells[0].source == f"# 99 · A title\n{colab_badge('99_example.ipynb')}\n\nText."
    assert [cell.source for cell in notebook.cells[1:]] == [colab_install_cell(), "x = 1"]
    assert write_colab_cells(tmp_path) == []  # up to date: untouched
    notebook.cells[1].source = colab_install_cell().replace("--quiet", "-q")  # an old install cell: replaced
    nbformat.write(notebook, tmp_path / "99_example.ipynb")
    assert write_colab_cells(tmp_path) == [tmp_path / "99_example.ipynb"]
    assert [cell.source for cell in _read(tmp_path / "99_example.ipynb").cells[1:]] == [colab_install_cell(), "x = 1"]


def test_the_install_cell_does_nothing_off_colab_and_installs_from_the_repository_on_colab(monkeypatch):
    import subprocess
    import sys
    import types

    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: calls.append(args[0]))
    exec(colab_install_cell(), {})
    assert calls == []  # not on Colab
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(colab_install_cell(), {})
    package = f"zsl-course @ git+{repository_url()}@{release_tag()}"  # the release this notebook belongs to
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", package]]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_the_setup_is_one_call(path: Path):
    notebook = _read(path)
    source = setup_cell(notebook).source
    assert "device, data, budget = start_notebook(seed=0)" in source
    everywhere = "\n".join(cell.source for cell in _code(notebook))
    for name in ("set_num_threads", "training_budget(", "course_dataset(", "get_device("):
        assert name not in everywhere, f"{path.name} calls {name} itself; start_notebook does"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_code_lines_fit_100_characters(path: Path):
    long = [
        (i, line)
        for i, cell in enumerate(_read(path).cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > 100
    ]
    assert not long, f"{path.name}: code lines over 100 characters (cell, line): {long}"


@pytest.mark.parametrize("path", [p for p in PATHS if int(p.name[:2]) < 9], ids=lambda p: p.name)
def test_ausuc_is_not_printed_before_notebook_09(path: Path):
    """AUSUC is defined in notebook 09: earlier notebooks print EvalResult's own line (ZSL, S, U, H) and the
    calibrated line, never gbu_line() or the ausuc field."""
    for i, cell in enumerate(_code(_read(path))):
        assert not re.search(r"gbu_line\(|\.ausuc\b|\"ausuc\"", cell.source), f"{path.name} code cell {i}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_exercises_are_numbered_by_notebook(path: Path):
    """Every graded exercise sits under ``Exercise N.k (n points)...``, N the notebook's number, k = 1, 2, ... in
    order; prose names exercises the same way."""
    from zsl_course.grading import graded_exercises

    number = int(path.name[:2])
    headings = list(dict.fromkeys(e.heading for e in graded_exercises(path)))
    for k, heading in enumerate(headings, start=1):
        assert re.match(rf"Exercise {number}\.{k} \(\d+ points?\)", heading), f"{path.name}: {heading!r}"
    for cell in _read(path).cells:
        for label in re.findall(r"\b[Ee]xercise (\d+(?:\.\d+)?)", cell.source):
            assert re.fullmatch(rf"{number}\.[1-{max(len(headings), 1)}]", label), f"{path.name}: Exercise {label}"
