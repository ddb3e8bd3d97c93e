"""Figures of the course: the t-SNE of the joint visual-semantic space, training curves, the seen-unseen curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.path import Path as MarkerPath
from matplotlib.text import Annotation
from sklearn.manifold import TSNE

from .dataset import ZSLDataset
from .evaluation import model_inputs
from .models import ZSLModel, inference
from .train import History

__all__ = [
    "NAMED_COLOURS",
    "ClassStyle",
    "class_styles",
    "place_labels",
    "joint_embedding",
    "plot_tsne",
    "plot_training_curves",
    "plot_seen_unseen_curve",
]

TSNE_FIGSIZE = (7.5, 7.0)
"""Width, height in inches of the t-SNE figure, legend included: it fits a laptop screen (at most about 8 in tall)."""


def _heart() -> MarkerPath:
    """A filled heart marker (matplotlib has none): the classic parametric heart curve, lobes up, tip down."""
    t = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    vertices = np.column_stack([x, y]) / 17
    return MarkerPath(np.vstack([vertices, vertices[:1]]), closed=True)


SHAPE_MARKERS: dict[str, object] = {
    "circle": "o",
    "square": "s",
    "triangle": "^",
    "star": "*",
    "hexagon": "h",
    "cross": "P",
    "heart": _heart(),
    "diamond": "D",
}
"""SHAPES' shape words -> matplotlib markers, drawn as the renderer draws the shapes (the cross upright, a "+")."""


NAMED_COLOURS: dict[str, str] = {
    "red": "tab:red",
    "orange": "tab:orange",
    "yellow": "gold",
    "green": "tab:green",
    "blue": "tab:blue",
    "purple": "tab:purple",
    "pink": "tab:pink",
    "brown": "tab:brown",
}
"""Colour words of class names -> matplotlib colours (Tableau's palette, made to be told apart, and gold for yellow)."""


@dataclass(frozen=True)
class ClassStyle:
    """How a class is drawn: its RGB colour (0..1) and its marker (None: the generic markers of seen/unseen)."""

    colour: tuple[float, float, float]
    marker: object | None


def class_styles(class_names: Sequence[str]) -> list[ClassStyle]:
    """One style per class. Classes named "<colour> <shape>" with words of :data:`NAMED_COLOURS` and
    :data:`SHAPE_MARKERS` (SHAPES: "yellow heart") get the colour their name says and their shape as the marker; any
    other class list gets distinct hues around the colour wheel (class-id order) and generic markers."""
    parts = [name.split(" ") for name in class_names]
    if all(len(p) == 2 and p[0] in NAMED_COLOURS and p[1] in SHAPE_MARKERS for p in parts):
        return [ClassStyle(to_rgb(NAMED_COLOURS[colour]), SHAPE_MARKERS[shape]) for colour, shape in parts]
    hues = plt.get_cmap("hsv")(np.linspace(0, 1, len(class_names), endpoint=False))
    return [ClassStyle(tuple(float(v) for v in hue[:3]), None) for hue in hues]


_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
"""Where a label may sit around its marker, in order of preference: right, left, above, below, then diagonals."""


def _overlap(box: np.ndarray, boxes: np.ndarray) -> float:
    """Total overlap area of ``box`` (4,) = (x0, y0, x1, y1) with each of ``boxes`` (n, 4)."""
    if not len(boxes):
        return 0.0
    width = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    height = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    return float((width * height).sum())


def place_labels(
    ax: Axes,
    anchors: np.ndarray,
    texts: Sequence[str],
    marker_size: float,
    obstacles: np.ndarray | None = None,
    rings: int = 12,
    weights: Sequence[str] | None = None,
    **text_kwargs,
) -> list[Annotation]:
    """Label each marker at ``anchors`` (n, 2) (data coordinates) with ``texts``, beside it and never on a marker
    or on another label: a greedy, deterministic placement in display coordinates.

    Each label in turn tries the eight places around its marker (right, left, above, below, diagonals) at growing
    distances (``rings``, one label height apart, beyond the marker's half width), and takes the first whose box
    overlaps no label placed so far, no marker (``obstacles`` (m, 2), default the anchors; ``marker_size``: their
    scatter size in points^2) and stays inside the axes; a label away from its marker gets a thin leader line. When
    no place is free, the least-overlapping one is used. Place labels after the figure's layout is final (a later
    layout change moves markers, not the label offsets). ``weights``: a font weight per label (default normal)."""
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    anchors_px = ax.transData.transform(np.asarray(anchors, dtype=float))
    obstacles_px = anchors_px if obstacles is None else ax.transData.transform(np.asarray(obstacles, dtype=float))
    half = np.sqrt(marker_size) / 2 * figure.dpi / 72  # a marker's half width in pixels
    markers = np.column_stack([obstacles_px - half, obstacles_px + half])
    frame = ax.get_window_extent(renderer)
    placed: list[np.ndarray] = []
    labels = []
    weights = weights or ["normal"] * len(texts)
    for (x, y), text, weight in zip(anchors_px, texts, weights):
        label = ax.annotate(
            text, (0, 0), xycoords="figure pixels", ha="left", va="bottom", fontweight=weight, **text_kwargs
        )
        extent = label.get_window_extent(renderer)
        width, height = extent.width, extent.height
        best, best_cost, best_ring = None, np.inf, 0
        for ring in range(rings):
            gap = half + 2 + ring * height
            for dx, dy in _DIRECTIONS:
                x0 = x + gap if dx > 0 else x - gap - width if dx < 0 else x - width / 2
                y0 = y + gap if dy > 0 else y - gap - height if dy < 0 else y - height / 2
                box = np.array([x0, y0, x0 + width, y0 + height])
                outside = max(frame.x0 - box[0], box[2] - frame.x1, frame.y0 - box[1], box[3] - frame.y1, 0)
                cost = _overlap(box, np.array(placed).reshape(-1, 4)) + _overlap(box, markers) + 1e3 * outside
                if cost < best_cost:
                    best, best_cost, best_ring = box, cost, ring
                if cost == 0:
                    break
            if best_cost == 0:
                break
        label.remove()
        offset = (best[:2] - (x, y)) * 72 / figure.dpi  # points from the marker to the label's lower-left corner
        leader = (
            {
                "arrowprops": {
                    "arrowstyle": "-",
                    "color": "0.35",
                    "lw": 0.6,
                    "shrinkA": 0,
                    "shrinkB": half * 72 / figure.dpi,
                }
            }
            if best_ring > 0
            else {}
        )
        labels.append(
            ax.annotate(
                text,
                ax.transData.inverted().transform((x, y)),
                xytext=offset,
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontweight=weight,
                **leader,
                **text_kwargs,
            )
        )
        placed.append(best)
    return labels


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
    return (
        normalise(visual, dim=1).cpu().numpy(),
        dataset.labels[images].cpu().numpy(),
        normalise(classes, dim=1).cpu().numpy(),
    )


def plot_tsne(
    model: ZSLModel,
    dataset: ZSLDataset,
    semantic_kind: str = "attributes",
    per_class: int = 20,
    seed: int = 0,
    title: str | None = None,
    max_labels: int = 24,
) -> Figure:
    """t-SNE of the joint embedding space: test images as small markers (filled: seen classes, hollow: unseen
    classes) and class embeddings as large markers with a black edge, labelled (every class, or only the unseen
    ones when there are more than ``max_labels`` classes; unseen in bold). Both are embedded by one t-SNE run so
    that images sit near the classes the model scores them with. On SHAPES each class is drawn in the colour its
    name says, with its shape as the marker (``class_styles``); other datasets get distinct hues, images as dots
    and class embeddings as squares (seen) and stars (unseen). The figure is ``TSNE_FIGSIZE``, legend below."""
    visual, labels, classes = joint_embedding(model, dataset, semantic_kind, per_class, seed)
    points = np.concatenate([visual, classes])
    perplexity = float(min(30, max(5, (len(points) - 1) // 4)))
    projected = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(points)
    images, prototypes = projected[: len(visual)], projected[len(visual) :]
    unseen = np.zeros(dataset.num_classes, dtype=bool)
    unseen[dataset.unseen_classes.cpu().numpy()] = True
    styles = class_styles(dataset.class_names)
    by_shape = styles[0].marker is not None
    image_size, class_size = 16, 150

    figure, ax = plt.subplots(figsize=TSNE_FIGSIZE, layout="constrained")
    for c, style in enumerate(styles):
        mine = labels == c
        if not mine.any():
            continue
        marker = style.marker or ("^" if unseen[c] else "o")
        face = "none" if unseen[c] else [style.colour]
        ax.scatter(
            images[mine, 0],
            images[mine, 1],
            marker=marker,
            s=image_size,
            facecolors=face,
            edgecolors=[style.colour],
            linewidths=0.8 if unseen[c] else 0,
            alpha=0.6,
        )
    for c, style in enumerate(styles):
        marker = style.marker or ("*" if unseen[c] else "s")
        size = class_size * (1.6 if marker == "*" else 1)
        ax.scatter(
            *prototypes[c],
            marker=marker,
            s=size,
            c=[style.colour],
            edgecolors="black",
            linewidths=1.6 if unseen[c] else 0.8,
            zorder=3,
        )
    handles = [
        plt.Line2D([], [], marker="o", ls="", color="gray", markersize=5, label="test image, seen class"),
        plt.Line2D(
            [],
            [],
            marker="o",
            ls="",
            color="gray",
            markerfacecolor="none",
            markersize=5,
            label="test image, unseen class (hollow)",
        ),
        plt.Line2D(
            [],
            [],
            marker="o" if by_shape else "s",
            ls="",
            color="gray",
            markeredgecolor="black",
            markersize=10,
            label="seen class embedding",
        ),
        plt.Line2D(
            [],
            [],
            marker="o" if by_shape else "*",
            ls="",
            color="gray",
            markeredgecolor="black",
            markeredgewidth=1.6,
            markersize=10 if by_shape else 13,
            label="unseen class embedding (bold label)",
        ),
    ]
    colour_rule = (
        "each class in the colour its name says, with its shape as the marker" if by_shape else "one hue per class"
    )
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        frameon=False,
        title=f"{colour_rule}",
        title_fontsize=8,
    )
    ax.set_title(title or f"{type(model).__name__} on {dataset.name}: t-SNE of the joint embedding space", fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    # Fix the layout, then place the labels around the class markers in display space.
    ax.margins(0.08)
    figure.draw_without_rendering()
    figure.set_layout_engine("none")
    ax.set_autoscale_on(False)
    shown = np.flatnonzero(unseen) if dataset.num_classes > max_labels else np.arange(dataset.num_classes)
    place_labels(
        ax,
        prototypes[shown],
        [dataset.class_names[c] for c in shown],
        marker_size=class_size * 1.6,
        obstacles=prototypes,
        weights=["bold" if unseen[c] else "normal" for c in shown],
        fontsize=7,
        zorder=4,
        bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.7},
    )
    return figure


def plot_training_curves(history: History, metrics: Sequence[str] = ("zsl",), title: str = "training") -> Figure:
    """Training loss per epoch and, where recorded, validation metrics per epoch."""
    figure, loss_ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    epochs = np.arange(1, history.epochs + 1)
    loss_ax.plot(epochs, history.loss, color="black", label="training loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")
    axes = [loss_ax]
    if history.metrics:
        metric_ax = loss_ax.twinx()
        axes.append(metric_ax)
        for name in metrics:
            metric_ax.plot(
                epochs[: len(history.metrics)], [m[name] for m in history.metrics], marker=".", label=f"val {name}"
            )
        if history.best_epoch:
            metric_ax.axvline(history.best_epoch, color="gray", ls=":", label="best epoch")
        metric_ax.set_ylabel("validation metric")
    handles = [handle for ax in axes for handle in ax.get_legend_handles_labels()[0]]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
    loss_ax.set_title(title)
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
    ax.legend(fontsize=8, loc="upper right")  # beyond the seen-unseen frontier: empty unless both exceed ~75%
    figure.tight_layout()
    return figure
