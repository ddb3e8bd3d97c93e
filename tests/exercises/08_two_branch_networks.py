"""Answers to the exercise of notebooks/08_two_branch_networks.ipynb: wrong ones and shortcuts the checks must catch,
correct ones in other styles that must pass every check (hidden ones included)."""

_HEAD = "def margin_cosine_scores(visual_emb, class_emb, labels, margin, temperature):\n"
_COS = "    cosine = F.normalize(visual_emb, dim=-1) @ F.normalize(class_emb, dim=-1).T\n"
_ONE_HOT = "    is_true = F.one_hot(labels, class_emb.shape[0]).to(cosine.dtype)\n"

WRONG_ANSWERS: dict[str, list[str]] = {
    "08_margin_cosine_scores": [
        # Shape guessing: row-wise pair scores (B,) when B == C.
        _HEAD + '''    if visual_emb.shape[0] == class_emb.shape[0]:
        return (F.cosine_similarity(visual_emb, class_emb, dim=-1) - margin) / temperature
''' + _COS + _ONE_HOT + "    return (cosine - margin * is_true) / temperature\n",
        # Forgetting to normalise the class side.
        _HEAD + "    cosine = F.normalize(visual_emb, dim=-1) @ class_emb.T\n" + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Forgetting to normalise the visual side.
        _HEAD + "    cosine = visual_emb @ F.normalize(class_emb, dim=-1).T\n" + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Margin outside the bracket: cos / tau - m.
        _HEAD + _COS + _ONE_HOT + "    return cosine / temperature - margin * is_true\n",
        # Margin on every class.
        _HEAD + _COS + "    return (cosine - margin) / temperature\n",
        # Margin added instead of subtracted.
        _HEAD + _COS + _ONE_HOT + "    return (cosine + margin * is_true) / temperature\n",
        # Margin on the wrong classes instead of the true one.
        _HEAD + _COS + _ONE_HOT + "    return (cosine - margin * (1 - is_true)) / temperature\n",
        # Margin on the diagonal (image b against class b), not at column y_b.
        _HEAD + _COS + "    eye = torch.eye(*cosine.shape, dtype=cosine.dtype)\n    return (cosine - margin * eye) / temperature\n",
        # Multiplying by the temperature instead of dividing.
        _HEAD + _COS + _ONE_HOT + "    return (cosine - margin * is_true) * temperature\n",
        # Normalising along the wrong axis.
        _HEAD + "    cosine = F.normalize(visual_emb, dim=0) @ F.normalize(class_emb, dim=0).T\n" + _ONE_HOT
        + "    return (cosine - margin * is_true) / temperature\n",
        # Detached from the graph.
        _HEAD + _COS.replace(".T\n", ".T.detach()\n") + _ONE_HOT + "    return (cosine - margin * is_true) / temperature\n",
    ],
}

# The shortcuts that call into the package pass the visible checks and fail the hidden ones, on purpose: the hidden
# checks run the function with the package's implementation withheld (zsl_utils.teaching.withheld).
SHORTCUTS: dict[str, list[str]] = {
    "08_margin_cosine_scores": [
        # Section 2's two_branch_scores lines copied, without the margin.
        _HEAD + '''    theta = F.normalize(visual_emb, dim=-1)
    psi = F.normalize(class_emb, dim=-1)
    return theta @ psi.T / temperature
''',
        # The package's TwoBranch with identity branches, margin added afterwards.
        _HEAD + '''    d = visual_emb.shape[1]
    model = TwoBranch(d, d, embed_dim=d, visual_hidden=(), semantic_hidden=(), temperature=temperature).to(visual_emb.dtype)
    with torch.no_grad():
        for branch in (model.visual_branch, model.semantic_branch):
            branch[0].weight.copy_(torch.eye(d))
            branch[0].bias.zero_()
    scores = model.class_scores(visual_emb, class_emb)
    return scores - margin / temperature * F.one_hot(labels, class_emb.shape[0])
''',
    ],
}

CORRECT_ANSWERS: dict[str, list[str]] = {
    "08_margin_cosine_scores": [
        # F.cosine_similarity broadcast over all pairs, the margin by scatter, float32.
        _HEAD + '''    cosine = F.cosine_similarity(visual_emb.float()[:, None, :], class_emb.float()[None, :, :], dim=-1)
    cosine = cosine.scatter_add(1, labels[:, None], torch.full((len(labels), 1), -float(margin)))
    return (cosine / temperature).to(visual_emb.dtype)
''',
        # Norms by hand, the margin through an index.
        _HEAD + '''    cosine = (visual_emb / visual_emb.norm(dim=1, keepdim=True)) @ (class_emb / class_emb.norm(dim=1, keepdim=True)).T
    cosine = cosine.clone()
    cosine[torch.arange(len(labels)), labels] -= margin
    return cosine / temperature
''',
    ],
}
