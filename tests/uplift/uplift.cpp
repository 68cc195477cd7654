// uplift: the metrics against scikit-uplift's definitions on a fixture with tied scores
// (tests/reference/make_uplift_fixtures.py), the meta-learners on the simulated retention
// experiment against its true effects (Qini coefficient against the oracle's, budgeted
// targeting against random and highest-risk-first), the estimator contract and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/neural/mlp.hpp"
#include "clm/uplift/meta_learners.hpp"
#include "clm/uplift/metrics.hpp"
#include "clm/uplift/targeting.hpp"
#include "support/estimator_checks.hpp"
#include "support/fixtures.hpp"

using clm::matrix;
using clm::vector;
using clm::testing::column;
using clm::testing::read_matrix_fixture;

namespace {

using logistic = clm::logistic_regression<>;

void check_curve(const clm::uplift_curve_points& c, const matrix<double>& ref, std::size_t row) {
  INFO("curve row ", row);
  std::size_t m = 0;
  while (m < ref.shape()[1] && !std::isnan(ref(row, m))) ++m;
  REQUIRE(c.n_targeted.size() == m);
  for (std::size_t k = 0; k < m; ++k) {
    CHECK(c.n_targeted[k] == ref(row, k));
    CHECK(c.value[k] == doctest::Approx(ref(row + 1, k)).epsilon(1e-12));
  }
}

const clm::synthetic::retention_experiment_data<>& experiment() {
  static const auto e = clm::synthetic::retention_experiment({.n_customers = 40000, .n_features = 5,
                                                              .treated_share = 0.5, .type_strength = 1.5,
                                                              .persuadable_control = 0.3, .persuadable_treated = 0.75,
                                                              .sure_thing = 0.9, .lost_cause = 0.1,
                                                              .value_scale = 100.0, .seed = 3});
  return e;
}

const clm::synthetic::retention_experiment_data<>& holdout() {
  static const auto e = clm::synthetic::retention_experiment({.n_customers = 40000, .n_features = 5,
                                                              .treated_share = 0.5, .type_strength = 1.5,
                                                              .persuadable_control = 0.3, .persuadable_treated = 0.75,
                                                              .sure_thing = 0.9, .lost_cause = 0.1,
                                                              .value_scale = 100.0, .seed = 4});
  return e;
}

/// Expected incremental value of treating `rows`, by the true effects.
double true_value(const std::vector<std::size_t>& rows, const clm::synthetic::retention_experiment_data<>& e, double cost) {
  double v = 0;
  for (std::size_t i : rows) v += e.true_uplift(i) * e.value(i) - cost;
  return v;
}

template <class E>
clm::testing::check_data<double> uplift_check_data() {
  const auto a = clm::synthetic::retention_experiment({.n_customers = 400, .n_features = 3, .treated_share = 0.5,
                                                       .type_strength = 1.5, .persuadable_control = 0.3,
                                                       .persuadable_treated = 0.75, .sure_thing = 0.9,
                                                       .lost_cause = 0.1, .value_scale = 100.0, .seed = 8});
  const auto b = clm::synthetic::retention_experiment({.n_customers = 300, .n_features = 3, .treated_share = 0.4,
                                                       .type_strength = 1.5, .persuadable_control = 0.3,
                                                       .persuadable_treated = 0.75, .sure_thing = 0.9,
                                                       .lost_cause = 0.1, .value_scale = 100.0, .seed = 9});
  clm::testing::check_data<double> d;
  d.X = a.X;
  d.y = a.retained;
  d.aux = a.treatment;
  d.X_other = b.X;
  d.y_other = b.retained;
  d.aux_other = b.treatment;
  return d;
}

}  // namespace

TEST_CASE("uplift metrics: equal scikit-uplift's definitions, with tied scores") {
  const matrix<double> in = read_matrix_fixture("uplift_inputs.txt");
  const vector<double> y = column(in, 0), t = column(in, 1), u = column(in, 2);
  const matrix<double> curves = read_matrix_fixture("uplift_curves.txt");
  check_curve(clm::uplift_curve(y, u, t), curves, 0);
  check_curve(clm::qini_curve(y, u, t), curves, 2);
  check_curve(clm::perfect_uplift_curve(y, t), curves, 4);
  check_curve(clm::perfect_qini_curve(y, t), curves, 6);
  const matrix<double> s = read_matrix_fixture("uplift_scores.txt");
  CHECK(clm::auuc(y, u, t) == doctest::Approx(s(0, 0)).epsilon(1e-12));
  CHECK(clm::qini_coefficient(y, u, t) == doctest::Approx(s(0, 1)).epsilon(1e-12));
  CHECK(clm::qini_coefficient(y, u, t, false) == doctest::Approx(s(0, 2)).epsilon(1e-12));
  const double ks[3] = {0.1, 0.3, 0.5};
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(clm::uplift_at_k(y, u, t, ks[j]) == doctest::Approx(s(0, 3 + j)).epsilon(1e-12));
    CHECK(clm::uplift_at_k(y, u, t, ks[j], clm::uplift_at_k_strategy::by_group) ==
          doctest::Approx(s(0, 6 + j)).epsilon(1e-12));
  }
}

TEST_CASE("uplift metrics: properties") {
  const matrix<double> in = read_matrix_fixture("uplift_inputs.txt");
  const vector<double> y = column(in, 0), t = column(in, 1), u = column(in, 2);
  // The perfect ordering scores 1; a constant score (no ranking) scores 0.
  vector<double> perfect = vector<double>::from_shape({y.size()});
  for (std::size_t i = 0; i < y.size(); ++i) perfect(i) = y(i) * t(i) - y(i) * (1 - t(i));
  CHECK(clm::qini_coefficient(y, perfect, t) == doctest::Approx(1.0));
  const vector<double> flat = xt::zeros<double>({y.size()});
  CHECK(clm::auuc(y, flat, t) == doctest::Approx(0.0).scale(1.0));
  CHECK(clm::qini_coefficient(y, flat, t) == doctest::Approx(0.0).scale(1.0));
  // Every ordering's curves end at the same point.
  const auto a = clm::qini_curve(y, u, t), b = clm::qini_curve(y, perfect, t);
  CHECK(a.value.back() == doctest::Approx(b.value.back()));
  CHECK(a.n_targeted.back() == static_cast<double>(y.size()));
  // uplift_at_k with k = 1 is the overall difference in response rates.
  double yt = 0, yc = 0, nt = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    nt += t(i);
    (t(i) == 1 ? yt : yc) += y(i);
  }
  CHECK(clm::uplift_at_k(y, u, t, 1.0) == doctest::Approx(yt / nt - yc / (static_cast<double>(y.size()) - nt)));

  // Bad input.
  CHECK_THROWS_AS((void)clm::auuc(y, u, vector<double>(xt::zeros<double>({y.size()}))), clm::invalid_argument);
  vector<double> t2 = t;
  t2(3) = 2;
  CHECK_THROWS_WITH_AS((void)clm::qini_coefficient(y, u, t2), doctest::Contains("treatment must be 0 or 1"),
                       clm::invalid_argument);
  vector<double> un = u;
  un(0) = std::nan("");
  CHECK_THROWS_AS((void)clm::uplift_curve(y, un, t), clm::numeric_error);
  CHECK_THROWS_AS((void)clm::uplift_at_k(y, u, t, 0.0), clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::uplift_at_k(y, u, t, 0.001), clm::invalid_argument);  // nobody in the top
  CHECK_THROWS_AS((void)clm::qini_curve(vector<double>{1, 0}, vector<double>{1, 0, 2}, vector<double>{1, 0}),
                  clm::shape_error);
}

TEST_CASE("meta-learners: the simulated retention offer, against its true effects") {
  const auto& train = experiment();
  const auto& test = holdout();
  clm::two_model_uplift<logistic> tl;
  tl.fit(train.X, train.retained, train.treatment);
  clm::class_transformation<logistic> ct;
  ct.fit(train.X, train.retained, train.treatment);
  clm::s_learner<logistic> sl;
  sl.fit(train.X, train.retained, train.treatment);

  const vector<double> u_tl = tl.predict_uplift(test.X), u_ct = ct.predict_uplift(test.X), u_sl = sl.predict_uplift(test.X);
  const double q_oracle = clm::qini_coefficient(test.retained, test.true_uplift, test.treatment);
  const double q_tl = clm::qini_coefficient(test.retained, u_tl, test.treatment);
  const double q_ct = clm::qini_coefficient(test.retained, u_ct, test.treatment);
  const double q_sl = clm::qini_coefficient(test.retained, u_sl, test.treatment);
  MESSAGE("Qini coefficient on the holdout: oracle ", q_oracle, ", T-learner ", q_tl, ", class transformation ", q_ct,
          ", S-learner ", q_sl);
  CHECK(q_oracle > 0.1);  // the true effects rank far above chance (1 is the order that knows the outcomes)
  // Both rank within 10% of the oracle (measured: see the CHANGELOG).
  CHECK(q_tl > 0.9 * q_oracle);
  CHECK(q_ct > 0.9 * q_oracle);
  // The uplift the models predict tracks the true effect.
  double err_tl = 0, err_ct = 0;
  for (std::size_t i = 0; i < u_tl.size(); ++i) {
    err_tl += std::abs(u_tl(i) - test.true_uplift(i));
    err_ct += std::abs(u_ct(i) - test.true_uplift(i));
  }
  err_tl /= static_cast<double>(u_tl.size());
  err_ct /= static_cast<double>(u_ct.size());
  MESSAGE("mean |predicted - true uplift|: T-learner ", err_tl, ", class transformation ", err_ct);
  CHECK(err_tl < 0.08);
  CHECK(err_ct < 0.08);

  // Budgeted targeting: offers cost 5, the budget pays for 4,000 of 40,000 customers.
  const double cost = 5.0, budget = 20000.0;
  const auto chosen = clm::target_offers(u_tl, test.value, {.offer_cost = cost, .budget = budget});
  CHECK(chosen.spend <= budget);
  CHECK(chosen.customers.size() == 4000);
  const double v_uplift = true_value(chosen.customers, test, cost);
  // Highest churn risk first (1 - retention without the offer, as a churn model scores).
  std::vector<std::size_t> by_risk(test.X.shape()[0]);
  std::iota(by_risk.begin(), by_risk.end(), std::size_t{0});
  std::stable_sort(by_risk.begin(), by_risk.end(),
                   [&](std::size_t a, std::size_t b) { return test.retain_control(a) < test.retain_control(b); });
  by_risk.resize(chosen.customers.size());
  const double v_risk = true_value(by_risk, test, cost);
  // Random customers.
  clm::random_engine g(1);
  std::vector<std::size_t> random_rows;
  for (std::size_t k = 0; k < chosen.customers.size(); ++k) random_rows.push_back(clm::uniform_index(g, test.X.shape()[0]));
  const double v_random = true_value(random_rows, test, cost);
  MESSAGE("true incremental value of 4,000 offers: by uplift ", v_uplift, ", by churn risk ", v_risk, ", random ", v_random);
  CHECK(v_uplift > v_random);
  CHECK(v_uplift > v_risk);
  CHECK(v_uplift > 0);
  // The model's own estimate of the value is close to the truth.
  CHECK(std::abs(chosen.expected_incremental_value - v_uplift) < 0.2 * v_uplift);
}

TEST_CASE("meta-learners: what each predicts") {
  const auto d = uplift_check_data<void>();
  // T-learner: the difference of its two classifiers, each fitted on its own group.
  clm::two_model_uplift<logistic> tl;
  tl.fit(d.X, d.y, d.aux);
  std::vector<std::size_t> treated, control;
  for (std::size_t i = 0; i < d.aux.size(); ++i) (d.aux(i) == 1 ? treated : control).push_back(i);
  logistic mt, mc;
  mt.fit(clm::take_rows(d.X, treated), clm::take_rows(d.y, treated));
  mc.fit(clm::take_rows(d.X, control), clm::take_rows(d.y, control));
  const vector<double> expect = mt.predict_proba(d.X) - mc.predict_proba(d.X);
  clm::testing::check_close(tl.predict_uplift(d.X), expect, 1e-15);
  // S-learner: one classifier on [X, t].
  clm::s_learner<logistic> sl;
  sl.fit(d.X, d.y, d.aux);
  const vector<double> s_expect = sl.base_model().predict_proba(clm::detail::with_treatment_column(d.X, 1.0)) -
                                  sl.base_model().predict_proba(clm::detail::with_treatment_column(d.X, 0.0));
  clm::testing::check_close(sl.predict_uplift(d.X), s_expect, 1e-15);
  CHECK(sl.base_model().coef().size() == d.X.shape()[1] + 1);
  // Class transformation without balancing: a classifier of z = (y == t).
  clm::class_transformation<logistic> ct({.base = {}, .balance = false});
  ct.fit(d.X, d.y, d.aux);
  vector<double> z = d.y;
  for (std::size_t i = 0; i < z.size(); ++i) z(i) = d.y(i) == d.aux(i) ? 1.0 : 0.0;
  logistic mz;
  mz.fit(d.X, z);
  clm::testing::check_close(ct.predict_uplift(d.X), 2.0 * mz.predict_proba(d.X) - 1.0, 1e-15);
  // Any classifier: an MLP inside the T-learner; the balanced class transformation needs
  // sample weights, which the MLP does not take.
  using mlp = clm::mlp_classifier<>;
  clm::two_model_uplift<mlp> tm({.treatment = {.hidden = {8}, .epochs = 3}, .control = {.hidden = {8}, .epochs = 3}});
  tm.fit(d.X, d.y, d.aux);
  CHECK(tm.predict_uplift(d.X).size() == d.X.shape()[0]);
  clm::class_transformation<mlp> cm;
  CHECK_THROWS_WITH_AS(cm.fit(d.X, d.y, d.aux), doctest::Contains("sample weights"), clm::invalid_argument);
  clm::class_transformation<mlp> cm2({.base = {.hidden = {8}, .epochs = 3}, .balance = false});
  cm2.fit(d.X, d.y, d.aux);
  CHECK(cm2.fitted());
}

TEST_CASE("meta-learners: the estimator contract") {
  static_assert(clm::uplift_model<clm::two_model_uplift<logistic>>);
  static_assert(clm::uplift_model<clm::s_learner<logistic>>);
  static_assert(clm::uplift_model<clm::class_transformation<logistic>>);
  clm::testing::check_estimator<clm::two_model_uplift<logistic>>(uplift_check_data<void>);
  clm::testing::check_estimator<clm::s_learner<logistic>>(uplift_check_data<void>);
  clm::testing::check_estimator<clm::class_transformation<logistic>>(uplift_check_data<void>);
  clm::testing::check_estimator<clm::class_transformation<logistic>>(
      uplift_check_data<void>, clm::class_transformation<logistic>({.base = {.C = 0.1}, .balance = false}));
}

TEST_CASE("meta-learners: bad input is a named error") {
  const auto d = uplift_check_data<void>();
  clm::two_model_uplift<logistic> m;
  vector<double> t = d.aux;
  t(2) = 0.5;
  CHECK_THROWS_WITH_AS(m.fit(d.X, d.y, t), doctest::Contains("treatment must be 0 (control) or 1"), clm::invalid_argument);
  // The treated group has no positive outcome.
  vector<double> y = d.y;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (d.aux(i) == 1) y(i) = 0;
  }
  CHECK_THROWS_WITH_AS(m.fit(d.X, y, d.aux), doctest::Contains("treatment group has no positive outcome"),
                       clm::invalid_argument);
  clm::class_transformation<logistic> ct;
  CHECK_THROWS_AS(ct.fit(d.X, y, d.aux), clm::invalid_argument);
  // No control rows.
  const vector<double> all = xt::ones<double>({d.y.size()});
  CHECK_THROWS_WITH_AS(m.fit(d.X, d.y, all), doctest::Contains("control group has no rows"), clm::invalid_argument);
  CHECK_THROWS_AS(m.fit(d.X, d.y, vector<double>{1, 0}), clm::shape_error);
  CHECK_FALSE(m.fitted());
  CHECK_THROWS_AS((void)m.predict_uplift(d.X), clm::not_fitted);

  // Targeting.
  CHECK_THROWS_AS((void)clm::target_offers(vector<double>{0.1}, vector<double>{1, 2}), clm::shape_error);
  CHECK_THROWS_AS((void)clm::target_offers(vector<double>{0.1}, vector<double>{1}, {.offer_cost = -1, .budget = 1}),
                  clm::invalid_argument);
  CHECK_THROWS_AS((void)clm::target_offers(vector<double>{std::nan("")}, vector<double>{1}), clm::numeric_error);
  // Never a customer the offer does not pay for.
  const auto r = clm::target_offers(vector<double>{0.5, -0.2, 0.01, 0.3}, vector<double>{100, 100, 100, 100},
                                    {.offer_cost = 2.0, .budget = 100.0});
  CHECK(r.customers == std::vector<std::size_t>{0, 3});
  CHECK(r.expected_incremental_value == doctest::Approx(48 + 28));
  CHECK(r.spend == 4.0);
}
