"""Training losses for visual-semantic embeddings: hinge ranking, triplet, cross-entropy and InfoNCE.

Every loss is a plain, vectorised function of scores or embeddings, never of a model. Shapes: ``B`` samples,
``C`` classes, ``d`` embedding size, ``K`` negatives per sample. ``scores`` is the (B, C) output of a model's
``class_scores``; ``labels`` is (B,) int64 class ids indexing its columns (int32 gives the same result; any other
dtype is an error). ``reduction`` is ``"mean"`` (over the batch), ``"sum"`` or ``"none"`` (the (B,) per-sample losses).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import torch
import torch.nn.functional as F

__all__ = [
    "ranking_loss",
    "weighted_ranking_loss",
    "sample_negatives",
    "sampled_ranking_loss",
    "pairwise_ranking_loss",
    "triplet_loss",
    "cross_entropy_loss",
    "info_nce_loss",
    "class_aware_info_nce_loss",
    "hard_negatives",
    "hard_negative_ranking_loss",
    "trusted_labels",
]

_REDUCTIONS = ("mean", "sum", "none")
_DISTANCES = ("squared_euclidean", "cosine")
_LABELS_TRUSTED: ContextVar[bool] = ContextVar("labels_trusted", default=False)


@contextmanager
def trusted_labels() -> Iterator[None]:
    """Skip the label range check inside this block. The check reads ``labels.min()`` and ``labels.max()`` back to
    the host: on a GPU that is a synchronisation per loss call, which stalls a training loop. Use it only where the
    labels were validated once beforehand, as :func:`zsl_utils.train.fit` does."""
    token = _LABELS_TRUSTED.set(True)
    try:
        yield
    finally:
        _LABELS_TRUSTED.reset(token)


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(per_sample: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    return per_sample


def _check_labels(labels: torch.Tensor, batch_size: int | None = None, num_classes: int | None = None) -> None:
    if labels.dim() != 1:
        raise ValueError(f"labels must be 1-D (B,), got shape {tuple(labels.shape)}")
    if labels.dtype not in (torch.int64, torch.int32):
        raise ValueError(
            f"labels must be an int64 (or int32) tensor of class ids, got dtype {labels.dtype}; use labels.long()"
        )
    if batch_size is not None and labels.shape[0] != batch_size:
        raise ValueError(f"labels has {labels.shape[0]} entries but the batch has B={batch_size} rows")
    # The range check reads the labels on the host: skipped for trusted labels and during CUDA graph capture (no
    # synchronisation is allowed there).
    skip = _LABELS_TRUSTED.get() or (labels.is_cuda and torch.cuda.is_current_stream_capturing())
    if (
        num_classes is not None
        and labels.numel()
        and not skip
        and (int(labels.min()) < 0 or int(labels.max()) >= num_classes)
    ):
        raise ValueError(
            f"labels must lie in [0, {num_classes}) (C={num_classes} classes), "
            f"got values in [{int(labels.min())}, {int(labels.max())}]"
        )


def _check_scores_labels(scores: torch.Tensor, labels: torch.Tensor, min_classes: int = 1) -> None:
    if scores.dim() != 2:
        raise ValueError(f"scores must be 2-D (B, C), got shape {tuple(scores.shape)}")
    if scores.shape[1] < min_classes:
        raise ValueError(f"scores needs at least {min_classes} class columns, got C={scores.shape[1]}")
    _check_labels(labels, scores.shape[0], scores.shape[1])


def _check_margin(margin: float) -> None:
    if not math.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")


def _check_temperature(temperature: float) -> None:
    if not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature}")


def _check_count(name: str, value: int, num_classes: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if not 1 <= value <= num_classes - 1:
        raise ValueError(f"{name} must lie in [1, C-1] = [1, {num_classes - 1}] (the wrong classes), got {value}")


def _check_pair_embeddings(a: torch.Tensor, b: torch.Tensor, names: str) -> None:
    if a.dim() != 2 or a.shape != b.shape:
        raise ValueError(
            f"{names} must both be 2-D (B, d) of the same shape, got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def _negative_classes(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(B, C-1) int64: row i lists every class except ``labels[i]``, in increasing order."""
    others = torch.arange(num_classes - 1, device=labels.device).expand(labels.shape[0], -1)
    return others + (others >= labels.unsqueeze(1)).long()


def ranking_loss(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 0.1, reduction: str = "mean"
) -> torch.Tensor:
    """DeViSE's hinge rank loss over all wrong classes (Frome et al., NeurIPS 2013).

    ``loss_i = sum_{j != y_i} max(0, margin - s[i, y_i] + s[i, j])``; the positive's own term (which would be
    ``margin``) is excluded.

    Args:
        scores: (B, C) class scores.
        labels: (B,) int64 true classes.
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_scores_labels(scores, labels)
    _check_margin(margin)
    _check_reduction(reduction)
    return _reduce(_wrong_class_hinges(scores, labels, margin).sum(dim=1), reduction)


def _wrong_class_hinges(scores: torch.Tensor, labels: torch.Tensor, margin: float) -> torch.Tensor:
    """(B, C): max(0, margin - s[i, y_i] + s[i, j]) for every wrong class j, 0 in the true class's column."""
    positive = scores.gather(1, labels.unsqueeze(1))
    is_positive = F.one_hot(labels.long(), scores.shape[1]).bool()
    return (margin - positive + scores).clamp(min=0).masked_fill(is_positive, 0)


def weighted_ranking_loss(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 0.1, reduction: str = "mean"
) -> torch.Tensor:
    """ALE's weighted approximate ranking loss (Akata et al., TPAMI 2016; the WSABIE weighting of Usunier et al.).

    With ``h_ij = max(0, margin - s[i, y_i] + s[i, j])`` for the wrong classes j, ``r_i = #{j != y_i : h_ij > 0}``
    (the rank of the true class, counted with the margin) and ``l(r) = sum_{k=1}^{r} 1/k``:

    ``loss_i = l(r_i) / r_i * sum_{j != y_i} h_ij`` (0 when r_i = 0).

    The weight ``l(r) / r`` is large for a true class ranked near the top (r = 1: weight 1) and small for one ranked
    far down, so top-of-the-list errors count most. It is a count, so it carries no gradient: the gradient is that of
    :func:`ranking_loss` scaled per sample.

    Args:
        scores: (B, C) class scores.
        labels: (B,) int64 true classes.
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_scores_labels(scores, labels)
    _check_margin(margin)
    _check_reduction(reduction)
    hinge = _wrong_class_hinges(scores, labels, margin)  # (B, C)
    ranks = (hinge > 0).sum(dim=1)  # (B,) r_i in [0, C-1]
    k = torch.arange(1, scores.shape[1], device=scores.device, dtype=scores.dtype)
    weight_of_rank = torch.cat([k.new_zeros(1), torch.cumsum(1 / k, 0) / k])  # (C,) l(r) / r, 0 for r = 0
    return _reduce(weight_of_rank[ranks] * hinge.sum(dim=1), reduction)


def sample_negatives(
    labels: torch.Tensor, num_classes: int, num_negatives: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """(B, K) int64 wrong classes per sample, uniform and without replacement, never ``labels[i]``.

    Each row draws a random K-subset of the C-1 slots ``0..C-2`` and shifts slots ``>= labels[i]`` up by one,
    so the positive cannot be drawn. ``generator`` (on ``labels``' device) makes the draw reproducible.
    """
    _check_labels(labels, num_classes=num_classes)
    _check_count("num_negatives", num_negatives, num_classes)
    keys = torch.rand(labels.shape[0], num_classes - 1, generator=generator, device=labels.device)
    slots = keys.argsort(dim=1)[:, :num_negatives]
    return slots + (slots >= labels.unsqueeze(1)).long()


def sampled_ranking_loss(
    scores: torch.Tensor,
    labels: torch.Tensor,
    num_negatives: int,
    margin: float = 0.1,
    generator: torch.Generator | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """DeViSE's hinge rank loss on K wrong classes per sample drawn by :func:`sample_negatives`.

    ``loss_i = sum_{j in N_i} max(0, margin - s[i, y_i] + s[i, j])`` with ``N_i`` a uniform K-subset of the
    wrong classes (no rescaling: its expectation is ``K / (C-1)`` times :func:`ranking_loss`, and it equals it
    when ``K = C-1``).

    Args:
        scores: (B, C) class scores.
        labels: (B,) int64 true classes.
        num_negatives: K, in [1, C-1].
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_scores_labels(scores, labels, min_classes=2)
    _check_margin(margin)
    _check_reduction(reduction)
    negatives = sample_negatives(labels, scores.shape[1], num_negatives, generator)
    positive = scores.gather(1, labels.unsqueeze(1))
    hinge = (margin - positive + scores.gather(1, negatives)).clamp(min=0)
    return _reduce(hinge.sum(dim=1), reduction)


def pairwise_ranking_loss(
    pos_scores: torch.Tensor, neg_scores: torch.Tensor, margin: float = 0.1, reduction: str = "mean"
) -> torch.Tensor:
    """Hinge loss for models that score (image, class) pairs one at a time.

    ``loss_i = sum_k max(0, margin - pos[i] + neg[i, k])``.

    Args:
        pos_scores: (B,) scores of the true pairs.
        neg_scores: (B,) one negative per sample, or (B, K) K negatives per sample.
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_margin(margin)
    _check_reduction(reduction)
    if pos_scores.dim() != 1:
        raise ValueError(f"pos_scores must be 1-D (B,), got shape {tuple(pos_scores.shape)}")
    if neg_scores.dim() not in (1, 2) or neg_scores.shape[0] != pos_scores.shape[0]:
        raise ValueError(
            f"neg_scores must be (B,) or (B, K) with B={pos_scores.shape[0]}, got shape {tuple(neg_scores.shape)}"
        )
    negatives = neg_scores if neg_scores.dim() == 2 else neg_scores.unsqueeze(1)
    hinge = (margin - pos_scores.unsqueeze(1) + negatives).clamp(min=0)
    return _reduce(hinge.sum(dim=1), reduction)


def triplet_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    margin: float = 0.2,
    distance: str = "squared_euclidean",
    reduction: str = "mean",
) -> torch.Tensor:
    """Triplet margin loss ``loss_i = max(0, D(a_i, p_i) - D(a_i, n_i) + margin)``.

    ``D`` is ``"squared_euclidean"`` ``||a - b||^2`` or ``"cosine"`` ``1 - cos(a, b)`` (in [0, 2]).

    Args:
        anchor, positive, negative: (B, d) embeddings.
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_margin(margin)
    _check_reduction(reduction)
    if distance not in _DISTANCES:
        raise ValueError(f"distance must be one of {_DISTANCES}, got {distance!r}")
    _check_pair_embeddings(anchor, positive, "anchor and positive")
    _check_pair_embeddings(anchor, negative, "anchor and negative")
    if distance == "squared_euclidean":
        d_pos = (anchor - positive).pow(2).sum(dim=1)
        d_neg = (anchor - negative).pow(2).sum(dim=1)
    else:
        d_pos = 1 - F.cosine_similarity(anchor, positive, dim=1)
        d_neg = 1 - F.cosine_similarity(anchor, negative, dim=1)
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


def cross_entropy_loss(
    scores: torch.Tensor, labels: torch.Tensor, temperature: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    """Softmax cross-entropy over class scores: ``loss_i = -log softmax(s_i / T)[y_i]``.

    Args:
        scores: (B, C) class scores.
        labels: (B,) int64 true classes.
        temperature: T > 0; a small T sharpens the softmax (use it with cosine scores in [-1, 1]).
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_scores_labels(scores, labels)
    _check_temperature(temperature)
    _check_reduction(reduction)
    return F.cross_entropy(scores / temperature, labels.long(), reduction=reduction)


def _normalised_logits(visual_emb: torch.Tensor, semantic_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    return F.normalize(visual_emb, dim=1) @ F.normalize(semantic_emb, dim=1).T / temperature


def info_nce_loss(visual_emb: torch.Tensor, semantic_emb: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """Naive symmetric in-batch InfoNCE (CLIP-style), kept for teaching.

    With ``v, s`` L2-normalised and ``L = v s^T / T`` (B, B), the loss is
    ``(CE(L, arange(B)) + CE(L^T, arange(B))) / 2``: pair i is the only positive of row i. Every other item is
    a negative, including items of the same class, so a batch with repeated classes pushes identical classes
    apart (see :func:`class_aware_info_nce_loss`).

    Args:
        visual_emb, semantic_emb: (B, d) paired embeddings (row i of both is sample i).
    Returns:
        A scalar.
    """
    _check_pair_embeddings(visual_emb, semantic_emb, "visual_emb and semantic_emb")
    _check_temperature(temperature)
    logits = _normalised_logits(visual_emb, semantic_emb, temperature)
    targets = torch.arange(logits.shape[0], device=logits.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def class_aware_info_nce_loss(
    visual_emb: torch.Tensor,
    semantic_emb: torch.Tensor,
    labels: torch.Tensor,
    temperature: float = 0.07,
    symmetric: bool = True,
) -> torch.Tensor:
    """In-batch InfoNCE in which items of the same class are never negatives.

    With ``v, s`` L2-normalised and ``L = v s^T / T`` (B, B), row i keeps as candidates its own pair i and the
    items of the other classes, ``A_i = {i} U {j : y_j != y_i}``; the other items of its class are masked out
    (neither positive nor negative), so each class appears once among the candidates:
    ``loss_i = -L[i, i] + log sum_{j in A_i} exp(L[i, j])``. ``symmetric`` averages the visual->semantic
    loss (rows of L) with the semantic->visual one (rows of L^T). With all labels distinct it equals
    :func:`info_nce_loss`.

    Args:
        visual_emb, semantic_emb: (B, d) paired embeddings (row i of both is sample i).
        labels: (B,) int64 class of each sample.
    Returns:
        A scalar.
    """
    _check_pair_embeddings(visual_emb, semantic_emb, "visual_emb and semantic_emb")
    _check_labels(labels, batch_size=visual_emb.shape[0])
    _check_temperature(temperature)
    logits = _normalised_logits(visual_emb, semantic_emb, temperature)
    batch = logits.shape[0]
    eye = torch.eye(batch, dtype=torch.bool, device=logits.device)
    same_class_other = (labels.unsqueeze(0) == labels.unsqueeze(1)) & ~eye
    logits = logits.masked_fill(same_class_other, float("-inf"))
    targets = torch.arange(batch, device=logits.device)
    loss = F.cross_entropy(logits, targets)
    if symmetric:
        loss = (loss + F.cross_entropy(logits.T, targets)) / 2
    return loss


def hard_negatives(scores: torch.Tensor, labels: torch.Tensor, k: int = 1) -> torch.Tensor:
    """(B, k) int64 indices of the k highest-scoring wrong classes of each sample, best first.

    Selection runs over the C-1 wrong classes only, so the positive is never returned, even when it ties with
    them or is ``-inf``; ties are broken towards the lower class index.

    Args:
        scores: (B, C) class scores.
        labels: (B,) int64 true classes.
        k: in [1, C-1].
    """
    _check_scores_labels(scores, labels, min_classes=2)
    _check_count("k", k, scores.shape[1])
    candidates = _negative_classes(labels, scores.shape[1])
    order = scores.detach().gather(1, candidates).sort(dim=1, descending=True, stable=True).indices
    return candidates.gather(1, order[:, :k])


def hard_negative_ranking_loss(
    scores: torch.Tensor, labels: torch.Tensor, margin: float = 0.1, k: int = 1, reduction: str = "mean"
) -> torch.Tensor:
    """Hinge on the k hardest wrong classes (VSE++'s "max of hinges" when k = 1; Faghri et al., BMVC 2018).

    ``loss_i = sum_{j in H_i} max(0, margin - s[i, y_i] + s[i, j])`` with ``H_i`` = :func:`hard_negatives`.

    Args:
        scores: (B, C) class scores.
        labels: (B,) int64 true classes.
        k: in [1, C-1]; k = C-1 gives :func:`ranking_loss`.
    Returns:
        A scalar, or (B,) with ``reduction="none"``.
    """
    _check_margin(margin)
    _check_reduction(reduction)
    negatives = hard_negatives(scores, labels, k)
    positive = scores.gather(1, labels.unsqueeze(1))
    hinge = (margin - positive + scores.gather(1, negatives)).clamp(min=0)
    return _reduce(hinge.sum(dim=1), reduction)
