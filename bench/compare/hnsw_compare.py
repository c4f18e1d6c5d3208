"""HNSW side by side: shelf's HnswIndex (float walk; 8-bit quantized walk re-ranked with the
floats; 8-bit codes alone) against hnswlib, FAISS's IndexHNSWFlat and IndexHNSWSQ (8-bit) and
usearch, same data, same build settings, one run.

Data: Fashion-MNIST (Debian's dataset-fashion-mnist): the 60,000 training images are indexed, the
10,000 test images are the queries; k = 10, squared L2. The exact answer (recall's reference) is
FAISS's IndexFlatL2.

Tasks:
  index build     M = 16, ef_construction = 200 (usearch: connectivity 16, expansion_add 200) on
                  --threads threads (default 2); target: shelf's time <= hnswlib's
  search          all 10,000 queries in one call on ONE thread, at ef 10, 20, 40, 80, 160, 320, 800
                  (usearch: expansion_search); each point the best of --repeats runs. The recall-QPS
                  curves go to docs/img/hnsw_recall_qps.png; the QPS at recall@10 = 0.95 is read off
                  each curve (linear in recall between the two ef values around it, log QPS) and
                  compared; target: shelf >= 1.5 x hnswlib's QPS there (time ratio <= 0.667). shelf's
                  codes alone (vector_storage sq8) are compared with FAISS's IndexHNSWSQ, and the
                  bytes per vector of each noted

With --synthetic: 1,000,000 x 96 float vectors instead (1,000 Gaussian clusters of unit spread
around centers of spread 3, seeded: ivf_compare.py's set), 10,000 queries from the same clusters;
the plot goes to docs/img/hnsw_recall_qps_1m.png.

Records the rows into docs/benchmarks/results.json (family "hnsw") through report.py with --record
(docs/benchmarks.md is not re-rendered: run report.py for that).

Run (bash bench/compare/setup.sh makes build/peers; see peers.py on the OPENBLAS_* variables):
  cmake --build build/bench --target hnsw_driver -j1
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/hnsw_compare.py \\
      --driver build/bench/bench/neighbors/hnsw_driver --record
"""
import gzip
import json
import math
import os
import pathlib
import subprocess
import sys
import time

FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")
ROOT = pathlib.Path(__file__).resolve().parents[2]

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402

AP = peers.compare_arguments(__doc__, "neighbors/hnsw_driver", "shelf-hnsw")
AP.add_argument("--efs", default="10,20,40,80,160,320,800")
AP.add_argument("--skip", default="", help="comma-separated libraries to leave out (hnswlib, faiss, usearch)")
AP.add_argument("--synthetic", action="store_true", help="1,000,000 x 96 synthetic vectors instead of Fashion-MNIST")
ARGS = AP.parse_args()

peers.set_threads(ARGS.threads)
import numpy as np  # noqa: E402

faiss = peers.import_faiss(ARGS.threads)
import hnswlib  # noqa: E402
import usearch  # noqa: E402
from usearch.index import Index as UsearchIndex  # noqa: E402

PEERS_ENV = peers.info(("faiss", "hnswlib", "usearch", "numpy"))
K, M, EF_CONSTRUCTION, TARGET_RECALL = 10, 16, 200, 0.95
EFS = [int(e) for e in ARGS.efs.split(",")]
SKIP = set(filter(None, ARGS.skip.split(",")))


def idx(name):
    with gzip.open(FASHION / name, "rb") as f:
        data = f.read()
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(-1, 784).astype(np.float32)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_search(fn):
    """The fastest of --repeats runs of fn() -> ids: (seconds, ids)."""
    runs = [timed(fn) for _ in range(ARGS.repeats)]
    return min(runs, key=lambda r: r[0])


def recall(ids, exact):
    ids = np.asarray(ids, dtype=np.int64)
    return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(ids, exact)]))


def at_recall(curve, target=TARGET_RECALL):
    """QPS at `target` recall on a curve [(ef, recall, qps)], and a note on how it was read."""
    for i, (ef, r, qps) in enumerate(curve):
        if r >= target:
            if i == 0:
                return qps, f"already {r:.4f} at ef {ef}"
            ef0, r0, q0 = curve[i - 1]
            t = (target - r0) / (r - r0) if r > r0 else 1.0
            return math.exp(math.log(q0) + t * (math.log(qps) - math.log(q0))), f"between ef {ef0} and {ef}"
    return None, f"not reached (best {curve[-1][1]:.4f} at ef {curve[-1][0]})"


def main():
    os.makedirs(ARGS.workdir, exist_ok=True)
    if ARGS.synthetic:
        from ivf_compare_data import synthetic
        base, queries = synthetic()
    else:
        base, queries = idx("train-images-idx3-ubyte.gz"), idx("t10k-images-idx3-ubyte.gz")
    n, d, nq = len(base), base.shape[1], len(queries)
    paths = {name: os.path.join(ARGS.workdir, name + ".f32") for name in ("base", "queries")}
    base.tofile(paths["base"])
    queries.tofile(paths["queries"])
    print(f"{PEERS_ENV['summary']}; build on {ARGS.threads} threads, search on 1", flush=True)

    flat = faiss.IndexFlatL2(d)
    flat.add(base)
    _, exact = flat.search(queries, K)

    results = {}  # name: {"build": seconds, "curve": [(ef, recall, qps)], "peer": label}

    def shelf_run(storage):
        out = os.path.join(ARGS.workdir, "ids")
        proc = subprocess.run([ARGS.driver, paths["base"], str(n), str(d), paths["queries"], str(nq), str(K), str(M),
                               str(EF_CONSTRUCTION), str(ARGS.threads), storage, ARGS.efs,
                               str(ARGS.repeats), out], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"driver failed:\n{proc.stderr}")
        r = json.loads(proc.stdout)
        curve = []
        for s in r["searches"]:
            ids = np.fromfile(f"{out}.{s['ef']}.i64", dtype=np.int64).reshape(nq, K)
            curve.append((s["ef"], recall(ids, exact), s["qps"]))
        return {"build": r["build_seconds"], "curve": curve, "bytes": r["index_bytes"] / n}

    results["shelf"] = shelf_run("float")
    results["shelf quantized"] = shelf_run("sq8_rerank")
    results["shelf sq8"] = shelf_run("sq8")

    if "hnswlib" not in SKIP:
        index = hnswlib.Index(space="l2", dim=d)
        index.init_index(max_elements=n, ef_construction=EF_CONSTRUCTION, M=M, random_seed=100)
        index.set_num_threads(ARGS.threads)
        build, _ = timed(lambda: index.add_items(base, np.arange(n), num_threads=ARGS.threads))
        curve = []
        for ef in EFS:
            index.set_ef(ef)
            t, (ids, _) = best_search(lambda: index.knn_query(queries, k=K, num_threads=1))
            curve.append((ef, recall(ids, exact), nq / t))
        results["hnswlib"] = {"build": build, "curve": curve, "peer": peers.peer("hnswlib", "HNSW")}

    def faiss_run(index, build_fn):
        """Builds `index` on --threads threads, then searches it on one at each ef: (build s, curve)."""
        faiss.omp_set_num_threads(ARGS.threads)
        index.hnsw.efConstruction = EF_CONSTRUCTION
        build, _ = timed(build_fn)
        faiss.omp_set_num_threads(1)
        curve = []
        for ef in EFS:
            index.hnsw.efSearch = ef
            t, (_, ids) = best_search(lambda: index.search(queries, K))
            curve.append((ef, recall(ids, exact), nq / t))
        faiss.omp_set_num_threads(ARGS.threads)
        return build, curve

    if "faiss" not in SKIP:
        index = faiss.IndexHNSWFlat(d, M)
        build, curve = faiss_run(index, lambda: index.add(base))
        results["faiss"] = {"build": build, "curve": curve, "peer": peers.peer("faiss", "IndexHNSWFlat")}
        coded = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, M)
        build, curve = faiss_run(coded, lambda: (coded.train(base), coded.add(base)))
        results["faiss sq8"] = {"build": build, "curve": curve, "peer": peers.peer("faiss", "IndexHNSWSQ 8-bit"),
                                "bytes": faiss.serialize_index(coded).nbytes / n}

    if "usearch" not in SKIP:
        index = UsearchIndex(ndim=d, metric="l2sq", dtype="f32", connectivity=M, expansion_add=EF_CONSTRUCTION)
        build, _ = timed(lambda: index.add(np.arange(n), base, threads=ARGS.threads))
        curve = []
        for ef in EFS:
            index.expansion_search = ef
            t, found = best_search(lambda: index.search(queries, K, threads=1))
            curve.append((ef, recall(found.keys, exact), nq / t))
        results["usearch"] = {"build": build, "curve": curve, "peer": peers.peer("usearch", "HNSW f32")}

    print(f"\n{'library':18s} {'build s':>9s} {'B/vector':>9s}  " + "  ".join(f"ef {ef:>4d}: recall / QPS" for ef in EFS))
    for name, r in results.items():
        print(f"{name:18s} {r['build']:9.2f} {r.get('bytes', float('nan')):9.0f}  " +
              "  ".join(f"{rec:.4f} / {qps:8.0f}    " for _, rec, qps in r["curve"]), flush=True)
    readings = {name: at_recall(r["curve"]) for name, r in results.items()}
    print(f"\nQPS at recall@10 = {TARGET_RECALL} (one thread):")
    for name, (qps, how) in readings.items():
        print(f"  {name:18s} {qps if qps is None else round(qps):>8}  ({how})")

    plot(results)
    rows = []
    dataset = "synthetic-1M-96" if ARGS.synthetic else "fashion-mnist"
    search_task = f"search {nq // 1000}k queries at recall@10 {TARGET_RECALL}, 1 thread"
    build_task = f"index build {n // 1000}k, M={M}, ef_construction={EF_CONSTRUCTION}"
    curve_note = lambda c: "; ".join(f"ef {ef}: {rec:.4f} @ {qps:.0f} QPS" for ef, rec, qps in c)  # noqa: E731
    for peer_name in ("hnswlib", "faiss", "usearch"):
        if peer_name not in results:
            continue
        p = results[peer_name]
        target = 1 / 1.5 if peer_name == "hnswlib" else None
        rows.append(dict(task=build_task, shelf_s=results["shelf"]["build"], peer=p["peer"], peer_s=p["build"],
                         quality={}, target=1.0 if peer_name == "hnswlib" else None,
                         note=f"quantized shelf build {results['shelf quantized']['build']:.2f} s"))
        for shelf_name, suffix in (("shelf", ""), ("shelf quantized", ", shelf quantized walk")):
            shelf_qps, shelf_how = readings[shelf_name]
            peer_qps, peer_how = readings[peer_name]
            if shelf_qps is None or peer_qps is None:
                print(f"  no {search_task}{suffix} row against {peer_name}: {shelf_how} / {peer_how}")
                continue
            best_recall = (max(r for _, r, _ in results[shelf_name]["curve"]), max(r for _, r, _ in p["curve"]))
            rows.append(dict(task=search_task + suffix, shelf_s=nq / shelf_qps, peer=p["peer"], peer_s=nq / peer_qps,
                             quality={"recall@10 at the highest ef": best_recall}, target=target,
                             note=f"QPS {shelf_qps:.0f} vs {peer_qps:.0f} ({shelf_how} / {peer_how}); "
                                  f"shelf curve: {curve_note(results[shelf_name]['curve'])}; "
                                  f"peer curve: {curve_note(p['curve'])}"))
    if "faiss sq8" in results:  # 8-bit codes alone, against FAISS's 8-bit HNSW
        mine, theirs = results["shelf sq8"], results["faiss sq8"]
        size_note = f"bytes per vector: shelf {mine['bytes']:.0f}, FAISS {theirs['bytes']:.0f}"
        rows.append(dict(task=build_task + ", 8-bit codes", shelf_s=mine["build"], peer=theirs["peer"],
                         peer_s=theirs["build"], quality={}, target=None, note=size_note))
        (shelf_qps, shelf_how), (peer_qps, peer_how) = readings["shelf sq8"], readings["faiss sq8"]
        if shelf_qps is None or peer_qps is None:
            print(f"  no 8-bit row: {shelf_how} / {peer_how}")
        else:
            best_recall = (max(r for _, r, _ in mine["curve"]), max(r for _, r, _ in theirs["curve"]))
            rows.append(dict(task=search_task + ", 8-bit codes", shelf_s=nq / shelf_qps, peer=theirs["peer"],
                             peer_s=nq / peer_qps, quality={"recall@10 at the highest ef": best_recall}, target=None,
                             note=f"QPS {shelf_qps:.0f} vs {peer_qps:.0f} ({shelf_how} / {peer_how}); {size_note}; "
                                  f"shelf curve: {curve_note(mine['curve'])}; peer curve: {curve_note(theirs['curve'])}"))
    for r in rows:
        ratio = r["shelf_s"] / r["peer_s"]
        verdict = "" if r["target"] is None else f" (target <= {r['target']:.3g}: {'met' if ratio <= r['target'] else 'NOT met'})"
        print(f"{r['task']:60s} {r['peer']:28s} shelf {r['shelf_s']:8.3f}s peer {r['peer_s']:8.3f}s "
              f"ratio {ratio:6.3f}{verdict}")
    if ARGS.record:
        import report
        for r in rows:
            report.record("hnsw", dataset, r["task"], ARGS.threads, r["shelf_s"], r["peer"], r["peer_s"], r["quality"],
                          r["note"], peers_env=PEERS_ENV, target=r["target"])


def plot(results):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for name, r in results.items():
        xs = [rec for _, rec, _ in r["curve"]]
        ys = [qps for _, _, qps in r["curve"]]
        style = "-" if name.startswith("shelf") else "--"
        ax.plot(xs, ys, style, marker="o", markersize=4, label=f"{name} (build {r['build']:.1f} s)")
        for (ef, x, y) in r["curve"]:
            if name == "shelf":
                ax.annotate(str(ef), (x, y), textcoords="offset points", xytext=(3, 4), fontsize=7)
    ax.axvline(TARGET_RECALL, color="grey", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries per second (1 thread, log scale)")
    data = "1M x 96 synthetic clusters" if ARGS.synthetic else "Fashion-MNIST (60k x 784"
    ax.set_title(f"HNSW on {data}, 10k queries), M={M}, ef_construction={EF_CONSTRUCTION}\n"
                 f"ef = {', '.join(map(str, EFS))}", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    out = ROOT / "docs" / "img" / ("hnsw_recall_qps_1m.png" if ARGS.synthetic else "hnsw_recall_qps.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"plot: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
