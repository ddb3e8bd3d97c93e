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
    # The experiment 08_experiment_temperature: its check accepts, on SHAPES, validation ZSL in [0.60, 0.70] and tau 0.01 or 0.1. Measured with
    #   python tests/exercises/measure_band.py 08_two_branch_networks 08_experiment_temperature --seeds 0 1 2 3 4
    # (one thread, on the 2-core machine shared with other jobs, load average 4 to 8):
    #   seed 0: experiment_choice 0.1, experiment_val_zsl 0.653  (3.3 s)
    #   seed 1: experiment_choice 0.01, experiment_val_zsl 0.6621  (3.3 s)
    #   seed 2: experiment_choice 0.01, experiment_val_zsl 0.6458  (3.1 s)
    #   seed 3: experiment_choice 0.1, experiment_val_zsl 0.6367  (4.1 s)
    #   seed 4: experiment_choice 0.1, experiment_val_zsl 0.6458  (4.3 s)
    "08_experiment_temperature": [
        # Selected and measured on the test classes (test_unseen images, argmax over the unseen classes).
        '''seed = 0   # any seed: the checks accept the spread measured over seeds 0 to 4
### BEGIN SOLUTION
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.test_unseen], semantics)
    return zsl_accuracy(scores, data.labels[data.test_unseen], data.unseen_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes, TrainConfig(epochs=8, lr=1e-3, seed=seed, progress=False))
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
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
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
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("trainval")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.seen_classes, TrainConfig(epochs=8, lr=1e-3, seed=seed, progress=False))
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
from zsl_utils.metrics import zsl_accuracy
def val_zsl_of(model, semantics):
    # ZSL accuracy on the validation images, argmax over the validation classes only
    scores = score_images(model, data.features[data.val], semantics)      # (n_val, C), eval mode
    return zsl_accuracy(scores, data.labels[data.val], data.val_classes)


S_att = data.semantic("attributes")
x_tr, y_tr = data.split("train")
trained = {}
for tau in (0.01, 0.1, 1.0):
    set_seed(seed)
    candidate = TwoBranch(data.feature_dim, S_att.shape[1], embed_dim=128, visual_hidden=(256,),
                          semantic_hidden=(128,), dropout=0.05, temperature=tau).to(device)
    fit(candidate, x_tr, y_tr, S_att, data.train_classes, TrainConfig(epochs=8, lr=1e-3, seed=seed, progress=False))
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
