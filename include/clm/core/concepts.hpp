#pragma once
// The estimator contract, stated once. Every estimator's test checks it with static_assert.
//
//   estimator<E>          params_type, params(), fitted(), copyable
//   transformer<E, In>    fit(In) -> E&, transform(In) const -> matrix, fit_transform(In)
//   supervised_transformer<E>  fit(X, y) -> E&, transform(X) const -> matrix
//   regressor<E>          fit(X, y) -> E&, predict(X) const -> vector
//   classifier<E>         a regressor with predict_proba(X) and decision_function(X)
//                         (binary labels 0/1; predict_proba gives P(y = 1))
//   recommender<E>        fit(data) -> E&, predict(user, item), recommend(user, k)
//   lifetime_model<E>     fit(summary) -> E&, expected_purchases(t),
//                         probability_alive(summary)
//   survival_model<E>     fit(X, durations, events) -> E&, predict_risk(X) const -> vector
//                         (higher: earlier event), predict_survival(X, times) const -> matrix
//   uplift_model<E>       fit(X, y, treatment) -> E&, predict_uplift(X) const -> vector
//
// with_params(e, p) / clone(e) make a new, unfitted estimator like e with params p (or
// e's own): E(p) for single models; composites (pipeline, column_transformer) provide
// a member with_params that rebuilds their steps. Cross-validation and grid search use
// them; they are scikit-learn's clone(e).set_params(...).
//
// core sits below the data layer, so recommender and lifetime_model name their input
// through a member type (E::data_type, E::summary_type) rather than naming
// clm::interactions or clm::customer_summary here.

#include <concepts>
#include <cstddef>
#include <type_traits>

#include "clm/core/types.hpp"

namespace clm {

template <class E>
concept estimator = std::copyable<E> && requires(const E& e) {
  typename E::params_type;
  typename E::value_type;
  { e.params() } -> std::convertible_to<const typename E::params_type&>;
  { e.fitted() } -> std::same_as<bool>;
};

template <class E, class In = matrix<typename E::value_type>>
concept transformer = estimator<E> && requires(E& e, const E& ce, const In& x) {
  { e.fit(x) } -> std::same_as<E&>;
  { ce.transform(x) } -> std::same_as<matrix<typename E::value_type>>;
  { e.fit_transform(x) } -> std::same_as<matrix<typename E::value_type>>;
};

/// A transformer fitted against a label: fit(X, y), transform(X) (feature selection).
template <class E>
concept supervised_transformer = estimator<E> &&
    requires(E& e, const E& ce, const matrix<typename E::value_type>& X,
             const vector<typename E::value_type>& y) {
      { e.fit(X, y) } -> std::same_as<E&>;
      { ce.transform(X) } -> std::same_as<matrix<typename E::value_type>>;
    };

template <class E>
concept regressor = estimator<E> &&
    requires(E& e, const E& ce, const matrix<typename E::value_type>& X,
             const vector<typename E::value_type>& y) {
      { e.fit(X, y) } -> std::same_as<E&>;
      { ce.predict(X) } -> std::same_as<vector<typename E::value_type>>;
    };

template <class E>
concept classifier = regressor<E> &&
    requires(const E& ce, const matrix<typename E::value_type>& X) {
      { ce.predict_proba(X) } -> std::same_as<vector<typename E::value_type>>;
      { ce.decision_function(X) } -> std::same_as<vector<typename E::value_type>>;
    };

template <class E>
concept recommender = estimator<E> &&
    requires(E& e, const E& ce, const typename E::data_type& data, std::size_t k) {
      { e.fit(data) } -> std::same_as<E&>;
      { ce.predict(std::size_t{}, std::size_t{}) } -> std::convertible_to<typename E::value_type>;
      ce.recommend(std::size_t{}, k);
    };

template <class E>
concept lifetime_model = estimator<E> &&
    requires(E& e, const E& ce, const typename E::summary_type& s, typename E::value_type t) {
      { e.fit(s) } -> std::same_as<E&>;
      ce.expected_purchases(t);
      ce.probability_alive(s);
    };

template <class E>
concept survival_model = estimator<E> &&
    requires(E& e, const E& ce, const matrix<typename E::value_type>& X, const vector<typename E::value_type>& t) {
      { e.fit(X, t, t) } -> std::same_as<E&>;
      { ce.predict_risk(X) } -> std::same_as<vector<typename E::value_type>>;
      { ce.predict_survival(X, t) } -> std::same_as<matrix<typename E::value_type>>;
    };

template <class E>
concept uplift_model = estimator<E> &&
    requires(E& e, const E& ce, const matrix<typename E::value_type>& X, const vector<typename E::value_type>& y) {
      { e.fit(X, y, y) } -> std::same_as<E&>;
      { ce.predict_uplift(X) } -> std::same_as<vector<typename E::value_type>>;
    };

/// A new, unfitted estimator like `e` with params `p`.
template <class E>
E with_params(const E& e, const typename E::params_type& p) {
  if constexpr (requires { { e.with_params(p) } -> std::same_as<E>; }) {
    return e.with_params(p);
  } else {
    (void)e;
    return E(p);
  }
}

/// A new, unfitted estimator with e's params.
template <class E>
E clone(const E& e) {
  return with_params(e, e.params());
}

}  // namespace clm
