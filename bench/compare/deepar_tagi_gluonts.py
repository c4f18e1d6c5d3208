#!/usr/bin/env python3
"""GluonTS's DeepAR (PyTorch) on the electricity and traffic excerpts, the peer of deepar_tagi.py
under its protocol: trained once on the hours before the test week, then seven rolling days, each
forecast from the true values up to its midnight; the same scores. Context 48, prediction 24,
2 layers of 40 cells, Student-T, 50 batches of 128 windows per epoch, learning rate 0.003 (halved
after 10 epochs without a lower training loss, GluonTS's own schedule), one thread, 100 sample
paths; no series category, as shelf gets none there. Results go to
docs/benchmarks/deepar_tagi_gluonts.json (merged by data set, so --only adds to what is there).

Runs in build/peers-torch (bench/compare/setup_torch.sh), with the two workarounds of
deepar_m4_gluonts.py for Debian's torch 1.13.

    build/peers-torch/bin/python bench/compare/deepar_tagi_gluonts.py [--epochs 50] [--only electricity]
"""
import argparse
import json
import os
import time

import numpy as np
import torch

torch.__version__ = "1.13.1"  # Debian's "1.13.0a0" is 1.13.1; lightning misreads it
torch.distributed.is_available = lambda: False  # its sharded tensors fail to import on Python 3.11

from gluonts.dataset.common import ListDataset  # noqa: E402
from gluonts.torch.model.deepar import DeepAREstimator  # noqa: E402

from deepar_tagi import DAY, DAYS, FILES, LEVELS, read_excerpt, scores  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(name, args):
    stamps, data = read_excerpt(args.data, FILES[name])
    end = len(stamps) - DAYS * DAY  # the first hour forecast
    n = data.shape[1]
    train = ListDataset([{"start": stamps[0], "target": data[:end, i]} for i in range(n)], freq="H")
    estimator = DeepAREstimator(
        freq="H", prediction_length=DAY, context_length=args.context, num_layers=2, hidden_size=40,
        lr=args.learning_rate, dropout_rate=0.1, batch_size=128, num_batches_per_epoch=50,
        num_parallel_samples=100,
        trainer_kwargs={"max_epochs": args.epochs, "accelerator": "cpu", "devices": 1,
                        "enable_progress_bar": False, "enable_model_summary": False, "logger": False,
                        "default_root_dir": os.path.join(ROOT, "build/deepar_tagi_gluonts")})
    start = time.time()
    predictor = estimator.train(train, num_workers=0)
    fit_seconds = time.time() - start
    # Day d's inputs end at hour end + 24 d, as in deepar_tagi.py.
    rolling = ListDataset([{"start": stamps[0], "target": data[:end + d * DAY, i]}
                           for d in range(DAYS) for i in range(n)], freq="H")
    start = time.time()
    forecasts = list(predictor.predict(rolling))
    predict_seconds = time.time() - start
    truth = np.stack([data[end + d * DAY:end + (d + 1) * DAY].T for d in range(DAYS)], axis=1)  # series × day × hour
    mean = np.array([[forecasts[d * n + i].mean for d in range(DAYS)] for i in range(n)])
    quantiles = {t: np.array([[forecasts[d * n + i].quantile(t) for d in range(DAYS)] for i in range(n)])
                 for t in LEVELS}
    row = {**scores(truth, mean, quantiles), "fit_s": fit_seconds, "s_per_epoch": fit_seconds / args.epochs,
           "predict_s": predict_seconds}
    return {"data": f"{name}: {n} series, {end} training hours, forecast from {stamps[end]}, {DAYS} days",
            "hyperparameters": {"epochs": args.epochs, "context_length": args.context,
                                "learning_rate": args.learning_rate, "seed": args.seed},
            "results": {"gluonts deepar": row}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data/electricity_traffic_tagi")
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--context", type=int, default=48)
    ap.add_argument("--learning-rate", type=float, default=0.003)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=sorted(FILES))
    args = ap.parse_args()
    torch.set_num_threads(1)
    import gluonts
    path = os.path.join(ROOT, "docs/benchmarks/deepar_tagi_gluonts.json")
    result = {}
    if os.path.exists(path):
        with open(path) as f:
            result = json.load(f)
    result["peer"] = f"gluonts {gluonts.__version__} torch DeepAR, torch {torch.__version__} (Debian CPU build), 1 thread"
    for name in sorted(FILES):
        if args.only in (None, name):
            # The same seed before each data set, so --only reproduces a full run's row.
            torch.manual_seed(args.seed)
            np.random.seed(args.seed)
            result[name] = run(name, args)
    print(json.dumps(result, indent=2))
    with open(path, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
