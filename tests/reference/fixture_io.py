"""The fixture format every script in tests/reference writes and tests/support/fixtures.hpp
reads: a first line "rows cols", then one row per line, each value as Python's repr of the
double (17 significant digits, "nan" for NaN)."""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write_matrix(name, m):
    m = np.atleast_2d(np.asarray(m, dtype=np.float64))
    with open(os.path.join(HERE, name), "w") as f:
        f.write(f"{m.shape[0]} {m.shape[1]}\n")
        for row in m:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")
