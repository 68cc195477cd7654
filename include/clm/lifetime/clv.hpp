#pragma once
// clm::clv: customer lifetime value from a purchase model (bg_nbd, mbg_nbd, pareto_nbd)
// and a spend model (gamma_gamma), as lifetimes' customer_lifetime_value defines it:
//
//   CLV = sum over months m = 1..months of
//         spend * (E[Y(m * f) | history] - E[Y((m - 1) * f) | history]) / (1 + d)^m
//
// with spend the Gamma-Gamma conditional expected spend, d the monthly discount rate and
// f the length of a month in the summary's time unit: by default 4.345 for weeks, 30 for
// days (lifetimes' freq "W" and "D"). clv_options::month_length sets f directly, in the
// summary's unit, to reproduce any of lifetimes' conventions: its quick-start calls freq
// "D" (f = 30) on a summary in weeks, so each "month" is 30 weeks long; month_length = 30
// gives the same numbers without relabelling the data.

#include <cmath>
#include <cstddef>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/transactions.hpp"

namespace clm {

struct clv_options {
  std::size_t months = 12;
  double monthly_discount_rate = 0.01;
  /// Length of a month in the summary's time unit; 0: 4.345 (weeks) or 30 (days).
  double month_length = 0.0;
};

/// The length of a month in a summary's time unit (lifetimes' factors).
inline double month_length(time_unit unit) noexcept { return unit == time_unit::week ? 4.345 : 30.0; }

template <class PurchaseModel, class SpendModel>
vector<typename PurchaseModel::value_type> clv(const PurchaseModel& purchases, const SpendModel& spend,
                                               const customer_summary& s, const clv_options& o = {}) {
  using T = typename PurchaseModel::value_type;
  require_param(o.months >= 1, "clv", "months", o.months, ">= 1");
  require_param(o.monthly_discount_rate > -1.0 && std::isfinite(o.monthly_discount_rate), "clv",
                "monthly_discount_rate", o.monthly_discount_rate, "finite and > -1");
  require_param(o.month_length >= 0.0 && std::isfinite(o.month_length), "clv", "month_length", o.month_length,
                "finite and >= 0 (0: the summary unit's default)");
  const auto value = spend.conditional_expected_spend(s);
  const double f = o.month_length > 0.0 ? o.month_length : month_length(s.unit);
  vector<double> total = xt::zeros<double>({s.size()});
  vector<T> before = xt::zeros<T>({s.size()});
  for (std::size_t m = 1; m <= o.months; ++m) {
    const auto now = purchases.conditional_expected_purchases(static_cast<double>(m) * f, s);
    const double discount = std::pow(1.0 + o.monthly_discount_rate, static_cast<double>(m));
    for (std::size_t i = 0; i < s.size(); ++i) {
      total(i) += static_cast<double>(value(i)) * (static_cast<double>(now(i)) - static_cast<double>(before(i))) / discount;
    }
    before = now;
  }
  vector<T> out = vector<T>::from_shape({s.size()});
  for (std::size_t i = 0; i < s.size(); ++i) out(i) = static_cast<T>(total(i));
  return out;
}

}  // namespace clm
