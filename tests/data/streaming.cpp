// data/streaming: an order log read and summarised in pieces equals the in-memory summary
// exactly, in memory that grows with the customers (peak RSS measured on a file four times
// the cap); pieces split anywhere, quoted line feeds, errors with the file's line numbers.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "clm/data/streaming.hpp"
#include "clm/data/synthetic.hpp"
#include "support/summaries.hpp"

namespace {
namespace fs = std::filesystem;

const clm::transaction_columns cols{.customer = "customer_id", .date = "date", .amount = "amount"};

/// The population's log sorted by time, written as CSV.
fs::path time_ordered_file(const char* name, std::size_t customers, std::uint64_t seed) {
  const auto log = clm::synthetic::make_population({.n_customers = customers, .seed = seed}).transactions;
  const fs::path path = fs::temp_directory_path() / name;
  clm::synthetic::write_transactions(clm_test::sorted_by_time(log), path);
  return path;
}

/// This process's peak and current resident set in bytes (/proc/self/status).
std::pair<std::size_t, std::size_t> peak_and_current_rss() {
  std::ifstream status("/proc/self/status");
  std::string key;
  std::size_t peak = 0, now = 0, kb = 0;
  while (status >> key) {
    if (key == "VmHWM:" && status >> kb) peak = kb * 1024;
    if (key == "VmRSS:" && status >> kb) now = kb * 1024;
  }
  return {peak, now};
}
}  // namespace

TEST_CASE("summarize_file in pieces of any size: summarize's summary, number for number") {
  const fs::path path = time_ordered_file("clm_streaming_orders.csv", 1500, 5);
  const auto whole = clm::read_transactions(path, cols);
  const auto last = *std::max_element(whole.time.begin(), whole.time.end());
  const clm::timestamp cal{last.seconds - 120 * 86400};
  const clm::summary_options plain{}, days{.unit = clm::time_unit::day},
      with_holdout{.calibration_end = cal, .observation_end = last};
  for (const auto& opts : {plain, days, with_holdout}) {
    const auto expected = clm::summarize(whole, opts);
    for (const std::size_t bytes : {std::size_t{1}, std::size_t{4096}, std::size_t{100'000}, std::size_t{1} << 30}) {
      INFO("piece bytes ", bytes);
      std::size_t pieces = 0;
      clm::summary_builder b(opts);
      clm::read_transactions_chunks(path, cols, bytes, [&](const clm::transaction_log& piece) {
        ++pieces;
        b.add(piece);
      });
      CHECK(b.purchases() == whole.size());
      clm_test::check_same_summary(b.summary(), expected);
      if (bytes == 4096) CHECK(pieces > 10);
    }
  }
  fs::remove(path);
}

TEST_CASE("read_transactions_chunks: quoted line feeds across pieces, the file's line numbers in errors") {
  const fs::path path = fs::temp_directory_path() / "clm_streaming_quoted.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "customer_id,date,amount,note\r\n";
    for (int i = 0; i < 2000; ++i) {
      out << "c" << i % 37 << ",2021-03-" << 10 + i / 100 << "," << i % 50 << ".25,\"line one\nline, two\"\r\n";
    }
  }
  const auto whole = clm::read_transactions(path, cols);
  for (const std::size_t bytes : {std::size_t{7}, std::size_t{5000}}) {
    clm::summary_builder b;
    clm::read_transactions_chunks(path, cols, bytes, [&](const clm::transaction_log& piece) { b.add(piece); });
    clm_test::check_same_summary(b.summary(), clm::summarize(whole));
  }
  // A bad date on line 4002 (one header line, two lines a record): the error names it.
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << "c1,2021-13-45,1.00,\"x\"\n";
  }
  try {
    clm::read_transactions_chunks(path, cols, 5000, [](const clm::transaction_log&) {});
    FAIL("no error");
  } catch (const clm::parse_error& e) {
    CHECK(e.line() == 4002);
  }
  fs::remove(path);
}

TEST_CASE("summary_builder: purchases out of time order, pieces without amounts, nothing added") {
  clm::transaction_log log;
  log.customer_ids = {"a", "b"};
  log.customer = {0, 1, 0};
  log.time = {clm::timestamp{86400 * 10}, clm::timestamp{86400 * 5}, clm::timestamp{86400 * 3}};
  log.amount = {1.0, 2.0, 3.0};
  clm::summary_builder b;
  CHECK_THROWS_WITH_AS(b.add(log), doctest::Contains("customer 'a'"), clm::invalid_argument);
  clm::summary_builder empty;
  CHECK_THROWS_AS((void)empty.summary(), clm::shape_error);
  clm::summary_builder c;
  log.time[2] = clm::timestamp{86400 * 12};
  c.add(log);
  clm::transaction_log no_amounts = log;
  no_amounts.amount.clear();
  CHECK_THROWS_AS(c.add(no_amounts), clm::invalid_argument);
  CHECK_THROWS_AS(clm::read_transactions_chunks(fs::temp_directory_path() / "clm_no_such_file.csv", cols, 100,
                                                [](const clm::transaction_log&) {}),
                  clm::error);
  CHECK_THROWS_AS(clm::summary_builder({.calibration_end = clm::timestamp{86400 * 9}, .observation_end = clm::timestamp{0}}),
                  clm::invalid_argument);
}

TEST_CASE("summarize_file: a log four times a 16 MiB memory cap, summarised under the cap") {
  // 20,000 customers, about 2.3 M purchases in time order: about 75 MB of CSV.
  const std::size_t cap = std::size_t{16} << 20;
  const fs::path path = fs::temp_directory_path() / "clm_streaming_large.csv";
  {
    std::FILE* f = std::fopen(path.string().c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("customer_id,date,amount\n", f);
    clm::random_engine g(3);
    for (int day = 0; day < 700; ++day) {
      for (int k = 0; k < 3300; ++k) {
        const auto c = clm::uniform_index(g, 20000);
        const int second = k * 26;  // increasing through the day
        std::fprintf(f, "c%05u,%d-%02d-%02d %02d:%02d:%02d,%u.%02u\n", static_cast<unsigned>(c), 2019 + day / 336,
                     1 + day / 28 % 12, 1 + day % 28, second / 3600, second / 60 % 60, second % 60,
                     static_cast<unsigned>(c % 97), static_cast<unsigned>(k % 100));
      }
    }
    std::fclose(f);
  }
  const auto size = fs::file_size(path);
  MESSAGE("file: ", size / 1e6, " MB, cap ", cap / 1e6, " MB");
  REQUIRE(size > 4 * cap);
  const auto reset_peak = [] { return static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5"); };
  reset_peak();
  const auto in_memory_start = peak_and_current_rss().second;
  const auto expected = clm::summarize(clm::read_transactions(path, cols));
  const auto in_memory_peak = peak_and_current_rss().first;
#if defined(__GLIBC__)
  malloc_trim(0);  // the in-memory read's freed pages back to the system
#endif
  const bool reset = reset_peak();
  const auto before = peak_and_current_rss().second;
  const auto got = clm::summarize_file(path, cols, {}, std::size_t{1} << 20);
  const auto peak = peak_and_current_rss().first;
  clm_test::check_same_summary(got, expected);
  fs::remove(path);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  MESSAGE("peak resident memory not checked under a sanitizer (its shadow memory counts)");
#else
  if (!reset || peak == 0) {
    MESSAGE("peak resident memory not measurable here (/proc/self/clear_refs)");
  } else {
    MESSAGE("peak resident memory above the start: ", (peak - before) / 1e6, " MB in pieces of 1 MiB; ",
            (in_memory_peak - in_memory_start) / 1e6, " MB reading the whole file");
    CHECK(peak - before < cap);
  }
#endif
}
