// survival: Kaplan-Meier and Cox against statsmodels 0.13 on committed fixtures
// (tests/reference/make_survival_fixtures.py), the Telco table's aggregates (when
// CLM_DATA_DIR is set), the simulator's true coefficients, concordance against a direct
// O(n^2) count, the estimator contract and the bad inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "clm/core/special.hpp"
#include "clm/data/csv.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/io/archive.hpp"
#include "clm/model_selection/split.hpp"
#include "clm/survival/concordance.hpp"
#include "clm/survival/cox_ph.hpp"
#include "clm/survival/kaplan_meier.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::vector;
using clm::testing::column;
using clm::testing::read_matrix_fixture;

namespace {

struct fixture_data {
  vector<double> time, status, entry, weight;
  std::vector<std::int64_t> stratum;
  matrix<double> X;
};

const fixture_data& data() {
  static const fixture_data d = [] {
    const matrix<double> m = read_matrix_fixture("survival_data.txt");
    fixture_data f;
    f.time = column(m, 0);
    f.status = column(m, 1);
    f.entry = column(m, 2);
    f.weight = column(m, 3);
    for (std::size_t i = 0; i < m.shape()[0]; ++i) f.stratum.push_back(static_cast<std::int64_t>(m(i, 4)));
    f.X = xt::view(m, xt::all(), xt::range(5, 9));
    return f;
  }();
  return d;
}

/// Rows repeated by their integer weight.
struct repeated {
  matrix<double> X;
  vector<double> time, status;
};
repeated repeat_rows(const fixture_data& d) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < d.time.size(); ++i) {
    for (int k = 0; k < static_cast<int>(d.weight(i)); ++k) rows.push_back(i);
  }
  return {clm::take_rows(d.X, rows), clm::take_rows(d.time, rows), clm::take_rows(d.status, rows)};
}

void check_vector(const std::vector<double>& a, const matrix<double>& ref, std::size_t col, double tol) {
  REQUIRE(a.size() == ref.shape()[0]);
  vector<double> v = vector<double>::from_shape({a.size()});
  std::copy(a.begin(), a.end(), v.begin());
  clm::testing::check_close(v, column(ref, col), tol);
}

void check_km(const clm::kaplan_meier<>& km, const matrix<double>& ref) {
  check_vector(km.times(), ref, 0, 0.0);
  check_vector(km.at_risk(), ref, 1, 1e-12);
  check_vector(km.events(), ref, 2, 1e-12);
  check_vector(km.survival_function(), ref, 3, 1e-10);
  check_vector(km.standard_error(), ref, 4, 1e-10);
}

/// Harrell's C by the definition (lifelines' tie rules), O(n^2).
double brute_concordance(const vector<double>& t, const vector<double>& s, const vector<double>& e) {
  double pairs = 0, score = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (e(i) != 1) continue;
    for (std::size_t j = 0; j < t.size(); ++j) {
      if (i == j) continue;
      const bool comparable = t(i) < t(j) || (t(i) == t(j) && e(j) == 0);
      if (!comparable) continue;
      pairs += 1;
      score += s(i) < s(j) ? 1.0 : s(i) == s(j) ? 0.5 : 0.0;
    }
  }
  return score / pairs;
}

}  // namespace

TEST_CASE("normal_quantile: known values and symmetry") {
  CHECK(clm::normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-15));
  CHECK(clm::normal_quantile(0.5) == doctest::Approx(0.0).epsilon(1e-15));
  CHECK(clm::normal_quantile(1e-10) == doctest::Approx(-6.361340902404056).epsilon(1e-13));
  CHECK(clm::normal_quantile(0.25) == -clm::normal_quantile(0.75));
  CHECK_THROWS_AS((void)clm::normal_quantile(0.0), clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::normal_quantile(1.0), clm::invalid_argument);
}

TEST_CASE("kaplan_meier: equals statsmodels SurvfuncRight (ties, entry times, weights)") {
  const auto& d = data();
  clm::kaplan_meier<> km;
  km.fit(d.time, d.status);
  check_km(km, read_matrix_fixture("km_plain.txt"));

  clm::kaplan_meier<> left;
  left.fit(d.time, d.status, {.weights = {}, .entry = d.entry, .strata = {}});
  check_km(left, read_matrix_fixture("km_entry.txt"));

  clm::kaplan_meier<> weighted;
  weighted.fit(d.time, d.status, {.weights = d.weight, .entry = {}, .strata = {}});
  const matrix<double> ref = read_matrix_fixture("km_weighted.txt");
  check_vector(weighted.times(), ref, 0, 0.0);
  check_vector(weighted.survival_function(), ref, 1, 1e-10);

  // Integer weights are repeated rows: every column, the Greenwood error included.
  const repeated r = repeat_rows(d);
  clm::kaplan_meier<> rows;
  rows.fit(r.time, r.status);
  CHECK(rows.times() == weighted.times());
  CHECK(rows.at_risk() == weighted.at_risk());
  for (std::size_t j = 0; j < rows.times().size(); ++j) {
    CHECK(weighted.survival_function()[j] == doctest::Approx(rows.survival_function()[j]).epsilon(1e-13));
    CHECK(weighted.standard_error()[j] == doctest::Approx(rows.standard_error()[j]).epsilon(1e-12));
  }
}

TEST_CASE("kaplan_meier: step function, quantiles and the band") {
  // 5 subjects: events at 1, 3, 3; censored at 2 and 5.
  const vector<double> t = {1, 2, 3, 3, 5}, e = {1, 0, 1, 1, 0};
  clm::kaplan_meier<> km;
  km.fit(t, e);
  REQUIRE(km.times() == std::vector<double>{1, 3});
  CHECK(km.at_risk() == std::vector<double>{5, 3});
  CHECK(km.survival_function()[0] == doctest::Approx(0.8));
  CHECK(km.survival_function()[1] == doctest::Approx(0.8 / 3));
  const vector<double> at = {0.5, 1, 2.9, 3, 100};
  const vector<double> s = km.predict(at);
  CHECK(s(0) == 1.0);
  CHECK(s(1) == doctest::Approx(0.8));
  CHECK(s(2) == doctest::Approx(0.8));
  CHECK(s(3) == doctest::Approx(0.8 / 3));
  CHECK(s(4) == doctest::Approx(0.8 / 3));
  CHECK(km.median_survival() == 3.0);  // first S < 0.5
  CHECK(km.quantile(0.1) == 1.0);      // S(1) = 0.8 < 0.9
  CHECK(std::isinf(km.quantile(0.9)));  // S never below 0.1
  // Greenwood at t = 1: 0.8 sqrt(1 / (5 * 4)).
  CHECK(km.standard_error()[0] == doctest::Approx(0.8 * std::sqrt(1.0 / 20)));
  // log-log band at t = 1, by its formula.
  const double z = clm::normal_quantile(0.975), v = 1.0 / 20, L = std::log(0.8);
  CHECK(km.confidence_lower()[0] == doctest::Approx(std::exp(-std::exp(std::log(-L) + z * std::sqrt(v) / -L))));
  CHECK(km.confidence_upper()[0] == doctest::Approx(std::exp(-std::exp(std::log(-L) - z * std::sqrt(v) / -L))));
  for (auto band : {clm::survival_band::log_log, clm::survival_band::log, clm::survival_band::plain}) {
    clm::kaplan_meier<> b({.alpha = 0.1, .ci = band});
    b.fit(data().time, data().status);
    for (std::size_t j = 0; j < b.times().size(); ++j) {
      CHECK(b.confidence_lower()[j] <= b.survival_function()[j]);
      CHECK(b.confidence_upper()[j] >= b.survival_function()[j]);
      CHECK(b.confidence_lower()[j] >= 0.0);
      CHECK(b.confidence_upper()[j] <= 1.0);
    }
  }
  // Everyone dies: S reaches 0, its standard error is undefined there (NaN, as statsmodels).
  clm::kaplan_meier<> all;
  all.fit(vector<double>{1, 2}, vector<double>{1, 1});
  CHECK(all.survival_function()[1] == 0.0);
  CHECK(std::isnan(all.standard_error()[1]));
  CHECK(all.confidence_upper()[1] == 0.0);
  // One event is enough for a curve.
  clm::kaplan_meier<> one;
  one.fit(vector<double>{1, 2, 3, 4}, vector<double>{0, 1, 0, 0});
  REQUIRE(one.times().size() == 1);
  CHECK(one.survival_function()[0] == doctest::Approx(2.0 / 3));
}

TEST_CASE("kaplan_meier: contract, save/load and bad input") {
  clm::kaplan_meier<> fresh;
  CHECK_FALSE(fresh.fitted());
  CHECK_THROWS_AS((void)fresh.times(), clm::not_fitted);
  CHECK_THROWS_AS((void)fresh.predict(vector<double>{1.0}), clm::not_fitted);
  clm::kaplan_meier<> km({.alpha = 0.1, .ci = clm::survival_band::log});
  clm::kaplan_meier<>& ret = km.fit(data().time, data().status);
  CHECK(&ret == &km);
  const std::string bytes = clm::save_bytes(km);
  const auto loaded = clm::load_bytes<clm::kaplan_meier<>>(bytes);
  CHECK(loaded.params() == km.params());
  CHECK(loaded.survival_function() == km.survival_function());
  CHECK(loaded.confidence_lower() == km.confidence_lower());
  CHECK(clm::save_bytes(loaded) == bytes);
  CHECK_THROWS_AS(clm::load_bytes<clm::kaplan_meier<>>(std::string_view(bytes).substr(0, bytes.size() - 9)),
                  clm::format_error);
  clm::kaplan_meier<> copy = km;
  copy.fit(vector<double>{1, 2}, vector<double>{1, 0});
  CHECK(km.times().size() > 1);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  using E = clm::kaplan_meier<>;
  E e;
  CHECK_THROWS_WITH_AS(e.fit(vector<double>{1, 2, 3}, vector<double>{0, 0, 0}),
                       doctest::Contains("every duration is censored"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(e.fit(vector<double>{1, -2, 3}, vector<double>{1, 0, 1}), doctest::Contains(">= 0"),
                       clm::invalid_argument);
  CHECK_THROWS_AS(e.fit(vector<double>{1, nan, 3}, vector<double>{1, 0, 1}), clm::numeric_error);
  CHECK_THROWS_WITH_AS(e.fit(vector<double>{1, 2, 3}, vector<double>{1, 2, 1}), doctest::Contains("0 (censored) or 1"),
                       clm::invalid_argument);
  CHECK_THROWS_AS(e.fit(vector<double>{1, 2, 3}, vector<double>{1, 0}), clm::shape_error);
  CHECK_THROWS_AS(e.fit(vector<double>{1, 2}, vector<double>{1, 0}, {.weights = {1.0, -1.0}, .entry = {}, .strata = {}}),
                  clm::invalid_argument);
  CHECK_THROWS_AS(e.fit(vector<double>{1, 2}, vector<double>{1, 0}, {.weights = {0.0, 0.0}, .entry = {}, .strata = {}}),
                  clm::invalid_argument);
  CHECK_THROWS_WITH_AS(e.fit(vector<double>{1, 2}, vector<double>{1, 0}, {.weights = {}, .entry = {1.0, 3.0}, .strata = {}}),
                       doctest::Contains("entry"), clm::invalid_argument);
  CHECK_FALSE(e.fitted());
  CHECK_THROWS_AS(E({.alpha = 0.0, .ci = clm::survival_band::plain}), clm::invalid_argument);
}

TEST_CASE("cox_ph: equals statsmodels PHReg (Breslow and Efron, penalty, strata and entry, weights)") {
  const auto& d = data();
  const matrix<double> ref = read_matrix_fixture("cox_solutions.txt");
  const auto check = [&](const clm::cox_ph<>& m, std::size_t row) {
    INFO("fixture row ", row);
    for (std::size_t j = 0; j < 4; ++j) {
      CHECK(m.coef()(j) == doctest::Approx(ref(row, j)).epsilon(1e-8));
      CHECK(m.standard_errors()[j] == doctest::Approx(ref(row, 4 + j)).epsilon(1e-8));
    }
    CHECK(m.log_likelihood() == doctest::Approx(ref(row, 8)).epsilon(1e-10));
    CHECK(m.report().converged);
  };
  const clm::cox_ties ties[2] = {clm::cox_ties::breslow, clm::cox_ties::efron};
  for (std::size_t k = 0; k < 2; ++k) {
    clm::cox_ph<> plain({.ties = ties[k], .alpha = 0.0, .tol = 1e-9, .max_iter = 100});
    check(plain.fit(d.X, d.time, d.status), k);
    clm::cox_ph<> ridge({.ties = ties[k], .alpha = 5.0, .tol = 1e-9, .max_iter = 100});
    check(ridge.fit(d.X, d.time, d.status), 2 + k);
    clm::cox_ph<> strat({.ties = ties[k], .alpha = 0.0, .tol = 1e-9, .max_iter = 100});
    check(strat.fit(d.X, d.time, d.status, {.weights = {}, .entry = d.entry, .strata = d.stratum}), 4 + k);
    clm::cox_ph<> weighted({.ties = ties[k], .alpha = 0.0, .tol = 1e-9, .max_iter = 100});
    check(weighted.fit(d.X, d.time, d.status, {.weights = d.weight, .entry = {}, .strata = {}}), 6 + k);
  }
}

TEST_CASE("cox_ph: baseline hazard and predictions") {
  const auto& d = data();
  clm::cox_ph<> m({.ties = clm::cox_ties::breslow, .alpha = 0.0, .tol = 1e-9, .max_iter = 100});
  m.fit(d.X, d.time, d.status);
  // statsmodels reports the hazard just before each event time: clm's, one time earlier.
  const matrix<double> ref = read_matrix_fixture("cox_baseline.txt");
  const auto [t, H] = m.baseline_cumulative_hazard();
  REQUIRE(t.size() == ref.shape()[0]);
  CHECK(ref(0, 1) == 0.0);
  for (std::size_t j = 0; j < t.size(); ++j) {
    CHECK(t[j] == ref(j, 0));
    if (j + 1 < t.size()) CHECK(H[j] == doctest::Approx(ref(j + 1, 1)).epsilon(1e-9));
  }
  // S(t | x) = exp(-H0(t) exp(x . b)) at the baseline's own times and between them.
  const matrix<double> X = xt::view(d.X, xt::range(0, 5), xt::all());
  const vector<double> times = {0.5, t[0], t[3] + 0.5, 1e9};
  const matrix<double> S = m.predict_survival(X, times);
  const matrix<double> cum = m.predict_cumulative_hazard(X, times);
  const vector<double> risk = m.predict_risk(X);
  const vector<double> med = m.predict_median(X);
  for (std::size_t i = 0; i < 5; ++i) {
    const double r = std::exp(risk(i));
    CHECK(S(i, 0) == 1.0);
    CHECK(cum(i, 1) == doctest::Approx(H[0] * r).epsilon(1e-12));
    CHECK(cum(i, 2) == doctest::Approx(H[3] * r).epsilon(1e-12));
    CHECK(S(i, 3) == doctest::Approx(std::exp(-H.back() * r)).epsilon(1e-12));
    CHECK(S(i, 2) == doctest::Approx(std::exp(-cum(i, 2))).epsilon(1e-14));
    // The median: the first baseline time with S < 1/2.
    double expect = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < t.size(); ++j) {
      if (std::exp(-H[j] * r) < 0.5) {
        expect = t[j];
        break;
      }
    }
    CHECK(med(i) == expect);
  }
  // A stratified model needs each row's stratum, and one it knows.
  clm::cox_ph<> s;
  s.fit(d.X, d.time, d.status, {.weights = {}, .entry = {}, .strata = d.stratum});
  CHECK(s.strata() == std::vector<std::int64_t>{0, 1, 2});
  CHECK_THROWS_AS((void)s.predict_survival(X, times), clm::invalid_argument);
  CHECK_THROWS_AS((void)s.predict_survival(X, times, {0, 1, 2, 7, 0}), clm::invalid_argument);
  CHECK_THROWS_AS((void)s.predict_survival(X, times, {0, 1}), clm::shape_error);
  const matrix<double> S1 = s.predict_survival(X, times, {0, 1, 2, 2, 0});
  CHECK(S1(0, 3) < 1.0);
}

TEST_CASE("cox_ph: recovers the simulator's coefficients and orders churn by concordance") {
  const auto sim = clm::synthetic::churn_times({.n_customers = 20000, .coef = {0.5, -0.7, 0.3, 0.0, 0.8},
                                                .binary_last = true, .shape = 1.3, .scale = 24.0,
                                                .censoring_rate = 0.02, .follow_up = 36.0, .resolution = 1.0,
                                                .seed = 7});
  clm::cox_ph<> m;
  m.fit(sim.X, sim.durations, sim.events);
  for (std::size_t j = 0; j < 5; ++j) {
    INFO("coefficient ", j, ": ", m.coef()(j), " +- ", m.standard_errors()[j], ", true ", sim.true_coef(j));
    CHECK(std::abs(m.coef()(j) - sim.true_coef(j)) < 4 * m.standard_errors()[j]);
  }
  // The fitted risk orders churn about as well as the true one.
  const vector<double> risk = m.predict_risk(sim.X);
  const vector<double> neg = -risk;
  vector<double> true_neg = vector<double>::from_shape({sim.X.shape()[0]});
  for (std::size_t i = 0; i < true_neg.size(); ++i) {
    double z = 0;
    for (std::size_t j = 0; j < 5; ++j) z += sim.X(i, j) * sim.true_coef(j);
    true_neg(i) = -z;
  }
  const double c_fit = clm::concordance_index(sim.durations, neg, sim.events);
  const double c_true = clm::concordance_index(sim.durations, true_neg, sim.events);
  CHECK(c_fit > 0.65);
  CHECK(std::abs(c_fit - c_true) < 0.01);
}

TEST_CASE("cox_ph: the estimator contract") {
  using E = clm::cox_ph<>;
  static_assert(clm::survival_model<E>);
  // Monthly durations with ties and censoring; and continuous ones without censoring.
  const auto data = [](clm::synthetic::churn_time_params p, std::size_t n_other) {
    return [p, n_other] {
      auto q = p;
      q.n_customers = n_other;
      q.seed = p.seed + 1;
      const auto a = clm::synthetic::churn_times(p), b = clm::synthetic::churn_times(q);
      clm::testing::check_data<double> d;
      d.X = a.X;
      d.y = a.durations;
      d.aux = a.events;
      d.X_other = b.X;
      d.y_other = b.durations;
      d.aux_other = b.events;
      return d;
    };
  };
  clm::testing::check_estimator<E>(data({.n_customers = 300, .coef = {0.5, -0.7, 0.3, 0.0, 0.8}, .binary_last = true,
                                         .shape = 1.3, .scale = 24.0, .censoring_rate = 0.02, .follow_up = 36.0,
                                         .resolution = 1.0, .seed = 1},
                                        200));
  clm::testing::check_estimator<E>(data({.n_customers = 200, .coef = {0.5, -0.7, 0.3}, .binary_last = false,
                                         .shape = 1.0, .scale = 10.0, .censoring_rate = 0.0, .follow_up = 20.0,
                                         .resolution = 0.0, .seed = 3},
                                        150),
                                   E({.ties = clm::cox_ties::breslow, .alpha = 1.0, .tol = 1e-9, .max_iter = 100}));
}

TEST_CASE("cox_ph: bad input is a named error") {
  const auto& d = data();
  clm::cox_ph<> m;
  // A covariate that orders the events: the partial likelihood has no maximum.
  matrix<double> sep = xt::zeros<double>({std::size_t{40}, std::size_t{2}});
  vector<double> t = vector<double>::from_shape({40}), e = xt::ones<double>({std::size_t{40}});
  for (std::size_t i = 0; i < 40; ++i) {
    t(i) = static_cast<double>(i + 1);
    sep(i, 0) = -static_cast<double>(i);  // earlier event, higher value
    sep(i, 1) = std::sin(static_cast<double>(i));
  }
  CHECK_THROWS_WITH_AS(m.fit(sep, t, e), doctest::Contains("covariate 0 separates the events"), clm::numeric_error);
  CHECK_FALSE(m.fitted());
  clm::cox_ph<> ridge({.ties = clm::cox_ties::efron, .alpha = 1.0, .tol = 1e-9, .max_iter = 100});
  ridge.fit(sep, t, e);
  CHECK(std::isfinite(ridge.coef()(0)));
  CHECK(ridge.coef()(0) > 0);

  // All censored; one event.
  const vector<double> none = xt::zeros<double>({d.time.size()});
  CHECK_THROWS_WITH_AS(m.fit(d.X, d.time, none), doctest::Contains("every duration is censored"), clm::invalid_argument);
  vector<double> one = none;
  one(3) = 1;
  CHECK_THROWS_WITH_AS(m.fit(d.X, d.time, one), doctest::Contains("at least 2 events"), clm::invalid_argument);
  // Negative and NaN durations.
  vector<double> neg = d.time;
  neg(5) = -1;
  CHECK_THROWS_AS(m.fit(d.X, neg, d.status), clm::invalid_argument);
  neg(5) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(m.fit(d.X, neg, d.status), clm::numeric_error);
  // A constant column: the information matrix is singular.
  matrix<double> constant = d.X;
  for (std::size_t i = 0; i < constant.shape()[0]; ++i) constant(i, 2) = 1.0;
  CHECK_THROWS_WITH_AS(m.fit(constant, d.time, d.status), doctest::Contains("covariate 2"), clm::numeric_error);
  // Strata of the wrong length.
  CHECK_THROWS_AS(m.fit(d.X, d.time, d.status, {.weights = {}, .entry = {}, .strata = {1, 2}}), clm::shape_error);
  CHECK_FALSE(m.fitted());
  CHECK_THROWS_AS(clm::cox_ph<>({.ties = clm::cox_ties::efron, .alpha = -1.0, .tol = 1e-9, .max_iter = 10}),
                  clm::invalid_argument);
}

TEST_CASE("concordance_index: lifelines' rules, against the direct count") {
  // Perfect and reversed orders.
  const vector<double> t = {1, 2, 3, 4}, e = {1, 1, 1, 1};
  CHECK(clm::concordance_index(t, vector<double>{1, 2, 3, 4}, e) == 1.0);
  CHECK(clm::concordance_index(t, vector<double>{4, 3, 2, 1}, e) == 0.0);
  // A tied prediction counts one half: pairs (1,2) 0.5, (1,3) 1, (2,3) 1.
  CHECK(clm::concordance_index(vector<double>{1, 2, 3}, vector<double>{1, 1, 3}, vector<double>{1, 1, 1}) ==
        doctest::Approx(2.5 / 3));
  // An event and a censoring at the same time are comparable; two events at one time are not.
  const auto c = clm::concordance_statistics(vector<double>{2, 2, 2}, vector<double>{1, 2, 3}, vector<double>{1, 1, 0});
  CHECK(c.comparable == 2);
  CHECK(c.concordant == 2);
  // Random data with many ties in times and scores.
  clm::random_engine g(5);
  for (int rep = 0; rep < 5; ++rep) {
    const std::size_t n = 400;
    vector<double> tt = vector<double>::from_shape({n}), ss = tt, ee = tt;
    for (std::size_t i = 0; i < n; ++i) {
      tt(i) = static_cast<double>(clm::uniform_index(g, 30));
      ss(i) = static_cast<double>(clm::uniform_index(g, 12)) * 0.5;
      ee(i) = clm::uniform01(g) < 0.6 ? 1.0 : 0.0;
    }
    CHECK(clm::concordance_index(tt, ss, ee) == doctest::Approx(brute_concordance(tt, ss, ee)).epsilon(1e-14));
  }
  CHECK_THROWS_AS((void)clm::concordance_index(vector<double>{1, 2}, vector<double>{1, 2}, vector<double>{0, 0}),
                  clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::concordance_index(vector<double>{2, 2}, vector<double>{1, 2}, vector<double>{1, 1}),
                  clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::concordance_index(vector<double>{1, 2}, vector<double>{1, std::nan("")}, vector<double>{1, 1}),
                  clm::numeric_error);
  CHECK_THROWS_AS((void)clm::concordance_index(vector<double>{1, 2}, vector<double>{1}, vector<double>{1, 1}),
                  clm::shape_error);
}

TEST_CASE("survival on the Telco table: equals statsmodels' aggregates") {
  const auto dir = clm::testing::data_dir();
  if (!dir) {
    MESSAGE("CLM_DATA_DIR is not set: the Telco survival check is skipped");
    return;
  }
  const auto df = clm::read_csv(*dir / "telco" / "WA_Fn-UseC_-Telco-Customer-Churn.csv");
  const std::size_t n = df.rows();
  vector<double> time = df.numeric("tenure"), event = vector<double>::from_shape({n});
  matrix<double> X = matrix<double>::from_shape({n, std::size_t{5}});
  const auto churn = df.categorical("Churn"), contract = df.categorical("Contract"), paperless = df.categorical("PaperlessBilling");
  const vector<double> senior = df.numeric("SeniorCitizen"), charges = df.numeric("MonthlyCharges");
  for (std::size_t i = 0; i < n; ++i) {
    event(i) = churn.at(i) == "Yes" ? 1.0 : 0.0;
    X(i, 0) = senior(i);
    X(i, 1) = charges(i) / 100;
    X(i, 2) = contract.at(i) == "One year" ? 1.0 : 0.0;
    X(i, 3) = contract.at(i) == "Two year" ? 1.0 : 0.0;
    X(i, 4) = paperless.at(i) == "Yes" ? 1.0 : 0.0;
  }
  const matrix<double> ref = read_matrix_fixture("telco_survival.txt");
  const clm::cox_ties ties[2] = {clm::cox_ties::breslow, clm::cox_ties::efron};
  for (std::size_t k = 0; k < 2; ++k) {
    clm::cox_ph<> m({.ties = ties[k], .alpha = 0.0, .tol = 1e-9, .max_iter = 100});
    m.fit(X, time, event);
    for (std::size_t j = 0; j < 5; ++j) {
      CHECK(m.coef()(j) == doctest::Approx(ref(k, j)).epsilon(1e-8));
      CHECK(m.standard_errors()[j] == doctest::Approx(ref(k, 5 + j)).epsilon(1e-8));
    }
    CHECK(m.log_likelihood() == doctest::Approx(ref(k, 10)).epsilon(1e-10));
  }
  clm::kaplan_meier<> km;
  km.fit(time, event);
  const vector<double> at = {1, 6, 12, 24, 36, 48, 60, 72};
  const vector<double> s = km.predict(at);
  for (std::size_t j = 0; j < 8; ++j) CHECK(s(j) == doctest::Approx(ref(2, j)).epsilon(1e-10));
  CHECK(static_cast<double>(km.times().size()) == ref(2, 8));
  CHECK(km.at_risk().back() == ref(2, 9));
  CHECK(std::isinf(km.median_survival()));  // Telco never falls below one half (statsmodels: nan)
  CHECK(std::isnan(ref(2, 10)));
}
