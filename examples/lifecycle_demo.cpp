// lifecycle_demo — what `scripts/dev demo` runs: the most complete end-to-end path the
// library has today, on a clm::synthetic population generated in-process (no file needed).
//
//   order log -> customer summary (calibration / holdout) -> RFM features joined with the
//   customer attributes -> column_transformer + logistic regression pipeline, trained to
//   predict "no purchase in the holdout period" -> AUC, accuracy, lift in the top decile
//   -> save, reload, score a customer
//
// Usage: lifecycle_demo [--customers N] [--seed S]
#include <clm/clm.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

clm::vector<double> take(const clm::vector<double>& v, const std::vector<std::size_t>& rows) {
  clm::vector<double> out = clm::vector<double>::from_shape({rows.size()});
  for (std::size_t i = 0; i < rows.size(); ++i) out(i) = v(rows[i]);
  return out;
}

/// Share of churners among the top 10 % of scores, over the overall churn rate.
double top_decile_lift(const clm::vector<double>& y, const clm::vector<double>& score) {
  std::vector<std::size_t> order(y.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score(a) > score(b); });
  const std::size_t top = std::max<std::size_t>(1, y.size() / 10);
  double hits = 0, all = 0;
  for (std::size_t i = 0; i < y.size(); ++i) all += y(i);
  for (std::size_t i = 0; i < top; ++i) hits += y(order[i]);
  return (hits / static_cast<double>(top)) / (all / static_cast<double>(y.size()));
}

}  // namespace

int main(int argc, char** argv) try {
  clm::synthetic::population_params params{.n_customers = 20000, .seed = 42};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--customers") params.n_customers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (arg == "--seed") params.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else throw clm::invalid_argument("unknown option '" + arg + "' (expected --customers or --seed)");
  }
  std::printf("clm %s lifecycle demo (no file given: a simulated population)\n\n", CLM_VERSION_STRING);

  auto t0 = std::chrono::steady_clock::now();
  const auto pop = clm::synthetic::make_population(params);
  std::printf("1. simulated %zu customers, %zu orders (BG/NBD purchases, Gamma-Gamma spend) in %.2f s\n",
              params.n_customers, pop.transactions.size(), seconds_since(t0));

  t0 = std::chrono::steady_clock::now();
  const clm::summary_options periods{.calibration_end = pop.calibration_end, .observation_end = pop.observation_end};
  const auto summary = clm::summarize(pop.transactions, periods);
  clm::table features = clm::rfm_features(pop.transactions, periods);
  // Every simulated customer bought in calibration, so summary rows follow customer codes
  // as the attribute table does: join column by column.
  for (const auto& name : {"tenure_months", "support_tickets", "discount_share"}) {
    features.add_numeric(name, pop.customers.numeric(name));
  }
  for (const auto& name : {"region", "channel"}) features.add_categorical(name, pop.customers.categorical(name));
  clm::vector<double> churned = clm::vector<double>::from_shape({summary.size()});
  for (std::size_t i = 0; i < summary.size(); ++i) churned(i) = summary.holdout_frequency(i) == 0.0 ? 1.0 : 0.0;
  std::printf("2. summarised to %zu customers x %zu features in %.3f s; %.1f %% made no purchase in the\n"
              "   %.0f-week holdout (the churn label)\n",
              features.rows(), features.cols(), seconds_since(t0), 100.0 * xt::mean(churned)(),
              summary.holdout_duration);

  // Stratified 80/20 split.
  std::vector<std::size_t> train, test, pos, neg;
  for (std::size_t i = 0; i < churned.size(); ++i) (churned(i) == 1.0 ? pos : neg).push_back(i);
  clm::random_engine rng(params.seed);
  for (auto* cls : {&pos, &neg}) {
    clm::shuffle(cls->begin(), cls->end(), rng);
    const std::size_t cut = cls->size() / 5;
    test.insert(test.end(), cls->begin(), cls->begin() + static_cast<std::ptrdiff_t>(cut));
    train.insert(train.end(), cls->begin() + static_cast<std::ptrdiff_t>(cut), cls->end());
  }

  t0 = std::chrono::steady_clock::now();
  auto model = clm::make_pipeline(
      clm::make_column_transformer(
          {.numeric = {"recency", "frequency", "monetary", "tenure", "inter_purchase_time", "total_spend",
                       "tenure_months", "support_tickets", "discount_share"},
           .categorical = {"region", "channel"}},
          clm::make_pipeline(clm::simple_imputer<>({.strategy = clm::impute_strategy::median}),
                             clm::log1p_transform<>(), clm::standard_scaler<>()),
          clm::one_hot_encoder<>({.unknown = clm::unknown_category::ignore})),
      clm::logistic_regression<>({.C = 1.0, .max_iter = 500}));
  model.fit(features.take(train), take(churned, train));
  const auto& fit_report = model.step<1>().report();
  std::printf("3. churn model (impute, log1p, scale, one-hot, logistic regression) fitted on %zu customers\n"
              "   in %.3f s: %zu L-BFGS iterations, %s\n",
              train.size(), seconds_since(t0), fit_report.iterations, fit_report.stopped_because.c_str());

  const auto X_test = features.take(test);
  const auto y_test = take(churned, test);
  const auto risk = model.predict_proba(X_test);
  std::printf("4. held-out customers (%zu): ROC AUC %.3f, accuracy %.3f, lift in the top decile %.2fx\n\n",
              test.size(), clm::roc_auc(y_test, risk), clm::accuracy(y_test, model.predict(X_test)),
              top_decile_lift(y_test, risk));

  const auto names = model.step<0>().feature_names_out();
  const auto& coef = model.step<1>().coef();
  std::printf("   %-28s %10s\n", "feature (scaled)", "coefficient");
  for (std::size_t j = 0; j < names.size(); ++j) std::printf("   %-28s %+10.3f\n", names[j].c_str(), coef(j));

  // Persist the whole fitted pipeline and score one customer with the reloaded copy, as a
  // service would.
  const auto path = std::filesystem::temp_directory_path() / "clm_demo_churn.clm";
  clm::save(model, path);
  const auto served = clm::load<decltype(model)>(path);
  const auto one = features.take({test.front()});
  std::printf("\n5. saved the pipeline (%ju bytes) and reloaded it: customer %s has churn risk %.3f\n",
              static_cast<std::uintmax_t>(std::filesystem::file_size(path)),
              summary.ids[test.front()].c_str(), served.predict_proba(one)(0));
  std::filesystem::remove(path);
  return 0;
} catch (const clm::error& e) {
  std::fprintf(stderr, "lifecycle_demo: %s\n", e.what());
  return 1;
}
