#!/usr/bin/env python3
"""GluonTS's DeepAR (PyTorch) on M4 hourly, the peer of deepar_m4.py: the same series, start date,
series-index category, context 96, 2 layers of 40 cells, Student-T, 50 batches of 128 windows per
epoch, learning rate 0.003 halved after 10 epochs without a lower training loss (GluonTS's own
schedule), one thread, 100 sample paths; the same scores. Results go to
docs/benchmarks/deepar_m4_gluonts.json.

Runs in build/peers-torch (bench/compare/setup_torch.sh): Debian's CPU build of torch 1.13 under
gluonts and lightning from the index. Debian's torch calls itself 1.13.0a0, which lightning reads
as older than 1.13 and then reaches for a pre-1.13 name; the version string is set to 1.13.1 here.

    build/peers-torch/bin/python bench/compare/deepar_m4_gluonts.py [--epochs 100]
"""
import argparse
import json
import os
import time

import numpy as np
import torch

torch.__version__ = "1.13.1"  # see above: Debian's "1.13.0a0" is 1.13.1
torch.distributed.is_available = lambda: False  # its sharded tensors fail to import on Python 3.11

from gluonts.dataset.common import ListDataset  # noqa: E402
from gluonts.torch.model.deepar import DeepAREstimator  # noqa: E402

from deepar_m4 import H, LEVELS, mase, read_m4, smape, wql  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data/m4")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--context", type=int, default=96)
    ap.add_argument("--learning-rate", type=float, default=0.003)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    train = read_m4(os.path.join(args.data, "Hourly-train.csv"))
    test = read_m4(os.path.join(args.data, "Hourly-test.csv"))
    data = ListDataset([{"start": "2000-01-01 00:00:00", "target": y, "feat_static_cat": [i]}
                        for i, y in enumerate(train)], freq="H")
    estimator = DeepAREstimator(
        freq="H", prediction_length=H, context_length=args.context, num_layers=2, hidden_size=40,
        lr=args.learning_rate, dropout_rate=0.1, num_feat_static_cat=1, cardinality=[len(train)],
        embedding_dimension=[10], batch_size=128, num_batches_per_epoch=50, num_parallel_samples=100,
        trainer_kwargs={"max_epochs": args.epochs, "accelerator": "cpu", "devices": 1,
                        "enable_progress_bar": False, "enable_model_summary": False, "logger": False,
                        "default_root_dir": os.path.join(ROOT, "build/deepar_m4_gluonts")})
    start = time.time()
    predictor = estimator.train(data, num_workers=0)
    fit_seconds = time.time() - start
    start = time.time()
    forecasts = list(predictor.predict(data))
    predict_seconds = time.time() - start
    means = [f.mean for f in forecasts]
    quantiles = {t: [f.quantile(t) for f in forecasts] for t in LEVELS}
    row = {
        "sMAPE": float(np.mean([smape(y, f) for y, f in zip(test, means)])),
        "MASE": float(np.mean([mase(y, f, h) for y, f, h in zip(test, means, train)])),
        "mean_wQuantileLoss": float(np.mean([wql(test, quantiles[t], t) for t in LEVELS])),
        "RMSE": float(np.sqrt(np.mean(np.concatenate([(y - f) ** 2 for y, f in zip(test, means)])))),
        "fit_s": fit_seconds, "s_per_epoch": fit_seconds / args.epochs, "predict_s": predict_seconds,
    }
    import gluonts
    result = {"data": "M4 hourly (414 series, horizon 48)", "peer": f"gluonts {gluonts.__version__} torch DeepAR, "
              f"torch {torch.__version__} (Debian CPU build), 1 thread", "epochs": args.epochs,
              "context_length": args.context, "learning_rate": args.learning_rate, "results": {"gluonts deepar": row}}
    print(json.dumps(result, indent=2))
    with open(os.path.join(ROOT, "docs/benchmarks/deepar_m4_gluonts.json"), "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
