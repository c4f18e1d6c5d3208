"""How fast the command line reads its input: shelf's CSV and libsvm readers against pandas.read_csv,
XGBoost's own text reader and scikit-learn's load_svmlight_file, on the same files, same threads,
same run; MB/s of input.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/read_compare.py \
        --shelf build/ci/tools/shelf [--threads 2] [--repeats 3] [--record]

Files (cli_compare.py writes the CSV ones under build/cli_bench/): binary500k-train.csv (500,000 x 29,
126 MB) and binary200k-train.libsvm (binary200k-train.csv as libsvm, written here once). shelf's
time is the one `shelf train` prints for reading a channel ("read N rows in S s"): the file read
from disk and parsed into the matrix the family trains on, every value checked; the training that
follows is not timed (a one-component randomized PCA, quick). The peers' time is their call
returning the data in memory: pandas.read_csv(header=None) with its C engine (one thread, it has no
other), xgboost.DMatrix("FILE?format=csv&label_column=0") and "?format=libsvm" with nthread, and
load_svmlight_file. Best of --repeats each; the file is in the page cache for all of them.
"""
import argparse
import pathlib
import re
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402
import report  # noqa: E402

DATA = report.ROOT / "build" / "cli_bench"
CSV = DATA / "binary500k-train.csv"
LIBSVM = DATA / "binary200k-train.libsvm"


def best(f, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def shelf_read_seconds(binary, path, content_type, threads, repeats):
    """The reading time `shelf train` reports for its train channel, best of `repeats`."""
    times = []
    for _ in range(repeats):
        run = subprocess.run([binary, "train", "--algorithm", "pca", "--train", str(path), "--content-type", content_type,
                              "--model-dir", str(DATA / "read_model"), "--hp", "num_components=1",
                              "--hp", "algorithm_mode=randomized", "--hp", f"num_threads={threads}"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(run.stderr[-2000:])
        found = re.search(r"read \d+ rows in ([0-9.]+) s", run.stderr)
        if not found:
            raise RuntimeError("shelf train printed no reading time:\n" + run.stderr[-2000:])
        times.append(float(found.group(1)))
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shelf", required=True, help="the shelf binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--record", action="store_true", help="record into docs/benchmarks")
    args = ap.parse_args()
    peers.set_threads(args.threads)
    import pandas as pd
    import xgboost as xgb
    from sklearn.datasets import dump_svmlight_file, load_svmlight_file

    if not CSV.exists():
        sys.exit(f"{CSV} is missing: bench/compare/cli_compare.py writes it")
    if not LIBSVM.exists():
        source = pd.read_csv(DATA / "binary200k-train.csv", header=None).to_numpy()
        dump_svmlight_file(source[:, 1:], source[:, 0], str(LIBSVM), zero_based=False)
    env = peers.info(("pandas", "xgboost", "sklearn"))
    rows = []
    megabytes = CSV.stat().st_size / 1e6
    shelf_s = shelf_read_seconds(args.shelf, CSV, "text/csv", args.threads, args.repeats)
    rows.append(("csv", megabytes, shelf_s, peers.peer("pandas", "read_csv"),
                 best(lambda: pd.read_csv(CSV, header=None), args.repeats)))
    rows.append(("csv", megabytes, shelf_s, peers.peer("xgboost", "DMatrix csv"),
                 best(lambda: xgb.DMatrix(f"{CSV}?format=csv&label_column=0", nthread=args.threads), args.repeats)))
    megabytes = LIBSVM.stat().st_size / 1e6
    shelf_s = shelf_read_seconds(args.shelf, LIBSVM, "text/libsvm", args.threads, args.repeats)
    rows.append(("libsvm", megabytes, shelf_s, peers.peer("sklearn", "load_svmlight_file"),
                 best(lambda: load_svmlight_file(str(LIBSVM)), args.repeats)))
    rows.append(("libsvm", megabytes, shelf_s, peers.peer("xgboost", "DMatrix libsvm"),
                 best(lambda: xgb.DMatrix(f"{LIBSVM}?format=libsvm", nthread=args.threads), args.repeats)))
    for kind, mb, shelf_s, peer, peer_s in rows:
        print(f"{kind:7s} {mb:6.1f} MB  shelf {mb / shelf_s:7.0f} MB/s  {peer:32s} {mb / peer_s:7.0f} MB/s  "
              f"ratio {shelf_s / peer_s:.3f}", flush=True)
        if args.record:
            name = CSV.name if kind == "csv" else LIBSVM.name
            report.record("read", name, f"read {mb:.0f} MB", args.threads, shelf_s, peer, peer_s,
                          quality={"MB/s": (mb / shelf_s, mb / peer_s)},
                          note="shelf: the reading time shelf train reports", peers_env=env)
    if args.record:
        report.render()


if __name__ == "__main__":
    main()
