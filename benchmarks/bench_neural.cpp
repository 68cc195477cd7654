// The MLP on the workloads of ../shared/bench/peers.py --only mlp (scikit-learn's
// MLPClassifier and PyTorch are the peers there): a 64-32-1 relu network on 1e5 x 40, one
// epoch of Adam at batch 32 and at batch 256, in float and double; predicting one row and
// 1e6 rows.
#include <benchmark/benchmark.h>

#include <clm/core/random.hpp>
#include <clm/neural/mlp.hpp>

#include <cmath>

namespace {

template <class T>
struct problem {
  clm::matrix<T> X;
  clm::vector<T> y;
};

template <class T>
const problem<T>& data(std::size_t n) {
  static std::size_t made = 0;
  static problem<T> p;
  if (made != n) {
    clm::random_engine g(11);
    const std::size_t d = 40;
    p.X = clm::matrix<T>::from_shape({n, d});
    p.y = clm::vector<T>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      double z = 0.0;
      for (std::size_t j = 0; j < d; ++j) {
        const double v = clm::normal(g);
        p.X(i, j) = static_cast<T>(v);
        z += (j % 3 == 0 ? 0.5 : -0.2) * v;
      }
      p.y(i) = clm::bernoulli(g, 1.0 / (1.0 + std::exp(-z))) ? T(1) : T(0);
    }
    made = n;
  }
  return p;
}

template <class T>
void train_one_epoch(benchmark::State& state) {
  const auto& p = data<T>(100'000);
  const auto batch = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    clm::mlp_classifier<T> m({.hidden = {64, 32}, .epochs = 1, .batch_size = batch, .seed = 1});
    m.fit(p.X, p.y);
    benchmark::DoNotOptimize(m.weights().data());
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(train_one_epoch<double>)->Name("mlp_train_epoch_1e5x40_f64")->Arg(32)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(train_one_epoch<float>)->Name("mlp_train_epoch_1e5x40_f32")->Arg(32)->Arg(256)->Unit(benchmark::kMillisecond);

void predict_rows(benchmark::State& state) {
  const auto& p = data<double>(100'000);
  clm::mlp_classifier<> m({.hidden = {64, 32}, .epochs = 1, .seed = 1});
  m.fit(p.X, p.y);
  const auto rows = static_cast<std::size_t>(state.range(0));
  clm::matrix<double> X = clm::matrix<double>::from_shape({rows, 40});
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < 40; ++j) X(i, j) = p.X(i % 100'000, j);
  }
  for (auto _ : state) benchmark::DoNotOptimize(m.predict_proba(X));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}
BENCHMARK(predict_rows)->Name("mlp_predict_proba")->Arg(1)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
