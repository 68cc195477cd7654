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
  const auto& d = clm_bench::roc();
  for (auto _ : state) benchmark::DoNotOptimize(f(d.y, d.s));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.y.size()));
  clm_bench::set_floor(state, {.bytes = 2.0 * static_cast<double>(d.y.size() * sizeof(double))});
}

void roc_auc(benchmark::State& state) {
  curve_case(state, [](const auto& y, const auto& s) { return clm::roc_auc(y, s); });
}
BENCHMARK(roc_auc)->Name("roc_auc_1e7")->Unit(benchmark::kMillisecond);

void average_precision(benchmark::State& state) {
  curve_case(state, [](const auto& y, const auto& s) { return clm::average_precision(y, s); });
}
BENCHMARK(average_precision)->Name("average_precision_1e7")->Unit(benchmark::kMillisecond);

void roc_curve(benchmark::State& state) {
  curve_case(state, [](const auto& y, const auto& s) { return clm::roc_curve(y, s); });
}
BENCHMARK(roc_curve)->Name("roc_curve_1e7")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
