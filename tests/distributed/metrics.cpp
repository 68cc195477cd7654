// distributed: the metrics that need every row — roc_auc, average precision, gain and lift at
// a fraction, the confusion counts, accuracy, log loss — on uneven shards with many tied
// scores equal the one-process values (roc_auc, gain and the counts exactly).
#include <doctest/doctest.h>

#include <cmath>

#include "clm/core/random.hpp"
#include "clm/metrics/classification.hpp"
#include "support.hpp"

using clm_test::rows;
using clm_test::shard;
using clm_test::world;

namespace {
struct scored {
  clm::vector<double> y, score, predicted;
};
/// Scores rounded to two decimals (many ties), informative about y.
scored make_scores(std::size_t n, std::uint64_t seed) {
  clm::random_engine g(seed);
  scored s{clm::vector<double>::from_shape({n}), clm::vector<double>::from_shape({n}),
           clm::vector<double>::from_shape({n})};
  for (std::size_t i = 0; i < n; ++i) {
    s.y(i) = clm::bernoulli(g, 0.3) ? 1.0 : 0.0;
    const double p = 1.0 / (1.0 + std::exp(-(2.0 * s.y(i) - 1.0 + clm::normal(g))));
    s.score(i) = std::round(p * 100.0) / 100.0;
    s.predicted(i) = s.score(i) >= 0.5 ? 1.0 : 0.0;
  }
  return s;
}
}  // namespace

TEST_CASE("roc_auc, average_precision, gain_at, lift_at across ranks: the one-process values") {
  const auto s = make_scores(7000, 12);
  const auto mine = shard(s.y.size(), world().rank(), world().size());
  const auto y = rows(s.y, mine), score = rows(s.score, mine), pred = rows(s.predicted, mine);
  CHECK(clm::roc_auc(world(), y, score) == clm::roc_auc(s.y, s.score));
  const double ap = clm::average_precision(s.y, s.score);
  CHECK(std::abs(clm::average_precision(world(), y, score) - ap) <= 1e-14);
  for (const double f : {0.01, 0.1, 0.25, 0.5, 0.999, 1.0}) {
    INFO("fraction ", f);
    CHECK(clm::gain_at(world(), y, score, f) == clm::gain_at(s.y, s.score, f));
    CHECK(clm::lift_at(world(), y, score, f) == clm::lift_at(s.y, s.score, f));
  }
  CHECK(clm::confusion_matrix(world(), y, pred) == clm::confusion_matrix(s.y, s.predicted));
  CHECK(clm::accuracy(world(), y, pred) == clm::accuracy(s.y, s.predicted));
  CHECK(std::abs(clm::log_loss(world(), y, score) - clm::log_loss(s.y, s.score)) <= 1e-13);
  CHECK(std::abs(clm::brier_score(world(), y, score) - clm::brier_score(s.y, s.score)) <= 1e-14);
}

TEST_CASE("roc_auc across ranks: each rank holding one class, and every score tied") {
  const std::size_t n = 600;
  clm::vector<double> y = clm::vector<double>::from_shape({n}), score = clm::vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    y(i) = i < n / 2 ? 1.0 : 0.0;  // sorted by class: most ranks see one class only
    score(i) = static_cast<double>((i * 37) % 11);
  }
  const auto mine = shard(n, world().rank(), world().size());
  CHECK(clm::roc_auc(world(), rows(y, mine), rows(score, mine)) == clm::roc_auc(y, score));
  const clm::vector<double> flat = xt::zeros<double>({n});
  CHECK(clm::roc_auc(world(), rows(y, mine), rows(flat, mine)) == 0.5);
  CHECK(clm::gain_at(world(), rows(y, mine), rows(flat, mine), 0.3) == clm::gain_at(y, flat, 0.3));
}

TEST_CASE("metrics across ranks: one class in all, bad labels on one rank, nothing anywhere") {
  const auto s = make_scores(500, 3);
  const auto mine = shard(s.y.size(), world().rank(), world().size());
  const clm::vector<double> ones = xt::ones<double>({mine.second - mine.first});
  CHECK_THROWS_WITH_AS(clm::roc_auc(world(), ones, rows(s.score, mine)), doctest::Contains("both classes"),
                       clm::invalid_argument);
  auto y = rows(s.y, mine);
  const int last = world().size() - 1;
  if (world().rank() == last) y(0) = 2.0;
  CHECK_THROWS_WITH_AS(clm::roc_auc(world(), y, rows(s.score, mine)), doctest::Contains(("rank " + std::to_string(last)).c_str()),
                       clm::distributed_error);
  CHECK_THROWS_AS(clm::confusion_matrix(world(), y, rows(s.predicted, mine)), clm::distributed_error);
  const clm::vector<double> none = clm::vector<double>::from_shape({0});
  CHECK_THROWS_AS(clm::roc_auc(world(), none, none), clm::shape_error);
  CHECK_THROWS_AS(clm::log_loss(world(), none, none), clm::shape_error);
}
