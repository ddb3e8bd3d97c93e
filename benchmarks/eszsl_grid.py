"""ESZSL's hyperparameter grid at AWA2 size: ``ESZSL.solve_grid`` (X^T X once, one Cholesky factorisation per gamma,
one eigendecomposition of S^T S) against ``ESZSL.fit`` at every point (X^T X and two solves each).

The grid (gamma, lam in 10^-3 .. 10^3, 7 x 7) is fitted as ``selection.select_and_train`` fits it: on the train
images of the train classes less the held-out part (``holdout_split``), each point scored by ZSL accuracy on the val
images over the val classes, the best chosen (the first on ties). The data are synthetic features of AWA2's size
with the real AWA2 split file (``make_awa2_size.py``): 12,948 of the 16,187 train images, x 2,048.

    python benchmarks/eszsl_grid.py                     # writes the AWA2-size folder to a temporary root first
    python benchmarks/eszsl_grid.py --root /tmp/awa2size  # a root already written by make_awa2_size.py
    python benchmarks/eszsl_grid.py --root /tmp/awa2size --skip-direct

Prints the wall-clock and CPU seconds of each path (solving, and scoring the 49 models on the 7,340 val images),
both choices, the largest relative
difference between the two paths' W, the seconds of one eigendecomposition of X^T X (the alternative to the
Cholesky factorisations), and the load average before and after (other jobs share the cores).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from make_awa2_size import DEFAULT_SPLIT_FILE, write_dataset

from zsl_utils.data import load_dataset
from zsl_utils.evaluation import score_images
from zsl_utils.metrics import zsl_accuracy
from zsl_utils.models import ESZSL
from zsl_utils.selection import holdout_split

GRID = [10.0**k for k in range(-3, 4)]


@dataclass(frozen=True)
class Seconds:
    """Wall-clock and CPU seconds (all threads); on shared cores, CPU seconds / threads is a lower bound of the
    wall time the same work takes on idle cores."""

    wall: float = 0.0
    cpu: float = 0.0

    def __add__(self, other: Seconds) -> Seconds:
        return Seconds(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall ({self.cpu:.1f} CPU-s)"


class Stopwatch:
    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self) -> Seconds:
        """The seconds since the previous lap (or the start)."""
        wall, cpu = time.perf_counter(), time.process_time()
        lap = Seconds(wall - self._wall, cpu - self._cpu)
        self._wall, self._cpu = wall, cpu
        return lap


def choose(accuracies: list[float]) -> int:
    """Index of the best validation accuracy, the first on ties (selection's rule)."""
    return max(range(len(accuracies)), key=lambda i: (accuracies[i], -i))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, help="a data root written by make_awa2_size.py (default: write one to a temporary folder)"
    )
    parser.add_argument("--split-file", type=Path, default=DEFAULT_SPLIT_FILE)
    parser.add_argument(
        "--skip-direct", action="store_true", help="time solve_grid only (the direct path takes minutes)"
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}, torch threads {torch.get_num_threads()}, cpus {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as scratch:
        root = args.root
        if root is None:
            root = Path(scratch)
            start = time.perf_counter()
            write_dataset(root, args.split_file)
            print(f"wrote the AWA2-size folder in {time.perf_counter() - start:.1f} s")
        dataset = load_dataset("AWA2", root=root, word_vectors=())
    fit_images, _ = holdout_split(dataset, seed=0)
    features, labels = dataset.features[fit_images], dataset.labels[fit_images]
    semantics = dataset.semantic("attributes")
    print(
        f"grid {len(GRID)} x {len(GRID)} on {tuple(features.shape)} features of {len(dataset.train_classes)} train classes"
    )

    val_features, val_labels = dataset.features[dataset.val], dataset.labels[dataset.val]

    def val_zsl(V: torch.Tensor) -> float:
        model = ESZSL(dataset.feature_dim, semantics.shape[1])
        model.load_state_dict({"W": V, "fitted": torch.tensor(True)})
        return zsl_accuracy(score_images(model, val_features, semantics), val_labels, dataset.val_classes)

    points = [(gamma, lam) for gamma in GRID for lam in GRID]
    clock = Stopwatch()
    solutions = ESZSL(features.shape[1], semantics.shape[1]).solve_grid(
        features, labels, semantics, GRID, GRID, dataset.train_classes
    )
    fast_solve = clock.lap()
    fast_scores = [val_zsl(solutions[i, j]) for i in range(len(GRID)) for j in range(len(GRID))]
    fast_scoring = clock.lap()
    fast_choice = points[choose(fast_scores)]
    print(
        f"solve_grid: solve {fast_solve}, scoring the 49 models {fast_scoring}; choice {fast_choice}, "
        f"val ZSL {max(fast_scores):.4f}"
    )
    if args.skip_direct:
        print(f"load average at end: {os.getloadavg()}")
        return

    direct, difference, direct_solve, direct_scoring = [], 0.0, Seconds(), Seconds()
    for i, gamma in enumerate(GRID):
        for j, lam in enumerate(GRID):
            clock = Stopwatch()
            V = (
                ESZSL(dataset.feature_dim, semantics.shape[1], gamma, lam)
                .fit(features, labels, semantics, dataset.train_classes)
                .W
            )
            direct_solve += clock.lap()
            direct.append(val_zsl(V))
            direct_scoring += clock.lap()
            difference = max(difference, float((solutions[i, j].float() - V).abs().max() / V.abs().max()))
    direct_choice = points[choose(direct)]
    print(
        f"fit at each point: solve {direct_solve}, scoring {direct_scoring}; choice {direct_choice}, val ZSL {max(direct):.4f}"
    )
    print(f"same choice: {fast_choice == direct_choice}; same val ZSL at every point: {fast_scores == direct}")
    print(f"largest relative difference of W (float32, as models hold it): {difference:.1e}")

    gram = features.double().T @ features.double()
    clock = Stopwatch()
    torch.linalg.eigh(gram)
    print(f"one eigendecomposition of X^T X (d_v = {gram.shape[0]}): {clock.lap()}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
