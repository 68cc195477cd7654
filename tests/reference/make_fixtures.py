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

HERE = os.path.dirname(os.path.abspath(__file__))


def write_matrix(name, m):
    m = np.atleast_2d(np.asarray(m, dtype=np.float64))
    with open(os.path.join(HERE, name), "w") as f:
        f.write(f"{m.shape[0]} {m.shape[1]}\n")
        for row in m:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")


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
