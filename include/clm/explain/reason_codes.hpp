#pragma once
// clm::reason_codes — each customer's top-k named reasons: the k features whose
// contributions (clm/explain/contributions.hpp) push the customer's score up the most
// ("why is this customer at risk"), largest first. Ties keep the feature order.
//
//   reason_codes(c, names, k)                       from contributions already computed
//   reason_codes(model, X, background, names, k)    for a model: exact linear contributions
//       when it has coef() and intercept() (computed row by row, never the whole rows x
//       features matrix: a million customers of a logistic model take well under a second);
//       else exact Shapley values for d <= 10 and sampling_shapley (default options) above.
//
// The result holds, per customer i and rank r < k, feature(i, r), name(i, r) and
// contribution(i, r). Options: `by_magnitude` ranks by |contribution| (what moves the score
// most either way) instead.
//
// Errors: k = 0 or more than the model's features (invalid_argument), names not one per
// feature (shape_error).

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/explain/contributions.hpp"

namespace clm {

struct reason_code_options {
  bool by_magnitude = false;  ///< rank by |contribution| instead of contribution
};

class reason_code_table {
 public:
  reason_code_table() = default;
  reason_code_table(std::vector<std::string> names, std::size_t rows, std::size_t k)
      : names_(std::move(names)), k_(k), feature_(rows * k), contribution_(rows * k) {}

  std::size_t rows() const noexcept { return k_ == 0 ? 0 : feature_.size() / k_; }
  std::size_t k() const noexcept { return k_; }
  std::size_t feature(std::size_t i, std::size_t r) const { return feature_.at(i * k_ + r); }
  const std::string& name(std::size_t i, std::size_t r) const { return names_[feature(i, r)]; }
  double contribution(std::size_t i, std::size_t r) const { return contribution_.at(i * k_ + r); }
  const std::vector<std::string>& names() const noexcept { return names_; }

  /// Row i's ranked reasons from its d contributions (`scratch` holds d indices).
  void set_row(std::size_t i, const double* c, std::size_t d, bool by_magnitude, std::vector<std::uint32_t>& scratch) {
    scratch.resize(d);
    std::iota(scratch.begin(), scratch.end(), std::uint32_t{0});
    const auto key = [&](std::uint32_t j) { return by_magnitude ? std::abs(c[j]) : c[j]; };
    std::partial_sort(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(k_), scratch.end(),
                      [&](std::uint32_t a, std::uint32_t b) { return key(a) > key(b) || (key(a) == key(b) && a < b); });
    for (std::size_t r = 0; r < k_; ++r) {
      feature_[i * k_ + r] = scratch[r];
      contribution_[i * k_ + r] = c[scratch[r]];
    }
  }

 private:
  std::vector<std::string> names_;
  std::size_t k_ = 0;
  std::vector<std::uint32_t> feature_;
  std::vector<double> contribution_;
};

namespace detail {

inline void check_reason_request(std::size_t d, const std::vector<std::string>& names, std::size_t k) {
  if (names.size() != d) {
    throw shape_error("reason_codes: " + std::to_string(names.size()) + " names for " + std::to_string(d) + " features");
  }
  if (k == 0 || k > d) {
    throw invalid_argument("reason_codes: k must be in 1.." + std::to_string(d) + " (the model's features), got " +
                           std::to_string(k));
  }
}

}  // namespace detail

inline reason_code_table reason_codes(const contributions& c, const std::vector<std::string>& names, std::size_t k,
                                      const reason_code_options& o = {}) {
  const std::size_t n = c.values.shape()[0], d = c.values.shape()[1];
  detail::check_reason_request(d, names, k);
  reason_code_table t(names, n, k);
  std::vector<std::uint32_t> scratch;
  for (std::size_t i = 0; i < n; ++i) t.set_row(i, c.values.data() + i * d, d, o.by_magnitude, scratch);
  return t;
}

template <class M>
reason_code_table reason_codes(const M& model, const matrix<double>& X, const matrix<double>& background,
                               const std::vector<std::string>& names, std::size_t k, const reason_code_options& o = {}) {
  const std::size_t d = X.shape()[1];
  detail::check_reason_request(d, names, k);
  if constexpr (requires { model.coef(); model.intercept(); }) {
    const auto terms = detail::linear_terms_of(model, X, background, "reason_codes");
    const std::size_t n = X.shape()[0];
    reason_code_table t(names, n, k);
    std::vector<double> c(d);
    std::vector<std::uint32_t> scratch;
    for (std::size_t i = 0; i < n; ++i) {
      terms.row(X.data() + i * d, c.data());
      t.set_row(i, c.data(), d, o.by_magnitude, scratch);
    }
    return t;
  } else if (d <= 10) {
    return reason_codes(shapley_values(model, X, background), names, k, o);
  } else {
    return reason_codes(sampling_shapley(model, X, background), names, k, o);
  }
}

}  // namespace clm
