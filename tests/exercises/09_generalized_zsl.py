"""Plausible wrong answers to the exercises of notebooks/09_generalized_zsl.ipynb; the checks must catch each."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "09_per_class_accuracy": [
        # Per-image (per-sample) accuracy: dominated by the large classes.
        '''def per_class_accuracy(predictions, labels):
    return float((predictions == labels).double().mean())
''',
        # Averages over the classes that were predicted, not over the classes of the labels.
        '''def per_class_accuracy(predictions, labels):
    accuracies = [(predictions[labels == c] == c).double().mean() for c in predictions.unique()]
    return float(torch.stack(accuracies).mean())
''',
        # Averages over every id from 0 to the largest label, absent classes counting as 0.
        '''def per_class_accuracy(predictions, labels):
    counts = torch.bincount(labels)
    hits = torch.bincount(labels[predictions == labels], minlength=len(counts))
    return float((hits / counts.clamp_min(1)).mean())
''',
        # Per-class precision (right among the images predicted as c) instead of per-class accuracy.
        '''def per_class_accuracy(predictions, labels):
    accuracies = [(labels[predictions == c] == c).double().mean() for c in labels.unique()]
    return float(torch.stack(accuracies).mean())
''',
    ],
    "09_harmonic_mean": [
        # Arithmetic mean.
        '''def harmonic_mean(s, u):
    return (s + u) / 2
''',
        # No guard: ZeroDivisionError at S = U = 0.
        '''def harmonic_mean(s, u):
    return 2 * s * u / (s + u)
''',
        # Geometric mean.
        '''def harmonic_mean(s, u):
    return (s * u) ** 0.5
''',
        # Guard returns the wrong value.
        '''def harmonic_mean(s, u):
    if s + u == 0:
        return 1.0
    return 2 * s * u / (s + u)
''',
    ],
    "09_calibrated_stacking": [
        # Subtracts gamma from the unseen classes.
        '''def calibrated_stacking(scores, seen_classes, gamma):
    unseen = torch.ones(scores.shape[1], dtype=torch.bool)
    unseen[seen_classes] = False
    out = scores.clone()
    out[:, unseen] -= gamma
    return out
''',
        # Adds gamma to the seen classes instead of subtracting it.
        '''def calibrated_stacking(scores, seen_classes, gamma):
    out = scores.clone()
    out[:, seen_classes] += gamma
    return out
''',
        # Modifies the caller's scores in place.
        '''def calibrated_stacking(scores, seen_classes, gamma):
    scores[:, seen_classes] -= gamma
    return scores
''',
        # Indexes rows (images) instead of columns (classes).
        '''def calibrated_stacking(scores, seen_classes, gamma):
    out = scores.clone()
    out[seen_classes] -= gamma
    return out
''',
        # Subtracts gamma from every class: the argmax never changes.
        '''def calibrated_stacking(scores, seen_classes, gamma):
    return scores - gamma
''',
    ],
    # The experiment 09_experiment_validation_gamma: its check accepts, on SHAPES, gamma in [0.018, 0.029] and validation H in [0.27, 0.32]. Measured with
    #   python tests/exercises/measure_band.py 09_generalized_zsl 09_experiment_validation_gamma --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_gamma 0.02115, experiment_val_h 0.2982  (0.0 s)
    #   seed 1: experiment_gamma 0.0251, experiment_val_h 0.3042  (0.0 s)
    #   seed 2: experiment_gamma 0.025, experiment_val_h 0.3011  (0.0 s)
    #   seed 3: experiment_gamma 0.02401, experiment_val_h 0.2908  (0.0 s)
    #   seed 4: experiment_gamma 0.0237, experiment_val_h 0.3001  (0.0 s)
    "09_experiment_validation_gamma": [
        # gamma chosen on the test images: the model fit on all train-class images, test_seen as seen, test_unseen as unseen.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
S_att = data.semantic("attributes")
fit_images, held_out = holdout_split(data, seed=seed)      # train-class images: fitting part, held-out 20%
experiment_model = ESZSL(data.feature_dim, S_att.shape[1], gamma=1.0, lam=1.0)
experiment_model.fit(data.features[data.trainval], data.labels[data.trainval], S_att, data.seen_classes)
classes = torch.arange(data.num_classes)
as_seen = score_images(experiment_model, data.features[data.test_seen], S_att[classes])
as_unseen = score_images(experiment_model, data.features[data.test_unseen], S_att[classes])
column = lambda ids: torch.searchsorted(classes, ids)
experiment_gamma, experiment_val_h = metrics.select_gamma(
    as_seen, column(data.labels[data.test_seen]), as_unseen, column(data.labels[data.test_unseen]), column(data.seen_classes))
### END SOLUTION
print(f"gamma chosen on validation data: {experiment_gamma:.4g}, validation H {100 * experiment_val_h:.1f}%")
''',
        # No calibration: gamma = 0 and the plain validation H.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
S_att = data.semantic("attributes")
fit_images, held_out = holdout_split(data, seed=seed)      # train-class images: fitting part, held-out 20%
experiment_model = ESZSL(data.feature_dim, S_att.shape[1], gamma=1.0, lam=1.0)
experiment_model.fit(data.features[fit_images], data.labels[fit_images], S_att, data.train_classes)
classes = data.seen_classes                               # Y^tr u Y^val, sorted
as_seen = score_images(experiment_model, data.features[held_out], S_att[classes])
as_unseen = score_images(experiment_model, data.features[data.val], S_att[classes])
column = lambda ids: torch.searchsorted(classes, ids)
experiment_gamma, experiment_val_h = metrics.select_gamma(
    as_seen, column(data.labels[held_out]), as_unseen, column(data.labels[data.val]), column(data.train_classes))
experiment_gamma = 0.0
_plain = metrics.gzsl_accuracy(as_seen, column(data.labels[held_out]), as_unseen, column(data.labels[data.val]))
experiment_val_h = metrics.harmonic_mean(_plain.seen, _plain.unseen)
### END SOLUTION
print(f"gamma chosen on validation data: {experiment_gamma:.4g}, validation H {100 * experiment_val_h:.1f}%")
''',
        # The validation classes play the seen role too: the model is fitted on trainval.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
S_att = data.semantic("attributes")
fit_images, held_out = holdout_split(data, seed=seed)      # train-class images: fitting part, held-out 20%
experiment_model = ESZSL(data.feature_dim, S_att.shape[1], gamma=1.0, lam=1.0)
experiment_model.fit(data.features[data.trainval], data.labels[data.trainval], S_att, data.seen_classes)
classes = data.seen_classes                               # Y^tr u Y^val, sorted
as_seen = score_images(experiment_model, data.features[held_out], S_att[classes])
as_unseen = score_images(experiment_model, data.features[data.val], S_att[classes])
column = lambda ids: torch.searchsorted(classes, ids)
experiment_gamma, experiment_val_h = metrics.select_gamma(
    as_seen, column(data.labels[held_out]), as_unseen, column(data.labels[data.val]), column(data.train_classes))
### END SOLUTION
print(f"gamma chosen on validation data: {experiment_gamma:.4g}, validation H {100 * experiment_val_h:.1f}%")
''',
    ],
}
