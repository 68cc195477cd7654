#pragma once
// clm::log1p_transform — y = log(1 + x) per value (scikit-learn:
// FunctionTransformer(np.log1p)), for skewed counts and amounts. fit only records the
// column count. Values <= -1 have no log1p: clm::numeric_error (numpy would give NaN or -inf).
// With params.signed_values, y = sign(x) log(1 + |x|) (odd, defined everywhere: amounts net
// of refunds, which can be negative; inverse sign(y) expm1(|y|)). NaN is missing and passes
// through.

#include <cmath>
#include <cstdint>
#include <string>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct log1p_transform_params {
  bool signed_values = false;  ///< sign(x) log1p(|x|): negative values allowed
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
  /// 2: params.signed_values is stored.
  static constexpr std::uint32_t serial_version = 2;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  log1p_transform& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit");
    if (!this->params_.signed_values) check_domain(X, "fit");
    this->state_ = detail::log1p_state{X.shape()[1]};
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform");
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    if (this->params_.signed_values) {
      for (std::size_t i = 0; i < X.size(); ++i) out.data()[i] = std::copysign(std::log1p(std::abs(X.data()[i])), X.data()[i]);
    } else {
      check_domain(X, "transform");
      for (std::size_t i = 0; i < X.size(); ++i) out.data()[i] = std::log1p(X.data()[i]);
    }
    return out;
  }

  template <class E>
  matrix<T> inverse_transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "inverse_transform");
    matrix<T> out = detail::empty_matrix<T>(X.shape()[0], X.shape()[1]);
    for (std::size_t i = 0; i < X.size(); ++i) {
      const T y = X.data()[i];
      out.data()[i] = this->params_.signed_values ? std::copysign(std::expm1(std::abs(y)), y) : std::expm1(y);
    }
    return out;
  }

  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::input_names(input, this->n_features_in(), name);
  }

  template <class A>
  void serialize(A& ar) {
    if (ar.version() >= 2) ar(this->params_.signed_values);
    ar(this->state_);
  }

 private:
  static void check_domain(const matrix<T>& X, const char* method) {
    const std::size_t d = X.shape()[1];
    for (std::size_t i = 0; i < X.size(); ++i) {
      if (X.data()[i] <= T(-1)) {
        throw numeric_error(std::string("log1p_transform.") + method + ": X: expected values > -1, got " +
                            detail::to_text(X.data()[i]) + " at row " + std::to_string(i / d) +
                            ", column " + std::to_string(i % d) +
                            " (amounts net of refunds can be negative: use signed_values)");
      }
    }
  }
};

}  // namespace clm
