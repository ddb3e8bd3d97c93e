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
from matplotlib.patches import Patch
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
    "plot_joint_map",
    "plot_training_curves",
    "plot_seen_unseen_curve",
    "plot_model_diagram",
    "DIAGRAM_NAMES",
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
_DIRECTIONS += tuple((a * x, b * y) for x, y in _DIRECTIONS[4:] for a, b in ((1, 0.5), (0.5, 1)))
"""Where a label may sit around its marker, in order of preference: right, left, above, below, the diagonals, then
in between (1 places the box's near edge beside the marker, 0 centres it, 0.5 halfway)."""


def _overlap(box: np.ndarray, boxes: np.ndarray) -> float:
    """Total overlap area of ``box`` (4,) = (x0, y0, x1, y1) with each of ``boxes`` (n, 4)."""
    if not len(boxes):
        return 0.0
    width = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    height = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    return float((width * height).sum())


def _distances(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Distance from each of ``points`` (m, 2) to the rectangle ``box`` (4,) = (x0, y0, x1, y1); 0 inside it."""
    dx = np.maximum.reduce([box[0] - points[:, 0], points[:, 0] - box[2], np.zeros(len(points))])
    dy = np.maximum.reduce([box[1] - points[:, 1], points[:, 1] - box[3], np.zeros(len(points))])
    return np.hypot(dx, dy)


def _inside(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(p, k) whether each of ``points`` (p, 2) lies in each of ``boxes`` (k, 4) = (x0, y0, x1, y1)."""
    x, y = points[:, :1], points[:, 1:]
    return (boxes[:, 0] <= x) & (x <= boxes[:, 2]) & (boxes[:, 1] <= y) & (y <= boxes[:, 3])


def _leader(anchor: np.ndarray, box: np.ndarray, skip: float) -> np.ndarray:
    """Points every 3 pixels along a leader line from ``anchor`` (2,) to the centre of ``box`` (4,), from ``skip``
    pixels away from the anchor (outside its marker) to the box."""
    centre = (box[:2] + box[2:]) / 2
    length = np.hypot(*(centre - anchor))
    return anchor + np.arange(skip, length, 3)[:, None] / max(length, 1e-9) * (centre - anchor)


def place_labels(
    ax: Axes,
    anchors: np.ndarray,
    texts: Sequence[str],
    marker_size: float,
    obstacles: np.ndarray | None = None,
    rings: int = 12,
    weights: Sequence[str] | None = None,
    rivals: np.ndarray | None = None,
    keep_out: np.ndarray | None = None,
    **text_kwargs,
) -> list[Annotation]:
    """Label each marker at ``anchors`` (n, 2) (data coordinates) with ``texts``, beside it and never on a marker
    or on another label: a greedy, deterministic placement in display coordinates.

    Each label in turn tries the eight places around its marker (right, left, above, below, diagonals) at growing
    distances (``rings``, one label height apart, beyond the marker's half width), and takes the first whose box
    overlaps no label placed so far, no marker (``obstacles`` (m, 2), default the anchors; ``marker_size``: their
    scatter size in points^2), no display box of ``keep_out`` (k, 4), stays inside the axes and is nearer its own
    marker than any of its ``rivals`` (a boolean (n, m) mask over the obstacles, e.g. the markers of another
    colour; default none), so that a reader matches it with the right marker; a label away from its marker gets a thin
    leader line that ends on it. When no place is free, the least bad one is used. Place labels after the figure's
    layout is final (a later layout change moves markers, not the label offsets). ``weights``: a font weight per
    label (default normal)."""
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    anchors_px = ax.transData.transform(np.asarray(anchors, dtype=float))
    obstacles_px = anchors_px if obstacles is None else ax.transData.transform(np.asarray(obstacles, dtype=float))
    half = np.sqrt(marker_size) / 2 * figure.dpi / 72  # a marker's half width in pixels
    markers = np.column_stack([obstacles_px - half, obstacles_px + half])
    markers = np.concatenate([markers, np.reshape(keep_out if keep_out is not None else [], (-1, 4))])
    rivals = np.zeros((len(anchors_px), len(obstacles_px)), dtype=bool) if rivals is None else np.asarray(rivals)
    frame = ax.get_window_extent(renderer)
    placed: list[np.ndarray] = []
    leaders = np.zeros((0, 2))  # points along the leader lines drawn so far
    labels: list[Annotation] = [None] * len(texts)
    weights = weights or ["normal"] * len(texts)
    near = np.hypot(*(anchors_px[:, None] - obstacles_px[None]).transpose(2, 0, 1)) < 4 * half
    for i in np.argsort(-(rivals & near).sum(axis=1), kind="stable"):  # the most hemmed-in labels choose first
        (x, y), text, weight, rival = anchors_px[i], texts[i], weights[i], rivals[i]
        label = ax.annotate(
            text, (0, 0), xycoords="figure pixels", ha="left", va="bottom", fontweight=weight, **text_kwargs
        )
        extent = label.get_window_extent(renderer)
        width, height = extent.width, extent.height
        best, best_cost, best_ring = None, np.inf, 0
        for ring in range(rings):
            gap = half + 2 + ring * height
            for dx, dy in _DIRECTIONS:
                x0, y0 = x + dx * gap - width * (1 - dx) / 2, y + dy * gap - height * (1 - dy) / 2
                box = np.array([x0, y0, x0 + width, y0 + height])
                outside = max(frame.x0 - box[0], box[2] - frame.x1, frame.y0 - box[1], box[3] - frame.y1, 0)
                own = _distances(np.array([[x, y]]), box)[0]
                rival_gap = _distances(obstacles_px[rival], box).min(initial=np.inf)  # nearer its own, with a margin
                cost = 100 * _overlap(box, np.array(placed).reshape(-1, 4)) + _overlap(box, markers)
                cost += 1e4 * (rival_gap < own) + 2e3 * (rival_gap < own + half)
                line = _leader(np.array([x, y]), box, 1.5 * half) if ring else np.zeros((0, 2))
                crossed = _inside(line, np.concatenate([markers, np.reshape(placed, (-1, 4))])).any(axis=0).sum()
                cost += 1e6 * outside + 50 * (crossed + _inside(leaders, box[None]).sum())
                if cost < best_cost:
                    best, best_cost, best_ring = box, cost, ring
                if cost == 0:
                    break
            if best_cost == 0:
                break
        label.remove()
        offset = (best[:2] - (x, y)) * 72 / figure.dpi  # points from the marker to the label's lower-left corner
        leader = {"arrowstyle": "-", "color": "0.35", "lw": 0.6, "shrinkA": 0, "shrinkB": 0.3 * half * 72 / figure.dpi}
        style = {"ha": "left", "va": "bottom", "fontweight": weight, "arrowprops": leader if best_ring > 0 else None}
        xy = ax.transData.inverted().transform((x, y))
        labels[i] = ax.annotate(text, xy, xytext=offset, textcoords="offset points", **style, **text_kwargs)
        placed.append(best)
        leaders = np.concatenate([leaders, _leader(np.array([x, y]), best, half) if best_ring else np.zeros((0, 2))])
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
    """t-SNE of the joint embedding space (:func:`joint_embedding`): test images and class embeddings embedded by
    one t-SNE run, so that images sit near the classes the model scores them with, drawn by :func:`plot_joint_map`."""
    visual, labels, classes = joint_embedding(model, dataset, semantic_kind, per_class, seed)
    points = np.concatenate([visual, classes])
    perplexity = float(min(30, max(5, (len(points) - 1) // 4)))
    projected = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(points)
    unseen = np.zeros(dataset.num_classes, dtype=bool)
    unseen[dataset.unseen_classes.cpu().numpy()] = True
    title = title or f"{type(model).__name__} on {dataset.name}: t-SNE of the joint embedding space"
    return plot_joint_map(
        projected[: len(visual)], labels, projected[len(visual) :], dataset.class_names, unseen, title
    )


def _spread(points: np.ndarray, width: np.ndarray, steps: int = 200) -> np.ndarray:
    """Display-space points (n, 2) nudged apart until no two are closer than ``width`` (a number, or (n, n) per
    pair): pairwise pushes, each point of a pair moving half the overlap."""
    points = points + 1e-3 * np.column_stack([np.cos(np.arange(len(points))), np.sin(np.arange(len(points)))])
    for _ in range(steps):
        delta = points[:, None] - points[None]  # (n, n, 2)
        distance = np.hypot(delta[..., 0], delta[..., 1]) + np.eye(len(points)) * 2 * np.max(width)
        push = np.clip(width - distance, 0, None) / distance * 0.55
        if not push.any():
            break
        points = points + (push[..., None] * delta).sum(axis=1)
    return points


def plot_joint_map(
    images: np.ndarray,
    image_labels: np.ndarray,
    classes: np.ndarray,
    class_names: Sequence[str],
    unseen: np.ndarray,
    title: str,
    max_labels: int = 24,
) -> Figure:
    """A 2-D map of a joint space: ``images`` (n, 2) as small markers (filled: seen classes, hollow: unseen) and
    ``classes`` (C, 2) as large markers with a black edge, unseen ones drawn above seen ones and labelled in bold
    (every class is labelled when there are at most ``max_labels``). On SHAPES each class takes the colour its name
    says and its shape as the marker (:func:`class_styles`); other datasets get distinct hues, images as dots,
    class embeddings as squares (seen) and stars (unseen). Readable by construction: class markers closer than a
    marker's width are nudged apart (none hides another), every label sits beside its own marker, nearer it than
    any marker of another colour, with a leader line when it must sit away; when the class markers crowd into
    less than 40% of the map's width and height, the map zooms on them and an inset shows the whole map. The
    figure is ``TSNE_FIGSIZE``, legend below."""
    styles = class_styles(class_names)
    by_shape = styles[0].marker is not None
    image_size, class_size = 16, 150
    figure, ax = plt.subplots(figsize=TSNE_FIGSIZE, layout="constrained")
    for c in np.argsort(unseen, kind="stable"):  # seen classes first, unseen above them
        mine, colour = image_labels == c, [styles[c].colour]
        face, marker = ("none", styles[c].marker or "^") if unseen[c] else (colour, styles[c].marker or "o")
        style = {"facecolors": face, "edgecolors": colour, "linewidths": 0.8 * unseen[c], "alpha": 0.6}
        ax.scatter(*images[mine].T, marker=marker, s=image_size, zorder=1 + unseen[c], **style)
    span, low, high = np.ptp(images, axis=0), classes.min(axis=0), classes.max(axis=0)
    zoom = bool(np.all(high - low < 0.4 * span))
    if zoom:  # a knot of class markers: zoom on it (half the view), the whole map in an inset
        centre, half = (low + high) / 2, 0.75 * (high - low).max()
        ax.set(xlim=(centre[0] - half, centre[0] + half), ylim=(centre[1] - half, centre[1] + half))
        title += " (zoomed on the class embeddings)"
    else:
        ax.margins(0.05)
    big = {"marker": "o" if by_shape else "s", "ms": 10, "mec": "black"}
    bold = {"marker": "o" if by_shape else "*", "ms": 10 if by_shape else 13, "mec": "black", "mew": 1.6}
    entries = {"test image, seen class": {"marker": "o", "ms": 5}, "seen class": big}
    entries |= {
        "test image, unseen class (hollow)": {"marker": "o", "ms": 5, "mfc": "none"},
        "unseen class (bold)": bold,
    }
    handles = [plt.Line2D([], [], ls="", color="gray", label=label, **style) for label, style in entries.items()]
    rule = "each class in the colour its name says, with its shape as the marker" if by_shape else "one hue per class"
    legend = {"loc": "outside lower center", "ncols": 2, "fontsize": 8, "title_fontsize": 8, "frameon": False}
    figure.legend(handles=handles, title=rule, **legend)
    ax.set_title(title, fontsize=11)
    ax.set(xticks=[], yticks=[])
    figure.draw_without_rendering()  # the layout is final: class markers and labels are placed in display space
    figure.set_layout_engine("none")
    ax.set_autoscale_on(False)
    colours = np.array([style.colour for style in styles])
    labelled = unseen if len(class_names) > max_labels else np.ones_like(unseen)
    rivals = np.any(colours[:, None] != colours[None], axis=2) | (labelled[:, None] & labelled[None])  # lookalikes
    np.fill_diagonal(rivals, False)
    # a marker's width apart, 2.5 widths in a zoomed knot, 1.8 between a labelled class and a class it could be
    # mistaken for (another colour, or another labelled class)
    width = np.sqrt(class_size * 1.6) * figure.dpi / 72 + 1
    width = width * np.maximum(1 + 1.5 * zoom, 1 + 0.8 * (rivals & (labelled[:, None] | labelled[None])))
    for _ in range(3):  # widen the view to leave room for labels around the class markers, then nudge them apart
        room = 80 / np.diff(ax.transData.transform([[0, 0], [1, 1]]), axis=0)[0]  # 80 pixels in data units
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        low, high = classes.min(axis=0) - room, classes.max(axis=0) + room
        ax.set(xlim=(min(x0, low[0]), max(x1, high[0])), ylim=(min(y0, low[1]), max(y1, high[1])))
        classes = ax.transData.inverted().transform(_spread(ax.transData.transform(classes), width))
    for c in np.argsort(unseen, kind="stable"):
        marker = styles[c].marker or ("*" if unseen[c] else "s")
        size = class_size * (1.6 if marker == "*" else 1)
        style = {"c": [styles[c].colour], "edgecolors": "black", "linewidths": 1.6 if unseen[c] else 0.8}
        ax.scatter(*classes[c], marker=marker, s=size, zorder=3 + unseen[c], label=class_names[c], **style)
    keep_out = None
    if zoom:  # the inset goes to the corner with the fewest class markers
        where = ax.transAxes.inverted().transform(ax.transData.transform(classes))
        corners = [(x, y) for y in (0.02, 0.75) for x in (0.75, 0.02)]
        x, y = min(corners, key=lambda c: np.sum(np.all(np.abs(where - c - 0.115) < 0.17, axis=1)))
        inset = ax.inset_axes((x, y, 0.23, 0.23), xticks=[], yticks=[], zorder=6)
        inset.scatter(*images.T, s=1, c=[styles[c].colour for c in image_labels])
        inset.scatter(*classes.T, s=4, c="black")
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        inset.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=0.8))
        inset.set_title("the whole map", fontsize=7, pad=2)
        keep_out = [inset.get_tightbbox().extents]
    shown = np.flatnonzero(labelled)
    place_labels(
        ax,
        classes[shown],
        [class_names[c] for c in shown],
        marker_size=class_size * 1.6,
        obstacles=classes,
        weights=["bold" if unseen[c] else "normal" for c in shown],
        rivals=rivals[shown],
        keep_out=keep_out,
        fontsize=7,
        zorder=5,
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


_KINDS: dict[str, tuple[str, str, str]] = {
    "data": ("#deebf7", "#2171b5", "given"),
    "frozen": ("#e5e5e5", "#525252", "frozen"),
    "learned": ("#fdd0a2", "#d94801", "learned"),
    "op": ("white", "#525252", "computed"),
    "joint": ("#c7e9c0", "#238b45", "joint space, score"),
    "loss": ("#fcbba1", "#cb181d", "loss"),
    "label": ("none", "none", ""),
}
"""The course's diagram language: a block's kind -> its face colour, edge colour and legend entry."""

_DIAGRAMS: dict[str, str] = {
    "nearest_prototype": r"""Nearest visual prototype (notebook 00): class vectors mapped into the visual space
x>phi phi>J s>Om Om>J J>F m>L L~Om
x 0 0 data image $x$
phi 1 0 frozen CNN $\phi$ (frozen) | $\mathbf{v} = \phi(x) \in \mathbb{R}^{d_v}$
s 0 1 data class vector, every class | $\mathbf{s}_c \in \mathbb{R}^{d_s}$
Om 1 1 learned ridge map $\Omega \in \mathbb{R}^{d_s \times d_v}$ | $\mathbf{p}_c = \mathbf{s}_c^\top \Omega$
J 2.2 0.5 joint visual space $\mathbb{R}^{d_v}$: | image $\mathbf{v}$, prototypes $\mathbf{p}_c$
F 3.6 0.5 joint $F(x, c) = \cos(\mathbf{v}, \mathbf{p}_c)$ | $\hat{y}(x) = \arg\max{}_c F(x, c)$
m 0 2 data seen-class mean features | $\bar{X}_s$ (rows $\boldsymbol{\mu}_c$), $\mathbf{S}_s$
L 2 2 loss ridge regression, closed form, seen classes only
| $\min_\Omega \|\mathbf{S}_s \Omega - \bar{X}_s\|_F^2 + \lambda \|\Omega\|_F^2$
""",
    "eszsl": r"""ESZSL (notebook 02): a bilinear score whose matrix $W$ is solved in closed form
x>phi phi>W W>J s>J J>F L~W
x 0 0 data image $x$
phi 1 0 frozen CNN $\phi$ (frozen) | $\mathbf{v} = \phi(x) \in \mathbb{R}^{d_v}$
W 2 0 learned $W \in \mathbb{R}^{d_v \times d_s}$ (closed form) | $W^\top \mathbf{v} \in \mathbb{R}^{d_s}$
s 0 1 data class vector, every class: | $\mathbf{s}_c \in \mathbb{R}^{d_s}$, L2-normalised
J 3 0.5 joint semantic space $\mathbb{R}^{d_s}$: | $W^\top \mathbf{v}$ beside $\mathbf{s}_c$
F 4 0.5 joint $F(x, c) = \mathbf{v}^\top W \mathbf{s}_c$ | $\hat{y}(x) = \arg\max{}_c F(x, c)$
L 2 2 loss closed form on the $n$ seen images $X$, targets $Y \in \{-1, 1\}^{n \times C_{tr}}$:
| $\|XW\mathbf{S}^\top - Y\|_F^2 + \lambda_v \|W\mathbf{S}^\top\|_F^2$
| $+ \lambda_s \|XW\|_F^2 + \lambda_v \lambda_s \|W\|_F^2$
""",
    "devise": r"""DeViSE (notebook 03): a learned map of the image into the fixed semantic space
x>phi phi>M M>J s>psi psi>J J>F F>L L~M
x 0 0 data image $x$
phi 1 0 frozen CNN $\phi$ (frozen) | $\mathbf{v} = \phi(x) \in \mathbb{R}^{d_v}$
M 2 0 learned linear map $M \in \mathbb{R}^{d_s \times d_v}$ | $\theta(\mathbf{v}) = M \mathbf{v}$
s 0 1 data class vector | $\mathbf{s}_c \in \mathbb{R}^{d_s}$
psi 2 1 frozen class side fixed: | $\psi(\mathbf{s}) = \mathbf{s}$
J 3 0.5 joint semantic space $\mathbb{R}^{d_s}$: | $\theta(\mathbf{v})$ beside $\mathbf{s}_c$
F 4 0.5 joint $F(x, c) = \cos(\theta(\mathbf{v}), \mathbf{s}_c) / \tau$ | $\hat{y}(x) = \arg\max{}_c F(x, c)$
L 3 2 loss hinge rank loss over the train classes, margin $\Delta$:
| $\mathcal{L}_i = \sum{}_{j \neq y_i} \max(0, \Delta - F(x_i, y_i) + F(x_i, j))$
""",
    "bilinear": r"""Bilinear compatibility (notebook 04): two linear projections, $W = W_v W_s^\top$ of rank $r$
x>phi phi>Wv Wv>J s>Ws Ws>J J>F F>L L~Wv L~Ws
x 0 0 data image $x$
phi 1 0 frozen CNN $\phi$ (frozen) | $\mathbf{v} = \phi(x) \in \mathbb{R}^{d_v}$
Wv 2 0 learned $W_v \in \mathbb{R}^{d_v \times r}$ | $\theta(\mathbf{v}) = W_v^\top \mathbf{v}$
s 0 1 data class vector | $\mathbf{s}_c \in \mathbb{R}^{d_s}$
Ws 2 1 learned $W_s \in \mathbb{R}^{d_s \times r}$ | $\psi(\mathbf{s}) = W_s^\top \mathbf{s}$
J 3 0.5 joint joint space $\mathbb{R}^{r}$ | (full rank: one $W$, $\mathbb{R}^{d_s}$)
F 4 0.5 joint $F(x, c) = \theta(\mathbf{v})^\top \psi(\mathbf{s}_c)$ | $= \mathbf{v}^\top W \mathbf{s}_c$
L 3 2 loss $h_{ij} = \max(0, \Delta - F(x_i, y_i) + F(x_i, j))$ | SJE: $\mathcal{L}_i = \max{}_{j \neq y_i} h_{ij}$
| ALE: $\mathcal{L}_i = \frac{\ell(\rho_i)}{\rho_i} \sum{}_{j \neq y_i} h_{ij}$
""",
    "losses": r"""Losses (notebook 05): one DeViSE model, its scores and embeddings read by four losses
phi>M M>J s>J J>F J>Lb J>trip F>rank F>ce Lb>nce
phi 0 0 frozen batch of $B$ images | $\mathbf{v}_i = \phi(x_i)$, labels $y_i$
M 1 0 learned $\theta(\mathbf{v}) = M \mathbf{v}$
s 0 1 data class vectors $\mathbf{s}_c$ | fixed: $\psi(\mathbf{s}) = \mathbf{s}$
J 2 0.5 joint embeddings | $\theta(\mathbf{v}_i)$, $\psi(\mathbf{s}_c)$
F 2.9 0 joint scores $(B, C)$ | $F(x_i, c) = \cos(\theta(\mathbf{v}_i), \psi(\mathbf{s}_c))$
Lb 3.6 1.1 joint batch logits $(B, B)$ | $L_{ij} = \cos(\theta(\mathbf{v}_i), \psi(\mathbf{s}_{y_j})) / \tau$
trip 0.1 2.2 loss triplet, on embeddings: | $\max(0, \mathrm{dist}(\theta_i, \psi_i^+)$
| $- \mathrm{dist}(\theta_i, \psi_i^-) + \Delta)$
rank 1.3 2.2 loss ranking: | $\sum{}_{j \neq y_i} \max(0, \Delta - F(x_i, y_i) + F(x_i, j))$
ce 2.55 2.2 loss cross-entropy: | $-\log \mathrm{softmax}_c(F(x_i, c) / \tau)_{y_i}$
nce 3.65 2.2 loss InfoNCE, class-aware: | $-L_{ii} + \log \sum{}_{j \in \mathcal{A}_i} e^{L_{ij}}$
""",
    "training": r"""Training DeViSE (notebook 06): one step of the loop, with its tricks
b>th th>F F>H H>L L>opt lr>opt opt~th th>val
b 0 0 data minibatch $\mathcal{B}_t$: $B$ | features $\mathbf{v}_i$, labels $y_i$
th 1.15 0 learned $\theta(\mathbf{v})$: $M \mathbf{v}$ or an MLP | with dropout
F 2.45 0 joint $F(x_i, c) = \cos(\theta(\mathbf{v}_i), \mathbf{s}_c) / \tau$ | $(B, C_{tr})$, temperature $\tau$
H 3.75 0 op hard negatives $\mathcal{H}_i^k$: | the $k$ top-scoring $j \neq y_i$
L 3.75 1.2 loss $\mathcal{L}_i = \sum{}_{j \in \mathcal{H}_i^k} \max(0,$ | $\Delta - F(x_i, y_i) + F(x_i, j))$
opt 2.45 1.2 op AdamW step on $\nabla \mathcal{L}$, | weight decay $\lambda$, learning rate $\eta_t$
lr 2.45 2.2 op $\eta_t = \eta\, f(t)$: linear warmup, | then cosine decay, per step
val 0.6 1.4 op each epoch: validation ZSL | on $\mathcal{Y}^{val}$; keep the best epoch
""",
    "region_attention": r"""Region attention (notebook 07): each attribute attends over the image regions
r>kv e>kv kv>att att>a a>F s>F F>L L~kv L~e
r 0 0 frozen CNN regions (frozen) | $\mathbf{x}_{br} = \phi_r(x_b)$, $(B, R, d_r)$
e 0 1 learned attribute embeddings | $\mathbf{e}_a \in \mathbb{R}^d$, $a = 1, \dots, A$
kv 1.25 0.5 learned queries $\mathbf{q}_a = W_q \mathbf{e}_a$
| keys $\mathbf{k}_{br} = W_k \mathbf{x}_{br} + \mathbf{b}_k + \mathbf{p}_r$
| values $\mathbf{u}_{br} = W_u \mathbf{x}_{br} + \mathbf{b}_u$
att 2.5 0.5 op $\bar\alpha_{bar} = \mathrm{softmax}_r(\mathbf{q}_a^\top \mathbf{k}_{br} / \sqrt{d})$
| $\mathbf{o}_{ba} = \sum{}_r \bar\alpha_{bar} \mathbf{u}_{br}$, $(B, A, d)$
a 3.6 0.5 joint attribute space $\mathbb{R}^A$: | $\hat a_{ba} = \langle \mathbf{o}_{ba}, \mathbf{e}_a \rangle$
F 4.5 0.9 joint $F(x_b, c) = \hat{\mathbf{a}}_b^\top \mathbf{s}_c$
s 4.45 1.9 data class attributes $\mathbf{s}_c$, | fixed: $\psi(\mathbf{s}) = \mathbf{s}$
L 3.1 2 loss cross-entropy, train classes: | $-\log \mathrm{softmax}_c(F(x_b, c) / \tau)_{y_b}$
""",
    "two_branch": r"""Two-branch network (notebook 08): both modalities mapped by MLPs into a joint space
x>phi phi>th th>J s>ps ps>J J>F F>L L~th L~ps
x 0 0 data image $x$
phi 1 0 frozen CNN $\phi$ (frozen) | $\mathbf{v} = \phi(x) \in \mathbb{R}^{d_v}$
th 2 0 learned MLP $\theta(\mathbf{v})$, dropout
| $W^v_2\, \mathrm{ReLU}(W^v_1 \mathbf{v} + \mathbf{b}^v_1) + \mathbf{b}^v_2$
s 0 1 data class vector | $\mathbf{s}_c \in \mathbb{R}^{d_s}$
ps 2 1 learned MLP $\psi(\mathbf{s})$, dropout | $W^s_2\,\mathrm{ReLU}(W^s_1 \mathbf{s}+\mathbf{b}^s_1)+\mathbf{b}^s_2$
J 3 0.5 joint joint space $\mathbb{R}^{d}$: | $\theta(\mathbf{v})$ beside $\psi(\mathbf{s}_c)$
F 4 0.5 joint $F(x, c) = \cos(\theta(\mathbf{v}), \psi(\mathbf{s}_c)) / \tau$ | $\hat{y}(x) = \arg\max{}_c F(x, c)$
L 3 2 loss cross-entropy over the train classes: | $\mathcal{L}=-F(x,y)+\log \sum{}_{c\in \mathcal{Y}^{tr}} \exp F(x,c)$
""",
    "clswgan": r"""f-CLSWGAN (notebook 11): a conditional generator of visual features, trained against a critic
eta>G s>G G>P G>D v>D P>LG D>LG D>LD LG~G LD~D@0.4 G>C
eta 0 0 data noise $\boldsymbol{\eta} \sim \mathcal{N}(0, I)$
s 0 0.9 data class vector $\mathbf{s}_c$
v 0 1.8 frozen real seen features | $\mathbf{v} = \phi(x)$ (frozen CNN)
G 1.15 0.45 learned generator $G(\boldsymbol{\eta}, \mathbf{s})$ | $\tilde{\mathbf{v}} \in \mathbb{R}^{d_v}$
P 2.3 0 frozen classifier $P_{\mathrm{cls}}(c \mid \mathbf{v})$, | pre-trained on seen, frozen
D 2.3 1.2 learned critic $D(\mathbf{v}, \mathbf{s})$
LG 3.5 0.3 loss $\mathcal{L}_G = -\mathbb{E}[D(\tilde{\mathbf{v}}, \mathbf{s}_y)]$
| $- \lambda_{\mathrm{cls}} \mathbb{E}[\log P_{\mathrm{cls}}(y \mid \tilde{\mathbf{v}})]$
LD 3.5 1.7 loss $\mathcal{L}_D = \mathbb{E}[D(\tilde{\mathbf{v}}, \mathbf{s})] - \mathbb{E}[D(\mathbf{v}, \mathbf{s})]$
| $+ \lambda_{\mathrm{GP}}\, \mathrm{GP}$
C 1.5 2.7 joint then $n_{\mathrm{syn}}$ features $\tilde{\mathbf{v}} = G(\boldsymbol{\eta}, \mathbf{s}_c)$ per unseen
| class and the real seen $\mathbf{v}$ train a softmax over $\mathcal{Y}^s \cup \mathcal{Y}^u$: logits $F(x, c)$
""",
    "cvae": r"""Conditional VAE (notebook 11): an encoder proposes codes, the decoder $G$ generates features
v>q s>q q>z z>G s>G G>L@0.15 L~q L~G@0.15 G>C
v 0 0 frozen real seen features | $\mathbf{v} = \phi(x)$ (frozen CNN)
s 0 1.1 data class vector $\mathbf{s}$
q 1.15 0 learned encoder $q(\boldsymbol{\eta} \mid \mathbf{v}, \mathbf{s})$
| $\boldsymbol{\mu}_q$, $\boldsymbol{\sigma}_q$
z 2.3 0 op $\boldsymbol{\eta} = \boldsymbol{\mu}_q + \boldsymbol{\sigma}_q \odot \boldsymbol{\epsilon}_0$
| $\boldsymbol{\epsilon}_0 \sim \mathcal{N}(0, I)$
G 3.4 0.6 learned decoder $G(\boldsymbol{\eta}, \mathbf{s})$ | $\tilde{\mathbf{v}} \in \mathbb{R}^{d_v}$
L 1.3 2 loss $\mathcal{L}_{\mathrm{VAE}} = \frac{1}{2} \|\mathbf{v} - G(\boldsymbol{\eta}, \mathbf{s})\|^2$
| $+ \mathrm{KL}(q(\boldsymbol{\eta} \mid \mathbf{v}, \mathbf{s}) \,\|\, \mathcal{N}(0, I))$
C 3.2 2 joint then $\tilde{\mathbf{v}} = G(\boldsymbol{\eta}, \mathbf{s}_c)$, $\boldsymbol{\eta} \sim \mathcal{N}(0, I)$
| per unseen class and the real seen $\mathbf{v}$ | train a softmax classifier: logits $F(x, c)$
""",
    "clip": r"""CLIP on SHAPES (notebook 12): two towers trained on images and their captions
v>th th>J cap>ps p>ps ps>J J>Lb Lb>L L~th L~ps J>F
v 0 0 frozen cached features | $\mathbf{v} = \phi(x)$ (frozen CNN)
cap 0 1.1 data caption of image $i$ (train): | "a small red star at the top"
p 0 2.1 data prompt of class $c$ (test): | "a photo of a red circle"
th 1.15 0 learned image tower | $\theta(\mathbf{v})$
ps 1.15 1.6 learned text tower $\psi$, token | embeddings from scratch
J 2.3 0.75 joint joint space $\mathbb{R}^{d}$ | (unit vectors $\hat\theta_i$, $\hat\psi_j$)
Lb 3.5 0 joint batch logits $(B,B)$, $\tau$ learned: | $L_{ij}=\cos(\theta(\mathbf{v}_i),\psi(\mathrm{caption}_j))/\tau$
L 2.3 2.3 loss symmetric InfoNCE | (both directions)
F 3.6 1.7 joint zero-shot: $F(x, c) =$ | $\cos(\theta(\mathbf{v}), \psi(\mathrm{prompt}_c)) / \tau$
""",
    "bridge": r"""From DeViSE to CLIP (notebook 12): what is fixed, what is learned, what the class semantics are
a1>b1 b1>c1 e1>d1 d1>c1 a2>b2 b2>c2 e2>d2 d2>c2 a3>b3 b3>c3 e3>d3 d3>c3
h1 1.05 0 label DeViSE (03)
h2 2.15 0 label two-branch (08)
h3 3.25 0 label CLIP (12)
r1 0 0.6 label image input
r2 0 1.2 label image side $\theta$
r3 0 1.85 label score
r4 0 2.5 label class side $\psi$
r5 0 3.1 label class semantics
r6 0 3.75 label trained with
a1 1.05 0.6 frozen $\mathbf{v} = \phi(x)$, frozen CNN
a2 2.15 0.6 frozen $\mathbf{v} = \phi(x)$, frozen CNN
a3 3.25 0.6 frozen $\mathbf{v} = \phi(x)$, frozen CNN
b1 1.05 1.2 learned linear map $M \mathbf{v}$
b2 2.15 1.2 learned MLP $\theta(\mathbf{v})$
b3 3.25 1.2 learned image tower $\theta(\mathbf{v})$
c1 1.05 1.85 joint $\cos(\theta, \mathbf{s}_c) / \tau$, $\tau$ fixed
c2 2.15 1.85 joint $\cos(\theta, \psi(\mathbf{s}_c)) / \tau$, $\tau$ chosen
c3 3.25 1.85 joint $\cos(\theta, \psi(\mathrm{prompt}_c)) / \tau$, $\tau$ learned
d1 1.05 2.5 frozen fixed: $\psi(\mathbf{s}) = \mathbf{s}$
d2 2.15 2.5 learned MLP $\psi(\mathbf{s})$
d3 3.25 2.5 learned text tower on tokens
e1 1.05 3.1 data attributes or word vectors $\mathbf{s}_c$
e2 2.15 3.1 data attributes or word vectors $\mathbf{s}_c$
e3 3.25 3.1 data captions; prompts at test
f1 1.05 3.75 loss hinge rank loss over $\mathcal{Y}^{tr}$
f2 2.15 3.75 loss cross-entropy over $\mathcal{Y}^{tr}$
f3 3.25 3.75 loss symmetric InfoNCE
""",
}
"""Each diagram: its title, its arrows (``a>b`` data flow, ``a~b`` trains, ``@0.3`` bends one into an arc), then one
block per line, ``key column row kind text`` (`` | `` breaks the text; a line starting with ``|`` continues it)."""


def plot_model_diagram(name: str) -> Figure:
    """The diagram of a course model (:data:`DIAGRAM_NAMES`) in the notation of NOTATION.md: what goes in, the
    branches, which blocks are given, frozen or learned, the joint space, the score and the loss. Solid arrows carry
    data forward; dashed red arrows run from the loss (or the optimiser's step) to the blocks it trains or fits."""
    if name not in _DIAGRAMS:
        raise ValueError(f"no diagram named {name!r}; the diagrams are: {', '.join(DIAGRAM_NAMES)}")
    title, edges, *lines = _DIAGRAMS[name].strip().splitlines()
    boxes: list[list] = []
    for line in lines:
        if line.startswith("|"):
            boxes[-1][4] += "\n" + line[1:].strip()
        else:
            key, column, row, kind, text = line.split(maxsplit=4)
            boxes.append([key, float(column), float(row), kind, text])
    columns, rows = max(b[1] for b in boxes) + 1, max(b[2] for b in boxes) + 1
    height = 0.75 * rows + 0.7
    figure = plt.figure(figsize=(9, height))
    ax = figure.add_axes((0, 0, 1, 1 - 0.6 / height), xlim=(0, columns), ylim=(rows, 0))
    ax.set_axis_off()
    texts = {}
    for key, column, row, kind, text in boxes:
        bbox = {"boxstyle": "round,pad=0.4", "facecolor": _KINDS[kind][0], "edgecolor": _KINDS[kind][1]}
        style = {"ha": "center", "va": "center", "fontsize": 9, "fontweight": "bold" if kind == "label" else "normal"}
        texts[key] = ax.text(column + 0.5, row + 0.5, text.replace(" | ", "\n"), bbox=bbox, **style)
    for edge in edges.split()[int(edges == "-") :]:
        edge, _, bend = edge.partition("@")
        trains = "~" in edge
        source, target = (texts[key] for key in edge.split("~" if trains else ">"))
        arrow = {"arrowstyle": "-|>", "connectionstyle": f"arc3,rad={bend or 0}", "linewidth": 1.1, "shrinkB": 1}
        arrow |= {"color": "#cb181d" if trains else "#404040", "linestyle": "--" if trains else "-"}
        arrow |= {"patchA": source.get_bbox_patch(), "patchB": target.get_bbox_patch(), "mutation_scale": 12}
        ax.annotate("", target.get_position(), source.get_position(), arrowprops=arrow)  # drawn after the blocks
    used = [kind for kind in _KINDS if kind != "label" and any(b[3] == kind for b in boxes)]
    handles = [Patch(facecolor=_KINDS[k][0], edgecolor=_KINDS[k][1], label=_KINDS[k][2]) for k in used]
    handles += [plt.Line2D([], [], color="#404040", label="data flow")]
    handles += [plt.Line2D([], [], color="#cb181d", ls="--", label="trains")] if "~" in edges else []
    figure.text(0.5, 1 - 0.08 / height, title, ha="center", va="top", fontsize=10, fontweight="bold")
    legend = {"loc": "upper center", "bbox_to_anchor": (0.5, 1 - 0.3 / height), "ncols": len(handles)}
    figure.legend(handles=handles, **legend, fontsize=8, frameon=False, handlelength=1.6, columnspacing=1.2)
    return figure


DIAGRAM_NAMES = tuple(_DIAGRAMS)
"""The models :func:`plot_model_diagram` draws, in course order."""
