// The callgrind gate's kernels for the survival and explanation modules (see kernels.cpp):
// a Cox fit, a Kaplan-Meier curve and a permutation importance on small fixed inputs.
#include "datasets.hpp"

#include <clm/explain/permutation_importance.hpp>
#include <clm/linear/logistic_regression.hpp>
#include <clm/survival/cox_ph.hpp>
#include <clm/survival/kaplan_meier.hpp>

#include <functional>
#include <map>
#include <string>

extern "C" void clm_measured(const std::function<void()>& work);

namespace {

double decide_sum = 0.0;

clm::synthetic::churn_time_data<> churn(std::size_t n, std::vector<double> coef, double scale, double censoring,
                                        double follow_up, std::uint64_t seed) {
  return clm::synthetic::churn_times({.n_customers = n, .coef = std::move(coef), .binary_last = true, .shape = 1.3,
                                      .scale = scale, .censoring_rate = censoring, .follow_up = follow_up,
                                      .resolution = 1.0, .seed = seed});
}

}  // namespace

double decide_checksum() { return decide_sum; }

const std::map<std::string, std::function<void()>>& decide_kernels() {
  static const std::map<std::string, std::function<void()>> k = {
      {"cox_ph_fit_5000x5_efron",
       [] {
         const auto s = churn(5000, {0.5, -0.7, 0.3, 0.0, 0.8}, 24.0, 0.02, 36.0, 5);
         clm_measured([&] {
           for (const double v : clm::cox_ph<>().fit(s.X, s.durations, s.events).coef()) decide_sum += v;
         });
       }},
      {"kaplan_meier_200000",
       [] {
         const auto s = churn(200000, {0.5}, 400.0, 0.001, 730.0, 6);
         clm_measured([&] {
           clm::kaplan_meier<> km;
           km.fit(s.durations, s.events);
           decide_sum += km.survival_function().back();
         });
       }},
      {"permutation_importance_5000x10_3_repeats",
       [] {
         const auto c = clm::synthetic::customers({.n_customers = 5000, .seed = 7});
         const clm::logistic_regression<> m = clm::logistic_regression<>().fit(c.X, c.churned);
         clm_measured([&] {
           const auto r = clm::permutation_importance(m, c.X, c.churned, "roc_auc",
                                                      {.n_repeats = 3, .seed = 1, .n_jobs = 1, .permutations = {}});
           for (const double v : r.importances_mean) decide_sum += v;
         });
       }},
  };
  return k;
}
