"""``zsl-course run``: execute every notebook headless, keep executed copies and figures, report times.

The course's notebooks come in two folders: :data:`SOURCES`, the instructor's source (solutions, hidden tests,
nbgrader's metadata, nbval's tags), and :data:`NOTEBOOKS`, the reader's edition generated from it
(``zsl-course editions``), which is what a reader opens and what ``zsl-course run`` executes."""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .distribution import repository_url
from .teaching import clean_notebook, notebook_client

__all__ = ["NOTEBOOKS", "SOURCES", "RunRecord", "colab_badge", "colab_install_cell", "headline", "run_course",
           "setup_cell", "write_colab_cells"]

_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = _ROOT / "notebooks"
"""The reader's edition: no solution, no hidden test; executed and committed."""
SOURCES = _ROOT / "instructor"
"""The instructor's source of every notebook, from which the editions are generated."""


def colab_install_cell() -> str:
    """The source of every notebook's first code cell: on Google Colab it installs the course from its repository
    (the URL written in, since the package is not installed yet when it runs); elsewhere it does nothing."""
    return (
        "# On Google Colab, install the course's package; anywhere else this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    package = "zsl-course @ git+{repository_url()}"\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)'
    )


def setup_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A course notebook's set-up cell: its first code cell after the Colab install cell (the only cell that
    exercises may depend on)."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or code[0].source != colab_install_cell():
        raise ValueError("the notebook's first code cell is not colab_install_cell(); see notebooks/CONTRIBUTING.md")
    if len(code) < 2:
        raise ValueError("the notebook has no set-up cell after its Colab install cell")
    return code[1]


def colab_badge(notebook: str) -> str:
    """The markdown "Open in Colab" badge of ``notebook`` (a file name such as ``03_devise.ipynb``): it opens the
    reader's edition, ``notebooks/<notebook>`` on the main branch of the course's repository."""
    url = repository_url()
    if not url.startswith("https://github.com/"):
        raise ValueError(f"Colab opens notebooks from GitHub, but the repository is {url}; "
                         "declare an https://github.com/... URL in pyproject.toml [project.urls] Repository")
    github = url.removeprefix("https://github.com/").removesuffix(".git")
    return ("[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"(https://colab.research.google.com/github/{github}/blob/main/notebooks/{notebook})")
_HEADLINE = re.compile(r"ZSL \d+\.\d \| GZSL .*")


@dataclass(frozen=True)
class RunRecord:
    notebook: str
    seconds: float
    figures: int
    headline: str
    peak_memory_mb: float | None
    """The kernel's peak resident memory (Linux ``VmHWM``); None where the system does not report it."""


def write_colab_cells(notebooks: str | Path = SOURCES, pattern: str = "[0-9]*.ipynb") -> list[Path]:
    """Give every notebook matching ``pattern`` its "Open in Colab" badge (the line under its title, cell 0) and
    its Colab install cell (the first code cell: replaced when it is one, inserted before the first code cell
    otherwise), from ``repository_url()``; only the source of those two cells changes. Returns the notebooks
    rewritten (those already up to date are left untouched)."""
    install_source, changed = colab_install_cell(), []
    for path in sorted(Path(notebooks).glob(pattern)):
        notebook = nbformat.read(path, as_version=4)
        title = notebook.cells[0]
        if title.cell_type != "markdown" or not title.source.startswith("# "):
            raise ValueError(f"{path.name}: cell 0 is not the title (a markdown cell starting with '# ')")
        lines = [line for line in title.source.split("\n") if "colab-badge.svg" not in line]
        source = "\n".join(lines[:1] + [colab_badge(path.name)] + lines[1:])
        first_code = next((i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"), None)
        if first_code is None:
            raise ValueError(f"{path.name} has no code cell: the Colab install cell goes before the set-up cell")
        install = notebook.cells[first_code]
        is_install = install.source.startswith(install_source.split("\n", 1)[0])
        if source == title.source and is_install and install.source == install_source:
            continue
        title.source = source
        if is_install:
            install.source = install_source
        else:
            cell = nbformat.v4.new_code_cell(install_source)
            if notebook.nbformat_minor < 5:   # cell ids came with nbformat 4.5
                cell.pop("id", None)
            notebook.cells.insert(first_code, cell)
        nbformat.write(notebook, path)
        changed.append(path)
    return changed


def headline(notebook: nbformat.NotebookNode) -> str:
    """The last GBU result line printed by the notebook (an ``EvalResult``), or '' when there is none."""
    found = ""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") or output.get("data", {}).get("text/plain", "")
            for match in _HEADLINE.finditer(text if isinstance(text, str) else "".join(text)):
                found = match.group(0).strip()
    return found


def _peak_memory_mb(pid: int) -> float | None:
    """The peak resident set size of process ``pid`` in MB (``VmHWM`` of ``/proc/<pid>/status``), or None."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else None


def _execute_measured(notebook: nbformat.NotebookNode, cwd: Path, timeout: int) -> float | None:
    """Execute ``notebook`` (stopping at the first error); return its kernel's peak memory in MB, read after each
    cell while the kernel is alive."""
    client = notebook_client(notebook, cwd, timeout, allow_errors=False)
    peak: list[float] = []

    def measure(**_: object) -> None:
        found = _peak_memory_mb(client.km.provisioner.pid)
        if found is not None:
            peak.append(found)

    client.on_cell_executed = measure
    client.execute()
    return max(peak, default=None)


def _save_figures(notebook: nbformat.NotebookNode, stem: str, folder: Path) -> int:
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                count += 1
                (folder / f"{stem}_{count:02d}.png").write_bytes(base64.b64decode(png))
    return count


def _megabytes(value: float | None) -> str:
    return "? MB" if value is None else f"{value:,.0f} MB"


def run_course(
    out: str | Path = "output", notebooks: str | Path = NOTEBOOKS, pattern: str = "[0-9]*.ipynb", timeout: int = 900
) -> list[RunRecord]:
    """Execute each notebook matching ``pattern`` in a fresh kernel (stopping at the first error); write executed
    copies to ``out/notebooks`` and their figures to ``out/figures``; print one line per notebook: its wall-clock
    time, its kernel's peak memory, its figures and its last GBU result line."""
    out, notebooks = Path(out), Path(notebooks)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    records = []
    for path in sorted(notebooks.glob(pattern)):
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        peak = _execute_measured(notebook, notebooks, timeout)
        seconds = time.perf_counter() - start
        nbformat.write(clean_notebook(notebook), out / "notebooks" / path.name)
        record = RunRecord(path.name, seconds, _save_figures(notebook, path.stem, out / "figures"), headline(notebook), peak)
        records.append(record)
        print(f"{record.notebook:<40} {record.seconds:6.1f} s  {_megabytes(peak):>8}  {record.figures:2d} figures  "
              f"{record.headline}", flush=True)
    total = sum(r.seconds for r in records)
    peak = max((r.peak_memory_mb for r in records if r.peak_memory_mb is not None), default=None)
    print(f"{len(records)} notebooks in {total:.1f} s; peak kernel memory {_megabytes(peak)}; outputs in {out}")
    return records
