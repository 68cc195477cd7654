#pragma once
// The lifecycle analysis (clm/lifecycle/analysis.hpp) written out for people and programs:
//
//   customers_table       one row per customer: the summary (frequency, recency = time of
//                         the last purchase from the first, T, monetary_value), R/F/M
//                         scores, segment and rfm_segment, p_alive, expected_purchases,
//                         clv, churn_risk, p_no_purchase, at_risk_score, top_items
//   write_customers_csv   customers_table as CSV
//   write_segments_csv    a profile per segment (size, share, means of the RFM features,
//                         time_since_last_purchase, p_alive, clv, holdout churn, scores)
//   save_lifecycle_models the fitted models as .clm files (clm::load reads them back)
//   report_html           one self-contained page: key figures with their meanings,
//                         segment table with actions, charts (inline SVG), fitted
//                         parameters and the model comparison, warnings, decision lists
//   write_lifecycle_report all of the above into a directory

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "clm/io/archive.hpp"
#include "clm/lifecycle/analysis.hpp"
#include "clm/lifecycle/report/svg.hpp"

namespace clm {

struct report_options {
  std::string title = "Customer lifecycle report";
  std::string source;    ///< where the data came from, shown as is (say a file name, not a path)
  std::string currency;  ///< put before money values, e.g. "$" or "EUR "
  std::string environment;  ///< a line on the build and BLAS kernels ("" for none)
  std::string advice;       ///< a note shown under it ("" for none)
  std::size_t list_length = 15;  ///< rows of the at-risk and most-valuable lists
};

/// A segment's suggested action (the usual RFM playbook).
inline std::string segment_action(const std::string& segment) {
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
  const auto it = a.find(segment);
  return it == a.end() ? std::string() : it->second;
}

/// What puts a customer in a segment: the RFM map's score ranges (first matching rule
/// wins), and for Can't lose / At risk also the move of an at-risk Champion, Loyal customer
/// or Potential loyalist (see analysis.hpp).
inline std::string segment_definition(const std::string& segment, double at_risk_threshold) {
  const auto range = [](int lo, int hi) { return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi); };
  std::string d;
  for (const auto& r : rfm_map) {
    if (segment != r.name) continue;
    d = "R " + range(r.r_lo, r.r_hi) + ", F " + range(r.f_lo, r.f_hi) + ", M " + range(r.m_lo, r.m_hi);
  }
  if (segment == "Other") d = "scores no rule of the map covers";
  char t[32];
  std::snprintf(t, sizeof t, "%g", at_risk_threshold);
  if (segment == "Can't lose") d += "; or a Champion or Loyal customer with an at-risk score of " + std::string(t) + " or more";
  if (segment == "At risk") d += "; or a Potential loyalist with an at-risk score of " + std::string(t) + " or more";
  return d;
}

/// One row per customer, the columns of customers.csv (see the top of this header), as a
/// table (write_csv writes it; a database backend's write_sql stores it).
/// The churn model's feature names in words.
inline std::string feature_words(const std::string& name) {
  if (name == "recency") return "long since last purchase";
  if (name == "frequency") return "repeat purchases";
  if (name == "monetary") return "mean spend";
  if (name == "tenure") return "customer age";
  if (name == "total_spend") return "total spend";
  if (name == "no_purchase_log_odds") return "purchase model: likely silent";
  return name;
}

/// The k-th at-risk customer's reasons: "feature (+contribution to the logit); ...".
inline std::string reason_text(const lifecycle_analysis& a, std::size_t k) {
  std::string out;
  for (std::size_t r = 0; r < a.at_risk_reasons.k(); ++r) {
    const double c = a.at_risk_reasons.contribution(k, r);
    if (!(c > 0)) break;  // only what raises the risk
    out += (out.empty() ? "" : "; ") + feature_words(a.at_risk_reasons.name(k, r)) + detail::lifecycle_fmt(" (+%.2f)", c);
  }
  return out;
}

inline table customers_table(const lifecycle_analysis& a) {
  const auto& s = a.summary;
  const std::size_t n = s.size();
  const auto text = [&](const std::vector<std::string>& v) {
    categorical_column c;
    c.codes.resize(n);
    detail::level_builder levels;
    for (std::size_t i = 0; i < n; ++i) c.codes[i] = levels.code(v[i]);
    c.levels = levels.take_levels();
    return c;
  };
  const auto score = [&](std::size_t k) {
    vector<double> v = vector<double>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) v(i) = a.rfm_scores(i, k);
    return v;
  };
  table t;
  t.add_categorical("customer_id", text(s.ids));
  t.add_numeric("frequency", s.frequency);
  t.add_numeric("recency", s.recency);
  t.add_numeric("T", s.T);
  t.add_numeric("monetary_value", s.monetary_value);
  t.add_numeric("r_score", score(0));
  t.add_numeric("f_score", score(1));
  t.add_numeric("m_score", score(2));
  t.add_categorical("segment", text(a.segment));
  t.add_categorical("rfm_segment", text(a.rfm_segment));
  t.add_numeric("p_alive", a.p_alive);
  t.add_numeric("expected_purchases", a.expected_purchases);
  t.add_numeric("clv", a.clv);
  t.add_numeric("churn_risk", a.churn_risk);
  t.add_numeric("p_no_purchase", a.p_no_purchase);
  t.add_numeric("at_risk_score", a.at_risk_score);
  t.add_categorical("top_items", text(a.top_items));
  t.add_numeric("churn_time", a.churn_time);
  std::vector<std::string> reasons(n);
  for (std::size_t k = 0; k < a.at_risk_reasons.rows(); ++k) reasons[a.at_risk[k]] = reason_text(a, k);
  t.add_categorical("churn_reasons", text(reasons));
  if (a.offer_model) {
    t.add_numeric("uplift", a.uplift);
    vector<double> offer = xt::zeros<double>({n});
    for (std::size_t i : a.offers.customers) offer(i) = 1.0;
    t.add_numeric("send_offer", offer);
  }
  return t;
}

inline void write_customers_csv(const lifecycle_analysis& a, const std::filesystem::path& path) {
  write_csv(customers_table(a), path);
}

inline void write_segments_csv(const lifecycle_analysis& a, const std::filesystem::path& path) {
  write_csv(a.segment_profile, path);
}

/// <model>.clm for the purchase model, gamma_gamma.clm, churn.clm, rfm_segments.clm, the
/// recommender's (item_knn.clm or ease.clm), the Cox model of time to churn (cox_ph.clm) and
/// the offer's uplift model (offer_uplift.clm) when there are.
inline void save_lifecycle_models(const lifecycle_analysis& a, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  a.with_purchase_model([&](const auto& m) { save(m, fs::path(dir) / (a.purchase_model_name() + ".clm")); });
  save(a.spend, dir / "gamma_gamma.clm");
  save(a.churn, dir / "churn.clm");
  save(a.rfm, dir / "rfm_segments.clm");
  if (const auto* knn = std::get_if<item_knn<>>(&a.recommender)) save(*knn, dir / "item_knn.clm");
  if (const auto* e = std::get_if<ease<>>(&a.recommender)) save(*e, dir / "ease.clm");
  if (a.churn_hazard) save(*a.churn_hazard, dir / "cox_ph.clm");
  if (a.offer_model) save(*a.offer_model, dir / "offer_uplift.clm");
}

namespace detail {

/// A summary row per grid cell (frequency x recency, T fixed) for the P(alive) matrix.
inline customer_summary lifecycle_grid(std::size_t max_x, double max_t, std::size_t cells, time_unit unit) {
  customer_summary g;
  const std::size_t n = (max_x + 1) * cells;
  g.frequency = g.recency = g.T = g.weight = vector<double>::from_shape({n});
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

inline std::vector<double> lifecycle_std(const vector<double>& v) { return std::vector<double>(v.begin(), v.end()); }

}  // namespace detail

namespace detail {

/// Kaplan-Meier curves by segment and the Cox model of time to churn.
inline std::string survival_section(const lifecycle_analysis& a) {
  using namespace report;
  const char* palette[] = {"#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d",
                           "#bab0ac", "#eeca3b"};
  const auto step_series = [](const std::string& name, const std::string& colour, const kaplan_meier<>& km) {
    series s{name, colour, {0.0}, {1.0}};
    for (std::size_t j = 0; j < km.times().size(); ++j) {
      s.x.push_back(km.times()[j]);
      s.y.push_back(j == 0 ? 1.0 : km.survival_function()[j - 1]);
      s.x.push_back(km.times()[j]);
      s.y.push_back(km.survival_function()[j]);
    }
    return s;
  };
  std::vector<series> lines{step_series("all customers", "#333", a.survival)};
  for (std::size_t g = 0; g < a.survival_by_segment.size(); ++g) {
    lines.push_back(step_series(a.survival_by_segment[g].first, palette[g % 10], a.survival_by_segment[g].second));
  }
  const std::string unit = a.unit_name();
  const double median = a.survival.median_survival();
  std::string html = "<h2>Time to churn</h2><p>A churned customer (no purchase in the holdout) is taken to have "
                     "churned at their last purchase (a one-time buyer who never came back, at time 0); a retained one is "
                     "followed to the observation end (censored). Median time from the first purchase to churn: " +
                     (std::isinf(median) ? std::string("not reached") : num(median) + " " + unit) + ".</p>" +
                     line_chart("survival-by-segment", "Kaplan-Meier: share not yet churned, by segment", lines,
                                unit + " since the first purchase", "share not churned");
  if (a.churn_hazard) {
    const auto& m = *a.churn_hazard;
    std::vector<std::vector<std::string>> rows;
    for (std::size_t j = 0; j < a.churn_hazard_covariates.size(); ++j) {
      const double b = m.coef()(j), se = m.standard_errors()[j];
      rows.push_back({a.churn_hazard_covariates[j], num(std::exp(b)), num(std::exp(b - 1.96 * se)) + " - " + num(std::exp(b + 1.96 * se)),
                      num(b / se)});
    }
    html += "<p>Cox proportional hazards of time to churn on what is known at the first purchase (standardised: "
            "hazard ratios per standard deviation; above 1 churns sooner). Concordance " +
            num(a.churn_hazard_concordance) + ", " + std::to_string(m.n_events()) + " churn events.</p>" +
            html_table({"covariate", "hazard ratio", "95 % interval", "z"}, rows);
  }
  return html;
}

/// The uplift model and whom to send the offer.
inline std::string offer_section(const lifecycle_analysis& a, const report_options& ro) {
  using namespace report;
  if (!a.offer_model) return {};
  std::vector<std::vector<std::string>> rows;
  for (std::size_t k = 0; k < std::min(ro.list_length, a.offers.customers.size()); ++k) {
    const std::size_t i = a.offers.customers[k];
    rows.push_back({a.summary.ids[i], a.segment[i], num(a.uplift(i)), ro.currency + num(a.clv(i), 6),
                    ro.currency + num(a.offers.incremental_value[k], 4)});
  }
  return "<h2>Retention offer: whom to target</h2><p>" + std::to_string(a.experiment_customers) +
         " customers took part in the experiment; a T-learner (logistic regressions on the churn model's features, "
         "treated and control) predicts how much the offer raises each customer's chance of buying in the holdout "
         "(Qini coefficient " + num(a.offer_qini) + " on the experiment, in sample). Offers go to the customers with "
         "the largest uplift x CLV net of the offer's cost: " + std::to_string(a.offers.customers.size()) +
         " offers, spend " + ro.currency + num(a.offers.spend, 6) + ", expected incremental value " + ro.currency +
         num(a.offers.expected_incremental_value, 6) + ". Customers the offer would not move (sure things, lost "
         "causes) or would put off are left out, whatever their churn risk.</p>" +
         html_table({"customer", "segment", "uplift", "CLV", "expected incremental value"}, rows);
}

}  // namespace detail

inline std::string report_html(const lifecycle_analysis& a, const report_options& ro = {}) {
  using namespace report;
  const auto& summary = a.summary;
  const std::size_t n = summary.size();
  const auto& f = detail::lifecycle_fmt;
  const auto money = [&](double v, int digits) { return ro.currency + num(v, digits); };
  const auto& log = a.log;
  const std::string unit = a.unit_name();

  // Source and cleaning.
  // What cleaning did, the non-zero counts only.
  std::string cleaning;
  const auto count = [&](std::size_t k, const char* what) {
    if (k > 0) cleaning += (cleaning.empty() ? "" : ", ") + std::to_string(k) + " " + what;
  };
  count(log.skipped_rows, "bad rows skipped");
  count(log.guest_rows, "guest rows dropped");
  count(log.cancelled_rows, "cancelled lines dropped");
  count(log.duplicate_rows, "duplicate rows dropped");
  count(log.refund_rows, "refunds netted against earlier purchases");
  count(log.returned_purchases, "purchases returned in full removed");
  count(log.unmatched_refunds, "refunds without an earlier purchase dropped");
  std::string body = "<p class=\"note\">Source: " + escape(ro.source) + ". " + std::to_string(log.size()) +
                     " purchases after cleaning (" + (cleaning.empty() ? std::string("no rows removed") : cleaning) +
                     "). Calibration to " + format_date(a.calibration_end) + ", holdout to " +
                     format_date(a.observation_end) + ", horizon " + num(a.horizon_weeks) + " weeks." +
                     (ro.environment.empty() ? std::string() : " " + escape(ro.environment)) + "</p>";
  if (!ro.advice.empty()) body += "<p class=\"note\">" + escape(ro.advice) + "</p>";

  // Segment charts.
  const auto& prof = a.segment_profile;
  std::vector<std::string> seg_names;
  std::vector<double> seg_count, seg_value;
  const auto& seg_col = prof.categorical("segment");
  for (std::size_t g = 0; g < prof.rows(); ++g) {
    seg_names.push_back(seg_col.levels[static_cast<std::size_t>(seg_col.codes[g])]);
    seg_count.push_back(prof.numeric("customers")(g));
    seg_value.push_back(prof.numeric("customers")(g) * prof.numeric("mean_clv")(g));
  }
  std::string charts =
      "<div class=\"grid\">" +
      bar_chart("segment-sizes", "Customers per segment", seg_names, seg_count, "customers", "#4c78a8") +
      bar_chart("segment-value", "Predicted value (CLV) per segment", seg_names, seg_value, "total CLV", "#f58518") +
      histogram("clv-distribution", "CLV distribution", detail::lifecycle_std(a.clv), "CLV") + "</div>";

  // P(alive) over frequency x recency at the largest T (lifetimes' plot_probability_alive_matrix).
  const double max_t = xt::amax(summary.T)();
  const std::size_t max_x = std::min<std::size_t>(static_cast<std::size_t>(xt::amax(summary.frequency)()), 40);
  constexpr std::size_t cells = 40;
  const auto grid = detail::lifecycle_grid(max_x, max_t, cells, summary.unit);
  const auto pa = a.with_purchase_model([&](const auto& m) { return m.probability_alive(grid); });
  std::vector<std::vector<double>> matrix(max_x + 1, std::vector<double>(cells));
  for (std::size_t x = 0; x <= max_x; ++x) {
    for (std::size_t c = 0; c < cells; ++c) matrix[x][c] = pa(x * cells + c);
  }

  // Predicted vs actual holdout purchases by calibration frequency (0..7, 7+).
  series actual{"actual", "#4c78a8", {}, {}}, predicted{"model", "#f58518", {}, {}, true};
  const auto holdout_expected = a.with_purchase_model(
      [&](const auto& m) { return m.conditional_expected_purchases(summary.holdout_duration, summary); });
  const double holdout_actual = xt::sum(summary.holdout_frequency)(), holdout_model = xt::sum(holdout_expected)();
  const std::string holdout_words =
      f("the model expected %.0f repeat purchases in the holdout, ", holdout_model) + f("%.0f happened", holdout_actual) +
      (holdout_actual > 0 ? f(" (%+.0f%%", 100.0 * (holdout_model - holdout_actual) / holdout_actual) + ": " +
                                (holdout_model < holdout_actual ? "it under-predicts)" : "it over-predicts)")
                          : std::string());
  for (int x = 0; x <= 7; ++x) {
    double act = 0, pred = 0, c = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (summary.frequency(i) == x || (x == 7 && summary.frequency(i) > 7)) {
        act += summary.holdout_frequency(i), pred += holdout_expected(i), c += 1;
      }
    }
    if (c == 0) continue;
    actual.x.push_back(x), actual.y.push_back(act / c), predicted.x.push_back(x), predicted.y.push_back(pred / c);
  }

  // Churn curves on the test customers.
  const auto y_test = take_rows(a.holdout_churned, a.test_rows);
  const auto risk_test = take_rows(a.churn_risk, a.test_rows), quiet_test = take_rows(a.p_no_purchase, a.test_rows);
  const auto roc = roc_curve(y_test, risk_test);
  const auto roc_quiet = roc_curve(y_test, quiet_test);
  const auto gain = cumulative_gain(y_test, a.at_risk_from_purchase_model ? quiet_test : risk_test);
  const auto& vec = detail::lifecycle_std;

  // Cohorts: shares relative to the largest, so a 5 % retention still shows; the largest stated.
  double top = 0.0;
  for (const auto& r : a.cohorts.share) {
    for (const double v : r) top = std::isnan(v) ? top : std::max(top, v);
  }
  auto scaled = a.cohorts.share;
  for (auto& r : scaled) {
    for (auto& v : r) v = std::isnan(v) || top == 0.0 ? v : v / top;
  }
  const auto month_name = [](std::int64_t m) {
    return std::to_string(m / 12) + "-" + (m % 12 < 9 ? "0" : "") + std::to_string(m % 12 + 1);
  };
  const auto& months = a.cohorts.month;
  charts += "<div class=\"grid\">" +
            heatmap("p-alive-matrix", "P(alive) by frequency and recency (T = " + num(max_t) + ")", matrix, max_t,
                    static_cast<double>(max_x), "recency (time of last purchase)", "frequency (repeat purchases)") +
            line_chart("holdout-validation",
                       "Holdout purchases per customer: " + f("model %.0f, ", holdout_model) +
                           f("actual %.0f in all", holdout_actual),
                       {actual, predicted}, "repeat purchases in calibration (7: 7 or more)", "purchases in holdout") +
            line_chart("cumulative-repeat", "Cumulative repeat purchases (calibration to " + format_date(a.calibration_end) + ")",
                       {{"actual", "#4c78a8", a.repeats.week, a.repeats.actual},
                        {"model", "#f58518", a.repeats.week, a.repeats.model, true}},
                       "weeks since the first purchase in the log", "repeat purchases") +
            heatmap("cohort-retention",
                    "Cohorts " + (months.empty() ? std::string() : month_name(months.front()) + " to " + month_name(months.back())) +
                        ": share buying k months later (1 = " + num(100.0 * top) + " %)",
                    scaled, static_cast<double>(scaled.empty() ? 1 : scaled[0].size()), static_cast<double>(scaled.size()),
                    "months since the first purchase", "cohort (first-purchase month, oldest at the bottom)") +
            "</div><div class=\"grid\">" +
            line_chart("churn-roc",
                       "Holdout churn ROC: churn model (AUC " + num(a.auc_churn_model) + "), P(no purchase) (AUC " +
                           num(a.auc_no_purchase) + ")",
                       {{"churn model", "#4c78a8", vec(roc.fpr), vec(roc.tpr)},
                        {"P(no purchase)", "#f58518", vec(roc_quiet.fpr), vec(roc_quiet.tpr)},
                        {"chance", "#999", {0, 1}, {0, 1}, true}},
                       "false positive rate", "true positive rate") +
            line_chart("churn-gain",
                       "Cumulative gain of the at-risk score (lift in top decile " + num(a.lift_top_decile) + "x, at most " +
                           num(1.0 / std::max(a.churn_rate, 0.1)) + "x)",
                       {{"model", "#4c78a8", vec(gain.fraction), vec(gain.gain)}, {"random", "#999", {0, 1}, {0, 1}, true}},
                       "share of customers contacted", "share of churners reached") +
            "</div>";

  // Decision lists.
  const bool items = log.has_items() && !std::holds_alternative<std::monostate>(a.recommender);
  std::vector<std::vector<std::string>> risk_rows, best_rows;
  for (std::size_t k = 0; k < std::min(ro.list_length, a.at_risk.size()); ++k) {
    const std::size_t i = a.at_risk[k];
    risk_rows.push_back({summary.ids[i], a.segment[i], money(a.clv(i), 6), num(a.at_risk_score(i)), num(a.p_alive(i)),
                         reason_text(a, k)});
    if (items) risk_rows.back().push_back(a.top_items[i]);
  }
  for (std::size_t k = 0; k < std::min(ro.list_length, a.most_valuable.size()); ++k) {
    const std::size_t i = a.most_valuable[k];
    best_rows.push_back({summary.ids[i], a.segment[i], money(a.clv(i), 6), num(a.p_alive(i)), num(a.expected_purchases(i))});
    if (items) best_rows.back().push_back(a.top_items[i]);
  }
  const auto with_items = [&](std::vector<std::string> header) {
    if (items) header.push_back("recommend");
    return header;
  };

  // Key figures with their meanings.
  const std::vector<std::vector<std::string>> kpis = {
      {"customers", num(static_cast<double>(n), 6), "with a first purchase by the calibration end"},
      {"orders", num(a.orders, 7), "rows of the cleaned log by the calibration end"},
      {"revenue", money(a.revenue, 7), "their amounts, refunds netted"},
      {"repeat rate", num(100.0 * static_cast<double>(a.repeat_customers) / static_cast<double>(n)) + " %",
       "customers with a purchase on a later day than their first"},
      {"holdout churn rate", num(100.0 * a.churn_rate) + " %",
       "customers without a purchase in the " + num(summary.holdout_duration) + " " + unit + " after the calibration end"},
      {"expected CLV, all customers", money(xt::sum(a.clv)(), 7),
       "revenue expected over the next " + std::to_string(a.clv_terms.months) + " months, discounted at " +
           num(100.0 * a.clv_terms.monthly_discount_rate) + " % a month"},
      {"holdout check", holdout_words, "the purchase model against what happened after the calibration end"}};
  body += "<h2>Key figures</h2>" + html_table({"figure", "value", "meaning"}, kpis) +
          "<p class=\"note\">P(alive): the purchase model's probability that the customer is still active at the "
          "calibration end. Expected purchases and CLV: over the horizon (" + num(a.horizon_weeks) + " weeks; CLV in " +
          std::to_string(a.clv_terms.months) + " months). Segments: RFM quintile scores (recency there is the time "
          "since the last purchase), except that Champions and Loyal customers whose at-risk score is " +
          num(a.at_risk_threshold) + " or more are counted as Can't lose, Potential loyalists as At risk.</p>";

  // Per segment: what it is worth, how it behaved in the holdout, what to do.
  double spend_total = 0.0;
  for (std::size_t g = 0; g < prof.rows(); ++g) spend_total += prof.numeric("customers")(g) * prof.numeric("mean_total_spend")(g);
  std::vector<std::vector<std::string>> seg_rows;
  for (std::size_t g = 0; g < prof.rows(); ++g) {
    const double size = prof.numeric("customers")(g);
    seg_rows.push_back({seg_names[g], num(size, 6),
                        num(spend_total != 0.0 ? 100.0 * size * prof.numeric("mean_total_spend")(g) / spend_total : 0.0) + " %",
                        num(prof.numeric("mean_p_alive")(g)), money(prof.numeric("mean_clv")(g), 3),
                        num(100.0 * prof.numeric("mean_holdout_churned")(g)) + " %", num(prof.numeric("mean_at_risk_score")(g)),
                        segment_action(seg_names[g]), segment_definition(seg_names[g], a.at_risk_threshold)});
  }
  charts += html_table({"segment", "customers", "revenue share", "mean P(alive)", "mean CLV", "holdout churn rate",
                        "mean at-risk score", "suggested action", "definition (R, F, M: quintile scores 1-5, 5 best)"},
                       seg_rows);

  // Fitted parameters and the model comparison.
  std::string choice_html;
  if (!a.comparison.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : a.comparison) {
      const std::string label = r.model == "bg_nbd" ? "BG/NBD" : r.model == "mbg_nbd" ? "MBG/NBD" : "Pareto/NBD";
      if (!r.error.empty()) {
        rows.push_back({label, "not fitted: " + r.error, "", ""});
        continue;
      }
      rows.push_back({label, f("%.2f", r.log_likelihood),
                      f("%.0f", r.holdout_predicted) + " vs " + f("%.0f", r.holdout_actual) +
                          f(" (%+.1f%%)", r.holdout_actual > 0 ? 100.0 * (r.holdout_predicted - r.holdout_actual) / r.holdout_actual : 0.0),
                      f("%.4f", r.rmse)});
    }
    choice_html = "<p>Purchase model chosen on the holdout: the smallest root mean squared error of predicted "
                  "holdout purchases per customer (" + escape(a.purchase_model_name()) + ").</p>" +
                  html_table({"model", "log-likelihood (calibration)", "holdout purchases predicted vs actual",
                              "RMSE per customer"},
                             rows);
  }
  std::vector<std::vector<std::string>> param_rows;
  a.with_purchase_model([&](const auto& m) {
    const auto pp = m.parameters();
    using M = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<M, pareto_nbd<>>) {
      param_rows = {{"Pareto/NBD", "r", f("%.4g", pp.r)}, {"Pareto/NBD", "alpha", f("%.4g", pp.alpha)},
                    {"Pareto/NBD", "s", f("%.4g", pp.s)}, {"Pareto/NBD", "beta", f("%.4g", pp.beta)},
                    {"Pareto/NBD", "log-likelihood", f("%.2f", m.log_likelihood())}};
    } else {
      const std::string label = std::is_same_v<M, bg_nbd<>> ? "BG/NBD" : "MBG/NBD";
      param_rows = {{label, "r", f("%.4g", pp.r)}, {label, "alpha", f("%.4g", pp.alpha)}, {label, "a", f("%.4g", pp.a)},
                    {label, "b", f("%.4g", pp.b)}, {label, "log-likelihood", f("%.2f", m.log_likelihood())}};
    }
  });
  const auto gp = a.spend.parameters();
  param_rows.push_back({"Gamma-Gamma", "p", f("%.4g", gp.p)});
  param_rows.push_back({"Gamma-Gamma", "q", f("%.4g", gp.q)});
  param_rows.push_back({"Gamma-Gamma", "v", f("%.4g", gp.v)});
  std::string warnings;
  for (const auto& line : a.warnings) warnings += "<p class=\"note\">Warning: " + escape(line) + ".</p>";

  body += "<h2>Segments, value and activity</h2>" + charts + "<h2>Fitted parameters</h2>" + choice_html +
          html_table({"model", "parameter", "value"}, param_rows) + warnings + "<h2>At risk: " +
          escape(a.at_risk_score_name) + " &ge; " + num(a.at_risk_threshold) + ", highest CLV first</h2>" +
          "<p>The at-risk score is the one of the two that ranked held-out churn better (test AUC " +
          num(std::max(a.auc_churn_model, a.auc_no_purchase)) +
          "): the churn model's risk (a logistic regression on the RFM features and the purchase model's P(no "
          "purchase)) or the purchase model's P(no purchase) alone. One-time buyers are included.</p>" +
          html_table(with_items({"customer", "segment", "CLV", "at-risk score", "P(alive)",
                                 "top reasons (contribution to the churn model's logit)"}),
                     risk_rows) +
          "<h2>Most valuable: highest CLV</h2>" +
          html_table(with_items({"customer", "segment", "CLV", "P(alive)", "expected purchases"}), best_rows) +
          detail::survival_section(a) + detail::offer_section(a, ro);
  return page(ro.title, body);
}

/// customers.csv, segments.csv, the models (.clm) and report.html in dir (created).
inline void write_lifecycle_report(const lifecycle_analysis& a, const std::filesystem::path& dir,
                                   const report_options& ro = {}) {
  std::filesystem::create_directories(dir);
  write_customers_csv(a, dir / "customers.csv");
  write_segments_csv(a, dir / "segments.csv");
  save_lifecycle_models(a, dir);
  std::ofstream html(dir / "report.html");
  html << report_html(a, ro);
  if (!html) throw error("write_lifecycle_report: writing '" + (dir / "report.html").string() + "' failed");
}

}  // namespace clm
