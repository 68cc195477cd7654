#pragma once
// clm::polynomial_features — all products of features up to a degree, as scikit-learn's
// PolynomialFeatures: for inputs (a, b) and degree 2 the output is
// [1, a, b, a^2, a b, b^2] (bias first, then degree by degree, combinations in
// lexicographic order; interaction_only keeps products of distinct features only).
// Products are formed in scikit-learn's order, so values agree to the last bit. Feature names: "1", "a", "a^2", "a b".

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

struct polynomial_features_params {
  std::size_t degree = 2;
  bool interaction_only = false;
  bool include_bias = true;

  void validate() const {
    require_param(degree >= 1 && degree <= 16, "polynomial_features", "degree", degree, "in 1..16");
  }
  friend bool operator==(const polynomial_features_params&, const polynomial_features_params&) = default;
};

namespace detail {
struct polynomial_state {
  std::size_t n_features_in = 0;
  std::vector<std::vector<std::uint32_t>> terms;  ///< per output column, the input columns multiplied
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, terms);
    ar.check(n_features_in > 0 && !terms.empty(), "polynomial_features: no terms");
    for (const auto& t : terms) {
      for (auto j : t) ar.check(j < n_features_in, "polynomial_features: a term names a column out of range");
    }
  }
};
}  // namespace detail

template <class T = double>
class polynomial_features : public detail::transformer_base<polynomial_features<T>, polynomial_features_params,
                                                            detail::polynomial_state, T> {
  using base = detail::transformer_base<polynomial_features<T>, polynomial_features_params, detail::polynomial_state, T>;

 public:
  static constexpr const char* name = "polynomial_features";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  /// Output columns beyond this are refused at fit (a degree-16 expansion of 100 features
  /// would not fit in memory).
  static constexpr std::size_t max_output_columns = 1u << 20;
  using base::base;

  template <class E>
  polynomial_features& fit(const E& X_in) {
    decltype(auto) X = base::input(X_in, "fit", /*allow_nan=*/false);
    const std::size_t d = X.shape()[1];
    const auto& p = this->params_;
    detail::polynomial_state s;
    s.n_features_in = d;
    if (p.include_bias) s.terms.emplace_back();
    // Degree by degree: extend each combination of the previous degree by a column index
    // >= its last (> for interaction_only).
    std::vector<std::vector<std::uint32_t>> prev;
    for (std::uint32_t j = 0; j < d; ++j) prev.push_back({j});
    for (std::size_t deg = 1; deg <= p.degree && !prev.empty(); ++deg) {
      for (const auto& t : prev) s.terms.push_back(t);
      if (s.terms.size() > max_output_columns) {
        throw invalid_argument("polynomial_features.fit: more than " + std::to_string(max_output_columns) +
                               " output columns; lower the degree or the number of features");
      }
      if (deg == p.degree) break;
      // The next degree's size, counted before any of it is built.
      std::size_t coming = 0;
      for (const auto& t : prev) coming += d - std::min<std::size_t>(d, t.back() + (p.interaction_only ? 1 : 0));
      if (s.terms.size() + coming > max_output_columns) {
        throw invalid_argument("polynomial_features.fit: more than " + std::to_string(max_output_columns) +
                               " output columns; lower the degree or the number of features");
      }
      std::vector<std::vector<std::uint32_t>> next;
      next.reserve(coming);
      for (const auto& t : prev) {
        for (std::uint32_t j = t.back() + (p.interaction_only ? 1 : 0); j < d; ++j) {
          auto u = t;
          u.push_back(j);
          next.push_back(std::move(u));
        }
      }
      prev.swap(next);
    }
    this->state_ = std::move(s);
    return *this;
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform", /*allow_nan=*/false);
    const auto& terms = this->get().terms;
    const std::size_t n = X.shape()[0], d = X.shape()[1], k = terms.size();
    matrix<T> out = detail::empty_matrix<T>(n, k);
    for (std::size_t i = 0; i < n; ++i) {
      const T* x = X.data() + i * d;
      T* y = out.data() + i * k;
      for (std::size_t c = 0; c < k; ++c) {
        const auto& t = terms[c];
        if (t.empty()) {
          y[c] = T(1);
          continue;
        }
        // scikit-learn extends a term of degree k-1 by its first factor:
        // (a, a, b) = (b * a) * a. Same order here, same rounding.
        T v = x[t.back()];
        for (std::size_t m = t.size() - 1; m-- > 0;) v *= x[t[m]];
        if (!std::isfinite(v)) {
          throw numeric_error("polynomial_features.transform: the product for output column " + std::to_string(c) +
                              " of row " + std::to_string(i) + " overflows; expected inputs whose products are finite");
        }
        y[c] = v;
      }
    }
    return out;
  }

  /// For each output column, the input columns it multiplies (empty: the bias).
  const std::vector<std::vector<std::uint32_t>>& terms() const { return this->get().terms; }
  std::size_t n_output_features() const { return this->get().terms.size(); }

  feature_names feature_names_out(const feature_names& input = {}) const {
    const auto in = detail::input_names(input, this->n_features_in(), name);
    feature_names out;
    for (const auto& t : this->get().terms) {
      if (t.empty()) {
        out.emplace_back("1");
        continue;
      }
      std::string s;
      for (std::size_t m = 0; m < t.size();) {
        std::size_t r = m;
        while (r < t.size() && t[r] == t[m]) ++r;
        if (!s.empty()) s += ' ';
        s += in[t[m]];
        if (r - m > 1) s += "^" + std::to_string(r - m);
        m = r;
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  template <class A>
  void serialize(A& ar) {
    auto& p = this->params_;
    ar(p.degree, p.interaction_only, p.include_bias, this->state_);
    if constexpr (A::loading) p.validate();
  }
};

}  // namespace clm
