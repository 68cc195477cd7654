// preprocessing: min_max_scaler, robust_scaler, clipper, log1p_transform, simple_imputer —
// the contract, scikit-learn's (or numpy's) numbers, and edge cases.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "clm/data/synthetic.hpp"
#include "clm/preprocessing/clipper.hpp"
#include "clm/io/archive.hpp"
#include "clm/preprocessing/log1p_transform.hpp"
#include "clm/preprocessing/min_max_scaler.hpp"
#include "clm/preprocessing/robust_scaler.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "support/data.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::testing::check_close;
using clm::testing::read_matrix_fixture;

namespace {
template <class T>
clm::testing::check_data<T> customer_data() {
  return clm::testing::customer_data<T>(/*nan_is_missing=*/true);
}
const double NaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE_TEMPLATE("scalers, clipper, log1p and imputer satisfy the estimator contract", T, double, float) {
  using namespace clm;
  testing::check_estimator<min_max_scaler<T>>(customer_data<T>);
  testing::check_estimator<min_max_scaler<T>>(customer_data<T>, min_max_scaler<T>({.range_min = -1, .range_max = 1, .clip = true}));
  testing::check_estimator<robust_scaler<T>>(customer_data<T>);
  testing::check_estimator<robust_scaler<T>>(customer_data<T>, robust_scaler<T>({.with_centering = false}));
  testing::check_estimator<clipper<T>>(customer_data<T>);
  testing::check_estimator<log1p_transform<T>>(customer_data<T>);
  testing::check_estimator<simple_imputer<T>>(customer_data<T>);
  testing::check_estimator<simple_imputer<T>>(customer_data<T>, simple_imputer<T>({.strategy = impute_strategy::median}));
}

TEST_CASE("min_max_scaler matches scikit-learn (NaN, constant column, range and clip)") {
  const matrix<double> X = read_matrix_fixture("prep_X.txt");
  const matrix<double> Xn = read_matrix_fixture("prep_X_new.txt");
  check_close(clm::min_max_scaler<>().fit(X).transform(Xn), read_matrix_fixture("min_max_default.txt"), 1e-12);
  check_close(clm::min_max_scaler<>({.range_min = -1, .range_max = 2, .clip = true}).fit(X).transform(Xn),
              read_matrix_fixture("min_max_range_clip.txt"), 1e-12);
  clm::min_max_scaler<> s;
  s.fit(X);
  check_close(s.inverse_transform(s.transform(Xn)), Xn, 1e-12);
  CHECK_THROWS_AS(clm::min_max_scaler<>({.range_min = 1, .range_max = 1}), clm::invalid_argument);
}

TEST_CASE("robust_scaler matches scikit-learn (median, IQR, ties, constant column)") {
  const matrix<double> X = read_matrix_fixture("prep_X.txt");
  const matrix<double> Xn = read_matrix_fixture("prep_X_new.txt");
  check_close(clm::robust_scaler<>().fit(X).transform(Xn), read_matrix_fixture("robust_default.txt"), 1e-12);
  check_close(clm::robust_scaler<>({.quantile_low = 10, .quantile_high = 90}).fit(X).transform(Xn),
              read_matrix_fixture("robust_10_90.txt"), 1e-12);
  CHECK_THROWS_AS(clm::robust_scaler<>({.quantile_low = 80, .quantile_high = 20}), clm::invalid_argument);
}

TEST_CASE("clipper matches numpy's nanpercentile + clip") {
  const matrix<double> X = read_matrix_fixture("prep_X.txt");
  const matrix<double> Xn = read_matrix_fixture("prep_X_new.txt");
  check_close(clm::clipper<>({.lower = 5, .upper = 95}).fit(X).transform(Xn), read_matrix_fixture("clipper_5_95.txt"),
              1e-12);
  CHECK_THROWS_AS(clm::clipper<>({.lower = 50, .upper = 40}), clm::invalid_argument);
}

TEST_CASE("log1p_transform matches numpy - values <= -1 are refused") {
  const matrix<double> X = read_matrix_fixture("log1p_input.txt");
  clm::log1p_transform<> t;
  check_close(t.fit_transform(X), read_matrix_fixture("log1p.txt"), 1e-15);
  check_close(t.inverse_transform(t.transform(X)), X, 1e-12);
  CHECK_THROWS_WITH_AS(t.transform(matrix<double>(xt::full_like(X, -1.0))),
                       doctest::Contains("expected values > -1"), clm::numeric_error);
  // signed_values: sign(x) log1p(|x|), odd, any sign (amounts net of refunds), invertible.
  clm::log1p_transform<> s({.signed_values = true});
  const matrix<double> money{{-110.31, 0.0}, {25.5, -0.5}, {NAN, 1e6}};
  const auto Z = s.fit_transform(money);
  CHECK(Z(0, 0) == -std::log1p(110.31));
  CHECK(Z(1, 0) == std::log1p(25.5));
  CHECK(Z(1, 1) == -std::log1p(0.5));
  CHECK(Z(0, 1) == 0.0);
  CHECK(std::isnan(Z(2, 0)));
  check_close(matrix<double>(xt::view(s.inverse_transform(Z), xt::range(0, 2), xt::all())),
              matrix<double>(xt::view(money, xt::range(0, 2), xt::all())), 1e-12);
  const auto back = clm::load_bytes<clm::log1p_transform<>>(clm::save_bytes(s));
  CHECK(back.params().signed_values);
  CHECK(back.transform(money)(0, 0) == Z(0, 0));
}

TEST_CASE("simple_imputer matches scikit-learn: mean, median, most frequent (ties: smallest), constant") {
  const matrix<double> X = read_matrix_fixture("prep_X.txt");
  const matrix<double> Xn = read_matrix_fixture("prep_X_new.txt");
  using clm::impute_strategy;
  check_close(clm::simple_imputer<>({.strategy = impute_strategy::mean}).fit(X).transform(Xn),
              read_matrix_fixture("imputer_mean.txt"), 1e-12);
  check_close(clm::simple_imputer<>({.strategy = impute_strategy::median}).fit(X).transform(Xn),
              read_matrix_fixture("imputer_median.txt"), 1e-12);
  check_close(clm::simple_imputer<>({.strategy = impute_strategy::most_frequent}).fit(X).transform(Xn),
              read_matrix_fixture("imputer_most_frequent.txt"), 1e-12);
  check_close(clm::simple_imputer<>({.strategy = impute_strategy::constant, .fill_value = -7}).fit(X).transform(Xn),
              read_matrix_fixture("imputer_constant.txt"), 1e-12);
  const matrix<double> ties{{1.0}, {2.0}, {2.0}, {1.0}, {NaN}};
  CHECK(clm::simple_imputer<>({.strategy = impute_strategy::most_frequent}).fit(ties).statistics()(0) == 1.0);
}

TEST_CASE("simple_imputer: an all-missing column is an error, or dropped when asked - never NaN") {
  const matrix<double> X{{1.0, NaN, 3.0}, {2.0, NaN, NaN}};
  CHECK_THROWS_WITH_AS(clm::simple_imputer<>().fit(X), doctest::Contains("column 1 has no value"),
                       clm::invalid_argument);
  clm::simple_imputer<> drop({.empty_columns = clm::empty_column_policy::drop});
  const matrix<double> Z = drop.fit_transform(X);
  CHECK(Z == matrix<double>{{1.0, 3.0}, {2.0, 3.0}});
  CHECK(drop.feature_names_out({"a", "b", "c"}) == clm::feature_names{"a", "c"});
  // Constant keeps every column.
  CHECK(clm::simple_imputer<>({.strategy = clm::impute_strategy::constant}).fit_transform(X).shape()[1] == 3);
  CHECK_THROWS_AS(clm::simple_imputer<>({.fill_value = NaN}), clm::invalid_argument);
}
