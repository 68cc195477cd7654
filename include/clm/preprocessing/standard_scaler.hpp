#pragma once
// clm::standard_scaler — standardise features by removing the mean and scaling to unit
// variance, as scikit-learn's StandardScaler.
//
//   z = (x - mean) / scale
//
// - mean and var are the population statistics (ddof = 0) of the fit data, accumulated
//   in double whatever T is. The variance is two-pass with scikit-learn's correction term.
// - scale = sqrt(var), except for a constant column (var <= n eps var + (n mean eps)^2, the
//   test scikit-learn 1.2 uses) or a scale below 10 eps, where scale = 1: such a column is
//   centred, never divided by zero.
// - NaN is "missing", as in scikit-learn: ignored by fit (each column's statistics are over
//   its non-missing values) and passed through by transform. A column with no value at
//   fit has mean NaN and scale 1, so it transforms to NaN. +-Inf is an error.
// - with_mean = false does not centre, with_std = false does not scale; mean(), var() and
//   scale() always report the fit statistics.

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct standard_scaler_params {
  bool with_mean = true;  ///< subtract the mean
  bool with_std = true;   ///< divide by the standard deviation

  void validate() const {}
  friend bool operator==(const standard_scaler_params&, const standard_scaler_params&) = default;
};

template <class T = double>
class standard_scaler {
 public:
  using value_type = T;
  using params_type = standard_scaler_params;
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>("standard_scaler"); }

  standard_scaler() = default;
  explicit standard_scaler(const params_type& params) : params_(params) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  /// Learns per-column mean and scale. Throws shape_error (empty X), numeric_error (+-Inf).
  template <class E>
  standard_scaler& fit(const E& X_in);

  /// (X - mean) / scale with the fitted statistics. Throws not_fitted, shape_error
  /// (column count differs from fit), numeric_error (+-Inf).
  template <class E>
  matrix<T> transform(const E& X_in) const;

  template <class E>
  matrix<T> fit_transform(const E& X) {
    return fit(X).transform(X);
  }

  /// X * scale + mean: undoes transform.
  template <class E>
  matrix<T> inverse_transform(const E& X_in) const;

  const vector<T>& mean() const { return get().mean; }
  const vector<T>& var() const { return get().var; }
  const vector<T>& scale() const { return get().scale; }
  /// Per column, the number of non-missing values seen at fit.
  const std::vector<std::uint64_t>& n_samples_seen() const { return get().n_samples_seen; }
  std::size_t n_features_in() const { return get().mean.size(); }

  /// Output feature names: the input names (x0, x1, ... when none are given).
  feature_names feature_names_out(const feature_names& input = {}) const;

  template <class Archive>
  void serialize(Archive& ar);

 private:
  struct state {
    vector<T> mean, var, scale;
    std::vector<std::uint64_t> n_samples_seen;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(mean, var, scale, n_samples_seen);
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), "standard_scaler");
    return *state_;
  }

  template <class E>
  matrix<T> apply(const E& X_in, bool inverse) const;

  params_type params_{};
  std::optional<state> state_;
};

// ---------------------------------------------------------------------------------------

namespace detail {

/// Throws numeric_error at the first +-Inf; NaN is allowed (missing).
template <class T>
void check_no_inf(const matrix<T>& X, std::string_view what) {
  const std::size_t d = X.shape()[1];
  const T* p = X.data();
  for (std::size_t i = 0; i < X.size(); ++i) {
    if (std::isinf(p[i])) {
      throw numeric_error(std::string(what) + ": expected finite values or NaN (missing), got " +
                          to_text(p[i]) + " at row " + std::to_string(i / d) + ", column " +
                          std::to_string(i % d));
    }
  }
}

}  // namespace detail

template <class T>
template <class E>
standard_scaler<T>& standard_scaler<T>::fit(const E& X_in) {
  decltype(auto) X = evaluate<T, 2>(X_in, "standard_scaler.fit: X");
  check_nonempty(X, "standard_scaler.fit: X");
  detail::check_no_inf(X, "standard_scaler.fit: X");
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  const T* x = X.data();

  std::vector<double> sum(d, 0.0), corr(d, 0.0), sq(d, 0.0);
  std::vector<std::uint64_t> count(d, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = x + i * d;
    for (std::size_t j = 0; j < d; ++j) {
      const double v = static_cast<double>(row[j]);
      if (!std::isnan(v)) {
        sum[j] += v;
        ++count[j];
      }
    }
  }
  std::vector<double> mean(d);
  for (std::size_t j = 0; j < d; ++j) {
    mean[j] = count[j] ? sum[j] / static_cast<double>(count[j]) : std::numeric_limits<double>::quiet_NaN();
  }
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = x + i * d;
    for (std::size_t j = 0; j < d; ++j) {
      const double v = static_cast<double>(row[j]);
      if (!std::isnan(v)) {
        const double t = v - mean[j];
        corr[j] += t;
        sq[j] += t * t;
      }
    }
  }

  state s;
  s.mean = vector<T>::from_shape({d});
  s.var = vector<T>::from_shape({d});
  s.scale = vector<T>::from_shape({d});
  s.n_samples_seen = count;
  constexpr double eps = std::numeric_limits<double>::epsilon();
  for (std::size_t j = 0; j < d; ++j) {
    const double c = static_cast<double>(count[j]);
    double var = std::numeric_limits<double>::quiet_NaN();
    double scale = 1.0;
    if (count[j] > 0) {
      var = (sq[j] - corr[j] * corr[j] / c) / c;
      if (var < 0.0) var = 0.0;
      const double upper = c * eps * var + (c * mean[j] * eps) * (c * mean[j] * eps);
      const double sd = std::sqrt(var);
      const bool constant = var <= upper || sd < 10.0 * std::numeric_limits<T>::epsilon();
      scale = constant ? 1.0 : sd;
    }
    s.mean(j) = static_cast<T>(mean[j]);
    s.var(j) = static_cast<T>(var);
    s.scale(j) = static_cast<T>(scale);
  }
  state_ = std::move(s);
  return *this;
}

template <class T>
template <class E>
matrix<T> standard_scaler<T>::apply(const E& X_in, bool inverse) const {
  const state& s = get();
  decltype(auto) X = evaluate<T, 2>(X_in, "standard_scaler.transform: X");
  check_columns(X, s.mean.size(), "standard_scaler.transform: X");
  detail::check_no_inf(X, "standard_scaler.transform: X");
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  // Per column: y = (x - shift) / div, or x * div + shift for the inverse. A column with no
  // value at fit keeps a NaN shift so that it transforms to NaN, as in scikit-learn.
  std::vector<T> shift(d), div(d);
  for (std::size_t j = 0; j < d; ++j) {
    const bool no_data = std::isnan(s.mean(j));
    shift[j] = params_.with_mean || no_data ? s.mean(j) : T(0);
    div[j] = params_.with_std ? s.scale(j) : T(1);
  }
  matrix<T> out = matrix<T>::from_shape({n, d});
  const T* x = X.data();
  T* y = out.data();
  for (std::size_t i = 0; i < n; ++i) {
    const T* xr = x + i * d;
    T* yr = y + i * d;
    if (inverse) {
      for (std::size_t j = 0; j < d; ++j) yr[j] = xr[j] * div[j] + shift[j];
    } else {
      // A division, as scikit-learn's (x - mean) / scale, so results agree to the last bit.
      for (std::size_t j = 0; j < d; ++j) yr[j] = (xr[j] - shift[j]) / div[j];
    }
  }
  return out;
}

template <class T>
template <class E>
matrix<T> standard_scaler<T>::transform(const E& X) const {
  return apply(X, false);
}

template <class T>
template <class E>
matrix<T> standard_scaler<T>::inverse_transform(const E& X) const {
  return apply(X, true);
}

template <class T>
feature_names standard_scaler<T>::feature_names_out(const feature_names& input) const {
  const std::size_t d = n_features_in();
  if (input.empty()) {
    feature_names names(d);
    for (std::size_t j = 0; j < d; ++j) names[j] = "x" + std::to_string(j);
    return names;
  }
  if (input.size() != d) {
    throw shape_error("standard_scaler.feature_names_out: expected " + std::to_string(d) +
                      " input names (as at fit), got " + std::to_string(input.size()));
  }
  return input;
}

template <class T>
template <class Archive>
void standard_scaler<T>::serialize(Archive& ar) {
  ar(params_.with_mean, params_.with_std, state_);
  if constexpr (Archive::loading) {
    params_.validate();
    if (state_) {
      const std::size_t d = state_->mean.size();
      ar.check(d > 0 && state_->var.size() == d && state_->scale.size() == d &&
                   state_->n_samples_seen.size() == d,
               "standard_scaler: statistics of different lengths");
      for (std::size_t j = 0; j < d; ++j) {
        ar.check(std::isfinite(state_->scale(j)) && state_->scale(j) > T(0),
                 "standard_scaler: a scale that is not positive and finite");
      }
    }
  }
}

}  // namespace clm
