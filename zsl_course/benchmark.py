"""``zsl-course benchmark``: every model with validation-based selection, over several seeds, on one dataset."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import os
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from zsl_shapes.captions import captioned
from zsl_utils.budget import scaled_epochs
from zsl_utils.data import FILE_SEMANTICS, dataset_folder, load_dataset
from zsl_utils.dataset import ZSLDataset
from zsl_utils.evaluation import EvalResult, evaluate
from zsl_utils.models import MODELS
from zsl_utils.plots import plot_tsne
from zsl_utils.selection import CALIBRATION_RULES, DEFAULT_CONFIGS, select_and_train
from zsl_utils.semantic import GLOVE50, ONLINE_VECTORS
from zsl_utils.train import TrainConfig
from zsl_utils.utils import get_device, write_atomically

from .results_store import (
    check_fingerprints,
    check_out_folder,
    data_fingerprint,
    exit_with_parent,
    results_lock,
    unique_models,
)

__all__ = [
    "GBU_REFERENCE",
    "MODEL_LABELS",
    "default_models",
    "best_on_test",
    "best_counts",
    "run_benchmark",
    "markdown_table",
]

GBU_REFERENCE: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "ALE": {
        "AWA1": (59.9, 16.8, 76.1, 27.5),
        "AWA2": (62.5, 14.0, 81.8, 23.9),
        "CUB": (54.9, 23.7, 62.8, 34.4),
        "SUN": (58.1, 21.8, 33.1, 26.3),
        "APY": (39.7, 4.6, 73.7, 8.7),
    },
    "DeViSE": {
        "AWA1": (54.2, 13.4, 68.7, 22.4),
        "AWA2": (59.7, 17.1, 74.7, 27.8),
        "CUB": (52.0, 23.8, 53.0, 32.8),
        "SUN": (56.5, 16.9, 27.4, 20.9),
        "APY": (39.8, 4.9, 76.9, 9.2),
    },
    "SJE": {
        "AWA1": (65.6, 11.3, 74.6, 19.6),
        "AWA2": (61.9, 8.0, 73.9, 14.4),
        "CUB": (53.9, 23.5, 59.2, 33.6),
        "SUN": (53.7, 14.7, 30.5, 19.8),
        "APY": (32.9, 3.7, 55.7, 6.9),
    },
    "ESZSL": {
        "AWA1": (58.2, 6.6, 75.6, 12.1),
        "AWA2": (58.6, 5.9, 77.8, 11.0),
        "CUB": (53.9, 12.6, 63.8, 21.0),
        "SUN": (54.5, 11.0, 27.9, 15.8),
        "APY": (38.3, 2.4, 70.1, 4.6),
    },
}
"""Published GBU results (Xian et al., TPAMI 2018, proposed split, ResNet-101 features, attributes), in percent:
method -> dataset -> (ZSL top-1, GZSL U, GZSL S, GZSL H). Reference only: no calibration in these numbers."""

MODEL_LABELS: dict[str, str] = {
    "nearest_prototype": "nearest prototype (baseline, notebook 00)",
    "conse": "ConSE (baseline, Norouzi et al. 2014)",
    "eszsl": "ESZSL (paper: closed form)",
    "devise": "DeViSE (paper: linear map, hinge rank loss)",
    "ale": "ALE (paper: bilinear, weighted rank loss)",
    "sje": "SJE (paper: bilinear, structured hinge)",
    "bilinear": "bilinear, softmax (ours)",
    "bilinear_lowrank": "bilinear low rank, softmax (ours)",
    "devise_mlp": "DeViSE with an MLP, hinge rank (ours)",
    "attention": "attention over feature tokens (ours)",
    "region_attention": "attention over regions (ours)",
    "two_branch": "two-branch, softmax (ours)",
    "clswgan": "f-CLSWGAN features + softmax (ours: the paper's objective, a shorter schedule)",
    "cvae": "conditional VAE features + softmax (ours)",
    "clip": "CLIP-style towers on captions, scored by prompts (ours: SHAPES scale, not the paper's training)",
}
"""What each benchmark row is: "paper" rows are trained with their paper's objective, "ours" are the course's own
models or variants, "baseline" rows learn no embedding."""

_COLUMNS = (
    ("zsl", "ZSL"),
    ("seen", "S"),
    ("unseen", "U"),
    ("harmonic_none", "H (γ 0)"),
    ("harmonic_as_is", "H, val γ as is"),
    ("harmonic_rescaled", "H, val γ rescaled"),
    ("ausuc", "AUSUC"),
)


def default_models(dataset: ZSLDataset) -> list[str]:
    """The baselines, then every model of the course, the feature generators last; region attention where the
    dataset has region features, token attention else."""
    attention = "region_attention" if dataset.regions is not None else "attention"
    return [
        "nearest_prototype",
        "conse",
        "eszsl",
        "devise",
        "ale",
        "sje",
        "bilinear",
        "bilinear_lowrank",
        "devise_mlp",
        attention,
        "two_branch",
        "clswgan",
        "cvae",
        *(["clip"] if dataset.name == "SHAPES" else []),  # captions exist for SHAPES' rendered images only
    ]


def best_on_test(run: dict) -> list[str]:
    """The ways of ``CALIBRATION_RULES`` with the highest test H in one stored run (several when tied). Descriptive
    only: a way picked by test H would be chosen on the test images."""
    harmonic = {way: run["calibration"][way]["harmonic"] for way in CALIBRATION_RULES}
    return [way for way in CALIBRATION_RULES if harmonic[way] == max(harmonic.values())]


def best_counts(results: list[dict]) -> dict[str, int]:
    """How many runs each way of ``CALIBRATION_RULES`` was best on test in (a tie counts for every tied way)."""
    best = [best_on_test(run) for run in results]
    return {way: sum(way in ways for ways in best) for way in CALIBRATION_RULES}


def _mean_std(values: np.ndarray) -> str:
    """``mean ± sample std`` (ddof=1) of one column over seeds; the mean alone for one seed."""
    if len(values) < 2:
        return f"{values.mean():.1f}"
    return f"{values.mean():.1f} ± {values.std(ddof=1):.1f}"


def markdown_table(results: list[dict], title: str) -> str:
    """Mean ± sample std (ddof=1) over seeds, in percent, one row per model; H three ways (no calibration, the
    validation gamma as is, rescaled), none chosen, and in how many seeds each way had the best test H, with the
    counts over every row and seed below the table (descriptive: test H chooses nothing)."""
    header = ["model"] + [h for _, h in _COLUMNS] + ["best on test: γ 0, as is, rescaled", "seconds"]
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for model in dict.fromkeys(r["model"] for r in results):
        runs = [r for r in results if r["model"] == model]
        cells = [_mean_std(100 * np.array([_metric(r, key) for r in runs])) for key, _ in _COLUMNS]
        best = ", ".join(str(n) for n in best_counts(runs).values())
        seconds = np.mean([r["seconds"] for r in runs])
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {best} | {seconds:.1f} |")
    counts = best_counts(results)
    lines += [
        "",
        f"Mean ± sample std (ddof=1) over seeds. Best test H over all {len(results)} runs (rows × seeds; a tie counts "
        f"for each tied way): γ 0 {counts['none']}, val γ as is {counts['as_is']}, rescaled {counts['rescaled']}. "
        "Descriptive only: no way is chosen, and test H chooses nothing.",
    ]
    return "\n".join(lines)


def _metric(run: dict, key: str) -> float:
    """A column's value in one stored run: the ``metrics`` fields, or H under one of the three ways."""
    if key.startswith("harmonic_"):
        return run["calibration"][key.removeprefix("harmonic_")]["harmonic"]
    return run["metrics"][key]


def _check_benchmark_args(dataset_name: str, models: Sequence[str] | None, seeds: int, semantic_kind: str) -> None:
    """A ValueError naming the valid choices for an unknown dataset, model or semantics, or seeds < 1; nothing is
    loaded."""
    dataset_folder(dataset_name)  # an unknown name is a ZSLDataError listing the valid ones
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"the number of seeds (--seeds) must be a positive int, got {seeds!r}")
    unknown = [name for name in models or () if name not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(map(repr, unknown))}; valid names: {', '.join(sorted(MODELS))}")
    kinds = (*FILE_SEMANTICS, GLOVE50, *ONLINE_VECTORS)
    if semantic_kind not in kinds:
        raise ValueError(f"unknown semantics {semantic_kind!r}; valid: {', '.join(kinds)}")


def _earlier_results(out: Path, dataset_name: str, semantic_kind: str) -> list[dict]:
    """The rows of an existing ``out/results.json`` of the same dataset and semantics ([] when there is none); an
    error for a file of another experiment or one that is not a results file, which a run must not replace."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder; choose a folder for the results")
    path = out / "results.json"
    if not path.exists():
        return []
    try:
        saved = json.loads(path.read_text())
        dataset, semantics, rows = saved["dataset"], saved["semantics"], list(saved["results"])
        markdown_table(rows, "")  # every row has what the table needs
        _merged(rows, [])
    except (ValueError, LookupError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{path} exists but is not a results file of this version ({type(error).__name__}: {error}); "
            "move it away or choose another --out"
        ) from error
    if dataset.upper() != dataset_name.upper() or semantics != semantic_kind:
        raise ValueError(
            f"{path} holds the results of {dataset} with {semantics}; this run ({dataset_name} with {semantic_kind}) "
            "would replace them: choose another --out (or move that file away)"
        )
    return rows


def _merged(earlier: list[dict], new: list[dict]) -> list[dict]:
    """``earlier`` rows with each (model, seed) that ``new`` has replaced by the new row; new ones appended."""
    fresh = {(r["model"], r["seed"]): r for r in new}
    return [fresh.pop((r["model"], r["seed"]), r) for r in earlier] + list(fresh.values())


def _write_results(out: Path, dataset_name: str, semantic_kind: str, rows: list[dict], title: str) -> None:
    """results.json and results.md of every row (earlier runs' included), each replaced atomically."""
    saved = {"dataset": dataset_name, "semantics": semantic_kind, "best_on_test": best_counts(rows), "results": rows}
    content = json.dumps(saved, indent=2, default=str)
    table = markdown_table(rows, title)
    write_atomically(out / "results.json", lambda tmp: Path(tmp).write_text(content + "\n"))
    write_atomically(out / "results.md", lambda tmp: Path(tmp).write_text(table + "\n"))


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """torch on one CPU thread inside the block: the models are small, and runs then give the same numbers whether
    they share a process or not."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _run_one(
    dataset: ZSLDataset, name: str, seed: int, semantic_kind: str, tsne_out: Path | None, epochs_scale: float = 1.0
) -> dict:
    """Select, retrain and evaluate one model for one seed; the stored record (and a t-SNE PNG when asked)."""
    start = time.perf_counter()
    if name == "clip":  # trained on captions, classes named by prompts: no attribute or word vector
        dataset, semantic_kind = captioned(dataset), "prompts"
    config = DEFAULT_CONFIGS.get(name, TrainConfig())
    config = dataclasses.replace(config, progress=False, epochs=scaled_epochs(config.epochs, epochs_scale))
    with _one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # edge choices are recorded below, and reported once by the table
        model, selection = select_and_train(name, dataset, semantic_kind, config=config, seed=seed)
        ruled = {
            rule: evaluate(model, dataset, semantic_kind, gamma=selection.gamma_for(rule)) for rule in CALIBRATION_RULES
        }
        metrics = ruled["none"]  # ZSL, S, U, H and AUSUC do not depend on gamma
        calibration = {
            rule: {
                "gamma": r.gamma,
                "seen": r.calibrated_seen,
                "unseen": r.calibrated_unseen,
                "harmonic": r.calibrated_harmonic,
            }
            for rule, r in ruled.items()
        }
        seconds = time.perf_counter() - start
        if tsne_out is not None:
            figure = plot_tsne(model, dataset, semantic_kind, per_class=15)
            figure.savefig(tsne_out, dpi=110)
            plt.close(figure)
    record = {
        "model": name,
        "label": MODEL_LABELS.get(name, name),
        "seed": seed,
        "semantics": semantic_kind,
        "params": selection.params,
        "edges": selection.edges,
        "epochs": selection.epochs,
        "val_zsl": selection.val_zsl,
        "val_harmonic": selection.val_harmonic,
        "metrics": metrics.as_dict(),
        "calibration": calibration,
        "seconds": seconds,
    }
    return record | {"best_on_test": best_on_test(record)}


_WORKER: dict[str, ZSLDataset] = {}


def _init_worker(dataset_name: str, word_vectors: tuple[str, ...], device: str) -> None:
    exit_with_parent()  # a killed benchmark leaves no worker running
    matplotlib.use("Agg")
    _WORKER["dataset"] = load_dataset(dataset_name, word_vectors=word_vectors).to(device)


def _run_in_worker(name: str, seed: int, semantic_kind: str, tsne_out: Path | None, epochs_scale: float) -> dict:
    return _run_one(_WORKER["dataset"], name, seed, semantic_kind, tsne_out, epochs_scale)


def run_benchmark(
    dataset_name: str,
    models: Sequence[str] | None = None,
    seeds: int = 3,
    semantic_kind: str = "attributes",
    out: str | Path = "runs/benchmark",
    device: torch.device | str | None = None,
    tsne: bool = True,
    jobs: int | None = None,
    epochs_scale: float = 1.0,
) -> tuple[list[dict], str]:
    """Select (on validation classes), retrain and evaluate every model for seeds 0..seeds-1.

    ``jobs`` runs that many (model, seed) runs at once in separate processes, each on one thread (default: 2 on a
    CPU with two cores or more, 1 on a GPU); every run seeds itself, so the numbers do not depend on ``jobs``.
    ``epochs_scale`` (in (0, 1]) shortens every training to that fraction of its epochs (at least 1), as a notebook's
    :class:`~zsl_utils.budget.TrainingBudget` does (:func:`~zsl_utils.budget.scaled_epochs`); the table's title
    says so when it is below 1.
    Arguments are checked before anything is loaded. ``results.json`` and ``results.md`` in ``out`` are rewritten
    as each run finishes, keeping the rows of an earlier run into ``out`` that this run does not redo (same dataset
    and semantics only: another experiment's file is an error, never replaced); one t-SNE PNG per model (seed 0).
    Returns this run's results (in model order, then seed) and their markdown table.
    """
    _check_benchmark_args(dataset_name, models, seeds, semantic_kind)
    models = unique_models(models)
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"the number of jobs (--jobs) must be a positive int, got {jobs!r}")
    if not 0 < epochs_scale <= 1:
        raise ValueError(f"epochs_scale must lie in (0, 1], got {epochs_scale!r}")
    device = get_device(device)
    out = Path(out)
    check_out_folder(out)
    earlier = _earlier_results(out, dataset_name, semantic_kind)
    word_vectors = () if semantic_kind in FILE_SEMANTICS else (semantic_kind,)
    dataset = load_dataset(dataset_name, word_vectors=word_vectors).to(device)
    fingerprint = data_fingerprint(dataset_folder(dataset_name))
    check_fingerprints(earlier, fingerprint, out / "results.json")
    started_with = {(r["model"], r["seed"]) for r in earlier}
    out.mkdir(parents=True, exist_ok=True)  # only now: a dataset that is not there leaves no empty folder
    models = list(models or default_models(dataset))
    title = f"{dataset.name}, {semantic_kind}, {seeds} seed(s), device {dataset.device.type}"
    if epochs_scale < 1:
        title += f", every training at {epochs_scale:.2g} of its epochs"
    if jobs is None:
        jobs = 1 if dataset.device.type != "cpu" else max(1, min(2, os.cpu_count() or 1))
    runs = [
        (name, seed, semantic_kind, out / f"tsne_{name}.png" if tsne and seed == 0 else None, epochs_scale)
        for name in models
        for seed in range(seeds)
    ]
    order = {(name, seed): i for i, (name, seed, *_) in enumerate(runs)}
    results = []

    def report(record: dict) -> None:
        record["data"] = fingerprint
        results.append(record)
        results.sort(key=lambda r: order[(r["model"], r["seed"])])
        metrics = EvalResult(**record["metrics"])
        harmonic = "  ".join(f"H {way} {100 * record['calibration'][way]['harmonic']:.1f}" for way in CALIBRATION_RULES)
        print(
            f"{record['model']:<17} seed {record['seed']}  {metrics} | {harmonic} | AUSUC {100 * metrics.ausuc:.1f}"
            f"  ({record['seconds']:.1f} s)",
            flush=True,
        )
        with results_lock(out):
            # re-read under the lock: rows another benchmark wrote meanwhile are kept; this run's own rows written
            # by an earlier report are dropped and re-appended in run order
            current = _earlier_results(out, dataset_name, semantic_kind)
            check_fingerprints(current, fingerprint, out / "results.json", warn=False)
            mine = {(r["model"], r["seed"]) for r in results} - started_with
            rows = _merged([r for r in current if (r["model"], r["seed"]) not in mine], results)
            kept = (
                f" (+ {len(rows) - len(results)} runs kept from an earlier benchmark)"
                if len(rows) > len(results)
                else ""
            )
            _write_results(out, dataset.name, semantic_kind, rows, title + kept)

    if jobs == 1:
        for run in runs:
            report(_run_one(dataset, *run))
    else:
        context = multiprocessing.get_context("spawn")
        init = (dataset.name, word_vectors, str(dataset.device))
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=init) as pool:
            futures = {pool.submit(_run_in_worker, *run): run for run in runs}
            for future in as_completed(futures):
                try:
                    record = future.result()
                except BrokenProcessPool as error:
                    name, seed = futures[future][:2]
                    done = {(r["model"], r["seed"]) for r in results}
                    rest = list(dict.fromkeys(m for m, s, *_ in runs if (m, s) not in done))
                    raise ValueError(
                        f"a benchmark worker died (killed, or out of memory) during {name} seed {seed}; the "
                        f"{len(results)} finished runs are saved in {out / 'results.json'}; run the rest with: "
                        f"zsl-course benchmark --dataset {dataset_name} --models {' '.join(rest)} --seeds {seeds} "
                        f"--semantics {semantic_kind} --out {out}"
                    ) from error
                report(record)
    return results, markdown_table(results, title)
