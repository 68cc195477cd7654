#pragma once
// Similarities between users or between items, and the rating baselines some of them use.
//
//   user_similarities(data, options)   users x users, compared over the items they rated
//   item_similarities(data, options)   items x items, compared over their raters
//   compute_similarities(M, options)   rows of any CSR matrix, compared over its columns
//
// Kinds (similarity_kind), for rows a and b with values r_ay, r_by:
//   cosine            sum r_a r_b / sqrt(sum r_a^2 sum r_b^2)
//   msd               1 / (mean squared difference + 1)                     (co-rated only)
//   pearson           the correlation of r_a and r_b; co-rated: centred on the means over the
//                     common columns (Surprise's pearson); zero-filled: each row centred on
//                     the mean of its stored values, then cosine
//   pearson_baseline  cosine of the baseline residuals r - (mu + b_row + b_col), times the
//                     shrinkage (n - 1) / (n - 1 + shrinkage), n common columns (co-rated only)
//   adjusted_cosine   cosine of r - mean of the column (item-based: centred on user means)
//   jaccard           common / (|a| + |b| - common), on which columns are stored
// Modes (similarity_mode):
//   co_rated     sums over the columns both rows have, exactly as Surprise computes them: a
//                pair with one common column has cosine 1; pairs with fewer than
//                min_support common columns get 0; a zero denominator gives 0 (where
//                Surprise divides by zero for pearson_baseline and cosine)
//   zero_filled  missing values are 0 and norms run over each whole row (the sparse
//                dot-product cosine of implicit data); min_support applies to the common count
// A row's similarity with itself is 1 (Surprise's convention).
//
// Storage (similarity_storage): dense keeps the n x n matrix (exact Surprise semantics in
// the kNN models); top_k keeps, for each row, its `neighbours` most similar other rows with a
// positive similarity (most similar first, ties: the lower index): memory O(n k). automatic
// is dense up to 4096 rows (128 MiB), top_k above. Both keep the neighbour lists. Rows run in
// parallel (n_jobs threads) over a sparse accumulator (one pass over the pairs that share a column:
// the work is sum over columns of count^2); results do not depend on the thread count.
//
// Baselines (fit_baselines): b_ui = mu + b_u + b_i by alternating least squares, as Surprise's
// baseline_als: n_epochs sweeps of b_i = sum (r - mu - b_u) / (reg_i + |U_i|), then
// b_u = sum (r - mu - b_i) / (reg_u + |I_u|). Defaults reg_i 10, reg_u 15, 10 epochs.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/progress.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/interactions.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm {

enum class similarity_kind : std::uint8_t { cosine, msd, pearson, pearson_baseline, adjusted_cosine, jaccard };
enum class similarity_mode : std::uint8_t { co_rated, zero_filled };
enum class similarity_storage : std::uint8_t { automatic, dense, top_k };

inline const char* similarity_name(similarity_kind k) noexcept {
  constexpr const char* names[] = {"cosine", "msd", "pearson", "pearson_baseline", "adjusted_cosine", "jaccard"};
  return static_cast<std::size_t>(k) < 6 ? names[static_cast<std::size_t>(k)] : "unknown";
}

struct similarity_options {
  similarity_kind kind = similarity_kind::msd;  ///< Surprise's default
  similarity_mode mode = similarity_mode::co_rated;
  std::size_t min_support = 1;
  double shrinkage = 100.0;  ///< pearson_baseline only
  similarity_storage storage = similarity_storage::automatic;
  std::size_t neighbours = 100;  ///< kept per row in the neighbour lists

  void validate() const {
    constexpr const char* o = "similarity_options";
    require_param(static_cast<int>(kind) <= 5, o, "kind", static_cast<int>(kind),
                  "cosine, msd, pearson, pearson_baseline, adjusted_cosine or jaccard");
    require_param(static_cast<int>(mode) <= 1, o, "mode", static_cast<int>(mode), "co_rated or zero_filled");
    require_param(mode == similarity_mode::co_rated ||
                      (kind != similarity_kind::msd && kind != similarity_kind::pearson_baseline),
                  o, "mode", similarity_name(kind), "co_rated for msd and pearson_baseline");
    require_param(std::isfinite(shrinkage) && shrinkage >= 0.0, o, "shrinkage", shrinkage, "finite and >= 0");
    require_param(static_cast<int>(storage) <= 2, o, "storage", static_cast<int>(storage), "automatic, dense or top_k");
    require_param(neighbours >= 1, o, "neighbours", neighbours, ">= 1");
  }
  template <class A>
  void serialize(A& ar) {
    ar(kind, mode, min_support, shrinkage, storage, neighbours);
  }
  friend bool operator==(const similarity_options&, const similarity_options&) = default;
};

struct baseline_options {
  std::size_t n_epochs = 10;
  double reg_u = 15.0;
  double reg_i = 10.0;

  void validate() const {
    require_param(std::isfinite(reg_u) && reg_u >= 0.0, "baseline_options", "reg_u", reg_u, "finite and >= 0");
    require_param(std::isfinite(reg_i) && reg_i >= 0.0, "baseline_options", "reg_i", reg_i, "finite and >= 0");
  }
  template <class A>
  void serialize(A& ar) {
    ar(n_epochs, reg_u, reg_i);
  }
  friend bool operator==(const baseline_options&, const baseline_options&) = default;
};

/// mu + b_u + b_i.
struct baselines {
  double global_mean = 0.0;
  std::vector<double> user, item;

  double operator()(std::size_t u, std::size_t i) const { return global_mean + user[u] + item[i]; }
  template <class A>
  void serialize(A& ar) {
    ar(global_mean, user, item);
  }
  friend bool operator==(const baselines&, const baselines&) = default;
};

/// The largest magnitude in v[0..n), by which sums that would overflow (ratings of 1e300,
/// say) are scaled; 0 when there is nothing to scale by.
inline double overflow_scale(const double* v, std::size_t n) {
  double scale = 0.0;
  for (std::size_t k = 0; k < n; ++k) scale = std::max(scale, std::abs(v[k]));
  return std::isfinite(scale) ? scale : 0.0;
}

namespace detail {
/// The sum over the ranks that hold other parts of the data, in place: the identity in one
/// process (see item_knn's fit across ranks).
struct no_reduce {
  void operator()(std::span<double>) const noexcept {}
};
}  // namespace detail

/// The means and population standard deviations (when `deviations`) of groups of values,
/// group g being v[at[g], at[g + 1]) (0 and 0 for an empty group), finite wherever the values
/// are. `reduce` sums per-group statistics over the ranks that hold other values of the same
/// groups (detail::no_reduce: all are here); every rank then takes the same branches.
struct group_moments {
  std::vector<double> mean, deviation, count;
};
template <class Reduce>
group_moments moments_of_groups(const double* v, const std::size_t* at, std::size_t groups, bool deviations,
                                Reduce&& reduce) {
  group_moments m;
  std::vector<double> sum(groups, 0.0), count(groups), scale;
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t k = at[g]; k < at[g + 1]; ++k) sum[g] += v[k];
    count[g] = static_cast<double>(at[g + 1] - at[g]);
  }
  reduce(std::span<double>(sum));
  reduce(std::span<double>(count));
  // Sums that overflow (ratings of 1e300, say) are taken again scaled by the group's
  // largest magnitude (over several ranks: the sum of theirs, as good a scale).
  const auto rescaled = [&](const std::vector<double>& s, auto&& term) {
    std::vector<double> out;
    if (std::all_of(s.begin(), s.end(), [](double x) { return std::isfinite(x); })) return out;
    if (scale.empty()) {
      scale.assign(groups, 0.0);
      for (std::size_t g = 0; g < groups; ++g) scale[g] = overflow_scale(v + at[g], at[g + 1] - at[g]);
      reduce(std::span<double>(scale));
    }
    out.assign(groups, 0.0);
    for (std::size_t g = 0; g < groups; ++g) {
      if (std::isfinite(s[g]) || scale[g] == 0.0) continue;
      for (std::size_t k = at[g]; k < at[g + 1]; ++k) out[g] += term(g, v[k] / scale[g]);
    }
    reduce(std::span<double>(out));
    return out;
  };
  m.mean.assign(groups, 0.0);
  const auto big = rescaled(sum, [](std::size_t, double x) { return x; });
  for (std::size_t g = 0; g < groups; ++g) {
    if (count[g] == 0.0) continue;
    const bool scaled = !big.empty() && !std::isfinite(sum[g]) && scale[g] != 0.0;
    m.mean[g] = scaled ? big[g] / count[g] * scale[g] : sum[g] / count[g];
  }
  m.count = count;
  if (!deviations) return m;
  std::vector<double> ss(groups, 0.0);
  for (std::size_t g = 0; g < groups; ++g) {
    const double mu = m.mean[g];
    for (std::size_t k = at[g]; k < at[g + 1]; ++k) ss[g] += (v[k] - mu) * (v[k] - mu);
  }
  reduce(std::span<double>(ss));
  const auto bigss = rescaled(ss, [&](std::size_t g, double x) {
    const double d = x - m.mean[g] / scale[g];
    return d * d;
  });
  m.deviation.assign(groups, 0.0);
  for (std::size_t g = 0; g < groups; ++g) {
    if (count[g] == 0.0) continue;
    const bool scaled = !bigss.empty() && !std::isfinite(ss[g]) && scale[g] != 0.0;
    m.deviation[g] = scaled ? std::sqrt(bigss[g] / count[g]) * scale[g] : std::sqrt(ss[g] / count[g]);
  }
  return m;
}

/// The mean and population standard deviation of v[0..n) ({0, 0} for n = 0).
inline std::pair<double, double> mean_and_deviation(const double* v, std::size_t n) {
  const std::size_t at[2] = {0, n};
  const auto m = moments_of_groups(v, at, 1, true, detail::no_reduce{});
  return {m.mean[0], m.deviation[0]};
}

/// The mean of v[0..n) (0 for n = 0), finite wherever the values are.
inline double mean_of(const double* v, std::size_t n) {
  const std::size_t at[2] = {0, n};
  return moments_of_groups(v, at, 1, false, detail::no_reduce{}).mean[0];
}

/// The mean of the stored values (0 for an empty matrix).
inline double mean_value(const csr_matrix<double>& R) { return mean_of(R.values.data(), R.nnz()); }

/// Baselines by Surprise's alternating least squares on R (users x items) and RT (its
/// transpose). `reduce` sums the item side over ranks that hold other users (each user on
/// one rank); detail::no_reduce in one process.
template <class Reduce>
baselines fit_baselines(const csr_matrix<double>& R, const csr_matrix<double>& RT, const baseline_options& o,
                        Reduce&& reduce) {
  o.validate();
  baselines b;
  const std::size_t all[2] = {0, R.nnz()};
  b.global_mean = moments_of_groups(R.values.data(), all, 1, false, reduce).mean[0];
  b.user.assign(R.rows, 0.0);
  b.item.assign(R.cols, 0.0);
  const double mu = b.global_mean;
  std::vector<double> count(RT.rows), dev(RT.rows);
  for (std::size_t i = 0; i < RT.rows; ++i) count[i] = static_cast<double>(RT.row_end(i) - RT.row_begin(i));
  reduce(std::span<double>(count));
  for (std::size_t e = 0; e < o.n_epochs; ++e) {
    for (std::size_t i = 0; i < RT.rows; ++i) {
      dev[i] = 0.0;
      for (std::size_t k = RT.row_begin(i); k < RT.row_end(i); ++k) {
        dev[i] += RT.values[k] - mu - b.user[static_cast<std::size_t>(RT.indices[k])];
      }
    }
    reduce(std::span<double>(dev));
    for (std::size_t i = 0; i < RT.rows; ++i) b.item[i] = dev[i] / (o.reg_i + count[i]);
    for (std::size_t u = 0; u < R.rows; ++u) {
      double d = 0.0;
      for (std::size_t k = R.row_begin(u); k < R.row_end(u); ++k) {
        d += R.values[k] - mu - b.item[static_cast<std::size_t>(R.indices[k])];
      }
      b.user[u] = d / (o.reg_u + static_cast<double>(R.row_end(u) - R.row_begin(u)));
    }
  }
  return b;
}
inline baselines fit_baselines(const csr_matrix<double>& R, const csr_matrix<double>& RT, const baseline_options& o) {
  return fit_baselines(R, RT, o, detail::no_reduce{});
}

namespace detail {
struct similarity_builder;
}

/// The similarities of n rows: a dense matrix or not, and each row's neighbour list.
class similarities {
 public:
  struct neighbour_list {
    const std::int32_t* index = nullptr;
    const double* similarity = nullptr;
    std::size_t size = 0;
  };

  std::size_t size() const noexcept { return n_; }
  bool dense() const noexcept { return dense_.size() > 0 || n_ == 0; }
  const similarity_options& options() const noexcept { return options_; }

  /// sim(a, b): from the dense matrix, or from a's neighbour list (0 when b is not in it).
  double operator()(std::size_t a, std::size_t b) const {
    if (a == b) return 1.0;
    if (dense_.size() > 0) return dense_.data()[a * n_ + b];
    const auto l = neighbours(a);
    for (std::size_t k = 0; k < l.size; ++k) {
      if (static_cast<std::size_t>(l.index[k]) == b) return l.similarity[k];
    }
    return 0.0;
  }
  /// Row a of the dense matrix (dense storage only).
  const double* row(std::size_t a) const noexcept { return dense_.data() + a * n_; }

  /// a's most similar other rows with a positive similarity, most similar first.
  neighbour_list neighbours(std::size_t a) const noexcept {
    const std::size_t b = indptr_[a], e = indptr_[a + 1];
    return {index_.data() + b, sims_.data() + b, e - b};
  }

  template <class A>
  void serialize(A& ar) {
    ar(n_, options_, dense_, indptr_, index_, sims_);
    if constexpr (A::loading) {
      ar.check(dense_.size() == 0 || (dense_.shape()[0] == n_ && dense_.shape()[1] == n_),
               "similarities: dense matrix of the wrong size");
      ar.check(!indptr_.empty() && indptr_.size() - 1 == n_ && indptr_.front() == 0 && indptr_.back() == index_.size() &&
                   sims_.size() == index_.size(),
               "similarities: inconsistent neighbour lists");
      for (std::size_t a = 0; a < n_; ++a) ar.check(indptr_[a] <= indptr_[a + 1], "similarities: decreasing offsets");
      for (const auto j : index_) ar.check(j >= 0 && static_cast<std::size_t>(j) < n_, "similarities: index out of range");
    }
  }
  friend bool operator==(const similarities&, const similarities&) = default;

 private:
  friend struct detail::similarity_builder;
  std::size_t n_ = 0;
  similarity_options options_;
  matrix<double> dense_ = matrix<double>::from_shape({0, 0});
  std::vector<std::size_t> indptr_{0};
  std::vector<std::int32_t> index_;
  std::vector<double> sims_;
};

namespace detail {

/// Sparse accumulator for the pair sums of one row against all others.
struct pair_sums {
  std::vector<std::uint32_t> freq;
  std::vector<double> prod, sqi, sqj, si, sj;
  std::vector<std::int32_t> touched;

  explicit pair_sums(std::size_t n, bool squares, bool sums) : freq(n, 0), prod(n, 0.0) {
    if (squares) sqi.assign(n, 0.0), sqj.assign(n, 0.0);
    if (sums) si.assign(n, 0.0), sj.assign(n, 0.0);
  }
  void clear() {
    for (const auto b : touched) {
      const auto j = static_cast<std::size_t>(b);
      freq[j] = 0;
      prod[j] = 0.0;
      if (!sqi.empty()) sqi[j] = sqj[j] = 0.0;
      if (!si.empty()) si[j] = sj[j] = 0.0;
    }
    touched.clear();
  }
};

/// The first position in MT's row y whose index is >= from.
inline std::size_t first_at_least(const csr_matrix<double>& MT, std::size_t y, std::int32_t from) {
  const std::size_t b = MT.indptr[y];
  if (from == 0) return b;
  const auto first = MT.indices.begin() + static_cast<std::ptrdiff_t>(b);
  const auto last = MT.indices.begin() + static_cast<std::ptrdiff_t>(MT.indptr[y + 1]);
  return b + static_cast<std::size_t>(std::lower_bound(first, last, from) - first);
}

/// Adds the row (idx, val) against every row of MT's transpose that shares a column with it:
/// MT is columns x rows. Diff: prod accumulates squared differences instead of products.
/// Only rows b >= from are visited (from = a + 1: the upper triangle).
template <bool Squares, bool Sums, bool Diff>
void accumulate_pairs(const std::int32_t* idx, const double* val, std::size_t len, const csr_matrix<double>& MT,
                      pair_sums& s, std::int32_t from = 0) {
  for (std::size_t p = 0; p < len; ++p) {
    const auto y = static_cast<std::size_t>(idx[p]);
    const double ra = val[p];
    const std::size_t e = MT.indptr[y + 1];
    for (std::size_t q = first_at_least(MT, y, from); q < e; ++q) {
      const auto b = static_cast<std::size_t>(MT.indices[q]);
      const double rb = MT.values[q];
      if (s.freq[b]++ == 0) s.touched.push_back(static_cast<std::int32_t>(b));
      if constexpr (Diff) {
        s.prod[b] += (ra - rb) * (ra - rb);
      } else {
        s.prod[b] += ra * rb;
      }
      if constexpr (Squares) {
        s.sqi[b] += ra * ra;
        s.sqj[b] += rb * rb;
      }
      if constexpr (Sums) {
        s.si[b] += ra;
        s.sj[b] += rb;
      }
    }
  }
}

/// What a kind needs accumulated, and how to turn the sums into a similarity.
struct similarity_rule {
  similarity_kind kind;
  similarity_mode mode;
  std::size_t min_support;
  double shrinkage;
  const std::vector<double>* inv_norms;  // zero-filled: 1 / each row's norm (0 for a zero row)
  const std::vector<double>* counts;     // jaccard: each row's stored count

  bool squares() const { return mode == similarity_mode::co_rated && kind != similarity_kind::msd && kind != similarity_kind::jaccard; }
  bool sums() const { return mode == similarity_mode::co_rated && kind == similarity_kind::pearson; }
  bool diff() const { return kind == similarity_kind::msd; }

  void accumulate(const std::int32_t* idx, const double* val, std::size_t len, const csr_matrix<double>& MT,
                  pair_sums& s, std::int32_t from) const {
    if (diff()) {
      accumulate_pairs<false, false, true>(idx, val, len, MT, s, from);
    } else if (sums()) {
      accumulate_pairs<true, true, false>(idx, val, len, MT, s, from);
    } else if (squares()) {
      accumulate_pairs<true, false, false>(idx, val, len, MT, s, from);
    } else {
      accumulate_pairs<false, false, false>(idx, val, len, MT, s, from);
    }
  }

  /// The similarity of the accumulated row a with row b: symmetric in a and b to the last
  /// bit, so a row computed whole equals the mirror image of the upper triangle.
  double value(const pair_sums& s, std::size_t a, std::size_t b) const {
    const double count_a = (*counts)[a];
    const double n = s.freq[b];
    if (s.freq[b] < min_support || s.freq[b] == 0) return 0.0;
    const auto ratio = [](double num, double den2) { return den2 > 0.0 ? num / std::sqrt(den2) : 0.0; };
    if (kind == similarity_kind::jaccard) return n / (count_a + (*counts)[b] - n);
    if (kind == similarity_kind::msd) return 1.0 / (s.prod[b] / n + 1.0);
    if (mode == similarity_mode::zero_filled) return s.prod[b] * ((*inv_norms)[a] * (*inv_norms)[b]);
    if (kind == similarity_kind::pearson) {
      const double num = n * s.prod[b] - s.si[b] * s.sj[b];
      const double den2 = (n * s.sqi[b] - s.si[b] * s.si[b]) * (n * s.sqj[b] - s.sj[b] * s.sj[b]);
      return ratio(num, den2);
    }
    const double c = ratio(s.prod[b], s.sqi[b] * s.sqj[b]);
    if (kind == similarity_kind::pearson_baseline) return c * (n - 1.0) / (n - 1.0 + shrinkage);
    return c;
  }
};

/// The values each kind compares: residuals of the baselines, centred values, or the data.
/// `reduce` sums each row's statistics over ranks that hold other columns of it.
template <class Reduce>
csr_matrix<double> similarity_values(const csr_matrix<double>& M, similarity_kind kind, similarity_mode mode,
                                     const baselines* b, bool rows_are_users, Reduce&& reduce) {
  csr_matrix<double> V = M;
  if (kind == similarity_kind::jaccard) {
    std::fill(V.values.begin(), V.values.end(), 1.0);
  } else if (kind == similarity_kind::pearson_baseline) {
    const std::vector<double>& br = rows_are_users ? b->user : b->item;
    const std::vector<double>& bc = rows_are_users ? b->item : b->user;
    for (std::size_t a = 0; a < V.rows; ++a) {
      for (std::size_t k = V.row_begin(a); k < V.row_end(a); ++k) {
        V.values[k] -= b->global_mean + br[a] + bc[static_cast<std::size_t>(V.indices[k])];
      }
    }
  } else if (kind == similarity_kind::adjusted_cosine) {
    std::vector<double> sum(V.cols, 0.0), cnt(V.cols, 0.0);
    for (std::size_t k = 0; k < V.nnz(); ++k) {
      sum[static_cast<std::size_t>(V.indices[k])] += V.values[k];
      cnt[static_cast<std::size_t>(V.indices[k])] += 1.0;
    }
    for (std::size_t k = 0; k < V.nnz(); ++k) {
      const auto y = static_cast<std::size_t>(V.indices[k]);
      V.values[k] -= sum[y] / cnt[y];
    }
  } else if (kind == similarity_kind::pearson && mode == similarity_mode::zero_filled) {
    const auto m = moments_of_groups(V.values.data(), V.indptr.data(), V.rows, false, reduce).mean;
    for (std::size_t a = 0; a < V.rows; ++a) {
      for (std::size_t k = V.row_begin(a); k < V.row_end(a); ++k) V.values[k] -= m[a];
    }
  }
  return V;
}

/// Keeps the best `keep` of (similarity, index) candidates: most similar first, ties by index.
inline void select_neighbours(std::vector<std::pair<double, std::int32_t>>& c, std::size_t keep) {
  const auto better = [](const auto& x, const auto& y) { return x.first > y.first || (x.first == y.first && x.second < y.second); };
  if (c.size() > keep) {
    std::nth_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(keep), c.end(), better);
    c.resize(keep);
  }
  std::sort(c.begin(), c.end(), better);
}

/// The best `keep` positive entries of a dense row (without `self`) into c, most similar
/// first, ties by index: one pass with a heap whose front is the worst kept.
inline void select_from_row(const double* row, std::size_t n, std::size_t self, std::size_t keep,
                            std::vector<std::pair<double, std::int32_t>>& c) {
  const auto better = [](const auto& x, const auto& y) { return x.first > y.first || (x.first == y.first && x.second < y.second); };
  c.clear();
  if (keep == 0) return;
  constexpr std::size_t block = 64;
  for (std::size_t b0 = 0; b0 < n; b0 += block) {
    const std::size_t b1 = std::min(n, b0 + block);
    // Blocks with nothing above the worst kept value are skipped by a vectorisable test.
    const double threshold = c.size() < keep ? 0.0 : c.front().first;
    bool any = false;
    for (std::size_t b = b0; b < b1; ++b) any |= row[b] > threshold;
    if (!any) continue;
    for (std::size_t b = b0; b < b1; ++b) {
      const double v = row[b];
      if (!(v > 0.0) || b == self) continue;
      if (c.size() < keep) {
        c.emplace_back(v, static_cast<std::int32_t>(b));
        std::push_heap(c.begin(), c.end(), better);
      } else if (v > c.front().first) {  // equal: the kept one has the lower index
        std::pop_heap(c.begin(), c.end(), better);
        c.back() = {v, static_cast<std::int32_t>(b)};
        std::push_heap(c.begin(), c.end(), better);
      }
    }
  }
  std::sort_heap(c.begin(), c.end(), better);
}

/// The cosine of item (or user) sets: the set idx[0..len) against every row of MT's transpose
/// (counts: each row's size), as (similarity, row) candidates without `self` (-1: none).
inline void set_cosine(const std::int32_t* idx, std::size_t len, const csr_matrix<double>& MT,
                       const std::vector<double>& counts, std::int64_t self, pair_sums& s,
                       std::vector<std::pair<double, std::int32_t>>& cand) {
  const std::vector<double> ones(len, 1.0);
  accumulate_pairs<false, false, false>(idx, ones.data(), len, MT, s);
  cand.clear();
  for (const auto b : s.touched) {
    if (b == self) continue;
    const double c = static_cast<double>(s.freq[static_cast<std::size_t>(b)]);
    cand.emplace_back(c / std::sqrt(static_cast<double>(len) * counts[static_cast<std::size_t>(b)]), b);
  }
  s.clear();
}

/// The Gram matrix M M^T (rows x rows, dense, row-major) by the same sparse kernel.
inline std::vector<double> sparse_gram(const csr_matrix<double>& M, std::size_t n_jobs) {
  const csr_matrix<double> MT = M.transpose();
  const std::size_t n = M.rows;
  std::vector<double> G(n * n, 0.0);
  constexpr std::size_t chunk = 64;
  parallel_for((n + chunk - 1) / chunk, n_jobs, [&](std::size_t c) {
    pair_sums s(n, false, false);
    for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) {
      accumulate_pairs<false, false, false>(M.indices.data() + M.indptr[a], M.values.data() + M.indptr[a],
                                            M.indptr[a + 1] - M.indptr[a], MT, s);
      for (const auto b : s.touched) G[a * n + static_cast<std::size_t>(b)] = s.prod[static_cast<std::size_t>(b)];
      s.clear();
    }
  });
  return G;
}

}  // namespace detail

namespace detail {

/// What pairs of rows are compared by: the values (V), their transpose (columns x rows),
/// each row's inverse norm and stored count, and the storage and accumulation chosen.
struct similarity_setup {
  csr_matrix<double> V, VT;
  std::vector<double> inv_norms, counts;
  similarity_options options;
  bool dense = false;
  bool by_rows = false;  // zero-filled products accumulated straight into dense rows

  similarity_rule rule() const {
    return {options.kind, options.mode, options.min_support, options.shrinkage, &inv_norms, &counts};
  }
};

/// The setup for the rows of M; `reduce` sums the rows' statistics over ranks that hold
/// other columns of them (no_reduce: all are here).
template <class Reduce>
similarity_setup setup_similarities(const csr_matrix<double>& M, const similarity_options& o, const baselines* b,
                                    bool rows_are_users, Reduce&& reduce) {
  o.validate();
  if (o.kind == similarity_kind::pearson_baseline && b == nullptr) {
    throw invalid_argument("compute_similarities: pearson_baseline needs the baselines");
  }
  const std::size_t n = M.rows;
  if (n > static_cast<std::size_t>(INT32_MAX)) throw shape_error("compute_similarities: more than 2^31 - 1 rows");
  similarity_setup su;
  su.options = o;
  su.V = similarity_values(M, o.kind, o.mode, b, rows_are_users, reduce);
  su.VT = su.V.transpose();
  const csr_matrix<double>& V = su.V;
  su.inv_norms.assign(n, 0.0);
  su.counts.assign(n, 0.0);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t k = V.row_begin(a); k < V.row_end(a); ++k) su.inv_norms[a] += V.values[k] * V.values[k];
    su.counts[a] = static_cast<double>(V.row_end(a) - V.row_begin(a));
  }
  reduce(std::span<double>(su.inv_norms));
  reduce(std::span<double>(su.counts));
  for (auto& x : su.inv_norms) x = x > 0.0 ? 1.0 / std::sqrt(x) : 0.0;
  su.dense = o.storage == similarity_storage::dense || (o.storage == similarity_storage::automatic && n <= 4096);
  // Zero-filled cosines need no counts: each row can accumulate straight into a dense row
  // (the output's own, or a scratch one when most pairs share a column).
  double work = 0.0;
  for (std::size_t y = 0; y < su.VT.rows; ++y) {
    const auto c = static_cast<double>(su.VT.row_end(y) - su.VT.row_begin(y));
    work += c * c;
  }
  reduce(std::span<double>(&work, 1));
  su.by_rows = o.mode == similarity_mode::zero_filled && o.kind != similarity_kind::jaccard && o.min_support <= 1 &&
               (su.dense || work >= 0.25 * static_cast<double>(n) * static_cast<double>(n));
  return su;
}

/// Row a's similarities from its pair sums s (then cleared): written into acc when given
/// (entries lo..n zeroed first), the positive ones into cand.
inline void row_from_sums(const similarity_rule& rule, std::size_t a, std::size_t lo, std::size_t n, pair_sums& s,
                          double* acc, std::vector<std::pair<double, std::int32_t>>& cand) {
  if (acc != nullptr) std::fill(acc + lo, acc + n, 0.0);
  cand.clear();
  for (const auto bj : s.touched) {
    const auto j = static_cast<std::size_t>(bj);
    if (j == a) continue;
    const double v = rule.value(s, a, j);
    if (acc != nullptr) acc[j] = v;
    if (v > 0.0) cand.emplace_back(v, bj);
  }
  s.clear();
}

/// The neighbour lists of consecutive chunks of rows, kept by parallel workers and joined in
/// chunk order into the similarities.
struct similarity_builder {
  std::vector<std::vector<std::int32_t>> idx;
  std::vector<std::vector<double>> sim;
  std::vector<std::vector<std::size_t>> len;

  explicit similarity_builder(std::size_t chunks) : idx(chunks), sim(chunks), len(chunks) {}
  void keep(std::size_t c, const std::vector<std::pair<double, std::int32_t>>& cand) {
    for (const auto& [v, j] : cand) {
      idx[c].push_back(j);
      sim[c].push_back(v);
    }
    len[c].push_back(cand.size());
  }
  static similarities start(std::size_t n, const similarity_options& o, bool dense) {
    similarities out;
    out.n_ = n;
    out.options_ = o;
    if (dense) out.dense_ = empty_matrix<double>(n, n);
    return out;
  }
  static double* dense_data(similarities& out) { return out.dense_.data(); }
  void finish(similarities& out) const {
    out.indptr_.assign(1, 0);
    out.indptr_.reserve(out.n_ + 1);
    for (std::size_t c = 0; c < len.size(); ++c) {
      for (const auto l : len[c]) out.indptr_.push_back(out.indptr_.back() + l);
      out.index_.insert(out.index_.end(), idx[c].begin(), idx[c].end());
      out.sims_.insert(out.sims_.end(), sim[c].begin(), sim[c].end());
    }
  }
};

/// Rows per chunk of the similarity builders (the neighbour lists' unit of work).
inline constexpr std::size_t similarity_chunk = 64;

/// A dense table whose upper triangle (b > a) is filled: the diagonal and the lower triangle
/// from the upper, in tiles.
inline void mirror_upper(double* D, std::size_t n, std::size_t n_jobs) {
  constexpr std::size_t chunk = similarity_chunk;
  const std::size_t n_chunks = (n + chunk - 1) / chunk;
  parallel_for(n_chunks, n_jobs, [&](std::size_t c) {
    for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) D[a * n + a] = 1.0;
    for (std::size_t b0 = 0; b0 <= c * chunk; b0 += chunk) {
      for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) {
        for (std::size_t b = b0; b < std::min(a, b0 + chunk); ++b) D[a * n + b] = D[b * n + a];
      }
    }
  });
}

/// The neighbour lists of rows [r0, r1) of a whole dense table into `lists`, chunk c holding
/// rows r0 + c similarity_chunk onwards.
inline void lists_from_dense(const double* D, std::size_t n, std::size_t r0, std::size_t r1, std::size_t neighbours,
                             std::size_t n_jobs, similarity_builder& lists) {
  constexpr std::size_t chunk = similarity_chunk;
  parallel_for((r1 - r0 + chunk - 1) / chunk, n_jobs, [&](std::size_t c) {
    std::vector<std::pair<double, std::int32_t>> cand;
    for (std::size_t a = r0 + c * chunk; a < std::min(r1, r0 + (c + 1) * chunk); ++a) {
      select_from_row(D + a * n, n, a, neighbours, cand);
      lists.keep(c, cand);
    }
  });
}

}  // namespace detail

/// Similarities between the rows of M (compared over its columns). `b` (the baselines of
/// the users x items data) is needed for pearson_baseline; rows_are_users says which side
/// M's rows are; n_jobs threads (0: all); `progress` hears of the rows done.
inline similarities compute_similarities(const csr_matrix<double>& M, const similarity_options& o,
                                         const baselines* b = nullptr, bool rows_are_users = true,
                                         std::size_t n_jobs = 1, const progress_callback& progress = {}) {
  const detail::similarity_setup su = detail::setup_similarities(M, o, b, rows_are_users, detail::no_reduce{});
  const detail::similarity_rule rule = su.rule();
  const csr_matrix<double>& V = su.V;
  const csr_matrix<double>& VT = su.VT;
  const std::size_t n = M.rows;
  const bool dense = su.dense, by_rows = su.by_rows;
  similarities out = detail::similarity_builder::start(n, o, dense);
  // Dense storage: each row's upper part (b > a), then the mirror image, then the neighbour
  // lists from the full rows. Lists only: each full row in a scratch accumulator.
  constexpr std::size_t chunk = detail::similarity_chunk;
  const std::size_t n_chunks = (n + chunk - 1) / chunk;
  detail::similarity_builder lists(n_chunks);
  const auto row_values = [&](std::size_t a, double* acc, detail::pair_sums* s, std::vector<std::pair<double, std::int32_t>>& cand) {
    // acc: the row (dense storage: b > a only) or null; cand: the positive values (lists only).
    const auto from = dense ? static_cast<std::int32_t>(a + 1) : 0;
    const std::size_t lo = dense ? a + 1 : 0;
    if (by_rows) {
      cand.clear();
      std::fill(acc + lo, acc + n, 0.0);
      for (std::size_t p = V.indptr[a]; p < V.indptr[a + 1]; ++p) {
        const auto y = static_cast<std::size_t>(V.indices[p]);
        const double ra = V.values[p];
        for (std::size_t q = detail::first_at_least(VT, y, from); q < VT.indptr[y + 1]; ++q) {
          acc[static_cast<std::size_t>(VT.indices[q])] += ra * VT.values[q];
        }
      }
      const double ia = su.inv_norms[a];
      for (std::size_t b = lo; b < n; ++b) acc[b] *= ia * su.inv_norms[b];
      if (!dense) acc[a] = 0.0;
      return;
    }
    rule.accumulate(V.indices.data() + V.indptr[a], V.values.data() + V.indptr[a], V.indptr[a + 1] - V.indptr[a], VT,
                    *s, from);
    detail::row_from_sums(rule, a, lo, n, *s, acc, cand);
  };
  detail::progress_counter done(progress, "similarities", n);
  if (dense) {
    double* D = detail::similarity_builder::dense_data(out);
    parallel_for(n_chunks, n_jobs, [&](std::size_t c) {
      std::optional<detail::pair_sums> s;
      if (!by_rows) s.emplace(n, rule.squares(), rule.sums());
      std::vector<std::pair<double, std::int32_t>> cand;
      for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) row_values(a, D + a * n, s ? &*s : nullptr, cand);
      done.add(std::min(n, (c + 1) * chunk) - c * chunk);
    });
    detail::mirror_upper(D, n, n_jobs);
    detail::lists_from_dense(D, n, 0, n, o.neighbours, n_jobs, lists);
  } else {
    parallel_for(n_chunks, n_jobs, [&](std::size_t c) {
      std::optional<detail::pair_sums> s;
      if (!by_rows) s.emplace(n, rule.squares(), rule.sums());
      std::vector<double> scratch(by_rows ? n : 0);
      std::vector<std::pair<double, std::int32_t>> cand;
      for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) {
        row_values(a, by_rows ? scratch.data() : nullptr, s ? &*s : nullptr, cand);
        if (by_rows) {
          detail::select_from_row(scratch.data(), n, a, o.neighbours, cand);
        } else {
          detail::select_neighbours(cand, o.neighbours);
        }
        lists.keep(c, cand);
      }
      done.add(std::min(n, (c + 1) * chunk) - c * chunk);
    });
  }
  lists.finish(out);
  return out;
}

namespace detail {
/// Rows per owner in one exchange of compute_similarities across ranks (the same on every
/// rank): bounds the pair sums a rank holds at once.
inline std::size_t similarity_rows_per_round = 256;
}  // namespace detail

/// The similarities of M's rows when its columns are spread over the ranks of `comm`: every
/// rank holds all n rows (the same row ids in the same order) and its own columns (item_knn
/// across ranks: items x each rank's users). Column statistics must be local, so the kinds
/// that centre on column means (adjusted_cosine) need each column on one rank, which holds
/// for users. Rank r owns a contiguous block of rows. In rounds of at most
/// detail::similarity_rows_per_round rows per owner, every rank sends each owner the pair
/// sums of the upper triangle of that owner's rows (pairs a < b) over its own columns (count,
/// products and, by kind, squares and sums, for each pair that shares a column); the owner
/// adds them in rank order and computes the similarities as one process does. Every
/// similarity is symmetric to the last bit, so the lower triangle is the mirror image:
/// dense storage gathers the upper rows on every rank and finishes the table as one
/// process does; neighbour lists alone send each positive similarity to the owner of its
/// lower-triangle row, and the lists are gathered. Sums of whole numbers (0/1, counts,
/// integer ratings; halves and quarters likewise) make the one-process table bit for bit;
/// otherwise the pair sums differ from one process's by their rounding only.
/// `progress` hears of this rank's rows.
template <communicator C>
similarities compute_similarities(C& comm, const csr_matrix<double>& M, const similarity_options& o,
                                  const baselines* b = nullptr, bool rows_are_users = true, std::size_t n_jobs = 1,
                                  const progress_callback& progress = {}) {
  if constexpr (std::is_same_v<std::remove_cv_t<C>, local_communicator>) {
    return compute_similarities(M, o, b, rows_are_users, n_jobs, progress);
  } else {
    namespace dd = distributed::detail;
    using candidates = std::vector<std::pair<double, std::int32_t>>;
    const auto reduce = [&](std::span<double> v) { comm.allreduce_sum(v); };
    const detail::similarity_setup su = detail::setup_similarities(M, o, b, rows_are_users, reduce);
    const detail::similarity_rule rule = su.rule();
    const csr_matrix<double>& V = su.V;
    const std::size_t n = M.rows;
    const auto ranks = static_cast<std::size_t>(comm.size()), me = static_cast<std::size_t>(comm.rank());
    // Owner r: rows [first(r), first(r + 1)), bounds that give each owner about as many
    // upper-triangle pairs (row a has n - a - 1 of them).
    std::vector<std::size_t> bound(ranks + 1, n);
    for (std::size_t r = 0; r < ranks; ++r) {
      const double left = 1.0 - static_cast<double>(r) / static_cast<double>(ranks);
      bound[r] = std::min(n, static_cast<std::size_t>(std::llround(static_cast<double>(n) * (1.0 - std::sqrt(left)))));
    }
    const auto first = [&](std::size_t r) { return bound[r]; };
    const auto owner = [&](std::size_t a) {
      return static_cast<std::size_t>(std::upper_bound(bound.begin(), bound.end() - 1, a) - bound.begin()) - 1;
    };
    const std::size_t lo = first(me), hi = first(me + 1);
    const std::size_t per_round = std::max<std::size_t>(detail::similarity_rows_per_round, 1);
    constexpr std::size_t chunk = 32;
    std::size_t widest = 0;
    for (std::size_t r = 0; r < ranks; ++r) widest = std::max(widest, first(r + 1) - first(r));
    const std::size_t rounds = (widest + per_round - 1) / per_round;
    const bool squares = rule.squares(), sums = rule.sums();
    // One pair's bytes: column, count, products, squares, sums.
    const std::size_t entry = 2 * sizeof(std::uint32_t) + sizeof(double) * (1 + (squares ? 2 : 0) + (sums ? 2 : 0));
    std::vector<double> my_rows(su.dense ? (hi - lo) * n : 0, 0.0);  // upper triangles
    std::vector<candidates> upper(su.dense ? 0 : hi - lo);           // positive upper values
    detail::progress_counter done(progress, "similarities", hi - lo);
    std::vector<std::vector<char>> bytes;  // kept across rounds: their pages are reused
    std::vector<char> send;
    for (std::size_t t = 0; t < rounds; ++t) {
      // This rank's pair sums of every owner's rows of the round: records (row, count, then
      // per pair: column, count, products, squares, sums), in row order, in chunks.
      const auto round_rows = [&](std::size_t r) {
        const std::size_t b0 = std::min(first(r) + t * per_round, first(r + 1));
        return std::pair{b0, std::min(b0 + per_round, first(r + 1))};
      };
      std::vector<std::pair<std::size_t, std::size_t>> pieces;  // [a0, a1) of one owner
      for (std::size_t r = 0; r < ranks; ++r) {
        const auto [a0, a1] = round_rows(r);
        for (std::size_t a = a0; a < a1; a += chunk) pieces.emplace_back(a, std::min(a1, a + chunk));
      }
      if (bytes.size() < pieces.size()) bytes.resize(pieces.size());
      parallel_for(pieces.size(), n_jobs, [&](std::size_t c) {
        detail::pair_sums s(n, squares, sums);
        std::vector<char>& out = bytes[c];
        out.clear();
        for (std::size_t a = pieces[c].first; a < pieces[c].second; ++a) {
          rule.accumulate(V.indices.data() + V.indptr[a], V.values.data() + V.indptr[a], V.indptr[a + 1] - V.indptr[a],
                          su.VT, s, static_cast<std::int32_t>(a + 1));
          if (s.touched.empty()) continue;
          std::size_t at = out.size();
          out.resize(at + 2 * sizeof(std::uint32_t) + s.touched.size() * entry);
          const auto write = [&](const auto v) {
            std::memcpy(out.data() + at, &v, sizeof v);
            at += sizeof v;
          };
          write(static_cast<std::uint32_t>(a));
          write(static_cast<std::uint32_t>(s.touched.size()));
          for (const auto bj : s.touched) {
            const auto j = static_cast<std::size_t>(bj);
            write(bj);
            write(s.freq[j]);
            write(s.prod[j]);
            if (squares) write(s.sqi[j]), write(s.sqj[j]);
            if (sums) write(s.si[j]), write(s.sj[j]);
          }
          s.clear();
        }
      });
      send.clear();
      std::vector<std::size_t> counts(ranks, 0);
      for (std::size_t c = 0; c < pieces.size(); ++c) {
        counts[owner(pieces[c].first)] += bytes[c].size();
        send.insert(send.end(), bytes[c].begin(), bytes[c].end());
      }
      const std::vector<char> got = comm.alltoallv(std::span<const char>(send), counts);
      // Records arrive in rank order: each owned row's records, in the order to add them.
      const auto mine_now = round_rows(me);
      const std::size_t m0 = mine_now.first, m1 = mine_now.second;  // lambdas capture them (clang 14)
      std::vector<std::vector<std::size_t>> records(m1 - m0);
      {
        dd::reader in(got, "compute_similarities");
        std::size_t at = 0;
        while (!in.done()) {
          const auto a = in.get<std::uint32_t>();
          const auto k = in.get<std::uint32_t>();
          if (a < m0 || a >= m1) throw distributed_error("compute_similarities: a rank sent row " + std::to_string(a) + ", not owned here");
          records[a - m0].push_back(at);
          in.skip(static_cast<std::size_t>(k) * entry);
          at += 2 * sizeof(std::uint32_t) + static_cast<std::size_t>(k) * entry;
        }
      }
      parallel_for((m1 - m0 + chunk - 1) / chunk, n_jobs, [&](std::size_t c) {
        detail::pair_sums s(n, squares, sums);
        candidates cand;
        const std::size_t a0 = m0 + c * chunk, a1 = std::min(m1, a0 + chunk);
        for (std::size_t a = a0; a < a1; ++a) {
          for (const std::size_t at : records[a - m0]) {
            dd::reader in(std::span<const char>(got).subspan(at), "compute_similarities");
            in.get<std::uint32_t>();
            const auto k = in.get<std::uint32_t>();
            for (std::uint32_t q = 0; q < k; ++q) {
              const auto bj = in.get<std::int32_t>();
              if (bj <= static_cast<std::int32_t>(a) || static_cast<std::size_t>(bj) >= n) {
                throw distributed_error("compute_similarities: a pair outside the upper triangle");
              }
              const auto j = static_cast<std::size_t>(bj);
              if (s.freq[j] == 0) s.touched.push_back(bj);
              s.freq[j] += in.get<std::uint32_t>();
              s.prod[j] += in.get<double>();
              if (squares) s.sqi[j] += in.get<double>(), s.sqj[j] += in.get<double>();
              if (sums) s.si[j] += in.get<double>(), s.sj[j] += in.get<double>();
            }
          }
          detail::row_from_sums(rule, a, a + 1, n, s, su.dense ? my_rows.data() + (a - lo) * n : nullptr, cand);
          if (!su.dense) upper[a - lo] = cand;
        }
        done.add(a1 - a0);
      });
    }
    similarities out = detail::similarity_builder::start(n, o, su.dense);
    std::vector<char> mine;  // this rank's neighbour lists: (count, (index, similarity)...) per row
    if (su.dense) {
      // Every rank: the upper rows of every owner, mirrored as in one process; this rank's
      // rows' lists.
      std::vector<char> rows(my_rows.size() * sizeof(double));
      if (!my_rows.empty()) std::memcpy(rows.data(), my_rows.data(), rows.size());
      std::vector<double>().swap(my_rows);
      const auto gathered = comm.allgatherv(std::span<const char>(rows));
      double* D = detail::similarity_builder::dense_data(out);
      for (std::size_t r = 0; r < ranks; ++r) {
        if (gathered[r].size() != (first(r + 1) - first(r)) * n * sizeof(double)) {
          throw distributed_error("compute_similarities: rank " + std::to_string(r) + " sent another number of rows");
        }
        if (!gathered[r].empty()) std::memcpy(D + first(r) * n, gathered[r].data(), gathered[r].size());
      }
      detail::mirror_upper(D, n, n_jobs);
      detail::similarity_builder lists((hi - lo + detail::similarity_chunk - 1) / detail::similarity_chunk);
      detail::lists_from_dense(D, n, lo, hi, o.neighbours, n_jobs, lists);
      for (std::size_t c = 0; c < lists.len.size(); ++c) {
        std::size_t q = 0;
        for (const auto l : lists.len[c]) {
          dd::put(mine, static_cast<std::uint64_t>(l));
          for (std::size_t e = 0; e < l; ++e, ++q) dd::put(mine, lists.idx[c][q]), dd::put(mine, lists.sim[c][q]);
        }
      }
    } else {
      // Each positive upper value (a, b) to the owner of row b as (b, a), then each owned
      // row's candidates from both triangles.
      std::vector<std::vector<char>> to(ranks);
      for (std::size_t a = lo; a < hi; ++a) {
        for (const auto& [v, bj] : upper[a - lo]) {
          auto& out_r = to[owner(static_cast<std::size_t>(bj))];
          dd::put(out_r, bj);
          dd::put(out_r, static_cast<std::int32_t>(a));
          dd::put(out_r, v);
        }
      }
      std::vector<char> send;
      std::vector<std::size_t> counts(ranks);
      for (std::size_t r = 0; r < ranks; ++r) {
        counts[r] = to[r].size();
        send.insert(send.end(), to[r].begin(), to[r].end());
      }
      const std::vector<char> got = comm.alltoallv(std::span<const char>(send), counts);
      dd::reader in(got, "compute_similarities");
      while (!in.done()) {
        const auto row = in.get<std::int32_t>();
        const auto col = in.get<std::int32_t>();
        const double v = in.get<double>();
        if (row < static_cast<std::int32_t>(lo) || row >= static_cast<std::int32_t>(hi) || col < 0 || col >= row) {
          throw distributed_error("compute_similarities: a mirrored pair outside this rank's lower triangle");
        }
        upper[static_cast<std::size_t>(row) - lo].emplace_back(v, col);
      }
      for (std::size_t a = lo; a < hi; ++a) {
        candidates& cand = upper[a - lo];
        detail::select_neighbours(cand, o.neighbours);
        dd::put(mine, static_cast<std::uint64_t>(cand.size()));
        for (const auto& [v, j] : cand) dd::put(mine, j), dd::put(mine, v);
      }
    }
    detail::similarity_builder all(1);
    const auto gathered = comm.allgatherv(std::span<const char>(mine));
    for (std::size_t r = 0; r < ranks; ++r) {
      dd::reader in(gathered[r], "compute_similarities");
      candidates cand;
      for (std::size_t a = first(r); a < first(r + 1); ++a) {
        const auto l = in.get<std::uint64_t>();
        if (l > n) throw distributed_error("compute_similarities: a neighbour list longer than the rows");
        cand.clear();
        for (std::uint64_t e = 0; e < l; ++e) {
          const auto j = in.get<std::int32_t>();
          cand.emplace_back(in.get<double>(), j);
        }
        all.keep(0, cand);
      }
      if (!in.done()) throw distributed_error("compute_similarities: rank " + std::to_string(r) + " sent more than its rows");
    }
    all.finish(out);
    return out;
  }
}

namespace detail {
inline void check_similarity_input(const interactions& data, const char* owner) {
  if (data.n_users() == 0 || data.n_items() == 0 || data.nnz() == 0) {
    throw shape_error(std::string(owner) + ": expected interactions with at least one user, item and value, got " +
                      std::to_string(data.n_users()) + " users, " + std::to_string(data.n_items()) + " items, " +
                      std::to_string(data.nnz()) + " values");
  }
}
}  // namespace detail

/// Users x users. Baselines for pearson_baseline are fitted with `bo`.
inline similarities user_similarities(const interactions& data, const similarity_options& o = {},
                                      const baseline_options& bo = {}, std::size_t n_jobs = 1) {
  detail::check_similarity_input(data, "user_similarities");
  const csr_matrix<double>& R = data.matrix();
  baselines b;
  if (o.kind == similarity_kind::pearson_baseline) b = fit_baselines(R, R.transpose(), bo);
  return compute_similarities(R, o, &b, true, n_jobs);
}

/// Items x items. Baselines for pearson_baseline are fitted with `bo`.
inline similarities item_similarities(const interactions& data, const similarity_options& o = {},
                                      const baseline_options& bo = {}, std::size_t n_jobs = 1) {
  detail::check_similarity_input(data, "item_similarities");
  const csr_matrix<double> RT = data.matrix().transpose();
  baselines b;
  if (o.kind == similarity_kind::pearson_baseline) b = fit_baselines(data.matrix(), RT, bo);
  return compute_similarities(RT, o, &b, false, n_jobs);
}

}  // namespace clm
