#pragma once
// Input checks shared by every estimator. Each throws the clm:: error the contract names,
// with a message that says what was expected and what was seen.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"

namespace clm {

namespace detail {

template <class V>
std::string to_text(const V& v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

template <class E>
concept has_static_rank = requires { std::decay_t<E>::rank; };

template <class E>
std::size_t rank_of(const E& e) {
  return e.dimension();
}

}  // namespace detail

namespace detail {

/// The values of v as codes 0..k-1 in the order of their sorted distinct values (class
/// labels, cluster ids), and k.
struct value_codes {
  std::vector<std::size_t> code;
  std::size_t k = 0;
};

template <class V>
value_codes sorted_value_codes(const V& v) {
  std::vector<double> distinct(v.begin(), v.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  value_codes out{std::vector<std::size_t>(v.size()), distinct.size()};
  std::size_t i = 0;
  for (const auto x : v) {
    out.code[i++] = static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), x) - distinct.begin());
  }
  return out;
}

}  // namespace detail

/// Throws clm::invalid_argument naming the estimator's parameter, its value and what was
/// expected, unless `ok`. Used by every params_type's validate().
template <class V>
void require_param(bool ok, std::string_view owner, std::string_view field, const V& value,
                   std::string_view expected) {
  if (!ok) {
    throw invalid_argument(std::string(owner) + ": parameter '" + std::string(field) +
                           "' must be " + std::string(expected) + ", got " +
                           detail::to_text(value));
  }
}

/// Evaluates an xtensor expression into a row-major container of rank N and type T once.
/// An argument that already is that container is passed through by reference (no copy).
/// A dynamic-rank argument of another rank throws clm::shape_error.
template <class T, std::size_t N, class E>
decltype(auto) evaluate(const E& e, std::string_view what = "input") {
  using target = xt::xtensor<T, N>;
  if constexpr (std::is_same_v<std::decay_t<E>, target>) {
    return (e);
  } else {
    if (e.dimension() != N) {
      throw shape_error(std::string(what) + ": expected a " + std::to_string(N) +
                        "-D array, got " + std::to_string(e.dimension()) + "-D");
    }
    return target(e);
  }
}

/// Throws clm::shape_error unless two paired 1-D inputs (labels and predictions, say) have
/// the same, non-zero length.
inline void check_paired(std::size_t a, std::size_t b, std::string_view owner, std::string_view a_name,
                         std::string_view b_name) {
  if (a != b) {
    throw shape_error(std::string(owner) + ": " + std::string(a_name) + " has " + std::to_string(a) + " elements, " +
                      std::string(b_name) + " " + std::to_string(b));
  }
  if (a == 0) throw shape_error(std::string(owner) + ": expected non-empty inputs");
}

/// Throws clm::shape_error if X has no rows or no columns.
template <class T>
void check_nonempty(const matrix<T>& X, std::string_view what = "X") {
  if (X.shape()[0] == 0 || X.shape()[1] == 0) {
    throw shape_error(std::string(what) + ": expected a non-empty matrix, got " +
                      std::to_string(X.shape()[0]) + " x " + std::to_string(X.shape()[1]));
  }
}

template <class T>
void check_nonempty(const vector<T>& y, std::string_view what = "y") {
  if (y.size() == 0) throw shape_error(std::string(what) + ": expected a non-empty vector, got 0 elements");
}

namespace detail {

/// The index of the first NaN or infinity in p[0..n), or n. Tests the exponent bits of
/// whole chunks with an OR (a loop a compiler vectorises, unlike an early-exit isfinite
/// loop), then finds the element in the one chunk that has it.
template <class T>
std::size_t first_non_finite(const T* p, std::size_t n) noexcept {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  using bits = std::conditional_t<std::is_same_v<T, double>, std::uint64_t, std::uint32_t>;
  constexpr bits exponent = static_cast<bits>(std::is_same_v<T, double> ? 0x7ff0000000000000ULL : 0x7f800000ULL);
  constexpr std::size_t chunk = 2048;
  for (std::size_t start = 0; start < n; start += chunk) {
    const std::size_t end = std::min(n, start + chunk);
    bits bad = 0;
    for (std::size_t i = start; i < end; ++i) bad |= static_cast<bits>((std::bit_cast<bits>(p[i]) & exponent) == exponent);
    if (bad) {
      for (std::size_t i = start; i < end; ++i) {
        if (!std::isfinite(p[i])) return i;
      }
    }
  }
  return n;
}

}  // namespace detail

/// Throws clm::numeric_error naming the first NaN or Inf (row and column) in X.
template <class T>
void check_finite(const matrix<T>& X, std::string_view what = "X") {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  const T* p = X.data();
  if (const std::size_t i = detail::first_non_finite(p, n * d); i < n * d) {
    throw numeric_error(std::string(what) + ": expected finite values, got " + detail::to_text(p[i]) + " at row " +
                        std::to_string(i / d) + ", column " + std::to_string(i % d));
  }
}

template <class T>
void check_finite(const vector<T>& y, std::string_view what = "y") {
  if (const std::size_t i = detail::first_non_finite(y.data(), y.size()); i < y.size()) {
    throw numeric_error(std::string(what) + ": expected finite values, got " + detail::to_text(y(i)) + " at index " +
                        std::to_string(i));
  }
}

/// Throws clm::shape_error unless X has `expected` columns (the count seen at fit).
template <class T>
void check_columns(const matrix<T>& X, std::size_t expected, std::string_view what = "X") {
  if (X.shape()[1] != expected) {
    throw shape_error(std::string(what) + ": expected " + std::to_string(expected) +
                      " columns (as at fit), got " + std::to_string(X.shape()[1]));
  }
}

/// Throws clm::shape_error unless X and y have the same number of rows.
template <class T, class U>
void check_same_rows(const matrix<T>& X, const vector<U>& y, std::string_view xname = "X",
                     std::string_view yname = "y") {
  if (X.shape()[0] != y.size()) {
    throw shape_error(std::string(xname) + " has " + std::to_string(X.shape()[0]) +
                      " rows but " + std::string(yname) + " has " + std::to_string(y.size()) +
                      " elements; expected the same number");
  }
}

/// The number of 1s among labels that must each be 0 or 1. Throws clm::invalid_argument.
template <class T>
std::size_t count_binary_labels(const vector<T>& y, std::string_view what = "y") {
  std::size_t ones = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const T v = y(i);
    if (v == T(1)) {
      ++ones;
    } else if (v != T(0)) {
      throw invalid_argument(std::string(what) + ": expected binary labels 0 or 1, got " +
                             detail::to_text(v) + " at index " + std::to_string(i));
    }
  }
  return ones;
}

/// Throws clm::invalid_argument unless n labels with `ones` ones hold both classes.
inline void check_both_classes(std::size_t n, std::size_t ones, std::string_view what = "y") {
  if (ones == 0 || ones == n) {
    throw invalid_argument(std::string(what) + ": expected both classes 0 and 1, got only class " +
                           (ones > 0 ? "1" : "0"));
  }
}

/// Binary labels: every value 0 or 1 and both classes present. Throws clm::invalid_argument.
template <class T>
void check_binary_labels(const vector<T>& y, std::string_view what = "y") {
  check_both_classes(y.size(), count_binary_labels(y, what), what);
}

/// Throws clm::not_fitted unless `fitted`.
inline void check_fitted(bool fitted, std::string_view owner) {
  if (!fitted) {
    throw not_fitted(std::string(owner) + ": this model is not fitted yet; call fit() first");
  }
}

}  // namespace clm
