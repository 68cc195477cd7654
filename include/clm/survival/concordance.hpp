#pragma once
// clm::concordance_index — Harrell's C: among comparable pairs of subjects, the share
// whose predicted order agrees with the observed order, ties in the prediction counting
// one half. The convention and tie rules are lifelines' (lifelines.utils.concordance_index):
//
//   scores predict survival TIME: a higher score means a longer expected life. For a risk
//   score (cox_ph::predict_risk, a churn probability) pass its negative.
//
//   A pair (i, j) is comparable when i has an event and
//     - t_i < t_j (j's event or censoring comes later), or
//     - t_i == t_j and j is censored (the event is taken to come first).
//   Two events at the same time are not comparable; a censored subject is never the
//   earlier one. The pair is concordant when score_i < score_j, tied when equal.
//
//   C = (concordant + tied / 2) / comparable pairs
//
// concordance_statistics gives the three counts. O(n log n): rows and events sorted by
// time, and a Fenwick tree over the distinct scores of the events seen so far. With a
// communicator first, the rows spread over the ranks: each rank gathers every rank's events
// (16 bytes each) and counts the pairs its own rows close; the counts are summed, so the
// index is the one-process index exactly. Throws
// invalid_argument when no pair is comparable (lifelines raises ZeroDivisionError), and the
// checks of a survival target (durations, events) plus finite scores.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/survival/survival_data.hpp"

namespace clm {

struct concordance_counts {
  std::int64_t comparable = 0;
  std::int64_t concordant = 0;
  std::int64_t tied = 0;  ///< comparable pairs with equal scores

  double index() const { return (static_cast<double>(concordant) + 0.5 * static_cast<double>(tied)) / static_cast<double>(comparable); }
};

template <class D, class S, class Ev>
concordance_counts concordance_statistics(const D& durations, const S& scores, const Ev& events) {
  local_communicator one;
  return concordance_statistics(one, durations, scores, events);
}

/// The counts over the rows held across the ranks of `comm`, each rank its own (possibly
/// none): every rank gathers all ranks' events (time and score, 16 bytes each) and counts,
/// for each of its rows, the events of every rank that it is compared with; the counts are
/// summed. Integers, so the index is the one-process index exactly.
template <communicator C, class D, class S, class Ev>
concordance_counts concordance_statistics(C& comm, const D& durations, const S& scores_in, const Ev& events) {
  constexpr bool one_process = std::is_same_v<C, local_communicator>;
  const std::string owner = "concordance_index";
  detail::survival_target target;
  vector<double> scores_value;
  const vector<double>* scores_ptr = nullptr;
  distributed::run_agreed(comm, owner, [&] {
    target = detail::check_survival_target(durations, events, {}, owner, one_process);
    decltype(auto) sc = evaluate<double, 1>(scores_in, owner + ": scores");
    if constexpr (std::is_lvalue_reference_v<decltype(sc)>) {
      scores_ptr = &sc;  // the caller's vector: no copy
    } else {
      scores_value = std::move(sc);
      scores_ptr = &scores_value;
    }
    const std::size_t n = target.time.size();
    if (n > 0 || scores_ptr->size() > 0) check_paired(n, scores_ptr->size(), owner, "durations", "scores");
    check_finite(*scores_ptr, owner + ": scores");
  });
  const vector<double>& scores = *scores_ptr;
  const std::size_t n = target.time.size();
  const std::vector<std::size_t> by_time = detail::radix_argsort(target.time.data(), n);
  const std::vector<std::size_t> by_score = detail::radix_argsort(scores.data(), n);
  // The events' distinct scores, ascending (levels: positions 1.. in a Fenwick tree); for
  // each of this rank's rows, twice the number of levels below its score, plus 1 when a
  // level equals it; every rank's events by time with their levels. In one process the
  // events are this rank's event rows, in the rows' own orders; across ranks they are
  // gathered and sorted. Sorts and merges, no search.
  std::vector<double> levels;
  std::vector<std::uint32_t> place(n);
  const auto place_rows = [&] {
    for (std::size_t k = 0, level = 0; k < n; ++k) {
      const std::size_t i = by_score[k];
      while (level < levels.size() && levels[level] < scores(i)) ++level;
      place[i] = static_cast<std::uint32_t>(2 * level + (level < levels.size() && levels[level] == scores(i) ? 1 : 0));
    }
  };
  std::vector<std::pair<double, std::uint32_t>> timeline;  // (time, level) of every event, by time
  if (comm.size() == 1) {
    for (const std::size_t i : by_score) {
      if (target.event[i] && (levels.empty() || scores(i) != levels.back())) levels.push_back(scores(i));
    }
    place_rows();
    for (const std::size_t i : by_time) {
      if (target.event[i]) timeline.emplace_back(target.time[i], place[i] / 2 + 1);
    }
  } else {
    std::vector<double> mine, event_time, event_score;
    for (std::size_t i = 0; i < n; ++i) {
      if (target.event[i]) mine.insert(mine.end(), {target.time[i], scores(i)});
    }
    for (const auto& part : distributed::allgather_doubles(comm, mine)) {
      for (std::size_t k = 0; k + 1 < part.size(); k += 2) {
        event_time.push_back(part[k]);
        event_score.push_back(part[k + 1]);
      }
    }
    std::vector<std::uint32_t> event_level(event_time.size());
    for (const std::size_t k : detail::radix_argsort(event_score.data(), event_score.size())) {
      if (levels.empty() || event_score[k] != levels.back()) levels.push_back(event_score[k]);
      event_level[k] = static_cast<std::uint32_t>(levels.size());
    }
    place_rows();
    for (const std::size_t k : detail::radix_argsort(event_time.data(), event_time.size())) {
      timeline.emplace_back(event_time[k], event_level[k]);
    }
  }
  const std::size_t m = levels.size(), e = timeline.size();
  std::vector<std::int64_t> tree(m + 1, 0);
  const auto below_or_at = [&](std::size_t i) {
    std::int64_t c = 0;
    for (; i > 0; i -= i & (~i + 1)) c += tree[i];
    return c;
  };
  std::int64_t pool = 0;  // events in the tree
  std::size_t next = 0;  // the next event to add
  const auto add_events_before = [&](double t, bool at_t_too) {
    for (; next < e; ++next) {
      const auto [te, level] = timeline[next];
      if (te > t || (te == t && !at_t_too)) break;
      for (std::size_t i = level; i <= m; i += i & (~i + 1)) ++tree[i];
      ++pool;
    }
  };
  concordance_counts out;
  const auto compare = [&](std::size_t row) {
    const std::size_t below = place[row] / 2;
    const std::int64_t less = below_or_at(below);
    const std::int64_t equal = place[row] % 2 == 1 ? below_or_at(below + 1) - less : 0;
    out.comparable += pool;
    out.concordant += less;  // an earlier event predicted to live less long: agrees
    out.tied += equal;
  };
  // This rank's rows by time: an event is compared with the events strictly before it, a
  // censored row also with those at its time.
  for (std::size_t i = 0; i < n;) {
    const double t = target.time[by_time[i]];
    std::size_t j = i;
    while (j < n && target.time[by_time[j]] == t) ++j;
    add_events_before(t, false);
    for (std::size_t k = i; k < j; ++k) {
      if (target.event[by_time[k]]) compare(by_time[k]);
    }
    add_events_before(t, true);
    for (std::size_t k = i; k < j; ++k) {
      if (!target.event[by_time[k]]) compare(by_time[k]);
    }
    i = j;
  }
  std::int64_t counts[3] = {out.comparable, out.concordant, out.tied};
  comm.allreduce_sum(std::span<std::int64_t>(counts, 3));
  out = {counts[0], counts[1], counts[2]};
  if (out.comparable == 0) {
    throw invalid_argument("concordance_index: no comparable pair (a pair needs an event before another subject's "
                           "event or censoring)");
  }
  return out;
}

/// Harrell's C with lifelines' conventions (higher score = longer survival).
template <class D, class S, class Ev>
double concordance_index(const D& durations, const S& scores, const Ev& events) {
  return concordance_statistics(durations, scores, events).index();
}

/// Harrell's C of the rows held across the ranks of `comm` (concordance_statistics(comm, ...)).
template <communicator C, class D, class S, class Ev>
double concordance_index(C& comm, const D& durations, const S& scores, const Ev& events) {
  return concordance_statistics(comm, durations, scores, events).index();
}

}  // namespace clm
