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

#include <cmath>
#include <string>
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

/// cg_steps of conjugate gradient on row u's normal equations, from x (updated in place).
/// A = YtY + sum (c - 1) y y', b = sum c y over the row's stored (item, value).
inline void als_cg_row(const std::vector<double>& YtY, const matrix<double>& Y, const csr_matrix<double>& R,
                       std::size_t u, double alpha, std::size_t steps, double* x, std::vector<double>& r,
                       std::vector<double>& p, std::vector<double>& Ap) {
  const std::size_t f = Y.shape()[1];
  const auto dot = [f](const double* a, const double* b) { return blas::dot(a, b, f); };
  // r = b - A x
  for (std::size_t a = 0; a < f; ++a) r[a] = -dot(YtY.data() + a * f, x);
  for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
    const double* y = Y.data() + static_cast<std::size_t>(R.indices[q]) * f;
    const double c = 1.0 + alpha * R.values[q];
    const double w = c - (c - 1.0) * dot(y, x);
    for (std::size_t t = 0; t < f; ++t) r[t] += w * y[t];
  }
  p = r;
  double rs = dot(r.data(), r.data());
  if (rs < 1e-20) return;
  for (std::size_t it = 0; it < steps; ++it) {
    for (std::size_t a = 0; a < f; ++a) Ap[a] = dot(YtY.data() + a * f, p.data());
    for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
      const double* y = Y.data() + static_cast<std::size_t>(R.indices[q]) * f;
      const double w = alpha * R.values[q] * dot(y, p.data());
      for (std::size_t t = 0; t < f; ++t) Ap[t] += w * y[t];
    }
    const double pAp = dot(p.data(), Ap.data());
    if (!(pAp > 0.0)) return;
    const double step = rs / pAp;
    for (std::size_t t = 0; t < f; ++t) {
      x[t] += step * p[t];
      r[t] -= step * Ap[t];
    }
    const double rs_new = dot(r.data(), r.data());
    if (rs_new < 1e-20) return;
    for (std::size_t t = 0; t < f; ++t) p[t] = r[t] + rs_new / rs * p[t];
    rs = rs_new;
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
    const auto& p = this->params_;
    detail::als_state st;
    st.train = this->begin_fit(data);
    const std::size_t f = p.factors;
    random_engine g(p.seed);
    st.X = matrix<double>::from_shape({data.n_users(), f});
    st.Y = matrix<double>::from_shape({data.n_items(), f});
    for (auto& v : st.X) v = 0.01 * normal(g);
    for (auto& v : st.Y) v = 0.01 * normal(g);
    detail::progress_counter done(progress, "implicit_als", p.iterations);
    for (std::size_t it = 0; it < p.iterations; ++it) {
      solve_side(data.matrix(), st.Y, st.X);
      solve_side(st.train.by_item, st.X, st.Y);
      done.add(1);
    }
    for (const double v : st.X) check_finite(v);
    for (const double v : st.Y) check_finite(v);
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

  /// Solves every row of `out` (rows of R) given the other side's factors `other`.
  void solve_side(const csr_matrix<double>& R, const matrix<double>& other, matrix<double>& out) const {
    const auto& p = this->params_;
    const std::size_t f = p.factors;
    const std::vector<double> YtY = detail::gram_plus(other, p.regularization);
    constexpr std::size_t chunk = 256;
    parallel_for((R.rows + chunk - 1) / chunk, p.n_jobs, [&](std::size_t c) {
      std::vector<double> r(f), d(f), Ad(f);
      for (std::size_t u = c * chunk; u < std::min(R.rows, (c + 1) * chunk); ++u) {
        detail::als_cg_row(YtY, other, R, u, p.alpha, p.cg_steps, out.data() + u * f, r, d, Ad);
      }
    });
  }
};

}  // namespace clm
