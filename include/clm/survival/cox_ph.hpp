#pragma once
// clm::cox_ph — the Cox proportional hazards model, h(t | x) = h0(t) exp(x . b), fitted by
// Newton's method on the log partial likelihood:
//
//   maximise  logPL(b) - alpha / 2 ||b||^2
//
// (alpha = 0, the default: no penalty; alpha > 0 is scikit-survival's CoxPHSurvivalAnalysis
// ridge penalty, and statsmodels' fit_regularized(alpha / n, L1_wt = 0)). Case weights,
// entry (left-truncation) times and strata come through survival_fit_options
// (survival/survival_data.hpp). Ties in the event times:
//   efron (default, as lifelines and R)   the d deaths at a time leave the risk set in d
//                                         equal steps: sum_k log(S0 - k/d T0), k < d
//   breslow (statsmodels' default)        d log S0
// Entry times follow the counting-process rule of R's coxph (start, stop]: a subject is at
// risk at t when entry < t <= duration. statsmodels' PHReg counts it from entry <= t (its
// own SurvfuncRight uses <); the fixtures shift PHReg's entry times to compare.
// With case weights each of the d terms carries the mean weight of the deaths (R's
// coxph convention): for the Breslow method an integer weight k then equals the row
// repeated k times; for Efron it does not (repeated rows are d distinct deaths).
//
// After fit: coef(), standard_errors() (sqrt of the diagonal of the inverse of the
// information matrix, the negative Hessian of the penalised objective), log_likelihood()
// (logPL at the estimate, without the penalty), report() (iterations, convergence).
// Predictions:
//   predict_risk(X)                 x . b, the log partial hazard (higher: earlier event;
//                                   concordance_index takes its negative)
//   predict_partial_hazard(X)       exp(x . b)
//   predict_cumulative_hazard(X, times[, strata])   H0(t) exp(x . b)
//   predict_survival(X, times[, strata])            exp(-H0(t) exp(x . b))
//   predict_median(X[, strata])     the first baseline event time with S(t | x) < 0.5 (the
//                                   rule of kaplan_meier::median_survival); +infinity if never
// The baseline cumulative hazard is Breslow's estimator for either tie method,
// H0(t) = sum_{t_j <= t} d_j / sum_{i in R(t_j)} w_i exp(x_i . b) with d_j the event weight
// at t_j, a right-continuous step. statsmodels' PHRegResults.baseline_cumulative_hazard
// reports, at each t_j, the sum over t_i < t_j only (the value just before the jump): its
// entries are clm's shifted by one event time.
//
// Computation: rows are sorted once by stratum and decreasing time, the columns centred
// (the model is invariant to it; it keeps the information matrix free of cancellation).
// One evaluation is a gemv for the linear predictor and one sweep over the rows adding to
// the risk-set sums S0 = sum w e^eta and S1 = sum w e^eta x; the Hessian needs no p x p sum
// per row: it is X' diag(q) X - A' A (two syrk calls), q_i being row i's share of the
// terms 1 / (risk-set sum) over the event times at which it is at risk, A holding the
// risk-set means (two rows per event time: the d Efron terms are linear in S1 and T1).
// O(n p) per evaluation plus O(n p^2) in BLAS per Hessian.
//
// Bad input: see survival_data.hpp; also fewer than 2 events, and, without a penalty, a
// covariate that separates the events (the partial likelihood grows without bound: the
// named coefficient diverges) is a numeric_error that says to set alpha > 0; collinear
// covariates (a singular information matrix) are a numeric_error naming the column.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/blas.hpp"
#include "clm/core/error.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/core/vmath.hpp"
#include "clm/optim/newton.hpp"
#include "clm/survival/survival_data.hpp"

namespace clm {

enum class cox_ties : std::uint8_t { efron, breslow };

struct cox_ph_params {
  cox_ties ties = cox_ties::efron;
  double alpha = 0.0;  ///< ridge penalty on the log partial likelihood (>= 0)
  double tol = 1e-9;   ///< Newton stops when max |gradient| of (penalised -logPL) / total weight <= tol
  std::size_t max_iter = 100;

  void validate() const {
    const char* o = "cox_ph";
    require_param(static_cast<int>(ties) <= 1, o, "ties", static_cast<int>(ties), "efron or breslow");
    require_param(alpha >= 0.0 && std::isfinite(alpha), o, "alpha", alpha, "finite and >= 0");
    require_param(tol > 0.0 && std::isfinite(tol), o, "tol", tol, "finite and > 0");
    require_param(max_iter >= 1, o, "max_iter", max_iter, ">= 1");
  }
  friend bool operator==(const cox_ph_params&, const cox_ph_params&) = default;
};

namespace detail {

/// The data of a Cox fit in the order the sweep reads it: by stratum, then by decreasing
/// time (ties in input order); columns centred.
struct cox_data {
  std::size_t n = 0, p = 0;
  std::vector<double> X;  ///< n x p, row-major, sorted and centred
  std::vector<double> mean;
  std::vector<double> w, time;
  std::vector<unsigned char> event;
  std::vector<double> entry;  ///< sorted like the rows; empty: no left truncation
  std::vector<std::int64_t> labels;  ///< stratum labels, ascending
  std::vector<std::size_t> stratum_begin;  ///< rows of stratum s: [stratum_begin[s], stratum_begin[s + 1])
  // Groups of rows with one time, per stratum in decreasing time.
  std::vector<std::size_t> group_begin;  ///< rows of group g: [group_begin[g], group_begin[g + 1])
  std::vector<std::size_t> stratum_group;  ///< groups of stratum s: [stratum_group[s], stratum_group[s + 1])
  std::vector<std::size_t> death_begin, deaths;  ///< deaths (event, weight > 0) of group g
  std::vector<std::size_t> entry_order;  ///< per stratum, rows by decreasing entry time
  std::vector<std::size_t> entry_group;  ///< first group (of the row's stratum) with time <= its entry
  std::vector<double> death_wx;  ///< sum over deaths of w x (p)
  double total_weight = 0.0;
};

template <class T>
cox_data make_cox_data(const matrix<T>& X, survival_target&& t, const std::vector<std::int64_t>& strata) {
  cox_data c;
  const std::size_t n = X.shape()[0], p = X.shape()[1];
  c.n = n;
  c.p = p;
  c.total_weight = t.total_weight;
  // Stratum codes in label order.
  std::vector<std::size_t> code(n, 0);
  if (strata.empty()) {
    c.labels = {0};
  } else {
    std::map<std::int64_t, std::size_t> codes;
    for (auto s : strata) codes.emplace(s, 0);
    for (auto& [label, k] : codes) {
      k = c.labels.size();
      c.labels.push_back(label);
    }
    for (std::size_t i = 0; i < n; ++i) code[i] = codes[strata[i]];
  }
  const std::size_t S = c.labels.size();
  // Decreasing time, then a stable counting sort by stratum.
  const std::vector<std::size_t> by_time = radix_argsort(t.time.data(), n, true);
  std::vector<std::size_t> count(S + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++count[code[i] + 1];
  for (std::size_t s = 0; s < S; ++s) count[s + 1] += count[s];
  c.stratum_begin = count;
  std::vector<std::size_t> order(n);
  for (std::size_t i : by_time) order[count[code[i]]++] = i;

  c.X.resize(n * p);
  c.mean.assign(p, 0.0);
  c.w.resize(n);
  c.time.resize(n);
  c.event.resize(n);
  if (!t.entry.empty()) c.entry.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    c.w[k] = t.w(i);
    c.time[k] = t.time[i];
    c.event[k] = t.event[i];
    if (!t.entry.empty()) c.entry[k] = t.entry[i];
    const T* src = X.data() + i * p;
    double* dst = c.X.data() + k * p;
    for (std::size_t j = 0; j < p; ++j) {
      dst[j] = static_cast<double>(src[j]);
      c.mean[j] += c.w[k] * dst[j];
    }
  }
  for (auto& m : c.mean) m /= c.total_weight;
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t j = 0; j < p; ++j) c.X[k * p + j] -= c.mean[j];
  }
  // Groups and their deaths.
  c.death_wx.assign(p, 0.0);
  c.stratum_group.push_back(0);
  c.death_begin.push_back(0);
  for (std::size_t s = 0; s < S; ++s) {
    for (std::size_t k = c.stratum_begin[s]; k < c.stratum_begin[s + 1];) {
      std::size_t e = k;
      c.group_begin.push_back(k);
      while (e < c.stratum_begin[s + 1] && c.time[e] == c.time[k]) {
        if (c.event[e] && c.w[e] > 0) {
          c.deaths.push_back(e);
          for (std::size_t j = 0; j < p; ++j) c.death_wx[j] += c.w[e] * c.X[e * p + j];
        }
        ++e;
      }
      c.death_begin.push_back(c.deaths.size());
      k = e;
    }
    c.stratum_group.push_back(c.group_begin.size());
  }
  c.group_begin.push_back(n);
  if (!c.entry.empty()) {
    const std::vector<std::size_t> by_entry = radix_argsort(c.entry.data(), n, true);
    std::vector<std::size_t> at(c.stratum_begin.begin(), c.stratum_begin.end() - 1);
    c.entry_order.resize(n);
    std::vector<std::size_t> stratum_of(n);
    for (std::size_t s = 0; s < S; ++s) {
      for (std::size_t k = c.stratum_begin[s]; k < c.stratum_begin[s + 1]; ++k) stratum_of[k] = s;
    }
    for (std::size_t k : by_entry) c.entry_order[at[stratum_of[k]]++] = k;
    c.entry_group.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t s = stratum_of[k];
      std::size_t lo = c.stratum_group[s], hi = c.stratum_group[s + 1];  // first group with time <= entry
      while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (c.time[c.group_begin[mid]] <= c.entry[k]) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      c.entry_group[k] = lo;
    }
  }
  return c;
}

/// -logPL(b) + alpha / 2 ||b||^2, divided by the total weight, with its gradient and
/// Hessian, for clm::newton.
class cox_objective {
 public:
  cox_objective(const cox_data& d, cox_ties ties, double alpha) : d_(d), efron_(ties == cox_ties::efron), alpha_(alpha) {
    eta_.resize(d.n);
    r_.resize(d.n);
    shift_.resize(d.labels.size());
  }

  double evaluate_with_gradient(const vector<double>& b, vector<double>& g) {
    const double ll = sweep(b);
    const std::size_t p = d_.p;
    double pen = 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      pen += b(j) * b(j);
      g(j) = (-(d_.death_wx[j] - mean_sum_[j]) + alpha_ * b(j)) / d_.total_weight;
    }
    return (-ll + 0.5 * alpha_ * pen) / d_.total_weight;
  }

  void hessian(const vector<double>& b, matrix<double>& H) {
    const std::size_t p = d_.p;
    information(b, H);
    for (std::size_t j = 0; j < p; ++j) {
      for (std::size_t k = 0; k < p; ++k) H(j, k) = (H(j, k) + (j == k ? alpha_ : 0.0)) / d_.total_weight;
    }
  }

  /// The negative Hessian of logPL (no penalty, not divided by the weight), full matrix.
  void information(const vector<double>& b, matrix<double>& H) {
    const std::size_t n = d_.n, p = d_.p;
    (void)sweep(b);
    // q_i = r_i (C_i - [death] e_g): C_i the sum of c over the groups at which row i is at risk.
    std::vector<double> Q(c_.size() + 1, 0.0);  // Q[g]: c summed over groups g.. of g's stratum
    for (std::size_t s = 0; s + 1 < d_.stratum_group.size(); ++s) {
      double acc = 0.0;
      for (std::size_t g = d_.stratum_group[s + 1]; g-- > d_.stratum_group[s];) {
        acc += c_[g];
        Q[g] = acc;
      }
    }
    Z_.resize(n * p);
    for (std::size_t s = 0; s + 1 < d_.stratum_group.size(); ++s) {
      const std::size_t g_end = d_.stratum_group[s + 1];
      for (std::size_t g = d_.stratum_group[s]; g < g_end; ++g) {
        for (std::size_t k = d_.group_begin[g]; k < d_.group_begin[g + 1]; ++k) {
          double C = Q[g];
          if (!d_.entry.empty()) C -= d_.entry_group[k] < g_end ? Q[d_.entry_group[k]] : 0.0;
          if (d_.event[k] && d_.w[k] > 0) C -= e_[g];
          const double q = std::sqrt(std::max(0.0, r_[k] * C));
          const double* x = d_.X.data() + k * p;
          double* z = Z_.data() + k * p;
          for (std::size_t j = 0; j < p; ++j) z[j] = q * x[j];
        }
      }
    }
    H = xt::zeros<double>({p, p});
    blas::syrk(blas::op::transpose, p, n, 1.0, Z_.data(), p, 0.0, H.data(), p);
    const std::size_t terms = A_.size() / p;
    if (terms > 0) blas::syrk(blas::op::transpose, p, terms, -1.0, A_.data(), p, 1.0, H.data(), p);
    for (std::size_t j = 0; j < p; ++j) {
      for (std::size_t k = 0; k < j; ++k) H(j, k) = H(k, j);
    }
  }

  /// logPL at b (no penalty). Fills what the gradient, the Hessian and the baseline read:
  /// the per-stratum shifts, the risk weights r_, and per group the sums c_, e_, the
  /// risk-set total S0_ and the rows of A_. A second call at the same b reuses them (Newton
  /// asks for the value and then the Hessian at one point).
  double sweep(const vector<double>& b) {
    if (swept_ && std::equal(b.begin(), b.end(), last_b_.begin())) return last_ll_;
    last_b_.assign(b.begin(), b.end());
    swept_ = true;
    last_ll_ = sweep_at(b);
    return last_ll_;
  }

 private:
  double sweep_at(const vector<double>& b) {
    const std::size_t n = d_.n, p = d_.p;
    std::fill(eta_.begin(), eta_.end(), 0.0);
    blas::gemv(blas::op::none, n, p, 1.0, d_.X.data(), p, b.data(), 0.0, eta_.data());
    mean_sum_.assign(p, 0.0);
    S1_.resize(p);
    T1_.resize(p);
    const std::size_t G = d_.group_begin.size() - 1;
    c_.assign(G, 0.0);
    e_.assign(G, 0.0);
    S0_.assign(G, 0.0);
    A_.clear();
    double ll = 0.0;
    for (std::size_t s = 0; s + 1 < d_.stratum_begin.size(); ++s) {
      const std::size_t r0 = d_.stratum_begin[s], r1 = d_.stratum_begin[s + 1];
      if (r0 == r1) continue;
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t k = r0; k < r1; ++k) m = std::max(m, eta_[k]);
      shift_[s] = m;
      for (std::size_t k = r0; k < r1; ++k) r_[k] = d_.w[k] * vmath::exp_nonpositive(eta_[k] - m);
      double S0 = 0.0;
      std::fill(S1_.begin(), S1_.end(), 0.0);
      std::size_t out = r0;  // next row to leave by its entry time (entry_order)
      for (std::size_t g = d_.stratum_group[s]; g < d_.stratum_group[s + 1]; ++g) {
        const double t = d_.time[d_.group_begin[g]];
        for (std::size_t k = d_.group_begin[g]; k < d_.group_begin[g + 1]; ++k) add_row(k, 1.0, S0);
        if (!d_.entry.empty()) {
          for (; out < r1 && d_.entry[d_.entry_order[out]] >= t; ++out) add_row(d_.entry_order[out], -1.0, S0);
        }
        S0_[g] = S0;
        const std::size_t d0 = d_.death_begin[g], d1 = d_.death_begin[g + 1];
        if (d0 == d1) continue;
        double Dw = 0.0, T0 = 0.0;
        std::fill(T1_.begin(), T1_.end(), 0.0);
        for (std::size_t q = d0; q < d1; ++q) {
          const std::size_t k = d_.deaths[q];
          Dw += d_.w[k];
          T0 += r_[k];
          ll += d_.w[k] * (eta_[k] - m);
          const double* x = d_.X.data() + k * p;
          for (std::size_t j = 0; j < p; ++j) T1_[j] += r_[k] * x[j];
        }
        // The K terms (K = d for Efron, 1 for Breslow) have risk-set means
        // a_k = (S1 - f_k T1) / den_k, f_k = k / K, den_k = S0 - f_k T0. Their sums are
        // linear in S1 and T1: sum_k omega a_k = omega (b0 S1 - b1 T1), and
        // sum_k omega a_k a_k' = [S1 T1] M [S1 T1]' with M = omega [[a0, -a1], [-a1, a2]],
        // b_m = sum f^m / den, a_m = sum f^m / den^2: two rows of A per time, whatever d is.
        const std::size_t K = efron_ ? d1 - d0 : 1;
        const double omega = Dw / static_cast<double>(K);
        double b0 = 0.0, b1 = 0.0, a0 = 0.0, a1 = 0.0, a2 = 0.0;
        for (std::size_t q = 0; q < K; ++q) {
          const double f = static_cast<double>(q) / static_cast<double>(K);
          const double den = S0 - f * T0;
          if (!(den > 0.0) || !std::isfinite(den)) return -std::numeric_limits<double>::infinity();
          ll -= omega * std::log(den);
          const double inv = 1.0 / den;
          b0 += inv;
          b1 += f * inv;
          a0 += inv * inv;
          a1 += f * inv * inv;
          a2 += f * f * inv * inv;
        }
        for (std::size_t j = 0; j < p; ++j) mean_sum_[j] += omega * (b0 * S1_[j] - b1 * T1_[j]);
        c_[g] = omega * b0;
        e_[g] = omega * b1;
        {
          // M = L L' (2 x 2 Cholesky; M is positive semi-definite by Cauchy-Schwarz), and
          // the rows L' [S1 T1]' go into A.
          const double l11 = std::sqrt(omega * a0);
          const double l21 = l11 > 0 ? -omega * a1 / l11 : 0.0;
          const double l22 = std::sqrt(std::max(0.0, omega * a2 - l21 * l21));
          for (std::size_t j = 0; j < p; ++j) A_.push_back(l11 * S1_[j] + l21 * T1_[j]);
          if (l22 > 0) {
            for (std::size_t j = 0; j < p; ++j) A_.push_back(l22 * T1_[j]);
          }
        }
      }
    }
    return ll;
  }

 public:
  /// Breslow's baseline cumulative hazard per stratum at b, ascending event times, in units
  /// of exp(-shift) (shift: the stratum's largest centred linear predictor).
  void baseline(const vector<double>& b, std::vector<double>& times, std::vector<double>& cumhaz,
                std::vector<std::size_t>& offsets, std::vector<double>& shifts) {
    (void)sweep(b);
    times.clear();
    cumhaz.clear();
    offsets.assign(1, 0);
    shifts = shift_;
    for (std::size_t s = 0; s + 1 < d_.stratum_begin.size(); ++s) {
      double acc = 0.0;
      for (std::size_t g = d_.stratum_group[s + 1]; g-- > d_.stratum_group[s];) {  // increasing time
        double Dw = 0.0;
        for (std::size_t q = d_.death_begin[g]; q < d_.death_begin[g + 1]; ++q) Dw += d_.w[d_.deaths[q]];
        if (!(Dw > 0)) continue;
        acc += Dw / S0_[g];
        times.push_back(d_.time[d_.group_begin[g]]);
        cumhaz.push_back(acc);
      }
      offsets.push_back(times.size());
    }
  }

 private:
  void add_row(std::size_t k, double sign, double& S0) {
    const double rk = sign * r_[k];
    S0 += rk;
    const double* x = d_.X.data() + k * d_.p;
    for (std::size_t j = 0; j < d_.p; ++j) S1_[j] += rk * x[j];
  }

  const cox_data& d_;
  bool efron_;
  double alpha_;
  std::vector<double> eta_, r_, shift_, S1_, T1_, mean_sum_, c_, e_, S0_, A_, Z_, last_b_;
  bool swept_ = false;
  double last_ll_ = 0.0;
};

}  // namespace detail

template <class T = double>
class cox_ph {
 public:
  using value_type = T;
  using params_type = cox_ph_params;
  static constexpr const char* name = "cox_ph";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }

  cox_ph() = default;
  explicit cox_ph(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  template <class E, class D, class Ev>
  cox_ph& fit(const E& X_in, const D& durations, const Ev& events, const survival_fit_options& options = {}) {
    const std::string what = "cox_ph.fit";
    decltype(auto) X = evaluate<T, 2>(X_in, what + ": X");
    check_nonempty(X, what + ": X");
    check_finite(X, what + ": X");
    auto target = detail::check_survival_target(durations, events, options, what);
    const std::size_t n = X.shape()[0], p = X.shape()[1];
    if (target.time.size() != n) {
      throw shape_error(what + ": X has " + std::to_string(n) + " rows, durations " + std::to_string(target.time.size()));
    }
    if (!options.strata.empty() && options.strata.size() != n) {
      throw shape_error(what + ": strata has " + std::to_string(options.strata.size()) + " entries, X has " +
                        std::to_string(n) + " rows");
    }
    if (target.n_events < 2) {
      throw invalid_argument(what + ": needs at least 2 events to estimate coefficients, got " +
                             std::to_string(target.n_events));
    }
    const std::size_t n_events = target.n_events;
    const detail::cox_data data = detail::make_cox_data(X, std::move(target), options.strata);
    detail::cox_objective f(data, params_.ties, params_.alpha);
    vector<double> b = xt::zeros<double>({p});
    optimize_report rep = newton<double>(f, b, {.max_iterations = params_.max_iter, .gtol = params_.tol, .ftol = 0.0});

    // Information matrix, its inverse and the standard errors.
    matrix<double> I;
    f.information(b, I);
    for (std::size_t j = 0; j < p; ++j) I(j, j) += params_.alpha;
    std::vector<double> sd(p, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t j = 0; j < p; ++j) sd[j] += data.w[k] * data.X[k * p + j] * data.X[k * p + j];
    }
    for (auto& v : sd) v = std::sqrt(v / data.total_weight);
    if (params_.alpha == 0.0) {
      // Without a penalty the estimate runs off to infinity when a covariate orders the
      // events (monotone likelihood): Newton then stops on a vanishing gradient at a huge
      // coefficient.
      std::size_t worst = 0;
      for (std::size_t j = 1; j < p; ++j) {
        if (std::abs(b(j)) * sd[j] > std::abs(b(worst)) * sd[worst]) worst = j;
      }
      if (!(std::abs(b(worst)) * sd[worst] < separation_limit)) {
        throw numeric_error(what + ": the partial likelihood has no maximum: covariate " + std::to_string(worst) +
                            " separates the events (its coefficient diverges, " + detail::to_text(b(worst)) +
                            " after " + std::to_string(rep.iterations) +
                            " Newton steps); set alpha > 0 for a penalised fit");
      }
    }
    matrix<double> F = I;
    if (lapack::potrf(p, F.data()) != 0 || lapack::potri(p, F.data()) != 0) {
      std::size_t j0 = 0;
      for (std::size_t j = 0; j < p; ++j) {
        if (I(j, j) <= I(j0, j0)) j0 = j;
      }
      throw numeric_error(what + ": the information matrix is singular (covariate " + std::to_string(j0) +
                          " is constant or collinear with others); drop it or set alpha > 0");
    }
    state s;
    s.coef = vector<T>::from_shape({p});
    s.se.resize(p);
    double mean_dot_b = 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      s.coef(j) = static_cast<T>(b(j));
      s.se[j] = std::sqrt(F(j, j));
      mean_dot_b += data.mean[j] * b(j);
    }
    s.log_likelihood = f.sweep(b);
    f.baseline(b, s.baseline_times, s.baseline_cumhaz, s.baseline_offsets, s.shift);
    for (auto& v : s.shift) v += mean_dot_b;  // in terms of x . b on the original columns
    s.labels = data.labels;
    s.stratified = !options.strata.empty();
    s.n_observations = n;
    s.n_events = n_events;
    s.report = std::move(rep);
    for (std::size_t j = 0; j < p; ++j) {
      if (!std::isfinite(s.coef(j)) || !std::isfinite(s.se[j])) {
        throw numeric_error(what + ": the fit diverged (coefficient " + std::to_string(j) + " is not finite)");
      }
    }
    state_ = std::move(s);
    return *this;
  }

  const vector<T>& coef() const { return get().coef; }
  const std::vector<double>& standard_errors() const { return get().se; }
  double log_likelihood() const { return get().log_likelihood; }
  const optimize_report& report() const { return get().report; }
  std::size_t n_events() const { return get().n_events; }
  std::size_t n_observations() const { return get().n_observations; }
  /// The stratum labels (one label, 0, when fitted without strata).
  const std::vector<std::int64_t>& strata() const { return get().labels; }

  /// The baseline (x = 0) event times and cumulative hazard of a stratum.
  std::pair<std::vector<double>, std::vector<double>> baseline_cumulative_hazard(std::int64_t stratum = 0) const {
    const state& s = get();
    const std::size_t k = stratum_index(s, stratum);
    const std::size_t a = s.baseline_offsets[k], b = s.baseline_offsets[k + 1];
    std::vector<double> t(s.baseline_times.begin() + static_cast<std::ptrdiff_t>(a),
                          s.baseline_times.begin() + static_cast<std::ptrdiff_t>(b));
    std::vector<double> h(b - a);
    for (std::size_t j = a; j < b; ++j) h[j - a] = s.baseline_cumhaz[j] * std::exp(-s.shift[k]);
    return {std::move(t), std::move(h)};
  }

  /// x . b per row.
  template <class E>
  vector<T> predict_risk(const E& X_in) const {
    const state& s = get();
    decltype(auto) X = evaluate<T, 2>(X_in, "cox_ph: X");
    check_columns(X, s.coef.size(), "cox_ph: X");
    check_finite(X, "cox_ph: X");
    const std::size_t n = X.shape()[0], p = X.shape()[1];
    vector<T> z = vector<T>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) z(i) = blas::dot(X.data() + i * p, s.coef.data(), p);
    return z;
  }

  template <class E>
  vector<T> predict_partial_hazard(const E& X) const {
    vector<T> z = predict_risk(X);
    for (auto& v : z) v = std::exp(v);
    return z;
  }

  /// H(t | x) for each row of X (rows) and each of `times` (columns).
  template <class E, class Tm>
  matrix<T> predict_cumulative_hazard(const E& X, const Tm& times, const std::vector<std::int64_t>& strata = {}) const {
    return curves(X, times, strata, false);
  }

  /// S(t | x) = exp(-H(t | x)) for each row of X (rows) and each of `times` (columns).
  template <class E, class Tm>
  matrix<T> predict_survival(const E& X, const Tm& times, const std::vector<std::int64_t>& strata = {}) const {
    return curves(X, times, strata, true);
  }

  /// Per row, the first baseline event time at which S(t | x) < 1/2; +infinity if none.
  template <class E>
  vector<T> predict_median(const E& X, const std::vector<std::int64_t>& strata = {}) const {
    const state& s = get();
    const vector<T> eta = predict_risk(X);
    const std::vector<std::size_t> k = row_strata(s, eta.size(), strata);
    vector<T> out = vector<T>::from_shape({eta.size()});
    const double limit = std::log(2.0);  // S < 1/2  <=>  H > log 2
    for (std::size_t i = 0; i < eta.size(); ++i) {
      const std::size_t a = s.baseline_offsets[k[i]], b = s.baseline_offsets[k[i] + 1];
      const double scale = std::exp(static_cast<double>(eta(i)) - s.shift[k[i]]);
      const auto it = std::upper_bound(s.baseline_cumhaz.begin() + static_cast<std::ptrdiff_t>(a),
                                       s.baseline_cumhaz.begin() + static_cast<std::ptrdiff_t>(b), limit / scale);
      const auto j = static_cast<std::size_t>(it - s.baseline_cumhaz.begin());
      out(i) = static_cast<T>(j < b ? s.baseline_times[j] : std::numeric_limits<double>::infinity());
    }
    return out;
  }

  template <class A>
  void serialize(A& ar) {
    auto& p = params_;
    ar(p.ties, p.alpha, p.tol, p.max_iter, state_);
    if constexpr (A::loading) p.validate();
  }

 private:
  static constexpr double separation_limit = 20.0;  ///< |coefficient| x its column's s.d.

  struct state {
    vector<T> coef;
    std::vector<double> se;
    double log_likelihood = 0.0;
    std::vector<std::int64_t> labels;
    bool stratified = false;
    std::vector<double> baseline_times, baseline_cumhaz, shift;  ///< cumhaz in units of exp(-shift)
    std::vector<std::size_t> baseline_offsets;
    std::size_t n_observations = 0, n_events = 0;
    optimize_report report;

    template <class A>
    void serialize(A& ar) {
      ar(coef, se, log_likelihood, labels, stratified, baseline_times, baseline_cumhaz, shift, baseline_offsets,
         n_observations, n_events);
      report.serialize(ar, true);
      const std::size_t p = coef.size(), S = labels.size();
      ar.check(p > 0 && se.size() == p, "cox_ph: coefficients and standard errors differ in number");
      for (std::size_t j = 0; j < p; ++j) {
        ar.check(std::isfinite(coef(j)) && std::isfinite(se[j]) && se[j] >= 0, "cox_ph: a coefficient is not finite");
      }
      ar.check(S > 0 && shift.size() == S && baseline_offsets.size() == S + 1, "cox_ph: strata tables differ in size");
      ar.check(stratified || S == 1, "cox_ph: several strata in a model fitted without strata");
      for (std::size_t k = 1; k < S; ++k) ar.check(labels[k] > labels[k - 1], "cox_ph: stratum labels must increase");
      ar.check(baseline_offsets[0] == 0 && baseline_offsets[S] == baseline_times.size() &&
                   baseline_cumhaz.size() == baseline_times.size(),
               "cox_ph: baseline offsets do not match the baseline");
      for (std::size_t k = 0; k < S; ++k) {
        ar.check(std::isfinite(shift[k]) && baseline_offsets[k + 1] >= baseline_offsets[k], "cox_ph: bad stratum baseline");
        for (std::size_t j = baseline_offsets[k]; j < baseline_offsets[k + 1]; ++j) {
          const bool first = j == baseline_offsets[k];
          ar.check(std::isfinite(baseline_times[j]) && std::isfinite(baseline_cumhaz[j]) && baseline_cumhaz[j] > 0 &&
                       (first || (baseline_times[j] > baseline_times[j - 1] && baseline_cumhaz[j] >= baseline_cumhaz[j - 1])),
                   "cox_ph: the baseline must have increasing times and a positive, non-decreasing hazard");
        }
      }
      ar.check(std::isfinite(log_likelihood) && n_events >= 2 && n_events <= n_observations,
               "cox_ph: bad log-likelihood or counts");
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }

  static std::size_t stratum_index(const state& s, std::int64_t label) {
    const auto it = std::lower_bound(s.labels.begin(), s.labels.end(), label);
    if (it == s.labels.end() || *it != label) {
      throw invalid_argument("cox_ph: stratum " + std::to_string(label) + " was not in the data the model was fitted on");
    }
    return static_cast<std::size_t>(it - s.labels.begin());
  }

  static std::vector<std::size_t> row_strata(const state& s, std::size_t n, const std::vector<std::int64_t>& strata) {
    if (strata.empty()) {
      if (s.stratified) throw invalid_argument("cox_ph: the model has strata: give each row's stratum");
      return std::vector<std::size_t>(n, 0);
    }
    if (strata.size() != n) {
      throw shape_error("cox_ph: strata has " + std::to_string(strata.size()) + " entries, X has " + std::to_string(n) +
                        " rows");
    }
    std::vector<std::size_t> k(n);
    for (std::size_t i = 0; i < n; ++i) k[i] = stratum_index(s, strata[i]);
    return k;
  }

  template <class E, class Tm>
  matrix<T> curves(const E& X, const Tm& times_in, const std::vector<std::int64_t>& strata, bool survival) const {
    const state& s = get();
    const vector<T> eta = predict_risk(X);
    decltype(auto) times = evaluate<double, 1>(times_in, "cox_ph: times");
    check_finite(times, "cox_ph: times");
    const std::vector<std::size_t> k = row_strata(s, eta.size(), strata);
    const std::size_t n = eta.size(), m = times.size();
    matrix<T> out = matrix<T>::from_shape({n, m});
    // Baseline at each requested time, per stratum used.
    std::vector<std::vector<double>> base(s.labels.size());
    for (std::size_t i = 0; i < n; ++i) {
      auto& h = base[k[i]];
      if (!h.empty() || m == 0) continue;
      h.resize(m);
      const std::size_t a = s.baseline_offsets[k[i]], b = s.baseline_offsets[k[i] + 1];
      for (std::size_t c = 0; c < m; ++c) {
        const auto it = std::upper_bound(s.baseline_times.begin() + static_cast<std::ptrdiff_t>(a),
                                         s.baseline_times.begin() + static_cast<std::ptrdiff_t>(b), times(c));
        const auto j = static_cast<std::size_t>(it - s.baseline_times.begin());
        h[c] = j == a ? 0.0 : s.baseline_cumhaz[j - 1];
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double scale = std::exp(static_cast<double>(eta(i)) - s.shift[k[i]]);
      for (std::size_t c = 0; c < m; ++c) {
        const double H = base[k[i]][c] * scale;
        out(i, c) = static_cast<T>(survival ? std::exp(-H) : H);
      }
    }
    return out;
  }

  params_type params_{};
  std::optional<state> state_;
};

}  // namespace clm
