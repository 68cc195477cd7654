// k-means on the peer workload of ../shared/bench/peers.py --only kmeans: 1e6 x 8, k = 8,
// Lloyd iterations (scikit-learn's KMeans(algorithm="lloyd") is the peer; it runs 21 there).
// Reported per iteration: a fit with tol = 0 and max_iter = 20 (setup included), divided by
// its 21 assignment passes.
#include <benchmark/benchmark.h>

#include <clm/cluster/kmeans.hpp>
#include <clm/core/random.hpp>

namespace {

const clm::matrix<double>& data() {
  static const clm::matrix<double> X = [] {
    clm::random_engine g(3);
    const std::size_t n = 1'000'000, d = 8, k = 8;
    std::vector<double> centers(k * d);
    for (auto& c : centers) c = clm::normal(g, 0.0, 1.0);  // overlapping: all 20 iterations run
    clm::matrix<double> m = clm::detail::empty_matrix<double>(n, d);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = clm::uniform_index(g, k);
      for (std::size_t j = 0; j < d; ++j) m(i, j) = centers[c * d + j] + clm::normal(g);
    }
    return m;
  }();
  return X;
}

void kmeans_lloyd_iteration_1e6x8_k8(benchmark::State& state) {
  const auto& X = data();
  std::vector<double> init(X.data(), X.data() + 8 * 8);  // the first 8 rows
  const auto jobs = static_cast<std::size_t>(state.range(0));
  std::size_t iterations = 0;
  for (auto _ : state) {
    clm::kmeans<> km({.k = 8, .init = clm::kmeans_init::given, .init_centers = init, .max_iter = 20, .tol = 0.0,
                      .n_jobs = jobs});
    km.fit(X);
    iterations += km.n_iter();
  }
  // Seconds per Lloyd pass (the final labelling pass included), shown with an SI prefix.
  state.counters["s_per_iteration"] =
      benchmark::Counter(static_cast<double>(iterations + state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(kmeans_lloyd_iteration_1e6x8_k8)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
