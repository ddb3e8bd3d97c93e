"""The GBU metrics on hand-computed cases."""

import numpy as np
import pytest
import torch

from zsl_utils.metrics import (
    ausuc,
    calibrated_stacking,
    gzsl_accuracy,
    harmonic_mean,
    per_class_accuracy,
    seen_unseen_curve,
    select_gamma,
    zsl_accuracy,
)


def test_per_class_accuracy_differs_from_per_sample():
    # Class 0: 3 of 4 right; class 1: 0 of 1 right. Per class (0.75 + 0) / 2; per sample 3 / 5.
    labels = torch.tensor([0, 0, 0, 0, 1])
    predictions = torch.tensor([0, 0, 0, 1, 0])
    assert per_class_accuracy(predictions, labels) == pytest.approx(0.375)
    assert (predictions == labels).float().mean().item() == pytest.approx(0.6)


def test_per_class_accuracy_accepts_numpy_and_lists():
    assert per_class_accuracy(np.array([2, 2, 1]), np.array([2, 1, 1])) == pytest.approx((1.0 + 0.5) / 2)
    assert per_class_accuracy([1, 1], [0, 0]) == 0.0


def test_class_without_test_samples_is_left_out():
    # Class 5 is asked for but has no sample: it does not count as a zero.
    labels = torch.tensor([0, 1, 1])
    predictions = torch.tensor([0, 1, 0])
    assert per_class_accuracy(predictions, labels, classes=[0, 1, 5]) == pytest.approx((1.0 + 0.5) / 2)
    assert per_class_accuracy(predictions, labels, classes=[5]) == 0.0


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="same length"):
        per_class_accuracy([0, 1], [0])


def test_float_predictions_are_an_error_not_truncated():
    # 0.9 truncated to class 0 would score class 0 right: the metric must refuse scores or probabilities instead.
    with pytest.raises(
        ValueError,
        match=r"predictions must be integer class ids, got dtype torch.float64; from scores, take scores.argmax",
    ):
        per_class_accuracy(np.array([0.9, 1.0]), np.array([0, 1]))
    with pytest.raises(ValueError, match="labels must be integer class ids, got dtype torch.float32"):
        per_class_accuracy(torch.tensor([0, 1]), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="predictions must be integer class ids, got dtype torch.bool"):
        per_class_accuracy(torch.tensor([True, False]), torch.tensor([1, 0]))
    assert per_class_accuracy(np.array([0, 1], dtype=np.int32), np.array([0, 0], dtype=np.uint8)) == 0.5


def test_zsl_accuracy_restricts_argmax_to_unseen_classes():
    # Seen class 0 wins every row overall; among unseen {1, 2} the right class wins in 2 of 3 rows.
    scores = torch.tensor([[9.0, 2.0, 1.0], [9.0, 1.0, 2.0], [9.0, 3.0, 1.0]])
    labels = torch.tensor([1, 2, 2])
    assert zsl_accuracy(scores, labels, unseen_classes=[1, 2]) == pytest.approx((1.0 + 0.5) / 2)
    assert per_class_accuracy(scores.argmax(1), labels) == 0.0


def test_gzsl_accuracy_and_harmonic_mean():
    seen_scores = torch.tensor([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0]])  # both right (classes 0, 1)
    unseen_scores = torch.tensor([[3.0, 1.0, 2.0], [1.0, 1.0, 5.0]])  # one of two right (class 2)
    result = gzsl_accuracy(seen_scores, torch.tensor([0, 1]), unseen_scores, torch.tensor([2, 2]))
    assert result.seen == pytest.approx(1.0)
    assert result.unseen == pytest.approx(0.5)
    assert result.harmonic_mean == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert harmonic_mean(0.0, 0.0) == 0.0
    assert harmonic_mean(0.0, 0.8) == 0.0


def test_calibrated_stacking_subtracts_from_seen_columns_only():
    scores = torch.tensor([[1.0, 2.0, 3.0]])
    out = calibrated_stacking(scores, seen_classes=[0, 2], gamma=0.5)
    assert torch.equal(out, torch.tensor([[0.5, 2.0, 2.5]]))
    assert torch.equal(scores, torch.tensor([[1.0, 2.0, 3.0]]))


def test_seen_unseen_curve_matches_calibrated_stacking_everywhere():
    generator = torch.Generator().manual_seed(0)
    seen = torch.tensor([0, 1, 2])
    scores_seen, scores_unseen = torch.randn(30, 6, generator=generator), torch.randn(25, 6, generator=generator)
    labels_seen = torch.randint(0, 3, (30,), generator=generator)
    labels_unseen = torch.randint(3, 6, (25,), generator=generator)
    gammas, s, u = seen_unseen_curve(scores_seen, labels_seen, scores_unseen, labels_unseen, seen)
    assert np.all(np.diff(gammas) > 0)
    for gamma, s_acc, u_acc in zip(gammas, s, u):
        direct = gzsl_accuracy(
            calibrated_stacking(scores_seen, seen, gamma),
            labels_seen,
            calibrated_stacking(scores_unseen, seen, gamma),
            labels_unseen,
        )
        assert direct.seen == pytest.approx(s_acc, abs=1e-12)
        assert direct.unseen == pytest.approx(u_acc, abs=1e-12)
    # Below every margin nothing is predicted unseen; above every margin nothing is predicted seen.
    assert u[0] == pytest.approx(0.0, abs=1e-12) and s[-1] == pytest.approx(0.0, abs=1e-12)


def test_curve_and_ausuc_on_a_hand_computed_case():
    # Classes 0 (seen) and 1 (unseen); one image each. Margins (seen - unseen): image A +1, image B -1.
    scores_seen = torch.tensor([[2.0, 1.0]])  # label 0, margin +1
    scores_unseen = torch.tensor([[0.0, 1.0]])  # label 1, margin -1
    gammas, s, u = seen_unseen_curve(scores_seen, [0], scores_unseen, [1], [0])
    np.testing.assert_allclose(gammas, [-2.0, 0.0, 2.0])
    np.testing.assert_allclose(s, [1.0, 1.0, 0.0])
    np.testing.assert_allclose(u, [0.0, 1.0, 1.0])
    # The curve reaches (U=1, S=1): the area is the whole unit square.
    assert ausuc(s, u) == pytest.approx(1.0)
    gamma, h = select_gamma(scores_seen, [0], scores_unseen, [1], [0])
    assert gamma == 0.0 and h == pytest.approx(1.0)


def test_ausuc_of_a_single_operating_point():
    # One point (U=0.5, S=0.5), closed to (0, 0.5) and (0.5, 0): area 0.5 * 0.5 + triangle under the drop (0).
    assert ausuc([0.5], [0.5]) == pytest.approx(0.25)
    assert ausuc([0.0], [0.0]) == 0.0


def test_metrics_accept_numpy_scores():
    scores = np.array([[0.1, 0.9], [0.8, 0.2]])
    assert zsl_accuracy(scores, np.array([1, 0]), np.array([0, 1])) == 1.0


def test_label_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="class ids"):
        zsl_accuracy(torch.zeros(2, 3), torch.tensor([0, 3]), [1, 2])
