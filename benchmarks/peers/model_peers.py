#!/usr/bin/python3
"""scikit-learn on the workloads of bench_metrics and bench_cluster, in the same run.

Usage: /usr/bin/python3 benchmarks/peers/model_peers.py
Prints JSON (best of 3):
- roc_auc_score on 1e7 scores, y ~ Bernoulli(0.3), score = 0.8 y + N(0, 1), and a numpy
  sort of the same scores (the floor of any sorting method);
- KMeans(algorithm="lloyd", init=the first 8 rows, n_init=1, tol=0, max_iter=20) on
  1e6 x 8 Gaussian blobs around 8 centres, seconds per iteration.
- one training epoch of a 64-32-1 relu network with Adam on 1e5 x 40 at batch 32 and 256:
  scikit-learn's MLPClassifier (max_iter=1) and PyTorch on one thread, samples per second.
The data are drawn with numpy (not clm's generator): same sizes and distributions.
"""
import json
import time

import numpy as np


def best_of(fn, repeats=3):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    from sklearn.cluster import KMeans
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(7)
    out = {}
    n = 10_000_000
    y = (rng.random(n) < 0.3).astype(np.float64)
    s = 0.8 * y + rng.standard_normal(n)
    out["roc_auc_score_1e7_s"], _ = best_of(lambda: roc_auc_score(y, s))
    out["numpy_sort_1e7_s"], _ = best_of(lambda: np.sort(s))
    centers = rng.normal(0, 1, (8, 8))  # overlapping: all 20 iterations run
    X = centers[rng.integers(0, 8, 1_000_000)] + rng.standard_normal((1_000_000, 8))
    km = KMeans(n_clusters=8, init=X[:8], n_init=1, tol=0.0, max_iter=20, algorithm="lloyd")
    t, fitted = best_of(lambda: km.fit(X))
    out["kmeans_lloyd_1e6x8_k8_s_per_iteration"] = t / fitted.n_iter_
    out["kmeans_n_iter"] = int(fitted.n_iter_)
    out.update(mlp_epochs(rng))
    print(json.dumps(out, indent=1))


def mlp_epochs(rng):
    import warnings
    from sklearn.neural_network import MLPClassifier
    n, d = 100_000, 40
    X = rng.standard_normal((n, d))
    z = X @ np.where(np.arange(d) % 3 == 0, 0.5, -0.2)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    out = {}
    for batch in (32, 256):
        clf = MLPClassifier(hidden_layer_sizes=(64, 32), batch_size=batch, max_iter=1, shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, _ = best_of(lambda: clf.fit(X, y))
        out[f"sklearn_mlp_epoch_batch{batch}_samples_per_s"] = n / t
    try:
        import torch
    except ImportError:
        out["torch"] = "not installed (apt-get install python3-torch)"
        return out
    torch.set_num_threads(1)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    for batch in (32, 256):
        net = torch.nn.Sequential(torch.nn.Linear(d, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                  torch.nn.Linear(32, 1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = torch.nn.BCEWithLogitsLoss()

        def epoch():
            perm = torch.randperm(n)
            for b in range(0, n, batch):
                idx = perm[b:b + batch]
                opt.zero_grad()
                loss = loss_fn(net(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()

        t, _ = best_of(epoch)
        out[f"torch_float32_epoch_batch{batch}_samples_per_s"] = n / t
    return out


if __name__ == "__main__":
    main()
