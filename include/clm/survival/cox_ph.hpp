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
// Computation: the groups (each stratum's distinct times, decreasing) are found once and
// every row is tagged with its group; the columns are centred (the model is invariant to
// it; it keeps the information matrix free of cancellation). One evaluation is a gemv for
// the linear predictor, one pass over the rows adding each to its group's sums (joining the
// risk set, leaving it by entry time, dying), and one sweep over the groups accumulating
// the risk-set sums S0 = sum w e^eta and S1 = sum w e^eta x; the Hessian needs no p x p sum
// per row: it is X' diag(q) X - A' A (two syrk calls), q_i being row i's share of the
// terms 1 / (risk-set sum) over the event times at which it is at risk, A holding the
// risk-set means (two rows per event time: the d Efron terms are linear in S1 and T1).
// O(n p) per evaluation plus O(n p^2) in BLAS per Hessian.
//
// fit(comm, X, durations, events, options): the rows spread over the ranks of a
// communicator (clm/distributed/communicator.hpp). The groups are gathered once, each
// evaluation's group sums and the Hessian's row term are summed over the ranks in rank
// order, and every rank runs the same Newton steps: the one-process model to rounding.
//
// Bad input: see survival_data.hpp; also fewer than 2 events, and, without a penalty, a
// covariate that separates the events (the partial likelihood grows without bound: the
// named coefficient diverges) is a numeric_error that says to set alpha > 0; collinear
// covariates (a singular information matrix) are a numeric_error naming the column.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
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
#include "clm/distributed/communicator.hpp"
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

/// The data of a Cox fit: this rank's rows (input order), centred on the weighted mean of
/// every rank's rows, and the grid every rank shares - the strata of all ranks, each
/// stratum's distinct times over all ranks in decreasing order (the groups), and each
/// group's number of deaths over all ranks. Each row knows its group and, with entry
/// times, the first group of its stratum at or before its entry (where it leaves the risk
/// set as the sweep goes back in time).
struct cox_data {
  std::size_t n = 0, p = 0;
  std::vector<double> X;  ///< n x p, row-major, centred
  std::vector<double> mean;
  std::vector<double> w;
  std::vector<unsigned char> death;  ///< event with a positive weight
  bool with_entry = false;
  std::vector<std::int64_t> labels;        ///< stratum labels of all ranks, ascending
  std::vector<std::size_t> stratum_group;  ///< groups of stratum s: [stratum_group[s], stratum_group[s + 1])
  std::vector<double> group_time;          ///< per group
  std::vector<std::size_t> group_deaths;   ///< per group, over all ranks
  std::vector<std::size_t> row_group, row_stratum, entry_group;  ///< per row
  std::vector<double> death_wx;  ///< sum over all ranks' deaths of w x (p)
  double total_weight = 0.0;     ///< over all ranks
};

template <communicator C, class T>
cox_data make_cox_data(C& comm, const matrix<T>& X, const survival_target& t, const std::vector<std::int64_t>& strata) {
  cox_data c;
  const std::size_t n = X.shape()[0], p = X.shape()[1];
  c.n = n;
  c.p = p;
  c.with_entry = !t.entry.empty();
  // Stratum labels of every rank.
  {
    std::vector<std::int64_t> mine(strata.begin(), strata.end());
    if (mine.empty() && n > 0) mine.push_back(0);
    std::sort(mine.begin(), mine.end());
    mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
    const auto all = comm.allgatherv(
        std::span<const char>(reinterpret_cast<const char*>(mine.data()), mine.size() * sizeof(std::int64_t)));
    for (const auto& part : all) {
      const std::size_t m = part.size() / sizeof(std::int64_t);
      const std::size_t at = c.labels.size();
      c.labels.resize(at + m);
      if (m > 0) std::memcpy(c.labels.data() + at, part.data(), m * sizeof(std::int64_t));
    }
    std::sort(c.labels.begin(), c.labels.end());
    c.labels.erase(std::unique(c.labels.begin(), c.labels.end()), c.labels.end());
  }
  c.row_stratum.assign(n, 0);
  if (!strata.empty()) {
    for (std::size_t i = 0; i < n; ++i) {
      c.row_stratum[i] = static_cast<std::size_t>(std::lower_bound(c.labels.begin(), c.labels.end(), strata[i]) -
                                                  c.labels.begin());
    }
  }
  // The groups: (stratum, time) pairs of every rank with their deaths, by stratum and then
  // decreasing time.
  c.w.resize(n);
  c.death.resize(n);
  struct key_deaths {
    std::uint64_t stratum, key, deaths;
  };
  std::vector<key_deaths> groups;
  const auto push = [&groups](const key_deaths& k) {  // a new group, or deaths added to the last
    if (!groups.empty() && groups.back().stratum == k.stratum && groups.back().key == k.key) {
      groups.back().deaths += k.deaths;
    } else {
      groups.push_back(k);
    }
  };
  {
    for (std::size_t i = 0; i < n; ++i) {
      c.w[i] = t.w(i);
      c.death[i] = t.event[i] && c.w[i] > 0;
    }
    // This rank's rows by stratum and decreasing time (a radix sort, then a stable counting
    // sort by stratum), and their groups.
    const std::vector<std::size_t> by_time = radix_argsort(t.time.data(), n, true);
    std::vector<std::size_t> start(c.labels.size() + 1, 0);
    for (std::size_t i = 0; i < n; ++i) ++start[c.row_stratum[i] + 1];
    for (std::size_t s = 0; s + 1 < start.size(); ++s) start[s + 1] += start[s];
    std::vector<std::size_t> order(n);
    for (const std::size_t i : by_time) order[start[c.row_stratum[i]]++] = i;
    for (const std::size_t i : order) push({c.row_stratum[i], ~order_key(t.time[i]), c.death[i]});
    if (comm.size() > 1) {
      // Every rank's groups, merged: equal (stratum, time) pairs add their deaths.
      std::vector<key_deaths> all;
      for (const auto& part : comm.allgatherv(std::span<const char>(reinterpret_cast<const char*>(groups.data()),
                                                                    groups.size() * sizeof(key_deaths)))) {
        const std::size_t m = part.size() / sizeof(key_deaths), at = all.size();
        all.resize(at + m);
        if (m > 0) std::memcpy(all.data() + at, part.data(), m * sizeof(key_deaths));
      }
      std::stable_sort(all.begin(), all.end(), [](const key_deaths& a, const key_deaths& b) {
        return a.stratum != b.stratum ? a.stratum < b.stratum : a.key < b.key;
      });
      groups.clear();
      for (const auto& k : all) push(k);
    }
  }
  const std::size_t S = c.labels.size(), G = groups.size();
  c.stratum_group.assign(S + 1, 0);
  c.group_time.resize(G);
  c.group_deaths.resize(G);
  for (std::size_t g = 0; g < G; ++g) {
    c.group_time[g] = from_order_key(~groups[g].key);
    c.group_deaths[g] = groups[g].deaths;
    ++c.stratum_group[groups[g].stratum + 1];
  }
  for (std::size_t s = 0; s < S; ++s) c.stratum_group[s + 1] += c.stratum_group[s];
  // Each row's group, and where it leaves by its entry time: the first group of its
  // stratum with time <= entry (the stratum's end when none).
  const auto first_group_at_or_before = [&](std::size_t s, double time) {
    const auto b = c.group_time.begin();
    return static_cast<std::size_t>(
        std::lower_bound(b + static_cast<std::ptrdiff_t>(c.stratum_group[s]),
                         b + static_cast<std::ptrdiff_t>(c.stratum_group[s + 1]), time, std::greater<double>()) -
        b);
  };
  c.row_group.resize(n);
  for (std::size_t i = 0; i < n; ++i) c.row_group[i] = first_group_at_or_before(c.row_stratum[i], t.time[i]);
  if (c.with_entry) {
    c.entry_group.resize(n);
    for (std::size_t i = 0; i < n; ++i) c.entry_group[i] = first_group_at_or_before(c.row_stratum[i], t.entry[i]);
  }
  // The weighted mean over every rank, the centred rows, the deaths' sum of w x.
  c.X.resize(n * p);
  std::vector<double> sums(p + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const T* src = X.data() + i * p;
    double* dst = c.X.data() + i * p;
    for (std::size_t j = 0; j < p; ++j) {
      dst[j] = static_cast<double>(src[j]);
      sums[j] += c.w[i] * dst[j];
    }
  }
  sums[p] = t.total_weight;
  comm.allreduce_sum(std::span<double>(sums));
  c.total_weight = sums[p];
  c.mean.assign(sums.begin(), sums.begin() + static_cast<std::ptrdiff_t>(p));
  for (auto& m : c.mean) m /= c.total_weight;
  c.death_wx.assign(p, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double* x = c.X.data() + i * p;
    for (std::size_t j = 0; j < p; ++j) x[j] -= c.mean[j];
    if (c.death[i]) {
      for (std::size_t j = 0; j < p; ++j) c.death_wx[j] += c.w[i] * x[j];
    }
  }
  comm.allreduce_sum(std::span<double>(c.death_wx));
  return c;
}

/// -logPL(b) + alpha / 2 ||b||^2, divided by the total weight, with its gradient and
/// Hessian, for clm::newton; over every rank's rows.
template <communicator C>
class cox_objective {
 public:
  cox_objective(const cox_data& d, cox_ties ties, double alpha, C& comm)
      : d_(d), efron_(ties == cox_ties::efron), alpha_(alpha), comm_(comm) {
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
    // q_i = r_i (R_i - [death] e_g): R_i the sum of c over the groups at which row i is at risk.
    std::vector<double> Q(c_.size() + 1, 0.0);  // Q[g]: c summed over groups g.. of g's stratum
    for (std::size_t s = 0; s + 1 < d_.stratum_group.size(); ++s) {
      double acc = 0.0;
      for (std::size_t g = d_.stratum_group[s + 1]; g-- > d_.stratum_group[s];) {
        acc += c_[g];
        Q[g] = acc;
      }
    }
    Z_.resize(n * p);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t g = d_.row_group[k], g_end = d_.stratum_group[d_.row_stratum[k] + 1];
      double at_risk = Q[g];
      if (d_.with_entry) at_risk -= d_.entry_group[k] < g_end ? Q[d_.entry_group[k]] : 0.0;
      if (d_.death[k]) at_risk -= e_[g];
      const double q = std::sqrt(std::max(0.0, r_[k] * at_risk));
      const double* x = d_.X.data() + k * p;
      double* z = Z_.data() + k * p;
      for (std::size_t j = 0; j < p; ++j) z[j] = q * x[j];
    }
    H = xt::zeros<double>({p, p});
    if (n > 0) blas::syrk(blas::op::transpose, p, n, 1.0, Z_.data(), p, 0.0, H.data(), p);
    comm_.allreduce_sum(std::span<double>(H.data(), H.size()));
    const std::size_t terms = A_.size() / p;
    if (terms > 0) blas::syrk(blas::op::transpose, p, terms, -1.0, A_.data(), p, 1.0, H.data(), p);
    for (std::size_t j = 0; j < p; ++j) {
      for (std::size_t k = 0; k < j; ++k) H(j, k) = H(k, j);
    }
  }

  /// logPL at b (no penalty). Fills what the gradient, the Hessian and the baseline read:
  /// the per-stratum shifts, the risk weights r_, and per group the sums c_, e_, the
  /// risk-set total S0_, the death weight Dw_ and the rows of A_. A second call at the same
  /// b reuses them (Newton asks for the value and then the Hessian at one point).
  double sweep(const vector<double>& b) {
    if (swept_ && std::equal(b.begin(), b.end(), last_b_.begin())) return last_ll_;
    last_b_.assign(b.begin(), b.end());
    swept_ = true;
    last_ll_ = sweep_at(b);
    return last_ll_;
  }

 private:
  // Per group, the sums every rank adds: rows joining the risk set (r, r x), rows leaving
  // it by their entry time (r, r x), deaths (r, r x, w, w (eta - shift)): 3 p + 5 values.
  std::size_t width() const { return 3 * d_.p + 5; }

  double sweep_at(const vector<double>& b) {
    const std::size_t n = d_.n, p = d_.p, S = d_.labels.size(), G = d_.group_time.size(), W = width();
    std::fill(eta_.begin(), eta_.end(), 0.0);
    if (n > 0) blas::gemv(blas::op::none, n, p, 1.0, d_.X.data(), p, b.data(), 0.0, eta_.data());
    // The shift of each stratum: its largest linear predictor over every rank.
    std::fill(shift_.begin(), shift_.end(), -std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < n; ++k) shift_[d_.row_stratum[k]] = std::max(shift_[d_.row_stratum[k]], eta_[k]);
    if constexpr (!std::is_same_v<C, local_communicator>) {
      for (const auto& part : distributed::allgather_doubles(comm_, shift_)) {
        for (std::size_t s = 0; s < S; ++s) shift_[s] = std::max(shift_[s], part[s]);
      }
    }
    sums_.assign(G * W, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t s = d_.row_stratum[k];
      r_[k] = d_.w[k] * vmath::exp_nonpositive(eta_[k] - shift_[s]);
      const double* x = d_.X.data() + k * p;
      const auto add = [&](double* at, double v) {
        at[0] += v;
        for (std::size_t j = 0; j < p; ++j) at[1 + j] += v * x[j];
      };
      double* row = sums_.data() + d_.row_group[k] * W;
      add(row, r_[k]);
      if (d_.with_entry && d_.entry_group[k] < d_.stratum_group[s + 1]) add(sums_.data() + d_.entry_group[k] * W + p + 1, r_[k]);
      if (d_.death[k]) {
        add(row + 2 * p + 2, r_[k]);
        row[3 * p + 3] += d_.w[k];
        row[3 * p + 4] += d_.w[k] * (eta_[k] - shift_[s]);
      }
    }
    comm_.allreduce_sum(std::span<double>(sums_));
    mean_sum_.assign(p, 0.0);
    S1_.resize(p);
    c_.assign(G, 0.0);
    e_.assign(G, 0.0);
    S0_.assign(G, 0.0);
    Dw_.assign(G, 0.0);
    A_.clear();
    double ll = 0.0;
    for (std::size_t s = 0; s < S; ++s) {
      double S0 = 0.0;
      std::fill(S1_.begin(), S1_.end(), 0.0);
      for (std::size_t g = d_.stratum_group[s]; g < d_.stratum_group[s + 1]; ++g) {
        const double* row = sums_.data() + g * W;
        S0 += row[0];
        for (std::size_t j = 0; j < p; ++j) S1_[j] += row[1 + j];
        S0 -= row[p + 1];
        for (std::size_t j = 0; j < p; ++j) S1_[j] -= row[p + 2 + j];
        S0_[g] = S0;
        if (d_.group_deaths[g] == 0) continue;
        const double T0 = row[2 * p + 2], Dw = row[3 * p + 3];
        const double* T1 = row + 2 * p + 3;
        Dw_[g] = Dw;
        ll += row[3 * p + 4];
        // The K terms (K = d for Efron, 1 for Breslow) have risk-set means
        // a_k = (S1 - f_k T1) / den_k, f_k = k / K, den_k = S0 - f_k T0. Their sums are
        // linear in S1 and T1: sum_k omega a_k = omega (b0 S1 - b1 T1), and
        // sum_k omega a_k a_k' = [S1 T1] M [S1 T1]' with M = omega [[a0, -a1], [-a1, a2]],
        // b_m = sum f^m / den, a_m = sum f^m / den^2: two rows of A per time, whatever d is.
        const std::size_t K = efron_ ? d_.group_deaths[g] : 1;
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
        for (std::size_t j = 0; j < p; ++j) mean_sum_[j] += omega * (b0 * S1_[j] - b1 * T1[j]);
        c_[g] = omega * b0;
        e_[g] = omega * b1;
        {
          // M = L L' (2 x 2 Cholesky; M is positive semi-definite by Cauchy-Schwarz), and
          // the rows L' [S1 T1]' go into A.
          const double l11 = std::sqrt(omega * a0);
          const double l21 = l11 > 0 ? -omega * a1 / l11 : 0.0;
          const double l22 = std::sqrt(std::max(0.0, omega * a2 - l21 * l21));
          for (std::size_t j = 0; j < p; ++j) A_.push_back(l11 * S1_[j] + l21 * T1[j]);
          if (l22 > 0) {
            for (std::size_t j = 0; j < p; ++j) A_.push_back(l22 * T1[j]);
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
    for (std::size_t s = 0; s + 1 < d_.stratum_group.size(); ++s) {
      double acc = 0.0;
      for (std::size_t g = d_.stratum_group[s + 1]; g-- > d_.stratum_group[s];) {  // increasing time
        if (!(Dw_[g] > 0)) continue;
        acc += Dw_[g] / S0_[g];
        times.push_back(d_.group_time[g]);
        cumhaz.push_back(acc);
      }
      offsets.push_back(times.size());
    }
  }

 private:
  const cox_data& d_;
  bool efron_;
  double alpha_;
  C& comm_;
  std::vector<double> eta_, r_, shift_, S1_, mean_sum_, c_, e_, S0_, Dw_, A_, Z_, sums_, last_b_;
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
    local_communicator one;
    return fit(one, X_in, durations, events, options);
  }

  /// The fit on the rows held across the ranks of `comm`, each rank its own (possibly none):
  /// every rank runs the same Newton steps on the partial likelihood of all rows. The
  /// groups (each stratum's distinct times over all ranks) are gathered once; each
  /// evaluation sums every group's risk-set and death terms over the ranks (one reduction
  /// of 3 p + 5 values per group), and the Hessian's row term is reduced as a p x p matrix.
  /// Weights, entry times and strata must be given on every rank that holds rows or on
  /// none (a distributed_error on every rank otherwise).
  template <communicator C, class E, class D, class Ev>
  cox_ph& fit(C& comm, const E& X_in, const D& durations, const Ev& events, const survival_fit_options& options = {}) {
    constexpr bool one_process = std::is_same_v<C, local_communicator>;
    const std::string what = "cox_ph.fit";
    matrix<T> X_value;
    const matrix<T>* X_ptr = nullptr;
    detail::survival_target target;
    distributed::run_agreed(comm, what, [&] {
      decltype(auto) Xe = evaluate<T, 2>(X_in, what + ": X");
      if constexpr (one_process) check_nonempty(Xe, what + ": X");
      check_finite(Xe, what + ": X");
      if constexpr (std::is_lvalue_reference_v<decltype(Xe)>) {
        X_ptr = &Xe;
      } else {
        X_value = std::move(Xe);
        X_ptr = &X_value;
      }
      target = detail::check_survival_target(durations, events, options, what, one_process);
      const std::size_t n = X_ptr->shape()[0];
      if (target.time.size() != n) {
        throw shape_error(what + ": X has " + std::to_string(n) + " rows, durations " + std::to_string(target.time.size()));
      }
      if (!options.strata.empty() && options.strata.size() != n) {
        throw shape_error(what + ": strata has " + std::to_string(options.strata.size()) + " entries, X has " +
                          std::to_string(n) + " rows");
      }
    });
    const matrix<T>& X = *X_ptr;
    const std::size_t n = X.shape()[0], p = X.shape()[1];
    std::size_t n_all = n, n_events = target.n_events;
    bool stratified = !options.strata.empty();
    if constexpr (!one_process) {
      distributed::same_everywhere(comm, what + ": the parameters and the column count",
                                   distributed::fingerprint(params_.ties, params_.alpha, params_.tol, params_.max_iter, p)
                                       .value());
      // Ranks with rows, and those of them with weights, entry times and strata: all or none.
      const bool rows = n > 0;
      std::int64_t given[6] = {rows, rows && target.weighted, rows && !target.entry.empty(),
                               rows && !options.strata.empty(), static_cast<std::int64_t>(n),
                               static_cast<std::int64_t>(target.n_events)};
      comm.allreduce_sum(std::span<std::int64_t>(given, 6));
      static constexpr const char* names[] = {"", "weights", "entry times", "strata"};
      for (int k = 1; k <= 3; ++k) {
        if (given[k] != 0 && given[k] != given[0]) {
          throw distributed_error(what + ": " + names[k] + " given on " + std::to_string(given[k]) + " of the " +
                                  std::to_string(given[0]) + " ranks with rows; expected on all of them or on none");
        }
      }
      stratified = given[3] > 0;
      n_all = static_cast<std::size_t>(given[4]);
      n_events = static_cast<std::size_t>(given[5]);
      double total = target.total_weight;
      comm.allreduce_sum(std::span<double>(&total, 1));
      detail::check_survival_totals(total, n_events, n_all, what);
    }
    if (n_events < 2) {
      throw invalid_argument(what + ": needs at least 2 events to estimate coefficients, got " + std::to_string(n_events));
    }
    const detail::cox_data data = detail::make_cox_data(comm, X, target, options.strata);
    detail::cox_objective<C> f(data, params_.ties, params_.alpha, comm);
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
    comm.allreduce_sum(std::span<double>(sd));
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
    s.stratified = stratified;
    s.n_observations = n_all;
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
