"""``zsl-course benchmark``: every model with validation-based selection, over several seeds, on one dataset."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .data import load_dataset
from .dataset import ZSLDataset
from .evaluation import evaluate
from .plots import plot_tsne
from .selection import select_and_train
from .utils import get_device

__all__ = ["default_models", "run_benchmark", "markdown_table"]

_COLUMNS = (("zsl", "ZSL"), ("seen", "S"), ("unseen", "U"), ("harmonic", "H"), ("calibrated_harmonic", "H (cal.)"), ("ausuc", "AUSUC"))


def default_models(dataset: ZSLDataset) -> list[str]:
    """Every model of the course; region attention where the dataset has region features, token attention else."""
    attention = "region_attention" if dataset.regions is not None else "attention"
    return ["eszsl", "devise", "devise_mlp", "bilinear", "bilinear_lowrank", attention, "two_branch"]


def markdown_table(results: list[dict], title: str) -> str:
    """Mean +- std over seeds, in percent, one row per model."""
    lines = [f"### {title}", "", "| model | " + " | ".join(h for _, h in _COLUMNS) + " | seconds |", "|---" * (len(_COLUMNS) + 2) + "|"]
    for model in dict.fromkeys(r["model"] for r in results):
        runs = [r for r in results if r["model"] == model]
        cells = []
        for key, _ in _COLUMNS:
            values = 100 * np.array([r["metrics"][key] for r in runs])
            cells.append(f"{values.mean():.1f} ± {values.std():.1f}")
        seconds = np.mean([r["seconds"] for r in runs])
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {seconds:.1f} |")
    return "\n".join(lines)


def run_benchmark(
    dataset_name: str,
    models: Sequence[str] | None = None,
    seeds: int = 3,
    semantic_kind: str = "attributes",
    out: str | Path = "runs/benchmark",
    device: torch.device | str | None = None,
    tsne: bool = True,
) -> tuple[list[dict], str]:
    """Select (on validation classes), retrain and evaluate every model for seeds 0..seeds-1.

    Writes ``results.json``, ``results.md`` and one t-SNE PNG per model (seed 0) to ``out``; returns the results
    and the markdown table.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    dataset = load_dataset(dataset_name).to(device if device is not None else get_device())
    models = list(models or default_models(dataset))
    results = []
    for name in models:
        for seed in range(seeds):
            start = time.perf_counter()
            model, selection = select_and_train(name, dataset, semantic_kind, seed=seed)
            metrics = evaluate(model, dataset, semantic_kind, gamma=selection.gamma)
            seconds = time.perf_counter() - start
            results.append({
                "model": name, "seed": seed, "semantics": semantic_kind, "params": selection.params,
                "epochs": selection.epochs, "val_zsl": selection.val_zsl, "metrics": metrics.as_dict(), "seconds": seconds,
            })
            print(f"{name:<17} seed {seed}  {metrics}  ({seconds:.1f} s)", flush=True)
            if tsne and seed == 0:
                figure = plot_tsne(model, dataset, semantic_kind, per_class=15)
                figure.savefig(out / f"tsne_{name}.png", dpi=110)
                plt.close(figure)
    title = f"{dataset.name}, {semantic_kind}, {seeds} seed(s), device {dataset.device.type}"
    table = markdown_table(results, title)
    (out / "results.json").write_text(json.dumps({"dataset": dataset.name, "semantics": semantic_kind, "results": results}, indent=2, default=str) + "\n")
    (out / "results.md").write_text(table + "\n")
    return results, table
