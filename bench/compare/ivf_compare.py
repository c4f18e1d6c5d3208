"""IVF indexes side by side: shelf's IvfIndex (IVFFlat and IVFPQ) against FAISS's IndexIVFFlat and
IndexIVFPQ, same data, same lists, same threads, one run: recall@10 and queries per second at each
nprobe (the recall-QPS curve), and the build (train + add) time.

Data: Fashion-MNIST (Debian's dataset-fashion-mnist): the 60,000 training images are indexed, the
10,000 test images are the queries; k = 10; nlists = 245 (the platform's auto, sqrt of the rows);
IVFPQ: 56 codes of one byte (14 dimensions each), FAISS's 8-bit PQ with precomputed tables.
Recall is against FAISS IndexFlatL2's exact neighbours.

With --synthetic: 1,000,000 × 96 float vectors instead (1,000 Gaussian clusters of unit spread
around centers of spread 3, seeded), 10,000 queries from the same clusters; nlists 1,000 (the
auto), IVFPQ m 24 (the auto: parts of 4), nprobe 1 ... 128; memory per vector reported.

Records into docs/benchmarks/results.json (family "knn-ivf") with --record: the rows at the
model's auto nprobe (16 for 245 lists, 32 for 1,000) and the build; draws
docs/img/ivf_recall_qps.png (ivf_recall_qps_1m.png for --synthetic).

Run (bash bench/compare/setup.sh makes build/peers):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/ivf_compare.py \
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
ROOT = pathlib.Path(__file__).resolve().parents[2]

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peers  # noqa: E402

_ap = peers.compare_arguments(__doc__, "neighbors/knn_driver", "shelf-ivf")
_ap.add_argument("--synthetic", action="store_true", help="1,000,000 x 96 synthetic vectors instead of Fashion-MNIST")
ARGS = _ap.parse_args()

peers.set_threads(ARGS.threads)
import numpy as np  # noqa: E402

faiss = peers.import_faiss(ARGS.threads)
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(ARGS.threads)

PEERS_ENV = peers.info(("faiss", "numpy"))
K = 10
NLISTS, PQ_M, AUTO_NPROBE = (1000, 24, 32) if ARGS.synthetic else (245, 56, 16)
NPROBES = [1, 2, 4, 8, 16, 32, 64, 128] if ARGS.synthetic else [1, 2, 4, 8, 16, 32, 64]
DATASET = "synthetic-1M-96" if ARGS.synthetic else "fashion-mnist"


from ivf_compare_data import synthetic  # noqa: E402


def idx(name):
    with gzip.open(FASHION / name, "rb") as f:
        data = f.read()
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(-1, 784).astype(np.float32)


def recall(ids, exact):
    return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(ids, exact)]))


def shelf_curve(paths, n, d, nq, pq_m):
    """Best of the repeats, per nprobe; the build from the fastest build."""
    best = None
    for _ in range(ARGS.repeats):
        prefix = os.path.join(ARGS.workdir, f"ivf{pq_m}")
        args = [ARGS.driver, "ivf", paths["base"], n, d, paths["queries"], nq, K, ARGS.threads, NLISTS, pq_m,
                ",".join(map(str, NPROBES)), prefix]
        out = subprocess.run(list(map(str, args)), capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"driver failed:\n{out.stderr}")
        r = json.loads(out.stdout)
        r["ids"] = {p: np.fromfile(f"{prefix}.{p}", dtype=np.int64).reshape(nq, K) for p in NPROBES}
        if best is None:
            best = r
        else:
            best["train_seconds"] = min(best["train_seconds"], r["train_seconds"])
            best["add_seconds"] = min(best["add_seconds"], r["add_seconds"])
            for p in NPROBES:
                best["search_seconds"][str(p)] = min(best["search_seconds"][str(p)], r["search_seconds"][str(p)])
    return best


def faiss_curve(base, queries, pq_m):
    best = None
    for _ in range(ARGS.repeats):
        quantizer = faiss.IndexFlatL2(base.shape[1])
        index = (faiss.IndexIVFFlat(quantizer, base.shape[1], NLISTS) if pq_m == 0
                 else faiss.IndexIVFPQ(quantizer, base.shape[1], NLISTS, pq_m, 8))
        start = time.perf_counter()
        index.train(base)
        train = time.perf_counter() - start
        start = time.perf_counter()
        index.add(base)
        add = time.perf_counter() - start
        r = {"train_seconds": train, "add_seconds": add, "search_seconds": {}, "ids": {}}
        for p in NPROBES:
            index.nprobe = p
            start = time.perf_counter()
            _, ids = index.search(queries, K)
            r["search_seconds"][str(p)] = time.perf_counter() - start
            r["ids"][p] = ids
        if best is None:
            best = r
        else:
            for key in ("train_seconds", "add_seconds"):
                best[key] = min(best[key], r[key])
            for p in NPROBES:
                best["search_seconds"][str(p)] = min(best["search_seconds"][str(p)], r["search_seconds"][str(p)])
    return best


def main():
    os.makedirs(ARGS.workdir, exist_ok=True)
    if ARGS.synthetic:
        base, queries = synthetic()
    else:
        base, queries = idx("train-images-idx3-ubyte.gz"), idx("t10k-images-idx3-ubyte.gz")
    paths = {name: os.path.join(ARGS.workdir, name + ".f32") for name in ("base", "queries")}
    base.tofile(paths["base"])
    queries.tofile(paths["queries"])
    n, d, nq = len(base), base.shape[1], len(queries)
    print(f"{PEERS_ENV['summary']}; {ARGS.threads} threads; nlists {NLISTS}, IVFPQ m {PQ_M}", flush=True)
    flat = faiss.IndexFlatL2(d)
    flat.add(base)
    _, exact = flat.search(queries, K)

    curves, rows = {}, []
    for pq_m, name in ((0, "IVFFlat"), (PQ_M, "IVFPQ")):
        s, f = shelf_curve(paths, n, d, nq, pq_m), faiss_curve(base, queries, pq_m)
        peer = peers.peer("faiss", f"IndexIVF{'Flat' if pq_m == 0 else 'PQ'}")
        curves[name] = (s, f)
        print(f"{name}: build shelf {s['train_seconds']:.2f} + {s['add_seconds']:.2f} s, "
              f"FAISS {f['train_seconds']:.2f} + {f['add_seconds']:.2f} s", flush=True)
        for p in NPROBES:
            rs, rf = recall(s["ids"][p], exact), recall(f["ids"][p], exact)
            ss, fs = s["search_seconds"][str(p)], f["search_seconds"][str(p)]
            print(f"  nprobe {p:3d}: recall {rs:.4f} / {rf:.4f}   QPS {nq / ss:9.0f} / {nq / fs:9.0f}   "
                  f"time ratio {ss / fs:.3f}", flush=True)
            if p == AUTO_NPROBE:
                rows.append((f"{name} search, nprobe {p}, 10k queries", ss, peer, fs,
                             {"recall@10": (rs, rf)}, 1.0))
        per_vector = 4 * d if pq_m == 0 else pq_m
        rows.append((f"{name} build (train + add {n // 1000}k)", s["train_seconds"] + s["add_seconds"], peer,
                     f["train_seconds"] + f["add_seconds"], {}, None,
                     f"{per_vector} bytes per vector + 8 of id, both"))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, (s, f) in curves.items():
        for label, r, style in ((f"shelf {name}", s, "-o"), (f"FAISS {name}", f, "--s")):
            ax.plot([recall(r["ids"][p], exact) for p in NPROBES],
                    [nq / r["search_seconds"][str(p)] for p in NPROBES], style, label=label)
    ax.set_xlabel("recall@10")
    ax.set_ylabel(f"queries per second ({ARGS.threads} threads)")
    ax.set_yscale("log")
    ax.set_title(f"{DATASET}, {NLISTS} lists, nprobe {NPROBES[0]}-{NPROBES[-1]}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "img" / ("ivf_recall_qps_1m.png" if ARGS.synthetic else "ivf_recall_qps.png"), dpi=110)

    if ARGS.record:
        import report
        for task, ss, peer, ps, quality, target, *note in rows:
            report.record("knn-ivf", DATASET, task, ARGS.threads, ss, peer, ps, quality, "".join(note),
                          peers_env=PEERS_ENV, target=target)
        report.render()


if __name__ == "__main__":
    main()
