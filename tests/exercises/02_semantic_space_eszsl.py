"""Plausible wrong answers to the exercises of notebooks/02_semantic_space_eszsl.ipynb; the checks must catch each."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "02_cosine_similarity_matrix": [
        # Normalises the columns (attributes) instead of the rows (classes).
        '''def cosine_similarity_matrix(semantics):
    unit = F.normalize(semantics, p=2.0, dim=0)
    return unit @ unit.T
''',
        # No normalisation: dot products, not cosines.
        '''def cosine_similarity_matrix(semantics):
    return semantics @ semantics.T
''',
        # Normalises only one factor.
        '''def cosine_similarity_matrix(semantics):
    return F.normalize(semantics, dim=1) @ semantics.T
''',
        # Right product on the wrong side: a (d_s, d_s) matrix of attribute similarities.
        '''def cosine_similarity_matrix(semantics):
    unit = F.normalize(semantics, dim=1)
    return unit.T @ unit
''',
        # Divides by the row norms directly: NaN for an all-zero row.
        '''def cosine_similarity_matrix(semantics):
    unit = semantics / semantics.norm(dim=1, keepdim=True)
    return unit @ unit.T
''',
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
        # S S^T (z x z, the paper's column convention) instead of S^T S (d_s x d_s).
        '''def eszsl_closed_form(X, Y, S, gamma, lam):
    eye_v = torch.eye(X.shape[1], dtype=X.dtype)
    eye_z = torch.eye(S.shape[0], dtype=X.dtype)
    left = torch.linalg.solve(X.T @ X + gamma * eye_v, X.T @ Y @ S)
    return torch.linalg.solve(S @ S.T + lam * eye_z, left.T).T
''',
        # lam dropped: (S^T S)^-1, singular when d_s > z.
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
