"""Captions of SHAPES images from their rendering parameters (zsl_shapes.captions, render.render_parameters)."""

import hashlib

import numpy as np
import pytest

from zsl_shapes import captions, render


def test_rendering_is_unchanged_by_exposing_its_parameters():
    """The bytes of a small SHAPES render, as measured before render_parameters existed."""
    images, _, _ = render.render_dataset(2)
    digest = hashlib.sha256(images.tobytes()).hexdigest()
    assert digest == "9dc1d5d7516292e67cd6d122ead67385684863fd467f7b1a17f07f662aeae717"


def test_parameters_describe_the_rendered_images():
    """Large shapes cover more pixels of their colour than small ones; light backgrounds are lighter at the corners."""
    n = 60
    images = render.render_images("blue", "square", n, seed=3).astype(float)
    params = render.render_parameters("blue", "square", n, seed=3)
    assert len(params) == n and params == render.render_parameters("blue", "square", n, seed=3)
    blue = ((images[..., 2] - images[..., :2].mean(-1)) > 60).mean(axis=(1, 2))
    radius = np.array([p["radius"] for p in params])
    assert np.corrcoef(radius, blue)[0, 1] > 0.7
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]].mean(axis=(1, 2))
    background = np.array([p["background"] for p in params])
    assert np.corrcoef(background, corners)[0, 1] > 0.7
    assert all(-0.15 < p["x"] < 0.15 and -0.15 < p["y"] < 0.15 and abs(p["rotation"]) <= 20 for p in params)


def test_describe_on_hand_made_parameters():
    params = {"radius": 0.25, "x": -0.1, "y": 0.1, "rotation": 12.0, "background": 0.8, "blobs": 1, "lines": 5}
    words = captions.describe({**params, "blur": 0.7})
    assert words == {
        "size": "small",
        "position": "bottom left",
        "tilt": "tilted left",
        "background": "light",
        "clutter": "one dot and many lines",
        "blur": "blurry",
    }
    centred = captions.describe({**params, "x": 0.0, "y": 0.0, "radius": 0.4, "rotation": -3.0, "blur": 0.1})
    assert (centred["position"], centred["size"], centred["tilt"], centred["blur"]) == (
        "centre",
        "large",
        "upright",
        "sharp",
    )
    assert captions.describe({**params, "x": 0.1, "y": 0.0, "blur": 0})["position"] == "middle right"


def test_image_captions_follow_the_templates_and_the_vocabulary():
    files = [f"red_star/{i:04d}.png" for i in range(8)] + ["green_heart/0003.png"]
    texts = captions.image_captions(files)
    assert texts == captions.image_captions(files)
    params = render.render_parameters("red", "star", 8, seed=0)
    for i in range(8):
        assert texts[i] == captions.caption("red", "star", params[i], captions.CAPTION_TEMPLATES[i % 4])
    assert texts[8].startswith("a ") and "green" in texts[8] and "heart" in texts[8]
    tokens = captions.tokenize(texts)
    assert tokens.shape == (9, captions.MAX_WORDS) and (tokens != 1).all()
    first = [captions.VOCABULARY[t] for t in tokens[0] if t]
    assert " ".join(first) == texts[0].replace(",", " , ").replace("  ", " ")
    with pytest.raises(ValueError, match="SHAPES image name"):
        captions.image_captions(["cat/0001.jpg"])


def test_tokenize_pads_marks_unknown_words_and_refuses_long_texts():
    tokens = captions.tokenize(["A Photo of a zebra"], length=6)
    index = captions.VOCABULARY.index
    assert tokens.tolist() == [[index("a"), index("photo"), index("of"), index("a"), 1, 0]]
    with pytest.raises(ValueError, match="at most 3"):
        captions.tokenize(["a red circle please"], length=3)


def test_every_prompt_fits_and_uses_known_words():
    for template in captions.PROMPT_TEMPLATES:
        tokens = captions.tokenize([template.format(colour="brown", shape="diamond")])
        assert (tokens != 1).all()


def test_the_text_towers_token_table_fits_the_caption_vocabulary():
    from zsl_utils import clip

    assert clip.VOCABULARY_SIZE == len(captions.VOCABULARY) and clip.MAX_WORDS == captions.MAX_WORDS
    assert max(max(captions.tokenize(list(captions.PROMPT_TEMPLATES)).ravel()), 0) < clip.VOCABULARY_SIZE
