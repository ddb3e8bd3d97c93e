"""Tests of zsl_utils.schedules: warmup never starts at zero, cosine decay, edge cases and the LambdaLR."""

from __future__ import annotations

import math

import pytest
import torch

from zsl_utils.schedules import cosine_warmup_lr, cosine_warmup_scheduler


def test_first_step_is_above_zero() -> None:
    assert cosine_warmup_lr(0, 100, 10) == pytest.approx(1 / 11)
    assert cosine_warmup_lr(0, 100, 10) > 0


def test_one_at_end_of_warmup_and_min_at_end() -> None:
    assert cosine_warmup_lr(10, 100, 10) == 1.0
    assert cosine_warmup_lr(55, 100, 10) == pytest.approx(0.5)
    assert cosine_warmup_lr(55, 100, 10, min_factor=0.2) == pytest.approx(0.6)
    assert cosine_warmup_lr(100, 100, 10, min_factor=0.2) == pytest.approx(0.2)
    assert cosine_warmup_lr(500, 100, 10, min_factor=0.2) == pytest.approx(0.2)


def test_monotone_in_warmup_and_decay() -> None:
    factors = [cosine_warmup_lr(t, 50, 8, min_factor=0.05) for t in range(51)]
    warmup, decay = factors[:9], factors[8:]
    assert all(a < b for a, b in zip(warmup, warmup[1:]))
    assert all(a > b for a, b in zip(decay, decay[1:]))
    assert all(0.05 <= f <= 1.0 for f in factors)


def test_no_warmup_starts_at_one() -> None:
    assert cosine_warmup_lr(0, 10, 0) == 1.0
    assert cosine_warmup_lr(10, 10, 0) == pytest.approx(0.0)


def test_warmup_longer_than_run_is_clipped() -> None:
    factors = [cosine_warmup_lr(t, 5, 10) for t in range(6)]
    assert factors == pytest.approx([1 / 5, 2 / 5, 3 / 5, 4 / 5, 1.0, 0.0])
    assert cosine_warmup_lr(0, 5, 5) == pytest.approx(1 / 5)


def test_single_step_run() -> None:
    assert cosine_warmup_lr(0, 1, 0) == 1.0
    assert cosine_warmup_lr(0, 1, 3) == 1.0
    assert cosine_warmup_lr(1, 1, 3, min_factor=0.1) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("step", "total", "warmup", "min_factor"),
    [(0, 0, 0, 0.0), (0, -3, 0, 0.0), (0, 10, -1, 0.0), (-1, 10, 2, 0.0), (0, 10, 2, 1.5), (0, 10, 2, -0.1)],
)
def test_invalid_arguments_raise(step: int, total: int, warmup: int, min_factor: float) -> None:
    with pytest.raises(ValueError):
        cosine_warmup_lr(step, total, warmup, min_factor)


def test_scheduler_gives_expected_learning_rates() -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=0.1)
    scheduler = cosine_warmup_scheduler(optimizer, total_steps=6, warmup_steps=2)
    lrs = []
    for _ in range(6):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    expected = [0.1 / 3, 0.2 / 3, 0.1, 0.1 * (2 + math.sqrt(2)) / 4, 0.05, 0.1 * (2 - math.sqrt(2)) / 4]
    assert lrs == pytest.approx(expected)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-15)


def test_scheduler_state_dict_round_trip() -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=1.0)
    scheduler = cosine_warmup_scheduler(optimizer, total_steps=20, warmup_steps=4, min_factor=0.1)
    for _ in range(7):
        optimizer.step()
        scheduler.step()
    state = scheduler.state_dict()
    resumed_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    resumed = cosine_warmup_scheduler(resumed_optimizer, total_steps=20, warmup_steps=4, min_factor=0.1)
    resumed.load_state_dict(state)
    optimizer.step()
    scheduler.step()
    resumed_optimizer.step()
    resumed.step()
    assert resumed.get_last_lr() == pytest.approx(scheduler.get_last_lr())
    assert scheduler.get_last_lr()[0] == pytest.approx(cosine_warmup_lr(8, 20, 4, 0.1))


def test_scheduler_rejects_invalid_arguments() -> None:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(ValueError):
        cosine_warmup_scheduler(optimizer, total_steps=0, warmup_steps=0)
    with pytest.raises(ValueError):
        cosine_warmup_scheduler(optimizer, total_steps=10, warmup_steps=-2)
