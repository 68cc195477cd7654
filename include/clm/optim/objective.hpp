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
// value and gradient norm, and in words what stopped it.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <string>
#include <utility>

#include "clm/core/types.hpp"

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

struct optimize_report {
  std::size_t iterations = 0;
  std::size_t evaluations = 0;
  bool converged = false;
  double final_value = 0.0;
  double gradient_norm = 0.0;  ///< infinity norm at the end
  std::string stopped_because;

  template <class A>
  void serialize(A& ar) {
    ar(iterations, evaluations, converged, final_value, gradient_norm, stopped_because);
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
optimize_report& finish_report(optimize_report& r, bool converged, T value, const vector<T>& g, std::string why) {
  r.converged = converged;
  r.final_value = static_cast<double>(value);
  r.gradient_norm = static_cast<double>(inf_norm(g));
  r.stopped_because = std::move(why);
  return r;
}

template <class T>
T dot(const vector<T>& a, const vector<T>& b) {
  T s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a(i) * b(i);
  return s;
}
}  // namespace detail

}  // namespace clm
