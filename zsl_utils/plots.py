"""Figures of the course: the t-SNE of the joint visual-semantic space, training curves, the seen-unseen curve."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from sklearn.manifold import TSNE

from .dataset import ZSLDataset
from .evaluation import model_inputs
from .models import ZSLModel, inference
from .train import History

__all__ = ["joint_embedding", "plot_tsne", "plot_training_curves", "plot_seen_unseen_curve"]


def _sample_test_images(dataset: ZSLDataset, per_class: int, seed: int) -> torch.Tensor:
    """Up to ``per_class`` test images (test_seen and test_unseen) of every class, seeded."""
    generator = torch.Generator().manual_seed(seed)
    test = torch.cat([dataset.test_seen, dataset.test_unseen]).cpu()
    labels = dataset.labels.cpu()[test]
    picked = []
    for c in labels.unique():
        members = test[labels == c]
        picked.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return torch.cat(picked).sort().values


def joint_embedding(
    model: ZSLModel, dataset: ZSLDataset, semantic_kind: str = "attributes", per_class: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Test images and classes in the model's joint space, each set centred on its mean and L2-normalised.

    Returns image embeddings (n, d), their labels (n,), and class embeddings (C, d).
    """
    images = _sample_test_images(dataset, per_class, seed).to(dataset.device)
    with inference(model):
        visual = model.embed_visual(model_inputs(model, dataset)[images]).float()
        classes = model.embed_semantic(dataset.semantic(semantic_kind)).float()
    # Each modality has a large shared offset (e.g. non-negative attributes all point one way), which would put all
    # classes in one clump; removing each set's mean shows how images and classes differ from one another. A guide to
    # the space, not the model's decision: nearest markers in the picture are not always the top-scoring classes.
    visual, classes = visual - visual.mean(dim=0), classes - classes.mean(dim=0)
    normalise = torch.nn.functional.normalize
    return normalise(visual, dim=1).cpu().numpy(), dataset.labels[images].cpu().numpy(), normalise(classes, dim=1).cpu().numpy()


def plot_tsne(
    model: ZSLModel,
    dataset: ZSLDataset,
    semantic_kind: str = "attributes",
    per_class: int = 20,
    seed: int = 0,
    title: str | None = None,
    max_labels: int = 24,
) -> Figure:
    """t-SNE of the joint embedding space: test images as dots coloured by class (seen: circles, unseen:
    triangles), class embeddings as large labelled markers (seen: squares, unseen: stars). Both are embedded by
    one t-SNE run so that images sit near the classes the model scores them with."""
    visual, labels, classes = joint_embedding(model, dataset, semantic_kind, per_class, seed)
    points = np.concatenate([visual, classes])
    perplexity = float(min(30, max(5, (len(points) - 1) // 4)))
    projected = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(points)
    images, prototypes = projected[: len(visual)], projected[len(visual) :]
    unseen = np.zeros(dataset.num_classes, dtype=bool)
    unseen[dataset.unseen_classes.cpu().numpy()] = True
    colours = plt.get_cmap("hsv")(np.linspace(0, 1, dataset.num_classes, endpoint=False))

    figure, ax = plt.subplots(figsize=(9, 8))
    for is_unseen, marker in ((False, "o"), (True, "^")):
        keep = unseen[labels] == is_unseen
        ax.scatter(images[keep, 0], images[keep, 1], c=colours[labels[keep]], marker=marker, s=12, alpha=0.55, linewidths=0)
    for is_unseen, marker, size in ((False, "s", 90), (True, "*", 220)):
        ids = np.flatnonzero(unseen == is_unseen)
        ax.scatter(prototypes[ids, 0], prototypes[ids, 1], c=colours[ids], marker=marker, s=size, edgecolors="black", linewidths=1.0)
    shown = np.flatnonzero(unseen) if dataset.num_classes > max_labels else np.arange(dataset.num_classes)
    for c in shown:
        ax.annotate(dataset.class_names[c], prototypes[c], fontsize=7, xytext=(3, 3), textcoords="offset points",
                    fontweight="bold" if unseen[c] else "normal")
    handles = [
        plt.Line2D([], [], marker="o", ls="", color="gray", label="test image, seen class"),
        plt.Line2D([], [], marker="^", ls="", color="gray", label="test image, unseen class"),
        plt.Line2D([], [], marker="s", ls="", color="gray", markeredgecolor="black", label="seen class embedding"),
        plt.Line2D([], [], marker="*", ls="", color="gray", markeredgecolor="black", markersize=12, label="unseen class embedding"),
    ]
    ax.legend(handles=handles, loc="best", fontsize=8)
    ax.set_title(title or f"{type(model).__name__} on {dataset.name}: t-SNE of the joint embedding space")
    ax.set_xticks([])
    ax.set_yticks([])
    figure.tight_layout()
    return figure


def plot_training_curves(history: History, metrics: Sequence[str] = ("zsl",), title: str = "training") -> Figure:
    """Training loss per epoch and, where recorded, validation metrics per epoch."""
    figure, loss_ax = plt.subplots(figsize=(6, 3.5))
    epochs = np.arange(1, history.epochs + 1)
    loss_ax.plot(epochs, history.loss, color="black", label="training loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")
    if history.metrics:
        metric_ax = loss_ax.twinx()
        for name in metrics:
            metric_ax.plot(epochs[: len(history.metrics)], [m[name] for m in history.metrics], marker=".", label=f"val {name}")
        if history.best_epoch:
            metric_ax.axvline(history.best_epoch, color="gray", ls=":", label="best epoch")
        metric_ax.set_ylabel("validation metric")
        metric_ax.legend(loc="center right", fontsize=8)
    loss_ax.legend(loc="upper right", fontsize=8)
    loss_ax.set_title(title)
    figure.tight_layout()
    return figure


def plot_seen_unseen_curve(
    seen: np.ndarray, unseen: np.ndarray, chosen: tuple[float, float] | None = None, label: str | None = None, ax=None
) -> Figure:
    """The seen-unseen accuracy curve of calibrated stacking (unseen on x, seen on y), in percent; ``chosen``
    marks the (seen, unseen) operating point of the gamma chosen on validation data."""
    figure = ax.figure if ax is not None else plt.subplots(figsize=(4.5, 4.5))[1].figure
    ax = ax or figure.axes[0]
    order = np.argsort(unseen, kind="stable")
    ax.plot(100 * np.asarray(unseen)[order], 100 * np.asarray(seen)[order], label=label)
    if chosen is not None:
        ax.scatter([100 * chosen[1]], [100 * chosen[0]], color="red", zorder=3, label="gamma chosen on validation")
    ax.set_xlabel("unseen accuracy (%)")
    ax.set_ylabel("seen accuracy (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    figure.tight_layout()
    return figure
