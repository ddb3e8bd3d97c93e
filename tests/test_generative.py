"""Feature generation for unseen classes: the losses against hand values, the generators, synthesis, the fitted
classifier, and selection on the validation classes only."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from zsl_utils.data import dataset_folder, load_xlsa17
from zsl_utils.generative import (
    ConditionalGenerator,
    Critic,
    Encoder,
    critic_loss,
    generator_loss,
    gradient_penalty,
    kl_divergence,
    synthesize,
    vae_loss,
)
from zsl_utils.models import CLSWGAN, ConditionalVAE
from zsl_utils.selection import select_and_train
from zsl_utils.train import TrainConfig
from zsl_utils.utils import set_seed

TINY = TrainConfig(epochs=2, batch_size=32, lr=1e-3, progress=False)


@pytest.fixture(scope="module")
def shapes():
    return load_xlsa17(dataset_folder("SHAPES"), name="SHAPES")


def toy_problem(seed: int = 0, classes: int = 8, per_class: int = 30, d_s: int = 5, d_v: int = 12):
    """Features relu(A s_c + noise) of ``classes`` classes: (features, labels, semantics)."""
    g = torch.Generator().manual_seed(seed)
    semantics = torch.rand(classes, d_s, generator=g)
    A = torch.randn(d_v, d_s, generator=g)
    labels = torch.arange(classes).repeat_interleave(per_class)
    features = torch.relu(semantics[labels] @ A.T * 3 + 0.1 * torch.randn(len(labels), d_v, generator=g))
    return features, labels, semantics


# Losses ------------------------------------------------------------------------------------------------------


def test_gradient_penalty_of_a_linear_critic_is_hand_computed():
    """D(x, s) = w.x + u.s has grad_x D = w everywhere: the penalty is (|w| - 1)^2 whatever x, s and alpha."""
    w, u = torch.tensor([3.0, 4.0, 0.0]), torch.tensor([1.0, -2.0])

    def critic(x, s):
        return x @ w + s @ u

    real, fake, s = torch.randn(6, 3), torch.randn(6, 3), torch.randn(6, 2)
    penalty = gradient_penalty(critic, real, fake, s, torch.rand(6, 1))
    torch.testing.assert_close(penalty, torch.tensor((5.0 - 1.0) ** 2))


def test_gradient_penalty_matches_finite_differences():
    torch.manual_seed(0)
    critic = Critic(4, 3, 16).double()
    real, fake, s, alpha = (
        torch.randn(5, 4).double(),
        torch.randn(5, 4).double(),
        torch.rand(5, 3).double(),
        torch.rand(5, 1).double(),
    )
    mixed = alpha * real + (1 - alpha) * fake
    eps = 1e-6
    with torch.no_grad():
        norms = [_finite_difference_norm(critic, mixed[i : i + 1], s[i : i + 1], eps) for i in range(5)]
    expected = sum((n - 1) ** 2 for n in norms) / 5
    assert float(gradient_penalty(critic, real, fake, s, alpha).detach()) == pytest.approx(expected, rel=1e-6)


def _finite_difference_norm(critic, x, s, eps):
    """|grad_x D(x, s)| by central differences, x: (1, d)."""
    grad = []
    for j in range(x.shape[1]):
        step = torch.zeros_like(x)
        step[0, j] = eps
        grad.append(float((critic(x + step, s) - critic(x - step, s)) / (2 * eps)))
    return math.sqrt(sum(g * g for g in grad))


def test_gradient_penalty_trains_the_critic():
    """The penalty is differentiable in the critic's weights (create_graph): for D = w.x, d/dw (|w| - 1)^2."""
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    penalty = gradient_penalty(
        lambda x, s: x @ w, torch.randn(4, 2), torch.randn(4, 2), torch.zeros(4, 1), torch.rand(4, 1)
    )
    penalty.backward()
    torch.testing.assert_close(w.grad, 2 * (5.0 - 1.0) * torch.tensor([3.0, 4.0]) / 5.0)


def test_critic_and_generator_losses():
    def critic(x, s):
        return x.sum(dim=1) + s.sum(dim=1)

    real, fake, s = torch.ones(2, 3), torch.zeros(2, 3), torch.zeros(2, 1)
    # E[D(fake)] - E[D(real)] = 0 - 3; the penalty of D = sum(x) is (sqrt(3) - 1)^2
    loss = critic_loss(critic, real, fake, s, torch.full((2, 1), 0.5), gp_weight=10.0)
    torch.testing.assert_close(loss, torch.tensor(-3.0 + 10 * (math.sqrt(3) - 1) ** 2))
    logits, targets = torch.tensor([[0.0, 0.0]]), torch.tensor([1])
    torch.testing.assert_close(
        generator_loss(torch.tensor([2.0]), logits, targets, 0.5), torch.tensor(-2.0 + 0.5 * math.log(2))
    )


def test_kl_divergence_closed_form_on_a_hand_batch():
    mu = torch.tensor([[0.0, 0.0], [1.0, 2.0]])
    log_var = torch.tensor([[0.0, 0.0], [math.log(2.0), 0.0]])
    # 1/2 [(1 + 2 - 1 - log 2) + (4 + 1 - 1 - 0)] = 3 - log(2) / 2
    torch.testing.assert_close(kl_divergence(mu, log_var), torch.tensor([0.0, 3.0 - math.log(2.0) / 2]))
    normal = torch.distributions.Normal
    reference = torch.distributions.kl_divergence(normal(mu, (0.5 * log_var).exp()), normal(0.0, 1.0)).sum(dim=1)
    torch.testing.assert_close(kl_divergence(mu, log_var), reference)


def test_vae_loss_is_the_negative_elbo():
    x, reconstruction = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, 0.0]])
    mu, log_var = torch.tensor([[1.0]]), torch.tensor([[0.0]])
    # 1/2 |x - x'|^2 = 2.5; KL = 1/2 (1 + 1 - 1 - 0) = 0.5
    torch.testing.assert_close(vae_loss(x, reconstruction, mu, log_var), torch.tensor(3.0))
    torch.testing.assert_close(vae_loss(x, reconstruction, mu, log_var, kl_weight=0.1), torch.tensor(2.55))


# Networks and synthesis ------------------------------------------------------------------------------------------


def test_network_shapes():
    generator, critic, encoder = ConditionalGenerator(5, 12, 3, 16), Critic(12, 5, 16), Encoder(12, 5, 3, 16)
    fake = generator(torch.randn(7, 3), torch.rand(7, 5))
    assert fake.shape == (7, 12) and bool((fake >= 0).all())
    assert critic(fake, torch.rand(7, 5)).shape == (7,)
    mu, log_var = encoder(fake, torch.rand(7, 5))
    assert mu.shape == log_var.shape == (7, 3)


def test_synthesize_labels_counts_and_seed():
    generator = ConditionalGenerator(5, 12, 3, 16)
    semantics = torch.rand(9, 5)
    features, labels = synthesize(generator, semantics, torch.tensor([7, 2, 4]), n_per_class=6, seed=1)
    assert features.shape == (18, 12)
    assert labels.tolist() == [7] * 6 + [2] * 6 + [4] * 6
    again, _ = synthesize(generator, semantics, torch.tensor([7, 2, 4]), n_per_class=6, seed=1)
    torch.testing.assert_close(features, again)
    other, _ = synthesize(generator, semantics, torch.tensor([7, 2, 4]), n_per_class=6, seed=2)
    assert not torch.equal(features, other)


@pytest.mark.parametrize(
    "semantics, classes, n, message",
    [
        (torch.rand(9, 4), torch.tensor([1]), 3, "semantic width"),
        (torch.rand(9, 5), torch.tensor([1]), 0, "n_per_class"),
        (torch.rand(9, 5), torch.tensor([1]), -2, "n_per_class"),
        (torch.rand(9, 5), torch.tensor([9]), 3, "index the 9 rows"),
        (torch.rand(9, 5), torch.tensor([]), 3, "non-empty"),
    ],
)
def test_synthesize_rejects_bad_input(semantics, classes, n, message):
    with pytest.raises(ValueError, match=message):
        synthesize(ConditionalGenerator(5, 12, 3, 16), semantics, classes, n)


# The fitted classifier ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_class", [CLSWGAN, ConditionalVAE])
def test_fit_is_deterministic_under_a_seed(model_class):
    features, labels, semantics = toy_problem()
    seen, unseen = torch.arange(6), torch.tensor([6, 7])
    keep = labels < 6

    def fitted(seed):
        set_seed(seed)
        model = model_class(12, 5, hidden_dim=16, n_per_class=10, classifier_epochs=2)
        return model.fit(features[keep], labels[keep], semantics, seen, unseen, dataclasses.replace(TINY, seed=seed))

    a, b, c = fitted(0), fitted(0), fitted(1)
    scores = a.class_scores(features, semantics)
    assert scores.shape == (len(features), 8)
    torch.testing.assert_close(scores, b.class_scores(features, semantics))
    assert not torch.equal(scores, c.class_scores(features, semantics))


def test_refitting_the_classifier_alone_equals_a_fresh_fit():
    """Selection reuses a generator across values of n_per_class: the refit must equal a fit from scratch."""
    import copy

    features, labels, semantics = toy_problem()
    keep, seen, unseen = labels < 6, torch.arange(6), torch.tensor([6, 7])
    set_seed(0)
    fresh = CLSWGAN(12, 5, hidden_dim=16, n_per_class=5, classifier_epochs=2).fit(
        features[keep], labels[keep], semantics, seen, unseen, TINY
    )
    set_seed(0)
    other = CLSWGAN(12, 5, hidden_dim=16, n_per_class=40, classifier_epochs=2).fit(
        features[keep], labels[keep], semantics, seen, unseen, TINY
    )
    refit = copy.deepcopy(other).set_classifier_params(n_per_class=5)
    refit.fit(features[keep], labels[keep], semantics, seen, unseen, TINY, train_generator=False)
    torch.testing.assert_close(refit.class_scores(features, semantics), fresh.class_scores(features, semantics))
    assert not torch.equal(other.class_scores(features, semantics), fresh.class_scores(features, semantics))
    with pytest.raises(ValueError, match="not a classifier parameter"):
        refit.set_classifier_params(cls_weight=1.0)
    with pytest.raises(ValueError, match="n_per_class must be a positive int"):
        refit.set_classifier_params(n_per_class=0)


def test_class_scores_follow_the_given_rows():
    features, labels, semantics = toy_problem()
    keep = labels < 6
    set_seed(0)
    model = ConditionalVAE(12, 5, hidden_dim=16, n_per_class=10, classifier_epochs=2)
    model.fit(features[keep], labels[keep], semantics, torch.arange(6), torch.tensor([6, 7]), TINY)
    full = model.class_scores(features, semantics)
    order = torch.tensor([7, 0, 3])
    torch.testing.assert_close(model.class_scores(features, semantics[order]), full[:, order])
    torch.testing.assert_close(model.pair_scores(features[:3], semantics[order]), full[torch.arange(3), order])
    with pytest.raises(ValueError, match="none of the 8 classes"):
        model.class_scores(features, torch.rand(2, 5))
    with pytest.raises(RuntimeError, match="call fit"):
        ConditionalVAE(12, 5).class_scores(features, semantics)


def test_the_vae_places_unseen_classes_where_their_features_are():
    """On features that are a function of the class vector, the synthetic features of an unseen class lie nearer
    to that class's real mean than to any other class's (seen classes' real features only were used)."""
    features, labels, semantics = toy_problem(classes=12, per_class=40)
    unseen = torch.tensor([10, 11])
    keep = labels < 10
    set_seed(0)
    model = ConditionalVAE(12, 5, hidden_dim=64, n_per_class=50, classifier_epochs=5)
    model.fit(
        features[keep],
        labels[keep],
        semantics,
        torch.arange(10),
        unseen,
        TrainConfig(epochs=60, batch_size=32, lr=3e-3, progress=False),
    )
    synthetic, synthetic_labels = synthesize(model.generator, semantics, unseen, 200)
    real_means = torch.stack([features[labels == c].mean(0) for c in range(12)])
    for c in unseen:
        distances = (real_means - synthetic[synthetic_labels == c].mean(0)).norm(dim=1)
        assert int(distances.argmin()) == int(c)


def test_fit_rejects_bad_classes():
    features, labels, semantics = toy_problem()
    model = CLSWGAN(12, 5, hidden_dim=16)
    with pytest.raises(ValueError, match="share"):
        model.fit(features, labels, semantics, torch.arange(8), torch.tensor([7]), TINY)
    with pytest.raises(ValueError, match="ids of seen_classes"):
        model.fit(features, labels, semantics, torch.arange(6), torch.tensor([6, 7]), TINY)
    with pytest.raises(ValueError, match="expected visual"):
        model.fit(features, labels, torch.rand(8, 4), torch.arange(6), torch.tensor([6, 7]), TINY)


# Selection ---------------------------------------------------------------------------------------------------------


def test_selection_never_sees_test_images(shapes):
    """Poisoning every test image's features changes nothing that the generative model's selection chooses or
    scores on validation."""
    config = dataclasses.replace(TINY, batch_size=64)
    grid = {"n_per_class": [5, 50]}
    _, result = select_and_train("cvae", shapes, grid=grid, config=config)
    test = torch.cat([shapes.test_seen, shapes.test_unseen])
    features = shapes.features.clone()
    features[test] = 100 * torch.rand(len(test), shapes.feature_dim, generator=torch.Generator().manual_seed(0))
    poisoned = dataclasses.replace(shapes, features=features)
    _, again = select_and_train("cvae", poisoned, grid=grid, config=config)
    assert again.params == result.params and again.trials == result.trials
    assert again.validation_gamma == result.validation_gamma and again.rescaled_gamma == result.rescaled_gamma
    assert {"val_zsl", "val_plain_harmonic"} <= set(result.trials[0])
    best = max(result.trials, key=lambda trial: trial["val_plain_harmonic"])
    assert result.params == best["params"]
