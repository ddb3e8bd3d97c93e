"""Tests of `zsl_utils.models`: the explicit scoring API, its validation and each model's defining property."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from zsl_utils.clip import CLIP
from zsl_utils.models import (
    CLSWGAN,
    ESZSL,
    MODELS,
    Bilinear,
    ConditionalVAE,
    ConSE,
    DeViSE,
    FittedModel,
    NearestPrototype,
    RegionAttention,
    SingleTokenAttention,
    TokenAttention,
    TwoBranch,
    ZSLModel,
    build_model,
)

D_V, D_S, R, D_R = 12, 6, 3, 5


def _fitted(model: FittedModel) -> FittedModel:
    g = torch.Generator().manual_seed(0)
    features, semantics = torch.randn(30, D_V, generator=g), torch.randn(5, D_S, generator=g)
    return model.fit(features, torch.arange(30) % 5, semantics)


CASES: dict[str, Callable[[], ZSLModel]] = {
    "devise": lambda: DeViSE(D_V, D_S),
    "devise_mlp": lambda: DeViSE(D_V, D_S, hidden_dims=(16, 8), embed_dim=10),
    "bilinear": lambda: Bilinear(D_V, D_S),
    "bilinear_lowrank": lambda: Bilinear(D_V, D_S, rank=3),
    "eszsl": lambda: _fitted(ESZSL(D_V, D_S)),
    "nearest_prototype": lambda: _fitted(NearestPrototype(D_V, D_S)),
    "conse": lambda: _fitted(ConSE(D_V, D_S, top_t=3)),
    "devise_dot": lambda: DeViSE(D_V, D_S, cosine=False),
    "single_token": lambda: SingleTokenAttention(D_V, D_S, hidden_dim=8, num_heads=2),
    "region_attention": lambda: RegionAttention(D_R, D_S, num_regions=None, hidden_dim=8),
    "region_attention_fixed": lambda: RegionAttention(D_R, D_S, num_regions=R, hidden_dim=8),
    "token_attention": lambda: TokenAttention(D_V, D_S, num_tokens=4, hidden_dim=8),
    "two_branch": lambda: TwoBranch(D_V, D_S, embed_dim=8, visual_hidden=(16,), semantic_hidden=(8,)),
}


def _visual(model: ZSLModel, batch: int) -> torch.Tensor:
    if model.input_kind == "regions":
        return torch.randn(batch, R, D_R)
    return torch.randn(batch, D_V)


@pytest.fixture(params=sorted(CASES))
def model(request) -> ZSLModel:
    torch.manual_seed(0)
    return CASES[request.param]()


# The explicit API, for every model --------------------------------------------------------------------------------


def test_class_scores_when_batch_equals_classes_is_the_full_matrix(model):
    model.eval()
    visual, semantics = _visual(model, 4), torch.randn(4, D_S)
    scores = model.class_scores(visual, semantics)
    pairs = model.pair_scores(visual, semantics)
    assert scores.shape == (4, 4)
    assert pairs.shape == (4,)
    torch.testing.assert_close(scores.diagonal(), pairs)
    assert model.class_scores(visual, semantics[:3]).shape == (4, 3)
    assert model.class_scores(visual, torch.randn(7, D_S)).shape == (4, 7)
    torch.testing.assert_close(model(visual, semantics), scores)


def test_embeddings_share_a_joint_space(model):
    visual_emb = model.embed_visual(_visual(model, 4))
    semantic_emb = model.embed_semantic(torch.randn(3, D_S))
    assert visual_emb.dim() == semantic_emb.dim() == 2
    assert visual_emb.shape[0] == 4 and semantic_emb.shape[0] == 3
    assert visual_emb.shape[1] == semantic_emb.shape[1]


@pytest.mark.parametrize("training", [True, False])
def test_predict_restores_mode_and_disables_grad(model, training):
    model.train(training)
    visual, semantics = _visual(model, 4), torch.randn(5, D_S)
    grad_enabled = []
    original = model.class_scores

    def spy(*args):
        grad_enabled.append(torch.is_grad_enabled())
        assert not model.training
        return original(*args)

    model.class_scores = spy
    predicted = model.predict(visual, semantics)
    assert grad_enabled == [False]
    assert predicted.dtype == torch.int64 and predicted.shape == (4,)
    assert all(module.training == training for module in model.modules())
    model.eval()
    torch.testing.assert_close(predicted, original(visual, semantics).argmax(dim=1))


def test_predict_restores_mixed_submodule_modes():
    model = DeViSE(D_V, D_S, hidden_dims=(16,))
    model.train()
    model.visual_map[1].eval()  # a frozen BatchNorm
    model.predict(torch.randn(3, D_V), torch.randn(4, D_S))
    assert model.training and not model.visual_map[1].training and model.visual_map[3].training


def test_predict_restores_mode_when_scoring_raises():
    model = DeViSE(D_V, D_S).train()
    with pytest.raises(ValueError):
        model.predict(torch.randn(3, D_V + 1), torch.randn(4, D_S))
    assert model.training


# Validation --------------------------------------------------------------------------------------------------------


def test_wrong_visual_dim_names_shapes(model):
    visual = _visual(model, 4)
    bad = torch.randn(*visual.shape[:-1], visual.shape[-1] + 1)
    got = ", ".join(map(str, bad.shape))
    with pytest.raises(ValueError, match=rf"expected visual .*{model.visual_dim}\).*got visual \({got}\)"):
        model.class_scores(bad, torch.randn(3, D_S))
    with pytest.raises(ValueError, match="embed_visual"):
        model.embed_visual(bad)


def test_wrong_visual_rank_is_rejected(model):
    visual = _visual(model, 4)
    bad = visual.reshape(4, -1) if visual.dim() == 3 else visual[:, None]
    with pytest.raises(ValueError, match="visual"):
        model.class_scores(bad, torch.randn(3, D_S))


def test_wrong_semantic_dim_names_shapes(model):
    with pytest.raises(ValueError, match=rf"semantics \(C >= 1, {D_S}\).*semantics \(3, {D_S + 1}\)"):
        model.class_scores(_visual(model, 4), torch.randn(3, D_S + 1))
    with pytest.raises(ValueError, match="embed_semantic"):
        model.embed_semantic(torch.randn(3, D_S - 1))
    with pytest.raises(ValueError, match="C >= 1"):
        model.predict(_visual(model, 4), torch.randn(0, D_S))


def test_pair_scores_needs_one_semantic_row_per_image(model):
    with pytest.raises(ValueError, match=rf"semantics \(4, {D_S}\).*got .*semantics \(3, {D_S}\).*class_scores"):
        model.pair_scores(_visual(model, 4), torch.randn(3, D_S))


def test_non_tensor_input_is_a_type_error():
    with pytest.raises(TypeError, match="torch.Tensor"):
        Bilinear(D_V, D_S).class_scores([[0.0] * D_V], torch.randn(2, D_S))


@pytest.mark.parametrize(
    "make",
    [
        lambda: DeViSE(0, D_S),
        lambda: DeViSE(D_V, D_S, temperature=0.0),
        lambda: DeViSE(D_V, D_S, hidden_dims=(8,), dropout=1.0),
        lambda: Bilinear(D_V, D_S, rank=0),
        lambda: ESZSL(D_V, D_S, gamma=0.0),
        lambda: SingleTokenAttention(D_V, D_S, hidden_dim=10, num_heads=4),
        lambda: TokenAttention(D_V, D_S, num_tokens=5),
        lambda: TwoBranch(D_V, D_S, temperature=-1.0),
    ],
)
def test_bad_hyperparameters_are_rejected(make):
    with pytest.raises(ValueError):
        make()


# DeViSE --------------------------------------------------------------------------------------------------------------


def test_devise_linear_is_the_map_M_into_the_semantic_space():
    model = DeViSE(D_V, D_S)
    visual, semantics = torch.randn(4, D_V), torch.randn(3, D_S)
    assert isinstance(model.visual_map, torch.nn.Linear) and model.visual_map.bias is None
    torch.testing.assert_close(model.embed_visual(visual), visual @ model.visual_map.weight.T)
    torch.testing.assert_close(model.embed_semantic(semantics), semantics)
    assert [name for name, _ in model.named_parameters()] == ["visual_map.weight"]


def test_devise_projects_semantics_only_when_embed_dim_differs():
    assert isinstance(DeViSE(D_V, D_S, embed_dim=D_S).semantic_map, torch.nn.Identity)
    model = DeViSE(D_V, D_S, embed_dim=10)
    assert model.embed_semantic(torch.randn(3, D_S)).shape == (3, 10)
    assert model.semantic_map.weight.requires_grad


def test_devise_mlp_predicts_a_single_image_and_rejects_it_in_training():
    model = DeViSE(D_V, D_S, hidden_dims=(16, 8)).train()
    single, semantics = torch.randn(1, D_V), torch.randn(5, D_S)
    assert model.predict(single, semantics).shape == (1,)
    assert model.training
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(1, 12\).*eval"):
        model.class_scores(single, semantics)
    model.eval()
    assert model.class_scores(single, semantics).shape == (1, 5)


@pytest.mark.parametrize(
    "make",
    [
        lambda t: DeViSE(D_V, D_S, hidden_dims=(16,), temperature=t),
        lambda t: TwoBranch(D_V, D_S, embed_dim=8, visual_hidden=(16,), semantic_hidden=(8,), temperature=t),
    ],
)
def test_temperature_scales_cosine_scores(make):
    torch.manual_seed(0)
    warm, cold = make(1.0).eval(), make(0.25).eval()
    assert cold.temperature.item() == 0.25
    weights = {k: v for k, v in warm.state_dict().items() if k != "temperature"}
    cold.load_state_dict(weights, strict=False)
    visual, semantics = torch.randn(4, D_V), torch.randn(3, D_S)
    cosine = torch.nn.functional.cosine_similarity(
        warm.embed_visual(visual)[:, None], warm.embed_semantic(semantics)[None], dim=-1
    )
    torch.testing.assert_close(warm.class_scores(visual, semantics), cosine)
    torch.testing.assert_close(cold.class_scores(visual, semantics), 4 * cosine)
    torch.testing.assert_close(cold.pair_scores(visual, semantics[[0, 1, 2, 0]]), 4 * cosine[range(4), [0, 1, 2, 0]])


# Bilinear -----------------------------------------------------------------------------------------------------------


def test_bilinear_full_is_vT_W_s():
    torch.manual_seed(0)
    model = Bilinear(D_V, D_S).double()
    visual, semantics = torch.randn(4, D_V, dtype=torch.float64), torch.randn(5, D_S, dtype=torch.float64)
    expected = torch.einsum("bi,ij,cj->bc", visual, model.W, semantics)
    torch.testing.assert_close(model.class_scores(visual, semantics), expected, rtol=1e-12, atol=1e-12)
    assert model.weight is model.W


def test_bilinear_low_rank_is_vT_U_VT_s():
    torch.manual_seed(0)
    model = Bilinear(D_V, D_S, rank=2).double()
    U, V = model.visual_factor.weight.T, model.semantic_factor.weight.T  # W_v (d_v, r), W_s (d_s, r)
    assert U.shape == (D_V, 2) and V.shape == (D_S, 2)
    assert model.visual_factor.bias is None and model.semantic_factor.bias is None
    torch.testing.assert_close(model.weight, U @ V.T)
    assert torch.linalg.matrix_rank(model.weight) == 2
    visual, semantics = torch.randn(4, D_V, dtype=torch.float64), torch.randn(5, D_S, dtype=torch.float64)
    expected = torch.einsum("bi,ij,cj->bc", visual, U @ V.T, semantics)
    torch.testing.assert_close(model.class_scores(visual, semantics), expected, rtol=1e-12, atol=1e-12)


# ESZSL --------------------------------------------------------------------------------------------------------------


def _eszsl_objective(V, X, Y, S, gamma, lam):
    return (
        (X @ V @ S.T - Y).square().sum()
        + gamma * (V @ S.T).square().sum()
        + lam * (X @ V).square().sum()
        + gamma * lam * V.square().sum()
    )


def test_eszsl_closed_form_is_a_stationary_point_of_its_objective():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(40, D_V, generator=g, dtype=torch.float64)
    labels = torch.arange(40) % 4
    semantics = torch.randn(6, D_S, generator=g, dtype=torch.float64)
    classes = torch.tensor([3, 0, 1, 2, 5])  # class 5 is given but has no images: a column of -1
    Y = (labels[:, None] == classes[None]).double() * 2 - 1
    S = semantics[classes]
    gamma, lam = 0.7, 2.0

    V = ESZSL.closed_form(X, Y, S, gamma, lam).requires_grad_(True)
    (grad,) = torch.autograd.grad(_eszsl_objective(V, X, Y, S, gamma, lam), V)
    zero = torch.zeros_like(V, requires_grad=True)
    (grad_at_zero,) = torch.autograd.grad(_eszsl_objective(zero, X, Y, S, gamma, lam), zero)
    assert grad.norm() < 1e-10 * grad_at_zero.norm()

    model = ESZSL(D_V, D_S, gamma=gamma, lam=lam).fit(X.float(), labels, semantics.float(), classes)
    assert model.W.dtype == torch.float32 and model.W.shape == (D_V, D_S)
    torch.testing.assert_close(model.W, V.detach().float())
    X32, S32 = X.float()[:5], semantics.float()
    torch.testing.assert_close(model.class_scores(X32, S32), X32 @ model.W @ S32.T)
    torch.testing.assert_close(model.embed_semantic(S32), S32)


def test_eszsl_negative_target_codes_y_and_halves_v_on_centred_features():
    g = torch.Generator().manual_seed(2)
    X = torch.randn(30, D_V, generator=g, dtype=torch.float64) + 3.0  # not centred
    labels = torch.arange(30) % 5
    semantics = torch.randn(5, D_S, generator=g, dtype=torch.float64)
    match = (labels[:, None] == torch.arange(5)[None]).double()
    binary = ESZSL(D_V, D_S, gamma=0.5, lam=2.0, negative_target=0.0).fit(X.float(), labels, semantics.float())
    torch.testing.assert_close(binary.W, ESZSL.closed_form(X, match, semantics, 0.5, 2.0).float())
    signed = ESZSL(D_V, D_S, gamma=0.5, lam=2.0).fit(X.float(), labels, semantics.float())
    assert not torch.allclose(binary.W, signed.W / 2, atol=1e-3)  # uncentred features: the coding matters
    centred = X - X.mean(dim=0)  # X^T 1 = 0: Y01 = (Y + 1 1^T) / 2 gives V / 2
    binary.fit(centred.float(), labels, semantics.float())
    signed.fit(centred.float(), labels, semantics.float())
    torch.testing.assert_close(binary.W, signed.W / 2)
    with pytest.raises(ValueError, match="negative_target must be < 1"):
        ESZSL(D_V, D_S, negative_target=1.0)


def test_eszsl_default_classes_are_those_present():
    g = torch.Generator().manual_seed(1)
    X, semantics = torch.randn(20, D_V, generator=g), torch.randn(6, D_S, generator=g)
    labels = torch.tensor([4, 1, 2] * 6 + [1, 4])
    fitted = ESZSL(D_V, D_S).fit(X, labels, semantics)
    explicit = ESZSL(D_V, D_S).fit(X, labels, semantics, classes=torch.tensor([1, 2, 4]))
    torch.testing.assert_close(fitted.W, explicit.W)
    with_extra = ESZSL(D_V, D_S).fit(X, labels, semantics, classes=torch.tensor([1, 2, 4, 0]))
    assert not torch.allclose(fitted.W, with_extra.W)


def test_eszsl_classifies_unseen_classes_from_their_attributes():
    g = torch.Generator().manual_seed(0)
    attributes = torch.tensor(
        [
            [1, 0, 0, 1],
            [0, 1, 0, 1],
            [0, 0, 1, 1],
            [1, 1, 0, 0],
            [0, 1, 1, 0],
            [1, 0, 1, 0],  # seen
            [1, 1, 1, 0],
            [0, 0, 0, 1],
        ],  # unseen
        dtype=torch.float32,
    )
    mixing = torch.randn(4, 20, generator=g)

    def images(classes: list[int], per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
        labels = torch.tensor(classes).repeat_interleave(per_class)
        return attributes[labels] @ mixing + 0.1 * torch.randn(len(labels), 20, generator=g), labels

    X_seen, y_seen = images([0, 1, 2, 3, 4, 5], 30)
    model = ESZSL(20, 4, gamma=0.1, lam=0.1).fit(X_seen, y_seen, attributes)
    X_unseen, y_unseen = images([6, 7], 50)
    predicted = model.predict(X_unseen, attributes[6:]) + 6
    assert (predicted == y_unseen).float().mean() > 0.95


def test_eszsl_needs_fit_and_consistent_labels():
    model = ESZSL(D_V, D_S)
    with pytest.raises(RuntimeError, match="fit"):
        model.class_scores(torch.randn(2, D_V), torch.randn(3, D_S))
    X, semantics = torch.randn(4, D_V), torch.randn(3, D_S)
    with pytest.raises(ValueError, match=r"labels \[2\] are not among classes"):
        model.fit(X, torch.tensor([0, 1, 2, 0]), semantics, classes=torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="labels of shape"):
        model.fit(X, torch.tensor([0, 1]), semantics)
    with pytest.raises(ValueError, match="index the 3 rows"):
        model.fit(X, torch.tensor([0, 1, 3, 0]), semantics)
    with pytest.raises(ValueError, match=rf"ESZSL.fit: expected visual \(B, {D_V}\).*got visual \(4, {D_V + 1}\)"):
        model.fit(torch.randn(4, D_V + 1), torch.tensor([0, 1, 2, 0]), semantics)


def test_devise_dot_product_is_the_papers_score():
    """cosine=False: s_c^T M v with unit-norm class vectors (Frome et al.), the length of M v kept."""
    torch.manual_seed(0)
    model = DeViSE(D_V, D_S, cosine=False)
    visual, semantics = torch.randn(4, D_V), torch.randn(3, D_S)
    M = model.visual_map.weight  # (d_s, d_v)
    expected = visual @ M.T @ torch.nn.functional.normalize(semantics, dim=1).T
    torch.testing.assert_close(model.class_scores(visual, semantics), expected)
    torch.testing.assert_close(model.class_scores(3 * visual, semantics), 3 * expected)


def test_nearest_prototype_is_ridge_from_semantics_to_class_means():
    """An independent numpy version: class means, A = argmin ||S A - M||^2 + lam ||A||^2, cosine to s_c A."""
    g = np.random.default_rng(0)
    features, semantics = g.normal(size=(40, D_V)), g.normal(size=(7, D_S))
    labels = np.arange(40) % 4 + 1  # classes 1..4 trained; 0, 5, 6 unseen
    lam = 0.3
    means = np.stack([features[labels == c].mean(axis=0) for c in range(1, 5)])
    S = semantics[1:5]
    A = np.linalg.lstsq(
        np.vstack([S, np.sqrt(lam) * np.eye(D_S)]), np.vstack([means, np.zeros((D_S, D_V))]), rcond=None
    )[0]
    prototypes = semantics @ A
    query = g.normal(size=(5, D_V))
    expected = (query / np.linalg.norm(query, axis=1, keepdims=True)) @ (
        prototypes / np.linalg.norm(prototypes, axis=1, keepdims=True)
    ).T
    model = NearestPrototype(D_V, D_S, lam=lam).fit(
        torch.tensor(features).float(), torch.tensor(labels), torch.tensor(semantics).float()
    )
    torch.testing.assert_close(
        model.class_scores(torch.tensor(query).float(), torch.tensor(semantics).float()),
        torch.tensor(expected).float(),
        atol=1e-5,
        rtol=1e-4,
    )


def test_conse_mixes_the_top_t_class_vectors_by_probability():
    g = torch.Generator().manual_seed(0)
    semantics = torch.randn(6, D_S, generator=g)
    labels = torch.arange(60) % 4  # training classes 0..3
    features = torch.randn(60, D_V, generator=g) + 3 * torch.nn.functional.one_hot(labels, D_V).float()
    model = ConSE(D_V, D_S, top_t=2, weight_decay=1e-3).fit(features, labels, semantics, torch.arange(4))
    # The classifier fits its training classes.
    assert (model.classifier(features).argmax(dim=1) == labels).float().mean() > 0.9
    query = torch.randn(5, D_V, generator=g)
    probabilities = model.classifier(query).softmax(dim=1)  # (5, 4)
    expected = []
    for p in probabilities:
        top = p.topk(2)
        mix = (top.values[:, None] * semantics[top.indices]).sum(dim=0) / top.values.sum()
        expected.append(torch.nn.functional.cosine_similarity(mix[None], semantics, dim=1))
    torch.testing.assert_close(model.class_scores(query, semantics), torch.stack(expected), atol=1e-5, rtol=1e-4)
    # With T = all training classes every class vector takes part.
    full = ConSE(D_V, D_S, top_t=10).fit(features, labels, semantics, torch.arange(4))
    torch.testing.assert_close(full.embed_visual(query), full.classifier(query).softmax(dim=1) @ semantics[:4])


def test_feature_norm_uses_training_statistics_and_applies_everywhere():
    torch.manual_seed(0)
    train = 5 + 2 * torch.randn(50, D_V)
    model = Bilinear(D_V, D_S).set_feature_norm("standardise", train)
    visual, semantics = torch.randn(4, D_V), torch.randn(3, D_S)
    standardised = (visual - train.mean(dim=0)) / train.std(dim=0, correction=0)
    torch.testing.assert_close(model.class_scores(visual, semantics), standardised @ model.W @ semantics.T)
    torch.testing.assert_close(model.embed_visual(visual), standardised @ model.W)
    model.set_feature_norm("l2", train)
    torch.testing.assert_close(
        model.class_scores(visual, semantics), torch.nn.functional.normalize(visual, dim=1) @ model.W @ semantics.T
    )
    assert model.set_feature_norm("none", train).feature_norm is None
    with pytest.raises(ValueError, match="feature_norm must be one of"):
        model.set_feature_norm("zscore", train)
    # A fitted model solves on normalised features and scores normalised features.
    eszsl = ESZSL(D_V, D_S).set_feature_norm("standardise", train)
    eszsl.fit(train, torch.arange(50) % 3, semantics)
    reference = ESZSL(D_V, D_S).fit(
        (train - train.mean(0)) / train.std(0, correction=0), torch.arange(50) % 3, semantics
    )
    torch.testing.assert_close(eszsl.W, reference.W)


# Attention -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_single_token_attention_ignores_the_semantic_input(seed):
    torch.manual_seed(seed)
    model = SingleTokenAttention(D_V, D_S, hidden_dim=8, num_heads=2)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0, 1)  # any weights
    visual, semantics = torch.randn(4, D_V), torch.randn(5, D_S)
    weights = model.attention_weights(visual, semantics)
    assert weights.shape == (4, 5, 2)
    assert torch.equal(weights, torch.ones_like(weights))
    scores = model.class_scores(visual, semantics)
    torch.testing.assert_close(scores, scores[:, :1].expand(4, 5))
    torch.testing.assert_close(model.class_scores(visual, 10 * torch.randn(5, D_S)), scores)


def _region_models() -> list[tuple[ZSLModel, Callable[[int], torch.Tensor]]]:
    torch.manual_seed(0)
    return [
        (RegionAttention(D_R, D_S, num_regions=5, hidden_dim=8), lambda b: torch.randn(b, 5, D_R)),
        (RegionAttention(D_R, D_S, num_regions=None, hidden_dim=8), lambda b: torch.randn(b, 5, D_R)),
        (TokenAttention(20, D_S, num_tokens=5, hidden_dim=8), lambda b: torch.randn(b, 20)),
    ]


@pytest.mark.parametrize("index", range(3))
def test_attention_weights_sum_to_one_and_differ_across_keys(index):
    model, make_visual = _region_models()[index]
    weights = model.attention(make_visual(5))
    assert weights.shape == (5, D_S, 5)  # (B, A, R) with B == R
    torch.testing.assert_close(weights.sum(dim=-1), torch.ones(5, D_S))
    assert (weights.max(dim=-1).values - weights.min(dim=-1).values).min() > 1e-4


@pytest.mark.parametrize("index", range(3))
def test_attention_scores_depend_on_both_inputs(index):
    model, make_visual = _region_models()[index]
    visual, semantics = make_visual(5), torch.randn(5, D_S)
    scores = model.class_scores(visual, semantics)
    assert scores.shape == (5, 5)  # B == C == R

    changed_class = semantics.clone()
    changed_class[2] = torch.randn(D_S)
    new = model.class_scores(visual, changed_class)
    assert (new[:, 2] - scores[:, 2]).abs().min() > 1e-6
    torch.testing.assert_close(new[:, [0, 1, 3, 4]], scores[:, [0, 1, 3, 4]])

    changed_image = visual.clone()
    changed_image[1] = make_visual(1)[0]
    new = model.class_scores(changed_image, semantics)
    assert (new[1] - scores[1]).abs().min() > 1e-6
    torch.testing.assert_close(new[[0, 2, 3, 4]], scores[[0, 2, 3, 4]])


def test_region_attention_follows_its_equation():
    torch.manual_seed(0)
    model = RegionAttention(D_R, D_S, num_regions=R, hidden_dim=8).double()
    visual, semantics = torch.randn(3, R, D_R, dtype=torch.float64), torch.randn(4, D_S, dtype=torch.float64)
    e = model.attribute_embed
    expected = torch.zeros(3, 4, dtype=torch.float64)
    for b in range(3):
        keys = model.key(visual[b]) + model.position
        values = model.value(visual[b])
        for c in range(4):
            for a in range(D_S):
                alpha = torch.softmax(keys @ model.query(e[a]) / 8**0.5, dim=0)
                expected[b, c] += semantics[c, a] * (alpha @ values) @ e[a]
    torch.testing.assert_close(model.class_scores(visual, semantics), expected)


def test_region_attention_computes_attention_once_per_batch(monkeypatch):
    model = RegionAttention(D_R, D_S, hidden_dim=8)
    calls = []
    original = model._attention
    monkeypatch.setattr(model, "_attention", lambda visual: calls.append(visual.shape) or original(visual))
    model.class_scores(torch.randn(4, R, D_R), torch.randn(7, D_S))
    assert calls == [(4, R, D_R)]


def test_region_attention_checks_the_number_of_regions():
    model = RegionAttention(D_R, D_S, num_regions=R)
    with pytest.raises(ValueError, match=rf"expected visual \(B, {R}, {D_R}\).*got visual \(2, {R + 1}, {D_R}\)"):
        model.class_scores(torch.randn(2, R + 1, D_R), torch.randn(3, D_S))
    assert model.input_kind == "regions"


def test_token_attention_delegates_to_region_attention():
    torch.manual_seed(0)
    model = TokenAttention(D_V, D_S, num_tokens=4, hidden_dim=8)
    assert model.input_kind == "features" and isinstance(model.regions, RegionAttention)
    visual, semantics = torch.randn(3, D_V), torch.randn(2, D_S)
    tokens = visual.reshape(3, 4, D_V // 4)
    torch.testing.assert_close(model.class_scores(visual, semantics), model.regions.class_scores(tokens, semantics))
    torch.testing.assert_close(model.attention(visual), model.regions.attention(tokens))


# Registry -----------------------------------------------------------------------------------------------------------


EXPECTED_CLASSES = {
    "nearest_prototype": NearestPrototype,
    "conse": ConSE,
    "ale": Bilinear,
    "sje": Bilinear,
    "devise": DeViSE,
    "devise_cosine": DeViSE,
    "devise_mlp": DeViSE,
    "bilinear": Bilinear,
    "bilinear_lowrank": Bilinear,
    "eszsl": ESZSL,
    "attention": TokenAttention,
    "region_attention": RegionAttention,
    "two_branch": TwoBranch,
    "clswgan": CLSWGAN,
    "cvae": ConditionalVAE,
    "clip": CLIP,
}


def test_registry_builds_each_model():
    assert set(MODELS) == set(EXPECTED_CLASSES)
    for name, cls in EXPECTED_CLASSES.items():
        if cls is CLIP:  # its visual input carries caption tokens, its semantics prompt tokens (tests/test_clip.py)
            continue
        model = build_model(name, 16, D_S)
        assert type(model) is cls and model.visual_dim == 16 and model.semantic_dim == D_S
    assert build_model("devise_mlp", 16, D_S).hidden_dims == (2048, 1024)
    assert build_model("devise", 16, D_S).hidden_dims == () and not build_model("devise", 16, D_S).cosine
    assert build_model("devise_cosine", 16, D_S).cosine
    assert build_model("bilinear_lowrank", 16, D_S).rank == 64
    assert build_model("bilinear_lowrank", 16, D_S, rank=3).rank == 3
    assert build_model("bilinear", 16, D_S).rank is None
    assert build_model("clswgan", 16, D_S).critic_steps == 1  # the course's schedule, not the paper's five


def test_unknown_model_lists_valid_names():
    with pytest.raises(
        ValueError, match="unknown model 'clip_vit'.*bilinear, bilinear_lowrank, clip, clswgan, conse, cvae, devise"
    ):
        build_model("clip_vit", 16, D_S)
