"""Plausible wrong answers to the exercises of notebooks/07_cross_modal_attention.ipynb; each must fail the graded tests."""

WRONG_ANSWERS: dict[str, list[str]] = {
    "07_attention_weights": [
        # Softmax over the attributes instead of over the regions.
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    logits = torch.einsum("ad,brd->bar", queries, keys) / math.sqrt(queries.shape[-1])
    return logits.softmax(dim=1)
''',
        # Missing the 1/sqrt(d) scale.
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    logits = torch.einsum("ad,brd->bar", queries, keys)
    return logits.softmax(dim=-1)
''',
        # Dividing by d instead of sqrt(d).
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    logits = torch.einsum("ad,brd->bar", queries, keys) / queries.shape[-1]
    return logits.softmax(dim=-1)
''',
        # Single-key design: the regions are pooled into one key, so the softmax runs over one element (always 1).
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    key = keys.mean(dim=1, keepdim=True)
    logits = torch.einsum("ad,brd->bar", queries, key) / math.sqrt(queries.shape[-1])
    return logits.softmax(dim=-1)
''',
        # Single-key design broadcast back to R regions: every weight is 1, rows sum to R.
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    key = keys.mean(dim=1, keepdim=True)
    logits = torch.einsum("ad,brd->bar", queries, key) / math.sqrt(queries.shape[-1])
    return logits.softmax(dim=-1).expand(-1, -1, keys.shape[1])
''',
        # Naive softmax without subtracting the maximum: overflows on large logits.
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    logits = torch.einsum("ad,brd->bar", queries, keys) / math.sqrt(queries.shape[-1])
    e = logits.exp()
    return e / e.sum(dim=-1, keepdim=True)
''',
        # Detached from the graph (computed without gradients).
        '''def attention_weights(queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        logits = torch.einsum("ad,brd->bar", queries, keys) / math.sqrt(queries.shape[-1])
        return logits.softmax(dim=-1)
''',
    ],
    "07_class_scores_from_attention": [
        # Forgetting the attribute embedding: summing z_ba over its h dimensions instead of <z_ba, e_a>.
        '''def class_scores_from_attention(weights, values, attribute_embed, class_attributes):
    attended = weights @ values
    predictions = attended.sum(dim=-1)
    return predictions @ class_attributes.T
''',
        # Ignoring the attention: plain average of the region values.
        '''def class_scores_from_attention(weights, values, attribute_embed, class_attributes):
    attended = values.mean(dim=1, keepdim=True)
    predictions = (attended * attribute_embed).sum(dim=-1)
    return predictions @ class_attributes.T
''',
        # S not transposed (only runs when C == A, then scores the wrong thing).
        '''def class_scores_from_attention(weights, values, attribute_embed, class_attributes):
    attended = weights @ values
    predictions = (attended * attribute_embed).sum(dim=-1)
    return predictions @ class_attributes
''',
        # Pairwise scores: image b against class row b only.
        '''def class_scores_from_attention(weights, values, attribute_embed, class_attributes):
    attended = weights @ values
    predictions = (attended * attribute_embed).sum(dim=-1)
    return (predictions * class_attributes).sum(dim=-1)
''',
        # Cosine scores (as in DeViSE or two-branch) instead of the model's dot product with S.
        '''def class_scores_from_attention(weights, values, attribute_embed, class_attributes):
    attended = weights @ values
    predictions = (attended * attribute_embed).sum(dim=-1)
    return F.normalize(predictions, dim=-1) @ F.normalize(class_attributes, dim=-1).T
''',
    ],
}
