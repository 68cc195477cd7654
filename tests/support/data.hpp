#pragma once
// Test data shared by the estimator tests: two independent draws of clm::synthetic customers
// (a training set and a different one for the "other data" checks of check_estimator).

#include "clm/data/synthetic.hpp"
#include "support/estimator_checks.hpp"

namespace clm::testing {

/// Customer features with the churn label (classification) as y.
template <class T>
check_data<T> customer_data(bool nan_is_missing = false) {
  const auto a = synthetic::customers<T>({.n_customers = 300, .seed = 1});
  const auto b = synthetic::customers<T>({.n_customers = 120, .seed = 2});
  return {a.X, a.churned, b.X, b.churned, nan_is_missing};
}

/// Customer features with the true churn probability (regression) as y.
template <class T>
check_data<T> customer_regression_data() {
  const auto a = synthetic::customers<T>({.n_customers = 300, .seed = 1});
  const auto b = synthetic::customers<T>({.n_customers = 120, .seed = 2});
  return {a.X, a.churn_probability, b.X, b.churn_probability, false};
}

}  // namespace clm::testing
