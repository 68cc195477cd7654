#pragma once
// RFM features: the behavioural columns churn and value models are fed, as a table.
//
// From a customer_summary (times in its unit, days or weeks):
//   customer_id           the summary's ids (when it has them)
//   recency               time since the last purchase: T - (last - first purchase)
//   frequency             repeat purchase periods (the summary's frequency)
//   purchases             purchase periods: frequency + 1
//   monetary              mean value of the repeat purchases (0 without repeats)
//   tenure                time since the first purchase (the summary's T)
//   inter_purchase_time   mean time between purchase periods: (last - first) / frequency;
//                         missing (NaN) for one-time buyers
// From a transaction log, additionally (calibration purchases only):
//   orders                number of orders (rows), same-day orders counted separately
//   total_spend           sum of all order amounts, the first included
//   mean_order_value      total_spend / orders

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"

namespace clm {

inline table rfm_features(const customer_summary& s) {
  const std::size_t n = s.size();
  table t;
  if (s.ids.size() == n && n > 0) {
    categorical_column id;
    id.levels = s.ids;
    id.codes.resize(n);
    for (std::size_t i = 0; i < n; ++i) id.codes[i] = static_cast<std::int32_t>(i);
    t.add_categorical("customer_id", std::move(id));
  }
  vector<double> recency = vector<double>::from_shape({n}), purchases = vector<double>::from_shape({n}),
                 gap = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    recency(i) = s.T(i) - s.recency(i);
    purchases(i) = s.frequency(i) + 1.0;
    gap(i) = s.frequency(i) > 0.0 ? s.recency(i) / s.frequency(i) : std::numeric_limits<double>::quiet_NaN();
  }
  t.add_numeric("recency", std::move(recency));
  t.add_numeric("frequency", s.frequency);
  t.add_numeric("purchases", std::move(purchases));
  if (s.monetary_value.size() == n) t.add_numeric("monetary", s.monetary_value);
  t.add_numeric("tenure", s.T);
  t.add_numeric("inter_purchase_time", std::move(gap));
  return t;
}

/// Summarises the log (see clm::summarize) and adds order counts and spend.
inline table rfm_features(const transaction_log& log, const summary_options& opts) {
  const customer_summary s = summarize(log, opts);
  table t = rfm_features(s);
  const timestamp cal_end = opts.calibration_end.value_or(
      log.time.empty() ? timestamp{} : *std::max_element(log.time.begin(), log.time.end()));
  // Per customer code: orders and spend in calibration.
  std::vector<double> orders(log.customer_ids.size(), 0.0), spend(log.customer_ids.size(), 0.0);
  for (std::size_t k = 0; k < log.size(); ++k) {
    if (log.time[k] > cal_end) continue;
    const auto c = static_cast<std::size_t>(log.customer[k]);
    orders[c] += 1.0;
    if (!log.amount.empty()) spend[c] += log.amount[k];
  }
  // Summary rows follow customer codes in order, skipping customers without calibration
  // purchases (those have no orders here).
  const std::size_t n = s.size();
  vector<double> o = vector<double>::from_shape({n}), total = vector<double>::from_shape({n}),
                 mean = vector<double>::from_shape({n});
  std::size_t row = 0;
  for (std::size_t c = 0; c < orders.size() && row < n; ++c) {
    if (orders[c] == 0.0) continue;
    o(row) = orders[c];
    total(row) = spend[c];
    mean(row) = spend[c] / orders[c];
    ++row;
  }
  t.add_numeric("orders", std::move(o));
  if (!log.amount.empty()) {
    t.add_numeric("total_spend", std::move(total));
    t.add_numeric("mean_order_value", std::move(mean));
  }
  return t;
}

}  // namespace clm
