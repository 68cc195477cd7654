#pragma once
// What every survival model is fitted on, and its checks.
//
// A survival target is one duration and one event flag per subject: the time from the
// subject's origin (a customer's first order, say) to the event (churn) when event = 1, or
// to the end of observation when event = 0 (right-censored). Durations are finite and
// >= 0; event flags are exactly 0 or 1.
//
// survival_fit_options holds what a fit may add (each empty by default):
//   weights  case weights, finite and >= 0 (not all 0). An integer weight k counts a row
//            k times: every estimate equals the one on the data with the row repeated.
//   entry    entry (left-truncation) times, 0 <= entry <= duration (entry < duration for an
//            event): a subject is in the risk set at time t when entry < t <= duration
//            (statsmodels' and R's rule).
//   strata   cox_ph only: a stratum label per row; each stratum has its own baseline hazard
//            and risk sets, the coefficients are shared.
//
// detail::check_survival_target validates all of it and names what is wrong: NaN or
// infinite durations (numeric_error), negative durations, flags other than 0/1, weights
// or entry times out of range, no event at all (invalid_argument), lengths that differ
// (shape_error).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct survival_fit_options {
  vector<double> weights{};             ///< case weights; empty: all 1
  vector<double> entry{};               ///< entry (left-truncation) times; empty: all 0
  std::vector<std::int64_t> strata{};   ///< cox_ph: stratum per row; empty: one stratum
};

namespace detail {

/// The totals' checks: a positive weight and at least one event.
inline void check_survival_totals(double total_weight, std::size_t n_events, std::size_t n, const std::string& o) {
  if (!(total_weight > 0)) throw invalid_argument(o + ": the weights sum to 0");
  if (n_events == 0) {
    throw invalid_argument(o + ": every duration is censored (no event among " + std::to_string(n) +
                           " rows): there is nothing to estimate");
  }
}

/// The validated target in double: durations, events as 0/1, weights (1 when not given),
/// entry times (empty when not given), and the totals.
struct survival_target {
  std::vector<double> time;
  std::vector<unsigned char> event;
  std::vector<double> weight;  ///< empty: all 1 (see w(i))
  std::vector<double> entry;  ///< empty: no left truncation
  bool weighted = false;
  double total_weight = 0.0;
  double event_weight = 0.0;
  std::size_t n_events = 0;  ///< rows with event = 1 and a positive weight

  double w(std::size_t i) const { return weighted ? weight[i] : 1.0; }
};

/// Validates and converts a fit's target. `all_rows` false: the rows are one rank's share,
/// which may be empty or hold no event (the caller checks the totals over every rank).
template <class D, class Ev>
survival_target check_survival_target(const D& durations_in, const Ev& events_in, const survival_fit_options& opt,
                                      std::string_view owner, bool all_rows = true) {
  const std::string o(owner);
  decltype(auto) durations = evaluate<double, 1>(durations_in, o + ": durations");
  decltype(auto) events = evaluate<double, 1>(events_in, o + ": events");
  const std::size_t n = durations.size();
  // A rank's share may be empty: then only the lengths must agree.
  const auto paired = [&](std::size_t m, const char* name) {
    if (all_rows || n > 0 || m > 0) check_paired(n, m, o, "durations", name);
  };
  paired(events.size(), "events");
  survival_target t;
  t.time.resize(n);
  t.event.resize(n);
  // One pass the compiler vectorises (counts, no early exit); a bad value is then found
  // again, in order, to name it.
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = durations(i), e = events(i);
    bad += !(d >= 0.0 && d <= std::numeric_limits<double>::max());
    bad += e != 0.0 && e != 1.0;
    t.time[i] = d;
    t.event[i] = static_cast<unsigned char>(e == 1.0);
  }
  for (std::size_t i = 0; bad > 0 && i < n; ++i) {
    const double d = durations(i);
    if (!std::isfinite(d)) {
      throw numeric_error(o + ": durations must be finite, got " + to_text(d) + " at index " + std::to_string(i));
    }
    if (d < 0) {
      throw invalid_argument(o + ": durations must be >= 0, got " + to_text(d) + " at index " + std::to_string(i));
    }
    const double e = events(i);
    if (e != 0.0 && e != 1.0) {
      throw invalid_argument(o + ": events must be 0 (censored) or 1 (event), got " + to_text(e) + " at index " +
                             std::to_string(i));
    }
  }
  if (opt.weights.size() > 0) {
    paired(opt.weights.size(), "weights");
    t.weighted = true;
    t.weight.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double w = opt.weights(i);
      if (!std::isfinite(w) || w < 0) {
        throw invalid_argument(o + ": weights must be finite and >= 0, got " + to_text(w) + " at index " +
                               std::to_string(i));
      }
      t.weight[i] = w;
    }
  }
  if (opt.entry.size() > 0) {
    paired(opt.entry.size(), "entry");
    t.entry.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double a = opt.entry(i);
      if (!std::isfinite(a) || a < 0 || a > t.time[i] || (t.event[i] && a == t.time[i])) {
        throw invalid_argument(o + ": entry times must be finite with 0 <= entry <= duration (entry < duration for an "
                               "event: a subject is at risk only after entry), got entry " + to_text(a) +
                               " and duration " + to_text(t.time[i]) + (t.event[i] ? " (an event)" : " (censored)") +
                               " at index " + std::to_string(i));
      }
      t.entry[i] = a;
    }
  }
  if (t.weighted) {
    for (std::size_t i = 0; i < n; ++i) {
      const double w = t.weight[i];
      t.total_weight += w;
      if (t.event[i] && w > 0) {
        t.event_weight += w;
        ++t.n_events;
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) t.n_events += t.event[i];
    t.total_weight = static_cast<double>(n);
    t.event_weight = static_cast<double>(t.n_events);
  }
  if (all_rows) check_survival_totals(t.total_weight, t.n_events, n, o);
  return t;
}

}  // namespace detail
}  // namespace clm
