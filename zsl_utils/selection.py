"""Model selection the GBU way: hyperparameters and calibration from the validation classes, never the test.

1. The ``train`` images (train classes, inside trainval: no test_seen image) are split per class into a fitting
   part and a held-out part (``holdout`` of each class).
2. Every hyperparameter setting is trained on the fitting part and scored by ZSL accuracy on the ``val`` images,
   with the argmax over the val classes; training epochs are chosen by the same score.
3. The calibrated-stacking gamma maximises H on validation data: held-out train-class images play the seen role,
   val-class images the unseen role, scored over train + val classes.
4. The chosen setting is retrained on all trainval images of the seen classes, for the chosen number of epochs.
   gamma is a difference of scores, and the retrained model's scores can have another scale (ESZSL's shrink as
   it fits more classes), so gamma is carried over in units of score spread: multiplied by the ratio of the
   final to the validation model's score standard deviation, each measured on its own training images.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
from dataclasses import dataclass, field
from typing import Any

import torch

from .dataset import ZSLDataset
from .evaluation import model_inputs, score_images
from .metrics import select_gamma, zsl_accuracy
from .models import ESZSL, MODELS, ZSLModel, build_model
from .train import TrainConfig, fit
from .utils import set_seed

__all__ = ["DEFAULT_GRIDS", "DEFAULT_CONFIGS", "SelectionResult", "holdout_split", "expand_grid", "select_and_train"]

DEFAULT_GRIDS: dict[str, dict[str, list[Any]]] = {
    "eszsl": {"gamma": [0.01, 0.1, 1.0, 10.0, 100.0], "lam": [0.01, 0.1, 1.0, 10.0, 100.0]},
    "devise": {"temperature": [0.05, 0.1]},
    "devise_mlp": {"dropout": [0.3]},
    "bilinear": {"weight_decay": [1e-4, 1e-2]},
    "bilinear_lowrank": {"rank": [8, 16]},
    "attention": {"hidden_dim": [64]},
    "region_attention": {"hidden_dim": [64]},
    "two_branch": {"temperature": [0.1]},
}
"""Small default grids: keys are model constructor arguments or ``TrainConfig`` fields (e.g. ``weight_decay``); a key
both accept, such as ``temperature``, goes to the model."""

DEFAULT_CONFIGS: dict[str, TrainConfig] = {
    "devise": TrainConfig(epochs=30, lr=3e-3),
    "devise_mlp": TrainConfig(epochs=20, lr=1e-3, temperature=0.1),
    "bilinear": TrainConfig(epochs=30, lr=3e-3, temperature=0.1),
    "bilinear_lowrank": TrainConfig(epochs=30, lr=3e-3, temperature=0.1),
    "attention": TrainConfig(epochs=30, lr=3e-3, temperature=0.1),
    "region_attention": TrainConfig(epochs=30, lr=3e-3, temperature=0.1),
    "two_branch": TrainConfig(epochs=20, lr=1e-3),
}


@dataclass
class SelectionResult:
    """What validation chose: ``params`` (model and training), ``epochs``, the calibration ``gamma`` for the final
    model (``validation_gamma`` rescaled, see ``select_and_train``), and the validation scores of every trial
    (``trials``: params, val ZSL accuracy, best epoch)."""

    params: dict[str, Any]
    epochs: int
    gamma: float
    val_zsl: float
    val_harmonic: float
    trials: list[dict[str, Any]] = field(default_factory=list)
    validation_gamma: float = 0.0


def holdout_split(dataset: ZSLDataset, fraction: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Split ``dataset.train`` per class into (fit, held-out) image indices, ``fraction`` of each class held out."""
    generator = torch.Generator().manual_seed(seed)
    train = dataset.train.cpu()
    labels = dataset.labels.cpu()[train]
    fit_parts, held_parts = [], []
    for c in labels.unique():
        members = train[labels == c]
        members = members[torch.randperm(len(members), generator=generator)]
        n_held = int(round(fraction * len(members)))
        held_parts.append(members[:n_held])
        fit_parts.append(members[n_held:])
    device = dataset.train.device
    return torch.cat(fit_parts).sort().values.to(device), torch.cat(held_parts).sort().values.to(device)


def expand_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of a grid {name: [values]} as a list of dicts (one empty dict for an empty grid)."""
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def _train(
    name: str,
    params: dict[str, Any],
    dataset: ZSLDataset,
    images: torch.Tensor,
    classes: torch.Tensor,
    semantic_kind: str,
    config: TrainConfig,
    evaluate=None,
) -> tuple[ZSLModel, int]:
    """Build and train one model on ``images`` of ``classes``; returns it and its best (or last) epoch."""
    model_params, train_params = _split_params(name, params)
    config = dataclasses.replace(config, **train_params)
    set_seed(config.seed)
    semantics = dataset.semantic(semantic_kind)
    visual_dim, input_params = _input_arguments(name, dataset)
    model = build_model(name, visual_dim, semantics.shape[1], **{**input_params, **model_params}).to(dataset.device)
    visual = model_inputs(model, dataset)
    if isinstance(model, ESZSL):
        model.fit(visual[images], dataset.labels[images], semantics, classes)
        return model, 0
    history = fit(model, visual[images], dataset.labels[images], semantics, classes, config, evaluate=evaluate)
    return model, history.best_epoch or history.epochs


def _solve_eszsl_grid(
    name: str, grid: dict[str, list[Any]], dataset: ZSLDataset, images: torch.Tensor, semantic_kind: str
) -> list[ZSLModel] | None:
    """ESZSL fitted on ``images`` of the train classes for every point of a gamma x lam grid, in ``expand_grid``
    order, all from one ``ESZSL.solve_grid``; None for any other model or grid (then each point is trained alone)."""
    if _model_class(name) is not ESZSL or set(grid) != {"gamma", "lam"}:
        return None
    semantics = dataset.semantic(semantic_kind)
    solutions = ESZSL.solve_grid(
        dataset.features[images], dataset.labels[images], semantics, grid["gamma"], grid["lam"], dataset.train_classes
    )
    models = []
    for params in expand_grid(grid):
        model = build_model(name, dataset.feature_dim, semantics.shape[1], **params).to(dataset.device)
        V = solutions[grid["gamma"].index(params["gamma"]), grid["lam"].index(params["lam"])]
        model.load_state_dict({"V": V, "fitted": torch.tensor(True)})
        models.append(model)
    return models


def _model_class(name: str) -> type[ZSLModel]:
    """The class behind a registry name (registry entries may be ``functools.partial``)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid names: {', '.join(sorted(MODELS))}")
    return getattr(MODELS[name], "func", MODELS[name])


def _split_params(name: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Grid values for the model's constructor and for ``TrainConfig``; a name both accept (``temperature``) goes
    to the model, so that a temperature is applied once, by the model."""
    model_class = _model_class(name)
    model_args = set(inspect.signature(model_class.__init__).parameters) - {"self", "visual_dim", "semantic_dim"}
    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = set(params) - model_args - train_fields
    if unknown:
        raise ValueError(f"grid keys {sorted(unknown)} are neither {model_class.__name__} arguments nor TrainConfig fields")
    model_params = {k: v for k, v in params.items() if k in model_args}
    return model_params, {k: v for k, v in params.items() if k not in model_args}


def _input_arguments(name: str, dataset: ZSLDataset) -> tuple[int, dict[str, Any]]:
    """d_v of the model's input and the constructor arguments that follow from the data: the region dim and the
    number of regions (for position embeddings) for region models, else the pooled feature dim."""
    if _model_class(name).input_kind == "regions":
        if dataset.regions is None:
            raise ValueError(f"model {name!r} reads region features, which dataset {dataset.name} does not have")
        return int(dataset.regions.shape[-1]), {"num_regions": int(dataset.regions.shape[1])}
    return dataset.feature_dim, {}


def _val_zsl(dataset: ZSLDataset, semantic_kind: str):
    """ZSL accuracy on the val images, argmax over the val classes: the selection score."""
    semantics = dataset.semantic(semantic_kind)
    labels = dataset.labels[dataset.val]

    def evaluate(model: ZSLModel) -> dict[str, float]:
        scores = score_images(model, model_inputs(model, dataset)[dataset.val], semantics)
        return {"zsl": zsl_accuracy(scores, labels, dataset.val_classes)}

    return evaluate


def select_and_train(
    name: str,
    dataset: ZSLDataset,
    semantic_kind: str = "attributes",
    grid: dict[str, list[Any]] | None = None,
    config: TrainConfig | None = None,
    seed: int = 0,
) -> tuple[ZSLModel, SelectionResult]:
    """Choose hyperparameters, epochs and gamma on the validation classes, then retrain on trainval.

    ``grid`` (default ``DEFAULT_GRIDS[name]``) maps model constructor or ``TrainConfig`` arguments to candidate
    values; ``config`` (default ``DEFAULT_CONFIGS[name]``) is the training setup. The returned model is trained on
    every trainval image of the seen classes; test images are never looked at.
    """
    grid = DEFAULT_GRIDS.get(name, {}) if grid is None else grid
    config = dataclasses.replace(config or DEFAULT_CONFIGS.get(name, TrainConfig()), seed=seed)
    fit_images, held_out = holdout_split(dataset, seed=seed)
    evaluate = _val_zsl(dataset, semantic_kind)

    solved = _solve_eszsl_grid(name, grid, dataset, fit_images, semantic_kind)  # None unless ESZSL's gamma x lam grid
    trials, best = [], None
    for i, params in enumerate(expand_grid(grid)):
        if solved is not None:
            model, epoch = solved[i], 0
        else:
            model, epoch = _train(name, params, dataset, fit_images, dataset.train_classes, semantic_kind, config, evaluate)
        score = evaluate(model)["zsl"]
        trials.append({"params": params, "val_zsl": score, "epochs": epoch})
        if best is None or score > best[0]:
            best = (score, params, epoch, model)
    score, params, epoch, model = best

    # Calibration on validation data: held-out train-class images (seen) and val-class images (unseen).
    semantics = dataset.semantic(semantic_kind)
    classes = torch.cat([dataset.train_classes, dataset.val_classes]).sort().values
    visual = model_inputs(model, dataset)
    gamma, val_h = select_gamma(
        score_images(model, visual[held_out], semantics[classes]),
        torch.searchsorted(classes, dataset.labels[held_out]),
        score_images(model, visual[dataset.val], semantics[classes]),
        torch.searchsorted(classes, dataset.labels[dataset.val]),
        torch.searchsorted(classes, dataset.train_classes),
    )

    final_config = dataclasses.replace(config, epochs=max(1, epoch), patience=None)
    final, _ = _train(name, params, dataset, dataset.trainval, dataset.seen_classes, semantic_kind, final_config)
    # gamma is in score units: carry it over in units of each model's score spread on its own training images.
    scale = _score_scale(final, dataset, dataset.trainval, dataset.seen_classes, semantic_kind)
    scale /= _score_scale(model, dataset, fit_images, dataset.train_classes, semantic_kind)
    return final, SelectionResult(
        params=params, epochs=epoch, gamma=gamma * scale, val_zsl=score, val_harmonic=val_h, trials=trials, validation_gamma=gamma
    )


def _score_scale(model: ZSLModel, dataset: ZSLDataset, images: torch.Tensor, classes: torch.Tensor, semantic_kind: str) -> float:
    """Standard deviation of a model's scores on its own training images and classes (no held-out data used)."""
    scores = score_images(model, model_inputs(model, dataset)[images], dataset.semantic(semantic_kind)[classes])
    return float(scores.std())
