#pragma once
// Classification metrics (binary labels 0/1), as scikit-learn 1.2 computes them.
//   accuracy(y_true, y_pred)          share of equal labels                (sklearn accuracy_score)
//   confusion_matrix(y_true, y_pred)  {tn, fp, fn, tp}                     (confusion_matrix(...).ravel())
//   precision, recall, f1, fbeta      of the positive class; a zero denominator gives 0
//                                     (precision_score, recall_score, f1_score, fbeta_score)
//                                     (scikit-learn's zero_division default, without the warning)
//   log_loss(y_true, p)               mean negative log-likelihood, p clipped to
//                                     [eps, 1 - eps], eps the double machine epsilon
//                                     (scikit-learn 1.2's eps = "auto"; log_loss)
//   brier_score(y_true, p)            mean squared error of the probabilities (brier_score_loss)
// All take any 1-D xtensor expression; different lengths, empty input, NaN probabilities
// and labels other than 0/1 are clm:: errors.
// accuracy, confusion_matrix, log_loss and brier_score also take a communicator first
// (clm/distributed/communicator.hpp): the metric of the rows held across its ranks, each
// rank its own (possibly none), the same number on every rank.
// Metrics of scores (roc_auc, the ROC, precision-recall, gain, lift and calibration
// curves, average precision) are in curves.hpp, included here.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/metrics/curves.hpp"

namespace clm {

namespace detail {
/// check_paired, with empty inputs allowed when `allow_empty` (one rank's share).
inline void check_pair(std::size_t a, std::size_t b, const char* owner, const char* a_name, const char* b_name,
                       bool allow_empty) {
  if (a != b || !allow_empty) check_paired(a, b, owner, a_name, b_name);
}

/// The count of equal labels and of rows.
template <class E1, class E2>
std::pair<std::size_t, std::size_t> count_equal(const E1& y_true_in, const E2& y_pred_in, bool allow_empty) {
  decltype(auto) a = evaluate<double, 1>(y_true_in, "accuracy: y_true");
  decltype(auto) b = evaluate<double, 1>(y_pred_in, "accuracy: y_pred");
  check_pair(a.size(), b.size(), "accuracy", "y_true", "y_pred", allow_empty);
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a(i) == b(i);
  return {same, a.size()};
}

/// Sums of int64 counts over the ranks; throws on every rank when any rank's `local()` did
/// (run_agreed) and when the counts' total (the rows) is zero everywhere.
template <communicator C, std::size_t N, class F>
std::array<std::int64_t, N> summed_counts(C& comm, const char* owner, F&& local) {
  std::array<std::int64_t, N> v{};
  distributed::run_agreed(comm, owner, [&] { v = local(); });
  comm.allreduce_sum(std::span<std::int64_t>(v));
  return v;
}
inline void require_rows(std::int64_t rows, const char* owner) {
  if (rows == 0) throw shape_error(std::string(owner) + ": expected non-empty inputs on some rank, got none on any");
}
}  // namespace detail

template <class E1, class E2>
double accuracy(const E1& y_true, const E2& y_pred) {
  const auto [same, n] = detail::count_equal(y_true, y_pred, false);
  return static_cast<double>(same) / static_cast<double>(n);
}

/// The share of equal labels over the rows of every rank.
template <communicator C, class E1, class E2>
double accuracy(C& comm, const E1& y_true, const E2& y_pred) {
  const auto v = detail::summed_counts<C, 2>(comm, "accuracy", [&] {
    const auto [same, n] = detail::count_equal(y_true, y_pred, true);
    return std::array<std::int64_t, 2>{static_cast<std::int64_t>(same), static_cast<std::int64_t>(n)};
  });
  detail::require_rows(v[1], "accuracy");
  return static_cast<double>(v[0]) / static_cast<double>(v[1]);
}

struct confusion {
  std::size_t tn = 0, fp = 0, fn = 0, tp = 0;
  friend bool operator==(const confusion&, const confusion&) = default;
};

namespace detail {
/// Both inputs as checked 0/1 label vectors of the same, non-zero length.
template <class E1, class E2>
confusion count_labels(const E1& y_true_in, const E2& y_pred_in, const char* owner, bool allow_empty = false) {
  decltype(auto) a = evaluate<double, 1>(y_true_in, std::string(owner) + ": y_true");
  decltype(auto) b = evaluate<double, 1>(y_pred_in, std::string(owner) + ": y_pred");
  check_pair(a.size(), b.size(), owner, "y_true", "y_pred", allow_empty);
  confusion c;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (double v : {a(i), b(i)}) {
      if (v != 0.0 && v != 1.0) {
        throw invalid_argument(std::string(owner) + ": expected labels 0 or 1, got " + to_text(v) + " at index " +
                               std::to_string(i));
      }
    }
    const bool t = a(i) == 1.0, p = b(i) == 1.0;
    c.tp += t && p;
    c.fn += t && !p;
    c.fp += !t && p;
    c.tn += !t && !p;
  }
  return c;
}
inline double ratio(std::size_t num, std::size_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}
}  // namespace detail

template <class E1, class E2>
confusion confusion_matrix(const E1& y_true, const E2& y_pred) {
  return detail::count_labels(y_true, y_pred, "confusion_matrix");
}

/// The counts over the rows of every rank.
template <communicator C, class E1, class E2>
confusion confusion_matrix(C& comm, const E1& y_true, const E2& y_pred) {
  const auto v = detail::summed_counts<C, 4>(comm, "confusion_matrix", [&] {
    const confusion c = detail::count_labels(y_true, y_pred, "confusion_matrix", true);
    return std::array<std::int64_t, 4>{static_cast<std::int64_t>(c.tn), static_cast<std::int64_t>(c.fp),
                                       static_cast<std::int64_t>(c.fn), static_cast<std::int64_t>(c.tp)};
  });
  detail::require_rows(v[0] + v[1] + v[2] + v[3], "confusion_matrix");
  return {static_cast<std::size_t>(v[0]), static_cast<std::size_t>(v[1]), static_cast<std::size_t>(v[2]),
          static_cast<std::size_t>(v[3])};
}

template <class E1, class E2>
double precision(const E1& y_true, const E2& y_pred) {
  const auto c = detail::count_labels(y_true, y_pred, "precision");
  return detail::ratio(c.tp, c.tp + c.fp);
}

template <class E1, class E2>
double recall(const E1& y_true, const E2& y_pred) {
  const auto c = detail::count_labels(y_true, y_pred, "recall");
  return detail::ratio(c.tp, c.tp + c.fn);
}

/// (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp); 0 when that denominator is 0.
template <class E1, class E2>
double fbeta(const E1& y_true, const E2& y_pred, double beta) {
  require_param(beta > 0.0 && std::isfinite(beta), "fbeta", "beta", beta, "finite and > 0");
  const auto c = detail::count_labels(y_true, y_pred, "fbeta");
  const double b2 = beta * beta, tp = static_cast<double>(c.tp);
  const double den = (1.0 + b2) * tp + b2 * static_cast<double>(c.fn) + static_cast<double>(c.fp);
  return den == 0.0 ? 0.0 : (1.0 + b2) * tp / den;
}

template <class E1, class E2>
double f1(const E1& y_true, const E2& y_pred) {
  return fbeta(y_true, y_pred, 1.0);
}

namespace detail {
/// The sum of term(y, p) over the rows and their count.
template <class E1, class E2, class F>
std::pair<double, std::size_t> sum_over_probabilities(const E1& y_true_in, const E2& p_in, const char* owner, F&& term,
                                                      bool allow_empty) {
  decltype(auto) y = evaluate<double, 1>(y_true_in, std::string(owner) + ": y_true");
  decltype(auto) p = evaluate<double, 1>(p_in, std::string(owner) + ": probability");
  check_pair(y.size(), p.size(), owner, "y_true", "probability", allow_empty);
  check_finite(p, std::string(owner) + ": probability");
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y(i) != 0.0 && y(i) != 1.0) {
      throw invalid_argument(std::string(owner) + ": expected labels 0 or 1, got " + to_text(y(i)));
    }
    if (p(i) < 0.0 || p(i) > 1.0) {
      throw invalid_argument(std::string(owner) + ": expected probabilities in [0, 1], got " + to_text(p(i)));
    }
    sum += term(y(i), p(i));
  }
  return {sum, y.size()};
}

template <class E1, class E2, class F>
double mean_over_probabilities(const E1& y_true, const E2& p, const char* owner, F&& term) {
  const auto [sum, n] = sum_over_probabilities(y_true, p, owner, term, false);
  return sum / static_cast<double>(n);
}

/// The mean of term(y, p) over the rows of every rank (the ranks' sums added in rank order).
template <communicator C, class E1, class E2, class F>
double mean_over_probabilities(C& comm, const E1& y_true, const E2& p, const char* owner, F&& term) {
  double v[2] = {0.0, 0.0};
  distributed::run_agreed(comm, owner, [&] {
    const auto [sum, n] = sum_over_probabilities(y_true, p, owner, term, true);
    v[0] = sum;
    v[1] = static_cast<double>(n);
  });
  comm.allreduce_sum(std::span<double>(v));
  require_rows(static_cast<std::int64_t>(v[1]), owner);
  return v[0] / v[1];
}

inline double log_loss_term(double y, double p) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  const double q = std::clamp(p, eps, 1.0 - eps);
  return -(y * std::log(q) + (1.0 - y) * std::log(1.0 - q));
}
inline double brier_term(double y, double p) { return (p - y) * (p - y); }
}  // namespace detail

template <class E1, class E2>
double log_loss(const E1& y_true, const E2& probability) {
  return detail::mean_over_probabilities(y_true, probability, "log_loss", detail::log_loss_term);
}
template <communicator C, class E1, class E2>
double log_loss(C& comm, const E1& y_true, const E2& probability) {
  return detail::mean_over_probabilities(comm, y_true, probability, "log_loss", detail::log_loss_term);
}

template <class E1, class E2>
double brier_score(const E1& y_true, const E2& probability) {
  return detail::mean_over_probabilities(y_true, probability, "brier_score", detail::brier_term);
}
template <communicator C, class E1, class E2>
double brier_score(C& comm, const E1& y_true, const E2& probability) {
  return detail::mean_over_probabilities(comm, y_true, probability, "brier_score", detail::brier_term);
}

}  // namespace clm
