// The work a benchmark case cannot avoid, stated per iteration as counters that
// benchmarks/report.py turns into the machine's floor for that case with the rates
// bench_limits measured in the same run: bytes at the STREAM-triad bandwidth, flops at the
// DGEMM / SGEMM / DSYRK rate. The floor is the larger of the terms (a lower bound).
#pragma once

#include <benchmark/benchmark.h>

#include <clm/core/blas_info.hpp>

#include <cstdlib>

namespace clm_bench {

/// Every benchmark's context (console header and JSON) states the BLAS thread count, the
/// kernels OpenBLAS runs, the CPU, and OPENBLAS_CORETYPE; a fallback to kernels older than
/// the CPU is said in the context and on stderr.
inline const bool blas_threads_stated = [] {
  const char* t = std::getenv("OPENBLAS_NUM_THREADS");
  benchmark::AddCustomContext("OPENBLAS_NUM_THREADS", t && *t ? t : "unset (OpenBLAS uses every core)");
  const auto b = clm::blas::info();
  benchmark::AddCustomContext("blas", clm::blas::describe(b));
  const char* core = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("OPENBLAS_CORETYPE", core && *core ? core : "unset");
  const auto advice = clm::blas::kernel_advice(b);
  if (!advice.empty()) {
    benchmark::AddCustomContext("blas_warning", advice);
    clm::blas::warn_once();
  }
  return true;
}();

struct floor_work {
  double bytes = 0.0;       ///< memory traffic that cannot be avoided
  double dgemm_flop = 0.0;  ///< double-precision flops, at the DGEMM rate
  double sgemm_flop = 0.0;  ///< single-precision flops, at the SGEMM rate
  double dsyrk_flop = 0.0;  ///< flops of a Gram matrix, at the DSYRK rate
};

inline void set_floor(benchmark::State& state, const floor_work& w) {
  if (w.bytes > 0) state.counters["floor_bytes"] = w.bytes;
  if (w.dgemm_flop > 0) state.counters["floor_dgemm_flop"] = w.dgemm_flop;
  if (w.sgemm_flop > 0) state.counters["floor_sgemm_flop"] = w.sgemm_flop;
  if (w.dsyrk_flop > 0) state.counters["floor_dsyrk_flop"] = w.dsyrk_flop;
}

}  // namespace clm_bench
