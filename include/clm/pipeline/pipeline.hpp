#pragma once
// clm::pipeline / clm::make_pipeline — steps applied in order, held by value in a tuple.
//
// Every step but the last is a transformer; the pipeline models what its last step
// models: ending in a transformer it is a transformer (fit, transform, fit_transform,
// feature_names_out); ending in a regressor or classifier it has predict (and
// predict_proba / decision_function when the last step has them) and fit(X, y). The first
// step may take a clm::table (a column_transformer), the others take matrices.
//
// fit() fits each step on the output of the previous ones (fit_transform) and the last on
// the result; a second fit starts again from scratch. Saving writes every step in order
// under the kind "pipeline(<kinds>)". No virtual dispatch anywhere.

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "clm/core/concepts.hpp"
#include "clm/core/types.hpp"

namespace clm {

template <class... Steps>
class pipeline {
  static_assert(sizeof...(Steps) >= 1, "a pipeline needs at least one step");
  static constexpr std::size_t n_steps = sizeof...(Steps);
  using last_type = std::tuple_element_t<n_steps - 1, std::tuple<Steps...>>;

 public:
  using value_type = typename last_type::value_type;
  using params_type = std::tuple<typename Steps::params_type...>;
  /// 2: each step stored with its own serial version (1 stored every step under the
  /// pipeline's, so a step's version-2 fields were dropped).
  static constexpr std::uint32_t serial_version = 2;

  static std::string model_kind() {
    std::string kind = "pipeline(";
    bool first = true;
    ((kind += (first ? "" : ","), kind += Steps::model_kind(), first = false), ...);
    return kind + ")";
  }

  pipeline() = default;
  explicit pipeline(Steps... steps) : steps_(std::move(steps)...) {}

  params_type params() const {
    return std::apply([](const auto&... s) { return params_type(s.params()...); }, steps_);
  }
  /// A new, unfitted pipeline whose steps have the params in p (clm::with_params).
  pipeline with_params(const params_type& p) const {
    return with_params_impl(p, std::index_sequence_for<Steps...>{});
  }

  bool fitted() const noexcept {
    return std::apply([](const auto&... s) { return (s.fitted() && ...); }, steps_);
  }

  template <std::size_t I>
  auto& step() noexcept {
    return std::get<I>(steps_);
  }
  template <std::size_t I>
  const auto& step() const noexcept {
    return std::get<I>(steps_);
  }

  /// Unsupervised fit (the last step is a transformer).
  template <class In>
  pipeline& fit(const In& X) {
    fit_from<0>(X);
    return *this;
  }

  /// Supervised fit: the label goes to the last step.
  template <class In, class Y>
    requires(!transformer<last_type>)
  pipeline& fit(const In& X, const Y& y) {
    fit_from<0>(X, y);
    return *this;
  }

  template <class In>
  matrix<value_type> transform(const In& X) const
    requires requires(const last_type& l, const matrix<value_type>& m) { l.transform(m); }
  {
    return through<0, n_steps>(X);
  }

  template <class In>
  matrix<value_type> fit_transform(const In& X) {
    return fit(X).transform(X);
  }

  template <class In>
  vector<value_type> predict(const In& X) const
    requires requires(const last_type& l, const matrix<value_type>& m) { l.predict(m); }
  {
    return std::get<n_steps - 1>(steps_).predict(through<0, n_steps - 1>(X));
  }

  template <class In>
  vector<value_type> predict_proba(const In& X) const
    requires requires(const last_type& l, const matrix<value_type>& m) { l.predict_proba(m); }
  {
    return std::get<n_steps - 1>(steps_).predict_proba(through<0, n_steps - 1>(X));
  }

  template <class In>
  vector<value_type> decision_function(const In& X) const
    requires requires(const last_type& l, const matrix<value_type>& m) { l.decision_function(m); }
  {
    return std::get<n_steps - 1>(steps_).decision_function(through<0, n_steps - 1>(X));
  }

  /// Names of the last transformer's outputs, passed through every step (`input`: the
  /// names of the first step's input columns, when it takes a matrix).
  feature_names feature_names_out(const feature_names& input = {}) const
    requires requires(const last_type& l) { l.feature_names_out(); }
  {
    return names_from<0>(input);
  }

  template <class A>
  void serialize(A& ar) {
    std::apply([&](auto&... s) {
      if (ar.version() >= 2) (ar.nested(s), ...);
      else (s.serialize(ar), ...);
    }, steps_);
  }

 private:
  template <std::size_t... I>
  pipeline with_params_impl(const params_type& p, std::index_sequence<I...>) const {
    return pipeline(clm::with_params(std::get<I>(steps_), std::get<I>(p))...);
  }

  template <std::size_t I, class In, class... Y>
  void fit_from(const In& X, const Y&... y) {
    auto& s = std::get<I>(steps_);
    if constexpr (I + 1 == n_steps) {
      s.fit(X, y...);
    } else {
      const matrix<value_type> next = s.fit_transform(X);
      fit_from<I + 1>(next, y...);
    }
  }

  template <std::size_t I, std::size_t End, class In>
  decltype(auto) through(const In& X) const {
    if constexpr (I == End) {
      return matrix<value_type>(X);
    } else if constexpr (I + 1 == End) {
      return std::get<I>(steps_).transform(X);
    } else {
      return through<I + 1, End>(std::get<I>(steps_).transform(X));
    }
  }

  template <std::size_t I>
  feature_names names_from(const feature_names& in) const {
    const auto& s = std::get<I>(steps_);
    feature_names out;
    if constexpr (requires { s.feature_names_out(in); }) {
      out = s.feature_names_out(in);
    } else {
      out = s.feature_names_out();
    }
    if constexpr (I + 1 == n_steps) {
      return out;
    } else {
      return names_from<I + 1>(out);
    }
  }

  std::tuple<Steps...> steps_;
};

/// A pipeline of copies of the given steps.
template <class... Steps>
pipeline<std::decay_t<Steps>...> make_pipeline(Steps&&... steps) {
  return pipeline<std::decay_t<Steps>...>(std::forward<Steps>(steps)...);
}

}  // namespace clm
