#pragma once
// An order log in several files, read across the ranks of a communicator.
//
//   shard_files(pattern)   the files whose names match `pattern` ('*' any run of characters,
//       '?' one; wildcards in the file name only, not in the folders), sorted by path.
//       invalid_argument when none matches.
//   read_transactions(comm, files, cols, csv, opts)   rank r of P reads files
//       [r F / P, (r + 1) F / P) of the F given, in order, and returns them as one log (ids
//       coded in order of first appearance, cleaning counters summed over its files). Every
//       rank must pass the same list (distributed_error otherwise); a file that fails to
//       read is every rank's distributed_error naming the rank and the file's error. With
//       shuffle_by_customer and distributed::summarize after it, the ranks' summaries are the
//       summary of all files read one after another by one process.

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clm/data/transactions.hpp"
#include "clm/distributed/communicator.hpp"
#include "clm/distributed/shuffle.hpp"

namespace clm::distributed {

namespace detail {
/// Whether `name` matches `pattern` ('*' any run, '?' one character).
inline bool name_matches(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}
}  // namespace detail

inline std::vector<std::filesystem::path> shard_files(const std::string& pattern) {
  const std::filesystem::path full(pattern);
  const std::string name = full.filename().string();
  const std::filesystem::path folder = full.has_parent_path() ? full.parent_path() : std::filesystem::path(".");
  if (folder.string().find_first_of("*?") != std::string::npos) {
    throw invalid_argument("shard_files: wildcards are allowed in the file name only, got '" + pattern + "'");
  }
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && detail::name_matches(name, entry.path().filename().string())) out.push_back(entry.path());
  }
  if (ec) throw error("shard_files: cannot list '" + folder.string() + "': " + ec.message());
  if (out.empty()) throw invalid_argument("shard_files: no file matches '" + pattern + "'");
  std::sort(out.begin(), out.end());
  return out;
}

template <communicator C>
transaction_log read_transactions(C& comm, const std::vector<std::filesystem::path>& files,
                                  const transaction_columns& cols, const csv_options& csv = {},
                                  const transaction_options& opts = {}) {
  if (files.empty()) throw invalid_argument("read_transactions: expected at least one file, got none");
  fingerprint list(files.size());
  for (const auto& f : files) list.add(f.string());
  same_everywhere(comm, "read_transactions: the list of files", list.value());
  const auto size = static_cast<std::size_t>(comm.size()), rank = static_cast<std::size_t>(comm.rank());
  const std::size_t first = files.size() * rank / size, last = files.size() * (rank + 1) / size;
  transaction_log out;
  run_agreed(comm, "read_transactions", [&] {
    detail::log_builder rows(out);
    bool amounts = false, items = false, any = false;
    for (std::size_t f = first; f < last; ++f) {
      const transaction_log part = ::clm::read_transactions(files[f], cols, csv, opts);
      if (part.size() > 0) {
        const bool a = !part.amount.empty(), it = part.has_items();
        if (any && (a != amounts || it != items)) {
          throw invalid_argument("read_transactions: '" + files[f].string() + "' has " + (a ? "" : "no ") + "amounts and " +
                                 (it ? "" : "no ") + "items, unlike the files before it");
        }
        amounts = a, items = it, any = true;
      }
      for (std::size_t i = 0; i < part.size(); ++i) {
        rows.add(part.customer_ids[static_cast<std::size_t>(part.customer[i])], part.time[i].seconds);
        if (!part.amount.empty()) out.amount.push_back(part.amount[i]);
        if (part.has_items()) rows.add_item(part.item_ids[static_cast<std::size_t>(part.item[i])]);
      }
      out.skipped_rows += part.skipped_rows;
      if (out.first_skipped.empty()) out.first_skipped = part.first_skipped;
      out.guest_rows += part.guest_rows;
      out.cancelled_rows += part.cancelled_rows;
      out.duplicate_rows += part.duplicate_rows;
      out.refund_rows += part.refund_rows;
      out.returned_purchases += part.returned_purchases;
      out.unmatched_refunds += part.unmatched_refunds;
    }
  });
  return out;
}

}  // namespace clm::distributed
