#pragma once
// clm::linear_regression — ordinary least squares with an optional ridge penalty, as
// scikit-learn's LinearRegression / Ridge:
//
//   minimise  sum_i w_i (y_i - b - x_i . beta)^2 + l2 ||beta||^2     (b not penalised)
//
// Solved through the centred normal equations: G = Xc' W Xc by BLAS syrk, Cholesky by
// LAPACK. G comes from one pass over X: rows are centred on the mean of the first block of
// rows and the exact mean's correction is applied after (the shifted-data formula), unless
// that correction would cancel more than half of a diagonal entry, when a second pass
// centres on the exact mean. Non-finite values are found from the statistics they spoil
// (then named by a scan of X). Cholesky is used when G is well conditioned (the squared ratio of the Cholesky factor's largest to
// smallest diagonal below 1e10). Otherwise, or when G is singular, by a least-squares solve
// of the centred, weighted problem through the SVD (LAPACK gelsd): a rank-deficient X gets
// the minimum-norm solution, as numpy.linalg.lstsq gives, never NaN. report() says which.
//
// partial_fit(X, y) merges chunk statistics (count, means and the centred cross-products,
// combined as Chan et al. do), so data read chunk by chunk gives the model a single fit
// on all of it gives (to rounding), without holding it in memory. Data fitted by
// partial_fit is solved by the normal equations only.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/blas.hpp"
#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm {

struct linear_regression_params {
  bool fit_intercept = true;
  double l2 = 0.0;  ///< ridge penalty (scikit-learn's Ridge alpha)

  void validate() const {
    require_param(l2 >= 0.0 && std::isfinite(l2), "linear_regression", "l2", l2, "finite and >= 0");
  }
  friend bool operator==(const linear_regression_params&, const linear_regression_params&) = default;
};

struct linear_regression_report {
  std::string solver;        ///< "cholesky" or "lstsq"
  double condition_estimate = 0.0;
  std::size_t rank = 0;
  template <class A>
  void serialize(A& ar) {
    ar(solver, condition_estimate, rank);
  }
  friend bool operator==(const linear_regression_report&, const linear_regression_report&) = default;
};

template <class T = double>
class linear_regression {
 public:
  using value_type = T;
  using params_type = linear_regression_params;
  static constexpr const char* name = "linear_regression";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  /// Above this estimate of cond(X'X) the SVD solve is used.
  static constexpr double max_condition = 1e10;

  linear_regression() = default;
  explicit linear_regression(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }
  const linear_regression_report& report() const { return get().report; }

  template <class E, class Y>
  linear_regression& fit(const E& X, const Y& y) {
    stats_.reset();
    state_.reset();
    fit_impl(X, y, nullptr);
    return *this;
  }

  /// Weighted fit: each row counts sample_weight[i] times (weights >= 0, not all 0).
  template <class E, class Y, class W>
  linear_regression& fit(const E& X, const Y& y, const W& sample_weight) {
    stats_.reset();
    state_.reset();
    decltype(auto) w = evaluate<double, 1>(sample_weight, "linear_regression.fit: sample_weight");
    fit_impl(X, y, &w);
    return *this;
  }

  /// The fit of the rows held across the ranks of `comm` (clm/distributed/communicator.hpp),
  /// each rank its own (possibly none): every rank gets the model of all rows, equal to the
  /// one-process fit to rounding. Each rank's statistics (count, means, centred
  /// cross-products) are gathered and merged in rank order, so the model has the same bits
  /// on every rank and in every run. An ill-conditioned X'X is a numeric_error (no rows to
  /// fall back on); any rank's error is every rank's distributed_error.
  template <communicator C, class E, class Y>
  linear_regression& fit(C& comm, const E& X_in, const Y& y_in) {
    stats_.reset();
    state_.reset();
    std::size_t d = 0;
    sufficient local;
    distributed::run_agreed(comm, "linear_regression.fit", [&] {
      decltype(auto) X = evaluate<T, 2>(X_in, "linear_regression.fit: X");
      decltype(auto) y = checked_y(y_in, X, "fit");
      d = X.shape()[1];
      local = X.shape()[0] > 0 ? statistics(X, y, nullptr, "fit") : no_rows(d);
    });
    distributed::same_everywhere(comm, "linear_regression.fit: the parameters and the column count",
                                 distributed::fingerprint(params_.fit_intercept, params_.l2, d).value());
    std::vector<double> packed{local.weight, local.mean_y};
    packed.insert(packed.end(), local.mean_x.begin(), local.mean_x.end());
    packed.insert(packed.end(), local.xty.begin(), local.xty.end());
    packed.insert(packed.end(), local.gram.begin(), local.gram.end());
    sufficient total = no_rows(d);
    for (const auto& p : distributed::allgather_doubles(comm, packed)) {
      if (!(p[0] > 0)) continue;
      sufficient s = no_rows(d);
      s.weight = p[0];
      s.mean_y = p[1];
      std::copy(p.begin() + 2, p.begin() + 2 + static_cast<std::ptrdiff_t>(d), s.mean_x.begin());
      std::copy(p.begin() + 2 + static_cast<std::ptrdiff_t>(d), p.begin() + 2 + static_cast<std::ptrdiff_t>(2 * d), s.xty.begin());
      std::copy(p.begin() + 2 + static_cast<std::ptrdiff_t>(2 * d), p.end(), s.gram.begin());
      if (total.weight > 0) merge(total, s);
      else total = std::move(s);
    }
    if (!(total.weight > 0)) throw shape_error("linear_regression.fit: X has no rows on any rank");
    if (!solve_from_stats(total)) {
      throw numeric_error("linear_regression.fit: X'X is singular or ill conditioned (condition estimate " +
                          detail::to_text(last_condition_) + "); add an l2 penalty (a fit across ranks has no rows "
                          "to fall back on)");
    }
    return *this;
  }

  /// Adds a chunk of rows to the statistics and refits from all rows seen so far.
  template <class E, class Y>
  linear_regression& partial_fit(const E& X_in, const Y& y_in) {
    decltype(auto) X = checked_X(X_in, "partial_fit");
    decltype(auto) y = checked_y(y_in, X, "partial_fit");
    if (stats_ && stats_->mean_x.size() != X.shape()[1]) {
      throw shape_error("linear_regression.partial_fit: X has " + std::to_string(X.shape()[1]) +
                        " columns, expected " + std::to_string(stats_->mean_x.size()) + " as in earlier chunks");
    }
    sufficient chunk = statistics(X, y, nullptr, "partial_fit");
    if (stats_) merge(*stats_, chunk);
    else stats_ = std::move(chunk);
    solve_from_stats(*stats_);
    return *this;
  }

  template <class E>
  vector<T> predict(const E& X_in) const {
    const state& s = get();
    decltype(auto) X = evaluate<T, 2>(X_in, "linear_regression.predict: X");
    check_columns(X, s.coef.size(), "linear_regression.predict: X");
    check_finite(X, "linear_regression.predict: X");
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    vector<T> out = vector<T>::from_shape({n});
    out.fill(s.intercept);
    if (n > 0) blas::gemv(blas::op::none, n, d, T(1), X.data(), d, s.coef.data(), T(1), out.data());
    return out;
  }

  /// R^2 of the predictions on (X, y).
  template <class E, class Y>
  double score(const E& X, const Y& y_in) const {
    const vector<T> p = predict(X);
    decltype(auto) y = evaluate<T, 1>(y_in, "linear_regression.score: y");
    if (y.size() != p.size()) throw shape_error("linear_regression.score: X and y differ in rows");
    double mean = 0;
    for (auto v : y) mean += v;
    mean /= static_cast<double>(y.size());
    double ss_res = 0, ss_tot = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      ss_res += (y(i) - p(i)) * (y(i) - p(i));
      ss_tot += (y(i) - mean) * (y(i) - mean);
    }
    return ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
  }

  const vector<T>& coef() const { return get().coef; }
  T intercept() const { return get().intercept; }

  template <class A>
  void serialize(A& ar) {
    ar(params_.fit_intercept, params_.l2, state_);
    if constexpr (A::loading) {
      params_.validate();
      stats_.reset();
    }
  }

 private:
  struct state {
    vector<T> coef;
    T intercept{};
    linear_regression_report report;
    template <class A>
    void serialize(A& ar) {
      ar(coef, intercept, report);
      ar.check(coef.size() > 0, "linear_regression: no coefficients");
      for (auto c : coef) ar.check(std::isfinite(c), "linear_regression: a coefficient is not finite");
      ar.check(std::isfinite(intercept), "linear_regression: the intercept is not finite");
    }
  };
  /// Weighted count, means and centred cross-products: what a fit needs, mergeable.
  struct sufficient {
    double weight = 0;
    std::vector<double> mean_x;
    double mean_y = 0;
    matrix<double> gram;      ///< sum w (x - mx)(x - mx)', upper triangle
    std::vector<double> xty;  ///< sum w (x - mx)(y - my)
  };

  const state& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }

  /// X as a matrix with rows (its values are checked by statistics()).
  template <class E>
  static decltype(auto) checked_X(const E& X_in, const char* method) {
    const std::string what = std::string("linear_regression.") + method + ": X";
    decltype(auto) X = evaluate<T, 2>(X_in, what);
    check_nonempty(X, what);
    return X;
  }
  template <class Y>
  static decltype(auto) checked_y(const Y& y_in, const matrix<T>& X, const char* method) {
    const std::string what = std::string("linear_regression.") + method + ": y";
    decltype(auto) y = evaluate<T, 1>(y_in, what);
    check_same_rows(X, y);
    check_finite(y, what);
    return y;
  }

  /// Centred, weighted statistics of one chunk in one pass (see the top): the rows, less a
  /// shift, scaled by sqrt(w), in cache-sized blocks through syrk and gemv, accumulating into
  /// G and X'y with the weighted sums of the shifted rows; then the shift's correction. No
  /// copy of X is made. A non-finite value in X spoils a sum, and X is then scanned for it.
  sufficient statistics(const matrix<T>& X, const vector<T>& y, const vector<double>* w, const char* method) const {
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    constexpr std::size_t block_bytes = std::size_t{1} << 20;  // a block stays in L2
    const std::size_t rows = std::max<std::size_t>(16, block_bytes / (8 * d));
    // The shift: the weighted mean of the first block (0 without an intercept).
    std::vector<double> shift(d, 0.0);
    double shift_y = 0.0;
    if (params_.fit_intercept) {
      double wsum = 0.0;
      for (std::size_t i = 0; i < std::min(n, rows); ++i) {
        const double wi = w ? (*w)(i) : 1.0;
        wsum += wi;
        shift_y += wi * static_cast<double>(y(i));
        for (std::size_t j = 0; j < d; ++j) shift[j] += wi * static_cast<double>(X(i, j));
      }
      if (wsum > 0 && std::isfinite(wsum)) {
        for (auto& v : shift) v /= wsum;
        shift_y /= wsum;
      } else {
        std::fill(shift.begin(), shift.end(), 0.0);
        shift_y = 0.0;
      }
    }
    sufficient s;
    for (int pass = 0; pass < 2; ++pass) {
      s = pass_statistics(X, y, w, shift, shift_y, rows);
      if (!(s.weight > 0)) throw invalid_argument("linear_regression: the sample weights sum to 0");
      bool finite = std::isfinite(s.mean_y);
      for (std::size_t j = 0; j < d; ++j) finite = finite && std::isfinite(s.mean_x[j]) && std::isfinite(s.gram(j, j));
      if (!finite) {
        check_finite(X, std::string("linear_regression.") + method + ": X");  // names the value
        return s;  // finite values that overflow: the solve reports it
      }
      if (!params_.fit_intercept) {
        std::fill(s.mean_x.begin(), s.mean_x.end(), 0.0);
        s.mean_y = 0.0;
        return s;
      }
      // s.mean_x, s.mean_y: the means of the shifted rows. The correction subtracts
      // W dx dx' from the shifted cross-products; more than half a diagonal entry cancelled
      // means another pass, centred on the exact mean.
      bool cancels = false;
      for (std::size_t j = 0; j < d; ++j) {
        cancels = cancels || s.weight * s.mean_x[j] * s.mean_x[j] > 0.5 * s.gram(j, j);
      }
      if (cancels && pass == 0) {
        for (std::size_t j = 0; j < d; ++j) shift[j] += s.mean_x[j];
        shift_y += s.mean_y;
        continue;
      }
      const double W = s.weight;
      for (std::size_t j = 0; j < d; ++j) {
        for (std::size_t k = j; k < d; ++k) s.gram(j, k) -= W * s.mean_x[j] * s.mean_x[k];
        s.xty[j] -= W * s.mean_x[j] * s.mean_y;
      }
      for (std::size_t j = 0; j < d; ++j) s.mean_x[j] += shift[j];
      s.mean_y += shift_y;
      break;
    }
    return s;
  }

  /// One pass: weight, the weighted means of the shifted rows and y (in mean_x, mean_y), and
  /// the cross-products of the shifted, sqrt(w)-scaled rows (gram: upper triangle; xty).
  static sufficient pass_statistics(const matrix<T>& X, const vector<T>& y, const vector<double>* w,
                                    const std::vector<double>& shift, double shift_y, std::size_t rows) {
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    sufficient s;
    s.mean_x.assign(d, 0.0);
    s.gram = xt::zeros<double>({d, d});
    s.xty.assign(d, 0.0);
    const T* x = X.data();
    std::vector<double> Xb(rows * d), yb(rows);
    for (std::size_t b = 0; b < n; b += rows) {
      const std::size_t m = std::min(rows, n - b);
      for (std::size_t i = 0; i < m; ++i) {
        const double wi = w ? (*w)(b + i) : 1.0;
        const double r = w ? std::sqrt(wi) : 1.0;
        const T* row = x + (b + i) * d;
        double* out = Xb.data() + i * d;
        for (std::size_t j = 0; j < d; ++j) {
          const double c = static_cast<double>(row[j]) - shift[j];
          s.mean_x[j] += wi * c;
          out[j] = r * c;
        }
        const double cy = static_cast<double>(y(b + i)) - shift_y;
        s.weight += wi;
        s.mean_y += wi * cy;
        yb[i] = r * cy;
      }
      blas::syrk(blas::op::transpose, d, m, 1.0, Xb.data(), d, 1.0, s.gram.data(), d);
      blas::gemv(blas::op::transpose, m, d, 1.0, Xb.data(), d, yb.data(), 1.0, s.xty.data());
    }
    if (s.weight > 0) {
      for (auto& v : s.mean_x) v /= s.weight;
      s.mean_y /= s.weight;
    }
    return s;
  }

  /// The statistics of no rows.
  static sufficient no_rows(std::size_t d) {
    sufficient s;
    s.mean_x.assign(d, 0.0);
    s.gram = xt::zeros<double>({d, d});
    s.xty.assign(d, 0.0);
    return s;
  }

  /// a += b (Chan et al.'s pairwise update of centred cross-products).
  void merge(sufficient& a, const sufficient& b) const {
    const std::size_t d = a.mean_x.size();
    const double n = a.weight + b.weight, f = a.weight * b.weight / n;
    std::vector<double> dx(d);
    for (std::size_t j = 0; j < d; ++j) dx[j] = b.mean_x[j] - a.mean_x[j];
    const double dy = b.mean_y - a.mean_y;
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = j; k < d; ++k) a.gram(j, k) += b.gram(j, k) + (params_.fit_intercept ? f * dx[j] * dx[k] : 0.0);
      a.xty[j] += b.xty[j] + (params_.fit_intercept ? f * dx[j] * dy : 0.0);
    }
    if (params_.fit_intercept) {
      for (std::size_t j = 0; j < d; ++j) a.mean_x[j] += dx[j] * b.weight / n;
      a.mean_y += dy * b.weight / n;
    }
    a.weight = n;
  }

  template <class E, class Y>
  void fit_impl(const E& X_in, const Y& y_in, const vector<double>* w) {
    decltype(auto) X = checked_X(X_in, "fit");
    decltype(auto) y = checked_y(y_in, X, "fit");
    if (w) {
      if (w->size() != X.shape()[0]) throw shape_error("linear_regression.fit: sample_weight length differs from X's rows");
      for (auto v : *w) {
        if (!(v >= 0) || !std::isfinite(v)) {
          throw invalid_argument("linear_regression.fit: sample_weight must be finite and >= 0, got " + detail::to_text(v));
        }
      }
    }
    const sufficient s = statistics(X, y, w, "fit");
    if (!solve_from_stats(s)) solve_lstsq(X, y, w, s);
  }

  /// Cholesky on the normal equations; false when G is singular or ill conditioned.
  bool solve_from_stats(const sufficient& s) {
    const std::size_t d = s.mean_x.size();
    matrix<double> A = s.gram;
    for (std::size_t j = 0; j < d; ++j) A(j, j) += params_.l2;
    std::vector<double> beta = s.xty;
    const bool ok = lapack::potrf(d, A.data()) == 0;
    double cond = std::numeric_limits<double>::infinity();
    if (ok) {
      double lo = std::numeric_limits<double>::infinity(), hi = 0;
      for (std::size_t j = 0; j < d; ++j) {
        lo = std::min(lo, std::abs(A(j, j)));
        hi = std::max(hi, std::abs(A(j, j)));
      }
      cond = lo > 0 ? (hi / lo) * (hi / lo) : std::numeric_limits<double>::infinity();
    }
    if (!ok || !(cond <= max_condition)) {
      if (stats_) {  // chunked data: no rows to fall back on
        throw numeric_error("linear_regression.partial_fit: X'X is singular or ill conditioned (condition estimate " +
                            detail::to_text(cond) + "); add an l2 penalty or fit on all rows");
      }
      last_condition_ = cond;
      return false;
    }
    lapack::potrs(d, A.data(), beta.data());
    store(beta, s, {"cholesky", cond, d});
    return true;
  }

  void solve_lstsq(const matrix<T>& X, const vector<T>& y, const vector<double>* w, const sufficient& s) {
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    // Ridge as least squares on [sqrt(w) Xc; sqrt(l2) I] against [sqrt(w) yc; 0].
    const std::size_t extra = params_.l2 > 0 ? d : 0;
    const std::size_t m = n + extra;
    std::vector<double> A(m * d, 0.0);  // column-major, as LAPACK reads it
    std::vector<double> b(m, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double r = std::sqrt(w ? (*w)(i) : 1.0);
      for (std::size_t j = 0; j < d; ++j) A[j * m + i] = r * (static_cast<double>(X(i, j)) - s.mean_x[j]);
      b[i] = r * (static_cast<double>(y(i)) - s.mean_y);
    }
    for (std::size_t j = 0; j < extra; ++j) A[j * m + n + j] = std::sqrt(params_.l2);
    auto [beta, rank] = lapack::gelsd(m, d, A.data(), b.data());
    store(beta, s, {"lstsq", last_condition_, rank});
  }

  void store(const std::vector<double>& beta, const sufficient& s, linear_regression_report rep) {
    const std::size_t d = beta.size();
    state st;
    st.coef = vector<T>::from_shape({d});
    double b = s.mean_y;
    for (std::size_t j = 0; j < d; ++j) {
      st.coef(j) = static_cast<T>(beta[j]);
      b -= beta[j] * s.mean_x[j];
    }
    st.intercept = static_cast<T>(params_.fit_intercept ? b : 0.0);
    st.report = std::move(rep);
    for (auto c : st.coef) {
      if (!std::isfinite(c)) throw numeric_error("linear_regression.fit: the solution is not finite");
    }
    state_ = std::move(st);
  }

  params_type params_{};
  std::optional<state> state_;
  std::optional<sufficient> stats_;  // partial_fit's running statistics (not saved)
  double last_condition_ = 0.0;
};

}  // namespace clm
