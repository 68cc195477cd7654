#pragma once
// Moving a sharded order log so that each customer's orders meet on one rank, and the
// customer summary of a sharded log.
//
//   shuffle_by_customer(log, comm)   every rank sends each of its rows to the rank
//       fnv1a64(customer id) mod size (a hash of the id's bytes, the same on every machine
//       and in every run) with one alltoallv. The rows a rank receives keep their order by
//       source rank, then by row: when rank r holds the r-th piece of a file, each customer's
//       rows arrive in file order. Codes are renumbered in order of first appearance; the
//       cleaning counters (skipped_rows, guest_rows, ...) become their sums over the ranks.
//       Every rank must agree on whether the log has amounts and items (distributed_error).
//   summarize(comm, log, opts)       after the shuffle: each rank's customers, summarised
//       with calibration_end defaulting to the last purchase on ANY rank, so the union of the
//       ranks' summaries is the one-process summary of the whole log. A rank with no
//       customers gets an empty summary; a log empty on every rank is a shape_error.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm::distributed {

/// FNV-1a over the bytes of a customer id: the shuffle's rank of a customer.
inline std::uint64_t customer_hash(std::string_view id) noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  return h;
}


namespace detail {
/// Builds a log row by row from ids, coding customers and items in order of first
/// appearance.
class log_builder {
 public:
  explicit log_builder(transaction_log& out) : out_(out) {}
  void add(std::string_view customer, std::int64_t seconds) {
    out_.customer.push_back(code_of(customer, customers_, out_.customer_ids));
    out_.time.push_back({seconds});
  }
  void add_item(std::string_view item) { out_.item.push_back(code_of(item, items_, out_.item_ids)); }

 private:
  static std::int32_t code_of(std::string_view id, ::clm::detail::id_index& index, std::vector<std::string>& ids) {
    const ::clm::detail::string_at key{&ids};
    if (const auto code = index.find(id, key)) return static_cast<std::int32_t>(*code);
    ids.emplace_back(id);
    index.insert(ids.size() - 1, key);
    return static_cast<std::int32_t>(ids.size() - 1);
  }
  transaction_log& out_;
  ::clm::detail::id_index customers_, items_;
};
}  // namespace detail

template <communicator C>
transaction_log shuffle_by_customer(const transaction_log& log, C& comm) {
  const std::size_t n = log.size();
  const bool amounts = !log.amount.empty(), items = log.has_items();
  run_agreed(comm, "shuffle_by_customer", [&] {
    if (log.time.size() != n || (amounts && log.amount.size() != n) || (items && log.item.size() != n)) {
      throw shape_error("shuffle_by_customer: the log's columns differ in length (" + std::to_string(n) +
                        " customers, " + std::to_string(log.time.size()) + " times)");
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (log.customer[i] < 0 || static_cast<std::size_t>(log.customer[i]) >= log.customer_ids.size()) {
        throw invalid_argument("shuffle_by_customer: row " + std::to_string(i) + " has customer code " +
                               std::to_string(log.customer[i]) + ", expected 0 to " +
                               std::to_string(log.customer_ids.size()) + " - 1");
      }
      if (items && (log.item[i] < 0 || static_cast<std::size_t>(log.item[i]) >= log.item_ids.size())) {
        throw invalid_argument("shuffle_by_customer: row " + std::to_string(i) + " has item code " +
                               std::to_string(log.item[i]) + ", expected 0 to " +
                               std::to_string(log.item_ids.size()) + " - 1");
      }
    }
  });
  // An empty shard has no rows to say what its log holds: it follows the others.
  std::int64_t flags[3] = {n > 0 ? 1 : 0, n > 0 && amounts ? 1 : 0, n > 0 && items ? 1 : 0};
  comm.allreduce_sum(std::span<std::int64_t>(flags, 3));
  const bool with_amount = flags[1] > 0, with_items = flags[2] > 0;
  if ((with_amount && flags[1] != flags[0]) || (with_items && flags[2] != flags[0])) {
    // Some non-empty ranks have amounts (items) and others not: decided from the reduced
    // counts, so every rank throws.
    throw distributed_error("shuffle_by_customer: " + std::to_string(flags[0]) + " ranks hold rows, " +
                            std::to_string(flags[1]) + " of them with amounts and " + std::to_string(flags[2]) +
                            " with items; every rank's log must have the same columns");
  }

  // Rows by destination rank, each as: id, seconds[, amount][, item id].
  const auto size = static_cast<std::size_t>(comm.size());
  std::vector<std::uint32_t> dest(n);
  std::vector<std::size_t> counts(size, 0);
  std::vector<std::uint32_t> rank_of_customer(log.customer_ids.size());
  for (std::size_t c = 0; c < log.customer_ids.size(); ++c) {
    rank_of_customer[c] = static_cast<std::uint32_t>(customer_hash(log.customer_ids[c]) % size);
  }
  std::vector<std::vector<char>> parts(size);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::size_t>(log.customer[i]);
    auto& out = parts[rank_of_customer[c]];
    detail::put_text(out, log.customer_ids[c]);
    detail::put(out, log.time[i].seconds);
    if (with_amount) detail::put(out, log.amount[i]);
    if (with_items) detail::put_text(out, log.item_ids[static_cast<std::size_t>(log.item[i])]);
  }
  std::vector<char> send;
  for (std::size_t r = 0; r < size; ++r) {
    counts[r] = parts[r].size();
    send.insert(send.end(), parts[r].begin(), parts[r].end());
    parts[r] = {};
  }
  const std::vector<char> got = comm.alltoallv(std::span<const char>(send), counts);
  send = {};

  transaction_log out;
  detail::log_builder rows(out);
  detail::reader in(got, "shuffle_by_customer");
  while (!in.done()) {
    const std::string_view id = in.text();
    rows.add(id, in.get<std::int64_t>());
    if (with_amount) out.amount.push_back(in.get<double>());
    if (with_items) rows.add_item(in.text());
  }
  std::int64_t counters[8] = {static_cast<std::int64_t>(log.skipped_rows),   static_cast<std::int64_t>(log.guest_rows),
                              static_cast<std::int64_t>(log.cancelled_rows), static_cast<std::int64_t>(log.duplicate_rows),
                              static_cast<std::int64_t>(log.refund_rows),    static_cast<std::int64_t>(log.returned_purchases),
                              static_cast<std::int64_t>(log.unmatched_refunds), 0};
  comm.allreduce_sum(std::span<std::int64_t>(counters, 8));
  out.skipped_rows = static_cast<std::size_t>(counters[0]);
  out.guest_rows = static_cast<std::size_t>(counters[1]);
  out.cancelled_rows = static_cast<std::size_t>(counters[2]);
  out.duplicate_rows = static_cast<std::size_t>(counters[3]);
  out.refund_rows = static_cast<std::size_t>(counters[4]);
  out.returned_purchases = static_cast<std::size_t>(counters[5]);
  out.unmatched_refunds = static_cast<std::size_t>(counters[6]);
  // The first skipped row's reason: the lowest rank's.
  const auto reasons = comm.allgatherv(std::span<const char>(log.first_skipped.data(), log.first_skipped.size()));
  for (const auto& r : reasons) {
    if (!r.empty()) {
      out.first_skipped.assign(r.begin(), r.end());
      break;
    }
  }
  return out;
}

/// The summary of this rank's customers (after shuffle_by_customer), with calibration_end
/// defaulting to the last purchase on any rank.
template <communicator C>
customer_summary summarize(C& comm, const transaction_log& log, const summary_options& opts = {}) {
  const std::int64_t none = std::numeric_limits<std::int64_t>::min();
  std::int64_t last = none;
  for (const auto& t : log.time) last = std::max(last, t.seconds);
  const auto lasts = allgather_value(comm, last);
  const std::int64_t global_last = *std::max_element(lasts.begin(), lasts.end());
  if (global_last == none) throw shape_error("summarize: the transaction log is empty on every rank");
  summary_options o = opts;
  if (!o.calibration_end) o.calibration_end = timestamp{global_last};
  customer_summary s;
  run_agreed(comm, "summarize", [&] {
    if (log.size() > 0) {
      s = ::clm::summarize(log, o);
      return;
    }
    // No customers here: the columns the others have, with no rows.
    if (o.observation_end && *o.observation_end < *o.calibration_end) {
      throw invalid_argument("summarize: observation_end (" + format_date(*o.observation_end) +
                             ") must not be before calibration_end (" + format_date(*o.calibration_end) + ")");
    }
    s.unit = o.unit;
    s.weight = vector<double>::from_shape({0});
    s.frequency = s.recency = s.T = s.monetary_value = s.weight;
    if (o.observation_end) {
      s.holdout_frequency = s.holdout_monetary_value = s.weight;
      const double per_unit = o.unit == time_unit::week ? 7.0 : 1.0;
      s.holdout_duration = static_cast<double>(o.observation_end->day() - o.calibration_end->day()) / per_unit;
    }
  });
  return s;
}

}  // namespace clm::distributed
