// data/synthetic: the seeded customer generator and its known truth.
#include <doctest/doctest.h>

#include <cmath>

#include "clm/data/synthetic.hpp"

TEST_CASE("customers: same seed, same data; another seed, other data") {
  const auto a = clm::synthetic::customers<double>({.n_customers = 500, .seed = 11});
  const auto b = clm::synthetic::customers<double>({.n_customers = 500, .seed = 11});
  const auto c = clm::synthetic::customers<double>({.n_customers = 500, .seed = 12});
  CHECK(a.X == b.X);
  CHECK(a.churned == b.churned);
  CHECK_FALSE(a.X == c.X);
  CHECK(a.X.shape()[0] == 500);
  CHECK(a.X.shape()[1] == a.names.size());
  CHECK(a.true_coef.size() == a.names.size());
}

TEST_CASE("customers: features follow their stated distributions") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 100000, .seed = 1});
  const std::size_t n = d.X.shape()[0];
  const auto col_mean = [&](std::size_t j) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += d.X(i, j);
    return s / static_cast<double>(n);
  };
  // Gamma(2, 12): mean 24, sd 17 -> se 0.054
  CHECK(std::abs(col_mean(0) - 24.0) < 0.3);
  // Gamma(2, 0.5): mean 1
  CHECK(std::abs(col_mean(1) - 1.0) < 0.02);
  // Gamma(4, 15): mean 60
  CHECK(std::abs(col_mean(2) - 60.0) < 0.5);
  // Poisson(0.6)
  CHECK(std::abs(col_mean(4) - 0.6) < 0.02);
  // Beta(2, 5): mean 2/7
  CHECK(std::abs(col_mean(5) - 2.0 / 7.0) < 0.005);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d.X.shape()[1]; ++j) REQUIRE(std::isfinite(d.X(i, j)));
    REQUIRE(d.X(i, 4) == std::floor(d.X(i, 4)));
  }
}

TEST_CASE("customers: churn labels follow the stated logistic model") {
  const auto d = clm::synthetic::customers<double>({.n_customers = 100000, .seed = 2});
  double labels = 0, probs = 0;
  for (std::size_t i = 0; i < d.churned.size(); ++i) {
    double logit = d.true_intercept;
    for (std::size_t j = 0; j < d.true_coef.size(); ++j) logit += d.true_coef(j) * d.X(i, j);
    REQUIRE(d.churn_probability(i) == doctest::Approx(1.0 / (1.0 + std::exp(-logit))));
    labels += d.churned(i);
    probs += d.churn_probability(i);
  }
  const double n = static_cast<double>(d.churned.size());
  // The label rate agrees with the mean probability within sampling error (sd <= 0.5/sqrt(n)).
  CHECK(std::abs(labels / n - probs / n) < 5 * 0.5 / std::sqrt(n));
  // Neither class is rare: a usable churn problem.
  CHECK(labels / n > 0.15);
  CHECK(labels / n < 0.6);
}

TEST_CASE("customers: bad parameters are refused") {
  CHECK_THROWS_AS(clm::synthetic::customers<double>({.n_customers = 0}), clm::invalid_argument);
}
