#!/usr/bin/python3
"""The instruction-count regression gate (`scripts/dev bench --check`).

Usage: gate.py KERNELS_BINARY BASELINE_JSON [--update] [--tolerance 0.10]

Runs every kernel of benchmarks/kernels.cpp once under valgrind --tool=callgrind, counting
only the instructions inside clm_measured() (the kernel's own work, not its input's making),
and compares each count with the committed baseline. A kernel more than `tolerance` (10 %)
more expensive fails the gate, as does a kernel without a baseline or a baseline without a
kernel; one more than `tolerance` cheaper is reported, so the baseline can be lowered. With
--update the baseline file is rewritten from this run (a deliberate step, committed with the
change that moved the counts).

Counts are stable to about 0.01 % between runs; they depend on the compiler and its flags
(the `callgrind` preset: g++ Release, no -march=native) and on the BLAS kernel, which the gate
pins with OPENBLAS_CORETYPE=Haswell and OPENBLAS_NUM_THREADS=1.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile


def count(binary, kernel, workdir):
    out = os.path.join(workdir, f"{kernel}.callgrind")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OPENBLAS_CORETYPE="Haswell")
    cmd = ["valgrind", "--tool=callgrind", "--toggle-collect=clm_measured", f"--callgrind-out-file={out}",
           binary, kernel]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"gate: {kernel} failed under valgrind (exit {run.returncode}):\n{run.stderr[-2000:]}")
    with open(out) as f:
        for line in f:
            m = re.match(r"^(?:summary|totals):\s+(\d+)", line)
            if m:
                return int(m.group(1))
    sys.exit(f"gate: no instruction total in {out}")


def main():
    ap = argparse.ArgumentParser(description="instruction-count regression gate")
    ap.add_argument("binary")
    ap.add_argument("baseline")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--tolerance", type=float, default=None,
                    help="allowed growth (default: the baseline file's, else 0.10)")
    args = ap.parse_args()
    kernels = subprocess.run([args.binary, "list"], capture_output=True, text=True, check=True).stdout.split()
    baseline, tolerance = {}, 0.10
    if os.path.exists(args.baseline):
        with open(args.baseline) as f:
            doc = json.load(f)
        baseline, tolerance = doc["instructions"], doc.get("tolerance", tolerance)
    if args.tolerance is not None:
        tolerance = args.tolerance
    args.tolerance = tolerance
    counts = {}
    with tempfile.TemporaryDirectory() as work:
        for k in kernels:
            counts[k] = count(args.binary, k, work)
    if args.update:
        with open(args.baseline, "w") as f:
            json.dump({"tolerance": args.tolerance, "instructions": counts}, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"gate: wrote {len(counts)} baselines to {args.baseline}")
        return 0
    failures = []
    print(f"{'kernel':45s} {'baseline':>14s} {'now':>14s} {'change':>8s}")
    for k in kernels:
        base = baseline.get(k)
        if base is None:
            failures.append(f"{k}: no baseline (run scripts/dev bench --update-baseline and commit it)")
            print(f"{k:45s} {'-':>14s} {counts[k]:14d}")
            continue
        change = counts[k] / base - 1.0
        mark = ""
        if change > args.tolerance:
            failures.append(f"{k}: {counts[k]} instructions, {100 * change:+.1f} % over the baseline {base}")
            mark = "  FAIL"
        elif change < -args.tolerance:
            mark = "  cheaper: lower the baseline (scripts/dev bench --update-baseline)"
        print(f"{k:45s} {base:14d} {counts[k]:14d} {100 * change:+7.2f}%{mark}")
    for k in sorted(set(baseline) - set(kernels)):
        failures.append(f"{k}: in the baseline but not a kernel any more (update the baseline)")
    if failures:
        print("gate: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print(f"gate: {len(kernels)} kernels within {100 * args.tolerance:.0f} % of their baselines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
