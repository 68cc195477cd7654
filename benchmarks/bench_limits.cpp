// This machine's floors, measured in the same run as the other benchmarks: memory
// bandwidth (STREAM triad and a plain read + write copy) and the GFLOP/s of DGEMM, SGEMM
// and DSYRK through the BLAS clm links (OPENBLAS_NUM_THREADS as the run states).
// benchmarks/report.py divides each case's floor counters (floor.hpp) by these rates.
#include <benchmark/benchmark.h>

#include "floor.hpp"

#include <clm/core/blas.hpp>
#include <clm/core/random.hpp>
#include <clm/core/types.hpp>

#include <algorithm>
#include <cstring>

namespace {

void stream_triad(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto a = clm::detail::empty_vector<double>(n), b = clm::detail::empty_vector<double>(n),
       c = clm::detail::empty_vector<double>(n);
  std::fill(b.begin(), b.end(), 1.0);
  std::fill(c.begin(), c.end(), 2.0);
  std::fill(a.begin(), a.end(), 0.0);
  for (auto _ : state) {
    double* pa = a.data();
    const double* pb = b.data();
    const double* pc = c.data();
    for (std::size_t i = 0; i < n; ++i) pa[i] = pb[i] + 3.0 * pc[i];
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 3 * n * sizeof(double)));
}
BENCHMARK(stream_triad)->Arg(1 << 25)->Unit(benchmark::kMillisecond)->UseRealTime();

void copy_read_write(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto a = clm::detail::empty_vector<double>(n), b = clm::detail::empty_vector<double>(n);
  std::fill(a.begin(), a.end(), 1.0);
  std::fill(b.begin(), b.end(), 0.0);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), n * sizeof(double));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 2 * n * sizeof(double)));
}
// 5e7 doubles: the 1e6 x 50 matrix of the scaler benchmarks.
BENCHMARK(copy_read_write)->Arg(50000000)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class T>
void gemm(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  clm::random_engine g(1);
  clm::matrix<T> A = clm::matrix<T>::from_shape({n, n}), B = A, C = A;
  for (auto& v : A) v = static_cast<T>(clm::normal(g));
  for (auto& v : B) v = static_cast<T>(clm::normal(g));
  for (auto _ : state) {
    clm::blas::gemm(clm::blas::op::none, clm::blas::op::none, n, n, n, T(1), A.data(), n, B.data(), n, T(0),
                    C.data(), n);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(gemm<double>)->Name("dgemm")->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(gemm<float>)->Name("sgemm")->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

void dsyrk_gram(benchmark::State& state) {
  // X'X of 1e6 x 50: the floor of OLS by normal equations.
  const std::size_t n = 1000000, d = 50;
  clm::random_engine g(2);
  auto X = clm::detail::empty_matrix<double>(n, d);
  for (auto& v : X) v = clm::normal(g);
  clm::matrix<double> G = clm::matrix<double>::from_shape({d, d});
  for (auto _ : state) {
    clm::blas::syrk(clm::blas::op::transpose, d, n, 1.0, X.data(), d, 0.0, G.data(), d);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(static_cast<double>(n) * d * (d + 1) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(dsyrk_gram)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
