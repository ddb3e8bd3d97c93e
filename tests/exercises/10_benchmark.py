"""Plausible wrong answers to the exercise of notebooks/10_benchmark.ipynb; the checks must catch each."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "10_mean_harmonic_mean": [
        # H of the mean S and the mean U: overstates H whenever the seeds trade S for U differently (Jensen).
        '''def mean_harmonic_mean(seen_accuracies, unseen_accuracies):
    s = sum(seen_accuracies) / len(seen_accuracies)
    u = sum(unseen_accuracies) / len(unseen_accuracies)
    return 0.0 if s + u == 0 else 2 * s * u / (s + u)
''',
        # No guard for S = U = 0: ZeroDivisionError on such a seed.
        '''def mean_harmonic_mean(seen_accuracies, unseen_accuracies):
    per_seed = [2 * s * u / (s + u) for s, u in zip(seen_accuracies, unseen_accuracies)]
    return sum(per_seed) / len(per_seed)
''',
        # Drops the seeds where H is undefined instead of counting them as H = 0.
        '''def mean_harmonic_mean(seen_accuracies, unseen_accuracies):
    per_seed = [2 * s * u / (s + u) for s, u in zip(seen_accuracies, unseen_accuracies) if s + u > 0]
    return sum(per_seed) / len(per_seed) if per_seed else 0.0
''',
        # Mean of the per-seed arithmetic means (S + U) / 2.
        '''def mean_harmonic_mean(seen_accuracies, unseen_accuracies):
    per_seed = [(s + u) / 2 for s, u in zip(seen_accuracies, unseen_accuracies)]
    return sum(per_seed) / len(per_seed)
''',
        # Harmonic mean of the per-seed harmonic means (instead of their arithmetic mean).
        '''def mean_harmonic_mean(seen_accuracies, unseen_accuracies):
    per_seed = [0.0 if s + u == 0 else 2 * s * u / (s + u) for s, u in zip(seen_accuracies, unseen_accuracies)]
    if min(per_seed) == 0:
        return 0.0
    return len(per_seed) / sum(1 / h for h in per_seed)
''',
        # Divides by n - 1 (as for a sample variance) instead of n.
        '''def mean_harmonic_mean(seen_accuracies, unseen_accuracies):
    per_seed = [0.0 if s + u == 0 else 2 * s * u / (s + u) for s, u in zip(seen_accuracies, unseen_accuracies)]
    return sum(per_seed) / max(1, len(per_seed) - 1)
''',
    ],
}

_MH = "def mean_harmonic_mean(seen_accuracies, unseen_accuracies):\n"

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_utils.teaching.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "10_mean_harmonic_mean": [
        _MH + "    return sum(metrics.harmonic_mean(s, u) for s, u in zip(seen_accuracies, unseen_accuracies)) / len(seen_accuracies)\n",
        "from zsl_utils.metrics import harmonic_mean\n\n\n" + _MH
        + "    return sum(harmonic_mean(s, u) for s, u in zip(seen_accuracies, unseen_accuracies)) / len(seen_accuracies)\n",
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "10_mean_harmonic_mean": [
        # NumPy float32, the zero case masked.
        _MH + '''    s = np.asarray(seen_accuracies, dtype=np.float32)
    u = np.asarray(unseen_accuracies, dtype=np.float32)
    total = s + u
    h = np.where(total > 0, 2 * s * u / np.where(total > 0, total, 1), 0)
    return float(h.mean())
''',
        # statistics.harmonic_mean of the pair (0 when one is 0).
        "import statistics\n\n\n" + _MH
        + "    return statistics.fmean(statistics.harmonic_mean([s, u]) for s, u in zip(seen_accuracies, unseen_accuracies))\n",
    ],
}
