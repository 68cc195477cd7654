#pragma once
// clm::permutation_importance — how much a fitted model's score drops when one feature's
// values are shuffled across rows (Breiman 2001; scikit-learn's
// sklearn.inspection.permutation_importance):
//
//   importances(j, r) = score(X, y) - score(X with column j taken from rows perm_r, y)
//
// for each feature j and repeat r; importances_mean / importances_std (population
// standard deviation, numpy's default) over the repeats. `score` is a clm::scorer (by name:
// "roc_auc", "accuracy", "r2", ...; greater is better, losses negated, as scikit-learn).
//
// The permutations: one sequence of n_repeats row permutations used for every feature, as
// scikit-learn does (it reseeds the same generator for each column). They are drawn from
// options.seed, or given in options.permutations (each a permutation of 0..n-1: column j
// of repeat r holds X[perm_r[i], j] in row i), which makes the result comparable exactly
// with scikit-learn's given the permutations it used.
//
// Work: one copy of X per thread (n_jobs; 0: one per hardware thread); a feature's column
// is overwritten in place for each repeat and restored after, so no full copy is made per
// permutation. Errors: X and y of different lengths (shape_error), n_repeats = 0, a given
// permutation of the wrong length or not a permutation (invalid_argument), and whatever
// the model and the scorer refuse.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/model_selection/cross_validate.hpp"

namespace clm {

struct permutation_importance_options {
  std::size_t n_repeats = 5;
  std::uint64_t seed = 0;
  std::size_t n_jobs = 1;  ///< threads over features (0: one per hardware thread)
  std::vector<std::vector<std::size_t>> permutations{};  ///< given: n_repeats row permutations
};

struct permutation_importance_result {
  vector<double> importances_mean;  ///< per feature
  vector<double> importances_std;   ///< per feature (ddof 0)
  matrix<double> importances;       ///< features x repeats
  double baseline_score = 0.0;      ///< score on the unshuffled X
};

namespace detail {

/// n_repeats permutations of 0..n-1 drawn from seed (Fisher-Yates on clm's engine), or the
/// given ones after checking them.
inline std::vector<std::vector<std::size_t>> importance_permutations(std::size_t n, const permutation_importance_options& o) {
  const char* owner = "permutation_importance";
  if (!o.permutations.empty()) {
    if (o.permutations.size() != o.n_repeats) {
      throw invalid_argument(std::string(owner) + ": " + std::to_string(o.permutations.size()) +
                             " permutations given for n_repeats = " + std::to_string(o.n_repeats));
    }
    for (const auto& p : o.permutations) {
      std::vector<char> seen(n, 0);
      bool ok = p.size() == n;
      for (std::size_t k = 0; ok && k < n; ++k) {
        ok = p[k] < n && !seen[p[k]];
        if (ok) seen[p[k]] = 1;
      }
      if (!ok) {
        throw invalid_argument(std::string(owner) + ": a given permutation is not a permutation of the " +
                               std::to_string(n) + " rows");
      }
    }
    return o.permutations;
  }
  random_engine g(o.seed);
  std::vector<std::vector<std::size_t>> out(o.n_repeats, std::vector<std::size_t>(n));
  for (auto& p : out) {
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[uniform_index(g, i)]);
  }
  return out;
}

}  // namespace detail

template <class E, class Y>
permutation_importance_result permutation_importance(const E& model, const matrix<double>& X, const Y& y_in,
                                                     const scorer& score,
                                                     const permutation_importance_options& options = {}) {
  const char* owner = "permutation_importance";
  require_param(options.n_repeats >= 1, owner, "n_repeats", options.n_repeats, ">= 1");
  const vector<double> y = evaluate<double, 1>(y_in, "permutation_importance: y");
  check_nonempty(X, "permutation_importance: X");
  check_same_rows(X, y);
  const std::size_t n = X.shape()[0], d = X.shape()[1], R = options.n_repeats;
  const auto perms = detail::importance_permutations(n, options);

  permutation_importance_result r;
  r.baseline_score = score(model, X, y);
  r.importances = matrix<double>::from_shape({d, R});
  // Thread t takes features t, t + threads, ... on its own copy of X.
  const std::size_t threads = std::min(resolve_jobs(options.n_jobs), d);
  parallel_for(threads, threads, [&](std::size_t t) {
    matrix<double> W = X;
    std::vector<double> column(n);
    for (std::size_t j = t; j < d; j += threads) {
      for (std::size_t i = 0; i < n; ++i) column[i] = X(i, j);
      for (std::size_t rep = 0; rep < R; ++rep) {
        const auto& p = perms[rep];
        for (std::size_t i = 0; i < n; ++i) W(i, j) = column[p[i]];
        r.importances(j, rep) = r.baseline_score - score(model, W, y);
      }
      for (std::size_t i = 0; i < n; ++i) W(i, j) = column[i];
    }
  });
  r.importances_mean = vector<double>::from_shape({d});
  r.importances_std = vector<double>::from_shape({d});
  for (std::size_t j = 0; j < d; ++j) {
    double m = 0;
    for (std::size_t rep = 0; rep < R; ++rep) m += r.importances(j, rep);
    m /= static_cast<double>(R);
    double v = 0;
    for (std::size_t rep = 0; rep < R; ++rep) v += (r.importances(j, rep) - m) * (r.importances(j, rep) - m);
    r.importances_mean(j) = m;
    r.importances_std(j) = std::sqrt(v / static_cast<double>(R));
  }
  return r;
}

/// The same with a scorer named as scikit-learn's `scoring` ("roc_auc", "r2", ...).
template <class E, class Y>
permutation_importance_result permutation_importance(const E& model, const matrix<double>& X, const Y& y,
                                                     std::string_view scoring,
                                                     const permutation_importance_options& options = {}) {
  return permutation_importance(model, X, y, make_scorer(scoring), options);
}

}  // namespace clm
