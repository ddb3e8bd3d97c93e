"""Training throughput of the DeViSE MLP on AWA2-shaped random features: the common loop against ``fit``.

(a) the common way: a DataLoader over CPU tensors, batch 64, each batch copied to the device;
(b) ``zsl_utils.train.fit`` on device-resident data at batch 64 and 1024, and on CUDA also with the step captured
    in a CUDA graph.

Seconds per epoch are averaged over ``--epochs`` epochs after one warm-up epoch; for ``fit`` they are its
``History.epoch_seconds`` (graph capture and set-up happen before the first epoch and are not counted). Peak device
memory is reported per variant on CUDA; on CPU the process's peak resident memory.

    python benchmarks/train_throughput.py                 # AWA2 shape on a GPU; N=4096 on CPU
    python benchmarks/train_throughput.py --n 23527 --epochs 3
"""

from __future__ import annotations

import argparse
import resource
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from zsl_utils.models import DeViSE
from zsl_utils.train import TrainConfig, fit
from zsl_utils.utils import get_device, set_seed

AWA2 = {"n": 23527, "d_v": 2048, "classes": 40, "d_s": 85}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _model(device: torch.device) -> DeViSE:
    set_seed(0)
    return DeViSE(AWA2["d_v"], AWA2["d_s"], hidden_dims=(2048, 1024), dropout=0.5, temperature=0.1).to(device)


def common_loop(features, labels, semantics, device, epochs: int) -> float:
    """Seconds per epoch of the usual DataLoader loop (batch 64, host-to-device copy per batch)."""
    model = _model(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(features, labels), batch_size=64, shuffle=True, drop_last=True)
    class_semantics = semantics.to(device)
    timings = []
    for _ in range(epochs + 1):  # the first epoch warms up
        _sync(device)
        start = time.perf_counter()
        for visual, target in loader:
            visual, target = visual.to(device), target.to(device)
            loss = F.cross_entropy(model.class_scores(visual, class_semantics), target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _sync(device)
        timings.append(time.perf_counter() - start)
    return sum(timings[1:]) / epochs


def resident_fit(features, labels, semantics, device, epochs: int, batch_size: int, cuda_graph: bool) -> float:
    """Seconds per epoch of ``fit`` on device-resident data, from its history (the first epoch excluded)."""
    model = _model(device)
    features, labels, semantics = features.to(device), labels.to(device), semantics.to(device)
    classes = torch.arange(semantics.shape[0], device=device)
    config = TrainConfig(
        epochs=epochs + 1, batch_size=batch_size, cuda_graph=cuda_graph, progress=False, warmup_epochs=0
    )
    history = fit(model, features, labels, semantics, classes, config)
    return sum(history.epoch_seconds[1:]) / epochs


def _peak_mib(device: torch.device) -> float:
    """Peak device memory since the last reset on CUDA; the process's peak resident memory elsewhere (Linux: KiB)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="number of images (default: 23527 on a GPU, 4096 on CPU)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device")
    args = parser.parse_args()
    device = get_device(args.device)
    n = args.n or (AWA2["n"] if device.type == "cuda" else 4096)
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(n, AWA2["d_v"], generator=generator)
    labels = torch.randint(0, AWA2["classes"], (n,), generator=generator)
    semantics = torch.rand(AWA2["classes"], AWA2["d_s"], generator=generator)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
    print(
        f"device {name}; {n} x {AWA2['d_v']} features, {AWA2['classes']} classes x {AWA2['d_s']} attributes; DeViSE MLP 2048-1024"
    )
    memory = "peak device MiB" if device.type == "cuda" else "peak RSS MiB"

    def measure(train, *options) -> tuple[float, float]:
        """(seconds per epoch, peak memory MiB) of train(features, labels, semantics, device, epochs, *options)."""
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
        return train(features, labels, semantics, device, args.epochs, *options), _peak_mib(device)

    rows = [("(a) DataLoader, CPU tensors, batch 64", *measure(common_loop))]
    variants = [(64, False), (1024, False)] + ([(64, True), (1024, True)] if device.type == "cuda" else [])
    for batch, graph in variants:
        label = f"(b) fit, resident, batch {batch}" + (", CUDA graph" if graph else "")
        rows.append((label, *measure(resident_fit, batch, graph)))
    baseline = rows[0][1]
    print(f"{'variant':<46} {'s/epoch':>9} {'epochs/s':>9} {'speed-up':>9} {memory:>16}")
    for label, seconds, peak in rows:
        print(f"{label:<46} {seconds:9.4f} {1 / seconds:9.2f} {baseline / seconds:8.1f}x {peak:16.0f}")


if __name__ == "__main__":
    main()
