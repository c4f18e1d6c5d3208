#!/usr/bin/env python3
"""shelf's deepar on the electricity and traffic excerpts (../shared/data/electricity_traffic_tagi)
against seasonal naive.

Each excerpt is hourly, one column per series: electricity 370 series (2014-03-24 to 2014-04-06),
traffic 963 (2008-01-06 17:00 to 2008-01-20 16:00). The test week is the last 168 hours; the model
trains once on the hours before it (prediction_length 24) and forecasts it as seven rolling days,
each from the true values up to its midnight (the protocol of the DeepAR paper). Scores over the
7 × 24 steps of every series: mean wQL over 0.1 ... 0.9, ND = sum|y - mean| / sum|y|, ND_median
(the same of the 0.5 quantile: GluonTS's Evaluator's ND) and RMSE of the mean. Seasonal naive repeats the day before each forecast day. statsforecast's AutoETS
(season 24) is refitted every day on each series' true values up to its midnight; its quantiles are
the bounds of its 20, 40, 60 and 80 % prediction intervals and its mean is the 0.5 quantile. With
--validate the day before the test week plays the test (to choose settings; only 168 hours precede
the test week) and nothing is recorded; --peers-only scores the peers alone and records nothing.
AutoETS runs with --autoets or --peers-only (its 7 × 1,333 fits take about an hour on two cores).

    build/peers/bin/python bench/compare/deepar_tagi.py --shelf build/fc/tools/shelf [--epochs 50]
"""
import argparse
import csv
import json
import os
import subprocess
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAY, DAYS, LEVELS = 24, 7, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
FILES = {"electricity": "electricity_2014_03_31", "traffic": "traffic_2008_01_14"}


def read_excerpt(folder, stem):
    """The hours of the train, val and test files merged by timestamp: (timestamps, hours × series)."""
    rows = {}
    for part in ("train", "val", "test"):
        with open(os.path.join(folder, f"{stem}_{part}_datetime.csv")) as f:
            stamps = [line.strip() for line in f if line.strip()]
        with open(os.path.join(folder, f"{stem}_{part}.csv")) as f:
            values = [[float(v) for v in row] for row in csv.reader(f) if row]
        rows.update(zip(stamps, values))
    stamps = sorted(rows)
    return stamps, np.array([rows[s] for s in stamps])


def write_jsonl(path, start, series):
    with open(path, "w") as f:
        for y in series:
            f.write(json.dumps({"start": start, "target": [float(v) for v in y]}) + "\n")


def scores(truth, point, quantiles):
    y, f = truth.ravel(), point.ravel()
    wql = [2 * np.sum(np.maximum(t * (y - q), (t - 1) * (y - q))) / np.sum(np.abs(y))
           for t, q in ((t, quantiles[t].ravel()) for t in LEVELS)]
    median = quantiles[0.5].ravel()
    return {"mean_wQuantileLoss": float(np.mean(wql)), "ND": float(np.sum(np.abs(y - f)) / np.sum(np.abs(y))),
            # GluonTS's Evaluator takes ND of the median forecast (and RMSE of the mean).
            "ND_median": float(np.sum(np.abs(y - median)) / np.sum(np.abs(y))),
            "RMSE": float(np.sqrt(np.mean((y - f) ** 2)))}


def autoets(stamps, data, end, days):
    """statsforecast's AutoETS refitted on every series each day: (mean, {level: quantile}), series × day × hour."""
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    n = data.shape[1]
    mean = np.empty((n, days, DAY))
    quantiles = {t: np.empty((n, days, DAY)) for t in LEVELS}
    # The bounds of a central interval at level 100 (1 - 2t) % are the quantiles t and 1 - t.
    column = {t: "AutoETS" if t == 0.5 else f"AutoETS-{'lo' if t < 0.5 else 'hi'}-{round(abs(1 - 2 * t) * 100)}"
              for t in LEVELS}
    for d in range(days):
        hours = end + d * DAY
        frame = pd.DataFrame({"unique_id": np.repeat(np.arange(n), hours),
                              "ds": np.tile(pd.to_datetime(stamps[:hours]), n), "y": data[:hours].T.ravel()})
        model = StatsForecast(models=[AutoETS(season_length=DAY)], freq="h", n_jobs=1)
        out = model.forecast(df=frame, h=DAY, level=[20, 40, 60, 80]).sort_values(["unique_id", "ds"])
        mean[:, d] = out["AutoETS"].to_numpy().reshape(n, DAY)
        for t in LEVELS:
            quantiles[t][:, d] = out[column[t]].to_numpy().reshape(n, DAY)
    return mean, quantiles


def shelf_deepar(args, work, stamps, data, end, days):
    """Train on the hours before `end` (with --refit, again before each day, as AutoETS is), forecast
    the rolling days: (timings, mean, quantiles, hp)."""
    hp = {"time_freq": "H", "prediction_length": DAY, "context_length": args.context, "epochs": args.epochs,
          "num_threads": args.threads, "seed": args.seed, "learning_rate": args.learning_rate,
          **dict(kv.split("=", 1) for kv in args.hp)}
    if args.refit:
        return shelf_deepar_refit(args, work, stamps, data, end, days, hp)
    series = data[:end].T
    write_jsonl(os.path.join(work, "train.jsonl"), stamps[0], series)
    start = time.time()
    train_shelf(args, work, hp)
    fit_seconds = time.time() - start
    # Seven rolling days, one predict call: day d's inputs end at hour end + 24 d.
    write_jsonl(os.path.join(work, "rolling.jsonl"), stamps[0],
                [data[:end + d * DAY, i] for d in range(days) for i in range(data.shape[1])])
    start = time.time()
    out = subprocess.run([args.shelf, "predict", "--model-dir", os.path.join(work, "model"), "--input",
                          os.path.join(work, "rolling.jsonl")], check=True, capture_output=True, text=True).stdout
    predict_seconds = time.time() - start
    forecasts = [json.loads(line) for line in out.splitlines()]
    n = data.shape[1]
    mean = np.array([[forecasts[d * n + i]["mean"] for d in range(days)] for i in range(n)])
    quantiles = {t: np.array([[forecasts[d * n + i]["quantiles"][str(t)] for d in range(days)] for i in range(n)])
                 for t in LEVELS}
    row = {"fit_s": fit_seconds, "s_per_epoch": fit_seconds / args.epochs, "predict_s": predict_seconds}
    return row, mean, quantiles, hp


def train_shelf(args, work, hp):
    cmd = [args.shelf, "train", "--algorithm", "deepar", "--train", os.path.join(work, "train.jsonl"),
           "--model-dir", os.path.join(work, "model")] + [a for k, v in hp.items() for a in ("--hp", f"{k}={v}")]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def shelf_deepar_refit(args, work, stamps, data, end, days, hp):
    """Each day: train on every hour before its midnight, forecast it."""
    n = data.shape[1]
    mean, quantiles = np.empty((n, days, DAY)), {t: np.empty((n, days, DAY)) for t in LEVELS}
    fit_seconds = predict_seconds = 0.0
    for d in range(days):
        write_jsonl(os.path.join(work, "train.jsonl"), stamps[0], data[:end + d * DAY].T)
        start = time.time()
        train_shelf(args, work, hp)
        fit_seconds += time.time() - start
        start = time.time()
        out = subprocess.run([args.shelf, "predict", "--model-dir", os.path.join(work, "model"), "--input",
                              os.path.join(work, "train.jsonl")], check=True, capture_output=True, text=True).stdout
        predict_seconds += time.time() - start
        forecasts = [json.loads(line) for line in out.splitlines()]
        mean[:, d] = [f["mean"] for f in forecasts]
        for t in LEVELS:
            quantiles[t][:, d] = [f["quantiles"][str(t)] for f in forecasts]
    row = {"fit_s": fit_seconds, "s_per_epoch": fit_seconds / (days * args.epochs), "predict_s": predict_seconds}
    return row, mean, quantiles, {**hp, "refit_each_day": True}


def run(name, args):
    stamps, data = read_excerpt(args.data, FILES[name])
    days = 1 if args.validate else DAYS
    end = len(stamps) - DAYS * DAY - (DAY if args.validate else 0)  # the first hour forecast
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    n = data.shape[1]
    truth = np.stack([data[end + d * DAY:end + (d + 1) * DAY].T for d in range(days)], axis=1)  # series × day × hour
    rows, result = {}, {"data": f"{name}: {n} series, {end} training hours, forecast from {stamps[end]}, {days} days"}
    if not args.peers_only:
        timing, mean, quantiles, result["hyperparameters"] = shelf_deepar(args, work, stamps, data, end, days)
        rows["shelf deepar"] = {**scores(truth, mean, quantiles), **timing}
        if args.save:
            np.savez(os.path.join(work, "forecasts.npz"), truth=truth, mean=mean,
                     **{f"q{t}": quantiles[t] for t in LEVELS})
    naive = np.stack([data[end + d * DAY - DAY:end + d * DAY].T for d in range(days)], axis=1)
    rows["seasonal naive"] = scores(truth, naive, {t: naive for t in LEVELS})
    if args.autoets or args.peers_only:
        start = time.time()
        mean, quantiles = autoets(stamps, data, end, days)
        rows["AutoETS"] = {**scores(truth, mean, quantiles), "fit_s": time.time() - start}
    result["results"] = rows
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shelf", default=os.path.join(ROOT, "build/fc/tools/shelf"))
    ap.add_argument("--data", default="/work/shared/data/electricity_traffic_tagi")
    ap.add_argument("--work", default=os.path.join(ROOT, "build/deepar_tagi"))
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--context", type=int, default=48)
    ap.add_argument("--learning-rate", type=float, default=0.003)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--validate", action="store_true", help="score the week before the test week; record nothing")
    ap.add_argument("--peers-only", action="store_true", help="score seasonal naive and AutoETS alone; record nothing")
    ap.add_argument("--only", choices=sorted(FILES))
    ap.add_argument("--hp", action="append", default=[], metavar="KEY=VALUE", help="another shelf hyperparameter")
    ap.add_argument("--autoets", action="store_true", help="run AutoETS beside shelf (about an hour on two cores)")
    ap.add_argument("--refit", action="store_true", help="train again before each rolling day on every hour before it")
    ap.add_argument("--save", action="store_true", help="keep shelf's forecasts in WORK/NAME/forecasts.npz")
    ap.add_argument("--label", default="deepar_tagi", help="record to docs/benchmarks/LABEL.json")
    args = ap.parse_args()
    result = {name: run(name, args) for name in sorted(FILES) if args.only in (None, name)}
    print(json.dumps(result, indent=2))
    if not args.validate and not args.peers_only and args.only is None:
        with open(os.path.join(ROOT, f"docs/benchmarks/{args.label}.json"), "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
