#pragma once
// Whom to send an offer: target_offers(uplift, value, {.offer_cost, .budget}).
//
// A customer's expected incremental value from the offer is
//
//   uplift_i * value_i - offer_cost
//
// with uplift_i the predicted change in the probability of the desired outcome (staying,
// buying) that the offer causes, and value_i what that outcome is worth (the customer's
// CLV, the margin of the order). Customers with a positive expected incremental value are
// taken best first until the budget cannot pay for another offer (every offer costs the
// same, so taking the best first is optimal for the budget). budget = +infinity (default):
// everyone worth an offer.
//
// The result lists the chosen customers (row indices, best first), the total expected
// incremental value (net of the offers' cost) and the spend. A customer whose uplift is
// negative (a "do-not-disturb") or who would stay anyway (uplift near 0: a "sure thing" or
// a "lost cause") is never chosen, whatever their churn risk: the point of uplift over risk.
//
// Errors: lengths that differ (shape_error), NaN or infinite uplift or value
// (numeric_error), a negative or non-finite offer cost or a negative budget
// (invalid_argument).

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct targeting_options {
  double offer_cost = 0.0;  ///< cost of one offer, in the unit of value
  double budget = std::numeric_limits<double>::infinity();  ///< total the offers may cost
};

struct targeting_result {
  std::vector<std::size_t> customers;  ///< rows chosen, highest expected incremental value first
  std::vector<double> incremental_value;  ///< each chosen customer's uplift * value - cost
  double expected_incremental_value = 0.0;  ///< their sum
  double spend = 0.0;                       ///< offers' total cost
};

template <class U, class V>
targeting_result target_offers(const U& uplift_in, const V& value_in, const targeting_options& opt = {}) {
  const char* o = "target_offers";
  decltype(auto) uplift = evaluate<double, 1>(uplift_in, "target_offers: uplift");
  decltype(auto) value = evaluate<double, 1>(value_in, "target_offers: value");
  check_paired(uplift.size(), value.size(), o, "uplift", "value");
  check_finite(uplift, "target_offers: uplift");
  check_finite(value, "target_offers: value");
  require_param(opt.offer_cost >= 0.0 && std::isfinite(opt.offer_cost), o, "offer_cost", opt.offer_cost, "finite and >= 0");
  require_param(opt.budget >= 0.0, o, "budget", opt.budget, ">= 0");
  const std::size_t n = uplift.size();
  std::vector<double> net(n);
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < n; ++i) {
    net[i] = uplift(i) * value(i) - opt.offer_cost;
    if (net[i] > 0) rows.push_back(i);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return net[a] > net[b]; });
  std::size_t take = rows.size();
  if (opt.offer_cost > 0 && std::isfinite(opt.budget)) {
    take = std::min(take, static_cast<std::size_t>(std::floor(opt.budget / opt.offer_cost)));
  }
  targeting_result r;
  r.customers.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(take));
  for (std::size_t i : r.customers) {
    r.incremental_value.push_back(net[i]);
    r.expected_incremental_value += net[i];
  }
  r.spend = static_cast<double>(take) * opt.offer_cost;
  return r;
}

}  // namespace clm
