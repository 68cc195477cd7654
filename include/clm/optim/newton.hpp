#pragma once
// clm::newton — Newton's method for small, smooth problems: solve H d = -g by Cholesky
// (LAPACK potrf/potrs), then a backtracking (Armijo) line search. When H is not positive
// definite, a multiple of the identity is added (Levenberg damping, growing tenfold) until
// it is. Stops on max |gradient| <= gtol, a relative decrease <= ftol (both converged), a
// stalled line search or after max_iterations (not converged); the report's reason says which.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "clm/core/blas.hpp"
#include "clm/core/error.hpp"
#include "clm/core/validate.hpp"
#include "clm/optim/objective.hpp"

namespace clm {

struct newton_params {
  std::size_t max_iterations = 50;
  double gtol = 1e-8;
  double ftol = 1e-15;

  void validate() const {
    require_param(gtol >= 0.0, "newton", "gtol", gtol, ">= 0");
    require_param(ftol >= 0.0, "newton", "ftol", ftol, ">= 0");
  }
  friend bool operator==(const newton_params&, const newton_params&) = default;
};

namespace detail {

/// x = (H + damping I)^-1 b by Cholesky; H row-major symmetric (upper triangle used).
/// Returns false when H + damping I is not positive definite.
template <class T>
bool damped_solve(const matrix<T>& H, T damping, const vector<T>& b, vector<T>& x) {
  const std::size_t n = H.shape()[0];
  matrix<T> A = H;
  for (std::size_t i = 0; i < n; ++i) A(i, i) += damping;
  if (lapack::potrf(n, A.data()) != 0) return false;
  x = b;
  return lapack::potrs(n, A.data(), x.data()) == 0;
}

}  // namespace detail

template <class T, twice_differentiable_objective<T> F>
optimize_report newton(F& f, vector<T>& w, const newton_params& p = {}) {
  p.validate();
  const std::size_t n = w.size();
  optimize_report r;
  vector<T> g = vector<T>::from_shape({n}), d, w_new = vector<T>::from_shape({n}),
            g_new = vector<T>::from_shape({n}), minus_g = vector<T>::from_shape({n});
  matrix<T> H = matrix<T>::from_shape({n, n});
  T fx = f.evaluate_with_gradient(w, g);
  ++r.evaluations;
  if (!std::isfinite(fx)) throw numeric_error("newton: the objective is not finite at the starting point");
  const auto finish = [&](stop_reason reason, std::string why) {
    return detail::finish_report(r, reason, fx, g, std::move(why));
  };
  for (r.iterations = 0; r.iterations < p.max_iterations; ++r.iterations) {
    if (detail::inf_norm(g) <= static_cast<T>(p.gtol)) return finish(stop_reason::gradient_tolerance, "gradient norm below gtol");
    f.hessian(w, H);
    for (std::size_t i = 0; i < n; ++i) minus_g(i) = -g(i);
    T damping = 0;
    T scale = 0;
    for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(H(i, i)));
    while (!detail::damped_solve(H, damping, minus_g, d)) {
      damping = damping == 0 ? std::max(scale, T(1)) * T(1e-8) : damping * 10;
      if (!std::isfinite(damping)) return finish(stop_reason::not_positive_definite, "the Hessian could not be made positive definite");
    }
    const T dg = detail::dot(d, g);
    T a = 1;
    bool ok = false;
    T f_new = fx;
    for (int ls = 0; ls < 60; ++ls) {
      for (std::size_t i = 0; i < n; ++i) w_new(i) = w(i) + a * d(i);
      f_new = f.evaluate_with_gradient(w_new, g_new);
      ++r.evaluations;
      // Armijo, or, where the value cannot tell the points apart, a smaller gradient.
      if (std::isfinite(f_new) && (f_new <= fx + T(1e-4) * a * dg ||
                                   (detail::value_unresolved(f_new, fx) && detail::inf_norm(g_new) < detail::inf_norm(g)))) {
        ok = true;
        break;
      }
      a /= 2;
    }
    if (!ok) {
      return finish(stop_reason::line_search_stalled, detail::stall_words("no step decreases the objective", g, p.gtol));
    }
    if (const auto why = detail::accept_step(w, w_new, g, g_new, fx, f_new, p.ftol, p.gtol)) {
      ++r.iterations;
      return finish(*why, detail::stop_words(*why, g, p.gtol));
    }
  }
  if (detail::inf_norm(g) <= static_cast<T>(p.gtol)) return finish(stop_reason::gradient_tolerance, "gradient norm below gtol");
  return finish(stop_reason::iteration_limit, "max_iterations reached");
}

}  // namespace clm
