"""``zsl-course run``: execute every notebook headless, keep executed copies and figures, report times."""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .distribution import NOTEBOOKS
from .kernels import clean_notebook, headless_environment, notebook_client

__all__ = ["RunRecord", "headline", "run_course"]

_HEADLINE = re.compile(r"ZSL \d+\.\d \| GZSL .*")


@dataclass(frozen=True)
class RunRecord:
    """One executed notebook: its name, wall-clock seconds, figures saved and last GBU result line."""

    notebook: str
    seconds: float
    figures: int
    headline: str
    peak_memory_mb: float | None
    """The kernel's peak resident memory (Linux ``VmHWM``); None where the system does not report it."""


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
    client.execute(env=headless_environment())
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
    time, its kernel's peak memory, its figures and its last GBU result line. No notebook matching is a ValueError."""
    out, notebooks = Path(out), Path(notebooks)
    paths = sorted(notebooks.glob(pattern))
    if not paths:
        raise ValueError(
            f"no notebook in {notebooks} matches {pattern!r}; check --pattern (a glob such as '07_*.ipynb')"
        )
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    records = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        peak = _execute_measured(notebook, notebooks, timeout)
        seconds = time.perf_counter() - start
        nbformat.write(clean_notebook(notebook), out / "notebooks" / path.name)
        record = RunRecord(
            path.name, seconds, _save_figures(notebook, path.stem, out / "figures"), headline(notebook), peak
        )
        records.append(record)
        print(
            f"{record.notebook:<40} {record.seconds:6.1f} s  {_megabytes(peak):>8}  {record.figures:2d} figures  "
            f"{record.headline}",
            flush=True,
        )
    total = sum(r.seconds for r in records)
    peak = max((r.peak_memory_mb for r in records if r.peak_memory_mb is not None), default=None)
    print(f"{len(records)} notebooks in {total:.1f} s; peak kernel memory {_megabytes(peak)}; outputs in {out}")
    return records
