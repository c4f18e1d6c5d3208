#!/usr/bin/env python3
"""shelf's deepar on M4 hourly (414 series, horizon 48) against seasonal naive.

Writes the M4 files as JSON lines, trains and forecasts with the `shelf` command line, and scores
the mean forecast with M4's sMAPE and MASE (seasonal period 24) and the quantiles with the
weighted quantile loss. The M4 files carry no timestamps, so every series starts at
2000-01-01 00:00 (the hour-of-day feature is then the step modulo 24, not the true hour). Each
series' index is its category (`cat`), as in GluonTS's m4_hourly (--no-cat leaves it out).
Results go to docs/benchmarks/deepar_m4.json and a fan chart to docs/benchmarks/deepar_m4.png.
With --validate the last 48 points of each training series play the test (to choose settings)
and nothing is recorded.

    build/peers/bin/python bench/compare/deepar_m4.py --shelf build/fc/tools/shelf [--epochs 100]
"""
import argparse
import csv
import json
import os
import subprocess
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
H, SEASON, LEVELS = 48, 24, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def read_m4(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    return [np.array([float(v) for v in row[1:] if v != ""]) for row in rows]


def write_jsonl(path, series, cat):
    with open(path, "w") as f:
        for i, y in enumerate(series):
            line = {"start": "2000-01-01 00:00:00", "target": [float(v) for v in y]}
            if cat:
                line["cat"] = [i]
            f.write(json.dumps(line) + "\n")


def smape(y, f):
    return float(np.mean(200 * np.abs(y - f) / (np.abs(y) + np.abs(f))))


def mase(y, f, history):
    scale = np.mean(np.abs(history[SEASON:] - history[:-SEASON]))
    return float(np.mean(np.abs(y - f)) / scale)


def wql(ys, qs, tau):
    y, q = np.concatenate(ys), np.concatenate(qs)
    return float(2 * np.sum(np.maximum(tau * (y - q), (tau - 1) * (y - q))) / np.sum(np.abs(y)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shelf", default=os.path.join(ROOT, "build/fc/tools/shelf"))
    ap.add_argument("--data", default="/work/shared/data/m4")
    ap.add_argument("--work", default=os.path.join(ROOT, "build/deepar_m4"))
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--context", type=int, default=96)
    ap.add_argument("--learning-rate", type=float, default=0.003)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-cat", action="store_true", help="no series-index category")
    ap.add_argument("--hp", action="append", default=[], metavar="KEY=VALUE", help="another shelf hyperparameter")
    ap.add_argument("--validate", action="store_true", help="score the last 48 training points; record nothing")
    ap.add_argument("--no-record", action="store_true", help="score the test; record nothing (another seed)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    train = read_m4(os.path.join(args.data, "Hourly-train.csv"))
    test = read_m4(os.path.join(args.data, "Hourly-test.csv"))
    if args.validate:
        train, test = [y[:-H] for y in train], [y[-H:] for y in train]
    write_jsonl(os.path.join(args.work, "train.jsonl"), train, not args.no_cat)

    hp = {"time_freq": "H", "prediction_length": H, "context_length": args.context, "epochs": args.epochs,
          "num_threads": args.threads, "seed": args.seed, "learning_rate": args.learning_rate,
          **dict(kv.split("=", 1) for kv in args.hp)}
    cmd = [args.shelf, "train", "--algorithm", "deepar", "--train", os.path.join(args.work, "train.jsonl"),
           "--model-dir", os.path.join(args.work, "model")]
    for k, v in hp.items():
        cmd += ["--hp", f"{k}={v}"]
    start = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    fit_seconds = time.time() - start
    start = time.time()
    out = subprocess.run([args.shelf, "predict", "--model-dir", os.path.join(args.work, "model"), "--input",
                          os.path.join(args.work, "train.jsonl")], check=True, capture_output=True, text=True).stdout
    predict_seconds = time.time() - start
    forecasts = [json.loads(line) for line in out.splitlines()]

    rows = {}
    means = [np.array(f["mean"]) for f in forecasts]
    quantiles = {tau: [np.array(f["quantiles"][str(tau)]) for f in forecasts] for tau in LEVELS}
    naive = [np.tile(y[-SEASON:], H // SEASON) for y in train]
    for name, point, qs in [("shelf deepar", means, quantiles), ("seasonal naive", naive, {t: naive for t in LEVELS})]:
        rows[name] = {
            "sMAPE": float(np.mean([smape(y, f) for y, f in zip(test, point)])),
            "MASE": float(np.mean([mase(y, f, h) for y, f, h in zip(test, point, train)])),
            "mean_wQuantileLoss": float(np.mean([wql(test, qs[t], t) for t in LEVELS])),
            "RMSE": float(np.sqrt(np.mean(np.concatenate([(y - f) ** 2 for y, f in zip(test, point)])))),
        }
    rows["shelf deepar"].update({"fit_s": fit_seconds, "predict_s": predict_seconds,
                                 "s_per_epoch": fit_seconds / args.epochs})
    result = {"data": "M4 hourly (414 series, horizon 48)" + (", validation" if args.validate else ""),
              "series_index_as_cat": not args.no_cat, "hyperparameters": hp, "results": rows}
    print(json.dumps(result, indent=2))
    if args.validate or args.no_record:
        return
    os.makedirs(os.path.join(ROOT, "docs/benchmarks"), exist_ok=True)
    with open(os.path.join(ROOT, "docs/benchmarks/deepar_m4.json"), "w") as f:
        json.dump(result, f, indent=2)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(2, 2, figsize=(11, 6))
    for ax, i in zip(axes.flat, [0, 50, 150, 300]):
        history = train[i][-4 * SEASON:]
        t0 = np.arange(-len(history), 0)
        ax.plot(t0, history, color="black", lw=1)
        ax.plot(np.arange(H), test[i], color="black", lw=1, ls="--", label="actual")
        ax.fill_between(np.arange(H), quantiles[0.1][i], quantiles[0.9][i], alpha=0.25, label="10-90 %")
        ax.fill_between(np.arange(H), quantiles[0.3][i], quantiles[0.7][i], alpha=0.4, label="30-70 %")
        ax.plot(np.arange(H), means[i], lw=1.2, label="mean")
        ax.set_title(f"M4 H{i + 1}")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "docs/benchmarks/deepar_m4.png"), dpi=90)


if __name__ == "__main__":
    main()
