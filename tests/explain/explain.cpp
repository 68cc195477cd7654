// explain: permutation importance and partial dependence against scikit-learn 1.2 on the
// same fixed models and permutations (tests/reference/make_explain_fixtures.py), linear
// contributions and exact Shapley values by their defining identities, sampling Shapley
// within its stated error of the exact values, reason codes, and the bad inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "clm/data/synthetic.hpp"
#include "clm/explain/contributions.hpp"
#include "clm/explain/partial_dependence.hpp"
#include "clm/explain/permutation_importance.hpp"
#include "clm/explain/reason_codes.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/neural/mlp.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::vector;
using clm::testing::column;
using clm::testing::read_matrix_fixture;

namespace {

/// A linear model with given coefficients (the fixture's scikit-learn fit).
struct fixed_linear {
  static std::string model_kind() { return "fixed_linear"; }
  vector<double> w;
  double b = 0;
  vector<double> predict(const matrix<double>& X) const {
    vector<double> z = vector<double>::from_shape({X.shape()[0]});
    for (std::size_t i = 0; i < z.size(); ++i) {
      double s = b;
      for (std::size_t j = 0; j < w.size(); ++j) s += X(i, j) * w(j);
      z(i) = s;
    }
    return z;
  }
  const vector<double>& coef() const { return w; }
  double intercept() const { return b; }
};

/// A logistic model with given coefficients.
struct fixed_logistic : fixed_linear {
  static std::string model_kind() { return "fixed_logistic"; }
  vector<double> decision_function(const matrix<double>& X) const { return fixed_linear::predict(X); }
  vector<double> predict_proba(const matrix<double>& X) const {
    vector<double> z = decision_function(X);
    for (auto& v : z) v = 1.0 / (1.0 + std::exp(-v));
    return z;
  }
  vector<double> predict(const matrix<double>& X) const {
    vector<double> p = predict_proba(X);
    for (auto& v : p) v = v >= 0.5 ? 1.0 : 0.0;
    return p;
  }
};

template <class M>
M model_row(std::size_t row) {
  const matrix<double> m = read_matrix_fixture("explain_models.txt");
  M f;
  f.w = vector<double>::from_shape({5});
  for (std::size_t j = 0; j < 5; ++j) f.w(j) = m(row, j);
  f.b = m(row, 5);
  return f;
}

struct churn_set {
  matrix<double> X, X_test;
  vector<double> y;
};
const churn_set& churn() {
  static const churn_set s = [] {
    const auto a = clm::synthetic::customers({.n_customers = 3000, .seed = 5});
    const auto b = clm::synthetic::customers({.n_customers = 40, .seed = 6});
    churn_set c;
    // Standardised columns (the MLP trains better; the explanations do not care).
    c.X = a.X;
    c.X_test = b.X;
    for (std::size_t j = 0; j < c.X.shape()[1]; ++j) {
      double m = 0, v = 0;
      for (std::size_t i = 0; i < c.X.shape()[0]; ++i) m += c.X(i, j);
      m /= static_cast<double>(c.X.shape()[0]);
      for (std::size_t i = 0; i < c.X.shape()[0]; ++i) v += (c.X(i, j) - m) * (c.X(i, j) - m);
      const double sd = std::sqrt(v / static_cast<double>(c.X.shape()[0]));
      for (std::size_t i = 0; i < c.X.shape()[0]; ++i) c.X(i, j) = (c.X(i, j) - m) / sd;
      for (std::size_t i = 0; i < c.X_test.shape()[0]; ++i) c.X_test(i, j) = (c.X_test(i, j) - m) / sd;
    }
    c.y = a.churned;
    return c;
  }();
  return s;
}

}  // namespace

TEST_CASE("permutation_importance: equals scikit-learn given its permutations") {
  const matrix<double> X = read_matrix_fixture("explain_X.txt");
  const matrix<double> y = read_matrix_fixture("explain_y.txt");
  const matrix<double> P = read_matrix_fixture("explain_permutations.txt");
  std::vector<std::vector<std::size_t>> perms(P.shape()[0], std::vector<std::size_t>(P.shape()[1]));
  for (std::size_t r = 0; r < P.shape()[0]; ++r) {
    for (std::size_t i = 0; i < P.shape()[1]; ++i) perms[r][i] = static_cast<std::size_t>(P(r, i));
  }
  const matrix<double> ref = read_matrix_fixture("explain_importance.txt");
  const clm::permutation_importance_options opt{.n_repeats = 4, .seed = 0, .n_jobs = 1, .permutations = perms};
  const auto lin = clm::permutation_importance(model_row<fixed_linear>(0), X, column(y, 0), "r2", opt);
  const auto log = clm::permutation_importance(model_row<fixed_logistic>(1), X, column(y, 1), "roc_auc", opt);
  CHECK(lin.baseline_score == doctest::Approx(ref(10, 0)).epsilon(1e-12));
  CHECK(log.baseline_score == doctest::Approx(ref(10, 1)).epsilon(1e-12));
  for (std::size_t j = 0; j < 5; ++j) {
    for (std::size_t r = 0; r < 4; ++r) {
      CHECK(lin.importances(j, r) == doctest::Approx(ref(j, r)).epsilon(1e-12).scale(1.0));
      CHECK(log.importances(j, r) == doctest::Approx(ref(5 + j, r)).epsilon(1e-12).scale(1.0));
    }
    double m = 0;
    for (std::size_t r = 0; r < 4; ++r) m += ref(5 + j, r) / 4;
    CHECK(log.importances_mean(j) == doctest::Approx(m).epsilon(1e-12).scale(1.0));
  }
}

TEST_CASE("permutation_importance: seeded, the same on any thread count, informative features first") {
  const auto& c = churn();
  clm::logistic_regression<> m;
  m.fit(c.X, c.y);
  const auto one = clm::permutation_importance(m, c.X, c.y, "roc_auc", {.n_repeats = 3, .seed = 4, .n_jobs = 1, .permutations = {}});
  const auto two = clm::permutation_importance(m, c.X, c.y, "roc_auc", {.n_repeats = 3, .seed = 4, .n_jobs = 2, .permutations = {}});
  CHECK(one.importances == two.importances);
  // The simulator's churn model: orders_per_month (1) and discount_share (5) matter most,
  // avg_order_value (2) hardly.
  CHECK(one.importances_mean(1) > one.importances_mean(2));
  CHECK(one.importances_mean(5) > one.importances_mean(2));
  CHECK(one.importances_mean(1) > 0.01);
  for (std::size_t j = 0; j < 6; ++j) CHECK(one.importances_std(j) >= 0);

  CHECK_THROWS_AS((void)clm::permutation_importance(m, c.X, vector<double>{1, 0}, "roc_auc"), clm::shape_error);
  CHECK_THROWS_AS((void)clm::permutation_importance(m, c.X, c.y, "roc_auc", {.n_repeats = 0, .seed = 0, .n_jobs = 1, .permutations = {}}),
                  clm::invalid_argument);
  CHECK_THROWS_WITH_AS((void)clm::permutation_importance(m, c.X, c.y, "roc_auc",
                                                         {.n_repeats = 1, .seed = 0, .n_jobs = 1, .permutations = {{0, 0, 1}}}),
                       doctest::Contains("not a permutation"), clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::permutation_importance(m, c.X, c.y, "no_such_score"), clm::invalid_argument);
}

TEST_CASE("partial_dependence: equals scikit-learn's brute method (grid from mquantiles, distinct values)") {
  const matrix<double> X = read_matrix_fixture("explain_X.txt");
  const matrix<double> ref = read_matrix_fixture("explain_pd.txt");
  const auto pd0 = clm::partial_dependence(model_row<fixed_logistic>(1), X, 0,
                                           {.grid_resolution = 20, .lower = 0.05, .upper = 0.95, .grid = {},
                                            .output = clm::model_output::predict_proba, .individual = true});
  REQUIRE(pd0.grid.size() == 20);
  for (std::size_t g = 0; g < 20; ++g) {
    CHECK(pd0.grid(g) == doctest::Approx(ref(0, g)).epsilon(1e-13));
    CHECK(pd0.average(g) == doctest::Approx(ref(1, g)).epsilon(1e-12));
  }
  // The ICE curves average to the partial dependence.
  for (std::size_t g = 0; g < 20; ++g) {
    double s = 0;
    for (std::size_t i = 0; i < X.shape()[0]; ++i) s += pd0.individual(i, g);
    CHECK(s / static_cast<double>(X.shape()[0]) == doctest::Approx(pd0.average(g)).epsilon(1e-14));
  }
  const auto pd3 = clm::partial_dependence(model_row<fixed_linear>(0), X, 3, {.grid_resolution = 20});
  REQUIRE(pd3.grid.size() == 6);  // fewer distinct values than the resolution: the values themselves
  for (std::size_t g = 0; g < 6; ++g) {
    CHECK(pd3.grid(g) == ref(2, g));
    CHECK(pd3.average(g) == doctest::Approx(ref(3, g)).epsilon(1e-12));
  }
  CHECK_THROWS_AS((void)clm::partial_dependence(model_row<fixed_linear>(0), X, 5), clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::partial_dependence(model_row<fixed_linear>(0), X, 0, {.grid_resolution = 1}),
                  clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::partial_dependence(model_row<fixed_linear>(0), X, 0,
                                                {.grid_resolution = 20, .lower = 0.9, .upper = 0.1}),
                  clm::invalid_argument);
}

TEST_CASE("contributions: linear ones sum to the logit, exact Shapley values satisfy efficiency") {
  const auto& c = churn();
  clm::logistic_regression<> m;
  m.fit(c.X, c.y);
  const auto lc = clm::linear_contributions(m, c.X_test, c.X);
  const vector<double> z = m.decision_function(c.X_test);
  for (std::size_t i = 0; i < z.size(); ++i) {
    double s = lc.base(i);
    for (std::size_t j = 0; j < 6; ++j) s += lc.values(i, j);
    CHECK(s == doctest::Approx(z(i)).epsilon(1e-13));
  }
  // Exact Shapley values of the logit equal the linear contributions.
  const matrix<double> background = xt::view(c.X, xt::range(0, 40), xt::all());
  const matrix<double> few = xt::view(c.X_test, xt::range(0, 5), xt::all());
  const auto sv = clm::shapley_values(m, few, background);
  const auto lin = clm::linear_contributions(m, few, background);
  clm::testing::check_close(sv.values, lin.values, 1e-12);
  clm::testing::check_close(sv.base, lin.base, 1e-12);

  // A non-linear model: efficiency, base + sum = f(x), to rounding.
  clm::mlp_classifier<> net({.hidden = {16}, .epochs = 5, .seed = 1});
  net.fit(c.X, c.y);
  const auto ns = clm::shapley_values(net, few, background);
  const vector<double> f = net.decision_function(few);
  for (std::size_t i = 0; i < 5; ++i) {
    double s = ns.base(i);
    for (std::size_t j = 0; j < 6; ++j) s += ns.values(i, j);
    CHECK(s == doctest::Approx(f(i)).epsilon(1e-12));
  }
  // A callable works as well as a model: the probability scale.
  const auto proba = [&](const matrix<double>& Z) { return net.predict_proba(Z); };
  const auto ps = clm::shapley_values(proba, few, background);
  const vector<double> p = net.predict_proba(few);
  double s0 = ps.base(0);
  for (std::size_t j = 0; j < 6; ++j) s0 += ps.values(0, j);
  CHECK(s0 == doctest::Approx(p(0)).epsilon(1e-12));

  // Sampling Shapley: within its stated error of the exact values, the error shrinking with samples.
  const auto est = clm::sampling_shapley(net, few, background, {.n_samples = 2000, .seed = 3});
  double worst = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    double s = est.base(i);
    for (std::size_t j = 0; j < 6; ++j) {
      REQUIRE(est.standard_error(i, j) > 0);
      worst = std::max(worst, std::abs(est.values(i, j) - ns.values(i, j)) / est.standard_error(i, j));
      s += est.values(i, j);
    }
    CHECK(s == doctest::Approx(f(i)).epsilon(1e-12));
  }
  MESSAGE("largest |sampled - exact| / standard error over 30 values: ", worst);
  CHECK(worst < 4.5);
  const auto rough = clm::sampling_shapley(net, few, background, {.n_samples = 200, .seed = 3});
  CHECK(xt::mean(rough.standard_error)() > 2.0 * xt::mean(est.standard_error)());

  CHECK_THROWS_AS((void)clm::linear_contributions(m, few, matrix<double>(xt::zeros<double>({3, 4}))), clm::shape_error);
  CHECK_THROWS_AS((void)clm::shapley_values(m, few, matrix<double>::from_shape({0, 6})), clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::sampling_shapley(m, few, background, {.n_samples = 1, .seed = 0}), clm::invalid_argument);
  const matrix<double> wide = xt::zeros<double>({2, 21});
  const auto wide_f = [](const matrix<double>& Z) { return vector<double>(xt::zeros<double>({Z.shape()[0]})); };
  CHECK_THROWS_WITH_AS((void)clm::shapley_values(wide_f, wide, wide), doctest::Contains("sampling_shapley"),
                       clm::invalid_argument);
}

TEST_CASE("reason_codes: each customer's top reasons, named") {
  const auto& c = churn();
  clm::logistic_regression<> m;
  m.fit(c.X, c.y);
  const std::vector<std::string> names = {"tenure_months", "orders_per_month", "avg_order_value",
                                          "days_since_last_order", "support_tickets", "discount_share"};
  const auto t = clm::reason_codes(m, c.X_test, c.X, names, 3);
  const auto lc = clm::linear_contributions(m, c.X_test, c.X);
  REQUIRE(t.rows() == c.X_test.shape()[0]);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    // The top 3 by contribution, largest first.
    std::vector<double> row(lc.values.data() + i * 6, lc.values.data() + (i + 1) * 6);
    std::vector<double> sorted = row;
    std::sort(sorted.rbegin(), sorted.rend());
    for (std::size_t r = 0; r < 3; ++r) {
      CHECK(t.contribution(i, r) == doctest::Approx(sorted[r]).epsilon(1e-13));
      CHECK(t.name(i, r) == names[t.feature(i, r)]);
      CHECK(row[t.feature(i, r)] == doctest::Approx(t.contribution(i, r)).epsilon(1e-13));
    }
  }
  // By magnitude.
  const auto mag = clm::reason_codes(lc, names, 2, {.by_magnitude = true});
  for (std::size_t i = 0; i < mag.rows(); ++i) CHECK(std::abs(mag.contribution(i, 0)) >= std::abs(mag.contribution(i, 1)));
  // A non-linear model goes through Shapley values.
  clm::mlp_classifier<> net({.hidden = {8}, .epochs = 2, .seed = 1});
  net.fit(c.X, c.y);
  const matrix<double> background = xt::view(c.X, xt::range(0, 20), xt::all());
  const matrix<double> few = xt::view(c.X_test, xt::range(0, 3), xt::all());
  const auto nt = clm::reason_codes(net, few, background, names, 2);
  const auto ns = clm::shapley_values(net, few, background);
  for (std::size_t i = 0; i < 3; ++i) CHECK(nt.contribution(i, 0) == doctest::Approx(xt::amax(xt::view(ns.values, i, xt::all()))()));

  CHECK_THROWS_WITH_AS((void)clm::reason_codes(m, c.X_test, c.X, names, 7), doctest::Contains("k must be in 1..6"),
                       clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::reason_codes(m, c.X_test, c.X, names, 0), clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::reason_codes(m, c.X_test, c.X, std::vector<std::string>{"a"}, 1), clm::shape_error);
}
