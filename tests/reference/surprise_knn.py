#!/usr/bin/python3
"""Reference predictions for clm's user_knn / item_knn: Surprise 1.1's neighbourhood
algorithms written out in plain Python from Surprise's source (surprise/similarities.pyx,
surprise/prediction_algorithms/knns.py, baseline_only.py / optimize_baselines.pyx,
algo_base.py), on a small generated ratings set.

Re-run from the repository root:   /usr/bin/python3 tests/reference/surprise_knn.py
(needs what make_fixtures.py needs, whose file writer it uses). Writes knn_*.txt next to
this script.

What is written out, as Surprise does it:
  - the trainset: inner ids by first appearance in the raw ratings; ur[u] and ir[i] list
    (id, rating) in the order of the raw ratings; global_mean = mean of all ratings
  - similarities (cosine, msd, pearson, pearson_baseline with shrinkage 100) summed over the
    common ratings of each pair; fewer than min_support (1) common ratings give 0; the
    diagonal is 1
  - baselines by ALS: 10 epochs of b_i = sum(r - mu - b_u) / (reg_i + |R(i)|) and then
    b_u = sum(r - mu - b_i) / (reg_u + |R(u)|), reg_i 10, reg_u 15
  - estimate(u, i): the k largest of (sim(x, x2), r) over the x2 that rated y, by
    heapq.nlargest (ties keep the earlier), then only sim > 0 is used; KNNBasic raises
    PredictionImpossible below min_k (-> the global mean), the others add nothing then
  - predict: PredictionImpossible (unknown user or item; KNNBaseline returns its baseline
    instead) -> the global mean; the estimate is clipped to the rating scale (1, 5)

The raw trainset is written in its generated (shuffled) order and clm reads the same
triples in the same order: Surprise's tie order among equal similarities (the order of
y's ratings in the trainset) must come out of clm's entry order, not out of how its ids
happen to be numbered.
"""
import heapq
import os

import numpy as np

from make_fixtures import HERE, write_matrix


def make_ratings(n_users=50, n_items=30, seed=8):
    """Ratings 1..5 from a low-rank taste model, about a third of the pairs rated."""
    rng = np.random.default_rng(seed)
    P, Q = rng.normal(0, 1, (n_users, 3)), rng.normal(0, 1, (n_items, 3))
    pairs = []
    for u in range(n_users):
        for i in range(n_items):
            if rng.random() < 0.35:
                r = int(np.clip(np.round(3 + 0.8 * P[u] @ Q[i] + rng.normal(0, 0.7)), 1, 5))
                pairs.append((u, i, r))
    idx = rng.permutation(len(pairs))
    n_test = len(pairs) // 5
    test = [pairs[k] for k in idx[:n_test]]
    train = [pairs[k] for k in idx[n_test:]]
    return train, test


class Trainset:
    def __init__(self, raw):
        self.uid, self.iid = {}, {}
        self.ur, self.ir = {}, {}
        for u, i, r in raw:
            uu = self.uid.setdefault(u, len(self.uid))
            ii = self.iid.setdefault(i, len(self.iid))
            self.ur.setdefault(uu, []).append((ii, float(r)))
            self.ir.setdefault(ii, []).append((uu, float(r)))
        self.n_users, self.n_items = len(self.uid), len(self.iid)
        self.global_mean = float(np.mean([r for _, _, r in raw]))


def baseline_als(ts, n_epochs=10, reg_u=15.0, reg_i=10.0):
    bu, bi = np.zeros(ts.n_users), np.zeros(ts.n_items)
    mu = ts.global_mean
    for _ in range(n_epochs):
        for i in range(ts.n_items):
            dev = sum(r - mu - bu[u] for u, r in ts.ir[i])
            bi[i] = dev / (reg_i + len(ts.ir[i]))
        for u in range(ts.n_users):
            dev = sum(r - mu - bi[i] for i, r in ts.ur[u])
            bu[u] = dev / (reg_u + len(ts.ur[u]))
    return bu, bi


def similarity(name, n_x, yr, min_support=1, global_mean=0.0, x_biases=None, y_biases=None, shrinkage=100.0):
    freq = np.zeros((n_x, n_x))
    prods, sqi, sqj = np.zeros((n_x, n_x)), np.zeros((n_x, n_x)), np.zeros((n_x, n_x))
    si, sj, sq_diff = np.zeros((n_x, n_x)), np.zeros((n_x, n_x)), np.zeros((n_x, n_x))
    for y, y_ratings in yr.items():
        for xi, ri in y_ratings:
            for xj, rj in y_ratings:
                freq[xi, xj] += 1
                if name == "pearson_baseline":
                    partial = global_mean + y_biases[y]
                    di, dj = ri - (partial + x_biases[xi]), rj - (partial + x_biases[xj])
                    prods[xi, xj] += di * dj
                    sqi[xi, xj] += di ** 2
                    sqj[xi, xj] += dj ** 2
                else:
                    prods[xi, xj] += ri * rj
                    sqi[xi, xj] += ri ** 2
                    sqj[xi, xj] += rj ** 2
                    si[xi, xj] += ri
                    sj[xi, xj] += rj
                    sq_diff[xi, xj] += (ri - rj) ** 2
    sim = np.zeros((n_x, n_x))
    for xi in range(n_x):
        sim[xi, xi] = 1
        for xj in range(xi + 1, n_x):
            n = freq[xi, xj]
            if n < min_support or n == 0:
                s = 0.0
            elif name == "cosine":
                s = prods[xi, xj] / np.sqrt(sqi[xi, xj] * sqj[xi, xj])
            elif name == "msd":
                s = 1 / (sq_diff[xi, xj] / n + 1)
            elif name == "pearson":
                num = n * prods[xi, xj] - si[xi, xj] * sj[xi, xj]
                den = np.sqrt((n * sqi[xi, xj] - si[xi, xj] ** 2) * (n * sqj[xi, xj] - sj[xi, xj] ** 2))
                s = 0.0 if den == 0 else num / den
            else:  # pearson_baseline; a zero denominator is 0 here (Surprise divides by zero)
                den = np.sqrt(sqi[xi, xj] * sqj[xi, xj])
                s = 0.0 if den == 0 else prods[xi, xj] / den * (n - 1) / (n - 1 + shrinkage)
            sim[xi, xj] = sim[xj, xi] = s
    return sim


class KNN:
    def __init__(self, ts, rule, user_based, sim_name, k=40, min_k=1):
        self.ts, self.rule, self.user_based, self.k, self.min_k = ts, rule, user_based, k, min_k
        self.xr, self.yr = (ts.ur, ts.ir) if user_based else (ts.ir, ts.ur)
        self.n_x = ts.n_users if user_based else ts.n_items
        self.bu, self.bi = baseline_als(ts)
        self.bx, self.by = (self.bu, self.bi) if user_based else (self.bi, self.bu)
        self.sim = similarity(sim_name, self.n_x, self.yr, 1, ts.global_mean, self.bx, self.by)
        self.means, self.sigmas = np.zeros(self.n_x), np.zeros(self.n_x)
        overall_sigma = np.std([r for ratings in ts.ur.values() for _, r in ratings])
        for x, ratings in self.xr.items():
            self.means[x] = np.mean([r for _, r in ratings])
            sigma = np.std([r for _, r in ratings])
            self.sigmas[x] = overall_sigma if sigma == 0.0 else sigma

    def estimate(self, u, i):
        """Surprise's estimate; None for PredictionImpossible."""
        ts = self.ts
        known_u, known_i = u is not None, i is not None
        if self.rule == "baseline":
            est = ts.global_mean + (self.bu[u] if known_u else 0.0) + (self.bi[i] if known_i else 0.0)
            if not (known_u and known_i):
                return est
        elif not (known_u and known_i):
            return None
        x, y = (u, i) if self.user_based else (i, u)
        nbs = [(x2, self.sim[x, x2], r) for x2, r in self.yr[y]]
        k_nbs = heapq.nlargest(self.k, nbs, key=lambda t: t[1])
        sum_sim = sum_r = actual_k = 0
        for nb, s, r in k_nbs:
            if s > 0:
                sum_sim += s
                actual_k += 1
                if self.rule == "basic":
                    sum_r += s * r
                elif self.rule == "means":
                    sum_r += s * (r - self.means[nb])
                elif self.rule == "zscore":
                    sum_r += s * (r - self.means[nb]) / self.sigmas[nb]
                else:
                    sum_r += s * (r - (ts.global_mean + self.bx[nb] + self.by[y]))
        if self.rule == "basic":
            if actual_k < self.min_k:
                return None
            return sum_r / sum_sim
        if actual_k < self.min_k:
            sum_r = 0
        base = {"means": self.means[x], "zscore": self.means[x]}.get(self.rule, est if self.rule == "baseline" else 0)
        if sum_sim == 0:
            return base
        if self.rule == "zscore":
            return base + sum_r / sum_sim * self.sigmas[x]
        return base + sum_r / sum_sim

    def predict(self, u, i):
        est = self.estimate(u, i)
        if est is None:
            est = self.ts.global_mean
        return min(5.0, max(1.0, est))


def main():
    train, test = make_ratings()
    raw = train
    ts = Trainset(raw)
    # Test pairs: the held-out ratings, and a few with a user or an item the trainset lacks.
    pairs = [(u, i) for u, i, _ in test] + [(1000, 0), (0, 1000), (1000, 1000)]
    write_matrix("knn_train.txt", np.array(raw, dtype=np.float64))
    write_matrix("knn_test.txt", np.array(pairs, dtype=np.float64))
    configs, columns = [], []
    for user_based in (True, False):
        for sim_name in ("cosine", "msd", "pearson", "pearson_baseline"):
            for rule in ("basic", "means", "zscore", "baseline"):
                for k, min_k in ((40, 1), (5, 2)):
                    algo = KNN(ts, rule, user_based, sim_name, k, min_k)
                    preds = [algo.predict(ts.uid.get(u), ts.iid.get(i)) for u, i in pairs]
                    configs.append(f"{'user' if user_based else 'item'} {sim_name} {rule} {k} {min_k}")
                    columns.append(preds)
    write_matrix("knn_predictions.txt", np.array(columns).T)
    with open(os.path.join(HERE, "knn_configs.txt"), "w") as f:
        f.write("\n".join(configs) + "\n")
    # The item-item similarities themselves (inner item ids), and the baselines.
    for sim_name in ("cosine", "msd", "pearson", "pearson_baseline"):
        bu, bi = baseline_als(ts)
        write_matrix(f"knn_item_sim_{sim_name}.txt", similarity(sim_name, ts.n_items, ts.ur, 1, ts.global_mean, bi, bu))
    bu, bi = baseline_als(ts)
    write_matrix("knn_baselines.txt", np.concatenate([[ts.global_mean], bu, bi]).reshape(-1, 1))


if __name__ == "__main__":
    main()
