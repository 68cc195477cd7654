// Databases: reading a 1 M-row, 6-column orders table and writing 1 M rows of customer
// scores (5 columns). SQLite: the file orders_1m.db in the benchmark data folder (built on
// the first run). PostgreSQL: the server CLM_TEST_POSTGRES names (scripts/dev bench starts
// one), its tables bench_orders and bench_scores loaded from that file on the first run;
// skipped without it. benchmarks/peers/peers.py times pandas' read_sql and to_sql (sqlite3),
// pandas.read_sql and psycopg2's execute_values (PostgreSQL) and psql's \copy, the floor,
// on the same tables.
#include "datasets.hpp"

#include <benchmark/benchmark.h>

#include <clm/io/postgres.hpp>
#include <clm/io/sqlite.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace {

constexpr std::size_t rows = 1'000'000;

/// 1 M customers' scores: id, three numbers, a segment.
clm::table scores_table() {
  clm::table t;
  clm::categorical_column ids, seg{{}, {"Champions", "Loyal", "At risk", "Lost", "New"}};
  ids.codes.resize(rows);
  seg.codes.resize(rows);
  clm::vector<double> risk = clm::vector<double>::from_shape({rows}), alive = risk, clv = risk;
  std::uint64_t s = 88172645463325252ull;
  for (std::size_t i = 0; i < rows; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    ids.codes[i] = static_cast<std::int32_t>(i);
    ids.levels.push_back("C" + std::to_string(1000000 + i));
    risk(i) = static_cast<double>(s % 1000003) / 1000003.0;
    alive(i) = 1.0 - risk(i) * 0.9;
    clv(i) = static_cast<double>(s % 50000) / 100.0;
    seg.codes[i] = static_cast<std::int32_t>(s % 5);
  }
  t.add_categorical("customer_id", std::move(ids));
  t.add_numeric("churn_risk", std::move(risk));
  t.add_numeric("p_alive", std::move(alive));
  t.add_numeric("clv", std::move(clv));
  t.add_categorical("segment", std::move(seg));
  return t;
}

/// orders_1m.db: orders (order_id integer, customer_id text, date text, amount real,
/// quantity integer, item text) and scores (the peers' input for writing).
const std::filesystem::path& database() {
  static const std::filesystem::path path = [] {
    const auto p = clm_bench::data_dir() / "orders_1m.db";
    if (!std::filesystem::exists(p)) {
      const auto tmp = clm_bench::data_dir() / "orders_1m.db.tmp";
      std::filesystem::remove(tmp);
      {
        clm::sqlite_connection db(tmp);
        db.execute("create table orders (order_id integer, customer_id text, date text, amount real, "
                   "quantity integer, item text)");
        clm::table o;
        clm::categorical_column cust, date, item;
        clm::vector<double> id = clm::vector<double>::from_shape({rows}), amount = id, qty = id;
        clm::detail::level_builder cl, dl, il;
        std::uint64_t s = 2463534242ull;
        for (std::size_t i = 0; i < rows; ++i) {
          s ^= s << 13, s ^= s >> 7, s ^= s << 17;
          id(i) = static_cast<double>(i + 1);
          cust.codes.push_back(cl.code("C" + std::to_string(1000000 + s % 300000)));
          const auto day = clm::timestamp{1704067200 + static_cast<std::int64_t>(s % (365 * 86400))};
          date.codes.push_back(dl.code(clm::format_timestamp(day)));
          amount(i) = static_cast<double>(s % 20000) / 100.0;
          qty(i) = static_cast<double>(1 + s % 5);
          item.codes.push_back(il.code("I" + std::to_string(s % 3000)));
        }
        cust.levels = cl.take_levels(), date.levels = dl.take_levels(), item.levels = il.take_levels();
        o.add_numeric("order_id", std::move(id));
        o.add_categorical("customer_id", std::move(cust));
        o.add_categorical("date", std::move(date));
        o.add_numeric("amount", std::move(amount));
        o.add_numeric("quantity", std::move(qty));
        o.add_categorical("item", std::move(item));
        clm::write_sql(db, "orders", o, {.if_exists = clm::if_exists::append});
        clm::write_sql(db, "scores", scores_table());
      }
      std::filesystem::rename(tmp, p);
    }
    return p;
  }();
  return path;
}

void read_sql_sqlite_orders_1m(benchmark::State& state) {
  clm::sqlite_connection db(database(), true);
  for (auto _ : state) {
    const auto t = clm::read_sql(db, "select * from orders");
    benchmark::DoNotOptimize(t.rows());
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(read_sql_sqlite_orders_1m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void write_sql_sqlite_scores_1m(benchmark::State& state) {
  const auto scores = scores_table();
  const auto path = clm_bench::data_dir() / "write_scores.db";
  std::filesystem::remove(path);
  clm::sqlite_connection db(path);
  for (auto _ : state) clm::write_sql(db, "scores", scores, {.if_exists = clm::if_exists::replace});
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(write_sql_sqlite_scores_1m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

/// The PostgreSQL server's connection with bench_orders and bench_scores loaded, or null.
clm::postgres_connection* postgres() {
  static std::optional<clm::postgres_connection> db = []() -> std::optional<clm::postgres_connection> {
    const char* c = std::getenv("CLM_TEST_POSTGRES");
    if (c == nullptr || *c == '\0') return std::nullopt;
    clm::postgres_connection pg(c);
    const auto loaded = clm::read_sql(pg, "select count(*) as n from pg_tables where tablename = 'bench_orders'");
    if (loaded.numeric("n")(0) == 0) {
      clm::sqlite_connection lite(database(), true);
      clm::write_sql(pg, "bench_orders", clm::read_sql(lite, "select * from orders"));
      clm::write_sql(pg, "bench_scores", clm::read_sql(lite, "select * from scores"));
      pg.execute("vacuum analyze bench_orders");
    }
    return pg;
  }();
  return db ? &*db : nullptr;
}

void read_sql_postgres_orders_1m(benchmark::State& state) {
  auto* db = postgres();
  if (db == nullptr) {
    state.SkipWithError("CLM_TEST_POSTGRES is not set");
    return;
  }
  for (auto _ : state) {
    const auto t = clm::read_sql(*db, "select * from bench_orders");
    benchmark::DoNotOptimize(t.rows());
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(read_sql_postgres_orders_1m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void write_sql_postgres_scores_1m(benchmark::State& state) {
  auto* db = postgres();
  if (db == nullptr) {
    state.SkipWithError("CLM_TEST_POSTGRES is not set");
    return;
  }
  const auto scores = scores_table();
  for (auto _ : state) clm::write_sql(*db, "bench_scores_out", scores, {.if_exists = clm::if_exists::replace});
  db->execute("drop table if exists bench_scores_out");
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(write_sql_postgres_scores_1m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
