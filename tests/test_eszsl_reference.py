"""The package's ESZSL pipeline against an independent numpy ESZSL written here from the paper (Romera-Paredes &
Torr, ICML 2015): same splits, same grid, same per-class accuracy; the ZSL top-1 on SHAPES must agree within 2 points."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from zsl_utils import evaluate
from zsl_utils.data import dataset_folder, load_xlsa17
from zsl_utils.selection import DEFAULT_GRIDS, holdout_split, select_and_train


def _eszsl(
    X: np.ndarray, labels: np.ndarray, S: np.ndarray, classes: np.ndarray, gamma: float, lam: float
) -> np.ndarray:
    """Paper notation: X (d, m) features as columns, Y (m, z) in {-1, 1}, S (a, z) signatures as columns;
    V = (X X^T + gamma I)^-1 X Y S^T (S S^T + lam I)^-1 (d, a)."""
    Y = np.where(labels[:, None] == classes[None, :], 1.0, -1.0)
    Xc, Sc = X.T, S[classes].T
    left = np.linalg.solve(Xc @ Xc.T + gamma * np.eye(Xc.shape[0]), Xc @ Y @ Sc.T)
    return np.linalg.solve(Sc @ Sc.T + lam * np.eye(Sc.shape[0]), left.T).T


def _per_class_zsl(X: np.ndarray, labels: np.ndarray, V: np.ndarray, S: np.ndarray, classes: np.ndarray) -> float:
    predicted = classes[np.argmax(X @ V @ S[classes].T, axis=1)]
    return float(np.mean([np.mean(predicted[labels == c] == c) for c in np.unique(labels)]))


def _standardise(fit_rows: np.ndarray):
    mean, std = fit_rows.mean(axis=0), fit_rows.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return lambda X: (X - mean) / std


@pytest.fixture(scope="module")
def shapes():
    return load_xlsa17(dataset_folder("SHAPES"), name="SHAPES")


def test_package_eszsl_agrees_with_a_numpy_eszsl_from_the_paper(shapes):
    grid = DEFAULT_GRIDS["eszsl"]
    X = shapes.features.double().numpy()
    y = shapes.labels.numpy()
    S = shapes.semantic("attributes").double().numpy()
    fit_images = holdout_split(shapes, seed=0)[0].numpy()
    val = shapes.val.numpy()
    train_classes, val_classes = shapes.train_classes.numpy(), shapes.val_classes.numpy()

    best = None
    for norm in grid["feature_norm"]:
        prepare = _standardise(X[fit_images]) if norm == "standardise" else (lambda A: A)
        X_fit, X_val = prepare(X[fit_images]), prepare(X[val])
        for gamma, lam in itertools.product(grid["gamma"], grid["lam"]):
            V = _eszsl(X_fit, y[fit_images], S, train_classes, gamma, lam)
            score = _per_class_zsl(X_val, y[val], V, S, val_classes)
            if best is None or score > best[0]:
                best = (score, norm, gamma, lam)
    _, norm, gamma, lam = best
    trainval, unseen = shapes.trainval.numpy(), shapes.test_unseen.numpy()
    prepare = _standardise(X[trainval]) if norm == "standardise" else (lambda A: A)
    V = _eszsl(prepare(X[trainval]), y[trainval], S, shapes.seen_classes.numpy(), gamma, lam)
    numpy_zsl = _per_class_zsl(prepare(X[unseen]), y[unseen], V, S, shapes.unseen_classes.numpy())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, selection = select_and_train("eszsl", shapes, seed=0)
    package_zsl = evaluate(model, shapes).zsl
    assert abs(package_zsl - numpy_zsl) <= 0.02, (selection.params, (norm, gamma, lam), package_zsl, numpy_zsl)
    assert numpy_zsl > 0.6  # far above chance (1/16): the reference itself works
