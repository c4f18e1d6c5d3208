"""Factorization machines (`shelf train --algorithm factorization-machines`) on MovieLens 100K
against myFM (Bayesian FM, Gibbs sampling: libFM's MCMC) and scikit-surprise (SVD, SVD++), and on
a9a against shelf's own linear learner; same machine, same run, --threads threads.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/fm_compare.py \
        --shelf build/ci/tools/shelf [--repeats 5] [--record] [--grid [sgd adagrad als]]
        [--only movielens movielens-side movielens-seeds a9a] [--seeds 3]

MovieLens 100K (shared/data/movielens_100k): the canonical folds u1..u5 (.base 80,000 ratings,
.test 20,000, disjoint tests). Each is written as libsvm under build/fm_bench/: label = rating,
features one-hot, 0-based: user u at u - 1, item i at 943 + i - 1 (2,625 features). The CLI
takes the index base from the training file (0-based as soon as any index is 0; user 1 is in
every .base) and its feature count from the training file's largest index or feature_dim, if
larger, which predict then holds every file to: u5.base has no rating of items 1680-1682 but
u5.test has, so training passes feature_dim=2625. The peers read the same ratings: myFM
builds its CSR matrices from the same libsvm files (inside its timing), surprise loads the
u*.base / u*.test files with its own ml-100k reader (inside its timing).

shelf's time is the whole `shelf train` process (start, read, fit, the train channel's rmse,
writing the model), best of --repeats; test RMSE is computed here from `shelf predict` on the
.test file. Settings: the platform's defaults (SGD, 1 epoch, factors_lr 1e-4) and the tuned SGD,
AdaGrad and ALS of TUNED, each with num_factors 10 and 64, and MCMC (MCMC: myFM's setup, not
tuned) with num_factors 10 and 32. TUNED is what `--grid` found: it holds
10 % of u1.base out (seed 0), trains every setting of GRID on the rest for 50 epochs with the
held-out rows as the validation channel (early stopping off) and keeps the setting and epoch
count (10, 20, 30, 40 or 50) of least validation RMSE; the test files are not used to choose.
The epoch curve (test RMSE after 10 ... 50 epochs, mean of the folds; MCMC after every 20th
iteration) answers how many epochs and which rates reach 0.92; it is drawn into --plot.

myFM: MyFMRegressor(rank=10 and 32), n_iter=200 (n_kept_samples its default 195), the users and
the items as two groups (its README's MovieLens 100K setup, with 200 iterations); its Gibbs
sampler runs on one thread (prediction on --threads), as shelf's does. surprise: SVD() and
SVDpp() with their defaults, random_state=0, single-threaded.

a9a (shared/data/a9a, labels -1/+1 written as 0/1): FM binary_classifier (AdaGrad, A9A_FM)
against `--algorithm linear-learner --hp predictor_type=binary_classifier` (its defaults), both
through the CLI on a9a -> a9a.t: test ROC AUC of each and the train processes' times.

--only movielens-side: MCMC k = 10 on write_movielens_side's files (users, items, side fields and
the user's rated items as features, seven groups), all folds, and myFM on the same files and
groups on --myfm-side-folds. --only movielens-seeds --seeds N: MCMC at k = 32 on both sides with N
seeds each (shelf 0.., myFM 42..), the mean over seeds and folds, since a seed moves a fold's RMSE
by about 0.0005.

Throughput: training rows processed (epochs x rows, MCMC: iterations x rows) per second of the
fit's CPU time (all threads), from the MovieLens runs.
"""
import argparse
import itertools
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
import report  # noqa: E402

DATA = report.ROOT.parent / "shared" / "data"
WORK = report.ROOT / "build" / "fm_bench"
USERS, ITEMS = 943, 1682
DIM = USERS + ITEMS
FOLDS = (1, 2, 3, 4, 5)

BASE = {"predictor_type": "regressor", "feature_dim": DIM}
# What --grid found (see the docstring); docs/fm.md prints the grid's table.
TUNED = {
    "sgd": {"epochs": 50, "mini_batch_size": 10, "bias_lr": 0.01, "linear_lr": 0.2, "factors_lr": 0.2,
            "linear_wd": 0.01, "factors_wd": 0.01},
    "adagrad": {"solver": "adagrad", "epochs": 50, "bias_lr": 0.1, "linear_lr": 0.1, "factors_lr": 0.1,
                "linear_wd": 0.0003, "factors_wd": 0.0003, "factors_init_sigma": 0.1},
    "als": {"solver": "als", "epochs": 20, "bias_wd": 0, "linear_wd": 3, "factors_wd": 15, "factors_init_sigma": 0.1},
}
# MCMC is not tuned: myFM's setup (users and items as two groups, 200 iterations of which the
# first 5 are dropped, initial factors normal(0, 0.1)), as its comparison needs.
MCMC = {"solver": "mcmc", "epochs": 200, "burn_in": 5, "group_sizes": "943,1682", "factors_init_sigma": 0.1}
MCMC_RANKS = (10, 32)
# The grids --grid searches (each with epochs 50, read off at 10 ... 50). SGD's rates are per
# mini-batch of mean losses, so they scale with mini_batch_size: the default batch (1000) and 10;
# at 10 rows the bias's default rate (0.1) makes it jump with the last batches of an epoch, so
# there it is 0.01.
GRID = {
    "sgd": [dict(mini_batch_size=b, bias_lr=bias, linear_lr=lr, factors_lr=lr, linear_wd=wd, factors_wd=wd,
                 factors_init_sigma=s)
            for b, bias, lrs, wds in ((1000, 0.1, (3, 10, 30), (1e-4, 3e-4, 1e-3)),
                                      (10, 0.01, (0.05, 0.1, 0.2), (0.003, 0.01, 0.03)))
            for lr, wd, s in itertools.product(lrs, wds, (0.001, 0.1))],
    "adagrad": [dict(solver="adagrad", bias_lr=lr, linear_lr=lr, factors_lr=lr, linear_wd=wd, factors_wd=wd,
                     factors_init_sigma=s)
                for lr, wd, s in itertools.product((0.05, 0.1, 0.2), (3e-5, 1e-4, 3e-4, 1e-3), (0.001, 0.1))],
    # ALS's decays weigh against the summed loss (80,000 rows), not a batch's mean.
    "als": [dict(solver="als", bias_wd=0, linear_wd=lw, factors_wd=fw, factors_init_sigma=0.1)
            for lw, fw in [(wd, wd) for wd in (1, 3, 10, 30, 100)] + list(itertools.product((3, 10, 30), (5, 15, 20)))],
}
CURVE_EPOCHS = (10, 20, 30, 40, 50)
A9A_FM = {"predictor_type": "binary_classifier", "num_factors": 10, "solver": "adagrad", "epochs": 5,
          "bias_lr": 0.1, "linear_lr": 0.1, "factors_lr": 0.1, "feature_dim": 123}
A9A_LINEAR = {"predictor_type": "binary_classifier", "feature_dim": 123}


# ---------------------------------------------------------------------------------------------
# data

def write_movielens():
    """build/fm_bench/u{f}.base.libsvm and u{f}.test.libsvm, and the tuning split of u1.base."""
    import numpy as np
    WORK.mkdir(parents=True, exist_ok=True)

    def write(path, triples):
        lines = [f"{r} {u - 1}:1 {USERS + i - 1}:1" for u, i, r in triples]
        path.write_text("\n".join(lines) + "\n")

    def triples(name):
        return [tuple(int(x) for x in line.split()[:3])
                for line in (DATA / "movielens_100k" / name).read_text().splitlines() if line.strip()]

    for fold in FOLDS:
        for part in ("base", "test"):
            path = WORK / f"u{fold}.{part}.libsvm"
            if not path.exists():
                write(path, triples(f"u{fold}.{part}"))
    if not (WORK / "tune.fit.libsvm").exists():
        rows = triples("u1.base")
        held = np.random.default_rng(0).random(len(rows)) < 0.1
        write(WORK / "tune.fit.libsvm", [t for t, h in zip(rows, held) if not h])
        write(WORK / "tune.holdout.libsvm", [t for t, h in zip(rows, held) if h])


AGE_BANDS = (18, 25, 35, 45, 50, 56)  # MovieLens 1M's bands: under 18, 18-24, ..., 56 and over
GENRES = 19
# The side-feature layout's groups: user, item, age band, gender, occupation, genres, rated items.
SIDE_GROUPS = (USERS, ITEMS, len(AGE_BANDS) + 1, 2, 21, GENRES, ITEMS)
SIDE_DIM = sum(SIDE_GROUPS)


def write_movielens_side():
    """build/fm_bench/u{f}.{base,test}.side.libsvm: the one-hot user and item of write_movielens,
    then the user's age band, gender and occupation (u.user), the item's genres (u.item, each
    1/sqrt(their count)) and the user's rated items in u{f}.base (each 1/sqrt(their count), test rows
    too: SVD++'s implicit term written as FM features, what shelf's one_hot(implicit_feedback) builds)."""
    import bisect
    offsets = [sum(SIDE_GROUPS[:g]) for g in range(len(SIDE_GROUPS))]
    occupations = (DATA / "movielens_100k" / "u.occupation").read_text().split()
    user_side = {}
    for line in (DATA / "movielens_100k" / "u.user").read_text().splitlines():
        u, age, gender, occupation, _ = line.split("|")
        user_side[int(u)] = (f" {offsets[2] + bisect.bisect_right(AGE_BANDS, int(age))}:1"
                             f" {offsets[3] + (gender == 'F')}:1 {offsets[4] + occupations.index(occupation)}:1")
    item_side = {}
    for line in (DATA / "movielens_100k" / "u.item").read_text(encoding="latin-1").splitlines():
        fields = line.split("|")
        genres = [g for g in range(GENRES) if fields[5 + g] == "1"]
        item_side[int(fields[0])] = "".join(f" {offsets[5] + g}:{1 / len(genres) ** 0.5:.6g}" for g in genres)

    def triples(name):
        return [tuple(int(x) for x in line.split()[:3])
                for line in (DATA / "movielens_100k" / name).read_text().splitlines() if line.strip()]

    for fold in FOLDS:
        base = triples(f"u{fold}.base")
        rated = {}
        for u, i, _ in base:
            rated.setdefault(u, []).append(i)
        implicit = {u: "".join(f" {offsets[6] + i - 1}:{1 / len(items) ** 0.5:.6g}" for i in sorted(items))
                    for u, items in rated.items()}
        for part, rows in (("base", base), ("test", triples(f"u{fold}.test"))):
            path = WORK / f"u{fold}.{part}.side.libsvm"
            if not path.exists():
                path.write_text("".join(f"{r} {u - 1}:1 {USERS + i - 1}:1{user_side[u]}{item_side[i]}{implicit.get(u, '')}\n"
                                        for u, i, r in rows))


def write_a9a():
    """a9a with labels 0/1 (the FM classifier refuses -1)."""
    for name in ("a9a", "a9a.t"):
        path = WORK / f"{name}.libsvm"
        if not path.exists():
            text = (DATA / "a9a" / name).read_text()
            path.write_text("\n".join(("1" if line.split()[0] in ("+1", "1") else "0") + line[line.index(" "):]
                                      for line in text.splitlines() if line.strip()) + "\n")


def read_libsvm(path, dim):
    """(CSR float64, labels): what myFM is given, built inside its timing."""
    import numpy as np
    import scipy.sparse as sps
    labels, indptr, indices, values = [], [0], [], []
    for line in open(path):
        parts = line.split()
        labels.append(float(parts[0]))
        for token in parts[1:]:
            i, v = token.split(":")
            if float(v) != 0.0:
                indices.append(int(i))
                values.append(float(v))
        indptr.append(len(indices))
    X = sps.csr_matrix((np.array(values), np.array(indices), np.array(indptr)), shape=(len(labels), dim))
    return X, np.array(labels)


def labels_of(path):
    import numpy as np
    return np.array([float(line.split(None, 1)[0]) for line in open(path) if line.strip()])


# ---------------------------------------------------------------------------------------------
# shelf

def shelf_train(binary, algorithm, train, hp, threads, model_dir, validation=None):
    """Runs `shelf train`; returns (wall seconds, CPU seconds of the process, stderr)."""
    args = [binary, "train", "--algorithm", algorithm, "--content-type", "text/libsvm", "--train", str(train),
            "--model-dir", model_dir]
    if validation:
        args += ["--validation", str(validation)]
    for k, v in dict(hp, num_threads=threads).items():
        args += ["--hp", f"{k}={v}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(" ".join(args) + "\n" + result.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, result.stderr


def shelf_scores(binary, model_dir, test):
    import numpy as np
    out = subprocess.run([binary, "predict", "--model-dir", model_dir, "--input", str(test), "--content-type",
                          "text/libsvm"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return np.array([json.loads(line)["score"] for line in out.stdout.splitlines() if line.strip()])


def rmse(a, b):
    import numpy as np
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def validation_curve(stderr):
    """{epoch: validation rmse} from the plain progress log (a line per 10 % of the epochs)."""
    return {int(m.group(1)): float(m.group(2))
            for m in re.finditer(r"^epoch (\d+)/\d+ .*validation:rmse ([0-9.eE+-]+)", stderr, re.M)}


def run_shelf_movielens(binary, hp, threads, repeats, layout=""):
    """Per fold: (best train seconds, its CPU seconds, test RMSE); layout "side" reads the
    files of write_movielens_side."""
    out = []
    suffix = f".{layout}.libsvm" if layout else ".libsvm"
    for fold in FOLDS:
        best = (float("inf"), 0.0)
        with tempfile.TemporaryDirectory() as d:
            for _ in range(repeats):
                s, cpu, _ = shelf_train(binary, "factorization-machines", WORK / f"u{fold}.base{suffix}", hp, threads, d)
                best = min(best, (s, cpu))
            test = WORK / f"u{fold}.test{suffix}"
            out.append((best[0], best[1], rmse(shelf_scores(binary, d, test), labels_of(test))))
    return out


def grid_search(binary, threads, solvers):
    """Every GRID setting of `solvers` on tune.fit / tune.holdout: returns {solver: (best hp, its
    epochs, its rmse, all results)}."""
    found = {}
    for solver, settings in GRID.items():
        if solver not in solvers:
            continue
        results = []
        for setting in settings:
            hp = dict(BASE, num_factors=10, epochs=50, early_stopping_patience=100, **setting)
            with tempfile.TemporaryDirectory() as d:
                _, _, log = shelf_train(binary, "factorization-machines", WORK / "tune.fit.libsvm", hp, threads, d,
                                        validation=WORK / "tune.holdout.libsvm")
            curve = validation_curve(log)
            results.append((setting, {e: curve[e] for e in CURVE_EPOCHS}))
            print(f"  grid {solver} {setting}: " + " ".join(f"{e}:{curve[e]:.4f}" for e in CURVE_EPOCHS), flush=True)
        setting, curve = min(results, key=lambda r: min(r[1].values()))
        epochs = min(curve, key=curve.get)
        found[solver] = (setting, epochs, curve[epochs], results)
        print(f"grid {solver}: best {setting} at {epochs} epochs, holdout RMSE {curve[epochs]:.4f}", flush=True)
    (WORK / f"grid_{'_'.join(sorted(found))}.json").write_text(
        json.dumps({s: {"best": f[0], "epochs": f[1], "rmse": f[2], "all": [[r[0], r[1]] for r in f[3]]}
                    for s, f in found.items()}, indent=1))
    return found


def epoch_curves(binary, threads):
    """Mean test RMSE over the folds along training (the test file as a validation channel only to
    log it; nothing is chosen on it): after 10 ... 50 epochs for the platform's rates, tuned SGD,
    AdaGrad and ALS, and after every 20th of MCMC's 200 iterations (the average of the samples
    kept so far), k = 10."""
    import numpy as np
    curves = {}
    runs = (("platform defaults", {}), ("tuned sgd", TUNED["sgd"]), ("tuned adagrad", TUNED["adagrad"]),
            ("tuned als", TUNED["als"]), ("mcmc", MCMC))
    for name, rates in runs:
        per_fold = []
        for fold in FOLDS:
            epochs = rates.get("epochs", 50) if name == "mcmc" else 50
            hp = dict(BASE, num_factors=10, **dict(rates, epochs=epochs), early_stopping_patience=100)
            with tempfile.TemporaryDirectory() as d:
                _, _, log = shelf_train(binary, "factorization-machines", WORK / f"u{fold}.base.libsvm", hp, threads,
                                        d, validation=WORK / f"u{fold}.test.libsvm")
            per_fold.append(validation_curve(log))
        marks = sorted(set.intersection(*(set(c) for c in per_fold)))
        curves[name] = {e: float(np.mean([c[e] for c in per_fold])) for e in marks}
        print(f"curve {name:18s} " + "  ".join(f"{e}: {v:.4f}" for e, v in curves[name].items()), flush=True)
    return curves


def plot_curves(curves, path):
    """Test RMSE (mean of the folds) against epochs / iterations, a line per solver."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, curve in curves.items():  # the platform's defaults stay near 1.12, above the frame
        last = max(curve)
        ax.plot(list(curve), list(curve.values()), marker="o", ms=3, label=f"{name}: {curve[last]:.4f} at {last}")
    ax.set_xscale("log")
    ax.set_ylim(0.88, 0.97)
    ax.axhline(0.90, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("epochs (MCMC: sampling iterations)")
    ax.set_ylabel("test RMSE, mean of u1-u5")
    ax.set_title("shelf factorization machines on MovieLens 100K, k = 10")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ---------------------------------------------------------------------------------------------
# peers (in this process, after their imports; --threads set before numpy loads)

def run_myfm(threads, n_iter, rank, seed=42):
    import myfm
    out = []
    for fold in FOLDS:
        t0, c0 = time.perf_counter(), time.process_time()
        X, y = read_libsvm(WORK / f"u{fold}.base.libsvm", DIM)
        fm = myfm.MyFMRegressor(rank=rank, random_seed=seed)
        f0 = time.process_time()
        fm.fit(X, y, n_iter=n_iter, group_shapes=[USERS, ITEMS])
        fit_cpu = time.process_time() - f0
        seconds = time.perf_counter() - t0
        T, truth = read_libsvm(WORK / f"u{fold}.test.libsvm", DIM)
        out.append((seconds, fit_cpu, rmse(fm.predict(T, n_workers=threads), truth)))
        print(f"  myFM rank {rank} fold {fold}: {seconds:.2f} s, RMSE {out[-1][2]:.4f}", flush=True)
    return out


def run_myfm_side(threads, n_iter, rank, folds):
    """myFM on write_movielens_side's files with the same groups. The files (13.6 million
    nonzeros a fold) are read by scikit-learn's libsvm reader outside the timing: read_libsvm's
    Python loop would take longer than the fit. Per fold: (fit seconds, fit CPU, test RMSE)."""
    import myfm
    from sklearn.datasets import load_svmlight_file
    out = []
    for fold in folds:
        X, y = load_svmlight_file(str(WORK / f"u{fold}.base.side.libsvm"), n_features=SIDE_DIM, zero_based=True)
        T, truth = load_svmlight_file(str(WORK / f"u{fold}.test.side.libsvm"), n_features=SIDE_DIM, zero_based=True)
        fm = myfm.MyFMRegressor(rank=rank, random_seed=42)
        t0, c0 = time.perf_counter(), time.process_time()
        fm.fit(X, y, n_iter=n_iter, group_shapes=list(SIDE_GROUPS))
        out.append((time.perf_counter() - t0, time.process_time() - c0, rmse(fm.predict(T, n_workers=threads), truth)))
        print(f"  myFM side features rank {rank} fold {fold}: {out[-1][0]:.2f} s, RMSE {out[-1][2]:.4f}", flush=True)
    return out


def run_surprise(kind):
    from surprise import SVD, Dataset, Reader, SVDpp, accuracy
    from surprise.model_selection import PredefinedKFold
    out = []
    for fold in FOLDS:
        folder = DATA / "movielens_100k"
        t0 = time.perf_counter()
        data = Dataset.load_from_folds([(str(folder / f"u{fold}.base"), str(folder / f"u{fold}.test"))],
                                       reader=Reader("ml-100k"))
        trainset, testset = next(PredefinedKFold().split(data))
        algo = (SVD if kind == "SVD" else SVDpp)(random_state=0)
        f0 = time.process_time()
        algo.fit(trainset)
        fit_cpu = time.process_time() - f0
        seconds = time.perf_counter() - t0
        out.append((seconds, fit_cpu, float(accuracy.rmse(algo.test(testset), verbose=False))))
        print(f"  surprise {kind} fold {fold}: {seconds:.2f} s, RMSE {out[-1][2]:.4f}", flush=True)
    return out


# ---------------------------------------------------------------------------------------------

def a9a(binary, threads, repeats):
    """(FM seconds, FM AUC, linear seconds, linear AUC)."""
    from sklearn.metrics import roc_auc_score
    train, test = WORK / "a9a.libsvm", WORK / "a9a.t.libsvm"
    truth = labels_of(test)
    out = []
    for algorithm, hp in (("factorization-machines", A9A_FM), ("linear-learner", A9A_LINEAR)):
        best = float("inf")
        with tempfile.TemporaryDirectory() as d:
            for _ in range(repeats):
                best = min(best, shelf_train(binary, algorithm, train, hp, threads, d)[0])
            out += [best, float(roc_auc_score(truth, shelf_scores(binary, d, test)))]
    return tuple(out)


def table(name, rows):
    import numpy as np
    t = [r[0] for r in rows]
    e = [r[2] for r in rows]
    print(f"{name:34s} RMSE " + " ".join(f"{x:.4f}" for x in e) + f"  mean {np.mean(e):.4f} | train s "
          + " ".join(f"{x:.3f}" for x in t) + f"  mean {np.mean(t):.3f}", flush=True)
    return float(np.mean(t)), float(np.mean(e))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shelf", required=True, help="the shelf binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5, help="shelf's runs per fold (and a9a's), best kept")
    ap.add_argument("--myfm-iter", type=int, default=200)
    ap.add_argument("--only", nargs="*", choices=("movielens", "movielens-side", "movielens-seeds", "a9a"), default=("movielens", "a9a"))
    ap.add_argument("--seeds", type=int, default=0,
                    help="also run MCMC at k = 32 with this many seeds on both sides (movielens-seeds)")
    ap.add_argument("--myfm-side-folds", nargs="*", type=int, default=[1],
                    help="folds on which myFM runs the side-feature layout (each takes minutes)")
    ap.add_argument("--grid", nargs="*", choices=tuple(GRID), default=None,
                    help="run the tuning grid of these solvers (all without names) first and print it")
    ap.add_argument("--plot", default=str(report.ROOT / "docs" / "img" / "fm_movielens_curves.png"),
                    help="where the RMSE-against-epochs plot goes")
    ap.add_argument("--no-svdpp", action="store_true", help="skip SVD++ (the slowest peer)")
    ap.add_argument("--record", action="store_true", help="record into docs/benchmarks/results.json")
    args = ap.parse_args()
    peers.set_threads(args.threads)
    os.environ.setdefault("TQDM_DISABLE", "1")  # myFM's per-iteration progress bar
    import numpy as np
    WORK.mkdir(parents=True, exist_ok=True)
    env = peers.info(("myfm", "surprise", "numpy", "scipy"))
    print(env["summary"], flush=True)
    results = {}

    if "movielens" in args.only:
        write_movielens()
        if args.grid is not None:
            grid_search(args.shelf, args.threads, args.grid or tuple(GRID))
        curves = epoch_curves(args.shelf, args.threads)
        plot_curves(curves, args.plot)
        shelf_runs = {}
        for k in (10, 64):
            for name, hp in (("defaults", {}), ("sgd", TUNED["sgd"]), ("adagrad", TUNED["adagrad"]), ("als", TUNED["als"])):
                shelf_runs[name, k] = run_shelf_movielens(args.shelf, dict(BASE, num_factors=k, **hp), args.threads,
                                                          args.repeats)
                table(f"shelf {name} k={k}", shelf_runs[name, k])
        for k in MCMC_RANKS:
            shelf_runs["mcmc", k] = run_shelf_movielens(args.shelf, dict(BASE, num_factors=k, **MCMC), args.threads,
                                                        args.repeats)
            table(f"shelf mcmc k={k}", shelf_runs["mcmc", k])
        peer_runs = {f"myfm k={k}": run_myfm(args.threads, args.myfm_iter, k) for k in MCMC_RANKS}
        peer_runs["svd"] = run_surprise("SVD")
        if not args.no_svdpp:
            peer_runs["svdpp"] = run_surprise("SVD++")
        summary = {f"shelf {n} k={k}": table(f"shelf {n} k={k}", r) for (n, k), r in shelf_runs.items()}
        summary.update({p: table(p, r) for p, r in peer_runs.items()})
        # Throughput: rows processed per CPU-second of the fit (shelf: the train process).
        rows = 80_000
        throughput = {}
        for (n, k), runs in shelf_runs.items():
            epochs = dict(BASE, **TUNED.get(n, {}), **(MCMC if n == "mcmc" else {})).get("epochs", 1)
            throughput[f"shelf {n} k={k}"] = (epochs * rows / np.mean([r[1] for r in runs]),
                                              epochs * rows / np.mean([r[0] for r in runs]))
        for k in MCMC_RANKS:
            runs = peer_runs[f"myfm k={k}"]
            throughput[f"myfm k={k}"] = (args.myfm_iter * rows / np.mean([r[1] for r in runs]),
                                         args.myfm_iter * rows / np.mean([r[0] for r in runs]))
        for name, (per_cpu, per_wall) in throughput.items():
            print(f"throughput {name:24s} {per_cpu / 1e6:7.3f} M rows per CPU-second   {per_wall / 1e6:7.3f} M rows/s wall",
                  flush=True)
        results["movielens"] = {"per_fold": {f"{n} k={k}": r for (n, k), r in shelf_runs.items()} | peer_runs,
                                "curves": curves, "throughput": throughput}
        if args.record:
            peer_names = {"myfm k=10": peers.peer("myfm", f"MCMC rank 10, {args.myfm_iter} iterations + reading"),
                          "svd": peers.peer("surprise", "SVD + loading"),
                          "svdpp": peers.peer("surprise", "SVD++ + loading")}
            settings = {"defaults": "platform defaults (SGD, 1 epoch)",
                        "sgd": f"SGD tuned ({TUNED['sgd']['epochs']} epochs)",
                        "adagrad": f"AdaGrad tuned ({TUNED['adagrad']['epochs']} epochs)",
                        "als": f"ALS tuned ({TUNED['als']['epochs']} sweeps)",
                        "mcmc": f"MCMC ({MCMC['epochs']} iterations)"}
            for n, label in settings.items():
                s_time, s_rmse = summary[f"shelf {n} k=10"]
                for p, peer in peer_names.items():
                    if p not in peer_runs:
                        continue
                    p_time, p_rmse = summary[p]
                    report.record("fm", "MovieLens 100K u1-u5", f"train k=10, {label}", args.threads, s_time, peer,
                                  p_time, quality={"test RMSE (mean of 5 folds)": (s_rmse, p_rmse)},
                                  note="shelf: the whole `shelf train` process on libsvm, mean of the folds' best of "
                                       f"{args.repeats}; peers single-threaded in training; settings and per-fold "
                                       "numbers in docs/fm.md",
                                  peers_env=env)
            s_time, s_rmse = summary["shelf mcmc k=32"]
            p_time, p_rmse = summary["myfm k=32"]
            report.record("fm", "MovieLens 100K u1-u5", "train k=32, MCMC (200 iterations)", args.threads, s_time,
                          peers.peer("myfm", f"MCMC rank 32, {args.myfm_iter} iterations + reading"), p_time,
                          quality={"test RMSE (mean of 5 folds)": (s_rmse, p_rmse)},
                          note="both Gibbs samplers single-threaded, users and items as two groups, 195 samples "
                               "kept; shelf: the whole `shelf train` process", peers_env=env, target=0.5)

    if "movielens-seeds" in args.only:
        # The samplers' seeds move a fold's RMSE by about 0.0005: compare means over seeds.
        write_movielens()
        k, seeds = MCMC_RANKS[-1], range(max(args.seeds, 1))
        shelf_seeded = [run_shelf_movielens(args.shelf, dict(BASE, num_factors=k, seed=seed, **MCMC), args.threads, 1)
                        for seed in seeds]
        myfm_seeded = [run_myfm(args.threads, args.myfm_iter, k, seed=42 + seed) for seed in seeds]
        for name, runs in (("shelf", shelf_seeded), ("myFM", myfm_seeded)):
            for seed, r in zip(seeds, runs):
                table(f"{name} mcmc k={k} seed {seed}", r)
        s_rmse = float(np.mean([r[2] for runs in shelf_seeded for r in runs]))
        p_rmse = float(np.mean([r[2] for runs in myfm_seeded for r in runs]))
        s_time = float(np.mean([r[0] for runs in shelf_seeded for r in runs]))
        p_time = float(np.mean([r[0] for runs in myfm_seeded for r in runs]))
        print(f"k={k}, {len(seeds)} seeds x 5 folds: shelf RMSE {s_rmse:.5f} in {s_time:.2f} s, "
              f"myFM {p_rmse:.5f} in {p_time:.2f} s", flush=True)
        results["movielens-seeds"] = {"shelf": shelf_seeded, "myfm": myfm_seeded}
        if args.record:
            report.record("fm", f"MovieLens 100K u1-u5, {len(seeds)} seeds", f"train k={k}, MCMC (200 iterations)",
                          args.threads, s_time, peers.peer("myfm", f"MCMC rank {k}, {args.myfm_iter} iterations + reading"),
                          p_time, quality={f"test RMSE (mean of 5 folds x {len(seeds)} seeds)": (s_rmse, p_rmse)},
                          note="seeds 0.. (shelf) and 42.. (myFM); otherwise the k = 32 MCMC row's setup",
                          peers_env=env, target=0.5)

    if "movielens-side" in args.only:
        write_movielens_side()
        hp = dict(BASE, feature_dim=SIDE_DIM, num_factors=10, **dict(MCMC, group_sizes=",".join(map(str, SIDE_GROUPS))))
        side = run_shelf_movielens(args.shelf, hp, args.threads, 1, layout="side")
        s_time, s_rmse = table("shelf mcmc k=10, side + implicit", side)
        myfm_side = run_myfm_side(args.threads, args.myfm_iter, 10, args.myfm_side_folds)
        results["movielens-side"] = {"shelf": side, "myfm": myfm_side, "myfm_folds": args.myfm_side_folds}
        for fold, (_, _, e) in zip(args.myfm_side_folds, myfm_side):
            print(f"fold {fold}: shelf {side[fold - 1][2]:.4f} ({side[fold - 1][0]:.1f} s) myFM {e:.4f}", flush=True)
        if args.record and myfm_side:
            fold = args.myfm_side_folds[0]
            s_time, _, s_rmse = side[fold - 1]
            p_time, _, p_rmse = myfm_side[0]
            report.record("fm", f"MovieLens 100K u{fold}, side + implicit features", "train k=10, MCMC (200 iterations)",
                          args.threads, s_time, peers.peer("myfm", "MCMC rank 10, 200 iterations, fit only"), p_time,
                          quality={"test RMSE": (s_rmse, p_rmse)},
                          note="users, items, age band, gender, occupation, genres and the user's rated items (SVD++'s "
                               "implicit term) as plain features, the same groups on both sides; shelf: the whole "
                               "`shelf train` process; the 5-fold table in docs/fm.md", peers_env=env)

    if "a9a" in args.only:
        write_a9a()
        fm_s, fm_auc, lin_s, lin_auc = a9a(args.shelf, args.threads, args.repeats)
        print(f"a9a: FM {fm_s:.3f} s AUC {fm_auc:.5f} | linear learner {lin_s:.3f} s AUC {lin_auc:.5f}", flush=True)
        results["a9a"] = {"fm": [fm_s, fm_auc], "linear": [lin_s, lin_auc]}
        if args.record:
            report.record("fm", "a9a", "train binary_classifier", args.threads, fm_s,
                          "shelf linear-learner (defaults)", lin_s, quality={"test AUC": (fm_auc, lin_auc)},
                          note=f"shelf FM: AdaGrad k=10, {A9A_FM['epochs']} epochs, rates 0.1; both the whole "
                               f"`shelf train` process on libsvm, best of {args.repeats}",
                          peers_env=env)
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str))
    if args.record:
        report.render()


if __name__ == "__main__":
    main()
