"""Plausible wrong answers to the exercises of notebooks/04_bilinear_compatibility.ipynb; the checks must catch each."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "04_low_rank_scores": [
        # Shape guessing: pairwise (B,) scores whenever B == C.
        '''def low_rank_scores(visual, semantics, U, V):
    if semantics.shape[0] == visual.shape[0]:
        return ((visual @ U) * (semantics @ V)).sum(dim=1)
    return (visual @ U) @ (semantics @ V).T
''',
        # U V instead of U V^T (runs only when r == d_s).
        '''def low_rank_scores(visual, semantics, U, V):
    return visual @ (U @ V) @ semantics.T
''',
        # Semantics not transposed: (B, r) @ (C, r) (runs only when C == r).
        '''def low_rank_scores(visual, semantics, U, V):
    return (visual @ U) @ (semantics @ V)
''',
        # Semantics not transposed at the end: (B, d_s) @ (C, d_s) (runs only when C == d_s).
        '''def low_rank_scores(visual, semantics, U, V):
    return visual @ U @ V.T @ semantics
''',
        # Factors swapped: V on the visual side, U on the semantic side.
        '''def low_rank_scores(visual, semantics, U, V):
    return (visual @ V) @ (semantics @ U).T
''',
        # Classes by images: the transpose of the answer, (C, B).
        '''def low_rank_scores(visual, semantics, U, V):
    return (semantics @ V) @ (visual @ U).T
''',
        # Right values, but computed without gradients: U and V could not be trained.
        '''def low_rank_scores(visual, semantics, U, V):
    with torch.no_grad():
        return (visual @ U) @ (semantics @ V).T
''',
    ],
    "04_bilinear_parameter_count": [
        # Ignores the rank: always the full d_v * d_s.
        '''def bilinear_parameter_count(d_v, d_s, rank=None):
    return d_v * d_s
''',
        # Multiplies instead of adding: rank * d_v * d_s.
        '''def bilinear_parameter_count(d_v, d_s, rank=None):
    if rank is None:
        return d_v * d_s
    return rank * d_v * d_s
''',
        # Counts W = U V^T as well as the factors.
        '''def bilinear_parameter_count(d_v, d_s, rank=None):
    if rank is None:
        return d_v * d_s
    return rank * (d_v + d_s) + d_v * d_s
''',
        # Clips the rank to min(d_v, d_s): the rank of W, not the size of the factors.
        '''def bilinear_parameter_count(d_v, d_s, rank=None):
    if rank is None:
        return d_v * d_s
    return min(rank, d_v, d_s) * (d_v + d_s)
''',
        # Operator precedence: rank * d_v + d_s.
        '''def bilinear_parameter_count(d_v, d_s, rank=None):
    if rank is None:
        return d_v * d_s
    return rank * d_v + d_s
''',
        # Always the factored count: fails for rank=None.
        '''def bilinear_parameter_count(d_v, d_s, rank=None):
    return rank * (d_v + d_s)
''',
    ],
}
