#pragma once
// What the lifetime models share: params, the maximum-likelihood fit over log-parameters
// with clm::lbfgs, standard errors from a numerical Hessian, the summary checks, saving.
//
// A model `Derived` supplies
//   (the number of parameters K is lifetime_base's third argument)
//   static constexpr const char* name;
//   static constexpr std::array<const char*, K> parameter_names;
//   static fit_rows rows(const customer_summary&, const lifetime_params&)   the data it fits
//   static std::array<double, K> start(const fit_rows&)                  a starting point
//   static double row_log_likelihood(const std::array<double, K>& p, const fit_rows& d,
//                                    std::size_t i, std::array<double, K>* gradient)
//       the log-likelihood of row i and, when `gradient` is given and Derived::analytic_gradient,
//       its derivatives in the natural parameters.
//   static void check_parameters(const std::array<double, K>&)  throws for unusable fits

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/transactions.hpp"
#include "clm/optim/lbfgs.hpp"

namespace clm {

/// Fitting options every lifetime model takes (lifetimes' names where it has them).
struct lifetime_params {
  double penalizer = 0.0;          ///< L2 on the parameters: penalizer * sum(param^2) added
                                   ///< to the mean negative log-likelihood, as lifetimes
  std::size_t max_iterations = 1000;
  double gtol = 1e-9;              ///< L-BFGS: max |gradient| of the mean objective in log-parameters
  bool exclude_nonpositive = false;  ///< Gamma-Gamma: leave out repeat customers whose mean
                                     ///< spend is <= 0 instead of refusing them

  void validate() const {
    require_param(penalizer >= 0.0 && std::isfinite(penalizer), "lifetime model", "penalizer", penalizer,
                  "finite and >= 0");
    require_param(max_iterations >= 1, "lifetime model", "max_iterations", max_iterations, ">= 1");
    require_param(gtol > 0.0 && std::isfinite(gtol), "lifetime model", "gtol", gtol, "finite and > 0");
  }
  friend bool operator==(const lifetime_params&, const lifetime_params&) = default;
};

namespace detail {

/// The rows a model fits: per row x, recency (or mean spend for Gamma-Gamma), T, weight.
struct fit_rows {
  std::vector<double> x, recency, T, weight;
  double total_weight = 0.0;
  double excluded_weight = 0.0;  ///< customers left out by the model's rules (e.g. spend <= 0)
  std::size_t size() const noexcept { return x.size(); }
};

inline const char* unit_name(time_unit u) { return u == time_unit::week ? "weeks" : "days"; }

/// " at row i", with the customer's id when the summary has ids: how errors name a row.
inline std::string row_name(const customer_summary& s, std::size_t i) {
  std::string w = " at row " + std::to_string(i);
  if (s.ids.size() == s.size() && i < s.ids.size()) w += " (customer '" + s.ids[i] + "')";
  return w;
}

/// Checks one customer's history: finite, 0 <= recency <= T, integer frequency >= 0,
/// recency 0 where frequency is 0. `where()` ends each message (called only on an error).
template <class Where>
void check_customer(double x, double t, double T, const char* owner, const Where& where) {
  if (!(std::isfinite(x) && std::isfinite(t) && std::isfinite(T))) {
    throw numeric_error(std::string(owner) + ": expected finite frequency, recency and T, got " + to_text(x) + ", " +
                        to_text(t) + ", " + to_text(T) + where());
  }
  if (x < 0.0 || std::floor(x) != x) {
    throw invalid_argument(std::string(owner) + ": expected a whole frequency >= 0, got " + to_text(x) + where());
  }
  if (t < 0.0 || t > T) {
    throw invalid_argument(std::string(owner) + ": expected 0 <= recency <= T, got recency " + to_text(t) + " and T " +
                           to_text(T) + where());
  }
  if (x == 0.0 && t != 0.0) {
    throw invalid_argument(std::string(owner) + ": expected recency 0 for a customer without repeat purchases, got " +
                           to_text(t) + where());
  }
}

/// Checks a summary's columns: equal lengths, every row a valid history (check_customer),
/// weights > 0.
inline void check_summary(const customer_summary& s, const char* owner, bool need_rows = true) {
  const std::size_t n = s.size();
  if (need_rows && n == 0) throw shape_error(std::string(owner) + ": expected a summary with customers, got none");
  if (s.recency.size() != n || s.T.size() != n) {
    throw shape_error(std::string(owner) + ": frequency, recency and T have " + std::to_string(n) + ", " +
                      std::to_string(s.recency.size()) + " and " + std::to_string(s.T.size()) +
                      " elements; expected the same number");
  }
  const bool weighted = s.weight.size() == n;
  for (std::size_t i = 0; i < n; ++i) {
    check_customer(s.frequency(i), s.recency(i), s.T(i), owner, [&] { return row_name(s, i); });
    if (weighted && !(s.weight(i) > 0.0 && std::isfinite(s.weight(i)))) {
      throw invalid_argument(std::string(owner) + ": expected weights > 0, got " + to_text(s.weight(i)) + row_name(s, i));
    }
  }
}

/// A summary's distinct (frequency, recency, T) rows with their counts as weights.
inline fit_rows purchase_rows(const customer_summary& s, const char* owner) {
  check_summary(s, owner);
  const customer_summary c = s.compressed();
  fit_rows d;
  d.x.assign(c.frequency.begin(), c.frequency.end());
  d.recency.assign(c.recency.begin(), c.recency.end());
  d.T.assign(c.T.begin(), c.T.end());
  d.weight.assign(c.weight.begin(), c.weight.end());
  for (const double w : d.weight) d.total_weight += w;
  return d;
}

/// Mean of a row column weighted by the rows' weights.
inline double weighted_mean(const std::vector<double>& v, const fit_rows& d) {
  double s = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) s += d.weight[i] * v[i];
  return s / d.total_weight;
}

/// Neumaier's compensated summation: the objective's rounding noise stays near one ulp, so
/// the line search can follow it to a small gradient.
class compensated_sum {
 public:
  void add(double v) noexcept {
    const double t = sum_ + v;
    comp_ += std::abs(sum_) >= std::abs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
  }
  double value() const noexcept { return sum_ + comp_; }

 private:
  double sum_ = 0.0, comp_ = 0.0;
};

/// Solves the small symmetric system H X = I (Gauss-Jordan with partial pivoting);
/// false when H is singular.
template <std::size_t K>
bool invert(std::array<std::array<double, K>, K> H, std::array<std::array<double, K>, K>& inv) {
  for (std::size_t i = 0; i < K; ++i) {
    for (std::size_t j = 0; j < K; ++j) inv[i][j] = i == j ? 1.0 : 0.0;
  }
  for (std::size_t c = 0; c < K; ++c) {
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < K; ++r) {
      if (std::abs(H[r][c]) > std::abs(H[piv][c])) piv = r;
    }
    if (!(std::abs(H[piv][c]) > 0.0)) return false;
    std::swap(H[c], H[piv]);
    std::swap(inv[c], inv[piv]);
    const double d = H[c][c];
    for (std::size_t j = 0; j < K; ++j) {
      H[c][j] /= d;
      inv[c][j] /= d;
    }
    for (std::size_t r = 0; r < K; ++r) {
      if (r == c) continue;
      const double f = H[r][c];
      for (std::size_t j = 0; j < K; ++j) {
        H[r][j] -= f * H[c][j];
        inv[r][j] -= f * inv[c][j];
      }
    }
  }
  return true;
}

template <class Derived, class T, std::size_t NP>
class lifetime_base {
 public:
  using value_type = T;
  using params_type = lifetime_params;
  using summary_type = customer_summary;
  static constexpr std::size_t K = NP;
  using array_type = std::array<double, K>;
  /// 2: the fit report's stop reason and the excluded-customer count are stored.
  static constexpr std::uint32_t serial_version = 2;

  static std::string model_kind() { return model_kind_name<T>(Derived::name); }

  lifetime_base() = default;
  explicit lifetime_base(const params_type& p) : params_(p) { params_.validate(); }

  const params_type& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  /// Maximum likelihood on the summary (identical histories merged first).
  Derived& fit(const customer_summary& s) {
    state_.reset();
    const fit_rows d = Derived::rows(s, params_);
    if (d.size() == 0) throw shape_error(std::string(Derived::name) + ".fit: no rows to fit");
    const array_type start = Derived::start(d);
    vector<double> w = vector<double>::from_shape({K});
    for (std::size_t k = 0; k < K; ++k) w(k) = std::log(start[k]);
    lbfgs_params lp;
    lp.max_iterations = params_.max_iterations;
    lp.gtol = params_.gtol;
    lp.ftol = 1e-15;
    if (d.size() > 2 * warm_start_rows) warm_start(d, w, lp);
    objective f{&d, params_.penalizer};
    state st;
    st.report = lbfgs(f, w, lp);
    for (std::size_t k = 0; k < K; ++k) {
      st.parameters[k] = std::exp(w(k));
      if (!(std::isfinite(st.parameters[k]) && st.parameters[k] > 0.0)) {
        throw numeric_error(std::string(Derived::name) + ".fit: parameter " + Derived::parameter_names[k] +
                            " is " + to_text(st.parameters[k]) +
                            " at the end of the fit; expected a finite positive value (try a penalizer)");
      }
    }
    Derived::check_parameters(st.parameters);
    st.log_likelihood = total_log_likelihood(st.parameters, d);
    if (!std::isfinite(st.log_likelihood)) {
      throw numeric_error(std::string(Derived::name) + ".fit: the log-likelihood at the fitted parameters is not finite");
    }
    st.standard_errors = standard_errors_at(st.parameters, d);
    st.unit = s.unit;
    st.n_customers = d.total_weight;
    st.n_excluded = d.excluded_weight;
    state_ = st;
    return static_cast<Derived&>(*this);
  }

  /// Sets the parameters directly (a model known from elsewhere, or a simulation's truth);
  /// the result predicts but has no fit report, log-likelihood or standard errors.
  Derived& set_parameters(const array_type& p, time_unit unit = time_unit::week) {
    for (std::size_t k = 0; k < K; ++k) {
      require_param(std::isfinite(p[k]) && p[k] > 0.0, Derived::name, Derived::parameter_names[k], p[k],
                    "finite and > 0");
    }
    Derived::check_parameters(p);
    state st;
    st.parameters = p;
    st.standard_errors.fill(std::numeric_limits<double>::quiet_NaN());
    st.log_likelihood = std::numeric_limits<double>::quiet_NaN();
    st.report.stopped_because = "parameters set directly";
    st.unit = unit;
    state_ = st;
    return static_cast<Derived&>(*this);
  }

  const optimize_report& report() const { return get().report; }

  /// Purchase models: E[Y(t) | x, t_x, T] for one (hypothetical) customer, in the fitted
  /// time unit, as lifetimes' predict(t, x, t_x, T).
  template <class D = Derived>
    requires D::purchase_model
  T conditional_expected_purchases(double t, double x, double t_x, double age) const {
    require_param(t >= 0.0 && std::isfinite(t), Derived::name, "t", t, "finite and >= 0");
    check_prediction_customer(x, t_x, age, "conditional_expected_purchases");
    return static_cast<T>(static_cast<const D&>(*this).conditional_one(t, x, t_x, age));
  }
  /// Purchase models: P(alive | x, t_x, T) for one customer.
  template <class D = Derived>
    requires D::purchase_model
  T probability_alive(double x, double t_x, double age) const {
    check_prediction_customer(x, t_x, age, "probability_alive");
    return static_cast<T>(static_cast<const D&>(*this).alive_one(x, t_x, age));
  }

  /// Purchase models: P(no purchase in (T, T + t] | x, t_x, T) per customer of a summary,
  /// the model's probability of "churned over the next t" (no purchase in a holdout of
  /// length t): dead by T, or alive with no purchase in the next t, under the posterior of the
  /// customer's rates given the history.
  template <class D = Derived>
    requires D::purchase_model
  vector<T> conditional_probability_no_purchases(double t, const customer_summary& s) const {
    require_param(t >= 0.0 && std::isfinite(t), Derived::name, "t", t, "finite and >= 0");
    check_prediction_summary(s, "conditional_probability_no_purchases");
    vector<T> out = vector<T>::from_shape({s.size()});
    const D& self = static_cast<const D&>(*this);
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double alive = self.alive_one(s.frequency(i), s.recency(i), s.T(i));
      out(i) = static_cast<T>(1.0 - alive * (1.0 - self.quiet_if_alive(t, s.frequency(i), s.T(i))));
    }
    return out;
  }

  /// Customers the fit used (summing the summary's weights; 0 for parameters set directly).
  double n_customers() const { return get().n_customers; }
  /// Customers the fit left out by the model's own rules: gamma_gamma's non-positive mean
  /// spends under exclude_nonpositive (one-time buyers, which it never uses, not counted).
  double n_excluded() const { return get().n_excluded; }
  /// Total log-likelihood of the fitted data (sum over customers, the data's time unit).
  double log_likelihood() const { return get().log_likelihood; }
  /// The time unit of the data the model was fitted on; predictions take the same unit.
  time_unit unit() const { return get().unit; }
  /// Total log-likelihood of another summary under the fitted parameters.
  double log_likelihood(const customer_summary& s) const {
    return total_log_likelihood(get().parameters, Derived::rows(s, params_));
  }
  /// Its gradient in the natural parameters (parameter_names' order), for the models with
  /// an exact gradient: zero at an unpenalised maximum-likelihood fit, for a score test.
  template <class D = Derived>
    requires D::analytic_gradient
  array_type log_likelihood_gradient(const customer_summary& s) const {
    array_type g{};
    total_with_gradient(get().parameters, Derived::rows(s, params_), g);
    return g;
  }

  template <class A>
  void serialize(A& ar) {
    ar(params_.penalizer, params_.max_iterations, params_.gtol, params_.exclude_nonpositive, state_);
    if constexpr (A::loading) params_.validate();
  }

 protected:
  struct state {
    array_type parameters{};
    array_type standard_errors{};
    double log_likelihood = 0.0;
    double n_customers = 0.0;
    double n_excluded = 0.0;
    optimize_report report;
    time_unit unit = time_unit::week;

    template <class A>
    void serialize(A& ar) {
      ar(parameters, standard_errors, log_likelihood, n_customers);
      if (ar.version() >= 2) ar(n_excluded);
      report.serialize(ar, ar.version() >= 2);
      ar(unit);
      ar.check(n_customers >= 0.0 && n_excluded >= 0.0, "lifetime model: a negative customer count");
      for (std::size_t k = 0; k < K; ++k) {
        ar.check(std::isfinite(parameters[k]) && parameters[k] > 0.0, "lifetime model: a parameter is not finite and positive");
      }
      ar.check(unit == time_unit::week || unit == time_unit::day, "lifetime model: unknown time unit");
    }
  };

  const state& get() const {
    check_fitted(state_.has_value(), Derived::name);
    return *state_;
  }
  const array_type& fitted_parameters() const { return get().parameters; }
  const array_type& fitted_standard_errors() const { return get().standard_errors; }

  /// Checks one hypothetical customer's (x, t_x, T) given to a scalar prediction.
  void check_prediction_customer(double x, double tx, double age, const char* what) const {
    (void)get();  // not_fitted first
    const std::string owner = std::string(Derived::name) + "." + what;
    check_customer(x, tx, age, owner.c_str(), [] { return std::string(); });
  }

  /// Checks a summary given to a prediction: its columns, and the fitted time unit.
  void check_prediction_summary(const customer_summary& s, const char* what) const {
    const std::string owner = std::string(Derived::name) + "." + what;
    const time_unit fitted_unit = get().unit;  // not_fitted before any complaint about s
    check_summary(s, owner.c_str(), false);
    if (s.unit != fitted_unit) {
      throw invalid_argument(owner + ": the summary is in " + unit_name(s.unit) + " but the model was fitted in " +
                             unit_name(fitted_unit));
    }
  }

 private:
  /// Rows of the warm start (see warm_start).
  static constexpr std::size_t warm_start_rows = 20'000;

  /// On many distinct rows, the first, far steps of the optimisation run on an evenly
  /// strided subset of warm_start_rows of them (every row's weight kept; the objective is
  /// a weighted mean), to a loose tolerance, and the fit on all rows starts from there: it
  /// reaches the same optimum (it converges to gtol on all rows) in a few evaluations near
  /// it, where the likelihood is also cheapest to evaluate. Nothing changes when the subset
  /// cannot be fitted (the fit then starts from the model's own starting point).
  void warm_start(const fit_rows& d, vector<double>& w, const lbfgs_params& lp) const {
    fit_rows sub;
    const std::size_t n = d.size();
    for (std::size_t j = 0; j < warm_start_rows; ++j) {
      const std::size_t i = j * n / warm_start_rows;
      sub.x.push_back(d.x[i]);
      sub.recency.push_back(d.recency[i]);
      sub.T.push_back(d.T[i]);
      sub.weight.push_back(d.weight[i]);
      sub.total_weight += d.weight[i];
    }
    objective f{&sub, params_.penalizer};
    lbfgs_params loose = lp;
    loose.gtol = std::max(lp.gtol, 1e-6);
    vector<double> u = w;
    try {
      const optimize_report r = lbfgs(f, u, loose);
      bool usable = r.evaluations > 0;
      for (std::size_t k = 0; k < K; ++k) usable = usable && std::isfinite(u(k));
      if (usable && std::isfinite(f.value(u))) w = u;
    } catch (const numeric_error&) {
      // keep the model's own starting point
    }
  }

  // A model may sum its log-likelihood (and gradient) over the rows itself, sharing work
  // between rows (Derived::sum_log_likelihood(p, d, grad or nullptr)); else row by row.
  static constexpr bool sums_itself = requires(const array_type& p, const fit_rows& d, array_type* g) {
    { Derived::sum_log_likelihood(p, d, g) } -> std::convertible_to<double>;
  };

  static double total_log_likelihood(const array_type& p, const fit_rows& d) {
    if constexpr (sums_itself) {
      return Derived::sum_log_likelihood(p, d, nullptr);
    } else {
      compensated_sum ll;
      for (std::size_t i = 0; i < d.size(); ++i) ll.add(d.weight[i] * Derived::row_log_likelihood(p, d, i, nullptr));
      return ll.value();
    }
  }

  /// The total log-likelihood and (into grad) its gradient in the natural parameters.
  static double total_with_gradient(const array_type& p, const fit_rows& d, array_type& grad) {
    if constexpr (sums_itself) {
      return Derived::sum_log_likelihood(p, d, &grad);
    } else {
      compensated_sum sum;
      std::array<compensated_sum, K> sums{};
      array_type row{};
      for (std::size_t i = 0; i < d.size(); ++i) {
        row.fill(0.0);
        sum.add(d.weight[i] * Derived::row_log_likelihood(p, d, i, &row));
        for (std::size_t k = 0; k < K; ++k) sums[k].add(d.weight[i] * row[k]);
      }
      for (std::size_t k = 0; k < K; ++k) grad[k] = sums[k].value();
      return sum.value();
    }
  }

  /// Mean negative log-likelihood plus the penalty, in log-parameters.
  struct objective {
    const fit_rows* d;
    double penalizer;

    /// Parameters from log-parameters; false when one is 0 or infinite (a trial point the
    /// line search must step back from).
    static bool unpack(const vector<double>& w, array_type& p) {
      for (std::size_t k = 0; k < K; ++k) {
        p[k] = std::exp(w(k));
        if (!(p[k] > 0.0 && std::isfinite(p[k]))) return false;
      }
      return true;
    }

    double value(const vector<double>& w) const {
      array_type p;
      if (!unpack(w, p)) return std::numeric_limits<double>::infinity();
      double pen = 0.0;
      for (std::size_t k = 0; k < K; ++k) pen += p[k] * p[k];
      return -total_log_likelihood(p, *d) / d->total_weight + penalizer * pen;
    }

    double evaluate_with_gradient(const vector<double>& w, vector<double>& g) const {
      if constexpr (Derived::analytic_gradient) {
        array_type p;
        if (!unpack(w, p)) return std::numeric_limits<double>::infinity();
        array_type grad{};
        const double ll = total_with_gradient(p, *d, grad);
        double pen = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
          pen += p[k] * p[k];
          // d/dlog p = p d/dp
          g(k) = -grad[k] * p[k] / d->total_weight + 2.0 * penalizer * p[k] * p[k];
        }
        return -ll / d->total_weight + penalizer * pen;
      } else {
        // Fourth-order central differences in log-parameters (error ~h^4, so the gradient is
        // accurate to ~1e-12 and gtol can be small).
        vector<double> u = w;
        const double h = 1e-3;
        for (std::size_t k = 0; k < K; ++k) {
          const auto at = [&](double step) {
            u(k) = w(k) + step;
            const double v = value(u);
            u(k) = w(k);
            return v;
          };
          g(k) = (at(-2 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2 * h)) / (12.0 * h);
        }
        return value(w);
      }
    }
  };

  /// sqrt(diag(H^-1)), H the Hessian of the total negative log-likelihood in the natural
  /// parameters: by central differences of the exact gradient where the model has one (2K
  /// gradients, symmetrised), else by central second differences of the value; NaN where H
  /// is singular or not positive definite.
  static array_type standard_errors_at(const array_type& p, const fit_rows& d) {
    array_type h;
    for (std::size_t k = 0; k < K; ++k) h[k] = 1e-4 * p[k];
    std::array<std::array<double, K>, K> H{}, inv{};
    if constexpr (Derived::analytic_gradient) {
      for (std::size_t k = 0; k < K; ++k) {
        array_type up = p, down = p, g_up{}, g_down{};
        up[k] += h[k];
        down[k] -= h[k];
        total_with_gradient(up, d, g_up);
        total_with_gradient(down, d, g_down);
        for (std::size_t j = 0; j < K; ++j) H[j][k] = -(g_up[j] - g_down[j]) / (2.0 * h[k]);
      }
      for (std::size_t j = 0; j < K; ++j) {
        for (std::size_t k = j + 1; k < K; ++k) H[j][k] = H[k][j] = (H[j][k] + H[k][j]) / 2.0;
      }
    } else {
      const auto nll = [&](const array_type& q) { return -total_log_likelihood(q, d); };
      for (std::size_t j = 0; j < K; ++j) {
        for (std::size_t k = j; k < K; ++k) {
          const auto at = [&](double sj, double sk) {
            array_type q = p;
            q[j] += sj * h[j];
            q[k] += sk * h[k];
            return nll(q);
          };
          H[j][k] = H[k][j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4.0 * h[j] * h[k]);
        }
      }
    }
    array_type se;
    se.fill(std::numeric_limits<double>::quiet_NaN());
    if (!invert<K>(H, inv)) return se;
    for (std::size_t k = 0; k < K; ++k) {
      if (inv[k][k] > 0.0) se[k] = std::sqrt(inv[k][k]);
    }
    return se;
  }

  params_type params_{};
  std::optional<state> state_;
};

}  // namespace detail
}  // namespace clm
