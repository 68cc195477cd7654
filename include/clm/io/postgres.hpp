#pragma once
// PostgreSQL: order logs and customer tables from queries, scores written back. Link
// clm::postgres (find_package(clm COMPONENTS postgres); Debian: libpq-dev). Not included by
// clm.hpp.
//
//   postgres_connection db("host=127.0.0.1 dbname=shop user=analyst");
//   table t = read_sql(db, "select * from orders where day >= $1", {std::string("2024-01-01")});
//   write_sql(db, "scores", scores, {.if_exists = if_exists::upsert, .key = {"customer_id"}});
//
// Reading: the statement is prepared and described first (column names and types, the
// number of parameters). Without parameters the rows stream through
// COPY (query) TO STDOUT (FORMAT binary), decoded as they arrive, so a large result is never
// held whole as text; with parameters (bound as text, typed by the server, never pasted)
// the prepared statement runs with binary results. Column types: boolean, smallint,
// integer, bigint, real, double precision and numeric are numeric; text, varchar, char,
// name and uuid categorical; date as YYYY-MM-DD and timestamp / timestamptz (in UTC) as
// YYYY-MM-DD HH:MM:SS, text that read_transactions' rules parse; NULL missing. Other types
// are refused with a database_error naming the column and its type OID: cast them in the
// query (x::text). Shared rules: clm/io/sql.hpp.
//
// Writing: one transaction; the rows go through COPY ... FROM STDIN (FORMAT binary) in 1 MB
// messages; upsert copies into a temporary table and merges with INSERT ... ON CONFLICT.
// A failure rolls the transaction back: the target is as it was.
//
// Errors carry the server's message and the statement's first characters, never the
// connection string: its password does not appear in any message. A connection is used by
// one thread at a time.

#include <libpq-fe.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
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

class postgres_connection {
 public:
  /// Connects (a libpq connection string or URI). Throws database_error with the server's
  /// reason and the host, port and database, never the password.
  explicit postgres_connection(const std::string& conninfo) {
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), nullptr);
    if (opts == nullptr) throw invalid_argument("postgres_connection: the connection string does not parse");
    std::string host, port, db;
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;
      const std::string_view k = o->keyword;
      if (k == "password") secret_ = o->val;
      else if (k == "host" || k == "hostaddr") host = o->val;
      else if (k == "port") port = o->val;
      else if (k == "dbname") db = o->val;
    }
    PQconninfoFree(opts);
    where_ = (host.empty() ? std::string("the default host") : host) + (port.empty() ? "" : ":" + port) +
             (db.empty() ? "" : "/" + db);
    conn_ = PQconnectdb(conninfo.c_str());
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      throw database_error(scrub("postgres: cannot connect to " + where_ + ": " + why));
    }
    // Server notices (e.g. "table ... does not exist, skipping") are not printed.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  }
  postgres_connection(const postgres_connection&) = delete;
  postgres_connection& operator=(const postgres_connection&) = delete;
  postgres_connection(postgres_connection&& o) noexcept
      : conn_(std::exchange(o.conn_, nullptr)), secret_(std::move(o.secret_)), where_(std::move(o.where_)) {}
  postgres_connection& operator=(postgres_connection&& o) noexcept {
    if (this != &o) {
      PQfinish(conn_);
      conn_ = std::exchange(o.conn_, nullptr);
      secret_ = std::move(o.secret_);
      where_ = std::move(o.where_);
    }
    return *this;
  }
  ~postgres_connection() { PQfinish(conn_); }

  PGconn* handle() const noexcept { return conn_; }

  /// Rolls back the open transaction, if any, on a live connection (errors ignored).
  void rollback() noexcept {
    if (PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "rollback"));
  }

  /// Runs statements that return no rows (no parameters).
  void execute(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const std::string why = message(r);
      PQclear(r);
      throw database_error("postgres: " + why + " (in: " + detail::sql_excerpt(sql) + ")");
    }
    PQclear(r);
  }

  /// The error of a result (or the connection's), trimmed, the password removed.
  std::string message(const PGresult* r) const {
    std::string m = r != nullptr && PQresultErrorMessage(r)[0] != '\0' ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    const char* severity = r != nullptr ? PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED) : nullptr;
    const bool fatal = severity != nullptr && (std::string_view(severity) == "FATAL" || std::string_view(severity) == "PANIC");
    if (PQstatus(conn_) != CONNECTION_OK || fatal) m = "the connection to " + where_ + " was lost: " + m;
    return scrub(m);
  }

 private:
  std::string scrub(std::string m) const {
    if (!secret_.empty()) {
      for (std::size_t p = m.find(secret_); p != std::string::npos; p = m.find(secret_, p)) m.replace(p, secret_.size(), "***");
    }
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
  }

  PGconn* conn_ = nullptr;
  std::string secret_;  // only to remove it from messages
  std::string where_;
};

namespace detail {

/// A PGresult cleared on scope exit.
struct pg_result {
  PGresult* r = nullptr;
  explicit pg_result(PGresult* p) : r(p) {}
  pg_result(const pg_result&) = delete;
  pg_result& operator=(const pg_result&) = delete;
  ~pg_result() { PQclear(r); }
};

[[noreturn]] inline void pg_fail(const postgres_connection& db, const PGresult* r, std::string_view sql) {
  throw database_error("postgres: " + db.message(r) + " (in: " + sql_excerpt(sql) + ")");
}

inline std::uint16_t pg_u16(const char* p) noexcept {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]));
}
inline std::uint32_t pg_u32(const char* p) noexcept {
  return (std::uint32_t{static_cast<unsigned char>(p[0])} << 24) | (std::uint32_t{static_cast<unsigned char>(p[1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(p[2])} << 8) | std::uint32_t{static_cast<unsigned char>(p[3])};
}
inline std::uint64_t pg_u64(const char* p) noexcept {
  return (std::uint64_t{pg_u32(p)} << 32) | pg_u32(p + 4);
}

/// PostgreSQL type OIDs clm reads.
enum pg_oid : Oid {
  pg_bool = 16, pg_name = 19, pg_int8 = 20, pg_int2 = 21, pg_int4 = 23, pg_text = 25, pg_float4 = 700,
  pg_float8 = 701, pg_unknown = 705, pg_bpchar = 1042, pg_varchar = 1043, pg_date = 1082, pg_timestamp = 1114,
  pg_timestamptz = 1184, pg_numeric = 1700, pg_uuid = 2950
};

inline bool pg_is_text(Oid t) noexcept {
  return t == pg_text || t == pg_varchar || t == pg_bpchar || t == pg_name || t == pg_unknown || t == pg_uuid ||
         t == pg_date || t == pg_timestamp || t == pg_timestamptz;
}
inline bool pg_is_number(Oid t) noexcept {
  return t == pg_bool || t == pg_int2 || t == pg_int4 || t == pg_int8 || t == pg_float4 || t == pg_float8 ||
         t == pg_numeric;
}

/// The binary numeric format as a double, exactly rounded (through its decimal text).
inline double pg_numeric_value(const char* p, std::size_t n) {
  if (n < 8) throw database_error("postgres: a numeric value of " + std::to_string(n) + " bytes: expected at least 8");
  const std::uint16_t ndigits = pg_u16(p), sign = pg_u16(p + 4);
  const auto weight = static_cast<std::int16_t>(pg_u16(p + 2));
  if (sign == 0xC000) return std::numeric_limits<double>::quiet_NaN();
  if (sign == 0xD000) return std::numeric_limits<double>::infinity();
  if (sign == 0xF000) return -std::numeric_limits<double>::infinity();
  if (n < 8 + 2 * std::size_t{ndigits}) throw database_error("postgres: a truncated numeric value");
  if (ndigits == 0) return 0.0;
  std::string text = "0.";
  for (std::size_t i = 0; i < ndigits; ++i) {
    char group[8];
    std::snprintf(group, sizeof group, "%04u", static_cast<unsigned>(pg_u16(p + 8 + 2 * i)));
    text += group;
  }
  text += "e" + std::to_string(4 * (static_cast<int>(weight) + 1));
  double v = 0.0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return sign == 0x4000 ? -v : v;
}

/// One binary field into the builder (type t, n bytes at p).
inline void pg_field(sql_table_builder& b, std::size_t j, Oid t, const char* p, std::size_t n, std::size_t row) {
  const auto need = [&](std::size_t k) {
    if (n != k) {
      throw database_error("postgres: column '" + b.name(j) + "' holds a value of " + std::to_string(n) +
                           " bytes, expected " + std::to_string(k));
    }
  };
  switch (t) {
    case pg_bool: need(1); b.number(j, p[0] != 0 ? 1.0 : 0.0); return;
    case pg_int2: need(2); b.number(j, static_cast<double>(static_cast<std::int16_t>(pg_u16(p)))); return;
    case pg_int4: need(4); b.number(j, static_cast<double>(static_cast<std::int32_t>(pg_u32(p)))); return;
    case pg_int8: need(8); b.number(j, static_cast<double>(static_cast<std::int64_t>(pg_u64(p)))); return;
    case pg_float4: need(4); b.number(j, static_cast<double>(std::bit_cast<float>(pg_u32(p)))); return;
    case pg_float8: need(8); b.number(j, std::bit_cast<double>(pg_u64(p))); return;
    case pg_numeric: b.number(j, pg_numeric_value(p, n)); return;
    case pg_date: {
      need(4);
      const auto days = static_cast<std::int32_t>(pg_u32(p));  // since 2000-01-01
      const std::string s = format_date(timestamp{(static_cast<std::int64_t>(days) + 10957) * 86400});
      b.add_text(j, s, row);
      return;
    }
    case pg_timestamp:
    case pg_timestamptz: {
      need(8);
      const auto us = static_cast<std::int64_t>(pg_u64(p));  // since 2000-01-01 00:00:00 (UTC)
      const std::int64_t s = (us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000)) + 946684800;
      const std::string text = format_timestamp(timestamp{s});
      b.add_text(j, text, row);
      return;
    }
    case pg_uuid: {
      need(16);
      static constexpr char hex[] = "0123456789abcdef";
      char s[36];
      std::size_t k = 0;
      for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s[k++] = '-';
        s[k++] = hex[static_cast<unsigned char>(p[i]) >> 4];
        s[k++] = hex[static_cast<unsigned char>(p[i]) & 15];
      }
      b.add_text(j, std::string_view(s, 36), row);
      return;
    }
    default:
      b.add_text(j, std::string_view(p, n), row);
  }
}

/// The statement with trailing blanks and semicolons removed (for COPY (...)).
inline std::string_view pg_trimmed(std::string_view q) {
  while (!q.empty() && (q.back() == ';' || std::isspace(static_cast<unsigned char>(q.back())))) q.remove_suffix(1);
  return q;
}

}  // namespace detail

/// The rows of a query as a table (types: see the top of this header). Parameters are $1,
/// $2, ... Throws database_error (the server's message), invalid_argument (wrong parameter
/// count, a forced type naming no column).
inline table read_sql(postgres_connection& db, std::string_view query, const std::vector<sql_value>& params = {},
                      const sql_read_options& o = {}) {
  PGconn* c = db.handle();
  const std::string q(query);
  {
    detail::pg_result prep(PQprepare(c, "", q.c_str(), 0, nullptr));
    if (PQresultStatus(prep.r) != PGRES_COMMAND_OK) detail::pg_fail(db, prep.r, query);
  }
  detail::pg_result desc(PQdescribePrepared(c, ""));
  if (PQresultStatus(desc.r) != PGRES_COMMAND_OK) detail::pg_fail(db, desc.r, query);
  const int nparams = PQnparams(desc.r), d = PQnfields(desc.r);
  if (static_cast<std::size_t>(nparams) != params.size()) {
    throw invalid_argument("postgres: the statement takes " + std::to_string(nparams) + " parameters, got " +
                           std::to_string(params.size()) + " (in: " + detail::sql_excerpt(query) + ")");
  }
  if (d == 0) throw invalid_argument("read_sql: the statement returns no columns: '" + detail::sql_excerpt(query) + "'");
  std::vector<std::string> names;
  std::vector<Oid> types;
  for (int j = 0; j < d; ++j) {
    names.emplace_back(PQfname(desc.r, j));
    types.push_back(PQftype(desc.r, j));
  }
  names = detail::sql_unique_names(std::move(names));
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (!detail::pg_is_text(types[j]) && !detail::pg_is_number(types[j])) {
      throw database_error("read_sql: column '" + names[j] + "' has PostgreSQL type OID " + std::to_string(types[j]) +
                           ": expected numbers, text, dates or timestamps; cast it in the query (e.g. " +
                           quote_identifier(names[j]) + "::text)");
    }
  }
  detail::sql_table_builder b(names, o);
  // A column of a text type read as text takes the deferred path (sql_table_builder::defer),
  // every other column the direct one; each column keeps to one, so its rows stay in order.
  std::vector<char> deferred(names.size(), 0);
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (detail::pg_is_text(types[j]) && o.types.count(names[j]) == 0) b.declare_text(j);
    deferred[j] = detail::pg_is_text(types[j]) && b.is_text(j);
  }
  constexpr std::size_t batch = 64;
  std::size_t row = 0;
  if (params.empty()) {
    // COPY streams the rows as binary tuples: int16 field count, then per field an int32
    // length (-1: NULL) and its bytes; after a 19-byte header, until a count of -1.
    const std::string copy = "copy (" + std::string(detail::pg_trimmed(query)) + ") to stdout (format binary)";
    detail::pg_result start(PQexec(c, copy.c_str()));
    if (PQresultStatus(start.r) != PGRES_COPY_OUT) detail::pg_fail(db, start.r, query);
    std::string buf;
    std::size_t pos = 0;
    bool header = false, done = false;
    for (;;) {
      char* chunk = nullptr;
      const int got = PQgetCopyData(c, &chunk, 0);
      if (got == -1) break;
      if (got == -2) detail::pg_fail(db, nullptr, query);
      buf.erase(0, pos);
      pos = 0;
      buf.append(chunk, static_cast<std::size_t>(got));
      PQfreemem(chunk);
      if (!header) {
        if (buf.size() < 19) continue;
        if (buf.compare(0, 11, "PGCOPY\n\xff\r\n\0", 11) != 0) throw database_error("postgres: COPY sent no binary header");
        pos = 19 + detail::pg_u32(buf.data() + 15);  // header extension length
        header = true;
      }
      // Complete tuples in buf[pos..].
      for (;;) {
        if (buf.size() - pos < 2) break;
        const auto fields = static_cast<std::int16_t>(detail::pg_u16(buf.data() + pos));
        if (fields == -1) {
          done = true;
          pos += 2;
          break;
        }
        if (fields != d) throw database_error("postgres: COPY sent a row of " + std::to_string(fields) + " fields, expected " + std::to_string(d));
        std::size_t p = pos + 2;
        bool complete = true;
        for (int j = 0; j < d && complete; ++j) {
          if (buf.size() - p < 4) complete = false;
          else {
            const auto len = static_cast<std::int32_t>(detail::pg_u32(buf.data() + p));
            p += 4 + (len > 0 ? static_cast<std::size_t>(len) : 0);
            if (p > buf.size()) complete = false;
          }
        }
        if (!complete) break;
        p = pos + 2;
        for (int j = 0; j < d; ++j) {
          const auto len = static_cast<std::int32_t>(detail::pg_u32(buf.data() + p));
          p += 4;
          const auto jj = static_cast<std::size_t>(j);
          if (len < 0) {
            if (deferred[jj]) b.defer_null(jj);
            else b.null(jj);
          } else {
            detail::pg_field(b, jj, types[jj], buf.data() + p, static_cast<std::size_t>(len), row);
            p += static_cast<std::size_t>(len);
          }
        }
        pos = p;
        if (++row % batch == 0) b.flush();
      }
    }
    detail::pg_result end(PQgetResult(c));
    if (PQresultStatus(end.r) != PGRES_COMMAND_OK) detail::pg_fail(db, end.r, query);
    while (PGresult* extra = PQgetResult(c)) PQclear(extra);
    if (!done) throw database_error("postgres: COPY ended without its trailer (in: " + detail::sql_excerpt(query) + ")");
  } else {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (const auto* k = std::get_if<std::int64_t>(&v)) text[i] = std::to_string(*k);
      else if (const auto* x = std::get_if<double>(&v)) {
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, *x);
        text[i].assign(buf, r.ptr);
      } else {
        text[i] = std::get<std::string>(v);
      }
      values[i] = text[i].c_str();
    }
    detail::pg_result r(PQexecPrepared(c, "", nparams, values.data(), nullptr, nullptr, 1));
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) detail::pg_fail(db, r.r, query);
    const int n = PQntuples(r.r);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < d; ++j) {
        const auto jj = static_cast<std::size_t>(j);
        if (PQgetisnull(r.r, i, j)) {
          if (deferred[jj]) b.defer_null(jj);
          else b.null(jj);
          continue;
        }
        detail::pg_field(b, jj, types[jj], PQgetvalue(r.r, i, j), static_cast<std::size_t>(PQgetlength(r.r, i, j)), row);
      }
      if (++row % batch == 0) b.flush();
    }
  }
  return b.finish();
}

/// An order log from a query (see transactions_from_table for the columns and rules).
inline transaction_log transactions_from_sql(postgres_connection& db, std::string_view query,
                                             const std::vector<sql_value>& params, const transaction_columns& cols,
                                             const transaction_options& opts = {}) {
  return transactions_from_table(read_sql(db, query, params), cols, opts, "postgres query");
}

namespace detail {

/// The table's rows in COPY's binary format, sent in messages of about 1 MB.
inline void pg_copy_rows(postgres_connection& db, const std::string& target, const table& t) {
  PGconn* c = db.handle();
  const auto names = t.names();
  std::string copy = "copy " + target + " (";
  for (std::size_t j = 0; j < names.size(); ++j) copy += (j ? ", " : "") + quote_identifier(names[j]);
  copy += ") from stdin (format binary)";
  {
    pg_result start(PQexec(c, copy.c_str()));
    if (PQresultStatus(start.r) != PGRES_COPY_IN) pg_fail(db, start.r, copy);
  }
  std::vector<const vector<double>*> num(names.size(), nullptr);
  std::vector<const categorical_column*> cat(names.size(), nullptr);
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (t.type(names[j]) == column_type::numeric) num[j] = &t.numeric(names[j]);
    else cat[j] = &t.categorical(names[j]);
  }
  std::string buf("PGCOPY\n\xff\r\n\0", 11);
  const auto put16 = [&](std::uint16_t v) {
    buf.push_back(static_cast<char>(v >> 8));
    buf.push_back(static_cast<char>(v));
  };
  const auto put32 = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) buf.push_back(static_cast<char>(v >> s));
  };
  const auto send = [&] {
    if (PQputCopyData(c, buf.data(), static_cast<int>(buf.size())) != 1) pg_fail(db, nullptr, copy);
    buf.clear();
  };
  put32(0), put32(0);  // flags, header extension
  for (std::size_t i = 0; i < t.rows(); ++i) {
    put16(static_cast<std::uint16_t>(names.size()));
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (num[j] != nullptr) {
        const double v = (*num[j])(i);
        if (std::isnan(v)) {
          put32(0xFFFFFFFFu);
        } else {
          put32(8);
          const auto bits = std::bit_cast<std::uint64_t>(v);
          put32(static_cast<std::uint32_t>(bits >> 32)), put32(static_cast<std::uint32_t>(bits));
        }
      } else {
        const std::int32_t code = cat[j]->codes[i];
        if (code < 0) {
          put32(0xFFFFFFFFu);
        } else {
          const std::string& v = cat[j]->levels[static_cast<std::size_t>(code)];
          put32(static_cast<std::uint32_t>(v.size()));
          buf += v;
        }
      }
    }
    if (buf.size() >= (std::size_t{1} << 20)) send();
  }
  put16(0xFFFF);
  send();
  if (PQputCopyEnd(c, nullptr) != 1) pg_fail(db, nullptr, copy);
  pg_result end(PQgetResult(c));
  if (PQresultStatus(end.r) != PGRES_COMMAND_OK) pg_fail(db, end.r, copy);
  while (PGresult* extra = PQgetResult(c)) PQclear(extra);
}

}  // namespace detail

/// Writes the table's rows into table_name (see clm/io/sql.hpp for if_exists). Throws
/// database_error (the server refused; nothing was changed), invalid_argument (bad options).
inline void write_sql(postgres_connection& db, const std::string& table_name, const table& t,
                      const sql_write_options& o = {}) {
  detail::check_sql_write(t, table_name, o);
  const auto names = t.names();
  const std::string target = quote_identifier(table_name);
  detail::sql_transaction tx(db, "begin");
  bool exists = false;
  {
    const std::string q = "select to_regclass($1) is not null";
    const std::string name = target;
    const char* v[] = {name.c_str()};
    detail::pg_result r(PQexecParams(db.handle(), q.c_str(), 1, nullptr, v, nullptr, nullptr, 0));
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) detail::pg_fail(db, r.r, q);
    exists = PQgetvalue(r.r, 0, 0)[0] == 't';
  }
  detail::sql_prepare_target(db, table_name, t, o, exists);
  if (o.if_exists != if_exists::upsert) {
    detail::pg_copy_rows(db, target, t);
  } else {
    const std::string staging = quote_identifier("clm_upsert_" + table_name);
    db.execute("create temporary table " + staging + " (" + detail::sql_column_definitions(t) + ") on commit drop");
    detail::pg_copy_rows(db, staging, t);
    const std::string columns = detail::sql_column_list(names);
    db.execute("insert into " + target + " (" + columns + ") select " + columns + " from " + staging +
               detail::sql_upsert_clause(names, o.key));
  }
  tx.commit();
}

}  // namespace clm
