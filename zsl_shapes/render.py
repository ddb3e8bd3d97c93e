"""SHAPES: an offline zero-shot benchmark of rendered colour x shape classes, with class semantics and a GBU split.

Every image is drawn here, deterministically, with NumPy alone: a shape's signed distance function is evaluated on a
supersampled pixel grid (anti-aliasing), then composited over a textured gray background with clutter, blurred and
made noisy. The 64 classes are "colour shape" pairs; the class attributes are derived from the same definitions the
renderer draws (base colours, shape geometry) or measured on a rendered canonical mask.
"""

from __future__ import annotations

import colorsys
import dataclasses
import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy.spatial import ConvexHull

__all__ = [
    "COLOURS",
    "SHAPES",
    "ATTRIBUTE_NAMES",
    "RenderConfig",
    "class_names",
    "class_parts",
    "render_images",
    "render_parameters",
    "render_dataset",
    "class_attributes",
    "normalised_attributes",
    "gbu_split",
    "sample_grid_figure",
]

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (215, 35, 35),
    "orange": (245, 135, 25),
    "yellow": (240, 215, 40),
    "green": (45, 165, 55),
    "blue": (35, 85, 220),
    "purple": (130, 50, 185),
    "pink": (245, 125, 185),
    "brown": (125, 75, 35),
}
"""Colour word -> base RGB (0..255); the renderer jitters hue, saturation and brightness around it."""

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "hexagon", "cross", "heart", "diamond")
"""Shape words, in class order; each is drawn upright (up to the rotation jitter) from its signed distance."""

ATTRIBUTE_NAMES: tuple[str, ...] = (
    "red",
    "green",
    "blue",
    "hue_cos",
    "hue_sin",
    "brightness",
    "saturation",
    "warmth",
    "corners",
    "reflex_corners",
    "pointiness",
    "curved_boundary",
    "symmetry",
    "width_ratio",
    "area_fraction",
    "compactness",
    "concavity",
    "top_heaviness",
    "radius_variation",
)
"""The k = 19 class attributes, all on a 0..100 scale (like xlsa17's ``original_att``).

Colour, from the base RGB: ``red``, ``green``, ``blue`` (channel / 255); ``hue_cos``, ``hue_sin`` (50 (1 + cos h),
50 (1 + sin h) of the HSV hue h); ``brightness`` (Rec. 709 luma); ``saturation`` (HSV saturation); ``warmth``
(50 + 50 S cos(h - 30 deg): orange warmest, blue coolest, grays neutral).
Shape, from the definitions: ``corners`` (corners / 12); ``reflex_corners`` (inward corners / 12); ``pointiness``
(1 - sharpest convex corner angle / 180 deg, 0 without corners); ``curved_boundary`` (share of the outline that is
curved); ``symmetry`` (rotational symmetry order / 12, 100 for the circle's continuous symmetry).
Shape, measured on the canonical mask: ``width_ratio`` (width / (width + height) of the bounding box);
``area_fraction`` (area / bounding-box area); ``compactness`` (4 pi area / perimeter^2); ``concavity``
(1 - area / convex-hull area); ``top_heaviness`` (50 + 100 (centroid height - box centre) / box height);
``radius_variation`` ((max - min) / max distance of the outline from the centroid).
"""

_NUM = len(SHAPES)
_CHUNK = 128


@dataclass(frozen=True)
class RenderConfig:
    """Nuisance strengths of the renderer; lengths are fractions of the image size unless said otherwise.

    Attributes:
        scale: range of the shape's circumradius.
        shift: largest offset of the shape's centre from the image centre, per axis.
        rotation: largest rotation, in degrees, either way.
        aspect_jitter: standard deviation of the log ratio of horizontal to vertical stretch.
        hue_jitter: standard deviation of the hue, in degrees.
        saturation_jitter: standard deviation of the log saturation factor.
        brightness_jitter: standard deviation of the log brightness (HSV value) factor.
        shading: largest brightness change across the shape's radius from a linear light gradient.
        background: range of the background gray level (0..1).
        background_tint: standard deviation of a per-channel background offset.
        texture: amplitude of the background's random low-frequency waves.
        noise: standard deviation of per-pixel Gaussian noise (0..1 intensities).
        blobs: mean number (Poisson) of small distractor discs of random colours.
        lines: mean number (Poisson) of short distractor strokes of random colours.
        front: probability that a distractor is drawn over the shape instead of behind it.
        blur: range of the Gaussian blur's sigma, in pixels at size 32 (scaled with the size).
        supersample: sub-samples per pixel along each axis for anti-aliasing the shape.
    """

    scale: tuple[float, float] = (0.24, 0.42)
    shift: float = 0.14
    rotation: float = 20.0
    aspect_jitter: float = 0.1
    hue_jitter: float = 6.0
    saturation_jitter: float = 0.12
    brightness_jitter: float = 0.12
    shading: float = 0.25
    background: tuple[float, float] = (0.15, 0.85)
    background_tint: float = 0.03
    texture: float = 0.06
    noise: float = 0.03
    blobs: float = 2.0
    lines: float = 1.0
    front: float = 0.25
    blur: tuple[float, float] = (0.0, 0.8)
    supersample: int = 2

    def __post_init__(self) -> None:
        if not 0.0 < self.scale[0] <= self.scale[1] <= 0.5:
            raise ValueError(f"scale must satisfy 0 < low <= high <= 0.5, got {self.scale}")
        if not 0.0 <= self.background[0] <= self.background[1] <= 1.0:
            raise ValueError(f"background must satisfy 0 <= low <= high <= 1, got {self.background}")
        if not 0.0 <= self.blur[0] <= self.blur[1]:
            raise ValueError(f"blur must satisfy 0 <= low <= high, got {self.blur}")
        if not 0.0 <= self.front <= 1.0:
            raise ValueError(f"front is a probability, got {self.front}")
        if self.supersample < 1:
            raise ValueError(f"supersample must be >= 1, got {self.supersample}")
        strengths = (
            "shift",
            "rotation",
            "aspect_jitter",
            "hue_jitter",
            "saturation_jitter",
            "brightness_jitter",
            "shading",
            "background_tint",
            "texture",
            "noise",
            "blobs",
            "lines",
        )
        negative = [name for name in strengths if getattr(self, name) < 0]
        if negative:
            raise ValueError(f"nuisance strengths must be >= 0: {', '.join(negative)}")

    def scaled(self, factor: float) -> RenderConfig:
        """A copy with every jitter, clutter, noise and blur strength times ``factor`` (one knob for difficulty).

        The scale range, background range, ``front`` and ``supersample`` are kept; rotation is capped at 180.
        """
        if factor < 0:
            raise ValueError(f"factor must be >= 0, got {factor}")
        return dataclasses.replace(
            self,
            shift=self.shift * factor,
            rotation=min(self.rotation * factor, 180.0),
            aspect_jitter=self.aspect_jitter * factor,
            hue_jitter=self.hue_jitter * factor,
            saturation_jitter=self.saturation_jitter * factor,
            brightness_jitter=self.brightness_jitter * factor,
            shading=self.shading * factor,
            background_tint=self.background_tint * factor,
            texture=self.texture * factor,
            noise=self.noise * factor,
            blobs=self.blobs * factor,
            lines=self.lines * factor,
            blur=(self.blur[0] * factor, self.blur[1] * factor),
        )


# ---------------------------------------------------------------------------------------------------------------
# Shape geometry: signed distances in canonical units (y up, circumradius about 1), negative inside.

_SDF = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _Shape:
    sdf: _SDF
    corners: int
    reflex_corners: int
    sharpest_angle: float
    curved_fraction: float
    symmetry: int


def _polygon_sdf(vertices: np.ndarray) -> _SDF:
    """Exact signed distance to a simple polygon: nearest edge distance, sign from the even-odd crossing rule."""
    edges = [
        (float(ax), float(ay), float(bx), float(by))
        for (ax, ay), (bx, by) in zip(vertices, np.roll(vertices, 1, axis=0))
    ]

    def sdf(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        d2 = np.full(np.broadcast_shapes(x.shape, y.shape), np.inf, dtype=np.result_type(x, y))
        inside = np.zeros(d2.shape, dtype=bool)
        for ax, ay, bx, by in edges:
            ex, ey = bx - ax, by - ay
            wx, wy = x - ax, y - ay
            t = np.clip((wx * ex + wy * ey) * (1.0 / (ex * ex + ey * ey)), 0.0, 1.0)
            np.minimum(d2, (wx - ex * t) ** 2 + (wy - ey * t) ** 2, out=d2)
            if ey != 0.0:
                inside ^= ((y < ay) != (y < by)) & (wx * ey < wy * ex if ey > 0 else wx * ey > wy * ex)
        return np.where(inside, -np.sqrt(d2), np.sqrt(d2))

    return sdf


def _polygon(vertices: np.ndarray) -> _Shape:
    """A polygon (counter-clockwise vertices) with its corner counts, sharpest corner and symmetry order."""
    prev, nxt = np.roll(vertices, 1, axis=0) - vertices, np.roll(vertices, -1, axis=0) - vertices
    cos = np.sum(prev * nxt, axis=1) / np.linalg.norm(prev, axis=1) / np.linalg.norm(nxt, axis=1)
    angle = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    convex = (nxt[:, 0] * prev[:, 1] - nxt[:, 1] * prev[:, 0]) > 0
    symmetry = 1
    for order in range(len(vertices), 1, -1):
        turn = 2 * np.pi / order
        rotated = vertices @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
        if np.abs(rotated[:, None, :] - vertices[None, :, :]).sum(-1).min(1).max() < 1e-9:
            symmetry = order
            break
    return _Shape(
        _polygon_sdf(vertices), len(vertices), int((~convex).sum()), float(angle[convex].min()), 0.0, symmetry
    )


def _regular(n: int, radius: float | list[float], phase_deg: float) -> np.ndarray:
    angles = np.radians(phase_deg) + 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(angles), np.sin(angles)], axis=1) * np.asarray(radius, dtype=np.float64)[..., None]


def _circle_sdf(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sqrt(x * x + y * y) - 0.9


# The heart of I. Quilez: tip at the origin, straight sides along |x| = y up to (0.5, 0.5), lobes of radius
# sqrt(2)/4 centred at (+-0.25, 0.75) meeting in a cusp at (0, 1); scaled and centred on its enclosing circle.
_HEART_R = math.sqrt(2) / 4
_HEART_CENTRE = 0.63
_HEART_SCALE = 1.55


def _heart_sdf(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    px = np.abs(x) * (1.0 / _HEART_SCALE)
    py = y * (1.0 / _HEART_SCALE) + _HEART_CENTRE
    lobe = np.sqrt((px - 0.25) ** 2 + (py - 0.75) ** 2) - _HEART_R
    t = 0.5 * np.maximum(px + py, 0.0)
    side = np.sqrt(np.minimum(px * px + (py - 1.0) ** 2, (px - t) ** 2 + (py - t) ** 2)) * np.sign(px - py)
    return np.where(px + py > 1.0, lobe, side) * _HEART_SCALE


def _shapes() -> dict[str, _Shape]:
    arc, straight = math.pi * _HEART_R, math.hypot(0.5, 0.5)
    arm, half = 0.95, 0.32
    cross = np.array(
        [
            (arm, -half),
            (arm, half),
            (half, half),
            (half, arm),
            (-half, arm),
            (-half, half),
            (-arm, half),
            (-arm, -half),
            (-half, -half),
            (-half, -arm),
            (half, -arm),
            (half, -half),
        ]
    )
    return {
        "circle": _Shape(_circle_sdf, 0, 0, 180.0, 1.0, 0),
        "square": _polygon(_regular(4, 0.99, 45.0)),
        "triangle": _polygon(_regular(3, 1.0, 90.0)),
        "star": _polygon(_regular(10, [1.0, 0.42] * 5, 90.0)),
        "hexagon": _polygon(_regular(6, 1.0, 0.0)),
        "cross": _polygon(cross),
        "heart": _Shape(_heart_sdf, 2, 1, 90.0, arc / (arc + straight), 1),
        "diamond": _polygon(np.array([(0.0, -1.0), (0.6, 0.0), (0.0, 1.0), (-0.6, 0.0)])),
    }


_SHAPE_DEFS = _shapes()


# ---------------------------------------------------------------------------------------------------------------
# Classes


def class_names() -> list[str]:
    """The 64 class names, colour-major: "red circle", "red square", ..., "brown diamond"."""
    return [f"{colour} {shape}" for colour in COLOURS for shape in SHAPES]


def class_parts(name: str) -> tuple[str, str]:
    """The (colour, shape) of a class name such as "purple hexagon"."""
    parts = name.split(" ")
    if len(parts) != 2 or parts[0] not in COLOURS or parts[1] not in SHAPES:
        raise ValueError(
            f"{name!r} is not a SHAPES class: expected '<colour> <shape>' with a colour in "
            f"{list(COLOURS)} and a shape in {list(SHAPES)}"
        )
    return parts[0], parts[1]


def _class_key(colour: str, shape: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{colour} {shape}".encode()).digest()[:8], "little")


# ---------------------------------------------------------------------------------------------------------------
# Rendering


@dataclass(frozen=True)
class _Params:
    """One image's random draws: shape pose and colour, background, clutter capsules, blur and noise."""

    pose: np.ndarray  # cx, cy, radius, cos, sin, stretch_x, stretch_y (pixels, y down)
    colour: np.ndarray  # jittered RGB 0..1
    shade: np.ndarray  # gradient x, y per pixel
    background: np.ndarray  # RGB 0..1
    waves: np.ndarray  # (3, 3): kx, ky (radians per pixel), phase
    capsules: np.ndarray  # (m, 9): ax, ay, bx, by, radius, R, G, B, front
    blur: float
    noise: np.ndarray  # (size, size, 3)


def _draw(rng: np.random.Generator, hsv: tuple[float, float, float], size: int, cfg: RenderConfig) -> _Params:
    u = rng.random(9)
    z = rng.standard_normal(7)
    radius = size * (cfg.scale[0] + (cfg.scale[1] - cfg.scale[0]) * u[0])
    centre = np.clip(size / 2 + cfg.shift * size * (2 * u[1:3] - 1), radius, size - radius)
    theta = math.radians(cfg.rotation) * (2 * u[3] - 1)
    stretch = math.exp(0.5 * cfg.aspect_jitter * z[0])
    pose = np.array([centre[0], centre[1], radius, math.cos(theta), math.sin(theta), stretch, 1 / stretch])

    hue = (hsv[0] + cfg.hue_jitter / 360 * z[1]) % 1.0
    sat = min(hsv[1] * math.exp(cfg.saturation_jitter * z[2]), 1.0)
    val = min(hsv[2] * math.exp(cfg.brightness_jitter * z[3]), 1.0)
    light = 2 * math.pi * u[4]
    shade = cfg.shading * u[5] / radius * np.array([math.cos(light), math.sin(light)])

    gray = cfg.background[0] + (cfg.background[1] - cfg.background[0]) * u[6]
    background = gray + cfg.background_tint * z[4:7]
    w = rng.random((3, 3))
    k = 2 * np.pi * (1 + 3 * w[:, 0]) / size
    waves = np.stack([k * np.cos(2 * np.pi * w[:, 1]), k * np.sin(2 * np.pi * w[:, 1]), 2 * np.pi * w[:, 2]], 1)

    n_blobs, n_lines = rng.poisson([cfg.blobs, cfg.lines])
    d = rng.random((n_blobs + n_lines, 9))
    unit = size / 32
    a = d[:, :2] * size
    length = np.where(np.arange(len(d)) < n_blobs, 0.0, unit * (3 + 7 * d[:, 2]))
    b = a + length[:, None] * np.stack([np.cos(2 * np.pi * d[:, 3]), np.sin(2 * np.pi * d[:, 3])], 1)
    cap_radius = np.where(length > 0, unit * (0.35 + 0.35 * d[:, 4]), unit * (0.8 + 1.4 * d[:, 4]))
    cap_rgb = [colorsys.hsv_to_rgb(h, 0.2 + 0.8 * s, 0.25 + 0.75 * v) for h, s, v in d[:, 5:8]]
    capsules = np.column_stack([a, b, cap_radius, np.reshape(cap_rgb, (-1, 3)), d[:, 8] < cfg.front])

    sigma = unit * (cfg.blur[0] + (cfg.blur[1] - cfg.blur[0]) * rng.random())
    noise = cfg.noise * rng.standard_normal((size, size, 3), dtype=np.float32)
    return _Params(pose, np.array(colorsys.hsv_to_rgb(hue, sat, val)), shade, background, waves, capsules, sigma, noise)


def _composite(img: np.ndarray, alpha: np.ndarray, colour: np.ndarray) -> None:
    img += alpha[..., None] * (colour - img)


def _draw_capsules(img: np.ndarray, caps: np.ndarray, grid: np.ndarray, front: bool) -> None:
    """Anti-aliased capsules (discs when both ends coincide) at pixel resolution; padded slots have radius < 0."""
    x, y = grid[None, None, :], grid[None, :, None]
    for j in range(caps.shape[1]):
        idx = np.flatnonzero((caps[:, j, 4] > 0) & ((caps[:, j, 8] > 0.5) == front))
        if len(idx) == 0:
            continue
        c = caps[idx, j]
        ax, ay, bx, by, r = (c[:, i, None, None] for i in range(5))
        ex, ey = bx - ax, by - ay
        wx, wy = x - ax, y - ay
        t = np.clip((wx * ex + wy * ey) / np.maximum(ex * ex + ey * ey, 1e-6), 0.0, 1.0)
        alpha = np.clip(0.5 + r - np.sqrt((wx - ex * t) ** 2 + (wy - ey * t) ** 2), 0.0, 1.0)
        part = img[idx]
        _composite(part, alpha, c[:, None, None, 5:8])
        img[idx] = part


def _blur(img: np.ndarray, sigma: np.ndarray, radius: int) -> np.ndarray:
    """Separable Gaussian blur with one sigma per image; a fixed kernel radius keeps results batch-independent."""
    if radius == 0:
        return img
    taps = np.arange(-radius, radius + 1, dtype=np.float32)
    w = np.exp(-0.5 * (taps / np.maximum(sigma, 1e-3)[:, None]) ** 2)
    w /= w.sum(axis=1, keepdims=True)
    w = w[:, :, None, None, None]
    size = img.shape[1]
    pad = np.pad(img, ((0, 0), (radius, radius), (0, 0), (0, 0)), mode="edge")
    img = sum(w[:, k] * pad[:, k : k + size] for k in range(2 * radius + 1))
    pad = np.pad(img, ((0, 0), (0, 0), (radius, radius), (0, 0)), mode="edge")
    return sum(w[:, k] * pad[:, :, k : k + size] for k in range(2 * radius + 1))


def _render_batch(params: list[_Params], sdf: _SDF, size: int, cfg: RenderConfig) -> np.ndarray:
    f32 = np.float32
    n, ss = len(params), cfg.supersample
    grid = np.arange(size, dtype=f32) + 0.5
    x, y = grid[None, None, :], grid[None, :, None]

    waves = np.stack([p.waves for p in params]).astype(f32)
    texture = sum(
        np.cos(waves[:, i, 0, None, None] * x + waves[:, i, 1, None, None] * y + waves[:, i, 2, None, None])
        for i in range(3)
    )
    img = (
        np.stack([p.background for p in params]).astype(f32)[:, None, None, :]
        + (cfg.texture / math.sqrt(3)) * texture[..., None]
    )

    m = max(len(p.capsules) for p in params)
    caps = np.full((n, m, 9), -1.0, dtype=f32)
    for i, p in enumerate(params):
        caps[i, : len(p.capsules)] = p.capsules
    _draw_capsules(img, caps, grid, front=False)

    pose = np.stack([p.pose for p in params]).astype(f32)
    cx, cy, r, cos, sin, sx, sy = (pose[:, i, None, None] for i in range(7))
    sub = (np.arange(size * ss, dtype=f32) + 0.5) / ss
    dx, dy = sub[None, None, :] - cx, cy - sub[None, :, None]
    qx = (cos * dx + sin * dy) / (r * sx)
    qy = (cos * dy - sin * dx) / (r * sy)
    coverage = np.clip(0.5 - sdf(qx, qy) * (r * ss), 0.0, 1.0)
    alpha = coverage.reshape(n, size, ss, size, ss).mean(axis=(2, 4))
    shade = np.stack([p.shade for p in params]).astype(f32)
    light = 1 + shade[:, 0, None, None] * (x - cx) + shade[:, 1, None, None] * (y - cy)
    colour = np.stack([p.colour for p in params]).astype(f32)[:, None, None, :] * light[..., None]
    _composite(img, alpha, colour)

    _draw_capsules(img, caps, grid, front=True)
    img = _blur(img, np.array([p.blur for p in params], dtype=f32), math.ceil(3 * cfg.blur[1] * size / 32))
    img += np.stack([p.noise for p in params])
    return (np.clip(img, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def render_images(
    colour: str, shape: str, n: int, seed: int, size: int = 32, config: RenderConfig = RenderConfig()
) -> np.ndarray:
    """``n`` images of the class "colour shape" as (n, size, size, 3) uint8 RGB.

    Deterministic: image i depends only on (colour, shape, seed, i, size, config), so the first k of n images are
    the k images of a call with n = k.
    """
    draw = _drawer(colour, shape, n, seed, size, config)
    out = np.empty((n, size, size, 3), dtype=np.uint8)
    for start in range(0, n, _CHUNK):
        params = [draw(i) for i in range(start, min(start + _CHUNK, n))]
        out[start : start + len(params)] = _render_batch(params, _SHAPE_DEFS[shape].sdf, size, config)
    return out


def _drawer(colour: str, shape: str, n: int, seed: int, size: int, config: RenderConfig) -> Callable[[int], _Params]:
    """Image i's random draws of class "colour shape": the one place both rendering and its parameters read."""
    class_parts(f"{colour} {shape}")
    if n < 0 or seed < 0 or size < 8:
        raise ValueError(f"need n >= 0, seed >= 0 and size >= 8, got n={n}, seed={seed}, size={size}")
    hsv = colorsys.rgb_to_hsv(*(v / 255 for v in COLOURS[colour]))
    key = _class_key(colour, shape)
    return lambda i: _draw(np.random.default_rng([key, seed, i]), hsv, size, config)


def render_parameters(
    colour: str, shape: str, n: int, seed: int, size: int = 32, config: RenderConfig = RenderConfig()
) -> list[dict[str, float]]:
    """What the renderer draws in each of the ``n`` images that ``render_images`` returns for the same arguments.

    Per image: ``radius`` (fraction of the image size), ``x`` and ``y`` (the shape's centre minus the image centre,
    fractions of the size, y pointing down), ``rotation`` (degrees, counter-clockwise), ``brightness`` (HSV value
    of the shape's colour), ``background`` (mean gray level 0..1), ``blobs`` and ``lines`` (distractor counts) and
    ``blur`` (sigma in pixels at size 32). The same random draws as the images: rendering is unchanged.
    """
    draw = _drawer(colour, shape, n, seed, size, config)
    rows = []
    for i in range(n):
        p = draw(i)
        is_line = np.hypot(*(p.capsules[:, 2:4] - p.capsules[:, 0:2]).T) > 0
        rows.append(
            {
                "radius": float(p.pose[2] / size),
                "x": float(p.pose[0] / size - 0.5),
                "y": float(p.pose[1] / size - 0.5),
                "rotation": math.degrees(math.atan2(p.pose[4], p.pose[3])),
                "brightness": float(max(p.colour)),
                "background": float(np.mean(p.background)),
                "blobs": int((~is_line).sum()),
                "lines": int(is_line.sum()),
                "blur": float(p.blur * 32 / size),
            }
        )
    return rows


def render_dataset(
    images_per_class: int, seed: int = 0, size: int = 32, config: RenderConfig = RenderConfig(), progress: bool = False
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """All 64 classes: images (N, size, size, 3) uint8, 0-based int64 labels in ``class_names()`` order, and
    image names such as "red_circle/0007.png" (no file is written)."""
    names = class_names()
    if progress:
        from tqdm.auto import tqdm

        names = tqdm(names, desc="rendering SHAPES", unit="class")
    images = np.empty((_NUM * len(COLOURS) * images_per_class, size, size, 3), dtype=np.uint8)
    files: list[str] = []
    for label, name in enumerate(names):
        colour, shape = class_parts(name)
        images[label * images_per_class : (label + 1) * images_per_class] = render_images(
            colour, shape, images_per_class, seed, size, config
        )
        files += [f"{colour}_{shape}/{i:04d}.png" for i in range(images_per_class)]
    labels = np.repeat(np.arange(len(COLOURS) * _NUM, dtype=np.int64), images_per_class)
    return images, labels, files


# ---------------------------------------------------------------------------------------------------------------
# Semantics


def _colour_attributes(rgb: tuple[int, int, int]) -> list[float]:
    r, g, b = (v / 255 for v in rgb)
    hue, sat, _ = colorsys.rgb_to_hsv(r, g, b)
    h = 2 * math.pi * hue
    return [
        100 * r,
        100 * g,
        100 * b,
        50 * (1 + math.cos(h)),
        50 * (1 + math.sin(h)),
        100 * (0.2126 * r + 0.7152 * g + 0.0722 * b),
        100 * sat,
        50 + 50 * sat * math.cos(h - math.radians(30)),
    ]


@functools.cache
def _shape_attributes(shape: str, resolution: int = 512) -> tuple[float, ...]:
    spec = _SHAPE_DEFS[shape]
    step = 2.3 / resolution
    axis = (np.arange(resolution) + 0.5) * step - 1.15
    x, y = np.meshgrid(axis, axis)
    d = spec.sdf(x, y)
    inside = d < 0
    area = inside.sum() * step**2
    perimeter = (np.abs(d) < 2 * step).sum() * step**2 / (4 * step)
    xs, ys = x[inside], y[inside]
    width, height = np.ptp(xs) + step, np.ptp(ys) + step
    hull = ConvexHull(np.column_stack([xs, ys])).volume
    band = np.abs(d) < step
    radii = np.hypot(x[band] - xs.mean(), y[band] - ys.mean())
    symmetry = 12 if spec.symmetry == 0 else min(spec.symmetry, 12)
    return (
        100 * spec.corners / 12,
        100 * spec.reflex_corners / 12,
        100 * (1 - spec.sharpest_angle / 180),
        100 * spec.curved_fraction,
        100 * symmetry / 12,
        100 * width / (width + height),
        100 * area / (width * height),
        100 * min(4 * math.pi * area / perimeter**2, 1.0),
        100 * max(1 - area / hull, 0.0),
        50 + 100 * (ys.mean() - (ys.min() + ys.max()) / 2) / height,
        100 * (radii.max() - radii.min()) / radii.max(),
    )


def class_attributes() -> tuple[np.ndarray, list[str]]:
    """Class semantics (64, 19) float64 on a 0..100 scale, rows in ``class_names()`` order, and the attribute names
    (see ``ATTRIBUTE_NAMES`` for each one's definition)."""
    rows = [
        _colour_attributes(COLOURS[colour]) + list(_shape_attributes(shape)) for colour in COLOURS for shape in SHAPES
    ]
    return np.array(rows, dtype=np.float64), list(ATTRIBUTE_NAMES)


def normalised_attributes(original: np.ndarray) -> np.ndarray:
    """Each class's attribute row scaled to unit L2 norm (like xlsa17's ``att``); all-zero rows stay zero."""
    original = np.asarray(original, dtype=np.float64)
    norms = np.linalg.norm(original, axis=1, keepdims=True)
    return original / np.where(norms > 0, norms, 1.0)


# ---------------------------------------------------------------------------------------------------------------
# Split and figure


def gbu_split() -> dict[str, list[int]]:
    """Class ids of the proposed split by diagonals of the colour x shape table, offset o = (shape - colour) mod 8.

    "unseen": o in {0, 4} (16 classes); "val": o in {2, 6} (16); "train": odd o (32). Seen = train + val. Every
    colour and every shape occurs in 2 unseen, 2 val and 4 train classes, so each unseen class combines a colour
    and a shape that both were seen in training.
    """
    split: dict[str, list[int]] = {"unseen": [], "train": [], "val": []}
    for c in range(len(COLOURS)):
        for s in range(_NUM):
            offset = (s - c) % _NUM
            key = "unseen" if offset in (0, 4) else "val" if offset in (2, 6) else "train"
            split[key].append(c * _NUM + s)
    return split


def sample_grid_figure(
    images_per_class: int = 1,
    seed: int = 0,
    split: dict[str, list[int]] | None = None,
    size: int = 32,
    config: RenderConfig = RenderConfig(),
) -> Figure:
    """An 8 x 8 grid (rows colours, columns shapes) of sample images per class; unseen classes get a red frame,
    val classes a dashed blue one."""
    split = gbu_split() if split is None else split
    unseen, val = set(split.get("unseen", [])), set(split.get("val", []))
    per_image = 1.1 / max(1, images_per_class) ** 0.5
    fig = Figure(figsize=(per_image * _NUM * max(1, images_per_class) + 1, per_image * len(COLOURS) + 1.2))
    axes = fig.subplots(len(COLOURS), _NUM)
    for c, colour in enumerate(COLOURS):
        for s, shape in enumerate(SHAPES):
            ax = axes[c, s]
            ax.imshow(
                np.concatenate(list(render_images(colour, shape, images_per_class, seed, size, config)), 1),
                interpolation="nearest",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            cid = c * _NUM + s
            for spine in ax.spines.values():
                if cid in unseen:
                    spine.set(color="red", linewidth=3)
                elif cid in val:
                    spine.set(color="tab:blue", linewidth=2.5, linestyle="--")
                else:
                    spine.set_visible(False)
            if c == 0:
                ax.set_title(shape, fontsize=9)
            if s == 0:
                ax.set_ylabel(colour, fontsize=9)
    fig.legend(
        handles=[
            Patch(facecolor="none", edgecolor="red", linewidth=3, label="unseen"),
            Patch(facecolor="none", edgecolor="tab:blue", linewidth=2.5, linestyle="--", label="val"),
            Patch(facecolor="none", edgecolor="none", label="train (no frame)"),
        ],
        loc="lower center",
        ncol=3,
        frameon=False,
    )
    fig.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.07, wspace=0.1, hspace=0.1)
    return fig
