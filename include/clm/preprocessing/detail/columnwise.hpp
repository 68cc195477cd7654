#pragma once
// Shared machinery of clm's matrix transformers (not for users):
//   transformer_base   the estimator contract once: params, fitted(), fit_transform, the
//                      not-fitted check, input evaluation and column checks
//   column statistics  NaN-aware per-column sums, extremes and quantiles computed the way
//                      numpy does (so results match scikit-learn to the last bits)

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/quantile.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm::detail {

/// The parts of the estimator contract every matrix transformer shares. Derived provides
/// `static constexpr const char* name`, `fit(const E&)` and `transform(const E&) const`.
template <class Derived, class Params, class State, class T>
class transformer_base {
 public:
  using value_type = T;
  using params_type = Params;

  transformer_base() = default;
  explicit transformer_base(const Params& p) : params_(p) { params_.validate(); }

  const Params& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  template <class E>
  matrix<T> fit_transform(const E& X) {
    return self().fit(X).transform(X);
  }

  /// The number of columns seen at fit.
  std::size_t n_features_in() const { return get().n_features_in; }

 protected:
  const State& get() const {
    check_fitted(state_.has_value(), Derived::name);
    return *state_;
  }

  // "<name>.<method>: X", the subject of every message about X. GCC 12 reports a false
  // -Wstringop-overflow for this concatenation once inlined (GCC bug 105329, a
  // std::string's small buffer); it is silenced here only, not for the build.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
  static std::string subject(std::string_view method) {
    std::string what(Derived::name);
    what.append(".").append(method).append(": X");
    return what;
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  /// X as a matrix<T> (no copy when it already is one), checked non-empty, then the
  /// caller's finiteness policy: NaN (missing) allowed, Inf refused.
  /// check_values = false leaves the value check to a caller that fuses it into its own
  /// pass (it then calls check_values on failure for the message).
  template <class E>
  static decltype(auto) input(const E& X_in, std::string_view method, bool allow_nan = true,
                              bool check_values_now = true) {
    const std::string what = subject(method);
    decltype(auto) X = evaluate<T, 2>(X_in, what);
    check_nonempty(X, what);
    if (check_values_now) check_values(X, what, allow_nan);
    return X;
  }

  /// input() plus the column count seen at fit.
  template <class E>
  decltype(auto) fitted_input(const E& X_in, std::string_view method, bool allow_nan = true,
                              bool check_values_now = true) const {
    const State& s = get();
    const std::string what = subject(method);
    decltype(auto) X = evaluate<T, 2>(X_in, what);
    check_columns(X, s.n_features_in, what);
    if (check_values_now) check_values(X, what, allow_nan);
    return X;
  }

  /// The value check of `method`'s input, for callers that fused it and saw a problem.
  static void report_values(const matrix<T>& X, std::string_view method, bool allow_nan) {
    check_values(X, subject(method), allow_nan);
  }
  static void check_values(const matrix<T>& X, const std::string& what, bool allow_nan) {
    const std::size_t d = X.shape()[1];
    const T* p = X.data();
    for (std::size_t i = 0; i < X.size(); ++i) {
      if (std::isinf(p[i]) || (!allow_nan && std::isnan(p[i]))) {
        throw numeric_error(what + ": expected finite values" + (allow_nan ? " or NaN (missing)" : "") +
                            ", got " + to_text(p[i]) + " at row " + std::to_string(i / d) +
                            ", column " + std::to_string(i % d));
      }
    }
  }

  Derived& self() noexcept { return static_cast<Derived&>(*this); }

  Params params_{};
  std::optional<State> state_;
};

/// "x0", "x1", ... or the given names (checked against the count seen at fit).
inline feature_names input_names(const feature_names& given, std::size_t d, std::string_view owner) {
  if (given.empty()) {
    feature_names names(d);
    for (std::size_t j = 0; j < d; ++j) names[j] = "x" + std::to_string(j);
    return names;
  }
  if (given.size() != d) {
    throw shape_error(std::string(owner) + ".feature_names_out: expected " + std::to_string(d) +
                      " input names (as at fit), got " + std::to_string(given.size()));
  }
  return given;
}

/// The non-missing values of column j.
template <class T>
std::vector<double> column_values(const matrix<T>& X, std::size_t j) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  std::vector<double> v;
  v.reserve(n);
  const T* p = X.data() + j;
  for (std::size_t i = 0; i < n; ++i, p += d) {
    if (!std::isnan(*p)) v.push_back(static_cast<double>(*p));
  }
  return v;
}

/// The non-missing values of column j, sorted.
template <class T>
std::vector<double> sorted_column(const matrix<T>& X, std::size_t j) {
  std::vector<double> v = column_values(X, j);
  std::sort(v.begin(), v.end());
  return v;
}

/// Per column: the number of non-missing values and their sum, accumulated row by row in
/// double (numpy's order for an axis-0 reduction of a row-major array). Branch-free, so it
/// vectorises across columns. Returns false when X holds an infinity (the caller reports it).
template <class T>
bool column_sums(const matrix<T>& X, std::vector<double>& sum, std::vector<std::uint64_t>& count) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  sum.assign(d, 0.0);
  // Per-column accumulators only (no flag carried across columns), so the row loop is a
  // vector loop: the count of infinities says whether the values are acceptable.
  std::vector<double> cnt(d, 0.0), inf(d, 0.0);
  const T* x = X.data();
  double* __restrict s = sum.data();
  double* __restrict c = cnt.data();
  double* __restrict f = inf.data();
  for (std::size_t i = 0; i < n; ++i) {
    const T* __restrict row = x + i * d;
    for (std::size_t j = 0; j < d; ++j) {
      const double v = static_cast<double>(row[j]);
      const bool missing = v != v;
      s[j] += missing ? 0.0 : v;
      c[j] += missing ? 0.0 : 1.0;
      f[j] += std::abs(v) == std::numeric_limits<double>::infinity() ? 1.0 : 0.0;
    }
  }
  bool finite = true;
  for (std::size_t j = 0; j < d; ++j) finite &= inf[j] == 0.0;
  count.resize(d);
  for (std::size_t j = 0; j < d; ++j) count[j] = static_cast<std::uint64_t>(cnt[j]);
  return finite;
}

/// column_sums' sums and counts of every rank's rows, added over the ranks of `comm` in
/// rank order (nothing to do in one process).
template <communicator C>
void reduce_column_sums(C& comm, std::vector<double>& sum, std::vector<std::uint64_t>& count) {
  if constexpr (!std::is_same_v<C, local_communicator>) {
    const std::size_t d = sum.size();
    std::vector<double> all(sum);
    for (auto c : count) all.push_back(static_cast<double>(c));
    comm.allreduce_sum(std::span<double>(all));
    for (std::size_t j = 0; j < d; ++j) {
      sum[j] = all[j];
      count[j] = static_cast<std::uint64_t>(all[d + j]);
    }
  }
}

/// y = (x - a_j) * b_j + c_j over the rows of the n x d row-major x, the scalers' one
/// pass: branch-free with per-column coefficients, so it vectorises across columns (also
/// in place, y == x). With clip, results are clamped to [lo, hi] (NaN stays NaN). Returns
/// false when x holds an infinity (the caller reports it; in place, it stays infinite).
template <class T>
bool affine_columns(const T* x, T* y, std::size_t n, std::size_t d, const T* a, const T* b, const T* c,
                    bool clip = false, T lo = T(0), T hi = T(0)) {
  std::uint32_t infinite = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const T* xr = x + i * d;
    T* yr = y + i * d;
    for (std::size_t j = 0; j < d; ++j) {
      const T v = xr[j];
      infinite |= static_cast<std::uint32_t>(std::abs(v) == std::numeric_limits<T>::infinity());
      const T r = (v - a[j]) * b[j] + c[j];
      yr[j] = clip ? (r < lo ? lo : (r > hi ? hi : r)) : r;
    }
  }
  return infinite == 0;
}

/// scikit-learn's _handle_zeros_in_scale: a scale below 10 eps (or flagged constant) is 1.
inline double handle_zero_scale(double scale, bool constant = false) {
  return constant || scale < 10.0 * std::numeric_limits<double>::epsilon() ? 1.0 : scale;
}

/// A copy of rows x (selected columns) of X.
template <class T, class Index>
matrix<T> select_columns(const matrix<T>& X, const std::vector<Index>& cols) {
  const std::size_t n = X.shape()[0], d = X.shape()[1], k = cols.size();
  matrix<T> out = detail::empty_matrix<T>(n, k);
  const T* x = X.data();
  T* y = out.data();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < k; ++c) y[i * k + c] = x[i * d + static_cast<std::size_t>(cols[c])];
  }
  return out;
}

/// For transformers that keep a subset of their input columns (selection, imputation with
/// dropped columns): the kept indices and the kept names.
/// Whether loaded kept indices are usable: strictly increasing and below n.
inline bool kept_valid(const std::vector<std::uint64_t>& kept, std::size_t n) {
  for (std::size_t k = 0; k < kept.size(); ++k) {
    if (kept[k] >= n || (k > 0 && kept[k] <= kept[k - 1])) return false;
  }
  return true;
}

inline std::vector<std::size_t> kept_support(const std::vector<std::uint64_t>& kept) {
  return {kept.begin(), kept.end()};
}
inline feature_names kept_names(const feature_names& input, std::size_t d, const std::vector<std::uint64_t>& kept,
                                std::string_view owner) {
  const auto in = input_names(input, d, owner);
  feature_names out;
  for (auto j : kept) out.push_back(in[static_cast<std::size_t>(j)]);
  return out;
}

}  // namespace clm::detail
