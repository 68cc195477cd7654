// lifecycle_report — from an order log to decisions, in one run (what `scripts/dev demo` runs).
//
// A command line over clm/lifecycle: it reads the log (a CSV file, or a simulated population)
// and runs clm::analyze_lifecycle (clean, summarise, segment, fit and choose the purchase
// model, CLV, churn risk and the one at-risk score, recommendations, decision lists; the
// steps are stated at the top of clm/lifecycle/analysis.hpp), then
// clm::write_lifecycle_report.
//
// Outputs in --out: customers.csv (one row per customer: every score, the segment, the top-5
// items), segments.csv (a profile per segment), the fitted models as .clm files, report.html
// (inline SVG charts, no scripts, no network).
//
// Usage:
//   lifecycle_report [--transactions FILE] [--customer-column C] [--date-column D]
//                    [--amount-column A] [--item-column I] [--date-format F] [--whitespace]
//                    [--price-column P [--quantity-column Q]] (line items: amount = Q x P)
//                    [--order-column O --cancelled-prefix C] [--status-column S --cancelled-status V]
//                    [--currency SYMBOL] (put before money values in the page, e.g. $ or EUR)
//                    [--delimiter C] (one character, or \t; default ,)
//                    [--sqlite FILE | --postgres CONNINFO] [--query SQL] [--write-scores TABLE]
//                    (orders from a query on an SQLite file or a PostgreSQL server instead of
//                    a file, the column options naming its columns; the scores of
//                    customers.csv written into TABLE, replacing it)
//                    [--no-header] [--calibration-end YYYY-MM-DD] [--observation-end YYYY-MM-DD]
//                    [--horizon WEEKS] [--model auto|bg_nbd|mbg_nbd|pareto_nbd]
//                    [--recommender item_knn|ease]
//                    [--experiment FILE [--offer-cost C] [--offer-budget B]] (a retention offer
//                    sent at the calibration end: a CSV with customer_id and treatment (1
//                    offered, 0 control) columns; the report adds the uplift model and whom to
//                    target: uplift x CLV - C > 0, best first, within the budget B)
//                    [--out DIR] [--quiet] [--keep-duplicates] [--customers N] [--seed S]
// --model auto (the default) fits BG/NBD, MBG/NBD and Pareto/NBD on the calibration period
// and uses the one whose predicted holdout purchases per customer are closest to the actual
// ones (root mean squared error), all three shown. Without --transactions it simulates a
// population (clm::synthetic) and says so. Defaults:
// observation end = the last purchase; calibration end = observation end - horizon. Rows that
// repeat another exactly (customer, time, amount, item) are dropped as duplicates unless
// --keep-duplicates (logs with dates only, like CDNOW, can hold real repeats). Negative
// amounts are refunds, netted against the customer's purchases before them (clm::net_returns).
// CDNOW: --transactions CDNOW_master.txt --whitespace --amount-column dollar_value
//        --calibration-end 1997-09-30 --observation-end 1998-06-30
#include <clm/clm.hpp>
#ifdef CLM_WITH_SQLITE
#include <clm/io/sqlite.hpp>
#endif
#ifdef CLM_WITH_POSTGRES
#include <clm/io/postgres.hpp>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

struct options {
  std::string transactions, customer = "customer_id", date = "date", amount = "amount", item, date_format;
  std::string quantity, price, order, status, cancelled_prefix, cancelled_status, currency;
  std::string sqlite, postgres, query, write_scores, experiment;
  double offer_cost = 0.0, offer_budget = -1.0;
  bool whitespace = false, header = true, quiet = false, keep_duplicates = false;
  char delimiter = ',';
  std::string calibration_end, observation_end, model = "auto", recommender = "item_knn", out = "lifecycle_report";
  double horizon = 39.0;
  std::size_t customers = 20000, seed = 42;
};

options parse_args(int argc, char** argv) {
  options o;
  const auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw clm::invalid_argument(std::string("option ") + argv[i] + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--transactions") o.transactions = value(i);
    else if (a == "--customer-column") o.customer = value(i);
    else if (a == "--date-column") o.date = value(i);
    else if (a == "--amount-column") o.amount = value(i);
    else if (a == "--item-column") o.item = value(i);
    else if (a == "--quantity-column") o.quantity = value(i);
    else if (a == "--price-column") o.price = value(i);
    else if (a == "--order-column") o.order = value(i);
    else if (a == "--status-column") o.status = value(i);
    else if (a == "--cancelled-prefix") o.cancelled_prefix = value(i);
    else if (a == "--cancelled-status") o.cancelled_status = value(i);
    else if (a == "--currency") o.currency = value(i);
    else if (a == "--sqlite") o.sqlite = value(i);
    else if (a == "--postgres") o.postgres = value(i);
    else if (a == "--query") o.query = value(i);
    else if (a == "--write-scores") o.write_scores = value(i);
    else if (a == "--date-format") o.date_format = value(i);
    else if (a == "--whitespace") o.whitespace = true;
    else if (a == "--delimiter") {
      const std::string d = value(i);
      if (d.size() != 1 && d != "\\t") throw clm::invalid_argument("--delimiter takes one character (or \\t), got '" + d + "'");
      o.delimiter = d == "\\t" ? '\t' : d[0];
    }
    else if (a == "--no-header") o.header = false;
    else if (a == "--calibration-end") o.calibration_end = value(i);
    else if (a == "--observation-end") o.observation_end = value(i);
    else if (a == "--horizon") o.horizon = std::strtod(value(i).c_str(), nullptr);
    else if (a == "--model") o.model = value(i);
    else if (a == "--recommender") o.recommender = value(i);
    else if (a == "--experiment") o.experiment = value(i);
    else if (a == "--offer-cost") o.offer_cost = std::strtod(value(i).c_str(), nullptr);
    else if (a == "--offer-budget") o.offer_budget = std::strtod(value(i).c_str(), nullptr);
    else if (a == "--out") o.out = value(i);
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--keep-duplicates") o.keep_duplicates = true;
    else if (a == "--customers") o.customers = std::strtoull(value(i).c_str(), nullptr, 10);
    else if (a == "--seed") o.seed = std::strtoull(value(i).c_str(), nullptr, 10);
    else throw clm::invalid_argument("unknown option '" + a + "' (see the top of examples/lifecycle_report.cpp)");
  }
  const int sources = !o.transactions.empty() + !o.sqlite.empty() + !o.postgres.empty();
  if (sources > 1) throw clm::invalid_argument("--transactions, --sqlite and --postgres each name the orders: give one");
  const bool database = !o.sqlite.empty() || !o.postgres.empty();
  if (database != !o.query.empty()) throw clm::invalid_argument("--query goes with --sqlite or --postgres");
  if (!o.write_scores.empty() && !database) throw clm::invalid_argument("--write-scores needs --sqlite or --postgres");
#ifndef CLM_WITH_SQLITE
  if (!o.sqlite.empty()) throw clm::invalid_argument("--sqlite: this lifecycle_report was built without SQLite (clm::sqlite)");
#endif
#ifndef CLM_WITH_POSTGRES
  if (!o.postgres.empty()) {
    throw clm::invalid_argument("--postgres: this lifecycle_report was built without PostgreSQL (clm::postgres)");
  }
#endif
  if (!(o.horizon > 0.0)) throw clm::invalid_argument("--horizon must be a positive number of weeks");
  if (o.model != "auto" && o.model != "bg_nbd" && o.model != "mbg_nbd" && o.model != "pareto_nbd") {
    throw clm::invalid_argument("--model must be auto, bg_nbd, mbg_nbd or pareto_nbd, got '" + o.model + "'");
  }
  if (o.experiment.empty() && (o.offer_cost != 0.0 || o.offer_budget >= 0.0)) {
    throw clm::invalid_argument("--offer-cost and --offer-budget go with --experiment");
  }
  if (!(o.offer_cost >= 0.0)) throw clm::invalid_argument("--offer-cost must be >= 0");
  if (o.recommender != "item_knn" && o.recommender != "ease") {
    throw clm::invalid_argument("--recommender must be item_knn or ease");
  }
  return o;
}

/// The database the orders come from (--sqlite or --postgres), where the backend is built.
struct database_connection {
#ifdef CLM_WITH_SQLITE
  std::optional<clm::sqlite_connection> sqlite;
#endif
#ifdef CLM_WITH_POSTGRES
  std::optional<clm::postgres_connection> postgres;
#endif
  /// Calls f with the open connection.
  template <class F>
  void with([[maybe_unused]] F&& f) {
#ifdef CLM_WITH_SQLITE
    if (sqlite) f(*sqlite);
#endif
#ifdef CLM_WITH_POSTGRES
    if (postgres) f(*postgres);
#endif
  }
};

/// Step lines on stdout (unless quiet) and a progress bar on stderr (a TTY) or plain lines.
class console {
 public:
  explicit console(bool quiet) : quiet_(quiet), tty_(isatty(2) != 0) {}
  void step(const char* fmt, double seconds, const std::string& detail) const {
    if (!quiet_) std::printf("%-34s %7.3f s  %s\n", fmt, seconds, detail.c_str());
  }
  void warn(const std::string& text) const {
    if (!quiet_) std::printf("   warning: %s\n", text.c_str());
  }
  clm::progress_callback bar() const {
    if (quiet_) return {};
    return [tty = tty_](const clm::progress& p) {
      const double f = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
      if (tty) {
        const int w = static_cast<int>(30 * f);
        std::fprintf(stderr, "\r  %-24.*s [%-30.*s] %3.0f%%", static_cast<int>(p.task.size()), p.task.data(), w,
                     "##############################", 100 * f);
        if (p.done >= p.total) std::fprintf(stderr, "\n");
      } else if (p.done >= p.total || static_cast<int>(100 * f) % 25 == 0) {
        std::fprintf(stderr, "  %.*s: %zu / %zu\n", static_cast<int>(p.task.size()), p.task.data(), p.done, p.total);
      }
    };
  }

 private:
  bool quiet_, tty_;
};

}  // namespace

int main(int argc, char** argv) try {
  const options o = parse_args(argc, argv);
  const console out(o.quiet);
  const auto t0 = std::chrono::steady_clock::now();
  clm::transaction_log log;
  std::string source;
  clm::lifecycle_options lo{.horizon_weeks = o.horizon, .drop_duplicates = !o.keep_duplicates, .seed = o.seed};
  if (!o.calibration_end.empty()) lo.calibration_end = clm::parse_date(o.calibration_end);
  if (!o.observation_end.empty()) lo.observation_end = clm::parse_date(o.observation_end);
  lo.model = o.model == "pareto_nbd" ? clm::purchase_model_kind::pareto_nbd
             : o.model == "mbg_nbd"  ? clm::purchase_model_kind::mbg_nbd
             : o.model == "bg_nbd"   ? clm::purchase_model_kind::bg_nbd
                                     : clm::purchase_model_kind::automatic;
  lo.recommender = o.recommender == "ease" ? clm::recommender_kind::ease : clm::recommender_kind::item_knn;
  const clm::transaction_columns columns{.customer = o.customer, .date = o.date,
                                         // with a price column the amount is quantity x price
                                         .amount = o.price.empty() ? o.amount : std::string(), .item = o.item,
                                         .quantity = o.quantity, .price = o.price, .order = o.order, .status = o.status};
  const clm::transaction_options rules{
      .date_format = o.date_format, .skip_bad_rows = true, .drop_guests = true,
      .cancelled_order_prefix = o.cancelled_prefix,
      .cancelled_status = o.cancelled_status.empty() ? std::vector<std::string>{} : std::vector<std::string>{o.cancelled_status}};
  database_connection db;
  if (!o.sqlite.empty() || !o.postgres.empty()) {
#ifdef CLM_WITH_SQLITE
    if (!o.sqlite.empty()) {
      db.sqlite.emplace(o.sqlite);
      source = "the query on '" + std::filesystem::path(o.sqlite).filename().string() + "'";
    }
#endif
#ifdef CLM_WITH_POSTGRES
    if (!o.postgres.empty()) {
      db.postgres.emplace(o.postgres);
      source = "the query on the PostgreSQL server";
    }
#endif
    db.with([&](auto& c) { log = clm::transactions_from_sql(c, o.query, {}, columns, rules); });
    if (log.size() == 0) throw clm::invalid_argument("the query holds no purchases");
  } else if (o.transactions.empty()) {
    const auto pop = clm::synthetic::make_population(
        {.n_customers = o.customers, .seed = o.seed, .n_items = 300, .duplicate_rate = 0.01});
    log = pop.transactions;
    if (!lo.calibration_end) lo.calibration_end = pop.calibration_end;
    if (!lo.observation_end) lo.observation_end = pop.observation_end;
    source = "no --transactions given: a simulated population of " + std::to_string(o.customers) + " customers (seed " +
             std::to_string(o.seed) + ")";
  } else {
    const clm::csv_options csv{.delimiter = o.delimiter, .whitespace = o.whitespace, .header = o.header};
    log = clm::read_transactions(o.transactions, columns, csv, rules);
    if (log.size() == 0) {
      throw clm::invalid_argument("'" + o.transactions + "' holds no purchases" +
                                  (log.skipped_rows == 0 ? std::string()
                                                         : " (" + std::to_string(log.skipped_rows) +
                                                               " rows skipped; the first at " + log.first_skipped + ")"));
    }
    source = "'" + o.transactions + "'";
  }
  if (!o.quiet) std::printf("clm %s lifecycle report: %s\n\n", CLM_VERSION_STRING, source.c_str());
  clm::blas::warn_once();  // kernels older than the CPU: the variable to set, once
  out.step("0. read", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
           std::to_string(log.size()) + " rows, " + std::to_string(log.skipped_rows) + " bad rows skipped, " +
               std::to_string(log.guest_rows) + " guest rows and " + std::to_string(log.cancelled_rows) +
               " cancelled lines dropped" + (log.skipped_rows == 0 ? std::string() : "; first skipped at " + log.first_skipped));
  if (!o.experiment.empty()) {
    const auto t = clm::read_csv(o.experiment);
    clm::offer_experiment ex;
    const auto& ids = t.categorical("customer_id");
    const auto treatment = t.numeric("treatment");
    for (std::size_t i = 0; i < t.rows(); ++i) {
      ex.customer_ids.push_back(ids.at(i));
      ex.treatment.push_back(treatment(i));
    }
    lo.experiment = std::move(ex);
    lo.offer_cost = o.offer_cost;
    if (o.offer_budget >= 0.0) lo.offer_budget = o.offer_budget;
  }
  lo.on_step = [&](const clm::lifecycle_step& s) { out.step(s.name.c_str(), s.seconds, s.detail); };
  lo.progress = out.bar();
  const auto analysis = clm::analyze_lifecycle(std::move(log), lo);
  for (const auto& w : analysis.warnings) out.warn(w);
  const auto blas = clm::blas::info();
  clm::report_options ro{.source = o.transactions.empty()
                                       ? source
                                       : "'" + std::filesystem::path(o.transactions).filename().string() + "'",
                         .currency = o.currency,
                         .environment = "Generated by clm " + std::string(CLM_VERSION_STRING) + " on " +
                                        clm::blas::describe(blas) + ".",
                         .advice = clm::blas::kernel_advice(blas)};
  const auto t1 = std::chrono::steady_clock::now();
  clm::write_lifecycle_report(analysis, o.out, ro);
  out.step("11. write", std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count(),
           "customers.csv, segments.csv, report.html, models in " + o.out);
  if (!o.write_scores.empty()) {
    const auto t2 = std::chrono::steady_clock::now();
    db.with([&](auto& c) {
      clm::write_sql(c, o.write_scores, clm::customers_table(analysis), {.if_exists = clm::if_exists::replace});
    });
    out.step("12. write scores", std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count(),
             "wrote " + std::to_string(analysis.summary.size()) + " customers into " + o.write_scores);
  }
  if (!o.quiet) std::printf("\nwrote %s/{customers.csv, segments.csv, report.html, *.clm}\n", o.out.c_str());
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "lifecycle_report: %s\n", e.what());
  return 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "lifecycle_report: %s\n", e.what());
  return 1;
}
