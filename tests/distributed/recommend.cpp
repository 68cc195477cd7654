// distributed: EASE on users split across the ranks (each user's interactions on one rank,
// rank 1 without any from 3 ranks on) learns the one-process item weights bit for bit
// (X'X of 0/1 or of counts sums whole numbers), and recommends to each rank's users what one process
// recommends to them.
#include <doctest/doctest.h>

#include <numeric>

#include "clm/data/interactions.hpp"
#include "clm/data/synthetic.hpp"
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
