#pragma once
// clm::bg_nbd<T> (Fader, Hardie & Lee 2005, "Counting your customers the easy way") and
// clm::mbg_nbd<T> (Batislam, Denizel & Filiztekin 2007, the modified BG/NBD), as lifetimes'
// BetaGeoFitter and ModifiedBetaGeoFitter define them.
//
// While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha) (alpha in the
// summary's time unit); after each repeat purchase (BG/NBD) or also at time 0 (MBG/NBD) the
// customer drops out with probability p ~ Beta(a, b).
//
//   fit(summary)                             maximum likelihood on the compressed summary
//   parameters(), standard_errors()          {r, alpha, a, b}
//   log_likelihood(), report()               the fit's total log-likelihood; how L-BFGS stopped
//   expected_purchases(t)                    E[X(t)] for a new customer
//   conditional_expected_purchases(t, s)     E[Y(t) | x, t_x, T] per customer of a summary
//   conditional_expected_purchases(t, x, t_x, T)  the same for one (hypothetical) customer,
//                                            as lifetimes' predict(t, x, t_x, T)
//   probability_alive(s), probability_alive(x, t_x, T)   P(alive | x, t_x, T)
//   probability_of_purchases(n, t)           P(X(t) = n) for a new customer
//   conditional_probability_no_purchases(t, s)  P(no purchase in (T, T + t] | x, t_x, T):
//                                            1 - P(alive) (1 - ((alpha + T) / (alpha + T + t))^(r + x))
//   log_likelihood_gradient(s)               the exact gradient of the log-likelihood
//
// The conditional expectation needs the Gauss hypergeometric function, evaluated in log
// space (clm::log_hyp2f1), so frequencies in the hundreds do not overflow. With a = 1 the
// expectations are undefined (a pole of the closed form) and throw numeric_error.
// Summaries given to predictions must be in the fitted time unit.

#include <array>
#include <cmath>
#include <string>

#include "clm/core/special.hpp"
#include "clm/lifetime/detail/base.hpp"

namespace clm {

struct bg_nbd_parameters {
  double r = 0.0, alpha = 0.0, a = 0.0, b = 0.0;
  friend bool operator==(const bg_nbd_parameters&, const bg_nbd_parameters&) = default;
};

namespace detail {

/// BG/NBD (Modified = false) and MBG/NBD (Modified = true) differ only by where the first
/// drop-out chance falls; the offset m = 1 for MBG/NBD shifts b + x - 1 to b + x throughout.
template <class T, bool Modified>
class beta_geometric_nbd : public lifetime_base<beta_geometric_nbd<T, Modified>, T, 4> {
  using base = lifetime_base<beta_geometric_nbd<T, Modified>, T, 4>;
  friend base;

 public:
  static constexpr std::size_t K = 4;
  static constexpr const char* name = Modified ? "mbg_nbd" : "bg_nbd";
  static constexpr std::array<const char*, 4> parameter_names{"r", "alpha", "a", "b"};
  static constexpr bool analytic_gradient = true;
  static constexpr double m = Modified ? 1.0 : 0.0;

  using base::base;

  bg_nbd_parameters parameters() const {
    const auto& p = this->fitted_parameters();
    return {p[0], p[1], p[2], p[3]};
  }
  /// Standard errors of r, alpha, a, b (NaN when the Hessian is singular or the parameters
  /// were set directly).
  bg_nbd_parameters standard_errors() const {
    const auto& p = this->fitted_standard_errors();
    return {p[0], p[1], p[2], p[3]};
  }
  beta_geometric_nbd& set_parameters(const bg_nbd_parameters& p, time_unit unit = time_unit::week) {
    return base::set_parameters({p.r, p.alpha, p.a, p.b}, unit);
  }

  /// E[X(t)]: purchases in (0, t] of a customer acquired at 0 (lifetimes' expected number of
  /// purchases up to time t).
  T expected_purchases(double t) const {
    require_param(t >= 0.0 && std::isfinite(t), name, "t", t, "finite and >= 0");
    return static_cast<T>(conditional_one(t, 0.0, 0.0, 0.0));
  }

  vector<T> conditional_expected_purchases(double t, const customer_summary& s) const {
    require_param(t >= 0.0 && std::isfinite(t), name, "t", t, "finite and >= 0");
    this->check_prediction_summary(s, "conditional_expected_purchases");
    vector<T> out = vector<T>::from_shape({s.size()});
    for (std::size_t i = 0; i < s.size(); ++i) {
      out(i) = static_cast<T>(conditional_one(t, s.frequency(i), s.recency(i), s.T(i)));
    }
    return out;
  }

  static constexpr bool purchase_model = true;   // the one-customer predictions of the base
  using base::conditional_expected_purchases;  // (t, x, t_x, T) for one customer
  using base::probability_alive;               // (x, t_x, T) for one customer

  vector<T> probability_alive(const customer_summary& s) const {
    this->check_prediction_summary(s, "probability_alive");
    vector<T> out = vector<T>::from_shape({s.size()});
    for (std::size_t i = 0; i < s.size(); ++i) {
      out(i) = static_cast<T>(alive_one(s.frequency(i), s.recency(i), s.T(i)));
    }
    return out;
  }

  /// P(X(t) = n) for a customer acquired at 0 (Fader, Hardie & Lee 2005, eq. 8).
  T probability_of_purchases(std::size_t n, double t) const {
    require_param(t >= 0.0 && std::isfinite(t), name, "t", t, "finite and >= 0");
    const auto [r, alpha, a, b] = this->fitted_parameters();
    const double x = static_cast<double>(n);
    const double lb_ab = log_beta(a, b);
    const double l_stay = r * std::log(alpha / (alpha + t));                    // log (alpha / (alpha + t))^r
    const double l_z = t > 0.0 ? std::log(t / (alpha + t)) : -INFINITY;
    const double first = std::exp(log_beta(a, b + x + m) - lb_ab + log_gamma(r + x) - log_gamma(r) -
                                  log_gamma(x + 1.0) + l_stay + (n > 0 ? x * l_z : 0.0));
    if (n == 0 && !Modified) return static_cast<T>(first);
    double sum = 0.0;  // sum_{j < n} Gamma(r + j) / (Gamma(r) j!) (t / (alpha + t))^j
    for (std::size_t j = 0; j < n; ++j) {
      const double dj = static_cast<double>(j);
      sum += std::exp(log_gamma(r + dj) - log_gamma(r) - log_gamma(dj + 1.0) + (j > 0 ? dj * l_z : 0.0));
    }
    const double second = std::exp(log_beta(a + 1.0, b + x - 1.0 + m) - lb_ab) * (1.0 - std::exp(l_stay) * sum);
    return static_cast<T>(first + second);
  }

 private:
  static fit_rows rows(const customer_summary& s, const lifetime_params&, bool need_rows) {
    return purchase_rows(s, name, need_rows);
  }

  static std::array<double, 4> start(const fit_rows& d) {
    const double mean_x = std::max(weighted_mean(d.x, d), 0.1);
    const double mean_T = std::max(weighted_mean(d.T, d), 1e-3);
    return {1.0, mean_T / mean_x, 1.0, 1.0};
  }

  static void check_parameters(const std::array<double, 4>&) {}

  static double row_log_likelihood(const std::array<double, 4>& p, const fit_rows& d, std::size_t i,
                                   std::array<double, 4>* g) {
    const auto [r, alpha, a, b] = p;
    const double x = d.x[i], tx = d.recency[i], age = d.T[i];
    const double A1 = log_gamma(r + x) - log_gamma(r) + r * std::log(alpha);
    const double A2 = log_gamma(a + b) + log_gamma(b + x + m) - log_gamma(b) - log_gamma(a + b + x + m);
    const double A3 = -(r + x) * std::log(alpha + age);
    const bool has4 = Modified || x > 0.0;
    const double A4 = has4 ? std::log(a) - std::log(b + x - 1.0 + m) - (r + x) * std::log(alpha + tx) : -INFINITY;
    const double top = std::max(A3, A4);
    const double mix = top + std::log(std::exp(A3 - top) + (has4 ? std::exp(A4 - top) : 0.0));
    if (g != nullptr) {
      const double w4 = has4 ? std::exp(A4 - mix) : 0.0, w3 = 1.0 - w4;
      const double psi_ab = digamma(a + b), psi_abx = digamma(a + b + x + m);
      (*g)[0] = digamma(r + x) - digamma(r) + std::log(alpha) - w3 * std::log(alpha + age) -
                w4 * (has4 ? std::log(alpha + tx) : 0.0);
      (*g)[1] = r / alpha - w3 * (r + x) / (alpha + age) - (has4 ? w4 * (r + x) / (alpha + tx) : 0.0);
      (*g)[2] = psi_ab - psi_abx + (has4 ? w4 / a : 0.0);
      (*g)[3] = psi_ab + digamma(b + x + m) - digamma(b) - psi_abx - (has4 ? w4 / (b + x - 1.0 + m) : 0.0);
    }
    return A1 + A2 + mix;
  }

  /// log of (a / (b + x - 1 + m)) ((alpha + T) / (alpha + t_x))^(r + x), the odds of having
  /// dropped out; -infinity where that cannot have happened (BG/NBD, x = 0).
  double log_dropout_odds(double x, double tx, double age) const {
    const auto [r, alpha, a, b] = this->fitted_parameters();
    if (!Modified && x == 0.0) return -INFINITY;
    return std::log(a) - std::log(b + x - 1.0 + m) + (r + x) * (std::log(alpha + age) - std::log(alpha + tx));
  }

  double alive_one(double x, double tx, double age) const { return 1.0 / (1.0 + std::exp(log_dropout_odds(x, tx, age))); }

  /// P(no purchase in (T, T + t] | alive at T, x purchases): a customer drops out only at a
  /// purchase, so E[exp(-lambda t)] under lambda ~ Gamma(r + x, alpha + T).
  double quiet_if_alive(double t, double x, double age) const {
    const auto [r, alpha, a, b] = this->fitted_parameters();
    return std::exp((r + x) * (std::log(alpha + age) - std::log(alpha + age + t)));
  }

  double conditional_one(double t, double x, double tx, double age) const {
    const auto [r, alpha, a, b] = this->fitted_parameters();
    if (a == 1.0) throw numeric_error(std::string(name) + ": expected purchases are undefined for a = 1");
    if (t == 0.0) return 0.0;
    const double c = a + b + x - 1.0 + m;
    const double l = log_hyp2f1(r + x, b + x + m, c, t / (alpha + age + t)) +
                     (r + x) * (std::log(alpha + age) - std::log(alpha + age + t));
    const double numerator = c / (a - 1.0) * -std::expm1(l);
    return numerator * alive_one(x, tx, age);
  }
};

}  // namespace detail

template <class T = double>
using bg_nbd = detail::beta_geometric_nbd<T, false>;

template <class T = double>
using mbg_nbd = detail::beta_geometric_nbd<T, true>;

}  // namespace clm
