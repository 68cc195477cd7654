// Metrics on the peer workload of ../shared/bench/peers.py --only roc: 1e7 scores,
// y ~ Bernoulli(0.3), score = 0.8 y + N(0, 1) (scikit-learn's roc_auc_score in the same
// run is the peer; numpy's sort of the same scores is the reference floor there).
#include <benchmark/benchmark.h>

#include <clm/core/random.hpp>
#include <clm/metrics/curves.hpp>

namespace {

struct scores {
  clm::vector<double> y, s;
};

const scores& data(std::size_t n) {
  static std::size_t made = 0;
  static scores d;
  if (made != n) {
    clm::random_engine g(7);
    d.y = clm::vector<double>::from_shape({n});
    d.s = clm::vector<double>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      d.y(i) = clm::bernoulli(g, 0.3) ? 1.0 : 0.0;
      d.s(i) = 0.8 * d.y(i) + clm::normal(g);
    }
    made = n;
  }
  return d;
}

void roc_auc(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(clm::roc_auc(d.y, d.s));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(roc_auc)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void average_precision(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(clm::average_precision(d.y, d.s));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(average_precision)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void roc_curve(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(clm::roc_curve(d.y, d.s));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(roc_curve)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
