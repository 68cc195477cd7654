#pragma once
// Metrics of scores (binary labels 0/1, a higher score meaning "more likely 1"), as
// scikit-learn 1.2 computes them, and the marketing curves built on the same ordering.
//
//   (scikit-learn names: roc_auc_score, roc_curve, precision_recall_curve,
//   average_precision_score, sklearn.calibration.calibration_curve; the gain and lift
//   curves have no scikit-learn counterpart)
//   roc_auc(y, score)                 area under the ROC curve: the Mann-Whitney statistic,
//                                     a tied positive/negative pair counting one half (the
//                                     same number as scikit-learn's trapezoids), O(n) after
//                                     an O(n) radix sort of each class's scores
//   roc_curve(y, score, drop)         {fpr, tpr, thresholds} at each distinct score, highest
//                                     first, from (0, 0); `drop` (default true) removes the
//                                     collinear points as scikit-learn's drop_intermediate.
//                                     The first threshold is +infinity (scikit-learn >= 1.3;
//                                     1.2 writes max(score) + 1 there, which is a valid score
//                                     for probabilities)
//   precision_recall_curve(y, score)  {precision, recall, thresholds}, thresholds ascending,
//                                     with the final point (precision 1, recall 0) that has
//                                     no threshold, as scikit-learn 1.2
//   average_precision(y, score)       sum over thresholds of (R_k - R_k-1) P_k (no
//                                     interpolation), as scikit-learn
//   cumulative_gain(y, score)         {fraction, gain}: at each distinct score, highest first,
//                                     the share of customers targeted and the share of all
//                                     positives (churners) among them; starts at (0, 0)
//   lift_curve(y, score)              {fraction, lift}: gain / fraction at the same points
//                                     (without the first)
//   gain_at(y, score, fraction)       the gain when the top `fraction` of customers is
//   lift_at(y, score, fraction)       targeted, interpolated linearly inside a group of tied
//                                     scores (the expected value when ties are broken at
//                                     random), and that gain / fraction
//   calibration_curve(y, p, n_bins, strategy)
//                                     {prob_true, prob_pred}: the observed rate of 1s and the
//                                     mean probability in each non-empty bin; bins uniform on
//                                     [0, 1] or at the quantiles of p (numpy's linear
//                                     percentile); a probability on an inner edge belongs to
//                                     the lower bin, as scikit-learn 1.2 (np.searchsorted on
//                                     the inner edges)
//
// roc_auc, average_precision, gain_at and lift_at also take a communicator first
// (clm/distributed/communicator.hpp): the metric of the rows held across its ranks, each
// rank its own (possibly none), the same number on every rank. The scores are moved so that
// each rank holds one range of them (split at quantiles of a sample of every rank's scores;
// tied scores on one rank), and each rank adds its range's terms to the counts of the ranges
// above or below it. roc_auc's pair count is an exact integer sum, so it equals the one-process
// value bit for bit.
//
// Errors (clm::): different lengths or empty input (shape_error), NaN or infinite scores
// (numeric_error), labels other than 0/1 (invalid_argument), one class only for roc_auc and
// roc_curve, no positive for the precision-recall and gain curves (invalid_argument, where
// scikit-learn warns and returns NaN or an arbitrary value).

#include <algorithm>
#include <array>
#include <cstring>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm {

struct roc_curve_result {
  vector<double> fpr, tpr, thresholds;
};

struct precision_recall_result {
  vector<double> precision, recall, thresholds;
};

struct gain_curve_result {
  vector<double> fraction, gain;
};

struct lift_curve_result {
  vector<double> fraction, lift;
};

struct calibration_result {
  vector<double> prob_true, prob_pred;
};

enum class calibration_bins { uniform, quantile };

namespace detail {

/// Each class's scores as sorted order keys (ascending), in one buffer.
struct class_scores {
  std::unique_ptr<std::uint64_t[]> storage;
  std::span<const std::uint64_t> pos, neg;
};

enum class need_classes { both, positive };

inline void require_classes(std::size_t n_pos, std::size_t n, const char* owner, need_classes need) {
  if (n_pos == 0 || (need == need_classes::both && n_pos == n)) {
    throw invalid_argument(std::string(owner) + ": expected " +
                           (need == need_classes::both ? "both classes (0 and 1)" : "at least one positive label") +
                           " in y_true, got only " + (n_pos == 0 ? "0" : "1") + "s");
  }
}

/// `part`: one rank's share, which may be empty or hold one class only.
template <class E1, class E2>
class_scores split_by_class(const E1& y_in, const E2& s_in, const char* owner, need_classes need, bool part = false) {
  decltype(auto) y = evaluate<double, 1>(y_in, std::string(owner) + ": y_true");
  decltype(auto) s = evaluate<double, 1>(s_in, std::string(owner) + ": score");
  if (y.size() != s.size() || !part) check_paired(y.size(), s.size(), owner, "y_true", "score");
  class_scores c;
  const std::size_t n = y.size();
  std::size_t n_pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = y(i);
    if (v != 0.0 && v != 1.0) {
      throw invalid_argument(std::string(owner) + ": expected labels 0 or 1, got " + to_text(v) + " at index " +
                             std::to_string(i));
    }
    if (!std::isfinite(s(i))) {
      throw numeric_error(std::string(owner) + ": expected finite scores, got " + to_text(s(i)) + " at index " +
                          std::to_string(i));
    }
    n_pos += v == 1.0;
  }
  if (!part) require_classes(n_pos, n, owner, need);
  c.storage = uninitialized_keys(n);
  std::uint64_t* pos = c.storage.get();
  std::uint64_t* neg = pos + n_pos;
  std::size_t ip = 0, in = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = order_key(s(i));
    if (y(i) == 1.0) {
      pos[ip++] = k;
    } else {
      neg[in++] = k;
    }
  }
  const auto scratch = uninitialized_keys(std::max(n_pos, n - n_pos));
  radix_sort(pos, n_pos, scratch.get());
  radix_sort(neg, n - n_pos, scratch.get());
  c.pos = {pos, n_pos};
  c.neg = {neg, n - n_pos};
  return c;
}

/// The cumulative counts at each distinct score, highest first (scikit-learn's
/// _binary_clf_curve): f(threshold, true positives, false positives).
template <class F>
void for_each_threshold(const class_scores& c, F&& f) {
  std::size_t i = c.pos.size(), j = c.neg.size(), tp = 0, fp = 0;
  while (i > 0 || j > 0) {
    std::uint64_t k;
    if (i == 0) {
      k = c.neg[j - 1];
    } else if (j == 0) {
      k = c.pos[i - 1];
    } else {
      k = std::max(c.pos[i - 1], c.neg[j - 1]);
    }
    while (i > 0 && c.pos[i - 1] == k) --i, ++tp;
    while (j > 0 && c.neg[j - 1] == k) --j, ++fp;
    f(from_order_key(k), tp, fp);
  }
}

/// The number of distinct scores.
inline std::size_t count_thresholds(const class_scores& c) {
  std::size_t m = 0;
  for_each_threshold(c, [&](double, std::size_t, std::size_t) { ++m; });
  return m;
}

/// One rank's range of all ranks' scores (see the top of this file), with the counts of
/// each class on the ranks of higher and lower scores and in total.
struct ranged_scores {
  class_scores c;
  std::size_t pos_above = 0, neg_above = 0, pos_below = 0, neg_below = 0, P = 0, N = 0;
};

inline class_scores own_keys(std::vector<std::uint64_t> pos, std::vector<std::uint64_t> neg) {
  class_scores c;
  const std::size_t np = pos.size(), n = np + neg.size();
  c.storage = uninitialized_keys(n);
  std::copy(pos.begin(), pos.end(), c.storage.get());
  std::copy(neg.begin(), neg.end(), c.storage.get() + np);
  const auto scratch = uninitialized_keys(std::max<std::size_t>(n, 1));
  radix_sort(c.storage.get(), np, scratch.get());
  radix_sort(c.storage.get() + np, n - np, scratch.get());
  c.pos = {c.storage.get(), np};
  c.neg = {c.storage.get() + np, n - np};
  return c;
}

template <communicator C, class E1, class E2>
ranged_scores range_by_score(C& comm, const E1& y, const E2& s, const char* owner, need_classes need) {
  ranged_scores r;
  distributed::run_agreed(comm, owner, [&] { r.c = split_by_class(y, s, owner, need, true); });
  std::int64_t counts[2] = {static_cast<std::int64_t>(r.c.pos.size()), static_cast<std::int64_t>(r.c.neg.size())};
  comm.allreduce_sum(std::span<std::int64_t>(counts));
  r.P = static_cast<std::size_t>(counts[0]);
  r.N = static_cast<std::size_t>(counts[1]);
  if (r.P + r.N == 0) throw shape_error(std::string(owner) + ": expected non-empty inputs on some rank, got none on any");
  require_classes(r.P, r.P + r.N, owner, need);
  const auto ranks = static_cast<std::size_t>(comm.size());
  if (ranks == 1) return r;
  // Splitters: quantiles of every rank's evenly spaced sample, each sample key weighted by
  // its rank's rows per sample.
  std::vector<std::uint64_t> mine(r.c.pos.size() + r.c.neg.size());
  std::merge(r.c.pos.begin(), r.c.pos.end(), r.c.neg.begin(), r.c.neg.end(), mine.begin());
  const std::size_t per_rank = 32 * ranks;
  std::vector<double> sample;  // (key bits, weight) pairs
  for (std::size_t t = 0; t < per_rank && !mine.empty(); ++t) {
    const std::uint64_t k = mine[(2 * t + 1) * mine.size() / (2 * per_rank)];
    double bits;
    std::memcpy(&bits, &k, sizeof bits);
    sample.push_back(bits);
    sample.push_back(static_cast<double>(mine.size()) / static_cast<double>(per_rank));
  }
  std::vector<std::pair<std::uint64_t, double>> all;
  for (const auto& part : distributed::allgather_doubles(comm, sample)) {
    for (std::size_t i = 0; i + 1 < part.size(); i += 2) {
      std::uint64_t k;
      std::memcpy(&k, &part[i], sizeof k);
      all.emplace_back(k, part[i + 1]);
    }
  }
  std::sort(all.begin(), all.end());
  const double total = static_cast<double>(r.P + r.N);
  std::vector<std::uint64_t> splitter;  // rank q takes keys in (splitter[q - 1], splitter[q]]
  double cum = 0.0;
  for (const auto& [k, w] : all) {
    cum += w;
    while (splitter.size() + 1 < ranks && cum >= total * static_cast<double>(splitter.size() + 1) / static_cast<double>(ranks)) {
      splitter.push_back(k);
    }
  }
  while (splitter.size() + 1 < ranks) splitter.push_back(~std::uint64_t{0});
  const auto dest = [&](std::uint64_t k) {
    return static_cast<std::size_t>(std::lower_bound(splitter.begin(), splitter.end(), k) - splitter.begin());
  };
  // Per destination: its positive and negative counts, then those keys.
  std::vector<std::vector<std::uint64_t>> pos_out(ranks), neg_out(ranks);
  for (const auto k : r.c.pos) pos_out[dest(k)].push_back(k);
  for (const auto k : r.c.neg) neg_out[dest(k)].push_back(k);
  std::vector<std::uint64_t> words;
  std::vector<std::size_t> sizes(ranks);
  for (std::size_t q = 0; q < ranks; ++q) {
    const std::size_t before = words.size();
    words.push_back(pos_out[q].size());
    words.push_back(neg_out[q].size());
    words.insert(words.end(), pos_out[q].begin(), pos_out[q].end());
    words.insert(words.end(), neg_out[q].begin(), neg_out[q].end());
    sizes[q] = (words.size() - before) * sizeof(std::uint64_t);
  }
  const auto got = comm.alltoallv(
      std::span<const char>(reinterpret_cast<const char*>(words.data()), words.size() * sizeof(std::uint64_t)), sizes);
  words.assign(got.size() / sizeof(std::uint64_t), 0);
  if (!words.empty()) std::memcpy(words.data(), got.data(), words.size() * sizeof(std::uint64_t));
  std::vector<std::uint64_t> pos, neg;
  for (std::size_t at = 0; at + 2 <= words.size();) {  // one message per source rank
    const auto np = static_cast<std::ptrdiff_t>(words[at]), nn = static_cast<std::ptrdiff_t>(words[at + 1]);
    const auto first = words.begin() + static_cast<std::ptrdiff_t>(at + 2);
    if (static_cast<std::size_t>(np + nn) > words.size() - at - 2) throw distributed_error(std::string(owner) + ": a message ended early");
    pos.insert(pos.end(), first, first + np);
    neg.insert(neg.end(), first + np, first + np + nn);
    at += 2 + static_cast<std::size_t>(np + nn);
  }
  r.c = own_keys(std::move(pos), std::move(neg));
  // The class counts of the ranges below and above this rank's.
  const auto held = distributed::allgather_value(
      comm, std::array<std::uint64_t, 2>{static_cast<std::uint64_t>(r.c.pos.size()), static_cast<std::uint64_t>(r.c.neg.size())});
  for (std::size_t q = 0; q < ranks; ++q) {
    const bool below = q < static_cast<std::size_t>(comm.rank()), above = q > static_cast<std::size_t>(comm.rank());
    if (below) r.pos_below += held[q][0], r.neg_below += held[q][1];
    if (above) r.pos_above += held[q][0], r.neg_above += held[q][1];
  }
  return r;
}

inline vector<double> to_vector(const std::vector<double>& v) {
  vector<double> out = vector<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

}  // namespace detail

namespace detail {
/// The Mann-Whitney pair count of one range of scores: for each group of tied positives, the
/// negatives below it (neg_below of them on lower ranges), plus half of those tied.
inline double auc_pairs(const class_scores& c, std::size_t neg_below) {
  double pairs = 0.0;
  std::size_t i = 0, j = 0;
  const std::size_t np = c.pos.size(), nn = c.neg.size();
  while (i < np) {
    const std::uint64_t k = c.pos[i];
    std::size_t i2 = i;
    while (i2 < np && c.pos[i2] == k) ++i2;
    while (j < nn && c.neg[j] < k) ++j;
    std::size_t j2 = j;
    while (j2 < nn && c.neg[j2] == k) ++j2;
    pairs += static_cast<double>(i2 - i) *
             (static_cast<double>(neg_below + j) + 0.5 * static_cast<double>(j2 - j));
    i = i2;
  }
  return pairs;
}

/// Average precision's terms over one range of scores, given the class counts above it.
inline double ap_terms(const class_scores& c, double P, std::size_t pos_above, std::size_t neg_above) {
  double ap = 0.0;
  std::size_t prev_tp = pos_above;
  for_each_threshold(c, [&](double, std::size_t tp_here, std::size_t fp_here) {
    const std::size_t tp = pos_above + tp_here, fp = neg_above + fp_here;
    ap += (static_cast<double>(tp) / P - static_cast<double>(prev_tp) / P) * static_cast<double>(tp) /
          static_cast<double>(tp + fp);
    prev_tp = tp;
  });
  return ap;
}

/// The gain when the top `fraction` of n rows is targeted, if the gain curve reaches
/// `fraction` within this range of scores (it starts at the counts above the range).
inline std::optional<double> gain_in_range(const class_scores& c, double n, double P, std::size_t pos_above,
                                           std::size_t neg_above, double fraction) {
  double prev_f = static_cast<double>(pos_above + neg_above) / n, prev_g = static_cast<double>(pos_above) / P;
  if (prev_f >= fraction) return std::nullopt;  // reached on a range above
  std::optional<double> out;
  bool done = false;
  for_each_threshold(c, [&](double, std::size_t tp_here, std::size_t fp_here) {
    if (done) return;
    const std::size_t tp = pos_above + tp_here, fp = neg_above + fp_here;
    const double f = static_cast<double>(tp + fp) / n, g = static_cast<double>(tp) / P;
    if (f >= fraction) {
      // The curve's points are the ends of the tied groups; between them it is linear.
      out = f == fraction ? g : prev_g + (fraction - prev_f) / (f - prev_f) * (g - prev_g);
      done = true;
    }
    prev_f = f;
    prev_g = g;
  });
  return out;
}
}  // namespace detail

template <class E1, class E2>
double roc_auc(const E1& y_true, const E2& score) {
  const auto c = detail::split_by_class(y_true, score, "roc_auc", detail::need_classes::both);
  return detail::auc_pairs(c, 0) / (static_cast<double>(c.pos.size()) * static_cast<double>(c.neg.size()));
}

/// The area under the ROC curve of the rows of every rank: the one-process value exactly.
template <communicator C, class E1, class E2>
double roc_auc(C& comm, const E1& y_true, const E2& score) {
  const auto r = detail::range_by_score(comm, y_true, score, "roc_auc", detail::need_classes::both);
  double pairs = detail::auc_pairs(r.c, r.neg_below);
  comm.allreduce_sum(std::span<double>(&pairs, 1));
  return pairs / (static_cast<double>(r.P) * static_cast<double>(r.N));
}

template <class E1, class E2>
roc_curve_result roc_curve(const E1& y_true, const E2& score, bool drop_intermediate = true) {
  const auto c = detail::split_by_class(y_true, score, "roc_curve", detail::need_classes::both);
  const double P = static_cast<double>(c.pos.size()), N = static_cast<double>(c.neg.size());
  std::vector<double> fpr{0.0}, tpr{0.0}, thr{std::numeric_limits<double>::infinity()};
  const std::size_t m = detail::count_thresholds(c) + 1;
  fpr.reserve(m);
  tpr.reserve(m);
  thr.reserve(m);
  const auto emit = [&](double t, std::size_t tp, std::size_t fp) {
    fpr.push_back(static_cast<double>(fp) / N);
    tpr.push_back(static_cast<double>(tp) / P);
    thr.push_back(t);
  };
  // A point is kept unless it lies on the line through its neighbours (a zero second
  // difference of both counts, on the full sequence), as scikit-learn's drop_intermediate.
  struct point {
    double t;
    std::size_t tp, fp;
  };
  point prev{}, cur{};
  std::size_t seen = 0;
  detail::for_each_threshold(c, [&](double t, std::size_t tp, std::size_t fp) {
    const point next{t, tp, fp};
    if (!drop_intermediate) {
      emit(t, tp, fp);
      return;
    }
    if (seen == 1) emit(cur.t, cur.tp, cur.fp);  // the first point
    if (seen >= 2) {
      const auto d2 = [](std::size_t a, std::size_t b, std::size_t n) {
        return static_cast<std::int64_t>(a) - 2 * static_cast<std::int64_t>(b) + static_cast<std::int64_t>(n);
      };
      if (d2(prev.tp, cur.tp, next.tp) != 0 || d2(prev.fp, cur.fp, next.fp) != 0) emit(cur.t, cur.tp, cur.fp);
    }
    prev = cur;
    cur = next;
    ++seen;
  });
  if (drop_intermediate) emit(cur.t, cur.tp, cur.fp);  // the last point
  return {detail::to_vector(fpr), detail::to_vector(tpr), detail::to_vector(thr)};
}

template <class E1, class E2>
precision_recall_result precision_recall_curve(const E1& y_true, const E2& score) {
  const auto c = detail::split_by_class(y_true, score, "precision_recall_curve", detail::need_classes::positive);
  const std::size_t m = detail::count_thresholds(c);
  const double P = static_cast<double>(c.pos.size());
  precision_recall_result r{vector<double>::from_shape({m + 1}), vector<double>::from_shape({m + 1}),
                            vector<double>::from_shape({m})};
  std::size_t k = m;  // filled from the end: thresholds ascending
  detail::for_each_threshold(c, [&](double t, std::size_t tp, std::size_t fp) {
    --k;
    r.precision(k) = static_cast<double>(tp) / static_cast<double>(tp + fp);
    r.recall(k) = static_cast<double>(tp) / P;
    r.thresholds(k) = t;
  });
  r.precision(m) = 1.0;
  r.recall(m) = 0.0;
  return r;
}

template <class E1, class E2>
double average_precision(const E1& y_true, const E2& score) {
  const auto c = detail::split_by_class(y_true, score, "average_precision", detail::need_classes::positive);
  return detail::ap_terms(c, static_cast<double>(c.pos.size()), 0, 0);
}

/// Average precision over the rows of every rank.
template <communicator C, class E1, class E2>
double average_precision(C& comm, const E1& y_true, const E2& score) {
  const auto r = detail::range_by_score(comm, y_true, score, "average_precision", detail::need_classes::positive);
  double ap = detail::ap_terms(r.c, static_cast<double>(r.P), r.pos_above, r.neg_above);
  comm.allreduce_sum(std::span<double>(&ap, 1));
  return ap;
}

template <class E1, class E2>
gain_curve_result cumulative_gain(const E1& y_true, const E2& score) {
  const auto c = detail::split_by_class(y_true, score, "cumulative_gain", detail::need_classes::positive);
  const std::size_t m = detail::count_thresholds(c);
  const double n = static_cast<double>(c.pos.size() + c.neg.size()), P = static_cast<double>(c.pos.size());
  gain_curve_result r{vector<double>::from_shape({m + 1}), vector<double>::from_shape({m + 1})};
  r.fraction(0) = 0.0;
  r.gain(0) = 0.0;
  std::size_t k = 0;
  detail::for_each_threshold(c, [&](double, std::size_t tp, std::size_t fp) {
    ++k;
    r.fraction(k) = static_cast<double>(tp + fp) / n;
    r.gain(k) = static_cast<double>(tp) / P;
  });
  return r;
}

template <class E1, class E2>
lift_curve_result lift_curve(const E1& y_true, const E2& score) {
  const auto g = cumulative_gain(y_true, score);
  const std::size_t m = g.fraction.size() - 1;
  lift_curve_result r{vector<double>::from_shape({m}), vector<double>::from_shape({m})};
  for (std::size_t k = 0; k < m; ++k) {
    r.fraction(k) = g.fraction(k + 1);
    r.lift(k) = g.gain(k + 1) / g.fraction(k + 1);
  }
  return r;
}

template <class E1, class E2>
double gain_at(const E1& y_true, const E2& score, double fraction) {
  require_param(fraction > 0.0 && fraction <= 1.0, "gain_at", "fraction", fraction, "in (0, 1]");
  const auto c = detail::split_by_class(y_true, score, "gain_at", detail::need_classes::positive);
  const std::size_t P = c.pos.size(), n = P + c.neg.size();
  return *detail::gain_in_range(c, static_cast<double>(n), static_cast<double>(P), 0, 0, fraction);
}

/// gain_at over the rows of every rank: the one-process value exactly.
template <communicator C, class E1, class E2>
double gain_at(C& comm, const E1& y_true, const E2& score, double fraction) {
  require_param(fraction > 0.0 && fraction <= 1.0, "gain_at", "fraction", fraction, "in (0, 1]");
  const auto r = detail::range_by_score(comm, y_true, score, "gain_at", detail::need_classes::positive);
  // Exactly one rank's range holds the point where the curve reaches `fraction`.
  const auto mine = detail::gain_in_range(r.c, static_cast<double>(r.P + r.N), static_cast<double>(r.P), r.pos_above,
                                          r.neg_above, fraction);
  double v[2] = {mine.value_or(0.0), mine ? 1.0 : 0.0};
  comm.allreduce_sum(std::span<double>(v));
  if (v[1] != 1.0) throw distributed_error("gain_at: " + std::to_string(v[1]) + " ranks found the point; expected one");
  return v[0];
}

template <class E1, class E2>
double lift_at(const E1& y_true, const E2& score, double fraction) {
  require_param(fraction > 0.0 && fraction <= 1.0, "lift_at", "fraction", fraction, "in (0, 1]");
  return gain_at(y_true, score, fraction) / fraction;
}

/// lift_at over the rows of every rank.
template <communicator C, class E1, class E2>
double lift_at(C& comm, const E1& y_true, const E2& score, double fraction) {
  require_param(fraction > 0.0 && fraction <= 1.0, "lift_at", "fraction", fraction, "in (0, 1]");
  return gain_at(comm, y_true, score, fraction) / fraction;
}

template <class E1, class E2>
calibration_result calibration_curve(const E1& y_true_in, const E2& prob_in, std::size_t n_bins = 5,
                                     calibration_bins strategy = calibration_bins::uniform) {
  require_param(n_bins >= 1, "calibration_curve", "n_bins", n_bins, ">= 1");
  decltype(auto) y = evaluate<double, 1>(y_true_in, "calibration_curve: y_true");
  decltype(auto) p = evaluate<double, 1>(prob_in, "calibration_curve: probability");
  check_paired(y.size(), p.size(), "calibration_curve", "y_true", "probability");
  const std::size_t n = y.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (y(i) != 0.0 && y(i) != 1.0) {
      throw invalid_argument("calibration_curve: expected labels 0 or 1, got " + detail::to_text(y(i)) +
                             " at index " + std::to_string(i));
    }
    if (!(p(i) >= 0.0 && p(i) <= 1.0)) {
      throw invalid_argument("calibration_curve: expected probabilities in [0, 1], got " + detail::to_text(p(i)) +
                             " at index " + std::to_string(i));
    }
  }
  // Inner edges only (np.searchsorted(bins[1:-1], p), side "left").
  std::vector<double> inner(n_bins - 1);
  if (strategy == calibration_bins::uniform) {
    for (std::size_t b = 1; b < n_bins; ++b) inner[b - 1] = static_cast<double>(b) / static_cast<double>(n_bins);
  } else {
    std::vector<double> sorted(p.begin(), p.end());
    std::sort(sorted.begin(), sorted.end());
    const double step = 1.0 / static_cast<double>(n_bins);
    for (std::size_t b = 1; b < n_bins; ++b) {  // np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
      const double q = static_cast<double>(b) * step * 100.0 / 100.0;
      const double pos = static_cast<double>(n - 1) * q;
      const auto lo = std::min(static_cast<std::size_t>(std::floor(pos)), n - 1);
      const std::size_t hi = std::min(lo + 1, n - 1);
      const double t = pos - static_cast<double>(lo), a = sorted[lo], d = sorted[hi] - sorted[lo];
      inner[b - 1] = t >= 0.5 ? sorted[hi] - d * (1.0 - t) : a + d * t;  // numpy's _lerp
    }
  }
  std::vector<double> sum_p(n_bins, 0.0), sum_y(n_bins, 0.0), count(n_bins, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<std::size_t>(std::lower_bound(inner.begin(), inner.end(), p(i)) - inner.begin());
    sum_p[b] += p(i);
    sum_y[b] += y(i);
    count[b] += 1.0;
  }
  std::vector<double> pt, pp;
  for (std::size_t b = 0; b < n_bins; ++b) {
    if (count[b] == 0.0) continue;
    pt.push_back(sum_y[b] / count[b]);
    pp.push_back(sum_p[b] / count[b]);
  }
  return {detail::to_vector(pt), detail::to_vector(pp)};
}

}  // namespace clm
