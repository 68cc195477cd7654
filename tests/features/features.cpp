// features: polynomial_features, variance_threshold, select_k_best, rfm_features.
#include <doctest/doctest.h>

#include <cmath>

#include "clm/data/synthetic.hpp"
#include "clm/data/transactions.hpp"
#include "clm/features/polynomial_features.hpp"
#include "clm/features/rfm.hpp"
#include "clm/features/select_k_best.hpp"
#include "clm/features/variance_threshold.hpp"
#include "support/data.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::testing::check_close;
using clm::testing::column;
using clm::testing::read_matrix_fixture;

namespace {
template <class T>
clm::testing::check_data<T> customer_data() {
  return clm::testing::customer_data<T>();
}
}  // namespace

static_assert(clm::supervised_transformer<clm::select_k_best<>>);

TEST_CASE_TEMPLATE("feature transforms satisfy the estimator contract", T, double, float) {
  using namespace clm;
  auto nan_ok = [] {
    auto d = customer_data<T>();
    d.nan_is_missing = true;
    return d;
  };
  testing::check_estimator<polynomial_features<T>>(customer_data<T>);
  testing::check_estimator<polynomial_features<T>>(
      customer_data<T>, polynomial_features<T>({.degree = 3, .interaction_only = true, .include_bias = false}));
  testing::check_estimator<variance_threshold<T>>(nan_ok);
  testing::check_estimator<select_k_best<T>>(customer_data<T>, select_k_best<T>({.k = 3}));
  testing::check_estimator<select_k_best<T>>(customer_data<T>, select_k_best<T>({.k = 2, .score = score_function::mutual_info}));
}

TEST_CASE("polynomial_features matches scikit-learn: values to the last bit, names") {
  const matrix<double> X = read_matrix_fixture("poly_input.txt");
  clm::polynomial_features<> p2;
  check_close(p2.fit_transform(X), read_matrix_fixture("poly_degree2.txt"), 0.0);
  CHECK(p2.feature_names_out({"a", "b", "c"}) == clm::testing::read_lines_fixture("poly_degree2_names.txt"));
  clm::polynomial_features<> p3({.degree = 3, .interaction_only = true, .include_bias = false});
  check_close(p3.fit_transform(X), read_matrix_fixture("poly_degree3_interaction.txt"), 0.0);
  CHECK(p3.feature_names_out({"a", "b", "c"}) ==
        clm::testing::read_lines_fixture("poly_degree3_interaction_names.txt"));
  CHECK_THROWS_AS(clm::polynomial_features<>({.degree = 0}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::polynomial_features<>({.degree = 16}).fit(matrix<double>(xt::ones<double>({2, 200}))),
                  clm::invalid_argument);
}

TEST_CASE("variance_threshold matches scikit-learn (NaN ignored, constant column dropped)") {
  const matrix<double> X = read_matrix_fixture("prep_X.txt");
  for (double threshold : {0.0, 1.0}) {
    INFO(threshold);
    const auto ref = read_matrix_fixture(threshold == 0.0 ? "variance_threshold_0.txt" : "variance_threshold_1.txt");
    clm::variance_threshold<> vt({.threshold = threshold});
    vt.fit(X);
    std::vector<std::size_t> support;
    for (std::size_t j = 0; j < X.shape()[1]; ++j) {
      CHECK(vt.variances()(j) == doctest::Approx(ref(0, j)).epsilon(1e-12));
      if (ref(1, j) == 1.0) support.push_back(j);
    }
    CHECK(vt.support() == support);
    CHECK(vt.transform(X).shape()[1] == support.size());
  }
  CHECK_THROWS_WITH_AS(clm::variance_threshold<>().fit(matrix<double>(xt::ones<double>({3, 2}))),
                       doctest::Contains("no feature has a variance above"), clm::invalid_argument);
}

TEST_CASE("select_k_best scores match scikit-learn: f_classif and chi2 exactly, mutual information to its estimator") {
  const matrix<double> X = read_matrix_fixture("select_X.txt");
  const auto y = column(read_matrix_fixture("select_y.txt"));
  const auto ref = read_matrix_fixture("select_scores.txt");
  const std::size_t d = X.shape()[1];
  using clm::score_function;
  const auto f = clm::select_k_best<>({.k = 2, .score = score_function::f_classif}).fit(X, y);
  const auto c = clm::select_k_best<>({.k = 2, .score = score_function::chi2}).fit(read_matrix_fixture("select_X_nonneg.txt"), y);
  const auto m = clm::select_k_best<>({.k = 2, .score = score_function::mutual_info}).fit(X, y);
  for (std::size_t j = 0; j < d; ++j) {
    INFO("feature ", j);
    CHECK(f.scores()(j) == doctest::Approx(ref(0, j)).epsilon(1e-12));
    CHECK(c.scores()(j) == doctest::Approx(ref(1, j)).epsilon(1e-12));
    // Tie-free continuous data: the jitter changes nothing beyond rounding.
    CHECK(m.scores()(j) == doctest::Approx(ref(2, j)).epsilon(1e-6).scale(1e-3));
  }
  const auto support = read_matrix_fixture("select_k2_support.txt");
  std::vector<std::size_t> expected;
  for (std::size_t j = 0; j < d; ++j) {
    if (support(0, j) == 1.0) expected.push_back(j);
  }
  CHECK(f.support() == expected);

  const matrix<double> D = read_matrix_fixture("select_X_discrete.txt");
  const auto md = clm::select_k_best<>({.k = 1, .score = score_function::mutual_info, .discrete_features = true}).fit(D, y);
  const auto refd = read_matrix_fixture("select_scores_discrete.txt");
  for (std::size_t j = 0; j < D.shape()[1]; ++j) CHECK(md.scores()(j) == doctest::Approx(refd(0, j)).epsilon(1e-12));
  CHECK(md.support() == std::vector<std::size_t>{0});
}

TEST_CASE("select_k_best: bad labels and inputs are refused") {
  const matrix<double> X{{1.0, 2.0}, {3.0, 4.0}, {5.0, 7.0}};
  CHECK_THROWS_WITH_AS(clm::select_k_best<>().fit(X, clm::vector<double>{1, 1, 1}),
                       doctest::Contains("at least two classes"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::select_k_best<>({.score = clm::score_function::chi2}).fit(matrix<double>{{-1.0}, {1.0}},
                                                                                     clm::vector<double>{0, 1}),
                       doctest::Contains("non-negative"), clm::invalid_argument);
  CHECK_THROWS_AS(clm::select_k_best<>({.k = 0}), clm::invalid_argument);
  // k above the feature count keeps every feature.
  CHECK(clm::select_k_best<>({.k = 10}).fit(X, clm::vector<double>{0, 1, 0}).support().size() == 2);
}

TEST_CASE("rfm_features from a summary and from a log") {
  const auto t = clm::read_csv_text("id,date,amount\na,2024-01-01,10\na,2024-01-05,20\na,2024-01-09,40\nb,2024-01-03,5\n",
                                    {.types = {{"id", clm::column_type::categorical}, {"date", clm::column_type::categorical}}});
  const auto log = clm::transactions_from_table(t, {.customer = "id", .date = "date", .amount = "amount"});
  const clm::summary_options opts{.calibration_end = clm::parse_date("2024-01-11"), .unit = clm::time_unit::day};
  const auto f = clm::rfm_features(log, opts);
  CHECK(f.names() == std::vector<std::string>{"customer_id", "recency", "frequency", "purchases", "monetary", "tenure",
                                              "inter_purchase_time", "orders", "total_spend", "mean_order_value"});
  CHECK(f.numeric("recency")(0) == 2.0);  // last purchase 2 days before the end
  CHECK(f.numeric("frequency")(0) == 2.0);
  CHECK(f.numeric("purchases")(0) == 3.0);
  CHECK(f.numeric("monetary")(0) == 30.0);
  CHECK(f.numeric("tenure")(0) == 10.0);
  CHECK(f.numeric("inter_purchase_time")(0) == 4.0);
  CHECK(std::isnan(f.numeric("inter_purchase_time")(1)));
  CHECK(f.numeric("total_spend")(0) == 70.0);
  CHECK(f.numeric("mean_order_value")(1) == 5.0);
  CHECK(*f.categorical("customer_id").value(1) == "b");
}
