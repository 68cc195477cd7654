#pragma once
// An order log larger than memory, read and summarised in pieces.
//
//   read_transactions_chunks(path, cols, chunk_bytes, f, csv, opts)
//       reads the CSV file in pieces of about chunk_bytes (each ending at a record boundary:
//       a line feed outside quotes), each read as read_transactions reads a whole file, and
//       calls f(const transaction_log&) with each piece's log (its own customer and item
//       codes; lines in errors and source lines are the file's). Memory: one piece and its
//       log at a time.
//   summary_builder(opts)   the customer summary of purchases added piece by piece:
//       add(log) takes a piece, summary() gives what summarize(whole log, opts) gives, the
//       same numbers (monetary sums in the same order) and the customers in the same order
//       (first appearance). It keeps a few numbers per customer, never a purchase, so its
//       memory grows with the customers, not the purchases. The condition: each customer's
//       purchases arrive in time order (as in an export sorted by date); a purchase earlier
//       than the same customer's last one is an invalid_argument naming the customer.
//       Without opts.calibration_end, the calibration period ends at the last purchase
//       added, as summarize's.
//   summarize_file(path, cols, opts, chunk_bytes, csv, topts)   the two together.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/data/csv.hpp"
#include "clm/data/transactions.hpp"

namespace clm {

template <class F>
void read_transactions_chunks(const std::filesystem::path& path, const transaction_columns& cols,
                              std::size_t chunk_bytes, F&& f, csv_options csv = {},
                              const transaction_options& opts = {}) {
  require_param(chunk_bytes >= 1, "read_transactions_chunks", "chunk_bytes", chunk_bytes, ">= 1");
  std::size_t bad_numbers = 0;
  csv = detail::transaction_csv(cols, std::move(csv), opts, &bad_numbers);
  csv.n_jobs = 1;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("read_transactions_chunks: cannot open '" + path.string() + "'");
  std::string prefix;  // the header line, put before every piece
  if (csv.header) {
    if (!std::getline(in, prefix)) {
      throw parse_error(path.string(), 1, 0, "empty file: expected a header line");
    }
    if (!prefix.empty() && prefix.back() == '\r') prefix.pop_back();
    prefix += '\n';
  }
  std::string text, carry;
  std::vector<char> block(std::max<std::size_t>(chunk_bytes, 1 << 12));
  std::uint64_t line = csv.header ? 2 : 1;  // the file line of the piece's first record
  bool in_quotes = false;                // the quote state at the end of `carry`
  while (true) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    const bool last = got < block.size();
    // The piece: what was carried over plus this block up to its last record boundary.
    std::size_t cut = got;
    if (!last) {
      bool q = in_quotes;
      std::size_t boundary = std::string_view::npos;
      for (std::size_t i = 0; i < got; ++i) {
        const char c = block[i];
        if (c == csv.quote) q = !q;
        else if (c == '\n' && !q) boundary = i + 1;
      }
      if (boundary == std::string_view::npos) {  // no record ends in this block
        carry.append(block.data(), got);
        in_quotes = q;
        continue;
      }
      cut = boundary;
    }
    text.assign(prefix);
    text += carry;
    text.append(block.data(), cut);
    carry.assign(block.data() + cut, got - cut);
    in_quotes = false;
    for (const char c : carry) in_quotes = c == csv.quote ? !in_quotes : in_quotes;
    const std::string_view piece = std::string_view(text).substr(prefix.size());
    auto piece_lines = static_cast<std::uint64_t>(std::count(piece.begin(), piece.end(), '\n'));
    if (!piece.empty() && piece.back() != '\n') ++piece_lines;
    if (!piece.empty()) {
      csv.first_record_line = line;  // errors and source lines name the file's lines
      const table t = read_csv_text(text, csv, path.string());
      const transaction_log part = detail::build_log(t, cols, opts, path.string(), true);
      f(part);
    }
    line += piece_lines;
    if (last) break;
  }
}

class summary_builder {
 public:
  explicit summary_builder(const summary_options& opts = {}) : opts_(opts) {
    if (opts_.calibration_end && opts_.observation_end && *opts_.observation_end < *opts_.calibration_end) {
      throw invalid_argument("summary_builder: observation_end (" + format_date(*opts_.observation_end) +
                             ") must not be before calibration_end (" + format_date(*opts_.calibration_end) + ")");
    }
  }

  /// Adds a piece of the log (its own customer codes).
  summary_builder& add(const transaction_log& log) {
    const std::size_t n = log.size();
    const bool with_amount = !log.amount.empty();
    if (with_amount && log.amount.size() != n) throw shape_error("summary_builder.add: amounts and purchases differ in number");
    if (log.time.size() != n) throw shape_error("summary_builder.add: times and purchases differ in number");
    if (n > 0 && purchases_ > 0 && with_amount != with_amount_) {
      throw invalid_argument("summary_builder.add: this piece " + std::string(with_amount ? "has" : "has no") +
                             " amounts, unlike the pieces before it");
    }
    if (n > 0) with_amount_ = with_amount;
    std::vector<std::int64_t> slot(log.customer_ids.size(), -1);  // code -> index into customers_
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = log.customer[i];
      if (c < 0 || static_cast<std::size_t>(c) >= log.customer_ids.size()) {
        throw invalid_argument("summary_builder.add: purchase " + std::to_string(i) + " has customer code " +
                               std::to_string(c) + ", expected 0 to " + std::to_string(log.customer_ids.size()) + " - 1");
      }
      auto& k = slot[static_cast<std::size_t>(c)];
      if (k < 0) {
        const std::string& id = log.customer_ids[static_cast<std::size_t>(c)];
        const auto [it, fresh] = index_.try_emplace(id, customers_.size());
        if (fresh) customers_.push_back({id});
        k = static_cast<std::int64_t>(it->second);
      }
      const timestamp t = log.time[i];
      last_ = std::max(last_, t.seconds);
      ++purchases_;
      add_purchase(customers_[static_cast<std::size_t>(k)], t, with_amount ? log.amount[i] : 0.0);
    }
    return *this;
  }

  /// The summary of every purchase added so far (shape_error when none was).
  customer_summary summary() const {
    if (purchases_ == 0) throw shape_error("summary_builder.summary: no purchase was added");
    const timestamp cal_end = opts_.calibration_end.value_or(timestamp{last_});
    if (opts_.observation_end && *opts_.observation_end < cal_end) {
      throw invalid_argument("summary_builder.summary: observation_end (" + format_date(*opts_.observation_end) +
                             ") must not be before calibration_end (" + format_date(cal_end) + ")");
    }
    const bool holdout = opts_.observation_end.has_value();
    const double per_unit = opts_.unit == time_unit::week ? 7.0 : 1.0;
    const std::int64_t cal_day = cal_end.day();
    std::vector<const customer*> kept;
    for (const auto& c : customers_) {
      if (c.days > 0) kept.push_back(&c);
    }
    const std::size_t m = kept.size();
    customer_summary s;
    s.frequency = vector<double>::from_shape({m});
    s.recency = vector<double>::from_shape({m});
    s.T = vector<double>::from_shape({m});
    s.monetary_value = vector<double>::from_shape({m});
    if (holdout) {
      s.holdout_frequency = vector<double>::from_shape({m});
      s.holdout_monetary_value = vector<double>::from_shape({m});
      s.holdout_duration = static_cast<double>(opts_.observation_end->day() - cal_day) / per_unit;
    }
    for (std::size_t r = 0; r < m; ++r) {
      const customer& c = *kept[r];
      const double f = static_cast<double>(c.days - 1);
      s.ids.push_back(c.id);
      s.frequency(r) = f;
      s.recency(r) = static_cast<double>(c.last_day - c.first_day) / per_unit;
      s.T(r) = static_cast<double>(cal_day - c.first_day) / per_unit;
      s.monetary_value(r) = c.days > 1 ? c.repeat_total / f : 0.0;
      if (holdout) {
        s.holdout_frequency(r) = static_cast<double>(c.hold_days);
        s.holdout_monetary_value(r) = c.hold_count == 0 ? 0.0 : c.hold_total / static_cast<double>(c.hold_count);
      }
    }
    s.weight = vector<double>::from_shape({m});
    s.weight.fill(1.0);
    s.unit = opts_.unit;
    return s;
  }

  std::size_t customers() const noexcept { return customers_.size(); }
  std::size_t purchases() const noexcept { return purchases_; }

 private:
  static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();
  struct customer {
    std::string id;
    std::int64_t first_day = none, last_day = none, last_seconds = none;
    std::size_t days = 0;
    double repeat_total = 0.0;
    std::int64_t hold_last_day = none;
    std::size_t hold_days = 0, hold_count = 0;
    double hold_total = 0.0;
  };

  void add_purchase(customer& c, timestamp t, double amount) {
    if (t.seconds < c.last_seconds) {
      throw invalid_argument("summary_builder.add: customer '" + c.id + "' has a purchase on " + format_date(t) +
                             " after one on " + format_date(timestamp{c.last_seconds}) +
                             "; expected each customer's purchases in time order (sort the file by date, or "
                             "summarize it in memory)");
    }
    c.last_seconds = t.seconds;
    const std::int64_t day = t.day();
    if (!opts_.calibration_end || t <= *opts_.calibration_end) {
      if (c.days == 0) {
        c.first_day = day;
        c.days = 1;
      } else if (day != c.last_day) {
        ++c.days;
      }
      if (day != c.first_day) c.repeat_total += amount;
      c.last_day = day;
    } else if (opts_.observation_end && t <= *opts_.observation_end) {
      c.hold_days += day != c.hold_last_day;
      c.hold_last_day = day;
      c.hold_total += amount;
      ++c.hold_count;
    }
  }

  summary_options opts_;
  std::vector<customer> customers_;
  std::unordered_map<std::string, std::size_t> index_;
  std::int64_t last_ = none;
  std::size_t purchases_ = 0;
  bool with_amount_ = false;
};

/// The summary of an order log file read in pieces of about chunk_bytes (see the top of this
/// file): summarize(read_transactions(path, cols, csv, topts), opts) in memory that grows
/// with the customers, not the file.
inline customer_summary summarize_file(const std::filesystem::path& path, const transaction_columns& cols,
                                       const summary_options& opts = {}, std::size_t chunk_bytes = std::size_t{16} << 20,
                                       const csv_options& csv = {}, const transaction_options& topts = {}) {
  summary_builder b(opts);
  read_transactions_chunks(path, cols, chunk_bytes, [&](const transaction_log& piece) { b.add(piece); }, csv, topts);
  return b.summary();
}

}  // namespace clm
