// distributed: synchronous data-parallel MLP training (each rank the gradient of its rows of
// every batch, summed before the one update) on uneven shards (one empty from 3 ranks on)
// follows the one-process fit on all rows: the same network up to the rounding of the split
// sums, the same on every rank.
#include <doctest/doctest.h>

#include "clm/data/synthetic.hpp"
#include "clm/neural/mlp.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support.hpp"

using clm_test::relative_gap;
using clm_test::rows;
using clm_test::same_on_every_rank;
using clm_test::shard;
using clm_test::world;

TEST_CASE("mlp_classifier and mlp_regressor across ranks: the one-process training") {
  const auto c = clm::synthetic::customers<double>({.n_customers = 3000, .seed = 17});
  const clm::matrix<double> X = clm::standard_scaler<>().fit_transform(c.X);
  const auto mine = shard(X.shape()[0], world().rank(), world().size());
  const auto X_mine = rows(X, mine);
  const clm::mlp_params configs[] = {
      {.hidden = {16, 8}, .epochs = 4, .batch_size = 64, .seed = 3},
      {.hidden = {12}, .l2 = 1e-3, .epochs = 6, .batch_size = 50, .seed = 5, .balanced_class_weight = true,
       .validation_fraction = 0.2, .early_stopping = true, .patience = 2},
      {.hidden = {8}, .optimizer = clm::mlp_optimizer::sgd, .learning_rate = 0.05, .momentum = 0.9, .epochs = 3,
       .batch_size = 128, .shuffle = false}};
  for (std::size_t k = 0; k < std::size(configs); ++k) {
    INFO("configuration ", k);
    const clm::mlp_classifier<double> one = clm::mlp_classifier<double>(configs[k]).fit(X, c.churned);
    clm::mlp_classifier<double> a(configs[k]), b(configs[k]);
    a.fit(world(), X_mine, rows(c.churned, mine));
    b.fit(world(), X_mine, rows(c.churned, mine));
    const double gap = relative_gap(a.predict_proba(X), one.predict_proba(X));
    if (world().rank() == 0) {
      MESSAGE(world().size(), " ranks, configuration ", k, ": probabilities within ", gap, ", ", a.report().epochs_run,
              " epochs (one process ", one.report().epochs_run, ")");
    }
    CHECK(gap <= 1e-10);
    CHECK(a.report().epochs_run == one.report().epochs_run);
    REQUIRE(a.report().train_loss.size() == one.report().train_loss.size());
    for (std::size_t e = 0; e < a.report().train_loss.size(); ++e) {
      CHECK(std::abs(a.report().train_loss[e] - one.report().train_loss[e]) <= 1e-10);
    }
    CHECK(a.predict_proba(X) == b.predict_proba(X));
    CHECK(same_on_every_rank(a.predict_proba(X)));
  }
  const clm::mlp_params reg{.hidden = {16}, .epochs = 3, .batch_size = 32, .seed = 1};
  const auto one = clm::mlp_regressor<double>(reg).fit(X, c.churn_probability);
  clm::mlp_regressor<double> a(reg);
  a.fit(world(), X_mine, rows(c.churn_probability, mine));
  CHECK(relative_gap(a.predict(X), one.predict(X)) <= 1e-10);
  // float: the same network on every rank.
  const clm::matrix<float> Xf = xt::cast<float>(X);
  const clm::vector<float> yf = xt::cast<float>(c.churned);
  clm::mlp_classifier<float> f(configs[0]);
  f.fit(world(), rows(Xf, mine), rows(yf, mine));
  CHECK(same_on_every_rank(f.predict_proba(Xf)));
  CHECK(relative_gap(f.predict_proba(Xf), clm::mlp_classifier<float>(configs[0]).fit(Xf, yf).predict_proba(Xf)) <= 1e-4);
}

TEST_CASE("mlp across ranks: dropout, parameters that differ, bad labels on one rank") {
  const auto c = clm::synthetic::customers<double>({.n_customers = 400, .seed = 2});
  const auto mine = shard(c.X.shape()[0], world().rank(), world().size());
  const auto X_mine = rows(c.X, mine);
  const auto y_mine = rows(c.churned, mine);
  if (world().size() > 1) {
    CHECK_THROWS_WITH_AS(clm::mlp_classifier<double>({.dropout = 0.2}).fit(world(), X_mine, y_mine),
                         doctest::Contains("dropout"), clm::distributed_error);
    CHECK_THROWS_WITH_AS(clm::mlp_classifier<double>({.seed = static_cast<std::uint64_t>(world().rank())})
                             .fit(world(), X_mine, y_mine),
                         doctest::Contains("differs across ranks"), clm::distributed_error);
  }
  auto y = y_mine;
  const int last = world().size() - 1;
  if (world().rank() == last) y(0) = 0.5;
  CHECK_THROWS_WITH_AS(clm::mlp_classifier<double>().fit(world(), X_mine, y),
                       doctest::Contains(("rank " + std::to_string(last)).c_str()), clm::distributed_error);
}
