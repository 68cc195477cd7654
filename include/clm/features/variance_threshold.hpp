#pragma once
// clm::variance_threshold — drop features whose variance is not above a threshold, as
// scikit-learn's VarianceThreshold. Variances are np.nanvar's (population, NaN ignored);
// with threshold 0 a feature without missing values is also dropped when its peak-to-peak
// range is 0 (scikit-learn does the same, so rounding in the variance cannot keep a
// constant column). Keeping no
// feature is an error.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct variance_threshold_params {
  double threshold = 0.0;

  void validate() const {
    require_param(threshold >= 0.0 && std::isfinite(threshold), "variance_threshold", "threshold", threshold,
                  "finite and >= 0");
  }
  friend bool operator==(const variance_threshold_params&, const variance_threshold_params&) = default;
};

namespace detail {
template <class T>
struct variance_threshold_state {
  std::size_t n_features_in = 0;
  vector<T> variances;
  std::vector<std::uint64_t> kept;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, variances, kept);
    ar.check(n_features_in > 0 && variances.size() == n_features_in && !kept.empty() &&
                 kept.size() <= n_features_in,
             "variance_threshold: inconsistent state");
    ar.check(kept_valid(kept, n_features_in), "variance_threshold: bad column list");
  }
};
}  // namespace detail

template <class T = double>
class variance_threshold : public detail::transformer_base<variance_threshold<T>, variance_threshold_params,
                                                           detail::variance_threshold_state<T>, T> {
  using base = detail::transformer_base<variance_threshold<T>, variance_threshold_params,
                                        detail::variance_threshold_state<T>, T>;

 public:
  static constexpr const char* name = "variance_threshold";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  variance_threshold& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit");
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    std::vector<double> sum;
    std::vector<std::uint64_t> count;
    detail::column_sums(X, sum, count);
    std::vector<double> sq(d, 0.0), lo(d, std::numeric_limits<double>::infinity()),
        hi(d, -std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < d; ++j) {
        const double v = static_cast<double>(X.data()[i * d + j]);
        if (std::isnan(v)) continue;
        const double t = v - sum[j] / static_cast<double>(count[j]);
        sq[j] += t * t;
        lo[j] = std::min(lo[j], v);
        hi[j] = std::max(hi[j], v);
      }
    }
    detail::variance_threshold_state<T> s;
    s.n_features_in = d;
    s.variances = vector<T>::from_shape({d});
    const double threshold = this->params_.threshold;
    for (std::size_t j = 0; j < d; ++j) {
      double var = count[j] ? sq[j] / static_cast<double>(count[j]) : std::numeric_limits<double>::quiet_NaN();
      // scikit-learn's peak-to-peak is np.ptp, NaN for a column with a missing value, and
      // np.nanmin then keeps the variance: same here.
      if (threshold == 0.0 && count[j] == n) var = std::min(var, hi[j] - lo[j]);
      s.variances(j) = static_cast<T>(var);
      if (var > threshold) s.kept.push_back(j);
    }
    if (s.kept.empty()) {
      throw invalid_argument("variance_threshold.fit: no feature has a variance above " +
                             detail::to_text(threshold) + "; expected at least one");
    }
    this->state_ = std::move(s);
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform");
    return detail::select_columns(X, this->get().kept);
  }

  const vector<T>& variances() const { return this->get().variances; }
  /// Indices of the kept input columns.
  std::vector<std::size_t> support() const { return detail::kept_support(this->get().kept); }
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::kept_names(input, this->n_features_in(), this->get().kept, name);
  }

  template <class A>
  void serialize(A& ar) {
    ar(this->params_.threshold, this->state_);
    if constexpr (A::loading) this->params_.validate();
  }
};

}  // namespace clm
