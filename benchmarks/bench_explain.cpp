// Explanations on the shared `linear` data set (benchmarks/datasets.hpp; peer:
// scikit-learn's permutation_importance in benchmarks/peers/peers.py):
//   permutation importance of a logistic model, 1e5 x 45 (the first 45 columns of the
//   first 1e5 rows), 10 repeats, roc_auc; one thread, and two
//   reason codes (top 3) for 1e6 customers of a logistic model on 45 features
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/explain/permutation_importance.hpp>
#include <clm/explain/reason_codes.hpp>
#include <clm/linear/logistic_regression.hpp>

#include <map>
#include <string>
#include <vector>

namespace {

struct explain_set {
  clm::matrix<double> X;
  clm::vector<double> y;
  clm::logistic_regression<> model;
};

/// The first `rows` rows and 45 columns of `linear`, and a logistic model fitted on 1e5 rows.
const explain_set& explain_data(std::size_t rows) {
  static std::map<std::size_t, explain_set> cache;
  auto it = cache.find(rows);
  if (it != cache.end()) return it->second;
  const auto& d = clm_bench::linear();
  explain_set s;
  s.X = xt::view(d.X, xt::range(0, rows), xt::range(0, 45));
  s.y = xt::view(d.y_cls, xt::range(0, rows));
  const clm::matrix<double> Xf = xt::view(d.X, xt::range(0, 100000), xt::range(0, 45));
  const clm::vector<double> yf = xt::view(d.y_cls, xt::range(0, 100000));
  s.model.fit(Xf, yf);
  return cache.emplace(rows, std::move(s)).first->second;
}

void permutation_importance_bench(benchmark::State& state) {
  const auto& s = explain_data(100000);
  const auto jobs = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const auto r = clm::permutation_importance(s.model, s.X, s.y, "roc_auc",
                                               {.n_repeats = 10, .seed = 1, .n_jobs = jobs, .permutations = {}});
    benchmark::DoNotOptimize(r.importances.data());
  }
  // Each of the 450 scores reads X once.
  clm_bench::set_floor(state, {.bytes = 451.0 * static_cast<double>(s.X.size()) * 8.0, .dgemm_flop = 0.0,
                               .sgemm_flop = 0.0, .dsyrk_flop = 0.0});
}
BENCHMARK(permutation_importance_bench)->Name("permutation_importance_1e5x45_10_repeats")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void reason_codes_bench(benchmark::State& state) {
  const auto& s = explain_data(1000000);
  std::vector<std::string> names;
  for (std::size_t j = 0; j < 45; ++j) names.push_back("x" + std::to_string(j));
  const clm::matrix<double> background = xt::view(s.X, xt::range(0, 100000), xt::all());
  for (auto _ : state) {
    const auto t = clm::reason_codes(s.model, s.X, background, names, 3);
    benchmark::DoNotOptimize(t.contribution(0, 0));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000000);
  clm_bench::set_floor(state, {.bytes = static_cast<double>(s.X.size()) * 8.0, .dgemm_flop = 0.0, .sgemm_flop = 0.0,
                               .dsyrk_flop = 0.0});
}
BENCHMARK(reason_codes_bench)->Name("reason_codes_top3_1e6x45")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

}  // namespace
