"""Plausible wrong answers to the exercises of instructor/06_training_tricks.ipynb; the checks must catch each."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "06_warmup_cosine_lr": [
        # The source text's warmup, t / W: a learning rate of 0 at the first step (and 0/0 when warmup == total).
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    if step < warmup_steps:
        return step / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return 0.5 * (1.0 + math.cos(math.pi * progress))
''',
        # The source text's formula as it stands: t / W, no clipping, no clamp past the end.
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    if step < warmup_steps:
        return step / warmup_steps
    return 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))
''',
        # Right warmup, but the warmup is not clipped: ZeroDivisionError when warmup == total (at step == total),
        # and a warmup longer than the run never reaches 1.
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    if step < warmup_steps:
        return (step + 1) / (warmup_steps + 1)
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return 0.5 * (1.0 + math.cos(math.pi * progress))
''',
        # Guards the division with max(1, ...) instead of clipping the warmup: no crash, wrong values for W >= T.
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    if step < warmup_steps:
        return (step + 1) / (warmup_steps + 1)
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return 0.5 * (1.0 + math.cos(math.pi * progress))
''',
        # No clamp past the end: the cosine rises again after total_steps.
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return (step + 1) / (warmup + 1)
    return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / (total_steps - warmup)))
''',
        # Decays over total_steps - 1: reaches 0 at the last training step (and 0/0 when W == T - 1).
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return (step + 1) / (warmup + 1)
    progress = min(1.0, (step - warmup) / (total_steps - 1 - warmup))
    return 0.5 * (1.0 + math.cos(math.pi * progress))
''',
        # Warmup off by one: (t + 1) / W reaches 1 one step early.
        '''def warmup_cosine_lr(step, total_steps, warmup_steps):
    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / (total_steps - warmup))
    return 0.5 * (1.0 + math.cos(math.pi * progress))
''',
    ],
    "06_hardest_negatives": [
        # Section 1's vectorised masking with topk, which does not keep the lower index first on ties.
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.detach().masked_fill(is_positive, float("-inf")).topk(k, dim=1).indices
''',
        # Does not mask the positive: returns it whenever it scores highest.
        '''def hardest_negatives(scores, labels, k=1):
    return scores.topk(k, dim=1).indices
''',
        # Takes the lowest scores (the easiest negatives).
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("inf")).topk(k, dim=1, largest=False).indices
''',
        # Works only for k = 1: one masked argmax whatever k is.
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("-inf")).argmax(dim=1, keepdim=True)
''',
        # k = 1 repeated k times.
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("-inf")).argmax(dim=1, keepdim=True).expand(-1, k)
''',
        # Masks the positive with -inf, then topk: the positive can come back when it ties with -inf wrong classes.
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("-inf")).topk(k, dim=1).indices
''',
        # Masks the positive with -inf, then a stable sort: the positive still comes back among -inf ties.
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    masked = scores.masked_fill(is_positive, float("-inf"))
    return masked.sort(dim=1, descending=True, stable=True).indices[:, :k]
''',
        # Returns the scores of the hardest negatives instead of their indices.
        '''def hardest_negatives(scores, labels, k=1):
    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("-inf")).topk(k, dim=1).values
''',
        # Masks a column per sample by batch position instead of by label (scores[i, i]).
        '''def hardest_negatives(scores, labels, k=1):
    masked = scores.clone()
    rows = torch.arange(scores.shape[0])
    masked[rows, rows % scores.shape[1]] = float("-inf")
    return masked.topk(k, dim=1).indices
''',
    ],
    # The experiment 06_experiment_hard_negatives: its hidden check accepts, on SHAPES, validation ZSL in [0.62, 0.72] and
    # k = 5 (the middle of the grid 1, 5, 31). Measured with
    #   python tests/exercises/measure_band.py 06_training_tricks 06_experiment_hard_negatives --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_choice 5, experiment_val_zsl 0.6758  (1.7 s)
    #   seed 1: experiment_choice 5, experiment_val_zsl 0.6673  (1.7 s)
    #   seed 2: experiment_choice 5, experiment_val_zsl 0.6836  (1.3 s)
    #   seed 3: experiment_choice 5, experiment_val_zsl 0.6615  (1.4 s)
    #   seed 4: experiment_choice 5, experiment_val_zsl 0.6758  (1.3 s)
    "06_experiment_hard_negatives": [
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
for k in (1, 5, len(data.train_classes) - 1):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1]).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=3e-3, loss="hard_ranking", margin=0.1, num_negatives=k, seed=seed, progress=False))
    trained[k] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda k: trained[k][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
print('validation ZSL (%) per k:', {k: round(100 * v[0], 1) for k, v in trained.items()})
### END SOLUTION
print(f"chosen k {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
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
for k in (1, 5, len(data.train_classes) - 1):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1]).to(device)
    trained[k] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda k: trained[k][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
print('validation ZSL (%) per k:', {k: round(100 * v[0], 1) for k, v in trained.items()})
### END SOLUTION
print(f"chosen k {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
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
for k in (1, 5, len(data.train_classes) - 1):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1]).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.seen_classes,
        TrainConfig(epochs=budget.epochs(10), lr=3e-3, loss="hard_ranking", margin=0.1, num_negatives=k, seed=seed, progress=False))
    trained[k] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda k: trained[k][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
print('validation ZSL (%) per k:', {k: round(100 * v[0], 1) for k, v in trained.items()})
### END SOLUTION
print(f"chosen k {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
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
for k in (1, 5, len(data.train_classes) - 1):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1]).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=3e-3, loss="hard_ranking", margin=0.1, num_negatives=k, seed=seed, progress=False))
    trained[k] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda k: trained[k][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
experiment_val_zsl = 100 * experiment_val_zsl
print('validation ZSL (%) per k:', {k: round(100 * v[0], 1) for k, v in trained.items()})
### END SOLUTION
print(f"chosen k {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
    ],
}

_LR = "def warmup_cosine_lr(step, total_steps, warmup_steps):\n"
_HN = "def hardest_negatives(scores, labels, k=1):\n"

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "06_warmup_cosine_lr": [
        _LR + "    return schedules.cosine_warmup_lr(step, total_steps, warmup_steps)\n",
        "from zsl_utils.schedules import cosine_warmup_lr\n\n\n"
        + _LR
        + "    return cosine_warmup_lr(step, total_steps, warmup_steps)\n",
        # Section 2's buggy_lr_lambda copied.
        _LR
        + '''    if step < warmup_steps:
        return step / warmup_steps
    return 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))
''',
    ],
    "06_hardest_negatives": [
        _HN + "    return losses.hard_negatives(scores, labels, k)\n",
        # Section 1's hardest_negative_vectorised copied (k = 1 only).
        _HN
        + '''    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("-inf")).argmax(dim=1)
''',
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "06_warmup_cosine_lr": [
        # float32 torch arithmetic.
        _LR
        + '''    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return float(torch.tensor(step + 1, dtype=torch.float32) / (warmup + 1))
    progress = torch.tensor(min(1.0, (step - warmup) / (total_steps - warmup)), dtype=torch.float32)
    return float(0.5 * (1 + torch.cos(torch.pi * progress)))
''',
        # cos^2 form: (1 + cos(pi p)) / 2 = cos(pi p / 2)^2.
        _LR
        + '''    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return (step + 1) / (warmup + 1)
    return math.cos(math.pi / 2 * min(1.0, (step - warmup) / (total_steps - warmup))) ** 2
''',
    ],
    "06_hardest_negatives": [
        # The (B, C-1) table of wrong classes, then a stable sort.
        _HN
        + '''    B, C = scores.shape
    others = torch.arange(C - 1).expand(B, -1)
    candidates = others + (others >= labels[:, None]).long()
    order = scores.detach().gather(1, candidates).sort(dim=1, descending=True, stable=True).indices
    return candidates.gather(1, order[:, :k])
''',
        # A loop, with Python's stable sorted.
        _HN
        + '''    rows = []
    for i in range(scores.shape[0]):
        wrong = [j for j in range(scores.shape[1]) if j != int(labels[i])]
        rows.append(sorted(wrong, key=lambda j: -float(scores[i, j]))[:k])
    return torch.tensor(rows, dtype=torch.int64)
''',
    ],
}
