#pragma once
// clm::table — a column store of typed columns, the shape in which customer tables and
// transaction logs enter the library.
//
// - numeric columns: vector<double>, NaN for missing;
// - categorical columns: int32 codes, -1 for missing, plus their levels (strings) in order
//   of first appearance.
// Every column has the same number of rows. Errors name the column.
//
// Two tables compare equal when they have the same column names, types and values row by
// row (NaN equals NaN; categorical values compare as strings, whatever the level order).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"

namespace clm {

enum class column_type : std::uint8_t { numeric, categorical };

inline const char* to_string(column_type t) noexcept {
  return t == column_type::numeric ? "numeric" : "categorical";
}

struct categorical_column {
  std::vector<std::int32_t> codes;  ///< per row; -1 = missing
  std::vector<std::string> levels;  ///< code -> value

  /// The value of row i, or nullptr when missing.
  const std::string* value(std::size_t i) const {
    const std::int32_t c = codes[i];
    return c < 0 ? nullptr : &levels[static_cast<std::size_t>(c)];
  }
};

namespace detail {

/// Builds one categorical column: value -> code in order of first appearance.
class level_builder {
 public:
  std::int32_t code(std::string_view v) {
    auto it = index_.find(v);
    if (it != index_.end()) return it->second;
    const auto c = static_cast<std::int32_t>(levels_.size());
    levels_.emplace_back(v);
    index_.emplace(std::string_view(store_.emplace_back(v)), c);
    return c;
  }
  std::vector<std::string> take_levels() { return std::move(levels_); }

 private:
  std::deque<std::string> store_;  // stable storage for the map's keys
  std::unordered_map<std::string_view, std::int32_t> index_;
  std::vector<std::string> levels_;
};

}  // namespace detail

class table {
 public:
  table() = default;

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return columns_.size(); }
  std::vector<std::string> names() const;
  bool has(std::string_view name) const { return find(name) != npos; }
  column_type type(std::string_view name) const { return at(name).type; }

  /// The numeric column `name`. Throws invalid_argument when absent or categorical.
  const vector<double>& numeric(std::string_view name) const;
  /// The categorical column `name`. Throws invalid_argument when absent or numeric.
  const categorical_column& categorical(std::string_view name) const;

  /// Appends a column (the first one sets the row count). Throws invalid_argument on a
  /// duplicate name, shape_error on a different length, invalid_argument on a code out of
  /// range.
  table& add_numeric(std::string name, vector<double> values);
  table& add_categorical(std::string name, categorical_column column);

  /// Columns by name, in the order given.
  table select(const std::vector<std::string>& names) const;
  /// All columns but the named ones (each must exist).
  table drop(const std::vector<std::string>& names) const;
  /// Rows by index, in the order given (repeats allowed). Throws shape_error when an
  /// index is out of range.
  table take(const std::vector<std::size_t>& rows) const;
  /// Rows where mask is true. Throws shape_error unless mask has one entry per row.
  table filter(const std::vector<bool>& mask) const;
  /// The first occurrence of every distinct row (over `subset`, or all columns), as pandas'
  /// drop_duplicates(keep="first"): NaN equals NaN, missing equals missing.
  table drop_duplicates(const std::vector<std::string>& subset = {}) const;
  /// Indices of the rows drop_duplicates keeps.
  std::vector<std::size_t> unique_rows(const std::vector<std::string>& subset = {}) const;

  /// The named numeric columns as a rows x names.size() matrix.
  matrix<double> to_matrix(const std::vector<std::string>& names) const;

  /// For a table read from a file: the 1-based line where each row starts (empty otherwise).
  const std::vector<std::uint64_t>& source_lines() const noexcept { return lines_; }
  void set_source_lines(std::vector<std::uint64_t> lines);

  friend bool operator==(const table& a, const table& b);

 private:
  struct column {
    std::string name;
    column_type type = column_type::numeric;
    vector<double> num;
    categorical_column cat;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::size_t find(std::string_view name) const {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? npos : it->second;
  }
  const column& at(std::string_view name) const;
  void check_new(const std::string& name, std::size_t n) const;
  [[noreturn]] void missing_column(std::string_view name) const;
  static bool cell_equal(const column& a, std::size_t i, const column& b, std::size_t j);
  table take_unchecked(const std::vector<std::size_t>& rows) const;

  std::vector<column> columns_;
  std::unordered_map<std::string, std::size_t> index_;
  std::size_t rows_ = 0;
  std::vector<std::uint64_t> lines_;
};

// ---------------------------------------------------------------------------------------

inline std::vector<std::string> table::names() const {
  std::vector<std::string> out;
  out.reserve(columns_.size());
  for (const auto& c : columns_) out.push_back(c.name);
  return out;
}

inline void table::missing_column(std::string_view name) const {
  std::string all;
  for (const auto& c : columns_) all += (all.empty() ? "" : ", ") + c.name;
  throw invalid_argument("table: no column '" + std::string(name) + "' (columns: " +
                         (all.empty() ? std::string("none") : all) + ")");
}

inline const table::column& table::at(std::string_view name) const {
  const std::size_t i = find(name);
  if (i == npos) missing_column(name);
  return columns_[i];
}

inline const vector<double>& table::numeric(std::string_view name) const {
  const column& c = at(name);
  if (c.type != column_type::numeric) {
    throw invalid_argument("table: column '" + std::string(name) +
                           "' is categorical, expected numeric");
  }
  return c.num;
}

inline const categorical_column& table::categorical(std::string_view name) const {
  const column& c = at(name);
  if (c.type != column_type::categorical) {
    throw invalid_argument("table: column '" + std::string(name) +
                           "' is numeric, expected categorical");
  }
  return c.cat;
}

inline void table::check_new(const std::string& name, std::size_t n) const {
  if (find(name) != npos) throw invalid_argument("table: a column named '" + name + "' already exists");
  if (!columns_.empty() && n != rows_) {
    throw shape_error("table: column '" + name + "' has " + std::to_string(n) +
                      " rows, expected " + std::to_string(rows_) + " as the other columns");
  }
}

inline table& table::add_numeric(std::string name, vector<double> values) {
  check_new(name, values.size());
  rows_ = values.size();
  index_.emplace(name, columns_.size());
  columns_.push_back(column{std::move(name), column_type::numeric, std::move(values), {}});
  return *this;
}

inline table& table::add_categorical(std::string name, categorical_column col) {
  check_new(name, col.codes.size());
  const auto n_levels = static_cast<std::int64_t>(col.levels.size());
  for (std::size_t i = 0; i < col.codes.size(); ++i) {
    if (col.codes[i] < -1 || col.codes[i] >= n_levels) {
      throw invalid_argument("table: column '" + name + "' row " + std::to_string(i) +
                             " has code " + std::to_string(col.codes[i]) + ", expected -1 to " +
                             std::to_string(n_levels - 1));
    }
  }
  rows_ = col.codes.size();
  index_.emplace(name, columns_.size());
  columns_.push_back(column{std::move(name), column_type::categorical, {}, std::move(col)});
  return *this;
}

inline void table::set_source_lines(std::vector<std::uint64_t> lines) {
  if (!lines.empty() && lines.size() != rows_) {
    throw shape_error("table: " + std::to_string(lines.size()) + " source lines for " +
                      std::to_string(rows_) + " rows");
  }
  lines_ = std::move(lines);
}

inline table table::select(const std::vector<std::string>& names) const {
  table out;
  for (const auto& n : names) {
    const column& c = at(n);
    if (c.type == column_type::numeric) out.add_numeric(c.name, c.num);
    else out.add_categorical(c.name, c.cat);
  }
  out.rows_ = rows_;
  out.lines_ = lines_;
  return out;
}

inline table table::drop(const std::vector<std::string>& names) const {
  for (const auto& n : names) (void)at(n);
  std::vector<std::string> keep;
  for (const auto& c : columns_) {
    if (std::find(names.begin(), names.end(), c.name) == names.end()) keep.push_back(c.name);
  }
  return select(keep);
}

inline table table::take_unchecked(const std::vector<std::size_t>& rows) const {
  table out;
  const std::size_t n = rows.size();
  for (const auto& c : columns_) {
    if (c.type == column_type::numeric) {
      vector<double> v = vector<double>::from_shape({n});
      for (std::size_t i = 0; i < n; ++i) v(i) = c.num(rows[i]);
      out.add_numeric(c.name, std::move(v));
    } else {
      categorical_column cc;
      cc.levels = c.cat.levels;
      cc.codes.resize(n);
      for (std::size_t i = 0; i < n; ++i) cc.codes[i] = c.cat.codes[rows[i]];
      out.add_categorical(c.name, std::move(cc));
    }
  }
  out.rows_ = n;
  if (!lines_.empty()) {
    out.lines_.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.lines_[i] = lines_[rows[i]];
  }
  return out;
}

inline table table::take(const std::vector<std::size_t>& rows) const {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= rows_) {
      throw shape_error("table.take: row index " + std::to_string(rows[i]) + " at position " +
                        std::to_string(i) + " is out of range (table has " +
                        std::to_string(rows_) + " rows)");
    }
  }
  return take_unchecked(rows);
}

inline table table::filter(const std::vector<bool>& mask) const {
  if (mask.size() != rows_) {
    throw shape_error("table.filter: mask has " + std::to_string(mask.size()) +
                      " entries, expected one per row (" + std::to_string(rows_) + ")");
  }
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) rows.push_back(i);
  }
  return take_unchecked(rows);
}

inline bool table::cell_equal(const column& a, std::size_t i, const column& b, std::size_t j) {
  if (a.type == column_type::numeric) {
    const double x = a.num(i), y = b.num(j);
    return x == y || (std::isnan(x) && std::isnan(y));
  }
  const std::string* x = a.cat.value(i);
  const std::string* y = b.cat.value(j);
  return (x == nullptr || y == nullptr) ? x == y : *x == *y;
}

inline std::vector<std::size_t> table::unique_rows(const std::vector<std::string>& subset) const {
  std::vector<const column*> cols;
  if (subset.empty()) {
    for (const auto& c : columns_) cols.push_back(&c);
  } else {
    for (const auto& n : subset) cols.push_back(&at(n));
  }
  // Hash each row (NaN hashed as one value, -0.0 as 0.0), then confirm equality.
  std::vector<std::uint64_t> h(rows_, 0x9e3779b97f4a7c15ULL);
  for (const column* c : cols) {
    for (std::size_t i = 0; i < rows_; ++i) {
      std::uint64_t v;
      if (c->type == column_type::numeric) {
        double x = c->num(i);
        if (std::isnan(x)) x = std::numeric_limits<double>::quiet_NaN();
        if (x == 0.0) x = 0.0;
        std::memcpy(&v, &x, sizeof v);
      } else {
        v = static_cast<std::uint64_t>(static_cast<std::int64_t>(c->cat.codes[i]));
      }
      std::uint64_t z = h[i] ^ (v + 0x9e3779b97f4a7c15ULL + (h[i] << 6) + (h[i] >> 2));
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      h[i] = z ^ (z >> 27);
    }
  }
  std::unordered_multimap<std::uint64_t, std::size_t> seen;
  seen.reserve(rows_);
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < rows_; ++i) {
    bool dup = false;
    auto [lo, hi] = seen.equal_range(h[i]);
    for (auto it = lo; it != hi && !dup; ++it) {
      bool same = true;
      for (const column* c : cols) {
        // Within one column, equal codes mean equal values.
        if (!cell_equal(*c, i, *c, it->second)) {
          same = false;
          break;
        }
      }
      dup = same;
    }
    if (!dup) {
      seen.emplace(h[i], i);
      keep.push_back(i);
    }
  }
  return keep;
}

inline table table::drop_duplicates(const std::vector<std::string>& subset) const {
  return take_unchecked(unique_rows(subset));
}

inline matrix<double> table::to_matrix(const std::vector<std::string>& names) const {
  std::vector<const vector<double>*> cols;
  for (const auto& n : names) cols.push_back(&numeric(n));
  const std::size_t d = cols.size();
  matrix<double> X = matrix<double>::from_shape({rows_, d});
  double* x = X.data();
  for (std::size_t j = 0; j < d; ++j) {
    const double* c = cols[j]->data();
    for (std::size_t i = 0; i < rows_; ++i) x[i * d + j] = c[i];
  }
  return X;
}

inline bool operator==(const table& a, const table& b) {
  if (a.rows_ != b.rows_ || a.columns_.size() != b.columns_.size()) return false;
  for (std::size_t j = 0; j < a.columns_.size(); ++j) {
    const auto& x = a.columns_[j];
    const auto& y = b.columns_[j];
    if (x.name != y.name || x.type != y.type) return false;
    for (std::size_t i = 0; i < a.rows_; ++i) {
      if (!table::cell_equal(x, i, y, i)) return false;
    }
  }
  return true;
}

}  // namespace clm
