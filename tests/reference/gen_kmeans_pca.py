"""scikit-learn reference results for shelf's k-means and PCA, on scikit-learn's digits data and
on a slice of Fashion-MNIST (Debian's dataset-fashion-mnist).

Writes tests/reference/kmeans_pca/:
  digits.csv                        the 1797 x 64 data (integers 0..16), the input of the tests
  pca_<name>.csv                    PCA(n_components=10, svd_solver="full"): components, explained_variance,
                                    explained_variance_ratio, singular_values, mean, and the projection of
                                    the first 8 rows; signs follow shelf's rule, svd_flip(u, v,
                                    u_based_decision=False): each component's largest-magnitude entry is positive
  kmeans_inertia.csv                KMeans(n_clusters=10, init="k-means++", n_init=10, random_state=0)
                                    inertia, and the same with init="random"
  fashion600.csv                    the first 600 Fashion-MNIST training images, 600 x 784 (integers 0..255)
  fashion_kmeans_inertia.csv        KMeans(n_clusters=10, init="k-means++", n_init=3, random_state=0) inertia on them
  fashion_pca_<name>.csv            PCA(n_components=10, svd_solver="full") on them: components (same sign
                                    rule as above), explained_variance_ratio

tests/decomposition/test_pca.cpp and tests/cluster/test_kmeans.cpp read them.
Run: /usr/bin/python3 tests/reference/gen_kmeans_pca.py
"""
import gzip
import pathlib

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

OUT = pathlib.Path(__file__).resolve().parent / "kmeans_pca"
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")


def write(name, array, fmt="%.17g"):
    array = np.atleast_2d(np.asarray(array, dtype=np.float64))
    np.savetxt(OUT / name, array, fmt=fmt, delimiter=",")


def signed_components(pca):
    """Components with shelf's sign rule: each one's largest-magnitude entry is positive."""
    components = pca.components_.copy()
    signs = np.sign(components[np.arange(len(components)), np.argmax(np.abs(components), axis=1)])
    return components * signs[:, None]


def fashion_slice(rows):
    with gzip.open(FASHION, "rb") as f:
        data = f.read()
    n, height, width = (int.from_bytes(data[4 * i:4 * i + 4], "big") for i in (1, 2, 3))
    assert int.from_bytes(data[:4], "big") == 0x803 and n >= rows, f"{FASHION}: not an idx3 image file"
    return np.frombuffer(data[16:16 + rows * height * width], dtype=np.uint8).reshape(rows, height * width)


def main():
    OUT.mkdir(exist_ok=True)
    X = load_digits().data.astype(np.float64)
    np.savetxt(OUT / "digits.csv", X, fmt="%d", delimiter=",")

    pca = PCA(n_components=10, svd_solver="full").fit(X)
    # shelf's sign rule (scikit-learn >= 1.5 for PCA): the largest |entry| of each component is positive.
    components = signed_components(pca)
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

    F = fashion_slice(600)
    np.savetxt(OUT / "fashion600.csv", F, fmt="%d", delimiter=",")
    F = F.astype(np.float64)
    km = KMeans(n_clusters=10, init="k-means++", n_init=3, random_state=0).fit(F)
    write("fashion_kmeans_inertia.csv", [km.inertia_])
    pca = PCA(n_components=10, svd_solver="full").fit(F)
    write("fashion_pca_components.csv", signed_components(pca))
    write("fashion_pca_explained_variance_ratio.csv", pca.explained_variance_ratio_)
    print(f"scikit-learn {sklearn.__version__}: wrote {OUT}")


if __name__ == "__main__":
    main()
