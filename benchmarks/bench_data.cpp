// Data layer hot paths: CSV reading, transaction logs, customer summaries.
//
// The transaction file (1 million simulated customers, about 2.8 million rows, 116 MB) is
// generated once into $TMPDIR/clm-bench/ and shared with benchmarks/peers/data_peers.py,
// which times pandas on the same file in the same `scripts/dev bench` run.
// Reference figure for summaries: lifetimes' summary_data_from_transaction_data takes
// 37.6 s for 4.9 M rows on the project machine (7.7 us per row).
#include <benchmark/benchmark.h>

#include <clm/data/csv.hpp>
#include <clm/data/synthetic.hpp>
#include <clm/data/transactions.hpp>

#include <cstdlib>
#include <filesystem>

namespace {

std::filesystem::path bench_dir() {
  const char* t = std::getenv("TMPDIR");
  auto dir = std::filesystem::path(t && *t ? t : "/tmp") / "clm-bench";
  std::filesystem::create_directories(dir);
  return dir;
}

/// The shared transaction file, generated on first use.
const std::filesystem::path& transaction_file() {
  static const std::filesystem::path path = [] {
    auto p = bench_dir() / "transactions_1m.csv";
    if (!std::filesystem::exists(p)) {
      const auto pop = clm::synthetic::make_population({.n_customers = 1000000, .seed = 1, .rating_probability = 0.0});
      clm::synthetic::write_transactions(pop.transactions, p);
    }
    return p;
  }();
  return path;
}

void read_csv_transactions_file(benchmark::State& state) {
  const auto& path = transaction_file();
  const auto bytes = std::filesystem::file_size(path);
  std::size_t rows = 0;
  for (auto _ : state) {
    const auto t = clm::read_csv(path);
    rows = t.rows();
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(read_csv_transactions_file)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void read_transactions_file(benchmark::State& state) {
  const auto& path = transaction_file();
  const auto bytes = std::filesystem::file_size(path);
  for (auto _ : state) {
    auto log = clm::read_transactions(path, {.customer = "customer_id", .date = "date", .amount = "amount", .item = "item"});
    benchmark::DoNotOptimize(log.customer.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(read_transactions_file)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

/// n_customers customers with `per_customer` purchases each on random days of 2024.
clm::transaction_log make_log(std::size_t n_customers, std::size_t per_customer) {
  clm::transaction_log log;
  log.customer_ids.resize(n_customers);
  for (std::size_t c = 0; c < n_customers; ++c) log.customer_ids[c] = "C" + std::to_string(c);
  const std::size_t n = n_customers * per_customer;
  log.customer.resize(n);
  log.time.resize(n);
  log.amount.resize(n);
  clm::random_engine g(7);
  const std::int64_t start = clm::days_from_civil(2024, 1, 1) * 86400;
  for (std::size_t i = 0; i < n; ++i) {
    log.customer[i] = static_cast<std::int32_t>(clm::uniform_index(g, n_customers));
    log.time[i] = {start + static_cast<std::int64_t>(clm::uniform_index(g, 365 * 86400))};
    log.amount[i] = clm::gamma(g, 6.25, 3.0);
  }
  return log;
}

void summarize_transactions(benchmark::State& state) {
  const auto customers = static_cast<std::size_t>(state.range(0));
  const auto log = make_log(customers, 10);
  const clm::summary_options opts{.calibration_end = clm::parse_date("2024-09-30"),
                                  .observation_end = clm::parse_date("2024-12-31")};
  for (auto _ : state) {
    auto s = clm::summarize(log, opts);
    benchmark::DoNotOptimize(s.frequency.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * log.size()));
  // lifetimes at 37.6 s / 4.9 M rows, scaled to this many rows, over our time per run.
  const double lifetimes_s = 37.6 / 4.9e6 * static_cast<double>(log.size());
  state.counters["lifetimes_s"] = lifetimes_s;
  state.counters["x_faster"] = benchmark::Counter(lifetimes_s * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(summarize_transactions)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void compress_summary(benchmark::State& state) {
  const auto s = clm::summarize(make_log(1000000, 10), {.calibration_end = clm::parse_date("2024-09-30")});
  std::size_t groups = 0;
  for (auto _ : state) {
    auto c = s.compressed();
    groups = c.size();
    benchmark::DoNotOptimize(c.weight.data());
  }
  state.counters["groups"] = static_cast<double>(groups);
}
BENCHMARK(compress_summary)->Unit(benchmark::kMillisecond)->UseRealTime();

void simulate_population(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    auto pop = clm::synthetic::make_population({.n_customers = n, .seed = 2, .rating_probability = 0.0});
    benchmark::DoNotOptimize(pop.transactions.customer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(simulate_population)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
