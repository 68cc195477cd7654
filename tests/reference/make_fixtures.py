#!/usr/bin/python3
"""Reference fixtures for clm's tests, computed with Debian's python3-sklearn / numpy.

Re-run from the repository root:   /usr/bin/python3 tests/reference/make_fixtures.py
(needs: apt-get install python3-sklearn python3-numpy). Writes small text files next to
this script; the C++ tests read them (tests/support/fixtures.hpp).

Matrix file format: first line "rows cols", then one row per line, numbers written with
repr() (shortest text that round-trips a double), "nan" for NaN.
"""
import os

import numpy as np
import sklearn
from sklearn.preprocessing import StandardScaler

from fixture_io import write_matrix

HERE = os.path.dirname(os.path.abspath(__file__))


def standard_scaler():
    rng = np.random.default_rng(20261128)
    n = 200
    X = np.column_stack([
        rng.normal(5.0, 2.0, n),               # ordinary
        rng.gamma(2.0, 30.0, n),               # skewed, order values
        np.full(n, 3.7),                       # constant: scale 1
        1e6 + rng.normal(0.0, 1e-3, n),        # large mean, tiny spread
        rng.integers(0, 5, n).astype(float),   # counts
        rng.normal(0.0, 1e-9, n),              # tiny but not constant
    ])
    X[rng.choice(n, 15, replace=False), 1] = np.nan   # missing values
    X_new = rng.normal(2.0, 10.0, (20, X.shape[1]))
    X_new[3, 4] = np.nan
    write_matrix("standard_scaler_X.txt", X)
    write_matrix("standard_scaler_X_new.txt", X_new)
    for with_mean, with_std, tag in [(True, True, "default"), (False, True, "no_mean"),
                                     (True, False, "no_std")]:
        s = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
        write_matrix(f"standard_scaler_{tag}_transform.txt", s.transform(X_new))
        if tag == "default":
            write_matrix("standard_scaler_stats.txt",
                         np.vstack([s.mean_, s.var_, s.scale_, s.n_samples_seen_]))


if __name__ == "__main__":
    print("scikit-learn", sklearn.__version__, "numpy", np.__version__)
    standard_scaler()


# --- preprocessing and feature transforms -------------------------------------------
from sklearn.feature_selection import SelectKBest, VarianceThreshold, chi2, f_classif, mutual_info_classif
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, PolynomialFeatures, RobustScaler


def write_names(name, names):
    with open(os.path.join(HERE, name), "w") as f:
        f.write("\n".join(str(n) for n in names) + "\n")


def transforms():
    rng = np.random.default_rng(7)
    n = 200
    X = np.column_stack([
        rng.normal(10.0, 3.0, n),
        rng.gamma(1.5, 40.0, n),
        rng.integers(0, 4, n).astype(float),   # ties: quantiles, mode
        np.full(n, -2.5),                      # constant
        rng.exponential(2.0, n),
        rng.uniform(-1.0, 1.0, n),
    ])
    X[rng.choice(n, 20, replace=False), 1] = np.nan
    X[rng.choice(n, 7, replace=False), 2] = np.nan
    X_new = np.column_stack([
        rng.normal(10.0, 6.0, 30), rng.gamma(1.5, 60.0, 30), rng.integers(-1, 6, 30).astype(float),
        rng.normal(-2.5, 1.0, 30), rng.exponential(3.0, 30), rng.uniform(-2.0, 2.0, 30)])
    X_new[[2, 5], 1] = np.nan
    X_new[7, 2] = np.nan
    write_matrix("prep_X.txt", X)
    write_matrix("prep_X_new.txt", X_new)

    write_matrix("min_max_default.txt", MinMaxScaler().fit(X).transform(X_new))
    write_matrix("min_max_range_clip.txt", MinMaxScaler(feature_range=(-1, 2), clip=True).fit(X).transform(X_new))
    write_matrix("robust_default.txt", RobustScaler().fit(X).transform(X_new))
    write_matrix("robust_10_90.txt", RobustScaler(quantile_range=(10.0, 90.0)).fit(X).transform(X_new))
    for strategy in ["mean", "median", "most_frequent"]:
        write_matrix(f"imputer_{strategy}.txt", SimpleImputer(strategy=strategy).fit(X).transform(X_new))
    write_matrix("imputer_constant.txt",
                 SimpleImputer(strategy="constant", fill_value=-7.0).fit(X).transform(X_new))
    # Winsorising: numpy percentiles and clip (no scikit-learn namesake).
    lo, hi = np.nanpercentile(X, [5.0, 95.0], axis=0)
    write_matrix("clipper_5_95.txt", np.clip(X_new, lo, hi))
    Xpos = np.abs(np.nan_to_num(X_new))
    write_matrix("log1p_input.txt", Xpos)
    write_matrix("log1p.txt", np.log1p(Xpos))
    Xf = np.nan_to_num(X)[:, [0, 2, 4]]
    write_matrix("poly_input.txt", Xf)
    p2 = PolynomialFeatures(degree=2).fit(Xf)
    write_matrix("poly_degree2.txt", p2.transform(Xf))
    write_names("poly_degree2_names.txt", p2.get_feature_names_out(["a", "b", "c"]))
    p3 = PolynomialFeatures(degree=3, interaction_only=True, include_bias=False).fit(Xf)
    write_matrix("poly_degree3_interaction.txt", p3.transform(Xf))
    write_names("poly_degree3_interaction_names.txt", p3.get_feature_names_out(["a", "b", "c"]))
    vt = VarianceThreshold().fit(X)
    write_matrix("variance_threshold_0.txt", np.vstack([vt.variances_, vt.get_support().astype(float)]))
    vt2 = VarianceThreshold(threshold=1.0).fit(X)
    write_matrix("variance_threshold_1.txt", np.vstack([vt2.variances_, vt2.get_support().astype(float)]))

    # Feature selection against a label.
    m = 300
    Z = np.column_stack([rng.normal(0, 1, m), rng.normal(0, 1, m), rng.gamma(2.0, 1.0, m),
                         rng.exponential(1.0, m), rng.uniform(0, 1, m)])
    y = (Z[:, 0] + 0.5 * Z[:, 2] + rng.normal(0, 1, m) > 1.0).astype(float)
    Z[:, 1] += 0.8 * y
    write_matrix("select_X.txt", Z)
    write_matrix("select_y.txt", y.reshape(-1, 1))
    Zc = np.abs(Z)
    write_matrix("select_X_nonneg.txt", Zc)
    write_matrix("select_scores.txt", np.vstack([
        f_classif(Z, y)[0], chi2(Zc, y)[0], mutual_info_classif(Z, y, random_state=0)]))
    D = rng.integers(0, 4, (m, 3)).astype(float)
    D[:, 0] = np.where(y == 1, rng.integers(0, 2, m), rng.integers(1, 4, m))
    write_matrix("select_X_discrete.txt", D)
    write_matrix("select_scores_discrete.txt",
                 mutual_info_classif(D, y, discrete_features=True).reshape(1, -1))
    write_matrix("select_k2_support.txt",
                 SelectKBest(f_classif, k=2).fit(Z, y).get_support().astype(float).reshape(1, -1))

    # Categorical encoders on a small table with missing values.
    import pandas as pd
    cities = np.array(["Paris", "Lyon", "Nice", "Lille"])
    plans = np.array(["basic", "pro"])
    t = pd.DataFrame({"city": rng.choice(cities, 40), "plan": rng.choice(plans, 40),
                      "channel": rng.choice(np.array(["web", "app", "store"]), 40)})
    t.loc[[3, 17], "channel"] = np.nan
    t.to_csv(os.path.join(HERE, "categorical.csv"), index=False)
    t_new = pd.DataFrame({"city": ["Nice", "Paris", "Lille"], "plan": ["pro", "basic", "pro"],
                          "channel": ["app", np.nan, "web"]})
    t_new.to_csv(os.path.join(HERE, "categorical_new.csv"), index=False)
    for drop, tag in [(None, "none"), ("first", "first"), ("if_binary", "if_binary")]:
        enc = OneHotEncoder(drop=drop, sparse_output=False).fit(t)
        write_matrix(f"one_hot_{tag}.txt", enc.transform(t_new))
        write_names(f"one_hot_{tag}_names.txt", enc.get_feature_names_out())
    ords = OrdinalEncoder().fit(t)
    write_matrix("ordinal.txt", ords.transform(t_new))


if __name__ == "__main__":
    transforms()


# --- linear models ------------------------------------------------------------------
from sklearn.linear_model import LogisticRegression, Ridge


def linear_models():
    rng = np.random.default_rng(42)
    n, d = 400, 6
    X = rng.normal(0.0, 1.0, (n, d)) * np.array([1.0, 5.0, 0.1, 2.0, 1.0, 30.0]) + np.array([0, 3, -1, 10, 0, 100])
    beta = np.array([1.5, -0.3, 4.0, 0.0, 2.0, 0.05])
    y = X @ beta + 3.0 + rng.normal(0.0, 0.5, n)
    write_matrix("linear_X.txt", X)
    write_matrix("linear_y.txt", y.reshape(-1, 1))
    # OLS by numpy's lstsq on [X, 1]
    A = np.column_stack([X, np.ones(n)])
    sol = np.linalg.lstsq(A, y, rcond=None)[0]
    write_matrix("ols_solution.txt", sol.reshape(1, -1))
    # Rank deficient: duplicated and zero columns; the minimum-norm solution (no intercept).
    R = np.column_stack([X[:, 0], X[:, 0], np.zeros(n), X[:, 1], 2.0 * X[:, 1]])
    write_matrix("rank_deficient_X.txt", R)
    write_matrix("rank_deficient_solution.txt", np.linalg.lstsq(R, y, rcond=None)[0].reshape(1, -1))
    r = Ridge(alpha=10.0).fit(X, y)
    write_matrix("ridge_10.txt", np.append(r.coef_, r.intercept_).reshape(1, -1))
    sw = rng.uniform(0.1, 3.0, n)
    write_matrix("linear_sample_weight.txt", sw.reshape(-1, 1))
    r = Ridge(alpha=1.0).fit(X, y, sample_weight=sw)
    write_matrix("ridge_1_weighted.txt", np.append(r.coef_, r.intercept_).reshape(1, -1))

    # Logistic regression. The reference is scikit-learn's exact minimiser (solver
    # newton-cholesky, tol 1e-12). Its lbfgs at tol 1e-10 can stop early (scipy's relative
    # decrease test): at C = 0.1 on this data it stops with max |gradient| 6e-4.
    logit = 0.8 * X[:, 0] - 0.2 * (X[:, 1] - 3) + 2.0 * (X[:, 2] + 1) - 0.5
    yc = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(float)
    yc[:60] = 0.0  # make the classes unbalanced
    write_matrix("logistic_y.txt", yc.reshape(-1, 1))
    Xs = (X - X.mean(0)) / X.std(0)
    write_matrix("logistic_X.txt", Xs)
    rows = []
    configs = [dict(C=1.0), dict(C=0.1), dict(C=1.0, class_weight="balanced"), dict(C=10.0, fit_intercept=False)]
    for cfg in configs:
        m = LogisticRegression(tol=1e-12, max_iter=1000, solver="newton-cholesky", **cfg).fit(Xs, yc)
        rows.append(np.append(m.coef_.ravel(), m.intercept_[0] if m.fit_intercept else 0.0))
    m = LogisticRegression(C=0.5, tol=1e-12, max_iter=1000, solver="newton-cholesky").fit(Xs, yc, sample_weight=sw)
    rows.append(np.append(m.coef_.ravel(), m.intercept_[0]))
    write_matrix("logistic_solutions.txt", np.vstack(rows))
    write_matrix("logistic_proba.txt", LogisticRegression(C=1.0, tol=1e-12, solver="newton-cholesky").fit(Xs, yc)
                 .predict_proba(Xs[:20])[:, 1].reshape(-1, 1))
    # Where scikit-learn's default lbfgs stops (scipy's L-BFGS-B: the gradient rule or a
    # relative decrease of the summed objective <= 1e7 x machine epsilon): per configuration
    # n_iter_, the summed objective, the coefficients and the intercept.
    rows = []
    for cfg in configs:
        m = LogisticRegression(tol=1e-6, **cfg).fit(Xs, yc)
        z = Xs @ m.coef_.ravel() + (m.intercept_[0] if m.fit_intercept else 0.0)
        s = np.where(yc > 0.5, 1.0, 1.0)
        if cfg.get("class_weight") == "balanced":
            n1 = yc.sum()
            s = np.where(yc > 0.5, len(yc) / (2 * n1), len(yc) / (2 * (len(yc) - n1)))
        f = np.sum(s * np.logaddexp(0.0, -np.where(yc > 0.5, z, -z))) + 0.5 * np.sum(m.coef_ ** 2) / cfg["C"]
        rows.append(np.concatenate([[m.n_iter_[0], f], m.coef_.ravel(), [m.intercept_[0] if m.fit_intercept else 0.0]]))
    write_matrix("logistic_sklearn_lbfgs.txt", np.vstack(rows))


if __name__ == "__main__":
    linear_models()


# --- metrics --------------------------------------------------------------------------
def metrics():
    from sklearn import metrics as m
    rng = np.random.default_rng(5)
    n = 500
    y = (rng.random(n) < 0.3).astype(float)
    score = np.round(rng.normal(0, 1, n) + 1.2 * y, 1)   # rounded: many ties
    prob = 1.0 / (1.0 + np.exp(-score))
    prob[:3] = [0.0, 1.0, 1.0]                            # clipping cases
    y[:3] = [1.0, 0.0, 1.0]
    pred = (score > 0.3).astype(float)
    write_matrix("metrics_inputs.txt", np.column_stack([y, score, prob, pred]))
    write_matrix("metrics_classification.txt", np.array([[
        m.accuracy_score(y, pred), m.precision_score(y, pred), m.recall_score(y, pred),
        m.f1_score(y, pred), m.fbeta_score(y, pred, beta=2.0), m.roc_auc_score(y, score),
        m.log_loss(y, prob), m.brier_score_loss(y, prob)]]))
    write_matrix("metrics_confusion.txt", m.confusion_matrix(y, pred).ravel().reshape(1, -1))
    t = rng.gamma(2.0, 10.0, n)
    p = t + rng.normal(0, 3, n)
    write_matrix("metrics_regression_inputs.txt", np.column_stack([t, p]))
    write_matrix("metrics_regression.txt", np.array([[
        m.mean_squared_error(t, p), m.mean_squared_error(t, p, squared=False), m.mean_absolute_error(t, p),
        m.r2_score(t, p), m.mean_absolute_percentage_error(t, p)]]))


if __name__ == "__main__":
    metrics()


# --- curves, ranking and clustering metrics ------------------------------------------
def curves():
    from sklearn import metrics as m
    from sklearn.calibration import calibration_curve
    inp = np.loadtxt(os.path.join(HERE, "metrics_inputs.txt"), skiprows=1)
    y, score, prob = inp[:, 0], inp[:, 1], inp[:, 2]
    fpr, tpr, thr = m.roc_curve(y, score)
    # scikit-learn 1.2 puts max(score) + 1 first; clm puts +inf (as scikit-learn >= 1.3).
    write_matrix("metrics_roc_curve.txt", np.column_stack([fpr, tpr, np.r_[np.inf, thr[1:]]]))
    fpr, tpr, thr = m.roc_curve(y, score, drop_intermediate=False)
    write_matrix("metrics_roc_curve_all.txt", np.column_stack([fpr, tpr, np.r_[np.inf, thr[1:]]]))
    p, r, t = m.precision_recall_curve(y, score)
    write_matrix("metrics_pr_curve.txt", np.column_stack([p, r, np.r_[t, np.nan]]))
    cal = []
    for strategy in ("uniform", "quantile"):
        for bins in (5, 10):
            pt, pp = calibration_curve(y, prob, n_bins=bins, strategy=strategy)
            cal.append(np.column_stack([np.full(len(pt), bins), np.full(len(pt), strategy == "quantile"), pt, pp]))
    write_matrix("metrics_calibration.txt", np.vstack(cal))
    write_matrix("metrics_scores.txt", np.array([[m.average_precision_score(y, score), m.roc_auc_score(y, prob)]]))

    # Clustering: three blobs near the origin, labels as given.
    rng = np.random.default_rng(11)
    centers = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -1.0], [-2.0, 2.5, 1.0]])
    lab = rng.integers(0, 3, 300)
    X = centers[lab] + rng.normal(0, 1.0, (300, 3))
    lab[:2] = [7, 7]                 # labels need not be 0..k-1: a fourth cluster of two rows
    write_matrix("metrics_cluster_inputs.txt", np.column_stack([X, lab]))
    write_matrix("metrics_clustering.txt", np.array([[
        m.silhouette_score(X, lab), m.davies_bouldin_score(X, lab)]]))


def ranking():
    """Per-user ranking metrics, written out independently of clm; ndcg cross-checked with
    scikit-learn's ndcg_score on untied scores."""
    from sklearn.metrics import ndcg_score
    rng = np.random.default_rng(3)
    n_users, n_items, k = 40, 30, 5
    rec, rel = [], []
    for u in range(n_users):
        rec.append(list(rng.permutation(n_items)[:10]))
        rel.append(sorted(set(rng.integers(0, n_items, rng.integers(0, 6)).tolist())))
    rel[0] = []                      # users without relevant items are left out
    with open(os.path.join(HERE, "ranking_inputs.txt"), "w") as f:
        for u in range(n_users):
            f.write(" ".join(map(str, rec[u])) + " | " + " ".join(map(str, rel[u])) + "\n")

    def per_user(fn):
        vals = [fn(rec[u], set(rel[u])) for u in range(n_users) if rel[u]]
        return float(np.mean(vals))

    def prec(r, s): return sum(i in s for i in r[:k]) / k
    def rec_(r, s): return sum(i in s for i in r[:k]) / len(s)
    def hit(r, s): return float(any(i in s for i in r[:k]))
    def ndcg(r, s):
        dcg = sum(1 / np.log2(i + 2) for i, x in enumerate(r[:k]) if x in s)
        return dcg / sum(1 / np.log2(i + 2) for i in range(min(k, len(s))))
    def ap(r, s):
        hits, tot = 0, 0.0
        for i, x in enumerate(r[:k]):
            if x in s:
                hits += 1
                tot += hits / (i + 1)
        return tot / min(k, len(s))
    def rr(r, s):
        for i, x in enumerate(r):
            if x in s:
                return 1 / (i + 1)
        return 0.0

    # scikit-learn's ndcg_score over the catalogue: scores decreasing along the list.
    truth, scores = [], []
    for u in range(n_users):
        if not rel[u]:
            continue
        t = np.zeros(n_items); t[rel[u]] = 1
        s = np.zeros(n_items) - 1 - rng.random(n_items) * 0.5  # unlisted items below the list
        for i, x in enumerate(rec[u]):
            s[x] = 10 - i
        truth.append(t); scores.append(s)
    ndcg_sk = ndcg_score(np.array(truth), np.array(scores), k=k)
    cover = len({x for r in rec for x in r[:k]}) / n_items
    write_matrix("ranking_metrics.txt", np.array([[
        per_user(prec), per_user(rec_), per_user(hit), per_user(ndcg), ndcg_sk, per_user(ap), per_user(rr), cover]]))


if __name__ == "__main__":
    curves()
    ranking()


# --- splits ---------------------------------------------------------------------------
def splits():
    from sklearn.model_selection import GroupKFold, KFold, TimeSeriesSplit
    n = 23
    X = np.zeros((n, 1))
    # Groups with distinct sizes 1..6 (scikit-learn orders equal sizes by an unstable sort).
    groups = np.concatenate([np.full(s, 100 + 7 * s) for s in (3, 1, 6, 2, 5, 4)])[:21]
    cases = [("kfold 5", KFold(5).split(X)),
             ("time_series 4 max_train 6 gap 2", TimeSeriesSplit(4, max_train_size=6, gap=2).split(X)),
             ("time_series 3 test_size 4", TimeSeriesSplit(3, test_size=4).split(X)),
             ("group_kfold 3", GroupKFold(3).split(np.zeros((21, 1)), groups=groups))]
    with open(os.path.join(HERE, "splits.txt"), "w") as f:
        f.write("groups " + " ".join(map(str, groups)) + "\n")
        for name, folds in cases:
            for train, test in folds:
                f.write(name + ": " + " ".join(map(str, train)) + " | " + " ".join(map(str, test)) + "\n")


if __name__ == "__main__":
    splits()


# --- the Gauss hypergeometric function at the extremes the lifetime models reach --------
def hypergeometric():
    """log 2F1(a, b; c; z) to 30 digits with mpmath (python3-mpmath): frequencies in the
    hundreds, arguments close to 1, large and small parameters."""
    import mpmath
    mpmath.mp.dps = 40
    cases = [
        (0.5, 1.5, 1.5, 0.0),
        (2.0, 3.0, 4.0, 0.5),
        (0.553 + 0.606 + 0, 1.606, 2.159, 0.09),           # Pareto/NBD on CDNOW, x = 0
        (0.553 + 0.606 + 300, 1.606, 302.159, 0.2),         # x = 300
        (0.243 + 200, 2.426 + 200, 0.793 + 2.426 + 199, 0.33),  # BG/NBD conditional, x = 200
        (0.243 + 500, 2.426 + 500, 0.793 + 2.426 + 499, 0.5),
        (1.2, 0.7, 2.2, 0.99),
        (1.2, 0.7, 2.2, 0.999),
        (30.0, 40.0, 31.0, 0.95),                           # terms grow to ~1e60 first
        (800.0, 900.0, 801.0, 0.9),                         # overflows a double unscaled
        (1e-3, 2e-3, 1.001, 0.7),
        (5.0, 2.0, 0.5, 0.3),                               # c < a + b
    ]
    rows = []
    for a, b, c, z in cases:
        v = mpmath.log(mpmath.hyp2f1(a, b, c, z))
        rows.append([a, b, c, z, float(v)])
    write_matrix("hyp2f1.txt", np.array(rows))


if __name__ == "__main__":
    hypergeometric()


def bg_nbd_conditional():
    """BG/NBD E[Y(t) | x, t_x, T] by its closed form (Fader, Hardie & Lee 2005, eq. 10) in
    40-digit arithmetic, at the CDNOW parameters, including frequencies in the hundreds."""
    import mpmath
    mpmath.mp.dps = 40
    r, al, a, b = 0.243, 4.414, 0.793, 2.426
    rows = []
    for t, x, tx, T in [(39, 2, 30.43, 38.86), (39, 0, 0, 30), (39, 400, 39, 39), (39, 400, 38, 39),
                        (52, 900, 70, 78), (5, 150, 20, 21), (200, 30, 60, 61)]:
        hyp = mpmath.hyp2f1(r + x, b + x, a + b + x - 1, mpmath.mpf(t) / (al + T + t))
        num = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / mpmath.mpf(al + T + t)) ** (r + x) * hyp)
        den = 1 + (x > 0) * (a / (b + x - 1)) * ((al + T) / mpmath.mpf(al + tx)) ** (r + x)
        rows.append([t, x, tx, T, float(num / den)])
    write_matrix("bg_nbd_conditional.txt", np.array(rows))


if __name__ == "__main__":
    bg_nbd_conditional()


def pareto_nbd_alive():
    """Pareto/NBD P(alive | x, t_x, T) by the closed form of Fader & Hardie's note (2005,
    eq. 18 with A0 from eqs. 19-20) in 40-digit arithmetic; parameter sets where
    |alpha - beta| / (max + t_x) is small and where it is close to 1."""
    import mpmath
    mpmath.mp.dps = 40
    rows = []
    for r, al, s, be, x, tx, T in [(0.553, 10.578, 0.606, 11.669, 2, 30.43, 38.86),
                                   (0.553, 10.578, 0.606, 11.669, 26, 30.86, 31),
                                   (0.553, 10.578, 0.606, 11.669, 300, 20, 39),
                                   (0.5, 200.0, 0.7, 1.0, 3, 0.5, 30),
                                   (0.5, 1.0, 0.7, 300.0, 3, 0.5, 30),
                                   (2.0, 500.0, 1.5, 0.5, 40, 2.0, 10)]:
        r, al, s, be, x, tx, T = map(mpmath.mpf, (r, al, s, be, x, tx, T))
        if al >= be:
            F = lambda t: mpmath.hyp2f1(r + s + x, s + 1, r + s + x + 1, (al - be) / (al + t)) / (al + t) ** (r + s + x)
        else:
            F = lambda t: mpmath.hyp2f1(r + s + x, r + x, r + s + x + 1, (be - al) / (be + t)) / (be + t) ** (r + s + x)
        A0 = F(tx) - F(T)
        p = 1 / (1 + (s / (r + s + x)) * (al + T) ** (r + x) * (be + T) ** s * A0)
        rows.append([float(v) for v in (r, al, s, be, x, tx, T, p)])
    write_matrix("pareto_nbd_alive.txt", np.array(rows))


if __name__ == "__main__":
    pareto_nbd_alive()


# --- k-means ------------------------------------------------------------------------------
def kmeans():
    """scikit-learn 1.2 KMeans(init=given centres, n_init=1, algorithm="lloyd") on blobs:
    one run converging normally, one with a far-away initial centre whose cluster starts
    empty (scikit-learn's relocation)."""
    from sklearn.cluster import KMeans
    rng = np.random.default_rng(17)
    centers = np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 0.0], [0.0, 5.0, 5.0], [5.0, 0.0, 5.0]])
    X = np.vstack([c + rng.normal(0, 1.0, (125, 3)) for c in centers])
    X = X[rng.permutation(len(X))]
    write_matrix("kmeans_X.txt", X)
    inits = {"normal": X[[0, 1, 2, 3]] + 0.1, "empty": np.vstack([X[[0, 1, 2]], [[50.0, 50.0, 50.0]]])}
    for name, init in inits.items():
        km = KMeans(n_clusters=4, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(X)
        write_matrix(f"kmeans_{name}_init.txt", init)
        write_matrix(f"kmeans_{name}_centers.txt", km.cluster_centers_)
        write_matrix(f"kmeans_{name}_labels.txt", km.labels_.reshape(-1, 1))
        write_matrix(f"kmeans_{name}_stats.txt", np.array([[km.inertia_, km.n_iter_]]))


if __name__ == "__main__":
    kmeans()
