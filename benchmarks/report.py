#!/usr/bin/python3
"""One table from a `scripts/dev bench` run: workload | clm | peer | clm / peer | floor | clm / floor.

Usage: report.py RESULTS_DIR
RESULTS_DIR holds one folder per repetition (rep1/, rep2/, ...: the Google Benchmark JSON files
bench_*.json, peers.json from benchmarks/peers/peers.py and load.txt), machine.txt, and
optionally scaling.json (clm_scaling); a folder with the JSON files directly is one repetition.
Writes table.md and table.json there and prints the table.

Times are the minimum over the repetitions with the median in brackets. "clm / peer" is the
peer's time over clm's in each repetition (above 1: clm is faster), shown as the range over the
repetitions; a range that reaches both sides of 1 is "at parity", never a win. The floor is the
time the case's unavoidable work (floor.hpp counters) takes at the best rates bench_limits
measured in the run, and "clm / floor" is clm's minimum over it.
"""
import glob
import json
import os
import statistics
import sys

# label, clm case (its name without the min_time/real_time parts), peer workload key
ROWS = [
    ("CSV reading, 116 MB order log (2.8 M rows), one thread", "read_csv_transactions_file/1", "read_csv"),
    ("CSV reading, same file, n_jobs = 0 (every hardware thread)", "read_csv_transactions_file/0", "read_csv"),
    ("transaction log reading, same file (dates parsed, ids categorical)", "read_transactions_file",
     "read_transactions"),
    ("SQLite: read a 1 M-row, 6-column orders table", "read_sql_sqlite_orders_1m", "sqlite_read"),
    ("SQLite: write 1 M rows of customer scores (5 columns)", "write_sql_sqlite_scores_1m", "sqlite_write"),
    ("PostgreSQL: read a 1 M-row, 6-column orders table", "read_sql_postgres_orders_1m", "postgres_read"),
    ("PostgreSQL: the same read against psql's \\copy to /dev/null", "read_sql_postgres_orders_1m", "postgres_read_floor"),
    ("PostgreSQL: write 1 M rows of customer scores", "write_sql_postgres_scores_1m", "postgres_write"),
    ("PostgreSQL: the same write against psql's \\copy from a file", "write_sql_postgres_scores_1m", "postgres_write_floor"),
    ("summary of 10 M transactions (1 M customers)", "summarize_10m_transactions", "summarize_10m"),
    ("standard_scaler fit + transform, 1e6 x 50", "standard_scaler_fit_transform_d50/1000000", "standard_scaler"),
    ("min_max_scaler fit + transform, 1e6 x 50", "min_max_scaler_fit_transform_d50/1000000", "min_max_scaler"),
    ("one-hot fit + transform, 1e5 x 3 -> 1110 columns, dense", "one_hot_encoder_fit_transform_3_columns/100000",
     "one_hot_dense"),
    ("one-hot, same, sparse (CSR) output", "one_hot_encoder_fit_transform_sparse_3_columns/100000", "one_hot_sparse"),
    ("OLS fit, 1e6 x 50", "ols_fit_d50/1000000", "ols"),
    ("OLS fit, 1e6 x 50, against numpy normal equations", "ols_fit_d50/1000000", "ols_normal_equations"),
    ("ridge fit, 1e6 x 50", "ridge_fit_d50/1000000", "ridge"),
    ("logistic regression fit, 2e5 x 50 (lbfgs)", "logistic_fit_d50/200000", "logistic"),
    ("roc_auc, 1e7 scores", "roc_auc/10000000", "roc_auc"),
    ("item-item cosine, 50k x 5k, 1M ratings, dense", "item_cosine_dense_50kx5k_1M/1", "item_cosine_dense"),
    ("item-item cosine, same, top-20 lists", "item_cosine_top20_50kx5k_1M/1", "item_cosine_top20"),
    ("item kNN (msd, k 40) fit + 20k predictions, 100k ratings", "item_knn_basic_fit_predict_100k",
     "knn_fit_predict"),
    ("EASE fit, 50k x 5k, 1M interactions", "ease_fit_50kx5k_1M", "ease"),
    ("implicit ALS fit, 50k x 5k, 64 factors, 5 iterations", "als_fit_50kx5k_1M_5_iterations", "als"),
    ("MLP epoch, 1e5 x 40, batch 32, float64", "mlp_train_epoch_1e5x40_f64/32", "mlp_sklearn_b32"),
    ("MLP epoch, batch 32, float32", "mlp_train_epoch_1e5x40_f32/32", "mlp_torch_b32"),
    ("MLP epoch, batch 256, float64", "mlp_train_epoch_1e5x40_f64/256", "mlp_sklearn_b256"),
    ("MLP epoch, batch 256, float32", "mlp_train_epoch_1e5x40_f32/256", "mlp_torch_b256"),
    ("k-means, 1e6 x 8, k 8, Lloyd to convergence (at most 20 iterations), 2 threads", "kmeans_fit_1e6x8_k8_max_iter20/2", "kmeans"),
    ("Cox PH fit, 1e6 x 20, tied days (Efron)", "cox_fit_efron_1e6x20", "cox_efron"),
    ("Cox PH fit, same (Breslow)", "cox_fit_breslow_1e6x20", "cox_breslow"),
    ("Kaplan-Meier, 1e7 durations with ties", "kaplan_meier_1e7", "kaplan_meier"),
    ("permutation importance, logistic, 1e5 x 45, 10 repeats, roc_auc", "permutation_importance_1e5x45_10_repeats/1",
     "permutation_importance"),
    ("BG/NBD fit, 2.36 M customers (CDNOW x 100)", "fit_bg_nbd_2_36M", "bg_nbd_fit"),
    ("summarize + BG/NBD fit, 6.97 M orders of 2.36 M customers", "summarize_and_fit_bg_nbd_2_36M", None),
]

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def case_name(name):
    return "/".join(p for p in name.split("/") if ":" not in p and p != "real_time")


def load_cases(folder):
    cases, context = {}, None
    for path in sorted(glob.glob(os.path.join(folder, "bench_*.json"))):
        with open(path) as f:
            doc = json.load(f)
        context = context or doc.get("context")
        for b in doc.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
                continue
            b["seconds"] = b["real_time"] * UNIT[b.get("time_unit", "ns")]
            cases[case_name(b["name"])] = b
    return cases, context


def rates(cases):
    r = {}
    if "stream_triad/33554432" in cases:
        r["bytes"] = cases["stream_triad/33554432"]["bytes_per_second"]
    for key, case in (("dgemm_flop", "dgemm/1024"), ("sgemm_flop", "sgemm/1024"), ("dsyrk_flop", "dsyrk_gram")):
        if case in cases:
            r[key] = cases[case]["GFLOP/s"] * 1e9
    return r


def floor_seconds(case, r):
    terms = [case[f"floor_{k}"] / r[k] for k in r if f"floor_{k}" in case]
    return max(terms) if terms else None


def fmt_time(s):
    if s is None:
        return ""
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def repetitions(folder):
    reps = sorted(glob.glob(os.path.join(folder, "rep[0-9]*")), key=lambda p: int(p.rsplit("rep", 1)[1]))
    return reps or [folder]


def load_peers(folder):
    path = os.path.join(folder, "peers.json")
    if not os.path.exists(path):
        return {}, {}
    with open(path) as f:
        doc = json.load(f)
    return doc.get("workloads", {}), doc.get("versions", {})


def best_rates(all_rates):
    r = {}
    for rates_of_rep in all_rates:
        for k, v in rates_of_rep.items():
            r[k] = max(r.get(k, 0.0), v)
    return r


def span(values):
    return f"{fmt_time(min(values))} ({fmt_time(statistics.median(values))})" if values else ""


def verdict(ratios):
    if not ratios:
        return ""
    lo, hi = min(ratios), max(ratios)
    if lo >= 1.0:
        return "faster"
    if hi <= 1.0:
        return "slower"
    return "at parity"


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "bench-results/latest"
    reps = repetitions(folder)
    rep_cases, rep_peers, rep_rates, context, versions, loads = [], [], [], None, {}, []
    for rep in reps:
        cases, ctx = load_cases(rep)
        context = context or ctx
        peers, ver = load_peers(rep)
        versions = versions or ver
        rep_cases.append(cases)
        rep_peers.append(peers)
        rep_rates.append(rates(cases))
        load_path = os.path.join(rep, "load.txt")
        if os.path.exists(load_path):
            with open(load_path) as f:
                loads.append(" / ".join(line.strip() for line in f if line.strip()))
    r = best_rates(rep_rates)
    rows, slower, parity = [], [], []
    for label, clm_case, peer_key in ROWS:
        clm_times, peer_times, ratios, peer_name = [], [], [], None
        for cases, peers in zip(rep_cases, rep_peers):
            c = cases.get(clm_case)
            p = peers.get(peer_key) if peer_key else None
            if p:
                peer_name = p.get("peer") or (p.get("skipped") and "skipped: " + p["skipped"])
            if c:
                clm_times.append(c["seconds"])
            if p and p.get("seconds"):
                peer_times.append(p["seconds"])
            if c and p and p.get("seconds"):
                ratios.append(p["seconds"] / c["seconds"])
        some_case = next((cases[clm_case] for cases in rep_cases if clm_case in cases), None)
        floor = floor_seconds(some_case, r) if some_case else None
        clm_min = min(clm_times) if clm_times else None
        row = {"workload": label, "clm_case": clm_case, "clm_seconds": clm_times, "peer": peer_name,
               "peer_seconds": peer_times, "speedups": ratios, "verdict": verdict(ratios),
               "floor_seconds": floor, "clm_over_floor": clm_min / floor if clm_min and floor else None}
        rows.append(row)
        if row["verdict"] == "slower":
            slower.append(label)
        elif row["verdict"] == "at parity":
            parity.append(label)
    lines = ["| workload | clm min (median) | peer min (median) | clm / peer | | floor | clm / floor |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        peer = f"{row['peer']} {span(row['peer_seconds'])}" if row["peer"] else ""
        sp = row["speedups"]
        speed = (f"{min(sp):.2f}x" if len(sp) == 1 else f"{min(sp):.2f}-{max(sp):.2f}x") if sp else ""
        over = f"{row['clm_over_floor']:.1f}" if row["clm_over_floor"] else ""
        clm = span(row["clm_seconds"]) or "not run"
        lines.append(f"| {row['workload']} | {clm} | {peer} | {speed} | {row['verdict']} | "
                     f"{fmt_time(row['floor_seconds'])} | {over} |")
    rate_line = ", ".join(f"{k.replace('_flop', '')} {v / 1e9:.1f} G{'B' if k == 'bytes' else 'FLOP'}/s"
                          for k, v in r.items())
    ctx = context or {}
    machine = ""
    machine_path = os.path.join(folder, "machine.txt")
    if os.path.exists(machine_path):
        with open(machine_path) as f:
            machine = "; ".join(line.strip() for line in f if line.strip())
    text = "\n".join(lines) + (
        f"\n\n{len(reps)} repetition(s), clm and peers in alternation. Machine: {machine or 'not recorded'}. "
        f"BLAS: {ctx.get('blas', 'not stated')}; OPENBLAS_NUM_THREADS={ctx.get('OPENBLAS_NUM_THREADS', 'not stated')}, "
        f"OPENBLAS_CORETYPE={ctx.get('OPENBLAS_CORETYPE', 'not stated')}. "
        f"Load average (1, 5, 15 min) per repetition: {'; '.join(loads) or 'not recorded'}. "
        f"Floors from bench_limits (best of the repetitions): {rate_line}.\n")
    if slower:
        text += "Slower than the peer in every repetition: " + "; ".join(slower) + ".\n"
    if parity:
        text += "At parity (the ratio crosses 1 between repetitions): " + "; ".join(parity) + ".\n"
    # Every other case of the run: no peer, but its time, throughput and floor.
    shown = {row[1] for row in ROWS} | {"stream_triad/33554432", "copy_read_write/50000000", "dgemm/1024",
                                        "sgemm/1024", "dsyrk_gram"}
    others = []
    names = sorted(set().union(*[set(c) for c in rep_cases]) - shown) if rep_cases else []
    for name in names:
        seen = [cases[name] for cases in rep_cases if name in cases]
        times = [c["seconds"] for c in seen]
        c = min(seen, key=lambda b: b["seconds"])
        rate = ""
        if "items_per_second" in c:
            rate = f"{c['items_per_second']:.3g} items/s"
        elif "bytes_per_second" in c:
            rate = f"{c['bytes_per_second'] / 1e9:.3g} GB/s"
        floor = floor_seconds(c, r)
        others.append(f"| {name} | {span(times)} | {rate} | {fmt_time(floor)} | "
                      f"{min(times) / floor:.1f} |" if floor else f"| {name} | {span(times)} | {rate} | | |")
    if others:
        text += ("\n| other case (no peer) | clm min (median) | throughput (best) | floor | clm / floor |\n"
                 "|---|---|---|---|---|\n")
        text += "\n".join(others) + "\n"
    scaling_path = os.path.join(folder, "scaling.json")
    scaling = None
    if os.path.exists(scaling_path):
        with open(scaling_path) as f:
            scaling = json.load(f)
        sizes = scaling["sizes"]
        text += "\n| fit | n counts | " + " | ".join(f"n = {n:g}" for n in sizes) + " | time exponent | memory exponent |\n"
        text += "|---|---|" + "---|" * len(sizes) + "---|---|\n"
        for fit in scaling["fits"]:
            cells = " | ".join(f"{fmt_time(t)}, {m:.0f} MiB" for t, m in zip(fit["seconds"], fit["peak_mib"]))
            text += (f"| {fit['fit']} | {fit['n_counts']} | {cells} | {fit['time_exponent']:.2f} | "
                     f"{fit['memory_exponent']:.2f} |\n")
    with open(os.path.join(folder, "table.md"), "w") as f:
        f.write(text)
    with open(os.path.join(folder, "table.json"), "w") as f:
        json.dump({"context": context, "machine": machine, "repetitions": len(reps), "loads": loads,
                   "peer_versions": versions, "rates": r, "rows": rows, "scaling": scaling,
                   "slower_than_peer": slower, "at_parity": parity}, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
