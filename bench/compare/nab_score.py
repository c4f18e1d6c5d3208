"""The Numenta Anomaly Benchmark's score (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly
Detection Algorithms - the Numenta Anomaly Benchmark"), written here from the paper and NAB's
documented protocol: no NAB code.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/nab_score.py \
        RESULTS_DIR [--nab /work/shared/data/nab] [--per-file]
    ... nab_score.py --validate NAB_CHECKOUT/results [--detectors numenta skyline ...] [--write FILE.md]

The corpus: the 58 series under NAB/data/<category>/<name>.csv and their anomaly windows
(NAB/labels/combined_windows.json, 116 windows). A detector's RESULTS_DIR holds one CSV per series,
<category>/<name>.csv or, as NAB's results/<detector>/ does, <category>/<prefix>_<name>.csv, with
a column anomaly_score, one row per data row in the data's order (rows are matched by position;
a timestamp column, if present, is compared with the data's and a difference warned of: NAB's
own randomCutForest results differ in 22 rows of machine_temperature_system_failure). Any other
columns are ignored.

The score, per application profile (weights A_TP, A_FP, A_FN; A_TN is unused, as in NAB):
- the first 15 % of each series (at most 750 rows) is a probationary period: detections there count
  for nothing; a detection is a row whose anomaly_score is >= the threshold;
- sigma(y) = 2 / (1 + exp(5 y)) - 1, y the row's position relative to the window's right end: in a
  window of L rows ending at row e, y = -(e - i + 1) / L, from -1 at its first row to -1/L at its
  last. A window's first detection scores A_TP * sigma(y) / sigma(-1) (A_TP at the window's start,
  about 0 at its end); later detections in the same window count for nothing;
- a detection outside every window scores A_FP * sigma(y), with y = (i - e) / (L - 1) measured from
  the end e of the window before it (L its length), sigma = -1 beyond y = 3; with no window before
  it, -A_FP;
- a window without a detection scores -A_FN;
- the threshold is one per detector and profile, over the whole corpus: the one, among the
  detector's scores, that maximises the corpus's summed score (an exhaustive sweep);
- normalised: 100 (S - S_null) / (S_perfect - S_null), S_null = -A_FN * windows (no detection),
  S_perfect = A_TP * windows (every window caught at its first row, no false positive).

Validation (--validate) rescores NAB's published detections and compares with its scoreboard
(results/final_results.json); see docs/benchmarks/nab_validation.md for the table.
"""
import argparse
import json
import pathlib
import sys

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
NAB = ROOT.parent / "shared" / "data" / "nab"
# profile: (A_TP, A_FP, A_FN), NAB's config/profiles.json
PROFILES = {"standard": (1.0, 0.11, 1.0), "reward_low_FP_rate": (1.0, 0.22, 1.0), "reward_low_FN_rate": (1.0, 0.11, 2.0)}
PROBATION = 0.15


def sigma(y):
    """The scaled sigmoid: about +1 early in a window, 0 at its end, towards -1 after it."""
    return np.where(y > 3.0, -1.0, 2.0 / (1.0 + np.exp(5.0 * np.minimum(y, 3.0))) - 1.0)


class Series:
    """One data file's rows after its probationary period: the window each is in (corpus-wide
    index, -1 outside) and its unweighted value, sigma(y)/sigma(-1) in a window, sigma(y) outside."""

    def __init__(self, name, timestamps, windows, first_window):
        n = len(timestamps)
        self.name, self.rows, self.timestamps = name, n, timestamps
        self.probation = int(min(np.floor(PROBATION * n), PROBATION * 5000))
        self.windows = len(windows)
        window = np.full(n, -1)
        value = np.full(n, -1.0)  # outside, before any window
        for k, (start, end) in enumerate(windows):
            inside = np.flatnonzero((timestamps >= start) & (timestamps <= end))
            s, e = inside[0], inside[-1]
            length = e - s + 1
            window[s:e + 1] = first_window + k
            value[s:e + 1] = sigma(-(e - np.arange(s, e + 1) + 1) / length) / sigma(-1.0)
            after = np.arange(e + 1, n)  # until the next window overwrites them
            value[e + 1:] = sigma((after - e) / max(length - 1, 1))
            window[e + 1:] = -1
        self.window, self.value = window[self.probation:], value[self.probation:]


def load_corpus(nab):
    windows = json.loads((nab / "labels" / "combined_windows.json").read_text())
    corpus, first = [], 0
    for name in sorted(windows):
        stamps = pd.to_datetime(pd.read_csv(nab / "data" / name, usecols=["timestamp"])["timestamp"]).to_numpy()
        spans = [(np.datetime64(pd.Timestamp(a)), np.datetime64(pd.Timestamp(b))) for a, b in windows[name]]
        corpus.append(Series(name, stamps, spans, first))
        first += len(spans)
    return corpus


def find_result(results, name):
    """results/<category>/<name>.csv, or the one <category>/<prefix>_<name>.csv."""
    category, base = name.split("/")
    exact = results / category / base
    if exact.exists():
        return exact
    found = sorted((results / category).glob(f"*_{base}"))
    if len(found) != 1:
        raise FileNotFoundError(f"{results}: {len(found)} files for {name} (want {category}/[prefix_]{base})")
    return found[0]


def load_scores(results, corpus):
    """Each series' anomaly_score column, checked against the data's length and timestamps."""
    scores = []
    for s in corpus:
        path = find_result(pathlib.Path(results), s.name)
        frame = pd.read_csv(path)
        if len(frame) != s.rows:
            raise ValueError(f"{path}: {len(frame)} rows, the data has {s.rows}")
        if "timestamp" in frame:  # rows are matched by position, as NAB does; say where stamps differ
            differ = int((pd.to_datetime(frame["timestamp"]).to_numpy() != s.timestamps).sum())
            if differ:
                print(f"warning: {path}: {differ} timestamps differ from the data's; rows matched by position",
                      file=sys.stderr)
        scores.append(frame["anomaly_score"].to_numpy(float))
    return scores


def sweep(corpus, scores, profile):
    """The threshold maximising the corpus score: (threshold, raw score, normalised score).
    Rows are taken in decreasing score; each changes the total by its false-positive value, or by
    how much it raises its window's best value so far (from -A_FN, the window missed)."""
    a_tp, a_fp, a_fn = PROFILES[profile]
    score = np.concatenate([x[s.probation:] for s, x in zip(corpus, scores)])
    window = np.concatenate([s.window for s in corpus])
    value = np.concatenate([s.value for s in corpus])
    value = np.where(window >= 0, a_tp * value, a_fp * value)
    order = np.argsort(-score, kind="stable")
    score, window, value = score[order], window[order], value[order]
    delta = np.where(window < 0, value, 0.0)
    inside = window >= 0
    best = pd.Series(value[inside]).groupby(window[inside]).cummax()
    before = best.groupby(window[inside]).shift(1).fillna(-a_fn)
    delta[inside] = (best - before).to_numpy()
    windows = sum(s.windows for s in corpus)
    null = -a_fn * windows
    total = null + np.cumsum(delta)
    last = np.append(score[1:] != score[:-1], True)  # a threshold takes all rows of equal score
    candidates = np.flatnonzero(last)
    k = candidates[np.argmax(total[candidates])]
    threshold, raw = score[k], total[k]
    if raw < null:  # no threshold beats detecting nothing
        threshold, raw = np.inf, null
    return threshold, raw, normalise(raw, profile, windows)


def normalise(raw, profile, windows):
    """0 for no detection (every window missed), 100 for the perfect detector (each window caught
    at its first row, no false positive)."""
    a_tp, _, a_fn = PROFILES[profile]
    return 100.0 * (raw + a_fn * windows) / ((a_tp + a_fn) * windows)


def per_file(corpus, scores, profile, threshold):
    """Each series' raw score and window / false-positive counts at a threshold."""
    a_tp, a_fp, a_fn = PROFILES[profile]
    rows = []
    for s, x in zip(corpus, scores):
        hit = x[s.probation:] >= threshold
        outside = hit & (s.window < 0)
        caught = {w: s.value[hit & (s.window == w)].max() for w in np.unique(s.window[hit & (s.window >= 0)])}
        raw = a_tp * sum(caught.values()) + a_fp * s.value[outside].sum() - a_fn * (s.windows - len(caught))
        rows.append({"file": s.name, "score": raw, "windows": s.windows, "caught": len(caught),
                     "false_positives": int(outside.sum())})
    return pd.DataFrame(rows)


def at_threshold(corpus, scores, profile, threshold):
    """The normalised score at a given threshold."""
    raw = per_file(corpus, scores, profile, threshold)["score"].sum()
    return normalise(raw, profile, sum(s.windows for s in corpus))


VALIDATION_PAGE = """# NAB scorer: validation

`bench/compare/nab_score.py --validate NAB/results --write docs/benchmarks/nab_validation.md`
rescores each detector's published detections (NAB's results/<detector>/, numenta/NAB on GitHub)
and compares with NAB's scoreboard (results/final_results.json), in two ways:

- *ours, swept*: our own threshold, the best over all the detector's scores (an exhaustive sweep,
  as NAB's optimiser does since its "sweep scoring" change of January 2019);
- *at NAB's threshold*: at the threshold NAB scored it at (config/thresholds.json). This checks
  the scoring function alone: windows, sigmoid, probation, profiles, normalisation.

Where ours, swept, is higher, NAB's threshold is not the best one for its own score and the
sweep finds a better one: for those detectors thresholds.json apparently still holds the result of
the local search NAB used before the sweep. bayesChangePt has no scoreboard entry; its raw scores
in thresholds.json (-74.90, -108.56, -119.75) normalise to 17.71, 3.21 and 32.26, as ours at
NAB's threshold do.

"""


def validate(corpus, results, thresholds, detectors, out):
    """Each detector's published scores against ours, with our sweep's threshold and with NAB's
    (config/thresholds.json, the thresholds its scoreboard was scored at)."""
    published = json.loads((results / "final_results.json").read_text())
    worst = {"swept": 0.0, "fixed": 0.0}
    lines = ["| detector | profile | published | ours, swept | difference | ours at NAB's threshold | difference |"
             " our threshold | NAB's threshold |", "|---|---|---|---|---|---|---|---|---|"]
    for d in detectors:
        scores = load_scores(results / d, corpus)
        for p in PROFILES:
            # bayesChangePt has thresholds and detections but no scoreboard entry
            ref, theirs = published.get(d, {}).get(p, np.nan), thresholds[d][p]["threshold"]
            threshold, _, swept = sweep(corpus, scores, p)
            fixed = at_threshold(corpus, scores, p, theirs)
            worst = {"swept": np.nanmax([worst["swept"], abs(swept - ref)]),
                     "fixed": np.nanmax([worst["fixed"], abs(fixed - ref)])}
            lines.append(f"| {d} | {p} | {ref:.3f} | {swept:.3f} | {swept - ref:+.3f} | {fixed:.3f} | {fixed - ref:+.3f} |"
                         f" {threshold:.6g} | {theirs:.6g} |".replace("+nan", "-").replace("nan", "-"))
            print(lines[-1], flush=True)
    summary = (f"Largest difference from the scoreboard: {worst['fixed']:.4f} points at NAB's thresholds, "
               f"{worst['swept']:.3f} swept.")
    print(summary)
    if out:
        pathlib.Path(out).write_text(VALIDATION_PAGE + summary + "\n\n" + "\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="?", help="a detector's results folder")
    ap.add_argument("--nab", type=pathlib.Path, default=NAB, help="NAB's data and labels")
    ap.add_argument("--per-file", action="store_true", help="also print each series' score at the threshold")
    ap.add_argument("--validate", type=pathlib.Path, help="NAB's results/ folder (final_results.json, one folder per detector)")
    ap.add_argument("--thresholds", type=pathlib.Path, help="NAB's config/thresholds.json (default: next to --validate's folder)")
    ap.add_argument("--detectors", nargs="*", help="with --validate: these folders only (default: all)")
    ap.add_argument("--write", help="with --validate: the table's Markdown file")
    args = ap.parse_args()
    corpus = load_corpus(args.nab)
    if args.validate:
        thresholds = args.thresholds or args.validate.parent / "config" / "thresholds.json"
        detectors = args.detectors or sorted(d.name for d in args.validate.iterdir() if d.is_dir())
        validate(corpus, args.validate, json.loads(thresholds.read_text()), detectors, args.write)
        return
    if not args.results:
        ap.error("give a results folder or --validate")
    scores = load_scores(args.results, corpus)
    for p in PROFILES:
        threshold, raw, normalised = sweep(corpus, scores, p)
        print(f"{p:20s} {normalised:7.2f}   raw {raw:9.3f}   threshold {threshold:.6g}")
        if args.per_file:
            print(per_file(corpus, scores, p, threshold).to_string(index=False))


if __name__ == "__main__":
    main()
