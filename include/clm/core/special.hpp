#pragma once
// Special functions shared by several modules.
//
//   digamma(x)                 psi(x), x > 0
//   log_gamma(x)               log |Gamma(x)| without touching the global signgam (lgamma_r
//                              where the C library has it), so threads may call it at once
//   log_beta(a, b)             log B(a, b), a, b > 0
//   log_hyp2f1(a, b, c, z)     log of the Gauss hypergeometric 2F1(a, b; c; z) for a, b, c > 0
//                              and 0 <= z < 1: the power series summed with its running sum
//                              rescaled by powers of 2, so terms far beyond the double range
//                              (2F1 ~ 1e900 at a, b ~ 900, z = 0.9) still give the logarithm
//                              to ~1e-14 relative; stops when the tail bound term * rho / (1 - rho)
//                              (rho the largest ratio of successive terms still to come) is
//                              below 1e-17 of the sum. Throws numeric_error for arguments
//                              outside that domain and when 10^7 terms do not converge
//                              (z within about 1e-6 of 1).
//   normal_quantile(p)         the standard normal quantile Phi^-1(p), 0 < p < 1: Halley
//                              steps on Phi(x) = erfc(-x / sqrt 2) / 2 from a logistic start,
//                              to a few ulp (the accuracy of std::erfc)

#include <cmath>
#include <limits>
#include <string>

#include "clm/core/error.hpp"

namespace clm {

/// The digamma function psi(x) = d/dx log Gamma(x) for x > 0: the recurrence
/// psi(x) = psi(x + 1) - 1/x up to x >= 6, then the asymptotic series. Accurate to a few
/// ulp over x > 0; NaN for x <= 0.
inline double digamma(double x) noexcept {
  if (!(x > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  double result = 0.0;
  while (x < 6.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  const double inv = 1.0 / x, inv2 = inv * inv;
  // log x - 1/(2x) - sum B_2k / (2k x^2k)
  const double series =
      inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
  return result + std::log(x) - 0.5 * inv - series;
}

inline double log_gamma(double x) noexcept {
#if defined(__GLIBC__) || defined(__APPLE__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  return std::lgamma(x);
#endif
}

inline double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) throw invalid_argument("normal_quantile: p must be in (0, 1), got " + std::to_string(p));
  if (p > 0.5) return -normal_quantile(1.0 - p);  // the lower tail keeps p's digits
  constexpr double inv_sqrt2 = 0.70710678118654752440, sqrt2pi = 2.50662827463100050242;
  double x = -std::sqrt(-2.0 * std::log(p));  // the tail's leading behaviour
  if (p > 0.02) x = std::log(p / (1.0 - p)) / 1.702;  // logistic approximation near the centre
  for (int it = 0; it < 50; ++it) {
    const double cdf = 0.5 * std::erfc(-x * inv_sqrt2);
    const double pdf = std::exp(-0.5 * x * x) / sqrt2pi;
    const double r = (cdf - p) / pdf;  // Newton step; Halley's correction uses phi' = -x phi
    const double step = r / (1.0 + 0.5 * x * r);
    x -= step;
    if (std::abs(step) <= 1e-15 * (1.0 + std::abs(x))) break;
  }
  return x;
}

inline double log_beta(double a, double b) noexcept { return log_gamma(a) + log_gamma(b) - log_gamma(a + b); }

inline double log_hyp2f1(double a, double b, double c, double z) {
  if (!(a > 0.0 && b > 0.0 && c > 0.0 && z >= 0.0 && z < 1.0 && std::isfinite(a) && std::isfinite(b) &&
        std::isfinite(c))) {
    throw numeric_error("log_hyp2f1: expected a, b, c > 0 and 0 <= z < 1, got a = " + std::to_string(a) +
                        ", b = " + std::to_string(b) + ", c = " + std::to_string(c) + ", z = " + std::to_string(z));
  }
  if (z == 0.0) return 0.0;
  constexpr double scale_at = 0x1.0p+500, scale = 0x1.0p-500;
  constexpr double log_scale = 500.0 * 0.69314718055994530942;
  double term = 1.0, sum = 1.0, log_factor = 0.0;
  for (std::size_t n = 0; n < 10'000'000; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (sum > scale_at) {
      sum *= scale;
      term *= scale;
      log_factor += log_scale;
    }
    // The ratio tends to z; whether it approaches from above or below, every later ratio is
    // at most max(ratio, z) once the ratio has started to fall or stays below z.
    const double next = (a + dn + 1.0) * (b + dn + 1.0) / ((c + dn + 1.0) * (dn + 2.0)) * z;
    const double rho = std::max(next, z);
    if (next <= ratio || next <= z) {
      if (rho < 1.0 && term * rho / (1.0 - rho) <= 1e-17 * sum) return std::log(sum) + log_factor;
    }
  }
  throw numeric_error("log_hyp2f1: the series did not converge in 10^7 terms (a = " + std::to_string(a) +
                      ", b = " + std::to_string(b) + ", c = " + std::to_string(c) + ", z = " + std::to_string(z) + ")");
}

}  // namespace clm
