#pragma once
// Regression metrics as scikit-learn 1.2 computes them:
//   (scikit-learn names: mean_squared_error, mean_squared_error(squared=False),
//   mean_absolute_error, r2_score, mean_absolute_percentage_error)
//   mse, rmse, mae, r2 (1 - SS_res / SS_tot; a constant y_true gives 1 when predicted exactly,
//   else 0, as scikit-learn's force_finite), mape (mean |y - p| / max(|y|, eps), eps the
//   double machine epsilon, as scikit-learn).
// Different lengths, empty input and non-finite values are clm:: errors.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

namespace detail {
template <class E1, class E2, class F>
double regression_mean(const E1& y_true_in, const E2& y_pred_in, const char* owner, F&& term) {
  decltype(auto) y = evaluate<double, 1>(y_true_in, std::string(owner) + ": y_true");
  decltype(auto) p = evaluate<double, 1>(y_pred_in, std::string(owner) + ": y_pred");
  check_paired(y.size(), p.size(), owner, "y_true", "y_pred");
  check_finite(y, std::string(owner) + ": y_true");
  check_finite(p, std::string(owner) + ": y_pred");
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) sum += term(y(i), p(i));
  return sum / static_cast<double>(y.size());
}
}  // namespace detail

template <class E1, class E2>
double mse(const E1& y_true, const E2& y_pred) {
  return detail::regression_mean(y_true, y_pred, "mse", [](double y, double p) { return (y - p) * (y - p); });
}

template <class E1, class E2>
double rmse(const E1& y_true, const E2& y_pred) {
  return std::sqrt(mse(y_true, y_pred));
}

template <class E1, class E2>
double mae(const E1& y_true, const E2& y_pred) {
  return detail::regression_mean(y_true, y_pred, "mae", [](double y, double p) { return std::abs(y - p); });
}

template <class E1, class E2>
double mape(const E1& y_true, const E2& y_pred) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  return detail::regression_mean(y_true, y_pred, "mape",
                                 [eps](double y, double p) { return std::abs(y - p) / std::max(std::abs(y), eps); });
}

template <class E1, class E2>
double r2(const E1& y_true_in, const E2& y_pred) {
  decltype(auto) y = evaluate<double, 1>(y_true_in, "r2: y_true");
  const double res = mse(y, y_pred) * static_cast<double>(y.size());
  double mean = 0.0;
  for (auto v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double tot = 0.0;
  for (auto v : y) tot += (v - mean) * (v - mean);
  if (tot == 0.0) return res == 0.0 ? 1.0 : 0.0;
  return 1.0 - res / tot;
}

}  // namespace clm
