#pragma once
// Shared by the categorical encoders (not for users): categories learned from table
// columns, and the lookup of a table's codes into them.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/data/table.hpp"
#include "clm/distributed/communicator.hpp"

namespace clm::detail {

/// Per column: its name, its sorted categories, and whether "missing" is a category
/// (placed last, as scikit-learn places NaN).
struct column_categories {
  std::string column;
  std::vector<std::string> values;
  bool missing = false;

  std::size_t size() const noexcept { return values.size() + (missing ? 1 : 0); }

  template <class A>
  void serialize(A& ar) {
    ar(column, values, missing);
    ar.check(std::is_sorted(values.begin(), values.end()) &&
                 std::adjacent_find(values.begin(), values.end()) == values.end(),
             "categories must be sorted and distinct");
  }
};

/// The categorical column `name` of t, or invalid_argument saying what was expected.
inline const categorical_column& categorical_input(const table& t, const std::string& name, const char* owner) {
  if (!t.has(name)) (void)t.type(name);  // names the columns present
  if (t.type(name) != column_type::categorical) {
    throw invalid_argument(std::string(owner) + ": column '" + name +
                           "' is numeric; expected a categorical column (read it with "
                           "csv_options::types, or encode numbers with a numeric transformer)");
  }
  return t.categorical(name);
}

/// Categories seen in a column: its levels that occur, sorted; missing if any row is missing.
inline column_categories learn_categories(const table& t, const std::string& name, const char* owner) {
  const categorical_column& c = categorical_input(t, name, owner);
  std::vector<bool> used(c.levels.size(), false);
  column_categories cat;
  cat.column = name;
  for (auto code : c.codes) {
    if (code < 0) cat.missing = true;
    else used[static_cast<std::size_t>(code)] = true;
  }
  for (std::size_t k = 0; k < c.levels.size(); ++k) {
    if (used[k]) cat.values.push_back(c.levels[k]);
  }
  std::sort(cat.values.begin(), cat.values.end());
  cat.values.erase(std::unique(cat.values.begin(), cat.values.end()), cat.values.end());
  return cat;
}

/// The columns an encoder fits: `given`, or every categorical column of t.
inline std::vector<std::string> encoded_columns(const table& t, const std::vector<std::string>& given,
                                                const char* owner) {
  if (!given.empty()) return given;
  std::vector<std::string> cols;
  for (const auto& n : t.names()) {
    if (t.type(n) == column_type::categorical) cols.push_back(n);
  }
  if (cols.empty()) throw invalid_argument(std::string(owner) + ".fit: the table has no categorical column");
  return cols;
}

/// The categories of an encoder's columns (encoded_columns) over the rows of every rank of
/// `comm`: each rank's sorted categories and missing flags are gathered and united, so every
/// rank gets the categories of all rows. `settings`: a fingerprint of the encoder's other
/// parameters, which must agree across ranks too. A rank may hold no rows (its table still has the
/// columns); no rows on any rank is a shape_error, different columns across ranks a
/// distributed_error, and any rank's bad table every rank's distributed_error.
template <communicator C>
std::vector<column_categories> learn_categories(C& comm, const table& t, const std::vector<std::string>& given,
                                                const char* owner, std::uint64_t settings) {
  constexpr bool one_process = std::is_same_v<std::remove_cv_t<C>, local_communicator>;
  const std::string what = std::string(owner) + ".fit";
  std::vector<column_categories> cats;
  distributed::run_agreed(comm, what, [&] {
    if (one_process && t.rows() == 0) throw shape_error(what + ": expected a table with rows, got 0");
    for (const auto& c : encoded_columns(t, given, owner)) cats.push_back(learn_categories(t, c, owner));
  });
  if constexpr (!one_process) {
    distributed::fingerprint columns(settings, cats.size());
    for (const auto& c : cats) columns.add(c.column);
    distributed::same_everywhere(comm, what + ": the parameters and the encoded columns", columns.value());
    std::vector<char> mine;
    distributed::detail::put(mine, static_cast<std::uint64_t>(t.rows()));
    for (const auto& c : cats) {
      distributed::detail::put(mine, static_cast<std::uint8_t>(c.missing));
      distributed::detail::put(mine, static_cast<std::uint64_t>(c.values.size()));
      for (const auto& v : c.values) distributed::detail::put_text(mine, v);
    }
    std::uint64_t rows = 0;
    for (const auto& bytes : comm.allgatherv(std::span<const char>(mine))) {
      distributed::detail::reader in(bytes, what.c_str());
      rows += in.get<std::uint64_t>();
      for (auto& c : cats) {
        c.missing = in.get<std::uint8_t>() != 0 || c.missing;
        const auto n = in.get<std::uint64_t>();
        for (std::uint64_t k = 0; k < n; ++k) c.values.emplace_back(in.text());
      }
    }
    if (rows == 0) throw shape_error(what + ": expected a table with rows on some rank, got none on any");
    for (auto& c : cats) {
      std::sort(c.values.begin(), c.values.end());
      c.values.erase(std::unique(c.values.begin(), c.values.end()), c.values.end());
    }
  }
  return cats;
}

/// For each row of the column, the category index (missing -> the missing category), or -1
/// when the value (or missing) is not a learned category.
inline std::vector<std::int64_t> category_indices(const table& t, const column_categories& cat, const char* owner) {
  const categorical_column& c = categorical_input(t, cat.column, owner);
  std::vector<std::int64_t> level_to_cat(c.levels.size(), -1);
  for (std::size_t k = 0; k < c.levels.size(); ++k) {
    const auto it = std::lower_bound(cat.values.begin(), cat.values.end(), c.levels[k]);
    if (it != cat.values.end() && *it == c.levels[k]) level_to_cat[k] = it - cat.values.begin();
  }
  const std::int64_t missing = cat.missing ? static_cast<std::int64_t>(cat.values.size()) : -1;
  std::vector<std::int64_t> out(c.codes.size());
  for (std::size_t i = 0; i < c.codes.size(); ++i) {
    out[i] = c.codes[i] < 0 ? missing : level_to_cat[static_cast<std::size_t>(c.codes[i])];
  }
  return out;
}

/// The value of row i of a categorical column as text ("missing" when missing).
inline std::string describe_value(const table& t, const std::string& column, std::size_t i) {
  const std::string* v = t.categorical(column).value(i);
  return v ? "'" + *v + "'" : std::string("a missing value");
}

}  // namespace clm::detail
