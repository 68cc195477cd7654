// distributed: an order log in contiguous pieces, one per rank, shuffled by customer and
// summarised: the union of the ranks' summaries is the one-process summary, exactly.
#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>

#include "clm/data/synthetic.hpp"
#include "clm/distributed/shuffle.hpp"
#include "support.hpp"

using clm_test::shard;
using clm_test::world;

namespace {
/// The whole log in time order (rows of a customer spread across the pieces), plus a
/// customer who buys on every 500th row, so their orders start on every non-empty piece.
clm::transaction_log time_ordered_log() {
  const auto pop = clm::synthetic::make_population({.n_customers = 3000, .seed = 4});
  const auto& in = pop.transactions;
  std::vector<std::size_t> order(in.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return in.time[a] < in.time[b]; });
  clm::transaction_log out = in;
  out.customer.clear();
  out.time.clear();
  out.amount.clear();
  out.item.clear();
  out.customer_ids.push_back("everywhere");
  const auto everywhere = static_cast<std::int32_t>(out.customer_ids.size() - 1);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    out.customer.push_back(in.customer[i]);
    out.time.push_back(in.time[i]);
    if (!in.amount.empty()) out.amount.push_back(in.amount[i]);
    if (in.has_items()) out.item.push_back(in.item[i]);
    if (k % 500 == 0) {
      out.customer.push_back(everywhere);
      out.time.push_back(in.time[i]);
      if (!in.amount.empty()) out.amount.push_back(1.0 + static_cast<double>(k % 7));
      if (in.has_items()) out.item.push_back(0);
    }
  }
  return out;
}

clm::transaction_log piece(const clm::transaction_log& log, std::pair<std::size_t, std::size_t> r) {
  clm::transaction_log out;
  out.customer_ids = log.customer_ids;
  out.item_ids = log.item_ids;
  for (std::size_t i = r.first; i < r.second; ++i) {
    out.customer.push_back(log.customer[i]);
    out.time.push_back(log.time[i]);
    if (!log.amount.empty()) out.amount.push_back(log.amount[i]);
    if (log.has_items()) out.item.push_back(log.item[i]);
  }
  return out;
}

/// A summary's rows as "id f r T m hf hm" text with exact (shortest round-trip) numbers.
std::string rows_text(const clm::customer_summary& s) {
  std::string out;
  char buf[32];
  const auto num = [&](double v) {
    out += ' ';
    out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += s.ids[i];
    num(s.frequency(i));
    num(s.recency(i));
    num(s.T(i));
    num(s.monetary_value(i));
    if (s.has_holdout()) {
      num(s.holdout_frequency(i));
      num(s.holdout_monetary_value(i));
    }
    out += '\n';
  }
  return out;
}

std::map<std::string, std::string> by_id(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at), sp = text.find(' ', at);
    out[text.substr(at, sp - at)] = text.substr(sp, end - sp);
    at = end + 1;
  }
  return out;
}
}  // namespace

TEST_CASE("shuffle_by_customer + summarize: the union of the ranks' summaries is the one-process summary") {
  const auto log = time_ordered_log();
  const auto mine = shard(log.size(), world().rank(), world().size());
  const auto shuffled = clm::distributed::shuffle_by_customer(piece(log, mine), world());
  // Each customer is on exactly one rank: the rank its id hashes to.
  for (const auto& id : shuffled.customer_ids) {
    CHECK(clm::distributed::customer_hash(id) % static_cast<std::uint64_t>(world().size()) ==
          static_cast<std::uint64_t>(world().rank()));
  }
  std::int64_t rows = static_cast<std::int64_t>(shuffled.size());
  world().allreduce_sum(std::span<std::int64_t>(&rows, 1));
  CHECK(rows == static_cast<std::int64_t>(log.size()));

  const auto cal = clm::timestamp{log.time[log.size() * 2 / 3].seconds};
  const clm::summary_options with_holdout{.calibration_end = cal, .observation_end = log.time.back()};
  for (const auto& opts : {clm::summary_options{}, with_holdout}) {
    const auto mine_summary = clm::distributed::summarize(world(), shuffled, opts);
    const std::string text = rows_text(mine_summary);
    std::string all_text;
    for (const auto& part : world().allgatherv(std::span<const char>(text.data(), text.size()))) {
      all_text.append(part.begin(), part.end());
    }
    const auto distributed = by_id(all_text), one = by_id(rows_text(clm::summarize(log, opts)));
    CHECK(distributed.size() == one.size());
    CHECK(distributed == one);  // exactly: the same numbers, summed in the same order
    CHECK(distributed.count("everywhere") == 1);
  }
}

TEST_CASE("shuffle_by_customer: ranks whose logs differ in columns get a distributed_error") {
  if (world().size() == 1) return;
  auto log = piece(time_ordered_log(), shard(2000, world().rank(), world().size()));
  if (world().rank() == world().size() - 1) log.amount.clear();  // no amounts on the last rank
  CHECK_THROWS_WITH_AS(clm::distributed::shuffle_by_customer(log, world()), doctest::Contains("same columns"),
                       clm::distributed_error);
}

TEST_CASE("summarize across ranks: a log empty everywhere is a shape_error on every rank") {
  const clm::transaction_log empty;
  const auto shuffled = clm::distributed::shuffle_by_customer(empty, world());
  CHECK(shuffled.size() == 0);
  CHECK_THROWS_AS(clm::distributed::summarize(world(), shuffled), clm::shape_error);
}
