"""set_seed and get_device."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from zsl_utils.utils import get_device, set_seed


def test_set_seed_makes_every_generator_repeat():
    set_seed(123)
    first = (random.random(), np.random.rand(), torch.rand(3))
    set_seed(123)
    second = (random.random(), np.random.rand(), torch.rand(3))
    assert first[0] == second[0] and first[1] == second[1] and torch.equal(first[2], second[2])
    set_seed(124)
    assert random.random() != first[0]


def test_zsl_device_overrides(monkeypatch):
    monkeypatch.setenv("ZSL_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert get_device("cpu") == torch.device("cpu")


def test_unavailable_device_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("ZSL_DEVICE", "cuda")
    with pytest.raises(ValueError, match="ZSL_DEVICE is 'cuda' but CUDA is not available here; use cpu"):
        get_device()
    with pytest.raises(ValueError, match="the device asked for is 'cuda:1' but CUDA is not available"):
        get_device("cuda:1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv("ZSL_DEVICE", "cuda:1")
    with pytest.raises(ValueError, match=r"ZSL_DEVICE is 'cuda:1' but this machine has 1 CUDA device\(s\)"):
        get_device()
    assert get_device("cuda:0") == torch.device("cuda:0")


@pytest.mark.parametrize("name", ["garbage", "cuda:x", "meta"])
def test_a_device_that_is_no_device_names_zsl_device(monkeypatch, name: str):
    monkeypatch.setenv("ZSL_DEVICE", name)
    with pytest.raises(ValueError, match=f"ZSL_DEVICE is '{name}'"):
        get_device()
    monkeypatch.delenv("ZSL_DEVICE")
    with pytest.raises(ValueError, match=f"the device asked for is '{name}'"):
        get_device(name)


def test_default_order_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv("ZSL_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert get_device().type == "cpu"


def test_progress_bars_are_on_by_default_and_off_by_argument_or_environment(monkeypatch: pytest.MonkeyPatch):
    from zsl_utils.utils import progress_bar

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert not progress_bar(range(3)).disable
    assert progress_bar(range(3), enabled=False).disable
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert progress_bar(range(3)).disable


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "0", True, None])
def test_set_seed_refuses_what_is_no_seed_naming_the_range(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 2\*\*32 - 1"):
        set_seed(seed)


def test_set_seed_accepts_the_ends_of_the_range_and_numpy_integers():
    import numpy as np

    for seed in (0, 2**32 - 1, np.int64(7)):
        set_seed(seed)
        assert np.random.get_state()[1][0] == np.random.RandomState(int(seed)).get_state()[1][0]
