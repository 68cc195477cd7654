#pragma once
// clm::partial_dependence — the model's average output as one feature is set to each value
// of a grid for every row (Friedman 2001), scikit-learn's method="brute"
// (sklearn.inspection.partial_dependence):
//
//   average[g] = mean_i f(x_i with feature j = grid[g])
//   individual(i, g) = f(x_i with feature j = grid[g])     (ICE curves, when asked)
//
// f is the model's predict_proba for a classifier (scikit-learn's response_method "auto")
// and predict otherwise, unless options.output names another output.
//
// The grid (scikit-learn 1.2's _grid_from_X): options.grid when given; else the feature's
// distinct values when there are fewer than grid_resolution of them; else grid_resolution
// points evenly spaced (numpy.linspace) between the feature's lower and upper percentiles
// (default 5% and 95%) taken as scipy.stats.mstats.mquantiles does (alphap = betap = 0.4,
// not numpy's linear percentile).
//
// Errors: a feature index past X's columns, grid_resolution < 2, percentiles outside
// 0 <= lower < upper <= 1, percentiles that coincide on the data (invalid_argument).

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/model_selection/cross_validate.hpp"

namespace clm {

struct partial_dependence_options {
  std::size_t grid_resolution = 100;
  double lower = 0.05;  ///< percentiles bounding the grid
  double upper = 0.95;
  vector<double> grid{};  ///< given: the grid itself
  std::optional<model_output> output{};  ///< default: predict_proba for classifiers, else predict
  bool individual = false;  ///< also return the per-row (ICE) curves
};

struct partial_dependence_result {
  vector<double> grid;
  vector<double> average;
  matrix<double> individual;  ///< rows x grid when asked, else empty
};

namespace detail {

/// scipy.stats.mstats.mquantiles(x, prob, alphap = 0.4, betap = 0.4) of sorted x.
inline double mquantile(const std::vector<double>& sorted, double p) {
  const std::size_t n = sorted.size();
  if (n == 1) return sorted[0];
  constexpr double alphap = 0.4, betap = 0.4;
  const double m = alphap + p * (1.0 - alphap - betap);
  const double aleph = static_cast<double>(n) * p + m;
  const double k = std::floor(std::clamp(aleph, 1.0, static_cast<double>(n - 1)));
  const double gamma = std::clamp(aleph - k, 0.0, 1.0);
  const auto kk = static_cast<std::size_t>(k);
  return (1.0 - gamma) * sorted[kk - 1] + gamma * sorted[kk];
}

}  // namespace detail

/// The grid partial_dependence uses for column `feature` of X.
inline vector<double> partial_dependence_grid(const matrix<double>& X, std::size_t feature,
                                              const partial_dependence_options& o = {}) {
  const char* owner = "partial_dependence";
  if (feature >= X.shape()[1]) {
    throw invalid_argument(std::string(owner) + ": feature " + std::to_string(feature) + " is past X's " +
                           std::to_string(X.shape()[1]) + " columns");
  }
  if (o.grid.size() > 0) {
    check_finite(o.grid, "partial_dependence: grid");
    return o.grid;
  }
  require_param(o.grid_resolution >= 2, owner, "grid_resolution", o.grid_resolution, ">= 2");
  require_param(o.lower >= 0.0 && o.lower < o.upper && o.upper <= 1.0, owner, "lower/upper",
                detail::to_text(o.lower) + "/" + detail::to_text(o.upper), "0 <= lower < upper <= 1");
  std::vector<double> v(X.shape()[0]);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = X(i, feature);
  std::sort(v.begin(), v.end());
  std::vector<double> uniq(v.begin(), std::unique(v.begin(), v.end()));
  if (uniq.size() < o.grid_resolution) {
    vector<double> g = vector<double>::from_shape({uniq.size()});
    std::copy(uniq.begin(), uniq.end(), g.begin());
    return g;
  }
  const double lo = detail::mquantile(v, o.lower), hi = detail::mquantile(v, o.upper);
  if (std::abs(hi - lo) <= 1e-8 + 1e-5 * std::abs(lo)) {  // numpy.allclose, as scikit-learn checks
    throw invalid_argument(std::string(owner) + ": the percentiles are too close to each other on feature " +
                           std::to_string(feature) + " (" + detail::to_text(lo) + ", " + detail::to_text(hi) +
                           "): widen lower/upper");
  }
  const std::size_t m = o.grid_resolution;
  vector<double> g = vector<double>::from_shape({m});
  const double step = (hi - lo) / static_cast<double>(m - 1);
  for (std::size_t k = 0; k < m; ++k) g(k) = static_cast<double>(k) * step + lo;  // numpy.linspace
  g(m - 1) = hi;
  return g;
}

template <class E>
partial_dependence_result partial_dependence(const E& model, const matrix<double>& X, std::size_t feature,
                                             const partial_dependence_options& o = {}) {
  check_nonempty(X, "partial_dependence: X");
  partial_dependence_result r;
  r.grid = partial_dependence_grid(X, feature, o);
  model_output kind = model_output::predict;
  if constexpr (classifier<E>) kind = model_output::predict_proba;
  if (o.output) kind = *o.output;
  const std::size_t n = X.shape()[0], m = r.grid.size();
  r.average = vector<double>::from_shape({m});
  if (o.individual) r.individual = matrix<double>::from_shape({n, m});
  matrix<double> W = X;
  for (std::size_t g = 0; g < m; ++g) {
    for (std::size_t i = 0; i < n; ++i) W(i, feature) = r.grid(g);
    const vector<double> out = scorer::output_of(model, W, kind);
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += out(i);
    r.average(g) = s / static_cast<double>(n);
    if (o.individual) {
      for (std::size_t i = 0; i < n; ++i) r.individual(i, g) = out(i);
    }
  }
  return r;
}

}  // namespace clm
