// reliability: numerical robustness (extreme logits, the lifetime likelihoods over the
// parameter ranges an optimiser can reach) and sizes that cannot be allocated.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "clm/clm.hpp"

TEST_CASE("logistic regression and the MLP stay finite on extreme logits") {
  // Separable data far from the origin: an unpenalised fit drives the logits to +-thousands.
  clm::matrix<double> X = clm::matrix<double>::from_shape({200, 2});
  clm::vector<double> y = clm::vector<double>::from_shape({200});
  clm::random_engine g(3);
  for (std::size_t i = 0; i < 200; ++i) {
    y(i) = static_cast<double>(i % 2);
    X(i, 0) = (y(i) == 1.0 ? 500.0 : -500.0) + clm::normal(g);
    X(i, 1) = 1e4 * clm::normal(g);
  }
  clm::logistic_regression<> lr({.C = 1e12, .max_iter = 200});
  lr.fit(X, y);
  CHECK(std::isfinite(lr.report().final_value));
  const auto p = lr.predict_proba(X);
  const auto z = lr.decision_function(X);
  for (std::size_t i = 0; i < 200; ++i) {
    CHECK((p(i) >= 0.0 && p(i) <= 1.0));
    CHECK(std::isfinite(z(i)));
  }
  CHECK(std::isfinite(clm::log_loss(y, p)));  // probabilities of exactly 0 and 1 are clipped

  clm::mlp_classifier<> mlp({.hidden = {8}, .learning_rate = 0.5, .epochs = 5});
  mlp.fit(X, y);
  for (const double loss : mlp.report().train_loss) CHECK(std::isfinite(loss));
  for (const double v : mlp.predict_proba(X)) CHECK((v >= 0.0 && v <= 1.0));
}

TEST_CASE("the lifetime log-likelihoods are finite over the parameter ranges the optimisers can reach") {
  // Few customers: at the grid's far corners (r or s near 1e5) Pareto/NBD's likelihood costs
  // milliseconds per customer (its hypergeometric series converge slowly there).
  const auto pop = clm::synthetic::make_population({.n_customers = 400, .seed = 5, .n_items = 10});
  const auto full = clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end});
  const auto s = full.compressed();  // the purchase models' likelihoods on distinct histories
  const std::vector<double> grid{1e-4, 0.05, 3.0, 200.0, 1e5};
  std::size_t bad = 0, total = 0;
  for (const double a : grid) {
    for (const double b : grid) {
      for (const double c : grid) {
        for (const double d : {1e-3, 1.0, 1e4}) {
          clm::bg_nbd<> bg;
          bg.set_parameters({.r = a, .alpha = b, .a = c, .b = d});
          clm::pareto_nbd<> pn;
          pn.set_parameters({.r = a, .alpha = b, .s = c, .beta = d});
          clm::gamma_gamma<> gg;
          gg.set_parameters({.p = a, .q = b + 1.0, .v = c});
          for (const double ll : {bg.log_likelihood(s), pn.log_likelihood(s), gg.log_likelihood(full)}) {
            ++total;
            if (!std::isfinite(ll)) ++bad;
          }
          for (const double v : bg.probability_alive(s)) bad += !(v >= 0.0 && v <= 1.0);
        }
      }
    }
  }
  MESSAGE(total, " log-likelihoods over a grid from 1e-4 to 1e5 per parameter");
  CHECK(bad == 0);
}

TEST_CASE("sizes that cannot be allocated are errors, not crashes") {
  const auto c = clm::synthetic::customers<double>({.n_customers = 50, .seed = 1});
  clm::mlp_classifier<> huge({.hidden = {std::size_t{1} << 40}});
  CHECK_THROWS_AS(huge.fit(c.X, c.churned), clm::invalid_argument);
  CHECK_THROWS_AS(clm::polynomial_features<>({.degree = 40}), clm::invalid_argument);
  clm::polynomial_features<> poly({.degree = 16});  // C(76, 16) output columns of 60 inputs
  CHECK_THROWS_AS(poly.fit(clm::matrix<double>(xt::ones<double>({4, 60}))), clm::invalid_argument);
  // More recommendations than items: the whole catalogue, not an allocation of n columns.
  const auto data = clm::interactions::from_triples({"a", "b"}, {"x", "y"});
  clm::most_popular<> m;
  m.fit(data);
  const auto all = m.recommend_all(std::numeric_limits<std::size_t>::max());
  CHECK(all.items.shape()[1] == 2);
  CHECK(m.recommend(std::size_t{0}, std::numeric_limits<std::size_t>::max()).size() == 1);
}
