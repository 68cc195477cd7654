// data/transactions: order logs -> customer summaries with lifetimes' semantics, checked by
// hand on small logs and against the published CDNOW summaries when CLM_DATA_DIR is set.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "clm/data/csv.hpp"
#include "clm/data/transactions.hpp"
#include "support/fixtures.hpp"

namespace {

clm::transaction_log log_of(const std::string& csv, const clm::transaction_options& o = {}) {
  const auto t = clm::read_csv_text(csv, {.types = {{"id", clm::column_type::categorical},
                                                     {"date", clm::column_type::categorical}}});
  return clm::transactions_from_table(t, {.customer = "id", .date = "date", .amount = "amount"}, o, "log.csv");
}

}  // namespace

TEST_CASE("summary of a small log, worked by hand (days)") {
  // Customer a: buys on day 0 (twice), day 3, day 10 -> 3 days, frequency 2.
  // Customer b: one purchase only. Customer c: first purchase after calibration end.
  const auto log = log_of(
      "id,date,amount\n"
      "a,2024-01-01,10\n"
      "a,2024-01-01 18:00:00,5\n"
      "b,2024-01-05,7\n"
      "a,2024-01-04,20\n"
      "a,2024-01-11,30\n"
      "a,2024-01-11,2\n"
      "a,2024-01-20,100\n"   // holdout
      "a,2024-01-22,50\n"    // holdout
      "a,2024-01-22,10\n"    // holdout, same day
      "c,2024-01-15,9\n"     // holdout only: not in the summary
      "b,2024-02-01,1\n");   // after observation end: ignored
  const auto s = clm::summarize(log, {.calibration_end = clm::parse_date("2024-01-12"),
                                      .observation_end = clm::parse_date("2024-01-31"),
                                      .unit = clm::time_unit::day});
  REQUIRE(s.size() == 2);
  CHECK(s.ids == std::vector<std::string>{"a", "b"});
  CHECK(s.frequency(0) == 2.0);
  CHECK(s.recency(0) == 10.0);
  CHECK(s.T(0) == 11.0);
  CHECK(s.monetary_value(0) == doctest::Approx((20.0 + 32.0) / 2.0));  // first day excluded
  CHECK(s.frequency(1) == 0.0);
  CHECK(s.recency(1) == 0.0);
  CHECK(s.T(1) == 7.0);
  CHECK(s.monetary_value(1) == 0.0);
  REQUIRE(s.has_holdout());
  CHECK(s.holdout_frequency(0) == 2.0);  // two distinct days
  CHECK(s.holdout_monetary_value(0) == doctest::Approx(160.0 / 3.0));  // per purchase
  CHECK(s.holdout_frequency(1) == 0.0);
  CHECK(s.holdout_monetary_value(1) == 0.0);
  CHECK(s.holdout_duration == 19.0);
  CHECK(s.weight(0) == 1.0);

  const auto w = clm::summarize(log, {.calibration_end = clm::parse_date("2024-01-12")});
  CHECK(w.recency(0) == doctest::Approx(10.0 / 7.0));
  CHECK(w.T(1) == doctest::Approx(1.0));
  CHECK_FALSE(w.has_holdout());

  // One customer by id or row, and a subset: every column carried, access checked.
  const auto b = s.at("b");
  CHECK(b.index == 1);
  CHECK(b.T == 7.0);
  CHECK(*b.holdout_frequency == 0.0);
  CHECK(s.find("c") == std::nullopt);
  CHECK(s.find("a") == std::optional<std::size_t>(0));
  CHECK_THROWS_WITH_AS(s.at("c"), doctest::Contains("no customer 'c' among the 2"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(s.at(2), doctest::Contains("row 2 is out of range (the summary has 2 rows)"), clm::shape_error);
  const auto picked = s.take({1, 0, 1});
  REQUIRE(picked.size() == 3);
  CHECK(picked.ids == std::vector<std::string>{"b", "a", "b"});
  CHECK(picked.monetary_value(1) == s.monetary_value(0));
  REQUIRE(picked.has_holdout());
  CHECK(picked.holdout_monetary_value(1) == s.holdout_monetary_value(0));
  CHECK(picked.holdout_duration == s.holdout_duration);
  CHECK(picked.unit == clm::time_unit::day);
  CHECK_THROWS_WITH_AS(s.take({0, 5}), doctest::Contains("row index 5 at position 1 is out of range"), clm::shape_error);
  // Without a holdout the holdout fields are empty, not garbage.
  const auto a = w.at(std::size_t{0});
  CHECK_FALSE(a.holdout_frequency.has_value());
  CHECK_FALSE(a.holdout_monetary_value.has_value());
  CHECK_FALSE(w.take({1}).has_holdout());
  CHECK(w.take({1}).T(0) == w.T(1));
  // Compressed rows have no ids to look up.
  CHECK_THROWS_WITH_AS(s.compressed().at("a"), doctest::Contains("no customer ids"), clm::invalid_argument);
  // The per-purchase holdout mean says so in the table.
  CHECK(s.to_table().has("holdout_monetary_value_per_purchase"));
}

TEST_CASE("calibration end defaults to the last purchase - bad options are refused") {
  const auto log = log_of("id,date,amount\na,2024-01-01,1\na,2024-01-08,1\n");
  const auto s = clm::summarize(log, {.unit = clm::time_unit::day});
  CHECK(s.T(0) == 7.0);
  CHECK_THROWS_AS(clm::summarize(log, {.calibration_end = clm::parse_date("2024-01-08"),
                                       .observation_end = clm::parse_date("2024-01-01")}),
                  clm::invalid_argument);
  CHECK_THROWS_AS(clm::summarize(clm::transaction_log{}), clm::shape_error);
}

TEST_CASE("bad rows: an error naming the line, or skipped and counted") {
  const std::string csv = "id,date,amount\na,2024-01-01,1\na,2024-02-30,1\n,2024-01-03,1\nb,2024-01-04,2\n";
  CHECK_THROWS_WITH_AS(log_of(csv), doctest::Contains("log.csv:3: expected a date in column 'date'"),
                       clm::parse_error);
  const auto log = log_of(csv, {.skip_bad_rows = true});
  CHECK(log.size() == 2);
  CHECK(log.skipped_rows == 2);
  CHECK_THROWS_WITH_AS(log_of("id,date,amount\na,2024-01-01,1\n", {.date_format = "%d/%m/%Y"}),
                       doctest::Contains("format '%d/%m/%Y'"), clm::parse_error);
  CHECK(log_of("id,date,amount\na,01/02/2024,1\n", {.date_format = "%d/%m/%Y"}).time[0] ==
        clm::parse_date("2024-02-01"));
}

TEST_CASE("read_transactions: ids stay text, bad amounts name the line or are skipped") {
  const auto path = std::filesystem::temp_directory_path() / "clm_tx.csv";
  {
    std::ofstream f(path);
    f << "customer,day,value,sku\n0007,20240101,1.5,X\n0007,20240103,abc,Y\n0010,20240102,2,X\n";
  }
  const clm::transaction_columns cols{.customer = "customer", .date = "day", .amount = "value", .item = "sku"};
  CHECK_THROWS_WITH_AS(clm::read_transactions(path, cols), doctest::Contains(":3:"), clm::parse_error);
  const auto log = clm::read_transactions(path, cols, {}, {.skip_bad_rows = true});
  CHECK(log.customer_ids == std::vector<std::string>{"0007", "0010"});
  CHECK(log.size() == 2);
  CHECK(log.skipped_rows == 1);
  CHECK(log.first_skipped.rfind("line 3: ", 0) == 0);  // which row, and why
  CHECK(log.item_ids == std::vector<std::string>{"X", "Y"});
  CHECK(log.item == std::vector<std::int32_t>{0, 0});
  CHECK_THROWS_WITH_AS(clm::read_transactions(path, {.customer = "cust", .date = "day"}),
                       doctest::Contains("no column 'cust'"), clm::invalid_argument);
  // The error lists the file's columns.
  CHECK_THROWS_WITH_AS(clm::read_transactions(path, {.customer = "cust", .date = "day"}),
                       doctest::Contains("(columns: customer, day, value, sku)"), clm::invalid_argument);
  std::filesystem::remove(path);
}

TEST_CASE("compressed() merges identical histories with weights") {
  const auto log = log_of(
      "id,date,amount\n"
      "a,2024-01-01,1\nb,2024-01-01,1\nc,2024-01-01,1\nc,2024-01-02,1\nd,2024-01-01,3\nd,2024-01-02,3\n");
  const auto s = clm::summarize(log, {.calibration_end = clm::parse_date("2024-01-10"), .unit = clm::time_unit::day});
  std::vector<std::size_t> group;
  const auto c = s.compressed(&group);
  CHECK(c.size() == 2);
  CHECK(c.weight(0) == 2.0);
  CHECK(c.weight(1) == 2.0);
  CHECK(group == std::vector<std::size_t>{0, 0, 1, 1});
  CHECK(c.frequency(1) == 1.0);
  CHECK(c.ids.empty());
  double total = 0;
  for (auto w : c.weight) total += w;
  CHECK(total == static_cast<double>(s.size()));
  // Compressing twice changes nothing but keeps the weights.
  const auto cc = c.compressed();
  CHECK(cc.size() == 2);
  CHECK(cc.weight(0) == 2.0);
}

TEST_CASE("CDNOW sample: reproduces the published calibration/holdout summaries") {
  const auto dir = clm::testing::data_dir();
  if (!dir) {
    MESSAGE("skipped: CLM_DATA_DIR is not set (the CDNOW files live in ../shared/data)");
    return;
  }
  const auto cdnow = *dir / "cdnow";
  const auto log = clm::read_transactions(cdnow / "CDNOW_sample.txt",
                                          {.customer = "c1", .date = "c2", .amount = "c4"},
                                          {.whitespace = true, .header = false});
  CHECK(log.size() == 6919);
  const auto s = clm::summarize(log, {.calibration_end = clm::parse_date("1997-09-30"),
                                      .observation_end = clm::parse_date("1998-06-30"),
                                      .unit = clm::time_unit::week});
  REQUIRE(s.size() == 2357);

  const auto published = clm::read_csv(cdnow / "cdnow_customers_summary_with_transactions.csv",
                                       {.types = {{"ID", clm::column_type::categorical}}});
  REQUIRE(published.rows() == 2357);
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < s.size(); ++i) row_of[std::to_string(std::stoi(s.ids[i]))] = i;
  const auto& id = published.categorical("ID");
  std::size_t x_bad = 0, tx_bad = 0, T_bad = 0, z_bad = 0, repeaters = 0;
  double zsum = 0.0;
  for (std::size_t k = 0; k < published.rows(); ++k) {
    const std::size_t i = row_of.at(*id.value(k));
    x_bad += s.frequency(i) != published.numeric("x")(k);
    tx_bad += std::round(s.recency(i) * 100.0) / 100.0 != published.numeric("t_x")(k);
    T_bad += std::round(s.T(i) * 100.0) / 100.0 != published.numeric("T")(k);
    z_bad += std::abs(s.monetary_value(i) - published.numeric("zbar")(k)) > 0.01;
    if (s.frequency(i) > 0) {
      ++repeaters;
      zsum += s.monetary_value(i);
    }
  }
  CHECK(x_bad == 0);
  CHECK(tx_bad == 0);
  CHECK(T_bad == 0);
  CHECK(z_bad == 0);
  CHECK(repeaters == 946);
  CHECK(zsum / static_cast<double>(repeaters) == doctest::Approx(35.08).epsilon(0.0005));

  double holdout = 0.0, calibration = 0.0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    holdout += s.holdout_frequency(i);
    calibration += s.frequency(i);
  }
  CHECK(holdout == 1882.0);
  CHECK(calibration == 2457.0);
  CHECK(s.holdout_duration == 39.0);

  // The frequency/recency/T summary file agrees too.
  const auto rfm = clm::read_csv(cdnow / "cdnow_customers_summary.csv");
  std::size_t bad = 0;
  for (std::size_t k = 0; k < rfm.rows(); ++k) {
    const std::size_t i = row_of.at(std::to_string(static_cast<int>(rfm.numeric("ID")(k))));
    bad += s.frequency(i) != rfm.numeric("frequency")(k);
    bad += std::round(s.recency(i) * 100.0) / 100.0 != rfm.numeric("recency")(k);
  }
  CHECK(bad == 0);
}

TEST_CASE("CDNOW master: the whole file reads and summarises") {
  const auto dir = clm::testing::data_dir();
  if (!dir) {
    MESSAGE("skipped: CLM_DATA_DIR is not set");
    return;
  }
  const auto log = clm::read_transactions(*dir / "cdnow" / "CDNOW_master.txt",
                                          {.customer = "customer_id", .date = "date", .amount = "dollar_value"},
                                          {.whitespace = true});
  CHECK(log.size() == 69659);
  CHECK(log.customer_ids.size() == 23570);
  const auto s = clm::summarize(log, {.calibration_end = clm::parse_date("1997-09-30")});
  CHECK(s.size() == 23570);
}

TEST_CASE("line items: amount = quantity x price, guests counted and dropped, cancellations removed by rule") {
  // An invoice export (Online Retail's layout): one row per line, cancellations with a "C"
  // invoice prefix and negative quantities, a guest checkout without a customer id, a
  // status column.
  const auto path = std::filesystem::temp_directory_path() / "clm_lines.csv";
  {
    std::ofstream f(path);
    f << "invoice,customer,day,qty,unit_price,status\n"
         "536365,17850,2024-01-01,6,2.55,shipped\n"
         "536365,17850,2024-01-01,2,3.39,shipped\n"
         "C536379,17850,2024-01-02,-1,2.55,shipped\n"
         "536366,,2024-01-02,3,1.85,shipped\n"
         "536367,13047,2024-01-03,4,2.10,shipped\n"
         "536368,13047,2024-01-05,1,9.95,cancelled\n"
         "536369,13047,2024-01-09,10,0.85,shipped\n";
  }
  const clm::transaction_columns cols{.customer = "customer", .date = "day", .quantity = "qty", .price = "unit_price",
                                      .order = "invoice", .status = "status"};
  const auto log = clm::read_transactions(
      path, cols, {}, {.drop_guests = true, .cancelled_order_prefix = "C", .cancelled_status = {"cancelled"}});
  CHECK(log.size() == 4);
  CHECK(log.guest_rows == 1);
  CHECK(log.cancelled_rows == 2);
  CHECK(log.skipped_rows == 0);
  REQUIRE(log.amount.size() == 4);
  CHECK(log.amount[0] == doctest::Approx(6 * 2.55));
  CHECK(log.amount[1] == doctest::Approx(2 * 3.39));
  CHECK(log.amount[2] == doctest::Approx(4 * 2.10));
  CHECK(log.amount[3] == doctest::Approx(10 * 0.85));
  // The same purchases written as a clean log give the same summary.
  const auto clean_path = std::filesystem::temp_directory_path() / "clm_lines_clean.csv";
  {
    std::ofstream f(clean_path);
    f << "customer,day,amount\n17850,2024-01-01,15.30\n17850,2024-01-01,6.78\n13047,2024-01-03,8.40\n"
         "13047,2024-01-09,8.50\n";
  }
  const auto clean = clm::read_transactions(clean_path, {.customer = "customer", .date = "day", .amount = "amount"});
  const clm::summary_options o{.calibration_end = clm::parse_date("2024-01-10")};
  const auto a = clm::summarize(log, o), b = clm::summarize(clean, o);
  CHECK(a.ids == b.ids);
  CHECK(a.frequency == b.frequency);
  CHECK(a.recency == b.recency);
  CHECK(a.T == b.T);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.monetary_value(i) == doctest::Approx(b.monetary_value(i)));
  // Without the rules: the guest row is a bad row (an error naming its line), cancellations stay.
  CHECK_THROWS_WITH_AS(clm::read_transactions(path, cols), doctest::Contains(":5:"), clm::parse_error);
  const auto kept = clm::read_transactions(path, cols, {}, {.drop_guests = true});
  CHECK(kept.size() == 6);
  CHECK(kept.cancelled_rows == 0);
  // Rules need their columns; amount and price exclude each other.
  CHECK_THROWS_AS(clm::read_transactions(path, {.customer = "customer", .date = "day", .price = "unit_price"}, {},
                                         {.cancelled_order_prefix = "C"}),
                  clm::invalid_argument);
  CHECK_THROWS_AS(clm::read_transactions(path, {.customer = "customer", .date = "day", .amount = "qty", .price = "unit_price"}),
                  clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::read_transactions(path, {.customer = "customer", .date = "day", .quantity = "qty"}),
                       doctest::Contains("needs a price column"), clm::invalid_argument);
  std::filesystem::remove(path);
  std::filesystem::remove(clean_path);
}

TEST_CASE("net_returns: refunds netted against the purchases before them, fully returned purchases removed") {
  // a: 50 on day 1, 30 on day 3 (two lines, 10 then 20), refund 25 on day 4 -> nets the day-3
  //    line of 20 (removed, 5 left) and then the line of 10 (-> 5). Refund 5 on day 1 at the
  //    same timestamp as the 50 (listed before it) nets that purchase: 45.
  // b: a refund before any purchase (unmatched), a purchase of 12, a refund of 12 -> nothing left.
  // c: a purchase with amount 0 (a free sample) stays a purchase.
  const auto log = log_of(
      "id,date,amount\n"
      "a,2024-01-01,-5\n"
      "a,2024-01-01,50\n"
      "b,2024-01-02,-3\n"
      "a,2024-01-03,10\n"
      "a,2024-01-03,20\n"
      "b,2024-01-03,12\n"
      "a,2024-01-04,-25\n"
      "b,2024-01-06,-12\n"
      "c,2024-01-06,0\n");
  const auto net = clm::net_returns(log);
  CHECK(net.refund_rows == 4);
  CHECK(net.returned_purchases == 2);
  CHECK(net.unmatched_refunds == 1);
  REQUIRE(net.size() == 3);
  CHECK(net.customer_ids[static_cast<std::size_t>(net.customer[0])] == "a");
  CHECK(net.amount[0] == 45.0);
  CHECK(net.time[1] == clm::parse_date("2024-01-03"));
  CHECK(net.amount[1] == 5.0);
  CHECK(net.customer_ids[static_cast<std::size_t>(net.customer[2])] == "c");
  CHECK(net.amount[2] == 0.0);
  // The same purchases as a clean log: the same summary.
  const auto clean = log_of("id,date,amount\na,2024-01-01,45\na,2024-01-03,5\nc,2024-01-06,0\n");
  const clm::summary_options o{.calibration_end = clm::parse_date("2024-01-10")};
  const auto s = clm::summarize(net, o), r = clm::summarize(clean, o);
  CHECK(s.ids == r.ids);
  CHECK(s.frequency == r.frequency);
  CHECK(s.recency == r.recency);
  CHECK(s.T == r.T);
  CHECK(s.monetary_value == r.monetary_value);
  // No refunds: unchanged. No amounts: unchanged.
  const auto plain = clm::net_returns(clean);
  CHECK(plain.amount == clean.amount);
  CHECK(plain.refund_rows == 0);
  clm::transaction_log no_amount = clean;
  no_amount.amount.clear();
  CHECK(clm::net_returns(no_amount).size() == 3);
}

TEST_CASE("drop_duplicate_rows: exact repeats removed and counted, the first kept") {
  const auto log = log_of("id,date,amount\na,2024-01-01,5\nb,2024-01-01,5\na,2024-01-01,5\na,2024-01-01,6\na,2024-01-01,5\n");
  const auto d = clm::drop_duplicate_rows(log);
  CHECK(d.duplicate_rows == 2);
  REQUIRE(d.size() == 3);
  CHECK(d.amount == std::vector<double>{5, 5, 6});
  CHECK(d.customer[0] != d.customer[1]);
  CHECK(clm::drop_duplicate_rows(d).size() == 3);
}
