#!/usr/bin/python3
"""pandas on the same workloads as benchmarks/bench_data.cpp, in the same run.

Usage: /usr/bin/python3 benchmarks/peers/data_peers.py [FILE]
FILE defaults to $TMPDIR/clm-bench/transactions_1m.csv, written by bench_data.
Prints JSON: seconds per workload (best of 3) and peak RSS.

- read_csv: pandas.read_csv(FILE) (default inference; dates stay strings).
- read_transactions: pandas.read_csv with parse_dates and categorical ids, the closest
  pandas equivalent of clm::read_transactions.
- summarize_lifetimes_steps: the pandas operations lifetimes'
  summary_data_from_transaction_data performs (daily periods, per-customer first/last/
  count, repeat-day monetary mean), on the same log: a same-run stand-in for lifetimes,
  which is not packaged for Debian.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd


def best_of(fn, repeats=3):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def lifetimes_summary(tx, observation_end):
    tx = tx.loc[tx["date"] <= observation_end].copy()
    tx["date"] = tx["date"].dt.to_period("D")
    period_tx = tx.groupby(["customer_id", "date"], sort=False, as_index=False, observed=True)["amount"].sum()
    first = period_tx.groupby("customer_id", sort=False, observed=True)["date"].transform("min")
    customers = period_tx.groupby("customer_id", sort=False, observed=True)["date"].agg(["min", "max", "count"])
    customers["frequency"] = customers["count"] - 1
    end = pd.Period(observation_end, "D")
    customers["T"] = (end - customers["min"]).apply(lambda r: r.n)
    customers["recency"] = (customers["max"] - customers["min"]).apply(lambda r: r.n)
    period_tx.loc[period_tx["date"] == first, "amount"] = np.nan
    customers["monetary_value"] = period_tx.groupby("customer_id", observed=True)["amount"].mean().fillna(0)
    return customers


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("TMPDIR", "/tmp"), "clm-bench", "transactions_1m.csv")
    result = {"file": path, "bytes": os.path.getsize(path), "pandas": pd.__version__}
    result["read_csv_s"], df = best_of(lambda: pd.read_csv(path))
    result["rows"] = len(df)
    result["read_transactions_s"], tx = best_of(lambda: pd.read_csv(
        path, parse_dates=["date"], dtype={"customer_id": "category", "item": "category"}))
    result["summarize_lifetimes_steps_s"], s = best_of(
        lambda: lifetimes_summary(tx, pd.Timestamp("2024-09-30")), repeats=1)
    result["summary_customers"] = len(s)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
