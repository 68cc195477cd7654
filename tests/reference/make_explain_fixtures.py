#!/usr/bin/python3
"""Reference outputs for clm/explain (tests/explain/explain.cpp) from scikit-learn 1.2
(Debian's python3-sklearn): permutation_importance and partial_dependence (method "brute").

    /usr/bin/python3 tests/reference/make_explain_fixtures.py

The models are fixed: a linear regression and a logistic regression fitted here, whose
coefficients the C++ test uses in a model of its own, so the comparison is of the
explanation methods alone (to 1e-12), not of two fits.

permutation_importance shuffles one index array in place before each repeat and applies
it to the already shuffled column, with the same seed for every column; the effective row
order of repeat r (column j of repeat r holds X[perm_r, j]) is therefore the same for all
columns. This script reproduces those orders from scikit-learn's seed, checks that
applying them by hand gives scikit-learn's importances exactly, and writes them.

Files ("rows cols" then rows):
  explain_X.txt             300 x 5 features (column 3 takes 6 values: a distinct-value grid)
  explain_y.txt             columns y_regression, y_class
  explain_models.txt        row 0: linear coef (5), intercept; row 1: logistic coef, intercept
  explain_permutations.txt  the 4 effective permutations (rows), random_state = 7
  explain_importance.txt    rows: r2 importances (5 x 4), then roc_auc importances (5 x 4);
                            then one row: baseline r2, baseline roc_auc
  explain_pd.txt            rows: feature 0 grid (20 points, percentiles 5/95), its average
                            for the logistic model's predict_proba; feature 3's grid
                            (distinct values) and average for the linear model, padded with nan
"""

import numpy as np
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score

from fixture_io import write_matrix



def effective_permutations(n, n_repeats, random_state):
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    rs = np.random.RandomState(seed)
    idx = np.arange(n)
    current = np.arange(n)
    out = []
    for _ in range(n_repeats):
        rs.shuffle(idx)
        current = current[idx]
        out.append(current.copy())
    return out


def main():
    rng = np.random.default_rng(3)
    n = 300
    X = rng.normal(size=(n, 5))
    X[:, 3] = rng.integers(0, 6, size=n)
    y_reg = 1.0 + X @ np.array([1.5, -0.7, 0.0, 0.4, 0.2]) + rng.normal(size=n)
    y_cls = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.array([1.0, -1.2, 0.3, 0.2, 0.0]) - 0.5)))).astype(float)
    write_matrix("explain_X.txt", X)
    write_matrix("explain_y.txt", np.column_stack([y_reg, y_cls]))
    lin = LinearRegression().fit(X, y_reg)
    log = LogisticRegression(C=1.0).fit(X, y_cls)
    write_matrix("explain_models.txt", [np.r_[lin.coef_, lin.intercept_], np.r_[log.coef_[0], log.intercept_]])

    perms = effective_permutations(n, 4, 7)
    write_matrix("explain_permutations.txt", perms)
    rows = []
    baselines = []
    for model, y, scoring, metric, out in ((lin, y_reg, "r2", r2_score, lin.predict),
                                           (log, y_cls, "roc_auc", roc_auc_score, lambda Z: log.predict_proba(Z)[:, 1])):
        r = permutation_importance(model, X, y, scoring=scoring, n_repeats=4, random_state=7)
        base = metric(y, out(X))
        for j in range(X.shape[1]):
            manual = []
            for p in perms:
                Z = X.copy()
                Z[:, j] = X[p, j]
                manual.append(base - metric(y, out(Z)))
            assert np.array_equal(np.array(manual), r.importances[j]), (j, manual, r.importances[j])
        rows.extend(r.importances)
        baselines.append(base)
    write_matrix("explain_importance.txt", rows + [np.r_[baselines, [np.nan] * 2]])

    pd0 = partial_dependence(log, X, [0], grid_resolution=20, percentiles=(0.05, 0.95), method="brute")
    pd3 = partial_dependence(lin, X, [3], grid_resolution=20, method="brute")
    width = 20
    pad = lambda v: np.pad(np.asarray(v, dtype=float), (0, width - len(v)), constant_values=np.nan)
    write_matrix("explain_pd.txt", [pad(pd0["values"][0]), pad(pd0["average"][0]), pad(pd3["values"][0]),
                                    pad(pd3["average"][0])])


if __name__ == "__main__":
    main()
