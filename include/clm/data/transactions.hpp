#pragma once
// Transaction logs and customer summaries: the input of every CLV, RFM and churn model.
//
// read_transactions() reads an order log (one row per purchase) into a transaction_log:
// customer ids as codes, timestamps, amounts and optional items. summarize() turns a log
// into a customer_summary with the semantics of the lifetimes library's
// calibration_and_holdout_data (freq 'D'; weeks are days / 7):
//
//   calibration purchases: time <= calibration_end; holdout: calibration_end < time <=
//   observation_end (timestamps compared as such, then floored to days);
//   a customer is in the summary when they bought in the calibration period;
//   frequency       number of distinct purchase days in calibration, minus one (repeat days)
//   recency         last purchase day - first purchase day
//   T               calibration_end day - first purchase day
//   monetary_value  mean over repeat days of the day's total amount (first day excluded;
//                   0 when frequency is 0)
//   holdout_frequency       distinct purchase days in the holdout
//   holdout_monetary_value  mean amount of the holdout purchases (per purchase, not per day;
//                           0 when none; to_table() column holdout_monetary_value_per_purchase)
//   holdout_duration        observation_end day - calibration_end day
// Cleaning before summarize(): drop_duplicate_rows() (exact repeats) and net_returns()
// (refunds, i.e. negative amounts, netted against the purchases before them).
// Times are in days or weeks (days / 7) as summary_options::unit says.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/data/csv.hpp"
#include "clm/data/dates.hpp"
#include "clm/data/table.hpp"

namespace clm {

/// The columns of an order log. Line-item exports: name `price` (and `quantity`) instead of
/// `amount`, and each row's amount is quantity x price (quantity 1 without a quantity
/// column); `order` and `status` name the columns the cancellation rules read.
struct transaction_columns {
  std::string customer = "customer_id";
  std::string date = "date";
  std::string amount;    ///< optional: no monetary values when empty
  std::string item;      ///< optional
  std::string quantity;  ///< optional, with price: amount = quantity x price
  std::string price;     ///< optional, instead of amount
  std::string order;     ///< optional: the order (invoice) id of each line
  std::string status;    ///< optional: an order status
};

/// Rules for the rows of an order log. Every row a rule removes is counted in the log
/// (guest_rows, cancelled_rows, skipped_rows), never dropped silently.
struct transaction_options {
  std::string date_format;     ///< "" = YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or YYYYMMDD
  bool skip_bad_rows = false;  ///< skip (and count) rows with a bad date, amount or id
  bool drop_guests = false;    ///< rows without a customer id (guest checkouts): dropped and
                               ///< counted instead of being bad rows
  std::string cancelled_order_prefix;         ///< an order id starting with it is a cancellation
                                              ///< (e.g. "C" in the Online Retail exports)
  std::vector<std::string> cancelled_status;  ///< status values that mark a cancelled line
};

struct transaction_log {
  std::vector<std::string> customer_ids;  ///< code -> id
  std::vector<std::int32_t> customer;     ///< per purchase: customer code
  std::vector<timestamp> time;            ///< per purchase
  std::vector<double> amount;             ///< per purchase; empty when the log has none
  std::vector<std::string> item_ids;      ///< code -> id; empty when the log has no items
  std::vector<std::int32_t> item;         ///< per purchase: item code, or empty
  std::size_t skipped_rows = 0;           ///< rows skipped by skip_bad_rows
  std::string first_skipped;              ///< why the first skipped row was skipped, with its line
  std::size_t guest_rows = 0;             ///< rows without a customer id dropped by drop_guests
  std::size_t cancelled_rows = 0;         ///< cancelled lines dropped (the cancellation rules)
  std::size_t duplicate_rows = 0;         ///< exact repeats dropped by drop_duplicate_rows
  std::size_t refund_rows = 0;            ///< refunds netted (or dropped) by net_returns
  std::size_t returned_purchases = 0;     ///< purchases net_returns removed as fully returned
  std::size_t unmatched_refunds = 0;      ///< refunds with no earlier purchase, dropped

  std::size_t size() const noexcept { return customer.size(); }
  bool has_amount() const noexcept { return !amount.empty() || customer.empty(); }
  bool has_items() const noexcept { return !item_ids.empty(); }
};

/// A log from table columns (see transaction_columns). Throws invalid_argument (a missing
/// column), parse_error (a bad date or amount, naming the row's source line).
transaction_log transactions_from_table(const table& t, const transaction_columns& cols,
                                        const transaction_options& opts = {},
                                        const std::string& source = "<table>");

/// Reads an order log from CSV. Customer and item ids are read as text, amounts as numbers.
transaction_log read_transactions(const std::filesystem::path& path, const transaction_columns& cols,
                                  csv_options csv = {}, const transaction_options& opts = {});

/// Rows that repeat an earlier row exactly (customer, timestamp, amount, item) removed, the
/// first kept; the count added to duplicate_rows. Logs with dates only (like CDNOW) can hold
/// real repeats: do not call it on them.
transaction_log drop_duplicate_rows(const transaction_log& log);

/// Returns netted against purchases. A row with a negative amount is a refund, not a
/// purchase: it is subtracted from the same customer's latest purchase at or before its time
/// (among purchases with the same timestamp, the one latest in the log; refunds come after
/// purchases of their own timestamp), any excess from the purchase before that, and so on. A
/// purchase netted to zero or below is removed (a fully returned order is not a purchase
/// occasion); a refund with no purchase left before it is dropped. Counts go to
/// refund_rows, returned_purchases and unmatched_refunds; the other rows keep their order.
/// Without amounts the log is returned unchanged.
transaction_log net_returns(const transaction_log& log);

enum class time_unit : std::uint8_t { day, week };

struct summary_options {
  std::optional<timestamp> calibration_end;  ///< default: the last purchase in the log
  std::optional<timestamp> observation_end;  ///< when given, the holdout columns are filled
  time_unit unit = time_unit::week;
};

/// One customer's row of a customer_summary, by value. Optional fields are empty where the
/// summary has no such column (no amounts, no holdout, compressed rows without ids).
struct customer_record {
  std::size_t index = 0;  ///< row in the summary
  std::string id;         ///< empty when the summary has no ids
  double frequency = 0.0, recency = 0.0, T = 0.0, weight = 1.0;
  std::optional<double> monetary_value;          ///< mean per repeat purchase day
  std::optional<double> holdout_frequency;       ///< purchase days in the holdout
  std::optional<double> holdout_monetary_value;  ///< mean per holdout purchase (not per day)
};

struct customer_summary {
  std::vector<std::string> ids;  ///< customer id per row (empty after compressed())
  vector<double> frequency, recency, T;
  /// Mean of the day totals over repeat purchase days (lifetimes' monetary_value).
  vector<double> monetary_value;
  vector<double> holdout_frequency;  ///< distinct purchase days in the holdout; empty without one
  /// Mean amount per holdout PURCHASE (row of the log), not per purchase day as
  /// monetary_value is — lifetimes' monetary_value_holdout; to_table() names the column
  /// holdout_monetary_value_per_purchase. Empty without a holdout.
  vector<double> holdout_monetary_value;
  double holdout_duration = 0.0;
  vector<double> weight;  ///< customers per row: 1 each, or the merged count after compressed()
  time_unit unit = time_unit::week;

  std::size_t size() const noexcept { return frequency.size(); }
  bool has_holdout() const noexcept { return holdout_frequency.size() == frequency.size() && size() > 0; }

  /// Row i as a record. Throws shape_error when i is out of range.
  customer_record at(std::size_t i) const;
  /// The customer with this id as a record. Throws invalid_argument when the summary has
  /// no such id (or no ids at all).
  customer_record at(std::string_view id) const;
  /// The row of the customer with this id, or nothing (a linear scan: for looking up a
  /// few customers; index many with take()).
  std::optional<std::size_t> find(std::string_view id) const;
  /// The rows given, in that order (repeats allowed), every column carried over. Throws
  /// shape_error when an index is out of range.
  customer_summary take(const std::vector<std::size_t>& rows) const;

  /// Identical (frequency, recency, T) rows merged into one with the count as its weight,
  /// in order of first appearance. For fitting the purchase models (BG/NBD, Pareto/NBD):
  /// ids, monetary values and holdout columns are not carried over. `group_of`, when
  /// given, receives for each original row the index of its merged row.
  customer_summary compressed(std::vector<std::size_t>* group_of = nullptr) const;

  /// The summary as a table: id, frequency, recency, T, monetary_value[,
  /// holdout_frequency, holdout_monetary_value_per_purchase], weight.
  table to_table() const;
};

/// Summarises a transaction log per customer (see the top of this header).
customer_summary summarize(const transaction_log& log, const summary_options& opts = {});

// ---------------------------------------------------------------------------------------

namespace detail {

inline categorical_column as_text_column(const table& t, const std::string& name) {
  if (t.type(name) == column_type::categorical) return t.categorical(name);
  // A numeric id column (e.g. from a table built in code): its values as text.
  const vector<double>& v = t.numeric(name);
  categorical_column c;
  c.codes.resize(v.size());
  level_builder lb;
  char buf[64];
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v(i))) {
      c.codes[i] = -1;
      continue;
    }
    auto r = std::to_chars(buf, buf + sizeof buf, v(i));
    c.codes[i] = lb.code(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  c.levels = lb.take_levels();
  return c;
}

}  // namespace detail

namespace detail {

/// The log from table columns. With `seconds_dates`, the date column is numeric and holds
/// seconds since 1970 (NaN where the text did not parse), as read_transactions reads it.
inline transaction_log build_log(const table& t, const transaction_columns& cols,
                                 const transaction_options& opts, const std::string& source,
                                 bool seconds_dates) {
  for (const std::string* c : {&cols.customer, &cols.date}) {
    if (c->empty()) throw invalid_argument("transaction_columns: the customer and date columns must be named");
    (void)t.type(*c);  // throws, naming the columns present
  }
  for (const std::string* c : {&cols.amount, &cols.item, &cols.quantity, &cols.price, &cols.order, &cols.status}) {
    if (!c->empty()) (void)t.type(*c);  // throws, naming the columns present
  }
  if (!cols.price.empty() && !cols.amount.empty()) {
    throw invalid_argument("transaction_columns: name either amount or price (amount = quantity x price), got both ('" +
                           cols.amount + "' and '" + cols.price + "')");
  }
  if (!cols.quantity.empty() && cols.price.empty()) {
    throw invalid_argument("transaction_columns: quantity '" + cols.quantity + "' needs a price column");
  }
  if (!opts.cancelled_order_prefix.empty() && cols.order.empty()) {
    throw invalid_argument("transaction_options: cancelled_order_prefix needs the order column (transaction_columns::order)");
  }
  if (!opts.cancelled_status.empty() && cols.status.empty()) {
    throw invalid_argument("transaction_options: cancelled_status needs the status column (transaction_columns::status)");
  }

  const std::size_t n = t.rows();
  const auto& lines = t.source_lines();
  const auto line_of = [&](std::size_t row) -> std::size_t {
    return lines.empty() ? row + 1 : static_cast<std::size_t>(lines[row]);
  };
  const std::string expected_date =
      opts.date_format.empty() ? std::string("YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or YYYYMMDD")
                               : "format '" + opts.date_format + "'";

  // Ids as text (a numeric id column, e.g. of a table built in code, is converted).
  std::optional<categorical_column> cust_converted, item_converted, date_converted, order_converted, status_converted;
  const auto text_of = [&](const std::string& name, std::optional<categorical_column>& store) {
    return t.type(name) == column_type::categorical ? &t.categorical(name) : &store.emplace(as_text_column(t, name));
  };
  const categorical_column& cust = *text_of(cols.customer, cust_converted);
  const categorical_column* items = nullptr;
  if (!cols.item.empty()) {
    items = text_of(cols.item, item_converted);
  }
  // Dates: seconds already, or text parsed once per distinct value.
  const vector<double>* seconds = seconds_dates ? &t.numeric(cols.date) : nullptr;
  const categorical_column* dates = nullptr;
  std::vector<timestamp> level_time;
  std::vector<bool> level_ok;
  if (!seconds_dates) {
    dates = text_of(cols.date, date_converted);
    level_time.resize(dates->levels.size());
    level_ok.resize(dates->levels.size());
    for (std::size_t k = 0; k < dates->levels.size(); ++k) {
      level_ok[k] = parse_timestamp(dates->levels[k], opts.date_format, level_time[k]);
    }
  }
  const vector<double>* amount = cols.amount.empty() ? nullptr : &t.numeric(cols.amount);
  const vector<double>* price = cols.price.empty() ? nullptr : &t.numeric(cols.price);
  const vector<double>* quantity = cols.quantity.empty() ? nullptr : &t.numeric(cols.quantity);
  // Cancellation rules, decided once per distinct order id or status.
  const categorical_column* orders = opts.cancelled_order_prefix.empty() ? nullptr : text_of(cols.order, order_converted);
  const categorical_column* statuses = opts.cancelled_status.empty() ? nullptr : text_of(cols.status, status_converted);
  std::vector<char> cancelled_order, cancelled_state;
  if (orders) {
    for (const auto& level : orders->levels) cancelled_order.push_back(level.rfind(opts.cancelled_order_prefix, 0) == 0);
  }
  if (statuses) {
    for (const auto& level : statuses->levels) {
      cancelled_state.push_back(std::find(opts.cancelled_status.begin(), opts.cancelled_status.end(), level) !=
                                opts.cancelled_status.end());
    }
  }
  const auto cancelled = [&](std::size_t i) {
    if (orders) {
      const std::int32_t c = orders->codes[i];
      if (c >= 0 && cancelled_order[static_cast<std::size_t>(c)]) return true;
    }
    if (statuses) {
      const std::int32_t c = statuses->codes[i];
      if (c >= 0 && cancelled_state[static_cast<std::size_t>(c)]) return true;
    }
    return false;
  };

  transaction_log log;
  log.customer_ids = cust.levels;
  if (items) log.item_ids = items->levels;
  log.customer.reserve(n);
  log.time.reserve(n);
  if (amount || price) log.amount.reserve(n);
  if (items) log.item.reserve(n);
  const auto reject = [&](std::size_t row, const std::string& what) {
    if (!opts.skip_bad_rows) throw parse_error(source, line_of(row), 0, what);
    if (log.skipped_rows++ == 0) log.first_skipped = "line " + std::to_string(line_of(row)) + ": " + what;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t c = cust.codes[i];
    if (c < 0 && opts.drop_guests) {
      ++log.guest_rows;
      continue;
    }
    if (c < 0) {
      reject(i, "expected a customer id in column '" + cols.customer + "', got a missing value");
      continue;
    }
    if (cancelled(i)) {
      ++log.cancelled_rows;
      continue;
    }
    timestamp when;
    if (seconds) {
      const double v = (*seconds)(i);
      if (std::isnan(v)) {
        reject(i, "expected a date in column '" + cols.date + "' (" + expected_date + ")");
        continue;
      }
      when.seconds = static_cast<std::int64_t>(v);
    } else {
      const std::int32_t dc = dates->codes[i];
      if (dc < 0 || !level_ok[static_cast<std::size_t>(dc)]) {
        reject(i, "expected a date in column '" + cols.date + "' (" + expected_date + "), got '" +
                      (dc < 0 ? std::string() : dates->levels[static_cast<std::size_t>(dc)]) + "'");
        continue;
      }
      when = level_time[static_cast<std::size_t>(dc)];
    }
    if (amount && !std::isfinite((*amount)(i))) {
      reject(i, "expected a finite amount in column '" + cols.amount + "'");
      continue;
    }
    double line_amount = amount ? (*amount)(i) : 0.0;
    if (price) {
      const double q = quantity ? (*quantity)(i) : 1.0, p = (*price)(i);
      if (!std::isfinite(q) || !std::isfinite(p)) {
        reject(i, "expected a finite " + std::string(std::isfinite(p) ? "quantity in column '" + cols.quantity
                                                                          : "price in column '" + cols.price) + "'");
        continue;
      }
      line_amount = q * p;
    }
    log.customer.push_back(c);
    log.time.push_back(when);
    if (amount || price) log.amount.push_back(line_amount);
    if (items) log.item.push_back(items->codes[i]);
  }
  return log;
}

}  // namespace detail

inline transaction_log transactions_from_table(const table& t, const transaction_columns& cols,
                                               const transaction_options& opts,
                                               const std::string& source) {
  return detail::build_log(t, cols, opts, source, false);
}

namespace detail {
/// The CSV options read_transactions reads with: the customer, item, order and status
/// columns as text, amounts as numbers, dates parsed into seconds while reading;
/// `bad_numbers` counts what skip_bad_rows turns into missing values.
inline csv_options transaction_csv(const transaction_columns& cols, csv_options csv, const transaction_options& opts,
                                   std::size_t* bad_numbers) {
  if (cols.customer.empty() || cols.date.empty()) {
    throw invalid_argument("transaction_columns: the customer and date columns must be named");
  }
  csv.types[cols.customer] = column_type::categorical;
  for (const std::string* c : {&cols.amount, &cols.quantity, &cols.price}) {
    if (!c->empty()) csv.types[*c] = column_type::numeric;
  }
  for (const std::string* c : {&cols.item, &cols.order, &cols.status}) {
    if (!c->empty()) csv.types[*c] = column_type::categorical;
  }
  // Dates are parsed while reading, straight into seconds: no text is kept for them.
  const std::string format = opts.date_format;
  csv.converters[cols.date] = csv_converter{
      [format](std::string_view text, double& out) {
        timestamp t;
        if (!parse_timestamp(text, format, t)) return false;
        out = static_cast<double>(t.seconds);
        return true;
      },
      "a date (" + (format.empty() ? std::string("YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or YYYYMMDD")
                                   : "format '" + format + "'") + ")"};
  if (opts.skip_bad_rows) {
    csv.bad_numbers_as_missing = true;
    csv.bad_numbers = bad_numbers;
  }
  return csv;
}
}  // namespace detail

inline transaction_log read_transactions(const std::filesystem::path& path, const transaction_columns& cols,
                                         csv_options csv, const transaction_options& opts) {
  std::size_t bad_numbers = 0;
  // Other columns are read with their inferred types and not used.
  const table t = read_csv(path, detail::transaction_csv(cols, std::move(csv), opts, &bad_numbers));
  return detail::build_log(t, cols, opts, path.string(), true);
}

namespace detail {

/// The log with only the rows keep marks, every per-row column filtered alike.
inline transaction_log keep_rows(const transaction_log& log, const std::vector<char>& keep) {
  transaction_log out = log;
  out.customer.clear(), out.time.clear(), out.amount.clear(), out.item.clear();
  for (std::size_t k = 0; k < log.size(); ++k) {
    if (!keep[k]) continue;
    out.customer.push_back(log.customer[k]);
    out.time.push_back(log.time[k]);
    if (!log.amount.empty()) out.amount.push_back(log.amount[k]);
    if (!log.item.empty()) out.item.push_back(log.item[k]);
  }
  return out;
}

}  // namespace detail

inline transaction_log drop_duplicate_rows(const transaction_log& log) {
  const std::size_t rows = log.size();
  std::vector<std::size_t> idx(rows);
  for (std::size_t k = 0; k < rows; ++k) idx[k] = k;
  const auto key = [&](std::size_t k) {
    return std::make_tuple(log.customer[k], log.time[k].seconds, log.amount.empty() ? 0.0 : log.amount[k],
                           log.item.empty() ? -1 : log.item[k]);
  };
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<char> keep(rows, 1);
  for (std::size_t k = 1; k < rows; ++k) keep[idx[k]] = key(idx[k]) != key(idx[k - 1]);
  transaction_log out = detail::keep_rows(log, keep);
  out.duplicate_rows += rows - out.size();
  return out;
}

inline transaction_log net_returns(const transaction_log& log) {
  const std::size_t rows = log.size();
  if (log.amount.empty()) return log;
  if (log.amount.size() != rows) throw shape_error("net_returns: amounts and purchases differ in number");
  // Rows by (customer, time, refund after purchase, input order).
  std::vector<std::size_t> idx(rows);
  for (std::size_t k = 0; k < rows; ++k) idx[k] = k;
  const auto key = [&](std::size_t k) { return std::make_tuple(log.customer[k], log.time[k].seconds, log.amount[k] < 0.0); };
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<double> net(log.amount);
  std::vector<char> keep(rows, 1);
  std::vector<std::size_t> open;  // the customer's purchases so far with a positive net amount
  std::size_t refunds = 0, returned = 0, unmatched = 0;
  for (std::size_t j = 0; j < rows; ++j) {
    const std::size_t k = idx[j];
    if (j == 0 || log.customer[k] != log.customer[idx[j - 1]]) open.clear();
    if (net[k] >= 0.0) {
      open.push_back(k);
      continue;
    }
    ++refunds;
    keep[k] = 0;
    double left = -net[k];
    while (left > 0.0 && !open.empty()) {
      const std::size_t p = open.back();
      net[p] -= left;
      if (net[p] > 0.0) {
        left = 0.0;
      } else {
        left = -net[p];
        keep[p] = 0;
        ++returned;
        open.pop_back();
      }
    }
    unmatched += left > 0.0;
  }
  transaction_log out = detail::keep_rows(log, keep);
  out.amount.clear();
  for (std::size_t k = 0; k < rows; ++k) {
    if (keep[k]) out.amount.push_back(net[k]);
  }
  out.refund_rows += refunds;
  out.returned_purchases += returned;
  out.unmatched_refunds += unmatched;
  return out;
}

inline customer_summary summarize(const transaction_log& log, const summary_options& opts) {
  const std::size_t n = log.size();
  const bool with_amount = !log.amount.empty();
  if (n == 0) throw shape_error("summarize: the transaction log is empty");
  if (with_amount && log.amount.size() != n) throw shape_error("summarize: amounts and purchases differ in number");
  if (log.time.size() != n) throw shape_error("summarize: times and purchases differ in number");
  timestamp cal_end = opts.calibration_end.value_or(*std::max_element(log.time.begin(), log.time.end()));
  if (opts.observation_end && *opts.observation_end < cal_end) {
    throw invalid_argument("summarize: observation_end (" + format_date(*opts.observation_end) +
                           ") must not be before calibration_end (" + format_date(cal_end) + ")");
  }
  const bool holdout = opts.observation_end.has_value();
  const timestamp obs_end = opts.observation_end.value_or(cal_end);
  const double per_unit = opts.unit == time_unit::week ? 7.0 : 1.0;
  const std::int64_t cal_day = cal_end.day();

  // Counting sort of purchases by customer code.
  const std::size_t n_customers = log.customer_ids.size();
  std::vector<std::size_t> start(n_customers + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = log.customer[i];
    if (c < 0 || static_cast<std::size_t>(c) >= n_customers) {
      throw invalid_argument("summarize: purchase " + std::to_string(i) + " has customer code " +
                             std::to_string(c) + ", expected 0 to " + std::to_string(n_customers - 1));
    }
    ++start[static_cast<std::size_t>(c) + 1];
  }
  for (std::size_t c = 0; c < n_customers; ++c) start[c + 1] += start[c];
  std::vector<std::size_t> order(n);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) order[fill[static_cast<std::size_t>(log.customer[i])]++] = i;
  }

  std::vector<std::string> ids;
  std::vector<double> freq, rec, age, money, hfreq, hmoney;
  struct purchase {
    std::int64_t day;
    double amount;
  };
  // By day, same-day purchases in log order; usually already so (a log in time order).
  const auto by_day = [](std::vector<purchase>& v) {
    const auto earlier = [](const purchase& x, const purchase& y) { return x.day < y.day; };
    if (!std::is_sorted(v.begin(), v.end(), earlier)) std::stable_sort(v.begin(), v.end(), earlier);
  };
  std::vector<purchase> cal, hold;
  for (std::size_t c = 0; c < n_customers; ++c) {
    cal.clear();
    hold.clear();
    for (std::size_t k = start[c]; k < start[c + 1]; ++k) {
      const std::size_t i = order[k];
      const timestamp t = log.time[i];
      const double a = with_amount ? log.amount[i] : 0.0;
      if (t <= cal_end) cal.push_back({t.day(), a});
      else if (holdout && t <= obs_end) hold.push_back({t.day(), a});
    }
    if (cal.empty()) continue;
    by_day(cal);
    std::size_t days = 0;
    double repeat_total = 0.0;
    for (std::size_t k = 0; k < cal.size(); ++k) {
      const bool new_day = k == 0 || cal[k].day != cal[k - 1].day;
      days += new_day;
      if (cal[k].day != cal.front().day) repeat_total += cal[k].amount;
    }
    const double f = static_cast<double>(days - 1);
    ids.push_back(log.customer_ids[c]);
    freq.push_back(f);
    rec.push_back(static_cast<double>(cal.back().day - cal.front().day) / per_unit);
    age.push_back(static_cast<double>(cal_day - cal.front().day) / per_unit);
    money.push_back(days > 1 ? repeat_total / f : 0.0);
    if (holdout) {
      by_day(hold);
      std::size_t hdays = 0;
      double htotal = 0.0;
      for (std::size_t k = 0; k < hold.size(); ++k) {
        hdays += k == 0 || hold[k].day != hold[k - 1].day;
        htotal += hold[k].amount;
      }
      hfreq.push_back(static_cast<double>(hdays));
      hmoney.push_back(hold.empty() ? 0.0 : htotal / static_cast<double>(hold.size()));
    }
  }

  const auto to_vec = [](const std::vector<double>& v) {
    vector<double> out = vector<double>::from_shape({v.size()});
    std::copy(v.begin(), v.end(), out.begin());
    return out;
  };
  customer_summary s;
  s.ids = std::move(ids);
  s.frequency = to_vec(freq);
  s.recency = to_vec(rec);
  s.T = to_vec(age);
  s.monetary_value = to_vec(money);
  if (holdout) {
    s.holdout_frequency = to_vec(hfreq);
    s.holdout_monetary_value = to_vec(hmoney);
    s.holdout_duration = static_cast<double>(obs_end.day() - cal_day) / per_unit;
  }
  s.weight = vector<double>::from_shape({s.frequency.size()});
  s.weight.fill(1.0);
  s.unit = opts.unit;
  return s;
}

inline customer_summary customer_summary::compressed(std::vector<std::size_t>* group_of) const {
  struct key_hash {
    std::size_t operator()(const std::array<double, 3>& k) const noexcept {
      std::uint64_t h = 0x9e3779b97f4a7c15ULL;
      for (double v : k) {
        std::uint64_t b;
        std::memcpy(&b, &v, sizeof b);
        h ^= b + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
      }
      return static_cast<std::size_t>(h);
    }
  };
  std::unordered_map<std::array<double, 3>, std::size_t, key_hash> index;
  std::vector<std::array<double, 3>> keys;
  std::vector<double> weights;
  if (group_of) group_of->resize(size());
  for (std::size_t i = 0; i < size(); ++i) {
    const std::array<double, 3> k{frequency(i), recency(i) + 0.0, T(i) + 0.0};
    auto [it, inserted] = index.emplace(k, keys.size());
    if (inserted) {
      keys.push_back(k);
      weights.push_back(0.0);
    }
    weights[it->second] += weight.size() == size() ? weight(i) : 1.0;
    if (group_of) (*group_of)[i] = it->second;
  }
  customer_summary out;
  const std::size_t m = keys.size();
  out.frequency = vector<double>::from_shape({m});
  out.recency = vector<double>::from_shape({m});
  out.T = vector<double>::from_shape({m});
  out.monetary_value = vector<double>::from_shape({0});
  out.weight = vector<double>::from_shape({m});
  for (std::size_t g = 0; g < m; ++g) {
    out.frequency(g) = keys[g][0];
    out.recency(g) = keys[g][1];
    out.T(g) = keys[g][2];
    out.weight(g) = weights[g];
  }
  out.unit = unit;
  return out;
}

inline customer_record customer_summary::at(std::size_t i) const {
  if (i >= size()) {
    throw shape_error("customer_summary.at: row " + std::to_string(i) + " is out of range (the summary has " +
                      std::to_string(size()) + " rows)");
  }
  customer_record r;
  r.index = i;
  if (ids.size() == size()) r.id = ids[i];
  r.frequency = frequency(i);
  r.recency = recency(i);
  r.T = T(i);
  r.weight = weight.size() == size() ? weight(i) : 1.0;
  if (monetary_value.size() == size()) r.monetary_value = monetary_value(i);
  if (has_holdout()) {
    r.holdout_frequency = holdout_frequency(i);
    if (holdout_monetary_value.size() == size()) r.holdout_monetary_value = holdout_monetary_value(i);
  }
  return r;
}

inline std::optional<std::size_t> customer_summary::find(std::string_view id) const {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == id) return i;
  }
  return std::nullopt;
}

inline customer_record customer_summary::at(std::string_view id) const {
  if (ids.size() != size()) {
    throw invalid_argument("customer_summary.at: the summary has no customer ids (compressed rows?); looked for '" +
                           std::string(id) + "'");
  }
  const auto i = find(id);
  if (!i) {
    throw invalid_argument("customer_summary.at: no customer '" + std::string(id) + "' among the " +
                           std::to_string(size()) + " customers");
  }
  return at(*i);
}

inline customer_summary customer_summary::take(const std::vector<std::size_t>& rows) const {
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (rows[k] >= size()) {
      throw shape_error("customer_summary.take: row index " + std::to_string(rows[k]) + " at position " +
                        std::to_string(k) + " is out of range (the summary has " + std::to_string(size()) + " rows)");
    }
  }
  const auto pick = [&](const vector<double>& v) {
    if (v.size() != size()) return vector<double>::from_shape({0});  // an absent column stays absent
    vector<double> out = vector<double>::from_shape({rows.size()});
    for (std::size_t k = 0; k < rows.size(); ++k) out(k) = v(rows[k]);
    return out;
  };
  customer_summary out;
  if (ids.size() == size()) {
    out.ids.reserve(rows.size());
    for (auto r : rows) out.ids.push_back(ids[r]);
  }
  out.frequency = pick(frequency);
  out.recency = pick(recency);
  out.T = pick(T);
  out.monetary_value = pick(monetary_value);
  out.holdout_frequency = pick(holdout_frequency);
  out.holdout_monetary_value = pick(holdout_monetary_value);
  out.holdout_duration = holdout_duration;
  out.weight = pick(weight);
  out.unit = unit;
  return out;
}

inline table customer_summary::to_table() const {
  table t;
  if (!ids.empty()) {
    categorical_column c;
    c.levels = ids;
    c.codes.resize(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) c.codes[i] = static_cast<std::int32_t>(i);
    t.add_categorical("id", std::move(c));
  }
  t.add_numeric("frequency", frequency);
  t.add_numeric("recency", recency);
  t.add_numeric("T", T);
  if (monetary_value.size() == size()) t.add_numeric("monetary_value", monetary_value);
  if (has_holdout()) {
    t.add_numeric("holdout_frequency", holdout_frequency);
    t.add_numeric("holdout_monetary_value_per_purchase", holdout_monetary_value);
  }
  t.add_numeric("weight", weight);
  return t;
}

}  // namespace clm
