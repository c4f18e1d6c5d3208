"""The synthetic vector set of the approximate-neighbour comparisons (ivf_compare.py and
hnsw_compare.py --synthetic): 1,000,000 x 96 float32 vectors in 1,000 Gaussian clusters of unit
spread around centers of spread 3, and 10,000 queries from the same clusters, seeded."""
import numpy as np


def synthetic():
    rng = np.random.default_rng(7)
    centers = rng.normal(0, 3, size=(1000, 96)).astype(np.float32)

    def draw(n):
        return centers[rng.integers(0, 1000, n)] + rng.normal(0, 1, size=(n, 96)).astype(np.float32)

    return draw(1_000_000), draw(10_000)
