#pragma once
// Exhaustive search over parameter grids, scored by cross-validation (scikit-learn's
// GridSearchCV).
//
//   clm::grid(&logistic_regression_params::C, {0.01, 0.1, 1.0})    one axis of a model's params
//   clm::grid<1>(&logistic_regression_params::C, {...})           the params of a pipeline's
//                                                                  step 1
//   grid_search(model, X, y, param_grid(axis...), cv, scorer, {.n_jobs, .refit})
//
// The candidates are the cartesian product of the axes, the last axis varying fastest
// (scikit-learn's ParameterGrid order for one dict). Every candidate's params are built and
// validated before anything is fitted, so a bad value fails at once. Each candidate is
// cross-validated on the same folds (cv as in cross_validate); the best has the highest
// mean test score, the first such in candidate order on ties (scikit-learn's rank 1). With
// refit (default) a clone with the best params is fitted on all rows.
// n_jobs != 1 runs the (candidate, fold) fits in parallel with BLAS held to one thread.
// grid_search(comm, model, X, y, ...) runs across the ranks of a communicator, each rank
// holding a block of the rows (see cross_validate(comm, ...)).

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/model_selection/cross_validate.hpp"

namespace clm {

inline constexpr std::size_t whole_model = static_cast<std::size_t>(-1);

/// One axis of a grid: values for one member of a params struct (of the model itself, or of
/// step `Step` of a pipeline).
template <class P, class V, std::size_t Step = whole_model>
struct grid_axis {
  V P::*member;
  std::vector<V> values;

  std::size_t size() const noexcept { return values.size(); }

  template <class Params>
  void apply(Params& params, std::size_t k) const {
    if constexpr (Step == whole_model) {
      static_assert(std::is_same_v<Params, P>, "grid: the member pointer is not one of this model's params");
      params.*member = values[k];
    } else {
      static_assert(std::is_same_v<std::tuple_element_t<Step, Params>, P>,
                    "grid<Step>: the member pointer is not one of that pipeline step's params");
      std::get<Step>(params).*member = values[k];
    }
  }
};

template <class P, class V>
grid_axis<P, V> grid(V P::*member, std::type_identity_t<std::vector<V>> values) {
  return {member, std::move(values)};
}

template <std::size_t Step, class P, class V>
grid_axis<P, V, Step> grid(V P::*member, std::type_identity_t<std::vector<V>> values) {
  return {member, std::move(values)};
}

/// The cartesian product of the axes.
template <class... Axes>
struct param_grid {
  std::tuple<Axes...> axes;

  std::size_t size() const {
    return std::apply([](const auto&... a) { return (std::size_t{1} * ... * a.size()); }, axes);
  }

  /// Candidate c applied to a copy of `base`; the last axis varies fastest.
  template <class Params>
  Params candidate(const Params& base, std::size_t c) const {
    Params p = base;
    apply_from<sizeof...(Axes)>(p, c);
    return p;
  }

 private:
  template <std::size_t I, class Params>
  void apply_from(Params& p, std::size_t c) const {
    if constexpr (I > 0) {
      const auto& axis = std::get<I - 1>(axes);
      axis.apply(p, c % axis.size());
      apply_from<I - 1>(p, c / axis.size());
    }
  }
};

template <class... Axes>
param_grid<Axes...> make_param_grid(Axes... axes) {
  static_assert(sizeof...(Axes) >= 1, "make_param_grid: expected at least one axis");
  return {std::tuple<Axes...>(std::move(axes)...)};
}

struct grid_search_options {
  std::size_t n_jobs = 1;  // 0: one per hardware thread
  bool refit = true;
};

template <class E>
struct grid_search_result {
  std::vector<typename E::params_type> candidates;
  std::vector<std::vector<double>> fold_scores;  // [candidate][fold]
  std::vector<double> mean_score, std_score;
  std::size_t best_index = 0;
  double best_score = 0.0;
  typename E::params_type best_params{};
  E best_model{};  // fitted on all rows with best_params (refit), else unfitted
};

/// Across the ranks of `comm` (clm/distributed/communicator.hpp), each rank holding a block
/// of the rows as in cross_validate(comm, ...): the same folds and candidates on every rank,
/// each fit through fit(comm, ...), the (candidate, fold) fits one after another, the refit
/// on the ranks' rows; every rank gets the same result.
template <communicator C, class E, class In, class Y, class Cv, class... Axes>
grid_search_result<E> grid_search(C& comm, const E& model, const In& X, const Y& y, const param_grid<Axes...>& grid,
                                  const Cv& cv, const scorer& score, const grid_search_options& opt = {}) {
  static_assert(estimator<E>, "grid_search: the model must model clm::estimator");
  constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
  detail::global_rows g;
  const auto prepared = detail::prepare_folds<C, E>(comm, X, y, cv, g, "grid_search");
  const vector<double>& yy = prepared.first;  // named, not bound: lambdas capture them (clang 14)
  const std::vector<fold>& folds = prepared.second;
  const std::size_t n_candidates = grid.size();
  if (n_candidates == 0) throw invalid_argument("grid_search: expected a grid with at least one value per axis");

  grid_search_result<E> r;
  std::vector<E> prototypes;  // validated up front: a bad value fails before any fit
  for (std::size_t c = 0; c < n_candidates; ++c) {
    r.candidates.push_back(grid.candidate(model.params(), c));
    prototypes.push_back(with_params(model, r.candidates.back()));
  }
  const std::size_t k = folds.size();
  r.fold_scores.assign(n_candidates, std::vector<double>(k));
  const std::vector<scorer> one{score};
  const auto task = [&](std::size_t t) {
    const std::size_t c = t / k, f = t % k;
    const auto res = detail::run_folds(comm, prototypes[c], X, yy, g, std::vector<fold>{folds[f]}, one, cv_options{});
    r.fold_scores[c][f] = res.test_scores[0][0];
  };
  if constexpr (one_process) {
    parallel_for(n_candidates * k, opt.n_jobs, task);
  } else {
    for (std::size_t t = 0; t < n_candidates * k; ++t) task(t);
  }
  r.best_score = -std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < n_candidates; ++c) {
    r.mean_score.push_back(cv_result::mean_of(r.fold_scores[c]));
    r.std_score.push_back(cv_result::std_of(r.fold_scores[c]));
    if (r.mean_score[c] > r.best_score) {
      r.best_score = r.mean_score[c];
      r.best_index = c;
    }
  }
  if (!std::isfinite(r.best_score)) {
    throw numeric_error("grid_search: no candidate has a finite mean score");
  }
  r.best_params = r.candidates[r.best_index];
  r.best_model = prototypes[r.best_index];
  if (opt.refit) detail::fit_rows(comm, r.best_model, X, yy);
  return r;
}

template <class E, class In, class Y, class Cv, class... Axes>
  requires(!communicator<E>)
grid_search_result<E> grid_search(const E& model, const In& X, const Y& y, const param_grid<Axes...>& grid,
                                  const Cv& cv, const scorer& score, const grid_search_options& opt = {}) {
  local_communicator one;
  return grid_search(one, model, X, y, grid, cv, score, opt);
}

/// One axis alone.
template <class E, class In, class Y, class Cv, class P, class V, std::size_t Step>
  requires(!communicator<E>)
grid_search_result<E> grid_search(const E& model, const In& X, const Y& y, const grid_axis<P, V, Step>& axis,
                                  const Cv& cv, const scorer& score, const grid_search_options& opt = {}) {
  return grid_search(model, X, y, make_param_grid(axis), cv, score, opt);
}

/// Across ranks: one axis alone, or a scorer by name.
template <communicator C, class E, class In, class Y, class Cv, class P, class V, std::size_t Step>
grid_search_result<E> grid_search(C& comm, const E& model, const In& X, const Y& y, const grid_axis<P, V, Step>& axis,
                                  const Cv& cv, const scorer& score, const grid_search_options& opt = {}) {
  return grid_search(comm, model, X, y, make_param_grid(axis), cv, score, opt);
}
template <communicator C, class E, class In, class Y, class Cv, class Grid>
grid_search_result<E> grid_search(C& comm, const E& model, const In& X, const Y& y, const Grid& grid, const Cv& cv,
                                  std::string_view scoring, const grid_search_options& opt = {}) {
  return grid_search(comm, model, X, y, grid, cv, make_scorer(scoring), opt);
}

/// A scorer by name.
template <class E, class In, class Y, class Cv, class Grid>
  requires(!communicator<E>)
grid_search_result<E> grid_search(const E& model, const In& X, const Y& y, const Grid& grid,
                                  const Cv& cv, std::string_view scoring, const grid_search_options& opt = {}) {
  return grid_search(model, X, y, grid, cv, make_scorer(scoring), opt);
}

}  // namespace clm
