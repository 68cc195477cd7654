#pragma once
// Seeded random numbers that are the same on every machine and standard library.
//
// Estimators own a clm::random_engine seeded from their params (never xtensor's global
// engine). The distributions here are written out rather than taken from <random>, whose
// distributions differ between standard libraries: same seed -> same numbers, anywhere.
//
// The engine is xoshiro256** (Blackman & Vigna) seeded through splitmix64.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

namespace clm {

class random_engine {
 public:
  using result_type = std::uint64_t;

  explicit random_engine(std::uint64_t seed = 0) noexcept { this->seed(seed); }

  void seed(std::uint64_t seed) noexcept {
    std::uint64_t z = seed;
    for (auto& s : s_) s = splitmix64(z);
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  result_type operator()() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// The full state, for persistence.
  const std::array<std::uint64_t, 4>& state() const noexcept { return s_; }
  void set_state(const std::array<std::uint64_t, 4>& s) noexcept { s_ = s; }

  friend bool operator==(const random_engine&, const random_engine&) = default;

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::array<std::uint64_t, 4> s_{};
};

/// Uniform on [0, 1) with 53 random bits.
inline double uniform01(random_engine& g) noexcept {
  return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

/// Uniform on [a, b).
inline double uniform(random_engine& g, double a, double b) noexcept {
  return a + (b - a) * uniform01(g);
}

/// Uniform integer on [0, n), n > 0, without modulo bias (Lemire's method).
inline std::uint64_t uniform_index(random_engine& g, std::uint64_t n) noexcept {
  unsigned __int128 m = static_cast<unsigned __int128>(g()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(g()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

/// Standard normal (Marsaglia's polar method; the spare value is not cached, so the
/// stream depends on the call sequence alone).
inline double normal(random_engine& g) noexcept {
  double u, v, s;
  do {
    u = 2.0 * uniform01(g) - 1.0;
    v = 2.0 * uniform01(g) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return u * std::sqrt(-2.0 * std::log(s) / s);
}

inline double normal(random_engine& g, double mean, double sd) noexcept {
  return mean + sd * normal(g);
}

/// Exponential with the given rate.
inline double exponential(random_engine& g, double rate) noexcept {
  return -std::log1p(-uniform01(g)) / rate;
}

/// Gamma(shape, scale) by Marsaglia & Tsang (2000); shape < 1 by the boost U^(1/shape).
inline double gamma(random_engine& g, double shape, double scale) noexcept {
  if (shape < 1.0) {
    const double u = uniform01(g);
    return gamma(g, shape + 1.0, scale) * std::pow(u == 0.0 ? 0x1.0p-53 : u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal(g);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform01(g);
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v * scale;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

/// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
inline double beta(random_engine& g, double a, double b) noexcept {
  const double x = gamma(g, a, 1.0);
  const double y = gamma(g, b, 1.0);
  return x / (x + y);
}

/// Bernoulli(p).
inline bool bernoulli(random_engine& g, double p) noexcept { return uniform01(g) < p; }

/// Poisson(mean): multiplication method for small means, normal-free PTRS
/// (Hormann 1993) for large ones.
inline std::uint64_t poisson(random_engine& g, double mean) noexcept {
  if (!(mean > 0.0)) return 0;
  if (mean < 10.0) {
    const double limit = std::exp(-mean);
    std::uint64_t k = 0;
    double p = uniform01(g);
    while (p > limit) {
      ++k;
      p *= uniform01(g);
    }
    return k;
  }
  const double slam = std::sqrt(mean), loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double U = uniform01(g) - 0.5;
    const double V = uniform01(g);
    const double us = 0.5 - std::fabs(U);
    const double k = std::floor((2.0 * a / us + b) * U + mean + 0.43);
    if (us >= 0.07 && V <= vr) return static_cast<std::uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && V > us)) continue;
    if (std::log(V) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1.0)) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

/// Fisher-Yates shuffle of [first, last).
template <class It>
void shuffle(It first, It last, random_engine& g) noexcept {
  const auto n = last - first;
  for (auto i = n - 1; i > 0; --i) {
    const auto j = static_cast<decltype(i)>(uniform_index(g, static_cast<std::uint64_t>(i + 1)));
    using std::swap;
    swap(first[i], first[j]);
  }
}

/// m distinct indices of 0 .. n-1 (m <= n) in random order: the first m steps of a
/// Fisher-Yates shuffle.
inline std::vector<std::size_t> sample_indices(random_engine& g, std::size_t n, std::size_t m) {
  std::vector<std::size_t> perm(n);
  for (std::size_t i = 0; i < n; ++i) perm[i] = i;
  for (std::size_t i = 0; i < m; ++i) std::swap(perm[i], perm[i + uniform_index(g, n - i)]);
  perm.resize(m);
  return perm;
}

}  // namespace clm
