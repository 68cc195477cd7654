// The whole lifecycle analysis on CDNOW_master (69,659 orders, 23,570 customers): cleaning,
// summary, RFM segments, the three purchase models fitted and compared on the holdout,
// Gamma-Gamma, CLV, the churn model, segments and lists (goal: the whole report under 2 s),
// and writing its files. Needs CLM_DATA_DIR (the shared data folder); skipped without it.
#include <benchmark/benchmark.h>

#include <clm/lifecycle/analysis.hpp>
#include <clm/lifecycle/report/render.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace {

const clm::transaction_log* cdnow_master() {
  static std::optional<clm::transaction_log> log;
  if (!log) {
    const char* dir = std::getenv("CLM_DATA_DIR");
    if (dir == nullptr) return nullptr;
    log = clm::read_transactions(std::filesystem::path(dir) / "cdnow" / "CDNOW_master.txt",
                                 {.customer = "customer_id", .date = "date", .amount = "dollar_value"},
                                 {.whitespace = true});
  }
  return &*log;
}

const clm::lifecycle_options options{.calibration_end = clm::parse_date("1997-09-30"),
                                     .observation_end = clm::parse_date("1998-06-30"),
                                     .drop_duplicates = false};

void analyze_lifecycle_cdnow_master(benchmark::State& state) {
  const auto* log = cdnow_master();
  if (log == nullptr) {
    state.SkipWithError("CLM_DATA_DIR is not set");
    return;
  }
  for (auto _ : state) {
    auto a = clm::analyze_lifecycle(*log, options);
    benchmark::DoNotOptimize(a.at_risk.data());
  }
  state.counters["customers"] = 23570;
}
BENCHMARK(analyze_lifecycle_cdnow_master)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void write_lifecycle_report_cdnow_master(benchmark::State& state) {
  const auto* log = cdnow_master();
  if (log == nullptr) {
    state.SkipWithError("CLM_DATA_DIR is not set");
    return;
  }
  const auto a = clm::analyze_lifecycle(*log, options);
  const auto dir = std::filesystem::temp_directory_path() / "clm_bench_lifecycle_report";
  for (auto _ : state) clm::write_lifecycle_report(a, dir, {.source = "CDNOW_master.txt"});
  std::filesystem::remove_all(dir);
}
BENCHMARK(write_lifecycle_report_cdnow_master)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
