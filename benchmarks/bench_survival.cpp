// Survival models on the shared data sets (benchmarks/datasets.hpp; peers: statsmodels'
// PHReg and SurvfuncRight in benchmarks/peers/peers.py):
//   cox_ph fit on 1e6 x 20 with ties (durations in whole days), Efron and Breslow
//   kaplan_meier on 1e7 durations with ties
//   concordance_index of 1e6 risk scores (no peer here: lifelines is not packaged)
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/survival/concordance.hpp>
#include <clm/survival/cox_ph.hpp>
#include <clm/survival/kaplan_meier.hpp>

#include <map>
#include <string>
#include <vector>

namespace {

struct survival_set {
  clm::matrix<double> X;
  clm::vector<double> time, event;
};

/// `prefix`_{X,time,event}: churn times from synthetic::churn_times with `d` covariates
/// (coefficients alternating 0.3, -0.2, 0.1, 0), whole days up to two years.
const survival_set& survival_data(const std::string& prefix, std::size_t n, std::size_t d) {
  static std::map<std::string, survival_set> cache;
  auto it = cache.find(prefix);
  if (it != cache.end()) return it->second;
  const std::string xs = prefix + "_X", ts = prefix + "_time", es = prefix + "_event";
  if (!clm_bench::have({ts.c_str(), es.c_str()}) || (d > 0 && !clm_bench::have({xs.c_str()}))) {
    std::vector<double> coef(std::max<std::size_t>(d, 1));
    const double pattern[4] = {0.3, -0.2, 0.1, 0.0};
    for (std::size_t j = 0; j < coef.size(); ++j) coef[j] = pattern[j % 4];
    const auto s = clm::synthetic::churn_times({.n_customers = n, .coef = coef, .binary_last = true, .shape = 1.3,
                                                .scale = 400.0, .censoring_rate = 0.001, .follow_up = 730.0,
                                                .resolution = 1.0, .seed = 11});
    if (d > 0) clm_bench::save(xs, s.X);
    clm_bench::save(ts, s.durations);
    clm_bench::save(es, s.events);
  }
  survival_set s;
  if (d > 0) s.X = clm_bench::load<double, 2>(xs);
  s.time = clm_bench::load<double, 1>(ts);
  s.event = clm_bench::load<double, 1>(es);
  return cache.emplace(prefix, std::move(s)).first->second;
}

template <clm::cox_ties Ties>
void cox_fit(benchmark::State& state) {
  const auto& s = survival_data("cox", 1'000'000, 20);
  std::size_t iterations = 0;
  for (auto _ : state) {
    clm::cox_ph<> m({.ties = Ties, .alpha = 0.0, .tol = 1e-9, .max_iter = 100});
    m.fit(s.X, s.time, s.event);
    iterations = m.report().iterations;
    benchmark::DoNotOptimize(m.coef().data());
  }
  state.counters["iterations"] = static_cast<double>(iterations);
  const double n = static_cast<double>(s.X.shape()[0]), p = static_cast<double>(s.X.shape()[1]);
  // One read of X per Newton step and one Gram matrix (X' diag(q) X) per Hessian.
  clm_bench::set_floor(state, {.bytes = static_cast<double>(iterations + 1) * n * p * 8.0, .dgemm_flop = 0.0,
                               .sgemm_flop = 0.0, .dsyrk_flop = static_cast<double>(iterations + 1) * n * p * (p + 1)});
}
BENCHMARK(cox_fit<clm::cox_ties::efron>)->Name("cox_fit_efron_1e6x20")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
BENCHMARK(cox_fit<clm::cox_ties::breslow>)->Name("cox_fit_breslow_1e6x20")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void kaplan_meier_fit(benchmark::State& state) {
  const auto& s = survival_data("km", 10'000'000, 0);
  for (auto _ : state) {
    clm::kaplan_meier<> km;
    km.fit(s.time, s.event);
    benchmark::DoNotOptimize(km.survival_function().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.time.size()));
  clm_bench::set_floor(state, {.bytes = 2.0 * static_cast<double>(s.time.size()) * 8.0, .dgemm_flop = 0.0,
                               .sgemm_flop = 0.0, .dsyrk_flop = 0.0});
}
BENCHMARK(kaplan_meier_fit)->Name("kaplan_meier_1e7")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void concordance(benchmark::State& state) {
  const auto& s = survival_data("cox", 1'000'000, 20);
  clm::vector<double> score = xt::view(s.X, xt::all(), 0);
  for (auto _ : state) {
    const double c = clm::concordance_index(s.time, score, s.event);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.time.size()));
}
BENCHMARK(concordance)->Name("concordance_index_1e6")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

}  // namespace
