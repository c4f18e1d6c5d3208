#!/usr/bin/python3
"""Writes the XGBoost reference results the gradient-boosted trees tests compare against.

Run with Debian's Python, which has python3-xgboost 1.7.4 and numpy:

    /usr/bin/python3 tests/reference/gen_trees.py

Output in tests/reference/trees/ (the C++ tests read it without Python):

  data.csv      300 rows: labels for each kind of objective, a weight, 5 features (empty = NaN)
  cases.json    XGBoost's training margins (every second row) for one configuration per
                objective and growth option
  metrics.json  XGBoost's evaluation metrics, unweighted and weighted, on its predictions
  imports.json  XGBoost models saved with save_model(".json"), with their margins and
                predictions (every second row)
  sketch.json   a 20,000-row data set defined by integer formulas (rebuilt in C++), the split
                thresholds XGBoost chose on it and its margins for the first 300 rows

XGBoost trains single-threaded here (nthread=1), so its histogram sums run in row order,
as shelf's do for data of this size.
"""
import json
import os

import numpy as np
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "trees")
rng = np.random.default_rng(20240517)


def Float32(v):
    """A float32 as the double nearest its 9-significant-digit text (which JSON then writes with
    at most 9 digits): enough to read back the same float32."""
    return float("%.9g" % v)


def rows_of(values, rows, step=1):
    m = np.asarray(values, dtype=np.float32).reshape(rows, -1)[::step]
    return [[Float32(v) for v in row] for row in m]


def margins(booster, X, step=2):
    return rows_of(booster.predict(xgb.DMatrix(X, missing=np.nan), output_margin=True), len(X), step)


def dump(obj, name):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))


# ---- the shared data set ---------------------------------------------------------
n = 300
X = rng.normal(size=(n, 5)).astype(np.float32)
X[:, 3] = np.round(X[:, 3] * 2).astype(np.float32)       # few distinct values: ties
X[rng.random(size=X.shape) < 0.08] = np.nan              # missing everywhere
X[:, 4][rng.random(n) < 0.4] = np.nan                    # a feature missing often
a, b, c = (np.nan_to_num(X[:, j]) for j in range(3))
labels = {
    "y_reg": (2 * a + b * b - c + 0.3 * rng.normal(size=n)).astype(np.float32),
    "y_bin": ((a + 0.5 * b - 0.25 * c + 0.5 * rng.normal(size=n)) > 0).astype(np.float32),
    "y_class": np.digitize(a + 0.5 * b + 0.3 * rng.normal(size=n), [-0.6, 0.6]).astype(np.float32),
    "y_count": rng.poisson(np.exp(0.5 * a + 0.3 * b)).astype(np.float32),
    "y_pos": np.exp(0.4 * a - 0.2 * b + 0.3 * rng.normal(size=n)).astype(np.float32),
}
weight = rng.uniform(0.25, 2.0, size=n).astype(np.float32)
columns = list(labels) + ["weight"] + [f"x{j}" for j in range(5)]
table = np.column_stack([labels[k] for k in labels] + [weight, X])


def write_data():
    with open(os.path.join(OUT, "data.csv"), "w") as f:
        f.write(",".join(columns) + "\n")
        for row in table:
            f.write(",".join("" if np.isnan(v) else "%.9g" % v for v in row) + "\n")


# ---- training agreement ------------------------------------------------------------
CASES = [
    ("squared error", "y_reg", False, {"objective": "reg:squarederror"}, 10),
    ("squared error, regularised", "y_reg", False,
     {"objective": "reg:squarederror", "max_depth": 4, "lambda": 2.5, "alpha": 0.75, "gamma": 0.5,
      "min_child_weight": 4, "eta": 0.2}, 12),
    ("squared error, max_delta_step", "y_reg", False, {"objective": "reg:squarederror", "max_delta_step": 0.4}, 8),
    ("squared error, lossguide", "y_reg", False,
     {"objective": "reg:squarederror", "grow_policy": "lossguide", "max_leaves": 9, "max_depth": 0}, 10),
    ("squared error, depthwise with max_leaves", "y_reg", False,
     {"objective": "reg:squarederror", "max_leaves": 6, "max_depth": 5}, 6),
    ("squared error, max_bin 16, weights", "y_reg", True, {"objective": "reg:squarederror", "max_bin": 16}, 10),
    ("logistic", "y_bin", False, {"objective": "binary:logistic"}, 10),
    ("logistic, scale_pos_weight, weights", "y_bin", True, {"objective": "binary:logistic", "scale_pos_weight": 3}, 10),
    ("logistic regression", "y_bin", False, {"objective": "reg:logistic", "base_score": 0.3}, 8),
    ("logitraw", "y_bin", False, {"objective": "binary:logitraw"}, 8),
    ("hinge", "y_bin", False, {"objective": "binary:hinge"}, 8),
    ("softprob", "y_class", False, {"objective": "multi:softprob", "num_class": 3, "max_depth": 4}, 6),
    ("softmax, weights", "y_class", True, {"objective": "multi:softmax", "num_class": 3, "max_depth": 3}, 6),
    ("poisson", "y_count", False, {"objective": "count:poisson"}, 10),
    ("gamma", "y_pos", False, {"objective": "reg:gamma"}, 10),
    ("tweedie", "y_count", False, {"objective": "reg:tweedie", "tweedie_variance_power": 1.3}, 10),
    ("absolute error", "y_reg", False, {"objective": "reg:absoluteerror", "eta": 1.0}, 5),
    ("absolute error, weights", "y_reg", True, {"objective": "reg:absoluteerror", "eta": 1.0, "max_depth": 3}, 4),
    ("pseudo-huber", "y_reg", False, {"objective": "reg:pseudohubererror", "huber_slope": 1.5}, 10),
]


def train(params, label, weighted, rounds, data=X):
    d = xgb.DMatrix(data, label=labels[label] if isinstance(label, str) else label,
                    weight=weight if weighted else None, missing=np.nan)
    return xgb.train(dict(params, tree_method="hist", nthread=1), d, rounds)


def write_cases():
    out = []
    for name, label, weighted, params, rounds in CASES:
        booster = train(params, label, weighted, rounds)
        out.append({"name": name, "label": label, "weighted": weighted, "rounds": rounds,
                    "params": {k: str(v) for k, v in params.items()}, "margins": margins(booster, X)})
    dump(out, "cases.json")


# ---- metrics -------------------------------------------------------------------------
METRICS = [
    ("reg:squarederror", "y_reg", ["rmse", "mae", "mphe"]),
    ("binary:logistic", "y_bin", ["logloss", "error", "error@0.7", "auc", "aucpr"]),
    ("multi:softprob", "y_class", ["merror", "mlogloss"]),
    ("count:poisson", "y_count", ["poisson-nloglik"]),
    ("reg:gamma", "y_pos", ["gamma-nloglik"]),
    ("reg:tweedie", "y_count", ["tweedie-nloglik@1.5"]),
]


def write_metrics():
    out = []
    for objective, label, names in METRICS:
        params = {"objective": objective, "max_depth": 3, "eval_metric": names, "tree_method": "hist", "nthread": 1}
        if objective.startswith("multi"):
            params["num_class"] = 3
        plain = xgb.DMatrix(X, label=labels[label], missing=np.nan)
        weighted = xgb.DMatrix(X, label=labels[label], weight=weight, missing=np.nan)
        result = {}
        booster = xgb.train(params, plain, 3, evals=[(plain, "plain"), (weighted, "weighted")], evals_result=result,
                            verbose_eval=False)
        out.append({"objective": objective, "label": label,
                    "values": {k: v[-1] for k, v in result["plain"].items()},
                    "weighted_values": {k: v[-1] for k, v in result["weighted"].items()},
                    "predictions": rows_of(booster.predict(plain), n)})
    dump(out, "metrics.json")


# ---- models to import ------------------------------------------------------------------
IMPORTS = [
    ("binary", "y_bin", {"objective": "binary:logistic", "max_depth": 3}, 6),
    ("multiclass", "y_class", {"objective": "multi:softprob", "num_class": 3, "max_depth": 2}, 3),
    ("lossguide regression", "y_reg", {"objective": "reg:squarederror", "grow_policy": "lossguide", "max_leaves": 5}, 5),
    ("poisson", "y_count", {"objective": "count:poisson", "max_depth": 2}, 4),
]


def write_imports():
    out = []
    for name, label, params, rounds in IMPORTS:
        booster = train(params, label, False, rounds)
        file = "xgb_" + name.replace(" ", "_") + ".json"
        booster.save_model(os.path.join(OUT, file))
        out.append({"name": name, "file": file, "margins": margins(booster, X),
                    "predictions": rows_of(booster.predict(xgb.DMatrix(X, missing=np.nan)), n, 2)})
    dump(out, "imports.json")


# ---- sketch agreement on a larger data set ---------------------------------------------
def formula_data(rows):
    """Integer arithmetic only, so that tests/trees/fixture.hpp rebuilds the same floats."""
    i = np.arange(rows, dtype=np.int64)
    x0 = (((i * 7919) % 10007) / 10007.0 * 4.0 - 2.0).astype(np.float32)
    x1 = (((i * 104729 + 17) % 1009) / 10.0).astype(np.float32)
    x2 = (((i * i) % 9973) / 9973.0).astype(np.float32)
    x2[i % 13 == 0] = np.nan
    y = ((x0.astype(np.float64) + x1.astype(np.float64) / 100.0 > 0.3) != (i % 7 == 0)).astype(np.float32)
    return np.column_stack([x0, x1, x2]), y


def write_sketch():
    rows = 20000
    Xs, ys = formula_data(rows)
    params = {"objective": "binary:logistic", "max_depth": 5}
    booster = train(params, ys, False, 8, data=Xs)
    model = json.loads(booster.save_raw("json"))
    thresholds = [set() for _ in range(3)]
    for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
        for left, feature, value in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"]):
            if left != -1:
                thresholds[feature].add(value)
    out = {"rows": rows, "rounds": 8, "params": {k: str(v) for k, v in params.items()},
           "thresholds": [[Float32(v) for v in sorted(t)] for t in thresholds], "margins": margins(booster, Xs[:300], 1)}
    dump(out, "sketch.json")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    assert xgb.__version__ == "1.7.4", f"the fixtures are XGBoost 1.7.4's, this is {xgb.__version__}"
    write_data()
    write_cases()
    write_metrics()
    write_imports()
    write_sketch()
    print("wrote", ", ".join(sorted(os.listdir(OUT))))
