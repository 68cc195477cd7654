#pragma once
// Per-customer explanations: how much each feature moves one customer's score away from the
// average customer's. Three ways, all returning a `contributions` (values: rows x features,
// base: the score of "nobody in particular"), for which base + the row's sum of values is
// the explained score:
//
//   linear_contributions(model, X, background)
//       exact for a model with coef() and intercept() (linear_regression, logistic_regression):
//       value(i, j) = coef_j (x_ij - mean_j), base = intercept + coef . mean, mean being the
//       column means of `background` (the training data, say). On the model's link scale
//       (the logit for logistic regression): the values sum to decision_function - base.
//
//   shapley_values(f, X, background)
//       exact Shapley values (Shapley 1953; SHAP's "interventional" form, Lundberg & Lee
//       2017) by enumerating every subset S of the d features:
//         v(S) = mean over background rows b of f(x_S, b_rest)
//         value_j = sum over S without j of |S|! (d - |S| - 1)! / d! (v(S + j) - v(S))
//       base = v({}) = the mean of f over the background. Efficiency holds exactly:
//       base + sum_j value_j = f(x). Cost: 2^d x |background| evaluations of f per row;
//       d <= 20 (invalid_argument beyond: use sampling_shapley). For a linear f the values
//       equal linear_contributions'.
//
//   sampling_shapley(f, X, background, {n_samples, seed})
//       the permutation-sampling estimator (Strumbelj & Kononenko 2014): each sample draws a
//       feature order and a background row b, walks from b to x one feature at a time in that
//       order and credits each feature with the change in f. The estimate is unbiased; its
//       standard error per value is returned (standard_error: sample s.d. / sqrt(n_samples)),
//       so |estimate - exact| is within a few standard errors. base is the mean of f over
//       the sampled background rows, so base + sum_j value_j = f(x) exactly here too.
//       Cost: n_samples x (d + 1) evaluations per row.
//
// f is a fitted model or a function matrix -> vector. For a model: its decision_function
// for a classifier (the link scale, where a logistic model is additive) and predict
// otherwise.
//
// Errors: X and background with different column counts (shape_error), an empty
// background, too many features for exact enumeration, n_samples = 0 (invalid_argument).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct contributions {
  matrix<double> values;          ///< rows x features
  vector<double> base;            ///< per row: the score values move away from
  matrix<double> standard_error;  ///< sampling_shapley only: rows x features
};

struct sampling_shapley_options {
  std::size_t n_samples = 200;  ///< sampled (order, background row) pairs per customer
  std::uint64_t seed = 0;
};

namespace detail {

/// The function a contribution explains: a callable on a matrix, or a model's
/// decision_function (classifiers) / predict.
template <class F>
vector<double> explained_output(const F& f, const matrix<double>& Z) {
  if constexpr (requires { { f(Z) }; }) {
    return vector<double>(f(Z));
  } else if constexpr (requires { f.decision_function(Z); }) {
    return vector<double>(xt::cast<double>(f.decision_function(Z)));
  } else {
    return vector<double>(xt::cast<double>(f.predict(Z)));
  }
}

inline void check_background(const matrix<double>& X, const matrix<double>& background, std::string_view owner) {
  check_nonempty(X, std::string(owner) + ": X");
  check_finite(X, std::string(owner) + ": X");
  if (background.shape()[0] == 0) throw invalid_argument(std::string(owner) + ": the background has no rows");
  if (background.shape()[1] != X.shape()[1]) {
    throw shape_error(std::string(owner) + ": X has " + std::to_string(X.shape()[1]) + " columns, the background " +
                      std::to_string(background.shape()[1]));
  }
  check_finite(background, std::string(owner) + ": background");
}

inline std::vector<double> column_means(const matrix<double>& B) {
  const std::size_t n = B.shape()[0], d = B.shape()[1];
  std::vector<double> m(d, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) m[j] += B(i, j);
  }
  for (auto& v : m) v /= static_cast<double>(n);
  return m;
}

}  // namespace detail

namespace detail {

/// A linear model's contributions, checked once: coef_j (x_j - mean_j) for each row and
/// base = intercept + coef . mean, the means taken over the background.
struct linear_terms {
  std::vector<double> coef, mean;
  double base = 0.0;
  void row(const double* x, double* out) const {
    for (std::size_t j = 0; j < coef.size(); ++j) out[j] = coef[j] * (x[j] - mean[j]);
  }
};

template <class M>
linear_terms linear_terms_of(const M& model, const matrix<double>& X, const matrix<double>& background,
                             std::string_view owner) {
  check_background(X, background, owner);
  const auto& coef = model.coef();
  const std::size_t d = X.shape()[1];
  if (coef.size() != d) {
    throw shape_error(std::string(owner) + ": the model has " + std::to_string(coef.size()) + " coefficients, X " +
                      std::to_string(d) + " columns");
  }
  linear_terms t;
  t.coef.assign(coef.begin(), coef.end());
  t.mean = column_means(background);
  t.base = static_cast<double>(model.intercept());
  for (std::size_t j = 0; j < d; ++j) t.base += t.coef[j] * t.mean[j];
  return t;
}

}  // namespace detail

/// Exact contributions of a linear model on its link scale.
template <class M>
  requires requires(const M& m) {
    m.coef();
    m.intercept();
  }
contributions linear_contributions(const M& model, const matrix<double>& X, const matrix<double>& background) {
  const auto terms = detail::linear_terms_of(model, X, background, "linear_contributions");
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  contributions c;
  c.values = matrix<double>::from_shape({n, d});
  c.base = vector<double>::from_shape({n});
  c.base.fill(terms.base);
  for (std::size_t i = 0; i < n; ++i) terms.row(X.data() + i * d, c.values.data() + i * d);
  return c;
}

/// Exact (interventional) Shapley values by enumerating the 2^d feature subsets.
template <class F>
contributions shapley_values(const F& f, const matrix<double>& X, const matrix<double>& background) {
  const char* owner = "shapley_values";
  detail::check_background(X, background, owner);
  const std::size_t n = X.shape()[0], d = X.shape()[1], B = background.shape()[0];
  if (d > 20) {
    throw invalid_argument(std::string(owner) + ": exact values enumerate 2^d feature subsets; d = " + std::to_string(d) +
                           " is more than 20: use sampling_shapley");
  }
  const std::size_t S = std::size_t{1} << d;
  // weight[s] = s! (d - s - 1)! / d!, by the recurrence weight[s + 1] = weight[s] (s + 1) / (d - s - 1).
  std::vector<double> weight(d, 0.0);
  weight[0] = 1.0 / static_cast<double>(d);
  for (std::size_t s = 0; s + 1 < d; ++s) {
    weight[s + 1] = weight[s] * static_cast<double>(s + 1) / static_cast<double>(d - s - 1);
  }
  contributions c;
  c.values = xt::zeros<double>({n, d});
  c.base = vector<double>::from_shape({n});
  matrix<double> Z = matrix<double>::from_shape({S * B, d});
  std::vector<double> v(S);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t mask = 0; mask < S; ++mask) {
      for (std::size_t b = 0; b < B; ++b) {
        double* z = Z.data() + (mask * B + b) * d;
        for (std::size_t j = 0; j < d; ++j) z[j] = (mask >> j & 1) ? X(i, j) : background(b, j);
      }
    }
    const vector<double> out = detail::explained_output(f, Z);
    for (std::size_t mask = 0; mask < S; ++mask) {
      double s = 0;
      for (std::size_t b = 0; b < B; ++b) s += out(mask * B + b);
      v[mask] = s / static_cast<double>(B);
    }
    for (std::size_t mask = 0; mask < S; ++mask) {
      const auto size = static_cast<std::size_t>(__builtin_popcountll(mask));
      for (std::size_t j = 0; j < d; ++j) {
        if (mask >> j & 1) continue;
        c.values(i, j) += weight[size] * (v[mask | (std::size_t{1} << j)] - v[mask]);
      }
    }
    c.base(i) = v[0];
  }
  return c;
}

/// Shapley values estimated by sampling feature orders, with their standard errors.
template <class F>
contributions sampling_shapley(const F& f, const matrix<double>& X, const matrix<double>& background,
                               const sampling_shapley_options& o = {}) {
  const char* owner = "sampling_shapley";
  detail::check_background(X, background, owner);
  require_param(o.n_samples >= 2, owner, "n_samples", o.n_samples, ">= 2");
  const std::size_t n = X.shape()[0], d = X.shape()[1], B = background.shape()[0], M = o.n_samples;
  random_engine g(o.seed);
  contributions c;
  c.values = xt::zeros<double>({n, d});
  c.standard_error = xt::zeros<double>({n, d});
  c.base = vector<double>::from_shape({n});
  matrix<double> Z = matrix<double>::from_shape({M * (d + 1), d});
  std::vector<std::vector<std::size_t>> orders(M, std::vector<std::size_t>(d));
  std::vector<double> sum(d), sum2(d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t m = 0; m < M; ++m) {
      auto& p = orders[m];
      for (std::size_t j = 0; j < d; ++j) p[j] = j;
      for (std::size_t j = d; j > 1; --j) std::swap(p[j - 1], p[uniform_index(g, j)]);
      const std::size_t b = uniform_index(g, B);
      double* z = Z.data() + m * (d + 1) * d;
      for (std::size_t j = 0; j < d; ++j) z[j] = background(b, j);
      for (std::size_t k = 0; k < d; ++k) {  // row k + 1: the first k + 1 features of the order from x
        double* next = z + (k + 1) * d;
        std::copy_n(z + k * d, d, next);
        next[p[k]] = X(i, p[k]);
      }
    }
    const vector<double> out = detail::explained_output(f, Z);
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(sum2.begin(), sum2.end(), 0.0);
    double base = 0;
    for (std::size_t m = 0; m < M; ++m) {
      const double* y = out.data() + m * (d + 1);
      base += y[0];
      for (std::size_t k = 0; k < d; ++k) {
        const double delta = y[k + 1] - y[k];
        sum[orders[m][k]] += delta;
        sum2[orders[m][k]] += delta * delta;
      }
    }
    const double Md = static_cast<double>(M);
    c.base(i) = base / Md;
    for (std::size_t j = 0; j < d; ++j) {
      const double mean = sum[j] / Md;
      const double var = std::max(0.0, (sum2[j] - Md * mean * mean) / (Md - 1.0));
      c.values(i, j) = mean;
      c.standard_error(i, j) = std::sqrt(var / Md);
    }
  }
  return c;
}

}  // namespace clm
