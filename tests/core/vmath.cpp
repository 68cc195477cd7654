// core/vmath: the vectorisable exp, log1p and sigmoid against libm, in ulp, over dense
// grids of their domains and random arguments, plus their exact values and limits.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "clm/core/vmath.hpp"

namespace {

/// Distance in units in the last place between two finite doubles of the same sign.
std::int64_t ulps(double a, double b) {
  const auto ia = std::bit_cast<std::int64_t>(a), ib = std::bit_cast<std::int64_t>(b);
  return ia > ib ? ia - ib : ib - ia;
}

/// The largest ulp distance of f from ref over a grid of `steps` points on [lo, hi] and as
/// many uniform random points.
template <class F, class R>
std::int64_t worst_ulps(F f, R ref, double lo, double hi, int steps) {
  std::int64_t worst = 0;
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int i = 0; i <= steps; ++i) {
    const double x = lo + (hi - lo) * i / steps;
    const double y = u(gen);
    worst = std::max({worst, ulps(f(x), ref(x)), ulps(f(y), ref(y))});
  }
  return worst;
}

}  // namespace

TEST_CASE("vmath exp_nonpositive is within 2 ulp of exp on [-708, 0] and 0 below") {
  const auto f = [](double x) { return clm::vmath::exp_nonpositive(x); };
  const auto ref = [](double x) { return std::exp(x); };
  CHECK(worst_ulps(f, ref, -708.0, 0.0, 2'000'000) <= 2);
  CHECK(worst_ulps(f, ref, -1.0, 0.0, 1'000'000) <= 2);
  CHECK(worst_ulps(f, ref, -1e-6, 0.0, 100'000) <= 2);
  CHECK(clm::vmath::exp_nonpositive(0.0) == 1.0);
  CHECK(clm::vmath::exp_nonpositive(-0.0) == 1.0);
  CHECK(ulps(clm::vmath::exp_nonpositive(-708.0), std::exp(-708.0)) <= 2);
  CHECK(clm::vmath::exp_nonpositive(-708.5) == 0.0);
  CHECK(clm::vmath::exp_nonpositive(-1e300) == 0.0);
  CHECK(clm::vmath::exp_nonpositive(-std::numeric_limits<double>::infinity()) == 0.0);
}

TEST_CASE("vmath log1p_unit is within 2 ulp of log1p on [0, 1], exact near 0") {
  const auto f = [](double e) { return clm::vmath::log1p_unit(e); };
  const auto ref = [](double e) { return std::log1p(e); };
  CHECK(worst_ulps(f, ref, 0.0, 1.0, 2'000'000) <= 2);
  CHECK(worst_ulps(f, ref, 0.4, 0.45, 200'000) <= 2);  // around the sqrt(2) - 1 switch
  CHECK(worst_ulps(f, ref, 0.0, 1e-6, 200'000) <= 2);
  CHECK(worst_ulps(f, ref, 0.0, 1e-300, 10'000) <= 1);
  CHECK(clm::vmath::log1p_unit(0.0) == 0.0);
  CHECK(clm::vmath::log1p_unit(1e-20) == 1e-20);
  CHECK(ulps(clm::vmath::log1p_unit(1.0), std::log(2.0)) <= 1);
}

TEST_CASE("vmath sigmoid and logistic loss match their libm forms over every finite margin") {
  const auto sig = [](double z) { return clm::vmath::sigmoid(z); };
  const auto sig_ref = [](double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); };
  CHECK(worst_ulps(sig, sig_ref, -700.0, 700.0, 2'000'000) <= 4);
  CHECK(worst_ulps(sig, sig_ref, -5.0, 5.0, 1'000'000) <= 4);
  CHECK(clm::vmath::sigmoid(0.0) == 0.5);
  CHECK(clm::vmath::sigmoid(800.0) == 1.0);
  CHECK(clm::vmath::sigmoid(-800.0) == 0.0);
  CHECK(clm::vmath::sigmoid(-30.0) > 0.0);

  const auto loss = [](double m) { return clm::vmath::log1p_exp_neg(m); };
  const auto loss_ref = [](double m) { return m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m)); };
  CHECK(worst_ulps(loss, loss_ref, -700.0, 700.0, 2'000'000) <= 4);
  CHECK(worst_ulps(loss, loss_ref, -5.0, 5.0, 1'000'000) <= 4);
  CHECK(clm::vmath::log1p_exp_neg(0.0) == doctest::Approx(std::log(2.0)).epsilon(1e-16));
  CHECK(clm::vmath::log1p_exp_neg(1e6) == 0.0);
  CHECK(clm::vmath::log1p_exp_neg(-1e6) == 1e6);
}
