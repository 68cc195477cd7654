// Metrics on the shared data set `roc` (1e7 scores, y ~ Bernoulli(0.3), score = 0.8 y +
// N(0, 1)); the peer is scikit-learn's roc_auc_score on the same files
// (benchmarks/peers/peers.py, which also times numpy's sort of the scores). Floor: one read
// of y and s.
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/metrics/curves.hpp>

namespace {

template <class F>
void curve_case(benchmark::State& state, F f) {
  const auto n = static_cast<std::size_t>(state.range(0));
  clm::vector<double> ys, ss;
  const auto& y = clm_bench::first_rows(clm_bench::roc().y, n, ys);
  const auto& s = clm_bench::first_rows(clm_bench::roc().s, n, ss);
  for (auto _ : state) benchmark::DoNotOptimize(f(y, s));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  clm_bench::set_floor(state, {.bytes = 2.0 * static_cast<double>(n * sizeof(double))});
}

void roc_auc(benchmark::State& state) {
  curve_case(state, [](const auto& y, const auto& s) { return clm::roc_auc(y, s); });
}
BENCHMARK(roc_auc)->Name("roc_auc")->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void average_precision(benchmark::State& state) {
  curve_case(state, [](const auto& y, const auto& s) { return clm::average_precision(y, s); });
}
BENCHMARK(average_precision)->Name("average_precision")->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void roc_curve(benchmark::State& state) {
  curve_case(state, [](const auto& y, const auto& s) { return clm::roc_curve(y, s); });
}
BENCHMARK(roc_curve)->Name("roc_curve")->Arg(10'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
