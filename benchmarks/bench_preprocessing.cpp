// Preprocessing hot paths. Run with OPENBLAS_NUM_THREADS=1 (scripts/dev bench sets it).
// Peer figure for comparison: scikit-learn StandardScaler fit_transform on 1e6 x 50 via
// ../shared/bench/peers.py --only scaler (0.53 s on the project machine).
#include <benchmark/benchmark.h>

#include <clm/data/synthetic.hpp>
#include <clm/preprocessing/standard_scaler.hpp>

namespace {

clm::matrix<double> make_matrix(std::size_t n, std::size_t d) {
  clm::random_engine g(1);
  clm::matrix<double> X = clm::matrix<double>::from_shape({n, d});
  for (auto& v : X) v = clm::normal(g, 3.0, 2.0);
  return X;
}

void standard_scaler_fit_transform(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto d = static_cast<std::size_t>(state.range(1));
  const auto X = make_matrix(n, d);
  for (auto _ : state) {
    clm::standard_scaler<> s;
    auto Z = s.fit_transform(X);
    benchmark::DoNotOptimize(Z.data());
  }
  const double bytes = static_cast<double>(n * d * sizeof(double));
  // Fit reads X twice, transform reads once and writes once.
  state.counters["GB/s(4 passes)"] =
      benchmark::Counter(4.0 * bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(standard_scaler_fit_transform)
    ->Args({100000, 50})
    ->Args({1000000, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void standard_scaler_transform_one_row(benchmark::State& state) {
  const auto X = make_matrix(1000, 50);
  clm::standard_scaler<> s;
  s.fit(X);
  clm::matrix<double> row = clm::matrix<double>::from_shape({1, 50});
  std::copy(X.data(), X.data() + 50, row.data());
  for (auto _ : state) {
    auto z = s.transform(row);
    benchmark::DoNotOptimize(z.data());
  }
}
BENCHMARK(standard_scaler_transform_one_row);

}  // namespace
