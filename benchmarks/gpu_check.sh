#!/usr/bin/env bash
# The course's GPU checks in one run, for a machine with an NVIDIA GPU (issue 4 item 9 and the CUDA-only tests):
#   1. training throughput, DataLoader loop against fit (AWA2-shaped random features);
#   2. the unit tests of the trainer, models, losses, metrics and evaluation, on a machine where CUDA is present
#      (the CUDA-graph equality test runs only there);
#   3. `zsl-course benchmark` on SHAPES on the GPU: all models, 3 seeds, with selection.
# Needs torch, numpy, scipy, scikit-learn, matplotlib, tqdm and pytest; not gensim or Jupyter (the package is used
# from the working tree through PYTHONPATH, uninstalled). Logs go to $OUT (or runs/gpu_check).
#   bash benchmarks/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
out="${OUT:-runs/gpu_check}"
mkdir -p "$out"
status=0
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$out/device.txt"
python3 -c "import torch; print('torch', torch.__version__, '| cuda', torch.cuda.is_available())" | tee -a "$out/device.txt"
python3 benchmarks/train_throughput.py --epochs 3 2>&1 | tee "$out/throughput.txt" || status=1
python3 -m pytest -p no:cacheprovider -p no:nbval -o addopts= -q -rs \
    tests/test_train.py tests/test_models.py tests/test_losses.py tests/test_metrics.py tests/test_utils.py \
    tests/test_evaluation.py tests/test_models_on_shapes.py 2>&1 | tee "$out/pytest.txt" || status=1
start=$SECONDS
python3 -m zsl_course.cli benchmark --dataset SHAPES --seeds 3 --out "$out/benchmark" 2>&1 | tee "$out/benchmark.txt" || status=1
echo "benchmark wall time: $((SECONDS - start)) s" | tee -a "$out/benchmark.txt"
exit $status
