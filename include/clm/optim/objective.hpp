#pragma once
// The objective concept the optimisers share, in the spirit of ensmallen: an optimiser
// asks only for what it needs and detects, with concepts, what an objective offers.
//
//   differentiable_objective<F, T>   T evaluate_with_gradient(const vector<T>& w, vector<T>& g)
//                                    (the value at w; g receives the gradient, sized like w)
//   twice_differentiable_objective   plus  void hessian(const vector<T>& w, matrix<T>& H)
//   batch_objective<F, T>            plus  std::size_t num_functions() and
//                                    T evaluate_with_gradient(w, g, begin, count): the
//                                    objective over a mini-batch of its terms
//
// Every optimiser returns an optimize_report: iterations, whether it converged, the final
// value and gradient norm, what stopped it (stop_reason) and the same in words. Only the
// gradient and value tolerances count as converged; a line search that can no longer
// decrease the objective is a stall, reported as not converged whatever the gradient.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <optional>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

template <class F, class T>
concept differentiable_objective = requires(F& f, const vector<T>& w, vector<T>& g) {
  { f.evaluate_with_gradient(w, g) } -> std::convertible_to<T>;
};

template <class F, class T>
concept twice_differentiable_objective =
    differentiable_objective<F, T> && requires(F& f, const vector<T>& w, matrix<T>& H) { f.hessian(w, H); };

template <class F, class T>
concept batch_objective = requires(F& f, const vector<T>& w, vector<T>& g, std::size_t b, std::size_t n) {
  { f.num_functions() } -> std::convertible_to<std::size_t>;
  { f.evaluate_with_gradient(w, g, b, n) } -> std::convertible_to<T>;
};

/// What ended an optimisation. unrecorded: a report from a model file written before the
/// reason was stored, or parameters set without a fit.
enum class stop_reason : std::uint8_t {
  unrecorded,
  gradient_tolerance,  ///< max |gradient| <= gtol (converged)
  value_tolerance,     ///< relative decrease of the objective <= ftol (converged)
  line_search_stalled, ///< no step along the search direction decreased the objective
  not_positive_definite,  ///< (newton) the Hessian could not be regularised
  iteration_limit,     ///< max_iterations reached
  no_solution,         ///< the problem has no minimiser (e.g. separable classes without a penalty)
  epochs_completed,    ///< a fixed-budget stochastic run did all its epochs (counted as converged)
};

/// Whether a run that stopped for `r` counts as converged.
constexpr bool converged_reason(stop_reason r) noexcept {
  return r == stop_reason::gradient_tolerance || r == stop_reason::value_tolerance || r == stop_reason::epochs_completed;
}

inline const char* to_string(stop_reason r) noexcept {
  switch (r) {
    case stop_reason::gradient_tolerance: return "gradient_tolerance";
    case stop_reason::value_tolerance: return "value_tolerance";
    case stop_reason::line_search_stalled: return "line_search_stalled";
    case stop_reason::not_positive_definite: return "not_positive_definite";
    case stop_reason::iteration_limit: return "iteration_limit";
    case stop_reason::no_solution: return "no_solution";
    case stop_reason::epochs_completed: return "epochs_completed";
    case stop_reason::unrecorded: break;
  }
  return "unrecorded";
}

struct optimize_report {
  std::size_t iterations = 0;
  std::size_t evaluations = 0;
  bool converged = false;
  double final_value = 0.0;
  double gradient_norm = 0.0;  ///< infinity norm at the end
  std::string stopped_because;
  stop_reason reason = stop_reason::unrecorded;

  /// Owners store the reason from their serial version 2 on; `with_reason` says whether
  /// the archive at hand has it.
  template <class A>
  void serialize(A& ar, bool with_reason) {
    ar(iterations, evaluations, converged, final_value, gradient_norm, stopped_because);
    if (with_reason) {
      ar(reason);
      ar.check(reason <= stop_reason::epochs_completed, "optimize_report: unknown stop reason");
      ar.check(converged == converged_reason(reason), "optimize_report: 'converged' disagrees with the stop reason");
    }
  }
  friend bool operator==(const optimize_report&, const optimize_report&) = default;
};

namespace detail {
template <class T>
T inf_norm(const vector<T>& g) {
  T m = 0;
  for (auto v : g) m = std::max(m, std::abs(v));
  return m;
}
/// Completes a report with the end state of an optimiser.
template <class T>
optimize_report& finish_report(optimize_report& r, stop_reason reason, T value, const vector<T>& g, std::string why) {
  r.reason = reason;
  r.converged = converged_reason(reason);
  r.final_value = static_cast<double>(value);
  r.gradient_norm = static_cast<double>(inf_norm(g));
  r.stopped_because = std::move(why);
  return r;
}

/// The words for a stalled line search: what failed and how far from gtol it stopped.
template <class T>
std::string stall_words(const char* what, const vector<T>& g, double gtol) {
  return std::string("line search stalled: ") + what + " (max |gradient| " + to_text(static_cast<double>(inf_norm(g))) +
         ", gtol " + to_text(gtol) + ")";
}

template <class T>
constexpr T unresolved_relative() noexcept {
  return std::max(T(1e-12), 4 * std::numeric_limits<T>::epsilon());
}
/// Whether two values of the objective are too close to order them: within 1e-12
/// relative, above the rounding noise of a sum of millions of loss terms.
template <class T>
bool value_unresolved(T a, T b) noexcept {
  return std::abs(a - b) <= unresolved_relative<T>() * std::max(std::abs(a), std::abs(b));
}

/// After a step whose relative decrease `rel` is at most ftol: whether to stop and why.
/// Converged on the gradient if it is small, on the value if it did decrease; when the
/// value did not change measurably (value_unresolved), the run goes on while
/// the gradient still shrinks, and has stalled once it does not.
template <class T>
std::optional<stop_reason> small_decrease_stop(T rel, T gnorm_before, T gnorm_after, double gtol) {
  if (gnorm_after <= static_cast<T>(gtol)) return stop_reason::gradient_tolerance;
  if (rel > 0) return stop_reason::value_tolerance;
  if (std::abs(rel) <= unresolved_relative<T>() && gnorm_after < gnorm_before) return std::nullopt;
  return stop_reason::line_search_stalled;
}

/// Moves to the accepted point (w <- w_new, g <- g_new, fx <- f_new) and, when the relative
/// decrease (f_old - f_new) / max(|f_old|, |f_new|, f_floor) is at most ftol, says whether
/// and why to stop (small_decrease_stop).
template <class T>
std::optional<stop_reason> accept_step(vector<T>& w, vector<T>& w_new, vector<T>& g, vector<T>& g_new, T& fx, T f_new,
                                       double ftol, double gtol, double f_floor = 1.0) {
  const T f_old = fx, gnorm_before = inf_norm(g);
  std::swap(w, w_new);
  std::swap(g, g_new);
  fx = f_new;
  const T rel = (f_old - fx) / std::max({std::abs(f_old), std::abs(fx), static_cast<T>(f_floor)});
  if (rel > static_cast<T>(ftol)) return std::nullopt;
  return small_decrease_stop(rel, gnorm_before, inf_norm(g), gtol);
}

/// The report's words for a stop.
template <class T>
std::string stop_words(stop_reason why, const vector<T>& g, double gtol) {
  switch (why) {
    case stop_reason::gradient_tolerance: return "gradient norm below gtol";
    case stop_reason::value_tolerance: return "relative decrease of the objective below ftol";
    case stop_reason::iteration_limit: return "max_iterations reached";
    default: return stall_words("the accepted step did not decrease the objective", g, gtol);
  }
}

template <class T>
T dot(const vector<T>& a, const vector<T>& b) {
  T s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a(i) * b(i);
  return s;
}
}  // namespace detail

}  // namespace clm
