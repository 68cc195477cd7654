#pragma once
// clm::kmeans<T>: Lloyd's k-means with scikit-learn 1.2's semantics (KMeans,
// algorithm="lloyd").
//
//   params       k, init (kmeans_plus_plus: the greedy variant with 2 + floor(ln k) trials per
//                centre; random: k distinct rows; given: init_centers, a k x d matrix),
//                n_init (0: 1 for k-means++ and given centres, 10 for random), max_iter, tol,
//                seed, n_jobs
//   fit(X)       for each of n_init starts, Lloyd iterations until the labels stop changing
//                or the squared centre shift sum is <= tol * mean column variance (as
//                scikit-learn), then one more assignment so labels match the final centres;
//                the start with the lowest inertia wins
//   centers(), labels(), inertia(), n_iter()   labels and predict() are integer cluster
//                                              indices 0 .. k-1 (cluster_labels, int32 as
//                                              scikit-learn's)
//   predict(X)   nearest centre per row (ties: the lower index), as a vector<T>
//   transform(X) Euclidean distances to every centre, n x k
//
// Distances are ||x||^2 - 2 x.c + ||c||^2 with x.c from BLAS gemm on blocks of 256 rows
// (written out instead when k x d <= 256, where gemm's packing costs more than the products); the
// blocks are grouped in a fixed number of chunks, run in parallel (n_jobs, BLAS held to one
// thread) and reduced in chunk order, so results do not depend on the thread count. A cluster
// left empty takes the row farthest from its centre (scikit-learn's relocation).
// Errors: fewer rows than k, NaN or Inf (numeric_error), init_centers of the wrong size.
// Fewer distinct rows than k gives coinciding centres (scikit-learn warns; here the
// duplicates' clusters stay empty and take relocated rows).
//
// fit(comm, X) (clm/distributed/communicator.hpp): the fit of the rows held across the ranks
// of a communicator, equal to the one-process fit on all rows in rank order.
//
// kmeans_sweep(X, ks, params): inertia and silhouette for each k.
// minibatch_kmeans<T> (minibatch_kmeans.hpp): the same model fitted by mini-batches, with
// partial_fit for data that arrives in pieces.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "clm/core/blas.hpp"
#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/random.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/metrics/clustering.hpp"
#include "clm/preprocessing/detail/columnwise.hpp"

namespace clm {

enum class kmeans_init : std::uint8_t { kmeans_plus_plus, random, given };

/// Cluster indices per row, 0 .. k-1.
using cluster_labels = vector<std::int32_t>;

struct kmeans_params {
  std::size_t k = 8;
  kmeans_init init = kmeans_init::kmeans_plus_plus;
  matrix<double> init_centers = matrix<double>::from_shape({0, 0});  ///< k x d, for init = given
  std::size_t n_init = 0;            ///< 0: 1 for k-means++ and given, 10 for random
  std::size_t max_iter = 300;
  double tol = 1e-4;
  std::uint64_t seed = 0;
  std::size_t n_jobs = 1;  ///< threads for the assignment step (0: all)

  void validate() const {
    require_param(k >= 1, "kmeans", "k", k, ">= 1");
    require_param(static_cast<int>(init) <= 2, "kmeans", "init", static_cast<int>(init),
                  "kmeans_plus_plus, random or given");
    require_param(init != kmeans_init::given || (init_centers.shape()[0] == k && init_centers.shape()[1] >= 1), "kmeans",
                  "init_centers", std::to_string(init_centers.shape()[0]) + " x " + std::to_string(init_centers.shape()[1]),
                  "k = " + std::to_string(k) + " rows for init = given");
    require_param(max_iter >= 1, "kmeans", "max_iter", max_iter, ">= 1");
    require_param(tol >= 0.0 && std::isfinite(tol), "kmeans", "tol", tol, "finite and >= 0");
  }
  friend bool operator==(const kmeans_params&, const kmeans_params&) = default;
};

namespace detail {

/// Labels in a model file: integers from serial version 2 on, values of T before.
template <class T, class A>
void serialize_labels(A& ar, cluster_labels& labels, std::size_t k, const char* owner) {
  if (ar.version() >= 2) {
    ar(labels);
  } else {
    vector<T> old;
    if constexpr (!A::loading) old = xt::cast<T>(labels);
    ar(old);
    if constexpr (A::loading) {
      for (const auto l : old) ar.check(l >= 0 && l < static_cast<T>(k), std::string(owner) + ": a label names no centre");
      labels = xt::cast<std::int32_t>(old);
    }
  }
  for (const auto l : labels) {
    ar.check(l >= 0 && static_cast<std::size_t>(l) < k, std::string(owner) + ": a label names no centre");
  }
}

template <class T>
struct kmeans_state {
  std::size_t n_features_in = 0;
  matrix<T> centers;
  cluster_labels labels;
  double inertia = 0.0;
  std::size_t n_iter = 0;

  template <class A>
  void serialize(A& ar) {
    ar(n_features_in, centers);
    ar.check(centers.dimension() == 2 && centers.shape()[1] == n_features_in && centers.shape()[0] >= 1 &&
                 n_features_in > 0,
             "kmeans: centres do not match the feature count");
    serialize_labels<T>(ar, labels, centers.shape()[0], "kmeans");
    ar(inertia, n_iter);
    for (auto c : centers) ar.check(std::isfinite(c), "kmeans: a centre is not finite");
  }
};

/// Distances are computed from squared norms: a row whose squared norm overflows is refused.
template <class M>
void check_squares(const M& X, const char* owner, const char* method) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (std::size_t j = 0; j < d; ++j) s += static_cast<double>(X(i, j)) * static_cast<double>(X(i, j));
    if (!std::isfinite(s)) {
      throw numeric_error(std::string(owner) + "." + method + ": row " + std::to_string(i) +
                          " is too large (its squared norm overflows); expected values whose squares are finite");
    }
  }
}

/// One assignment pass: labels (and, given the rows' squared norms, each row's squared
/// distance) for the centres C (k x d), optionally the per-cluster sums and counts.
struct kmeans_pass {
  std::vector<std::int64_t> labels;
  std::vector<double> dist2;  // squared distance of each row to its centre (when norms are given)
  std::size_t changed = 0;    // labels that differ from the pass before (all, the first time)
  std::vector<double> sums;   // k x d
  std::vector<double> counts;
};

inline void kmeans_assign(const matrix<double>& X, const std::vector<double>& x_norm2, const std::vector<double>& C,
                          std::size_t k, bool accumulate, std::size_t n_jobs, kmeans_pass& out) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  constexpr std::size_t block = 256;  // a multiple of 32 (the small case's row groups)
  const std::size_t n_blocks = (n + block - 1) / block;
  const std::size_t n_chunks = std::min<std::size_t>(16, n_blocks);
  std::vector<double> c_norm2(k, 0.0);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < d; ++j) c_norm2[c] += C[c * d + j] * C[c * d + j];
  }
  // The first pass starts from -1 everywhere, so every label counts as changed.
  if (out.labels.size() != n) out.labels.assign(n, -1);
  const bool want_dist = !x_norm2.empty();
  if (want_dist) out.dist2.resize(n);
  std::vector<std::size_t> changed(n_chunks, 0);
  std::vector<std::vector<double>> sums(n_chunks), counts(n_chunks);
  const bool small = k * d <= 256;  // a few dozen products per row: BLAS's packing would cost more
  parallel_for(n_chunks, n_jobs, [&](std::size_t chunk) {
    // G: block x k products (BLAS, row-major) or k x block (small case, centre-major); XT
    // (small case): the block transposed, d x block, so the products run along rows.
    std::vector<double> G(block * k), XT(small ? d * block : 0), best_v(block);
    std::vector<std::int64_t> best_c(block);
    if (accumulate) {
      sums[chunk].assign(k * d, 0.0);
      counts[chunk].assign(k, 0.0);
    }
    const std::size_t b0 = chunk * n_blocks / n_chunks, b1 = (chunk + 1) * n_blocks / n_chunks;
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t r0 = b * block, rows = std::min(block, n - r0);
      if (small) {
        const double* xb = X.data() + r0 * d;
        for (std::size_t j = 0; j < d; ++j) {  // contiguous writes; the block's rows stay in L1
          double* col = XT.data() + j * block;
          for (std::size_t i = 0; i < rows; ++i) col[i] = xb[i * d + j];
        }
        // Per centre, 32 rows at a time: four independent vector sums in registers across the
        // columns (one chain would wait on each multiply-add's latency).
        for (std::size_t c = 0; c < k; ++c) {
          double* g = G.data() + c * block;
          const double* w = C.data() + c * d;
          for (std::size_t i0 = 0; i0 < rows; i0 += 32) {
            double acc[32] = {};
            for (std::size_t j = 0; j < d; ++j) {
              const double* xt = XT.data() + j * block + i0;
              const double wj = w[j];
              for (int l = 0; l < 32; ++l) acc[l] += xt[l] * wj;
            }
            for (int l = 0; l < 32; ++l) g[i0 + l] = acc[l];
          }
        }
        for (std::size_t i = 0; i < rows; ++i) {
          best_v[i] = c_norm2[0] - 2.0 * G[i];
          best_c[i] = 0;
        }
        for (std::size_t c = 1; c < k; ++c) {
          const double* g = G.data() + c * block;
          for (std::size_t i = 0; i < rows; ++i) {
            const double v = c_norm2[c] - 2.0 * g[i];
            const bool better = v < best_v[i];  // ties keep the lower index
            best_v[i] = better ? v : best_v[i];
            best_c[i] = better ? static_cast<std::int64_t>(c) : best_c[i];
          }
        }
      } else {
        blas::gemm(blas::op::none, blas::op::transpose, rows, k, d, 1.0, X.data() + r0 * d, d, C.data(), d, 0.0,
                   G.data(), k);
        for (std::size_t i = 0; i < rows; ++i) {
          std::size_t best = 0;
          double v_best = c_norm2[0] - 2.0 * G[i * k];
          for (std::size_t c = 1; c < k; ++c) {
            const double v = c_norm2[c] - 2.0 * G[i * k + c];
            if (v < v_best) v_best = v, best = c;
          }
          best_v[i] = v_best;
          best_c[i] = static_cast<std::int64_t>(best);
        }
      }
      for (std::size_t i = 0; i < rows; ++i) {
        changed[chunk] += out.labels[r0 + i] != best_c[i];
        out.labels[r0 + i] = best_c[i];
        if (want_dist) out.dist2[r0 + i] = std::max(0.0, best_v[i] + x_norm2[r0 + i]);
      }
      if (accumulate) {
        for (std::size_t i = 0; i < rows; ++i) {
          const double* x = X.data() + (r0 + i) * d;
          double* sm = sums[chunk].data() + static_cast<std::size_t>(best_c[i]) * d;
          for (std::size_t j = 0; j < d; ++j) sm[j] += x[j];
          counts[chunk][static_cast<std::size_t>(best_c[i])] += 1.0;
        }
      }
    }
  });
  out.changed = 0;
  for (const std::size_t c : changed) out.changed += c;
  if (accumulate) {
    out.sums.assign(k * d, 0.0);
    out.counts.assign(k, 0.0);
    for (std::size_t chunk = 0; chunk < n_chunks; ++chunk) {
      for (std::size_t v = 0; v < k * d; ++v) out.sums[v] += sums[chunk][v];
      for (std::size_t c = 0; c < k; ++c) out.counts[c] += counts[chunk][c];
    }
  }
}

/// The nearest of the centres (k x d) for each row of X (ties: the lower index).
template <class T>
cluster_labels nearest_centres(const matrix<T>& Xt, const matrix<T>& centres, std::size_t n_jobs) {
  decltype(auto) X = evaluate<double, 2>(Xt);
  const std::vector<double> C(centres.begin(), centres.end());
  kmeans_pass pass;
  kmeans_assign(X, {}, C, centres.shape()[0], false, n_jobs, pass);  // labels only
  cluster_labels out = cluster_labels::from_shape({pass.labels.size()});
  for (std::size_t i = 0; i < pass.labels.size(); ++i) out(i) = static_cast<std::int32_t>(pass.labels[i]);
  return out;
}

/// Euclidean distances of each row of X to every centre (n x k), from exact differences.
template <class T>
matrix<T> centre_distances(const matrix<T>& X, const matrix<T>& C) {
  const std::size_t n = X.shape()[0], d = X.shape()[1], k = C.shape()[0];
  matrix<T> out = matrix<T>::from_shape({n, k});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < k; ++c) {
      double s = 0.0;
      for (std::size_t j = 0; j < d; ++j) {
        const double diff = static_cast<double>(X(i, j)) - static_cast<double>(C(c, j));
        s += diff * diff;
      }
      out(i, c) = static_cast<T>(std::sqrt(s));
    }
  }
  return out;
}

/// The rows of a matrix split across the ranks of a communicator: this rank's rows, their
/// first global index, and every rank's row count (the global order is rank by rank).
struct sharded_rows {
  const matrix<double>& X;
  std::vector<std::size_t> offsets;  // size + 1 entries: rank r holds [offsets[r], offsets[r + 1])
  int rank = 0;
  std::size_t total() const noexcept { return offsets.back(); }
  std::size_t first() const noexcept { return offsets[static_cast<std::size_t>(rank)]; }
};

template <communicator Cm>
sharded_rows shard_rows(Cm& comm, const matrix<double>& X) {
  return {X, distributed::rank_offsets(comm, X.shape()[0]), comm.rank()};
}

/// Rows of the whole data set, given as one (owner rank, local row) per wanted row, the same
/// list on every rank (the local row need only be right on its owner). Returns the rows in
/// order on every rank (n x d, row-major); each owner sends its own rows in one allgatherv.
template <communicator Cm>
std::vector<double> gather_rows(Cm& comm, const sharded_rows& s,
                                const std::vector<std::pair<int, std::size_t>>& picks) {
  const std::size_t d = s.X.shape()[1];
  std::vector<double> out(picks.size() * d);
  if constexpr (std::is_same_v<std::remove_cv_t<Cm>, local_communicator>) {
    for (std::size_t t = 0; t < picks.size(); ++t) {
      std::copy(s.X.data() + picks[t].second * d, s.X.data() + (picks[t].second + 1) * d,
                out.begin() + static_cast<std::ptrdiff_t>(t * d));
    }
  } else {
    std::vector<double> mine;
    for (const auto& [owner, row] : picks) {
      if (owner == s.rank) mine.insert(mine.end(), s.X.data() + row * d, s.X.data() + (row + 1) * d);
    }
    const auto all = distributed::allgather_doubles(comm, mine);
    std::vector<std::size_t> taken(all.size(), 0);
    for (std::size_t t = 0; t < picks.size(); ++t) {
      const auto& from = all[static_cast<std::size_t>(picks[t].first)];
      auto& at = taken[static_cast<std::size_t>(picks[t].first)];
      if (from.size() < at + d) throw distributed_error("kmeans.fit: a rank sent fewer rows than it was asked for");
      std::copy(from.begin() + static_cast<std::ptrdiff_t>(at), from.begin() + static_cast<std::ptrdiff_t>(at + d),
                out.begin() + static_cast<std::ptrdiff_t>(t * d));
      at += d;
    }
  }
  return out;
}

/// The owner of global row g and its local index.
inline std::pair<int, std::size_t> owner_of(const sharded_rows& s, std::size_t g) {
  const auto r = static_cast<std::size_t>(std::upper_bound(s.offsets.begin(), s.offsets.end(), g) - s.offsets.begin()) - 1;
  return {static_cast<int>(r), g - s.offsets[r]};
}

/// k distinct rows of all ranks' rows, drawn by sample_indices (k x d, row-major).
template <communicator Cm>
std::vector<double> random_rows(Cm& comm, const sharded_rows& s, std::size_t k, random_engine& g) {
  std::vector<std::pair<int, std::size_t>> picks;
  for (const auto row : sample_indices(g, s.total(), k)) picks.push_back(owner_of(s, row));
  return gather_rows(comm, s, picks);
}

/// Greedy k-means++ (scikit-learn's variant): the first centre uniformly, then for each next
/// one the candidate, of 2 + floor(ln k) drawn proportionally to the squared distance to the
/// nearest centre so far, that lowers the total most. Across ranks the draws are those of
/// one process over all rows in rank order: each rank's potential is gathered, the rank
/// holding a draw finds the row in its own running sums and sends it, and the candidates'
/// totals are summed over the ranks.
template <communicator Cm>
std::vector<double> kmeans_plus_plus(Cm& comm, const sharded_rows& s, std::size_t k, random_engine& g) {
  const matrix<double>& X = s.X;
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  const std::size_t ranks = s.offsets.size() - 1;
  std::vector<double> C(k * d);
  const std::size_t trials = 2 + static_cast<std::size_t>(std::log(static_cast<double>(k)));
  auto first = gather_rows(comm, s, {owner_of(s, uniform_index(g, s.total()))});
  std::copy(first.begin(), first.end(), C.begin());
  std::vector<double> closest(n), cum(n), cand(trials * n), u(trials), cand_pot(trials);
  for (std::size_t i = 0; i < n; ++i) closest[i] = squared_distance(X.data() + i * d, first.data(), d);
  std::vector<std::pair<int, std::size_t>> picks(trials);
  for (std::size_t c = 1; c < k; ++c) {
    double local_pot = 0.0;
    for (std::size_t i = 0; i < n; ++i) cum[i] = (local_pot += closest[i]);
    std::vector<double> rank_pot{local_pot};
    if constexpr (!std::is_same_v<std::remove_cv_t<Cm>, local_communicator>) {
      rank_pot.clear();
      for (const auto& p : distributed::allgather_doubles(comm, std::span<const double>(&local_pot, 1))) {
        rank_pot.push_back(p.at(0));
      }
    }
    double pot = 0.0;
    for (const double p : rank_pot) pot += p;
    // The row of each draw: the first whose running sum reaches it (the last row when
    // rounding leaves the draw past every sum).
    for (std::size_t t = 0; t < trials; ++t) {
      u[t] = uniform01(g) * pot;
      double before = 0.0;
      std::size_t r = ranks;
      for (std::size_t q = 0; q < ranks; ++q) {
        if (s.offsets[q + 1] == s.offsets[q]) continue;
        r = q;  // the last rank with rows so far
        if (before + rank_pot[q] >= u[t]) break;
        before += rank_pot[q];
      }
      std::size_t row = 0;
      if (static_cast<int>(r) == s.rank) {
        row = std::min(static_cast<std::size_t>(std::lower_bound(cum.begin(), cum.end(), u[t] - before) - cum.begin()),
                       n - 1);
      }
      picks[t] = {static_cast<int>(r), row};
    }
    const auto rows = gather_rows(comm, s, picks);
    for (std::size_t t = 0; t < trials; ++t) {
      const double* cr = rows.data() + t * d;
      double* ct = cand.data() + t * n;
      double total = 0.0;
      for (std::size_t i = 0; i < n; ++i) total += (ct[i] = std::min(closest[i], squared_distance(X.data() + i * d, cr, d)));
      cand_pot[t] = total;
    }
    comm.allreduce_sum(std::span<double>(cand_pot));
    std::size_t best = 0;
    for (std::size_t t = 1; t < trials; ++t) {
      if (cand_pot[t] < cand_pot[best]) best = t;
    }
    std::copy(rows.begin() + static_cast<std::ptrdiff_t>(best * d), rows.begin() + static_cast<std::ptrdiff_t>((best + 1) * d),
              C.begin() + static_cast<std::ptrdiff_t>(c * d));
    std::copy(cand.begin() + static_cast<std::ptrdiff_t>(best * n), cand.begin() + static_cast<std::ptrdiff_t>((best + 1) * n),
              closest.begin());
  }
  return C;
}

/// Greedy k-means++ over the rows of one process.
inline std::vector<double> kmeans_plus_plus(const matrix<double>& X, std::size_t k, random_engine& g) {
  local_communicator one;
  return kmeans_plus_plus(one, shard_rows(one, X), k, g);
}

}  // namespace detail

template <class T = double>
class kmeans : public detail::transformer_base<kmeans<T>, kmeans_params, detail::kmeans_state<T>, T> {
  using base = detail::transformer_base<kmeans<T>, kmeans_params, detail::kmeans_state<T>, T>;

 public:
  static constexpr const char* name = "kmeans";
  /// 2: integer labels, init_centers as a matrix.
  static constexpr std::uint32_t serial_version = 2;
  static std::string model_kind() { return detail::model_kind_name<T>(name); }
  using base::base;

  template <class E>
  kmeans& fit(const E& X_in) {
    local_communicator one;
    return fit(one, X_in);
  }

  /// The fit of the rows held across the ranks of `comm` (clm/distributed/communicator.hpp),
  /// each rank its own (possibly none, with the columns): every rank gets the centres,
  /// inertia and iteration count of the one-process fit on all rows in rank order, and
  /// labels() of its own rows. The draws of the start are those of one process; each Lloyd
  /// iteration sums the per-cluster sums and counts over the ranks (in rank order, so reruns
  /// are bit-identical), and an empty cluster takes the row farthest from its centre on any
  /// rank. Any rank's error is every rank's distributed_error; parameters or column counts
  /// that differ across ranks are a distributed_error.
  template <communicator C, class E>
  kmeans& fit(C& comm, const E& X_in) {
    this->state_.reset();
    constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
    const auto& p = this->params_;
    matrix<double> owned;
    const matrix<double>* X_ptr = nullptr;
    distributed::run_agreed(comm, "kmeans.fit", [&] {
      decltype(auto) Xt = evaluate<T, 2>(X_in, base::subject("fit"));
      if constexpr (one_process) check_nonempty(Xt, base::subject("fit"));
      base::report_values(Xt, "fit", /*allow_nan=*/false);
      detail::check_squares(Xt, name, "fit");
      if constexpr (std::is_same_v<T, double> && std::is_lvalue_reference_v<decltype(Xt)>) {
        X_ptr = &Xt;  // the caller's matrix
      } else if constexpr (std::is_same_v<T, double>) {
        owned = std::move(Xt);
        X_ptr = &owned;
      } else {
        owned = xt::cast<double>(Xt);
        X_ptr = &owned;
      }
    });
    const matrix<double>& X = *X_ptr;
    const std::size_t n = X.shape()[0], d = X.shape()[1], k = p.k;
    if constexpr (!one_process) {
      distributed::fingerprint params(p.k, p.init, p.n_init, p.max_iter, p.tol, p.seed, d);
      for (const double c : p.init_centers) params.add(c);
      distributed::same_everywhere(comm, "kmeans.fit: the parameters and the column count", params.value());
    }
    const detail::sharded_rows rows = detail::shard_rows(comm, X);
    const std::size_t n_all = rows.total();
    if (n_all < k) {
      throw invalid_argument("kmeans.fit: expected at least k = " + std::to_string(k) + " rows, got " +
                             std::to_string(n_all) + (one_process ? "" : " on all ranks"));
    }
    if (p.init == kmeans_init::given && p.init_centers.shape()[1] != d) {
      throw shape_error("kmeans.fit: init_centers has " + std::to_string(p.init_centers.shape()[1]) +
                        " columns; X has " + std::to_string(d));
    }
    // scikit-learn's tolerance: tol times the mean of the column variances (two row-major
    // passes: the means, then the squared deviations).
    std::vector<double> mean(d, 0.0), var(d, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double* x = X.data() + i * d;
      for (std::size_t j = 0; j < d; ++j) mean[j] += x[j];
    }
    comm.allreduce_sum(std::span<double>(mean));
    for (auto& m : mean) m /= static_cast<double>(n_all);
    for (std::size_t i = 0; i < n; ++i) {
      const double* x = X.data() + i * d;
      for (std::size_t j = 0; j < d; ++j) var[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
    }
    comm.allreduce_sum(std::span<double>(var));
    double mean_var = 0.0;
    for (const double v : var) mean_var += v / static_cast<double>(n_all);
    const double tol = p.tol * mean_var / static_cast<double>(d);
    const std::size_t runs = p.n_init != 0 ? p.n_init : (p.init == kmeans_init::random ? 10 : 1);
    random_engine g(p.seed);
    detail::kmeans_state<T> best;
    bool have = false;
    for (std::size_t run = 0; run < runs; ++run) {
      std::vector<double> centres = initial_centers(comm, rows, g);
      detail::kmeans_pass pass;
      const std::size_t iter = lloyd(comm, X, centres, tol, pass);
      double inertia = 0.0;  // exact differences to the final centres
      for (std::size_t i = 0; i < n; ++i) {
        inertia += detail::squared_distance(X.data() + i * d, centres.data() + static_cast<std::size_t>(pass.labels[i]) * d, d);
      }
      comm.allreduce_sum(std::span<double>(&inertia, 1));
      if (!have || inertia < best.inertia) {
        best.n_features_in = d;
        best.centers = matrix<T>::from_shape({k, d});
        for (std::size_t v = 0; v < k * d; ++v) best.centers.data()[v] = static_cast<T>(centres[v]);
        best.labels = cluster_labels::from_shape({n});
        for (std::size_t i = 0; i < n; ++i) best.labels(i) = static_cast<std::int32_t>(pass.labels[i]);
        best.inertia = inertia;
        best.n_iter = iter;
        have = true;
      }
    }
    this->state_ = std::move(best);
    return *this;
  }

  /// The nearest centre of each row.
  template <class E>
  cluster_labels predict(const E& X_in) const {
    decltype(auto) Xt = this->fitted_input(X_in, "predict", /*allow_nan=*/false);
    detail::check_squares(Xt, name, "predict");
    return detail::nearest_centres(Xt, this->get().centers, this->params_.n_jobs);
  }

  /// Euclidean distances of each row to every centre (n x k).
  template <class E>
  matrix<T> transform(const E& X_in) const {
    decltype(auto) Xt = this->fitted_input(X_in, "transform", /*allow_nan=*/false);
    detail::check_squares(Xt, name, "transform");
    return detail::centre_distances(Xt, this->get().centers);
  }

  const matrix<T>& centers() const { return this->get().centers; }
  /// The training rows' clusters, 0 .. k-1.
  const cluster_labels& labels() const { return this->get().labels; }
  /// Sum of squared distances of the training rows to their centres.
  double inertia() const { return this->get().inertia; }
  std::size_t n_iter() const { return this->get().n_iter; }

  feature_names feature_names_out() const {
    feature_names out;
    for (std::size_t c = 0; c < this->params_.k; ++c) out.push_back("kmeans" + std::to_string(c));
    return out;
  }

  template <class A>
  void serialize(A& ar) {
    auto& p = this->params_;
    ar(p.k, p.init);
    if (ar.version() >= 2) {
      ar(p.init_centers);
    } else {  // a flat k x d row-major list
      std::vector<double> flat;
      if constexpr (!A::loading) flat.assign(p.init_centers.begin(), p.init_centers.end());
      ar(flat);
      if constexpr (A::loading) {
        ar.check(p.k >= 1 && flat.size() % p.k == 0, "kmeans: init_centers is not k x d");
        p.init_centers = matrix<double>::from_shape({flat.empty() ? 0 : p.k, flat.empty() ? 0 : flat.size() / p.k});
        std::copy(flat.begin(), flat.end(), p.init_centers.begin());
      }
    }
    ar(p.n_init, p.max_iter, p.tol, p.seed, p.n_jobs, this->state_);
    if constexpr (A::loading) {
      p.validate();
      if (this->state_) ar.check(this->state_->centers.shape()[0] == p.k, "kmeans: centre count differs from k");
    }
  }

 private:
  template <communicator C>
  std::vector<double> initial_centers(C& comm, const detail::sharded_rows& rows, random_engine& g) const {
    const auto& p = this->params_;
    if (p.init == kmeans_init::given) return std::vector<double>(p.init_centers.begin(), p.init_centers.end());
    if (p.init == kmeans_init::random) return detail::random_rows(comm, rows, p.k, g);
    return detail::kmeans_plus_plus(comm, rows, p.k, g);
  }

  /// Lloyd iterations from centres C (updated in place); returns the iteration count and
  /// leaves in `pass` the labels of the final centres.
  template <communicator Cm>
  std::size_t lloyd(Cm& comm, const matrix<double>& X, std::vector<double>& C, double tol, detail::kmeans_pass& pass) const {
    const auto& p = this->params_;
    const std::size_t d = X.shape()[1], k = p.k;
    bool strict = false;
    std::size_t iter = 0;
    std::vector<double> packed;
    for (; iter < p.max_iter;) {
      detail::kmeans_assign(X, {}, C, k, true, p.n_jobs, pass);
      if constexpr (!std::is_same_v<std::remove_cv_t<Cm>, local_communicator>) {
        // One reduction: the sums, the counts and the changed labels.
        packed.assign(pass.sums.begin(), pass.sums.end());
        packed.insert(packed.end(), pass.counts.begin(), pass.counts.end());
        packed.push_back(static_cast<double>(pass.changed));
        comm.allreduce_sum(std::span<double>(packed));
        std::copy(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(k * d), pass.sums.begin());
        std::copy(packed.begin() + static_cast<std::ptrdiff_t>(k * d), packed.end() - 1, pass.counts.begin());
        pass.changed = static_cast<std::size_t>(packed.back());
      }
      ++iter;
      relocate_empty(comm, X, C, pass);
      double shift = 0.0;
      for (std::size_t c = 0; c < k; ++c) {
        if (pass.counts[c] == 0.0) continue;
        for (std::size_t j = 0; j < d; ++j) {
          const double next = pass.sums[c * d + j] / pass.counts[c];
          shift += (next - C[c * d + j]) * (next - C[c * d + j]);
          C[c * d + j] = next;
        }
      }
      if (pass.changed == 0) {
        strict = true;
        break;
      }
      if (shift <= tol) break;
    }
    if (!strict) detail::kmeans_assign(X, {}, C, k, false, p.n_jobs, pass);  // labels of the final centres
    return iter;
  }

  /// Each empty cluster takes the row farthest from its assigned centre (scikit-learn), of
  /// all ranks' rows (ties: the earlier row in rank order). Each rank offers its own
  /// farthest rows; every rank picks the same ones from all offers and moves them in the
  /// (already summed) sums and counts.
  template <communicator Cm>
  static void relocate_empty(Cm& comm, const matrix<double>& X, const std::vector<double>& C, detail::kmeans_pass& pass) {
    const std::size_t n = X.shape()[0], d = X.shape()[1], k = pass.counts.size();
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < k; ++c) {
      if (pass.counts[c] == 0.0) empty.push_back(c);
    }
    if (empty.empty()) return;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<double> far(n);
    for (std::size_t i = 0; i < n; ++i) {
      far[i] = detail::squared_distance(X.data() + i * d, C.data() + static_cast<std::size_t>(pass.labels[i]) * d, d);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return far[a] > far[b]; });
    // Offers: (distance, label, the row's d values) for this rank's farthest rows.
    const std::size_t width = d + 2;
    std::vector<double> offer;
    for (std::size_t e = 0; e < empty.size() && e < n; ++e) {
      const std::size_t i = order[e];
      offer.push_back(far[i]);
      offer.push_back(static_cast<double>(pass.labels[i]));
      offer.insert(offer.end(), X.data() + i * d, X.data() + (i + 1) * d);
    }
    std::vector<double> offers;  // every rank's offers, in rank order
    if constexpr (std::is_same_v<std::remove_cv_t<Cm>, local_communicator>) {
      offers = std::move(offer);
    } else {
      for (const auto& o : distributed::allgather_doubles(comm, offer)) offers.insert(offers.end(), o.begin(), o.end());
    }
    std::vector<std::size_t> pick(offers.size() / width);
    std::iota(pick.begin(), pick.end(), std::size_t{0});
    std::stable_sort(pick.begin(), pick.end(), [&](std::size_t a, std::size_t b) { return offers[a * width] > offers[b * width]; });
    for (std::size_t e = 0; e < empty.size() && e < pick.size(); ++e) {
      const double* o = offers.data() + pick[e] * width;
      const auto from = static_cast<std::size_t>(o[1]);
      const std::size_t to = empty[e];
      for (std::size_t j = 0; j < d; ++j) {
        pass.sums[from * d + j] -= o[2 + j];
        pass.sums[to * d + j] = o[2 + j];
      }
      pass.counts[from] -= 1.0;
      pass.counts[to] = 1.0;
    }
  }
};

/// Inertia and silhouette of k-means fits for each k (the usual way to choose k: an elbow
/// in the inertia, a peak in the silhouette). `base` gives every other parameter; the
/// silhouette is exact up to 10,000 rows and sampled (10,000 rows, base.seed) beyond.
struct kmeans_sweep_result {
  std::vector<std::size_t> k;
  std::vector<double> inertia, silhouette;
};

template <class E>
kmeans_sweep_result kmeans_sweep(const E& X_in, const std::vector<std::size_t>& ks, kmeans_params base = {}) {
  decltype(auto) X = evaluate<double, 2>(X_in, "kmeans_sweep: X");
  kmeans_sweep_result r;
  for (const std::size_t k : ks) {
    require_param(k >= 2, "kmeans_sweep", "k", k, ">= 2 (the silhouette needs two clusters)");
    base.k = k;
    kmeans<double> km(base);
    km.fit(X);
    r.k.push_back(k);
    r.inertia.push_back(km.inertia());
    r.silhouette.push_back(X.shape()[0] <= 10000 ? silhouette(X, km.labels())
                                                 : silhouette(X, km.labels(), {.sample_size = 10000, .seed = base.seed}));
  }
  return r;
}

}  // namespace clm
