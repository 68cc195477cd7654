// What the distributed tests share: the world communicator, uneven shards (with an empty
// one from 3 ranks on) and comparisons made on every rank.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "clm/core/types.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/distributed/mpi.hpp"
#include "clm/preprocessing/standard_scaler.hpp"

namespace clm_test {

inline clm::mpi_communicator& world() {
  static clm::mpi_communicator comm;
  return comm;
}

/// Rows [begin, end) of n for `rank` of `size`: shares 1, 0, 3, 4, ... (rank r + 1, except
/// rank 1, which holds nothing from 3 ranks on), so the shards are uneven.
inline std::pair<std::size_t, std::size_t> shard(std::size_t n, int rank, int size) {
  std::vector<double> share(static_cast<std::size_t>(size));
  for (int r = 0; r < size; ++r) share[static_cast<std::size_t>(r)] = (r == 1 && size >= 3) ? 0.0 : r + 1.0;
  double total = 0;
  for (double s : share) total += s;
  double before = 0;
  for (int r = 0; r < rank; ++r) before += share[static_cast<std::size_t>(r)];
  const auto at = [&](double w) { return static_cast<std::size_t>(std::llround(static_cast<double>(n) * w / total)); };
  return {at(before), at(before + share[static_cast<std::size_t>(rank)])};
}

template <class T>
clm::matrix<T> rows(const clm::matrix<T>& X, std::pair<std::size_t, std::size_t> r) {
  const std::size_t d = X.shape()[1];
  clm::matrix<T> out = clm::matrix<T>::from_shape({r.second - r.first, d});
  std::copy(X.data() + r.first * d, X.data() + r.second * d, out.data());
  return out;
}
template <class T>
clm::vector<T> rows(const clm::vector<T>& y, std::pair<std::size_t, std::size_t> r) {
  clm::vector<T> out = clm::vector<T>::from_shape({r.second - r.first});
  std::copy(y.data() + r.first, y.data() + r.second, out.data());
  return out;
}

/// max |a - b| / max(|b|, 1) over the entries.
template <class A, class B>
double relative_gap(const A& a, const B& b) {
  REQUIRE(a.size() == b.size());
  double gap = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    gap = std::max(gap, std::abs(static_cast<double>(a(i)) - static_cast<double>(b(i))) /
                            std::max(std::abs(static_cast<double>(b(i))), 1.0));
  }
  return gap;
}

/// Whether every rank holds the same bytes of `v`.
template <class V>
bool same_on_every_rank(const V& v) {
  const auto all = world().allgatherv(std::span<const char>(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(*v.data())));
  for (const auto& a : all) {
    if (a != all[0]) return false;
  }
  return true;
}

/// |a - b| / max(|b|, 1).
inline double gap(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1.0); }

/// Simulated customers (standardised features, churn probability and label): all rows and
/// this rank's shard.
struct split_data {
  clm::matrix<double> X, X_mine;
  clm::vector<double> y, y_mine, label, label_mine;
};
inline split_data make_data(std::size_t n, std::uint64_t seed) {
  const auto c = clm::synthetic::customers<double>({.n_customers = n, .seed = seed});
  split_data d;
  d.X = clm::standard_scaler<>().fit_transform(c.X);  // standardised, as a churn pipeline would
  d.y = c.churn_probability;
  d.label = c.churned;
  const auto mine = shard(n, world().rank(), world().size());
  d.X_mine = rows(d.X, mine);
  d.y_mine = rows(d.y, mine);
  d.label_mine = rows(d.label, mine);
  return d;
}

}  // namespace clm_test
