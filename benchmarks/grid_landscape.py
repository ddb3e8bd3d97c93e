"""Validation landscape of a grid: the validation ZSL accuracy of every grid point, for several seeds.

The default grids of ``zsl_utils.selection.DEFAULT_GRIDS`` were set from these landscapes (README, Benchmark):

    python benchmarks/grid_landscape.py devise '{"feature_norm": ["none", "standardise"], "weight_decay": [0.3, 1, 3, 10, 30]}'
    python benchmarks/grid_landscape.py region_attention '{"temperature": [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]}'

Each point is trained as ``select_and_train`` trains it (the model's ``DEFAULT_CONFIGS`` setup, the fitting part of the
train-class images of that seed, the best epoch on the validation classes); only validation images are scored. One
line per point: the params, the selection score of each seed and their mean, in %: val ZSL, or for a generative model
(``clswgan``, ``cvae``) the plain val H it is chosen by (held-out train-class images as seen, val images as unseen,
with features synthesised for the val classes). ``--seeds`` (default 3) runs seeds 0..N-1.

    python benchmarks/grid_landscape.py cvae '{"n_per_class": [25, 100, 400]}'
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import warnings

import torch

from zsl_utils import course_dataset
from zsl_utils.selection import DEFAULT_CONFIGS, select_and_train
from zsl_utils.train import TrainConfig


def landscape(name: str, grid: dict, seeds: int) -> dict[str, list[float]]:
    """``{json params: [selection score of seed 0, 1, ...]}`` (fractions; NaN where training diverged): val ZSL, or
    the plain val H of a generative model."""
    data = course_dataset("cpu")
    scores: dict[str, list[float]] = {}
    config = dataclasses.replace(DEFAULT_CONFIGS.get(name, TrainConfig()), progress=False)
    for seed in range(seeds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # edge and divergence warnings: the table shows both
            _, selection = select_and_train(name, data, "attributes", grid=grid, config=config, seed=seed)
        for trial in selection.trials:
            scores.setdefault(json.dumps(trial["params"]), []).append(trial.get("val_plain_harmonic", trial["val_zsl"]))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a registry name, e.g. devise")
    parser.add_argument("grid", help="a JSON grid, e.g. '{\"weight_decay\": [0.3, 1, 3]}'")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for params, values in landscape(args.model, json.loads(args.grid), args.seeds).items():
        per_seed = ", ".join(f"{100 * v:.1f}" for v in values)
        print(f"{params:<60} [{per_seed}] mean {100 * sum(values) / len(values):.1f}")


if __name__ == "__main__":
    main()
