#!/usr/bin/env python3
"""Forecasting 1,000 series x 100 sample paths: `shelf predict` against GluonTS's DeepAR (PyTorch),
same network, same thread count, same run.

The panel: 1,000 hourly series of 700 points (a daily cycle at a level and phase per series, noise),
each its own category. Both sides train the same network briefly (context 96, horizon 48, 2 layers
of 40 cells, Student-T, embedding 10, one epoch of 10 batches of 128 windows): the forecast's cost
does not depend on how good the weights are. Then each forecasts every series' next 48 hours with
100 paths and reduces them to the mean and the quantiles 0.1 ... 0.9:
- shelf: the whole `shelf predict` process on the JSON lines file (start, read, forecast, write);
- GluonTS: `predictor.predict` over the same series in memory, then mean and quantiles of each
  forecast (its samples are drawn in `predict`; the reductions are lazy and counted here).
Best of --repeats, per thread count. Results go to docs/benchmarks/deepar_forecast_1000.json and
docs/benchmarks/results.json (render docs/benchmarks.md with report.py).

Runs in build/peers-torch (bench/compare/setup_torch.sh):

    build/peers-torch/bin/python bench/compare/deepar_forecast_1000.py --shelf build/cli/tools/shelf
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np
import torch

torch.__version__ = "1.13.1"  # Debian's "1.13.0a0" is 1.13.1 (see deepar_m4_gluonts.py)
torch.distributed.is_available = lambda: False

from gluonts.dataset.common import ListDataset  # noqa: E402
from gluonts.torch.model.deepar import DeepAREstimator  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
H, CONTEXT, SERIES, LENGTH = 48, 96, 1000, 700


def panel(seed=7):
    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH)
    out = []
    for _ in range(SERIES):
        level, phase = 50 + 400 * rng.random(), 6.28 * rng.random()
        out.append((level * (1 + 0.5 * np.sin(2 * np.pi * t / 24 + phase)) + 0.05 * level * rng.normal(size=LENGTH))
                   .astype(np.float32))
    return out


def shelf_side(binary, work, series, threads, repeats):
    path = os.path.join(work, "series.jsonl")
    with open(path, "w") as f:
        for i, y in enumerate(series):
            f.write(json.dumps({"start": "2015-01-01 00:00:00", "target": [float(v) for v in y], "cat": [i]}) + "\n")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    model = os.path.join(work, f"model{threads}")
    hp = {"time_freq": "H", "prediction_length": H, "context_length": CONTEXT, "epochs": 1,
          "num_batches_per_epoch": 10, "mini_batch_size": 128, "num_cells": 40, "num_layers": 2,
          "likelihood": "student-T", "embedding_dimension": 10, "num_eval_samples": 100, "num_threads": threads}
    cmd = [binary, "train", "--algorithm", "deepar", "--train", path, "--model-dir", model]
    for k, v in hp.items():
        cmd += ["--hp", f"{k}={v}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run([binary, "predict", "--model-dir", model, "--input", path], check=True,
                             stdout=subprocess.PIPE, env=env)
        best = min(best, time.perf_counter() - start)
    lines = out.stdout.decode().splitlines()
    assert len(lines) == SERIES and len(json.loads(lines[0])["quantiles"]) == len(LEVELS)
    return best


def gluonts_side(series, threads, repeats):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    data = ListDataset([{"start": "2015-01-01 00:00:00", "target": y, "feat_static_cat": [i]}
                        for i, y in enumerate(series)], freq="H")
    estimator = DeepAREstimator(
        freq="H", prediction_length=H, context_length=CONTEXT, num_layers=2, hidden_size=40, dropout_rate=0.1,
        num_feat_static_cat=1, cardinality=[SERIES], embedding_dimension=[10], batch_size=128,
        num_batches_per_epoch=10, num_parallel_samples=100,
        trainer_kwargs={"max_epochs": 1, "accelerator": "cpu", "devices": 1, "enable_progress_bar": False,
                        "enable_model_summary": False, "logger": False,
                        "default_root_dir": os.path.join(ROOT, "build/deepar_forecast_1000")})
    predictor = estimator.train(data, num_workers=0)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        forecasts = list(predictor.predict(data))
        reduced = [(f.mean, [f.quantile(q) for q in LEVELS]) for f in forecasts]
        best = min(best, time.perf_counter() - start)
    assert len(reduced) == SERIES and forecasts[0].samples.shape == (100, H)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shelf", default=os.path.join(ROOT, "build/cli/tools/shelf"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    work = os.path.join(ROOT, "build/deepar_forecast_1000")
    os.makedirs(work, exist_ok=True)
    series = panel()
    import gluonts
    rows = {}
    for threads in args.threads:
        shelf_s = shelf_side(args.shelf, work, series, threads, args.repeats)
        peer_s = gluonts_side(series, threads, args.repeats)
        rows[str(threads)] = {"shelf_predict_s": shelf_s, "gluonts_predict_s": peer_s, "ratio": shelf_s / peer_s}
        print(f"{threads} thread(s): shelf predict {shelf_s:.2f} s, GluonTS {peer_s:.2f} s, ratio {shelf_s / peer_s:.3f}",
              flush=True)
    result = {"data": f"{SERIES} hourly series x {LENGTH} points, horizon {H}, context {CONTEXT}, 100 sample paths, "
                      "mean and quantiles 0.1-0.9",
              "peer": f"gluonts {gluonts.__version__} torch DeepAR, torch {torch.__version__} (Debian CPU build)",
              "results": rows}
    with open(os.path.join(ROOT, "docs/benchmarks/deepar_forecast_1000.json"), "w") as f:
        json.dump(result, f, indent=2)
    record(result)


def record(result):
    """Adds the rows to docs/benchmarks/results.json (report.py renders docs/benchmarks.md)."""
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import report
    for threads, row in result["results"].items():
        report.record("deepar", "1,000 hourly series x 700", f"forecast 100 paths, {threads} thread(s)", int(threads),
                      row["shelf_predict_s"], result["peer"], row["gluonts_predict_s"],
                      note="shelf: the whole `shelf predict` process on the JSON lines file; GluonTS: "
                           "predictor.predict in memory plus mean and quantiles 0.1-0.9")


if __name__ == "__main__":
    main()
