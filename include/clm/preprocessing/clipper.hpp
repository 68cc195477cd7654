#pragma once
// clm::clipper — winsorise: clip each feature to quantiles learned at fit.
//
// Bounds are numpy's linear-interpolation percentiles of the non-missing fit values
// (np.nanpercentile(X, [lower, upper], axis=0)); transform is np.clip(X, low, high). It
// tames outlier order values and session counts before a scaler or a linear model. NaN is
// missing: ignored at fit, passed through.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct clipper_params {
  double lower = 1.0;   ///< percent
  double upper = 99.0;  ///< percent

  void validate() const {
    require_param(lower >= 0.0 && lower <= upper && upper <= 100.0, "clipper", "lower/upper",
                  std::to_string(lower) + "/" + std::to_string(upper), "0 <= lower <= upper <= 100");
  }
  friend bool operator==(const clipper_params&, const clipper_params&) = default;
};

namespace detail {
template <class T>
struct clipper_state {
  std::size_t n_features_in = 0;
  vector<T> low, high;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, low, high);
    ar.check(n_features_in > 0 && low.size() == n_features_in && high.size() == n_features_in,
             "clipper: bounds of different lengths");
  }
};
}  // namespace detail

template <class T = double>
class clipper : public detail::transformer_base<clipper<T>, clipper_params, detail::clipper_state<T>, T> {
  using base = detail::transformer_base<clipper<T>, clipper_params, detail::clipper_state<T>, T>;

 public:
  static constexpr const char* name = "clipper";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  clipper& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit");
    const std::size_t d = X.shape()[1];
    detail::clipper_state<T> s;
    s.n_features_in = d;
    s.low = vector<T>::from_shape({d});
    s.high = vector<T>::from_shape({d});
    for (std::size_t j = 0; j < d; ++j) {
      const std::vector<double> v = detail::sorted_column(X, j);
      s.low(j) = static_cast<T>(detail::sorted_quantile(v, this->params_.lower / 100.0));
      s.high(j) = static_cast<T>(detail::sorted_quantile(v, this->params_.upper / 100.0));
    }
    this->state_ = std::move(s);
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform");
    const auto& s = this->get();
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < d; ++j) {
        const T x = X.data()[i * d + j];
        // np.clip: min(max(x, low), high); a NaN bound (no data at fit) leaves x alone.
        T y = x;
        if (!std::isnan(x) && !std::isnan(s.low(j))) y = std::min(std::max(x, s.low(j)), s.high(j));
        out.data()[i * d + j] = y;
      }
    }
    return out;
  }

  const vector<T>& lower_bounds() const { return this->get().low; }
  const vector<T>& upper_bounds() const { return this->get().high; }
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::input_names(input, this->n_features_in(), name);
  }

  template <class A>
  void serialize(A& ar) {
    ar(this->params_.lower, this->params_.upper, this->state_);
    if constexpr (A::loading) this->params_.validate();
  }
};

}  // namespace clm
