"""Measure an experimental exercise's reported figures over seeds, to choose (or re-check) its tolerance band.

    python tests/exercises/measure_band.py 03_devise 03_experiment_margin --seeds 0 1 2 3 4

Runs the notebook's setup cell, then the solution cell of the given grade_id once per seed, with its first line
``seed = 0`` replaced, on one CPU thread; prints every float the cell assigns to a name starting with
``experiment_``. The bands in the check cells cover these values with a margin.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

import nbformat
import torch

from zsl_course.colab import setup_cell
from zsl_course.distribution import SOURCES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="notebook stem, e.g. 03_devise")
    parser.add_argument("grade_id", help="grade_id of the experiment's solution cell")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    notebook = nbformat.read(SOURCES / f"{args.notebook}.ipynb", as_version=4)  # the solutions live here
    setup = setup_cell(notebook).source
    cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == args.grade_id]
    if len(cells) != 1 or not cells[0].source.startswith("seed = 0"):
        raise SystemExit(f"{args.notebook} has no solution cell {args.grade_id!r} starting with 'seed = 0'")
    torch.set_num_threads(1)
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(setup, "setup", "exec"), namespace)
    for seed in args.seeds:
        source = cells[0].source.replace("seed = 0", f"seed = {seed}", 1)
        run = dict(namespace)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, args.grade_id, "exec"), run)
        figures = {k: v for k, v in run.items() if k.startswith("experiment_") and isinstance(v, (int, float))}
        print(
            f"seed {seed}: "
            + ", ".join(f"{k} {v:.4g}" for k, v in figures.items())
            + f"  ({time.perf_counter() - start:.1f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
