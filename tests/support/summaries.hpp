// What tests of customer summaries share: an order log in time order, and two summaries
// compared column by column, exactly.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "clm/data/transactions.hpp"

namespace clm_test {

/// The log's rows sorted by time (stable: rows at the same time keep their order).
inline clm::transaction_log sorted_by_time(const clm::transaction_log& log) {
  std::vector<std::size_t> order(log.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return log.time[a] < log.time[b]; });
  clm::transaction_log out = log;
  for (std::size_t k = 0; k < order.size(); ++k) {
    out.customer[k] = log.customer[order[k]];
    out.time[k] = log.time[order[k]];
    if (!log.amount.empty()) out.amount[k] = log.amount[order[k]];
    if (log.has_items()) out.item[k] = log.item[order[k]];
  }
  return out;
}

/// Every column of two summaries equal, number for number, customers in the same order.
inline void check_same_summary(const clm::customer_summary& a, const clm::customer_summary& b) {
  REQUIRE(a.size() == b.size());
  CHECK(a.ids == b.ids);
  CHECK(a.frequency == b.frequency);
  CHECK(a.recency == b.recency);
  CHECK(a.T == b.T);
  CHECK(a.monetary_value == b.monetary_value);
  CHECK(a.holdout_frequency == b.holdout_frequency);
  CHECK(a.holdout_monetary_value == b.holdout_monetary_value);
  CHECK(a.holdout_duration == b.holdout_duration);
}

}  // namespace clm_test
