"""The trainer: equal to a plain loop on CPU, deterministic, early stopping, and its guards."""

from __future__ import annotations

import copy

import pytest
import torch

from zsl_utils import losses
from zsl_utils.losses import cross_entropy_loss
from zsl_utils.models import Bilinear, DeViSE
from zsl_utils.schedules import cosine_warmup_lr
from zsl_utils.train import TrainConfig, class_targets, fit
from zsl_utils.utils import set_seed


def _toy(n: int = 96, d_v: int = 12, d_s: int = 5, classes: int = 6, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    semantics = torch.randn(classes, d_s, generator=generator)
    labels = torch.arange(n) % classes
    mixing = torch.randn(d_s, d_v, generator=generator)
    visual = semantics[labels] @ mixing + 0.3 * torch.randn(n, d_v, generator=generator)
    return visual, labels, semantics


def test_fit_equals_a_plain_reference_loop():
    visual, labels, semantics = _toy()
    classes = torch.tensor([0, 1, 2, 3])
    keep = torch.isin(labels, classes)
    visual, labels = visual[keep], labels[keep]
    config = TrainConfig(epochs=3, batch_size=16, lr=1e-2, weight_decay=1e-3, warmup_epochs=1, seed=7, progress=False)

    set_seed(0)
    model = DeViSE(12, 5, hidden_dims=(16,), dropout=0.2, temperature=0.5)
    reference = copy.deepcopy(model)
    rng_state = torch.get_rng_state()
    fit(model, visual, labels, semantics, classes, config)

    torch.set_rng_state(rng_state)  # dropout masks come from the global generator in both runs
    generator = torch.Generator().manual_seed(7)
    optimizer = torch.optim.AdamW(reference.parameters(), lr=1e-2, weight_decay=1e-3)
    targets = class_targets(labels, classes)
    steps = len(visual) // 16
    reference.train()
    for epoch in range(3):
        permutation = torch.randperm(len(visual), generator=generator)
        for i in range(steps):
            for group in optimizer.param_groups:
                group["lr"] = 1e-2 * cosine_warmup_lr(epoch * steps + i, 3 * steps, steps)
            batch = permutation[i * 16 : (i + 1) * 16]
            optimizer.zero_grad()
            loss = cross_entropy_loss(reference.class_scores(visual[batch], semantics[classes]), targets[batch])
            loss.backward()
            optimizer.step()
    for p, q in zip(model.parameters(), reference.parameters()):
        assert torch.equal(p, q)


def test_fit_is_deterministic_and_learns():
    visual, labels, semantics = _toy()
    classes = torch.arange(6)
    results = []
    for _ in range(2):
        set_seed(1)
        model = Bilinear(12, 5)
        history = fit(
            model, visual, labels, semantics, classes, TrainConfig(epochs=15, batch_size=32, lr=3e-2, progress=False)
        )
        results.append((history.loss, model.weight.detach().clone()))
    assert results[0][0] == results[1][0]
    assert torch.equal(results[0][1], results[1][1])
    assert results[0][0][-1] < 0.5 * results[0][0][0]
    accuracy = (model.predict(visual, semantics) == labels).float().mean()
    assert accuracy > 0.7  # chance is 1/6


def test_fit_trusts_its_checked_labels_and_times_each_epoch():
    """fit checks the labels once (class_targets), so its steps run inside ``trusted_labels``: no per-step sync."""
    visual, labels, semantics = _toy()
    trusted = []

    def objective(model, batch_visual, targets, class_semantics):
        trusted.append(losses._LABELS_TRUSTED.get())
        return cross_entropy_loss(model.class_scores(batch_visual, class_semantics), targets)

    history = fit(
        Bilinear(12, 5),
        visual,
        labels,
        semantics,
        torch.arange(6),
        TrainConfig(epochs=3, batch_size=32, loss=objective, progress=False),
    )
    assert trusted == [True] * 9  # 3 epochs x 96 // 32 steps
    assert not losses._LABELS_TRUSTED.get()
    assert len(history.epoch_seconds) == 3 and all(s > 0 for s in history.epoch_seconds)


def test_early_stopping_restores_the_best_epoch():
    visual, labels, semantics = _toy()
    scores = iter([0.2, 0.5, 0.4, 0.3, 0.1, 0.9])
    snapshots = []

    def evaluate(model):
        snapshots.append(model.weight.detach().clone())
        return {"zsl": next(scores)}

    set_seed(0)
    model = Bilinear(12, 5)
    history = fit(
        model,
        visual,
        labels,
        semantics,
        torch.arange(6),
        TrainConfig(epochs=6, patience=2, progress=False),
        evaluate=evaluate,
    )
    assert history.best_epoch == 2 and history.best_metric == 0.5
    assert history.stopped_early and history.epochs == 4
    assert torch.equal(model.weight, snapshots[1])


def test_labels_outside_training_classes_are_rejected():
    visual, labels, semantics = _toy()
    with pytest.raises(ValueError, match="not among the training classes"):
        fit(Bilinear(12, 5), visual, labels, semantics, torch.tensor([0, 1]), TrainConfig(epochs=1, progress=False))


def test_cuda_graph_needs_cuda():
    visual, labels, semantics = _toy()
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the CPU guard is not reachable")
    with pytest.raises(ValueError, match="needs a CUDA device"):
        fit(
            Bilinear(12, 5),
            visual,
            labels,
            semantics,
            torch.arange(6),
            TrainConfig(epochs=1, cuda_graph=True, progress=False),
        )


def test_bf16_autocast_trains():
    visual, labels, semantics = _toy()
    set_seed(0)
    model = Bilinear(12, 5)
    history = fit(
        model,
        visual,
        labels,
        semantics,
        torch.arange(6),
        TrainConfig(epochs=10, batch_size=32, lr=3e-2, bf16=True, progress=False),
    )
    assert history.loss[-1] < history.loss[0]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA graphs need a GPU")
def test_cuda_graph_gives_the_plain_step_results():
    visual, labels, semantics = _toy(n=128)
    weights = []
    for graph in (False, True):
        set_seed(0)
        model = DeViSE(12, 5, hidden_dims=(16,), dropout=0.0).cuda()
        fit(
            model,
            visual,
            labels,
            semantics,
            torch.arange(6),
            TrainConfig(epochs=3, batch_size=32, cuda_graph=graph, progress=False),
        )
        weights.append([p.detach().cpu() for p in model.parameters()])
    for p, q in zip(*weights):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


def test_temperature_defaults_to_each_loss_own_and_is_given_once() -> None:
    g = torch.Generator().manual_seed(0)
    visual, semantics = torch.randn(8, 6, generator=g), torch.randn(4, 3, generator=g)
    targets = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])
    bilinear = Bilinear(6, 3)
    scores = bilinear.class_scores(visual, semantics)
    # None: cross-entropy at T = 1, InfoNCE at its own 0.07.
    assert TrainConfig().temperature is None
    torch.testing.assert_close(
        TrainConfig().objective()(bilinear, visual, targets, semantics), losses.cross_entropy_loss(scores, targets)
    )
    info = TrainConfig(loss="info_nce").objective()(bilinear, visual, targets, semantics)
    torch.testing.assert_close(
        info,
        losses.class_aware_info_nce_loss(
            bilinear.embed_visual(visual), bilinear.embed_semantic(semantics[targets]), targets, temperature=0.07
        ),
    )
    torch.testing.assert_close(
        TrainConfig(temperature=0.5).objective()(bilinear, visual, targets, semantics),
        losses.cross_entropy_loss(scores, targets, temperature=0.5),
    )
    # A temperature that no objective reads is refused, and so is a second one beside a model's own.
    with pytest.raises(ValueError, match="no effect with loss='ranking'"):
        TrainConfig(loss="ranking", temperature=0.1)
    devise = DeViSE(6, 3, temperature=0.1)
    with pytest.raises(
        ValueError, match=r"temperature given twice: DeViSE\(temperature=0.1\) and TrainConfig\(temperature=0.5\)"
    ):
        fit(devise, visual, targets, semantics, torch.arange(4), TrainConfig(epochs=1, temperature=0.5, progress=False))
    fit(devise, visual, targets, semantics, torch.arange(4), TrainConfig(epochs=1, progress=False))


def _fit(visual, labels, semantics, classes=torch.arange(6), **config):
    return fit(
        Bilinear(visual.shape[-1], semantics.shape[1]),
        visual,
        labels,
        semantics,
        classes,
        TrainConfig(progress=False, **config),
    )


@pytest.mark.parametrize(
    "config, message",
    [
        ({"batch_size": 0}, r"TrainConfig.batch_size must be an int >= 1, got 0"),
        ({"batch_size": 2.5}, r"TrainConfig.batch_size must be an int >= 1, got 2.5"),
        ({"epochs": 0}, r"TrainConfig.epochs must be an int >= 1, got 0"),
        ({"lr": 0.0}, r"TrainConfig.lr must be a finite number > 0, got 0.0"),
        ({"lr": float("nan")}, r"TrainConfig.lr must be a finite number > 0, got nan"),
        ({"weight_decay": -1e-4}, r"TrainConfig.weight_decay must be a finite number >= 0"),
        ({"patience": 0}, r"TrainConfig.patience must be None or an int >= 1, got 0"),
    ],
)
def test_a_config_that_cannot_train_is_rejected_before_training(config, message):
    visual, labels, semantics = _toy()
    with pytest.raises(ValueError, match=message):
        _fit(visual, labels, semantics, **config)


def test_a_negative_label_is_rejected_not_wrapped_to_the_last_class():
    visual, labels, semantics = _toy()
    labels = labels.clone()
    labels[4] = -1
    with pytest.raises(
        ValueError, match=r"labels must be class ids in \[0, 6\) \(the rows of semantics\), got values in \[-1, 5\]"
    ):
        _fit(visual, labels, semantics, epochs=1)
    with pytest.raises(ValueError, match="labels must be class ids >= 0, got -1"):
        class_targets(labels, torch.arange(6))


def test_bad_data_is_rejected_before_training():
    visual, labels, semantics = _toy()
    nan_visual = visual.clone()
    nan_visual[7, 3] = float("nan")
    with pytest.raises(ValueError, match=r"visual holds NaN or Inf in 1 rows \(first: \[7\]\)"):
        _fit(nan_visual, labels, semantics, epochs=1)
    with pytest.raises(
        ValueError, match="labels must be a non-empty 1-D tensor of integer class ids, got torch.float32"
    ):
        _fit(visual, labels.float(), semantics, epochs=1)
    with pytest.raises(ValueError, match=r"classes must be class ids in \[0, 6\)"):
        _fit(visual, labels, semantics, classes=torch.arange(7), epochs=1)
    with pytest.raises(ValueError, match="classes must be distinct class ids"):
        _fit(visual, labels, semantics, classes=torch.tensor([0, 1, 2, 3, 4, 5, 5]), epochs=1)
    nan_semantics = semantics.clone()
    nan_semantics[2, 0] = float("inf")
    with pytest.raises(ValueError, match="semantics holds NaN or Inf in rows of the training classes"):
        _fit(visual, labels, nan_semantics, epochs=1)
    with pytest.raises(ValueError, match=r"visual must be non-empty float"):
        _fit(visual[:0], labels[:0], semantics, epochs=1)


def test_a_diverging_loss_stops_fit_naming_the_epoch():
    visual, labels, semantics = _toy()
    calls = []

    def objective(model, batch_visual, targets, class_semantics):
        calls.append(1)
        loss = cross_entropy_loss(model.class_scores(batch_visual, class_semantics), targets)
        return loss * (float("inf") if len(calls) > 3 * 2 else 1.0)  # finite for 2 epochs of 3 steps, then Inf

    with pytest.raises(
        ValueError,
        match=r"the training loss became (inf|nan) at batch 1 of 3 in epoch 3 of 5: the loss is not finite on that "
        r"batch even with those weights \(the weights are restored to those of the start of epoch 3\): the objective",
    ):
        _fit(visual, labels, semantics, epochs=5, batch_size=32, loss=objective)
