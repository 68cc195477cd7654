// Elementary functions written so a compiler can vectorise a loop that calls them: no
// branches (selects only), no calls into libm, no lookup tables. `std::exp` and `std::log`
// are opaque calls that keep every loop around them scalar; these are the kernels of the
// logistic loss and the sigmoid, where one exponential and one logarithm per row dominate
// a fit once the data is in cache.
//
// Accuracy (tests/core/vmath.cpp measures it against libm over dense grids and random
// arguments of the stated domains):
//   exp_nonpositive(x), x <= 0      : within 2 ulp of exp(x) where exp(x) is a normal number
//                                     (x >= -708), 0 below that (exp(-708) = 3.3e-308)
//   log1p_unit(e),   0 <= e <= 1    : within 2 ulp of log1p(e)
//   sigmoid(z)                      : within 4 ulp of 1 / (1 + exp(-z)), for every finite z
//
// Method. exp: x = n ln2 + r with |r| <= ln2 / 2 (Cody & Waite's two-part ln2), exp(r) by
// its degree-13 Taylor polynomial (truncation below 5e-18 relative), times 2^n built in the
// exponent bits. log1p: 1 + e = 2^k (1 + f) with f in [sqrt(1/2) - 1, sqrt(2) - 1], then
// log(1 + f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.1716, by the minimax polynomial in s^2
// of the classic fdlibm logarithm (Sun Microsystems, 1993), which is within 1 ulp there.
// NaN and infinite arguments are outside the stated domains (the callers guard them).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace clm::vmath {

/// exp(x) for x <= 0; 0 for x < -708.
inline double exp_nonpositive(double x) noexcept {
  constexpr double log2e = 1.4426950408889634074;
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // ln 2 to 32 bits: n * ln2_hi is exact
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const bool underflow = x < -708.0;
  const double xc = underflow ? -708.0 : x;
  const double t = xc * log2e + shifter;
  const double n = t - shifter;  // round(x / ln 2), in [-1022, 0]
  const double r = (xc - n * ln2_hi) - n * ln2_lo;
  // exp(r) - 1 - r, Horner over 1/k!, k = 2..13 (|r| <= 0.347).
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  const double er = 1.0 + (r + r * r * p);
  // 2^n: the integer n sits in the low bits of t; move n + 1023 into the exponent field.
  const std::int64_t ni = std::bit_cast<std::int64_t>(t) - std::bit_cast<std::int64_t>(shifter);
  const double scale = std::bit_cast<double>(static_cast<std::uint64_t>(ni + 1023) << 52);
  return underflow ? 0.0 : er * scale;
}

/// log(1 + e) for 0 <= e <= 1, without forming 1 + e (exact near 0: log1p(e) ~ e).
inline double log1p_unit(double e) noexcept {
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                   Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                   Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  // 1 + e = 2^k (1 + f): k = 0 with f = e up to sqrt(2) - 1, else k = 1 with f = (e - 1) / 2.
  const bool upper = e > 0.41421356237309504880;
  const double f = upper ? 0.5 * (e - 1.0) : e;
  const double k = upper ? 1.0 : 0.0;
  const double s = f / (2.0 + f);
  const double z = s * s, w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double R = t1 + t2;
  const double hfsq = 0.5 * f * f;
  // log(1 + f) = f - hfsq + s (hfsq + R), arranged as fdlibm does to keep the error small.
  return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
}

/// 1 / (1 + exp(-z)) for finite z, from one exponential of -|z|.
inline double sigmoid(double z) noexcept {
  const double e = exp_nonpositive(z >= 0 ? -z : z);
  const double q = 1.0 / (1.0 + e);
  return z >= 0 ? q : e * q;
}

/// log(1 + exp(-m)) for finite m (the logistic loss of margin m), without overflow.
inline double log1p_exp_neg(double m) noexcept {
  const double e = exp_nonpositive(m >= 0 ? -m : m);
  return (m >= 0 ? 0.0 : -m) + log1p_unit(e);
}

/// The sum of x[0..n) with eight independent accumulators (a latency-bound single chain
/// is eight times slower; the order of additions is fixed, so the result is reproducible).
inline double sum(const double* x, std::size_t n) noexcept {
  double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t k = 0; k < 8; ++k) a[k] += x[i + k];
  }
  for (std::size_t k = 0; i < n; ++i, ++k) a[k] += x[i];
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

}  // namespace clm::vmath
