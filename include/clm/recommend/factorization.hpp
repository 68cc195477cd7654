#pragma once
// Rating models with Surprise's semantics (Surprise 1.1: BaselineOnly, SVD, SVDpp):
//
//   baseline_only<T>  r^_ui = mu + b_u + b_i, the biases by fit_baselines (Surprise's
//                     baseline_als: reg_u 15, reg_i 10, 10 epochs)
//   funk_svd<T>       biased matrix factorisation by SGD (Surprise's SVD; Funk 2006, Koren,
//                     Bell & Volinsky 2009): r^_ui = mu + b_u + b_i + q_i . p_u
//   svdpp<T>          SVD++ (Koren 2008): r^_ui = mu + b_u + b_i + q_i . (p_u + |I_u|^-1/2
//                     sum_{j in I_u} y_j), I_u the items u rated
//
// Training follows Surprise's loops exactly: biases start at 0, factors at N(init_mean,
// init_std^2) draws (clm's generator from `seed`: users' p, then items' q, then svdpp's y;
// or given ones through fit(data, start)); every epoch visits the users in index order (the
// order their ids first appear) and each user's ratings in the order they appear in the
// data (interactions::entry_order()), with no shuffling, and per rating
//   err = r - (mu + b_u + b_i + q_i . p_u)                     (svdpp: q_i . (p_u + imp_u))
//   b_u += lr_bu (err - reg_bu b_u);  b_i += lr_bi (err - reg_bi b_i)
//   per factor f, with the old p_uf, q_if:
//     p_uf += lr_pu (err q_if - reg_pu p_uf)
//     q_if += lr_qi (err p_uf - reg_qi q_if)                    (svdpp: err (p_uf + imp_uf))
//     svdpp: y_jf += lr_yj (err q_if / sqrt|I_u| - reg_yj y_jf) for every j in I_u
// (imp_u = sum_j y_j / sqrt|I_u| as of each rating, as Surprise recomputes it.) Within a
// user's ratings the y_j all take the same affine step, so svdpp applies them once per user
// (O(nnz f) per epoch instead of Surprise's O(sum_u |I_u|^2 f)), equal to Surprise's loop up
// to rounding. funk_svd with biased = false drops mu and the biases.
//
// Prediction: mu, plus b_u and b_i where known, plus the factor term where both are known
// (unbiased funk_svd: the factor term, or mu flagged impossible when either is unknown);
// clipped to the rating scale (params' rating_min / rating_max, by default the data's).
// Repeated (user, item) pairs are summed by interactions (duplicate_policy::sum); read
// ratings with duplicates = reject so each rating is one step, as in Surprise.
//
// Top-N scores every item by its prediction for the user; a new user given items
// (recommend_for_items) gets mu + b_i (+ q_i . imp for svdpp, whose implicit term needs no
// user factors).

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "clm/core/random.hpp"
#include "clm/recommend/detail/base.hpp"
#include "clm/recommend/similarity.hpp"

namespace clm {

/// One rating prediction with how it was made (Surprise's details).
struct rating_prediction {
  double estimate = 0.0;
  bool was_impossible = false;  ///< Surprise's flag: only unbiased funk_svd with an unknown id
  bool fallback = false;        ///< an unknown user or item left a term out
};

namespace detail {

/// The clipping range and the id-based predictions every rating model shares; Derived
/// provides `rating_prediction details(u, i)` over indices (out of range: unknown).
template <class Derived, class Params, class State, class T>
class rating_model_base : public recommender_base<Derived, Params, State, T> {
  using base = recommender_base<Derived, Params, State, T>;

 public:
  using base::base;

  rating_prediction predict_details(std::size_t u, std::size_t i) const {
    rating_prediction p = static_cast<const Derived&>(*this).details(u, i);
    const auto& st = this->get();
    p.estimate = std::clamp(p.estimate, st.lo, st.hi);
    return p;
  }
  T predict(std::size_t u, std::size_t i) const { return static_cast<T>(predict_details(u, i).estimate); }
  rating_prediction predict_details(std::string_view user, std::string_view item) const {
    return predict_details(this->user_index(user).value_or(SIZE_MAX), this->item_index(item).value_or(SIZE_MAX));
  }
  T predict(std::string_view user, std::string_view item) const { return static_cast<T>(predict_details(user, item).estimate); }

  /// Predictions for (users[k], items[k]) pairs; unknown ids get the fallback.
  vector<T> predict(const std::vector<std::string>& users, const std::vector<std::string>& items) const {
    if (users.size() != items.size()) {
      throw shape_error(std::string(Derived::name) + ".predict: " + std::to_string(users.size()) + " users and " +
                        std::to_string(items.size()) + " items; expected one item per user");
    }
    vector<T> out = vector<T>::from_shape({users.size()});
    for (std::size_t k = 0; k < users.size(); ++k) out(k) = predict(users[k], items[k]);
    return out;
  }

  // Top-N: every item's unclipped estimate for the user.
  void score_user(std::size_t u, score_buffer& s) const {
    s.all = true;
    for (std::size_t j = 0; j < s.score.size(); ++j) s.score[j] = static_cast<const Derived&>(*this).details(u, j).estimate;
  }

 protected:
  /// The rating scale from the params or the data.
  static void set_scale(const Params& p, const csr_matrix<double>& R, double& lo, double& hi) {
    const auto [mn, mx] = std::minmax_element(R.values.begin(), R.values.end());
    lo = p.rating_min.value_or(*mn);
    hi = p.rating_max.value_or(*mx);
  }
};

/// The rating-scale params every rating model takes, checked.
inline void check_scale(const char* owner, const std::optional<double>& lo, const std::optional<double>& hi) {
  require_param(!lo || std::isfinite(*lo), owner, "rating_min", lo.value_or(0.0), "finite");
  require_param(!hi || std::isfinite(*hi), owner, "rating_max", hi.value_or(0.0), "finite");
  require_param(!lo || !hi || *lo <= *hi, owner, "rating_max", hi.value_or(0.0), ">= rating_min");
}

/// A loaded rating state's scale and biases.
inline void check_rating_state(const char* owner, double lo, double hi, double mu, const std::vector<double>& bu,
                               const std::vector<double>& bi, const interactions& d) {
  const auto bad = [&](const char* what) { throw format_error(std::string(owner) + ": " + what); };
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo <= hi && std::isfinite(mu))) bad("the rating scale or mean is not finite");
  if (bu.size() != d.n_users() || bi.size() != d.n_items()) bad("the biases do not cover the users and items");
  for (const double v : bu) {
    if (!std::isfinite(v)) bad("a bias is not finite");
  }
  for (const double v : bi) {
    if (!std::isfinite(v)) bad("a bias is not finite");
  }
}

/// Each user's ratings in the order they appear in the data: (item, rating) pairs per user,
/// users in index order.
struct ordered_ratings {
  std::vector<std::size_t> start;  // users + 1
  std::vector<std::int32_t> item;
  std::vector<double> rating;

  explicit ordered_ratings(const interactions& d) {
    const auto& R = d.matrix();
    const auto& order = d.entry_order();
    start.assign(R.indptr.begin(), R.indptr.end());
    item.resize(R.nnz());
    rating.resize(R.nnz());
    std::vector<std::size_t> pos;
    for (std::size_t u = 0; u < R.rows; ++u) {
      pos.resize(R.row_end(u) - R.row_begin(u));
      for (std::size_t k = 0; k < pos.size(); ++k) pos[k] = R.row_begin(u) + k;
      std::sort(pos.begin(), pos.end(), [&](std::size_t a, std::size_t b) { return order[a] < order[b]; });
      for (std::size_t k = 0; k < pos.size(); ++k) {
        item[R.row_begin(u) + k] = R.indices[pos[k]];
        rating[R.row_begin(u) + k] = R.values[pos[k]];
      }
    }
  }
};

/// rows x f draws of N(mean, sd^2).
inline matrix<double> normal_factors(std::size_t rows, std::size_t f, double mean, double sd, random_engine& g) {
  matrix<double> m = matrix<double>::from_shape({rows, f});
  for (auto& v : m) v = normal(g, mean, sd);
  return m;
}

inline void check_factors(const char* owner, const char* what, const matrix<double>& m, std::size_t rows,
                          std::size_t f) {
  if (m.shape()[0] != rows || m.shape()[1] != f) {
    throw shape_error(std::string(owner) + ".fit: " + what + " is " + std::to_string(m.shape()[0]) + " x " +
                      std::to_string(m.shape()[1]) + "; expected " + std::to_string(rows) + " x " + std::to_string(f));
  }
  for (const double v : m) {
    if (!std::isfinite(v)) throw numeric_error(std::string(owner) + ".fit: " + what + " has a value that is not finite");
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------

struct baseline_only_params {
  baseline_options baseline{};
  std::optional<double> rating_min{}, rating_max{};
  std::size_t n_jobs = 1;  ///< threads for recommend_all

  void validate() const {
    baseline.validate();
    detail::check_scale("baseline_only", rating_min, rating_max);
  }
  template <class A>
  void serialize(A& ar) {
    ar(baseline, rating_min, rating_max, n_jobs);
  }
  friend bool operator==(const baseline_only_params&, const baseline_only_params&) = default;
};

namespace detail {
struct baseline_only_state {
  recommender_data train;
  baselines bsl;
  double lo = 0.0, hi = 0.0;
  template <class A>
  void serialize(A& ar) {
    ar(train, bsl, lo, hi);
  }
};
}  // namespace detail

template <class T = double>
class baseline_only
    : public detail::rating_model_base<baseline_only<T>, baseline_only_params, detail::baseline_only_state, T> {
  using base = detail::rating_model_base<baseline_only<T>, baseline_only_params, detail::baseline_only_state, T>;
  friend base;
  friend detail::recommender_base<baseline_only<T>, baseline_only_params, detail::baseline_only_state, T>;

 public:
  static constexpr const char* name = "baseline_only";
  using base::base;

  baseline_only& fit(const interactions& data) {
    detail::baseline_only_state st;
    st.train = this->begin_fit(data);
    st.bsl = fit_baselines(data.matrix(), st.train.by_item, this->params_.baseline);
    base::set_scale(this->params_, data.matrix(), st.lo, st.hi);
    this->state_ = std::move(st);
    return *this;
  }

  const baselines& baseline() const { return this->get().bsl; }

  rating_prediction details(std::size_t u, std::size_t i) const {
    const auto& b = this->get().bsl;
    const bool ku = u < b.user.size(), ki = i < b.item.size();
    double est = b.global_mean;
    if (ku) est += b.user[u];
    if (ki) est += b.item[i];
    return {est, false, !(ku && ki)};
  }
  void score_history(const std::int32_t*, const double*, std::size_t, detail::score_buffer& s) const {
    s.all = true;
    for (std::size_t j = 0; j < s.score.size(); ++j) s.score[j] = details(SIZE_MAX, j).estimate;
  }

 public:
  void check_loaded_state(const detail::baseline_only_state& st) const {
    detail::check_rating_state(name, st.lo, st.hi, st.bsl.global_mean, st.bsl.user, st.bsl.item, st.train.data);
  }
};

// ---------------------------------------------------------------------------------------

/// Surprise's SVD / SVDpp parameters; a per-parameter rate left empty takes lr_all, a
/// per-parameter regularisation reg_all.
struct mf_params {
  std::size_t factors = 100;  ///< Surprise's SVD default (svdpp_params: 20)
  std::size_t epochs = 20;
  bool biased = true;  ///< funk_svd only
  double init_mean = 0.0, init_std = 0.1;
  double lr_all = 0.005, reg_all = 0.02;
  std::optional<double> lr_bu{}, lr_bi{}, lr_pu{}, lr_qi{}, lr_yj{};
  std::optional<double> reg_bu{}, reg_bi{}, reg_pu{}, reg_qi{}, reg_yj{};
  std::uint64_t seed = 0;
  std::optional<double> rating_min{}, rating_max{};
  std::size_t n_jobs = 1;  ///< threads for recommend_all (SGD itself is sequential)

  void validate() const {
    constexpr const char* o = "matrix factorisation";
    require_param(factors >= 1, o, "factors", factors, ">= 1");
    require_param(std::isfinite(init_mean), o, "init_mean", init_mean, "finite");
    require_param(std::isfinite(init_std) && init_std >= 0.0, o, "init_std", init_std, "finite and >= 0");
    for (const auto& [what, v] : {std::pair{"lr_all", std::optional<double>(lr_all)}, std::pair{"lr_bu", lr_bu},
                                  std::pair{"lr_bi", lr_bi}, std::pair{"lr_pu", lr_pu}, std::pair{"lr_qi", lr_qi},
                                  std::pair{"lr_yj", lr_yj}, std::pair{"reg_all", std::optional<double>(reg_all)},
                                  std::pair{"reg_bu", reg_bu}, std::pair{"reg_bi", reg_bi}, std::pair{"reg_pu", reg_pu},
                                  std::pair{"reg_qi", reg_qi}, std::pair{"reg_yj", reg_yj}}) {
      require_param(!v || (std::isfinite(*v) && *v >= 0.0), o, what, v.value_or(0.0), "finite and >= 0");
    }
    detail::check_scale(o, rating_min, rating_max);
  }
  template <class A>
  void serialize(A& ar) {
    ar(factors, epochs, biased, init_mean, init_std, lr_all, reg_all, lr_bu, lr_bi, lr_pu, lr_qi, lr_yj);
    ar(reg_bu, reg_bi, reg_pu, reg_qi, reg_yj, seed, rating_min, rating_max, n_jobs);
  }
  friend bool operator==(const mf_params&, const mf_params&) = default;
};

/// Surprise's SVDpp defaults: 20 factors, lr_all 0.007.
inline mf_params svdpp_defaults() {
  mf_params p;
  p.factors = 20;
  p.lr_all = 0.007;
  return p;
}

/// Starting factors for fit(data, start), instead of seeded draws: users x f, items x f
/// (and items x f implicit factors for svdpp).
struct mf_start {
  matrix<double> user = matrix<double>::from_shape({0, 0});
  matrix<double> item = matrix<double>::from_shape({0, 0});
  matrix<double> implicit = matrix<double>::from_shape({0, 0});
};

namespace detail {

struct mf_state {
  recommender_data train;
  double mu = 0.0, lo = 0.0, hi = 0.0;
  std::vector<double> bu, bi;
  matrix<double> P, Q, Y;  // users x f, items x f, (svdpp) items x f
  matrix<double> implicit_sum;  // (svdpp) users x f: sum_j y_j / sqrt|I_u|, for prediction

  template <class A>
  void serialize(A& ar) {
    ar(train, mu, lo, hi, bu, bi, P, Q, Y, implicit_sum);
    ar.check(P.shape()[0] == train.data.n_users() && Q.shape()[0] == train.data.n_items() &&
                 P.shape()[1] == Q.shape()[1] && P.shape()[1] >= 1,
             "matrix factorisation: factors do not match the data");
    for (const auto* m : {&P, &Q, &Y, &implicit_sum}) {
      for (const double v : *m) ar.check(std::isfinite(v), "matrix factorisation: a factor is not finite");
    }
  }
};

/// funk_svd (Implicit = false) and svdpp (Implicit = true).
template <class Derived, class T, bool Implicit>
class mf_base : public rating_model_base<Derived, mf_params, mf_state, T> {
  using base = rating_model_base<Derived, mf_params, mf_state, T>;
  friend base;
  friend recommender_base<Derived, mf_params, mf_state, T>;

 public:
  using base::base;

  Derived& fit(const interactions& data) { return fit_from(data, nullptr); }
  /// Fits from the given starting factors (e.g. the same draws as a reference run).
  Derived& fit(const interactions& data, const mf_start& start) { return fit_from(data, &start); }

  const matrix<double>& user_factors() const { return this->get().P; }
  const matrix<double>& item_factors() const { return this->get().Q; }
  const std::vector<double>& user_biases() const { return this->get().bu; }
  const std::vector<double>& item_biases() const { return this->get().bi; }
  double global_mean() const { return this->get().mu; }

  rating_prediction details(std::size_t u, std::size_t i) const {
    const auto& st = this->get();
    const bool ku = u < st.bu.size(), ki = i < st.bi.size();
    const std::size_t f = st.Q.shape()[1];
    if (!Implicit && !this->params_.biased) {
      if (!(ku && ki)) return {st.mu, true, true};  // Surprise raises PredictionImpossible
      return {factor_term(st, u, i, f), false, false};
    }
    double est = st.mu;
    if (ku) est += st.bu[u];
    if (ki) est += st.bi[i];
    if (ku && ki) est += factor_term(st, u, i, f);
    return {est, false, !(ku && ki)};
  }

  /// A new user: mu + b_i, plus for svdpp q_i . imp from the given items.
  void score_history(const std::int32_t* items, const double*, std::size_t n, score_buffer& s) const {
    const auto& st = this->get();
    const std::size_t f = st.Q.shape()[1];
    std::vector<double> imp(f, 0.0);
    if constexpr (Implicit) {
      const double root = std::sqrt(static_cast<double>(n));
      for (std::size_t q = 0; q < n; ++q) {
        for (std::size_t c = 0; c < f; ++c) imp[c] += st.Y(static_cast<std::size_t>(items[q]), c) / root;
      }
    }
    s.all = true;
    for (std::size_t j = 0; j < s.score.size(); ++j) {
      double est = this->params_.biased || Implicit ? st.mu + st.bi[j] : 0.0;
      if constexpr (Implicit) {
        for (std::size_t c = 0; c < f; ++c) est += st.Q(j, c) * imp[c];
      }
      s.score[j] = est;
    }
  }

 public:
  void check_loaded_state(const mf_state& st) const {
    check_rating_state(Derived::name, st.lo, st.hi, st.mu, st.bu, st.bi, st.train.data);
    const auto& p = this->params_;
    if (st.P.shape()[1] != p.factors) throw format_error(std::string(Derived::name) + ": factor count differs from params");
    if constexpr (Implicit) {
      if (st.Y.shape()[0] != st.Q.shape()[0] || st.Y.shape()[1] != p.factors ||
          st.implicit_sum.shape()[0] != st.P.shape()[0] || st.implicit_sum.shape()[1] != p.factors) {
        throw format_error(std::string(Derived::name) + ": implicit factors do not match the data");
      }
    }
  }

 private:
  static double factor_term(const mf_state& st, std::size_t u, std::size_t i, std::size_t f) {
    double dot = 0.0;
    for (std::size_t c = 0; c < f; ++c) {
      const double pu = Implicit ? st.P(u, c) + st.implicit_sum(u, c) : st.P(u, c);
      dot += st.Q(i, c) * pu;
    }
    return dot;
  }

  Derived& fit_from(const interactions& data, const mf_start* start) {
    const mf_params& p = this->params_;
    mf_state st;
    st.train = this->begin_fit(data);
    const std::size_t n_users = data.n_users(), n_items = data.n_items(), f = p.factors;
    const char* owner = Derived::name;
    if (start) {
      check_factors(owner, "start.user", start->user, n_users, f);
      check_factors(owner, "start.item", start->item, n_items, f);
      if (Implicit) check_factors(owner, "start.implicit", start->implicit, n_items, f);
      st.P = start->user;
      st.Q = start->item;
      if (Implicit) st.Y = start->implicit;
    } else {
      random_engine g(p.seed);
      st.P = normal_factors(n_users, f, p.init_mean, p.init_std, g);
      st.Q = normal_factors(n_items, f, p.init_mean, p.init_std, g);
      if (Implicit) st.Y = normal_factors(n_items, f, p.init_mean, p.init_std, g);
    }
    if (!Implicit) st.Y = matrix<double>::from_shape({0, 0});
    base::set_scale(p, data.matrix(), st.lo, st.hi);
    st.mu = mean_value(data.matrix());  // unbiased: used only as the impossible fallback
    st.bu.assign(n_users, 0.0);
    st.bi.assign(n_items, 0.0);
    const bool biased = Implicit || p.biased;
    const double mu = biased ? st.mu : 0.0;
    const double lr_bu = p.lr_bu.value_or(p.lr_all), lr_bi = p.lr_bi.value_or(p.lr_all);
    const double lr_pu = p.lr_pu.value_or(p.lr_all), lr_qi = p.lr_qi.value_or(p.lr_all);
    const double lr_yj = p.lr_yj.value_or(p.lr_all);
    const double reg_bu = p.reg_bu.value_or(p.reg_all), reg_bi = p.reg_bi.value_or(p.reg_all);
    const double reg_pu = p.reg_pu.value_or(p.reg_all), reg_qi = p.reg_qi.value_or(p.reg_all);
    const double reg_yj = p.reg_yj.value_or(p.reg_all);
    const ordered_ratings R(data);
    std::vector<double> imp(f, 0.0), S(f, 0.0), B(f, 0.0);
    double* P = st.P.data();
    double* Q = st.Q.data();
    double* Y = st.Y.data();
    const double shrink = 1.0 - lr_yj * reg_yj;
    for (std::size_t e = 0; e < p.epochs; ++e) {
      for (std::size_t u = 0; u < n_users; ++u) {
        const std::size_t b = R.start[u], end = R.start[u + 1];
        const double n_u = static_cast<double>(end - b), root = std::sqrt(n_u);
        double* pu = P + u * f;
        // svdpp: within u's ratings every y_j (j in I_u) takes the same affine step
        // y <- (1 - lr reg) y + lr err q_if / sqrt|I_u|, and y is read only through
        // S = sum_j y_j. So S is stepped per rating and the y_j once per user, as
        // y_j <- A y_j + B (O(|I_u| f) per user instead of per rating; equal to Surprise's
        // per-rating loop up to rounding).
        double A = 1.0;
        if constexpr (Implicit) {
          std::fill(S.begin(), S.end(), 0.0);
          std::fill(B.begin(), B.end(), 0.0);
          for (std::size_t t = b; t < end; ++t) {
            const double* yj = Y + static_cast<std::size_t>(R.item[t]) * f;
            for (std::size_t c = 0; c < f; ++c) S[c] += yj[c];
          }
        }
        for (std::size_t k = b; k < end; ++k) {
          const auto i = static_cast<std::size_t>(R.item[k]);
          double* qi = Q + i * f;
          double dot = 0.0;
          if constexpr (Implicit) {
            for (std::size_t c = 0; c < f; ++c) {
              imp[c] = S[c] / root;
              dot += qi[c] * (pu[c] + imp[c]);
            }
          } else {
            for (std::size_t c = 0; c < f; ++c) dot += qi[c] * pu[c];
          }
          const double err = R.rating[k] - (mu + st.bu[u] + st.bi[i] + dot);
          if (biased) {
            st.bu[u] += lr_bu * (err - reg_bu * st.bu[u]);
            st.bi[i] += lr_bi * (err - reg_bi * st.bi[i]);
          }
          for (std::size_t c = 0; c < f; ++c) {
            const double puf = pu[c], qif = qi[c];
            pu[c] += lr_pu * (err * qif - reg_pu * puf);
            if constexpr (Implicit) {
              qi[c] += lr_qi * (err * (puf + imp[c]) - reg_qi * qif);
              const double step = lr_yj * (err * qif / root);
              S[c] = shrink * S[c] + n_u * step;
              B[c] = shrink * B[c] + step;
            } else {
              qi[c] += lr_qi * (err * puf - reg_qi * qif);
            }
          }
          if constexpr (Implicit) A *= shrink;
        }
        if constexpr (Implicit) {
          for (std::size_t t = b; t < end; ++t) {
            double* yj = Y + static_cast<std::size_t>(R.item[t]) * f;
            for (std::size_t c = 0; c < f; ++c) yj[c] = A * yj[c] + B[c];
          }
        }
      }
    }
    if constexpr (Implicit) {
      // Surprise's estimate: (sum_j y_j) / sqrt|I_u|.
      st.implicit_sum = xt::zeros<double>({n_users, f});
      for (std::size_t u = 0; u < n_users; ++u) {
        const std::size_t b = R.start[u], end = R.start[u + 1];
        for (std::size_t t = b; t < end; ++t) {
          for (std::size_t c = 0; c < f; ++c) st.implicit_sum(u, c) += Y[static_cast<std::size_t>(R.item[t]) * f + c];
        }
        const double root = std::sqrt(static_cast<double>(end - b));
        for (std::size_t c = 0; c < f; ++c) st.implicit_sum(u, c) /= root;
      }
    } else {
      st.implicit_sum = matrix<double>::from_shape({0, 0});
    }
    const auto finite = [](const auto& values) {
      return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
    };
    if (!(finite(st.bu) && finite(st.bi) && finite(st.P) && finite(st.Q) && finite(st.Y) && finite(st.implicit_sum))) {
      throw numeric_error(std::string(owner) + ".fit: the biases or factors diverged to a value that is not finite "
                          "(lower the learning rates, or scale the ratings)");
    }
    this->state_ = std::move(st);
    return static_cast<Derived&>(*this);
  }
};

}  // namespace detail

/// Surprise's SVD (see the top of this header).
template <class T = double>
class funk_svd : public detail::mf_base<funk_svd<T>, T, false> {
 public:
  static constexpr const char* name = "funk_svd";
  using detail::mf_base<funk_svd<T>, T, false>::mf_base;
};

/// Surprise's SVDpp (see the top of this header); construct with svdpp_defaults() for
/// Surprise's defaults.
template <class T = double>
class svdpp : public detail::mf_base<svdpp<T>, T, true> {
 public:
  static constexpr const char* name = "svdpp";
  svdpp() : detail::mf_base<svdpp<T>, T, true>(svdpp_defaults()) {}
  explicit svdpp(const mf_params& p) : detail::mf_base<svdpp<T>, T, true>(p) {}
  const matrix<double>& implicit_factors() const { return this->get().Y; }
};

}  // namespace clm
