"""Which peers the compare scripts ran, at which versions, on which kernels.

    info(load)      a dict for docs/benchmarks/results.json: interpreter, versions, the BLAS and
                    OpenMP pools threadpoolctl sees, FAISS's compile options, the OPENBLAS_* variables
    describe(load)  the same as one short line, for a table's note
    peer(module, suffix)  a results row's peer column, e.g. "xgboost 3.2.0 hist"

`load` names the modules to import first (default: all peers), since threadpoolctl only sees the
libraries a process has loaded; a script passes the ones it times, so that it loads no others.
The interpreter is labelled "venv build/peers" (bench/compare/setup.sh, releases pinned in
requirements.txt) or "Debian fallback" (Debian's /usr/bin/python3 packages, used when setup.sh
could not reach the package index; it leaves build/peers/DEBIAN_FALLBACK).

Kernels: this machine's environment may set OPENBLAS_CORETYPE (e.g. Haswell) and OPENBLAS_L2_SIZE,
which pin OpenBLAS to one kernel and cache size whatever the processor, and can slow a current
numpy. Run benchmarks with them unset and check here which kernel runs ("architecture" below):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE build/peers/bin/python bench/compare/<script>.py
Each OpenBLAS copy in a process picks its own kernel: on this machine's AMD EPYC (family 26, Zen 5),
with them unset numpy's and scipy's OpenBLAS (0.3.30+) pick SkylakeX (AVX-512), but the OpenBLAS
0.3.15 inside faiss-cpu's wheel does not know the family and falls back to Barcelona (pre-AVX);
with OPENBLAS_CORETYPE=Haswell set, all three run Haswell (AVX2). FAISS's BLAS-backed k-means and
PCA times depend on which: the summary line records it.

    build/peers/bin/python bench/compare/peers.py     prints both
"""
import functools
import importlib
import importlib.metadata
import json
import os
import pathlib
import platform
import sys

VENV = pathlib.Path(__file__).resolve().parents[2] / "build" / "peers"
# module: (display name, distribution names: pip's, then Debian's)
PEERS = {"xgboost": ("xgboost", ("xgboost",)), "lightgbm": ("lightgbm", ("lightgbm",)),
         "sklearn": ("scikit-learn", ("scikit-learn",)), "faiss": ("faiss", ("faiss-cpu", "faiss")),
         "hnswlib": ("hnswlib", ("hnswlib",)), "usearch": ("usearch", ("usearch",)),
         "numpy": ("numpy", ("numpy",)), "scipy": ("scipy", ("scipy",)),
         "myfm": ("myFM", ("myfm",)), "surprise": ("scikit-surprise", ("scikit-surprise",)),
         "rrcf": ("rrcf", ("rrcf",)), "river": ("river", ("river",)),
         "statsforecast": ("statsforecast", ("statsforecast",))}
ALL = tuple(PEERS)
ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def compare_arguments(description, driver, workdir):
    """The options every in-memory comparison takes: its shelf driver, the thread count, repeats,
    --record and a work folder for the data files it writes (under the system's temp folder)."""
    import argparse
    import tempfile
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--driver", default=str(VENV.parent / "bench" / "bench" / driver))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    ap.add_argument("--record", action="store_true", help="also record into docs/benchmarks/results.json")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), workdir))
    return ap


def set_threads(threads):
    """The thread count of every pool the peers start (OpenMP, OpenBLAS, MKL): call it before
    numpy or FAISS is imported, since they read it when they load."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def import_faiss(threads):
    """FAISS on its best kernels, with `threads` threads. The OpenBLAS 0.3.15 inside faiss-cpu's
    wheel does not know this machine's core and would fall back to pre-AVX kernels; SkylakeX
    (AVX-512) is its best build here. The variable is read when FAISS loads, then restored."""
    saved = os.environ.get("OPENBLAS_CORETYPE")
    os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    import faiss
    if saved is None:
        del os.environ["OPENBLAS_CORETYPE"]
    else:
        os.environ["OPENBLAS_CORETYPE"] = saved
    faiss.omp_set_num_threads(threads)
    return faiss


def interpreter():
    if pathlib.Path(sys.prefix).resolve() == VENV.resolve():
        return "Debian fallback" if (VENV / "DEBIAN_FALLBACK").exists() else "venv build/peers"
    return "Debian fallback" if sys.prefix == "/usr" else f"other interpreter ({sys.executable})"


def version(module):
    """The module's version: its __version__ if loaded, else its distribution's; None if absent."""
    found = getattr(sys.modules.get(module), "__version__", None)
    for dist in PEERS.get(module, (None, (module,)))[1]:
        if found:
            break
        try:
            found = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return str(found) if found else None


def peer(module, suffix=""):
    """A results row's peer column: display name, version, suffix ("xgboost 3.2.0 hist")."""
    return " ".join(x for x in (PEERS.get(module, (module,))[0], version(module), suffix) if x)


def _owner(path):
    """The package that shipped a shared library: numpy for .../site-packages/numpy.libs/..."""
    parts = pathlib.Path(path or "").parts
    for i, part in enumerate(parts[:-1]):
        if part in ("site-packages", "dist-packages"):
            return parts[i + 1].split(".")[0].removesuffix("_cpu")
    return parts[-1].split(".")[0] if parts else "?"  # a system library: its name


def _mapped(word):
    """The shared libraries this process has mapped whose file name holds `word`."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if line.count("/") and word in line.rsplit("/", 1)[-1]}
    except OSError:
        return []
    return sorted(os.path.realpath(p) for p in paths)


@functools.lru_cache(maxsize=None)
def info(load=ALL):
    for module in load:
        try:
            importlib.import_module(module)
        except Exception:  # absent, or present but unloadable (an ImportError or the library's own)
            pass
    try:
        from threadpoolctl import threadpool_info
        pools = [{"owner": _owner(p.get("filepath")), **{k: p.get(k) for k in (
            "user_api", "internal_api", "version", "architecture", "threading_layer", "num_threads", "filepath")}}
            for p in threadpool_info()]
    except ImportError:
        pools = None
    faiss = sys.modules.get("faiss")
    options = getattr(faiss, "get_compile_options", lambda: None)() if faiss else None
    result = {"interpreter": interpreter(), "python": platform.python_version(), "executable": sys.executable,
              "versions": {PEERS[m][0]: version(m) for m in PEERS if version(m)},
              "threadpools": pools, "blas_files": _mapped("blas"),  # threadpoolctl 3.1 (Debian's) misses libblas.so.3
              "faiss_compile_options": options.strip() if options else None,
              "environment": {k: os.environ.get(k) for k in ENVIRONMENT if k in os.environ}}
    result["summary"] = _summary(result)
    return result


def _summary(r):
    pools = "; ".join(sorted({" ".join(str(x) for x in (p["internal_api"], p["version"], p["architecture"],
                                                         f"x{p['num_threads']}", f"({p['owner']})") if x)
                              for p in r["threadpools"] or []})) or "threadpoolctl absent"
    if not any(p["user_api"] == "blas" for p in r["threadpools"] or []):
        pools += "; BLAS unseen by threadpoolctl, mapped: " + (", ".join(r["blas_files"]) or "none")
    env = ", ".join(f"{k}={v}" for k, v in r["environment"].items() if k.startswith("OPENBLAS_C") or "L2" in k)
    return (f"{r['interpreter']}, Python {r['python']}: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items())
            + f"; kernels: {pools}" + (f"; faiss {r['faiss_compile_options']}" if r["faiss_compile_options"] else "")
            + (f"; set: {env}" if env else ""))


def describe(load=ALL):
    return info(tuple(load))["summary"]


if __name__ == "__main__":
    print(describe())
    print(json.dumps(info(), indent=1))
