#pragma once
// SQLite: order logs and customer tables from queries, scores written back. Link clm::sqlite
// (find_package(clm COMPONENTS sqlite); Debian: libsqlite3-dev). Not included by clm.hpp.
//
//   sqlite_connection db("shop.db");                    // opened (created) read-write
//   table t = read_sql(db, "select * from orders where day >= ?", {"2024-01-01"});
//   transaction_log log = transactions_from_sql(db, "select customer_id, day, amount from orders",
//                                               {}, {.customer = "customer_id", .date = "day", .amount = "amount"});
//   write_sql(db, "scores", scores, {.if_exists = if_exists::upsert, .key = {"customer_id"}});
//
// Column types (SQLite's declared types, its affinity rules): a declared type with INT,
// REAL, FLOA, DOUB, NUM, DEC or BOOL is numeric; CHAR, CLOB or TEXT categorical; DATE or TIME
// a date: text as stored, integers read as seconds since 1970 and reals as Julian days,
// both written as YYYY-MM-DD HH:MM:SS. An expression without a declared type is numeric
// while its values are numbers and turns categorical at its first text. NULL is missing;
// a BLOB is refused (database_error naming the column). See clm/io/sql.hpp for the shared
// rules and write_sql's if_exists modes. Statements are prepared; parameters are bound,
// never pasted. write_sql runs in one transaction (BEGIN IMMEDIATE ... COMMIT; rolled back
// on any error, the target left as it was), one prepared INSERT stepped per row.
//
// A connection is used by one thread at a time (it is opened without SQLite's per-call
// mutex); threads each open their own.

#include <sqlite3.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/data/dates.hpp"
#include "clm/data/table.hpp"
#include "clm/data/transactions.hpp"
#include "clm/io/sql.hpp"

namespace clm {

class sqlite_connection {
 public:
  /// Opens (and creates, unless read_only) the database file; ":memory:" for one in memory.
  explicit sqlite_connection(const std::filesystem::path& path, bool read_only = false) {
    // NOMUTEX: no lock per call; a connection is used by one thread at a time (see the top).
    const int flags = (read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.string().c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      const std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close(db);
      throw database_error("sqlite: cannot open '" + path.string() + "': " + why);
    }
    db_ = db;
    sqlite3_busy_timeout(db_, 5000);
    sqlite3_extended_result_codes(db_, 1);
  }
  sqlite_connection(const sqlite_connection&) = delete;
  sqlite_connection& operator=(const sqlite_connection&) = delete;
  sqlite_connection(sqlite_connection&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  sqlite_connection& operator=(sqlite_connection&& o) noexcept {
    if (this != &o) {
      sqlite3_close(db_);
      db_ = std::exchange(o.db_, nullptr);
    }
    return *this;
  }
  ~sqlite_connection() { sqlite3_close(db_); }

  sqlite3* handle() const noexcept { return db_; }

  /// Rolls back the open transaction, if any (errors ignored).
  void rollback() noexcept { sqlite3_exec(db_, "rollback", nullptr, nullptr, nullptr); }

  /// Runs statements that return no rows (no parameters), e.g. DDL.
  void execute(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      const std::string why = msg ? msg : sqlite3_errmsg(db_);
      sqlite3_free(msg);
      throw database_error("sqlite: " + why + " (in: " + detail::sql_excerpt(sql) + ")");
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

namespace detail {

/// A prepared statement, finalized on scope exit.
class sqlite_statement {
 public:
  sqlite_statement(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, &tail) != SQLITE_OK) fail();
    if (st_ == nullptr) throw invalid_argument("read_sql: expected a statement, got '" + sql_excerpt(sql) + "'");
    for (const char* p = tail; p && p < sql.data() + sql.size(); ++p) {
      if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';') {
        sqlite3_finalize(std::exchange(st_, nullptr));  // no destructor runs for a throwing constructor
        throw invalid_argument("sqlite: expected one statement, got more: '" + sql_excerpt(sql) + "'");
      }
    }
  }
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;
  ~sqlite_statement() { sqlite3_finalize(st_); }

  sqlite3_stmt* get() const noexcept { return st_; }

  void bind(const std::vector<sql_value>& params) {
    const int n = sqlite3_bind_parameter_count(st_);
    if (static_cast<std::size_t>(n) != params.size()) {
      throw invalid_argument("sqlite: the statement takes " + std::to_string(n) + " parameters, got " +
                             std::to_string(params.size()) + " (in: " + sql_excerpt(sql_) + ")");
    }
    for (int i = 0; i < n; ++i) bind(i + 1, params[static_cast<std::size_t>(i)]);
  }
  void bind(int i, const sql_value& v) {
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(v)) rc = sqlite3_bind_null(st_, i);
    else if (const auto* k = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(st_, i, *k);
    else if (const auto* d = std::get_if<double>(&v)) rc = sqlite3_bind_double(st_, i, *d);
    else {
      const auto& s = std::get<std::string>(v);
      rc = sqlite3_bind_text64(st_, i, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) fail();
  }
  /// One step: true while a row is ready.
  bool step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail();
  }
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  [[noreturn]] void fail() const {
    throw database_error(std::string("sqlite: ") + sqlite3_errmsg(db_) + " (in: " + sql_excerpt(sql_) + ")");
  }

 private:
  sqlite3* db_;
  std::string_view sql_;
  sqlite3_stmt* st_ = nullptr;
};

enum class sqlite_declared : std::uint8_t { none, numeric, text, date };

inline sqlite_declared sqlite_declared_type(const char* decl) {
  if (decl == nullptr) return sqlite_declared::none;
  std::string d(decl);
  for (auto& c : d) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto has = [&](const char* w) { return d.find(w) != std::string::npos; };
  if (has("DATE") || has("TIME")) return sqlite_declared::date;
  if (has("INT") || has("REAL") || has("FLOA") || has("DOUB") || has("NUM") || has("DEC") || has("BOOL")) {
    return sqlite_declared::numeric;
  }
  if (has("CHAR") || has("CLOB") || has("TEXT")) return sqlite_declared::text;
  return sqlite_declared::none;
}

/// A timestamp as YYYY-MM-DD HH:MM:SS (the date alone at midnight).
inline std::string sqlite_time_text(double seconds) {
  const timestamp t{static_cast<std::int64_t>(std::floor(seconds))};
  return format_timestamp(t);
}

/// Whether the table exists (main schema).
inline bool sqlite_table_exists(sqlite3* db, const std::string& name) {
  sqlite_statement st(db, "select 1 from sqlite_master where type = 'table' and name = ?");
  st.bind({name});
  return st.step();
}

}  // namespace detail

/// The rows of a query as a table (types: see the top of this header). Throws
/// database_error (the statement failed), invalid_argument (wrong parameter count, more
/// than one statement, a forced type naming no column).
inline table read_sql(sqlite_connection& db, std::string_view query, const std::vector<sql_value>& params = {},
                      const sql_read_options& o = {}) {
  detail::sqlite_statement st(db.handle(), query);
  st.bind(params);
  sqlite3_stmt* s = st.get();
  const int d = sqlite3_column_count(s);
  if (d == 0) throw invalid_argument("read_sql: the statement returns no columns: '" + detail::sql_excerpt(query) + "'");
  std::vector<std::string> names;
  std::vector<detail::sqlite_declared> declared;
  for (int j = 0; j < d; ++j) {
    const char* n = sqlite3_column_name(s, j);
    names.emplace_back(n ? n : "c" + std::to_string(j));
    declared.push_back(detail::sqlite_declared_type(sqlite3_column_decltype(s, j)));
  }
  const std::vector<std::string> unique = detail::sql_unique_names(std::move(names));
  detail::sql_table_builder b(unique, o);
  for (std::size_t j = 0; j < static_cast<std::size_t>(d); ++j) {
    const bool forced = o.types.count(unique[j]) > 0;
    if (!forced && (declared[j] == detail::sqlite_declared::text || declared[j] == detail::sqlite_declared::date)) {
      b.declare_text(j);
    }
  }
  std::size_t row = 0;
  // Text of text columns is coded a batch of rows at a time (sql_table_builder::defer).
  constexpr std::size_t batch = 64;
  while (st.step()) {
    for (int j = 0; j < d; ++j) {
      const auto jj = static_cast<std::size_t>(j);
      const int type = sqlite3_column_type(s, j);
      if (b.is_text(jj) && (type == SQLITE_TEXT || type == SQLITE_NULL)) {
        if (type == SQLITE_NULL) {
          b.defer_null(jj);
        } else {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, j));
          b.defer(jj, std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, j))));
        }
        continue;
      }
      b.flush();  // a value coded directly comes after the deferred ones
      switch (type) {
        case SQLITE_NULL: b.null(jj); break;
        case SQLITE_INTEGER:
          if (declared[jj] == detail::sqlite_declared::date && b.is_text(jj)) {
            b.text(jj, detail::sqlite_time_text(static_cast<double>(sqlite3_column_int64(s, j))), row);
          } else {
            b.number(jj, static_cast<double>(sqlite3_column_int64(s, j)));
          }
          break;
        case SQLITE_FLOAT:
          if (declared[jj] == detail::sqlite_declared::date && b.is_text(jj)) {
            b.text(jj, detail::sqlite_time_text((sqlite3_column_double(s, j) - 2440587.5) * 86400.0), row);
          } else {
            b.number(jj, sqlite3_column_double(s, j));
          }
          break;
        case SQLITE_TEXT: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, j));
          b.text(jj, std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, j))), row);
          break;
        }
        default:
          throw database_error("read_sql: column '" + unique[jj] + "' holds a BLOB in row " + std::to_string(row + 1) +
                               ": expected numbers, text or dates");
      }
    }
    if (++row % batch == 0) b.flush();
  }
  return b.finish();
}

/// An order log from a query (see transactions_from_table for the columns and rules).
inline transaction_log transactions_from_sql(sqlite_connection& db, std::string_view query,
                                             const std::vector<sql_value>& params, const transaction_columns& cols,
                                             const transaction_options& opts = {}) {
  return transactions_from_table(read_sql(db, query, params), cols, opts, "sqlite query");
}

/// Writes the table's rows into table_name (see clm/io/sql.hpp for if_exists). Throws
/// database_error (the database refused; nothing was changed), invalid_argument (bad
/// options).
inline void write_sql(sqlite_connection& db, const std::string& table_name, const table& t,
                      const sql_write_options& o = {}) {
  detail::check_sql_write(t, table_name, o);
  const auto names = t.names();
  const std::string target = quote_identifier(table_name);
  detail::sql_transaction tx(db, "begin immediate");
  detail::sql_prepare_target(db, table_name, t, o, detail::sqlite_table_exists(db.handle(), table_name));
  std::string values;
  for (std::size_t j = 0; j < names.size(); ++j) values += j ? ", ?" : "?";
  std::string insert = "insert into " + target + " (" + detail::sql_column_list(names) + ") values (" + values + ")";
  if (o.if_exists == if_exists::upsert) insert += detail::sql_upsert_clause(names, o.key);
  detail::sqlite_statement st(db.handle(), insert);
  sqlite3_stmt* s = st.get();
  std::vector<const vector<double>*> num(names.size(), nullptr);
  std::vector<const categorical_column*> cat(names.size(), nullptr);
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (t.type(names[j]) == column_type::numeric) num[j] = &t.numeric(names[j]);
    else cat[j] = &t.categorical(names[j]);
  }
  for (std::size_t i = 0; i < t.rows(); ++i) {
    for (std::size_t j = 0; j < names.size(); ++j) {
      const int p = static_cast<int>(j) + 1;
      int rc = SQLITE_OK;
      if (num[j] != nullptr) {
        const double v = (*num[j])(i);
        rc = std::isnan(v) ? sqlite3_bind_null(s, p) : sqlite3_bind_double(s, p, v);
      } else {
        const std::int32_t c = cat[j]->codes[i];
        if (c < 0) {
          rc = sqlite3_bind_null(s, p);
        } else {
          const std::string& v = cat[j]->levels[static_cast<std::size_t>(c)];
          rc = sqlite3_bind_text64(s, p, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
        }
      }
      if (rc != SQLITE_OK) st.fail();
    }
    st.step();
    sqlite3_reset(s);
  }
  tx.commit();
}

}  // namespace clm
