// io/sqlite: tables from queries and back, on temporary database files.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "clm/data/csv.hpp"
#include "clm/data/transactions.hpp"
#include "clm/io/sqlite.hpp"
#include "sql/common.hpp"
#include "support/fixtures.hpp"

namespace {

/// A fresh database file, removed afterwards.
struct temp_db {
  std::filesystem::path path;
  explicit temp_db(const char* name) : path(std::filesystem::temp_directory_path() / name) {
    std::filesystem::remove(path);
  }
  ~temp_db() { std::filesystem::remove(path); }
};

double count_rows(clm::sqlite_connection& db, const std::string& table) {
  return clm::read_sql(db, "select count(*) as n from " + clm::quote_identifier(table)).numeric("n")(0);
}


}  // namespace

TEST_CASE("sqlite round trip: numbers, NULLs, unicode, quotes and newlines, awkward column names") {
  temp_db f("clm_sqlite_roundtrip.db");
  clm::sqlite_connection db(f.path);
  const auto t = clm::testing::awkward_table();
  clm::write_sql(db, "scores table", t);
  const auto back = clm::read_sql(db, "select * from \"scores table\"");
  CHECK(back == t);
  CHECK(back.categorical("order").codes[2] == -1);  // NULL, not the empty string
  CHECK(back.categorical("order").levels[3].empty());
  // 0 rows: the columns, no rows.
  const auto none = clm::read_sql(db, "select * from \"scores table\" where count < 0");
  CHECK(none.rows() == 0);
  CHECK(none.names() == t.names());
  // An empty table writes and reads back empty.
  clm::write_sql(db, "empty", t.take({}));
  CHECK(clm::read_sql(db, "select * from empty").rows() == 0);
}

TEST_CASE("sqlite column types: declared types, expressions, dates, forced types") {
  temp_db f("clm_sqlite_types.db");
  clm::sqlite_connection db(f.path);
  db.execute(
      "create table orders (id integer, code text, amount real, day date, at timestamp, jd datetime, flag boolean);"
      "insert into orders values (1, '0042', 12.5, '2024-01-02', 1704205800, 2460311.5, 1);"
      "insert into orders values (2, 'x', null, '2024-02-03 10:15:00', null, null, 0);");
  const auto t = clm::read_sql(db, "select id, code, amount, day, at, jd, flag, id * 2 as twice, code || '!' as shout from orders");
  CHECK(t.type("id") == clm::column_type::numeric);
  CHECK(t.type("code") == clm::column_type::categorical);
  CHECK(t.categorical("code").levels[0] == "0042");  // text stays text
  CHECK(t.type("amount") == clm::column_type::numeric);
  CHECK(std::isnan(t.numeric("amount")(1)));
  // Dates as text read_transactions parses: as stored, or from seconds / Julian days.
  CHECK(t.categorical("day").levels == std::vector<std::string>{"2024-01-02", "2024-02-03 10:15:00"});
  CHECK(t.categorical("at").levels == std::vector<std::string>{"2024-01-02 14:30:00"});
  CHECK(t.categorical("at").codes[1] == -1);
  CHECK(t.categorical("jd").levels == std::vector<std::string>{"2024-01-02 00:00:00"});
  CHECK(t.numeric("flag")(0) == 1.0);
  CHECK(t.numeric("twice")(1) == 4.0);
  CHECK(t.type("shout") == clm::column_type::categorical);
  // Forced types: an integer id as text, a text column as numbers.
  const auto forced = clm::read_sql(db, "select id, amount from orders", {},
                                    {.types = {{"id", clm::column_type::categorical}}});
  CHECK(forced.categorical("id").levels == std::vector<std::string>{"1", "2"});
  db.execute("create table texts (v text); insert into texts values ('12.5'), (' 3 '), (null);");
  const auto nums = clm::read_sql(db, "select v from texts", {}, {.types = {{"v", clm::column_type::numeric}}});
  CHECK(nums.numeric("v")(0) == 12.5);
  CHECK(nums.numeric("v")(1) == 3.0);
  CHECK(std::isnan(nums.numeric("v")(2)));
  db.execute("insert into texts values ('twelve')");
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select v from texts", {}, {.types = {{"v", clm::column_type::numeric}}}),
                       doctest::Contains("expected a number in column 'v' (forced numeric), got 'twelve'"),
                       clm::parse_error);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select v from texts", {}, {.types = {{"w", clm::column_type::numeric}}}),
                       doctest::Contains("no column 'w' in the result (columns: v)"), clm::invalid_argument);
  // na_values: text read as missing, besides NULL; a forced-numeric column's too.
  db.execute("create table nas (v text, n text); insert into nas values ('NA', '1'), ('x', 'n/a'), (null, '2');");
  const auto na = clm::read_sql(db, "select v, n from nas", {},
                                {.types = {{"n", clm::column_type::numeric}}, .na_values = {"NA", "n/a"}});
  CHECK(na.categorical("v").codes == std::vector<std::int32_t>{-1, 0, -1});
  CHECK(na.categorical("v").levels == std::vector<std::string>{"x"});
  CHECK(na.numeric("n")(0) == 1.0);
  CHECK(std::isnan(na.numeric("n")(1)));
  CHECK(clm::read_sql(db, "select v from nas").categorical("v").levels == std::vector<std::string>{"NA", "x"});
  // A column whose values turn to text midway reads as text, earlier numbers included.
  db.execute("create table mixed (v); insert into mixed values (1), (2.5), ('b');");
  CHECK(clm::read_sql(db, "select v from mixed").categorical("v").levels == std::vector<std::string>{"1", "2.5", "b"});
  db.execute("create table blobs (v blob); insert into blobs values (x'00ff');");
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select v from blobs"), doctest::Contains("column 'v' holds a BLOB in row 1"),
                       clm::database_error);
}

TEST_CASE("sqlite parameters are bound, never pasted - errors name what went wrong") {
  temp_db f("clm_sqlite_params.db");
  clm::sqlite_connection db(f.path);
  db.execute("create table t (name text, n integer); insert into t values ('a', 1), ('b', 2), ('c', 3);");
  const auto two = clm::read_sql(db, "select name from t where n >= ? and name <> ?", {std::int64_t{2}, std::string("c")});
  CHECK(two.categorical("name").levels == std::vector<std::string>{"b"});
  // A value that would inject SQL is just a value.
  const auto evil = clm::read_sql(db, "select name from t where name = ?", {std::string("a'; drop table t; --")});
  CHECK(evil.rows() == 0);
  CHECK(count_rows(db, "t") == 3.0);
  // A repeated column name (a join) gets its position as a suffix.
  CHECK(clm::read_sql(db, "select n, n from t").names() == std::vector<std::string>{"n", "n_1"});
  CHECK(clm::read_sql(db, "select count(*) as k from t where ? is null", {std::monostate{}}).numeric("k")(0) == 3.0);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select * from t where n = ?"),
                       doctest::Contains("takes 1 parameters, got 0"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select * from t; drop table t"), doctest::Contains("expected one statement"),
                       clm::invalid_argument);
  CHECK(count_rows(db, "t") == 3.0);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select * from no_such_table"),
                       doctest::Contains("sqlite: no such table: no_such_table (in: select * from no_such_table)"),
                       clm::database_error);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "create table u (x)"), doctest::Contains("returns no columns"),
                       clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::sqlite_connection(f.path.parent_path() / "no_such_dir" / "x.db"),
                       doctest::Contains("cannot open"), clm::database_error);
  // An identifier that would inject SQL is quoted whole.
  CHECK(clm::quote_identifier("t\"; drop table t; --") == "\"t\"\"; drop table t; --\"");
  clm::table one;
  one.add_numeric("x", clm::vector<double>{1.0});
  clm::write_sql(db, "t\"; drop table t; --", one);
  CHECK(count_rows(db, "t") == 3.0);
  CHECK(count_rows(db, "t\"; drop table t; --") == 1.0);
  CHECK_THROWS_AS(clm::quote_identifier(""), clm::invalid_argument);
}

TEST_CASE("sqlite write modes: fail, replace, append, upsert - a failed write changes nothing") {
  temp_db f("clm_sqlite_modes.db");
  clm::sqlite_connection db(f.path);
  clm::table a;
  a.add_categorical("customer_id", {{0, 1, 2}, {"c1", "c2", "c3"}});
  a.add_numeric("clv", clm::vector<double>{10, 20, 30});
  clm::write_sql(db, "scores", a, {.key = {"customer_id"}});
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "scores", a), doctest::Contains("table 'scores' exists (if_exists = fail)"),
                       clm::database_error);
  CHECK(count_rows(db, "scores") == 3.0);
  // upsert: c2 updated, c4 inserted.
  clm::table b;
  b.add_categorical("customer_id", {{0, 1}, {"c2", "c4"}});
  b.add_numeric("clv", clm::vector<double>{25, 40});
  clm::write_sql(db, "scores", b, {.if_exists = clm::if_exists::upsert, .key = {"customer_id"}});
  const auto up = clm::read_sql(db, "select * from scores order by customer_id");
  CHECK(up.numeric("clv") == clm::vector<double>{10, 25, 30, 40});
  // append: rows added to what is there.
  // c4 again violates the primary key: the append is refused whole.
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "scores", b, {.if_exists = clm::if_exists::append}),
                       doctest::Contains("UNIQUE constraint failed"), clm::database_error);
  CHECK(count_rows(db, "scores") == 4.0);
  clm::table c;
  c.add_categorical("customer_id", {{0}, {"c9"}});
  c.add_numeric("clv", clm::vector<double>{90});
  clm::write_sql(db, "scores", c, {.if_exists = clm::if_exists::append});
  CHECK(count_rows(db, "scores") == 5.0);
  // replace: the table as given.
  clm::write_sql(db, "scores", b, {.if_exists = clm::if_exists::replace});
  CHECK(clm::read_sql(db, "select * from scores") == b);
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "scores", b, {.if_exists = clm::if_exists::upsert}),
                       doctest::Contains("needs the key columns"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "scores", b, {.if_exists = clm::if_exists::upsert, .key = {"id"}}),
                       doctest::Contains("'id'"), clm::invalid_argument);
  // upsert into a table without a unique key: refused, nothing changed.
  CHECK_THROWS_AS(clm::write_sql(db, "scores", b, {.if_exists = clm::if_exists::upsert, .key = {"customer_id"}}),
                  clm::database_error);
  CHECK(clm::read_sql(db, "select * from scores") == b);
}

TEST_CASE("sqlite: a write that fails midway rolls back whole") {
  temp_db f("clm_sqlite_rollback.db");
  clm::sqlite_connection db(f.path);
  db.execute("create table strict (x double precision, y text not null)");
  const std::size_t n = 1000;
  clm::vector<double> x = clm::vector<double>::from_shape({n});
  clm::categorical_column y{std::vector<std::int32_t>(n, 0), {"ok"}};
  for (std::size_t i = 0; i < n; ++i) x(i) = static_cast<double>(i);
  y.codes[700] = -1;  // NULL into a not-null column at row 701
  clm::table t;
  t.add_numeric("x", x);
  t.add_categorical("y", y);
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "strict", t, {.if_exists = clm::if_exists::append}),
                       doctest::Contains("NOT NULL constraint failed"), clm::database_error);
  CHECK(count_rows(db, "strict") == 0.0);
  // A valid append then goes through whole.
  y.codes[700] = 0;
  t = clm::table();
  t.add_numeric("x", x);
  t.add_categorical("y", y);
  clm::write_sql(db, "strict", t, {.if_exists = clm::if_exists::append});
  CHECK(count_rows(db, "strict") == 1000.0);
  // The connection stays usable after the failure.
  CHECK(clm::read_sql(db, "select max(x) as m from strict").numeric("m")(0) == 999.0);
}

TEST_CASE("sqlite: a million rows round trip") {
  temp_db f("clm_sqlite_million.db");
  clm::sqlite_connection db(f.path);
  const std::size_t n = 1000000;
  clm::vector<double> v = clm::vector<double>::from_shape({n});
  clm::categorical_column ids;
  ids.codes.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    v(i) = static_cast<double>(i) * 0.25;
    ids.codes[i] = static_cast<std::int32_t>(i % 5000);
  }
  for (int k = 0; k < 5000; ++k) ids.levels.push_back("C" + std::to_string(k));
  clm::table t;
  t.add_categorical("customer_id", ids);
  t.add_numeric("value", v);
  clm::write_sql(db, "big", t);
  const auto back = clm::read_sql(db, "select * from big");
  CHECK(back == t);
}

TEST_CASE("sqlite: CDNOW_master from a database gives the CSV path's summary and BG/NBD fit") {
  const auto dir = clm::testing::data_dir();
  if (!dir) {
    MESSAGE("skipped: CLM_DATA_DIR is not set");
    return;
  }
  temp_db f("clm_sqlite_cdnow.db");
  clm::sqlite_connection db(f.path);
  clm::write_sql(db, "orders", clm::testing::cdnow_table(*dir));
  clm::testing::check_same_as_csv(
      *dir, clm::transactions_from_sql(db, "select customer_id, date, dollar_value from orders where dollar_value >= ?",
                                       {0.0}, clm::testing::cdnow_columns));
}
