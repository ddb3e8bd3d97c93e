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
    # The experiment 07_experiment_token_temperature: its check accepts, on SHAPES, validation ZSL in [0.40, 0.66] and tau 0.03. Measured with
    #   python tests/exercises/measure_band.py 07_cross_modal_attention 07_experiment_token_temperature --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_choice 0.03, experiment_val_zsl 0.5996  (4.1 s)
    #   seed 1: experiment_choice 0.03, experiment_val_zsl 0.5762  (4.0 s)
    #   seed 2: experiment_choice 0.03, experiment_val_zsl 0.4629  (4.4 s)
    #   seed 3: experiment_choice 0.03, experiment_val_zsl 0.6029  (3.7 s)
    #   seed 4: experiment_choice 0.03, experiment_val_zsl 0.5182  (3.2 s)
    "07_experiment_token_temperature": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.train import TrainConfig, fit
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.test_unseen], semantics)
    return zsl_accuracy(scores, data.labels[data.test_unseen], data.unseen_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.03, 1.0):
    set_seed(seed)
    candidate = MODELS["attention"](data.feature_dim, S_att.shape[1], hidden_dim=64).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=10, lr=3e-3, temperature=tau, seed=seed, progress=False))
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Forgot to train: the untrained models are compared.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.train import TrainConfig, fit
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.03, 1.0):
    set_seed(seed)
    candidate = MODELS["attention"](data.feature_dim, S_att.shape[1], hidden_dim=64).to(device)
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Trained on trainval, i.e. on the validation classes' images too, then measured on them.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.train import TrainConfig, fit
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("trainval")
trained = {}
for tau in (0.03, 1.0):
    set_seed(seed)
    candidate = MODELS["attention"](data.feature_dim, S_att.shape[1], hidden_dim=64).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.seen_classes,
        TrainConfig(epochs=10, lr=3e-3, temperature=tau, seed=seed, progress=False))
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
        # Reported in percent instead of a fraction.
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.train import TrainConfig, fit
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.03, 1.0):
    set_seed(seed)
    candidate = MODELS["attention"](data.feature_dim, S_att.shape[1], hidden_dim=64).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes,
        TrainConfig(epochs=10, lr=3e-3, temperature=tau, seed=seed, progress=False))
    trained[tau] = (val_zsl_of(candidate, S_att), candidate)
experiment_choice = max(trained, key=lambda t: trained[t][0])
experiment_val_zsl, experiment_model = trained[experiment_choice]
experiment_val_zsl = 100 * experiment_val_zsl
### END SOLUTION
print('validation ZSL (%) per temperature:', {k: round(100 * v[0], 1) for k, v in trained.items()})
print(f"chosen temperature {experiment_choice}: validation ZSL {100 * experiment_val_zsl:.1f}%")
''',
    ],
}
