// distributed: item_knn on users split across the ranks (each user's ratings on one rank,
// rank 1 without any from 3 ranks on) holds the one-process item side (similarities, item
// means, baselines) and predicts and recommends for each rank's users what one process does.
// Ratings on a grid of quarters sum exactly, so the similarities built from plain sums are
// bit for bit; the others (of centred values or baselines) agree to rounding, which can order
// two equally similar items differently. Ratings off the grid agree to rounding, which can
// decide the sign of a similarity whose true value is 0 (Surprise's pearson, n sum xy - sum x
// sum y over few co-rated users; zero-filled pearson of items whose centred ratings are
// orthogonal) and so the neighbours: those two are compared on predictions on the grid only.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "clm/data/interactions.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/io/archive.hpp"
#include "clm/recommend/knn.hpp"
#include "support.hpp"

using clm::similarity_kind;
using clm::similarity_mode;
using clm::similarity_storage;
using clm_test::gap;
using clm_test::shard;
using clm_test::world;

namespace {
struct ratings {
  std::vector<std::string> users, items;
  std::vector<double> values;
};
enum class scale { integers, quarters, any };
const char* scale_name(scale s) { return s == scale::integers ? " (ratings 1..5)" : s == scale::quarters ? " (ratings in quarters)" : " (ratings 1 + 0.37 k)"; }

/// One rating per (customer, item) the population bought, from a hash of the pair: 1..5,
/// 1 + k / 4 or 1 + 0.37 k for k in 0..10. Grouped by customer; part is this rank's block.
std::pair<ratings, ratings> rated(scale sc) {
  const auto log = clm::synthetic::make_population({.n_customers = 900, .seed = 21, .n_items = 90}).transactions;
  std::vector<std::size_t> order(log.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return log.customer[a] < log.customer[b]; });
  const auto mine = shard(log.customer_ids.size(), world().rank(), world().size());
  std::set<std::pair<std::size_t, std::size_t>> seen;
  ratings all, part;
  for (const auto i : order) {
    const auto c = static_cast<std::size_t>(log.customer[i]), j = static_cast<std::size_t>(log.item[i]);
    if (!seen.emplace(c, j).second) continue;
    const std::size_t h = (c * 2654435761u + j * 40503u) % 9973;
    const double v = sc == scale::integers ? 1.0 + static_cast<double>(h % 5)
                     : sc == scale::quarters ? 1.0 + 0.25 * static_cast<double>(h % 11)
                                             : 1.0 + 0.37 * static_cast<double>(h % 11);
    for (auto* t : {&all, &part}) {
      if (t == &part && (c < mine.first || c >= mine.second)) continue;
      t->users.push_back(log.customer_ids[c]);
      t->items.push_back(log.item_ids[j]);
      t->values.push_back(v);
    }
  }
  return {all, part};
}

/// The largest relative gap between two similarity tables over every pair.
double largest_gap(const clm::similarities& a, const clm::similarities& b) {
  REQUIRE(a.size() == b.size());
  double g = 0.0;
  for (std::size_t x = 0; x < a.size(); ++x) {
    for (std::size_t y = 0; y < a.size(); ++y) g = std::max(g, gap(a(x, y), b(x, y)));
  }
  return g;
}

struct setting {
  const char* name;
  clm::knn_params params;
  bool exact_similarities;  // plain sums of the ratings (no means or baselines)
  bool sign_from_rounding = false;  // see the top
};
std::vector<setting> settings() {
  using clm::knn_rule;
  return {
      {"msd basic", {.k = 20, .rule = knn_rule::basic}, true},
      {"cosine with_means top_k", {.k = 10, .rule = knn_rule::with_means, .similarity = {.kind = similarity_kind::cosine, .storage = similarity_storage::top_k, .neighbours = 15}}, true},
      {"pearson with_zscore", {.k = 30, .rule = knn_rule::with_zscore, .similarity = {.kind = similarity_kind::pearson, .min_support = 3}}, true, true},
      {"pearson_baseline with_baseline", {.k = 40, .rule = knn_rule::with_baseline, .similarity = {.kind = similarity_kind::pearson_baseline}}, false},
      {"zero-filled cosine top_k", {.k = 25, .similarity = {.kind = similarity_kind::cosine, .mode = similarity_mode::zero_filled, .storage = similarity_storage::top_k}}, true},
      {"zero-filled pearson", {.k = 25, .similarity = {.kind = similarity_kind::pearson, .mode = similarity_mode::zero_filled}}, false, true},
      {"adjusted_cosine", {.k = 25, .rule = knn_rule::with_means, .similarity = {.kind = similarity_kind::adjusted_cosine}}, false},
      {"jaccard top_k", {.k = 5, .similarity = {.kind = similarity_kind::jaccard, .storage = similarity_storage::top_k, .neighbours = 8}}, true},
  };
}
}  // namespace

TEST_CASE("item_knn across ranks: the one-process similarities, predictions and recommendations") {
  for (const scale sc : {scale::integers, scale::quarters, scale::any}) {
    const auto [all, part] = rated(sc);
    const auto whole = clm::interactions::from_triples(all.users, all.items, all.values);
    const auto mine = clm::interactions::from_triples(part.users, part.items, part.values);
    for (const auto& s : settings()) {
      const std::string label = std::string(s.name) + scale_name(sc);
      INFO(label);
      const clm::item_knn<> one = clm::item_knn<>(s.params).fit(whole);
      clm::item_knn<> a(s.params);
      a.fit(world(), mine);
      REQUIRE(a.n_items() == one.n_items());
      for (std::size_t j = 0; j < a.n_items(); ++j) REQUIRE(a.item_id(j) == one.item_id(j));
      CHECK(largest_gap(a.similarity(), one.similarity()) < 1e-12);
      if (s.exact_similarities && sc != scale::any) CHECK(a.similarity() == one.similarity());
      if (sc == scale::any && s.sign_from_rounding) continue;
      const auto& bo = one.baseline();
      for (std::size_t j = 0; j < bo.item.size(); ++j) REQUIRE(gap(a.baseline().item[j], bo.item[j]) < 1e-12);
      // Every rating the rank's users could be asked for, known items and one unknown.
      double worst = 0.0;
      std::size_t k_differs = 0;
      for (std::size_t u = 0; u < mine.n_users(); ++u) {
        for (std::size_t j = 0; j <= a.n_items(); ++j) {
          const std::string item = j < a.n_items() ? a.item_id(j) : "no such item";
          const auto ours = a.predict_details(mine.user_ids()[u], item);
          const auto theirs = one.predict_details(mine.user_ids()[u], item);
          worst = std::max(worst, gap(ours.estimate, theirs.estimate));
          k_differs += ours.actual_k != theirs.actual_k || ours.fallback != theirs.fallback;
        }
      }
      CHECK(worst < 1e-10);
      CHECK(k_differs == 0);
      for (std::size_t u = 0; u < mine.n_users(); u += 7) {
        const auto ours = a.recommend(u, 10);
        const auto theirs = one.recommend(mine.user_ids()[u], 10);
        REQUIRE(ours.size() == theirs.size());
        for (std::size_t q = 0; q < ours.size(); ++q) {
          CHECK(a.item_id(ours[q].item) == one.item_id(theirs[q].item));
          CHECK(gap(ours[q].score, theirs[q].score) < 1e-12);
        }
      }
    }
  }
}

TEST_CASE("item_knn across ranks: bit-identical reruns, parameters that differ, no ratings anywhere") {
  const auto [all, part] = rated(scale::any);
  const auto mine = clm::interactions::from_triples(part.users, part.items, part.values);
  const clm::knn_params p{.rule = clm::knn_rule::with_baseline, .similarity = {.kind = similarity_kind::pearson_baseline}};
  clm::item_knn<> a(p), b(p);
  a.fit(world(), mine);
  b.fit(world(), mine);
  CHECK(a.similarity() == b.similarity());
  CHECK(a.baseline() == b.baseline());
  // Exchanged in rounds of 7 rows per rank: the same table.
  const std::size_t rows = clm::detail::similarity_rows_per_round;
  clm::detail::similarity_rows_per_round = 7;
  clm::item_knn<> c(p);
  c.fit(world(), mine);
  clm::detail::similarity_rows_per_round = rows;
  CHECK(c.similarity() == a.similarity());
  if (world().size() > 1) {
    CHECK_THROWS_WITH_AS(clm::item_knn<>({.k = 10 + static_cast<std::size_t>(world().rank())}).fit(world(), mine),
                         doctest::Contains("differs across ranks"), clm::distributed_error);
  }
  CHECK_THROWS_AS(clm::item_knn<>().fit(world(), clm::interactions::from_triples({}, {})), clm::shape_error);
  // Saved and loaded: the item popularity of all ranks (the fill of short lists) survives.
  clm::item_knn<> few({.k = 3, .similarity = {.kind = similarity_kind::jaccard, .storage = similarity_storage::top_k, .neighbours = 3}});
  few.fit(world(), mine);
  const auto back = clm::load_bytes<clm::item_knn<>>(clm::save_bytes(few));
  CHECK(back.similarity() == few.similarity());
  for (std::size_t u = 0; u < mine.n_users(); u += 5) {
    const auto x = back.recommend(u, 60), y = few.recommend(u, 60);
    REQUIRE(x.size() == y.size());
    for (std::size_t q = 0; q < x.size(); ++q) CHECK(x[q].item == y[q].item);
  }
}
