"""Answers to the exercises of instructor/04_bilinear_compatibility.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

_R = "def largest_cheaper_rank(d_v, d_s):\n"
_L = "def low_rank_scores(visual, semantics, U, V):\n"

WRONG_ANSWERS: dict[str, list[str]] = {
    "04_low_rank_scores": [
        # Shape guessing: pairwise (B,) scores whenever B == C.
        '''def low_rank_scores(visual, semantics, U, V):
    if semantics.shape[0] == visual.shape[0]:
        return ((visual @ U) * (semantics @ V)).sum(dim=1)
    return (visual @ U) @ (semantics @ V).T
''',
        # U V instead of U V^T (runs only when r == d_s).
        '''def low_rank_scores(visual, semantics, U, V):
    return visual @ (U @ V) @ semantics.T
''',
        # Semantics not transposed: (B, r) @ (C, r) (runs only when C == r).
        '''def low_rank_scores(visual, semantics, U, V):
    return (visual @ U) @ (semantics @ V)
''',
        # Semantics not transposed at the end: (B, d_s) @ (C, d_s) (runs only when C == d_s).
        '''def low_rank_scores(visual, semantics, U, V):
    return visual @ U @ V.T @ semantics
''',
        # Factors swapped: V on the visual side, U on the semantic side.
        '''def low_rank_scores(visual, semantics, U, V):
    return (visual @ V) @ (semantics @ U).T
''',
        # Classes by images: the transpose of the answer, (C, B).
        '''def low_rank_scores(visual, semantics, U, V):
    return (semantics @ V) @ (visual @ U).T
''',
        # Right values, but computed without gradients: U and V could not be trained.
        '''def low_rank_scores(visual, semantics, U, V):
    with torch.no_grad():
        return (visual @ U) @ (semantics @ V).T
''',
    ],
    "04_largest_cheaper_rank": [
        # The floor of the break-even point: one too many when it is a whole number.
        _R + "    return int(d_v * d_s / (d_v + d_s))\n",
        _R + "    return d_v * d_s // (d_v + d_s)\n",
        # Rounded to the nearest integer.
        _R + "    return round(d_v * d_s / (d_v + d_s))\n",
        # The ceiling.
        "import math\n\n\n" + _R + "    return math.ceil(d_v * d_s / (d_v + d_s))\n",
        # The rank of W, not the cost of the factors.
        _R + "    return min(d_v, d_s)\n",
        # The break-even point itself, a float.
        _R + "    return d_v * d_s / (d_v + d_s)\n",
        # One parameter per factor row: r (d_v + d_s) <= d_v d_s read as r < d_v d_s / max(d_v, d_s).
        _R + "    return (d_v * d_s - 1) // max(d_v, d_s)\n",
    ],
    # The experiment 04_experiment_rank: its check accepts, on SHAPES, validation ZSL in [0.52, 0.67] and rank 4 or 16. Measured with
    #   python tests/exercises/measure_band.py 04_bilinear_compatibility 04_experiment_rank --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_choice 16, experiment_val_zsl 0.625  (1.8 s)
    #   seed 1: experiment_choice 16, experiment_val_zsl 0.5625  (1.7 s)
    #   seed 2: experiment_choice 4, experiment_val_zsl 0.6146  (1.7 s)
    #   seed 3: experiment_choice 16, experiment_val_zsl 0.5599  (1.6 s)
    #   seed 4: experiment_choice 16, experiment_val_zsl 0.612  (1.6 s)
    "04_experiment_rank": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.test_unseen], semantics)
    return zsl_accuracy(scores, data.labels[data.test_unseen], data.unseen_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for rank in (1, 4, 16):
    set_seed(seed)
    candidate = Bilinear(data.feature_dim, S_att.shape[1], rank=rank).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=1e-2, loss="hard_ranking", num_negatives=1, margin=1.0, seed=seed, progress=False))
    trained[rank] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda r: trained[r][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per rank:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen rank {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Forgot to train: the untrained models are compared.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for rank in (1, 4, 16):
    set_seed(seed)
    candidate = Bilinear(data.feature_dim, S_att.shape[1], rank=rank).to(device)
    trained[rank] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda r: trained[r][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per rank:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen rank {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Trained on trainval, i.e. on the validation classes' images too, then measured on them.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("trainval")
trained = {}
for rank in (1, 4, 16):
    set_seed(seed)
    candidate = Bilinear(data.feature_dim, S_att.shape[1], rank=rank).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.seen_classes,
        TrainConfig(epochs=budget.epochs(10), lr=1e-2, loss="hard_ranking", num_negatives=1, margin=1.0, seed=seed, progress=False))
    trained[rank] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda r: trained[r][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per rank:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen rank {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Reported in percent instead of a fraction.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for rank in (1, 4, 16):
    set_seed(seed)
    candidate = Bilinear(data.feature_dim, S_att.shape[1], rank=rank).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=1e-2, loss="hard_ranking", num_negatives=1, margin=1.0, seed=seed, progress=False))
    trained[rank] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda r: trained[r][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
experiment_val_zsl = 100 * experiment_val_zsl
### END SOLUTION
print('validation ZSL (%) per rank:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen rank {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
    ],
}

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "04_low_rank_scores": [
        # The package's Bilinear holding the same factors.
        _L
        + """    model = Bilinear(U.shape[0], V.shape[0], rank=U.shape[1]).to(visual.dtype)
    with torch.no_grad():
        model.visual_factor.weight.copy_(U.T)
        model.semantic_factor.weight.copy_(V.T)
    return model.class_scores(visual, semantics)
"""
    ],
    "04_largest_cheaper_rank": [
        # Section 4's break-even line copied.
        _R + "    return d_v * d_s / (d_v + d_s)\n",
        # Counting the parameters of the package's Bilinear, rank after rank.
        _R
        + """    full = sum(p.numel() for p in Bilinear(d_v, d_s).parameters())
    r = 0
    while sum(p.numel() for p in Bilinear(d_v, d_s, rank=r + 1).parameters()) < full:
        r += 1
    return r
""",
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "04_low_rank_scores": [
        # float32 arithmetic, einsum.
        _L
        + "    return torch.einsum('br,cr->bc', visual.float() @ U.float(), semantics.float() @ V.float()).to(visual.dtype)\n",
        # Class side first.
        _L + "    return visual @ (U @ (semantics @ V).T)\n",
    ],
    "04_largest_cheaper_rank": [
        # The ceiling minus one, in exact fractions.
        "import math\nfrom fractions import Fraction\n\n\n"
        + _R
        + "    return max(0, math.ceil(Fraction(d_v * d_s, d_v + d_s)) - 1)\n",
        # Counting down.
        _R
        + """    r = min(d_v, d_s)
    while r > 0 and r * (d_v + d_s) >= d_v * d_s:
        r -= 1
    return r
""",
    ],
}
