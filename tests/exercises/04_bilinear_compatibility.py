"""Answers to the exercises of instructor/04_bilinear_compatibility.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

import re

_R = "def largest_cheaper_rank(d_v, d_s):\n"
_L = "def low_rank_scores(visual, semantics, W_v, W_s):\n"

# The solution of 04_experiment_learning_rate, which the wrong answers below alter.
_LR = """seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
x_tr, y_tr = data.split("train")
S_att = data.semantic("attributes")
val_by_lr, model_by_lr = {}, {}
for lr in (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0):
    set_seed(seed)
    candidate = Bilinear(data.feature_dim, S_att.shape[1], rank=8).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(8), lr=lr, loss="hard_ranking", num_negatives=1,
                    margin=1.0, seed=seed, progress=False))
    scores = score_images(candidate, data.features[data.val], S_att)      # (n_val, C)
    val_by_lr[lr] = zsl_accuracy(scores, data.labels[data.val], data.val_classes)
    model_by_lr[lr] = candidate
experiment_choice = max(val_by_lr, key=val_by_lr.get)
experiment_model, experiment_val_zsl = model_by_lr[experiment_choice], val_by_lr[experiment_choice]
### END SOLUTION
print(f"chosen learning rate {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
"""

WRONG_ANSWERS: dict[str, list[str]] = {
    "04_low_rank_scores": [
        # Shape guessing: pairwise (B,) scores whenever B == C.
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    if semantics.shape[0] == visual.shape[0]:
        return ((visual @ W_v) * (semantics @ W_s)).sum(dim=1)
    return (visual @ W_v) @ (semantics @ W_s).T
''',
        # W_v W_s instead of W_v W_s^T (runs only when r == d_s).
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    return visual @ (W_v @ W_s) @ semantics.T
''',
        # Semantics not transposed: (B, r) @ (C, r) (runs only when C == r).
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    return (visual @ W_v) @ (semantics @ W_s)
''',
        # Semantics not transposed at the end: (B, d_s) @ (C, d_s) (runs only when C == d_s).
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    return visual @ W_v @ W_s.T @ semantics
''',
        # Factors swapped: W_s on the visual side, W_v on the semantic side.
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    return (visual @ W_s) @ (semantics @ W_v).T
''',
        # Classes by images: the transpose of the answer, (C, B).
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    return (semantics @ W_s) @ (visual @ W_v).T
''',
        # Right values, but computed without gradients: W_v and W_s could not be trained.
        '''def low_rank_scores(visual, semantics, W_v, W_s):
    with torch.no_grad():
        return (visual @ W_v) @ (semantics @ W_s).T
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
    # The experiment 04_experiment_learning_rate: its hidden check accepts, on SHAPES, lr 1e-3, 1e-2, 1e-1 or 1 (inside
    # the grid 1e-4 .. 10) and validation ZSL in [0.57, 0.71]. Measured with
    #   python tests/exercises/measure_band.py 04_bilinear_compatibility 04_experiment_learning_rate --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs):
    #   seed 0: experiment_choice 0.01, experiment_val_zsl 0.64  (2.6 s)
    #   seed 1: experiment_choice 0.01, experiment_val_zsl 0.6465  (2.6 s)
    #   seed 2: experiment_choice 0.1, experiment_val_zsl 0.6139  (2.6 s)
    #   seed 3: experiment_choice 0.1, experiment_val_zsl 0.6211  (2.7 s)
    #   seed 4: experiment_choice 1, experiment_val_zsl 0.6667  (2.8 s)
    "04_experiment_learning_rate": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        _LR.replace("data.features[data.val]", "data.features[data.test_unseen]").replace(
            "data.labels[data.val], data.val_classes", "data.labels[data.test_unseen], data.unseen_classes"
        ),
        # Forgot to train: the untrained models are compared.
        re.sub(r"    fit\(candidate.*?\)\)\n", "", _LR, flags=re.DOTALL),
        # Trained on trainval, i.e. on the validation classes' images too, then measured on them.
        _LR.replace('data.split("train")', 'data.split("trainval")').replace(
            "S_att, data.train_classes", "S_att, data.seen_classes"
        ),
        # Reported in percent instead of a fraction.
        _LR.replace("### END SOLUTION", "experiment_val_zsl = 100 * experiment_val_zsl\n### END SOLUTION"),
    ],
}

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "04_low_rank_scores": [
        # The package's Bilinear holding the same factors.
        _L
        + """    model = Bilinear(W_v.shape[0], W_s.shape[0], rank=W_v.shape[1]).to(visual.dtype)
    with torch.no_grad():
        model.visual_factor.weight.copy_(W_v.T)
        model.semantic_factor.weight.copy_(W_s.T)
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
        + "    return torch.einsum('br,cr->bc', visual.float() @ W_v.float(), semantics.float() @ W_s.float()).to(visual.dtype)\n",
        # Class side first.
        _L + "    return visual @ (W_v @ (semantics @ W_s).T)\n",
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
