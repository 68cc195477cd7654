#pragma once
// clm::min_max_scaler — scale each feature to a range, as scikit-learn's MinMaxScaler:
//
//   scale = (max_r - min_r) / (data_max - data_min),   min = min_r - data_min * scale
//   y = x * scale + min
//
// A constant column (range below 10 eps) has range 1, so it maps to min_r + (x - data_min).
// NaN is missing: ignored at fit, passed through. `clip` clips the output to the range
// (for data outside the fit range).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct min_max_scaler_params {
  double range_min = 0.0;
  double range_max = 1.0;
  bool clip = false;

  void validate() const {
    require_param(std::isfinite(range_min) && std::isfinite(range_max) && range_min < range_max,
                  "min_max_scaler", "range_min/range_max", std::to_string(range_min) + "/" + std::to_string(range_max),
                  "finite with range_min < range_max");
  }
  friend bool operator==(const min_max_scaler_params&, const min_max_scaler_params&) = default;
};

namespace detail {
template <class T>
struct min_max_state {
  std::size_t n_features_in = 0;
  vector<T> data_min, data_max, scale, min;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, data_min, data_max, scale, min);
    ar.check(data_min.size() == n_features_in && data_max.size() == n_features_in &&
                 scale.size() == n_features_in && min.size() == n_features_in && n_features_in > 0,
             "min_max_scaler: statistics of different lengths");
  }
};
}  // namespace detail

template <class T = double>
class min_max_scaler
    : public detail::transformer_base<min_max_scaler<T>, min_max_scaler_params, detail::min_max_state<T>, T> {
  using base = detail::transformer_base<min_max_scaler<T>, min_max_scaler_params, detail::min_max_state<T>, T>;

 public:
  static constexpr const char* name = "min_max_scaler";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  min_max_scaler& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit", true, /*check_values_now=*/false);
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    std::vector<T> lo(d, std::numeric_limits<T>::infinity()), hi(d, -std::numeric_limits<T>::infinity());
    {
      // One branch-free pass: comparisons with NaN are false, so missing values are skipped;
      // an infinity shows up as an infinite extreme and is reported below.
      T* l = lo.data();
      T* h = hi.data();
      const T* x = X.data();
      for (std::size_t i = 0; i < n; ++i) {
        const T* row = x + i * d;
        for (std::size_t j = 0; j < d; ++j) {
          l[j] = row[j] < l[j] ? row[j] : l[j];
          h[j] = row[j] > h[j] ? row[j] : h[j];
        }
      }
    }
    for (std::size_t j = 0; j < d; ++j) {
      if (std::isinf(lo[j]) && lo[j] <= hi[j]) base::report_values(X, "fit", true);
      if (std::isinf(hi[j]) && lo[j] <= hi[j]) base::report_values(X, "fit", true);
    }
    detail::min_max_state<T> s;
    s.n_features_in = d;
    s.data_min = vector<T>::from_shape({d});
    s.data_max = vector<T>::from_shape({d});
    s.scale = vector<T>::from_shape({d});
    s.min = vector<T>::from_shape({d});
    const auto& p = this->params_;
    for (std::size_t j = 0; j < d; ++j) {
      const bool empty = lo[j] > hi[j];
      const double dmin = empty ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(lo[j]);
      const double dmax = empty ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(hi[j]);
      const double scale = empty ? 1.0 : (p.range_max - p.range_min) / detail::handle_zero_scale(dmax - dmin);
      s.data_min(j) = static_cast<T>(dmin);
      s.data_max(j) = static_cast<T>(dmax);
      s.scale(j) = static_cast<T>(scale);
      s.min(j) = static_cast<T>(p.range_min - dmin * scale);
    }
    this->state_ = std::move(s);
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform", true, /*check_values_now=*/false);
    const auto& s = this->get();
    const auto& p = this->params_;
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    matrix<T> out = detail::empty_matrix<T>(n, d);
    const std::vector<T> zero(d, T(0));
    const bool finite = detail::affine_columns(X.data(), out.data(), n, d, zero.data(), s.scale.data(), s.min.data(),
                                               p.clip, static_cast<T>(p.range_min), static_cast<T>(p.range_max));
    if (!finite) base::report_values(X, "transform", true);
    return out;
  }

  template <class E>
  matrix<T> inverse_transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "inverse_transform");
    const auto& s = this->get();
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < d; ++j) out.data()[i * d + j] = (X.data()[i * d + j] - s.min(j)) / s.scale(j);
    }
    return out;
  }

  const vector<T>& data_min() const { return this->get().data_min; }
  const vector<T>& data_max() const { return this->get().data_max; }
  const vector<T>& scale() const { return this->get().scale; }
  const vector<T>& min() const { return this->get().min; }
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::input_names(input, this->n_features_in(), name);
  }

  template <class A>
  void serialize(A& ar) {
    ar(this->params_.range_min, this->params_.range_max, this->params_.clip, this->state_);
    if constexpr (A::loading) this->params_.validate();
  }
};

}  // namespace clm
