#pragma once
// Splitting rows into train and test index sets, seeded and the same on every machine.
//
//   train_test_split(n, {.test_fraction, .seed, .shuffle})          one split
//   train_test_split(y, {..., .stratify = true})                     class shares kept
//   k_fold{.n_splits, .shuffle, .seed}.split(n)                      scikit-learn's KFold:
//       the first n % k folds one row larger; without shuffle, contiguous blocks in order
//   stratified_k_fold{...}.split(y)     each class dealt over the folds so that every fold
//       holds floor or ceil of its share of each class (a class's rows, shuffled when asked,
//       go round-robin in order of the folds, starting where the previous class ended)
//   time_series_split{.n_splits, .max_train_size, .test_size, .gap}.split(n)
//       scikit-learn's TimeSeriesSplit: expanding windows in time order, test blocks of
//       n / (n_splits + 1) rows (or test_size) at the end, `gap` rows left out before each
//   group_k_fold{.n_splits}.split(groups)   scikit-learn's GroupKFold: whole groups (e.g.
//       customer ids) go to one fold, largest groups first, each to the fold with the fewest
//       rows so far; a customer never straddles train and test
//   take_rows(X, rows)   the rows of a matrix, vector or clm::table that a fold names
//
// Every split is a clm::fold {train, test} of sorted row indices; train and test are
// disjoint and, over a k-fold's folds, the tests cover every row exactly once.
// Errors (clm::invalid_argument): n_splits < 2, more folds than rows (or groups), a
// test_fraction outside (0, 1) or one that leaves an empty side, NaN labels (numeric_error).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct fold {
  std::vector<std::size_t> train, test;
  friend bool operator==(const fold&, const fold&) = default;
};

namespace detail {

inline std::vector<std::size_t> iota_indices(std::size_t n) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

/// Fold f's test rows are those with owner[i] == f; the rest train. Both sorted.
inline std::vector<fold> folds_from_owner(const std::vector<std::size_t>& owner, std::size_t k) {
  std::vector<fold> out(k);
  for (std::size_t i = 0; i < owner.size(); ++i) {
    for (std::size_t f = 0; f < k; ++f) (owner[i] == f ? out[f].test : out[f].train).push_back(i);
  }
  return out;
}

inline void require_splits(std::size_t n_splits, std::size_t n, const char* owner, const char* what) {
  require_param(n_splits >= 2, owner, "n_splits", n_splits, ">= 2");
  if (n_splits > n) {
    throw invalid_argument(std::string(owner) + ": cannot make " + std::to_string(n_splits) + " folds of " +
                           std::to_string(n) + " " + what + "; expected n_splits <= the number of " + what);
  }
}

/// Labels as class codes 0..c-1 (sorted distinct values); NaN is an error.
template <class E>
value_codes class_codes(const E& y_in, const char* owner) {
  decltype(auto) y = evaluate<double, 1>(y_in, std::string(owner) + ": y");
  check_finite(y, std::string(owner) + ": y");
  return sorted_value_codes(y);
}

}  // namespace detail

struct k_fold {
  std::size_t n_splits = 5;
  bool shuffle = false;
  std::uint64_t seed = 0;

  std::vector<fold> split(std::size_t n) const {
    detail::require_splits(n_splits, n, "k_fold", "rows");
    auto order = detail::iota_indices(n);
    if (shuffle) {
      random_engine g(seed);
      clm::shuffle(order.begin(), order.end(), g);
    }
    std::vector<std::size_t> owner(n);
    std::size_t start = 0;
    for (std::size_t f = 0; f < n_splits; ++f) {
      const std::size_t size = n / n_splits + (f < n % n_splits ? 1 : 0);
      for (std::size_t i = start; i < start + size; ++i) owner[order[i]] = f;
      start += size;
    }
    return detail::folds_from_owner(owner, n_splits);
  }
};

struct stratified_k_fold {
  std::size_t n_splits = 5;
  bool shuffle = false;
  std::uint64_t seed = 0;

  template <class E>
  std::vector<fold> split(const E& y) const {
    const auto [code, n_classes] = detail::class_codes(y, "stratified_k_fold");
    const std::size_t n = code.size();
    detail::require_splits(n_splits, n, "stratified_k_fold", "rows");
    std::vector<std::vector<std::size_t>> rows(n_classes);
    for (std::size_t i = 0; i < n; ++i) rows[code[i]].push_back(i);
    random_engine g(seed);
    std::vector<std::size_t> owner(n);
    std::size_t next = 0;  // dealing continues across classes, so fold sizes differ by at most 1
    for (auto& r : rows) {
      if (shuffle) clm::shuffle(r.begin(), r.end(), g);
      for (const std::size_t i : r) {
        owner[i] = next;
        next = (next + 1) % n_splits;
      }
    }
    return detail::folds_from_owner(owner, n_splits);
  }
};

struct time_series_split {
  std::size_t n_splits = 5;
  std::size_t max_train_size = 0;  // 0: no limit
  std::size_t test_size = 0;       // 0: n / (n_splits + 1)
  std::size_t gap = 0;

  std::vector<fold> split(std::size_t n) const {
    require_param(n_splits >= 2, "time_series_split", "n_splits", n_splits, ">= 2");
    const std::size_t test = test_size != 0 ? test_size : n / (n_splits + 1);
    if (test == 0 || n < n_splits * test + gap + 1) {
      throw invalid_argument("time_series_split: " + std::to_string(n) + " rows cannot make " +
                             std::to_string(n_splits) + " test blocks of " + std::to_string(test) +
                             " rows after a gap of " + std::to_string(gap) + " and at least one training row");
    }
    std::vector<fold> out;
    for (std::size_t f = 0; f < n_splits; ++f) {
      const std::size_t test_start = n - (n_splits - f) * test;
      const std::size_t train_end = test_start - gap;
      const std::size_t train_start =
          max_train_size != 0 && train_end > max_train_size ? train_end - max_train_size : 0;
      fold fo;
      for (std::size_t i = train_start; i < train_end; ++i) fo.train.push_back(i);
      for (std::size_t i = test_start; i < test_start + test; ++i) fo.test.push_back(i);
      out.push_back(std::move(fo));
    }
    return out;
  }
};

struct group_k_fold {
  std::size_t n_splits = 5;

  /// `groups`: one id per row (any ordered type: customer ids as integers or strings).
  template <class G>
  std::vector<fold> split(const std::vector<G>& groups) const {
    const std::size_t n = groups.size();
    std::map<G, std::size_t> id;
    std::vector<std::size_t> code(n);
    for (std::size_t i = 0; i < n; ++i) code[i] = id.try_emplace(groups[i], id.size()).first->second;
    const std::size_t n_groups = id.size();
    detail::require_splits(n_splits, n_groups, "group_k_fold", "groups");
    std::vector<std::size_t> size(n_groups, 0);
    for (const std::size_t c : code) ++size[c];
    // Largest groups first (ties: first seen first), each to the lightest fold so far.
    auto order = detail::iota_indices(n_groups);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
    std::vector<std::size_t> load(n_splits, 0), fold_of(n_groups);
    for (const std::size_t gidx : order) {
      const auto f = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      fold_of[gidx] = f;
      load[f] += size[gidx];
    }
    std::vector<std::size_t> owner(n);
    for (std::size_t i = 0; i < n; ++i) owner[i] = fold_of[code[i]];
    return detail::folds_from_owner(owner, n_splits);
  }
};

struct train_test_options {
  double test_fraction = 0.25;
  std::uint64_t seed = 0;
  bool shuffle = true;
  bool stratify = false;  // needs the label overload
};

/// One split of n rows: ceil(test_fraction * n) test rows (scikit-learn's rounding).
inline fold train_test_split(std::size_t n, const train_test_options& o = {}) {
  require_param(o.test_fraction > 0.0 && o.test_fraction < 1.0, "train_test_split", "test_fraction",
                o.test_fraction, "in (0, 1)");
  if (o.stratify) throw invalid_argument("train_test_split: stratify needs the labels; call train_test_split(y, ...)");
  const auto n_test = static_cast<std::size_t>(std::ceil(o.test_fraction * static_cast<double>(n)));
  if (n_test == 0 || n_test >= n) {
    throw invalid_argument("train_test_split: " + std::to_string(n) + " rows with test_fraction " +
                           detail::to_text(o.test_fraction) + " leave an empty train or test set");
  }
  auto order = detail::iota_indices(n);
  if (o.shuffle) {
    random_engine g(o.seed);
    clm::shuffle(order.begin(), order.end(), g);
  }
  fold f{std::vector<std::size_t>(order.begin() + static_cast<std::ptrdiff_t>(n_test), order.end()),
         std::vector<std::size_t>(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_test))};
  std::sort(f.train.begin(), f.train.end());
  std::sort(f.test.begin(), f.test.end());
  return f;
}

/// One split by labels; with stratify, each class contributes round(share * n_test) test
/// rows (largest remainders first, so the total is exact and every class is within one
/// row of its share).
template <class E>
  requires(!std::is_arithmetic_v<E>)
fold train_test_split(const E& y, const train_test_options& o) {
  decltype(auto) yy = evaluate<double, 1>(y, "train_test_split: y");
  const std::size_t n = yy.size();
  train_test_options plain = o;
  plain.stratify = false;
  const fold unstratified = train_test_split(n, plain);  // also checks the fraction and sizes
  if (!o.stratify) return unstratified;
  const std::size_t n_test = unstratified.test.size();
  const auto [code, n_classes] = detail::class_codes(yy, "train_test_split");
  std::vector<std::vector<std::size_t>> rows(n_classes);
  for (std::size_t i = 0; i < n; ++i) rows[code[i]].push_back(i);
  // Largest-remainder allocation of the test rows over the classes.
  std::vector<std::size_t> take(n_classes);
  std::vector<std::pair<double, std::size_t>> remainder;
  std::size_t given = 0;
  for (std::size_t c = 0; c < n_classes; ++c) {
    const double exact = static_cast<double>(n_test) * static_cast<double>(rows[c].size()) / static_cast<double>(n);
    take[c] = static_cast<std::size_t>(std::floor(exact));
    given += take[c];
    remainder.emplace_back(-(exact - std::floor(exact)), c);
  }
  std::stable_sort(remainder.begin(), remainder.end());
  for (std::size_t r = 0; given < n_test && r < remainder.size(); ++r, ++given) ++take[remainder[r].second];
  random_engine g(o.seed);
  fold f;
  for (std::size_t c = 0; c < n_classes; ++c) {
    if (o.shuffle) clm::shuffle(rows[c].begin(), rows[c].end(), g);
    f.test.insert(f.test.end(), rows[c].begin(), rows[c].begin() + static_cast<std::ptrdiff_t>(take[c]));
    f.train.insert(f.train.end(), rows[c].begin() + static_cast<std::ptrdiff_t>(take[c]), rows[c].end());
  }
  std::sort(f.train.begin(), f.train.end());
  std::sort(f.test.begin(), f.test.end());
  return f;
}

/// The given rows of a matrix, a vector or a clm::table (a fold's train or test side).
/// An index past the end is a clm::shape_error.
template <class In>
In take_rows(const In& X, const std::vector<std::size_t>& rows) {
  if constexpr (requires { X.take(rows); }) {
    return X.take(rows);  // checks its indices
  } else {
    const std::size_t n = X.shape()[0];
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] >= n) {
        throw shape_error("take_rows: row index " + std::to_string(rows[i]) + " at position " + std::to_string(i) +
                          " is past the " + std::to_string(n) + " rows");
      }
    }
    if constexpr (std::decay_t<In>::rank == 1) {
      In out = In::from_shape({rows.size()});
      for (std::size_t i = 0; i < rows.size(); ++i) out(i) = X(rows[i]);
      return out;
    } else {
      const std::size_t d = X.shape()[1];
      In out = In::from_shape({rows.size(), d});
      for (std::size_t i = 0; i < rows.size(); ++i) {
        std::copy(X.data() + rows[i] * d, X.data() + (rows[i] + 1) * d, out.data() + i * d);
      }
      return out;
    }
  }
}

}  // namespace clm
