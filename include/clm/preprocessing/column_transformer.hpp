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
//
// Any number of blocks, as scikit-learn's ColumnTransformer([(name, transformer, columns),
// ...], remainder=...): each block names its columns and how its step reads them —
// numeric_columns (the step gets table.to_matrix(columns)) or categorical_columns (the step
// gets table.select(columns)) — and the outputs are stacked in block order. The columns no
// block names are dropped (remainder::drop, the default) or appended unchanged after the
// blocks (remainder::passthrough; they must be numeric, in the fitted table's order).
//
//   auto prep = clm::make_column_transformer(
//       {.remainder = clm::remainder::passthrough},
//       clm::numeric_columns({"tenure"}, clm::standard_scaler<>()),
//       clm::numeric_columns({"spend", "orders"}, clm::make_pipeline(clm::log1p_transform<>(),
//                                                                   clm::standard_scaler<>())),
//       clm::categorical_columns({"contract", "region"}, clm::one_hot_encoder<>()));

#include <algorithm>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
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

namespace detail {

template <class T>
matrix<T> as_value_type(matrix<double> X) {
  if constexpr (std::is_same_v<T, double>) {
    return X;
  } else {
    return xt::cast<T>(X);
  }
}

/// The named columns as a matrix for a numeric step (a categorical one is named).
template <class T>
matrix<T> numeric_block_input(const table& t, const std::vector<std::string>& columns) {
  for (const auto& c : columns) {
    if (t.has(c) && t.type(c) != column_type::numeric) {
      throw invalid_argument("column_transformer: column '" + c +
                             "' is categorical; expected numeric (list it under categorical)");
    }
  }
  return as_value_type<T>(t.to_matrix(columns));
}

/// The blocks' outputs side by side.
template <class T>
matrix<T> hstack(const std::vector<matrix<T>>& parts, std::size_t n) {
  std::size_t width = 0;
  for (const auto& p : parts) width += p.shape()[1];
  matrix<T> out = empty_matrix<T>(n, width);
  std::size_t at = 0;
  for (const auto& p : parts) {
    const std::size_t d = p.shape()[1];
    for (std::size_t i = 0; i < n; ++i) std::copy(p.data() + i * d, p.data() + (i + 1) * d, out.data() + i * width + at);
    at += d;
  }
  return out;
}
}  // namespace detail

template <class NumericStep, class CategoricalStep>
class column_transformer {
 public:
  using value_type = typename NumericStep::value_type;
  using T = value_type;
  using params_type = column_transformer_params;
  /// 2: each step stored with its own serial version (1 stored them under this one's).
  static constexpr std::uint32_t serial_version = 2;
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
    return detail::hstack<T>({std::move(a), std::move(b)}, t.rows());
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
    if (ar.version() >= 2) {
      ar.nested(numeric_);
      ar.nested(categorical_);
    } else {
      numeric_.serialize(ar);
      categorical_.serialize(ar);
    }
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
  matrix<T> numeric_input(const table& t) const { return detail::numeric_block_input<T>(t, params_.numeric); }

  params_type params_{};
  NumericStep numeric_{};
  CategoricalStep categorical_{};
  bool fitted_ = false;
};

enum class remainder : std::uint8_t { drop, passthrough };
enum class block_input : std::uint8_t { numeric, categorical };

/// One block of a multi-block column transformer: its columns and its step.
template <class Step, block_input Input>
struct column_block {
  std::vector<std::string> columns;
  Step step;
};

template <class Step>
column_block<std::decay_t<Step>, block_input::numeric> numeric_columns(std::vector<std::string> columns, Step&& step) {
  return {std::move(columns), std::forward<Step>(step)};
}
template <class Step>
column_block<std::decay_t<Step>, block_input::categorical> categorical_columns(std::vector<std::string> columns,
                                                                               Step&& step) {
  return {std::move(columns), std::forward<Step>(step)};
}

struct column_blocks_params {
  std::vector<std::vector<std::string>> columns;  ///< per block (set from the blocks)
  clm::remainder remainder = remainder::drop;

  void validate() const {
    constexpr const char* o = "column_transformer";
    require_param(!columns.empty(), o, "blocks", 0, "at least one block");
    std::vector<std::string> all;
    for (std::size_t b = 0; b < columns.size(); ++b) {
      require_param(!columns[b].empty(), o, "block " + std::to_string(b) + " columns", "none", "at least one column");
      all.insert(all.end(), columns[b].begin(), columns[b].end());
    }
    std::sort(all.begin(), all.end());
    const auto dup = std::adjacent_find(all.begin(), all.end());
    require_param(dup == all.end(), o, "columns", dup == all.end() ? std::string() : *dup,
                  "each column in one block only");
    require_param(static_cast<int>(remainder) <= 1, o, "remainder", static_cast<int>(remainder), "drop or passthrough");
  }
  friend bool operator==(const column_blocks_params&, const column_blocks_params&) = default;
};

/// Options of make_column_transformer over blocks.
struct column_blocks_options {
  clm::remainder remainder = remainder::drop;
};

namespace detail {
template <class B>
inline constexpr bool is_column_block = false;
template <class Step, block_input Input>
inline constexpr bool is_column_block<column_block<Step, Input>> = true;

template <class B>
struct block_traits;
template <class Step, block_input Input>
struct block_traits<column_block<Step, Input>> {
  using step_type = Step;
  static constexpr block_input input = Input;
};

}  // namespace detail

/// scikit-learn's ColumnTransformer over any number of blocks (see the top of this header).
template <class... Blocks>
class column_blocks_transformer {
  static_assert(sizeof...(Blocks) >= 1, "column_blocks_transformer: at least one block");
  using first_step = typename detail::block_traits<std::tuple_element_t<0, std::tuple<Blocks...>>>::step_type;

 public:
  using value_type = typename first_step::value_type;
  using T = value_type;
  using params_type = column_blocks_params;
  /// 2: each step stored with its own serial version (1 stored them under this one's).
  static constexpr std::uint32_t serial_version = 2;
  static std::string model_kind() {
    std::string k = "column_transformer[";
    ((k += std::string(detail::block_traits<Blocks>::input == block_input::numeric ? "num:" : "cat:") +
           detail::block_traits<Blocks>::step_type::model_kind() + ","),
     ...);
    k.back() = ']';
    return k;
  }

  column_blocks_transformer() = default;
  column_blocks_transformer(const column_blocks_options& o, Blocks... blocks)
      : steps_(std::move(blocks.step)...) {
    (params_.columns.push_back(std::move(blocks.columns)), ...);
    params_.remainder = o.remainder;
    params_.validate();
  }
  column_blocks_transformer(const params_type& p, std::tuple<typename detail::block_traits<Blocks>::step_type...> steps)
      : params_(p), steps_(std::move(steps)) {
    params_.validate();
    if (params_.columns.size() != sizeof...(Blocks)) {
      throw invalid_argument("column_transformer: params name " + std::to_string(params_.columns.size()) +
                             " blocks; expected " + std::to_string(sizeof...(Blocks)));
    }
  }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return fitted_; }

  column_blocks_transformer& fit(const table& t) {
    fitted_ = false;
    if (t.rows() == 0) throw shape_error("column_transformer.fit: expected a table with rows, got 0");
    passthrough_.clear();
    if (params_.remainder == remainder::passthrough) {
      for (const auto& name : t.names()) {
        bool named = false;
        for (const auto& cols : params_.columns) named = named || std::find(cols.begin(), cols.end(), name) != cols.end();
        if (named) continue;
        if (t.type(name) != column_type::numeric) {
          throw invalid_argument("column_transformer: remainder column '" + name +
                                 "' is categorical; passthrough keeps numeric columns only (name it in a block, or "
                                 "drop the remainder)");
        }
        passthrough_.push_back(name);
      }
    }
    for_each_block([&](auto& step, const std::vector<std::string>& cols, auto input) {
      if constexpr (decltype(input)::value == block_input::numeric) {
        step.fit(detail::numeric_block_input<T>(t, cols));
      } else {
        step.fit(t.select(cols));
      }
    });
    fitted_ = true;
    return *this;
  }

  matrix<T> transform(const table& t) const {
    check_fitted(fitted_, "column_transformer");
    std::vector<matrix<T>> parts;
    for_each_block([&](const auto& step, const std::vector<std::string>& cols, auto input) {
      if constexpr (decltype(input)::value == block_input::numeric) {
        parts.push_back(step.transform(detail::numeric_block_input<T>(t, cols)));
      } else {
        parts.push_back(step.transform(t.select(cols)));
      }
    });
    if (!passthrough_.empty()) parts.push_back(detail::numeric_block_input<T>(t, passthrough_));
    return detail::hstack(parts, t.rows());
  }

  matrix<T> fit_transform(const table& t) { return fit(t).transform(t); }

  /// Each block's names in order (a numeric step names its columns through itself when it
  /// can), then the passed-through columns.
  feature_names feature_names_out() const {
    check_fitted(fitted_, "column_transformer");
    feature_names out;
    for_each_block([&](const auto& step, const std::vector<std::string>& cols, auto input) {
      feature_names names;
      if constexpr (decltype(input)::value == block_input::numeric &&
                    requires { step.feature_names_out(cols); }) {
        names = step.feature_names_out(cols);
      } else {
        names = step.feature_names_out();
      }
      out.insert(out.end(), names.begin(), names.end());
    });
    out.insert(out.end(), passthrough_.begin(), passthrough_.end());
    return out;
  }

  /// The columns passed through after the blocks (fitted, remainder = passthrough).
  const std::vector<std::string>& passthrough_columns() const {
    check_fitted(fitted_, "column_transformer");
    return passthrough_;
  }

  template <std::size_t B>
  const auto& step() const noexcept {
    return std::get<B>(steps_);
  }

  column_blocks_transformer with_params(const params_type& p) const {
    return std::apply([&](const auto&... s) { return column_blocks_transformer(p, std::tuple(clm::clone(s)...)); },
                      steps_);
  }

  template <class A>
  void serialize(A& ar) {
    ar(params_.columns, params_.remainder, fitted_, passthrough_);
    std::apply([&](auto&... s) {
      if (ar.version() >= 2) (ar.nested(s), ...);
      else (s.serialize(ar), ...);
    }, steps_);
    if constexpr (A::loading) {
      params_.validate();
      ar.check(params_.columns.size() == sizeof...(Blocks), "column_transformer: block count differs from the type's");
      ar.check(params_.remainder == remainder::passthrough || passthrough_.empty(),
               "column_transformer: passthrough columns without remainder = passthrough");
      if (fitted_) {
        bool all = true;
        std::apply([&](const auto&... s) { ((all = all && s.fitted()), ...); }, steps_);
        ar.check(all, "column_transformer: fitted without fitted steps");
      }
    }
  }

 private:
  template <class F>
  void for_each_block(F&& f) {
    for_each_block_impl(*this, std::forward<F>(f), std::index_sequence_for<Blocks...>{});
  }
  template <class F>
  void for_each_block(F&& f) const {
    for_each_block_impl(*this, std::forward<F>(f), std::index_sequence_for<Blocks...>{});
  }
  template <class Self, class F, std::size_t... I>
  static void for_each_block_impl(Self& self, F&& f, std::index_sequence<I...>) {
    (f(std::get<I>(self.steps_), self.params_.columns[I],
       std::integral_constant<block_input, detail::block_traits<std::tuple_element_t<I, std::tuple<Blocks...>>>::input>{}),
     ...);
  }

  params_type params_{};
  std::tuple<typename detail::block_traits<Blocks>::step_type...> steps_{};
  std::vector<std::string> passthrough_;
  bool fitted_ = false;
};

/// A column transformer over any number of blocks.
template <class... Steps, block_input... Inputs>
column_blocks_transformer<column_block<Steps, Inputs>...> make_column_transformer(
    const column_blocks_options& o, column_block<Steps, Inputs>... blocks) {
  return column_blocks_transformer<column_block<Steps, Inputs>...>(o, std::move(blocks)...);
}

template <class NumericStep, class CategoricalStep>
  requires(!detail::is_column_block<std::decay_t<NumericStep>>)
column_transformer<std::decay_t<NumericStep>, std::decay_t<CategoricalStep>> make_column_transformer(
    const column_transformer_params& p, NumericStep&& numeric, CategoricalStep&& categorical) {
  return column_transformer<std::decay_t<NumericStep>, std::decay_t<CategoricalStep>>(
      p, std::forward<NumericStep>(numeric), std::forward<CategoricalStep>(categorical));
}

}  // namespace clm
