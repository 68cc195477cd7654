#pragma once
// clm::user_knn<T> and clm::item_knn<T>: neighbourhood collaborative filtering with Surprise's
// semantics (KNNBasic, KNNWithMeans, KNNWithZScore, KNNBaseline; user_based = true / false).
//
// Write x for the side whose similarities are used (users in user_knn, items in item_knn) and
// y for the other. To predict r_ui: the candidates are the x2 that rated y (user_knn: the
// raters of i; item_knn: the items u rated), each with sim(x, x2); the k most similar are
// kept and only then are non-positive similarities dropped, leaving actual_k neighbours.
// Equal similarities are taken in the order the ratings appear in the training data
// (interactions::entry_order(); Surprise's order), never by how ids happen to be numbered.
// With s = sim(x, x2) and r = r_{x2 y}:
//   basic          sum s r / sum s
//   with_means     mu_x + sum s (r - mu_x2) / sum s
//   with_zscore    mu_x + sigma_x sum s (r - mu_x2) / sigma_x2 / sum s     (sigma: population
//                  standard deviation of a row's ratings; 0 is replaced by that of all ratings)
//   with_baseline  b_ui + sum s (r - b_{x2 y}) / sum s, baselines by fit_baselines
// With actual_k < min_k the sum is left out: basic gives the global mean, the others mu_x or
// b_ui. A user or item the model does not know gets the global mean (with_baseline: mu +
// whichever of b_u, b_i is known). knn_prediction::fallback flags both cases for every rule;
// was_impossible is Surprise's flag (see knn_prediction). Every
// estimate is clipped to the rating scale (rating_min / rating_max; by default the training
// data's smallest and largest value). Surprise's defaults: k 40, min_k 1, msd similarity.
//
// With dense similarity storage the predictions are Surprise's. With top_k storage the
// candidates are those in x's neighbour list (x's most similar rows; positive similarities
// only), which gives the same prediction whenever the k best raters of y are in that list.
// The neighbour lists keep max(similarity.neighbours, k) rows, so a k above
// similarity.neighbours is honoured by top-N as by prediction (at that memory cost); ties
// at a list's end go to the lower index.
//
// Top-N (recommend, recommend_all, recommend_for_items; see detail/base.hpp):
//   item_knn  score(u, j) = sum over the user's items i of sim(i, j), over the first k of
//             each i's neighbour list
//   user_knn  score(u, j) = sum over the first k of u's neighbour list of sim(u, v), for
//             the v that have j. A new user (recommend_for_items) is compared with the
//             training users by the cosine of their item sets (the given items carry no
//             rating); similar_items likewise by the cosine of the items' sets of users.
// For purchase data fit on implicit interactions with {.kind = cosine, .mode = zero_filled}.
//
// item_knn::fit(comm, data) fits on users spread over the ranks of a communicator (see fit).

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "clm/recommend/detail/base.hpp"
#include "clm/recommend/similarity.hpp"

namespace clm {

enum class knn_rule : std::uint8_t { basic, with_means, with_zscore, with_baseline };

struct knn_params {
  std::size_t k = 40;
  std::size_t min_k = 1;
  knn_rule rule = knn_rule::basic;
  similarity_options similarity{};
  baseline_options baseline{};
  std::optional<double> rating_min{}, rating_max{};  ///< the clipping range (default: the data's)
  std::size_t n_jobs = 1;                        ///< threads for fit, recommend_all and batches

  void validate() const {
    constexpr const char* o = "knn";
    require_param(k >= 1, o, "k", k, ">= 1");
    require_param(static_cast<int>(rule) <= 3, o, "rule", static_cast<int>(rule),
                  "basic, with_means, with_zscore or with_baseline");
    require_param(!rating_min || std::isfinite(*rating_min), o, "rating_min", rating_min.value_or(0.0), "finite");
    require_param(!rating_max || std::isfinite(*rating_max), o, "rating_max", rating_max.value_or(0.0), "finite");
    require_param(!rating_min || !rating_max || *rating_min <= *rating_max, o, "rating_max",
                  rating_max.value_or(0.0), ">= rating_min");
    similarity.validate();
    baseline.validate();
  }
  template <class A>
  void serialize(A& ar) {
    ar(k, min_k, rule, similarity, baseline, rating_min, rating_max, n_jobs);
  }
  friend bool operator==(const knn_params&, const knn_params&) = default;
};

/// One rating prediction with how it was made.
struct knn_prediction {
  double estimate = 0.0;
  std::size_t actual_k = 0;  ///< neighbours used
  /// Surprise's flag (details["was_impossible"]): basic — an unknown user or item, or
  /// fewer than min_k neighbours; with_means / with_zscore — an unknown user or item only;
  /// with_baseline — never (its fallback is the baseline).
  bool was_impossible = false;
  /// Whether any fallback replaced the neighbourhood term: an unknown user or item, or
  /// fewer than min_k neighbours, whatever the rule.
  bool fallback = false;
};

namespace detail {

struct knn_state {
  recommender_data train;
  double global_mean = 0.0, lo = 0.0, hi = 0.0;
  std::vector<double> means, sigmas;  // of the x side
  baselines bsl;                      // for with_baseline and pearson_baseline
  similarities sim;
  std::vector<double> set_sizes;      // of the x side, for the set cosine of new rows

  template <class A>
  void serialize(A& ar) {
    ar(train, global_mean, lo, hi, means, sigmas, bsl, sim, set_sizes);
  }
};

template <class Derived, class T, bool UserBased>
class knn_base : public recommender_base<Derived, knn_params, knn_state, T> {
  using base = recommender_base<Derived, knn_params, knn_state, T>;

 public:
  using base::base;

  /// A loaded state: the similarity table and the per-row arrays cover the x side (users
  /// for user_knn, items for item_knn), the arrays the rule reads are present, values finite.
  void check_loaded_state(const knn_state& st) const {
    const auto& p = this->params_;
    const auto& d = st.train.data;
    const std::size_t nx = UserBased ? d.n_users() : d.n_items();
    const char* side = UserBased ? "users" : "items";
    const auto bad = [&](const std::string& what) {
      throw format_error(std::string(Derived::name) + ": " + what);
    };
    if (st.sim.size() != nx) {
      bad("the similarity table covers " + std::to_string(st.sim.size()) + " rows, the training data has " +
          std::to_string(nx) + " " + side);
    }
    if (st.set_sizes.size() != nx) bad("set sizes do not cover the " + std::string(side));
    if (!std::isfinite(st.global_mean) || !std::isfinite(st.lo) || !std::isfinite(st.hi) || st.lo > st.hi) {
      bad("the global mean or the rating range is not finite and ordered");
    }
    if (p.rule == knn_rule::with_means || p.rule == knn_rule::with_zscore) {
      if (st.means.size() != nx || st.sigmas.size() != nx) {
        bad("rule " + std::to_string(static_cast<int>(p.rule)) + " needs means and deviations of every row; the file has " +
            std::to_string(st.means.size()) + " and " + std::to_string(st.sigmas.size()));
      }
      for (std::size_t x = 0; x < nx; ++x) {
        if (!std::isfinite(st.means[x]) || !(st.sigmas[x] >= 0.0) || !std::isfinite(st.sigmas[x])) {
          bad("a mean or deviation is not finite");
        }
      }
    }
    if (p.rule == knn_rule::with_baseline || p.similarity.kind == similarity_kind::pearson_baseline) {
      if (st.bsl.user.size() != d.n_users() || st.bsl.item.size() != d.n_items()) {
        bad("the baselines do not cover the users and items");
      }
    }
  }

  /// Fits on the interactions; `progress` hears of the similarity rows done.
  Derived& fit(const interactions& data, const progress_callback& progress = {}) {
    local_communicator one;
    return fit(one, data, progress);
  }

  /// item_knn: the fit of the users held across the ranks of `comm`
  /// (clm/distributed/communicator.hpp), each user's interactions on one rank (after
  /// distributed shuffles by user). The ranks' item ids are united in rank order of first
  /// appearance; the item-side statistics (the global mean and rating range, each item's mean
  /// and deviation, the item baselines, each sweep's item sums) are summed over the ranks, and
  /// the item similarities come from compute_similarities across ranks (similarity.hpp), so
  /// every rank holds the same item side; each rank keeps its own users' ratings and
  /// baselines to predict and recommend for them. Ratings whose sums are exact (whole
  /// numbers, halves or quarters, 0/1 or counts) give the one-process similarities of plain
  /// sums (cosine, msd, pearson, jaccard) bit for bit; the rest (other ratings, deviations,
  /// baselines, centred values) differs by the rounding of sums taken in another order,
  /// which can decide the order of two equally similar items or the sign of a similarity
  /// whose true value is 0. user_knn fits in one process only: its similarities pair users
  /// held by different ranks.
  template <class C>
  Derived& fit(C& comm, const interactions& data, const progress_callback& progress = {}) {
    constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
    static_assert(communicator<C>, "fit(comm, data): comm must be a clm::communicator");
    static_assert(one_process || !UserBased, "user_knn fits in one process; item_knn fits across ranks");
    const auto& p = this->params_;
    knn_state st;
    if constexpr (one_process) {
      st.train = this->begin_fit(data);
    } else {
      this->state_.reset();
      const auto& so = p.similarity;
      const auto& bo = p.baseline;
      distributed::fingerprint f(p.k, p.min_k, p.rule, p.rating_min.has_value(), p.rating_min.value_or(0.0),
                                 p.rating_max.has_value(), p.rating_max.value_or(0.0));
      f.add(so.kind).add(so.mode).add(so.min_support).add(so.shrinkage).add(so.storage).add(so.neighbours);
      f.add(bo.n_epochs).add(bo.reg_u).add(bo.reg_i);
      distributed::same_everywhere(comm, std::string(Derived::name) + ".fit: the parameters", f.value());
      st.train = detail::united_item_data(comm, data, Derived::name);
    }
    const auto reduce = [&](std::span<double> v) {
      if constexpr (!one_process) comm.allreduce_sum(v);
    };
    const csr_matrix<double>& R = st.train.data.matrix();
    const csr_matrix<double>& RT = st.train.by_item;
    const csr_matrix<double>& X = UserBased ? R : RT;
    const bool moments = p.rule == knn_rule::with_means || p.rule == knn_rule::with_zscore;
    const std::size_t all[2] = {0, R.nnz()};
    const group_moments overall = moments_of_groups(R.values.data(), all, 1, moments, reduce);
    st.global_mean = overall.mean[0];
    double range[2] = {INFINITY, -INFINITY};
    for (const double v : R.values) range[0] = std::min(range[0], v), range[1] = std::max(range[1], v);
    if constexpr (!one_process) {
      for (const auto& r : distributed::allgather_value(comm, std::array<double, 2>{range[0], range[1]})) {
        range[0] = std::min(range[0], r[0]), range[1] = std::max(range[1], r[1]);
      }
    }
    st.lo = p.rating_min.value_or(range[0]);
    st.hi = p.rating_max.value_or(range[1]);
    if (moments) {
      const group_moments m = moments_of_groups(X.values.data(), X.indptr.data(), X.rows, true, reduce);
      st.means = m.mean;
      st.sigmas = m.deviation;
      for (std::size_t x = 0; x < X.rows; ++x) {
        if (m.count[x] > 0.0 && st.sigmas[x] == 0.0) st.sigmas[x] = overall.deviation[0];
      }
    }
    if (p.rule == knn_rule::with_baseline || p.similarity.kind == similarity_kind::pearson_baseline) {
      st.bsl = fit_baselines(R, RT, p.baseline, reduce);
    }
    // The neighbour lists hold at least k rows, so top-N honours k as prediction does.
    similarity_options so = p.similarity;
    so.neighbours = std::max(so.neighbours, p.k);
    st.sim = compute_similarities(comm, X, so, &st.bsl, UserBased, p.n_jobs, progress);
    if constexpr (UserBased) {
      st.set_sizes.resize(X.rows);
      for (std::size_t x = 0; x < X.rows; ++x) st.set_sizes[x] = static_cast<double>(X.row_end(x) - X.row_begin(x));
    } else {
      st.set_sizes = st.train.popularity;  // users per item, summed over the ranks
    }
    this->state_ = std::move(st);
    return static_cast<Derived&>(*this);
  }

  /// The estimate for user u and item i (indices of the training data; out of range:
  /// unknown).
  knn_prediction predict_details(std::size_t u, std::size_t i) const {
    std::vector<std::pair<double, std::size_t>> scratch;
    return estimate(u, i, scratch);
  }
  T predict(std::size_t u, std::size_t i) const { return static_cast<T>(predict_details(u, i).estimate); }

  knn_prediction predict_details(std::string_view user, std::string_view item) const {
    return predict_details(index_or_unknown(this->user_index(user)), index_or_unknown(this->item_index(item)));
  }
  T predict(std::string_view user, std::string_view item) const {
    return static_cast<T>(predict_details(user, item).estimate);
  }

  /// Predictions for (users[k], items[k]) pairs, in parallel; unknown ids get the fallback.
  std::vector<knn_prediction> predict_details(const std::vector<std::string>& users,
                                              const std::vector<std::string>& items) const {
    check_paired_ids(users.size(), items.size());
    std::vector<knn_prediction> out(users.size());
    constexpr std::size_t chunk = 1024;
    parallel_for((users.size() + chunk - 1) / chunk, this->params_.n_jobs, [&](std::size_t c) {
      std::vector<std::pair<double, std::size_t>> scratch;
      for (std::size_t k = c * chunk; k < std::min(users.size(), (c + 1) * chunk); ++k) {
        out[k] = estimate(index_or_unknown(this->user_index(users[k])), index_or_unknown(this->item_index(items[k])),
                          scratch);
      }
    });
    return out;
  }
  vector<T> predict(const std::vector<std::string>& users, const std::vector<std::string>& items) const {
    const auto d = predict_details(users, items);
    vector<T> out = vector<T>::from_shape({d.size()});
    for (std::size_t k = 0; k < d.size(); ++k) out(k) = static_cast<T>(d[k].estimate);
    return out;
  }

  const similarities& similarity() const { return this->get().sim; }
  /// The baselines (with_baseline or pearson_baseline; empty otherwise).
  const baselines& baseline() const { return this->get().bsl; }

  /// The n items most similar to item j (item_knn: its similarities; user_knn: the cosine of
  /// the items' sets of users).
  std::vector<scored_item> similar_items(std::size_t j, std::size_t n) const {
    this->check_item(j, "similar_items");
    const auto& st = this->get();
    std::vector<std::pair<double, std::int32_t>> cand;
    if constexpr (UserBased) {
      // The item's users, against every item those users have.
      const csr_matrix<double>& RT = st.train.by_item;
      pair_sums s(RT.rows, false, false);
      set_cosine(RT.indices.data() + RT.indptr[j], RT.indptr[j + 1] - RT.indptr[j], st.train.data.matrix(),
                 st.train.popularity, static_cast<std::int64_t>(j), s, cand);
    } else {
      if (st.sim.dense()) {
        select_from_row(st.sim.row(j), st.sim.size(), j, n, cand);
      } else {
        const auto l = st.sim.neighbours(j);
        for (std::size_t q = 0; q < l.size; ++q) cand.emplace_back(l.similarity[q], l.index[q]);
      }
    }
    select_neighbours(cand, n);
    std::vector<scored_item> out;
    for (const auto& [v, b] : cand) out.push_back({static_cast<std::size_t>(b), v});
    return out;
  }

  // Top-N scores (see the header).
  void score_user(std::size_t u, score_buffer& s) const {
    const auto& st = this->get();
    if constexpr (UserBased) {
      const auto l = st.sim.neighbours(u);
      add_neighbours_items(l.index, l.similarity, std::min(l.size, this->params_.k), s);
    } else {
      const auto& R = st.train.data.matrix();
      score_history(R.indices.data() + R.indptr[u], R.values.data() + R.indptr[u], R.indptr[u + 1] - R.indptr[u], s);
    }
  }
  void score_history(const std::int32_t* items, const double* values, std::size_t n, score_buffer& s) const {
    (void)values;
    const auto& st = this->get();
    const std::size_t k = this->params_.k;
    if constexpr (UserBased) {
      pair_sums acc(st.train.data.n_users(), false, false);
      std::vector<std::pair<double, std::int32_t>> cand;
      set_cosine(items, n, st.train.by_item, st.set_sizes, -1, acc, cand);
      select_neighbours(cand, k);
      std::vector<std::int32_t> idx;
      std::vector<double> sim;
      for (const auto& [v, b] : cand) idx.push_back(b), sim.push_back(v);
      add_neighbours_items(idx.data(), sim.data(), idx.size(), s);
    } else {
      for (std::size_t q = 0; q < n; ++q) {
        const auto l = st.sim.neighbours(static_cast<std::size_t>(items[q]));
        for (std::size_t t = 0; t < std::min(l.size, k); ++t) s.add(static_cast<std::size_t>(l.index[t]), l.similarity[t]);
      }
    }
  }

 private:
  static std::size_t index_or_unknown(std::optional<std::size_t> i) { return i.value_or(SIZE_MAX); }

  static void check_paired_ids(std::size_t users, std::size_t items) {
    if (users != items) {
      throw shape_error(std::string(Derived::name) + ".predict: " + std::to_string(users) + " users and " +
                        std::to_string(items) + " items; expected one item per user");
    }
  }

  void add_neighbours_items(const std::int32_t* users, const double* sims, std::size_t n, score_buffer& s) const {
    const auto& R = this->get().train.data.matrix();
    for (std::size_t t = 0; t < n; ++t) {
      const auto v = static_cast<std::size_t>(users[t]);
      for (std::size_t q = R.row_begin(v); q < R.row_end(v); ++q) s.add(static_cast<std::size_t>(R.indices[q]), sims[t]);
    }
  }

  knn_prediction estimate(std::size_t u, std::size_t i, std::vector<std::pair<double, std::size_t>>& cand) const {
    const auto& st = this->get();
    const auto& p = this->params_;
    const bool known_u = u < st.train.data.n_users(), known_i = i < st.train.data.n_items();
    const auto clip = [&](double v) { return std::clamp(v, st.lo, st.hi); };
    if (!known_u || !known_i) {
      double est = st.global_mean;
      if (p.rule == knn_rule::with_baseline) {
        if (known_u) est += st.bsl.user[u];
        if (known_i) est += st.bsl.item[i];
      }
      return {clip(est), 0, p.rule != knn_rule::with_baseline, true};
    }
    const std::size_t x = UserBased ? u : i, y = UserBased ? i : u;
    const csr_matrix<double>& Y = UserBased ? st.train.by_item : st.train.data.matrix();  // rows y: (x2, r)
    const std::size_t b = Y.row_begin(y), e = Y.row_end(y);
    // cand: (similarity, position in Y's row y), the best k first; equal similarities in
    // the order the ratings appear in the training data (Surprise's order: heapq.nlargest
    // over y's ratings as they were read).
    cand.clear();
    if (st.sim.dense()) {
      const double* srow = st.sim.row(x);
      for (std::size_t q = b; q < e; ++q) cand.emplace_back(srow[static_cast<std::size_t>(Y.indices[q])], q);
    } else {
      const auto l = st.sim.neighbours(x);
      const auto first = Y.indices.begin() + static_cast<std::ptrdiff_t>(b);
      const auto last = Y.indices.begin() + static_cast<std::ptrdiff_t>(e);
      for (std::size_t t = 0; t < l.size; ++t) {
        const auto it = std::lower_bound(first, last, l.index[t]);
        if (it != last && *it == l.index[t]) cand.emplace_back(l.similarity[t], static_cast<std::size_t>(it - Y.indices.begin()));
      }
    }
    const std::vector<std::uint64_t>& order = UserBased ? st.train.by_item_order : st.train.data.entry_order();
    const auto better = [&](const auto& a, const auto& c) {
      return a.first > c.first || (a.first == c.first && order[a.second] < order[c.second]);
    };
    if (cand.size() > p.k) {
      std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(p.k), cand.end(), better);
      cand.resize(p.k);
    }
    std::sort(cand.begin(), cand.end(), better);  // summed most similar first, as Surprise does
    double sum_sim = 0.0, sum = 0.0;
    std::size_t actual_k = 0;
    for (const auto& [s, q] : cand) {
      if (!(s > 0.0)) continue;
      const auto x2 = static_cast<std::size_t>(Y.indices[q]);
      const double r = Y.values[q];
      sum_sim += s;
      ++actual_k;
      switch (p.rule) {
        case knn_rule::basic: sum += s * r; break;
        case knn_rule::with_means: sum += s * (r - st.means[x2]); break;
        case knn_rule::with_zscore:  // a zero deviation (all ratings equal) adds no z-score term
          if (st.sigmas[x2] > 0.0) sum += s * (r - st.means[x2]) / st.sigmas[x2];
          break;
        case knn_rule::with_baseline:
          sum += s * (r - (UserBased ? st.bsl(x2, y) : st.bsl(y, x2)));
          break;
      }
    }
    const bool enough = actual_k >= p.min_k && actual_k > 0;
    double est = 0.0;
    switch (p.rule) {
      case knn_rule::basic: est = enough ? sum / sum_sim : st.global_mean; break;
      case knn_rule::with_means: est = st.means[x] + (enough ? sum / sum_sim : 0.0); break;
      case knn_rule::with_zscore: est = st.means[x] + (enough ? sum / sum_sim * st.sigmas[x] : 0.0); break;
      case knn_rule::with_baseline: est = st.bsl(u, i) + (enough ? sum / sum_sim : 0.0); break;
    }
    if (std::isnan(est)) return {clip(st.global_mean), actual_k, true, true};  // never NaN
    return {clip(est), actual_k, p.rule == knn_rule::basic && !enough, !enough};
  }
};

}  // namespace detail

template <class T = double>
class user_knn : public detail::knn_base<user_knn<T>, T, true> {
 public:
  static constexpr const char* name = "user_knn";
  using detail::knn_base<user_knn<T>, T, true>::knn_base;
};

template <class T = double>
class item_knn : public detail::knn_base<item_knn<T>, T, false> {
 public:
  static constexpr const char* name = "item_knn";
  using detail::knn_base<item_knn<T>, T, false>::knn_base;
};

}  // namespace clm
