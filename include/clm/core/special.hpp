#pragma once
// Special functions shared by several modules.

#include <cmath>
#include <limits>

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

}  // namespace clm
