"""rrcf's collusive displacement on fixed trees, for shelf's random cut forest.

rrcf (the reference implementation of Guha et al. 2016) builds three trees on the same sample;
each tree's cuts are written out, so shelf can hold exactly the same trees, and rrcf's CoDisp is
recorded for
  - every sample point inserted once more (a duplicate: rrcf adds a copy to the leaf, no draws),
  - query points inserted with the insertion's separating cut forced onto each node, in turn,
    where the query lies outside the node's box (the k-th such node on its path, k = 0, 1, ...;
    the last is the leaf the path ends at). Forcing the cut removes the randomness: the CoDisp of
    each outcome is compared, not one draw.

Writes tests/reference/rcf/:
  points.csv  the 64 sample points (rows 0..63, integers, 3 dimensions), then 24 queries
  trees.csv   per node, trees in turn and each in pre-order: tree, left, right, dim, cut, point
              (children tree-local, -1 in a leaf; dim -1 and point = its row in a leaf)
  codisp.csv  tree, point row, k (-1 for a sample point's duplicate), rrcf's CoDisp

tests/anomaly/test_rcf.cpp reads them.
Run: build/peers/bin/python tests/reference/gen_rcf.py   (bench/compare/setup.sh makes build/peers)
"""
import pathlib

import numpy as np
import rrcf

OUT = pathlib.Path(__file__).resolve().parent / "rcf"
SAMPLE, QUERIES, TREES = 64, 24, 3


def nodes_preorder(tree):
    """(left, right, dim, cut, point) per node in pre-order, children as pre-order positions."""
    rows = []

    def visit(node):
        at = len(rows)
        rows.append(None)
        if isinstance(node, rrcf.Leaf):
            rows[at] = (-1, -1, -1, 0.0, int(node.i))
        else:
            left = visit(node.l)
            right = visit(node.r)
            rows[at] = (left, right, int(node.q), float(node.p), -1)
        return at

    visit(tree.root)
    return rows


def outside(point, bbox):
    return bool(np.any(point < bbox[0]) or np.any(point > bbox[-1]))


def forced_codisp(tree, point, k):
    """rrcf's CoDisp of point inserted with its cut separating it at the k-th node it lies outside
    of; None when the path has fewer such nodes."""
    calls = {"outside": 0, "separated": False}

    def cut(point, bbox):
        if outside(point, bbox):
            if calls["outside"] == k or bbox.shape[0] == 1 or np.all(bbox[0] == bbox[-1]):
                calls["separated"] = True
                j = int(np.flatnonzero((point < bbox[0]) | (point > bbox[-1]))[0])
                side = bbox[0, j] if point[j] < bbox[0, j] else bbox[-1, j]
                return j, (point[j] + side) / 2
            calls["outside"] += 1
        j = int(np.flatnonzero(bbox[-1] > bbox[0])[0])  # inside the box: does not separate
        return j, (bbox[0, j] + bbox[-1, j]) / 2

    tree._insert_point_cut = cut
    tree.insert_point(point, index="query")
    del tree._insert_point_cut
    reached = calls["outside"] == k and calls["separated"]
    value = tree.codisp("query")
    tree.forget_point("query")
    return value if reached else None


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(7)
    # Integers, distinct rows, dimensions of different ranges (the cut's dimension follows range).
    sample = np.unique(np.column_stack([rng.integers(0, 100, 200), rng.integers(0, 20, 200), rng.integers(0, 400, 200)]), axis=0)
    sample = sample[rng.permutation(len(sample))[:SAMPLE]].astype(float)
    queries = np.column_stack([rng.integers(-60, 160, QUERIES), rng.integers(-10, 30, QUERIES), rng.integers(-200, 600, QUERIES)]).astype(float)
    queries = queries[[not any((q == s).all() for s in sample) for q in queries]]
    np.savetxt(OUT / "points.csv", np.vstack([sample, queries]), fmt="%d", delimiter=",")

    tree_rows, codisp_rows = [], []
    for t in range(TREES):
        tree = rrcf.RCTree(sample, random_state=t)
        for left, right, dim, cut, point in nodes_preorder(tree):
            tree_rows.append(f"{t},{left},{right},{dim},{cut!r},{point}")
        for i in range(SAMPLE):
            tree.insert_point(sample[i], index="copy")
            codisp_rows.append(f"{t},{i},-1,{float(tree.codisp('copy'))!r}")
            tree.forget_point("copy")
        for q in range(len(queries)):
            for k in range(64):
                value = forced_codisp(tree, queries[q], k)
                if value is None:
                    break
                codisp_rows.append(f"{t},{SAMPLE + q},{k},{float(value)!r}")
    (OUT / "trees.csv").write_text("\n".join(tree_rows) + "\n")
    (OUT / "codisp.csv").write_text("\n".join(codisp_rows) + "\n")
    print(f"rrcf {rrcf.__version__}: {len(tree_rows)} nodes, {len(codisp_rows)} CoDisp values")


if __name__ == "__main__":
    main()
