#!/usr/bin/python3
"""Loads the models tests/trees/export_for_xgboost wrote into XGBoost and checks that XGBoost
predicts the margins shelf predicted, to 1e-5.

Usage: check_export.py EXPORTER DIR DATA_CSV. Exits 77 (CTest: skipped) when this Python has no
xgboost module.
"""
import os
import subprocess
import sys

try:
    import numpy as np
    import xgboost as xgb
except ImportError:
    print("xgboost is not installed for", sys.executable, "- skipped")
    sys.exit(77)

exporter, work, data_csv = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
subprocess.run([exporter, work], check=True)
rows = [line.split(",") for line in open(data_csv).read().splitlines()]
header, rows = rows[0], rows[1:]
features = [i for i, name in enumerate(header) if name.startswith("x")]
X = np.array([[float(r[i]) if r[i] else np.nan for i in features] for r in rows], dtype=np.float32)
failures = 0
for case in open(os.path.join(work, "cases.txt")).read().split():
    booster = xgb.Booster(model_file=os.path.join(work, case + ".json"))
    theirs = np.asarray(booster.predict(xgb.DMatrix(X, missing=np.nan), output_margin=True), dtype=np.float64)
    ours = np.loadtxt(os.path.join(work, case + ".margins"), ndmin=2)
    difference = np.abs(theirs.reshape(ours.shape) - ours).max()
    ok = difference <= 1e-5
    failures += not ok
    print(f"{'ok' if ok else 'FAIL'}: {case}: largest margin difference {difference:.3g} (xgboost {xgb.__version__})")
sys.exit(1 if failures else 0)
