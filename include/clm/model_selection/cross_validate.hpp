#pragma once
// Scorers and cross-validation, with scikit-learn's semantics.
//
//   scorer                 what to compute on a fitted model and held-out rows: a name, the
//                          model output it needs (predict, predict_proba, decision_function)
//                          and a metric of (y_true, output). Greater is better: losses come
//                          negated, named "neg_..." as in scikit-learn.
//   make_scorer("roc_auc") one of scikit-learn's names: accuracy, precision, recall, f1,
//                          roc_auc, average_precision, neg_log_loss, neg_brier_score, r2,
//                          neg_mean_squared_error, neg_root_mean_squared_error,
//                          neg_mean_absolute_error, neg_mean_absolute_percentage_error
//   make_scorer(name, metric, output, greater_is_better)   a custom one
//
//   cross_validate(model, X, y, cv, scorers, {.n_jobs, .return_train_score})
//       For each fold: a fresh clone of `model` (clm::clone: same params, unfitted) is fitted
//       on the fold's training rows and scored on its test rows. `cv` is a splitter
//       (k_fold, stratified_k_fold, time_series_split: split(n) or split(y)), a number of
//       folds (stratified_k_fold for classifiers, k_fold otherwise, as scikit-learn), or
//       ready folds (group_k_fold{}.split(customer_ids)). X is a matrix or, for a pipeline
//       that starts with a column_transformer, a clm::table. Each fold copies only its own
//       rows. Folds run in parallel with n_jobs != 1 (BLAS held to one thread meanwhile).
//       The result holds per-fold scores per scorer, fit and score times in seconds.
//       A model without fit(X, y) (k-means, say) is fitted on X alone; the scorers still get
//       the fold's y (true segments for a clustering metric, or any reference labels).
//       Lifetime models take a customer_summary, not (X, y): compare them on a holdout
//       period instead.
//
//   cross_validate(comm, model, X, y, cv, scorers, opt)
//       The same across the ranks of `comm` (clm/distributed/communicator.hpp), each rank
//       holding a block of the rows, rank r the r-th (the one-process row order is the ranks'
//       rows concatenated). The folds are those of the one-process call on all rows: the
//       labels are gathered to make them (n doubles on every rank), and each rank takes the
//       fold rows it holds. Each fold's model is fitted with fit(comm, X, y) (or fit(comm, X))
//       on the ranks' training rows; each rank computes the model output of its test rows,
//       and the (label, output) pairs of the fold are gathered to score it, so the scores are
//       the one-process scores of the fitted models (2 doubles per test row travel). Folds run
//       one after another (n_jobs applies to the model's own threads only); every rank gets
//       the same result.
//
// Errors: an unknown scorer name, an output the model does not have (invalid_argument),
// X and y of different lengths (shape_error); a fit's own errors pass through.

#include <chrono>
#include <cmath>
#include <concepts>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/metrics/classification.hpp"
#include "clm/metrics/regression.hpp"
#include "clm/model_selection/split.hpp"

namespace clm {

enum class model_output { predict, predict_proba, decision_function };

class scorer {
 public:
  using metric_type = std::function<double(const vector<double>& y_true, const vector<double>& output)>;

  scorer(std::string name, metric_type metric, model_output output, bool greater_is_better)
      : name_(std::move(name)), metric_(std::move(metric)), output_(output), sign_(greater_is_better ? 1.0 : -1.0) {}

  const std::string& name() const noexcept { return name_; }
  model_output output() const noexcept { return output_; }

  /// The score of a fitted model on (X, y): the metric of y and the model's output, negated
  /// for a loss.
  double score(const vector<double>& y_true, const vector<double>& output) const {
    return sign_ * metric_(y_true, output);
  }

  template <class E, class In>
  double operator()(const E& model, const In& X, const vector<double>& y_true) const {
    return score(y_true, output_of(model, X, output_));
  }

  /// Throws invalid_argument when the model has no output of the given kind.
  template <class E, class In>
  static void check_output(model_output kind) {
    if (kind == model_output::predict_proba) {
      if constexpr (!requires(const E& e, const In& X) { e.predict_proba(X); }) {
        throw invalid_argument(E::model_kind() + " has no predict_proba; expected a classifier for this scorer");
      }
    }
    if (kind == model_output::decision_function) {
      if constexpr (!requires(const E& e, const In& X) { e.decision_function(X); }) {
        throw invalid_argument(E::model_kind() + " has no decision_function; expected a classifier for this scorer");
      }
    }
  }

  /// The model's output of the given kind, as doubles.
  template <class E, class In>
  static vector<double> output_of(const E& model, const In& X, model_output kind) {
    check_output<E, In>(kind);
    switch (kind) {
      case model_output::predict:
        return as_double(model.predict(X));
      case model_output::predict_proba:
        if constexpr (requires { model.predict_proba(X); }) return as_double(model.predict_proba(X));
        break;
      case model_output::decision_function:
        if constexpr (requires { model.decision_function(X); }) return as_double(model.decision_function(X));
        break;
    }
    return {};
  }

 private:
  template <class V>
  static vector<double> as_double(const V& v) {
    if constexpr (std::is_same_v<V, vector<double>>) {
      return v;
    } else {
      return xt::cast<double>(v);
    }
  }

  std::string name_;
  metric_type metric_;
  model_output output_;
  double sign_;
};

inline scorer make_scorer(std::string name, scorer::metric_type metric, model_output output,
                          bool greater_is_better = true) {
  return scorer(std::move(name), std::move(metric), output, greater_is_better);
}

inline scorer make_scorer(std::string_view name) {
  using V = const vector<double>&;
  const auto make = [&](auto f, model_output o, bool greater) {
    return scorer(std::string(name), [f](V y, V p) { return f(y, p); }, o, greater);
  };
  using mo = model_output;
  if (name == "accuracy") return make([](V y, V p) { return accuracy(y, p); }, mo::predict, true);
  if (name == "precision") return make([](V y, V p) { return precision(y, p); }, mo::predict, true);
  if (name == "recall") return make([](V y, V p) { return recall(y, p); }, mo::predict, true);
  if (name == "f1") return make([](V y, V p) { return f1(y, p); }, mo::predict, true);
  if (name == "roc_auc") return make([](V y, V p) { return roc_auc(y, p); }, mo::predict_proba, true);
  if (name == "average_precision") {
    return make([](V y, V p) { return average_precision(y, p); }, mo::predict_proba, true);
  }
  if (name == "neg_log_loss") return make([](V y, V p) { return log_loss(y, p); }, mo::predict_proba, false);
  if (name == "neg_brier_score") return make([](V y, V p) { return brier_score(y, p); }, mo::predict_proba, false);
  if (name == "r2") return make([](V y, V p) { return r2(y, p); }, mo::predict, true);
  if (name == "neg_mean_squared_error") return make([](V y, V p) { return mse(y, p); }, mo::predict, false);
  if (name == "neg_root_mean_squared_error") return make([](V y, V p) { return rmse(y, p); }, mo::predict, false);
  if (name == "neg_mean_absolute_error") return make([](V y, V p) { return mae(y, p); }, mo::predict, false);
  if (name == "neg_mean_absolute_percentage_error") {
    return make([](V y, V p) { return mape(y, p); }, mo::predict, false);
  }
  throw invalid_argument("make_scorer: unknown scorer '" + std::string(name) +
                         "'; expected accuracy, precision, recall, f1, roc_auc, average_precision, neg_log_loss, "
                         "neg_brier_score, r2, neg_mean_squared_error, neg_root_mean_squared_error, "
                         "neg_mean_absolute_error or neg_mean_absolute_percentage_error");
}

struct cv_options {
  std::size_t n_jobs = 1;           // 0: one per hardware thread
  bool return_train_score = false;  // also score each fold's training rows
};

struct cv_result {
  std::vector<std::string> scorer_names;
  std::vector<std::vector<double>> test_scores;   // [scorer][fold]
  std::vector<std::vector<double>> train_scores;  // [scorer][fold], with return_train_score
  std::vector<double> fit_time, score_time;       // seconds, per fold

  /// Mean and (population, as numpy's) standard deviation of a scorer's test scores.
  double mean(std::string_view scorer_name) const { return mean_of(scores_of(scorer_name)); }
  double std(std::string_view scorer_name) const { return std_of(scores_of(scorer_name)); }

  static double mean_of(const std::vector<double>& v) {
    double s = 0.0;
    for (const double x : v) s += x;
    return s / static_cast<double>(v.size());
  }
  static double std_of(const std::vector<double>& v) {
    const double m = mean_of(v);
    double s = 0.0;
    for (const double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size()));
  }

 private:
  const std::vector<double>& scores_of(std::string_view scorer_name) const {
    for (std::size_t s = 0; s < scorer_names.size(); ++s) {
      if (scorer_names[s] == scorer_name) return test_scores[s];
    }
    throw invalid_argument("cv_result: no scorer named '" + std::string(scorer_name) + "'");
  }
};

namespace detail {

inline std::size_t rows_of(const auto& X) {
  if constexpr (requires { X.rows(); }) {
    return X.rows();
  } else {
    return X.shape()[0];
  }
}

template <class E>
constexpr bool is_classifier_v = requires(const E& e, const matrix<typename E::value_type>& X) { e.predict_proba(X); };

/// The folds for `cv` on n rows with labels y.
template <class E, class Cv>
std::vector<fold> make_folds(const Cv& cv, std::size_t n, const vector<double>& y) {
  if constexpr (std::is_same_v<Cv, std::vector<fold>>) {
    for (const auto& f : cv) {
      for (const auto* part : {&f.train, &f.test}) {
        for (const std::size_t i : *part) {
          if (i >= n) {
            throw invalid_argument("cross_validate: a fold names row " + std::to_string(i) + " of " +
                                   std::to_string(n));
          }
        }
      }
      if (f.train.empty() || f.test.empty()) throw invalid_argument("cross_validate: expected non-empty folds");
    }
    return cv;
  } else if constexpr (std::is_integral_v<Cv>) {
    if constexpr (is_classifier_v<E>) {
      return stratified_k_fold{.n_splits = static_cast<std::size_t>(cv)}.split(y);
    } else {
      return k_fold{.n_splits = static_cast<std::size_t>(cv)}.split(n);
    }
  } else if constexpr (requires { cv.split(y); }) {
    return cv.split(y);
  } else {
    static_assert(requires { cv.split(n); },
                  "cross_validate: cv must be a splitter with split(n) or split(y), a fold count or "
                  "std::vector<clm::fold> (for group_k_fold, pass group_k_fold{...}.split(groups))");
    return cv.split(n);
  }
}

template <class Y>
vector<double> labels_as_double(const Y& y_in) {
  decltype(auto) y = evaluate<double, 1>(y_in, "cross_validate: y");
  return vector<double>(y);
}

/// Rows [offset, offset + n) of the global row order on this rank: its share of the ranks'
/// rows concatenated in rank order; the global labels; the global row count.
struct global_rows {
  std::size_t offset = 0, n = 0;
  vector<double> y_all;
};
/// Every rank's values concatenated in rank order (one process: v); `offset`, when given,
/// gets where this rank's values start.
template <class C>
vector<double> concatenated(C& comm, const vector<double>& v, std::size_t* offset = nullptr) {
  if constexpr (std::is_same_v<std::remove_cv_t<C>, local_communicator>) {
    if (offset != nullptr) *offset = 0;
    return v;
  } else {
    const auto all = distributed::allgather_doubles(comm, std::span<const double>(v.data(), v.size()));
    std::size_t total = 0;
    for (std::size_t r = 0; r < all.size(); ++r) {
      if (offset != nullptr && static_cast<int>(r) == comm.rank()) *offset = total;
      total += all[r].size();
    }
    vector<double> out = vector<double>::from_shape({total});
    std::size_t at = 0;
    for (const auto& part : all) {
      std::copy(part.begin(), part.end(), out.data() + at);
      at += part.size();
    }
    return out;
  }
}

template <class C>
global_rows gather_rows_of(C& comm, const vector<double>& y) {
  global_rows g;
  g.n = y.size();
  g.y_all = concatenated(comm, y, &g.offset);
  return g;
}

/// A fold's global row numbers that this rank holds, as its own row numbers.
inline std::vector<std::size_t> rows_held(const std::vector<std::size_t>& rows, const global_rows& g) {
  std::vector<std::size_t> out;
  for (const std::size_t i : rows) {
    if (i >= g.offset && i < g.offset + g.n) out.push_back(i - g.offset);
  }
  return out;
}

/// Fits `fitted` on (X, y) through comm (one process: the plain fit).
template <class C, class E, class In>
void fit_rows(C& comm, E& fitted, const In& X, const vector<double>& y) {
  using T = typename E::value_type;
  constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
  const auto labels = [&]() -> decltype(auto) {
    if constexpr (std::is_same_v<T, double>) {
      return (y);  // no copy
    } else {
      return vector<T>(xt::cast<T>(y));
    }
  };
  if constexpr (one_process) {
    (void)comm;
    if constexpr (!requires { fitted.fit(X, labels()); }) {
      fitted.fit(X);  // unsupervised (k-means, say): y is only for the scorers
    } else {
      fitted.fit(X, labels());
    }
  } else if constexpr (requires { fitted.fit(comm, X, labels()); }) {
    fitted.fit(comm, X, labels());
  } else {
    static_assert(requires { fitted.fit(comm, X); },
                  "cross_validate and grid_search across ranks need a model with fit(comm, X, y) or fit(comm, X)");
    fitted.fit(comm, X);
  }
}

/// Fits clones of `model` on each fold and scores them; one fold per task (one process) or
/// one fold after another across ranks. `folds` are global row numbers.
template <class C, class E, class In>
cv_result run_folds(C& comm, const E& model, const In& X, const vector<double>& y, const global_rows& g,
                    const std::vector<fold>& folds, const std::vector<scorer>& scorers, const cv_options& opt) {
  constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
  const std::size_t k = folds.size(), m = scorers.size();
  cv_result r;
  for (const auto& s : scorers) r.scorer_names.push_back(s.name());
  r.test_scores.assign(m, std::vector<double>(k));
  if (opt.return_train_score) r.train_scores.assign(m, std::vector<double>(k));
  r.fit_time.assign(k, 0.0);
  r.score_time.assign(k, 0.0);
  const auto score_all = [&](const E& fitted, const In& Xs, const vector<double>& ys,
                             std::vector<std::vector<double>>& into, std::size_t f) {
    const vector<double> ys_all = concatenated(comm, ys);
    // Each kind of output computed once for all scorers that need it.
    for (const model_output kind : {model_output::predict, model_output::predict_proba, model_output::decision_function}) {
      bool needed = false;
      for (const auto& s : scorers) needed = needed || s.output() == kind;
      if (!needed) continue;
      // A rank without rows of the fold computes no output but fails as the others do.
      scorer::check_output<E, In>(kind);
      const vector<double> out =
          one_process || rows_of(Xs) > 0 ? scorer::output_of(fitted, Xs, kind) : vector<double>::from_shape({0});
      const vector<double> out_all = concatenated(comm, out);
      for (std::size_t s = 0; s < m; ++s) {
        if (scorers[s].output() == kind) into[s][f] = scorers[s].score(ys_all, out_all);
      }
    }
  };
  const auto one_fold = [&](std::size_t f) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    E fitted = clone(model);
    const auto train = rows_held(folds[f].train, g);
    const auto test = rows_held(folds[f].test, g);
    const In X_train = clm::take_rows(X, train);
    const vector<double> y_train = clm::take_rows(y, train);
    fit_rows(comm, fitted, X_train, y_train);
    const auto t1 = clock::now();
    r.fit_time[f] = std::chrono::duration<double>(t1 - t0).count();
    score_all(fitted, clm::take_rows(X, test), clm::take_rows(y, test), r.test_scores, f);
    if (opt.return_train_score) score_all(fitted, X_train, y_train, r.train_scores, f);
    r.score_time[f] = std::chrono::duration<double>(clock::now() - t1).count();
  };
  if constexpr (one_process) {
    parallel_for(k, opt.n_jobs, one_fold);
  } else {
    for (std::size_t f = 0; f < k; ++f) one_fold(f);
  }
  return r;
}

/// The checks and the folds every cross-validation starts with.
template <class C, class E, class In, class Y, class Cv>
std::pair<vector<double>, std::vector<fold>> prepare_folds(C& comm, const In& X, const Y& y, const Cv& cv,
                                                          global_rows& g, const char* owner) {
  vector<double> yy;
  distributed::run_agreed(comm, owner, [&] {
    yy = labels_as_double(y);
    const std::size_t n = rows_of(X);
    if (yy.size() != n) {
      throw shape_error(std::string(owner) + ": X has " + std::to_string(n) + " rows but y has " +
                        std::to_string(yy.size()) + " elements; expected the same number");
    }
  });
  g = gather_rows_of(comm, yy);
  auto folds = make_folds<E>(cv, g.y_all.size(), g.y_all);
  return {std::move(yy), std::move(folds)};
}

}  // namespace detail

/// Across the ranks of comm (see the top).
template <communicator C, class E, class In, class Y, class Cv>
cv_result cross_validate(C& comm, const E& model, const In& X, const Y& y, const Cv& cv,
                         const std::vector<scorer>& scorers, const cv_options& opt = {}) {
  static_assert(estimator<E>, "cross_validate: the model must model clm::estimator");
  if (scorers.empty()) throw invalid_argument("cross_validate: expected at least one scorer");
  detail::global_rows g;
  const auto [yy, folds] = detail::prepare_folds<C, E>(comm, X, y, cv, g, "cross_validate");
  return detail::run_folds(comm, model, X, yy, g, folds, scorers, opt);
}
template <communicator C, class E, class In, class Y, class Cv>
cv_result cross_validate(C& comm, const E& model, const In& X, const Y& y, const Cv& cv, std::string_view scoring,
                         const cv_options& opt = {}) {
  return cross_validate(comm, model, X, y, cv, std::vector<scorer>{make_scorer(scoring)}, opt);
}

template <class E, class In, class Y, class Cv>
  requires(!communicator<E>)
cv_result cross_validate(const E& model, const In& X, const Y& y, const Cv& cv, const std::vector<scorer>& scorers,
                         const cv_options& opt = {}) {
  local_communicator one;
  return cross_validate(one, model, X, y, cv, scorers, opt);
}

/// One scorer by name.
template <class E, class In, class Y, class Cv>
  requires(!communicator<E>)
cv_result cross_validate(const E& model, const In& X, const Y& y, const Cv& cv, std::string_view scoring,
                         const cv_options& opt = {}) {
  return cross_validate(model, X, y, cv, std::vector<scorer>{make_scorer(scoring)}, opt);
}

}  // namespace clm
