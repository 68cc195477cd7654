// clm/lifecycle: the analysis as data and its rendering, on a simulated population.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "clm/data/csv.hpp"
#include "clm/data/synthetic.hpp"
#include "clm/lifecycle/analysis.hpp"
#include "clm/lifecycle/report/render.hpp"

namespace {

const clm::synthetic::population& population() {
  static const auto pop = clm::synthetic::make_population({.n_customers = 1500, .seed = 7, .n_items = 80});
  return pop;
}

clm::lifecycle_options periods() {
  return {.calibration_end = population().calibration_end, .observation_end = population().observation_end};
}

const clm::lifecycle_analysis& analysis() {
  static const auto a = clm::analyze_lifecycle(population().transactions, periods());
  return a;
}

}  // namespace

TEST_CASE("analyze_lifecycle: every per-customer result in summary order, lists and segments by their rules") {
  const auto& a = analysis();
  const std::size_t n = a.summary.size();
  REQUIRE(n > 1000);
  for (const auto* v : {&a.p_alive, &a.expected_purchases, &a.clv, &a.churn_risk, &a.p_no_purchase, &a.at_risk_score,
                        &a.holdout_churned}) {
    CHECK(v->size() == n);
  }
  CHECK(a.segment.size() == n);
  CHECK(a.rfm_segment.size() == n);
  CHECK(a.top_items.size() == n);
  CHECK(a.rfm_scores.shape(0) == n);
  // The model comparison: three rows; the chosen one has the smallest holdout RMSE.
  REQUIRE(a.comparison.size() == 3);
  const auto best = std::min_element(a.comparison.begin(), a.comparison.end(),
                                     [](const auto& x, const auto& y) { return x.rmse < y.rmse; });
  CHECK(a.purchase_model_name() == best->model);
  // The at-risk score is the better-ranking of the two signals, and it is what the lists use.
  CHECK(a.at_risk_from_purchase_model == (a.auc_no_purchase > a.auc_churn_model));
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(a.at_risk_score(i) == (a.at_risk_from_purchase_model ? a.p_no_purchase(i) : a.churn_risk(i)));
  }
  CHECK(std::max(a.auc_churn_model, a.auc_no_purchase) > 0.7);
  std::size_t flagged = 0;
  for (std::size_t i = 0; i < n; ++i) flagged += a.at_risk_score(i) >= a.at_risk_threshold;
  CHECK(a.at_risk.size() == flagged);
  for (std::size_t k = 1; k < a.at_risk.size(); ++k) CHECK(a.clv(a.at_risk[k - 1]) >= a.clv(a.at_risk[k]));
  for (const auto i : a.at_risk) CHECK(a.at_risk_score(i) >= a.at_risk_threshold);
  REQUIRE(a.most_valuable.size() == n);
  for (std::size_t k = 1; k < n; ++k) CHECK(a.clv(a.most_valuable[k - 1]) >= a.clv(a.most_valuable[k]));
  // Segments agree with the score: no Champion, Loyal or Potential loyalist at risk.
  std::size_t moved = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool risky = a.at_risk_score(i) >= a.at_risk_threshold;
    if (risky) {
      CHECK(a.segment[i] != "Champions");
      CHECK(a.segment[i] != "Loyal");
      CHECK(a.segment[i] != "Potential loyalist");
    }
    if (a.segment[i] != a.rfm_segment[i]) {
      ++moved;
      CHECK(risky);
      CHECK((a.segment[i] == "Can't lose" || a.segment[i] == "At risk"));
    }
  }
  INFO("customers moved to Can't lose / At risk: " << moved);
  // The segment profile counts every customer once.
  double counted = 0.0;
  for (std::size_t g = 0; g < a.segment_profile.rows(); ++g) counted += a.segment_profile.numeric("customers")(g);
  CHECK(counted == static_cast<double>(n));
  // Recommendations: the simulated log has items.
  CHECK(std::holds_alternative<clm::item_knn<>>(a.recommender));
  const auto with_items = std::count_if(a.top_items.begin(), a.top_items.end(), [](const auto& s) { return !s.empty(); });
  CHECK(static_cast<std::size_t>(with_items) >= n * 9 / 10);
  // Chart data: the cumulative repeat curve ends at the repeat purchase days counted.
  REQUIRE(!a.repeats.actual.empty());
  CHECK(std::is_sorted(a.repeats.actual.begin(), a.repeats.actual.end()));
  CHECK(!a.cohorts.share.empty());
}

TEST_CASE("analyze_lifecycle: a named model, EASE, no recommender, bad options and thin logs refused") {
  auto o = periods();
  o.model = clm::purchase_model_kind::pareto_nbd;
  o.recommender = clm::recommender_kind::ease;
  const auto p = clm::analyze_lifecycle(population().transactions, o);
  CHECK(p.comparison.empty());
  CHECK(p.purchase_model_name() == "pareto_nbd");
  CHECK(std::holds_alternative<clm::ease<>>(p.recommender));
  o.model = clm::purchase_model_kind::mbg_nbd;
  o.recommender = clm::recommender_kind::none;
  const auto m = clm::analyze_lifecycle(population().transactions, o);
  CHECK(m.purchase_model_name() == "mbg_nbd");
  CHECK(std::holds_alternative<std::monostate>(m.recommender));
  CHECK(std::all_of(m.top_items.begin(), m.top_items.end(), [](const auto& s) { return s.empty(); }));
  // The steps are reported as they end, in order.
  std::vector<std::string> steps;
  o.on_step = [&](const clm::lifecycle_step& s) { steps.push_back(s.name); };
  clm::analyze_lifecycle(population().transactions, o);
  REQUIRE(steps.size() >= 8);
  CHECK(steps.front() == "1. clean");
  CHECK(steps.back().rfind("10. ", 0) == 0);
  std::vector<int> numbers;
  for (const auto& s : steps) numbers.push_back(std::stoi(s));
  CHECK(std::is_sorted(numbers.begin(), numbers.end()));

  CHECK_THROWS_WITH_AS(clm::analyze_lifecycle(population().transactions, {.horizon_weeks = 0}),
                       doctest::Contains("expected a positive number of weeks, got 0"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::analyze_lifecycle(population().transactions, {.at_risk_threshold = 1.5}),
                       doctest::Contains("expected a probability in (0, 1), got 1.5"), clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::analyze_lifecycle(clm::transaction_log{}), doctest::Contains("holds no purchases"),
                       clm::invalid_argument);
  // Every customer a one-time buyer: the models have nothing to learn from.
  clm::transaction_log once;
  for (int c = 0; c < 20; ++c) {
    once.customer_ids.push_back("c" + std::to_string(c));
    once.customer.push_back(c);
    once.time.push_back(clm::timestamp{clm::parse_date("2024-01-01").seconds + c * 86400});
    once.amount.push_back(10.0);
  }
  CHECK_THROWS_WITH_AS(clm::analyze_lifecycle(once, {.calibration_end = clm::parse_date("2024-03-01")}),
                       doctest::Contains("expected the calibration end (2024-03-01) before the observation end "
                                         "(2024-01-20, the last purchase)"),
                       clm::invalid_argument);
  CHECK_THROWS_WITH_AS(clm::analyze_lifecycle(once, {.calibration_end = clm::parse_date("2024-03-01"),
                                                     .observation_end = clm::parse_date("2024-06-01")}),
                       doctest::Contains("single purchase"), clm::invalid_argument);
  // Only refunds: nothing left after netting.
  auto refunds = once;
  for (auto& v : refunds.amount) v = -v;
  CHECK_THROWS_WITH_AS(clm::analyze_lifecycle(refunds), doctest::Contains("no purchases are left after cleaning (20 refunds"),
                       clm::invalid_argument);
}

TEST_CASE("write_lifecycle_report: the files, the models loadable, the page's charts and figures") {
  const auto& a = analysis();
  const auto dir = std::filesystem::temp_directory_path() / "clm_lifecycle_report_test";
  std::filesystem::remove_all(dir);
  clm::write_lifecycle_report(a, dir, {.source = "simulated <test>", .currency = "$"});
  for (const char* f : {"customers.csv", "segments.csv", "report.html", "gamma_gamma.clm", "churn.clm",
                        "rfm_segments.clm", "item_knn.clm"}) {
    CHECK_MESSAGE(std::filesystem::file_size(dir / f) > 0, f);
  }
  CHECK(std::filesystem::exists(dir / (a.purchase_model_name() + ".clm")));
  // The saved churn model gives the same risks.
  const auto churn = clm::load<clm::churn_model>(dir / "churn.clm");
  const auto again = churn.predict_proba(a.features);
  for (std::size_t i = 0; i < a.summary.size(); ++i) CHECK(again(i) == a.churn_risk(i));
  // customers.csv: a header and one row per customer, the id quoted.
  std::ifstream in(dir / "customers.csv");
  std::string header, line;
  std::getline(in, header);
  CHECK(header.find(",segment,rfm_segment,p_alive,") != std::string::npos);
  std::size_t rows = 0;
  while (std::getline(in, line)) ++rows;
  CHECK(rows == a.summary.size());
  std::stringstream html;
  html << std::ifstream(dir / "report.html").rdbuf();
  const std::string page = html.str();
  for (const char* id : {"segment-sizes", "segment-value", "clv-distribution", "p-alive-matrix", "holdout-validation",
                         "cumulative-repeat", "cohort-retention", "churn-roc", "churn-gain"}) {
    CHECK_MESSAGE(page.find(std::string("id=\"") + id + "\"") != std::string::npos, id);
  }
  CHECK(page.find("simulated &lt;test&gt;") != std::string::npos);  // escaped
  CHECK(page.find("<td>revenue</td><td>$") != std::string::npos);
  CHECK(page.find("<th>recommend</th>") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  // Every segment row says what puts a customer there.
  CHECK(page.find("<td>R 4-5, F 4-5, M 4-5</td>") != std::string::npos);  // Champions
  CHECK(clm::segment_definition("Can't lose", 0.5) ==
        "R 1, F 4-5, M 4-5; or a Champion or Loyal customer with an at-risk score of 0.5 or more");
  CHECK(clm::segment_definition("Other", 0.5) == "scores no rule of the map covers");
  std::filesystem::remove_all(dir);
}

TEST_CASE("analyze_lifecycle: time to churn, reasons for the at-risk, and a retention offer") {
  const auto& a = analysis();
  const std::size_t n = a.summary.size();
  // Time to churn by its rule; the curves are Kaplan-Meier on it.
  REQUIRE(a.churn_time.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    const double expect = a.holdout_churned(i) == 1.0 ? a.summary.recency(i) : a.summary.T(i) + a.summary.holdout_duration;
    CHECK(a.churn_time(i) == expect);
  }
  clm::kaplan_meier<> km;
  km.fit(a.churn_time, a.holdout_churned);
  CHECK(km.survival_function() == a.survival.survival_function());
  CHECK(!a.survival_by_segment.empty());
  // The Cox model on first-purchase covariates, and its concordance.
  REQUIRE(a.churn_hazard.has_value());
  CHECK(a.churn_hazard->coef().size() == 2);
  CHECK(a.churn_hazard_concordance > 0.4);
  CHECK(a.churn_hazard_concordance < 0.8);
  // Reasons: the churn model's largest contributions to the logit, per at-risk customer.
  REQUIRE(a.at_risk_reasons.rows() == a.at_risk.size());
  REQUIRE(!a.at_risk.empty());
  const auto& ct = a.churn.step<0>();
  const clm::matrix<double> Xt = ct.transform(a.features);
  const clm::matrix<double> first = xt::view(Xt, xt::range(a.at_risk[0], a.at_risk[0] + 1), xt::all());
  const auto lc = clm::linear_contributions(a.churn.step<1>(), first, Xt);
  CHECK(a.at_risk_reasons.contribution(0, 0) == doctest::Approx(xt::amax(lc.values)()));
  CHECK(!a.offer_model.has_value());

  // An offer that brings back half the treated repeat customers who would have churned.
  auto log = population().transactions;
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < n; ++i) row_of.emplace(a.summary.ids[i], i);
  clm::random_engine g(3);
  clm::offer_experiment ex;
  std::size_t brought_back = 0;
  for (std::size_t c = 0; c < log.customer_ids.size(); ++c) {
    const auto it = row_of.find(log.customer_ids[c]);
    if (it == row_of.end()) continue;
    const std::size_t i = it->second;
    const bool treated = clm::uniform01(g) < 0.5;
    ex.customer_ids.push_back(log.customer_ids[c]);
    ex.treatment.push_back(treated ? 1.0 : 0.0);
    if (treated && a.summary.frequency(i) >= 2 && a.holdout_churned(i) == 1.0 && clm::uniform01(g) < 0.5) {
      log.customer.push_back(static_cast<std::int32_t>(c));
      log.time.push_back(clm::timestamp{a.calibration_end.seconds + 86400 * 10});
      log.amount.push_back(20.0);
      if (log.has_items()) log.item.push_back(0);
      ++brought_back;
    }
  }
  REQUIRE(brought_back > 20);
  auto o = periods();
  o.experiment = ex;
  o.offer_cost = 1.0;
  const auto b = clm::analyze_lifecycle(log, o);
  REQUIRE(b.offer_model.has_value());
  CHECK(b.experiment_customers == n);
  double repeaters = 0, one_time = 0, nr = 0, no = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (b.summary.frequency(i) >= 2) repeaters += b.uplift(i), nr += 1;
    if (b.summary.frequency(i) == 0) one_time += b.uplift(i), no += 1;
  }
  MESSAGE("mean predicted uplift: repeat customers ", repeaters / nr, ", one-time buyers ", one_time / no,
          "; Qini coefficient in sample ", b.offer_qini);
  CHECK(repeaters / nr > one_time / no + 0.05);
  CHECK(b.offer_qini > 0.0);
  REQUIRE(!b.offers.customers.empty());
  for (std::size_t k = 0; k < b.offers.customers.size(); ++k) {
    const std::size_t i = b.offers.customers[k];
    CHECK(b.uplift(i) * b.clv(i) - 1.0 == doctest::Approx(b.offers.incremental_value[k]));
    CHECK(b.offers.incremental_value[k] > 0);
  }
  const auto dir = std::filesystem::temp_directory_path() / "clm_lifecycle_offer";
  std::filesystem::remove_all(dir);
  clm::write_lifecycle_report(b, dir);
  const auto loaded = clm::load<clm::two_model_uplift<clm::logistic_regression<>>>(dir / "offer_uplift.clm");
  CHECK(loaded.predict_uplift(Xt) == b.offer_model->predict_uplift(Xt));
  CHECK(std::filesystem::exists(dir / "cox_ph.clm"));
  std::ifstream in(dir / "report.html");
  std::stringstream html;
  html << in.rdbuf();
  CHECK(html.str().find("Retention offer: whom to target") != std::string::npos);
  CHECK(html.str().find("Kaplan-Meier") != std::string::npos);
  CHECK(html.str().find("top reasons") != std::string::npos);
  const auto customers = clm::read_csv(dir / "customers.csv");
  CHECK(customers.has("uplift"));
  CHECK(customers.has("churn_reasons"));
  std::filesystem::remove_all(dir);
}
