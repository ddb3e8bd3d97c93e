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
}
