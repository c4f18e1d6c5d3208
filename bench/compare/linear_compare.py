"""Linear learner vs scikit-learn, side by side on the same data, the same machine, 2 threads.

For each data set the shelf driver (bench/compare/linear_compare_driver.cpp, built as
build/bench/linear/linear_compare_driver) trains the full 32-model sweep with default
hyperparameters (selection on the training data: no validation channel), best of 3 runs;
scikit-learn fits its model at its best settings, best of 3 runs as well. Both are scored
on the same test split with scikit-learn's metrics.

  binary:     a9a (sparse), Adult (one-hot), bank marketing (one-hot, `duration` dropped as
              Moro et al. advise: it is known only after the call), synthetic 1,000,000 x 100
              (make_classification, 30 informative and 10 redundant features, 5 % flipped labels)
              peers: LogisticRegression (lbfgs, C = 1), SGDClassifier (log loss, standardized input),
                     RidgeClassifier (alpha = 1)
  regression: California housing (one-hot ocean_proximity, median-imputed bedrooms), abalone
              peers: LinearRegression, Ridge (alpha = 1)

Each row's peer carries scikit-learn's version; the rows keep the peers' versions and kernels
(peers.py). Run from the repository root, after building the driver and bash bench/compare/setup.sh:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=2 build/peers/bin/python \
      bench/compare/linear_compare.py [--build build] [--data ../shared/data]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
THREADS = 2
SEED = 0


def write_bin(path, X, y):
    """The driver's dense format: int64 rows, int64 cols, float32 rows, float32 labels."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    with open(path, "wb") as f:
        f.write(np.array(X.shape, dtype="<i8").tobytes())
        f.write(X.astype("<f4").tobytes())
        f.write(np.asarray(y, dtype="<f4").tobytes())


def split(X, y, test_fraction=0.2):
    from sklearn.model_selection import train_test_split
    return train_test_split(X, y, test_size=test_fraction, random_state=SEED, stratify=y if len(set(y)) == 2 else None)


def read_table(path, delimiter=",", header=False):
    """Rows of stripped text fields (the csv module: no pandas in Debian's interpreter)."""
    import csv
    with open(path, newline="") as f:
        rows = [[field.strip() for field in row] for row in csv.reader(f, delimiter=delimiter) if row]
    return (rows[0], rows[1:]) if header else (None, rows)


def encode(rows, categorical_columns):
    """Numbers as they are; each categorical column one-hot over its sorted values."""
    columns = []
    for c in range(len(rows[0])):
        values = [r[c] for r in rows]
        if c in categorical_columns:
            for level in sorted(set(values)):
                columns.append([1.0 if v == level else 0.0 for v in values])
        else:
            columns.append([float(v) if v not in ("", "NA") else np.nan for v in values])
    return np.array(columns, dtype=np.float64).T


def load_a9a(data):
    from sklearn.datasets import load_svmlight_file
    X, y = load_svmlight_file(str(data / "a9a" / "a9a"), n_features=123)
    Xt, yt = load_svmlight_file(str(data / "a9a" / "a9a.t"), n_features=123)
    return "binary", X, (y > 0).astype(float), Xt, (yt > 0).astype(float)


def load_adult(data):
    _, train = read_table(data / "adult" / "adult-train.csv")
    _, test = read_table(data / "adult" / "adult-test.csv")
    test = [r for r in test if len(r) == 15]  # the file's first line is a comment
    both = train + test
    y = np.array([1.0 if r[14].rstrip(".") == ">50K" else 0.0 for r in both])
    X = encode([r[:14] for r in both], {1, 3, 5, 6, 7, 8, 9, 13})
    n = len(train)
    return "binary", X[:n], y[:n], X[n:], y[n:]


def load_bank(data):
    header, rows = read_table(data / "bank_marketing" / "bank-additional-full.csv", delimiter=";", header=True)
    y = np.array([1.0 if r[-1] == "yes" else 0.0 for r in rows])
    keep = [c for c, name in enumerate(header[:-1]) if name != "duration"]
    rows = [[r[c] for c in keep] for r in rows]
    categorical = {i for i, c in enumerate(keep) if not _is_number(rows[0][i])}
    X, Xt, y, yt = split(encode(rows, categorical), y)
    return "binary", X, y, Xt, yt


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def load_synthetic(_):
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=1_100_000, n_features=100, n_informative=30, n_redundant=10,
                               flip_y=0.05, class_sep=0.5, random_state=SEED)
    n = 1_000_000
    return "binary", X[:n], y[:n].astype(float), X[n:], y[n:].astype(float)


def load_california(data):
    header, rows = read_table(data / "california_housing" / "housing.csv", header=True)
    target = header.index("median_house_value")
    y = np.array([float(r[target]) for r in rows])
    X = encode([r[:target] + r[target + 1:] for r in rows], {len(header) - 2})
    X, Xt, y, yt = split(X, y)
    bedrooms = header.index("total_bedrooms")
    median = np.nanmedian(X[:, bedrooms])  # of the training split only
    for part in (X, Xt):
        part[np.isnan(part[:, bedrooms]), bedrooms] = median
    return "regression", X, y, Xt, yt


def load_abalone(_):
    train = np.loadtxt(ROOT / "data" / "abalone" / "train.csv", delimiter=",")
    test = np.loadtxt(ROOT / "data" / "abalone" / "test.csv", delimiter=",")
    return "regression", train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]


DATASETS = {"a9a": load_a9a, "adult": load_adult, "bank_marketing": load_bank, "synthetic_1m": load_synthetic,
            "california_housing": load_california, "abalone": load_abalone}


def prepare(name, data, directory):
    """Writes the data set's train and test files for the driver; returns (kind, arrays, paths)."""
    kind, X, y, Xt, yt = DATASETS[name](data)
    directory = pathlib.Path(directory)
    if hasattr(X, "tocsr"):  # sparse: libsvm files
        from sklearn.datasets import dump_svmlight_file
        paths = [directory / f"{name}.train.libsvm", directory / f"{name}.test.libsvm"]
        dump_svmlight_file(X, y, str(paths[0]), zero_based=False)
        dump_svmlight_file(Xt, yt, str(paths[1]), zero_based=False)
    else:
        paths = [directory / f"{name}.train.bin", directory / f"{name}.test.bin"]
        write_bin(paths[0], X, y)
        write_bin(paths[1], Xt, yt)
    return kind, (X, y, Xt, yt), paths


def best_of(runs, fit):
    """Best wall time of `runs` calls of fit(); returns (seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fit()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_shelf(driver, kind, paths, runs):
    """The driver's best-of-`runs` fit time and its test scores (and predicted labels)."""
    with tempfile.TemporaryDirectory() as tmp:
        scores = pathlib.Path(tmp) / "scores.txt"
        predictor = "binary_classifier" if kind == "binary" else "regressor"
        command = [str(driver), "--train", str(paths[0]), "--test", str(paths[1]), "--repeat", str(runs),
                   "--scores", str(scores), "--hp", f"predictor_type={predictor}", "--hp", f"num_threads={THREADS}"]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        report = json.loads(out.stdout)
        table = np.loadtxt(scores, ndmin=2)
    return min(report["seconds"]), table, report


def peer_models(kind, sparse):
    """scikit-learn's models at their best settings: standardized input where the solver needs it."""
    from sklearn.linear_model import (LinearRegression, LogisticRegression, Ridge, RidgeClassifier,
                                      SGDClassifier)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def scaled(model):
        return make_pipeline(StandardScaler(with_mean=not sparse), model)

    if kind == "binary":
        return {"LogisticRegression (lbfgs)": (lambda: LogisticRegression(max_iter=1000)) if sparse
                else (lambda: scaled(LogisticRegression(max_iter=1000))),
                "SGDClassifier (log loss)": lambda: scaled(SGDClassifier(loss="log_loss", random_state=SEED)),
                "RidgeClassifier": lambda: scaled(RidgeClassifier(alpha=1.0))}
    return {"LinearRegression": LinearRegression, "Ridge": lambda: Ridge(alpha=1.0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=str(ROOT / "build"), help="build directory holding bench/linear/")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared data sets")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per side (best kept)")
    parser.add_argument("--only", nargs="*", default=list(DATASETS), help="data sets to run")
    parser.add_argument("--no-record", action="store_true", help="print only; leave docs/benchmarks alone")
    args = parser.parse_args()
    driver = pathlib.Path(args.build) / "bench" / "linear" / "linear_compare_driver"
    data = pathlib.Path(args.data)
    if not driver.exists():
        sys.exit(f"build {driver} first (cmake --build {args.build} --target linear_compare_driver)")
    if not data.exists():
        sys.exit(f"no data at {data}; pass --data")
    load = os.getloadavg()[0]
    if load > 1:
        print(f"warning: load average {load:.2f}: timings will be disturbed", file=sys.stderr)
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import peers
    import report
    from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score
    from threadpoolctl import threadpool_limits
    env = peers.info(("sklearn", "numpy", "scipy"))
    print(env["summary"], flush=True)

    for name in args.only:
        with tempfile.TemporaryDirectory() as tmp:
            kind, (X, y, Xt, yt), paths = prepare(name, data, tmp)
            shelf_seconds, table, shelf_report = run_shelf(driver, kind, paths, args.runs)
        sparse = hasattr(X, "tocsr")
        if kind == "binary":
            shelf_quality = {"test AUC": roc_auc_score(yt, table[:, 0]), "test accuracy": accuracy_score(yt, table[:, 1])}
        else:
            shelf_quality = {"test RMSE": np.sqrt(mean_squared_error(yt, table[:, 0]))}
        epochs = shelf_report["epochs_run"]
        print(f"{name}: shelf {shelf_seconds:.3f} s ({epochs} epochs) {shelf_quality}", flush=True)
        for peer, make in peer_models(kind, sparse).items():
            with threadpool_limits(THREADS):
                seconds, model = best_of(args.runs, lambda: make().fit(X, y))
            if kind == "binary":
                score = model.predict_proba(Xt)[:, 1] if hasattr(model, "predict_proba") else model.decision_function(Xt)
                quality = {"test AUC": roc_auc_score(yt, score), "test accuracy": accuracy_score(yt, model.predict(Xt))}
            else:
                quality = {"test RMSE": np.sqrt(mean_squared_error(yt, model.predict(Xt)))}
            print(f"  {peer}: {seconds:.3f} s {quality}", flush=True)
            if not args.no_record:
                report.record("linear", name, "train: 32-model sweep vs one fit", THREADS, shelf_seconds,
                              peers.peer("sklearn", peer), seconds, {k: (shelf_quality[k], quality[k]) for k in quality},
                              note=f"shelf ran {epochs} of 15 epochs; {X.shape[0]} x {X.shape[1]}"
                                   + (" sparse" if sparse else ""), peers_env=env)
    if not args.no_record:
        report.render()


if __name__ == "__main__":
    main()
