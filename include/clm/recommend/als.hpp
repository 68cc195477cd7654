#pragma once
// clm::implicit_als<T>: matrix factorisation for implicit feedback (Hu, Koren & Volinsky 2008,
// "Collaborative filtering for implicit feedback datasets"), as the implicit library's
// AlternatingLeastSquares.
//
// Each stored r_ui gives preference p_ui = 1 with confidence c_ui = 1 + alpha r_ui; the
// missing ones p = 0, c = 1. Minimises sum c_ui (p_ui - x_u . y_i)^2 + reg (|X|^2 + |Y|^2)
// by alternating the user and item solves
//   (Y'Y + Y' (C_u - I) Y + reg I) x_u = Y' C_u p_u
// each by cg_steps of conjugate gradient from the current factors (Takacs et al. 2011), with
// Y'Y computed once per sweep. Factors start as N(0, 0.01^2) draws from `seed` (users, then
// items). Rows are solved in parallel (n_jobs); each row's solve is independent, so the
// result does not depend on the thread count.
//   predict(u, i)            x_u . y_i (0 for an unknown user or item)
//   user_factors(), item_factors()
//   recommend_for_items      solves a new user's factors exactly (Cholesky) from the items
//   similar_items(j, n)      by the cosine of the item factors
//
// fit(comm, data): the fit of the users held across the ranks of `comm`
// (clm/distributed/communicator.hpp), each user's interactions on one rank. Item ids are
// united in rank order; every rank draws the one-process start (all users' factors, keeping
// its own users', then the items'). A user sweep is local. An item sweep runs every item's
// conjugate gradient in lockstep over blocks of items: the residuals and the products A p
// of each step are summed over the ranks (one reduction of items x factors doubles per step
// and block, plus X'X once per sweep), so every rank takes the same steps and holds the
// same item factors; each rank keeps its own users' factors. The result is the one-process
// fit up to the rounding of sums taken in another order.

#include <cmath>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/core/blas.hpp"
#include "clm/core/random.hpp"
#include "clm/recommend/detail/base.hpp"
#include "clm/recommend/similarity.hpp"

namespace clm {

struct als_params {
  std::size_t factors = 64;
  double regularization = 0.01;
  double alpha = 1.0;  ///< confidence 1 + alpha r
  std::size_t iterations = 15;
  std::size_t cg_steps = 3;
  std::uint64_t seed = 0;
  std::size_t n_jobs = 1;

  void validate() const {
    constexpr const char* o = "implicit_als";
    require_param(factors >= 1, o, "factors", factors, ">= 1");
    require_param(std::isfinite(regularization) && regularization >= 0.0, o, "regularization", regularization,
                  "finite and >= 0");
    require_param(std::isfinite(alpha) && alpha >= 0.0, o, "alpha", alpha, "finite and >= 0");
    require_param(cg_steps >= 1, o, "cg_steps", cg_steps, ">= 1");
  }
  template <class A>
  void serialize(A& ar) {
    ar(factors, regularization, alpha, iterations, cg_steps, seed, n_jobs);
  }
  friend bool operator==(const als_params&, const als_params&) = default;
};

namespace detail {

struct als_state {
  recommender_data train;
  matrix<double> X, Y;  // users x factors, items x factors

  template <class A>
  void serialize(A& ar) {
    ar(train, X, Y);
    ar.check(X.shape()[0] == train.data.n_users() && Y.shape()[0] == train.data.n_items() &&
                 X.shape()[1] == Y.shape()[1],
             "implicit_als: factors do not match the data");
  }
};

/// Y'Y + reg I (f x f, row-major).
inline std::vector<double> gram_plus(const matrix<double>& Y, double reg) {
  const std::size_t m = Y.shape()[0], f = Y.shape()[1];
  std::vector<double> G(f * f);
  blas::gemm(blas::op::transpose, blas::op::none, f, f, m, 1.0, Y.data(), f, Y.data(), f, 0.0, G.data(), f);
  for (std::size_t a = 0; a < f; ++a) G[a * f + a] += reg;
  return G;
}

/// Rows of the block solved in lockstep (each array rows x factors).
inline std::size_t als_block_rows(std::size_t f) { return std::max<std::size_t>(256, (std::size_t{1} << 22) / f); }

/// cg_steps of conjugate gradient on the normal equations of rows [r0, r1) of R at once,
/// from their factors x (rows r0.. of x_all, updated in place):
///   A = G + sum (c - 1) y y',  b = sum c y   over the row's stored (column, value),
/// G = other'other + reg I, y the other side's factors. `reduce` sums each step's residuals
/// and products A p over ranks holding other entries of the same rows (no_reduce: none);
/// the rank with add_gram adds the G terms once. Every row's arithmetic is that of solving
/// the row alone, and every rank that reduces takes the same steps.
template <class Reduce>
void als_cg_rows(const std::vector<double>& G, const matrix<double>& other, const csr_matrix<double>& R,
                 std::size_t r0, std::size_t r1, double alpha, std::size_t steps, double* x_all, bool add_gram,
                 Reduce&& reduce, std::vector<double>& r, std::vector<double>& p, std::vector<double>& Ap) {
  const std::size_t f = other.shape()[1], n = r1 - r0;
  const auto dot = [f](const double* a, const double* b) { return blas::dot(a, b, f); };
  r.assign(n * f, 0.0);
  p.resize(n * f);
  Ap.resize(n * f);
  std::vector<double> rs(n);
  std::vector<char> active(n, 1);
  // r = b - A x
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t u = r0 + k;
    const double* x = x_all + u * f;
    double* rk = r.data() + k * f;
    if (add_gram) for (std::size_t a = 0; a < f; ++a) rk[a] = -dot(G.data() + a * f, x);
    for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
      const double* y = other.data() + static_cast<std::size_t>(R.indices[q]) * f;
      const double c = 1.0 + alpha * R.values[q];
      const double w = c - (c - 1.0) * dot(y, x);
      for (std::size_t t = 0; t < f; ++t) rk[t] += w * y[t];
    }
  }
  reduce(std::span<double>(r));
  for (std::size_t k = 0; k < n; ++k) {
    std::copy(r.begin() + static_cast<std::ptrdiff_t>(k * f), r.begin() + static_cast<std::ptrdiff_t>((k + 1) * f),
              p.begin() + static_cast<std::ptrdiff_t>(k * f));
    rs[k] = dot(r.data() + k * f, r.data() + k * f);
    if (rs[k] < 1e-20) active[k] = 0;
  }
  for (std::size_t it = 0; it < steps; ++it) {
    bool any = false;
    for (std::size_t k = 0; k < n; ++k) any = any || active[k];
    if (!any) return;  // the same on every rank: the flags come from reduced values
    for (std::size_t k = 0; k < n; ++k) {
      double* Apk = Ap.data() + k * f;
      std::fill(Apk, Apk + f, 0.0);
      if (!active[k]) continue;
      const std::size_t u = r0 + k;
      const double* pk = p.data() + k * f;
      if (add_gram) for (std::size_t a = 0; a < f; ++a) Apk[a] = dot(G.data() + a * f, pk);
      for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
        const double* y = other.data() + static_cast<std::size_t>(R.indices[q]) * f;
        const double w = alpha * R.values[q] * dot(y, pk);
        for (std::size_t t = 0; t < f; ++t) Apk[t] += w * y[t];
      }
    }
    reduce(std::span<double>(Ap));
    for (std::size_t k = 0; k < n; ++k) {
      if (!active[k]) continue;
      double* x = x_all + (r0 + k) * f;
      double *rk = r.data() + k * f, *pk = p.data() + k * f;
      const double* Apk = Ap.data() + k * f;
      const double pAp = dot(pk, Apk);
      if (!(pAp > 0.0)) {
        active[k] = 0;
        continue;
      }
      const double step = rs[k] / pAp;
      for (std::size_t t = 0; t < f; ++t) {
        x[t] += step * pk[t];
        rk[t] -= step * Apk[t];
      }
      const double rs_new = dot(rk, rk);
      if (rs_new < 1e-20) {
        active[k] = 0;
        continue;
      }
      for (std::size_t t = 0; t < f; ++t) pk[t] = rk[t] + rs_new / rs[k] * pk[t];
      rs[k] = rs_new;
    }
  }
}

}  // namespace detail

template <class T = double>
class implicit_als : public detail::recommender_base<implicit_als<T>, als_params, detail::als_state, T> {
  using base = detail::recommender_base<implicit_als<T>, als_params, detail::als_state, T>;

 public:
  static constexpr const char* name = "implicit_als";
  using base::base;

  /// A loaded state: factors as wide as params.factors (score_user's row stride), finite.
  void check_loaded_state(const detail::als_state& st) const {
    if (st.X.shape()[1] != this->params_.factors) {
      throw format_error("implicit_als: stored factors are " + std::to_string(st.X.shape()[1]) +
                         " wide, params.factors is " + std::to_string(this->params_.factors));
    }
    for (const double v : st.X) if (!std::isfinite(v)) throw format_error("implicit_als: a user factor is not finite");
    for (const double v : st.Y) if (!std::isfinite(v)) throw format_error("implicit_als: an item factor is not finite");
  }

  /// Fits on the interactions; `progress` hears of the sweeps done.
  implicit_als& fit(const interactions& data, const progress_callback& progress = {}) {
    local_communicator one;
    return fit(one, data, progress);
  }

  /// The fit of the users held across the ranks of `comm` (see the top).
  template <class C>
  implicit_als& fit(C& comm, const interactions& data, const progress_callback& progress = {}) {
    static_assert(communicator<C>, "fit(comm, data): comm must be a clm::communicator");
    constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
    const auto& p = this->params_;
    detail::als_state st;
    std::size_t first_user = 0, all_users = data.n_users();
    if constexpr (one_process) {
      st.train = this->begin_fit(data);
    } else {
      this->state_.reset();
      distributed::same_everywhere(comm, "implicit_als.fit: the parameters",
                                   distributed::fingerprint(p.factors, p.regularization, p.alpha, p.iterations,
                                                            p.cg_steps, p.seed).value());
      st.train = detail::united_item_data(comm, data, "implicit_als");
      const auto offsets = distributed::rank_offsets(comm, data.n_users());
      first_user = offsets[static_cast<std::size_t>(comm.rank())];
      all_users = offsets.back();
    }
    const std::size_t f = p.factors, n = data.n_users(), m = st.train.data.n_items();
    // The one-process draws: every user's factors (this rank keeps its own), then the items'.
    random_engine g(p.seed);
    st.X = matrix<double>::from_shape({n, f});
    st.Y = matrix<double>::from_shape({m, f});
    for (std::size_t u = 0; u < all_users; ++u) {
      for (std::size_t t = 0; t < f; ++t) {
        const double v = 0.01 * normal(g);
        if (u >= first_user && u < first_user + n) st.X(u - first_user, t) = v;
      }
    }
    for (auto& v : st.Y) v = 0.01 * normal(g);
    const auto reduce = [&](std::span<double> v) {
      if constexpr (!one_process) comm.allreduce_sum(v);
    };
    detail::progress_counter done(progress, "implicit_als", p.iterations);
    for (std::size_t it = 0; it < p.iterations; ++it) {
      solve_side(st.train.data.matrix(), st.Y, st.X, detail::gram_plus(st.Y, p.regularization), detail::no_reduce{}, true);
      // Items: X'X summed over the ranks' users, then the regularisation.
      std::vector<double> G = detail::gram_plus(st.X, 0.0);
      reduce(std::span<double>(G));
      for (std::size_t a = 0; a < f; ++a) G[a * f + a] += p.regularization;
      if constexpr (one_process) {
        solve_side(st.train.by_item, st.X, st.Y, G, detail::no_reduce{}, true);
      } else {
        solve_side(st.train.by_item, st.X, st.Y, G, reduce, comm.rank() == 0);
      }
      done.add(1);
    }
    distributed::run_agreed(comm, "implicit_als.fit", [&] {
      for (const double v : st.X) check_finite(v);
      for (const double v : st.Y) check_finite(v);
    });
    this->state_ = std::move(st);
    return *this;
  }

  T predict(std::size_t u, std::size_t i) const {
    const auto& st = this->get();
    if (u >= this->n_users() || i >= this->n_items()) return T(0);
    double s = 0.0;
    for (std::size_t t = 0; t < st.X.shape()[1]; ++t) s += st.X(u, t) * st.Y(i, t);
    return static_cast<T>(s);
  }

  const matrix<double>& user_factors() const { return this->get().X; }
  const matrix<double>& item_factors() const { return this->get().Y; }

  std::vector<scored_item> similar_items(std::size_t j, std::size_t n) const {
    this->check_item(j, "similar_items");
    const auto& Y = this->get().Y;
    const std::size_t m = Y.shape()[0], f = Y.shape()[1];
    std::vector<double> norm(m, 0.0);
    for (std::size_t b = 0; b < m; ++b) {
      for (std::size_t t = 0; t < f; ++t) norm[b] += Y(b, t) * Y(b, t);
      norm[b] = std::sqrt(norm[b]);
    }
    std::vector<std::pair<double, std::int32_t>> cand;
    for (std::size_t b = 0; b < m; ++b) {
      if (b == j || norm[b] == 0.0 || norm[j] == 0.0) continue;
      double s = 0.0;
      for (std::size_t t = 0; t < f; ++t) s += Y(j, t) * Y(b, t);
      cand.emplace_back(s / (norm[j] * norm[b]), static_cast<std::int32_t>(b));
    }
    detail::select_neighbours(cand, n);
    std::vector<scored_item> out;
    for (const auto& [v, b] : cand) out.push_back({static_cast<std::size_t>(b), v});
    return out;
  }

  void score_user(std::size_t u, detail::score_buffer& s) const { scores(this->get().X.data() + u * this->params_.factors, s); }

  void score_history(const std::int32_t* items, const double* values, std::size_t n, detail::score_buffer& s) const {
    // The exact solve of the new user's normal equations.
    const auto& Y = this->get().Y;
    const std::size_t f = Y.shape()[1];
    const double alpha = this->params_.alpha;
    std::vector<double> A = detail::gram_plus(Y, this->params_.regularization), b(f, 0.0);
    for (std::size_t q = 0; q < n; ++q) {
      const double* y = Y.data() + static_cast<std::size_t>(items[q]) * f;
      const double c = 1.0 + alpha * values[q];
      for (std::size_t a = 0; a < f; ++a) {
        b[a] += c * y[a];
        for (std::size_t t = 0; t < f; ++t) A[a * f + t] += (c - 1.0) * y[a] * y[t];
      }
    }
    if (lapack::potrf(f, A.data()) != 0 || lapack::potrs(f, A.data(), b.data()) != 0) {
      throw numeric_error("implicit_als.recommend_for_items: the new user's system is not positive definite");
    }
    scores(b.data(), s);
  }

 private:
  static void check_finite(double v) {
    if (!std::isfinite(v)) throw numeric_error("implicit_als.fit: a factor is not finite (lower alpha or raise regularization)");
  }

  void scores(const double* x, detail::score_buffer& s) const {
    const auto& Y = this->get().Y;
    s.all = true;
    blas::gemv(blas::op::none, Y.shape()[0], Y.shape()[1], 1.0, Y.data(), Y.shape()[1], x, 0.0, s.score.data());
  }

  /// Solves every row of `out` (rows of R) given the other side's factors `other` and
  /// G = other'other + reg I: blocks of rows in parallel in one process, one block after
  /// another when the rows' sums are reduced across ranks.
  template <class Reduce>
  void solve_side(const csr_matrix<double>& R, const matrix<double>& other, matrix<double>& out,
                  const std::vector<double>& G, Reduce&& reduce, bool add_gram) const {
    const auto& p = this->params_;
    constexpr bool local = std::is_same_v<std::remove_cvref_t<Reduce>, detail::no_reduce>;
    const std::size_t block = local ? 256 : detail::als_block_rows(p.factors);
    const std::size_t blocks = (R.rows + block - 1) / block;
    const auto run = [&](std::size_t c) {
      std::vector<double> r, d, Ad;
      detail::als_cg_rows(G, other, R, c * block, std::min(R.rows, (c + 1) * block), p.alpha, p.cg_steps, out.data(),
                          add_gram, reduce, r, d, Ad);
    };
    if constexpr (local) {
      parallel_for(blocks, p.n_jobs, run);
    } else {
      for (std::size_t c = 0; c < blocks; ++c) run(c);
    }
  }
};

}  // namespace clm
