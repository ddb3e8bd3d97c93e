"""Plausible wrong answers to the exercise of notebooks/08_two_branch_networks.ipynb; each must fail the graded tests."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "08_cosine_class_scores": [
        # Shape guessing (the source text's defect): row-wise pair scores (B,) when B == C.
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    visual_unit = F.normalize(visual_emb, dim=-1)
    class_unit = F.normalize(class_emb, dim=-1)
    if class_unit.shape[0] == visual_unit.shape[0]:
        return (visual_unit * class_unit).sum(dim=-1) / temperature
    return visual_unit @ class_unit.T / temperature
''',
        # Forgetting to normalise the class side.
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    visual_unit = F.normalize(visual_emb, dim=-1)
    return visual_unit @ class_emb.T / temperature
''',
        # Forgetting to normalise the visual side.
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    class_unit = F.normalize(class_emb, dim=-1)
    return visual_emb @ class_unit.T / temperature
''',
        # Multiplying by the temperature instead of dividing.
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    visual_unit = F.normalize(visual_emb, dim=-1)
    class_unit = F.normalize(class_emb, dim=-1)
    return visual_unit @ class_unit.T * temperature
''',
        # Normalising along the wrong axis (over the batch instead of over the embedding dimensions).
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    visual_unit = F.normalize(visual_emb, dim=0)
    class_unit = F.normalize(class_emb, dim=0)
    return visual_unit @ class_unit.T / temperature
''',
        # No normalisation at all: dot products over the temperature.
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    return visual_emb @ class_emb.T / temperature
''',
        # Detached from the graph.
        '''def cosine_class_scores(visual_emb: torch.Tensor, class_emb: torch.Tensor, temperature: float) -> torch.Tensor:
    visual_unit = F.normalize(visual_emb.detach(), dim=-1)
    class_unit = F.normalize(class_emb.detach(), dim=-1)
    return visual_unit @ class_unit.T / temperature
''',
    ],
}
