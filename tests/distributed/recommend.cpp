// distributed: EASE on users split across the ranks (each user's interactions on one rank,
// rank 1 without any from 3 ranks on) learns the one-process item weights bit for bit
// (X'X of 0/1 or of counts sums whole numbers), and recommends to each rank's users what one process
// recommends to them. Implicit ALS solves its items in lockstep across the ranks and ends
// with the one-process factors up to rounding.
#include <doctest/doctest.h>

#include <numeric>

#include "clm/data/interactions.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/recommend/als.hpp"
#include "clm/recommend/ease.hpp"
#include "support.hpp"

using clm_test::shard;
using clm_test::world;

namespace {
struct triples {
  std::vector<std::string> users, items;
};
/// The population's purchases as (customer, item) pairs, grouped by customer, and
/// this rank's customers' share (a contiguous block of customers).
std::pair<triples, triples> purchases() {
  const auto log = clm::synthetic::make_population({.n_customers = 1500, .seed = 8, .n_items = 120}).transactions;
  std::vector<std::size_t> order(log.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return log.customer[a] < log.customer[b]; });
  const auto mine = shard(log.customer_ids.size(), world().rank(), world().size());
  triples all, part;
  for (const auto i : order) {
    const auto c = static_cast<std::size_t>(log.customer[i]);
    for (auto* t : {&all, &part}) {
      if (t == &part && (c < mine.first || c >= mine.second)) continue;
      t->users.push_back(log.customer_ids[c]);
      t->items.push_back(log.item_ids[static_cast<std::size_t>(log.item[i])]);
    }
  }
  return {all, part};
}
}  // namespace

TEST_CASE("ease across ranks: the one-process weights and each rank's users' recommendations") {
  const auto [all, part] = purchases();
  const auto opts = clm::interactions_options{.kind = clm::feedback::implicit_counts};
  const auto whole = clm::interactions::from_triples(all.users, all.items, {}, opts);
  const auto mine = clm::interactions::from_triples(part.users, part.items, {}, opts);
  for (const bool binary : {true, false}) {
    INFO("binary ", binary);
    const clm::ease<> one = clm::ease<>({.l2 = 50.0, .binary = binary}).fit(whole);
    clm::ease<> a({.l2 = 50.0, .binary = binary});
    a.fit(world(), mine);
    REQUIRE(a.weights().size() == one.weights().size());
    CHECK(a.weights() == one.weights());  // binary or counts: X'X sums whole numbers
    CHECK(a.n_items() == one.n_items());
    for (std::size_t u = 0; u < mine.n_users(); ++u) {
      const auto theirs = one.recommend(mine.user_ids()[u], 10);
      const auto ours = a.recommend(u, 10);
      REQUIRE(ours.size() == theirs.size());
      for (std::size_t k = 0; k < ours.size(); ++k) {
        CHECK(a.item_id(ours[k].item) == one.item_id(theirs[k].item));
        CHECK(ours[k].score == theirs[k].score);
      }
    }
  }
}

TEST_CASE("ease across ranks: parameters that differ, no interactions anywhere") {
  const auto [all, part] = purchases();
  const auto mine = clm::interactions::from_triples(part.users, part.items);
  if (world().size() > 1) {
    CHECK_THROWS_WITH_AS(clm::ease<>({.l2 = 1.0 + world().rank()}).fit(world(), mine), doctest::Contains("differs across ranks"),
                         clm::distributed_error);
  }
  CHECK_THROWS_AS(clm::ease<>().fit(world(), clm::interactions::from_triples({}, {})), clm::shape_error);
}

TEST_CASE("implicit_als across ranks: the one-process factors and recommendations") {
  const auto [all, part] = purchases();
  const auto opts = clm::interactions_options{.kind = clm::feedback::implicit_counts};
  const auto whole = clm::interactions::from_triples(all.users, all.items, {}, opts);
  const auto mine = clm::interactions::from_triples(part.users, part.items, {}, opts);
  const clm::als_params p{.factors = 12, .regularization = 0.5, .alpha = 2.0, .iterations = 8, .seed = 4};
  const clm::implicit_als<> one = clm::implicit_als<>(p).fit(whole);
  clm::implicit_als<> a(p), b(p);
  a.fit(world(), mine);
  b.fit(world(), mine);
  CHECK(a.item_factors() == b.item_factors());  // a rerun: the same bits
  REQUIRE(a.n_items() == one.n_items());
  const auto gap = [](double x, double y) { return std::abs(x - y) / std::max(std::abs(y), 1e-2); };
  double worst = 0.0;
  for (std::size_t j = 0; j < a.n_items(); ++j) {
    REQUIRE(a.item_id(j) == one.item_id(j));
    for (std::size_t t = 0; t < p.factors; ++t) worst = std::max(worst, gap(a.item_factors()(j, t), one.item_factors()(j, t)));
  }
  for (std::size_t u = 0; u < mine.n_users(); ++u) {
    const auto w = *one.training_data().user_index(mine.user_ids()[u]);
    for (std::size_t t = 0; t < p.factors; ++t) worst = std::max(worst, gap(a.user_factors()(u, t), one.user_factors()(w, t)));
  }
  if (world().rank() == 0) MESSAGE(world().size(), " ranks: factors within ", worst, " of one process (relative, floor 0.01)");
  CHECK(worst < 1e-10);
  for (std::size_t u = 0; u < mine.n_users(); u += 3) {
    const auto ours = a.recommend(u, 10), theirs = one.recommend(mine.user_ids()[u], 10);
    REQUIRE(ours.size() == theirs.size());
    for (std::size_t k = 0; k < ours.size(); ++k) CHECK(a.item_id(ours[k].item) == one.item_id(theirs[k].item));
  }
  if (world().size() > 1) {
    CHECK_THROWS_WITH_AS(clm::implicit_als<>({.factors = 4 + static_cast<std::size_t>(world().rank())}).fit(world(), mine),
                         doctest::Contains("differs across ranks"), clm::distributed_error);
  }
}
