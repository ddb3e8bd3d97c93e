"""evaluate() on a model whose scores are known by construction."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from zsl_utils.evaluation import evaluate, model_inputs
from zsl_utils.models import ZSLModel


class FixedScores(ZSLModel):
    """class_scores = the image's row of a fixed score table (visual holds the image index as a 1-d feature)."""

    def __init__(self, table: torch.Tensor) -> None:
        super().__init__(1, 1)
        self.register_buffer("table", table)

    def _embed_visual(self, visual):
        return self.table[visual[:, 0].long()]

    def _embed_semantic(self, semantics):
        return semantics

    def _score_matrix(self, visual_emb, semantic_emb):
        return visual_emb

    def _score_pairs(self, visual_emb, semantic_emb):
        raise NotImplementedError


def _dataset(tiny_folder):
    from zsl_utils.data import load_xlsa17

    data = load_xlsa17(tiny_folder)
    n = data.features.shape[0]
    return dataclasses.replace(
        data, features=torch.arange(n, dtype=torch.float32)[:, None], semantics={"attributes": torch.zeros(6, 1)}
    )


def test_evaluate_on_known_scores(tiny_folder):
    data = _dataset(tiny_folder)
    table = torch.zeros(60, 6)
    # test_seen images (2 per seen class 0..3): all right, with a margin of 1 over the best unseen class.
    for i in data.test_seen.tolist():
        table[i, data.labels[i]] = 2.0
        table[i, 4] = 1.0
    # test_unseen images of classes 4, 5: the best seen class (0) beats them by 0.5; among unseen, class 4 wins.
    for i in data.test_unseen.tolist():
        table[i, 0] = 1.5
        table[i, 4] = 1.0
    result = evaluate(FixedScores(table), data, gamma=0.0)
    assert result.zsl == pytest.approx(0.5)  # class 4 all right, class 5 all wrong
    assert result.seen == pytest.approx(1.0) and result.unseen == 0.0 and result.harmonic == 0.0
    calibrated = evaluate(FixedScores(table), data, gamma=0.75)
    # gamma 0.75 flips the unseen images (margin 0.5) but not the seen ones (margin 1).
    assert calibrated.calibrated_seen == pytest.approx(1.0)
    assert calibrated.calibrated_unseen == pytest.approx(0.5)
    assert calibrated.calibrated_harmonic == pytest.approx(2 * 0.5 / 1.5)
    # The seen-unseen curve passes through (U=0.5, S=1), so AUSUC = 0.5 * 1 + the closing segment to (0.5, 0).
    assert calibrated.ausuc == pytest.approx(0.5)


def test_region_models_need_region_features(tiny_folder):
    from zsl_utils.models import RegionAttention

    data = _dataset(tiny_folder)
    with pytest.raises(ValueError, match="reads region features"):
        model_inputs(RegionAttention(4, 1), data)


def test_printed_result_shows_only_what_notebook_00_teaches():
    """str() is ZSL and GZSL S, U, H; calibrated stacking and AUSUC appear only when asked for by name."""
    from zsl_utils.evaluation import EvalResult

    result = EvalResult(
        zsl=0.73,
        seen=0.485,
        unseen=0.239,
        harmonic=0.32,
        gamma=0.0305,
        calibrated_seen=0.101,
        calibrated_unseen=0.726,
        calibrated_harmonic=0.177,
        ausuc=0.306,
    )
    assert str(result) == "ZSL 73.0 | GZSL S 48.5 U 23.9 H 32.0"
    assert result.calibrated_line() == "calibrated (gamma=0.0305) S 10.1 U 72.6 H 17.7"
    assert result.gbu_line() == (
        "ZSL 73.0 | GZSL S 48.5 U 23.9 H 32.0 | calibrated (gamma=0.0305) S 10.1 U 72.6 H 17.7 | AUSUC 30.6"
    )
