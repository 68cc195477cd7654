// k-means on the shared data set `kmeans_X` (1e6 x 8 around 8 overlapping centres), k = 8
// from the first 8 rows, tol = 0, max_iter = 20: Lloyd iterations until the labels stop
// changing (15 on this data) and the final labelling pass. The peer is scikit-learn's KMeans(algorithm="lloyd") with the same
// settings on the same file (benchmarks/peers/peers.py), which uses both cores; the case
// /2 uses two threads here too. Floor per pass: one read of X and 2 n k d flops.
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/cluster/kmeans.hpp>

namespace {

void kmeans_fit(benchmark::State& state) {
  const auto& X = clm_bench::kmeans_X();
  const clm::matrix<double> init = xt::view(X, xt::range(0, 8), xt::all());  // the first 8 rows
  const auto jobs = static_cast<std::size_t>(state.range(0));
  std::size_t passes = 0;
  for (auto _ : state) {
    clm::kmeans<> km({.k = 8, .init = clm::kmeans_init::given, .init_centers = init, .max_iter = 20, .tol = 0.0,
                      .n_jobs = jobs});
    km.fit(X);
    passes = km.n_iter() + 1;
  }
  const double n = static_cast<double>(X.shape()[0]), d = static_cast<double>(X.shape()[1]);
  state.counters["passes"] = static_cast<double>(passes);
  // Seconds per Lloyd pass, shown with an SI prefix.
  state.counters["s_per_pass"] = benchmark::Counter(static_cast<double>(passes * state.iterations()),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  clm_bench::set_floor(state, {.bytes = static_cast<double>(passes) * n * d * sizeof(double),
                               .dgemm_flop = static_cast<double>(passes) * 2.0 * n * 8.0 * d});
}
BENCHMARK(kmeans_fit)->Name("kmeans_fit_1e6x8_k8_max_iter20")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
