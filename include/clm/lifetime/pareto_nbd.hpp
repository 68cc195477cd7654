#pragma once
// clm::pareto_nbd<T> (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
// note "A note on deriving the Pareto/NBD model and related expressions" (2005).
//
// While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); the lifetime is
// exponential with rate mu ~ Gamma(s, beta) (alpha, beta in the summary's time unit).
//
//   fit(summary)                             maximum likelihood on the compressed summary
//                                            (the gradient by fourth-order central
//                                            differences: the likelihood's hypergeometric
//                                            terms have no cheap closed-form derivative)
//   parameters(), standard_errors()          {r, alpha, s, beta}
//   log_likelihood(), report()
//   expected_purchases(t)                    E[X(t)] for a new customer
//   conditional_expected_purchases(t, s)     E[Y(t) | x, t_x, T] per customer of a summary
//   conditional_expected_purchases(t, x, t_x, T)  the same for one (hypothetical) customer
//   probability_alive(s), probability_alive(x, t_x, T)   P(alive | x, t_x, T)
//   probability_of_purchases(n, t)           P(X(t) = n) for a new customer (Fader & Hardie,
//                                            "Deriving an expression for P(X(t) = x) under
//                                            the Pareto/NBD model", 2006)
//
// The likelihood's 2F1 terms are evaluated in log space with the argument
// z = |alpha - beta| / (max(alpha, beta) + t) < 1 (the note's two cases), and their
// difference as log F(t_x) + log1p(-F(T) / F(t_x)); where z > 0.95 (one of alpha, beta much
// smaller than the other, as in the line search's far trial points) the same term is
// integrated numerically, so no series runs for millions of terms.

#include <array>
#include <cmath>
#include <string>

#include "clm/core/special.hpp"
#include "clm/lifetime/detail/base.hpp"

namespace clm {

struct pareto_nbd_parameters {
  double r = 0.0, alpha = 0.0, s = 0.0, beta = 0.0;
  friend bool operator==(const pareto_nbd_parameters&, const pareto_nbd_parameters&) = default;
};

template <class T = double>
class pareto_nbd : public detail::lifetime_base<pareto_nbd<T>, T, 4> {
  using base = detail::lifetime_base<pareto_nbd<T>, T, 4>;
  friend base;

 public:
  static constexpr std::size_t K = 4;
  static constexpr const char* name = "pareto_nbd";
  static constexpr std::array<const char*, 4> parameter_names{"r", "alpha", "s", "beta"};
  static constexpr bool analytic_gradient = false;

  using base::base;

  pareto_nbd_parameters parameters() const {
    const auto& p = this->fitted_parameters();
    return {p[0], p[1], p[2], p[3]};
  }
  pareto_nbd_parameters standard_errors() const {
    const auto& p = this->fitted_standard_errors();
    return {p[0], p[1], p[2], p[3]};
  }
  pareto_nbd& set_parameters(const pareto_nbd_parameters& p, time_unit unit = time_unit::week) {
    return base::set_parameters({p.r, p.alpha, p.s, p.beta}, unit);
  }

  T expected_purchases(double t) const {
    require_param(t >= 0.0 && std::isfinite(t), name, "t", t, "finite and >= 0");
    return static_cast<T>(expected_if_alive(t, 0.0, 0.0));
  }

  vector<T> conditional_expected_purchases(double t, const customer_summary& sm) const {
    require_param(t >= 0.0 && std::isfinite(t), name, "t", t, "finite and >= 0");
    this->check_prediction_summary(sm, "conditional_expected_purchases");
    vector<T> out = vector<T>::from_shape({sm.size()});
    for (std::size_t i = 0; i < sm.size(); ++i) {
      out(i) = static_cast<T>(conditional_one(t, sm.frequency(i), sm.recency(i), sm.T(i)));
    }
    return out;
  }

  static constexpr bool purchase_model = true;   // the one-customer predictions of the base
  using base::conditional_expected_purchases;  // (t, x, t_x, T) for one customer
  using base::probability_alive;               // (x, t_x, T) for one customer

  vector<T> probability_alive(const customer_summary& sm) const {
    this->check_prediction_summary(sm, "probability_alive");
    vector<T> out = vector<T>::from_shape({sm.size()});
    for (std::size_t i = 0; i < sm.size(); ++i) {
      out(i) = static_cast<T>(alive_one(sm.frequency(i), sm.recency(i), sm.T(i)));
    }
    return out;
  }

  T probability_of_purchases(std::size_t n, double t) const {
    require_param(t >= 0.0 && std::isfinite(t), name, "t", t, "finite and >= 0");
    const auto [r, alpha, s, beta] = this->fitted_parameters();
    const double x = static_cast<double>(n);
    const double l_t = t > 0.0 ? std::log(t) : -INFINITY;
    const double first = std::exp(log_gamma(r + x) - log_gamma(r) - log_gamma(x + 1.0) +
                                  r * std::log(alpha / (alpha + t)) + (n > 0 ? x * (l_t - std::log(alpha + t)) : 0.0) +
                                  s * std::log(beta / (beta + t)));
    // alpha^r beta^s B(r + x, s + 1) / B(r, s) {B1 - sum_i Gamma(r+s+i) / (Gamma(r+s) i!) t^i B2_i}
    const bool a_ge_b = alpha >= beta;
    const double big = a_ge_b ? alpha : beta;
    const double b2 = a_ge_b ? s + 1.0 : r + x;
    const double c = r + s + x + 1.0;
    const double l_B1 = log_hyp2f1(r + s, b2, c, std::abs(alpha - beta) / big) - (r + s) * std::log(big);
    double bracket = 1.0;  // (B1 - sum) / B1, summed relative to B1
    for (std::size_t i = 0; i <= n; ++i) {
      const double di = static_cast<double>(i);
      const double l_B2 = log_hyp2f1(r + s + di, b2, c, std::abs(alpha - beta) / (big + t)) -
                          (r + s + di) * std::log(big + t);
      const double l_coef = log_gamma(r + s + di) - log_gamma(r + s) - log_gamma(di + 1.0) + (i > 0 ? di * l_t : 0.0);
      bracket -= std::exp(l_coef + l_B2 - l_B1);
    }
    const double l_pre = r * std::log(alpha) + s * std::log(beta) + log_beta(r + x, s + 1.0) - log_beta(r, s);
    return static_cast<T>(first + std::exp(l_pre + l_B1) * bracket);
  }

 private:
  static detail::fit_rows rows(const customer_summary& sm, const lifetime_params&) {
    return detail::purchase_rows(sm, name);
  }

  static std::array<double, 4> start(const detail::fit_rows& d) {
    const double mean_x = std::max(detail::weighted_mean(d.x, d), 0.1);
    const double mean_T = std::max(detail::weighted_mean(d.T, d), 1e-3);
    return {1.0, mean_T / mean_x, 1.0, mean_T};
  }

  static void check_parameters(const std::array<double, 4>&) {}

  /// log of the "died in (t_x, T]" term, s A0 / (r + s + x) in the note's notation, which is
  /// s * integral over (t_x, T] of (alpha + tau)^-(r+x) (beta + tau)^-(s+1) dtau. By the
  /// note's 2F1 closed form, A0 = F(t_x) - F(T) with
  /// F(t) = 2F1(r+s+x, b'; r+s+x+1; z(t)) / (big + t)^(r+s+x), while z(t_x) <= 0.95; beyond
  /// that the series converges slowly and the integral is taken by quadrature instead.
  static double log_dead_term(const std::array<double, 4>& p, double x, double tx, double age) {
    const auto [r, alpha, s, beta] = p;
    if (age <= tx) return -INFINITY;
    const bool a_ge_b = alpha >= beta;
    const double big = a_ge_b ? alpha : beta, diff = std::abs(alpha - beta);
    if (diff / (big + tx) > 0.95) return std::log(s) + log_dead_integral(p, x, tx, age);
    const double a1 = r + s + x, b1 = a_ge_b ? s + 1.0 : r + x, c1 = r + s + x + 1.0;
    const auto log_F = [&](double t) { return log_hyp2f1(a1, b1, c1, diff / (big + t)) - a1 * std::log(big + t); };
    const double f_tx = log_F(tx), f_T = log_F(age);
    if (f_T >= f_tx) return -INFINITY;  // rounding when T is within an ulp of t_x
    return std::log(s) - std::log(r + s + x) + f_tx + std::log1p(-std::exp(f_T - f_tx));
  }

  /// log of the integral over (t_x, T] of f(tau) = (alpha + tau)^-(r+x) (beta + tau)^-(s+1).
  /// With phi(tau) = log f(t_x) - log f(tau) (increasing, concave), the range is cut where
  /// phi = 1, 2, 4, ..., 32, 50 (tau found by Newton's method from the left) and each panel
  /// integrated by 16-point Gauss-Legendre in tau: within a panel exp(-phi) falls by at most
  /// exp(-w) over a phi-width w, which 16 points integrate to a relative error near
  /// (w / 2)^32 / 32!, and panels beyond phi = 50 hold less than 1e-21 of the total.
  static double log_dead_integral(const std::array<double, 4>& p, double x, double tx, double age) {
    // Named copies, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    const double k1 = r + x, k2 = s + 1.0;
    const auto phi = [&](double tau) {
      return k1 * std::log1p((tau - tx) / (alpha + tx)) + k2 * std::log1p((tau - tx) / (beta + tx));
    };
    const auto dphi = [&](double tau) { return k1 / (alpha + tau) + k2 / (beta + tau); };
    const double phi_end = phi(age);
    const auto& gl = gauss_legendre16();
    double total = 0.0, lo_tau = tx, tau = tx;
    for (double lo = 0.0; lo < phi_end && lo < 50.0;) {
      const double hi = std::min({lo < 1.0 ? 1.0 : 2.0 * lo, 50.0, phi_end});
      double hi_tau = age;
      if (hi < phi_end) {
        for (int it = 0; it < 100; ++it) {
          const double step = (hi - phi(tau)) / dphi(tau);
          tau += step;
          if (std::abs(step) <= 1e-14 * (std::abs(tau) + 1.0)) break;
        }
        hi_tau = std::min(tau, age);
      }
      const double half = (hi_tau - lo_tau) / 2.0, mid = (hi_tau + lo_tau) / 2.0;
      for (const auto& [node, weight] : gl) total += half * weight * std::exp(-phi(mid + half * node));
      lo = hi;
      lo_tau = hi_tau;
    }
    return -k1 * std::log(alpha + tx) - k2 * std::log(beta + tx) + std::log(total);
  }

  /// 16-point Gauss-Legendre nodes (ascending) and weights on [-1, 1], by Newton's method
  /// on the Legendre polynomial.
  static const std::array<std::array<double, 2>, 16>& gauss_legendre16() {
    static const auto table = [] {
      std::array<std::array<double, 2>, 16> t{};
      constexpr int n = 16;
      for (int i = 0; i < n; ++i) {
        double z = std::cos(3.14159265358979323846 * (i + 0.75) / (n + 0.5)), dp = 0.0;
        for (int it = 0; it < 100; ++it) {
          double p0 = 1.0, p1 = 0.0;
          for (int j = 1; j <= n; ++j) {
            const double p2 = p1;
            p1 = p0;
            p0 = ((2.0 * j - 1.0) * z * p1 - (j - 1.0) * p2) / j;
          }
          dp = n * (z * p0 - p1) / (z * z - 1.0);
          const double dz = p0 / dp;
          z -= dz;
          if (std::abs(dz) < 1e-16) break;
        }
        t[static_cast<std::size_t>(n - 1 - i)] = {z, 2.0 / ((1.0 - z * z) * dp * dp)};
      }
      return t;
    }();
    return table;
  }

  static double row_log_likelihood(const std::array<double, 4>& p, const detail::fit_rows& d, std::size_t i,
                                   std::array<double, 4>*) {
    const auto [r, alpha, s, beta] = p;
    const double x = d.x[i], tx = d.recency[i], age = d.T[i];
    const double head = log_gamma(r + x) - log_gamma(r) + r * std::log(alpha) + s * std::log(beta);
    const double alive_term = -(r + x) * std::log(alpha + age) - s * std::log(beta + age);
    const double dead_term = log_dead_term(p, x, tx, age);
    const double top = std::max(alive_term, dead_term);
    return head + top + std::log(std::exp(alive_term - top) + std::exp(dead_term - top));
  }

  static double alive(const std::array<double, 4>& p, double x, double tx, double age) {
    const auto [r, alpha, s, beta] = p;
    const double l = (r + x) * std::log(alpha + age) + s * std::log(beta + age) + log_dead_term(p, x, tx, age);
    return 1.0 / (1.0 + std::exp(l));
  }

  /// E[purchases in (T, T + t] | alive at T, x purchases]: (r + x)(beta + T) / ((alpha + T)(s - 1))
  /// (1 - ((beta + T) / (beta + T + t))^(s - 1)); its limit at s = 1.
  double alive_one(double x, double tx, double age) const { return alive(this->fitted_parameters(), x, tx, age); }
  double conditional_one(double t, double x, double tx, double age) const {
    return expected_if_alive(t, x, age) * alive_one(x, tx, age);
  }

  double expected_if_alive(double t, double x, double age) const {
    const auto [r, alpha, s, beta] = this->fitted_parameters();
    const double rate = (r + x) / (alpha + age), bt = beta + age;
    if (std::abs(s - 1.0) < 1e-10) return rate * bt * std::log1p(t / bt);
    return rate * bt / (s - 1.0) * -std::expm1((s - 1.0) * (std::log(bt) - std::log(bt + t)));
  }
};

}  // namespace clm
