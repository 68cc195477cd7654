// Linear models on scikit-learn's benchmark shapes, on the shared data set `linear`
// (benchmarks/datasets.hpp; peers: LinearRegression, Ridge, LogisticRegression in
// benchmarks/peers/peers.py):
//   OLS and ridge fit on 1e6 x 50 (floor: the X'X dsyrk)
//   logistic regression fit on the first 2e5 rows (lbfgs, C = 1, tol 1e-6; floor: one read
//   of X per lbfgs evaluation, the loss and gradient pass being fused)
// The argument is the number of rows taken from the data set.
//   predict_proba on 1 row (a service scoring one customer) and on 1e6 rows (one gemv)
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/linear/linear_regression.hpp>
#include <clm/linear/logistic_regression.hpp>

namespace {

/// The first `rows` rows of the `linear` data set (X, y_reg, y_cls).
struct rows_of_linear {
  clm::matrix<double> X_store;
  clm::vector<double> yr_store, yc_store;
  const clm::matrix<double>& X;
  const clm::vector<double>& y_reg;
  const clm::vector<double>& y_cls;
  explicit rows_of_linear(std::size_t rows)
      : X(clm_bench::first_rows(clm_bench::linear().X, rows, X_store)),
        y_reg(clm_bench::first_rows(clm_bench::linear().y_reg, rows, yr_store)),
        y_cls(clm_bench::first_rows(clm_bench::linear().y_cls, rows, yc_store)) {}
};

template <bool Ridge>
void linear_fit(benchmark::State& state) {
  const rows_of_linear p(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    clm::linear_regression<> m({.l2 = Ridge ? 1.0 : 0.0});
    m.fit(p.X, p.y_reg);
    benchmark::DoNotOptimize(m.coef().data());
  }
  const auto n = static_cast<double>(p.X.shape()[0]), d = static_cast<double>(p.X.shape()[1]);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
  state.counters["GFLOP/s"] = benchmark::Counter(n * d * (d + 1) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  clm_bench::set_floor(state, {.dsyrk_flop = n * d * (d + 1)});
}
BENCHMARK(linear_fit<false>)->Name("ols_fit_d50")->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(linear_fit<true>)->Name("ridge_fit_d50")->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void logistic_fit(benchmark::State& state) {
  const rows_of_linear p(static_cast<std::size_t>(state.range(0)));
  std::size_t iterations = 0, evaluations = 0;
  for (auto _ : state) {
    clm::logistic_regression<> m({.C = 1.0, .tol = 1e-6, .max_iter = 1000});
    m.fit(p.X, p.y_cls);
    iterations = m.report().iterations;
    evaluations = m.report().evaluations;
    benchmark::DoNotOptimize(m.coef().data());
  }
  state.counters["iterations"] = static_cast<double>(iterations);
  state.counters["evaluations"] = static_cast<double>(evaluations);
  clm_bench::set_floor(state, {.bytes = static_cast<double>(evaluations * p.X.size() * sizeof(double))});
}
BENCHMARK(logistic_fit)->Name("logistic_fit_d50")->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void logistic_predict_proba(benchmark::State& state) {
  const auto& p = clm_bench::linear();
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
  clm_bench::set_floor(state, {.bytes = static_cast<double>(X.size() * sizeof(double))});
}
BENCHMARK(logistic_predict_proba)->Arg(1)->Arg(1000000)->UseRealTime();

}  // namespace
