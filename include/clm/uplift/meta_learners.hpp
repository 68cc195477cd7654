#pragma once
// Uplift models over any clm classifier: the effect of a treatment (a retention offer, a
// coupon) on each customer's probability of the desired outcome,
//
//   uplift(x) = P(y = 1 | x, treated) - P(y = 1 | x, not treated),
//
// learned from a randomised experiment: features X, outcome y (1: the desired response -
// retained, purchased; for churn pass 1 - churned) and the treatment flag t (1 treated,
// 0 control). All three models have fit(X, y, treatment) -> E& and predict_uplift(X), the
// uplift_model concept; each is a value type with params, save/load and clone like every
// clm estimator. The names are scikit-uplift's and CausalML's:
//
//   two_model_uplift<C> (T-learner, "two models"): one classifier on the treated rows, one
//     on the control rows; uplift = P_treated(x) - P_control(x).
//   s_learner<C> (S-learner, "solo model"): one classifier on [X, t]; uplift =
//     P(x, t = 1) - P(x, t = 0). A linear classifier gives it one logit shift for all
//     customers: it can rank only through the base rate (a known limit of the method).
//   class_transformation<C> (Jaskowski & Jaroszewicz 2012): one classifier on
//     z = y t + (1 - y)(1 - t); uplift = 2 P(z = 1 | x) - 1. The identity needs
//     P(t = 1) = 1/2: with `balance` (default) the rows are weighted n / (2 n_group) so the
//     two groups weigh the same whatever the split (the classifier must take sample
//     weights); balance = false is scikit-uplift's ClassTransformation, exact only for a
//     50/50 split.
//
// The meta-learners are composites over a classifier, like a pipeline, and sit at its
// level (they use model_selection's take_rows).
//
// Bad input (named errors): treatment flags other than 0/1, a group with no rows, a group
// whose outcomes are all 0 or all 1 (its response rate cannot be modelled), lengths that
// differ; and whatever the classifier refuses (NaN features, ...).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/model_selection/split.hpp"

namespace clm {

namespace detail {

struct treatment_split {
  std::vector<std::size_t> treated, control;
};

/// Checks y (0/1), t (0/1) and their lengths against X's rows, and that each group has
/// rows and both outcomes (unless `both_outcomes_each` is false).
template <class T>
treatment_split check_experiment(std::size_t rows, const vector<T>& y, const vector<T>& t, std::string_view owner,
                                 bool both_outcomes_each = true) {
  const std::string o(owner);
  if (y.size() != rows) throw shape_error(o + ": X has " + std::to_string(rows) + " rows, y " + std::to_string(y.size()));
  if (t.size() != rows) {
    throw shape_error(o + ": X has " + std::to_string(rows) + " rows, treatment " + std::to_string(t.size()));
  }
  treatment_split s;
  std::size_t pos[2] = {0, 0};
  for (std::size_t i = 0; i < rows; ++i) {
    if (t(i) != T(0) && t(i) != T(1)) {
      throw invalid_argument(o + ": treatment must be 0 (control) or 1 (treated), got " + to_text(t(i)) +
                             " at index " + std::to_string(i));
    }
    if (y(i) != T(0) && y(i) != T(1)) {
      throw invalid_argument(o + ": y must be 0 or 1, got " + to_text(y(i)) + " at index " + std::to_string(i));
    }
    const bool treated = t(i) == T(1);
    (treated ? s.treated : s.control).push_back(i);
    pos[treated ? 1 : 0] += y(i) == T(1);
  }
  const char* names[2] = {"control", "treatment"};
  const std::size_t sizes[2] = {s.control.size(), s.treated.size()};
  for (int g = 0; g < 2; ++g) {
    if (sizes[g] == 0) throw invalid_argument(o + ": the " + names[g] + " group has no rows");
    if (both_outcomes_each && (pos[g] == 0 || pos[g] == sizes[g])) {
      throw invalid_argument(o + ": the " + std::string(names[g]) + " group has " +
                             (pos[g] == 0 ? "no positive outcome (y = 1)" : "no negative outcome (y = 0)") +
                             " among its " + std::to_string(sizes[g]) + " rows: its response rate cannot be modelled");
    }
  }
  return s;
}

/// Evaluates an experiment's inputs once, checks them and hands them with the groups to f.
template <class T, class E, class Y, class Tr, class F>
void with_experiment(const E& X_in, const Y& y_in, const Tr& t_in, const std::string& owner, F&& f) {
  decltype(auto) X = evaluate<T, 2>(X_in, owner + ": X");
  decltype(auto) y = evaluate<T, 1>(y_in, owner + ": y");
  decltype(auto) t = evaluate<T, 1>(t_in, owner + ": treatment");
  check_nonempty(X, owner + ": X");
  f(X, y, t, check_experiment(X.shape()[0], y, t, owner));
}

/// [X, t]: X with one more column holding t.
template <class T>
matrix<T> with_treatment_column(const matrix<T>& X, T t) {
  const std::size_t n = X.shape()[0], d = X.shape()[1];
  matrix<T> out = matrix<T>::from_shape({n, d + 1});
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(X.data() + i * d, d, out.data() + i * (d + 1));
    out(i, d) = t;
  }
  return out;
}

/// Experiment facts kept by every uplift model: rows and the treated share of the fit.
struct uplift_fit_facts {
  std::size_t n_treated = 0, n_control = 0;
  template <class A>
  void serialize(A& ar) {
    ar(n_treated, n_control);
    ar.check(n_treated > 0 && n_control > 0, "uplift model: a group of the experiment has no rows");
  }
};

}  // namespace detail

template <class P>
struct two_model_uplift_params {
  P treatment{};  ///< the classifier fitted on the treated rows
  P control{};    ///< the classifier fitted on the control rows
  void validate() const {
    treatment.validate();
    control.validate();
  }
  friend bool operator==(const two_model_uplift_params&, const two_model_uplift_params&) = default;
};

/// T-learner: P_treated(x) - P_control(x).
template <classifier C>
class two_model_uplift {
 public:
  using value_type = typename C::value_type;
  using classifier_type = C;
  using params_type = two_model_uplift_params<typename C::params_type>;
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return "two_model_uplift(" + C::model_kind() + ")"; }

  two_model_uplift() = default;
  explicit two_model_uplift(const params_type& p) : treated_(p.treatment), control_(p.control) {}

  params_type params() const { return {treated_.params(), control_.params()}; }
  bool fitted() const noexcept { return facts_.has_value(); }

  template <class E, class Y, class Tr>
  two_model_uplift& fit(const E& X_in, const Y& y_in, const Tr& t_in) {
    facts_.reset();
    detail::with_experiment<value_type>(X_in, y_in, t_in, "two_model_uplift.fit",
                                        [&](const auto& X, const auto& y, const auto&, const auto& split) {
                                          C treated = clm::clone(treated_), control = clm::clone(control_);
                                          treated.fit(clm::take_rows(X, split.treated), clm::take_rows(y, split.treated));
                                          control.fit(clm::take_rows(X, split.control), clm::take_rows(y, split.control));
                                          treated_ = std::move(treated);
                                          control_ = std::move(control);
                                          facts_ = detail::uplift_fit_facts{split.treated.size(), split.control.size()};
                                        });
    return *this;
  }

  template <class E>
  vector<value_type> predict_uplift(const E& X) const {
    check_fitted(fitted(), "two_model_uplift");
    vector<value_type> u = treated_.predict_proba(X);
    u -= control_.predict_proba(X);
    return u;
  }
  template <class E>
  vector<value_type> predict_proba_treated(const E& X) const {
    check_fitted(fitted(), "two_model_uplift");
    return treated_.predict_proba(X);
  }
  template <class E>
  vector<value_type> predict_proba_control(const E& X) const {
    check_fitted(fitted(), "two_model_uplift");
    return control_.predict_proba(X);
  }
  const C& treatment_model() const { return treated_; }
  const C& control_model() const { return control_; }

  template <class A>
  void serialize(A& ar) {
    ar.nested(treated_);
    ar.nested(control_);
    ar(facts_);
    ar.check(!facts_ || (treated_.fitted() && control_.fitted()), "two_model_uplift: a fitted model needs both classifiers fitted");
  }

 private:
  C treated_{}, control_{};
  std::optional<detail::uplift_fit_facts> facts_;
};

template <class P>
struct s_learner_params {
  P base{};  ///< the classifier fitted on [X, treatment]
  void validate() const { base.validate(); }
  friend bool operator==(const s_learner_params&, const s_learner_params&) = default;
};

/// S-learner: one classifier on [X, t]; P(x, 1) - P(x, 0).
template <classifier C>
class s_learner {
 public:
  using value_type = typename C::value_type;
  using classifier_type = C;
  using params_type = s_learner_params<typename C::params_type>;
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return "s_learner(" + C::model_kind() + ")"; }

  s_learner() = default;
  explicit s_learner(const params_type& p) : base_(p.base) {}

  params_type params() const { return {base_.params()}; }
  bool fitted() const noexcept { return facts_.has_value(); }

  template <class E, class Y, class Tr>
  s_learner& fit(const E& X_in, const Y& y_in, const Tr& t_in) {
    facts_.reset();
    detail::with_experiment<value_type>(X_in, y_in, t_in, "s_learner.fit",
                                        [&](const auto& X, const auto& y, const auto& t, const auto& split) {
                                          matrix<value_type> Xt = detail::with_treatment_column(X, value_type(0));
                                          const std::size_t d = X.shape()[1];
                                          for (std::size_t i = 0; i < X.shape()[0]; ++i) Xt(i, d) = t(i);
                                          C base = clm::clone(base_);
                                          base.fit(Xt, y);
                                          base_ = std::move(base);
                                          facts_ = detail::uplift_fit_facts{split.treated.size(), split.control.size()};
                                        });
    return *this;
  }

  template <class E>
  vector<value_type> predict_uplift(const E& X_in) const {
    check_fitted(fitted(), "s_learner");
    decltype(auto) X = evaluate<value_type, 2>(X_in, "s_learner: X");
    vector<value_type> u = base_.predict_proba(detail::with_treatment_column(X, value_type(1)));
    u -= base_.predict_proba(detail::with_treatment_column(X, value_type(0)));
    return u;
  }
  const C& base_model() const { return base_; }

  template <class A>
  void serialize(A& ar) {
    ar.nested(base_);
    ar(facts_);
    ar.check(!facts_ || base_.fitted(), "s_learner: a fitted model needs its classifier fitted");
  }

 private:
  C base_{};
  std::optional<detail::uplift_fit_facts> facts_;
};

template <class P>
struct class_transformation_params {
  P base{};             ///< the classifier fitted on z = y t + (1 - y)(1 - t)
  bool balance = true;  ///< weight the groups equally (n / (2 n_group) per row)
  void validate() const { base.validate(); }
  friend bool operator==(const class_transformation_params&, const class_transformation_params&) = default;
};

/// Class transformation: one classifier on z; uplift = 2 P(z = 1 | x) - 1.
template <classifier C>
class class_transformation {
 public:
  using value_type = typename C::value_type;
  using classifier_type = C;
  using params_type = class_transformation_params<typename C::params_type>;
  static constexpr std::uint32_t serial_version = 1;
  static std::string model_kind() { return "class_transformation(" + C::model_kind() + ")"; }

  class_transformation() = default;
  explicit class_transformation(const params_type& p) : base_(p.base), balance_(p.balance) {}

  params_type params() const { return {base_.params(), balance_}; }
  bool fitted() const noexcept { return facts_.has_value(); }

  template <class E, class Y, class Tr>
  class_transformation& fit(const E& X_in, const Y& y_in, const Tr& t_in) {
    using T = value_type;
    const std::string what = "class_transformation.fit";
    facts_.reset();
    detail::with_experiment<T>(X_in, y_in, t_in, what, [&](const auto& X, const auto& y, const auto& t, const auto& split) {
      const std::size_t n = X.shape()[0];
      vector<T> z = vector<T>::from_shape({n});
      for (std::size_t i = 0; i < n; ++i) z(i) = (y(i) == t(i)) ? T(1) : T(0);
      C base = clm::clone(base_);
      if (balance_) {
        vector<double> w = vector<double>::from_shape({n});
        const double wt = static_cast<double>(n) / (2.0 * static_cast<double>(split.treated.size()));
        const double wc = static_cast<double>(n) / (2.0 * static_cast<double>(split.control.size()));
        for (std::size_t i = 0; i < n; ++i) w(i) = t(i) == T(1) ? wt : wc;
        if constexpr (requires { base.fit(X, z, w); }) {
          base.fit(X, z, w);
        } else {
          throw invalid_argument(what + ": " + C::model_kind() +
                                 " takes no sample weights, which balance = true needs; set balance = false "
                                 "(exact only for a 50/50 split)");
        }
      } else {
        base.fit(X, z);
      }
      base_ = std::move(base);
      facts_ = detail::uplift_fit_facts{split.treated.size(), split.control.size()};
    });
    return *this;
  }

  template <class E>
  vector<value_type> predict_uplift(const E& X) const {
    check_fitted(fitted(), "class_transformation");
    vector<value_type> u = base_.predict_proba(X);
    for (auto& v : u) v = value_type(2) * v - value_type(1);
    return u;
  }
  const C& base_model() const { return base_; }

  template <class A>
  void serialize(A& ar) {
    ar(balance_);
    ar.nested(base_);
    ar(facts_);
    ar.check(!facts_ || base_.fitted(), "class_transformation: a fitted model needs its classifier fitted");
  }

 private:
  C base_{};
  bool balance_ = true;
  std::optional<detail::uplift_fit_facts> facts_;
};

}  // namespace clm
