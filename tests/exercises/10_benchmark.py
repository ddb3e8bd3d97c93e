"""Plausible wrong answers to the exercise of instructor/10_benchmark.ipynb; the checks must catch each."""

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
    # The experiment 10_experiment_seed_spread: its check accepts, on SHAPES, mean in [0.59, 0.66] and sample std in [0.005, 0.05]. Measured with
    #   python tests/exercises/measure_band.py 10_benchmark 10_experiment_seed_spread --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_mean 0.6201, experiment_std 0.02755  (1.7 s)
    #   seed 1: experiment_mean 0.6195, experiment_std 0.02733  (1.4 s)
    #   seed 2: experiment_mean 0.627, experiment_std 0.02332  (1.3 s)
    #   seed 3: experiment_mean 0.6216, experiment_std 0.01744  (1.6 s)
    #   seed 4: experiment_mean 0.6206, experiment_std 0.01695  (1.5 s)
    "10_experiment_seed_spread": [
        # The same seed for every run: five copies of one model.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.evaluation import score_images
from zsl_utils.models import DeViSE
from zsl_utils.train import fit

S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
experiment_models, experiment_val_zsls = [], []
for run_seed in range(seed, seed + 5):
    set_seed(seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=1e-2, loss="ranking", margin=1.0, seed=seed, progress=False))
    scores = score_images(candidate, data.features[data.val], S_att)
    experiment_models.append(candidate)
    experiment_val_zsls.append(metrics.zsl_accuracy(scores, data.labels[data.val], data.val_classes))
experiment_mean = float(np.mean(experiment_val_zsls))
experiment_std = float(np.std(experiment_val_zsls, ddof=1))
### END SOLUTION
print(f"validation ZSL over 5 seeds: {100 * experiment_mean:.1f} ± {100 * experiment_std:.1f}% "
      f"({', '.join(f'{100 * a:.1f}' for a in experiment_val_zsls)})")
''',
        # The population standard deviation (ddof=0) where the sample one is asked for.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.evaluation import score_images
from zsl_utils.models import DeViSE
from zsl_utils.train import fit

S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
experiment_models, experiment_val_zsls = [], []
for run_seed in range(seed, seed + 5):
    set_seed(run_seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=1e-2, loss="ranking", margin=1.0, seed=run_seed, progress=False))
    scores = score_images(candidate, data.features[data.val], S_att)
    experiment_models.append(candidate)
    experiment_val_zsls.append(metrics.zsl_accuracy(scores, data.labels[data.val], data.val_classes))
experiment_mean = float(np.mean(experiment_val_zsls))
experiment_std = float(np.std(experiment_val_zsls, ddof=0))
### END SOLUTION
print(f"validation ZSL over 5 seeds: {100 * experiment_mean:.1f} ± {100 * experiment_std:.1f}% "
      f"({', '.join(f'{100 * a:.1f}' for a in experiment_val_zsls)})")
''',
        # Measured on the test classes.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.evaluation import score_images
from zsl_utils.models import DeViSE
from zsl_utils.train import fit

S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
experiment_models, experiment_val_zsls = [], []
for run_seed in range(seed, seed + 5):
    set_seed(run_seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=budget.epochs(10), lr=1e-2, loss="ranking", margin=1.0, seed=run_seed, progress=False))
    scores = score_images(candidate, data.features[data.test_unseen], S_att)
    experiment_models.append(candidate)
    experiment_val_zsls.append(metrics.zsl_accuracy(scores, data.labels[data.test_unseen], data.unseen_classes))
experiment_mean = float(np.mean(experiment_val_zsls))
experiment_std = float(np.std(experiment_val_zsls, ddof=1))
### END SOLUTION
print(f"validation ZSL over 5 seeds: {100 * experiment_mean:.1f} ± {100 * experiment_std:.1f}% "
      f"({', '.join(f'{100 * a:.1f}' for a in experiment_val_zsls)})")
''',
        # Forgot to train.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.evaluation import score_images
from zsl_utils.models import DeViSE
from zsl_utils.train import fit

S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
experiment_models, experiment_val_zsls = [], []
for run_seed in range(seed, seed + 5):
    set_seed(run_seed)
    candidate = DeViSE(data.feature_dim, S_att.shape[1], temperature=0.1).to(device)
    scores = score_images(candidate, data.features[data.val], S_att)
    experiment_models.append(candidate)
    experiment_val_zsls.append(metrics.zsl_accuracy(scores, data.labels[data.val], data.val_classes))
experiment_mean = float(np.mean(experiment_val_zsls))
experiment_std = float(np.std(experiment_val_zsls, ddof=1))
### END SOLUTION
print(f"validation ZSL over 5 seeds: {100 * experiment_mean:.1f} ± {100 * experiment_std:.1f}% "
      f"({', '.join(f'{100 * a:.1f}' for a in experiment_val_zsls)})")
''',
    ],
}

_MH = "def mean_harmonic_mean(seen_accuracies, unseen_accuracies):\n"

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "10_mean_harmonic_mean": [
        _MH
        + "    return sum(metrics.harmonic_mean(s, u) for s, u in zip(seen_accuracies, unseen_accuracies)) / len(seen_accuracies)\n",
        "from zsl_utils.metrics import harmonic_mean\n\n\n"
        + _MH
        + "    return sum(harmonic_mean(s, u) for s, u in zip(seen_accuracies, unseen_accuracies)) / len(seen_accuracies)\n",
    ]
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "10_mean_harmonic_mean": [
        # NumPy float32, the zero case masked.
        _MH
        + '''    s = np.asarray(seen_accuracies, dtype=np.float32)
    u = np.asarray(unseen_accuracies, dtype=np.float32)
    total = s + u
    h = np.where(total > 0, 2 * s * u / np.where(total > 0, total, 1), 0)
    return float(h.mean())
''',
        # statistics.harmonic_mean of the pair (0 when one is 0).
        "import statistics\n\n\n"
        + _MH
        + "    return statistics.fmean(statistics.harmonic_mean([s, u]) for s, u in zip(seen_accuracies, unseen_accuracies))\n",
    ]
}
