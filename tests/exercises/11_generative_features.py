"""Answers to the exercises of notebooks/11_generative_features.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

_HEAD = "def gradient_penalty_yourself(critic, real, fake, semantics, t):\n"
_MIX = "    mixed = (t * real + (1 - t) * fake).detach().requires_grad_(True)\n"
_GRAD = "    (grad,) = torch.autograd.grad(critic(mixed, semantics).sum(), mixed, create_graph=True)\n"

WRONG_ANSWERS: dict[str, list[str]] = {
    "11_gradient_penalty": [
        # No create_graph: the value is right but the critic cannot be trained through the penalty.
        _HEAD
        + _MIX
        + "    (grad,) = torch.autograd.grad(critic(mixed, semantics).sum(), mixed)\n"
        + "    return ((grad.norm(dim=1) - 1) ** 2).mean()\n",
        # The squared norm instead of the norm.
        _HEAD + _MIX + _GRAD + "    return ((grad.pow(2).sum(dim=1) - 1) ** 2).mean()\n",
        # One-sided penalty: only norms above 1 are penalised.
        _HEAD + _MIX + _GRAD + "    return (torch.clamp(grad.norm(dim=1) - 1, min=0) ** 2).mean()\n",
        # The norm of the whole batch's gradient instead of one per sample.
        _HEAD + _MIX + _GRAD + "    return (grad.norm() - 1) ** 2\n",
        # The mean norm first, then the penalty.
        _HEAD + _MIX + _GRAD + "    return (grad.norm(dim=1).mean() - 1) ** 2\n",
        # t and 1 - t swapped: the points lie on the lines, but not where the check puts them.
        _HEAD
        + "    mixed = ((1 - t) * real + t * fake).detach().requires_grad_(True)\n"
        + _GRAD
        + "    return ((grad.norm(dim=1) - 1) ** 2).mean()\n",
        # The penalty at the real features only.
        _HEAD
        + "    mixed = real.detach().requires_grad_(True)\n"
        + _GRAD
        + "    return ((grad.norm(dim=1) - 1) ** 2).mean()\n",
        # Summed over the batch instead of averaged.
        _HEAD + _MIX + _GRAD + "    return ((grad.norm(dim=1) - 1) ** 2).sum()\n",
        # The norm over the batch axis.
        _HEAD + _MIX + _GRAD + "    return ((grad.norm(dim=0) - 1) ** 2).mean()\n",
        # The gradient with respect to the class vectors as well (concatenated).
        _HEAD
        + _MIX
        + "    sem = semantics.detach().requires_grad_(True)\n"
        + "    grads = torch.autograd.grad(critic(mixed, sem).sum(), [mixed, sem], create_graph=True)\n"
        + "    grad = torch.cat(grads, dim=1)\n    return ((grad.norm(dim=1) - 1) ** 2).mean()\n",
    ],
    # The experiment 11_experiment_synthetic_count: its check accepts, on SHAPES, the validation H ranges measured with
    #   python tests/exercises/measure_band.py 11_generative_features 11_experiment_synthetic_count --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs):
    #   seed 0: experiment_h_few 0.1036, experiment_h_many 0.2908  (46.4 s)
    #   seed 1: experiment_h_few 0.07686, experiment_h_many 0.274  (44.9 s)
    #   seed 2: experiment_h_few 0.04801, experiment_h_many 0.2819  (27.0 s)
    #   seed 3: experiment_h_few 0.08042, experiment_h_many 0.2595  (25.4 s)
    #   seed 4: experiment_h_few 0.06139, experiment_h_many 0.2843  (58.5 s)
    # (load average about 6: the seconds are not idle figures). Accepted: n_syn = 10 in [0.02, 0.15], 400 in [0.23, 0.32].
    "11_experiment_synthetic_count": [
        # The val classes synthesised, but H scored with the test images (test_seen as seen, test_unseen as unseen).
        '''seed = 0
fit_images, held_out = holdout_split(data, seed=seed)
config = dataclasses.replace(budget.config(DEFAULT_CONFIGS["cvae"]), seed=seed, progress=False)
classes = data.seen_classes


def validation_h(n_syn):
    set_seed(seed)
    candidate = ConditionalVAE(data.feature_dim, S_att.shape[1], n_per_class=n_syn)
    candidate.fit(data.features[data.trainval], data.labels[data.trainval], S_att, data.seen_classes,
                  data.unseen_classes, config)
    with torch.no_grad():
        result = evaluate(candidate, data, "attributes")
    return candidate, result.harmonic
_, experiment_h_few = validation_h(10)
experiment_model, experiment_h_many = validation_h(400)
''',
        # Percentages instead of fractions.
        '''seed = 0
fit_images, held_out = holdout_split(data, seed=seed)
config = dataclasses.replace(budget.config(DEFAULT_CONFIGS["cvae"]), seed=seed, progress=False)
classes = data.seen_classes
column = lambda ids: torch.searchsorted(classes, ids)


def validation_h(n_syn):
    set_seed(seed)
    candidate = ConditionalVAE(data.feature_dim, S_att.shape[1], n_per_class=n_syn)
    candidate.fit(data.features[fit_images], data.labels[fit_images], S_att, data.train_classes, data.val_classes,
                  config)
    with torch.no_grad():
        as_seen = candidate.class_scores(data.features[held_out], S_att[classes])
        as_unseen = candidate.class_scores(data.features[data.val], S_att[classes])
    result = gzsl_accuracy(as_seen, column(data.labels[held_out]), as_unseen, column(data.labels[data.val]))
    return candidate, 100 * result.harmonic_mean
_, experiment_h_few = validation_h(10)
experiment_model, experiment_h_many = validation_h(400)
''',
    ],
}

SHORTCUTS: dict[str, list[str]] = {
    "11_gradient_penalty": [
        # The package's penalty, imported.
        _HEAD
        + "    from zsl_utils.generative import gradient_penalty\n"
        + "    return gradient_penalty(critic, real, fake, semantics, t)\n",
        # The package's penalty through the setup cell's import.
        _HEAD + "    return gradient_penalty(critic, real, fake, semantics, t)\n",
        # The penalty recovered from the package's critic loss (gp_weight 1 minus the Wasserstein term).
        _HEAD
        + "    wasserstein = critic(fake, semantics).mean() - critic(real, semantics).mean()\n"
        + "    return critic_loss(critic, real, fake, semantics, t, 1.0) - wasserstein\n",
        # The notebook's own from-scratch version of section 2, copied by name.
        _HEAD + "    return gp_from_scratch(critic, real, fake, semantics, t)\n",
    ]
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "11_gradient_penalty": [
        # grad_outputs instead of .sum(), an explicit square root.
        _HEAD
        + _MIX
        + "    scores = critic(mixed, semantics)\n"
        + "    (grad,) = torch.autograd.grad(scores, mixed, grad_outputs=torch.ones_like(scores), create_graph=True)\n"
        + "    norms = torch.sqrt((grad ** 2).sum(dim=1))\n    return ((norms - 1) ** 2).mean()\n",
        # One sample at a time (the critic scores rows independently).
        _HEAD
        + "    penalties = []\n    for i in range(real.shape[0]):\n"
        + "        point = (t[i] * real[i] + (1 - t[i]) * fake[i]).detach().unsqueeze(0).requires_grad_(True)\n"
        + "        (g,) = torch.autograd.grad(critic(point, semantics[i : i + 1]).sum(), point, create_graph=True)\n"
        + "        penalties.append((torch.linalg.vector_norm(g) - 1) ** 2)\n"
        + "    return torch.stack(penalties).mean()\n",
    ]
}
