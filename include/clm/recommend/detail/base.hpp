#pragma once
// What every recommender shares: the training interactions it keeps (ids, seen items, item
// popularity), and top-N selection over the scores a model gives.
//
// A model derived from recommender_base provides
//   void score_user(std::size_t u, score_buffer& s) const
//   void score_history(const std::int32_t* items, const double* values, std::size_t n, score_buffer& s) const
// which add each candidate item's score into s (s.add(j, v) for sparse models; dense models
// fill s.score for every item and set s.all = true).
//
// Top-N order: score (higher first), then popularity (more users first), then the lower item
// index. Items no score touched rank after every scored item, in popularity order, so a user
// with little history still gets n items (the popularity fallback); a user unknown to the
// model gets the most popular items.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/parallel.hpp"
#include "clm/core/progress.hpp"
#include "clm/core/types.hpp"
#include "clm/core/validate.hpp"
#include "clm/data/interactions.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm {

struct scored_item {
  std::size_t item = 0;
  double score = 0.0;
  friend bool operator==(const scored_item&, const scored_item&) = default;
};

struct recommend_options {
  bool exclude_seen = true;          ///< leave out the items the user already has
  std::vector<std::size_t> exclude;  ///< and these (out of stock, ...)
};

/// recommend_all's result: n_users x n item indices (-1 where fewer than n items could be
/// recommended) and their scores (NaN there); n is at most the number of items.
struct top_n {
  xt::xtensor<std::int64_t, 2> items;
  matrix<double> scores;
};

namespace detail {

/// A per-thread scratch of item scores.
struct score_buffer {
  std::vector<double> score;
  std::vector<char> touched_flag, blocked;
  std::vector<std::int32_t> touched;
  bool all = false;  ///< every item has a score (dense models)

  explicit score_buffer(std::size_t n_items) : score(n_items, 0.0), touched_flag(n_items, 0), blocked(n_items, 0) {}
  void add(std::size_t j, double v) {
    if (!touched_flag[j]) {
      touched_flag[j] = 1;
      touched.push_back(static_cast<std::int32_t>(j));
    }
    score[j] += v;
  }
  void reset() {
    if (all) {
      std::fill(score.begin(), score.end(), 0.0);
    } else {
      for (const auto j : touched) score[static_cast<std::size_t>(j)] = 0.0, touched_flag[static_cast<std::size_t>(j)] = 0;
    }
    touched.clear();
    all = false;
  }
};

/// The training data a recommender keeps, with what top-N needs derived from it.
struct recommender_data {
  interactions data;
  csr_matrix<double> by_item;                 // items x users
  std::vector<std::uint64_t> by_item_order;   // data.entry_order() in by_item's storage order
  std::vector<double> popularity;             // users per item
  std::vector<std::int32_t> popularity_rank;  // item -> rank (0: most popular)
  std::vector<std::int32_t> by_popularity;    // rank -> item

  void build() {
    by_item = data.matrix().transpose();
    by_item_order = data.matrix().transpose_aligned(data.entry_order());
    const std::size_t m = data.n_items();
    std::vector<double> users(m, 0.0);
    for (std::size_t j = 0; j < m; ++j) users[j] = static_cast<double>(by_item.row_end(j) - by_item.row_begin(j));
    set_popularity(std::move(users));
  }

  /// Users per item (summed over the ranks of a fit across ranks) and the ranking by it.
  void set_popularity(std::vector<double> users) {
    const std::size_t m = users.size();
    popularity = std::move(users);
    by_popularity.resize(m);
    for (std::size_t j = 0; j < m; ++j) by_popularity[j] = static_cast<std::int32_t>(j);
    std::stable_sort(by_popularity.begin(), by_popularity.end(), [&](std::int32_t a, std::int32_t b) {
      return popularity[static_cast<std::size_t>(a)] > popularity[static_cast<std::size_t>(b)];
    });
    popularity_rank.resize(m);
    for (std::size_t r = 0; r < m; ++r) popularity_rank[static_cast<std::size_t>(by_popularity[r])] = static_cast<std::int32_t>(r);
  }

  /// From serial version 3 on the popularity is saved: a fit across ranks counts every
  /// rank's users, which the rank's own data cannot rebuild. Older files rebuild it.
  template <class A>
  void serialize(A& ar) {
    ar(data);
    if constexpr (A::loading) build();
    if (ar.version() < 3) return;
    if constexpr (A::loading) {
      std::vector<double> users;
      ar(users);
      ar.check(users.size() == data.n_items(), "recommender: the popularity does not cover the items");
      for (const double u : users) ar.check(std::isfinite(u) && u >= 0.0, "recommender: a popularity is not a finite count");
      set_popularity(std::move(users));
    } else {
      ar(popularity);
    }
  }
};

/// The training data of an item-side fit across the ranks of `comm`, each user's
/// interactions on one rank: the ranks' item ids united in rank order of first appearance
/// (the one-process order when rank r holds the r-th piece of the data), this rank's users,
/// and the item popularity summed over the ranks. Throws shape_error when no rank has an
/// interaction.
template <communicator C>
recommender_data united_item_data(C& comm, const interactions& data, const char* owner) {
  std::vector<char> mine;
  for (const auto& id : data.item_ids()) distributed::detail::put_text(mine, id);
  std::vector<std::string> items;
  id_index seen;
  const string_at key{&items};
  for (const auto& bytes : comm.allgatherv(std::span<const char>(mine))) {
    distributed::detail::reader in(bytes, owner);
    while (!in.done()) {
      const std::string_view id = in.text();
      if (seen.find(id, key)) continue;
      items.emplace_back(id);
      seen.insert(items.size() - 1, key);
    }
  }
  if (items.empty()) throw shape_error(std::string(owner) + ".fit: no interactions on any rank");
  recommender_data d;
  d.data = data.with_item_ids(std::move(items));
  d.build();
  comm.allreduce_sum(std::span<double>(d.popularity));
  d.set_popularity(std::move(d.popularity));
  return d;
}

inline void check_training_data(const interactions& data, const char* owner) {
  if (data.n_users() == 0 || data.n_items() == 0 || data.nnz() == 0) {
    throw shape_error(std::string(owner) + ".fit: expected interactions with at least one user, item and value, got " +
                      std::to_string(data.n_users()) + " users, " + std::to_string(data.n_items()) + " items and " +
                      std::to_string(data.nnz()) + " values");
  }
  if (data.n_items() > static_cast<std::size_t>(INT32_MAX) || data.n_users() > static_cast<std::size_t>(INT32_MAX)) {
    throw shape_error(std::string(owner) + ".fit: more than 2^31 - 1 users or items");
  }
}

/// The best n of the scored, unblocked items (then the popularity fill) into out.
inline void select_top(const score_buffer& s, const recommender_data& d, std::size_t n, std::vector<scored_item>& out) {
  out.clear();
  const auto& rank = d.popularity_rank;
  const auto better = [&](const scored_item& a, const scored_item& b) {
    if (a.score != b.score) return a.score > b.score;
    return rank[a.item] < rank[b.item];
  };
  const auto consider = [&](std::size_t j) {
    if (s.blocked[j]) return;
    const scored_item c{j, s.score[j]};
    if (out.size() < n) {
      out.push_back(c);
      std::push_heap(out.begin(), out.end(), better);  // a heap whose front is the worst kept
    } else if (better(c, out.front())) {
      std::pop_heap(out.begin(), out.end(), better);
      out.back() = c;
      std::push_heap(out.begin(), out.end(), better);
    }
  };
  if (n == 0) return;
  if (s.all) {
    for (std::size_t j = 0; j < s.score.size(); ++j) consider(j);
  } else {
    for (const auto j : s.touched) consider(static_cast<std::size_t>(j));
  }
  std::sort_heap(out.begin(), out.end(), better);
  if (out.size() < n && !s.all) {  // popularity fill: untouched items score 0
    for (const auto j : d.by_popularity) {
      if (out.size() == n) break;
      const auto jj = static_cast<std::size_t>(j);
      if (!s.blocked[jj] && !s.touched_flag[jj]) out.push_back({jj, 0.0});
    }
  }
}

template <class Derived, class Params, class State, class T>
class recommender_base {
 public:
  using params_type = Params;
  using value_type = T;
  using data_type = interactions;
  /// 2: the training interactions keep their entry order (ties follow the data).
  /// 3: the item popularity is saved (fits across ranks count every rank's users).
  static constexpr std::uint32_t serial_version = 3;
  static std::string model_kind() { return model_kind_name<T>(Derived::name); }

  recommender_base() { params_.validate(); }
  explicit recommender_base(const Params& p) : params_(p) { params_.validate(); }

  const Params& params() const noexcept { return params_; }
  bool fitted() const noexcept { return state_.has_value(); }

  /// The interactions the model was fitted on.
  const interactions& training_data() const { return get().train.data; }
  std::size_t n_users() const { return training_data().n_users(); }
  std::size_t n_items() const { return training_data().n_items(); }
  std::optional<std::size_t> user_index(std::string_view id) const { return training_data().user_index(id); }
  std::optional<std::size_t> item_index(std::string_view id) const { return training_data().item_index(id); }
  const std::string& item_id(std::size_t j) const {
    check_item(j, "item_id");
    return training_data().item_ids()[j];
  }

  /// The n best items for user u (an index of the training data).
  std::vector<scored_item> recommend(std::size_t u, std::size_t n, const recommend_options& o = {}) const {
    const auto& d = get().train;
    if (u >= d.data.n_users()) {
      throw invalid_argument(std::string(Derived::name) + ".recommend: user index " + std::to_string(u) +
                             " is out of range (the model knows " + std::to_string(d.data.n_users()) + " users)");
    }
    score_buffer s(d.data.n_items());
    std::vector<scored_item> out;
    recommend_into(u, n, o, s, out);
    return out;
  }

  /// By id; a user the model does not know gets the most popular items.
  std::vector<scored_item> recommend(std::string_view user, std::size_t n, const recommend_options& o = {}) const {
    if (const auto u = user_index(user)) return recommend(*u, n, o);
    return popular(n, o);
  }

  /// Every user's n best items, in parallel (params().n_jobs threads); `progress` hears of
  /// the users done.
  top_n recommend_all(std::size_t n, const recommend_options& o = {}, const progress_callback& progress = {}) const {
    const auto& d = get().train;
    const std::size_t users = d.data.n_users();
    n = std::min(n, d.data.n_items());  // more than the catalogue: the whole catalogue
    top_n r;
    r.items = xt::xtensor<std::int64_t, 2>::from_shape({users, n});
    r.scores = matrix<double>::from_shape({users, n});
    constexpr std::size_t chunk = 256;
    progress_counter done(progress, "recommend_all", users);
    parallel_for((users + chunk - 1) / chunk, params_.n_jobs, [&](std::size_t c) {
      score_buffer s(d.data.n_items());
      std::vector<scored_item> out;
      for (std::size_t u = c * chunk; u < std::min(users, (c + 1) * chunk); ++u) {
        recommend_into(u, n, o, s, out);
        for (std::size_t k = 0; k < n; ++k) {
          r.items(u, k) = k < out.size() ? static_cast<std::int64_t>(out[k].item) : -1;
          r.scores(u, k) = k < out.size() ? out[k].score : std::numeric_limits<double>::quiet_NaN();
        }
      }
      done.add(std::min(users, (c + 1) * chunk) - c * chunk);
    });
    return r;
  }

  /// A new user's n best items from the items they have (cold start, no refit). exclude_seen
  /// leaves the given items out.
  std::vector<scored_item> recommend_for_items(const std::vector<std::size_t>& items, std::size_t n,
                                               const recommend_options& o = {}) const {
    const auto& d = get().train;
    std::vector<std::int32_t> idx;
    for (const auto j : items) {
      check_item(j, "recommend_for_items");
      idx.push_back(static_cast<std::int32_t>(j));
    }
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    const std::vector<double> ones(idx.size(), 1.0);
    score_buffer s(d.data.n_items());
    if (!idx.empty()) self().score_history(idx.data(), ones.data(), idx.size(), s);
    if (o.exclude_seen) {
      for (const auto j : idx) s.blocked[static_cast<std::size_t>(j)] = 1;
    }
    block(o.exclude, s);
    std::vector<scored_item> out;
    select_top(s, d, n, out);
    return out;
  }
  /// By ids; ids the model does not know are ignored.
  std::vector<scored_item> recommend_for_items(const std::vector<std::string>& ids, std::size_t n,
                                               const recommend_options& o = {}) const {
    std::vector<std::size_t> items;
    for (const auto& id : ids) {
      if (const auto j = item_index(id)) items.push_back(*j);
    }
    return recommend_for_items(items, n, o);
  }

  /// The n items most users have (the popularity fallback), without o.exclude.
  std::vector<scored_item> popular(std::size_t n, const recommend_options& o = {}) const {
    const auto& d = get().train;
    score_buffer s(d.data.n_items());
    block(o.exclude, s);
    std::vector<scored_item> out;
    for (const auto j : d.by_popularity) {
      if (out.size() == n) break;
      if (!s.blocked[static_cast<std::size_t>(j)]) out.push_back({static_cast<std::size_t>(j), d.popularity[static_cast<std::size_t>(j)]});
    }
    return out;
  }

  template <class A>
  void serialize(A& ar) {
    ar(params_, state_);
    if constexpr (A::loading) {
      params_.validate();
      // The loaded state against the loaded params and the training data it claims: a
      // file whose checksum was recomputed after an edit must not reach an estimate.
      if (state_) {
        try {
          static_cast<Derived&>(*this).check_loaded_state(*state_);
        } catch (const error& e) {
          ar.check(false, e.what());
        }
      }
    }
  }

 protected:
  /// Checks a loaded state against the params (models whose state depends on them say
  /// how); the state's own serialize has checked its sizes against the training data.
  void check_loaded_state(const State&) const {}

  /// The start of every fit: forget the old state, check the data, keep it.
  recommender_data begin_fit(const interactions& data) {
    state_.reset();
    check_training_data(data, Derived::name);
    recommender_data d;
    d.data = data;
    d.build();
    return d;
  }

  const State& get() const {
    check_fitted(state_.has_value(), Derived::name);
    return *state_;
  }
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  void check_item(std::size_t j, const char* what) const {
    if (j >= n_items()) {
      throw invalid_argument(std::string(Derived::name) + "." + what + ": item index " + std::to_string(j) +
                             " is out of range (the model knows " + std::to_string(n_items()) + " items)");
    }
  }
  void block(const std::vector<std::size_t>& items, score_buffer& s) const {
    for (const auto j : items) {
      check_item(j, "recommend");
      s.blocked[j] = 1;
    }
  }

  void recommend_into(std::size_t u, std::size_t n, const recommend_options& o, score_buffer& s,
                      std::vector<scored_item>& out) const {
    const auto& d = get().train;
    const auto& R = d.data.matrix();
    s.reset();
    self().score_user(u, s);
    const auto mark = [&](char v) {
      if (o.exclude_seen) {
        for (std::size_t k = R.row_begin(u); k < R.row_end(u); ++k) s.blocked[static_cast<std::size_t>(R.indices[k])] = v;
      }
      for (const auto j : o.exclude) s.blocked[j] = v;
    };
    for (const auto j : o.exclude) check_item(j, "recommend");
    mark(1);
    select_top(s, d, n, out);
    mark(0);
  }

  Params params_;
  std::optional<State> state_;
};

}  // namespace detail
}  // namespace clm
