"""The notebooks' training budget: full schedules on a GPU or at SHAPES' size, proportionally fewer epochs on a CPU."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
import torch

from zsl_utils.budget import SHAPES_WORK, training_budget
from zsl_utils.data import load_dataset
from zsl_utils.train import TrainConfig


def _data(images: int, dim: int, device: str = "cpu", name: str = "AWA2") -> SimpleNamespace:
    return SimpleNamespace(trainval=range(images), feature_dim=dim, device=torch.device(device), name=name)


def test_shapes_gets_its_full_schedules():
    shapes = load_dataset("SHAPES", word_vectors=())
    assert len(shapes.trainval) * shapes.feature_dim == SHAPES_WORK
    budget = training_budget(shapes)
    config = TrainConfig(epochs=15, lr=0.03)
    assert budget.scale == 1.0 and budget.epochs(15) == 15 and budget.config(config) == config
    assert "full schedules" in str(budget)


def test_awa2_size_on_a_cpu_runs_proportionally_fewer_epochs():
    budget = training_budget(_data(23_527, 2_048))  # AWA2's trainval images (proposed split) and ResNet-101 dim
    assert budget.scale == pytest.approx(4608 * 128 / (23_527 * 2_048))  # 0.0122: 82x SHAPES' work
    assert [budget.epochs(e) for e in (1, 15, 30, 200)] == [1, 1, 1, 2]  # round(e * scale), at least 1
    config = TrainConfig(epochs=200, lr=0.03, weight_decay=3.0)
    assert budget.config(config) == dataclasses.replace(config, epochs=2)  # nothing but the epochs changes
    assert "82x SHAPES' work" in str(budget) and "AWA2 on a CPU" in str(budget)


def test_a_gpu_keeps_the_full_schedules_at_any_size():
    assert training_budget(_data(23_527, 2_048, device="cuda")).scale == 1.0
    assert training_budget(_data(100, 128)).scale == 1.0  # smaller than SHAPES on a CPU: no cut either


@pytest.fixture
def restore_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_start_notebook_on_shapes_prints_one_line_and_uses_one_thread(monkeypatch, capsys, restore_threads):
    from zsl_utils.session import start_notebook

    monkeypatch.delenv("ZSL_DATASET", raising=False)
    monkeypatch.setenv("ZSL_DEVICE", "cpu")
    torch.set_num_threads(2)
    device, data, budget = start_notebook(seed=3)
    assert device.type == "cpu" and data.name == "SHAPES" and data.device.type == "cpu" and budget.scale == 1.0
    assert torch.get_num_threads() == 1
    assert capsys.readouterr().out == "SHAPES on cpu, 1 CPU thread, seed 3; training: the full schedules\n"
    first = torch.rand(3)
    start_notebook(seed=3)
    assert torch.equal(torch.rand(3), first)  # the seed was set


def test_start_notebook_keeps_every_thread_for_a_large_dataset_on_a_cpu(monkeypatch, capsys, restore_threads):
    from zsl_utils import session

    large = _data(23_527, 2_048)
    monkeypatch.setattr(session, "course_dataset", lambda device: large)
    monkeypatch.setenv("ZSL_DEVICE", "cpu")
    torch.set_num_threads(2)
    _, data, budget = session.start_notebook()
    assert data is large and budget.scale < 1 and torch.get_num_threads() == 2
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("AWA2 on cpu, 2 CPU threads, seed 0; training: AWA2 on a CPU is 82x")


def test_threads_are_left_alone_on_a_gpu(restore_threads):
    from zsl_utils.session import set_threads

    torch.set_num_threads(2)
    set_threads(training_budget(_data(100, 128, device="cuda")), torch.device("cuda"))
    assert torch.get_num_threads() == 2
