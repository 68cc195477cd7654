#pragma once
// Classification metrics (binary labels 0/1), as scikit-learn 1.2 computes them.
//   accuracy(y_true, y_pred)          share of equal labels
//   roc_auc(y_true, score)            area under the ROC curve; tied scores count one half
//                                     (the Mann-Whitney statistic with average ranks),
//                                     O(n log n)
// Both take any 1-D xtensor expression; different lengths, empty input, NaN scores and a
// single class (AUC) are clm:: errors.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

template <class E1, class E2>
double accuracy(const E1& y_true_in, const E2& y_pred_in) {
  decltype(auto) a = evaluate<double, 1>(y_true_in, "accuracy: y_true");
  decltype(auto) b = evaluate<double, 1>(y_pred_in, "accuracy: y_pred");
  if (a.size() != b.size()) throw shape_error("accuracy: y_true has " + std::to_string(a.size()) + " elements, y_pred " + std::to_string(b.size()));
  if (a.size() == 0) throw shape_error("accuracy: expected non-empty inputs");
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a(i) == b(i);
  return static_cast<double>(same) / static_cast<double>(a.size());
}

template <class E1, class E2>
double roc_auc(const E1& y_true_in, const E2& score_in) {
  decltype(auto) y = evaluate<double, 1>(y_true_in, "roc_auc: y_true");
  decltype(auto) s = evaluate<double, 1>(score_in, "roc_auc: score");
  if (y.size() != s.size()) throw shape_error("roc_auc: y_true has " + std::to_string(y.size()) + " elements, score " + std::to_string(s.size()));
  if (y.size() == 0) throw shape_error("roc_auc: expected non-empty inputs");
  check_finite(s, "roc_auc: score");
  check_binary_labels(y, "roc_auc: y_true");
  const std::size_t n = y.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s(a) < s(b); });
  // Sum of the positives' average ranks (1-based).
  double rank_sum = 0.0, n1 = 0.0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && s(order[j]) == s(order[i])) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (y(order[k]) == 1.0) {
        rank_sum += avg_rank;
        n1 += 1.0;
      }
    }
    i = j;
  }
  const double n0 = static_cast<double>(n) - n1;
  return (rank_sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0);
}

}  // namespace clm
