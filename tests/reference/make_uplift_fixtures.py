#!/usr/bin/python3
"""Reference values for clm/uplift/metrics.hpp (tests/uplift/uplift.cpp): scikit-uplift
0.5's metric definitions (sklift.metrics: uplift_curve, qini_curve, perfect_uplift_curve,
perfect_qini_curve, uplift_auc_score, qini_auc_score, uplift_at_k), written out here in
numpy from their documented definitions, since scikit-uplift is not packaged in Debian.
Scores have many ties.

    /usr/bin/python3 tests/reference/make_uplift_fixtures.py

Files ("rows cols" then rows):
  uplift_inputs.txt    columns y, treatment, uplift
  uplift_curves.txt    four curves, each two rows (N, value), padded with nan:
                       uplift, qini, perfect uplift, perfect qini (negative effect)
  uplift_scores.txt    one row: auuc, qini (negative_effect), qini (no negative effect),
                       uplift@k overall for k = 0.1, 0.3, 0.5, by_group for the same k
"""

import numpy as np

from fixture_io import write_matrix



def cumulative(y, score, t):
    order = np.argsort(score, kind="mergesort")[::-1]
    y, score, t = y[order], score[order], t[order]
    y_trmnt = np.where(t == 1, y, 0)
    y_ctrl = np.where(t == 0, y, 0)
    idx = np.r_[np.where(np.diff(score))[0], score.size - 1]
    num_trmnt = np.cumsum(t)[idx]
    num_all = idx + 1
    num_ctrl = num_all - num_trmnt
    return num_all, num_trmnt, num_ctrl, np.cumsum(y_trmnt)[idx], np.cumsum(y_ctrl)[idx]


def uplift_curve(y, score, t):
    n, nt, nc, yt, yc = cumulative(y, score, t)
    rt = np.divide(yt, nt, out=np.zeros(len(n)), where=nt != 0)
    rc = np.divide(yc, nc, out=np.zeros(len(n)), where=nc != 0)
    return np.r_[0, n], np.r_[0, (rt - rc) * n]


def qini_curve(y, score, t):
    n, nt, nc, yt, yc = cumulative(y, score, t)
    ratio = np.divide(nt, nc, out=np.zeros(len(n)), where=nc != 0)
    return np.r_[0, n], np.r_[0, yt - yc * ratio]


def perfect_uplift_curve(y, t):
    cr = np.sum((y == 1) & (t == 0))
    tn = np.sum((y == 0) & (t == 1))
    summand = y if cr > tn else t
    return uplift_curve(y, 2 * (y == t) + summand, t)


def perfect_qini_curve(y, t, negative_effect=True):
    if negative_effect:
        return qini_curve(y, y * t - y * (1 - t), t)
    r = y[t == 1].sum() - (t == 1).sum() * y[t == 0].sum() / (t == 0).sum()
    return np.array([0, r, len(y)]), np.array([0, r, r])


def trapezoid(x, v):
    return float(np.sum(np.diff(x) * (v[1:] + v[:-1]) / 2))


def normalised(actual, perfect):
    base = perfect[0][-1] * perfect[1][-1] / 2
    return (trapezoid(*actual) - base) / (trapezoid(*perfect) - base)


def uplift_at_k(y, score, t, k, strategy):
    order = np.argsort(score, kind="mergesort")[::-1]
    ys, ts = y[order], t[order]
    if strategy == "overall":
        m = int(len(y) * k)
        return ys[:m][ts[:m] == 1].mean() - ys[:m][ts[:m] == 0].mean()
    mt, mc = int((t == 1).sum() * k), int((t == 0).sum() * k)
    return ys[ts == 1][:mt].mean() - ys[ts == 0][:mc].mean()


def main():
    rng = np.random.default_rng(24)
    n = 200
    t = (rng.random(n) < 0.45).astype(float)
    x = rng.normal(size=n)
    y = (rng.random(n) < 0.3 + 0.25 * t * (x > 0) - 0.1 * t * (x < -1)).astype(float)
    score = np.round(x + rng.normal(scale=0.7, size=n), 1)  # ties
    write_matrix("uplift_inputs.txt", np.column_stack([y, t, score]))
    curves = [uplift_curve(y, score, t), qini_curve(y, score, t), perfect_uplift_curve(y, t), perfect_qini_curve(y, t)]
    width = max(len(c[0]) for c in curves)
    rows = []
    for xs, vs in curves:
        rows.append(np.pad(xs.astype(float), (0, width - len(xs)), constant_values=np.nan))
        rows.append(np.pad(vs.astype(float), (0, width - len(vs)), constant_values=np.nan))
    write_matrix("uplift_curves.txt", rows)
    scores = [normalised(curves[0], curves[2]), normalised(curves[1], curves[3]),
              normalised(curves[1], perfect_qini_curve(y, t, negative_effect=False))]
    scores += [uplift_at_k(y, score, t, k, "overall") for k in (0.1, 0.3, 0.5)]
    scores += [uplift_at_k(y, score, t, k, "by_group") for k in (0.1, 0.3, 0.5)]
    write_matrix("uplift_scores.txt", [scores])


if __name__ == "__main__":
    main()
