"""Tests of zsl_utils.losses: hand-computed values, loop references, gradients and input validation."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from zsl_utils.losses import (
    class_aware_info_nce_loss,
    cross_entropy_loss,
    hard_negative_ranking_loss,
    hard_negatives,
    info_nce_loss,
    pairwise_ranking_loss,
    ranking_loss,
    sample_negatives,
    sampled_ranking_loss,
    triplet_loss,
    trusted_labels,
    weighted_ranking_loss,
)

F64 = torch.float64


def _scores_away_from_kinks(batch: int, classes: int, margin: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random float64 scores whose hinge arguments all lie at least 1e-2 from zero (so gradcheck is smooth)."""
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randn(batch, classes, generator=gen, dtype=F64)
    labels = torch.randint(0, classes, (batch,), generator=gen)
    args = margin - scores.gather(1, labels[:, None]) + scores
    args[torch.arange(batch), labels] = 1.0
    assert args.abs().min() > 1e-2, "pick another seed: an input sits on a hinge kink"
    assert ((args > 0).sum() > batch) and ((args < 0).sum() > 0), "want both active and inactive hinges"
    return scores.requires_grad_(), labels


def _ranking_reference(scores: torch.Tensor, labels: torch.Tensor, margin: float) -> torch.Tensor:
    per_sample = []
    for i in range(scores.shape[0]):
        y = int(labels[i])
        total = 0.0
        for j in range(scores.shape[1]):
            if j != y:
                total += max(0.0, margin - float(scores[i, y]) + float(scores[i, j]))
        per_sample.append(total)
    return torch.tensor(per_sample, dtype=F64)


# ---- ranking_loss ------------------------------------------------------------------------------------------


def test_ranking_loss_hand_computed() -> None:
    scores = torch.tensor([[0.5, 0.2, 0.45], [0.35, 0.3, 0.0]], dtype=F64)
    labels = torch.tensor([0, 1])
    # row 0: j=1 -> max(0, 0.1 - 0.5 + 0.2) = 0, j=2 -> 0.1 - 0.5 + 0.45 = 0.05
    # row 1: j=0 -> 0.1 - 0.3 + 0.35 = 0.15, j=2 -> max(0, 0.1 - 0.3 + 0.0) = 0
    per_sample = ranking_loss(scores, labels, margin=0.1, reduction="none")
    torch.testing.assert_close(per_sample, torch.tensor([0.05, 0.15], dtype=F64))
    assert ranking_loss(scores, labels, margin=0.1).item() == pytest.approx(0.1)
    assert ranking_loss(scores, labels, margin=0.1, reduction="sum").item() == pytest.approx(0.2)


def test_ranking_loss_excludes_positive_term() -> None:
    scores = torch.tensor([[1.0, -5.0, -5.0]])
    assert ranking_loss(scores, torch.tensor([0]), margin=0.5).item() == 0.0


def test_ranking_loss_matches_double_loop() -> None:
    gen = torch.Generator().manual_seed(0)
    scores = torch.randn(16, 7, generator=gen, dtype=F64)
    labels = torch.randint(0, 7, (16,), generator=gen)
    for margin in (0.0, 0.1, 1.0):
        expected = _ranking_reference(scores, labels, margin)
        torch.testing.assert_close(ranking_loss(scores, labels, margin, reduction="none"), expected)
        torch.testing.assert_close(ranking_loss(scores, labels, margin), expected.mean())


def test_ranking_loss_gradcheck_and_hand_gradient() -> None:
    margin = 0.3
    scores, labels = _scores_away_from_kinks(4, 5, margin, seed=1)
    assert torch.autograd.gradcheck(lambda s: ranking_loss(s, labels, margin), (scores,))
    ranking_loss(scores, labels, margin).backward()
    active = (margin - scores.detach().gather(1, labels[:, None]) + scores.detach()) > 0
    active[torch.arange(4), labels] = False
    expected = active.to(F64) / 4
    expected[torch.arange(4), labels] = -active.sum(dim=1).to(F64) / 4
    torch.testing.assert_close(scores.grad, expected)


# ---- weighted_ranking_loss (ALE) ---------------------------------------------------------------------------


def test_weighted_ranking_loss_hand_computed() -> None:
    scores = torch.tensor([[0.5, 0.2, 0.45, 0.6], [0.0, 0.9, 0.1, 0.2]], dtype=F64)
    labels = torch.tensor([0, 1])
    # row 0, margin 0.1: hinges j=1: 0, j=2: 0.05, j=3: 0.2 -> rank 2, l(2) / 2 = (1 + 1/2) / 2 = 0.75 -> 0.1875
    # row 1: every hinge is 0 -> rank 0 -> 0
    per_sample = weighted_ranking_loss(scores, labels, margin=0.1, reduction="none")
    torch.testing.assert_close(per_sample, torch.tensor([0.1875, 0.0], dtype=F64))
    assert weighted_ranking_loss(scores, labels, margin=0.1).item() == pytest.approx(0.09375)


def test_weighted_ranking_loss_matches_loop_reference() -> None:
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(20, 9, generator=gen, dtype=F64)
    labels = torch.randint(0, 9, (20,), generator=gen)
    for margin in (0.0, 0.2, 1.0):
        hinges = _ranking_reference(scores, labels, margin)
        expected = []
        for i in range(20):
            y = int(labels[i])
            rank = sum(1 for j in range(9) if j != y and margin - float(scores[i, y]) + float(scores[i, j]) > 0)
            weight = sum(1 / k for k in range(1, rank + 1)) / rank if rank else 0.0
            expected.append(weight * float(hinges[i]))
        torch.testing.assert_close(
            weighted_ranking_loss(scores, labels, margin, reduction="none"), torch.tensor(expected, dtype=F64)
        )


def test_weighted_ranking_loss_gradient_is_the_weighted_hinge_gradient() -> None:
    margin = 0.3
    scores, labels = _scores_away_from_kinks(4, 5, margin, seed=1)
    assert torch.autograd.gradcheck(lambda s: weighted_ranking_loss(s, labels, margin), (scores,))
    # One violation: weight l(1) / 1 = 1, the plain hinge rank loss; the weight falls as the rank grows.
    one = torch.tensor([[1.0, 0.95, -3.0]], dtype=F64)
    torch.testing.assert_close(
        weighted_ranking_loss(one, torch.tensor([0]), 0.1), ranking_loss(one, torch.tensor([0]), 0.1)
    )
    many = torch.tensor([[0.0, 1.0, 1.0, 1.0]], dtype=F64)
    assert weighted_ranking_loss(many, torch.tensor([0]), 0.0).item() == pytest.approx((1 + 1 / 2 + 1 / 3) / 3 * 3)


# ---- sampled negatives -------------------------------------------------------------------------------------


def test_sample_negatives_never_positive_distinct_and_uniform() -> None:
    classes, k, repeats = 6, 3, 4000
    labels = torch.arange(classes).repeat(repeats)
    gen = torch.Generator().manual_seed(0)
    negatives = sample_negatives(labels, classes, k, generator=gen)
    assert negatives.shape == (classes * repeats, k) and negatives.dtype == torch.int64
    assert not (negatives == labels[:, None]).any()
    assert negatives.min() >= 0 and negatives.max() < classes
    assert (negatives.sort(dim=1).values.diff(dim=1) > 0).all(), "drawn with replacement"
    counts = torch.zeros(classes, classes)
    counts.index_put_((labels[:, None].expand_as(negatives), negatives), torch.ones(negatives.shape), accumulate=True)
    expected = repeats * k / (classes - 1)
    off_diagonal = counts[~torch.eye(classes, dtype=torch.bool)]
    assert counts.diagonal().sum() == 0
    assert (off_diagonal - expected).abs().max() < 5 * math.sqrt(expected)


def test_sample_negatives_reproducible_with_generator() -> None:
    labels = torch.tensor([0, 3, 1, 2])
    first = sample_negatives(labels, 5, 2, generator=torch.Generator().manual_seed(7))
    second = sample_negatives(labels, 5, 2, generator=torch.Generator().manual_seed(7))
    assert torch.equal(first, second)


def test_sampled_ranking_loss_all_negatives_equals_full_loss() -> None:
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(10, 5, generator=gen, dtype=F64)
    labels = torch.randint(0, 5, (10,), generator=gen)
    sampled = sampled_ranking_loss(scores, labels, num_negatives=4, margin=0.2, generator=gen, reduction="none")
    torch.testing.assert_close(sampled, ranking_loss(scores, labels, 0.2, reduction="none"))


def test_sampled_ranking_loss_expectation() -> None:
    gen = torch.Generator().manual_seed(4)
    scores = torch.randn(3, 6, generator=gen, dtype=F64)
    labels = torch.tensor([0, 2, 5])
    repeats, k = 20000, 2
    sampled = sampled_ranking_loss(
        scores.repeat(repeats, 1), labels.repeat(repeats), k, margin=0.5, generator=gen, reduction="none"
    ).view(repeats, 3)
    expected = ranking_loss(scores, labels, 0.5, reduction="none") * k / 5
    torch.testing.assert_close(sampled.mean(dim=0), expected, atol=0.03, rtol=0.02)


def test_sampled_ranking_loss_gradcheck() -> None:
    scores, labels = _scores_away_from_kinks(4, 5, 0.3, seed=1)

    def loss(s: torch.Tensor) -> torch.Tensor:
        return sampled_ranking_loss(s, labels, 2, margin=0.3, generator=torch.Generator().manual_seed(0))

    assert torch.autograd.gradcheck(loss, (scores,))


# ---- pairwise and triplet ----------------------------------------------------------------------------------


def test_pairwise_ranking_loss_hand_computed() -> None:
    pos = torch.tensor([1.0, 0.5], dtype=F64)
    neg = torch.tensor([[0.95, 0.2], [0.7, 0.45]], dtype=F64)
    # row 0: 0.1 - 1 + 0.95 = 0.05, 0.1 - 1 + 0.2 < 0; row 1: 0.1 - 0.5 + 0.7 = 0.3, 0.1 - 0.5 + 0.45 = 0.05
    torch.testing.assert_close(
        pairwise_ranking_loss(pos, neg, 0.1, reduction="none"), torch.tensor([0.05, 0.35], dtype=F64)
    )
    assert pairwise_ranking_loss(pos, neg, 0.1).item() == pytest.approx(0.2)
    assert pairwise_ranking_loss(pos, neg[:, 0], 0.1).item() == pytest.approx((0.05 + 0.3) / 2)


def test_pairwise_ranking_loss_gradcheck() -> None:
    pos = torch.tensor([1.0, 0.5, -0.2], dtype=F64, requires_grad=True)
    neg = torch.tensor([[0.95, 0.2], [0.7, 0.1], [0.3, -0.9]], dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda p, n: pairwise_ranking_loss(p, n, 0.1), (pos, neg))


def test_triplet_loss_hand_computed() -> None:
    anchor = torch.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=F64)
    positive = torch.tensor([[1.0, 0.0], [1.0, 1.0]], dtype=F64)
    negative = torch.tensor([[0.0, 1.0], [2.0, 1.0]], dtype=F64)
    # squared distances: row 0: 1 - 1 + 0.2 = 0.2; row 1: 0 - 1 + 0.2 < 0
    torch.testing.assert_close(
        triplet_loss(anchor, positive, negative, margin=0.2, reduction="none"), torch.tensor([0.2, 0.0], dtype=F64)
    )
    a, p, n = (torch.tensor([v], dtype=F64) for v in ([1.0, 0.0], [1.0, 1.0], [0.0, 1.0]))
    # cosine distances: 1 - 1/sqrt(2) and 1; loss = 1 - 1/sqrt(2) - 1 + 1
    assert triplet_loss(a, p, n, margin=1.0, distance="cosine").item() == pytest.approx(1 - 1 / math.sqrt(2))


@pytest.mark.parametrize("distance", ["squared_euclidean", "cosine"])
def test_triplet_loss_gradcheck(distance: str) -> None:
    gen = torch.Generator().manual_seed(5)
    anchor, positive, negative = (torch.randn(4, 3, generator=gen, dtype=F64, requires_grad=True) for _ in range(3))
    margin = 0.5 if distance == "cosine" else 2.0
    with torch.no_grad():
        if distance == "cosine":
            args = F.cosine_similarity(anchor, negative) - F.cosine_similarity(anchor, positive) + margin
        else:
            args = (anchor - positive).pow(2).sum(1) - (anchor - negative).pow(2).sum(1) + margin
    assert args.abs().min() > 1e-2 and (args > 0).any() and (args < 0).any(), "pick another seed"
    assert torch.autograd.gradcheck(
        lambda a, p, n: triplet_loss(a, p, n, margin, distance), (anchor, positive, negative)
    )


# ---- cross-entropy and InfoNCE -----------------------------------------------------------------------------


def test_cross_entropy_loss_hand_computed() -> None:
    assert cross_entropy_loss(torch.zeros(1, 3), torch.tensor([0])).item() == pytest.approx(math.log(3))
    scores = torch.tensor([[2.0, 0.0]], dtype=F64)
    # logits [1, 0] -> -log(e / (e + 1)) = log(1 + 1/e)
    assert cross_entropy_loss(scores, torch.tensor([0]), temperature=2.0).item() == pytest.approx(
        math.log(1 + math.exp(-1))
    )


def test_cross_entropy_loss_gradcheck() -> None:
    gen = torch.Generator().manual_seed(6)
    scores = torch.randn(4, 5, generator=gen, dtype=F64, requires_grad=True)
    labels = torch.tensor([0, 4, 2, 2])
    assert torch.autograd.gradcheck(lambda s: cross_entropy_loss(s, labels, temperature=0.5), (scores,))


def test_info_nce_hand_computed_and_scale_invariant() -> None:
    emb = torch.eye(2, dtype=F64)
    expected = math.log(1 + math.exp(-1))
    assert info_nce_loss(emb, emb, temperature=1.0).item() == pytest.approx(expected)
    assert info_nce_loss(3 * emb, 0.5 * emb, temperature=1.0).item() == pytest.approx(expected)


def test_class_aware_info_nce_hand_computed() -> None:
    emb = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=F64)
    labels = torch.tensor([0, 0, 1])
    # logits rows [1, 1, 0], [1, 1, 0], [0, 0, 1]; rows 0 and 1 drop the other class-0 item
    aware = (2 * math.log(1 + math.exp(-1)) + math.log(1 + 2 * math.exp(-1))) / 3
    naive = (2 * math.log(2 + math.exp(-1)) + math.log(1 + 2 * math.exp(-1))) / 3
    assert class_aware_info_nce_loss(emb, emb, labels, temperature=1.0).item() == pytest.approx(aware)
    assert info_nce_loss(emb, emb, temperature=1.0).item() == pytest.approx(naive)


def test_class_aware_info_nce_does_not_push_same_class_apart() -> None:
    # Two images of class 0 paired with the same class embedding, perfectly aligned, very low temperature.
    semantic = torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=F64)
    visual = semantic.clone().requires_grad_()
    labels = torch.tensor([0, 0, 1, 2])
    aware = class_aware_info_nce_loss(visual, semantic, labels, temperature=0.01)
    naive = info_nce_loss(visual, semantic, temperature=0.01)
    assert aware.item() < 1e-12
    # the naive loss sees the twin as an equally good negative: log 2 on each of the 2 rows of 4, both directions
    assert naive.item() == pytest.approx(math.log(2) / 2, rel=1e-9)


def _class_aware_rows(
    visual: torch.Tensor, semantic: torch.Tensor, labels: torch.Tensor, t: float = 0.07
) -> torch.Tensor:
    """Per-row visual->semantic class-aware loss by a Python loop: candidates are i and the other classes."""
    v, s = F.normalize(visual, dim=1), F.normalize(semantic, dim=1)
    rows = []
    for i in range(v.shape[0]):
        candidates = [j for j in range(v.shape[0]) if j == i or labels[j] != labels[i]]
        logits = torch.stack([v[i] @ s[j] / t for j in candidates])
        rows.append(-(v[i] @ s[i] / t) + torch.logsumexp(logits, dim=0))
    return torch.stack(rows)


def test_class_aware_info_nce_matches_loop_reference() -> None:
    gen = torch.Generator().manual_seed(9)
    visual = torch.randn(8, 5, generator=gen, dtype=F64)
    semantic = torch.randn(8, 5, generator=gen, dtype=F64)
    labels = torch.tensor([3, 1, 3, 0, 1, 3, 2, 0])
    forward = _class_aware_rows(visual, semantic, labels).mean()
    backward = _class_aware_rows(semantic, visual, labels).mean()
    torch.testing.assert_close(class_aware_info_nce_loss(visual, semantic, labels, symmetric=False), forward)
    torch.testing.assert_close(class_aware_info_nce_loss(visual, semantic, labels), (forward + backward) / 2)


def test_info_nce_variants_agree_with_distinct_classes() -> None:
    gen = torch.Generator().manual_seed(10)
    visual = torch.randn(6, 4, generator=gen, dtype=F64)
    semantic = torch.randn(6, 4, generator=gen, dtype=F64)
    labels = torch.tensor([5, 0, 9, 2, 7, 1])
    assert torch.equal(class_aware_info_nce_loss(visual, semantic, labels), info_nce_loss(visual, semantic))


def test_info_nce_gradchecks() -> None:
    gen = torch.Generator().manual_seed(11)
    visual = torch.randn(5, 3, generator=gen, dtype=F64, requires_grad=True)
    semantic = torch.randn(5, 3, generator=gen, dtype=F64, requires_grad=True)
    labels = torch.tensor([0, 1, 0, 2, 1])
    assert torch.autograd.gradcheck(lambda v, s: info_nce_loss(v, s, temperature=0.5), (visual, semantic))
    assert torch.autograd.gradcheck(
        lambda v, s: class_aware_info_nce_loss(v, s, labels, temperature=0.5), (visual, semantic)
    )


# ---- hard negatives ----------------------------------------------------------------------------------------


def _hard_negatives_reference(scores: torch.Tensor, labels: torch.Tensor, k: int) -> torch.Tensor:
    rows = []
    for i in range(scores.shape[0]):
        wrong = [j for j in range(scores.shape[1]) if j != int(labels[i])]
        rows.append(sorted(wrong, key=lambda j: (-float(scores[i, j]), j))[:k])
    return torch.tensor(rows, dtype=torch.int64)


def test_hard_negatives_fixed_case() -> None:
    scores = torch.tensor([[0.1, 0.9, 0.3, 0.5], [0.8, 0.2, 0.7, 0.1]])
    labels = torch.tensor([1, 0])
    expected = torch.tensor([[3, 2], [2, 1]])
    assert torch.equal(hard_negatives(scores, labels, k=2), expected)
    assert torch.equal(_hard_negatives_reference(scores, labels, 2), expected)
    assert torch.equal(hard_negatives(scores, labels), expected[:, :1])


def test_hard_negatives_matches_loop_with_ties_and_never_positive() -> None:
    gen = torch.Generator().manual_seed(12)
    scores = torch.randint(0, 3, (50, 6), generator=gen).float()
    labels = torch.randint(0, 6, (50,), generator=gen)
    for k in range(1, 6):
        got = hard_negatives(scores, labels, k)
        assert got.dtype == torch.int64 and got.shape == (50, k)
        assert not (got == labels[:, None]).any()
        assert torch.equal(got, _hard_negatives_reference(scores, labels, k))
    tied = torch.tensor([[1.0, 1.0, 1.0, 1.0], [float("-inf")] * 4])
    assert torch.equal(hard_negatives(tied, torch.tensor([0, 2]), k=3), torch.tensor([[1, 2, 3], [0, 1, 3]]))


def test_hard_negative_ranking_loss() -> None:
    scores = torch.tensor([[0.1, 0.9, 0.3, 0.85], [0.8, 0.2, 0.7, 0.1]], dtype=F64)
    labels = torch.tensor([1, 0])
    # k=1: row 0 hardest j=3: 0.1 - 0.9 + 0.85 = 0.05; row 1 hardest j=2: 0.1 - 0.8 + 0.7 = 0.0
    torch.testing.assert_close(
        hard_negative_ranking_loss(scores, labels, 0.1, reduction="none"), torch.tensor([0.05, 0.0], dtype=F64)
    )
    torch.testing.assert_close(hard_negative_ranking_loss(scores, labels, 0.4, k=3), ranking_loss(scores, labels, 0.4))
    margin = 0.3
    random_scores, random_labels = _scores_away_from_kinks(4, 5, margin, seed=1)
    assert torch.autograd.gradcheck(
        lambda s: hard_negative_ranking_loss(s, random_labels, margin, k=2), (random_scores,)
    )


# ---- validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: ranking_loss(torch.zeros(3, 4), torch.tensor([0, 1])),
        lambda: ranking_loss(torch.zeros(2, 4), torch.tensor([0, 4])),
        lambda: ranking_loss(torch.zeros(2, 4), torch.tensor([0, -1])),
        lambda: ranking_loss(torch.zeros(2, 4), torch.tensor([0.0, 1.0])),
        lambda: ranking_loss(torch.zeros(4), torch.tensor([0, 1, 2, 3])),
        lambda: ranking_loss(torch.zeros(2, 4), torch.tensor([[0, 1]])),
        lambda: ranking_loss(torch.zeros(2, 4), torch.tensor([0, 1]), reduction="avg"),
        lambda: sampled_ranking_loss(torch.zeros(2, 4), torch.tensor([0, 1]), num_negatives=4),
        lambda: sampled_ranking_loss(torch.zeros(2, 4), torch.tensor([0, 1]), num_negatives=0),
        lambda: sample_negatives(torch.tensor([0, 5]), 5, 2),
        lambda: pairwise_ranking_loss(torch.zeros(3), torch.zeros(2, 4)),
        lambda: pairwise_ranking_loss(torch.zeros(3, 1), torch.zeros(3)),
        lambda: triplet_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 4)),
        lambda: triplet_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 3), distance="l1"),
        lambda: cross_entropy_loss(torch.zeros(2, 3), torch.tensor([0, 3])),
        lambda: cross_entropy_loss(torch.zeros(2, 3), torch.tensor([0, 1]), temperature=0.0),
        lambda: info_nce_loss(torch.zeros(2, 3), torch.zeros(3, 3)),
        lambda: class_aware_info_nce_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.tensor([0, 1, 2])),
        lambda: hard_negatives(torch.zeros(2, 3), torch.tensor([0, 1]), k=3),
        lambda: hard_negatives(torch.zeros(2, 3), torch.tensor([0]), k=1),
        lambda: hard_negative_ranking_loss(torch.zeros(2, 3), torch.tensor([0, 1]), margin=-0.1),
    ],
)
def test_invalid_inputs_raise_value_error(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_label_error_message_is_clear() -> None:
    with pytest.raises(ValueError, match=r"labels has 2 entries but the batch has B=3"):
        ranking_loss(torch.zeros(3, 4), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\)"):
        ranking_loss(torch.zeros(2, 4), torch.tensor([0, 4]))


def test_trusted_labels_skip_only_the_range_check() -> None:
    """Inside ``trusted_labels`` the losses never read label values back (no host sync); shape checks stay."""
    out_of_range = torch.tensor([0, 4])
    with trusted_labels():
        with pytest.raises(RuntimeError, match="out of bounds"):  # torch's own indexing error: our check was skipped
            ranking_loss(torch.zeros(2, 4), out_of_range)
        with pytest.raises(ValueError, match=r"labels has 2 entries but the batch has B=3"):
            ranking_loss(torch.zeros(3, 4), out_of_range)
        assert ranking_loss(torch.zeros(2, 4), torch.tensor([0, 3]), margin=1.0).item() == 3.0
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\)"):
        ranking_loss(torch.zeros(2, 4), out_of_range)


def test_int32_labels_give_the_int64_result_in_every_loss_and_other_dtypes_a_clear_error() -> None:
    """int32 labels (e.g. from NumPy on Windows) give exactly the int64 result; other dtypes name the dtype."""
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(6, 5, generator=gen, dtype=F64)
    embeddings = torch.randn(6, 4, generator=gen, dtype=F64), torch.randn(6, 4, generator=gen, dtype=F64)
    labels = torch.tensor([0, 4, 2, 2, 1, 3])
    calls = {
        "ranking": lambda y: ranking_loss(scores, y),
        "weighted ranking (ALE)": lambda y: weighted_ranking_loss(scores, y, margin=0.5),
        "sampled ranking": lambda y: sampled_ranking_loss(scores, y, 2, generator=torch.Generator().manual_seed(0)),
        "cross-entropy": lambda y: cross_entropy_loss(scores, y, temperature=0.5),
        "class-aware InfoNCE": lambda y: class_aware_info_nce_loss(*embeddings, y),
        "hard negatives": lambda y: hard_negatives(scores, y, k=2),
        "hard-negative ranking": lambda y: hard_negative_ranking_loss(scores, y, k=2),
        "sample_negatives": lambda y: sample_negatives(y, 5, 3, generator=torch.Generator().manual_seed(0)),
    }
    for name, call in calls.items():
        assert torch.equal(call(labels.int()), call(labels)), name
        for dtype in (torch.uint8, torch.int16, torch.float32, torch.bool):
            with pytest.raises(
                ValueError, match=rf"labels must be an int64 \(or int32\) tensor of class ids, got dtype {dtype}"
            ):
                call(labels.to(dtype))
