// score_database — read orders from a database, fit, write each customer's scores back.
//
//   score_database SHOP.db [SCORES_TABLE]
//
// Reads the `orders` table (customer_id, date, amount) of the SQLite database SHOP.db with a
// query, runs the lifecycle analysis (clm::analyze_lifecycle: the purchase model chosen on
// the holdout, Gamma-Gamma, churn risk, segments), and upserts per customer churn risk,
// P(alive), CLV and segment into SCORES_TABLE (default customer_scores, keyed by
// customer_id), in one transaction. When SHOP.db has no orders table it first fills one
// with a simulated shop (clm::synthetic) and says so. Link clm::sqlite.
#include <clm/clm.hpp>
#include <clm/io/sqlite.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: score_database SHOP.db [SCORES_TABLE]\n");
    return 2;
  }
  const std::string scores_table = argc > 2 ? argv[2] : "customer_scores";
  clm::sqlite_connection db(argv[1]);
  const auto tables = clm::read_sql(db, "select count(*) as n from sqlite_master where type = 'table' and name = ?",
                                    {std::string("orders")});
  if (tables.numeric("n")(0) == 0) {
    // A simulated shop: its orders as (customer_id, date, amount).
    const auto pop = clm::synthetic::make_population({.n_customers = 3000, .seed = 11});
    const auto& log = pop.transactions;
    clm::table orders;
    orders.add_categorical("customer_id", {log.customer, log.customer_ids});
    clm::categorical_column dates;
    clm::detail::level_builder levels;
    for (const auto t : log.time) dates.codes.push_back(levels.code(clm::format_timestamp(t)));
    dates.levels = levels.take_levels();
    orders.add_categorical("date", std::move(dates));
    clm::vector<double> amount = clm::vector<double>::from_shape({log.size()});
    std::copy(log.amount.begin(), log.amount.end(), amount.begin());
    orders.add_numeric("amount", std::move(amount));
    clm::write_sql(db, "orders", orders);
    std::printf("no orders table: wrote a simulated shop's %zu orders into it\n", log.size());
  }

  auto log = clm::transactions_from_sql(db, "select customer_id, date, amount from orders where amount is not null", {},
                                        {.customer = "customer_id", .date = "date", .amount = "amount"});
  const auto a = clm::analyze_lifecycle(std::move(log), {.recommender = clm::recommender_kind::none});

  const auto all = clm::customers_table(a);
  const auto scores = all.select({"customer_id", "churn_risk", "p_alive", "clv", "segment"});
  clm::write_sql(db, scores_table, scores, {.if_exists = clm::if_exists::upsert, .key = {"customer_id"}});

  const auto check = clm::read_sql(db, "select count(*) as n, avg(clv) as mean_clv from " +
                                           clm::quote_identifier(scores_table));
  std::printf("score_database ok: %zu customers scored into %s (%s chosen; %.0f rows, mean CLV %.2f)\n",
              a.summary.size(), scores_table.c_str(), a.purchase_model_name().c_str(), check.numeric("n")(0),
              check.numeric("mean_clv")(0));
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "score_database: %s\n", e.what());
  return 1;
}
