#pragma once
// clm::log1p_transform — y = log(1 + x) per value (scikit-learn:
// FunctionTransformer(np.log1p)), for skewed counts and amounts. fit only records the
// column count. Values <= -1 have no log1p: clm::numeric_error (numpy would give NaN or -inf).
// NaN is missing and passes through.

#include <cmath>
#include <cstdint>
#include <string>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct log1p_transform_params {
  void validate() const {}
  friend bool operator==(const log1p_transform_params&, const log1p_transform_params&) = default;
};

namespace detail {
struct log1p_state {
  std::size_t n_features_in = 0;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in);
    ar.check(n_features_in > 0, "log1p_transform: no columns");
  }
};
}  // namespace detail

template <class T = double>
class log1p_transform
    : public detail::transformer_base<log1p_transform<T>, log1p_transform_params, detail::log1p_state, T> {
  using base = detail::transformer_base<log1p_transform<T>, log1p_transform_params, detail::log1p_state, T>;

 public:
  static constexpr const char* name = "log1p_transform";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  log1p_transform& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit");
    check_domain(X, "fit");
    this->state_ = detail::log1p_state{X.shape()[1]};
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform");
    check_domain(X, "transform");
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    for (std::size_t i = 0; i < X.size(); ++i) out.data()[i] = std::log1p(X.data()[i]);
    return out;
  }

  template <class E>
  matrix<T> inverse_transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "inverse_transform");
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    for (std::size_t i = 0; i < X.size(); ++i) out.data()[i] = std::expm1(X.data()[i]);
    return out;
  }

  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::input_names(input, this->n_features_in(), name);
  }

  template <class A>
  void serialize(A& ar) {
    ar(this->state_);
  }

 private:
  static void check_domain(const matrix<T>& X, const char* method) {
    const std::size_t d = X.shape()[1];
    for (std::size_t i = 0; i < X.size(); ++i) {
      if (X.data()[i] <= T(-1)) {
        throw numeric_error(std::string("log1p_transform.") + method + ": X: expected values > -1, got " +
                            detail::to_text(X.data()[i]) + " at row " + std::to_string(i / d) +
                            ", column " + std::to_string(i % d));
      }
    }
  }
};

}  // namespace clm
