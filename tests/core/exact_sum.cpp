// exact_sum: the exact sum of doubles rounded once (ties to even), whatever the order of the
// terms or their split into partial sums. Expected values are those of Python's math.fsum
// (its test suite's cases).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "clm/core/exact_sum.hpp"
#include "clm/core/random.hpp"

namespace {
double sum_of(const std::vector<double>& v) {
  clm::exact_sum s;
  for (const double x : v) s.add(x);
  return s.value();
}
}  // namespace

TEST_CASE("exact_sum: cancellation and rounding that a running sum gets wrong") {
  CHECK(sum_of({1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50}) == 1e-100);
  CHECK(sum_of({std::ldexp(1.0, 53), -0.5, -std::ldexp(1.0, -54)}) == std::ldexp(1.0, 53) - 1.0);
  CHECK(sum_of({std::ldexp(1.0, 53), 1.0, std::ldexp(1.0, -100)}) == std::ldexp(1.0, 53) + 2.0);
  CHECK(sum_of({std::ldexp(1.0, 53) + 10.0, 1.0, std::ldexp(1.0, -100)}) == std::ldexp(1.0, 53) + 12.0);
  CHECK(sum_of({std::ldexp(1.0, 53) - 4.0, 0.5, std::ldexp(1.0, -54)}) == std::ldexp(1.0, 53) - 3.0);
  CHECK(sum_of({1.0, std::ldexp(1.0, -53)}) == 1.0);  // a tie: to even
  CHECK(sum_of({}) == 0.0);
  std::vector<double> harmonic, alternating;
  for (int n = 1; n <= 1000; ++n) {
    harmonic.push_back(1.0 / n);
    alternating.push_back((n % 2 ? -1.0 : 1.0) / n);
  }
  CHECK(sum_of(harmonic) == 0x1.df11f45f4e61ap+2);
  CHECK(sum_of(alternating) == -0x1.62a2af1bd3624p-1);
}

TEST_CASE("exact_sum: the same bits in any order and from any split into partial sums") {
  clm::random_engine g(7);
  std::vector<double> v;
  for (int i = 0; i < 5000; ++i) v.push_back(clm::normal(g) * std::exp(30.0 * clm::normal(g)));
  const double whole = sum_of(v);
  for (int round = 0; round < 5; ++round) {
    for (std::size_t i = v.size() - 1; i > 0; --i) std::swap(v[i], v[clm::uniform_index(g, i + 1)]);
    CHECK(sum_of(v) == whole);
    // Three partial sums, written and merged as a fit across ranks merges them.
    std::vector<double> message;
    for (std::size_t part = 0; part < 3; ++part) {
      clm::exact_sum s;
      for (std::size_t i = part * v.size() / 3; i < (part + 1) * v.size() / 3; ++i) s.add(v[i]);
      s.write(message);
    }
    clm::exact_sum merged;
    std::size_t at = 0;
    for (int part = 0; part < 3; ++part) REQUIRE(merged.add_written(message, at));
    CHECK(at == message.size());
    CHECK(merged.value() == whole);
  }
  // A malformed message is refused, not read past its end.
  std::vector<double> bad{5.0, 1.0};
  std::size_t at = 0;
  clm::exact_sum s;
  CHECK_FALSE(s.add_written(bad, at));
}

TEST_CASE("exact_sum: infinite and NaN terms, and overflowing partial sums") {
  CHECK(sum_of({1.0, INFINITY, 2.0}) == INFINITY);
  CHECK(std::isnan(sum_of({INFINITY, -INFINITY})));
  CHECK(std::isnan(sum_of({1.0, NAN})));
  CHECK(sum_of({1e308, 1e308}) == INFINITY);
}
