"""scikit-learn reference results for shelf's k-NN (brute-force search in float64).

Writes tests/reference/knn/:
  blobs.csv            600 x 12 float32 points (label, then features): 500 indexed rows, then 100 queries;
                       labels 0..3 from the blob each point was drawn around
  blobs_neighbors.csv  per query: the ids of its 7 nearest indexed rows, then their squared distances
                       (summed directly, not by scikit-learn's expansion)
  blobs_cosine.csv     the same under cosine similarity (ids, then similarities), largest first
  blobs_ip.csv         the same under the inner product
  blobs_predict.csv    per query: KNeighborsClassifier(7) and KNeighborsRegressor(7) predictions, and
                       whether the classifier's vote was tied (then the two libraries' rules differ)
  digits_labels.csv    the labels of tests/reference/kmeans_pca/digits.csv
  digits_predict.csv   KNeighborsClassifier(5) on digits rows 0..1499, predicting rows 1500..1796,
                       with the tie flag as above

tests/neighbors/test_knn.cpp reads them.
Run: build/peers/bin/python tests/reference/gen_knn.py   (bench/compare/setup.sh makes build/peers)
"""
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors

OUT = pathlib.Path(__file__).resolve().parent / "knn"


def tied(neighbor_labels):
    """Whether the most frequent label of each row is shared by another label."""
    out = []
    for row in neighbor_labels:
        _, counts = np.unique(row, return_counts=True)
        out.append(int((counts == counts.max()).sum() > 1))
    return np.array(out)


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, size=(4, 12))
    y = rng.integers(0, 4, size=600)
    X = (centers[y] + rng.normal(0, 2, size=(600, 12))).astype(np.float32)
    np.savetxt(OUT / "blobs.csv", np.column_stack([y, X]), fmt="%.9g", delimiter=",")
    X = np.loadtxt(OUT / "blobs.csv", delimiter=",")[:, 1:]  # the values as the tests read them
    base, queries = X[:500], X[500:]
    k = 7

    _, ids = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(base).kneighbors(queries)
    # scikit-learn's distances come from the expansion |x|^2 + |y|^2 - 2 x.y (off by about 1e-9 here):
    # the fixture holds the direct sums of squared differences, and checks the neighbours agree.
    exact = ((queries[:, None, :] - base[None, :, :]) ** 2).sum(axis=2)
    order = np.lexsort((np.broadcast_to(np.arange(500), exact.shape), exact), axis=1)[:, :k]
    assert (order == ids).all(), "scikit-learn's neighbours differ from the exact ones"
    np.savetxt(OUT / "blobs_neighbors.csv", np.column_stack([ids, np.take_along_axis(exact, ids, 1)]), fmt="%.17g",
               delimiter=",")
    for name, b, q in [("cosine", base / np.linalg.norm(base, axis=1, keepdims=True),
                        queries / np.linalg.norm(queries, axis=1, keepdims=True)), ("ip", base, queries)]:
        similarity = q @ b.T
        order = np.lexsort((np.broadcast_to(np.arange(500), similarity.shape), -similarity), axis=1)[:, :k]
        np.savetxt(OUT / f"blobs_{name}.csv", np.column_stack([order, np.take_along_axis(similarity, order, 1)]),
                   fmt="%.17g", delimiter=",")

    classifier = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(base, y[:500])
    regressor = KNeighborsRegressor(n_neighbors=k, algorithm="brute").fit(base, y[:500].astype(np.float64))
    np.savetxt(OUT / "blobs_predict.csv",
               np.column_stack([classifier.predict(queries), regressor.predict(queries), tied(y[:500][ids])]),
               fmt="%.17g", delimiter=",")

    digits = load_digits()
    np.savetxt(OUT / "digits_labels.csv", digits.target, fmt="%d")
    train, test = digits.data[:1500], digits.data[1500:]
    model = KNeighborsClassifier(n_neighbors=5, algorithm="brute").fit(train, digits.target[:1500])
    _, digit_ids = model.kneighbors(test)
    np.savetxt(OUT / "digits_predict.csv", np.column_stack([model.predict(test), tied(digits.target[:1500][digit_ids])]),
               fmt="%d", delimiter=",")
    print(f"scikit-learn {sklearn.__version__}: wrote {OUT}")


if __name__ == "__main__":
    main()
