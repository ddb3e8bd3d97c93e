"""The SHAPES renderer: determinism, image content, class semantics, the split and the preview figure."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from zsl_shapes.render import (
    ATTRIBUTE_NAMES,
    COLOURS,
    SHAPES,
    RenderConfig,
    class_attributes,
    class_names,
    class_parts,
    gbu_split,
    normalised_attributes,
    render_dataset,
    render_images,
    sample_grid_figure,
)

CLEAN = RenderConfig(blobs=0.0, lines=0.0)


def _foreground_mean(images: np.ndarray) -> np.ndarray:
    """Mean RGB (0..1) of the strongly coloured pixels: the shape on a gray background without clutter."""
    x = images.reshape(-1, 3) / 255.0
    chroma = x.max(axis=1) - x.min(axis=1)
    return x[chroma > 0.25].mean(axis=0)


def _digest(images: np.ndarray) -> str:
    return hashlib.sha256(images.tobytes()).hexdigest()


def test_words_and_class_names():
    assert len(COLOURS) == 8 and len(SHAPES) == 8
    for word in [*COLOURS, *SHAPES]:
        assert word.isalpha() and word.islower()
    for rgb in COLOURS.values():
        assert len(rgb) == 3 and all(0 <= v <= 255 for v in rgb)
    names = class_names()
    assert len(names) == len(set(names)) == 64
    assert names[0] == "red circle" and names[1] == "red square" and names[8] == "orange circle"
    for name in names:
        colour, shape = class_parts(name)
        assert f"{colour} {shape}" == name
    for bad in ("red", "red  circle", "circle red", "Red circle", "red circle "):
        with pytest.raises(ValueError):
            class_parts(bad)


def test_dtype_shape_and_range():
    images = render_images("green", "star", 5, seed=1)
    assert images.dtype == np.uint8 and images.shape == (5, 32, 32, 3)
    assert render_images("green", "star", 3, seed=1, size=48).shape == (3, 48, 48, 3)
    assert render_images("green", "star", 0, seed=1).shape == (0, 32, 32, 3)
    assert images.std() > 10
    with pytest.raises(ValueError):
        render_images("teal", "star", 2, seed=0)
    with pytest.raises(ValueError):
        render_images("green", "oval", 2, seed=0)


def test_deterministic_and_prefix_stable():
    a = render_images("purple", "cross", 140, seed=3)
    assert np.array_equal(a, render_images("purple", "cross", 140, seed=3))
    assert np.array_equal(a[:7], render_images("purple", "cross", 7, seed=3))
    assert not np.array_equal(a[:7], render_images("purple", "cross", 7, seed=4))
    assert not np.array_equal(a[:7], render_images("pink", "cross", 7, seed=3))
    assert not np.array_equal(a[0], a[1])


def test_same_bytes_in_a_fresh_interpreter():
    code = (
        "import hashlib; from zsl_shapes.render import render_images; "
        "print(hashlib.sha256(render_images('brown', 'heart', 4, 9).tobytes()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == _digest(render_images("brown", "heart", 4, 9))


def test_foreground_colour_goes_the_expected_way():
    red, green, blue, yellow = (
        _foreground_mean(render_images(c, "square", 24, seed=0, config=CLEAN))
        for c in ("red", "green", "blue", "yellow")
    )
    assert red[0] > red[1] + 0.3 and red[0] > red[2] + 0.3
    assert green[1] > green[0] + 0.2 and green[1] > green[2] + 0.2
    assert blue[2] > blue[0] + 0.3 and blue[2] > blue[1] + 0.2
    assert min(yellow[0], yellow[1]) > yellow[2] + 0.3
    brown, orange = (
        _foreground_mean(render_images(c, "circle", 24, seed=0, config=CLEAN)) for c in ("brown", "orange")
    )
    assert orange.sum() > brown.sum() + 0.3


def test_shape_area_goes_the_expected_way():
    calm = CLEAN.scaled(0.0)

    def coloured_fraction(shape: str) -> float:
        x = render_images("blue", shape, 8, seed=0, config=calm) / 255.0
        return float((x.max(-1) - x.min(-1) > 0.25).mean())

    circle, square, star, diamond = (coloured_fraction(s) for s in ("circle", "square", "star", "diamond"))
    assert circle > star + 0.05 and square > diamond + 0.05


def test_config_validation_and_scaling():
    with pytest.raises(ValueError):
        RenderConfig(scale=(0.4, 0.2))
    with pytest.raises(ValueError):
        RenderConfig(noise=-0.1)
    with pytest.raises(ValueError):
        RenderConfig(supersample=0)
    half = RenderConfig().scaled(0.5)
    assert half.hue_jitter == RenderConfig().hue_jitter / 2 and half.scale == RenderConfig().scale
    calm = render_images("orange", "triangle", 6, seed=0, config=RenderConfig().scaled(0.0))
    busy = render_images("orange", "triangle", 6, seed=0, config=RenderConfig().scaled(2.0))
    assert not np.array_equal(calm, busy)


def test_render_dataset():
    images, labels, files = render_dataset(2, seed=1)
    assert images.shape == (128, 32, 32, 3) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and np.array_equal(labels, np.repeat(np.arange(64), 2))
    assert files[:3] == ["red_circle/0000.png", "red_circle/0001.png", "red_square/0000.png"]
    assert len(files) == len(set(files)) == 128
    assert np.array_equal(images[2 * 13 : 2 * 14], render_images(*class_parts(class_names()[13]), 2, seed=1))


def test_attributes():
    att, names = class_attributes()
    assert names == list(ATTRIBUTE_NAMES) and len(names) >= 16 and len(set(names)) == len(names)
    assert att.shape == (64, len(names)) and att.dtype == np.float64
    assert np.isfinite(att).all() and att.min() >= 0 and att.max() <= 100
    assert len(np.unique(att.round(6), axis=0)) == 64
    assert (att.std(axis=0) > 0).all()
    col = {n: i for i, n in enumerate(names)}
    ids = {name: i for i, name in enumerate(class_names())}
    assert att[ids["red star"], col["red"]] > att[ids["blue star"], col["red"]]
    assert att[ids["red star"], col["warmth"]] > att[ids["blue star"], col["warmth"]]
    assert att[ids["red circle"], col["compactness"]] > att[ids["red star"], col["compactness"]]
    assert att[ids["red star"], col["concavity"]] > att[ids["red square"], col["concavity"]] == pytest.approx(0, abs=1)
    assert att[ids["red circle"], col["curved_boundary"]] == 100
    assert att[ids["red square"], col["compactness"]] == pytest.approx(100 * np.pi / 4, abs=1.5)
    norm = normalised_attributes(att)
    assert np.allclose(np.linalg.norm(norm, axis=1), 1.0)
    assert np.array_equal(normalised_attributes(np.zeros((2, 3))), np.zeros((2, 3)))


def test_gbu_split():
    split = gbu_split()
    assert set(split) == {"unseen", "train", "val"}
    unseen, train, val = (set(split[k]) for k in ("unseen", "train", "val"))
    assert len(unseen) == 16 and len(val) == 16 and len(train) == 32
    assert not unseen & train and not unseen & val and not train & val
    assert unseen | train | val == set(range(64))
    names = class_names()
    for ids, per_part in ((train, 4), (val, 2), (unseen, 2)):
        parts = [class_parts(names[i]) for i in ids]
        for colour in COLOURS:
            assert sum(c == colour for c, _ in parts) == per_part
        for shape in SHAPES:
            assert sum(s == shape for _, s in parts) == per_part
    assert names.index("red circle") in unseen


def test_sample_grid_figure():
    split = gbu_split()
    fig = sample_grid_figure(split=split)
    axes = fig.axes
    assert len(axes) == 64
    assert axes[split["unseen"][0]].spines["top"].get_edgecolor()[:3] == (1.0, 0.0, 0.0)
    assert not axes[split["train"][0]].spines["top"].get_visible()
    assert fig.legends
