#!/usr/bin/env python3
"""shelf's deepar on a synthetic Gaussian-process panel whose best forecast is known exactly.

Draws (numpy, a fixed seed) 200 hourly series of 28 days, each level_i × (1 + x_i(t)): x_i a
zero-mean Gaussian process with a periodic kernel (period 24) plus an Ornstein-Uhlenbeck
(Matérn-1/2) kernel plus white noise, level_i one of 10, 20, 50, 100 (its index is the series'
`cat`). The amplitudes keep 1 + x more than 5 standard deviations above 0; the script checks that
every value is positive instead of clipping. The last 24 hours of each series are the test; shelf
trains on the hours before them and forecasts them. The oracle is the exact Gaussian conditional of
the last 24 points given the earlier ones under the true kernel and level: its mean and its
quantiles. Scores as in deepar_tagi.py (mean wQL over 0.1 ... 0.9, ND and RMSE of the mean) for the
oracle, shelf and seasonal naive (the last day repeated). The target is shelf's mean wQL within 15 %
of the oracle's. --record writes docs/benchmarks/deepar_gp.json and a fan chart of 4 series to
docs/benchmarks/deepar_gp.png.

    build/peers/bin/python bench/compare/deepar_gp.py --shelf build/fc/tools/shelf [--epochs 30] [--record]
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.stats import norm

from deepar_tagi import LEVELS, scores

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAY, START = 24, "2024-01-01 00:00:00"  # starts at midnight: shelf's hour-of-day is the kernel's phase
SCALES = [10.0, 20.0, 50.0, 100.0]
# x's kernel: periodic (amplitude, length scale), Ornstein-Uhlenbeck (amplitude, hours), noise.
KERNEL = {"periodic_sd": 0.15, "periodic_length": 1.0, "ou_sd": 0.08, "ou_hours": 48.0, "noise_sd": 0.03}


def covariance(t, s, kernel):
    lag = np.abs(t[:, None] - s[None, :])
    k = kernel["periodic_sd"] ** 2 * np.exp(-2 * np.sin(np.pi * lag / DAY) ** 2 / kernel["periodic_length"] ** 2)
    k += kernel["ou_sd"] ** 2 * np.exp(-lag / kernel["ou_hours"])
    return k + kernel["noise_sd"] ** 2 * (lag == 0)


def panel(n, hours, seed):
    """(series × hours, level index of each series), every value checked positive."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours, dtype=float)
    x = np.linalg.cholesky(covariance(t, t, KERNEL)) @ rng.standard_normal((hours, n))
    cat = rng.integers(len(SCALES), size=n)
    y = np.array(SCALES)[cat][:, None] * (1 + x.T)
    sd = np.sqrt(covariance(t[:1], t[:1], KERNEL)[0, 0])
    assert y.min() > 0, f"a value fell to {y.min()} (1 + x is {1 / sd:.1f} sd above 0)"
    return y, cat


def oracle(history, scale, horizon):
    """The exact conditional of the next `horizon` points given `history` (series × hours): mean, quantiles."""
    t_o = np.arange(history.shape[1], dtype=float)
    t_f = np.arange(history.shape[1], history.shape[1] + horizon, dtype=float)
    # Every series shares the kernel and the hours observed, so one factorisation serves them all.
    factor = cho_factor(covariance(t_o, t_o, KERNEL))
    cross = covariance(t_f, t_o, KERNEL)
    x = history / scale[:, None] - 1
    mu = cho_solve(factor, x.T).T @ cross.T
    sd = np.sqrt(np.diag(covariance(t_f, t_f, KERNEL) - cross @ cho_solve(factor, cross.T)))
    mean = scale[:, None] * (1 + mu)
    return mean, {q: scale[:, None] * (1 + mu + norm.ppf(q) * sd) for q in LEVELS}


def shelf_deepar(args, train, cat):
    """Train on `train`, forecast the next day of every series: (timings, mean, quantiles, hp)."""
    os.makedirs(args.work, exist_ok=True)
    path = os.path.join(args.work, "train.jsonl")
    with open(path, "w") as f:
        for y, c in zip(train, cat):
            f.write(json.dumps({"start": START, "target": [float(v) for v in y], "cat": [int(c)]}) + "\n")
    hp = {"time_freq": "H", "prediction_length": DAY, "context_length": args.context, "epochs": args.epochs,
          "num_threads": args.threads, "seed": args.seed, "learning_rate": args.learning_rate,
          **dict(kv.split("=", 1) for kv in args.hp)}
    model = os.path.join(args.work, "model")
    cmd = [args.shelf, "train", "--algorithm", "deepar", "--train", path, "--model-dir", model]
    cmd += [a for k, v in hp.items() for a in ("--hp", f"{k}={v}")]
    start = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fit_seconds = time.time() - start
    start = time.time()
    out = subprocess.run([args.shelf, "predict", "--model-dir", model, "--input", path],
                         check=True, capture_output=True, text=True).stdout
    predict_seconds = time.time() - start
    forecasts = [json.loads(line) for line in out.splitlines()]
    mean = np.array([f["mean"] for f in forecasts])
    quantiles = {q: np.array([f["quantiles"][str(q)] for f in forecasts]) for q in LEVELS}
    timings = {"fit_s": fit_seconds, "s_per_epoch": fit_seconds / args.epochs, "predict_s": predict_seconds}
    return timings, mean, quantiles, hp


def fan_chart(path, train, test, cat, shelf_q, oracle_q):
    """The first series of each level: shelf's bands, the oracle's 10-90 % bounds, the truth."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(11, 6))
    ahead = np.arange(DAY)
    for ax, i in zip(axes.flat, [int(np.argmax(cat == c)) for c in range(len(SCALES))]):
        history = train[i][-3 * DAY:]
        ax.plot(np.arange(-len(history), 0), history, color="black", lw=1)
        ax.plot(ahead, test[i], color="black", lw=1, ls="--", label="actual")
        ax.fill_between(ahead, shelf_q[0.1][i], shelf_q[0.9][i], alpha=0.25, label="shelf 10-90 %")
        ax.fill_between(ahead, shelf_q[0.3][i], shelf_q[0.7][i], alpha=0.4, label="shelf 30-70 %")
        ax.plot(ahead, oracle_q[0.1][i], color="C3", lw=1, label="oracle 10-90 %")
        ax.plot(ahead, oracle_q[0.9][i], color="C3", lw=1)
        ax.set_title(f"series {i}, level {SCALES[cat[i]]:g}")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shelf", default=os.path.join(ROOT, "build/fc/tools/shelf"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build/deepar_gp"))
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--data-seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--context", type=int, default=48)
    ap.add_argument("--learning-rate", type=float, default=0.003)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hp", action="append", default=[], metavar="KEY=VALUE", help="another shelf hyperparameter")
    ap.add_argument("--record", action="store_true", help="write docs/benchmarks/deepar_gp.json and .png")
    args = ap.parse_args()
    y, cat = panel(args.series, args.days * DAY, args.data_seed)
    train, test = y[:, :-DAY], y[:, -DAY:]
    scale = np.array(SCALES)[cat]

    rows = {}
    mean, oracle_q = oracle(train, scale, DAY)
    rows["oracle"] = scores(test, mean, oracle_q)
    timings, mean, shelf_q, hp = shelf_deepar(args, train, cat)
    rows["shelf deepar"] = {**scores(test, mean, shelf_q), **timings}
    naive = train[:, -DAY:]
    rows["seasonal naive"] = scores(test, naive, {q: naive for q in LEVELS})
    ratio = rows["shelf deepar"]["mean_wQuantileLoss"] / rows["oracle"]["mean_wQuantileLoss"]
    result = {"data": f"Gaussian-process panel: {args.series} series of {args.days * DAY} hours (seed "
                      f"{args.data_seed}), levels {SCALES}, last {DAY} hours the test",
              "kernel": KERNEL, "hyperparameters": hp, "results": rows,
              "shelf_over_oracle_wQL": ratio, "target_met": bool(ratio <= 1.15)}
    print(json.dumps(result, indent=2))
    if not args.record:
        return
    os.makedirs(os.path.join(ROOT, "docs/benchmarks"), exist_ok=True)
    with open(os.path.join(ROOT, "docs/benchmarks/deepar_gp.json"), "w") as f:
        json.dump(result, f, indent=2)
    fan_chart(os.path.join(ROOT, "docs/benchmarks/deepar_gp.png"), train, test, cat, shelf_q, oracle_q)


if __name__ == "__main__":
    main()
