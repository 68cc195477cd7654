#pragma once
// clm::pareto_nbd<T> (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
// note "A note on deriving the Pareto/NBD model and related expressions" (2005).
//
// While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); the lifetime is
// exponential with rate mu ~ Gamma(s, beta) (alpha, beta in the summary's time unit).
//
//   fit(summary)                             maximum likelihood on the compressed summary,
//                                            with the likelihood's exact gradient
//   parameters(), standard_errors()          {r, alpha, s, beta}
//   log_likelihood(), report()
//   expected_purchases(t)                    E[X(t)] for a new customer
//   conditional_expected_purchases(t, s)     E[Y(t) | x, t_x, T] per customer of a summary
//   conditional_expected_purchases(t, x, t_x, T)  the same for one (hypothetical) customer
//   probability_alive(s), probability_alive(x, t_x, T)   P(alive | x, t_x, T)
//   probability_of_purchases(n, t)           P(X(t) = n) for a new customer (Fader & Hardie,
//                                            "Deriving an expression for P(X(t) = x) under
//                                            the Pareto/NBD model", 2006)
//   conditional_probability_no_purchases(t, s)  P(no purchase in (T, T + t] | x, t_x, T)
//   log_likelihood_gradient(s)               the exact gradient of the log-likelihood
//
// The "died in (t_x, T]" term is s times I = integral over (t_x, T] of
// f(tau) = (alpha + tau)^-(r+x) (beta + tau)^-(s+1), which the note writes through
// A0 = F(t_x) - F(T), F(t) = 2F1(r+s+x, b'; r+s+x+1; z(t)) / (max(alpha, beta) + t)^(r+s+x)
// with z = |alpha - beta| / (max(alpha, beta) + t) < 1. Euler's transformation
// 2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c - a, c - b; c; z), here with c - a = 1, turns it into
//   F(t) = (alpha + t)^-(r+x) (beta + t)^-s G(t)                        alpha >= beta
//   F(t) = (alpha + t)^-(r+x) (beta + t)^-s (alpha + t) / (beta + t) G(t)  alpha < beta
//   G = 2F1(1, e; r+s+x+1; z) = sum_k z^k prod_{j<k} (e + j) / (r+s+x+1 + j),
//   e = r + x (alpha >= beta) or s + 1 (alpha < beta),
// a series of positive terms whose ratios stay below z (the original series' terms first
// grow by up to (r + x) z per step when x is large), summed with its derivatives in e, c
// and z in the same loop: the gradient of the log-likelihood is exact and costs about one
// more value. The difference is taken as log F(t_x) + log1p(-F(T) / F(t_x)); where
// z(t_x) > 0.95 (one of alpha, beta much smaller than the other, as in the line search's
// far trial points) I is integrated numerically instead (with its derivatives, by the same
// nodes), so no series runs for thousands of terms.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

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
  static constexpr bool analytic_gradient = true;

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
  /// The distinct histories, sorted by frequency (stable), so sum_log_likelihood computes
  /// the terms in x once per distinct x.
  static detail::fit_rows rows(const customer_summary& sm, const lifetime_params&, bool need_rows) {
    detail::fit_rows d = detail::purchase_rows(sm, name, need_rows);
    std::vector<std::size_t> order(d.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d.x[a] < d.x[b]; });
    const auto permuted = [&](const std::vector<double>& v) {
      std::vector<double> out(v.size());
      for (std::size_t i = 0; i < order.size(); ++i) out[i] = v[order[i]];
      return out;
    };
    d.x = permuted(d.x);
    d.recency = permuted(d.recency);
    d.T = permuted(d.T);
    d.weight = permuted(d.weight);
    return d;
  }

  static std::array<double, 4> start(const detail::fit_rows& d) {
    const double mean_x = std::max(detail::weighted_mean(d.x, d), 0.1);
    const double mean_T = std::max(detail::weighted_mean(d.T, d), 1e-3);
    return {1.0, mean_T / mean_x, 1.0, mean_T};
  }

  static void check_parameters(const std::array<double, 4>&) {}

  using grad4 = std::array<double, 4>;  // derivatives in (r, alpha, s, beta)

  /// log F(t) (the header's Euler form) at the two times t[0], t[1] and, when `g` is given,
  /// its derivatives there (g[0], g[1]); la[q] and lb[q] are log(alpha + t[q]) and
  /// log(beta + t[q]). The two series share e and c, so they run in one loop: one set of
  /// divisions, two independent chains.
  static std::array<double, 2> log_primitives(const std::array<double, 4>& p, double x, const std::array<double, 2>& t,
                                              const std::array<double, 2>& la, const std::array<double, 2>& lb,
                                              std::array<grad4, 2>* g) {
    const auto [r, alpha, s, beta] = p;
    const bool a_ge_b = alpha >= beta;
    const double big = a_ge_b ? alpha : beta, small = a_ge_b ? beta : alpha;
    const double k1 = r + x, c = r + s + x + 1.0, e = a_ge_b ? k1 : s + 1.0;
    const std::array<double, 2> z{(big - small) / (big + t[0]), (big - small) / (big + t[1])};
    const std::array<double, 2> stop{1e-17 * (1.0 - z[0]) * (1.0 - z[0]), 1e-17 * (1.0 - z[1]) * (1.0 - z[1])};
    // G = 1 + z sum_{k>=1} u_k, u_1 = e / c, u_{k+1} = u_k (e + k) / (c + k) z: with u the
    // terms over z, dG/dz = sum k u_k is exact at z = 0 too. de and dc carry
    // sum_{j<k} 1 / (e + j) and sum_{j<k} 1 / (c + j) for the e and c derivatives.
    std::array<double, 2> G{1.0, 1.0}, Ge{}, Gc{}, Gz{}, u{e / c, e / c};
    double de = 1.0 / e, dc = 1.0 / c;
    for (std::size_t k = 1; k < 100'000; ++k) {
      const double dk = static_cast<double>(k);
      bool done = true;
      for (std::size_t q = 0; q < 2; ++q) {
        const double term = u[q] * z[q];
        G[q] += term;
        if (g) {
          Ge[q] += term * de;
          Gc[q] += term * dc;
          Gz[q] += dk * u[q];
        }
        // Later ratios stay below z: the tail after this term is below term z / (1 - z),
        // and the z-derivative's tail below term (k + 1) / (1 - z)^2.
        done = done && term * (dk + 1.0) <= stop[q] * G[q];
      }
      if (done) break;
      const double ic = 1.0 / (c + dk), ratio = (e + dk) * ic;
      u[0] *= ratio * z[0];
      u[1] *= ratio * z[1];
      if (g) {
        de += 1.0 / (e + dk);
        dc += ic;
      }
    }
    std::array<double, 2> value{};
    for (std::size_t q = 0; q < 2; ++q) {
      value[q] = -k1 * la[q] - s * lb[q] + (a_ge_b ? 0.0 : la[q] - lb[q]) + std::log(G[q]);
      if (g) {
        const double ia = 1.0 / (alpha + t[q]), ib = 1.0 / (beta + t[q]);
        const double le = Ge[q] / G[q], lc = -Gc[q] / G[q], lz = Gz[q] / G[q];  // d log G / d(e, c, z)
        // z = (alpha - beta) / (alpha + t) or (beta - alpha) / (beta + t)
        const double dz_da = a_ge_b ? (beta + t[q]) * ia * ia : -ib;
        const double dz_db = a_ge_b ? -ia : (alpha + t[q]) * ib * ib;
        auto& gq = (*g)[q];
        gq[0] = -la[q] + lc + (a_ge_b ? le : 0.0);
        gq[1] = -k1 * ia + (a_ge_b ? 0.0 : ia) + lz * dz_da;
        gq[2] = -lb[q] + lc + (a_ge_b ? 0.0 : le);
        gq[3] = -s * ib - (a_ge_b ? 0.0 : ib) + lz * dz_db;
      }
    }
    return value;
  }

  /// log I (the header's notation: the "died in (t_x, T]" term is s I) and its derivatives
  /// when `g` is given: log F(t_x) + log1p(-F(T) / F(t_x)) - log(r + s + x), or by
  /// quadrature where z(t_x) > 0.95. la_T, lb_T: log(alpha + T), log(beta + T); log_rsx:
  /// log(r + s + x).
  static double log_integral(const std::array<double, 4>& p, double x, double tx, double age, double la_T, double lb_T,
                             double log_rsx, grad4* g = nullptr) {
    const auto [r, alpha, s, beta] = p;
    if (age <= tx) {
      if (g) g->fill(0.0);
      return -INFINITY;
    }
    const double big = std::max(alpha, beta), diff = std::abs(alpha - beta);
    if (diff / (big + tx) > 0.95) return log_dead_integral(p, x, tx, age, g);
    std::array<grad4, 2> gt{};
    const auto [f_tx, f_T] = log_primitives(p, x, {tx, age}, {std::log(alpha + tx), la_T}, {std::log(beta + tx), lb_T},
                                            g ? &gt : nullptr);
    if (f_T >= f_tx) {  // rounding when T is within an ulp of t_x
      if (g) g->fill(0.0);
      return -INFINITY;
    }
    const double rho = std::exp(f_T - f_tx);
    if (g) {
      // d log(F1 - F2) = (d log F1 - rho d log F2) / (1 - rho)
      for (std::size_t k = 0; k < 4; ++k) (*g)[k] = (gt[0][k] - rho * gt[1][k]) / (1.0 - rho);
      const double inv = 1.0 / (r + s + x);
      (*g)[0] -= inv;
      (*g)[2] -= inv;
    }
    return f_tx + std::log1p(-rho) - log_rsx;
  }

  /// log of the integral over (t_x, T] of f(tau) = (alpha + tau)^-(r+x) (beta + tau)^-(s+1),
  /// and, when `g` is given, its derivatives (the integrals of f d log f / d theta over f's,
  /// by the same nodes). With phi(tau) = log f(t_x) - log f(tau) (increasing, concave), the
  /// range is cut where phi = 1, 2, 4, ..., 32, 50 (tau found by Newton's method from the
  /// left) and each panel integrated by 16-point Gauss-Legendre in log(min(alpha, beta) + tau)
  /// (see the loop): within a panel f falls by at most exp(-w) over a phi-width w, and panels
  /// beyond phi = 50 hold less than 1e-21 of the total. Checked against the series where both
  /// apply (tests/lifetime).
  static double log_dead_integral(const std::array<double, 4>& p, double x, double tx, double age, grad4* g = nullptr) {
    // Named copies, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    const double k1 = r + x, k2 = s + 1.0;
    const auto phi = [&](double tau) {
      return k1 * std::log1p((tau - tx) / (alpha + tx)) + k2 * std::log1p((tau - tx) / (beta + tx));
    };
    const auto dphi = [&](double tau) { return k1 / (alpha + tau) + k2 / (beta + tau); };
    const double phi_end = phi(age), small = std::min(alpha, beta);
    const auto& gl = gauss_legendre16();
    double total = 0.0, lo_tau = tx, tau = tx;
    grad4 moments{};  // integrals of f d log f / d theta, over f(t_x)
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
      // Gauss-Legendre in v = log(min(alpha, beta) + tau), the variable in which the factor
      // with the nearer singularity is an exponential: in tau, (small + tau)^-k can have its
      // branch point much closer to the panel than the panel is wide.
      const double v_lo = std::log(small + lo_tau), v_hi = std::log(small + hi_tau);
      const double half = (v_hi - v_lo) / 2.0, mid = (v_hi + v_lo) / 2.0;
      for (const auto& [node, weight] : gl) {
        const double ev = std::exp(mid + half * node), at = ev - small;
        const double f = half * weight * ev * std::exp(-phi(at));
        total += f;
        if (g) {
          moments[0] -= f * std::log(alpha + at);
          moments[1] -= f * k1 / (alpha + at);
          moments[2] -= f * std::log(beta + at);
          moments[3] -= f * k2 / (beta + at);
        }
      }
      lo = hi;
      lo_tau = hi_tau;
    }
    if (g) {
      for (std::size_t k = 0; k < 4; ++k) (*g)[k] = moments[k] / total;
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

  /// What a row's log-likelihood needs that depends on the parameters alone (logs of alpha,
  /// beta, s) or on them and x alone (log Gamma(r + x) - log Gamma(r), its r-derivative
  /// psi(r + x) - psi(r), log(r + s + x)): computed once per evaluation and per distinct x.
  struct shared_terms {
    double log_alpha, log_beta, log_s;
  };
  struct x_terms {
    double log_gamma_ratio = 0.0, digamma_difference = 0.0, log_rsx = 0.0;
  };
  static shared_terms shared_of(const std::array<double, 4>& p) {
    return {std::log(p[1]), std::log(p[3]), std::log(p[2])};
  }
  static x_terms terms_of(const std::array<double, 4>& p, double x, bool gradient) {
    const double r = p[0];
    return {log_gamma(r + x) - log_gamma(r), gradient ? digamma(r + x) - digamma(r) : 0.0, std::log(r + p[2] + x)};
  }

  /// One row's log-likelihood (and gradient into g).
  static double row_value(const std::array<double, 4>& p, const shared_terms& sh, const x_terms& xt, double x,
                          double tx, double age, grad4* g) {
    const auto [r, alpha, s, beta] = p;
    const double head = xt.log_gamma_ratio + r * sh.log_alpha + s * sh.log_beta;
    const double la = std::log(alpha + age), lb = std::log(beta + age);
    const double alive_term = -(r + x) * la - s * lb;
    grad4 g_dead{};
    const double dead_term = sh.log_s + log_integral(p, x, tx, age, la, lb, xt.log_rsx, g ? &g_dead : nullptr);
    // log(e^alive + e^dead) = top + log1p(e^-|alive - dead|): one exponential
    const bool alive_top = alive_term >= dead_term;
    const double w = std::exp(alive_top ? dead_term - alive_term : alive_term - dead_term);
    if (g) {
      const double other = w / (1.0 + w);  // the smaller term's share
      const double a = alive_top ? 1.0 - other : other, b = 1.0 - a;
      g_dead[2] += 1.0 / s;
      (*g)[0] = xt.digamma_difference + sh.log_alpha + a * -la + b * g_dead[0];
      (*g)[1] = r / alpha + a * -(r + x) / (alpha + age) + b * g_dead[1];
      (*g)[2] = sh.log_beta + a * -lb + b * g_dead[2];
      (*g)[3] = s / beta + a * -s / (beta + age) + b * g_dead[3];
    }
    return head + (alive_top ? alive_term : dead_term) + std::log1p(w);
  }

  static double row_log_likelihood(const std::array<double, 4>& p, const detail::fit_rows& d, std::size_t i,
                                   grad4* gradient) {
    return row_value(p, shared_of(p), terms_of(p, d.x[i], gradient != nullptr), d.x[i], d.recency[i], d.T[i],
                     gradient);
  }

  /// The terms over the rows (sorted by x in rows()): the terms in x once per distinct x,
  /// the logs of the parameters once.
  static void sum_log_likelihood(const std::array<double, 4>& p, const detail::fit_rows& d,
                                 std::array<exact_sum, 5>& sums, bool g) {
    const shared_terms sh = shared_of(p);
    grad4 row{};
    x_terms xt;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (i == 0 || d.x[i] != d.x[i - 1]) xt = terms_of(p, d.x[i], g);
      const double w = d.weight[i];
      sums[0].add(w * row_value(p, sh, xt, d.x[i], d.recency[i], d.T[i], g ? &row : nullptr));
      if (g) {
        for (std::size_t k = 0; k < 4; ++k) sums[k + 1].add(w * row[k]);
      }
    }
  }

  static double alive(const std::array<double, 4>& p, double x, double tx, double age) {
    const auto [r, alpha, s, beta] = p;
    const double la = std::log(alpha + age), lb = std::log(beta + age);
    const double l = (r + x) * la + s * lb + std::log(s) + log_integral(p, x, tx, age, la, lb, std::log(r + s + x));
    return 1.0 / (1.0 + std::exp(l));
  }

  /// P(no purchase in (T, T + t] | alive at T, x purchases). Given the rates, the remaining
  /// lifetime is exponential (mu) and P(none) = E[exp(-lambda min(tau, t))]
  /// = exp(-(lambda + mu) t) + integral over (0, t) of mu exp(-(lambda + mu) u) du; under the
  /// posteriors lambda ~ Gamma(r + x, alpha + T), mu ~ Gamma(s, beta + T) the first term is
  /// ((alpha + T) / (alpha + T + t))^(r + x) ((beta + T) / (beta + T + t))^s and the second
  /// s (alpha + T)^(r + x) (beta + T)^s times the likelihood's integral I over (T, T + t].
  double quiet_if_alive(double t, double x, double age) const {
    const auto& p = this->fitted_parameters();
    const auto [r, alpha, s, beta] = p;
    if (t == 0.0) return 1.0;
    const double la = std::log(alpha + age), lb = std::log(beta + age);
    const double la_t = std::log(alpha + age + t), lb_t = std::log(beta + age + t);
    const double stay = std::exp((r + x) * (la - la_t) + s * (lb - lb_t));
    const double died = std::exp(std::log(s) + (r + x) * la + s * lb +
                                 log_integral(p, x, age, age + t, la_t, lb_t, std::log(r + s + x)));
    return stay + died;
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
