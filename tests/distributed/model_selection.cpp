// distributed: cross_validate and grid_search with a communicator, each rank holding a block
// of the rows (uneven, one empty from 3 ranks on), fit every fold across the ranks and give
// the one-process folds, scores and best candidate on every rank.
#include <doctest/doctest.h>

#include "clm/cluster/kmeans.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/linear/linear_regression.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/model_selection/grid_search.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support.hpp"

using clm_test::gap;
using clm_test::rows;
using clm_test::shard;
using clm_test::world;

namespace {
clm_test::split_data make_data(std::size_t n = 3000) { return clm_test::make_data(n, 17); }
}  // namespace

TEST_CASE("cross_validate across ranks: the one-process folds and scores") {
  const auto d = make_data();
  const std::vector<clm::scorer> scorers{clm::make_scorer("roc_auc"), clm::make_scorer("neg_log_loss"),
                                         clm::make_scorer("accuracy"), clm::make_scorer("f1")};
  const clm::logistic_regression<> model({.C = 0.5, .tol = 1e-10, .max_iter = 500, .ftol = 0.0});
  // Stratified folds (the labels gathered), shuffled k-fold and ready folds.
  const auto check = [&](const auto& cv) {
    const auto one = clm::cross_validate(model, d.X, d.label, cv, scorers, {.return_train_score = true});
    const auto all = clm::cross_validate(world(), model, d.X_mine, d.label_mine, cv, scorers, {.return_train_score = true});
    REQUIRE(all.scorer_names == one.scorer_names);
    for (std::size_t s = 0; s < scorers.size(); ++s) {
      INFO(one.scorer_names[s]);
      REQUIRE(all.test_scores[s].size() == one.test_scores[s].size());
      for (std::size_t f = 0; f < one.test_scores[s].size(); ++f) {
        CHECK(gap(all.test_scores[s][f], one.test_scores[s][f]) < 1e-10);
        CHECK(gap(all.train_scores[s][f], one.train_scores[s][f]) < 1e-10);
      }
    }
  };
  check(5);
  check(clm::k_fold{.n_splits = 4, .shuffle = true, .seed = 3});
  check(clm::k_fold{.n_splits = 3}.split(d.label.size()));
  // Regression: OLS folds, r2 and mse.
  const auto one = clm::cross_validate(clm::linear_regression<>(), d.X, d.y, 4, "r2");
  const auto all = clm::cross_validate(world(), clm::linear_regression<>(), d.X_mine, d.y_mine, 4, "r2");
  for (std::size_t f = 0; f < 4; ++f) CHECK(gap(all.test_scores[0][f], one.test_scores[0][f]) < 1e-10);
  // Unsupervised: k-means fitted on X alone, scored against the labels.
  const auto km = clm::kmeans<>({.k = 3, .seed = 2});
  const auto ari = clm::make_scorer("mean_segment", [](const clm::vector<double>&, const clm::vector<double>& p) {
    double s = 0.0;
    for (const double v : p) s += v;
    return s / static_cast<double>(p.size());
  }, clm::model_output::predict);
  const auto k1 = clm::cross_validate(km, d.X, d.label, 3, {ari});
  const auto k2 = clm::cross_validate(world(), km, d.X_mine, d.label_mine, 3, {ari});
  for (std::size_t f = 0; f < 3; ++f) CHECK(gap(k2.test_scores[0][f], k1.test_scores[0][f]) < 1e-10);
}

TEST_CASE("grid_search across ranks: the one-process scores, best candidate and refit") {
  const auto d = make_data();
  const clm::logistic_regression<> model({.tol = 1e-10, .max_iter = 500, .ftol = 0.0});
  const auto axis = clm::grid(&clm::logistic_regression_params::C, {0.001, 0.1, 10.0});
  const auto one = clm::grid_search(model, d.X, d.label, axis, 3, "roc_auc");
  const auto all = clm::grid_search(world(), model, d.X_mine, d.label_mine, axis, 3, "roc_auc");
  CHECK(all.best_index == one.best_index);
  for (std::size_t c = 0; c < 3; ++c) CHECK(gap(all.mean_score[c], one.mean_score[c]) < 1e-10);
  CHECK(clm_test::relative_gap(all.best_model.coef(), one.best_model.coef()) < 1e-10);
}

TEST_CASE("cross_validate across ranks: bad input is every rank's error") {
  const auto d = make_data(600);
  const clm::logistic_regression<> model;
  // An output the model lacks: every rank, including one without test rows, fails alike.
  CHECK_THROWS_AS(clm::cross_validate(world(), clm::linear_regression<>(), d.X_mine, d.y_mine, 3, "roc_auc"),
                  clm::invalid_argument);
  // y of the wrong length on rank 0: every rank's distributed_error naming it, no hang.
  clm::vector<double> y = d.label_mine;
  if (world().rank() == 0) y = clm::vector<double>::from_shape({d.label_mine.size() + 1});
  CHECK_THROWS_WITH_AS(clm::cross_validate(world(), model, d.X_mine, y, 3, "roc_auc"),
                       doctest::Contains("rank 0"), clm::distributed_error);
  CHECK_THROWS_WITH_AS(clm::grid_search(world(), model, d.X_mine, y, clm::grid(&clm::logistic_regression_params::C, {1.0}), 3,
                                        "roc_auc"),
                       doctest::Contains("rows but y has"), clm::distributed_error);
}
