"""GBU model selection: validation classes only, never a test image."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
import torch

from zsl_utils import selection
from zsl_utils.data import load_xlsa17
from zsl_utils.evaluation import evaluate, score_images
from zsl_utils.metrics import select_gamma
from zsl_utils.models import ESZSL, Bilinear
from zsl_utils.selection import CALIBRATION_RULES, expand_grid, holdout_split, select_and_train
from zsl_utils.train import TrainConfig


@pytest.fixture(scope="module")
def shapes():
    from zsl_utils.data import dataset_folder

    return load_xlsa17(dataset_folder("SHAPES"), name="SHAPES")


def test_expand_grid():
    assert expand_grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert expand_grid({}) == [{}]


def test_holdout_split_is_per_class_inside_train(shapes):
    fit_images, held_out = holdout_split(shapes, fraction=0.25, seed=3)
    assert not set(fit_images.tolist()) & set(held_out.tolist())
    assert sorted(fit_images.tolist() + held_out.tolist()) == sorted(shapes.train.tolist())
    labels = shapes.labels
    for c in shapes.train_classes:
        n_class = int((labels[shapes.train] == c).sum())
        assert int((labels[held_out] == c).sum()) == round(0.25 * n_class)
    assert torch.equal(holdout_split(shapes, 0.25, 3)[1], held_out)


def test_selection_never_looks_at_test_images(shapes):
    """Scrambling every test image (features and labels) changes nothing that selection returns."""
    model, result = select_and_train("eszsl", shapes, grid={"gamma": [0.1, 10.0], "lam": [0.1, 1.0]})
    test = torch.cat([shapes.test_seen, shapes.test_unseen])
    features, labels = shapes.features.clone(), shapes.labels.clone()
    generator = torch.Generator().manual_seed(0)
    features[test] = torch.randn(len(test), shapes.feature_dim, generator=generator)
    labels[shapes.test_seen] = labels[shapes.test_seen][torch.randperm(len(shapes.test_seen), generator=generator)]
    scrambled = dataclasses.replace(shapes, features=features, labels=labels)
    model2, result2 = select_and_train("eszsl", scrambled, grid={"gamma": [0.1, 10.0], "lam": [0.1, 1.0]})
    assert result2.params == result.params and result2.trials == result.trials
    assert (result2.validation_gamma, result2.rescaled_gamma) == (result.validation_gamma, result.rescaled_gamma)
    torch.testing.assert_close(model2.W, model.W)
    assert len(result.trials) == 4 and result.params in [t["params"] for t in result.trials]
    assert result.val_zsl == max(t["val_zsl"] for t in result.trials)


def test_gradient_model_selection_and_retraining(shapes):
    config = TrainConfig(epochs=4, batch_size=256, lr=3e-3, temperature=0.1, progress=False)
    model, result = select_and_train("bilinear", shapes, grid={"weight_decay": [1e-4]}, config=config)
    assert isinstance(model, Bilinear)
    assert 1 <= result.epochs <= 4
    metrics = evaluate(model, shapes, gamma=result.gamma_for("as_is"))
    assert metrics.zsl > 3 / 16  # three times chance on 16 unseen classes
    assert metrics.calibrated_harmonic >= 0 and 0 <= metrics.ausuc <= 1


def test_score_images_chunks_give_the_same_scores(shapes):
    model, _ = select_and_train("eszsl", shapes, grid={"gamma": [1.0], "lam": [1.0]})
    semantics = shapes.semantic("attributes")
    visual = shapes.features[:300]
    torch.testing.assert_close(
        score_images(model, visual, semantics, max_elements=640), model.class_scores(visual, semantics)
    )


def test_grid_keys_reach_the_model_or_the_training_config():
    from zsl_utils.selection import _split_params

    assert _split_params("two_branch", {"temperature": 0.05, "weight_decay": 0.1, "dropout": 0.3}) == (
        {"temperature": 0.05, "dropout": 0.3},
        {"weight_decay": 0.1},
    )
    assert _split_params("bilinear", {"temperature": 0.1}) == ({}, {"temperature": 0.1})
    with pytest.raises(ValueError, match="neither Bilinear arguments, TrainConfig fields nor feature_norm"):
        _split_params("bilinear", {"gama": 1.0})


def test_edge_choices_only_for_numeric_grids_of_three_or_more():
    from zsl_utils.selection import edge_choices

    grid = {"lr": [1e-3, 1e-2, 1e-1], "rank": [4, 8], "feature_norm": ["none", "l2", "standardise"]}
    assert edge_choices(grid, {"lr": 1e-1, "rank": 8, "feature_norm": "l2"}) == {"lr": 1e-1}
    assert edge_choices(grid, {"lr": 1e-3, "rank": 4, "feature_norm": "none"}) == {"lr": 1e-3}
    assert edge_choices(grid, {"lr": 1e-2, "rank": 4, "feature_norm": "standardise"}) == {}


def test_a_choice_where_the_domain_ends_is_no_edge():
    from zsl_utils.selection import edge_choices

    grid = {"weight_decay": [0.0, 1.0, 10.0], "dropout": [0.0, 0.3, 0.6], "rank": [4, 8, 16]}
    # nothing lies below a weight decay or dropout of 0: no edge at the bottom, still one at the top
    assert edge_choices(grid, {"weight_decay": 0.0, "dropout": 0.0, "rank": 8}) == {}
    assert edge_choices(grid, {"weight_decay": 10.0, "dropout": 0.6, "rank": 8}) == {
        "weight_decay": 10.0,
        "dropout": 0.6,
    }
    # a rank of at least min(d_v, d_s) is the full rank: nothing lies above it
    assert edge_choices(grid, {"weight_decay": 1.0, "dropout": 0.3, "rank": 16}) == {"rank": 16}
    assert edge_choices(grid, {"weight_decay": 1.0, "dropout": 0.3, "rank": 16}, full_rank=16) == {}
    assert edge_choices(grid, {"weight_decay": 1.0, "dropout": 0.3, "rank": 16}, full_rank=19) == {"rank": 16}
    assert edge_choices(grid, {"weight_decay": 1.0, "dropout": 0.3, "rank": 4}, full_rank=4) == {
        "rank": 4
    }  # 4 is the bottom too


def test_selection_warns_at_the_edge_of_its_grid(shapes):
    with pytest.warns(UserWarning, match=r"eszsl: \{'gamma': 1000.0\} chosen at the edge of the grid"):
        select_and_train("eszsl", shapes, grid={"gamma": [10.0, 100.0, 1000.0], "lam": [1e-3]})


def test_feature_norm_is_a_grid_key_fitted_on_training_images(shapes):
    model, result = select_and_train(
        "eszsl", shapes, grid={"gamma": [1e4], "lam": [1e-3], "feature_norm": ["standardise"]}
    )
    trainval = shapes.features[shapes.trainval]
    torch.testing.assert_close(model.feature_norm.mean, trainval.mean(dim=0))
    torch.testing.assert_close(model.feature_norm.std, trainval.std(dim=0, correction=0))
    with pytest.raises(ValueError, match="neither ESZSL arguments, TrainConfig fields nor feature_norm"):
        select_and_train("eszsl", shapes, grid={"gammma": [1.0]})


def test_the_three_calibration_ways_follow_their_definitions_and_never_use_test_images(shapes):
    """gamma 0, the validation gamma as is, and it rescaled by the ratio of score spreads, with none chosen: the
    validation gamma is the best of select_gamma on validation data, and scrambling every test image changes no
    gamma."""
    grid = {"gamma": [1e4], "lam": [1e-3]}
    model, result = select_and_train("eszsl", shapes, grid=grid)
    assert not hasattr(result, "calibration_rule") and not hasattr(result, "gamma")
    assert "calibration_rule" not in inspect.signature(select_and_train).parameters
    assert not hasattr(selection, "simulate_calibration_transfer")
    assert CALIBRATION_RULES == ("none", "as_is", "rescaled")
    assert result.gamma_for("none") == 0.0 and result.gamma_for("as_is") == result.validation_gamma
    assert result.gamma_for("rescaled") == result.rescaled_gamma != result.validation_gamma
    with pytest.raises(ValueError, match="unknown calibration rule 'always'"):
        result.gamma_for("always")
    # the validation model (fitted on the train classes' fit images) gives the validation gamma by select_gamma on
    # held-out train-class images (seen) and val images (unseen); rescaled: times the final model's score spread on
    # trainval over the validation model's on its fit images
    fit_images, held_out = holdout_split(shapes, seed=0)
    semantics, labels = shapes.semantic("attributes"), shapes.labels
    validation_model = ESZSL(shapes.feature_dim, semantics.shape[1], gamma=1e4, lam=1e-3)
    validation_model.fit(shapes.features[fit_images], labels[fit_images], semantics, shapes.train_classes)
    classes = torch.cat([shapes.train_classes, shapes.val_classes]).sort().values
    expected_gamma, _ = select_gamma(
        score_images(validation_model, shapes.features[held_out], semantics[classes]),
        torch.searchsorted(classes, labels[held_out]),
        score_images(validation_model, shapes.features[shapes.val], semantics[classes]),
        torch.searchsorted(classes, labels[shapes.val]),
        torch.searchsorted(classes, shapes.train_classes),
    )
    assert result.validation_gamma == pytest.approx(expected_gamma, rel=1e-5)
    final_spread = score_images(model, shapes.features[shapes.trainval], semantics[shapes.seen_classes]).std()
    validation_spread = score_images(
        validation_model, shapes.features[fit_images], semantics[shapes.train_classes]
    ).std()
    assert result.rescaled_gamma == pytest.approx(expected_gamma * float(final_spread / validation_spread), rel=1e-4)
    test = torch.cat([shapes.test_seen, shapes.test_unseen])
    features = shapes.features.clone()
    features[test] = torch.randn(len(test), shapes.feature_dim, generator=torch.Generator().manual_seed(0))
    _, scrambled = select_and_train("eszsl", dataclasses.replace(shapes, features=features), grid=grid)
    assert (scrambled.validation_gamma, scrambled.rescaled_gamma) == (result.validation_gamma, result.rescaled_gamma)


def test_a_diverging_grid_setting_is_recorded_and_skipped(shapes):
    """lr 100 with weight decay 3 blows up in the first epoch (AdamW multiplies W by 1 - 300 per step): that setting
    is left out of the choice with a warning, the other one is chosen; a grid that only diverges raises."""
    from zsl_utils.errors import TrainingDiverged

    config = TrainConfig(epochs=2, batch_size=64, loss="hard_ranking", num_negatives=1, margin=1.0, progress=False)
    with pytest.warns(UserWarning, match=r"sje: training diverged for 1 of 2 grid settings"):
        _, result = select_and_train("sje", shapes, grid={"lr": [0.1, 100.0], "weight_decay": [3.0]}, config=config)
    assert result.params == {"lr": 0.1, "weight_decay": 3.0}
    good, bad = result.trials
    assert not good["diverged"] and 0 < good["val_zsl"] == result.val_zsl
    assert bad["diverged"] and bad["val_zsl"] != bad["val_zsl"] and bad["params"]["lr"] == 100.0
    with pytest.raises(TrainingDiverged, match=r"sje: training diverged for every setting of the grid"):
        select_and_train("sje", shapes, grid={"lr": [100.0], "weight_decay": [3.0]}, config=config)
