#pragma once
// Every saveable model type, for fuzz_load and its seeds (make_model_seeds): add a new
// model here and it is fuzzed. example<E>() fits one on small data; exercise(m) calls the
// outputs of a loaded model, so that a file that loads but describes an impossible model is
// found too.
#include <clm/clm.hpp>

#include <tuple>

namespace fuzz {

using pipeline_type = decltype(clm::make_pipeline(clm::standard_scaler<>(), clm::logistic_regression<>()));

using model_types =
    std::tuple<clm::standard_scaler<>, clm::min_max_scaler<>, clm::robust_scaler<>, clm::simple_imputer<>,
               clm::clipper<>, clm::log1p_transform<>, clm::one_hot_encoder<>, clm::ordinal_encoder<>,
               clm::polynomial_features<>, clm::variance_threshold<>, clm::select_k_best<>, clm::linear_regression<>,
               clm::logistic_regression<>, clm::mlp_classifier<>, clm::mlp_regressor<>, clm::kmeans<>,
               clm::minibatch_kmeans<>, clm::rfm_segments<>, clm::bg_nbd<>, clm::mbg_nbd<>, clm::pareto_nbd<>,
               clm::gamma_gamma<>, clm::user_knn<>, clm::item_knn<>, clm::ease<>, clm::implicit_als<>,
               clm::most_popular<>, pipeline_type, clm::logistic_regression<float>, clm::mlp_classifier<float>,
               clm::baseline_only<>, clm::funk_svd<>, clm::svdpp<>, clm::kaplan_meier<>, clm::cox_ph<>,
               clm::two_model_uplift<clm::logistic_regression<>>, clm::s_learner<clm::logistic_regression<>>,
               clm::class_transformation<clm::logistic_regression<>>>;

inline constexpr std::size_t n_models = std::tuple_size_v<model_types>;

inline const clm::customer_summary& summary() {
  static const clm::customer_summary s = [] {
    const auto pop = clm::synthetic::make_population({.n_customers = 300, .seed = 1, .n_items = 20});
    return clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end});
  }();
  return s;
}

/// The few customers a loaded lifetime model is evaluated on: a file may hold parameters
/// for which each evaluation sums up to 10^7 series terms (a bounded cost, documented in
/// docs/reliability.md), so the fuzzers evaluate 4 customers, not 300.
inline const clm::customer_summary& exercise_summary() {
  static const clm::customer_summary s = [] {
    const auto pop = clm::synthetic::make_population({.n_customers = 4, .seed = 3, .n_items = 5});
    return clm::summarize(pop.transactions, {.calibration_end = pop.calibration_end});
  }();
  return s;
}

template <class E>
E example() {
  using T = typename E::value_type;
  const auto c = clm::synthetic::customers<T>({.n_customers = 60, .seed = 2});
  if constexpr (clm::survival_model<E> || std::is_same_v<E, clm::kaplan_meier<>>) {
    const auto s = clm::synthetic::churn_times<T>({.n_customers = 60, .coef = {0.5, -0.7}, .binary_last = true,
                                                   .shape = 1.3, .scale = 24.0, .censoring_rate = 0.02,
                                                   .follow_up = 36.0, .resolution = 1.0, .seed = 2});
    E m;
    if constexpr (clm::survival_model<E>) {
      return m.fit(s.X, s.durations, s.events);
    } else {
      return m.fit(s.durations, s.events);
    }
  } else if constexpr (clm::uplift_model<E>) {
    const auto s = clm::synthetic::retention_experiment<T>({.n_customers = 80, .n_features = 3, .treated_share = 0.5,
                                                            .type_strength = 1.5, .persuadable_control = 0.3,
                                                            .persuadable_treated = 0.75, .sure_thing = 0.9,
                                                            .lost_cause = 0.1, .value_scale = 100.0, .seed = 2});
    E m;
    return m.fit(s.X, s.retained, s.treatment);
  } else if constexpr (requires { typename E::data_type; }) {
    E m;
    if constexpr (std::is_same_v<E, clm::implicit_als<>>) m = E({.factors = 4, .iterations = 2});
    // 4 users and 3 items: a user-side table read as an item-side one (or the reverse) is
    // the wrong size, as in a real file relabelled from item_knn to user_knn.
    return m.fit(clm::interactions::from_triples({"a", "a", "b", "c", "c", "d"}, {"x", "y", "x", "y", "z", "z"},
                                                 {5, 3, 4, 1, 2, 4}));
  } else if constexpr (requires { typename E::summary_type; } || std::is_same_v<E, clm::rfm_segments<>>) {
    E m;
    return m.fit(summary());
  } else if constexpr (std::is_same_v<E, clm::one_hot_encoder<>> || std::is_same_v<E, clm::ordinal_encoder<>>) {
    E m;
    return m.fit(c.attributes.select({"region", "channel"}));
  } else if constexpr (clm::regressor<E> || clm::supervised_transformer<E>) {
    E m;
    if constexpr (std::is_same_v<E, clm::select_k_best<>>) m = E({.k = 2});
    if constexpr (requires { E({.hidden = {4}, .epochs = 2}); }) m = E({.hidden = {4}, .epochs = 2});
    return m.fit(c.X, c.churned);
  } else {
    E m;
    if constexpr (requires { E({.k = 3}); }) m = E({.k = 3});
    return m.fit(c.X);
  }
}

/// Calls the outputs of a loaded model; clm::errors (a shape that does not fit) are fine.
template <class E>
void exercise(const E& m) {
  using T = typename E::value_type;
  if (!m.fitted()) return;
  if constexpr (std::is_same_v<E, clm::kaplan_meier<>>) {
    (void)m.predict(clm::vector<double>{0.0, 1.0, 1e9});
    (void)m.median_survival();
  } else if constexpr (clm::uplift_model<E>) {
    for (std::size_t d = 1; d <= 5; ++d) {
      try {
        (void)m.predict_uplift(clm::matrix<T>(xt::ones<T>({std::size_t{3}, d})));
      } catch (const clm::error&) {
      }
    }
  } else if constexpr (clm::survival_model<E>) {
    for (std::size_t d = 1; d <= 4; ++d) {
      const clm::matrix<T> X = xt::ones<T>({std::size_t{3}, d});
      try {
        (void)m.predict_survival(X, clm::vector<T>{0.0, 5.0, 1e9});
        (void)m.predict_median(X);
      } catch (const clm::error&) {
      }
    }
  } else if constexpr (requires { typename E::data_type; }) {
    if (m.n_users() > 0 && m.n_users() < 500 && m.n_items() < 500) {
      (void)m.recommend(std::size_t{0}, 3);
      (void)m.predict(std::size_t{0}, std::size_t{0});
      (void)m.recommend_all(2);
      (void)m.recommend_for_items(std::vector<std::size_t>{0}, 2);
    }
  } else if constexpr (requires { m.probability_alive(summary()); }) {
    (void)m.probability_alive(exercise_summary());
    (void)m.conditional_expected_purchases(5.0, exercise_summary());
  } else if constexpr (requires { m.conditional_expected_spend(summary()); }) {
    (void)m.conditional_expected_spend(exercise_summary());
  } else if constexpr (requires(const clm::matrix<T>& X) { m.transform(X); } || clm::regressor<E>) {
    for (std::size_t d = 1; d <= 12; ++d) {
      const clm::matrix<T> X = xt::ones<T>({std::size_t{3}, d});
      try {
        if constexpr (requires { m.transform(X); }) {
          (void)m.transform(X);
        } else {
          (void)m.predict(X);
        }
      } catch (const clm::error&) {
      }
    }
  }
}

/// Calls f.template operator()<E>() for the model type at index i.
template <class F, std::size_t... I>
void with_model_type(std::size_t i, F&& f, std::index_sequence<I...>) {
  ((i == I ? (f.template operator()<std::tuple_element_t<I, model_types>>(), 0) : 0), ...);
}
template <class F>
void with_model_type(std::size_t i, F&& f) {
  with_model_type(i, f, std::make_index_sequence<n_models>{});
}

}  // namespace fuzz
