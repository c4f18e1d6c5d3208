"""Builds data/abalone/ from the UCI Abalone file in ../shared/data/abalone/.

Platform CSV convention: no header; supervised files carry the label (rings) in
column 0. Sex is one-hot encoded (M, F, I), the seven measurements follow.
The last 1,000 rows are the test split. Run: /usr/bin/python3 data/prepare_abalone.py
"""
import csv
import pathlib
import sys

source = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/abalone/abalone.csv")
out = pathlib.Path(__file__).resolve().parent / "abalone"
rows = []
with open(source) as f:
    for r in csv.reader(f):
        sex = [1 if r[0] == s else 0 for s in "MFI"]
        rows.append((r[8], sex + r[1:8]))
splits = {"train": rows[:-1000], "test": rows[-1000:]}
for name, part in splits.items():
    with open(out / f"{name}.csv", "w") as f:
        for label, feats in part:
            f.write(",".join([label] + [str(x) for x in feats]) + "\n")
    with open(out / f"{name}-features.csv", "w") as f:
        for _, feats in part:
            f.write(",".join(str(x) for x in feats) + "\n")
