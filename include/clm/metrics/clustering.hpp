#pragma once
// Clustering metrics, as scikit-learn 1.2 defines them (Euclidean distance throughout).
//
//   (scikit-learn names: KMeans.inertia_, silhouette_score, davies_bouldin_score)
//   inertia(X, labels, centers)   sum of squared distances of the rows to their cluster's
//                                 center (k-means' objective); centers: k x d, labels in [0, k)
//   inertia(X, labels)            the same with each cluster's mean as its center
//   silhouette(X, labels)         mean over rows of (b - a) / max(a, b), a the mean distance to
//                                 the rest of the row's cluster, b the smallest mean distance
//                                 to another cluster; 0 for a row alone in its cluster. Exact,
//                                 O(n^2 d)
//   silhouette(X, labels, {.sample_size, .seed})
//                                 the same on a seeded random subset of rows (distances within
//                                 the subset only, as scikit-learn's sample_size), for large n
//   davies_bouldin(X, labels)     mean over clusters of max over others of
//                                 (s_i + s_j) / d(c_i, c_j), s the mean distance to the
//                                 centroid; 0 when all s or all centroid distances are 0
//
// Labels are any integer values (e.g. cluster ids 0..k-1 or customer segment codes).
// Errors (clm::): rows of X and labels differ or are empty (shape_error), non-finite X
// (numeric_error), non-integer labels, fewer than 2 clusters or, for the silhouette, as
// many clusters as rows (invalid_argument).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct silhouette_sampling {
  std::size_t sample_size = 10000;
  std::uint64_t seed = 0;
};

namespace detail {

/// Integer labels as codes 0..k-1 (in the order of the sorted distinct values) and k.
using label_codes = value_codes;

template <class E>
label_codes encode_labels(const E& labels_in, std::size_t n, const char* owner) {
  decltype(auto) l = evaluate<double, 1>(labels_in, std::string(owner) + ": labels");
  if (l.size() != n) {
    throw shape_error(std::string(owner) + ": X has " + std::to_string(n) + " rows, labels " +
                      std::to_string(l.size()) + " elements; expected the same number");
  }
  if (n == 0) throw shape_error(std::string(owner) + ": expected non-empty inputs");
  for (std::size_t i = 0; i < n; ++i) {
    if (!(std::isfinite(l(i)) && std::floor(l(i)) == l(i))) {
      throw invalid_argument(std::string(owner) + ": expected integer labels, got " + to_text(l(i)) + " at index " +
                             std::to_string(i));
    }
  }
  return sorted_value_codes(l);
}

inline double squared_distance(const double* a, const double* b, std::size_t d) noexcept {
  double s = 0.0;
  for (std::size_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

/// Cluster means (k x d).
inline matrix<double> cluster_means(const matrix<double>& X, const label_codes& c) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  matrix<double> m = xt::zeros<double>({c.k, d});
  std::vector<double> count(c.k, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) m(c.code[i], j) += X(i, j);
    count[c.code[i]] += 1.0;
  }
  for (std::size_t g = 0; g < c.k; ++g) {
    for (std::size_t j = 0; j < d; ++j) m(g, j) /= count[g];
  }
  return m;
}

template <class E>
decltype(auto) checked_points(const E& X_in, const char* owner) {
  decltype(auto) X = evaluate<double, 2>(X_in, std::string(owner) + ": X");
  check_nonempty(X, std::string(owner) + ": X");
  check_finite(X, std::string(owner) + ": X");
  return X;
}

inline void require_clusters(const label_codes& c, std::size_t n, bool silhouette, const char* owner) {
  if (c.k < 2 || (silhouette && c.k > n - 1)) {
    throw invalid_argument(std::string(owner) + ": expected between 2 and " +
                           (silhouette ? std::to_string(n - 1) + " (rows - 1)" : std::string("rows")) +
                           " distinct labels, got " + std::to_string(c.k));
  }
}

/// Mean silhouette of the rows `rows` of X (distances among those rows only).
inline double silhouette_of(const matrix<double>& X, const std::vector<std::size_t>& rows,
                            const std::vector<std::size_t>& code, std::size_t k) {
  const std::size_t m = rows.size(), d = X.shape()[1];
  std::vector<double> size(k, 0.0);
  for (const std::size_t r : rows) size[code[r]] += 1.0;
  std::vector<double> sums(k);
  double total = 0.0;
  for (std::size_t a = 0; a < m; ++a) {
    std::fill(sums.begin(), sums.end(), 0.0);
    const double* xa = X.data() + rows[a] * d;
    for (std::size_t b = 0; b < m; ++b) {
      if (b != a) sums[code[rows[b]]] += std::sqrt(squared_distance(xa, X.data() + rows[b] * d, d));
    }
    const std::size_t own = code[rows[a]];
    if (size[own] <= 1.0) continue;  // alone in its cluster: 0
    const double intra = sums[own] / (size[own] - 1.0);
    double inter = std::numeric_limits<double>::infinity();
    for (std::size_t g = 0; g < k; ++g) {
      if (g != own && size[g] > 0.0) inter = std::min(inter, sums[g] / size[g]);
    }
    const double den = std::max(intra, inter);
    if (den > 0.0) total += (inter - intra) / den;
  }
  return total / static_cast<double>(m);
}

}  // namespace detail

template <class EX, class EL, class EC>
double inertia(const EX& X_in, const EL& labels, const EC& centers_in) {
  decltype(auto) X = detail::checked_points(X_in, "inertia");
  decltype(auto) C = evaluate<double, 2>(centers_in, "inertia: centers");
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  if (C.shape()[1] != d || C.shape()[0] == 0) {
    throw shape_error("inertia: expected centers with " + std::to_string(d) + " columns, got " +
                      std::to_string(C.shape()[0]) + " x " + std::to_string(C.shape()[1]));
  }
  decltype(auto) l = evaluate<double, 1>(labels, "inertia: labels");
  if (l.size() != n) {
    throw shape_error("inertia: X has " + std::to_string(n) + " rows, labels " + std::to_string(l.size()) +
                      " elements; expected the same number");
  }
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = l(i);
    if (!(g >= 0.0 && g < static_cast<double>(C.shape()[0]) && std::floor(g) == g)) {
      throw invalid_argument("inertia: expected labels in [0, " + std::to_string(C.shape()[0]) + "), got " +
                             detail::to_text(g) + " at index " + std::to_string(i));
    }
    s += detail::squared_distance(X.data() + i * d, C.data() + static_cast<std::size_t>(g) * d, d);
  }
  return s;
}

template <class EX, class EL>
double inertia(const EX& X_in, const EL& labels) {
  decltype(auto) X = detail::checked_points(X_in, "inertia");
  const auto c = detail::encode_labels(labels, X.shape()[0], "inertia");
  const auto means = detail::cluster_means(X, c);
  const std::size_t d = X.shape()[1];
  double s = 0.0;
  for (std::size_t i = 0; i < X.shape()[0]; ++i) {
    s += detail::squared_distance(X.data() + i * d, means.data() + c.code[i] * d, d);
  }
  return s;
}

template <class EX, class EL>
double silhouette(const EX& X_in, const EL& labels) {
  decltype(auto) X = detail::checked_points(X_in, "silhouette");
  const std::size_t n = X.shape()[0];
  const auto c = detail::encode_labels(labels, n, "silhouette");
  detail::require_clusters(c, n, true, "silhouette");
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return detail::silhouette_of(X, rows, c.code, c.k);
}

template <class EX, class EL>
double silhouette(const EX& X_in, const EL& labels, const silhouette_sampling& sampling) {
  decltype(auto) X = detail::checked_points(X_in, "silhouette");
  const std::size_t n = X.shape()[0];
  const auto c = detail::encode_labels(labels, n, "silhouette");
  require_param(sampling.sample_size >= 2, "silhouette", "sample_size", sampling.sample_size, ">= 2");
  const std::size_t m = std::min(sampling.sample_size, n);
  random_engine g(sampling.seed);
  const auto perm = sample_indices(g, n, m);
  std::vector<char> present(c.k, 0);
  for (const std::size_t r : perm) present[c.code[r]] = 1;
  const auto k_sample = static_cast<std::size_t>(std::count(present.begin(), present.end(), 1));
  if (k_sample < 2 || k_sample > m - 1) {
    throw invalid_argument("silhouette: expected between 2 and " + std::to_string(m - 1) +
                           " distinct labels in the sample of " + std::to_string(m) + " rows, got " +
                           std::to_string(k_sample));
  }
  return detail::silhouette_of(X, perm, c.code, c.k);
}

template <class EX, class EL>
double davies_bouldin(const EX& X_in, const EL& labels) {
  decltype(auto) X = detail::checked_points(X_in, "davies_bouldin");
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  const auto c = detail::encode_labels(labels, n, "davies_bouldin");
  detail::require_clusters(c, n, false, "davies_bouldin");
  const auto means = detail::cluster_means(X, c);
  std::vector<double> spread(c.k, 0.0), count(c.k, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    spread[c.code[i]] += std::sqrt(detail::squared_distance(X.data() + i * d, means.data() + c.code[i] * d, d));
    count[c.code[i]] += 1.0;
  }
  for (std::size_t g = 0; g < c.k; ++g) spread[g] /= count[g];
  matrix<double> dist = matrix<double>::from_shape({c.k, c.k});
  bool all_spread_zero = true, all_dist_zero = true;
  for (std::size_t g = 0; g < c.k; ++g) {
    all_spread_zero = all_spread_zero && std::abs(spread[g]) <= 1e-8;
    for (std::size_t h = 0; h < c.k; ++h) {
      dist(g, h) = std::sqrt(detail::squared_distance(means.data() + g * d, means.data() + h * d, d));
      all_dist_zero = all_dist_zero && std::abs(dist(g, h)) <= 1e-8;
    }
  }
  if (all_spread_zero || all_dist_zero) return 0.0;  // scikit-learn's np.allclose(..., 0)
  double total = 0.0;
  for (std::size_t g = 0; g < c.k; ++g) {
    double worst = 0.0;
    for (std::size_t h = 0; h < c.k; ++h) {
      if (h == g || dist(g, h) == 0.0) continue;
      worst = std::max(worst, (spread[g] + spread[h]) / dist(g, h));
    }
    total += worst;
  }
  return total / static_cast<double>(c.k);
}

}  // namespace clm
