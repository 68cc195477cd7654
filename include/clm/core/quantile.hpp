#pragma once
// Quantiles of sorted values, as numpy computes them, split into the order statistics they
// need and the interpolation between them, so that the same rule serves values held in one
// process (sorted_quantile, sorted_median) and values spread over ranks
// (clm/distributed/order_statistics.hpp).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace clm::detail {

/// numpy's "linear" quantile q of n > 0 sorted values lies between the order statistics lo
/// and hi (0-based), at fraction gamma from lo.
struct quantile_point {
  std::size_t lo = 0, hi = 0;
  double gamma = 0.0;
};

inline quantile_point quantile_point_of(std::size_t n, double q) {
  // numpy: virtual index = n q + (alpha + q (1 - alpha - beta)) - 1 with alpha = beta = 1.
  const double vi = static_cast<double>(n) * q + (1.0 + q * (1.0 - 1.0 - 1.0)) - 1.0;
  const double lo_f = std::floor(vi);
  const auto clamp = [&](double i) { return static_cast<std::size_t>(std::clamp(i, 0.0, static_cast<double>(n - 1))); };
  return {clamp(lo_f), clamp(lo_f + 1.0), vi - lo_f};
}

/// numpy's _lerp: a + (b - a) t, computed from the upper end when t >= 0.5.
inline double quantile_lerp(double a, double b, double gamma) {
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

/// numpy's median of n > 0 values from its middle order statistics: the middle one, or the
/// mean of the two middle ones (lo = hi when n is odd).
inline quantile_point median_point_of(std::size_t n) { return {(n - 1) / 2, n / 2, 0.5}; }
inline double median_of(std::size_t n, double lo, double hi) { return n % 2 == 1 ? lo : (lo + hi) / 2.0; }

/// numpy's linear-interpolation quantile (method "linear", as np.nanpercentile /
/// np.nanquantile) of `sorted` values, q in [0, 1]. NaN when empty.
inline double sorted_quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto p = quantile_point_of(sorted.size(), q);
  return quantile_lerp(sorted[p.lo], sorted[p.hi], p.gamma);
}

/// numpy's median of sorted values: the middle one, or the mean of the two middle ones.
inline double sorted_median(const std::vector<double>& sorted) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto p = median_point_of(sorted.size());
  return median_of(sorted.size(), sorted[p.lo], sorted[p.hi]);
}

}  // namespace clm::detail
