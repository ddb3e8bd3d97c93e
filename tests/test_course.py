"""`zsl-course run`: one line per notebook, no kernel noise, and a failing notebook's error shown."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from zsl_course.distribution import NOTEBOOKS
from zsl_course.kernels import execute_notebook
from zsl_course.runner import run_course
from zsl_utils.data import course_data

ROOT = NOTEBOOKS.parent


def _write(folder: Path, name: str, *sources: str) -> None:
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in sources]), folder / name)


def test_run_prints_one_line_per_notebook_and_no_kernel_warning(tmp_path: Path, capfd):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write(
        notebooks,
        "01_first.ipynb",
        "import sys\nprint(sys.executable)",
        "print('ZSL 58.9 | GZSL S=56.3 U=19.0 H=28.4')",
    )
    _write(notebooks, "02_second.ipynb", "x = 1")
    records = run_course(tmp_path / "out", notebooks=notebooks)
    out, err = capfd.readouterr()  # the kernels' own stderr included: captured at the file-descriptor level
    assert [r.notebook for r in records] == ["01_first.ipynb", "02_second.ipynb"]
    assert records[0].headline == "ZSL 58.9 | GZSL S=56.3 U=19.0 H=28.4" and records[1].headline == ""
    lines = out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("01_first.ipynb") and lines[2].startswith("2 notebooks in")
    assert "WARNING" not in err and "without encryption" not in err, err
    executed = nbformat.read(tmp_path / "out" / "notebooks" / "01_first.ipynb", as_version=4)
    # the notebook kernel is this interpreter (the virtual environment that runs the tests), not another python3
    assert executed.cells[0].outputs[0].text.strip() == sys.executable


def test_a_failing_notebook_stops_the_run_and_shows_its_error(tmp_path: Path, capfd):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write(notebooks, "01_broken.ipynb", "raise ValueError('the real kernel error')")
    _write(notebooks, "02_never.ipynb", "x = 1")
    with pytest.raises(CellExecutionError, match="the real kernel error"):
        run_course(tmp_path / "out", notebooks=notebooks)
    assert not (tmp_path / "out" / "notebooks" / "02_never.ipynb").exists()
    assert "without encryption" not in capfd.readouterr().err


def test_ci_runs_the_readme_quick_start_verbatim_in_a_fresh_environment():
    block = re.search(r"^## Quick start\n.*?^```bash\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)
    quick_start = [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert any("python -m pytest" in line for line in quick_start)  # so CI runs the tests
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    at = [ci.index(line) for line in quick_start]  # each line verbatim, as a line of its own, in order
    assert at == sorted(at)
    venv = next(i for i, line in enumerate(ci) if "-m venv" in line)
    activate = next(i for i, line in enumerate(ci) if line.startswith("source ") and "bin/activate" in line)
    assert venv < activate < at[0]


def test_each_notebook_reports_its_own_kernel_peak_memory(tmp_path: Path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write(
        notebooks,
        "01_big.ipynb",
        "import numpy as np\nblock = np.ones(400 * 2**20 // 8)  # 400 MB touched",
        "del block",
    )
    _write(notebooks, "02_small.ipynb", "x = 1")
    big, small = run_course(tmp_path / "out", notebooks=notebooks)
    assert big.peak_memory_mb > 400  # the peak outlives the freed block
    assert small.peak_memory_mb < big.peak_memory_mb - 300  # its own kernel's peak, not the run's so far


def test_notebook_07_skips_its_region_model_on_a_dataset_without_regions(tmp_path: Path, monkeypatch):
    # An xlsa17 folder has pooled features only (as every real benchmark): SHAPES' two xlsa17 files, under AWA2's name.
    folder = tmp_path / "xlsa17" / "data" / "AWA2"
    folder.mkdir(parents=True)
    for name in ("res101.mat", "att_splits.mat"):
        (folder / name).write_bytes(course_data("SHAPES", name).read_bytes())
    monkeypatch.setenv("ZSL_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("ZSL_DATASET", "AWA2")
    notebook = nbformat.read(NOTEBOOKS / "07_cross_modal_attention.ipynb", as_version=4)
    execute_notebook(notebook, cwd=NOTEBOOKS, timeout=600, allow_errors=False)
    printed = "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    assert "AWA2 has pooled features only: the region model is skipped" in printed
    assert "R = " not in printed  # the region model's own report never ran


def test_headless_kernels_draw_no_progress_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Executed notebooks (zsl-course run, editions, grade) keep no bar in their outputs, even where the calling
    environment has bars on: the kernel gets TQDM_DISABLE=1 and the course's bars read it."""
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("from zsl_utils.utils import progress_bar\nlist(progress_bar(range(3)))")
    ]
    execute_notebook(notebook, cwd=tmp_path)
    outputs = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
