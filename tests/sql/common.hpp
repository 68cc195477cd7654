#pragma once
// What the database backends' tests share: a table of awkward values and names, CDNOW_master
// as a table to load into a database, and the check that a log read back from a database
// gives the CSV path's summary and BG/NBD fit.
#include <doctest/doctest.h>

#include <filesystem>
#include <limits>

#include "clm/data/csv.hpp"
#include "clm/data/transactions.hpp"
#include "clm/lifetime/bg_nbd.hpp"
#include "support/summaries.hpp"

namespace clm::testing {

/// NULLs, unicode, quotes, commas, tabs and newlines, -0, 2^53 + 1, a column named order.
inline table awkward_table() {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  table t;
  t.add_categorical("order", {{0, 1, -1, 2, 3, 0}, {"Zürich 東京", "a\"b'c", "line\nbreak, comma\ttab", ""}});
  t.add_numeric("a\"b", vector<double>{1.5, -2.0, nan, 1e300, 0.1 + 0.2, -0.0});
  t.add_numeric("count", vector<double>{1, 2, 3, 4, 5, 9007199254740993.0});
  return t;
}

inline const transaction_columns cdnow_columns{.customer = "customer_id", .date = "date", .amount = "dollar_value"};

/// CDNOW_master.txt as read_csv reads it, ids and dates as text.
inline table cdnow_table(const std::filesystem::path& data) {
  return read_csv(data / "cdnow" / "CDNOW_master.txt",
                  {.whitespace = true,
                   .types = {{"customer_id", column_type::categorical}, {"date", column_type::categorical}}});
}

/// The log read back from a database gives read_transactions' summary of the file and the
/// same BG/NBD fit, exactly.
inline void check_same_as_csv(const std::filesystem::path& data, const transaction_log& from_database) {
  const auto csv_log = read_transactions(data / "cdnow" / "CDNOW_master.txt", cdnow_columns, {.whitespace = true});
  const summary_options periods{.calibration_end = parse_date("1997-09-30"), .observation_end = parse_date("1998-06-30")};
  const auto a = summarize(csv_log, periods), b = summarize(from_database, periods);
  REQUIRE(a.size() == 23570);
  clm_test::check_same_summary(a, b);
  bg_nbd<> ma, mb;
  ma.fit(a.compressed());
  mb.fit(b.compressed());
  CHECK(ma.parameters().r == mb.parameters().r);
  CHECK(ma.parameters().alpha == mb.parameters().alpha);
  CHECK(ma.parameters().a == mb.parameters().a);
  CHECK(ma.parameters().b == mb.parameters().b);
}

}  // namespace clm::testing
