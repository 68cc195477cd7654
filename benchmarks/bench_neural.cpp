// The MLP on the shared data set `mlp` (1e5 x 40, benchmarks/datasets.hpp): a 64-32-1 relu
// network, one epoch of Adam at batch 32 and at batch 256, in float and double; predicting
// one row and 1e6 rows. Peers on the same files: scikit-learn's MLPClassifier (float64) and
// PyTorch (float32, one thread), benchmarks/peers/peers.py. Floor: the epoch's 6 n (40 64 +
// 64 32 + 32) flops (forward, two backward products) at the GEMM rate of the precision.
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/neural/mlp.hpp>

namespace {

template <class T>
struct cast_data {
  clm::matrix<T> X;
  clm::vector<T> y;
};

template <class T>
const cast_data<T>& problem() {
  static const cast_data<T> d{xt::cast<T>(clm_bench::mlp().X), xt::cast<T>(clm_bench::mlp().y)};
  return d;
}

constexpr double flop_per_sample = 6.0 * (40 * 64 + 64 * 32 + 32 * 1);

template <class T>
void train_one_epoch(benchmark::State& state) {
  const auto& p = problem<T>();
  const auto batch = static_cast<std::size_t>(state.range(0));
  const auto n = p.X.shape()[0];
  for (auto _ : state) {
    clm::mlp_classifier<T> m({.hidden = {64, 32}, .epochs = 1, .batch_size = batch, .seed = 1});
    m.fit(p.X, p.y);
    benchmark::DoNotOptimize(m.weights().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  const double flop = flop_per_sample * static_cast<double>(n);
  state.counters["GFLOP/s"] = benchmark::Counter(flop * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if constexpr (std::is_same_v<T, float>) {
    clm_bench::set_floor(state, {.sgemm_flop = flop});
  } else {
    clm_bench::set_floor(state, {.dgemm_flop = flop});
  }
}
BENCHMARK(train_one_epoch<double>)->Name("mlp_train_epoch_1e5x40_f64")->Arg(32)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(train_one_epoch<float>)->Name("mlp_train_epoch_1e5x40_f32")->Arg(32)->Arg(256)->Unit(benchmark::kMillisecond);

void predict_rows(benchmark::State& state) {
  const auto& p = problem<double>();
  clm::mlp_classifier<> m({.hidden = {64, 32}, .epochs = 1, .seed = 1});
  m.fit(p.X, p.y);
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto n = p.X.shape()[0];
  clm::matrix<double> X = clm::matrix<double>::from_shape({rows, 40});
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < 40; ++j) X(i, j) = p.X(i % n, j);
  }
  for (auto _ : state) benchmark::DoNotOptimize(m.predict_proba(X));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  clm_bench::set_floor(state, {.dgemm_flop = flop_per_sample / 3.0 * static_cast<double>(rows)});
}
BENCHMARK(predict_rows)->Name("mlp_predict_proba")->Arg(1)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
