"""Plausible wrong answers to the exercises of notebooks/06_training_tricks.ipynb; the checks must catch each."""

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
}

_LR = "def warmup_cosine_lr(step, total_steps, warmup_steps):\n"
_HN = "def hardest_negatives(scores, labels, k=1):\n"

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_utils.teaching.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "06_warmup_cosine_lr": [
        _LR + "    return schedules.cosine_warmup_lr(step, total_steps, warmup_steps)\n",
        "from zsl_utils.schedules import cosine_warmup_lr\n\n\n" + _LR + "    return cosine_warmup_lr(step, total_steps, warmup_steps)\n",
        # Section 2's buggy_lr_lambda copied.
        _LR + '''    if step < warmup_steps:
        return step / warmup_steps
    return 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))
''',
    ],
    "06_hardest_negatives": [
        _HN + "    return losses.hard_negatives(scores, labels, k)\n",
        # Section 1's hardest_negative_vectorised copied (k = 1 only).
        _HN + '''    is_positive = F.one_hot(labels, scores.shape[1]).bool()
    return scores.masked_fill(is_positive, float("-inf")).argmax(dim=1)
''',
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "06_warmup_cosine_lr": [
        # float32 torch arithmetic.
        _LR + '''    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return float(torch.tensor(step + 1, dtype=torch.float32) / (warmup + 1))
    progress = torch.tensor(min(1.0, (step - warmup) / (total_steps - warmup)), dtype=torch.float32)
    return float(0.5 * (1 + torch.cos(torch.pi * progress)))
''',
        # cos^2 form: (1 + cos(pi p)) / 2 = cos(pi p / 2)^2.
        _LR + '''    warmup = min(warmup_steps, total_steps - 1)
    if step < warmup:
        return (step + 1) / (warmup + 1)
    return math.cos(math.pi / 2 * min(1.0, (step - warmup) / (total_steps - warmup))) ** 2
''',
    ],
    "06_hardest_negatives": [
        # The (B, C-1) table of wrong classes, then a stable sort.
        _HN + '''    B, C = scores.shape
    others = torch.arange(C - 1).expand(B, -1)
    candidates = others + (others >= labels[:, None]).long()
    order = scores.detach().gather(1, candidates).sort(dim=1, descending=True, stable=True).indices
    return candidates.gather(1, order[:, :k])
''',
        # A loop, with Python's stable sorted.
        _HN + '''    rows = []
    for i in range(scores.shape[0]):
        wrong = [j for j in range(scores.shape[1]) if j != int(labels[i])]
        rows.append(sorted(wrong, key=lambda j: -float(scores[i, j]))[:k])
    return torch.tensor(rows, dtype=torch.int64)
''',
    ],
}
