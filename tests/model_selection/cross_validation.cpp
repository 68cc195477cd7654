// model_selection: cross_validate and grid_search on linear models and pipelines, checked
// against fitting the folds by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "clm/cluster/kmeans.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/metrics/clustering.hpp"
#include "clm/linear/linear_regression.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/metrics/classification.hpp"
#include "clm/metrics/regression.hpp"
#include "clm/model_selection/cross_validate.hpp"
#include "clm/model_selection/grid_search.hpp"
#include "clm/pipeline/pipeline.hpp"
#include "clm/preprocessing/column_transformer.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "clm/preprocessing/standard_scaler.hpp"

using clm::matrix;
using clm::vector;

namespace {
const auto& churn_data() {
  static const auto d = clm::synthetic::customers<double>({.n_customers = 600, .seed = 21});
  return d;
}
template <class In>
In rows(const In& X, const std::vector<std::size_t>& r) {
  return clm::take_rows(X, r);
}
auto churn_model(double C = 1.0) {
  return clm::make_pipeline(clm::standard_scaler<>(), clm::logistic_regression<>({.C = C}));
}
}  // namespace

TEST_CASE("cross_validate: each fold's scores equal a fresh model fitted on that fold by hand") {
  const auto& d = churn_data();
  const auto folds = clm::stratified_k_fold{.n_splits = 4, .shuffle = true, .seed = 2}.split(d.churned);
  const std::vector<clm::scorer> scorers{clm::make_scorer("roc_auc"), clm::make_scorer("accuracy"),
                                         clm::make_scorer("neg_log_loss")};
  const auto model = churn_model();
  const auto r = clm::cross_validate(model, d.X, d.churned, folds, scorers, {.return_train_score = true});
  REQUIRE(r.scorer_names == std::vector<std::string>{"roc_auc", "accuracy", "neg_log_loss"});
  REQUIRE(r.fit_time.size() == 4);
  for (std::size_t f = 0; f < 4; ++f) {
    auto m = churn_model();
    m.fit(rows(d.X, folds[f].train), rows(d.churned, folds[f].train));
    const auto Xt = rows(d.X, folds[f].test);
    const auto yt = rows(d.churned, folds[f].test);
    CHECK(r.test_scores[0][f] == clm::roc_auc(yt, m.predict_proba(Xt)));
    CHECK(r.test_scores[1][f] == clm::accuracy(yt, m.predict(Xt)));
    CHECK(r.test_scores[2][f] == -clm::log_loss(yt, m.predict_proba(Xt)));
    CHECK(r.train_scores[0][f] ==
          clm::roc_auc(rows(d.churned, folds[f].train), m.predict_proba(rows(d.X, folds[f].train))));
    CHECK(r.fit_time[f] >= 0.0);
  }
  CHECK(r.mean("roc_auc") > 0.7);
  CHECK(r.std("roc_auc") >= 0.0);
  CHECK_THROWS_AS(r.mean("f1"), clm::invalid_argument);
  CHECK_FALSE(model.fitted());  // the model given is left as it was
}

TEST_CASE("cross_validate: a fold count is stratified for classifiers, parallel folds give the same scores") {
  const auto& d = churn_data();
  const auto by_count = clm::cross_validate(churn_model(), d.X, d.churned, 5, "roc_auc");
  const auto by_splitter = clm::cross_validate(churn_model(), d.X, d.churned, clm::stratified_k_fold{}, "roc_auc");
  CHECK(by_count.test_scores == by_splitter.test_scores);
  const auto parallel = clm::cross_validate(churn_model(), d.X, d.churned, 5, "roc_auc", {.n_jobs = 2});
  CHECK(parallel.test_scores == by_count.test_scores);
  // A regressor with a fold count uses plain k_fold.
  const auto reg = clm::cross_validate(clm::linear_regression<>(), d.X, d.churn_probability, 3, "r2");
  const auto reg_kf = clm::cross_validate(clm::linear_regression<>(), d.X, d.churn_probability, clm::k_fold{3}, "r2");
  CHECK(reg.test_scores == reg_kf.test_scores);
  CHECK(reg.mean("r2") > 0.5);
}

TEST_CASE("cross_validate takes a raw customer table through a column_transformer pipeline, and group folds") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 400, .seed = 8, .missing_rate = 0.05});
  auto model = clm::make_pipeline(
      clm::make_column_transformer({.numeric = d.names, .categorical = {"region", "channel"}},
                                   clm::make_pipeline(clm::simple_imputer<>(), clm::standard_scaler<>()),
                                   clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})),
      clm::logistic_regression<>());
  std::vector<int> household(400);
  for (std::size_t i = 0; i < 400; ++i) household[i] = static_cast<int>(i / 3);  // three rows per household
  const auto folds = clm::group_k_fold{.n_splits = 4}.split(household);
  const auto r = clm::cross_validate(model, d.attributes, d.churned, folds, "roc_auc");
  CHECK(r.test_scores[0].size() == 4);
  const auto m = model.with_params(model.params()).fit(d.attributes.take(folds[1].train), rows(d.churned, folds[1].train));
  CHECK(r.test_scores[0][1] == clm::roc_auc(rows(d.churned, folds[1].test), m.predict_proba(d.attributes.take(folds[1].test))));
}

TEST_CASE("grid_search: every candidate's cross-validated mean, the best refitted, pipeline step params") {
  const auto& d = churn_data();
  const auto grid = clm::make_param_grid(clm::grid<1>(&clm::logistic_regression_params::C, {0.001, 0.1, 10.0}),
                                         clm::grid<0>(&clm::standard_scaler_params::with_mean, {true, false}));
  CHECK(grid.size() == 6);
  const auto model = churn_model();
  const clm::stratified_k_fold cv{.n_splits = 3};
  const auto r = clm::grid_search(model, d.X, d.churned, grid, cv, "neg_log_loss");
  REQUIRE(r.candidates.size() == 6);
  // The last axis varies fastest.
  CHECK(std::get<1>(r.candidates[0]).C == 0.001);
  CHECK(std::get<0>(r.candidates[0]).with_mean == true);
  CHECK(std::get<0>(r.candidates[1]).with_mean == false);
  CHECK(std::get<1>(r.candidates[2]).C == 0.1);
  for (std::size_t c = 0; c < 6; ++c) {
    const auto cvr = clm::cross_validate(model.with_params(r.candidates[c]), d.X, d.churned, cv, "neg_log_loss");
    CHECK(r.mean_score[c] == cvr.mean("neg_log_loss"));
    CHECK(r.std_score[c] == cvr.std("neg_log_loss"));
    CHECK(r.mean_score[c] <= r.best_score);
  }
  CHECK(r.best_score == r.mean_score[r.best_index]);
  CHECK(std::get<1>(r.best_params).C != 0.001);  // the heaviest penalty underfits
  auto by_hand = model.with_params(r.best_params);
  by_hand.fit(d.X, d.churned);
  CHECK(r.best_model.predict_proba(d.X) == by_hand.predict_proba(d.X));
  const auto parallel = clm::grid_search(model, d.X, d.churned, grid, cv, "neg_log_loss", {.n_jobs = 2});
  CHECK(parallel.mean_score == r.mean_score);
  CHECK(parallel.best_index == r.best_index);
}

TEST_CASE("grid_search over a single model's params, and a bad value fails before any fit") {
  const auto& d = churn_data();
  const auto r = clm::grid_search(clm::logistic_regression<>(), d.X, d.churned,
                                  clm::grid(&clm::logistic_regression_params::max_iter, {1, 200}), 3, "roc_auc",
                                  {.refit = false});
  CHECK(r.candidates.size() == 2);
  CHECK_FALSE(r.best_model.fitted());
  CHECK_THROWS_AS(clm::grid_search(clm::logistic_regression<>(), d.X, d.churned,
                                   clm::grid(&clm::logistic_regression_params::C, {1.0, -1.0}), 3, "roc_auc"),
                  clm::invalid_argument);
}

TEST_CASE("bad cross-validation requests are named errors") {
  const auto& d = churn_data();
  CHECK_THROWS_AS(clm::cross_validate(churn_model(), d.X, d.churned, 3, "auc"), clm::invalid_argument);
  CHECK_THROWS_AS(clm::cross_validate(clm::linear_regression<>(), d.X, d.churned, 3, "roc_auc"),
                  clm::invalid_argument);  // a regressor has no predict_proba
  CHECK_THROWS_AS(clm::cross_validate(churn_model(), d.X, rows(d.churned, {0, 1, 2}), 3, "roc_auc"), clm::shape_error);
  CHECK_THROWS_AS(clm::cross_validate(churn_model(), d.X, d.churned, std::vector<clm::fold>{{{0, 1}, {9999}}},
                                      "roc_auc"),
                  clm::invalid_argument);
  CHECK_THROWS_AS(clm::cross_validate(churn_model(), d.X, d.churned, 3, std::vector<clm::scorer>{}),
                  clm::invalid_argument);
}

TEST_CASE("cross_validate and grid_search fit an unsupervised model on X alone") {
  clm::matrix<double> X = clm::matrix<double>::from_shape({300, 2});
  clm::vector<double> truth = clm::vector<double>::from_shape({300});
  clm::random_engine g(5);
  for (std::size_t i = 0; i < 300; ++i) {
    truth(i) = static_cast<double>(i % 3);
    X(i, 0) = 10.0 * truth(i) + clm::normal(g);
    X(i, 1) = clm::normal(g);
  }
  // Agreement with the true groups up to relabelling: the share of pairs both put together.
  const auto same_pairs = clm::make_scorer(
      "pair_agreement",
      [](const clm::vector<double>& y, const clm::vector<double>& label) {
        double agree = 0.0, pairs = 0.0;
        for (std::size_t i = 0; i < y.size(); ++i) {
          for (std::size_t j = i + 1; j < y.size(); ++j) {
            agree += (y(i) == y(j)) == (label(i) == label(j));
            pairs += 1.0;
          }
        }
        return agree / pairs;
      },
      clm::model_output::predict);
  const auto r = clm::cross_validate(clm::kmeans<>({.k = 3, .seed = 1}), X, truth, clm::k_fold{3}, {same_pairs});
  CHECK(r.mean("pair_agreement") > 0.99);
  const auto search = clm::grid_search(clm::kmeans<>({.seed = 1}), X, truth,
                                       clm::grid(&clm::kmeans_params::k, {2, 3, 5}), clm::k_fold{3}, same_pairs);
  CHECK(search.best_params.k == 3);
  CHECK(search.best_model.fitted());
}
