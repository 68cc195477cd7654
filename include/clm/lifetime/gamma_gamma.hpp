#pragma once
// clm::gamma_gamma<T>: the Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee
// 2005, "RFM and CLV: using iso-value curves for customer base analysis"; Fader & Hardie's
// note "The Gamma-Gamma model of monetary value", 2013), as lifetimes' GammaGammaFitter.
//
// A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, v); a summary row's
// monetary_value is the mean of its x repeat transactions (zbar).
//
//   fit(summary)                       maximum likelihood over the repeat customers (x > 0),
//                                      weighted by the summary's weights, identical (x, zbar)
//                                      rows merged; the likelihood is summed by frequency (the
//                                      gamma-function terms once per distinct x). A mean spend <= 0
//                                      is an error, or, with params.exclude_nonpositive,
//                                      the row is left out
//   parameters(), standard_errors()    {p, q, v}
//   log_likelihood()                   of the zbar values (the published -4055.92 on CDNOW)
//   conditional_expected_spend(s)      E[Z | zbar, x] = (q - 1) / (p x + q - 1) * p v / (q - 1)
//                                      + p x / (p x + q - 1) * zbar; for x = 0 the population
//                                      mean p v / (q - 1). Needs q > 1 (numeric_error otherwise)
//   conditional_expected_spend(x, zbar)  the same for one (hypothetical) customer
//   n_customers(), n_excluded()        repeat customers fitted; those left out by
//                                      exclude_nonpositive (errors name the customer's id)
//
// Spend and purchases are assumed independent (check the correlation of x and zbar first).

#include <array>
#include <algorithm>
#include <utility>
#include <cmath>
#include <string>
#include <vector>

#include "clm/core/special.hpp"
#include "clm/lifetime/detail/base.hpp"

namespace clm {

struct gamma_gamma_parameters {
  double p = 0.0, q = 0.0, v = 0.0;
  friend bool operator==(const gamma_gamma_parameters&, const gamma_gamma_parameters&) = default;
};

template <class T = double>
class gamma_gamma : public detail::lifetime_base<gamma_gamma<T>, T, 3> {
  using base = detail::lifetime_base<gamma_gamma<T>, T, 3>;
  friend base;

 public:
  static constexpr std::size_t K = 3;
  static constexpr const char* name = "gamma_gamma";
  static constexpr std::array<const char*, 3> parameter_names{"p", "q", "v"};
  static constexpr bool analytic_gradient = true;

  using base::base;

  gamma_gamma_parameters parameters() const {
    const auto& a = this->fitted_parameters();
    return {a[0], a[1], a[2]};
  }
  gamma_gamma_parameters standard_errors() const {
    const auto& a = this->fitted_standard_errors();
    return {a[0], a[1], a[2]};
  }
  gamma_gamma& set_parameters(const gamma_gamma_parameters& a, time_unit unit = time_unit::week) {
    return base::set_parameters({a.p, a.q, a.v}, unit);
  }

  /// The population's mean spend per transaction, p v / (q - 1).
  T mean_spend() const {
    const auto [p, q, v] = this->fitted_parameters();
    require_q(q);
    return static_cast<T>(p * v / (q - 1.0));
  }

  vector<T> conditional_expected_spend(const customer_summary& s) const {
    require_q(this->fitted_parameters()[1]);
    check_monetary(s, "gamma_gamma.conditional_expected_spend");
    vector<T> out = vector<T>::from_shape({s.size()});
    for (std::size_t i = 0; i < s.size(); ++i) out(i) = static_cast<T>(spend_one(s.frequency(i), s.monetary_value(i)));
    return out;
  }

  /// E[Z | zbar, x] for one customer with x repeat purchases of mean value zbar (ignored
  /// when x = 0).
  T conditional_expected_spend(double frequency, double monetary_value) const {
    require_q(this->fitted_parameters()[1]);
    const char* owner = "gamma_gamma.conditional_expected_spend";
    if (!(std::isfinite(frequency) && frequency >= 0.0 && std::floor(frequency) == frequency)) {
      throw invalid_argument(std::string(owner) + ": expected a whole frequency >= 0, got " + detail::to_text(frequency));
    }
    if (!std::isfinite(monetary_value)) {
      throw numeric_error(std::string(owner) + ": expected a finite monetary_value, got " + detail::to_text(monetary_value));
    }
    return static_cast<T>(spend_one(frequency, monetary_value));
  }

 private:
  double spend_one(double x, double zbar) const {
    const auto [p, q, v] = this->fitted_parameters();
    return p * (v + x * (x > 0.0 ? zbar : 0.0)) / (p * x + q - 1.0);
  }

  static void require_q(double q) {
    if (!(q > 1.0)) {
      throw numeric_error("gamma_gamma: the expected spend needs q > 1, got q = " + detail::to_text(q));
    }
  }

  static void check_monetary(const customer_summary& s, const char* owner) {
    detail::check_summary(s, owner, false);
    if (s.monetary_value.size() != s.size()) {
      throw shape_error(std::string(owner) + ": expected monetary_value for each of the " + std::to_string(s.size()) +
                        " customers, got " + std::to_string(s.monetary_value.size()));
    }
  }

  static detail::fit_rows rows(const customer_summary& s, const lifetime_params& params, bool need_rows) {
    check_monetary(s, "gamma_gamma.fit");
    detail::fit_rows d;
    const bool weighted = s.weight.size() == s.size();
    struct row {
      double x, z, w;
    };
    std::vector<row> kept;
    exact_sum excluded;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.frequency(i) == 0.0) continue;
      const double z = s.monetary_value(i);
      if (!std::isfinite(z)) {
        throw numeric_error("gamma_gamma.fit: expected a finite monetary_value, got " + detail::to_text(z) +
                            detail::row_name(s, i));
      }
      const double w = weighted ? s.weight(i) : 1.0;
      if (z <= 0.0) {
        if (params.exclude_nonpositive) {
          excluded.add(w);
          continue;
        }
        throw invalid_argument("gamma_gamma.fit: expected a mean spend > 0 for a repeat customer, got " +
                               detail::to_text(z) + detail::row_name(s, i) +
                               " (set exclude_nonpositive to leave such customers out)");
      }
      kept.push_back({s.frequency(i), z, w});
    }
    if (need_rows && kept.empty()) throw invalid_argument("gamma_gamma.fit: expected at least one repeat customer (x > 0), got none");
    // Sorted by (x, zbar), identical pairs merged into one row with the summed weight: equal
    // x are adjacent, which sum_log_likelihood groups by. (Stable: equal pairs add their
    // weights in the summary's order.)
    std::stable_sort(kept.begin(), kept.end(), [](const row& a, const row& b) { return a.x < b.x || (a.x == b.x && a.z < b.z); });
    for (const row& r : kept) {
      if (!d.x.empty() && d.x.back() == r.x && d.recency.back() == r.z) {
        d.weight.back() += r.w;
      } else {
        d.x.push_back(r.x);
        d.recency.push_back(r.z);       // the mean spend, in the recency slot
        d.T.push_back(std::log(r.z));   // and its logarithm in the T slot
        d.weight.push_back(r.w);
      }
    }
    d.total_weight = detail::exact_total(d.weight);
    d.excluded_weight = excluded.value();
    return d;
  }

  /// The total log-likelihood (and gradient) grouped by frequency: the terms in x alone
  /// (log-gamma, digamma, p x log x) once per distinct x, the rest per row as one log and
  /// one division (sums inside a group compensated, across groups exact).
  static constexpr bool groups_by_x = true;
  static void sum_log_likelihood(const std::array<double, 3>& a, const detail::fit_rows& d,
                                 std::array<exact_sum, 4>& sums, bool g) {
    const auto [p, q, v] = a;
    const double lg_q = log_gamma(q), psi_q = g ? digamma(q) : 0.0, log_v = std::log(v);
    auto& [ll, gp, gq, gv] = sums;
    for (std::size_t b = 0; b < d.size();) {
      const double x = d.x[b];
      detail::compensated_sum W, Lz, S, R;
      std::size_t e = b;
      for (; e < d.size() && d.x[e] == x; ++e) {
        const double w = d.weight[e], xzv = x * d.recency[e] + v;
        W.add(w);
        Lz.add(w * d.T[e]);
        S.add(w * std::log(xzv));
        if (g) R.add(w / xzv);
      }
      const double px = p * x, lx = std::log(x), w = W.value(), lz = Lz.value(), sl = S.value();
      ll.add(w * (log_gamma(px + q) - log_gamma(px) - lg_q + q * log_v + px * lx) + (px - 1.0) * lz - (px + q) * sl);
      if (g) {
        const double psi = digamma(px + q);
        gp.add(x * (w * (psi - digamma(px) + lx) + lz - sl));
        gq.add(w * (psi - psi_q + log_v) - sl);
        gv.add(w * q / v - (px + q) * R.value());
      }
      b = e;
    }
  }

  static std::array<double, 3> start(const detail::fit_rows& d) {
    return {1.0, 2.0, std::max(detail::weighted_mean(d.recency, d), 1e-6)};
  }

  static void check_parameters(const std::array<double, 3>&) {}

  static double row_log_likelihood(const std::array<double, 3>& a, const detail::fit_rows& d, std::size_t i,
                                   std::array<double, 3>* g) {
    const auto [p, q, v] = a;
    const double x = d.x[i], z = d.recency[i];
    const double px = p * x, l_xzv = std::log(x * z + v);
    if (g != nullptr) {
      const double psi = digamma(px + q);
      (*g)[0] = x * (psi - digamma(px) + std::log(z) + std::log(x) - l_xzv);
      (*g)[1] = psi - digamma(q) + std::log(v) - l_xzv;
      (*g)[2] = q / v - (px + q) / (x * z + v);
    }
    return log_gamma(px + q) - log_gamma(px) - log_gamma(q) + q * std::log(v) + (px - 1.0) * std::log(z) +
           px * std::log(x) - (px + q) * l_xzv;
  }
};

}  // namespace clm
