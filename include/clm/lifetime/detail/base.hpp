#pragma once
// What the lifetime models share: params, the maximum-likelihood fit over log-parameters
// with clm::lbfgs, standard errors from a numerical Hessian, the summary checks, saving.
//
// Every sum over rows (the log-likelihood, its gradient, the weighted means of the start, the
// customer count) is an exact_sum (clm/core/exact_sum.hpp): the exact sum rounded once, so it
// does not depend on the order of the rows.
//
// fit(comm, summary) fits the customers held across the ranks of a communicator
// (clm/distributed/communicator.hpp). Each rank's distinct histories are sent to the rank
// given by a hash of the history (of x alone for a model that groups rows by x), so identical
// histories from different ranks merge into one row and the rows are the one-process fit's
// rows, split across the ranks; every evaluation gathers the ranks' exact partial sums and
// rounds their total once. The warm start's subset is chosen by the same hash
// (partition-independent) and gathered to every rank. So every evaluation returns the bits of
// the one-process evaluation, and every rank ends with the one-process model exactly.
//
// A model `Derived` supplies
//   (the number of parameters K is lifetime_base's third argument)
//   static constexpr const char* name;
//   static constexpr std::array<const char*, K> parameter_names;
//   static fit_rows rows(const customer_summary&, const lifetime_params&, bool need_rows)
//       the data it fits (need_rows: an empty result is an error; false for one rank's share)
//   static std::array<double, K> start(const fit_rows&)                  a starting point,
//       from weighted_mean()s of the columns only (a fit across ranks passes one row holding
//       the weighted sums of all ranks)
//   static double row_log_likelihood(const std::array<double, K>& p, const fit_rows& d,
//                                    std::size_t i, std::array<double, K>* gradient)
//       the log-likelihood of row i and, when `gradient` is given and Derived::analytic_gradient,
//       its derivatives in the natural parameters; or, to share work between rows,
//   static void sum_log_likelihood(const std::array<double, K>& p, const fit_rows& d,
//                                  std::array<exact_sum, K + 1>& sums, bool gradient)
//       adds each row's (or group of rows') weighted terms: the log-likelihood to sums[0], the
//       gradient's components to sums[1..K]. A model whose terms are per group of equal x
//       declares static constexpr bool groups_by_x = true (its rows are sorted by x), so that
//       a fit across ranks keeps each group on one rank.
//   static void check_parameters(const std::array<double, K>&)  throws for unusable fits

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/exact_sum.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/transactions.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/optim/lbfgs.hpp"

namespace clm {

/// Fitting options every lifetime model takes (lifetimes' names where it has them).
struct lifetime_params {
  double penalizer = 0.0;          ///< L2 on the parameters: penalizer * sum(param^2) added
                                   ///< to the mean negative log-likelihood, as lifetimes
  std::size_t max_iterations = 1000;
  double gtol = 1e-9;              ///< L-BFGS: max |gradient| of the mean objective in log-parameters
  bool exclude_nonpositive = false;  ///< Gamma-Gamma: leave out repeat customers whose mean
                                     ///< spend is <= 0 instead of refusing them

  void validate() const {
    require_param(penalizer >= 0.0 && std::isfinite(penalizer), "lifetime model", "penalizer", penalizer,
                  "finite and >= 0");
    require_param(max_iterations >= 1, "lifetime model", "max_iterations", max_iterations, ">= 1");
    require_param(gtol > 0.0 && std::isfinite(gtol), "lifetime model", "gtol", gtol, "finite and > 0");
  }
  friend bool operator==(const lifetime_params&, const lifetime_params&) = default;
};

namespace detail {

/// The rows a model fits: per row x, recency (or mean spend for Gamma-Gamma), T, weight.
struct fit_rows {
  std::vector<double> x, recency, T, weight;
  double total_weight = 0.0;
  double excluded_weight = 0.0;  ///< customers left out by the model's rules (e.g. spend <= 0)
  std::size_t size() const noexcept { return x.size(); }
};

inline const char* unit_name(time_unit u) { return u == time_unit::week ? "weeks" : "days"; }

/// " at row i", with the customer's id when the summary has ids: how errors name a row.
inline std::string row_name(const customer_summary& s, std::size_t i) {
  std::string w = " at row " + std::to_string(i);
  if (s.ids.size() == s.size() && i < s.ids.size()) w += " (customer '" + s.ids[i] + "')";
  return w;
}

/// Checks one customer's history: finite, 0 <= recency <= T, integer frequency >= 0,
/// recency 0 where frequency is 0. `where()` ends each message (called only on an error).
template <class Where>
void check_customer(double x, double t, double T, const char* owner, const Where& where) {
  if (!(std::isfinite(x) && std::isfinite(t) && std::isfinite(T))) {
    throw numeric_error(std::string(owner) + ": expected finite frequency, recency and T, got " + to_text(x) + ", " +
                        to_text(t) + ", " + to_text(T) + where());
  }
  if (x < 0.0 || std::floor(x) != x) {
    throw invalid_argument(std::string(owner) + ": expected a whole frequency >= 0, got " + to_text(x) + where());
  }
  if (t < 0.0 || t > T) {
    throw invalid_argument(std::string(owner) + ": expected 0 <= recency <= T, got recency " + to_text(t) + " and T " +
                           to_text(T) + where());
  }
  if (x == 0.0 && t != 0.0) {
    throw invalid_argument(std::string(owner) + ": expected recency 0 for a customer without repeat purchases, got " +
                           to_text(t) + where());
  }
}

/// Checks a summary's columns: equal lengths, every row a valid history (check_customer),
/// weights > 0 (need_rows: at least one row).
inline void check_summary(const customer_summary& s, const char* owner, bool need_rows = true) {
  const std::size_t n = s.size();
  if (need_rows && n == 0) throw shape_error(std::string(owner) + ": expected a summary with customers, got none");
  if (s.recency.size() != n || s.T.size() != n) {
    throw shape_error(std::string(owner) + ": frequency, recency and T have " + std::to_string(n) + ", " +
                      std::to_string(s.recency.size()) + " and " + std::to_string(s.T.size()) +
                      " elements; expected the same number");
  }
  const bool weighted = s.weight.size() == n;
  for (std::size_t i = 0; i < n; ++i) {
    check_customer(s.frequency(i), s.recency(i), s.T(i), owner, [&] { return row_name(s, i); });
    if (weighted && !(s.weight(i) > 0.0 && std::isfinite(s.weight(i)))) {
      throw invalid_argument(std::string(owner) + ": expected weights > 0, got " + to_text(s.weight(i)) + row_name(s, i));
    }
  }
}

/// The exact sum of some values, rounded once.
inline double exact_total(const std::vector<double>& v) {
  exact_sum s;
  for (const double x : v) s.add(x);
  return s.value();
}

/// Exact sums of every rank: each rank's sums (and its problem, empty for none) are gathered
/// and every rank adds all of them in one exact_sum each, so the totals are the one-process
/// totals whatever the partition. Any rank's problem is every rank's distributed_error.
template <communicator C>
void merge_sums(C& comm, std::span<exact_sum> sums, const std::string& what, const std::string& problem) {
  std::vector<double> mine{problem.empty() ? 0.0 : 1.0};
  if (problem.empty()) {
    for (const auto& s : sums) s.write(mine);
  }
  const auto all = distributed::allgather_doubles(comm, mine);
  bool failed = false;
  for (const auto& part : all) failed = failed || part.empty() || part[0] != 0.0;
  if (failed) {
    distributed::agree(comm, what, problem);
    throw distributed_error(what + ": a rank sent no sums");
  }
  for (auto& s : sums) s = exact_sum{};
  for (const auto& part : all) {
    std::size_t at = 1;
    for (auto& s : sums) {
      if (!s.add_written(part, at)) throw distributed_error(what + ": a rank's sums are malformed");
    }
  }
}

/// A summary's distinct (frequency, recency, T) rows with their counts as weights.
inline fit_rows purchase_rows(const customer_summary& s, const char* owner, bool need_rows = true) {
  check_summary(s, owner, need_rows);
  const customer_summary c = s.compressed();
  fit_rows d;
  d.x.assign(c.frequency.begin(), c.frequency.end());
  d.recency.assign(c.recency.begin(), c.recency.end());
  d.T.assign(c.T.begin(), c.T.end());
  d.weight.assign(c.weight.begin(), c.weight.end());
  d.total_weight = exact_total(d.weight);
  return d;
}

/// Mean of a row column weighted by the rows' weights.
inline double weighted_mean(const std::vector<double>& v, const fit_rows& d) {
  exact_sum s;
  for (std::size_t i = 0; i < v.size(); ++i) s.add(d.weight[i] * v[i]);
  return s.value() / d.total_weight;
}

/// A hash of a history's (x, recency, T) bits (of x alone when `x_only`): where a fit across
/// ranks sends the row, and whether the row joins the warm start's subset. The same on every
/// machine and in every run.
inline std::uint64_t row_hash(const fit_rows& d, std::size_t i, bool x_only = false) noexcept {
  const auto mix = [](std::uint64_t z) {  // splitmix64's finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  const double key[3] = {d.x[i] + 0.0, d.recency[i] + 0.0, d.T[i] + 0.0};
  for (std::size_t k = 0; k < (x_only ? 1 : 3); ++k) {
    std::uint64_t b;
    std::memcpy(&b, &key[k], sizeof b);
    h = mix(h ^ b);
  }
  return h;
}

/// Whether row i of d orders before row j of e: by x, recency, T.
inline bool row_before(const fit_rows& d, std::size_t i, const fit_rows& e, std::size_t j) noexcept {
  if (d.x[i] != e.x[j]) return d.x[i] < e.x[j];
  if (d.recency[i] != e.recency[j]) return d.recency[i] < e.recency[j];
  return d.T[i] < e.T[j];
}

/// Rows packed as (x, recency, T, weight) quadruples, and back.
inline void pack_row(std::vector<double>& out, const fit_rows& d, std::size_t i) {
  out.insert(out.end(), {d.x[i], d.recency[i], d.T[i], d.weight[i]});
}

/// The rows of packed quadruples sorted by (x, recency, T), identical histories merged (their
/// weights added in the order given), total_weight their exact sum.
inline fit_rows sorted_rows(const std::vector<double>& packed) {
  fit_rows all;
  for (std::size_t at = 0; at + 4 <= packed.size(); at += 4) {
    all.x.push_back(packed[at]);
    all.recency.push_back(packed[at + 1]);
    all.T.push_back(packed[at + 2]);
    all.weight.push_back(packed[at + 3]);
  }
  std::vector<std::size_t> order(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return row_before(all, a, all, b); });
  fit_rows d;
  for (const std::size_t i : order) {
    if (!d.x.empty() && d.x.back() == all.x[i] && d.recency.back() == all.recency[i] && d.T.back() == all.T[i]) {
      d.weight.back() += all.weight[i];
    } else {
      d.x.push_back(all.x[i]);
      d.recency.push_back(all.recency[i]);
      d.T.push_back(all.T[i]);
      d.weight.push_back(all.weight[i]);
    }
  }
  d.total_weight = exact_total(all.weight);
  return d;
}

/// Each rank's rows sent to the rank row_hash picks and merged there (sorted_rows), so every
/// distinct history (every group of equal x when `by_x`) is on one rank. total_weight and
/// excluded_weight become the totals over all ranks; the function returns the number of
/// distinct rows on all ranks.
template <communicator C>
std::size_t spread_rows(C& comm, fit_rows& d, bool by_x, const std::string& what) {
  const auto ranks = static_cast<std::size_t>(comm.size());
  std::vector<std::vector<double>> out(ranks);
  for (std::size_t i = 0; i < d.size(); ++i) pack_row(out[row_hash(d, i, by_x) % ranks], d, i);
  std::vector<char> bytes;
  std::vector<std::size_t> counts(ranks);
  for (std::size_t r = 0; r < ranks; ++r) {
    counts[r] = out[r].size() * sizeof(double);
    bytes.insert(bytes.end(), reinterpret_cast<const char*>(out[r].data()),
                 reinterpret_cast<const char*>(out[r].data()) + counts[r]);
  }
  const std::vector<char> got = comm.alltoallv(std::span<const char>(bytes), counts);
  std::vector<double> packed(got.size() / sizeof(double));
  if (!packed.empty()) std::memcpy(packed.data(), got.data(), packed.size() * sizeof(double));
  std::array<exact_sum, 3> totals{};
  totals[1].add(d.excluded_weight);
  d = sorted_rows(packed);
  for (const double w : d.weight) totals[0].add(w);
  totals[2].add(static_cast<double>(d.size()));
  merge_sums(comm, std::span<exact_sum>(totals), what, "");
  d.total_weight = totals[0].value();
  d.excluded_weight = totals[1].value();
  return static_cast<std::size_t>(totals[2].value());
}

/// Neumaier's compensated summation, for sums inside one group of rows.
class compensated_sum {
 public:
  void add(double v) noexcept {
    const double t = sum_ + v;
    comp_ += std::abs(sum_) >= std::abs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
  }
  double value() const noexcept { return sum_ + comp_; }

 private:
  double sum_ = 0.0, comp_ = 0.0;
};

/// Solves the small symmetric system H X = I (Gauss-Jordan with partial pivoting);
/// false when H is singular.
template <std::size_t K>
bool invert(std::array<std::array<double, K>, K> H, std::array<std::array<double, K>, K>& inv) {
  for (std::size_t i = 0; i < K; ++i) {
    for (std::size_t j = 0; j < K; ++j) inv[i][j] = i == j ? 1.0 : 0.0;
  }
  for (std::size_t c = 0; c < K; ++c) {
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < K; ++r) {
      if (std::abs(H[r][c]) > std::abs(H[piv][c])) piv = r;
    }
    if (!(std::abs(H[piv][c]) > 0.0)) return false;
    std::swap(H[c], H[piv]);
    std::swap(inv[c], inv[piv]);
    const double d = H[c][c];
    for (std::size_t j = 0; j < K; ++j) {
      H[c][j] /= d;
      inv[c][j] /= d;
    }
    for (std::size_t r = 0; r < K; ++r) {
      if (r == c) continue;
      const double f = H[r][c];
      for (std::size_t j = 0; j < K; ++j) {
        H[r][j] -= f * H[c][j];
        inv[r][j] -= f * inv[c][j];
      }
    }
  }
  return true;
}

template <class Derived, class T, std::size_t NP>
class lifetime_base {
 public:
  using value_type = T;
  using params_type = lifetime_params;
  using summary_type = customer_summary;
  static constexpr std::size_t K = NP;
  using array_type = std::array<double, K>;
  /// 2: the fit report's stop reason and the excluded-customer count are stored.
  static constexpr std::uint32_t serial_version = 2;

  static std::string model_kind() { return model_kind_name<T>(Derived::name); }

  lifetime_base() = default;
  explicit lifetime_base(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  /// Maximum likelihood on the summary (identical histories merged first).
  Derived& fit(const customer_summary& s) {
    local_communicator one;
    return fit(one, s);
  }

  /// The fit of the customers held across the ranks of `comm`, each rank its own (possibly
  /// none): every rank gets the one-process model of all customers to rounding (see the top
  /// of this file). Any rank's bad summary is every rank's distributed_error; parameters or
  /// time units that differ across ranks are a distributed_error; no customers on any rank
  /// is a shape_error.
  template <communicator C>
  Derived& fit(C& comm, const customer_summary& s) {
    state_.reset();
    constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
    const std::string what = std::string(Derived::name) + ".fit";
    fit_rows d;
    distributed::run_agreed(comm, what, [&] { d = Derived::rows(s, params_, one_process); });
    std::size_t distinct = d.size();
    array_type start;
    if constexpr (one_process) {
      if (d.size() == 0) throw shape_error(what + ": no rows to fit");
      start = Derived::start(d);
    } else {
      distributed::same_everywhere(comm, what + ": the parameters and the time unit",
                                   distributed::fingerprint(params_.penalizer, params_.max_iterations, params_.gtol,
                                                            params_.exclude_nonpositive, s.unit)
                                       .value());
      distinct = spread_rows(comm, d, rows_grouped_by_x, what);
      if (distinct == 0) throw shape_error(what + ": no rows to fit on any rank");
      // start() sees one row holding the weighted sums of all ranks.
      std::array<exact_sum, 3> sums{};
      for (std::size_t i = 0; i < d.size(); ++i) {
        sums[0].add(d.weight[i] * d.x[i]);
        sums[1].add(d.weight[i] * d.recency[i]);
        sums[2].add(d.weight[i] * d.T[i]);
      }
      merge_sums(comm, std::span<exact_sum>(sums), what, "");
      fit_rows moments;
      moments.x = {sums[0].value()};
      moments.recency = {sums[1].value()};
      moments.T = {sums[2].value()};
      moments.weight = {1.0};
      moments.total_weight = d.total_weight;
      start = Derived::start(moments);
    }
    vector<double> w = vector<double>::from_shape({K});
    for (std::size_t k = 0; k < K; ++k) w(k) = std::log(start[k]);
    lbfgs_params lp;
    lp.max_iterations = params_.max_iterations;
    lp.gtol = params_.gtol;
    lp.ftol = 0.0;  // the sums are exact before one rounding: run to gtol while the value falls
    lbfgs_memory<double> memory;  // the warm start's curvature pairs, for the fit's first steps
    if (distinct > 2 * warm_start_rows) warm_start(comm, d, distinct, w, lp, memory);
    objective<C> f{&comm, &d, params_.penalizer};
    state st;
    st.report = lbfgs(f, w, lp, &memory);
    for (std::size_t k = 0; k < K; ++k) {
      st.parameters[k] = std::exp(w(k));
      if (!(std::isfinite(st.parameters[k]) && st.parameters[k] > 0.0)) {
        throw numeric_error(what + ": parameter " + Derived::parameter_names[k] + " is " + to_text(st.parameters[k]) +
                            " at the end of the fit; expected a finite positive value (try a penalizer)");
      }
    }
    Derived::check_parameters(st.parameters);
    st.log_likelihood = total_log_likelihood(comm, st.parameters, d);
    if (!std::isfinite(st.log_likelihood)) {
      throw numeric_error(what + ": the log-likelihood at the fitted parameters is not finite");
    }
    st.standard_errors = standard_errors_at(comm, st.parameters, d);
    st.unit = s.unit;
    st.n_customers = d.total_weight;
    st.n_excluded = d.excluded_weight;
    state_ = st;
    return static_cast<Derived&>(*this);
  }

  /// Sets the parameters directly (a model known from elsewhere, or a simulation's truth);
  /// the result predicts but has no fit report, log-likelihood or standard errors.
  Derived& set_parameters(const array_type& p, time_unit unit = time_unit::week) {
    for (std::size_t k = 0; k < K; ++k) {
      require_param(std::isfinite(p[k]) && p[k] > 0.0, Derived::name, Derived::parameter_names[k], p[k],
                    "finite and > 0");
    }
    Derived::check_parameters(p);
    state st;
    st.parameters = p;
    st.standard_errors.fill(std::numeric_limits<double>::quiet_NaN());
    st.log_likelihood = std::numeric_limits<double>::quiet_NaN();
    st.report.stopped_because = "parameters set directly";
    st.unit = unit;
    state_ = st;
    return static_cast<Derived&>(*this);
  }

  const optimize_report& report() const { return get().report; }

  /// Purchase models: E[Y(t) | x, t_x, T] for one (hypothetical) customer, in the fitted
  /// time unit, as lifetimes' predict(t, x, t_x, T).
  template <class D = Derived>
    requires D::purchase_model
  T conditional_expected_purchases(double t, double x, double t_x, double age) const {
    require_param(t >= 0.0 && std::isfinite(t), Derived::name, "t", t, "finite and >= 0");
    check_prediction_customer(x, t_x, age, "conditional_expected_purchases");
    return static_cast<T>(static_cast<const D&>(*this).conditional_one(t, x, t_x, age));
  }
  /// Purchase models: P(alive | x, t_x, T) for one customer.
  template <class D = Derived>
    requires D::purchase_model
  T probability_alive(double x, double t_x, double age) const {
    check_prediction_customer(x, t_x, age, "probability_alive");
    return static_cast<T>(static_cast<const D&>(*this).alive_one(x, t_x, age));
  }

  /// Purchase models: P(no purchase in (T, T + t] | x, t_x, T) per customer of a summary,
  /// the model's probability of "churned over the next t" (no purchase in a holdout of
  /// length t): dead by T, or alive with no purchase in the next t, under the posterior of the
  /// customer's rates given the history.
  template <class D = Derived>
    requires D::purchase_model
  vector<T> conditional_probability_no_purchases(double t, const customer_summary& s) const {
    require_param(t >= 0.0 && std::isfinite(t), Derived::name, "t", t, "finite and >= 0");
    check_prediction_summary(s, "conditional_probability_no_purchases");
    vector<T> out = vector<T>::from_shape({s.size()});
    const D& self = static_cast<const D&>(*this);
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double alive = self.alive_one(s.frequency(i), s.recency(i), s.T(i));
      out(i) = static_cast<T>(1.0 - alive * (1.0 - self.quiet_if_alive(t, s.frequency(i), s.T(i))));
    }
    return out;
  }

  /// Customers the fit used (summing the summary's weights; 0 for parameters set directly).
  double n_customers() const { return get().n_customers; }
  /// Customers the fit left out by the model's own rules: gamma_gamma's non-positive mean
  /// spends under exclude_nonpositive (one-time buyers, which it never uses, not counted).
  double n_excluded() const { return get().n_excluded; }
  /// Total log-likelihood of the fitted data (sum over customers, the data's time unit).
  double log_likelihood() const { return get().log_likelihood; }
  /// The time unit of the data the model was fitted on; predictions take the same unit.
  time_unit unit() const { return get().unit; }
  /// Total log-likelihood of another summary under the fitted parameters.
  double log_likelihood(const customer_summary& s) const {
    local_communicator one;
    return total_log_likelihood(one, get().parameters, Derived::rows(s, params_, true));
  }
  /// Its gradient in the natural parameters (parameter_names' order), for the models with
  /// an exact gradient: zero at an unpenalised maximum-likelihood fit, for a score test.
  template <class D = Derived>
    requires D::analytic_gradient
  array_type log_likelihood_gradient(const customer_summary& s) const {
    array_type g{};
    local_communicator one;
    total_with_gradient(one, get().parameters, Derived::rows(s, params_, true), g);
    return g;
  }

  template <class A>
  void serialize(A& ar) {
    ar(params_.penalizer, params_.max_iterations, params_.gtol, params_.exclude_nonpositive, state_);
    if constexpr (A::loading) params_.validate();
  }

 protected:
  struct state {
    array_type parameters{};
    array_type standard_errors{};
    double log_likelihood = 0.0;
    double n_customers = 0.0;
    double n_excluded = 0.0;
    optimize_report report;
    time_unit unit = time_unit::week;

    template <class A>
    void serialize(A& ar) {
      ar(parameters, standard_errors, log_likelihood, n_customers);
      if (ar.version() >= 2) ar(n_excluded);
      report.serialize(ar, ar.version() >= 2);
      ar(unit);
      ar.check(n_customers >= 0.0 && n_excluded >= 0.0, "lifetime model: a negative customer count");
      for (std::size_t k = 0; k < K; ++k) {
        ar.check(std::isfinite(parameters[k]) && parameters[k] > 0.0, "lifetime model: a parameter is not finite and positive");
      }
      ar.check(unit == time_unit::week || unit == time_unit::day, "lifetime model: unknown time unit");
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), Derived::name);
    return *state_;
  }
  const array_type& fitted_parameters() const { return get().parameters; }
  const array_type& fitted_standard_errors() const { return get().standard_errors; }

  /// Checks one hypothetical customer's (x, t_x, T) given to a scalar prediction.
  void check_prediction_customer(double x, double tx, double age, const char* what) const {
    (void)get();  // not_fitted first
    const std::string owner = std::string(Derived::name) + "." + what;
    check_customer(x, tx, age, owner.c_str(), [] { return std::string(); });
  }

  /// Checks a summary given to a prediction: its columns, and the fitted time unit.
  void check_prediction_summary(const customer_summary& s, const char* what) const {
    const std::string owner = std::string(Derived::name) + "." + what;
    const time_unit fitted_unit = get().unit;  // not_fitted before any complaint about s
    check_summary(s, owner.c_str(), false);
    if (s.unit != fitted_unit) {
      throw invalid_argument(owner + ": the summary is in " + unit_name(s.unit) + " but the model was fitted in " +
                             unit_name(fitted_unit));
    }
  }

 private:
  /// Rows of the warm start (see warm_start).
  static constexpr std::size_t warm_start_rows = 20'000;

  /// On many distinct rows, the first, far steps of the optimisation run on a subset of
  /// about warm_start_rows of them (those whose row_hash falls in the lowest warm_start_rows /
  /// distinct of its range, sorted by (x, recency, T); every row's weight kept; the objective
  /// is a weighted mean), to a loose tolerance, and the fit on all rows starts from there and
  /// from the curvature pairs the subset's run ended with (a subset's mean objective curves
  /// as the whole's does): it reaches the same optimum (it converges to gtol on all rows) in
  /// a few evaluations. The subset depends only on the distinct histories, not on their order
  /// or on how they are split across ranks. Nothing changes when the subset cannot be fitted
  /// (the fit then starts from the model's own starting point).
  template <communicator C>
  void warm_start(C& comm, const fit_rows& d, std::size_t distinct, vector<double>& w, const lbfgs_params& lp,
                  lbfgs_memory<double>& memory) const {
    const double fraction = static_cast<double>(warm_start_rows) / static_cast<double>(distinct);
    std::vector<double> mine;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (static_cast<double>(row_hash(d, i) >> 11) * 0x1p-53 < fraction) pack_row(mine, d, i);
    }
    std::vector<double> packed;
    if constexpr (std::is_same_v<std::remove_cv_t<C>, local_communicator>) {
      packed = std::move(mine);
    } else {
      for (const auto& part : distributed::allgather_doubles(comm, mine)) packed.insert(packed.end(), part.begin(), part.end());
    }
    const fit_rows sub = sorted_rows(packed);
    if (sub.size() == 0) return;
    local_communicator one;  // every rank holds the whole subset
    objective<local_communicator> f{&one, &sub, params_.penalizer};
    lbfgs_params loose = lp;
    loose.gtol = std::max(lp.gtol, 1e-6);
    vector<double> u = w;
    try {
      lbfgs_memory<double> pairs;
      const optimize_report r = lbfgs(f, u, loose, &pairs);
      bool usable = r.evaluations > 0;
      for (std::size_t k = 0; k < K; ++k) usable = usable && std::isfinite(u(k));
      if (usable && std::isfinite(f.value(u))) {
        w = u;
        memory = std::move(pairs);
      }
    } catch (const numeric_error&) {
      // keep the model's own starting point
    }
  }

  using sums_type = std::array<exact_sum, K + 1>;  // the log-likelihood, then the gradient

  // A model may add its terms itself, sharing work between rows (see the top of this file);
  // else row by row.
  static constexpr bool sums_itself = requires(const array_type& p, const fit_rows& d, sums_type& s) {
    Derived::sum_log_likelihood(p, d, s, true);
  };
  static constexpr bool rows_grouped_by_x = requires { requires Derived::groups_by_x; };

  static void local_sums(const array_type& p, const fit_rows& d, sums_type& s, bool gradient) {
    if constexpr (sums_itself) {
      Derived::sum_log_likelihood(p, d, s, gradient);
    } else {
      array_type row{};
      for (std::size_t i = 0; i < d.size(); ++i) {
        row.fill(0.0);
        s[0].add(d.weight[i] * Derived::row_log_likelihood(p, d, i, gradient ? &row : nullptr));
        if (gradient) {
          for (std::size_t k = 0; k < K; ++k) s[k + 1].add(d.weight[i] * row[k]);
        }
      }
    }
  }

  /// The sums over the rows of every rank. An exception on one rank (a special function that
  /// fails for some row) is every rank's distributed_error: the failure travels with the
  /// sums, so the others never wait in a collective it skips.
  template <communicator C>
  static sums_type summed(C& comm, const array_type& p, const fit_rows& d, bool gradient) {
    sums_type s{};
    if constexpr (std::is_same_v<std::remove_cv_t<C>, local_communicator>) {
      (void)comm;
      local_sums(p, d, s, gradient);
    } else {
      std::string problem;
      try {
        local_sums(p, d, s, gradient);
      } catch (const std::exception& e) {
        problem = e.what();
        if (problem.empty()) problem = "an exception without a message";
      }
      merge_sums(comm, std::span<exact_sum>(s.data(), gradient ? K + 1 : 1), std::string(Derived::name) + ".fit", problem);
    }
    return s;
  }

  template <communicator C>
  static double total_log_likelihood(C& comm, const array_type& p, const fit_rows& d) {
    return summed(comm, p, d, false)[0].value();
  }

  /// The total log-likelihood and (into grad) its gradient in the natural parameters.
  template <communicator C>
  static double total_with_gradient(C& comm, const array_type& p, const fit_rows& d, array_type& grad) {
    const sums_type s = summed(comm, p, d, true);
    for (std::size_t k = 0; k < K; ++k) grad[k] = s[k + 1].value();
    return s[0].value();
  }

  /// Mean negative log-likelihood plus the penalty, in log-parameters (d->total_weight: the
  /// customers of all ranks). (C is a communicator; the struct is unconstrained because clang
  /// 14 crashes checking a constrained member template's arguments inside the class.)
  template <class C>
  struct objective {
    C* comm;
    const fit_rows* d;
    double penalizer;

    /// Parameters from log-parameters; false when one is 0 or infinite (a trial point the
    /// line search must step back from).
    static bool unpack(const vector<double>& w, array_type& p) {
      for (std::size_t k = 0; k < K; ++k) {
        p[k] = std::exp(w(k));
        if (!(p[k] > 0.0 && std::isfinite(p[k]))) return false;
      }
      return true;
    }

    double value(const vector<double>& w) const {
      array_type p;
      if (!unpack(w, p)) return std::numeric_limits<double>::infinity();
      double pen = 0.0;
      for (std::size_t k = 0; k < K; ++k) pen += p[k] * p[k];
      return -total_log_likelihood(*comm, p, *d) / d->total_weight + penalizer * pen;
    }

    double evaluate_with_gradient(const vector<double>& w, vector<double>& g) const {
      if constexpr (Derived::analytic_gradient) {
        array_type p;
        if (!unpack(w, p)) return std::numeric_limits<double>::infinity();
        array_type grad{};
        const double ll = total_with_gradient(*comm, p, *d, grad);
        double pen = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
          pen += p[k] * p[k];
          // d/dlog p = p d/dp
          g(k) = -grad[k] * p[k] / d->total_weight + 2.0 * penalizer * p[k] * p[k];
        }
        return -ll / d->total_weight + penalizer * pen;
      } else {
        // Fourth-order central differences in log-parameters (error ~h^4, so the gradient is
        // accurate to ~1e-12 and gtol can be small).
        vector<double> u = w;
        const double h = 1e-3;
        for (std::size_t k = 0; k < K; ++k) {
          const auto at = [&](double step) {
            u(k) = w(k) + step;
            const double v = value(u);
            u(k) = w(k);
            return v;
          };
          g(k) = (at(-2 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2 * h)) / (12.0 * h);
        }
        return value(w);
      }
    }
  };

  /// sqrt(diag(H^-1)), H the Hessian of the total negative log-likelihood in the natural
  /// parameters: by central differences of the exact gradient where the model has one (2K
  /// gradients, symmetrised), else by central second differences of the value; NaN where H
  /// is singular or not positive definite.
  template <communicator C>
  static array_type standard_errors_at(C& comm, const array_type& p, const fit_rows& d) {
    array_type h;
    for (std::size_t k = 0; k < K; ++k) h[k] = 1e-4 * p[k];
    std::array<std::array<double, K>, K> H{}, inv{};
    if constexpr (Derived::analytic_gradient) {
      for (std::size_t k = 0; k < K; ++k) {
        array_type up = p, down = p, g_up{}, g_down{};
        up[k] += h[k];
        down[k] -= h[k];
        total_with_gradient(comm, up, d, g_up);
        total_with_gradient(comm, down, d, g_down);
        for (std::size_t j = 0; j < K; ++j) H[j][k] = -(g_up[j] - g_down[j]) / (2.0 * h[k]);
      }
      for (std::size_t j = 0; j < K; ++j) {
        for (std::size_t k = j + 1; k < K; ++k) H[j][k] = H[k][j] = (H[j][k] + H[k][j]) / 2.0;
      }
    } else {
      const auto nll = [&](const array_type& q) { return -total_log_likelihood(comm, q, d); };
      for (std::size_t j = 0; j < K; ++j) {
        for (std::size_t k = j; k < K; ++k) {
          const auto at = [&](double sj, double sk) {
            array_type q = p;
            q[j] += sj * h[j];
            q[k] += sk * h[k];
            return nll(q);
          };
          H[j][k] = H[k][j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4.0 * h[j] * h[k]);
        }
      }
    }
    array_type se;
    se.fill(std::numeric_limits<double>::quiet_NaN());
    if (!invert<K>(H, inv)) return se;
    for (std::size_t k = 0; k < K; ++k) {
      if (inv[k][k] > 0.0) se[k] = std::sqrt(inv[k][k]);
    }
    return se;
  }

  params_type params_{};
  std::optional<state> state_;
};

}  // namespace detail
}  // namespace clm
