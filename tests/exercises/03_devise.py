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
}
