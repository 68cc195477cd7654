#!/usr/bin/python3
"""Reference fits for clm's baseline_only, funk_svd and svdpp: Surprise 1.1's BaselineOnly,
SVD and SVDpp training loops written out in plain Python from Surprise's source
(surprise/prediction_algorithms/matrix_factorization.pyx, baseline_only.py,
optimize_baselines.pyx, algo_base.py), on a small generated ratings set.

Re-run from the repository root:   /usr/bin/python3 tests/reference/surprise_mf.py
Writes mf_*.txt next to this script.

Surprise draws its starting factors from numpy's generator, which clm does not reproduce;
the script writes its starting factors and clm's test starts from the same ones
(funk_svd::fit(data, start)), so the final biases and factors must agree to rounding.

What is written out, as Surprise does it:
  - the trainset: inner ids by first appearance; ur[u] lists (item, rating) in the order
    of the raw ratings; all_ratings() visits the users in inner-id order and each user's
    ratings in that order; global_mean = numpy's mean of the ratings
  - SVD.sgd: biases at 0; per rating err = r - (mu + bu + bi + q.p), the bias steps, then
    per factor the p and q steps from the old values; biased = False drops mu and biases
  - SVDpp.sgd: the implicit sum recomputed before each rating, q's step with p + imp, the
    y steps inside the factor loop
  - estimates: mu + the known biases + the factor term when user and item are known,
    clipped to (1, 5); SVDpp's implicit term as (sum y_j) / sqrt|I_u|
"""
import numpy as np

from make_fixtures import write_matrix
from surprise_knn import Trainset, baseline_als, make_ratings


def svd(ts, P, Q, n_epochs, biased, lr=0.005, reg=0.02):
    bu, bi = np.zeros(ts.n_users), np.zeros(ts.n_items)
    pu, qi = P.copy(), Q.copy()
    mu = ts.global_mean if biased else 0.0
    f_n = pu.shape[1]
    for _ in range(n_epochs):
        for u in range(ts.n_users):
            for i, r in ts.ur[u]:
                dot = 0.0
                for f in range(f_n):
                    dot += qi[i, f] * pu[u, f]
                err = r - (mu + bu[u] + bi[i] + dot)
                if biased:
                    bu[u] += lr * (err - reg * bu[u])
                    bi[i] += lr * (err - reg * bi[i])
                for f in range(f_n):
                    puf, qif = pu[u, f], qi[i, f]
                    pu[u, f] += lr * (err * qif - reg * puf)
                    qi[i, f] += lr * (err * puf - reg * qif)
    return bu, bi, pu, qi


def svdpp(ts, P, Q, Y, n_epochs, lr=0.007, reg=0.02):
    bu, bi = np.zeros(ts.n_users), np.zeros(ts.n_items)
    pu, qi, yj = P.copy(), Q.copy(), Y.copy()
    mu = ts.global_mean
    f_n = pu.shape[1]
    for _ in range(n_epochs):
        for u in range(ts.n_users):
            Iu = [j for j, _ in ts.ur[u]]
            sqrt_Iu = np.sqrt(len(Iu))
            for i, r in ts.ur[u]:
                imp = np.zeros(f_n)
                for j in Iu:
                    for f in range(f_n):
                        imp[f] += yj[j, f] / sqrt_Iu
                dot = 0.0
                for f in range(f_n):
                    dot += qi[i, f] * (pu[u, f] + imp[f])
                err = r - (mu + bu[u] + bi[i] + dot)
                bu[u] += lr * (err - reg * bu[u])
                bi[i] += lr * (err - reg * bi[i])
                for f in range(f_n):
                    puf, qif = pu[u, f], qi[i, f]
                    pu[u, f] += lr * (err * qif - reg * puf)
                    qi[i, f] += lr * (err * (puf + imp[f]) - reg * qif)
                    for j in Iu:
                        yj[j, f] += lr * (err * qif / sqrt_Iu - reg * yj[j, f])
    return bu, bi, pu, qi, yj


def estimate(ts, mu, bu, bi, u, i, term):
    est = mu
    if u is not None:
        est += bu[u]
    if i is not None:
        est += bi[i]
    if u is not None and i is not None:
        est += term(u, i)
    return min(5.0, max(1.0, est))


def main():
    train, test = make_ratings(n_users=40, n_items=25, seed=11)
    ts = Trainset(train)
    ts.global_mean = float(np.mean([r for _, _, r in train]))
    rng = np.random.RandomState(5)
    f_n, epochs = 6, 15
    P = rng.normal(0, 0.1, (ts.n_users, f_n))
    Q = rng.normal(0, 0.1, (ts.n_items, f_n))
    Y = rng.normal(0, 0.1, (ts.n_items, f_n))
    pairs = [(u, i) for u, i, _ in test] + [(1000, 0), (0, 1000), (1000, 1000)]
    write_matrix("mf_train.txt", np.array(train, dtype=np.float64))
    write_matrix("mf_test.txt", np.array(pairs, dtype=np.float64))
    write_matrix("mf_start.txt", np.vstack([P, Q, Y]))

    bu, bi, pu, qi = svd(ts, P, Q, epochs, True)
    write_matrix("mf_svd.txt", np.vstack([np.column_stack([bu, pu]), np.column_stack([bi, qi])]))
    preds = [[estimate(ts, ts.global_mean, bu, bi, ts.uid.get(u), ts.iid.get(i),
                       lambda a, b: float(np.dot(qi[b], pu[a]))) for u, i in pairs]]
    ubu, ubi, upu, uqi = svd(ts, P, Q, epochs, False)
    write_matrix("mf_svd_unbiased.txt", np.vstack([upu, uqi]))

    bu2, bi2, pu2, qi2, yj2 = svdpp(ts, P, Q, Y, epochs)
    write_matrix("mf_svdpp.txt", np.vstack([np.column_stack([bu2, pu2]), np.column_stack([bi2, qi2]),
                                            np.column_stack([np.zeros(ts.n_items), yj2])]))

    def svdpp_term(a, b):
        Iu = [j for j, _ in ts.ur[a]]
        imp = sum(yj2[j] for j in Iu) / np.sqrt(len(Iu))
        return float(np.dot(qi2[b], pu2[a] + imp))
    preds.append([estimate(ts, ts.global_mean, bu2, bi2, ts.uid.get(u), ts.iid.get(i), svdpp_term)
                  for u, i in pairs])
    bbu, bbi = baseline_als(ts)
    preds.append([estimate(ts, ts.global_mean, bbu, bbi, ts.uid.get(u), ts.iid.get(i), lambda a, b: 0.0)
                  for u, i in pairs])
    write_matrix("mf_predictions.txt", np.array(preds).T)


if __name__ == "__main__":
    main()
