"""Scoring a trained model on a ``ZSLDataset`` and reporting the GBU metrics."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from .dataset import ZSLDataset
from .metrics import ausuc, calibrated_stacking, gzsl_accuracy, seen_unseen_curve, zsl_accuracy
from .models import ZSLModel, inference

__all__ = ["EvalResult", "model_inputs", "score_images", "evaluate"]


def model_inputs(model: ZSLModel, dataset: ZSLDataset) -> torch.Tensor:
    """The visual input the model reads: ``features`` (N, d_v), or ``regions`` (N, R, d_r) for region models."""
    if model.input_kind == "regions":
        if dataset.regions is None:
            raise ValueError(
                f"{type(model).__name__} reads region features, but dataset {dataset.name} has none; "
                "use a features model (e.g. TokenAttention) or a dataset with regions.npy"
            )
        return dataset.regions
    return dataset.features


def score_images(
    model: ZSLModel, visual: torch.Tensor, semantics: torch.Tensor, max_elements: int = 1 << 22
) -> torch.Tensor:
    """class_scores of every image against every class, in eval mode, without gradients, in chunks of images
    holding at most ``max_elements`` scores each (many classes mean small chunks). visual: (n, ...),
    semantics: (C, d_s) -> (n, C). The model's train/eval mode is restored afterwards."""
    chunk = max(1, max_elements // max(1, semantics.shape[0]))
    with inference(model):
        return torch.cat(
            [model.class_scores(visual[i : i + chunk], semantics) for i in range(0, visual.shape[0], chunk)]
        )


@dataclass(frozen=True)
class EvalResult:
    """GBU figures in [0, 1]: ZSL top-1, GZSL seen/unseen/H, the same after calibrated stacking with ``gamma``
    (notebook 00 section 6), and AUSUC (notebook 09).

    Printing shows what notebook 00 teaches, ZSL and GZSL S, U, H; ``calibrated_line()`` adds calibrated stacking's
    figures and ``gbu_line()`` (notebook 09) every figure, AUSUC included.
    """

    zsl: float
    seen: float
    unseen: float
    harmonic: float
    gamma: float
    calibrated_seen: float
    calibrated_unseen: float
    calibrated_harmonic: float
    ausuc: float

    def as_dict(self) -> dict[str, float]:
        """The result's fields as a plain dict (for JSON)."""
        return asdict(self)

    def __str__(self) -> str:
        """``ZSL 73.0 | GZSL S 48.5 U 23.9 H 32.0`` (percent)."""
        return (
            f"ZSL {100 * self.zsl:.1f} | GZSL S {100 * self.seen:.1f} U {100 * self.unseen:.1f}"
            f" H {100 * self.harmonic:.1f}"
        )

    def calibrated_line(self) -> str:
        """GZSL after calibrated stacking: ``calibrated (gamma=0.0305) S 10.1 U 72.6 H 17.7`` (percent)."""
        return (
            f"calibrated (gamma={self.gamma:.3g}) S {100 * self.calibrated_seen:.1f}"
            f" U {100 * self.calibrated_unseen:.1f} H {100 * self.calibrated_harmonic:.1f}"
        )

    def gbu_line(self) -> str:
        """Every figure: ``str(self) | calibrated_line() | AUSUC 30.6`` (percent)."""
        return f"{self} | {self.calibrated_line()} | AUSUC {100 * self.ausuc:.1f}"


def evaluate(model: ZSLModel, dataset: ZSLDataset, semantic_kind: str = "attributes", gamma: float = 0.0) -> EvalResult:
    """The GBU evaluation of a model trained on the seen classes, on the test images only.

    ``gamma`` is the calibrated-stacking constant, which must come from validation data (see
    ``selection.select_and_train``); it is never chosen here.
    """
    semantics = dataset.semantic(semantic_kind)
    visual = model_inputs(model, dataset)
    scores_seen = score_images(model, visual[dataset.test_seen], semantics)
    scores_unseen = score_images(model, visual[dataset.test_unseen], semantics)
    labels_seen, labels_unseen = dataset.labels[dataset.test_seen], dataset.labels[dataset.test_unseen]
    plain = gzsl_accuracy(scores_seen, labels_seen, scores_unseen, labels_unseen)
    calibrated = gzsl_accuracy(
        calibrated_stacking(scores_seen, dataset.seen_classes, gamma),
        labels_seen,
        calibrated_stacking(scores_unseen, dataset.seen_classes, gamma),
        labels_unseen,
    )
    _, curve_seen, curve_unseen = seen_unseen_curve(
        scores_seen, labels_seen, scores_unseen, labels_unseen, dataset.seen_classes
    )
    return EvalResult(
        zsl=zsl_accuracy(scores_unseen, labels_unseen, dataset.unseen_classes),
        seen=plain.seen,
        unseen=plain.unseen,
        harmonic=plain.harmonic_mean,
        gamma=float(gamma),
        calibrated_seen=calibrated.seen,
        calibrated_unseen=calibrated.unseen,
        calibrated_harmonic=calibrated.harmonic_mean,
        ausuc=ausuc(curve_seen, curve_unseen),
    )
