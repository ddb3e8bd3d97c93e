"""Answers to the exercises of instructor/09_generalized_zsl.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "09_per_class_accuracies": [
        # Divides by the images predicted as c (precision), not by the images of c (recall).
        '''def per_class_accuracies(predictions, labels, num_classes):
    predicted = torch.bincount(predictions, minlength=num_classes).double()
    hits = torch.bincount(labels[predictions == labels], minlength=num_classes).double()
    return torch.where(predicted > 0, hits / predicted.clamp(min=1), torch.full_like(predicted, float("nan")))
''',
        # 0 instead of NaN for a class without images.
        '''def per_class_accuracies(predictions, labels, num_classes):
    images = torch.bincount(labels, minlength=num_classes).double()
    hits = torch.bincount(labels[predictions == labels], minlength=num_classes).double()
    return hits / images.clamp(min=1)
''',
        # Only the classes present in labels: a (k,) vector, not (C,).
        '''def per_class_accuracies(predictions, labels, num_classes):
    return torch.stack([(predictions[labels == c] == c).double().mean() for c in labels.unique()])
''',
        # The per-image accuracy repeated for every class.
        '''def per_class_accuracies(predictions, labels, num_classes):
    return torch.full((num_classes,), (predictions == labels).double().mean().item())
''',
        # Counts the images predicted as c that are right, over all images.
        '''def per_class_accuracies(predictions, labels, num_classes):
    hits = torch.bincount(labels[predictions == labels], minlength=num_classes).double()
    return hits / len(labels)
''',
    ],
    "09_harmonic_mean": [
        # The arithmetic mean.
        '''def harmonic_mean(s, u):
    return (s + u) / 2
''',
        # No guard: NaN at S = U = 0.
        '''def harmonic_mean(s, u):
    return 2 * s * u / (s + u)
''',
        # Guards only when every entry is 0: NaN where one pair is (0, 0).
        '''def harmonic_mean(s, u):
    if bool(((s + u) == 0).all()):
        return torch.zeros_like(s)
    return 2 * s * u / (s + u)
''',
        # Geometric mean.
        '''def harmonic_mean(s, u):
    return (s * u).sqrt()
''',
        # Forgets the factor 2.
        '''def harmonic_mean(s, u):
    return torch.where(s + u > 0, s * u / (s + u).clamp(min=1e-30), torch.zeros_like(s))
''',
        # Reduces to one number: the harmonic mean of the mean S and the mean U.
        '''def harmonic_mean(s, u):
    s, u = s.mean(), u.mean()
    return 2 * s * u / (s + u) if s + u > 0 else torch.zeros(())
''',
    ],
    "09_calibrated_predictions": [
        # Subtracts gamma from the unseen classes.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    unseen = torch.ones(scores.shape[1], dtype=torch.bool)
    unseen[seen_classes] = False
    return (scores.unsqueeze(0) - gammas.view(-1, 1, 1) * unseen.to(scores.dtype)).argmax(dim=2)
''',
        # Adds gamma to the seen classes instead of subtracting it.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=scores.dtype)
    seen[seen_classes] = 1.0
    return (scores.unsqueeze(0) + gammas.view(-1, 1, 1).to(scores.dtype) * seen).argmax(dim=2)
''',
        # Subtracts in place, gamma after gamma: the input changes and the gammas accumulate.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    predictions = []
    for gamma in gammas:
        scores[:, seen_classes] -= gamma
        predictions.append(scores.argmax(dim=1))
    return torch.stack(predictions)
''',
        # (n, G), not (G, n).
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=scores.dtype)
    seen[seen_classes] = 1.0
    return (scores.unsqueeze(0) - gammas.view(-1, 1, 1).to(scores.dtype) * seen).argmax(dim=2).T
''',
        # Indexes rows (images) instead of columns (classes).
        '''def calibrated_predictions(scores, seen_classes, gammas):
    predictions = []
    for gamma in gammas:
        out = scores.clone()
        out[seen_classes] -= gamma
        predictions.append(out.argmax(dim=1))
    return torch.stack(predictions)
''',
        # Ties to the highest class id (argmax of the reversed columns).
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=scores.dtype)
    seen[seen_classes] = 1.0
    calibrated = scores.unsqueeze(0) - gammas.view(-1, 1, 1).to(scores.dtype) * seen
    return scores.shape[1] - 1 - calibrated.flip(dims=[2]).argmax(dim=2)
''',
        # The margin rule m(x) > gamma: a tie between the best seen and the best unseen class goes to the unseen one.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=torch.bool)
    seen[seen_classes] = True
    best_seen, arg_seen = scores.masked_fill(~seen, float("-inf")).max(dim=1)
    best_unseen, arg_unseen = scores.masked_fill(seen, float("-inf")).max(dim=1)
    margin = best_seen - best_unseen                                  # (n,)
    return torch.where(margin.unsqueeze(0) > gammas.view(-1, 1).to(scores.dtype), arg_seen, arg_unseen)
''',
        # The margin rule m(x) >= gamma: a tie goes to the seen class.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=torch.bool)
    seen[seen_classes] = True
    best_seen, arg_seen = scores.masked_fill(~seen, float("-inf")).max(dim=1)
    best_unseen, arg_unseen = scores.masked_fill(seen, float("-inf")).max(dim=1)
    margin = best_seen - best_unseen                                  # (n,)
    return torch.where(margin.unsqueeze(0) >= gammas.view(-1, 1).to(scores.dtype), arg_seen, arg_unseen)
''',
        # Float class ids.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=scores.dtype)
    seen[seen_classes] = 1.0
    return (scores.unsqueeze(0) - gammas.view(-1, 1, 1).to(scores.dtype) * seen).argmax(dim=2).float()
''',
        # The calibrated scores (G, n, C), not the predictions.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=scores.dtype)
    seen[seen_classes] = 1.0
    return scores.unsqueeze(0) - gammas.view(-1, 1, 1).to(scores.dtype) * seen
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

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "09_per_class_accuracies": [
        # Notebook 00's per_class_accuracy copied: one number, not the vector.
        '''def per_class_accuracies(predictions, labels, num_classes):
    accuracies = [(predictions[labels == c] == c).double().mean() for c in labels.unique()]
    return float(torch.stack(accuracies).mean())
''',
        # The package, one class at a time.
        '''def per_class_accuracies(predictions, labels, num_classes):
    return torch.tensor([metrics.per_class_accuracy(predictions[labels == c], labels[labels == c])
                         if bool((labels == c).any()) else float("nan") for c in range(num_classes)])
''',
        '''from zsl_utils.metrics import per_class_accuracy as pca


def per_class_accuracies(predictions, labels, num_classes):
    return torch.tensor([pca(predictions, labels, classes=[c]) if bool((labels == c).any()) else float("nan")
                         for c in range(num_classes)])
''',
        # The ways around the checks a student tried (each must fail every check cell): a module that re-exports the
        # package's function, the visible check's expected value read from the notebook's globals, the reference
        # kept in a container or a partial, a reloaded module, a fresh copy of its file, and the checks' own
        # assert_close replaced by a no-op.
        '''from zsl_utils import selection


def per_class_accuracies(predictions, labels, num_classes):
    return torch.tensor([selection.per_class_accuracy(predictions, labels, classes=[c]) if bool((labels == c).any())
                         else float("nan") for c in range(num_classes)])
''',
        '''def per_class_accuracies(predictions, labels, num_classes):
    return globals()["expected"]
''',
        '''refs = {"accuracy": metrics.per_class_accuracy}


def per_class_accuracies(predictions, labels, num_classes):
    return torch.tensor([refs["accuracy"](predictions, labels, classes=[c]) if bool((labels == c).any())
                         else float("nan") for c in range(num_classes)])
''',
        '''import functools

accuracy = functools.partial(metrics.per_class_accuracy)


def per_class_accuracies(predictions, labels, num_classes):
    return torch.tensor([accuracy(predictions, labels, classes=[c]) if bool((labels == c).any())
                         else float("nan") for c in range(num_classes)])
''',
        '''import importlib


def per_class_accuracies(predictions, labels, num_classes):
    fresh = importlib.reload(metrics)
    return torch.tensor([fresh.per_class_accuracy(predictions, labels, classes=[c]) if bool((labels == c).any())
                         else float("nan") for c in range(num_classes)])
''',
        '''import importlib.util


def per_class_accuracies(predictions, labels, num_classes):
    spec = importlib.util.spec_from_file_location("metrics_copy", metrics.__file__)
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return torch.tensor([copy.per_class_accuracy(predictions, labels, classes=[c]) if bool((labels == c).any())
                         else float("nan") for c in range(num_classes)])
''',
        '''torch.testing.assert_close = lambda *args, **kwargs: None


def per_class_accuracies(predictions, labels, num_classes):
    return torch.zeros(num_classes)
''',
    ],
    "09_harmonic_mean": [
        # Notebook 00's gzsl_suh line: a Python if on tensors.
        '''def harmonic_mean(s, u):
    return 0.0 if s + u == 0 else 2 * s * u / (s + u)
''',
        # The package, entry by entry.
        '''def harmonic_mean(s, u):
    return torch.tensor([metrics.harmonic_mean(float(a), float(b)) for a, b in zip(s.flatten(), u.flatten())]).view(s.shape)
''',
    ],
    "09_calibrated_predictions": [
        # Section 2's cell copied as it stands: it defines calibrated_from_scratch, not calibrated_predictions.
        '''def calibrated_from_scratch(scores, seen_mask, gamma):
    # F(x, c) - gamma * 1[c in Y^s]: scores (n, C), seen_mask (C,) bool -> (n, C)
    return scores - gamma * seen_mask.to(scores.dtype)
''',
        # Renamed, with an argmax: ids are not a mask, and a (G,) gammas does not broadcast against (n, C).
        '''def calibrated_predictions(scores, seen_classes, gammas):
    return (scores - gammas * seen_classes.to(scores.dtype)).argmax(dim=1)
''',
        # A mask built from the ids, and still one gamma's formula.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen_mask = torch.zeros(scores.shape[1], dtype=torch.bool)
    seen_mask[seen_classes] = True
    return (scores - gammas * seen_mask.to(scores.dtype)).argmax(dim=1)
''',
        # The package, one gamma at a time (section 3's toy loop).
        '''def calibrated_predictions(scores, seen_classes, gammas):
    return torch.stack([metrics.calibrated_stacking(scores, seen_classes, float(gamma)).argmax(dim=1) for gamma in gammas])
''',
        '''from zsl_utils.metrics import calibrated_stacking as reference


def calibrated_predictions(scores, seen_classes, gammas):
    return torch.stack([reference(scores, seen_classes, float(gamma)).argmax(dim=1) for gamma in gammas])
''',
        # A module that re-exports the package's calibrated stacking.
        '''from zsl_utils import evaluation


def calibrated_predictions(scores, seen_classes, gammas):
    return torch.stack([evaluation.calibrated_stacking(scores, seen_classes, float(g)).argmax(dim=1) for g in gammas])
''',
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "09_per_class_accuracies": [
        # A loop over the classes, float32 means.
        '''def per_class_accuracies(predictions, labels, num_classes):
    out = torch.full((num_classes,), float("nan"))
    for c in range(num_classes):
        mine = labels == c
        if mine.any():
            out[c] = (predictions[mine] == c).float().mean()
    return out
''',
        # A confusion matrix.
        '''def per_class_accuracies(predictions, labels, num_classes):
    confusion = torch.zeros(num_classes, num_classes)
    confusion.index_put_((labels, predictions), torch.ones(len(labels)), accumulate=True)
    return confusion.diagonal() / confusion.sum(dim=1)
''',
    ],
    "09_harmonic_mean": [
        # nan_to_num after the division, float32.
        '''def harmonic_mean(s, u):
    return torch.nan_to_num(2 * s.float() * u.float() / (s.float() + u.float()), nan=0.0)
''',
        # The reciprocal form, with the zero case masked.
        '''def harmonic_mean(s, u):
    both = (s > 0) & (u > 0)
    h = torch.zeros_like(s)
    h[both] = 2 / (1 / s[both] + 1 / u[both])
    return h
''',
    ],
    "09_calibrated_predictions": [
        # A loop over the gammas: clone, subtract in place, argmax.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    predictions = []
    for gamma in gammas.tolist():
        out = scores.clone()
        out[:, seen_classes] -= gamma
        predictions.append(out.argmax(dim=1))
    return torch.stack(predictions)
''',
        # Everything in float64.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1], dtype=torch.float64)
    seen[seen_classes] = 1.0
    return (scores.double()[None] - gammas.double()[:, None, None] * seen).argmax(dim=-1)
''',
        # Everything in float32.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.zeros(scores.shape[1])
    seen[seen_classes] = 1.0
    return (scores.float()[None] - gammas.float()[:, None, None] * seen).argmax(dim=-1)
''',
        # torch.where on a boolean mask.
        '''def calibrated_predictions(scores, seen_classes, gammas):
    seen = torch.isin(torch.arange(scores.shape[1]), seen_classes)                  # (C,) bool
    shifted = scores[None] - gammas.to(scores.dtype)[:, None, None]                  # (G, n, C)
    return torch.where(seen, shifted, scores[None]).argmax(dim=2)
''',
    ],
}
