#pragma once
// The customer lifecycle analysis as a library: from a cleaned order log to summaries,
// fitted models, per-customer scores, segments and decision lists, returned as data an
// embedding program can use (clm/lifecycle/report/ renders it as HTML and CSV;
// examples/lifecycle_report is a command line over both).
//
//   analyze_lifecycle(log, options):
//   1. cleaning: exact duplicate rows dropped (drop_duplicates), refunds netted against
//      the purchases before them (net_returns; see clm::net_returns for the rule)
//   2. customer summary: calibration to calibration_end, holdout to observation_end
//      (defaults: observation end = the last purchase, calibration end = observation end
//      - horizon)
//   3. RFM segments (quintile scores and the usual segment map)
//   4. purchase model: BG/NBD, MBG/NBD and Pareto/NBD fitted on the calibration period,
//      the one with the smallest root mean squared error of predicted holdout purchases
//      per customer chosen (model = automatic), or the named one; Gamma-Gamma for spend
//      (customers with a non-positive mean spend left out of its fit). Parameters at the
//      edge of their range are reported as warnings with what they mean.
//   5. per customer: P(alive), expected purchases over the horizon, CLV (horizon in
//      months of 4.345 weeks, 1 % a month discount)
//   6. churn: label = no purchase in the holdout. A logistic regression on the RFM
//      features and the purchase model's P(no purchase over the holdout's length) (log
//      odds), fitted on 75 % of the customers (stratified, seeded); against it the purchase
//      model's P(no purchase) alone. The at-risk score is whichever ranks the 25 % test
//      customers' churn better (ROC AUC), stated in at_risk_score_name.
//   7. segments made consistent with that score: a Champion or Loyal customer whose
//      at-risk score is at least at_risk_threshold is "Can't lose", a Potential loyalist
//      "At risk" (rfm_segment keeps the quintile label)
//   8. recommendations (when the log has items): item_knn or EASE on the calibration
//      purchases, the top items per customer
//   9. decision lists: at_risk (score >= threshold, one-time buyers included, highest CLV
//      first) and most_valuable (highest CLV first)
//  10. deciding: time to churn, reasons, offers.
//      - Time to churn: a churned customer (no purchase in the holdout) churned at their
//        last calibration purchase (duration = recency t_x, an event); a retained customer
//        is censored at the observation end (T + the holdout's length). Kaplan-Meier curves
//        overall and per segment (segments with an event); a Cox model (Efron ties) of that
//        time on covariates known at the first purchase - the first day's spend (log1p)
//        and the acquisition time, both standardised, so each hazard ratio is per standard
//        deviation - when the log allows (otherwise a warning says why); its concordance.
//      - Reasons: for each at-risk customer the churn model's top three features by their
//        contribution to the logit (coef x (x - mean), clm/explain), named.
//      - Offers (when options.experiment names treated and control customers - an offer
//        sent at the calibration end): a T-learner (two logistic regressions on the churn
//        model's features) of retention in the holdout, the uplift of every customer, and
//        whom to target: uplift x CLV - offer_cost > 0, best first, within offer_budget.
//
// Errors: invalid_argument when the log cannot support the analysis (fewer than 10
// customers, no repeat purchases, a holdout with no churned or no retained customer), with
// what was expected and what was seen.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "clm/cluster/rfm_segments.hpp"
#include "clm/core/error.hpp"
#include "clm/core/progress.hpp"
#include "clm/data/dates.hpp"
#include "clm/data/interactions.hpp"
#include "clm/data/transactions.hpp"
#include "clm/features/rfm.hpp"
#include "clm/lifetime/bg_nbd.hpp"
#include "clm/lifetime/clv.hpp"
#include "clm/lifetime/gamma_gamma.hpp"
#include "clm/lifetime/pareto_nbd.hpp"
#include "clm/linear/logistic_regression.hpp"
#include "clm/metrics/classification.hpp"
#include "clm/metrics/curves.hpp"
#include "clm/model_selection/split.hpp"
#include "clm/pipeline/pipeline.hpp"
#include "clm/preprocessing/column_transformer.hpp"
#include "clm/preprocessing/log1p_transform.hpp"
#include "clm/preprocessing/one_hot_encoder.hpp"
#include "clm/preprocessing/simple_imputer.hpp"
#include "clm/preprocessing/standard_scaler.hpp"
#include "clm/recommend/ease.hpp"
#include "clm/recommend/knn.hpp"
#include "clm/explain/reason_codes.hpp"
#include "clm/survival/concordance.hpp"
#include "clm/survival/cox_ph.hpp"
#include "clm/survival/kaplan_meier.hpp"
#include "clm/uplift/meta_learners.hpp"
#include "clm/uplift/metrics.hpp"
#include "clm/uplift/targeting.hpp"

namespace clm {

enum class purchase_model_kind : std::uint8_t { automatic, bg_nbd, mbg_nbd, pareto_nbd };
enum class recommender_kind : std::uint8_t { none, item_knn, ease };

/// One step of the analysis, as it ends: its name, wall time and a one-line result.
struct lifecycle_step {
  std::string name;
  double seconds = 0.0;
  std::string detail;
};

/// A randomised retention offer sent at the calibration end: customers (ids of the log) and
/// their treatment flag (1 offered, 0 control). Customers not in the summary are ignored.
struct offer_experiment {
  std::vector<std::string> customer_ids;
  std::vector<double> treatment;
};

struct lifecycle_options {
  std::optional<timestamp> calibration_end;  ///< default: observation end - horizon
  std::optional<timestamp> observation_end;  ///< default: the last purchase
  double horizon_weeks = 39.0;               ///< expected purchases and CLV look this far ahead
  purchase_model_kind model = purchase_model_kind::automatic;
  recommender_kind recommender = recommender_kind::item_knn;  ///< used when the log has items
  bool drop_duplicates = true;  ///< exact repeat rows dropped (not for date-only logs like CDNOW)
  bool net_returns = true;      ///< refunds netted (false: negative amounts stay negative spend)
  double at_risk_threshold = 0.5;
  std::size_t top_items = 5;  ///< recommendations per customer
  std::size_t seed = 42;      ///< the churn model's train/test split
  std::function<void(const lifecycle_step&)> on_step;  ///< called as each step ends
  progress_callback progress;                           ///< long loops (recommendations)
  std::optional<offer_experiment> experiment;  ///< a retention offer's treated and control customers
  double offer_cost = 0.0;                     ///< one offer's cost, in the unit of CLV
  double offer_budget = std::numeric_limits<double>::infinity();
};

/// One purchase model of the comparison.
struct purchase_model_fit {
  std::string model;         ///< bg_nbd, mbg_nbd, pareto_nbd
  std::string error;         ///< why it could not be fitted ("" when fitted)
  double log_likelihood = std::nan("");
  double holdout_predicted = std::nan("");  ///< total predicted holdout purchases
  double holdout_actual = std::nan("");
  double rmse = std::nan("");  ///< per customer
};

/// Cohorts by first-purchase month: share[c][k - 1] is the share of cohort c that bought in
/// its k-th month after the first (NaN where that month is after the observation end).
struct cohort_retention {
  std::vector<std::int64_t> month;  ///< year * 12 + month - 1 of each cohort
  std::vector<std::vector<double>> share;
};

/// Cumulative repeat purchases (purchase days after a customer's first) of the customers
/// acquired by the calibration end, by week since the log's first purchase: actual, and the
/// model's (lifetimes' plot_cumulative_transactions).
struct cumulative_repeats {
  std::vector<double> week, actual, model;
};

namespace detail {

inline auto make_churn_model() {
  // signed: monetary and total spend net of refunds can be negative
  return make_pipeline(
      make_column_transformer(
          {.numeric = {"recency", "frequency", "monetary", "tenure", "total_spend", "no_purchase_log_odds"},
           .categorical = {}},
          make_pipeline(simple_imputer<>({.strategy = impute_strategy::median}),
                        log1p_transform<>({.signed_values = true}), standard_scaler<>()),
          one_hot_encoder<>()),
      logistic_regression<>({.C = 1.0, .max_iter = 500}));
}

}  // namespace detail

using churn_model = decltype(detail::make_churn_model());
using purchase_model = std::variant<bg_nbd<>, mbg_nbd<>, pareto_nbd<>>;

struct lifecycle_analysis {
  // Data.
  transaction_log log;        ///< cleaned; its counters say what each rule removed
  std::size_t rows_read = 0;  ///< rows before cleaning
  timestamp calibration_end, observation_end;
  double horizon_weeks = 0.0;
  double at_risk_threshold = 0.5;
  customer_summary summary;  ///< calibration and holdout
  std::size_t repeat_customers = 0;
  double orders = 0.0, revenue = 0.0;  ///< log rows and their amounts by the calibration end

  // Segments.
  table features;  ///< rfm_features per customer (summary order), plus no_purchase_log_odds
  rfm_segments<> rfm;
  matrix<double> rfm_scores;               ///< R, F, M scores
  std::vector<std::string> rfm_segment;    ///< the quintile map's label
  std::vector<std::string> segment;        ///< consistent with the at-risk score (see top)
  table segment_profile;                   ///< per segment: size, share, means

  // Models.
  std::vector<purchase_model_fit> comparison;  ///< empty when the model was named
  std::optional<purchase_model> purchases;
  gamma_gamma<> spend{{.exclude_nonpositive = true}};
  churn_model churn = detail::make_churn_model();
  std::variant<std::monostate, item_knn<>, ease<>> recommender;
  clv_options clv_terms;
  std::vector<std::string> warnings;  ///< degenerate fits, in words

  // Per customer (summary order).
  vector<double> p_alive, expected_purchases, clv, churn_risk, p_no_purchase, at_risk_score, holdout_churned;
  std::vector<std::string> top_items;  ///< ';'-separated ids, "" without items

  // Churn evaluation on the test customers.
  std::vector<std::size_t> test_rows;
  double churn_rate = 0.0, auc_churn_model = 0.0, auc_no_purchase = 0.0, lift_top_decile = 0.0;
  bool at_risk_from_purchase_model = false;
  std::string at_risk_score_name;

  // Decision lists (row indices into the summary).
  std::vector<std::size_t> at_risk, most_valuable;

  // Chart data.
  cohort_retention cohorts;
  cumulative_repeats repeats;

  // Deciding (step 10).
  vector<double> churn_time;  ///< per customer, in the summary's unit; the event is holdout_churned
  kaplan_meier<> survival;                 ///< all customers
  std::vector<std::pair<std::string, kaplan_meier<>>> survival_by_segment;
  std::optional<cox_ph<>> churn_hazard;     ///< time to churn on first-purchase covariates
  std::vector<std::string> churn_hazard_covariates;
  double churn_hazard_concordance = std::nan("");
  reason_code_table at_risk_reasons;        ///< row k: the customer at_risk[k]
  std::optional<two_model_uplift<logistic_regression<>>> offer_model;
  vector<double> uplift;                    ///< per customer when there is an experiment
  std::size_t experiment_customers = 0;
  double offer_qini = std::nan("");         ///< on the experiment's customers (in sample)
  targeting_result offers;

  /// The chosen purchase model's name (bg_nbd, mbg_nbd, pareto_nbd).
  std::string purchase_model_name() const {
    return std::visit([](const auto& m) { return std::string(std::decay_t<decltype(m)>::name); }, *purchases);
  }
  /// Calls f with the chosen purchase model.
  template <class F>
  decltype(auto) with_purchase_model(F&& f) const {
    return std::visit(std::forward<F>(f), *purchases);
  }
  const char* unit_name() const { return summary.unit == time_unit::week ? "weeks" : "days"; }
};

namespace detail {

inline std::string lifecycle_fmt(const char* f, double a) {
  char buf[128];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

class lifecycle_clock {
 public:
  explicit lifecycle_clock(const lifecycle_options& o) : on_step_(o.on_step) {}
  void step(const char* name, const std::string& detail) {
    const auto t = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(t - t0_).count();
    t0_ = t;
    if (on_step_) on_step_({name, s, detail});
  }

 private:
  std::function<void(const lifecycle_step&)> on_step_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

/// BG/NBD, MBG/NBD and Pareto/NBD on the calibration summary, judged by the RMSE of their
/// predicted holdout purchases per customer; the fitted one with the smallest goes to best.
inline std::vector<purchase_model_fit> compare_purchase_models(const customer_summary& summary,
                                                               std::optional<purchase_model>& best) {
  double best_rmse = INFINITY;
  std::vector<purchase_model_fit> rows;
  double actual = 0.0;
  for (std::size_t i = 0; i < summary.size(); ++i) actual += summary.holdout_frequency(i);
  const auto compressed = summary.compressed();
  const auto judge = [&](auto model) {
    purchase_model_fit row;
    row.model = decltype(model)::name;
    try {
      model.fit(compressed);
      const auto predicted = model.conditional_expected_purchases(summary.holdout_duration, summary);
      double se = 0.0, total = 0.0;
      for (std::size_t i = 0; i < summary.size(); ++i) {
        const double e = predicted(i) - summary.holdout_frequency(i);
        se += e * e;
        total += predicted(i);
      }
      row.log_likelihood = model.log_likelihood();
      row.holdout_predicted = total;
      row.holdout_actual = actual;
      row.rmse = std::sqrt(se / static_cast<double>(summary.size()));
      if (row.rmse < best_rmse) best_rmse = row.rmse, best = std::move(model);
    } catch (const error& e) {
      row.error = e.what();
    }
    rows.push_back(std::move(row));
  };
  judge(bg_nbd<>());
  judge(mbg_nbd<>());
  judge(pareto_nbd<>());
  return rows;
}

/// Warnings for parameters at the edge of their range: the data do not pin them down.
template <class Purchases>
std::vector<std::string> degenerate_fit_warnings(const Purchases& purchases, const gamma_gamma<>& spend) {
  std::vector<std::string> w;
  const auto pp = purchases.parameters();
  const auto gp = spend.parameters();
  const auto edge = [](double v) { return v < 1e-4 || v > 1e5; };
  const auto& f = lifecycle_fmt;
  if constexpr (!std::is_same_v<Purchases, pareto_nbd<>>) {
    if (edge(pp.a) || edge(pp.b)) {
      w.push_back(f("the dropout model is degenerate (a = %.3g, ", pp.a) + f("b = %.3g): ", pp.b) +
                  f("a customer drops out after a purchase with probability %.3g, so P(alive) and "
                    "churn follow from it only weakly; try --model pareto_nbd",
                    pp.a / (pp.a + pp.b)));
    }
  } else {
    if (edge(pp.s) || edge(pp.beta)) {
      w.push_back(f("the lifetime model is degenerate (s = %.3g, ", pp.s) + f("beta = %.3g): ", pp.beta) +
                  f("the mean death rate %.3g per period is barely identified; P(alive) is unreliable", pp.s / pp.beta));
    }
  }
  if (edge(pp.r) || edge(pp.alpha)) {
    w.push_back(f("the purchase-rate model is degenerate (r = %.3g, ", pp.r) + f("alpha = %.3g): ", pp.alpha) +
                "customers' purchase rates are not told apart; expected purchases are unreliable");
  }
  if (edge(gp.p) || edge(gp.q) || edge(gp.v)) {
    w.push_back(f("Gamma-Gamma is degenerate (p = %.3g, ", gp.p) + f("q = %.3g, ", gp.q) + f("v = %.3g): ", gp.v) +
                "the customers' mean spends are not told apart; CLV rests on the population's mean spend alone");
  }
  return w;
}

/// Cohort retention and cumulative repeat purchases from the log's purchase days.
template <class Purchases>
void lifecycle_repeat_curves(const transaction_log& log, timestamp cal_end, timestamp obs_end, time_unit unit,
                             const Purchases& purchases, cohort_retention& cohorts, cumulative_repeats& repeats) {
  std::vector<std::pair<std::int32_t, std::int64_t>> days;  // (customer, day)
  days.reserve(log.size());
  for (std::size_t k = 0; k < log.size(); ++k) {
    if (log.time[k].day() <= obs_end.day()) days.emplace_back(log.customer[k], log.time[k].day());
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  if (days.empty()) return;
  std::int64_t day0 = std::numeric_limits<std::int64_t>::max();
  for (const auto& d : days) day0 = std::min(day0, d.second);
  const auto month_of = [](std::int64_t day) {
    const auto c = civil_from_days(day);
    return static_cast<std::int64_t>(c.year) * 12 + static_cast<std::int64_t>(c.month) - 1;
  };
  std::map<std::int64_t, double> acquired;  // first-purchase day -> customers
  std::vector<std::int64_t> repeat_days;
  std::map<std::int64_t, std::pair<double, std::map<std::int64_t, double>>> cohort;  // month -> (size, k -> buyers)
  bool counted = false;  // the customer was acquired by the calibration end
  std::int64_t first_month = 0;
  std::set<std::int64_t> months_seen;
  for (std::size_t k = 0; k < days.size(); ++k) {
    if (k == 0 || days[k].first != days[k - 1].first) {
      counted = days[k].second <= cal_end.day();
      first_month = month_of(days[k].second);
      months_seen.clear();
      if (counted) acquired[days[k].second] += 1.0, cohort[first_month].first += 1.0;
    } else if (counted) {
      repeat_days.push_back(days[k].second);
      const std::int64_t m = month_of(days[k].second) - first_month;
      if (m > 0 && months_seen.insert(m).second) cohort[first_month].second[m] += 1.0;
    }
  }
  std::sort(repeat_days.begin(), repeat_days.end());
  const std::int64_t last_month = month_of(obs_end.day());
  std::int64_t span = 0;
  for (const auto& [m, c] : cohort) span = std::max(span, last_month - m);
  for (const auto& [m, c] : cohort) {
    std::vector<double> row(static_cast<std::size_t>(std::max<std::int64_t>(span, 1)), std::nan(""));
    for (std::int64_t k = 1; k <= last_month - m && k <= span; ++k) {
      const auto it = c.second.find(k);
      row[static_cast<std::size_t>(k - 1)] = (it == c.second.end() ? 0.0 : it->second) / c.first;
    }
    cohorts.share.push_back(std::move(row));
    cohorts.month.push_back(m);
  }
  const double per_unit = unit == time_unit::week ? 7.0 : 1.0;
  const std::int64_t weeks = (obs_end.day() - day0) / 7;
  std::size_t seen = 0;
  for (std::int64_t w = 0; w <= weeks; ++w) {
    const std::int64_t day = day0 + 7 * w;
    while (seen < repeat_days.size() && repeat_days[seen] <= day) ++seen;
    double model_total = 0.0;
    for (const auto& [d, count] : acquired) {
      if (d < day) model_total += count * purchases.expected_purchases(static_cast<double>(day - d) / per_unit);
    }
    repeats.week.push_back(static_cast<double>(w));
    repeats.actual.push_back(static_cast<double>(seen));
    repeats.model.push_back(model_total);
  }
}

/// Step 10 (see the top): survival curves and the Cox model, reasons, offers. Returns the
/// step's one-line result.
inline std::string lifecycle_decisions(lifecycle_analysis& a, const lifecycle_options& o) {
  const auto& summary = a.summary;
  const std::size_t n = summary.size();
  a.churn_time = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    a.churn_time(i) = a.holdout_churned(i) == 1.0 ? summary.recency(i) : summary.T(i) + summary.holdout_duration;
  }
  a.survival.fit(a.churn_time, a.holdout_churned);
  std::map<std::string, std::size_t> row_of;  // customer id -> summary row
  for (std::size_t i = 0; i < n; ++i) row_of.emplace(summary.ids[i], i);
  std::map<std::string, std::vector<std::size_t>> by_segment;
  for (std::size_t i = 0; i < n; ++i) by_segment[a.segment[i]].push_back(i);
  for (const auto& [name, rows] : by_segment) {
    const vector<double> e = take_rows(a.holdout_churned, rows);
    if (xt::sum(e)() == 0.0) continue;
    kaplan_meier<> km;
    km.fit(take_rows(a.churn_time, rows), e);
    a.survival_by_segment.emplace_back(name, std::move(km));
  }

  // Cox: first-day spend and acquisition time, standardised.
  std::string cox_text;
  {
    std::vector<std::int64_t> first(n, std::numeric_limits<std::int64_t>::max());
    std::vector<double> first_spend(n, 0.0);
    std::vector<std::ptrdiff_t> code_row(a.log.customer_ids.size(), -1);
    for (std::size_t c = 0; c < a.log.customer_ids.size(); ++c) {
      const auto it = row_of.find(a.log.customer_ids[c]);
      if (it != row_of.end()) code_row[c] = static_cast<std::ptrdiff_t>(it->second);
    }
    const auto day = [](timestamp t) { return t.seconds / 86400; };
    for (std::size_t k = 0; k < a.log.size(); ++k) {
      const auto r = code_row[static_cast<std::size_t>(a.log.customer[k])];
      if (r >= 0) first[static_cast<std::size_t>(r)] = std::min(first[static_cast<std::size_t>(r)], day(a.log.time[k]));
    }
    const bool spend = !a.log.amount.empty();
    for (std::size_t k = 0; spend && k < a.log.size(); ++k) {
      const auto r = code_row[static_cast<std::size_t>(a.log.customer[k])];
      if (r >= 0 && day(a.log.time[k]) == first[static_cast<std::size_t>(r)]) first_spend[static_cast<std::size_t>(r)] += a.log.amount[k];
    }
    const std::int64_t start = *std::min_element(first.begin(), first.end());
    a.churn_hazard_covariates = spend ? std::vector<std::string>{"first-day spend (log1p)", "acquisition time"}
                                      : std::vector<std::string>{"acquisition time"};
    const std::size_t d = a.churn_hazard_covariates.size();
    matrix<double> Z = matrix<double>::from_shape({n, d});
    for (std::size_t i = 0; i < n; ++i) {
      if (spend) Z(i, 0) = std::log1p(std::max(0.0, first_spend[i]));
      Z(i, d - 1) = static_cast<double>(first[i] - start) / (summary.unit == time_unit::week ? 7.0 : 1.0);
    }
    standard_scaler<> scaler;
    Z = scaler.fit_transform(Z);
    const bool constant = xt::amin(scaler.var())() == 0.0;
    if (constant) {
      a.warnings.push_back("no Cox model of time to churn: a first-purchase covariate is the same for every customer");
      cox_text = "Cox model skipped (a constant covariate)";
    } else {
      try {
        cox_ph<> m;
        try {
          m.fit(Z, a.churn_time, a.holdout_churned);
        } catch (const numeric_error&) {
          m = cox_ph<>({.ties = cox_ties::efron, .alpha = 1.0, .tol = 1e-9, .max_iter = 100});
          m.fit(Z, a.churn_time, a.holdout_churned);
          a.warnings.push_back("the Cox model of time to churn needed a ridge penalty (alpha = 1): a covariate nearly "
                               "orders the churn times");
        }
        a.churn_hazard_concordance = concordance_index(a.churn_time, vector<double>(-m.predict_risk(Z)), a.holdout_churned);
        cox_text = lifecycle_fmt("Cox hazard ratios per s.d.: %.3g", std::exp(m.coef()(0))) +
                   (d > 1 ? lifecycle_fmt(", %.3g", std::exp(m.coef()(1))) : std::string()) +
                   lifecycle_fmt(" (concordance %.3f)", a.churn_hazard_concordance);
        a.churn_hazard = std::move(m);
      } catch (const error& e) {
        a.warnings.push_back(std::string("no Cox model of time to churn: ") + e.what());
        cox_text = "Cox model not fitted";
      }
    }
  }

  // Reasons for the at-risk customers: the churn model's linear contributions.
  const auto& ct = a.churn.step<0>();
  const auto& logistic = a.churn.step<1>();
  const matrix<double> Xt = ct.transform(a.features);
  if (!a.at_risk.empty()) {
    a.at_risk_reasons = reason_codes(logistic, take_rows(Xt, a.at_risk), Xt, ct.feature_names_out(), 3);
  }

  // Offers.
  std::string offer_text = "no experiment";
  if (o.experiment) {
    const auto& ex = *o.experiment;
    if (ex.customer_ids.size() != ex.treatment.size()) {
      throw shape_error("analyze_lifecycle: the experiment has " + std::to_string(ex.customer_ids.size()) +
                        " customers and " + std::to_string(ex.treatment.size()) + " treatment flags");
    }
    std::vector<std::size_t> rows;
    std::vector<double> t;
    for (std::size_t k = 0; k < ex.customer_ids.size(); ++k) {
      const auto it = row_of.find(ex.customer_ids[k]);
      if (it == row_of.end()) continue;
      rows.push_back(it->second);
      t.push_back(ex.treatment[k]);
    }
    a.experiment_customers = rows.size();
    vector<double> treat = vector<double>::from_shape({rows.size()}), retained = treat;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      treat(k) = t[k];
      retained(k) = 1.0 - a.holdout_churned(rows[k]);
    }
    const matrix<double> Xe = take_rows(Xt, rows);
    two_model_uplift<logistic_regression<>> model;
    model.fit(Xe, retained, treat);
    a.uplift = model.predict_uplift(Xt);
    a.offer_qini = qini_coefficient(retained, model.predict_uplift(Xe), treat);
    a.offers = target_offers(a.uplift, a.clv, {.offer_cost = o.offer_cost, .budget = o.offer_budget});
    a.offer_model = std::move(model);
    offer_text = std::to_string(rows.size()) + " customers in the experiment" +
                 lifecycle_fmt(", Qini coefficient %.3f (in sample); ", a.offer_qini) +
                 std::to_string(a.offers.customers.size()) + " offers" +
                 lifecycle_fmt(" worth %.0f expected", a.offers.expected_incremental_value);
  }
  return lifecycle_fmt("median time to churn %.3g ", a.survival.median_survival()) + a.unit_name() + "; " + cox_text +
         "; reasons for " + std::to_string(a.at_risk.size()) + " at-risk customers; " + offer_text;
}

/// The rest of the analysis with the purchase model fitted (steps 4 to 9).
template <class Purchases>
void lifecycle_with_model(lifecycle_analysis& a, const lifecycle_options& o, lifecycle_clock& clock) {
  const auto& summary = a.summary;
  const std::size_t n = summary.size();
  const auto& purchases = std::get<Purchases>(*a.purchases);
  a.spend.fit(summary);
  a.warnings = degenerate_fit_warnings(purchases, a.spend);
  {
    const auto pp = purchases.parameters();
    const auto gp = a.spend.parameters();
    std::string text;
    if constexpr (std::is_same_v<Purchases, pareto_nbd<>>) {
      text = lifecycle_fmt("r %.4g  ", pp.r) + lifecycle_fmt("alpha %.4g  ", pp.alpha) + lifecycle_fmt("s %.4g  ", pp.s) +
             lifecycle_fmt("beta %.4g  ", pp.beta);
    } else {
      text = lifecycle_fmt("r %.4g  ", pp.r) + lifecycle_fmt("alpha %.4g  ", pp.alpha) + lifecycle_fmt("a %.4g  ", pp.a) +
             lifecycle_fmt("b %.4g  ", pp.b);
    }
    text += lifecycle_fmt("log-likelihood %.2f  ", purchases.log_likelihood()) + lifecycle_fmt("p %.4g  ", gp.p) +
            lifecycle_fmt("q %.4g  ", gp.q) + lifecycle_fmt("v %.4g", gp.v);
    clock.step("4. purchase and spend models", text);
  }

  // 5. P(alive), expected purchases, CLV.
  a.p_alive = purchases.probability_alive(summary);
  a.expected_purchases = purchases.conditional_expected_purchases(o.horizon_weeks * (summary.unit == time_unit::week ? 1.0 : 7.0), summary);
  a.clv_terms = {.months = static_cast<std::size_t>(std::ceil(o.horizon_weeks / 4.345))};
  a.clv = clm::clv(purchases, a.spend, summary, a.clv_terms);
  clock.step("5. P(alive), purchases, CLV",
             lifecycle_fmt("mean P(alive) %.3f", xt::mean(a.p_alive)()) + lifecycle_fmt(", mean CLV %.2f", xt::mean(a.clv)()) +
                 " (" + std::to_string(a.clv_terms.months) +
                 lifecycle_fmt(" months at %.0f%% a month)", 100.0 * a.clv_terms.monthly_discount_rate));

  // 6. Churn: label = no purchase in the holdout.
  a.holdout_churned = vector<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) a.holdout_churned(i) = summary.holdout_frequency(i) == 0.0 ? 1.0 : 0.0;
  a.churn_rate = xt::mean(a.holdout_churned)();
  if (a.churn_rate == 0.0 || a.churn_rate == 1.0) {
    throw invalid_argument(std::string("the holdout period has ") + (a.churn_rate == 0.0 ? "no churned" : "no retained") +
                           " customer (churned: no purchase after the calibration end); expected both: choose another "
                           "calibration end");
  }
  a.p_no_purchase = purchases.conditional_probability_no_purchases(summary.holdout_duration, summary);
  {
    vector<double> odds = vector<double>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      const double p = std::clamp(a.p_no_purchase(i), 1e-12, 1.0 - 1e-12);
      odds(i) = std::log(p / (1.0 - p));
    }
    a.features.add_numeric("no_purchase_log_odds", odds);
  }
  const auto split = train_test_split(a.holdout_churned, {.test_fraction = 0.25, .seed = o.seed, .stratify = true});
  a.test_rows = split.test;
  a.churn.fit(a.features.take(split.train), take_rows(a.holdout_churned, split.train));
  const auto y_test = take_rows(a.holdout_churned, split.test);
  const auto risk_test = a.churn.predict_proba(a.features.take(split.test));
  const auto quiet_test = take_rows(a.p_no_purchase, split.test);
  a.auc_churn_model = roc_auc(y_test, risk_test);
  a.auc_no_purchase = roc_auc(y_test, quiet_test);
  a.churn_risk = a.churn.predict_proba(a.features);
  a.at_risk_from_purchase_model = a.auc_no_purchase > a.auc_churn_model;
  a.at_risk_score = a.at_risk_from_purchase_model ? a.p_no_purchase : a.churn_risk;
  a.lift_top_decile = lift_at(y_test, a.at_risk_from_purchase_model ? quiet_test : risk_test, 0.1);
  a.at_risk_score_name = a.at_risk_from_purchase_model
                             ? "P(no purchase in " + lifecycle_fmt("%.3g", summary.holdout_duration) + " " + a.unit_name() + ")"
                             : std::string("churn-model risk");
  clock.step("6. churn risk model",
             lifecycle_fmt("%.1f%% churned in the holdout; test AUC: ", 100 * a.churn_rate) +
                 lifecycle_fmt("churn model %.3f, ", a.auc_churn_model) + Purchases::name +
                 lifecycle_fmt(" P(no purchase) %.3f; ", a.auc_no_purchase) + "at-risk score: " + a.at_risk_score_name +
                 lifecycle_fmt(" (AUC %.3f, ", std::max(a.auc_churn_model, a.auc_no_purchase)) +
                 lifecycle_fmt("lift in the top decile %.2fx)", a.lift_top_decile));

  // 7. Segments consistent with the at-risk score.
  a.segment = a.rfm_segment;
  std::size_t moved = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (a.at_risk_score(i) < o.at_risk_threshold) continue;
    auto& s = a.segment[i];
    if (s == "Champions" || s == "Loyal") s = "Can't lose", ++moved;
    else if (s == "Potential loyalist") s = "At risk", ++moved;
  }
  {
    table per_customer = a.features;
    // Recency in RFM is the time since the last purchase; named for what it is.
    per_customer.add_numeric("time_since_last_purchase", a.features.numeric("recency"));
    per_customer.add_numeric("p_alive", a.p_alive);
    per_customer.add_numeric("clv", a.clv);
    per_customer.add_numeric("churn_risk", a.churn_risk);
    per_customer.add_numeric("at_risk_score", a.at_risk_score);
    per_customer.add_numeric("holdout_churned", a.holdout_churned);  // its mean: the holdout churn rate
    a.segment_profile = profile(a.segment, per_customer,
                                {"time_since_last_purchase", "frequency", "monetary", "total_spend", "p_alive", "clv",
                                 "holdout_churned", "churn_risk", "at_risk_score"});
  }
  clock.step("7. segments", std::to_string(std::set<std::string>(a.segment.begin(), a.segment.end()).size()) +
                                " segments; " + std::to_string(moved) +
                                " Champions, Loyal or Potential loyalists at risk moved to Can't lose / At risk");

  // 8. Recommendations from the calibration purchases.
  a.top_items.assign(n, std::string());
  std::string rec_text = "no item column: skipped";
  if (a.log.has_items() && o.recommender != recommender_kind::none) {
    std::vector<std::string> u, it;
    for (std::size_t k = 0; k < a.log.size(); ++k) {
      if (a.log.time[k] <= a.calibration_end && a.log.item[k] >= 0) {
        u.push_back(a.log.customer_ids[static_cast<std::size_t>(a.log.customer[k])]);
        it.push_back(a.log.item_ids[static_cast<std::size_t>(a.log.item[k])]);
      }
    }
    const auto bought = interactions::from_triples(u, it, {}, {.kind = feedback::implicit_counts});
    const auto fill = [&](const auto& model) {
      const auto top = model.recommend_all(o.top_items, {}, o.progress);
      for (std::size_t i = 0; i < n; ++i) {
        const auto user = bought.user_index(summary.ids[i]);
        if (!user) continue;
        for (std::size_t k = 0; k < o.top_items && top.items(*user, k) >= 0; ++k) {
          a.top_items[i] += (k ? ";" : "") + bought.item_ids()[static_cast<std::size_t>(top.items(*user, k))];
        }
      }
    };
    if (o.recommender == recommender_kind::ease) {
      auto& m = a.recommender.emplace<ease<>>(ease_params{.l2 = 200.0, .n_jobs = 0});
      fill(m.fit(bought));
      rec_text = "ease";
    } else {
      auto& m = a.recommender.emplace<item_knn<>>(
          knn_params{.k = 50,
                     .similarity = {.kind = similarity_kind::cosine, .mode = similarity_mode::zero_filled},
                     .n_jobs = 0});
      fill(m.fit(bought, o.progress));
      rec_text = "item_knn";
    }
    rec_text += " on " + std::to_string(bought.nnz()) + " customer-item pairs, top " + std::to_string(o.top_items) +
                " per customer";
  }
  clock.step("8. recommendations", rec_text);

  // 9. Decision lists and chart data.
  for (std::size_t i = 0; i < n; ++i) {
    if (a.at_risk_score(i) >= o.at_risk_threshold) a.at_risk.push_back(i);
  }
  std::stable_sort(a.at_risk.begin(), a.at_risk.end(), [&](std::size_t x, std::size_t y) { return a.clv(x) > a.clv(y); });
  a.most_valuable.resize(n);
  std::iota(a.most_valuable.begin(), a.most_valuable.end(), std::size_t{0});
  std::stable_sort(a.most_valuable.begin(), a.most_valuable.end(),
                   [&](std::size_t x, std::size_t y) { return a.clv(x) > a.clv(y); });
  lifecycle_repeat_curves(a.log, a.calibration_end, a.observation_end, summary.unit, purchases, a.cohorts, a.repeats);
  clock.step("9. decision lists", std::to_string(a.at_risk.size()) + " customers with " + a.at_risk_score_name + " >= " +
                                      lifecycle_fmt("%g", o.at_risk_threshold));
  clock.step("10. time to churn, reasons, offers", lifecycle_decisions(a, o));
}

}  // namespace detail

/// The whole analysis of an order log (see the top of this header). The log is cleaned as
/// the options say; its counters (skipped_rows, guest_rows, cancelled_rows from reading,
/// duplicate_rows, refund_rows, returned_purchases, unmatched_refunds from cleaning) stay
/// in the result's log.
inline lifecycle_analysis analyze_lifecycle(transaction_log log, const lifecycle_options& o = {}) {
  if (!(o.horizon_weeks > 0.0) || !std::isfinite(o.horizon_weeks)) {
    throw invalid_argument("analyze_lifecycle: horizon_weeks: expected a positive number of weeks, got " +
                           detail::lifecycle_fmt("%g", o.horizon_weeks));
  }
  if (!(o.at_risk_threshold > 0.0 && o.at_risk_threshold < 1.0)) {
    throw invalid_argument("analyze_lifecycle: at_risk_threshold: expected a probability in (0, 1), got " +
                           detail::lifecycle_fmt("%g", o.at_risk_threshold));
  }
  if (log.size() == 0) throw invalid_argument("analyze_lifecycle: the order log holds no purchases");
  detail::lifecycle_clock clock(o);
  lifecycle_analysis a;
  a.rows_read = log.size();
  a.horizon_weeks = o.horizon_weeks;
  a.at_risk_threshold = o.at_risk_threshold;
  if (o.drop_duplicates) log = drop_duplicate_rows(log);
  if (o.net_returns) log = net_returns(log);
  a.log = std::move(log);
  if (a.log.size() == 0) {
    throw invalid_argument("analyze_lifecycle: no purchases are left after cleaning (" + std::to_string(a.log.refund_rows) +
                           " refunds netted, " + std::to_string(a.log.returned_purchases) + " purchases fully returned)");
  }
  a.observation_end = o.observation_end.value_or(*std::max_element(a.log.time.begin(), a.log.time.end()));
  a.calibration_end = o.calibration_end.value_or(
      timestamp{a.observation_end.seconds - static_cast<std::int64_t>(o.horizon_weeks * 7 * 86400)});
  if (!(a.calibration_end < a.observation_end)) {
    throw invalid_argument("analyze_lifecycle: expected the calibration end (" + format_date(a.calibration_end) +
                           ") before the observation end (" + format_date(a.observation_end) +
                           (o.observation_end ? ")" : ", the last purchase)") +
                           ": the holdout between them tells churned from retained customers");
  }
  clock.step("1. clean", std::to_string(a.rows_read) + " rows, " + std::to_string(a.log.duplicate_rows) +
                             " duplicates dropped, " + std::to_string(a.log.refund_rows) + " refunds netted (" +
                             std::to_string(a.log.returned_purchases) + " purchases fully returned, " +
                             std::to_string(a.log.unmatched_refunds) + " refunds without an earlier purchase)");

  // 2. Summary.
  const summary_options periods{.calibration_end = a.calibration_end, .observation_end = a.observation_end};
  a.summary = summarize(a.log, periods);
  const std::size_t n = a.summary.size();
  if (n < 10) {
    throw invalid_argument("the log has " + std::to_string(n) + " customers before the calibration end (" +
                           format_date(a.calibration_end) + "); expected at least 10");
  }
  for (std::size_t i = 0; i < n; ++i) a.repeat_customers += a.summary.frequency(i) > 0.0;
  if (a.repeat_customers == 0) {
    throw invalid_argument("every customer made a single purchase before the calibration end: the purchase and "
                           "spend models need repeat purchases");
  }
  for (std::size_t k = 0; k < a.log.size(); ++k) {
    if (a.log.time[k] > a.calibration_end) continue;
    a.orders += 1.0;
    if (!a.log.amount.empty()) a.revenue += a.log.amount[k];
  }
  clock.step("2. customer summary",
             std::to_string(n) + " customers, " + std::to_string(a.repeat_customers) +
                 " with repeat purchases; calibration to " + format_date(a.calibration_end) + ", holdout " +
                 detail::lifecycle_fmt("%.1f ", a.summary.holdout_duration) + a.unit_name());

  // 3. RFM segments.
  a.features = rfm_features(a.log, periods);
  a.rfm.fit(a.features);
  a.rfm_segment = a.rfm.segments(a.features);
  a.rfm_scores = a.rfm.transform(a.features);
  clock.step("3. RFM segments", std::to_string(std::set<std::string>(a.rfm_segment.begin(), a.rfm_segment.end()).size()) +
                                    " segments from R, F, M quintiles");

  // 4. The purchase model: compared on the holdout, or the named one.
  if (o.model == purchase_model_kind::automatic) {
    a.comparison = detail::compare_purchase_models(a.summary, a.purchases);
    std::string text;
    for (const auto& r : a.comparison) {
      text += (text.empty() ? "" : ", ") + r.model + (r.error.empty() ? detail::lifecycle_fmt(" %.4f", r.rmse) : " not fitted");
    }
    if (!a.purchases) {
      throw invalid_argument("no purchase model could be fitted: " + a.comparison.front().error);
    }
    clock.step("4a. purchase model choice", "holdout RMSE per customer: " + text + " -> " + a.purchase_model_name());
  } else {
    const auto fit = [&](auto model) {
      model.fit(a.summary.compressed());
      a.purchases = std::move(model);
    };
    if (o.model == purchase_model_kind::pareto_nbd) fit(pareto_nbd<>());
    else if (o.model == purchase_model_kind::mbg_nbd) fit(mbg_nbd<>());
    else fit(bg_nbd<>());
  }
  std::visit([&](const auto& m) { detail::lifecycle_with_model<std::decay_t<decltype(m)>>(a, o, clock); }, *a.purchases);
  return a;
}

}  // namespace clm
