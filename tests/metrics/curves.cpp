// metrics: ROC, precision-recall and calibration curves against scikit-learn 1.2, the gain
// and lift curves by their definition, the radix-sorted AUC against the rank formula.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/core/sort.hpp"
#include "clm/metrics/curves.hpp"
#include "support/fixtures.hpp"

using clm::vector;
using clm::testing::check_close;
using clm::testing::column;
using clm::testing::read_matrix_fixture;

namespace {
struct inputs {
  vector<double> y, score, prob;
};
inputs fixture_inputs() {
  const auto in = read_matrix_fixture("metrics_inputs.txt");
  return {column(in, 0), column(in, 1), column(in, 2)};
}
}  // namespace

TEST_CASE("roc_curve matches scikit-learn 1.2, with and without dropping collinear points") {
  const auto [y, score, prob] = fixture_inputs();
  for (const bool drop : {true, false}) {
    INFO("drop_intermediate = ", drop);
    const auto ref = read_matrix_fixture(drop ? "metrics_roc_curve.txt" : "metrics_roc_curve_all.txt");
    const auto r = clm::roc_curve(y, score, drop);
    REQUIRE(r.fpr.size() == ref.shape()[0]);
    check_close(r.fpr, column(ref, 0), 1e-12);
    check_close(r.tpr, column(ref, 1), 1e-12);
    CHECK(std::isinf(r.thresholds(0)));
    for (std::size_t k = 1; k < r.thresholds.size(); ++k) CHECK(r.thresholds(k) == ref(k, 2));
  }
}

TEST_CASE("precision_recall_curve and average_precision match scikit-learn 1.2") {
  const auto [y, score, prob] = fixture_inputs();
  const auto ref = read_matrix_fixture("metrics_pr_curve.txt");
  const auto r = clm::precision_recall_curve(y, score);
  REQUIRE(r.precision.size() == ref.shape()[0]);
  REQUIRE(r.thresholds.size() == ref.shape()[0] - 1);
  check_close(r.precision, column(ref, 0), 1e-12);
  check_close(r.recall, column(ref, 1), 1e-12);
  for (std::size_t k = 0; k < r.thresholds.size(); ++k) CHECK(r.thresholds(k) == ref(k, 2));
  const auto scores = read_matrix_fixture("metrics_scores.txt");
  CHECK(clm::average_precision(y, score) == doctest::Approx(scores(0, 0)).epsilon(1e-12));
  CHECK(clm::roc_auc(y, prob) == doctest::Approx(scores(0, 1)).epsilon(1e-12));
}

TEST_CASE("calibration_curve matches scikit-learn 1.2 for uniform and quantile bins") {
  const auto [y, score, prob] = fixture_inputs();
  const auto ref = read_matrix_fixture("metrics_calibration.txt");
  std::size_t row = 0;
  for (const auto strategy : {clm::calibration_bins::uniform, clm::calibration_bins::quantile}) {
    for (const std::size_t bins : {5, 10}) {
      INFO("bins ", bins, " quantile ", strategy == clm::calibration_bins::quantile);
      const auto c = clm::calibration_curve(y, prob, bins, strategy);
      for (std::size_t k = 0; k < c.prob_true.size(); ++k, ++row) {
        REQUIRE(row < ref.shape()[0]);
        CHECK(ref(row, 0) == static_cast<double>(bins));
        CHECK(c.prob_true(k) == doctest::Approx(ref(row, 2)).epsilon(1e-12));
        CHECK(c.prob_pred(k) == doctest::Approx(ref(row, 3)).epsilon(1e-12));
      }
    }
  }
  CHECK(row == ref.shape()[0]);
  CHECK_THROWS_AS(clm::calibration_curve(vector<double>{0, 1}, vector<double>{0.2, 1.2}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::calibration_curve(vector<double>{0, 1}, vector<double>{0.2, 0.5}, 0), clm::invalid_argument);
}

TEST_CASE("cumulative gain and lift: shares of positives in the top fractions, ties interpolated") {
  // Scores 0.9 0.8 0.8 0.7 0.1 with labels 1 1 0 0 1: two of three positives in the top 3.
  const vector<double> y{1, 1, 0, 0, 1}, s{0.9, 0.8, 0.8, 0.7, 0.1};
  const auto g = clm::cumulative_gain(y, s);
  check_close(g.fraction, vector<double>{0.0, 0.2, 0.6, 0.8, 1.0}, 1e-15);
  check_close(g.gain, vector<double>{0.0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1.0}, 1e-15);
  const auto l = clm::lift_curve(y, s);
  check_close(l.lift, vector<double>{5.0 / 3, (2.0 / 3) / 0.6, (2.0 / 3) / 0.8, 1.0}, 1e-15);
  // Top 40 %: the first row and half of the tied pair (one positive of two): 1.5 positives.
  CHECK(clm::gain_at(y, s, 0.4) == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(clm::lift_at(y, s, 0.4) == doctest::Approx(1.25).epsilon(1e-15));
  CHECK(clm::gain_at(y, s, 1.0) == 1.0);
  CHECK_THROWS_AS(clm::gain_at(y, s, 0.0), clm::invalid_argument);
  CHECK_THROWS_AS(clm::cumulative_gain(vector<double>{0, 0}, vector<double>{0.1, 0.2}), clm::invalid_argument);
}

TEST_CASE("radix-sorted roc_auc equals the average-rank formula on large random inputs with ties") {
  clm::random_engine g(9);
  const std::size_t n = 20000;
  vector<double> y = vector<double>::from_shape({n}), s = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    y(i) = clm::bernoulli(g, 0.2) ? 1.0 : 0.0;
    // Negative and positive values, -0.0 and 0.0, many ties.
    s(i) = std::round(clm::normal(g, y(i), 2.0) * 4.0) / 4.0;
    if (i % 1000 == 0) s(i) = (i % 2000 == 0) ? -0.0 : 0.0;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s(a) < s(b); });
  double rank_sum = 0.0, n1 = 0.0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && s(order[j]) == s(order[i])) ++j;
    for (std::size_t k = i; k < j; ++k) {
      if (y(order[k]) == 1.0) rank_sum += (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0, n1 += 1.0;
    }
    i = j;
  }
  const double expected = (rank_sum - n1 * (n1 + 1) / 2) / (n1 * (static_cast<double>(n) - n1));
  CHECK(clm::roc_auc(y, s) == doctest::Approx(expected).epsilon(1e-12));
  // The area under roc_curve's points (trapezoids) is the same number.
  const auto r = clm::roc_curve(y, s, false);
  double area = 0.0;
  for (std::size_t k = 1; k < r.fpr.size(); ++k) area += (r.fpr(k) - r.fpr(k - 1)) * (r.tpr(k) + r.tpr(k - 1)) / 2;
  CHECK(area == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("radix_sort sorts order keys like std::sort sorts the doubles") {
  clm::random_engine g(4);
  std::vector<double> v(5000);
  for (auto& x : v) x = clm::normal(g) * std::pow(10.0, clm::uniform(g, -30, 30));
  v[0] = -0.0;
  v[1] = 0.0;
  v[2] = -1e308;
  v[3] = 1e308;
  std::vector<std::uint64_t> keys;
  for (const double x : v) keys.push_back(clm::detail::order_key(x));
  clm::detail::radix_sort(keys);
  std::sort(v.begin(), v.end());
  bool same = true;
  for (std::size_t i = 0; i < v.size(); ++i) same = same && clm::detail::from_order_key(keys[i]) == v[i];
  CHECK(same);
}

TEST_CASE("bad input to the curves is a named error") {
  const vector<double> y{0, 1, 1}, s{0.1, 0.4, 0.3};
  CHECK_THROWS_AS(clm::roc_curve(vector<double>{1, 1, 1}, s), clm::invalid_argument);
  CHECK_THROWS_AS(clm::roc_auc(y, vector<double>{0.1, NAN, 0.2}), clm::numeric_error);
  CHECK_THROWS_AS(clm::precision_recall_curve(vector<double>{0, 0, 0}, s), clm::invalid_argument);
  CHECK_THROWS_AS(clm::average_precision(y, vector<double>{0.1, 0.2}), clm::shape_error);
  CHECK_THROWS_AS(clm::roc_auc(vector<double>{}, vector<double>{}), clm::shape_error);
  CHECK_THROWS_AS(clm::lift_curve(vector<double>{0, 2, 1}, s), clm::invalid_argument);
}
