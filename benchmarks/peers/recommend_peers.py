#!/usr/bin/python3
"""scikit-learn on the workloads of bench_recommend, in the same run.

Usage: /usr/bin/python3 benchmarks/peers/recommend_peers.py
Prints JSON (best of 3): scikit-learn's cosine_similarity(dense_output=True) of the items of a
scipy CSR matrix of 50k users x 5k items with 1M ratings, and the top-20 neighbours of every
item from that matrix by argpartition. The ratings are drawn as bench_recommend draws them
(item popularity ~ 1 / (rank + 50), user activity lognormal(0, 1), 1.25 x nnz draws with
duplicates merged and the excess dropped) with numpy's generator, not clm's: same sizes and
distributions; spgemm_multiply_adds (sum over users of count^2) states the work of each.
Surprise (the rating-prediction peer) is not on Debian, so its figures come from the issue
that set the goal.
"""
import json

import numpy as np

from model_peers import best_of


def make_ratings(n_users, n_items, nnz, seed):
    import scipy.sparse as sp
    rng = np.random.default_rng(seed)
    item_p = rng.permutation(1.0 / (np.arange(n_items) + 50.0))
    user_p = np.exp(rng.standard_normal(n_users))
    m = nnz + nnz // 4
    u = rng.choice(n_users, m, p=user_p / user_p.sum())
    i = rng.choice(n_items, m, p=item_p / item_p.sum())
    key = np.unique(u.astype(np.int64) * n_items + i)
    if key.size > nnz:
        key = np.sort(rng.choice(key, nnz, replace=False))
    r = rng.integers(1, 6, key.size).astype(np.float64)
    return sp.csr_matrix((r, (key // n_items, key % n_items)), shape=(n_users, n_items))


def main():
    from sklearn.metrics.pairwise import cosine_similarity
    R = make_ratings(50_000, 5_000, 1_000_000, 4)
    counts = np.diff(R.indptr).astype(np.float64)
    RT = R.T.tocsr()
    out = {"nnz": int(R.nnz), "spgemm_multiply_adds": float((counts ** 2).sum())}
    out["sklearn_cosine_similarity_50kx5k_1M_s"], S = best_of(lambda: cosine_similarity(RT, dense_output=True))

    def top20(S):
        np.fill_diagonal(S, -np.inf)
        idx = np.argpartition(-S, 20, axis=1)[:, :20]
        order = np.argsort(-np.take_along_axis(S, idx, 1), axis=1)
        return np.take_along_axis(idx, order, 1)
    t_top, _ = best_of(lambda: top20(S))
    out["numpy_top20_from_dense_s"] = t_top
    out["sklearn_cosine_plus_top20_s"] = out["sklearn_cosine_similarity_50kx5k_1M_s"] + t_top
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
