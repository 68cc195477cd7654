#pragma once
// clm::testing::check_estimator<E>(make_data): the estimator contract of DESIGN.md, checked
// the way scikit-learn's check_estimator does. Every estimator's test calls it.
//
// make_data() returns a check_data<T, In>: a training set (X, y), a second, different
// training set (X_other, y_other), and whether NaN is a legal feature value (missing) for
// this estimator. In is matrix<T> or clm::table (encoders, column transformers); y is used
// only by supervised estimators. A survival model (fit(X, durations, events)) takes its
// durations from y and its event flags from aux / aux_other, its output is predict_risk;
// an uplift model (fit(X, y, treatment)) takes its treatment flags from aux / aux_other,
// its output is predict_uplift.
//
// Checked:
//  - the concepts (estimator, saveable, and transformer / supervised transformer /
//    regressor / classifier)
//  - a new model is not fitted and its outputs throw clm::not_fitted
//  - fit returns *this, leaves params unchanged and makes fitted() true
//  - outputs have one row (or element) per input row and are finite on finite input
//  - fitting twice gives the same model (also after a fit on other data in between)
//  - outputs computed in one batch and row by row agree
//  - a copy is independent: refitting the copy leaves the original unchanged
//  - save/load round-trips exactly (same outputs bit for bit, same bytes when saved
//    again), for fitted and unfitted models, in memory and through a file; a truncated
//    file is refused
//  - named bad inputs throw the named errors: no rows (shape_error); a column count
//    different from fit (matrix: shape_error; table: a missing column, invalid_argument);
//    +-Inf (numeric_error); NaN where it is not missing (numeric_error); X and y of
//    different lengths (shape_error)

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/data/table.hpp"
#include "clm/io/archive.hpp"

namespace clm::testing {

/// The message of the exception f throws, or "" when it throws none.
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

template <class T, class In = matrix<T>>
struct check_data {
  In X;
  vector<T> y;
  In X_other;
  vector<T> y_other;
  bool nan_is_missing = false;
  vector<T> aux{};
  vector<T> aux_other{};
};

namespace detail {

template <class E, class In>
constexpr bool is_supervised = regressor<E> || supervised_transformer<E> || survival_model<E> || uplift_model<E>;

template <class E, class In, class T>
E& fit(E& e, const In& X, const vector<T>& y, const vector<T>& aux) {
  if constexpr (survival_model<E> || uplift_model<E>) {
    return e.fit(X, y, aux);
  } else if constexpr (is_supervised<E, In>) {
    return e.fit(X, y);
  } else {
    return e.fit(X);
  }
}

/// The estimator's main output as a matrix: transform, predict_proba or predict.
template <class E, class In>
matrix<typename E::value_type> output(const E& e, const In& X) {
  using T = typename E::value_type;
  if constexpr (requires { e.transform(X); }) {
    return e.transform(X);
  } else {
    vector<T> v;
    if constexpr (survival_model<E>) {
      v = e.predict_risk(X);
    } else if constexpr (uplift_model<E>) {
      v = e.predict_uplift(X);
    } else if constexpr (classifier<E>) {
      v = e.predict_proba(X);
    } else {
      v = e.predict(X);
    }
    matrix<T> m = matrix<T>::from_shape({v.size(), std::size_t{1}});
    std::copy(v.begin(), v.end(), m.begin());
    return m;
  }
}

template <class T>
bool bitwise_equal(const matrix<T>& a, const matrix<T>& b) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const T x = a.data()[i], y = b.data()[i];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

// Input helpers for both input kinds.
template <class T>
std::size_t rows(const matrix<T>& X) { return X.shape()[0]; }
inline std::size_t rows(const table& X) { return X.rows(); }

template <class T>
matrix<T> row(const matrix<T>& X, std::size_t i) {
  const std::size_t d = X.shape()[1];
  matrix<T> r = matrix<T>::from_shape({std::size_t{1}, d});
  std::copy(X.data() + i * d, X.data() + (i + 1) * d, r.data());
  return r;
}
inline table row(const table& X, std::size_t i) { return X.take({i}); }

template <class T>
matrix<T> no_rows(const matrix<T>& X) { return matrix<T>::from_shape({std::size_t{0}, X.shape()[1]}); }
inline table no_rows(const table& X) { return X.take({}); }

/// X with one value set to v (the first numeric column for a table), or nothing when the
/// input has no numeric value to set.
template <class T>
std::optional<matrix<T>> with_value(matrix<T> X, std::size_t at, T v) {
  X.data()[at % X.size()] = v;
  return X;
}
template <class T>
std::optional<table> with_value(const table& X, std::size_t at, T v) {
  for (const auto& name : X.names()) {
    if (X.type(name) != column_type::numeric) continue;
    table out;
    for (const auto& n : X.names()) {
      if (n == name) {
        vector<double> col = X.numeric(n);
        col(at % X.rows()) = static_cast<double>(v);
        out.add_numeric(n, std::move(col));
      } else if (X.type(n) == column_type::numeric) {
        out.add_numeric(n, X.numeric(n));
      } else {
        out.add_categorical(n, X.categorical(n));
      }
    }
    return out;
  }
  return std::nullopt;
}

template <class T>
void check_wrong_columns_throw(const auto& model, const matrix<T>& X) {
  const matrix<T> wide = xt::zeros<T>({X.shape()[0], X.shape()[1] + 1});
  CHECK_THROWS_AS(output(model, wide), shape_error);
}
template <class T>
void check_wrong_columns_throw(const auto& model, const table& X) {
  // Without any one of its columns the input is refused, naming the column.
  for (const auto& name : X.names()) {
    const table missing = X.drop({name});
    bool threw = false;
    try {
      (void)output(model, missing);
    } catch (const invalid_argument& e) {
      threw = std::string(e.what()).find(name) != std::string::npos;
    } catch (...) {
    }
    if (threw) return;
  }
  FAIL("no table without one of its columns is refused with an error naming that column");
}

}  // namespace detail

template <class E, class MakeData>
void check_estimator(MakeData make_data, const E& prototype = E{}) {
  using T = typename E::value_type;
  static_assert(estimator<E>, "check_estimator: E does not model clm::estimator");
  static_assert(saveable<E>, "check_estimator: E is not saveable");
  using detail::bitwise_equal;
  using detail::fit;
  using detail::output;

  const auto data = make_data();
  using In = std::decay_t<decltype(data.X)>;
  const In& X = data.X;
  const std::size_t n = detail::rows(X);
  REQUIRE(n >= 2);
  const std::string kind = E::model_kind();
  INFO("estimator: ", kind);

  // Not fitted.
  E fresh = prototype;
  CHECK_FALSE(fresh.fitted());
  CHECK_THROWS_AS(output(fresh, X), not_fitted);

  // fit returns *this, params unchanged, fitted.
  E model = prototype;
  const auto params_before = model.params();
  E& ret = fit(model, X, data.y, data.aux);
  CHECK(&ret == &model);
  CHECK(model.fitted());
  CHECK(model.params() == params_before);

  const matrix<T> out = output(model, X);
  CHECK(out.shape()[0] == n);
  bool finite = true;
  for (auto v : out) finite = finite && std::isfinite(v);
  CHECK_MESSAGE(finite, "outputs on finite input must be finite");

  // Fit twice -> same model; a fit on other data in between leaves no trace.
  {
    E again = prototype;
    fit(again, X, data.y, data.aux);
    CHECK(bitwise_equal(output(again, X), out));
    fit(again, data.X_other, data.y_other, data.aux_other);
    fit(again, X, data.y, data.aux);
    CHECK(bitwise_equal(output(again, X), out));
  }

  // Batch and row by row agree.
  {
    const T tol = std::is_same_v<T, float> ? T(1e-5) : T(1e-12);
    const std::size_t rows = std::min<std::size_t>(n, 64);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      const matrix<T> r = output(model, detail::row(X, i));
      REQUIRE(r.shape()[0] == 1);
      for (std::size_t j = 0; j < r.shape()[1]; ++j) {
        const T a = r(0, j), b = out(i, j);
        if (std::abs(a - b) > tol * (T(1) + std::abs(b))) ++bad;
      }
    }
    CHECK_MESSAGE(bad == 0, "row-by-row outputs differ from the batch in ", bad, " places");
  }

  // A copy is independent.
  {
    E copy = model;
    CHECK(bitwise_equal(output(copy, X), out));
    fit(copy, data.X_other, data.y_other, data.aux_other);
    CHECK(bitwise_equal(output(model, X), out));
    E other = prototype;
    fit(other, data.X_other, data.y_other, data.aux_other);
    if constexpr (std::is_same_v<In, matrix<T>>) {
      CHECK(bitwise_equal(output(copy, X), output(other, X)));
    } else {
      CHECK(bitwise_equal(output(copy, data.X_other), output(other, data.X_other)));
    }
  }

  // clone (what cross-validation and grid search fit): unfitted, same params, and fitting
  // it gives the fitted model's output.
  {
    E fresh_clone = clone(model);
    CHECK_FALSE(fresh_clone.fitted());
    CHECK(fresh_clone.params() == model.params());
    fit(fresh_clone, data.X, data.y, data.aux);
    CHECK(bitwise_equal(output(fresh_clone, X), out));
  }

  // Save / load round-trips exactly.
  {
    const std::string bytes = save_bytes(model);
    const E loaded = load_bytes<E>(bytes);
    CHECK(loaded.fitted());
    CHECK(loaded.params() == model.params());
    CHECK(bitwise_equal(output(loaded, X), out));
    CHECK(save_bytes(loaded) == bytes);

    const E unfitted = load_bytes<E>(save_bytes(prototype));
    CHECK_FALSE(unfitted.fitted());
    CHECK(unfitted.params() == prototype.params());

    const auto path = std::filesystem::temp_directory_path() /
                      ("clm_check_" + std::to_string(std::hash<std::string>{}(kind)) + ".clm");
    save(model, path);
    const E from_file = load<E>(path);
    CHECK(bitwise_equal(output(from_file, X), out));
    std::filesystem::remove(path);

    // A truncated file is refused.
    CHECK_THROWS_AS(load_bytes<E>(std::string_view(bytes).substr(0, bytes.size() / 2)), format_error);
  }

  // Named bad inputs.
  {
    E e = prototype;
    const vector<T> empty_y = vector<T>::from_shape({std::size_t{0}});
    CHECK_THROWS_AS(fit(e, detail::no_rows(X), empty_y, empty_y), shape_error);
    CHECK_FALSE(e.fitted());

    constexpr T inf = std::numeric_limits<T>::infinity();
    if (auto bad = detail::with_value(X, 0, inf)) {
      CHECK_THROWS_AS(fit(e, *bad, data.y, data.aux), numeric_error);
      CHECK_THROWS_AS(output(model, *bad), numeric_error);
    }
    if (auto bad = detail::with_value(X, 1, -inf)) CHECK_THROWS_AS(fit(e, *bad, data.y, data.aux), numeric_error);
    if (!data.nan_is_missing) {
      if (auto bad = detail::with_value(X, 1, std::numeric_limits<T>::quiet_NaN())) {
        CHECK_THROWS_AS(fit(e, *bad, data.y, data.aux), numeric_error);
      }
    }
    if constexpr (detail::is_supervised<E, In>) {
      vector<T> short_y = vector<T>::from_shape({n - 1});
      std::copy(data.y.begin(), data.y.begin() + static_cast<std::ptrdiff_t>(n - 1), short_y.begin());
      CHECK_THROWS_AS(fit(e, X, short_y, data.aux), shape_error);
    }
    detail::check_wrong_columns_throw<T>(model, X);
  }
}

}  // namespace clm::testing
