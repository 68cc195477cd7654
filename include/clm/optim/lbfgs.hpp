#pragma once
// clm::lbfgs — limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 with the two-loop
// recursion) with a line search satisfying the strong Wolfe conditions (Algorithms 3.5 and
// 3.6: bracketing, then zoom by safeguarded cubic interpolation).
//
// Stops when the gradient's infinity norm is at most gtol (converged), the relative
// decrease of the value over an iteration is at most ftol (converged), the line search
// cannot decrease the objective any more (stalled: not converged, whatever the gradient;
// scipy's L-BFGS-B calls this ABNORMAL_TERMINATION_IN_LNSRCH), or after max_iterations
// (not converged). The report's reason says which.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/validate.hpp"
#include "clm/optim/objective.hpp"

namespace clm {

struct lbfgs_params {
  std::size_t history = 10;
  std::size_t max_iterations = 100;
  double gtol = 1e-5;   ///< stop when max |gradient| <= gtol
  double ftol = 1e-12;  ///< stop when (f_old - f_new) / max(|f_old|, |f_new|, 1) <= ftol
  std::size_t max_line_search = 40;
  double c1 = 1e-4;  ///< sufficient decrease
  double c2 = 0.9;   ///< curvature
  /// The relative decrease's denominator is at least this: 1 as in scipy's L-BFGS-B; an
  /// objective evaluated as a mean over S rows states the summed scale's 1 as 1 / S.
  double ftol_floor = 1.0;

  void validate() const {
    require_param(history >= 1, "lbfgs", "history", history, ">= 1");
    require_param(gtol >= 0.0, "lbfgs", "gtol", gtol, ">= 0");
    require_param(ftol >= 0.0, "lbfgs", "ftol", ftol, ">= 0");
    require_param(c1 > 0.0 && c1 < c2 && c2 < 1.0, "lbfgs", "c1/c2", std::to_string(c1) + "/" + std::to_string(c2),
                  "0 < c1 < c2 < 1");
    require_param(max_line_search >= 1, "lbfgs", "max_line_search", max_line_search, ">= 1");
    require_param(ftol_floor > 0.0, "lbfgs", "ftol_floor", ftol_floor, "> 0");
  }
  friend bool operator==(const lbfgs_params&, const lbfgs_params&) = default;
};

/// The curvature pairs (s, y) an L-BFGS run kept: passed to a later run on a similar
/// objective (the same model on more rows), its first steps use them instead of starting
/// from a unit step along the gradient.
template <class T>
struct lbfgs_memory {
  std::vector<vector<T>> s, y;
  std::vector<T> rho;
};

/// Minimises f from w (updated in place). Throws numeric_error when f or its gradient is
/// not finite at the start. `memory`, when given, holds curvature pairs to start from (used
/// when they have w's size) and receives the run's pairs at the end.
template <class T, differentiable_objective<T> F>
optimize_report lbfgs(F& f, vector<T>& w, const lbfgs_params& p = {}, lbfgs_memory<T>* memory = nullptr) {
  p.validate();
  using detail::dot;
  const std::size_t n = w.size();
  optimize_report r;
  vector<T> g = vector<T>::from_shape({n});
  T fx = f.evaluate_with_gradient(w, g);
  ++r.evaluations;
  if (!std::isfinite(fx) || !std::isfinite(detail::inf_norm(g))) {
    throw numeric_error("lbfgs: the objective or its gradient is not finite at the starting point");
  }
  std::vector<vector<T>> S, Y;
  std::vector<T> rho;
  if (memory && !memory->s.empty() && memory->s.size() == memory->y.size() && memory->s.size() == memory->rho.size() &&
      memory->s[0].size() == n) {
    const std::size_t keep = std::min(p.history, memory->s.size()), from = memory->s.size() - keep;
    S.assign(memory->s.begin() + static_cast<std::ptrdiff_t>(from), memory->s.end());
    Y.assign(memory->y.begin() + static_cast<std::ptrdiff_t>(from), memory->y.end());
    rho.assign(memory->rho.begin() + static_cast<std::ptrdiff_t>(from), memory->rho.end());
  }
  vector<T> d = vector<T>::from_shape({n}), w_new = vector<T>::from_shape({n}), g_new = vector<T>::from_shape({n});
  std::vector<T> alpha(p.history);

  const auto finish = [&](stop_reason reason, std::string why) {
    if (memory) *memory = {S, Y, rho};
    return detail::finish_report(r, reason, fx, g, std::move(why));
  };

  for (r.iterations = 0; r.iterations < p.max_iterations; ++r.iterations) {
    if (detail::inf_norm(g) <= static_cast<T>(p.gtol)) return finish(stop_reason::gradient_tolerance, "gradient norm below gtol");
    // Two-loop recursion: d = -H g.
    for (std::size_t i = 0; i < n; ++i) d(i) = -g(i);
    const std::size_t m = S.size();
    for (std::size_t k = m; k-- > 0;) {
      alpha[k] = rho[k] * dot(S[k], d);
      for (std::size_t i = 0; i < n; ++i) d(i) -= alpha[k] * Y[k](i);
    }
    if (m > 0) {
      const T gamma = dot(S[m - 1], Y[m - 1]) / dot(Y[m - 1], Y[m - 1]);
      for (std::size_t i = 0; i < n; ++i) d(i) *= gamma;
    }
    for (std::size_t k = 0; k < m; ++k) {
      const T beta = rho[k] * dot(Y[k], d);
      for (std::size_t i = 0; i < n; ++i) d(i) += S[k](i) * (alpha[k] - beta);
    }
    T dg = dot(d, g);
    if (!(dg < 0)) {  // not a descent direction: restart from steepest descent
      S.clear();
      Y.clear();
      rho.clear();
      for (std::size_t i = 0; i < n; ++i) d(i) = -g(i);
      dg = dot(d, g);
    }
    // First step of a fresh start: a move of unit Euclidean length along the direction (at
    // most the full step), as L-BFGS-B starts.
    T step = m == 0 ? std::min(T(1), T(1) / std::max(std::sqrt(dot(d, d)), std::numeric_limits<T>::min())) : T(1);

    // Strong Wolfe line search.
    const T f0 = fx, dg0 = dg;
    T a_lo = 0, a_hi = 0, f_lo = f0, dg_lo = dg0, f_hi = 0, dg_hi = 0;
    bool bracketed = false, found = false;
    T a = step, f_a = 0;
    T a_prev = 0, f_prev = f0, dg_prev = dg0;
    for (std::size_t ls = 0; ls < p.max_line_search; ++ls) {
      for (std::size_t i = 0; i < n; ++i) w_new(i) = w(i) + a * d(i);
      f_a = f.evaluate_with_gradient(w_new, g_new);
      ++r.evaluations;
      const T dg_a = dot(g_new, d);
      if (!std::isfinite(f_a)) {  // too far: shrink towards the last good point
        a_hi = a, f_hi = std::numeric_limits<T>::infinity(), dg_hi = 0;
        bracketed = true;
        a = (a_lo + a_hi) / 2;
        continue;
      }
      // Where the value cannot tell the step from the start (value_unresolved), the
      // derivative decides: Hager & Zhang's approximate Wolfe conditions
      // c2 dg0 <= dg_a <= (2 c1 - 1) dg0. This lets the gradient reach tolerances below
      // the value's rounding.
      if (detail::value_unresolved(f_a, f0) && dg_a >= static_cast<T>(p.c2) * dg0 &&
          dg_a <= (2 * static_cast<T>(p.c1) - 1) * dg0) {
        found = true;
        break;
      }
      if (!bracketed) {
        if (f_a > f0 + static_cast<T>(p.c1) * a * dg0 || (ls > 0 && f_a >= f_prev)) {
          a_lo = a_prev, f_lo = f_prev, dg_lo = dg_prev;
          a_hi = a, f_hi = f_a, dg_hi = dg_a;
          bracketed = true;
        } else if (std::abs(dg_a) <= -static_cast<T>(p.c2) * dg0) {
          found = true;
          break;
        } else if (dg_a >= 0) {
          a_lo = a, f_lo = f_a, dg_lo = dg_a;
          a_hi = a_prev, f_hi = f_prev, dg_hi = dg_prev;
          bracketed = true;
        } else {
          a_prev = a, f_prev = f_a, dg_prev = dg_a;
          a *= 2;
          continue;
        }
      } else {
        if (f_a > f0 + static_cast<T>(p.c1) * a * dg0 || f_a >= f_lo) {
          a_hi = a, f_hi = f_a, dg_hi = dg_a;
        } else {
          if (std::abs(dg_a) <= -static_cast<T>(p.c2) * dg0) {
            found = true;
            break;
          }
          if (dg_a * (a_hi - a_lo) >= 0) {
            a_hi = a_lo, f_hi = f_lo, dg_hi = dg_lo;
          }
          a_lo = a, f_lo = f_a, dg_lo = dg_a;
        }
      }
      // Zoom: cubic interpolation between a_lo and a_hi, safeguarded to the middle 80 %.
      const T d1 = dg_lo + dg_hi - 3 * (f_lo - f_hi) / (a_lo - a_hi);
      const T disc = d1 * d1 - dg_lo * dg_hi;
      T next;
      if (disc >= 0 && a_hi != a_lo) {
        const T d2 = (a_hi > a_lo ? 1 : -1) * std::sqrt(disc);
        next = a_hi - (a_hi - a_lo) * (dg_hi + d2 - d1) / (dg_hi - dg_lo + 2 * d2);
      } else {
        next = (a_lo + a_hi) / 2;
      }
      const T lo = std::min(a_lo, a_hi), hi = std::max(a_lo, a_hi), width = hi - lo;
      if (!std::isfinite(next) || next < lo + T(0.1) * width || next > hi - T(0.1) * width) next = (a_lo + a_hi) / 2;
      if (width <= std::numeric_limits<T>::epsilon() * std::max(T(1), hi)) break;
      a = next;
    }
    if (!found) {
      // Accept the best sufficient-decrease point seen, if any; else stop.
      if (bracketed && a_lo > 0 && f_lo < f0) {
        a = a_lo;
        for (std::size_t i = 0; i < n; ++i) w_new(i) = w(i) + a * d(i);
        f_a = f.evaluate_with_gradient(w_new, g_new);
        ++r.evaluations;
      } else {
        return finish(stop_reason::line_search_stalled, detail::stall_words("no step decreases the objective", g, p.gtol));
      }
    }
    // Update the history.
    vector<T> s = vector<T>::from_shape({n}), y = vector<T>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      s(i) = w_new(i) - w(i);
      y(i) = g_new(i) - g(i);
    }
    const T sy = dot(s, y);
    if (sy > std::numeric_limits<T>::epsilon() * dot(y, y)) {
      if (S.size() == p.history) {
        S.erase(S.begin());
        Y.erase(Y.begin());
        rho.erase(rho.begin());
      }
      S.push_back(std::move(s));
      Y.push_back(std::move(y));
      rho.push_back(T(1) / sy);
    }
    if (const auto why = detail::accept_step(w, w_new, g, g_new, fx, f_a, p.ftol, p.gtol, p.ftol_floor)) {
      ++r.iterations;
      return finish(*why, detail::stop_words(*why, g, p.gtol));
    }
  }
  if (detail::inf_norm(g) <= static_cast<T>(p.gtol)) return finish(stop_reason::gradient_tolerance, "gradient norm below gtol");
  return finish(stop_reason::iteration_limit, "max_iterations reached");
}

}  // namespace clm
