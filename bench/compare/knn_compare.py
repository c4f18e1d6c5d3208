"""k-NN side by side: shelf's exact index and classifier against FAISS, hnswlib and scikit-learn,
same data, same threads, one run.

Data: Fashion-MNIST (Debian's dataset-fashion-mnist): the 60,000 training images are indexed, the
10,000 test images are the queries; k = 10.

Tasks (every library runs with the same thread count, default 2):
  exact search     all queries at once: shelf FlatIndex against faiss.IndexFlatL2, hnswlib.BFIndex and
                   NearestNeighbors(algorithm="brute"); target: >= 1.2 x FAISS's queries per second
                   (time ratio <= 0.83), neighbours identical up to ties (the share of ids equal is noted)
  8-bit codes      the same search on 8-bit scalar-quantized vectors (a quarter of the memory):
                   shelf FlatIndex with sq8 storage against faiss.IndexScalarQuantizer(QT_8bit);
                   quality: recall@10 against the float64 reference
  single queries   1,000 queries one at a time (a service's requests); target: at least FAISS's QPS
  index build      adding the 60,000 vectors
  classification   KNeighborsClassifier(algorithm="brute") fit + predict against knn::fit + predict;
                   quality: accuracy, which must be equal

Records the rows into docs/benchmarks/results.json (family "knn") through report.py with --record.

Run (bash bench/compare/setup.sh makes build/peers; see peers.py on the OPENBLAS_* variables):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/knn_compare.py \
      --driver build/bench/bench/neighbors/knn_driver --record
"""
import gzip
import json
import os
import pathlib
import subprocess
import sys
import time

FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")


sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402

ARGS = peers.compare_arguments(__doc__, "neighbors/knn_driver", "shelf-knn").parse_args()

peers.set_threads(ARGS.threads)
import numpy as np  # noqa: E402

faiss = peers.import_faiss(ARGS.threads)
import hnswlib  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(ARGS.threads)

PEERS_ENV = peers.info(("sklearn", "faiss", "hnswlib", "numpy", "scipy"))
K = 10


def idx(name, images):
    with gzip.open(FASHION / name, "rb") as f:
        data = f.read()
    if images:
        return np.frombuffer(data[16:], dtype=np.uint8).reshape(-1, 784).astype(np.float32)
    return np.frombuffer(data[8:], dtype=np.uint8).astype(np.float32)


def driver(*args):
    out = subprocess.run([ARGS.driver, *map(str, args)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"driver failed: {' '.join(map(str, args))}\n{out.stderr}")
    return json.loads(out.stdout)


def best_of(run):
    return min((run() for _ in range(ARGS.repeats)), key=lambda r: r["seconds"])


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


ROWS = []


def row(dataset, task, shelf_s, peer, peer_s, quality=None, target=None, note=""):
    ratio = shelf_s / peer_s
    ROWS.append(dict(dataset=dataset, task=task, shelf_seconds=shelf_s, peer=peer, peer_seconds=peer_s,
                     quality=quality or {}, target=target, note=note))
    verdict = "" if target is None else f" (target <= {target:g}: {'met' if ratio <= target else 'NOT met'})"
    q = "; ".join(f"{k} {v[0]:.6g} / {v[1]:.6g}" for k, v in (quality or {}).items())
    print(f"{dataset:14s} {task:28s} shelf {shelf_s:8.4f}s  {peer:32s} {peer_s:8.4f}s  ratio {ratio:6.3f}{verdict}  {q}",
          flush=True)


def main():
    os.makedirs(ARGS.workdir, exist_ok=True)
    base, queries = idx("train-images-idx3-ubyte.gz", True), idx("t10k-images-idx3-ubyte.gz", True)
    labels, truth = idx("train-labels-idx1-ubyte.gz", False), idx("t10k-labels-idx1-ubyte.gz", False)
    paths = {name: os.path.join(ARGS.workdir, name + ".f32") for name in ("base", "queries", "labels")}
    base.tofile(paths["base"])
    queries.tofile(paths["queries"])
    labels.tofile(paths["labels"])
    n, d, nq = len(base), base.shape[1], len(queries)
    dataset = "fashion-mnist"
    print(f"{PEERS_ENV['summary']}; {ARGS.threads} threads", flush=True)

    # Exact search, all queries at once.
    out = os.path.join(ARGS.workdir, "ids.i64")
    shelf = best_of(lambda: driver("search", paths["base"], n, d, paths["queries"], nq, K, ARGS.threads, "L2", out))
    shelf_ids = np.fromfile(out, dtype=np.int64).reshape(nq, K)

    def faiss_run():
        index = faiss.IndexFlatL2(d)
        add, _ = timed(lambda: index.add(base))
        t, (_, ids) = timed(lambda: index.search(queries, K))
        return {"seconds": t, "add_seconds": add, "ids": ids}

    fa = best_of(faiss_run)
    same = float((fa["ids"] == shelf_ids).mean())
    exact = NearestNeighbors(n_neighbors=K, algorithm="brute").fit(base.astype(np.float64))
    _, exact_ids = exact.kneighbors(queries[:500].astype(np.float64))
    recall = lambda ids: np.mean([len(set(a) & set(b)) / K for a, b in zip(ids[:500], exact_ids)])  # noqa: E731
    task = f"exact search {nq // 1000}k queries, k={K}"
    row(dataset, task, shelf["seconds"], peers.peer("faiss", "IndexFlatL2"), fa["seconds"],
        {"recall@10 (500 queries, float64 reference)": (recall(shelf_ids), recall(fa["ids"]))}, target=1 / 1.2,
        note=f"ids equal to FAISS's: {100 * same:.2f} %")

    def hnsw_run():
        index = hnswlib.BFIndex(space="l2", dim=d)
        index.init_index(max_elements=n)
        add, _ = timed(lambda: index.add_items(base))
        t, (ids, _) = timed(lambda: index.knn_query(queries, k=K, num_threads=ARGS.threads))
        return {"seconds": t, "add_seconds": add, "ids": ids}

    hb = best_of(hnsw_run)
    row(dataset, task, shelf["seconds"], peers.peer("hnswlib", "BFIndex"), hb["seconds"],
        {"recall@10": (recall(shelf_ids), recall(hb["ids"]))})

    def sk_run():
        model = NearestNeighbors(n_neighbors=K, algorithm="brute", n_jobs=ARGS.threads).fit(base)
        t, (_, ids) = timed(lambda: model.kneighbors(queries))
        return {"seconds": t, "ids": ids}

    sk = best_of(sk_run)
    row(dataset, task, shelf["seconds"], peers.peer("sklearn", "NearestNeighbors brute"), sk["seconds"],
        {"recall@10": (recall(shelf_ids), recall(sk["ids"]))})

    out_sq8 = os.path.join(ARGS.workdir, "ids_sq8.i64")
    coded = best_of(lambda: driver("search", paths["base"], n, d, paths["queries"], nq, K, ARGS.threads, "L2", out_sq8,
                                   "sq8"))
    coded_ids = np.fromfile(out_sq8, dtype=np.int64).reshape(nq, K)

    def faiss_sq8():
        index = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_L2)
        add, _ = timed(lambda: (index.train(base), index.add(base)))
        t, (_, ids) = timed(lambda: index.search(queries, K))
        return {"seconds": t, "add_seconds": add, "ids": ids}

    fq = best_of(faiss_sq8)
    row(dataset, task + ", 8-bit codes", coded["seconds"], peers.peer("faiss", "IndexScalarQuantizer QT_8bit"),
        fq["seconds"], {"recall@10 (500 queries, float64 reference)": (recall(coded_ids), recall(fq["ids"]))},
        note=f"{d} bytes per vector in both; index build {coded['add_seconds']:.3f} s vs {fq['add_seconds']:.3f} s")

    row(dataset, "index build (60k vectors)", shelf["add_seconds"], peers.peer("faiss", "IndexFlatL2"),
        fa["add_seconds"])

    # Single queries, one request at a time.
    single_n = 1000
    one = best_of(lambda: driver("single", paths["base"], n, d, paths["queries"], single_n, K, ARGS.threads))

    def faiss_single():
        index = faiss.IndexFlatL2(d)
        index.add(base)
        t, _ = timed(lambda: [index.search(queries[i:i + 1], K) for i in range(single_n)])
        return {"seconds": t}

    fs = best_of(faiss_single)
    row(dataset, f"single queries ({single_n} one at a time)", one["seconds"], peers.peer("faiss", "IndexFlatL2"),
        fs["seconds"], target=1.0, note=f"shelf {single_n / one['seconds']:.0f} QPS, FAISS {single_n / fs['seconds']:.0f}")

    # Classification.
    pred = os.path.join(ARGS.workdir, "predicted.f32")
    sc = best_of(lambda: driver("classify", paths["base"], n, d, paths["labels"], paths["queries"], nq, K,
                                ARGS.threads, pred))
    shelf_acc = float((np.fromfile(pred, dtype=np.float32) == truth).mean())

    def sk_classify():
        model = KNeighborsClassifier(n_neighbors=K, algorithm="brute", n_jobs=ARGS.threads)
        fit, _ = timed(lambda: model.fit(base, labels))
        t, predicted = timed(lambda: model.predict(queries))
        return {"seconds": fit + t, "accuracy": float((predicted == truth).mean())}

    skc = best_of(sk_classify)
    row(dataset, f"classifier fit + predict, k={K}", sc["fit_seconds"] + sc["seconds"],
        peers.peer("sklearn", "KNeighborsClassifier brute"), skc["seconds"],
        {"accuracy": (shelf_acc, skc["accuracy"])})

    if ARGS.record:
        import report
        for r in ROWS:
            report.record("knn", r["dataset"], r["task"], ARGS.threads, r["shelf_seconds"], r["peer"], r["peer_seconds"],
                          r["quality"], r["note"], peers_env=PEERS_ENV, target=r["target"])
        report.render()


if __name__ == "__main__":
    main()
