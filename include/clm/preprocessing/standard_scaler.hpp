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
#include <string>

#include "clm/distributed/communicator.hpp"
#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct standard_scaler_params {
  bool with_mean = true;  ///< subtract the mean
  bool with_std = true;   ///< divide by the standard deviation

  void validate() const {}
  friend bool operator==(const standard_scaler_params&, const standard_scaler_params&) = default;
};

namespace detail {
template <class T>
struct standard_scaler_state {
  std::size_t n_features_in = 0;
  vector<T> mean, var, scale;
  std::vector<std::uint64_t> n_samples_seen;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, mean, var, scale, n_samples_seen);
    const std::size_t d = n_features_in;
    ar.check(d > 0 && mean.size() == d && var.size() == d && scale.size() == d && n_samples_seen.size() == d,
             "standard_scaler: statistics of different lengths");
    for (std::size_t j = 0; j < d; ++j) {
      ar.check(std::isfinite(scale(j)) && scale(j) > T(0),
               "standard_scaler: a scale that is not positive and finite");
    }
  }
};
}  // namespace detail

template <class T = double>
class standard_scaler : public detail::transformer_base<standard_scaler<T>, standard_scaler_params,
                                                        detail::standard_scaler_state<T>, T> {
  using base = detail::transformer_base<standard_scaler<T>, standard_scaler_params,
                                        detail::standard_scaler_state<T>, T>;

 public:
  static constexpr const char* name = "standard_scaler";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  /// Learns per-column mean and scale. Throws shape_error (empty X), numeric_error (+-Inf).
  template <class E>
  standard_scaler& fit(const E& X_in) {
    local_communicator one;
    return fit(one, X_in);
  }

  /// The fit of the rows held across the ranks of `comm` (clm/distributed/communicator.hpp),
  /// each rank its own (possibly none): the same two passes, their column sums added over
  /// the ranks in rank order, so every rank gets the statistics of all rows.
  template <communicator C, class E>
  standard_scaler& fit(C& comm, const E& X_in);

  /// (X - mean) / scale with the fitted statistics. Throws not_fitted, shape_error
  /// (column count differs from fit), numeric_error (+-Inf).
  template <class E>
  matrix<T> transform(const E& X) const {
    return apply(X, false, "transform");
  }

  /// transform into a matrix the caller owns: `out` must have X's shape and may be X
  /// itself (in place). Reusing `out` across calls saves the page faults of a fresh result,
  /// which dominate a large transform. On an error `out`'s contents are unspecified.
  template <class E>
  void transform_into(const E& X, matrix<T>& out) const {
    apply_into(X, out, false, "transform_into");
  }

  /// fit(X), then transform_into(X, out).
  template <class E>
  standard_scaler& fit_transform_into(const E& X, matrix<T>& out) {
    fit(X).transform_into(X, out);
    return *this;
  }

  /// X * scale + mean: undoes transform.
  template <class E>
  matrix<T> inverse_transform(const E& X) const {
    return apply(X, true, "inverse_transform");
  }

  const vector<T>& mean() const { return this->get().mean; }
  const vector<T>& var() const { return this->get().var; }
  const vector<T>& scale() const { return this->get().scale; }
  /// Per column, the number of non-missing values seen at fit.
  const std::vector<std::uint64_t>& n_samples_seen() const { return this->get().n_samples_seen; }

  /// Output feature names: the input names (x0, x1, ... when none are given).
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::input_names(input, this->n_features_in(), name);
  }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(this->params_.with_mean, this->params_.with_std, this->state_);
    if constexpr (Archive::loading) this->params_.validate();
  }

 private:
  template <class E>
  matrix<T> apply(const E& X_in, bool inverse, const char* method) const;
  template <class E>
  void apply_into(const E& X_in, matrix<T>& out, bool inverse, const char* method) const;
};

// ---------------------------------------------------------------------------------------

template <class T>
template <communicator C, class E>
standard_scaler<T>& standard_scaler<T>::fit(C& comm, const E& X_in) {
  constexpr bool one_process = std::is_same_v<C, local_communicator>;
  // Two passes over X: sums (with the value check fused in), then centred squares.
  matrix<T> X_value;
  const matrix<T>* X_ptr = nullptr;
  std::vector<double> sum;
  std::vector<std::uint64_t> count;
  distributed::run_agreed(comm, "standard_scaler.fit", [&] {
    decltype(auto) Xe = evaluate<T, 2>(X_in, base::subject("fit"));
    if constexpr (one_process) check_nonempty(Xe, base::subject("fit"));
    if constexpr (std::is_lvalue_reference_v<decltype(Xe)>) {
      X_ptr = &Xe;
    } else {
      X_value = std::move(Xe);
      X_ptr = &X_value;
    }
    if (!detail::column_sums(*X_ptr, sum, count)) base::report_values(*X_ptr, "fit", true);
  });
  const matrix<T>& X = *X_ptr;
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  const T* x = X.data();
  if constexpr (!one_process) {
    distributed::same_everywhere(comm, "standard_scaler.fit: the parameters and the column count",
                                 distributed::fingerprint(this->params_.with_mean, this->params_.with_std, d).value());
    detail::reduce_column_sums(comm, sum, count);
    std::int64_t rows = static_cast<std::int64_t>(n);
    comm.allreduce_sum(std::span<std::int64_t>(&rows, 1));
    if (rows == 0) throw shape_error(base::subject("fit") + ": X has no rows on any rank");
  }
  std::vector<double> mean(d);
  for (std::size_t j = 0; j < d; ++j) {
    mean[j] = count[j] ? sum[j] / static_cast<double>(count[j]) : std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> corr(d, 0.0), sq(d, 0.0);
  {
    double* c = corr.data();
    double* q = sq.data();
    const double* m = mean.data();
    for (std::size_t i = 0; i < n; ++i) {
      const T* row = x + i * d;
      for (std::size_t j = 0; j < d; ++j) {
        const double v = static_cast<double>(row[j]);
        const double t = v != v ? 0.0 : v - m[j];  // missing values add nothing
        c[j] += t;
        q[j] += t * t;
      }
    }
  }
  if constexpr (!one_process) {
    std::vector<double> both(corr);
    both.insert(both.end(), sq.begin(), sq.end());
    comm.allreduce_sum(std::span<double>(both));
    std::copy(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(d), corr.begin());
    std::copy(both.begin() + static_cast<std::ptrdiff_t>(d), both.end(), sq.begin());
  }

  detail::standard_scaler_state<T> s;
  s.n_features_in = d;
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
      var = std::max((sq[j] - corr[j] * corr[j] / c) / c, 0.0);
      const double upper = c * eps * var + (c * mean[j] * eps) * (c * mean[j] * eps);
      const double sd = std::sqrt(var);
      scale = var <= upper || sd < 10.0 * std::numeric_limits<T>::epsilon() ? 1.0 : sd;
      if (!std::isfinite(mean[j]) || !std::isfinite(var) || !std::isfinite(static_cast<T>(scale))) {
        throw numeric_error("standard_scaler.fit: column " + std::to_string(j) +
                            ": its mean or variance overflows (values too large for the type); expected values "
                            "whose squares are finite, got a mean of " + detail::to_text(mean[j]));
      }
    }
    s.mean(j) = static_cast<T>(mean[j]);
    s.var(j) = static_cast<T>(var);
    s.scale(j) = static_cast<T>(scale);
  }
  this->state_ = std::move(s);
  return *this;
}

template <class T>
template <class E>
matrix<T> standard_scaler<T>::apply(const E& X_in, bool inverse, const char* method) const {
  decltype(auto) X = this->fitted_input(X_in, method, true, /*check_values_now=*/false);
  matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
  apply_into(X, out, inverse, method);
  return out;
}

template <class T>
template <class E>
void standard_scaler<T>::apply_into(const E& X_in, matrix<T>& out, bool inverse, const char* method) const {
  decltype(auto) X = this->fitted_input(X_in, method, true, /*check_values_now=*/false);
  const auto& s = this->get();
  const auto& p = this->params_;
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  if (out.shape()[0] != n || out.shape()[1] != d) {
    throw shape_error(std::string(name) + "." + method + ": out: expected " + std::to_string(n) + " x " +
                      std::to_string(d) + " (X's shape), got " + std::to_string(out.shape()[0]) + " x " +
                      std::to_string(out.shape()[1]));
  }
  // Per column: y = (x - shift) * (1 / scale), or x * scale + shift for the inverse. A
  // column with no value at fit keeps a NaN shift so that it transforms to NaN, as in
  // scikit-learn. (A multiplication by the reciprocal: within one rounding of scikit-learn's
  // division, and it keeps the pass at memory speed.)
  std::vector<T> shift(d), mul(d), add(d);
  for (std::size_t j = 0; j < d; ++j) {
    const T sh = p.with_mean || std::isnan(s.mean(j)) ? s.mean(j) : T(0);
    const T scale = p.with_std ? s.scale(j) : T(1);
    shift[j] = inverse ? T(0) : sh;
    mul[j] = inverse ? scale : T(1) / scale;
    add[j] = inverse ? sh : T(0);
  }
  // out may be X itself: each element is read before it is written.
  const bool finite = detail::affine_columns(X.data(), out.data(), n, d, shift.data(), mul.data(), add.data());
  if (!finite) {
    // In place, an infinite input is still infinite at its position (finite shift and
    // positive scale) and the message names it, unless its column had no value at fit.
    base::report_values(X, method, true);
    throw numeric_error(this->subject(method) + ": expected finite values or NaN (missing), got an infinite value");
  }
}

}  // namespace clm
