"""Plausible wrong answers to the exercise of notebooks/03_devise.ipynb; the checks must catch each."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "03_ranking_loss": [
        # Margin sign flipped: max(0, -margin - s_y + s_j).
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (-margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).sum(dim=1).mean()
''',
        # The positive class's own term kept: adds max(0, margin) = margin per sample.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (margin - positive + scores).clamp(min=0)
    return hinge.sum(dim=1).mean()
''',
        # Mean over the classes instead of the sum over the wrong classes.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).mean(dim=1).mean()
''',
        # Mean over the C-1 wrong classes instead of their sum.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return ((hinge * wrong).sum(dim=1) / (scores.shape[1] - 1)).mean()
''',
        # Sum over the batch instead of the mean.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).sum()
''',
        # No max(0, .): a linear loss that rewards wrong classes far below the true one.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = margin - positive + scores
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).sum(dim=1).mean()
''',
        # Roles of the true and the wrong class swapped.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (margin + positive - scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).sum(dim=1).mean()
''',
        # scores[:, labels] instead of scores[i, labels[i]]: a (B, B) matrix, not the true-class scores.
        '''def ranking_loss(scores, labels, margin):
    positive = scores[:, labels]
    hinge = (margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).sum(dim=1).mean()
''',
        # Only the hardest wrong class (SJE's max) instead of the sum over all wrong classes.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None])
    hinge = (margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).max(dim=1).values.mean()
''',
        # The true-class score detached: right value, but no gradient pulls the true class up.
        '''def ranking_loss(scores, labels, margin):
    positive = scores.gather(1, labels[:, None]).detach()
    hinge = (margin - positive + scores).clamp(min=0)
    wrong = F.one_hot(labels, scores.shape[1]) == 0
    return (hinge * wrong).sum(dim=1).mean()
''',
    ],
    # The experiment 03_experiment_margin: its check accepts, on SHAPES, validation ZSL in [0.55, 0.70] and margin 1.0. Measured with
    #   python tests/exercises/measure_band.py 03_devise 03_experiment_margin --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_choice 1, experiment_val_zsl 0.6302  (1.2 s)
    #   seed 1: experiment_choice 1, experiment_val_zsl 0.5938  (1.3 s)
    #   seed 2: experiment_choice 1, experiment_val_zsl 0.6556  (1.3 s)
    #   seed 3: experiment_choice 1, experiment_val_zsl 0.6302  (1.6 s)
    #   seed 4: experiment_choice 1, experiment_val_zsl 0.5905  (2.0 s)
    "03_experiment_margin": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.test_unseen], semantics)
    return zsl_accuracy(scores, data.labels[data.test_unseen], data.unseen_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")                  # images of the train classes only
trained = {}
for margin in (0.1, 1.0, 5.0):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=10, lr=1e-2, loss="ranking", margin=margin, seed=seed, progress=False))
    trained[margin] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda m: trained[m][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per margin:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen margin {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Forgot to train: the untrained models are compared.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")                  # images of the train classes only
trained = {}
for margin in (0.1, 1.0, 5.0):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    trained[margin] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda m: trained[m][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per margin:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen margin {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Trained on trainval, i.e. on the validation classes' images too, then measured on them.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("trainval")                  # images of the train classes only
trained = {}
for margin in (0.1, 1.0, 5.0):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.seen_classes,
        TrainConfig(epochs=10, lr=1e-2, loss="ranking", margin=margin, seed=seed, progress=False))
    trained[margin] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda m: trained[m][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per margin:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen margin {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Reported in percent instead of a fraction.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")                  # images of the train classes only
trained = {}
for margin in (0.1, 1.0, 5.0):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=10, lr=1e-2, loss="ranking", margin=margin, seed=seed, progress=False))
    trained[margin] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda m: trained[m][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
experiment_val_zsl = 100 * experiment_val_zsl
### END SOLUTION
print('validation ZSL (%) per margin:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen margin {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
    ],
}
