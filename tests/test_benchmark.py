"""The benchmark: what it stores, that parallel runs give the same numbers, and the committed SHAPES results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_course.benchmark import MODEL_LABELS, best_counts, best_on_test, default_models, markdown_table, run_benchmark
from zsl_utils.data import course_data, load_dataset
from zsl_utils.selection import CALIBRATION_RULES, DEFAULT_CONFIGS, DEFAULT_GRIDS, edge_choices

COMMITTED = course_data("results", "SHAPES_attributes", "results.json")
PAPER_LOSSES = {"devise": "ranking", "ale": "weighted_ranking", "sje": "hard_ranking"}


def test_parallel_runs_give_the_sequential_numbers(tmp_path: Path):
    models = ["nearest_prototype", "eszsl"]
    sequential, _ = run_benchmark("SHAPES", models, seeds=2, out=tmp_path / "one", device="cpu", tsne=False, jobs=1)
    parallel, table = run_benchmark("SHAPES", models, seeds=2, out=tmp_path / "two", device="cpu", tsne=False, jobs=2)
    assert [(r["model"], r["seed"]) for r in parallel] == [(m, s) for m in models for s in range(2)]
    for a, b in zip(sequential, parallel):
        assert a["metrics"] == b["metrics"] and a["calibration"] == b["calibration"] and a["params"] == b["params"]
    for run in parallel:
        assert set(run["calibration"]) == set(CALIBRATION_RULES)
        assert run["calibration"]["none"]["harmonic"] == pytest.approx(run["metrics"]["harmonic"])
        assert run["metrics"]["gamma"] == 0.0 and "calibration_rule" not in run  # no way is chosen
        assert run["best_on_test"] == best_on_test(run)
    assert "| eszsl |" in table and "H, val γ as is" in table and "H, val γ rescaled" in table
    assert "rehearsed" not in table and "Mean ± sample std (ddof=1)" in table
    saved = json.loads((tmp_path / "two" / "results.json").read_text())
    assert saved["results"] == json.loads(json.dumps(parallel, default=str))
    assert saved["best_on_test"] == best_counts(parallel)


def _run(model: str, seed: int, zsl: float, none: float, as_is: float, rescaled: float) -> dict:
    """A stored run with the fields the table reads."""
    harmonic = {"none": none, "as_is": as_is, "rescaled": rescaled}
    return {
        "model": model,
        "seed": seed,
        "metrics": {"zsl": zsl, "seen": 0.5, "unseen": 0.25, "ausuc": 0.3},
        "calibration": {way: {"gamma": 0.0, "seen": 0.5, "unseen": 0.25, "harmonic": h} for way, h in harmonic.items()},
        "seconds": 1.0,
    }


def test_the_table_reports_three_ways_with_sample_std_and_counts_the_best_on_test():
    runs = [
        _run("a", 0, 0.70, 0.30, 0.40, 0.35),
        _run("a", 1, 0.72, 0.32, 0.20, 0.25),
        _run("a", 2, 0.74, 0.34, 0.50, 0.50),  # a tie counts for both tied ways
        _run("b", 0, 0.60, 0.10, 0.20, 0.30),
    ]
    assert [best_on_test(run) for run in runs] == [["as_is"], ["none"], ["as_is", "rescaled"], ["rescaled"]]
    assert best_counts(runs) == {"none": 1, "as_is": 2, "rescaled": 2}
    table = markdown_table(runs, "T")
    # ZSL of a: mean 72.0, sample std 2.0 (ddof=1; the population std would print 1.6); H (γ 0) 32.0 ± 2.0
    assert (
        "| a | 72.0 ± 2.0 | 50.0 ± 0.0 | 25.0 ± 0.0 | 32.0 ± 2.0 | 36.7 ± 15.3 | 36.7 ± 12.6 | 30.0 ± 0.0 | 1, 2, 1 |"
        in (table)
    )
    assert "| b | 60.0 | 50.0 | 25.0 | 10.0 | 20.0 | 30.0 | 30.0 | 0, 0, 1 |" in table  # one seed: no std
    assert "over all 4 runs" in table and "γ 0 1, val γ as is 2, rescaled 2" in table


def test_every_default_model_is_labelled_and_the_paper_rows_use_their_papers_losses():
    shapes = load_dataset("SHAPES", word_vectors=())
    models = default_models(shapes)
    assert models[:2] == ["nearest_prototype", "conse"]
    for name in models:
        assert name in MODEL_LABELS
    for name, loss in PAPER_LOSSES.items():
        assert name in models and DEFAULT_CONFIGS[name].loss == loss and "paper" in MODEL_LABELS[name]
    assert DEFAULT_CONFIGS["sje"].num_negatives == 1
    assert min(DEFAULT_GRIDS["eszsl"]["gamma"]) <= 1e-3 and max(DEFAULT_GRIDS["eszsl"]["gamma"]) >= 1e3
    assert min(DEFAULT_GRIDS["eszsl"]["lam"]) <= 1e-3 and max(DEFAULT_GRIDS["eszsl"]["lam"]) >= 1e3


def test_committed_shapes_benchmark_is_complete_and_from_the_current_grids():
    saved = json.loads(COMMITTED.read_text())
    results = saved["results"]
    shapes = load_dataset("SHAPES", word_vectors=())
    assert saved["dataset"] == "SHAPES" and saved["semantics"] == "attributes"
    assert sorted({r["model"] for r in results}) == sorted(default_models(shapes))
    for model in default_models(shapes):
        assert sorted(r["seed"] for r in results if r["model"] == model) == [0, 1, 2]
    for run in results:
        # every stored choice is a point of the current default grid, inside it (no edge), and recorded as such
        grid = DEFAULT_GRIDS.get(run["model"], {})
        assert set(run["params"]) == set(grid), run["model"]
        for key, value in run["params"].items():
            assert value in grid[key], (run["model"], key, value)
        full_rank = min(shapes.feature_dim, shapes.semantic("attributes").shape[1])
        assert run["edges"] == edge_choices(grid, run["params"], full_rank) == {}, (
            run["model"],
            run["seed"],
            run["params"],
        )
        assert set(run["calibration"]) == set(CALIBRATION_RULES) and run["best_on_test"] == best_on_test(run)
        assert "calibration_rule" not in run and "transfer_harmonic" not in run
    assert saved["best_on_test"] == best_counts(results)
    table = markdown_table(results, "SHAPES")
    assert all(f"| {model} |" in table for model in default_models(shapes))


def test_a_shorter_schedule_runs_fewer_epochs_and_says_so(tmp_path):
    results, table = run_benchmark(
        "SHAPES", models=["bilinear"], seeds=1, out=tmp_path, tsne=False, jobs=1, epochs_scale=0.1
    )
    assert results[0]["epochs"] <= 3  # at most round(30 * 0.1) of the 30 epochs of DEFAULT_CONFIGS["bilinear"]
    assert "every training at 0.1 of its epochs" in table
    with pytest.raises(ValueError, match=r"epochs_scale must lie in \(0, 1\]"):
        run_benchmark("SHAPES", models=["bilinear"], seeds=1, out=tmp_path, epochs_scale=0.0)
