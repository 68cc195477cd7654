#pragma once
// clm::robust_scaler — centre by the median and scale by the interquartile range, as
// scikit-learn's RobustScaler:  y = (x - median) / (q_high - q_low).
//
// Quantiles are numpy's linear interpolation over the non-missing values (np.nanpercentile);
// a zero range scales by 1. NaN is missing: ignored at fit, passed through. A column with no
// value at fit has centre NaN (it transforms to NaN).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct robust_scaler_params {
  bool with_centering = true;
  bool with_scaling = true;
  double quantile_low = 25.0;   ///< percent
  double quantile_high = 75.0;  ///< percent

  void validate() const {
    require_param(quantile_low >= 0.0 && quantile_low < quantile_high && quantile_high <= 100.0,
                  "robust_scaler", "quantile_low/quantile_high",
                  std::to_string(quantile_low) + "/" + std::to_string(quantile_high),
                  "0 <= quantile_low < quantile_high <= 100");
  }
  friend bool operator==(const robust_scaler_params&, const robust_scaler_params&) = default;
};

namespace detail {
template <class T>
struct robust_state {
  std::size_t n_features_in = 0;
  vector<T> center, scale;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, center, scale);
    ar.check(n_features_in > 0 && center.size() == n_features_in && scale.size() == n_features_in,
             "robust_scaler: statistics of different lengths");
  }
};
}  // namespace detail

template <class T = double>
class robust_scaler
    : public detail::transformer_base<robust_scaler<T>, robust_scaler_params, detail::robust_state<T>, T> {
  using base = detail::transformer_base<robust_scaler<T>, robust_scaler_params, detail::robust_state<T>, T>;

 public:
  static constexpr const char* name = "robust_scaler";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  robust_scaler& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit");
    const std::size_t d = X.shape()[1];
    detail::robust_state<T> s;
    s.n_features_in = d;
    s.center = vector<T>::from_shape({d});
    s.scale = vector<T>::from_shape({d});
    for (std::size_t j = 0; j < d; ++j) {
      const std::vector<double> v = detail::sorted_column(X, j);
      s.center(j) = static_cast<T>(detail::sorted_median(v));
      const double lo = detail::sorted_quantile(v, this->params_.quantile_low / 100.0);
      const double hi = detail::sorted_quantile(v, this->params_.quantile_high / 100.0);
      s.scale(j) = static_cast<T>(v.empty() ? 1.0 : detail::handle_zero_scale(hi - lo));
    }
    this->state_ = std::move(s);
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform");
    const auto& s = this->get();
    const auto& p = this->params_;
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < d; ++j) {
        T y = X.data()[i * d + j];
        if (p.with_centering || std::isnan(s.center(j))) y -= s.center(j);
        if (p.with_scaling) y /= s.scale(j);
        out.data()[i * d + j] = y;
      }
    }
    return out;
  }

  const vector<T>& center() const { return this->get().center; }
  const vector<T>& scale() const { return this->get().scale; }
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::input_names(input, this->n_features_in(), name);
  }

  template <class A>
  void serialize(A& ar) {
    auto& p = this->params_;
    ar(p.with_centering, p.with_scaling, p.quantile_low, p.quantile_high, this->state_);
    if constexpr (A::loading) p.validate();
  }
};

}  // namespace clm
