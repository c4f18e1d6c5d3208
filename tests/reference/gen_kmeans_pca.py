"""scikit-learn reference results for shelf's k-means and PCA, on scikit-learn's digits data.

Writes tests/reference/kmeans_pca/:
  digits.csv                        the 1797 x 64 data (integers 0..16), the input of the tests
  pca_<name>.csv                    PCA(n_components=10, svd_solver="full"): components, explained_variance,
                                    explained_variance_ratio, singular_values, mean, and the projection of
                                    the first 8 rows; signs follow shelf's rule, svd_flip(u, v,
                                    u_based_decision=False): each component's largest-magnitude entry is positive
  kmeans_inertia.csv                KMeans(n_clusters=10, init="k-means++", n_init=10, random_state=0)
                                    inertia, and the same with init="random"

tests/decomposition/test_pca.cpp and tests/cluster/test_kmeans.cpp read them.
Run: /usr/bin/python3 tests/reference/gen_kmeans_pca.py
"""
import pathlib

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

OUT = pathlib.Path(__file__).resolve().parent / "kmeans_pca"


def write(name, array, fmt="%.17g"):
    array = np.atleast_2d(np.asarray(array, dtype=np.float64))
    np.savetxt(OUT / name, array, fmt=fmt, delimiter=",")


def main():
    OUT.mkdir(exist_ok=True)
    X = load_digits().data.astype(np.float64)
    np.savetxt(OUT / "digits.csv", X, fmt="%d", delimiter=",")

    pca = PCA(n_components=10, svd_solver="full").fit(X)
    components = pca.components_.copy()
    # shelf's sign rule (scikit-learn >= 1.5 for PCA): the largest |entry| of each component is positive.
    signs = np.sign(components[np.arange(len(components)), np.argmax(np.abs(components), axis=1)])
    components *= signs[:, None]
    write("pca_components.csv", components)
    write("pca_explained_variance.csv", pca.explained_variance_)
    write("pca_explained_variance_ratio.csv", pca.explained_variance_ratio_)
    write("pca_singular_values.csv", pca.singular_values_)
    write("pca_mean.csv", pca.mean_)
    write("pca_projection_head.csv", (X[:8] - pca.mean_) @ components.T)

    inertia = []
    for init in ("k-means++", "random"):
        km = KMeans(n_clusters=10, init=init, n_init=10, random_state=0).fit(X)
        inertia.append(km.inertia_)
    write("kmeans_inertia.csv", inertia)
    print(f"scikit-learn {sklearn.__version__}: wrote {OUT}")


if __name__ == "__main__":
    main()
