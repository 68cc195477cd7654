#!/usr/bin/python3
"""Reference outputs for clm/survival (tests/survival/*.cpp), from statsmodels 0.13
(Debian's python3-statsmodels) and, for weighted Efron ties, which statsmodels does not
offer, an independent implementation of R's weighted Efron partial likelihood in torch.

    /usr/bin/python3 tests/reference/make_survival_fixtures.py
    CLM_DATA_DIR=../shared/data /usr/bin/python3 tests/reference/make_survival_fixtures.py --telco

Every Cox fit is polished by Newton steps on statsmodels' own loglike / score / hessian
until the gradient is at rounding level, so the fixture is the maximiser itself, not
statsmodels' stopping point. The penalised objective is logPL(b) - alpha / 2 |b|^2
(statsmodels' fit_regularized with alpha / n and L1_wt = 0 minimises the same divided by n).

Files (matrices in the format of make_fixtures.py: "rows cols" then rows):
  survival_data.txt      columns time, status, entry, weight, stratum, x1..x4
  km_plain.txt           times, n_risk, n_events, surv_prob, surv_prob_se
  km_entry.txt           the same with entry times
  km_weighted.txt        times, surv_prob with freq_weights = weight
  cox_solutions.txt      one row per case: coef (4), se (4), log-likelihood
                         cases: breslow, efron, breslow alpha=5, efron alpha=5,
                         breslow strata+entry, efron strata+entry, breslow weights
                         (rows repeated), efron weights (torch, R's convention)
  cox_baseline.txt       statsmodels' baseline_cumulative_hazard for the breslow fit: time, cumhaz
  telco_survival.txt     (--telco) aggregates only: see telco()
"""
import os
import sys

import numpy as np
import torch
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

from fixture_io import write_matrix

torch.set_default_dtype(torch.float64)


def polish(model, params, alpha=0.0):
    """Newton on logPL - alpha/2 |b|^2 with statsmodels' derivatives, to rounding level."""
    b = np.array(params, dtype=float)
    for _ in range(100):
        g = model.score(b) - alpha * b
        H = model.hessian(b) - alpha * np.eye(len(b))
        step = np.linalg.solve(H, g)
        b = b - step
        if np.max(np.abs(step)) < 1e-15 * (1 + np.max(np.abs(b))):
            break
    g = model.score(b) - alpha * b
    assert np.max(np.abs(g)) < 1e-8, g
    H = model.hessian(b) - alpha * np.eye(len(b))
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    return b, se, model.loglike(b)


def cox(time, status, X, ties, alpha=0.0, **kw):
    model = PHReg(time, X, status=status, ties=ties, **kw)
    start = model.fit(disp=False).params if alpha == 0 else np.zeros(X.shape[1])
    return polish(model, start, alpha)


def efron_weighted_loglike(b, time, status, X, w):
    """R's coxph weighted Efron log partial likelihood, written directly (O(n^2))."""
    eta = X @ b
    r = w * torch.exp(eta)
    ll = torch.zeros(())
    for t in np.unique(time[status == 1]):
        dead = (time == t) & (status == 1)
        risk = time >= t
        m = int(dead.sum())
        dw = w[dead].sum()
        S0 = r[risk].sum()
        T0 = r[dead].sum()
        ll = ll + (w[dead] * eta[dead]).sum()
        for k in range(m):
            ll = ll - dw / m * torch.log(S0 - k / m * T0)
    return ll


def efron_weighted(time, status, X, w):
    tt = torch.tensor(X)
    wt = torch.tensor(w)
    f = lambda b: efron_weighted_loglike(b, time, status, tt, wt)
    b = torch.zeros(X.shape[1])
    for _ in range(50):
        g = torch.autograd.functional.jacobian(f, b)
        H = torch.autograd.functional.hessian(f, b)
        step = torch.linalg.solve(H, g)
        b = b - step
        if float(step.abs().max()) < 1e-15:
            break
    g = torch.autograd.functional.jacobian(f, b)
    assert float(g.abs().max()) < 1e-8
    H = torch.autograd.functional.hessian(f, b)
    se = torch.sqrt(torch.diag(torch.linalg.inv(-H)))
    return b.numpy(), se.numpy(), float(f(b))


def main():
    rng = np.random.default_rng(20261204)
    n = 300
    X = rng.normal(size=(n, 4))
    X[:, 3] = rng.random(n) < 0.5
    beta = np.array([0.6, -0.4, 0.2, 0.7])
    churn = 12.0 * (rng.exponential(size=n) / np.exp(X @ beta)) ** (1 / 1.4)
    censor = np.minimum(rng.exponential(40.0, size=n), 30.0)
    time = np.ceil(np.minimum(churn, censor))  # whole months: ties
    status = (churn <= censor).astype(float)
    entry = np.where(rng.random(n) < 0.3, np.floor(rng.random(n) * time), 0.0)
    assert np.all(entry < time)
    weight = rng.integers(1, 4, size=n).astype(float)
    stratum = rng.integers(0, 3, size=n).astype(float)
    write_matrix("survival_data.txt", np.column_stack([time, status, entry, weight, stratum, X]))

    sf = SurvfuncRight(time, status)
    write_matrix("km_plain.txt", np.column_stack([sf.surv_times, sf.n_risk, sf.n_events, sf.surv_prob, sf.surv_prob_se]))
    sf = SurvfuncRight(time, status, entry=entry)
    write_matrix("km_entry.txt", np.column_stack([sf.surv_times, sf.n_risk, sf.n_events, sf.surv_prob, sf.surv_prob_se]))
    sf = SurvfuncRight(time, status, freq_weights=weight)
    write_matrix("km_weighted.txt", np.column_stack([sf.surv_times, sf.surv_prob]))

    rows = []
    for ties in ("breslow", "efron"):
        rows.append(cox(time, status, X, ties))
    for ties in ("breslow", "efron"):
        rows.append(cox(time, status, X, ties, alpha=5.0))
    # PHReg counts a subject at risk at t when entry <= t; clm (like R's counting process,
    # Stata and SurvfuncRight) when entry < t. With whole-month times and entry < time,
    # entry + 1/2 gives PHReg the same risk sets.
    for ties in ("breslow", "efron"):
        rows.append(cox(time, status, X, ties, strata=stratum, entry=entry + 0.5))
    rep = np.repeat(np.arange(n), weight.astype(int))
    rows.append(cox(time[rep], status[rep], X[rep], "breslow"))
    # The torch implementation first reproduces statsmodels' unweighted Efron fit.
    b1, se1, ll1 = efron_weighted(time, status, X, np.ones(n))
    assert np.allclose(b1, rows[1][0], atol=1e-10) and abs(ll1 - rows[1][2]) < 1e-9
    rows.append(efron_weighted(time, status, X, weight))
    write_matrix("cox_solutions.txt", [np.concatenate([b, se, [ll]]) for b, se, ll in rows])

    model = PHReg(time, X, status=status, ties="breslow")
    t, cumhaz, _ = model.baseline_cumulative_hazard(rows[0][0])[0]
    write_matrix("cox_baseline.txt", np.column_stack([t, cumhaz]))


def telco():
    """Tenure (months) as the duration, Churn as the event; covariates SeniorCitizen,
    MonthlyCharges / 100, one-year and two-year contract, paperless billing. Written:
    row 0-1: Breslow and Efron coef (5), se (5), log-likelihood;
    row 2: Kaplan-Meier survival at tenure 1, 6, 12, 24, 36, 48, 60, 72 months and the
    number of distinct event times, the last at-risk count and the median (nan if none)."""
    import pandas as pd
    df = pd.read_csv(os.path.join(os.environ["CLM_DATA_DIR"], "telco", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
    time = df["tenure"].to_numpy(float)
    status = (df["Churn"] == "Yes").to_numpy(float)
    X = np.column_stack([df["SeniorCitizen"].to_numpy(float), df["MonthlyCharges"].to_numpy(float) / 100,
                         (df["Contract"] == "One year").to_numpy(float), (df["Contract"] == "Two year").to_numpy(float),
                         (df["PaperlessBilling"] == "Yes").to_numpy(float)])
    rows = [np.concatenate([b, se, [ll]]) for b, se, ll in (cox(time, status, X, t) for t in ("breslow", "efron"))]
    sf = SurvfuncRight(time, status)
    at = [1, 6, 12, 24, 36, 48, 60, 72]
    surv = [sf.surv_prob[np.searchsorted(sf.surv_times, a, side="right") - 1] for a in at]
    rows.append(np.array(surv + [len(sf.surv_times), sf.n_risk[-1], sf.quantile(0.5)] + [0.0] * 0))
    width = max(len(r) for r in rows)
    write_matrix("telco_survival.txt", [np.pad(r, (0, width - len(r)), constant_values=np.nan) for r in rows])


if __name__ == "__main__":
    if "--telco" in sys.argv:
        telco()
    else:
        main()
