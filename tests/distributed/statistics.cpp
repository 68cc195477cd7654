// Exact order statistics, quantiles and the mode across ranks, and the fits built on them
// (rfm_segments' quintile edges, simple_imputer's medians and most frequent values): each
// equals the one-process value on the union of the shards bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "clm/cluster/rfm_segments.hpp"
#include "clm/core/random.hpp"
#include "clm/distributed/statistics.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "support.hpp"

using clm_test::shard;
using clm_test::world;

namespace {

/// n values with many ties (a few dozen distinct integers, some negative, some scaled by
/// 0.1), a run of equal extremes and some infinities: every case a bisection on keys meets.
std::vector<double> tied_values(std::size_t n, std::uint64_t seed) {
  clm::random_engine g(seed);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = clm::uniform01(g);
    v[i] = u < 0.6 ? std::floor(u * 60.0) - 12.0 : (u < 0.9 ? 0.1 * std::floor(u * 400.0) : clm::normal(g) * 1e6);
  }
  if (n > 10) {
    v[3] = std::numeric_limits<double>::infinity();
    v[7] = -std::numeric_limits<double>::infinity();
    v[8] = -0.0;
  }
  return v;
}

clm::vector<double> to_vector(const std::vector<double>& v) {
  clm::vector<double> out = clm::vector<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

std::vector<double> mine_of(const std::vector<double>& all) {
  const auto [b, e] = shard(all.size(), world().rank(), world().size());
  return {all.begin() + static_cast<std::ptrdiff_t>(b), all.begin() + static_cast<std::ptrdiff_t>(e)};
}

/// The most frequent value, ties to the smallest, counted independently of the library.
double counted_mode(const std::vector<double>& all) {
  std::map<double, std::size_t> count;
  for (double x : all) ++count[x];
  double best = std::nan("");
  std::size_t best_count = 0;
  for (const auto& [x, c] : count) {
    if (c > best_count) best = x, best_count = c;
  }
  return best;
}

}  // namespace

TEST_CASE("order statistics, quantiles, median and mode across ranks: the one-process values, bit for bit") {
  for (const std::size_t n : {1001u, 1000u, 2u, 1u}) {
    INFO("n ", n);
    const std::vector<double> all = tied_values(n, 5 + n);
    const std::vector<double> mine = mine_of(all);
    std::vector<double> sorted = all;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<std::uint64_t> ks{0, n / 3, n / 2, n - 1};
    const auto got = clm::distributed::order_statistics(world(), mine, ks);
    for (std::size_t j = 0; j < ks.size(); ++j) CHECK(got[j] == sorted[ks[j]]);
    const std::vector<double> qs{0.0, 0.2, 0.37, 0.5, 0.8, 0.999, 1.0};
    const auto q = clm::distributed::quantiles(world(), mine, qs);
    for (std::size_t j = 0; j < qs.size(); ++j) {
      const double expected = clm::detail::sorted_quantile(sorted, qs[j]);
      INFO("q ", qs[j], ": ", q[j], " against ", expected);
      CHECK((q[j] == expected || (std::isnan(q[j]) && std::isnan(expected))));
    }
    CHECK(clm::distributed::median(world(), mine) == clm::detail::sorted_median(sorted));
    CHECK(clm::distributed::mode(world(), mine) == counted_mode(all));
    CHECK(clm_test::same_on_every_rank(q));
  }
  // No value on any rank: NaN everywhere; a k past the values: the same error on every rank.
  const std::vector<double> none;
  CHECK(std::isnan(clm::distributed::median(world(), none)));
  CHECK(std::isnan(clm::distributed::mode(world(), none)));
  CHECK(std::isnan(clm::distributed::quantiles(world(), none, std::vector<double>{0.5})[0]));
  const std::vector<double> all = tied_values(50, 3);
  const std::vector<std::uint64_t> past{50};
  CHECK_THROWS_AS(clm::distributed::order_statistics(world(), mine_of(all), past), clm::invalid_argument);
}

TEST_CASE("rfm_segments across ranks: the quintile edges of all customers, bit for bit") {
  const std::size_t n = 3001;
  const std::vector<double> r = tied_values(n, 11), f = tied_values(n, 12), m = tied_values(n, 13);
  const auto finite = [](std::vector<double> v) {
    for (auto& x : v) x = std::isfinite(x) ? x : 7.0;
    return v;
  };
  const auto make = [&](const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c) {
    clm::table t;
    t.add_numeric("recency", to_vector(finite(a)));
    t.add_numeric("frequency", to_vector(finite(b)));
    t.add_numeric("monetary", to_vector(finite(c)));
    return t;
  };
  const clm::table everyone = make(r, f, m);
  const clm::table mine = make(mine_of(r), mine_of(f), mine_of(m));
  clm::rfm_segments<> one, across;
  one.fit(everyone);
  across.fit(world(), mine);
  for (std::size_t k = 0; k < 3; ++k) CHECK(across.edges()[k] == one.edges()[k]);
  const auto scores = across.transform(mine);
  const auto [b, e] = shard(n, world().rank(), world().size());
  const auto all_scores = one.transform(everyone);
  for (std::size_t i = b; i < e; ++i) {
    for (std::size_t k = 0; k < 3; ++k) CHECK(scores(i - b, k) == all_scores(i, k));
  }
  // Given edges are kept; an empty table everywhere is an error on every rank.
  clm::rfm_segments<> fixed({.frequency_edges = {0, 1, 2, 3}});
  fixed.fit(world(), mine);
  CHECK(fixed.edges()[1] == std::vector<double>{0, 1, 2, 3});
  CHECK(fixed.edges()[0] == one.edges()[0]);
  CHECK_THROWS_AS(clm::rfm_segments<>().fit(world(), make({}, {}, {})), clm::shape_error);
}

TEST_CASE("simple_imputer across ranks: means, medians and most frequent values of all rows") {
  const std::size_t n = 2000;
  const std::vector<double> a = tied_values(n, 21), b = tied_values(n, 22);
  clm::matrix<double> X = clm::matrix<double>::from_shape({n, 3});
  clm::random_engine g(23);
  for (std::size_t i = 0; i < n; ++i) {
    X(i, 0) = std::isfinite(a[i]) ? a[i] : 1.5;
    X(i, 1) = std::isfinite(b[i]) ? b[i] : -2.0;
    X(i, 2) = i < 10 ? 4.0 : std::nan("");  // values on rank 0 only
    if (clm::uniform01(g) < 0.2) X(i, 0) = std::nan("");
    if (clm::uniform01(g) < 0.1) X(i, 1) = std::nan("");
  }
  const auto mine = clm_test::rows(X, shard(n, world().rank(), world().size()));
  using clm::impute_strategy;
  for (const auto strategy : {impute_strategy::mean, impute_strategy::median, impute_strategy::most_frequent,
                              impute_strategy::constant}) {
    INFO("strategy ", static_cast<int>(strategy));
    clm::simple_imputer<> one({.strategy = strategy, .fill_value = 3.0}), across({.strategy = strategy, .fill_value = 3.0});
    one.fit(X);
    across.fit(world(), mine);
    if (strategy == impute_strategy::mean) {
      CHECK(clm_test::relative_gap(across.statistics(), one.statistics()) <= 1e-12);
    } else {
      CHECK(across.statistics() == one.statistics());
    }
    CHECK(clm_test::same_on_every_rank(across.statistics()));
  }
  // A column with no value on any rank: an error on every rank, or dropped when asked.
  clm::matrix<double> Y = X;
  for (std::size_t i = 0; i < n; ++i) Y(i, 2) = std::nan("");
  const auto mine_y = clm_test::rows(Y, shard(n, world().rank(), world().size()));
  CHECK_THROWS_AS(clm::simple_imputer<>({.strategy = impute_strategy::median}).fit(world(), mine_y),
                  clm::invalid_argument);
  clm::simple_imputer<> dropping({.strategy = impute_strategy::median, .empty_columns = clm::empty_column_policy::drop});
  dropping.fit(world(), mine_y);
  CHECK(dropping.transform(mine_y).shape()[1] == 2);
}
