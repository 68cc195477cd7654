#pragma once
// clm::kaplan_meier — the Kaplan-Meier (product-limit) estimate of a survival function
// from right-censored durations, with ties, case weights and entry (left-truncation) times.
//
//   fit(durations, events)            or fit(durations, events, {.weights, .entry})
//   fit(comm, durations, events, ...) the rows spread over the ranks of a communicator
//                                     (clm/distributed/communicator.hpp): the curve of all
//                                     rows on every rank
//   times()                           the distinct event times t_1 < ... < t_m
//   at_risk(), events()               n_j (weight in the risk set just before t_j: entry <
//                                     t_j <= duration) and d_j (event weight at t_j)
//   survival_function()               S(t_j) = prod_{i <= j} (1 - d_i / n_i)
//   standard_error()                  Greenwood: S(t_j) sqrt(sum_{i <= j} d_i / (n_i (n_i - d_i)))
//   confidence_lower/upper()          pointwise band at level 1 - alpha (params)
//   predict(t)                        S at any times (right-continuous step; 1 before t_1)
//   median_survival(), quantile(p)    the first t_j with S(t_j) < 1 - p (strict, as SAS and
//                                     statsmodels' SurvfuncRight.quantile); +infinity when the
//                                     curve never falls that low within follow-up
//
// Matches statsmodels 0.13's SurvfuncRight (surv_times, n_risk, n_events, surv_prob,
// surv_prob_se) for unweighted data, with and without entry times. Where they differ:
//  - Weighted standard errors: clm uses Greenwood's formula with weighted counts, so an
//    integer weight k gives exactly the standard error of the data with the row repeated k
//    times; statsmodels switches to sqrt(sum d_i / n_i^2) (Tsiatis), which is the standard
//    error of the cumulative hazard, not of S.
//  - Once S reaches 0 (n_j = d_j) the Greenwood variance is undefined: the standard error is
//    NaN from there on, as in statsmodels and R, and the band is [0, 0].
//
// The band (params.ci):
//   log_log (default, lifelines and R's conf.type = "log-log"): on log(-log S) with the
//     delta-method standard error, never outside (0, 1);
//   log (R's default): S exp(+-z se / S), upper bound capped at 1;
//   plain: S +- z se, clipped to [0, 1].

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/special.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/distributed/statistics.hpp"
#include "clm/survival/survival_data.hpp"

namespace clm {

enum class survival_band : std::uint8_t { log_log, log, plain };

struct kaplan_meier_params {
  double alpha = 0.05;  ///< the band's level is 1 - alpha
  survival_band ci = survival_band::log_log;

  void validate() const {
    require_param(alpha > 0.0 && alpha < 1.0, "kaplan_meier", "alpha", alpha, "in (0, 1)");
    require_param(static_cast<int>(ci) <= 2, "kaplan_meier", "ci", static_cast<int>(ci), "log_log, log or plain");
  }
  friend bool operator==(const kaplan_meier_params&, const kaplan_meier_params&) = default;
};

namespace detail {

/// Distinct event times with risk-set and event weights, from a validated target.
struct event_table {
  std::vector<double> time, at_risk, events;
};

/// What the event table is counted from, and what ranks merge: the weight leaving the risk
/// set (exits) and the event weight at each distinct duration, ascending, and the entry
/// times with their weights, sorted (stable; empty without entry times).
struct risk_table {
  std::vector<double> time, exits, events;
  std::vector<double> entry, entry_weight;
};

inline risk_table risk_table_of(const survival_target& t) {
  const std::size_t n = t.time.size();
  risk_table r;
  const std::vector<std::size_t> by_time = radix_argsort(t.time.data(), n);
  for (std::size_t i = 0; i < n;) {
    const double time = t.time[by_time[i]];
    std::size_t j = i;
    double d = 0.0, c = 0.0;
    for (; j < n && t.time[by_time[j]] == time; ++j) {
      const std::size_t row = by_time[j];
      c += t.w(row);
      if (t.event[row]) d += t.w(row);
    }
    r.time.push_back(time);
    r.exits.push_back(c);
    r.events.push_back(d);
    i = j;
  }
  if (!t.entry.empty()) {
    for (const std::size_t row : radix_argsort(t.entry.data(), n)) {
      r.entry.push_back(t.entry[row]);
      r.entry_weight.push_back(t.w(row));
    }
  }
  return r;
}

/// The event table of a risk table: at each duration with events, the risk set is the
/// weight entered before it (all of total_weight without entry times) less the weight that
/// left before it.
inline event_table events_of(const risk_table& r, bool with_entry, double total_weight) {
  event_table out;
  double exited = 0.0, entered = with_entry ? 0.0 : total_weight;
  std::size_t ie = 0;
  for (std::size_t j = 0; j < r.time.size(); ++j) {
    if (r.events[j] > 0) {
      for (; ie < r.entry.size() && r.entry[ie] < r.time[j]; ++ie) entered += r.entry_weight[ie];
      out.time.push_back(r.time[j]);
      out.at_risk.push_back(entered - exited);
      out.events.push_back(r.events[j]);
    }
    exited += r.exits[j];
  }
  return out;
}

/// Every rank's risk table merged: equal durations' weights added in rank order, entries
/// in order of time and then of rank. Bytes: 24 per distinct duration and 16 per entry
/// time on each rank, gathered by every rank.
template <communicator C>
risk_table merged_risk_tables(C& comm, const risk_table& mine) {
  std::vector<char> bytes;
  distributed::detail::put(bytes, static_cast<std::uint64_t>(mine.time.size()));
  for (std::size_t j = 0; j < mine.time.size(); ++j) {
    distributed::detail::put(bytes, mine.time[j]);
    distributed::detail::put(bytes, mine.exits[j]);
    distributed::detail::put(bytes, mine.events[j]);
  }
  distributed::detail::put(bytes, static_cast<std::uint64_t>(mine.entry.size()));
  for (std::size_t j = 0; j < mine.entry.size(); ++j) {
    distributed::detail::put(bytes, mine.entry[j]);
    distributed::detail::put(bytes, mine.entry_weight[j]);
  }
  struct exit_row {
    std::uint64_t key;
    double exits, events;
  };
  std::vector<exit_row> exits;
  std::vector<std::pair<std::uint64_t, double>> entries;
  for (const auto& from : comm.allgatherv(std::span<const char>(bytes))) {
    distributed::detail::reader in(std::span<const char>(from), "kaplan_meier: a rank's risk table");
    for (auto m = in.get<std::uint64_t>(); m > 0; --m) {
      const double t = in.get<double>(), c = in.get<double>(), d = in.get<double>();
      exits.push_back({order_key(t), c, d});
    }
    for (auto m = in.get<std::uint64_t>(); m > 0; --m) {
      const double t = in.get<double>(), w = in.get<double>();
      entries.emplace_back(order_key(t), w);
    }
  }
  std::stable_sort(exits.begin(), exits.end(), [](const exit_row& a, const exit_row& b) { return a.key < b.key; });
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  risk_table r;
  for (std::size_t i = 0; i < exits.size();) {
    double c = 0.0, d = 0.0;
    std::size_t j = i;
    for (; j < exits.size() && exits[j].key == exits[i].key; ++j) c += exits[j].exits, d += exits[j].events;
    r.time.push_back(from_order_key(exits[i].key));
    r.exits.push_back(c);
    r.events.push_back(d);
    i = j;
  }
  for (const auto& [key, w] : entries) {
    r.entry.push_back(from_order_key(key));
    r.entry_weight.push_back(w);
  }
  return r;
}

/// Counts the risk set and events at each distinct event time. Unweighted data without
/// entry times: whole-number durations (days, months) below n/2 + 2^16 are counted in one
/// table indexed by the duration, other durations by sorting bare keys (all durations,
/// and event durations). Otherwise the rows are sorted with their index and the risk set
/// is entries before t minus exits before t (risk_table_of, events_of).
inline event_table count_events(const survival_target& t) {
  const std::size_t n = t.time.size();
  event_table out;
  if (!t.weighted && t.entry.empty()) {
    const double limit = 0.5 * static_cast<double>(n) + 65536.0;  // a table of at most 4n bytes
    double fraction = 0.0, top = 0.0;  // sums and maxima: loops the compiler vectorises
    for (double v : t.time) {
      fraction += v - std::floor(v);
      top = std::max(top, v);
    }
    if (fraction == 0.0 && top < limit) {
      const auto m = static_cast<std::size_t>(top) + 1;
      std::vector<std::uint32_t> all(m, 0), ev(m, 0);
      for (std::size_t i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(t.time[i]);
        ++all[k];
        ev[k] += t.event[i];
      }
      double at_risk = static_cast<double>(n);
      for (std::size_t k = 0; k < m; ++k) {
        if (ev[k] > 0) {
          out.time.push_back(static_cast<double>(k));
          out.at_risk.push_back(at_risk);
          out.events.push_back(static_cast<double>(ev[k]));
        }
        at_risk -= static_cast<double>(all[k]);
      }
      return out;
    }
    std::vector<std::uint64_t> all(n), ev;
    ev.reserve(t.n_events);
    for (std::size_t i = 0; i < n; ++i) {
      all[i] = order_key(t.time[i]);
      if (t.event[i]) ev.push_back(all[i]);
    }
    radix_sort(all);
    radix_sort(ev);
    std::size_t a = 0;  // all[a..] are the durations >= the current event time
    for (std::size_t e = 0; e < ev.size();) {
      const std::uint64_t k = ev[e];
      std::size_t e2 = e;
      while (e2 < ev.size() && ev[e2] == k) ++e2;
      while (all[a] < k) ++a;
      out.time.push_back(from_order_key(k));
      out.at_risk.push_back(static_cast<double>(n - a));
      out.events.push_back(static_cast<double>(e2 - e));
      e = e2;
    }
    return out;
  }
  return events_of(risk_table_of(t), !t.entry.empty(), t.total_weight);
}

}  // namespace detail

template <class T = double>
class kaplan_meier {
 public:
  using value_type = T;
  using params_type = kaplan_meier_params;
  static constexpr const char* name = "kaplan_meier";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }

  kaplan_meier() = default;
  explicit kaplan_meier(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  template <class D, class Ev>
  kaplan_meier& fit(const D& durations, const Ev& events, const survival_fit_options& options = {}) {
    const auto target = detail::check_survival_target(durations, events, options, "kaplan_meier.fit");
    state s;
    s.n_observations = target.time.size();
    s.max_time = *std::max_element(target.time.begin(), target.time.end());
    finish(s, detail::count_events(target));
    return *this;
  }

  /// The fit on the rows held across the ranks of `comm`, each rank its own (possibly none,
  /// possibly without an event): every rank's durations with their exit and event weights
  /// are gathered and merged (detail::merged_risk_tables), and every rank computes the
  /// curve of all rows. Unweighted data give the one-process curve bit for bit; weights
  /// add in rank order. Weights and entry times must be given on every rank that holds rows
  /// or on none (a distributed_error on every rank otherwise).
  template <communicator C, class D, class Ev>
  kaplan_meier& fit(C& comm, const D& durations, const Ev& events, const survival_fit_options& options = {}) {
    const std::string what = "kaplan_meier.fit";
    detail::survival_target target;
    distributed::run_agreed(comm, what, [&] { target = detail::check_survival_target(durations, events, options, what, false); });
    distributed::same_everywhere(comm, what + ": the parameters", distributed::fingerprint(params_.alpha, params_.ci).value());
    // Ranks with rows, and those of them with weights and with entry times: all or none.
    const bool rows = !target.time.empty();
    std::int64_t given[3] = {rows, rows && target.weighted, rows && !target.entry.empty()};
    comm.allreduce_sum(std::span<std::int64_t>(given, 3));
    for (int k = 1; k <= 2; ++k) {
      if (given[k] != 0 && given[k] != given[0]) {
        throw distributed_error(what + ": " + (k == 1 ? "weights" : "entry times") + " given on " +
                                std::to_string(given[k]) + " of the " + std::to_string(given[0]) +
                                " ranks with rows; expected on all of them or on none");
      }
    }
    const bool with_entry = given[2] > 0;
    double totals[2] = {target.total_weight, static_cast<double>(target.n_events)};
    comm.allreduce_sum(std::span<double>(totals, 2));
    state s;
    s.n_observations = static_cast<std::size_t>(distributed::detail::total_count(comm, target.time.size()));
    detail::check_survival_totals(totals[0], static_cast<std::size_t>(totals[1]), s.n_observations, what);
    s.max_time = 0.0;
    for (const double m : distributed::allgather_value(
             comm, target.time.empty() ? 0.0 : *std::max_element(target.time.begin(), target.time.end()))) {
      s.max_time = std::max(s.max_time, m);
    }
    const auto merged = detail::merged_risk_tables(comm, detail::risk_table_of(target));
    finish(s, detail::events_of(merged, with_entry, totals[0]));
    return *this;
  }

  const std::vector<double>& times() const { return get().times; }
  const std::vector<double>& at_risk() const { return get().at_risk; }
  const std::vector<double>& events() const { return get().events; }
  const std::vector<double>& survival_function() const { return get().survival; }
  const std::vector<double>& standard_error() const { return get().se; }
  const std::vector<double>& confidence_lower() const { return get().lower; }
  const std::vector<double>& confidence_upper() const { return get().upper; }
  std::size_t n_observations() const { return get().n_observations; }

  /// S(t) at each of `times` (any order; finite).
  template <class E>
  vector<T> predict(const E& times_in) const {
    const state& s = get();
    decltype(auto) t = evaluate<double, 1>(times_in, "kaplan_meier.predict: times");
    check_finite(t, "kaplan_meier.predict: times");
    vector<T> out = vector<T>::from_shape({t.size()});
    for (std::size_t i = 0; i < t.size(); ++i) {
      const auto j = static_cast<std::size_t>(std::upper_bound(s.times.begin(), s.times.end(), t(i)) - s.times.begin());
      out(i) = static_cast<T>(j == 0 ? 1.0 : s.survival[j - 1]);
    }
    return out;
  }

  /// The first event time at which S < 1 - p (0 < p < 1); +infinity if S stays >= 1 - p.
  double quantile(double p) const {
    const state& s = get();
    if (!(p > 0.0 && p < 1.0)) throw invalid_argument("kaplan_meier.quantile: p must be in (0, 1), got " + detail::to_text(p));
    for (std::size_t j = 0; j < s.times.size(); ++j) {
      if (s.survival[j] < 1.0 - p) return s.times[j];
    }
    return std::numeric_limits<double>::infinity();
  }
  double median_survival() const { return quantile(0.5); }

  template <class A>
  void serialize(A& ar) {
    auto& p = params_;
    ar(p.alpha, p.ci, state_);
    if constexpr (A::loading) p.validate();
    if constexpr (A::loading) {
      if (state_) complete(*state_);
    }
  }

 private:
  struct state {
    std::vector<double> times, at_risk, events;
    std::size_t n_observations = 0;
    double max_time = 0.0;
    // derived from the above on fit and on load
    std::vector<double> survival, se, lower, upper;

    template <class A>
    void serialize(A& ar) {
      ar(times, at_risk, events, n_observations, max_time);
      const std::size_t m = times.size();
      ar.check(m > 0 && at_risk.size() == m && events.size() == m, "kaplan_meier: event table sizes differ or are 0");
      for (std::size_t j = 0; j < m; ++j) {
        ar.check(std::isfinite(times[j]) && times[j] >= 0 && (j == 0 || times[j] > times[j - 1]),
                 "kaplan_meier: event times must be finite, >= 0 and increasing");
        ar.check(std::isfinite(at_risk[j]) && std::isfinite(events[j]) && events[j] > 0 && at_risk[j] >= events[j],
                 "kaplan_meier: each event time needs 0 < events <= at risk");
      }
      ar.check(std::isfinite(max_time) && max_time >= times[m - 1], "kaplan_meier: the follow-up ends before an event");
    }
  };

  /// The state from its event table.
  void finish(state& s, detail::event_table table) {
    s.times = std::move(table.time);
    s.at_risk = std::move(table.at_risk);
    s.events = std::move(table.events);
    complete(s);
    state_ = std::move(s);
  }

  /// Survival, Greenwood standard error and the band from the event table.
  void complete(state& s) const {
    const std::size_t m = s.times.size();
    s.survival.resize(m);
    s.se.resize(m);
    s.lower.resize(m);
    s.upper.resize(m);
    const double z = normal_quantile(1.0 - params_.alpha / 2.0);
    double S = 1.0, v = 0.0;  // v: Greenwood's sum
    for (std::size_t j = 0; j < m; ++j) {
      const double n = s.at_risk[j], d = s.events[j];
      S *= d >= n ? 0.0 : 1.0 - d / n;
      v += d >= n ? std::numeric_limits<double>::quiet_NaN() : d / (n * (n - d));
      s.survival[j] = S;
      s.se[j] = S * std::sqrt(v);
      if (!(S > 0.0)) {
        s.lower[j] = s.upper[j] = 0.0;
        continue;
      }
      switch (params_.ci) {
        case survival_band::log_log: {
          const double theta = std::log(-std::log(S));
          const double h = z * std::sqrt(v) / std::abs(std::log(S));
          s.lower[j] = std::exp(-std::exp(theta + h));
          s.upper[j] = std::exp(-std::exp(theta - h));
          break;
        }
        case survival_band::log: {
          const double h = z * std::sqrt(v);
          s.lower[j] = S * std::exp(-h);
          s.upper[j] = std::min(1.0, S * std::exp(h));
          break;
        }
        case survival_band::plain: {
          s.lower[j] = std::max(0.0, S - z * s.se[j]);
          s.upper[j] = std::min(1.0, S + z * s.se[j]);
          break;
        }
      }
    }
  }

  const state& get() const {
    check_fitted(state_.has_value(), name);
    return *state_;
  }

  params_type params_{};
  std::optional<state> state_;
};

}  // namespace clm
