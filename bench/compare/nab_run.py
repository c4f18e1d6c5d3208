"""shelf's streaming random cut forest on the Numenta Anomaly Benchmark: run it on the 58 series,
write its scores in NAB's results layout and score them with nab_score.py (all three profiles).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/nab_run.py \
        --shelf build/bench/tools/shelf [--hp shingle_size=48 ...] [--threads 2] [--out build/nab/shelf]
    ... nab_run.py --replay NAB_CHECKOUT/results/randomCutForest      the pipeline's check, no shelf

How it drives shelf's streaming command line (`shelf_scores` below is the one place that calls
it): train on the series' first shingle_size values, then predict the rest, which continues the
stream, each point scored before it is learnt:

    shelf train --algorithm randomcutforest --train HEAD.csv --model-dir DIR --hp streaming=true \
        --hp shingle_size=48 --hp num_trees=100 --hp num_samples_per_tree=256 --hp num_threads=T
    shelf predict --model-dir DIR --input REST.csv --accept text/csv

HEAD.csv, REST.csv: the values, one per line, no header, in time order. predict's standard output
(text/csv): a line per input line, its first column the raw score (mean CoDisp). The first
shingle_size points, learnt by train, have no score (anomaly_score 0, raw_score empty); NAB's
probationary period covers them.

The detector's output is shelf's own `grade` column, in [0, 1) as NAB wants it: 0, or, at the
onset of an event, 1 - z_factor / z for a score z deviations above the series' recent scores
(include/shelf/anomaly/threshold.hpp). NAB sweeps one threshold over the grades of the whole
corpus. The raw score (mean CoDisp) is kept beside it in the results.

--replay takes a published detector's anomaly_score as it is instead of running shelf: run on
NAB's randomCutForest results it must give the scoreboard's 51.72 / 38.36 / 59.75, which checks
the layout written here and the scoring together.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nab_score  # noqa: E402

DEFAULT_HP = {"shingle_size": 1, "num_trees": 100, "num_samples_per_tree": 256}


# ---- the shelf command line: the one function to change when the streaming CLI lands --------
def shelf_scores(binary, values, hp, threads):
    """shelf's raw streaming score and its grade for each point of one series, NaN for the
    points train learnt (see the module's docstring)."""
    head = int(hp["shingle_size"])

    def run(args):
        result = subprocess.run([binary] + args, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"shelf {' '.join(args)}\n{result.stderr[-2000:]}")
        return result.stdout

    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        np.savetxt(work / "head.csv", values[:head], fmt="%.17g")
        np.savetxt(work / "rest.csv", values[head:], fmt="%.17g")
        train = ["train", "--algorithm", "randomcutforest", "--train", str(work / "head.csv"),
                 "--model-dir", str(work / "model"), "--hp", "streaming=true"]
        for k, v in dict(hp, num_threads=threads).items():
            train += ["--hp", f"{k}={v}"]
        run(train)
        out = run(["predict", "--model-dir", str(work / "model"), "--input", str(work / "rest.csv"), "--accept", "text/csv"])
    columns = np.loadtxt(out.splitlines(), delimiter=",", ndmin=2)
    if len(columns) != len(values) - head:
        raise ValueError(f"shelf predict wrote {len(columns)} scores for {len(values) - head} points")
    unscored = np.full(head, np.nan)
    return np.concatenate([unscored, columns[:, 0]]), np.concatenate([unscored, columns[:, 1]])
# -----------------------------------------------------------------------------------------------


def replayed(results, name):
    return pd.read_csv(nab_score.find_result(results, name))["anomaly_score"].to_numpy(float)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--shelf", help="the shelf binary")
    source.add_argument("--replay", type=pathlib.Path, help="a published detector's results folder, replayed")
    ap.add_argument("--hp", action="append", default=[], metavar="KEY=VALUE", help=f"over {DEFAULT_HP}")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--nab", type=pathlib.Path, default=nab_score.NAB)
    ap.add_argument("--out", type=pathlib.Path, default=nab_score.ROOT / "build" / "nab" / "shelf",
                    help="where the per-series results go (NAB's layout)")
    args = ap.parse_args()
    hp = dict(DEFAULT_HP, **dict(kv.split("=", 1) for kv in args.hp))
    corpus = nab_score.load_corpus(args.nab)
    seconds = points = 0
    for s in corpus:
        data = pd.read_csv(args.nab / "data" / s.name)
        t0 = time.perf_counter()
        if args.replay:
            raw = score = replayed(args.replay, s.name)
        else:
            raw, grade = shelf_scores(args.shelf, data["value"].to_numpy(float), hp, args.threads)
            score = np.nan_to_num(grade)
        seconds, points = seconds + time.perf_counter() - t0, points + len(data)
        category, base = s.name.split("/")
        (args.out / category).mkdir(parents=True, exist_ok=True)
        data.assign(anomaly_score=score, raw_score=raw).to_csv(args.out / category / f"shelf_{base}", index=False)
    scores = nab_score.load_scores(args.out, corpus)
    summary = {"source": str(args.replay) if args.replay else f"{args.shelf} {hp} threads={args.threads}",
               "points": points, "seconds": seconds, "profiles": {}}
    for p in nab_score.PROFILES:
        threshold, raw_total, normalised = nab_score.sweep(corpus, scores, p)
        summary["profiles"][p] = {"score": normalised, "raw": raw_total, "threshold": threshold}
        print(f"{p:20s} {normalised:7.2f}   raw {raw_total:9.3f}   threshold {threshold:.6g}")
    if not args.replay:
        print(f"shelf: {points} points in {seconds:.1f} s ({points / seconds:,.0f} points/s, process start included)")
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
