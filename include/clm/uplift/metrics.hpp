#pragma once
// How well predicted uplift ranks customers, measured on a randomised experiment (outcome
// y: 1 the desired response; treatment t: 1 treated, 0 control). The definitions are
// scikit-uplift 0.5's (sklift.metrics), stated here so they can be checked without it.
// Customers are ordered by predicted uplift, highest first; the curves have one point per
// distinct uplift value (ties enter together), after a first point (0, 0). At the k-th
// point N is the number of customers so far, N_t / N_c those treated / in control, and
// Y_t / Y_c their responders.
//
//   uplift_curve(y, u, t)    N and (Y_t / N_t - Y_c / N_c) N   (a rate taken as 0 while its
//                            group is empty)
//   qini_curve(y, u, t)      N and Y_t - Y_c N_t / N_c          (0 while N_c = 0)
//   perfect_uplift_curve(y, t), perfect_qini_curve(y, t, negative_effect)
//                            the curves of the best ordering the outcomes allow (sklift's
//                            construction: treated responders and control non-responders
//                            first; with negative_effect the control responders last)
//   auuc(y, u, t)            sklift's uplift_auc_score: (A(u) - A(random)) / (A(perfect) -
//                            A(random)), A the trapezoidal area under the uplift curve and
//                            "random" the straight line from (0, 0) to the perfect curve's
//                            end point (the same end point as every ordering's)
//   qini_coefficient(y, u, t, negative_effect = true)
//                            sklift's qini_auc_score: the same normalisation of the Qini
//                            curve's area. Radcliffe (2007) defines the Qini coefficient as
//                            the area between the Qini curve and the random line, in units
//                            of the treated count (not normalised by the perfect curve);
//                            Gini-style normalisations in the literature differ by that
//                            denominator only, so rankings of models agree.
//   uplift_at_k(y, u, t, k, strategy)
//                            response rate of the treated minus that of the control among
//                            the top share k of customers: overall - the first floor(n k)
//                            customers; by_group - the first floor(n_t k) treated and the
//                            first floor(n_c k) control customers. Ties at the cut are taken
//                            in reverse input order (sklift's argsort(kind="mergesort")[::-1]).
//
// Errors: lengths that differ or empty input (shape_error); y or t not 0/1, no treated or
// no control rows, k outside (0, 1], a top share with no treated or no control customer
// (invalid_argument); NaN or infinite uplift (numeric_error).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/sort.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"

namespace clm {

struct uplift_curve_points {
  std::vector<double> n_targeted;  ///< N: customers targeted (0 first)
  std::vector<double> value;       ///< the curve at N
};

enum class uplift_at_k_strategy : std::uint8_t { overall, by_group };

namespace detail {

struct uplift_inputs {
  std::vector<double> y, t, u;
  std::size_t n_treated = 0;
};

template <class Y, class U, class Tr>
uplift_inputs check_uplift_inputs(const Y& y_in, const U& u_in, const Tr& t_in, std::string_view owner) {
  const std::string o(owner);
  decltype(auto) y = evaluate<double, 1>(y_in, o + ": y");
  decltype(auto) u = evaluate<double, 1>(u_in, o + ": uplift");
  decltype(auto) t = evaluate<double, 1>(t_in, o + ": treatment");
  check_paired(y.size(), u.size(), o, "y", "uplift");
  check_paired(y.size(), t.size(), o, "y", "treatment");
  check_finite(u, o + ": uplift");
  uplift_inputs in;
  in.y.assign(y.begin(), y.end());
  in.t.assign(t.begin(), t.end());
  in.u.assign(u.begin(), u.end());
  for (std::size_t i = 0; i < in.y.size(); ++i) {
    if (in.y[i] != 0.0 && in.y[i] != 1.0) {
      throw invalid_argument(o + ": y must be 0 or 1, got " + to_text(in.y[i]) + " at index " + std::to_string(i));
    }
    if (in.t[i] != 0.0 && in.t[i] != 1.0) {
      throw invalid_argument(o + ": treatment must be 0 or 1, got " + to_text(in.t[i]) + " at index " + std::to_string(i));
    }
    in.n_treated += in.t[i] == 1.0;
  }
  if (in.n_treated == 0 || in.n_treated == in.y.size()) {
    throw invalid_argument(o + ": needs treated and control customers, got " + std::to_string(in.n_treated) +
                           " treated of " + std::to_string(in.y.size()));
  }
  return in;
}

/// sklift's order: ascending stable, reversed (highest first, ties in reverse input order).
inline std::vector<std::size_t> uplift_order(const std::vector<double>& u) {
  std::vector<std::size_t> order = radix_argsort(u.data(), u.size());
  std::reverse(order.begin(), order.end());
  return order;
}

/// Cumulative counts at the last customer of each distinct uplift value, highest first.
struct uplift_cumulative {
  std::vector<double> n, n_t, y_t, y_c;
};

inline uplift_cumulative cumulate(const uplift_inputs& in, const std::vector<double>& score) {
  const std::vector<std::size_t> order = uplift_order(score);
  uplift_cumulative c;
  double n_t = 0, y_t = 0, y_c = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    if (in.t[i] == 1.0) {
      n_t += 1;
      y_t += in.y[i];
    } else {
      y_c += in.y[i];
    }
    if (k + 1 == order.size() || score[order[k + 1]] != score[i]) {
      c.n.push_back(static_cast<double>(k + 1));
      c.n_t.push_back(n_t);
      c.y_t.push_back(y_t);
      c.y_c.push_back(y_c);
    }
  }
  return c;
}

/// (0, 0), then N and value(cumulative counts, k) at each distinct score, highest first.
template <class V>
uplift_curve_points curve_points(const uplift_inputs& in, const std::vector<double>& score, V value) {
  const uplift_cumulative c = cumulate(in, score);
  uplift_curve_points p{{0.0}, {0.0}};
  for (std::size_t k = 0; k < c.n.size(); ++k) {
    p.n_targeted.push_back(c.n[k]);
    p.value.push_back(value(c, k, c.n[k] - c.n_t[k]));
  }
  return p;
}

inline uplift_curve_points uplift_points(const uplift_inputs& in, const std::vector<double>& score) {
  return curve_points(in, score, [](const uplift_cumulative& c, std::size_t k, double n_c) {
    const double rt = c.n_t[k] != 0 ? c.y_t[k] / c.n_t[k] : 0.0;
    const double rc = n_c != 0 ? c.y_c[k] / n_c : 0.0;
    return (rt - rc) * c.n[k];
  });
}

inline uplift_curve_points qini_points(const uplift_inputs& in, const std::vector<double>& score) {
  return curve_points(in, score, [](const uplift_cumulative& c, std::size_t k, double n_c) {
    return c.y_t[k] - c.y_c[k] * (n_c != 0 ? c.n_t[k] / n_c : 0.0);
  });
}

inline double trapezoid(const uplift_curve_points& p) {
  double a = 0;
  for (std::size_t k = 1; k < p.n_targeted.size(); ++k) {
    a += (p.n_targeted[k] - p.n_targeted[k - 1]) * (p.value[k] + p.value[k - 1]) / 2;
  }
  return a;
}

inline double normalised_area(const uplift_curve_points& actual, const uplift_curve_points& perfect,
                              std::string_view owner) {
  const double x_end = perfect.n_targeted.back(), y_end = perfect.value.back();
  const double random = x_end * y_end / 2;
  const double best = trapezoid(perfect) - random;
  if (!(best != 0.0)) {
    throw invalid_argument(std::string(owner) + ": the best ordering is no better than random (the outcomes of the "
                           "two groups leave nothing to rank), so the normalised area is undefined");
  }
  return (trapezoid(actual) - random) / best;
}

inline std::vector<double> perfect_uplift_scores(const uplift_inputs& in) {
  double control_responders = 0, treated_non_responders = 0;
  for (std::size_t i = 0; i < in.y.size(); ++i) {
    control_responders += in.y[i] == 1.0 && in.t[i] == 0.0;
    treated_non_responders += in.y[i] == 0.0 && in.t[i] == 1.0;
  }
  std::vector<double> s(in.y.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double summand = control_responders > treated_non_responders ? in.y[i] : in.t[i];
    s[i] = 2.0 * (in.y[i] == in.t[i] ? 1.0 : 0.0) + summand;
  }
  return s;
}

inline uplift_curve_points perfect_qini_points(const uplift_inputs& in, bool negative_effect) {
  if (negative_effect) {
    std::vector<double> s(in.y.size());
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = in.y[i] * in.t[i] - in.y[i] * (1.0 - in.t[i]);
    return qini_points(in, s);
  }
  double y_t = 0, y_c = 0;
  for (std::size_t i = 0; i < in.y.size(); ++i) (in.t[i] == 1.0 ? y_t : y_c) += in.y[i];
  const double n_t = static_cast<double>(in.n_treated), n_c = static_cast<double>(in.y.size() - in.n_treated);
  const double r = y_t - n_t * y_c / n_c;
  return {{0.0, r, static_cast<double>(in.y.size())}, {0.0, r, r}};
}

}  // namespace detail

template <class Y, class U, class Tr>
uplift_curve_points uplift_curve(const Y& y, const U& uplift, const Tr& treatment) {
  const auto in = detail::check_uplift_inputs(y, uplift, treatment, "uplift_curve");
  return detail::uplift_points(in, in.u);
}

template <class Y, class U, class Tr>
uplift_curve_points qini_curve(const Y& y, const U& uplift, const Tr& treatment) {
  const auto in = detail::check_uplift_inputs(y, uplift, treatment, "qini_curve");
  return detail::qini_points(in, in.u);
}

template <class Y, class Tr>
uplift_curve_points perfect_uplift_curve(const Y& y, const Tr& treatment) {
  const auto in = detail::check_uplift_inputs(y, y, treatment, "perfect_uplift_curve");
  return detail::uplift_points(in, detail::perfect_uplift_scores(in));
}

template <class Y, class Tr>
uplift_curve_points perfect_qini_curve(const Y& y, const Tr& treatment, bool negative_effect = true) {
  const auto in = detail::check_uplift_inputs(y, y, treatment, "perfect_qini_curve");
  return detail::perfect_qini_points(in, negative_effect);
}

/// Normalised area under the uplift curve (sklift's uplift_auc_score).
template <class Y, class U, class Tr>
double auuc(const Y& y, const U& uplift, const Tr& treatment) {
  const auto in = detail::check_uplift_inputs(y, uplift, treatment, "auuc");
  return detail::normalised_area(detail::uplift_points(in, in.u), detail::uplift_points(in, detail::perfect_uplift_scores(in)),
                                 "auuc");
}

/// Normalised area under the Qini curve (sklift's qini_auc_score).
template <class Y, class U, class Tr>
double qini_coefficient(const Y& y, const U& uplift, const Tr& treatment, bool negative_effect = true) {
  const auto in = detail::check_uplift_inputs(y, uplift, treatment, "qini_coefficient");
  return detail::normalised_area(detail::qini_points(in, in.u), detail::perfect_qini_points(in, negative_effect),
                                 "qini_coefficient");
}

template <class Y, class U, class Tr>
double uplift_at_k(const Y& y, const U& uplift, const Tr& treatment, double k,
                   uplift_at_k_strategy strategy = uplift_at_k_strategy::overall) {
  const char* o = "uplift_at_k";
  const auto in = detail::check_uplift_inputs(y, uplift, treatment, o);
  if (!(k > 0.0 && k <= 1.0)) throw invalid_argument(std::string(o) + ": k must be in (0, 1], got " + detail::to_text(k));
  const std::size_t n = in.y.size(), n_t = in.n_treated, n_c = n - n_t;
  const std::vector<std::size_t> order = detail::uplift_order(in.u);
  double take_t = 0, take_c = 0, resp_t = 0, resp_c = 0;
  if (strategy == uplift_at_k_strategy::overall) {
    const auto top = static_cast<std::size_t>(static_cast<double>(n) * k);
    for (std::size_t q = 0; q < top; ++q) {
      const std::size_t i = order[q];
      (in.t[i] == 1.0 ? take_t : take_c) += 1;
      (in.t[i] == 1.0 ? resp_t : resp_c) += in.y[i];
    }
  } else {
    const auto top_t = static_cast<double>(static_cast<std::size_t>(static_cast<double>(n_t) * k));
    const auto top_c = static_cast<double>(static_cast<std::size_t>(static_cast<double>(n_c) * k));
    for (std::size_t i : order) {
      if (in.t[i] == 1.0 && take_t < top_t) {
        take_t += 1;
        resp_t += in.y[i];
      } else if (in.t[i] == 0.0 && take_c < top_c) {
        take_c += 1;
        resp_c += in.y[i];
      }
    }
  }
  if (take_t == 0 || take_c == 0) {
    throw invalid_argument(std::string(o) + ": the top " + detail::to_text(k) + " holds " + detail::to_text(take_t) +
                           " treated and " + detail::to_text(take_c) + " control customers; both are needed");
  }
  return resp_t / take_t - resp_c / take_c;
}

}  // namespace clm
