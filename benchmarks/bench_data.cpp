// Data layer hot paths on the shared files (benchmarks/datasets.hpp; peers: pandas on the
// same files, benchmarks/peers/peers.py):
//  - reading `transactions_1m.csv` (1 million simulated customers, 2.8 million rows,
//    116 MB) as a table (one thread, and one per hardware thread) and as a transaction log
//    (floor: one read of the file's bytes);
//  - summarizing `tx10m` (10M purchases of 1M customers, days of 2024) into frequency,
//    recency, T and monetary value (peer: the pandas steps of lifetimes'
//    summary_data_from_transaction_data; floor: one read of the log's arrays).
#include "datasets.hpp"
#include "floor.hpp"

#include <clm/data/csv.hpp>
#include <clm/data/transactions.hpp>

#include <filesystem>

namespace {

/// The argument is csv_options::n_jobs (1: one thread, 0: every hardware thread).
void read_csv_transactions_file(benchmark::State& state) {
  const auto& path = clm_bench::transactions_csv();
  const auto bytes = std::filesystem::file_size(path);
  const clm::csv_options options{.n_jobs = static_cast<std::size_t>(state.range(0))};
  std::size_t rows = 0;
  for (auto _ : state) {
    const auto t = clm::read_csv(path, options);
    rows = t.rows();
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["rows"] = static_cast<double>(rows);
  clm_bench::set_floor(state, {.bytes = static_cast<double>(bytes)});
}
BENCHMARK(read_csv_transactions_file)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void read_transactions_file(benchmark::State& state) {
  const auto& path = clm_bench::transactions_csv();
  const auto bytes = std::filesystem::file_size(path);
  for (auto _ : state) {
    auto log = clm::read_transactions(path, {.customer = "customer_id", .date = "date", .amount = "amount", .item = "item"});
    benchmark::DoNotOptimize(log.customer.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  clm_bench::set_floor(state, {.bytes = static_cast<double>(bytes)});
}
BENCHMARK(read_transactions_file)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

/// The shared 10M purchases as a transaction log (customer ids "C<k>", dates in 2024).
const clm::transaction_log& log_10m() {
  static const clm::transaction_log log = [] {
    const auto& p = clm_bench::tx10m();
    clm::transaction_log out;
    const std::size_t customers = 1'000'000;
    out.customer_ids.resize(customers);
    for (std::size_t c = 0; c < customers; ++c) out.customer_ids[c] = "C" + std::to_string(c);
    const std::size_t n = p.customer.size();
    out.customer.assign(p.customer.begin(), p.customer.end());
    out.time.resize(n);
    out.amount.assign(p.amount.begin(), p.amount.end());
    const std::int64_t start = clm::days_from_civil(2024, 1, 1) * 86400;
    for (std::size_t i = 0; i < n; ++i) out.time[i] = {start + std::int64_t{p.day(i)} * 86400};
    return out;
  }();
  return log;
}

// The whole year, no holdout: lifetimes' summary_data_from_transaction_data with
// observation_period_end 2024-12-31.
const clm::summary_options periods{.calibration_end = clm::parse_date("2024-12-31")};

void summarize_10m(benchmark::State& state) {
  const auto& log = log_10m();
  for (auto _ : state) {
    auto s = clm::summarize(log, periods);
    benchmark::DoNotOptimize(s.frequency.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * log.size()));
  clm_bench::set_floor(state, {.bytes = static_cast<double>(log.size() * (sizeof(std::int32_t) + 2 * sizeof(double)))});
}
BENCHMARK(summarize_10m)->Name("summarize_10m_transactions")->Unit(benchmark::kMillisecond)->UseRealTime();

void compress_summary(benchmark::State& state) {
  const auto s = clm::summarize(log_10m(), periods);
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
