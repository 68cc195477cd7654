#pragma once
// Ranking metrics for recommendation: computed per user, then averaged over users.
//
// `recommended[u]` is user u's ranked list of item ids (best first); `relevant[u]` the items
// that user actually took (held-out purchases, clicks), in any order, duplicates ignored.
// Relevance is binary. k = 0 means "the whole list" (precision_at_k needs k >= 1):
//
//   precision_at_k   |top-k ∩ relevant| / k (k, not the list's length: a short list is
//                    not rewarded)
//   recall_at_k      |top-k ∩ relevant| / |relevant|
//   hit_rate_at_k    1 if any of the top k is relevant, else 0
//   ndcg_at_k        DCG / ideal DCG, DCG = sum over relevant items at rank r (1-based,
//                    r <= k) of 1 / log2(r + 1); the ideal places min(k, |relevant|) hits first
//   map_at_k         sum over relevant items at rank r <= k of precision@r, divided by
//                    min(k, |relevant|) (the usual AP@k: 1 for a perfect top k)
//   map_at_k_over_relevant  the same sum divided by |relevant| (microsoft/recommenders'
//                    map_at_k; below 1 whenever a user has more than k relevant items)
//   mrr              1 / rank of the first relevant item in the whole list, 0 if none
//   catalog_coverage share of the n_items catalogue that appears in some top-k list
//
// Users with no relevant items are left out of the average (their scores are undefined:
// there is nothing to find); `ranking_counted_users` says how many remain. A recommended
// item that appears twice in one list counts once, at its first rank.
// Errors (clm::): lists of different lengths (shape_error), no user with a relevant item
// (invalid_argument), n_items == 0 or an item id >= n_items in catalog_coverage.

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/validate.hpp"

namespace clm {

namespace detail {

/// The mean over users with relevant items of f(top-k list with repeats dropped, relevant
/// set, k used).
template <class Id, class F>
double mean_over_users(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant,
                       std::size_t k, const char* owner, F&& f) {
  if (recommended.size() != relevant.size()) {
    throw shape_error(std::string(owner) + ": recommended has " + std::to_string(recommended.size()) +
                      " users, relevant " + std::to_string(relevant.size()) + "; expected the same number");
  }
  double sum = 0.0;
  std::size_t users = 0;
  std::unordered_set<Id> rel, seen;
  for (std::size_t u = 0; u < recommended.size(); ++u) {
    if (relevant[u].empty()) continue;
    rel.clear();
    rel.insert(relevant[u].begin(), relevant[u].end());
    const auto& list = recommended[u];
    const std::size_t kk = k == 0 ? list.size() : k;
    // A repeated item is no hit the second time; ranks stay those of the list.
    std::vector<bool> hit(std::min(list.size(), kk));
    seen.clear();
    for (std::size_t r = 0; r < hit.size(); ++r) hit[r] = rel.count(list[r]) != 0 && seen.insert(list[r]).second;
    sum += f(hit, rel.size(), kk);
    ++users;
  }
  if (users == 0) {
    throw invalid_argument(std::string(owner) + ": expected at least one user with a relevant item, got none of " +
                           std::to_string(recommended.size()));
  }
  return sum / static_cast<double>(users);
}

inline double count_hits(const std::vector<bool>& hit) {
  return static_cast<double>(std::count(hit.begin(), hit.end(), true));
}

}  // namespace detail

/// How many users the ranking metrics average over (those with a relevant item).
template <class Id>
std::size_t ranking_counted_users(const std::vector<std::vector<Id>>& relevant) {
  return static_cast<std::size_t>(
      std::count_if(relevant.begin(), relevant.end(), [](const auto& r) { return !r.empty(); }));
}

template <class Id>
double precision_at_k(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant,
                      std::size_t k) {
  require_param(k >= 1, "precision_at_k", "k", k, ">= 1");
  return detail::mean_over_users(recommended, relevant, k, "precision_at_k",
                                 [](const std::vector<bool>& hit, std::size_t, std::size_t kk) {
                                   return detail::count_hits(hit) / static_cast<double>(kk);
                                 });
}

template <class Id>
double recall_at_k(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant,
                   std::size_t k) {
  return detail::mean_over_users(recommended, relevant, k, "recall_at_k",
                                 [](const std::vector<bool>& hit, std::size_t n_rel, std::size_t) {
                                   return detail::count_hits(hit) / static_cast<double>(n_rel);
                                 });
}

template <class Id>
double hit_rate_at_k(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant,
                     std::size_t k) {
  return detail::mean_over_users(recommended, relevant, k, "hit_rate_at_k",
                                 [](const std::vector<bool>& hit, std::size_t, std::size_t) {
                                   return detail::count_hits(hit) > 0.0 ? 1.0 : 0.0;
                                 });
}

template <class Id>
double ndcg_at_k(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant,
                 std::size_t k) {
  return detail::mean_over_users(recommended, relevant, k, "ndcg_at_k",
                                 [](const std::vector<bool>& hit, std::size_t n_rel, std::size_t kk) {
                                   double dcg = 0.0, ideal = 0.0;
                                   for (std::size_t r = 0; r < hit.size(); ++r) {
                                     if (hit[r]) dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
                                   }
                                   for (std::size_t r = 0; r < std::min(kk, n_rel); ++r) {
                                     ideal += 1.0 / std::log2(static_cast<double>(r) + 2.0);
                                   }
                                   return ideal > 0.0 ? dcg / ideal : 0.0;
                                 });
}

namespace detail {
/// Sum of precision@r over the relevant ranks r of a top-k list.
inline double precision_sum(const std::vector<bool>& hit) {
  double sum = 0.0, hits = 0.0;
  for (std::size_t r = 0; r < hit.size(); ++r) {
    if (!hit[r]) continue;
    hits += 1.0;
    sum += hits / static_cast<double>(r + 1);
  }
  return sum;
}
}  // namespace detail

template <class Id>
double map_at_k(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant,
                std::size_t k) {
  return detail::mean_over_users(recommended, relevant, k, "map_at_k",
                                 [](const std::vector<bool>& hit, std::size_t n_rel, std::size_t kk) {
                                   const std::size_t m = std::min(kk, n_rel);
                                   return m == 0 ? 0.0 : detail::precision_sum(hit) / static_cast<double>(m);
                                 });
}

template <class Id>
double map_at_k_over_relevant(const std::vector<std::vector<Id>>& recommended,
                              const std::vector<std::vector<Id>>& relevant, std::size_t k) {
  return detail::mean_over_users(recommended, relevant, k, "map_at_k_over_relevant",
                                 [](const std::vector<bool>& hit, std::size_t n_rel, std::size_t) {
                                   return n_rel == 0 ? 0.0 : detail::precision_sum(hit) / static_cast<double>(n_rel);
                                 });
}

template <class Id>
double mrr(const std::vector<std::vector<Id>>& recommended, const std::vector<std::vector<Id>>& relevant) {
  return detail::mean_over_users(recommended, relevant, 0, "mrr",
                                 [](const std::vector<bool>& hit, std::size_t, std::size_t) {
                                   const auto it = std::find(hit.begin(), hit.end(), true);
                                   return it == hit.end() ? 0.0 : 1.0 / static_cast<double>(it - hit.begin() + 1);
                                 });
}

template <class Id>
double catalog_coverage(const std::vector<std::vector<Id>>& recommended, std::size_t n_items, std::size_t k = 0) {
  require_param(n_items >= 1, "catalog_coverage", "n_items", n_items, ">= 1");
  std::vector<bool> seen(n_items, false);
  for (const auto& list : recommended) {
    const std::size_t kk = k == 0 ? list.size() : std::min(k, list.size());
    for (std::size_t r = 0; r < kk; ++r) {
      const auto id = static_cast<std::size_t>(list[r]);
      if (list[r] < Id{} || id >= n_items) {
        throw invalid_argument("catalog_coverage: expected item ids in [0, " + std::to_string(n_items) + "), got " +
                               detail::to_text(list[r]));
      }
      seen[id] = true;
    }
  }
  return static_cast<double>(std::count(seen.begin(), seen.end(), true)) / static_cast<double>(n_items);
}

}  // namespace clm
