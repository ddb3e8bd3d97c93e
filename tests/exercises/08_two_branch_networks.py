"""Answers to the exercise of instructor/08_two_branch_networks.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

_HEAD = "def margin_cosine_scores(visual_emb, class_emb, labels, margin, temperature):\n"
_COS = "    cosine = F.normalize(visual_emb, dim=-1) @ F.normalize(class_emb, dim=-1).T\n"
_ONE_HOT = "    is_true = F.one_hot(labels, class_emb.shape[0]).to(cosine.dtype)\n"

WRONG_ANSWERS: dict[str, list[str]] = {
    "08_margin_cosine_scores": [
        # Shape guessing: row-wise pair scores (B,) when B == C.
        _HEAD
        + '''    if visual_emb.shape[0] == class_emb.shape[0]:
        return (F.cosine_similarity(visual_emb, class_emb, dim=-1) - margin) / temperature
'''
        + _COS
        + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Forgetting to normalise the class side.
        _HEAD
        + "    cosine = F.normalize(visual_emb, dim=-1) @ class_emb.T\n"
        + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Forgetting to normalise the visual side.
        _HEAD
        + "    cosine = visual_emb @ F.normalize(class_emb, dim=-1).T\n"
        + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Margin outside the bracket: cos / tau - m.
        _HEAD + _COS + _ONE_HOT + "    return cosine / temperature - margin * is_true\n",
        # Margin on every class.
        _HEAD + _COS + "    return (cosine - margin) / temperature\n",
        # Margin added instead of subtracted.
        _HEAD + _COS + _ONE_HOT + "    return (cosine + margin * is_true) / temperature\n",
        # Margin on the wrong classes instead of the true one.
        _HEAD + _COS + _ONE_HOT + "    return (cosine - margin * (1 - is_true)) / temperature\n",
        # Margin on the diagonal (image b against class b), not at column y_b.
        _HEAD
        + _COS
        + "    eye = torch.eye(*cosine.shape, dtype=cosine.dtype)\n    return (cosine - margin * eye) / temperature\n",
        # Multiplying by the temperature instead of dividing.
        _HEAD + _COS + _ONE_HOT + "    return (cosine - margin * is_true) * temperature\n",
        # Normalising along the wrong axis.
        _HEAD
        + "    cosine = F.normalize(visual_emb, dim=0) @ F.normalize(class_emb, dim=0).T\n"
        + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Detached from the graph.
        _HEAD
        + _COS.replace(".T\n", ".T.detach()\n")
        + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
    ],
    # The experiment 08_experiment_temperature: its check accepts, on SHAPES, validation ZSL in [0.60, 0.70] and tau 0.01 or 0.1. Measured with
    #   python tests/exercises/measure_band.py 08_two_branch_networks 08_experiment_temperature --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_choice 0.1, experiment_val_zsl 0.653  (3.3 s)
    #   seed 1: experiment_choice 0.01, experiment_val_zsl 0.6621  (3.3 s)
    #   seed 2: experiment_choice 0.01, experiment_val_zsl 0.6458  (3.1 s)
    #   seed 3: experiment_choice 0.1, experiment_val_zsl 0.6367  (4.1 s)
    #   seed 4: experiment_choice 0.1, experiment_val_zsl 0.6458  (4.3 s)
    "08_experiment_temperature": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.test_unseen], semantics)
    return zsl_accuracy(scores, data.labels[data.test_unseen], data.unseen_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes, TrainConfig(epochs=budget.epochs(8), lr=1e-3, seed=seed, progress=False))
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Forgot to train: the untrained models are compared.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Trained on trainval, i.e. on the validation classes' images too, then measured on them.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("trainval")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.seen_classes, TrainConfig(epochs=budget.epochs(8), lr=1e-3, seed=seed, progress=False))
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Reported in percent instead of a fraction.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes, TrainConfig(epochs=budget.epochs(8), lr=1e-3, seed=seed, progress=False))
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
experiment_val_zsl = 100 * experiment_val_zsl
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
    ],
}

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "08_margin_cosine_scores": [
        # Section 2's two_branch_scores lines copied, without the margin.
        _HEAD
        + '''    theta = F.normalize(visual_emb, dim=-1)
    psi = F.normalize(class_emb, dim=-1)
    return theta @ psi.T / temperature
''',
        # The package's TwoBranch with identity branches, margin added afterwards.
        _HEAD
        + '''    d = visual_emb.shape[1]
    model = TwoBranch(d, d, embed_dim=d, visual_hidden=(), semantic_hidden=(), temperature=temperature).to(visual_emb.dtype)
    with torch.no_grad():
        for branch in (model.visual_branch, model.semantic_branch):
            branch[0].weight.copy_(torch.eye(d))
            branch[0].bias.zero_()
    scores = model.class_scores(visual_emb, class_emb)
    return scores - margin / temperature * F.one_hot(labels, class_emb.shape[0])
''',
    ]
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "08_margin_cosine_scores": [
        # F.cosine_similarity broadcast over all pairs, the margin by scatter, float32.
        _HEAD
        + '''    cosine = F.cosine_similarity(visual_emb.float()[:, None, :], class_emb.float()[None, :, :], dim=-1)
    cosine = cosine.scatter_add(1, labels[:, None], torch.full((len(labels), 1), -float(margin)))
    return (cosine / temperature).to(visual_emb.dtype)
''',
        # Norms by hand, the margin through an index.
        _HEAD
        + '''    cosine = (visual_emb / visual_emb.norm(dim=1, keepdim=True)) @ (class_emb / class_emb.norm(dim=1, keepdim=True)).T
    cosine = cosine.clone()
    cosine[torch.arange(len(labels)), labels] -= margin
    return cosine / temperature
''',
    ]
}
