"""Feature generation for unseen classes: a conditional generator G(z, s) -> visual feature, trained as a WGAN with
gradient penalty plus a classification loss (f-CLSWGAN, Xian et al., CVPR 2018) or as the decoder of a conditional VAE.

Every function here is plain torch on the tensors' device; the models that use them
(:class:`zsl_utils.models.CLSWGAN`, :class:`zsl_utils.models.ConditionalVAE`) live in ``models``. Shapes: ``B``
samples, ``d_v`` visual features, ``d_s`` class semantics, ``d_z`` noise (latent) dims. Training follows the course's
trainer conventions (``zsl_utils.train.fit``): tensors resident on one device, each epoch an on-device seeded
permutation cut into full batches (the remainder dropped; one batch of all rows when there are fewer), no DataLoader.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .errors import divergence
from .utils import progress_bar

__all__ = [
    "ConditionalGenerator",
    "Critic",
    "Encoder",
    "gradient_penalty",
    "critic_loss",
    "generator_loss",
    "kl_divergence",
    "vae_loss",
    "train_softmax",
    "train_wgan",
    "train_vae",
    "synthesize",
]


def _mlp(in_dim: int, hidden_dim: int, out_dim: int) -> nn.Sequential:
    """Linear -> LeakyReLU(0.2) -> Linear, the one-hidden-layer networks of f-CLSWGAN."""
    return nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.LeakyReLU(0.2), nn.Linear(hidden_dim, out_dim))


class ConditionalGenerator(nn.Module):
    """G(z, s) = ReLU(MLP([z, s])): noise z (B, d_z) and class semantics s (B, d_s) -> a visual feature (B, d_v).

    The output ReLU matches non-negative (post-ReLU CNN) features, as in f-CLSWGAN."""

    def __init__(self, semantic_dim: int, visual_dim: int, noise_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.semantic_dim, self.visual_dim, self.noise_dim = semantic_dim, visual_dim, noise_dim
        self.net = _mlp(noise_dim + semantic_dim, hidden_dim, visual_dim)

    def forward(self, noise: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """Synthetic visual features (B, d_v) from noise (B, d_eta) and class vectors (B, d_s)."""
        return F.relu(self.net(torch.cat([noise, semantics], dim=1)))


class Critic(nn.Module):
    """The WGAN critic conditioned on the class: D(x, s) = MLP([x, s]), (B, d_v), (B, d_s) -> (B,) (no sigmoid)."""

    def __init__(self, visual_dim: int, semantic_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.net = _mlp(visual_dim + semantic_dim, hidden_dim, 1)

    def forward(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """The critic's score (B,) of visual features (B, d_v) given class vectors (B, d_s)."""
        return self.net(torch.cat([visual, semantics], dim=1)).squeeze(1)


class Encoder(nn.Module):
    """q(z | x, s) = N(mu, diag(exp(log_var))): (B, d_v), (B, d_s) -> mu (B, d_z), log_var (B, d_z)."""

    def __init__(self, visual_dim: int, semantic_dim: int, latent_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.net = _mlp(visual_dim + semantic_dim, hidden_dim, 2 * latent_dim)

    def forward(self, visual: torch.Tensor, semantics: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior's mean and log-variance, each (B, d_eta), of features (B, d_v) given class vectors (B, d_s)."""
        mu, log_var = self.net(torch.cat([visual, semantics], dim=1)).chunk(2, dim=1)
        return mu, log_var


# Losses ----------------------------------------------------------------------------------------------------------


def gradient_penalty(
    critic: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    semantics: torch.Tensor,
    alpha: torch.Tensor,
) -> torch.Tensor:
    """E[(||grad_x D(x_hat, s)||_2 - 1)^2] at x_hat = alpha x + (1 - alpha) x_fake (Gulrajani et al. 2017).

    real, fake: (B, d_v); semantics: (B, d_s); alpha: (B, 1) in [0, 1]. The gradient is taken with
    ``create_graph=True``, so the penalty itself can be differentiated (the critic is trained through it)."""
    mixed = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed, semantics).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def critic_loss(
    critic: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    semantics: torch.Tensor,
    alpha: torch.Tensor,
    gp_weight: float,
) -> torch.Tensor:
    """The critic minimises E[D(x_fake, s)] - E[D(x, s)] + lambda GP (the negative Wasserstein estimate plus the
    penalty). real, fake: (B, d_v); semantics: (B, d_s); alpha: (B, 1); gp_weight: lambda >= 0."""
    wasserstein = critic(real, semantics).mean() - critic(fake, semantics).mean()
    return -wasserstein + gp_weight * gradient_penalty(critic, real, fake, semantics, alpha)


def generator_loss(
    critic_fake: torch.Tensor, logits: torch.Tensor, targets: torch.Tensor, cls_weight: float
) -> torch.Tensor:
    """f-CLSWGAN's generator loss -E[D(x_fake, s)] - lambda_cls E[log P(y | x_fake)]: critic_fake (B,) = D(x_fake, s),
    logits (B, C) of the frozen seen-class classifier on x_fake, targets (B,) positions among its C classes."""
    return -critic_fake.mean() + cls_weight * F.cross_entropy(logits, targets)


def kl_divergence(mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag(sigma^2)) || N(0, I)) = 1/2 sum_j (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2), per sample:
    mu, log_var (B, d_z) -> (B,)."""
    return 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(dim=1)


def vae_loss(
    visual: torch.Tensor, reconstruction: torch.Tensor, mu: torch.Tensor, log_var: torch.Tensor, kl_weight: float = 1.0
) -> torch.Tensor:
    """The negative ELBO with a unit-variance Gaussian decoder, up to a constant, averaged over the batch:
    E_B[1/2 ||x - G(z, s)||^2 + kl_weight KL(q(z | x, s) || N(0, I))]; kl_weight = 1 is the ELBO itself.
    visual, reconstruction: (B, d_v); mu, log_var: (B, d_z)."""
    reconstruction_error = 0.5 * (visual - reconstruction).pow(2).sum(dim=1)
    return (reconstruction_error + kl_weight * kl_divergence(mu, log_var)).mean()


# Training --------------------------------------------------------------------------------------------------------


def _batches(n: int, batch_size: int, generator: torch.Generator, device: torch.device) -> list[torch.Tensor]:
    """One epoch: a seeded on-device permutation of n rows in full batches (one batch of all n when n < batch)."""
    batch = min(batch_size, n)
    permutation = torch.randperm(n, generator=generator, device=device)
    return [permutation[i * batch : (i + 1) * batch] for i in range(n // batch)]


def _check_training_data(
    features: torch.Tensor, targets: torch.Tensor, class_semantics: torch.Tensor | None = None
) -> None:
    if features.ndim != 2 or features.shape[0] == 0 or targets.shape != (features.shape[0],):
        raise ValueError(
            f"expected features (N, d_v) with N >= 1 and targets (N,), got {tuple(features.shape)} and "
            f"{tuple(targets.shape)}"
        )
    if class_semantics is not None and int(targets.max()) >= class_semantics.shape[0]:
        raise ValueError(
            f"targets index {int(targets.max()) + 1} classes, class_semantics has {class_semantics.shape[0]}"
        )


def _epoch_loss(losses: torch.Tensor, epoch: int, epochs: int, what: str, lr: float) -> float:
    """The mean of one epoch's per-batch ``losses``; TrainingDiverged naming the first non-finite batch."""
    error = divergence(losses, epoch, epochs, f"the {what} diverged; lower its learning rate (lr={lr:g})")
    if error is not None:
        raise error
    return float(losses.sum()) / len(losses)


def train_softmax(
    classifier: nn.Linear,
    features: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
) -> list[float]:
    """A softmax classifier on features (N, d_v) with targets (N,) (positions among its outputs), from zero weights
    (the problem is convex: no random start is needed) by Adam on the cross-entropy; returns the mean loss per epoch.
    Deterministic on CPU for a fixed seed."""
    _check_training_data(features, targets)
    with torch.no_grad():
        classifier.weight.zero_()
        classifier.bias.zero_()
    generator = torch.Generator(device=features.device).manual_seed(seed)
    optimizer = torch.optim.Adam(classifier.parameters(), lr=lr, betas=(0.5, 0.999))
    history = []
    for epoch in range(epochs):
        batches = _batches(features.shape[0], batch_size, generator, features.device)
        losses = torch.zeros(len(batches), device=features.device)
        for i, index in enumerate(batches):
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(classifier(features[index]), targets[index])
            loss.backward()
            optimizer.step()
            losses[i] = loss.detach()
        history.append(_epoch_loss(losses, epoch, epochs, "softmax classifier", lr))
    return history


def train_wgan(
    generator: ConditionalGenerator,
    critic: Critic,
    seen_classifier: nn.Module,
    features: torch.Tensor,
    targets: torch.Tensor,
    class_semantics: torch.Tensor,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    gp_weight: float = 10.0,
    cls_weight: float = 0.01,
    critic_steps: int = 5,
    progress: bool = True,
) -> list[float]:
    """f-CLSWGAN: ``critic_steps`` critic steps on :func:`critic_loss` per generator step on :func:`generator_loss`,
    the classification term from ``seen_classifier`` (frozen: its parameters get no step). features: (N, d_v) real
    seen-class features; targets: (N,) their positions among the rows of class_semantics (C, d_s), also the
    classifier's outputs. Each epoch is one pass of the critic over the data (N // batch_size batches), with a
    generator step after every ``critic_steps`` critic batches, on the classes of the last one. Adam(lr, betas
    (0.5, 0.999)) as in the paper. Returns the critic's Wasserstein estimate E[D(x)] - E[D(x_fake)] per epoch."""
    _check_training_data(features, targets, class_semantics)
    device = features.device
    rng = torch.Generator(device=device).manual_seed(seed)
    seen_classifier.requires_grad_(False)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.999))
    history = []
    for epoch in progress_bar(range(epochs), progress, desc="f-CLSWGAN", leave=False):
        batches = _batches(features.shape[0], batch_size, rng, device)
        distances = torch.zeros(len(batches), device=device)
        for i, index in enumerate(batches):
            real, semantics = features[index], class_semantics[targets[index]]
            noise = torch.randn(len(index), generator.noise_dim, generator=rng, device=device)
            alpha = torch.rand(len(index), 1, generator=rng, device=device)
            d_optimizer.zero_grad(set_to_none=True)
            loss = critic_loss(critic, real, generator(noise, semantics).detach(), semantics, alpha, gp_weight)
            loss.backward()
            d_optimizer.step()
            with torch.no_grad():
                distances[i] = critic(real, semantics).mean() - critic(generator(noise, semantics), semantics).mean()
            if (i + 1) % critic_steps == 0:
                critic.requires_grad_(False)
                g_optimizer.zero_grad(set_to_none=True)
                noise = torch.randn(len(index), generator.noise_dim, generator=rng, device=device)
                fake = generator(noise, semantics)
                generator_loss(critic(fake, semantics), seen_classifier(fake), targets[index], cls_weight).backward()
                g_optimizer.step()
                critic.requires_grad_(True)
        history.append(_epoch_loss(distances, epoch, epochs, "f-CLSWGAN critic", lr))
    return history


def train_vae(
    generator: ConditionalGenerator,
    encoder: Encoder,
    features: torch.Tensor,
    targets: torch.Tensor,
    class_semantics: torch.Tensor,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    kl_weight: float = 1.0,
    progress: bool = True,
) -> list[float]:
    """A conditional VAE: the encoder q(z | x, s) and the decoder G(z, s) trained together on :func:`vae_loss` with
    the reparameterisation z = mu + sigma * eps. features: (N, d_v); targets: (N,) positions among the rows of
    class_semantics (C, d_s). Adam(lr). Returns the mean loss (the negative ELBO when kl_weight = 1) per epoch."""
    _check_training_data(features, targets, class_semantics)
    device = features.device
    rng = torch.Generator(device=device).manual_seed(seed)
    optimizer = torch.optim.Adam([*generator.parameters(), *encoder.parameters()], lr=lr)
    history = []
    for epoch in progress_bar(range(epochs), progress, desc="conditional VAE", leave=False):
        batches = _batches(features.shape[0], batch_size, rng, device)
        losses = torch.zeros(len(batches), device=device)
        for i, index in enumerate(batches):
            real, semantics = features[index], class_semantics[targets[index]]
            mu, log_var = encoder(real, semantics)
            eps = torch.randn(mu.shape, generator=rng, device=device)
            reconstruction = generator(mu + (0.5 * log_var).exp() * eps, semantics)
            optimizer.zero_grad(set_to_none=True)
            loss = vae_loss(real, reconstruction, mu, log_var, kl_weight)
            loss.backward()
            optimizer.step()
            losses[i] = loss.detach()
        history.append(_epoch_loss(losses, epoch, epochs, "conditional VAE", lr))
    return history


def synthesize(
    generator: ConditionalGenerator, semantics: torch.Tensor, classes: torch.Tensor, n_per_class: int, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_per_class`` features of each class, x = G(z, s_c) with z ~ N(0, I), without gradients.

    semantics: (C, d_s) every class's row; classes: (k,) class ids indexing it. Returns features (k n, d_v) and their
    class ids (k n,), class by class in the order of ``classes``; the generator's train/eval flag is kept."""
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, int) or n_per_class < 1:
        raise ValueError(f"n_per_class must be an int >= 1 (features per class), got {n_per_class!r}")
    if semantics.ndim != 2 or semantics.shape[1] != generator.semantic_dim:
        raise ValueError(
            f"semantics must be (C, {generator.semantic_dim}), the generator's semantic width, got "
            f"{tuple(semantics.shape)}; pass the class embeddings the generator was trained with"
        )
    classes = classes.to(semantics.device)
    if classes.ndim != 1 or classes.numel() == 0 or classes.is_floating_point():
        raise ValueError(
            f"classes must be a non-empty 1-D tensor of class ids, got {classes.dtype} {tuple(classes.shape)}"
        )
    if int(classes.min()) < 0 or int(classes.max()) >= semantics.shape[0]:
        raise ValueError(
            f"classes must index the {semantics.shape[0]} rows of semantics, got ids in "
            f"[{int(classes.min())}, {int(classes.max())}]"
        )
    labels = classes.repeat_interleave(n_per_class)
    rng = torch.Generator(device=semantics.device).manual_seed(seed)
    noise = torch.randn(len(labels), generator.noise_dim, generator=rng, device=semantics.device)
    with torch.no_grad():
        return generator(noise, semantics[labels]), labels
