#pragma once
// Sorting of doubles through order-preserving 64-bit keys, by an LSD radix sort.
//
//   order_key(v)        an unsigned key with order_key(a) < order_key(b) iff a < b, for
//                       finite a, b; -0.0 and 0.0 get the same key (they compare equal)
//   from_order_key(k)   the double back
//   radix_sort(keys)    ascending, stable, O(n): 8-bit digits, one histogram pass for all
//                       digits, digits that every key shares are skipped (scores in a narrow
//                       range sort in fewer passes)
//   radix_argsort(v, n, descending)
//                       the permutation that sorts v (finite doubles), stable: equal values
//                       keep their input order in both directions
//
// Used where a metric or a model sorts millions of scores (ROC AUC, curves, top-k).

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "clm/core/types.hpp"

namespace clm::detail {

inline std::uint64_t order_key(double v) noexcept {
  if (v == 0.0) v = 0.0;  // one key for -0.0 and 0.0
  const auto b = std::bit_cast<std::uint64_t>(v);
  constexpr std::uint64_t sign = std::uint64_t{1} << 63;
  return (b & sign) != 0 ? ~b : (b | sign);
}

inline double from_order_key(std::uint64_t k) noexcept {
  constexpr std::uint64_t sign = std::uint64_t{1} << 63;
  return std::bit_cast<double>((k & sign) != 0 ? (k & ~sign) : ~k);
}

/// n uninitialised keys, huge-page backed when large (first touch is most of the cost of a
/// fresh buffer of millions of keys).
inline std::unique_ptr<std::uint64_t[]> uninitialized_keys(std::size_t n) {
  std::unique_ptr<std::uint64_t[]> p(new std::uint64_t[n]);
  advise_huge_pages(p.get(), n * sizeof(std::uint64_t));
  return p;
}

/// The LSD passes of both sorts: keys[0, n) ascending through `scratch` (n keys), with
/// payload[0, n) moved alongside (through payload_scratch) unless P is void.
template <class P>
void radix_passes(std::uint64_t* keys, std::uint64_t* scratch, P* payload, P* payload_scratch, std::size_t n) {
  // 8-bit digits: 256 buckets keep the scatter within the TLB's reach, which beats fewer,
  // wider passes on large inputs.
  constexpr unsigned bits = 8, passes = 8;
  constexpr std::size_t radix = std::size_t{1} << bits, mask = radix - 1;
  std::array<std::size_t, passes * radix> hist{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = keys[i];
    for (unsigned p = 0; p < passes; ++p) ++hist[p * radix + ((k >> (p * bits)) & mask)];
  }
  std::uint64_t* src = keys;
  std::uint64_t* dst = scratch;
  P* psrc = payload;
  P* pdst = payload_scratch;
  for (unsigned p = 0; p < passes; ++p) {
    std::size_t* h = hist.data() + p * radix;
    if (h[(src[0] >> (p * bits)) & mask] == n) continue;  // every key has this digit
    std::size_t sum = 0;
    for (std::size_t d = 0; d < radix; ++d) {
      const std::size_t c = h[d];
      h[d] = sum;
      sum += c;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t k = src[i];
      const std::size_t at = h[(k >> (p * bits)) & mask]++;
      dst[at] = k;
      if constexpr (!std::is_void_v<P>) pdst[at] = psrc[i];
    }
    std::swap(src, dst);
    if constexpr (!std::is_void_v<P>) std::swap(psrc, pdst);
  }
  if (src != keys) {
    std::memcpy(keys, src, n * sizeof(std::uint64_t));
    if constexpr (!std::is_void_v<P>) std::memcpy(payload, psrc, n * sizeof(P));
  }
}

/// Sorts keys[0, n) ascending; `scratch` holds at least n keys.
inline void radix_sort(std::uint64_t* keys, std::size_t n, std::uint64_t* scratch) {
  if (n < 512) {
    std::sort(keys, keys + n);
    return;
  }
  radix_passes<void>(keys, scratch, nullptr, nullptr, n);
}

inline void radix_sort(std::vector<std::uint64_t>& keys) {
  if (keys.size() < 512) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  const auto scratch = uninitialized_keys(keys.size());
  radix_sort(keys.data(), keys.size(), scratch.get());
}

/// The stable sorting permutation of v[0, n) (finite values): ascending, or descending with
/// equal values still in input order. Keys and indices move together through the same
/// 8-bit passes as radix_sort.
inline std::vector<std::size_t> radix_argsort(const double* v, std::size_t n, bool descending = false) {
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  const auto key = [&](std::size_t i) { return descending ? ~order_key(v[i]) : order_key(v[i]); };
  if (n < 512) {
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    return idx;
  }
  std::vector<std::uint64_t> keys(n), keys2(n);
  std::vector<std::size_t> idx2(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key(i);
  radix_passes<std::size_t>(keys.data(), keys2.data(), idx.data(), idx2.data(), n);
  return idx;
}

}  // namespace clm::detail
