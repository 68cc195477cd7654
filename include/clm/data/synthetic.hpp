#pragma once
// clm::synthetic — seeded e-commerce data whose truth is known, for tests, examples and
// benchmarks. The same seed gives the same data on every machine (clm::random_engine and
// its written-out distributions; no <random> distribution is used).
//
// customers(): a customer attribute table with a churn label drawn from a known logistic
// model, so a churn classifier can be checked against the coefficients that made the data.
//
//   feature                 distribution
//   tenure_months           Gamma(shape 2, scale 12)
//   orders_per_month        Gamma(shape 2, scale 0.5)
//   avg_order_value         Gamma(shape 4, scale 15)
//   days_since_last_order   Exponential(rate orders_per_month / 30)
//   support_tickets         Poisson(0.6)
//   discount_share          Beta(2, 5)
//
//   P(churned = 1) = sigmoid(intercept + coef . features), coef as true_coef below.

#include <cmath>
#include <cstdint>
#include <string>

#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm::synthetic {

struct customer_params {
  std::size_t n_customers = 1000;
  std::uint64_t seed = 0;

  void validate() const {
    require_param(n_customers > 0, "synthetic::customers", "n_customers", n_customers, "> 0");
  }
};

template <class T = double>
struct customer_data {
  matrix<T> X;           ///< n_customers x 6, columns as `names`
  vector<T> churned;     ///< 0/1 label
  vector<T> churn_probability;  ///< the true P(churned = 1) of each customer
  feature_names names;
  vector<T> true_coef;   ///< coefficients of the logistic churn model, per column of X
  T true_intercept{};
};

/// The churn model's true coefficients, per column (see the table above).
inline constexpr double churn_intercept = -0.5;
inline constexpr double churn_coef[6] = {-0.04, -0.9, 0.004, 0.03, 0.45, 1.5};

template <class T = double>
customer_data<T> customers(const customer_params& params = {}) {
  params.validate();
  const std::size_t n = params.n_customers;
  constexpr std::size_t d = 6;
  customer_data<T> out;
  out.names = {"tenure_months",   "orders_per_month", "avg_order_value",
               "days_since_last_order", "support_tickets", "discount_share"};
  out.X = matrix<T>::from_shape({n, d});
  out.churned = vector<T>::from_shape({n});
  out.churn_probability = vector<T>::from_shape({n});
  out.true_coef = vector<T>::from_shape({d});
  for (std::size_t j = 0; j < d; ++j) out.true_coef(j) = static_cast<T>(churn_coef[j]);
  out.true_intercept = static_cast<T>(churn_intercept);

  random_engine g(params.seed);
  T* x = out.X.data();
  for (std::size_t i = 0; i < n; ++i) {
    double f[d];
    f[0] = gamma(g, 2.0, 12.0);
    f[1] = gamma(g, 2.0, 0.5);
    f[2] = gamma(g, 4.0, 15.0);
    f[3] = exponential(g, f[1] / 30.0);
    f[4] = static_cast<double>(poisson(g, 0.6));
    f[5] = beta(g, 2.0, 5.0);
    double logit = churn_intercept;
    for (std::size_t j = 0; j < d; ++j) {
      x[i * d + j] = static_cast<T>(f[j]);
      logit += churn_coef[j] * static_cast<double>(static_cast<T>(f[j]));
    }
    const double p = 1.0 / (1.0 + std::exp(-logit));
    out.churn_probability(i) = static_cast<T>(p);
    out.churned(i) = bernoulli(g, p) ? T(1) : T(0);
  }
  return out;
}

}  // namespace clm::synthetic
