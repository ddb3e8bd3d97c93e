"""Answers to the exercise of instructor/03_devise.ipynb: wrong ones and shortcuts the checks must catch, correct ones
in other styles that must pass every check (hidden ones included)."""

_HEAD = "def structured_ranking_loss(scores, labels, margins):\n"


def _body(
    positive: str = "scores.gather(1, labels[:, None])",
    hinge: str = "(margins[labels] - positive + scores).clamp(min=0)",
    wrong: str = "F.one_hot(labels, scores.shape[1]) == 0",
    reduce: str = "(hinge * wrong).sum(dim=1).mean()",
) -> str:
    return f"{_HEAD}    positive = {positive}\n    hinge = {hinge}\n    wrong = {wrong}\n    return {reduce}\n"


def _experiment(images: str = "data.val", classes: str = "data.val_classes", extra: str = "") -> str:
    """The solution of 03_experiment_margin, scored on the given images and classes, with an extra last line."""
    return f"""seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
x_train, y_train = data.split("train")
S_att = data.semantic("attributes")
val_by_delta, model_by_delta = {{}}, {{}}
for delta in (0.1, 1.0, 5.0):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_train, y_train, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), batch_size=256, lr=1e-2, weight_decay=1e-4,
                    loss="ranking", margin=delta, seed=seed, progress=False))
    scores = score_images(candidate, data.features[{images}], S_att)
    val_by_delta[delta] = zsl_accuracy(scores, data.labels[{images}], {classes})
    model_by_delta[delta] = candidate
experiment_choice = max(val_by_delta, key=val_by_delta.get)
experiment_model = model_by_delta[experiment_choice]
experiment_val_zsl = val_by_delta[experiment_choice]
{extra}### END SOLUTION
print(f"chosen margin {{experiment_choice}}: validation ZSL {{100 * experiment_val_zsl:.1f}}%")
"""


WRONG_ANSWERS: dict[str, list[str]] = {
    "03_structured_ranking_loss": [
        # Margin sign flipped: max(0, -Delta - s_y + s_j).
        _body(hinge="(-margins[labels] - positive + scores).clamp(min=0)"),
        # The positive class's own term kept: adds max(0, Delta[y, y]) per sample.
        _body(reduce="hinge.sum(dim=1).mean()"),
        # The true class masked by its value: also drops every wrong class that ties with it.
        _body(wrong="scores != positive"),
        # Delta[j, y] instead of Delta[y, j]: the margins of the wrong class's row.
        _body(hinge="(margins[:, labels].T - positive + scores).clamp(min=0)"),
        # Mean over the classes instead of the sum over the wrong classes.
        _body(reduce="(hinge * wrong).mean(dim=1).mean()"),
        # Mean over the C-1 wrong classes instead of their sum.
        _body(reduce="((hinge * wrong).sum(dim=1) / (scores.shape[1] - 1)).mean()"),
        # Sum over the batch instead of the mean.
        _body(reduce="(hinge * wrong).sum()"),
        # No max(0, .).
        _body(hinge="margins[labels] - positive + scores"),
        # Roles of the true and the wrong class swapped.
        _body(hinge="(margins[labels] + positive - scores).clamp(min=0)"),
        # scores[:, labels] instead of scores[i, labels[i]].
        _body(positive="scores[:, labels]"),
        # Only the hardest wrong class (SJE's max).
        _body(reduce="(hinge * wrong).max(dim=1).values.mean()"),
        # The true-class score detached: right value, no gradient on the true class.
        _body(positive="scores.gather(1, labels[:, None]).detach()"),
        # One margin for all: the mean of the margin matrix.
        _body(hinge="(margins.mean() - positive + scores).clamp(min=0)"),
    ],
    # The experiment 03_experiment_margin: its hidden check accepts, on SHAPES, margin 1.0 (the middle of the grid
    # 0.1, 1, 5) and validation ZSL in [0.55, 0.70]. Measured with
    #   python tests/exercises/measure_band.py 03_devise 03_experiment_margin --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average about 15):
    #   seed 0: experiment_choice 1, experiment_val_zsl 0.6302  (1.8 s)
    #   seed 1: experiment_choice 1, experiment_val_zsl 0.5938  (1.6 s)
    #   seed 2: experiment_choice 1, experiment_val_zsl 0.6556  (1.6 s)
    #   seed 3: experiment_choice 1, experiment_val_zsl 0.6302  (1.5 s)
    #   seed 4: experiment_choice 1, experiment_val_zsl 0.5905  (1.8 s)
    "03_experiment_margin": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        _experiment(images="data.test_unseen", classes="data.unseen_classes"),
        # Reported in percent instead of a fraction.
        _experiment(extra="experiment_val_zsl = 100 * experiment_val_zsl\n"),
    ],
}

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "03_structured_ranking_loss": [
        # Section 2's hinge_rank_from_scratch copied, margins passed as its margin, plus .mean().
        _HEAD
        + '''    rows = torch.arange(scores.shape[0], device=scores.device)
    positive = scores[rows, labels]
    hinge = (margins - positive[:, None] + scores).clamp(min=0)
    wrong = torch.ones_like(scores, dtype=torch.bool)
    wrong[rows, labels] = False
    return (hinge * wrong).sum(dim=1).mean()
''',
        # The former exercise's answer (one margin), called with the mean margin.
        _HEAD + "    return losses.ranking_loss(scores, labels, margin=float(margins.mean()))\n",
        # The package's private hinge table takes a (B, C) margin.
        _HEAD + "    return losses._wrong_class_hinges(scores, labels, margins[labels]).sum(dim=1).mean()\n",
        "from zsl_utils.losses import _wrong_class_hinges\n\n\n"
        + _HEAD
        + "    return _wrong_class_hinges(scores, labels, margins[labels]).sum(dim=1).mean()\n",
        # A global alias of the package's function, used in a helper.
        "import zsl_utils.losses as L\n\n\ndef _hinges(s, y, m):\n    return L._wrong_class_hinges(s, y, m)\n\n\n"
        + _HEAD
        + "    return _hinges(scores, labels, margins[labels]).sum(dim=1).mean()\n",
    ]
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "03_structured_ranking_loss": [
        # A loop over the samples.
        _HEAD
        + '''    total = 0.0
    for i in range(scores.shape[0]):
        y = int(labels[i])
        hinge = F.relu(margins[y] - scores[i, y] + scores[i])
        total = total + hinge.sum() - hinge[y]
    return total / scores.shape[0]
''',
        # Computed in float32 whatever the input dtype.
        _HEAD
        + '''    scores32, margins32 = scores.float(), margins.float()
    positive = scores32.gather(1, labels[:, None])
    hinge = F.relu(margins32[labels] - positive + scores32)
    return torch.where(F.one_hot(labels, scores.shape[1]).bool(), torch.zeros_like(hinge), hinge).sum(1).mean()
''',
        # Every term, then the true class's own term subtracted.
        _HEAD
        + '''    positive = scores.gather(1, labels[:, None])
    hinge = (margins[labels] - positive + scores).clamp(min=0)
    return (hinge.sum(dim=1) - hinge.gather(1, labels[:, None]).squeeze(1)).mean()
''',
    ]
}
