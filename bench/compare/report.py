"""Shared reporting for the side-by-side comparisons in bench/compare/.

Each comparison script times a shelf program and its peer on the same data with
the same thread count in one run, then calls `record(...)` once per measured
task. Results accumulate in docs/benchmarks/results.json (one entry per
family/data set/task, replaced when re-measured); `render()` rewrites
docs/benchmarks.md and one PNG chart per family from that file. Each row's peer names its
version ("xgboost 3.2.0 hist"); `peers_env` (peers.info()) keeps the interpreter, versions and
kernels the peers ran, and the page lists them under each family.

Run with the peers' environment (bash bench/compare/setup.sh makes it):
    build/peers/bin/python bench/compare/report.py
"""
import datetime
import json
import os
import pathlib
import platform
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "benchmarks" / "results.json"
MARKDOWN = ROOT / "docs" / "benchmarks.md"
IMAGES = ROOT / "docs" / "img"


def machine():
    """A one-line description of the machine the numbers come from."""
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def record(family, dataset, task, threads, shelf_seconds, peer, peer_seconds, quality=None, note="", peers_env=None,
           target=None):
    """One measurement. `task` e.g. 'train' or 'predict'; `quality`: {metric: (shelf, peer)};
    `peers_env`: peers.info(); `target`: the ratio shelf should reach (drawn on the chart)."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if (r["family"], r["dataset"], r["task"], r["peer"]) != (family, dataset, task, peer)]
    results.append({
        "family": family, "dataset": dataset, "task": task, "threads": threads,
        "shelf_seconds": float(shelf_seconds), "peer": peer, "peer_seconds": float(peer_seconds),
        "ratio": float(shelf_seconds) / float(peer_seconds) if peer_seconds else None,
        "quality": {k: [float(x) for x in v] for k, v in (quality or {}).items()},
        "note": note, "target": target, "peers_env": peers_env,
        "machine": machine(), "date": datetime.date.today().isoformat(),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                 capture_output=True, text=True).stdout.strip(),
    })
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


def _chart(family, rows):
    """One panel per task; in each, a group of bars per data set, a colour per peer; the line
    at 1 is parity, a black dashed mark over a bar the target set for it."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    peers = list(dict.fromkeys(r["peer"] for r in rows))
    colours = dict(zip(peers, plt.get_cmap("tab10").colors * 3))
    group = {}  # (task, data set): its rows in the peers' order
    for r in sorted(rows, key=lambda r: peers.index(r["peer"])):
        group.setdefault((r["task"], r["dataset"]), []).append(r)
    most = max(len(g) for g in group.values())
    widest = max(sum(t == task for t, _ in group) for task in tasks)
    # A data set's group gets room for its bars and for its name (names are up to ~20 characters).
    fig, axes = plt.subplots(len(tasks), 1, figsize=(max(6.0, 0.8 + widest * max(1.2, 0.5 + 0.3 * most)),
                                                     0.6 + 2.6 * len(tasks)), squeeze=False)
    width = 0.8 / most
    for ax, task in zip(axes[:, 0], tasks):
        datasets = [d for t, d in group if t == task]
        for i, dataset in enumerate(datasets):
            bars = group[task, dataset]
            for j, r in enumerate(bars):
                x = i + (j - (len(bars) - 1) / 2) * width
                ax.bar_label(ax.bar(x, r["ratio"], width, color=colours[r["peer"]]), fmt="%.2f", fontsize=7)
                if r.get("target") is not None:
                    ax.hlines(r["target"], x - width / 2, x + width / 2, colors="black", linestyles=(0, (2, 1)),
                              linewidth=2.5)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ratios = [r["ratio"] for r in rows if r["task"] == task]
        if max(ratios) / min(ratios) > 20:
            ax.set_yscale("log")
        ax.set_xticks(range(len(datasets)), datasets, fontsize=8, rotation=15 if len(datasets) > 5 else 0,
                      ha="right" if len(datasets) > 5 else "center")
        ax.set_title(task, fontsize=9)
        ax.set_ylabel("shelf / peer time", fontsize=8)
        ax.margins(y=0.15)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[p]) for p in peers]
    if any(r.get("target") is not None for r in rows):
        handles.append(plt.Line2D([], [], color="black", linestyle=(0, (2, 1)), linewidth=2.5))
    rotated = widest > 5
    axes[-1, 0].legend(handles, peers + ["target"][:len(handles) - len(peers)], loc="upper center", fontsize=8,
                       bbox_to_anchor=(0.5, -0.3 if rotated else -0.12), ncol=min(len(handles), 3), frameon=False)
    fig.suptitle(f"{family}: shelf time / peer time at equal threads (below 1: shelf faster)", fontsize=10)
    fig.tight_layout()
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"bench_{family}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")  # the legend below the axes stays whole
    plt.close(fig)
    return path.relative_to(MARKDOWN.parent)


def render():
    """Rewrites docs/benchmarks.md (and the charts) from docs/benchmarks/results.json."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    lines = ["# Benchmarks", "",
             "Side-by-side runs of shelf and its peer library on the same data, same thread count, same run.",
             "Ratio = shelf time / peer time (below 1: shelf is faster). Generated by `bench/compare/*.py`",
             "from `docs/benchmarks/results.json`; do not edit by hand.", ""]
    for family in sorted({r["family"] for r in results}):
        rows = [r for r in results if r["family"] == family]
        lines += [f"## {family}", "", f"![{family}]({_chart(family, rows)})", "",
                  "| data | task | threads | shelf s | peer | peer s | ratio | quality (shelf / peer) | note |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            quality = "; ".join(f"{k} {v[0]:.6g} / {v[1]:.6g}" for k, v in r["quality"].items())
            lines.append(f"| {r['dataset']} | {r['task']} | {r['threads']} | {r['shelf_seconds']:.4g} | {r['peer']} | "
                         f"{r['peer_seconds']:.4g} | {r['ratio']:.3f} | {quality} | {r['note']} |")
        machines = sorted({f"{r['machine']} ({r['date']}, commit {r['commit']})" for r in rows})
        lines += ["", "Measured on: " + "; ".join(machines), ""]
        envs = sorted({r["peers_env"]["summary"] for r in rows if r.get("peers_env")})
        lines += [f"Peers: {e}" for e in envs] + ([""] if envs else [])
    # Comparisons that write their own page (docs/benchmarks-<family>.md, e.g. kmeans_pca.py)
    # appear here as a section: their first heading becomes a second-level one.
    for page in sorted(MARKDOWN.parent.glob("benchmarks-*.md")):
        body = page.read_text().splitlines()
        if body and body[0].startswith("# "):
            body[0] = "#" + body[0]
        lines += body + [f"(from [{page.name}]({page.name}))", ""]
    MARKDOWN.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    render()
