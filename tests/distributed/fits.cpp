// distributed: every fit on uneven shards (one empty from 3 ranks on) equals the one-process
// fit on all rows, is the same on every rank and bit-identical across reruns; any rank's
// bad input is every rank's named error, never a hang.
#include <doctest/doctest.h>

#include <limits>

#include "clm/data/synthetic.hpp"
#include "clm/linear/linear_regression.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support.hpp"

using clm_test::relative_gap;
using clm_test::rows;
using clm_test::same_on_every_rank;
using clm_test::shard;
using clm_test::world;

namespace {
clm_test::split_data make_data(std::size_t n = 5000) { return clm_test::make_data(n, 11); }
}  // namespace

TEST_CASE("linear_regression across ranks: the one-process model, the same bits on every rank and rerun") {
  const auto d = make_data();
  for (const double l2 : {0.0, 3.0}) {
    INFO("l2 ", l2);
    const clm::linear_regression<> one = clm::linear_regression<>({.l2 = l2}).fit(d.X, d.y);
    clm::linear_regression<> a({.l2 = l2}), b({.l2 = l2});
    a.fit(world(), d.X_mine, d.y_mine);
    b.fit(world(), d.X_mine, d.y_mine);
    if (world().rank() == 0) MESSAGE(world().size(), " ranks, l2 ", l2, ": coefficients within ", relative_gap(a.coef(), one.coef()));
    CHECK(relative_gap(a.coef(), one.coef()) <= 1e-10);
    CHECK(std::abs(a.intercept() - one.intercept()) <= 1e-10 * std::max(1.0, std::abs(one.intercept())));
    CHECK(relative_gap(a.predict(d.X), one.predict(d.X)) <= 1e-10);
    CHECK(a.coef() == b.coef());
    CHECK(a.intercept() == b.intercept());
    CHECK(same_on_every_rank(a.coef()));
  }
}

TEST_CASE("logistic_regression across ranks: lbfgs and newton, class weights, the one-process model") {
  const auto d = make_data();
  using clm::class_weighting;
  using clm::logistic_solver;
  const clm::logistic_regression_params configs[] = {
      {.C = 1.0, .solver = logistic_solver::newton, .tol = 1e-12, .max_iter = 100},
      {.C = 0.1, .solver = logistic_solver::newton, .tol = 1e-12, .class_weight = class_weighting::balanced},
      {.C = 1.0, .tol = 1e-9, .max_iter = 1000, .ftol = 0.0},
      {.C = 1.0}};  // the defaults: scikit-learn's stopping rule
  for (std::size_t k = 0; k < std::size(configs); ++k) {
    INFO("configuration ", k);
    const clm::logistic_regression<> one = clm::logistic_regression<>(configs[k]).fit(d.X, d.label);
    clm::logistic_regression<> a(configs[k]), b(configs[k]);
    a.fit(world(), d.X_mine, d.label_mine);
    b.fit(world(), d.X_mine, d.label_mine);
    INFO(a.report().stopped_because, " after ", a.report().iterations, " iterations; one process ",
         one.report().iterations);
    CHECK(a.report().converged);
    // The sums across ranks differ from one process's only by rounding, which leaves every
    // solver on the same path: the same iterations and the model to 1e-10 (measured: 4e-16).
    const double tol = 1e-10;
    CHECK(a.report().iterations == one.report().iterations);
    if (world().rank() == 0) {
      MESSAGE(world().size(), " ranks, configuration ", k, ": coefficients within ", relative_gap(a.coef(), one.coef()),
              ", ", a.report().iterations, " iterations (one process ", one.report().iterations, ")");
    }
    CHECK(relative_gap(a.coef(), one.coef()) <= tol);
    CHECK(relative_gap(a.predict_proba(d.X), one.predict_proba(d.X)) <= tol);
    CHECK(a.coef() == b.coef());
    CHECK(same_on_every_rank(a.coef()));
  }
}

TEST_CASE("logistic_regression across ranks: the start on every 16th row takes the same global rows") {
  // 20000 rows: the lbfgs fit starts from the subsample of global rows 0, 16, 32, ..., which
  // the ranks find from their offsets, so the path is the one-process path.
  const auto d = make_data(20000);
  const clm::logistic_regression_params configs[] = {{.C = 1.0, .tol = 1e-9, .max_iter = 1000, .ftol = 0.0},
                                                     {.C = 1.0}};
  for (std::size_t k = 0; k < std::size(configs); ++k) {
    INFO("configuration ", k);
    const clm::logistic_regression<> one = clm::logistic_regression<>(configs[k]).fit(d.X, d.label);
    clm::logistic_regression<> a(configs[k]);
    a.fit(world(), d.X_mine, d.label_mine);
    INFO(a.report().stopped_because, " after ", a.report().iterations, " iterations; one process ",
         one.report().iterations);
    CHECK(a.report().converged);
    CHECK(a.report().iterations == one.report().iterations);
    CHECK(relative_gap(a.coef(), one.coef()) <= 1e-10);
    CHECK(same_on_every_rank(a.coef()));
  }
}

TEST_CASE("standard_scaler across ranks: the statistics of all rows") {
  const auto d = make_data();
  const clm::standard_scaler<> one = clm::standard_scaler<>().fit(d.X);
  clm::standard_scaler<> a;
  a.fit(world(), d.X_mine);
  if (world().rank() == 0) MESSAGE(world().size(), " ranks: scales within ", relative_gap(a.scale(), one.scale()));
  CHECK(relative_gap(a.mean(), one.mean()) <= 1e-12);
  CHECK(relative_gap(a.var(), one.var()) <= 1e-12);
  CHECK(relative_gap(a.scale(), one.scale()) <= 1e-12);
  CHECK(a.n_samples_seen() == one.n_samples_seen());
  CHECK(same_on_every_rank(a.scale()));
}

TEST_CASE("the local communicator is the one-process fit, bit for bit") {
  const auto d = make_data(2000);
  clm::local_communicator one;
  const auto p = clm::logistic_regression<>().fit(d.X, d.label);
  const auto q = clm::logistic_regression<>().fit(one, d.X, d.label);
  CHECK(p.coef() == q.coef());
  CHECK(p.intercept() == q.intercept());
  const auto s = clm::standard_scaler<>().fit(d.X);
  const auto t = clm::standard_scaler<>().fit(one, d.X);
  CHECK(s.scale() == t.scale());
  CHECK(s.mean() == t.mean());
}

TEST_CASE("bad input on one rank is every rank's distributed_error, naming the rank") {
  const auto d = make_data(1000);
  const int last = world().size() - 1;
  // NaN in the last rank's rows (it always holds some).
  clm::matrix<double> X = d.X_mine;
  if (world().rank() == last) X(0, 0) = std::numeric_limits<double>::quiet_NaN();
  clm::logistic_regression<> m;
  try {
    m.fit(world(), X, d.label_mine);
    FAIL("no error");
  } catch (const clm::distributed_error& e) {
    CHECK(std::string(e.what()).find("rank " + std::to_string(last)) != std::string::npos);
    CHECK(std::string(e.what()).find("expected finite values") != std::string::npos);
  }
  CHECK_FALSE(m.fitted());
  // A label that is not 0 or 1 on rank 0.
  clm::vector<double> y = d.label_mine;
  if (world().rank() == 0) y(0) = 2.0;
  CHECK_THROWS_WITH_AS(clm::logistic_regression<>().fit(world(), d.X_mine, y), doctest::Contains("rank 0"),
                       clm::distributed_error);
}

TEST_CASE("ranks that disagree on parameters or columns get a distributed_error") {
  const auto d = make_data(1000);
  if (world().size() == 1) return;
  clm::logistic_regression<> m({.C = 1.0 + world().rank()});
  CHECK_THROWS_WITH_AS(m.fit(world(), d.X_mine, d.label_mine), doctest::Contains("differs across ranks"),
                       clm::distributed_error);
  // Rank 0 has one column fewer.
  const std::size_t cols = world().rank() == 0 ? 5 : 6;
  clm::matrix<double> X = clm::matrix<double>::from_shape({d.X_mine.shape()[0], cols});
  for (std::size_t i = 0; i < X.shape()[0]; ++i) {
    for (std::size_t j = 0; j < cols; ++j) X(i, j) = d.X_mine(i, j);
  }
  CHECK_THROWS_WITH_AS(clm::linear_regression<>().fit(world(), X, d.y_mine), doctest::Contains("column count"),
                       clm::distributed_error);
  CHECK_THROWS_AS(clm::standard_scaler<>().fit(world(), X), clm::distributed_error);
}

TEST_CASE("no rows on any rank is a shape_error on every rank") {
  const clm::matrix<double> X = clm::matrix<double>::from_shape({0, 3});
  const clm::vector<double> y = clm::vector<double>::from_shape({0});
  CHECK_THROWS_AS(clm::linear_regression<>().fit(world(), X, y), clm::shape_error);
  CHECK_THROWS_AS(clm::standard_scaler<>().fit(world(), X), clm::shape_error);
  CHECK_THROWS_AS(clm::logistic_regression<>().fit(world(), X, y), clm::shape_error);
}
