"""Answers to the exercises of instructor/02_semantic_space_eszsl.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

_HEAD_ESZSL = "def eszsl_closed_form(X, Y, S, gamma, lam):\n"
_H = "def most_similar_classes(semantics, k):\n"
_MASKED = """    unit = {unit}
    K = unit @ unit.T
    K = K.masked_fill(torch.eye(K.shape[0], dtype=torch.bool), float("-inf"))
    return K.topk(k, dim=1).indices
"""

WRONG_ANSWERS: dict[str, list[str]] = {
    "02_most_similar_classes": [
        # Normalises the columns (attributes) instead of the rows (classes).
        _H + _MASKED.format(unit="F.normalize(semantics, p=2.0, dim=0)"),
        # No normalisation: dot products, not cosines.
        _H + _MASKED.format(unit="semantics"),
        # The class itself not excluded.
        _H + "    unit = F.normalize(semantics, dim=1)\n    return (unit @ unit.T).topk(k, dim=1).indices\n",
        # k + 1 best, the first dropped: wrong when another class ties with the class itself (cosine 1) or for a zero row.
        _H + "    unit = F.normalize(semantics, dim=1)\n    return (unit @ unit.T).topk(k + 1, dim=1).indices[:, 1:]\n",
        # The diagonal set to 0 instead of -inf: the class itself beats its negatively correlated classes.
        _H + "    unit = F.normalize(semantics, dim=1)\n    K = unit @ unit.T\n    K.fill_diagonal_(0.0)\n"
        "    return K.topk(k, dim=1).indices\n",
        # Least similar first.
        _H + "    unit = F.normalize(semantics, dim=1)\n    K = unit @ unit.T\n    K.fill_diagonal_(float('inf'))\n"
        "    return K.topk(k, dim=1, largest=False).indices\n",
        # Divides by the row norms directly: NaN for an all-zero row.
        _H + _MASKED.format(unit="semantics / semantics.norm(dim=1, keepdim=True)"),
        # Returns the similarities, not the class ids.
        _H + "    unit = F.normalize(semantics, dim=1)\n    K = unit @ unit.T\n    K.fill_diagonal_(float('-inf'))\n"
        "    return K.topk(k, dim=1).values\n",
    ],
    "02_eszsl_closed_form": [
        # Regularisers swapped: lam on the visual side, gamma on the semantic side.
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_v = torch.eye(X.shape[1], dtype=X.dtype)
    eye_s = torch.eye(S.shape[1], dtype=X.dtype)
    left = torch.linalg.solve(X.T @ X + lam * eye_v, X.T @ Y @ S)
    return torch.linalg.solve(S.T @ S + gamma * eye_s, left.T).T
''',
        # gamma dropped: (X^T X)^-1 instead of (X^T X + gamma I)^-1.
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_s = torch.eye(S.shape[1], dtype=X.dtype)
    left = torch.linalg.solve(X.T @ X, X.T @ Y @ S)
    return torch.linalg.solve(S.T @ S + lam * eye_s, left.T).T
''',
        # S S^T (C_tr x C_tr, the paper's column convention) instead of S^T S (d_s x d_s).
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_v = torch.eye(X.shape[1], dtype=X.dtype)
    eye_z = torch.eye(S.shape[0], dtype=X.dtype)
    left = torch.linalg.solve(X.T @ X + gamma * eye_v, X.T @ Y @ S)
    return torch.linalg.solve(S @ S.T + lam * eye_z, left.T).T
''',
        # lam dropped: (S^T S)^-1, singular when d_s > C_tr.
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_v = torch.eye(X.shape[1], dtype=X.dtype)
    left = torch.linalg.solve(X.T @ X + gamma * eye_v, X.T @ Y @ S)
    return left @ torch.linalg.pinv(S.T @ S)
''',
        # The semantic-side factor forgotten: a ridge regression of Y S onto X.
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_v = torch.eye(X.shape[1], dtype=X.dtype)
    return torch.linalg.solve(X.T @ X + gamma * eye_v, X.T @ Y @ S)
''',
        # The paper's column-convention formula pasted onto row-convention inputs.
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    A = X @ X.T + gamma * torch.eye(X.shape[0], dtype=X.dtype)
    B = S @ S.T + lam * torch.eye(S.shape[0], dtype=X.dtype)
    return torch.linalg.inv(A) @ X @ Y @ S.T @ torch.linalg.inv(B)
''',
        # The right V, returned transposed: (d_s, d_v).
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_v = torch.eye(X.shape[1], dtype=X.dtype)
    eye_s = torch.eye(S.shape[1], dtype=X.dtype)
    left = torch.linalg.solve(X.T @ X + gamma * eye_v, X.T @ Y @ S)
    return torch.linalg.solve(S.T @ S + lam * eye_s, left.T)
''',
    ],
}

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_course.grading.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "02_most_similar_classes": [
        # Section 3's pairwise_cosine copied: the (C, C) matrix.
        _H + "    return F.cosine_similarity(semantics[:, None, :], semantics[None, :, :], dim=-1)\n",
        # ... plus topk, without leaving the class itself out.
        _H
        + "    return F.cosine_similarity(semantics[:, None, :], semantics[None, :, :], dim=-1).topk(k, dim=1).indices\n",
    ],
    "02_eszsl_closed_form": [
        _HEAD_ESZSL + "    return ESZSL.closed_form(X, Y, S, gamma, lam)\n",
        "from zsl_utils.models import ESZSL as Reference\n\n\n"
        + _HEAD_ESZSL
        + "    return Reference.closed_form(X, Y, S, gamma, lam)\n",
        # Section 4's eszsl_paper_convention lines copied onto the row-convention inputs.
        _HEAD_ESZSL
        + """    A = X @ X.T + gamma * torch.eye(X.shape[0], dtype=X.dtype)
    B = S @ S.T + lam * torch.eye(S.shape[0], dtype=X.dtype)
    left = torch.linalg.solve(A, X @ Y @ S.T)
    return torch.linalg.solve(B, left.T).T
""",
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "02_most_similar_classes": [
        # F.cosine_similarity over all pairs, a stable descending sort.
        _H
        + """    K = F.cosine_similarity(semantics[:, None, :], semantics[None, :, :], dim=-1)
    K[torch.arange(len(K)), torch.arange(len(K))] = -2.0
    return torch.argsort(K, dim=1, descending=True, stable=True)[:, :k]
""",
        # float32, norms clamped by hand, a loop over the classes.
        _H
        + """    s = semantics.float()
    unit = s / s.norm(dim=1, keepdim=True).clamp(min=1e-12)
    K = unit @ unit.T
    rows = []
    for c in range(len(K)):
        others = [j for j in range(len(K)) if j != c]
        order = torch.tensor(others)[K[c, others].argsort(descending=True)]
        rows.append(order[:k])
    return torch.stack(rows)
""",
    ],
    "02_eszsl_closed_form": [
        # float32 with explicit inverses.
        _HEAD_ESZSL
        + """    X, Y, S = X.float(), Y.float(), S.float()
    left = torch.linalg.inv(X.T @ X + gamma * torch.eye(X.shape[1]))
    right = torch.linalg.inv(S.T @ S + lam * torch.eye(S.shape[1]))
    return left @ X.T @ Y @ S @ right
""",
        # Least squares on the normal equations of each side.
        _HEAD_ESZSL
        + """    A = X.T @ X + gamma * torch.eye(X.shape[1], dtype=X.dtype)
    B = S.T @ S + lam * torch.eye(S.shape[1], dtype=X.dtype)
    return torch.linalg.lstsq(B, torch.linalg.lstsq(A, X.T @ Y @ S).solution.T).solution.T
""",
    ],
}
