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
// concordance_statistics gives the three counts. O(n log n): rows sorted by time, and a
// Fenwick tree over the ranks of the scores of the events seen so far. Throws
// invalid_argument when no pair is comparable (lifelines raises ZeroDivisionError), and the
// checks of a survival target (durations, events) plus finite scores.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/survival/survival_data.hpp"

namespace clm {

struct concordance_counts {
  std::int64_t comparable = 0;
  std::int64_t concordant = 0;
  std::int64_t tied = 0;  ///< comparable pairs with equal scores

  double index() const { return (static_cast<double>(concordant) + 0.5 * static_cast<double>(tied)) / static_cast<double>(comparable); }
};

template <class D, class S, class Ev>
concordance_counts concordance_statistics(const D& durations, const S& scores_in, const Ev& events) {
  const char* owner = "concordance_index";
  const auto target = detail::check_survival_target(durations, events, {}, owner);
  decltype(auto) scores = evaluate<double, 1>(scores_in, "concordance_index: scores");
  const std::size_t n = target.time.size();
  check_paired(n, scores.size(), owner, "durations", "scores");
  check_finite(scores, "concordance_index: scores");

  // Dense ranks of the scores, 1-based for the Fenwick tree.
  const std::vector<std::size_t> by_score = detail::radix_argsort(scores.data(), n);
  std::vector<std::uint32_t> rank(n);
  std::uint32_t r = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (k == 0 || scores(by_score[k]) != scores(by_score[k - 1])) ++r;
    rank[by_score[k]] = r;
  }
  const std::size_t m = r;
  std::vector<std::int64_t> tree(m + 1, 0);
  const auto add = [&](std::size_t i) {
    for (; i <= m; i += i & (~i + 1)) ++tree[i];
  };
  const auto below_or_at = [&](std::size_t i) {
    std::int64_t c = 0;
    for (; i > 0; i -= i & (~i + 1)) c += tree[i];
    return c;
  };

  concordance_counts out;
  std::int64_t pool = 0;  // events strictly earlier (and, for censored rows, at the same time)
  const std::vector<std::size_t> by_time = detail::radix_argsort(target.time.data(), n);
  const auto compare = [&](std::size_t row) {
    const std::int64_t less = below_or_at(rank[row] - 1);
    const std::int64_t equal = below_or_at(rank[row]) - less;
    out.comparable += pool;
    out.concordant += less;  // an earlier event predicted to live less long: agrees
    out.tied += equal;
  };
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && target.time[by_time[j]] == target.time[by_time[i]]) ++j;
    for (std::size_t k = i; k < j; ++k) {
      if (target.event[by_time[k]]) compare(by_time[k]);
    }
    for (std::size_t k = i; k < j; ++k) {
      if (target.event[by_time[k]]) {
        add(rank[by_time[k]]);
        ++pool;
      }
    }
    for (std::size_t k = i; k < j; ++k) {
      if (!target.event[by_time[k]]) compare(by_time[k]);
    }
    i = j;
  }
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

}  // namespace clm
