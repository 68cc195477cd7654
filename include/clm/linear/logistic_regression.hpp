#pragma once
// clm::logistic_regression — binary logistic regression by penalised maximum likelihood,
// with scikit-learn's conventions (LogisticRegression, penalty "l2"):
//
//   minimise  sum_i s_i log(1 + exp(-y~_i (x_i . w + b))) + ||w||^2 / (2 C)
//
// with y~ = +-1, s_i the sample weight times the class weight, and the intercept b not
// penalised. C = +infinity means no penalty: on perfectly separable data no maximum
// likelihood estimate exists, and the fit reports converged = false (reason no_solution);
// any finite C gives a finite model.
//
// Solvers and what `tol` means (scikit-learn 1.2.1's conventions, from its source):
//   lbfgs (default)  stops when max |gradient| of the SUMMED objective above is <= tol,
//                    as scikit-learn's lbfgs passes tol to scipy's L-BFGS-B as gtol on the
//                    unnormalised loss. clm evaluates the objective divided by S = sum_i s_i
//                    (same minimiser, values of order 1) and so stops at tol / S on that
//                    scale. It also stops, as L-BFGS-B does with scikit-learn's settings,
//                    when an iteration lowers the summed objective f by at most
//                    ftol * max(|f|, 1), ftol = 1e7 x machine epsilon (scipy's factr
//                    default): on large data this usually ends the fit before the gradient
//                    rule does, with report().reason = value_tolerance. ftol = 0 leaves
//                    only the gradient rule (then tol is met exactly). A stalled line search
//                    or max_iter ends the fit with converged = false; report().reason says
//                    which.
//                    A fit with a finite C on at least 16 x max(1000, 10 x parameters) rows
//                    starts from the same objective on every 16th row (by global row
//                    index; weights x 16), solved to the same tolerances, and carries that
//                    run's curvature pairs over: about half the passes over all rows. The
//                    stopping rules above are unchanged, so the answer meets the same
//                    tolerance; report() describes the run over all rows.
//   newton           Cholesky on the exact Hessian (for small d); stops when max |gradient|
//                    of the objective divided by S is <= tol, scikit-learn's newton-cholesky
//                    convention.
// One-hot blocks with an intercept make the objective flat along some directions (only the
// penalty curves it there): the coefficients then converge far more slowly than the
// predictions, which is why the lbfgs tolerance is on the summed scale.
//
// Probabilities use a numerically stable sigmoid and the loss is evaluated in log space, so
// extreme logits never give NaN. Labels must be 0 and 1 and both present.

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
#include "clm/core/vmath.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/optim/lbfgs.hpp"
#include "clm/optim/newton.hpp"

namespace clm {

enum class logistic_solver : std::uint8_t { lbfgs, newton };
enum class class_weighting : std::uint8_t { none, balanced, given };

struct logistic_regression_params {
  double C = 1.0;  ///< inverse penalty strength (> 0; +infinity: no penalty)
  bool fit_intercept = true;
  logistic_solver solver = logistic_solver::lbfgs;
  double tol = 1e-4;  ///< lbfgs: max |gradient| of the summed objective; newton: of the mean one
  std::size_t max_iter = 100;
  class_weighting class_weight = class_weighting::none;
  double weight_class0 = 1.0;  ///< for class_weight = given
  double weight_class1 = 1.0;
  double threshold = 0.5;  ///< predict() gives 1 where P(y = 1) >= threshold
  /// lbfgs: stop when an iteration's relative decrease of the summed objective is at most
  /// this (scipy's L-BFGS-B factr 1e7 x machine epsilon, as scikit-learn runs it); 0: only
  /// the gradient rule. The newton solver stops on the gradient only, as scikit-learn's.
  double ftol = 1e7 * std::numeric_limits<double>::epsilon();

  void validate() const {
    const char* o = "logistic_regression";
    require_param(C > 0.0, o, "C", C, "> 0 (or +infinity for no penalty)");
    require_param(tol > 0.0 && std::isfinite(tol), o, "tol", tol, "finite and > 0");
    require_param(max_iter >= 1, o, "max_iter", max_iter, ">= 1");
    require_param(static_cast<int>(solver) <= 1, o, "solver", static_cast<int>(solver), "lbfgs or newton");
    require_param(static_cast<int>(class_weight) <= 2, o, "class_weight", static_cast<int>(class_weight),
                  "none, balanced or given");
    require_param(weight_class0 > 0.0 && std::isfinite(weight_class0) && weight_class1 > 0.0 && std::isfinite(weight_class1),
                  o, "weight_class0/weight_class1", std::to_string(weight_class0) + "/" + std::to_string(weight_class1),
                  "finite and > 0");
    require_param(threshold >= 0.0 && threshold <= 1.0, o, "threshold", threshold, "in [0, 1]");
    require_param(ftol >= 0.0 && ftol < 1.0, o, "ftol", ftol, "in [0, 1)");
  }
  friend bool operator==(const logistic_regression_params&, const logistic_regression_params&) = default;
};

namespace detail {

/// The penalised logistic loss over (X, y) divided by the weight total, parameters [w, b].
/// Across the ranks of a communicator, each holding some rows: the loss, gradient and
/// Hessian sums of every rank's rows (reduced in rank order, the same bits on every rank).
template <class C = local_communicator>
class logistic_objective {
 public:
  logistic_objective(const matrix<double>& X, const std::vector<double>& y, const std::vector<double>& s,
                     double alpha, bool intercept, C& comm)
      : X_(X), y_(y), s_(s), alpha_(alpha), intercept_(intercept), comm_(comm), acc_(X.shape()[1] + 2) {
    for (double v : s_) total_ += v;
    comm_.allreduce_sum(std::span<double>(&total_, 1));
  }

  /// One pass over X in blocks of rows that stay in cache: the block's margins (gemv), each
  /// row's loss and residual (vectorised exp and log1p, core/vmath.hpp), and the block's
  /// contribution to the gradient (transposed gemv) while the rows are still in cache.
  double evaluate_with_gradient(const vector<double>& w, vector<double>& g) {
    const std::size_t n = X_.shape()[0], d = X_.shape()[1];
    const double b = intercept_ ? w(d) : 0.0;
    const double* wp = w.data();
    std::fill(acc_.begin(), acc_.end(), 0.0);
    double loss = 0.0, rsum = 0.0;
    double* zb = block_z_.data();
    double* lb = block_loss_.data();
    for (std::size_t i0 = 0; i0 < n; i0 += block_rows) {
      const std::size_t nb = std::min(block_rows, n - i0);
      const double* Xb = X_.data() + i0 * d;
      const double* yb = y_.data() + i0;
      const double* sb = s_.data() + i0;
      std::fill(zb, zb + nb, b);
      blas::gemv(blas::op::none, nb, d, 1.0, Xb, d, wp, 1.0, zb);
      // One exponential per row: e = exp(-|z|) gives both the loss
      // log(1 + exp(-m)) = max(-m, 0) + log1p(e) (m = +-z) and the sigmoid. zb becomes
      // the residual s (p - y).
      for (std::size_t k = 0; k < nb; ++k) {
        const double z = zb[k];
        const double e = vmath::exp_nonpositive(z >= 0 ? -z : z);
        const double m = yb[k] > 0.5 ? z : -z;
        lb[k] = sb[k] * ((m < 0 ? -m : 0.0) + vmath::log1p_unit(e));
        const double q = 1.0 / (1.0 + e);
        const double p = z >= 0 ? q : e * q;
        zb[k] = sb[k] * (p - yb[k]);
      }
      loss += vmath::sum(lb, nb);
      rsum += vmath::sum(zb, nb);
      blas::gemv(blas::op::transpose, nb, d, 1.0, Xb, d, zb, 1.0, acc_.data());
    }
    if constexpr (!std::is_same_v<C, local_communicator>) {
      acc_[d] = loss;
      acc_[d + 1] = rsum;
      comm_.allreduce_sum(std::span<double>(acc_));
      loss = acc_[d];
      rsum = acc_[d + 1];
    }
    double penalty = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      penalty += w(j) * w(j);
      g(j) = (acc_[j] + alpha_ * w(j)) / total_;
    }
    if (intercept_) g(d) = rsum / total_;
    return (loss + 0.5 * alpha_ * penalty) / total_;
  }

  /// The weight total over every rank.
  double total() const noexcept { return total_; }

  void hessian(const vector<double>& w, matrix<double>& H) {
    const std::size_t n = X_.shape()[0], d = X_.shape()[1], m = d + (intercept_ ? 1 : 0);
    const double b = intercept_ ? w(d) : 0.0;
    z_.assign(n, b);
    if (n > 0) blas::gemv(blas::op::none, n, d, 1.0, X_.data(), d, w.data(), 1.0, z_.data());
    matrix<double> A = empty_matrix<double>(n, m);
    for (std::size_t i = 0; i < n; ++i) {
      const double p = vmath::sigmoid(z_[i]);
      const double r = std::sqrt(s_[i] * p * (1.0 - p) / total_);
      for (std::size_t j = 0; j < d; ++j) A(i, j) = r * X_(i, j);
      if (intercept_) A(i, d) = r;
    }
    H = xt::zeros<double>({m, m});
    if (n > 0) blas::syrk(blas::op::transpose, m, n, 1.0, A.data(), m, 0.0, H.data(), m);
    comm_.allreduce_sum(std::span<double>(H.data(), H.size()));
    for (std::size_t j = 0; j < d; ++j) H(j, j) += alpha_ / total_;
    for (std::size_t j = 0; j < m; ++j) {  // symmetric fill for readers of the full matrix
      for (std::size_t k = 0; k < j; ++k) H(j, k) = H(k, j);
    }
  }

 private:
  const matrix<double>& X_;
  const std::vector<double>& y_;
  const std::vector<double>& s_;
  double alpha_;
  bool intercept_;
  C& comm_;
  double total_ = 0.0;
  static constexpr std::size_t block_rows = 256;  // 256 x 50 doubles: 100 KB, in L2
  std::vector<double> z_, acc_, block_z_ = std::vector<double>(block_rows), block_loss_ = std::vector<double>(block_rows);
};

/// Rows a subsample start keeps: one in `logistic_subsample_stride`, by global row index.
inline constexpr std::size_t logistic_subsample_stride = 16;

/// The start of a large lbfgs fit: the same objective on every 16th row (by global row
/// index, so the rows do not depend on how they are sharded), with those rows' weights
/// multiplied by 16 so the penalty keeps its weight, fitted from zero to the same
/// tolerance. Its solution (w) and its curvature pairs (memory) start the full fit, which
/// then needs about half the iterations over all rows. Taken only with a penalty (the
/// subsample of an unpenalised fit may be separable) and when the subsample keeps at least
/// max(1000, 10 x the parameter count) rows; returns false, leaving w at zero, otherwise.
/// The full fit's stopping rule is unchanged, so the answer meets the same tolerance.
template <class C>
bool logistic_subsample_start(C& comm, const matrix<double>& X, const std::vector<double>& y,
                              const std::vector<double>& s, double alpha, bool intercept, std::size_t rows_everywhere,
                              const lbfgs_params& lp, vector<double>& w, lbfgs_memory<double>& memory) {
  constexpr std::size_t stride = logistic_subsample_stride;
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  if (rows_everywhere / stride < std::max<std::size_t>(1000, 10 * w.size())) return false;
  std::size_t first = 0;
  if constexpr (!std::is_same_v<C, local_communicator>) first = distributed::rank_offsets(comm, n)[comm.rank()];
  const std::size_t skip = (stride - first % stride) % stride;  // the first local row with a global index = 0 mod stride
  const std::size_t m = skip < n ? (n - skip + stride - 1) / stride : 0;
  matrix<double> Xs = matrix<double>::from_shape({m, d});
  std::vector<double> ys(m), ss(m);
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t i = skip + k * stride;
    std::copy_n(X.data() + i * d, d, Xs.data() + k * d);
    ys[k] = y[i];
    ss[k] = s[i] * static_cast<double>(stride);
  }
  logistic_objective<C> fs(Xs, ys, ss, alpha, intercept, comm);
  if (!(fs.total() > 0)) return false;
  lbfgs_params sp = lp;  // the same tolerances on the mean scale
  sp.ftol_floor = 1.0 / fs.total();
  lbfgs<double>(fs, w, sp, &memory);
  return true;
}

}  // namespace detail

template <class T = double>
class logistic_regression {
 public:
  using value_type = T;
  using params_type = logistic_regression_params;
  static constexpr const char* name = "logistic_regression";
  /// 2: the fit report's stop reason is stored; 3: params().ftol is stored.
  static constexpr std::uint32_t serial_version = 3;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }

  logistic_regression() = default;
  explicit logistic_regression(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }
  const optimize_report& report() const { return get().report; }

  template <class E, class Y>
  logistic_regression& fit(const E& X, const Y& y) {
    local_communicator one;
    return fit_impl(one, X, y, static_cast<const vector<double>*>(nullptr));
  }
  template <class E, class Y, class W>
  logistic_regression& fit(const E& X, const Y& y, const W& sample_weight) {
    decltype(auto) w = evaluate<double, 1>(sample_weight, "logistic_regression.fit: sample_weight");
    local_communicator one;
    return fit_impl(one, X, y, &w);
  }
  /// The fit of the rows held across the ranks of `comm` (clm/distributed/communicator.hpp),
  /// each rank its own (possibly none, possibly of one class): every rank runs the same
  /// solver on the loss, gradient (and Hessian) summed over all ranks' rows in rank order,
  /// and ends with the same model, the one-process fit's to rounding. Class weights count
  /// the classes over all ranks. Any rank's error is every rank's distributed_error.
  template <communicator C, class E, class Y>
  logistic_regression& fit(C& comm, const E& X, const Y& y) {
    return fit_impl(comm, X, y, static_cast<const vector<double>*>(nullptr));
  }
  template <communicator C, class E, class Y, class W>
  logistic_regression& fit(C& comm, const E& X, const Y& y, const W& sample_weight) {
    const vector<double>* w = nullptr;
    vector<double> weights;
    distributed::run_agreed(comm, "logistic_regression.fit", [&] {
      weights = evaluate<double, 1>(sample_weight, "logistic_regression.fit: sample_weight");
      w = &weights;
    });
    return fit_impl(comm, X, y, w);
  }

  /// x . coef + intercept per row.
  template <class E>
  vector<T> decision_function(const E& X_in) const {
    const state& s = get();
    decltype(auto) X = evaluate<T, 2>(X_in, "logistic_regression: X");
    check_columns(X, s.coef.size(), "logistic_regression: X");
    const std::size_t n = X.shape()[0], d = X.shape()[1];
    vector<T> z = vector<T>::from_shape({n});
    const T* x = X.data();
    const T* c = s.coef.data();
    if (n < 16) {  // a few rows (a service scoring one customer): no BLAS call overhead,
                   // eight independent accumulators instead of one serial chain
      for (std::size_t i = 0; i < n; ++i) z(i) = s.intercept + blas::dot(x + i * d, c, d);
    } else {
      z.fill(s.intercept);
      blas::gemv(blas::op::none, n, d, T(1), x, d, c, T(1), z.data());
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(z(i))) check_finite(X, "logistic_regression: X");  // names the bad value
    }
    return z;
  }

  /// P(y = 1 | x) per row.
  template <class E>
  vector<T> predict_proba(const E& X) const {
    vector<T> z = decision_function(X);
    for (auto& v : z) v = static_cast<T>(vmath::sigmoid(static_cast<double>(v)));
    return z;
  }

  /// 1 where P(y = 1) >= params().threshold, else 0.
  template <class E>
  vector<T> predict(const E& X) const {
    vector<T> p = predict_proba(X);
    for (auto& v : p) v = v >= static_cast<T>(params_.threshold) ? T(1) : T(0);
    return p;
  }

  const vector<T>& coef() const { return get().coef; }
  T intercept() const { return get().intercept; }

  template <class A>
  void serialize(A& ar) {
    auto& p = params_;
    ar(p.C, p.fit_intercept, p.solver, p.tol, p.max_iter, p.class_weight, p.weight_class0, p.weight_class1,
       p.threshold);
    // Models saved before version 3 were fitted with the gradient rule alone.
    if (ar.version() >= 3) {
      ar(p.ftol);
    } else if constexpr (A::loading) {
      p.ftol = 0.0;
    }
    ar(state_);
    if constexpr (A::loading) p.validate();
  }

 private:
  struct state {
    vector<T> coef;
    T intercept{};
    optimize_report report;
    template <class A>
    void serialize(A& ar) {
      ar(coef, intercept);
      report.serialize(ar, ar.version() >= 2);
      ar.check(coef.size() > 0, "logistic_regression: no coefficients");
      for (auto c : coef) ar.check(std::isfinite(c), "logistic_regression: a coefficient is not finite");
      ar.check(std::isfinite(intercept), "logistic_regression: the intercept is not finite");
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }

  template <class C, class E, class Y>
  logistic_regression& fit_impl(C& comm, const E& X_in, const Y& y_in, const vector<double>* sw) {
    constexpr bool one_process = std::is_same_v<C, local_communicator>;
    const std::string what = "logistic_regression.fit";
    // Data in double (the optimiser's precision; no copy when it already is), per-row
    // weights with class weights.
    matrix<double> X_double;
    const matrix<double>* X_ptr = nullptr;
    std::vector<double> y, s;
    std::size_t d = 0, ones = 0;
    distributed::run_agreed(comm, what, [&] {
      decltype(auto) Xt = evaluate<T, 2>(X_in, what + ": X");
      if constexpr (one_process) check_nonempty(Xt, what + ": X");
      check_finite(Xt, what + ": X");
      decltype(auto) yt = evaluate<T, 1>(y_in, what + ": y");
      check_same_rows(Xt, yt);
      ones = count_binary_labels(yt, what + ": y");
      if constexpr (one_process) check_both_classes(yt.size(), ones, what + ": y");
      const std::size_t n = Xt.shape()[0];
      d = Xt.shape()[1];
      if (sw && sw->size() != n) {
        throw shape_error(what + ": sample_weight has " + std::to_string(sw->size()) + " entries, X has " +
                          std::to_string(n) + " rows");
      }
      if constexpr (std::is_same_v<T, double>) {
        if constexpr (std::is_lvalue_reference_v<decltype(Xt)>) {
          X_ptr = &Xt;  // the caller's matrix: no copy
        } else {
          X_double = std::move(Xt);
        }
      } else {
        X_double = xt::cast<double>(Xt);
      }
      y.resize(n);
      for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<double>(yt(i));
      if (sw) {
        for (std::size_t i = 0; i < n; ++i) {
          const double wi = (*sw)(i);
          if (!(wi >= 0) || !std::isfinite(wi)) {
            throw invalid_argument(what + ": sample_weight must be finite and >= 0, got " + detail::to_text(wi));
          }
        }
      }
    });
    const matrix<double>& X = X_ptr ? *X_ptr : X_double;
    const auto& p = params_;
    distributed::same_everywhere(comm, what + ": the parameters and the column count",
                                 distributed::fingerprint(p.C, p.fit_intercept, p.solver, p.tol, p.max_iter, p.class_weight,
                                                          p.weight_class0, p.weight_class1, p.ftol, d)
                                     .value());
    const std::size_t n = y.size();
    // The class counts over every rank.
    std::int64_t counts[2] = {static_cast<std::int64_t>(n), static_cast<std::int64_t>(ones)};
    comm.allreduce_sum(std::span<std::int64_t>(counts, 2));
    if constexpr (!one_process) {
      if (counts[0] == 0) throw shape_error(what + ": X has no rows on any rank");
      check_both_classes(static_cast<std::size_t>(counts[0]), static_cast<std::size_t>(counts[1]), what + ": y");
    }
    const auto n_all = static_cast<double>(counts[0]), n1 = static_cast<double>(counts[1]);
    double w0 = 1.0, w1 = 1.0;
    if (params_.class_weight == class_weighting::balanced) {
      w0 = n_all / (2.0 * (n_all - n1));
      w1 = n_all / (2.0 * n1);
    } else if (params_.class_weight == class_weighting::given) {
      w0 = params_.weight_class0;
      w1 = params_.weight_class1;
    }
    s.resize(n);
    for (std::size_t i = 0; i < n; ++i) s[i] = (sw ? (*sw)(i) : 1.0) * (y[i] > 0.5 ? w1 : w0);

    const double alpha = std::isinf(params_.C) ? 0.0 : 1.0 / params_.C;
    detail::logistic_objective<C> f(X, y, s, alpha, params_.fit_intercept, comm);
    const double total = f.total();
    if (!(total > 0)) throw invalid_argument(what + ": the sample weights sum to 0");
    vector<double> w = xt::zeros<double>({d + (params_.fit_intercept ? 1 : 0)});
    optimize_report rep;
    if (params_.solver == logistic_solver::lbfgs) {
      const lbfgs_params lp{.max_iterations = params_.max_iter, .gtol = params_.tol / total, .ftol = params_.ftol,
                            .ftol_floor = 1.0 / total};
      lbfgs_memory<double> memory;
      const bool started = alpha > 0.0 && detail::logistic_subsample_start(comm, X, y, s, alpha, params_.fit_intercept,
                                                                           static_cast<std::size_t>(counts[0]), lp, w, memory);
      rep = lbfgs<double>(f, w, lp, started ? &memory : nullptr);
    } else {
      rep = newton<double>(f, w, {.max_iterations = params_.max_iter, .gtol = params_.tol, .ftol = 0.0});
    }
    if (alpha == 0.0) {
      // Without a penalty, perfectly separated classes have no maximum likelihood estimate:
      // the optimiser only stops because the gradient vanishes as the weights grow.
      std::int64_t unseparated = 0;
      for (std::size_t i = 0; i < n && unseparated == 0; ++i) {
        double z = params_.fit_intercept ? w(d) : 0.0;
        for (std::size_t j = 0; j < d; ++j) z += X(i, j) * w(j);
        unseparated += (y[i] > 0.5 ? z : -z) > 0.0 ? 0 : 1;
      }
      comm.allreduce_sum(std::span<std::int64_t>(&unseparated, 1));
      if (unseparated == 0) {
        rep.converged = false;
        rep.reason = stop_reason::no_solution;
        rep.stopped_because = "the classes are perfectly separable: without a penalty (C = infinity) the maximum "
                              "likelihood estimate does not exist; use a finite C";
      } else if (!rep.converged) {
        rep.stopped_because += "; without a penalty (C = infinity) the data may be nearly separable: use a finite C";
      }
    }
    state st;
    st.coef = vector<T>::from_shape({d});
    for (std::size_t j = 0; j < d; ++j) st.coef(j) = static_cast<T>(w(j));
    st.intercept = static_cast<T>(params_.fit_intercept ? w(d) : 0.0);
    for (auto c : st.coef) {
      if (!std::isfinite(c)) throw numeric_error(what + ": the fit diverged (a coefficient is not finite)");
    }
    st.report = std::move(rep);
    state_ = std::move(st);
    return *this;
  }

  params_type params_{};
  std::optional<state> state_;
};

}  // namespace clm
