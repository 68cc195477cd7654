#pragma once
// What clm's database backends share (clm/io/sqlite.hpp, clm/io/postgres.hpp): bound
// parameter values, read and write options, identifier quoting, and the builder that turns
// column-wise values into a clm::table. No database dependency.
//
// Reading: a column's type comes from the database's own type (per backend; see its header):
// integers and reals are numeric, text is categorical, dates and timestamps are text in ISO
// form (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, what read_transactions parses), NULL is missing
// (NaN, code -1), and so are text values listed in sql_read_options::na_values.
// sql_read_options::types forces a column's type as csv_options::types does.
// Values are always bound as parameters, never pasted into the statement.
//
// Writing (write_sql): numeric columns become double precision (NaN: NULL), categorical
// columns text (missing: NULL). if_exists says what happens when the table exists: fail
// (database_error, the table untouched), replace (dropped and created anew), append (rows
// added; the table is created when missing), upsert (rows whose key columns match are
// updated, others inserted; the key needs a unique constraint, which a table write_sql
// creates has). The whole write is one transaction: a failure leaves the table as it was.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/data/csv.hpp"
#include "clm/data/table.hpp"

namespace clm {

/// A bound parameter: NULL, an integer, a real or text.
using sql_value = std::variant<std::monostate, std::int64_t, double, std::string>;

struct sql_read_options {
  std::map<std::string, column_type> types;  ///< forced column types, by name
  /// Text values read as missing besides NULL (read_csv's na_values; none by default: a
  /// database says missing with NULL).
  std::vector<std::string> na_values;
};

enum class if_exists : std::uint8_t { fail, replace, append, upsert };

struct sql_write_options {
  clm::if_exists if_exists = clm::if_exists::fail;
  std::vector<std::string> key;  ///< upsert: the columns that identify a row
};

/// An SQL identifier in double quotes, inner quotes doubled: a column named order or a"b
/// is safe to use. Throws invalid_argument on an empty name or a NUL character.
inline std::string quote_identifier(std::string_view name) {
  if (name.empty()) throw invalid_argument("quote_identifier: expected a non-empty name");
  std::string q = "\"";
  for (const char c : name) {
    if (c == '\0') throw invalid_argument("quote_identifier: a name must not contain a NUL character");
    q += c;
    if (c == '"') q += '"';
  }
  return q + '"';
}

namespace detail {

/// The statement's first characters, for error messages.
inline std::string sql_excerpt(std::string_view sql) {
  std::string s(sql.substr(0, 120));
  for (auto& c : s) c = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return sql.size() > 120 ? s + "..." : s;
}

/// Checks write options against a table: the key columns exist, upsert names a key.
inline void check_sql_write(const table& t, const std::string& table_name, const sql_write_options& o) {
  if (table_name.empty()) throw invalid_argument("write_sql: expected a table name");
  if (t.cols() == 0) throw invalid_argument("write_sql: the table has no columns");
  if (o.if_exists == if_exists::upsert && o.key.empty()) {
    throw invalid_argument("write_sql: if_exists = upsert needs the key columns (sql_write_options::key)");
  }
  for (const auto& k : o.key) (void)t.type(k);  // throws, naming the columns present
}

/// Quoted names, comma-separated.
inline std::string sql_column_list(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t k = 0; k < names.size(); ++k) s += (k ? ", " : "") + quote_identifier(names[k]);
  return s;
}

/// The column definitions of a table's columns: double precision or text.
inline std::string sql_column_definitions(const table& t) {
  const auto names = t.names();
  std::string s;
  for (std::size_t j = 0; j < names.size(); ++j) {
    s += (j ? ", " : "") + quote_identifier(names[j]) +
         (t.type(names[j]) == column_type::numeric ? " double precision" : " text");
  }
  return s;
}

/// CREATE TABLE for the table's columns, with the key as its primary key.
inline std::string sql_create_table(const std::string& quoted_name, const table& t, const std::vector<std::string>& key) {
  return "create table " + quoted_name + " (" + sql_column_definitions(t) +
         (key.empty() ? std::string() : ", primary key (" + sql_column_list(key) + ")") + ")";
}

/// The ON CONFLICT clause of an upsert on the key: the other columns take the new values.
inline std::string sql_upsert_clause(const std::vector<std::string>& names, const std::vector<std::string>& key) {
  std::string set;
  for (const auto& n : names) {
    if (std::find(key.begin(), key.end(), n) != key.end()) continue;
    set += (set.empty() ? "" : ", ") + quote_identifier(n) + " = excluded." + quote_identifier(n);
  }
  return " on conflict (" + sql_column_list(key) + ")" + (set.empty() ? std::string(" do nothing") : " do update set " + set);
}

/// The start of every write, in its transaction: fail refuses an existing table, replace
/// drops it, and a missing table is created (the key as its primary key).
template <class Connection>
void sql_prepare_target(Connection& db, const std::string& table_name, const table& t, const sql_write_options& o,
                        bool exists) {
  const std::string target = quote_identifier(table_name);
  if (exists && o.if_exists == if_exists::fail) {
    throw database_error("write_sql: table '" + table_name + "' exists (if_exists = fail); expected a new table");
  }
  if (exists && o.if_exists == if_exists::replace) {
    db.execute("drop table " + target);
    exists = false;
  }
  if (!exists) db.execute(sql_create_table(target, t, o.key));
}

/// A transaction rolled back unless committed (Connection: execute(sql), rollback()).
template <class Connection>
class sql_transaction {
 public:
  sql_transaction(Connection& c, const char* begin) : c_(c) { c_.execute(begin); }
  sql_transaction(const sql_transaction&) = delete;
  sql_transaction& operator=(const sql_transaction&) = delete;
  void commit() {
    c_.execute("commit");
    done_ = true;
  }
  ~sql_transaction() {
    if (!done_) c_.rollback();
  }

 private:
  Connection& c_;
  bool done_ = false;
};

/// A result's column names made distinct (a join's repeated name gets _<position>).
inline std::vector<std::string> sql_unique_names(std::vector<std::string> names) {
  for (std::size_t j = 0; j < names.size(); ++j) {
    for (std::size_t k = 0; k < j; ++k) {
      if (names[k] == names[j]) {
        names[j] += "_" + std::to_string(j);
        break;
      }
    }
  }
  return names;
}

/// Column-wise values into a table. A column starts numeric (or as forced) and turns
/// categorical at its first text value; its earlier numbers are then written as text, as
/// read_csv's inference does.
class sql_table_builder {
 public:
  sql_table_builder(std::vector<std::string> names, const sql_read_options& o)
      : names_(std::move(names)), na_(o.na_values) {
    cols_.resize(names_.size());
    for (const auto& [name, type] : o.types) {
      bool found = false;
      for (std::size_t j = 0; j < names_.size(); ++j) {
        if (names_[j] != name) continue;
        found = true;
        cols_[j].forced = true;
        cols_[j].text = type == column_type::categorical;
      }
      if (!found) {
        std::string list;
        for (const auto& n : names_) list += (list.empty() ? "" : ", ") + n;
        throw invalid_argument("sql_read_options.types: no column '" + name + "' in the result (columns: " + list + ")");
      }
    }
  }

  std::size_t cols() const noexcept { return names_.size(); }
  const std::string& name(std::size_t j) const { return names_[j]; }
  /// Column j is text from the start (a declared text or date type), unless forced.
  void declare_text(std::size_t j) {
    if (!cols_[j].forced) cols_[j].text = true;
  }
  /// Whether column j takes text (categorical), so a backend can fetch it as text.
  bool is_text(std::size_t j) const noexcept { return cols_[j].text; }

  void null(std::size_t j) {
    auto& c = cols_[j];
    if (c.text) c.codes.push_back(-1);
    else c.num.push_back(std::numeric_limits<double>::quiet_NaN());
  }
  void number(std::size_t j, double v) {
    auto& c = cols_[j];
    if (!c.text) {
      c.num.push_back(v);
      return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    c.codes.push_back(c.levels.code(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf))));
  }
  /// A text value; `row` names it in the error of a column forced numeric.
  void text(std::size_t j, std::string_view v, std::size_t row) {
    if (is_na(v)) {
      null(j);
      return;
    }
    auto& c = cols_[j];
    if (!c.text) {
      if (c.forced) {
        double d = 0.0;
        if (parse_double(v, d)) {
          c.num.push_back(d);
          return;
        }
        throw parse_error("<query>", row + 1, j + 1,
                          "expected a number in column '" + names_[j] + "' (forced numeric), got '" + std::string(v) + "'");
      }
      to_text(c);
    }
    c.codes.push_back(c.levels.code(v));
  }

  /// A value of a text column held back until flush(): the values of a batch of rows are
  /// coded together, their dictionary slots prefetched first (a column of a million
  /// distinct ids or timestamps otherwise waits on a cache miss per value). The text is
  /// copied, so the caller's buffer may change before flush().
  void defer(std::size_t j, std::string_view v) {
    if (is_na(v)) {
      defer_null(j);
      return;
    }
    auto& c = cols_[j];
    c.pending.push_back({c.arena.size(), v.size()});
    c.arena.append(v);
  }
  void defer_null(std::size_t j) { cols_[j].pending.push_back({0, npos}); }
  /// A text value by the column's path: deferred when the column is text, else text().
  void add_text(std::size_t j, std::string_view v, std::size_t row) {
    if (is_text(j)) defer(j, v);
    else text(j, v, row);
  }
  /// Codes the deferred values, column by column in row order.
  void flush() {
    for (auto& c : cols_) {
      if (c.pending.empty()) continue;
      const auto view = [&](const pending_value& p) { return std::string_view(c.arena).substr(p.offset, p.size); };
      hashes_.resize(c.pending.size());
      for (std::size_t k = 0; k < c.pending.size(); ++k) {
        if (c.pending[k].size == npos) continue;
        hashes_[k] = level_builder::hash(view(c.pending[k]));
        c.levels.prefetch_slot(hashes_[k]);
      }
      for (std::size_t k = 0; k < c.pending.size(); ++k) {
        if (c.pending[k].size != npos) c.levels.prefetch_offset(hashes_[k]);
      }
      for (std::size_t k = 0; k < c.pending.size(); ++k) {
        if (c.pending[k].size != npos) c.levels.prefetch_text(hashes_[k]);
      }
      for (std::size_t k = 0; k < c.pending.size(); ++k) {
        const auto& p = c.pending[k];
        c.codes.push_back(p.size == npos ? -1 : c.levels.code(view(p), hashes_[k]));
      }
      c.pending.clear();
      c.arena.clear();
    }
  }

  table finish() {
    flush();
    table t;
    t.reserve_columns(names_.size());
    for (std::size_t j = 0; j < names_.size(); ++j) {
      auto& c = cols_[j];
      if (c.text) {
        categorical_column cat;
        cat.codes = std::move(c.codes);
        cat.levels = c.levels.take_levels();
        t.add_categorical(names_[j], std::move(cat));
      } else {
        vector<double> v = vector<double>::from_shape({c.num.size()});
        std::copy(c.num.begin(), c.num.end(), v.begin());
        t.add_numeric(names_[j], std::move(v));
      }
    }
    return t;
  }

 private:
  bool is_na(std::string_view v) const noexcept {
    return !na_.empty() && std::find(na_.begin(), na_.end(), v) != na_.end();
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct pending_value {
    std::size_t offset, size;  ///< size npos: NULL
  };
  struct column {
    bool text = false, forced = false;
    std::vector<double> num;
    std::vector<std::int32_t> codes;
    level_builder levels;
    std::string arena;                  ///< deferred text
    std::vector<pending_value> pending;
  };

  static void to_text(column& c) {
    c.text = true;
    c.codes.reserve(c.num.size());
    for (const double v : c.num) {
      if (std::isnan(v)) {
        c.codes.push_back(-1);
        continue;
      }
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v);
      c.codes.push_back(c.levels.code(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf))));
    }
    c.num.clear();
    c.num.shrink_to_fit();
  }

  std::vector<std::string> names_;
  std::vector<std::string> na_;
  std::vector<column> cols_;
  std::vector<std::uint64_t> hashes_;  // flush's per-value hashes
};

}  // namespace detail
}  // namespace clm
