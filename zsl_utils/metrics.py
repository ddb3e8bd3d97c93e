"""The GBU evaluation protocol (Xian et al., TPAMI 2018): per-class top-1 accuracy, ZSL, GZSL and its calibration.

Every function accepts torch tensors on any device or NumPy arrays; accuracies are Python floats in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "per_class_accuracy",
    "zsl_accuracy",
    "gzsl_accuracy",
    "GZSLResult",
    "harmonic_mean",
    "calibrated_stacking",
    "select_gamma",
    "seen_unseen_curve",
    "ausuc",
]

ArrayLike = torch.Tensor | np.ndarray | Sequence[float]


def _tensor(x: ArrayLike, dtype: torch.dtype | None = None) -> torch.Tensor:
    """A tensor of ``x``; Apple MPS tensors come to the CPU, since MPS has no float64 for exact accuracies."""
    t = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if t.device.type == "mps":
        t = t.cpu()
    return t.to(dtype) if dtype is not None else t


def _class_ids(x: ArrayLike, name: str) -> torch.Tensor:
    """``x`` as int64 class ids; floats and bools are an error (``long()`` would silently truncate 0.9 to class 0)."""
    t = _tensor(x)
    if t.numel() and (t.dtype.is_floating_point or t.dtype.is_complex or t.dtype == torch.bool):
        raise ValueError(
            f"{name} must be integer class ids, got dtype {t.dtype}; from scores, take scores.argmax(dim=1)"
        )
    return t.long()


def _check_scores(scores: torch.Tensor, labels: torch.Tensor) -> None:
    if scores.ndim != 2:
        raise ValueError(f"scores must be (n, C), got shape {tuple(scores.shape)}")
    if labels.shape != (scores.shape[0],):
        raise ValueError(
            f"labels must be ({scores.shape[0]},) to match scores {tuple(scores.shape)}, got {tuple(labels.shape)}"
        )
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= scores.shape[1]):
        raise ValueError(
            f"labels must be class ids in [0, {scores.shape[1]}), got range [{int(labels.min())}, {int(labels.max())}]"
        )


def per_class_accuracy(predictions: ArrayLike, labels: ArrayLike, classes: ArrayLike | None = None) -> float:
    r"""Mean over classes of top-1 accuracy:
    $\frac{1}{|\mathcal{Y}|}\sum_{c} \frac{\#\{i: y_i = c, \hat y_i = c\}}{\#\{i: y_i = c\}}$.

    predictions, labels: (n,) class ids. ``classes``: the classes to average over (default: those present in
    ``labels``); a class with no test sample has no accuracy and is left out of the mean, as in the GBU code.
    Returns 0.0 when no class has a sample.
    """
    pred = _class_ids(predictions, "predictions").flatten()
    true = _class_ids(labels, "labels").flatten().to(pred.device)
    if pred.shape != true.shape:
        raise ValueError(f"predictions {tuple(pred.shape)} and labels {tuple(true.shape)} must have the same length")
    wanted = torch.unique(true) if classes is None else torch.unique(_class_ids(classes, "classes").to(pred.device))
    if wanted.numel() == 0 or true.numel() == 0:
        return 0.0
    size = int(max(int(wanted.max()), int(true.max()))) + 1
    counts = torch.bincount(true, minlength=size).double()
    hits = torch.bincount(true[pred == true], minlength=size).double()
    counts, hits = counts[wanted], hits[wanted]
    present = counts > 0
    if not bool(present.any()):
        return 0.0
    return float((hits[present] / counts[present]).mean())


def zsl_accuracy(scores: ArrayLike, labels: ArrayLike, unseen_classes: ArrayLike) -> float:
    """ZSL top-1: argmax over the unseen classes only, per-class accuracy. scores: (n, C) over all classes."""
    scores, labels = _tensor(scores), _tensor(labels).long().to(_tensor(scores).device)
    _check_scores(scores, labels)
    unseen = _tensor(unseen_classes).long().to(scores.device)
    predictions = unseen[scores[:, unseen].argmax(dim=1)]
    return per_class_accuracy(predictions, labels)


@dataclass(frozen=True)
class GZSLResult:
    """Generalized ZSL accuracies: per-class top-1 on test_seen (``seen``) and test_unseen (``unseen``), and H."""

    seen: float
    unseen: float

    @property
    def harmonic_mean(self) -> float:
        """H = 2 S U / (S + U), the harmonic mean of seen and unseen accuracy (0 when both are 0)."""
        return harmonic_mean(self.seen, self.unseen)

    def __str__(self) -> str:
        return f"S={100 * self.seen:.1f} U={100 * self.unseen:.1f} H={100 * self.harmonic_mean:.1f}"


def gzsl_accuracy(
    scores_seen: ArrayLike, labels_seen: ArrayLike, scores_unseen: ArrayLike, labels_unseen: ArrayLike
) -> GZSLResult:
    """GZSL: argmax over all classes; per-class accuracy on test_seen and on test_unseen images.

    scores_seen: (n_s, C) scores of test_seen images, scores_unseen: (n_u, C) of test_unseen images.
    """
    result = []
    for scores, labels in ((scores_seen, labels_seen), (scores_unseen, labels_unseen)):
        scores = _tensor(scores)
        labels = _tensor(labels).long().to(scores.device)
        _check_scores(scores, labels)
        result.append(per_class_accuracy(scores.argmax(dim=1), labels))
    return GZSLResult(seen=result[0], unseen=result[1])


def harmonic_mean(seen: float, unseen: float) -> float:
    """H = 2 S U / (S + U); 0 when both are 0."""
    return 0.0 if seen + unseen == 0 else 2.0 * seen * unseen / (seen + unseen)


def calibrated_stacking(scores: ArrayLike, seen_classes: ArrayLike, gamma: float) -> torch.Tensor:
    r"""Calibrated stacking (Chao et al. 2016): $\hat y = \arg\max_c\, f_c(x) - \gamma\, \mathbb{1}[c \in \mathcal{S}]$.

    scores: (n, C); returns a new (n, C) tensor with ``gamma`` subtracted from the seen-class columns.
    """
    scores = _tensor(scores)
    seen = _tensor(seen_classes).long().to(scores.device)
    calibrated = scores.clone()
    calibrated[:, seen] -= gamma
    return calibrated


def _margins(scores: torch.Tensor, labels: torch.Tensor, seen_mask: torch.Tensor):
    """Per image: best seen minus best unseen score, and whether each of the two argmaxes is right."""
    seen_scores = scores.masked_fill(~seen_mask, float("-inf"))
    unseen_scores = scores.masked_fill(seen_mask, float("-inf"))
    best_seen, arg_seen = seen_scores.max(dim=1)
    best_unseen, arg_unseen = unseen_scores.max(dim=1)
    return best_seen - best_unseen, arg_seen == labels, arg_unseen == labels


def seen_unseen_curve(
    scores_seen: ArrayLike,
    labels_seen: ArrayLike,
    scores_unseen: ArrayLike,
    labels_unseen: ArrayLike,
    seen_classes: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact seen-unseen accuracy curve of calibrated stacking over every gamma (Chao et al. 2016).

    An image's prediction changes only when gamma crosses its margin (best seen minus best unseen score), so the
    curve is evaluated once below all margins, once between each pair of consecutive margins and once above them.
    Returns (gammas, seen_accuracies, unseen_accuracies), each (m,), ordered by increasing gamma.
    """
    scores_seen, scores_unseen = _tensor(scores_seen).double(), _tensor(scores_unseen).double()
    device = scores_seen.device
    labels_seen = _tensor(labels_seen).long().to(device)
    labels_unseen = _tensor(labels_unseen).long().to(device)
    _check_scores(scores_seen, labels_seen)
    _check_scores(scores_unseen, labels_unseen)
    seen_mask = torch.zeros(scores_seen.shape[1], dtype=torch.bool, device=device)
    seen_mask[_tensor(seen_classes).long().to(device)] = True
    if bool(seen_mask.all()) or not bool(seen_mask.any()):
        raise ValueError("seen_classes must contain some but not all classes")

    parts = [_margins(s, y, seen_mask) for s, y in ((scores_seen, labels_seen), (scores_unseen, labels_unseen))]
    margins = torch.unique(torch.cat([p[0] for p in parts]))
    finite = margins[torch.isfinite(margins)]
    if finite.numel() == 0:
        finite = torch.zeros(1, dtype=torch.float64, device=device)
    mids = (finite[1:] + finite[:-1]) / 2
    gammas = torch.cat([finite[:1] - 1.0, mids, finite[-1:] + 1.0])

    curves = []
    for (margin, seen_right, unseen_right), labels in zip(parts, (labels_seen, labels_unseen)):
        # Per-class accuracy as a weighted sum over images: weight 1 / (n_c * number of classes present).
        counts = torch.bincount(labels, minlength=scores_seen.shape[1]).double()
        weights = 1.0 / (counts[labels] * int((counts > 0).sum()))
        # Image i takes its seen-argmax iff margin_i > gamma: accuracy = sum_i w_i ur_i + sum_{m_i > gamma} w_i (sr_i - ur_i).
        order = torch.argsort(margin)
        gain = (weights * (seen_right.double() - unseen_right.double()))[order]
        suffix = torch.cat([torch.flip(torch.cumsum(torch.flip(gain, [0]), 0), [0]), gain.new_zeros(1)])
        first_above = torch.searchsorted(margin[order].contiguous(), gammas, right=True)
        curves.append((weights * unseen_right.double()).sum() + suffix[first_above])
    return gammas.cpu().numpy(), curves[0].cpu().numpy(), curves[1].cpu().numpy()


def ausuc(seen_accuracies: ArrayLike, unseen_accuracies: ArrayLike) -> float:
    """Area under the seen-unseen curve: seen accuracy integrated over unseen accuracy (trapezoids), in [0, 1].

    The curve is closed at its ends as in Chao et al.: the point of largest seen accuracy is extended to unseen
    accuracy 0 and the point of largest unseen accuracy to seen accuracy 0.
    """
    seen = np.asarray(_tensor(seen_accuracies).cpu(), dtype=np.float64)
    unseen = np.asarray(_tensor(unseen_accuracies).cpu(), dtype=np.float64)
    order = np.lexsort((-seen, unseen))
    x = np.concatenate([[0.0], unseen[order], [unseen[order][-1]]])
    y = np.concatenate([[seen[order][0]], seen[order], [0.0]])
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))


def select_gamma(
    scores_seen: ArrayLike,
    labels_seen: ArrayLike,
    scores_unseen: ArrayLike,
    labels_unseen: ArrayLike,
    seen_classes: ArrayLike,
) -> tuple[float, float]:
    """The calibration gamma that maximises H on *validation* data, and that H.

    Pass validation scores only: held-out images of the training classes (``scores_seen``) and images of the
    validation classes, which play the unseen role (``scores_unseen``). Never test images.
    """
    gammas, seen, unseen = seen_unseen_curve(scores_seen, labels_seen, scores_unseen, labels_unseen, seen_classes)
    h = np.where(seen + unseen > 0, 2 * seen * unseen / np.maximum(seen + unseen, 1e-12), 0.0)
    best = int(np.argmax(h))
    return float(gammas[best]), float(h[best])
