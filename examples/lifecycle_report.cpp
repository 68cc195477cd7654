// lifecycle_report — from an order log to decisions, in one run (what `scripts/dev demo` runs).
//
//   read and clean -> customer summary (calibration / holdout) -> RFM segments -> BG/NBD,
//   MBG/NBD or Pareto/NBD (chosen on the holdout) + Gamma-Gamma -> P(alive), expected
//   purchases over the horizon, CLV -> churn
//   risk (logistic regression on RFM features, label: no purchase in the holdout) -> item
//   recommendations (when the log has items) -> decision lists
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
//                    [--no-header] [--calibration-end YYYY-MM-DD] [--observation-end YYYY-MM-DD]
//                    [--horizon WEEKS] [--model auto|bg_nbd|mbg_nbd|pareto_nbd]
//                    [--recommender item_knn|ease]
//                    [--out DIR] [--quiet] [--keep-duplicates] [--customers N] [--seed S]
// --model auto (the default) fits BG/NBD, MBG/NBD and Pareto/NBD on the calibration period
// and uses the one whose predicted holdout purchases per customer are closest to the actual
// ones (root mean squared error), all three shown. Without --transactions it simulates a
// population (clm::synthetic) and says so. Defaults:
// observation end = the last purchase; calibration end = observation end - horizon. Rows that
// repeat another exactly (customer, time, amount, item) are dropped as duplicates unless
// --keep-duplicates (logs with dates only, like CDNOW, can hold real repeats).
// CDNOW: --transactions CDNOW_master.txt --whitespace --amount-column dollar_value
//        --calibration-end 1997-09-30 --observation-end 1998-06-30
#include <clm/clm.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <type_traits>
#include <tuple>
#include <optional>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "report_html.hpp"

namespace {

struct options {
  std::string transactions, customer = "customer_id", date = "date", amount = "amount", item, date_format;
  std::string quantity, price, order, status, cancelled_prefix, cancelled_status, currency;
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
    else if (a == "--out") o.out = value(i);
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--keep-duplicates") o.keep_duplicates = true;
    else if (a == "--customers") o.customers = std::strtoull(value(i).c_str(), nullptr, 10);
    else if (a == "--seed") o.seed = std::strtoull(value(i).c_str(), nullptr, 10);
    else throw clm::invalid_argument("unknown option '" + a + "' (see the top of examples/lifecycle_report.cpp)");
  }
  if (!(o.horizon > 0.0)) throw clm::invalid_argument("--horizon must be a positive number of weeks");
  if (o.model != "auto" && o.model != "bg_nbd" && o.model != "mbg_nbd" && o.model != "pareto_nbd") {
    throw clm::invalid_argument("--model must be auto, bg_nbd, mbg_nbd or pareto_nbd, got '" + o.model + "'");
  }
  if (o.recommender != "item_knn" && o.recommender != "ease") {
    throw clm::invalid_argument("--recommender must be item_knn or ease");
  }
  return o;
}

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

struct timer {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double lap() {
    const auto t = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(t - t0).count();
    t0 = t;
    return s;
  }
};

std::string fmt(const char* f, double a) {
  char buf[128];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

clm::timestamp date_or(const std::string& text, clm::timestamp fallback) {
  return text.empty() ? fallback : clm::parse_date(text);
}

/// A summary row per grid cell (frequency x recency, T fixed) for the P(alive) matrix.
clm::customer_summary grid_summary(std::size_t max_x, double max_t, std::size_t cells, clm::time_unit unit) {
  clm::customer_summary g;
  const std::size_t n = (max_x + 1) * cells;
  g.frequency = g.recency = g.T = g.weight = clm::vector<double>::from_shape({n});
  g.unit = unit;
  for (std::size_t x = 0; x <= max_x; ++x) {
    for (std::size_t c = 0; c < cells; ++c) {
      const std::size_t k = x * cells + c;
      g.frequency(k) = static_cast<double>(x);
      g.recency(k) = x == 0 ? 0.0 : max_t * (static_cast<double>(c) + 0.5) / static_cast<double>(cells);
      g.T(k) = max_t;
      g.weight(k) = 1.0;
    }
  }
  return g;
}

/// --model auto: BG/NBD, MBG/NBD and Pareto/NBD fitted on the calibration period, each
/// judged by the root mean squared error of its predicted holdout purchases per customer;
/// the smallest wins. A model that cannot be fitted is shown as such and not chosen.
struct model_choice {
  std::string name;                                ///< the chosen model ("" when none fitted)
  std::vector<std::vector<std::string>> rows;      ///< model, log-likelihood, holdout error, RMSE
  std::string text;                                ///< one line for the console
  /// The fitted models, so the report goes on with the chosen one without refitting it.
  std::tuple<std::optional<clm::bg_nbd<>>, std::optional<clm::mbg_nbd<>>, std::optional<clm::pareto_nbd<>>> fitted;
};

model_choice choose_model(const clm::customer_summary& summary) {
  model_choice c;
  double best = INFINITY;
  double actual = 0.0;
  for (std::size_t i = 0; i < summary.size(); ++i) actual += summary.holdout_frequency(i);
  const auto compressed = summary.compressed();
  const auto judge = [&](auto model, const char* label) {
    try {
      model.fit(compressed);
      const auto predicted = model.conditional_expected_purchases(summary.holdout_duration, summary);
      double se = 0.0, total = 0.0;
      for (std::size_t i = 0; i < summary.size(); ++i) {
        const double e = predicted(i) - summary.holdout_frequency(i);
        se += e * e;
        total += predicted(i);
      }
      const double rmse = std::sqrt(se / static_cast<double>(summary.size()));
      c.rows.push_back({label, fmt("%.2f", model.log_likelihood()), fmt("%.0f", total) + " vs " + fmt("%.0f", actual) +
                        fmt(" (%+.1f%%)", actual > 0 ? 100.0 * (total - actual) / actual : 0.0), fmt("%.4f", rmse)});
      c.text += std::string(c.text.empty() ? "" : ", ") + decltype(model)::name + fmt(" %.4f", rmse);
      if (rmse < best) best = rmse, c.name = decltype(model)::name;
      std::get<std::optional<decltype(model)>>(c.fitted) = std::move(model);
    } catch (const clm::error& e) {
      c.rows.push_back({label, "not fitted: " + std::string(e.what()), "", ""});
    }
  };
  judge(clm::bg_nbd<>(), "BG/NBD");
  judge(clm::mbg_nbd<>(), "MBG/NBD");
  judge(clm::pareto_nbd<>(), "Pareto/NBD");
  c.text = "holdout RMSE per customer: " + c.text + " -> " + (c.name.empty() ? "none fitted" : c.name);
  return c;
}

template <class Purchases>
int run(const options& o, const clm::transaction_log& log, clm::timestamp cal_end, clm::timestamp obs_end, timer& t,
        const console& out, std::string body, const std::string& choice_html, const std::optional<Purchases>& fitted) {
  namespace fs = std::filesystem;
  fs::create_directories(o.out);
  // 2. Summary.
  const clm::summary_options periods{.calibration_end = cal_end, .observation_end = obs_end};
  const auto summary = clm::summarize(log, periods);
  const std::size_t n = summary.size();
  if (n < 10) throw clm::invalid_argument("the log has " + std::to_string(n) + " customers before the calibration end; expected at least 10");
  std::size_t repeaters = 0;
  for (std::size_t i = 0; i < n; ++i) repeaters += summary.frequency(i) > 0.0;
  if (repeaters == 0) {
    throw clm::invalid_argument("every customer made a single purchase before the calibration end: the purchase and "
                                "spend models need repeat purchases");
  }
  out.step("2. customer summary", t.lap(),
           std::to_string(n) + " customers, " + std::to_string(repeaters) + " with repeat purchases; calibration to " +
               clm::format_date(cal_end) + ", holdout " + fmt("%.1f weeks", summary.holdout_duration));

  // 3. RFM segments.
  clm::table features = clm::rfm_features(log, periods);
  clm::rfm_segments<> rfm;
  rfm.fit(features);
  const auto segment = rfm.segments(features);
  const auto scores = rfm.transform(features);
  out.step("3. RFM segments", t.lap(),
           std::to_string(std::set<std::string>(segment.begin(), segment.end()).size()) + " segments from R, F, M quintiles");

  // 4. Purchase and spend models.
  // The model comparison's fit of the chosen model on this same summary, or a fit here.
  Purchases purchases = fitted ? *fitted : Purchases();
  if (!fitted) purchases.fit(summary.compressed());
  clm::gamma_gamma<> spend({.exclude_nonpositive = true});
  spend.fit(summary);
  const auto pp = purchases.parameters();
  std::vector<std::vector<std::string>> param_rows;
  if constexpr (!std::is_same_v<Purchases, clm::pareto_nbd<>>) {
    const std::string m = std::is_same_v<Purchases, clm::bg_nbd<>> ? "BG/NBD" : "MBG/NBD";
    param_rows = {{m, "r", fmt("%.4g", pp.r)}, {m, "alpha", fmt("%.4g", pp.alpha)},
                  {m, "a", fmt("%.4g", pp.a)}, {m, "b", fmt("%.4g", pp.b)},
                  {m, "log-likelihood", fmt("%.2f", purchases.log_likelihood())}};
  } else {
    param_rows = {{"Pareto/NBD", "r", fmt("%.4g", pp.r)}, {"Pareto/NBD", "alpha", fmt("%.4g", pp.alpha)},
                  {"Pareto/NBD", "s", fmt("%.4g", pp.s)}, {"Pareto/NBD", "beta", fmt("%.4g", pp.beta)},
                  {"Pareto/NBD", "log-likelihood", fmt("%.2f", purchases.log_likelihood())}};
  }
  const auto gp = spend.parameters();
  param_rows.push_back({"Gamma-Gamma", "p", fmt("%.4g", gp.p)});
  param_rows.push_back({"Gamma-Gamma", "q", fmt("%.4g", gp.q)});
  param_rows.push_back({"Gamma-Gamma", "v", fmt("%.4g", gp.v)});
  std::string params_text;
  for (const auto& r : param_rows) params_text += r[1] + " " + r[2] + "  ";
  out.step("4. purchase and spend models", t.lap(), params_text);
  // Degenerate fits: a parameter driven to the edge of its range means the data do not pin
  // it down; say so, and what it does to the predictions.
  std::vector<std::string> warnings;
  const auto edge = [](double v) { return v < 1e-4 || v > 1e5; };
  if constexpr (!std::is_same_v<Purchases, clm::pareto_nbd<>>) {
    if (edge(pp.a) || edge(pp.b)) {
      warnings.push_back(fmt("the dropout model is degenerate (a = %.3g, ", pp.a) + fmt("b = %.3g): ", pp.b) +
                         fmt("a customer drops out after a purchase with probability %.3g, so P(alive) and "
                             "churn follow from it only weakly; try --model pareto_nbd",
                             pp.a / (pp.a + pp.b)));
    }
  } else {
    if (edge(pp.s) || edge(pp.beta)) {
      warnings.push_back(fmt("the lifetime model is degenerate (s = %.3g, ", pp.s) + fmt("beta = %.3g): ", pp.beta) +
                         fmt("the mean death rate %.3g per period is barely identified; P(alive) is unreliable", pp.s / pp.beta));
    }
  }
  if (edge(pp.r) || edge(pp.alpha)) {
    warnings.push_back(fmt("the purchase-rate model is degenerate (r = %.3g, ", pp.r) + fmt("alpha = %.3g): ", pp.alpha) +
                       "customers' purchase rates are not told apart; expected purchases are unreliable");
  }
  if (edge(gp.p) || edge(gp.q) || edge(gp.v)) {
    warnings.push_back(fmt("Gamma-Gamma is degenerate (p = %.3g, ", gp.p) + fmt("q = %.3g, ", gp.q) +
                       fmt("v = %.3g): ", gp.v) + "the customers' mean spends are not told apart; CLV rests on the "
                       "population's mean spend alone");
  }
  for (const auto& w : warnings) out.warn(w);

  // 5. Per customer: P(alive), expected purchases over the horizon, CLV.
  const auto alive = purchases.probability_alive(summary);
  const auto expected = purchases.conditional_expected_purchases(o.horizon, summary);
  const clm::clv_options clv_terms{.months = static_cast<std::size_t>(std::ceil(o.horizon / 4.345))};
  const auto value = clm::clv(purchases, spend, summary, clv_terms);
  out.step("5. P(alive), purchases, CLV", t.lap(),
           fmt("mean P(alive) %.3f", xt::mean(alive)()) + fmt(", mean CLV %.2f", xt::mean(value)()) + " (" +
               std::to_string(clv_terms.months) + fmt(" months at %.0f%% a month)", 100.0 * clv_terms.monthly_discount_rate));

  // 6. Churn risk: logistic regression on RFM features; label = no purchase in the holdout.
  //    Against it, the purchase model's P(no purchase in the holdout | history).
  clm::vector<double> churned = clm::vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) churned(i) = summary.holdout_frequency(i) == 0.0 ? 1.0 : 0.0;
  const double churn_rate = xt::mean(churned)();
  auto churn = clm::make_pipeline(
      clm::make_column_transformer({.numeric = {"recency", "frequency", "monetary", "tenure", "total_spend"}},
                                   // signed: monetary and total spend net of refunds can be negative
                                   clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                                                      clm::log1p_transform<>({.signed_values = true}),
                                                      clm::standard_scaler<>()),
                                   clm::one_hot_encoder<>()),
      clm::logistic_regression<>({.C = 1.0, .max_iter = 500}));
  if (churn_rate == 0.0 || churn_rate == 1.0) {
    throw clm::invalid_argument("the holdout period has no churned or no retained customer; choose another calibration end");
  }
  const auto split = clm::train_test_split(churned, {.test_fraction = 0.25, .seed = o.seed, .stratify = true});
  churn.fit(features.take(split.train), clm::take_rows(churned, split.train));
  const auto y_test = clm::take_rows(churned, split.test);
  const auto risk_test = churn.predict_proba(features.take(split.test));
  const double auc = clm::roc_auc(y_test, risk_test), lift = clm::lift_at(y_test, risk_test, 0.1);
  const auto risk = churn.predict_proba(features);
  // The purchase model's own answer to the same question: P(no purchase over the holdout's
  // length | history). One at-risk score for the whole report: whichever of the two ranks
  // the held-out customers' churn better (test AUC), stated.
  const auto quiet = purchases.conditional_probability_no_purchases(summary.holdout_duration, summary);
  const auto quiet_test = clm::take_rows(quiet, split.test);
  const double auc_quiet = clm::roc_auc(y_test, quiet_test);
  const bool use_quiet = auc_quiet > auc;
  const clm::vector<double>& at_risk_score = use_quiet ? quiet : risk;
  const std::string score_name = use_quiet ? "P(no purchase in " + fmt("%.3g", summary.holdout_duration) + " " +
                                                 (summary.unit == clm::time_unit::week ? "weeks" : "days") + ")"
                                           : std::string("churn-model risk");
  const double lift_used = use_quiet ? clm::lift_at(y_test, quiet_test, 0.1) : lift;
  out.step("6. churn risk model", t.lap(),
           fmt("%.1f%% churned in the holdout; test AUC: ", 100 * churn_rate) + fmt("churn model %.3f, ", auc) +
               Purchases::name + fmt(" P(no purchase) %.3f; ", auc_quiet) + "at-risk score: " + score_name +
               fmt(" (AUC %.3f, ", std::max(auc, auc_quiet)) + fmt("lift in the top decile %.2fx)", lift_used));

  // 7. Recommendations from the calibration purchases (when the log has items).
  std::vector<std::string> top_items(n);
  std::string rec_text = "no item column: skipped";
  if (log.has_items()) {
    std::vector<std::string> u, it;
    for (std::size_t k = 0; k < log.size(); ++k) {
      if (log.time[k] < cal_end && log.item[k] >= 0) {
        u.push_back(log.customer_ids[static_cast<std::size_t>(log.customer[k])]);
        it.push_back(log.item_ids[static_cast<std::size_t>(log.item[k])]);
      }
    }
    const auto bought = clm::interactions::from_triples(u, it, {}, {.kind = clm::feedback::implicit_counts});
    const auto fill = [&](const auto& model) {
      const auto top = model.recommend_all(5, {}, out.bar());
      for (std::size_t i = 0; i < n; ++i) {
        const auto user = bought.user_index(summary.ids[i]);
        if (!user) continue;
        for (std::size_t k = 0; k < 5 && top.items(*user, k) >= 0; ++k) {
          top_items[i] += (k ? ";" : "") + bought.item_ids()[static_cast<std::size_t>(top.items(*user, k))];
        }
      }
      clm::save(model, fs::path(o.out) / (o.recommender + ".clm"));
    };
    if (o.recommender == "ease") {
      clm::ease<> m({.l2 = 200.0, .n_jobs = 0});
      fill(m.fit(bought));
    } else {
      clm::item_knn<> m({.k = 50,
                         .similarity = {.kind = clm::similarity_kind::cosine, .mode = clm::similarity_mode::zero_filled},
                         .n_jobs = 0});
      fill(m.fit(bought, out.bar()));
    }
    rec_text = o.recommender + " on " + std::to_string(bought.nnz()) + " customer-item pairs, top 5 per customer";
  }
  out.step("7. recommendations", t.lap(), rec_text);

  // 8. Files: customers.csv, segments.csv, models.
  {
    std::ofstream f(fs::path(o.out) / "customers.csv");
    f << "customer_id,frequency,recency,T,monetary_value,r_score,f_score,m_score,segment,p_alive,expected_purchases,"
         "clv,churn_risk,p_no_purchase,at_risk_score,top_items\n";
    for (std::size_t i = 0; i < n; ++i) {
      f << summary.ids[i] << ',' << summary.frequency(i) << ',' << summary.recency(i) << ',' << summary.T(i) << ','
        << summary.monetary_value(i) << ',' << scores(i, 0) << ',' << scores(i, 1) << ',' << scores(i, 2) << ",\""
        << segment[i] << "\"," << alive(i) << ',' << expected(i) << ',' << value(i) << ',' << risk(i) << ','
        << quiet(i) << ',' << at_risk_score(i) << ",\"" << top_items[i] << "\"\n";
    }
  }
  clm::table per_customer = features;
  // segments.csv speaks of the time since the last purchase (RFM's recency) by that name:
  // customers.csv's recency is the summary's (the time of the last purchase from the first).
  per_customer.add_numeric("time_since_last_purchase", features.numeric("recency"));
  per_customer.add_numeric("p_alive", alive);
  per_customer.add_numeric("clv", value);
  per_customer.add_numeric("churn_risk", risk);
  per_customer.add_numeric("at_risk_score", at_risk_score);
  per_customer.add_numeric("holdout_churned", churned);  // its mean: the segment's holdout churn rate
  const auto prof = clm::profile(segment, per_customer,
                                 {"time_since_last_purchase", "frequency", "monetary", "total_spend", "p_alive", "clv",
                                  "holdout_churned", "churn_risk", "at_risk_score"});
  clm::write_csv(prof, fs::path(o.out) / "segments.csv");
  clm::save(purchases, fs::path(o.out) / (std::string(Purchases::name) + ".clm"));
  clm::save(spend, fs::path(o.out) / "gamma_gamma.clm");
  clm::save(churn, fs::path(o.out) / "churn.clm");
  clm::save(rfm, fs::path(o.out) / "rfm_segments.clm");
  out.step("8. customers, segments, models", t.lap(), "written to " + o.out);

  // 9. report.html: charts and tables.
  using namespace report;
  const auto money = [&](double v, int digits) { return o.currency + num(v, digits); };
  std::vector<std::string> seg_names;
  std::vector<double> seg_count, seg_value;
  const auto& seg_col = prof.categorical("segment");
  for (std::size_t g = 0; g < prof.rows(); ++g) {
    seg_names.push_back(seg_col.levels[static_cast<std::size_t>(seg_col.codes[g])]);
    seg_count.push_back(prof.numeric("customers")(g));
    seg_value.push_back(prof.numeric("customers")(g) * prof.numeric("mean_clv")(g));
  }
  std::string charts = "<div class=\"grid\">" +
                       bar_chart("segment-sizes", "Customers per RFM segment", seg_names, seg_count, "customers", "#4c78a8") +
                       bar_chart("segment-value", "Predicted value (CLV) per segment", seg_names, seg_value, "total CLV",
                                 "#f58518") +
                       histogram("clv-distribution", "CLV distribution",
                                 std::vector<double>(value.begin(), value.end()), "CLV") + "</div>";
  // P(alive) over frequency x recency at the largest T (lifetimes' plot_probability_alive_matrix).
  const double max_t = xt::amax(summary.T)();
  std::size_t max_x = static_cast<std::size_t>(xt::amax(summary.frequency)());
  max_x = std::min<std::size_t>(max_x, 40);
  constexpr std::size_t cells = 40;
  const auto g = grid_summary(max_x, max_t, cells, summary.unit);
  const auto pa = purchases.probability_alive(g);
  std::vector<std::vector<double>> matrix(max_x + 1, std::vector<double>(cells));
  for (std::size_t x = 0; x <= max_x; ++x) {
    for (std::size_t c = 0; c < cells; ++c) matrix[x][c] = pa(x * cells + c);
  }
  // Predicted vs actual holdout purchases by calibration frequency (0..7, 7+).
  series actual{"actual", "#4c78a8", {}, {}}, predicted{"model", "#f58518", {}, {}, true};
  const auto holdout_expected = purchases.conditional_expected_purchases(summary.holdout_duration, summary);
  const double holdout_actual_total = xt::sum(summary.holdout_frequency)(), holdout_model_total = xt::sum(holdout_expected)();
  const std::string holdout_words =
      fmt("the model expected %.0f repeat purchases in the holdout, ", holdout_model_total) +
      fmt("%.0f happened", holdout_actual_total) +
      (holdout_actual_total > 0
           ? fmt(" (%+.0f%%", 100.0 * (holdout_model_total - holdout_actual_total) / holdout_actual_total) + ": " +
                 (holdout_model_total < holdout_actual_total ? "it under-predicts)" : "it over-predicts)")
           : std::string());
  for (int x = 0; x <= 7; ++x) {
    double a = 0, p = 0, c = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (summary.frequency(i) == x || (x == 7 && summary.frequency(i) > 7)) {
        a += summary.holdout_frequency(i), p += holdout_expected(i), c += 1;
      }
    }
    if (c == 0) continue;
    actual.x.push_back(x), actual.y.push_back(a / c), predicted.x.push_back(x), predicted.y.push_back(p / c);
  }
  // Cumulative repeat purchases (purchase days after a customer's first) by week since the
  // log's first purchase, actual and the model's (lifetimes' plot_cumulative_transactions):
  // customers acquired on day d add E[X(t - d)] each, grouped by acquisition day.
  series cum_actual{"actual", "#4c78a8", {}, {}}, cum_model{"model", "#f58518", {}, {}, true};
  std::vector<std::vector<double>> cohort_rows;  // per first-purchase month: share buying k months later
  std::vector<std::int64_t> cohort_names;
  {
    std::vector<std::pair<std::int32_t, std::int64_t>> days;  // (customer, day), calibration customers only
    days.reserve(log.size());
    for (std::size_t k = 0; k < log.size(); ++k) {
      if (log.time[k].day() <= obs_end.day()) days.emplace_back(log.customer[k], log.time[k].day());
    }
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    std::int64_t day0 = std::numeric_limits<std::int64_t>::max();
    for (const auto& d : days) day0 = std::min(day0, d.second);
    std::map<std::int64_t, double> acquired;  // first-purchase day -> customers
    std::vector<std::int64_t> repeats;        // days of repeat purchases
    bool counted = false;                     // the customer was acquired by the calibration end
    for (std::size_t k = 0; k < days.size(); ++k) {
      if (k == 0 || days[k].first != days[k - 1].first) {
        counted = days[k].second <= cal_end.day();
        if (counted) acquired[days[k].second] += 1.0;
      } else if (counted) {
        repeats.push_back(days[k].second);
      }
    }
    std::sort(repeats.begin(), repeats.end());
    // Cohorts by first-purchase month: the share of each that bought in each later month.
    const auto month_of = [](std::int64_t day) {
      const auto c = clm::civil_from_days(day);
      return static_cast<std::int64_t>(c.year) * 12 + static_cast<std::int64_t>(c.month) - 1;
    };
    const std::int64_t last_month = month_of(obs_end.day());
    std::map<std::int64_t, std::pair<double, std::map<std::int64_t, double>>> cohort;  // month -> (size, k -> buyers)
    std::int64_t first_month = 0;
    std::set<std::int64_t> months_seen;
    for (std::size_t k = 0; k < days.size(); ++k) {
      if (k == 0 || days[k].first != days[k - 1].first) {
        counted = days[k].second <= cal_end.day();
        first_month = month_of(days[k].second);
        months_seen.clear();
        if (counted) cohort[first_month].first += 1.0;
      } else if (counted) {
        const std::int64_t m = month_of(days[k].second) - first_month;
        if (m > 0 && months_seen.insert(m).second) cohort[first_month].second[m] += 1.0;
      }
    }
    std::int64_t span = 0;
    for (const auto& [m, c] : cohort) span = std::max(span, last_month - m);
    for (const auto& [m, c] : cohort) {
      std::vector<double> row(static_cast<std::size_t>(std::max<std::int64_t>(span, 1)), std::nan(""));
      for (std::int64_t k = 1; k <= last_month - m && k <= span; ++k) {
        const auto it = c.second.find(k);
        row[static_cast<std::size_t>(k - 1)] = (it == c.second.end() ? 0.0 : it->second) / c.first;
      }
      cohort_rows.push_back(std::move(row));
      cohort_names.push_back(m);
    }
    const double per_unit = summary.unit == clm::time_unit::week ? 7.0 : 1.0;
    const std::int64_t weeks = (obs_end.day() - day0) / 7;
    std::size_t seen = 0;
    for (std::int64_t w = 0; w <= weeks; ++w) {
      const std::int64_t day = day0 + 7 * w;
      while (seen < repeats.size() && repeats[seen] <= day) ++seen;
      double model_total = 0.0;
      for (const auto& [d, count] : acquired) {
        if (d < day) model_total += count * purchases.expected_purchases(static_cast<double>(day - d) / per_unit);
      }
      cum_actual.x.push_back(static_cast<double>(w));
      cum_actual.y.push_back(static_cast<double>(seen));
      cum_model.x.push_back(static_cast<double>(w));
      cum_model.y.push_back(model_total);
    }
  }
  const auto roc = clm::roc_curve(y_test, risk_test);
  const auto roc_quiet = clm::roc_curve(y_test, quiet_test);
  const auto gain = clm::cumulative_gain(y_test, use_quiet ? quiet_test : risk_test);
  const auto vec = [](const clm::vector<double>& v) { return std::vector<double>(v.begin(), v.end()); };
  charts += "<div class=\"grid\">" +
            heatmap("p-alive-matrix", "P(alive) by frequency and recency (T = " + num(max_t) + ")", matrix, max_t,
                    static_cast<double>(max_x), "recency (time of last purchase)", "frequency (repeat purchases)") +
            line_chart("holdout-validation", "Holdout purchases per customer: " + fmt("model %.0f, ", holdout_model_total) +
                           fmt("actual %.0f in all", holdout_actual_total),
                       {actual, predicted}, "repeat purchases in calibration (7: 7 or more)", "purchases in holdout") +
            line_chart("cumulative-repeat", "Cumulative repeat purchases (calibration to " + clm::format_date(cal_end) + ")",
                       {cum_actual, cum_model}, "weeks since the first purchase in the log", "repeat purchases") +
            [&] {
              // Shares relative to the largest, so a 5 % retention still shows; the largest stated.
              double top = 0.0;
              for (const auto& r : cohort_rows) {
                for (const double v : r) top = std::isnan(v) ? top : std::max(top, v);
              }
              auto scaled = cohort_rows;
              for (auto& r : scaled) {
                for (auto& v : r) v = std::isnan(v) || top == 0.0 ? v : v / top;
              }
              const auto name = [](std::int64_t m) { return std::to_string(m / 12) + "-" + (m % 12 < 9 ? "0" : "") + std::to_string(m % 12 + 1); };
              return heatmap("cohort-retention",
                             "Cohorts " + (cohort_names.empty() ? std::string() : name(cohort_names.front()) + " to " +
                                                                                      name(cohort_names.back())) +
                                 ": share buying k months later (1 = " + num(100.0 * top) + " %)",
                             scaled, static_cast<double>(scaled.empty() ? 1 : scaled[0].size()),
                             static_cast<double>(scaled.size()), "months since the first purchase",
                             "cohort (first-purchase month, oldest at the bottom)");
            }() +
            "</div><div class=\"grid\">" +
            line_chart("churn-roc", "Holdout churn ROC: churn model (AUC " + num(auc) + "), P(no purchase) (AUC " +
                           num(auc_quiet) + ")",
                       {{"churn model", "#4c78a8", vec(roc.fpr), vec(roc.tpr)},
                        {"P(no purchase)", "#f58518", vec(roc_quiet.fpr), vec(roc_quiet.tpr)},
                        {"chance", "#999", {0, 1}, {0, 1}, true}},
                       "false positive rate", "true positive rate") +
            line_chart("churn-gain", "Cumulative gain of the at-risk score (lift in top decile " + num(lift_used) +
                           "x, at most " + num(1.0 / std::max(churn_rate, 0.1)) + "x)",
                       {{"model", "#4c78a8", vec(gain.fraction), vec(gain.gain)}, {"random", "#999", {0, 1}, {0, 1}, true}},
                       "share of customers contacted", "share of churners reached") +
            "</div>";
  // Decisions: valuable customers slipping away: at-risk score >= 0.5 (one-time buyers
  // included), the highest expected value (CLV) first.
  std::vector<std::size_t> at_risk;
  for (std::size_t i = 0; i < n; ++i) {
    if (at_risk_score(i) >= 0.5) at_risk.push_back(i);
  }
  std::stable_sort(at_risk.begin(), at_risk.end(), [&](std::size_t a, std::size_t b) { return value(a) > value(b); });
  std::vector<std::vector<std::string>> risk_rows, best_rows;
  for (std::size_t k = 0; k < std::min<std::size_t>(15, at_risk.size()); ++k) {
    const std::size_t i = at_risk[k];
    risk_rows.push_back({summary.ids[i], segment[i], money(value(i), 6), num(at_risk_score(i)), num(alive(i))});
    if (log.has_items()) risk_rows.back().push_back(top_items[i]);
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) > value(b); });
  for (std::size_t k = 0; k < std::min<std::size_t>(15, n); ++k) {
    const std::size_t i = order[k];
    best_rows.push_back({summary.ids[i], segment[i], money(value(i), 6), num(alive(i)), num(expected(i))});
    if (log.has_items()) best_rows.back().push_back(top_items[i]);
  }
  const auto with_items = [&](std::vector<std::string> header) {
    if (log.has_items()) header.push_back("recommend");
    return header;
  };
  // The page opens with the key figures and what each means.
  double revenue = 0.0, orders = 0.0;
  for (std::size_t k = 0; k < log.size(); ++k) {
    if (log.time[k] > cal_end) continue;
    orders += 1.0;
    if (!log.amount.empty()) revenue += log.amount[k];
  }
  const std::string unit = summary.unit == clm::time_unit::week ? "weeks" : "days";
  const std::vector<std::vector<std::string>> kpis = {
      {"customers", num(static_cast<double>(n), 6), "with a first purchase by the calibration end"},
      {"orders", num(orders, 7), "rows of the cleaned log by the calibration end"},
      {"revenue", money(revenue, 7), "their amounts, refunds netted"},
      {"repeat rate", num(100.0 * static_cast<double>(repeaters) / static_cast<double>(n)) + " %",
       "customers with a purchase on a later day than their first"},
      {"holdout churn rate", num(100.0 * churn_rate) + " %",
       "customers without a purchase in the " + num(summary.holdout_duration) + " " + unit + " after the calibration end"},
      {"expected CLV, all customers", money(xt::sum(value)(), 7),
       "revenue expected over the next " + std::to_string(clv_terms.months) + " months, discounted at " +
           num(100.0 * clv_terms.monthly_discount_rate) + " % a month"},
      {"holdout check", holdout_words, "the purchase model against what happened after the calibration end"}};
  body += "<h2>Key figures</h2>" + html_table({"figure", "value", "meaning"}, kpis) +
          "<p class=\"note\">P(alive): the purchase model's probability that the customer is still active at the "
          "calibration end. Expected purchases and CLV: over the horizon (" + num(o.horizon) + " weeks; CLV in " +
          std::to_string(clv_terms.months) + " months). Segments: RFM quintile scores (recency there is the time "
          "since the last purchase).</p>";
  // Per segment: what it is worth, how it behaved in the holdout, what to do.
  const auto action = [](const std::string& seg) -> std::string {
    static const std::map<std::string, std::string> a = {
        {"Champions", "reward: early access, loyalty perks; no discounts needed"},
        {"Loyal", "upsell and cross-sell; invite to the loyalty programme"},
        {"Potential loyalist", "membership or a second-category offer"},
        {"New", "onboarding; nudge the second purchase"},
        {"Promising", "build awareness; a small first-repeat offer"},
        {"Need attention", "a limited-time offer on what they bought"},
        {"About to sleep", "reactivate: recommendations and a modest discount"},
        {"At risk", "personal win-back message and offer"},
        {"Can't lose", "win back with the best offer; contact them directly"},
        {"Hibernating", "low-cost reactivation only"},
        {"Lost", "spend little: occasional re-acquisition campaigns"}};
    const auto it = a.find(seg);
    return it == a.end() ? std::string() : it->second;
  };
  double spend_total = 0.0;
  for (std::size_t g = 0; g < prof.rows(); ++g) spend_total += prof.numeric("customers")(g) * prof.numeric("mean_total_spend")(g);
  std::vector<std::vector<std::string>> seg_rows;
  for (std::size_t g = 0; g < prof.rows(); ++g) {
    const double size = prof.numeric("customers")(g);
    seg_rows.push_back({seg_names[g], num(size, 6),
                        num(spend_total != 0.0 ? 100.0 * size * prof.numeric("mean_total_spend")(g) / spend_total : 0.0) + " %",
                        num(prof.numeric("mean_p_alive")(g)), money(prof.numeric("mean_clv")(g), 3),
                        num(100.0 * prof.numeric("mean_holdout_churned")(g)) + " %", num(prof.numeric("mean_at_risk_score")(g)),
                        action(seg_names[g])});
  }
  charts += html_table({"segment", "customers", "revenue share", "mean P(alive)", "mean CLV", "holdout churn rate",
                        "mean at-risk score", "suggested action"},
                       seg_rows);
  body += "<h2>Segments, value and activity</h2>" + charts +
          "<h2>Fitted parameters</h2>" + choice_html + html_table({"model", "parameter", "value"}, param_rows) +
          [&] {
            std::string w;
            for (const auto& line : warnings) w += "<p class=\"note\">Warning: " + escape(line) + ".</p>";
            return w;
          }() +
          "<h2>At risk: " + escape(score_name) + " &ge; 0.5, highest CLV first</h2>" +
          "<p>The at-risk score is the one of the two that ranked held-out churn better (test AUC " +
          num(std::max(auc, auc_quiet)) + "): the churn model's risk or the purchase model's P(no purchase).</p>" +
          html_table(with_items({"customer", "segment", "CLV", "at-risk score", "P(alive)"}), risk_rows) +
          "<h2>Most valuable: highest CLV</h2>" +
          html_table(with_items({"customer", "segment", "CLV", "P(alive)", "expected purchases"}), best_rows);
  std::ofstream(fs::path(o.out) / "report.html") << page("Customer lifecycle report", body);
  out.step("9. report.html", t.lap(), std::to_string(at_risk.size()) + " customers with " + score_name + " >= 0.5");
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const options o = parse_args(argc, argv);
  const console out(o.quiet);
  timer t;
  clm::transaction_log log;
  std::string source;
  clm::timestamp cal_end, obs_end;
  if (o.transactions.empty()) {
    const auto pop = clm::synthetic::make_population(
        {.n_customers = o.customers, .seed = o.seed, .n_items = 300, .duplicate_rate = 0.01});
    log = pop.transactions;
    cal_end = date_or(o.calibration_end, pop.calibration_end);
    obs_end = date_or(o.observation_end, pop.observation_end);
    source = "no --transactions given: a simulated population of " + std::to_string(o.customers) + " customers (seed " +
             std::to_string(o.seed) + ")";
  } else {
    clm::csv_options csv{.delimiter = o.delimiter, .whitespace = o.whitespace, .header = o.header};
    // With a price column the amount is quantity x price; --amount-column then names nothing.
    const std::string amount = o.price.empty() ? o.amount : std::string();
    log = clm::read_transactions(o.transactions,
                                 {.customer = o.customer, .date = o.date, .amount = amount, .item = o.item,
                                  .quantity = o.quantity, .price = o.price, .order = o.order, .status = o.status},
                                 csv,
                                 {.date_format = o.date_format, .skip_bad_rows = true, .drop_guests = true,
                                  .cancelled_order_prefix = o.cancelled_prefix,
                                  .cancelled_status = o.cancelled_status.empty() ? std::vector<std::string>{}
                                                                                 : std::vector<std::string>{o.cancelled_status}});
    if (log.size() == 0) {
      throw clm::invalid_argument("'" + o.transactions + "' holds no purchases" +
                                  (log.skipped_rows == 0 ? std::string()
                                                         : " (" + std::to_string(log.skipped_rows) +
                                                               " rows skipped; the first at " + log.first_skipped + ")"));
    }
    const auto last = *std::max_element(log.time.begin(), log.time.end());
    obs_end = date_or(o.observation_end, last);
    cal_end = date_or(o.calibration_end, clm::timestamp{obs_end.seconds - static_cast<std::int64_t>(o.horizon * 7 * 86400)});
    source = "'" + o.transactions + "'";
  }
  // Cleaning: exact duplicate rows (same customer, time, amount and item) are dropped.
  const std::size_t rows = log.size();
  if (!o.keep_duplicates) {
    std::vector<std::size_t> idx(rows);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    const auto key = [&](std::size_t k) {
      return std::make_tuple(log.customer[k], log.time[k].seconds, log.amount.empty() ? 0.0 : log.amount[k],
                             log.item.empty() ? -1 : log.item[k]);
    };
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<char> drop(rows, 0);
    for (std::size_t k = 1; k < rows; ++k) drop[idx[k]] = key(idx[k]) == key(idx[k - 1]);
    clm::transaction_log clean = log;
    clean.customer.clear(), clean.time.clear(), clean.amount.clear(), clean.item.clear();
    for (std::size_t k = 0; k < rows; ++k) {
      if (drop[k]) continue;
      clean.customer.push_back(log.customer[k]);
      clean.time.push_back(log.time[k]);
      if (!log.amount.empty()) clean.amount.push_back(log.amount[k]);
      if (!log.item.empty()) clean.item.push_back(log.item[k]);
    }
    log = std::move(clean);
  }
  if (!o.quiet) std::printf("clm %s lifecycle report: %s\n\n", CLM_VERSION_STRING, source.c_str());
  clm::blas::warn_once();  // kernels older than the CPU: the variable to set, once
  const auto blas = clm::blas::info();
  out.step("1. read and clean", t.lap(),
           std::to_string(rows) + " rows, " + std::to_string(log.skipped_rows) + " bad rows skipped, " +
               std::to_string(log.guest_rows) + " guest rows and " + std::to_string(log.cancelled_rows) +
               " cancelled lines dropped, " + std::to_string(rows - log.size()) + " duplicates dropped" +
               (log.skipped_rows == 0 ? std::string() : "; first skipped at " + log.first_skipped));
  const std::string page_source = o.transactions.empty()
                                      ? source
                                      : "'" + std::filesystem::path(o.transactions).filename().string() + "'";
  std::string body = "<p class=\"note\">Source: " + report::escape(page_source) + ". " + std::to_string(log.size()) +
                     " purchases after cleaning (" + std::to_string(log.skipped_rows) + " bad rows skipped, " +
                     std::to_string(log.guest_rows) + " guest rows and " + std::to_string(log.cancelled_rows) +
                     " cancelled lines dropped, " +
                     std::to_string(rows - log.size()) + " duplicates dropped). Calibration to " +
                     clm::format_date(cal_end) + ", holdout to " + clm::format_date(obs_end) + ", horizon " +
                     report::num(o.horizon) + " weeks. Generated by clm " + CLM_VERSION_STRING + " on " +
                     report::escape(clm::blas::describe(blas)) + ".</p>";
  if (const auto advice = clm::blas::kernel_advice(blas); !advice.empty()) {
    body += "<p class=\"note\">" + report::escape(advice) + "</p>";
  }
  std::string model = o.model, choice_html;
  model_choice choice;
  if (model == "auto") {
    // The comparison needs the calibration summary with repeat purchases; without them the
    // report's own checks (in run) say what is missing.
    const auto summary = clm::summarize(log, {.calibration_end = cal_end, .observation_end = obs_end});
    const bool repeaters = std::any_of(summary.frequency.begin(), summary.frequency.end(), [](double x) { return x > 0; });
    model = "bg_nbd";
    if (summary.size() >= 10 && repeaters && summary.has_holdout()) {
      choice = choose_model(summary);
      if (!choice.name.empty()) model = choice.name;
      out.step("1b. purchase model choice", t.lap(), choice.text);
      choice_html = "<p>Purchase model chosen on the holdout: the smallest root mean squared error of predicted "
                    "holdout purchases per customer (" + report::escape(model) + ").</p>" +
                    report::html_table({"model", "log-likelihood (calibration)", "holdout purchases predicted vs actual",
                                        "RMSE per customer"},
                                       choice.rows);
    }
  }
  const auto go = [&](auto tag) {
    using M = typename decltype(tag)::type;
    return run<M>(o, log, cal_end, obs_end, t, out, body, choice_html, std::get<std::optional<M>>(choice.fitted));
  };
  const int rc = model == "pareto_nbd" ? go(std::type_identity<clm::pareto_nbd<>>{})
                 : model == "mbg_nbd"  ? go(std::type_identity<clm::mbg_nbd<>>{})
                                       : go(std::type_identity<clm::bg_nbd<>>{});
  if (!o.quiet) std::printf("\nwrote %s/{customers.csv, segments.csv, report.html, *.clm}\n", o.out.c_str());
  return rc;
} catch (const clm::error& e) {
  std::fprintf(stderr, "lifecycle_report: %s\n", e.what());
  return 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "lifecycle_report: %s\n", e.what());
  return 1;
}
