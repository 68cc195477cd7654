#pragma once
// clm::select_k_best — keep the k features that score highest against a binary label, as
// scikit-learn's SelectKBest. A supervised transformer: fit(X, y), transform(X).
//
// Scores (score_function):
//   f_classif   the one-way ANOVA F statistic of each feature across the classes,
//               computed as scikit-learn's f_oneway (same sums, same order)
//   chi2        the chi-squared statistic of non-negative features (counts, frequencies)
//               against the classes, as scikit-learn's chi2; negative X is an error
//   mutual_info mutual information with the label, in nats, by mutual_info_classif's
//               estimator: Ross (2014) k-nearest-neighbour estimate for continuous
//               features (n_neighbors = 3, features scaled to unit variance and jittered
//               by 1e-10 * max(1, mean |x|) standard-normal noise from `seed` to break
//               ties), or the exact plug-in estimate from the contingency table when
//               discrete_features is true. The jitter is seeded with clm's generator, not
//               numpy's, so on data with ties values match scikit-learn only to the
//               estimator's own noise; on tie-free data they agree to rounding.
// Ties in score keep the later feature (scikit-learn's stable argsort, last k). NaN scores
// rank lowest. No p-values are computed.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/core/special.hpp"
#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

enum class score_function : std::uint8_t { f_classif, chi2, mutual_info };

struct select_k_best_params {
  std::size_t k = 10;
  score_function score = score_function::f_classif;
  bool discrete_features = false;  ///< mutual_info only
  std::size_t n_neighbors = 3;     ///< mutual_info only
  std::uint64_t seed = 0;          ///< mutual_info jitter

  void validate() const {
    require_param(k >= 1, "select_k_best", "k", k, ">= 1");
    require_param(static_cast<int>(score) <= 2, "select_k_best", "score", static_cast<int>(score),
                  "f_classif, chi2 or mutual_info");
    require_param(n_neighbors >= 1, "select_k_best", "n_neighbors", n_neighbors, ">= 1");
  }
  friend bool operator==(const select_k_best_params&, const select_k_best_params&) = default;
};

namespace detail {

template <class T>
struct select_k_best_state {
  std::size_t n_features_in = 0;
  vector<T> scores;
  std::vector<std::uint64_t> kept;
  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, scores, kept);
    ar.check(n_features_in > 0 && scores.size() == n_features_in && !kept.empty() && kept.size() <= n_features_in,
             "select_k_best: inconsistent state");
    ar.check(kept_valid(kept, n_features_in), "select_k_best: bad column list");
  }
};

/// Class index (0..c-1, classes in increasing order) of each label, and the class count.
template <class T>
std::vector<std::size_t> class_index(const vector<T>& y, std::vector<double>& classes) {
  classes.assign(y.begin(), y.end());
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  std::vector<std::size_t> idx(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    idx[i] = static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), static_cast<double>(y(i))) -
                                      classes.begin());
  }
  return idx;
}

/// scikit-learn's f_oneway, feature by feature.
template <class T>
std::vector<double> f_classif_scores(const matrix<T>& X, const std::vector<std::size_t>& cls, std::size_t c) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  std::vector<double> sums(c * d, 0.0), sqs(c * d, 0.0), counts(c, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    counts[cls[i]] += 1.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double v = static_cast<double>(X.data()[i * d + j]);
      sums[cls[i] * d + j] += v;
      sqs[cls[i] * d + j] += v * v;
    }
  }
  std::vector<double> f(d);
  const double dfbn = static_cast<double>(c) - 1.0, dfwn = static_cast<double>(n) - static_cast<double>(c);
  for (std::size_t j = 0; j < d; ++j) {
    double ss_all = 0.0, sum_all = 0.0, ssbn = 0.0;
    for (std::size_t k = 0; k < c; ++k) {
      ss_all += sqs[k * d + j];
      sum_all += sums[k * d + j];
    }
    const double square_of_sums = sum_all * sum_all;
    const double sstot = ss_all - square_of_sums / static_cast<double>(n);
    for (std::size_t k = 0; k < c; ++k) ssbn += sums[k * d + j] * sums[k * d + j] / counts[k];
    ssbn -= square_of_sums / static_cast<double>(n);
    const double sswn = sstot - ssbn;
    f[j] = (ssbn / dfbn) / (sswn / dfwn);
  }
  return f;
}

/// scikit-learn's chi2: observed class-wise feature totals against their expectation.
template <class T>
std::vector<double> chi2_scores(const matrix<T>& X, const std::vector<std::size_t>& cls, std::size_t c) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  std::vector<double> observed(c * d, 0.0), total(d, 0.0), class_n(c, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    class_n[cls[i]] += 1.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double v = static_cast<double>(X.data()[i * d + j]);
      if (v < 0.0) {
        throw invalid_argument("select_k_best (chi2): X must be non-negative, got " + to_text(v) + " at row " +
                               std::to_string(i) + ", column " + std::to_string(j));
      }
      observed[cls[i] * d + j] += v;
      total[j] += v;
    }
  }
  std::vector<double> chi(d, 0.0);
  for (std::size_t k = 0; k < c; ++k) {
    const double prob = class_n[k] / static_cast<double>(n);
    for (std::size_t j = 0; j < d; ++j) {
      const double expected = prob * total[j];
      const double diff = observed[k * d + j] - expected;
      chi[j] += diff * diff / expected;
    }
  }
  return chi;
}

/// Plug-in mutual information (nats) of two discrete codings.
inline double discrete_mi(const std::vector<double>& x, const std::vector<std::size_t>& cls, std::size_t c) {
  std::vector<double> values(x);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  const std::size_t n = x.size(), m = values.size();
  std::vector<double> joint(m * c, 0.0), px(m, 0.0), py(c, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), x[i]) - values.begin());
    joint[v * c + cls[i]] += 1.0;
    px[v] += 1.0;
    py[cls[i]] += 1.0;
  }
  const double N = static_cast<double>(n);
  double mi = 0.0;
  for (std::size_t v = 0; v < m; ++v) {
    for (std::size_t k = 0; k < c; ++k) {
      const double nij = joint[v * c + k];
      if (nij > 0.0) mi += nij / N * (std::log(nij * N) - std::log(px[v] * py[k]));
    }
  }
  return std::max(0.0, mi);
}

/// Ross (2014) nearest-neighbour mutual information of a continuous feature and a label,
/// as scikit-learn's _compute_mi_cd (one dimension: neighbours by sorting).
inline double continuous_mi(const std::vector<double>& x, const std::vector<std::size_t>& cls, std::size_t c,
                            std::size_t n_neighbors) {
  const std::size_t n = x.size();
  std::vector<std::size_t> count(c, 0);
  for (auto k : cls) ++count[k];
  std::vector<double> all(x);
  std::sort(all.begin(), all.end());
  // Per class, sorted values, to find each point's k-th neighbour within its class.
  std::vector<std::vector<double>> by_class(c);
  for (std::size_t i = 0; i < n; ++i) by_class[cls[i]].push_back(x[i]);
  for (auto& v : by_class) std::sort(v.begin(), v.end());

  double sum_k = 0.0, sum_label = 0.0, sum_m = 0.0;
  std::size_t used = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t cnt = count[cls[i]];
    if (cnt <= 1) continue;  // points with a unique label are ignored
    const std::size_t k = std::min(n_neighbors, cnt - 1);
    const auto& v = by_class[cls[i]];
    // The k-th nearest other point: merge outwards from x[i]'s position (itself excluded once).
    const std::size_t pos = static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), x[i]) - v.begin());
    std::size_t left = pos, right = pos + 1;  // v[pos] == x[i] is the point itself
    double dist = 0.0;
    for (std::size_t step = 0; step < k; ++step) {
      const double dl = left > 0 ? x[i] - v[left - 1] : std::numeric_limits<double>::infinity();
      const double dr = right < v.size() ? v[right] - x[i] : std::numeric_limits<double>::infinity();
      if (dl <= dr) {
        dist = dl;
        --left;
      } else {
        dist = dr;
        ++right;
      }
    }
    const double radius = std::nextafter(dist, 0.0);
    // Points (any class, itself included) within radius.
    const auto lo = std::partition_point(all.begin(), all.end(), [&](double a) { return x[i] - a > radius; });
    const auto hi = std::partition_point(lo, all.end(), [&](double a) { return a - x[i] <= radius; });
    const auto m = static_cast<double>(hi - lo);
    sum_k += digamma(static_cast<double>(k));
    sum_label += digamma(static_cast<double>(cnt));
    sum_m += digamma(m);
    ++used;
  }
  if (used == 0) return 0.0;
  const double u = static_cast<double>(used);
  const double mi = digamma(u) + sum_k / u - sum_label / u - sum_m / u;
  return std::max(0.0, mi);
}

}  // namespace detail

template <class T = double>
class select_k_best : public detail::transformer_base<select_k_best<T>, select_k_best_params,
                                                      detail::select_k_best_state<T>, T> {
  using base = detail::transformer_base<select_k_best<T>, select_k_best_params, detail::select_k_best_state<T>, T>;

 public:
  static constexpr const char* name = "select_k_best";
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  /// Scores every feature against y (class labels; at least two classes) and keeps the k
  /// best (all of them when k exceeds the feature count). X must be finite.
  template <class E, class Y>
  select_k_best& fit(const E& X_in, const Y& y_in) {
    decltype(auto) X = base::input(X_in, "fit", /*allow_nan=*/false);
    decltype(auto) y = evaluate<T, 1>(y_in, "select_k_best.fit: y");
    check_same_rows(X, y);
    check_finite(y, "select_k_best.fit: y");
    std::vector<double> classes;
    const auto cls = detail::class_index(y, classes);
    if (classes.size() < 2) {
      throw invalid_argument("select_k_best.fit: y: expected at least two classes, got one");
    }
    const std::size_t n = X.shape()[0], d = X.shape()[1], c = classes.size();
    std::vector<double> scores;
    const auto& p = this->params_;
    if (p.score == score_function::f_classif) {
      scores = detail::f_classif_scores(X, cls, c);
    } else if (p.score == score_function::chi2) {
      scores = detail::chi2_scores(X, cls, c);
    } else {
      random_engine g(p.seed);
      scores.resize(d);
      for (std::size_t j = 0; j < d; ++j) {
        std::vector<double> col(n);
        for (std::size_t i = 0; i < n; ++i) col[i] = static_cast<double>(X.data()[i * d + j]);
        if (p.discrete_features) {
          scores[j] = detail::discrete_mi(col, cls, c);
          continue;
        }
        // Unit variance (scikit-learn's scale(with_mean=False)), then the tie-breaking jitter.
        double mean = 0.0;
        for (double v : col) mean += v;
        mean /= static_cast<double>(n);
        double var = 0.0;
        for (double v : col) var += (v - mean) * (v - mean);
        const double sd = std::sqrt(var / static_cast<double>(n));
        double abs_mean = 0.0;
        for (auto& v : col) {
          if (sd > 0.0) v /= sd;
          abs_mean += std::abs(v);
        }
        abs_mean /= static_cast<double>(n);
        const double jitter = 1e-10 * std::max(1.0, abs_mean);
        for (auto& v : col) v += jitter * normal(g);
        scores[j] = detail::continuous_mi(col, cls, c, p.n_neighbors);
      }
    }
    // Stable ascending order of scores (NaN lowest); the last k are kept.
    std::vector<std::size_t> order(d);
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto key = [&](std::size_t j) {
      return std::isnan(scores[j]) ? -std::numeric_limits<double>::infinity() : scores[j];
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    const std::size_t k = std::min(p.k, d);
    detail::select_k_best_state<T> s;
    s.n_features_in = d;
    s.scores = vector<T>::from_shape({d});
    for (std::size_t j = 0; j < d; ++j) s.scores(j) = static_cast<T>(scores[j]);
    for (std::size_t r = d - k; r < d; ++r) s.kept.push_back(order[r]);
    std::sort(s.kept.begin(), s.kept.end());
    this->state_ = std::move(s);
    return *this;
  }

  template <class E, class Y>
  matrix<T> fit_transform(const E& X, const Y& y) {
    return fit(X, y).transform(X);
  }

  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) X = this->fitted_input(X_in, "transform", /*allow_nan=*/false);
    return detail::select_columns(X, this->get().kept);
  }

  const vector<T>& scores() const { return this->get().scores; }
  std::vector<std::size_t> support() const { return detail::kept_support(this->get().kept); }
  feature_names feature_names_out(const feature_names& input = {}) const {
    return detail::kept_names(input, this->n_features_in(), this->get().kept, name);
  }

  template <class A>
  void serialize(A& ar) {
    auto& p = this->params_;
    ar(p.k, p.score, p.discrete_features, p.n_neighbors, p.seed, this->state_);
    if constexpr (A::loading) p.validate();
  }
};

}  // namespace clm
