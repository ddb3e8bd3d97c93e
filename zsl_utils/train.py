"""Training on device-resident features: no DataLoader, batches drawn from an on-device permutation.

The features, labels and class semantics are moved to the device once; each epoch draws one random permutation
on the device and slices it into batches, so a step moves no data between host and device and never waits for
the device (labels are checked once, not per step). On CUDA the whole step (forward, backward, optimizer) can be
captured in a CUDA graph and replayed.
"""

from __future__ import annotations

import copy
import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from . import losses
from .errors import TrainingDiverged, divergence
from .models import ZSLModel
from .schedules import cosine_warmup_lr
from .utils import get_device, progress_bar

__all__ = ["TrainConfig", "History", "Objective", "OBJECTIVES", "fit", "class_targets"]

Objective = Callable[[ZSLModel, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
"""objective(model, visual (B, ...), targets (B,) indexing the rows of semantics, semantics (C_t, d_s)) -> loss."""


def _temperature(config: TrainConfig) -> dict[str, float]:
    """The config's temperature as a keyword argument, or none, so that the loss keeps its own default."""
    return {} if config.temperature is None else {"temperature": config.temperature}


def _cross_entropy(config: TrainConfig) -> Objective:
    return lambda model, visual, targets, semantics: losses.cross_entropy_loss(
        model.class_scores(visual, semantics), targets, **_temperature(config)
    )


def _ranking(config: TrainConfig) -> Objective:
    return lambda model, visual, targets, semantics: losses.ranking_loss(
        model.class_scores(visual, semantics), targets, margin=config.margin
    )


def _weighted_ranking(config: TrainConfig) -> Objective:
    return lambda model, visual, targets, semantics: losses.weighted_ranking_loss(
        model.class_scores(visual, semantics), targets, margin=config.margin
    )


def _sampled_ranking(config: TrainConfig) -> Objective:
    return lambda model, visual, targets, semantics: losses.sampled_ranking_loss(
        model.class_scores(visual, semantics), targets, config.num_negatives, margin=config.margin
    )


def _hard_ranking(config: TrainConfig) -> Objective:
    return lambda model, visual, targets, semantics: losses.hard_negative_ranking_loss(
        model.class_scores(visual, semantics), targets, margin=config.margin, k=config.num_negatives
    )


def _info_nce(config: TrainConfig) -> Objective:
    return lambda model, visual, targets, semantics: losses.class_aware_info_nce_loss(
        model.embed_visual(visual), model.embed_semantic(semantics[targets]), targets, **_temperature(config)
    )


OBJECTIVES: dict[str, Callable[[TrainConfig], Objective]] = {
    "cross_entropy": _cross_entropy,
    "ranking": _ranking,
    "weighted_ranking": _weighted_ranking,
    "sampled_ranking": _sampled_ranking,
    "hard_ranking": _hard_ranking,
    "info_nce": _info_nce,
}
TEMPERATURE_LOSSES = ("cross_entropy", "info_nce")
"""The objectives that read ``TrainConfig.temperature``; the ranking losses have a margin instead."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of :func:`fit`. ``loss`` is a name of ``OBJECTIVES`` or an :data:`Objective`.

    ``warmup_epochs`` of linear warmup, then cosine decay (``schedules.cosine_warmup_lr``), stepped per batch.
    ``patience``: stop when the monitored validation metric has not improved for that many epochs (needs an
    ``evaluate`` function). ``cuda_graph`` captures the step in a CUDA graph (CUDA only); ``bf16`` runs the forward
    pass under bfloat16 autocast.

    ``temperature`` divides the logits of ``cross_entropy`` and ``info_nce``; ``None`` keeps each loss's own
    default (1 for cross-entropy, 0.07 for InfoNCE). A model with its own temperature (``DeViSE``, ``TwoBranch``)
    already divides its scores, so ``fit`` refuses a second one here for ``cross_entropy``.
    """

    epochs: int = 30
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_epochs: float = 1.0
    loss: str | Objective = "cross_entropy"
    margin: float = 0.1
    temperature: float | None = None
    num_negatives: int = 5
    patience: int | None = None
    cuda_graph: bool = False
    bf16: bool = False
    seed: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.seed, numbers.Integral) or isinstance(self.seed, bool) or not 0 <= self.seed < 2**32:
            raise ValueError(f"TrainConfig.seed must be an int in [0, 2**32), got {self.seed!r}")
        if self.temperature is not None and isinstance(self.loss, str) and self.loss not in TEMPERATURE_LOSSES:
            raise ValueError(
                f"TrainConfig(temperature={self.temperature}) has no effect with loss={self.loss!r}: only "
                f"{', '.join(TEMPERATURE_LOSSES)} read it; drop the temperature (ranking losses have a margin instead)"
            )

    def objective(self) -> Objective:
        """The loss as an ``Objective``: ``loss`` itself when it is a callable, else the named one built from this
        configuration (margin, temperature, ...)."""
        if callable(self.loss):
            return self.loss
        if self.loss not in OBJECTIVES:
            raise ValueError(f"unknown loss {self.loss!r}; valid names: {', '.join(OBJECTIVES)}, or pass a callable")
        return OBJECTIVES[self.loss](self)


@dataclass
class History:
    """Per-epoch training loss, validation metrics and training seconds (the epoch's steps, up to the loss being
    read back, so GPU work is finished; validation excluded); ``best_epoch`` is 1-based (0: no validation)."""

    loss: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    metrics: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_metric: float = -math.inf
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """The number of epochs recorded."""
        return len(self.loss)


def class_targets(labels: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """Positions of ``labels`` (class ids) within ``classes``: (N,) int64, an error for a label not in classes."""
    if labels.numel() and int(labels.min()) < 0:
        raise ValueError(f"labels must be class ids >= 0, got {int(labels.min())}; a negative id is no class")
    lookup = torch.full((int(max(labels.max(), classes.max())) + 1,), -1, dtype=torch.long, device=labels.device)
    lookup[classes.to(labels.device)] = torch.arange(len(classes), device=labels.device)
    targets = lookup[labels]
    if bool((targets < 0).any()):
        missing = labels[targets < 0].unique().tolist()
        raise ValueError(f"labels {missing[:10]} are not among the training classes {classes.tolist()[:10]}...")
    return targets


def _check_single_temperature(model: ZSLModel, config: TrainConfig) -> None:
    """A cosine model divides its scores by its own temperature; a second one in the config would give tau^2."""
    model_temperature = getattr(model, "temperature", None)
    if (
        config.temperature is not None
        and config.loss == "cross_entropy"
        and isinstance(model_temperature, torch.Tensor)
    ):
        raise ValueError(
            f"temperature given twice: {type(model).__name__}(temperature={float(model_temperature):g}) and "
            f"TrainConfig(temperature={config.temperature:g}); the scores would be divided by both. Set it on the "
            "model only and leave TrainConfig.temperature at None"
        )


def _is_count(value: object) -> bool:
    """Whether ``value`` is an int >= 1 (NumPy integers too, bools not)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def _check_fit_inputs(
    visual: torch.Tensor, labels: torch.Tensor, semantics: torch.Tensor, classes: torch.Tensor, config: TrainConfig
) -> None:
    """A ValueError naming the problem for a config or data that cannot train; reads each tensor once, before any
    step (never per step)."""
    for name in ("epochs", "batch_size"):
        if not _is_count(getattr(config, name)):
            raise ValueError(f"TrainConfig.{name} must be an int >= 1, got {getattr(config, name)!r}")
    if config.patience is not None and not _is_count(config.patience):
        raise ValueError(f"TrainConfig.patience must be None or an int >= 1, got {config.patience!r}")
    if not isinstance(config.lr, numbers.Real) or not math.isfinite(config.lr) or config.lr <= 0:
        raise ValueError(f"TrainConfig.lr must be a finite number > 0, got {config.lr!r}")
    for name in ("weight_decay", "warmup_epochs"):
        value = getattr(config, name)
        if not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
            raise ValueError(f"TrainConfig.{name} must be a finite number >= 0, got {value!r}")
    if visual.ndim not in (2, 3) or not visual.is_floating_point() or visual.shape[0] == 0:
        raise ValueError(
            f"visual must be non-empty float (N, d_v) features or (N, R, d_r) regions, got {visual.dtype} {tuple(visual.shape)}"
        )
    if semantics.ndim != 2 or not semantics.is_floating_point():
        raise ValueError(f"semantics must be a float (C, d_s) matrix, got {semantics.dtype} {tuple(semantics.shape)}")
    for name, ids in (("labels", labels), ("classes", classes)):
        if (
            ids.ndim != 1
            or ids.numel() == 0
            or ids.dtype.is_floating_point
            or ids.dtype.is_complex
            or ids.dtype == torch.bool
        ):
            raise ValueError(
                f"{name} must be a non-empty 1-D tensor of integer class ids, got {ids.dtype} {tuple(ids.shape)}"
            )
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= semantics.shape[0]:
            raise ValueError(
                f"{name} must be class ids in [0, {semantics.shape[0]}) (the rows of semantics), got values in [{low}, {high}]"
            )
    if classes.unique().numel() != classes.numel():
        raise ValueError(f"classes must be distinct class ids, got {classes.tolist()[:10]}")
    if not bool(torch.isfinite(visual).all()):
        bad = (~torch.isfinite(visual)).flatten(1).any(dim=1).nonzero().flatten()
        raise ValueError(
            f"visual holds NaN or Inf in {bad.numel()} rows (first: {bad[:5].tolist()}); drop or repair them"
        )
    if not bool(torch.isfinite(semantics[classes.to(semantics.device)]).all()):
        raise ValueError("semantics holds NaN or Inf in rows of the training classes; repair the class embeddings")


def _set_lr(optimizer: torch.optim.Optimizer, value: float) -> None:
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(value)
        else:
            group["lr"] = value


def _capture(step: Callable[[], torch.Tensor], model: ZSLModel, optimizer: torch.optim.Optimizer):
    """Capture ``step`` in a CUDA graph; parameters and optimizer state are restored after the warm-up runs, so the
    replayed graph starts from exactly the state the plain loop would start from."""
    params = [p.detach().clone() for p in model.parameters()]
    buffers = [b.detach().clone() for b in model.buffers()]
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            optimizer.zero_grad(set_to_none=True)
            step()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = step()
    with torch.no_grad():
        for p, saved in zip(model.parameters(), params):
            p.copy_(saved)
        for b, saved in zip(model.buffers(), buffers):
            b.copy_(saved)
        for state in optimizer.state.values():
            for value in state.values():
                if isinstance(value, torch.Tensor):
                    value.zero_()
    return graph, static_loss


def _diverged(batch_losses: torch.Tensor, epoch: int, config: TrainConfig, again: float) -> TrainingDiverged:
    """The error for an epoch with a non-finite batch loss, the weights being back at the epoch's start: ``again``,
    the first bad batch's loss under those weights, tells an objective undefined on that batch from a divergence."""
    restored = f"the weights are restored to those of the start of epoch {epoch + 1}"
    if not math.isfinite(again):
        fix = (
            f"the loss is not finite on that batch even with those weights ({restored}): the objective (a custom "
            "loss?) or those images' inputs are at fault, not the learning rate"
        )
    else:
        fix = f"training diverged ({restored}); lower the learning rate (lr={config.lr:g}) or check the inputs' scale"
    return divergence(batch_losses, epoch, config.epochs, fix)


def fit(
    model: ZSLModel,
    visual: torch.Tensor,
    labels: torch.Tensor,
    semantics: torch.Tensor,
    classes: torch.Tensor,
    config: TrainConfig = TrainConfig(),
    evaluate: Callable[[ZSLModel], dict[str, float]] | None = None,
    monitor: str = "zsl",
    device: torch.device | str | None = None,
) -> History:
    """Train ``model`` on images of the training ``classes`` and return the :class:`History`.

    visual: (N, d_v) features or (N, R, d_r) regions; labels: (N,) class ids; semantics: (C, d_s) for all classes;
    classes: (C_t,) the training class ids, the only columns scored during training. ``evaluate(model)`` runs
    after each epoch (in eval mode) and returns metrics; with it, the weights of the best epoch by ``monitor`` are
    restored at the end. Each epoch is ``N // batch_size`` full batches of an on-device permutation (the remainder
    is dropped, so every step has one shape and BatchNorm never sees a batch of one); with N < batch_size one
    batch of all N. Deterministic on CPU for a fixed ``config.seed``.
    """
    device = get_device(device) if device is not None else next(model.parameters()).device
    if config.cuda_graph and device.type != "cuda":
        raise ValueError(f"cuda_graph=True needs a CUDA device, got {device}; set cuda_graph=False")
    _check_fit_inputs(visual, labels, semantics, classes, config)
    if visual.shape[0] != labels.shape[0]:
        raise ValueError(f"visual has {visual.shape[0]} rows but labels has {labels.shape[0]}")
    model.to(device)
    visual, labels = visual.to(device), labels.to(device)
    class_semantics = semantics.to(device)[classes.to(device)]
    targets = class_targets(labels, classes.to(device))
    _check_single_temperature(model, config)
    objective = config.objective()

    n = visual.shape[0]
    batch = min(config.batch_size, n)
    steps_per_epoch = n // batch
    total_steps = config.epochs * steps_per_epoch
    warmup_steps = round(config.warmup_epochs * steps_per_epoch)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    lr = torch.tensor(config.lr, device=device) if config.cuda_graph else config.lr
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=lr,
        weight_decay=config.weight_decay,
        **({"capturable": True} if config.cuda_graph else {}),
    )
    index = torch.zeros(batch, dtype=torch.long, device=device)

    def step() -> torch.Tensor:
        # targets were validated once by class_targets: no per-step label check (a host sync on a GPU)
        with (
            torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=config.bf16),
            losses.trusted_labels(),
        ):
            loss = objective(model, visual[index], targets[index], class_semantics)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def _batch_loss(i: int, permutation: torch.Tensor) -> float:
        """Batch i's loss under the current weights, without a step (to tell a bad batch from a too large lr)."""
        index.copy_(permutation[i * batch : (i + 1) * batch])
        with torch.no_grad(), torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=config.bf16):
            return float(objective(model, visual[index], targets[index], class_semantics))

    model.train()
    graph, static_loss = _capture(step, model, optimizer) if config.cuda_graph else (None, None)
    history = History()
    best_state = None
    epochs = progress_bar(range(config.epochs), config.progress, desc=type(model).__name__, leave=False)
    for epoch in epochs:
        model.train()
        start = time.perf_counter()
        permutation = torch.randperm(n, generator=generator, device=device)
        epoch_start = copy.deepcopy(model.state_dict())
        epoch_loss = torch.zeros((), device=device)
        batch_losses = torch.zeros(steps_per_epoch, device=device)
        for i in range(steps_per_epoch):
            _set_lr(optimizer, config.lr * cosine_warmup_lr(epoch * steps_per_epoch + i, total_steps, warmup_steps))
            index.copy_(permutation[i * batch : (i + 1) * batch])
            if graph is not None:
                graph.replay()
                batch_losses[i] = static_loss
            else:
                optimizer.zero_grad(set_to_none=True)
                batch_losses[i] = step()
            epoch_loss += batch_losses[i]
        history.loss.append(float(epoch_loss) / steps_per_epoch)
        if not math.isfinite(history.loss[-1]):
            model.load_state_dict(epoch_start)
            first = int((~batch_losses.isfinite()).nonzero()[0])
            raise _diverged(batch_losses, epoch, config, _batch_loss(first, permutation))
        history.epoch_seconds.append(time.perf_counter() - start)
        if evaluate is not None:
            model.eval()
            metrics = evaluate(model)
            history.metrics.append(metrics)
            if metrics[monitor] > history.best_metric:
                history.best_metric, history.best_epoch = metrics[monitor], epoch + 1
                best_state = copy.deepcopy(model.state_dict())
            elif config.patience is not None and epoch + 1 - history.best_epoch >= config.patience:
                history.stopped_early = True
                break
        epochs.set_postfix(
            loss=f"{history.loss[-1]:.4f}", **({monitor: f"{history.best_metric:.3f}"} if evaluate else {})
        )
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history
