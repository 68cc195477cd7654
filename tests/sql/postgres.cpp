// io/postgres: tables from queries and back, against a real PostgreSQL server: the one
// CLM_TEST_POSTGRES names (scripts/dev test starts one with scripts/postgres-test-server).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "clm/data/csv.hpp"
#include "clm/data/transactions.hpp"
#include "clm/io/postgres.hpp"
#include "sql/common.hpp"
#include "support/fixtures.hpp"

namespace {

std::optional<std::string> server() {
  const char* c = std::getenv("CLM_TEST_POSTGRES");
  if (c == nullptr || *c == '\0') return std::nullopt;
  return std::string(c);
}

#define CLM_NEED_POSTGRES()                                                          \
  const auto conninfo = server();                                                    \
  if (!conninfo) {                                                                   \
    MESSAGE("skipped: CLM_TEST_POSTGRES is not set (scripts/dev test starts a server)"); \
    return;                                                                          \
  }

double count_rows(clm::postgres_connection& db, const std::string& table) {
  return clm::read_sql(db, "select count(*) as n from " + clm::quote_identifier(table)).numeric("n")(0);
}


}  // namespace

TEST_CASE("postgres round trip: numbers, NULLs, unicode, quotes, tabs and newlines, awkward names") {
  CLM_NEED_POSTGRES();
  clm::postgres_connection db(*conninfo);
  db.execute("drop table if exists \"pg scores\", pg_empty");
  const auto t = clm::testing::awkward_table();
  clm::write_sql(db, "pg scores", t);
  const auto back = clm::read_sql(db, "select * from \"pg scores\"");
  CHECK(back == t);
  // With a parameter: the prepared statement's binary results, the same table.
  CHECK(clm::read_sql(db, "select * from \"pg scores\" where count > $1", {-1.0}) == t);
  const auto none = clm::read_sql(db, "select * from \"pg scores\" where count < 0");
  CHECK(none.rows() == 0);
  CHECK(none.names() == t.names());
  clm::write_sql(db, "pg_empty", t.take({}));
  CHECK(clm::read_sql(db, "select * from pg_empty").rows() == 0);
  db.execute("drop table \"pg scores\", pg_empty");
}

TEST_CASE("postgres column types: integers, reals, numeric, bool, text, dates, timestamps, uuid") {
  CLM_NEED_POSTGRES();
  clm::postgres_connection db(*conninfo);
  const auto t = clm::read_sql(
      db,
      "select 1::smallint as i2, 2147483647::integer as i4, 9007199254740993::bigint as i8, 1.5::real as f4, "
      "0.1::double precision as f8, 12345678901234.5678::numeric as n, -0.000123::numeric as small, "
      "'NaN'::numeric as nan, true as flag, '0042'::text as code, 'ab'::varchar(5) as v, 'x'::char(3) as c, "
      "date '2024-01-02' as day, timestamp '2024-02-03 10:15:06.75' as at, "
      "timestamptz '2024-02-03 10:15:06+02' as atz, date '1999-12-31' as old, "
      "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as id, null::integer as missing, null::text as nothing");
  CHECK(t.numeric("i2")(0) == 1.0);
  CHECK(t.numeric("i4")(0) == 2147483647.0);
  CHECK(t.numeric("i8")(0) == 9007199254740992.0);  // the nearest double
  CHECK(t.numeric("f4")(0) == 1.5);
  CHECK(t.numeric("f8")(0) == 0.1);
  CHECK(t.numeric("n")(0) == 12345678901234.5678);
  CHECK(t.numeric("small")(0) == -0.000123);
  CHECK(std::isnan(t.numeric("nan")(0)));
  CHECK(t.numeric("flag")(0) == 1.0);
  CHECK(t.categorical("code").levels[0] == "0042");
  CHECK(t.categorical("v").levels[0] == "ab");
  CHECK(t.categorical("c").levels[0] == "x  ");
  CHECK(t.categorical("day").levels[0] == "2024-01-02");
  CHECK(t.categorical("at").levels[0] == "2024-02-03 10:15:06");
  CHECK(t.categorical("atz").levels[0] == "2024-02-03 08:15:06");  // UTC
  CHECK(t.categorical("old").levels[0] == "1999-12-31");
  CHECK(t.categorical("id").levels[0] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CHECK(std::isnan(t.numeric("missing")(0)));
  CHECK(t.categorical("nothing").codes[0] == -1);
  // Forced: an integer as text, text as numbers.
  const auto forced = clm::read_sql(db, "select 7 as id, ' 3.25 '::text as v", {},
                                    {.types = {{"id", clm::column_type::categorical}, {"v", clm::column_type::numeric}}});
  CHECK(forced.categorical("id").levels[0] == "7");
  CHECK(forced.numeric("v")(0) == 3.25);
  // na_values: text read as missing, besides NULL.
  const auto na = clm::read_sql(db, "select v from (values ('NA'), ('x'), (null)) as t(v)", {}, {.na_values = {"NA"}});
  CHECK(na.categorical("v").codes == std::vector<std::int32_t>{-1, 0, -1});
  // An unsupported type names the column and how to cast it.
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select '{1,2}'::int[] as arr"),
                       doctest::Contains("column 'arr' has PostgreSQL type OID 1007"), clm::database_error);
}

TEST_CASE("postgres parameters are bound, never pasted - errors carry the server's message") {
  CLM_NEED_POSTGRES();
  clm::postgres_connection db(*conninfo);
  db.execute("drop table if exists pg_params; create table pg_params (name text, n integer);"
             "insert into pg_params values ('a', 1), ('b', 2), ('c', 3)");
  const auto two = clm::read_sql(db, "select name from pg_params where n >= $1 and name <> $2 order by name",
                                 {std::int64_t{2}, std::string("c")});
  CHECK(two.categorical("name").levels == std::vector<std::string>{"b"});
  const auto evil = clm::read_sql(db, "select name from pg_params where name = $1", {std::string("a'; drop table pg_params; --")});
  CHECK(evil.rows() == 0);
  CHECK(count_rows(db, "pg_params") == 3.0);
  CHECK(clm::read_sql(db, "select count(*) as k from pg_params where $1::text is null", {std::monostate{}}).numeric("k")(0) == 3.0);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select * from pg_params where n = $1"),
                       doctest::Contains("takes 1 parameters, got 0"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::read_sql(db, "select * from no_such_table"),
                       doctest::Contains("relation \"no_such_table\" does not exist"), clm::database_error);
  // The connection is usable after an error.
  CHECK(count_rows(db, "pg_params") == 3.0);
  clm::table one;
  one.add_numeric("x", clm::vector<double>{1.0});
  db.execute("drop table if exists \"pg_params\"\"; drop table pg_params; --\"");
  clm::write_sql(db, "pg_params\"; drop table pg_params; --", one);
  CHECK(count_rows(db, "pg_params") == 3.0);
  CHECK(count_rows(db, "pg_params\"; drop table pg_params; --") == 1.0);
  db.execute("drop table pg_params, \"pg_params\"\"; drop table pg_params; --\"");
}

TEST_CASE("postgres write modes: fail, replace, append, upsert - a failed write changes nothing") {
  CLM_NEED_POSTGRES();
  clm::postgres_connection db(*conninfo);
  db.execute("drop table if exists pg_modes");
  clm::table a;
  a.add_categorical("customer_id", {{0, 1, 2}, {"c1", "c2", "c3"}});
  a.add_numeric("clv", clm::vector<double>{10, 20, 30});
  clm::write_sql(db, "pg_modes", a, {.key = {"customer_id"}});
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "pg_modes", a), doctest::Contains("table 'pg_modes' exists (if_exists = fail)"),
                       clm::database_error);
  clm::table b;
  b.add_categorical("customer_id", {{0, 1}, {"c2", "c4"}});
  b.add_numeric("clv", clm::vector<double>{25, 40});
  clm::write_sql(db, "pg_modes", b, {.if_exists = clm::if_exists::upsert, .key = {"customer_id"}});
  CHECK(clm::read_sql(db, "select * from pg_modes order by customer_id").numeric("clv") ==
        clm::vector<double>{10, 25, 30, 40});
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "pg_modes", b, {.if_exists = clm::if_exists::append}),
                       doctest::Contains("duplicate key value violates unique constraint"), clm::database_error);
  CHECK(count_rows(db, "pg_modes") == 4.0);
  clm::write_sql(db, "pg_modes", b, {.if_exists = clm::if_exists::replace});
  CHECK(clm::read_sql(db, "select * from pg_modes") == b);
  // The replaced table has no unique key: an upsert into it is refused, the table unchanged.
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "pg_modes", a, {.if_exists = clm::if_exists::upsert, .key = {"customer_id"}}),
                       doctest::Contains("no unique or exclusion constraint"), clm::database_error);
  CHECK(clm::read_sql(db, "select * from pg_modes") == b);
  db.execute("drop table pg_modes");
}

TEST_CASE("postgres: a write that fails midway rolls back whole") {
  CLM_NEED_POSTGRES();
  clm::postgres_connection db(*conninfo);
  db.execute("drop table if exists pg_strict; create table pg_strict (x double precision, y text not null)");
  const std::size_t n = 200000;
  clm::vector<double> x = clm::vector<double>::from_shape({n});
  clm::categorical_column y{std::vector<std::int32_t>(n, 0), {"ok"}};
  for (std::size_t i = 0; i < n; ++i) x(i) = static_cast<double>(i);
  y.codes[150000] = -1;  // past the first 1 MB message
  clm::table t;
  t.add_numeric("x", x);
  t.add_categorical("y", y);
  CHECK_THROWS_WITH_AS(clm::write_sql(db, "pg_strict", t, {.if_exists = clm::if_exists::append}),
                       doctest::Contains("violates not-null constraint"), clm::database_error);
  CHECK(count_rows(db, "pg_strict") == 0.0);
  db.execute("drop table pg_strict");
}

TEST_CASE("postgres: a lost connection and a wrong password are named errors without the password") {
  CLM_NEED_POSTGRES();
  {
    clm::postgres_connection db(*conninfo);
    // The server ends this session in the middle of streaming the rows.
    CHECK_THROWS_WITH_AS(
        clm::read_sql(db, "select g, case when g = 50000 then pg_terminate_backend(pg_backend_pid()) end as k "
                          "from generate_series(1, 100000) g"),
        doctest::Contains("was lost"), clm::database_error);
  }
  std::string wrong = *conninfo;
  const auto p = wrong.find("password=");
  REQUIRE(p != std::string::npos);
  const std::string secret = "s3cret-Value-42";
  wrong = wrong.substr(0, p) + "password=" + secret + wrong.substr(wrong.find(' ', p) == std::string::npos ? wrong.size() : wrong.find(' ', p));
  try {
    clm::postgres_connection bad(wrong);
    FAIL("connected with a wrong password");
  } catch (const clm::database_error& e) {
    const std::string m = e.what();
    CHECK(m.find("password authentication failed") != std::string::npos);
    CHECK(m.find(secret) == std::string::npos);
    CHECK(m.find("cannot connect to 127.0.0.1") != std::string::npos);
  }
  // A password that the server echoes back (here as the database name) is removed.
  try {
    clm::postgres_connection bad(*conninfo + " dbname=" + conninfo->substr(conninfo->find("password=") + 9, 32));
    FAIL("connected to a database that does not exist");
  } catch (const clm::database_error& e) {
    CHECK(std::string(e.what()).find(conninfo->substr(conninfo->find("password=") + 9, 32)) == std::string::npos);
  }
}

TEST_CASE("postgres: a million rows round trip") {
  CLM_NEED_POSTGRES();
  clm::postgres_connection db(*conninfo);
  db.execute("drop table if exists pg_big");
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
  clm::write_sql(db, "pg_big", t);
  CHECK(clm::read_sql(db, "select * from pg_big") == t);
  db.execute("drop table pg_big");
}

TEST_CASE("postgres: CDNOW_master from the server gives the CSV path's summary and BG/NBD fit") {
  CLM_NEED_POSTGRES();
  const auto dir = clm::testing::data_dir();
  if (!dir) {
    MESSAGE("skipped: CLM_DATA_DIR is not set");
    return;
  }
  clm::postgres_connection db(*conninfo);
  db.execute("drop table if exists pg_cdnow");
  clm::write_sql(db, "pg_cdnow", clm::testing::cdnow_table(*dir));
  // The dates as a date column: what a shop's table would hold.
  db.execute("alter table pg_cdnow alter column date type date using to_date(date, 'YYYYMMDD')");
  clm::testing::check_same_as_csv(*dir, clm::transactions_from_sql(db, "select customer_id, date, dollar_value from pg_cdnow",
                                                                   {}, clm::testing::cdnow_columns));
  db.execute("drop table pg_cdnow");
}
