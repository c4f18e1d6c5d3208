#!/usr/bin/python3
"""Writes the data slices and scikit-learn reference numbers the linear learner tests use.

Run with a Python that has scikit-learn 1.2.1 and numpy (here /usr/bin/python3), from
the repository root, with the shared data sets beside the repository:

    /usr/bin/python3 tests/reference/gen_linear.py [../shared/data]

Output in tests/reference/linear/ (the C++ tests need no Python, and no shared data):

  a9a_slice.bin    6,000 training, 2,000 validation and 4,000 test rows of a9a, drawn at
                   random (seed 7) from a9a (training channels) and a9a.t (test). Layout:
                   three uint32 little-endian counts (train, validation, test), then per row
                   one byte label (0 or 1) and 16 bytes of feature bits: bit k of byte k / 8
                   (least significant first) is feature k + 1 of a9a's 123, all of them 0/1.
  california_{train,test}.csv
                   2,500 and 1,000 rows of California housing drawn at random (seed 7), in the
                   platform's CSV layout: the label (median_house_value) first, then longitude,
                   latitude, housing_median_age, total_rooms, total_bedrooms (missing values
                   replaced by the training slice's median), population, households,
                   median_income, and ocean_proximity one-hot (<1H OCEAN, INLAND, ISLAND,
                   NEAR BAY, NEAR OCEAN).
  reference.txt    "[case]" sections of "key = value": scikit-learn's results on the same rows.
                   a9a: LogisticRegression (lbfgs, C = 1) fitted on the training rows, its test
                   ROC AUC and accuracy. california / abalone (data/abalone, the repository's
                   copy): LinearRegression and Ridge (alpha = 1) test RMSE.
"""
import os
import pathlib
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "linear"
DATA = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
SEED = 7


def a9a(rng, lines):
    X, y = load_svmlight_file(str(DATA / "a9a" / "a9a"), n_features=123)
    Xt, yt = load_svmlight_file(str(DATA / "a9a" / "a9a.t"), n_features=123)
    counts = (6000, 2000, 4000)
    rows = rng.choice(X.shape[0], counts[0] + counts[1], replace=False)
    train, valid = rows[:counts[0]], rows[counts[0]:]
    test = rng.choice(Xt.shape[0], counts[2], replace=False)
    with open(OUT / "a9a_slice.bin", "wb") as f:
        f.write(np.array(counts, dtype="<u4").tobytes())
        for M, labels, index in ((X, y, train), (X, y, valid), (Xt, yt, test)):
            dense = M[index].toarray()
            assert set(np.unique(dense)) <= {0.0, 1.0}
            bits = np.packbits(dense.astype(np.uint8), axis=1, bitorder="little")  # 16 bytes per row
            for label, row in zip(labels[index] > 0, bits):
                f.write(bytes([int(label)]) + row.tobytes())
    model = LogisticRegression(C=1.0, max_iter=10000).fit(X[train], y[train] > 0)
    score = model.predict_proba(Xt[test])[:, 1]
    lines += ["[a9a]", f"lr_auc = {roc_auc_score(yt[test] > 0, score)!r}",
              f"lr_accuracy = {accuracy_score(yt[test] > 0, model.predict(Xt[test]))!r}"]


def regression_reference(name, X, y, Xt, yt, lines):
    lines.append(f"[{name}]")
    for key, model in (("linear_regression_rmse", LinearRegression()), ("ridge_rmse", Ridge(alpha=1.0))):
        model.fit(X, y)
        lines.append(f"{key} = {np.sqrt(mean_squared_error(yt, model.predict(Xt)))!r}")


def california(rng, lines):
    import csv
    with open(DATA / "california_housing" / "housing.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    levels = ["<1H OCEAN", "INLAND", "ISLAND", "NEAR BAY", "NEAR OCEAN"]
    target, ocean = header.index("median_house_value"), header.index("ocean_proximity")
    numeric = [c for c in range(len(header)) if c not in (target, ocean)]
    y = np.array([float(r[target]) for r in rows])
    X = np.array([[float(r[c]) if r[c] else np.nan for c in numeric] + [float(r[ocean] == v) for v in levels]
                  for r in rows])
    pick = rng.choice(len(rows), 3500, replace=False)
    train, test = pick[:2500], pick[2500:]
    bedrooms = [header[c] for c in numeric].index("total_bedrooms")
    median = np.nanmedian(X[train, bedrooms])
    X[np.isnan(X[:, bedrooms]), bedrooms] = median
    for name, index in (("train", train), ("test", test)):
        with open(OUT / f"california_{name}.csv", "w") as f:
            for label, features in zip(y[index], X[index]):
                f.write(",".join(f"{v:g}" for v in [label, *features]) + "\n")
    # The reference fits what the test reads back: the rounded text.
    read = {n: np.loadtxt(OUT / f"california_{n}.csv", delimiter=",") for n in ("train", "test")}
    regression_reference("california", read["train"][:, 1:], read["train"][:, 0], read["test"][:, 1:],
                         read["test"][:, 0], lines)


def abalone(lines):
    train = np.loadtxt(ROOT / "data" / "abalone" / "train.csv", delimiter=",")
    test = np.loadtxt(ROOT / "data" / "abalone" / "test.csv", delimiter=",")
    regression_reference("abalone", train[:, 1:], train[:, 0], test[:, 1:], test[:, 0], lines)


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    lines = [f"# generated by tests/reference/gen_linear.py with scikit-learn {sklearn.__version__}, "
             f"numpy {np.__version__}; do not edit"]
    a9a(rng, lines)
    california(rng, lines)
    abalone(lines)
    (OUT / "reference.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
