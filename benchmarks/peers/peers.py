#!/usr/bin/python3
"""The peers of every clm benchmark, on the same files (benchmarks/datasets.hpp writes them).

Usage: /usr/bin/python3 benchmarks/peers/peers.py [--only KEY,KEY...] [--data DIR]
DIR defaults to $CLM_BENCH_DATA, else $TMPDIR/clm-bench (as the C++ side). Prints JSON:
{"versions": {...}, "workloads": {key: {"seconds": s, "peer": what ran, ...}}}; seconds are
the best of 3 runs (1 for the slow ones). A workload whose files are missing is reported as
{"skipped": reason}. Debian's python3-sklearn, -pandas, -scipy and -torch are the peers; the
BG/NBD fit runs the way lifetimes fits it (scipy's Nelder-Mead on the whole arrays) and the
neighbourhood model the way Surprise's KNNBasic predicts, with numpy, as neither library is
packaged for Debian. Threads: OPENBLAS_NUM_THREADS as set by the caller (scripts/dev bench
sets 1); torch is set to one thread; scikit-learn's KMeans uses its default (all cores).
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

WORKLOADS = {}


def workload(key):
    def register(fn):
        WORKLOADS[key] = fn
        return fn
    return register


def best_of(fn, repeats=3):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


class Data:
    def __init__(self, folder):
        self.folder = folder

    def path(self, name):
        return os.path.join(self.folder, name)

    def __getitem__(self, name):
        p = self.path(name + ".npy")
        if not os.path.exists(p):
            raise FileNotFoundError(f"{p} is missing (the clm benchmark that writes it has not run)")
        return np.load(p)


def csr(users, items, values, shape=None):
    import scipy.sparse as sp
    return sp.csr_matrix((values, (users, items)), shape=shape)


# --- data --------------------------------------------------------------------------------

@workload("read_csv")
def read_csv(d):
    import pandas as pd
    path = d.path("transactions_1m.csv")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing")
    t, df = best_of(lambda: pd.read_csv(path))
    return {"seconds": t, "peer": "pandas.read_csv", "rows": len(df)}


@workload("read_transactions")
def read_transactions(d):
    import pandas as pd
    path = d.path("transactions_1m.csv")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing")
    t, _ = best_of(lambda: pd.read_csv(path, parse_dates=["date"], dtype={"customer_id": "category",
                                                                            "item": "category"}))
    return {"seconds": t, "peer": "pandas.read_csv(parse_dates, category ids)"}


@workload("sqlite_read")
def sqlite_read(d):
    import sqlite3
    import pandas as pd
    path = d.path("orders_1m.db")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing")
    con = sqlite3.connect(path)
    t, df = best_of(lambda: pd.read_sql_query("select * from orders", con))
    con.close()
    return {"seconds": t, "peer": "pandas.read_sql_query (sqlite3)", "rows": len(df)}


@workload("sqlite_write")
def sqlite_write(d):
    import sqlite3
    import tempfile
    import pandas as pd
    path = d.path("orders_1m.db")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing")
    con = sqlite3.connect(path)
    scores = pd.read_sql_query("select * from scores", con)
    con.close()
    with tempfile.TemporaryDirectory(dir=d.folder) as tmp:
        out = sqlite3.connect(os.path.join(tmp, "scores.db"))
        t, _ = best_of(lambda: scores.to_sql("scores", out, if_exists="replace", index=False))
        out.close()
    return {"seconds": t, "peer": "pandas.DataFrame.to_sql (sqlite3)", "rows": len(scores)}


def postgres_conninfo():
    c = os.environ.get("CLM_TEST_POSTGRES", "")
    if not c:
        raise FileNotFoundError("CLM_TEST_POSTGRES is not set (scripts/dev bench starts a server)")
    return c


def psql_binary():
    import glob
    import shutil
    found = shutil.which("psql") or (sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or [None])[-1]
    if not found:
        raise FileNotFoundError("no psql")
    return found


def psql(*commands):
    import subprocess
    args = [psql_binary(), "-q", "-v", "ON_ERROR_STOP=1", postgres_conninfo()]
    for c in commands:
        args += ["-c", c]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


@workload("postgres_read")
def postgres_read(d):
    import pandas as pd
    import psycopg2
    con = psycopg2.connect(postgres_conninfo())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas prefers SQLAlchemy connectables
        t, df = best_of(lambda: pd.read_sql("select * from bench_orders", con))
    con.close()
    return {"seconds": t, "peer": "pandas.read_sql (psycopg2)", "rows": len(df)}


@workload("postgres_read_floor")
def postgres_read_floor(d):
    postgres_conninfo()
    t, _ = best_of(lambda: psql("\\copy (select * from bench_orders) to '/dev/null'"))
    return {"seconds": t, "peer": "psql \\copy to /dev/null (the floor)"}


def scores_frame():
    import pandas as pd
    import psycopg2
    con = psycopg2.connect(postgres_conninfo())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pd.read_sql("select * from bench_scores", con)
    con.close()
    return df


@workload("postgres_write")
def postgres_write(d):
    import psycopg2
    from psycopg2.extras import execute_values
    df = scores_frame()
    rows = list(df.itertuples(index=False, name=None))
    con = psycopg2.connect(postgres_conninfo())

    def write():
        with con.cursor() as cur:
            cur.execute("drop table if exists bench_scores_peer")
            cur.execute("create table bench_scores_peer (customer_id text, churn_risk double precision, "
                        "p_alive double precision, clv double precision, segment text)")
            execute_values(cur, "insert into bench_scores_peer values %s", rows, page_size=10000)
        con.commit()
    t, _ = best_of(write)
    with con.cursor() as cur:
        cur.execute("drop table bench_scores_peer")
    con.commit()
    con.close()
    return {"seconds": t, "peer": "psycopg2 execute_values", "rows": len(rows)}


@workload("postgres_write_floor")
def postgres_write_floor(d):
    import tempfile
    df = scores_frame()
    with tempfile.TemporaryDirectory(dir=d.folder) as tmp:
        path = os.path.join(tmp, "scores.csv")
        df.to_csv(path, index=False, header=False)
        os.chmod(tmp, 0o755)
        t, _ = best_of(lambda: psql("drop table if exists bench_scores_floor",
                                    "create table bench_scores_floor (customer_id text, churn_risk double precision, "
                                    "p_alive double precision, clv double precision, segment text)",
                                    f"\\copy bench_scores_floor from '{path}' with (format csv)"))
    psql("drop table bench_scores_floor")
    return {"seconds": t, "peer": "psql \\copy from a CSV file (the floor)", "rows": len(df)}


def lifetimes_summary(tx, observation_end):
    """The pandas steps of lifetimes' summary_data_from_transaction_data (freq 'D')."""
    import pandas as pd
    tx = tx.loc[tx["date"] <= observation_end].copy()
    tx["date"] = tx["date"].dt.to_period("D")
    period_tx = tx.groupby(["customer_id", "date"], sort=False, as_index=False)["amount"].sum()
    first = period_tx.groupby("customer_id", sort=False)["date"].transform("min")
    customers = period_tx.groupby("customer_id", sort=False)["date"].agg(["min", "max", "count"])
    customers["frequency"] = customers["count"] - 1
    end = pd.Period(observation_end, "D")
    customers["T"] = (end - customers["min"]).apply(lambda r: r.n)
    customers["recency"] = (customers["max"] - customers["min"]).apply(lambda r: r.n)
    period_tx.loc[period_tx["date"] == first, "amount"] = np.nan
    customers["monetary_value"] = period_tx.groupby("customer_id")["amount"].mean().fillna(0)
    return customers


@workload("summarize_10m")
def summarize_10m(d):
    import pandas as pd
    tx = pd.DataFrame({"customer_id": d["tx10m_customer"],
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(d["tx10m_day"], unit="D"),
                       "amount": d["tx10m_amount"]})
    t, s = best_of(lambda: lifetimes_summary(tx, pd.Timestamp("2024-12-31")), repeats=1)
    return {"seconds": t, "peer": "pandas, lifetimes' summary steps", "customers": len(s)}


# --- preprocessing, linear models, metrics ------------------------------------------------

def fit_transform(d, data_key, make, label):
    """A scikit-learn transformer's fit_transform on one shared array."""
    X = d[data_key]
    t, Z = best_of(lambda: make().fit_transform(X))
    return {"seconds": t, "peer": label, "columns": int(Z.shape[1])}


def scikit_transformers():
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
    return {
        "standard_scaler": ("linear_X", StandardScaler, "StandardScaler"),
        "min_max_scaler": ("linear_X", MinMaxScaler, "MinMaxScaler"),
        "one_hot_dense": ("onehot_codes", lambda: OneHotEncoder(sparse_output=False),
                          "OneHotEncoder(sparse_output=False)"),
        "one_hot_sparse": ("onehot_codes", OneHotEncoder, "OneHotEncoder (sparse CSR output)"),
    }


for _key in ("standard_scaler", "min_max_scaler", "one_hot_dense", "one_hot_sparse"):
    workload(_key)(lambda d, k=_key: fit_transform(d, *scikit_transformers()[k]))


@workload("ols")
def ols(d):
    from sklearn.linear_model import LinearRegression
    X, y = d["linear_X"], d["linear_y_reg"]
    t, _ = best_of(lambda: LinearRegression().fit(X, y))
    return {"seconds": t, "peer": "LinearRegression"}


@workload("ols_normal_equations")
def ols_normal_equations(d):
    X, y = d["linear_X"], d["linear_y_reg"]

    def fit():
        mu = X.mean(0)
        Xc = X - mu
        return np.linalg.solve(Xc.T @ Xc, Xc.T @ (y - y.mean()))
    t, _ = best_of(fit)
    return {"seconds": t, "peer": "numpy normal equations (centre, X'X, solve)"}


@workload("ridge")
def ridge(d):
    from sklearn.linear_model import Ridge
    X, y = d["linear_X"], d["linear_y_reg"]
    t, _ = best_of(lambda: Ridge(alpha=1.0).fit(X, y))
    return {"seconds": t, "peer": "Ridge(alpha=1)"}


@workload("logistic")
def logistic(d):
    from sklearn.linear_model import LogisticRegression
    X, y = d["linear_X"][:200_000], d["linear_y_cls"][:200_000]
    t, m = best_of(lambda: LogisticRegression(C=1.0, tol=1e-6, max_iter=1000).fit(X, y))
    return {"seconds": t, "peer": "LogisticRegression(lbfgs)", "iterations": int(m.n_iter_[0])}


@workload("roc_auc")
def roc_auc(d):
    from sklearn.metrics import roc_auc_score
    y, s = d["roc_y"], d["roc_s"]
    t, _ = best_of(lambda: roc_auc_score(y, s))
    t_sort, _ = best_of(lambda: np.sort(s))
    return {"seconds": t, "peer": "roc_auc_score", "numpy_sort_seconds": t_sort}


# --- recommendation ---------------------------------------------------------------------

def ratings50k(d):
    return csr(d["ratings50k_user"], d["ratings50k_item"], d["ratings50k_value"])


@workload("item_cosine_dense")
def item_cosine_dense(d):
    from sklearn.metrics.pairwise import cosine_similarity
    RT = ratings50k(d).T.tocsr()
    t, _ = best_of(lambda: cosine_similarity(RT, dense_output=True))
    return {"seconds": t, "peer": "cosine_similarity(dense_output=True)"}


@workload("item_cosine_top20")
def item_cosine_top20(d):
    from sklearn.metrics.pairwise import cosine_similarity
    RT = ratings50k(d).T.tocsr()

    def top20():
        S = cosine_similarity(RT, dense_output=True)
        np.fill_diagonal(S, -np.inf)
        idx = np.argpartition(-S, 20, axis=1)[:, :20]
        order = np.argsort(-np.take_along_axis(S, idx, 1), axis=1)
        return np.take_along_axis(idx, order, 1)
    t, _ = best_of(top20)
    return {"seconds": t, "peer": "cosine_similarity + argpartition top 20"}


@workload("ease")
def ease(d):
    X = ratings50k(d)
    X.data[:] = 1.0

    def fit():
        G = (X.T @ X).toarray()
        G[np.diag_indices_from(G)] += 500.0
        P = np.linalg.inv(G)
        B = P / (-np.diag(P))
        np.fill_diagonal(B, 0.0)
        return B
    t, _ = best_of(fit, repeats=2)
    return {"seconds": t, "peer": "numpy: X'X (scipy.sparse), np.linalg.inv"}


def als_fit(C, factors=64, reg=0.01, alpha=1.0, iterations=5, cg_steps=3, seed=1):
    """Hu-Koren-Volinsky implicit ALS, each side by cg_steps of conjugate gradient from the
    current factors, vectorised over all rows (the implicit library's algorithm)."""
    import scipy.sparse as sp
    rng = np.random.default_rng(seed)
    n_users, n_items = C.shape
    X = rng.normal(0, 0.01, (n_users, factors))
    Y = rng.normal(0, 0.01, (n_items, factors))
    Cu = C.tocsr()
    Ci = C.T.tocsr()

    def sweep(M, F, Fixed):  # M: rows x cols confidences - 1 (alpha r)
        YtY = Fixed.T @ Fixed + reg * np.eye(factors)
        rows = np.repeat(np.arange(M.shape[0]), np.diff(M.indptr))

        def matvec(P):
            s = np.einsum("ij,ij->i", P[rows], Fixed[M.indices]) * M.data
            return P @ YtY + sp.csr_matrix((s, M.indices, M.indptr), shape=M.shape) @ Fixed
        b = sp.csr_matrix((M.data + 1.0, M.indices, M.indptr), shape=M.shape) @ Fixed
        r = b - matvec(F)
        p = r.copy()
        rs = np.einsum("ij,ij->i", r, r)
        for _ in range(cg_steps):
            Ap = matvec(p)
            a = rs / np.maximum(np.einsum("ij,ij->i", p, Ap), 1e-300)
            F += a[:, None] * p
            r -= a[:, None] * Ap
            rs_new = np.einsum("ij,ij->i", r, r)
            p = r + (rs_new / np.maximum(rs, 1e-300))[:, None] * p
            rs = rs_new
        return F
    Cu = sp.csr_matrix((alpha * Cu.data, Cu.indices, Cu.indptr), shape=Cu.shape)
    Ci = sp.csr_matrix((alpha * Ci.data, Ci.indices, Ci.indptr), shape=Ci.shape)
    for _ in range(iterations):
        X = sweep(Cu, X, Y)
        Y = sweep(Ci, Y, X)
    return X, Y


@workload("als")
def als(d):
    C = ratings50k(d)
    t, _ = best_of(lambda: als_fit(C), repeats=2)
    return {"seconds": t, "peer": "numpy + scipy.sparse conjugate-gradient ALS (implicit's algorithm)"}


def knn_basic_item_msd(R, users, items, tie_key, k=40):
    """Surprise's KNNBasic(sim_options={'name': 'msd', 'user_based': False}): fit the item-item
    msd similarities, then predict each (user, item) from the user's k most similar rated items
    (equal similarities: the lower tie_key first, as clm and Surprise keep the earlier item)."""
    dense = R.toarray()
    M = (dense != 0).astype(np.float64)
    sq = dense * dense
    common = M.T @ M
    ssd = sq.T @ M + M.T @ sq - 2.0 * (dense.T @ dense)
    with np.errstate(divide="ignore", invalid="ignore"):
        S = np.where(common > 0, 1.0 / (ssd / np.maximum(common, 1) + 1.0), 0.0)
    mean = R.data.mean()
    out = np.empty(len(users))
    for q, (u, i) in enumerate(zip(users, items)):
        js = R.indices[R.indptr[u]:R.indptr[u + 1]]
        rs = R.data[R.indptr[u]:R.indptr[u + 1]]
        sims = S[i, js]
        if len(js) > k:
            top = np.lexsort((tie_key[js], -sims))[:k]
            sims, rs = sims[top], rs[top]
        total = sims.sum()
        out[q] = (sims @ rs) / total if total > 0 else mean
    return out


@workload("knn_fit_predict")
def knn_fit_predict(d):
    R = csr(d["ratings100k_user"], d["ratings100k_item"], d["ratings100k_value"], shape=(943, 1682))
    users, items = d["ratings100k_query_user"], d["ratings100k_query_item"]
    # Items in order of first appearance in the (user-sorted) ratings: clm's inner indices.
    tie_key = np.full(1682, len(d["ratings100k_item"]))
    seen, first = np.unique(d["ratings100k_item"], return_index=True)
    tie_key[seen] = first
    t, pred = best_of(lambda: knn_basic_item_msd(R, users, items, tie_key))
    out = {"seconds": t, "peer": "numpy KNNBasic (item msd, k 40; Surprise's algorithm)"}
    if os.path.exists(d.path("ratings100k_clm_predictions.npy")):
        diff = np.abs(pred - d["ratings100k_clm_predictions"])
        out["max_abs_diff_from_clm"] = float(diff.max())
        out["share_differing_by_1e-9"] = float((diff > 1e-9).mean())
    return out


# --- models ------------------------------------------------------------------------------

@workload("kmeans")
def kmeans(d):
    from sklearn.cluster import KMeans
    X = d["kmeans_X"]
    km = KMeans(n_clusters=8, init=X[:8], n_init=1, tol=0.0, max_iter=20, algorithm="lloyd")
    t, m = best_of(lambda: km.fit(X))
    return {"seconds": t, "peer": "KMeans(lloyd, 2 threads)", "iterations": int(m.n_iter_)}


def mlp_data(d):
    return d["mlp_X"], d["mlp_y"]


def mlp_sklearn(d, batch):
    from sklearn.neural_network import MLPClassifier
    X, y = mlp_data(d)
    clf = MLPClassifier(hidden_layer_sizes=(64, 32), batch_size=batch, max_iter=1, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, _ = best_of(lambda: clf.fit(X, y))
    return {"seconds": t, "peer": "MLPClassifier (float64)"}


def mlp_torch(d, batch):
    import torch
    torch.set_num_threads(1)
    X, y = mlp_data(d)
    n, p = X.shape
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    net = torch.nn.Sequential(torch.nn.Linear(p, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(),
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
    return {"seconds": t, "peer": "PyTorch (float32, 1 thread)"}


for _batch in (32, 256):
    workload(f"mlp_sklearn_b{_batch}")(lambda d, b=_batch: mlp_sklearn(d, b))
    workload(f"mlp_torch_b{_batch}")(lambda d, b=_batch: mlp_torch(d, b))


def bg_nbd_negative_ll(log_params, x, t_x, T):
    from scipy.special import gammaln
    r, alpha, a, b = np.exp(log_params)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return -(A1 + A2 + np.logaddexp(A3, A4)).mean()


@workload("bg_nbd_fit")
def bg_nbd_fit(d):
    from scipy.optimize import minimize
    x, t_x, T = d["cdnow100_frequency"], d["cdnow100_recency"], d["cdnow100_T"]
    t, res = best_of(lambda: minimize(bg_nbd_negative_ll, np.zeros(4), args=(x, t_x, T), method="Nelder-Mead",
                                      options={"maxiter": 2000}), repeats=1)
    r, alpha, a, b = np.exp(res.x)
    return {"seconds": t, "peer": "scipy Nelder-Mead on the numpy likelihood (lifetimes' method)",
            "evaluations": int(res.nfev), "params": {"r": r, "alpha": alpha, "a": a, "b": b}}


@workload("cox_efron")
def cox_efron(d):
    from statsmodels.duration.hazard_regression import PHReg
    X, t, e = d["cox_X"], d["cox_time"], d["cox_event"]
    secs, r = best_of(lambda: PHReg(t, X, status=e, ties="efron").fit(disp=False), repeats=1)
    return {"seconds": secs, "peer": "statsmodels PHReg(ties='efron').fit()"}


@workload("cox_breslow")
def cox_breslow(d):
    from statsmodels.duration.hazard_regression import PHReg
    X, t, e = d["cox_X"], d["cox_time"], d["cox_event"]
    secs, r = best_of(lambda: PHReg(t, X, status=e, ties="breslow").fit(disp=False), repeats=1)
    return {"seconds": secs, "peer": "statsmodels PHReg(ties='breslow').fit()"}


@workload("kaplan_meier")
def kaplan_meier(d):
    from statsmodels.duration.survfunc import SurvfuncRight
    t, e = d["km_time"], d["km_event"]
    secs, _ = best_of(lambda: SurvfuncRight(t, e))
    return {"seconds": secs, "peer": "statsmodels SurvfuncRight"}


@workload("permutation_importance")
def permutation_importance_peer(d):
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LogisticRegression
    X, y = d["linear_X"][:100_000, :45], d["linear_y_cls"][:100_000]
    m = LogisticRegression(C=1.0, max_iter=1000).fit(X, y)
    secs, _ = best_of(lambda: permutation_importance(m, X, y, scoring="roc_auc", n_repeats=10, random_state=1), repeats=1)
    return {"seconds": secs, "peer": "sklearn.inspection.permutation_importance(n_jobs=None)"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated workload keys")
    parser.add_argument("--data", default=os.environ.get("CLM_BENCH_DATA") or os.path.join(
        os.environ.get("TMPDIR", "/tmp"), "clm-bench"))
    args = parser.parse_args()
    only = [k for k in args.only.split(",") if k]
    unknown = [k for k in only if k not in WORKLOADS]
    if unknown:
        sys.exit(f"peers.py: unknown workload(s) {unknown}; expected some of {sorted(WORKLOADS)}")
    import scipy
    import sklearn
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                "sklearn": sklearn.__version__}
    try:
        import pandas
        versions["pandas"] = pandas.__version__
        import torch
        versions["torch"] = torch.__version__
    except ImportError as e:
        versions["missing"] = str(e)
    data = Data(args.data)
    out = {"versions": versions, "data": args.data, "workloads": {}}
    for key, fn in WORKLOADS.items():
        if only and key not in only:
            continue
        try:
            out["workloads"][key] = fn(data)
        except (FileNotFoundError, ImportError) as e:
            out["workloads"][key] = {"skipped": str(e)}
        print(f"peers: {key}: {out['workloads'][key]}", file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
