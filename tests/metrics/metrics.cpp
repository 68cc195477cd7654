// metrics: classification and regression metrics against scikit-learn 1.2, ties, zero
// divisions and bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "clm/metrics/classification.hpp"
#include "clm/metrics/regression.hpp"
#include "support/fixtures.hpp"

using clm::vector;
using clm::testing::column;
using clm::testing::read_matrix_fixture;

TEST_CASE("classification metrics match scikit-learn to 1e-12 (tied scores, clipped probabilities)") {
  const auto in = read_matrix_fixture("metrics_inputs.txt");
  const auto y = column(in, 0), score = column(in, 1), prob = column(in, 2), pred = column(in, 3);
  const auto ref = read_matrix_fixture("metrics_classification.txt");
  const double got[] = {clm::accuracy(y, pred), clm::precision(y, pred), clm::recall(y, pred), clm::f1(y, pred),
                        clm::fbeta(y, pred, 2.0),  clm::roc_auc(y, score),    clm::log_loss(y, prob),
                        clm::brier_score(y, prob)};
  const char* names[] = {"accuracy", "precision", "recall", "f1", "fbeta(2)", "roc_auc", "log_loss", "brier"};
  for (std::size_t k = 0; k < 8; ++k) {
    INFO(names[k]);
    CHECK(got[k] == doctest::Approx(ref(0, k)).epsilon(1e-12));
  }
  const auto c = clm::confusion_matrix(y, pred);
  const auto cref = read_matrix_fixture("metrics_confusion.txt");
  CHECK(static_cast<double>(c.tn) == cref(0, 0));
  CHECK(static_cast<double>(c.fp) == cref(0, 1));
  CHECK(static_cast<double>(c.fn) == cref(0, 2));
  CHECK(static_cast<double>(c.tp) == cref(0, 3));
}

TEST_CASE("regression metrics match scikit-learn to 1e-12") {
  const auto in = read_matrix_fixture("metrics_regression_inputs.txt");
  const auto t = column(in, 0), p = column(in, 1);
  const auto ref = read_matrix_fixture("metrics_regression.txt");
  CHECK(clm::mse(t, p) == doctest::Approx(ref(0, 0)).epsilon(1e-12));
  CHECK(clm::rmse(t, p) == doctest::Approx(ref(0, 1)).epsilon(1e-12));
  CHECK(clm::mae(t, p) == doctest::Approx(ref(0, 2)).epsilon(1e-12));
  CHECK(clm::r2(t, p) == doctest::Approx(ref(0, 3)).epsilon(1e-12));
  CHECK(clm::mape(t, p) == doctest::Approx(ref(0, 4)).epsilon(1e-12));
  // A constant target: 1 when predicted exactly, else 0 (scikit-learn's force_finite).
  CHECK(clm::r2(vector<double>{2, 2}, vector<double>{2, 2}) == 1.0);
  CHECK(clm::r2(vector<double>{2, 2}, vector<double>{1, 2}) == 0.0);
}

TEST_CASE("accuracy and ROC AUC by hand, with ties") {
  CHECK(clm::accuracy(vector<double>{0, 1, 1, 0}, vector<double>{0, 1, 0, 0}) == 0.75);
  CHECK(clm::roc_auc(vector<double>{0, 0, 1, 1}, vector<double>{0.1, 0.4, 0.35, 0.8}) == 0.75);
  CHECK(clm::roc_auc(vector<double>{0, 1, 0, 1}, vector<double>{0.5, 0.5, 0.5, 0.5}) == 0.5);
  CHECK(clm::roc_auc(vector<double>{0, 1, 1}, vector<double>{0.2, 0.2, 0.9}) == 0.75);
  CHECK_THROWS_AS(clm::roc_auc(vector<double>{1, 1}, vector<double>{0.1, 0.2}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::roc_auc(vector<double>{0, 1}, vector<double>{0.1}), clm::shape_error);
}

TEST_CASE("zero divisions give 0, as scikit-learn's default") {
  const vector<double> y{0, 0, 1}, none{0, 0, 0};
  CHECK(clm::precision(y, none) == 0.0);  // no predicted positive
  CHECK(clm::recall(none, none) == 0.0);  // no actual positive
  CHECK(clm::f1(none, none) == 0.0);
}

TEST_CASE("bad input to the metrics is a named error") {
  CHECK_THROWS_AS(clm::precision(vector<double>{0, 2}, vector<double>{0, 1}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::f1(vector<double>{}, vector<double>{}), clm::shape_error);
  CHECK_THROWS_AS(clm::log_loss(vector<double>{0, 1}, vector<double>{0.5, 1.5}), clm::invalid_argument);
  CHECK_THROWS_AS(clm::brier_score(vector<double>{0, 1}, vector<double>{0.5, std::nan("")}), clm::numeric_error);
  CHECK_THROWS_AS(clm::mse(vector<double>{1, 2}, vector<double>{1}), clm::shape_error);
  CHECK_THROWS_AS(clm::mae(vector<double>{1, INFINITY}, vector<double>{1, 1}), clm::numeric_error);
  CHECK_THROWS_AS(clm::fbeta(vector<double>{0, 1}, vector<double>{0, 1}, 0.0), clm::invalid_argument);
}
