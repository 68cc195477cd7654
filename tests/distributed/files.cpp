// distributed: an order log in several files, each rank reading its share of them
// (distributed::read_transactions over shard_files' sorted glob), shuffled and summarised:
// the union of the ranks' summaries is the one-process summary of all files read in order.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <numeric>

#include "clm/data/synthetic.hpp"
#include "clm/distributed/files.hpp"
#include "support.hpp"
#include "support/summaries.hpp"

using clm_test::world;

namespace {
namespace fs = std::filesystem;

/// Seven files of the population's log (rows in time order, split unevenly, one file
/// empty), written by rank 0 into a folder every rank sees; plus one file with all rows.
fs::path write_shards(const clm::transaction_log& log) {
  const fs::path dir = fs::temp_directory_path() / "clm-distributed-files";
  if (world().rank() == 0) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::size_t n = log.size();
    const std::size_t cuts[] = {0, 10, 10, n / 6, n / 2, n / 2 + 100, n * 9 / 10, n};
    for (std::size_t f = 0; f + 1 < std::size(cuts); ++f) {
      clm::transaction_log part;
      part.customer_ids = log.customer_ids;
      part.item_ids = log.item_ids;
      for (std::size_t i = cuts[f]; i < cuts[f + 1]; ++i) {
        part.customer.push_back(log.customer[i]);
        part.time.push_back(log.time[i]);
        part.amount.push_back(log.amount[i]);
        if (log.has_items()) part.item.push_back(log.item[i]);
      }
      clm::synthetic::write_transactions(part, dir / ("orders-" + std::to_string(f) + ".csv"));
    }
    clm::synthetic::write_transactions(log, dir / "all.csv");
  }
  world().barrier();
  return dir;
}

std::map<std::string, std::vector<double>> by_id(const clm::customer_summary& s) {
  std::map<std::string, std::vector<double>> out;
  for (std::size_t i = 0; i < s.size(); ++i) out[s.ids[i]] = {s.frequency(i), s.recency(i), s.T(i), s.monetary_value(i)};
  return out;
}
}  // namespace

TEST_CASE("read_transactions over a glob of files, each rank its share: the one-process summary") {
  const auto pop = clm::synthetic::make_population({.n_customers = 800, .seed = 13});
  const clm::transaction_log sorted = clm_test::sorted_by_time(pop.transactions);
  REQUIRE(sorted.size() > 1000);
  const fs::path dir = write_shards(sorted);
  const clm::transaction_columns cols{.customer = "customer_id", .date = "date", .amount = "amount"};
  const auto files = clm::distributed::shard_files((dir / "orders-*.csv").string());
  REQUIRE(files.size() == 7);
  CHECK(std::is_sorted(files.begin(), files.end()));
  const auto mine = clm::distributed::read_transactions(world(), files, cols);
  std::int64_t rows = static_cast<std::int64_t>(mine.size());
  world().allreduce_sum(std::span<std::int64_t>(&rows, 1));
  CHECK(rows == static_cast<std::int64_t>(sorted.size()));
  const auto summary = clm::distributed::summarize(world(), clm::distributed::shuffle_by_customer(mine, world()));
  // Every rank's customer ids, one per line.
  std::string text;
  for (std::size_t i = 0; i < summary.size(); ++i) text += summary.ids[i] + "\n";
  std::string every;
  for (const auto& part : world().allgatherv(std::span<const char>(text.data(), text.size()))) every.append(part.begin(), part.end());
  const auto one = clm::summarize(clm::read_transactions(dir / "all.csv", cols));
  const auto one_rows = by_id(one);
  std::size_t customers = 0;
  for (std::size_t at = 0; at < every.size(); at = every.find('\n', at) + 1) ++customers;
  CHECK(customers == one.size());
  // This rank's customers have the one-process numbers.
  for (const auto& [id, values] : by_id(summary)) {
    REQUIRE(one_rows.count(id) == 1);
    CHECK(values == one_rows.at(id));
  }
}

TEST_CASE("read_transactions across ranks: a bad file on one rank, a pattern that matches nothing") {
  const fs::path dir = fs::temp_directory_path() / "clm-distributed-bad";
  if (world().rank() == 0) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (int f = 0; f < world().size(); ++f) {
      std::FILE* out = std::fopen((dir / ("part-" + std::to_string(f) + ".csv")).string().c_str(), "wb");
      std::fputs(f == world().size() - 1 ? "customer_id,date\nc1,not a date\n" : "customer_id,date\nc1,2020-01-01\n", out);
      std::fclose(out);
    }
  }
  world().barrier();
  const clm::transaction_columns cols{.customer = "customer_id", .date = "date"};
  const auto files = clm::distributed::shard_files((dir / "part-*.csv").string());
  REQUIRE(files.size() == static_cast<std::size_t>(world().size()));
  CHECK_THROWS_WITH_AS(clm::distributed::read_transactions(world(), files, cols),
                       doctest::Contains(("rank " + std::to_string(world().size() - 1)).c_str()), clm::distributed_error);
  CHECK_THROWS_AS(clm::distributed::shard_files((dir / "none-*.csv").string()), clm::invalid_argument);
  CHECK_THROWS_AS(clm::distributed::read_transactions(world(), std::vector<std::filesystem::path>{}, cols),
                  clm::invalid_argument);
}
