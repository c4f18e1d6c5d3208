"""k-means and PCA side by side: shelf against scikit-learn and FAISS, same data, same threads, one run.

Data: Fashion-MNIST's 60,000 x 784 training images (Debian's dataset-fashion-mnist, idx files under
/usr/share/datasets/fashion-mnist) and a synthetic 1,000,000 x 64 mixture of 100 Gaussian blobs.

Tasks (every library runs with the same thread count, default 2):
  lloyd      time per Lloyd iteration from the same initial centers, tol = 0 (KMeans(init=C, n_init=1),
             faiss.Kmeans with subsampling off); target: shelf <= 0.5 x scikit-learn and <= FAISS
  kmeans++   a whole k-means++ fit, same k and number of inits; quality: final inertia (target: within 1 %)
  minibatch  shelf's mini-batch mode (the platform's method) against MiniBatchKMeans, and its inertia
             against full Lloyd (target: within 5 %)
  pca full   regular mode against PCA(svd_solver="full") and faiss.PCAMatrix; quality: components' largest
             difference up to sign, explained variance ratio captured
  pca rand   randomized mode against PCA(svd_solver="randomized"): at equal explained variance, i.e. with
             the fewest power iterations whose explained variance ratio reaches scikit-learn's (target: <= 0.5 x
             scikit-learn's time); the default setting's time is in the note

Writes docs/benchmarks-kmeans-pca.md and docs/img/kmeans_pca.png; --record also adds the rows to
docs/benchmarks/results.json through report.py. Each row's peer carries its version, and the page
the peers' versions and kernels (BLAS, its core type, FAISS's SIMD level) from peers.py.

Run (bash bench/compare/setup.sh makes build/peers; see peers.py on the OPENBLAS_* variables):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/kmeans_pca.py \
      --driver build/bench/bench/cluster/kmeans_pca_driver
"""
import gzip
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")


def parse_args():
    ap = peers.compare_arguments(__doc__, "cluster/kmeans_pca_driver", "shelf-kmeans-pca")
    ap.add_argument("--quick", action="store_true", help="synthetic set of 200,000 rows instead of 1,000,000")
    return ap.parse_args()


sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402

ARGS = parse_args()

peers.set_threads(ARGS.threads)
import numpy as np  # noqa: E402

faiss = peers.import_faiss(ARGS.threads)
from sklearn.cluster import KMeans, MiniBatchKMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(ARGS.threads)

PEERS_ENV = peers.info(("sklearn", "faiss", "numpy", "scipy"))


def read_idx_images(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = np.frombuffer(data[:16], dtype=">u4")
    assert magic == 0x803, f"{path}: not an idx3 image file"
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(n, rows * cols).astype(np.float32)


def fashion_mnist():
    for name in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"):
        if (FASHION / name).exists():
            return read_idx_images(FASHION / name)
    sys.exit(f"Fashion-MNIST not found in {FASHION}: apt-get install dataset-fashion-mnist")


def synthetic(n):
    rng = np.random.default_rng(0)
    centers = rng.normal(0.0, 4.0, size=(100, 64)).astype(np.float32)
    labels = rng.integers(0, 100, size=n)
    return (centers[labels] + rng.normal(size=(n, 64)).astype(np.float32)).astype(np.float32)


class Data:
    """A data set, written once as raw float32 for the driver."""

    def __init__(self, name, X, workdir):
        self.name, self.X = name, np.ascontiguousarray(X, dtype=np.float32)
        self.path = os.path.join(workdir, f"{name}.f32")
        self.X.tofile(self.path)
        self.n, self.d = self.X.shape


def driver(*args):
    out = subprocess.run([ARGS.driver, *map(str, args)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"driver failed: {' '.join(map(str, args))}\n{out.stderr}")
    return json.loads(out.stdout)


def best_of(repeats, run):
    """The run with the lowest 'seconds' of `repeats` runs of run() -> dict."""
    results = [run() for _ in range(repeats)]
    return min(results, key=lambda r: r["seconds"])


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


ROWS = []  # one per comparison


def row(dataset, task, shelf_s, peer, peer_s, quality=None, target=None, note=""):
    ratio = shelf_s / peer_s
    met = None if target is None else ratio <= target
    ROWS.append(dict(dataset=dataset, task=task, shelf_seconds=shelf_s, peer=peer, peer_seconds=peer_s, ratio=ratio,
                     quality=quality or {}, target=target, met=met, note=note))
    q = "; ".join(f"{k} {v[0]:.6g} / {v[1]:.6g}" for k, v in (quality or {}).items())
    verdict = "" if met is None else (" (target <= %.2g: %s)" % (target, "met" if met else "NOT met"))
    print(f"{dataset:18s} {task:22s} shelf {shelf_s:9.4f}s  {peer:30s} {peer_s:9.4f}s  ratio {ratio:6.3f}{verdict}  {q}",
          flush=True)


def lloyd_iteration(data, k, iterations):
    rng = np.random.default_rng(1)
    C = np.ascontiguousarray(data.X[rng.choice(data.n, k, replace=False)])
    cpath = data.path + f".centers{k}"
    C.tofile(cpath)
    shelf = best_of(ARGS.repeats, lambda: driver("lloyd", data.path, data.n, data.d, cpath, k, iterations, ARGS.threads))

    def sk():
        t, km = timed(lambda: KMeans(k, init=C, n_init=1, max_iter=iterations, tol=0, algorithm="lloyd").fit(data.X))
        return {"seconds": t, "per_iteration": t / km.n_iter_, "inertia": km.inertia_}

    def fa():
        km = faiss.Kmeans(data.d, k, niter=iterations, verbose=False, max_points_per_centroid=data.n // k + 1,
                          min_points_per_centroid=1)
        t, _ = timed(lambda: km.train(data.X, init_centroids=C))
        return {"seconds": t, "per_iteration": t / iterations, "inertia": float(km.obj[-1])}

    skr, far = best_of(ARGS.repeats, sk), best_of(ARGS.repeats, fa)
    task = f"Lloyd iteration k={k}"
    row(data.name, task, shelf["per_iteration"], peers.peer("sklearn", "KMeans"), skr["per_iteration"],
        {"inertia": (shelf["inertia"], skr["inertia"])}, target=0.5)
    row(data.name, task, shelf["per_iteration"], peers.peer("faiss", "Kmeans"), far["per_iteration"],
        {"inertia": (shelf["inertia"], far["inertia"])}, target=1.0)


def kmeans_fits(data, k, inits):
    shelf = driver("kmeans", data.path, data.n, data.d, k, "lloyd", "kmeans++", inits, ARGS.threads, 5000)
    t, km = timed(lambda: KMeans(k, init="k-means++", n_init=inits, random_state=0, algorithm="lloyd").fit(data.X))
    row(data.name, f"k-means++ fit k={k} x{inits}", shelf["seconds"], peers.peer("sklearn", "KMeans"), t,
        {"inertia": (shelf["inertia"], km.inertia_)}, note="inertia target: within 1 %")
    mini = driver("kmeans", data.path, data.n, data.d, k, "minibatch", "kmeans++", "auto", ARGS.threads, 5000)
    t2, mb = timed(lambda: MiniBatchKMeans(k, batch_size=5000, n_init=3, random_state=0).fit(data.X))
    row(data.name, f"mini-batch fit k={k}", mini["seconds"], peers.peer("sklearn", "MiniBatchKMeans"), t2,
        {"inertia": (mini["inertia"], mb.inertia_)},
        note=f"shelf mini-batch / shelf Lloyd inertia = {mini['inertia'] / shelf['inertia']:.4f} (target <= 1.05)")


def pca_full(data, nc):
    out = data.path + ".components"
    shelf = best_of(ARGS.repeats, lambda: driver("pca", data.path, data.n, data.d, nc, "regular", ARGS.threads, "auto", out))
    components = np.fromfile(out, dtype=np.float32).reshape(nc, data.d)
    t, sk = timed(lambda: PCA(nc, svd_solver="full").fit(data.X))
    diff = np.abs(np.abs(components.astype(np.float64) @ sk.components_.T.astype(np.float64)).diagonal() - 1).max()
    row(data.name, f"PCA full {nc} comp.", shelf["seconds"], peers.peer("sklearn", "PCA full"), t,
        {"explained variance ratio": (shelf["explained_variance_ratio"], sk.explained_variance_ratio_.sum()),
         "1-|cos| worst component": (diff, 0.0)})
    pca = faiss.PCAMatrix(data.d, nc)
    pca.max_points_per_d = data.n // data.d + 1  # train on every row, as the others do
    t2, _ = timed(lambda: pca.train(data.X))
    eig = faiss.vector_to_array(pca.eigenvalues)  # the whole spectrum of the scatter matrix
    row(data.name, f"PCA full {nc} comp.", shelf["seconds"], peers.peer("faiss", "PCAMatrix"), t2,
        {"explained variance ratio": (shelf["explained_variance_ratio"], eig[:nc].sum() / eig.sum())})
    return sk.explained_variance_ratio_.sum()


def pca_randomized(data, nc, exact_ratio):
    """At equal explained variance: shelf's fewest power iterations that capture at least what
    scikit-learn's randomized PCA (its defaults) captures; the default (auto) run is noted."""
    out = data.path + ".components"

    def sk():
        t, m = timed(lambda: PCA(nc, svd_solver="randomized", random_state=0).fit(data.X))
        return {"seconds": t, "ratio": m.explained_variance_ratio_.sum()}

    skr = best_of(ARGS.repeats, sk)
    auto = best_of(ARGS.repeats,
                   lambda: driver("pca", data.path, data.n, data.d, nc, "randomized", ARGS.threads, "auto", out))
    chosen = None
    for q in range(0, 9):
        run = best_of(ARGS.repeats,
                      lambda: driver("pca", data.path, data.n, data.d, nc, "randomized", ARGS.threads, q, out))
        if run["explained_variance_ratio"] >= skr["ratio"] - 1e-7:
            chosen = run
            break
    note = (f"exact {exact_ratio:.6f}; oversampling {auto['extra_components']}; shelf's default (q = "
            f"{auto['power_iterations']}): {auto['seconds']:.4g} s, ratio {auto['explained_variance_ratio']:.6f}")
    if chosen is None:
        chosen = auto
        note = "shelf never reached scikit-learn's explained variance up to q = 8; " + note
    row(data.name, f"PCA randomized {nc} comp. (q={chosen['power_iterations']})", chosen["seconds"],
        peers.peer("sklearn", "PCA randomized"), skr["seconds"],
        {"explained variance ratio": (chosen["explained_variance_ratio"], skr["ratio"])}, target=0.5, note=note)


def write_report():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    machine = "unknown cpu"
    try:
        machine = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = ["# k-means and PCA: shelf against scikit-learn and FAISS", "",
             f"Generated by `bench/compare/kmeans_pca.py` on {machine}, {os.cpu_count()} cores, "
             f"{ARGS.threads} threads for every library, {time.strftime('%Y-%m-%d')}. Times are the best of "
             f"{ARGS.repeats} runs for the Lloyd-iteration and PCA rows, one run otherwise. Ratio = shelf / peer "
             "(below 1: shelf is faster).", "", f"Peers: {PEERS_ENV['summary']}", "",
             "![k-means and PCA](img/kmeans_pca.png)", "",
             "| data | task | shelf s | peer | peer s | ratio | target | quality (shelf / peer) | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in ROWS:
        target = "" if r["target"] is None else f"<= {r['target']:g} ({'met' if r['met'] else '**not met**'})"
        quality = "; ".join(f"{k} {v[0]:.6g} / {v[1]:.6g}" for k, v in r["quality"].items())
        lines.append(f"| {r['dataset']} | {r['task']} | {r['shelf_seconds']:.4g} | {r['peer']} | {r['peer_seconds']:.4g} "
                     f"| {r['ratio']:.3f} | {target} | {quality} | {r['note']} |")
    (ROOT / "docs" / "benchmarks-kmeans-pca.md").write_text("\n".join(lines) + "\n")

    labels = [f"{r['dataset']}\n{r['task']}\nvs {r['peer'].split()[0]}" for r in ROWS]
    ratios = [r["ratio"] for r in ROWS]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(ROWS)), 4.2))
    colours = ["tab:green" if (r["target"] is None and r["ratio"] <= 1) or r["met"] else "tab:red" for r in ROWS]
    bars = ax.bar(range(len(ROWS)), ratios, color=colours)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(0.5, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(ROWS)), labels, fontsize=6)
    ax.set_ylabel("shelf time / peer time (log; lower is better)")
    ax.set_title(f"k-means and PCA, {ARGS.threads} threads (dashed: 0.5)")
    for bar, x in zip(bars, ratios):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"{x:.2f}", ha="center", va="bottom", fontsize=7)
    fig.tight_layout()
    (ROOT / "docs" / "img").mkdir(parents=True, exist_ok=True)
    fig.savefig(ROOT / "docs" / "img" / "kmeans_pca.png", dpi=110)

    if ARGS.record:
        import report
        for r in ROWS:
            family = "pca" if r["task"].startswith("PCA") else "kmeans"
            report.record(family, r["dataset"], r["task"], ARGS.threads, r["shelf_seconds"], r["peer"],
                          r["peer_seconds"], r["quality"], r["note"], peers_env=PEERS_ENV, target=r["target"])
        report.render()


def main():
    os.makedirs(ARGS.workdir, exist_ok=True)
    fashion = Data("fashion-mnist", fashion_mnist(), ARGS.workdir)
    n_synthetic = 200_000 if ARGS.quick else 1_000_000
    blobs = Data(f"synthetic {n_synthetic // 1000}k x 64", synthetic(n_synthetic), ARGS.workdir)
    print(f"{PEERS_ENV['summary']}; {ARGS.threads} threads", flush=True)

    lloyd_iteration(fashion, 10, 20)
    lloyd_iteration(fashion, 100, 10)
    lloyd_iteration(blobs, 100, 10)
    kmeans_fits(fashion, 10, 3)
    kmeans_fits(blobs, 100, 1)
    exact = pca_full(fashion, 50)
    pca_randomized(fashion, 50, exact)
    exact = pca_full(blobs, 10)
    pca_randomized(blobs, 10, exact)
    write_report()


if __name__ == "__main__":
    main()
