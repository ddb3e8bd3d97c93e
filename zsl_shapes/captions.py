"""Captions of SHAPES images, written from each image's own rendering parameters, and their word tokens.

A caption says what the renderer drew: colour and shape, and the nuisances (size, position, tilt, background,
clutter, blur), in one of a few sentence templates ("a small red circle at the top left"). Captions are regenerated
from ``render.render_parameters`` (a few seconds for all 7,680 images), never stored: the same random draws as the
images, so they always describe the committed build. They live here, beside the renderer, and ship in the wheel.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import numpy as np
import torch

from zsl_utils.clip import MAX_WORDS, VOCABULARY_SIZE
from zsl_utils.dataset import ZSLDataset

from . import render

__all__ = [
    "CAPTION_TEMPLATES",
    "PROMPT_TEMPLATES",
    "VOCABULARY",
    "MAX_WORDS",
    "describe",
    "caption",
    "image_captions",
    "tokenize",
    "prompt_tokens",
    "captioned",
]

CAPTION_TEMPLATES: tuple[str, ...] = (
    "a {size} {colour} {shape} at the {position}",
    "a {colour} {shape} , {tilt} , on a {background} background",
    "a {blur} photo of a {colour} {shape} with {clutter}",
    "a {size} {shape} in {colour} , {tilt} , at the {position}",
)
"""The sentence templates of the training captions; image i of a class uses template i mod 4."""

PROMPT_TEMPLATES: tuple[str, ...] = (
    "a photo of a {colour} {shape}",
    "a {colour} {shape}",
    "a {shape} in {colour}",
    "a medium {colour} {shape} at the centre",
    "a {colour} {shape} , upright , on a gray background",
)
"""Zero-shot prompt templates: a class is named by filling in its colour and shape (no nuisance word is known)."""

_WORDS = (
    "a an the of in on at with and , photo background",
    "small medium large top bottom left right centre middle upright tilted",
    "dark gray light blurry sharp no one two three four many dot dots line lines",
)
VOCABULARY: tuple[str, ...] = ("<pad>", "<unk>", *" ".join(_WORDS).split(), *render.COLOURS, *render.SHAPES)
"""Token ids: 0 pads, 1 is any word outside the vocabulary, then the template words, colours and shapes."""

if len(VOCABULARY) != VOCABULARY_SIZE:  # the text tower's token table must fit the vocabulary exactly
    raise ImportError(
        f"zsl_utils.clip.VOCABULARY_SIZE is {VOCABULARY_SIZE}; the caption vocabulary has {len(VOCABULARY)}"
    )

_NUMBERS = ("no", "one", "two", "three", "four")


def describe(params: dict[str, float]) -> dict[str, str]:
    """The words for one image's rendering parameters (``render.render_parameters``): size, position, tilt,
    background, clutter and blur."""
    size = "small" if params["radius"] < 0.3 else "large" if params["radius"] > 0.36 else "medium"
    across = "left" if params["x"] < -0.05 else "right" if params["x"] > 0.05 else ""
    down = "top" if params["y"] < -0.05 else "bottom" if params["y"] > 0.05 else ""
    position = f"{down} {across}".strip() or "centre"
    if position in ("left", "right"):
        position = f"middle {position}"
    tilt = "upright" if abs(params["rotation"]) < 7 else "tilted " + ("left" if params["rotation"] > 0 else "right")
    background = "dark" if params["background"] < 0.4 else "light" if params["background"] > 0.6 else "gray"

    def count(n: int, word: str) -> str:
        return f"{_NUMBERS[n] if n < len(_NUMBERS) else 'many'} {word if n == 1 else word + 's'}"

    clutter = f"{count(int(params['blobs']), 'dot')} and {count(int(params['lines']), 'line')}"
    blur = "blurry" if params["blur"] > 0.5 else "sharp"
    return {
        "size": size,
        "position": position,
        "tilt": tilt,
        "background": background,
        "clutter": clutter,
        "blur": blur,
    }


def caption(colour: str, shape: str, params: dict[str, float], template: str) -> str:
    """One caption: ``template`` filled with the class's words and the image's (:func:`describe`)."""
    return template.format(colour=colour, shape=shape, **describe(params))


def image_captions(image_files: Sequence[str], seed: int = 0, size: int = 32, nuisance: float = 1.0) -> list[str]:
    """The caption of each named SHAPES image ("red_circle/0007.png": class red circle, image 7), from the
    parameters the build drew for it (``seed``, ``size`` and ``nuisance`` as in ``build.BuildConfig``). Only the
    images named are described: pass the training images alone and no other caption is ever written."""
    config = render.RenderConfig().scaled(nuisance)
    wanted: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for position, name in enumerate(image_files):
        match = re.fullmatch(r"(\w+)_(\w+)/(\d+)\.png", name)
        if match is None:
            raise ValueError(f"{name!r} is not a SHAPES image name such as 'red_circle/0007.png'")
        wanted.setdefault((match[1], match[2]), []).append((position, int(match[3])))
    out = [""] * len(image_files)
    for (colour, shape), items in wanted.items():
        params = render.render_parameters(colour, shape, max(i for _, i in items) + 1, seed, size, config)
        for position, i in items:
            out[position] = caption(colour, shape, params[i], CAPTION_TEMPLATES[i % len(CAPTION_TEMPLATES)])
    return out


def tokenize(texts: Sequence[str], length: int = MAX_WORDS) -> np.ndarray:
    """Token ids (n, length) int64 of lower-cased, space-separated words (commas are words), padded with 0;
    a word outside :data:`VOCABULARY` is 1 (``<unk>``); a text longer than ``length`` words is an error."""
    index = {word: i for i, word in enumerate(VOCABULARY)}
    out = np.zeros((len(texts), length), dtype=np.int64)
    for row, text in enumerate(texts):
        words = text.lower().replace(",", " , ").split()
        if len(words) > length:
            raise ValueError(f"{text!r} has {len(words)} words; at most {length} fit")
        out[row, : len(words)] = [index.get(word, 1) for word in words]
    return out


def prompt_tokens(class_names: Sequence[str], templates: Sequence[str] = PROMPT_TEMPLATES) -> torch.Tensor:
    """Each class's prompts, one per template, as float token ids (C, T * MAX_WORDS): a class's semantics."""
    texts = [t.format(colour=name.split()[0], shape=name.split()[1]) for name in class_names for t in templates]
    return torch.from_numpy(tokenize(texts)).float().reshape(len(class_names), -1)


def captioned(dataset: ZSLDataset, templates: Sequence[str] = PROMPT_TEMPLATES) -> ZSLDataset:
    """SHAPES with each trainval image's caption tokens beside its features (N, d_v + MAX_WORDS), 0 for the test
    images, whose captions are never written, and ``"prompts"`` (``templates``) as its only class semantics."""
    if dataset.image_files is None or dataset.name != "SHAPES":
        raise ValueError(f"captions exist for SHAPES only (rendered images), not for {dataset.name}")
    tokens = torch.zeros(len(dataset.labels), MAX_WORDS)
    index = dataset.trainval.cpu()
    texts = image_captions([dataset.image_files[i] for i in index.tolist()])
    tokens[index] = torch.from_numpy(tokenize(texts)).float()
    features = torch.cat([dataset.features, tokens.to(dataset.device)], dim=1)
    prompts = prompt_tokens(dataset.class_names, templates).to(dataset.device)
    return dataclasses.replace(dataset, features=features, semantics={"prompts": prompts}, regions=None)
