"""ESZSL's whole gamma x lam grid from one eigendecomposition each of X^T X and S^T S (``ESZSL.solve_grid``)."""

from __future__ import annotations

import pytest
import torch

from zsl_utils.data import dataset_folder, load_xlsa17
from zsl_utils.metrics import zsl_accuracy
from zsl_utils.models import ESZSL
from zsl_utils.selection import expand_grid, holdout_split, select_and_train

GRID = [10.0**k for k in range(-3, 4)]  # 10^-3 .. 10^3, as benchmarks/eszsl_grid.py


def problem(seed: int = 0, n: int = 240, d_v: int = 40, n_classes: int = 9, d_s: int = 12):
    """Random features (n, d_v) of 6 of 9 classes, labels (n,), class semantics (9, d_s), the 6 training classes."""
    generator = torch.Generator().manual_seed(seed)
    semantics = torch.randn(n_classes, d_s, generator=generator)
    classes = torch.tensor([0, 2, 3, 5, 7, 8])
    labels = classes[torch.randint(0, len(classes), (n,), generator=generator)]
    mixing = torch.randn(d_s, d_v, generator=generator)
    features = semantics[labels] @ mixing + 0.5 * torch.randn(n, d_v, generator=generator)
    return features, labels, semantics, classes


def test_every_grid_point_agrees_with_the_direct_solve():
    features, labels, semantics, classes = problem()
    solutions = ESZSL(40, 12).solve_grid(features, labels, semantics, GRID, GRID, classes)
    assert solutions.shape == (7, 7, 40, 12) and solutions.dtype == torch.float64
    targets = (labels[:, None] == classes[None, :]).double() * 2 - 1  # Y in {-1, 1}, written out here
    for i, gamma in enumerate(GRID):
        for j, lam in enumerate(GRID):
            direct = ESZSL.closed_form(features, targets, semantics[classes], gamma, lam)
            error = (solutions[i, j] - direct).abs().max() / direct.abs().max()
            assert error < 1e-8, (gamma, lam, float(error))


def test_grid_models_equal_fitted_models():
    features, labels, semantics, classes = problem(seed=1)
    solutions = ESZSL(40, 12).solve_grid(features, labels, semantics, [0.1, 10.0], [1.0], classes)
    fitted = ESZSL(40, 12, gamma=10.0, lam=1.0).fit(features, labels, semantics, classes)
    torch.testing.assert_close(solutions[1, 0].float(), fitted.W, rtol=1e-5, atol=1e-7)
    assert not torch.allclose(solutions[0, 0], solutions[1, 0])  # the grid points differ


def test_default_classes_are_the_labels_present():
    features, labels, semantics, classes = problem(seed=2)
    torch.testing.assert_close(
        ESZSL(40, 12).solve_grid(features, labels, semantics, [1.0], [1.0]),
        ESZSL(40, 12).solve_grid(features, labels, semantics, [1.0], [1.0], classes),
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"gammas": [0.0]}, "must be non-empty and > 0"),
        ({"lams": []}, "must be non-empty and > 0"),
        ({"labels": torch.zeros(5, dtype=torch.int64)}, r"expected integer labels of shape \(240,\)"),
        ({"classes": torch.tensor([0, 2])}, r"labels \[.*\] are not among classes \[0, 2\]"),
        ({"features": torch.zeros(240)}, r"ESZSL.solve_grid: expected visual \(B, 40\)"),
    ],
)
def test_bad_input_is_named(change: dict, message: str):
    features, labels, semantics, classes = problem()
    arguments = {
        "features": features,
        "labels": labels,
        "semantics": semantics,
        "gammas": [1.0],
        "lams": [1.0],
        "classes": classes,
    }
    with pytest.raises(ValueError, match=message):
        ESZSL(40, 12).solve_grid(**{**arguments, **change})


@pytest.mark.filterwarnings("ignore:eszsl.*chosen at the edge of the grid")
@pytest.mark.parametrize("extra", [{}, {"negative_target": [0.0, -1.0], "feature_norm": ["none", "standardise"]}])
def test_selection_chooses_the_point_the_direct_solves_choose(extra: dict):
    """select_and_train (which solves the grid at once, one solve per target coding and feature normalisation)
    against fitting every point alone, on SHAPES attributes: the same val ZSL accuracy at every point, and the same
    choice (the best, the first on ties)."""
    shapes = load_xlsa17(dataset_folder("SHAPES"), name="SHAPES")
    grid = {"gamma": GRID, "lam": GRID, **extra}
    _, result = select_and_train("eszsl", shapes, grid=grid)

    fit_images, _ = holdout_split(shapes, seed=0)
    semantics = shapes.semantic("attributes")
    val_labels = shapes.labels[shapes.val]
    direct = []
    for params in expand_grid(grid):
        model = ESZSL(
            shapes.feature_dim,
            semantics.shape[1],
            params["gamma"],
            params["lam"],
            negative_target=params.get("negative_target", -1.0),
        )
        model.set_feature_norm(params.get("feature_norm", "none"), shapes.features[fit_images])
        model.fit(shapes.features[fit_images], shapes.labels[fit_images], semantics, shapes.train_classes)
        scores = model.class_scores(shapes.features[shapes.val], semantics)
        direct.append((params, zsl_accuracy(scores, val_labels, shapes.val_classes)))
    assert [(t["params"], t["val_zsl"]) for t in result.trials] == direct
    best = max(score for _, score in direct)
    assert result.params == next(params for params, score in direct if score == best)
    assert len({score for _, score in direct}) > 1  # the grid matters: the choice is not a tie everywhere


def test_factorisation_falls_back_when_rounding_breaks_positive_definiteness():
    from zsl_utils.models import _solve_positive_definite

    rhs = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    indefinite = torch.tensor([[1.0, 2.0], [2.0, 1.0]], dtype=torch.float64)  # Cholesky fails: LU answers
    torch.testing.assert_close(_solve_positive_definite(indefinite, rhs), torch.linalg.solve(indefinite, rhs))
    definite = torch.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    torch.testing.assert_close(_solve_positive_definite(definite, rhs), torch.linalg.solve(definite, rhs))


def test_the_grid_solve_keeps_the_models_feature_normalisation():
    """With standardised features every grid point equals a fit of a standardised ESZSL, and selection's grid with
    a feature_norm key picks the point that fitting each one alone picks."""
    features, labels, semantics, classes = problem(seed=3)
    features = 4 + 3 * features
    template = ESZSL(40, 12).set_feature_norm("standardise", features)
    solutions = template.solve_grid(features, labels, semantics, [0.1, 10.0], [1.0], classes)
    fitted = (
        ESZSL(40, 12, gamma=10.0, lam=1.0)
        .set_feature_norm("standardise", features)
        .fit(features, labels, semantics, classes)
    )
    torch.testing.assert_close(solutions[1, 0].float(), fitted.W, rtol=1e-5, atol=1e-7)
    plain = ESZSL(40, 12).solve_grid(features, labels, semantics, [10.0], [1.0], classes)
    assert not torch.allclose(plain[0, 0], solutions[1, 0])
