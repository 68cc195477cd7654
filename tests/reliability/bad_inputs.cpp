// reliability: the bad-input matrix. Every estimator, driven through its concept, against the
// inputs a user gets wrong: each gets its named clm:: error, or (where the input is legal)
// finite output; nothing crashes, throws a foreign exception or returns NaN silently. A new
// estimator is covered by one line in the lists at the bottom.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <typeinfo>
#include <vector>

#include "clm/clm.hpp"

namespace {

using clm::matrix;
using clm::vector;

/// The expectation for outputs on input with a missing value: NaN may pass through, never +-Inf.
struct nan_passes {};

/// Runs f; records what happened. `named` is the clm::error type the case requires (or null:
/// finite output or any clm::error is fine).
template <class Err, class F>
void outcome(const std::string& estimator, const std::string& input, F&& f) {
  INFO(estimator, ": ", input);
  try {
    const auto out = f();
    if constexpr (std::is_same_v<Err, nan_passes>) {
      bool no_inf = true;
      for (const auto v : out) no_inf = no_inf && !std::isinf(static_cast<double>(v));
      CHECK_MESSAGE(no_inf, "an infinite output returned silently");
    } else if constexpr (!std::is_same_v<Err, void>) {
      FAIL_CHECK("expected ", std::string(typeid(Err).name()), ", got a result");
    } else {
      bool finite = true;
      for (const auto v : out) finite = finite && std::isfinite(static_cast<double>(v));
      CHECK_MESSAGE(finite, "non-finite output returned silently");
    }
  } catch (const clm::error& e) {
    if constexpr (!std::is_same_v<Err, void> && !std::is_same_v<Err, nan_passes>) {
      CHECK_MESSAGE(dynamic_cast<const Err*>(&e) != nullptr, "expected ", std::string(typeid(Err).name()), ", got ",
                    std::string(typeid(e).name()), ": ", std::string(e.what()));
    }
    CHECK_MESSAGE(std::string(e.what()).size() > 10, "a message that says what was expected: ", std::string(e.what()));
  } catch (const std::exception& e) {
    FAIL_CHECK("a foreign exception: ", std::string(typeid(e).name()), ": ", std::string(e.what()));
  }
}

matrix<double> data(std::size_t n, std::size_t d, std::uint64_t seed = 1) {
  clm::random_engine g(seed);
  matrix<double> X = matrix<double>::from_shape({n, d});
  for (auto& v : X) v = clm::normal(g) + 5.0;  // inside log1p's domain
  return X;
}

vector<double> labels(std::size_t n) {
  vector<double> y = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) y(i) = static_cast<double>((i * 7 + i / 3) % 2);
  return y;
}

/// The estimator's main output on X as a flat vector.
template <class E>
std::vector<double> output(const E& e, const matrix<double>& X) {
  if constexpr (clm::classifier<E>) {
    const auto p = e.predict_proba(X);
    return {p.begin(), p.end()};
  } else if constexpr (requires { e.transform(X); }) {
    const auto t = e.transform(X);
    return {t.begin(), t.end()};
  } else {
    const auto p = e.predict(X);
    return {p.begin(), p.end()};
  }
}

template <class E>
E& fit(E& e, const matrix<double>& X, const vector<double>& y) {
  if constexpr (clm::regressor<E> || clm::supervised_transformer<E>) {
    return e.fit(X, y);
  } else {
    return e.fit(X);
  }
}

template <class E>
void matrix_estimator(const std::string& name, const E& proto, bool nan_is_missing = false) {
  constexpr bool supervised = clm::regressor<E> || clm::supervised_transformer<E>;
  const std::size_t n = 60, d = 4;
  const matrix<double> X = data(n, d);
  const vector<double> y = labels(n);
  const auto fitted = [&] {
    E e = proto;
    fit(e, X, y);
    return e;
  };
  outcome<clm::not_fitted>(name, "predict before fit", [&] { return output(proto, X); });
  outcome<clm::shape_error>(name, "empty matrix", [&] {
    E e = proto;
    fit(e, matrix<double>::from_shape({0, d}), vector<double>::from_shape({0}));
    return output(e, X);
  });
  outcome<void>(name, "one row", [&] {
    E e = proto;
    const matrix<double> one = xt::view(X, xt::range(0, 1), xt::all());
    fit(e, one, vector<double>{1.0});
    return output(e, one);
  });
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    matrix<double> B = X;
    B(3, 1) = bad;
    const std::string what = std::isnan(bad) ? "NaN" : (bad > 0 ? "+Inf" : "-Inf");
    if (std::isnan(bad) && nan_is_missing) {
      outcome<nan_passes>(name, "NaN (missing)", [&] {
        E e = proto;
        fit(e, B, y);
        return output(e, B);
      });
    } else {
      outcome<clm::numeric_error>(name, what + " in fit", [&] {
        E e = proto;
        fit(e, B, y);
        return output(e, X);
      });
      outcome<clm::numeric_error>(name, what + " at predict", [&] { return output(fitted(), B); });
    }
  }
  outcome<void>(name, "values near 1e308", [&] {
    matrix<double> B = X * 1e307;
    E e = proto;
    fit(e, B, y);
    return output(e, B);
  });
  outcome<void>(name, "constant columns", [&] {
    matrix<double> C = xt::ones<double>({n, d}) * 3.0;
    E e = proto;
    fit(e, C, y);
    return output(e, C);
  });
  outcome<clm::shape_error>(name, "wrong column count at predict", [&] { return output(fitted(), data(5, d + 1)); });
  if constexpr (supervised) {
    outcome<clm::shape_error>(name, "X and y of different lengths", [&] {
      E e = proto;
      e.fit(X, vector<double>(xt::view(y, xt::range(0, n - 1))));
      return output(e, X);
    });
  }
  if constexpr (clm::classifier<E>) {
    outcome<clm::invalid_argument>(name, "single-class labels", [&] {
      E e = proto;
      e.fit(X, vector<double>(xt::zeros<double>({n})));
      return output(e, X);
    });
    outcome<clm::invalid_argument>(name, "labels outside {0, 1}", [&] {
      vector<double> y3 = y;
      y3(0) = 2.0;
      E e = proto;
      e.fit(X, y3);
      return output(e, X);
    });
  }
}

/// Params a user can get wrong: each must be refused by the constructor.
template <class E>
void invalid_params(const std::string& name, std::initializer_list<typename E::params_type> bad) {
  std::size_t k = 0;
  for (const auto& p : bad) {
    outcome<clm::invalid_argument>(name, "invalid params #" + std::to_string(k++), [&] {
      E e(p);
      return std::vector<double>{};
    });
  }
}

}  // namespace

TEST_CASE("bad-input matrix: every matrix estimator") {
  matrix_estimator("standard_scaler", clm::standard_scaler<>(), true);
  matrix_estimator("min_max_scaler", clm::min_max_scaler<>(), true);
  matrix_estimator("robust_scaler", clm::robust_scaler<>(), true);
  matrix_estimator("simple_imputer", clm::simple_imputer<>(), true);
  matrix_estimator("clipper", clm::clipper<>(), true);
  matrix_estimator("log1p_transform", clm::log1p_transform<>(), true);
  matrix_estimator("polynomial_features", clm::polynomial_features<>());
  matrix_estimator("variance_threshold", clm::variance_threshold<>(), true);
  matrix_estimator("select_k_best", clm::select_k_best<>({.k = 2}));
  matrix_estimator("kmeans", clm::kmeans<>({.k = 3}));
  matrix_estimator("minibatch_kmeans", clm::minibatch_kmeans<>({.k = 3}));
  matrix_estimator("linear_regression", clm::linear_regression<>());
  matrix_estimator("logistic_regression", clm::logistic_regression<>());
  matrix_estimator("mlp_classifier", clm::mlp_classifier<>({.hidden = {8}, .epochs = 3}));
  matrix_estimator("mlp_regressor", clm::mlp_regressor<>({.hidden = {8}, .epochs = 3}));
}

TEST_CASE("bad-input matrix: invalid params are refused by the constructor") {
  invalid_params<clm::logistic_regression<>>("logistic_regression", {{.C = -1.0}, {.C = 0.0}, {.tol = -1.0}});
  invalid_params<clm::linear_regression<>>("linear_regression", {{.l2 = -1.0}});
  invalid_params<clm::kmeans<>>("kmeans", {{.k = 0}, {.tol = -1.0}});
  invalid_params<clm::minibatch_kmeans<>>("minibatch_kmeans", {{.k = 0}, {.batch_size = 0}});
  invalid_params<clm::mlp_classifier<>>("mlp_classifier", {{.dropout = 1.0}, {.learning_rate = 0.0}, {.batch_size = 0}});
  invalid_params<clm::min_max_scaler<>>("min_max_scaler", {{.range_min = 1.0, .range_max = 0.0}});
  invalid_params<clm::robust_scaler<>>("robust_scaler", {{.quantile_low = 80.0, .quantile_high = 20.0}});
  invalid_params<clm::clipper<>>("clipper", {{.lower = 50.0, .upper = 10.0}, {.lower = -1.0}});
  invalid_params<clm::polynomial_features<>>("polynomial_features", {{.degree = 0}});
  invalid_params<clm::variance_threshold<>>("variance_threshold", {{.threshold = -1.0}});
  invalid_params<clm::select_k_best<>>("select_k_best", {{.k = 0}});
  invalid_params<clm::bg_nbd<>>("bg_nbd", {{.penalizer = -1.0}});
  invalid_params<clm::item_knn<>>("item_knn", {{.k = 0}, {.similarity = {.shrinkage = -1.0}}});
  invalid_params<clm::ease<>>("ease", {{.l2 = -1.0}});
  invalid_params<clm::implicit_als<>>("implicit_als", {{.factors = 0}, {.regularization = -1.0}});
  invalid_params<clm::funk_svd<>>("funk_svd", {{.factors = 0}, {.lr_all = -1.0}, {.reg_pu = NAN}, {.init_std = -1.0}});
  invalid_params<clm::baseline_only<>>("baseline_only", {{.rating_min = 5.0, .rating_max = 1.0}});
}

TEST_CASE("bad-input matrix: lifetime models and recommenders") {
  // A summary with an impossible row (recency after T), a negative frequency, an empty one.
  clm::customer_summary s;
  s.frequency = {1.0, 2.0, 0.0};
  s.recency = {5.0, 3.0, 0.0};
  s.T = {4.0, 10.0, 8.0};
  s.monetary_value = {10.0, 12.0, 0.0};
  s.weight = {1.0, 1.0, 1.0};
  const auto each_lifetime = [&](auto proto, const std::string& name) {
    using M = decltype(proto);
    outcome<clm::invalid_argument>(name, "recency after T", [&] {
      M m = proto;
      m.fit(s);
      return std::vector<double>{};
    });
    clm::customer_summary empty;
    outcome<clm::shape_error>(name, "empty summary", [&] {
      M m = proto;
      m.fit(empty);
      return std::vector<double>{};
    });
  };
  each_lifetime(clm::bg_nbd<>(), "bg_nbd");
  each_lifetime(clm::mbg_nbd<>(), "mbg_nbd");
  each_lifetime(clm::pareto_nbd<>(), "pareto_nbd");
  outcome<clm::not_fitted>("bg_nbd", "predict before fit", [&] {
    const auto p = clm::bg_nbd<>().probability_alive(s);
    return std::vector<double>(p.begin(), p.end());
  });

  const auto each_recommender = [&](auto proto, const std::string& name) {
    using M = decltype(proto);
    outcome<clm::shape_error>(name, "empty interactions", [&] {
      M m = proto;
      m.fit(clm::interactions{});
      return std::vector<double>{};
    });
    outcome<clm::not_fitted>(name, "recommend before fit", [&] {
      proto.recommend(std::size_t{0}, 3);
      return std::vector<double>{};
    });
    const auto data = clm::interactions::from_triples({"a", "a", "b"}, {"x", "y", "x"}, {5.0, 1e308, 3.0});
    outcome<void>(name, "ratings near 1e308", [&] {
      M m = proto;
      m.fit(data);
      std::vector<double> out{static_cast<double>(m.predict(std::size_t{0}, std::size_t{0}))};
      for (const auto& r : m.recommend(std::size_t{1}, 3)) out.push_back(r.score);
      return out;
    });
  };
  each_recommender(clm::user_knn<>(), "user_knn");
  each_recommender(clm::item_knn<>(), "item_knn");
  each_recommender(clm::ease<>(), "ease");
  each_recommender(clm::implicit_als<>({.factors = 4, .iterations = 3}), "implicit_als");
  each_recommender(clm::most_popular<>(), "most_popular");
  each_recommender(clm::baseline_only<>(), "baseline_only");
  // SGD on ratings near 1e308 overflows: a named error, never NaN factors.
  for (const char* name : {"funk_svd", "svdpp"}) {
    outcome<clm::numeric_error>(name, "ratings near 1e308", [&] {
      const auto data = clm::interactions::from_triples({"a", "a", "b"}, {"x", "y", "x"}, {5.0, 1e308, 3.0});
      if (std::string(name) == "funk_svd") {
        clm::funk_svd<>({.factors = 4}).fit(data);
      } else {
        clm::svdpp<>().fit(data);
      }
      return std::vector<double>{};
    });
  }
}
