"""How the linear learner's default sweep varies with its seed: test AUC per seed against one
scikit-learn LogisticRegression (lbfgs, C = 1), which has no seed to vary.

The sweep's learning rates, penalties and row order come from `seed`, and selection keeps one of
32 models, so the kept model's test AUC moves a little from seed to seed; this prints that spread.

  OMP_NUM_THREADS=2 /usr/bin/python3 bench/compare/linear_seeds.py [--build build] [--seeds 6] [--only a9a adult]
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import linear_compare as lc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=str(lc.ROOT / "build"), help="build directory holding bench/linear/")
    parser.add_argument("--data", default=str(lc.ROOT.parent / "shared" / "data"), help="the shared data sets")
    parser.add_argument("--seeds", type=int, default=6, help="seeds 0 .. N-1")
    parser.add_argument("--only", nargs="*", default=["a9a", "adult", "bank_marketing", "synthetic_1m"])
    args = parser.parse_args()
    from sklearn.metrics import roc_auc_score
    from threadpoolctl import threadpool_limits
    driver = pathlib.Path(args.build) / "bench" / "linear" / "linear_compare_driver"
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only:
            kind, (X, y, Xt, yt), paths = lc.prepare(name, pathlib.Path(args.data), tmp)
            if kind != "binary":
                continue
            scores = pathlib.Path(tmp) / "scores.txt"
            aucs = []
            for seed in range(args.seeds):
                subprocess.run([str(driver), "--train", str(paths[0]), "--test", str(paths[1]), "--repeat", "1",
                                "--scores", str(scores), "--hp", "predictor_type=binary_classifier",
                                "--hp", f"num_threads={lc.THREADS}", "--hp", f"seed={seed}"],
                               capture_output=True, check=True)
                aucs.append(roc_auc_score(yt, np.loadtxt(scores, ndmin=2)[:, 0]))
            with threadpool_limits(lc.THREADS):
                peer = lc.peers("binary", hasattr(X, "tocsr"))["LogisticRegression (lbfgs)"]().fit(X, y)
            peer_auc = roc_auc_score(yt, peer.predict_proba(Xt)[:, 1])
            print(json.dumps({"data": name, "shelf_auc_by_seed": [round(a, 6) for a in aucs],
                              "mean": round(float(np.mean(aucs)), 6), "LogisticRegression": round(peer_auc, 6),
                              "seeds_at_or_above": int(sum(a >= peer_auc for a in aucs))}), flush=True)


if __name__ == "__main__":
    main()
