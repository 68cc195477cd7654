// Survival fits across ranks: each equals the one-process fit on the union of the shards.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/survival/kaplan_meier.hpp"
#include "support.hpp"

using clm_test::rows;
using clm_test::shard;
using clm_test::world;

namespace {

struct survival_rows {
  clm::vector<double> time, event, weight, entry;
};

/// n subjects: exponential lifetimes, censoring at a uniform time; whole days when `days`
/// (many ties), else continuous. Weights in (0.5, 2], entry times before each duration.
/// On more than one rank, rank 0's share is all censored, so a rank holds no event.
survival_rows simulate(std::size_t n, bool days, std::uint64_t seed) {
  clm::random_engine g(seed);
  survival_rows s;
  s.time = clm::vector<double>::from_shape({n});
  s.event = clm::vector<double>::from_shape({n});
  s.weight = clm::vector<double>::from_shape({n});
  s.entry = clm::vector<double>::from_shape({n});
  const auto first = shard(n, 0, world().size());
  for (std::size_t i = 0; i < n; ++i) {
    double life = -std::log(1.0 - clm::uniform01(g)) * 90.0, censor = clm::uniform(g, 10.0, 300.0);
    if (days) life = std::ceil(life), censor = std::ceil(censor);
    s.time(i) = std::min(life, censor);
    const bool rank0 = world().size() > 1 && i >= first.first && i < first.second;
    s.event(i) = life <= censor && !rank0 ? 1.0 : 0.0;
    s.weight(i) = clm::uniform(g, 0.5, 2.0);
    s.entry(i) = s.time(i) * clm::uniform(g, 0.0, 0.5);
  }
  return s;
}

survival_rows mine_of(const survival_rows& s) {
  const auto r = shard(s.time.size(), world().rank(), world().size());
  return {rows(s.time, r), rows(s.event, r), rows(s.weight, r), rows(s.entry, r)};
}

template <class V>
double table_gap(const V& a, const V& b) {
  REQUIRE(a.size() == b.size());
  double g = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    g = std::max(g, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), 1.0));
  }
  return g;
}

}  // namespace

TEST_CASE("kaplan_meier across ranks: the one-process curve, bit for bit unweighted") {
  for (const bool days : {true, false}) {
    const std::string kind = days ? "whole days" : "continuous durations";
    INFO(kind);
    const auto all = simulate(3000, days, days ? 1 : 2);
    const auto mine = mine_of(all);
    clm::kaplan_meier<> one, across;
    one.fit(all.time, all.event);
    across.fit(world(), mine.time, mine.event);
    CHECK(across.times() == one.times());
    CHECK(across.at_risk() == one.at_risk());
    CHECK(across.events() == one.events());
    CHECK(across.survival_function() == one.survival_function());
    CHECK(across.confidence_lower() == one.confidence_lower());
    CHECK(across.n_observations() == one.n_observations());
    CHECK(across.median_survival() == one.median_survival());
    CHECK(clm_test::same_on_every_rank(across.survival_function()));
  }
}

TEST_CASE("kaplan_meier across ranks: weights and entry times, the one-process curve to rounding") {
  const auto all = simulate(2000, true, 3);
  const auto mine = mine_of(all);
  clm::kaplan_meier<> one, across;
  one.fit(all.time, all.event, {.weights = all.weight, .entry = all.entry});
  across.fit(world(), mine.time, mine.event, {.weights = mine.weight, .entry = mine.entry});
  CHECK(across.times() == one.times());
  CHECK(table_gap(across.at_risk(), one.at_risk()) <= 1e-12);
  CHECK(table_gap(across.events(), one.events()) <= 1e-12);
  CHECK(table_gap(across.survival_function(), one.survival_function()) <= 1e-12);
  CHECK(table_gap(across.standard_error(), one.standard_error()) <= 1e-12);
  CHECK(clm_test::same_on_every_rank(across.survival_function()));
}

TEST_CASE("kaplan_meier across ranks: no event on any rank, and weights on some ranks only, fail on every rank") {
  const auto all = simulate(500, true, 4);
  auto mine = mine_of(all);
  const clm::vector<double> censored = xt::zeros<double>({mine.event.size()});
  CHECK_THROWS_AS(clm::kaplan_meier<>().fit(world(), mine.time, censored), clm::invalid_argument);
  if (world().size() > 1) {  // rank 0 and the last rank hold rows
    clm::survival_fit_options o;
    if (world().rank() == 0) o.weights = mine.weight;
    CHECK_THROWS_AS(clm::kaplan_meier<>().fit(world(), mine.time, mine.event, o), clm::distributed_error);
  }
}
