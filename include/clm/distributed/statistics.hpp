#pragma once
// Exact order statistics, quantiles and the mode of values spread over the ranks, without
// gathering them. The k-th smallest value is found by bisection on the values' order keys
// (clm/core/sort.hpp), each round counting every rank's values at or below the middle key
// and summing the counts (one allreduce of one count per statistic asked for). 64 rounds
// pin the key down exactly, so the result is a value of the data, bit for bit the one a
// single process finds by sorting them all.
//
//   distributed::order_statistics(comm, values, ks)   the k-th smallest (0-based) for each k
//   distributed::quantiles(comm, values, qs)          numpy's linear quantiles (q in [0, 1])
//   distributed::median(comm, values)                 numpy's median
//   distributed::mode(comm, values)                   the most frequent value, ties to the
//       smallest (scipy.stats.mode): each rank sends its (value, count) runs to the rank
//       owning the value (a hash of its key), owners add the counts and each names its
//       best; the best of those wins. Bytes sent: 16 per distinct value per rank.
//
// values: this rank's (finite or infinite, never NaN: the caller drops missing ones).
// Collective: every rank calls with the same ks / qs. With no value on any rank, quantiles
// median and mode are NaN; a k at or past the total count is an invalid_argument on every rank.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/quantile.hpp"
#include "clm/core/sort.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm::distributed {

namespace detail {
/// This rank's values as sorted order keys.
inline std::vector<std::uint64_t> sorted_keys(std::span<const double> values) {
  std::vector<std::uint64_t> keys(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) keys[i] = clm::detail::order_key(values[i]);
  clm::detail::radix_sort(keys);
  return keys;
}

/// The values' count over every rank.
template <communicator C>
std::uint64_t total_count(C& comm, std::size_t mine) {
  std::int64_t n = static_cast<std::int64_t>(mine);
  comm.allreduce_sum(std::span<std::int64_t>(&n, 1));
  return static_cast<std::uint64_t>(n);
}

/// The k-th smallest of the keys over every rank, for each k (all below the total count).
template <communicator C>
std::vector<double> order_statistics_of_keys(C& comm, const std::vector<std::uint64_t>& keys,
                                             std::span<const std::uint64_t> ks) {
  const std::size_t m = ks.size();
  // For each k, the smallest key whose count of keys at or below it exceeds k: lo <= it <= hi.
  std::vector<std::uint64_t> lo(m, 0), hi(m, std::numeric_limits<std::uint64_t>::max());
  std::vector<std::int64_t> count(m);
  std::vector<std::uint64_t> mid(m);
  for (int round = 0; round < 64; ++round) {
    for (std::size_t j = 0; j < m; ++j) {
      mid[j] = lo[j] + (hi[j] - lo[j]) / 2;
      count[j] = static_cast<std::int64_t>(std::upper_bound(keys.begin(), keys.end(), mid[j]) - keys.begin());
    }
    comm.allreduce_sum(std::span<std::int64_t>(count));
    bool open = false;
    for (std::size_t j = 0; j < m; ++j) {
      if (lo[j] == hi[j]) continue;
      if (static_cast<std::uint64_t>(count[j]) > ks[j]) {
        hi[j] = mid[j];
      } else {
        lo[j] = mid[j] + 1;
      }
      open = open || lo[j] != hi[j];
    }
    if (!open) break;  // the same on every rank: the counts are
  }
  std::vector<double> out(m);
  for (std::size_t j = 0; j < m; ++j) out[j] = clm::detail::from_order_key(lo[j]);
  return out;
}
}  // namespace detail

/// The k-th smallest (0-based) of every rank's values together, for each k in ks.
template <communicator C>
std::vector<double> order_statistics(C& comm, std::span<const double> values, std::span<const std::uint64_t> ks) {
  const std::uint64_t n = detail::total_count(comm, values.size());
  for (const auto k : ks) {
    if (k >= n) {
      throw invalid_argument("distributed::order_statistics: expected k below the " + std::to_string(n) +
                             " values on all ranks, got " + std::to_string(k));
    }
  }
  return detail::order_statistics_of_keys(comm, detail::sorted_keys(values), ks);
}

/// numpy's linear quantiles (np.quantile, method "linear") of every rank's values together.
template <communicator C>
std::vector<double> quantiles(C& comm, std::span<const double> values, std::span<const double> qs) {
  const std::uint64_t n = detail::total_count(comm, values.size());
  if (n == 0) return std::vector<double>(qs.size(), std::numeric_limits<double>::quiet_NaN());
  std::vector<clm::detail::quantile_point> points;
  std::vector<std::uint64_t> ks;
  for (const double q : qs) {
    points.push_back(clm::detail::quantile_point_of(n, q));
    ks.push_back(points.back().lo);
    ks.push_back(points.back().hi);
  }
  const auto v = detail::order_statistics_of_keys(comm, detail::sorted_keys(values), ks);
  std::vector<double> out(qs.size());
  for (std::size_t j = 0; j < qs.size(); ++j) out[j] = clm::detail::quantile_lerp(v[2 * j], v[2 * j + 1], points[j].gamma);
  return out;
}

/// numpy's median of every rank's values together.
template <communicator C>
double median(C& comm, std::span<const double> values) {
  const std::uint64_t n = detail::total_count(comm, values.size());
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto p = clm::detail::median_point_of(n);
  const std::uint64_t ks[2] = {p.lo, p.hi};
  const auto v = detail::order_statistics_of_keys(comm, detail::sorted_keys(values), ks);
  return clm::detail::median_of(n, v[0], v[1]);
}

/// The most frequent of every rank's values together; ties go to the smallest value.
template <communicator C>
double mode(C& comm, std::span<const double> values) {
  const std::vector<std::uint64_t> keys = detail::sorted_keys(values);
  const auto size = static_cast<std::size_t>(comm.size());
  // (key, count) runs, grouped by owner.
  std::vector<std::vector<std::uint64_t>> to(size);
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    auto& out = to[size == 1 ? 0 : static_cast<std::size_t>((keys[i] * 0x9E3779B97F4A7C15ULL) >> 32) % size];
    out.push_back(keys[i]);
    out.push_back(j - i);
    i = j;
  }
  std::vector<std::uint64_t> runs;
  if (size == 1) {
    runs = std::move(to[0]);
  } else {
    std::vector<char> send;
    std::vector<std::size_t> counts(size);
    for (std::size_t r = 0; r < size; ++r) {
      counts[r] = to[r].size() * sizeof(std::uint64_t);
      const auto* b = reinterpret_cast<const char*>(to[r].data());
      send.insert(send.end(), b, b + counts[r]);
    }
    const std::vector<char> got = comm.alltoallv(std::span<const char>(send), counts);
    runs.resize(got.size() / sizeof(std::uint64_t));
    if (!runs.empty()) std::memcpy(runs.data(), got.data(), runs.size() * sizeof(std::uint64_t));
  }
  // This owner's values with their counts summed; its best (largest count, smallest key).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs;
  for (std::size_t i = 0; i + 1 < runs.size(); i += 2) pairs.emplace_back(runs[i], runs[i + 1]);
  std::sort(pairs.begin(), pairs.end());
  std::array<std::uint64_t, 2> best{0, 0};  // count, key
  for (std::size_t i = 0; i < pairs.size();) {
    std::uint64_t c = 0;
    std::size_t j = i;
    for (; j < pairs.size() && pairs[j].first == pairs[i].first; ++j) c += pairs[j].second;
    if (c > best[0] || (c == best[0] && pairs[i].first < best[1])) best = {c, pairs[i].first};
    i = j;
  }
  std::array<std::uint64_t, 2> winner{0, 0};
  for (const auto& b : allgather_value(comm, best)) {
    if (b[0] > winner[0] || (b[0] == winner[0] && b[0] > 0 && b[1] < winner[1])) winner = b;
  }
  return winner[0] == 0 ? std::numeric_limits<double>::quiet_NaN() : clm::detail::from_order_key(winner[1]);
}

}  // namespace clm::distributed
