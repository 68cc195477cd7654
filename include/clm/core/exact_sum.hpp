#pragma once
// clm::exact_sum: a sum of doubles kept exactly (Shewchuk's non-overlapping expansion, the
// algorithm behind Python's math.fsum), whose value() is the exact sum rounded once to the
// nearest double (ties to even). The result does not depend on the order of the terms or on
// how they were split into partial sums: merging the partial sums of several processes gives
// the same bits as one process adding every term, which is what makes a fit across ranks equal
// to the one-process fit exactly.
//
// Cost: each add() walks the expansion with Knuth's TwoSum (no branches), which for terms of
// one sign and similar size stays at one to three components (at most ~40 for any finite
// doubles): about 10 ns an add on this project's machine, against 3 for a compensated sum. Non-finite terms (an infinite
// or NaN log-likelihood) are added apart, plainly, and the value is then their sum.

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace clm {

class exact_sum {
 public:
  void add(double x) noexcept {
    // The term as a rounded double: a compiler that contracts a caller's a * b + c into a
    // fused multiply-add (GCC does by default outside strict ISO modes) would otherwise
    // make TwoSum's error term wrong.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __asm__("" : "+x"(x));
#elif defined(__GNUC__) && defined(__aarch64__)
    __asm__("" : "+w"(x));
#endif
    if (!std::isfinite(x)) {
      special_ += x;
      has_special_ = true;
      return;
    }
    // Knuth's TwoSum on each component, smallest first (exact for any order of magnitudes,
    // without branches); the zero errors are dropped by a conditional increment.
    std::size_t i = 0;
    for (std::size_t k = 0; k < n_; ++k) {
      const double y = parts_[k];
      const double hi = x + y;
      const double yv = hi - x;
      const double lo = (x - (hi - yv)) + (y - yv);
      parts_[i] = lo;
      i += lo != 0.0;
      x = hi;
    }
    if (!std::isfinite(x)) {  // the partial sums overflowed
      special_ += x;
      has_special_ = true;
      n_ = 0;
      return;
    }
    parts_[i++] = x;
    n_ = i;
  }

  /// Adds every term another sum holds (exactly).
  void add(const exact_sum& other) noexcept {
    for (std::size_t k = 0; k < other.n_; ++k) add(other.parts_[k]);
    if (other.has_special_) {
      special_ += other.special_;
      has_special_ = true;
    }
  }

  /// The exact sum rounded to the nearest double.
  double value() const noexcept {
    if (has_special_) return special_;
    if (n_ == 0) return 0.0;
    std::size_t j = n_ - 1;
    double hi = parts_[j], lo = 0.0;
    while (j > 0) {
      const double x = hi, y = parts_[--j];
      hi = x + y;
      lo = y - (hi - x);
      if (lo != 0.0) break;
    }
    // Round half to even across the remaining components (as fsum).
    if (j > 0 && ((lo < 0.0 && parts_[j - 1] < 0.0) || (lo > 0.0 && parts_[j - 1] > 0.0))) {
      const double y = lo * 2.0, x = hi + y;
      if (y == x - hi) hi = x;
    }
    return hi;
  }

  /// The state as doubles (for a message to other processes), and back: write appends
  /// [count, components..., special flag, special value]; read consumes the same from `at`.
  void write(std::vector<double>& out) const {
    out.push_back(static_cast<double>(n_));
    out.insert(out.end(), parts_.begin(), parts_.begin() + static_cast<std::ptrdiff_t>(n_));
    out.push_back(has_special_ ? 1.0 : 0.0);
    out.push_back(special_);
  }
  /// Adds the terms of a sum written by write(); false when the doubles do not hold one.
  bool add_written(std::span<const double> in, std::size_t& at) noexcept {
    if (at >= in.size()) return false;
    const double count = in[at];
    if (!(count >= 0.0 && count <= static_cast<double>(capacity)) || in.size() - at < static_cast<std::size_t>(count) + 3) {
      return false;
    }
    const auto n = static_cast<std::size_t>(count);
    for (std::size_t k = 0; k < n; ++k) add(in[at + 1 + k]);
    if (in[at + 1 + n] != 0.0) {
      special_ += in[at + 2 + n];
      has_special_ = true;
    }
    at += n + 3;
    return true;
  }

 private:
  // Components are non-overlapping and increasing in magnitude; finite doubles span 2098
  // binary orders, so no more than 2098 / 53 + 1 of them can be non-zero at once.
  static constexpr std::size_t capacity = 48;
  std::array<double, capacity> parts_{};
  std::size_t n_ = 0;
  double special_ = 0.0;
  bool has_special_ = false;
};

}  // namespace clm
