#pragma once
// clm::testing::check_recommender<M>(data, other): the estimator contract of DESIGN.md for a
// recommender (input clm::interactions; outputs predict(u, i) and top-N lists).
//
// Checked:
//  - the concepts (recommender, saveable)
//  - a new model is not fitted and its outputs throw clm::not_fitted
//  - fit returns *this, leaves params unchanged and makes fitted() true
//  - predictions on every training pair and recommend_all's scores are finite
//  - fitting twice gives the same model (also after a fit on other data in between)
//  - recommend(u) one user at a time agrees with recommend_all, lists are sorted by score,
//    hold no item twice and (exclude_seen) none the user has; n_jobs = 2 gives the same lists
//  - a copy is independent; clone refits to the same outputs
//  - save/load round-trips exactly (same outputs bit for bit, same bytes when saved again),
//    fitted and unfitted; a truncated file is refused
//  - bad inputs: empty interactions (shape_error, model stays unfitted), a user index out of
//    range in recommend (invalid_argument), an unknown user id (the popular items), unknown
//    ids and indices in predict (a finite fallback, no exception)

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "clm/core/concepts.hpp"
#include "clm/core/error.hpp"
#include "clm/data/interactions.hpp"
#include "clm/io/archive.hpp"

namespace clm::testing {

namespace detail {

/// Every output of a fitted recommender, to compare models bit for bit.
template <class M>
std::vector<double> recommender_outputs(const M& m, const interactions& data, std::size_t n) {
  std::vector<double> out;
  const auto& R = data.matrix();
  for (std::size_t u = 0; u < R.rows; ++u) {
    for (std::size_t q = R.row_begin(u); q < R.row_end(u); ++q) {
      out.push_back(static_cast<double>(m.predict(u, static_cast<std::size_t>(R.indices[q]))));
    }
  }
  const auto all = m.recommend_all(n);
  for (std::size_t k = 0; k < all.items.size(); ++k) {
    out.push_back(static_cast<double>(all.items.data()[k]));
    out.push_back(all.scores.data()[k]);
  }
  return out;
}

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k])))) return false;
  }
  return true;
}

}  // namespace detail

template <class M>
void check_recommender(const interactions& data, const interactions& other, const M& prototype = M{}) {
  static_assert(recommender<M>, "check_recommender: M does not model clm::recommender");
  static_assert(saveable<M>, "check_recommender: M is not saveable");
  using detail::recommender_outputs;
  using detail::same_bits;
  constexpr std::size_t n = 10;
  INFO("recommender: ", M::model_kind());

  M fresh = prototype;
  CHECK_FALSE(fresh.fitted());
  CHECK_THROWS_AS((void)fresh.predict(std::size_t{0}, std::size_t{0}), not_fitted);
  CHECK_THROWS_AS(fresh.recommend(std::size_t{0}, n), not_fitted);

  M model = prototype;
  const auto params_before = model.params();
  M& ret = model.fit(data);
  CHECK(&ret == &model);
  CHECK(model.fitted());
  CHECK(model.params() == params_before);
  const auto out = recommender_outputs(model, data, n);
  bool finite = true;
  for (const double v : out) finite = finite && std::isfinite(v);
  CHECK_MESSAGE(finite, "outputs must be finite");

  {
    M again = prototype;
    again.fit(data);
    CHECK(same_bits(recommender_outputs(again, data, n), out));
    again.fit(other);
    again.fit(data);
    CHECK(same_bits(recommender_outputs(again, data, n), out));
  }

  // One user at a time agrees with the batch; the lists are well formed.
  {
    const auto all = model.recommend_all(n);
    const auto& R = data.matrix();
    std::size_t bad = 0, unsorted = 0, repeated = 0, seen = 0;
    for (std::size_t u = 0; u < R.rows; ++u) {
      const auto r = model.recommend(u, n);
      std::set<std::size_t> items;
      for (std::size_t k = 0; k < n; ++k) {
        if (k < r.size()) {
          bad += all.items(u, k) != static_cast<std::int64_t>(r[k].item) || all.scores(u, k) != r[k].score;
          unsorted += k > 0 && r[k].score > r[k - 1].score;
          repeated += !items.insert(r[k].item).second;
          seen += data.matrix().at(u, r[k].item) != 0.0;
        } else {
          bad += all.items(u, k) != -1;
        }
      }
    }
    CHECK_MESSAGE(bad == 0, bad, " places where recommend and recommend_all differ");
    CHECK(unsorted == 0);
    CHECK(repeated == 0);
    CHECK(seen == 0);
    auto p2 = prototype.params();
    p2.n_jobs = 2;
    M threaded(p2);
    threaded.fit(data);
    CHECK(same_bits(recommender_outputs(threaded, data, n), out));
  }

  {
    M copy = model;
    copy.fit(other);
    CHECK(same_bits(recommender_outputs(model, data, n), out));
    M cloned = clone(model);
    CHECK_FALSE(cloned.fitted());
    CHECK(cloned.params() == model.params());
    cloned.fit(data);
    CHECK(same_bits(recommender_outputs(cloned, data, n), out));
  }

  {
    const std::string bytes = save_bytes(model);
    const M loaded = load_bytes<M>(bytes);
    CHECK(loaded.fitted());
    CHECK(loaded.params() == model.params());
    CHECK(same_bits(recommender_outputs(loaded, data, n), out));
    CHECK(save_bytes(loaded) == bytes);
    const M unfitted = load_bytes<M>(save_bytes(prototype));
    CHECK_FALSE(unfitted.fitted());
    CHECK_THROWS_AS(load_bytes<M>(std::string_view(bytes).substr(0, bytes.size() / 2)), format_error);
  }

  {
    M e = prototype;
    CHECK_THROWS_AS(e.fit(interactions{}), shape_error);
    CHECK_FALSE(e.fitted());
    CHECK_THROWS_AS(model.recommend(data.n_users(), n), invalid_argument);
    const auto popular = model.recommend("no such user", n);
    CHECK(popular == model.popular(n));
    CHECK(std::isfinite(static_cast<double>(model.predict(data.n_users() + 5, std::size_t{0}))));
    CHECK(std::isfinite(static_cast<double>(model.predict(std::size_t{0}, data.n_items() + 5))));
  }
}

}  // namespace clm::testing
