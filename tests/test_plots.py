"""The course's figures: SHAPES classes in the colours and shapes their names say, labels that never collide or
cover a marker, legends outside the data, and sizes that fit a laptop screen."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch
from matplotlib.text import Text

from zsl_shapes import render
from zsl_utils import load_xlsa17
from zsl_utils.models import ESZSL
from zsl_utils.plots import (
    DIAGRAM_NAMES,
    NAMED_COLOURS,
    SHAPE_MARKERS,
    class_styles,
    place_labels,
    plot_model_diagram,
    plot_training_curves,
    plot_tsne,
)
from zsl_utils.train import History


def _boxes(labels) -> np.ndarray:
    """Display-space boxes (n, 4) = (x0, y0, x1, y1) of the labels' text (without their leader lines), drawn first."""
    figure = labels[0].figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return np.array([Text.get_window_extent(label, renderer).extents for label in labels])


def _overlaps(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]))


def test_shapes_classes_get_the_colour_their_name_says_and_their_shape():
    names = ["yellow heart", "purple cross", "red circle", "blue circle"]
    styles = class_styles(names)
    assert styles[0].colour == to_rgb("gold") and styles[0].marker is SHAPE_MARKERS["heart"]
    assert styles[1].colour == to_rgb("tab:purple") and styles[1].marker == "P"
    assert styles[2].marker == styles[3].marker == "o" and styles[2].colour != styles[3].colour
    assert set(SHAPE_MARKERS) == set(render.SHAPES) and set(NAMED_COLOURS) == set(render.COLOURS)


def test_other_datasets_get_distinct_hues_and_generic_markers():
    styles = class_styles(["zebra", "horse", "dolphin", "tiger", "killer+whale"])
    assert all(style.marker is None for style in styles)
    assert len({style.colour for style in styles}) == 5


def test_labels_on_a_crowded_layout_never_overlap_each_other_or_any_marker():
    rng = np.random.default_rng(0)
    anchors = rng.normal(scale=0.6, size=(20, 2))  # 20 markers crowded in the middle of a 10 x 10 plot
    names = render.class_names()[::3][:20]  # "red circle", "red star", ... of real label widths
    figure, ax = plt.subplots(figsize=(7, 6))
    ax.set_xlim(-5, 5)
    ax.set_ylim(-5, 5)
    size = 150
    ax.scatter(anchors[:, 0], anchors[:, 1], s=size)
    labels = place_labels(ax, anchors, names, marker_size=size, fontsize=7)
    boxes = _boxes(labels)
    half = np.sqrt(size) / 2 * figure.dpi / 72
    centres = ax.transData.transform(anchors)
    markers = np.column_stack([centres - half, centres + half])
    frame = ax.get_window_extent().extents
    for i, box in enumerate(boxes):
        assert [label.get_text() for label in labels][i] == names[i]
        assert frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
        assert not any(_overlaps(box, other) for other in boxes[i + 1 :]), f"label {names[i]!r} overlaps another"
        assert not any(_overlaps(box, marker) for marker in markers), f"label {names[i]!r} covers a marker"
    assert any(label.arrow_patch is not None for label in labels)  # crowded: some labels sit away, with a leader
    plt.close(figure)


def test_an_uncrowded_label_sits_right_beside_its_marker_without_a_leader():
    figure, ax = plt.subplots(figsize=(4, 4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    (label,) = place_labels(ax, np.array([[3.0, 5.0]]), ["pink heart"], marker_size=100, fontsize=7)
    (box,) = _boxes([label])
    centre = ax.transData.transform((3.0, 5.0))
    half = 10 / 2 * figure.dpi / 72
    assert label.arrow_patch is None
    assert box[0] == pytest.approx(centre[0] + half + 2, abs=0.5)  # first letter just right of the marker
    assert box[1] < centre[1] < box[3]  # vertically centred on it
    plt.close(figure)


def test_tsne_figure_fits_the_screen_with_the_legend_outside_the_data(tiny_folder: Path):
    data = load_xlsa17(tiny_folder)
    semantics = data.semantic("attributes")
    model = ESZSL(data.feature_dim, semantics.shape[1])
    model.fit(data.features[data.trainval], data.labels[data.trainval], semantics, data.seen_classes)
    figure = plot_tsne(model, data, per_class=5)
    assert figure.get_size_inches()[1] <= 8
    (ax,) = figure.axes
    legend = figure.legends[0]
    figure.canvas.draw()
    assert not _overlaps(legend.get_window_extent().extents, ax.get_window_extent().extents)
    boxes = _boxes(ax.texts)
    assert len(boxes) == data.num_classes  # 6 classes: every one labelled
    assert not any(_overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    plt.close(figure)


def test_training_curves_keep_their_legend_off_the_curves():
    history = History(
        loss=list(np.linspace(14, 1, 15)), metrics=[{"zsl": v} for v in np.linspace(0.52, 0.66, 15)], best_epoch=13
    )
    figure = plot_training_curves(history)
    figure.canvas.draw()
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["training loss", "val zsl", "best epoch"]
    for ax in figure.axes:
        assert ax.get_legend() is None
        assert not _overlaps(legend.get_window_extent().extents, ax.get_window_extent().extents)
    plt.close(figure)


def _diagram_boxes(figure) -> list[tuple[str, np.ndarray]]:
    """(text, display-space extents (x0, y0, x1, y1)) of every block of a drawn diagram."""
    figure.canvas.draw()
    blocks = [t for t in figure.axes[0].texts if t.get_text()]
    return [(t.get_text(), t.get_bbox_patch().get_window_extent().extents) for t in blocks]


@pytest.mark.parametrize("name", DIAGRAM_NAMES)
def test_every_model_diagram_draws_blocks_that_do_not_overlap_and_fit_the_figure(name: str):
    figure = plot_model_diagram(name)
    width, height = figure.get_size_inches()
    assert width <= 9.5 and height <= 8
    boxes = _diagram_boxes(figure)
    assert len(boxes) >= 6
    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            assert not _overlaps(box, other_box), f"{name}: {text!r} overlaps {other!r}"
    frame = figure.bbox.extents
    renderer = figure.canvas.get_renderer()
    texts = [*figure.texts, *figure.axes[0].texts, *figure.legends[0].get_texts()]
    extents = [t.get_window_extent(renderer).extents for t in texts] + [box for _, box in boxes]
    for box in extents:
        assert frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3], name
    plt.close(figure)


@pytest.mark.parametrize("name", DIAGRAM_NAMES)
def test_diagrams_speak_one_visual_language(name: str):
    """Every block has a colour of the shared palette named in the legend; dashed red arrows ("trains") run from a
    loss (or the optimiser's step) to a learned block; every diagram has a learned block, a loss and a score."""
    figure = plot_model_diagram(name)
    figure.canvas.draw()
    handles = figure.legends[0].legend_handles
    legend = {to_rgb(h.get_facecolor()): h.get_label() for h in handles if isinstance(h, Patch)}
    kinds = set()
    for block in (t for t in figure.axes[0].texts if t.get_text()):
        face = block.get_bbox_patch().get_facecolor()
        if face[3] > 0:  # headings of the bridge's table have no box
            assert to_rgb(face) in legend, f"{name}: {block.get_text()!r} has a colour the legend does not name"
            kinds.add(legend[to_rgb(face)])
    for arrow in (t.arrow_patch for t in figure.axes[0].texts if not t.get_text()):
        if arrow.get_linestyle() == "--":
            ends = tuple(legend[to_rgb(p.get_facecolor())] for p in (arrow.patchA, arrow.patchB))
            assert ends[0] in ("loss", "computed") and ends[1] == "learned", f"{name}: a dashed arrow runs {ends}"
    assert {"learned", "loss", "joint space, score"} <= kinds, name
    plt.close(figure)


def test_an_unknown_diagram_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="devise.*two_branch") as error:
        plot_model_diagram("DeViSE")
    assert all(name in str(error.value) for name in DIAGRAM_NAMES)
    assert len(DIAGRAM_NAMES) == 12
