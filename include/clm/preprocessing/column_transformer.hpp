#pragma once
// clm::column_transformer — a raw customer table to one model-ready matrix: one transformer
// (usually a pipeline such as imputer + scaler) on the named numeric columns, another
// (usually a one_hot_encoder) on the named categorical columns, outputs side by side
// (numeric block first), with feature names. As scikit-learn's ColumnTransformer with two
// transformers and remainder = "drop".
//
//   auto prep = clm::make_column_transformer(
//       {.numeric = {"tenure", "monthly_charges"}, .categorical = {"contract", "region"}},
//       clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
//                          clm::standard_scaler<>()),
//       clm::one_hot_encoder<>());
//   clm::matrix<double> X = prep.fit_transform(customers);
//
// The numeric step receives table.to_matrix(numeric) (a missing column, or a categorical one,
// is clm::invalid_argument naming it); the categorical step receives table.select(categorical).
// Either list may be empty (its step is then not used), not both.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/table.hpp"

namespace clm {

struct column_transformer_params {
  std::vector<std::string> numeric;
  std::vector<std::string> categorical;

  void validate() const {
    require_param(!numeric.empty() || !categorical.empty(), "column_transformer", "numeric/categorical",
                  "both empty", "at least one column");
    std::vector<std::string> all(numeric);
    all.insert(all.end(), categorical.begin(), categorical.end());
    std::sort(all.begin(), all.end());
    const auto dup = std::adjacent_find(all.begin(), all.end());
    require_param(dup == all.end(), "column_transformer", "numeric/categorical",
                  dup == all.end() ? std::string() : *dup, "distinct column names");
  }
  friend bool operator==(const column_transformer_params&, const column_transformer_params&) = default;
};

template <class NumericStep, class CategoricalStep>
class column_transformer {
 public:
  using value_type = typename NumericStep::value_type;
  using T = value_type;
  using params_type = column_transformer_params;
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() {
    return "column_transformer(" + NumericStep::model_kind() + "," + CategoricalStep::model_kind() + ")";
  }

  column_transformer() = default;
  explicit column_transformer(const params_type& p, NumericStep numeric = {}, CategoricalStep categorical = {})
      : params_(p), numeric_(std::move(numeric)), categorical_(std::move(categorical)) {
    params_.validate();
  }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return fitted_; }

  column_transformer& fit(const table& t) {
    fitted_ = false;
    if (t.rows() == 0) throw shape_error("column_transformer.fit: expected a table with rows, got 0");
    if (!params_.numeric.empty()) numeric_.fit(numeric_input(t));
    if (!params_.categorical.empty()) categorical_.fit(t.select(params_.categorical));
    fitted_ = true;
    return *this;
  }

  matrix<T> transform(const table& t) const {
    check_fitted(fitted_, "column_transformer");
    matrix<T> a, b;
    if (!params_.numeric.empty()) a = numeric_.transform(numeric_input(t));
    if (!params_.categorical.empty()) b = categorical_.transform(t.select(params_.categorical));
    if (params_.numeric.empty()) return b;
    if (params_.categorical.empty()) return a;
    const std::size_t n = t.rows(), da = a.shape()[1], db = b.shape()[1];
    matrix<T> out = detail::empty_matrix<T>(n, da + db);
    for (std::size_t i = 0; i < n; ++i) {
      std::copy(a.data() + i * da, a.data() + (i + 1) * da, out.data() + i * (da + db));
      std::copy(b.data() + i * db, b.data() + (i + 1) * db, out.data() + i * (da + db) + da);
    }
    return out;
  }

  matrix<T> fit_transform(const table& t) { return fit(t).transform(t); }

  /// Numeric names through the numeric step, then the categorical step's names.
  feature_names feature_names_out() const {
    check_fitted(fitted_, "column_transformer");
    feature_names out;
    if (!params_.numeric.empty()) {
      if constexpr (requires { numeric_.feature_names_out(params_.numeric); }) {
        out = numeric_.feature_names_out(params_.numeric);
      } else {
        out = numeric_.feature_names_out();
      }
    }
    if (!params_.categorical.empty()) {
      const auto cat = categorical_.feature_names_out();
      out.insert(out.end(), cat.begin(), cat.end());
    }
    return out;
  }

  /// A new, unfitted column_transformer with params p and fresh copies of the steps.
  column_transformer with_params(const params_type& p) const {
    return column_transformer(p, clm::clone(numeric_), clm::clone(categorical_));
  }

  const NumericStep& numeric_step() const noexcept { return numeric_; }
  const CategoricalStep& categorical_step() const noexcept { return categorical_; }

  template <class A>
  void serialize(A& ar) {
    ar(params_.numeric, params_.categorical, fitted_);
    numeric_.serialize(ar);
    categorical_.serialize(ar);
    if constexpr (A::loading) {
      params_.validate();
      if (fitted_) {
        ar.check((params_.numeric.empty() || numeric_.fitted()) &&
                     (params_.categorical.empty() || categorical_.fitted()),
                 "column_transformer: fitted without fitted steps");
      }
    }
  }

 private:
  matrix<T> numeric_input(const table& t) const {
    for (const auto& c : params_.numeric) {
      if (t.has(c) && t.type(c) != column_type::numeric) {
        throw invalid_argument("column_transformer: column '" + c +
                               "' is categorical; expected numeric (list it under categorical)");
      }
    }
    const matrix<double> X = t.to_matrix(params_.numeric);
    if constexpr (std::is_same_v<T, double>) {
      return X;
    } else {
      return xt::cast<T>(X);
    }
  }

  params_type params_{};
  NumericStep numeric_{};
  CategoricalStep categorical_{};
  bool fitted_ = false;
};

template <class NumericStep, class CategoricalStep>
column_transformer<std::decay_t<NumericStep>, std::decay_t<CategoricalStep>> make_column_transformer(
    const column_transformer_params& p, NumericStep&& numeric, CategoricalStep&& categorical) {
  return column_transformer<std::decay_t<NumericStep>, std::decay_t<CategoricalStep>>(
      p, std::forward<NumericStep>(numeric), std::forward<CategoricalStep>(categorical));
}

}  // namespace clm
