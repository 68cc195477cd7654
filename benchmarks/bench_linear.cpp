// Linear models on scikit-learn's benchmark shapes (peer figures: ../shared/bench/peers.py
// --only ols,logreg, run by `scripts/dev bench --peers`):
//   OLS and ridge fit on 1e6 x 50 (floor: the X'X dsyrk alone, bench_limits dsyrk_gram)
//   logistic regression fit on 2e5 x 50 (lbfgs, C = 1, tol 1e-6)
//   predict_proba on 1 row (a service scoring one customer) and on 1e6 rows (one gemv)
#include <benchmark/benchmark.h>

#include <clm/core/random.hpp>
#include <clm/linear/linear_regression.hpp>
#include <clm/linear/logistic_regression.hpp>

#include <cmath>

namespace {

struct problem {
  clm::matrix<double> X;
  clm::vector<double> y_reg, y_cls;
};

const problem& data(std::size_t n) {
  static std::size_t made = 0;
  static problem p;
  if (made != n) {
    clm::random_engine g(42);
    const std::size_t d = 50;
    p.X = clm::detail::empty_matrix<double>(n, d);
    for (auto& v : p.X) v = clm::normal(g);
    std::vector<double> beta(d);
    for (auto& b : beta) b = clm::normal(g, 0.0, 0.5);
    p.y_reg = clm::vector<double>::from_shape({n});
    p.y_cls = clm::vector<double>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      double z = 0.5;
      for (std::size_t j = 0; j < d; ++j) z += p.X(i, j) * beta[j];
      p.y_reg(i) = z + clm::normal(g);
      p.y_cls(i) = clm::bernoulli(g, 1.0 / (1.0 + std::exp(-z))) ? 1.0 : 0.0;
    }
    made = n;
  }
  return p;
}

void ols_fit(benchmark::State& state) {
  const auto& p = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    clm::linear_regression<> m;
    m.fit(p.X, p.y_reg);
    benchmark::DoNotOptimize(m.coef().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * p.X.shape()[0]));
}
BENCHMARK(ols_fit)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void ridge_fit(benchmark::State& state) {
  const auto& p = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    clm::linear_regression<> m({.l2 = 1.0});
    m.fit(p.X, p.y_reg);
    benchmark::DoNotOptimize(m.coef().data());
  }
}
BENCHMARK(ridge_fit)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void logistic_fit(benchmark::State& state) {
  const auto& p = data(static_cast<std::size_t>(state.range(0)));
  std::size_t iterations = 0;
  double loss = 0;
  for (auto _ : state) {
    clm::logistic_regression<> m({.C = 1.0, .tol = 1e-6, .max_iter = 1000});
    m.fit(p.X, p.y_cls);
    iterations = m.report().iterations;
    loss = m.report().final_value;
    benchmark::DoNotOptimize(m.coef().data());
  }
  state.counters["iterations"] = static_cast<double>(iterations);
  state.counters["mean_loss"] = loss;
}
BENCHMARK(logistic_fit)->Arg(200000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void logistic_predict_proba(benchmark::State& state) {
  const auto& p = data(1000000);
  clm::logistic_regression<> m({.C = 1.0, .max_iter = 200});
  m.fit(clm::matrix<double>(xt::view(p.X, xt::range(0, 20000), xt::all())),
        clm::vector<double>(xt::view(p.y_cls, xt::range(0, 20000))));
  const auto rows = static_cast<std::size_t>(state.range(0));
  const clm::matrix<double> one = xt::view(p.X, xt::range(0, 1), xt::all());
  const clm::matrix<double>& X = rows == 1 ? one : p.X;  // the data's own 1e6 rows: no copy
  for (auto _ : state) {
    auto prob = m.predict_proba(X);
    benchmark::DoNotOptimize(prob.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
}
BENCHMARK(logistic_predict_proba)->Arg(1)->Arg(1000000)->UseRealTime();

}  // namespace
