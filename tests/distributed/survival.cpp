// Survival fits across ranks: each equals the one-process fit on the union of the shards.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/survival/concordance.hpp"
#include "clm/survival/cox_ph.hpp"
#include "clm/survival/kaplan_meier.hpp"
#include "support.hpp"

using clm_test::rows;
using clm_test::shard;
using clm_test::world;

namespace {

struct survival_rows {
  clm::vector<double> time, event, weight, entry;
  clm::matrix<double> X;
  std::vector<std::int64_t> strata;
};

/// n subjects with two covariates: exponential lifetimes with hazard exp(0.5 x0 - 0.3 x1),
/// censoring at a uniform time; whole days when `days` (many ties), else continuous. Three
/// strata. Weights in (0.5, 2], entry times before each duration.
/// On more than one rank, rank 0's share is all censored, so a rank holds no event.
survival_rows simulate(std::size_t n, bool days, std::uint64_t seed) {
  clm::random_engine g(seed);
  survival_rows s;
  s.time = clm::vector<double>::from_shape({n});
  s.event = clm::vector<double>::from_shape({n});
  s.weight = clm::vector<double>::from_shape({n});
  s.entry = clm::vector<double>::from_shape({n});
  s.X = clm::matrix<double>::from_shape({n, 2});
  s.strata.resize(n);
  const auto first = shard(n, 0, world().size());
  for (std::size_t i = 0; i < n; ++i) {
    s.X(i, 0) = clm::normal(g);
    s.X(i, 1) = clm::normal(g);
    s.strata[i] = static_cast<std::int64_t>(i % 3) * 10 - 5;
    double life = -std::log(1.0 - clm::uniform01(g)) * 90.0 * std::exp(-(0.5 * s.X(i, 0) - 0.3 * s.X(i, 1)));
    double censor = clm::uniform(g, 10.0, 300.0);
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
  return {rows(s.time, r), rows(s.event, r), rows(s.weight, r), rows(s.entry, r), rows(s.X, r),
          std::vector<std::int64_t>(s.strata.begin() + static_cast<std::ptrdiff_t>(r.first),
                                    s.strata.begin() + static_cast<std::ptrdiff_t>(r.second))};
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

TEST_CASE("cox_ph across ranks: the one-process model, Efron and Breslow, with weights, entry times and strata") {
  const auto all = simulate(3000, true, 6);
  const auto mine = mine_of(all);
  struct config {
    clm::cox_ties ties;
    bool weights, entry, strata;
  };
  for (const config c : {config{clm::cox_ties::efron, false, false, false}, config{clm::cox_ties::breslow, false, false, false},
                         config{clm::cox_ties::efron, true, true, true}}) {
    INFO("ties ", static_cast<int>(c.ties), ", weights ", c.weights, ", entry ", c.entry, ", strata ", c.strata);
    const auto options = [&](const survival_rows& s) {
      clm::survival_fit_options o;
      if (c.weights) o.weights = s.weight;
      if (c.entry) o.entry = s.entry;
      if (c.strata) o.strata = s.strata;
      return o;
    };
    clm::cox_ph<> one({.ties = c.ties}), across({.ties = c.ties});
    one.fit(all.X, all.time, all.event, options(all));
    across.fit(world(), mine.X, mine.time, mine.event, options(mine));
    if (world().rank() == 0) {
      MESSAGE(world().size(), " ranks: coefficients within ", clm_test::relative_gap(across.coef(), one.coef()), ", ",
              across.report().iterations, " Newton steps (one process ", one.report().iterations, ")");
    }
    CHECK(across.report().iterations == one.report().iterations);
    CHECK(clm_test::relative_gap(across.coef(), one.coef()) <= 1e-10);
    CHECK(table_gap(across.standard_errors(), one.standard_errors()) <= 1e-10);
    CHECK(clm_test::gap(across.log_likelihood(), one.log_likelihood()) <= 1e-10);
    CHECK(across.n_observations() == one.n_observations());
    CHECK(across.n_events() == one.n_events());
    CHECK(across.strata() == one.strata());
    for (const auto label : one.strata()) {
      const auto [t_one, h_one] = one.baseline_cumulative_hazard(label);
      const auto [t_across, h_across] = across.baseline_cumulative_hazard(label);
      CHECK(t_across == t_one);
      CHECK(table_gap(h_across, h_one) <= 1e-10);
    }
    CHECK(clm_test::same_on_every_rank(across.coef()));
    // The same partition twice: the same bits.
    clm::cox_ph<> again({.ties = c.ties});
    again.fit(world(), mine.X, mine.time, mine.event, options(mine));
    CHECK(again.coef() == across.coef());
  }
  // Strata on some ranks with rows only: an error on every rank.
  if (world().size() > 1) {
    clm::survival_fit_options o;
    if (world().rank() == 0) o.strata = mine.strata;
    CHECK_THROWS_AS(clm::cox_ph<>().fit(world(), mine.X, mine.time, mine.event, o), clm::distributed_error);
  }
}

TEST_CASE("concordance_index across ranks: the one-process counts exactly, tied scores and times included") {
  for (const bool days : {true, false}) {
    const auto all = simulate(2500, days, days ? 7 : 8);
    // Scores rounded to a coarse grid, so many tie.
    clm::vector<double> score = clm::vector<double>::from_shape({all.time.size()});
    for (std::size_t i = 0; i < score.size(); ++i) score(i) = std::round(4.0 * (0.3 * all.X(i, 1) - 0.5 * all.X(i, 0))) / 4.0;
    const auto r = shard(score.size(), world().rank(), world().size());
    const auto mine = mine_of(all);
    const auto one = clm::concordance_statistics(all.time, score, all.event);
    const auto across = clm::concordance_statistics(world(), mine.time, rows(score, r), mine.event);
    CHECK(across.comparable == one.comparable);
    CHECK(across.concordant == one.concordant);
    CHECK(across.tied == one.tied);
    CHECK(one.tied > 0);
    CHECK(clm::concordance_index(world(), mine.time, rows(score, r), mine.event) == one.index());
  }
  // No event on any rank: no comparable pair, the same error on every rank.
  const auto all = simulate(300, true, 9);
  const auto mine = mine_of(all);
  const clm::vector<double> censored = xt::zeros<double>({mine.event.size()});
  CHECK_THROWS_AS(clm::concordance_index(world(), mine.time, mine.time, censored), clm::invalid_argument);
}
