"""Streaming anomaly detection throughput on NAB's nyc_taxi (10,320 half-hourly points, shingles of
48): shelf's streaming random cut forest against rrcf and river's HalfSpaceTrees, same points, same
run, one process each; points per second, each point scored then inserted.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/rcf_stream_compare.py \
        [--shelf build/bench/tools/shelf] [--threads 2] [--rrcf-points 2000] [--record] [--chart]

- rrcf (Bartos et al.'s pure-Python robust random cut forest): 100 trees of up to 256 points, as
  its README's streaming example: per point and tree, forget the oldest point once the tree holds
  more than 256, insert the new one, read its CoDisp. It is slow, so it runs on the first
  --rrcf-points shingles (the forest is full after 256 of them).
- river's HalfSpaceTrees: 100 trees, height 8, window 256, features the 48 shingle values within
  the series' min and max (HalfSpaceTrees needs the features' limits up front); score_one then
  learn_one, on every shingle.
- shelf: through nab_run.shelf_scores, the one place that knows the streaming command line
  (train on the first shingle, predict the rest); its time is both processes whole (start, read,
  stream, write incl. the 96 attribution columns), on each peer's points.
The peers are single-threaded Python; --threads goes to shelf and to the peers' numerical
libraries. --chart draws the series, a score, its threshold and NAB's labelled windows
(`nyc_taxi_chart`, docs/img/rcf_nyc_taxi.png: shelf's grade with shingles of 48, each grade
above 0 an alert); without --shelf, NAB's published randomCutForest scores
(rcf_nyc_taxi_published.png).
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np
import pandas as pd

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nab_run  # noqa: E402
import nab_score  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402

SERIES = "realKnownCause/nyc_taxi.csv"
SHINGLE, TREES, SAMPLES = 48, 100, 256


def load(nab):
    data = pd.read_csv(nab / "data" / SERIES)
    return pd.to_datetime(data["timestamp"]), data["value"].to_numpy(float)


def time_rrcf(values, points):
    import rrcf
    forest = [rrcf.RCTree() for _ in range(TREES)]
    t0 = time.perf_counter()
    for index, point in zip(range(points), rrcf.shingle(values, size=SHINGLE)):
        for tree in forest:
            if len(tree.leaves) > SAMPLES:
                tree.forget_point(index - SAMPLES)
            tree.insert_point(point, index=index)
            tree.codisp(index)
    return time.perf_counter() - t0


def time_river(values):
    from river import anomaly
    names = [f"x{j}" for j in range(SHINGLE)]
    hst = anomaly.HalfSpaceTrees(n_trees=TREES, height=8, window_size=SAMPLES, seed=0,
                                 limits={n: (values.min(), values.max()) for n in names})
    shingles = np.lib.stride_tricks.sliding_window_view(values, SHINGLE)
    t0 = time.perf_counter()
    for row in shingles:
        point = dict(zip(names, row))
        hst.score_one(point)
        hst.learn_one(point)
    return time.perf_counter() - t0, len(shingles)


def time_shelf(binary, values, threads, shingle=SHINGLE):
    """Seconds, and (raw score, grade) per point."""
    hp = dict(nab_run.DEFAULT_HP, shingle_size=shingle, num_trees=TREES, num_samples_per_tree=SAMPLES)
    t0 = time.perf_counter()
    scores = nab_run.shelf_scores(binary, values, hp, threads)
    return time.perf_counter() - t0, scores


def nyc_taxi_chart(scores, threshold, name, title, nab=nab_score.NAB):
    """docs/img/<name>.png: nyc_taxi's values above, `scores` (one per point) and `threshold`
    below, NAB's anomaly windows shaded in both and the probationary period marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    stamps, values = load(nab)
    windows = json.loads((nab / "labels" / "combined_windows.json").read_text())[SERIES]
    probation = stamps.iloc[int(min(np.floor(nab_score.PROBATION * len(stamps)), nab_score.PROBATION * 5000))]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 5), sharex=True)
    top.plot(stamps, values, linewidth=0.5, color="tab:blue")
    top.set_ylabel("passengers / 30 min", fontsize=8)
    bottom.plot(stamps, scores, linewidth=0.6, color="tab:orange", label="score")
    if threshold is not None:
        bottom.axhline(threshold, color="black", linestyle="--", linewidth=0.8, label=f"threshold {threshold:.3g}")
    bottom.set_ylabel("anomaly score", fontsize=8)
    for ax in (top, bottom):
        for start, end in windows:
            ax.axvspan(pd.Timestamp(start), pd.Timestamp(end), color="tab:red", alpha=0.2, linewidth=0)
        ax.axvspan(stamps.iloc[0], probation, color="grey", alpha=0.15, linewidth=0)
        ax.tick_params(labelsize=7)
    handles, labels = bottom.get_legend_handles_labels()
    handles += [plt.Rectangle((0, 0), 1, 1, color=c, alpha=a) for c, a in (("tab:red", 0.2), ("grey", 0.15))]
    bottom.legend(handles, labels + ["NAB window", "probation"], fontsize=7, loc="upper left")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    report.IMAGES.mkdir(parents=True, exist_ok=True)
    path = report.IMAGES / f"{name}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shelf", help="the shelf binary (its streaming command line; see nab_run.py)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rrcf-points", type=int, default=2000)
    ap.add_argument("--nab", type=pathlib.Path, default=nab_score.NAB)
    ap.add_argument("--record", action="store_true", help="with --shelf: record into docs/benchmarks")
    ap.add_argument("--chart", action="store_true",
                    help="write docs/img/rcf_nyc_taxi.png (shelf's) or, without --shelf, rcf_nyc_taxi_published.png")
    ap.add_argument("--threshold", type=float, help="with --chart and --shelf: the line drawn (e.g. nab_run.py's)")
    args = ap.parse_args()
    peers.set_threads(args.threads)
    _, values = load(args.nab)
    env = peers.info(("rrcf", "river", "numpy"))
    rows = []  # (peer, points, peer seconds, shelf seconds)
    river_s, river_n = time_river(values)
    rows.append((peers.peer("river", "HalfSpaceTrees"), river_n, river_s))
    rrcf_n = min(args.rrcf_points, len(values) - SHINGLE + 1)
    rows.append((peers.peer("rrcf"), rrcf_n, time_rrcf(values, rrcf_n)))
    for peer, n, seconds in rows:
        line = f"{peer:28s} {n:6d} points {seconds:8.2f} s {n / seconds:10,.0f} points/s"
        if args.shelf:
            # shelf scores every point it is given; the first SHINGLE - 1 only fill the first shingle
            shelf_s, _ = time_shelf(args.shelf, values[:n + SHINGLE - 1], args.threads)
            line += f"   shelf {shelf_s:8.2f} s {n / shelf_s:10,.0f} points/s   ratio {shelf_s / seconds:.3f}"
            if args.record:
                report.record("rcf-stream", "nyc_taxi", f"stream {n:,} shingles of {SHINGLE}", args.threads, shelf_s,
                              peer, seconds, note=f"{TREES} trees x {SAMPLES}; shelf: its train and predict processes",
                              peers_env=env)
        print(line, flush=True)
    if args.record and args.shelf:
        report.render()
    if args.chart:
        if args.shelf:
            # Shingles of 48; every grade above 0 is an alert of the library's own threshold.
            _, (_, grade) = time_shelf(args.shelf, values, args.threads)
            print(nyc_taxi_chart(np.nan_to_num(grade), args.threshold, "rcf_nyc_taxi",
                                 f"shelf's streaming random cut forest on NAB nyc_taxi, shingles of {SHINGLE}: "
                                 "grade (every bar an alert)"))
        else:  # NAB's published scores for AWS's random cut forest, its standard threshold (config/thresholds.json)
            published = nab_score.find_result(args.nab / "results" / "randomCutForest", SERIES)
            print(nyc_taxi_chart(pd.read_csv(published)["anomaly_score"].to_numpy(), 0.453918, "rcf_nyc_taxi_published",
                                 "NAB's published randomCutForest (AWS) scores on nyc_taxi, standard-profile threshold"))


if __name__ == "__main__":
    main()
