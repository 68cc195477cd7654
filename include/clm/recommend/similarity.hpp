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
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/progress.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/interactions.hpp"

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

/// The mean of v[0..n) (0 for n = 0), finite wherever the values are.
inline double mean_of(const double* v, std::size_t n) {
  if (n == 0) return 0.0;
  const double count = static_cast<double>(n);
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) s += v[k];
  if (std::isfinite(s)) return s / count;
  const double scale = overflow_scale(v, n);
  if (scale == 0.0) return s / count;
  double sm = 0.0;
  for (std::size_t k = 0; k < n; ++k) sm += v[k] / scale;
  return sm / count * scale;
}

/// The population standard deviation of v[0..n) about its mean m (0 for n = 0), finite
/// wherever the values are.
inline double deviation_about(const double* v, std::size_t n, double m) {
  if (n == 0) return 0.0;
  const double count = static_cast<double>(n);
  double ss = 0.0;
  for (std::size_t k = 0; k < n; ++k) ss += (v[k] - m) * (v[k] - m);
  if (std::isfinite(ss)) return std::sqrt(ss / count);
  const double scale = overflow_scale(v, n);
  if (scale == 0.0) return std::sqrt(ss / count);
  double sss = 0.0;
  for (std::size_t k = 0; k < n; ++k) sss += (v[k] / scale - m / scale) * (v[k] / scale - m / scale);
  return std::sqrt(sss / count) * scale;
}

/// The mean and population standard deviation of v[0..n) ({0, 0} for n = 0).
inline std::pair<double, double> mean_and_deviation(const double* v, std::size_t n) {
  const double m = mean_of(v, n);
  return {m, deviation_about(v, n, m)};
}

/// The mean of the stored values (0 for an empty matrix).
inline double mean_value(const csr_matrix<double>& R) { return mean_of(R.values.data(), R.nnz()); }

/// Baselines by Surprise's alternating least squares on R (users x items) and RT (its transpose).
inline baselines fit_baselines(const csr_matrix<double>& R, const csr_matrix<double>& RT, const baseline_options& o) {
  o.validate();
  baselines b;
  b.global_mean = mean_value(R);
  b.user.assign(R.rows, 0.0);
  b.item.assign(R.cols, 0.0);
  const double mu = b.global_mean;
  for (std::size_t e = 0; e < o.n_epochs; ++e) {
    for (std::size_t i = 0; i < RT.rows; ++i) {
      double dev = 0.0;
      for (std::size_t k = RT.row_begin(i); k < RT.row_end(i); ++k) {
        dev += RT.values[k] - mu - b.user[static_cast<std::size_t>(RT.indices[k])];
      }
      b.item[i] = dev / (o.reg_i + static_cast<double>(RT.row_end(i) - RT.row_begin(i)));
    }
    for (std::size_t u = 0; u < R.rows; ++u) {
      double dev = 0.0;
      for (std::size_t k = R.row_begin(u); k < R.row_end(u); ++k) {
        dev += R.values[k] - mu - b.item[static_cast<std::size_t>(R.indices[k])];
      }
      b.user[u] = dev / (o.reg_u + static_cast<double>(R.row_end(u) - R.row_begin(u)));
    }
  }
  return b;
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
  friend similarities compute_similarities(const csr_matrix<double>&, const similarity_options&, const baselines*,
                                           bool, std::size_t, const progress_callback&);
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
  const std::vector<double>* norms;   // zero-filled: each row's norm
  const std::vector<double>* counts;  // jaccard: each row's stored count

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

  /// The similarity of the accumulated row (norm_a, count_a: its own) with row b.
  double value(const pair_sums& s, std::size_t b, double norm_a, double count_a) const {
    const double n = s.freq[b];
    if (s.freq[b] < min_support || s.freq[b] == 0) return 0.0;
    const auto ratio = [](double num, double den2) { return den2 > 0.0 ? num / std::sqrt(den2) : 0.0; };
    if (kind == similarity_kind::jaccard) return n / (count_a + (*counts)[b] - n);
    if (kind == similarity_kind::msd) return 1.0 / (s.prod[b] / n + 1.0);
    if (mode == similarity_mode::zero_filled) {
      const double d = norm_a * (*norms)[b];
      return d > 0.0 ? s.prod[b] / d : 0.0;
    }
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
inline csr_matrix<double> similarity_values(const csr_matrix<double>& M, similarity_kind kind, similarity_mode mode,
                                            const baselines* b, bool rows_are_users) {
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
    for (std::size_t a = 0; a < V.rows; ++a) {
      const std::size_t b0 = V.row_begin(a), b1 = V.row_end(a);
      double s = 0.0;
      for (std::size_t k = b0; k < b1; ++k) s += V.values[k];
      const double m = b1 > b0 ? s / static_cast<double>(b1 - b0) : 0.0;
      for (std::size_t k = b0; k < b1; ++k) V.values[k] -= m;
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

/// Similarities between the rows of M (compared over its columns). `b` (the baselines of
/// the users x items data) is needed for pearson_baseline; rows_are_users says which side
/// M's rows are; n_jobs threads (0: all); `progress` hears of the rows done.
inline similarities compute_similarities(const csr_matrix<double>& M, const similarity_options& o,
                                         const baselines* b = nullptr, bool rows_are_users = true,
                                         std::size_t n_jobs = 1, const progress_callback& progress = {}) {
  o.validate();
  if (o.kind == similarity_kind::pearson_baseline && b == nullptr) {
    throw invalid_argument("compute_similarities: pearson_baseline needs the baselines");
  }
  const std::size_t n = M.rows;
  if (n > static_cast<std::size_t>(INT32_MAX)) throw shape_error("compute_similarities: more than 2^31 - 1 rows");
  const csr_matrix<double> V = detail::similarity_values(M, o.kind, o.mode, b, rows_are_users);
  const csr_matrix<double> VT = V.transpose();
  std::vector<double> norms(n, 0.0), counts(n, 0.0);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t k = V.row_begin(a); k < V.row_end(a); ++k) norms[a] += V.values[k] * V.values[k];
    norms[a] = std::sqrt(norms[a]);
    counts[a] = static_cast<double>(V.row_end(a) - V.row_begin(a));
  }
  const detail::similarity_rule rule{o.kind, o.mode, o.min_support, o.shrinkage, &norms, &counts};

  similarities out;
  out.n_ = n;
  out.options_ = o;
  const bool dense = o.storage == similarity_storage::dense || (o.storage == similarity_storage::automatic && n <= 4096);
  if (dense) out.dense_ = detail::empty_matrix<double>(n, n);
  // Zero-filled cosines need no counts: each row accumulates straight into a dense row (the
  // output's own, or a scratch one when most pairs share a column), finished in one pass.
  double work = 0.0;
  for (std::size_t y = 0; y < VT.rows; ++y) {
    const auto c = static_cast<double>(VT.row_end(y) - VT.row_begin(y));
    work += c * c;
  }
  const bool by_rows = o.mode == similarity_mode::zero_filled && o.kind != similarity_kind::jaccard &&
                       o.min_support <= 1 && (dense || work >= 0.25 * static_cast<double>(n) * static_cast<double>(n));
  std::vector<double> inv_norm(n);
  for (std::size_t a = 0; a < n; ++a) inv_norm[a] = norms[a] > 0.0 ? 1.0 / norms[a] : 0.0;
  // Dense storage: each row's upper part (b > a), then the mirror image, then the neighbour
  // lists from the full rows. Lists only: each full row in a scratch accumulator.
  constexpr std::size_t chunk = 64;
  const std::size_t n_chunks = (n + chunk - 1) / chunk;
  std::vector<std::vector<std::int32_t>> idx(n_chunks);
  std::vector<std::vector<double>> sim(n_chunks);
  std::vector<std::vector<std::size_t>> len(n_chunks);
  const auto row_values = [&](std::size_t a, double* acc, detail::pair_sums* s, std::vector<std::pair<double, std::int32_t>>& cand) {
    // acc: the row (dense storage: b > a only) or null; cand: the positive values (lists only).
    const auto from = dense ? static_cast<std::int32_t>(a + 1) : 0;
    const std::size_t lo = dense ? a + 1 : 0;
    cand.clear();
    if (by_rows) {
      std::fill(acc + lo, acc + n, 0.0);
      for (std::size_t p = V.indptr[a]; p < V.indptr[a + 1]; ++p) {
        const auto y = static_cast<std::size_t>(V.indices[p]);
        const double ra = V.values[p];
        for (std::size_t q = detail::first_at_least(VT, y, from); q < VT.indptr[y + 1]; ++q) {
          acc[static_cast<std::size_t>(VT.indices[q])] += ra * VT.values[q];
        }
      }
      const double ia = inv_norm[a];
      for (std::size_t b = lo; b < n; ++b) acc[b] *= ia * inv_norm[b];
      if (!dense) acc[a] = 0.0;
      return;
    }
    if (acc != nullptr) std::fill(acc + lo, acc + n, 0.0);
    rule.accumulate(V.indices.data() + V.indptr[a], V.values.data() + V.indptr[a], V.indptr[a + 1] - V.indptr[a], VT,
                    *s, from);
    for (const auto bj : s->touched) {
      const auto j = static_cast<std::size_t>(bj);
      if (j == a) continue;
      const double v = rule.value(*s, j, norms[a], counts[a]);
      if (acc != nullptr) acc[j] = v;
      if (v > 0.0) cand.emplace_back(v, bj);
    }
    s->clear();
  };
  const auto keep = [&](std::size_t c, const std::vector<std::pair<double, std::int32_t>>& cand) {
    for (const auto& [v, j] : cand) {
      idx[c].push_back(j);
      sim[c].push_back(v);
    }
    len[c].push_back(cand.size());
  };
  detail::progress_counter done(progress, "similarities", n);
  if (dense) {
    parallel_for(n_chunks, n_jobs, [&](std::size_t c) {
      std::optional<detail::pair_sums> s;
      if (!by_rows) s.emplace(n, rule.squares(), rule.sums());
      std::vector<std::pair<double, std::int32_t>> cand;
      for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) {
        row_values(a, out.dense_.data() + a * n, s ? &*s : nullptr, cand);
      }
      done.add(std::min(n, (c + 1) * chunk) - c * chunk);
    });
    // The lower triangle from the upper, in tiles.
    double* D = out.dense_.data();
    parallel_for(n_chunks, n_jobs, [&](std::size_t c) {
      for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) D[a * n + a] = 1.0;
      for (std::size_t b0 = 0; b0 <= c * chunk; b0 += chunk) {
        for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) {
          for (std::size_t b = b0; b < std::min(a, b0 + chunk); ++b) D[a * n + b] = D[b * n + a];
        }
      }
    });
    parallel_for(n_chunks, n_jobs, [&](std::size_t c) {
      std::vector<std::pair<double, std::int32_t>> cand;
      for (std::size_t a = c * chunk; a < std::min(n, (c + 1) * chunk); ++a) {
        detail::select_from_row(D + a * n, n, a, o.neighbours, cand);
        keep(c, cand);
      }
    });
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
        keep(c, cand);
      }
      done.add(std::min(n, (c + 1) * chunk) - c * chunk);
    });
  }
  out.indptr_.assign(1, 0);
  out.indptr_.reserve(n + 1);
  for (std::size_t c = 0; c < n_chunks; ++c) {
    for (const auto l : len[c]) out.indptr_.push_back(out.indptr_.back() + l);
    out.index_.insert(out.index_.end(), idx[c].begin(), idx[c].end());
    out.sims_.insert(out.sims_.end(), sim[c].begin(), sim[c].end());
  }
  return out;
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
