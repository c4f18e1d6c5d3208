"""What users time: `shelf train` / `shelf predict` on a CSV file, end to end, against the peer
reading the same file (pandas.read_csv inside the peer's timing), same thread count, same run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/cli_compare.py \
        --shelf build/bench/tools/shelf [--only gbt-binary ...] [--threads 2]

The data sets are seeded analogues of the shapes in the issue (make_classification / make_blobs,
written once under build/cli_bench/): gbt binary 500,000 x 28 and 26 classes 16,000 x 16 (100
rounds, depth 6, eta 0.3, max_bin 256); linear learner 200,000 x 50 binary (the default sweep)
and 26 classes 16,000 x 16; k-means k = 26 on 20,000 x 16 (the platform's default mini-batch
mode with init_method=kmeans++); PCA 10,000 x 784, 10 components, both modes; k-NN classifier
k = 10 on the 26 classes (the train channel's accuracy is part of both sides' time); random cut
forest against scikit-learn's IsolationForest (100 trees of 256 points each) on KDD Cup 99 10 %
(its 38 numeric columns; every normal connection and a seeded 1 % of the attacks, which are 80 %
of the raw file and so not anomalies there) and on NAB's nyc_taxi as shingles of 48 (a shingle
is an anomaly when its last point lies in a labelled window), scored on the same rows for the ROC
AUC. shelf's time is
the whole process (start, read, fit, the channel metrics, writing the model); the peer's is
read_csv plus fit plus the same train-channel metric, in one Python process after its imports.
Each side runs `--repeats` times alternately and keeps its best. Quality is computed here from
both sides' predictions on a held-out file.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
import report  # noqa: E402

WORK = report.ROOT / "build" / "cli_bench"


def write_csv(path, X, y=None):
    """Platform CSV: no header, the label (if any) in column 0."""
    if path.exists():
        return
    data = X if y is None else np.column_stack([y, X])
    fmt = ["%d"] + ["%.6g"] * X.shape[1] if y is not None else "%.6g"
    np.savetxt(path, data, delimiter=",", fmt=fmt)


def datasets():
    from sklearn.datasets import make_blobs, make_classification
    WORK.mkdir(parents=True, exist_ok=True)

    def classification(name, n, d, classes, seed, informative=None):
        X, y = make_classification(n_samples=n + n // 4, n_features=d, n_informative=informative or d // 2,
                                   n_classes=classes, n_clusters_per_class=1, random_state=seed)
        X = X.astype(np.float32)
        write_csv(WORK / f"{name}-train.csv", X[:n], y[:n])
        write_csv(WORK / f"{name}-test.csv", X[n:])
        return y[n:]

    out = {}
    out["binary500k"] = classification("binary500k", 500_000, 28, 2, 7)
    out["letters16k"] = classification("letters16k", 16_000, 16, 26, 8, informative=12)
    out["binary200k"] = classification("binary200k", 200_000, 50, 2, 9)
    X, _ = make_blobs(n_samples=25_000, n_features=16, centers=26, random_state=10)
    write_csv(WORK / "blobs20k-train.csv", X[:20_000].astype(np.float32))
    write_csv(WORK / "blobs20k-test.csv", X[20_000:].astype(np.float32))
    rng = np.random.default_rng(11)
    basis = rng.normal(size=(40, 784))
    X = (rng.normal(size=(12_000, 40)) * np.linspace(5, 0.5, 40)) @ basis + rng.normal(scale=0.3, size=(12_000, 784))
    write_csv(WORK / "wide10k-train.csv", X[:10_000].astype(np.float32))
    write_csv(WORK / "wide10k-test.csv", X[10_000:].astype(np.float32))
    out["kdd"] = kdd_anomalies()
    out["nyc"] = nyc_taxi_shingles()
    return out


def nyc_taxi_shingles(shingle=48):
    """NAB's nyc_taxi as rows of `shingle` consecutive values (nyc-train.csv and the same rows as
    nyc-test.csv); returns 1 for the rows whose last point lies in a labelled anomaly window."""
    import pandas as pd
    nab = report.ROOT.parent / "shared" / "data" / "nab"
    data = pd.read_csv(nab / "data" / "realKnownCause" / "nyc_taxi.csv")
    windows = json.loads((nab / "labels" / "combined_windows.json").read_text())["realKnownCause/nyc_taxi.csv"]
    stamps, values = pd.to_datetime(data["timestamp"]), data["value"].to_numpy(np.float32)
    inside = np.zeros(len(data), bool)
    for start, end in windows:
        inside |= ((stamps >= pd.Timestamp(start)) & (stamps <= pd.Timestamp(end))).to_numpy()
    X = np.lib.stride_tricks.sliding_window_view(values, shingle)
    write_csv(WORK / "nyc-train.csv", X)
    write_csv(WORK / "nyc-test.csv", X)
    return inside[shingle - 1:].astype(int)


def kdd_anomalies():
    """KDD Cup 99 10 %: the normal connections and a seeded 1 % of the attacks, numeric columns
    only, written as kdd-train.csv (features) and kdd-test.csv (the same rows); returns 1 for attacks."""
    import pandas as pd
    raw = pd.read_csv(report.ROOT.parent / "shared" / "data" / "kddcup99_10pct" / "kddcup.data_10_percent.gz",
                      header=None)
    attack = (raw[41] != "normal.").to_numpy()
    rng = np.random.default_rng(12)
    keep = ~attack | (rng.random(len(raw)) < 0.01)
    X = raw.loc[keep].drop(columns=[1, 2, 3, 41]).to_numpy(np.float32)
    write_csv(WORK / "kdd-train.csv", X)
    write_csv(WORK / "kdd-test.csv", X)
    return attack[keep].astype(int)


# name: (algorithm, data set, shelf hyperparameters, peer code; the peer code reads the training
# file with read / labelled (run_peer defines them), fits and leaves test predictions in `pred`)
CASES = {
    "gbt-binary": ("xgboost", "binary500k", {"num_round": 100, "max_depth": 6, "eta": 0.3, "max_bin": 256,
                                             "objective": "binary:logistic"}, "xgboost"),
    "gbt-letters": ("xgboost", "letters16k", {"num_round": 100, "max_depth": 6, "eta": 0.3, "max_bin": 256,
                                              "objective": "multi:softprob", "num_class": 26}, "xgboost"),
    "linear-binary": ("linear-learner", "binary200k", {"predictor_type": "binary_classifier"}, "logistic"),
    "linear-letters": ("linear-learner", "letters16k", {"predictor_type": "multiclass_classifier", "num_classes": 26},
                       "logistic"),
    "kmeans": ("kmeans", "blobs20k", {"k": 26, "init_method": "kmeans++"}, "kmeans"),
    "pca-regular": ("pca", "wide10k", {"num_components": 10, "algorithm_mode": "regular"}, "pca"),
    "pca-randomized": ("pca", "wide10k", {"num_components": 10, "algorithm_mode": "randomized"}, "pca"),
    "knn": ("knn", "letters16k", {"k": 10, "sample_size": 16_000, "predictor_type": "classifier"}, "knn"),
    "rcf": ("randomcutforest", "kdd", {"num_trees": 100, "num_samples_per_tree": 256}, "isolation"),
    "rcf-nyc": ("randomcutforest", "nyc", {"num_trees": 100, "num_samples_per_tree": 256}, "isolation"),
}

# The targets for shelf's time over the peer's (k-means is judged on SSD instead).
TARGETS = {"gbt-binary": 0.7, "gbt-letters": 0.7, "linear-binary": 1.0, "linear-letters": 1.0,
           "pca-regular": 0.5, "pca-randomized": 0.5}

PEER_CODE = {
    "xgboost": """
import xgboost as xgb
t0 = time.perf_counter()
X, y = labelled(train)
params = dict(hp, tree_method="hist", nthread=threads)
rounds = params.pop("num_round")
booster = xgb.train(params, xgb.QuantileDMatrix(X, label=y, max_bin=params["max_bin"], nthread=threads), rounds)
booster.save_model(out + "/model.json")
seconds = time.perf_counter() - t0
T = read(test)
pred = booster.inplace_predict(T)
""",
    "logistic": """
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
t0 = time.perf_counter()
X, y = labelled(train)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
seconds = time.perf_counter() - t0
T = read(test)
pred = model.predict_proba(T)
""",
    "kmeans": """
from sklearn.cluster import KMeans
t0 = time.perf_counter()
X = read(train)
model = KMeans(n_clusters=hp["k"], n_init=1, random_state=0).fit(X)
seconds = time.perf_counter() - t0
pred = np.array([model.inertia_])
""",
    "knn": """
from sklearn.neighbors import KNeighborsClassifier
t0 = time.perf_counter()
X, y = labelled(train)
model = KNeighborsClassifier(n_neighbors=hp["k"], algorithm="brute", n_jobs=threads).fit(X, y)
train_accuracy = (model.predict(X) == y).mean()  # the train channel's metric, as shelf train reports it
seconds = time.perf_counter() - t0
T = read(test)
pred = model.predict(T)
""",
    "isolation": """
from sklearn.ensemble import IsolationForest
t0 = time.perf_counter()
X = read(train)
model = IsolationForest(n_estimators=hp["num_trees"], max_samples=hp["num_samples_per_tree"], n_jobs=threads,
                        random_state=0).fit(X)
seconds = time.perf_counter() - t0
pred = -model.score_samples(read(test))
""",
    "pca": """
from sklearn.decomposition import PCA
t0 = time.perf_counter()
X = read(train)
solver = "full" if hp["algorithm_mode"] == "regular" else "randomized"
model = PCA(n_components=hp["num_components"], svd_solver=solver, random_state=0).fit(X)
seconds = time.perf_counter() - t0
pred = np.array([model.explained_variance_ratio_.sum()])
""",
}


def run_peer(kind, train, test, hp, threads, out):
    code = ("import time, json, sys, numpy as np, pandas as pd\n"
            "from threadpoolctl import threadpool_limits\n"
            "def read(path): return pd.read_csv(path, header=None, dtype=np.float32).to_numpy()\n"
            "def labelled(path):\n    d = read(path)\n    return d[:, 1:], d[:, 0]\n"
            f"train, test, hp, threads, out = {str(train)!r}, {str(test)!r}, {json.dumps(hp)}, {threads}, {str(out)!r}\n"
            f"with threadpool_limits({threads}):\n"
            + "\n".join("    " + line for line in PEER_CODE[kind].strip().splitlines())
            + "\nnp.save(out + '/pred.npy', pred)\nprint(json.dumps({'seconds': seconds}))\n")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"], np.load(out + "/pred.npy")


def run_shelf(binary, algorithm, train, test, hp, threads, out):
    args = [binary, "train", "--algorithm", algorithm, "--train", str(train), "--model-dir", out]
    for k, v in dict(hp, num_threads=threads).items():
        args += ["--hp", f"{k}={v}"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    t0 = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    metrics = json.loads(result.stdout)
    predicted = subprocess.run([binary, "predict", "--model-dir", out, "--input", str(test), "--accept", "text/csv"],
                               capture_output=True, text=True, env=env)
    if predicted.returncode != 0:
        raise RuntimeError(predicted.stderr[-2000:])
    rows = np.loadtxt(predicted.stdout.splitlines(), delimiter=",", ndmin=2)
    return seconds, metrics, rows


def quality(name, hp, truth, shelf_rows, shelf_metrics, peer_pred):
    from sklearn.metrics import accuracy_score, roc_auc_score
    if name in ("gbt-binary",):
        return {"test AUC": (roc_auc_score(truth, shelf_rows[:, 0]), roc_auc_score(truth, peer_pred))}
    if name == "linear-binary":
        return {"test AUC": (roc_auc_score(truth, shelf_rows[:, 0]), roc_auc_score(truth, peer_pred[:, 1]))}
    if name.startswith("rcf"):
        return {"ROC AUC": (roc_auc_score(truth, shelf_rows[:, 0]), roc_auc_score(truth, peer_pred))}
    if name == "knn":
        return {"test accuracy": (accuracy_score(truth, shelf_rows[:, 0]), accuracy_score(truth, peer_pred))}
    if name in ("gbt-letters", "linear-letters"):
        return {"test accuracy": (accuracy_score(truth, shelf_rows[:, -1]), accuracy_score(truth, peer_pred.argmax(1)))}
    if name == "kmeans":
        return {"train SSD": (shelf_metrics["train:msd"] * 20_000, float(peer_pred[0]))}
    return {"explained variance ratio": (shelf_metrics["train:explained_variance_ratio"], float(peer_pred[0]))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shelf", required=True, help="the shelf binary")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=sorted(CASES))
    parser.add_argument("--record", action="store_true", help="write the rows into docs/benchmarks")
    args = parser.parse_args()
    truths = datasets()
    env = peers.info(("xgboost", "sklearn", "numpy", "scipy"))
    for name in args.only or CASES:
        algorithm, data, hp, kind = CASES[name]
        train, test = WORK / f"{data}-train.csv", WORK / f"{data}-test.csv"
        best_shelf = best_peer = float("inf")
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            for _ in range(args.repeats):
                s, metrics, rows = run_shelf(args.shelf, algorithm, train, test, hp, args.threads, a)
                p, pred = run_peer(kind, train, test, hp, args.threads, b)
                best_shelf, best_peer = min(best_shelf, s), min(best_peer, p)
        q = quality(name, hp, truths.get(data), rows, metrics, pred)
        peer = {"xgboost": peers.peer("xgboost", "hist + read_csv"), "logistic": peers.peer("sklearn", "LogisticRegression + read_csv"),
                "kmeans": peers.peer("sklearn", "KMeans + read_csv"),
                "knn": peers.peer("sklearn", "KNeighborsClassifier brute + read_csv"),
                "isolation": peers.peer("sklearn", "IsolationForest + read_csv"),
                "pca": peers.peer("sklearn", f"PCA {'full' if hp.get('algorithm_mode') == 'regular' else 'randomized'} + read_csv")}[kind]
        size = train.stat().st_size / 1e6
        print(f"{name:16s} shelf {best_shelf:8.3f} s  peer {best_peer:8.3f} s  ratio {best_shelf / best_peer:6.3f}  "
              + "  ".join(f"{k} {v[0]:.6g} / {v[1]:.6g}" for k, v in q.items()), flush=True)
        if args.record:
            report.record("cli", name, "train from CSV", args.threads, best_shelf, peer, best_peer, quality=q,
                          note=f"{train.name}, {size:.0f} MB; shelf: the whole `shelf train` process", peers_env=env,
                          target=TARGETS.get(name))
    if args.record:
        report.render()


if __name__ == "__main__":
    main()
