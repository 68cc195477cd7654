// preprocessing/standard_scaler: the contract, scikit-learn's numbers, edge cases.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "clm/core/concepts.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "support/data.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::vector;

static_assert(clm::transformer<clm::standard_scaler<double>>);
static_assert(clm::transformer<clm::standard_scaler<float>>);
static_assert(clm::saveable<clm::standard_scaler<double>>);

namespace {
template <class T>
clm::testing::check_data<T> customer_data() {
  return clm::testing::customer_data<T>(/*nan_is_missing=*/true);
}

}  // namespace

TEST_CASE_TEMPLATE("standard_scaler satisfies the estimator contract", T, double, float) {
  clm::testing::check_estimator<clm::standard_scaler<T>>(customer_data<T>);
  clm::testing::check_estimator<clm::standard_scaler<T>>(
      customer_data<T>, clm::standard_scaler<T>({.with_mean = false, .with_std = true}));
}

TEST_CASE("standard_scaler matches scikit-learn 1.2 (NaN, constant, large-mean, tiny columns)") {
  using clm::testing::read_matrix_fixture;
  const matrix<double> X = read_matrix_fixture("standard_scaler_X.txt");
  const matrix<double> X_new = read_matrix_fixture("standard_scaler_X_new.txt");
  const matrix<double> stats = read_matrix_fixture("standard_scaler_stats.txt");

  clm::standard_scaler<> s;
  s.fit(X);
  for (std::size_t j = 0; j < X.shape()[1]; ++j) {
    INFO("column ", j);
    CHECK(s.mean()(j) == doctest::Approx(stats(0, j)).epsilon(1e-12));
    CHECK(s.var()(j) == doctest::Approx(stats(1, j)).epsilon(1e-12).scale(1e-300));
    CHECK(s.scale()(j) == doctest::Approx(stats(2, j)).epsilon(1e-12));
    CHECK(static_cast<double>(s.n_samples_seen()[j]) == stats(3, j));
  }
  CHECK(s.scale()(2) == 1.0);  // the constant column is not divided by zero

  clm::testing::check_close(s.transform(X_new), read_matrix_fixture("standard_scaler_default_transform.txt"), 1e-12);
  clm::testing::check_close(clm::standard_scaler<>({.with_mean = false}).fit(X).transform(X_new),
              read_matrix_fixture("standard_scaler_no_mean_transform.txt"), 1e-12);
  clm::testing::check_close(clm::standard_scaler<>({.with_std = false}).fit(X).transform(X_new),
              read_matrix_fixture("standard_scaler_no_std_transform.txt"), 1e-12);
}

TEST_CASE("standard_scaler: transformed training data has mean 0 and variance 1") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 5000, .seed = 9});
  const matrix<double> Z = clm::standard_scaler<>().fit_transform(d.X);
  const vector<double> mean = xt::mean(Z, {0});
  const vector<double> var = xt::variance(Z, {0});
  for (std::size_t j = 0; j < Z.shape()[1]; ++j) {
    CHECK(std::abs(mean(j)) < 1e-12);
    CHECK(var(j) == doctest::Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("standard_scaler: inverse_transform undoes transform") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 100, .seed = 4});
  clm::standard_scaler<> s;
  const matrix<double> back = s.inverse_transform(s.fit_transform(d.X));
  clm::testing::check_close(back, d.X, 1e-13);
}

TEST_CASE("standard_scaler: a column with no value at fit transforms to NaN") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const matrix<double> X{{1.0, nan}, {3.0, nan}};
  clm::standard_scaler<> s;
  s.fit(X);
  CHECK(std::isnan(s.mean()(1)));
  CHECK(s.n_samples_seen()[1] == 0);
  const matrix<double> Z = s.transform(matrix<double>{{2.0, 5.0}});
  CHECK(Z(0, 0) == 0.0);
  CHECK(std::isnan(Z(0, 1)));
}

TEST_CASE("standard_scaler: accepts expressions and dynamic-rank arrays, refuses other ranks") {
  const matrix<double> X{{1.0, 2.0}, {3.0, 6.0}};
  clm::standard_scaler<> s;
  s.fit(X * 1.0);
  const xt::xarray<double> dyn = X;
  CHECK(s.transform(dyn) == s.transform(X));
  const xt::xarray<double> v = xt::zeros<double>({3});
  CHECK_THROWS_AS(s.transform(v), clm::shape_error);
}

TEST_CASE("standard_scaler: feature names pass through") {
  clm::standard_scaler<> s;
  CHECK_THROWS_AS(s.feature_names_out(), clm::not_fitted);
  s.fit(matrix<double>{{1.0, 2.0}, {2.0, 3.0}});
  CHECK(s.feature_names_out() == clm::feature_names{"x0", "x1"});
  CHECK(s.feature_names_out({"recency", "frequency"}) == clm::feature_names{"recency", "frequency"});
  CHECK_THROWS_AS(s.feature_names_out({"only_one"}), clm::shape_error);
}

TEST_CASE("standard_scaler: transform_into a caller's matrix or in place equals transform") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 300, .seed = 5});
  clm::standard_scaler<> s;
  const matrix<double> expected = s.fit(d.X).transform(d.X);
  matrix<double> out = clm::detail::empty_matrix<double>(d.X.shape()[0], d.X.shape()[1]);
  s.transform_into(d.X, out);
  CHECK(out == expected);  // bit for bit
  matrix<double> in_place = d.X;
  s.transform_into(in_place, in_place);
  CHECK(in_place == expected);
  matrix<double> fitted_out = clm::detail::empty_matrix<double>(d.X.shape()[0], d.X.shape()[1]);
  clm::standard_scaler<> t;
  t.fit_transform_into(d.X, fitted_out);
  CHECK(fitted_out == expected);
  CHECK(t.mean() == s.mean());

  matrix<double> wrong = clm::detail::empty_matrix<double>(d.X.shape()[0], d.X.shape()[1] + 1);
  const auto msg = clm::testing::message_of([&] { s.transform_into(d.X, wrong); });
  CHECK(msg.find("standard_scaler.transform_into: out: expected 300 x " + std::to_string(d.X.shape()[1])) != std::string::npos);
  CHECK_THROWS_AS(s.transform_into(d.X, wrong), clm::shape_error);
  CHECK_THROWS_AS(clm::standard_scaler<>().transform_into(d.X, out), clm::not_fitted);

  // An infinite value is refused in place too, named by row and column; and where its
  // column had no value at fit (a NaN shift) the error still comes.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  matrix<double> bad = d.X;
  bad(7, 1) = -inf;
  const auto bad_msg = clm::testing::message_of([&] { s.transform_into(bad, bad); });
  CHECK(bad_msg.find("row 7, column 1") != std::string::npos);
  const matrix<double> holes{{1.0, nan}, {3.0, nan}};
  const auto h = clm::standard_scaler<>().fit(holes);
  matrix<double> hole_in{{2.0, inf}};
  CHECK_THROWS_AS(h.transform_into(hole_in, hole_in), clm::numeric_error);
}
